//! [`OrderSummary`]: what the table, the filter and the attention view need
//! of an order, and nothing more. The console holds one per order (100k of
//! them fit in a few tens of megabytes); the full [`Order`] (fields,
//! customer data, items, the log) is read from the store when the detail
//! pane, a dialog or a write needs it. Pure data.

use chrono::{DateTime, Utc};

use super::order::{Order, OrderKey, Schedule, Status, attention_rule, schedule_text};

/// The field a kind sets to name the system an order was placed through
/// (`API`, `UI`, `Phone`, ...): the summary's [`OrderSummary::source`] and
/// the filter's `source:` token read it. Kinds that do not know leave it
/// out.
pub const SOURCE_FIELD: &str = "sourceSystem";

/// One order as the table shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderSummary {
    pub key: OrderKey,
    /// The carrier kind (`tjansteguiden`, `lumen-voice`, ...).
    pub kind: &'static str,
    pub status: Status,
    /// When the order was created, if the carrier's date parsed.
    pub created: Option<DateTime<Utc>>,
    /// The newest known change ([`Order::updated_at`]).
    pub updated: Option<DateTime<Utc>>,
    pub customer: Box<str>,
    pub service: Box<str>,
    pub schedule: Option<Schedule>,
    /// The order's source system ([`SOURCE_FIELD`]), when its kind names one.
    pub source: Option<Box<str>>,
    /// Whether details (beyond a list row) had been fetched.
    pub detail_loaded: bool,
    /// [`Order::needs_attention`] apart from a fetch error.
    attention: bool,
    /// The last error fetching this order's details, if the last try failed.
    pub fetch_error: Option<Box<str>>,
}

impl OrderSummary {
    /// The summary of `order`.
    pub fn of(order: &Order) -> OrderSummary {
        OrderSummary {
            key: order.key.clone(),
            kind: order.kind,
            status: order.status.clone(),
            created: order.created.at,
            updated: order.updated_at(),
            customer: order.customer.as_str().into(),
            service: order.service.as_str().into(),
            schedule: order.schedule.clone(),
            source: order
                .field(SOURCE_FIELD)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(Into::into),
            detail_loaded: order.detail_loaded,
            attention: order.needs_attention_apart_from_fetch(),
            fetch_error: order.fetch_error.as_deref().map(Into::into),
        }
    }

    /// A summary of `key` with nothing known but its status, for a store
    /// that keeps summaries of its own: `has_reason` is whether the order
    /// has an attention reason of its own (a warning, a carrier attention
    /// item, an error or alert log line), judged by the same rule as the
    /// full order's ([`attention_rule`]).
    pub fn new(key: OrderKey, kind: &'static str, status: Status, has_reason: bool) -> Self {
        OrderSummary {
            attention: attention_rule(status.stage, has_reason),
            key,
            kind,
            status,
            created: None,
            updated: None,
            customer: Box::default(),
            service: Box::default(),
            schedule: None,
            source: None,
            detail_loaded: false,
            fetch_error: None,
        }
    }

    /// A bare list row: its details (customer, service) not read yet. The
    /// table says "loading…" for its customer and the chip counts it.
    pub fn is_bare(&self) -> bool {
        !self.detail_loaded && self.customer.is_empty()
    }

    /// Whether the order shows up in the "needs attention" view (the same
    /// answer as the full order's [`Order::needs_attention`]).
    pub fn needs_attention(&self) -> bool {
        self.attention || self.fetch_error.is_some()
    }

    pub fn created_at(&self) -> Option<DateTime<Utc>> {
        self.created
    }

    pub fn updated_at(&self) -> Option<DateTime<Utc>> {
        self.updated
    }

    /// The schedule as display text ([`Order::schedule_text`]).
    pub fn schedule_text(&self) -> String {
        schedule_text(self.schedule.as_ref())
    }

    /// An order holding only what the summary knows (no fields, items or
    /// log), for code that takes orders: a carrier reader primed from the
    /// cache, a detail pane still waiting for the full order.
    pub fn to_order(&self) -> Order {
        let mut order = Order::new(self.key.clone(), self.kind, self.status.clone());
        order.created.at = self.created;
        order.updated = self.updated.map(super::Stamp::parsed);
        order.customer = self.customer.to_string();
        order.service = self.service.to_string();
        order.schedule = self.schedule.clone();
        if let Some(source) = &self.source {
            order.fields.push((SOURCE_FIELD.into(), source.to_string()));
        }
        order.fetch_error = self.fetch_error.as_deref().map(str::to_owned);
        order.detail_loaded = self.detail_loaded;
        order
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{LogEntry, LogKind, Stage, Stamp};
    use chrono::TimeZone;

    fn order(stage: Stage) -> Order {
        let mut o = Order::new(
            OrderKey::new("tg", "1"),
            "tjansteguiden",
            Status::new("x", stage, false),
        );
        o.created = Stamp::parsed(Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap());
        o.customer = "Anna".into();
        o.service = "Fiber 100".into();
        o
    }

    fn log(kind: LogKind, day: u32) -> LogEntry {
        LogEntry {
            at: Stamp::parsed(Utc.with_ymd_and_hms(2026, 2, day, 0, 0, 0).unwrap()),
            kind,
            source: "portal".into(),
            text: "t".into(),
        }
    }

    #[test]
    fn agrees_with_the_full_order() {
        let cases = [
            (Stage::New, vec![], None, vec![]),
            (Stage::InProgress, vec![log(LogKind::Log, 3)], None, vec![]),
            (
                Stage::InProgress,
                vec![log(LogKind::Error, 4)],
                None,
                vec![],
            ),
            (
                Stage::Closed,
                vec![log(LogKind::Alert, 5)],
                None,
                vec!["w".to_owned()],
            ),
            (Stage::Done, vec![], Some("timeout".to_owned()), vec![]),
            (Stage::New, vec![], None, vec!["outage".to_owned()]),
            (
                Stage::NeedsAttention,
                vec![log(LogKind::Log, 6)],
                Some("e".to_owned()),
                vec![],
            ),
        ];
        for (stage, entries, error, warnings) in cases {
            let mut o = order(stage);
            o.log = entries;
            o.fetch_error = error;
            o.warnings = warnings;
            let s = OrderSummary::of(&o);
            assert_eq!(s.needs_attention(), o.needs_attention(), "{o:?}");
            assert_eq!(s.updated_at(), o.updated_at());
            assert_eq!(s.created_at(), o.created_at());
            assert_eq!(s.schedule_text(), o.schedule_text());
            // Clearing the fetch error gives the answer of the order without one.
            let mut cleared = s.clone();
            cleared.fetch_error = None;
            o.fetch_error = None;
            assert_eq!(cleared.needs_attention(), o.needs_attention(), "{o:?}");
        }
    }

    #[test]
    fn to_order_keeps_what_the_table_shows() {
        let mut o = order(Stage::InProgress);
        o.log.push(log(LogKind::Log, 9));
        let back = OrderSummary::of(&o).to_order();
        assert_eq!(back.customer, "Anna");
        assert_eq!(back.updated_at(), o.updated_at());
        assert!(back.log.is_empty());
    }
}
