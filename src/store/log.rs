//! Rows of the append-only `events` table: insert one event sealed into the hash chain, stream
//! events by seq range, and fold them leniently (an event that no longer applies, or whose
//! payload this program cannot read, is skipped with a warning) while verifying every link.
//! Must not import egui or tokio; never issues UPDATE or DELETE on `events`.

use super::StoreError;
use super::chain::{ChainHash, ChainHead, RawEvent};
use super::db::LogDb;
use crate::model::{Event, EventKind, Situation, fold};

/// Insert one event row (inside the caller's transaction), sealed after `head`, which advances.
pub fn insert_event(conn: &dyn LogDb, ev: &Event, head: &mut ChainHead) -> Result<(), StoreError> {
    insert_events(conn, std::slice::from_ref(ev), head)
}

/// Insert events in seq order (inside the caller's transaction), each sealed after the one
/// before it from `head`, which advances.
pub fn insert_events(conn: &dyn LogDb, events: &[Event], head: &mut ChainHead) -> Result<(), StoreError> {
    let mut rows = Vec::with_capacity(events.len());
    for ev in events {
        let payload = serde_json::to_string(&ev.kind).map_err(|e| StoreError::Encode(e.to_string()))?;
        i64::try_from(ev.seq).map_err(|_| StoreError::Encode(format!("seq {} out of range", ev.seq)))?;
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
        rows.push(raw);
    }
    conn.insert_raws(&rows)
}

/// The chain position after event `seq` as stored (GENESIS for 0), without verifying it.
pub fn stored_head(conn: &dyn LogDb, seq: u64) -> Result<ChainHead, StoreError> {
    if seq == 0 {
        return Ok(ChainHead::default());
    }
    let hash = conn.stored_hash(seq)?;
    let hash = hash.ok_or(super::chain::ChainFault::Missing { seq })?;
    let hash = hash
        .as_deref()
        .and_then(ChainHash::from_hex)
        .ok_or(super::chain::ChainFault::MissingHash { seq })?;
    Ok(ChainHead { seq, hash })
}

/// Call `each` for every stored row with `after < seq <= upto`, in seq order, undecoded.
pub fn for_each_raw(
    conn: &dyn LogDb,
    after: u64,
    upto: u64,
    mut each: impl FnMut(RawEvent) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    conn.for_each_raw(after, upto, &mut each)
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
pub fn max_seq(conn: &dyn LogDb) -> Result<u64, StoreError> {
    conn.max_seq()
}

/// Number of events in the log.
pub fn count_events(conn: &dyn LogDb) -> Result<u64, StoreError> {
    conn.count_events()
}

/// True when an event with this seq exists.
pub fn seq_exists(conn: &dyn LogDb, seq: u64) -> Result<bool, StoreError> {
    Ok(conn.stored_hash(seq)?.is_some())
}

/// Call `each` for every event with `after < seq <= upto`, in seq order; the first unreadable
/// payload is an error (see [`for_each_raw`] + [`decode`] to go on past it).
pub fn for_each_event(
    conn: &dyn LogDb,
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
    conn: &dyn LogDb,
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
