//! The pack's editable `alerts.toml`: which geocode names carry GB/T 2260 / CPEAS codes, the
//! warning types (keywords in Chinese and English → type key, incident type), the CAP severity →
//! colour mapping, and the rules (earthquake magnitude/distance → draft grade; orange/red
//! warnings of some types → notice). Errors name the file and the TOML line. Pure; must not import
//! egui, tokio or rusqlite.

use std::path::Path;

use serde::Deserialize;

use crate::model::alert::WarningLevel;
use crate::model::incident::{IncidentType, Severity};

/// File name inside the pack folder.
pub const FILE_NAME: &str = "alerts.toml";

/// Why `alerts.toml` could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// Invalid TOML or a value of the wrong kind.
    #[error("{path}: {msg}")]
    Toml {
        /// File.
        path: String,
        /// Parser message (with line and column).
        msg: String,
    },
    /// A value that parses but makes no sense.
    #[error("{path}: {msg}")]
    Invalid {
        /// File.
        path: String,
        /// What is wrong.
        msg: String,
    },
}

/// One configured feed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedSpec {
    /// Name shown in the status list.
    pub name: String,
    /// URL of a CAP message, an Atom/RSS index of CAP messages, or a USGS / CENC catalogue.
    pub url: String,
    /// Seconds between polls.
    #[serde(default = "default_interval")]
    pub interval_s: u64,
    /// Seconds before a request is abandoned.
    #[serde(default = "default_timeout")]
    pub timeout_s: u64,
}

fn default_interval() -> u64 {
    60
}

fn default_timeout() -> u64 {
    20
}

/// One warning type.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarningType {
    /// Stable key (`rainstorm`).
    pub key: String,
    /// Chinese name (暴雨).
    pub zh: String,
    /// English name.
    pub en: String,
    /// Substrings of `event` / `headline` that identify the type (case-insensitive for Latin).
    pub keywords: Vec<String>,
    /// `eventCode` values that identify the type (any valueName).
    #[serde(default)]
    pub event_codes: Vec<String>,
    /// Incident type a draft of this warning would have.
    pub incident_type: Option<IncidentType>,
}

/// One row of the earthquake grade table; the first row that matches wins.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuakeGrade {
    /// Magnitude at least.
    pub min_magnitude: f64,
    /// Distance from the prefecture's boundary at most, km (0 = epicentre inside).
    pub max_distance_km: f64,
    /// Proposed grade.
    pub severity: Severity,
}

/// The earthquake rule.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuakeRule {
    /// Rule name in notices and events.
    pub name: String,
    /// Smallest magnitude that fires.
    pub min_magnitude: f64,
    /// Largest distance from the prefecture (km) that fires.
    pub max_distance_km: f64,
    /// Grade table.
    pub grades: Vec<QuakeGrade>,
}

/// A notice rule for warnings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeRule {
    /// Rule name.
    pub name: String,
    /// Warning type keys it applies to.
    pub types: Vec<String>,
    /// Least serious level that fires (orange fires on orange and red).
    pub min_level: WarningLevel,
    /// Also propose a draft incident of the type's incident type.
    #[serde(default)]
    pub draft: bool,
}

/// CAP severity → level, for messages that do not name a colour.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityLevels {
    /// Extreme.
    #[serde(rename = "Extreme")]
    pub extreme: Option<WarningLevel>,
    /// Severe.
    #[serde(rename = "Severe")]
    pub severe: Option<WarningLevel>,
    /// Moderate.
    #[serde(rename = "Moderate")]
    pub moderate: Option<WarningLevel>,
    /// Minor.
    #[serde(rename = "Minor")]
    pub minor: Option<WarningLevel>,
}

/// The whole file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertsConfig {
    /// `geocode/valueName`s whose values are GB/T 2260 (6-digit) or CPEAS (12-digit) codes.
    pub geocode_names: Vec<String>,
    /// Severity → level.
    pub severity_levels: SeverityLevels,
    /// Warning types.
    pub types: Vec<WarningType>,
    /// Earthquake rule.
    pub earthquake: QuakeRule,
    /// Notice rules.
    #[serde(default)]
    pub notices: Vec<NoticeRule>,
    /// Feeds polled by `onemap alerts watch` and the console.
    #[serde(default)]
    pub feeds: Vec<FeedSpec>,
    /// The console's drop folder: absolute, or relative to the database's folder (default
    /// `alerts-inbox` next to the database).
    #[serde(default)]
    pub drop_folder: Option<String>,
}

/// The file shipped with the Xishuangbanna pack, used when a pack has none.
pub const DEFAULT_TOML: &str = include_str!("../../maps/xishuangbanna/alerts.toml");

impl AlertsConfig {
    /// Parse TOML text; `path` names the file in errors.
    pub fn parse(text: &str, path: &str) -> Result<AlertsConfig, ConfigError> {
        let cfg: AlertsConfig = toml::from_str(text).map_err(|e| ConfigError::Toml {
            path: path.to_owned(),
            msg: e.to_string(),
        })?;
        cfg.validate(path)?;
        Ok(cfg)
    }

    /// The pack's `alerts.toml`, or the built-in default when the pack has none.
    pub fn load_for_pack(dir: &Path) -> Result<AlertsConfig, ConfigError> {
        let path = dir.join(FILE_NAME);
        match std::fs::read_to_string(&path) {
            Ok(text) => AlertsConfig::parse(&text, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => AlertsConfig::parse(DEFAULT_TOML, FILE_NAME),
            Err(e) => Err(ConfigError::Io {
                path: path.display().to_string(),
                source: e,
            }),
        }
    }

    fn validate(&self, path: &str) -> Result<(), ConfigError> {
        let bad = |msg: String| ConfigError::Invalid {
            path: path.to_owned(),
            msg,
        };
        let mut keys = std::collections::BTreeSet::new();
        for t in &self.types {
            if t.key.trim().is_empty() || !keys.insert(t.key.as_str()) {
                return Err(bad(format!("types: key \"{}\" is empty or repeated", t.key)));
            }
            if t.keywords.iter().any(|k| k.trim().is_empty()) {
                return Err(bad(format!("types.{}: empty keyword", t.key)));
            }
        }
        for n in &self.notices {
            if let Some(k) = n.types.iter().find(|k| !keys.contains(k.as_str())) {
                return Err(bad(format!("notices.{}: unknown type \"{k}\"", n.name)));
            }
        }
        let q = &self.earthquake;
        if !(q.min_magnitude.is_finite() && q.max_distance_km.is_finite() && q.max_distance_km >= 0.0) {
            return Err(bad(
                "earthquake: min_magnitude / max_distance_km must be finite, distance ≥ 0".into(),
            ));
        }
        if q.grades.is_empty() {
            return Err(bad("earthquake.grades: at least one row".into()));
        }
        Ok(())
    }

    /// The level for a CAP severity word.
    pub fn level_for_severity(&self, severity: &str) -> Option<WarningLevel> {
        let s = &self.severity_levels;
        match severity {
            "Extreme" => s.extreme,
            "Severe" => s.severe,
            "Moderate" => s.moderate,
            "Minor" => s.minor,
            _ => None,
        }
    }

    /// The warning type whose keyword appears in one of the texts, or whose event code matches.
    pub fn type_for(&self, texts: &[&str], event_codes: &[(String, String)]) -> Option<&WarningType> {
        self.types.iter().find(|t| {
            t.event_codes.iter().any(|c| event_codes.iter().any(|(_, v)| v == c))
                || t.keywords.iter().any(|k| {
                    let k = k.to_lowercase();
                    texts.iter().any(|x| x.to_lowercase().contains(&k))
                })
        })
    }

    /// Type by key.
    pub fn type_by_key(&self, key: &str) -> Option<&WarningType> {
        self.types.iter().find(|t| t.key == key)
    }

    /// The grade for a magnitude and distance, from the table (first row that matches).
    pub fn quake_grade(&self, magnitude: f64, distance_km: f64) -> Option<Severity> {
        self.earthquake
            .grades
            .iter()
            .find(|g| magnitude >= g.min_magnitude && distance_km <= g.max_distance_km)
            .map(|g| g.severity)
    }
}

/// The colour named in a Chinese or English warning name (暴雨橙色预警, "Orange rainstorm").
pub fn level_in_text(text: &str) -> Option<WarningLevel> {
    let lower = text.to_lowercase();
    WarningLevel::ALL
        .iter()
        .copied()
        .find(|l| text.contains(l.colour_zh()) || lower.split(|c: char| !c.is_alphanumeric()).any(|w| w == l.code()))
}
