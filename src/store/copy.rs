//! Copy a whole event log from one store to another (SQLite file ↔ PostgreSQL server): every
//! row exactly as stored (seq, time, operator, seat, drill id, payload text and chain hash), in
//! one transaction on the target, which must be empty; then both are folded and compared.
//! Must not import egui or tokio.

use super::db::LogDb;
use super::{Backend, Store, StoreError, log};

/// What a copy did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CopyReport {
    /// Events copied.
    pub events: u64,
    /// Last seq of both logs.
    pub last_seq: u64,
    /// Chain head of both logs (hex).
    pub chain_head: String,
    /// Both logs fold to the same situation.
    pub same_situation: bool,
}

impl Store {
    /// Copy every event of `self` into `target` (which must hold no event) in one transaction,
    /// calling `progress(done, total)` now and then. Verification is [`Store::same_log_as`].
    pub fn copy_log_to(&self, target: &mut Store, mut progress: impl FnMut(u64, u64)) -> Result<u64, StoreError> {
        if target.conn.log().count_events()? > 0 {
            return Err(StoreError::AlreadyExists {
                path: target.label.display().to_string(),
            });
        }
        let total = self.conn.log().count_events()?;
        let src = self.conn.log();
        let mut done = 0u64;
        let mut copy = |dst: &dyn LogDb| {
            src.for_each_raw(0, u64::MAX, &mut |raw| {
                dst.insert_raw(&raw)?;
                done += 1;
                if done.is_multiple_of(1000) || done == total {
                    progress(done, total);
                }
                Ok(())
            })
        };
        match &mut target.conn {
            Backend::Sqlite(c) => {
                let tx = c.transaction()?;
                copy(&*tx)?;
                tx.commit()?;
            }
            Backend::Pg(p) => {
                p.begin()?;
                match copy(&**p) {
                    Ok(()) => p.commit()?,
                    Err(e) => {
                        p.rollback();
                        return Err(e);
                    }
                }
            }
        }
        Ok(done)
    }

    /// Compare two stores: same last seq, same chain head, and the same folded situation
    /// (each folded from its own log).
    pub fn same_log_as(&mut self, other: &mut Store) -> Result<CopyReport, StoreError> {
        self.refresh()?;
        other.refresh()?;
        let (a, b) = (self.chain_head()?, other.chain_head()?);
        let same = a == b
            && serde_json::to_value(self.cached_situation()).ok()
                == serde_json::to_value(other.cached_situation()).ok();
        Ok(CopyReport {
            events: log::count_events(other.conn.log())?,
            last_seq: b.seq,
            chain_head: b.hash.to_hex(),
            same_situation: same,
        })
    }
}
