//! Snapshots of the real situation in the `snapshots` table: write with a checksum and the chain
//! head they fold to, load the newest valid one at or below a seq (a torn or unreadable one is
//! skipped with a warning; one whose chain head disagrees with the log is an error: history was
//! changed). Must not import egui or tokio; never touches the `events` table except to read.

use super::StoreError;
use super::chain::{ChainFault, ChainHash};
use super::db::{LogDb, SnapshotRow};
use super::log::{for_each_raw, max_seq, seq_exists, stored_head};
use crate::model::Situation;
use crate::time::now_utc_iso;

/// FNV-1a 64-bit hash of the snapshot JSON, as 16 hex digits (detects torn or edited rows).
pub fn checksum(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Store a snapshot of a real situation at its `last_seq` (replacing one at the same seq).
pub fn write_snapshot(conn: &dyn LogDb, sit: &Situation) -> Result<(), StoreError> {
    if sit.scope_drill_id.is_some() {
        return Err(StoreError::Encode("drill situations are never snapshotted".into()));
    }
    let json = serde_json::to_string(sit).map_err(|e| StoreError::Encode(e.to_string()))?;
    i64::try_from(sit.last_seq).map_err(|_| StoreError::Encode("seq out of range".into()))?;
    let head = stored_head(conn, sit.last_seq)?;
    let row = SnapshotRow {
        seq: sit.last_seq,
        checksum: checksum(&json),
        situation: json,
        chain_head: Some(head.hash.to_hex()),
    };
    conn.write_snapshot_row(&row, &now_utc_iso())
}

/// The newest valid snapshot with seq ≤ `limit`, or `None`. Invalid snapshots (checksum
/// mismatch, unparsable, seq not in the log, inconsistent) are reported in `warnings` and skipped.
pub fn load_latest_snapshot(
    conn: &dyn LogDb,
    limit: u64,
    warnings: &mut Vec<String>,
) -> Result<Option<Situation>, StoreError> {
    let log_max = max_seq(conn)?;
    for seq in conn.snapshot_seqs_desc(limit)? {
        let Some(SnapshotRow {
            situation: json,
            checksum: sum,
            chain_head: head,
            ..
        }) = conn.snapshot_row(seq)?
        else {
            continue;
        };
        let problem = if checksum(&json) != sum {
            Some("checksum mismatch".to_owned())
        } else if seq > log_max || !seq_exists(conn, seq)? {
            // A checksummed snapshot beyond the log: the events it folded were removed.
            return Err(ChainFault::Missing { seq }.into());
        } else {
            check_head(conn, seq, head.as_deref())?;
            match serde_json::from_str::<Situation>(&json) {
                Err(e) => Some(format!("unreadable situation JSON: {e}")),
                Ok(sit) if sit.last_seq != seq => Some(format!("situation is at seq {}, not {seq}", sit.last_seq)),
                Ok(sit) if sit.scope_drill_id.is_some() => Some("snapshot of a drill situation".into()),
                // Written by an older fold: valid, but missing what the current fold derives;
                // refold from the log (an expected upgrade step, not a warning).
                Ok(sit) if sit.fold_version < crate::model::situation::FOLD_VERSION => continue,
                Ok(sit) => return Ok(Some(sit)),
            }
        };
        if let Some(p) = problem {
            warnings.push(format!("snapshot at seq {seq} skipped: {p}"));
        }
    }
    Ok(None)
}

/// The snapshot's recorded chain head must be the stored link of the event at its seq, and that
/// event must hash to it from the link before it (events after it are checked as they fold).
fn check_head(conn: &dyn LogDb, seq: u64, recorded: Option<&str>) -> Result<(), StoreError> {
    let stored = stored_head(conn, seq)?;
    if recorded.and_then(ChainHash::from_hex) != Some(stored.hash) {
        return Err(ChainFault::SnapshotHead { seq }.into());
    }
    let mut before = stored_head(conn, seq.saturating_sub(1))?;
    let mut seen = false;
    for_each_raw(conn, seq.saturating_sub(1), seq, |raw| {
        seen = true;
        before.advance(&raw).map_err(StoreError::from)
    })?;
    if !seen {
        return Err(ChainFault::Missing { seq }.into());
    }
    Ok(())
}
