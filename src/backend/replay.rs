//! Replay worker: one thread owns a read-only `store::Replay` over a database file (real or a
//! drill) and answers seeks from the console's timeline with the situation at that moment plus
//! the events just before it. Seeks supersede each other (latest wins); playing forward folds
//! only the new events, jumps start from the nearest snapshot. Never writes the file.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};

use crate::model::event::Event;
use crate::model::situation::Situation;
use crate::store::StoreError;
use crate::store::replay::Replay;

/// Bins of the event-density strip under the scrubber.
pub const HISTOGRAM_BINS: usize = 400;
/// Events sent with each answer for the log board.
const LOG_TAIL: u64 = 300;
/// Playing forward by fewer events than this folds them; more jumps from a snapshot.
const ADVANCE_MAX: u64 = 50_000;

/// Why a replay cannot open, seek or go on; cloneable so it keeps its type across the channel.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ReplayError {
    /// The database file cannot be opened for replay.
    #[error("{path}: {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        source: Arc<StoreError>,
    },
    /// Reading the log failed.
    #[error(transparent)]
    Store(Arc<StoreError>),
    /// The worker thread could not start.
    #[error("cannot start the replay worker: {0}")]
    Start(Arc<std::io::Error>),
    /// The worker has ended.
    #[error("the replay worker stopped")]
    Stopped,
}

impl From<StoreError> for ReplayError {
    fn from(e: StoreError) -> Self {
        ReplayError::Store(Arc::new(e))
    }
}

/// What the console asks.
#[derive(Debug, Clone)]
pub enum ReplayCommand {
    /// The situation at this time (ms since the epoch) on the scope's axis.
    Seek(i64),
    /// Replay the real operations (`None`) or one drill.
    SetScope(Option<String>),
}

/// What the worker reports.
#[derive(Debug, Clone)]
pub enum ReplayEvent {
    /// The file is open (or the scope changed): the axis and what is on it.
    Opened {
        /// Database file.
        path: PathBuf,
        /// Scope: `None` = real operations, else the drill id.
        scope: Option<String>,
        /// First and last time on the axis, ms (`None`: no events in this scope).
        range: Option<(i64, i64)>,
        /// Events on the axis.
        events: u64,
        /// Event counts in [`HISTOGRAM_BINS`] equal time bins over `range`.
        histogram: Arc<Vec<u32>>,
        /// Drill ids in the file.
        drills: Vec<String>,
        /// Non-fatal warnings.
        warnings: Vec<String>,
    },
    /// The situation at a seek.
    At {
        /// The time asked for, ms.
        ts_ms: i64,
        /// The last event at or before it.
        seq: u64,
        /// The situation right after that event.
        situation: Arc<Situation>,
        /// The events just before it (scope only), oldest first.
        log: Arc<Vec<Event>>,
    },
    /// Something failed; the last answer stays.
    Error(ReplayError),
}

/// Handle to the replay thread.
pub struct ReplayWorker {
    tx: SyncSender<ReplayCommand>,
    /// Reports.
    pub rx: Receiver<ReplayEvent>,
}

impl ReplayWorker {
    /// Open `path` read-only in `scope` on a new thread; failures arrive as [`ReplayEvent::Error`].
    pub fn start(path: PathBuf, scope: Option<String>, ctx: egui::Context) -> Result<ReplayWorker, ReplayError> {
        let (tx, commands) = mpsc::sync_channel::<ReplayCommand>(16);
        let (events, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("onemap-replay".into())
            .spawn(move || {
                let send = |e: ReplayEvent| {
                    let _ = events.send(e);
                    ctx.request_repaint();
                };
                let mut replay = match Replay::open(&path) {
                    Ok(r) => r,
                    Err(e) => {
                        return send(ReplayEvent::Error(ReplayError::Open {
                            path: path.clone(),
                            source: Arc::new(e),
                        }));
                    }
                };
                let mut scope = scope;
                if let Err(e) = replay.set_scope(scope.as_deref()) {
                    send(ReplayEvent::Error(e.into()));
                    scope = None;
                    let _ = replay.set_scope(None);
                }
                send(opened(&replay, &path, &scope));
                let mut current: Option<Situation> = None;
                while let Ok(mut cmd) = commands.recv() {
                    // Latest seek wins; a scope change is never skipped.
                    while let Ok(next) = commands.try_recv() {
                        if matches!(cmd, ReplayCommand::SetScope(_)) {
                            break;
                        }
                        cmd = next;
                    }
                    match cmd {
                        ReplayCommand::SetScope(s) => match replay.set_scope(s.as_deref()) {
                            Ok(()) => {
                                scope = s;
                                current = None;
                                send(opened(&replay, &path, &scope));
                            }
                            Err(e) => send(ReplayEvent::Error(e.into())),
                        },
                        ReplayCommand::Seek(ts_ms) => match seek(&mut replay, &mut current, &scope, ts_ms) {
                            Ok(ev) => send(ev),
                            Err(e) => send(ReplayEvent::Error(e)),
                        },
                    }
                }
            })
            .map_err(|e| ReplayError::Start(Arc::new(e)))?;
        Ok(ReplayWorker { tx, rx })
    }

    /// Queue a command; a full queue drops it (the next frame asks again).
    pub fn send(&self, cmd: ReplayCommand) -> Result<(), ReplayError> {
        match self.tx.try_send(cmd) {
            Ok(()) | Err(TrySendError::Full(_)) => Ok(()),
            Err(TrySendError::Disconnected(_)) => Err(ReplayError::Stopped),
        }
    }
}

fn opened(replay: &Replay, path: &std::path::Path, scope: &Option<String>) -> ReplayEvent {
    let range = replay.time_range();
    let mut histogram = vec![0u32; HISTOGRAM_BINS];
    let mut events = 0u64;
    if let Some((t0, t1)) = range {
        let span = (t1 - t0).max(1) as f64;
        for e in replay.scoped_timeline() {
            let bin = (((e.ts_ms - t0) as f64 / span) * (HISTOGRAM_BINS as f64 - 1.0)).round() as usize;
            if let Some(b) = histogram.get_mut(bin.min(HISTOGRAM_BINS - 1)) {
                *b = b.saturating_add(1);
            }
            events += 1;
        }
    }
    ReplayEvent::Opened {
        path: path.to_path_buf(),
        scope: scope.clone(),
        range,
        events,
        histogram: Arc::new(histogram),
        drills: replay.drills(),
        warnings: replay.warnings().to_vec(),
    }
}

fn seek(
    replay: &mut Replay,
    current: &mut Option<Situation>,
    scope: &Option<String>,
    ts_ms: i64,
) -> Result<ReplayEvent, ReplayError> {
    let seq = replay.seq_at_time(ts_ms);
    let sit = match current.take() {
        // Playing forward a little: fold only the new events.
        Some(mut s) if s.last_seq <= seq && seq - s.last_seq <= ADVANCE_MAX => {
            replay.advance(&mut s, seq)?;
            s
        }
        _ => replay.situation_at(seq)?,
    };
    let log: Vec<Event> = replay
        .events(seq.saturating_sub(LOG_TAIL), seq)?
        .into_iter()
        .filter(|e| e.drill_id.as_deref() == scope.as_deref())
        .collect();
    let situation = Arc::new(sit.clone());
    *current = Some(sit);
    Ok(ReplayEvent::At {
        ts_ms,
        seq,
        situation,
        log: Arc::new(log),
    })
}
