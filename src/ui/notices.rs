//! One queue for everything the console tells the officer: severity, source, text and time;
//! shown beside what it concerns (the suggestion, the unit pane, the status bar …), dismissed
//! by the officer or replaced by the next notice from the same source, and kept in a history.
//! Pure state: no egui drawing here, no workers.

use std::collections::VecDeque;

/// How much a notice matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Done, for the record (an incident recorded, a copy made). Expires by itself.
    Info,
    /// Something the officer should read (a refusal, a missing plans file).
    Warning,
    /// Something failed (the database, a worker).
    Error,
}

/// Who raised a notice; panels show the current notice of the sources they concern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// The situation database.
    Store,
    /// Routes and isochrones.
    Routing,
    /// Suggestions, dispatches and status changes.
    Dispatch,
    /// Coverage, move-up, siting and supplies.
    Coverage,
    /// Console drills.
    Drill,
    /// Replay mode.
    Replay,
    /// Raster tiles.
    Raster,
    /// The new-incident form.
    Form,
    /// Short confirmations in the status bar.
    Toast,
    /// New incidents arriving (from any seat, the CLI or a drill inject).
    Arrival,
    /// Alerts arriving (drop folder, feeds) and the pack's alerts.toml.
    Alerts,
}

/// One notice.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// Id, for dismissing.
    pub id: u64,
    /// How much it matters.
    pub severity: Severity,
    /// Who raised it.
    pub source: Source,
    /// What it says (already in the officer's language).
    pub text: String,
    /// When, in egui seconds since the console started.
    pub at_s: f64,
    /// Until when it shows by itself (`None`: until dismissed or replaced).
    pub until_s: Option<f64>,
}

/// Notices kept in the history.
pub const HISTORY: usize = 200;

/// The console's notices: at most one current per source, plus the history.
#[derive(Debug, Default)]
pub struct Notices {
    current: Vec<Notice>,
    history: VecDeque<Notice>,
    next_id: u64,
    now_s: f64,
}

impl Notices {
    /// The time new notices are stamped with (egui seconds); called once per frame.
    pub fn set_now(&mut self, now_s: f64) {
        self.now_s = now_s;
        let expired: Vec<u64> = self
            .current
            .iter()
            .filter(|n| n.until_s.is_some_and(|u| u <= now_s))
            .map(|n| n.id)
            .collect();
        for id in expired {
            self.dismiss(id);
        }
    }

    /// Raise a notice; it replaces the current one of its source. Returns its id.
    pub fn push(&mut self, severity: Severity, source: Source, text: impl ToString) -> u64 {
        self.push_until(severity, source, text, None)
    }

    /// Raise a notice that disappears after `for_s` seconds.
    pub fn push_for(&mut self, severity: Severity, source: Source, text: impl ToString, for_s: f64) -> u64 {
        let until = self.now_s + for_s;
        self.push_until(severity, source, text, Some(until))
    }

    fn push_until(&mut self, severity: Severity, source: Source, text: impl ToString, until_s: Option<f64>) -> u64 {
        self.clear(source);
        self.next_id += 1;
        let n = Notice {
            id: self.next_id,
            severity,
            source,
            text: text.to_string(),
            at_s: self.now_s,
            until_s,
        };
        self.history.push_back(n.clone());
        while self.history.len() > HISTORY {
            self.history.pop_front();
        }
        self.current.push(n);
        self.next_id
    }

    /// The current notice of a source.
    pub fn get(&self, source: Source) -> Option<&Notice> {
        self.current.iter().find(|n| n.source == source)
    }

    /// The current text of a source.
    pub fn text(&self, source: Source) -> Option<&str> {
        self.get(source).map(|n| n.text.as_str())
    }

    /// Clear the current notice of a source (it stays in the history).
    pub fn clear(&mut self, source: Source) {
        self.current.retain(|n| n.source != source);
    }

    /// Dismiss one notice by id (it stays in the history).
    pub fn dismiss(&mut self, id: u64) {
        self.current.retain(|n| n.id != id);
    }

    /// Current notices, oldest first.
    pub fn current(&self) -> &[Notice] {
        &self.current
    }

    /// Every notice raised (up to [`HISTORY`]), oldest first.
    pub fn history(&self) -> impl DoubleEndedIterator<Item = &Notice> {
        self.history.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_current_notice_per_source_and_all_in_the_history() {
        let mut n = Notices::default();
        n.set_now(1.0);
        n.push(Severity::Warning, Source::Dispatch, "a");
        n.push(Severity::Error, Source::Store, "b");
        n.set_now(2.0);
        let c = n.push(Severity::Warning, Source::Dispatch, "c");
        assert_eq!(n.text(Source::Dispatch), Some("c"));
        assert_eq!(n.text(Source::Store), Some("b"));
        assert_eq!(n.current().len(), 2);
        n.dismiss(c);
        assert_eq!(n.text(Source::Dispatch), None);
        let h: Vec<_> = n.history().map(|x| (x.text.as_str(), x.at_s)).collect();
        assert_eq!(h, vec![("a", 1.0), ("b", 1.0), ("c", 2.0)]);
        n.clear(Source::Store);
        assert!(n.current().is_empty());
        assert_eq!(n.history().count(), 3);
    }

    #[test]
    fn timed_notices_expire_and_history_is_bounded() {
        let mut n = Notices::default();
        n.set_now(10.0);
        n.push_for(Severity::Info, Source::Toast, "saved", 4.0);
        n.set_now(13.9);
        assert_eq!(n.text(Source::Toast), Some("saved"));
        n.set_now(14.0);
        assert_eq!(n.text(Source::Toast), None);
        for k in 0..(HISTORY + 5) {
            n.push(Severity::Info, Source::Routing, format!("{k}"));
        }
        assert_eq!(n.history().count(), HISTORY);
        assert_eq!(
            n.history().next().map(|x| x.text.clone()),
            Some("5".to_string()),
            "the oldest six dropped"
        );
        assert_eq!(n.current().len(), 1);
    }
}
