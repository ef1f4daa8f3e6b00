//! `onemap kpis --db FILE [--pack DIR] [--drill ID] [--at TIME] [--json]`: exactly the figures
//! the wall's KPI page shows ([`crate::kpis`]), as JSON or a readable bilingual table. Opens the
//! database read-only; never writes. Must not import egui or tokio.

use std::path::Path;

use super::CliError;
use super::store::{open_read, store_err};
use crate::kpis::{KpiContext, KpiOptions, Kpis};
use crate::local_time;
use crate::mappack::MapPack;
use crate::model::{Event, Situation};
use crate::time::{format_utc_ms, parse_utc_ms};

/// Arguments of `onemap kpis`.
pub struct KpisArgs<'a> {
    /// Database file.
    pub db: Option<&'a Path>,
    /// Drill id (default: real operations).
    pub drill: Option<&'a str>,
    /// The moment, UTC ISO-8601 (`…Z`) or Beijing time with `+08:00`.
    pub at: Option<&'a str>,
    /// JSON output.
    pub json: bool,
}

/// Parses `--at`: `YYYY-MM-DDTHH:MM:SS[.mmm]Z` (UTC) or the same with `+08:00` (Beijing time).
pub fn parse_at(text: &str) -> Result<i64, CliError> {
    let t = text.trim();
    let parsed = match t.strip_suffix("+08:00") {
        Some(local) => parse_utc_ms(&format!("{local}Z")).map(|ms| ms - local_time::OFFSET_MS),
        None => parse_utc_ms(t),
    };
    parsed.ok_or_else(|| {
        CliError::input(format!(
            "--at \"{text}\": 时间格式应为 2026-05-01T08:30:00Z（UTC）或 2026-05-01T16:30:00+08:00（北京时间）/ \
             expected 2026-05-01T08:30:00Z (UTC) or 2026-05-01T16:30:00+08:00 (Beijing time)"
        ))
    })
}

fn now_ms() -> i64 {
    parse_utc_ms(&crate::time::now_utc_iso()).unwrap_or(0)
}

/// The situation the figures are for and "now": the live log (or drill) up to `at`, or all of it.
/// In a drill without `--at`, "now" is the drill's last event time (its simulated clock is not
/// stored), so the figures are reproducible.
fn situation_at(a: &KpisArgs<'_>) -> Result<(Situation, i64), CliError> {
    let mut store = open_read(a.db)?;
    let real = store.situation().map_err(store_err)?.clone();
    if let Some(d) = a.drill
        && !real.drills.contains_key(d)
    {
        let known: Vec<&str> = real.drills.keys().map(String::as_str).collect();
        return Err(CliError::input(format!(
            "没有演练 \"{d}\" / no drill \"{d}\" (known: {})",
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        )));
    }
    let at_ms = a.at.map(parse_at).transpose()?;
    match (a.drill, at_ms) {
        (None, None) => Ok((real, now_ms())),
        (Some(d), None) => {
            let events = store.events_since(0).map_err(store_err)?;
            let last = events
                .iter()
                .filter(|e| e.drill_id.as_deref() == Some(d))
                .filter_map(|e| parse_utc_ms(&e.ts_utc))
                .max()
                .unwrap_or_else(now_ms);
            Ok((store.drill_situation(d).map_err(store_err)?, last))
        }
        (drill, Some(at)) => {
            let events = store.events_since(0).map_err(store_err)?;
            let upto: Vec<&Event> = events
                .iter()
                .filter(|e| parse_utc_ms(&e.ts_utc).is_some_and(|t| t <= at))
                .collect();
            let sit = Situation::from_events_scoped(upto, drill).map_err(|e| CliError::input(e.to_string()))?;
            Ok((sit, at))
        }
    }
}

/// `onemap kpis`.
pub fn kpis(pack: &MapPack, a: &KpisArgs<'_>) -> Result<String, CliError> {
    let (sit, now) = situation_at(a)?;
    let mut cx = KpiContext::from_pack(pack).map_err(|e| CliError::input(e.to_string()))?;
    let k = cx.figures(&sit, now, KpiOptions::default());
    if a.json {
        serde_json::to_string_pretty(&k).map_err(|e| CliError::input(e.to_string()))
    } else {
        Ok(table(&k))
    }
}

fn pct(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// A section title, with "none" under it when the section is empty.
fn heading(o: &mut String, title: &str, empty: bool) {
    o.push_str(title);
    if empty {
        o.push_str("  无 none\n");
    }
}

/// The readable table (Chinese first, English second).
pub fn table(k: &Kpis) -> String {
    let at = parse_utc_ms(&k.at_utc).unwrap_or(0);
    let mut o = String::new();
    o.push_str(&format!(
        "态势指标 Situation figures — {} {} ({}){}  seq {}\n",
        local_time::date_time(at),
        local_time::ZONE_ZH,
        format_utc_ms(at),
        k.drill_id
            .as_deref()
            .map(|d| format!("  演练 DRILL {d}"))
            .unwrap_or_default(),
        k.last_seq
    ));
    o.push_str(&format!(
        "\n在办事件 Active incidents: {}\n  {:<28} {:>4} {:>4} {:>4} {:>4} {:>5}\n",
        k.active_incidents, "类别 Class", "Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "合计"
    ));
    for r in &k.by_class_grade {
        let name = format!("{} {}", r.name_zh, r.name_en);
        o.push_str(&format!(
            "  {:<28} {:>4} {:>4} {:>4} {:>4} {:>5}\n",
            name, r.by_grade[0], r.by_grade[1], r.by_grade[2], r.by_grade[3], r.total
        ));
    }
    o.push_str("\n力量状态 Units by status:\n");
    for s in &k.units_by_status {
        o.push_str(&format!("  {} {:<16} {}\n", s.name_zh, s.name_en, s.count));
    }
    heading(
        &mut o,
        "\n事件计时 Incident timers (limit from plans.toml):\n",
        k.incidents.is_empty(),
    );
    for i in &k.incidents {
        o.push_str(&format!(
            "  #{} {} {} {}级 / grade {} [{}]{}\n",
            i.incident,
            i.type_zh,
            i.type_en,
            i.severity,
            i.severity,
            i.status,
            if i.sensitive { "  敏感 sensitive" } else { "" }
        ));
        for t in &i.timers {
            o.push_str(&format!(
                "      {} / {}: {} of {}{}  {} {}\n",
                t.zh,
                t.en,
                local_time::duration_bi(t.elapsed_s),
                local_time::duration_bi(t.limit_s),
                if t.done { " (done 已完成)" } else { "" },
                t.state.label_zh(),
                t.state.label_en()
            ));
        }
    }
    heading(
        &mut o,
        "\n超过预计到达 Units overdue on ETA:\n",
        k.overdue_units.is_empty(),
    );
    for u in &k.overdue_units {
        o.push_str(&format!(
            "  {} → #{}: 超时 overdue {} (ETA {})\n",
            u.callsign,
            u.incident,
            local_time::duration_bi(u.overdue_s),
            local_time::duration_bi(u.eta_s)
        ));
    }
    o.push_str(&format!(
        "\n覆盖率 Coverage{}:\n",
        if k.coverage_estimate { " (估算 estimate)" } else { "" }
    ));
    if let Some(e) = &k.coverage_error {
        o.push_str(&format!("  无法计算 cannot compute: {e}\n"));
    }
    for c in &k.coverage {
        o.push_str(&format!(
            "  {} {:<28} {:>6}  {} / {}  {} {}\n",
            c.name_zh,
            c.name_en,
            pct(c.covered_share),
            c.threshold_zh,
            c.threshold_en,
            c.state.label_zh(),
            c.state.label_en()
        ));
    }
    let s = &k.shelters;
    o.push_str(&format!(
        "\n避难场所 Shelters: {} / {} 人 persons ({}), 开放 open {} / {}\n",
        s.occupancy,
        s.capacity_open,
        pct(s.share),
        s.open,
        s.total
    ));
    for l in &s.nearly_full {
        o.push_str(&format!(
            "  将满 nearly full: {} {} {} / {}\n",
            l.name_zh, l.name_en, l.occupancy, l.capacity
        ));
    }
    heading(
        &mut o,
        &format!(
            "\n低于储备 Stock below reserve (for {} more affected people):\n",
            k.reserve_persons
        ),
        k.low_stock.is_empty(),
    );
    for l in &k.low_stock {
        o.push_str(&format!(
            "  {} {}: {} / {} {}\n",
            l.name_zh, l.name_en, l.free, l.reserve, l.unit
        ));
    }
    o.trim_end().to_string()
}
