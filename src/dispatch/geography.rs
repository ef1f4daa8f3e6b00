//! The two facts of the pack's geography the dispatch rules need: where the county and
//! prefecture seats are (urban vs rural) and where the international border runs (cross-border
//! teams). Pure; must not import egui, tokio or rusqlite.

use geo::Geometry;

use crate::geom::haversine_m;
use crate::mappack::{LayerKind, MapPack};

/// `level` of the boundary feature that is the international border.
pub const BORDER_LEVEL: &str = "international_border_derived";

/// Seats and border lines, in `[lon, lat]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Geography {
    /// County / prefecture seats (places whose `kind` ends in `_seat`, not `_not_seat`).
    pub seats_lonlat: Vec<[f64; 2]>,
    /// International border polylines.
    pub border_lonlat: Vec<Vec<[f64; 2]>>,
}

impl Geography {
    /// Reads seats from the pack's places layers and the border from its boundary layers.
    pub fn from_pack(pack: &MapPack) -> Geography {
        let mut g = Geography::default();
        for layer in &pack.layers {
            match layer.kind {
                LayerKind::Places => {
                    for f in layer.features() {
                        if f.str_prop("kind")
                            .is_some_and(|k| k.ends_with("_seat") && !k.ends_with("_not_seat"))
                            && let Some(p) = f.point()
                        {
                            g.seats_lonlat.push(p);
                        }
                    }
                }
                LayerKind::Boundaries => {
                    for f in layer.features() {
                        if f.str_prop("level") == Some(BORDER_LEVEL) {
                            collect_lines(&f.geometry, &mut g.border_lonlat);
                        }
                    }
                }
                _ => {}
            }
        }
        g
    }

    /// Distance to the nearest seat, metres (`None` without seats).
    pub fn seat_distance_m(&self, p: [f64; 2]) -> Option<f64> {
        self.seats_lonlat
            .iter()
            .map(|s| haversine_m(p, *s))
            .min_by(f64::total_cmp)
    }

    /// Distance to the international border, metres (`None` when the pack has none).
    pub fn border_distance_m(&self, p: [f64; 2]) -> Option<f64> {
        self.border_lonlat
            .iter()
            .flat_map(|line| line.windows(2))
            .map(|w| segment_distance_m(p, w[0], w[1]))
            .min_by(f64::total_cmp)
    }
}

fn collect_lines(g: &Geometry<f64>, out: &mut Vec<Vec<[f64; 2]>>) {
    let line = |l: &geo::LineString<f64>| l.coords().map(|c| [c.x, c.y]).collect::<Vec<_>>();
    match g {
        Geometry::LineString(l) => out.push(line(l)),
        Geometry::MultiLineString(m) => out.extend(m.0.iter().map(line)),
        Geometry::Polygon(p) => out.push(line(p.exterior())),
        Geometry::MultiPolygon(m) => out.extend(m.0.iter().map(|p| line(p.exterior()))),
        Geometry::GeometryCollection(c) => c.0.iter().for_each(|g| collect_lines(g, out)),
        _ => {}
    }
}

/// Point–segment distance in a local equirectangular projection around `p` (ample for tens of
/// km), reported with haversine to the projected point.
fn segment_distance_m(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let k = p[1].to_radians().cos();
    let (ax, ay) = ((a[0] - p[0]) * k, a[1] - p[1]);
    let (bx, by) = ((b[0] - p[0]) * k, b[1] - p[1]);
    let (dx, dy) = (bx - ax, by - ay);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let q = [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
    haversine_m(p, q)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        let g = Geography {
            seats_lonlat: vec![[100.0, 22.0]],
            border_lonlat: vec![vec![[100.0, 21.0], [101.0, 21.0]]],
        };
        // 0.1° of latitude ≈ 11.1 km.
        let d = g.border_distance_m([100.5, 21.1]).unwrap();
        assert!((d - 11_119.5).abs() < 20.0, "{d}");
        let d = g.border_distance_m([99.9, 21.0]).unwrap();
        assert!(d > 10_000.0 && d < 11_000.0, "past the end: {d}");
        assert!(g.seat_distance_m([100.0, 22.0]).unwrap() < 1.0);
        assert_eq!(Geography::default().border_distance_m([0.0, 0.0]), None);
    }
}
