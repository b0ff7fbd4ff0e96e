//! One PX poll, as the document's flow prescribes:
//! 1. `pxNewOrders` from the day before the last check (a day of overlap)
//!    or `since` (else the last 7 days) up to today inclusive, in windows of
//!    at most 7 days (`window`), for the partner or each configured sales
//!    code, with the configured source systems; every order not already
//!    known is absorbed.
//! 2. `pxOpenOrders` for the partner or each sales code: its status wins
//!    over the older one of newOrders.
//! 3. `pxOrderDetail` once for an order that reaches COMPLETED or ATTTV
//!    (bounded concurrency); its line items, account, order and telephone
//!    numbers replace the list's. The order is then terminal and is never
//!    asked about or re-reported again; nor are PROVIDER/CUSTOMER
//!    CANCELLED, DECLINED and TRACKING TERMINATED orders once reported.
//! 4. Known open orders that neither list mentions are not reported: they
//!    stay as they were, their `lastSeen` field giving the last sighting.
//!
//! No order is re-read in the background (the lists carry what PX says of
//! an open order), so the request budget (`carriers::budget`) has nothing
//! to hold here: a poll costs its list calls and one detail per order that
//! completes.
//!
//! "Today" is the carrier's `timezone` date of the reader's clock.
//! Log: each status change gets a `status` entry stamped with the carrier's
//! `statusDate` (else the sighting) and saying when this console first saw
//! it, so the order's "updated" is the status date, never the sighting;
//! earlier entries come from the order the reader last reported (or the
//! cache's, through `prime`).
//!
//! Errors: a list call's error ends the poll (it is the carrier chip's); a
//! detail call's error other than auth or rate limiting is that order's
//! (`fetch_error`, the list's values kept, detail asked again next poll).
//!
//! Cursor (opaque to everyone else): `{"v":1,"last":"YYYY-MM-DD","o":
//! {"<id>":{"s":"<status>","d":<detail loaded>}}}`; unreadable means a
//! first poll.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Days, NaiveDate, SecondsFormat, Utc};
use futures::StreamExt;
use serde::{Deserialize, Serialize};

use crate::carriers::cursor::VersionedCursor;
use crate::carriers::{CarrierError, CarrierReader, PollSummary, SyncSink};
use crate::domain::{LogEntry, LogKind, Order, OrderSummary, Stamp, unusable_id};

use super::client::{NEW_ORDERS, OPEN_ORDERS, ORDER_DETAIL, PxClient};
use super::normalize::{canonical, status_def, to_order, wants_detail};
use super::wire::PxOrder;
use super::{KIND, window};

/// Days back the first poll lists without `since`.
pub const FIRST_POLL_DAYS: u64 = 6;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
struct Seen {
    s: String,
    d: bool,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Cursor {
    v: u32,
    last: Option<NaiveDate>,
    #[serde(default)]
    o: BTreeMap<String, Seen>,
}

impl VersionedCursor for Cursor {
    const VERSION: u32 = 1;

    fn version(&self) -> u32 {
        self.v
    }
}

/// Whether an order in this state needs nothing more from the carrier.
fn finished(seen: &Seen) -> bool {
    status_def(&seen.s).is_some_and(|d| d.terminal) && (seen.d || !wants_detail(&seen.s))
}

/// What one poll learnt about one order.
struct Fresh {
    order: PxOrder,
    raws: Vec<(&'static str, String)>,
}

/// Reads orders of one PX carrier instance.
pub struct PxReader {
    pub(super) client: Arc<PxClient>,
    /// The orders last reported (or primed from the cache), by id.
    pub(super) known: Mutex<HashMap<String, Order>>,
    pub(super) clock: fn() -> DateTime<Utc>,
}

impl std::fmt::Debug for PxReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PxReader")
            .field("name", &self.client.name)
            .finish()
    }
}

impl PxReader {
    fn stop_poll(e: &CarrierError) -> bool {
        matches!(
            e,
            CarrierError::Auth { .. } | CarrierError::RateLimited { .. }
        )
    }

    fn previous(&self, id: &str) -> Option<Order> {
        self.known
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .cloned()
    }

    fn targets(&self) -> Vec<Option<&str>> {
        if self.client.sales_codes.is_empty() {
            vec![None]
        } else {
            self.client
                .sales_codes
                .iter()
                .map(|c| Some(c.as_str()))
                .collect()
        }
    }

    /// Remembers the orders and sends them.
    fn report(&self, sink: &SyncSink, batch: Vec<Order>) {
        {
            let mut known = self.known.lock().unwrap_or_else(|p| p.into_inner());
            for o in &batch {
                known.insert(o.key.id.clone(), o.clone());
            }
        }
        sink.orders(batch);
    }

    /// The order to report: the fresh values, the previous log plus a
    /// status entry when the status changed, and when it was seen.
    fn build(&self, fresh: &Fresh, now: DateTime<Utc>, error: Option<String>) -> Order {
        let raws: Vec<(&str, &str)> = fresh.raws.iter().map(|(c, r)| (*c, r.as_str())).collect();
        let mut order = to_order(&self.client.name, &fresh.order, &raws);
        let previous = self.previous(&fresh.order.partner_order_id);
        if let Some(prev) = &previous {
            order.log = prev.log.clone();
        }
        let changed = previous
            .as_ref()
            .is_none_or(|p| canonical(&p.status.raw) != canonical(&order.status.raw));
        if changed {
            // Stamped with the carrier's statusDate when it has one, so the
            // order's "updated" is when the status changed, not when this
            // console happened to see it; the sighting is in the text.
            let changed_at = order.updated.as_ref().and_then(|u| u.at);
            order.log.push(LogEntry {
                at: Stamp::parsed(changed_at.unwrap_or(now)),
                kind: LogKind::Status,
                source: "Lumen PX".into(),
                text: format!(
                    "status {} (first seen {})",
                    order.status.raw,
                    now.to_rfc3339_opts(SecondsFormat::Secs, true)
                ),
            });
        }
        order.fields.push((
            "lastSeen".into(),
            now.to_rfc3339_opts(SecondsFormat::Secs, true),
        ));
        if let Some(e) = error {
            order.fetch_error = Some(e);
        }
        order
    }
}

#[async_trait]
impl CarrierReader for PxReader {
    async fn poll(
        &self,
        cursor: Option<String>,
        sink: &SyncSink,
    ) -> Result<(PollSummary, Option<String>), CarrierError> {
        let previous = Cursor::parse(cursor.as_deref());
        let now = (self.clock)();
        let today = now.with_timezone(&self.client.timezone).date_naive();
        let first = match previous.last {
            Some(last) => last.checked_sub_days(Days::new(1)).unwrap_or(last),
            None => self.client.since.unwrap_or_else(|| {
                today
                    .checked_sub_days(Days::new(FIRST_POLL_DAYS))
                    .unwrap_or(today)
            }),
        };
        let is_known = |id: &str| {
            previous.o.contains_key(id)
                || self
                    .known
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .contains_key(id)
        };
        let mut summary = PollSummary::default();
        let mut fresh: BTreeMap<String, Fresh> = BTreeMap::new();

        for (from, to) in window::windows(first, today) {
            let (from, to) = (window::us_date(from), window::us_date(to));
            for code in self.targets() {
                for item in self.client.new_orders(code, &from, &to).await? {
                    match item.order {
                        Ok(order) if !is_known(&order.partner_order_id) => {
                            fresh
                                .entry(order.partner_order_id.clone())
                                .or_insert(Fresh {
                                    order,
                                    raws: vec![(NEW_ORDERS, item.raw)],
                                });
                        }
                        Ok(_) => {}
                        Err(why) => {
                            tracing::warn!(carrier = %self.client.name, "skipping an unreadable order: {why}");
                            summary.failed += 1;
                        }
                    }
                }
            }
        }
        for code in self.targets() {
            for item in self.client.open_orders(code).await? {
                let order = match item.order {
                    Ok(order) => order,
                    Err(why) => {
                        tracing::warn!(carrier = %self.client.name, "skipping an unreadable order: {why}");
                        summary.failed += 1;
                        continue;
                    }
                };
                let id = order.partner_order_id.clone();
                if previous.o.get(&id).is_some_and(finished) {
                    continue;
                }
                let entry = fresh.entry(id).or_insert_with(|| Fresh {
                    order: order.clone(),
                    raws: Vec::new(),
                });
                entry.order = order;
                entry.raws.retain(|(c, _)| *c != OPEN_ORDERS);
                entry.raws.push((OPEN_ORDERS, item.raw));
            }
        }
        summary.listed = fresh.len();

        let mut next = Cursor {
            v: 1,
            last: Some(today),
            o: previous.o.clone(),
        };
        let mut batch = Vec::new();
        let mut details = Vec::new();
        for (id, f) in fresh {
            let status = f.order.order_status.clone().unwrap_or_default();
            let detail_done = previous.o.get(&id).is_some_and(|s| s.d);
            if wants_detail(&status) && !detail_done {
                details.push(f);
                continue;
            }
            next.o.insert(
                id,
                Seen {
                    s: status,
                    d: detail_done,
                },
            );
            batch.push(self.build(&f, now, None));
        }
        self.report(sink, std::mem::take(&mut batch));

        let total = details.len();
        let mut done = 0;
        sink.progress(done, total);
        let default_code = self.client.sales_codes.first().cloned();
        let client = &self.client;
        let mut results = futures::stream::iter(details)
            .map(|f| {
                let code = f.order.sales_code.clone().or_else(|| default_code.clone());
                async move {
                    let answer = match code {
                        Some(code) => client.detail(&code, &f.order.partner_order_id).await,
                        None => Err(CarrierError::Local(
                            "the order has no sales code to ask its detail with".into(),
                        )),
                    };
                    (f, answer)
                }
            })
            .buffer_unordered(self.client.concurrency.max(1));
        let mut stopped = None;
        while let Some((mut f, answer)) = results.next().await {
            done += 1;
            sink.progress(done, total);
            let id = f.order.partner_order_id.clone();
            let status = f.order.order_status.clone().unwrap_or_default();
            match answer {
                Ok((mut detail, raw)) => {
                    summary.fetched += 1;
                    if detail.order_status.is_none() {
                        detail.order_status = f.order.order_status.clone();
                    }
                    detail.partner_order_id = id.clone();
                    f.order = detail;
                    f.raws.push((ORDER_DETAIL, raw));
                    let s = f.order.order_status.clone().unwrap_or(status);
                    next.o.insert(id, Seen { s, d: true });
                    batch.push(self.build(&f, now, None));
                }
                Err(e) if Self::stop_poll(&e) => {
                    stopped = Some(e);
                    break;
                }
                Err(e) => {
                    summary.failed += 1;
                    next.o.insert(
                        id,
                        Seen {
                            s: status,
                            d: false,
                        },
                    );
                    batch.push(self.build(&f, now, Some(format!("orderDetail: {e}"))));
                }
            }
        }
        drop(results);
        self.report(sink, batch);
        if let Some(e) = stopped {
            return Err(e);
        }
        Ok((summary, Some(next.encode())))
    }

    fn prime(&self, cached: &[OrderSummary]) {
        let mut known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        for o in cached {
            if o.kind == KIND && o.key.carrier == self.client.name {
                known.insert(o.key.id.clone(), o.to_order());
            }
        }
    }

    async fn fetch_order(&self, id: &str) -> Result<Order, CarrierError> {
        if let Some(why) = unusable_id(id) {
            return Err(CarrierError::Local(why));
        }
        let code = self
            .previous(id)
            .and_then(|o| o.field("salesCode").map(str::to_owned))
            .or_else(|| self.client.sales_codes.first().cloned())
            .ok_or_else(|| CarrierError::Local(format!("no sales code known for PX order {id}")))?;
        let (order, raw) = self.client.detail(&code, id).await?;
        let fresh = Fresh {
            order,
            raws: vec![(ORDER_DETAIL, raw)],
        };
        let order = self.build(&fresh, (self.clock)(), None);
        self.known
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(order.key.id.clone(), order.clone());
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
            last: NaiveDate::from_ymd_opt(2026, 2, 28),
            o: BTreeMap::new(),
        };
        c.o.insert(
            "U1".into(),
            Seen {
                s: "COMPLETED".into(),
                d: true,
            },
        );
        let again = Cursor::parse(Some(&c.encode()));
        assert_eq!(again.last, c.last);
        assert!(again.o.get("U1").is_some_and(finished));
        assert!(Cursor::parse(Some("nonsense")).o.is_empty());
        assert!(!finished(&Seen {
            s: "COMPLETED".into(),
            d: false
        }));
        assert!(finished(&Seen {
            s: "DECLINED".into(),
            d: false
        }));
        assert!(!finished(&Seen {
            s: "OPEN".into(),
            d: false
        }));
    }
}
