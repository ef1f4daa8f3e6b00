//! The poller lease: the one seat of a database that polls the alert feeds and watches the drop
//! folder (the others only read what it imports). Seats contend for it through what they share:
//!
//! - a SQLite file: an OS lock (`flock`, via `std::fs::File::try_lock`) on `<db>.poller.lock`
//!   beside the database; the file holds the holder's seat and since when;
//! - PostgreSQL: a session advisory lock, held by a connection of its own whose
//!   `application_name` is `onemap-poller <since ms> <seat>` (cut to the server's 63 bytes) so
//!   every seat can read who polls from `pg_stat_activity`.
//!
//! Either is released by the operating system or the server when the holder's process exits or
//! dies (its file descriptor or connection closes), so another seat takes over on its next try.
//! Must not import egui or tokio.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use postgres::Client;

use super::StoreError;
use super::pg::{PgTarget, is_url};

/// `application_name` prefix of the lease connection (not counted as a seat).
pub const PG_LEASE_APP: &str = "onemap-poller";
const PG_LOCK_SQL: &str = "SELECT pg_try_advisory_lock(hashtextextended('onemap-alerts-poller', 7002))";
/// PostgreSQL cuts `application_name` to 63 bytes (NAMEDATALEN − 1).
const PG_NAME_BYTES: usize = 63;

/// Who holds the lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseHolder {
    /// The holder's seat name (on PostgreSQL cut to what fits in `application_name`).
    pub seat: String,
    /// Since when, ms since the epoch.
    pub since_ms: i64,
}

/// Why the lease could not be tried or read.
#[derive(Debug, thiserror::Error)]
pub enum LeaseError {
    /// The lock file could not be opened, locked or written.
    #[error("{path}: {source}")]
    Io {
        /// The lock file.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The server could not be reached or refused a query.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A query on the lease connection failed.
    #[error("{server}: {reason}")]
    Pg {
        /// The server.
        server: String,
        /// Cause.
        reason: String,
    },
}

enum Kind {
    File {
        path: PathBuf,
        file: Option<File>,
    },
    Pg {
        target: Box<PgTarget>,
        client: Option<Box<Client>>,
    },
}

/// One seat's side of the lease.
pub struct PollerLease {
    kind: Kind,
    seat: String,
    since_ms: Option<i64>,
}

/// The lock file of a SQLite database: `<db>.poller.lock` beside it.
pub fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".poller.lock");
    db.with_file_name(name)
}

fn pg_app_name(seat: &str, since_ms: i64) -> String {
    let mut name = format!("{PG_LEASE_APP} {since_ms} ");
    for c in seat.chars() {
        if name.len() + c.len_utf8() > PG_NAME_BYTES {
            break;
        }
        name.push(c);
    }
    name
}

fn parse_holder(text: &str) -> Option<LeaseHolder> {
    let (since, seat) = text.trim_end_matches('\n').split_once(' ')?;
    Some(LeaseHolder {
        seat: seat.to_owned(),
        since_ms: since.parse().ok()?,
    })
}

impl PollerLease {
    /// The lease of the database `db` (a file path or a `postgres://` URL) for `seat`; nothing is
    /// opened or locked yet.
    pub fn for_db(db: &Path, seat: &str) -> Result<PollerLease, LeaseError> {
        let kind = if is_url(db) {
            Kind::Pg {
                target: Box::new(PgTarget::parse(&db.to_string_lossy())?),
                client: None,
            }
        } else {
            Kind::File {
                path: lock_path(db),
                file: None,
            }
        };
        Ok(PollerLease {
            kind,
            seat: seat.to_owned(),
            since_ms: None,
        })
    }

    /// Whether this seat holds the lease (as of the last [`PollerLease::try_acquire`]).
    pub fn held(&self) -> bool {
        self.since_ms.is_some()
    }

    /// Take the lease if it is free, or check that this seat still holds it; `true` while held.
    /// A PostgreSQL lease whose connection was lost is lost too (and retried next time).
    pub fn try_acquire(&mut self, now_ms: i64) -> Result<bool, LeaseError> {
        match &mut self.kind {
            Kind::File { path, file } => {
                if file.is_some() {
                    return Ok(true);
                }
                let io = |source| LeaseError::Io {
                    path: path.clone(),
                    source,
                };
                let mut f = OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create(true)
                    .truncate(false)
                    .open(&*path)
                    .map_err(io)?;
                match f.try_lock() {
                    Ok(()) => {}
                    Err(TryLockError::WouldBlock) => return Ok(false),
                    Err(TryLockError::Error(e)) => return Err(io(e)),
                }
                f.set_len(0).map_err(io)?;
                f.seek(SeekFrom::Start(0)).map_err(io)?;
                writeln!(f, "{now_ms} {}", self.seat).map_err(io)?;
                f.sync_data().map_err(io)?;
                *file = Some(f);
            }
            Kind::Pg { target, client } => {
                let alive = client
                    .as_mut()
                    .is_some_and(|c| !c.is_closed() && c.simple_query("").is_ok());
                if alive && self.since_ms.is_some() {
                    return Ok(true);
                }
                self.since_ms = None;
                let c = match client {
                    Some(c) if alive => c,
                    _ => client.insert(Box::new(target.connect()?)),
                };
                let pg = |e: postgres::Error| LeaseError::Pg {
                    server: target.server(),
                    reason: e.to_string(),
                };
                let got: bool = c.query_one(PG_LOCK_SQL, &[]).map_err(pg)?.get(0);
                if !got {
                    // Keep a plain seat connection out of `db status`'s seat count.
                    c.batch_execute(&format!("SET application_name = '{PG_LEASE_APP}'"))
                        .map_err(pg)?;
                    return Ok(false);
                }
                let name = pg_app_name(&self.seat, now_ms).replace('\'', "''");
                c.batch_execute(&format!("SET application_name = '{name}'"))
                    .map_err(pg)?;
            }
        }
        self.since_ms = Some(now_ms);
        Ok(true)
    }

    /// Who holds the lease now (`None`: nobody could be seen holding it).
    pub fn holder(&mut self) -> Result<Option<LeaseHolder>, LeaseError> {
        if let Some(since_ms) = self.since_ms {
            return Ok(Some(LeaseHolder {
                seat: self.seat.clone(),
                since_ms,
            }));
        }
        match &mut self.kind {
            Kind::File { path, .. } => match std::fs::read_to_string(&*path) {
                Ok(text) => Ok(parse_holder(&text)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(source) => Err(LeaseError::Io {
                    path: path.clone(),
                    source,
                }),
            },
            Kind::Pg { target, client } => {
                let Some(c) = client.as_mut() else { return Ok(None) };
                let rows = c
                    .query(
                        "SELECT a.application_name FROM pg_stat_activity a \
                         WHERE a.datname = current_database() AND a.application_name LIKE $1 \
                         AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid \
                         AND l.locktype = 'advisory' AND l.granted)",
                        &[&format!("{PG_LEASE_APP} %")],
                    )
                    .map_err(|e| LeaseError::Pg {
                        server: target.server(),
                        reason: e.to_string(),
                    })?;
                Ok(rows.first().and_then(|r| {
                    let name: String = r.get(0);
                    parse_holder(name.strip_prefix(PG_LEASE_APP)?.trim_start())
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn one_of_two_seats_holds_a_files_lease_until_it_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ops.db");
        let mut a = PollerLease::for_db(&db, "席位一").unwrap();
        let mut b = PollerLease::for_db(&db, "seat-2").unwrap();
        assert!(a.try_acquire(1_000).unwrap());
        assert!(!b.try_acquire(2_000).unwrap());
        let seen = LeaseHolder {
            seat: "席位一".into(),
            since_ms: 1_000,
        };
        assert_eq!(b.holder().unwrap(), Some(seen.clone()));
        assert_eq!(a.holder().unwrap(), Some(seen));
        drop(a);
        assert!(b.try_acquire(3_000).unwrap(), "released with its holder");
        assert_eq!(b.holder().unwrap().unwrap().seat, "seat-2");
        assert_eq!(lock_path(&db), dir.path().join("ops.db.poller.lock"));
    }

    #[test]
    fn pg_names_fit_the_servers_63_bytes_on_a_char_boundary() {
        let name = pg_app_name(&"席".repeat(40), 1_784_102_400_000);
        assert!(name.len() <= 63, "{}", name.len());
        let h = parse_holder(name.strip_prefix(PG_LEASE_APP).unwrap().trim_start()).unwrap();
        assert_eq!(h.since_ms, 1_784_102_400_000);
        assert!(h.seat.chars().all(|c| c == '席') && !h.seat.is_empty());
    }
}
