//! The desktop around the console: the arrival chime (the desktop's "new message" sound, played
//! on a short-lived thread through the first player found: libcanberra, PulseAudio) and opening a
//! file (the after-action report) in the desktop's viewer, and a second console on another
//! database (a training copy). A missing player is logged, never fatal: the visible alert is
//! the one that must not fail. Imports nothing from `ui`.

use std::process::{Command, Stdio};

/// Sound files tried, in order (freedesktop sound theme).
const FILES: [&str; 2] = [
    "/usr/share/sounds/freedesktop/stereo/message-new-instant.oga",
    "/usr/share/sounds/freedesktop/stereo/bell.oga",
];

/// Play the chime once, without waiting for it.
pub fn chime() {
    let spawned = std::thread::Builder::new().name("onemap-chime".into()).spawn(|| {
        let quiet = |c: &mut Command| {
            c.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
            c.status().is_ok_and(|s| s.success())
        };
        if quiet(Command::new("canberra-gtk-play").arg("--id=message-new-instant")) {
            return;
        }
        for f in FILES.iter().filter(|f| std::path::Path::new(f).is_file()) {
            if quiet(Command::new("paplay").arg(f)) {
                return;
            }
        }
        log::warn!("arrival chime: no sound player (canberra-gtk-play, paplay) or sound file found");
    });
    if let Err(e) = spawned {
        log::warn!("arrival chime: cannot start its thread: {e}");
    }
}

/// Open a file in the desktop's default application (`xdg-open`), without waiting for it.
pub fn open_path(path: &std::path::Path) -> std::io::Result<()> {
    detached(Command::new("xdg-open").arg(path))
}

/// Start a program without waiting for it, its standard streams closed.
fn detached(c: &mut Command) -> std::io::Result<()> {
    c.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(|_| ())
}

/// Open a second console (this program, `--pack PACK --db DB`) without waiting for it.
pub fn open_console(pack: &std::path::Path, db: &std::path::Path) -> std::io::Result<()> {
    detached(
        Command::new(std::env::current_exe()?)
            .arg("--pack")
            .arg(pack)
            .arg("--db")
            .arg(db),
    )
}
