//! Store worker: the one thread that owns the SQLite connection. The UI sends commands (append
//! an event, load the demo) over a bounded channel and gets back the folded situation as an
//! `Arc<Situation>` after every change, plus any error to show. Nothing here blocks the frame.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};

use crate::model::event::{Event, EventKind};
use crate::model::incident::{Caller, IncidentType, Severity};
use crate::model::lonlat::LonLat;
use crate::model::situation::Situation;
use crate::store::Store;
use crate::time::{format_utc_ms, now_utc_iso};

/// A new incident as typed by the duty officer; the worker allocates its id under the write lock.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentDraft {
    /// Type (the class follows).
    pub incident_type: IncidentType,
    /// Grade.
    pub severity: Severity,
    /// Location.
    pub lonlat: LonLat,
    /// Address / place as described.
    pub address: String,
    /// Caller.
    pub caller: Caller,
    /// First note.
    pub notes: String,
}

/// What the UI asks for.
#[derive(Debug, Clone)]
pub enum StoreCommand {
    /// Append one event as `operator` at `seat`.
    Append {
        /// Who.
        operator: String,
        /// Workstation.
        seat: String,
        /// The change.
        kind: EventKind,
    },
    /// Append several events in one transaction (all or nothing), e.g. a dispatch.
    AppendBatch {
        /// Who.
        operator: String,
        /// Workstation.
        seat: String,
        /// The changes.
        kinds: Vec<EventKind>,
    },
    /// Import a pack's demo scenario folder.
    LoadDemo(PathBuf),
    /// Report a new incident (id allocated by the worker); answered by [`StoreEvent::Done`].
    ReportIncident {
        /// Request id, echoed in the answer.
        req: u64,
        /// Who.
        operator: String,
        /// Workstation.
        seat: String,
        /// The form's content.
        draft: IncidentDraft,
    },
    /// Re-read the log (other seats may have written).
    Refresh,
    /// Enter a drill (its id, and its simulated clock in ms that stamps every event the operator
    /// records from now on; the situation sent back is the drill's) or leave it (`None`).
    SetDrill(Option<(String, Arc<AtomicI64>)>),
}

/// What the worker reports.
#[derive(Debug, Clone)]
pub enum StoreEvent {
    /// The database is open and this is the situation.
    Opened {
        /// Database file.
        path: PathBuf,
        /// The file was created just now (offer the demo).
        created: bool,
        /// The folded situation.
        situation: Arc<Situation>,
        /// Non-fatal warnings (skipped snapshots …).
        warnings: Vec<String>,
    },
    /// The situation after a change.
    Situation(Arc<Situation>),
    /// The newest events (up to [`LOG_TAIL`]), oldest first, after a change.
    Log(Arc<Vec<Event>>),
    /// A command failed; nothing was written.
    Error(String),
    /// The answer to a request with an id: the new incident's id, or why nothing was written.
    Done {
        /// Request id.
        req: u64,
        /// New incident id, or the error.
        result: Result<u32, String>,
    },
}

/// Events sent to the console's log board after each change.
pub const LOG_TAIL: u64 = 300;

/// How often the worker looks for events other seats appended.
const POLL: std::time::Duration = std::time::Duration::from_millis(1000);

fn tail(store: &Store) -> Result<Arc<Vec<Event>>, String> {
    let last = store.last_seq().map_err(|e| e.to_string())?;
    store
        .events_since(last.saturating_sub(LOG_TAIL))
        .map(Arc::new)
        .map_err(|e| e.to_string())
}

/// Handle to the store thread.
pub struct StoreWorker {
    tx: SyncSender<StoreCommand>,
    /// Reports.
    pub rx: Receiver<StoreEvent>,
}

impl StoreWorker {
    /// Open (or create) the database at `path` on a new thread; `None` opens an in-memory store
    /// (tests, demos). Failures arrive as [`StoreEvent::Error`]; the file is never overwritten.
    pub fn start(path: Option<PathBuf>, ctx: egui::Context) -> Result<StoreWorker, String> {
        let (tx, commands) = mpsc::sync_channel::<StoreCommand>(64);
        let (events, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("onemap-store".into())
            .spawn(move || {
                let send = |e: StoreEvent| {
                    let _ = events.send(e);
                    ctx.request_repaint();
                };
                let (mut store, created, shown_path) = match open(path.as_deref()) {
                    Ok(x) => x,
                    Err(e) => return send(StoreEvent::Error(e)),
                };
                match store.situation() {
                    Ok(s) => send(StoreEvent::Opened {
                        path: shown_path,
                        created,
                        situation: Arc::new(s.clone()),
                        warnings: store.warnings().to_vec(),
                    }),
                    Err(e) => return send(StoreEvent::Error(e.to_string())),
                }
                let send_log = |store: &Store| match tail(store) {
                    Ok(t) => send(StoreEvent::Log(t)),
                    Err(e) => send(StoreEvent::Error(e)),
                };
                send_log(&store);
                let mut drill: Option<(String, Arc<AtomicI64>)> = None;
                loop {
                    let cmd = match commands.recv_timeout(POLL) {
                        Ok(cmd) => cmd,
                        Err(mpsc::RecvTimeoutError::Disconnected) => break,
                        // Other seats write to the same file: pick up what they appended.
                        Err(mpsc::RecvTimeoutError::Timeout) => {
                            let seen = store.cached_situation().last_seq;
                            if store.last_seq().is_ok_and(|l| l > seen) {
                                StoreCommand::Refresh
                            } else {
                                continue;
                            }
                        }
                    };
                    let mut done = None;
                    let result = match cmd {
                        StoreCommand::Append { operator, seat, kind } => {
                            let (ts, id) = stamp(&drill);
                            store
                                .append_with_at(ts.as_deref(), &operator, &seat, id, |_| Ok(vec![kind.clone()]))
                                .map(|_| ())
                                .map_err(|e| e.to_string())
                        }
                        StoreCommand::AppendBatch { operator, seat, kinds } => {
                            let (ts, id) = stamp(&drill);
                            store
                                .append_with_at(ts.as_deref(), &operator, &seat, id, |_| Ok(kinds.clone()))
                                .map(|_| ())
                                .map_err(|e| e.to_string())
                        }
                        StoreCommand::SetDrill(d) => {
                            drill = d;
                            Ok(())
                        }
                        StoreCommand::LoadDemo(dir) => store.load_demo(&dir).map(|_| ()).map_err(|e| e.to_string()),
                        StoreCommand::Refresh => store.refresh().map_err(|e| e.to_string()),
                        StoreCommand::ReportIncident {
                            req,
                            operator,
                            seat,
                            draft,
                        } => {
                            // Answered after the new situation below: the console selects the new
                            // incident on `Done`, so it must already be in the situation it holds.
                            done = Some((req, report(&mut store, &operator, &seat, draft, &drill)));
                            Ok(())
                        }
                    };
                    if let Err(e) = result {
                        send(StoreEvent::Error(e));
                    }
                    let sit = match &drill {
                        Some((id, _)) => store.drill_situation(id),
                        None => store.situation().cloned(),
                    };
                    match sit {
                        Ok(s) => send(StoreEvent::Situation(Arc::new(s))),
                        Err(e) => send(StoreEvent::Error(e.to_string())),
                    }
                    send_log(&store);
                    if let Some((req, result)) = done {
                        send(StoreEvent::Done { req, result });
                    }
                }
            })
            .map_err(|e| format!("cannot start the store worker: {e}"))?;
        Ok(StoreWorker { tx, rx })
    }

    /// Queue a command; refused (not blocked on) when the queue is full or the worker is gone.
    pub fn send(&self, cmd: StoreCommand) -> Result<(), String> {
        match self.tx.try_send(cmd) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => Err("the database is busy; try again".into()),
            Err(TrySendError::Disconnected(_)) => Err("the database worker stopped".into()),
        }
    }
}

/// The log time and drill id of the operator's events: the drill's simulated clock in a drill.
fn stamp(drill: &Option<(String, Arc<AtomicI64>)>) -> (Option<String>, Option<&str>) {
    match drill {
        Some((id, clock)) => (Some(format_utc_ms(clock.load(Ordering::Relaxed))), Some(id.as_str())),
        None => (None, None),
    }
}

fn report(
    store: &mut Store,
    operator: &str,
    seat: &str,
    d: IncidentDraft,
    drill: &Option<(String, Arc<AtomicI64>)>,
) -> Result<u32, String> {
    let mut id = None;
    let (ts, drill_id) = stamp(drill);
    let reported_at = ts.clone().unwrap_or_else(now_utc_iso);
    store
        .append_with_at(ts.as_deref(), operator, seat, drill_id, |sit| {
            let new = sit.next_incident_id();
            id = Some(new);
            Ok(vec![EventKind::IncidentReported {
                incident: new,
                incident_type: d.incident_type,
                severity: d.severity,
                lonlat: d.lonlat,
                address: d.address.clone(),
                reported_at_utc: reported_at.clone(),
                caller: d.caller.clone(),
                notes: d.notes.clone(),
            }])
        })
        .map_err(|e| e.to_string())?;
    id.map(|i| i.0)
        .ok_or_else(|| "the incident was not recorded".to_string())
}

fn open(path: Option<&Path>) -> Result<(Store, bool, PathBuf), String> {
    let Some(path) = path else {
        let store = Store::open_in_memory().map_err(|e| e.to_string())?;
        return Ok((store, true, PathBuf::from(":memory:")));
    };
    let created = !path.exists();
    if created {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        Store::init(path).map_err(|e| e.to_string())?;
    }
    let store = Store::open(path).map_err(|e| e.to_string())?;
    Ok((store, created, path.to_path_buf()))
}
