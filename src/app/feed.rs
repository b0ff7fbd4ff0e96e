//! What the carriers bring: fetcher reports (orders, progress, failures,
//! each carrier's health chip), re-read orders and on-demand customer
//! details, full orders read from the store. Orders of carriers the console
//! does not know are ignored; a re-read that lacks the customer details
//! already loaded keeps them. A failed poll's chip names the failed markets
//! of a carrier with markets. Pure:
//! the requests go out as effects.

use chrono::Duration;

use super::full::FullState;
use super::msg::Effect;
use super::state::{CustomerLoad, Focus, Level, State, SyncPhase, Tab};
use crate::carriers::{CarrierError, SyncEvent};
use crate::domain::{Order, OrderKey, OrderSummary};

impl State {
    /// Same as `Msg::Sync(SyncEvent::Orders)`: each order's summary goes
    /// to the table, the full order to the few held (see `full`).
    pub fn upsert_orders(&mut self, orders: Vec<Order>) {
        let mut summaries = Vec::with_capacity(orders.len());
        for order in orders {
            if self.carrier(&order.key.carrier).is_none() {
                continue;
            }
            summaries.push(OrderSummary::of(&order));
            let order = self.merge_loaded(order);
            self.full.put(order);
        }
        self.upsert_summaries(summaries);
    }

    /// Summaries into the table (orders of unknown carriers are ignored).
    pub(super) fn upsert_summaries(&mut self, summaries: Vec<OrderSummary>) {
        let summaries: Vec<OrderSummary> = summaries
            .into_iter()
            .filter(|o| self.carrier(&o.key.carrier).is_some())
            .collect();
        if summaries.is_empty() {
            return;
        }
        self.store.upsert(summaries);
        self.resync_cursor();
    }

    /// Keeps customer details already loaded when a re-read lacks them.
    fn merge_loaded(&self, mut order: Order) -> Order {
        if order.customer_loaded {
            return order;
        }
        if let Some(old) = self.full.get(&order.key)
            && old.customer_loaded
        {
            for (name, value) in &old.customer_fields {
                if !order.customer_fields.iter().any(|(n, _)| n == name) {
                    order.customer_fields.push((name.clone(), value.clone()));
                }
            }
            order.customer_loaded = true;
        }
        order
    }

    /// The store answered [`Effect::LoadOrder`]. An order it does not hold
    /// (or cannot read) is re-read from its carrier.
    pub(super) fn on_order_loaded(
        &mut self,
        key: OrderKey,
        result: Result<Option<Order>, String>,
        fx: &mut Vec<Effect>,
    ) {
        let fetch_error = self.store.by_key(&key).and_then(|s| s.fetch_error.clone());
        let result = result.map(|found| {
            found.map(|mut order| {
                // A fetch error seen since the order was stored.
                if fetch_error.is_some() {
                    order.fetch_error = fetch_error.as_deref().map(str::to_owned);
                }
                order
            })
        });
        self.full.loaded(&key, result);
        if matches!(self.full.state(&key), FullState::Failed(_))
            && self.carrier(&key.carrier).is_some()
        {
            fx.push(Effect::ReloadOrder(key));
        }
    }

    pub(super) fn maybe_load_customer(&mut self, fx: &mut Vec<Effect>) {
        if self.focus != Focus::Detail || self.detail.tab != Tab::Customer {
            return;
        }
        let Some(order) = self.selected_order() else {
            return;
        };
        if order.customer_loaded || self.customer.get(&order.key) == Some(&CustomerLoad::Requested)
        {
            return;
        }
        let order = Box::new(order.clone());
        self.customer
            .insert(order.key.clone(), CustomerLoad::Requested);
        fx.push(Effect::LoadCustomer(order));
    }

    /// On-demand customer details arrived (or failed).
    pub(super) fn on_customer_loaded(
        &mut self,
        key: OrderKey,
        result: Result<Order, CarrierError>,
    ) {
        match result {
            Ok(mut order) => {
                self.customer.remove(&key);
                order.customer_loaded = true;
                self.upsert_orders(vec![order]);
            }
            Err(error) => {
                self.customer
                    .insert(key.clone(), CustomerLoad::Failed(error.to_string()));
                self.say(
                    Level::Warning,
                    format!("{key}: customer details failed: {error}"),
                );
            }
        }
    }

    /// An order re-read on request (or after a write resolved in the
    /// background).
    pub(super) fn on_order_reloaded(&mut self, key: OrderKey, result: Result<Order, CarrierError>) {
        match result {
            Ok(order) => self.upsert_orders(vec![order]),
            Err(error) => {
                let text = format!("re-read failed: {error}");
                self.full.fail(&key, &text);
                self.say(Level::Warning, format!("{key}: {text}"));
            }
        }
    }

    pub(super) fn on_sync(&mut self, event: SyncEvent) {
        let now = self.now;
        match event {
            SyncEvent::Started { carrier } => {
                if let Some(c) = self.carrier_mut(&carrier) {
                    c.chip.phase = SyncPhase::Syncing { done: 0, total: 0 };
                    c.chip.failed = 0;
                    c.chip.unknown_failed = 0;
                }
            }
            SyncEvent::Progress {
                carrier,
                done,
                total,
            } => {
                if let Some(c) = self.carrier_mut(&carrier) {
                    c.chip.phase = SyncPhase::Syncing { done, total };
                }
            }
            SyncEvent::Orders { carrier, orders } => {
                if self.carrier(&carrier).is_some() {
                    let orders = orders
                        .into_iter()
                        .filter(|o| o.key.carrier == carrier)
                        .collect();
                    self.upsert_orders(orders);
                }
            }
            SyncEvent::OrderFailed { key, error } => {
                let text = error.to_string();
                self.full
                    .modify(&key, |o| o.fetch_error = Some(text.clone()));
                let known = self.store.modify(&key, |o| {
                    o.fetch_error = Some(text.into());
                });
                if known {
                    self.resync_cursor();
                }
                if let Some(c) = self.carrier_mut(&key.carrier) {
                    if known {
                        c.chip.failed += 1;
                    } else {
                        c.chip.unknown_failed += 1;
                    }
                }
            }
            SyncEvent::Finished {
                carrier,
                result,
                next_poll,
            } => {
                let mut report = None;
                if let Some(c) = self.carrier_mut(&carrier) {
                    c.chip.next_poll = next_poll;
                    c.chip.cached = false;
                    match result {
                        Ok(summary) => {
                            c.chip.last_ok = Some(now);
                            c.chip.failed = summary.failed.max(c.chip.failed);
                            match summary.warning {
                                // Kept what it read, but the carrier is not
                                // right: the chip says so.
                                Some(warning) => {
                                    if c.chip.last_error.as_deref() != Some(&warning) {
                                        report = Some(format!("{carrier}: {warning}"));
                                    }
                                    c.chip.phase = SyncPhase::Error(
                                        warning
                                            .split([':', '('])
                                            .next()
                                            .unwrap_or("")
                                            .trim()
                                            .to_owned(),
                                    );
                                    c.chip.last_error = Some(warning);
                                }
                                None => c.chip.phase = SyncPhase::Ok,
                            }
                        }
                        Err(error) => {
                            if !matches!(c.chip.phase, SyncPhase::Error(_)) {
                                report = Some(if error.reached() {
                                    format!("{carrier}: sync failed: {error}")
                                } else {
                                    format!(
                                        "{carrier}: sync failed: could not reach the carrier ({error})"
                                    )
                                });
                            }
                            c.chip.phase = SyncPhase::Error(short_reason(&error));
                            c.chip.last_error = Some(error.to_string());
                            if let Some(wait) = error.retry_after() {
                                c.chip.waiting_until =
                                    Some(now + Duration::from_std(wait).unwrap_or_default());
                            }
                        }
                    }
                }
                if let Some(text) = report {
                    self.say(Level::Warning, text);
                }
            }
            // For the store; the runtime keeps cursors.
            SyncEvent::Cursor { .. } => {}
            SyncEvent::Held { carrier, until } => {
                if let Some(c) = self.carrier_mut(&carrier) {
                    c.chip.next_poll = Some(until);
                }
            }
            SyncEvent::Waiting { carrier, until } => {
                if let Some(c) = self.carrier_mut(&carrier) {
                    c.chip.waiting_until = Some(until);
                }
            }
        }
    }
}

/// A few words for a header chip; an error made of `market XX: why` parts
/// (a carrier with markets, e.g. LLA) names the markets first.
fn short_reason(error: &CarrierError) -> String {
    let reason = kind_reason(error);
    let message = match error {
        CarrierError::Unavailable { message, .. } | CarrierError::Auth { message, .. } => message,
        _ => return reason,
    };
    match failed_markets(message) {
        Some(markets) => format!("{markets} {reason}"),
        None => reason,
    }
}

/// `market JM` / `markets JM, PA` when every `; ` part of `message` starts
/// with `market XX:`.
fn failed_markets(message: &str) -> Option<String> {
    let markets = message
        .split("; ")
        .map(|part| {
            let rest = part.strip_prefix("market ")?;
            let (name, _) = rest.split_once(':')?;
            let ok = !name.is_empty()
                && name.len() <= 8
                && name.chars().all(|c| c.is_ascii_alphanumeric());
            ok.then_some(name)
        })
        .collect::<Option<Vec<_>>>()?;
    match markets.as_slice() {
        [] => None,
        [one] => Some(format!("market {one}")),
        many => Some(format!("markets {}", many.join(", "))),
    }
}

/// The error's kind in a few words.
fn kind_reason(error: &CarrierError) -> String {
    match error {
        CarrierError::Auth { .. } => "auth failed".into(),
        CarrierError::RateLimited { .. } => "rate limited".into(),
        CarrierError::Unavailable { code, .. } => {
            let word = if error.reached() {
                "unavailable"
            } else {
                "unreachable"
            };
            match code {
                Some(code) => format!("{word} {code}"),
                None => word.into(),
            }
        }
        CarrierError::Timeout(_) => "timeout".into(),
        CarrierError::Rejected { code, .. } => format!("refused {code}"),
        CarrierError::NotFound(_) => "not found".into(),
        CarrierError::Protocol { .. } => "bad response".into(),
        CarrierError::Local(m) => m.chars().take(24).collect(),
    }
}
