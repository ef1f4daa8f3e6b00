//! `onemap db verify`: walk the whole event log of a file opened READ-ONLY and report every
//! broken link of the hash chain (the first one first), gaps and renumbering, payloads this
//! program cannot read, events the fold refuses (real scope and each drill), and snapshots that
//! disagree with the chain or with the fold of the log. Never writes (an older schema is
//! migrated first by the opener, like any other command). Must not import egui or tokio.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::StoreError;
use super::chain::{ChainFault, ChainHash, ChainHead};
use super::{log, snapshot};
use crate::model::{EventKind, Situation, fold};

/// At most this many faults and problems of each list are kept (the first ones).
const MAX_LISTED: usize = 100;

/// An event whose stored payload cannot be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreadable {
    /// Seq.
    pub seq: u64,
    /// Kind column.
    pub kind: String,
    /// Decoder message.
    pub reason: String,
}

/// An event the fold refuses (it is skipped by every reader).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refused {
    /// Seq.
    pub seq: u64,
    /// Kind tag.
    pub kind: String,
    /// Drill scope it was folded in (`None` = real situation).
    pub drill_id: Option<String>,
    /// The rule it broke.
    pub reason: String,
}

/// A snapshot that is not usable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadSnapshot {
    /// Seq of the snapshot.
    pub seq: u64,
    /// What is wrong.
    pub problem: String,
}

/// The result of a full walk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Events in the log.
    pub events: u64,
    /// Highest seq.
    pub last_seq: u64,
    /// Chain head (hex) after the last event.
    pub chain_head: String,
    /// Snapshots checked.
    pub snapshots: u64,
    /// Broken links in seq order (the first is the first broken link).
    pub chain_faults: Vec<ChainFault>,
    /// Payloads that cannot be decoded.
    pub unreadable: Vec<Unreadable>,
    /// Events the fold refuses.
    pub refused: Vec<Refused>,
    /// Snapshots that disagree with the log.
    pub bad_snapshots: Vec<BadSnapshot>,
}

impl VerifyReport {
    /// True when the chain is intact and every snapshot agrees with it (refused and unreadable
    /// events are reported but do not mean the history was changed).
    pub fn chain_ok(&self) -> bool {
        self.chain_faults.is_empty() && self.bad_snapshots.is_empty()
    }

    /// The first broken link, if any.
    pub fn first_broken(&self) -> Option<&ChainFault> {
        self.chain_faults.first()
    }
}

fn push<T>(list: &mut Vec<T>, item: T) {
    if list.len() < MAX_LISTED {
        list.push(item);
    }
}

/// Walk the whole log of `conn` (see the module docs).
pub fn verify(conn: &dyn super::db::LogDb) -> Result<VerifyReport, StoreError> {
    let mut report = VerifyReport {
        events: log::count_events(conn)?,
        last_seq: log::max_seq(conn)?,
        chain_head: String::new(),
        snapshots: 0,
        chain_faults: Vec::new(),
        unreadable: Vec::new(),
        refused: Vec::new(),
        bad_snapshots: Vec::new(),
    };
    // Snapshot rows by seq, compared with the fold when the walk reaches their seq.
    let mut snaps: BTreeMap<u64, (String, String, Option<String>)> = BTreeMap::new();
    for seq in conn.snapshot_seqs_desc(u64::MAX)? {
        if let Some(row) = conn.snapshot_row(seq)? {
            snaps.insert(seq, (row.situation, row.checksum, row.chain_head));
        }
    }
    report.snapshots = snaps.len() as u64;
    let mut head = ChainHead::default();
    let mut real = Situation::default();
    let mut drills: BTreeMap<String, Situation> = BTreeMap::new();
    log::for_each_raw(conn, 0, u64::MAX, |raw| {
        if let Err(fault) = head.advance(&raw) {
            push(&mut report.chain_faults, fault);
            // Resynchronise on the stored link so one fault does not hide the next ones.
            head = ChainHead {
                seq: raw.seq,
                hash: raw
                    .hash
                    .as_deref()
                    .and_then(ChainHash::from_hex)
                    .unwrap_or(ChainHash::GENESIS),
            };
        }
        let seq = raw.seq;
        match log::decode(raw) {
            Err(StoreError::BadPayload { seq, kind, reason }) => {
                push(&mut report.unreadable, Unreadable { seq, kind, reason });
                real.last_seq = real.last_seq.max(seq);
                for d in drills.values_mut() {
                    d.last_seq = d.last_seq.max(seq);
                }
            }
            Err(other) => return Err(other),
            Ok(ev) => {
                if let EventKind::DrillStarted { drill_id, .. } = &ev.kind {
                    let mut scoped = real.clone();
                    scoped.scope_drill_id = Some(drill_id.clone());
                    drills.insert(drill_id.clone(), scoped);
                }
                for (id, d) in drills.iter_mut() {
                    if let Err(e) = fold(d, &ev) {
                        if ev.drill_id.as_deref() == Some(id.as_str()) {
                            push(
                                &mut report.refused,
                                Refused {
                                    seq,
                                    kind: ev.kind.tag().to_owned(),
                                    drill_id: Some(id.clone()),
                                    reason: e.to_string(),
                                },
                            );
                        }
                        d.last_seq = d.last_seq.max(seq);
                    }
                }
                if let Err(e) = fold(&mut real, &ev) {
                    push(
                        &mut report.refused,
                        Refused {
                            seq,
                            kind: ev.kind.tag().to_owned(),
                            drill_id: None,
                            reason: e.to_string(),
                        },
                    );
                    real.last_seq = real.last_seq.max(seq);
                }
                if let EventKind::DrillEnded { drill_id } = &ev.kind {
                    drills.remove(drill_id);
                }
            }
        }
        if let Some((json, sum, recorded)) = snaps.remove(&seq)
            && let Some(problem) = snapshot_problem(&real, &head, &json, &sum, recorded.as_deref())
        {
            push(&mut report.bad_snapshots, BadSnapshot { seq, problem });
        }
        Ok(())
    })?;
    // Snapshots left over point past the end of the log or into a gap.
    for seq in snaps.keys() {
        push(
            &mut report.bad_snapshots,
            BadSnapshot {
                seq: *seq,
                problem: "its seq is not in the event log (events removed?)".into(),
            },
        );
    }
    report.chain_head = head.hash.to_hex();
    Ok(report)
}

/// What is wrong with a snapshot row against the walk at its seq (`None` when it agrees).
fn snapshot_problem(
    real: &Situation,
    head: &ChainHead,
    json: &str,
    sum: &str,
    recorded: Option<&str>,
) -> Option<String> {
    if snapshot::checksum(json) != sum {
        return Some("checksum mismatch (torn or edited row)".into());
    }
    if recorded.and_then(ChainHash::from_hex) != Some(head.hash) {
        return Some("records another chain head than the log".into());
    }
    let stored: Situation = match serde_json::from_str(json) {
        Ok(s) => s,
        Err(e) => return Some(format!("unreadable situation JSON: {e}")),
    };
    // A snapshot of an older fold is refolded by readers, so its content is not compared.
    if stored.fold_version < crate::model::situation::FOLD_VERSION {
        return None;
    }
    let (a, b) = (serde_json::to_value(&stored).ok(), serde_json::to_value(real).ok());
    (a != b).then(|| "differs from the fold of the log at its seq".into())
}

/// Verify the store file at `path` without writing (see [`super::schema::open_existing_read_only`]).
pub fn verify_file(path: &Path, busy_timeout_ms: u64) -> Result<VerifyReport, StoreError> {
    let conn = super::schema::open_existing_read_only(path, busy_timeout_ms)?;
    verify(&conn)
}
