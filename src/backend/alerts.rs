//! The console's alerts worker: watches the drop folder and polls the feeds of the pack's
//! `alerts.toml` on two threads of its own (a slow feed never delays the folder, a broken feed
//! never stops the others: `crate::feeds` gives each its own timeout and status), and hands every
//! document to the store worker as [`StoreCommand::ImportAlert`], which imports it through the
//! same `alerts::ingest::Importer` as `onemap alerts import`. The UI reads [`AlertsStatus`]
//! (feed status, drop folder, last error, which seat polls) and never waits on this worker.
//! Only the seat holding the database's poller lease ([`crate::store::lease`]) polls and
//! watches the folder; the others retry the lease every [`LEASE_RETRY`] and take over when the
//! holder exits or dies. Imports no `ui`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use crate::alerts::ingest::AlertContext;
use crate::backend::store::{AlertArrival, StoreCommand};
use crate::feeds::{Arrival, DropFolder, FeedStatus, Poller, SinkRefused};
use crate::store::lease::{LeaseHolder, PollerLease};

/// How often the drop folder is scanned (a new file waits one more scan to settle).
const SCAN: Duration = Duration::from_millis(500);

/// How often a seat without the poller lease tries to take it (and a holder checks it still has
/// it): the bound on a takeover after the poller seat exits or dies.
pub const LEASE_RETRY: Duration = Duration::from_secs(1);

/// Which seat polls, as this seat sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PollerStatus {
    /// The holder of the lease (`None`: not seen yet).
    pub holder: Option<LeaseHolder>,
    /// This seat is the one polling.
    pub this_seat: bool,
    /// Why the lease could not be tried or read, if it could not.
    pub error: Option<String>,
}

/// What the alerts board shows about the sources.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertsStatus {
    /// The watched drop folder.
    pub drop_dir: Option<PathBuf>,
    /// Documents taken from the folder.
    pub dropped: u64,
    /// The folder's last error (cannot list / move a file), if any.
    pub drop_error: Option<String>,
    /// Every configured feed.
    pub feeds: Vec<FeedStatus>,
    /// Who polls the feeds and the folder for this database (`None`: no lease, this seat polls).
    pub poller: Option<PollerStatus>,
}

/// Handle to the alerts threads; dropping it stops them.
pub struct AlertsWorker {
    status: Arc<Mutex<AlertsStatus>>,
    stop: Arc<AtomicBool>,
}

impl Drop for AlertsWorker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn lock(status: &Mutex<AlertsStatus>) -> std::sync::MutexGuard<'_, AlertsStatus> {
    status.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Who the imported events are recorded as.
#[derive(Debug, Clone)]
pub struct Recorder {
    /// Operator.
    pub operator: String,
    /// Seat.
    pub seat: String,
}

impl AlertsWorker {
    /// Watch `drop_dir` (created if missing) and poll the context's feeds, handing documents to
    /// the store worker behind `store` — while this seat holds the poller lease of `lease_db`
    /// (always without one: an in-memory store). Errors are reported in the status, never raised.
    pub fn start(
        context: Arc<AlertContext>,
        drop_dir: Option<PathBuf>,
        lease_db: Option<PathBuf>,
        store: SyncSender<StoreCommand>,
        who: Recorder,
        ctx: egui::Context,
    ) -> std::io::Result<AlertsWorker> {
        let status = Arc::new(Mutex::new(AlertsStatus {
            drop_dir: drop_dir.clone(),
            poller: lease_db.as_ref().map(|_| PollerStatus::default()),
            ..AlertsStatus::default()
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let polling = Arc::new(AtomicBool::new(lease_db.is_none()));
        if let Some(db) = lease_db {
            let (status, stop, polling, ctx, seat) = (
                status.clone(),
                stop.clone(),
                polling.clone(),
                ctx.clone(),
                who.seat.clone(),
            );
            std::thread::Builder::new()
                .name("onemap-alerts-lease".into())
                .spawn(move || lease_loop(&db, &seat, &status, &stop, &polling, &ctx))?;
        }
        let handoff = {
            let (context, store, who) = (context.clone(), store.clone(), who.clone());
            move |a: Arrival| -> Result<(), SinkRefused> {
                // Blocking is fine here (never the UI thread): the store takes them in order.
                store
                    .send(StoreCommand::ImportAlert(Box::new(AlertArrival {
                        source: a.source,
                        bytes: a.bytes,
                        context: context.clone(),
                        operator: who.operator.clone(),
                        seat: who.seat.clone(),
                    })))
                    .map_err(|_| SinkRefused::from("数据库工作线程已停止 / the database worker stopped"))
            }
        };
        if let Some(dir) = drop_dir {
            let (status, stop, ctx, polling) = (status.clone(), stop.clone(), ctx.clone(), polling.clone());
            let mut sink = handoff.clone();
            std::thread::Builder::new()
                .name("onemap-alerts-drop".into())
                .spawn(move || {
                    let mut folder = None;
                    while !stop.load(Ordering::Relaxed) {
                        if !polling.load(Ordering::Relaxed) {
                            std::thread::sleep(SCAN);
                            continue;
                        }
                        let f = match &mut folder {
                            Some(f) => Ok(f),
                            None => DropFolder::new(&dir).map(|f| folder.insert(f)),
                        };
                        let result = f.and_then(|f| f.scan(true, &mut sink));
                        let mut s = lock(&status);
                        let before = (s.dropped, s.drop_error.clone());
                        match result {
                            Ok(handled) => {
                                s.dropped += handled.len() as u64;
                                s.drop_error = None;
                            }
                            Err(e) => s.drop_error = Some(format!("{}: {e}", dir.display())),
                        }
                        if before != (s.dropped, s.drop_error.clone()) {
                            ctx.request_repaint();
                        }
                        drop(s);
                        std::thread::sleep(SCAN);
                    }
                })?;
        }
        if !context.config.feeds.is_empty() {
            let (status, stop, polling) = (status.clone(), stop.clone(), polling.clone());
            let mut sink = handoff;
            let specs = context.config.feeds.clone();
            std::thread::Builder::new()
                .name("onemap-alerts-feeds".into())
                .spawn(move || {
                    let mut poller = match Poller::new(specs) {
                        Ok(p) => p,
                        Err(e) => {
                            lock(&status).drop_error = Some(e.to_string());
                            return;
                        }
                    };
                    // Listed (never polled yet) from the start, not only after the first poll.
                    lock(&status).feeds = poller.statuses();
                    while !stop.load(Ordering::Relaxed) {
                        let now = now_ms();
                        if polling.load(Ordering::Relaxed) && poller.next_due_ms().is_some_and(|due| due <= now) {
                            poller.poll_due(now, &mut sink);
                            lock(&status).feeds = poller.statuses();
                            ctx.request_repaint();
                        }
                        std::thread::sleep(SCAN);
                    }
                })?;
        }
        Ok(AlertsWorker { status, stop })
    }

    /// The sources' status as the board shows it.
    pub fn status(&self) -> AlertsStatus {
        lock(&self.status).clone()
    }
}

/// Contend for the lease until stopped: the holder keeps it (and checks it still does), the
/// others retry and read who holds it. Dropping the lease at the end releases it.
fn lease_loop(
    db: &std::path::Path,
    seat: &str,
    status: &Mutex<AlertsStatus>,
    stop: &AtomicBool,
    polling: &AtomicBool,
    ctx: &egui::Context,
) {
    let mut lease = match PollerLease::for_db(db, seat) {
        Ok(l) => l,
        Err(e) => {
            // No lease to contend for: poll, as a lone seat would, and say why.
            polling.store(true, Ordering::Relaxed);
            lock(status).poller = Some(PollerStatus {
                error: Some(e.to_string()),
                ..PollerStatus::default()
            });
            return;
        }
    };
    while !stop.load(Ordering::Relaxed) {
        let tried = lease.try_acquire(now_ms());
        let this_seat = matches!(tried, Ok(true));
        polling.store(this_seat, Ordering::Relaxed);
        let seen = match (tried, lease.holder()) {
            (Err(e), _) | (Ok(_), Err(e)) => PollerStatus {
                holder: None,
                this_seat,
                error: Some(e.to_string()),
            },
            (Ok(_), Ok(holder)) => PollerStatus {
                holder,
                this_seat,
                error: None,
            },
        };
        let mut s = lock(status);
        if s.poller.as_ref() != Some(&seen) {
            s.poller = Some(seen);
            ctx.request_repaint();
        }
        drop(s);
        std::thread::sleep(LEASE_RETRY);
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
