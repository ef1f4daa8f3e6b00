//! The PostgreSQL backend against a real server (packaging/pg-test-server.sh): the CLI on a
//! `postgres://` URL, append-only and seats' role enforcement by the server, newer-schema
//! refusal, UNIQUE-conflict retries between seats, the dispatch race's reassignment offer, four
//! seat processes for 30 s, a seat SIGKILLed mid-batch, and `db copy` file → server → file (and
//! into an empty file or store, without the server).
#![allow(clippy::unwrap_used)]

mod common;

use common::pg::{client, fresh_db};
use common::{demo_db, fails_with, ok, ok_json as json, onemap};
use onemap::backend::store::{Intent, Refused, execute_intent};
use onemap::dispatch::DispatchRequest;
use onemap::model::event::EventKind;
use onemap::model::incident::IncidentDraft;
use onemap::model::incident::{Caller, IncidentType, Severity};
use onemap::model::lonlat::LonLat;
use onemap::store::Store;

#[test]
fn pg_cli_init_status_verify_and_the_servers_refusals() {
    let Some(db) = fresh_db("cli") else { return };
    let pack = common::xsbn_pack().to_str().unwrap().to_string();
    ok(&onemap(&["db", "init", "--db", &db.owner]));
    ok(&onemap(&["demo", "load", "--db", &db.owner, "--pack", &pack]));
    let status = json(&onemap(&["db", "status", "--db", &db.owner, "--json"]));
    assert_eq!(status["backend"], "postgres");
    assert_eq!(status["schema_version"], 3);
    let events = status["events"].as_u64().unwrap();
    assert!(events > 100, "{status}");
    assert_eq!(status["last_seq"].as_u64(), Some(events));
    let verify = json(&onemap(&["db", "verify", "--db", &db.owner, "--json"]));
    assert_eq!(verify["ok"], true, "{verify}");
    // Independent check of the stored rows: gapless 1..=n, and every row carries operator/seat.
    let mut c = client(&db.owner);
    let rows = c
        .query("SELECT seq, operator, seat FROM events ORDER BY seq", &[])
        .unwrap();
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.get::<_, i64>(0), i as i64 + 1);
        assert!(!r.get::<_, String>(1).is_empty() && !r.get::<_, String>(2).is_empty());
    }
    // `db init` refuses a database that holds events.
    fails_with(&onemap(&["db", "init", "--db", &db.owner]), "not empty");
    // No password on the command line.
    let with_pw = db.owner.replace("onemap_owner@", "onemap_owner:secret@");
    fails_with(&onemap(&["events", "--db", &with_pw]), ".pgpass");
    // Append-only: the trigger refuses UPDATE and DELETE even to the owner ...
    let e = c
        .execute("UPDATE events SET seat = 'x' WHERE seq = 1", &[])
        .unwrap_err();
    assert!(format!("{e:?}").contains("append-only"), "{e:?}");
    let e = c.execute("DELETE FROM events WHERE seq = 1", &[]).unwrap_err();
    assert!(format!("{e:?}").contains("append-only"), "{e:?}");
    // ... and the seats' role has no such privilege at all, but reads and the CLI work.
    let mut seat = client(&db.seat);
    let e = seat
        .execute("UPDATE events SET seat = 'x' WHERE seq = 1", &[])
        .unwrap_err();
    assert!(format!("{e:?}").contains("permission denied"), "{e:?}");
    let n: i64 = seat.query_one("SELECT count(*) FROM events", &[]).unwrap().get(0);
    assert_eq!(n as u64, events);
    ok(&onemap(&["unit", "status", "--db", &db.seat, "1", "out_of_service"]));
    // A gap is refused by the server too.
    let e = c
        .execute(
            "INSERT INTO events(seq, ts_utc, operator, seat, kind, payload, hash) VALUES ($1, 'x', 'x', 'x', 'x', '{}', $2)",
            &[&(events as i64 + 5), &"0".repeat(64)],
        )
        .unwrap_err();
    assert!(format!("{e:?}").contains("gapless"), "{e:?}");
    // A database written by a newer OneMap is refused with a clear message, nothing written.
    c.execute("UPDATE onemap_meta SET value = '99' WHERE key = 'schema_version'", &[])
        .unwrap();
    common::fails_with_code(&onemap(&["events", "--db", &db.owner]), 3, "newer than this program");
    let after: i64 = c.query_one("SELECT count(*) FROM events", &[]).unwrap().get(0);
    assert_eq!(after as u64, events + 1);
}

/// `db init`, then units 1 and 2 (the bench seats report positions for them), via one short
/// `bench seats` run.
fn init_with_units(url: &str) {
    ok(&onemap(&["db", "init", "--db", url]));
    ok(&onemap(&[
        "bench",
        "seats",
        "--db",
        url,
        "--seats",
        "1",
        "--seconds",
        "1",
        "--json",
    ]));
}

fn draft(lon: f64) -> Intent {
    Intent::ReportIncident(IncidentDraft {
        incident_type: IncidentType::LandslideDebrisFlow,
        severity: Severity::III,
        lonlat: LonLat::from_deg(lon, 21.98).unwrap(),
        address: "test".into(),
        caller: Caller {
            name: "张三".into(),
            phone: "1".into(),
        },
        notes: String::new(),
    })
}

#[test]
fn pg_dispatch_race_across_two_seats_gives_the_reassignment_offer() {
    let Some(db) = fresh_db("race") else { return };
    let pack = common::xsbn_pack().to_str().unwrap().to_string();
    ok(&onemap(&["db", "init", "--db", &db.owner]));
    ok(&onemap(&["demo", "load", "--db", &db.owner, "--pack", &pack]));
    let mut a = Store::open(&db.seat).unwrap();
    let mut b = Store::open(&db.seat).unwrap();
    let ours = execute_intent(&mut a, "李四", "seat-A", &draft(100.60))
        .unwrap()
        .incident
        .unwrap();
    let theirs = execute_intent(&mut b, "王五", "seat-B", &draft(100.45))
        .unwrap()
        .incident
        .unwrap();
    let u = b
        .cached_situation()
        .units
        .values()
        .find(|u| !u.status.is_committed() && u.status == onemap::model::unit::UnitStatus::Available)
        .unwrap()
        .id;
    // B commits U; A's cached situation does not know yet.
    execute_intent(
        &mut b,
        "王五",
        "seat-B",
        &Intent::Dispatch(DispatchRequest::units(theirs, vec![u])),
    )
    .unwrap();
    assert!(
        !a.cached_situation().units[&u].status.is_committed(),
        "A's copy is stale"
    );
    let before = b.last_seq().unwrap();
    let refused = execute_intent(
        &mut a,
        "李四",
        "seat-A",
        &Intent::Dispatch(DispatchRequest::units(ours, vec![u])),
    );
    let Err(Refused::Reassign(offer)) = refused else {
        panic!("expected the reassignment offer, got {refused:?}")
    };
    assert_eq!(offer.committed.len(), 1);
    assert_eq!((offer.committed[0].unit, offer.committed[0].incident), (u, theirs));
    assert!(offer.request.reassign);
    assert_eq!(b.last_seq().unwrap(), before, "the refusal wrote nothing");
    let dispatched = |s: &Store| {
        s.events_since(0)
            .unwrap()
            .iter()
            .filter(|e| matches!(&e.kind, EventKind::UnitDispatched { unit, .. } if *unit == u))
            .count()
    };
    assert_eq!(dispatched(&a), 1);
    // Accepting the offer releases and re-dispatches in one transaction.
    execute_intent(&mut a, "李四", "seat-A", &Intent::Dispatch(offer.request)).unwrap();
    assert_eq!(b.situation().unwrap().units[&u].assignment, Some(ours));
    assert_eq!(dispatched(&b), 2);
}

/// Two seats append at once through separate connections: each append states its last seen seq
/// (as `base + 1`); the loser of a race fails on the primary key, folds, rebuilds with the same
/// closure and retries. Nothing lost, nothing doubled, the chain intact.
#[test]
fn pg_concurrent_seats_retry_on_the_unique_conflict_and_lose_nothing() {
    let Some(db) = fresh_db("conflict") else { return };
    init_with_units(&db.owner);
    let start = Store::open(&db.owner).unwrap().last_seq().unwrap();
    const N: u64 = 150;
    let threads: Vec<_> = (0..2u64)
        .map(|t| {
            let url = db.seat.clone();
            std::thread::spawn(move || {
                let mut s = Store::open(&url).unwrap();
                let mut builds = 0u64;
                let mut seqs = Vec::new();
                for i in 0..N {
                    let lon = 100.5 + (t * 1000 + i) as f64 * 1e-5;
                    let got = s
                        .append_with("t", &format!("seat-{t}"), None, |sit| {
                            builds += 1;
                            // Built from the situation as of the seq this append will follow.
                            assert!(sit.last_seq >= start);
                            Ok(vec![EventKind::UnitPositionReported {
                                unit: onemap::model::ids::UnitId(1 + (i % 2) as u32),
                                lonlat: LonLat::from_deg(lon, 22.0).unwrap(),
                            }])
                        })
                        .unwrap();
                    seqs.extend(got);
                }
                (seqs, builds)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut builds = 0;
    for t in threads {
        let (s, b) = t.join().unwrap();
        builds += b;
        all.extend(s);
    }
    all.sort_unstable();
    assert_eq!(
        all,
        (start + 1..=start + 2 * N).collect::<Vec<_>>(),
        "every ack once, gapless"
    );
    let s = Store::open(&db.owner).unwrap();
    assert_eq!(s.last_seq().unwrap(), start + 2 * N);
    assert!(s.verify().unwrap().chain_ok());
    eprintln!("{builds} builds for {} appends", 2 * N);
}

#[test]
fn pg_four_seat_processes_for_30_seconds_lose_and_double_nothing() {
    let Some(db) = fresh_db("four_seats") else { return };
    ok(&onemap(&["db", "init", "--db", &db.owner]));
    let r = json(&onemap(&[
        "bench",
        "seats",
        "--db",
        &db.owner,
        "--seats",
        "4",
        "--seconds",
        "30",
        "--json",
    ]));
    eprintln!("{r}");
    assert!(r["acknowledged"].as_u64().unwrap() > 100, "{r}");
    assert_eq!(r["stored"], r["acknowledged"], "{r}");
    assert_eq!(r["lost"], 0, "{r}");
    assert_eq!(r["duplicates"], 0, "{r}");
    assert_eq!(r["gapless"], true, "{r}");
    assert_eq!(r["seat_folds_equal"], 4, "every seat's fold equals the log's: {r}");
    // Independently: the rows on the server.
    let mut c = client(&db.owner);
    let (n, max): (i64, Option<i64>) = {
        let row = c.query_one("SELECT count(*), max(seq) FROM events", &[]).unwrap();
        (row.get(0), row.get(1))
    };
    assert_eq!(Some(n), max, "gapless on the server");
}

#[test]
fn pg_a_seat_killed_mid_batch_leaves_all_or_nothing_of_it() {
    let Some(db) = fresh_db("sigkill") else { return };
    init_with_units(&db.owner);
    for round in 0..3 {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_onemap"))
            .args([
                "bench",
                "seat-worker",
                "--seat-no",
                "0",
                "--seconds",
                "60",
                "--seat",
                "doomed",
                "--db",
            ])
            .arg(&db.seat)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1200 + 300 * round));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    let mut c = client(&db.owner);
    let doomed: i64 = c
        .query_one("SELECT count(*) FROM events WHERE seat = 'doomed'", &[])
        .unwrap()
        .get(0);
    assert!(doomed > 0);
    // Batches are 10 events in one transaction: never a part of one.
    let partial: i64 = c
        .query_one(
            "SELECT count(*) FROM (SELECT ts_utc FROM events WHERE seat = 'doomed' GROUP BY ts_utc HAVING count(*) % 10 <> 0) p",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(partial, 0, "a batch was cut");
    assert_eq!(doomed % 10, 0);
    let s = Store::open(&db.owner).unwrap();
    assert!(s.verify().unwrap().chain_ok());
    assert_eq!(s.event_count().unwrap(), s.last_seq().unwrap());
}

#[test]
fn pg_db_copy_round_trip_gives_byte_identical_events() {
    let Some(db) = fresh_db("copy") else { return };
    let demo = demo_db();
    common::flood_at(&demo.db, &demo.pack, "100.8,22.0");
    let back = demo.dir.path().join("back.db");
    let back = back.to_str().unwrap();
    let r = json(&onemap(&[
        "db", "copy", "--from", &demo.db, "--to", &db.owner, "--json",
    ]));
    assert_eq!(r["same_situation"], true);
    ok(&onemap(&["db", "copy", "--from", &db.owner, "--to", back]));
    let a = ok(&onemap(&["events", "--db", &demo.db]));
    let b = ok(&onemap(&["events", "--db", back]));
    assert!(a.lines().count() > 300);
    assert_eq!(a, b, "byte-identical `onemap events`");
    let v = json(&onemap(&["db", "verify", "--db", &db.owner, "--json"]));
    assert_eq!(v["ok"], true);
    // A non-empty target is refused, nothing written.
    fails_with(
        &onemap(&["db", "copy", "--from", &demo.db, "--to", &db.owner]),
        "not empty",
    );
}

/// `db copy` into a file: an existing 0-byte file or an initialised store without events is a
/// fine target (the copy prints the same `onemap events`); a store holding events and a foreign
/// file are refused with nothing written (their bytes unchanged). No server needed.
#[test]
fn db_copy_takes_an_empty_file_or_empty_store_and_refuses_a_non_empty_one() {
    let demo = demo_db();
    let at = |n: &str| demo.dir.path().join(n).to_str().unwrap().to_string();
    let source_events = ok(&onemap(&["events", "--db", &demo.db]));
    let (zero, inited) = (at("zero.db"), at("inited.db"));
    std::fs::write(&zero, b"").unwrap();
    ok(&onemap(&["db", "init", "--db", &inited]));
    for target in [&zero, &inited] {
        let r = json(&onemap(&["db", "copy", "--from", &demo.db, "--to", target, "--json"]));
        assert_eq!(r["same_situation"], true, "{target}");
        assert_eq!(ok(&onemap(&["events", "--db", target])), source_events, "{target}");
    }
    // Refused: a store that holds events (the copy just made), and a file that is not a store.
    let foreign = at("notes.txt");
    std::fs::write(&foreign, "值班记录 duty notes\n").unwrap();
    // Exit 1 for the refused target, 3 for a file that is not a OneMap database.
    for (target, code, why) in [(&zero, 1, "not empty"), (&foreign, 3, "not a OneMap database")] {
        let before = std::fs::read(target).unwrap();
        let out = onemap(&["db", "copy", "--from", &demo.db, "--to", target]);
        let line = common::fails_with_code(&out, code, why);
        assert!(line.contains(target.as_str()), "names the target: {line}");
        assert_eq!(std::fs::read(target).unwrap(), before, "nothing written to {target}");
    }
}

/// A loopback TCP proxy in front of the test server that, when armed, forwards the next
/// `COMMIT` to the server and then cuts both connections without passing the server's answer
/// back: the transaction is committed, but the seat never hears so.
struct CommitCutter {
    port: u16,
    armed: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl CommitCutter {
    fn start(server_port: u16) -> CommitCutter {
        use std::io::{Read, Write};
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let armed = Arc::new(AtomicBool::new(false));
        let armed2 = Arc::clone(&armed);
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(mut client) = client else { continue };
                let Ok(mut server) = std::net::TcpStream::connect(("127.0.0.1", server_port)) else {
                    continue;
                };
                let mute = Arc::new(AtomicBool::new(false));
                let (mut c2, mut s2, mute2) = (
                    client.try_clone().unwrap(),
                    server.try_clone().unwrap(),
                    Arc::clone(&mute),
                );
                // Server → seat, silenced once the COMMIT went through.
                std::thread::spawn(move || {
                    let mut buf = [0u8; 65536];
                    while let Ok(n) = s2.read(&mut buf) {
                        if n == 0 || mute2.load(Ordering::SeqCst) || c2.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                });
                let armed = Arc::clone(&armed2);
                // Seat → server; a simple-query `COMMIT` message while armed is the cut.
                std::thread::spawn(move || {
                    const COMMIT: &[u8] = b"Q\0\0\0\x0bCOMMIT\0";
                    let mut buf = [0u8; 65536];
                    while let Ok(n) = client.read(&mut buf) {
                        if n == 0 {
                            break;
                        }
                        let cut =
                            buf[..n].windows(COMMIT.len()).any(|w| w == COMMIT) && armed.swap(false, Ordering::SeqCst);
                        if cut {
                            mute.store(true, Ordering::SeqCst);
                        }
                        if server.write_all(&buf[..n]).is_err() {
                            break;
                        }
                        if cut {
                            std::thread::sleep(std::time::Duration::from_millis(500));
                            let _ = server.shutdown(std::net::Shutdown::Both);
                            let _ = client.shutdown(std::net::Shutdown::Both);
                            break;
                        }
                    }
                });
            }
        });
        CommitCutter { port, armed }
    }
}

/// The connection drops after the server committed but before the seat heard so: the seat
/// reconnects, finds its events stored exactly as sent and reports success (not a failure
/// that would be retried into a double dispatch). Independent check: the server's own rows.
#[test]
fn pg_commit_answer_lost_is_resolved_by_reading_back_not_doubled() {
    let Some(db) = fresh_db("in_doubt") else { return };
    ok(&onemap(&["db", "init", "--db", &db.owner]));
    // postgres://onemap_seat@127.0.0.1:PORT/t_in_doubt
    let (head, tail) = db.seat.rsplit_once(':').unwrap();
    let (port, path) = tail.split_once('/').unwrap();
    let cutter = CommitCutter::start(port.parse().unwrap());
    let via = format!("{head}:{}/{path}", cutter.port);
    let mut seat = Store::open(&via).unwrap();
    execute_intent(&mut seat, "李四", "seat-A", &draft(100.60)).unwrap();
    let before = seat.last_seq().unwrap();
    cutter.armed.store(true, std::sync::atomic::Ordering::SeqCst);
    let reply = execute_intent(&mut seat, "李四", "seat-A", &draft(100.45)).unwrap();
    assert!(
        !cutter.armed.load(std::sync::atomic::Ordering::SeqCst),
        "the COMMIT went through the cutter"
    );
    let second = reply.incident.unwrap();
    let mut direct = client(&db.seat);
    let rows = direct
        .query(
            "SELECT seq, kind FROM events WHERE seq > $1 ORDER BY seq",
            &[&i64::try_from(before).unwrap()],
        )
        .unwrap();
    let kinds: Vec<String> = rows.iter().map(|r| r.get::<_, String>(1)).collect();
    assert_eq!(kinds.len(), 1, "stored once: {kinds:?}");
    assert_eq!(seat.situation().unwrap().incidents.len(), 2);
    assert!(seat.situation().unwrap().incidents.contains_key(&second));
    // The seat carries on over a fresh connection.
    execute_intent(&mut seat, "李四", "seat-A", &draft(100.50)).unwrap();
    assert_eq!(seat.situation().unwrap().incidents.len(), 3);
}
