//! Polling LLA orders, market by market: every page of the Hybris list
//! (`offset`/`limit`), then the detail of each order that is new or whose
//! list body changed, with bounded concurrency, reported through the sink
//! page by page.
//!
//! Paging stops at an empty page; when `X-Total-Count` is given, once that
//! many rows were read (a server may cap `limit` below what was asked, so a
//! short page alone does not end a counted list); without it, at a page
//! shorter than asked; and when a page repeats the previous one (a total
//! that lies). At most [`page_cap`] pages are read per market; reaching the
//! cap is reported as that market's error.
//!
//! A market that fails (auth, 429, 5xx, timeout, an unreadable list) does
//! not stop the others: its orders already reported stay as they were,
//! each marked stale (`OrderFailed` naming the market), and the poll ends
//! with one error naming each failed market (`retry_after` the longest
//! asked for). Once the market answers again its orders are read again,
//! which clears the marks. An order whose detail fails is reported from its
//! list body with `fetch_error` set (or as `OrderFailed` when it was
//! reported before); a list element without a usable id is skipped and
//! counted as failed.
//!
//! Cursor (opaque to everyone else): `{"v":1,"o":{"<MARKET>-<id>":"<hex>"}}`,
//! a hash of each order's list body; the reader also keeps it in memory, so
//! a poll that failed in one market does not fetch the others' details
//! again.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use futures::StreamExt;
use serde::{Deserialize, Serialize};

use crate::carriers::cursor::VersionedCursor;
use crate::carriers::{CarrierError, CarrierReader, PollSummary, SyncSink};
use crate::domain::{Order, OrderKey};

use super::client::HybrisClient;
use super::normalize::{key_id, split_key_id, to_order};
use super::wire::ProductOrder;

/// The most rows read per market in one poll; the page cap follows from it.
pub const MAX_ROWS_PER_MARKET: u64 = 200_000;

/// The most pages read per market for a page size.
pub fn page_cap(page_size: u32) -> u64 {
    MAX_ROWS_PER_MARKET / u64::from(page_size.max(1)) + 1
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
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
fn fnv(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Reads the orders of one LLA carrier instance.
#[derive(Debug)]
pub struct LlaReader {
    pub(super) client: Arc<HybrisClient>,
    pub(super) markets: Vec<String>,
    memory: Mutex<Option<Cursor>>,
}

/// What one market's poll did to the summary and the cursor.
struct MarketPoll<'a> {
    previous: &'a Cursor,
    next: &'a mut Cursor,
    summary: &'a mut PollSummary,
    done: usize,
}

impl LlaReader {
    pub(super) fn new(client: Arc<HybrisClient>, markets: Vec<String>) -> Self {
        LlaReader {
            client,
            markets,
            memory: Mutex::new(None),
        }
    }

    fn stops_market(e: &CarrierError) -> bool {
        matches!(
            e,
            CarrierError::Auth { .. }
                | CarrierError::RateLimited { .. }
                | CarrierError::Unavailable { sent: false, .. }
        )
    }

    async fn poll_market(
        &self,
        market: &str,
        poll: &mut MarketPoll<'_>,
        sink: &SyncSink,
    ) -> Result<(), CarrierError> {
        let page_size = self.client.page_size.max(1);
        let cap = page_cap(page_size);
        let mut seen: HashSet<String> = HashSet::new();
        let mut offset = 0u64;
        let mut pages = 0u64;
        let mut last_ids: Option<Vec<String>> = None;
        loop {
            let page = self.client.list_page(market, offset).await?;
            pages += 1;
            let on_page = page.items.len() as u64;
            let ids: Vec<String> = page
                .items
                .iter()
                .map(|i| i.order.as_ref().map(|o| o.id.clone()).unwrap_or_default())
                .collect();
            if on_page > 0 && last_ids.as_ref() == Some(&ids) {
                tracing::warn!(carrier = %self.client.name, market, offset, "a page repeats the previous one; the list ends here");
                break;
            }
            let total = page.total.map(|t| t as usize).unwrap_or(0);
            let mut work: Vec<(ProductOrder, String, String, Option<String>)> = Vec::new();
            for item in page.items {
                let order = match item.order {
                    Ok(order) => order,
                    Err(why) => {
                        tracing::warn!(carrier = %self.client.name, market, "skipping an unreadable order: {why}");
                        poll.summary.failed += 1;
                        continue;
                    }
                };
                let kid = key_id(market, &order.id);
                if !seen.insert(kid.clone()) {
                    continue;
                }
                poll.summary.listed += 1;
                let hash = fnv(&item.raw);
                let before = poll.previous.o.get(&kid).cloned();
                if before.as_deref() == Some(hash.as_str()) {
                    poll.next.o.insert(kid, hash);
                    poll.done += 1;
                    continue;
                }
                work.push((order, item.raw, hash, before));
            }
            sink.progress(poll.done, total.max(poll.done + work.len()));
            let client = &self.client;
            let mut results = futures::stream::iter(work)
                .map(|(order, raw, hash, before)| async move {
                    let detail = client.order(market, &order.id).await;
                    (order, raw, hash, before, detail)
                })
                .buffer_unordered(self.client.concurrency.max(1));
            let mut batch = Vec::new();
            let mut stop = None;
            while let Some((order, raw, hash, before, detail)) = results.next().await {
                poll.done += 1;
                let kid = key_id(market, &order.id);
                match detail {
                    Ok((fresh, fresh_raw)) => {
                        poll.summary.fetched += 1;
                        batch.push(to_order(&self.client.name, market, &fresh, &fresh_raw));
                        poll.next.o.insert(kid, hash);
                    }
                    Err(e) if Self::stops_market(&e) => {
                        stop.get_or_insert(e);
                    }
                    Err(e) => {
                        poll.summary.failed += 1;
                        match before {
                            Some(b) => {
                                poll.next.o.insert(kid.clone(), b);
                                sink.order_failed(OrderKey::new(self.client.name.clone(), kid), e);
                            }
                            None => {
                                let mut o = to_order(&self.client.name, market, &order, &raw);
                                o.detail_loaded = false;
                                o.fetch_error = Some(format!("detail: {e}"));
                                batch.push(o);
                            }
                        }
                    }
                }
                sink.progress(poll.done, total.max(poll.done));
            }
            drop(results);
            sink.orders(batch);
            if let Some(e) = stop {
                return Err(e);
            }
            offset += on_page;
            let end = match page.total {
                _ if on_page == 0 => true,
                Some(total) => offset >= total,
                None => on_page < u64::from(page_size),
            };
            if end {
                break;
            }
            if pages >= cap {
                return Err(CarrierError::Protocol {
                    what: format!(
                        "the list did not end after {pages} pages of {page_size} (X-Total-Count {}); stopped there",
                        page.total.map_or("not sent".to_owned(), |t| t.to_string())
                    ),
                    excerpt: String::new(),
                });
            }
            last_ids = Some(ids);
        }
        Ok(())
    }
}

/// Marks a fingerprint kept for an order whose market failed: it matches
/// no list entry, so the order is read again once the market answers.
const STALE: &str = "stale:";

/// What an order of a failed market shows: its data is the last known.
fn stale_error(market: &str, error: &CarrierError) -> CarrierError {
    CarrierError::Unavailable {
        code: None,
        message: format!(
            "stale: market {market} did not answer ({error}); this is its last known state"
        ),
        retry_after: error.retry_after(),
        sent: false,
    }
}

/// One error for the markets that failed, each named: its message is
/// `market XX: why` parts joined by `; ` (the carrier chip names the
/// markets from these prefixes).
pub fn markets_error(failed: Vec<(String, CarrierError)>) -> CarrierError {
    let all_auth = failed
        .iter()
        .all(|(_, e)| matches!(e, CarrierError::Auth { .. }));
    let retry_after = failed
        .iter()
        .filter_map(|(_, e)| e.retry_after())
        .max()
        .map(|d: Duration| d.max(Duration::from_secs(1)));
    let message = failed
        .iter()
        .map(|(m, e)| format!("market {m}: {e}"))
        .collect::<Vec<_>>()
        .join("; ");
    if all_auth {
        return CarrierError::Auth {
            code: None,
            message,
        };
    }
    CarrierError::Unavailable {
        code: None,
        message,
        retry_after,
        sent: false,
    }
}

#[async_trait]
impl CarrierReader for LlaReader {
    async fn poll(
        &self,
        cursor: Option<String>,
        sink: &SyncSink,
    ) -> Result<(PollSummary, Option<String>), CarrierError> {
        let remembered = self
            .memory
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let previous = remembered.unwrap_or_else(|| Cursor::parse(cursor.as_deref()));
        let mut next = Cursor {
            v: Cursor::VERSION,
            o: BTreeMap::new(),
        };
        let mut summary = PollSummary::default();
        let mut failed = Vec::new();
        let mut done = 0;
        for market in &self.markets {
            let mut market_next = Cursor::default();
            let mut poll = MarketPoll {
                previous: &previous,
                next: &mut market_next,
                summary: &mut summary,
                done,
            };
            let result = self.poll_market(market, &mut poll, sink).await;
            done = poll.done;
            match result {
                Ok(()) => next.o.extend(market_next.o),
                Err(e) => {
                    tracing::warn!(carrier = %self.client.name, market, error = %e, "market failed");
                    // Its known orders stay, marked stale; their fingerprints
                    // are kept marked too, so the poll after the market is
                    // back re-reads and re-sends them (clearing the mark).
                    let prefix = format!("{market}-");
                    for (kid, hash) in previous.o.iter().filter(|(k, _)| k.starts_with(&prefix)) {
                        let key = OrderKey::new(self.client.name.clone(), kid.clone());
                        sink.order_failed(key, stale_error(market, &e));
                        let hash = hash.strip_prefix(STALE).unwrap_or(hash);
                        next.o.insert(kid.clone(), format!("{STALE}{hash}"));
                    }
                    failed.push((market.clone(), e));
                }
            }
        }
        *self.memory.lock().unwrap_or_else(PoisonError::into_inner) = Some(next.clone());
        if failed.is_empty() {
            Ok((summary, Some(next.encode())))
        } else {
            Err(markets_error(failed))
        }
    }

    async fn fetch_order(&self, id: &str) -> Result<Order, CarrierError> {
        let Some((market, raw_id)) = split_key_id(id) else {
            return Err(CarrierError::Local(format!(
                "{id:?} is not an LLA order key (MARKET-id)"
            )));
        };
        if !self.markets.iter().any(|m| m == market) {
            return Err(CarrierError::Local(format!(
                "market {market} is not configured for this carrier"
            )));
        }
        let (order, raw) = self.client.order(market, raw_id).await?;
        Ok(to_order(&self.client.name, market, &order, &raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_cap_follows_page_size() {
        let mut c = Cursor {
            v: 1,
            ..Cursor::default()
        };
        c.o.insert("PR-1".into(), fnv("{}"));
        assert_eq!(Cursor::parse(Some(&c.encode())).o.len(), 1);
        assert!(Cursor::parse(Some("garbage")).o.is_empty());
        assert_eq!(page_cap(100), 2001);
        assert_eq!(page_cap(0), MAX_ROWS_PER_MARKET + 1);
    }

    #[test]
    fn failed_markets_are_named_with_the_longest_wait() {
        let e = markets_error(vec![
            (
                "PR".into(),
                CarrierError::RateLimited {
                    retry_after: Some(Duration::from_secs(3)),
                },
            ),
            ("JM".into(), CarrierError::Timeout("no answer".into())),
        ]);
        assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
        let text = e.to_string();
        assert!(
            text.contains("market PR: rate limited") && text.contains("market JM: timed out"),
            "{text}"
        );
    }
}
