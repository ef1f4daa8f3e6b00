//! What the console is doing, as one value that owns the handles of that mode: live work holds
//! the store worker (the only writer), a drill holds the same store plus the drill worker, a
//! replay holds only a read-only replay worker. So "read-only in replay" (no writer to send an
//! intent to), "one drill at a time" and "no replay during a drill" follow from the type:
//! a drill can only be entered from `Live`, a replay only from `Live` or `MapOnly`.

use super::drill::DrillState;
use super::replay::ReplayState;
use crate::backend::store::StoreWorker;

/// The console's mode and the handles it owns.
pub enum Mode {
    /// No database: the map only.
    MapOnly,
    /// Live operations on the situation database.
    Live {
        /// The store worker: the one writer.
        store: StoreWorker,
    },
    /// A console drill on the live database (events carry the drill id and simulated time).
    Drill {
        /// The same store worker, switched to the drill.
        store: StoreWorker,
        /// The drill worker, clock and simulated positions.
        drill: Box<DrillState>,
    },
    /// Replay of a database, read-only: no store worker, so nothing can be written.
    Replay {
        /// The read-only replay worker and its timeline.
        replay: Box<ReplayState>,
    },
}

impl Mode {
    /// The writer, when this mode may record events (live or drill; never replay).
    pub fn writer(&self) -> Option<&StoreWorker> {
        match self {
            Mode::Live { store } | Mode::Drill { store, .. } => Some(store),
            Mode::MapOnly | Mode::Replay { .. } => None,
        }
    }

    /// The running drill.
    pub fn drill(&self) -> Option<&DrillState> {
        match self {
            Mode::Drill { drill, .. } => Some(drill),
            _ => None,
        }
    }

    /// The running drill, to change.
    pub fn drill_mut(&mut self) -> Option<&mut DrillState> {
        match self {
            Mode::Drill { drill, .. } => Some(drill),
            _ => None,
        }
    }

    /// The replay.
    pub fn replay(&self) -> Option<&ReplayState> {
        match self {
            Mode::Replay { replay } => Some(replay),
            _ => None,
        }
    }

    /// The replay, to change.
    pub fn replay_mut(&mut self) -> Option<&mut ReplayState> {
        match self {
            Mode::Replay { replay } => Some(replay),
            _ => None,
        }
    }

    /// Enter a drill: only from live work (one drill at a time; none during a replay). Returns
    /// the drill back when the mode does not allow it.
    pub fn enter_drill(&mut self, drill: DrillState) -> Result<(), Box<DrillState>> {
        match std::mem::replace(self, Mode::MapOnly) {
            Mode::Live { store } => {
                *self = Mode::Drill {
                    store,
                    drill: Box::new(drill),
                };
                Ok(())
            }
            other => {
                *self = other;
                Err(Box::new(drill))
            }
        }
    }

    /// Leave a drill for live work on the same store.
    pub fn leave_drill(&mut self) {
        *self = match std::mem::replace(self, Mode::MapOnly) {
            Mode::Drill { store, .. } => Mode::Live { store },
            other => other,
        };
    }

    /// Whether a replay may start now (never during a drill: the drill owns the live store).
    pub fn may_replay(&self) -> bool {
        !matches!(self, Mode::Drill { .. })
    }

    /// Leave replay mode, returning its state.
    pub fn take_replay(&mut self) -> Option<Box<ReplayState>> {
        match std::mem::replace(self, Mode::MapOnly) {
            Mode::Replay { replay } => Some(replay),
            other => {
                *self = other;
                None
            }
        }
    }
}
