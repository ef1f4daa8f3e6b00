//! Place search over a map pack: Chinese characters, pinyin with or without tone marks (or tone
//! numbers), initials, and English, with a small edit-distance allowance for typos. Pure: imports
//! no egui, tokio or rusqlite.

use pinyin::ToPinyin;

use crate::geom::BBox;
use crate::mappack::{LayerData, LayerKind, MapPack};

/// What a search result is, in ranking order (earlier ranks first on equal scores).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PlaceKind {
    /// A county or county-level city.
    County,
    /// A county or prefecture seat.
    Seat,
    /// The prefecture.
    Prefecture,
    /// A township (from a gazetteer, often without coordinates).
    Township,
    /// Any other named point.
    Place,
    /// A border port.
    Port,
    /// A river.
    River,
}

/// Where the map goes for a result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// Centre on a lon/lat point.
    Point([f64; 2]),
    /// Fit an area.
    Area(BBox),
}

/// One searchable place.
#[derive(Debug, Clone)]
pub struct Place {
    /// Chinese name (may be empty when the source has none).
    pub name_zh: String,
    /// English or romanised name (may be empty).
    pub name_en: String,
    /// Kind, used for ranking and icons.
    pub kind: PlaceKind,
    /// Where to fly.
    pub target: Target,
    /// True when the target is only the containing county (the place has no coordinates).
    pub approximate: bool,
    keys: Vec<String>,
    initials: String,
}

/// A search result.
#[derive(Debug, Clone)]
pub struct Hit<'a> {
    /// The place.
    pub place: &'a Place,
    /// Match quality, higher is better.
    pub score: u32,
}

/// Index of every named thing in a pack.
#[derive(Debug, Clone, Default)]
pub struct PlaceIndex {
    places: Vec<Place>,
}

impl PlaceIndex {
    /// Index the pack's areas, places, ports, rivers and gazetteer rows.
    pub fn build(pack: &MapPack) -> PlaceIndex {
        let mut places = Vec::new();
        let counties = pack.counties();
        for layer in &pack.layers {
            match (&layer.kind, &layer.data) {
                (LayerKind::Boundaries, LayerData::Features(fs)) => {
                    // Only the first boundary layer: later ones are cross-check outlines.
                    if pack
                        .layers
                        .iter()
                        .find(|l| l.kind == LayerKind::Boundaries)
                        .map(|l| &l.spec.name)
                        != Some(&layer.spec.name)
                    {
                        continue;
                    }
                    for f in fs.iter().filter(|f| f.is_area()) {
                        let kind = match f.str_prop("level") {
                            Some("prefecture") => PlaceKind::Prefecture,
                            _ => PlaceKind::County,
                        };
                        places.push(Place::new(
                            f.str_prop("name_zh").unwrap_or_default(),
                            f.str_prop("name_en").unwrap_or_default(),
                            kind,
                            Target::Area(f.bbox()),
                            false,
                        ));
                    }
                }
                (LayerKind::Places, LayerData::Features(fs)) => {
                    for f in fs {
                        let Some(p) = f.point() else { continue };
                        let kind = match f.str_prop("kind") {
                            Some("prefecture_seat" | "county_seat") => PlaceKind::Seat,
                            Some(k) if k.contains("port") => PlaceKind::Port,
                            _ => PlaceKind::Place,
                        };
                        let zh = f.str_prop("label_zh").or(f.str_prop("name_zh")).unwrap_or_default();
                        let en = f.str_prop("label_en").or(f.str_prop("name_en")).unwrap_or_default();
                        let mut place = Place::new(zh, en, kind, Target::Point(p), false);
                        for extra in [f.str_prop("name_zh"), f.str_prop("name_en"), f.str_prop("township_zh")]
                            .into_iter()
                            .flatten()
                        {
                            place.add_keys(extra);
                        }
                        places.push(place);
                    }
                }
                (LayerKind::Rivers, LayerData::Features(fs)) => {
                    for f in fs {
                        if f.str_prop("name_zh").is_none() && f.str_prop("name_en").is_none() {
                            continue;
                        }
                        let zh = f.str_prop("label_zh").or(f.str_prop("name_zh")).unwrap_or_default();
                        let en = f.str_prop("label_en").or(f.str_prop("name_en")).unwrap_or_default();
                        let mut place = Place::new(zh, en, PlaceKind::River, Target::Area(f.bbox()), false);
                        for extra in [f.str_prop("name_zh"), f.str_prop("name_en")].into_iter().flatten() {
                            place.add_keys(extra);
                        }
                        places.push(place);
                    }
                }
                (_, LayerData::Gazetteer(rows)) => {
                    for r in rows {
                        let county = counties
                            .iter()
                            .find(|c| c.adcode.is_some() && c.adcode == r.county_adcode);
                        let Some(county) = county else { continue };
                        let mut place =
                            Place::new(&r.name_zh, "", PlaceKind::Township, Target::Area(county.bbox), true);
                        place.name_en = pinyin_title(&r.name_zh);
                        if let Some(latin) = &r.name_latin {
                            place.add_keys(latin);
                        }
                        places.push(place);
                    }
                }
                _ => {}
            }
        }
        PlaceIndex { places }
    }

    /// Every indexed place.
    pub fn places(&self) -> &[Place] {
        &self.places
    }

    /// The best `limit` matches for `query`, best first. An empty or unmatched query gives an
    /// empty list, never an error.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit<'_>> {
        let q = normalize(query);
        if q.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<Hit> = self
            .places
            .iter()
            .filter_map(|p| p.score(&q).map(|score| Hit { place: p, score }))
            .collect();
        hits.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then(a.place.kind.cmp(&b.place.kind))
                .then(a.place.approximate.cmp(&b.place.approximate))
                .then(a.place.name_zh.cmp(&b.place.name_zh))
        });
        hits.truncate(limit);
        hits
    }
}

impl Place {
    fn new(zh: &str, en: &str, kind: PlaceKind, target: Target, approximate: bool) -> Place {
        let mut p = Place {
            name_zh: zh.to_string(),
            name_en: en.to_string(),
            kind,
            target,
            approximate,
            keys: Vec::new(),
            initials: String::new(),
        };
        p.add_keys(zh);
        p.add_keys(en);
        p.initials = initials(zh);
        p
    }

    fn add_keys(&mut self, name: &str) {
        let whole = normalize(name);
        if whole.is_empty() {
            return;
        }
        let mut new = vec![whole];
        // Each word of a Latin name on its own ("Mengla County" → "mengla", "county").
        let words: Vec<String> = name
            .split(|c: char| !c.is_alphanumeric())
            .map(normalize)
            .filter(|w| w.len() > 1)
            .collect();
        if words.len() > 1 {
            new.extend(words);
        }
        // Pinyin of the Chinese characters.
        let py: String = name.to_pinyin().flatten().map(|p| p.plain()).collect();
        if !py.is_empty() {
            new.push(py);
        }
        for k in new {
            if !self.keys.contains(&k) {
                self.keys.push(k);
            }
        }
    }

    fn score(&self, q: &str) -> Option<u32> {
        let mut best = 0u32;
        let qn = q.chars().count();
        for k in &self.keys {
            let s = if k == q {
                100
            } else if k.starts_with(q) {
                80
            } else if k.contains(q) && qn >= 2 {
                60
            } else if qn >= 4 && q.is_ascii() {
                // Typos: compare with the key's prefix of the same length (±1).
                let max_d = if qn >= 7 { 2 } else { 1 };
                let d = (qn.saturating_sub(1)..=qn + 1)
                    .map(|n| edit_distance(q, &k.chars().take(n).collect::<String>()))
                    .min()
                    .unwrap_or(usize::MAX);
                if d <= max_d { 40 - 10 * d as u32 } else { 0 }
            } else {
                0
            };
            best = best.max(s);
        }
        if best == 0 && qn >= 2 && q.is_ascii() && self.initials.starts_with(q) {
            best = 50;
        }
        (best > 0).then_some(best)
    }
}

/// Lower-case, tone marks and tone numbers removed, spaces and punctuation dropped.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let has_letters = text.chars().any(|c| c.is_alphabetic());
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = fold_tone(c);
        if c.is_alphabetic() || (c.is_ascii_digit() && !has_letters) {
            out.push(c);
        }
    }
    out
}

fn fold_tone(c: char) -> char {
    match c {
        'ā' | 'á' | 'ǎ' | 'à' => 'a',
        'ē' | 'é' | 'ě' | 'è' => 'e',
        'ī' | 'í' | 'ǐ' | 'ì' => 'i',
        'ō' | 'ó' | 'ǒ' | 'ò' => 'o',
        'ū' | 'ú' | 'ǔ' | 'ù' => 'u',
        'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' | 'ü' => 'v',
        'ń' | 'ň' | 'ǹ' => 'n',
        'ḿ' => 'm',
        other => other,
    }
}

fn initials(zh: &str) -> String {
    zh.to_pinyin()
        .flatten()
        .filter_map(|p| p.plain().chars().next())
        .collect()
}

/// "勐腊镇" → "Menglazhen": a display romanisation for names the source gives only in Chinese.
fn pinyin_title(zh: &str) -> String {
    let py: String = zh.to_pinyin().flatten().map(|p| p.plain()).collect();
    let mut chars = py.chars();
    match chars.next() {
        Some(f) => f.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Optimal-string-alignment edit distance (insert, delete, substitute, swap adjacent).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_folds_tones_and_case() {
        assert_eq!(normalize("Měnglà"), "mengla");
        assert_eq!(normalize("meng3 la4"), "mengla");
        assert_eq!(normalize("Meng’a"), "menga");
        assert_eq!(normalize("勐腊 县"), "勐腊县");
        assert_eq!(normalize("532823"), "532823");
    }

    #[test]
    fn edit_distance_counts_swaps_once() {
        assert_eq!(edit_distance("mengla", "mengla"), 0);
        assert_eq!(edit_distance("mnegla", "mengla"), 1);
        assert_eq!(edit_distance("menhla", "mengla"), 1);
        assert_eq!(edit_distance("abc", ""), 3);
    }

    #[test]
    fn pinyin_keys() {
        let p = Place::new(
            "勐腊县",
            "Mengla County",
            PlaceKind::County,
            Target::Point([0.0, 0.0]),
            false,
        );
        assert!(p.keys.contains(&"menglaxian".to_string()), "{:?}", p.keys);
        assert_eq!(p.initials, "mlx");
        assert_eq!(p.score("mengla"), Some(100));
        assert_eq!(p.score("menglx"), Some(30));
        assert_eq!(p.score("mlx"), Some(50));
        assert_eq!(p.score("xyz"), None);
        assert_eq!(pinyin_title("勐腊镇"), "Menglazhen");
    }
}
