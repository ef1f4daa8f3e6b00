//! Where an alert or an earthquake reaches on the map: whether a point lies inside a warning's
//! areas (the pack polygons its geocodes resolved to, its CAP polygons and circles), the box to
//! fly to, circles as rings, and the **estimated felt radius** of an earthquake.
//!
//! Felt radius (估算): `R_km = 10^(0.5·M − 0.8)` — 16 km at M4, 50 km at M5, 158 km at M6, 500 km
//! at M7. This is a simple display relation chosen for this console, NOT a published
//! attenuation law: published intensity relations for western China (the elliptical
//! `I = A + B·M + C·lg(R + R0)` family behind GB 18306-2015) could not be verified offline. As a
//! plausibility check only, the Qinghai–Tibet coefficients quoted from that work
//! (A 6.458 / 3.368, B 1.2746, C −4.4709 / −3.3119, long / short axis) put intensity Ⅳ at M5
//! roughly 30–90 km out, the same order as the 50 km here. Always labelled 估算 / estimate.
//!
//! Pure: no egui, tokio or rusqlite.

use geo::{Contains, Point};

use super::areas::AreaIndex;
use crate::geom::{BBox, EARTH_RADIUS_M, haversine_m};
use crate::model::alert::{AlertRecord, QuakeRecord};

/// Estimated felt radius of an earthquake, km (see the module doc; 0 for a non-positive or
/// non-finite magnitude).
pub fn felt_radius_km(magnitude: f64) -> f64 {
    if magnitude.is_finite() && magnitude > 0.0 {
        10f64.powf(0.5 * magnitude - 0.8)
    } else {
        0.0
    }
}

/// Even-odd test of a point against a ring of `[lon, lat]` (closed or not).
pub fn ring_contains(ring: &[[f64; 2]], p: [f64; 2]) -> bool {
    let n = ring.len();
    if n < 3 {
        return false;
    }
    let mut inside = false;
    let mut j = n - 1;
    for i in 0..n {
        let (a, b) = (ring[i], ring[j]);
        if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]) + a[0] {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// True when `p` lies in any area of the alert: a pack polygon its geocodes resolved to (the
/// parent's when it fell back), a CAP polygon or a CAP circle.
pub fn alert_covers(rec: &AlertRecord, areas: &AreaIndex, p: [f64; 2]) -> bool {
    let pt = Point::new(p[0], p[1]);
    rec.areas.iter().any(|a| {
        a.resolved.iter().filter_map(|r| r.used.as_deref()).any(|code| {
            areas
                .get(code)
                .and_then(|x| x.shape.as_ref())
                .is_some_and(|s| s.contains(&pt))
        }) || a.polygons.iter().any(|ring| ring_contains(ring, p))
            || a.circles
                .iter()
                .any(|c| haversine_m(c.center_lonlat, p) <= c.radius_km * 1000.0)
    })
}

/// Why a drawn or given polygon is refused (both languages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RingError {
    /// Fewer than three distinct vertices, or all on one line.
    #[error("区域至少需要 3 个不在一条直线上的不同顶点 / an area needs at least 3 distinct vertices not on one line")]
    TooFew,
    /// Two edges cross or touch.
    #[error("区域边界自相交，请重新绘制 / the area's outline crosses itself; draw it again")]
    SelfIntersecting,
}

fn cross(o: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
}

/// True when segments `p1p2` and `q1q2` share any point (crossing, touching or overlapping).
fn segments_meet(p1: [f64; 2], p2: [f64; 2], q1: [f64; 2], q2: [f64; 2]) -> bool {
    let on = |a: [f64; 2], b: [f64; 2], c: [f64; 2]| {
        c[0] >= a[0].min(b[0]) && c[0] <= a[0].max(b[0]) && c[1] >= a[1].min(b[1]) && c[1] <= a[1].max(b[1])
    };
    let (d1, d2) = (cross(q1, q2, p1), cross(q1, q2, p2));
    let (d3, d4) = (cross(p1, p2, q1), cross(p1, p2, q2));
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0)) && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0)) {
        return true;
    }
    (d1 == 0.0 && on(q1, q2, p1))
        || (d2 == 0.0 && on(q1, q2, p2))
        || (d3 == 0.0 && on(p1, p2, q1))
        || (d4 == 0.0 && on(p1, p2, q2))
}

/// A drawn outline of `[lon, lat]` vertices (open or already closed) as a closed ring (first =
/// last) with repeated consecutive vertices dropped (a double-click adds its point twice).
/// Refused when fewer than three distinct vertices remain, when they lie on one line, or when
/// two edges that are not neighbours meet, or neighbours fold back onto each other. Edges are
/// judged as straight lines in lon/lat, as the CAP `<polygon>` states them.
pub fn closed_ring(vertices: &[[f64; 2]]) -> Result<Vec<[f64; 2]>, RingError> {
    let mut v: Vec<[f64; 2]> = Vec::with_capacity(vertices.len() + 1);
    for p in vertices {
        if v.last() != Some(p) {
            v.push(*p);
        }
    }
    while v.len() > 1 && v.first() == v.last() {
        v.pop();
    }
    let n = v.len();
    if n < 3 {
        return Err(RingError::TooFew);
    }
    if v.iter().all(|p| cross(v[0], v[1], *p) == 0.0) {
        return Err(RingError::TooFew);
    }
    let edge = |i: usize| (v[i], v[(i + 1) % n]);
    for i in 0..n {
        // Neighbours share a vertex; they are wrong only when the second folds back on the first.
        let ((a, b), (_, c)) = (edge(i), edge((i + 1) % n));
        let back = (a[0] - b[0]) * (c[0] - b[0]) + (a[1] - b[1]) * (c[1] - b[1]);
        if cross(a, b, c) == 0.0 && back > 0.0 {
            return Err(RingError::SelfIntersecting);
        }
        for j in i + 2..n {
            if i == 0 && j == n - 1 {
                continue;
            }
            let ((p1, p2), (q1, q2)) = (edge(i), edge(j));
            if segments_meet(p1, p2, q1, q2) {
                return Err(RingError::SelfIntersecting);
            }
        }
    }
    v.push(v[0]);
    Ok(v)
}

/// True when `p` lies within the earthquake's estimated felt radius.
pub fn quake_reaches(q: &QuakeRecord, p: [f64; 2]) -> bool {
    haversine_m(q.lonlat.lonlat(), p) <= felt_radius_km(q.magnitude) * 1000.0
}

/// A circle as a closed ring of `n` points (`[lon, lat]`), by the spherical destination formula.
pub fn circle_ring(center: [f64; 2], radius_km: f64, n: usize) -> Vec<[f64; 2]> {
    let (lon0, lat0) = (center[0].to_radians(), center[1].to_radians());
    let d = radius_km * 1000.0 / EARTH_RADIUS_M;
    (0..n)
        .map(|i| {
            let brg = std::f64::consts::TAU * i as f64 / n as f64;
            let lat = (lat0.sin() * d.cos() + lat0.cos() * d.sin() * brg.cos()).asin();
            let lon = lon0 + (brg.sin() * d.sin() * lat0.cos()).atan2(d.cos() - lat0.sin() * lat.sin());
            [lon.to_degrees(), lat.to_degrees()]
        })
        .collect()
}

/// The box of everything the alert draws (`None` when nothing of it can be placed).
pub fn alert_bbox(rec: &AlertRecord, areas: &AreaIndex) -> Option<BBox> {
    use geo::BoundingRect;
    let mut b = BBox::EMPTY;
    let mut any = false;
    let mut add = |p: [f64; 2]| {
        b.extend(p);
        any = true;
    };
    for a in &rec.areas {
        for code in a.resolved.iter().filter_map(|r| r.used.as_deref()) {
            if let Some(r) = areas
                .get(code)
                .and_then(|x| x.shape.as_ref())
                .and_then(|s| s.bounding_rect())
            {
                add([r.min().x, r.min().y]);
                add([r.max().x, r.max().y]);
            }
        }
        a.polygons.iter().flatten().for_each(|p| add(*p));
        for c in &a.circles {
            circle_ring(c.center_lonlat, c.radius_km, 16)
                .into_iter()
                .for_each(&mut add);
        }
    }
    any.then_some(b)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn felt_radius_grows_tenfold_every_two_magnitudes() {
        assert!((felt_radius_km(5.0) - 10f64.powf(1.7)).abs() < 1e-9);
        assert!((felt_radius_km(6.0) / felt_radius_km(4.0) - 10.0).abs() < 1e-9);
        assert_eq!(felt_radius_km(f64::NAN), 0.0);
        assert_eq!(felt_radius_km(-1.0), 0.0);
    }

    #[test]
    fn circle_rings_lie_at_their_radius() {
        let ring = circle_ring([100.8, 22.0], 50.0, 36);
        for p in &ring {
            let d = haversine_m([100.8, 22.0], *p) / 1000.0;
            assert!((d - 50.0).abs() < 0.05, "{d}");
        }
    }

    #[test]
    fn drawn_rings_close_and_refuse_bowties_and_too_few() {
        let sq = [[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [2.0, 2.0], [0.0, 2.0]];
        let r = closed_ring(&sq).unwrap();
        assert_eq!(r, vec![[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0], [0.0, 0.0]]);
        // Already closed: the same ring.
        assert_eq!(closed_ring(&r).unwrap(), r);
        let bowtie = [[0.0, 0.0], [2.0, 2.0], [2.0, 0.0], [0.0, 2.0]];
        assert_eq!(closed_ring(&bowtie), Err(RingError::SelfIntersecting));
        // A vertex on a non-neighbouring edge touches it.
        let touch = [[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [2.0, 0.0], [0.0, 4.0]];
        assert_eq!(closed_ring(&touch), Err(RingError::SelfIntersecting));
        // Folding back along the previous edge.
        let fold = [[0.0, 0.0], [4.0, 0.0], [2.0, 0.0], [2.0, 3.0]];
        assert_eq!(closed_ring(&fold), Err(RingError::SelfIntersecting));
        assert_eq!(
            closed_ring(&[[0.0, 0.0], [1.0, 1.0], [1.0, 1.0]]),
            Err(RingError::TooFew)
        );
        assert_eq!(
            closed_ring(&[[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]),
            Err(RingError::TooFew)
        );
        assert!(RingError::SelfIntersecting.to_string().contains("自相交"));
    }

    #[test]
    fn rings_contain_by_even_odd() {
        let sq = [[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]];
        assert!(ring_contains(&sq, [1.0, 1.0]));
        assert!(!ring_contains(&sq, [3.0, 1.0]));
        // A C-shape: the notch is outside.
        let c = [
            [0.0, 0.0],
            [3.0, 0.0],
            [3.0, 1.0],
            [1.0, 1.0],
            [1.0, 2.0],
            [3.0, 2.0],
            [3.0, 3.0],
            [0.0, 3.0],
        ];
        assert!(!ring_contains(&c, [2.0, 1.5]));
        assert!(ring_contains(&c, [0.5, 1.5]));
    }
}
