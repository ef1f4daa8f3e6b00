//! Master-data import and export: stations, units, warehouses, stock and shelters as CSV (or
//! GeoJSON FeatureCollections with the same properties and a Point geometry instead of lon/lat).
//! Must not import egui or tokio; writes only through `Store::append_with` (one transaction).
//!
//! # Files
//!
//! The file stem names the table: `stations`, `units`, `warehouses`, `stock`, `shelters`
//! (`.csv`, or `.geojson` / `.json` for all but `stock`). CSV files are UTF-8 with a header row;
//! column order is free; unknown columns are an error; `*` marks required columns, the others may
//! be omitted or left empty. Booleans are `true/false` (also `1/0`, `yes/no`). Coordinates are
//! WGS-84 decimal degrees.
//!
//! - `stations.csv`: `external_id*, name_zh*, name_en, kind*, lon*, lat*, county, planned, demo,
//!   position_note`. `kind` is a [`StationKind`] code, e.g. `fire_station`,
//!   `township_fire_team_l1`, `township_fire_team_l2`, `forest_fire_depot`, `hospital`,
//!   `ambulance_base`, `police_post`, `water_rescue_base`, `engineering_depot`, `rescue_team_base`,
//!   `transport_reserve`.
//! - `units.csv`: `external_id*, callsign*, name_zh*, name_en, type*, crew*, station_external_id,
//!   lon*, lat*, status, extra_capabilities, demo, position_note`. `type` is a [`UnitType`] code;
//!   `extra_capabilities` is a `;`-separated list of [`Capability`] codes; `status` is
//!   `available` (default) or `out_of_service`. `status`, `lon`, `lat` are initial values, used
//!   only when the unit is new (afterwards they are operational state owned by dispatch).
//! - `warehouses.csv`: `external_id*, name_zh*, name_en, kind*, lon*, lat*, county, demo,
//!   position_note`. `kind` is a [`WarehouseKind`] code.
//! - `stock.csv`: `warehouse_external_id*, item_code*, name_zh*, name_en, unit*, quantity*, demo`.
//!   The quantity is the absolute count on hand (a stock-take); it may not be below the reserved
//!   quantity.
//! - `shelters.csv`: `external_id*, name_zh*, name_en, lon*, lat*, county, capacity*, open,
//!   occupancy, demo, position_note`. `occupancy` is used only when the shelter is new.
//!
//! Identities (external ids, callsigns, item codes) are trimmed and printable (no control,
//! zero-width or bidi characters); a second record with the same external id in one import is
//! refused naming both lines; external ids of units, stations, warehouses and shelters and
//! callsigns are never bare numbers (the CLI takes a number as the record's own number); every
//! external id and callsign names at most one unit; warehouse ids and item codes hold no `:` or
//! `,` (the separators of `dispatch --reserve`).
//!
//! Import is validated completely before anything is written, then appended as one transaction
//! (all files or nothing). Records are matched by external id: new → created, changed → one
//! upsert event, unchanged → nothing, so re-importing the same files appends zero events.
//! Errors name the file, the 1-based line (CSV) or `features[i]` (GeoJSON), the field and why.
//! Export writes the same CSV columns back, so export → import into a fresh store reproduces
//! the master data (incidents, reservations and assignments are not master data).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Store, StoreError};
use crate::csv_io::{CsvWriter, decode_utf8, parse_csv, unneutralise};
use crate::model::{
    Capability, EventKind, LonLat, ShelterId, ShelterSpec, Situation, StationId, StationKind, StationSpec, UnitId,
    UnitSpec, UnitStatus, UnitType, WarehouseId, WarehouseKind, WarehouseSpec,
};

/// Where in an import file a problem is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Location {
    /// The file as a whole.
    File,
    /// 1-based line of a CSV record.
    Line(usize),
    /// 0-based index of a GeoJSON feature.
    Feature(usize),
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::File => Ok(()),
            Location::Line(n) => write!(f, ", line {n}"),
            Location::Feature(i) => write!(f, ", features[{i}]"),
        }
    }
}

/// A validation error in master data; nothing of the import was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("import failed, nothing imported: {file}{location}{}: {reason}", field.as_ref().map(|f| format!(", field {f}")).unwrap_or_default())]
pub struct ImportError {
    /// File name as given.
    pub file: String,
    /// Record location.
    pub location: Location,
    /// Column / property, when one is at fault.
    pub field: Option<String>,
    /// What is wrong.
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Files read, in processing order.
    pub files: Vec<String>,
    /// Records read.
    pub records: usize,
    /// Records created.
    pub created: usize,
    /// Records changed.
    pub updated: usize,
    /// Records already identical.
    pub unchanged: usize,
    /// Events appended (0 on an identical re-import).
    pub events_appended: usize,
    /// Seq of the last appended event, if any.
    pub last_seq: Option<u64>,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportReport {
    /// Files written with their record counts.
    pub files: Vec<(PathBuf, usize)>,
}

/// The master-data tables, in import order (dependencies first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Table {
    Stations,
    Warehouses,
    Stock,
    Shelters,
    Units,
}

impl Table {
    const ALL: [Table; 5] = [
        Table::Stations,
        Table::Warehouses,
        Table::Stock,
        Table::Shelters,
        Table::Units,
    ];

    fn stem(self) -> &'static str {
        match self {
            Table::Stations => "stations",
            Table::Warehouses => "warehouses",
            Table::Stock => "stock",
            Table::Shelters => "shelters",
            Table::Units => "units",
        }
    }

    /// (required columns, optional columns) in export order.
    fn columns(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Table::Stations => (
                &["external_id", "name_zh", "kind", "lon", "lat"],
                &["name_en", "county", "planned", "demo", "position_note"],
            ),
            Table::Units => (
                &["external_id", "callsign", "name_zh", "type", "crew", "lon", "lat"],
                &[
                    "name_en",
                    "station_external_id",
                    "status",
                    "extra_capabilities",
                    "demo",
                    "position_note",
                ],
            ),
            Table::Warehouses => (
                &["external_id", "name_zh", "kind", "lon", "lat"],
                &["name_en", "county", "demo", "position_note"],
            ),
            Table::Stock => (
                &["warehouse_external_id", "item_code", "name_zh", "unit", "quantity"],
                &["name_en", "demo"],
            ),
            Table::Shelters => (
                &["external_id", "name_zh", "lon", "lat", "capacity"],
                &["name_en", "county", "open", "occupancy", "demo", "position_note"],
            ),
        }
    }

    /// All columns in the documented (and exported) order.
    fn export_order(self) -> &'static [&'static str] {
        match self {
            Table::Stations => &[
                "external_id",
                "name_zh",
                "name_en",
                "kind",
                "lon",
                "lat",
                "county",
                "planned",
                "demo",
                "position_note",
            ],
            Table::Units => &[
                "external_id",
                "callsign",
                "name_zh",
                "name_en",
                "type",
                "crew",
                "station_external_id",
                "lon",
                "lat",
                "status",
                "extra_capabilities",
                "demo",
                "position_note",
            ],
            Table::Warehouses => &[
                "external_id",
                "name_zh",
                "name_en",
                "kind",
                "lon",
                "lat",
                "county",
                "demo",
                "position_note",
            ],
            Table::Stock => &[
                "warehouse_external_id",
                "item_code",
                "name_zh",
                "name_en",
                "unit",
                "quantity",
                "demo",
            ],
            Table::Shelters => &[
                "external_id",
                "name_zh",
                "name_en",
                "lon",
                "lat",
                "county",
                "capacity",
                "open",
                "occupancy",
                "demo",
                "position_note",
            ],
        }
    }

    fn from_stem(stem: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.stem() == stem)
    }
}

/// Characters an identity must not hold: they make two ids that look the same differ (or the
/// other way round) on a screen, in a log or on a command line.
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{180E}'
            | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
            | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}')
}

/// One record with its origin.
struct Record {
    file: String,
    location: Location,
    values: HashMap<String, String>,
}

impl Record {
    fn err(&self, field: Option<&str>, reason: impl Into<String>) -> ImportError {
        ImportError {
            file: self.file.clone(),
            location: self.location.clone(),
            field: field.map(str::to_owned),
            reason: reason.into(),
        }
    }

    fn text(&self, field: &str) -> &str {
        self.values.get(field).map_or("", |v| v.trim())
    }

    fn required(&self, field: &str) -> Result<String, ImportError> {
        let v = self.text(field);
        if v.is_empty() {
            Err(self.err(Some(field), "required value is empty"))
        } else {
            Ok(v.to_owned())
        }
    }

    /// A required identity: printable (no control, zero-width, bidi or other invisible
    /// characters), already trimmed by [`Record::text`].
    fn ident(&self, field: &str) -> Result<String, ImportError> {
        let v = self.required(field)?;
        self.printable(field, &v)?;
        Ok(v)
    }

    /// An optional reference to an identity: empty, or printable.
    fn ident_ref(&self, field: &str) -> Result<String, ImportError> {
        let v = self.text(field);
        self.printable(field, v)?;
        Ok(v.to_owned())
    }

    fn printable(&self, field: &str, v: &str) -> Result<(), ImportError> {
        match v.chars().find(|&c| invisible(c)) {
            None => Ok(()),
            Some(c) => Err(self.err(
                Some(field),
                format!(
                    "标识含不可见或控制字符 U+{:04X} / the identity {v:?} holds the invisible or control character U+{:04X}",
                    c as u32, c as u32
                ),
            )),
        }
    }

    fn boolean(&self, field: &str, default: bool) -> Result<bool, ImportError> {
        match self.text(field).to_ascii_lowercase().as_str() {
            "" => Ok(default),
            "true" | "1" | "yes" | "y" => Ok(true),
            "false" | "0" | "no" | "n" => Ok(false),
            other => Err(self.err(Some(field), format!("{other:?} is not a boolean (true/false)"))),
        }
    }

    fn uint<T: std::str::FromStr>(&self, field: &str, default: Option<T>) -> Result<T, ImportError> {
        let v = self.text(field);
        if v.is_empty() {
            return default.ok_or_else(|| self.err(Some(field), "required value is empty"));
        }
        v.parse::<T>()
            .map_err(|_| self.err(Some(field), format!("{v:?} is not a non-negative integer in range")))
    }

    fn lonlat(&self) -> Result<LonLat, ImportError> {
        let num = |f: &str| -> Result<f64, ImportError> {
            let v = self.required(f)?;
            v.parse::<f64>()
                .map_err(|_| self.err(Some(f), format!("{v:?} is not a number")))
        };
        let (lon, lat) = (num("lon")?, num("lat")?);
        if !(-180.0..=180.0).contains(&lon) || !lon.is_finite() {
            return Err(self.err(Some("lon"), format!("{lon} is outside -180..=180")));
        }
        LonLat::from_deg(lon, lat).map_err(|_| self.err(Some("lat"), format!("{lat} is outside -90..=90")))
    }

    fn code<T>(&self, field: &str, parse: impl Fn(&str) -> Option<T>, all: &[&str]) -> Result<T, ImportError> {
        let v = self.required(field)?;
        parse(&v).ok_or_else(|| {
            self.err(
                Some(field),
                format!("unknown code {v:?}; expected one of {}", all.join(", ")),
            )
        })
    }
}

fn file_label(path: &Path) -> String {
    path.display().to_string()
}

fn file_err(file: &str, reason: impl Into<String>) -> ImportError {
    ImportError {
        file: file.to_owned(),
        location: Location::File,
        field: None,
        reason: reason.into(),
    }
}

/// Read one file into records (CSV or GeoJSON), checking columns.
fn read_records(path: &Path, table: Table) -> Result<Vec<Record>, ImportError> {
    let file = file_label(path);
    let bytes = std::fs::read(path).map_err(|e| file_err(&file, format!("cannot read: {e}")))?;
    records_from_bytes(path, file, bytes, table)
}

/// Validates one master-data file's bytes as `import` would (framing, columns, values, keys
/// unique within the file), without a store: the fuzz target's entry. `name` is the file name
/// (`units.csv`, `stations.geojson` …). Returns the number of records.
pub fn check_master_bytes(name: &str, bytes: Vec<u8>) -> Result<usize, ImportError> {
    let path = Path::new(name);
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let table = Table::from_stem(stem).ok_or_else(|| file_err(name, "unknown file name"))?;
    let mut parsed = Parsed::default();
    let mut seen = BTreeMap::new();
    let records = records_from_bytes(path, name.to_owned(), bytes, table)?;
    let n = records.len();
    for r in records {
        parse_record(table, r, &mut seen, &mut parsed)?;
    }
    Ok(n)
}

fn records_from_bytes(path: &Path, file: String, bytes: Vec<u8>, table: Table) -> Result<Vec<Record>, ImportError> {
    let text = decode_utf8(bytes).map_err(|e| ImportError {
        file: file.clone(),
        location: Location::Line(e.line),
        field: None,
        reason: e.reason,
    })?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let (required, optional) = table.columns();
    let known = |c: &str| required.contains(&c) || optional.contains(&c);
    match ext.as_str() {
        "csv" => {
            let rows = parse_csv(&text).map_err(|e| ImportError {
                file: file.clone(),
                location: Location::Line(e.line),
                field: None,
                reason: e.reason,
            })?;
            let Some((header, body)) = rows.split_first() else {
                return Err(file_err(&file, "empty file: a header row is required"));
            };
            let names: Vec<String> = header.fields.iter().map(|h| h.trim().to_owned()).collect();
            let mut seen = BTreeSet::new();
            for n in &names {
                if !known(n) {
                    return Err(ImportError {
                        file: file.clone(),
                        location: Location::Line(header.line),
                        field: Some(n.clone()),
                        reason: format!("unknown column; expected {}", [required, optional].concat().join(", ")),
                    });
                }
                if !seen.insert(n.as_str()) {
                    return Err(ImportError {
                        file: file.clone(),
                        location: Location::Line(header.line),
                        field: Some(n.clone()),
                        reason: "duplicate column".into(),
                    });
                }
            }
            if let Some(missing) = required.iter().find(|r| !seen.contains(*r)) {
                return Err(ImportError {
                    file: file.clone(),
                    location: Location::Line(header.line),
                    field: Some((*missing).to_owned()),
                    reason: "required column is missing".into(),
                });
            }
            body.iter()
                .map(|row| {
                    if row.fields.len() != names.len() {
                        return Err(ImportError {
                            file: file.clone(),
                            location: Location::Line(row.line),
                            field: None,
                            reason: format!("{} fields, but the header has {}", row.fields.len(), names.len()),
                        });
                    }
                    Ok(Record {
                        file: file.clone(),
                        location: Location::Line(row.line),
                        values: names
                            .iter()
                            .cloned()
                            .zip(row.fields.iter().map(|f| unneutralise(f).to_owned()))
                            .collect(),
                    })
                })
                .collect()
        }
        "geojson" | "json" if table != Table::Stock => read_geojson(&file, &text, &known),
        _ => Err(file_err(
            &file,
            "unsupported file type; use .csv (or .geojson except for stock)",
        )),
    }
}

fn read_geojson(file: &str, text: &str, known: &dyn Fn(&str) -> bool) -> Result<Vec<Record>, ImportError> {
    let root: serde_json::Value =
        serde_json::from_str(text).map_err(|e| file_err(file, format!("not valid JSON: {e}")))?;
    if root.get("type").and_then(|t| t.as_str()) != Some("FeatureCollection") {
        return Err(file_err(file, "not a GeoJSON FeatureCollection"));
    }
    let features = root
        .get("features")
        .and_then(|f| f.as_array())
        .ok_or_else(|| file_err(file, "missing features array"))?;
    let mut out = Vec::with_capacity(features.len());
    for (i, feat) in features.iter().enumerate() {
        let fe = |field: Option<&str>, reason: &str| ImportError {
            file: file.to_owned(),
            location: Location::Feature(i),
            field: field.map(str::to_owned),
            reason: reason.to_owned(),
        };
        let geom = feat
            .get("geometry")
            .ok_or_else(|| fe(Some("geometry"), "missing geometry"))?;
        if geom.get("type").and_then(|t| t.as_str()) != Some("Point") {
            return Err(fe(Some("geometry"), "geometry must be a Point"));
        }
        let coords = geom
            .get("coordinates")
            .and_then(|c| c.as_array())
            .filter(|c| c.len() >= 2)
            .ok_or_else(|| fe(Some("geometry"), "Point coordinates must be [lon, lat]"))?;
        let mut values = HashMap::new();
        for (name, v) in [("lon", &coords[0]), ("lat", &coords[1])] {
            let n = v.as_f64().ok_or_else(|| fe(Some(name), "coordinate is not a number"))?;
            values.insert(name.to_owned(), n.to_string());
        }
        let props = feat
            .get("properties")
            .and_then(|p| p.as_object())
            .ok_or_else(|| fe(None, "missing properties"))?;
        for (k, v) in props {
            if k == "lon" || k == "lat" {
                continue;
            }
            if !known(k) {
                return Err(fe(Some(k), "unknown property"));
            }
            let s = match v {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Number(n) => n.to_string(),
                _ => return Err(fe(Some(k), "property must be a string, number, boolean or null")),
            };
            values.insert(k.clone(), s);
        }
        out.push(Record {
            file: file.to_owned(),
            location: Location::Feature(i),
            values,
        });
    }
    Ok(out)
}

/// Parsed, typed master data (before matching against the store).
#[derive(Default)]
struct Parsed {
    stations: Vec<(Record, StationSpec)>,
    warehouses: Vec<(Record, WarehouseSpec)>,
    stock: Vec<(Record, StockRow)>,
    shelters: Vec<(Record, ShelterSpec, u32)>,
    units: Vec<(Record, UnitRow)>,
}

struct StockRow {
    warehouse_external_id: String,
    item_code: String,
    name_zh: String,
    name_en: String,
    unit: String,
    quantity: u64,
    demo: bool,
}

struct UnitRow {
    spec_without_station: UnitSpec,
    station_external_id: String,
    lonlat: LonLat,
    status: UnitStatus,
}

fn codes<T: Copy>(all: &[T], code: impl Fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|t| code(*t)).collect()
}

fn parse_station(r: &Record) -> Result<StationSpec, ImportError> {
    Ok(StationSpec {
        external_id: numbered_ident(r, "external_id", Numbered::Station)?,
        name_zh: r.required("name_zh")?,
        name_en: r.text("name_en").to_owned(),
        kind: r.code(
            "kind",
            StationKind::from_code,
            &codes(StationKind::ALL, StationKind::code),
        )?,
        lonlat: r.lonlat()?,
        county: r.text("county").to_owned(),
        planned: r.boolean("planned", false)?,
        demo: r.boolean("demo", false)?,
        position_note: r.text("position_note").to_owned(),
    })
}

fn parse_warehouse(r: &Record) -> Result<WarehouseSpec, ImportError> {
    Ok(WarehouseSpec {
        external_id: reservable(r, "external_id", numbered_ident(r, "external_id", Numbered::Warehouse)?)?,
        name_zh: r.required("name_zh")?,
        name_en: r.text("name_en").to_owned(),
        kind: r.code(
            "kind",
            WarehouseKind::from_code,
            &codes(WarehouseKind::ALL, WarehouseKind::code),
        )?,
        lonlat: r.lonlat()?,
        county: r.text("county").to_owned(),
        demo: r.boolean("demo", false)?,
        position_note: r.text("position_note").to_owned(),
    })
}

fn parse_stock(r: &Record) -> Result<StockRow, ImportError> {
    Ok(StockRow {
        warehouse_external_id: r.ident("warehouse_external_id")?,
        item_code: reservable(r, "item_code", r.ident("item_code")?)?,
        name_zh: r.required("name_zh")?,
        name_en: r.text("name_en").to_owned(),
        unit: r.required("unit")?,
        quantity: r.uint("quantity", None)?,
        demo: r.boolean("demo", false)?,
    })
}

fn parse_shelter(r: &Record) -> Result<(ShelterSpec, u32), ImportError> {
    let spec = ShelterSpec {
        external_id: numbered_ident(r, "external_id", Numbered::Shelter)?,
        name_zh: r.required("name_zh")?,
        name_en: r.text("name_en").to_owned(),
        lonlat: r.lonlat()?,
        county: r.text("county").to_owned(),
        capacity: r.uint("capacity", None)?,
        open: r.boolean("open", true)?,
        demo: r.boolean("demo", false)?,
        position_note: r.text("position_note").to_owned(),
    };
    let occupancy: u32 = r.uint("occupancy", Some(0))?;
    if occupancy > spec.capacity {
        return Err(r.err(
            Some("occupancy"),
            format!("{occupancy} exceeds capacity {}", spec.capacity),
        ));
    }
    Ok((spec, occupancy))
}

fn parse_unit(r: &Record) -> Result<UnitRow, ImportError> {
    let mut extra = BTreeSet::new();
    for c in r
        .text("extra_capabilities")
        .split(';')
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        let cap = Capability::from_code(c).ok_or_else(|| {
            r.err(
                Some("extra_capabilities"),
                format!(
                    "unknown capability {c:?}; expected ;-separated codes from {}",
                    codes(Capability::ALL, Capability::code).join(", ")
                ),
            )
        })?;
        extra.insert(cap);
    }
    let status = match r.text("status") {
        "" => UnitStatus::Available,
        s => match UnitStatus::from_code(s) {
            Some(st @ (UnitStatus::Available | UnitStatus::OutOfService)) => st,
            _ => {
                return Err(r.err(
                    Some("status"),
                    format!("{s:?}: initial status must be available or out_of_service"),
                ));
            }
        },
    };
    Ok(UnitRow {
        spec_without_station: UnitSpec {
            external_id: unit_ident(r, "external_id")?,
            callsign: unit_ident(r, "callsign")?,
            name_zh: r.required("name_zh")?,
            name_en: r.text("name_en").to_owned(),
            unit_type: r.code("type", UnitType::from_code, &codes(UnitType::ALL, UnitType::code))?,
            extra_capabilities: extra,
            crew: r.uint("crew", None)?,
            home_station: None,
            demo: r.boolean("demo", false)?,
            position_note: r.text("position_note").to_owned(),
        },
        station_external_id: r.ident_ref("station_external_id")?,
        lonlat: r.lonlat()?,
        status,
    })
}

/// A unit's external id or callsign: printable, and not a bare number (the CLI and the console
/// take a number as the unit number, so "3" would name two units).
fn unit_ident(r: &Record, field: &str) -> Result<String, ImportError> {
    numbered_ident(r, field, Numbered::Unit)
}

/// A kind of record the CLI also names by its number.
#[derive(Clone, Copy)]
enum Numbered {
    Unit,
    Station,
    Warehouse,
    Shelter,
}

impl Numbered {
    /// Chinese and English name, and the prefix suggested for a bare number.
    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Numbered::Unit => ("单位", "unit", "U"),
            Numbered::Station => ("站点", "station", "ST"),
            Numbered::Warehouse => ("仓库", "warehouse", "WH"),
            Numbered::Shelter => ("避难所", "shelter", "SH"),
        }
    }
}

/// An identity of a record the CLI also names by number: printable and not a bare number.
fn numbered_ident(r: &Record, field: &str, kind: Numbered) -> Result<String, ImportError> {
    let v = r.ident(field)?;
    if v.parse::<u64>().is_ok() {
        let (zh, en, prefix) = kind.names();
        return Err(r.err(
            Some(field),
            format!(
                "纯数字标识 {v:?} 与{zh}编号混淆 / {v:?} is a bare number and would be taken for {en} number {v}; add a prefix (e.g. \"{prefix}{v}\")"
            ),
        ));
    }
    Ok(v)
}

/// A warehouse external id or item code: also free of `:` and `,`, the separators of
/// `onemap dispatch --reserve WAREHOUSE:ITEM:QUANTITY,…`, which could not name it otherwise.
fn reservable(r: &Record, field: &str, v: String) -> Result<String, ImportError> {
    match v.chars().find(|c| matches!(c, ':' | ',' | '：' | '，')) {
        None => Ok(v),
        Some(c) => Err(r.err(
            Some(field),
            format!(
                "标识 {v:?} 不能含 {c:?}（--reserve 的分隔符）/ {v:?} must not hold {c:?}, a separator of --reserve WAREHOUSE:ITEM:QUANTITY"
            ),
        )),
    }
}

/// Who holds a unit identity (external id or callsign): the unit's external id, the field and
/// where it comes from.
struct Holder {
    unit: String,
    field: &'static str,
    origin: String,
}

/// Every external id and callsign names at most one unit, across the store and this import
/// (an imported row replaces the stored unit with the same external id). O(n) with a hash map.
fn check_unit_identities(sit: &Situation, units: &[(Record, UnitRow)]) -> Result<(), ImportError> {
    let imported: HashMap<&str, &Record> = units
        .iter()
        .map(|(r, u)| (u.spec_without_station.external_id.as_str(), r))
        .collect();
    let mut holders: HashMap<&str, Holder> = HashMap::new();
    let stored = sit
        .units
        .values()
        .filter(|u| !imported.contains_key(u.spec.external_id.as_str()))
        .map(|u| (&u.spec, None::<&Record>, format!("unit number {} in the store", u.id.0)));
    let new = units
        .iter()
        .map(|(r, u)| (&u.spec_without_station, Some(r), format!("{}{}", r.file, r.location)));
    for (spec, record, origin) in stored.chain(new) {
        for (field, key) in [("external_id", &spec.external_id), ("callsign", &spec.callsign)] {
            let here = Holder {
                unit: spec.external_id.clone(),
                field,
                origin: origin.clone(),
            };
            match holders.get(key.as_str()) {
                Some(h) if h.unit != spec.external_id => {
                    let msg = format!(
                        "{field} {key:?} 与另一单位的 {} 冲突（{}）/ {field} {key:?} is already the {} of unit {:?} ({})",
                        h.field, h.origin, h.field, h.unit, h.origin
                    );
                    return Err(match record {
                        Some(r) => r.err(Some(field), msg),
                        None => file_err("import", msg),
                    });
                }
                Some(_) => {}
                None => {
                    holders.insert(key.as_str(), here);
                }
            }
        }
    }
    Ok(())
}

/// Refuse a second record with the same key in one import.
fn unique(seen: &mut BTreeMap<String, String>, key: &str, r: &Record, field: &str) -> Result<(), ImportError> {
    let here = format!("{}{}", r.file, r.location);
    if let Some(first) = seen.insert(key.to_owned(), here) {
        return Err(r.err(Some(field), format!("duplicate {key:?} (first at {first})")));
    }
    Ok(())
}

fn parse_all(paths: &[PathBuf]) -> Result<(Parsed, Vec<String>, usize), ImportError> {
    let mut by_table: BTreeMap<Table, Vec<&PathBuf>> = BTreeMap::new();
    for p in paths {
        let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let table = Table::from_stem(stem).ok_or_else(|| {
            file_err(
                &file_label(p),
                "unknown file name; expected stations, units, warehouses, stock or shelters",
            )
        })?;
        by_table.entry(table).or_default().push(p);
    }
    let mut parsed = Parsed::default();
    let mut files = Vec::new();
    let mut records = 0;
    let mut keys: BTreeMap<Table, BTreeMap<String, String>> = BTreeMap::new();
    for (table, ps) in by_table {
        for p in ps {
            files.push(file_label(p));
            let seen = keys.entry(table).or_default();
            for r in read_records(p, table)? {
                records += 1;
                parse_record(table, r, seen, &mut parsed)?;
            }
        }
    }
    Ok((parsed, files, records))
}

/// Parse one record of `table` into `parsed`, refusing a key already in `seen`.
fn parse_record(
    table: Table,
    r: Record,
    seen: &mut BTreeMap<String, String>,
    parsed: &mut Parsed,
) -> Result<(), ImportError> {
    match table {
        Table::Stations => {
            let s = parse_station(&r)?;
            unique(seen, &s.external_id, &r, "external_id")?;
            parsed.stations.push((r, s));
        }
        Table::Warehouses => {
            let s = parse_warehouse(&r)?;
            unique(seen, &s.external_id, &r, "external_id")?;
            parsed.warehouses.push((r, s));
        }
        Table::Stock => {
            let s = parse_stock(&r)?;
            unique(
                seen,
                &format!("{}/{}", s.warehouse_external_id, s.item_code),
                &r,
                "item_code",
            )?;
            parsed.stock.push((r, s));
        }
        Table::Shelters => {
            let (s, occ) = parse_shelter(&r)?;
            unique(seen, &s.external_id, &r, "external_id")?;
            parsed.shelters.push((r, s, occ));
        }
        Table::Units => {
            let u = parse_unit(&r)?;
            unique(seen, &u.spec_without_station.external_id, &r, "external_id")?;
            parsed.units.push((r, u));
        }
    }
    Ok(())
}

/// Counts of one plan.
#[derive(Default, Clone, Copy)]
struct PlanCounts {
    created: usize,
    updated: usize,
    unchanged: usize,
}

/// Match parsed records against the situation and produce the events (with the origin of each).
fn plan(sit: &Situation, p: &Parsed) -> Result<(Vec<EventKind>, Vec<ImportError>, PlanCounts), ImportError> {
    let mut events = Vec::new();
    let mut origins: Vec<ImportError> = Vec::new();
    let mut n = PlanCounts::default();
    let mut push = |events: &mut Vec<EventKind>, r: &Record, k: EventKind| {
        events.push(k);
        origins.push(r.err(None, ""));
    };

    check_unit_identities(sit, &p.units)?;
    let stations_by_ext: HashMap<&str, &crate::model::Station> = sit
        .stations
        .values()
        .map(|s| (s.spec.external_id.as_str(), s))
        .collect();
    let warehouses_by_ext: HashMap<&str, &crate::model::Warehouse> = sit
        .warehouses
        .values()
        .map(|w| (w.spec.external_id.as_str(), w))
        .collect();
    let shelters_by_ext: HashMap<&str, &crate::model::Shelter> = sit
        .shelters
        .values()
        .map(|s| (s.spec.external_id.as_str(), s))
        .collect();
    let units_by_ext: HashMap<&str, &crate::model::Unit> =
        sit.units.values().map(|u| (u.spec.external_id.as_str(), u)).collect();
    let mut station_ids: HashMap<String, StationId> = sit
        .stations
        .values()
        .map(|s| (s.spec.external_id.clone(), s.id))
        .collect();
    let mut next_station = sit.next_station_id();
    for (r, spec) in &p.stations {
        match stations_by_ext.get(spec.external_id.as_str()).copied() {
            Some(s) if s.spec == *spec => n.unchanged += 1,
            Some(s) => {
                n.updated += 1;
                push(
                    &mut events,
                    r,
                    EventKind::StationUpserted {
                        station: s.id,
                        spec: spec.clone(),
                    },
                );
            }
            None => {
                n.created += 1;
                station_ids.insert(spec.external_id.clone(), next_station);
                push(
                    &mut events,
                    r,
                    EventKind::StationUpserted {
                        station: next_station,
                        spec: spec.clone(),
                    },
                );
                next_station = next_station.next();
            }
        }
    }

    let mut warehouse_ids: HashMap<String, WarehouseId> = sit
        .warehouses
        .values()
        .map(|w| (w.spec.external_id.clone(), w.id))
        .collect();
    let mut next_wh = sit.next_warehouse_id();
    for (r, spec) in &p.warehouses {
        match warehouses_by_ext.get(spec.external_id.as_str()).copied() {
            Some(w) if w.spec == *spec => n.unchanged += 1,
            Some(w) => {
                n.updated += 1;
                push(
                    &mut events,
                    r,
                    EventKind::WarehouseUpserted {
                        warehouse: w.id,
                        spec: spec.clone(),
                    },
                );
            }
            None => {
                n.created += 1;
                warehouse_ids.insert(spec.external_id.clone(), next_wh);
                push(
                    &mut events,
                    r,
                    EventKind::WarehouseUpserted {
                        warehouse: next_wh,
                        spec: spec.clone(),
                    },
                );
                next_wh = next_wh.next();
            }
        }
    }

    for (r, s) in &p.stock {
        let wid = *warehouse_ids.get(&s.warehouse_external_id).ok_or_else(|| {
            r.err(
                Some("warehouse_external_id"),
                format!("no warehouse {:?} in this import or the store", s.warehouse_external_id),
            )
        })?;
        let existing = sit.warehouses.get(&wid).and_then(|w| w.stock.get(&s.item_code));
        let same = existing.is_some_and(|l| {
            l.name_zh == s.name_zh
                && l.name_en == s.name_en
                && l.unit == s.unit
                && l.quantity == s.quantity
                && l.demo == s.demo
        });
        if same {
            n.unchanged += 1;
            continue;
        }
        if existing.is_some() {
            n.updated += 1;
        } else {
            n.created += 1;
        }
        push(
            &mut events,
            r,
            EventKind::StockLineSet {
                warehouse: wid,
                item_code: s.item_code.clone(),
                name_zh: s.name_zh.clone(),
                name_en: s.name_en.clone(),
                unit: s.unit.clone(),
                quantity: s.quantity,
                demo: s.demo,
            },
        );
    }

    let mut next_shelter = sit.next_shelter_id();
    for (r, spec, occupancy) in &p.shelters {
        match shelters_by_ext.get(spec.external_id.as_str()).copied() {
            Some(s) if s.spec == *spec => n.unchanged += 1,
            Some(s) => {
                n.updated += 1;
                push(
                    &mut events,
                    r,
                    EventKind::ShelterUpserted {
                        shelter: s.id,
                        spec: spec.clone(),
                    },
                );
            }
            None => {
                n.created += 1;
                let id: ShelterId = next_shelter;
                next_shelter = next_shelter.next();
                push(
                    &mut events,
                    r,
                    EventKind::ShelterUpserted {
                        shelter: id,
                        spec: spec.clone(),
                    },
                );
                if *occupancy > 0 {
                    push(
                        &mut events,
                        r,
                        EventKind::ShelterOccupancyChanged {
                            shelter: id,
                            occupancy: *occupancy,
                        },
                    );
                }
            }
        }
    }

    let mut next_unit: UnitId = sit.next_unit_id();
    for (r, u) in &p.units {
        let mut spec = u.spec_without_station.clone();
        if !u.station_external_id.is_empty() {
            let sid = station_ids.get(&u.station_external_id).ok_or_else(|| {
                r.err(
                    Some("station_external_id"),
                    format!("no station {:?} in this import or the store", u.station_external_id),
                )
            })?;
            spec.home_station = Some(*sid);
        }
        match units_by_ext.get(spec.external_id.as_str()).copied() {
            Some(x) if x.spec == spec => n.unchanged += 1,
            Some(x) => {
                n.updated += 1;
                push(&mut events, r, EventKind::UnitUpdated { unit: x.id, spec });
            }
            None => {
                n.created += 1;
                push(
                    &mut events,
                    r,
                    EventKind::UnitAdded {
                        unit: next_unit,
                        spec,
                        lonlat: u.lonlat,
                        status: u.status,
                    },
                );
                next_unit = next_unit.next();
            }
        }
    }
    Ok((events, origins, n))
}

/// Import files atomically (see the module docs).
pub fn import_files(store: &mut Store, paths: &[PathBuf], operator: &str) -> Result<ImportReport, StoreError> {
    let (parsed, files, records) = parse_all(paths)?;
    let mut origins = Vec::new();
    let mut counts = PlanCounts::default();
    let result = store.append_with(operator, "import", None, |sit| {
        let (events, o, n) = plan(sit, &parsed)?;
        origins = o;
        counts = n;
        Ok(events)
    });
    let seqs = match result {
        Ok(s) => s,
        Err(StoreError::Refused { index, source, .. }) => {
            let mut e = origins.get(index).cloned().unwrap_or_else(|| file_err("import", ""));
            e.reason = format!("refused by the situation rules: {source}");
            return Err(e.into());
        }
        Err(e) => return Err(e),
    };
    Ok(ImportReport {
        files,
        records,
        created: counts.created,
        updated: counts.updated,
        unchanged: counts.unchanged,
        events_appended: seqs.len(),
        last_seq: seqs.last().copied(),
    })
}

/// Figures of `onemap bench import`.
#[derive(Debug, Clone, Serialize)]
pub struct ImportBench {
    /// Unit records (plus one station per 10 units).
    pub units: usize,
    /// Station records.
    pub stations: usize,
    /// Parse, identity checks, plan and the one write transaction (fold included), ms.
    pub import_ms: f64,
    /// Records per second.
    pub records_per_s: f64,
}

/// Imports `units` generated unit records (and one station per 10) into a new store in `dir`
/// (created files are removed afterwards) and times it.
pub fn bench_import(units: usize, dir: &Path) -> Result<ImportBench, StoreError> {
    let io = |p: &Path| {
        let path = p.display().to_string();
        move |source| StoreError::Io { path, source }
    };
    let stations = units.div_ceil(10);
    let mut st = String::from("external_id,name_zh,kind,lon,lat\n");
    for i in 0..stations {
        let (lon, lat) = (100.0 + (i % 100) as f64 * 0.01, 21.5 + (i / 100 % 100) as f64 * 0.01);
        st.push_str(&format!("st-{i},站{i},fire_station,{lon:.5},{lat:.5}\n"));
    }
    let mut un = String::from("external_id,callsign,name_zh,type,crew,station_external_id,lon,lat\n");
    for i in 0..units {
        let (lon, lat) = (100.0 + (i % 100) as f64 * 0.01, 21.5 + (i / 100 % 100) as f64 * 0.01);
        un.push_str(&format!(
            "u-{i},CS-{i},车{i},ambulance,3,st-{},{lon:.5},{lat:.5}\n",
            i / 10
        ));
    }
    let (sp, up, db) = (
        dir.join("stations.csv"),
        dir.join("units.csv"),
        dir.join("import-bench.db"),
    );
    std::fs::write(&sp, st).map_err(io(&sp))?;
    std::fs::write(&up, un).map_err(io(&up))?;
    let result = (|| {
        let mut store = Store::init(&db)?;
        let t = std::time::Instant::now();
        let r = store.import(&[sp.clone(), up.clone()], "bench")?;
        let s = t.elapsed().as_secs_f64();
        Ok(ImportBench {
            units,
            stations,
            import_ms: s * 1000.0,
            records_per_s: if s > 0.0 { r.records as f64 / s } else { 0.0 },
        })
    })();
    for p in [&sp, &up, &db] {
        let _ = std::fs::remove_file(p);
    }
    for ext in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
    }
    result
}

/// Master-data files present in `dir` (CSV preferred over GeoJSON for the same table).
pub fn master_files_in(dir: &Path) -> Result<Vec<PathBuf>, StoreError> {
    if !dir.is_dir() {
        return Err(StoreError::Io {
            path: dir.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory"),
        });
    }
    let mut out = Vec::new();
    for t in Table::ALL {
        for ext in ["csv", "geojson"] {
            let p = dir.join(format!("{}.{ext}", t.stem()));
            if p.is_file() {
                out.push(p);
                break;
            }
        }
    }
    Ok(out)
}

fn fmt_bool(b: bool) -> String {
    b.to_string()
}

/// Write `stations.csv`, `units.csv`, `warehouses.csv`, `stock.csv`, `shelters.csv` into `dir`.
/// The export rows of one table: column → text, as in the CSV files.
fn rows_for(t: Table, sit: &Situation) -> Vec<HashMap<&'static str, String>> {
    let mut rows: Vec<HashMap<&'static str, String>> = Vec::new();
    match t {
        Table::Stations => {
            for s in sit.stations.values() {
                let p = &s.spec;
                rows.push(HashMap::from([
                    ("external_id", p.external_id.clone()),
                    ("name_zh", p.name_zh.clone()),
                    ("name_en", p.name_en.clone()),
                    ("kind", p.kind.code().to_owned()),
                    ("lon", p.lonlat.lon_deg().to_string()),
                    ("lat", p.lonlat.lat_deg().to_string()),
                    ("county", p.county.clone()),
                    ("planned", fmt_bool(p.planned)),
                    ("demo", fmt_bool(p.demo)),
                    ("position_note", p.position_note.clone()),
                ]));
            }
        }
        Table::Warehouses => {
            for w in sit.warehouses.values() {
                let p = &w.spec;
                rows.push(HashMap::from([
                    ("external_id", p.external_id.clone()),
                    ("name_zh", p.name_zh.clone()),
                    ("name_en", p.name_en.clone()),
                    ("kind", p.kind.code().to_owned()),
                    ("lon", p.lonlat.lon_deg().to_string()),
                    ("lat", p.lonlat.lat_deg().to_string()),
                    ("county", p.county.clone()),
                    ("demo", fmt_bool(p.demo)),
                    ("position_note", p.position_note.clone()),
                ]));
            }
        }
        Table::Stock => {
            for w in sit.warehouses.values() {
                for l in w.stock.values() {
                    rows.push(HashMap::from([
                        ("warehouse_external_id", w.spec.external_id.clone()),
                        ("item_code", l.item_code.clone()),
                        ("name_zh", l.name_zh.clone()),
                        ("name_en", l.name_en.clone()),
                        ("unit", l.unit.clone()),
                        ("quantity", l.quantity.to_string()),
                        ("demo", fmt_bool(l.demo)),
                    ]));
                }
            }
        }
        Table::Shelters => {
            for s in sit.shelters.values() {
                let p = &s.spec;
                rows.push(HashMap::from([
                    ("external_id", p.external_id.clone()),
                    ("name_zh", p.name_zh.clone()),
                    ("name_en", p.name_en.clone()),
                    ("lon", p.lonlat.lon_deg().to_string()),
                    ("lat", p.lonlat.lat_deg().to_string()),
                    ("county", p.county.clone()),
                    ("capacity", p.capacity.to_string()),
                    ("open", fmt_bool(p.open)),
                    ("occupancy", s.occupancy.to_string()),
                    ("demo", fmt_bool(p.demo)),
                    ("position_note", p.position_note.clone()),
                ]));
            }
        }
        Table::Units => {
            for u in sit.units.values() {
                let p = &u.spec;
                let station = p
                    .home_station
                    .and_then(|id| sit.stations.get(&id))
                    .map_or(String::new(), |s| s.spec.external_id.clone());
                let status = if u.status == UnitStatus::OutOfService {
                    "out_of_service"
                } else {
                    "available"
                };
                let extras: Vec<&str> = p.extra_capabilities.iter().map(|c| c.code()).collect();
                rows.push(HashMap::from([
                    ("external_id", p.external_id.clone()),
                    ("callsign", p.callsign.clone()),
                    ("name_zh", p.name_zh.clone()),
                    ("name_en", p.name_en.clone()),
                    ("type", p.unit_type.code().to_owned()),
                    ("crew", p.crew.to_string()),
                    ("station_external_id", station),
                    ("lon", u.lonlat.lon_deg().to_string()),
                    ("lat", u.lonlat.lat_deg().to_string()),
                    ("status", status.to_owned()),
                    ("extra_capabilities", extras.join(";")),
                    ("demo", fmt_bool(p.demo)),
                    ("position_note", p.position_note.clone()),
                ]));
            }
        }
    }
    rows
}

pub fn export_csv(sit: &Situation, dir: &Path) -> Result<ExportReport, StoreError> {
    export_tables_csv(sit, dir, &Table::ALL)
}

fn export_tables_csv(sit: &Situation, dir: &Path, tables: &[Table]) -> Result<ExportReport, StoreError> {
    let io = |p: &Path, e: std::io::Error| StoreError::Io {
        path: p.display().to_string(),
        source: e,
    };
    crate::private_fs::create_private_dir_all(dir).map_err(|e| io(dir, e))?;
    let mut report = ExportReport { files: Vec::new() };
    for &t in tables {
        let cols = t.export_order();
        let path = dir.join(format!("{}.csv", t.stem()));
        let csv_err = |e: crate::csv_io::CsvError| StoreError::Io {
            path: path.display().to_string(),
            source: std::io::Error::other(e),
        };
        let mut w = CsvWriter::new();
        w.row(cols).map_err(csv_err)?;
        let rows = rows_for(t, sit);
        for row in &rows {
            let vals: Vec<&str> = cols.iter().map(|c| row.get(c).map_or("", String::as_str)).collect();
            w.row(&vals).map_err(csv_err)?;
        }
        let out = w.finish().map_err(csv_err)?;
        crate::private_fs::write_private(&path, out.as_bytes()).map_err(|e| io(&path, e))?;
        report.files.push((path, rows.len()));
    }
    Ok(report)
}

/// Write every table except stock (which has no position) as a GeoJSON FeatureCollection with
/// the CSV columns as properties and a Point geometry, plus `stock.csv`; `import` reads the
/// folder back.
pub fn export_geojson(sit: &Situation, dir: &Path) -> Result<ExportReport, StoreError> {
    let io = |p: &Path, e: std::io::Error| StoreError::Io {
        path: p.display().to_string(),
        source: e,
    };
    crate::private_fs::create_private_dir_all(dir).map_err(|e| io(dir, e))?;
    let mut report = ExportReport { files: Vec::new() };
    for t in Table::ALL.into_iter().filter(|t| *t != Table::Stock) {
        let rows = rows_for(t, sit);
        let features: Vec<serde_json::Value> = rows
            .iter()
            .map(|row| {
                let num = |k: &str| row.get(k).and_then(|v| v.parse::<f64>().ok()).unwrap_or(f64::NAN);
                let props: serde_json::Map<String, serde_json::Value> = t
                    .export_order()
                    .iter()
                    .filter(|c| **c != "lon" && **c != "lat")
                    .map(|c| {
                        (
                            (*c).to_owned(),
                            serde_json::Value::String(row.get(c).cloned().unwrap_or_default()),
                        )
                    })
                    .collect();
                serde_json::json!({
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [num("lon"), num("lat")]},
                    "properties": props,
                })
            })
            .collect();
        let doc = serde_json::json!({"type": "FeatureCollection", "features": features});
        let text = serde_json::to_string_pretty(&doc).map_err(|e| StoreError::Encode(e.to_string()))?;
        let path = dir.join(format!("{}.geojson", t.stem()));
        crate::private_fs::write_private(&path, text.as_bytes()).map_err(|e| io(&path, e))?;
        report.files.push((path, rows.len()));
    }
    report.files.extend(export_tables_csv(sit, dir, &[Table::Stock])?.files);
    Ok(report)
}

#[cfg(test)]
pub(crate) mod tests_support {
    //! Access to the private table definitions for tests.
    use super::Table;

    pub(crate) fn tables() -> [Table; 5] {
        Table::ALL
    }

    pub(crate) fn columns(t: Table) -> (&'static [&'static str], &'static [&'static str]) {
        t.columns()
    }

    pub(crate) fn order(t: Table) -> &'static [&'static str] {
        t.export_order()
    }
}
