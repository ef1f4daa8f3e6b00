//! One entry point for any arriving document: sniff XML (CAP alert, Atom/RSS index) or JSON
//! (USGS, CENC either shape) and read it. Pure; must not import egui, tokio or rusqlite.

use serde_json::Value;

use super::cap::{self, CapAlert};
use super::error::AlertReadError;
use super::feed::{self, FeedEntry};
use super::quake;
use super::xml;
use crate::model::alert::{AlertFormat, QuakeRecord};

/// A document as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    /// A CAP message.
    Cap(Box<CapAlert>),
    /// An Atom/RSS index of CAP messages.
    Feed(Vec<FeedEntry>),
    /// An earthquake catalogue (USGS or CENC).
    Quakes {
        /// Which one.
        format: AlertFormat,
        /// Its earthquakes.
        quakes: Vec<QuakeRecord>,
    },
}

impl Document {
    /// The format tag for the JSON contract.
    pub fn format(&self) -> AlertFormat {
        match self {
            Document::Cap(_) => AlertFormat::Cap,
            Document::Feed(_) => AlertFormat::Feed,
            Document::Quakes { format, .. } => *format,
        }
    }
}

/// Decoded text of the raw bytes: XML by its declaration / BOM, JSON as UTF-8 (BOM removed).
pub fn decode(bytes: &[u8], file: &str) -> Result<String, AlertReadError> {
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let first = body.iter().copied().find(|b| !b.is_ascii_whitespace());
    match first {
        Some(b'{' | b'[' | b'(') => String::from_utf8(body.to_vec()).map_err(|e| AlertReadError::Encoding {
            file: file.to_owned(),
            msg: format!("JSON must be UTF-8: {e}"),
        }),
        Some(b) if b.is_ascii_alphabetic() => String::from_utf8(body.to_vec()).map_err(|e| AlertReadError::Encoding {
            file: file.to_owned(),
            msg: format!("JSON must be UTF-8: {e}"),
        }),
        _ => xml::decode_xml(bytes, file),
    }
}

/// Read any supported document from its raw bytes; also returns the decoded text.
pub fn read_document(bytes: &[u8], file: &str) -> Result<(Document, String), AlertReadError> {
    let text = decode(bytes, file)?;
    let doc = read_text(&text, file)?;
    Ok((doc, text))
}

/// Read any supported document from decoded text.
pub fn read_text(text: &str, file: &str) -> Result<Document, AlertReadError> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('<') {
        let tree = xml::parse(text, file)?;
        let root = tree.root_element();
        if cap::is_cap_root(root) {
            return cap::read_cap_text(text, file).map(|c| Document::Cap(Box::new(c)));
        }
        if feed::is_feed_root(root) {
            return Ok(Document::Feed(feed::read_feed_root(root)));
        }
        return Err(AlertReadError::UnknownRoot {
            file: file.to_owned(),
            found: match root.tag_name().namespace() {
                Some(ns) => format!("{{{ns}}}{}", root.tag_name().name()),
                None => root.tag_name().name().to_owned(),
            },
        });
    }
    let json = quake::strip_jsonp(trimmed);
    if !(json.starts_with('{') || json.starts_with('[')) {
        return Err(AlertReadError::UnknownFormat {
            file: file.to_owned(),
            msg: "neither XML nor JSON".into(),
        });
    }
    let v: Value = serde_json::from_str(json).map_err(|e| AlertReadError::Json {
        file: file.to_owned(),
        msg: e.to_string(),
    })?;
    match quake::quake_format(&v) {
        Some(AlertFormat::Usgs) => Ok(Document::Quakes {
            format: AlertFormat::Usgs,
            quakes: quake::read_usgs(&v, file)?,
        }),
        Some(AlertFormat::Cenc) => Ok(Document::Quakes {
            format: AlertFormat::Cenc,
            quakes: quake::read_cenc(&v, file)?,
        }),
        _ => Err(AlertReadError::UnknownFormat {
            file: file.to_owned(),
            msg: "JSON without USGS \"type\"/\"features\", CENC \"shuju\" or \"data\"".into(),
        }),
    }
}
