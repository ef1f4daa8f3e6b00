//! Tamper-evidence tests on real SQLite files: bytes flipped in the file, events deleted and
//! renumbered behind the triggers' back, a snapshot's head edited, an unreadable payload, the
//! v2 → v3 migration, read-only opening of 0-byte and foreign files.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use rusqlite::Connection;

use super::chain::{ChainFault, ChainHead, RawEvent};
use super::*;
use crate::model::synth::synthetic_kinds;

fn opts(snapshot_every: u64) -> StoreOptions {
    StoreOptions {
        snapshot_every,
        durability: Durability::Normal,
        ..StoreOptions::default()
    }
}

fn make(path: &Path, n: u64, every: u64) -> Situation {
    let mut s = Store::open_with(path, opts(every)).unwrap();
    for k in synthetic_kinds(n) {
        s.append("op", "seat-1", None, k).unwrap();
    }
    s.situation().unwrap().clone()
}

fn raw_rows(path: &Path) -> Vec<RawEvent> {
    let c = Connection::open(path).unwrap();
    let mut out = Vec::new();
    log::for_each_raw(&c, 0, u64::MAX, |r| {
        out.push(r);
        Ok(())
    })
    .unwrap();
    out
}

/// Independent oracle: seal the rows from scratch with the chain's documented layout.
fn oracle_heads(rows: &[RawEvent]) -> Vec<String> {
    let mut head = ChainHead::default();
    rows.iter()
        .map(|r| {
            let mut r = r.clone();
            head.seal(&mut r);
            r.hash.unwrap()
        })
        .collect()
}

fn chain_fault(e: StoreError) -> ChainFault {
    match e {
        StoreError::Chain(f) => f,
        other => panic!("expected a chain fault, got {other}"),
    }
}

#[test]
fn stored_hashes_match_an_independent_sealing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    make(&path, 40, 16);
    let rows = raw_rows(&path);
    assert_eq!(rows.len(), 40);
    let stored: Vec<String> = rows.iter().map(|r| r.hash.clone().unwrap()).collect();
    assert_eq!(stored, oracle_heads(&rows));
    let report = verify::verify_file(&path, 1000).unwrap();
    assert!(report.chain_ok(), "{report:?}");
    assert_eq!(report.snapshots, 2);
    assert!(report.refused.is_empty() && report.unreadable.is_empty(), "{report:?}");
    assert_eq!(report.chain_head, stored[39]);
}

#[test]
fn a_flipped_byte_in_an_old_event_is_found_at_open_and_by_verify() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    make(&path, 30, 1000);
    // Closing the last connection checkpoints the WAL into the file; flip one byte of the
    // payload of an early event directly in the file.
    let rows = raw_rows(&path);
    let target = &rows[4];
    let mut bytes = std::fs::read(&path).unwrap();
    let payload = target.payload.as_bytes();
    // Change a digit inside the payload at every place the text occurs (a page split can leave
    // a stale copy in free space; the live row must change).
    let off = payload.iter().rposition(|b| b.is_ascii_digit()).unwrap();
    let flipped = if payload[off] == b'9' { b'8' } else { payload[off] + 1 };
    let hits: Vec<usize> = bytes
        .windows(payload.len())
        .enumerate()
        .filter(|(_, w)| *w == payload)
        .map(|(i, _)| i)
        .collect();
    assert!(!hits.is_empty(), "payload stored verbatim in the file");
    for at in hits {
        bytes[at + off] = flipped;
    }
    std::fs::write(&path, &bytes).unwrap();
    let before = std::fs::read(&path).unwrap();
    let e = Store::open(&path).unwrap_err();
    assert_eq!(chain_fault(e), ChainFault::Mismatch { seq: 5 });
    let e = Store::open_read_only(&path).unwrap_err();
    assert_eq!(chain_fault(e), ChainFault::Mismatch { seq: 5 });
    assert_eq!(std::fs::read(&path).unwrap(), before, "refusal writes nothing");
    let report = verify::verify_file(&path, 1000).unwrap();
    assert_eq!(report.first_broken(), Some(&ChainFault::Mismatch { seq: 5 }));
}

#[test]
fn deleted_and_renumbered_events_and_edited_snapshots_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    make(&path, 30, 10);
    let c = Connection::open(&path).unwrap();
    // A snapshot whose recorded head was changed: refused at open.
    c.execute("UPDATE snapshots SET chain_head = ?1 WHERE seq = 30", [&"0".repeat(64)])
        .unwrap();
    assert_eq!(
        chain_fault(Store::open(&path).unwrap_err()),
        ChainFault::SnapshotHead { seq: 30 }
    );
    let report = verify::verify_file(&path, 1000).unwrap();
    assert_eq!(report.bad_snapshots.len(), 1, "{report:?}");
    assert_eq!(report.bad_snapshots[0].seq, 30);
    c.execute("DELETE FROM snapshots WHERE seq = 30", []).unwrap();
    // Delete event 25 behind the trigger's back (an attacker can drop triggers).
    c.execute_batch("DROP TRIGGER events_no_delete; DROP TRIGGER events_no_update; DELETE FROM events WHERE seq = 25;")
        .unwrap();
    assert_eq!(
        chain_fault(Store::open(&path).unwrap_err()),
        ChainFault::Gap { after: 24, next: 26 }
    );
    // Renumber: move the last event down into the hole.
    c.execute_batch("UPDATE events SET seq = 25 WHERE seq = 30;").unwrap();
    let report = verify::verify_file(&path, 1000).unwrap();
    assert!(!report.chain_ok());
    assert!(
        report
            .chain_faults
            .iter()
            .any(|f| matches!(f, ChainFault::Renumbered { .. } | ChainFault::Mismatch { seq: 25 })),
        "{report:?}"
    );
    assert!(
        report.bad_snapshots.iter().all(|b| b.seq != 10 && b.seq != 20),
        "older snapshots still agree: {report:?}"
    );
}

#[test]
fn an_unreadable_event_is_reported_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    make(&path, 12, 1000);
    // The last event as a newer OneMap might write it: a kind this program does not know,
    // correctly sealed (so the chain is intact).
    let rows = raw_rows(&path);
    let c = Connection::open(&path).unwrap();
    let mut head = log::stored_head(&c, 11).unwrap();
    let mut last = rows[11].clone();
    last.kind = "from_the_future".into();
    last.payload = r#"{"kind":"from_the_future","x":1}"#.into();
    head.seal(&mut last);
    c.execute_batch("DROP TRIGGER events_no_update;").unwrap();
    c.execute(
        "UPDATE events SET kind = ?1, payload = ?2, hash = ?3 WHERE seq = 12",
        rusqlite::params![last.kind, last.payload, last.hash],
    )
    .unwrap();
    let store = Store::open_read_only(&path).unwrap();
    assert!(
        store.warnings().iter().any(|w| w.contains("seq 12")),
        "{:?}",
        store.warnings()
    );
    let (events, bad) = store.events_since_lenient(0).unwrap();
    assert_eq!(events.len(), 11);
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].seq, 12);
    let report = store.verify().unwrap();
    assert!(report.chain_ok(), "{report:?}");
    assert_eq!(report.unreadable.len(), 1);
}

#[test]
fn a_v2_database_migrates_by_computing_the_chain_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let live = make(&path, 25, 10);
    // Turn it back into a v2 file: drop the v3 columns and triggers.
    let c = Connection::open(&path).unwrap();
    c.execute_batch(
        "DROP TRIGGER events_need_hash; DROP TRIGGER events_no_update;
         ALTER TABLE events DROP COLUMN hash; ALTER TABLE snapshots DROP COLUMN chain_head;
         CREATE TRIGGER events_no_update BEFORE UPDATE ON events
             BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE refused'); END;
         PRAGMA user_version = 2;",
    )
    .unwrap();
    drop(c);
    // A read-only command migrates it (short write transaction), then reads.
    let mut store = Store::open_read_only(&path).unwrap();
    assert_eq!(store.situation().unwrap(), &live);
    drop(store);
    let rows = raw_rows(&path);
    let stored: Vec<String> = rows.iter().map(|r| r.hash.clone().unwrap()).collect();
    assert_eq!(stored, oracle_heads(&rows));
    assert!(verify::verify_file(&path, 1000).unwrap().chain_ok());
    // Appends continue the chain.
    let mut store = Store::open(&path).unwrap();
    for k in synthetic_kinds(26).into_iter().skip(25) {
        store.append("op", "seat-1", None, k).unwrap();
    }
    assert!(store.verify().unwrap().chain_ok());
}

#[test]
fn read_only_commands_never_initialise_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    for e in [
        Store::open_read_only(&empty).unwrap_err(),
        Store::open(&empty).unwrap_err(),
    ] {
        assert!(matches!(e, StoreError::NotOneMap { .. }), "{e}");
        assert!(e.to_string().contains("0-byte"), "{e}");
    }
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0);
    // An empty SQLite file (no OneMap identity) is not a store for readers either.
    let sqlite = dir.path().join("blank.db");
    Connection::open(&sqlite).unwrap().execute_batch("VACUUM;").unwrap();
    let before = std::fs::read(&sqlite).unwrap();
    assert!(Store::open_read_only(&sqlite).is_err());
    assert_eq!(std::fs::read(&sqlite).unwrap(), before);
    // Only init initialises.
    Store::init(&empty).unwrap();
    assert!(Store::open_read_only(&empty).is_ok());
}

#[cfg(unix)]
#[test]
fn database_files_are_private_whatever_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.db");
    make(&path, 3, 1000);
    assert_eq!(crate::private_fs::mode_of(&path).unwrap(), 0o600);
    // A store created world-readable by an older version is tightened on open.
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(crate::private_fs::mode_of(&path).unwrap(), 0o600);
    let wal = dir.path().join("p.db-wal");
    if wal.exists() {
        assert_eq!(
            crate::private_fs::mode_of(&wal).unwrap() & 0o077,
            0,
            "WAL follows the database"
        );
    }
    drop(s);
}
