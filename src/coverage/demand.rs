//! Demand points: the pack's places plus a regular grid over its county polygons (or its bbox
//! when it has none), each marked urban or rural and given its county. Pure; must not import
//! egui, tokio or rusqlite.

use geo::{Contains, Coord, Geometry, MultiPolygon, Point};
use serde::Serialize;

use crate::geom::haversine_m;
use crate::mappack::{LayerKind, MapPack};

/// Default grid cell size, km.
pub const DEFAULT_CELL_KM: f64 = 2.0;

/// What a demand point stands for.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DemandKind {
    /// A named place of the pack (seat, town, port).
    Place {
        /// Its name (Chinese when known, else English).
        name: String,
    },
    /// The centre of a grid cell.
    Grid {
        /// Area of the cell, km².
        area_km2: f64,
    },
}

/// A point whose coverage is measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemandPoint {
    /// Position `[lon, lat]`.
    pub lonlat: [f64; 2],
    /// Weight: km² for grid cells; population (or 1) for places.
    pub weight: f64,
    /// Place or grid cell.
    #[serde(flatten)]
    pub kind: DemandKind,
    /// Within the urban radius / polygon of a seat.
    pub urban: bool,
    /// County-level division name ("" outside every county polygon).
    pub county: String,
}

impl DemandPoint {
    /// True for a named place.
    pub fn is_place(&self) -> bool {
        matches!(self.kind, DemandKind::Place { .. })
    }

    /// The place's name, if it is one.
    pub fn place_name(&self) -> Option<&str> {
        match &self.kind {
            DemandKind::Place { name } => Some(name),
            DemandKind::Grid { .. } => None,
        }
    }
}

/// How demand is weighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Weighting {
    /// By area (km²).
    Area,
    /// By population.
    Population,
    /// Each point counts once.
    Count,
}

/// A place of the pack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceSpec {
    /// Name.
    pub name: String,
    /// Position.
    pub lonlat: [f64; 2],
    /// Population when the pack gives one.
    pub population: Option<f64>,
}

/// Everything demand is built from (read from a pack once).
#[derive(Debug, Clone, Default)]
pub struct DemandSpec {
    /// Named places.
    pub places: Vec<PlaceSpec>,
    /// County polygons with their names.
    pub counties: Vec<(String, MultiPolygon<f64>)>,
    /// County / prefecture seats (urban centres).
    pub seats_lonlat: Vec<[f64; 2]>,
    /// Extent used for the grid when there are no county polygons: `[min lon, min lat, max lon, max lat]`.
    pub bbox: [f64; 4],
}

impl DemandSpec {
    /// Reads places (every `places` layer), county polygons (boundary features of level
    /// `county`) and seats from a pack.
    pub fn from_pack(pack: &MapPack) -> DemandSpec {
        let geo = crate::dispatch::Geography::from_pack(pack);
        let mut spec = DemandSpec {
            seats_lonlat: geo.seats_lonlat,
            bbox: pack.manifest.bbox,
            ..Default::default()
        };
        for layer in &pack.layers {
            match layer.kind {
                LayerKind::Places => {
                    for f in layer.features() {
                        let Some(p) = f.point() else { continue };
                        let name = f
                            .str_prop("name_zh")
                            .or(f.str_prop("name_en"))
                            .or(f.str_prop("name"))
                            .unwrap_or("?")
                            .to_string();
                        spec.places.push(PlaceSpec {
                            name,
                            lonlat: p,
                            population: f.f64_prop("population").filter(|v| v.is_finite() && *v > 0.0),
                        });
                    }
                }
                LayerKind::Boundaries if spec.counties.is_empty() => {
                    for f in layer.features() {
                        if f.str_prop("level") != Some("county") {
                            continue;
                        }
                        let name = f.str_prop("name_zh").or(f.str_prop("name_en")).unwrap_or("?");
                        let mp = match &f.geometry {
                            Geometry::Polygon(p) => MultiPolygon(vec![p.clone()]),
                            Geometry::MultiPolygon(m) => m.clone(),
                            _ => continue,
                        };
                        spec.counties.push((name.to_string(), mp));
                    }
                }
                _ => {}
            }
        }
        spec
    }

    /// The county containing `lonlat` ("" if none).
    pub fn county_of(&self, lonlat: [f64; 2]) -> &str {
        let p = Point::new(lonlat[0], lonlat[1]);
        self.counties
            .iter()
            .find(|(_, mp)| mp.contains(&p))
            .map_or("", |(n, _)| n.as_str())
    }
}

/// Options of a coverage computation.
#[derive(Debug, Clone)]
pub struct CoverageOptions {
    /// Grid cell size, km.
    pub cell_km: f64,
    /// Urban radius around seats, km (`None`: the plans' `urban_radius_km`).
    pub urban_radius_km: Option<f64>,
    /// Extra urban areas (polygons `[lon, lat]`); a point inside one is urban too.
    pub urban_polygons_lonlat: Vec<Vec<[f64; 2]>>,
    /// Force types to compute (empty: every type with at least one unit in the situation).
    pub types: Vec<super::ForceType>,
    /// Thresholds replacing the plans' for some force types.
    pub thresholds: std::collections::BTreeMap<super::ForceType, Vec<super::Threshold>>,
}

impl Default for CoverageOptions {
    fn default() -> Self {
        CoverageOptions {
            cell_km: DEFAULT_CELL_KM,
            urban_radius_km: None,
            urban_polygons_lonlat: Vec::new(),
            types: Vec::new(),
            thresholds: Default::default(),
        }
    }
}

fn in_ring(p: [f64; 2], ring: &[[f64; 2]]) -> bool {
    let poly = geo::Polygon::new(
        geo::LineString(ring.iter().map(|c| Coord { x: c[0], y: c[1] }).collect()),
        Vec::new(),
    );
    poly.contains(&Point::new(p[0], p[1]))
}

/// Builds the demand points: places first (file order), then grid cells (row by row from the
/// south-west) whose centre lies in a county polygon (every cell of the bbox without polygons).
/// Returns the points and the place weighting (population only if every place has one).
pub fn build_points(spec: &DemandSpec, urban_radius_km: f64, opts: &CoverageOptions) -> (Vec<DemandPoint>, Weighting) {
    let urban = |p: [f64; 2]| {
        spec.seats_lonlat
            .iter()
            .any(|s| haversine_m(p, *s) <= urban_radius_km * 1000.0)
            || opts.urban_polygons_lonlat.iter().any(|r| in_ring(p, r))
    };
    let by_population = !spec.places.is_empty() && spec.places.iter().all(|p| p.population.is_some());
    let mut out = Vec::new();
    for p in &spec.places {
        out.push(DemandPoint {
            lonlat: p.lonlat,
            weight: if by_population {
                p.population.unwrap_or(1.0)
            } else {
                1.0
            },
            kind: DemandKind::Place { name: p.name.clone() },
            urban: urban(p.lonlat),
            county: spec.county_of(p.lonlat).to_string(),
        });
    }
    let bbox = if spec.counties.is_empty() {
        spec.bbox
    } else {
        let mut b = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
        for (_, mp) in &spec.counties {
            for poly in &mp.0 {
                for c in poly.exterior().coords() {
                    b = [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)];
                }
            }
        }
        b
    };
    let cell_km = if opts.cell_km.is_finite() && opts.cell_km > 0.05 {
        opts.cell_km
    } else {
        DEFAULT_CELL_KM
    };
    let dlat = cell_km / 111.195;
    let mut lat = bbox[1] + dlat / 2.0;
    while lat < bbox[3] {
        let k = lat.to_radians().cos().max(0.01);
        let dlon = dlat / k;
        let area_km2 = cell_km * cell_km;
        let mut lon = bbox[0] + dlon / 2.0;
        while lon < bbox[2] {
            let p = [lon, lat];
            let county = spec.county_of(p);
            if spec.counties.is_empty() || !county.is_empty() {
                out.push(DemandPoint {
                    lonlat: p,
                    weight: area_km2,
                    kind: DemandKind::Grid { area_km2 },
                    urban: urban(p),
                    county: county.to_string(),
                });
            }
            lon += dlon;
        }
        lat += dlat;
    }
    let places_weighting = if by_population {
        Weighting::Population
    } else {
        Weighting::Count
    };
    (out, places_weighting)
}
