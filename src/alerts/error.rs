//! Typed reader errors: every one names the file (or feed URL) and the element, key or feature
//! at fault. Pure; must not import egui, tokio or rusqlite.

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AlertReadError {
    /// The bytes are not in an encoding we read.
    #[error("{file}: {msg}")]
    Encoding {
        /// File or URL.
        file: String,
        /// What is wrong.
        msg: String,
    },
    /// Not well-formed XML.
    #[error("{file}: not well-formed XML: {msg}")]
    Xml {
        /// File or URL.
        file: String,
        /// Parser message (with line and column).
        msg: String,
    },
    /// A DTD or entity declaration: refused (XXE protection), nothing is resolved.
    #[error("{file}: DOCTYPE / entity declarations are refused (XXE protection); nothing was resolved")]
    Dtd {
        /// File or URL.
        file: String,
    },
    /// The root element is not one we read.
    #[error("{file}: root element <{found}> is not a CAP <alert>, an Atom <feed> or an RSS <rss>")]
    UnknownRoot {
        /// File or URL.
        file: String,
        /// Root element name with its namespace.
        found: String,
    },
    /// A required element is missing or an element's value is invalid.
    #[error("{file}: <{element}>: {msg}")]
    Element {
        /// File or URL.
        file: String,
        /// Element path (`alert/info[1]/area[0]/polygon`).
        element: String,
        /// What is wrong.
        msg: String,
    },
    /// JSON that does not parse.
    #[error("{file}: not valid JSON: {msg}")]
    Json {
        /// File or URL.
        file: String,
        /// Parser message.
        msg: String,
    },
    /// A JSON record with a missing or invalid field.
    #[error("{file}: {record}: {msg}")]
    Record {
        /// File or URL.
        file: String,
        /// Which record (`features[3].properties.mag`, `shuju[0].O_TIME` …).
        record: String,
        /// What is wrong.
        msg: String,
    },
    /// Neither XML nor a known JSON shape.
    #[error("{file}: not a CAP message, feed index, USGS GeoJSON or CENC catalogue ({msg})")]
    UnknownFormat {
        /// File or URL.
        file: String,
        /// What was seen.
        msg: String,
    },
}
