//! The console's log file: a `log` facade backend appending one line per record to a file next
//! to the database (`onemap.log`), so errors nobody is shown (a tile-cache write that failed, a
//! reply for a console that closed) are kept, never silently dropped. Installed once by the
//! binary; tests and the CLI run without it (the facade then discards records).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// File name of the log, beside the database.
pub const FILE_NAME: &str = "onemap.log";

/// Appends records at `Info` and above to one file.
pub struct FileLog {
    file: Mutex<std::fs::File>,
}

impl FileLog {
    /// Open (append) `<dir>/onemap.log`.
    pub fn open(dir: &Path) -> std::io::Result<FileLog> {
        // The log may name callers and places: private like the database beside it.
        crate::private_fs::create_private_dir_all(dir)?;
        let path = dir.join(FILE_NAME);
        if path.exists() {
            crate::private_fs::restrict(&path)?;
        } else {
            crate::private_fs::create_private_file(&path)?;
        }
        let file = std::fs::OpenOptions::new().append(true).open(&path)?;
        Ok(FileLog { file: Mutex::new(file) })
    }

    /// Install as the process's logger (once); returns the file's path.
    pub fn install(dir: &Path) -> std::io::Result<PathBuf> {
        let logger = FileLog::open(dir)?;
        // A second install (a logger already set) keeps the first: not an error worth stopping for.
        if log::set_boxed_logger(Box::new(logger)).is_ok() {
            log::set_max_level(log::LevelFilter::Info);
        }
        Ok(dir.join(FILE_NAME))
    }
}

impl log::Log for FileLog {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Info
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let line = format!(
            "{} {:<5} {}: {}\n",
            crate::time::now_utc_iso(),
            record.level(),
            record.target(),
            record.args()
        );
        if let Ok(mut f) = self.file.lock() {
            // Nowhere left to report a failed log write.
            let _ = f.write_all(line.as_bytes());
        }
    }

    fn flush(&self) {
        if let Ok(mut f) = self.file.lock() {
            let _ = f.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use log::Log;

    #[test]
    fn records_are_appended_to_the_file_beside_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let l = FileLog::open(dir.path()).unwrap();
        l.log(
            &log::Record::builder()
                .level(log::Level::Warn)
                .target("onemap::backend::tiles")
                .args(format_args!("cache rename failed"))
                .build(),
        );
        l.log(
            &log::Record::builder()
                .level(log::Level::Debug)
                .args(format_args!("not kept"))
                .build(),
        );
        l.flush();
        let text = std::fs::read_to_string(dir.path().join(FILE_NAME)).unwrap();
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(
            text.contains("WARN  onemap::backend::tiles: cache rename failed"),
            "{text}"
        );
    }
}
