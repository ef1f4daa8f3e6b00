//! Incidents: the four national classes of sudden events, their types, severity grades I–IV, the
//! caller and the lifecycle with its transition rules. Pure; must not import rusqlite, egui, tokio
//! or `crate::store`.

use serde::{Deserialize, Serialize};

use super::ids::IncidentId;
use super::lonlat::LonLat;
use super::names::named_enum;

named_enum! {
    /// The four classes of sudden public events (突发事件分类).
    pub enum IncidentClass {
        NaturalDisaster => ("natural_disaster", "自然灾害", "Natural disaster"),
        AccidentDisaster => ("accident_disaster", "事故灾难", "Accident / production safety"),
        PublicHealth => ("public_health", "公共卫生事件", "Public health"),
        SocialSecurity => ("social_security", "社会安全事件", "Social security"),
    }
}

named_enum! {
    /// Incident type; each belongs to exactly one [`IncidentClass`].
    pub enum IncidentType {
        Flood => ("flood", "洪涝灾害", "Flood"),
        FlashFlood => ("flash_flood", "山洪灾害", "Flash flood"),
        LandslideDebrisFlow => ("landslide_debris_flow", "滑坡泥石流", "Landslide / debris flow"),
        Earthquake => ("earthquake", "地震灾害", "Earthquake"),
        ForestGrasslandFire => ("forest_grassland_fire", "森林草原火灾", "Forest / grassland fire"),
        Drought => ("drought", "干旱灾害", "Drought"),
        ExtremeWeather => ("extreme_weather", "极端天气", "Extreme weather"),
        Lightning => ("lightning", "雷电灾害", "Lightning"),
        RoadTraffic => ("road_traffic", "道路交通事故", "Road traffic accident"),
        BuildingFire => ("building_fire", "建筑火灾", "Building fire"),
        HazardousChemicals => ("hazardous_chemicals", "危险化学品和烟花爆竹事故", "Hazardous chemicals / fireworks"),
        NonCoalMine => ("non_coal_mine", "非煤矿山和尾矿库事故", "Non-coal mine / tailings pond"),
        WaterBoat => ("water_boat", "水上交通和涉水事故", "Water / boat accident"),
        Power => ("power", "电力安全事故", "Power accident"),
        SpecialEquipment => ("special_equipment", "特种设备事故", "Special equipment accident"),
        Tourism => ("tourism", "旅游安全事故", "Tourism accident"),
        InfectiousDisease => ("infectious_disease", "传染病疫情", "Infectious disease outbreak"),
        FoodPoisoning => ("food_poisoning", "食物中毒（含野生菌中毒）", "Food poisoning (incl. wild mushrooms)"),
        ImportedCaseBorderPort => ("imported_case_border_port", "口岸输入病例", "Imported case at a border port"),
        MassIncident => ("mass_incident", "群体性事件", "Mass incident"),
        CrossBorder => ("cross_border", "涉外（跨境）事件", "Cross-border incident"),
        PublicPlaceSecurity => ("public_place_security", "公共场所安全事件", "Public-place security"),
    }
}

impl IncidentType {
    /// The class this type belongs to.
    pub fn class(self) -> IncidentClass {
        use IncidentType::*;
        match self {
            Flood | FlashFlood | LandslideDebrisFlow | Earthquake | ForestGrasslandFire | Drought | ExtremeWeather
            | Lightning => IncidentClass::NaturalDisaster,
            RoadTraffic | BuildingFire | HazardousChemicals | NonCoalMine | WaterBoat | Power | SpecialEquipment
            | Tourism => IncidentClass::AccidentDisaster,
            InfectiousDisease | FoodPoisoning | ImportedCaseBorderPort => IncidentClass::PublicHealth,
            MassIncident | CrossBorder | PublicPlaceSecurity => IncidentClass::SocialSecurity,
        }
    }
}

named_enum! {
    /// Severity grade; I is the most serious (特别重大), IV the least (一般).
    pub enum Severity {
        I => ("I", "Ⅰ级（特别重大）", "Grade I (particularly serious)"),
        II => ("II", "Ⅱ级（重大）", "Grade II (serious)"),
        III => ("III", "Ⅲ级（较大）", "Grade III (relatively serious)"),
        IV => ("IV", "Ⅳ级（一般）", "Grade IV (general)"),
    }
}

named_enum! {
    /// Incident lifecycle state.
    pub enum IncidentStatus {
        Reported => ("reported", "已接报", "Reported"),
        Verified => ("verified", "已核实", "Verified"),
        Dispatched => ("dispatched", "已调派", "Dispatched"),
        OnScene => ("on_scene", "已到场", "On scene"),
        UnderControl => ("under_control", "已控制", "Under control"),
        Closed => ("closed", "已结案", "Closed"),
        Cancelled => ("cancelled", "已撤销", "Cancelled"),
    }
}

impl IncidentStatus {
    /// True when the lifecycle allows moving from `self` to `to`.
    ///
    /// reported → verified → dispatched → on scene → under control → closed; cancelled is
    /// reachable from reported, verified and dispatched; closed and cancelled are final.
    pub fn can_transition_to(self, to: IncidentStatus) -> bool {
        use IncidentStatus::*;
        matches!(
            (self, to),
            (Reported, Verified)
                | (Verified, Dispatched)
                | (Dispatched, OnScene)
                | (OnScene, UnderControl)
                | (UnderControl, Closed)
                | (Reported | Verified | Dispatched, Cancelled)
        )
    }

    /// The states to pass through, in order, to close an incident from this state along the
    /// lifecycle (`arrived`: a unit has been on scene, which unit status events record without
    /// moving the incident itself); `None` when it cannot be closed: nobody has been on scene
    /// (a false alarm or duplicate is cancelled instead), or it is final already.
    pub fn close_path(self, arrived: bool) -> Option<&'static [IncidentStatus]> {
        use IncidentStatus::*;
        match self {
            Dispatched if arrived => Some(&[OnScene, UnderControl, Closed]),
            OnScene => Some(&[UnderControl, Closed]),
            UnderControl => Some(&[Closed]),
            Reported | Verified | Dispatched | Closed | Cancelled => None,
        }
    }

    /// True for closed and cancelled.
    pub fn is_final(self) -> bool {
        matches!(self, IncidentStatus::Closed | IncidentStatus::Cancelled)
    }

    /// True when units may be dispatched to an incident in this state.
    pub fn accepts_dispatch(self) -> bool {
        use IncidentStatus::*;
        matches!(self, Verified | Dispatched | OnScene | UnderControl)
    }
}

/// The person who reported the incident.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Caller {
    /// Caller name as given (may be empty when anonymous).
    pub name: String,
    /// Call-back phone number as given.
    pub phone: String,
}

/// A new incident as typed by the duty officer or prefilled from an alert (the one draft type:
/// the store worker allocates its id under the write lock; an alert's draft becomes an incident
/// only when an officer approves it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentDraft {
    /// Type (the class follows).
    pub incident_type: IncidentType,
    /// Grade (proposed, for an alert's draft).
    pub severity: Severity,
    /// Location (for an alert: epicentre, or the centre of the warned area).
    pub lonlat: LonLat,
    /// Address / place as described.
    pub address: String,
    /// Caller (empty for an alert's draft).
    #[serde(default, skip_serializing_if = "Caller::is_empty")]
    pub caller: Caller,
    /// First note (for an alert: rule, magnitude, distance …).
    pub notes: String,
}

impl Caller {
    /// No name and no phone (an alert, an anonymous call without a number).
    pub fn is_empty(&self) -> bool {
        self.name.is_empty() && self.phone.is_empty()
    }
}

/// One note appended to an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentNote {
    /// Event sequence number that added the note.
    pub seq: u64,
    /// Log time of the note, UTC ISO-8601.
    pub ts_utc: String,
    /// Operator who wrote it.
    pub operator: String,
    /// The note text.
    pub text: String,
}

/// An incident as folded from the event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// Id.
    pub id: IncidentId,
    /// Type (the class follows from it).
    pub incident_type: IncidentType,
    /// Current severity grade.
    pub severity: Severity,
    /// Location.
    pub lonlat: LonLat,
    /// Free-text address or place description given by the caller.
    pub address: String,
    /// When the call was received, UTC ISO-8601.
    pub reported_at_utc: String,
    /// The caller.
    pub caller: Caller,
    /// Lifecycle state.
    pub status: IncidentStatus,
    /// Notes in order (the first is the report's own note when non-empty).
    pub notes: Vec<IncidentNote>,
    /// Reason given when cancelled.
    pub cancel_reason: Option<String>,
    /// The incident this one was cancelled as a duplicate of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<IncidentId>,
    /// Incidents cancelled as duplicates of this one, in the order they were linked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub duplicates: Vec<IncidentId>,
    /// How many times the location was corrected after the report.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub relocations: u32,
    /// Sequence number of the event that reported it.
    pub reported_seq: u64,
    /// Sequence number of the last event that changed it.
    pub updated_seq: u64,
    /// Log time of the first unit dispatched to it.
    #[serde(default)]
    pub first_dispatch_utc: Option<String>,
    /// Log time of the first unit on scene.
    #[serde(default)]
    pub first_arrival_utc: Option<String>,
    /// Log time it was closed or cancelled.
    #[serde(default)]
    pub closed_at_utc: Option<String>,
    /// Marked sensitive by an officer: walls show it dimmed with caller and address hidden.
    #[serde(default, skip_serializing_if = "is_false")]
    pub sensitive: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Incident {
    /// The class of the incident's type.
    pub fn class(&self) -> IncidentClass {
        self.incident_type.class()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_a_class_and_names() {
        for t in IncidentType::ALL {
            assert!(!t.name_zh().is_empty() && !t.name_en().is_empty());
            assert_eq!(IncidentType::from_code(t.code()), Some(*t));
        }
        let n = |c| IncidentType::ALL.iter().filter(|t| t.class() == c).count();
        assert_eq!(n(IncidentClass::NaturalDisaster), 8);
        assert_eq!(n(IncidentClass::AccidentDisaster), 8);
        assert_eq!(n(IncidentClass::PublicHealth), 3);
        assert_eq!(n(IncidentClass::SocialSecurity), 3);
    }

    #[test]
    fn close_path_follows_the_lifecycle() {
        use IncidentStatus::*;
        for arrived in [false, true] {
            for from in IncidentStatus::ALL {
                let Some(path) = from.close_path(arrived) else {
                    // Never from a state where a unit has been on scene and the incident lives.
                    assert!(!matches!(from, OnScene | UnderControl));
                    assert!(!(arrived && *from == Dispatched));
                    continue;
                };
                let mut at = *from;
                for next in path {
                    assert!(at.can_transition_to(*next), "{at} → {next}");
                    at = *next;
                }
                assert_eq!(at, Closed);
            }
        }
        assert_eq!(Dispatched.close_path(false), None);
        assert_eq!(Verified.close_path(true), None);
    }

    #[test]
    fn lifecycle_transitions() {
        use IncidentStatus::*;
        assert!(Reported.can_transition_to(Verified));
        assert!(!Reported.can_transition_to(Dispatched));
        assert!(!Reported.can_transition_to(Closed));
        assert!(UnderControl.can_transition_to(Closed));
        assert!(!OnScene.can_transition_to(Cancelled));
        for s in IncidentStatus::ALL {
            assert!(!Closed.can_transition_to(*s));
            assert!(!Cancelled.can_transition_to(*s));
            assert!(!s.can_transition_to(*s));
        }
    }
}
