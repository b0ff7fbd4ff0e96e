//! Time-based attention and telling of it: the order store's clock is moved
//! on the tick (every [`LATE_CHECK_EVERY`]), so orders that overrun a service
//! level or pass their delivery date join the attention view
//! (`orders::late`, rules in `domain::sla`); and, when the config's
//! `notify` asks for it, one [`Effect::Notify`] per tick tells of the orders
//! that newly need attention, whether the clock or a carrier's change put
//! them there. The runtime turns it into a bell or a desktop notification.
//! Pure: the time comes with the tick.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::msg::Effect;
use super::state::State;
use crate::domain::OrderKey;
use crate::domain::sla::ServiceLevels;

/// How often lateness is judged again.
pub const LATE_CHECK_EVERY: Duration = Duration::seconds(30);

/// Keys named in one notification at most.
const NAMED: usize = 3;

#[derive(Debug, Default)]
pub(crate) struct Alerts {
    /// Whether orders that newly need attention are told.
    on: bool,
    /// When the store's clock was last moved.
    checked: Option<DateTime<Utc>>,
}

impl State {
    /// Each carrier's service levels (from its config's `sla`); carriers
    /// not listed keep the defaults (overdue delivery dates only).
    pub fn set_service_levels(&mut self, levels: HashMap<Arc<str>, ServiceLevels>) {
        self.store.set_service_levels(levels);
    }

    /// Tell (or not) of orders that newly need attention (`notify`).
    pub fn set_notify(&mut self, on: bool) {
        self.alerts.on = on;
        self.store.watch_arrivals(on);
    }

    /// On the tick: judge lateness again when it is due, then tell of what
    /// newly needs attention.
    pub(super) fn on_clock(&mut self, fx: &mut Vec<Effect>) {
        let due = self
            .alerts
            .checked
            .is_none_or(|at| self.now - at >= LATE_CHECK_EVERY);
        let mut fresh = Vec::new();
        if due {
            self.alerts.checked = Some(self.now);
            fresh = self.store.check_late(self.now);
            if !fresh.is_empty() {
                self.resync_cursor();
            }
        }
        if !self.alerts.on {
            return;
        }
        fresh.extend(self.store.take_arrivals());
        fresh.sort();
        fresh.dedup();
        if let Some(text) = notification(&fresh) {
            fx.push(Effect::Notify { text });
        }
    }
}

/// "2 orders newly need attention: tg/1, px/7".
fn notification(keys: &[OrderKey]) -> Option<String> {
    let first = keys.first()?;
    if keys.len() == 1 {
        return Some(format!("{first} newly needs attention"));
    }
    let named: Vec<String> = keys.iter().take(NAMED).map(ToString::to_string).collect();
    let more = if keys.len() > NAMED { ", …" } else { "" };
    Some(format!(
        "{} orders newly need attention: {}{more}",
        keys.len(),
        named.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_notification_names_a_few_orders_and_counts_the_rest() {
        assert_eq!(notification(&[]), None);
        let keys: Vec<OrderKey> = (1..=5)
            .map(|i| OrderKey::new("tg", i.to_string()))
            .collect();
        assert_eq!(
            notification(&keys[..1]).as_deref(),
            Some("tg/1 newly needs attention")
        );
        assert_eq!(
            notification(&keys).as_deref(),
            Some("5 orders newly need attention: tg/1, tg/2, tg/3, …")
        );
    }
}
