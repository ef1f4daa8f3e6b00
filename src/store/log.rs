//! Rows of the append-only `events` table: insert one event, stream events by seq range, and
//! fold them leniently (an event that no longer applies is skipped with a warning). Must not
//! import egui or tokio; never issues UPDATE or DELETE on `events`.

use rusqlite::{Connection, params};

use super::StoreError;
use crate::model::{Event, EventKind, Situation, fold};

/// Insert one event row (inside the caller's transaction).
pub fn insert_event(conn: &Connection, ev: &Event) -> Result<(), StoreError> {
    let payload = serde_json::to_string(&ev.kind).map_err(|e| StoreError::Encode(e.to_string()))?;
    let seq = i64::try_from(ev.seq).map_err(|_| StoreError::Encode(format!("seq {} out of range", ev.seq)))?;
    conn.prepare_cached(
        "INSERT INTO events(seq, ts_utc, operator, seat, kind, payload, drill_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        seq,
        ev.ts_utc,
        ev.operator,
        ev.seat,
        ev.kind.tag(),
        payload,
        ev.drill_id
    ])?;
    Ok(())
}

/// Highest seq in the log (0 when empty).
pub fn max_seq(conn: &Connection) -> Result<u64, StoreError> {
    let v: Option<i64> = conn.query_row("SELECT max(seq) FROM events", [], |r| r.get(0))?;
    Ok(v.map_or(0, |s| u64::try_from(s).unwrap_or(0)))
}

/// Number of events in the log.
pub fn count_events(conn: &Connection) -> Result<u64, StoreError> {
    let v: i64 = conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?;
    Ok(u64::try_from(v).unwrap_or(0))
}

/// True when an event with this seq exists.
pub fn seq_exists(conn: &Connection, seq: u64) -> Result<bool, StoreError> {
    let seq = i64::try_from(seq).unwrap_or(i64::MAX);
    let n: i64 = conn.query_row("SELECT count(*) FROM events WHERE seq = ?1", [seq], |r| r.get(0))?;
    Ok(n > 0)
}

/// Call `each` for every event with `after < seq <= upto`, in seq order.
pub fn for_each_event(
    conn: &Connection,
    after: u64,
    upto: u64,
    mut each: impl FnMut(Event) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    let upto = i64::try_from(upto).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare_cached(
        "SELECT seq, ts_utc, operator, seat, kind, payload, drill_id FROM events \
         WHERE seq > ?1 AND seq <= ?2 ORDER BY seq",
    )?;
    let mut rows = stmt.query(params![after, upto])?;
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        let seq = u64::try_from(seq).unwrap_or(0);
        let kind_tag: String = row.get(4)?;
        let payload: String = row.get(5)?;
        let kind: EventKind = serde_json::from_str(&payload).map_err(|e| StoreError::BadPayload {
            seq,
            kind: kind_tag.clone(),
            reason: e.to_string(),
        })?;
        if kind.tag() != kind_tag {
            return Err(StoreError::BadPayload {
                seq,
                kind: kind_tag,
                reason: format!("payload is a {} event", kind.tag()),
            });
        }
        each(Event {
            seq,
            ts_utc: row.get(1)?,
            operator: row.get(2)?,
            seat: row.get(3)?,
            drill_id: row.get(6)?,
            kind,
        })?;
    }
    Ok(())
}

/// Fold one logged event; if it no longer applies, record a warning and only advance `last_seq`
/// (deterministic: every reader skips the same event).
pub fn fold_lenient(sit: &mut Situation, ev: &Event, warnings: &mut Vec<String>) {
    if let Err(e) = fold(sit, ev) {
        warnings.push(format!(
            "event seq {} ({}) could not be applied and was skipped: {e}",
            ev.seq,
            ev.kind.tag()
        ));
        if ev.seq > sit.last_seq {
            sit.last_seq = ev.seq;
        }
    }
}

/// Fold every logged event after `sit.last_seq` up to `upto` into `sit`.
pub fn fold_range(
    conn: &Connection,
    sit: &mut Situation,
    upto: u64,
    warnings: &mut Vec<String>,
) -> Result<(), StoreError> {
    let after = sit.last_seq;
    for_each_event(conn, after, upto, |ev| {
        fold_lenient(sit, &ev, warnings);
        Ok(())
    })
}
