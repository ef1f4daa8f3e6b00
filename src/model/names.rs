//! Display names: the `named_enum!` macro (closed enums with a stable machine code plus Simplified
//! Chinese and English names), [`DisplayNames`] for the open codes (plan targets, relief items,
//! warehouses) and [`incident_label`] (drill incidents in their own series). Pure; must not import
//! rusqlite, egui, tokio or `crate::store`.

/// Declare a `Copy` enum whose variants carry `(code, name_zh, name_en)`; generates serde (by code),
/// `ALL`, `code()`, `name_zh()`, `name_en()` and `from_code()`.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident { $( $variant:ident => ($code:literal, $zh:literal, $en:literal) ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        $vis enum $name {
            $(
                #[doc = $en]
                #[serde(rename = $code)]
                $variant
            ),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Stable machine code (CSV, JSON, event log).
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Simplified Chinese display name.
            pub fn name_zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }

            /// English display name.
            pub fn name_en(self) -> &'static str {
                match self { $($name::$variant => $en),+ }
            }

            /// Parse a stable code; `None` when the code is unknown.
            pub fn from_code(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

pub(crate) use named_enum;

use std::collections::BTreeMap;

use super::ids::IncidentId;
use super::situation::Situation;

/// A display name in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Name {
    /// Simplified Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

impl Name {
    /// A name from its two forms.
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Name {
        Name {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// `中文 / English` for bilingual text; one form alone when the other is empty or the same.
    pub fn bi(&self) -> String {
        match (self.zh.is_empty(), self.en.is_empty()) {
            (false, false) if self.zh != self.en => format!("{} / {}", self.zh, self.en),
            (false, _) => self.zh.clone(),
            _ => self.en.clone(),
        }
    }
}

/// Last resort for a code nobody named: words instead of `snake_case`, so an officer never
/// reads `water_tanker`-style identifiers.
fn humanise(code: &str) -> String {
    code.replace(['_', '-'], " ")
}

/// Display names of the codes officers must not see: plan targets, relief items and warehouses
/// (from the plans and the master data), on top of the closed enums (unit types, incident types,
/// statuses), which carry their own names. The console's i18n table and the CLI / report
/// formatters share it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DisplayNames {
    targets: BTreeMap<String, Name>,
    items: BTreeMap<String, Name>,
    warehouses: BTreeMap<String, Name>,
}

impl DisplayNames {
    /// Warehouses (by external id) and items (by code, from their stock lines) of a situation.
    pub fn from_situation(sit: &Situation) -> DisplayNames {
        let mut n = DisplayNames::default();
        for w in sit.warehouses.values() {
            n.warehouses
                .insert(w.spec.external_id.clone(), Name::new(&w.spec.name_zh, &w.spec.name_en));
            for line in w.stock.values() {
                n.items
                    .entry(line.item_code.clone())
                    .or_insert_with(|| Name::new(&line.name_zh, &line.name_en));
            }
        }
        n
    }

    /// Name a plan target (`road_rescue_on_scene` → 道路救援力量到场 ≤ 1.5 小时).
    pub fn add_target(&mut self, code: &str, zh: &str, en: &str) {
        if !zh.is_empty() || !en.is_empty() {
            self.targets.insert(code.to_string(), Name::new(zh, en));
        }
    }

    /// Name a relief item; the catalogue's names win over a stock line's.
    pub fn add_item(&mut self, code: &str, zh: &str, en: &str) {
        if !zh.is_empty() || !en.is_empty() {
            self.items.insert(code.to_string(), Name::new(zh, en));
        }
    }

    /// A plan target's name (the code in words when unnamed).
    pub fn target(&self, code: &str) -> Name {
        self.targets.get(code).cloned().unwrap_or_else(|| {
            let words = humanise(code);
            Name::new(words.clone(), words)
        })
    }

    /// A relief item's name (the code in words when unnamed).
    pub fn item(&self, code: &str) -> Name {
        self.items.get(code).cloned().unwrap_or_else(|| {
            let words = humanise(code);
            Name::new(words.clone(), words)
        })
    }

    /// A warehouse's name by external id (the id in words when unknown).
    pub fn warehouse(&self, external_id: &str) -> Name {
        self.warehouses.get(external_id).cloned().unwrap_or_else(|| {
            let words = humanise(external_id);
            Name::new(words.clone(), words)
        })
    }
}

/// How an incident is shown: `#3` for a real one, `演练-3` for a drill's (its own series), so a
/// drill incident is never mistaken for a real one with the same number.
pub fn incident_label(id: IncidentId, in_drill: bool) -> String {
    if in_drill {
        format!("演练-{}", id.0)
    } else {
        format!("#{}", id.0)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::model::{UnitType, WarehouseKind, WarehouseSpec};

    #[test]
    fn every_code_gets_words_and_known_ones_their_names() {
        let mut sit = Situation::new();
        let wh = crate::model::Warehouse {
            id: crate::model::WarehouseId(1),
            spec: WarehouseSpec {
                external_id: "demo-wh-ml-relief".into(),
                name_zh: "勐腊县救灾物资储备库".into(),
                name_en: "Mengla relief warehouse".into(),
                kind: WarehouseKind::ReliefSupplies,
                lonlat: crate::model::LonLat::from_deg(101.56, 21.46).unwrap(),
                county: "勐腊县".into(),
                demo: true,
                position_note: String::new(),
            },
            stock: BTreeMap::from([(
                "tent".to_string(),
                crate::model::StockLine {
                    item_code: "tent".into(),
                    name_zh: "帐篷".into(),
                    name_en: "Tent".into(),
                    unit: "顶".into(),
                    quantity: 5,
                    reserved: 0,
                    demo: true,
                },
            )]),
            updated_seq: 1,
        };
        sit.warehouses.insert(wh.id, wh);
        let mut n = DisplayNames::from_situation(&sit);
        assert_eq!(
            n.warehouse("demo-wh-ml-relief").bi(),
            "勐腊县救灾物资储备库 / Mengla relief warehouse"
        );
        assert_eq!(n.item("tent"), Name::new("帐篷", "Tent"));
        n.add_item("tent", "帐篷（单帐）", "Tent (single)");
        assert_eq!(n.item("tent").zh, "帐篷（单帐）");
        n.add_target(
            "road_rescue_on_scene",
            "道路救援力量到场 ≤ 1.5 小时",
            "road rescue on scene ≤ 1.5 h",
        );
        assert_eq!(n.target("road_rescue_on_scene").en, "road rescue on scene ≤ 1.5 h");
        // Unknown codes: words, never snake_case.
        for name in [
            n.target("engineering_linkage"),
            n.item("life_jacket"),
            n.warehouse("wh-x_1"),
        ] {
            assert!(!name.zh.contains('_') && !name.en.contains('_') && !name.en.contains('-'));
        }
        assert_eq!(Name::new("帐篷", "").bi(), "帐篷");
        assert_eq!(Name::new("", "Tent").bi(), "Tent");
        // Every unit type has both names.
        for t in UnitType::ALL {
            assert!(!t.name_zh().is_empty() && !t.name_en().is_empty() && !t.name_zh().contains('_'));
        }
    }

    #[test]
    fn drill_incidents_have_their_own_label() {
        assert_eq!(incident_label(IncidentId(3), true), "演练-3");
        assert_eq!(incident_label(IncidentId(3), false), "#3");
    }
}
