//! The PostgreSQL backend of the event log: the `--db postgres://user@host:port/dbname` target
//! (a password in the URL is refused: it comes from `PGPASSFILE`/`~/.pgpass` or `PGPASSWORD`),
//! the connection (TLS with rustls when the URL says `sslmode=require|verify-ca|verify-full`,
//! see [`super::pg_tls`]), the numbered
//! migrations of the server schema (append-only and gapless by trigger, `NOTIFY` of each new
//! seq), and the [`LogDb`] row operations. Transactions are explicit `BEGIN`/`COMMIT` on the one
//! connection; a connection lost inside one is never silently replaced. Must not import egui or
//! tokio (the `postgres` crate runs its own).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use postgres::config::{Host, SslMode};
use postgres::error::SqlState;
use postgres::{Client, Config, NoTls, Statement};

use super::StoreError;
use super::chain::RawEvent;
use super::db::{LogDb, SnapshotRow};
use super::pg_tls::{self, TlsMode, TlsParams, split_tls_params};
use super::schema::SCHEMA_VERSION;

/// The `NOTIFY` channel that carries each new event's seq (payload: the seq as decimal text).
pub const NOTIFY_CHANNEL: &str = "onemap_events";

/// `application_name` of every OneMap connection (`db status` counts them as seats).
pub const APPLICATION_NAME: &str = "onemap";

/// A drill's advisory lock: a 64-bit hash of its id (per database; the second argument keeps
/// OneMap's keys apart from other users of hashtextextended).
const DRILL_LOCK_SQL: &str = "SELECT pg_try_advisory_lock(hashtextextended($1::text, 7001))";
const DRILL_UNLOCK_SQL: &str = "SELECT pg_advisory_unlock(hashtextextended($1::text, 7001))";

/// Rows fetched per round trip when streaming the log.
const PAGE: i64 = 5000;

/// True when `--db` names a PostgreSQL server rather than a file.
pub fn is_url(db: &Path) -> bool {
    db.to_str()
        .is_some_and(|s| s.starts_with("postgres://") || s.starts_with("postgresql://"))
}

/// A parsed `postgres://` target, without any password.
#[derive(Clone)]
pub struct PgTarget {
    config: Config,
    tls: TlsParams,
    /// The URL as shown to the operator (never with a password).
    pub shown: String,
}

impl std::fmt::Debug for PgTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

fn bad_url(url: &str, reason: impl Into<String>) -> StoreError {
    StoreError::BadUrl {
        url: url.to_owned(),
        reason: reason.into(),
    }
}

impl PgTarget {
    /// Parse a `postgres://` URL; a password in it is refused (it would show in `ps` and the
    /// shell history).
    pub fn parse(url: &str) -> Result<PgTarget, StoreError> {
        if !is_url(Path::new(url)) {
            return Err(bad_url(url, "not a postgres:// URL"));
        }
        // Before anything else, so that no error message repeats a password.
        if has_password(url) {
            return Err(StoreError::PasswordInUrl);
        }
        let (plain_url, tls) = split_tls_params(url).map_err(|e| bad_url(url, e))?;
        let mut config = Config::from_str(&plain_url).map_err(|e| bad_url(url, e.to_string()))?;
        if config.get_password().is_some() {
            return Err(StoreError::PasswordInUrl);
        }
        if config.get_user().is_none() {
            let user = std::env::var("PGUSER")
                .or_else(|_| std::env::var("USER"))
                .map_err(|_| bad_url(url, "no user in the URL (postgres://USER@host/db)"))?;
            config.user(&user);
        }
        if config.get_hosts().is_empty() {
            config.host("localhost");
        }
        if config.get_dbname().is_none() {
            let user = config.get_user().unwrap_or_default().to_owned();
            config.dbname(&user);
        }
        config.application_name(APPLICATION_NAME);
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        let shown = PgTarget::show(&config);
        let mut target = PgTarget { config, tls, shown };
        if let Some(pw) = std::env::var_os("PGPASSWORD") {
            target.config.password(pw.as_encoded_bytes());
        } else if let Some(pw) = target.pgpass_password() {
            target.config.password(pw);
        }
        Ok(target)
    }

    fn show(config: &Config) -> String {
        let host = match config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            Some(Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        format!(
            "postgres://{}@{}:{}/{}",
            config.get_user().unwrap_or_default(),
            host,
            port,
            config.get_dbname().unwrap_or_default()
        )
    }

    /// `host:port/dbname` (status bar).
    pub fn server(&self) -> String {
        self.shown
            .split_once('@')
            .map_or_else(|| self.shown.clone(), |(_, s)| s.to_owned())
    }

    /// The password from the libpq password file (`PGPASSFILE`, else `~/.pgpass`), which must
    /// not be readable by group or others (libpq ignores it otherwise, and so do we).
    fn pgpass_password(&self) -> Option<String> {
        let path = std::env::var_os("PGPASSFILE")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pgpass")))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).ok()?.permissions().mode();
            if mode & 0o077 != 0 {
                log::warn!("{}: readable by others, ignored (chmod 600)", path.display());
                return None;
            }
        }
        let text = std::fs::read_to_string(&path).ok()?;
        let host = match self.config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            _ => "localhost".into(),
        };
        let port = self.config.get_ports().first().copied().unwrap_or(5432).to_string();
        let want = [
            host.as_str(),
            port.as_str(),
            self.config.get_dbname().unwrap_or_default(),
            self.config.get_user().unwrap_or_default(),
        ];
        text.lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .find_map(|line| pgpass_match(line, &want))
    }

    /// How this target uses TLS.
    pub fn tls_mode(&self) -> TlsMode {
        self.tls.mode
    }

    /// Connect (TLS when the URL's `sslmode` asks for it). A certificate the mode does not
    /// accept is [`StoreError::TlsRefused`], not a mere unreachable server.
    pub fn connect(&self) -> Result<Client, StoreError> {
        let result = match pg_tls::client_config(&self.tls)? {
            Some(tls) => {
                let mut config = self.config.clone();
                config.ssl_mode(SslMode::Require);
                config.connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls))
            }
            None => self.config.connect(NoTls),
        };
        result.map_err(|e| match pg_tls::refused_certificate(&e) {
            Some(reason) => StoreError::TlsRefused {
                server: self.server(),
                mode: self.tls.mode.name(),
                reason,
            },
            None => StoreError::Unreachable {
                server: self.shown.clone(),
                reason: pg_reason(&e),
            },
        })
    }
}

/// A `user:password@` in the URL's authority.
fn has_password(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    authority
        .rsplit_once('@')
        .is_some_and(|(userinfo, _)| userinfo.contains(':'))
}

/// One `.pgpass` line against `[host, port, db, user]`: `*` matches anything, `\:` and `\\`
/// are escapes. Returns the password when every field matches.
fn pgpass_match(line: &str, want: &[&str; 4]) -> Option<String> {
    let mut fields = Vec::with_capacity(5);
    let mut cur = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => cur.extend(chars.next()),
            ':' if fields.len() < 4 => fields.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    fields.push(cur);
    if fields.len() != 5 {
        return None;
    }
    let ok = fields.iter().zip(want).all(|(f, w)| f == "*" || f == w);
    ok.then(|| fields[4].clone())
}

/// The server's message (with SQLSTATE) or the I/O cause of a client error.
pub fn pg_reason(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => {
            let mut s = e.to_string();
            let mut src = std::error::Error::source(e);
            while let Some(inner) = src {
                s = format!("{s}: {inner}");
                src = inner.source();
            }
            s
        }
    }
}

/// True for the UNIQUE violation of `events.seq`: another seat appended first.
pub fn is_seq_conflict(e: &StoreError) -> bool {
    matches!(e, StoreError::Postgres { code: Some(c), .. } if c == SqlState::UNIQUE_VIOLATION.code())
}

/// One connection to the server plus how to make it again.
pub struct PgDb {
    target: PgTarget,
    client: RefCell<Option<Client>>,
    in_tx: Cell<bool>,
    /// Prepared statements of this connection (one round trip per statement, not two).
    stmts: RefCell<HashMap<&'static str, Statement>>,
    /// Drills this seat started and holds the advisory lock of (taken again after a reconnect).
    drill_locks: RefCell<Vec<String>>,
}

impl std::fmt::Debug for PgDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgDb").field("target", &self.target).finish()
    }
}

impl PgDb {
    /// Connect to `target`.
    pub fn connect(target: PgTarget) -> Result<PgDb, StoreError> {
        let client = target.connect()?;
        Ok(PgDb {
            target,
            client: RefCell::new(Some(client)),
            in_tx: Cell::new(false),
            stmts: RefCell::new(HashMap::new()),
            drill_locks: RefCell::new(Vec::new()),
        })
    }

    /// The target.
    pub fn target(&self) -> &PgTarget {
        &self.target
    }

    /// True while the connection is up (as far as the client knows).
    pub fn is_connected(&self) -> bool {
        self.client.borrow().as_ref().is_some_and(|c| !c.is_closed())
    }

    /// Run `f` on the connection, reconnecting first when it was lost. Outside a transaction a
    /// statement that failed because the connection dropped is run once more on a new one (a
    /// read, or an idempotent snapshot insert); inside one it never is: its statements would
    /// otherwise commit one by one on the new connection.
    fn with<T>(
        &self,
        what: &str,
        mut f: impl FnMut(&mut Client) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        match self.with_once(what, &mut f) {
            Err(StoreError::Unreachable { .. }) if !self.in_tx.get() => self.with_once(what, &mut f),
            other => other,
        }
    }

    fn with_once<T>(
        &self,
        what: &str,
        f: &mut impl FnMut(&mut Client) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        let mut slot = self.client.borrow_mut();
        if slot.as_ref().is_none_or(Client::is_closed) {
            if self.in_tx.get() {
                *slot = None;
                return Err(StoreError::Unreachable {
                    server: self.target.shown.clone(),
                    reason: "connection lost inside a transaction; nothing of it was committed by this seat".into(),
                });
            }
            self.stmts.borrow_mut().clear();
            let mut fresh = self.target.connect()?;
            // The server dropped this seat's drill locks with the old session: take them again
            // (a seat that opened meanwhile may have closed such a drill; then it is ended).
            for id in self.drill_locks.borrow().iter() {
                let _ = fresh.query_one(DRILL_LOCK_SQL, &[id]);
            }
            *slot = Some(fresh);
        }
        let Some(client) = slot.as_mut() else {
            return Err(StoreError::Unreachable {
                server: self.target.shown.clone(),
                reason: "no connection".into(),
            });
        };
        f(client).map_err(|e| {
            // 57P01..57P05: the server is shutting down or restarting (`pg_ctl restart`).
            if client.is_closed() || e.is_closed() || e.code().is_some_and(|c| c.code().starts_with("57P")) {
                StoreError::Unreachable {
                    server: self.target.shown.clone(),
                    reason: pg_reason(&e),
                }
            } else {
                StoreError::Postgres {
                    what: what.to_owned(),
                    code: e.code().map(|c| c.code().to_owned()),
                    reason: pg_reason(&e),
                }
            }
        })
    }

    /// The prepared statement for `sql` on this connection.
    fn stmt(&self, c: &mut Client, sql: &'static str) -> Result<Statement, postgres::Error> {
        if let Some(s) = self.stmts.borrow().get(sql) {
            return Ok(s.clone());
        }
        let s = c.prepare(sql)?;
        self.stmts.borrow_mut().insert(sql, s.clone());
        Ok(s)
    }

    /// `BEGIN` (read committed: each statement sees what other seats committed before it).
    pub fn begin(&self) -> Result<(), StoreError> {
        self.with("BEGIN", |c| c.batch_execute("BEGIN"))?;
        self.in_tx.set(true);
        Ok(())
    }

    /// `COMMIT`.
    pub fn commit(&self) -> Result<(), StoreError> {
        let r = self.with("COMMIT", |c| c.batch_execute("COMMIT"));
        self.in_tx.set(false);
        r
    }

    /// `ROLLBACK` (best effort: a lost connection rolls back by itself).
    pub fn rollback(&self) {
        if self.is_connected() {
            let _ = self.with("ROLLBACK", |c| c.batch_execute("ROLLBACK"));
        }
        self.in_tx.set(false);
    }

    /// Run plain SQL statements (migrations, admin).
    pub fn batch(&self, sql: &str) -> Result<(), StoreError> {
        self.with("SQL", |c| c.batch_execute(sql))
    }

    /// The schema version recorded in `onemap_meta` (`None`: the database has no OneMap schema),
    /// refusing a database that holds other tables but no OneMap schema.
    pub fn schema_version(&self) -> Result<Option<i64>, StoreError> {
        let (has_meta, tables): (bool, i64) = self.with("schema check", |c| {
            let r = c.query_one(
                "SELECT to_regclass('onemap_meta') IS NOT NULL, \
                 (SELECT count(*) FROM pg_tables WHERE schemaname = current_schema())",
                &[],
            )?;
            Ok((r.get(0), r.get(1)))
        })?;
        if !has_meta {
            if tables > 0 {
                return Err(StoreError::NotOneMap {
                    path: self.target.shown.clone(),
                    reason: format!("database of another program ({tables} tables, no onemap_meta)"),
                });
            }
            return Ok(None);
        }
        let v: Option<String> = self.with("schema version", |c| {
            Ok(
                c.query_opt("SELECT value FROM onemap_meta WHERE key = 'schema_version'", &[])?
                    .map(|r| r.get(0)),
            )
        })?;
        let v = v
            .and_then(|v| v.parse::<i64>().ok())
            .ok_or_else(|| StoreError::NotOneMap {
                path: self.target.shown.clone(),
                reason: "onemap_meta has no schema_version".into(),
            })?;
        if v > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                found: v,
                supported: SCHEMA_VERSION,
            });
        }
        Ok(Some(v))
    }

    /// Bring the schema to [`SCHEMA_VERSION`] in one transaction under an advisory lock (seats
    /// opening at once migrate once). The seats' role cannot do this; the owner (`db init`) does.
    pub fn migrate(&self) -> Result<(), StoreError> {
        if self.schema_version()? == Some(SCHEMA_VERSION) {
            return Ok(());
        }
        self.begin()?;
        let r = (|| {
            self.batch("SELECT pg_advisory_xact_lock(1330463056)")?;
            let from = self.schema_version()?.unwrap_or(0);
            if from == 0 {
                self.batch(
                    "CREATE TABLE IF NOT EXISTS onemap_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
                     INSERT INTO onemap_meta VALUES ('application', 'OMAP'), ('schema_version', '0')
                         ON CONFLICT (key) DO NOTHING;",
                )?;
            }
            for (i, sql) in PG_MIGRATIONS
                .iter()
                .enumerate()
                .skip(usize::try_from(from).unwrap_or(0))
            {
                self.batch(sql)?;
                self.batch(&format!(
                    "UPDATE onemap_meta SET value = '{}' WHERE key = 'schema_version'",
                    i + 1
                ))?;
            }
            Ok(())
        })();
        match r {
            Ok(()) => self.commit(),
            Err(e) => {
                self.rollback();
                Err(e)
            }
        }
    }

    /// Number of OneMap connections to this database (seats, tools), where the server can tell.
    pub fn connected_seats(&self) -> Result<i64, StoreError> {
        self.with("pg_stat_activity", |c| {
            Ok(c.query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1",
                &[&APPLICATION_NAME],
            )?
            .get(0))
        })
    }

    /// Take the session's advisory lock of drill `id` (`false`: another session holds it). A
    /// seat holds the lock of each drill it started until `DrillEnded` or its connection ends,
    /// so a drill left open by a seat that stopped can be told from one that runs elsewhere.
    pub fn try_drill_lock(&self, id: &str) -> Result<bool, StoreError> {
        let got = self.with("pg_try_advisory_lock", |c| {
            Ok(c.query_one(DRILL_LOCK_SQL, &[&id])?.get::<_, bool>(0))
        })?;
        if got {
            self.drill_locks.borrow_mut().push(id.to_owned());
        }
        Ok(got)
    }

    /// Whether this session holds drill `id`'s lock.
    pub fn holds_drill_lock(&self, id: &str) -> bool {
        self.drill_locks.borrow().iter().any(|d| d == id)
    }

    /// Release drill `id`'s lock when this session holds it (best effort: a lost connection
    /// released it already).
    pub fn release_drill_lock(&self, id: &str) {
        let held = {
            let mut locks = self.drill_locks.borrow_mut();
            let before = locks.len();
            locks.retain(|d| d != id);
            locks.len() != before
        };
        if held && self.is_connected() {
            let _ = self.with("pg_advisory_unlock", |c| {
                c.query_one(DRILL_UNLOCK_SQL, &[&id]).map(|_| ())
            });
        }
    }

    /// The TLS version of this connection as the server reports it (`None`: not encrypted).
    pub fn tls_version(&self) -> Result<Option<String>, StoreError> {
        self.with("pg_stat_ssl", |c| {
            let row = c.query_opt(
                "SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid() AND ssl",
                &[],
            )?;
            Ok(row.map(|r| r.get(0)))
        })
    }

    /// The server's version string.
    pub fn server_version(&self) -> Result<String, StoreError> {
        self.with("version", |c| Ok(c.query_one("SHOW server_version", &[])?.get(0)))
    }
}

/// The server schema, migration `i` bringing version `i` to `i + 1` (the same numbers as the
/// SQLite file, so a version means the same tables on both).
const PG_MIGRATIONS: &[&str] = &[
    // v1: event log, append-only by trigger, gapless by trigger (a seq already taken fails on
    // the primary key: the UNIQUE conflict a seat retries on), snapshots.
    r#"
    CREATE TABLE events(
        seq      BIGINT PRIMARY KEY CHECK (seq > 0),
        ts_utc   TEXT NOT NULL,
        operator TEXT NOT NULL,
        seat     TEXT NOT NULL,
        kind     TEXT NOT NULL,
        payload  TEXT NOT NULL CHECK ((payload::json) IS NOT NULL),
        drill_id TEXT NULL
    );
    CREATE FUNCTION onemap_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'events are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$;
    CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION onemap_append_only();
    CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION onemap_append_only();
    CREATE FUNCTION onemap_gapless() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE top BIGINT;
    BEGIN
        SELECT coalesce(max(seq), 0) INTO top FROM events;
        IF NEW.seq > top + 1 THEN
            RAISE EXCEPTION 'events are gapless: seq % after %', NEW.seq, top USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER events_gapless BEFORE INSERT ON events
        FOR EACH ROW EXECUTE FUNCTION onemap_gapless();
    CREATE TABLE snapshots(
        seq         BIGINT PRIMARY KEY,
        situation   TEXT NOT NULL,
        checksum    TEXT NOT NULL,
        created_utc TEXT NOT NULL
    );
    "#,
    // v2: index for drill lookups.
    "CREATE INDEX events_drill ON events(drill_id, seq) WHERE drill_id IS NOT NULL;",
    // v3: the hash chain (a new server database has no events to seal) and the live feed.
    r#"
    ALTER TABLE events ADD COLUMN hash TEXT NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$');
    ALTER TABLE snapshots ADD COLUMN chain_head TEXT;
    CREATE FUNCTION onemap_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('onemap_events', NEW.seq::text);
        RETURN NULL;
    END $$;
    CREATE TRIGGER events_notify AFTER INSERT ON events
        FOR EACH ROW EXECUTE FUNCTION onemap_notify();
    "#,
];

const _: () = assert!(PG_MIGRATIONS.len() as i64 == SCHEMA_VERSION);

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn raw_from(r: &postgres::Row) -> RawEvent {
    RawEvent {
        seq: to_u64(r.get(0)),
        ts_utc: r.get(1),
        operator: r.get(2),
        seat: r.get(3),
        kind: r.get(4),
        payload: r.get(5),
        drill_id: r.get(6),
        hash: r.get(7),
    }
}

impl LogDb for PgDb {
    fn max_seq(&self) -> Result<u64, StoreError> {
        self.with("max seq", |c| {
            let st = self.stmt(c, "SELECT max(seq) FROM events")?;
            let v: Option<i64> = c.query_one(&st, &[])?.get(0);
            Ok(v.map_or(0, to_u64))
        })
    }

    fn count_events(&self) -> Result<u64, StoreError> {
        self.with("count", |c| {
            Ok(to_u64(c.query_one("SELECT count(*) FROM events", &[])?.get(0)))
        })
    }

    fn stored_hash(&self, seq: u64) -> Result<Option<Option<String>>, StoreError> {
        self.with("event hash", |c| {
            let st = self.stmt(c, "SELECT hash FROM events WHERE seq = $1")?;
            Ok(c.query_opt(&st, &[&to_i64(seq)])?.map(|r| r.get(0)))
        })
    }

    fn for_each_raw(
        &self,
        after: u64,
        upto: u64,
        each: &mut dyn FnMut(RawEvent) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        // Pages, so the callback never runs while the connection is borrowed.
        let mut from = to_i64(after);
        let upto = to_i64(upto);
        loop {
            let page = self.with("read events", |c| {
                let st = self.stmt(
                    c,
                    "SELECT seq, ts_utc, operator, seat, kind, payload, drill_id, hash FROM events \
                     WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3",
                )?;
                c.query(&st, &[&from, &upto, &PAGE])
            })?;
            let n = page.len();
            for row in &page {
                let raw = raw_from(row);
                from = to_i64(raw.seq);
                each(raw)?;
            }
            if n < usize::try_from(PAGE).unwrap_or(usize::MAX) {
                return Ok(());
            }
        }
    }

    fn insert_raw(&self, raw: &RawEvent) -> Result<(), StoreError> {
        self.with("append", |c| {
            c.execute(
                "INSERT INTO events(seq, ts_utc, operator, seat, kind, payload, drill_id, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    &to_i64(raw.seq),
                    &raw.ts_utc,
                    &raw.operator,
                    &raw.seat,
                    &raw.kind,
                    &raw.payload,
                    &raw.drill_id,
                    &raw.hash,
                ],
            )
        })?;
        Ok(())
    }

    fn insert_raws(&self, rows: &[RawEvent]) -> Result<(), StoreError> {
        // One statement for the whole batch (one round trip), rows in seq order.
        let col = |f: fn(&RawEvent) -> String| rows.iter().map(f).collect::<Vec<String>>();
        let seqs: Vec<i64> = rows.iter().map(|r| to_i64(r.seq)).collect();
        let (ts, op, seat, kind, payload) = (
            col(|r| r.ts_utc.clone()),
            col(|r| r.operator.clone()),
            col(|r| r.seat.clone()),
            col(|r| r.kind.clone()),
            col(|r| r.payload.clone()),
        );
        let drill: Vec<Option<String>> = rows.iter().map(|r| r.drill_id.clone()).collect();
        let hash: Vec<Option<String>> = rows.iter().map(|r| r.hash.clone()).collect();
        self.with("append", |c| {
            let st = self.stmt(
                c,
                "INSERT INTO events(seq, ts_utc, operator, seat, kind, payload, drill_id, hash) \
                 SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], \
                 $6::text[], $7::text[], $8::text[]) ORDER BY 1",
            )?;
            c.execute(&st, &[&seqs, &ts, &op, &seat, &kind, &payload, &drill, &hash])
        })?;
        Ok(())
    }

    fn snapshot_seqs_desc(&self, limit: u64) -> Result<Vec<u64>, StoreError> {
        self.with("snapshots", |c| {
            Ok(c.query(
                "SELECT seq FROM snapshots WHERE seq <= $1 ORDER BY seq DESC",
                &[&to_i64(limit)],
            )?
            .iter()
            .map(|r| to_u64(r.get(0)))
            .collect())
        })
    }

    fn snapshot_row(&self, seq: u64) -> Result<Option<SnapshotRow>, StoreError> {
        self.with("snapshot", |c| {
            Ok(c.query_opt(
                "SELECT seq, situation, checksum, chain_head FROM snapshots WHERE seq = $1",
                &[&to_i64(seq)],
            )?
            .map(|r| SnapshotRow {
                seq: to_u64(r.get(0)),
                situation: r.get(1),
                checksum: r.get(2),
                chain_head: r.get(3),
            }))
        })
    }

    fn write_snapshot_row(&self, row: &SnapshotRow, created_utc: &str) -> Result<(), StoreError> {
        // Seats may INSERT only; a snapshot at the same seq folds the same log, so keep the first.
        self.with("write snapshot", |c| {
            c.execute(
                "INSERT INTO snapshots(seq, situation, checksum, created_utc, chain_head) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (seq) DO NOTHING",
                &[
                    &to_i64(row.seq),
                    &row.situation,
                    &row.checksum,
                    &created_utc,
                    &row.chain_head,
                ],
            )
        })?;
        Ok(())
    }
}

/// A second connection that `LISTEN`s for new seqs (the live feed of one seat).
pub struct PgListener {
    client: Client,
}

impl PgListener {
    /// Connect and `LISTEN`.
    pub fn connect(target: &PgTarget) -> Result<PgListener, StoreError> {
        let mut client = target.connect()?;
        client
            .batch_execute(&format!("LISTEN {NOTIFY_CHANNEL}"))
            .map_err(|e| StoreError::Unreachable {
                server: target.shown.clone(),
                reason: pg_reason(&e),
            })?;
        Ok(PgListener { client })
    }

    /// Wait up to `timeout` for notifications: `Ok(Some(highest seq))`, `Ok(None)` on timeout,
    /// an error when the connection is lost.
    pub fn wait(&mut self, timeout: Duration) -> Result<Option<u64>, postgres::Error> {
        use postgres::fallible_iterator::FallibleIterator as _;
        let first = self.client.notifications().timeout_iter(timeout).next()?;
        let Some(first) = first else {
            if self.client.is_closed() {
                // A lost connection ends the wait without an error: surface it.
                self.client.batch_execute("SELECT 1")?;
            }
            return Ok(None);
        };
        let mut best = first.payload().parse::<u64>().ok();
        // Drain what else is queued without waiting again.
        let mut n = self.client.notifications();
        let mut rest = n.iter();
        while let Some(more) = rest.next()? {
            best = best.max(more.payload().parse::<u64>().ok());
        }
        Ok(best)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pgpass_lines_match_like_libpq() {
        let want = ["db.example", "5432", "onemap", "seat1"];
        assert_eq!(
            pgpass_match("db.example:5432:onemap:seat1:s3cret", &want).as_deref(),
            Some("s3cret")
        );
        assert_eq!(pgpass_match("*:*:*:seat1:a\\:b", &want).as_deref(), Some("a:b"));
        assert_eq!(pgpass_match("other:5432:onemap:seat1:x", &want), None);
        assert_eq!(pgpass_match("garbage", &want), None);
    }

    #[test]
    fn password_in_url_is_refused() {
        let e = PgTarget::parse("postgres://seat1:hunter2@localhost:5432/onemap");
        assert!(matches!(e, Err(StoreError::PasswordInUrl)), "{e:?}");
        let t = PgTarget::parse("postgres://seat1@db.example:6543/onemap").map(|t| t.shown);
        assert_eq!(t.ok().as_deref(), Some("postgres://seat1@db.example:6543/onemap"));
        assert!(is_url(Path::new("postgresql://x@y/z")));
        assert!(!is_url(Path::new("/tmp/postgres://x")));
    }
}
