//! A one-line progress bar on stderr for long CLI work (database copies, road hierarchy
//! builds): drawn only on a terminal and without `--json`, so scripts and pipes stay quiet.
//! Must not import egui or tokio.

use std::io::{IsTerminal as _, Write as _};

/// A bar labelled `label` ("中文 / English"); call it with (done, total); a line break once
/// done reaches total. Silent unless `enabled` and stderr is a terminal.
pub fn bar(label: &'static str, enabled: bool) -> impl FnMut(u64, u64) {
    let on = enabled && std::io::stderr().is_terminal();
    move |done, total| {
        if !on || total == 0 {
            return;
        }
        let width = 30u64;
        let filled = (done.min(total) * width / total) as usize;
        let mut err = std::io::stderr();
        let _ = write!(
            err,
            "\r{label} [{}{}] {done}/{total}",
            "#".repeat(filled),
            " ".repeat(width as usize - filled)
        );
        if done >= total {
            let _ = writeln!(err);
        }
    }
}
