//! Offline road routing for the dispatch console: OSM import, compact graph, snapping,
//! Dijkstra searches (point-to-point, one-to-many, many-to-one ranking, coverage),
//! contraction hierarchies with PHAST sweeps for exact all-to-one ranking,
//! isochrones, a synthetic graph generator and a benchmark.
//!
//! Map data © OpenStreetMap contributors (ODbL).

pub mod bench;
pub mod ch;
pub mod graph;
pub mod isochrone;
pub mod lines;
pub mod osm;
pub mod profile;
mod radix_heap;
pub mod router;
pub mod schematic;
pub mod search;
pub mod skeleton;
pub mod snap;
pub mod synth;
pub mod targets;

#[cfg(test)]
mod ch_tests;
#[cfg(test)]
mod closure_tests;
#[cfg(test)]
mod oracle_tests;
#[cfg(test)]
mod osm_oracle_tests;
#[cfg(test)]
pub(crate) mod testdata;
#[cfg(test)]
mod tight_tests;
