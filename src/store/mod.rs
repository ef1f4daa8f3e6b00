//! Durable situation store: an append-only SQLite event log (WAL) with numbered migrations,
//! validated appends, snapshots, time travel, drill isolation, master-data import/export and a
//! benchmark. Owns all SQLite access of OneMap's situation; the domain rules live in
//! `crate::model`. Must not import egui or tokio.

pub mod bench;
pub mod import;
pub mod log;
pub mod replay;
pub mod replay_bench;
pub mod schema;
pub mod snapshot;

#[cfg(test)]
mod concurrency_tests;
#[cfg(test)]
mod import_tests;
#[cfg(test)]
mod store_tests;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

use crate::model::{ApplyError, Event, EventKind, Situation};
pub use bench::{StoreBench, bench_store};
pub use import::{ExportReport, ImportError, ImportReport};
pub use replay::{Replay, TimelineEntry};

/// Default number of events between snapshots.
pub const DEFAULT_SNAPSHOT_EVERY: u64 = 1000;

/// Default SQLite busy timeout, milliseconds.
pub const DEFAULT_BUSY_TIMEOUT_MS: u64 = 5000;

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file exists but is not a OneMap store (it is left untouched).
    #[error("{path} is not a OneMap database: {reason}")]
    NotOneMap {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The database was written by a newer program.
    #[error("database schema version {found} is newer than this program ({supported}); update OneMap")]
    NewerSchema {
        /// Version in the file.
        found: i64,
        /// Highest version this program knows.
        supported: i64,
    },
    /// `init` refuses to touch an existing non-empty file.
    #[error("{path} already exists and is not empty; refusing to initialise over it")]
    AlreadyExists {
        /// The file.
        path: String,
    },
    /// The event was refused by the domain rules; nothing was written.
    #[error("event {index} ({kind}) refused, nothing written: {source}")]
    Refused {
        /// Index of the refused event within the batch (0 for a single append).
        index: usize,
        /// Its kind tag.
        kind: &'static str,
        /// The rule it broke.
        source: ApplyError,
    },
    /// A stored payload could not be decoded.
    #[error("event seq {seq} ({kind}): unreadable payload: {reason}")]
    BadPayload {
        /// Event seq.
        seq: u64,
        /// Kind column.
        kind: String,
        /// Decoder message.
        reason: String,
    },
    /// Something could not be encoded for storage.
    #[error("cannot encode for storage: {0}")]
    Encode(String),
    /// Asked for a seq past the end of the log.
    #[error("seq {seq} is beyond the end of the log (last seq {last_seq})")]
    SeqBeyondEnd {
        /// Requested seq.
        seq: u64,
        /// Last seq in the log.
        last_seq: u64,
    },
    /// Unknown drill id.
    #[error("no drill {0:?} has been started")]
    UnknownDrill(String),
    /// File-system error.
    #[error("{path}: {source}")]
    Io {
        /// File or directory.
        path: String,
        /// Underlying error.
        source: std::io::Error,
    },
    /// Master-data import failed; nothing was imported.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// SQLite error.
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl StoreError {
    /// True for SQLite BUSY/LOCKED, which are retried.
    fn is_busy(&self) -> bool {
        matches!(
            self,
            StoreError::Sqlite(e) if matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            )
        )
    }
}

/// How hard each commit is pushed to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Durability {
    /// `synchronous=FULL`: a committed event survives process crash and power loss (default).
    Full,
    /// `synchronous=NORMAL` (WAL): survives a process crash; the last commits may be lost on power loss.
    Normal,
}

/// Tunables of a store connection.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Events between snapshots (0 disables automatic snapshots).
    pub snapshot_every: u64,
    /// Commit durability.
    pub durability: Durability,
    /// SQLite busy timeout, ms.
    pub busy_timeout_ms: u64,
    /// Extra attempts of a whole write transaction after BUSY.
    pub busy_retries: u32,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            snapshot_every: DEFAULT_SNAPSHOT_EVERY,
            durability: Durability::Full,
            busy_timeout_ms: DEFAULT_BUSY_TIMEOUT_MS,
            busy_retries: 20,
        }
    }
}

/// The situation store: one SQLite connection plus the live real situation folded from it.
pub struct Store {
    conn: Connection,
    label: PathBuf,
    opts: StoreOptions,
    situation: Situation,
    warnings: Vec<String>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.label)
            .field("last_seq", &self.situation.last_seq)
            .finish()
    }
}

impl Store {
    /// Open (creating when missing or empty) the store at `path` with default options.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Store::open_with(path, StoreOptions::default())
    }

    /// Open (creating when missing or empty) with explicit options. Foreign, corrupt or newer
    /// files are refused and never written.
    pub fn open_with(path: impl AsRef<Path>, opts: StoreOptions) -> Result<Self, StoreError> {
        let path = path.as_ref();
        schema::preflight(path)?;
        let conn = Connection::open(path)?;
        Store::setup(conn, path.to_path_buf(), opts)
    }

    /// Create a new store; refuses when `path` exists and is not empty.
    pub fn init(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        if std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
            return Err(StoreError::AlreadyExists {
                path: path.display().to_string(),
            });
        }
        Store::open(path)
    }

    /// A private in-memory store (tests, previews).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Store::open_in_memory_with(StoreOptions::default())
    }

    /// A private in-memory store with explicit options.
    pub fn open_in_memory_with(opts: StoreOptions) -> Result<Self, StoreError> {
        Store::setup(Connection::open_in_memory()?, PathBuf::from(":memory:"), opts)
    }

    fn setup(mut conn: Connection, label: PathBuf, opts: StoreOptions) -> Result<Self, StoreError> {
        conn.busy_timeout(Duration::from_millis(opts.busy_timeout_ms))?;
        // journal_mode returns a row; WAL is persistent in the file (in-memory stays "memory").
        let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        let sync = match opts.durability {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        };
        conn.execute_batch(&format!("PRAGMA synchronous={sync};"))?;
        schema::migrate(&mut conn, &label)?;
        let mut warnings = Vec::new();
        let situation = load_situation(&conn, None, &mut warnings)?;
        Ok(Store {
            conn,
            label,
            opts,
            situation,
            warnings,
        })
    }

    /// Path of the database file (`:memory:` for in-memory stores).
    pub fn path(&self) -> &Path {
        &self.label
    }

    /// The options in force.
    pub fn options(&self) -> &StoreOptions {
        &self.opts
    }

    /// Non-fatal problems seen so far (skipped snapshots or events).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Append one event: validated against the current situation (after catching up with other
    /// writers) under the write lock, inserted, committed, then applied. Returns its seq.
    pub fn append(
        &mut self,
        operator: &str,
        seat: &str,
        drill_id: Option<&str>,
        kind: EventKind,
    ) -> Result<u64, StoreError> {
        let seqs = self.append_batch(operator, seat, drill_id, vec![kind])?;
        seqs.last()
            .copied()
            .ok_or_else(|| StoreError::Encode("empty append".into()))
    }

    /// Append several events in one transaction: all are validated in order, then all written
    /// with one commit; if any is refused nothing is written.
    pub fn append_batch(
        &mut self,
        operator: &str,
        seat: &str,
        drill_id: Option<&str>,
        kinds: Vec<EventKind>,
    ) -> Result<Vec<u64>, StoreError> {
        self.append_with(operator, seat, drill_id, |_| Ok(kinds.clone()))
    }

    /// Like [`Store::append_batch`], but every event carries `ts_utc` instead of the wall clock:
    /// a simulated drill logs its simulation time, so its reports are reproducible.
    pub fn append_batch_at(
        &mut self,
        ts_utc: &str,
        operator: &str,
        seat: &str,
        drill_id: Option<&str>,
        kinds: Vec<EventKind>,
    ) -> Result<Vec<u64>, StoreError> {
        self.append_inner(Some(ts_utc), operator, seat, drill_id, |_| Ok(kinds.clone()))
    }

    /// Append events computed from the up-to-date situation under the write lock (e.g. to
    /// allocate the next incident id without racing other writers). `build` may run more than
    /// once when the database is busy.
    pub fn append_with(
        &mut self,
        operator: &str,
        seat: &str,
        drill_id: Option<&str>,
        build: impl FnMut(&Situation) -> Result<Vec<EventKind>, StoreError>,
    ) -> Result<Vec<u64>, StoreError> {
        self.append_inner(None, operator, seat, drill_id, build)
    }

    /// [`Store::append_with`] with an optional explicit log time (a console drill stamps the
    /// operator's events with the drill's simulated time).
    pub fn append_with_at(
        &mut self,
        ts_utc: Option<&str>,
        operator: &str,
        seat: &str,
        drill_id: Option<&str>,
        build: impl FnMut(&Situation) -> Result<Vec<EventKind>, StoreError>,
    ) -> Result<Vec<u64>, StoreError> {
        self.append_inner(ts_utc, operator, seat, drill_id, build)
    }

    fn append_inner(
        &mut self,
        ts_utc: Option<&str>,
        operator: &str,
        seat: &str,
        drill_id: Option<&str>,
        mut build: impl FnMut(&Situation) -> Result<Vec<EventKind>, StoreError>,
    ) -> Result<Vec<u64>, StoreError> {
        let mut attempt = 0u32;
        loop {
            match self.try_append(ts_utc, operator, seat, drill_id, &mut build) {
                Err(e) if e.is_busy() && attempt < self.opts.busy_retries => {
                    attempt += 1;
                    std::thread::sleep(Duration::from_millis(5 * u64::from(attempt.min(20))));
                }
                other => return other,
            }
        }
    }

    fn try_append(
        &mut self,
        ts_utc: Option<&str>,
        operator: &str,
        seat: &str,
        drill_id: Option<&str>,
        build: &mut impl FnMut(&Situation) -> Result<Vec<EventKind>, StoreError>,
    ) -> Result<Vec<u64>, StoreError> {
        let Store {
            conn,
            situation,
            warnings,
            opts,
            ..
        } = self;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Catch up with events other connections committed since our last read.
        let upto = log::max_seq(&tx)?;
        log::fold_range(&tx, situation, upto, warnings)?;
        let base_seq = situation.last_seq;
        let mut drill_sit = match drill_id {
            Some(d) => Some(drill_situation_from(&tx, situation, d, warnings).map_err(|e| match e {
                StoreError::UnknownDrill(d) => StoreError::Refused {
                    index: 0,
                    kind: "drill",
                    source: ApplyError::DrillNotActive(d),
                },
                other => other,
            })?),
            None => None,
        };
        let kinds = build(drill_sit.as_ref().unwrap_or(situation))?;
        if kinds.is_empty() {
            return Ok(Vec::new());
        }
        let ts_utc = ts_utc.map_or_else(crate::time::now_utc_iso, str::to_owned);
        let events: Vec<Event> = kinds
            .into_iter()
            .enumerate()
            .map(|(i, kind)| Event {
                seq: base_seq + 1 + i as u64,
                ts_utc: ts_utc.clone(),
                operator: operator.to_owned(),
                seat: seat.to_owned(),
                drill_id: drill_id.map(str::to_owned),
                kind,
            })
            .collect();
        let refused = |i: usize, ev: &Event, source| StoreError::Refused {
            index: i,
            kind: ev.kind.tag(),
            source,
        };
        // Validate before writing anything.
        match (&mut drill_sit, events.as_slice()) {
            (None, [single]) => situation.check(single).map_err(|e| refused(0, single, e))?,
            (Some(scratch), _) => {
                for (i, ev) in events.iter().enumerate() {
                    scratch.apply(ev).map_err(|e| refused(i, ev, e))?;
                }
            }
            (None, _) => {
                let mut scratch = situation.clone();
                for (i, ev) in events.iter().enumerate() {
                    scratch.apply(ev).map_err(|e| refused(i, ev, e))?;
                }
            }
        }
        for ev in &events {
            log::insert_event(&tx, ev)?;
        }
        tx.commit()?;
        for ev in &events {
            log::fold_lenient(situation, ev, warnings);
        }
        let last = situation.last_seq;
        let every = opts.snapshot_every;
        if every > 0
            && last / every > base_seq / every
            && let Err(e) = snapshot::write_snapshot(conn, situation)
        {
            warnings.push(format!("snapshot at seq {last} not written: {e}"));
        }
        Ok(events.iter().map(|e| e.seq).collect())
    }

    /// Fold events other connections appended since the last read.
    pub fn refresh(&mut self) -> Result<(), StoreError> {
        let upto = log::max_seq(&self.conn)?;
        log::fold_range(&self.conn, &mut self.situation, upto, &mut self.warnings)
    }

    /// The real situation (drill events excluded), refreshed from the log first.
    pub fn situation(&mut self) -> Result<&Situation, StoreError> {
        self.refresh()?;
        Ok(&self.situation)
    }

    /// The real situation as of the last refresh or append, without touching the database.
    pub fn cached_situation(&self) -> &Situation {
        &self.situation
    }

    /// The real situation right after event `seq` (0 = empty), from the nearest valid snapshot ≤ seq.
    pub fn situation_at(&mut self, seq: u64) -> Result<Situation, StoreError> {
        let last_seq = log::max_seq(&self.conn)?;
        if seq > last_seq {
            return Err(StoreError::SeqBeyondEnd { seq, last_seq });
        }
        load_situation(&self.conn, Some(seq), &mut self.warnings)
    }

    /// The situation of a drill: real events plus that drill's events, up to now.
    pub fn drill_situation(&mut self, drill_id: &str) -> Result<Situation, StoreError> {
        self.refresh()?;
        drill_situation_from(&self.conn, &self.situation, drill_id, &mut self.warnings)
    }

    /// Every event (real and drill) with seq greater than `seq`, in order.
    pub fn events_since(&self, seq: u64) -> Result<Vec<Event>, StoreError> {
        let mut out = Vec::new();
        log::for_each_event(&self.conn, seq, u64::MAX, |e| {
            out.push(e);
            Ok(())
        })?;
        Ok(out)
    }

    /// Highest seq in the log.
    pub fn last_seq(&self) -> Result<u64, StoreError> {
        log::max_seq(&self.conn)
    }

    /// Number of events in the log.
    pub fn event_count(&self) -> Result<u64, StoreError> {
        log::count_events(&self.conn)
    }

    /// Write a snapshot of the current real situation now; returns its seq.
    pub fn snapshot_now(&mut self) -> Result<u64, StoreError> {
        self.refresh()?;
        snapshot::write_snapshot(&self.conn, &self.situation)?;
        Ok(self.situation.last_seq)
    }

    /// `PRAGMA integrity_check` result ("ok" when healthy).
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        Ok(self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }

    /// Import master-data files (CSV or GeoJSON) atomically; see [`import`].
    pub fn import(&mut self, paths: &[PathBuf], operator: &str) -> Result<ImportReport, StoreError> {
        import::import_files(self, paths, operator)
    }

    /// Export master data as GeoJSON (stock, which has no position, stays CSV-only).
    pub fn export_geojson(&mut self, dir: &Path) -> Result<ExportReport, StoreError> {
        self.refresh()?;
        import::export_geojson(&self.situation, dir)
    }

    /// Export master data as CSV files into `dir`; see [`import`].
    pub fn export(&mut self, dir: &Path) -> Result<ExportReport, StoreError> {
        self.refresh()?;
        import::export_csv(&self.situation, dir)
    }

    /// Import every master-data CSV of a demo directory (e.g. `demo/`).
    pub fn load_demo(&mut self, dir: &Path) -> Result<ImportReport, StoreError> {
        let paths = import::master_files_in(dir)?;
        self.import(&paths, "demo-loader")
    }
}

/// Latest valid snapshot ≤ `upto` (or the end) plus the events after it.
fn load_situation(conn: &Connection, upto: Option<u64>, warnings: &mut Vec<String>) -> Result<Situation, StoreError> {
    let end = match upto {
        Some(s) => s,
        None => log::max_seq(conn)?,
    };
    let mut sit = snapshot::load_latest_snapshot(conn, end, warnings)?.unwrap_or_default();
    log::fold_range(conn, &mut sit, end, warnings)?;
    Ok(sit)
}

/// Build a drill's situation up to `real.last_seq`: the newest valid snapshot before the drill
/// started (snapshots only hold real state), then real plus drill events.
fn drill_situation_from(
    conn: &Connection,
    real: &Situation,
    drill_id: &str,
    warnings: &mut Vec<String>,
) -> Result<Situation, StoreError> {
    let started = real
        .drills
        .get(drill_id)
        .map(|d| d.started_seq)
        .ok_or_else(|| StoreError::UnknownDrill(drill_id.to_owned()))?;
    let mut sit = snapshot::load_latest_snapshot(conn, started.saturating_sub(1), warnings)?.unwrap_or_default();
    sit.scope_drill_id = Some(drill_id.to_owned());
    log::fold_range(conn, &mut sit, real.last_seq, warnings)?;
    Ok(sit)
}
