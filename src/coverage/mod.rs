//! Coverage of the prefecture by available units within the plan's targets, what-if / move-up
//! suggestions, siting of new stations, and "nearest supplies by road".
//!
//! Demand is the pack's places plus a regular grid over its county polygons (grid cells weighted
//! by area: no pack has a population raster; places by population only when every place has
//! one, else by count — the report says which). For each [`ForceType`] ONE multi-source search
//! from its available units ([`crate::roads::search::nearest_sources`]) gives every demand point
//! its nearest unit with travel time and road distance; points are snapped once
//! ([`CoverageModel`]) and a point off the network is uncovered with its reason, never a panic.
//! On a schematic network every figure is an estimate and says so.
//!
//! Pure and deterministic over `model` + `roads::Router` + `dispatch::Plans`; must not import
//! egui, tokio or rusqlite. The console calls [`CoverageModel`] on its routing worker.

pub mod bench;
pub mod compute;
pub mod demand;
pub mod siting;
pub mod supplies;

#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::dispatch::plans::{Limit, Plans};
use crate::model::{Capability, StationKind, Unit, UnitType};

pub use compute::{
    CoverageModel, CoverageReport, MoveUp, MoveUpSuggestion, PointCoverage, TypeCoverage, Uncovered, compute,
};
pub use demand::{CoverageOptions, DemandKind, DemandPoint, DemandSpec, Weighting};
pub use siting::{SiteChoice, SitingOptions, SitingReport, greedy_max_cover, siting_exhaustive};
pub use supplies::{CountyStock, SupplyAnswer, SupplySource, nearest_supplies, resolve_item};

/// Why coverage cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CoverageError {
    /// An unknown force-type name.
    #[error("unknown force type \"{given}\"; one of: {valid}")]
    UnknownType {
        /// What was given.
        given: String,
        /// The valid codes, comma-separated.
        valid: String,
    },
    /// No target of the plans applies to this force type.
    #[error("{path}: no [[target]] applies to {force} (add one with unit_types = [...] or all_units = true)")]
    NoThreshold {
        /// Plans file.
        path: String,
        /// Force type code.
        force: &'static str,
    },
    /// The pack has no road network.
    #[error("the map pack has no roads layer; coverage needs a road network")]
    NoRoads,
    /// A search failed.
    #[error("roads: {0}")]
    Roads(String),
    /// No such unit.
    #[error("unknown unit {0}")]
    UnknownUnit(u32),
    /// The unit belongs to no force type that coverage models.
    #[error("unit {0} is of no force type coverage models")]
    NoForceType(u32),
    /// An unknown supply item.
    #[error("unknown item \"{given}\"; known items: {known}")]
    UnknownItem {
        /// What was given.
        given: String,
        /// Item codes known from the plans and the warehouses' stock.
        known: String,
    },
    /// Bad siting input (candidates file, k).
    #[error("{0}")]
    Siting(String),
}

macro_rules! force_types {
    ($( $v:ident => ($code:literal, $zh:literal, $en:literal, [$($t:ident),*], $cap:ident, [$($k:ident),*]) ),* $(,)?) => {
        /// A kind of response force whose coverage is measured (a set of unit types plus units
        /// given the key capability as an extra).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum ForceType { $(
            #[doc = $en]
            $v,
        )* }

        impl ForceType {
            /// Every force type, in report order.
            pub const ALL: &'static [ForceType] = &[$(ForceType::$v),*];

            /// Stable code (`ambulance`, `fire_rescue`, …).
            pub fn code(self) -> &'static str {
                match self { $(ForceType::$v => $code),* }
            }

            /// Chinese name.
            pub fn name_zh(self) -> &'static str {
                match self { $(ForceType::$v => $zh),* }
            }

            /// English name.
            pub fn name_en(self) -> &'static str {
                match self { $(ForceType::$v => $en),* }
            }

            /// Unit types that belong to this force.
            pub fn unit_types(self) -> &'static [UnitType] {
                match self { $(ForceType::$v => &[$(UnitType::$t),*]),* }
            }

            /// The capability that makes a unit of another type count (as an extra only).
            pub fn key_capability(self) -> Capability {
                match self { $(ForceType::$v => Capability::$cap),* }
            }

            /// Station kinds such a unit may be based at (move-up destinations, siting).
            pub fn station_kinds(self) -> &'static [StationKind] {
                match self { $(ForceType::$v => &[$(StationKind::$k),*]),* }
            }
        }
    };
}

force_types! {
    Ambulance => ("ambulance", "急救（救护车）", "Ambulance", [Ambulance], MedicalTransport, [AmbulanceBase, Hospital]),
    FireRescue => ("fire_rescue", "消防救援", "Fire and rescue",
        [FireEngine, LadderTruck, WaterTanker, HighRiseRescue, RoadTrafficRescue], FireSuppression,
        [FireStation, TownshipFireTeamL1, TownshipFireTeamL2]),
    ForestFire => ("forest_fire", "森林消防", "Forest fire", [ForestFireTeam], ForestFire, [ForestFireDepot]),
    WaterRescue => ("water_rescue", "水上救援", "Water rescue", [WaterRescueTeam], WaterRescue, [WaterRescueBase]),
    Engineering => ("engineering", "工程抢险", "Engineering / road repair", [EngineeringCrew], RoadRepair, [EngineeringDepot]),
    GeoRescue => ("geo_rescue", "地震和地质灾害救援", "Earthquake / geological rescue",
        [EarthquakeGeoRescueTeam], GeologicalRescue, [RescueTeamBase, FireStation]),
    Medical => ("medical", "医疗救援队", "Medical team", [MedicalTeam], MedicalCare, [Hospital]),
    Police => ("police", "公安警力", "Police", [Police], PublicOrder, [PolicePost]),
    Power => ("power", "电力抢修", "Power restoration", [PowerCrew], PowerRestoration, [EngineeringDepot]),
}

impl ForceType {
    /// Parses a code (also accepts `fire` for `fire_rescue`); the error lists the valid codes.
    pub fn parse(text: &str) -> Result<ForceType, CoverageError> {
        let t = text.trim().to_ascii_lowercase().replace('-', "_");
        let t = match t.as_str() {
            "fire" => "fire_rescue",
            other => other,
        };
        ForceType::ALL
            .iter()
            .copied()
            .find(|f| f.code() == t)
            .ok_or_else(|| CoverageError::UnknownType {
                given: text.to_string(),
                valid: ForceType::ALL.iter().map(|f| f.code()).collect::<Vec<_>>().join(", "),
            })
    }

    /// True when `unit` counts for this force: its type is one of [`ForceType::unit_types`], or it
    /// was given the key capability as an extra. (A cross-border team's base water-rescue
    /// capability does not count: it is only proposed near the border.)
    pub fn matches(self, unit: &Unit) -> bool {
        self.unit_types().contains(&unit.spec.unit_type)
            || unit.spec.extra_capabilities.contains(&self.key_capability())
    }

    /// The first force type a unit belongs to.
    pub fn of_unit(unit: &Unit) -> Option<ForceType> {
        ForceType::ALL.iter().copied().find(|f| f.matches(unit))
    }
}

impl Serialize for ForceType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl std::fmt::Display for ForceType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// A limit a demand point must meet to count as covered (from a plan target).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Threshold {
    /// The plan target's name (or `option` when set by the caller).
    pub name: String,
    /// Chinese label.
    pub zh: String,
    /// English label.
    pub en: String,
    /// Time limit, or road-distance limit with urban / rural values.
    pub limit: Limit,
}

impl Threshold {
    /// Whether a unit `eta_s` / `dist_m` away meets it at an urban or rural point.
    pub fn met(&self, eta_s: f64, dist_m: f64, urban: bool) -> bool {
        match self.limit {
            Limit::Time { limit_s } => eta_s <= limit_s,
            Limit::Distance { urban_m, rural_m } => dist_m <= if urban { urban_m } else { rural_m },
        }
    }

    /// True for a road-distance limit.
    pub fn is_distance(&self) -> bool {
        matches!(self.limit, Limit::Distance { .. })
    }
}

/// The thresholds of `force` from the plans: the targets naming its unit types or key
/// capability; when none does, the targets that apply to all units (road rescue ≤ 1.5 h).
/// Supply-only targets never apply. Add a `[[target]]` with `unit_types = [...]` to plans.toml
/// to give a force its own limit.
pub fn thresholds_for(plans: &Plans, force: ForceType) -> Vec<Threshold> {
    let to_threshold = |t: &crate::dispatch::Target| Threshold {
        name: t.name.clone(),
        zh: t.zh.clone(),
        en: t.en.clone(),
        limit: t.limit,
    };
    let specific: Vec<Threshold> = plans
        .targets
        .iter()
        .filter(|t| {
            t.applies_to.unit_types.iter().any(|u| force.unit_types().contains(u))
                || t.applies_to.capabilities.contains(&force.key_capability())
        })
        .map(to_threshold)
        .collect();
    if !specific.is_empty() {
        return specific;
    }
    plans
        .targets
        .iter()
        .filter(|t| t.applies_to.all_units)
        .map(to_threshold)
        .collect()
}
