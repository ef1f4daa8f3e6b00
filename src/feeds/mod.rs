//! Sources of arrivals that are not the CLI: HTTP polling of configured feeds (tokio + reqwest,
//! conditional requests with ETag / If-Modified-Since, per-feed status: last success, last error
//! with its reason, next poll) and a watched drop folder. Both only hand raw documents to a sink
//! (the importer, or the console's store worker); they never touch the database, and a failing
//! feed never stops the others: each feed is polled with its own timeout and its own status.
//! Atom/RSS indexes are followed: every linked CAP document not seen before is fetched.
//! Must not import egui.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

pub use crate::alerts::config::FeedSpec;
use crate::alerts::detect::{Document, read_text};
use crate::alerts::time::utc_iso;

/// Why one poll of one feed failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FeedError {
    /// No answer in time.
    #[error("{url}: timed out")]
    Timeout {
        /// URL.
        url: String,
    },
    /// No connection.
    #[error("{url}: cannot connect: {msg}")]
    Connect {
        /// URL.
        url: String,
        /// Cause.
        msg: String,
    },
    /// An HTTP error status.
    #[error("{url}: HTTP {status}")]
    Http {
        /// URL.
        url: String,
        /// Status code.
        status: u16,
    },
    /// Any other transport error.
    #[error("{url}: {msg}")]
    Transport {
        /// URL.
        url: String,
        /// Cause.
        msg: String,
    },
    /// The sink refused the document (unreadable, store error …).
    #[error("{0}")]
    Sink(String),
}

/// Why the sink refused a document (its reason, as the officer reads it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SinkRefused(pub String);

impl From<String> for SinkRefused {
    fn from(reason: String) -> Self {
        SinkRefused(reason)
    }
}

impl From<&str> for SinkRefused {
    fn from(reason: &str) -> Self {
        SinkRefused(reason.to_owned())
    }
}

/// What the sink is told for each document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    /// URL or file path.
    pub source: String,
    /// Raw bytes.
    pub bytes: Vec<u8>,
}

/// Per-feed status for the console and the CLI.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FeedStatus {
    /// Feed name.
    pub name: String,
    /// URL.
    pub url: String,
    /// Last successful poll (200 or 304), UTC ISO-8601.
    pub last_success_utc: Option<String>,
    /// Last failure, UTC ISO-8601.
    pub last_error_utc: Option<String>,
    /// Its reason.
    pub last_error: Option<String>,
    /// When the next poll is due, UTC ISO-8601.
    pub next_poll_utc: Option<String>,
    /// Polls done.
    pub polls: u64,
    /// Polls answered 304 Not Modified.
    pub not_modified: u64,
    /// Documents handed to the sink.
    pub documents: u64,
    /// ETag of the last 200.
    pub etag: Option<String>,
    /// Last-Modified of the last 200.
    pub last_modified: Option<String>,
}

struct FeedState {
    spec: FeedSpec,
    status: FeedStatus,
    next_ms: i64,
    seen_links: BTreeSet<String>,
}

/// Polls feeds; owned by one worker thread (its own current-thread tokio runtime).
pub struct Poller {
    feeds: Vec<FeedState>,
    client: reqwest::Client,
    runtime: tokio::runtime::Runtime,
}

/// A result of one HTTP request.
enum Fetched {
    NotModified,
    Body {
        bytes: Vec<u8>,
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

impl Poller {
    /// A poller for these feeds (all due at once).
    pub fn new(specs: Vec<FeedSpec>) -> Result<Poller, FeedError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| FeedError::Transport {
                url: String::new(),
                msg: format!("cannot start the feed runtime: {e}"),
            })?;
        let client = reqwest::Client::builder()
            .user_agent(concat!(
                "OneMap/",
                env!("CARGO_PKG_VERSION"),
                " (emergency alert poller)"
            ))
            .build()
            .map_err(|e| FeedError::Transport {
                url: String::new(),
                msg: format!("cannot create the HTTP client: {e}"),
            })?;
        let feeds = specs
            .into_iter()
            .map(|spec| FeedState {
                status: FeedStatus {
                    name: spec.name.clone(),
                    url: spec.url.clone(),
                    ..FeedStatus::default()
                },
                spec,
                next_ms: i64::MIN,
                seen_links: BTreeSet::new(),
            })
            .collect();
        Ok(Poller { feeds, client, runtime })
    }

    /// Status of every feed, in configuration order.
    pub fn statuses(&self) -> Vec<FeedStatus> {
        self.feeds.iter().map(|f| f.status.clone()).collect()
    }

    /// The earliest time any feed is due, ms since the epoch.
    pub fn next_due_ms(&self) -> Option<i64> {
        self.feeds.iter().map(|f| f.next_ms).min()
    }

    /// Poll every feed that is due at `now_ms`; documents go to `sink` (whose error is recorded
    /// as the feed's last error). One feed's failure never skips another.
    pub fn poll_due(&mut self, now_ms: i64, sink: &mut dyn FnMut(Arrival) -> Result<(), SinkRefused>) {
        let client = self.client.clone();
        for f in &mut self.feeds {
            if f.next_ms > now_ms {
                continue;
            }
            f.status.polls += 1;
            f.next_ms = now_ms + i64::try_from(f.spec.interval_s.saturating_mul(1000)).unwrap_or(i64::MAX);
            f.status.next_poll_utc = Some(utc_iso(f.next_ms));
            let result = self.runtime.block_on(poll_one(&client, f, sink));
            match result {
                Ok(()) => f.status.last_success_utc = Some(utc_iso(now_ms)),
                Err(e) => {
                    f.status.last_error_utc = Some(utc_iso(now_ms));
                    f.status.last_error = Some(e.to_string());
                }
            }
        }
    }
}

async fn poll_one(
    client: &reqwest::Client,
    f: &mut FeedState,
    sink: &mut dyn FnMut(Arrival) -> Result<(), SinkRefused>,
) -> Result<(), FeedError> {
    let timeout = Duration::from_secs(f.spec.timeout_s.max(1));
    let fetched = fetch(
        client,
        &f.spec.url,
        f.status.etag.as_deref(),
        f.status.last_modified.as_deref(),
        timeout,
    )
    .await?;
    let (bytes, etag, last_modified) = match fetched {
        Fetched::NotModified => {
            f.status.not_modified += 1;
            return Ok(());
        }
        Fetched::Body {
            bytes,
            etag,
            last_modified,
        } => (bytes, etag, last_modified),
    };
    // An index is followed; anything else is one document for the sink.
    let text = String::from_utf8_lossy(&bytes);
    let links = match read_text(&text, &f.spec.url) {
        Ok(Document::Feed(entries)) => Some(entries.into_iter().filter_map(|e| e.cap_url).collect::<Vec<_>>()),
        _ => None,
    };
    match links {
        None => {
            f.status.documents += 1;
            sink(Arrival {
                source: f.spec.url.clone(),
                bytes,
            })
            .map_err(|e| FeedError::Sink(e.0))?;
        }
        Some(links) => {
            let mut first_error = None;
            for link in links {
                if f.seen_links.contains(&link) {
                    continue;
                }
                let res = match fetch(client, &link, None, None, timeout).await {
                    Ok(Fetched::Body { bytes, .. }) => {
                        f.status.documents += 1;
                        sink(Arrival {
                            source: link.clone(),
                            bytes,
                        })
                        .map_err(|e| FeedError::Sink(e.0))
                    }
                    Ok(Fetched::NotModified) => Ok(()),
                    Err(e) => Err(e),
                };
                match res {
                    Ok(()) => {
                        f.seen_links.insert(link);
                    }
                    Err(e) => {
                        first_error.get_or_insert(e);
                    }
                }
            }
            if let Some(e) = first_error {
                return Err(e);
            }
        }
    }
    // Remember validators only once the body was handled, so a failed import is retried.
    f.status.etag = etag;
    f.status.last_modified = last_modified;
    Ok(())
}

async fn fetch(
    client: &reqwest::Client,
    url: &str,
    etag: Option<&str>,
    last_modified: Option<&str>,
    timeout: Duration,
) -> Result<Fetched, FeedError> {
    let mut req = client.get(url).timeout(timeout);
    if let Some(e) = etag {
        req = req.header("If-None-Match", e);
    }
    if let Some(m) = last_modified {
        req = req.header("If-Modified-Since", m);
    }
    let classify = |e: reqwest::Error| {
        if e.is_timeout() {
            FeedError::Timeout { url: url.to_owned() }
        } else if e.is_connect() {
            FeedError::Connect {
                url: url.to_owned(),
                msg: e.to_string(),
            }
        } else {
            FeedError::Transport {
                url: url.to_owned(),
                msg: e.to_string(),
            }
        }
    };
    let resp = req.send().await.map_err(classify)?;
    let status = resp.status().as_u16();
    if status == 304 {
        return Ok(Fetched::NotModified);
    }
    if !(200..300).contains(&status) {
        return Err(FeedError::Http {
            url: url.to_owned(),
            status,
        });
    }
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let etag = header("etag");
    let last_modified = header("last-modified");
    let bytes = resp.bytes().await.map_err(classify)?.to_vec();
    Ok(Fetched::Body {
        bytes,
        etag,
        last_modified,
    })
}

/// A drop folder: documents put there are handed to the sink once, then moved to `imported/`
/// (or `rejected/` when the sink refused them), so the folder shows what is still pending.
#[derive(Debug, Clone)]
pub struct DropFolder {
    /// The watched folder.
    pub dir: PathBuf,
    sizes: BTreeMap<PathBuf, u64>,
}

impl DropFolder {
    /// Watch `dir` (created if missing).
    pub fn new(dir: &Path) -> std::io::Result<DropFolder> {
        std::fs::create_dir_all(dir)?;
        Ok(DropFolder {
            dir: dir.to_path_buf(),
            sizes: BTreeMap::new(),
        })
    }

    /// Hand every complete document to the sink. With `settle`, a file whose size changed since
    /// the last scan is taken to be still written and waits for the next scan (a file seen for
    /// the first time waits one scan); without, every file is taken now. Returns the files handled.
    pub fn scan(
        &mut self,
        settle: bool,
        sink: &mut dyn FnMut(Arrival) -> Result<(), SinkRefused>,
    ) -> std::io::Result<Vec<PathBuf>> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file() && crate::alerts::ingest::is_document(p))
            .collect();
        files.sort();
        let mut handled = Vec::new();
        for f in files {
            let len = std::fs::metadata(&f)?.len();
            let stable = self.sizes.get(&f) == Some(&len);
            self.sizes.insert(f.clone(), len);
            if settle && !stable {
                continue;
            }
            let bytes = std::fs::read(&f)?;
            let ok = sink(Arrival {
                source: f.display().to_string(),
                bytes,
            })
            .is_ok();
            let to = self.dir.join(if ok { "imported" } else { "rejected" });
            std::fs::create_dir_all(&to)?;
            if let Some(name) = f.file_name() {
                std::fs::rename(&f, to.join(name))?;
            }
            self.sizes.remove(&f);
            handled.push(f);
        }
        Ok(handled)
    }
}
