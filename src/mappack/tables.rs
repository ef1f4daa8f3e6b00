//! Non-geometric pack layers: a CSV gazetteer of place names (townships without coordinates) and
//! JSON road-corridor descriptions.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{PackError, json_error};

/// One row of a gazetteer: a named place without coordinates, tied to its county.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GazetteerRow {
    /// Statistical code (NBS), if given.
    pub code: Option<String>,
    /// Chinese name.
    pub name_zh: String,
    /// Romanised name as given (may be machine pinyin).
    pub name_latin: Option<String>,
    /// Kind (town, township, subdistrict …).
    pub kind: Option<String>,
    /// Adcode of the county that contains it.
    pub county_adcode: Option<u32>,
}

/// One road corridor: a published route description (no geometry).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Corridor {
    /// Road name.
    pub road: String,
    /// Road number, if any.
    #[serde(default, rename = "ref")]
    pub road_ref: Option<String>,
    /// Road class as published.
    #[serde(default)]
    pub class: Option<String>,
    /// Towns the road passes, in order.
    #[serde(default)]
    pub towns_in_order: Vec<String>,
}

/// Parse a gazetteer CSV with a header row; needs `name_zh`, optional `nbs_code`,
/// `name_pinyin_machine`, `kind`, `county_adcode`. Quoted fields are supported.
pub fn parse_gazetteer(path: &Path, text: &str) -> Result<Vec<GazetteerRow>, PackError> {
    let err = |line: usize, msg: String| PackError::Line {
        path: path.to_path_buf(),
        line,
        msg,
    };
    let records = crate::csv_io::parse_csv(text).map_err(|e| err(e.line, e.reason))?;
    let Some((header, body)) = records.split_first() else {
        return Err(err(1, "empty CSV: a header row is required".into()));
    };
    let hl = header.line;
    let header = &header.fields;
    let col = |name: &str| header.iter().position(|h| h.trim() == name);
    let name_col = col("name_zh").ok_or_else(|| err(hl, "column \"name_zh\" is missing".into()))?;
    let (code, latin, kind, county) = (
        col("nbs_code"),
        col("name_pinyin_machine"),
        col("kind"),
        col("county_adcode"),
    );
    let mut rows = Vec::new();
    for rec in body {
        let (n, f) = (rec.line, &rec.fields);
        // Every record has the header's field count (checked by the reader), so `get` only
        // misses for absent optional columns.
        let get = |c: Option<usize>| {
            c.and_then(|c| f.get(c))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let name_zh = get(Some(name_col)).unwrap_or_default();
        if name_zh.is_empty() {
            return Err(err(n, "name_zh is empty".into()));
        }
        let county_adcode = match get(county) {
            Some(s) => Some(
                s.parse()
                    .map_err(|_| err(n, format!("county_adcode \"{s}\" is not a number")))?,
            ),
            None => None,
        };
        rows.push(GazetteerRow {
            code: get(code),
            name_zh,
            name_latin: get(latin),
            kind: get(kind),
            county_adcode,
        });
    }
    Ok(rows)
}

/// Parse a JSON array of road corridors.
pub fn parse_corridors(path: &Path, text: &str) -> Result<Vec<Corridor>, PackError> {
    let values: Vec<serde_json::Value> = serde_json::from_str(text).map_err(|e| json_error(path, &e))?;
    values
        .into_iter()
        .enumerate()
        .map(|(index, v)| {
            serde_json::from_value(v).map_err(|e| PackError::Feature {
                path: path.to_path_buf(),
                index,
                msg: e.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gazetteer_reads_and_rejects() {
        let t = "nbs_code,name_zh,name_pinyin_machine,kind,county_adcode\n532823105,磨憨镇,MoHanZhen,town,532823\n1,\"A, B\",x,town,\n";
        let rows = parse_gazetteer(Path::new("g.csv"), t).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].county_adcode, Some(532823));
        assert_eq!(rows[1].name_zh, "A, B");
        assert_eq!(rows[1].county_adcode, None);
        // A quoted line end inside a field (the old line-based reader split it) and a truncated
        // final record.
        let rows = parse_gazetteer(Path::new("g.csv"), "name_zh,kind\n\"勐腊\n镇\",town\nx,y\n").unwrap();
        assert_eq!(rows[0].name_zh, "勐腊\n镇");
        let e = parse_gazetteer(Path::new("g.csv"), "name_zh,kind\n勐腊镇,town")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2") && e.contains("truncated"), "{e}");
        let e = parse_gazetteer(Path::new("g.csv"), "name_zh,county_adcode\n勐腊镇\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2") && e.contains("1 fields"), "{e}");
        let e = parse_gazetteer(Path::new("g.csv"), "code\n1\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("name_zh"), "{e}");
    }

    #[test]
    fn corridors_need_a_road_name() {
        let ok = parse_corridors(
            Path::new("c.json"),
            r#"[{"road":"G213","towns_in_order":["景洪","勐腊"]}]"#,
        )
        .unwrap();
        assert_eq!(ok[0].towns_in_order.len(), 2);
        let e = parse_corridors(Path::new("c.json"), r#"[{"road":"x"},{"ref":"G1"}]"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("feature 1") && e.contains("road"), "{e}");
    }
}
