//! What the console remembers between runs (through eframe's storage): language, layer toggles,
//! the last view per pack, UI scale and the raster-tile source.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::i18n::Lang;

/// Storage key of [`Settings`].
pub const STORAGE_KEY: &str = "onemap.settings.v1";

/// The last map view of a pack.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct SavedView {
    /// Centre longitude.
    pub lon: f64,
    /// Centre latitude.
    pub lat: f64,
    /// walkers zoom.
    pub zoom: f64,
}

/// Where raster tiles come from.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
pub enum RasterKind {
    /// An http(s) URL template.
    #[default]
    Url,
    /// A local PMTiles archive.
    Pmtiles,
}

/// Raster tiles under the vector basemap.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct RasterSettings {
    /// Whether raster tiles are shown.
    pub enabled: bool,
    /// URL template or PMTiles file.
    pub kind: RasterKind,
    /// URL template with {z}/{x}/{y}.
    pub url_template: String,
    /// Path of a local raster PMTiles archive.
    pub pmtiles_path: String,
    /// Attribution the user must show for that source.
    pub attribution: String,
    /// 0..1.
    pub opacity: f32,
}

impl Default for RasterSettings {
    fn default() -> Self {
        RasterSettings {
            enabled: false,
            kind: RasterKind::Url,
            pmtiles_path: String::new(),
            url_template: "https://tile.openstreetmap.org/{z}/{x}/{y}.png".into(),
            attribution: "© OpenStreetMap contributors".into(),
            opacity: 1.0,
        }
    }
}

/// Everything persisted.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Settings {
    /// UI language.
    pub lang: Lang,
    /// `pack/layer` → visible.
    pub layers: BTreeMap<String, bool>,
    /// pack name → last view.
    pub views: BTreeMap<String, SavedView>,
    /// egui zoom factor (video walls want 1.5–2).
    pub ui_scale: f32,
    /// Raster tiles.
    pub raster: RasterSettings,
    /// Show the legend.
    pub legend: bool,
    /// Red / orange warnings and earthquakes this seat acknowledged in the banner (keys of
    /// `ui::action::AlertRef::ack_key`): a seat's setting, not an event.
    pub acked_alerts: BTreeSet<String>,
    /// Operator name written into every event (empty: $ONEMAP_OPERATOR, $USER, "operator").
    pub operator: String,
    /// Console seat written into every event (empty: $ONEMAP_SEAT, "console").
    pub seat: String,
    /// When an undispatched incident turns amber, then red.
    pub pending: super::pending::PendingLimits,
    /// Chime when a new incident arrives.
    pub alert_sound: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            lang: Lang::Zh,
            layers: BTreeMap::new(),
            views: BTreeMap::new(),
            ui_scale: 1.0,
            raster: RasterSettings::default(),
            legend: true,
            acked_alerts: BTreeSet::new(),
            operator: String::new(),
            seat: String::new(),
            pending: Default::default(),
            alert_sound: true,
        }
    }
}

impl Settings {
    /// Operator name written into events (the setting, else $ONEMAP_OPERATOR, $USER, "operator").
    pub fn operator_name(&self) -> String {
        let s = self.operator.trim();
        if !s.is_empty() {
            return s.to_string();
        }
        std::env::var("ONEMAP_OPERATOR")
            .or_else(|_| std::env::var("USER"))
            .unwrap_or_else(|_| "operator".into())
    }

    /// Console seat written into events (the setting, else $ONEMAP_SEAT, "console").
    pub fn seat_name(&self) -> String {
        let s = self.seat.trim();
        if !s.is_empty() {
            return s.to_string();
        }
        std::env::var("ONEMAP_SEAT").unwrap_or_else(|_| "console".into())
    }

    /// Whether `pack`'s layer `name` is shown (the user's choice, else the pack's default).
    pub fn layer_visible(&self, pack: &crate::mappack::MapPack, name: &str) -> bool {
        let key = format!("{}/{name}", pack.manifest.name);
        match self.layers.get(&key) {
            Some(v) => *v,
            None => pack.layer(name).is_some_and(|l| l.spec.visible),
        }
    }

    /// Show or hide `pack`'s layer `name`.
    pub fn set_layer_visible(&mut self, pack: &crate::mappack::MapPack, name: &str, visible: bool) {
        self.layers.insert(format!("{}/{name}", pack.manifest.name), visible);
    }
}
