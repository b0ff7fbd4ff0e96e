//! The start from the local cache: `CacheLoaded` brings the cache's
//! summaries (enough for the table, the filter and the attention view) with
//! the local notes, flags and journal, and `CacheDetails` the full orders
//! behind them ([`CacheStart`]). A carrier's chip says "cached" from
//! `CacheLoaded` until that carrier's first `SyncEvent::Finished`, Ok or Err;
//! only carriers with cached orders are marked.
//!
//! Until its full order arrives an order is shown from its summary only:
//! its detail pane says so and actions on it are refused with a message (a
//! write must be confirmed against the order's real log). A carrier's
//! fresher copy wins: a full order from the cache is applied only while its
//! order is still summary-only. Orders left so when the reading ends (a
//! damaged row, a store error) are re-read from their carrier, at most
//! [`RELOAD_AFTER_CACHE_MAX`] of them at once; beyond that, the first action
//! tried on one re-reads it. Pure: the reading is the runtime's.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::journal::sort_journal;
use super::msg::Effect;
use super::state::{CacheStart, Level, State};
use crate::domain::{Flag, JournalEntry, Note};
use crate::domain::{Order, OrderKey};

/// Most orders re-read from their carriers because the cache could not
/// give their full order.
pub const RELOAD_AFTER_CACHE_MAX: usize = 200;

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
        orders: Vec<Order>,
        notes: HashMap<OrderKey, Vec<Note>>,
        flags: HashMap<OrderKey, Flag>,
        mut journal: Vec<JournalEntry>,
    ) {
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
        let keys: Vec<OrderKey> = orders.iter().map(|o| o.key.clone()).collect();
        self.upsert_orders(orders);
        let mut summary_only = match std::mem::take(&mut self.cache) {
            CacheStart::Reading { summary_only } | CacheStart::Read { summary_only } => {
                summary_only
            }
            CacheStart::Idle | CacheStart::Loading => HashSet::new(),
        };
        summary_only.extend(keys);
        self.cache = CacheStart::Reading { summary_only };
        self.resync_cursor();
    }

    /// Full orders from the cache replace their summaries (see the module
    /// docs). A fetch error seen since the summary is kept.
    pub(super) fn on_cache_details(&mut self, orders: Vec<Order>) {
        let fresh: Vec<Order> = orders
            .into_iter()
            .filter(|o| self.cache.is_summary_only(&o.key))
            .map(|mut o| {
                if let Some(shown) = self.store.by_key(&o.key) {
                    o.fetch_error.clone_from(&shown.fetch_error);
                }
                o
            })
            .collect();
        self.upsert_orders(fresh);
    }

    pub(super) fn on_cache_details_done(
        &mut self,
        result: Result<(), String>,
        fx: &mut Vec<Effect>,
    ) {
        let summary_only = match std::mem::take(&mut self.cache) {
            CacheStart::Reading { summary_only } | CacheStart::Read { summary_only } => {
                summary_only
            }
            CacheStart::Idle | CacheStart::Loading => HashSet::new(),
        };
        if let Err(problem) = &result {
            self.say(
                Level::Warning,
                format!("cache: could not read every full order: {problem}"),
            );
        }
        if summary_only.is_empty() {
            return;
        }
        let left = summary_only.len();
        if left <= RELOAD_AFTER_CACHE_MAX {
            let mut keys: Vec<OrderKey> = summary_only.iter().cloned().collect();
            keys.sort();
            fx.extend(keys.into_iter().map(Effect::ReloadOrder));
        } else if result.is_ok() {
            self.say(
                Level::Warning,
                format!(
                    "cache: {left} orders have only their summary until their carrier re-reads them"
                ),
            );
        }
        self.cache = CacheStart::Read { summary_only };
    }
}
