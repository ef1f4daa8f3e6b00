//! `onemap db status` and `onemap db copy`: the server-era database commands (either backend:
//! a file path or a `postgres://` URL). Prints JSON with `--json`; a progress bar on a terminal
//! otherwise. Must not import egui or tokio.

use std::path::Path;

use serde_json::json;

use super::CliError;
use super::store::{existing_db, store_err};
use crate::store::{BackendKind, Store, schema};

/// `onemap db status [--json]`.
pub fn db_status(db: Option<&Path>, json_out: bool) -> Result<String, CliError> {
    let path = existing_db(db)?;
    let store = Store::open_read_only(&path).map_err(store_err)?;
    let head = store.chain_head().map_err(store_err)?;
    let (seats, server_version, tls) = match store.pg() {
        Some(p) => (
            Some(p.connected_seats().map_err(store_err)?),
            Some(p.server_version().map_err(store_err)?),
            Some(p.tls_version().map_err(store_err)?),
        ),
        None => (None, None, None),
    };
    let v = json!({
        "db": store.path(),
        "backend": store.backend_kind(),
        "schema_version": schema::SCHEMA_VERSION,
        "last_seq": store.last_seq().map_err(store_err)?,
        "events": store.event_count().map_err(store_err)?,
        "chain_head": head.hash.to_hex(),
        // Other OneMap connections besides this one (the server counts them; a file cannot tell).
        "connected_seats": seats.map(|n| n.saturating_sub(1)),
        "server_version": server_version,
        // The TLS version of this connection as the server sees it (null: not encrypted).
        "tls": tls.flatten(),
    });
    if json_out {
        return serde_json::to_string_pretty(&v).map_err(|e| CliError::input(e.to_string()));
    }
    let backend = match store.backend_kind() {
        BackendKind::Sqlite => "SQLite",
        BackendKind::Postgres => "PostgreSQL",
    };
    let mut t = format!(
        "{}: {backend}, 架构版本 / schema v{}, {} 条事件 / events, 最新序号 / last seq {}",
        store.path().display(),
        schema::SCHEMA_VERSION,
        v["events"],
        v["last_seq"]
    );
    if let Some(n) = seats {
        t.push_str(&format!(
            ", 其他在线席位 / other seats connected: {}",
            n.saturating_sub(1)
        ));
    }
    Ok(t)
}

/// The target of `db copy`: a new or 0-byte file, an initialised store that holds no event, or
/// a server database without events. Anything holding events (or not a OneMap store) is
/// refused before a byte is written.
fn copy_target(to: &Path) -> Result<Store, crate::store::StoreError> {
    match Store::init(to) {
        Err(crate::store::StoreError::AlreadyExists { path }) if !crate::store::pg::is_url(to) => {
            // Read-only first: opening for writing could close orphan drills in it.
            if Store::open_read_only(to)?.event_count()? > 0 {
                return Err(crate::store::StoreError::AlreadyExists { path });
            }
            Store::open(to)
        }
        other => other,
    }
}

/// `onemap db copy --from A --to B [--json]`.
pub fn db_copy(from: &Path, to: &Path, json_out: bool) -> Result<String, CliError> {
    let from_path = existing_db(Some(from))?;
    let source = Store::open_read_only(&from_path).map_err(store_err)?;
    if let Some(dir) = to
        .parent()
        .filter(|d| !d.as_os_str().is_empty() && !crate::store::pg::is_url(to))
    {
        crate::private_fs::create_private_dir_all(dir)
            .map_err(|e| CliError::input(format!("cannot create {}: {e}", dir.display())))?;
    }
    let mut target = copy_target(to).map_err(store_err)?;
    let copied = source
        .copy_log_to(&mut target, super::progress::bar("复制 / copying", !json_out))
        .map_err(store_err)?;
    drop(target);
    // Fold both from their own logs, as a seat opening them would.
    let mut source = source;
    let mut check = Store::open_read_only(to).map_err(store_err)?;
    let report = source.same_log_as(&mut check).map_err(store_err)?;
    if !report.same_situation || report.events != copied {
        return Err(CliError::input(format!(
            "复制后两库不一致 / the copy does not fold to the same situation ({} of {copied} events, chain head {})",
            report.events, report.chain_head
        )));
    }
    let v = json!({
        "from": source.path(),
        "to": check.path(),
        "events": report.events,
        "last_seq": report.last_seq,
        "chain_head": report.chain_head,
        "same_situation": report.same_situation,
    });
    if json_out {
        return serde_json::to_string_pretty(&v).map_err(|e| CliError::input(e.to_string()));
    }
    Ok(format!(
        "已复制 {} 条事件，两库折叠结果一致 / copied {} events; both fold to the same situation (last seq {}, chain head {})",
        report.events, report.events, report.last_seq, report.chain_head
    ))
}
