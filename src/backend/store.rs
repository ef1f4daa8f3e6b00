//! Store worker: the one thread that owns the console's SQLite connection. The UI sends
//! **intents** (what the officer wants: dispatch these units, set this status, record this
//! incident) over a bounded channel; the worker turns each into events against its own
//! authoritative situation inside the append transaction (after reading what other seats
//! appended), and answers `Done { seq }` or a typed [`Refused`] — a unit committed elsewhere comes
//! back as a [`ReassignOffer`]. After every change it sends the folded situation as an
//! `Arc<Situation>`. Nothing here blocks the frame; nothing here imports `ui`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use crate::alerts::ingest::{ImportedMessage, Importer};
use crate::dispatch::{DispatchError, DispatchRequest};
use crate::model::alert::{DraftDecision, DraftRefusal};
use crate::model::event::{Event, EventKind};
use crate::model::ids::{IncidentId, UnitId, WarehouseId};
use crate::model::incident::{IncidentDraft, IncidentStatus};
use crate::model::situation::Situation;
use crate::model::unit::UnitStatus;
use crate::store::feed::{ChangeFeed, FeedWake};
use crate::store::{BackendKind, Store, StoreError};
use crate::time::{format_utc_ms, now_utc_iso};

/// What the officer wants; the worker builds the events against the log, never the UI's copy.
#[derive(Debug, Clone, PartialEq)]
pub enum Intent {
    /// Send units (and reserve stock) to an incident, optionally releasing them elsewhere first.
    Dispatch(DispatchRequest),
    /// Move a unit to a new status.
    SetUnitStatus {
        /// Unit.
        unit: UnitId,
        /// New status.
        to: UnitStatus,
    },
    /// Move an incident on (`Verified` is recorded as a verification).
    SetIncidentStatus {
        /// Incident.
        incident: IncidentId,
        /// New status.
        to: IncidentStatus,
    },
    /// Record a new incident (its id is allocated under the write lock).
    ReportIncident(IncidentDraft),
    /// Mark an incident sensitive (the wall dims it and hides caller and address) or clear it.
    SetIncidentSensitive {
        /// Incident.
        incident: IncidentId,
        /// The new flag.
        sensitive: bool,
    },
    /// Reserve stock for an incident without sending units.
    ReserveStock {
        /// Incident.
        incident: IncidentId,
        /// (warehouse, item code, quantity) lines.
        lines: Vec<(WarehouseId, String, u64)>,
    },
    /// Issue stock from a warehouse.
    IssueStock {
        /// Warehouse.
        warehouse: WarehouseId,
        /// Item code.
        item_code: String,
        /// Quantity.
        quantity: u64,
        /// Issue from the reserved quantity.
        from_reserved: bool,
    },
    /// Add a note to an incident after it was recorded.
    AddNote {
        /// Incident.
        incident: IncidentId,
        /// The note (not empty).
        text: String,
    },
    /// Cancel an incident (false alarm, duplicate call); `duplicate_of` links the two.
    CancelIncident {
        /// Incident.
        incident: IncidentId,
        /// Why (not empty).
        reason: String,
        /// The incident this one duplicates.
        duplicate_of: Option<IncidentId>,
    },
    /// Close an incident along its lifecycle (only once someone has been on scene).
    CloseIncident {
        /// Incident.
        incident: IncidentId,
    },
    /// Correct an incident's location (the console checked the prefecture area first).
    RelocateIncident {
        /// Incident.
        incident: IncidentId,
        /// Corrected location.
        lonlat: crate::model::lonlat::LonLat,
        /// Corrected address; empty keeps the old one.
        address: String,
    },
    /// Carry out the inner intent in the real situation even while the seat is in a drill (a
    /// genuine call taken during an exercise): real time, no drill id.
    Real(Box<Intent>),
    /// Approve a rule's draft incident: the incident as the officer submitted the prefilled
    /// form, recorded together with the decision (one transaction).
    ApproveDraft {
        /// Seq of the `AlertRuleFired` event.
        firing_seq: u64,
        /// The incident as submitted.
        draft: IncidentDraft,
    },
    /// Dismiss a rule's draft incident with a reason (驳回).
    DismissDraft {
        /// Seq of the `AlertRuleFired` event.
        firing_seq: u64,
        /// Why (not empty).
        reason: String,
    },
    /// End a drill (the drill worker writes the report).
    EndDrill {
        /// Drill id.
        drill_id: String,
    },
}

/// A unit committed to another incident, as the log says at the moment of the append.
#[derive(Debug, Clone, PartialEq)]
pub struct CommittedUnit {
    /// Unit.
    pub unit: UnitId,
    /// Its call sign.
    pub callsign: String,
    /// The incident it is committed to.
    pub incident: IncidentId,
}

/// A dispatch refused because units are committed elsewhere, offered as a reassignment (改派).
#[derive(Debug, Clone, PartialEq)]
pub struct ReassignOffer {
    /// The same request with `reassign` set: accepting it sends exactly this.
    pub request: DispatchRequest,
    /// The units committed elsewhere and where.
    pub committed: Vec<CommittedUnit>,
}

/// Why an intent wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// Units are committed to other incidents: offered as a reassignment.
    #[error("{} committed elsewhere; reassign to release first", .0.committed.iter().map(|c| format!("{} ({}) at {}", c.unit, c.callsign, c.incident)).collect::<Vec<_>>().join(", "))]
    Reassign(ReassignOffer),
    /// The dispatch rules refused it.
    #[error(transparent)]
    Dispatch(#[from] DispatchError),
    /// The incident cannot take this correction (checked against the log's situation).
    #[error(transparent)]
    Incident(#[from] IncidentRefusal),
    /// A rule's draft cannot take this decision (unknown, decided already, no reason).
    #[error(transparent)]
    Draft(#[from] DraftRefusal),
    /// A warning could not be composed.
    #[error(transparent)]
    Warning(#[from] crate::alerts::issue::IssueError),
    /// The CAP file could not be written (nothing was logged).
    #[error("无法写入 {}：{source} / cannot write {}: {source}", path.display(), path.display())]
    WriteCap {
        /// The file.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a note, cancel, close or relocation of an incident was refused (both languages, as the
/// CLI says it).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IncidentRefusal {
    /// No such incident in the log.
    #[error("没有事件 #{} / no incident #{}", .0.0, .0.0)]
    Unknown(IncidentId),
    /// Closed or cancelled already.
    #[error("事件 #{} 已{}，不能再更改 / incident #{} is already {}", .incident.0, .status.name_zh().trim_start_matches('已'), .incident.0, .status.name_en().to_lowercase())]
    Final {
        /// Incident.
        incident: IncidentId,
        /// Its final state.
        status: IncidentStatus,
    },
    /// Nobody has been on scene: cancel it instead.
    #[error("事件 #{} 为“{}”，尚无力量到场，不能结案；误报或重复请撤销 / incident #{} is {}: nobody is on scene yet, so it cannot be closed; cancel a false alarm or duplicate", .incident.0, .status.name_zh(), .incident.0, .status.name_en().to_lowercase())]
    NotOnScene {
        /// Incident.
        incident: IncidentId,
        /// Its state.
        status: IncidentStatus,
    },
    /// A cancel without a reason.
    #[error("撤销须填写原因 / a cancellation needs a reason")]
    NoReason,
    /// An empty note.
    #[error("备注为空 / the note is empty")]
    EmptyNote,
    /// The incident named as the original does not exist, is this one or is cancelled.
    #[error("不能标记为与 #{} 重复 / cannot be a duplicate of #{}", .0.0, .0.0)]
    BadDuplicate(IncidentId),
}

/// The events of a note, cancel, close or relocation, checked against `sit` (the log's).
fn lifecycle_events(sit: &Situation, intent: &Intent) -> Result<Vec<EventKind>, IncidentRefusal> {
    let id = match intent {
        Intent::AddNote { incident, .. }
        | Intent::CancelIncident { incident, .. }
        | Intent::CloseIncident { incident }
        | Intent::RelocateIncident { incident, .. } => *incident,
        _ => return Ok(Vec::new()),
    };
    let inc = sit.incidents.get(&id).ok_or(IncidentRefusal::Unknown(id))?;
    // A note on a closed incident is still history worth keeping; nothing else is.
    if inc.status.is_final() && !matches!(intent, Intent::AddNote { .. }) {
        return Err(IncidentRefusal::Final {
            incident: id,
            status: inc.status,
        });
    }
    Ok(match intent {
        Intent::AddNote { text, .. } => {
            let note = text.trim();
            if note.is_empty() {
                return Err(IncidentRefusal::EmptyNote);
            }
            vec![EventKind::IncidentNoteAdded {
                incident: id,
                note: note.to_string(),
            }]
        }
        Intent::CancelIncident {
            reason, duplicate_of, ..
        } => {
            let reason = reason.trim();
            if reason.is_empty() {
                return Err(IncidentRefusal::NoReason);
            }
            if let Some(n) = *duplicate_of
                && (n == id
                    || sit
                        .incidents
                        .get(&n)
                        .is_none_or(|o| o.status == IncidentStatus::Cancelled))
            {
                return Err(IncidentRefusal::BadDuplicate(n));
            }
            vec![EventKind::IncidentCancelled {
                incident: id,
                reason: reason.to_string(),
                duplicate_of: *duplicate_of,
            }]
        }
        Intent::CloseIncident { .. } => inc
            .status
            .close_path(inc.first_arrival_utc.is_some())
            .ok_or(IncidentRefusal::NotOnScene {
                incident: id,
                status: inc.status,
            })?
            .iter()
            .map(|to| EventKind::IncidentStatusChanged { incident: id, to: *to })
            .collect(),
        Intent::RelocateIncident { lonlat, address, .. } => vec![EventKind::IncidentRelocated {
            incident: id,
            lonlat: *lonlat,
            address: address.trim().to_string(),
        }],
        _ => Vec::new(),
    })
}

/// A written intent: the seq of its last event (0 when it needed no event).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Done {
    /// Seq of the last event written.
    pub seq: u64,
    /// The new incident, for [`Intent::ReportIncident`].
    pub incident: Option<IncidentId>,
}

/// The worker's answer to one intent.
#[derive(Debug)]
pub struct Answer {
    /// Request id, echoed.
    pub req: u64,
    /// What was written, or why nothing was.
    pub result: Result<Done, Refused>,
}

/// Why the store worker could not do something (shown in the status bar).
#[derive(Debug, thiserror::Error)]
pub enum StoreWorkerError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The database's folder could not be created.
    #[error("无法创建文件夹 {}：{source} / cannot create {}: {source}", path.display(), path.display())]
    CreateDir {
        /// Folder.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// No thread.
    #[error("无法启动数据库工作线程：{0} / cannot start the store worker: {0}")]
    Spawn(std::io::Error),
    /// The queue is full.
    #[error("数据库忙，请稍后重试 / the database is busy; try again")]
    Busy,
    /// The worker is gone.
    #[error("数据库工作线程已停止 / the database worker stopped")]
    Stopped,
}

/// What the UI asks for.
#[derive(Debug, Clone)]
pub enum StoreCommand {
    /// Carry out an intent as `operator` at `seat`; answered in [`StoreEvent::Situation`].
    Intent {
        /// Request id, echoed in the answer.
        req: u64,
        /// Who.
        operator: String,
        /// Workstation.
        seat: String,
        /// What they want.
        intent: Intent,
    },
    /// Import a pack's demo scenario folder.
    LoadDemo(PathBuf),
    /// Re-read the log (other seats may have written).
    Refresh,
    /// Issue a warning (预警信息发布) composed in the console: the same `alerts::issue::compose`
    /// as `onemap warning`, against the log inside the append; the CAP file is written before
    /// the `WarningIssued` event (a file that cannot be written logs nothing). Answered like an
    /// intent.
    IssueWarning {
        /// Request id, echoed in the answer.
        req: u64,
        /// Who.
        operator: String,
        /// Workstation.
        seat: String,
        /// What to issue.
        order: Box<WarningOrder>,
    },
    /// Import an arrived document (drop folder, feed) through the same [`Importer`] as
    /// `onemap alerts import`, under the drill id while the seat is in a drill.
    ImportAlert(Box<AlertArrival>),
    /// Enter a drill (its id, and its simulated clock in ms that stamps every event the operator
    /// records from now on; the situation sent back is the drill's) or leave it (`None`).
    SetDrill(Option<(String, Arc<AtomicI64>)>),
    /// Copy the master data into a new training database (`store::training::training_copy`:
    /// never over a file holding data); answered by [`StoreEvent::TrainingCopied`].
    TrainingCopy {
        /// The new file.
        out: PathBuf,
        /// Who asked (the import's operator).
        operator: String,
    },
}

/// A warning to issue from the console.
#[derive(Debug, Clone)]
pub struct WarningOrder {
    /// What the officer composed.
    pub draft: crate::alerts::issue::WarningDraft,
    /// Key text of the issued warning this updates or cancels.
    pub replaces: Option<String>,
    /// Where the CAP XML goes.
    pub out: PathBuf,
    /// The pack's alerts.toml and areas.
    pub context: Arc<crate::alerts::ingest::AlertContext>,
}

/// A document handed over by the alerts worker, with what the importer needs.
#[derive(Debug, Clone)]
pub struct AlertArrival {
    /// File path or URL it came from.
    pub source: String,
    /// Raw bytes.
    pub bytes: Vec<u8>,
    /// The pack's alerts.toml and areas.
    pub context: Arc<crate::alerts::ingest::AlertContext>,
    /// Operator recorded on the events.
    pub operator: String,
    /// Seat recorded on the events.
    pub seat: String,
}

/// What the worker reports.
#[derive(Debug)]
pub enum StoreEvent {
    /// An arrived document was imported (whatever was decided about it).
    AlertImported(Box<ImportedMessage>),
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
    /// The situation after a command, with the answer to the intent that caused it (one message,
    /// so the console never sees an answer without the situation that contains it).
    Situation {
        /// The folded situation.
        situation: Arc<Situation>,
        /// The answer, when the command was an intent.
        answer: Option<Answer>,
    },
    /// An answer whose situation could not be read (the error follows as [`StoreEvent::Error`]).
    Answer(Answer),
    /// The newest events (up to [`LOG_TAIL`]), oldest first, after a change.
    Log(Arc<Vec<Event>>),
    /// A command failed; nothing was written.
    Error(StoreWorkerError),
    /// The training copy asked for was written, or why not (nothing left behind then).
    TrainingCopied(Result<crate::store::training::TrainingCopy, StoreWorkerError>),
}

/// Events sent to the console's log board after each change.
pub const LOG_TAIL: u64 = 300;

/// How often the worker looks for events other seats appended.
const POLL: std::time::Duration = std::time::Duration::from_millis(1000);

fn tail(store: &Store) -> Result<Arc<Vec<Event>>, StoreError> {
    let last = store.last_seq()?;
    store.events_since(last.saturating_sub(LOG_TAIL)).map(Arc::new)
}

/// The events of an intent against `sit`, the situation the append transaction holds (the
/// drill's in a drill). Pure: the same situation and intent give the same events.
pub fn intent_events(sit: &Situation, intent: &Intent, reported_at_utc: &str) -> Result<Vec<EventKind>, Refused> {
    Ok(match intent {
        Intent::Dispatch(req) => dispatch_events(sit, req)?,
        Intent::ReserveStock { incident, lines } => dispatch_events(
            sit,
            &DispatchRequest {
                incident: *incident,
                units: Vec::new(),
                reserve: lines.clone(),
                reassign: false,
            },
        )?,
        Intent::SetUnitStatus { unit, to } => vec![EventKind::UnitStatusChanged { unit: *unit, to: *to }],
        Intent::SetIncidentSensitive { incident, sensitive } => vec![EventKind::IncidentSensitivitySet {
            incident: *incident,
            sensitive: *sensitive,
        }],
        Intent::SetIncidentStatus { incident, to } => vec![if *to == IncidentStatus::Verified {
            EventKind::IncidentVerified {
                incident: *incident,
                severity: None,
            }
        } else {
            EventKind::IncidentStatusChanged {
                incident: *incident,
                to: *to,
            }
        }],
        Intent::ReportIncident(d) => vec![EventKind::IncidentReported {
            incident: sit.next_incident_id(),
            incident_type: d.incident_type,
            severity: d.severity,
            lonlat: d.lonlat,
            address: d.address.clone(),
            reported_at_utc: reported_at_utc.to_string(),
            caller: d.caller.clone(),
            notes: d.notes.clone(),
        }],
        Intent::IssueStock {
            warehouse,
            item_code,
            quantity,
            from_reserved,
        } => vec![EventKind::StockIssued {
            warehouse: *warehouse,
            item_code: item_code.clone(),
            quantity: *quantity,
            from_reserved: *from_reserved,
            incident: None,
        }],
        Intent::AddNote { .. }
        | Intent::CancelIncident { .. }
        | Intent::CloseIncident { .. }
        | Intent::RelocateIncident { .. } => lifecycle_events(sit, intent)?,
        Intent::Real(inner) => intent_events(sit, inner, reported_at_utc)?,
        Intent::EndDrill { drill_id } => vec![EventKind::DrillEnded {
            drill_id: drill_id.clone(),
        }],
        Intent::ApproveDraft { firing_seq, draft } => {
            let incident = sit.next_incident_id();
            let decision = DraftDecision::Approved { incident };
            sit.alerts.check_draft_decision(*firing_seq, &decision)?;
            let mut events = intent_events(sit, &Intent::ReportIncident(draft.clone()), reported_at_utc)?;
            events.push(EventKind::AlertDraftDecided {
                firing_seq: *firing_seq,
                decision,
            });
            events
        }
        Intent::DismissDraft { firing_seq, reason } => {
            let decision = DraftDecision::Dismissed {
                reason: reason.trim().to_string(),
            };
            sit.alerts.check_draft_decision(*firing_seq, &decision)?;
            vec![EventKind::AlertDraftDecided {
                firing_seq: *firing_seq,
                decision,
            }]
        }
    })
}

/// [`crate::dispatch::dispatch`], with "committed elsewhere" turned into a reassignment offer
/// that names every such unit and where the log has it.
fn dispatch_events(sit: &Situation, req: &DispatchRequest) -> Result<Vec<EventKind>, Refused> {
    match crate::dispatch::dispatch(sit, req) {
        Ok(kinds) => Ok(kinds),
        Err(DispatchError::Committed { .. }) if !req.reassign => {
            let committed = req
                .units
                .iter()
                .filter_map(|id| sit.units.get(id))
                .filter(|u| u.status.is_committed())
                .filter_map(|u| {
                    let incident = u.assignment.filter(|a| *a != req.incident)?;
                    Some(CommittedUnit {
                        unit: u.id,
                        callsign: u.spec.callsign.clone(),
                        incident,
                    })
                })
                .collect();
            Err(Refused::Reassign(ReassignOffer {
                request: DispatchRequest {
                    reassign: true,
                    ..req.clone()
                },
                committed,
            }))
        }
        Err(e) => Err(e.into()),
    }
}

/// Handle to the store thread.
pub struct StoreWorker {
    tx: SyncSender<StoreCommand>,
    /// Reports.
    pub rx: Receiver<StoreEvent>,
    link: Arc<Mutex<ConnectionState>>,
}

/// Whether this seat currently reaches its database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// Opening.
    Connecting,
    /// Live: other seats' events arrive as they are committed.
    Connected,
    /// The server is unreachable since this UTC time (ms): the situation shown is stale, writes
    /// are refused; the worker keeps reconnecting.
    Lost {
        /// When the connection was lost, UTC ms.
        since_ms: i64,
        /// Reconnection attempts so far.
        attempts: u32,
    },
}

/// What the status bar shows about the database connection.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionState {
    /// SQLite file or PostgreSQL server.
    pub backend: BackendKind,
    /// The file path, or `host:port/db` of the server.
    pub server: String,
    /// Up, or lost since when.
    pub link: Link,
    /// Last seq folded into the situation shown.
    pub last_seq: u64,
    /// The hash-chain link of `last_seq` (hex), every link up to it verified by this seat (the
    /// snapshot and the tail at open, each new link as it is folded); `None` before the first
    /// read or when it could not be read.
    pub chain_head: Option<String>,
}

impl ConnectionState {
    fn new(path: Option<&Path>) -> ConnectionState {
        let (backend, server) = match path {
            Some(p) if crate::store::pg::is_url(p) => (
                BackendKind::Postgres,
                crate::store::pg::PgTarget::parse(&p.to_string_lossy())
                    .map_or_else(|_| p.display().to_string(), |t| t.server()),
            ),
            Some(p) => (BackendKind::Sqlite, p.display().to_string()),
            None => (BackendKind::Sqlite, ":memory:".into()),
        };
        ConnectionState {
            backend,
            server,
            link: Link::Connecting,
            last_seq: 0,
            chain_head: None,
        }
    }
}

/// Update the shared connection state (a poisoned lock is taken over: it only holds plain data).
fn set_link(link: &Mutex<ConnectionState>, f: impl FnOnce(&mut ConnectionState)) {
    let mut g = link.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    f(&mut g);
}

/// The live feed of the worker: wakes it (a `Refresh` command) whenever another seat appended,
/// and after every reconnect, so it re-reads everything after its last seen seq.
fn spawn_follower(
    path: PathBuf,
    tx: SyncSender<StoreCommand>,
    link: Arc<Mutex<ConnectionState>>,
    ctx: egui::Context,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("onemap-store-feed".into())
        .spawn(move || {
            let mut feed = None;
            loop {
                let f = match &mut feed {
                    Some(f) => f,
                    None => match ChangeFeed::open(&path) {
                        Ok(f) => feed.insert(f),
                        Err(e) => {
                            log::warn!("live feed: {e}");
                            lost(&link, &ctx);
                            std::thread::sleep(std::time::Duration::from_millis(1000));
                            continue;
                        }
                    },
                };
                let wake = match f.wait(POLL) {
                    Ok(FeedWake::Idle) => continue,
                    Ok(FeedWake::Changed(_)) => true,
                    Ok(FeedWake::Reconnected) => {
                        set_link(&link, |s| s.link = Link::Connected);
                        ctx.request_repaint();
                        true
                    }
                    Err(e) => {
                        log::warn!("live feed: {e}");
                        lost(&link, &ctx);
                        false
                    }
                };
                if wake {
                    match tx.try_send(StoreCommand::Refresh) {
                        // A full queue already holds work that ends in a refresh.
                        Ok(()) | Err(TrySendError::Full(_)) => {}
                        Err(TrySendError::Disconnected(_)) => return,
                    }
                }
            }
        })?;
    Ok(())
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Mark the connection lost (keeping the first loss time) and count an attempt.
fn lost(link: &Mutex<ConnectionState>, ctx: &egui::Context) {
    set_link(link, |s| {
        s.link = match s.link {
            Link::Lost { since_ms, attempts } => Link::Lost {
                since_ms,
                attempts: attempts + 1,
            },
            _ => Link::Lost {
                since_ms: now_ms(),
                attempts: 0,
            },
        }
    });
    ctx.request_repaint();
}

impl StoreWorker {
    /// Open (or create) the database at `path` on a new thread; `None` opens an in-memory store
    /// (tests, demos). Failures arrive as [`StoreEvent::Error`]; the file is never overwritten.
    pub fn start(path: Option<PathBuf>, ctx: egui::Context) -> Result<StoreWorker, StoreWorkerError> {
        let (tx, commands) = mpsc::sync_channel::<StoreCommand>(64);
        let (events, rx) = mpsc::channel();
        let link = Arc::new(Mutex::new(ConnectionState::new(path.as_deref())));
        let (link_w, feed_tx) = (Arc::clone(&link), tx.clone());
        std::thread::Builder::new()
            .name("onemap-store".into())
            .spawn(move || {
                let send = |e: StoreEvent| {
                    // The console is gone when this fails; the thread ends on the next recv.
                    let _ = events.send(e);
                    ctx.request_repaint();
                };
                let (mut store, created, shown_path) = match open(path.as_deref()) {
                    Ok(x) => x,
                    Err(e) => {
                        lost(&link_w, &ctx);
                        return send(StoreEvent::Error(e));
                    }
                };
                // Other seats' events arrive through the live feed (LISTEN/NOTIFY on the
                // server, data_version on a file); an in-memory store has no other writer.
                if let Some(p) = path.clone()
                    && let Err(e) = spawn_follower(p, feed_tx, Arc::clone(&link_w), ctx.clone())
                {
                    send(StoreEvent::Error(StoreWorkerError::Spawn(e)));
                }
                match store.situation() {
                    Ok(s) => send(StoreEvent::Opened {
                        path: shown_path,
                        created,
                        situation: Arc::new(s.clone()),
                        warnings: store.warnings().to_vec(),
                    }),
                    Err(e) => return send(StoreEvent::Error(e.into())),
                }
                let send_log = |store: &Store| match tail(store) {
                    Ok(t) => send(StoreEvent::Log(t)),
                    Err(e) => send(StoreEvent::Error(e.into())),
                };
                send_log(&store);
                let mut drill: Option<(String, Arc<AtomicI64>)> = None;
                // The chain head is read again only when the folded seq moved (one query per
                // new event, not per command).
                let mut head: Option<(u64, Option<String>)> = None;
                loop {
                    let seq = store.cached_situation().last_seq;
                    if head.as_ref().is_none_or(|(at, h)| *at != seq || h.is_none()) {
                        head = Some((seq, store.chain_head().ok().map(|h| h.hash.to_hex())));
                    }
                    let shown = head.as_ref().and_then(|(_, h)| h.clone());
                    set_link(&link_w, |s| {
                        s.last_seq = seq;
                        s.chain_head = shown;
                        if store.is_connected() {
                            s.link = Link::Connected;
                        }
                    });
                    let Ok(cmd) = commands.recv() else { break };
                    let mut answer = None;
                    let result = match cmd {
                        StoreCommand::Intent {
                            req,
                            operator,
                            seat,
                            intent,
                        } => {
                            let result = execute(&mut store, &operator, &seat, &intent, &drill);
                            answer = Some(Answer { req, result });
                            Ok(())
                        }
                        StoreCommand::SetDrill(d) => {
                            drill = d;
                            Ok(())
                        }
                        StoreCommand::LoadDemo(dir) => store.load_demo(&dir).map(|_| ()),
                        StoreCommand::Refresh => store.refresh(),
                        StoreCommand::IssueWarning {
                            req,
                            operator,
                            seat,
                            order,
                        } => {
                            let result = issue_warning(&mut store, &operator, &seat, &order, &drill);
                            answer = Some(Answer { req, result });
                            Ok(())
                        }
                        StoreCommand::ImportAlert(a) => {
                            let importer = Importer {
                                cfg: &a.context.config,
                                areas: &a.context.areas,
                                operator: &a.operator,
                                seat: &a.seat,
                                drill: drill.as_ref().map(|(id, _)| id.as_str()),
                            };
                            // In a drill the drill's simulated clock stamps the arrival and
                            // judges its expiry, as it does every event the operator records.
                            let sim_ms = drill.as_ref().map(|(_, clock)| clock.load(Ordering::Relaxed));
                            importer
                                .import_bytes_at(
                                    &mut store,
                                    &a.source,
                                    &a.bytes,
                                    sim_ms.unwrap_or_else(now_ms),
                                    sim_ms.is_some(),
                                )
                                .map(|m| send(StoreEvent::AlertImported(Box::new(m))))
                        }
                        StoreCommand::TrainingCopy { out, operator } => {
                            let copied = crate::store::training::training_copy(&mut store, &out, &operator);
                            send(StoreEvent::TrainingCopied(copied.map_err(StoreWorkerError::from)));
                            Ok(())
                        }
                    };
                    if let Err(e) = result {
                        if matches!(e, StoreError::Unreachable { .. }) {
                            lost(&link_w, &ctx);
                        }
                        send(StoreEvent::Error(e.into()));
                    }
                    let sit = match &drill {
                        Some((id, _)) => store.drill_situation(id),
                        None => store.situation().cloned(),
                    };
                    match sit {
                        Ok(s) => send(StoreEvent::Situation {
                            situation: Arc::new(s),
                            answer,
                        }),
                        Err(e) => {
                            if let Some(a) = answer {
                                send(StoreEvent::Answer(a));
                            }
                            send(StoreEvent::Error(e.into()));
                        }
                    }
                    send_log(&store);
                }
            })
            .map_err(StoreWorkerError::Spawn)?;
        Ok(StoreWorker { tx, rx, link })
    }

    /// The database connection as the status bar shows it.
    pub fn connection(&self) -> ConnectionState {
        self.link
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// A sender for workers that hand the store work off the UI thread (the alerts worker
    /// blocks on it when the queue is full; the UI never does).
    pub fn sender(&self) -> SyncSender<StoreCommand> {
        self.tx.clone()
    }

    /// Queue a command; refused (not blocked on) when the queue is full or the worker is gone.
    pub fn send(&self, cmd: StoreCommand) -> Result<(), StoreWorkerError> {
        match self.tx.try_send(cmd) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => Err(StoreWorkerError::Busy),
            Err(TrySendError::Disconnected(_)) => Err(StoreWorkerError::Stopped),
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

/// Build and append an intent's events in one transaction, against the situation the store
/// holds after catching up with other seats. A refusal writes nothing.
/// Carry out one intent as `operator` at `seat` (outside a drill) against the store's log:
/// the events are built inside the append transaction, so a unit another seat committed comes
/// back as a [`ReassignOffer`]. What the worker does for each [`StoreCommand::Intent`].
pub fn execute_intent(store: &mut Store, operator: &str, seat: &str, intent: &Intent) -> Result<Done, Refused> {
    execute(store, operator, seat, intent, &None)
}

fn execute(
    store: &mut Store,
    operator: &str,
    seat: &str,
    intent: &Intent,
    drill: &Option<(String, Arc<AtomicI64>)>,
) -> Result<Done, Refused> {
    if let Intent::Real(inner) = intent {
        // The real log, real time: never the drill's situation or clock.
        return execute(store, operator, seat, inner, &None);
    }
    let (ts, drill_id) = stamp(drill);
    let reported_at = ts.clone().unwrap_or_else(now_utc_iso);
    let mut refused = None;
    let mut incident = None;
    let seqs = store.append_with_at(ts.as_deref(), operator, seat, drill_id, |sit| {
        // The closure runs again when SQLite was busy: only the last run counts.
        refused = None;
        match intent_events(sit, intent, &reported_at) {
            Ok(kinds) => {
                incident = kinds.iter().find_map(|k| match k {
                    EventKind::IncidentReported { incident, .. } => Some(*incident),
                    _ => None,
                });
                Ok(kinds)
            }
            Err(r) => {
                refused = Some(r);
                // No events: the transaction ends without writing anything.
                Ok(Vec::new())
            }
        }
    })?;
    if let Some(r) = refused {
        return Err(r);
    }
    Ok(Done {
        seq: seqs.last().copied().unwrap_or(0),
        incident,
    })
}

/// Compose the warning against the log inside the append, write its CAP file, log it.
fn issue_warning(
    store: &mut Store,
    operator: &str,
    seat: &str,
    order: &WarningOrder,
    drill: &Option<(String, Arc<AtomicI64>)>,
) -> Result<Done, Refused> {
    let (ts, drill_id) = stamp(drill);
    let mut draft = order.draft.clone();
    // A warning issued during a drill is an exercise.
    draft.exercise |= drill_id.is_some();
    let mut refused = None;
    let seqs = store.append_with_at(ts.as_deref(), operator, seat, drill_id, |sit| {
        refused = None;
        let previous = match &order.replaces {
            Some(k) => match sit.alerts.alerts.get(k).filter(|e| e.issued) {
                Some(e) => Some(e),
                None => {
                    refused = Some(Refused::from(crate::alerts::issue::IssueError::NotIssued(k.clone())));
                    return Ok(Vec::new());
                }
            },
            None => None,
        };
        let ctx = &order.context;
        let issued = match crate::alerts::issue::compose(&ctx.config, &ctx.areas, &sit.alerts, previous, &draft) {
            Ok(i) => i,
            Err(e) => {
                refused = Some(e.into());
                return Ok(Vec::new());
            }
        };
        let written = order
            .out
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&order.out, &issued.xml));
        if let Err(source) = written {
            refused = Some(Refused::WriteCap {
                path: order.out.clone(),
                source,
            });
            return Ok(Vec::new());
        }
        Ok(vec![EventKind::WarningIssued {
            sha256: crate::alerts::ingest::sha256_hex(issued.xml.as_bytes()),
            alert: Box::new(issued.record),
            xml: issued.xml,
        }])
    })?;
    if let Some(r) = refused {
        return Err(r);
    }
    Ok(Done {
        seq: seqs.last().copied().unwrap_or(0),
        incident: None,
    })
}

fn open(path: Option<&Path>) -> Result<(Store, bool, PathBuf), StoreWorkerError> {
    let Some(path) = path else {
        let store = Store::open_in_memory()?;
        return Ok((store, true, PathBuf::from(":memory:")));
    };
    let created = !crate::store::pg::is_url(path) && !path.exists();
    if created {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            // The database holds callers' names and phone numbers: 0700 folder, 0600 file.
            crate::private_fs::create_private_dir_all(dir).map_err(|source| StoreWorkerError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        Store::init(path)?;
    }
    let store = Store::open(path)?;
    Ok((store, created, path.to_path_buf()))
}
