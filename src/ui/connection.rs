//! The database connection in the console: one function that writes backend, server, seat,
//! link state and last seq into the status bar and, while the server is unreachable, lays a
//! banner over the top of the window (last known situation shown, stale since when, writes
//! refused, reconnecting). Reads only `backend::store::ConnectionState`; must not import the
//! store, rusqlite or postgres.

use egui::{Color32, RichText, Ui};

use crate::backend::store::{ConnectionState, Link};
use crate::i18n::{Lang, Msg, tr};
use crate::store::BackendKind;

/// Status-bar text for the connection, plus the disconnected banner when the link is lost.
pub fn connection_ui(ui: &mut Ui, conn: &ConnectionState, seat: &str, lang: Lang) {
    let backend = match conn.backend {
        BackendKind::Sqlite => tr(lang, Msg::ConnFile),
        BackendKind::Postgres => "PostgreSQL",
    };
    let base = format!(
        "{backend} {} · {} {seat} · #{}",
        conn.server,
        tr(lang, Msg::ConnSeat),
        conn.last_seq
    );
    match conn.link {
        Link::Connecting => {
            ui.label(format!("{base} · {}", tr(lang, Msg::ConnConnecting)));
        }
        Link::Connected => {
            ui.label(base);
            chain_ui(ui, conn, lang);
        }
        Link::Lost { since_ms, attempts } => {
            let age_s = (now_ms() - since_ms).max(0) / 1000;
            let state = format!(
                "{} {age_s} s · {} ({attempts})",
                tr(lang, Msg::ConnLostFor),
                tr(lang, Msg::ConnReconnecting)
            );
            ui.colored_label(crate::style::WARN_TEXT, format!("{base} · {state}"));
            let text = format!(
                "{}\n{}",
                tr(lang, Msg::ConnLostBanner),
                format_args!("{} · {}", conn.server, state)
            );
            egui::Area::new(egui::Id::unique("onemap-connection-banner"))
                .anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 36.0))
                .order(egui::Order::Foreground)
                .show(ui.ctx(), |ui| {
                    egui::Frame::new()
                        .fill(Color32::from_rgb(0x7a, 0x1f, 0x1f))
                        .inner_margin(10.0)
                        .corner_radius(4.0)
                        .show(ui, |ui| ui.label(RichText::new(text).color(Color32::WHITE).strong()));
                });
            // Keep the age ticking while the banner shows.
            ui.ctx().request_repaint_after(std::time::Duration::from_secs(1));
        }
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The log's verification state: the verified chain head, or that it could not be read.
fn chain_ui(ui: &mut Ui, conn: &ConnectionState, lang: Lang) {
    match &conn.chain_head {
        Some(_) if conn.last_seq == 0 => {}
        Some(hex) => {
            let short: String = hex.chars().take(8).collect();
            ui.label(format!("· {} √ {short}", tr(lang, Msg::LogChain)))
                .on_hover_text(format!(
                    "{}\n{hex}",
                    tr(lang, Msg::LogChainTip).replace("{seq}", &conn.last_seq.to_string())
                ));
        }
        None if conn.last_seq > 0 => {
            ui.colored_label(
                crate::style::WARN_TEXT,
                format!("· {}", tr(lang, Msg::LogChainUnreadable)),
            );
        }
        None => {}
    }
}
