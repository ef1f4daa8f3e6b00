//! Drill scenario files (TOML): name, start time, seed, simulation settings and timed injects
//! (`T+hh:mm:ss`): an incident at a place or coordinates, a unit becoming unavailable, a road
//! closing, a warehouse's stock running short, a shelter filling. Parsed and validated in two
//! steps — [`Scenario::parse`] against the pack (types, grades, places) and
//! [`Scenario::resolve`] against the drill's situation (units, warehouses, items, shelters) —
//! and every error names `file:line` and, for unknown names, the valid choices. Pure; must not
//! import egui, tokio or rusqlite.

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::mappack::{LayerKind, MapPack};
use crate::model::{IncidentType, LonLat, Severity, ShelterId, Situation, UnitId, WarehouseId};

/// A scenario that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScenarioError {
    /// The file cannot be read.
    #[error("{path}: cannot read scenario: {msg}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        msg: String,
    },
    /// Bad content at a line.
    #[error("{path}:{line}: {msg}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        msg: String,
    },
}

/// Simulation settings of a scenario (all in seconds of simulated time).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SimSettings {
    /// From an incident's report to the automatic dispatch.
    pub call_handling_s: f64,
    /// From dispatch to rolling out (dispatched → en route).
    pub turnout_s: f64,
    /// From the last unit's arrival to the incident's closing (before jitter).
    pub on_scene_s: f64,
    /// On-scene durations vary by ± this fraction, drawn from the seed.
    pub jitter: f64,
}

impl Default for SimSettings {
    fn default() -> Self {
        SimSettings {
            call_handling_s: 120.0,
            turnout_s: 60.0,
            on_scene_s: 7200.0,
            jitter: 0.2,
        }
    }
}

/// What an inject does.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InjectKind {
    /// A new incident is reported.
    Incident {
        /// Type.
        incident_type: IncidentType,
        /// Grade.
        severity: Severity,
        /// Where.
        lonlat: LonLat,
        /// Place / address as the caller gives it.
        address: String,
        /// Affected people (relief supplies by plan), if any.
        affected: Option<u32>,
        /// Initial note.
        note: String,
    },
    /// A unit becomes unavailable (out of service; released first when committed).
    UnitUnavailable {
        /// External id or call sign as written.
        unit: String,
    },
    /// The road between two points closes for the rest of the drill.
    RoadClosed {
        /// Road name.
        road: String,
        /// One end.
        from: LonLat,
        /// Other end.
        to: LonLat,
    },
    /// A warehouse's stock of an item drops to `quantity` (stock-take finds it short).
    StockShort {
        /// Warehouse external id.
        warehouse: String,
        /// Item code.
        item: String,
        /// Quantity left on hand.
        quantity: u64,
    },
    /// A shelter fills (to its capacity unless `occupancy` is given).
    ShelterFull {
        /// Shelter external id.
        shelter: String,
        /// Persons sheltered; `None` = capacity.
        occupancy: Option<u32>,
    },
}

/// One timed inject.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Inject {
    /// Offset from the start, s.
    pub at_s: u64,
    /// Line in the file.
    pub line: usize,
    /// Line of the unit / warehouse / shelter name (resolved later), else `line`.
    pub ref_line: usize,
    /// What happens.
    pub what: InjectKind,
}

/// A validated scenario.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Scenario {
    /// The file.
    pub path: PathBuf,
    /// Short id (file stem unless given): the drill id's prefix.
    pub id: String,
    /// Name shown on banners and reports.
    pub name: String,
    /// Start of simulated time, ms since the Unix epoch (UTC).
    pub start_ms: i64,
    /// Seed of every random draw.
    pub seed: u64,
    /// Optional hard end, s after the start.
    pub end_s: Option<u64>,
    /// Simulation settings.
    pub settings: SimSettings,
    /// Injects in time order (ties keep file order).
    pub injects: Vec<Inject>,
}

/// An inject whose names are resolved to ids of the drill's situation.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    /// As in the scenario.
    Incident,
    /// The unit.
    Unit(UnitId),
    /// As in the scenario.
    Road,
    /// Warehouse and item.
    Stock(WarehouseId),
    /// The shelter.
    Shelter(ShelterId),
}

/// Named points of a pack that scenarios may use as `place = "…"`.
#[derive(Debug, Clone, Default)]
pub struct PlaceNames {
    entries: Vec<(Vec<String>, String, LonLat)>,
}

impl PlaceNames {
    /// Every point of the pack's places layers, by label and name (zh and en).
    pub fn from_pack(pack: &MapPack) -> PlaceNames {
        let mut entries = Vec::new();
        for layer in pack.layers.iter().filter(|l| l.kind == LayerKind::Places) {
            for f in layer.features() {
                let Some(p) = f.point() else { continue };
                let Ok(ll) = LonLat::from_deg(p[0], p[1]) else { continue };
                let names: Vec<String> = ["label_zh", "label_en", "name_zh", "name_en"]
                    .iter()
                    .filter_map(|k| f.str_prop(k))
                    .filter(|s| !s.trim().is_empty())
                    .map(str::to_owned)
                    .collect();
                let Some(first) = names.first().cloned() else { continue };
                entries.push((names, first, ll));
            }
        }
        PlaceNames { entries }
    }

    /// From explicit (name, position) pairs (tests).
    pub fn from_list(list: &[(&str, [f64; 2])]) -> PlaceNames {
        PlaceNames {
            entries: list
                .iter()
                .filter_map(|(n, p)| {
                    LonLat::from_deg(p[0], p[1])
                        .ok()
                        .map(|ll| (vec![(*n).to_owned()], (*n).to_owned(), ll))
                })
                .collect(),
        }
    }

    /// Position of a place by any of its names (case-insensitive, exact).
    pub fn find(&self, name: &str) -> Option<LonLat> {
        let key = name.trim().to_lowercase();
        self.entries
            .iter()
            .find(|(names, _, _)| names.iter().any(|n| n.to_lowercase() == key))
            .map(|e| e.2)
    }

    /// The primary names, for error messages.
    pub fn choices(&self) -> String {
        self.entries.iter().map(|e| e.1.as_str()).collect::<Vec<_>>().join(", ")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    name: Spanned<String>,
    id: Option<Spanned<String>>,
    start: Spanned<String>,
    #[serde(default)]
    seed: u64,
    end: Option<Spanned<String>>,
    #[serde(default)]
    sim: Option<RawSim>,
    #[serde(default, rename = "inject")]
    injects: Vec<Spanned<RawInject>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSim {
    call_handling: Option<Spanned<String>>,
    turnout: Option<Spanned<String>>,
    on_scene: Option<Spanned<String>>,
    jitter: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInject {
    at: Spanned<String>,
    kind: Spanned<String>,
    #[serde(rename = "type")]
    incident_type: Option<Spanned<String>>,
    grade: Option<Spanned<String>>,
    place: Option<Spanned<String>>,
    lonlat: Option<Spanned<[f64; 2]>>,
    offset_km: Option<Spanned<[f64; 2]>>,
    address: Option<String>,
    affected: Option<u32>,
    note: Option<String>,
    unit: Option<Spanned<String>>,
    road: Option<Spanned<String>>,
    from: Option<Spanned<String>>,
    to: Option<Spanned<String>>,
    warehouse: Option<Spanned<String>>,
    item: Option<Spanned<String>>,
    quantity: Option<u64>,
    shelter: Option<Spanned<String>>,
    occupancy: Option<u32>,
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Longest scenario offset: 7 days. A drill is hours long; a larger value is a typo
/// (`T+100000:00:00`) that would make the simulator and the report work for ever.
pub const MAX_OFFSET_S: u64 = 7 * 24 * 3600;

/// `hh:mm:ss` (or `T+hh:mm:ss`) to seconds; `None` when malformed or beyond [`MAX_OFFSET_S`]
/// (checked arithmetic: a huge hour count never wraps).
pub fn parse_offset_s(text: &str) -> Option<u64> {
    let t = text.trim();
    let t = t.strip_prefix("T+").unwrap_or(t);
    let parts: Vec<&str> = t.split(':').collect();
    let [h, m, s] = parts.as_slice() else { return None };
    let (h, m, s) = (h.parse::<u64>().ok()?, m.parse::<u64>().ok()?, s.parse::<u64>().ok()?);
    if m >= 60 || s >= 60 {
        return None;
    }
    let total = h.checked_mul(3600)?.checked_add(m * 60 + s)?;
    (total <= MAX_OFFSET_S).then_some(total)
}

/// Seconds as `T+hh:mm:ss`.
pub fn fmt_offset(s: u64) -> String {
    format!("T+{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

impl Scenario {
    /// The injects not yet played when the drill stops at simulated `now_ms` (due strictly
    /// later), each as one bilingual line with its offset, for the report of a drill ended early.
    pub fn unplayed(&self, now_ms: i64) -> Vec<String> {
        self.injects
            .iter()
            .filter(|i| self.start_ms.saturating_add(i.at_s as i64 * 1000) > now_ms)
            .map(|i| format!("{} {}", fmt_offset(i.at_s), i.what.describe()))
            .collect()
    }
}

impl InjectKind {
    /// What the inject does, Chinese first then English, with names as the scenario gives them.
    pub fn describe(&self) -> String {
        match self {
            InjectKind::Incident {
                incident_type,
                severity,
                address,
                ..
            } => format!(
                "事件 incident: {} / {} {} @ {address}",
                incident_type.name_zh(),
                incident_type.name_en(),
                severity.name_zh()
            ),
            InjectKind::UnitUnavailable { unit } => format!("力量不可用 unit unavailable: {unit}"),
            InjectKind::RoadClosed { road, .. } => format!("道路封闭 road closed: {road}"),
            InjectKind::StockShort {
                warehouse,
                item,
                quantity,
            } => {
                format!(
                    "库存短缺 stock short: {warehouse} {} → {quantity}",
                    item.replace('_', " ")
                )
            }
            InjectKind::ShelterFull { shelter, .. } => format!("安置点满员 shelter full: {shelter}"),
        }
    }
}

const KINDS: &str = "incident, unit_unavailable, road_closed, stock_short, shelter_full";

struct Ctx<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Ctx<'_> {
    fn err(&self, span: Range<usize>, msg: impl Into<String>) -> ScenarioError {
        ScenarioError::Invalid {
            path: self.path.to_path_buf(),
            line: line_of(self.text, span.start),
            msg: msg.into(),
        }
    }

    fn duration(&self, v: &Spanned<String>, what: &str) -> Result<u64, ScenarioError> {
        parse_offset_s(v.get_ref()).ok_or_else(|| {
            self.err(
                v.span(),
                format!(
                    "{what} must be hh:mm:ss (e.g. \"00:02:00\") and at most 168:00:00 (7 days), not \"{}\"",
                    v.get_ref()
                ),
            )
        })
    }

    fn need<'v, T>(
        &self,
        v: &'v Option<T>,
        field: &str,
        kind: &str,
        span: Range<usize>,
    ) -> Result<&'v T, ScenarioError> {
        v.as_ref()
            .ok_or_else(|| self.err(span, format!("a {kind} inject needs `{field}`")))
    }

    fn place(&self, names: &PlaceNames, s: &Spanned<String>) -> Result<LonLat, ScenarioError> {
        names.find(s.get_ref()).ok_or_else(|| {
            self.err(
                s.span(),
                format!(
                    "unknown place \"{}\"; one of: {} (or give lonlat = [lon, lat])",
                    s.get_ref(),
                    names.choices()
                ),
            )
        })
    }
}

impl Scenario {
    /// Reads and validates a scenario file against the pack's place names.
    pub fn load(path: &Path, places: &PlaceNames) -> Result<Scenario, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::Io {
            path: path.to_path_buf(),
            msg: e.to_string(),
        })?;
        Scenario::parse(path, &text, places)
    }

    /// Parses and validates scenario text; `path` names the file in messages.
    pub fn parse(path: &Path, text: &str, places: &PlaceNames) -> Result<Scenario, ScenarioError> {
        let cx = Ctx { path, text };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| line_of(text, s.start));
            ScenarioError::Invalid {
                path: path.to_path_buf(),
                line,
                msg: e.message().to_string(),
            }
        })?;
        if raw.name.get_ref().trim().is_empty() {
            return Err(cx.err(raw.name.span(), "name must not be empty"));
        }
        let start_ms = crate::time::parse_utc_ms(raw.start.get_ref()).ok_or_else(|| {
            cx.err(
                raw.start.span(),
                format!(
                    "start must be a UTC time like \"2026-07-15T06:00:00Z\", not \"{}\"",
                    raw.start.get_ref()
                ),
            )
        })?;
        let id = match &raw.id {
            Some(id) => {
                let ok = !id.get_ref().is_empty()
                    && id
                        .get_ref()
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                if !ok {
                    return Err(cx.err(id.span(), "id must be letters, digits, '-' or '_'"));
                }
                id.get_ref().clone()
            }
            None => path
                .file_stem()
                .and_then(|s| s.to_str())
                .map(|s| {
                    s.chars()
                        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
                        .collect()
                })
                .filter(|s: &String| !s.is_empty())
                .unwrap_or_else(|| "drill".to_owned()),
        };
        let end_s = match &raw.end {
            Some(e) => Some(cx.duration(e, "end")?),
            None => None,
        };
        let mut settings = SimSettings::default();
        if let Some(sim) = &raw.sim {
            if let Some(v) = &sim.call_handling {
                settings.call_handling_s = cx.duration(v, "call_handling")? as f64;
            }
            if let Some(v) = &sim.turnout {
                settings.turnout_s = cx.duration(v, "turnout")? as f64;
            }
            if let Some(v) = &sim.on_scene {
                settings.on_scene_s = cx.duration(v, "on_scene")? as f64;
            }
            if let Some(j) = &sim.jitter {
                let x = *j.get_ref();
                if !(0.0..=0.9).contains(&x) {
                    return Err(cx.err(j.span(), format!("jitter must be between 0 and 0.9, not {x}")));
                }
                settings.jitter = x;
            }
        }
        let mut injects = Vec::with_capacity(raw.injects.len());
        for sp in &raw.injects {
            let span = sp.span();
            let r = sp.get_ref();
            let at_s = cx.duration(&r.at, "at")?;
            if let Some(end) = end_s
                && at_s > end
            {
                return Err(cx.err(
                    r.at.span(),
                    format!("inject at {} is after the end {}", fmt_offset(at_s), fmt_offset(end)),
                ));
            }
            let kind = r.kind.get_ref().as_str();
            let what = match kind {
                "incident" => {
                    let t = cx.need(&r.incident_type, "type", kind, span.clone())?;
                    let incident_type = IncidentType::from_code(t.get_ref()).ok_or_else(|| {
                        cx.err(
                            t.span(),
                            format!(
                                "unknown incident type \"{}\"; one of: {}",
                                t.get_ref(),
                                IncidentType::ALL
                                    .iter()
                                    .map(|t| t.code())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        )
                    })?;
                    let g = cx.need(&r.grade, "grade", kind, span.clone())?;
                    let severity = Severity::from_code(g.get_ref().trim()).ok_or_else(|| {
                        cx.err(
                            g.span(),
                            format!("unknown grade \"{}\"; one of: I, II, III, IV", g.get_ref()),
                        )
                    })?;
                    let (mut lonlat, mut address) = match (&r.place, &r.lonlat) {
                        (Some(p), None) => (cx.place(places, p)?, p.get_ref().clone()),
                        (None, Some(ll)) => {
                            let [lon, lat] = *ll.get_ref();
                            let pos = LonLat::from_deg(lon, lat).map_err(|e| cx.err(ll.span(), e.to_string()))?;
                            (pos, format!("{lon:.5}, {lat:.5}"))
                        }
                        (Some(p), Some(_)) => {
                            return Err(cx.err(p.span(), "give either place or lonlat, not both"));
                        }
                        (None, None) => return Err(cx.err(span, "an incident inject needs `place` or `lonlat`")),
                    };
                    if let Some(off) = &r.offset_km {
                        let [e, n] = *off.get_ref();
                        lonlat = lonlat
                            .offset_m(e * 1000.0, n * 1000.0)
                            .map_err(|err| cx.err(off.span(), err.to_string()))?;
                        address = format!("{address} ({e:+.1} km E, {n:+.1} km N)");
                    }
                    if let Some(a) = &r.address {
                        address = a.clone();
                    }
                    InjectKind::Incident {
                        incident_type,
                        severity,
                        lonlat,
                        address,
                        affected: r.affected,
                        note: r.note.clone().unwrap_or_default(),
                    }
                }
                "unit_unavailable" => InjectKind::UnitUnavailable {
                    unit: cx.need(&r.unit, "unit", kind, span.clone())?.get_ref().clone(),
                },
                "road_closed" => {
                    let from = cx.need(&r.from, "from", kind, span.clone())?;
                    let to = cx.need(&r.to, "to", kind, span.clone())?;
                    let road = r
                        .road
                        .as_ref()
                        .map(|s| s.get_ref().clone())
                        .unwrap_or_else(|| format!("{} – {}", from.get_ref(), to.get_ref()));
                    InjectKind::RoadClosed {
                        road,
                        from: cx.place(places, from)?,
                        to: cx.place(places, to)?,
                    }
                }
                "stock_short" => InjectKind::StockShort {
                    warehouse: cx
                        .need(&r.warehouse, "warehouse", kind, span.clone())?
                        .get_ref()
                        .clone(),
                    item: cx.need(&r.item, "item", kind, span.clone())?.get_ref().clone(),
                    quantity: r.quantity.unwrap_or(0),
                },
                "shelter_full" => InjectKind::ShelterFull {
                    shelter: cx.need(&r.shelter, "shelter", kind, span.clone())?.get_ref().clone(),
                    occupancy: r.occupancy,
                },
                other => {
                    return Err(cx.err(
                        r.kind.span(),
                        format!("unknown inject kind \"{other}\"; one of: {KINDS}"),
                    ));
                }
            };
            let ref_span = [&r.unit, &r.warehouse, &r.shelter]
                .into_iter()
                .flatten()
                .next()
                .map_or(span.clone(), |s| s.span());
            injects.push(Inject {
                at_s,
                line: line_of(text, span.start),
                ref_line: line_of(text, ref_span.start),
                what,
            });
        }
        injects.sort_by_key(|i| i.at_s);
        Ok(Scenario {
            path: path.to_path_buf(),
            id,
            name: raw.name.get_ref().trim().to_owned(),
            start_ms,
            seed: raw.seed,
            end_s,
            settings,
            injects,
        })
    }

    fn line_err(&self, line: usize, msg: String) -> ScenarioError {
        ScenarioError::Invalid {
            path: self.path.clone(),
            line,
            msg,
        }
    }

    /// Resolves unit, warehouse, item and shelter names against the drill's situation; one
    /// entry per inject, in order.
    pub fn resolve(&self, sit: &Situation) -> Result<Vec<Resolved>, ScenarioError> {
        let mut out = Vec::with_capacity(self.injects.len());
        for inj in &self.injects {
            let r = match &inj.what {
                InjectKind::Incident { .. } => Resolved::Incident,
                InjectKind::RoadClosed { .. } => Resolved::Road,
                InjectKind::UnitUnavailable { unit } => {
                    let found = sit
                        .units
                        .values()
                        .find(|u| u.spec.external_id == *unit || u.spec.callsign == *unit);
                    match found {
                        Some(u) => Resolved::Unit(u.id),
                        None => {
                            return Err(self.line_err(
                                inj.ref_line,
                                format!(
                                    "unknown unit \"{unit}\"; give an external id or call sign, one of: {}",
                                    choices(sit.units.values().map(|u| u.spec.external_id.as_str()), unit)
                                ),
                            ));
                        }
                    }
                }
                InjectKind::StockShort { warehouse, item, .. } => {
                    let Some(w) = sit.warehouse_by_external_id(warehouse) else {
                        return Err(self.line_err(
                            inj.ref_line,
                            format!(
                                "unknown warehouse \"{warehouse}\"; one of: {}",
                                choices(sit.warehouses.values().map(|w| w.spec.external_id.as_str()), warehouse)
                            ),
                        ));
                    };
                    if !w.stock.contains_key(item) {
                        return Err(self.line_err(
                            inj.ref_line,
                            format!(
                                "warehouse \"{warehouse}\" has no item \"{item}\"; one of: {}",
                                choices(w.stock.keys().map(String::as_str), item)
                            ),
                        ));
                    }
                    Resolved::Stock(w.id)
                }
                InjectKind::ShelterFull { shelter, occupancy } => {
                    let Some(s) = sit.shelter_by_external_id(shelter) else {
                        return Err(self.line_err(
                            inj.ref_line,
                            format!(
                                "unknown shelter \"{shelter}\"; one of: {}",
                                choices(sit.shelters.values().map(|s| s.spec.external_id.as_str()), shelter)
                            ),
                        ));
                    };
                    if let Some(o) = occupancy
                        && *o > s.spec.capacity
                    {
                        return Err(self.line_err(
                            inj.ref_line,
                            format!(
                                "occupancy {o} exceeds shelter \"{shelter}\"'s capacity {}",
                                s.spec.capacity
                            ),
                        ));
                    }
                    Resolved::Shelter(s.id)
                }
            };
            out.push(r);
        }
        Ok(out)
    }
}

/// The valid names, closest to `query` first (edit distance): all when few, else the nearest
/// 12 and "… (N in all)".
fn choices<'a>(names: impl Iterator<Item = &'a str>, query: &str) -> String {
    let mut all: Vec<(usize, &str)> = names.map(|n| (edit_distance(n, query), n)).collect();
    if all.is_empty() {
        return "(none loaded)".into();
    }
    let n = all.len();
    if n <= 20 {
        return all.iter().map(|x| x.1).collect::<Vec<_>>().join(", ");
    }
    all.sort();
    let shown = all.iter().take(12).map(|x| x.1).collect::<Vec<_>>().join(", ");
    format!("{shown}, … ({n} in all, closest first)")
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn places() -> PlaceNames {
        PlaceNames::from_list(&[("Jinghong", [100.77, 22.0]), ("Menghai", [100.45, 21.96])])
    }

    fn parse(text: &str) -> Result<Scenario, ScenarioError> {
        Scenario::parse(Path::new("s.toml"), text, &places())
    }

    #[test]
    fn offsets_never_wrap_and_are_capped() {
        assert_eq!(parse_offset_s("T+01:02:03"), Some(3723));
        assert_eq!(parse_offset_s("T+168:00:00"), Some(MAX_OFFSET_S));
        assert_eq!(parse_offset_s("T+168:00:01"), None);
        assert_eq!(parse_offset_s("T+100000:00:00"), None);
        // 5124095576030431 h × 3600 wraps u64 to a small number without checked arithmetic.
        assert_eq!(parse_offset_s("T+5124095576030431:00:00"), None);
        assert_eq!(parse_offset_s(&format!("T+{}:00:00", u64::MAX)), None);
    }

    const OK: &str = r#"name = "Test"
start = "2026-07-15T06:00:00Z"
seed = 7

[[inject]]
at = "T+00:10:00"
kind = "incident"
type = "flood"
grade = "II"
place = "menghai"
offset_km = [1.0, 0.0]

[[inject]]
at = "T+00:00:00"
kind = "road_closed"
from = "Jinghong"
to = "Menghai"
"#;

    #[test]
    fn parses_and_sorts_injects() {
        let s = parse(OK).unwrap();
        assert_eq!(s.id, "s");
        assert_eq!(s.seed, 7);
        assert_eq!(s.injects.len(), 2);
        assert_eq!(s.injects[0].at_s, 0);
        assert_eq!(s.injects[0].line, 13);
        assert_eq!(s.injects[1].at_s, 600);
        match &s.injects[1].what {
            InjectKind::Incident { lonlat, .. } => assert!(lonlat.lon_deg() > 100.455),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unplayed_injects_are_those_due_after_the_stop() {
        let s = parse(OK).unwrap();
        // Stopped at T+00:05:00: the road closure (T+0) was played, the flood (T+10 min) not.
        let left = s.unplayed(s.start_ms + 300_000);
        assert_eq!(left.len(), 1);
        assert!(
            left[0].starts_with("T+00:10:00 事件 incident: 洪涝灾害 / Flood Ⅱ级"),
            "{left:?}"
        );
        assert!(!left[0].contains('_'));
        assert_eq!(
            s.unplayed(s.start_ms + 600_000),
            Vec::<String>::new(),
            "due at the stop = played"
        );
        assert_eq!(s.unplayed(s.start_ms - 1).len(), 2);
    }

    #[test]
    fn errors_name_the_line_and_the_choices() {
        let e = parse(&OK.replace("\"flood\"", "\"flud\"")).unwrap_err().to_string();
        assert!(
            e.starts_with("s.toml:8: unknown incident type \"flud\"; one of: flood,"),
            "{e}"
        );
        let e = parse(&OK.replace("\"menghai\"", "\"Mengxx\"")).unwrap_err().to_string();
        assert!(
            e.starts_with("s.toml:10: unknown place \"Mengxx\"; one of: Jinghong, Menghai"),
            "{e}"
        );
        let e = parse(&OK.replace("T+00:10:00", "T+00:61:00")).unwrap_err().to_string();
        assert!(e.starts_with("s.toml:6: at must be hh:mm:ss"), "{e}");
        let e = parse(&OK.replace("\"road_closed\"", "\"bridge\""))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(":15: unknown inject kind \"bridge\"; one of: incident,"),
            "{e}"
        );
        let e = parse(&OK.replace("seed = 7", "seed = 7\ncolour = 1"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("s.toml:4:") && e.contains("colour"), "{e}");
        let e = parse(&OK.replace("grade = \"II\"", "grade = \"V\""))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("s.toml:9: unknown grade \"V\""), "{e}");
    }

    #[test]
    fn resolve_names_unknown_units() {
        let text = format!("{OK}\n[[inject]]\nat = \"T+01:00:00\"\nkind = \"unit_unavailable\"\nunit = \"nope\"\n");
        let s = parse(&text).unwrap();
        let e = s.resolve(&Situation::new()).unwrap_err().to_string();
        assert!(e.starts_with("s.toml:22: unknown unit \"nope\""), "{e}");
    }
}
