//! The start from the local cache: `CacheLoaded` brings the cache's
//! summaries (enough for the table, the filter and the attention view) with
//! the local notes, flags and journal. The full orders stay in the store and
//! are read one at a time when needed (see `full`). A carrier's chip says
//! "cached" from `CacheLoaded` until that carrier's first
//! `SyncEvent::Finished`, Ok or Err; only carriers with cached orders are
//! marked. Pure: the reading is the runtime's.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::journal::sort_journal;
use super::state::{CacheStart, Level, State};
use crate::domain::{Flag, JournalEntry, Note};
use crate::domain::{OrderKey, OrderSummary};

impl State {
    /// The cache is being read before the first orders show.
    pub(super) fn on_cache_loading(&mut self) {
        self.cache = CacheStart::Loading;
    }

    /// The local store is unusable: the console runs with the cache off.
    pub(super) fn on_store_problem(&mut self, problem: String) {
        if self.cache == CacheStart::Loading {
            self.cache = CacheStart::Idle;
        }
        self.say(Level::Warning, format!("cache off: {problem}"));
    }

    /// Whether any carrier still shows cached (not yet refreshed) data.
    pub fn any_cached(&self) -> bool {
        self.carriers.iter().any(|c| c.chip.cached)
    }

    pub(super) fn on_cache_loaded(
        &mut self,
        orders: Vec<OrderSummary>,
        notes: HashMap<OrderKey, Vec<Note>>,
        flags: HashMap<OrderKey, Flag>,
        mut journal: Vec<JournalEntry>,
    ) {
        self.cache = CacheStart::Idle;
        // One pass: per carrier, whether it has cached orders and the
        // newest change among them.
        let mut newest: Vec<Option<Option<DateTime<Utc>>>> = vec![None; self.carriers.len()];
        for order in &orders {
            if let Some(i) = self
                .carriers
                .iter()
                .position(|c| c.info.name == order.key.carrier)
            {
                let slot = newest[i].get_or_insert(None);
                *slot = (*slot).max(order.updated_at());
            }
        }
        for (carrier, newest) in self.carriers.iter_mut().zip(newest) {
            if let Some(at) = newest {
                carrier.chip.cached = true;
                carrier.chip.cached_at = at;
            }
        }
        self.notes = notes;
        for list in self.notes.values_mut() {
            list.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
        }
        self.store.replace_flags(flags.keys().cloned().collect());
        self.flags = flags;
        sort_journal(&mut journal);
        self.journal = journal;
        self.upsert_summaries(orders);
    }
}
