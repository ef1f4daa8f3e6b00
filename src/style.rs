//! Design tokens: colours, sizes and text sizes in one place, tuned for long shifts and video
//! walls (calm dark basemap, high-contrast labels, nothing saturated unless it matters). Below
//! both `map` and `ui` (both draw with it); imports neither (only `model` enums it colours).

use egui::{Color32, Stroke};

/// Map background outside any data (sea of "elsewhere").
pub const MAP_BG: Color32 = Color32::from_rgb(0x16, 0x1c, 0x24);
/// County fills, cycled per county, drawn under the terrain tint.
/// Translucent, so the terrain tint underneath still reads.
pub const COUNTY_FILLS: [Color32; 4] = [
    Color32::from_rgba_premultiplied(0x12, 0x1c, 0x18, 0x70),
    Color32::from_rgba_premultiplied(0x16, 0x1a, 0x24, 0x70),
    Color32::from_rgba_premultiplied(0x1c, 0x19, 0x14, 0x70),
    Color32::from_rgba_premultiplied(0x15, 0x19, 0x1f, 0x70),
];
/// Dims everything outside the prefecture (neighbouring Laos, Myanmar, Pu'er).
pub const OUTSIDE_VEIL: Color32 = Color32::from_rgba_premultiplied(0x0b, 0x0e, 0x12, 0x9a);
/// County boundary.
pub const COUNTY_LINE: Stroke = Stroke {
    width: 1.2,
    color: Color32::from_rgb(0xa8, 0xb2, 0xbd),
};
/// Prefecture outline.
pub const PREFECTURE_LINE: Stroke = Stroke {
    width: 2.2,
    color: Color32::from_rgb(0xd8, 0xde, 0xe6),
};
/// International border (derived), dashed.
pub const BORDER_LINE: Stroke = Stroke {
    width: 3.0,
    color: Color32::from_rgb(0xe0, 0x6c, 0x75),
};
/// Cross-check outlines (e.g. Tianditu).
pub const CHECK_LINE: Stroke = Stroke {
    width: 1.2,
    color: Color32::from_rgb(0xe5, 0xc0, 0x7b),
};
/// Rivers.
pub const RIVER: Color32 = Color32::from_rgb(0x4f, 0x9d, 0xd9);
/// Motorways and trunk roads.
pub const ROAD_MAJOR: Color32 = Color32::from_rgb(0xf0, 0xa8, 0x4a);
/// Primary roads.
pub const ROAD_PRIMARY: Color32 = Color32::from_rgb(0xe6, 0xd0, 0x82);
/// Secondary roads.
pub const ROAD_SECONDARY: Color32 = Color32::from_rgb(0xd4, 0xd8, 0xdc);
/// Tertiary and local roads.
pub const ROAD_MINOR: Color32 = Color32::from_rgb(0x9c, 0xa6, 0xb0);
/// Service roads and tracks.
pub const ROAD_TRACK: Color32 = Color32::from_rgb(0x8c, 0x7a, 0x62);
/// Schematic (not real geometry) road segments: dashed.
pub const ROAD_SCHEMATIC: Color32 = Color32::from_rgb(0xf0, 0xa8, 0x4a);
/// Railway centrelines (schematic skeleton railway).
pub const RAILWAY: Color32 = Color32::from_rgb(0x6b, 0x5b, 0x95);
/// Route line.
pub const ROUTE: Color32 = Color32::from_rgb(0x3d, 0xd6, 0xff);
/// Casing under the route line.
pub const ROUTE_CASING: Color32 = Color32::from_rgb(0x06, 0x2a, 0x3a);
/// Isochrone band fills, innermost (fastest) first; translucent.
pub const ISO_BANDS: [Color32; 4] = [
    Color32::from_rgba_premultiplied(0x1a, 0x5c, 0x3a, 0x70),
    Color32::from_rgba_premultiplied(0x4a, 0x5c, 0x1a, 0x60),
    Color32::from_rgba_premultiplied(0x5c, 0x44, 0x14, 0x58),
    Color32::from_rgba_premultiplied(0x5c, 0x1e, 0x1e, 0x50),
];
/// Label text.
pub const LABEL_TEXT: Color32 = Color32::from_rgb(0xf2, 0xf4, 0xf7);
/// Label halo / background.
pub const LABEL_BG: Color32 = Color32::from_rgba_premultiplied(0x10, 0x14, 0x1a, 0xc8);
/// County name labels (large, quiet).
pub const COUNTY_LABEL: Color32 = Color32::from_rgba_premultiplied(0xc8, 0xd0, 0xda, 0xc0);
/// Seat markers.
pub const SEAT_MARKER: Color32 = Color32::from_rgb(0xff, 0xd1, 0x66);
/// Markers of points with unverified positions.
pub const UNVERIFIED_MARKER: Color32 = Color32::from_rgb(0x9a, 0xa5, 0xb1);
/// Port markers.
pub const PORT_MARKER: Color32 = Color32::from_rgb(0xc6, 0x78, 0xdd);
/// Search highlight.
pub const HIGHLIGHT: Color32 = Color32::from_rgb(0x61, 0xd0, 0xff);
/// Warning text in the status bar.
pub const WARN_TEXT: Color32 = Color32::from_rgb(0xff, 0xb8, 0x6c);
/// Text and badges for what is overdue (an incident waiting past its red limit).
pub const DANGER: Color32 = Color32::from_rgb(0xff, 0x5c, 0x5c);

/// Label size for county names.
pub const COUNTY_LABEL_SIZE: f32 = 22.0;
/// Label size for seats.
pub const SEAT_LABEL_SIZE: f32 = 16.0;
/// Label size for other places.
pub const PLACE_LABEL_SIZE: f32 = 13.5;

/// Hypsometric tint for elevation (m), with alpha, for the terrain layer.
pub fn elevation_tint(elev_m: f32) -> Color32 {
    // Valley floor (≈500 m) to ridges (≈2300 m): green → ochre → pale brown.
    const STOPS: [(f32, [u8; 3]); 5] = [
        (400.0, [0x2e, 0x6b, 0x4a]),
        (800.0, [0x5b, 0x8a, 0x4e]),
        (1200.0, [0x9c, 0x9a, 0x5c]),
        (1700.0, [0xa8, 0x7f, 0x5a]),
        (2300.0, [0xd9, 0xc8, 0xb4]),
    ];
    let e = elev_m.clamp(STOPS[0].0, STOPS[STOPS.len() - 1].0);
    let mut rgb = STOPS[STOPS.len() - 1].1;
    for w in STOPS.windows(2) {
        let ((e0, c0), (e1, c1)) = (w[0], w[1]);
        if e <= e1 {
            let t = (e - e0) / (e1 - e0);
            rgb = [0, 1, 2].map(|i| (c0[i] as f32 + (c1[i] as f32 - c0[i] as f32) * t).round() as u8);
            break;
        }
    }
    Color32::from_rgba_unmultiplied(rgb[0], rgb[1], rgb[2], 0x70)
}

/// Drill colour: the 演练 DRILL banner, the frame around a drill console and drill events.
pub const DRILL: Color32 = Color32::from_rgb(0xc0, 0x7c, 0xff);

/// Replay colour: the 回放 REPLAY badge and frame.
pub const REPLAY: Color32 = Color32::from_rgb(0x5c, 0xc8, 0xe8);

/// Colour of an incident grade: I red … IV yellow.
pub fn severity_color(s: crate::model::incident::Severity) -> Color32 {
    use crate::model::incident::Severity;
    match s {
        Severity::I => Color32::from_rgb(0xff, 0x3b, 0x3b),
        Severity::II => Color32::from_rgb(0xff, 0x7a, 0x29),
        Severity::III => Color32::from_rgb(0xff, 0xb3, 0x29),
        Severity::IV => Color32::from_rgb(0xff, 0xe0, 0x4c),
    }
}

/// Colour of a unit status (also used by the unit board).
pub fn status_color(s: crate::model::unit::UnitStatus) -> Color32 {
    use crate::model::unit::UnitStatus;
    match s {
        UnitStatus::Available => Color32::from_rgb(0x4c, 0xd1, 0x7a),
        UnitStatus::Dispatched => Color32::from_rgb(0xff, 0xb8, 0x4c),
        UnitStatus::EnRoute => Color32::from_rgb(0xff, 0xe0, 0x4c),
        UnitStatus::OnScene => Color32::from_rgb(0xff, 0x5c, 0x5c),
        UnitStatus::Returning => Color32::from_rgb(0x5c, 0xa8, 0xff),
        UnitStatus::OutOfService => Color32::from_rgb(0x8a, 0x94, 0x9e),
    }
}

/// Colour of a warning level (红/橙/黄/蓝); always shown with the level's name beside it.
pub fn level_color(level: Option<crate::model::alert::WarningLevel>) -> Color32 {
    use crate::model::alert::WarningLevel;
    match level {
        Some(WarningLevel::Red) => Color32::from_rgb(0xe8, 0x2e, 0x2e),
        Some(WarningLevel::Orange) => Color32::from_rgb(0xff, 0x8a, 0x1c),
        Some(WarningLevel::Yellow) => Color32::from_rgb(0xf2, 0xd0, 0x2a),
        Some(WarningLevel::Blue) => Color32::from_rgb(0x3a, 0x8d, 0xf0),
        None => Color32::from_rgb(0x9a, 0xa5, 0xb1),
    }
}

/// Colour of an earthquake epicentre and its estimated felt radius.
pub const QUAKE: Color32 = Color32::from_rgb(0xd9, 0x5c, 0xc8);

/// Colour of a warning area being drawn on the map (cyan: no warning level has it).
pub const SKETCH: Color32 = Color32::from_rgb(0x22, 0xd3, 0xee);
