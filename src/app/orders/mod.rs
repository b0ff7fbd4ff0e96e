//! Every order the console holds, as its [`OrderSummary`] (what the table,
//! the filter and the attention view need; the full orders stay in the
//! store), and the current view of them: the filtered and sorted list of
//! indices the table shows.
//!
//! Invariant after every public method: `visible` equals "orders in the view
//! that match the filter, ordered by the sort", and `sorted` holds every order
//! ordered by the sort. Both are kept up to date incrementally:
//! - a changed or new order is taken out and put back by binary search
//!   (the comparator is a total order: ties break on created time, then key);
//!   a large batch rebuilds instead;
//! - a filter that narrows the previous one filters the previous result; any
//!   other filter or view change filters `sorted` (already in order, no sort);
//! - a sort change sorts `sorted` once (reversing is a reverse).
//!
//! Per order a [`Meta`] is precomputed when the order is inserted or
//! replaced: the lowercase filter haystack and the sort keys, so neither a
//! filter nor a sort lowercases or parses anything. Orders are never removed
//! (carriers do not delete orders; closed ones leave the open views), so
//! indices are stable.
//!
//! Local follow-up flags are not part of the domain order: the store holds
//! the set of flagged keys (they may name orders it does not hold yet) and a
//! `flagged` bit per order in [`Hot`], set by one set lookup when the order
//! is stored. A flagged order counts as needing attention. Changing one flag
//! takes the order out and puts it back, like a replaced order. Orders past
//! a service level or their delivery date are marked late the same way, by
//! the clock the console moves (see `late`).

mod late;
mod meta;

use std::cmp::Ordering;
use std::collections::HashSet;

use super::filter::Filter;
use super::key_index::KeyIndex;
use super::keymap::ViewKind;
pub use super::sort::{Sort, SortColumn};
use crate::domain::{OrderKey, OrderSummary, Stage};
use meta::{Hot, Meta, Row, natural_id, time_key};

/// What the store's full-text index found for the filter's plain words.
#[derive(Debug, Default)]
struct FullText {
    words: String,
    hits: HashSet<u32>,
}

/// Orders, their metadata and the current view.
#[derive(Debug, Default)]
pub struct OrderStore {
    orders: Vec<OrderSummary>,
    hot: Vec<Hot>,
    /// Every order's filter haystack, back to back, so a filter pass reads
    /// one contiguous block of memory. Replaced orders append; the arena is
    /// compacted when most of it is stale.
    arena: String,
    /// Bytes of `arena` that belong to current haystacks.
    arena_live: usize,
    meta: Vec<Meta>,
    index: KeyIndex,
    sort: Sort,
    view: ViewKind,
    filter: Filter,
    /// Every order, sorted.
    sorted: Vec<u32>,
    /// The view, filtered and sorted.
    visible: Vec<u32>,
    stage_counts: [usize; 5],
    attention_count: usize,
    /// Keys with a local follow-up flag (held or not).
    flagged: HashSet<OrderKey>,
    /// The orders whose full text holds the filter's plain words (as far as
    /// the store's index said, for these words).
    full_text: Option<FullText>,
    /// The longest key shown (`carrier/id`, in characters, at most
    /// [`WIDEST_KEY_CAP`]) of any order held: the table's order column is
    /// this wide, so it keeps its width while scrolling without a pass over
    /// every row per frame.
    widest_key: usize,
    /// Service levels and the clock they are judged at.
    late: late::Lateness,
    /// Per carrier, the orders held as bare list rows, their details not
    /// read yet ([`OrderSummary::is_bare`]).
    loading: std::collections::HashMap<std::sync::Arc<str>, usize>,
    /// Every status word and source system held, as the carriers wrote
    /// them, for the filter's hints; words are never taken out.
    statuses: HashSet<Box<str>>,
    sources: HashSet<Box<str>>,
    /// Orders that newly need attention since last asked, when watched
    /// (see [`Self::watch_arrivals`]).
    arrivals: Option<Vec<OrderKey>>,
}

/// Keys longer than this are cut in the table anyway.
pub const WIDEST_KEY_CAP: usize = 64;

fn stage_slot(stage: Stage) -> usize {
    match stage {
        Stage::New => 0,
        Stage::InProgress => 1,
        Stage::NeedsAttention => 2,
        Stage::Done => 3,
        Stage::Closed => 4,
    }
}

impl OrderStore {
    pub fn len(&self) -> usize {
        self.orders.len()
    }

    /// The longest key of any order held, in characters (see `widest_key`).
    pub fn widest_key(&self) -> usize {
        self.widest_key
    }

    pub fn is_empty(&self) -> bool {
        self.orders.is_empty()
    }

    /// Every order held, in no particular order.
    pub fn all(&self) -> &[OrderSummary] {
        &self.orders
    }

    pub fn get(&self, index: u32) -> Option<&OrderSummary> {
        self.orders.get(index as usize)
    }

    pub fn index_of(&self, key: &OrderKey) -> Option<u32> {
        self.index.find(key, &self.orders)
    }

    pub fn by_key(&self, key: &OrderKey) -> Option<&OrderSummary> {
        self.index_of(key).and_then(|i| self.get(i))
    }

    pub fn visible(&self) -> &[u32] {
        &self.visible
    }

    pub fn sort(&self) -> Sort {
        self.sort
    }

    pub fn view(&self) -> ViewKind {
        self.view
    }

    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    /// Orders per stage (all orders, whatever the view).
    pub fn stage_count(&self, stage: Stage) -> usize {
        self.stage_counts[stage_slot(stage)]
    }

    /// The status words and source systems held, lowercase and sorted.
    pub fn held_words(&self) -> (Vec<String>, Vec<String>) {
        let lower = |set: &HashSet<Box<str>>| {
            let mut words: Vec<String> = set.iter().map(|w| w.to_lowercase()).collect();
            words.sort_unstable();
            words.dedup();
            words
        };
        (lower(&self.statuses), lower(&self.sources))
    }

    /// A carrier's orders held without their details yet.
    pub fn loading_count(&self, carrier: &str) -> usize {
        self.loading.get(carrier).copied().unwrap_or(0)
    }

    /// Orders that need attention (all orders).
    pub fn attention_count(&self) -> usize {
        self.attention_count
    }

    /// Orders in a view, ignoring the filter.
    pub fn view_count(&self, view: ViewKind) -> usize {
        match view {
            ViewKind::Open => self.stage_counts[..3].iter().sum(),
            ViewKind::Attention => self.attention_count,
            ViewKind::New => self.stage_counts[0],
            ViewKind::All => self.orders.len(),
        }
    }

    fn in_view(&self, i: u32) -> bool {
        let h = &self.hot[i as usize];
        let in_view = match self.view {
            ViewKind::Open => h.stage.is_open(),
            ViewKind::Attention => h.needs_attention(),
            ViewKind::New => h.stage == Stage::New,
            ViewKind::All => true,
        };
        in_view
            && (self.filter.is_empty()
                || self.filter.matches(&Row {
                    store: self,
                    index: i,
                }))
    }

    /// The sort column alone.
    fn primary(&self, a: u32, b: u32) -> Ordering {
        let (oa, ob) = (&self.orders[a as usize], &self.orders[b as usize]);
        let (ma, mb) = (&self.meta[a as usize], &self.meta[b as usize]);
        match self.sort.column {
            SortColumn::Carrier => oa.key.carrier.cmp(&ob.key.carrier),
            SortColumn::Id => natural_id(&oa.key, ma, &ob.key, mb),
            SortColumn::Status => self
                .part(a, ma.parts.status)
                .cmp(self.part(b, mb.parts.status)),
            SortColumn::Stage => oa.status.stage.cmp(&ob.status.stage),
            SortColumn::Age => Ordering::Equal,
            SortColumn::Updated => ma.updated.cmp(&mb.updated),
            SortColumn::Customer => self
                .part(a, ma.parts.customer)
                .cmp(self.part(b, mb.parts.customer)),
            SortColumn::Service => self
                .part(a, ma.parts.service)
                .cmp(self.part(b, mb.parts.service)),
            SortColumn::Schedule => ma.schedule.cmp(&mb.schedule),
        }
    }

    /// Ties on the sort column: oldest first, then by key.
    fn tie(&self, a: u32, b: u32) -> Ordering {
        let (oa, ob) = (&self.orders[a as usize], &self.orders[b as usize]);
        let (ma, mb) = (&self.meta[a as usize], &self.meta[b as usize]);
        ma.created
            .cmp(&mb.created)
            .then_with(|| oa.key.carrier.cmp(&ob.key.carrier))
            .then_with(|| natural_id(&oa.key, ma, &ob.key, mb))
    }

    /// The total order of the view (sort column, then [`Self::tie`]).
    fn cmp(&self, a: u32, b: u32) -> Ordering {
        let ord = self.primary(a, b).then_with(|| self.tie(a, b));
        if self.sort.reversed {
            ord.reverse()
        } else {
            ord
        }
    }

    /// A prefix of the sort column consistent with [`Self::primary`]
    /// (`prefix(a) < prefix(b)` implies `primary(a, b) == Less`), and
    /// whether equal prefixes mean equal values.
    fn sort_prefix(&self, i: u32) -> (u128, bool) {
        let m = &self.meta[i as usize];
        let short = |(start, end): (u32, u32)| end.saturating_sub(start) <= 16;
        match self.sort.column {
            SortColumn::Carrier => (
                m.carrier_prefix,
                self.orders[i as usize].key.carrier.len() <= 16,
            ),
            SortColumn::Id => (m.id_num.map_or(u128::MAX, u128::from), false),
            SortColumn::Status => (m.status_prefix, short(m.parts.status)),
            SortColumn::Stage => (self.hot[i as usize].stage as u128, true),
            SortColumn::Age => (0, true),
            SortColumn::Updated => (time_key(m.updated), true),
            SortColumn::Customer => (m.customer_prefix, short(m.parts.customer)),
            SortColumn::Service => (m.service_prefix, short(m.parts.service)),
            SortColumn::Schedule => (time_key(m.schedule), true),
        }
    }

    fn count(&mut self, i: u32, sign: isize) {
        if sign > 0
            && self.widest_key < WIDEST_KEY_CAP
            && let Some(order) = self.orders.get(i as usize)
        {
            let width = order.key.carrier.chars().count() + 1 + order.key.id.chars().count();
            self.widest_key = self.widest_key.max(width.min(WIDEST_KEY_CAP));
        }
        let slot = stage_slot(self.hot[i as usize].stage);
        let attention = self.hot[i as usize].needs_attention();
        let apply = |n: &mut usize| *n = n.saturating_add_signed(sign);
        apply(&mut self.stage_counts[slot]);
        if attention {
            apply(&mut self.attention_count);
        }
        if sign > 0
            && let Some(order) = self.orders.get(i as usize)
        {
            if !self.statuses.contains(order.status.raw.as_str()) {
                self.statuses.insert(order.status.raw.as_str().into());
            }
            if let Some(source) = &order.source
                && !self.sources.contains(source)
            {
                self.sources.insert(source.clone());
            }
        }
        if let Some(order) = self.orders.get(i as usize)
            && order.is_bare()
        {
            let carrier = &order.key.carrier;
            match self.loading.get_mut(carrier) {
                Some(n) => apply(n),
                None if sign > 0 => {
                    self.loading.insert(carrier.clone(), 1);
                }
                None => {}
            }
        }
    }

    /// Inserts new orders and replaces known ones (by key).
    pub fn upsert(&mut self, orders: Vec<OrderSummary>) {
        let large = orders.len() > 64.max(self.orders.len() / 32);
        // The first big batch (the cache at startup) is adopted as it is,
        // so 100k summaries are never held twice; a batch that repeats a key
        // goes the usual way.
        let orders = match large && self.orders.is_empty() {
            true => match self.adopt(orders) {
                Ok(()) => return,
                Err(orders) => orders,
            },
            false => orders,
        };
        if large {
            self.orders.reserve(orders.len());
            self.hot.reserve(orders.len());
            self.meta.reserve(orders.len());
            self.index.reserve(orders.len(), &self.orders);
            for order in orders {
                self.put(order);
            }
            self.rebuild_sorted();
            return;
        }
        for order in orders {
            let existing = self.index_of(&order.key);
            if let Some(i) = existing {
                self.take_out(i);
            }
            let i = self.put(order);
            self.put_back(i);
        }
    }

    /// Takes `orders` as the whole store when their keys are unique (else
    /// gives them back).
    fn adopt(&mut self, orders: Vec<OrderSummary>) -> Result<(), Vec<OrderSummary>> {
        let Some(index) = KeyIndex::of(&orders) else {
            return Err(orders);
        };
        self.index = index;
        self.hot.reserve_exact(orders.len());
        self.meta.reserve_exact(orders.len());
        // Room for every haystack at once (lowercase rarely changes lengths).
        let text: usize = orders
            .iter()
            .map(|o| {
                o.key.carrier.len()
                    + o.key.id.len()
                    + o.status.raw.len()
                    + o.customer.len()
                    + o.service.len()
                    + o.kind.len()
                    + 40
            })
            .sum();
        self.arena.reserve_exact(text);
        for order in &orders {
            let (mut hot, hay, meta) = Meta::of(order);
            hot.flagged = !self.flagged.is_empty() && self.flagged.contains(&order.key);
            hot.late = self.late.judge(order);
            self.place(&mut hot, &hay);
            self.hot.push(hot);
            self.meta.push(meta);
        }
        self.orders = orders;
        for i in 0..self.orders.len() {
            self.count(u32::try_from(i).unwrap_or(u32::MAX), 1);
        }
        self.rebuild_sorted();
        Ok(())
    }

    /// A part of order `i`'s haystack (see [`HayParts`]).
    fn part(&self, i: u32, (start, end): (u32, u32)) -> &str {
        self.hay(&self.hot[i as usize])
            .get(start as usize..end as usize)
            .unwrap_or("")
    }

    fn hay(&self, h: &Hot) -> &str {
        self.arena
            .get(h.start as usize..(h.start + h.len) as usize)
            .unwrap_or("")
    }

    /// Appends a haystack to the arena, compacting it first when it is
    /// mostly stale.
    fn place(&mut self, hot: &mut Hot, hay: &str) {
        if self.arena.len() > 2 * self.arena_live + 4096 {
            let mut arena = String::with_capacity(self.arena_live + hay.len());
            for h in &mut self.hot {
                let start = arena.len();
                arena.push_str(
                    self.arena
                        .get(h.start as usize..(h.start + h.len) as usize)
                        .unwrap_or(""),
                );
                h.start = start as u32;
            }
            self.arena = arena;
        }
        hot.start = u32::try_from(self.arena.len()).unwrap_or(u32::MAX);
        hot.len = u32::try_from(hay.len()).unwrap_or(0);
        self.arena.push_str(hay);
        self.arena_live += hay.len();
    }

    fn put(&mut self, order: OrderSummary) -> u32 {
        let (mut hot, hay, meta) = Meta::of(&order);
        hot.flagged = !self.flagged.is_empty() && self.flagged.contains(&order.key);
        hot.late = self.late.judge(&order);
        let existing = self.index_of(&order.key);
        if let Some(arrivals) = &mut self.arrivals
            && hot.needs_attention()
            && !existing.is_some_and(|i| self.hot[i as usize].needs_attention())
        {
            arrivals.push(order.key.clone());
        }
        match existing {
            Some(i) => {
                self.count(i, -1);
                self.arena_live -= self.hot[i as usize].len as usize;
                self.place(&mut hot, &hay);
                self.orders[i as usize] = order;
                self.hot[i as usize] = hot;
                self.meta[i as usize] = meta;
                self.count(i, 1);
                i
            }
            None => {
                let i = u32::try_from(self.orders.len()).unwrap_or(u32::MAX);
                self.place(&mut hot, &hay);
                self.orders.push(order);
                if let Some(order) = self.orders.last() {
                    self.index.insert(&order.key, i, &self.orders);
                }
                self.hot.push(hot);
                self.meta.push(meta);
                self.count(i, 1);
                i
            }
        }
    }

    fn position(list: &[u32], store: &OrderStore, i: u32) -> Option<usize> {
        let pos = list.partition_point(|&x| store.cmp(x, i) == Ordering::Less);
        if list.get(pos) == Some(&i) {
            Some(pos)
        } else {
            // Unreachable while the invariant holds; stay correct anyway.
            list.iter().position(|&x| x == i)
        }
    }

    fn take_out(&mut self, i: u32) {
        if let Some(pos) = Self::position(&self.sorted, self, i) {
            self.sorted.remove(pos);
        }
        if self.in_view(i)
            && let Some(pos) = Self::position(&self.visible, self, i)
        {
            self.visible.remove(pos);
        }
    }

    fn put_back(&mut self, i: u32) {
        let pos = self
            .sorted
            .partition_point(|&x| self.cmp(x, i) == Ordering::Less);
        self.sorted.insert(pos, i);
        if self.in_view(i) {
            let pos = self
                .visible
                .partition_point(|&x| self.cmp(x, i) == Ordering::Less);
            self.visible.insert(pos, i);
        }
    }

    fn rebuild_sorted(&mut self) {
        // Keys are read in index order (memory order); most comparisons
        // are decided by the inline prefix and creation time, the same
        // order as [`Self::cmp`].
        struct Key {
            prefix: u128,
            created: i64,
            index: u32,
            exact: bool,
        }
        let mut keys: Vec<Key> = (0..self.orders.len() as u32)
            .map(|i| {
                let (prefix, exact) = self.sort_prefix(i);
                Key {
                    prefix,
                    created: self.meta[i as usize].created,
                    index: i,
                    exact,
                }
            })
            .collect();
        let reversed = self.sort.reversed;
        keys.sort_unstable_by(|a, b| {
            let ord = a
                .prefix
                .cmp(&b.prefix)
                .then_with(|| {
                    if a.exact && b.exact {
                        Ordering::Equal
                    } else {
                        self.primary(a.index, b.index)
                    }
                })
                .then(a.created.cmp(&b.created))
                .then_with(|| self.tie(a.index, b.index));
            if reversed { ord.reverse() } else { ord }
        });
        self.sorted = keys.into_iter().map(|k| k.index).collect();
        self.refilter_all();
    }

    /// Filters every order in index order into a mark table, then walks
    /// `sorted` (already in order) to collect the matches.
    fn refilter_all(&mut self) {
        let mark: Vec<bool> = (0..self.orders.len() as u32)
            .map(|i| self.in_view(i))
            .collect();
        self.visible = self
            .sorted
            .iter()
            .copied()
            .filter(|&i| mark[i as usize])
            .collect();
    }

    pub fn set_filter(&mut self, filter: Filter) {
        if filter == self.filter {
            return;
        }
        let narrows = filter.narrows(&self.filter);
        if self
            .full_text
            .as_ref()
            .is_some_and(|found| found.words != filter.text_words())
        {
            // Found for other words: it only ever removes matches.
            self.full_text = None;
        }
        self.filter = filter;
        if narrows {
            // Only the previous matches can match; test them in index order.
            let mut mark = vec![false; self.orders.len()];
            for &i in &self.visible {
                mark[i as usize] = true;
            }
            for (i, m) in mark.iter_mut().enumerate() {
                if *m {
                    *m = self.in_view(i as u32);
                }
            }
            self.visible.retain(|&i| mark[i as usize]);
        } else {
            self.refilter_all();
        }
    }

    pub fn set_view(&mut self, view: ViewKind) {
        if view != self.view {
            self.view = view;
            self.refilter_all();
        }
    }

    pub fn set_sort(&mut self, sort: Sort) {
        if sort == self.sort {
            return;
        }
        let only_reversed = sort.column == self.sort.column;
        self.sort = sort;
        if only_reversed {
            self.sorted.reverse();
            self.visible.reverse();
        } else {
            self.rebuild_sorted();
        }
    }

    /// The store's full-text answer for `words`: the orders whose full text
    /// holds them join the filter's matches. Ignored when the filter's words
    /// have changed since. Returns how many held orders it added.
    pub fn set_full_text(&mut self, words: &str, keys: &[OrderKey]) -> usize {
        if words.is_empty() || words != self.filter.text_words() {
            return 0;
        }
        let hits: HashSet<u32> = keys.iter().filter_map(|k| self.index_of(k)).collect();
        let before = self.visible.len();
        self.full_text = Some(FullText {
            words: words.to_owned(),
            hits,
        });
        self.refilter_all();
        self.visible.len().saturating_sub(before)
    }

    /// The words the last full-text answer was for.
    pub fn full_text_words(&self) -> Option<&str> {
        self.full_text.as_ref().map(|found| found.words.as_str())
    }

    /// Starts (or stops) noting the orders a change puts in the attention
    /// view ([`Self::take_arrivals`]); orders adopted whole at startup are
    /// not arrivals.
    pub fn watch_arrivals(&mut self, on: bool) {
        self.arrivals = on.then(Vec::new);
    }

    /// The orders that newly needed attention since the last call.
    pub fn take_arrivals(&mut self) -> Vec<OrderKey> {
        self.arrivals
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Whether `key` has a local follow-up flag.
    pub fn is_flagged(&self, key: &OrderKey) -> bool {
        self.flagged.contains(key)
    }

    /// Sets or clears the follow-up flag of one order (held or not yet),
    /// keeping the view and counts consistent without a full pass.
    pub fn set_flagged(&mut self, key: &OrderKey, flagged: bool) {
        let changed = if flagged {
            self.flagged.insert(key.clone())
        } else {
            self.flagged.remove(key)
        };
        let Some(i) = self.index_of(key) else { return };
        if !changed && self.hot[i as usize].flagged == flagged {
            return;
        }
        self.take_out(i);
        self.count(i, -1);
        self.hot[i as usize].flagged = flagged;
        self.count(i, 1);
        self.put_back(i);
    }

    /// Replaces every flag at once (the cache at startup), then recomputes
    /// the view once.
    pub fn replace_flags(&mut self, keys: HashSet<OrderKey>) {
        let old = std::mem::replace(&mut self.flagged, keys);
        let touched: Vec<u32> = old
            .iter()
            .chain(self.flagged.iter())
            .filter_map(|k| self.index_of(k))
            .collect();
        for i in touched {
            let now = self.flagged.contains(&self.orders[i as usize].key);
            if self.hot[i as usize].flagged != now {
                self.count(i, -1);
                self.hot[i as usize].flagged = now;
                self.count(i, 1);
            }
        }
        self.refilter_all();
    }

    /// Mutates one order in place (fetch error, merged details) and keeps the
    /// view consistent.
    pub fn modify(&mut self, key: &OrderKey, change: impl FnOnce(&mut OrderSummary)) -> bool {
        let Some(i) = self.index_of(key) else {
            return false;
        };
        let mut order = self.orders[i as usize].clone();
        change(&mut order);
        self.upsert(vec![order]);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Order, Stamp, Status};
    use chrono::{Duration, TimeZone, Utc};

    fn order(id: u32, stage: Stage, age_h: i64, customer: &str) -> OrderSummary {
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap();
        let raw = match stage {
            Stage::New => "new",
            Stage::InProgress => "active",
            Stage::NeedsAttention => "waiting",
            Stage::Done => "delivered",
            Stage::Closed => "cancelled",
        };
        let mut o = Order::new(
            OrderKey::new("tg", id.to_string()),
            "tjansteguiden",
            Status::new(raw, stage, false),
        );
        o.created = Stamp::parsed(now - Duration::hours(age_h));
        o.customer = customer.into();
        OrderSummary::of(&o)
    }

    fn brute(store: &OrderStore) -> Vec<u32> {
        let mut v: Vec<u32> = (0..store.len() as u32)
            .filter(|&i| store.in_view(i))
            .collect();
        v.sort_by(|&a, &b| store.cmp(a, b));
        v
    }

    fn sample(n: u32) -> Vec<OrderSummary> {
        // Long names sharing more than the 16-byte sort prefix, and short ones.
        let names = [
            "Åsa",
            "Anna-Karin Lindqvist-Öberg",
            "Karin",
            "Anna-Karin Lindqvist-Åberg",
            "Lars",
            "Anna-Karin Lindqvist",
        ];
        (0..n)
            .map(|i| {
                order(
                    i,
                    Stage::ALL[(i * 7 % 5) as usize],
                    ((i * 37) % 200) as i64,
                    names[(i % 6) as usize],
                )
            })
            .collect()
    }

    #[test]
    fn incremental_updates_match_a_full_recompute() {
        let mut s = OrderStore::default();
        s.upsert(sample(300));
        assert_eq!(s.visible, brute(&s));
        for (step, col) in SortColumn::ALL.into_iter().enumerate() {
            s.set_sort(Sort {
                column: col,
                reversed: step % 2 == 1,
            });
            // Small batches of replacements and new orders.
            let mut batch = Vec::new();
            for i in 0..5u32 {
                let id = (step as u32 * 31 + i * 17) % 320;
                batch.push(order(
                    id,
                    Stage::ALL[((id + step as u32) % 5) as usize],
                    (id as i64 * 3) % 100,
                    "Lars-Göran",
                ));
            }
            s.upsert(batch);
            assert_eq!(s.visible, brute(&s), "{col:?}");
            let mut all: Vec<u32> = (0..s.len() as u32).collect();
            all.sort_by(|&a, &b| s.cmp(a, b));
            assert_eq!(s.sorted, all);
        }
        s.set_filter(Filter::parse("ör"));
        assert_eq!(s.visible, brute(&s));
        s.set_filter(Filter::parse("örj"));
        assert_eq!(s.visible, brute(&s));
        s.set_view(ViewKind::All);
        assert_eq!(s.visible, brute(&s));
        s.set_filter(Filter::default());
        assert_eq!(s.visible, brute(&s));
        let total: usize = Stage::ALL.iter().map(|st| s.stage_count(*st)).sum();
        assert_eq!(total, s.len());
    }

    #[test]
    fn flags_join_the_attention_view_incrementally() {
        let mut s = OrderStore::default();
        // A flag for an order not held yet applies when it arrives.
        s.replace_flags([OrderKey::new("tg", "7")].into_iter().collect());
        s.upsert(sample(40));
        s.set_view(ViewKind::Attention);
        assert_eq!(s.visible, brute(&s));
        let key = |i: u32| OrderKey::new("tg", i.to_string());
        assert!(s.is_flagged(&key(7)));
        assert!(s.visible.contains(&s.index_of(&key(7)).unwrap()));
        let before = s.attention_count();
        // Order 5 is new (not attention by itself).
        assert!(!s.visible.contains(&s.index_of(&key(5)).unwrap()));
        s.set_flagged(&key(5), true);
        assert_eq!(s.visible, brute(&s));
        assert!(s.visible.contains(&s.index_of(&key(5)).unwrap()));
        assert_eq!(s.attention_count(), before + 1);
        // Idempotent.
        s.set_flagged(&key(5), true);
        assert_eq!(s.attention_count(), before + 1);
        s.set_filter(Filter::parse("flag:"));
        assert_eq!(s.visible, brute(&s));
        assert_eq!(s.visible.len(), 2);
        s.set_flagged(&key(7), false);
        assert_eq!(s.visible, brute(&s));
        assert_eq!(s.visible.len(), 1);
        s.set_filter(Filter::parse("flag:no"));
        s.set_view(ViewKind::All);
        assert_eq!(s.visible, brute(&s));
        assert_eq!(s.visible.len(), 39);
        // A replaced order keeps its flag.
        s.upsert(vec![order(5, Stage::New, 3, "Ny")]);
        assert!(s.hot[s.index_of(&key(5)).unwrap() as usize].flagged);
        assert_eq!(s.visible, brute(&s));
    }

    #[test]
    fn default_sort_is_oldest_first() {
        let mut s = OrderStore::default();
        s.upsert(vec![
            order(1, Stage::New, 1, "a"),
            order(2, Stage::New, 50, "b"),
            order(3, Stage::Done, 100, "c"),
        ]);
        let ids: Vec<&str> = s
            .visible()
            .iter()
            .map(|&i| s.get(i).unwrap().key.id.as_str())
            .collect();
        assert_eq!(ids, ["2", "1"]);
    }
}
