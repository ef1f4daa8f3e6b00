//! The live feed of one seat: wakes up when another connection appended to the log. On
//! PostgreSQL a second connection `LISTEN`s (the notification carries only the seq; the seat
//! re-reads everything after its last seen seq, so nothing depends on the payload being
//! delivered) and reconnects by itself; on a SQLite file a read connection watches
//! `PRAGMA data_version`, a cheap counter that moves only when another connection commits.
//! Blocking calls for a worker thread; must not import egui or tokio.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use super::StoreError;
use super::pg::{PgListener, PgTarget, is_url};

/// How often a SQLite follower reads `data_version` (one tiny read, no log scan).
const SQLITE_TICK: Duration = Duration::from_millis(5);

/// What a wait saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedWake {
    /// Something was appended (with the highest seq announced, when the server said).
    Changed(Option<u64>),
    /// Nothing within the timeout.
    Idle,
    /// The connection to the server came back after a loss: re-read everything after the last
    /// seen seq.
    Reconnected,
}

enum Inner {
    Sqlite {
        conn: Connection,
        version: i64,
    },
    Pg {
        target: Box<PgTarget>,
        listener: Option<PgListener>,
    },
}

/// A change feed on one database.
pub struct ChangeFeed {
    inner: Inner,
    label: PathBuf,
}

impl std::fmt::Debug for ChangeFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeFeed").field("db", &self.label).finish()
    }
}

impl ChangeFeed {
    /// Open a feed on the store at `db` (file path or `postgres://` URL).
    pub fn open(db: &Path) -> Result<ChangeFeed, StoreError> {
        let inner = if is_url(db) {
            let target = PgTarget::parse(&db.to_string_lossy())?;
            let listener = Some(PgListener::connect(&target)?);
            Inner::Pg {
                target: Box::new(target),
                listener,
            }
        } else {
            let conn =
                Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
            let version = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
            Inner::Sqlite { conn, version }
        };
        Ok(ChangeFeed {
            inner,
            label: db.to_path_buf(),
        })
    }

    /// True while the server connection is up (always for a file).
    pub fn is_connected(&self) -> bool {
        match &self.inner {
            Inner::Sqlite { .. } => true,
            Inner::Pg { listener, .. } => listener.is_some(),
        }
    }

    /// Wait up to `timeout` for a change. A lost server connection is an error once; the
    /// next waits try to reconnect and answer [`FeedWake::Reconnected`] when they do.
    pub fn wait(&mut self, timeout: Duration) -> Result<FeedWake, StoreError> {
        match &mut self.inner {
            Inner::Sqlite { conn, version } => {
                let end = Instant::now() + timeout;
                loop {
                    let v: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
                    if v != *version {
                        *version = v;
                        return Ok(FeedWake::Changed(None));
                    }
                    let now = Instant::now();
                    if now >= end {
                        return Ok(FeedWake::Idle);
                    }
                    std::thread::sleep(SQLITE_TICK.min(end - now));
                }
            }
            Inner::Pg { target, listener } => {
                let Some(l) = listener else {
                    return match PgListener::connect(target) {
                        Ok(l) => {
                            *listener = Some(l);
                            Ok(FeedWake::Reconnected)
                        }
                        Err(e) => {
                            std::thread::sleep(timeout.min(Duration::from_millis(500)));
                            Err(e)
                        }
                    };
                };
                match l.wait(timeout) {
                    Ok(Some(seq)) => Ok(FeedWake::Changed(Some(seq))),
                    Ok(None) => Ok(FeedWake::Idle),
                    Err(e) => {
                        *listener = None;
                        Err(StoreError::Unreachable {
                            server: target.shown.clone(),
                            reason: super::pg::pg_reason(&e),
                        })
                    }
                }
            }
        }
    }
}
