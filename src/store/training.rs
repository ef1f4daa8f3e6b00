//! A training database: a new SQLite file holding only the master data of a live log (stations,
//! units at their current positions, warehouses and stock, shelters), so a drill can run on its
//! own file and never touch the live situation. Goes through the same export and import as
//! `onemap export` / `onemap import`, so the copy is exactly what those round-trip. Must not
//! import egui or tokio.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Store, StoreError};

/// What a training copy wrote.
#[derive(Debug, Clone, Serialize)]
pub struct TrainingCopy {
    /// The new database file.
    pub db: PathBuf,
    /// Master-data records copied.
    pub records: usize,
    /// Events appended to the new file.
    pub events: usize,
    /// Incidents of the live log left behind (never copied).
    pub incidents_left: usize,
}

/// Copy the master data of `live` into a new database file `out` (refused when it exists and is
/// not empty). Incidents, dispatches and drills are not copied; units start available where
/// they stand in the live log.
pub fn training_copy(live: &mut Store, out: &Path, operator: &str) -> Result<TrainingCopy, StoreError> {
    let exists_with_data = std::fs::metadata(out).is_ok_and(|m| m.len() > 0);
    if exists_with_data {
        return Err(StoreError::Io {
            path: out.display().to_string(),
            source: std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "训练库文件已存在且非空，未写入任何内容 / the training database exists and is not empty; nothing written",
            ),
        });
    }
    let incidents_left = live.situation()?.incidents.len();
    let tmp = scratch_dir(out);
    let result = (|| {
        let exported = live.export(&tmp)?;
        let files: Vec<PathBuf> = exported.files.iter().map(|(p, _)| p.clone()).collect();
        Store::init(out)?;
        let mut copy = Store::open(out)?;
        let report = copy.import(&files, operator)?;
        Ok(TrainingCopy {
            db: out.to_path_buf(),
            records: report.records,
            events: report.events_appended,
            incidents_left,
        })
    })();
    let _ = std::fs::remove_dir_all(&tmp);
    if result.is_err() && !exists_with_data {
        let _ = std::fs::remove_file(out);
    }
    result
}

/// A private folder beside `out` for the exported tables (removed afterwards).
fn scratch_dir(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map_or_else(|| "training".into(), |n| n.to_string_lossy().into_owned());
    out.with_file_name(format!(".{name}.master-{}", std::process::id()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The copy holds the live master data exactly (its export equals the live export, byte for
    /// byte) and nothing else; the live log is unchanged; a non-empty target is refused.
    #[test]
    fn training_copy_holds_exactly_the_master_data() {
        let dir = tempfile::tempdir().unwrap();
        let live_path = dir.path().join("live.db");
        Store::init(&live_path).unwrap();
        let mut live = Store::open(&live_path).unwrap();
        let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("maps/xishuangbanna/demo");
        let files: Vec<PathBuf> = ["stations", "units", "warehouses", "stock", "shelters"]
            .iter()
            .map(|t| demo.join(format!("{t}.csv")))
            .collect();
        live.import(&files, "tester").unwrap();
        live.append(
            "tester",
            "seat-1",
            None,
            crate::model::EventKind::IncidentReported {
                incident: crate::model::IncidentId(1),
                incident_type: crate::model::IncidentType::Flood,
                severity: crate::model::Severity::II,
                lonlat: crate::model::LonLat::from_deg(100.79, 22.0).unwrap(),
                address: "test".into(),
                reported_at_utc: crate::time::now_utc_iso(),
                caller: crate::model::incident::Caller::default(),
                notes: String::new(),
            },
        )
        .unwrap();
        assert_eq!(live.situation().unwrap().incidents.len(), 1);
        let before = live.last_seq().unwrap();
        let out = dir.path().join("training.db");
        let copy = training_copy(&mut live, &out, "trainer").unwrap();
        assert!(copy.records > 10, "{copy:?}");
        assert_eq!(live.last_seq().unwrap(), before, "the live log is unchanged");
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        live.export(&a).unwrap();
        let mut t = Store::open(&out).unwrap();
        t.export(&b).unwrap();
        for f in ["stations", "units", "warehouses", "stock", "shelters"] {
            let name = format!("{f}.csv");
            assert_eq!(
                std::fs::read(a.join(&name)).unwrap(),
                std::fs::read(b.join(&name)).unwrap(),
                "{name}"
            );
        }
        assert!(t.situation().unwrap().incidents.is_empty());
        let again = training_copy(&mut live, &out, "trainer").unwrap_err();
        assert!(again.to_string().contains("训练库文件已存在"), "{again}");
    }
}
