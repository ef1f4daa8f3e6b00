//! The HTML after-action report: one page with inline CSS and inline SVG (map of the prefecture
//! outline with incidents and unit routes; a timeline chart; interval-versus-target bars), no
//! script and no external URL, so it opens in any browser offline. Pure text generation; must
//! not import egui, tokio or rusqlite.

use std::fmt::Write as _;

use super::report::{Report, fmt_secs};
use crate::local_time;
use crate::time::parse_utc_ms;

/// Beijing time of a logged UTC time: `HH:mm:ss` on the report's first day, with the date
/// otherwise (the zone is stated once, in the header).
fn bj(utc: &str, start_ms: i64) -> String {
    local_time::from_utc_iso(utc, start_ms)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const COLOURS: [&str; 6] = ["#c0392b", "#2471a3", "#7d3c98", "#b9770e", "#148f77", "#566573"];

fn mark(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "<span class=ok>✓ 达标 met</span>",
        Some(false) => "<span class=bad>✗ 未达标 missed</span>",
        None => "—",
    }
}

/// A result that never came but whose limit had not passed when the drill stopped.
const NOT_DUE: &str = "<span class=note>… 未到时限 not yet due</span>";

fn map_svg(r: &Report) -> String {
    let mut pts: Vec<[f64; 2]> = r.outline_lonlat.iter().flatten().copied().collect();
    for i in &r.incidents {
        pts.push(i.lonlat);
        for u in &i.units {
            pts.extend(u.route_lonlat.iter().copied());
        }
    }
    if pts.is_empty() {
        return String::from("<p>(no geometry)</p>");
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for p in &pts {
        x0 = x0.min(p[0]);
        y0 = y0.min(p[1]);
        x1 = x1.max(p[0]);
        y1 = y1.max(p[1]);
    }
    let k = ((y0 + y1) / 2.0).to_radians().cos();
    let (w, h) = (720.0, 560.0);
    let sx = (w - 40.0) / ((x1 - x0) * k).max(1e-9);
    let sy = (h - 40.0) / (y1 - y0).max(1e-9);
    let s = sx.min(sy);
    let xy = |p: [f64; 2]| (20.0 + (p[0] - x0) * k * s, 20.0 + (y1 - p[1]) * s);
    let path = |line: &[[f64; 2]]| {
        let mut d = String::new();
        for (i, p) in line.iter().enumerate() {
            let (x, y) = xy(*p);
            let _ = write!(d, "{}{x:.1},{y:.1} ", if i == 0 { "M" } else { "L" });
        }
        d
    };
    let mut svg = format!(
        "<svg viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"map\">\
<rect width=\"{w}\" height=\"{h}\" fill=\"#f4f6f7\"/>"
    );
    for ring in &r.outline_lonlat {
        let _ = write!(
            svg,
            "<path d=\"{}Z\" fill=\"#fdfefe\" stroke=\"#7f8c8d\" stroke-width=\"1\"/>",
            path(ring)
        );
    }
    // Seats and ports: the officer's landmarks, under the operational layers.
    for (name, p) in &r.places_lonlat {
        let (x, y) = xy(*p);
        let _ = write!(
            svg,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"6\" height=\"6\" fill=\"#b7950b\"/>\
<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#5d6d7e\">{}</text>",
            x - 3.0,
            y - 3.0,
            x + 6.0,
            y - 4.0,
            esc(name)
        );
    }
    for (n, i) in r.incidents.iter().enumerate() {
        let c = COLOURS[n % COLOURS.len()];
        for u in &i.units {
            let _ = write!(
                svg,
                "<path d=\"{}\" fill=\"none\" stroke=\"{c}\" stroke-width=\"1.6\" stroke-opacity=\"0.7\" stroke-dasharray=\"5 3\"><title>{}</title></path>",
                path(&u.route_lonlat),
                esc(&u.callsign)
            );
            if let Some(p) = u.route_lonlat.first() {
                let (x, y) = xy(*p);
                let _ = write!(svg, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"2.5\" fill=\"{c}\"/>");
            }
        }
    }
    for (n, i) in r.incidents.iter().enumerate() {
        let c = COLOURS[n % COLOURS.len()];
        let (x, y) = xy(i.lonlat);
        let _ = write!(
            svg,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"7\" fill=\"{c}\" stroke=\"#fff\" stroke-width=\"2\"><title>{}</title></circle>\
<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" fill=\"#17202a\">{} {}</text>",
            esc(&i.address),
            x + 10.0,
            y + 4.0,
            esc(&i.label),
            esc(&i.type_zh)
        );
    }
    svg.push_str(&legend_svg(h));
    svg.push_str("</svg>");
    svg
}

/// The map's legend, bottom left: what each mark means, in both languages.
fn legend_svg(h: f64) -> String {
    let y0 = h - 78.0;
    format!(
        "<g font-size=\"11\" fill=\"#17202a\"><rect x=\"10\" y=\"{y0:.1}\" width=\"230\" height=\"70\" fill=\"#fff\" fill-opacity=\"0.85\" stroke=\"#aab7b8\"/>\
<circle cx=\"24\" cy=\"{:.1}\" r=\"6\" fill=\"#c0392b\" stroke=\"#fff\" stroke-width=\"2\"/><text x=\"38\" y=\"{:.1}\">事件 incident</text>\
<line x1=\"16\" y1=\"{:.1}\" x2=\"32\" y2=\"{:.1}\" stroke=\"#c0392b\" stroke-width=\"1.6\" stroke-dasharray=\"5 3\"/><circle cx=\"16\" cy=\"{:.1}\" r=\"2.5\" fill=\"#c0392b\"/><text x=\"38\" y=\"{:.1}\">力量路线（起点）unit route (start)</text>\
<rect x=\"21\" y=\"{:.1}\" width=\"6\" height=\"6\" fill=\"#b7950b\"/><text x=\"38\" y=\"{:.1}\">驻地、口岸 seat, port</text></g>",
        y0 + 14.0,
        y0 + 18.0,
        y0 + 34.0,
        y0 + 34.0,
        y0 + 34.0,
        y0 + 38.0,
        y0 + 51.0,
        y0 + 58.0,
    )
}

fn timeline_svg(r: &Report) -> String {
    let total = r.duration_s.max(1.0);
    let (w, row) = (900.0, 28.0);
    let left = 170.0;
    let h = 40.0 + row * r.incidents.len() as f64;
    let start = crate::time::parse_utc_ms(&r.start_utc).unwrap_or(0);
    let x = |utc: &str| {
        let t = crate::time::parse_utc_ms(utc).unwrap_or(start);
        left + ((t - start) as f64 / 1000.0 / total) * (w - left - 20.0)
    };
    let mut svg =
        format!("<svg viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"timeline\">");
    let hours = (total / 3600.0).ceil() as u32;
    for hh in 0..=hours {
        let gx = left + (f64::from(hh) * 3600.0 / total) * (w - left - 20.0);
        if gx > w {
            break;
        }
        let _ = write!(
            svg,
            "<line x1=\"{gx:.1}\" y1=\"14\" x2=\"{gx:.1}\" y2=\"{h}\" stroke=\"#d5d8dc\"/><text x=\"{gx:.1}\" y=\"11\" font-size=\"10\" text-anchor=\"middle\">T+{hh}h</text>"
        );
    }
    for (n, i) in r.incidents.iter().enumerate() {
        let y = 24.0 + row * n as f64;
        let _ = write!(
            svg,
            "<text x=\"4\" y=\"{:.1}\" font-size=\"12\">{} {} {}</text>",
            y + 14.0,
            esc(&i.label),
            esc(&i.type_zh),
            esc(&i.grade)
        );
        let phases = [
            (
                Some(&i.reported_utc),
                i.first_dispatch_utc.as_ref(),
                "#f5b041",
                "call handling",
            ),
            (
                i.first_dispatch_utc.as_ref(),
                i.first_arrival_utc.as_ref(),
                "#5dade2",
                "first unit travelling",
            ),
            (
                i.first_arrival_utc.as_ref(),
                i.all_arrived_utc.as_ref(),
                "#48c9b0",
                "units arriving",
            ),
            (i.all_arrived_utc.as_ref(), i.closed_utc.as_ref(), "#a9cce3", "on scene"),
        ];
        for (a, b, c, what) in phases {
            if let (Some(a), Some(b)) = (a, b) {
                let (xa, xb) = (x(a), x(b));
                let _ = write!(
                    svg,
                    "<rect x=\"{xa:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"18\" fill=\"{c}\"><title>{what}</title></rect>",
                    (xb - xa).max(1.0)
                );
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

fn bars_svg(r: &Report) -> String {
    let rows: Vec<(String, f64, f64, bool)> = r
        .incidents
        .iter()
        .flat_map(|i| {
            i.intervals
                .iter()
                .filter_map(move |iv| match (iv.seconds, iv.target_s, iv.met) {
                    (Some(s), Some(t), Some(m)) => Some((format!("{} {} {}", i.label, iv.zh, iv.en), s, t, m)),
                    _ => None,
                })
        })
        .collect();
    if rows.is_empty() {
        return String::from("<p>(no scored intervals)</p>");
    }
    let max = rows.iter().map(|r| r.1.max(r.2)).fold(1.0, f64::max) * 1.1;
    let (w, row, left) = (900.0, 24.0, 260.0);
    let h = 20.0 + row * rows.len() as f64;
    let mut svg = format!(
        "<svg viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"intervals against targets\">"
    );
    for (n, (label, s, t, met)) in rows.iter().enumerate() {
        let y = 10.0 + row * n as f64;
        let bw = s / max * (w - left - 20.0);
        let tx = left + t / max * (w - left - 20.0);
        let c = if *met { "#27ae60" } else { "#c0392b" };
        let _ = write!(
            svg,
            "<text x=\"4\" y=\"{:.1}\" font-size=\"12\">{}</text><rect x=\"{left}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"16\" fill=\"{c}\"/>\
<line x1=\"{tx:.1}\" y1=\"{:.1}\" x2=\"{tx:.1}\" y2=\"{:.1}\" stroke=\"#17202a\" stroke-width=\"2\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\">{}</text>",
            y + 13.0,
            esc(label),
            y - 2.0,
            y + 18.0,
            left + bw + 4.0,
            y + 13.0,
            esc(&fmt_secs(*s))
        );
    }
    svg.push_str("</svg>");
    svg
}

impl Report {
    /// One self-contained HTML page (inline CSS and SVG, no external URL).
    pub fn to_html(&self) -> String {
        render(self)
    }
}

/// The page.
fn render(r: &Report) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let start_ms = parse_utc_ms(&r.start_utc).unwrap_or(0);
    let banner = match &r.drill_id {
        // The drill's id is how officers and the console name it (演练 flood-landslide-1).
        Some(id) => format!("演练 DRILL · {}", esc(id)),
        None => "实战记录 REAL OPERATIONS".to_owned(),
    };
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{title}</title><style>\
body{{font-family:sans-serif;margin:24px;color:#17202a;max-width:1000px}}\
.banner{{background:#b03a2e;color:#fff;padding:6px 12px;font-weight:bold;display:inline-block}}\
table{{border-collapse:collapse;margin:8px 0 16px}}td,th{{border:1px solid #ccd1d1;padding:3px 8px;font-size:13px;text-align:left}}\
th{{background:#eaeded}}.ok{{color:#1e8449;font-weight:bold}}.bad{{color:#c0392b;font-weight:bold}}.note{{color:#7d6608}}\
</style></head><body><div class=banner>{banner}</div><h1>{title}</h1>\
<p>{start} → {end} {zone_zh} {zone_en} ({dur}) · 评分 score: <span class=ok>{met} 达标 met</span> / <span class=bad>{missed} 未达标 missed</span></p>",
        title = esc(&r.title),
        start = esc(&local_time::date_time(start_ms)),
        end = esc(&bj(&r.end_utc, start_ms)),
        zone_zh = local_time::ZONE_ZH,
        zone_en = local_time::ZONE_EN,
        dur = esc(&fmt_secs(r.duration_s)),
        met = r.score.met,
        missed = r.score.missed,
    );
    if !r.unplayed.is_empty() {
        let _ = write!(
            h,
            "<p class=note>演练提前结束：{n} 条情景注入未执行（见文末）。Drill ended early: {n} inject(s) not played (listed below).</p>",
            n = r.unplayed.len()
        );
    }
    if r.score.pending > 0 {
        let _ = write!(
            h,
            "<p class=note>结束时尚有 {p} 项未到时限，不计分。{p} result(s) not yet due at the end are not scored.</p>",
            p = r.score.pending
        );
    }
    if r.schematic {
        h.push_str("<p class=note>示意路网：所有时间与距离均为估算。Schematic road network: every time and distance is an estimate.</p>");
    } else if r.estimates {
        h.push_str("<p class=note>部分路网为标定骨架（示意）：经过它的时间与距离为估算。Part of the road network is a calibrated skeleton (schematic): times and distances over it are estimates.</p>");
    }
    h.push_str("<h2>地图 Map</h2>");
    h.push_str(&map_svg(r));
    h.push_str("<h2>时间线 Timeline</h2>");
    h.push_str(&timeline_svg(r));
    h.push_str("<h2>时限对照 Intervals against the plan's targets</h2>");
    h.push_str(&bars_svg(r));
    for i in &r.incidents {
        let _ = write!(
            h,
            "<h2>{} {} {} — {}</h2><p>{} · {} · 预案 plan: {} · 最终状态 final status: {}</p>\
<table><tr><th>interval 区间</th><th>time 用时</th><th>target 时限</th><th>result 结果</th></tr>",
            esc(&i.label),
            esc(&i.type_name),
            esc(&i.grade),
            esc(&i.address),
            esc(&bj(&i.reported_utc, start_ms)),
            if i.urban { "urban 城区" } else { "rural 农村" },
            esc(i.plan_title.as_deref().unwrap_or("—")),
            esc(&i.final_status_name)
        );
        for iv in &i.intervals {
            let _ = write!(
                h,
                "<tr><td>{} / {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&iv.zh),
                esc(&iv.en),
                iv.seconds.map_or("not reached 未达到".to_owned(), fmt_secs),
                match (&iv.target_label, iv.target_s) {
                    (Some(n), Some(s)) => format!("{} ≤ {}", esc(n), fmt_secs(s)),
                    _ => "—".to_owned(),
                },
                if iv.pending { NOT_DUE } else { mark(iv.met) }
            );
        }
        h.push_str("</table><table><tr><th>unit 力量</th><th>类型 type</th><th>调派 dispatched</th><th>到场 arrived</th><th>途中 travel</th><th>道路里程 road km</th><th>时限 targets</th></tr>");
        for u in &i.units {
            let targets: Vec<String> = u
                .targets
                .iter()
                .map(|t| {
                    let m = if t.pending { NOT_DUE } else { mark(Some(t.met)) };
                    format!("{} {m}", esc(&t.label))
                })
                .collect();
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&u.callsign),
                esc(&u.unit_type_name),
                esc(&bj(&u.dispatched_utc, start_ms)),
                esc(&u.arrived_utc.as_deref().map_or("—".to_owned(), |a| bj(a, start_ms))),
                u.travel_s.map_or("—".to_owned(), fmt_secs),
                u.distance_m.map_or("—".to_owned(), |d| format!("{:.1}", d / 1000.0)),
                targets.join("<br>")
            );
        }
        h.push_str("</table>");
        if !i.relief.is_empty() {
            h.push_str("<table><tr><th>物资来源 relief from</th><th>物资 items</th><th>预留 reserved</th><th>道路用时 road ETA</th><th>接报→送达（估算）report → delivery (est.)</th><th>结果 result</th></tr>");
            for x in &i.relief {
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} {}</td></tr>",
                    esc(&x.warehouse_name),
                    esc(&x.items_named),
                    esc(&bj(&x.reserved_utc, start_ms)),
                    x.eta_s.map_or("—".to_owned(), fmt_secs),
                    x.delivery_s.map_or("—".to_owned(), fmt_secs),
                    esc(x.target_label.as_deref().unwrap_or("")),
                    mark(x.met)
                );
            }
            h.push_str("</table>");
        }
    }
    if let Some(cov) = &r.coverage {
        h.push_str("<h2>救护车覆盖 Ambulance coverage</h2><p>Share of the prefecture's area within the plan's ambulance radius (5 km urban / 20 km rural along roads) of an available ambulance; an estimate where the network is schematic or a calibrated skeleton.</p><table><tr><th>offset</th><th>covered</th></tr>");
        for c in cov {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{:.1} %</td></tr>",
                fmt_secs(c.offset_s),
                c.covered * 100.0
            );
        }
        h.push_str("</table>");
    }
    if !r.road_closures.is_empty() {
        h.push_str("<h2>道路封闭 Road closures</h2><ul>");
        for c in &r.road_closures {
            let _ = write!(h, "<li>{}</li>", esc(c));
        }
        h.push_str("</ul>");
    }
    h.push_str("<h2>操作记录 Who did what when</h2><table><tr><th>seq</th><th>时间 time</th><th>offset</th><th>operator</th><th>seat</th><th>action</th></tr>");
    for a in &r.actions {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            a.seq,
            esc(&bj(&a.ts_utc, start_ms)),
            esc(&a.offset),
            esc(&a.operator),
            esc(&a.seat),
            esc(&a.summary)
        );
    }
    h.push_str("</table>");
    if !r.unplayed.is_empty() {
        h.push_str("<h2>未执行的情景注入 Injects not played (drill ended early)</h2><ul>");
        for u in &r.unplayed {
            let _ = write!(h, "<li>{}</li>", esc(u));
        }
        h.push_str("</ul>");
    }
    if !r.notes.is_empty() {
        h.push_str("<h2>说明 Notes</h2><ul>");
        for n in &r.notes {
            let _ = write!(h, "<li>{}</li>", esc(n));
        }
        h.push_str("</ul>");
    }
    h.push_str("</body></html>\n");
    h
}
