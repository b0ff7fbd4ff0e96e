//! The Voice simulator's mutable state: the orders (newest first, with an
//! index by id), the tokens issued and when they expire, the request
//! counters, the writes applied, and the fault dice. Holds the rules that
//! change an order (cancel, supplement), checked with the adapter's own
//! `rules` so both answer every rule with the same code. Nothing here
//! encodes JSON or does I/O.

use std::collections::HashMap;
use std::time::Instant;

use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{AppliedWrite, PathKind};
use crate::carriers::lumen_voice::{codes, rules};
use crate::sim::faults::{FaultDice, Faults};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimSubscriber {
    pub customer_type_indicator: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub business_name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimAddress {
    pub street_number: Option<String>,
    pub street_name: Option<String>,
    pub street_suffix: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip_code: Option<String>,
    pub secondary_location: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimNotification {
    pub code: String,
    pub message: String,
    pub created: DateTime<Utc>,
    pub rate_center: Option<String>,
    pub state: Option<String>,
}

/// One voice order as the simulator keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimOrder {
    pub voice_order_id: String,
    pub external_order_id: Option<String>,
    pub order_type: String,
    pub product_id: u32,
    pub status: String,
    pub created: DateTime<Utc>,
    pub customer_request_date: Option<DateTime<Utc>>,
    pub foc_date: Option<DateTime<Utc>>,
    pub tn_list: Vec<String>,
    pub rate_center: String,
    pub state: String,
    pub subscriber: SimSubscriber,
    pub address: SimAddress,
    pub notifications: Vec<SimNotification>,
}

impl SimOrder {
    /// A fixed, valid order for tests to insert (a residential customer in
    /// Denver, in progress, created three days before `now`, due ten days
    /// after, with Lumen's "submitted" notification); tests change what
    /// they need with struct update syntax.
    pub fn sample(id: &str, order_type: &str, now: DateTime<Utc>) -> SimOrder {
        SimOrder {
            voice_order_id: id.into(),
            external_order_id: Some(format!("PO-{id}")),
            order_type: order_type.into(),
            product_id: 2036,
            status: "in progress".into(),
            created: now - chrono::Duration::days(3),
            customer_request_date: Some(now + chrono::Duration::days(10)),
            foc_date: None,
            tn_list: vec!["3035551234".into()],
            rate_center: "DENVER".into(),
            state: "CO".into(),
            subscriber: SimSubscriber {
                customer_type_indicator: Some("R".into()),
                first_name: Some("Maria".into()),
                last_name: Some("Garcia".into()),
                business_name: None,
            },
            address: SimAddress {
                street_number: Some("1801".into()),
                street_name: Some("California".into()),
                street_suffix: Some("ST".into()),
                city: Some("Denver".into()),
                state: Some("CO".into()),
                zip_code: Some("80202".into()),
                secondary_location: None,
            },
            notifications: vec![SimNotification {
                code: "901".into(),
                message: "Order successfully submitted. Please refer to Voice Order ID for reference number.".into(),
                created: now - chrono::Duration::days(3),
                rate_center: None,
                state: None,
            }],
        }
    }
}

pub(super) struct SimState {
    /// Newest first.
    pub(super) orders: Vec<SimOrder>,
    pub(super) index: HashMap<String, usize>,
    /// Tokens issued, with when each expires.
    pub(super) tokens: HashMap<String, Instant>,
    /// Draws the tokens (the fault dice have their own RNG).
    token_rng: StdRng,
    pub(super) dice: FaultDice,
    pub(super) counts: HashMap<PathKind, usize>,
    /// Write requests received (cancel and supplement), whatever their
    /// outcome.
    pub(super) writes: usize,
    pub(super) applied: Vec<AppliedWrite>,
    /// A lying list: this `totalRecords`, and page 1 for every page asked.
    pub(super) lying_total: Option<u64>,
}

/// Why a write is refused: one code (answered with its table's status), or
/// the body rules' violations (400, all in one list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Refused {
    Code(&'static str),
    Violations(Vec<&'static str>),
}

impl SimState {
    /// These orders; tokens and fault dice seeded from `seed`.
    pub(super) fn new(orders: Vec<SimOrder>, faults: Faults, seed: u64) -> SimState {
        let mut state = SimState {
            orders,
            index: HashMap::new(),
            tokens: HashMap::new(),
            token_rng: StdRng::seed_from_u64(seed ^ 0x7043_4e00),
            dice: FaultDice::new(faults, seed ^ 0x5eed),
            counts: HashMap::new(),
            writes: 0,
            applied: Vec::new(),
            lying_total: None,
        };
        state.reindex();
        state
    }

    fn reindex(&mut self) {
        self.index = self
            .orders
            .iter()
            .enumerate()
            .map(|(i, o)| (o.voice_order_id.clone(), i))
            .collect();
    }

    pub(super) fn order(&self, id: &str) -> Option<&SimOrder> {
        self.index.get(id).map(|&i| &self.orders[i])
    }

    /// Adds an order, or replaces the one with the same id.
    pub(super) fn insert(&mut self, order: SimOrder) {
        match self.index.get(&order.voice_order_id) {
            Some(&i) => self.orders[i] = order,
            None => {
                self.orders.push(order);
                self.orders.sort_by(|a, b| {
                    b.created
                        .cmp(&a.created)
                        .then(b.voice_order_id.cmp(&a.voice_order_id))
                });
                self.reindex();
            }
        }
    }

    /// Counts a request for `kind`.
    pub(super) fn count(&mut self, kind: PathKind) {
        *self.counts.entry(kind).or_default() += 1;
        if matches!(kind, PathKind::Cancel | PathKind::Supplement) {
            self.writes += 1;
        }
    }

    /// A new token valid until `expires`.
    pub(super) fn issue_token(&mut self, expires: Instant) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let token: String = (0..28)
            .map(|_| ALPHABET[self.token_rng.random_range(0..ALPHABET.len())] as char)
            .collect();
        self.tokens.insert(token.clone(), expires);
        token
    }

    /// Cancels order `id` at `now`: status `cancelled` and a notification
    /// (10005 for a reservation with a backorder, 904 otherwise). `Ok` is
    /// the order's id as stored.
    pub(super) fn cancel(&mut self, id: &str, now: DateTime<Utc>) -> Result<String, Refused> {
        let Some(&i) = self.index.get(id.trim()) else {
            return Err(Refused::Code("20054"));
        };
        let order = &mut self.orders[i];
        rules::check_cancel(
            &order.status,
            &order.order_type,
            order.foc_date.map(|f| f.date_naive()),
            now.date_naive(),
        )
        .map_err(|v| Refused::Code(v.code))?;
        order.status = "cancelled".into();
        let backorder = order.notifications.iter().any(|n| n.code == "10001");
        let code = if order.order_type == "INVENTORY" && backorder {
            "10005"
        } else {
            "904"
        };
        order.notifications.push(notice(code, now));
        let voice_order_id = order.voice_order_id.clone();
        self.applied.push(AppliedWrite {
            voice_order_id: voice_order_id.clone(),
            kind: PathKind::Cancel,
            body: String::new(),
            at: now,
        });
        Ok(voice_order_id)
    }

    /// Supplements LNP order `id` with `body` at `now`: the groups sent
    /// replace the order's, `created` becomes `in progress`, a 904
    /// notification is added. `Ok` is the order's (id, status).
    pub(super) fn supplement(
        &mut self,
        id: &str,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<(String, String), Refused> {
        let Some(&i) = self.index.get(id.trim()) else {
            return Err(Refused::Code("20060"));
        };
        let order = &mut self.orders[i];
        rules::check_supplement_order(&order.status, &order.order_type)
            .map_err(|v| Refused::Code(v.code))?;
        let value: serde_json::Value = match serde_json::from_slice(body) {
            Ok(v @ serde_json::Value::Object(_)) => v,
            _ => return Err(Refused::Code("20048")),
        };
        let request = rules::SupplementBody::from_value(&value);
        let violations = rules::check_supplement(&request, now);
        if !violations.is_empty() {
            return Err(Refused::Violations(
                violations.iter().map(|v| v.code).collect(),
            ));
        }
        if let Some(date) = request
            .customer_request_date
            .as_deref()
            .and_then(rules::parse_request_date)
        {
            order.customer_request_date = Some(date);
        }
        if let Some(s) = request.subscriber {
            order.subscriber = SimSubscriber {
                customer_type_indicator: s.customer_type_indicator,
                first_name: s.first_name,
                last_name: s.last_name,
                business_name: s.business_name,
            };
        }
        if let Some(a) = request.service_address {
            order.address = SimAddress {
                street_number: a.street_number,
                street_name: a.street_name,
                street_suffix: a.street_suffix,
                city: a.city,
                state: a.state.map(|s| s.to_ascii_uppercase()),
                zip_code: a.zip_code,
                secondary_location: a.secondary_location,
            };
        }
        if order.status == "created" {
            order.status = "in progress".into();
        }
        order.notifications.push(notice("904", now));
        let answer = (order.voice_order_id.clone(), order.status.clone());
        self.applied.push(AppliedWrite {
            voice_order_id: answer.0.clone(),
            kind: PathKind::Supplement,
            body: String::from_utf8_lossy(body).into_owned(),
            at: now,
        });
        Ok(answer)
    }
}

/// A notification with the document's message for `code`.
fn notice(code: &str, now: DateTime<Utc>) -> SimNotification {
    SimNotification {
        code: code.into(),
        message: codes::notification_message(code).unwrap_or("").into(),
        created: now,
        rate_center: None,
        state: None,
    }
}
