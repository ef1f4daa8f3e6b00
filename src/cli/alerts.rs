//! `onemap alerts import|list|drafts` and `onemap warning new|update|cancel`: CAP warnings and
//! earthquake catalogues in (events in the log, JSON per the issue's contract), active alerts out
//! as GeoJSON with their areas placed on the pack, and CAP 1.2 warnings issued by the centre.
//! Exit 0 when at least one document was read, 2 when none could be.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde_json::{Value, json};

use super::CliError;
use super::store::{open, operator, seat, store_err};
use crate::alerts::areas::AreaIndex;
use crate::alerts::cap;
use crate::alerts::config::AlertsConfig;
use crate::alerts::ingest::{Importer, sha256_hex};
use crate::alerts::issue::{self, Issued, WarningDraft};
use crate::alerts::time::{parse_cap_time, utc_iso};
use crate::alerts::writer::{MsgType, WarningTexts};
use crate::mappack::MapPack;
use crate::model::EventKind;
use crate::model::alert::{AlertEntry, WarningLevel};
use crate::time::now_utc_iso;

/// `onemap alerts …`.
#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// Import CAP messages, feed indexes, USGS GeoJSON and CENC catalogues (files or folders).
    Import {
        /// Database file.
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
        /// The arrivals belong to this drill (CAP `Exercise` messages count only in a drill).
        #[arg(long, value_name = "ID")]
        drill: Option<String>,
        /// Decide expiry as of this time (UTC ISO-8601 or CAP dateTime; default: now).
        #[arg(long, value_name = "TIME")]
        now: Option<String>,
        /// Machine-readable JSON.
        #[arg(long)]
        json: bool,
        /// Files, or folders of files.
        paths: Vec<PathBuf>,
    },
    /// Active alerts (and earthquakes of the last 7 days) as a GeoJSON FeatureCollection.
    List {
        /// Database file.
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
        /// As of this time (UTC ISO-8601 or CAP dateTime; default: now).
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// GeoJSON on stdout (the only output format).
        #[arg(long)]
        json: bool,
    },
    /// Watch a drop folder and poll the feeds of alerts.toml; every document is imported.
    Watch {
        /// Database file.
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
        /// Drop folder (imported files move to imported/, unreadable ones to rejected/).
        #[arg(long, value_name = "DIR")]
        folder: Option<PathBuf>,
        /// Extra feed URLs (besides alerts.toml's), comma-separated.
        #[arg(long, value_name = "URL,…")]
        feed: Option<String>,
        /// Seconds between folder scans.
        #[arg(long, default_value_t = 2)]
        interval_s: u64,
        /// One scan and one poll of every feed, then print JSON (arrivals and feed status) and exit.
        #[arg(long)]
        once: bool,
        /// Errors as one JSON object (the `--once` answer is JSON either way).
        #[arg(long)]
        json: bool,
    },
    /// Rule firings: notices and draft incidents awaiting an officer's approval.
    Drafts {
        /// Database file.
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
        /// Machine-readable JSON.
        #[arg(long)]
        json: bool,
    },
}

/// What a warning says (shared by new and update).
#[derive(Debug, Clone, clap::Args)]
pub struct WarningArgs {
    /// Warning type key from the pack's alerts.toml (rainstorm, flood, geological …).
    #[arg(long = "type", value_name = "TYPE")]
    pub warning_type: Option<String>,
    /// red | orange | yellow | blue.
    #[arg(long)]
    pub level: Option<String>,
    /// Area codes (GB/T 2260 6-digit, township 9-digit or CPEAS 12-digit), comma-separated.
    #[arg(long, value_name = "CODE,…")]
    pub area: Option<String>,
    /// A polygon in CAP order: `lat,lon lat,lon …` (at least 3 points).
    #[arg(long, value_name = "LAT,LON …", allow_hyphen_values = true)]
    pub polygon: Option<String>,
    /// Headline, Chinese.
    #[arg(long)]
    pub headline: Option<String>,
    /// Headline, English (adds an en-US info).
    #[arg(long)]
    pub headline_en: Option<String>,
    /// Description, Chinese.
    #[arg(long, default_value = "")]
    pub description: String,
    /// Description, English.
    #[arg(long, default_value = "")]
    pub description_en: String,
    /// Instruction, Chinese.
    #[arg(long, default_value = "")]
    pub instruction: String,
    /// Instruction, English.
    #[arg(long, default_value = "")]
    pub instruction_en: String,
    /// Onset (UTC ISO-8601 or CAP dateTime).
    #[arg(long, value_name = "TIME")]
    pub onset: Option<String>,
    /// Expiry (UTC ISO-8601 or CAP dateTime).
    #[arg(long, value_name = "TIME")]
    pub expires: Option<String>,
}

/// Who issues (shared by new, update and cancel).
#[derive(Debug, Clone, clap::Args)]
pub struct IssuerArgs {
    /// Database file.
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// CAP sender (default: the pack's 12-digit prefecture code).
    #[arg(long)]
    pub sender: Option<String>,
    /// Sender name.
    #[arg(long, default_value = "西双版纳傣族自治州应急管理局")]
    pub sender_name: String,
    /// Agency code in the identifier (the code assigned by the release system; 000000 until then).
    #[arg(long, default_value = "000000")]
    pub agency: String,
    /// Issue as an exercise (`status` Exercise).
    #[arg(long)]
    pub exercise: bool,
    /// Sent time (default: now; UTC ISO-8601 or CAP dateTime).
    #[arg(long, value_name = "TIME")]
    pub sent: Option<String>,
    /// Output CAP XML file.
    #[arg(long, value_name = "FILE.xml")]
    pub out: PathBuf,
    /// Machine-readable JSON.
    #[arg(long)]
    pub json: bool,
}

/// `onemap warning …`.
#[derive(Debug, Subcommand)]
pub enum WarningCommand {
    /// Issue a new warning.
    New {
        /// Issuer.
        #[command(flatten)]
        issuer: IssuerArgs,
        /// Content.
        #[command(flatten)]
        content: WarningArgs,
    },
    /// Update an issued warning (unset fields are taken from it).
    Update {
        /// Identifier of the warning updated.
        #[arg(long = "ref", value_name = "IDENTIFIER")]
        reference: String,
        /// Issuer.
        #[command(flatten)]
        issuer: IssuerArgs,
        /// Content.
        #[command(flatten)]
        content: WarningArgs,
    },
    /// Cancel (lift) an issued warning.
    Cancel {
        /// Identifier of the warning cancelled.
        #[arg(long = "ref", value_name = "IDENTIFIER")]
        reference: String,
        /// Issuer.
        #[command(flatten)]
        issuer: IssuerArgs,
        /// Headline of the cancellation, Chinese (default: 解除 + the warning's event).
        #[arg(long)]
        headline: Option<String>,
    },
}

impl AlertsCommand {
    /// Whether `--json` was given.
    pub fn json(&self) -> bool {
        match self {
            AlertsCommand::Import { json, .. }
            | AlertsCommand::List { json, .. }
            | AlertsCommand::Watch { json, .. }
            | AlertsCommand::Drafts { json, .. } => *json,
        }
    }
}

impl WarningCommand {
    /// Whether `--json` was given.
    pub fn json(&self) -> bool {
        match self {
            WarningCommand::New { issuer, .. }
            | WarningCommand::Update { issuer, .. }
            | WarningCommand::Cancel { issuer, .. } => issuer.json,
        }
    }
}

fn err(e: impl std::fmt::Display) -> CliError {
    CliError::input(e.to_string())
}

fn parse_time(text: &str, what: &str) -> Result<i64, CliError> {
    parse_cap_time(text).ok_or_else(|| {
        CliError::input(format!(
            "{what} \"{text}\" is not a time: use UTC ISO-8601 (2026-07-15T06:00:00Z) or a CAP dateTime (2026-07-15T14:00:00+08:00)"
        ))
    })
}

fn now_ms() -> i64 {
    parse_cap_time(&now_utc_iso()).unwrap_or_default()
}

fn load_cfg(pack: &MapPack) -> Result<AlertsConfig, CliError> {
    AlertsConfig::load_for_pack(&pack.dir).map_err(err)
}

/// Run `onemap alerts …`: the text for stdout, and whether anything was read (import exits 1
/// after printing its JSON when no document could be read).
pub fn run_alerts(cmd: &AlertsCommand, pack: &MapPack) -> Result<(String, bool), CliError> {
    match cmd {
        AlertsCommand::Import {
            db,
            drill,
            now,
            json,
            paths,
        } => import(db.as_deref(), pack, drill.as_deref(), now.as_deref(), *json, paths),
        AlertsCommand::List { db, at, .. } => Ok((list(db.as_deref(), pack, at.as_deref())?, true)),
        AlertsCommand::Drafts { db, json } => Ok((drafts(db.as_deref(), *json)?, true)),
        AlertsCommand::Watch {
            db,
            folder,
            feed,
            interval_s,
            once,
            ..
        } => Ok((
            watch(
                db.as_deref(),
                pack,
                folder.as_deref(),
                feed.as_deref(),
                *interval_s,
                *once,
            )?,
            true,
        )),
    }
}

fn import(
    db: Option<&Path>,
    pack: &MapPack,
    drill: Option<&str>,
    now: Option<&str>,
    json_out: bool,
    paths: &[PathBuf],
) -> Result<(String, bool), CliError> {
    if paths.is_empty() {
        return Err(CliError::input("alerts import needs at least one file or folder"));
    }
    let now_ms = match now {
        Some(t) => parse_time(t, "--now")?,
        None => now_ms(),
    };
    let cfg = load_cfg(pack)?;
    let areas = AreaIndex::from_pack(pack);
    let mut store = open(db)?;
    let (op, st) = (operator(), seat());
    let importer = Importer {
        cfg: &cfg,
        areas: &areas,
        operator: &op,
        seat: &st,
        drill,
    };
    let messages = importer.import_paths(&mut store, paths, now_ms).map_err(err)?;
    let read = messages.iter().filter(|m| m.was_read()).count();
    let text = if json_out {
        serde_json::to_string_pretty(&json!({ "messages": messages })).map_err(err)?
    } else {
        let mut s = String::new();
        for m in &messages {
            let what = m
                .identifier
                .clone()
                .or_else(|| (!m.quakes.is_empty()).then(|| format!("{} earthquakes", m.quakes.len())))
                .unwrap_or_default();
            s.push_str(&format!("{}: {} {what}", m.file, m.decision.code()));
            if let Some(e) = &m.error {
                s.push_str(&format!(" — {e}"));
            }
            for n in &m.notices {
                s.push_str(&format!("\n  ! {n}"));
            }
            s.push('\n');
        }
        s.push_str(&format!("{read} of {} documents read", messages.len()));
        s
    };
    Ok((text, read > 0))
}

fn watch(
    db: Option<&Path>,
    pack: &MapPack,
    folder: Option<&Path>,
    extra_feeds: Option<&str>,
    interval_s: u64,
    once: bool,
) -> Result<String, CliError> {
    use crate::alerts::config::FeedSpec;
    use crate::feeds::{Arrival, DropFolder, Poller, SinkRefused};
    let cfg = load_cfg(pack)?;
    let areas = AreaIndex::from_pack(pack);
    let mut store = open(db)?;
    let (op, st) = (operator(), seat());
    let importer = Importer {
        cfg: &cfg,
        areas: &areas,
        operator: &op,
        seat: &st,
        drill: None,
    };
    let mut specs = cfg.feeds.clone();
    for (i, url) in extra_feeds
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .enumerate()
    {
        specs.push(FeedSpec {
            name: format!("feed {}", i + 1),
            url: url.to_owned(),
            interval_s: 60,
            timeout_s: 20,
        });
    }
    if folder.is_none() && specs.is_empty() {
        return Err(CliError::input(
            "nothing to watch: give --folder DIR, --feed URL or [[feeds]] in alerts.toml",
        ));
    }
    let mut poller = Poller::new(specs).map_err(err)?;
    let mut drop = folder.map(DropFolder::new).transpose().map_err(err)?;
    let mut messages = Vec::new();
    loop {
        let now = now_ms();
        let mut sink = |a: Arrival| -> Result<(), SinkRefused> {
            let m = importer
                .import_bytes(&mut store, &a.source, &a.bytes, now)
                .map_err(|e| e.to_string())?;
            let line = format!("{}: {}", m.file, m.decision.code());
            let failed = m.error.clone();
            if !once {
                super::out(&line);
                for n in &m.notices {
                    super::out(&format!("  ! {n}"));
                }
            }
            messages.push(m);
            match failed {
                Some(e) => Err(e.into()),
                None => Ok(()),
            }
        };
        if let Some(d) = drop.as_mut() {
            d.scan(!once, &mut sink).map_err(err)?;
        }
        poller.poll_due(now, &mut sink);
        if once {
            break;
        }
        std::thread::sleep(std::time::Duration::from_secs(interval_s.max(1)));
    }
    serde_json::to_string_pretty(&json!({ "messages": messages, "feeds": poller.statuses() })).map_err(err)
}

/// A ring of `[lon, lat]` approximating a circle (64 segments, local equirectangular).
fn circle_ring(center: [f64; 2], radius_km: f64) -> Vec<[f64; 2]> {
    let lat_r = center[1].to_radians();
    (0..=64)
        .map(|i| {
            let a = f64::from(i) / 64.0 * std::f64::consts::TAU;
            let dlat = radius_km / 111.32 * a.sin();
            let dlon = radius_km / (111.32 * lat_r.cos().max(1e-6)) * a.cos();
            [center[0] + dlon, center[1] + dlat]
        })
        .collect()
}

fn ring_json(ring: &[[f64; 2]]) -> Value {
    Value::Array(ring.iter().map(|p| json!([p[0], p[1]])).collect())
}

fn alert_feature(e: &AlertEntry, areas: &AreaIndex) -> Value {
    let rec = &e.record;
    let mut polys: Vec<Value> = Vec::new();
    for a in &rec.areas {
        for ring in &a.polygons {
            polys.push(json!([ring_json(ring)]));
        }
        for c in &a.circles {
            polys.push(json!([ring_json(&circle_ring(c.center_lonlat, c.radius_km))]));
        }
        for r in &a.resolved {
            let Some(shape) = r
                .used
                .as_deref()
                .and_then(|u| areas.get(u))
                .and_then(|x| x.shape.as_ref())
            else {
                continue;
            };
            for p in &shape.0 {
                let mut rings = vec![p.exterior()];
                rings.extend(p.interiors());
                polys.push(Value::Array(
                    rings
                        .iter()
                        .map(|ls| ring_json(&ls.0.iter().map(|c| [c.x, c.y]).collect::<Vec<_>>()))
                        .collect(),
                ));
            }
        }
    }
    let geometry = if polys.is_empty() {
        Value::Null
    } else {
        json!({"type": "MultiPolygon", "coordinates": polys})
    };
    let zh = rec
        .infos
        .iter()
        .find(|i| i.language.starts_with("zh"))
        .or(rec.infos.first());
    let en = rec
        .infos
        .iter()
        .find(|i| i.language.starts_with("en"))
        .or(rec.infos.first());
    json!({
        "type": "Feature",
        "geometry": geometry,
        "properties": {
            "kind": "alert",
            "key": rec.key.text(),
            "identifier": rec.key.identifier,
            "sender": rec.key.sender,
            "sent": rec.key.sent,
            "msg_type": rec.msg_type,
            "status": rec.status,
            "issued": e.issued,
            "event_zh": zh.map(|i| i.event.clone()),
            "event_en": en.map(|i| i.event.clone()),
            "headline_zh": zh.map(|i| i.headline.clone()),
            "headline_en": en.map(|i| i.headline.clone()),
            "warning_type": rec.warning_type,
            "level": rec.level.map(WarningLevel::code),
            "level_zh": rec.level.map(WarningLevel::name_zh),
            "expires": rec.expires_ms.map(utc_iso),
            "received_seq": e.received_seq,
            "areas": rec.areas.iter().map(|a| json!({
                "desc": a.desc,
                "polygons": a.polygons.len(),
                "circles": a.circles.len(),
                "geocodes": a.geocodes,
                "resolved": a.resolved,
            })).collect::<Vec<_>>(),
        }
    })
}

fn list(db: Option<&Path>, pack: &MapPack, at: Option<&str>) -> Result<String, CliError> {
    let at_ms = match at {
        Some(t) => parse_time(t, "--at")?,
        None => now_ms(),
    };
    let areas = AreaIndex::from_pack(pack);
    let mut store = open(db)?;
    let sit = store.situation().map_err(store_err)?;
    let mut features: Vec<Value> = sit
        .alerts
        .active_at(at_ms)
        .filter(|e| e.record.sent_ms.is_none_or(|s| s <= at_ms))
        .map(|e| alert_feature(e, &areas))
        .collect();
    const WEEK_MS: i64 = 7 * 86_400_000;
    for q in sit.alerts.quakes.values() {
        let k = &q.quake;
        if q.withdrawn || k.time_ms > at_ms || at_ms - k.time_ms > WEEK_MS {
            continue;
        }
        features.push(json!({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [k.lonlat.lon_deg(), k.lonlat.lat_deg()]},
            "properties": {
                "kind": "earthquake",
                "id": k.id,
                "ids": k.ids,
                "source": k.source,
                "magnitude": k.magnitude,
                "time": utc_iso(k.time_ms),
                "depth_km": k.depth_km,
                "place": k.place,
                "status": k.status,
                "provisional": k.provisional,
            }
        }));
    }
    serde_json::to_string_pretty(&json!({
        "type": "FeatureCollection",
        "at": utc_iso(at_ms),
        "features": features,
    }))
    .map_err(err)
}

fn drafts(db: Option<&Path>, json_out: bool) -> Result<String, CliError> {
    let mut store = open(db)?;
    let sit = store.situation().map_err(store_err)?;
    let f = &sit.alerts.firings;
    if json_out {
        return serde_json::to_string_pretty(&json!({ "firings": f })).map_err(err);
    }
    Ok(f.iter()
        .map(|x| format!("#{} {} — {}", x.seq, x.rule, x.notice_zh))
        .collect::<Vec<_>>()
        .join("\n"))
}

/// Run `onemap warning …`.
pub fn run_warning(cmd: &WarningCommand, pack: &MapPack) -> Result<String, CliError> {
    let cfg = load_cfg(pack)?;
    let areas = AreaIndex::from_pack(pack);
    let (issuer, msg_type, reference) = match cmd {
        WarningCommand::New { issuer, .. } => (issuer, MsgType::Alert, None),
        WarningCommand::Update { issuer, reference, .. } => (issuer, MsgType::Update, Some(reference)),
        WarningCommand::Cancel { issuer, reference, .. } => (issuer, MsgType::Cancel, Some(reference)),
    };
    let mut store = open(issuer.db.as_deref())?;
    let sit = store.situation().map_err(store_err)?.clone();
    let previous: Option<&AlertEntry> = match reference {
        Some(id) => Some(
            sit.alerts
                .alerts
                .values()
                .filter(|e| e.issued && &e.record.key.identifier == id)
                .max_by_key(|e| e.received_seq)
                .ok_or_else(|| CliError::input(format!("no issued warning with identifier {id}")))?,
        ),
        None => None,
    };
    let empty = WarningArgs {
        warning_type: None,
        level: None,
        area: None,
        polygon: None,
        headline: None,
        headline_en: None,
        description: String::new(),
        description_en: String::new(),
        instruction: String::new(),
        instruction_en: String::new(),
        onset: None,
        expires: None,
    };
    let content = match cmd {
        WarningCommand::New { content, .. } | WarningCommand::Update { content, .. } => content.clone(),
        WarningCommand::Cancel { headline, .. } => WarningArgs {
            headline: headline.clone(),
            ..empty
        },
    };
    let level = match content.level.as_deref() {
        Some(l) => Some(
            WarningLevel::from_code(l)
                .ok_or_else(|| CliError::input(format!("--level {l}: use red, orange, yellow or blue")))?,
        ),
        None => None,
    };
    let polygon = match &content.polygon {
        Some(p) => Some(cap::parse_polygon(p).map_err(|e| CliError::input(format!("--polygon: {e}")))?),
        None => None,
    };
    let time = |t: &Option<String>, what: &str| t.as_deref().map(|t| parse_time(t, what)).transpose();
    let draft = WarningDraft {
        msg_type,
        warning_type: content.warning_type.clone(),
        level,
        area_codes: content
            .area
            .as_deref()
            .map(|l| l.split(',').map(str::to_owned).collect())
            .unwrap_or_default(),
        polygon,
        texts: WarningTexts {
            headline_zh: content.headline.clone().unwrap_or_default(),
            headline_en: content.headline_en.clone().unwrap_or_default(),
            description_zh: content.description.clone(),
            description_en: content.description_en.clone(),
            instruction_zh: content.instruction.clone(),
            instruction_en: content.instruction_en.clone(),
        },
        onset_ms: time(&content.onset, "--onset")?,
        expires_ms: time(&content.expires, "--expires")?,
        sender: issuer.sender.clone(),
        sender_name: issuer.sender_name.clone(),
        agency: issuer.agency.clone(),
        exercise: issuer.exercise,
        sent_ms: time(&issuer.sent, "--sent")?.unwrap_or_else(now_ms),
    };
    let Issued {
        xml,
        record,
        type_key,
        level,
    } = issue::compose(&cfg, &areas, &sit.alerts, previous, &draft).map_err(|e| CliError::input(e.to_string()))?;
    std::fs::write(&issuer.out, &xml).map_err(|e| err(format!("cannot write {}: {e}", issuer.out.display())))?;
    let seq = store
        .append(
            &operator(),
            &seat(),
            None,
            EventKind::WarningIssued {
                alert: Box::new(record.clone()),
                sha256: sha256_hex(xml.as_bytes()),
                xml: xml.clone(),
            },
        )
        .map_err(err)?;
    if issuer.json {
        return serde_json::to_string_pretty(&json!({
            "identifier": record.key.identifier,
            "sender": record.key.sender,
            "sent": record.key.sent,
            "msg_type": record.msg_type,
            "status": record.status,
            "level": level.code(),
            "warning_type": type_key,
            "references": record.references.iter().map(|r| [&r.sender, &r.identifier, &r.sent]).collect::<Vec<_>>(),
            "areas": record.areas.iter().map(|a| json!({"desc": a.desc, "resolved": a.resolved})).collect::<Vec<_>>(),
            "out": issuer.out,
            "seq": seq,
        }))
        .map_err(err);
    }
    Ok(format!(
        "{} {} → {}",
        record.msg_type,
        record.key.identifier,
        issuer.out.display()
    ))
}
