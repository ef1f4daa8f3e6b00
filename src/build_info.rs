//! What this build is: version, git commit and build date (stamped by `build.rs`), for
//! `onemap --version`, the window title and the man page. Imports nothing.

/// The package version (Cargo.toml).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Short git commit the binary was built from, or "unknown" (source without `.git`).
pub const GIT_COMMIT: &str = env!("ONEMAP_GIT_COMMIT");
/// Build date, `YYYY-MM-DD` UTC (`SOURCE_DATE_EPOCH` when set).
pub const BUILD_DATE: &str = env!("ONEMAP_BUILD_DATE");
/// One line: `0.1.0 (commit 0123abcd4567, built 2026-11-30)`; what `--version` prints after the name.
pub const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("ONEMAP_GIT_COMMIT"),
    ", built ",
    env!("ONEMAP_BUILD_DATE"),
    ")"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_version_names_version_commit_and_date() {
        assert!(LONG_VERSION.starts_with(VERSION));
        assert!(LONG_VERSION.contains(GIT_COMMIT) && LONG_VERSION.contains(BUILD_DATE));
        // The date is a real calendar date in ISO form, e.g. 2026-11-30.
        let parts: Vec<u32> = BUILD_DATE.split('-').map(|p| p.parse().unwrap_or(0)).collect();
        assert_eq!(parts.len(), 3, "{BUILD_DATE}");
        assert!(parts[0] >= 2024 && (1..=12).contains(&parts[1]) && (1..=31).contains(&parts[2]));
    }
}
