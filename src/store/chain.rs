//! The tamper-evident hash chain of the event log. Every event row stores
//! `hash = SHA-256(DOMAIN ‖ prev_hash ‖ seq ‖ ts_utc ‖ operator ‖ seat ‖ kind ‖ payload ‖ drill_id)`
//! over the columns exactly as stored (the payload text as written, never re-encoded), each
//! length-prefixed, with 32 zero bytes before the first event. Snapshots record the chain head
//! they fold to. Any edit, deletion, insertion or renumbering of a past event breaks a link.
//! This is evidence, not a signature: whoever can write the file can recompute the whole chain,
//! but not without also changing every later hash and every snapshot head.
//!
//! Pure (no rusqlite, egui or tokio) so that any storage backend (SQLite today, PostgreSQL
//! later) stores the same 64 hex digits per row and verifies with the same code.

use sha2::{Digest, Sha256};

/// Domain separation: a hash of some other structure can never pass for an event link.
const DOMAIN: &[u8] = b"OneMap event chain v1\0";

/// A 32-byte SHA-256 link value.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChainHash(pub [u8; 32]);

impl ChainHash {
    /// The value before the first event.
    pub const GENESIS: ChainHash = ChainHash([0; 32]);

    /// 64 lowercase hex digits (the stored form).
    pub fn to_hex(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::with_capacity(64);
        for b in self.0 {
            let _ = write!(s, "{b:02x}");
        }
        s
    }

    /// Parse the stored form; `None` unless exactly 64 hex digits.
    pub fn from_hex(text: &str) -> Option<ChainHash> {
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, pair) in bytes.chunks_exact(2).enumerate() {
            let hi = char::from(pair[0]).to_digit(16)?;
            let lo = char::from(pair[1]).to_digit(16)?;
            out[i] = u8::try_from(hi * 16 + lo).ok()?;
        }
        Some(ChainHash(out))
    }
}

impl std::fmt::Debug for ChainHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ChainHash({})", self.to_hex())
    }
}

/// The stored columns of one event row, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEvent {
    /// Sequence number.
    pub seq: u64,
    /// Log time, UTC ISO-8601.
    pub ts_utc: String,
    /// Operator.
    pub operator: String,
    /// Seat.
    pub seat: String,
    /// Kind tag column.
    pub kind: String,
    /// Payload JSON text exactly as stored.
    pub payload: String,
    /// Drill id column.
    pub drill_id: Option<String>,
    /// Stored link (`None` when the column is empty).
    pub hash: Option<String>,
}

/// The link of `row` after `prev`, hashed as if the row had sequence number `seq`.
pub fn link_hash_as(prev: &ChainHash, row: &RawEvent, seq: u64) -> ChainHash {
    let mut h = Sha256::new();
    h.update(DOMAIN);
    h.update(prev.0);
    h.update(seq.to_be_bytes());
    for field in [&row.ts_utc, &row.operator, &row.seat, &row.kind, &row.payload] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    match &row.drill_id {
        // A distinct tag for "no drill" so that `None` and `Some("")` differ.
        None => h.update([0u8]),
        Some(d) => {
            h.update([1u8]);
            h.update((d.len() as u64).to_be_bytes());
            h.update(d.as_bytes());
        }
    }
    ChainHash(h.finalize().into())
}

/// The link of `row` after `prev`.
pub fn link_hash(prev: &ChainHash, row: &RawEvent) -> ChainHash {
    link_hash_as(prev, row, row.seq)
}

/// The position of a verified chain: the last event's seq and its link (seq 0 = empty log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainHead {
    /// Seq of the last verified event (0 before the first).
    pub seq: u64,
    /// Its link.
    pub hash: ChainHash,
}

impl Default for ChainHead {
    fn default() -> Self {
        ChainHead {
            seq: 0,
            hash: ChainHash::GENESIS,
        }
    }
}

/// A broken link in the event log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[serde(tag = "fault", rename_all = "snake_case")]
pub enum ChainFault {
    /// Sequence numbers skip: events were deleted (or never written).
    #[error(
        "事件链断裂：序号 {after} 之后缺少事件，下一条是 {next} / gap in the log: after seq {after} comes {next} (events deleted?)"
    )]
    Gap {
        /// Last seq before the gap.
        after: u64,
        /// First seq after it.
        next: u64,
    },
    /// The event's hash matches the same content under another seq: it was renumbered.
    #[error(
        "事件链断裂：序号 {seq} 的事件原序号为 {hashed_as} / event seq {seq} was renumbered (its hash is that of seq {hashed_as})"
    )]
    Renumbered {
        /// Seq in the file.
        seq: u64,
        /// Seq it was hashed under.
        hashed_as: u64,
    },
    /// The stored link does not match the content (edited event or broken link).
    #[error(
        "事件链断裂：序号 {seq} 的事件内容或链接被改动 / event seq {seq} does not match its hash: edited, or the link to the event before it is broken"
    )]
    Mismatch {
        /// Seq of the event.
        seq: u64,
    },
    /// An event the chain needs is not in the log.
    #[error("事件链断裂：缺少序号 {seq} 的事件 / event seq {seq} is missing from the log")]
    Missing {
        /// Seq of the missing event.
        seq: u64,
    },
    /// The hash column is empty or not 64 hex digits.
    #[error("事件链断裂：序号 {seq} 的事件没有有效哈希 / event seq {seq} has no valid chain hash")]
    MissingHash {
        /// Seq of the event.
        seq: u64,
    },
    /// A snapshot records another chain head than the log at its seq.
    #[error(
        "快照与事件链不一致：快照 {seq} / the snapshot at seq {seq} records another chain head than the log: history before it was changed"
    )]
    SnapshotHead {
        /// Seq of the snapshot.
        seq: u64,
    },
}

impl ChainFault {
    /// Seq the fault is reported at (for "first broken link").
    pub fn seq(&self) -> u64 {
        match self {
            ChainFault::Gap { next, .. } => *next,
            ChainFault::Renumbered { seq, .. }
            | ChainFault::Mismatch { seq }
            | ChainFault::Missing { seq }
            | ChainFault::MissingHash { seq }
            | ChainFault::SnapshotHead { seq } => *seq,
        }
    }
}

impl ChainHead {
    /// Check that `row` is the next link after this head and advance to it.
    pub fn advance(&mut self, row: &RawEvent) -> Result<(), ChainFault> {
        let expected_seq = self.seq.saturating_add(1);
        let stored = row
            .hash
            .as_deref()
            .and_then(ChainHash::from_hex)
            .ok_or(ChainFault::MissingHash { seq: row.seq })?;
        if row.seq != expected_seq {
            if link_hash_as(&self.hash, row, expected_seq) == stored {
                return Err(ChainFault::Renumbered {
                    seq: row.seq,
                    hashed_as: expected_seq,
                });
            }
            return Err(ChainFault::Gap {
                after: self.seq,
                next: row.seq,
            });
        }
        if link_hash(&self.hash, row) != stored {
            return Err(ChainFault::Mismatch { seq: row.seq });
        }
        *self = ChainHead {
            seq: row.seq,
            hash: stored,
        };
        Ok(())
    }

    /// Seal a new row after this head: fill its hash and advance.
    pub fn seal(&mut self, row: &mut RawEvent) {
        let h = link_hash(&self.hash, row);
        row.hash = Some(h.to_hex());
        *self = ChainHead { seq: row.seq, hash: h };
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn row(seq: u64, payload: &str) -> RawEvent {
        RawEvent {
            seq,
            ts_utc: "2026-01-01T00:00:00.000Z".into(),
            operator: "op".into(),
            seat: "s1".into(),
            kind: "incident_note_added".into(),
            payload: payload.into(),
            drill_id: None,
            hash: None,
        }
    }

    fn sealed(n: u64) -> Vec<RawEvent> {
        let mut head = ChainHead::default();
        (1..=n)
            .map(|s| {
                let mut r = row(s, &format!("{{\"n\":{s}}}"));
                head.seal(&mut r);
                r
            })
            .collect()
    }

    fn walk(rows: &[RawEvent]) -> Result<ChainHead, ChainFault> {
        let mut head = ChainHead::default();
        for r in rows {
            head.advance(r)?;
        }
        Ok(head)
    }

    #[test]
    fn hex_round_trips_and_rejects() {
        let h = link_hash(&ChainHash::GENESIS, &row(1, "{}"));
        assert_eq!(ChainHash::from_hex(&h.to_hex()), Some(h));
        assert_eq!(ChainHash::from_hex("zz"), None);
        assert_eq!(ChainHash::from_hex(&"g".repeat(64)), None);
    }

    #[test]
    fn independent_sha256_of_the_first_link() {
        // Recompute by hand with the plain sha2 API over the documented layout.
        let r = row(1, "{}");
        let mut bytes = Vec::new();
        bytes.extend_from_slice(b"OneMap event chain v1\0");
        bytes.extend_from_slice(&[0u8; 32]);
        bytes.extend_from_slice(&1u64.to_be_bytes());
        for f in ["2026-01-01T00:00:00.000Z", "op", "s1", "incident_note_added", "{}"] {
            bytes.extend_from_slice(&(f.len() as u64).to_be_bytes());
            bytes.extend_from_slice(f.as_bytes());
        }
        bytes.push(0);
        let want: [u8; 32] = Sha256::digest(&bytes).into();
        assert_eq!(link_hash(&ChainHash::GENESIS, &r).0, want);
    }

    #[test]
    fn every_kind_of_tampering_is_named() {
        let good = sealed(5);
        assert_eq!(walk(&good).unwrap().seq, 5);
        // Edited payload.
        let mut t = good.clone();
        t[2].payload = "{\"n\":9}".into();
        assert_eq!(walk(&t), Err(ChainFault::Mismatch { seq: 3 }));
        // Edited payload with its own hash recomputed: the next link breaks.
        let mut t = good.clone();
        t[2].payload = "{\"n\":9}".into();
        let h = link_hash(&ChainHash::from_hex(t[1].hash.as_deref().unwrap()).unwrap(), &t[2]);
        t[2].hash = Some(h.to_hex());
        assert_eq!(walk(&t), Err(ChainFault::Mismatch { seq: 4 }));
        // Deleted event.
        let mut t = good.clone();
        t.remove(1);
        assert_eq!(walk(&t), Err(ChainFault::Gap { after: 1, next: 3 }));
        // Renumbered: event 3 moved to seq 7.
        let mut t = good.clone();
        t.truncate(3);
        t[2].seq = 7;
        assert_eq!(walk(&t), Err(ChainFault::Renumbered { seq: 7, hashed_as: 3 }));
        // Missing hash; and a drill id of "" is not "no drill".
        let mut t = good.clone();
        t[0].hash = None;
        assert_eq!(walk(&t), Err(ChainFault::MissingHash { seq: 1 }));
        let mut t = good;
        t[0].drill_id = Some(String::new());
        assert_eq!(walk(&t), Err(ChainFault::Mismatch { seq: 1 }));
    }
}
