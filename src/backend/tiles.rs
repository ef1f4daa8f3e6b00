//! Raster tile fetcher: a worker thread with its own tokio runtime downloads tiles from a URL
//! template (OpenStreetMap, Tianditu with the user's key, a local tile server) or reads them from
//! a local PMTiles archive, caches downloads on disk, decodes tiles into textures and reports
//! every failure with its reason. Requests come in
//! over a bounded channel (the UI drops a request rather than wait); stale work is skipped.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use walkers::{Tile, TileId};

use super::pmtiles::PmTilesReader;

/// At most this many downloads at once (tile servers' usage policies ask for few).
const MAX_PARALLEL: usize = 4;
/// A cached tile younger than this is used without asking the server.
const CACHE_FRESH: Duration = Duration::from_secs(30 * 24 * 3600);
/// Per-request timeout, so a dead server cannot hold a slot.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Why a tile source cannot be used or a tile cannot be shown.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TileError {
    /// The URL template does not start with http(s).
    #[error("tile URL must start with http:// or https://: \"{0}\"")]
    Scheme(String),
    /// The URL template lacks a placeholder.
    #[error("tile URL has no {1} placeholder: \"{0}\"")]
    Placeholder(String, &'static str),
    /// The PMTiles archive cannot be read.
    #[error(transparent)]
    Pmtiles(Arc<super::pmtiles::PmTilesError>),
    /// The worker thread, its runtime or its HTTP client could not start.
    #[error("cannot start the tile worker: {0}")]
    Start(String),
    /// The server answered with an error status.
    #[error("{host}: HTTP {status}{hint}")]
    Http {
        /// Tile server host.
        host: String,
        /// HTTP status.
        status: reqwest::StatusCode,
        /// What the status usually means.
        hint: &'static str,
    },
    /// The request failed (offline, timeout, TLS …).
    #[error("{0}: {1}")]
    Request(String, String),
    /// The bytes are not a PNG/JPEG.
    #[error("tile {zoom}/{x}/{y} is not an image: {why}")]
    NotImage {
        /// Zoom.
        zoom: u8,
        /// Column.
        x: u32,
        /// Row.
        y: u32,
        /// Decoder's reason.
        why: String,
    },
}

impl From<super::pmtiles::PmTilesError> for TileError {
    fn from(e: super::pmtiles::PmTilesError) -> TileError {
        TileError::Pmtiles(Arc::new(e))
    }
}

/// What the status bar shows about the tile source.
#[derive(Debug, Clone, Default)]
pub struct TileStatus {
    /// Downloads running now.
    pub in_flight: usize,
    /// Tiles loaded since the source was set.
    pub loaded: usize,
    /// Tiles that failed since the source was set.
    pub failed: usize,
    /// The most recent failure, with its reason.
    pub last_error: Option<String>,
}

/// A finished tile: the texture, `None` when the source has no such tile (outside its coverage;
/// not an error), or why it failed.
pub type TileResult = (TileId, Result<Option<Tile>, TileError>);

/// Where tiles come from.
#[derive(Debug, Clone, PartialEq)]
pub enum TileSourceSpec {
    /// An http(s) URL template with {z}/{x}/{y}.
    Url(String),
    /// A local raster PMTiles v3 archive.
    Pmtiles(PathBuf),
}

enum Source {
    Url(String),
    Pmtiles(Arc<PmTilesReader>),
}

/// Handle to the worker; dropping it stops the worker.
pub struct TileFetcher {
    tx: tokio::sync::mpsc::Sender<TileId>,
    /// Highest zoom the source has (PMTiles header; 19 for URL sources).
    pub max_zoom: u8,
    /// Finished tiles.
    pub rx: mpsc::Receiver<TileResult>,
    /// Shared counters and last error.
    pub status: Arc<Mutex<TileStatus>>,
}

/// Fill a URL template: `{z}`, `{x}`, `{y}`, `{-y}` (TMS) and `{s}` (subdomain a/b/c).
pub fn tile_url(template: &str, id: TileId) -> String {
    let tms_y = (1u32 << id.zoom).saturating_sub(1).saturating_sub(id.y);
    let sub = ["a", "b", "c"][((id.x + id.y) % 3) as usize];
    template
        .replace("{z}", &id.zoom.to_string())
        .replace("{x}", &id.x.to_string())
        .replace("{-y}", &tms_y.to_string())
        .replace("{y}", &id.y.to_string())
        .replace("{s}", sub)
}

/// Check a template before use: http(s), and {x}, {y} (or {-y}) and {z} present.
pub fn validate_template(template: &str) -> Result<(), TileError> {
    let t = template.trim();
    if !(t.starts_with("http://") || t.starts_with("https://")) {
        return Err(TileError::Scheme(t.to_string()));
    }
    for key in ["{x}", "{z}"] {
        if !t.contains(key) {
            return Err(TileError::Placeholder(t.to_string(), key));
        }
    }
    if !t.contains("{y}") && !t.contains("{-y}") {
        return Err(TileError::Placeholder(t.to_string(), "{y}"));
    }
    Ok(())
}

fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

impl TileFetcher {
    /// Start a worker for `spec`, caching downloads under `cache_dir` (none = no disk cache).
    /// A bad template or an unreadable archive is refused here, before any thread starts.
    pub fn start(
        spec: TileSourceSpec,
        cache_dir: Option<PathBuf>,
        ctx: egui::Context,
    ) -> Result<TileFetcher, TileError> {
        let (source, cache_dir, max_zoom) = match spec {
            TileSourceSpec::Url(template) => {
                validate_template(&template)?;
                let dir = cache_dir.map(|d| d.join(format!("{:016x}", fnv1a(&template))));
                (Source::Url(template), dir, 19)
            }
            TileSourceSpec::Pmtiles(path) => {
                let reader = PmTilesReader::open(&path)?;
                let max_zoom = reader.header.max_zoom;
                (Source::Pmtiles(Arc::new(reader)), None, max_zoom)
            }
        };
        let source = Arc::new(source);
        let (tx, mut req_rx) = tokio::sync::mpsc::channel::<TileId>(64);
        let (done_tx, rx) = mpsc::channel();
        let status = Arc::new(Mutex::new(TileStatus::default()));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| TileError::Start(e.to_string()))?;
        let client = reqwest::Client::builder()
            .user_agent(concat!(
                "OneMap/",
                env!("CARGO_PKG_VERSION"),
                " (emergency command console)"
            ))
            .timeout(TIMEOUT)
            .build()
            .map_err(|e| TileError::Start(format!("HTTP client: {e}")))?;
        let worker_status = status.clone();
        std::thread::Builder::new()
            .name("onemap-tiles".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_PARALLEL));
                    while let Some(id) = req_rx.recv().await {
                        let Ok(permit) = slots.clone().acquire_owned().await else {
                            break;
                        };
                        let (client, source, cache_dir, ctx, done_tx, status) = (
                            client.clone(),
                            source.clone(),
                            cache_dir.clone(),
                            ctx.clone(),
                            done_tx.clone(),
                            worker_status.clone(),
                        );
                        tokio::spawn(async move {
                            if let Ok(mut s) = status.lock() {
                                s.in_flight += 1;
                            }
                            let bytes = match source.as_ref() {
                                Source::Url(template) => {
                                    fetch(&client, template, cache_dir.as_deref(), id).await.map(Some)
                                }
                                Source::Pmtiles(reader) => reader.tile(id.zoom, id.x, id.y).map_err(TileError::from),
                            };
                            let result = bytes.and_then(|bytes| match bytes {
                                None => Ok(None),
                                Some(bytes) => Tile::new(&bytes, &walkers::Style, id.zoom, 256, &ctx)
                                    .map(Some)
                                    .map_err(|e| TileError::NotImage {
                                        zoom: id.zoom,
                                        x: id.x,
                                        y: id.y,
                                        why: e.to_string(),
                                    }),
                            });
                            if let Ok(mut s) = status.lock() {
                                s.in_flight = s.in_flight.saturating_sub(1);
                                match &result {
                                    Ok(Some(_)) => s.loaded += 1,
                                    Ok(None) => {}
                                    Err(e) => {
                                        s.failed += 1;
                                        s.last_error = Some(e.to_string());
                                    }
                                }
                            }
                            let _ = done_tx.send((id, result));
                            ctx.request_repaint();
                            drop(permit);
                        });
                    }
                });
            })
            .map_err(|e| TileError::Start(e.to_string()))?;
        Ok(TileFetcher {
            tx,
            max_zoom,
            rx,
            status,
        })
    }

    /// Ask for a tile; returns false (and the caller retries later) when the queue is full.
    pub fn request(&self, id: TileId) -> bool {
        self.tx.try_send(id).is_ok()
    }
}

async fn fetch(
    client: &reqwest::Client,
    template: &str,
    cache_dir: Option<&Path>,
    id: TileId,
) -> Result<Vec<u8>, TileError> {
    let cache_file = cache_dir.map(|d| {
        d.join(id.zoom.to_string())
            .join(id.x.to_string())
            .join(id.y.to_string())
    });
    if let Some(f) = &cache_file {
        let fresh = std::fs::metadata(f)
            .and_then(|m| m.modified())
            .map(|t| SystemTime::now().duration_since(t).unwrap_or_default() < CACHE_FRESH)
            .unwrap_or(false);
        if fresh && let Ok(bytes) = std::fs::read(f) {
            return Ok(bytes);
        }
    }
    let url = tile_url(template, id);
    let host = reqwest::Url::parse(&url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let fallback = || cache_file.as_ref().and_then(|f| std::fs::read(f).ok());
    let resp = match client.get(&url).send().await {
        Ok(r) => r,
        Err(e) => {
            // Offline: an old cached copy is better than nothing.
            if let Some(bytes) = fallback() {
                return Ok(bytes);
            }
            let why = if e.is_timeout() {
                "timed out".to_string()
            } else if e.is_connect() {
                "cannot connect (offline?)".to_string()
            } else {
                e.to_string()
            };
            return Err(TileError::Request(host, why));
        }
    };
    let status = resp.status();
    if !status.is_success() {
        if let Some(bytes) = fallback() {
            return Ok(bytes);
        }
        let hint = match status.as_u16() {
            401 | 403 => " (key missing or refused?)",
            404 => " (wrong URL template?)",
            429 => " (rate-limited)",
            _ => "",
        };
        return Err(TileError::Http { host, status, hint });
    }
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| TileError::Request(host.clone(), e.to_string()))?
        .to_vec();
    if let Some(f) = &cache_file
        && let Some(dir) = f.parent()
    {
        // A failed cache write only costs a re-download (the tile is still shown): logged, not shown.
        let tmp = f.with_extension("part");
        let written = std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&tmp, &bytes))
            .and_then(|()| std::fs::rename(&tmp, f));
        if let Err(e) = written {
            log::warn!("tile cache {}: {e}", f.display());
        }
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        let id = TileId { x: 3, y: 1, zoom: 2 };
        assert_eq!(tile_url("https://{s}.t/{z}/{x}/{y}.png", id), "https://b.t/2/3/1.png");
        assert_eq!(tile_url("https://t/{z}/{x}/{-y}.png", id), "https://t/2/3/2.png");
        assert!(validate_template("https://t/{z}/{x}/{y}.png").is_ok());
        assert!(validate_template("ftp://t/{z}/{x}/{y}").is_err());
        assert!(
            validate_template("https://t/{z}/{x}.png")
                .unwrap_err()
                .to_string()
                .contains("{y}")
        );
    }
}
