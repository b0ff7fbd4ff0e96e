//! Reads from the portal: the poll (`orders` then `order_info` per order with
//! bounded concurrency), one order, and the on-demand `customer_info`. Reads
//! go through `Http::send_read` (retries on timeouts, 429, 5xx). It must not
//! send writes and holds no writer.
//!
//! # Incremental polls ("since you last checked", document 001)
//! The document's advice is to call `orders` with the date of the last check.
//! `orders?date=D` lists orders *created* on or after `D` (it is not "edited
//! since"), so a status change of an older order does not show in the list:
//! the reader keeps refreshing, by id, every order it knows that is not
//! terminal yet.
//!
//! **Cursor**: the local date (in the carrier's `timezone`) on which the last
//! successful poll *started*, as a plain `YYYY-MM-DD` string (e.g.
//! `2026-11-23`). The date is taken before the list request, so nothing
//! created between the list and the end of the poll is missed. A cursor with
//! a time after the date (`2026-11-23 10:00`, `2026-11-23T10:00:00Z`) is
//! read as its date; anything else that does not parse (garbage, empty) is
//! treated as no cursor. A cursor later than today is read as today.
//!
//! Poll, step by step:
//! 1. `orders?date=<since>` where `since` = cursor minus [`OVERLAP_DAYS`]
//!    (clock skew between us and the portal, orders saved around midnight);
//!    no usable cursor: `since` from the config, else [`DEFAULT_DAYS_BACK`]
//!    days before today. A failing list fails the poll (the carrier is
//!    down) and changes nothing in the reader's memory.
//! 2. Listed rows of orders the reader does not know at all are sent at once
//!    as preliminary orders (`detail_loaded == false`) so the table paints
//!    fast. Known orders are not re-sent as rows (that would replace the
//!    app's full copy with a bare one).
//! 3. `order_info` is read for: listed orders that are new to the reader;
//!    listed orders whose list status differs from the status the reader
//!    knows; every known order that is not terminal (`delivered`,
//!    `cancelled`), listed or not (older than the list window: read by id);
//!    known orders whose details were never loaded (a failed read, a
//!    preliminary row in the cache). Known terminal orders with an unchanged
//!    status are not re-read. Reads run `max_concurrency` at a time and reach
//!    the app in batches (every [`BATCH`] orders or [`BATCH_EVERY`]);
//!    progress counts exactly these reads (`total` = their number).
//! 4. The returned cursor is today's date from step 1.
//!
//! So a restart with a primed reader and a stored cursor costs one `orders`
//! request plus one `order_info` per new or changed order and per known
//! non-terminal order; it does not refetch the world.
//!
//! **Memory**: per order id the status last read, whether it is terminal, and
//! whether its details were loaded. It is filled by polls, by
//! [`CarrierReader::fetch_order`] (a re-read after a write updates it), and
//! by [`CarrierReader::prime`] with the cached orders of this carrier
//! instance (orders whose key names another instance are ignored; the
//! terminal flag is recomputed from the status word).
//!
//! **Failures**: one failing `order_info` reports `OrderFailed` for that
//! order only; the order stays in the memory (unloaded if it was new) and is
//! tried again next poll. An order the portal no longer knows (`order_info`
//! answers not found) is reported once and dropped from the refresh set; it
//! is tried again only if the list shows it with a different status, or a
//! later `prime`/`fetch_order` brings it back.
//!
//! Limits (the document offers nothing better): a terminal order that the
//! portal moves back out of its terminal status after it left the list window
//! is not seen by polls (a re-read of that order shows it). A message added
//! to a terminal order shows after a re-read of that order, not in a poll.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{Days, NaiveDate, Utc};
use futures::StreamExt;

use super::Portal;
use super::wire::{self, Direction, ListRow};
use super::xml::Element;
use crate::carriers::{CarrierError, CarrierReader, PollSummary, SyncSink};
use crate::domain::{Order, OrderKey, OrderSummary};

/// Orders per batch sent to the app.
pub const BATCH: usize = 50;
/// Longest wait before a partial batch is sent.
pub const BATCH_EVERY: Duration = Duration::from_millis(100);
/// Days listed when neither a cursor nor `since` is given.
pub const DEFAULT_DAYS_BACK: u64 = 30;
/// Days listed before the cursor's date (clock skew, orders around midnight).
pub const OVERLAP_DAYS: u64 = 1;

/// What the reader knows of one order.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Known {
    /// The status word last read (trimmed, sanitized).
    status: String,
    terminal: bool,
    /// Whether the app has the order's details (else it is re-read).
    loaded: bool,
}

impl Known {
    fn of(order: &Order) -> Known {
        Known::new(&order.status.raw, order.detail_loaded)
    }

    fn of_summary(order: &OrderSummary) -> Known {
        Known::new(&order.status.raw, order.detail_loaded)
    }

    fn new(status: &str, loaded: bool) -> Known {
        let status = super::status_of(status);
        Known {
            terminal: status.terminal,
            status: status.raw,
            loaded,
        }
    }

    /// Whether a known order needs an `order_info` this poll; `listed` is its
    /// list status when the list has it.
    fn needs_read(&self, listed: Option<&str>) -> bool {
        !self.loaded || !self.terminal || listed.is_some_and(|s| s != self.status)
    }
}

/// The reader's memory of orders (see the module docs).
#[derive(Debug, Default)]
struct Memory {
    known: HashMap<String, Known>,
    /// Orders the portal answered "not found" for: id -> list status then
    /// (empty when it was not listed).
    gone: HashMap<String, String>,
}

/// One `order_info` to make in a poll.
#[derive(Debug)]
struct Target {
    id: String,
    /// The list row's status word, when the list has the order.
    listed: Option<(String, bool)>,
}

/// The read side of one Tjänsteguiden instance.
#[derive(Debug)]
pub struct TgReader {
    portal: Arc<Portal>,
    since: Option<NaiveDate>,
    concurrency: usize,
    memory: Mutex<Memory>,
}

impl TgReader {
    pub(crate) fn new(portal: Arc<Portal>, since: Option<NaiveDate>, concurrency: usize) -> Self {
        TgReader {
            portal,
            since,
            concurrency: concurrency.max(1),
            memory: Mutex::new(Memory::default()),
        }
    }

    async fn read(&self, params: &[(&str, &str)], root: &str) -> Result<Element, CarrierError> {
        let mut query: Vec<(&str, &str)> = Vec::with_capacity(params.len() + 2);
        query.push(params[0]);
        query.push(("api_user", &self.portal.api_user));
        query.extend_from_slice(&params[1..]);
        let url = wire::url(&self.portal.endpoint, &query);
        let http = &self.portal.http;
        let resp = http.send_read(|| http.client().get(url.clone())).await?;
        wire::check(&resp, &[root], Direction::Read)
    }

    async fn read_order(&self, id: &str) -> Result<Order, CarrierError> {
        let root = self
            .read(&[("method", "order_info"), ("id", id)], "order_info")
            .await?;
        wire::order_from_info(&self.portal.name, self.portal.tz, id, &root)
    }

    fn today(&self) -> NaiveDate {
        Utc::now().with_timezone(&self.portal.tz).date_naive()
    }

    fn default_since(&self, today: NaiveDate) -> NaiveDate {
        self.since.unwrap_or_else(|| {
            today
                .checked_sub_days(Days::new(DEFAULT_DAYS_BACK))
                .unwrap_or(today)
        })
    }

    /// The date listed by a poll that starts on `today`.
    fn list_date(&self, cursor: Option<&str>, today: NaiveDate) -> NaiveDate {
        match cursor.and_then(parse_cursor) {
            Some(last) => {
                let last = last.min(today);
                last.checked_sub_days(Days::new(OVERLAP_DAYS))
                    .unwrap_or(last)
            }
            None => self.default_since(today),
        }
    }

    fn memory(&self) -> MutexGuard<'_, Memory> {
        // A poisoned lock only means another poll panicked mid-update; the
        // memory is still a valid cache.
        self.memory.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Decides, from the (deduplicated) list, which rows are sent as
    /// preliminary orders and which orders are read.
    fn plan(&self, rows: &[ListRow]) -> (Vec<Order>, Vec<Target>) {
        let mut memory = self.memory();
        let mut fresh = Vec::new();
        let mut targets = Vec::new();
        let mut listed: HashSet<&str> = HashSet::with_capacity(rows.len());
        for row in rows {
            listed.insert(row.id.as_str());
            let status = super::status_of(&row.status);
            if let Some(then) = memory.gone.get(&row.id) {
                if *then == status.raw {
                    continue;
                }
                memory.gone.remove(&row.id);
            }
            let read = match memory.known.get(&row.id) {
                None => {
                    fresh.push(wire::order_from_row(&self.portal.name, self.portal.tz, row));
                    true
                }
                Some(known) => known.needs_read(Some(&status.raw)),
            };
            if read {
                targets.push(Target {
                    id: row.id.clone(),
                    listed: Some((status.raw, status.terminal)),
                });
            }
        }
        let mut older: Vec<&String> = memory
            .known
            .iter()
            .filter(|(id, known)| !listed.contains(id.as_str()) && known.needs_read(None))
            .map(|(id, _)| id)
            .collect();
        older.sort_by(|a, b| by_id(a, b));
        targets.extend(older.into_iter().map(|id| Target {
            id: id.clone(),
            listed: None,
        }));
        (fresh, targets)
    }

    /// Records the outcome of one read in the memory.
    fn remember(&self, target: &Target, result: &Result<Order, CarrierError>) {
        let mut memory = self.memory();
        match result {
            Ok(order) => {
                memory.known.insert(target.id.clone(), Known::of(order));
            }
            Err(CarrierError::NotFound(_)) => {
                memory.known.remove(&target.id);
                let then = target
                    .listed
                    .as_ref()
                    .map(|(s, _)| s.clone())
                    .unwrap_or_default();
                memory.gone.insert(target.id.clone(), then);
            }
            Err(_) => {
                // Keep what is known (it is read again next poll); a new
                // order is remembered as not loaded so that it is read again
                // even after it leaves the list window.
                if let Some((status, terminal)) = &target.listed {
                    memory
                        .known
                        .entry(target.id.clone())
                        .or_insert_with(|| Known {
                            status: status.clone(),
                            terminal: *terminal,
                            loaded: false,
                        });
                }
            }
        }
    }
}

/// Reads a cursor: `YYYY-MM-DD`, optionally followed by a time (`T` or a
/// space after the date). Anything else is no cursor.
fn parse_cursor(cursor: &str) -> Option<NaiveDate> {
    let text = cursor.trim();
    let date = text.get(..10)?;
    let rest = &text[10..];
    if !(rest.is_empty() || rest.starts_with(' ') || rest.starts_with('T')) {
        return None;
    }
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
}

/// Numeric ids in numeric order, then the rest as text (a stable, readable
/// order for the reads of orders outside the list).
fn by_id(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

#[async_trait]
impl CarrierReader for TgReader {
    async fn poll(
        &self,
        cursor: Option<String>,
        sink: &SyncSink,
    ) -> Result<(PollSummary, Option<String>), CarrierError> {
        let today = self.today();
        let date = self
            .list_date(cursor.as_deref(), today)
            .format("%Y-%m-%d")
            .to_string();
        let root = self
            .read(&[("method", "orders"), ("date", &date)], "orders")
            .await?;
        let mut rows = wire::parse_orders(&root);
        drop(root);
        // One row per id (the last wins).
        let mut index: HashMap<String, usize> = HashMap::with_capacity(rows.len());
        let mut unique: Vec<ListRow> = Vec::with_capacity(rows.len());
        for row in rows.drain(..) {
            match index.get(&row.id) {
                Some(&i) => unique[i] = row,
                None => {
                    index.insert(row.id.clone(), unique.len());
                    unique.push(row);
                }
            }
        }
        drop(index);
        let listed = unique.len();
        let (fresh, targets) = self.plan(&unique);
        drop(unique);
        for chunk in chunks(fresh, 1000) {
            sink.orders(chunk);
        }

        let total = targets.len();
        sink.progress(0, total);
        let mut results = futures::stream::iter(targets)
            .map(|target| async move {
                let result = self.read_order(&target.id).await;
                (target, result)
            })
            .buffer_unordered(self.concurrency);

        let mut summary = PollSummary {
            listed,
            ..PollSummary::default()
        };
        let mut batch = Vec::with_capacity(BATCH);
        let mut last_flush = tokio::time::Instant::now();
        let mut done = 0;
        while let Some((target, result)) = results.next().await {
            done += 1;
            self.remember(&target, &result);
            match result {
                Ok(order) => {
                    summary.fetched += 1;
                    batch.push(order);
                }
                Err(error) => {
                    summary.failed += 1;
                    sink.order_failed(OrderKey::new(self.portal.name.clone(), target.id), error);
                }
            }
            if batch.len() >= BATCH || last_flush.elapsed() >= BATCH_EVERY || done == total {
                sink.orders(std::mem::take(&mut batch));
                sink.progress(done, total);
                last_flush = tokio::time::Instant::now();
            }
        }
        sink.orders(batch);
        Ok((summary, Some(today.format("%Y-%m-%d").to_string())))
    }

    fn prime(&self, cached: &[OrderSummary]) {
        let mut memory = self.memory();
        for order in cached
            .iter()
            .filter(|o| *o.key.carrier == *self.portal.name && o.kind == super::KIND)
        {
            memory.gone.remove(&order.key.id);
            memory
                .known
                .insert(order.key.id.clone(), Known::of_summary(order));
        }
    }

    async fn fetch_order(&self, id: &str) -> Result<Order, CarrierError> {
        let order = self.read_order(id).await?;
        let mut memory = self.memory();
        memory.gone.remove(id);
        memory.known.insert(id.to_owned(), Known::of(&order));
        Ok(order)
    }

    async fn fetch_customer(&self, order: &Order) -> Result<Order, CarrierError> {
        let customer_id = order
            .customer_fields
            .iter()
            .find(|(name, _)| name == "id")
            .or_else(|| order.fields.iter().find(|(name, _)| name == "customer"))
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                CarrierError::Local(format!("order {} has no customer id", order.key))
            })?;
        let root = self
            .read(
                &[("method", "customer_info"), ("id", &customer_id)],
                "customer_info",
            )
            .await?;
        let fields = wire::customer_fields(&root)?;
        Ok(wire::merge_customer(order, fields))
    }
}

fn chunks(mut orders: Vec<Order>, size: usize) -> Vec<Vec<Order>> {
    let mut out = Vec::new();
    while orders.len() > size {
        let rest = orders.split_off(size);
        out.push(orders);
        orders = rest;
    }
    out.push(orders);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_dates_or_nothing() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 23);
        assert_eq!(parse_cursor("2026-11-23"), d);
        assert_eq!(parse_cursor(" 2026-11-23\n"), d);
        assert_eq!(parse_cursor("2026-11-23 10:00:00"), d);
        assert_eq!(parse_cursor("2026-11-23T10:00:00+01:00"), d);
        for bad in [
            "",
            "2026-11-2",
            "2026-11-233",
            "23/11/2026",
            "ååååå-11-23",
            "null",
        ] {
            assert_eq!(parse_cursor(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn known_orders_are_read_until_terminal_or_changed() {
        let known = |status: &str, terminal, loaded| Known {
            status: status.into(),
            terminal,
            loaded,
        };
        assert!(known("active", false, true).needs_read(None));
        assert!(!known("delivered", true, true).needs_read(None));
        assert!(!known("delivered", true, true).needs_read(Some("delivered")));
        assert!(known("delivered", true, true).needs_read(Some("active")));
        assert!(known("delivered", true, false).needs_read(None));
    }

    #[test]
    fn ids_sort_numerically() {
        let mut ids = vec!["100", "x", "20", "3"];
        ids.sort_by(|a, b| by_id(a, b));
        assert_eq!(ids, ["3", "20", "100", "x"]);
    }
}
