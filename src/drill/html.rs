//! The HTML after-action report: one page with inline CSS and inline SVG (map of the prefecture
//! outline with incidents and unit routes; a timeline chart; interval-versus-target bars), no
//! script and no external URL, so it opens in any browser offline. Pure text generation; must
//! not import egui, tokio or rusqlite.

use std::fmt::Write as _;

use super::report::{Report, fmt_secs};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const COLOURS: [&str; 6] = ["#c0392b", "#2471a3", "#7d3c98", "#b9770e", "#148f77", "#566573"];

fn mark(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "<span class=ok>✓ met / 达标</span>",
        Some(false) => "<span class=bad>✗ missed / 未达标</span>",
        None => "—",
    }
}

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
<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" fill=\"#17202a\">#{} {}</text>",
            esc(&i.address),
            x + 10.0,
            y + 4.0,
            i.incident.0,
            esc(&i.type_zh)
        );
    }
    svg.push_str("</svg>");
    svg
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
            "<text x=\"4\" y=\"{:.1}\" font-size=\"12\">#{} {} {}</text>",
            y + 14.0,
            i.incident.0,
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
                    (Some(s), Some(t), Some(m)) => Some((format!("#{} {}", i.incident.0, iv.en), s, t, m)),
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
    let banner = match &r.drill_id {
        Some(d) => format!("演练 DRILL — {}", esc(d)),
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
<p>{start} → {end} ({dur}) · score: <span class=ok>{met} met</span> / <span class=bad>{missed} missed</span></p>",
        title = esc(&r.title),
        start = esc(&r.start_utc),
        end = esc(&r.end_utc),
        dur = esc(&fmt_secs(r.duration_s)),
        met = r.score.met,
        missed = r.score.missed,
    );
    if r.schematic {
        h.push_str("<p class=note>示意路网：所有时间与距离均为估算。Schematic road network: every time and distance is an estimate.</p>");
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
            "<h2>#{} {} {} — {}</h2><p>{} · {} · plan: {} · final status: {}</p>\
<table><tr><th>interval 区间</th><th>time 用时</th><th>target 时限</th><th>result 结果</th></tr>",
            i.incident.0,
            esc(&i.type_zh),
            esc(&i.grade),
            esc(&i.address),
            esc(&i.reported_utc),
            if i.urban { "urban 城区" } else { "rural 农村" },
            esc(i.plan.as_deref().unwrap_or("—")),
            esc(&i.final_status)
        );
        for iv in &i.intervals {
            let _ = write!(
                h,
                "<tr><td>{} / {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&iv.zh),
                esc(&iv.en),
                iv.seconds.map_or("not reached 未达到".to_owned(), fmt_secs),
                match (&iv.target, iv.target_s) {
                    (Some(n), Some(s)) => format!("{} ≤ {}", esc(n), fmt_secs(s)),
                    _ => "—".to_owned(),
                },
                mark(iv.met)
            );
        }
        h.push_str("</table><table><tr><th>unit 力量</th><th>type</th><th>dispatched</th><th>arrived</th><th>travel</th><th>road km</th><th>targets</th></tr>");
        for u in &i.units {
            let targets: Vec<String> = u
                .targets
                .iter()
                .map(|t| format!("{} {}", esc(&t.name), mark(Some(t.met))))
                .collect();
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&u.callsign),
                esc(&u.unit_type),
                esc(&u.dispatched_utc),
                esc(u.arrived_utc.as_deref().unwrap_or("—")),
                u.travel_s.map_or("—".to_owned(), fmt_secs),
                u.distance_m.map_or("—".to_owned(), |d| format!("{:.1}", d / 1000.0)),
                targets.join("<br>")
            );
        }
        h.push_str("</table>");
        if !i.relief.is_empty() {
            h.push_str("<table><tr><th>relief from 物资来源</th><th>items</th><th>reserved</th><th>road ETA</th><th>report → delivery (est.)</th><th>result</th></tr>");
            for x in &i.relief {
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} {}</td></tr>",
                    esc(&x.warehouse),
                    esc(&x.items),
                    esc(&x.reserved_utc),
                    x.eta_s.map_or("—".to_owned(), fmt_secs),
                    x.delivery_s.map_or("—".to_owned(), fmt_secs),
                    esc(x.target.as_deref().unwrap_or("")),
                    mark(x.met)
                );
            }
            h.push_str("</table>");
        }
    }
    if let Some(cov) = &r.coverage {
        h.push_str("<h2>救护车覆盖 Ambulance coverage</h2><p>Share of the prefecture's area within the plan's ambulance radius (5 km urban / 20 km rural along roads) of an available ambulance; an estimate on a schematic network.</p><table><tr><th>offset</th><th>covered</th></tr>");
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
    h.push_str("<h2>操作记录 Who did what when</h2><table><tr><th>seq</th><th>time</th><th>offset</th><th>operator</th><th>seat</th><th>action</th></tr>");
    for a in &r.actions {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            a.seq,
            esc(&a.ts_utc),
            esc(&a.offset),
            esc(&a.operator),
            esc(&a.seat),
            esc(&a.summary)
        );
    }
    h.push_str("</table>");
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
