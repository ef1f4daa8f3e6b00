//! The wall's incident focus page: one active incident at a time, most serious grade first — what
//! it is, where (hidden when sensitive), its timers against the plan, the units committed with
//! their status and time to go, and the nearest warehouses with relief stock. Reads the
//! follower's data and the figures; must not import the store or the backend's writers.

use egui::{RichText, Ui};

use super::kpi_page::{GRADES, grade_index, state_text, timer_figure};
use super::{DIM, MUTED, Sizes, TEXT, figure};
use crate::backend::follower::WallData;
use crate::dispatch::tracking::estimate_position;
use crate::geom::haversine_m;
use crate::kpis::Kpis;
use crate::local_time;
use crate::model::IncidentId;

/// Draw the page for the `index`-th active incident (wrapping).
pub fn ui(ui: &mut Ui, sizes: Sizes, d: &WallData, k: &Kpis, index: usize, now_ms: i64) {
    if k.incidents.is_empty() {
        ui.label(
            RichText::new("√ 无在办事件 / no active incident")
                .size(sizes.figure())
                .color(TEXT),
        );
        return;
    }
    let pos = index % k.incidents.len();
    let ki = &k.incidents[pos];
    let sit = &d.situation;
    let Some(inc) = sit.incidents.get(&IncidentId(ki.incident)) else {
        return;
    };
    let color = if ki.sensitive { DIM } else { TEXT };
    ui.horizontal(|ui| {
        figure(
            ui,
            RichText::new(format!(
                "#{} {} {}级 · {}",
                ki.incident,
                ki.type_zh,
                GRADES[grade_index(ki.severity)],
                inc.status.name_zh()
            ))
            .size(sizes.figure())
            .strong()
            .color(color),
            format!("focus incident #{}", ki.incident),
        );
        ui.label(
            RichText::new(format!(
                "{} · grade {} · {}   ({}/{})",
                ki.type_en,
                ki.severity,
                inc.status.name_en(),
                pos + 1,
                k.incidents.len()
            ))
            .size(sizes.body())
            .color(MUTED),
        );
    });
    if ki.sensitive {
        ui.label(
            RichText::new("〔敏感〕 敏感事件：报警人和地址已隐藏 / sensitive: caller and address hidden")
                .size(sizes.body())
                .color(DIM),
        );
    } else {
        ui.label(
            RichText::new(format!("地点 Place: {}", inc.address))
                .size(sizes.body())
                .color(TEXT),
        );
        if !inc.caller.name.is_empty() {
            ui.label(
                RichText::new(format!("报警人 Caller: {}", inc.caller.name))
                    .size(sizes.body())
                    .color(TEXT),
            );
        }
    }
    ui.label(
        RichText::new(format!(
            "接报 Reported {} {}",
            local_time::from_utc_iso(&inc.reported_at_utc, now_ms),
            local_time::ZONE_ZH
        ))
        .size(sizes.body())
        .color(MUTED),
    );
    ui.add_space(sizes.px(10.0));
    ui.columns(2, |cols| {
        let ui = &mut cols[0];
        ui.label(RichText::new("计时 Timers").size(sizes.heading()).strong().color(TEXT));
        if ki.timers.is_empty() {
            ui.label(
                RichText::new("无预案目标 / no plan target")
                    .size(sizes.body())
                    .color(MUTED),
            );
        }
        for t in &ki.timers {
            timer_figure(ui, sizes, ki.incident, t, color, "focus ");
            ui.label(state_text(t.state, sizes.body()));
        }
        ui.add_space(sizes.px(10.0));
        ui.label(RichText::new("力量 Units").size(sizes.heading()).strong().color(TEXT));
        if ki.units.is_empty() {
            ui.label(RichText::new("未调派 / none committed").size(sizes.body()).color(MUTED));
        }
        for uid in ki.units.iter().take(8) {
            let Some(u) = sit.units.get(&crate::model::UnitId(*uid)) else {
                continue;
            };
            let togo = d
                .searched
                .tracks
                .iter()
                .find(|t| t.unit == u.id)
                .and_then(|t| estimate_position(u, t, now_ms))
                .map(|e| {
                    if e.overdue {
                        "× 超时 overdue".to_string()
                    } else {
                        format!("约 {} 到达", local_time::duration_zh(e.remaining_s))
                    }
                })
                .unwrap_or_default();
            ui.label(
                RichText::new(format!(
                    "{} {} · {} {}",
                    u.spec.callsign,
                    u.spec.unit_type.name_zh(),
                    u.status.name_zh(),
                    togo
                ))
                .size(sizes.body())
                .color(TEXT),
            );
        }
        let ui = &mut cols[1];
        // By road from the follower's search; straight line only for a pack without roads.
        let at = inc.lonlat.lonlat();
        let by_road: Option<Vec<(String, &crate::model::Warehouse)>> = d.searched.supplies.get(&inc.id).map(|near| {
            near.iter()
                .filter_map(|n| {
                    let w = sit.warehouses.get(&n.warehouse)?;
                    let est = if n.estimate { " 估算 est." } else { "" };
                    let text = format!(
                        "{} · {} · {:.0} km{est}",
                        w.spec.name_zh,
                        local_time::duration_zh(n.eta_s),
                        n.route_m / 1000.0
                    );
                    Some((text, w))
                })
                .collect()
        });
        let heading = if by_road.is_some() {
            "最近物资 Nearest supplies（道路 by road）"
        } else {
            "最近物资 Nearest supplies（直线 straight line）"
        };
        ui.label(RichText::new(heading).size(sizes.heading()).strong().color(TEXT));
        let rows = by_road.unwrap_or_else(|| {
            let mut wh: Vec<(f64, &crate::model::Warehouse)> = sit
                .warehouses
                .values()
                .filter(|w| w.stock.values().any(|l| l.free() > 0))
                .map(|w| (haversine_m(at, w.spec.lonlat.lonlat()), w))
                .collect();
            wh.sort_by(|a, b| a.0.total_cmp(&b.0));
            wh.into_iter()
                .take(crate::kpis::NEAR_SUPPLIES)
                .map(|(dist_m, w)| (format!("{} · {:.0} km", w.spec.name_zh, dist_m / 1000.0), w))
                .collect()
        });
        for (text, w) in &rows {
            ui.label(RichText::new(text).size(sizes.body()).strong().color(TEXT));
            let items: Vec<String> = w
                .stock
                .values()
                .filter(|l| l.free() > 0)
                .take(4)
                .map(|l| format!("{} {}{}", l.name_zh, l.free(), l.unit))
                .collect();
            ui.label(RichText::new(items.join("、")).size(sizes.body()).color(MUTED));
        }
    });
}
