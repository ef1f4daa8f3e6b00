//! Replay: any OneMap database, real or drill, opened READ-ONLY (SQLite `mode=ro`; nothing is
//! written, except that a store of an older schema is migrated first, as by any command), a
//! file or a `postgres://` server database (read through [`super::db::LogDb`]). A
//! compact timeline (seq, time, kind, drill id) for the scrubber, and the situation at any seq or time from the nearest snapshot plus at most `snapshot_every` events.
//! In a drill scope the time axis is the drill's own (simulated) event times and the situation
//! is real state at the drill's start plus the drill's events. Must not import egui or tokio.

use std::path::Path;

use rusqlite::Connection;

use super::chain::RawEvent;
use super::db::LogDb;
use super::{Backend, PgOpen, StoreError};
use super::{log, pg, schema, snapshot};
use crate::model::{Event, Situation};

/// One row of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    /// Seq.
    pub seq: u64,
    /// Event time, ms since the Unix epoch (simulated time for drill events).
    pub ts_ms: i64,
    /// Kind tag (`unit_dispatched` …).
    pub kind: Box<str>,
    /// Drill id, `None` for real events.
    pub drill_id: Option<Box<str>>,
}

/// A read-only replay of a store (file or server).
pub struct Replay {
    pub(super) conn: Backend,
    timeline: Vec<TimelineEntry>,
    scope: Option<String>,
    /// Started seq of the scoped drill.
    drill_started: u64,
    /// Indices into `timeline` of the events on the scope's time axis.
    axis: Vec<usize>,
    /// Whether `axis` times never decrease (then seeks by time are binary searches).
    monotonic: bool,
    warnings: Vec<String>,
}

impl std::fmt::Debug for Replay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replay")
            .field("events", &self.timeline.len())
            .field("scope", &self.scope)
            .finish()
    }
}

fn entry(seq: u64, ts_utc: &str, kind: String, drill_id: Option<String>) -> TimelineEntry {
    TimelineEntry {
        seq,
        ts_ms: crate::time::parse_utc_ms(ts_utc).unwrap_or(0),
        kind: kind.into_boxed_str(),
        drill_id: drill_id.map(String::into_boxed_str),
    }
}

fn open_file(path: &Path) -> Result<Connection, StoreError> {
    if !path.is_file() {
        return Err(StoreError::Io {
            path: path.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such database file"),
        });
    }
    // Read-only; only a store of an older schema is migrated first (like any command).
    schema::open_existing_read_only(path, super::DEFAULT_BUSY_TIMEOUT_MS)
}

/// The timeline of a file: only the four columns it needs.
fn file_timeline(conn: &Connection) -> Result<Vec<TimelineEntry>, StoreError> {
    let mut timeline = Vec::new();
    let mut stmt = conn.prepare("SELECT seq, ts_utc, kind, drill_id FROM events ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        let ts: String = row.get(1)?;
        timeline.push(entry(u64::try_from(seq).unwrap_or(0), &ts, row.get(2)?, row.get(3)?));
    }
    Ok(timeline)
}

/// The timeline of a server database, through the rows [`LogDb`] reads.
fn pg_timeline(db: &pg::PgDb) -> Result<Vec<TimelineEntry>, StoreError> {
    let mut timeline = Vec::new();
    let last = db.max_seq()?;
    db.for_each_raw(0, last, &mut |r: RawEvent| {
        timeline.push(entry(r.seq, &r.ts_utc, r.kind, r.drill_id));
        Ok(())
    })?;
    Ok(timeline)
}

impl Replay {
    /// Opens `path` (a file or a `postgres://` URL) read-only and loads the timeline (real
    /// scope).
    pub fn open(path: impl AsRef<Path>) -> Result<Replay, StoreError> {
        let path = path.as_ref();
        let (conn, timeline) = if pg::is_url(path) {
            let (db, _) = super::connect_pg(path, PgOpen::Existing)?;
            let timeline = pg_timeline(&db)?;
            (Backend::Pg(Box::new(db)), timeline)
        } else {
            let conn = open_file(path)?;
            let timeline = file_timeline(&conn)?;
            (Backend::Sqlite(conn), timeline)
        };
        let mut r = Replay {
            conn,
            timeline,
            scope: None,
            drill_started: 0,
            axis: Vec::new(),
            monotonic: true,
            warnings: Vec::new(),
        };
        r.set_scope(None)?;
        Ok(r)
    }

    /// Replays the real situation (`None`) or one drill (real state at its start plus its events).
    pub fn set_scope(&mut self, drill_id: Option<&str>) -> Result<(), StoreError> {
        self.drill_started = match drill_id {
            None => 0,
            Some(d) => {
                let started = self
                    .timeline
                    .iter()
                    .find(|e| &*e.kind == "drill_started" && self.drill_of_start(e.seq).as_deref() == Some(d));
                match started {
                    Some(e) => e.seq,
                    None => return Err(StoreError::UnknownDrill(d.to_owned())),
                }
            }
        };
        self.scope = drill_id.map(str::to_owned);
        self.axis = self
            .timeline
            .iter()
            .enumerate()
            .filter(|(_, e)| match drill_id {
                None => e.drill_id.is_none(),
                Some(d) => e.drill_id.as_deref() == Some(d),
            })
            .map(|(i, _)| i)
            .collect();
        self.monotonic = self
            .axis
            .windows(2)
            .all(|w| self.timeline[w[0]].ts_ms <= self.timeline[w[1]].ts_ms);
        Ok(())
    }

    fn drill_of_start(&self, seq: u64) -> Option<String> {
        let mut found = None;
        let _ = log::for_each_event(self.conn.log(), seq.saturating_sub(1), seq, |e| {
            if let crate::model::EventKind::DrillStarted { drill_id, .. } = e.kind {
                found = Some(drill_id);
            }
            Ok(())
        });
        found
    }

    /// Seq of the scoped drill's `DrillStarted` event (0 in the real scope).
    pub fn drill_started_seq(&self) -> u64 {
        self.drill_started
    }

    /// Drill ids found in the log, in start order.
    pub fn drills(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for e in &self.timeline {
            if let Some(d) = &e.drill_id
                && !out.iter().any(|x| x.as_str() == &**d)
            {
                out.push(d.to_string());
            }
        }
        out
    }

    /// Every event of the file (real and drill), in seq order.
    pub fn timeline(&self) -> &[TimelineEntry] {
        &self.timeline
    }

    /// The events on the current scope's time axis (real events, or the drill's), in seq order.
    pub fn scoped_timeline(&self) -> impl Iterator<Item = &TimelineEntry> {
        self.axis.iter().map(|&i| &self.timeline[i])
    }

    /// First and last time on the scope's axis, ms (`None` when empty).
    pub fn time_range(&self) -> Option<(i64, i64)> {
        let times = self.axis.iter().map(|&i| self.timeline[i].ts_ms);
        let min = times.clone().min()?;
        Some((min, times.max()?))
    }

    /// Full events with `after < seq <= upto` (for a detail list around the scrubber).
    pub fn events(&self, after: u64, upto: u64) -> Result<Vec<Event>, StoreError> {
        let mut out = Vec::new();
        log::for_each_event(self.conn.log(), after, upto, |e| {
            out.push(e);
            Ok(())
        })?;
        Ok(out)
    }

    /// Non-fatal problems (skipped snapshots or events).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The scope's situation right after event `seq` (clamped to the log), from the nearest
    /// valid snapshot.
    pub fn situation_at(&mut self, seq: u64) -> Result<Situation, StoreError> {
        let last = self.timeline.last().map_or(0, |e| e.seq);
        let seq = seq.min(last);
        match &self.scope {
            None => {
                let mut sit =
                    snapshot::load_latest_snapshot(self.conn.log(), seq, &mut self.warnings)?.unwrap_or_default();
                log::fold_range(self.conn.log(), &mut sit, seq, &mut self.warnings)?;
                Ok(sit)
            }
            Some(d) => {
                let from = self.drill_started.saturating_sub(1);
                let mut sit =
                    snapshot::load_latest_snapshot(self.conn.log(), from, &mut self.warnings)?.unwrap_or_default();
                sit.scope_drill_id = Some(d.clone());
                log::fold_range(
                    self.conn.log(),
                    &mut sit,
                    seq.max(self.drill_started),
                    &mut self.warnings,
                )?;
                Ok(sit)
            }
        }
    }

    /// Plays forward: folds the events after `sit.last_seq` up to `seq` into `sit` (cheap
    /// increments for playback; seek with [`Replay::situation_at_time`] when jumping).
    pub fn advance(&self, sit: &mut Situation, seq: u64) -> Result<(), StoreError> {
        let mut warnings = Vec::new();
        log::fold_range(self.conn.log(), sit, seq, &mut warnings)
    }

    /// The last seq on the scope's axis at or before `ts_ms` (the drill's start, or 0, when none).
    pub fn seq_at_time(&self, ts_ms: i64) -> u64 {
        let floor = self.drill_started;
        let idx = if self.monotonic {
            let n = self.axis.partition_point(|&i| self.timeline[i].ts_ms <= ts_ms);
            n.checked_sub(1).map(|k| self.axis[k])
        } else {
            self.axis
                .iter()
                .rev()
                .copied()
                .find(|&i| self.timeline[i].ts_ms <= ts_ms)
        };
        idx.map_or(floor, |i| self.timeline[i].seq.max(floor))
    }

    /// The scope's situation at time `ts_ms` (what the console showed then).
    pub fn situation_at_time(&mut self, ts_ms: i64) -> Result<Situation, StoreError> {
        let seq = self.seq_at_time(ts_ms);
        self.situation_at(seq)
    }
}
