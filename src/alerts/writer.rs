//! CAP 1.2 writer for warnings the centre issues (预警信息发布): one `info` in zh-CN and, when
//! English text is given, one in en-US; areas by administrative code (12-digit CPEAS geocodes)
//! and/or a polygon; `references` for updates and cancels; the identifier in the GB/T 35965.1
//! form (admin code, agency code, Beijing-time stamp, serial). Pure; must not import egui, tokio
//! or rusqlite.

use super::areas::cpeas_code;
use crate::local_time::{beijing_stamp, cap_time_beijing};
use crate::model::alert::{AlertKey, WarningLevel};

/// `msgType` of an issued warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MsgType {
    /// First issue.
    Alert,
    /// Replaces earlier warnings.
    Update,
    /// Lifts earlier warnings (解除).
    Cancel,
}

impl MsgType {
    /// The CAP word.
    pub fn as_str(self) -> &'static str {
        match self {
            MsgType::Alert => "Alert",
            MsgType::Update => "Update",
            MsgType::Cancel => "Cancel",
        }
    }
}

/// The six texts of a warning, shared by the CLI, the console's compose dialog and the writer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WarningTexts {
    /// Headline, Chinese.
    pub headline_zh: String,
    /// Headline, English.
    pub headline_en: String,
    /// Description, Chinese.
    pub description_zh: String,
    /// Description, English.
    pub description_en: String,
    /// Instruction, Chinese.
    pub instruction_zh: String,
    /// Instruction, English.
    pub instruction_en: String,
}

impl WarningTexts {
    /// Every text with surrounding blanks removed.
    pub fn trimmed(&self) -> WarningTexts {
        let t = |s: &String| s.trim().to_owned();
        WarningTexts {
            headline_zh: t(&self.headline_zh),
            headline_en: t(&self.headline_en),
            description_zh: t(&self.description_zh),
            description_en: t(&self.description_en),
            instruction_zh: t(&self.instruction_zh),
            instruction_en: t(&self.instruction_en),
        }
    }
}

/// Everything a warning says.
#[derive(Debug, Clone, PartialEq)]
pub struct WarningSpec {
    /// Alert / Update / Cancel.
    pub msg_type: MsgType,
    /// `Actual` or `Exercise`.
    pub status: String,
    /// Sender (an address or the centre's id).
    pub sender: String,
    /// Sender name (西双版纳州应急管理局 …).
    pub sender_name: String,
    /// Identifier (see [`identifier`]).
    pub identifier: String,
    /// Sent, ms since the epoch.
    pub sent_ms: i64,
    /// Warning type, Chinese (暴雨).
    pub type_zh: String,
    /// Warning type, English.
    pub type_en: String,
    /// Colour level.
    pub level: WarningLevel,
    /// Canonical area codes (6 or 9 digits) with their names.
    pub areas: Vec<(String, String)>,
    /// Optional polygon, `[lon, lat]` ring (closed).
    pub polygon: Option<Vec<[f64; 2]>>,
    /// Headline, description and instruction in Chinese and English (no English headline: no
    /// English info).
    pub texts: WarningTexts,
    /// Onset, ms since the epoch.
    pub onset_ms: Option<i64>,
    /// Expiry, ms since the epoch.
    pub expires_ms: i64,
    /// Messages updated or cancelled.
    pub references: Vec<AlertKey>,
}

/// GB/T 35965.1-form identifier: the issuing area's 12-digit code, the agency code, the
/// Beijing-time stamp `YYYYMMDDHHMMSS` and a 4-digit serial, joined by `_` after the codes.
/// (Field widths as we understood them; the standard's text was not available offline.)
pub fn identifier(admin_code: &str, agency_code: &str, sent_ms: i64, serial: u32) -> String {
    format!(
        "{}{}_{}{serial:04}",
        cpeas_code(admin_code),
        agency_code,
        beijing_stamp(sent_ms)
    )
}

/// Escape text for XML element content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}

fn el(out: &mut String, indent: usize, name: &str, text: &str) {
    out.push_str(&" ".repeat(indent));
    out.push_str(&format!("<{name}>{}</{name}>\n", escape(text)));
}

/// The CAP 1.2 XML of a warning (UTF-8, no DTD).
pub fn write_cap(w: &WarningSpec) -> String {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n",
    );
    el(&mut x, 2, "identifier", &w.identifier);
    el(&mut x, 2, "sender", &w.sender);
    el(&mut x, 2, "sent", &cap_time_beijing(w.sent_ms));
    el(&mut x, 2, "status", &w.status);
    el(&mut x, 2, "msgType", w.msg_type.as_str());
    el(&mut x, 2, "scope", "Public");
    if !w.references.is_empty() {
        let refs: Vec<String> = w.references.iter().map(AlertKey::text).collect();
        el(&mut x, 2, "references", &refs.join(" "));
    }
    let area_desc_zh: Vec<&str> = w.areas.iter().map(|(_, n)| n.as_str()).collect();
    let cancel = w.msg_type == MsgType::Cancel;
    let infos = [
        (
            "zh-CN",
            format!(
                "{}{}预警{}",
                w.type_zh,
                w.level.colour_zh(),
                if cancel { "解除" } else { "" }
            ),
            &w.texts.headline_zh,
            &w.texts.description_zh,
            &w.texts.instruction_zh,
        ),
        (
            "en-US",
            format!(
                "{} {} Warning{}",
                capitalised(w.level.code()),
                w.type_en,
                if cancel { " lifted" } else { "" }
            ),
            &w.texts.headline_en,
            &w.texts.description_en,
            &w.texts.instruction_en,
        ),
    ];
    for (lang, event, headline, description, instruction) in infos {
        if lang == "en-US" && headline.is_empty() {
            continue;
        }
        x.push_str("  <info>\n");
        el(&mut x, 4, "language", lang);
        el(&mut x, 4, "category", "Met");
        el(&mut x, 4, "event", &event);
        el(
            &mut x,
            4,
            "urgency",
            if cancel {
                "Past"
            } else if w.level.rank() <= 2 {
                "Immediate"
            } else {
                "Expected"
            },
        );
        el(&mut x, 4, "severity", w.level.cap_severity());
        el(&mut x, 4, "certainty", "Likely");
        if let Some(onset) = w.onset_ms {
            el(&mut x, 4, "onset", &cap_time_beijing(onset));
        }
        el(&mut x, 4, "expires", &cap_time_beijing(w.expires_ms));
        el(&mut x, 4, "senderName", &w.sender_name);
        el(&mut x, 4, "headline", headline);
        if !description.is_empty() {
            el(&mut x, 4, "description", description);
        }
        if !instruction.is_empty() {
            el(&mut x, 4, "instruction", instruction);
        }
        x.push_str("    <area>\n");
        let desc = if area_desc_zh.is_empty() {
            "见多边形".to_owned()
        } else {
            area_desc_zh.join("、")
        };
        el(&mut x, 6, "areaDesc", &desc);
        if let Some(ring) = &w.polygon {
            let pairs: Vec<String> = ring.iter().map(|p| format!("{:.6},{:.6}", p[1], p[0])).collect();
            el(&mut x, 6, "polygon", &pairs.join(" "));
        }
        for (code, _) in &w.areas {
            x.push_str("      <geocode>\n");
            el(&mut x, 8, "valueName", "CPEAS Geographic Code");
            el(&mut x, 8, "value", &cpeas_code(code));
            x.push_str("      </geocode>\n");
        }
        x.push_str("    </area>\n  </info>\n");
    }
    x.push_str("</alert>\n");
    x
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
