//! OneMap (应急管理“一张图”): the offline command-and-dispatch console for the Xishuangbanna
//! emergency command centre.
//!
//! All logic lives in this library; `src/main.rs` is a thin front (the egui console when run
//! without a subcommand, the CLI otherwise). Domain modules (`geom`, `location`, `mappack`, `search`) import
//! neither egui nor tokio nor rusqlite; `ui` and `map` are the egui fronts; `backend` owns threads.

pub mod alerts;
pub mod backend;
pub mod build_info;
pub mod cli;
pub mod coverage;
pub mod csv_io;
pub mod dispatch;
pub mod drill;
pub mod feeds;
pub mod geom;
pub mod i18n;
pub mod kpis;
pub mod local_time;
pub mod location;
pub mod map;
pub mod mappack;
pub mod model;
pub mod private_fs;
pub mod roads;
pub mod search;
pub mod store;
pub mod style;
pub mod time;
pub mod ui;
