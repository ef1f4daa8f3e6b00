//! SQLite schema of the event log: numbered migrations (`PRAGMA user_version`), the OneMap
//! `application_id`, append-only triggers, and the pre-flight check that refuses foreign,
//! corrupt or newer databases without writing to them. Must not import egui or tokio, and
//! must not know about the domain fold beyond table layout.

use std::io::Read;
use std::path::Path;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use super::StoreError;

/// `PRAGMA application_id` of every OneMap store ("OMAP" in ASCII).
pub const APPLICATION_ID: i64 = 0x4F4D_4150;

/// Migration `i` brings the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // v1: event log, append-only triggers, snapshots.
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
    // v2: index for drill lookups.
    r#"
    CREATE INDEX events_drill ON events(drill_id, seq) WHERE drill_id IS NOT NULL;
    "#,
];

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
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(ver).unwrap_or(0)) {
        tx.execute_batch(sql)?;
        tx.execute_batch(&format!("PRAGMA user_version = {};", i + 1))?;
    }
    tx.commit()?;
    Ok(())
}
