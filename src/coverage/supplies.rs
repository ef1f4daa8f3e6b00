//! "Where are the nearest N tents / pumps / life jackets by road, and how many": warehouses
//! holding an item ranked by road ETA to a point (ONE many-to-one search; only the N shown are
//! routed for their distance), with totals by county. Pure; must not import egui, tokio or
//! rusqlite.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::CoverageError;
use crate::dispatch::Plans;
use crate::model::{Situation, WarehouseId};
use crate::roads::router::Router;
use crate::roads::search::Metric;

/// One warehouse holding the item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupplySource {
    /// Warehouse.
    pub warehouse: WarehouseId,
    /// External id.
    pub external_id: String,
    /// Chinese name.
    pub name_zh: String,
    /// County.
    pub county: String,
    /// Quantity on hand.
    pub quantity: u64,
    /// Quantity on hand and not reserved.
    pub free: u64,
    /// Road ETA warehouse → point, s.
    pub eta_s: f64,
    /// Road distance warehouse → point (off-road legs included), m.
    pub dist_m: f64,
    /// The figures are estimates.
    pub estimate: bool,
}

/// Totals of one county.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CountyStock {
    /// Warehouses holding the item.
    pub warehouses: usize,
    /// Quantity on hand.
    pub quantity: u64,
    /// Free quantity.
    pub free: u64,
}

/// The answer for one point and item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupplyAnswer {
    /// Item code.
    pub item: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Counting unit.
    pub unit: String,
    /// The query point.
    pub at_lonlat: [f64; 2],
    /// The nearest warehouses by road ETA (at most N).
    pub nearest: Vec<SupplySource>,
    /// Free quantity in `nearest`.
    pub nearest_free: u64,
    /// Totals per county over every warehouse holding the item.
    pub by_county: BTreeMap<String, CountyStock>,
    /// Warehouses holding the item that could not be placed on the network (id, reason).
    pub unsnapped: Vec<(WarehouseId, String)>,
    /// Every figure is an estimate (schematic network).
    pub schematic: bool,
}

/// Resolves an item by code, Chinese or English name (case-insensitive), from the plans'
/// catalogue and the warehouses' stock lines; the error lists the known codes.
pub fn resolve_item(
    sit: &Situation,
    plans: Option<&Plans>,
    name: &str,
) -> Result<(String, String, String, String), CoverageError> {
    let q = name.trim().to_lowercase();
    let mut known = BTreeSet::new();
    for w in sit.warehouses.values() {
        for l in w.stock.values() {
            known.insert(l.item_code.clone());
            if [&l.item_code, &l.name_zh, &l.name_en]
                .iter()
                .any(|s| s.to_lowercase() == q)
            {
                return Ok((
                    l.item_code.clone(),
                    l.name_zh.clone(),
                    l.name_en.clone(),
                    l.unit.clone(),
                ));
            }
        }
    }
    if let Some(p) = plans {
        for (code, it) in &p.items {
            known.insert(code.clone());
            if [code, &it.zh, &it.en].iter().any(|s| s.to_lowercase() == q) {
                return Ok((code.clone(), it.zh.clone(), it.en.clone(), it.unit.clone()));
            }
        }
    }
    Err(CoverageError::UnknownItem {
        given: name.to_string(),
        known: known.into_iter().collect::<Vec<_>>().join(", "),
    })
}

/// The `n` nearest warehouses by road holding `item` (code or name) for the point `at`, with
/// quantities and totals by county. The point itself must be on (or near) the network.
pub fn nearest_supplies(
    sit: &Situation,
    router: &mut Router,
    plans: Option<&Plans>,
    at: [f64; 2],
    item: &str,
    n: usize,
) -> Result<SupplyAnswer, CoverageError> {
    let (code, name_zh, name_en, unit) = resolve_item(sit, plans, item)?;
    let holders: Vec<_> = sit
        .warehouses
        .values()
        .filter_map(|w| w.stock.get(&code).filter(|l| l.quantity > 0).map(|l| (w, l)))
        .collect();
    let mut by_county: BTreeMap<String, CountyStock> = BTreeMap::new();
    for (w, l) in &holders {
        let c = by_county.entry(w.spec.county.clone()).or_default();
        c.warehouses += 1;
        c.quantity += l.quantity;
        c.free += l.free();
    }
    let positions: Vec<[f64; 2]> = holders.iter().map(|(w, _)| w.spec.lonlat.lonlat()).collect();
    let roads = |e: crate::roads::router::RoadsError| CoverageError::Roads(e.to_string());
    let outcome = router.rank_units(&positions, at, None).map_err(roads)?;
    let saved = router.params.metric;
    router.params.metric = Metric::Time;
    let mut nearest = Vec::new();
    for r in outcome.ranked.iter().take(n) {
        let (w, l) = holders[r.index];
        let route = router.route_lonlat(positions[r.index], at).map_err(roads);
        let route = match route {
            Ok(x) => x,
            Err(e) => {
                router.params.metric = saved;
                return Err(e);
            }
        };
        nearest.push(SupplySource {
            warehouse: w.id,
            external_id: w.spec.external_id.clone(),
            name_zh: w.spec.name_zh.clone(),
            county: w.spec.county.clone(),
            quantity: l.quantity,
            free: l.free(),
            eta_s: r.eta_s,
            dist_m: route.dist_m + route.offroad_dist_m,
            estimate: router.route_is_estimate(&route),
        });
    }
    router.params.metric = saved;
    Ok(SupplyAnswer {
        item: code,
        name_zh,
        name_en,
        unit,
        at_lonlat: at,
        nearest_free: nearest.iter().map(|s| s.free).sum(),
        nearest,
        by_county,
        unsnapped: outcome
            .unsnapped
            .iter()
            .map(|(i, why)| (holders[*i].0.id, why.clone()))
            .collect(),
        schematic: router.spec.schematic,
    })
}
