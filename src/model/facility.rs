//! Fixed facilities: stations, warehouses with stock lines, shelters; and drills. Pure; must not
//! import rusqlite, egui, tokio or `crate::store`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ids::{ShelterId, StationId, WarehouseId};
use super::lonlat::LonLat;
use super::names::named_enum;

named_enum! {
    /// Kind of station.
    pub enum StationKind {
        FireStation => ("fire_station", "消防救援站", "Fire station"),
        TownshipFireTeamL1 => ("township_fire_team_l1", "一级乡镇专职消防队", "Township full-time fire team, level 1"),
        TownshipFireTeamL2 => ("township_fire_team_l2", "二级乡镇专职消防队", "Township full-time fire team, level 2"),
        ForestFireDepot => ("forest_fire_depot", "森林消防队驻地", "Forest-fire depot"),
        Hospital => ("hospital", "医院", "Hospital"),
        AmbulanceBase => ("ambulance_base", "急救站", "Ambulance base"),
        PolicePost => ("police_post", "公安派出所（警务站）", "Police post"),
        WaterRescueBase => ("water_rescue_base", "水上救援基地", "Water-rescue base"),
        EngineeringDepot => ("engineering_depot", "工程抢险基地", "Engineering depot"),
        RescueTeamBase => ("rescue_team_base", "救援队驻地", "Rescue-team base"),
        TransportReserve => ("transport_reserve", "应急运力储备点", "Transport reserve"),
    }
}

named_enum! {
    /// Kind of material warehouse.
    pub enum WarehouseKind {
        ReliefSupplies => ("relief_supplies", "救灾物资储备库", "Relief-supply warehouse"),
        FloodControl => ("flood_control", "防汛抗旱物资储备库", "Flood-control depot"),
        ForestFire => ("forest_fire", "森林防灭火物资储备库", "Forest-fire material depot"),
        WaterRescue => ("water_rescue", "水上救援物资库", "Water-rescue depot"),
        ForestFireTeamDepot => ("forest_fire_team_depot", "扑火队物资储备点", "Forest-fire-team depot"),
        Police => ("police", "公安应急物资库", "Police depot"),
        TeamEquipment => ("team_equipment", "救援队装备库", "Rescue-team equipment store"),
    }
}

/// Master data of a station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StationSpec {
    /// Stable external id (unique among stations).
    pub external_id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name (may be empty).
    pub name_en: String,
    /// Kind.
    pub kind: StationKind,
    /// Position.
    pub lonlat: LonLat,
    /// County-level division name (e.g. 景洪市).
    pub county: String,
    /// Planned, not yet built.
    pub planned: bool,
    /// Demo / schematic record.
    pub demo: bool,
    /// Caveat about the position; empty when none.
    pub position_note: String,
}

/// A station as folded from the event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Station {
    /// Id.
    pub id: StationId,
    /// Master data.
    pub spec: StationSpec,
    /// Sequence number of the last event that changed it.
    pub updated_seq: u64,
}

/// Master data of a warehouse (its stock is separate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarehouseSpec {
    /// Stable external id (unique among warehouses).
    pub external_id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name (may be empty).
    pub name_en: String,
    /// Kind.
    pub kind: WarehouseKind,
    /// Position.
    pub lonlat: LonLat,
    /// County-level division name.
    pub county: String,
    /// Demo / schematic record.
    pub demo: bool,
    /// Caveat about the position; empty when none.
    pub position_note: String,
}

/// One stock line of a warehouse. Invariant: `reserved <= quantity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLine {
    /// Item code (unique within the warehouse), e.g. `tent`.
    pub item_code: String,
    /// Chinese item name.
    pub name_zh: String,
    /// English item name.
    pub name_en: String,
    /// Counting unit, e.g. 顶 / pcs.
    pub unit: String,
    /// Quantity on hand, in `unit`.
    pub quantity: u64,
    /// Part of `quantity` reserved for incidents, in `unit`.
    pub reserved: u64,
    /// Demo / schematic quantity.
    pub demo: bool,
}

impl StockLine {
    /// Quantity on hand and not reserved.
    pub fn free(&self) -> u64 {
        self.quantity.saturating_sub(self.reserved)
    }
}

/// A warehouse as folded from the event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warehouse {
    /// Id.
    pub id: WarehouseId,
    /// Master data.
    pub spec: WarehouseSpec,
    /// Stock lines by item code.
    pub stock: BTreeMap<String, StockLine>,
    /// Sequence number of the last event that changed it.
    pub updated_seq: u64,
}

/// Master data of a shelter (occupancy is separate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShelterSpec {
    /// Stable external id (unique among shelters).
    pub external_id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name (may be empty).
    pub name_en: String,
    /// Position.
    pub lonlat: LonLat,
    /// County-level division name.
    pub county: String,
    /// Capacity, persons.
    pub capacity: u32,
    /// Open for evacuees.
    pub open: bool,
    /// Demo / schematic record.
    pub demo: bool,
    /// Caveat about the position; empty when none.
    pub position_note: String,
}

/// A shelter as folded from the event log. Invariant: `occupancy <= spec.capacity`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shelter {
    /// Id.
    pub id: ShelterId,
    /// Master data.
    pub spec: ShelterSpec,
    /// Persons currently sheltered.
    pub occupancy: u32,
    /// Sequence number of the last event that changed it.
    pub updated_seq: u64,
}

/// A drill (exercise) announced in the real log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drill {
    /// Drill id, as carried by the drill's events.
    pub drill_id: String,
    /// Name / description.
    pub name: String,
    /// Sequence number of the `DrillStarted` event.
    pub started_seq: u64,
    /// Sequence number of the `DrillEnded` event, once ended.
    pub ended_seq: Option<u64>,
}

impl Drill {
    /// True until the drill has ended.
    pub fn is_active(&self) -> bool {
        self.ended_seq.is_none()
    }
}
