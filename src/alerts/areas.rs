//! Offline placement of Chinese administrative area codes: GB/T 2260 (6 digits), NBS township
//! codes (9 digits) and the 12-digit CPEAS Geographic Code (a GB/T 2260 / township code padded
//! with zeros) → the pack's polygons. When the pack has no polygon for the exact area (townships
//! have none in the Xishuangbanna pack) the nearest parent that has one is used and the result
//! says so. Also the geometry the rules need: point in area, distance to the prefecture.
//! Pure; must not import egui, tokio or rusqlite.

use std::collections::BTreeMap;

use geo::{Closest, ClosestPoint, Contains, MultiPolygon, Point};

use crate::geom::haversine_m;
use crate::mappack::{LayerData, LayerKind, MapPack};
use crate::model::alert::ResolvedCode;

/// An administrative area known to the pack.
#[derive(Debug, Clone)]
pub struct AdminArea {
    /// Code as the pack gives it (6 digits for counties, 9 for townships).
    pub code: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name (empty when the pack has none).
    pub name_en: String,
    /// Parent area code, when known.
    pub parent: Option<String>,
    /// Polygons (`x` = lon, `y` = lat); `None` when the pack has only the name.
    pub shape: Option<MultiPolygon<f64>>,
}

/// Every area of the pack by code.
#[derive(Debug, Clone, Default)]
pub struct AreaIndex {
    areas: BTreeMap<String, AdminArea>,
    /// The prefecture's code (the area without a parent inside the pack).
    pub root: Option<String>,
}

/// A code in canonical form: 6 digits (county and above) or 9 digits (township).
pub fn canonical_code(code: &str) -> Option<String> {
    let c = code.trim();
    if !c.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match c.len() {
        6 | 9 => Some(c.to_owned()),
        12 if c.ends_with("000000") => Some(c[..6].to_owned()),
        12 if c.ends_with("000") => Some(c[..9].to_owned()),
        _ => None,
    }
}

/// The GB/T 2260 parent of a canonical code (township → county → prefecture → province).
pub fn parent_code(code: &str) -> Option<String> {
    if code.len() == 9 {
        return Some(code[..6].to_owned());
    }
    if code.len() != 6 {
        return None;
    }
    if !code.ends_with("00") {
        Some(format!("{}00", &code[..4]))
    } else if !code.ends_with("0000") {
        Some(format!("{}0000", &code[..2]))
    } else {
        None
    }
}

/// The 12-digit CPEAS form of a canonical 6- or 9-digit code.
pub fn cpeas_code(code: &str) -> String {
    format!("{code:0<12}")
}

impl AreaIndex {
    /// Areas from the pack's first boundary layer (polygons with `adcode`) and its gazetteer
    /// layers (township codes without polygons).
    pub fn from_pack(pack: &MapPack) -> AreaIndex {
        let mut idx = AreaIndex::default();
        if let Some(layer) = pack.layers.iter().find(|l| l.kind == LayerKind::Boundaries) {
            for f in layer.features() {
                let Some(code) = f.u32_prop("adcode").map(|c| c.to_string()) else {
                    continue;
                };
                let shape = match &f.geometry {
                    geo::Geometry::Polygon(p) => MultiPolygon(vec![p.clone()]),
                    geo::Geometry::MultiPolygon(mp) => mp.clone(),
                    _ => continue,
                };
                let parent = f.u32_prop("parent_adcode").map(|c| c.to_string());
                idx.areas.insert(
                    code.clone(),
                    AdminArea {
                        code,
                        name_zh: f.str_prop("name_zh").unwrap_or_default().to_owned(),
                        name_en: f.str_prop("name_en").unwrap_or_default().to_owned(),
                        parent,
                        shape: Some(shape),
                    },
                );
            }
        }
        for layer in &pack.layers {
            let LayerData::Gazetteer(rows) = &layer.data else {
                continue;
            };
            for r in rows {
                let Some(code) = r.code.as_deref().and_then(canonical_code).filter(|c| c.len() == 9) else {
                    continue;
                };
                idx.areas.entry(code.clone()).or_insert(AdminArea {
                    code,
                    name_zh: r.name_zh.clone(),
                    name_en: r.name_latin.clone().unwrap_or_default(),
                    parent: r.county_adcode.map(|c| c.to_string()),
                    shape: None,
                });
            }
        }
        idx.root = idx
            .areas
            .values()
            .filter(|a| a.shape.is_some())
            .find(|a| a.parent.as_ref().is_none_or(|p| !idx.areas.contains_key(p)))
            .map(|a| a.code.clone());
        idx
    }

    /// Every area (with or without a polygon), by code.
    pub fn areas_by_code(&self) -> impl Iterator<Item = &AdminArea> {
        self.areas.values()
    }

    /// Area by canonical code.
    pub fn get(&self, code: &str) -> Option<&AdminArea> {
        self.areas.get(code)
    }

    /// Every area with a polygon.
    pub fn drawable(&self) -> impl Iterator<Item = &AdminArea> {
        self.areas.values().filter(|a| a.shape.is_some())
    }

    /// Place a code: the exact area when the pack has its polygon, else the nearest parent that
    /// has one (saying so), else nothing (saying why).
    pub fn resolve(&self, requested: &str) -> ResolvedCode {
        let unresolved = |note: String| ResolvedCode {
            requested: requested.to_owned(),
            used: None,
            name_zh: String::new(),
            exact: false,
            note,
        };
        let Some(code) = canonical_code(requested) else {
            return unresolved(format!(
                "\"{requested}\" is not a 6-, 9- or 12-digit administrative code 不是行政区划代码"
            ));
        };
        let named = |c: &str| {
            self.areas
                .get(c)
                .map(|a| format!("{} {}", a.code, a.name_zh))
                .unwrap_or_else(|| c.to_owned())
        };
        let mut cur = Some(code.clone());
        while let Some(c) = cur {
            if let Some(a) = self.areas.get(&c)
                && a.shape.is_some()
            {
                let exact = c == code;
                return ResolvedCode {
                    requested: requested.to_owned(),
                    used: Some(c.clone()),
                    name_zh: a.name_zh.clone(),
                    exact,
                    note: if exact {
                        String::new()
                    } else {
                        format!(
                            "地图包无 {} 的边界，以上级 {} 代替 (no polygon for {} in the pack; drawn as its parent)",
                            named(&code),
                            named(&c),
                            code
                        )
                    },
                };
            }
            let next = self
                .areas
                .get(&c)
                .and_then(|a| a.parent.clone())
                .or_else(|| parent_code(&c));
            // Stop at the pack's root: a code outside the prefecture is not placed on it.
            if self.root.as_deref() == Some(c.as_str()) {
                break;
            }
            cur = next;
            if cur.as_ref().is_some_and(|p| p.len() == 6 && p.ends_with("0000")) {
                break;
            }
        }
        unresolved(format!(
            "{} 不在地图包范围内 (outside the pack's areas; not drawn)",
            named(&code)
        ))
    }

    /// Codes of the areas with a polygon that contain the point.
    pub fn containing(&self, lonlat: [f64; 2]) -> Vec<&AdminArea> {
        let p = Point::new(lonlat[0], lonlat[1]);
        self.drawable()
            .filter(|a| a.shape.as_ref().is_some_and(|s| s.contains(&p)))
            .collect()
    }

    /// Distance (km) from a point to the area's polygon: 0 inside; else to the nearest
    /// boundary point (found in degree space, measured by haversine: well under 1 km of error
    /// at 100 km in these latitudes). `None` when the area has no polygon.
    pub fn distance_km(&self, code: &str, lonlat: [f64; 2]) -> Option<f64> {
        let shape = self.areas.get(code)?.shape.as_ref()?;
        let p = Point::new(lonlat[0], lonlat[1]);
        if shape.contains(&p) {
            return Some(0.0);
        }
        match shape.closest_point(&p) {
            Closest::Intersection(_) => Some(0.0),
            Closest::SinglePoint(q) => Some(haversine_m(lonlat, [q.x(), q.y()]) / 1000.0),
            Closest::Indeterminate => None,
        }
    }

    /// The centre of an area's bounding box (a draft's location when no better point exists).
    pub fn centre(&self, code: &str) -> Option<[f64; 2]> {
        use geo::BoundingRect;
        let r = self.areas.get(code)?.shape.as_ref()?.bounding_rect()?;
        Some([(r.min().x + r.max().x) / 2.0, (r.min().y + r.max().y) / 2.0])
    }
}
