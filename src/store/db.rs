//! The few row operations the event log needs from a database, as one trait ([`LogDb`]) that
//! both backends implement: the embedded SQLite file (`rusqlite::Connection`, here) and the
//! PostgreSQL server (`super::pg::PgDb`). The fold, the hash chain, snapshots and `db verify`
//! are written once against this trait. Must not import egui or tokio, and knows nothing of the
//! domain beyond the stored columns.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
use super::chain::RawEvent;

/// One stored snapshot row, as stored.
#[derive(Debug, Clone)]
pub struct SnapshotRow {
    /// Seq the situation was folded to.
    pub seq: u64,
    /// Situation JSON.
    pub situation: String,
    /// FNV checksum of the JSON.
    pub checksum: String,
    /// Chain head at `seq` (hex), when recorded.
    pub chain_head: Option<String>,
}

/// Row-level access to the `events` and `snapshots` tables of one backend.
pub trait LogDb {
    /// Highest seq in the log (0 when empty).
    fn max_seq(&self) -> Result<u64, StoreError>;
    /// Number of events.
    fn count_events(&self) -> Result<u64, StoreError>;
    /// `Some(hash column)` when an event with this seq exists.
    fn stored_hash(&self, seq: u64) -> Result<Option<Option<String>>, StoreError>;
    /// Every row with `after < seq <= upto`, in seq order, undecoded.
    fn for_each_raw(
        &self,
        after: u64,
        upto: u64,
        each: &mut dyn FnMut(RawEvent) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
    /// Insert one sealed row (inside the caller's transaction).
    fn insert_raw(&self, raw: &RawEvent) -> Result<(), StoreError>;
    /// Insert sealed rows in seq order (inside the caller's transaction).
    fn insert_raws(&self, rows: &[RawEvent]) -> Result<(), StoreError> {
        rows.iter().try_for_each(|r| self.insert_raw(r))
    }
    /// Seqs of the snapshots with seq ≤ `limit`, newest first.
    fn snapshot_seqs_desc(&self, limit: u64) -> Result<Vec<u64>, StoreError>;
    /// The snapshot row at `seq`.
    fn snapshot_row(&self, seq: u64) -> Result<Option<SnapshotRow>, StoreError>;
    /// Store a snapshot row (an existing one at the same seq is kept or replaced: both fold the
    /// same log to the same seq).
    fn write_snapshot_row(&self, row: &SnapshotRow, created_utc: &str) -> Result<(), StoreError>;
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl LogDb for Connection {
    fn max_seq(&self) -> Result<u64, StoreError> {
        let v: Option<i64> = self.query_row("SELECT max(seq) FROM events", [], |r| r.get(0))?;
        Ok(v.map_or(0, to_u64))
    }

    fn count_events(&self) -> Result<u64, StoreError> {
        let v: i64 = self.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?;
        Ok(to_u64(v))
    }

    fn stored_hash(&self, seq: u64) -> Result<Option<Option<String>>, StoreError> {
        Ok(self
            .prepare_cached("SELECT hash FROM events WHERE seq = ?1")?
            .query_row([to_i64(seq)], |r| r.get(0))
            .optional()?)
    }

    fn for_each_raw(
        &self,
        after: u64,
        upto: u64,
        each: &mut dyn FnMut(RawEvent) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut stmt = self.prepare_cached(
            "SELECT seq, ts_utc, operator, seat, kind, payload, drill_id, hash FROM events \
             WHERE seq > ?1 AND seq <= ?2 ORDER BY seq",
        )?;
        let mut rows = stmt.query(params![to_i64(after), to_i64(upto)])?;
        while let Some(row) = rows.next()? {
            each(RawEvent {
                seq: to_u64(row.get(0)?),
                ts_utc: row.get(1)?,
                operator: row.get(2)?,
                seat: row.get(3)?,
                kind: row.get(4)?,
                payload: row.get(5)?,
                drill_id: row.get(6)?,
                hash: row.get(7)?,
            })?;
        }
        Ok(())
    }

    fn insert_raw(&self, raw: &RawEvent) -> Result<(), StoreError> {
        self.prepare_cached(
            "INSERT INTO events(seq, ts_utc, operator, seat, kind, payload, drill_id, hash) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            to_i64(raw.seq),
            raw.ts_utc,
            raw.operator,
            raw.seat,
            raw.kind,
            raw.payload,
            raw.drill_id,
            raw.hash
        ])?;
        Ok(())
    }

    fn snapshot_seqs_desc(&self, limit: u64) -> Result<Vec<u64>, StoreError> {
        let mut stmt = self.prepare_cached("SELECT seq FROM snapshots WHERE seq <= ?1 ORDER BY seq DESC")?;
        let rows = stmt.query_map([to_i64(limit)], |r| r.get::<_, i64>(0))?;
        let mut out = Vec::new();
        for r in rows {
            out.push(to_u64(r?));
        }
        Ok(out)
    }

    fn snapshot_row(&self, seq: u64) -> Result<Option<SnapshotRow>, StoreError> {
        Ok(self
            .prepare_cached("SELECT seq, situation, checksum, chain_head FROM snapshots WHERE seq = ?1")?
            .query_row([to_i64(seq)], |r| {
                Ok(SnapshotRow {
                    seq: to_u64(r.get(0)?),
                    situation: r.get(1)?,
                    checksum: r.get(2)?,
                    chain_head: r.get(3)?,
                })
            })
            .optional()?)
    }

    fn write_snapshot_row(&self, row: &SnapshotRow, created_utc: &str) -> Result<(), StoreError> {
        self.execute(
            "INSERT OR REPLACE INTO snapshots(seq, situation, checksum, created_utc, chain_head) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                to_i64(row.seq),
                row.situation,
                row.checksum,
                created_utc,
                row.chain_head
            ],
        )?;
        Ok(())
    }
}
