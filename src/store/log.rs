//! Rows of the append-only `events` table: insert one event sealed into the hash chain, stream
//! events by seq range, and fold them leniently (an event that no longer applies, or whose
//! payload this program cannot read, is skipped with a warning) while verifying every link.
//! Must not import egui or tokio; never issues UPDATE or DELETE on `events`.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
use super::chain::{ChainHash, ChainHead, RawEvent};
use crate::model::{Event, EventKind, Situation, fold};

/// Insert one event row (inside the caller's transaction), sealed after `head`, which advances.
pub fn insert_event(conn: &Connection, ev: &Event, head: &mut ChainHead) -> Result<(), StoreError> {
    let payload = serde_json::to_string(&ev.kind).map_err(|e| StoreError::Encode(e.to_string()))?;
    let seq = i64::try_from(ev.seq).map_err(|_| StoreError::Encode(format!("seq {} out of range", ev.seq)))?;
    let mut raw = RawEvent {
        seq: ev.seq,
        ts_utc: ev.ts_utc.clone(),
        operator: ev.operator.clone(),
        seat: ev.seat.clone(),
        kind: ev.kind.tag().to_owned(),
        payload,
        drill_id: ev.drill_id.clone(),
        hash: None,
    };
    head.seal(&mut raw);
    conn.prepare_cached(
        "INSERT INTO events(seq, ts_utc, operator, seat, kind, payload, drill_id, hash) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        seq,
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

/// The chain position after event `seq` as stored (GENESIS for 0), without verifying it.
pub fn stored_head(conn: &Connection, seq: u64) -> Result<ChainHead, StoreError> {
    if seq == 0 {
        return Ok(ChainHead::default());
    }
    let key = i64::try_from(seq).unwrap_or(i64::MAX);
    let hash: Option<Option<String>> = conn
        .prepare_cached("SELECT hash FROM events WHERE seq = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?;
    let hash = hash.ok_or(super::chain::ChainFault::Missing { seq })?;
    let hash = hash
        .as_deref()
        .and_then(ChainHash::from_hex)
        .ok_or(super::chain::ChainFault::MissingHash { seq })?;
    Ok(ChainHead { seq, hash })
}

/// Call `each` for every stored row with `after < seq <= upto`, in seq order, undecoded.
pub fn for_each_raw(
    conn: &Connection,
    after: u64,
    upto: u64,
    mut each: impl FnMut(RawEvent) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    let upto = i64::try_from(upto).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare_cached(
        "SELECT seq, ts_utc, operator, seat, kind, payload, drill_id, hash FROM events \
         WHERE seq > ?1 AND seq <= ?2 ORDER BY seq",
    )?;
    let mut rows = stmt.query(params![after, upto])?;
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        each(RawEvent {
            seq: u64::try_from(seq).unwrap_or(0),
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

/// Decode a stored row into an event (its payload must be a readable event of its kind).
pub fn decode(raw: RawEvent) -> Result<Event, StoreError> {
    let kind: EventKind = serde_json::from_str(&raw.payload).map_err(|e| StoreError::BadPayload {
        seq: raw.seq,
        kind: raw.kind.clone(),
        reason: e.to_string(),
    })?;
    if kind.tag() != raw.kind {
        return Err(StoreError::BadPayload {
            seq: raw.seq,
            kind: raw.kind,
            reason: format!("payload is a {} event", kind.tag()),
        });
    }
    Ok(Event {
        seq: raw.seq,
        ts_utc: raw.ts_utc,
        operator: raw.operator,
        seat: raw.seat,
        drill_id: raw.drill_id,
        kind,
    })
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

/// Call `each` for every event with `after < seq <= upto`, in seq order; the first unreadable
/// payload is an error (see [`for_each_raw`] + [`decode`] to go on past it).
pub fn for_each_event(
    conn: &Connection,
    after: u64,
    upto: u64,
    mut each: impl FnMut(Event) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    for_each_raw(conn, after, upto, |raw| each(decode(raw)?))
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

/// Fold every logged event after `sit.last_seq` up to `upto` into `sit`, verifying each link of
/// the hash chain from the stored link of `sit.last_seq` (a broken link is an error: the history
/// was changed). An unreadable payload is skipped with a warning, like an event that no longer
/// applies, so one bad old event does not hide the rest of the log.
pub fn fold_range(
    conn: &Connection,
    sit: &mut Situation,
    upto: u64,
    warnings: &mut Vec<String>,
) -> Result<(), StoreError> {
    let after = sit.last_seq;
    if upto <= after {
        return Ok(());
    }
    let mut head = stored_head(conn, after)?;
    for_each_raw(conn, after, upto, |raw| {
        head.advance(&raw)?;
        let seq = raw.seq;
        match decode(raw) {
            Ok(ev) => fold_lenient(sit, &ev, warnings),
            Err(e) => {
                warnings.push(format!("{e}; skipped"));
                sit.last_seq = sit.last_seq.max(seq);
            }
        }
        Ok(())
    })
}
