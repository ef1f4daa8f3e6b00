//! SQLite schema of the event log: numbered migrations (`PRAGMA user_version`), the OneMap
//! `application_id`, append-only triggers, and the pre-flight check that refuses foreign,
//! corrupt or newer databases without writing to them. Must not import egui or tokio, and
//! must not know about the domain fold beyond table layout.

use std::io::Read;
use std::path::Path;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use super::StoreError;
use super::chain::ChainHead;

/// `PRAGMA application_id` of every OneMap store ("OMAP" in ASCII).
pub const APPLICATION_ID: i64 = 0x4F4D_4150;

/// One numbered migration: plain SQL, or a step that must compute in Rust.
enum Migration {
    /// SQL run as one batch.
    Sql(&'static str),
    /// Code run inside the migration transaction.
    Code(fn(&rusqlite::Transaction<'_>) -> Result<(), StoreError>),
}

/// Migration `i` brings the schema from version `i` to `i + 1`.
const MIGRATIONS: &[Migration] = &[
    // v1: event log, append-only triggers, snapshots.
    Migration::Sql(
        r#"
    CREATE TABLE events(
        seq      INTEGER PRIMARY KEY,
        ts_utc   TEXT NOT NULL,
        operator TEXT NOT NULL,
        seat     TEXT NOT NULL,
        kind     TEXT NOT NULL,
        payload  TEXT NOT NULL CHECK (json_valid(payload)),
        drill_id TEXT NULL
    );
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE refused'); END;
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE refused'); END;
    CREATE TABLE snapshots(
        seq         INTEGER PRIMARY KEY,
        situation   TEXT NOT NULL,
        checksum    TEXT NOT NULL,
        created_utc TEXT NOT NULL
    );
    "#,
    ),
    // v2: index for drill lookups.
    Migration::Sql(
        r#"
    CREATE INDEX events_drill ON events(drill_id, seq) WHERE drill_id IS NOT NULL;
    "#,
    ),
    // v3: the tamper-evident hash chain, computed once over existing events.
    Migration::Code(add_hash_chain),
];

/// v3: add `events.hash` and `snapshots.chain_head`, seal every existing event in seq order and
/// record each snapshot's head; from now on an insert without a well-formed hash is refused.
/// The append-only UPDATE trigger is lifted only inside this transaction.
fn add_hash_chain(tx: &rusqlite::Transaction<'_>) -> Result<(), StoreError> {
    tx.execute_batch(
        "ALTER TABLE events ADD COLUMN hash TEXT;
         ALTER TABLE snapshots ADD COLUMN chain_head TEXT;
         DROP TRIGGER events_no_update;",
    )?;
    let mut head = ChainHead::default();
    let mut rows = Vec::new();
    super::log::for_each_raw(&**tx, 0, u64::MAX, |raw| {
        rows.push(raw);
        Ok(())
    })?;
    {
        let mut update = tx.prepare("UPDATE events SET hash = ?1 WHERE seq = ?2")?;
        for mut raw in rows {
            // Seal the row as it is (its own seq), so a database that already had a gap keeps
            // it visible: `db verify` reports it, the migration does not hide it.
            head.seq = raw.seq.saturating_sub(1);
            head.seal(&mut raw);
            update.execute(rusqlite::params![raw.hash, i64::try_from(raw.seq).unwrap_or(i64::MAX)])?;
        }
    }
    tx.execute_batch(
        r#"
        UPDATE snapshots SET chain_head = (SELECT hash FROM events WHERE events.seq = snapshots.seq);
        CREATE TRIGGER events_no_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE refused'); END;
        CREATE TRIGGER events_need_hash BEFORE INSERT ON events
            WHEN NEW.hash IS NULL OR length(NEW.hash) != 64
            BEGIN SELECT RAISE(ABORT, 'events need their chain hash'); END;
        "#,
    )?;
    Ok(())
}

/// Schema version this program writes and understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The first 16 bytes of every SQLite 3 database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

fn not_onemap(path: &Path, reason: impl Into<String>) -> StoreError {
    StoreError::NotOneMap {
        path: path.display().to_string(),
        reason: reason.into(),
    }
}

/// Inspect an existing, non-empty file read-only: refuse anything that is not an empty SQLite
/// database or a OneMap store of a supported version. Never writes.
pub fn preflight(path: &Path) -> Result<(), StoreError> {
    let len = match std::fs::metadata(path) {
        Ok(m) => m.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(StoreError::Io {
                path: path.display().to_string(),
                source: e,
            });
        }
    };
    if len == 0 {
        return Ok(());
    }
    let mut head = [0u8; 16];
    let mut f = std::fs::File::open(path).map_err(|e| StoreError::Io {
        path: path.display().to_string(),
        source: e,
    })?;
    let n = f.read(&mut head).map_err(|e| StoreError::Io {
        path: path.display().to_string(),
        source: e,
    })?;
    if n < 16 || &head != SQLITE_MAGIC {
        return Err(not_onemap(path, "file is not a database"));
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| sqlite_open_error(path, e))?;
    let read = || -> rusqlite::Result<(i64, i64, i64)> {
        let app: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let ver: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let objects: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
        Ok((app, ver, objects))
    };
    let (app, ver, objects) = read().map_err(|e| sqlite_open_error(path, e))?;
    check_identity(path, app, ver, objects)
}

fn check_identity(path: &Path, app: i64, ver: i64, objects: i64) -> Result<(), StoreError> {
    if app == APPLICATION_ID {
        if ver > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                found: ver,
                supported: SCHEMA_VERSION,
            });
        }
        return Ok(());
    }
    if app == 0 && objects == 0 {
        return Ok(());
    }
    if app != 0 {
        return Err(not_onemap(
            path,
            format!("application_id {app:#x}, expected {APPLICATION_ID:#x}"),
        ));
    }
    Err(not_onemap(
        path,
        format!("SQLite database of another program ({objects} schema objects, no OneMap application_id)"),
    ))
}

/// Map errors from opening/reading a file into "not a OneMap database" when SQLite says so.
fn sqlite_open_error(path: &Path, e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => not_onemap(path, "file is not a database"),
        Some(ErrorCode::DatabaseCorrupt) => not_onemap(path, "database disk image is malformed"),
        _ => StoreError::Sqlite(e),
    }
}

/// Bring a read-write connection to [`SCHEMA_VERSION`] inside one `BEGIN IMMEDIATE` transaction,
/// re-checking identity under the write lock (another process may be creating it concurrently).
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| sqlite_open_error(path, e))?;
    let app: i64 = tx
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| sqlite_open_error(path, e))?;
    let ver: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let objects: i64 = tx.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
    check_identity(path, app, ver, objects)?;
    if app == 0 {
        tx.execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID};"))?;
    }
    for (i, step) in MIGRATIONS.iter().enumerate().skip(usize::try_from(ver).unwrap_or(0)) {
        match step {
            Migration::Sql(sql) => tx.execute_batch(sql)?,
            Migration::Code(f) => f(&tx)?,
        }
        tx.execute_batch(&format!("PRAGMA user_version = {};", i + 1))?;
    }
    tx.commit()?;
    Ok(())
}

/// Refuse anything but an existing, non-empty OneMap store (0-byte files, other SQLite files
/// and empty SQLite files included): read-only commands never initialise a file. Never writes.
pub fn preflight_existing(path: &Path) -> Result<(), StoreError> {
    match std::fs::metadata(path) {
        Ok(m) if m.len() == 0 => {
            return Err(not_onemap(
                path,
                "0 字节的空文件（可能被截断），只有 `onemap db init` 会初始化 / a 0-byte file (truncated?); only `onemap db init` initialises a store",
            ));
        }
        Ok(_) => {}
        Err(e) => {
            return Err(StoreError::Io {
                path: path.display().to_string(),
                source: e,
            });
        }
    }
    preflight(path)?;
    let (app, _) = read_identity(path)?;
    if app != APPLICATION_ID {
        return Err(not_onemap(
            path,
            "an empty SQLite file, not a OneMap store; only `onemap db init` initialises a store",
        ));
    }
    Ok(())
}

/// `(application_id, user_version)` of an existing file, read-only.
fn read_identity(path: &Path) -> Result<(i64, i64), StoreError> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| sqlite_open_error(path, e))?;
    let app: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| sqlite_open_error(path, e))?;
    let ver: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| sqlite_open_error(path, e))?;
    Ok((app, ver))
}

/// Open an existing OneMap store READ-ONLY without taking the write lock. A store of an older
/// schema is migrated first (a short write transaction, retried while another process holds
/// the lock); readers then never wait for writers (WAL).
pub fn open_existing_read_only(path: &Path, busy_timeout_ms: u64) -> Result<Connection, StoreError> {
    preflight_existing(path)?;
    let (_, ver) = read_identity(path)?;
    if ver < SCHEMA_VERSION {
        let mut rw = Connection::open(path).map_err(|e| sqlite_open_error(path, e))?;
        rw.busy_timeout(std::time::Duration::from_millis(busy_timeout_ms))?;
        ensure_current(&mut rw, path)?;
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| sqlite_open_error(path, e))?;
    conn.busy_timeout(std::time::Duration::from_millis(busy_timeout_ms))?;
    Ok(conn)
}

/// Migrate only when needed: the version check is a plain read (no write lock), and the
/// migration transaction is retried while another process holds the write lock, so opening a
/// current store never waits for a writer.
pub fn ensure_current(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let read = |c: &Connection| -> rusqlite::Result<(i64, i64)> {
        Ok((
            c.query_row("PRAGMA application_id", [], |r| r.get(0))?,
            c.query_row("PRAGMA user_version", [], |r| r.get(0))?,
        ))
    };
    let (app, ver) = read(conn).map_err(|e| sqlite_open_error(path, e))?;
    if app == APPLICATION_ID && ver == SCHEMA_VERSION {
        return Ok(());
    }
    let mut attempt = 0u32;
    loop {
        match migrate(conn, path) {
            Err(StoreError::Sqlite(e))
                if attempt < 40
                    && matches!(
                        e.sqlite_error_code(),
                        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
                    ) =>
            {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            other => return other,
        }
    }
}
