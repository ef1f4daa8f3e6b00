//! Alerts scenarios shared by the SQLite (tests/ui_alerts.rs) and PostgreSQL (tests/pg_alerts.rs)
//! tests: two seats on one database, one poller lease.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use onemap::alerts::ingest::sha256_hex;
use onemap::backend::alerts::PollerStatus;
use onemap::model::EventKind;
use onemap::store::Store;
use onemap::ui::{Database, OneMapApp};

use super::ui::{console_on, step_until};

/// A console on `pack` and the database `db` (file or URL) at seat `seat`.
pub fn seat_console(pack: &Path, db: &Path, seat: &str) -> Harness<'static, OneMapApp> {
    let (db, seat) = (db.to_path_buf(), seat.to_owned());
    let mut h = console_on(pack, egui::vec2(1400.0, 1000.0), move |ctx, app| {
        app.settings.seat = seat;
        app.attach_database(ctx, Database::File(db));
    });
    step_until(&mut h, "the store to open", |a| a.has_store());
    h
}

/// What this seat knows about the poller.
pub fn poller(h: &Harness<'static, OneMapApp>) -> Option<PollerStatus> {
    h.state().alerts.worker.as_ref().and_then(|w| w.status().poller)
}

/// Write into the drop folder the way another program should: a temporary name, then a rename.
pub fn drop_into(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::create_dir_all(dir).unwrap();
    let tmp = dir.join(format!("{name}.part"));
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, dir.join(name)).unwrap();
}

/// The AlertReceived events of the log for a document with these bytes: (seat, decision).
pub fn arrivals_of(db: &Path, bytes: &[u8]) -> Vec<(String, onemap::model::alert::AlertDecision)> {
    let sha = sha256_hex(bytes);
    Store::open(db)
        .unwrap()
        .events_since(0)
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::AlertReceived { sha256, decision, .. } if sha256 == sha => Some((e.seat, decision)),
            _ => None,
        })
        .collect()
}

/// Step both seats until each sees the same holder and exactly one of them is it; returns
/// (poller, other) as indexes into `[a, b]`.
fn settled(hs: &mut [Harness<'static, OneMapApp>; 2]) -> (usize, usize) {
    let start = Instant::now();
    loop {
        for h in hs.iter_mut() {
            h.run_steps(1);
        }
        let p = [poller(&hs[0]), poller(&hs[1])];
        if let [Some(a), Some(b)] = &p
            && a.holder.is_some()
            && a.holder == b.holder
            && a.this_seat != b.this_seat
        {
            return if a.this_seat { (0, 1) } else { (1, 0) };
        }
        assert!(start.elapsed() < Duration::from_secs(20), "no single poller: {p:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Two seats (`seat-A`, `seat-B`) on `db` with the drop folder `inbox`: exactly one polls and
/// both say which; `first` dropped is logged exactly once (by the poller); when the poller's
/// console goes away the other takes over within a bounded time and imports `second`.
pub fn one_poller_for_the_room(pack: &Path, db: &Path, inbox: &Path, first: &[u8], second: &[u8]) {
    let mut hs = [seat_console(pack, db, "seat-A"), seat_console(pack, db, "seat-B")];
    let (p, o) = settled(&mut hs);
    let names = ["seat-A", "seat-B"];
    let holder = poller(&hs[o]).unwrap().holder.unwrap();
    assert_eq!(holder.seat, names[p]);
    // The other seat's 来源 tab names the poller.
    hs[o].get_by_label("预警").click();
    hs[o].run_steps(2);
    hs[o].get_by_label("来源").click();
    hs[o].run_steps(2);
    let line = format!("负责轮询与投放文件夹的席位：{}，自", names[p]);
    assert!(hs[o].query_by_label_contains(&line).is_some(), "{line}");

    drop_into(inbox, "first.cap", first);
    for h in hs.iter_mut() {
        step_until(h, "the first arrival on both seats", |a| a.situation.last_seq > 0);
    }
    // Give the other seat time to (wrongly) pick it up too: several scans.
    let until = Instant::now() + Duration::from_secs(2);
    while Instant::now() < until {
        for h in hs.iter_mut() {
            h.run_steps(1);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let got = arrivals_of(db, first);
    assert_eq!(got.len(), 1, "logged exactly once: {got:?}");
    assert_eq!(got[0].0, names[p], "by the poller");
    assert!(inbox.join("imported").join("first.cap").is_file());

    // The poller's console goes away; the other takes the lease within a bounded time.
    let [a, b] = hs;
    let (mut survivor, gone) = if p == 0 { (b, a) } else { (a, b) };
    let dropped_at = Instant::now();
    drop(gone);
    let start = Instant::now();
    while !poller(&survivor).is_some_and(|s| s.this_seat) {
        survivor.run_steps(1);
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no takeover: {:?}",
            poller(&survivor)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let took = dropped_at.elapsed();
    assert!(took < Duration::from_secs(5), "took over after {took:?}");
    drop_into(inbox, "second.cap", second);
    let start = Instant::now();
    while arrivals_of(db, second).is_empty() {
        survivor.run_steps(1);
        assert!(start.elapsed() < Duration::from_secs(15), "the survivor did not import");
        std::thread::sleep(Duration::from_millis(100));
    }
    let got = arrivals_of(db, second);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, names[o], "imported by the seat that took over");
}

/// The bundled pack copied with `drop_folder = "<dir>"` in its alerts.toml (an absolute folder).
pub fn pack_with_drop_folder(dir: &Path) -> (tempfile::TempDir, PathBuf) {
    let copy = super::copy_pack(&super::xsbn_pack());
    let toml = copy.path().join("alerts.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, format!("drop_folder = {:?}\n{text}", dir.display().to_string())).unwrap();
    let path = copy.path().to_path_buf();
    (copy, path)
}
