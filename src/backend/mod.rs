//! The one owner of threads and I/O outside the UI: background workers fed by bounded channels,
//! answering with results and `ctx.request_repaint()`. The UI never blocks on them.

pub mod alerts;
pub mod coverage_jobs;
pub mod desktop;
pub mod drill;
pub mod file_log;
pub mod follower;
pub mod jobs;
pub mod pmtiles;
pub mod replay;
pub mod routing;
pub mod store;
pub mod tiles;
