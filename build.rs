//! Build script: stamps the git commit and the build date into the program for `onemap
//! --version`, the window title and the man page (`ONEMAP_GIT_COMMIT`, `ONEMAP_BUILD_DATE`).
//!
//! Must work on a clean clone, in a worktree (where `.git` is a file) and from a source tarball
//! without `.git` (commit "unknown"). Packagers may preset `ONEMAP_GIT_COMMIT`; the date honours
//! `SOURCE_DATE_EPOCH` (Debian's reproducible-builds convention), else it is today (UTC).
//! It reruns only when HEAD or the branch it names moves, so an ordinary edit does not re-stamp.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=ONEMAP_GIT_COMMIT");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");

    let commit = match std::env::var("ONEMAP_GIT_COMMIT") {
        Ok(c) if !c.trim().is_empty() => c.trim().to_string(),
        _ => git_commit().unwrap_or_else(|| "unknown".to_string()),
    };
    let epoch_s = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0)
        });
    println!("cargo:rustc-env=ONEMAP_GIT_COMMIT={commit}");
    println!("cargo:rustc-env=ONEMAP_BUILD_DATE={}", iso_date(epoch_s));
}

/// Short commit of HEAD, or None without git or outside a repository. Also registers the files
/// whose change means a new commit (HEAD, the branch ref, packed refs) — only those that exist,
/// since cargo treats a missing rerun-if-changed path as always stale.
fn git_commit() -> Option<String> {
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        Some(String::from_utf8(out.stdout).ok()?.trim().to_string())
    };
    let commit = git(&["rev-parse", "--short=12", "HEAD"])?;
    let abs = |p: String| -> PathBuf {
        let p = PathBuf::from(p);
        if p.is_absolute() {
            p
        } else {
            Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
        }
    };
    if let (Some(git_dir), Some(common)) = (
        git(&["rev-parse", "--git-dir"]).map(abs),
        git(&["rev-parse", "--git-common-dir"]).map(abs),
    ) {
        let mut watch = vec![git_dir.join("HEAD"), common.join("packed-refs")];
        if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
            watch.push(common.join(branch));
        }
        for p in watch.iter().filter(|p| p.is_file()) {
            println!("cargo:rerun-if-changed={}", p.display());
        }
    }
    Some(commit)
}

/// `YYYY-MM-DD` (UTC) of a Unix time, by the civil-from-days algorithm (no date crate needed).
fn iso_date(epoch_s: i64) -> String {
    let z = epoch_s.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}
