//! Feed polling against a real HTTP server on loopback (no mocks): 200 with ETag then 304,
//! Last-Modified / If-Modified-Since, 404, a timeout, malformed XML, and an Atom index whose
//! linked CAP message is fetched once. A broken feed never stops the others. Also the drop folder.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

use onemap::alerts::areas::AreaIndex;
use onemap::alerts::config::{AlertsConfig, FeedSpec};
use onemap::alerts::ingest::Importer;
use onemap::feeds::{Arrival, DropFolder, Poller, SinkRefused};
use onemap::mappack::MapPack;
use onemap::model::AlertDecision;
use onemap::store::Store;

type Log = Arc<Mutex<Vec<(String, BTreeMap<String, String>)>>>;

fn data(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/alerts")
            .join(name),
    )
    .unwrap()
}

/// A tiny HTTP/1.1 server: one thread per connection, `Connection: close`, requests logged.
fn serve() -> (String, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let log: Log = Arc::new(Mutex::new(Vec::new()));
    let log2 = log.clone();
    let base2 = base.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let log = log2.clone();
            let base = base2.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut first = String::new();
                reader.read_line(&mut first).unwrap();
                let path = first.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let mut headers = BTreeMap::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap() == 0 || line.trim().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = line.split_once(':') {
                        headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
                    }
                }
                log.lock().unwrap().push((path.clone(), headers.clone()));
                let (status, extra, body): (&str, String, Vec<u8>) = match path.as_str() {
                    "/cap.xml" if headers.get("if-none-match").map(String::as_str) == Some("\"v1\"") => {
                        ("304 Not Modified", String::new(), Vec::new())
                    }
                    "/cap.xml" => ("200 OK", "ETag: \"v1\"\r\n".into(), data("synthetic_xsbn_rainstorm_orange.cap")),
                    "/usgs.geojson" if headers.contains_key("if-modified-since") => {
                        ("304 Not Modified", String::new(), Vec::new())
                    }
                    "/usgs.geojson" => (
                        "200 OK",
                        "Last-Modified: Sun, 03 Dec 2017 23:15:50 GMT\r\n".into(),
                        data("usgs_all_hour_2017-12-03.geojson"),
                    ),
                    "/index.atom" => (
                        "200 OK",
                        String::new(),
                        format!(
                            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>x1</id><title>t</title>\
                             <link rel=\"related\" type=\"application/cap+xml\" href=\"{base}/linked.cap\"/></entry></feed>"
                        )
                        .into_bytes(),
                    ),
                    "/linked.cap" => ("200 OK", String::new(), data("canada.cap")),
                    "/bad.xml" => (
                        "200 OK",
                        String::new(),
                        b"<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>x".to_vec(),
                    ),
                    "/slow" => {
                        std::thread::sleep(std::time::Duration::from_secs(4));
                        ("200 OK", String::new(), data("synthetic_prefixed_bom_signed.cap"))
                    }
                    _ => ("404 Not Found", String::new(), b"not here".to_vec()),
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            });
        }
    });
    (base, log)
}

fn spec(name: &str, url: String) -> FeedSpec {
    FeedSpec {
        name: name.into(),
        url,
        interval_s: 60,
        timeout_s: 1,
    }
}

#[test]
fn feeds_poll_with_conditional_requests_and_isolated_failures() {
    let (base, log) = serve();
    let pack = MapPack::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("maps/xishuangbanna")).unwrap();
    let cfg = AlertsConfig::load_for_pack(&pack.dir).unwrap();
    let areas = AreaIndex::from_pack(&pack);
    let mut store = Store::open_in_memory().unwrap();
    let importer = Importer {
        cfg: &cfg,
        areas: &areas,
        operator: "poller",
        seat: "feeds",
        drill: None,
    };
    let mut poller = Poller::new(vec![
        spec("slow", format!("{base}/slow")),
        spec("missing", format!("{base}/missing")),
        spec("bad", format!("{base}/bad.xml")),
        spec("cap", format!("{base}/cap.xml")),
        spec("usgs", format!("{base}/usgs.geojson")),
        spec("index", format!("{base}/index.atom")),
    ])
    .unwrap();
    let now = onemap::alerts::time::parse_cap_time("2026-07-15T08:00:00Z").unwrap();
    let mut decisions = Vec::new();
    let mut sink = |a: Arrival| -> Result<(), SinkRefused> {
        let m = importer
            .import_bytes(&mut store, &a.source, &a.bytes, now)
            .map_err(|e| e.to_string())?;
        decisions.push((a.source.clone(), m.decision));
        m.error.map_or(Ok(()), |e| Err(e.into()))
    };
    poller.poll_due(now, &mut sink);
    let st = poller.statuses();
    let by = |n: &str| st.iter().find(|s| s.name == n).unwrap().clone();
    assert!(
        by("slow").last_error.as_deref().unwrap().contains("timed out"),
        "{:?}",
        by("slow")
    );
    assert!(
        by("missing").last_error.as_deref().unwrap().contains("HTTP 404"),
        "{:?}",
        by("missing")
    );
    let bad = by("bad").last_error.unwrap();
    assert!(bad.contains("bad.xml") && bad.contains("not well-formed"), "{bad}");
    assert!(by("bad").last_success_utc.is_none());
    for ok in ["cap", "usgs", "index"] {
        let s = by(ok);
        assert!(s.last_success_utc.is_some() && s.last_error.is_none(), "{s:?}");
        assert_eq!(s.next_poll_utc.as_deref(), Some("2026-07-15T08:01:00.000Z"));
    }
    assert_eq!(by("cap").etag.as_deref(), Some("\"v1\""));
    assert_eq!(by("index").documents, 1, "the linked CAP message");
    // Not due yet: nothing happens.
    let before = log.lock().unwrap().len();
    poller.poll_due(now + 30_000, &mut sink);
    assert_eq!(log.lock().unwrap().len(), before);
    // Due again: conditional requests, 304s, and the index's link is not fetched twice.
    poller.poll_due(now + 60_000, &mut sink);
    let st2 = poller.statuses();
    let by2 = |n: &str| st2.iter().find(|s| s.name == n).unwrap().clone();
    assert_eq!(by2("cap").not_modified, 1);
    assert_eq!(by2("usgs").not_modified, 1);
    assert_eq!(by2("index").documents, 1);
    let requests = log.lock().unwrap().clone();
    let cap_reqs: Vec<_> = requests.iter().filter(|(p, _)| p == "/cap.xml").collect();
    assert_eq!(cap_reqs.len(), 2);
    assert_eq!(cap_reqs[1].1.get("if-none-match").map(String::as_str), Some("\"v1\""));
    let usgs_reqs: Vec<_> = requests.iter().filter(|(p, _)| p == "/usgs.geojson").collect();
    assert_eq!(
        usgs_reqs[1].1.get("if-modified-since").map(String::as_str),
        Some("Sun, 03 Dec 2017 23:15:50 GMT")
    );
    assert_eq!(requests.iter().filter(|(p, _)| p == "/linked.cap").count(), 1);
    let kinds: Vec<AlertDecision> = decisions.iter().map(|(_, d)| *d).collect();
    assert!(
        kinds.contains(&AlertDecision::New) && kinds.contains(&AlertDecision::Rejected),
        "{decisions:?}"
    );
    let sit = store.situation().unwrap();
    assert_eq!(sit.alerts.quakes.len(), 8);
    assert!(
        sit.alerts
            .alerts
            .keys()
            .any(|k| k.contains("SYNTHETIC-532800-20260715140000-0001"))
    );
}

#[test]
fn drop_folder_imports_complete_files_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut folder = DropFolder::new(&dir.path().join("drop")).unwrap();
    std::fs::write(folder.dir.join("a.cap"), data("synthetic_xsbn_rainstorm_orange.cap")).unwrap();
    std::fs::write(folder.dir.join("b.xml"), b"<not").unwrap();
    std::fs::write(folder.dir.join("README.md"), b"ignored").unwrap();
    let mut seen = Vec::new();
    let mut sink = |a: Arrival| -> Result<(), SinkRefused> {
        seen.push(a.source.clone());
        if a.bytes.starts_with(b"<not") {
            Err("unreadable".into())
        } else {
            Ok(())
        }
    };
    // First scan only notes the sizes (a file may still be being written).
    assert!(folder.scan(true, &mut sink).unwrap().is_empty());
    assert_eq!(folder.scan(true, &mut sink).unwrap().len(), 2);
    assert!(folder.scan(true, &mut sink).unwrap().is_empty());
    assert_eq!(seen.len(), 2);
    assert!(folder.dir.join("imported/a.cap").is_file());
    assert!(folder.dir.join("rejected/b.xml").is_file());
    assert!(folder.dir.join("README.md").is_file());
}
