//! Alerts in, warnings out (issue 14): readers for CAP 1.2/1.1 warnings, Atom/RSS feed indexes,
//! USGS GeoJSON and CENC earthquake catalogues; the semantics that decide what an arrival means
//! (new / update / cancel / duplicate / expired / ignored); offline placement of GB/T 2260 and
//! CPEAS area codes on the pack's polygons; the pack's editable `alerts.toml` (types, levels,
//! rules → notices and draft incidents); and the CAP 1.2 writer for warnings the centre issues.
//!
//! Everything here except [`ingest`] is pure: no egui, tokio, reqwest or rusqlite. [`ingest`]
//! turns files into events through the store; feed polling lives in `crate::feeds`.

pub mod areas;
pub mod cap;
pub mod config;
pub mod detect;
pub mod error;
pub mod feed;
pub mod ingest;
pub mod issue;
pub mod place;
pub mod quake;
pub mod rules;
pub mod semantics;
pub mod time;
pub mod writer;
pub mod xml;

#[cfg(test)]
mod tests;

pub use error::AlertReadError;
