//! Arrivals → events: read a document (file, drop folder or feed body), decide against the
//! authoritative log inside the store's append (so two writers cannot both call it "new"), and
//! append one `AlertReceived` (raw text, SHA-256, decision) plus any `AlertRuleFired`. Returns
//! the per-message summary of the CLI's JSON contract. [`AlertContext`] is what an importer needs
//! from a pack (alerts.toml and areas) and where the console's drop folder is. Uses
//! `crate::store`; no egui or tokio.

use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::areas::AreaIndex;
use super::config::{AlertsConfig, ConfigError};
use super::detect::{self, Document};
use super::rules;
use super::semantics;
use crate::mappack::MapPack;
use crate::model::EventKind;
use crate::model::alert::{AlertDecision, AlertFormat, AlertRecord, QuakeArrival};
use crate::store::{Store, StoreError};

/// Default drop folder name, next to the database.
pub const DEFAULT_DROP_FOLDER: &str = "alerts-inbox";

/// What the importer needs from the pack: its `alerts.toml` and its areas.
#[derive(Debug)]
pub struct AlertContext {
    /// The pack's alerts.toml (or the built-in default).
    pub config: AlertsConfig,
    /// The pack's administrative areas for geocodes.
    pub areas: AreaIndex,
}

impl AlertContext {
    /// Load the pack's alerts.toml and build its area index.
    pub fn for_pack(pack: &MapPack) -> Result<AlertContext, ConfigError> {
        Ok(AlertContext {
            config: AlertsConfig::load_for_pack(&pack.dir)?,
            areas: AreaIndex::from_pack(pack),
        })
    }

    /// The drop folder for a database at `db`: `drop_folder` of alerts.toml (relative to the
    /// database's folder) or [`DEFAULT_DROP_FOLDER`] next to it.
    pub fn drop_dir(&self, db: &Path) -> PathBuf {
        let base = db.parent().map(Path::to_path_buf).unwrap_or_default();
        match self
            .config
            .drop_folder
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            Some(d) => base.join(d),
            None => base.join(DEFAULT_DROP_FOLDER),
        }
    }

    /// The drop folder of a seat on a server database (which has no folder to sit next to):
    /// `drop_folder` of alerts.toml (absolute, or relative to `user_data`), else
    /// [`DEFAULT_DROP_FOLDER`] in `user_data` (the per-user data folder); `None` without either.
    pub fn server_drop_dir(&self, user_data: Option<&Path>) -> Option<PathBuf> {
        let given = self
            .config
            .drop_folder
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(PathBuf::from);
        match given {
            Some(d) if d.is_absolute() => Some(d),
            Some(d) => user_data.map(|u| u.join(d)),
            None => user_data.map(|u| u.join(DEFAULT_DROP_FOLDER)),
        }
    }
}

/// Raw text kept for a document that could not be read (the rest is cut; the hash is of all).
pub const REJECTED_RAW_LIMIT: usize = 256 * 1024;

/// Why an import could not run at all (a bad document is not an error: it is a rejected entry).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// A path could not be listed or read.
    #[error("{path}: {source}")]
    Io {
        /// Path.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One `info` in the JSON contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InfoOut {
    /// Language.
    pub language: String,
    /// Event.
    pub event: String,
    /// Severity.
    pub severity: String,
    /// Urgency.
    pub urgency: String,
    /// Certainty.
    pub certainty: String,
    /// Expiry, UTC ISO-8601.
    pub expires: Option<String>,
}

/// One `area` in the JSON contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaOut {
    /// areaDesc.
    pub desc: String,
    /// Number of polygons.
    pub polygons: usize,
    /// Number of circles.
    pub circles: usize,
    /// Geocode pairs.
    pub geocodes: Vec<(String, String)>,
    /// Pack area codes drawn for the administrative geocodes.
    pub resolved: Vec<String>,
    /// Fallback / failure notes for the geocodes.
    pub notes: Vec<String>,
}

/// One earthquake in the JSON contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuakeOut {
    /// Id.
    pub id: String,
    /// Magnitude.
    pub magnitude: f64,
    /// Origin time, ms since the epoch (UTC).
    pub time_ms: i64,
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
    /// Depth, km.
    pub depth_km: Option<f64>,
    /// Status as given.
    pub status: String,
    /// Automatic, not yet reviewed.
    pub provisional: bool,
    /// Decision for this earthquake.
    pub decision: AlertDecision,
}

/// One imported document in the JSON contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportedMessage {
    /// Path or URL.
    pub file: String,
    /// Kind (`null` when unreadable).
    pub kind: Option<AlertFormat>,
    /// CAP identifier.
    pub identifier: Option<String>,
    /// CAP sender.
    pub sender: Option<String>,
    /// CAP sent.
    pub sent: Option<String>,
    /// CAP msgType.
    pub msg_type: Option<String>,
    /// CAP status.
    pub status: Option<String>,
    /// Decision.
    pub decision: AlertDecision,
    /// Why (ignored, expired, rejected).
    pub reason: String,
    /// Referenced messages `[sender, identifier, sent]`.
    pub references: Vec<[String; 3]>,
    /// Infos.
    pub infos: Vec<InfoOut>,
    /// Areas.
    pub areas: Vec<AreaOut>,
    /// Warning type key from alerts.toml.
    pub warning_type: Option<String>,
    /// Colour level.
    pub level: Option<String>,
    /// Earthquakes.
    pub quakes: Vec<QuakeOut>,
    /// Entries of a feed index.
    pub entries: Option<usize>,
    /// Notices of rules that fired.
    pub notices: Vec<String>,
    /// SHA-256 of the raw bytes.
    pub sha256: String,
    /// Seq of the `AlertReceived` event (`null` when nothing was logged).
    pub seq: Option<u64>,
    /// Why the document could not be read.
    pub error: Option<String>,
}

impl ImportedMessage {
    /// True when the document was read (whatever the decision).
    pub fn was_read(&self) -> bool {
        self.error.is_none()
    }
}

/// SHA-256 as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Imports documents with one pack's areas and rules.
#[derive(Debug, Clone, Copy)]
pub struct Importer<'a> {
    /// alerts.toml.
    pub cfg: &'a AlertsConfig,
    /// Pack areas.
    pub areas: &'a AreaIndex,
    /// Operator recorded on the events.
    pub operator: &'a str,
    /// Seat recorded on the events.
    pub seat: &'a str,
    /// Drill the arrivals belong to (exercises count only there).
    pub drill: Option<&'a str>,
}

fn blank(file: &str, sha256: String) -> ImportedMessage {
    ImportedMessage {
        file: file.to_owned(),
        kind: None,
        identifier: None,
        sender: None,
        sent: None,
        msg_type: None,
        status: None,
        decision: AlertDecision::Rejected,
        reason: String::new(),
        references: Vec::new(),
        infos: Vec::new(),
        areas: Vec::new(),
        warning_type: None,
        level: None,
        quakes: Vec::new(),
        entries: None,
        notices: Vec::new(),
        sha256,
        seq: None,
        error: None,
    }
}

fn describe_alert(m: &mut ImportedMessage, rec: &AlertRecord) {
    m.identifier = Some(rec.key.identifier.clone());
    m.sender = Some(rec.key.sender.clone());
    m.sent = Some(rec.key.sent.clone());
    m.msg_type = Some(rec.msg_type.clone());
    m.status = Some(rec.status.clone());
    m.references = rec
        .references
        .iter()
        .map(|r| [r.sender.clone(), r.identifier.clone(), r.sent.clone()])
        .collect();
    m.infos = rec
        .infos
        .iter()
        .map(|i| InfoOut {
            language: i.language.clone(),
            event: i.event.clone(),
            severity: i.severity.clone(),
            urgency: i.urgency.clone(),
            certainty: i.certainty.clone(),
            expires: i.expires_utc.clone(),
        })
        .collect();
    m.areas = rec
        .areas
        .iter()
        .map(|a| AreaOut {
            desc: a.desc.clone(),
            polygons: a.polygons.len(),
            circles: a.circles.len(),
            geocodes: a.geocodes.clone(),
            resolved: a.resolved.iter().filter_map(|r| r.used.clone()).collect(),
            notes: a
                .resolved
                .iter()
                .filter(|r| !r.note.is_empty())
                .map(|r| r.note.clone())
                .collect(),
        })
        .collect();
    m.warning_type = rec.warning_type.clone();
    m.level = rec.level.map(|l| l.code().to_owned());
}

fn quake_out(q: &QuakeArrival) -> QuakeOut {
    QuakeOut {
        id: q.quake.id.clone(),
        magnitude: q.quake.magnitude,
        time_ms: q.quake.time_ms,
        lon: q.quake.lonlat.lon_deg(),
        lat: q.quake.lonlat.lat_deg(),
        depth_km: q.quake.depth_km,
        status: q.quake.status.clone(),
        provisional: q.quake.provisional,
        decision: q.decision,
    }
}

fn notices_of(events: &[EventKind]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            EventKind::AlertRuleFired { notice_zh, .. } => Some(notice_zh.clone()),
            _ => None,
        })
        .collect()
}

impl Importer<'_> {
    /// Import one document's bytes from `source` (path or URL) at `now_ms`, logged at the wall
    /// clock.
    pub fn import_bytes(
        &self,
        store: &mut Store,
        source: &str,
        bytes: &[u8],
        now_ms: i64,
    ) -> Result<ImportedMessage, StoreError> {
        self.import_bytes_at(store, source, bytes, now_ms, false)
    }

    /// [`Importer::import_bytes`]; with `stamp_now` the events carry `now_ms` as their log time
    /// instead of the wall clock (a drill: arrivals are stamped, and their expiry judged, by the
    /// drill's simulated clock).
    pub fn import_bytes_at(
        &self,
        store: &mut Store,
        source: &str,
        bytes: &[u8],
        now_ms: i64,
        stamp_now: bool,
    ) -> Result<ImportedMessage, StoreError> {
        let ts = stamp_now.then(|| crate::time::format_utc_ms(now_ms));
        let ts = ts.as_deref();
        let sha256 = sha256_hex(bytes);
        let mut m = blank(source, sha256.clone());
        let (doc, raw) = match detect::read_document(bytes, source) {
            Ok(x) => x,
            Err(e) => {
                let lossy = String::from_utf8_lossy(bytes);
                let raw: String = lossy.chars().take(REJECTED_RAW_LIMIT).collect();
                m.error = Some(e.to_string());
                m.reason = e.to_string();
                let rejected = EventKind::AlertReceived {
                    source: source.to_owned(),
                    format: AlertFormat::Cap,
                    sha256,
                    raw,
                    decision: AlertDecision::Rejected,
                    reason: e.to_string(),
                    alert: None,
                    quakes: Vec::new(),
                };
                let seqs =
                    store.append_with_at(ts, self.operator, self.seat, self.drill, |_| Ok(vec![rejected.clone()]))?;
                m.seq = seqs.last().copied();
                return Ok(m);
            }
        };
        m.kind = Some(doc.format());
        match doc {
            Document::Feed(entries) => {
                // An index is not an alert: its linked CAP messages are (fetched by the poller).
                m.entries = Some(entries.len());
                m.decision = AlertDecision::Ignored;
                m.reason = "feed index: its linked CAP messages are imported, not the index".into();
            }
            Document::Cap(cap) => {
                let rec = semantics::enrich(&cap, self.cfg, self.areas);
                let in_drill = self.drill.is_some();
                let mut decided = (AlertDecision::Ignored, String::new(), Vec::new());
                let seqs = store.append_with_at(ts, self.operator, self.seat, self.drill, |sit| {
                    let (decision, reason) = semantics::decide_cap(&sit.alerts, &rec, now_ms, in_drill);
                    let firings = rules::alert_firings(self.cfg, self.areas, &rec, decision);
                    decided = (decision, reason.clone(), firings.clone());
                    let mut events = vec![EventKind::AlertReceived {
                        source: source.to_owned(),
                        format: AlertFormat::Cap,
                        sha256: sha256.clone(),
                        raw: raw.clone(),
                        decision,
                        reason,
                        alert: Some(Box::new(rec.clone())),
                        quakes: Vec::new(),
                    }];
                    events.extend(firings);
                    Ok(events)
                })?;
                describe_alert(&mut m, &rec);
                m.decision = decided.0;
                m.reason = decided.1;
                m.notices = notices_of(&decided.2);
                m.seq = seqs.first().copied();
            }
            Document::Quakes { format, quakes } => {
                let mut decided = (AlertDecision::Ignored, Vec::new(), Vec::new());
                let seqs = store.append_with_at(ts, self.operator, self.seat, self.drill, |sit| {
                    let arrivals = semantics::decide_quakes(&sit.alerts, &quakes);
                    let decision = semantics::summary_decision(&arrivals);
                    let firings = rules::quake_firings(self.cfg, self.areas, &sit.alerts, &arrivals);
                    decided = (decision, arrivals.clone(), firings.clone());
                    let mut events = vec![EventKind::AlertReceived {
                        source: source.to_owned(),
                        format,
                        sha256: sha256.clone(),
                        raw: raw.clone(),
                        decision,
                        reason: if arrivals.is_empty() {
                            "no earthquakes in the catalogue".into()
                        } else {
                            String::new()
                        },
                        alert: None,
                        quakes: arrivals,
                    }];
                    events.extend(firings);
                    Ok(events)
                })?;
                m.decision = decided.0;
                m.quakes = decided.1.iter().map(quake_out).collect();
                m.notices = notices_of(&decided.2);
                m.seq = seqs.first().copied();
            }
        }
        Ok(m)
    }

    /// Import files and folders (a folder's files in name order; hidden files and `.md` skipped).
    pub fn import_paths(
        &self,
        store: &mut Store,
        paths: &[PathBuf],
        now_ms: i64,
    ) -> Result<Vec<ImportedMessage>, IngestError> {
        let mut out = Vec::new();
        for file in expand(paths)? {
            let name = file.display().to_string();
            let bytes = std::fs::read(&file).map_err(|e| IngestError::Io {
                path: name.clone(),
                source: e,
            })?;
            out.push(self.import_bytes(store, &name, &bytes, now_ms)?);
        }
        Ok(out)
    }
}

/// Files of the given paths: files as given, folders' documents in name order.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, IngestError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| IngestError::Io {
                    path: p.display().to_string(),
                    source: e,
                })?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|f| f.is_file() && is_document(f))
                .collect();
            files.sort();
            out.extend(files);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// Not hidden, not a README / Markdown / partial download.
pub fn is_document(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    !(name.starts_with('.') || name.ends_with(".md") || name.ends_with(".part") || name.ends_with(".tmp"))
}
