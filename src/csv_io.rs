//! CSV reading and writing over the `csv` crate (RFC 4180: UTF-8, optional BOM, CRLF or LF,
//! quoted fields with `""` escapes and embedded line ends) with STRICT framing: a final record
//! without its line end (a truncated file), an unbalanced quote, a quote inside an unquoted field
//! or a row with another field count than the first are errors naming the line, never a record
//! silently cut short. Writing neutralises cells a spreadsheet would run as a formula.
//! Pure: must not import rusqlite, egui or tokio.

/// One parsed record with the 1-based line number where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRow {
    /// 1-based line number of the record's first line.
    pub line: usize,
    /// Field values, unquoted.
    pub fields: Vec<String>,
}

/// A syntax or framing error in CSV text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("第 {line} 行 / line {line}: {reason}")]
pub struct CsvError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// Parse CSV text into records (the header is the first record); blank lines are skipped.
/// Every record must have as many fields as the first one and the text must end with a line end.
pub fn parse_csv(text: &str) -> Result<Vec<CsvRow>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows: Vec<CsvRow> = Vec::new();
    // Byte offset where each record starts, to look at its raw text for quote framing.
    let mut starts: Vec<usize> = Vec::new();
    // The `csv` crate's own line numbers drift on CRLF and blank lines, so lines are counted
    // here from the record's byte offset.
    let lines = line_starts(text);
    let line_of = |byte: usize| lines.partition_point(|&s| s <= byte).max(1);
    let mut record = csv::StringRecord::new();
    loop {
        let before = usize::try_from(reader.position().byte()).unwrap_or(usize::MAX);
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let at = e
                    .position()
                    .map_or(before, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
                return Err(CsvError {
                    line: line_of(skip_line_ends(text, at)),
                    reason: csv_reason(&e),
                });
            }
        }
        let byte = record
            .position()
            .map_or(before, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        let byte = skip_line_ends(text, byte);
        let line = line_of(byte);
        let fields: Vec<String> = record.iter().map(str::to_owned).collect();
        if let Some(first) = rows.first()
            && first.fields.len() != fields.len()
        {
            return Err(CsvError {
                line,
                reason: format!(
                    "{} fields, but line {} has {} / 字段数与第 {} 行不同",
                    fields.len(),
                    first.line,
                    first.fields.len(),
                    first.line
                ),
            });
        }
        starts.push(byte);
        rows.push(CsvRow { line, fields });
    }
    // Quote framing per record: the `csv` crate is lenient (an unclosed quote swallows the rest
    // of the file, `a"b` is read as text); OneMap refuses both.
    for (i, row) in rows.iter().enumerate() {
        let start = starts.get(i).copied().unwrap_or(0).min(text.len());
        let end = starts.get(i + 1).copied().unwrap_or(text.len()).min(text.len());
        if let Some(reason) = quote_problem(text.get(start..end).unwrap_or("")) {
            return Err(CsvError { line: row.line, reason });
        }
    }
    if let Some(last) = rows.last()
        && !text.ends_with(['\n', '\r'])
    {
        return Err(CsvError {
            line: last.line,
            reason:
                "the last record has no line end: the file may be truncated / 最后一条记录没有换行符，文件可能被截断"
                    .into(),
        });
    }
    Ok(rows)
}

/// Check the quoting of one record's raw text: every field is either unquoted without any quote,
/// or fully quoted with inner quotes doubled.
fn quote_problem(raw: &str) -> Option<String> {
    let mut chars = raw.chars().peekable();
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        match c {
            '"' if at_field_start => {
                // Quoted field: up to the closing quote not followed by another quote.
                loop {
                    match chars.next() {
                        None => return Some("quoted field is never closed / 引号未闭合".into()),
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                        }
                        Some('"') => break,
                        Some(_) => {}
                    }
                }
                match chars.peek() {
                    None | Some(',' | '\n' | '\r') => at_field_start = false,
                    Some(_) => {
                        return Some("text after the closing quote of a field / 引号后有多余字符".into());
                    }
                }
            }
            '"' => return Some("unexpected quote inside an unquoted field / 未加引号的字段中有引号".into()),
            ',' | '\n' | '\r' => at_field_start = true,
            _ => at_field_start = false,
        }
    }
    None
}

/// Byte offsets where each line starts (after LF, CRLF or a lone CR).
fn line_starts(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut out = vec![0];
    for (i, c) in b.iter().enumerate() {
        if *c == b'\n' || (*c == b'\r' && b.get(i + 1) != Some(&b'\n')) {
            out.push(i + 1);
        }
    }
    out
}

/// The first byte at or after `at` that is not a line end (records start after blank lines).
fn skip_line_ends(text: &str, at: usize) -> usize {
    let b = text.as_bytes();
    let mut i = at.min(b.len());
    while i < b.len() && matches!(b[i], b'\r' | b'\n') {
        i += 1;
    }
    i
}

fn csv_reason(e: &csv::Error) -> String {
    e.to_string()
}

/// Decode file bytes as UTF-8 text (a BOM is kept for the parser to drop); otherwise an error
/// naming the line of the first bad byte and the likely encoding (UTF-16 or GBK).
pub fn decode_utf8(bytes: Vec<u8>) -> Result<String, CsvError> {
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let bad = e.utf8_error().valid_up_to();
        let line = bytes.iter().take(bad).filter(|b| **b == b'\n').count() + 1;
        let utf16 = bytes.starts_with(&[0xff, 0xfe])
            || bytes.starts_with(&[0xfe, 0xff])
            || bytes.iter().take(64).filter(|b| **b == 0).count() >= 8;
        let guess = if utf16 { "UTF-16" } else { "GBK/GB18030" };
        CsvError {
            line,
            reason: format!(
                "不是 UTF-8 文本，可能是 {guess} 编码，请另存为 UTF-8 / not UTF-8 text, probably {guess}: save it as UTF-8"
            ),
        }
    })
}

/// Characters that make a spreadsheet treat a cell as a formula (OWASP "CSV injection").
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as written: one starting with `= + - @` (or tab / CR) gets a leading `'` so that
/// Excel / WPS / LibreOffice show it as text instead of running it (`=HYPERLINK(…)`); plain
/// numbers such as `-0.5` stay as they are so coordinates and quantities remain numbers. A cell
/// that already starts with `'` before such a start (`'=x`) gets one more, so that
/// [`unneutralise`] gives back exactly the original.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if needs_quote(cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Whether a cell, after any leading apostrophes, starts like a formula (and is no number).
fn needs_quote(cell: &str) -> bool {
    let rest = cell.trim_start_matches('\'');
    let risky = rest.starts_with(FORMULA_START);
    let number = rest.parse::<f64>().is_ok_and(f64::is_finite) && !rest.starts_with(['\t', '\r']);
    risky && !number
}

/// The inverse of [`neutralise`] for import, so an exported file imports unchanged.
pub fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_quote(rest) => rest,
        _ => cell,
    }
}

/// A CSV document being written (LF line ends, fields quoted only when needed).
pub struct CsvWriter {
    inner: csv::Writer<Vec<u8>>,
}

impl Default for CsvWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl CsvWriter {
    /// An empty document.
    pub fn new() -> Self {
        Self {
            inner: csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .flexible(true)
                .from_writer(Vec::new()),
        }
    }

    /// Append one record; cells a spreadsheet would run as a formula are neutralised
    /// (see [`neutralise`]).
    pub fn row<S: AsRef<str>>(&mut self, fields: &[S]) -> Result<(), CsvError> {
        self.inner
            .write_record(fields.iter().map(|f| neutralise(f.as_ref()).into_owned()))
            .map_err(|e| CsvError {
                line: 0,
                reason: e.to_string(),
            })
    }

    /// The finished text.
    pub fn finish(self) -> Result<String, CsvError> {
        let err = |reason: String| CsvError { line: 0, reason };
        let bytes = self.inner.into_inner().map_err(|e| err(e.to_string()))?;
        String::from_utf8(bytes).map_err(|e| err(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_quotes_crlf_and_reports_lines() {
        let rows = parse_csv("\u{feff}a,b\r\n\"x, \"\"y\"\"\",2\r\n\r\n\"multi\nline\",3\nlast,\n").unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[1].fields, vec!["x, \"y\"", "2"]);
        assert_eq!(rows[2].line, 4);
        assert_eq!(rows[2].fields[0], "multi\nline");
        assert_eq!(rows[3].line, 6);
        assert_eq!(rows[3].fields, vec!["last", ""]);
    }

    #[test]
    fn strict_framing_names_the_line() {
        // A truncated file: the stock quantity 800 cut to 8 must not be read as 8.
        let e = parse_csv("item,qty\nwater,8").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.reason.contains("truncated"), "{e}");
        // Unbalanced quote (swallows the rest of the file in a lenient reader).
        let e = parse_csv("a,b\nx,\"y\nz,w\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.reason.contains("never closed"), "{e}");
        // Quote in an unquoted field, and text after a closing quote.
        assert_eq!(parse_csv("a,b\nx,b\"c\n").unwrap_err().line, 2);
        assert_eq!(parse_csv("a,b\nx,\"b\"c\n").unwrap_err().line, 2);
        // Short row.
        let e = parse_csv("a,b,c\n1,2,3\n\n4,5\n").unwrap_err();
        assert_eq!(e.line, 4);
    }

    #[test]
    fn encoding_errors_name_line_and_encoding() {
        // "中文" in GBK is D6 D0 CE C4 (not valid UTF-8).
        let e = decode_utf8(b"a,b\n1,2\n\xd6\xd0\xce\xc4,3\n".to_vec()).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.reason.contains("GBK"), "{e}");
        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain("a,b\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let e = decode_utf8(utf16).unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.reason.contains("UTF-16"), "{e}");
        assert_eq!(decode_utf8("中文\n".as_bytes().to_vec()).unwrap(), "中文\n");
    }

    #[test]
    fn formulas_are_neutralised_and_round_trip() {
        for (cell, written) in [
            ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
            ("+86 691 2123456", "'+86 691 2123456"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("-cmd", "'-cmd"),
            ("-0.5", "-0.5"),
            ("+3", "+3"),
            ("plain", "plain"),
            // Already starting with an apostrophe: one more, so the import gives it back.
            ("'=a", "''=a"),
            ("''@x", "'''@x"),
            ("'plain", "'plain"),
            ("'-0.5", "'-0.5"),
        ] {
            assert_eq!(neutralise(cell), written, "{cell}");
            assert_eq!(unneutralise(written), cell, "{cell}");
        }
        let mut w = CsvWriter::new();
        w.row(&["=1+1", "ok"]).unwrap();
        assert_eq!(w.finish().unwrap(), "'=1+1,ok\n");
    }

    #[test]
    fn write_then_parse_round_trips() {
        let vals = ["plain", "with,comma", "quote\"d", " padded ", "中文", "", "multi\nline"];
        let mut w = CsvWriter::new();
        w.row(&vals).unwrap();
        w.row(&["a", "b", "c", "d", "e", "f", "g"]).unwrap();
        let out = w.finish().unwrap();
        let rows = parse_csv(&out).unwrap();
        assert_eq!(rows[0].fields, vals);
        assert_eq!(rows[1].line, 3);
    }
}
