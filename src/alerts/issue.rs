//! Composing a warning the centre issues (预警信息发布): from what the officer gave (CLI flags or
//! the console's compose dialog) and, for an update or cancel, the warning it replaces, to the CAP
//! 1.2 XML and the summarised record of the `WarningIssued` event. The one code path behind
//! `onemap warning new|update|cancel` and the console. The serial of the GB/T 35965.1 identifier
//! counts the issued warnings of the situation given, so callers pass the log's own (the store
//! worker does so inside its append). Pure: no egui, tokio or rusqlite; writes no file.

use super::areas::{AreaIndex, canonical_code, cpeas_code};
use super::config::AlertsConfig;
use super::time::parse_cap_time;
use super::writer::{self, MsgType, WarningSpec, WarningTexts};
use super::{cap, semantics};
use crate::model::alert::{AlertEntry, AlertKey, AlertRecord, AlertsState, WarningLevel};

/// Sender name of warnings composed in the console (the CLI's `--sender-name` default).
pub const DEFAULT_SENDER_NAME: &str = "西双版纳傣族自治州应急管理局";

/// What an officer gives for a warning; `None` / empty fields of an update or cancel are taken
/// from the warning it replaces.
#[derive(Debug, Clone, PartialEq)]
pub struct WarningDraft {
    /// Alert (new), Update or Cancel.
    pub msg_type: MsgType,
    /// Type key from alerts.toml.
    pub warning_type: Option<String>,
    /// Colour level.
    pub level: Option<WarningLevel>,
    /// Area codes as typed (6, 9 or 12 digits).
    pub area_codes: Vec<String>,
    /// A polygon, `[lon, lat]`.
    pub polygon: Option<Vec<[f64; 2]>>,
    /// The texts; an empty Chinese headline gets a default naming sender, type and level (an
    /// update keeps the replaced one's), an empty English headline means no English info unless
    /// the replaced warning had one.
    pub texts: WarningTexts,
    /// Onset, ms since the epoch.
    pub onset_ms: Option<i64>,
    /// Expiry, ms since the epoch.
    pub expires_ms: Option<i64>,
    /// CAP sender (`None`: the pack's 12-digit prefecture code).
    pub sender: Option<String>,
    /// Sender name.
    pub sender_name: String,
    /// Agency code of the identifier.
    pub agency: String,
    /// `status` Exercise instead of Actual.
    pub exercise: bool,
    /// Sent, ms since the epoch.
    pub sent_ms: i64,
}

/// A composed warning.
#[derive(Debug, Clone, PartialEq)]
pub struct Issued {
    /// The CAP 1.2 XML.
    pub xml: String,
    /// The XML read back by our own reader and enriched (what `WarningIssued` carries).
    pub record: AlertRecord,
    /// Type key.
    pub type_key: String,
    /// Level.
    pub level: WarningLevel,
}

/// Why a warning cannot be composed (both languages).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IssueError {
    /// The pack has no coded areas (no root for the identifier).
    #[error("地图包没有带区划代码的行政区 / the pack has no administrative areas with codes")]
    NoRoot,
    /// No type given or inherited.
    #[error("须选择预警类型 / --type is required (a type key of alerts.toml)")]
    NoType,
    /// A type alerts.toml does not have.
    #[error("未知预警类型 {key} / unknown --type {key}; alerts.toml has {known}")]
    UnknownType {
        /// The key given.
        key: String,
        /// The keys alerts.toml has.
        known: String,
    },
    /// No level given or inherited.
    #[error("须选择预警级别 / --level is required (red, orange, yellow or blue)")]
    NoLevel,
    /// Not an area code.
    #[error("区划代码 {0} 无效（应为 6、9 或 12 位） / --area {0}: not a 6-, 9- or 12-digit area code")]
    BadArea(String),
    /// A polygon that is no area (too few vertices, crossing itself).
    #[error("多边形无效 / bad polygon: {0}")]
    BadPolygon(#[from] super::place::RingError),
    /// Neither codes nor a polygon.
    #[error("须指定区域（区划代码或多边形） / give --area CODE[,CODE…] and/or --polygon")]
    NoArea,
    /// No expiry for a new warning.
    #[error("须填写失效时间 / --expires is required")]
    NoExpiry,
    /// The warning to update or cancel is not one this centre issued.
    #[error("没有本中心发布的预警 {0} / no issued warning {0}")]
    NotIssued(String),
    /// Our own XML did not read back (a bug, never expected).
    #[error("生成的 CAP 无法读回 / the CAP written does not read back: {0}")]
    ReadBack(String),
}

fn named(areas: &AreaIndex, code: String) -> (String, String) {
    let name = areas
        .get(&code)
        .map(|a| a.name_zh.clone())
        .unwrap_or_else(|| code.clone());
    (code, name)
}

/// Compose the warning `d` (replacing `previous` for an update or cancel) against the issued
/// warnings of `state`.
pub fn compose(
    cfg: &AlertsConfig,
    areas: &AreaIndex,
    state: &AlertsState,
    previous: Option<&AlertEntry>,
    d: &WarningDraft,
) -> Result<Issued, IssueError> {
    let root = areas.root.clone().ok_or(IssueError::NoRoot)?;
    let prev_rec = previous.map(|p| &p.record);
    let type_key = d
        .warning_type
        .clone()
        .filter(|k| !k.trim().is_empty())
        .or_else(|| prev_rec.and_then(|r| r.warning_type.clone()))
        .ok_or(IssueError::NoType)?;
    let wt = cfg.type_by_key(&type_key).ok_or_else(|| IssueError::UnknownType {
        key: type_key.clone(),
        known: cfg.types.iter().map(|t| t.key.as_str()).collect::<Vec<_>>().join(", "),
    })?;
    let level = d
        .level
        .or_else(|| prev_rec.and_then(|r| r.level))
        .ok_or(IssueError::NoLevel)?;
    let mut area_codes = Vec::new();
    if d.area_codes.is_empty() {
        for g in prev_rec.iter().flat_map(|r| r.areas.iter()).flat_map(|a| &a.geocodes) {
            if let Some(code) = canonical_code(&g.1) {
                area_codes.push(named(areas, code));
            }
        }
    } else {
        for raw in d.area_codes.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            let code = canonical_code(raw).ok_or_else(|| IssueError::BadArea(raw.to_owned()))?;
            area_codes.push(named(areas, code));
        }
    }
    let given = d.polygon.as_deref().map(super::place::closed_ring).transpose()?;
    let polygon = given.or_else(|| {
        prev_rec
            .and_then(|r| r.areas.first())
            .and_then(|a| a.polygons.first().cloned())
    });
    if area_codes.is_empty() && polygon.is_none() {
        return Err(IssueError::NoArea);
    }
    let prev_info = prev_rec.and_then(|r| r.infos.first());
    let expires_ms = match d.expires_ms {
        Some(t) => t,
        None => prev_rec
            .and_then(|r| r.expires_ms)
            .filter(|_| d.msg_type != MsgType::Alert)
            .ok_or(IssueError::NoExpiry)?,
    };
    let onset_ms = d
        .onset_ms
        .or_else(|| prev_info.and_then(|i| i.onset_utc.as_deref()).and_then(parse_cap_time));
    let default_headline = format!(
        "{}发布{}{}预警{}",
        d.sender_name,
        wt.zh,
        level.colour_zh(),
        if d.msg_type == MsgType::Cancel { "解除" } else { "" }
    );
    let headline_zh = Some(d.texts.headline_zh.clone())
        .filter(|h| !h.trim().is_empty())
        .or_else(|| {
            (d.msg_type == MsgType::Update)
                .then(|| prev_info.map(|i| i.headline.clone()))
                .flatten()
        })
        .unwrap_or(default_headline);
    let prev_en = prev_rec.and_then(|r| r.infos.iter().find(|i| i.language.starts_with("en")));
    let headline_en = Some(d.texts.headline_en.clone())
        .filter(|h| !h.trim().is_empty())
        .or_else(|| prev_en.map(|i| i.headline.clone()))
        .unwrap_or_default();
    let references: Vec<AlertKey> = previous.map(|p| vec![p.record.key.clone()]).unwrap_or_default();
    let sender = d.sender.clone().unwrap_or_else(|| cpeas_code(&root));
    let prefix = format!(
        "{}{}_{}",
        cpeas_code(&root),
        d.agency,
        &crate::local_time::beijing_stamp(d.sent_ms)[..8]
    );
    let serial = u32::try_from(state.issued_with_prefix(&prefix) + 1).unwrap_or(u32::MAX);
    let spec = WarningSpec {
        msg_type: d.msg_type,
        status: if d.exercise { "Exercise" } else { "Actual" }.into(),
        sender,
        sender_name: d.sender_name.clone(),
        identifier: writer::identifier(&root, &d.agency, d.sent_ms, serial),
        sent_ms: d.sent_ms,
        type_zh: wt.zh.clone(),
        type_en: wt.en.clone(),
        level,
        areas: area_codes,
        polygon,
        texts: WarningTexts {
            headline_zh,
            headline_en,
            ..d.texts.clone()
        },
        onset_ms,
        expires_ms,
        references,
    };
    let xml = writer::write_cap(&spec);
    let read_back = cap::read_cap_text(&xml, "issued").map_err(|e| IssueError::ReadBack(e.to_string()))?;
    Ok(Issued {
        record: semantics::enrich(&read_back, cfg, areas),
        xml,
        type_key,
        level,
    })
}
