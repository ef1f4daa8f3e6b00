//! Private files: the situation database, reports, exports and logs hold callers' names and
//! phone numbers, so OneMap creates them owner-only (files 0600, folders 0700) whatever the
//! umask, and tightens an existing database that is more open. Unix modes only; elsewhere the
//! platform's defaults apply. Pure std: must not import egui, tokio or rusqlite.

use std::io::Write as _;
use std::path::Path;

/// Mode of private files.
pub const FILE_MODE: u32 = 0o600;
/// Mode of private folders.
pub const DIR_MODE: u32 = 0o700;

/// Create `dir` and its missing parents; every folder created here is 0700 (existing ones are
/// left alone: the user may have chosen a shared parent on purpose).
pub fn create_private_dir_all(dir: &Path) -> std::io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_private_dir_all(parent)?;
    }
    match std::fs::create_dir(dir) {
        Ok(()) => set_mode(dir, DIR_MODE),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(e),
    }
}

/// Write `bytes` to `path` as a private file (0600 even if it existed with another mode).
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(FILE_MODE);
    }
    let mut f = opts.open(path)?;
    // The mode given at creation is masked by the umask and ignored for an existing file.
    restrict(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Create an empty private file if `path` does not exist (then SQLite, which gives its WAL and
/// shared-memory files the database's mode, keeps them private too).
pub fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(FILE_MODE);
    }
    opts.open(path)?;
    restrict(path)
}

/// Make an existing file owner-only (0600).
pub fn restrict(path: &Path) -> std::io::Result<()> {
    set_mode(path, FILE_MODE)
}

/// The permission bits of `path` (Unix), for checks and tests.
pub fn mode_of(path: &Path) -> std::io::Result<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        Ok(std::fs::metadata(path)?.permissions().mode() & 0o777)
    }
    #[cfg(not(unix))]
    {
        std::fs::metadata(path).map(|_| FILE_MODE)
    }
}

fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn modes_are_private_whatever_the_umask() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("a/b");
        create_private_dir_all(&dir).unwrap();
        let f = dir.join("x.csv");
        // Pre-existing world-readable file: tightened on write.
        std::fs::write(&f, b"old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        write_private(&f, b"new").unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"new");
        #[cfg(unix)]
        {
            assert_eq!(mode_of(&f).unwrap(), 0o600);
            assert_eq!(mode_of(&dir).unwrap(), 0o700);
            assert_eq!(mode_of(&d.path().join("a")).unwrap(), 0o700);
        }
    }
}
