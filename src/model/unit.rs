//! Response units (vehicles and teams): type, capabilities derived from the type plus extras,
//! status with its transition rules, and the unit's master data. Pure; must not import rusqlite,
//! egui, tokio or `crate::store`.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::ids::{IncidentId, StationId, UnitId};
use super::lonlat::LonLat;
use super::names::named_enum;

named_enum! {
    /// Kind of unit.
    pub enum UnitType {
        FireEngine => ("fire_engine", "城市主战消防车", "Fire engine"),
        LadderTruck => ("ladder_truck", "登高平台消防车", "Ladder / aerial platform truck"),
        WaterTanker => ("water_tanker", "供水消防车", "Water tanker"),
        ForestFireTeam => ("forest_fire_team", "森林消防（扑火）队", "Forest-fire team"),
        WaterRescueTeam => ("water_rescue_team", "水上救援队", "Water-rescue team"),
        EarthquakeGeoRescueTeam => ("earthquake_geo_rescue_team", "地震和地质灾害救援队", "Earthquake / geological rescue team"),
        RoadTrafficRescue => ("road_traffic_rescue", "道路交通救援队", "Road-traffic rescue"),
        HighRiseRescue => ("high_rise_rescue", "高层建筑救援队", "High-rise rescue"),
        Ambulance => ("ambulance", "救护车", "Ambulance"),
        MedicalTeam => ("medical_team", "医疗救援队", "Medical team"),
        Police => ("police", "公安警力", "Police"),
        EngineeringCrew => ("engineering_crew", "工程抢险（道路抢通）队", "Engineering / road-repair crew"),
        PowerCrew => ("power_crew", "电力应急抢修队", "Power emergency crew"),
        CrossBorderRescueTeam => ("cross_border_rescue_team", "跨境救援队", "Cross-border rescue team"),
        TransportVehicle => ("transport_vehicle", "运输车辆", "Transport vehicle"),
    }
}

named_enum! {
    /// What a unit can do; derived from its [`UnitType`] plus per-unit extras.
    pub enum Capability {
        FireSuppression => ("fire_suppression", "灭火", "Fire suppression"),
        AerialRescue => ("aerial_rescue", "登高救援", "Aerial / ladder rescue"),
        WaterSupply => ("water_supply", "远程供水", "Water supply"),
        ForestFire => ("forest_fire", "森林灭火", "Forest firefighting"),
        WaterRescue => ("water_rescue", "水域救援", "Water rescue"),
        CollapseSearchRescue => ("collapse_search_rescue", "倒塌搜救", "Collapse search and rescue"),
        GeologicalRescue => ("geological_rescue", "地质灾害救援", "Geological-hazard rescue"),
        Extrication => ("extrication", "破拆救援", "Extrication"),
        HighRise => ("high_rise", "高层救援", "High-rise rescue"),
        Hazmat => ("hazmat", "危化品处置", "Hazardous materials"),
        Pumping => ("pumping", "排涝", "Pumping / drainage"),
        MedicalTransport => ("medical_transport", "医疗转运", "Medical transport"),
        MedicalCare => ("medical_care", "医疗救治", "Medical care"),
        EpidemicControl => ("epidemic_control", "疫情防控", "Epidemic control"),
        PublicOrder => ("public_order", "治安维护", "Public order"),
        TrafficControl => ("traffic_control", "交通管制", "Traffic control"),
        RoadRepair => ("road_repair", "道路抢通", "Road repair"),
        PowerRestoration => ("power_restoration", "电力抢修", "Power restoration"),
        CrossBorderCoordination => ("cross_border_coordination", "跨境协调", "Cross-border coordination"),
        PersonnelTransport => ("personnel_transport", "人员转运", "Personnel transport"),
        CargoTransport => ("cargo_transport", "物资运输", "Cargo transport"),
        Drone => ("drone", "无人机侦察", "Drone reconnaissance"),
        Communications => ("communications", "应急通信", "Emergency communications"),
    }
}

impl UnitType {
    /// Capabilities every unit of this type has.
    pub fn base_capabilities(self) -> &'static [Capability] {
        use Capability::*;
        match self {
            UnitType::FireEngine => &[FireSuppression, Extrication],
            UnitType::LadderTruck => &[AerialRescue, HighRise, FireSuppression],
            UnitType::WaterTanker => &[WaterSupply, FireSuppression],
            UnitType::ForestFireTeam => &[ForestFire],
            UnitType::WaterRescueTeam => &[WaterRescue],
            UnitType::EarthquakeGeoRescueTeam => &[CollapseSearchRescue, GeologicalRescue],
            UnitType::RoadTrafficRescue => &[Extrication, TrafficControl],
            UnitType::HighRiseRescue => &[HighRise, AerialRescue],
            UnitType::Ambulance => &[MedicalTransport, MedicalCare],
            UnitType::MedicalTeam => &[MedicalCare, EpidemicControl],
            UnitType::Police => &[PublicOrder, TrafficControl],
            UnitType::EngineeringCrew => &[RoadRepair, Pumping],
            UnitType::PowerCrew => &[PowerRestoration],
            UnitType::CrossBorderRescueTeam => &[CrossBorderCoordination, CollapseSearchRescue, WaterRescue],
            UnitType::TransportVehicle => &[CargoTransport, PersonnelTransport],
        }
    }
}

named_enum! {
    /// Operational status of a unit.
    pub enum UnitStatus {
        Available => ("available", "待命", "Available"),
        Dispatched => ("dispatched", "已调派", "Dispatched"),
        EnRoute => ("en_route", "途中", "En route"),
        OnScene => ("on_scene", "到场", "On scene"),
        Returning => ("returning", "返回", "Returning"),
        OutOfService => ("out_of_service", "停用", "Out of service"),
    }
}

impl UnitStatus {
    /// True when a plain status change may move from `self` to `to`.
    ///
    /// Becoming `dispatched` only happens through a dispatch event (it needs an incident), so it
    /// is not a plain transition. Allowed: dispatched → en route → on scene → returning →
    /// available; dispatched/en route → returning (recalled); available/returning ↔ out of service.
    pub fn can_transition_to(self, to: UnitStatus) -> bool {
        use UnitStatus::*;
        matches!(
            (self, to),
            (Dispatched, EnRoute)
                | (EnRoute, OnScene)
                | (Dispatched | EnRoute | OnScene, Returning)
                | (Returning, Available)
                | (Available | Returning, OutOfService)
                | (OutOfService, Available)
        )
    }

    /// True when the unit may be dispatched (available, or returning and redirected).
    pub fn can_be_dispatched(self) -> bool {
        matches!(self, UnitStatus::Available | UnitStatus::Returning)
    }

    /// True while the unit is committed to an incident.
    pub fn is_committed(self) -> bool {
        matches!(self, UnitStatus::Dispatched | UnitStatus::EnRoute | UnitStatus::OnScene)
    }
}

/// Master data of a unit: what import files describe and `UnitUpdated` replaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitSpec {
    /// Stable external id from master data (unique among units).
    pub external_id: String,
    /// Radio call sign.
    pub callsign: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name (may be empty).
    pub name_en: String,
    /// Unit type.
    pub unit_type: UnitType,
    /// Capabilities beyond those of the type.
    pub extra_capabilities: BTreeSet<Capability>,
    /// Crew size, persons.
    pub crew: u32,
    /// Home station, when it has one.
    pub home_station: Option<StationId>,
    /// Demo / schematic record.
    pub demo: bool,
    /// Caveat about the position (e.g. "position unknown: county seat used"); empty when none.
    pub position_note: String,
}

/// A unit as folded from the event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    /// Id.
    pub id: UnitId,
    /// Master data.
    pub spec: UnitSpec,
    /// Last known position.
    pub lonlat: LonLat,
    /// Operational status.
    pub status: UnitStatus,
    /// Incident the unit is committed to, if any.
    pub assignment: Option<IncidentId>,
    /// Sequence number of the last event that changed it.
    pub updated_seq: u64,
    /// Log time of the event that set the current status (dispatch, status change, release).
    #[serde(default)]
    pub status_since_utc: String,
    /// Log time of the last position report (empty: only the registered position is known).
    #[serde(default)]
    pub position_at_utc: String,
}

impl Unit {
    /// All capabilities: the type's plus the extras.
    pub fn capabilities(&self) -> BTreeSet<Capability> {
        let mut all: BTreeSet<Capability> = self.spec.unit_type.base_capabilities().iter().copied().collect();
        all.extend(self.spec.extra_capabilities.iter().copied());
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_transitions() {
        use UnitStatus::*;
        assert!(Dispatched.can_transition_to(EnRoute));
        assert!(!Available.can_transition_to(Dispatched), "dispatch needs an incident");
        assert!(!Available.can_transition_to(OnScene));
        assert!(!OnScene.can_transition_to(Available), "must return first");
        assert!(OutOfService.can_transition_to(Available));
        assert!(!OnScene.can_transition_to(OutOfService));
        for t in UnitType::ALL {
            assert!(!t.base_capabilities().is_empty(), "{t}");
        }
    }
}
