//! Clock-based attention in the order store: which orders are late (a
//! carrier's service level overrun, an overdue delivery date; the rules are
//! `domain::sla`'s) at the store's clock. The clock moves when the console
//! asks ([`OrderStore::check_late`], on its tick); an order stored or
//! replaced in between is judged at the last clock, so it keeps its mark.
//! A late order counts as needing attention, like a flagged one.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::OrderStore;
use crate::domain::sla::{Clocked, ServiceLevels};
use crate::domain::{Attention, OrderKey, OrderSummary};

/// The service levels of every carrier, and the time they are judged at.
#[derive(Debug, Default)]
pub(super) struct Lateness {
    /// Per carrier; a carrier not listed has the default levels.
    levels: HashMap<Arc<str>, ServiceLevels>,
    fallback: ServiceLevels,
    /// `None` until the console first sets the clock: nothing is late.
    clock: Option<DateTime<Utc>>,
}

impl Lateness {
    fn levels(&self, carrier: &str) -> &ServiceLevels {
        self.levels.get(carrier).unwrap_or(&self.fallback)
    }

    /// Whether `order` is late at the clock.
    pub(super) fn judge(&self, order: &OrderSummary) -> bool {
        self.clock.is_some_and(|now| {
            self.levels(&order.key.carrier)
                .is_late(&Clocked::of(order), now)
        })
    }
}

impl OrderStore {
    /// Sets each carrier's service levels (carriers not listed keep the
    /// defaults) and judges every order again.
    pub fn set_service_levels(&mut self, levels: HashMap<Arc<str>, ServiceLevels>) {
        self.late.levels = levels;
        if let Some(now) = self.late.clock {
            self.check_late(now);
        }
    }

    /// Moves the clock to `now` and judges every order again; returns the
    /// keys of the orders that became late. One pass over the summaries
    /// (about a millisecond for 100k); the view is filtered again only
    /// when a mark changed.
    pub fn check_late(&mut self, now: DateTime<Utc>) -> Vec<OrderKey> {
        self.late.clock = Some(now);
        let changed: Vec<u32> = (0..self.orders.len())
            .filter(|&i| self.late.judge(&self.orders[i]) != self.hot[i].late)
            .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
            .collect();
        let mut became_late = Vec::new();
        for &i in &changed {
            self.count(i, -1);
            let hot = &mut self.hot[i as usize];
            hot.late = !hot.late;
            if hot.late {
                became_late.push(self.orders[i as usize].key.clone());
            }
            self.count(i, 1);
        }
        if !changed.is_empty() {
            self.refilter_all();
        }
        became_late
    }

    /// Whether the order is late at the store's clock (the table's `!`).
    pub fn is_late(&self, key: &OrderKey) -> bool {
        self.index_of(key)
            .is_some_and(|i| self.hot[i as usize].late)
    }

    /// The clock-based reasons of one order at the store's clock, for the
    /// detail (`summary` may be a full order's summary).
    pub fn late_reasons(&self, clocked: &Clocked, carrier: &str) -> Vec<Attention> {
        match self.late.clock {
            Some(now) => self.late.levels(carrier).reasons(clocked, now),
            None => Vec::new(),
        }
    }
}
