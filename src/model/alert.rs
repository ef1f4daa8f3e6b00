//! Alerts in the situation: what an arrived CAP warning, earthquake report or issued warning
//! looks like once summarised into an event, and [`AlertsState`], the fold of those events
//! (active / superseded / cancelled alerts, earthquakes by id, rule firings awaiting an officer).
//! Pure; must not import rusqlite, egui, tokio, `crate::store` or `crate::alerts` (the readers
//! build these records; the model only stores and folds them).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::incident::IncidentDraft;
use super::lonlat::LonLat;
use super::names::named_enum;

named_enum! {
    /// What kind of document arrived.
    pub enum AlertFormat {
        Cap => ("cap", "CAP 预警", "CAP alert"),
        Usgs => ("usgs", "USGS 地震目录", "USGS earthquake feed"),
        Cenc => ("cenc", "中国地震台网目录", "CENC earthquake catalogue"),
        Feed => ("feed", "预警索引", "Alert feed index"),
    }
}

named_enum! {
    /// What the semantics decided about an arrival.
    pub enum AlertDecision {
        New => ("new", "新预警", "New"),
        Update => ("update", "更新", "Update"),
        Cancel => ("cancel", "解除", "Cancel"),
        Duplicate => ("duplicate", "重复", "Duplicate"),
        Expired => ("expired", "已过期", "Expired"),
        Ignored => ("ignored", "忽略", "Ignored"),
        Rejected => ("rejected", "无法读取", "Rejected"),
    }
}

named_enum! {
    /// Warning colour level (预警级别): red = Ⅰ (most serious) … blue = Ⅳ.
    pub enum WarningLevel {
        Red => ("red", "红色（Ⅰ级）", "Red (I)"),
        Orange => ("orange", "橙色（Ⅱ级）", "Orange (II)"),
        Yellow => ("yellow", "黄色（Ⅲ级）", "Yellow (III)"),
        Blue => ("blue", "蓝色（Ⅳ级）", "Blue (IV)"),
    }
}

impl WarningLevel {
    /// 1 for red … 4 for blue (smaller is more serious).
    pub fn rank(self) -> u8 {
        match self {
            WarningLevel::Red => 1,
            WarningLevel::Orange => 2,
            WarningLevel::Yellow => 3,
            WarningLevel::Blue => 4,
        }
    }

    /// The colour word as it appears in Chinese warning names (红色 …).
    pub fn colour_zh(self) -> &'static str {
        match self {
            WarningLevel::Red => "红色",
            WarningLevel::Orange => "橙色",
            WarningLevel::Yellow => "黄色",
            WarningLevel::Blue => "蓝色",
        }
    }

    /// The CAP severity that corresponds to this level (Extreme … Minor).
    pub fn cap_severity(self) -> &'static str {
        match self {
            WarningLevel::Red => "Extreme",
            WarningLevel::Orange => "Severe",
            WarningLevel::Yellow => "Moderate",
            WarningLevel::Blue => "Minor",
        }
    }
}

/// A CAP message's identity: (sender, identifier, sent) as written in `references`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AlertKey {
    /// `sender`.
    pub sender: String,
    /// `identifier`.
    pub identifier: String,
    /// `sent`, as written (the CAP dateTime text).
    pub sent: String,
}

impl AlertKey {
    /// The `references` form `sender,identifier,sent`, also the key in [`AlertsState::alerts`].
    pub fn text(&self) -> String {
        format!("{},{},{}", self.sender, self.identifier, self.sent)
    }
}

/// One `info` block (one per language), summarised.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AlertInfo {
    /// Language tag (`zh-CN`, `en-US` …; CAP's default is `en-US`).
    pub language: String,
    /// `event` (暴雨橙色预警, Flood Warning …).
    pub event: String,
    /// `headline` (may be empty).
    pub headline: String,
    /// `description` (may be empty).
    #[serde(default)]
    pub description: String,
    /// `instruction` (may be empty).
    #[serde(default)]
    pub instruction: String,
    /// `severity` (Extreme / Severe / Moderate / Minor / Unknown).
    pub severity: String,
    /// `urgency`.
    pub urgency: String,
    /// `certainty`.
    pub certainty: String,
    /// `onset` as UTC ISO-8601, when given and readable.
    pub onset_utc: Option<String>,
    /// `expires` as UTC ISO-8601, when given and readable.
    pub expires_utc: Option<String>,
    /// `expires` in ms since the epoch.
    pub expires_ms: Option<i64>,
}

/// A circle of an area: centre and radius.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertCircle {
    /// Centre, `[lon, lat]` (CAP writes lat,lon; converted on reading).
    pub center_lonlat: [f64; 2],
    /// Radius, km.
    pub radius_km: f64,
}

/// How one geocode of an area was placed on the pack's map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolvedCode {
    /// The code as given (6, 9 or 12 digits).
    pub requested: String,
    /// The pack area whose polygon is drawn (6 digits), if any.
    pub used: Option<String>,
    /// Its Chinese name (empty when unresolved).
    pub name_zh: String,
    /// True when `used` is exactly the requested area; false for a parent fallback.
    pub exact: bool,
    /// Why a parent was used, or why nothing was (empty when exact).
    pub note: String,
}

/// One `area` block.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AlertArea {
    /// `areaDesc`.
    pub desc: String,
    /// Polygons as given, each ring of `[lon, lat]`.
    pub polygons: Vec<Vec<[f64; 2]>>,
    /// Circles as given.
    pub circles: Vec<AlertCircle>,
    /// `geocode` pairs `(valueName, value)`.
    pub geocodes: Vec<(String, String)>,
    /// Administrative geocodes placed on the pack's areas (offline).
    pub resolved: Vec<ResolvedCode>,
}

/// A CAP message (received or issued), summarised for the situation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRecord {
    /// Identity.
    pub key: AlertKey,
    /// `sent` in ms since the epoch, when readable.
    pub sent_ms: Option<i64>,
    /// `status` (Actual, Exercise, System, Test, Draft).
    pub status: String,
    /// `msgType` (Alert, Update, Cancel, Ack, Error).
    pub msg_type: String,
    /// `scope` (Public …; empty when missing).
    pub scope: String,
    /// Messages this one updates or cancels.
    pub references: Vec<AlertKey>,
    /// One per language.
    pub infos: Vec<AlertInfo>,
    /// Areas of the first info (CAP repeats them per language).
    pub areas: Vec<AlertArea>,
    /// Warning type key from the pack's `alerts.toml` (`rainstorm` …), when recognised.
    pub warning_type: Option<String>,
    /// Colour level, from the event name or the severity mapping.
    pub level: Option<WarningLevel>,
    /// Latest `expires` of all infos, ms since the epoch (`None`: no expiry given).
    pub expires_ms: Option<i64>,
    /// Reader remarks (skipped malformed references …).
    #[serde(default)]
    pub notes: Vec<String>,
}

/// An earthquake report (USGS or CENC), normalised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuakeRecord {
    /// Primary id (USGS `id`; CENC `uniEventId` / `NEW_DID` / `CATA_ID`).
    pub id: String,
    /// Every id this event is known by (includes `id`).
    pub ids: Vec<String>,
    /// Where it came from.
    pub source: AlertFormat,
    /// Magnitude.
    pub magnitude: f64,
    /// Origin time, ms since the epoch (UTC).
    pub time_ms: i64,
    /// Last update, ms since the epoch (USGS `updated`), when given.
    pub updated_ms: Option<i64>,
    /// Epicentre.
    pub lonlat: LonLat,
    /// Depth, km (positive down), when given.
    pub depth_km: Option<f64>,
    /// Place description as given.
    pub place: String,
    /// Status as given (`automatic`, `reviewed`, `deleted`; CENC `A` / `M` …).
    pub status: String,
    /// Automatic solution not yet reviewed: shown as provisional.
    pub provisional: bool,
}

/// One earthquake of an arrival with what was decided about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuakeArrival {
    /// The report.
    pub quake: QuakeRecord,
    /// New / update / cancel (withdrawn) / duplicate.
    pub decision: AlertDecision,
}

/// Where an alert stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AlertLifecycle {
    /// In force (unless past its expiry).
    Active,
    /// Replaced by a later Update.
    Superseded {
        /// The update's key text.
        by: String,
    },
    /// Cancelled by a later Cancel.
    Cancelled {
        /// The cancel message's key text.
        by: String,
    },
    /// The Cancel message itself (never drawn).
    CancelNotice,
}

/// A CAP alert in the situation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertEntry {
    /// The message.
    pub record: AlertRecord,
    /// Where it stands.
    pub lifecycle: AlertLifecycle,
    /// Seq of the event that brought it.
    pub received_seq: u64,
    /// Log time of that event.
    pub received_utc: String,
    /// True for warnings this centre issued.
    pub issued: bool,
}

impl AlertEntry {
    /// In force at `at_ms`: active and not past its latest expiry.
    pub fn is_active_at(&self, at_ms: i64) -> bool {
        self.lifecycle == AlertLifecycle::Active && self.record.expires_ms.is_none_or(|e| e > at_ms)
    }
}

/// An earthquake in the situation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuakeEntry {
    /// Latest report.
    pub quake: QuakeRecord,
    /// Withdrawn by the network (`deleted`).
    pub withdrawn: bool,
    /// Seq of the event that last changed it.
    pub updated_seq: u64,
}

/// A rule that fired on an arrival: a notice, and possibly a draft incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleFiring {
    /// Seq of the event.
    pub seq: u64,
    /// Alert key text or earthquake id it fired on.
    pub subject: String,
    /// Rule name from `alerts.toml`.
    pub rule: String,
    /// When the rule fired (the event's log time, UTC ISO-8601; empty in snapshots older than it).
    #[serde(default)]
    pub fired_utc: String,
    /// Notice, Chinese.
    pub notice_zh: String,
    /// Notice, English.
    pub notice_en: String,
    /// Draft incident awaiting approval, if the rule proposes one.
    pub draft: Option<IncidentDraft>,
    /// The officer's decision on the draft (`None`: still awaiting one).
    #[serde(default)]
    pub decided: Option<DraftDecision>,
}

impl RuleFiring {
    /// A draft incident no officer has decided yet (the 待审核 list).
    pub fn awaits_decision(&self) -> bool {
        self.draft.is_some() && self.decided.is_none()
    }
}

/// What an officer decided about a rule's draft incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum DraftDecision {
    /// Approved: the incident recorded from the (possibly edited) draft.
    Approved {
        /// The incident.
        incident: super::ids::IncidentId,
    },
    /// Dismissed, with the officer's reason.
    Dismissed {
        /// Why (not empty).
        reason: String,
    },
}

/// Why a draft decision cannot be applied (checked by the store worker and again by the fold).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DraftRefusal {
    /// No rule firing with a draft at this seq.
    #[error("没有第 {0} 号待审核草稿 / no draft incident at seq {0}")]
    Unknown(u64),
    /// Someone decided it already.
    #[error("第 {0} 号草稿已处理（其他席位或先前操作） / draft {0} was already decided")]
    AlreadyDecided(u64),
    /// A dismissal without a reason.
    #[error("驳回须填写原因 / a dismissal needs a reason")]
    NoReason,
}

/// Everything the log says about alerts and earthquakes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertsState {
    /// CAP alerts (received and issued) by [`AlertKey::text`].
    pub alerts: BTreeMap<String, AlertEntry>,
    /// Earthquakes by primary id.
    pub quakes: BTreeMap<String, QuakeEntry>,
    /// Every known earthquake id → primary id.
    pub quake_ids: BTreeMap<String, String>,
    /// Rule firings, oldest first.
    pub firings: Vec<RuleFiring>,
    /// Arrivals logged (every decision, including duplicates and rejections).
    pub arrivals: u64,
}

impl AlertsState {
    /// Alerts in force at `at_ms`, in key order.
    pub fn active_at(&self, at_ms: i64) -> impl Iterator<Item = &AlertEntry> {
        self.alerts.values().filter(move |e| e.is_active_at(at_ms))
    }

    /// The earthquake known under any of these ids.
    pub fn quake_by_any_id<'a>(&self, ids: impl IntoIterator<Item = &'a String>) -> Option<&QuakeEntry> {
        ids.into_iter()
            .find_map(|id| self.quake_ids.get(id))
            .and_then(|p| self.quakes.get(p))
    }

    /// Check that the draft proposed at `firing_seq` can take `decision`.
    pub fn check_draft_decision(&self, firing_seq: u64, decision: &DraftDecision) -> Result<(), DraftRefusal> {
        let f = self
            .firings
            .iter()
            .find(|f| f.seq == firing_seq && f.draft.is_some())
            .ok_or(DraftRefusal::Unknown(firing_seq))?;
        if f.decided.is_some() {
            return Err(DraftRefusal::AlreadyDecided(firing_seq));
        }
        if let DraftDecision::Dismissed { reason } = decision
            && reason.trim().is_empty()
        {
            return Err(DraftRefusal::NoReason);
        }
        Ok(())
    }

    /// Record a decision (already checked).
    pub(crate) fn apply_draft_decision(&mut self, firing_seq: u64, decision: &DraftDecision) {
        if let Some(f) = self.firings.iter_mut().find(|f| f.seq == firing_seq) {
            f.decided = Some(decision.clone());
        }
    }

    /// Draft incidents awaiting an officer, oldest first.
    pub fn pending_drafts(&self) -> impl Iterator<Item = &RuleFiring> {
        self.firings.iter().filter(|f| f.awaits_decision())
    }

    /// Issued warnings whose identifier starts with `prefix` (for the next serial number).
    pub fn issued_with_prefix(&self, prefix: &str) -> usize {
        self.alerts
            .values()
            .filter(|e| e.issued && e.record.key.identifier.starts_with(prefix))
            .count()
    }

    /// Apply an alert arrival (already validated).
    pub(crate) fn apply_alert(
        &mut self,
        seq: u64,
        ts_utc: &str,
        decision: AlertDecision,
        record: Option<&AlertRecord>,
        issued: bool,
    ) {
        let Some(rec) = record else { return };
        let key = rec.key.text();
        let lifecycle = match decision {
            AlertDecision::New | AlertDecision::Expired | AlertDecision::Update => AlertLifecycle::Active,
            AlertDecision::Cancel => AlertLifecycle::CancelNotice,
            AlertDecision::Duplicate | AlertDecision::Ignored | AlertDecision::Rejected => return,
        };
        for r in &rec.references {
            if let Some(old) = self.alerts.get_mut(&r.text()) {
                old.lifecycle = match decision {
                    AlertDecision::Cancel => AlertLifecycle::Cancelled { by: key.clone() },
                    _ => AlertLifecycle::Superseded { by: key.clone() },
                };
            }
        }
        self.alerts.insert(
            key,
            AlertEntry {
                record: rec.clone(),
                lifecycle,
                received_seq: seq,
                received_utc: ts_utc.to_owned(),
                issued,
            },
        );
    }

    /// Apply the earthquakes of an arrival (already validated).
    pub(crate) fn apply_quakes(&mut self, seq: u64, quakes: &[QuakeArrival]) {
        for qa in quakes {
            let q = &qa.quake;
            let primary = q
                .ids
                .iter()
                .chain(std::iter::once(&q.id))
                .find_map(|id| self.quake_ids.get(id).cloned())
                .unwrap_or_else(|| q.id.clone());
            match qa.decision {
                AlertDecision::New | AlertDecision::Update | AlertDecision::Expired => {
                    self.quakes.insert(
                        primary.clone(),
                        QuakeEntry {
                            quake: q.clone(),
                            withdrawn: false,
                            updated_seq: seq,
                        },
                    );
                }
                AlertDecision::Cancel => match self.quakes.get_mut(&primary) {
                    Some(e) => {
                        e.withdrawn = true;
                        e.updated_seq = seq;
                    }
                    None => {
                        self.quakes.insert(
                            primary.clone(),
                            QuakeEntry {
                                quake: q.clone(),
                                withdrawn: true,
                                updated_seq: seq,
                            },
                        );
                    }
                },
                AlertDecision::Duplicate | AlertDecision::Ignored | AlertDecision::Rejected => continue,
            }
            for id in q.ids.iter().chain(std::iter::once(&q.id)) {
                self.quake_ids.insert(id.clone(), primary.clone());
            }
        }
    }
}
