//! Durable situation store: an append-only SQLite event log (WAL) with numbered migrations,
//! validated appends, snapshots, time travel, drill isolation, master-data import/export and a
//! benchmark. Owns all SQLite access of OneMap's situation; the domain rules live in
//! `crate::model`. Must not import egui or tokio.

pub mod bench;
pub mod chain;
pub mod copy;
pub mod db;
pub mod feed;
pub mod import;
pub mod lease;
pub mod log;
pub mod pg;
pub mod pg_tls;
pub mod replay;
pub mod replay_bench;
pub mod schema;
pub mod snapshot;
pub mod training;
pub mod verify;

#[cfg(test)]
mod chain_tests;
#[cfg(test)]
mod concurrency_tests;
#[cfg(test)]
mod import_tests;
#[cfg(test)]
mod store_tests;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

use db::LogDb;

use crate::model::{ApplyError, Event, EventKind, Situation};
pub use bench::{StoreBench, bench_store};
pub use import::{ExportReport, ImportError, ImportReport};
pub use replay::{Replay, TimelineEntry};

/// Default number of events between snapshots.
pub const DEFAULT_SNAPSHOT_EVERY: u64 = 1000;

/// Default SQLite busy timeout, milliseconds.
pub const DEFAULT_BUSY_TIMEOUT_MS: u64 = 5000;

/// Whether the process that started an open drill still runs ([`Store::drill_run_state`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DrillRunState {
    /// Its process holds the drill's lock (or it is this store's own drill).
    Running,
    /// Nobody holds the lock: the process stopped (killed, crashed) before `DrillEnded`.
    Orphaned,
    /// Cannot tell: a server database, no lock file (an older version, a read-only folder).
    Unknown,
}

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
    /// The hash chain of the log is broken: history was changed (nothing is written).
    #[error(
        "{0}；拒绝打开，未写入任何内容，运行 `onemap db verify` 查看详情 / refusing to open, nothing written; run `onemap db verify` for the full report"
    )]
    Chain(#[from] chain::ChainFault),
    /// Master-data import failed; nothing was imported.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// SQLite error.
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// `--db` looked like a server URL but is not a usable one.
    #[error("数据库地址无效 / bad database URL {url}: {reason}")]
    BadUrl {
        /// The URL as given (never holds a password: those are refused first).
        url: String,
        /// Why.
        reason: String,
    },
    /// A password was given in the URL (it would show in `ps` and the shell history).
    #[error(
        "请勿在命令行中写密码：请写入 ~/.pgpass（或 PGPASSFILE 指定的文件，权限 600）或设置 PGPASSWORD / no password in --db: put it in ~/.pgpass (or the file PGPASSFILE names, mode 600) or PGPASSWORD"
    )]
    PasswordInUrl,
    /// The server cannot be reached (or the connection was lost).
    #[error(
        "无法连接数据库服务器 {server}，未写入任何内容 / database server {server} unreachable, nothing written: {reason}"
    )]
    Unreachable {
        /// The server URL (without password).
        server: String,
        /// The cause.
        reason: String,
    },
    /// The connection was lost while the server was committing, and it could not be reached
    /// again to find out whether the events were stored.
    #[error(
        "提交结果未知：提交时与服务器 {server} 的连接中断，无法确认事件 {first_seq}–{last_seq} 是否已写入；请刷新后查看日志再重试 / commit outcome unknown: the connection to {server} was lost during COMMIT and could not be re-established to check whether events {first_seq}–{last_seq} were stored; refresh and check the log before retrying"
    )]
    CommitInDoubt {
        /// The server URL (without password).
        server: String,
        /// First seq of the transaction.
        first_seq: u64,
        /// Last seq of the transaction.
        last_seq: u64,
    },
    /// TLS could not be set up.
    #[error("TLS: {0}")]
    Tls(String),
    /// The server's certificate was refused by the URL's `sslmode`; nothing was sent.
    #[error(
        "数据库服务器 {server} 的证书未通过验证（sslmode={mode}），未连接 / the certificate of database server {server} was refused (sslmode={mode}): {reason}; check sslrootcert= in the URL (or PGSSLROOTCERT) names the CA that signed it, and that the certificate names the host"
    )]
    TlsRefused {
        /// `host:port/db`.
        server: String,
        /// The `sslmode` in force.
        mode: &'static str,
        /// rustls' reason (UnknownIssuer, NotValidForName, …).
        reason: String,
    },
    /// The server refused a statement.
    #[error("PostgreSQL ({what}): {reason}")]
    Postgres {
        /// What was being done.
        what: String,
        /// SQLSTATE, when the server sent one.
        code: Option<String>,
        /// The server's message.
        reason: String,
    },
    /// This operation exists only for one backend.
    #[error("{0}")]
    Unsupported(&'static str),
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

/// The database behind a store: the embedded file or the server.
enum Backend {
    /// SQLite file (or in-memory).
    Sqlite(Connection),
    /// PostgreSQL server.
    Pg(Box<pg::PgDb>),
}

impl Backend {
    fn log(&self) -> &dyn LogDb {
        match self {
            Backend::Sqlite(c) => c,
            Backend::Pg(p) => &**p,
        }
    }
}

/// Which backend a store runs on (status bar, `db status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    /// The embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// The situation store: one database connection (SQLite file or PostgreSQL server) plus the
/// live real situation folded from it.
pub struct Store {
    conn: Backend,
    label: PathBuf,
    opts: StoreOptions,
    situation: Situation,
    warnings: Vec<String>,
    /// Lock files of the drills this connection started: held (OS lock) while it lives, so a
    /// drill whose process died can be told from one that is running elsewhere.
    drill_locks: Vec<(String, std::fs::File)>,
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
    /// A 0-byte file is refused (a truncated store must not look like "no incidents"); only
    /// [`Store::init`] initialises one. A new file is created owner-only (0600), and an
    /// existing one is tightened to 0600.
    /// A `postgres://` URL opens the server database instead (see [`pg`]).
    pub fn open_with(path: impl AsRef<Path>, opts: StoreOptions) -> Result<Self, StoreError> {
        if pg::is_url(path.as_ref()) {
            return Store::open_pg(path.as_ref(), opts, PgOpen::Migrate);
        }
        Store::open_file(path.as_ref(), opts, false)
    }

    fn open_pg(url: &Path, opts: StoreOptions, how: PgOpen) -> Result<Self, StoreError> {
        let (db, label) = connect_pg(url, how)?;
        let write = how != PgOpen::Existing;
        Store::finish(Backend::Pg(Box::new(db)), label, opts, write)
    }

    fn open_file(path: &Path, opts: StoreOptions, init: bool) -> Result<Self, StoreError> {
        let io = |e: std::io::Error| StoreError::Io {
            path: path.display().to_string(),
            source: e,
        };
        match std::fs::metadata(path) {
            Ok(m) if m.len() == 0 && !init => {
                return Err(StoreError::NotOneMap {
                    path: path.display().to_string(),
                    reason: "0 字节的空文件（可能被截断），只有 `onemap db init` 会初始化 / a 0-byte file (truncated?); only `onemap db init` initialises a store".into(),
                });
            }
            Ok(_) => crate::private_fs::restrict(path).map_err(io)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                crate::private_fs::create_private_file(path).map_err(io)?;
            }
            Err(e) => return Err(io(e)),
        }
        schema::preflight(path)?;
        let conn = Connection::open(path)?;
        Store::setup(conn, path.to_path_buf(), opts)
    }

    /// Open an existing store READ-ONLY (read-only commands): never initialises a file (0-byte,
    /// empty or foreign files are refused), never takes the write lock (an older schema is
    /// migrated first, retried while busy), and checks the latest snapshot and every event
    /// after it against the hash chain. Appends fail with SQLite's read-only error.
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        let opts = StoreOptions::default();
        if pg::is_url(path) {
            return Store::open_pg(path, opts, PgOpen::Existing);
        }
        let conn = schema::open_existing_read_only(path, opts.busy_timeout_ms)?;
        let mut warnings = Vec::new();
        let situation = load_situation(&conn, None, &mut warnings)?;
        Ok(Store {
            conn: Backend::Sqlite(conn),
            label: path.to_path_buf(),
            opts,
            situation,
            warnings,
            drill_locks: Vec::new(),
        })
    }

    /// Walk the whole log and report the chain, unreadable and refused events and snapshots.
    pub fn verify(&self) -> Result<verify::VerifyReport, StoreError> {
        verify::verify(self.conn.log())
    }

    /// Create a new store; refuses when `path` exists and is not empty.
    pub fn init(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        if pg::is_url(path) {
            return Store::open_pg(path, StoreOptions::default(), PgOpen::Init);
        }
        if std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
            return Err(StoreError::AlreadyExists {
                path: path.display().to_string(),
            });
        }
        Store::open_file(path, StoreOptions::default(), true)
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
        schema::ensure_current(&mut conn, &label)?;
        Store::finish(Backend::Sqlite(conn), label, opts, true)
    }

    /// Fold the log and (when writable) close drills left open by stopped processes.
    fn finish(conn: Backend, label: PathBuf, opts: StoreOptions, write: bool) -> Result<Self, StoreError> {
        let mut warnings = Vec::new();
        let situation = load_situation(conn.log(), None, &mut warnings)?;
        let mut store = Store {
            conn,
            label,
            opts,
            situation,
            warnings,
            drill_locks: Vec::new(),
        };
        if write {
            store.close_orphan_drills()?;
        }
        Ok(store)
    }

    /// Which backend this store runs on.
    pub fn backend_kind(&self) -> BackendKind {
        match self.conn {
            Backend::Sqlite(_) => BackendKind::Sqlite,
            Backend::Pg(_) => BackendKind::Postgres,
        }
    }

    /// The server connection, when this store runs on PostgreSQL.
    pub fn pg(&self) -> Option<&pg::PgDb> {
        match &self.conn {
            Backend::Pg(p) => Some(p),
            Backend::Sqlite(_) => None,
        }
    }

    /// True while the database can be reached (always for a file).
    pub fn is_connected(&self) -> bool {
        match &self.conn {
            Backend::Pg(p) => p.is_connected(),
            Backend::Sqlite(_) => true,
        }
    }

    /// SQLite's `PRAGMA data_version`: changes whenever another connection commits to the
    /// file, so a follower re-reads only when something was written (`None` on the server).
    pub fn data_version(&self) -> Result<Option<i64>, StoreError> {
        match &self.conn {
            Backend::Sqlite(c) => Ok(Some(c.query_row("PRAGMA data_version", [], |r| r.get(0))?)),
            Backend::Pg(_) => Ok(None),
        }
    }

    /// The lock file of a drill of this database (`None` for in-memory stores).
    fn drill_lock_path(&self, drill_id: &str) -> Option<PathBuf> {
        if self.label.as_os_str() == ":memory:" || matches!(self.conn, Backend::Pg(_)) {
            return None;
        }
        let digest = chain::ChainHash(<sha2::Sha256 as sha2::Digest>::digest(drill_id.as_bytes()).into()).to_hex();
        let mut name = self.label.file_name()?.to_os_string();
        name.push(format!(".drill-{}.lock", &digest[..16]));
        Some(self.label.with_file_name(name))
    }

    /// Take the OS lock of a drill this connection just started (held until the store drops).
    fn hold_drill_lock(&mut self, drill_id: &str) {
        let Some(path) = self.drill_lock_path(drill_id) else {
            return;
        };
        let locked = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .and_then(|f| {
                let _ = crate::private_fs::restrict(&path);
                f.try_lock().map_err(std::io::Error::other)?;
                Ok(f)
            });
        match locked {
            Ok(f) => self.drill_locks.push((drill_id.to_owned(), f)),
            Err(e) => self.warnings.push(format!(
                "drill {drill_id}: cannot hold its lock file {}: {e}",
                path.display()
            )),
        }
    }

    /// Whether the process that started an open drill is still running, told by the drill's OS
    /// lock without writing anything (`drill list`).
    pub fn drill_run_state(&self, drill_id: &str) -> DrillRunState {
        if self.drill_locks.iter().any(|(d, _)| d == drill_id) {
            return DrillRunState::Running;
        }
        let Some(path) = self.drill_lock_path(drill_id) else {
            return DrillRunState::Unknown;
        };
        // Opened for writing (a lock needs it) but never created: a missing file cannot tell.
        match std::fs::OpenOptions::new().write(true).open(&path) {
            Ok(f) => match f.try_lock() {
                Ok(()) => DrillRunState::Orphaned,
                Err(std::fs::TryLockError::WouldBlock) => DrillRunState::Running,
                Err(std::fs::TryLockError::Error(_)) => DrillRunState::Unknown,
            },
            Err(_) => DrillRunState::Unknown,
        }
    }

    /// A drill still open whose lock nobody holds was left by a process that stopped (killed,
    /// crashed) before `DrillEnded`: close it now, with a note, so retries do not pile up.
    fn close_orphan_drills(&mut self) -> Result<(), StoreError> {
        let open: Vec<String> = self
            .situation
            .drills
            .iter()
            .filter(|(_, d)| d.is_active())
            .map(|(id, _)| id.clone())
            .collect();
        for id in open {
            if let Backend::Pg(_) = self.conn {
                self.close_orphan_drill_on_server(&id)?;
                continue;
            }
            let Some(path) = self.drill_lock_path(&id) else {
                continue;
            };
            let free = match std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
            {
                Ok(f) => f.try_lock().is_ok(),
                // Cannot tell (e.g. read-only folder): leave the drill alone.
                Err(_) => false,
            };
            if !free {
                continue;
            }
            let seq = self.append(
                "onemap",
                "recovery / 自动恢复",
                None,
                EventKind::DrillEnded { drill_id: id.clone() },
            )?;
            let _ = std::fs::remove_file(&path);
            self.orphan_closed(&id, seq);
        }
        Ok(())
    }

    /// The note of a drill closed because its process stopped (the same on both backends).
    fn orphan_closed(&mut self, id: &str, seq: u64) {
        self.warnings.push(format!(
            "演练 {id} 的进程已停止，已自动结束（事件 {seq}）/ drill {id} was left open by a process that stopped; closed by DrillEnded seq {seq}"
        ));
    }

    /// On the server the seat that started a drill holds its advisory lock for as long as its
    /// session lives: a lock this seat can take means that seat is gone. Held while the drill
    /// is ended (after a re-read) so two seats opening at once do not both end it.
    fn close_orphan_drill_on_server(&mut self, id: &str) -> Result<(), StoreError> {
        let Backend::Pg(p) = &self.conn else { return Ok(()) };
        if p.holds_drill_lock(id) || !p.try_drill_lock(id)? {
            return Ok(());
        }
        let ended = self.refresh().and_then(|()| {
            if !self.situation.drills.get(id).is_some_and(|d| d.is_active()) {
                return Ok(None);
            }
            let kind = EventKind::DrillEnded {
                drill_id: id.to_owned(),
            };
            self.append("onemap", "recovery / 自动恢复", None, kind).map(Some)
        });
        if let Backend::Pg(p) = &self.conn {
            p.release_drill_lock(id);
        }
        if let Some(seq) = ended? {
            self.orphan_closed(id, seq);
        }
        Ok(())
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
                // Another seat took the seq first (the primary key said so): fold what it wrote,
                // rebuild the events with the same closure, and try again.
                Err(e) if pg::is_seq_conflict(&e) && attempt < PG_CONFLICT_RETRIES => {
                    attempt += 1;
                    if attempt > 8 {
                        std::thread::sleep(Duration::from_millis(u64::from(attempt % 7)));
                    }
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
        let base_seq;
        let events = match conn {
            Backend::Sqlite(c) => {
                let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let (base, events) =
                    build_and_insert(&*tx, situation, warnings, ts_utc, operator, seat, drill_id, build)?;
                tx.commit()?;
                base_seq = base;
                events
            }
            Backend::Pg(p) => {
                // Read committed: the catch-up inside sees what other seats committed; the
                // insert of `base + 1` fails on the primary key if one appended meanwhile.
                p.begin()?;
                let r = build_and_insert(&**p, situation, warnings, ts_utc, operator, seat, drill_id, build).and_then(
                    |x| {
                        // A drill started here is locked before it is visible: no seat that
                        // opens meanwhile can take it for one left by a stopped seat.
                        let started = started_drills(&x.1);
                        let locked = started.iter().try_for_each(|id| p.try_drill_lock(id).map(|_| ()));
                        let done = locked.and_then(|()| match p.commit() {
                            Ok(()) => Ok(x),
                            // The server may have committed before the connection dropped: read
                            // the rows back instead of reporting a failure that did not happen
                            // (a retry would then store the events twice).
                            Err(StoreError::Unreachable { server, .. }) if !x.1.is_empty() => {
                                match committed_in_doubt(p, &x.1, &server) {
                                    Ok(()) => Ok(x),
                                    Err(e) => Err(e),
                                }
                            }
                            Err(e) => Err(e),
                        });
                        if done.is_err() {
                            started.iter().for_each(|id| p.release_drill_lock(id));
                        }
                        done
                    },
                );
                match r {
                    Ok((base, events)) => {
                        base_seq = base;
                        events
                    }
                    Err(e) => {
                        p.rollback();
                        return Err(e);
                    }
                }
            }
        };
        if events.is_empty() {
            return Ok(Vec::new());
        }
        for ev in &events {
            log::fold_lenient(situation, ev, warnings);
        }
        let started = started_drills(&events);
        let last = situation.last_seq;
        let every = opts.snapshot_every;
        if every > 0
            && last / every > base_seq / every
            && let Err(e) = snapshot::write_snapshot(conn.log(), situation)
        {
            warnings.push(format!("snapshot at seq {last} not written: {e}"));
        }
        let seqs = events.iter().map(|e| e.seq).collect();
        for id in started {
            self.hold_drill_lock(&id);
        }
        for ev in &events {
            if let (EventKind::DrillEnded { drill_id }, Backend::Pg(p)) = (&ev.kind, &self.conn) {
                p.release_drill_lock(drill_id);
            }
            if let EventKind::DrillEnded { drill_id } = &ev.kind
                && let Some(i) = self.drill_locks.iter().position(|(d, _)| d == drill_id)
            {
                self.drill_locks.swap_remove(i);
                if let Some(p) = self.drill_lock_path(drill_id) {
                    let _ = std::fs::remove_file(p);
                }
            }
        }
        Ok(seqs)
    }

    /// Fold events other connections appended since the last read.
    pub fn refresh(&mut self) -> Result<(), StoreError> {
        let db = self.conn.log();
        let upto = log::max_seq(db)?;
        log::fold_range(db, &mut self.situation, upto, &mut self.warnings)
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
        let last_seq = log::max_seq(self.conn.log())?;
        if seq > last_seq {
            return Err(StoreError::SeqBeyondEnd { seq, last_seq });
        }
        load_situation(self.conn.log(), Some(seq), &mut self.warnings)
    }

    /// The situation of a drill: real events plus that drill's events, up to now.
    pub fn drill_situation(&mut self, drill_id: &str) -> Result<Situation, StoreError> {
        self.refresh()?;
        drill_situation_from(self.conn.log(), &self.situation, drill_id, &mut self.warnings)
    }

    /// Every event (real and drill) with seq greater than `seq`, in order.
    pub fn events_since(&self, seq: u64) -> Result<Vec<Event>, StoreError> {
        let mut out = Vec::new();
        log::for_each_event(self.conn.log(), seq, u64::MAX, |e| {
            out.push(e);
            Ok(())
        })?;
        Ok(out)
    }

    /// Every event after `seq` this program can read, plus the rows it cannot (reported, never
    /// silently dropped, and never hiding the readable ones).
    pub fn events_since_lenient(&self, seq: u64) -> Result<(Vec<Event>, Vec<verify::Unreadable>), StoreError> {
        let (mut out, mut bad) = (Vec::new(), Vec::new());
        log::for_each_raw(self.conn.log(), seq, u64::MAX, |raw| {
            match log::decode(raw) {
                Ok(e) => out.push(e),
                Err(StoreError::BadPayload { seq, kind, reason }) => {
                    bad.push(verify::Unreadable { seq, kind, reason });
                }
                Err(other) => return Err(other),
            }
            Ok(())
        })?;
        Ok((out, bad))
    }

    /// The chain head this store verified up to: opening checked the latest snapshot against the
    /// chain and every link after it, and each refresh checks the new links (the console shows
    /// this; [`Store::verify`] walks the whole log).
    pub fn chain_head(&self) -> Result<chain::ChainHead, StoreError> {
        log::stored_head(self.conn.log(), self.situation.last_seq)
    }

    /// Highest seq in the log.
    pub fn last_seq(&self) -> Result<u64, StoreError> {
        log::max_seq(self.conn.log())
    }

    /// Number of events in the log.
    pub fn event_count(&self) -> Result<u64, StoreError> {
        log::count_events(self.conn.log())
    }

    /// Write a snapshot of the current real situation now; returns its seq.
    pub fn snapshot_now(&mut self) -> Result<u64, StoreError> {
        self.refresh()?;
        snapshot::write_snapshot(self.conn.log(), &self.situation)?;
        Ok(self.situation.last_seq)
    }

    /// `PRAGMA integrity_check` result ("ok" when healthy).
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        match &self.conn {
            Backend::Sqlite(c) => Ok(c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?),
            Backend::Pg(_) => Err(StoreError::Unsupported(
                "PRAGMA integrity_check 仅适用于 SQLite 文件；服务器请用 `onemap db verify` / integrity_check is for SQLite files; use `onemap db verify` on a server",
            )),
        }
    }

    /// The SQLite connection (bulk writers such as the replay benchmark), `None` on a server.
    pub(crate) fn sqlite_mut(&mut self) -> Option<&mut Connection> {
        match &mut self.conn {
            Backend::Sqlite(c) => Some(c),
            Backend::Pg(_) => None,
        }
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
fn load_situation(conn: &dyn LogDb, upto: Option<u64>, warnings: &mut Vec<String>) -> Result<Situation, StoreError> {
    let end = match upto {
        Some(s) => s,
        None => log::max_seq(conn)?,
    };
    if upto.is_none() {
        // A snapshot past the end of the log means events it folded were removed.
        let top = conn.snapshot_seqs_desc(u64::MAX)?.first().copied();
        if let Some(top) = top.filter(|t| *t > end) {
            return Err(chain::ChainFault::Missing { seq: top }.into());
        }
    }
    let mut sit = snapshot::load_latest_snapshot(conn, end, warnings)?.unwrap_or_default();
    log::fold_range(conn, &mut sit, end, warnings)?;
    Ok(sit)
}

/// Build a drill's situation up to `real.last_seq`: the newest valid snapshot before the drill
/// started (snapshots only hold real state), then real plus drill events.
fn drill_situation_from(
    conn: &dyn LogDb,
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

/// Connect to the server database at `url` and check (or, for `Init`/`Migrate`, bring) its
/// schema as `how` asks; with the label shown for it (the URL without a password).
fn connect_pg(url: &Path, how: PgOpen) -> Result<(pg::PgDb, PathBuf), StoreError> {
    let target = pg::PgTarget::parse(&url.to_string_lossy())?;
    let label = PathBuf::from(&target.shown);
    let db = pg::PgDb::connect(target)?;
    let version = db.schema_version()?;
    match (how, version) {
        (PgOpen::Init, Some(_)) if db.count_events()? > 0 => {
            return Err(StoreError::AlreadyExists {
                path: label.display().to_string(),
            });
        }
        (PgOpen::Existing, None) => {
            return Err(StoreError::NotOneMap {
                path: label.display().to_string(),
                reason:
                    "数据库为空，请先运行 `onemap db init` / an empty database; run `onemap db init --db URL` first"
                        .into(),
            });
        }
        (PgOpen::Existing, Some(v)) if v < schema::SCHEMA_VERSION => {
            return Err(StoreError::NotOneMap {
                path: label.display().to_string(),
                reason: format!(
                    "schema version {v} is older than this program's {}; the owner runs `onemap db init --db URL` to migrate",
                    schema::SCHEMA_VERSION
                ),
            });
        }
        (PgOpen::Existing, Some(_)) => {}
        (PgOpen::Init | PgOpen::Migrate, _) => db.migrate()?,
    }
    Ok((db, label))
}

/// Ids of the drills these events start.
fn started_drills(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::DrillStarted { drill_id, .. } => Some(drill_id.clone()),
            _ => None,
        })
        .collect()
}

/// How a server database is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PgOpen {
    /// `db init`: create or migrate; refuse a database that already holds events.
    Init,
    /// A seat: create or migrate when allowed (the seats' role cannot, and gets the server's refusal).
    Migrate,
    /// Read-only commands: the schema must exist and be current.
    Existing,
}

/// Rebuilds after a seq conflict before the append gives up.
const PG_CONFLICT_RETRIES: u32 = 200;

/// After a COMMIT whose answer was lost: `Ok` when `events` are stored exactly as sent (the
/// transaction committed), `Unreachable` when they are not (it rolled back: nothing written),
/// `CommitInDoubt` when the server stays unreachable for 30 s.
fn committed_in_doubt(p: &pg::PgDb, events: &[Event], server: &str) -> Result<(), StoreError> {
    let (Some(first), Some(last)) = (events.first().map(|e| e.seq), events.last().map(|e| e.seq)) else {
        return Ok(());
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let mut stored = Vec::with_capacity(events.len());
        let read = log::for_each_raw(p, first - 1, last, |raw| {
            stored.push(raw);
            Ok(())
        });
        match read {
            Ok(()) => {
                let same = stored.len() == events.len()
                    && stored.iter().zip(events).all(|(raw, ev)| {
                        raw.seq == ev.seq
                            && raw.ts_utc == ev.ts_utc
                            && raw.operator == ev.operator
                            && raw.seat == ev.seat
                            && raw.drill_id == ev.drill_id
                            && serde_json::to_string(&ev.kind).is_ok_and(|j| j == raw.payload)
                    });
                return if same {
                    ::log::info!("COMMIT answer lost, events {first}–{last} found stored");
                    Ok(())
                } else {
                    Err(StoreError::Unreachable {
                        server: server.to_owned(),
                        reason: "connection lost during COMMIT; the transaction was rolled back".into(),
                    })
                };
            }
            Err(StoreError::Unreachable { .. }) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(_) => {
                return Err(StoreError::CommitInDoubt {
                    server: server.to_owned(),
                    first_seq: first,
                    last_seq: last,
                });
            }
        }
    }
}

/// Inside the caller's transaction: fold what other seats committed, build the events from the
/// up-to-date situation with `build`, validate them all, and insert them sealed into the chain.
/// Returns the seq before the batch and the events (empty: nothing to write).
#[allow(clippy::too_many_arguments)]
fn build_and_insert(
    db: &dyn LogDb,
    situation: &mut Situation,
    warnings: &mut Vec<String>,
    ts_utc: Option<&str>,
    operator: &str,
    seat: &str,
    drill_id: Option<&str>,
    build: &mut impl FnMut(&Situation) -> Result<Vec<EventKind>, StoreError>,
) -> Result<(u64, Vec<Event>), StoreError> {
    // Catch up with events other connections committed since our last read.
    let upto = log::max_seq(db)?;
    log::fold_range(db, situation, upto, warnings)?;
    let base_seq = situation.last_seq;
    let mut drill_sit = match drill_id {
        Some(d) => Some(drill_situation_from(db, situation, d, warnings).map_err(|e| match e {
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
        return Ok((base_seq, Vec::new()));
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
    let mut head = log::stored_head(db, base_seq)?;
    log::insert_events(db, &events, &mut head)?;
    Ok((base_seq, events))
}
