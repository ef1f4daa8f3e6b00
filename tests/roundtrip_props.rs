//! Property tests where a reader has a writer: the CAP writer ↔ the CAP reader, and master-data
//! CSV export ↔ import. Random text includes XML and CSV specials (`<&"',` newlines), formula
//! starters (`= + - @`) and Chinese; each case must come back unchanged. Seeded (reproducible)
//! cases under `cargo test`; a failure prints its seed. (A seeded generator rather than proptest:
//! adding proptest re-resolved features of half the dependency tree.)

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

use std::collections::BTreeSet;

use onemap::alerts::cap::read_cap;
use onemap::alerts::writer::{MsgType, WarningSpec, WarningTexts, identifier, write_cap};
use onemap::model::alert::WarningLevel;
use onemap::model::{EventKind, LonLat, StationId, StationKind, StationSpec, UnitId, UnitSpec, UnitStatus, UnitType};
use onemap::store::Store;

/// Seeded xorshift64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo) as u64) as i64
    }

    /// Text that does not start or end with whitespace (readers trim cells and XML text).
    fn text(&mut self) -> String {
        const MIDDLE: &[char] = &[
            'a', 'Z', '0', '9', '<', '>', '&', '"', '\'', ',', ';', ':', '/', ' ', '\n', '景', '洪', '勐', '腊', '预',
            '警', '暴', '雨', '=', '+', '-', '@', '#', '\t',
        ];
        const FIRST: &[char] = &['=', '+', '-', '@', 'a', '景', '<', '"'];
        const LAST: &[char] = &['a', '景', '。', '>', '"', '&'];
        let mut s = String::new();
        if self.below(2) == 0 {
            s.push(FIRST[self.below(FIRST.len() as u64) as usize]);
        }
        for _ in 0..self.below(30) {
            s.push(MIDDLE[self.below(MIDDLE.len() as u64) as usize]);
        }
        s.push(LAST[self.below(LAST.len() as u64) as usize]);
        s.trim_start().to_owned()
    }

    fn ident(&mut self) -> String {
        let mut s = String::from("x");
        for _ in 0..self.below(12) {
            s.push(b"abcdefghijklmnopqrstuvwxyz0123456789_-"[self.below(38) as usize] as char);
        }
        s
    }
}

const CASES: u64 = 64;

#[test]
fn cap_writer_and_reader_round_trip() {
    for seed in 1..=CASES {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ seed);
        let levels = [
            WarningLevel::Blue,
            WarningLevel::Yellow,
            WarningLevel::Orange,
            WarningLevel::Red,
        ];
        let sent_ms = rng.range(1_700_000_000, 1_900_000_000) * 1000;
        let spec = WarningSpec {
            msg_type: MsgType::Alert,
            status: "Actual".into(),
            sender: "532800000000".into(),
            sender_name: rng.text(),
            identifier: identifier("532800", "000000", sent_ms, rng.below(10_000) as u32),
            sent_ms,
            type_zh: "暴雨".into(),
            type_en: "Rainstorm".into(),
            level: levels[rng.below(4) as usize],
            areas: vec![("532801".into(), "景洪市".into())],
            polygon: None,
            texts: WarningTexts {
                headline_zh: rng.text(),
                headline_en: rng.text(),
                description_zh: rng.text(),
                description_en: String::new(),
                instruction_zh: rng.text(),
                instruction_en: String::new(),
            },
            onset_ms: Some(sent_ms),
            expires_ms: sent_ms + rng.range(1, 200) * 3_600_000,
            references: Vec::new(),
        };
        let xml = write_cap(&spec);
        let back = read_cap(xml.as_bytes(), "w.xml").unwrap_or_else(|e| panic!("seed {seed}: {e}\n{xml}"));
        let r = &back.record;
        let ctx = format!("seed {seed}: {spec:?}");
        assert_eq!(r.key.identifier, spec.identifier, "{ctx}");
        assert_eq!(r.sent_ms, Some(sent_ms), "{ctx}");
        assert_eq!(back.sender_name, spec.sender_name, "{ctx}");
        assert_eq!(r.infos.len(), 2, "{ctx}");
        assert_eq!(r.infos[0].headline, spec.texts.headline_zh, "{ctx}");
        assert_eq!(r.infos[0].description, spec.texts.description_zh, "{ctx}");
        assert_eq!(r.infos[0].instruction, spec.texts.instruction_zh, "{ctx}");
        assert_eq!(r.infos[1].headline, spec.texts.headline_en, "{ctx}");
        assert_eq!(r.infos[0].expires_ms, Some(spec.expires_ms), "{ctx}");
    }
}

#[test]
fn master_data_csv_export_and_import_round_trip() {
    for seed in 1..=CASES / 4 {
        let mut rng = Rng(0xD1B5_4A32_D192_ED03 ^ seed);
        let mut store = Store::open_in_memory().unwrap();
        let mut seen = BTreeSet::new();
        let mut next = 0u32;
        for _ in 0..1 + rng.below(5) {
            let ext = rng.ident();
            if !seen.insert(ext.clone()) {
                continue;
            }
            next += 1;
            let (name_zh, name_en, note) = (rng.text(), rng.text(), rng.text());
            let crew = rng.below(50) as u32;
            // Whole 1e-7 degrees: what LonLat stores.
            let (lon_e7, lat_e7) = (
                rng.range(-1_800_000_000, 1_800_000_000),
                rng.range(-900_000_000, 900_000_000),
            );
            let lonlat = LonLat::from_deg(lon_e7 as f64 / 1e7, lat_e7 as f64 / 1e7).unwrap();
            let station = StationId(next);
            store
                .append(
                    "t",
                    "s",
                    None,
                    EventKind::StationUpserted {
                        station,
                        spec: StationSpec {
                            external_id: format!("st-{ext}"),
                            name_zh: name_zh.clone(),
                            name_en: name_en.clone(),
                            kind: StationKind::FireStation,
                            lonlat,
                            county: name_en.clone(),
                            planned: crew.is_multiple_of(2),
                            demo: crew.is_multiple_of(3),
                            position_note: note.clone(),
                        },
                    },
                )
                .unwrap();
            store
                .append(
                    "t",
                    "s",
                    None,
                    EventKind::UnitAdded {
                        unit: UnitId(next),
                        spec: UnitSpec {
                            external_id: format!("u-{ext}"),
                            callsign: format!("CS-{ext}"),
                            name_zh,
                            name_en,
                            unit_type: UnitType::Ambulance,
                            extra_capabilities: BTreeSet::new(),
                            crew,
                            home_station: Some(station),
                            demo: false,
                            position_note: note,
                        },
                        lonlat,
                        status: if crew.is_multiple_of(2) {
                            UnitStatus::Available
                        } else {
                            UnitStatus::OutOfService
                        },
                    },
                )
                .unwrap();
        }
        let before = store.situation().unwrap().clone();
        let dir = tempfile::tempdir().unwrap();
        onemap::store::import::export_csv(&before, dir.path()).unwrap();
        let files = onemap::store::import::master_files_in(dir.path()).unwrap();
        let mut fresh = Store::open_in_memory().unwrap();
        fresh.import(&files, "t").unwrap();
        let after = fresh.situation().unwrap();
        assert_eq!(after.stations.len(), before.stations.len());
        for s in before.stations.values() {
            let a = after
                .stations
                .values()
                .find(|x| x.spec.external_id == s.spec.external_id)
                .unwrap();
            assert_eq!(&a.spec, &s.spec, "seed {seed}");
        }
        for u in before.units.values() {
            let a = after
                .units
                .values()
                .find(|x| x.spec.external_id == u.spec.external_id)
                .unwrap();
            assert_eq!(&a.spec.name_zh, &u.spec.name_zh);
            assert_eq!(&a.spec.name_en, &u.spec.name_en);
            assert_eq!(&a.spec.callsign, &u.spec.callsign);
            assert_eq!(&a.spec.position_note, &u.spec.position_note);
            assert_eq!(a.spec.crew, u.spec.crew);
            assert_eq!(a.lonlat, u.lonlat);
            assert_eq!(a.status, u.status);
        }
    }
}
