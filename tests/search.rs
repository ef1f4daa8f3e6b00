//! Place search on the real Xishuangbanna pack.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use onemap::mappack::MapPack;
use onemap::search::{PlaceIndex, PlaceKind, Target};

fn index() -> PlaceIndex {
    PlaceIndex::build(&MapPack::load(common::xsbn_pack()).unwrap())
}

fn mengla_seat() -> [f64; 2] {
    [101.563343, 21.461995]
}

#[test]
fn finds_mengla_by_pinyin_english_and_hanzi() {
    let idx = index();
    for q in ["mengla", "Mengla", "勐腊", "Měnglà", "meng la", "MENGLA", "meng2la4"] {
        let hits = idx.search(q, 5);
        assert!(!hits.is_empty(), "no hit for {q}");
        let top = hits[0].place;
        assert!(
            top.name_zh.contains("勐腊"),
            "{q}: top hit {} / {}",
            top.name_zh,
            top.name_en
        );
        // The county and its seat are both among the first results.
        assert!(
            hits.iter()
                .any(|h| h.place.kind == PlaceKind::County && h.place.name_zh == "勐腊县"),
            "{q}"
        );
        assert!(
            hits.iter()
                .any(|h| h.place.kind == PlaceKind::Seat && h.place.target == Target::Point(mengla_seat())),
            "{q}"
        );
    }
}

#[test]
fn typo_still_finds_menghai() {
    let idx = index();
    let hits = idx.search("menhgai", 3);
    assert!(
        hits.first().is_some_and(|h| h.place.name_zh.contains("勐海")),
        "{:?}",
        hits.iter().map(|h| &h.place.name_zh).collect::<Vec<_>>()
    );
}

#[test]
fn nonsense_finds_nothing_without_error() {
    let idx = index();
    assert!(idx.search("xyz", 10).is_empty());
    assert!(idx.search("", 10).is_empty());
    assert!(idx.search("   ", 10).is_empty());
    assert!(idx.search("!!??", 10).is_empty());
}

#[test]
fn township_without_coordinates_is_flagged_approximate() {
    let idx = index();
    let hits = idx.search("磨憨镇", 3);
    let h = hits
        .iter()
        .find(|h| h.place.name_zh == "磨憨镇")
        .expect("磨憨镇 is in the township list");
    assert!(h.place.approximate);
    assert_eq!(h.place.kind, PlaceKind::Township);
    // Its target is Mengla County's extent, which contains the Mohan port point.
    let Target::Area(b) = h.place.target else {
        panic!("expected an area")
    };
    assert!(b.contains([101.682393, 21.185583]));
}

#[test]
fn initials_and_river() {
    let idx = index();
    assert!(idx.search("jhs", 3).iter().any(|h| h.place.name_zh == "景洪市"));
    assert!(
        idx.search("lancang", 3)
            .iter()
            .any(|h| h.place.kind == PlaceKind::River)
    );
}

#[test]
fn finds_a_township_seat() {
    let idx = index();
    // 勐龙镇: Amap township centre converted to WGS-84 (township_seats layer).
    let hits = idx.search("勐龙", 5);
    assert!(
        hits.iter()
            .any(|h| h.place.name_zh == "勐龙镇" && h.place.target == Target::Point([100.678622, 21.582169])),
        "{:?}",
        hits.iter().map(|h| &h.place.name_zh).collect::<Vec<_>>()
    );
}
