//! The external-id index of a [`super::Situation`]: external id → record id for units,
//! stations, warehouses and shelters, kept in step with the fold so an import of n records
//! checks each one's external id in O(1) instead of scanning every record (O(n²) overall).
//! Derived state: never serialised, ignored by equality, rebuilt when it is out of step (a
//! situation read from a snapshot, or a map changed outside the fold), and every hit is checked
//! against the map, so a stale index can cost time but never gives a wrong answer.
//! Pure; must not import rusqlite, egui, tokio or `crate::store`.

use std::collections::{BTreeMap, HashMap};

use super::facility::{Shelter, Station, Warehouse};
use super::ids::{ShelterId, StationId, UnitId, WarehouseId};
use super::unit::Unit;

/// A record that has an external id.
pub(crate) trait Keyed {
    /// The record's external id.
    fn external_id(&self) -> &str;
}

/// Every record kind keeps its external id in `spec.external_id`.
macro_rules! keyed_by_spec {
    ($($t:ty),*) => {$(
        impl Keyed for $t {
            fn external_id(&self) -> &str {
                &self.spec.external_id
            }
        }
    )*};
}

keyed_by_spec!(Unit, Station, Warehouse, Shelter);

/// External id → id, one map per record kind.
#[derive(Clone, Default)]
pub(crate) struct ExternalIds {
    /// Units.
    pub(crate) units: HashMap<String, UnitId>,
    /// Stations.
    pub(crate) stations: HashMap<String, StationId>,
    /// Warehouses.
    pub(crate) warehouses: HashMap<String, WarehouseId>,
    /// Shelters.
    pub(crate) shelters: HashMap<String, ShelterId>,
}

impl std::fmt::Debug for ExternalIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ExternalIds({} units, {} stations, {} warehouses, {} shelters)",
            self.units.len(),
            self.stations.len(),
            self.warehouses.len(),
            self.shelters.len()
        )
    }
}

/// Derived from the maps: two situations with the same records are equal whatever their index.
impl PartialEq for ExternalIds {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// The record of `map` with this external id, other than `except`. O(1) when the index is in
/// step with the map (one entry per record), a scan otherwise (a situation read from a
/// snapshot before its first fold, or a legacy log with duplicate external ids).
pub(crate) fn lookup<'m, K: Ord + Copy + std::hash::Hash, V: Keyed>(
    index: &HashMap<String, K>,
    map: &'m BTreeMap<K, V>,
    external_id: &str,
    except: Option<K>,
) -> Option<&'m V> {
    if index.len() == map.len() {
        match index.get(external_id) {
            None => return None,
            Some(k) => {
                if let Some(v) = map.get(k).filter(|v| v.external_id() == external_id) {
                    return (Some(*k) != except).then_some(v);
                }
            }
        }
    }
    map.iter()
        .find(|(k, v)| Some(**k) != except && v.external_id() == external_id)
        .map(|(_, v)| v)
}

/// After the fold put record `id` into `map` (new, or its external id changed from `old`):
/// record it, or rebuild the index when it was out of step.
pub(crate) fn note_upsert<K: Ord + Copy + std::hash::Hash, V: Keyed>(
    index: &mut HashMap<String, K>,
    map: &BTreeMap<K, V>,
    id: K,
    old: Option<&str>,
) {
    let Some(new) = map.get(&id).map(Keyed::external_id) else {
        return;
    };
    if let Some(old) = old
        && old != new
        && index.get(old) == Some(&id)
    {
        index.remove(old);
    }
    index.insert(new.to_owned(), id);
    if index.len() != map.len() {
        *index = map.iter().map(|(k, v)| (v.external_id().to_owned(), *k)).collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::unit::{UnitSpec, UnitStatus, UnitType};

    fn unit(id: u32, ext: &str) -> Unit {
        Unit {
            id: UnitId(id),
            spec: UnitSpec {
                external_id: ext.to_owned(),
                callsign: format!("C-{ext}"),
                name_zh: "车".to_owned(),
                name_en: String::new(),
                unit_type: UnitType::Ambulance,
                crew: 2,
                extra_capabilities: Default::default(),
                home_station: None,
                demo: false,
                position_note: String::new(),
            },
            lonlat: crate::model::LonLat::from_deg(100.8, 22.0).unwrap(),
            status: UnitStatus::Available,
            assignment: None,
            updated_seq: 0,
            status_since_utc: String::new(),
            position_at_utc: String::new(),
        }
    }

    #[test]
    fn stale_or_missing_index_falls_back_to_the_map() {
        let mut map = BTreeMap::new();
        let mut index = HashMap::new();
        for i in 1..=50 {
            map.insert(UnitId(i), unit(i, &format!("u{i}")));
        }
        // Out of step (empty): answered by a scan.
        assert_eq!(lookup(&index, &map, "u7", None).map(|u| u.id), Some(UnitId(7)));
        note_upsert(&mut index, &map, UnitId(7), None);
        assert_eq!(index.len(), 50, "an out-of-step index is rebuilt on the next upsert");
        // Changed outside the fold: the hit is checked against the map.
        if let Some(u) = map.get_mut(&UnitId(7)) {
            u.spec.external_id = "renamed".to_owned();
        }
        assert!(lookup(&index, &map, "u7", None).is_none());
        note_upsert(&mut index, &map, UnitId(7), Some("u7"));
        assert_eq!(lookup(&index, &map, "renamed", None).map(|u| u.id), Some(UnitId(7)));
        assert!(lookup(&index, &map, "renamed", Some(UnitId(7))).is_none());
        assert!(!index.contains_key("u7"));
        // Every record found through the index, as a scan would find it.
        for (id, u) in &map {
            let scan = map
                .values()
                .find(|v| v.spec.external_id == u.spec.external_id)
                .map(|v| v.id);
            assert_eq!(lookup(&index, &map, &u.spec.external_id, None).map(|v| v.id), scan);
            assert_eq!(scan, Some(*id));
        }
    }
}
