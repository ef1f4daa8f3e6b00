//! The raster-tile worker against a real HTTP server on loopback: a good tile, a 404, a response
//! that is not an image, the disk cache, and a dead server.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use onemap::backend::tiles::{TileError, TileFetcher, TileSourceSpec};
use walkers::TileId;

/// A valid 1×1 PNG.
const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0, 0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D,
    0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// Serves /1/0/0.png as a PNG, /1/1/0.png as garbage, everything else 404. Counts requests.
fn serve() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            counter.fetch_add(1, Ordering::SeqCst);
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            loop {
                let mut l = String::new();
                if reader.read_line(&mut l).unwrap() == 0 || l == "\r\n" {
                    break;
                }
            }
            let path = request_line.split_whitespace().nth(1).unwrap_or("").to_string();
            let (status, body): (&str, &[u8]) = match path.as_str() {
                "/1/0/0.png" => ("200 OK", PNG_1X1),
                "/1/1/0.png" => ("200 OK", b"<html>captive portal</html>"),
                _ => ("404 Not Found", b"no"),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body);
        }
    });
    (port, hits)
}

fn wait(f: &TileFetcher) -> (TileId, Result<Option<walkers::Tile>, TileError>) {
    f.rx.recv_timeout(Duration::from_secs(20)).expect("the worker answers")
}

#[test]
fn fetches_caches_and_reports_errors() {
    let (port, hits) = serve();
    let cache = tempfile::tempdir().unwrap();
    let ctx = egui::Context::default();
    let template = format!("http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png");
    let f = TileFetcher::start(
        TileSourceSpec::Url(template.clone()),
        Some(cache.path().to_path_buf()),
        ctx.clone(),
    )
    .unwrap();

    let good = TileId { x: 0, y: 0, zoom: 1 };
    assert!(f.request(good));
    let (id, r) = wait(&f);
    assert_eq!(id, good);
    assert!(matches!(r, Ok(Some(walkers::Tile::Raster(_)))), "{:?}", r.err());

    assert!(f.request(TileId { x: 0, y: 1, zoom: 1 }));
    let (_, r) = wait(&f);
    let e = r.err().expect("404 is an error");
    assert!(matches!(e, TileError::Http { .. }), "{e:?}");
    let e = e.to_string();
    assert!(e.contains("HTTP 404") && e.contains("127.0.0.1"), "{e}");

    assert!(f.request(TileId { x: 1, y: 0, zoom: 1 }));
    let (_, r) = wait(&f);
    let e = r.err().expect("HTML is not a tile");
    assert!(matches!(e, TileError::NotImage { .. }), "{e:?}");
    let e = e.to_string();
    assert!(e.contains("not an image"), "{e}");

    let status = f.status.lock().unwrap().clone();
    assert_eq!((status.loaded, status.failed), (1, 2));
    assert!(status.last_error.is_some());

    // The good tile is on disk; a second fetcher serves it without asking the server.
    let cached = walk(cache.path());
    assert!(cached.iter().any(|p| p.ends_with("1/0/0")), "{cached:?}");
    let before = hits.load(Ordering::SeqCst);
    let f2 = TileFetcher::start(TileSourceSpec::Url(template), Some(cache.path().to_path_buf()), ctx).unwrap();
    assert!(f2.request(good));
    assert!(matches!(wait(&f2).1, Ok(Some(_))));
    assert_eq!(hits.load(Ordering::SeqCst), before, "served from the disk cache");
}

#[test]
fn dead_server_is_reported_not_hung() {
    // Bind then drop: nothing listens on this port any more.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let f = TileFetcher::start(
        TileSourceSpec::Url(format!("http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png")),
        None,
        egui::Context::default(),
    )
    .unwrap();
    assert!(f.request(TileId { x: 0, y: 0, zoom: 0 }));
    let (_, r) = wait(&f);
    let e = r.err().expect("connection refused is an error").to_string();
    assert!(e.contains("cannot connect"), "{e}");
}

#[test]
fn bad_template_is_refused_up_front() {
    let e = TileFetcher::start(
        TileSourceSpec::Url("tile.example/{z}/{x}".into()),
        None,
        egui::Context::default(),
    )
    .err()
    .unwrap();
    assert!(matches!(e, TileError::Scheme(_)), "{e:?}");
    let e = e.to_string();
    assert!(e.contains("http"), "{e}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}
