//! `onemap package-files --out DIR` (hidden): writes the man pages and the bash, zsh and fish
//! completions generated from the clap definitions, so they can never drift from the real
//! options. `packaging/deb.sh` runs it with the binary it packages; users never need it.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;

use super::{Cli, CliError};
use crate::build_info;

/// The shells we ship completions for, with the file name each expects (Debian paths are set in
/// Cargo.toml's `[package.metadata.deb]`).
const SHELLS: [(Shell, &str); 3] = [
    (Shell::Bash, "onemap.bash"),
    (Shell::Zsh, "_onemap"),
    (Shell::Fish, "onemap.fish"),
];

/// What the man page says beyond the options: the pack lookup order and the files written.
const ENVIRONMENT_AND_FILES: &str = r#".SH ENVIRONMENT
.TP
\fBONEMAP_PACK\fR
Map pack folder to open when \fB\-\-pack\fR is not given.
.TP
\fBONEMAP_OPERATOR\fR, \fBONEMAP_SEAT\fR
Operator name and seat recorded with every event.
.TP
\fBXDG_DATA_HOME\fR, \fBXDG_CACHE_HOME\fR
Where the database, settings and tile cache go (default \fI~/.local/share\fR, \fI~/.cache\fR).
.SH FILES
The map pack is the first of: \fB\-\-pack\fR DIR; \fB$ONEMAP_PACK\fR;
\fI~/.local/share/onemap/maps/xishuangbanna-osm\fR (a pack the user installed);
\fI/usr/share/onemap/maps/xishuangbanna-osm\fR (installed with the program, never written to);
\fImaps/xishuangbanna-osm\fR under the working directory or beside the program.
\fBonemap info \-\-json\fR reports the folder used (\fB"pack": {"dir", "source"}\fR).
.TP
\fI~/.local/share/onemap/onemap.db\fR
The situation database (SQLite event log); kept when the package is upgraded or removed.
.TP
\fI~/.local/share/onemap/reports/\fR
Drill reports written by the console (next to the database).
.TP
\fI~/.cache/onemap/tiles/\fR
Optional raster tile cache.
.TP
\fI/usr/share/onemap/maps/\fR
The Xishuangbanna pack and the Liechtenstein and Andorra OSM samples.
.TP
\fI/usr/share/doc/onemap/\fR
Licence and third\-party notices (crates, font, map data).
"#;

/// Write `onemap.1`, one page per subcommand (`onemap-route.1` …) and the three completion
/// files into `out`; returns the list of files written, one per line.
pub fn write(out: &Path) -> Result<String, CliError> {
    let err = |p: &Path, e: std::io::Error| CliError::input(format!("cannot write {}: {e}", p.display()));
    std::fs::create_dir_all(out).map_err(|e| err(out, e))?;
    // Without clap's `help` subcommands, which would each get a useless page (onemap-db-help.1).
    fn no_help(cmd: clap::Command) -> clap::Command {
        cmd.disable_help_subcommand(true).mut_subcommands(no_help)
    }
    let mut cmd = no_help(Cli::command());
    cmd.build();
    let mut written: Vec<PathBuf> = Vec::new();

    let page = out.join("onemap.1");
    let mut buf = Vec::new();
    render_main_page(&cmd, &mut buf).map_err(|e| err(&page, e))?;
    std::fs::write(&page, buf).map_err(|e| err(&page, e))?;
    written.push(page);
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let before: Vec<PathBuf> = list(out);
        clap_mangen::generate_to(sub.clone(), out).map_err(|e| err(out, e))?;
        written.extend(list(out).into_iter().filter(|p| !before.contains(p)));
    }
    for (shell, file) in SHELLS {
        let path = out.join(file);
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut cmd, "onemap", &mut buf);
        std::fs::write(&path, buf).map_err(|e| err(&path, e))?;
        written.push(path);
    }
    Ok(written
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join("\n"))
}

/// The files in `dir`, for telling which ones clap_mangen just added.
fn list(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|r| r.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default()
}

/// The main page: clap's sections, then ours (environment, files), then the version.
fn render_main_page(cmd: &clap::Command, w: &mut dyn Write) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(cmd.clone())
        .date(build_info::BUILD_DATE)
        .source(format!("OneMap {}", build_info::VERSION))
        .manual("OneMap");
    man.render_title(w)?;
    man.render_name_section(w)?;
    man.render_synopsis_section(w)?;
    man.render_description_section(w)?;
    man.render_options_section(w)?;
    man.render_subcommands_section(w)?;
    w.write_all(ENVIRONMENT_AND_FILES.as_bytes())?;
    man.render_version_section(w)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // tests may panic

    use super::*;

    #[test]
    fn writes_man_pages_and_completions_that_name_real_subcommands() {
        let dir = tempfile::tempdir().unwrap();
        let listing = write(dir.path()).unwrap();
        let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
        let man = read("onemap.1");
        assert!(man.contains("\n.TH onemap 1 "), "{}", &man[..200.min(man.len())]);
        assert!(man.contains("ONEMAP_PACK") && man.contains("/usr/share/onemap/maps"));
        assert!(
            man.contains(build_info::GIT_COMMIT),
            "the version section names the commit"
        );
        assert!(!man.contains("package\\-files"), "the packaging helper stays hidden");
        assert!(read("onemap-route.1").contains("\\-\\-metric"));
        assert!(read("onemap-db-init.1").contains("onemap\\-db\\-init"));
        assert!(
            !listing.contains("help"),
            "no pages for clap's help subcommands: {listing}"
        );
        for f in ["onemap.bash", "_onemap", "onemap.fish"] {
            let text = read(f);
            // (clap_complete lists hidden subcommands too; package-files is harmless there.)
            assert!(text.contains("isochrone") && text.contains("json"), "{f}");
            assert!(listing.contains(f));
        }
    }
}
