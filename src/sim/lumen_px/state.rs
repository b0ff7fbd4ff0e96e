//! The PX simulator's mutable state: the orders (each with its status
//! timeline, so orders move through statuses as the clock runs), the
//! tokens issued, the request counters, the detail calls per order, the
//! TxId counter and the fault dice. Holds the document's validation of the
//! three calls, answering with its error codes. Nothing here encodes JSON
//! or does I/O.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use super::PathKind;
use crate::carriers::lumen_px::normalize::status_def;
use crate::carriers::lumen_px::window::{MAX_DAYS, parse_us_date};
use crate::sim::faults::{FaultDice, Faults};

/// How long a terminal order stays in `pxOpenOrders` (the document's 7
/// calendar days).
pub const TERMINAL_VISIBLE_DAYS: i64 = 7;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimPxAddress {
    pub line1: String,
    pub city: String,
    pub state: String,
    pub zip: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimProduct {
    pub code: String,
    pub description: String,
}

/// One PX order as the simulator keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimPxOrder {
    pub partner_order_id: String,
    pub order_number: String,
    /// `API`, `UI` or `Phone`.
    pub source: String,
    pub sales_code: String,
    pub order_date: DateTime<Utc>,
    pub account_number: String,
    pub telephone_number: String,
    pub customer_name: String,
    pub address: SimPxAddress,
    pub products: Vec<SimProduct>,
    /// Status timeline, oldest first; the first entry is at `order_date`.
    pub history: Vec<(DateTime<Utc>, String)>,
}

impl SimPxOrder {
    /// The status and its date at `t` (the first entry before it starts).
    pub fn status_at(&self, t: DateTime<Utc>) -> (&str, DateTime<Utc>) {
        let mut current = self.history.first();
        for entry in &self.history {
            if entry.0 <= t {
                current = Some(entry);
            }
        }
        match current {
            Some((at, s)) => (s.as_str(), *at),
            None => ("RECEIVED", self.order_date),
        }
    }

    /// Whether `pxOpenOrders` lists it at `now`: active, or terminal for
    /// less than 7 days.
    pub fn open_at(&self, now: DateTime<Utc>) -> bool {
        if self.order_date > now {
            return false;
        }
        let (status, at) = self.status_at(now);
        let terminal = status_def(status).is_some_and(|d| d.terminal);
        !terminal || now - at < Duration::days(TERMINAL_VISIBLE_DAYS)
    }
}

/// A refused call: the document's code.
pub type Refused = &'static str;

/// A validated `pxNewOrders` request.
pub struct NewOrdersQuery {
    pub sales_code: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub sources: Vec<String>,
}

pub(super) struct SimState {
    pub(super) orders: Vec<SimPxOrder>,
    pub(super) tokens: HashMap<String, Instant>,
    token_rng: StdRng,
    pub(super) dice: FaultDice,
    pub(super) counts: HashMap<PathKind, usize>,
    pub(super) details: HashMap<String, usize>,
    /// Orders the detail service does not find (2265) though the lists
    /// show them.
    pub(super) detail_missing: HashSet<String>,
    tx: u64,
}

fn text(body: &Value, key: &str) -> Option<String> {
    match body.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl SimState {
    pub(super) fn new(orders: Vec<SimPxOrder>, faults: Faults, seed: u64) -> Self {
        SimState {
            orders,
            tokens: HashMap::new(),
            token_rng: StdRng::seed_from_u64(seed ^ 0x5058),
            dice: FaultDice::new(faults, seed),
            counts: HashMap::new(),
            details: HashMap::new(),
            detail_missing: HashSet::new(),
            tx: 0,
        }
    }

    pub(super) fn count(&mut self, kind: PathKind) {
        *self.counts.entry(kind).or_default() += 1;
    }

    pub(super) fn issue_token(&mut self, until: Instant) -> String {
        let token: String = (0..28)
            .map(|_| {
                let n = self.token_rng.random_range(0..36u32);
                char::from_digit(n, 36).unwrap_or('x')
            })
            .collect();
        self.tokens.insert(token.clone(), until);
        token
    }

    /// The next `TxId<...>` value.
    pub(super) fn tx_id(&mut self) -> String {
        self.tx += 1;
        format!("px-{:08x}", self.tx)
    }

    pub(super) fn insert(&mut self, order: SimPxOrder) {
        match self
            .orders
            .iter_mut()
            .find(|o| o.partner_order_id == order.partner_order_id)
        {
            Some(o) => *o = order,
            None => self.orders.push(order),
        }
    }

    fn partner_ok(body: &Value, partner: &str) -> bool {
        text(body, "partnerId").as_deref() == Some(partner)
    }

    /// The document's checks of `pxNewOrders`, in its table's order.
    pub(super) fn new_orders_query(
        body: &Value,
        partner: &str,
        codes: &[String],
    ) -> Result<NewOrdersQuery, Refused> {
        let sales_code = match body.get("salesCode") {
            None | Some(Value::Null) => None,
            Some(_) => match text(body, "salesCode") {
                Some(c) if codes.contains(&c) => Some(c),
                _ => return Err("2000"),
            },
        };
        if !Self::partner_ok(body, partner) {
            return Err("2030");
        }
        let date = |k: &str| text(body, k).and_then(|d| parse_us_date(&d));
        let (Some(from), Some(to)) = (date("fromDate"), date("toDate")) else {
            return Err("2080");
        };
        if to <= from {
            return Err("2080");
        }
        if (to - from).num_days() > MAX_DAYS as i64 {
            return Err("2090");
        }
        let sources = match body.get("orderStatusSourceSystem") {
            Some(Value::Array(items)) if !items.is_empty() => items
                .iter()
                .map(|v| match v.as_str().map(str::trim) {
                    Some(s @ ("API" | "UI" | "Phone")) => Ok(s.to_owned()),
                    _ => Err("2295"),
                })
                .collect::<Result<Vec<_>, _>>()?,
            _ => return Err("2295"),
        };
        Ok(NewOrdersQuery {
            sales_code,
            from,
            to,
            sources,
        })
    }

    /// The document's checks of `pxOpenOrders`.
    pub(super) fn open_orders_query(
        body: &Value,
        partner: &str,
        codes: &[String],
    ) -> Result<Option<String>, Refused> {
        if !Self::partner_ok(body, partner) {
            return Err("2245");
        }
        match body.get("salesCode") {
            None | Some(Value::Null) => Ok(None),
            Some(_) => match text(body, "salesCode") {
                Some(c) if codes.contains(&c) => Ok(Some(c)),
                _ => Err("2250"),
            },
        }
    }

    /// The document's checks of `pxOrderDetail`; the index of the order.
    pub(super) fn detail_index(&self, body: &Value, codes: &[String]) -> Result<usize, Refused> {
        let code = text(body, "salesCode");
        let id = text(body, "partnerOrderId");
        let number = text(body, "orderNumber");
        if code.is_none() && id.is_none() && number.is_none() {
            return Err("2285");
        }
        let Some(code) = code.filter(|c| codes.contains(c)) else {
            return Err("2260");
        };
        if id.is_none() && number.is_none() {
            if body.get("partnerOrderId").is_some() {
                return Err("2255");
            }
            return Err("2285");
        }
        self.orders
            .iter()
            .position(|o| {
                !self.detail_missing.contains(&o.partner_order_id)
                    && o.sales_code == code
                    && (id.as_deref() == Some(o.partner_order_id.as_str())
                        || number.as_deref() == Some(o.order_number.as_str()))
            })
            .ok_or("2265")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_orders_checks_follow_the_table() {
        let codes = vec!["SC1".to_owned()];
        let ok = serde_json::json!({"partnerId":"P","fromDate":"10/10/2020","toDate":"10/17/2020","orderStatusSourceSystem":["Phone"]});
        assert!(SimState::new_orders_query(&ok, "P", &codes).is_ok());
        let with = |k: &str, v: Value| {
            let mut b = ok.clone();
            b[k] = v;
            SimState::new_orders_query(&b, "P", &codes).err()
        };
        assert_eq!(with("partnerId", "Q".into()), Some("2030"));
        assert_eq!(with("salesCode", "X".into()), Some("2000"));
        assert_eq!(with("toDate", "10/18/2020".into()), Some("2090"));
        assert_eq!(with("toDate", "2020-10-17".into()), Some("2080"));
        assert_eq!(with("toDate", "10/10/2020".into()), Some("2080"));
        assert_eq!(
            with("orderStatusSourceSystem", serde_json::json!([])),
            Some("2295")
        );
        assert_eq!(
            with("orderStatusSourceSystem", serde_json::json!(["Fax"])),
            Some("2295")
        );
    }
}
