//! Every order the console holds, and the current view of them: the
//! filtered and sorted list of indices the table shows.
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

use std::cmp::Ordering;
use std::collections::HashMap;

use super::filter::{Filter, haystack};
use super::keymap::ViewKind;
use crate::domain::{Order, OrderKey, Schedule, Stage};

/// The table's sortable columns, in the order `s` cycles them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortColumn {
    Carrier,
    Id,
    Status,
    Stage,
    /// Creation time; ascending = oldest first (the default).
    #[default]
    Age,
    Updated,
    Customer,
    Service,
    Schedule,
}

impl SortColumn {
    pub const ALL: [SortColumn; 9] = [
        SortColumn::Carrier,
        SortColumn::Id,
        SortColumn::Status,
        SortColumn::Stage,
        SortColumn::Age,
        SortColumn::Updated,
        SortColumn::Customer,
        SortColumn::Service,
        SortColumn::Schedule,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SortColumn::Carrier => "carrier",
            SortColumn::Id => "id",
            SortColumn::Status => "status",
            SortColumn::Stage => "stage",
            SortColumn::Age => "age",
            SortColumn::Updated => "updated",
            SortColumn::Customer => "customer",
            SortColumn::Service => "service",
            SortColumn::Schedule => "schedule",
        }
    }

    pub fn next(self) -> SortColumn {
        let i = SortColumn::ALL.iter().position(|c| *c == self).unwrap_or(0);
        SortColumn::ALL[(i + 1) % SortColumn::ALL.len()]
    }

    /// What ascending / descending mean for this column, for people.
    pub fn direction_text(self, reversed: bool) -> &'static str {
        match (self, reversed) {
            (SortColumn::Age | SortColumn::Updated, false) => "oldest first",
            (SortColumn::Age | SortColumn::Updated, true) => "newest first",
            (SortColumn::Schedule, false) => "earliest first",
            (SortColumn::Schedule, true) => "latest first",
            (SortColumn::Stage, false) => "new first",
            (SortColumn::Stage, true) => "closed first",
            (SortColumn::Id, false) => "lowest first",
            (SortColumn::Id, true) => "highest first",
            (_, false) => "A-Z",
            (_, true) => "Z-A",
        }
    }
}

/// Column and direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sort {
    pub column: SortColumn,
    pub reversed: bool,
}

/// Precomputed per order: filter haystack and sort keys.
#[derive(Debug, Clone)]
struct Meta {
    haystack: Box<str>,
    customer: Box<str>,
    service: Box<str>,
    status: Box<str>,
    id_num: Option<u64>,
    created: i64,
    updated: i64,
    schedule: i64,
    in_open: bool,
    attention: bool,
}

/// Missing times sort last (ascending).
const NONE_TIME: i64 = i64::MAX;

impl Meta {
    fn of(order: &Order) -> Meta {
        Meta {
            haystack: haystack(order),
            customer: order.customer.to_lowercase().into_boxed_str(),
            service: order.service.to_lowercase().into_boxed_str(),
            status: order.status.raw.to_lowercase().into_boxed_str(),
            id_num: order.key.id.parse().ok(),
            created: order.created.at.map_or(NONE_TIME, |t| t.timestamp()),
            updated: order.updated_at().map_or(NONE_TIME, |t| t.timestamp()),
            schedule: match &order.schedule {
                Some(Schedule::Scheduled(stamp)) => {
                    stamp.at.map_or(NONE_TIME - 2, |t| t.timestamp())
                }
                Some(Schedule::Unscheduled) => NONE_TIME - 1,
                None => NONE_TIME,
            },
            in_open: order.status.stage.is_open(),
            attention: order.needs_attention(),
        }
    }
}

/// Orders, their metadata and the current view.
#[derive(Debug, Default)]
pub struct OrderStore {
    orders: Vec<Order>,
    meta: Vec<Meta>,
    index: HashMap<OrderKey, u32>,
    sort: Sort,
    view: ViewKind,
    filter: Filter,
    /// Every order, sorted.
    sorted: Vec<u32>,
    /// The view, filtered and sorted.
    visible: Vec<u32>,
    stage_counts: [usize; 5],
    attention_count: usize,
}

fn stage_slot(stage: Stage) -> usize {
    match stage {
        Stage::New => 0,
        Stage::InProgress => 1,
        Stage::NeedsAttention => 2,
        Stage::Done => 3,
        Stage::Closed => 4,
    }
}

fn natural_id(a: &OrderKey, am: &Meta, b: &OrderKey, bm: &Meta) -> Ordering {
    match (am.id_num, bm.id_num) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.id.cmp(&b.id)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.id.cmp(&b.id),
    }
}

impl OrderStore {
    pub fn len(&self) -> usize {
        self.orders.len()
    }

    pub fn is_empty(&self) -> bool {
        self.orders.is_empty()
    }

    pub fn get(&self, index: u32) -> Option<&Order> {
        self.orders.get(index as usize)
    }

    pub fn index_of(&self, key: &OrderKey) -> Option<u32> {
        self.index.get(key).copied()
    }

    pub fn by_key(&self, key: &OrderKey) -> Option<&Order> {
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
        let m = &self.meta[i as usize];
        let o = &self.orders[i as usize];
        let in_view = match self.view {
            ViewKind::Open => m.in_open,
            ViewKind::Attention => m.attention,
            ViewKind::New => o.status.stage == Stage::New,
            ViewKind::All => true,
        };
        in_view && (self.filter.is_empty() || self.filter.matches(o, &m.haystack))
    }

    fn cmp(&self, a: u32, b: u32) -> Ordering {
        let (oa, ob) = (&self.orders[a as usize], &self.orders[b as usize]);
        let (ma, mb) = (&self.meta[a as usize], &self.meta[b as usize]);
        let primary = match self.sort.column {
            SortColumn::Carrier => oa.key.carrier.cmp(&ob.key.carrier),
            SortColumn::Id => natural_id(&oa.key, ma, &ob.key, mb),
            SortColumn::Status => ma.status.cmp(&mb.status),
            SortColumn::Stage => oa.status.stage.cmp(&ob.status.stage),
            SortColumn::Age => Ordering::Equal,
            SortColumn::Updated => ma.updated.cmp(&mb.updated),
            SortColumn::Customer => ma.customer.cmp(&mb.customer),
            SortColumn::Service => ma.service.cmp(&mb.service),
            SortColumn::Schedule => ma.schedule.cmp(&mb.schedule),
        };
        let ord = primary
            .then_with(|| ma.created.cmp(&mb.created))
            .then_with(|| oa.key.carrier.cmp(&ob.key.carrier))
            .then_with(|| natural_id(&oa.key, ma, &ob.key, mb));
        if self.sort.reversed {
            ord.reverse()
        } else {
            ord
        }
    }

    fn count(&mut self, i: u32, sign: isize) {
        let slot = stage_slot(self.orders[i as usize].status.stage);
        let attention = self.meta[i as usize].attention;
        let apply = |n: &mut usize| *n = n.saturating_add_signed(sign);
        apply(&mut self.stage_counts[slot]);
        if attention {
            apply(&mut self.attention_count);
        }
    }

    /// Inserts new orders and replaces known ones (by key).
    pub fn upsert(&mut self, orders: Vec<Order>) {
        let large = orders.len() > 64.max(self.orders.len() / 32);
        if large {
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

    /// Stores `order` (new or replacing), updating meta and counts only.
    fn put(&mut self, order: Order) -> u32 {
        let meta = Meta::of(&order);
        match self.index_of(&order.key) {
            Some(i) => {
                self.count(i, -1);
                self.orders[i as usize] = order;
                self.meta[i as usize] = meta;
                self.count(i, 1);
                i
            }
            None => {
                let i = u32::try_from(self.orders.len()).unwrap_or(u32::MAX);
                self.index.insert(order.key.clone(), i);
                self.orders.push(order);
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
        let mut sorted: Vec<u32> = (0..self.orders.len() as u32).collect();
        sorted.sort_unstable_by(|&a, &b| self.cmp(a, b));
        self.sorted = sorted;
        self.refilter_all();
    }

    fn refilter_all(&mut self) {
        let visible: Vec<u32> = self
            .sorted
            .iter()
            .copied()
            .filter(|&i| self.in_view(i))
            .collect();
        self.visible = visible;
    }

    pub fn set_filter(&mut self, filter: Filter) {
        if filter == self.filter {
            return;
        }
        let narrows = filter.narrows(&self.filter);
        self.filter = filter;
        if narrows {
            let mut visible = std::mem::take(&mut self.visible);
            visible.retain(|&i| self.in_view(i));
            self.visible = visible;
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

    /// Mutates one order in place (fetch error, merged details) and keeps the
    /// view consistent.
    pub fn modify(&mut self, key: &OrderKey, change: impl FnOnce(&mut Order)) -> bool {
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
    use crate::domain::{Stamp, Status};
    use chrono::{Duration, TimeZone, Utc};

    fn order(id: u32, stage: Stage, age_h: i64, customer: &str) -> Order {
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
        o
    }

    fn brute(store: &OrderStore) -> Vec<u32> {
        let mut v: Vec<u32> = (0..store.len() as u32)
            .filter(|&i| store.in_view(i))
            .collect();
        v.sort_by(|&a, &b| store.cmp(a, b));
        v
    }

    fn sample(n: u32) -> Vec<Order> {
        let names = ["Åsa", "Björn", "Karin", "Örjan", "Lars", "Märta"];
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
