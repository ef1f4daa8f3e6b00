//! The commander's wall follows the situation read-only: one thread opens the database (a file
//! or a `postgres://` URL) with [`Store::open_read_only`] (no writer exists in this process for
//! it), wakes through a [`ChangeFeed`] when other seats append (LISTEN/NOTIFY on the server,
//! `PRAGMA data_version` on a file), re-reads the log after its last shown seq, folds it (the
//! real situation or one drill's) and
//! runs the figures' graph searches ([`KpiContext::search`]: routes of moving units, coverage)
//! off the UI thread. It takes no commands at all: the handle holds only the receiving end, so
//! nothing the wall does can reach the database.
//!
//! Owns the follower thread; must not import `crate::ui`.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use crate::dispatch::Plans;
use crate::kpis::{KpiContext, Searched};
use crate::mappack::MapPack;
use crate::model::Situation;
use crate::store::feed::{ChangeFeed, FeedWake};
use crate::store::{Store, StoreError};
use crate::time::{now_utc_iso, parse_utc_ms};

/// Longest wait on the change feed: without news the follower still reports a successful
/// check this often (the wall's "data as of" and its stale warning).
pub const POLL: Duration = Duration::from_millis(500);

/// Why the wall cannot follow the situation.
#[derive(Debug, thiserror::Error)]
pub enum FollowerError {
    /// The database cannot be opened or read.
    #[error("数据库 / database: {0}")]
    Store(#[from] StoreError),
    /// The pack's plans.toml is broken.
    #[error("预案 / plans: {0}")]
    Plans(#[from] crate::dispatch::PlanError),
    /// No such drill in the log.
    #[error("没有演练 \"{0}\" / no drill \"{0}\"")]
    NoDrill(String),
    /// The thread could not be started.
    #[error("cannot start the follower thread: {0}")]
    Spawn(std::io::Error),
}

/// One folded state of the situation with its searches.
#[derive(Debug, Clone)]
pub struct WallData {
    /// The situation (the drill's when following a drill).
    pub situation: Arc<Situation>,
    /// Routes and coverage of that situation.
    pub searched: Arc<Searched>,
    /// The pack's plans.
    pub plans: Option<Arc<Plans>>,
    /// In a drill: the time of its last event (its simulated "now"; the clock is not stored).
    pub drill_now_ms: Option<i64>,
    /// The log's last seq when read (a drill's situation may stop at an earlier one).
    pub log_seq: u64,
}

/// What the follower reports.
#[derive(Debug)]
pub enum FollowerEvent {
    /// The situation changed (or was read the first time).
    Data(Arc<WallData>),
    /// The log was read successfully at this wall-clock time (nothing new, or after `Data`).
    Checked {
        /// Wall clock, ms since the epoch.
        at_ms: i64,
    },
    /// Reading failed; the follower keeps trying.
    Error(FollowerError),
}

/// Handle to the follower thread: only the receiving end (there is no way to send it anything).
pub struct Follower {
    /// Reports.
    pub rx: Receiver<FollowerEvent>,
}

fn now_ms() -> i64 {
    parse_utc_ms(&now_utc_iso()).unwrap_or(0)
}

impl Follower {
    /// Follow `db` (the real situation, or `drill`'s) with the figures of `pack`. The thread ends
    /// when the handle is dropped. `repaint` is called after every report.
    pub fn start(
        db: PathBuf,
        drill: Option<String>,
        pack: Arc<MapPack>,
        repaint: impl Fn() + Send + 'static,
    ) -> Result<Follower, FollowerError> {
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("onemap-wall-follower".into())
            .spawn(move || {
                let send = |e: FollowerEvent| {
                    let ok = tx.send(e).is_ok();
                    repaint();
                    ok
                };
                let mut cx = match KpiContext::from_pack(&pack) {
                    Ok(cx) => cx,
                    Err(e) => {
                        send(FollowerEvent::Error(e.into()));
                        return;
                    }
                };
                drop(pack);
                let mut store: Option<Store> = None;
                let mut feed: Option<ChangeFeed> = None;
                let mut shown_seq: Option<u64> = None;
                let mut read_next = true;
                loop {
                    let alive = if read_next {
                        match read_once(&mut store, &db, drill.as_deref(), shown_seq, &mut cx) {
                            Ok(Some(data)) => {
                                read_next = false;
                                shown_seq = Some(data.log_seq);
                                send(FollowerEvent::Data(Arc::new(data)))
                                    && send(FollowerEvent::Checked { at_ms: now_ms() })
                            }
                            Ok(None) => {
                                read_next = false;
                                send(FollowerEvent::Checked { at_ms: now_ms() })
                            }
                            Err(e) => {
                                // Reopen next time: the file may have been replaced or restored,
                                // the server restarted.
                                store = None;
                                send(FollowerEvent::Error(e))
                            }
                        }
                    } else {
                        true
                    };
                    if !alive {
                        return; // the wall is gone
                    }
                    match wait_for_change(&mut feed, &db) {
                        Ok(FeedWake::Idle) if !read_next => {
                            if !send(FollowerEvent::Checked { at_ms: now_ms() }) {
                                return;
                            }
                        }
                        Ok(_) => read_next = true,
                        Err(e) => {
                            // The feed reconnects by itself; read again once it answers.
                            read_next = true;
                            if !send(FollowerEvent::Error(e.into())) {
                                return;
                            }
                        }
                    }
                }
            })
            .map_err(FollowerError::Spawn)?;
        Ok(Follower { rx })
    }
}

/// Wait up to [`POLL`] on the change feed. A feed opened here answers
/// [`FeedWake::Reconnected`] at once: events appended before it listened are read then. A failed
/// open waits [`POLL`] before it answers, so a missing server is not hammered.
fn wait_for_change(feed: &mut Option<ChangeFeed>, db: &std::path::Path) -> Result<FeedWake, StoreError> {
    let f = match feed {
        Some(f) => f,
        None => match ChangeFeed::open(db) {
            Ok(f) => {
                *feed = Some(f);
                return Ok(FeedWake::Reconnected);
            }
            Err(e) => {
                std::thread::sleep(POLL);
                return Err(e);
            }
        },
    };
    f.wait(POLL)
}

/// One read: `Some` when the log moved past `shown_seq` (or on the first read).
fn read_once(
    store: &mut Option<Store>,
    db: &std::path::Path,
    drill: Option<&str>,
    shown_seq: Option<u64>,
    cx: &mut KpiContext,
) -> Result<Option<WallData>, FollowerError> {
    let s = match store {
        Some(s) => s,
        None => store.insert(Store::open_read_only(db)?),
    };
    let last = s.last_seq()?;
    if shown_seq == Some(last) {
        return Ok(None);
    }
    let (situation, drill_now_ms) = match drill {
        None => (s.situation()?.clone(), None),
        Some(d) => {
            if !s.situation()?.drills.contains_key(d) {
                return Err(FollowerError::NoDrill(d.to_string()));
            }
            let sit = s.drill_situation(d)?;
            let last_ms = s
                .events_since(0)?
                .iter()
                .filter(|e| e.drill_id.as_deref() == Some(d))
                .filter_map(|e| parse_utc_ms(&e.ts_utc))
                .max();
            (sit, last_ms)
        }
    };
    let searched = cx.search(&situation);
    Ok(Some(WallData {
        situation: Arc::new(situation),
        searched: Arc::new(searched),
        plans: cx.plans.clone(),
        drill_now_ms,
        log_seq: last,
    }))
}
