//! The wall's KPI page: three columns of large figures — incidents by class × grade and units by
//! status; each active incident's timers against the plans' targets; overdue units, coverage per
//! force type, shelters and stock below reserve. Draws a [`Kpis`] only; must not import the
//! store or the backend.

use egui::{RichText, Ui};

use super::{DIM, MUTED, Sizes, TEXT, figure, state_color};
use crate::kpis::{Kpis, State, Timer};
use crate::local_time;

/// Roman grade numerals as on the console.
pub const GRADES: [&str; 4] = ["Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ"];

/// A state as icon + word, coloured (never colour alone).
pub fn state_text(s: State, size: f32) -> RichText {
    RichText::new(format!(
        "{} {}",
        s.label_zh(),
        s.label_en().trim_start_matches(['√', '▲', '×', ' '])
    ))
    .size(size)
    .strong()
    .color(state_color(s))
}

fn heading(ui: &mut Ui, sizes: Sizes, text: &str) {
    ui.add_space(sizes.px(8.0));
    ui.label(RichText::new(text).size(sizes.heading()).strong().color(TEXT));
}

fn pct(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// Draw the page.
pub fn ui(ui: &mut Ui, sizes: Sizes, k: &Kpis) {
    ui.columns(3, |cols| {
        counts_ui(&mut cols[0], sizes, k);
        timers_ui(&mut cols[1], sizes, k);
        resources_ui(&mut cols[2], sizes, k);
    });
}

fn counts_ui(ui: &mut Ui, sizes: Sizes, k: &Kpis) {
    ui.horizontal(|ui| {
        ui.label(
            RichText::new("在办事件 Active")
                .size(sizes.heading())
                .strong()
                .color(TEXT),
        );
        figure(
            ui,
            RichText::new(k.active_incidents.to_string())
                .size(sizes.figure())
                .strong()
                .color(TEXT),
            format!("在办事件 active incidents: {}", k.active_incidents),
        );
    });
    egui::Grid::new("wall_class_grade")
        .spacing([sizes.px(18.0), sizes.px(4.0)])
        .show(ui, |ui| {
            ui.label(RichText::new("类别 Class").size(sizes.body()).color(MUTED));
            for g in GRADES {
                ui.label(RichText::new(format!("{g}级")).size(sizes.body()).color(MUTED));
            }
            ui.end_row();
            for row in &k.by_class_grade {
                ui.label(RichText::new(row.name_zh).size(sizes.body()).color(TEXT));
                for (gi, g) in GRADES.iter().enumerate() {
                    let n = row.by_grade[gi];
                    figure(
                        ui,
                        RichText::new(n.to_string())
                            .size(sizes.body())
                            .strong()
                            .color(if n > 0 { TEXT } else { DIM }),
                        format!("{} {g}级: {n}", row.name_zh),
                    );
                }
                ui.end_row();
            }
        });
    heading(ui, sizes, "力量状态 Units");
    egui::Grid::new("wall_units")
        .spacing([sizes.px(18.0), sizes.px(4.0)])
        .show(ui, |ui| {
            for s in &k.units_by_status {
                ui.label(
                    RichText::new(format!("{} {}", s.name_zh, s.name_en))
                        .size(sizes.body())
                        .color(TEXT),
                );
                figure(
                    ui,
                    RichText::new(s.count.to_string())
                        .size(sizes.body())
                        .strong()
                        .color(TEXT),
                    format!("{} {}: {}", s.name_zh, s.name_en, s.count),
                );
                ui.end_row();
            }
        });
}

/// How many incidents fit the timer column at the design size.
const TIMER_ROWS: usize = 6;

fn timers_ui(ui: &mut Ui, sizes: Sizes, k: &Kpis) {
    heading(ui, sizes, "事件计时 Timers vs plan");
    if k.incidents.is_empty() {
        ui.label(
            RichText::new("无在办事件 / no active incident")
                .size(sizes.body())
                .color(MUTED),
        );
    }
    for inc in k.incidents.iter().take(TIMER_ROWS) {
        let color = if inc.sensitive { DIM } else { TEXT };
        ui.label(
            RichText::new(format!(
                "#{} {} {}级{}",
                inc.incident,
                inc.type_zh,
                GRADES[grade_index(inc.severity)],
                if inc.sensitive { " 〔敏感 sensitive〕" } else { "" }
            ))
            .size(sizes.body())
            .strong()
            .color(color),
        );
        for t in &inc.timers {
            ui.horizontal_wrapped(|ui| {
                ui.add_space(sizes.px(24.0));
                ui.label(state_text(t.state, sizes.body()));
                timer_figure(ui, sizes, inc.incident, t, color, "");
            });
        }
    }
    if k.incidents.len() > TIMER_ROWS {
        ui.label(
            RichText::new(format!(
                "另有 {} 起 / {} more (重点事件页 focus page)",
                k.incidents.len() - TIMER_ROWS,
                k.incidents.len() - TIMER_ROWS
            ))
            .size(sizes.body())
            .color(MUTED),
        );
    }
}

/// One timer as text (elapsed / limit), read by tests and screen readers as
/// `{prefix}#{incident} {target}: {elapsed_s} / {limit_s} {state}`.
pub fn timer_figure(ui: &mut Ui, sizes: Sizes, incident: u32, t: &Timer, color: egui::Color32, prefix: &str) {
    figure(
        ui,
        RichText::new(format!(
            "{} {} / {}",
            short_target(&t.zh),
            local_time::duration_zh(t.elapsed_s),
            local_time::duration_zh(t.limit_s)
        ))
        .size(sizes.body())
        .color(color),
        format!(
            "{prefix}#{incident} {}: {} / {} {}",
            t.target,
            t.elapsed_s,
            t.limit_s,
            t.state.code()
        ),
    );
}

/// The target's label up to its limit ("道路救援力量到场 ≤ 1.5 小时" → "道路救援力量到场").
pub fn short_target(zh: &str) -> &str {
    zh.split(['≤', '：']).next().unwrap_or(zh).trim()
}

/// Index of a grade code in [`GRADES`].
pub fn grade_index(code: &str) -> usize {
    match code {
        "I" => 0,
        "II" => 1,
        "III" => 2,
        _ => 3,
    }
}

fn resources_ui(ui: &mut Ui, sizes: Sizes, k: &Kpis) {
    heading(ui, sizes, "超时未到 Overdue on ETA");
    if k.overdue_units.is_empty() {
        figure(
            ui,
            RichText::new("√ 无 none")
                .size(sizes.body())
                .color(state_color(State::Ok)),
            "超时未到 overdue: 0".into(),
        );
    }
    for u in k.overdue_units.iter().take(4) {
        figure(
            ui,
            RichText::new(format!(
                "× {} → #{} 超 {}",
                u.callsign,
                u.incident,
                local_time::duration_zh(u.overdue_s)
            ))
            .size(sizes.body())
            .color(state_color(State::Red)),
            format!("overdue {} #{} {}", u.unit, u.incident, u.overdue_s),
        );
    }
    if k.overdue_units.len() > 4 {
        ui.label(
            RichText::new(format!(
                "另有 {} 辆 / {} more",
                k.overdue_units.len() - 4,
                k.overdue_units.len() - 4
            ))
            .size(sizes.body())
            .color(MUTED),
        );
    }
    heading(
        ui,
        sizes,
        if k.coverage_estimate {
            "覆盖率 Coverage（估算）"
        } else {
            "覆盖率 Coverage"
        },
    );
    if let Some(e) = &k.coverage_error {
        ui.label(
            RichText::new(format!("无法计算 / cannot compute: {e}"))
                .size(sizes.body())
                .color(MUTED),
        );
    }
    egui::Grid::new("wall_coverage")
        .spacing([sizes.px(14.0), sizes.px(2.0)])
        .show(ui, |ui| {
            for c in &k.coverage {
                ui.label(RichText::new(c.name_zh).size(sizes.body()).color(TEXT));
                figure(
                    ui,
                    RichText::new(pct(c.covered_share))
                        .size(sizes.body())
                        .strong()
                        .color(TEXT),
                    format!("覆盖 coverage {}: {}", c.force, pct(c.covered_share)),
                );
                ui.label(
                    RichText::new(c.state.label_zh())
                        .size(sizes.body())
                        .color(state_color(c.state)),
                );
                ui.end_row();
            }
        });
    heading(ui, sizes, "避难场所 Shelters");
    let s = &k.shelters;
    figure(
        ui,
        RichText::new(format!("{} / {} 人 ({})", s.occupancy, s.capacity_open, pct(s.share)))
            .size(sizes.body())
            .strong()
            .color(TEXT),
        format!("避难 shelters: {} / {}", s.occupancy, s.capacity_open),
    );
    for l in s.nearly_full.iter().take(2) {
        ui.label(
            RichText::new(format!("▲ 将满 {} {}/{}", l.name_zh, l.occupancy, l.capacity))
                .size(sizes.body())
                .color(state_color(State::Amber)),
        );
    }
    heading(ui, sizes, &format!("储备不足 Low stock（{} 人）", k.reserve_persons));
    if k.low_stock.is_empty() {
        figure(
            ui,
            RichText::new("√ 无 none")
                .size(sizes.body())
                .color(state_color(State::Ok)),
            "储备不足 low stock: 0".into(),
        );
    }
    for l in &k.low_stock {
        figure(
            ui,
            RichText::new(format!("× {} {} / {} {}", l.name_zh, l.free, l.reserve, l.unit))
                .size(sizes.body())
                .color(state_color(State::Red)),
            format!("low stock {}: {} / {}", l.item, l.free, l.reserve),
        );
    }
}
