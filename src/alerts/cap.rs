//! OASIS CAP 1.2 / 1.1 / 1.0 reader over roxmltree: elements matched by namespace (a `cap:`
//! prefix or a default namespace read the same), foreign elements (XML signatures, extensions)
//! ignored, DTDs refused. Polygons (`lat,lon` pairs) and circles (`lat,lon radius_km`) become
//! `[lon, lat]`; `references` become keys. Required: identifier, sender, sent, status, msgType.
//! Pure; must not import egui, tokio or rusqlite.

use roxmltree::Node;

use super::error::AlertReadError;
use super::time::{parse_cap_time, utc_iso};
use super::xml;
use crate::model::alert::{AlertArea, AlertCircle, AlertInfo, AlertKey, AlertRecord};

/// Namespaces of the CAP versions we read (1.2 first).
pub const CAP_NAMESPACES: [&str; 3] = [
    "urn:oasis:names:tc:emergency:cap:1.2",
    "urn:oasis:names:tc:emergency:cap:1.1",
    "http://www.incident.com/cap/1.0",
];

/// A CAP message as read: the summary record plus what only the rules need.
#[derive(Debug, Clone, PartialEq)]
pub struct CapAlert {
    /// Namespace (version) of the message.
    pub namespace: String,
    /// The summary (without resolved areas, type and level: see `alerts::semantics`).
    pub record: AlertRecord,
    /// `eventCode` pairs of every info.
    pub event_codes: Vec<(String, String)>,
    /// `parameter` pairs of every info.
    pub parameters: Vec<(String, String)>,
    /// `senderName` of the first info that has one.
    pub sender_name: String,
}

/// True when the element is the CAP root `alert` of a namespace we read.
pub fn is_cap_root(node: Node<'_, '_>) -> bool {
    node.tag_name().name() == "alert"
        && node
            .tag_name()
            .namespace()
            .is_some_and(|ns| CAP_NAMESPACES.contains(&ns))
}

/// Read a CAP message from raw bytes (any supported encoding).
pub fn read_cap(bytes: &[u8], file: &str) -> Result<CapAlert, AlertReadError> {
    let text = xml::decode_xml(bytes, file)?;
    read_cap_text(&text, file)
}

/// Read a CAP message from decoded text.
pub fn read_cap_text(text: &str, file: &str) -> Result<CapAlert, AlertReadError> {
    let doc = xml::parse(text, file)?;
    let root = doc.root_element();
    if !is_cap_root(root) {
        return Err(AlertReadError::UnknownRoot {
            file: file.to_owned(),
            found: qualified(root),
        });
    }
    read_alert(root, file)
}

fn qualified(node: Node<'_, '_>) -> String {
    match node.tag_name().namespace() {
        Some(ns) => format!("{{{ns}}}{}", node.tag_name().name()),
        None => node.tag_name().name().to_owned(),
    }
}

/// Reads children of one element in the CAP namespace.
struct El<'a, 'input> {
    node: Node<'a, 'input>,
    ns: &'a str,
    path: String,
    file: &'a str,
}

impl<'a, 'input> El<'a, 'input> {
    fn children(&self, name: &'a str) -> impl Iterator<Item = Node<'a, 'input>> + 'a {
        let ns = self.ns;
        self.node
            .children()
            .filter(move |c| c.is_element() && c.tag_name().name() == name && c.tag_name().namespace() == Some(ns))
    }

    fn text(&self, name: &'a str) -> Option<String> {
        self.children(name)
            .next()
            .map(|n| n.text().unwrap_or_default().trim().to_owned())
    }

    fn text_or_empty(&self, name: &'a str) -> String {
        self.text(name).unwrap_or_default()
    }

    fn required(&self, name: &'a str) -> Result<String, AlertReadError> {
        match self.text(name) {
            Some(t) if !t.is_empty() => Ok(t),
            Some(_) => Err(self.err(name, "is empty")),
            None => Err(self.err(name, "is missing")),
        }
    }

    fn child(&self, node: Node<'a, 'input>, name: &str, index: usize) -> El<'a, 'input> {
        El {
            node,
            ns: self.ns,
            path: format!("{}/{name}[{index}]", self.path),
            file: self.file,
        }
    }

    fn err(&self, name: &str, msg: impl Into<String>) -> AlertReadError {
        AlertReadError::Element {
            file: self.file.to_owned(),
            element: format!("{}/{name}", self.path),
            msg: msg.into(),
        }
    }

    fn pairs(&self, name: &'a str) -> Vec<(String, String)> {
        self.children(name)
            .enumerate()
            .map(|(i, n)| {
                let e = self.child(n, name, i);
                (e.text_or_empty("valueName"), e.text_or_empty("value"))
            })
            .collect()
    }
}

fn read_alert(root: Node<'_, '_>, file: &str) -> Result<CapAlert, AlertReadError> {
    let ns = root.tag_name().namespace().unwrap_or_default();
    let a = El {
        node: root,
        ns,
        path: "alert".into(),
        file,
    };
    let sent = a.required("sent")?;
    let sent_ms = parse_cap_time(&sent);
    if sent_ms.is_none() {
        return Err(a.err(
            "sent",
            format!("\"{sent}\" is not a CAP dateTime (YYYY-MM-DDThh:mm:ss±hh:mm)"),
        ));
    }
    let key = AlertKey {
        sender: a.required("sender")?,
        identifier: a.required("identifier")?,
        sent,
    };
    let mut notes = Vec::new();
    let references = a
        .text("references")
        .map(|r| parse_references(&r, &mut notes))
        .unwrap_or_default();
    let mut infos = Vec::new();
    let mut areas: Vec<AlertArea> = Vec::new();
    let mut event_codes = Vec::new();
    let mut parameters = Vec::new();
    let mut sender_name = String::new();
    for (i, n) in a.children("info").enumerate() {
        let info = a.child(n, "info", i);
        let expires = info.text("expires").filter(|t| !t.is_empty());
        let expires_ms = match &expires {
            Some(t) => {
                Some(parse_cap_time(t).ok_or_else(|| info.err("expires", format!("\"{t}\" is not a CAP dateTime")))?)
            }
            None => None,
        };
        let onset_utc = info
            .text("onset")
            .filter(|t| !t.is_empty())
            .map(|t| {
                parse_cap_time(&t)
                    .map(utc_iso)
                    .ok_or_else(|| info.err("onset", format!("\"{t}\" is not a CAP dateTime")))
            })
            .transpose()?;
        infos.push(AlertInfo {
            language: info
                .text("language")
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| "en-US".into()),
            event: info.text_or_empty("event"),
            headline: info.text_or_empty("headline"),
            description: info.text_or_empty("description"),
            instruction: info.text_or_empty("instruction"),
            severity: info.text_or_empty("severity"),
            urgency: info.text_or_empty("urgency"),
            certainty: info.text_or_empty("certainty"),
            onset_utc,
            expires_utc: expires_ms.map(utc_iso),
            expires_ms,
        });
        event_codes.extend(info.pairs("eventCode"));
        parameters.extend(info.pairs("parameter"));
        if sender_name.is_empty() {
            sender_name = info.text_or_empty("senderName");
        }
        let mut these = Vec::new();
        for (j, an) in info.children("area").enumerate() {
            these.push(read_area(&info.child(an, "area", j))?);
        }
        if areas.is_empty() {
            areas = these;
        }
    }
    let expires_ms = if infos.iter().any(|i| i.expires_ms.is_none()) {
        None
    } else {
        infos.iter().filter_map(|i| i.expires_ms).max()
    };
    let record = AlertRecord {
        key,
        sent_ms,
        status: a.required("status")?,
        msg_type: a.required("msgType")?,
        scope: a.text_or_empty("scope"),
        references,
        infos,
        areas,
        warning_type: None,
        level: None,
        expires_ms,
        notes,
    };
    Ok(CapAlert {
        namespace: ns.to_owned(),
        record,
        event_codes,
        parameters,
        sender_name,
    })
}

/// `sender,identifier,sent` triples separated by whitespace; malformed ones are noted and skipped.
pub fn parse_references(text: &str, notes: &mut Vec<String>) -> Vec<AlertKey> {
    let mut out = Vec::new();
    for triple in text.split_whitespace() {
        let parts: Vec<&str> = triple.split(',').collect();
        match parts.as_slice() {
            [s, i, t] if !s.is_empty() && !i.is_empty() && !t.is_empty() => out.push(AlertKey {
                sender: (*s).to_owned(),
                identifier: (*i).to_owned(),
                sent: (*t).to_owned(),
            }),
            _ => notes.push(format!("reference \"{triple}\" is not sender,identifier,sent; skipped")),
        }
    }
    out
}

fn read_area(area: &El<'_, '_>) -> Result<AlertArea, AlertReadError> {
    let mut polygons = Vec::new();
    for (k, p) in area.children("polygon").enumerate() {
        let text = p.text().unwrap_or_default().trim();
        if text.is_empty() {
            continue; // NWS writes empty <polygon/> when the area is given by codes only.
        }
        let ring = parse_polygon(text).map_err(|msg| area.err(&format!("polygon[{k}]"), msg))?;
        polygons.push(ring);
    }
    let mut circles = Vec::new();
    for (k, c) in area.children("circle").enumerate() {
        let text = c.text().unwrap_or_default().trim();
        if text.is_empty() {
            continue;
        }
        circles.push(parse_circle(text).map_err(|msg| area.err(&format!("circle[{k}]"), msg))?);
    }
    Ok(AlertArea {
        desc: area.text_or_empty("areaDesc"),
        polygons,
        circles,
        geocodes: area.pairs("geocode"),
        resolved: Vec::new(),
    })
}

fn parse_point(pair: &str) -> Result<[f64; 2], String> {
    let (lat, lon) = pair
        .split_once(',')
        .ok_or_else(|| format!("\"{pair}\" is not a lat,lon pair"))?;
    let lat: f64 = lat
        .trim()
        .parse()
        .map_err(|_| format!("latitude \"{lat}\" is not a number"))?;
    let lon: f64 = lon
        .trim()
        .parse()
        .map_err(|_| format!("longitude \"{lon}\" is not a number"))?;
    if !crate::geom::valid_lonlat(lon, lat) {
        return Err(format!(
            "\"{pair}\" is outside WGS-84 (CAP writes latitude first: lat,lon)"
        ));
    }
    Ok([lon, lat])
}

/// A CAP polygon: at least four `lat,lon` pairs, first = last (closed here when not).
pub fn parse_polygon(text: &str) -> Result<Vec<[f64; 2]>, String> {
    let mut ring = text
        .split_whitespace()
        .map(parse_point)
        .collect::<Result<Vec<_>, _>>()?;
    if ring.first() != ring.last()
        && let Some(&first) = ring.first()
    {
        ring.push(first);
    }
    if ring.len() < 4 {
        return Err(format!(
            "a polygon needs at least 3 distinct points, found {}",
            ring.len().saturating_sub(1)
        ));
    }
    Ok(ring)
}

/// A CAP circle: `lat,lon radius_km`.
pub fn parse_circle(text: &str) -> Result<AlertCircle, String> {
    let (centre, radius) = text
        .split_once(char::is_whitespace)
        .ok_or_else(|| format!("\"{text}\" is not \"lat,lon radius\""))?;
    let center_lonlat = parse_point(centre)?;
    let radius_km: f64 = radius
        .trim()
        .parse()
        .map_err(|_| format!("radius \"{}\" is not a number", radius.trim()))?;
    if !radius_km.is_finite() || radius_km < 0.0 {
        return Err(format!("radius {radius_km} must be ≥ 0 km"));
    }
    Ok(AlertCircle {
        center_lonlat,
        radius_km,
    })
}
