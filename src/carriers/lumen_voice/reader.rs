//! Polling Voice orders: every page of `orderStatus` (pageNumber/pageSize
//! until totalRecords, a short or empty page), then each order's
//! `notifications` with bounded concurrency, reported through the sink page
//! by page. Paging follows the shared rule of `cursor::Pager`: a page that
//! repeats an earlier one, or more pages than `MAX_LISTED_ROWS` over the
//! page size, stops the poll with what it read and a warning for the chip
//! (a `totalRecords` that lies cannot make it run away).
//!
//! Incremental polls: the Voice API has no "changed since" listing, so the
//! cursor remembers, per voice order id, a hash of the ORDER JSON and of its
//! notification list. A poll reports only orders that are new or whose order
//! or notifications changed. Notifications are fetched at once for an order
//! that is new or whose ORDER JSON changed; those of an open order whose
//! ORDER JSON did not change are refreshed in the background rotation of
//! `carriers::budget` (at most once per `reread_every`, or
//! `reread_attention_every` when it needs attention, within
//! `max_requests_per_minute`, default [`DEFAULT_MAX_REQUESTS_PER_MINUTE`];
//! each page's due orders oldest read first), so a notification that does
//! not change the order arrives within that period; those of a terminal order
//! whose ORDER JSON did not change are not fetched again. When each order's
//! notifications were last read is kept in memory (a restart reads them
//! again, within the budget). `fetch_order` (a manual re-read) never asks
//! the budget.
//! Cursor format (opaque to everyone else): `{"v":1,"o":{"<id>":"<hex>:<hex>"}}`;
//! an unreadable cursor means a full poll.
//!
//! Errors: an auth failure or a rate limit ends the poll (the fetcher shows it
//! on the chip and waits); any other failure of one order's notifications is
//! reported for that order (`OrderFailed`, or, for an order never reported
//! before, the order without its log and with `fetch_error` set) and the poll
//! goes on. An order whose ORDER JSON cannot be read is skipped and counted
//! as failed. Orders that appear twice (pages shifting during a poll) are
//! reported once. Orders are keyed by the raw voice order id; one whose id
//! is empty or a dot segment is shown with why and never asked about.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use serde::{Deserialize, Serialize};

use crate::carriers::budget::{self, Budget, Candidate, Clock, RefreshPolicy};
use crate::carriers::cursor::{MAX_LISTED_ROWS, PageEnd, Pager, VersionedCursor};
use crate::carriers::{CarrierError, CarrierReader, PollSummary, SyncSink};
use crate::domain::{Order, OrderKey, Stage, unusable_id};

use super::client::VoiceClient;
use super::normalize::{self, to_order};
use super::wire::VoiceOrder;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Cursor {
    v: u32,
    o: BTreeMap<String, String>,
}

impl VersionedCursor for Cursor {
    const VERSION: u32 = 1;

    fn version(&self) -> u32 {
        self.v
    }
}

/// FNV-1a, 64 bit: stable across builds (the cursor may be persisted).
fn fnv(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn entry(order_hash: u64, notes_hash: u64) -> String {
    format!("{order_hash:016x}:{notes_hash:016x}")
}

/// Background `notifications` requests per minute when the config does not
/// set `max_requests_per_minute`.
pub const DEFAULT_MAX_REQUESTS_PER_MINUTE: u32 = 60;

/// When each order's notifications were last read, and the budget.
#[derive(Debug)]
struct Memory {
    read: HashMap<String, DateTime<Utc>>,
    budget: Budget,
}

/// Reads orders of one Voice carrier instance.
pub struct VoiceReader {
    client: Arc<VoiceClient>,
    policy: RefreshPolicy,
    clock: Clock,
    memory: Mutex<Memory>,
}

impl std::fmt::Debug for VoiceReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VoiceReader")
            .field("name", &self.client.name)
            .field("policy", &self.policy)
            .finish()
    }
}

impl VoiceReader {
    pub(super) fn new(client: Arc<VoiceClient>, policy: RefreshPolicy, clock: Clock) -> Self {
        VoiceReader {
            client,
            policy,
            clock,
            memory: Mutex::new(Memory {
                read: HashMap::new(),
                budget: Budget::new(policy.per_minute),
            }),
        }
    }

    fn memory(&self) -> MutexGuard<'_, Memory> {
        self.memory.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Of the open orders whose ORDER JSON did not change, the ones the
    /// rotation reads now.
    fn due(&self, now: DateTime<Utc>, unchanged: Vec<(String, bool)>) -> HashSet<String> {
        let mut memory = self.memory();
        let candidates = unchanged
            .into_iter()
            .map(|(id, attention)| Candidate {
                read: memory.read.get(&id).copied(),
                id,
                attention,
            })
            .collect();
        budget::due(&self.policy, &mut memory.budget, now, candidates)
            .into_iter()
            .collect()
    }

    fn read_at(&self, id: &str, at: DateTime<Utc>) {
        self.memory().read.insert(id.to_owned(), at);
    }

    fn stop_poll(e: &CarrierError) -> bool {
        matches!(
            e,
            CarrierError::Auth { .. } | CarrierError::RateLimited { .. }
        )
    }

    fn failed_order(&self, order: &VoiceOrder, raw: &str, error: &CarrierError) -> Order {
        let mut o = to_order(&self.client.name, order, &[], raw, "[]");
        o.detail_loaded = false;
        o.fetch_error = Some(format!("notifications: {error}"));
        o
    }
}

#[async_trait]
impl CarrierReader for VoiceReader {
    async fn poll(
        &self,
        cursor: Option<String>,
        sink: &SyncSink,
    ) -> Result<(PollSummary, Option<String>), CarrierError> {
        let previous = Cursor::parse(cursor.as_deref());
        let mut next = Cursor {
            v: 1,
            o: BTreeMap::new(),
        };
        let mut summary = PollSummary::default();
        let mut seen: HashSet<String> = HashSet::new();
        let mut done = 0usize;
        let mut pager = Pager::new(u64::from(self.client.page_size.max(1)));
        let mut page_no = 1u64;
        let now = (self.clock)();
        loop {
            let page = self.client.list_page(page_no).await?;
            let on_page = page.orders.len();
            let end = pager.after(
                page.orders.iter().map(|item| match &item.order {
                    Ok(order) => order.voice_order_id.as_str(),
                    Err(_) => item.raw.as_str(),
                }),
                page.total_records,
            );
            let total = page
                .total_records
                .map(|t| t.min(MAX_LISTED_ROWS) as usize)
                .unwrap_or(seen.len() + on_page);
            let mut work = Vec::new();
            let mut unchanged = Vec::new();
            for item in page.orders {
                let order = match item.order {
                    Ok(order) => order,
                    Err(why) => {
                        tracing::warn!(carrier = %self.client.name, "skipping an unreadable order: {why}");
                        summary.failed += 1;
                        done += 1;
                        continue;
                    }
                };
                if !seen.insert(order.voice_order_id.clone()) {
                    continue;
                }
                summary.listed += 1;
                if let Some(why) = unusable_id(&order.voice_order_id) {
                    // Shown, with why, but never asked about.
                    summary.failed += 1;
                    done += 1;
                    let mut o = to_order(&self.client.name, &order, &[], &item.raw, "[]");
                    o.detail_loaded = false;
                    o.fetch_error = Some(why);
                    sink.orders(vec![o]);
                    continue;
                }
                let order_hash = fnv(&item.raw);
                let before = previous.o.get(&order.voice_order_id).cloned();
                let status = normalize::status(order.status.as_deref().unwrap_or(""));
                let same = before
                    .as_deref()
                    .is_some_and(|b| b.starts_with(&format!("{order_hash:016x}:")));
                if same && !status.terminal {
                    let attention = status.stage == Stage::NeedsAttention;
                    unchanged.push((order.voice_order_id.clone(), attention));
                }
                work.push((order, item.raw, order_hash, before, same));
            }
            let due = self.due(now, unchanged);
            let work: Vec<_> = work
                .into_iter()
                .filter_map(|(order, raw, order_hash, before, same)| {
                    if same && !due.contains(&order.voice_order_id) {
                        // Terminal, or not due yet: as it was.
                        if let Some(b) = before {
                            next.o.insert(order.voice_order_id.clone(), b);
                        }
                        done += 1;
                        return None;
                    }
                    Some((order, raw, order_hash, before))
                })
                .collect();
            sink.progress(done, total.max(done));

            let client = &self.client;
            let mut results = futures::stream::iter(work)
                .map(|(order, raw, order_hash, before)| async move {
                    let notes = client.notifications(&order.voice_order_id).await;
                    (order, raw, order_hash, before, notes)
                })
                .buffer_unordered(self.client.concurrency.max(1));
            let mut batch = Vec::new();
            while let Some((order, raw, order_hash, before, notes)) = results.next().await {
                done += 1;
                sink.progress(done, total.max(done));
                match notes {
                    Ok((list, list_raw)) => {
                        summary.fetched += 1;
                        let at = (self.clock)();
                        self.read_at(&order.voice_order_id, at);
                        let now = entry(order_hash, fnv(&list_raw));
                        if before.as_deref() != Some(now.as_str()) {
                            let mut o = to_order(&self.client.name, &order, &list, &raw, &list_raw);
                            o.read_at = Some(at);
                            batch.push(o);
                        }
                        next.o.insert(order.voice_order_id.clone(), now);
                    }
                    Err(e) if Self::stop_poll(&e) => {
                        sink.orders(batch);
                        return Err(e);
                    }
                    Err(e) => {
                        summary.failed += 1;
                        match before {
                            Some(b) => {
                                next.o.insert(order.voice_order_id.clone(), b);
                                sink.order_failed(
                                    OrderKey::new(
                                        self.client.name.clone(),
                                        order.voice_order_id.clone(),
                                    ),
                                    e,
                                );
                            }
                            None => batch.push(self.failed_order(&order, &raw, &e)),
                        }
                    }
                }
            }
            drop(results);
            sink.orders(batch);

            match end {
                PageEnd::More => page_no += 1,
                PageEnd::Done => break,
                PageEnd::Stopped(why) => {
                    tracing::warn!(carrier = %self.client.name, "{why}");
                    summary.warning = Some(why);
                    break;
                }
            }
        }
        Ok((summary, Some(next.encode())))
    }

    async fn fetch_order(&self, id: &str) -> Result<Order, CarrierError> {
        if let Some(why) = unusable_id(id) {
            return Err(CarrierError::Local(why));
        }
        let item = self.client.order(id).await?;
        let order = item
            .order
            .map_err(|why| CarrierError::protocol(why, item.raw.as_bytes()))?;
        let (list, list_raw) = self.client.notifications(&order.voice_order_id).await?;
        let at = (self.clock)();
        self.read_at(&order.voice_order_id, at);
        let mut order = to_order(&self.client.name, &order, &list, &item.raw, &list_raw);
        order.read_at = Some(at);
        Ok(order)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let mut c = Cursor {
            v: 1,
            o: BTreeMap::new(),
        };
        c.o.insert("1".into(), entry(1, 2));
        let again = Cursor::parse(Some(&c.encode()));
        assert_eq!(
            again.o.get("1").map(String::as_str),
            Some("0000000000000001:0000000000000002")
        );
        assert!(Cursor::parse(Some("nonsense")).o.is_empty());
        assert!(Cursor::parse(Some(r#"{"v":2,"o":{"1":"x"}}"#)).o.is_empty());
    }

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv("a"), 0xaf63_dc4c_8601_ec8c);
    }
}
