//! Reads from the portal: the poll (`orders` then `order_info` per order with
//! bounded concurrency), one order, and the on-demand `customer_info`. Reads
//! go through `Http::send_read` (retries on timeouts, 429, 5xx). It must not
//! send writes and holds no writer.
//!
//! # Incremental polls ("since you last checked", document 001)
//! The document's advice is to call `orders` with the date of the last check.
//! `orders?date=D` lists orders *created* on or after `D` (it is not "edited
//! since"), so the reader lists from the creation date of the oldest open
//! order it knows: then the list carries the status of every open order,
//! and one `orders` request per poll shows every status change.
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
//!    (clock skew between us and the portal, orders saved around midnight),
//!    or the local creation date of the oldest open order known, whichever
//!    is earlier; no usable cursor: `since` from the config, else
//!    [`DEFAULT_DAYS_BACK`] days before today. A failing list fails the
//!    poll (the carrier is down) and changes nothing in the reader's memory.
//! 2. Listed rows of orders the reader does not know at all are sent at once
//!    as preliminary orders (`detail_loaded == false`) so the table paints
//!    fast. Known orders are not re-sent as rows (that would replace the
//!    app's full copy with a bare one).
//! 3. `order_info` is read at once for: listed orders that are new to the
//!    reader; listed orders whose row (status or any other element the list
//!    shows) differs from the one last seen, or whose status differs from
//!    the status the reader knows; known orders whose details were never
//!    loaded (a failed read, a preliminary row in the cache). Known
//!    terminal orders with an unchanged status are not re-read.
//! 4. Every other known open order (listed or not) is refreshed in the
//!    background rotation of `carriers::budget`: at most once per
//!    `reread_every` (`reread_attention_every` when it needs attention),
//!    oldest read first, within `max_requests_per_minute` (default
//!    [`DEFAULT_MAX_REQUESTS_PER_MINUTE`]), so new log lines still arrive.
//!    Reads run `max_concurrency` at a time and reach the app in batches
//!    (every [`BATCH`] orders or [`BATCH_EVERY`]); progress counts the reads
//!    of steps 3 and 4 (`total` = their number).
//! 5. The returned cursor is today's date from step 1.
//!
//! So with nothing changing a poll costs one `orders` request plus at most
//! the budget's share of the interval; a status change shows within one
//! poll interval; a restart with a primed reader does not refetch the world.
//!
//! **Memory**: per order id the status last read, whether it is terminal or
//! needs attention, its creation date, when it was last read and the
//! fingerprint of its list row. It is filled by polls, by
//! [`CarrierReader::fetch_order`] (a re-read after a write, or a manual
//! one, which never asks the budget) and by [`CarrierReader::prime`] with
//! the cached orders of this carrier instance (orders whose key names
//! another instance are ignored; the terminal flag is recomputed from the
//! status word).
//!
//! Orders are keyed by the portal's raw id; a row whose id is a dot
//! segment (`.`, `..`) is shown with why and never asked about.
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
//! to a terminal order shows after a re-read of that order, not in a poll;
//! one added to an open order shows when the rotation comes round to it.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use futures::StreamExt;

use super::Portal;
use super::wire::{self, Direction, ListRow};
use super::xml::Element;
use crate::carriers::budget::{self, Budget, Candidate, Clock, RefreshPolicy};
use crate::carriers::{CarrierError, CarrierReader, PollSummary, SyncSink};
use crate::domain::{Order, OrderKey, OrderSummary, unusable_id};

/// Background `order_info` requests per minute when the config does not
/// set `max_requests_per_minute`.
pub const DEFAULT_MAX_REQUESTS_PER_MINUTE: u32 = 60;

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
    attention: bool,
    /// Local creation date (the list window reaches back to it while the
    /// order is open).
    created: Option<NaiveDate>,
    /// When its details were last read.
    read: Option<DateTime<Utc>>,
    /// The fingerprint of its list row when it was last read.
    row: Option<u64>,
}

impl Known {
    fn of(order: &Order, tz: Tz) -> Known {
        let status = super::status_of(&order.status.raw);
        Known {
            terminal: status.terminal,
            status: status.raw,
            loaded: order.detail_loaded,
            attention: order.needs_attention(),
            created: order
                .created_at()
                .map(|at| at.with_timezone(&tz).date_naive()),
            read: order.read_at,
            row: None,
        }
    }

    /// What the cache's summary says (a cached copy counts as never read in
    /// this session).
    fn of_summary(order: &OrderSummary, tz: Tz) -> Known {
        let status = super::status_of(&order.status.raw);
        Known {
            terminal: status.terminal,
            status: status.raw,
            loaded: order.detail_loaded,
            attention: order.needs_attention(),
            created: order
                .created_at()
                .map(|at| at.with_timezone(&tz).date_naive()),
            read: None,
            row: None,
        }
    }

    /// Whether a known order needs an `order_info` at once; `listed` is its
    /// list status and row fingerprint when the list has it.
    fn changed(&self, listed: Option<(&str, u64)>) -> bool {
        !self.loaded
            || listed.is_some_and(|(status, row)| {
                status != self.status || self.row.is_some_and(|r| r != row)
            })
    }
}

/// The fingerprint of a list row: every element it shows.
fn fingerprint(row: &ListRow) -> u64 {
    let mut h = DefaultHasher::new();
    row.fields.hash(&mut h);
    h.finish()
}

/// The reader's memory of orders (see the module docs).
#[derive(Debug)]
struct Memory {
    known: HashMap<String, Known>,
    /// Orders the portal answered "not found" for: id -> list status then
    /// (empty when it was not listed).
    gone: HashMap<String, String>,
    /// What background re-reads may still spend.
    budget: Budget,
}

/// One `order_info` to make in a poll.
#[derive(Debug)]
struct Target {
    id: String,
    /// The list row's status word and fingerprint, when the list has the
    /// order.
    listed: Option<(String, bool, u64)>,
}

/// The read side of one Tjänsteguiden instance.
pub struct TgReader {
    portal: Arc<Portal>,
    since: Option<NaiveDate>,
    concurrency: usize,
    policy: RefreshPolicy,
    clock: Clock,
    memory: Mutex<Memory>,
}

impl std::fmt::Debug for TgReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TgReader")
            .field("name", &self.portal.name)
            .field("policy", &self.policy)
            .finish()
    }
}

impl TgReader {
    pub(crate) fn new(
        portal: Arc<Portal>,
        since: Option<NaiveDate>,
        concurrency: usize,
        policy: RefreshPolicy,
        clock: Clock,
    ) -> Self {
        TgReader {
            portal,
            since,
            concurrency: concurrency.max(1),
            policy,
            clock,
            memory: Mutex::new(Memory {
                known: HashMap::new(),
                gone: HashMap::new(),
                budget: Budget::new(policy.per_minute),
            }),
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
        let mut order = wire::order_from_info(&self.portal.name, self.portal.tz, id, &root)?;
        order.read_at = Some((self.clock)());
        Ok(order)
    }

    fn today(&self) -> NaiveDate {
        (self.clock)().with_timezone(&self.portal.tz).date_naive()
    }

    fn default_since(&self, today: NaiveDate) -> NaiveDate {
        self.since.unwrap_or_else(|| {
            today
                .checked_sub_days(Days::new(DEFAULT_DAYS_BACK))
                .unwrap_or(today)
        })
    }

    /// The date listed by a poll that starts on `today`: from the cursor,
    /// and never after the oldest open order known.
    fn list_date(&self, cursor: Option<&str>, today: NaiveDate) -> NaiveDate {
        let from_cursor = match cursor.and_then(parse_cursor) {
            Some(last) => {
                let last = last.min(today);
                last.checked_sub_days(Days::new(OVERLAP_DAYS))
                    .unwrap_or(last)
            }
            None => self.default_since(today),
        };
        let oldest_open = self
            .memory()
            .known
            .values()
            .filter(|k| !k.terminal)
            .filter_map(|k| k.created)
            .min();
        oldest_open.map_or(from_cursor, |d| d.min(from_cursor))
    }

    fn memory(&self) -> MutexGuard<'_, Memory> {
        // A poisoned lock only means another poll panicked mid-update; the
        // memory is still a valid cache.
        self.memory.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Decides, from the (deduplicated) list, which rows are sent as
    /// preliminary orders and which orders are read: at once, then the
    /// background rotation's share.
    fn plan(&self, rows: &[ListRow], now: DateTime<Utc>) -> (Vec<Order>, Vec<Target>) {
        let mut memory = self.memory();
        let mut fresh = Vec::new();
        let mut targets = Vec::new();
        let mut candidates = Vec::new();
        let mut listed: HashMap<&str, (String, bool, u64)> = HashMap::with_capacity(rows.len());
        for row in rows {
            let status = super::status_of(&row.status);
            let print = fingerprint(row);
            listed.insert(
                row.id.as_str(),
                (status.raw.clone(), status.terminal, print),
            );
            if let Some(why) = unusable_id(&row.id) {
                // Shown, with why, but never asked about.
                let mut order = wire::order_from_row(&self.portal.name, self.portal.tz, row);
                order.fetch_error = Some(why);
                fresh.push(order);
                continue;
            }
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
                Some(known) if known.changed(Some((&status.raw, print))) => true,
                Some(known) => {
                    if !known.terminal {
                        candidates.push(candidate(&row.id, known));
                    }
                    false
                }
            };
            if read {
                targets.push(Target {
                    id: row.id.clone(),
                    listed: Some((status.raw, status.terminal, print)),
                });
            }
        }
        let mut older: Vec<&String> = Vec::new();
        for (id, known) in &memory.known {
            if listed.contains_key(id.as_str()) {
                continue;
            }
            if known.changed(None) {
                older.push(id);
            } else if !known.terminal {
                candidates.push(candidate(id, known));
            }
        }
        older.sort_by(|a, b| by_id(a, b));
        let older: Vec<String> = older.into_iter().cloned().collect();
        targets.extend(older.into_iter().map(|id| Target { id, listed: None }));
        let Memory { budget, .. } = &mut *memory;
        for id in budget::due(&self.policy, budget, now, candidates) {
            let listed = listed.get(id.as_str()).cloned();
            targets.push(Target { id, listed });
        }
        (fresh, targets)
    }

    /// Records the outcome of one read in the memory.
    fn remember(&self, target: &Target, result: &Result<Order, CarrierError>) {
        let mut memory = self.memory();
        match result {
            Ok(order) => {
                let mut known = Known::of(order, self.portal.tz);
                known.row = target.listed.as_ref().map(|(_, _, row)| *row);
                memory.known.insert(target.id.clone(), known);
            }
            Err(CarrierError::NotFound(_)) => {
                memory.known.remove(&target.id);
                let then = target
                    .listed
                    .as_ref()
                    .map(|(s, _, _)| s.clone())
                    .unwrap_or_default();
                memory.gone.insert(target.id.clone(), then);
            }
            Err(_) => {
                // Keep what is known (it is read again next poll); a new
                // order is remembered as not loaded so that it is read again
                // even after it leaves the list window.
                if let Some((status, terminal, _)) = &target.listed {
                    memory
                        .known
                        .entry(target.id.clone())
                        .or_insert_with(|| Known {
                            status: status.clone(),
                            terminal: *terminal,
                            loaded: false,
                            attention: true,
                            created: None,
                            read: None,
                            row: None,
                        });
                }
            }
        }
    }
}

/// A known open order as the rotation sees it.
fn candidate(id: &str, known: &Known) -> Candidate {
    Candidate {
        id: id.to_owned(),
        read: known.read,
        attention: known.attention,
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
        let now = (self.clock)();
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
        let (fresh, targets) = self.plan(&unique, now);
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
            memory.known.insert(
                order.key.id.clone(),
                Known::of_summary(order, self.portal.tz),
            );
        }
    }

    async fn fetch_order(&self, id: &str) -> Result<Order, CarrierError> {
        if let Some(why) = unusable_id(id) {
            return Err(CarrierError::Local(why));
        }
        let order = self.read_order(id).await?;
        let mut memory = self.memory();
        memory.gone.remove(id);
        let row = memory.known.get(id).and_then(|k| k.row);
        let mut known = Known::of(&order, self.portal.tz);
        known.row = row;
        memory.known.insert(id.to_owned(), known);
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
    fn known_orders_are_read_at_once_when_their_row_changed() {
        let known = |status: &str, terminal, loaded| Known {
            status: status.into(),
            terminal,
            loaded,
            attention: false,
            created: None,
            read: None,
            row: Some(7),
        };
        assert!(
            !known("active", false, true).changed(None),
            "the rotation's"
        );
        assert!(!known("active", false, true).changed(Some(("active", 7))));
        assert!(known("active", false, true).changed(Some(("active", 8))));
        assert!(known("active", false, true).changed(Some(("waiting", 7))));
        assert!(!known("delivered", true, true).changed(None));
        assert!(!known("delivered", true, true).changed(Some(("delivered", 7))));
        assert!(known("delivered", true, true).changed(Some(("active", 7))));
        assert!(known("delivered", true, false).changed(None));
    }

    fn reader() -> TgReader {
        let portal = Portal {
            name: Arc::from("tg"),
            // Nothing listens on the discard port: a request would fail
            // with a transport error, not the refusal the tests look for.
            endpoint: reqwest::Url::parse("http://127.0.0.1:9/orders").unwrap(),
            api_user: "1".into(),
            tz: chrono_tz::Europe::Stockholm,
            http: crate::carriers::http::Http::new(Default::default()).unwrap(),
        };
        let policy = RefreshPolicy {
            per_minute: 60,
            every: Duration::from_secs(3600),
            attention_every: Duration::from_secs(600),
        };
        TgReader::new(Arc::new(portal), None, 1, policy, budget::system_clock())
    }

    fn row(id: &str, status: &str) -> ListRow {
        ListRow {
            id: id.into(),
            kind: "order".into(),
            date: "2026-11-01 10:00".into(),
            status: status.into(),
            service: String::new(),
            xsp: String::new(),
            delivery: String::new(),
            customer: String::new(),
            fields: vec![("id".into(), id.into())],
        }
    }

    #[tokio::test]
    async fn a_dot_segment_id_is_shown_with_why_and_never_read() {
        let r = reader();
        let (fresh, targets) = r.plan(&[row("..", "new"), row("7", "new")], Utc::now());
        let ids: Vec<&str> = targets.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["7"]);
        assert_eq!(fresh.len(), 2);
        assert_eq!(fresh[0].key.id, "..");
        assert!(
            fresh[0]
                .fetch_error
                .as_deref()
                .is_some_and(|e| e.contains("dot segment")),
            "{:?}",
            fresh[0].fetch_error
        );
        let e = r.fetch_order(".").await.unwrap_err();
        assert_eq!(e.category(), "local", "{e}");
        let e = r.fetch_order(" ").await.unwrap_err();
        assert_eq!(
            e.to_string(),
            CarrierError::Local("the carrier gave an empty order id".into()).to_string()
        );
    }

    #[test]
    fn ids_sort_numerically() {
        let mut ids = vec!["100", "x", "20", "3"];
        ids.sort_by(|a, b| by_id(a, b));
        assert_eq!(ids, ["3", "20", "100", "x"]);
    }
}
