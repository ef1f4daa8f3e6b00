//! The map: walkers setup, the view transform shared by every layer, and one walkers `Plugin`
//! per drawn layer (`basemap`), plus optional raster tiles (`raster`). Reads pack data and
//! settings; never touches files or the network on the UI thread.

pub mod alerts;
pub mod basemap;
pub mod coverage;
pub mod ops;
pub mod overlay;
pub mod raster;

use egui::{Pos2, Rect, Vec2, pos2};
use walkers::Projector;

use crate::geom::{BBox, mercator_norm, mercator_norm_inverse};

/// walkers' world size at zoom 0, in points.
pub const WORLD_SIZE_Z0: f64 = 256.0;
/// Deepest zoom the console allows.
pub const MAX_ZOOM: f64 = 19.0;
/// Shallowest zoom the console allows.
pub const MIN_ZOOM: f64 = 2.0;

/// Normalised-Mercator ↔ screen transform for one frame.
#[derive(Debug, Clone, Copy)]
pub struct ViewXform {
    /// Map centre in normalised Mercator.
    pub center_norm: [f64; 2],
    /// Points per normalised unit (= 256·2^zoom).
    pub scale: f64,
    /// The map's screen rectangle.
    pub rect: Rect,
    /// Current zoom.
    pub zoom: f64,
}

impl ViewXform {
    /// Derive the transform walkers uses this frame.
    pub fn from_projector(p: &Projector) -> ViewXform {
        let rect = p.clip_rect();
        let c = p.unproject(rect.center().to_vec2());
        ViewXform {
            center_norm: mercator_norm(c.x(), c.y()),
            scale: WORLD_SIZE_Z0 * 2f64.powf(p.zoom()),
            rect,
            zoom: p.zoom(),
        }
    }

    /// Normalised Mercator → screen.
    #[inline]
    pub fn to_screen(&self, n: [f64; 2]) -> Pos2 {
        let c = self.rect.center();
        pos2(
            c.x + ((n[0] - self.center_norm[0]) * self.scale) as f32,
            c.y + ((n[1] - self.center_norm[1]) * self.scale) as f32,
        )
    }

    /// lon/lat → screen.
    pub fn lonlat_to_screen(&self, lonlat: [f64; 2]) -> Pos2 {
        self.to_screen(mercator_norm(lonlat[0], lonlat[1]))
    }

    /// Screen → lon/lat.
    pub fn screen_to_lonlat(&self, pos: Pos2) -> [f64; 2] {
        let c = self.rect.center();
        mercator_norm_inverse(
            self.center_norm[0] + (pos.x - c.x) as f64 / self.scale,
            self.center_norm[1] + (pos.y - c.y) as f64 / self.scale,
        )
    }

    /// The visible area in normalised Mercator, `[min_x, min_y, max_x, max_y]`, with a margin in
    /// points so that strokes at the edge are not cut.
    pub fn visible_norm(&self, margin_pt: f32) -> [f64; 4] {
        let half = (self.rect.size() / 2.0 + Vec2::splat(margin_pt)) / 1.0;
        let (hx, hy) = (half.x as f64 / self.scale, half.y as f64 / self.scale);
        [
            self.center_norm[0] - hx,
            self.center_norm[1] - hy,
            self.center_norm[0] + hx,
            self.center_norm[1] + hy,
        ]
    }

    /// Screen points per normalised unit → how many normalised units one point is.
    pub fn norm_per_point(&self) -> f64 {
        1.0 / self.scale
    }
}

/// Whether two `[min_x, min_y, max_x, max_y]` boxes overlap.
#[inline]
pub fn boxes_overlap(a: &[f64; 4], b: &[f64; 4]) -> bool {
    a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

/// Zoom at which `bbox` fits into a map of `size` points, with a margin of `padding` points.
pub fn fit_zoom(bbox: BBox, size: Vec2, padding: f32) -> f64 {
    let [a, b, c, d] = bbox.0;
    let p0 = mercator_norm(a, d);
    let p1 = mercator_norm(c, b);
    let w = ((p1[0] - p0[0]).abs() * WORLD_SIZE_Z0).max(1e-12);
    let h = ((p1[1] - p0[1]).abs() * WORLD_SIZE_Z0).max(1e-12);
    let avail_w = (size.x - 2.0 * padding).max(50.0) as f64;
    let avail_h = (size.y - 2.0 * padding).max(50.0) as f64;
    (avail_w / w).min(avail_h / h).log2().clamp(MIN_ZOOM, 16.0)
}

/// The centre of a bbox in Mercator (not the lon/lat midpoint), as lon/lat.
pub fn mercator_center(bbox: BBox) -> [f64; 2] {
    let [a, b, c, d] = bbox.0;
    let p0 = mercator_norm(a, d);
    let p1 = mercator_norm(c, b);
    mercator_norm_inverse((p0[0] + p1[0]) / 2.0, (p0[1] + p1[1]) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_zoom_fits() {
        let bbox = BBox([99.85, 21.05, 101.95, 22.65]);
        let size = Vec2::new(1200.0, 800.0);
        let z = fit_zoom(bbox, size, 20.0);
        // At that zoom the box spans at most the available width/height, and at zoom+0.1 it does not fit.
        let span = |z: f64| {
            let p0 = mercator_norm(99.85, 22.65);
            let p1 = mercator_norm(101.95, 21.05);
            let s = WORLD_SIZE_Z0 * 2f64.powf(z);
            ((p1[0] - p0[0]) * s, (p1[1] - p0[1]) * s)
        };
        let (w, h) = span(z);
        assert!(w <= 1160.0 + 1e-6 && h <= 760.0 + 1e-6, "{w} {h}");
        let (w2, h2) = span(z + 0.1);
        assert!(w2 > 1160.0 || h2 > 760.0);
    }

    #[test]
    fn screen_round_trip() {
        let x = ViewXform {
            center_norm: mercator_norm(100.8, 22.0),
            scale: WORLD_SIZE_Z0 * 2f64.powi(10),
            rect: Rect::from_min_size(pos2(0.0, 0.0), Vec2::new(800.0, 600.0)),
            zoom: 10.0,
        };
        let p = x.lonlat_to_screen([100.9, 21.9]);
        let back = x.screen_to_lonlat(p);
        assert!(
            (back[0] - 100.9).abs() < 1e-4 && (back[1] - 21.9).abs() < 1e-4,
            "{back:?}"
        );
        assert_eq!(x.lonlat_to_screen([100.8, 22.0]), pos2(400.0, 300.0));
    }
}
