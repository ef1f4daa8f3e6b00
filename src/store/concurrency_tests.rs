//! Durability and concurrency tests: a child process appending in a loop is SIGKILLed at random
//! moments (every acknowledged seq must survive, gapless, integrity ok); two writers with
//! separate connections append at once and lose nothing.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::*;
use crate::model::synth::synthetic_kinds;
use crate::model::{LonLat, UnitId};

const CHILD_ENV: &str = "ONEMAP_STORE_CRASH_CHILD_DB";

fn position(i: u64) -> EventKind {
    let lon = 100.7 + (i % 1000) as f64 * 1e-4;
    EventKind::UnitPositionReported {
        unit: UnitId(1 + (i % 2) as u32),
        lonlat: LonLat::from_deg(lon, 22.0).unwrap(),
    }
}

/// Not a test on its own: when spawned by `crash_kill_loses_no_acknowledged_event` with
/// [`CHILD_ENV`] set, appends forever and prints `ACK <seq>` after each commit.
#[test]
fn crash_child_process() {
    let Ok(path) = std::env::var(CHILD_ENV) else { return };
    let mut store = Store::open(&path).unwrap();
    let mut i = 0u64;
    loop {
        i += 1;
        if i.is_multiple_of(10) {
            let seqs = store
                .append_batch("child", "seat-c", None, (0..5).map(|k| position(i + k)).collect())
                .unwrap();
            for s in seqs {
                println!("ACK {s}");
            }
        } else {
            let s = store.append("child", "seat-c", None, position(i)).unwrap();
            println!("ACK {s}");
        }
    }
}

fn check_gapless(path: &Path) -> u64 {
    let store = Store::open(path).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let seqs: Vec<u64> = store.events_since(0).unwrap().iter().map(|e| e.seq).collect();
    let n = seqs.len() as u64;
    assert_eq!(seqs, (1..=n).collect::<Vec<u64>>(), "seq must be gapless and ordered");
    n
}

#[test]
fn crash_kill_loses_no_acknowledged_event() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    {
        let mut s = Store::open(&path).unwrap();
        s.append_batch("setup", "s", None, synthetic_kinds(4)).unwrap(); // station, warehouse, units 1–2
    }
    let exe = std::env::current_exe().unwrap();
    let full = concat!(module_path!(), "::crash_child_process");
    let test_name = full.split_once("::").map_or(full, |(_, rest)| rest);
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut total_acked = 0usize;
    for round in 0..5 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let kill_after = Duration::from_millis(30 + seed % 400);
        let mut child = Command::new(&exe)
            .args(["--exact", test_name, "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel::<u64>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(seq) = line.strip_prefix("ACK ").and_then(|s| s.trim().parse().ok()) {
                    let _ = tx.send(seq);
                }
            }
        });
        // Wait for the first acknowledgement, then kill at a random moment.
        let first = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("child never acknowledged an event");
        let started = Instant::now();
        while started.elapsed() < kill_after {
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        reader.join().unwrap();
        let mut acked = vec![first];
        acked.extend(rx.try_iter());
        total_acked += acked.len();
        let n = check_gapless(&path);
        let store = Store::open(&path).unwrap();
        let present: std::collections::BTreeSet<u64> = store.events_since(0).unwrap().iter().map(|e| e.seq).collect();
        for s in &acked {
            assert!(
                present.contains(s),
                "round {round}: acknowledged seq {s} lost (log has {n})"
            );
        }
        assert!(acked.windows(2).all(|w| w[0] < w[1]), "acks in order");
        assert!(n >= *acked.iter().max().unwrap());
    }
    eprintln!("crash test: {total_acked} acknowledged events over 5 SIGKILLs");
    assert!(total_acked >= 5, "children acknowledged {total_acked} events");
}

#[test]
fn two_writers_append_500_each_without_loss() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("conc.db");
    {
        let mut s = Store::open(&path).unwrap();
        s.append_batch("setup", "s", None, synthetic_kinds(4)).unwrap();
    }
    let handles: Vec<_> = (0..2u64)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut store = Store::open_with(&path, StoreOptions::default()).unwrap();
                let mut seqs = Vec::new();
                for i in 0..500 {
                    seqs.push(
                        store
                            .append(&format!("writer-{w}"), "s", None, position(i * 2 + w))
                            .unwrap(),
                    );
                }
                (seqs, store)
            })
        })
        .collect();
    let mut results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let n = check_gapless(&path);
    assert_eq!(n, 1004);
    let mut all: Vec<u64> = results.iter().flat_map(|(s, _)| s.clone()).collect();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 1000, "every append got its own seq");
    let store = Store::open(&path).unwrap();
    let per_writer = |w: &str| {
        store
            .events_since(0)
            .unwrap()
            .iter()
            .filter(|e| e.operator == w)
            .count()
    };
    assert_eq!((per_writer("writer-0"), per_writer("writer-1")), (500, 500));
    let final_sit = Situation::from_events(&store.events_since(0).unwrap()).unwrap();
    for (_, writer) in &mut results {
        // Each writer's live situation catches up with the other's events.
        assert_eq!(
            writer.situation().unwrap(),
            &final_sit,
            "both live situations converge to the log's fold"
        );
    }
}
