//! Bytes of an XML document to text, and a parsed tree with DTDs refused: UTF-8 (with or
//! without BOM), UTF-16 with a BOM, and ISO-8859-1 / Latin-1 / US-ASCII by the XML declaration.
//! Other declared encodings (GBK, GB2312, GB18030 …) are refused with a clear error rather than
//! misread. Pure; must not import egui, tokio or rusqlite.

use super::error::AlertReadError;

/// Decode the raw bytes of an XML document to text (BOM removed).
pub fn decode_xml(bytes: &[u8], file: &str) -> Result<String, AlertReadError> {
    let enc_err = |msg: String| AlertReadError::Encoding {
        file: file.to_owned(),
        msg,
    };
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8(rest.to_vec()).map_err(|e| enc_err(format!("invalid UTF-8 after the BOM: {e}")));
    }
    for (bom, big_endian) in [([0xFE, 0xFF], true), ([0xFF, 0xFE], false)] {
        if let Some(rest) = bytes.strip_prefix(&bom) {
            if rest.len() % 2 != 0 {
                return Err(enc_err("UTF-16 text with an odd number of bytes".into()));
            }
            let units: Vec<u16> = rest
                .chunks_exact(2)
                .map(|c| {
                    if big_endian {
                        u16::from_be_bytes([c[0], c[1]])
                    } else {
                        u16::from_le_bytes([c[0], c[1]])
                    }
                })
                .collect();
            return String::from_utf16(&units).map_err(|e| enc_err(format!("invalid UTF-16: {e}")));
        }
    }
    let declared = declared_encoding(bytes).map(|e| e.to_ascii_lowercase());
    match declared.as_deref() {
        None | Some("utf-8" | "utf8") => {
            String::from_utf8(bytes.to_vec()).map_err(|e| enc_err(format!("invalid UTF-8: {e}")))
        }
        Some("iso-8859-1" | "iso8859-1" | "latin1" | "latin-1" | "us-ascii" | "ascii") => {
            Ok(bytes.iter().map(|&b| char::from(b)).collect())
        }
        Some(other) => Err(enc_err(format!(
            "declared encoding \"{other}\" is not supported (UTF-8, UTF-16 with BOM, ISO-8859-1); convert the file to UTF-8"
        ))),
    }
}

/// The `encoding="…"` of the XML declaration, if any.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(200)];
    let text: String = head.iter().map(|&b| char::from(b)).collect();
    let decl = text.strip_prefix("<?xml")?;
    let decl = &decl[..decl.find("?>")?];
    let pos = decl.find("encoding")?;
    let after = decl[pos + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &after[1..];
    Some(value[..value.find(quote)?].to_owned())
}

/// Parse XML text; any DOCTYPE is refused (no entity is ever resolved).
pub fn parse<'a>(text: &'a str, file: &str) -> Result<roxmltree::Document<'a>, AlertReadError> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(text, opts).map_err(|e| match e {
        roxmltree::Error::DtdDetected => AlertReadError::Dtd { file: file.to_owned() },
        other => AlertReadError::Xml {
            file: file.to_owned(),
            msg: other.to_string(),
        },
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(decode_xml(b"\xEF\xBB\xBF<a/>", "f").unwrap(), "<a/>");
        assert_eq!(
            decode_xml(b"<?xml version='1.0' encoding='ISO-8859-1'?><a>Usulut\xe1n</a>", "f").unwrap(),
            "<?xml version='1.0' encoding='ISO-8859-1'?><a>Usulután</a>"
        );
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("<a>暴雨</a>".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode_xml(&utf16, "f").unwrap(), "<a>暴雨</a>");
        let gbk = decode_xml(b"<?xml version=\"1.0\" encoding=\"GBK\"?><a/>", "x.xml").unwrap_err();
        assert!(
            gbk.to_string().contains("x.xml") && gbk.to_string().contains("gbk"),
            "{gbk}"
        );
        assert!(decode_xml(b"<a>\xff</a>", "f").is_err());
    }

    #[test]
    fn dtd_refused() {
        let e = parse(
            "<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>",
            "evil.cap",
        )
        .unwrap_err();
        assert_eq!(
            e,
            AlertReadError::Dtd {
                file: "evil.cap".into()
            }
        );
    }
}
