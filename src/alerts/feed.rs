//! Atom and RSS 2.0 indexes of CAP messages (NWS, WMO Alert Hub, MeteoAlarm style): one entry per
//! alert with its id, title, update time and the link to the CAP document. Pure; must not import
//! egui, tokio or rusqlite.

use roxmltree::Node;

use super::error::AlertReadError;
use super::xml;

/// Atom namespace.
pub const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

/// One entry of an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEntry {
    /// Atom `id` / RSS `guid` (or the link when neither is given).
    pub id: String,
    /// Title.
    pub title: String,
    /// Atom `updated` / RSS `pubDate`, as written.
    pub updated: String,
    /// Link to the CAP document, when the entry has one.
    pub cap_url: Option<String>,
}

/// True when the element is an Atom `feed` or an RSS `rss`.
pub fn is_feed_root(node: Node<'_, '_>) -> bool {
    let t = node.tag_name();
    (t.name() == "feed" && t.namespace() == Some(ATOM_NS)) || (t.name() == "rss" && t.namespace().is_none())
}

/// Read an Atom or RSS index from raw bytes.
pub fn read_feed(bytes: &[u8], file: &str) -> Result<Vec<FeedEntry>, AlertReadError> {
    let text = xml::decode_xml(bytes, file)?;
    let doc = xml::parse(&text, file)?;
    let root = doc.root_element();
    if !is_feed_root(root) {
        return Err(AlertReadError::UnknownRoot {
            file: file.to_owned(),
            found: root.tag_name().name().to_owned(),
        });
    }
    Ok(read_feed_root(root))
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str, ns: Option<&str>) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name && c.tag_name().namespace() == ns)
}

fn text_of(node: Node<'_, '_>, name: &str, ns: Option<&str>) -> String {
    child(node, name, ns)
        .and_then(|c| c.text())
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// Entries of an already parsed `feed` / `rss` root element.
pub fn read_feed_root(root: Node<'_, '_>) -> Vec<FeedEntry> {
    if root.tag_name().name() == "feed" {
        let ns = Some(ATOM_NS);
        root.children()
            .filter(|c| c.is_element() && c.tag_name().name() == "entry" && c.tag_name().namespace() == ns)
            .map(|e| {
                let links: Vec<(String, String, String)> = e
                    .children()
                    .filter(|c| c.is_element() && c.tag_name().name() == "link" && c.tag_name().namespace() == ns)
                    .map(|l| {
                        (
                            l.attribute("href").unwrap_or_default().trim().to_owned(),
                            l.attribute("type").unwrap_or_default().to_owned(),
                            l.attribute("rel").unwrap_or("alternate").to_owned(),
                        )
                    })
                    .filter(|(h, _, _)| !h.is_empty())
                    .collect();
                let cap_url = links
                    .iter()
                    .find(|(_, t, _)| t.contains("cap"))
                    .or_else(|| {
                        links
                            .iter()
                            .find(|(h, _, _)| h.ends_with(".cap") || h.ends_with(".xml"))
                    })
                    .or_else(|| links.iter().find(|(_, _, r)| r == "alternate"))
                    .map(|(h, _, _)| h.clone());
                let id = text_of(e, "id", ns);
                FeedEntry {
                    id: if id.is_empty() {
                        cap_url.clone().unwrap_or_default()
                    } else {
                        id
                    },
                    title: text_of(e, "title", ns),
                    updated: text_of(e, "updated", ns),
                    cap_url,
                }
            })
            .collect()
    } else {
        let Some(channel) = child(root, "channel", None) else {
            return Vec::new();
        };
        channel
            .children()
            .filter(|c| c.is_element() && c.tag_name().name() == "item" && c.tag_name().namespace().is_none())
            .map(|item| {
                let link = text_of(item, "link", None);
                let guid = text_of(item, "guid", None);
                FeedEntry {
                    id: if guid.is_empty() { link.clone() } else { guid },
                    title: text_of(item, "title", None),
                    updated: text_of(item, "pubDate", None),
                    cap_url: (!link.is_empty()).then_some(link),
                }
            })
            .collect()
    }
}
