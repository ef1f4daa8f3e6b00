//! Map packs (`maps/<name>/`): a `manifest.json` plus layers in WGS-84 (GeoJSON, an ESRI ASCII
//! elevation grid, CSV gazetteers, JSON corridor descriptions). Loading validates everything and
//! names the file, feature or line at fault. Pure: imports no egui, tokio or rusqlite.

mod geojson;
pub mod road_lines;
mod tables;
mod terrain;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::geom::{BBox, valid_lonlat};
use crate::roads::graph::Graph;
pub use crate::roads::router::RoutingSpec;

pub use geojson::{Feature, parse_feature_collection};
pub use tables::{Corridor, GazetteerRow};
pub use terrain::TerrainGrid;

/// The newest manifest `format_version` this build understands.
pub const FORMAT_VERSION: u32 = 1;

/// Everything that can be wrong with a map pack, each naming the file (and feature/line) at fault.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// A pack file is a symbolic link (refused: a pack is copied and shared as plain files, and
    /// a link could point anywhere, e.g. at private data).
    #[error("{path}: 地图包中不允许符号链接 / symbolic links are not allowed in a map pack")]
    Symlink {
        /// The link.
        path: PathBuf,
    },
    /// A file does not match the SHA-256 the manifest records.
    #[error("{path}: 文件已被改动 / changed since the pack was built: SHA-256 {found}, the manifest says {expected}")]
    Checksum {
        /// The changed file.
        path: PathBuf,
        /// Hash in the manifest.
        expected: String,
        /// Hash of the file.
        found: String,
    },
    /// The folder or its manifest does not exist.
    #[error("map pack not found: {0} has no manifest.json")]
    NotFound(PathBuf),
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// File at fault.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A file is not valid JSON.
    #[error("{path}: invalid JSON at line {line}, column {column}: {msg}")]
    Json {
        /// File at fault.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde_json said.
        msg: String,
    },
    /// The manifest is well-formed JSON but says something invalid.
    #[error("{path}: {msg}")]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// What is wrong.
        msg: String,
    },
    /// A layer declares a kind this build does not know.
    #[error("{path}: layer \"{layer}\" has unknown kind \"{kind}\" (known kinds: {known})")]
    UnknownKind {
        /// The manifest.
        path: PathBuf,
        /// Layer name.
        layer: String,
        /// The unknown kind.
        kind: String,
        /// Comma-separated list of known kinds.
        known: String,
    },
    /// The pack was written by a newer OneMap.
    #[error("{path}: pack format version {found} is newer than this program supports ({supported}); update OneMap")]
    NewerFormat {
        /// The manifest.
        path: PathBuf,
        /// Version in the manifest.
        found: u32,
        /// [`FORMAT_VERSION`].
        supported: u32,
    },
    /// A GeoJSON feature is invalid.
    #[error("{path}: feature {index}: {msg}")]
    Feature {
        /// File at fault.
        path: PathBuf,
        /// 0-based index in `features`.
        index: usize,
        /// What is wrong.
        msg: String,
    },
    /// A road-graph file is unreadable or corrupt.
    #[error("{path}: {msg}")]
    Graph {
        /// File at fault.
        path: PathBuf,
        /// What the graph loader said.
        msg: String,
    },
    /// A line of a text file (grid, CSV) is invalid, or the file as a whole is.
    #[error("{path}: line {line}: {msg}")]
    Line {
        /// File at fault.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        msg: String,
    },
}

/// A bilingual title: Simplified Chinese first, English second.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Title {
    /// Simplified Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

/// One entry of the manifest's `layers` list.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LayerSpec {
    /// Unique name inside the pack (also the persisted toggle key).
    pub name: String,
    /// One of [`LayerKind`] as text.
    pub kind: String,
    /// File name relative to the pack folder.
    pub file: String,
    /// Display title; defaults to the name.
    #[serde(default)]
    pub title: Option<Title>,
    /// Whether the layer is shown before the user toggles it.
    #[serde(default = "default_true")]
    pub visible: bool,
    /// Licence of this layer's data, shown in the layer panel's tooltip.
    #[serde(default)]
    pub licence: Option<String>,
    /// How to route on a `roads` layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing: Option<RoutingSpec>,
    /// Where a `roads` layer's pieces come from (a multi-source build); empty for one source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<RoadSourceSpec>,
}

/// One source of a multi-source roads layer (see `roads::skeleton`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RoadSourceSpec {
    /// File or data set name.
    pub name: String,
    /// `real_osm` (real street geometry; pieces without the estimate bit) or
    /// `calibrated_skeleton` (straight edges with calibrated lengths; pieces with it).
    pub kind: String,
    /// Licence of the source.
    #[serde(default)]
    pub licence: String,
    /// The detour factor applied to a skeleton's straight lengths.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detour: Option<f64>,
}

fn default_true() -> bool {
    true
}

/// `manifest.json` of a map pack.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// Pack format; packs newer than [`FORMAT_VERSION`] are refused.
    pub format_version: u32,
    /// Short machine name (folder name by convention).
    pub name: String,
    /// Display title.
    pub title: Title,
    /// `[min_lon, min_lat, max_lon, max_lat]` in WGS-84.
    pub bbox: [f64; 4],
    /// Attribution lines, shown in the console's status bar and About panel.
    #[serde(default)]
    pub attribution: Vec<String>,
    /// The layers, drawn in this order (first = bottom).
    pub layers: Vec<LayerSpec>,
    /// SHA-256 (hex) of pack files by file name, verified on load.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub sha256: std::collections::BTreeMap<String, String>,
}

/// What a layer holds and how the console draws it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerKind {
    /// Administrative polygons (prefecture, counties) and boundary lines (international border).
    Boundaries,
    /// River centrelines.
    Rivers,
    /// Named points (seats, towns, ports).
    Places,
    /// An elevation grid (ESRI ASCII), drawn as a tint.
    Terrain,
    /// A CSV list of place names without coordinates (searchable, not drawn).
    Gazetteer,
    /// JSON road-corridor descriptions without geometry (input for a schematic network).
    Corridors,
    /// A routing graph (`onemap mappack build`; or a schematic network `.json`), also drawn as
    /// the road layer.
    Roads,
    /// Railway centrelines (GeoJSON lines), drawn as a railway.
    Railway,
}

impl LayerKind {
    /// Every kind, in manifest spelling.
    pub const ALL: [(LayerKind, &'static str); 8] = [
        (LayerKind::Boundaries, "boundaries"),
        (LayerKind::Rivers, "rivers"),
        (LayerKind::Places, "places"),
        (LayerKind::Terrain, "terrain"),
        (LayerKind::Gazetteer, "gazetteer"),
        (LayerKind::Corridors, "corridors"),
        (LayerKind::Roads, "roads"),
        (LayerKind::Railway, "railway"),
    ];

    /// Parse the manifest spelling.
    pub fn parse(text: &str) -> Option<LayerKind> {
        Self::ALL.iter().find(|(_, s)| *s == text).map(|(k, _)| *k)
    }

    /// The manifest spelling.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(k, _)| *k == self)
            .map(|(_, s)| *s)
            .unwrap_or("?")
    }
}

/// The loaded content of one layer.
#[derive(Debug, Clone)]
pub enum LayerData {
    /// GeoJSON features (boundaries, rivers, places).
    Features(Vec<Feature>),
    /// An elevation grid.
    Terrain(TerrainGrid),
    /// Place names without coordinates.
    Gazetteer(Vec<GazetteerRow>),
    /// Road-corridor descriptions.
    Corridors(Vec<Corridor>),
    /// The routing graph.
    Roads(Arc<Graph>),
}

/// One loaded layer.
#[derive(Debug, Clone)]
pub struct Layer {
    /// The manifest entry.
    pub spec: LayerSpec,
    /// Parsed kind.
    pub kind: LayerKind,
    /// The data.
    pub data: LayerData,
}

impl Layer {
    /// Features, grid cells with data, or table rows: what `onemap info` reports.
    pub fn feature_count(&self) -> usize {
        match &self.data {
            LayerData::Features(f) => f.len(),
            LayerData::Terrain(g) => g.cells_with_data(),
            LayerData::Gazetteer(r) => r.len(),
            LayerData::Corridors(c) => c.len(),
            LayerData::Roads(g) => g.piece_count(),
        }
    }

    /// The display title, falling back to the layer name.
    pub fn title(&self) -> Title {
        self.spec.title.clone().unwrap_or_else(|| Title {
            zh: self.spec.name.clone(),
            en: self.spec.name.clone(),
        })
    }

    /// The features, if this is a feature layer.
    pub fn features(&self) -> &[Feature] {
        match &self.data {
            LayerData::Features(f) => f,
            _ => &[],
        }
    }
}

/// A loaded, validated map pack.
#[derive(Debug, Clone)]
pub struct MapPack {
    /// Folder it was loaded from.
    pub dir: PathBuf,
    /// The manifest.
    pub manifest: Manifest,
    /// Layers in manifest order.
    pub layers: Vec<Layer>,
}

/// A county (or other administrative area) of the pack, for "fit view to county" buttons.
#[derive(Debug, Clone)]
pub struct Area {
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// GB/T 2260 code if the data has one.
    pub adcode: Option<u32>,
    /// Extent.
    pub bbox: BBox,
}

impl MapPack {
    /// Load and validate the pack in `dir`.
    pub fn load(dir: impl AsRef<Path>) -> Result<MapPack, PackError> {
        let dir = dir.as_ref().to_path_buf();
        let manifest_path = dir.join("manifest.json");
        if !manifest_path.is_file() {
            return Err(PackError::NotFound(dir));
        }
        let text = read_text(&manifest_path)?;
        let manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
            if e.is_data() {
                PackError::Manifest {
                    path: manifest_path.clone(),
                    msg: e.to_string(),
                }
            } else {
                json_error(&manifest_path, &e)
            }
        })?;
        validate_manifest(&manifest_path, &manifest)?;
        check_pack_files(&dir, &manifest_path, &manifest)?;
        let mut layers = Vec::with_capacity(manifest.layers.len());
        for spec in &manifest.layers {
            let Some(kind) = LayerKind::parse(&spec.kind) else {
                return Err(PackError::UnknownKind {
                    path: manifest_path,
                    layer: spec.name.clone(),
                    kind: spec.kind.clone(),
                    known: LayerKind::ALL.iter().map(|(_, s)| *s).collect::<Vec<_>>().join(", "),
                });
            };
            let path = dir.join(&spec.file);
            let data = match kind {
                LayerKind::Boundaries | LayerKind::Rivers | LayerKind::Places | LayerKind::Railway => {
                    let features = parse_feature_collection(&path, &read_text(&path)?)?;
                    check_geometry_kinds(&path, kind, &features)?;
                    LayerData::Features(features)
                }
                LayerKind::Terrain => LayerData::Terrain(TerrainGrid::parse(&path, &read_text(&path)?)?),
                LayerKind::Gazetteer => LayerData::Gazetteer(tables::parse_gazetteer(&path, &read_text(&path)?)?),
                LayerKind::Corridors => LayerData::Corridors(tables::parse_corridors(&path, &read_text(&path)?)?),
                LayerKind::Roads => {
                    if !path.is_file() {
                        return Err(PackError::Io {
                            path,
                            source: std::io::Error::new(std::io::ErrorKind::NotFound, "file not found"),
                        });
                    }
                    let graph = if path.extension().is_some_and(|e| e == "json") {
                        crate::roads::schematic::load(&path).map(|(g, _)| g)
                    } else {
                        Graph::load(&path).map_err(|e| e.to_string())
                    }
                    .map_err(|msg| PackError::Graph {
                        path: path.clone(),
                        msg,
                    })?;
                    LayerData::Roads(Arc::new(graph))
                }
            };
            layers.push(Layer {
                spec: spec.clone(),
                kind,
                data,
            });
        }
        // After parsing, so that a damaged file is reported by line/feature first; a file that
        // still parses but changed is named here.
        check_hashes(&dir, &manifest_path, &manifest)?;
        Ok(MapPack { dir, manifest, layers })
    }

    /// The manifest bbox.
    pub fn bbox(&self) -> BBox {
        BBox(self.manifest.bbox)
    }

    /// The first `roads` layer: its graph and routing settings.
    pub fn roads(&self) -> Option<(Arc<Graph>, RoutingSpec)> {
        self.layers.iter().find_map(|l| match &l.data {
            LayerData::Roads(g) => Some((g.clone(), l.spec.routing.unwrap_or_default())),
            _ => None,
        })
    }

    /// Layer by name.
    pub fn layer(&self, name: &str) -> Option<&Layer> {
        self.layers.iter().find(|l| l.spec.name == name)
    }

    /// Polygons of boundary layers whose `level` is `county` (or every polygon without a level),
    /// from the first boundary layer, in file order.
    pub fn counties(&self) -> Vec<Area> {
        let Some(layer) = self.layers.iter().find(|l| l.kind == LayerKind::Boundaries) else {
            return Vec::new();
        };
        layer
            .features()
            .iter()
            .filter(|f| f.is_area() && f.str_prop("level").is_none_or(|l| l == "county"))
            .map(|f| Area {
                name_zh: f.str_prop("name_zh").unwrap_or_default().to_string(),
                name_en: f.str_prop("name_en").unwrap_or_default().to_string(),
                adcode: f.u32_prop("adcode"),
                bbox: f.bbox(),
            })
            .collect()
    }
}

fn validate_manifest(path: &Path, m: &Manifest) -> Result<(), PackError> {
    let err = |msg: String| PackError::Manifest {
        path: path.to_path_buf(),
        msg,
    };
    if m.format_version > FORMAT_VERSION {
        return Err(PackError::NewerFormat {
            path: path.to_path_buf(),
            found: m.format_version,
            supported: FORMAT_VERSION,
        });
    }
    if m.format_version == 0 {
        return Err(err("format_version must be 1 or more".into()));
    }
    if m.name.trim().is_empty() {
        return Err(err("name is empty".into()));
    }
    let [a, b, c, d] = m.bbox;
    if !valid_lonlat(a, b) || !valid_lonlat(c, d) {
        return Err(err(format!(
            "bbox {:?} is outside WGS-84 ranges (lon -180..180, lat -90..90)",
            m.bbox
        )));
    }
    if a >= c || b >= d {
        return Err(err(format!(
            "bbox {:?} must be [min_lon, min_lat, max_lon, max_lat]",
            m.bbox
        )));
    }
    let mut seen = std::collections::HashSet::new();
    for l in &m.layers {
        if !seen.insert(l.name.as_str()) {
            return Err(err(format!("layer name \"{}\" appears twice", l.name)));
        }
        if l.file.contains("..") || Path::new(&l.file).is_absolute() {
            return Err(err(format!(
                "layer \"{}\": file \"{}\" must be inside the pack folder",
                l.name, l.file
            )));
        }
        if let Some(r) = &l.routing {
            check_routing(r).map_err(|msg| err(format!("layer \"{}\": routing.{msg}", l.name)))?;
        }
    }
    Ok(())
}

/// Range checks of a roads layer's routing settings; the error starts with the field name.
fn check_routing(r: &RoutingSpec) -> Result<(), String> {
    let fields = [
        ("offroad_speed_kmh", r.offroad_speed_kmh, 1.0, 120.0, "km/h"),
        ("offroad_detour", r.offroad_detour, 1.0, 5.0, ""),
        ("max_snap_km", r.max_snap_km, 0.001, 1000.0, "km"),
        ("estimate_offroad_m", r.estimate_offroad_m, 0.0, 1_000_000.0, "m"),
    ];
    for (name, v, lo, hi, unit) in fields {
        if !(v.is_finite() && (lo..=hi).contains(&v)) {
            return Err(format!(
                "{name} 须在 {lo}–{hi} {unit} 之间 / {name} must be {lo} to {hi} {unit}, not {v}"
            ));
        }
    }
    Ok(())
}

fn check_geometry_kinds(path: &Path, kind: LayerKind, features: &[Feature]) -> Result<(), PackError> {
    for (index, f) in features.iter().enumerate() {
        let ok = match kind {
            LayerKind::Places => f.is_point(),
            LayerKind::Rivers | LayerKind::Railway => f.is_line(),
            LayerKind::Boundaries => f.is_area() || f.is_line(),
            _ => true,
        };
        if !ok {
            return Err(PackError::Feature {
                path: path.to_path_buf(),
                index,
                msg: format!(
                    "a {} geometry does not belong in a \"{}\" layer",
                    f.geometry_type(),
                    kind.as_str()
                ),
            });
        }
    }
    Ok(())
}

/// Refuse symbolic links anywhere at the pack's top level (the manifest included), layer files
/// outside the folder, and files whose SHA-256 differs from the manifest's record.
fn check_pack_files(dir: &Path, manifest_path: &Path, manifest: &Manifest) -> Result<(), PackError> {
    let io = |path: &Path, source: std::io::Error| PackError::Io {
        path: path.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
        let entry = entry.map_err(|e| io(dir, e))?;
        if entry.file_type().map_err(|e| io(&entry.path(), e))?.is_symlink() {
            return Err(PackError::Symlink { path: entry.path() });
        }
    }
    for spec in &manifest.layers {
        if !plain_name(&spec.file) {
            return Err(PackError::Manifest {
                path: manifest_path.to_path_buf(),
                msg: format!(
                    "layer \"{}\": file \"{}\" must be a plain file name inside the pack folder",
                    spec.name, spec.file
                ),
            });
        }
    }
    Ok(())
}

fn plain_name(name: &str) -> bool {
    let p = Path::new(name);
    p.components().count() == 1 && matches!(p.components().next(), Some(std::path::Component::Normal(_)))
}

/// Every file the manifest lists under `sha256` must still have that hash.
fn check_hashes(dir: &Path, manifest_path: &Path, manifest: &Manifest) -> Result<(), PackError> {
    let io = |path: &Path, source: std::io::Error| PackError::Io {
        path: path.to_path_buf(),
        source,
    };
    for (name, expected) in &manifest.sha256 {
        if !plain_name(name) {
            return Err(PackError::Manifest {
                path: manifest_path.to_path_buf(),
                msg: format!("sha256: \"{name}\" must be a plain file name inside the pack folder"),
            });
        }
        let path = dir.join(name);
        let bytes = std::fs::read(&path).map_err(|e| io(&path, e))?;
        let found: String = <sha2::Sha256 as sha2::Digest>::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if !found.eq_ignore_ascii_case(expected.trim()) {
            return Err(PackError::Checksum {
                path,
                expected: expected.clone(),
                found,
            });
        }
    }
    Ok(())
}

pub(crate) fn read_text(path: &Path) -> Result<String, PackError> {
    std::fs::read_to_string(path).map_err(|source| PackError::Io {
        path: path.to_path_buf(),
        source,
    })
}

pub(crate) fn json_error(path: &Path, e: &serde_json::Error) -> PackError {
    PackError::Json {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        msg: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for (k, s) in LayerKind::ALL {
            assert_eq!(LayerKind::parse(s), Some(k));
            assert_eq!(k.as_str(), s);
        }
        assert_eq!(LayerKind::parse("roads2"), None);
    }
}
