//! Response plans (预案 / run cards) read from `maps/<pack>/plans.toml`: per incident type and
//! severity grade the required units (by capability or unit type, with counts), the target times
//! and distances that apply, and relief supplies per affected person. Validated on load: every
//! error names the file and the line. Pure; must not import egui, tokio or rusqlite.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::model::{Capability, IncidentType, Severity, UnitType};

/// File name of the plans inside a map pack.
pub const PLANS_FILE: &str = "plans.toml";

/// Default radius around a county / prefecture seat that counts as urban, km.
pub const DEFAULT_URBAN_RADIUS_KM: f64 = 5.0;

/// Default distance from the international border within which cross-border teams are proposed, km.
pub const DEFAULT_BORDER_RADIUS_KM: f64 = 20.0;

/// Largest urban radius around a seat, km (a whole county is ≈ 100 km across).
pub const MAX_URBAN_RADIUS_KM: f64 = 100.0;

/// Largest distance limit or border radius, km.
pub const MAX_DISTANCE_KM: f64 = 1000.0;

/// Largest time limit of a target, hours (3 days).
pub const MAX_LIMIT_H: f64 = 72.0;

/// Most units one requirement may ask for.
pub const MAX_COUNT: u32 = 500;

/// Largest relief quantity per affected person.
pub const MAX_RELIEF_PER_PERSON: f64 = 1000.0;

/// A plan file that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// The file cannot be read.
    #[error("{path}: cannot read response plans: {msg}")]
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

/// What a requirement asks for: any unit with a capability, or units of one type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(tag = "by", content = "code", rename_all = "snake_case")]
pub enum Need {
    /// Any unit having this capability.
    Capability(Capability),
    /// A unit of this type.
    UnitType(UnitType),
}

impl Need {
    /// The stable code of the capability or unit type.
    pub fn code(self) -> &'static str {
        match self {
            Need::Capability(c) => c.code(),
            Need::UnitType(t) => t.code(),
        }
    }

    /// Chinese label (a unit type's name, or "<capability>力量").
    pub fn label_zh(self) -> String {
        match self {
            Need::Capability(c) => format!("{}力量", c.name_zh()),
            Need::UnitType(t) => t.name_zh().to_string(),
        }
    }

    /// English label in lower case ("water-rescue team", "fire suppression unit").
    pub fn label_en(self) -> String {
        let s = match self {
            Need::Capability(c) => format!("{} unit", c.name_en()),
            Need::UnitType(t) => t.name_en().to_string(),
        };
        let mut chars = s.chars();
        match chars.next() {
            Some(f) => f.to_lowercase().chain(chars).collect(),
            None => s,
        }
    }

    /// True when the unit type (with these capabilities) fills the need.
    pub fn matched_by(self, unit_type: UnitType, caps: &std::collections::BTreeSet<Capability>) -> bool {
        match self {
            Need::Capability(c) => caps.contains(&c),
            Need::UnitType(t) => unit_type == t,
        }
    }
}

/// One line of a plan: `count` units filling `need`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Requirement {
    /// What is needed.
    pub need: Need,
    /// How many units.
    pub count: u32,
}

/// What a target is measured on.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    /// Travel time to the scene, seconds.
    Time {
        /// Limit, s.
        limit_s: f64,
    },
    /// Road distance to the scene, metres, depending on whether the scene is urban.
    Distance {
        /// Limit in urban areas, m.
        urban_m: f64,
        /// Limit in rural areas, m.
        rural_m: f64,
    },
}

/// Which suggestions a target applies to.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct AppliesTo {
    /// Every suggested unit.
    pub all_units: bool,
    /// Units of these types.
    pub unit_types: Vec<UnitType>,
    /// Units with any of these capabilities.
    pub capabilities: Vec<Capability>,
    /// Relief-supply deliveries from warehouses.
    pub supplies: bool,
}

impl AppliesTo {
    /// True for a unit of this type with these capabilities.
    pub fn unit(&self, unit_type: UnitType, caps: &std::collections::BTreeSet<Capability>) -> bool {
        self.all_units || self.unit_types.contains(&unit_type) || self.capabilities.iter().any(|c| caps.contains(c))
    }
}

/// A target time or distance (e.g. road rescue on scene ≤ 1.5 h).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Target {
    /// Stable name, e.g. `road_rescue_on_scene`.
    pub name: String,
    /// Chinese label.
    pub zh: String,
    /// English label.
    pub en: String,
    /// The limit.
    pub limit: Limit,
    /// What it applies to.
    pub applies_to: AppliesTo,
}

/// A relief item of the catalogue (codes match the warehouses' stock lines).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Item {
    /// Chinese name.
    pub zh: String,
    /// English name.
    pub en: String,
    /// Counting unit.
    pub unit: String,
}

/// The run card for one incident type and a range of grades.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Plan {
    /// Incident type; `None` = default for every type without its own plan.
    pub incident_type: Option<IncidentType>,
    /// Grades covered (I = most severe).
    pub grades: Vec<Severity>,
    /// Free-text title.
    pub title: String,
    /// Units required, in plan order.
    pub require: Vec<Requirement>,
    /// Relief per affected person (item code → quantity); `None` uses the file's default.
    pub relief_per_person: Option<BTreeMap<String, f64>>,
    /// Line of the plan in the file.
    pub line: usize,
}

/// All response plans of a pack.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Plans {
    /// The file they came from.
    pub path: PathBuf,
    /// Within this radius of a county / prefecture seat a scene is urban, km.
    pub urban_radius_km: f64,
    /// Cross-border teams are proposed within this distance of the international border, km.
    pub border_radius_km: f64,
    /// Relief item catalogue by code.
    pub items: BTreeMap<String, Item>,
    /// Default relief per affected person (item code → quantity).
    pub relief_per_person: BTreeMap<String, f64>,
    /// Targets in file order.
    pub targets: Vec<Target>,
    /// Plans in file order.
    pub plans: Vec<Plan>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: Spanned<u32>,
    #[serde(default)]
    settings: RawSettings,
    #[serde(default)]
    items: BTreeMap<String, RawItem>,
    #[serde(default)]
    relief: RawRelief,
    #[serde(default, rename = "target")]
    targets: Vec<Spanned<RawTarget>>,
    #[serde(default, rename = "plan")]
    plans: Vec<Spanned<RawPlan>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    urban_radius_km: Option<Spanned<f64>>,
    border_radius_km: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    zh: String,
    #[serde(default)]
    en: String,
    #[serde(default)]
    unit: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRelief {
    #[serde(default)]
    per_person: BTreeMap<Spanned<String>, Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    name: Spanned<String>,
    #[serde(default)]
    zh: String,
    #[serde(default)]
    en: String,
    limit_min: Option<Spanned<f64>>,
    limit_h: Option<Spanned<f64>>,
    urban_km: Option<Spanned<f64>>,
    rural_km: Option<Spanned<f64>>,
    #[serde(default)]
    all_units: bool,
    #[serde(default)]
    unit_types: Vec<Spanned<String>>,
    #[serde(default)]
    capabilities: Vec<Spanned<String>>,
    #[serde(default)]
    supplies: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    #[serde(rename = "type")]
    incident_type: Spanned<String>,
    grade: Spanned<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    require: Vec<Spanned<RawRequirement>>,
    relief_per_person: Option<BTreeMap<Spanned<String>, Spanned<f64>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequirement {
    capability: Option<Spanned<String>>,
    unit_type: Option<Spanned<String>>,
    count: Spanned<u32>,
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

struct Ctx<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Ctx<'_> {
    fn err(&self, span: Range<usize>, msg: impl Into<String>) -> PlanError {
        PlanError::Invalid {
            path: self.path.to_path_buf(),
            line: line_of(self.text, span.start),
            msg: msg.into(),
        }
    }

    /// A positive number no larger than `max` (its unit is in the field name).
    fn positive(&self, v: &Spanned<f64>, what: &str, max: f64) -> Result<f64, PlanError> {
        let x = *v.get_ref();
        if x.is_finite() && x > 0.0 && x <= max {
            Ok(x)
        } else {
            Err(self.err(
                v.span(),
                format!("{what} 须为大于 0、不超过 {max} 的数 / must be a positive number of at most {max}, not {x}"),
            ))
        }
    }

    fn unit_type(&self, s: &Spanned<String>) -> Result<UnitType, PlanError> {
        UnitType::from_code(s.get_ref()).ok_or_else(|| {
            self.err(
                s.span(),
                format!(
                    "unknown unit type \"{}\"; one of: {}",
                    s.get_ref(),
                    codes(UnitType::ALL, |t| t.code())
                ),
            )
        })
    }

    fn capability(&self, s: &Spanned<String>) -> Result<Capability, PlanError> {
        Capability::from_code(s.get_ref()).ok_or_else(|| {
            self.err(
                s.span(),
                format!(
                    "unknown capability \"{}\"; one of: {}",
                    s.get_ref(),
                    codes(Capability::ALL, |c| c.code())
                ),
            )
        })
    }

    fn relief(
        &self,
        raw: &BTreeMap<Spanned<String>, Spanned<f64>>,
        items: &BTreeMap<String, Item>,
    ) -> Result<BTreeMap<String, f64>, PlanError> {
        let mut out = BTreeMap::new();
        for (code, qty) in raw {
            if !items.contains_key(code.get_ref()) {
                let known: Vec<&str> = items.keys().map(String::as_str).collect();
                return Err(self.err(
                    code.span(),
                    format!(
                        "unknown relief item \"{}\"; declare it under [items] (known: {})",
                        code.get_ref(),
                        known.join(", ")
                    ),
                ));
            }
            let q = *qty.get_ref();
            if !(q.is_finite() && (0.0..=MAX_RELIEF_PER_PERSON).contains(&q)) {
                return Err(self.err(
                    qty.span(),
                    format!(
                        "每人数量须在 0 到 {MAX_RELIEF_PER_PERSON} 之间 / quantity per person must be 0 to {MAX_RELIEF_PER_PERSON}, not {q}"
                    ),
                ));
            }
            out.insert(code.get_ref().clone(), q);
        }
        Ok(out)
    }
}

fn codes<T: Copy>(all: &[T], code: impl Fn(T) -> &'static str) -> String {
    all.iter().map(|t| code(*t)).collect::<Vec<_>>().join(", ")
}

/// Parses a grade or grade range: `III`, `I-II` (or `I–II`), `*` / `all` for every grade.
fn parse_grades(text: &str) -> Option<Vec<Severity>> {
    let t = text.trim();
    if t == "*" || t.eq_ignore_ascii_case("all") {
        return Some(Severity::ALL.to_vec());
    }
    let one = |s: &str| Severity::from_code(s.trim());
    let (a, b) = match t.split_once(['-', '–']) {
        Some((a, b)) => (one(a)?, one(b)?),
        None => (one(t)?, one(t)?),
    };
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    Some(Severity::ALL.iter().copied().filter(|s| *s >= lo && *s <= hi).collect())
}

impl Plans {
    /// Display names of the situation's warehouses and items plus this file's targets and item
    /// catalogue (the catalogue's names win), for text officers read.
    pub fn display_names(&self, sit: &crate::model::Situation) -> crate::model::DisplayNames {
        let mut n = crate::model::DisplayNames::from_situation(sit);
        for t in &self.targets {
            n.add_target(&t.name, &t.zh, &t.en);
        }
        for (code, item) in &self.items {
            n.add_item(code, &item.zh, &item.en);
        }
        n
    }

    /// Reads and validates `path`.
    pub fn load(path: &Path) -> Result<Plans, PlanError> {
        let text = std::fs::read_to_string(path).map_err(|e| PlanError::Io {
            path: path.to_path_buf(),
            msg: e.to_string(),
        })?;
        Plans::parse(path, &text)
    }

    /// Reads `<pack_dir>/plans.toml`.
    pub fn load_pack(pack_dir: &Path) -> Result<Plans, PlanError> {
        let path = pack_dir.join(PLANS_FILE);
        if !path.is_file() {
            return Err(PlanError::Io {
                path,
                msg: "the pack has no response plans (plans.toml); copy maps/xishuangbanna/plans.toml and edit it"
                    .into(),
            });
        }
        Plans::load(&path)
    }

    /// Parses and validates plan text; `path` is only used in messages.
    pub fn parse(path: &Path, text: &str) -> Result<Plans, PlanError> {
        let cx = Ctx { path, text };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| line_of(text, s.start));
            PlanError::Invalid {
                path: path.to_path_buf(),
                line,
                msg: e.message().trim().to_string(),
            }
        })?;
        if *raw.version.get_ref() != 1 {
            return Err(cx.err(
                raw.version.span(),
                format!("version {} is not supported (expected 1)", raw.version.get_ref()),
            ));
        }
        let urban_radius_km = match &raw.settings.urban_radius_km {
            Some(v) => cx.positive(v, "urban_radius_km", MAX_URBAN_RADIUS_KM)?,
            None => DEFAULT_URBAN_RADIUS_KM,
        };
        let border_radius_km = match &raw.settings.border_radius_km {
            Some(v) => cx.positive(v, "border_radius_km", MAX_DISTANCE_KM)?,
            None => DEFAULT_BORDER_RADIUS_KM,
        };
        let items: BTreeMap<String, Item> = raw
            .items
            .into_iter()
            .map(|(k, v)| {
                (
                    k,
                    Item {
                        zh: v.zh,
                        en: v.en,
                        unit: v.unit,
                    },
                )
            })
            .collect();
        let relief_per_person = cx.relief(&raw.relief.per_person, &items)?;

        let mut targets: Vec<Target> = Vec::new();
        for t in &raw.targets {
            let span = t.span();
            let t = t.get_ref();
            if targets.iter().any(|x| x.name == *t.name.get_ref()) {
                return Err(cx.err(
                    t.name.span(),
                    format!("target \"{}\" is defined twice", t.name.get_ref()),
                ));
            }
            let limit = match (&t.limit_min, &t.limit_h, &t.urban_km, &t.rural_km) {
                (Some(m), None, None, None) => Limit::Time {
                    limit_s: cx.positive(m, "limit_min", MAX_LIMIT_H * 60.0)? * 60.0,
                },
                (None, Some(h), None, None) => Limit::Time {
                    limit_s: cx.positive(h, "limit_h", MAX_LIMIT_H)? * 3600.0,
                },
                (None, None, Some(u), Some(r)) => Limit::Distance {
                    urban_m: cx.positive(u, "urban_km", MAX_DISTANCE_KM)? * 1000.0,
                    rural_m: cx.positive(r, "rural_km", MAX_DISTANCE_KM)? * 1000.0,
                },
                _ => {
                    return Err(cx.err(
                        span,
                        format!(
                            "target \"{}\" needs exactly one limit: limit_min, limit_h, or urban_km with rural_km",
                            t.name.get_ref()
                        ),
                    ));
                }
            };
            let applies_to = AppliesTo {
                all_units: t.all_units,
                unit_types: t.unit_types.iter().map(|s| cx.unit_type(s)).collect::<Result<_, _>>()?,
                capabilities: t
                    .capabilities
                    .iter()
                    .map(|s| cx.capability(s))
                    .collect::<Result<_, _>>()?,
                supplies: t.supplies,
            };
            if applies_to == AppliesTo::default() {
                return Err(cx.err(
                    span,
                    format!(
                        "target \"{}\" applies to nothing: set all_units, unit_types, capabilities or supplies",
                        t.name.get_ref()
                    ),
                ));
            }
            targets.push(Target {
                name: t.name.get_ref().clone(),
                zh: t.zh.clone(),
                en: t.en.clone(),
                limit,
                applies_to,
            });
        }

        let mut plans: Vec<Plan> = Vec::new();
        for p in &raw.plans {
            let line = line_of(text, p.span().start);
            let p = p.get_ref();
            let ty = p.incident_type.get_ref();
            let incident_type = if ty == "*" || ty == "default" {
                None
            } else {
                Some(IncidentType::from_code(ty).ok_or_else(|| {
                    cx.err(
                        p.incident_type.span(),
                        format!(
                            "unknown incident type \"{ty}\"; one of: {} (or \"*\" for the default)",
                            codes(IncidentType::ALL, |t| t.code())
                        ),
                    )
                })?)
            };
            let grades = parse_grades(p.grade.get_ref()).ok_or_else(|| {
                cx.err(
                    p.grade.span(),
                    format!(
                        "bad grade \"{}\": use I, II, III, IV, a range like \"I-II\", or \"*\"",
                        p.grade.get_ref()
                    ),
                )
            })?;
            if let Some(other) = plans
                .iter()
                .find(|o| o.incident_type == incident_type && o.grades.iter().any(|g| grades.contains(g)))
            {
                return Err(cx.err(
                    p.grade.span(),
                    format!(
                        "grades \"{}\" of type \"{ty}\" overlap the plan at line {}",
                        p.grade.get_ref(),
                        other.line
                    ),
                ));
            }
            let mut require = Vec::new();
            for r in &p.require {
                let rs = r.get_ref();
                let need = match (&rs.capability, &rs.unit_type) {
                    (Some(c), None) => Need::Capability(cx.capability(c)?),
                    (None, Some(t)) => Need::UnitType(cx.unit_type(t)?),
                    _ => {
                        return Err(cx.err(
                            r.span(),
                            "a requirement needs exactly one of capability = \"…\" or unit_type = \"…\"",
                        ));
                    }
                };
                let count = *rs.count.get_ref();
                if !(1..=MAX_COUNT).contains(&count) {
                    return Err(cx.err(
                        rs.count.span(),
                        format!("count 须在 1 到 {MAX_COUNT} 之间 / count must be 1 to {MAX_COUNT}, not {count}"),
                    ));
                }
                if require.iter().any(|x: &Requirement| x.need == need) {
                    return Err(cx.err(
                        r.span(),
                        format!("\"{}\" is required twice in this plan; add the counts", need.code()),
                    ));
                }
                require.push(Requirement { need, count });
            }
            let relief = match &p.relief_per_person {
                Some(r) => Some(cx.relief(r, &items)?),
                None => None,
            };
            plans.push(Plan {
                incident_type,
                grades,
                title: p.title.clone(),
                require,
                relief_per_person: relief,
                line,
            });
        }
        Ok(Plans {
            path: path.to_path_buf(),
            urban_radius_km,
            border_radius_km,
            items,
            relief_per_person,
            targets,
            plans,
        })
    }

    /// The plan for an incident: its type's own plan for the grade, else the default (`*`).
    pub fn plan_for(&self, incident_type: IncidentType, severity: Severity) -> Option<&Plan> {
        let covers = |p: &&Plan| p.grades.contains(&severity);
        self.plans
            .iter()
            .filter(covers)
            .find(|p| p.incident_type == Some(incident_type))
            .or_else(|| self.plans.iter().filter(covers).find(|p| p.incident_type.is_none()))
    }

    /// Relief per person for a plan (its own list, else the file's default).
    pub fn relief_for<'a>(&'a self, plan: &'a Plan) -> &'a BTreeMap<String, f64> {
        plan.relief_per_person.as_ref().unwrap_or(&self.relief_per_person)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
version = 1

[settings]
urban_radius_km = 4

[items]
tent = { zh = "帐篷", en = "Tent", unit = "顶" }
quilt = { zh = "棉被", en = "Quilt", unit = "床" }

[relief]
per_person = { tent = 0.25, quilt = 1 }

[[target]]
name = "on_scene"
limit_h = 1.5
all_units = true

[[target]]
name = "ambulance_radius"
urban_km = 5
rural_km = 20
unit_types = ["ambulance"]

[[plan]]
type = "building_fire"
grade = "III-IV"
require = [
  { unit_type = "fire_engine", count = 2 },
  { unit_type = "ambulance", count = 1 },
]

[[plan]]
type = "building_fire"
grade = "I-II"
require = [{ capability = "fire_suppression", count = 4 }]
relief_per_person = { quilt = 2 }

[[plan]]
type = "*"
grade = "*"
require = [{ unit_type = "police", count = 1 }]
"#;

    fn parse(text: &str) -> Result<Plans, PlanError> {
        Plans::parse(Path::new("plans.toml"), text)
    }

    fn line_of_err(text: &str) -> (usize, String) {
        match parse(text).unwrap_err() {
            PlanError::Invalid { line, msg, .. } => (line, msg),
            e => panic!("{e}"),
        }
    }

    #[test]
    fn good_file_parses() {
        let p = parse(GOOD).unwrap();
        assert_eq!(p.urban_radius_km, 4.0);
        assert_eq!(p.border_radius_km, DEFAULT_BORDER_RADIUS_KM);
        assert_eq!(p.targets.len(), 2);
        assert_eq!(p.targets[0].limit, Limit::Time { limit_s: 5400.0 });
        let fire3 = p.plan_for(IncidentType::BuildingFire, Severity::III).unwrap();
        assert_eq!(fire3.require[0].need, Need::UnitType(UnitType::FireEngine));
        assert_eq!(fire3.require[0].count, 2);
        assert_eq!(fire3.line, 25);
        assert_eq!(p.relief_for(fire3)["tent"], 0.25);
        let fire1 = p.plan_for(IncidentType::BuildingFire, Severity::I).unwrap();
        assert_eq!(fire1.require[0].need, Need::Capability(Capability::FireSuppression));
        assert_eq!(p.relief_for(fire1)["quilt"], 2.0);
        assert!(!p.relief_for(fire1).contains_key("tent"));
        let flood = p.plan_for(IncidentType::Flood, Severity::II).unwrap();
        assert_eq!(flood.incident_type, None);
    }

    #[test]
    fn each_kind_of_bad_input_names_its_line() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "type = \"building_fire\"",
                "type = \"building_fyre\"",
                "unknown incident type \"building_fyre\"",
            ),
            (
                "unit_type = \"fire_engine\"",
                "unit_type = \"fire_engin\"",
                "unknown unit type \"fire_engin\"",
            ),
            (
                "capability = \"fire_suppression\"",
                "capability = \"fire_supression\"",
                "unknown capability",
            ),
            (
                "relief_per_person = { quilt = 2 }",
                "relief_per_person = { blanket = 2 }",
                "unknown relief item \"blanket\"",
            ),
            (
                "unit_types = [\"ambulance\"]",
                "unit_types = [\"ambulanse\"]",
                "unknown unit type",
            ),
            ("grade = \"III-IV\"", "grade = \"III-V\"", "bad grade"),
            ("grade = \"I-II\"", "grade = \"II-III\"", "overlap the plan at line 25"),
            ("limit_h = 1.5", "limit_h = -1", "positive"),
            ("limit_h = 1.5", "limit_h = 1e308", "at most 72"),
            ("limit_h = 1.5", "limit_h = nan", "positive"),
            ("urban_km = 5", "urban_km = 1e308", "at most 1000"),
            ("urban_radius_km = 4", "urban_radius_km = 101", "urban_radius_km 须为"),
            (
                "{ unit_type = \"ambulance\", count = 1 }",
                "{ unit_type = \"ambulance\", count = 4294967295 }",
                "count must be 1 to 500, not 4294967295",
            ),
            (
                "relief_per_person = { quilt = 2 }",
                "relief_per_person = { quilt = 1e12 }",
                "quantity per person must be 0 to 1000",
            ),
            (
                "{ unit_type = \"ambulance\", count = 1 }",
                "{ unit_type = \"ambulance\", count = 0 }",
                "count must be",
            ),
            (
                "name = \"on_scene\"\n",
                "name = \"on_scene\"\ncolour = \"red\"\n",
                "unknown field `colour`",
            ),
            (
                "{ unit_type = \"police\", count = 1 }",
                "{ unit_type = \"police\" }",
                "missing field `count`",
            ),
            ("[settings]", "[settings", "unclosed"),
        ];
        for (from, to, needle) in cases {
            assert!(GOOD.contains(from), "{from}");
            let text = GOOD.replacen(from, to, 1);
            let changed_line = text.lines().zip(GOOD.lines()).position(|(a, b)| a != b).unwrap() + 1;
            let (line, msg) = line_of_err(&text);
            assert!(msg.contains(needle), "{to}: expected \"{needle}\" in \"{msg}\"");
            assert_eq!(line, changed_line, "{to}: {msg}");
        }
        let e = parse(&GOOD.replacen(
            "unit_type = \"police\", count",
            "unit_type = \"police\", capability = \"drone\", count",
            1,
        ))
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("plans.toml:42: ") && e.contains("exactly one of"), "{e}");
    }

    #[test]
    fn grade_ranges() {
        assert_eq!(parse_grades("I–II").unwrap(), vec![Severity::I, Severity::II]);
        assert_eq!(parse_grades("IV-III").unwrap(), vec![Severity::III, Severity::IV]);
        assert_eq!(parse_grades("*").unwrap().len(), 4);
        assert!(parse_grades("V").is_none());
    }

    #[test]
    fn xishuangbanna_plans_cover_every_type_and_grade() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("maps/xishuangbanna");
        let p = Plans::load_pack(&dir).unwrap();
        for t in IncidentType::ALL {
            for g in Severity::ALL {
                let plan = p.plan_for(*t, *g).unwrap();
                assert_eq!(plan.incident_type, Some(*t), "{t} {g} falls back to the default");
                assert!(!plan.require.is_empty());
            }
        }
        let req = |t, g| -> Vec<(Need, u32)> {
            p.plan_for(t, g)
                .unwrap()
                .require
                .iter()
                .map(|r| (r.need, r.count))
                .collect()
        };
        use Need::{Capability as C, UnitType as U};
        assert_eq!(
            req(IncidentType::BuildingFire, Severity::III),
            [(U(UnitType::FireEngine), 2), (U(UnitType::Ambulance), 1)]
        );
        assert_eq!(
            req(IncidentType::LandslideDebrisFlow, Severity::II),
            [
                (C(Capability::GeologicalRescue), 1),
                (U(UnitType::EngineeringCrew), 2),
                (U(UnitType::MedicalTeam), 1),
                (U(UnitType::Ambulance), 1)
            ]
        );
        assert_eq!(
            req(IncidentType::ForestGrasslandFire, Severity::II),
            [(U(UnitType::ForestFireTeam), 3), (U(UnitType::WaterTanker), 1)]
        );
        assert_eq!(
            req(IncidentType::WaterBoat, Severity::III),
            [(U(UnitType::WaterRescueTeam), 1), (U(UnitType::Ambulance), 1)]
        );
        assert_eq!(
            req(IncidentType::RoadTraffic, Severity::IV),
            [
                (U(UnitType::Ambulance), 2),
                (U(UnitType::RoadTrafficRescue), 1),
                (U(UnitType::FireEngine), 1)
            ]
        );
        let limits: BTreeMap<&str, Limit> = p.targets.iter().map(|t| (t.name.as_str(), t.limit)).collect();
        assert_eq!(limits["road_rescue_on_scene"], Limit::Time { limit_s: 5400.0 });
        assert_eq!(limits["engineering_linkage"], Limit::Time { limit_s: 1800.0 });
        assert_eq!(limits["relief_to_affected"], Limit::Time { limit_s: 36_000.0 });
        assert_eq!(
            limits["ambulance_radius"],
            Limit::Distance {
                urban_m: 5000.0,
                rural_m: 20_000.0
            }
        );
        // Every catalogue item is stocked in the demo warehouses.
        let stock = std::fs::read_to_string(dir.join("demo/stock.csv")).unwrap();
        let codes: std::collections::BTreeSet<&str> =
            stock.lines().skip(1).filter_map(|l| l.split(',').nth(1)).collect();
        for code in p.items.keys() {
            assert!(codes.contains(code.as_str()), "{code} not in demo/stock.csv");
        }
    }
}
