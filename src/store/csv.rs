//! Minimal RFC 4180 CSV reading and writing (UTF-8, optional BOM, CRLF or LF, quoted fields with
//! `""` escapes). Owns only text handling; must not import rusqlite, egui or tokio.

/// One parsed record with the 1-based line number where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRow {
    /// 1-based line number of the record's first line.
    pub line: usize,
    /// Field values, unquoted.
    pub fields: Vec<String>,
}

/// A syntax error in CSV text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct CsvError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// Parse CSV text into records; blank lines are skipped.
pub fn parse_csv(text: &str) -> Result<Vec<CsvRow>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut line = 1usize;
    let mut row_line = 1usize;
    let mut in_quotes = false;
    let mut quote_line = 0usize;
    let mut field_started_quoted = false;
    let mut after_quote = false;
    let mut chars = text.chars().peekable();
    let mut row_has_content = false;
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => {
                    in_quotes = false;
                    after_quote = true;
                }
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !field_started_quoted => {
                in_quotes = true;
                field_started_quoted = true;
                quote_line = line;
                row_has_content = true;
            }
            '"' => {
                return Err(CsvError {
                    line,
                    reason: "unexpected quote inside an unquoted field".into(),
                });
            }
            ',' => {
                fields.push(std::mem::take(&mut field));
                field_started_quoted = false;
                after_quote = false;
                row_has_content = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                if row_has_content || !field.is_empty() {
                    fields.push(std::mem::take(&mut field));
                    rows.push(CsvRow {
                        line: row_line,
                        fields: std::mem::take(&mut fields),
                    });
                }
                field_started_quoted = false;
                after_quote = false;
                row_has_content = false;
                line += 1;
                row_line = line;
            }
            _ if after_quote => {
                return Err(CsvError {
                    line,
                    reason: "text after the closing quote of a field".into(),
                });
            }
            _ => {
                field.push(c);
                row_has_content = true;
            }
        }
    }
    if in_quotes {
        return Err(CsvError {
            line: quote_line,
            reason: "quoted field is never closed".into(),
        });
    }
    if row_has_content || !field.is_empty() {
        fields.push(field);
        rows.push(CsvRow { line: row_line, fields });
    }
    Ok(rows)
}

/// Append one field, quoted when needed.
pub fn write_field(out: &mut String, value: &str) {
    let needs = value.contains([',', '"', '\n', '\r']) || value.starts_with(' ') || value.ends_with(' ');
    if needs {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// Append one record terminated by `\n`.
pub fn write_row<S: AsRef<str>>(out: &mut String, fields: &[S]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_field(out, f.as_ref());
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_quotes_crlf_and_reports_lines() {
        let rows = parse_csv("\u{feff}a,b\r\n\"x, \"\"y\"\"\",2\r\n\r\n\"multi\nline\",3\nlast,").unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[1].fields, vec!["x, \"y\"", "2"]);
        assert_eq!(rows[2].line, 4);
        assert_eq!(rows[2].fields[0], "multi\nline");
        assert_eq!(rows[3].line, 6);
        assert_eq!(rows[3].fields, vec!["last", ""]);
        assert_eq!(parse_csv("a,\"b\nc").unwrap_err().line, 1);
        assert_eq!(parse_csv("a\nb\"c").unwrap_err().line, 2);
    }

    #[test]
    fn write_then_parse_round_trips() {
        let vals = ["plain", "with,comma", "quote\"d", " padded ", "中文", ""];
        let mut out = String::new();
        write_row(&mut out, &vals);
        let rows = parse_csv(&out).unwrap();
        assert_eq!(rows[0].fields, vals);
    }
}
