//! The LLA simulator's mutable state: the orders of every market (in list
//! order), the pay links saved, the correlation ids seen per API, the
//! request counters and the fault dice. Holds document 004's validation of
//! a PayLink body. Nothing here encodes an answer or does I/O.

use std::collections::HashMap;

use serde_json::Value;

use super::data::SimOrder;
use crate::sim::faults::{FaultDice, Faults};

/// Which endpoint a request was for (for the counters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PathKind {
    List,
    Detail,
    PayLink,
    Other,
}

/// A pay link the simulator saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedPayLink {
    pub market: String,
    pub id: String,
    /// `payment[0].id`.
    pub link: String,
    /// `payment[0].name` as sent (`PayLink` or `Paylink`).
    pub name: String,
    pub correlation_id: String,
}

#[derive(Debug)]
pub struct SimState {
    pub orders: Vec<SimOrder>,
    pub paylinks: Vec<SavedPayLink>,
    /// `correlationId`s of Hybris requests, in arrival order.
    pub hybris_correlation: Vec<String>,
    /// `X-Correlation-ID`s of b2bsoft requests, in arrival order.
    pub b2bsoft_correlation: Vec<String>,
    pub counts: HashMap<PathKind, usize>,
    pub dice: FaultDice,
    /// `X-Total-Count` sent instead of the truth (a lying server).
    pub total_lie: Option<usize>,
    /// Answer every page as if `offset` were 0 (a server that ignores it).
    pub ignore_offset: bool,
}

impl SimState {
    pub fn new(orders: Vec<SimOrder>, faults: Faults, seed: u64) -> SimState {
        SimState {
            orders,
            paylinks: Vec::new(),
            hybris_correlation: Vec::new(),
            b2bsoft_correlation: Vec::new(),
            counts: HashMap::new(),
            dice: FaultDice::new(faults, seed ^ 0x622),
            total_lie: None,
            ignore_offset: false,
        }
    }

    pub fn count(&mut self, kind: PathKind) {
        *self.counts.entry(kind).or_default() += 1;
    }

    pub fn find(&self, market: &str, id: &str) -> Option<&SimOrder> {
        self.orders
            .iter()
            .find(|o| o.market == market && o.id == id)
    }

    /// The orders of `market` whose state matches `state` (any case; none
    /// = all).
    pub fn listed(&self, market: &str, state: Option<&str>) -> Vec<&SimOrder> {
        self.orders
            .iter()
            .filter(|o| o.market == market)
            .filter(|o| match state {
                None => true,
                Some(s) => o.body["state"]
                    .as_str()
                    .is_some_and(|t| t.eq_ignore_ascii_case(s)),
            })
            .collect()
    }

    /// Adds an order, or replaces the one of the same market and id.
    pub fn insert(&mut self, order: SimOrder) {
        match self
            .orders
            .iter_mut()
            .find(|o| o.market == order.market && o.id == order.id)
        {
            Some(slot) => *slot = order,
            None => self.orders.push(order),
        }
    }
}

/// Document 004's rules for a PayLink body: the link and its name, or why
/// the body is refused.
pub fn check_paylink(body: &Value) -> Result<(String, String), String> {
    let obj = body.as_object().ok_or("the body is not a JSON object")?;
    let channels = obj
        .get("channel")
        .and_then(Value::as_array)
        .filter(|c| !c.is_empty())
        .ok_or("payload.channel is required")?;
    for c in channels {
        if !c.get("id").is_some_and(Value::is_string)
            || !c.get("name").is_some_and(Value::is_string)
        {
            return Err("payload.channel.id and payload.channel.name are required".into());
        }
    }
    if let Some(b) = obj.get("billingAccount") {
        if !b.is_object() {
            return Err("payload.billingAccount is not an object".into());
        }
    }
    if let Some(e) = obj.get("externalId") {
        if !e.is_string() {
            return Err("payload.externalId is not a string".into());
        }
    }
    let items = obj
        .get("productOrderItem")
        .and_then(Value::as_array)
        .filter(|i| !i.is_empty())
        .ok_or("payload.productOrderItem is required")?;
    let mut found = None;
    for item in items {
        if !item.get("id").is_some_and(Value::is_string) {
            return Err("payload.productOrderItem.id is required".into());
        }
        if item.get("action").and_then(Value::as_str) != Some("add") {
            return Err("payload.productOrderItem.action must be add".into());
        }
        let payments = item
            .get("payment")
            .and_then(Value::as_array)
            .filter(|p| !p.is_empty())
            .ok_or("payload.productOrderItem.payment is required")?;
        for p in payments {
            let link = p
                .get("id")
                .and_then(Value::as_str)
                .filter(|l| !l.trim().is_empty())
                .ok_or("payload.productOrderItem.payment.id is required")?;
            let name = p.get("name").and_then(Value::as_str).unwrap_or("");
            if name != "PayLink" && name != "Paylink" {
                return Err("payload.productOrderItem.payment.name must be PayLink".into());
            }
            found.get_or_insert((link.to_owned(), name.to_owned()));
        }
    }
    found.ok_or_else(|| "no payment link".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn document_004s_body_passes_and_broken_ones_do_not() {
        let good = json!({"externalId": "00163913", "channel": [{"id": "sourceSystem", "name": "B2BSoft"}],
            "billingAccount": {"id": "1234567-123445", "name": "billingAccountNumber"},
            "productOrderItem": [{"id": "", "action": "add", "payment": [{"id": "https://x", "name": "Paylink"}]}]});
        assert_eq!(
            check_paylink(&good),
            Ok(("https://x".into(), "Paylink".into()))
        );
        for (path, value) in [
            ("/channel", json!([])),
            ("/productOrderItem/0/action", json!("delete")),
            ("/productOrderItem/0/payment/0/name", json!("Link")),
            ("/productOrderItem/0/payment/0/id", json!("")),
        ] {
            let mut bad = good.clone();
            *bad.pointer_mut(path).unwrap() = value;
            assert!(check_paylink(&bad).is_err(), "{path}");
        }
    }
}
