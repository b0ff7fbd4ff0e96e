//! The full orders the console holds besides the summaries: the few that
//! the detail pane, a dialog or a write needs, read from the store on
//! demand ([`Effect::LoadOrder`], answered by `Msg::OrderLoaded`) and kept
//! in a small least-recently-used list. 100k summaries fit in memory; 100k
//! full orders (fields, customer data, items, the log) would take ten times
//! as much, so they stay in the store.
//!
//! Rules:
//! - What a carrier delivers is kept too (the newest copy of an order
//!   replaces a held one at once, so the detail never shows an older copy
//!   than the table); the store's answer to a read that a fresh copy
//!   overtook is dropped. The selected order and the open dialog's are
//!   pinned: a big poll never pushes them out.
//! - An order the store does not have (or cannot read) is marked failed with
//!   the reason, and the app re-reads it from its carrier; a failed order is
//!   not asked for again until something new arrives for it.
//! - Keys typed while the order an action needs is being read wait for it
//!   and are replayed in order when it arrives (see `State::defer_input`),
//!   so a hurried `t` then `2` still lands in the dialog.
//!
//! Pure: the read is the runtime's (through the engine).

use std::collections::{HashMap, HashSet};

use chrono::Duration;

use super::msg::{Effect, Msg};
use super::state::{Level, Modal, State};
use crate::domain::{Order, OrderKey};

/// Input waits at most this long for an order being read, then goes on
/// (and the action says why it cannot open).
pub const WAIT_FOR_ORDER: Duration = Duration::seconds(3);
/// At most this much input waits; more is dropped with a message.
const DEFERRED_MAX: usize = 256;

/// How many full orders are kept. Each is a few kilobytes, and at most
/// [`LOG_LINES_HELD`] log lines and [`RAW_BYTES_HELD`] of raw body, so this
/// is at most a few megabytes.
pub const FULL_ORDERS_HELD: usize = 64;
/// The newest log lines of one order kept in memory; older ones stay in the
/// store (the Log tab says how many, `orderdesk show` prints them all), so
/// one order with 150k log lines cannot slow every key.
pub const LOG_LINES_HELD: usize = 2_000;
/// The first bytes of an order's raw body kept in memory for the Raw tab.
pub const RAW_BYTES_HELD: usize = 512 * 1024;

/// Where one order's full form stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FullState<'a> {
    Held(&'a Order),
    /// Asked of the store, not answered yet.
    Loading,
    /// The store could not give it; why.
    Failed(&'a str),
    /// Not asked for.
    Absent,
}

/// The held full orders, most recently used last.
#[derive(Debug, Default)]
pub struct FullOrders {
    held: Vec<Order>,
    loading: HashSet<OrderKey>,
    failed: HashMap<OrderKey, String>,
    /// Never let go: the selected order and the open dialog's.
    pinned: Vec<OrderKey>,
    /// Per held order cut to size: log lines and raw bytes left out.
    cut: HashMap<OrderKey, Cut>,
}

/// What was left out of a held order (see [`LOG_LINES_HELD`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cut {
    /// Older log lines not held.
    pub log_lines: usize,
    /// Bytes of the raw body not held.
    pub raw_bytes: usize,
}

/// Cuts `order` to what one held order may keep; says what went.
fn cut_to_size(order: &mut Order) -> Cut {
    let mut cut = Cut::default();
    if order.log.len() > LOG_LINES_HELD {
        // Keep the newest lines (undated ones count as oldest), in the
        // carrier's order.
        let mut by_time: Vec<usize> = (0..order.log.len()).collect();
        by_time.sort_by_key(|&i| (order.log[i].at.at, i));
        let mut keep = vec![false; order.log.len()];
        for &i in &by_time[by_time.len() - LOG_LINES_HELD..] {
            keep[i] = true;
        }
        cut.log_lines = order.log.len() - LOG_LINES_HELD;
        let mut i = 0;
        order.log.retain(|_| {
            i += 1;
            keep[i - 1]
        });
    }
    if let Some(raw) = &mut order.raw
        && raw.len() > RAW_BYTES_HELD
    {
        let mut end = RAW_BYTES_HELD;
        while !raw.is_char_boundary(end) {
            end -= 1;
        }
        cut.raw_bytes = raw.len() - end;
        raw.truncate(end);
    }
    cut
}

impl FullOrders {
    pub fn get(&self, key: &OrderKey) -> Option<&Order> {
        self.held.iter().rev().find(|o| &o.key == key)
    }

    pub fn state(&self, key: &OrderKey) -> FullState<'_> {
        if let Some(order) = self.get(key) {
            FullState::Held(order)
        } else if self.loading.contains(key) {
            FullState::Loading
        } else if let Some(why) = self.failed.get(key) {
            FullState::Failed(why)
        } else {
            FullState::Absent
        }
    }

    /// How many are held.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.held.len()
    }

    /// The orders that must stay held (replaces the previous set).
    pub(super) fn pin(&mut self, keys: Vec<OrderKey>) {
        self.pinned = keys;
    }

    /// Asks the store for `key` unless it is held, being read, or failed;
    /// a held one becomes the most recently used.
    pub(super) fn want(&mut self, key: &OrderKey, fx: &mut Vec<Effect>) {
        if let Some(pos) = self.held.iter().position(|o| &o.key == key) {
            if pos + 1 != self.held.len() {
                let order = self.held.remove(pos);
                self.held.push(order);
            }
            return;
        }
        if self.loading.contains(key) || self.failed.contains_key(key) {
            return;
        }
        self.loading.insert(key.clone());
        fx.push(Effect::LoadOrder(key.clone()));
    }

    /// Keeps `order` as the newest copy (a carrier's fresh copy or the
    /// store's answer); a read under way for it is settled. The least
    /// recently used order that is not pinned makes room.
    pub(super) fn put(&mut self, mut order: Order) {
        self.loading.remove(&order.key);
        self.failed.remove(&order.key);
        let cut = cut_to_size(&mut order);
        if cut == Cut::default() {
            self.cut.remove(&order.key);
        } else {
            self.cut.insert(order.key.clone(), cut);
        }
        if let Some(pos) = self.held.iter().position(|o| o.key == order.key) {
            self.held.remove(pos);
        }
        self.held.push(order);
        while self.held.len() > FULL_ORDERS_HELD {
            let Some(pos) = self.held.iter().position(|o| !self.pinned.contains(&o.key)) else {
                break;
            };
            let gone = self.held.remove(pos);
            self.cut.remove(&gone.key);
        }
    }

    /// What was left out of a held order, if anything.
    pub fn cut(&self, key: &OrderKey) -> Option<Cut> {
        self.cut.get(key).copied()
    }

    /// The store answered a read. `Ok(None)`: it does not hold the order.
    /// Returns whether the order is now held; when it is not and it was
    /// asked for, it is failed with the reason.
    pub(super) fn loaded(&mut self, key: &OrderKey, result: Result<Option<Order>, String>) -> bool {
        let asked = self.loading.remove(key);
        if self.get(key).is_some() {
            // A fresh copy overtook this read: keep that.
            return true;
        }
        match result {
            Ok(Some(order)) => {
                self.put(order);
                true
            }
            Ok(None) if asked => {
                let why = "not in the local store; re-reading it from the carrier".to_owned();
                self.failed.insert(key.clone(), why);
                false
            }
            Err(e) if asked => {
                let why = format!(
                    "the local store could not read it ({e}); re-reading it from the carrier"
                );
                self.failed.insert(key.clone(), why);
                false
            }
            Ok(None) | Err(_) => false,
        }
    }

    /// Records why a failed order is still missing (a re-read failed too).
    pub(super) fn fail(&mut self, key: &OrderKey, why: &str) {
        if let Some(reason) = self.failed.get_mut(key) {
            why.clone_into(reason);
        }
    }

    /// Changes a held copy in place (a fetch error seen since).
    pub(super) fn modify(&mut self, key: &OrderKey, change: impl FnOnce(&mut Order)) {
        if let Some(order) = self.held.iter_mut().find(|o| &o.key == key) {
            change(order);
        }
    }
}

impl State {
    /// Asks for the full orders the screen uses: the selected one, the
    /// open dialog's and a bulk action's (so that they stay held).
    pub(super) fn want_full_orders(&mut self, fx: &mut Vec<Effect>) {
        let mut pinned = Vec::with_capacity(2);
        if let Some(Modal::Dialog(dialog)) = &self.modal {
            pinned.push(dialog.key().clone());
        }
        if let Some(key) = self.selected().map(|s| s.key.clone()) {
            pinned.push(key);
        }
        if let Some(bulk) = self.bulk() {
            pinned.extend(bulk.held_keys().iter().cloned());
        }
        for key in &pinned {
            self.full.want(key, fx);
        }
        self.full.pin(pinned);
    }

    /// Whether input must wait for the selected order's full form (an
    /// action needs it and it is being read); if so the wait begins.
    pub(super) fn wait_for_selected_order(&mut self, fx: &mut Vec<Effect>) -> bool {
        let Some(key) = self.selected().map(|s| s.key.clone()) else {
            return false;
        };
        self.full.want(&key, fx);
        if !matches!(self.full.state(&key), FullState::Loading) {
            return false;
        }
        self.waiting = Some((key, self.now));
        true
    }

    /// Input that arrived while waiting (see [`Self::wait_for_selected_order`]).
    pub(super) fn defer_input(&mut self, msg: Msg) {
        if self.deferred.len() < DEFERRED_MAX {
            self.deferred.push(msg);
        } else if self.deferred.len() == DEFERRED_MAX {
            self.say(
                Level::Warning,
                "still reading the order; further keys were dropped",
            );
        }
    }

    /// Whether input waits for an order being read.
    pub fn waiting_for_order(&self) -> Option<&OrderKey> {
        self.waiting.as_ref().map(|(key, _)| key)
    }

    /// Ends the wait when its order arrived (or failed), or when it took too
    /// long; returns the input to replay, in order.
    pub(super) fn end_wait(&mut self, force: bool) -> Vec<Msg> {
        let Some((key, since)) = &self.waiting else {
            return Vec::new();
        };
        let settled = !matches!(self.full.state(key), FullState::Loading);
        if !(settled || force || self.now - *since > WAIT_FOR_ORDER) {
            return Vec::new();
        }
        self.waiting = None;
        std::mem::take(&mut self.deferred)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_huge_order_is_held_cut_to_its_newest_lines() {
        use crate::domain::{LogEntry, LogKind, Stamp};
        use chrono::{TimeZone, Utc};
        let mut huge = order(9);
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        // Newest first, as some carriers send it.
        huge.log = (0..150_000)
            .rev()
            .map(|n| LogEntry {
                at: Stamp::parsed(start + chrono::Duration::seconds(n)),
                kind: LogKind::Log,
                source: "portal".into(),
                text: format!("line {n}"),
            })
            .collect();
        huge.raw = Some("å".repeat(RAW_BYTES_HELD));
        let mut full = FullOrders::default();
        full.put(huge);
        let held = full.get(&order(9).key).unwrap();
        assert_eq!(held.log.len(), LOG_LINES_HELD);
        assert_eq!(held.log[0].text, "line 149999", "order kept, newest kept");
        assert_eq!(held.log[LOG_LINES_HELD - 1].text, "line 148000");
        let cut = full.cut(&order(9).key).unwrap();
        assert_eq!(cut.log_lines, 148_000);
        assert_eq!(held.raw.as_ref().map(String::len), Some(RAW_BYTES_HELD));
        assert_eq!(cut.raw_bytes, RAW_BYTES_HELD);
        // A fresh copy of normal size clears it.
        full.put(order(9));
        assert_eq!(full.cut(&order(9).key), None);
    }

    #[test]
    fn pinned_orders_stay_through_a_big_poll() {
        let mut full = FullOrders::default();
        full.put(order(0));
        full.pin(vec![order(0).key]);
        for id in 1..FULL_ORDERS_HELD * 3 {
            full.put(order(id));
        }
        assert!(full.get(&order(0).key).is_some());
        assert_eq!(full.len(), FULL_ORDERS_HELD);
    }

    use super::*;
    use crate::domain::{Stage, Status};

    fn order(id: usize) -> Order {
        Order::new(
            OrderKey::new("tg", id.to_string()),
            "tjansteguiden",
            Status::new("new", Stage::New, false),
        )
    }

    #[test]
    fn asks_once_and_keeps_the_newest_few() {
        let mut full = FullOrders::default();
        let mut fx = Vec::new();
        for id in 0..FULL_ORDERS_HELD + 10 {
            let key = order(id).key;
            full.want(&key, &mut fx);
            full.want(&key, &mut fx);
            assert!(full.loaded(&key, Ok(Some(order(id)))));
        }
        assert_eq!(fx.len(), FULL_ORDERS_HELD + 10, "one read per order");
        assert_eq!(full.len(), FULL_ORDERS_HELD);
        assert!(full.get(&order(0).key).is_none(), "the oldest went");
        assert!(full.get(&order(FULL_ORDERS_HELD + 9).key).is_some());
    }

    #[test]
    fn a_fresh_copy_wins_over_a_late_store_answer() {
        let mut full = FullOrders::default();
        let key = order(1).key;
        full.want(&key, &mut Vec::new());
        let mut fresh = order(1);
        fresh.customer = "fresh".into();
        full.put(fresh);
        assert!(full.loaded(&key, Ok(Some(order(1)))));
        assert_eq!(full.get(&key).map(|o| o.customer.as_str()), Some("fresh"));
    }

    #[test]
    fn a_missing_order_fails_once_with_a_reason() {
        let mut full = FullOrders::default();
        let key = order(2).key;
        let mut fx = Vec::new();
        full.want(&key, &mut fx);
        assert!(!full.loaded(&key, Ok(None)));
        assert!(
            matches!(full.state(&key), FullState::Failed(why) if why.contains("not in the local store"))
        );
        full.want(&key, &mut fx);
        assert_eq!(fx.len(), 1, "not asked again");
        full.put(order(2));
        assert!(matches!(full.state(&key), FullState::Held(_)));
    }
}
