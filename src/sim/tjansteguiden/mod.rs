//! The Tjänsteguiden simulator: the document's one endpoint ([`PATH`]), GET
//! with `method`, `api_user`, `id`, `date`, `status`, `type`, `message`, and
//! XML shaped like the document's examples (same element names and order).
//! It keeps state (a `set_status` changes what `order_info` returns and logs
//! `Status changed to X for order N` as a `system` line; `add_message`
//! appends a log line of its type), rejects bad input, and has fault knobs.
//! It must stay faithful to the document: no invented methods or elements.
//!
//! Methods: `orders` (date >= `date`, oldest first), `order_info`,
//! `customer_info`, `customers` (customers of orders since `date`),
//! `set_status`, `add_message`.
//!
//! Errors (the document shows none; `carriers::tjansteguiden::wire` parses
//! exactly this): `<METHOD><response><message>TEXT</message></response>
//! <status>error</status></METHOD>` (root `error` when the method is
//! missing or unknown) with HTTP 400 for missing or invalid parameters and
//! unknown methods, 403 for an unknown `api_user`, 404 for an unknown order
//! or customer id, 500 and 503 for injected faults. Successful writes answer
//! like the documented `set_status` (`add_message` with the same envelope).
//!
//! Dates are written in Europe/Stockholm local time in the document's
//! formats: `orders` and logs `YYYY-MM-DD HH:MM:SS`, `order_info`'s
//! `date`/`delivery` `YYYY-MM-DD HH:MM`; `delivery` is `asap` for some.
//! Log lines written by actions are stamped `now` plus the real time since
//! the simulator started, so a fixed `now` stays near the data.
//!
//! Faults: `latency` (slept per request, concurrently), `error_rate` (HTTP
//! 500 with an error body), `unavailable_rate` (HTTP 503 `Service
//! unavailable` with an error body, no `Retry-After`), `drop_rate` (the
//! connection is dropped with no answer, see [`super::dropped_connection`]:
//! half of them before the request is acted on, half after a write was
//! applied), `malformed_rate` (a 200 whose XML is cut off), and per-order
//! faults ([`OrderFault`]) for tests. Order of the checks per request: the
//! 500, the 503 and the early drop answer before anything is applied; a
//! write is then applied (or refused), and the late drop or the truncation
//! spoils its answer. The fault dice use their own RNG, so the data does not
//! change with the knobs; [`TgSim::injected`] counts the faults served.

mod data;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use quick_xml::escape::partial_escape;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub use data::{CITYNETS, FIRST_CUSTOMER_ID, FIRST_ORDER_ID, PROVIDERS, SERVICES, STATUS_WORDS};
use data::{Customer, Delivery, LogLine, MESSAGE_TYPES, Slot, VALID_STATUSES};

/// The methods the portal offers.
const METHODS: [&str; 6] = [
    "orders",
    "order_info",
    "customer_info",
    "customers",
    "set_status",
    "add_message",
];

/// The endpoint's path, as in the document.
pub const PATH: &str = "/admin/edit/services/plain/orders";

/// The simulator's knobs.
#[derive(Debug, Clone)]
pub struct SimOptions {
    pub orders: usize,
    pub seed: u64,
    pub api_user: String,
    pub latency: Duration,
    /// Share of requests answered with HTTP 500 (0..1).
    pub error_rate: f64,
    /// Share of requests answered with truncated XML (0..1).
    pub malformed_rate: f64,
    /// Share of requests answered with HTTP 503 before acting (0..1).
    pub unavailable_rate: f64,
    /// Share of requests whose connection is dropped with no answer (0..1):
    /// half before acting, half after (a write is then applied).
    pub drop_rate: f64,
    /// Data ages are relative to this instant.
    pub now: DateTime<Utc>,
    /// A write (`set_status`, `add_message`) is applied at once but answered
    /// only after this pause: a client that dies meanwhile never learns
    /// that its write took effect (the crash tests use it).
    pub write_answer_delay: Duration,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            orders: 300,
            seed: 1,
            api_user: "1234".into(),
            latency: Duration::ZERO,
            error_rate: 0.0,
            malformed_rate: 0.0,
            unavailable_rate: 0.0,
            drop_rate: 0.0,
            now: Utc::now(),
            write_answer_delay: Duration::ZERO,
        }
    }
}

/// A fault injected for one order id (tests, demos).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderFault {
    /// HTTP 500 with an error body.
    ServerError,
    /// A 200 whose XML is cut off.
    Truncated,
    /// A 200 whose body has a byte that is not UTF-8.
    NotUtf8,
    /// HTTP 503 with an error body, before acting.
    Unavailable,
    /// The connection is dropped with no answer, before acting.
    DropBeforeApply,
    /// A write is applied, then the connection is dropped with no answer.
    DropAfterApply,
}

/// How many faults the simulator has served (each request counts once, for
/// the fault that decided its answer).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Injected {
    /// HTTP 500 answers.
    pub server_errors: usize,
    /// HTTP 503 answers.
    pub unavailable: usize,
    /// Connections dropped before acting.
    pub dropped_before: usize,
    /// Connections dropped after acting (after a write was applied or
    /// refused).
    pub dropped_after: usize,
    /// Answers cut off (or spoiled with a non-UTF-8 byte).
    pub truncated: usize,
}

/// The simulator: a cheap handle to shared state.
#[derive(Clone)]
pub struct TgSim {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for TgSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TgSim")
            .field("orders", &self.inner.slots.len())
            .field("seed", &self.inner.seed)
            .finish()
    }
}

struct Inner {
    seed: u64,
    api_user: String,
    now: DateTime<Utc>,
    started: Instant,
    tz: Tz,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    slots: Vec<Slot>,
    state: Mutex<SimState>,
    write_answer_delay: Duration,
}

struct SimState {
    /// Current status per order (index into STATUS_WORDS).
    status: Vec<u8>,
    /// Log lines added by actions, per order index.
    added: HashMap<usize, Vec<LogLine>>,
    requests: HashMap<String, usize>,
    /// The query of the last request per method, as received.
    last_query: HashMap<String, Vec<(String, String)>>,
    writes: usize,
    latency: Duration,
    error_rate: f64,
    malformed_rate: f64,
    unavailable_rate: f64,
    drop_rate: f64,
    dice: StdRng,
    injected: Injected,
    order_faults: HashMap<String, OrderFault>,
}

/// What one request's dice decided.
#[derive(Debug, Clone, Copy)]
struct Roll {
    latency: Duration,
    error: bool,
    unavailable: bool,
    drop: Option<DropPoint>,
    malformed: Option<f64>,
}

/// When a dropped connection happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DropPoint {
    BeforeApply,
    AfterApply,
}

impl TgSim {
    pub fn new(options: SimOptions) -> TgSim {
        let tz = chrono_tz::Europe::Stockholm;
        let slots = data::generate(options.orders, options.seed, options.now, tz);
        let status = slots.iter().map(|s| s.status).collect();
        TgSim {
            inner: Arc::new(Inner {
                seed: options.seed,
                api_user: options.api_user,
                now: options.now,
                started: Instant::now(),
                tz,
                in_flight: AtomicUsize::new(0),
                max_in_flight: AtomicUsize::new(0),
                write_answer_delay: options.write_answer_delay,
                slots,
                state: Mutex::new(SimState {
                    status,
                    added: HashMap::new(),
                    requests: HashMap::new(),
                    last_query: HashMap::new(),
                    writes: 0,
                    latency: options.latency,
                    error_rate: options.error_rate,
                    malformed_rate: options.malformed_rate,
                    unavailable_rate: options.unavailable_rate.clamp(0.0, 1.0),
                    drop_rate: options.drop_rate.clamp(0.0, 1.0),
                    injected: Injected::default(),
                    dice: StdRng::seed_from_u64(options.seed ^ 0xD1CE_D1CE),
                    order_faults: HashMap::new(),
                }),
            }),
        }
    }

    /// The axum router serving [`PATH`].
    pub fn router(&self) -> Router {
        Router::new()
            .route(PATH, get(handle))
            .with_state(self.clone())
    }

    /// Generates the data and serves it on `127.0.0.1:port` (0 = any port).
    pub async fn spawn(
        options: SimOptions,
        port: u16,
    ) -> std::io::Result<(TgSim, super::RunningSim)> {
        let sim = TgSim::new(options);
        let running = super::serve(sim.router(), port).await?;
        Ok((sim, running))
    }

    /// The endpoint URL for a server origin (`http://127.0.0.1:4000`).
    pub fn endpoint(origin: &str) -> String {
        format!("{}{PATH}", origin.trim_end_matches('/'))
    }

    /// A carrier config that talks to this simulator at `origin`: its
    /// `api_user`, and `since` far enough back for every generated order.
    pub fn carrier_config(&self, name: &str, origin: &str) -> crate::config::CarrierConfig {
        crate::config::CarrierConfig::new(
            name,
            crate::carriers::tjansteguiden::KIND,
            &TgSim::endpoint(origin),
        )
        .with_settings(crate::carriers::tjansteguiden::TgConfig {
            api_user: Some(self.inner.api_user.clone()),
            since: NaiveDate::from_ymd_opt(2000, 1, 1),
        })
    }

    /// Requests received with this `method` (valid or not, faults included).
    pub fn requests(&self, method: &str) -> usize {
        self.state().requests.get(method).copied().unwrap_or(0)
    }

    /// The query parameters of the last request received with this `method`
    /// (valid or not), in the order sent.
    pub fn last_query(&self, method: &str) -> Option<Vec<(String, String)>> {
        self.state().last_query.get(method).cloned()
    }

    /// One parameter of the last request with this `method` (first
    /// occurrence), e.g. `last_param("orders", "date")`.
    pub fn last_param(&self, method: &str, name: &str) -> Option<String> {
        let state = self.state();
        let query = state.last_query.get(method)?;
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    /// `set_status` and `add_message` requests received (valid or not).
    pub fn writes(&self) -> usize {
        self.state().writes
    }

    /// The current status of an order.
    pub fn status_of(&self, id: &str) -> Option<String> {
        let index = self.index(id)?;
        let status = self.state().status[index];
        Some(word(status).to_owned())
    }

    /// An order's whole log as (type, message); no type is `""`.
    pub fn log_of(&self, id: &str) -> Vec<(String, String)> {
        let Some(index) = self.index(id) else {
            return Vec::new();
        };
        self.full_log(index)
            .into_iter()
            .map(|l| (l.kind.unwrap_or_default(), l.message))
            .collect()
    }

    /// The most requests that were being answered at the same time (shows
    /// that a client's concurrency is bounded, and that latency does not
    /// serialize requests).
    pub fn max_in_flight(&self) -> usize {
        self.inner.max_in_flight.load(Ordering::Relaxed)
    }

    /// Changes the fault knobs at runtime.
    pub fn set_faults(&self, latency: Duration, error_rate: f64, malformed_rate: f64) {
        let mut state = self.state();
        state.latency = latency;
        state.error_rate = error_rate.clamp(0.0, 1.0);
        state.malformed_rate = malformed_rate.clamp(0.0, 1.0);
    }

    /// Changes the share of requests answered with HTTP 503 (0..1).
    pub fn set_unavailable_rate(&self, rate: f64) {
        self.state().unavailable_rate = rate.clamp(0.0, 1.0);
    }

    /// Changes the share of requests whose connection is dropped (0..1).
    pub fn set_drop_rate(&self, rate: f64) {
        self.state().drop_rate = rate.clamp(0.0, 1.0);
    }

    /// The faults served so far.
    pub fn injected(&self) -> Injected {
        self.state().injected
    }

    /// Makes every request about order `id` fail this way (`None` heals it).
    pub fn set_order_fault(&self, id: &str, fault: Option<OrderFault>) {
        let mut state = self.state();
        match fault {
            Some(f) => state.order_faults.insert(id.to_owned(), f),
            None => state.order_faults.remove(id),
        };
    }

    /// Number of orders.
    pub fn len(&self) -> usize {
        self.inner.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.inner.slots.is_empty()
    }

    /// All order ids, oldest first.
    pub fn order_ids(&self) -> Vec<String> {
        (0..self.len()).map(|i| id_of(i).to_string()).collect()
    }

    /// The API user the simulator accepts.
    pub fn api_user(&self) -> &str {
        &self.inner.api_user
    }

    /// The `order_info` body for an order, as served (benchmarks, tests).
    pub fn order_info_xml(&self, id: &str) -> Option<String> {
        self.index(id).map(|i| self.render_order_info(i))
    }

    /// The `customer_info` body for a customer id, as served.
    pub fn customer_info_xml(&self, customer_id: &str) -> Option<String> {
        let cid = customer_id.trim().parse::<u64>().ok()?;
        self.customer_exists(cid)
            .then(|| self.render_customer_info(&data::customer(self.inner.seed, cid)))
    }

    fn state(&self) -> MutexGuard<'_, SimState> {
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn index(&self, id: &str) -> Option<usize> {
        let id = id.trim().parse::<u64>().ok()?;
        let index = usize::try_from(id.checked_sub(FIRST_ORDER_ID)?).ok()?;
        (index < self.inner.slots.len()).then_some(index)
    }

    fn customer_exists(&self, cid: u64) -> bool {
        // Customer ids are handed out in order, so the largest is the last
        // new customer's.
        let max = self.inner.slots.iter().rev().find(|s| !s.existing_customer);
        cid >= FIRST_CUSTOMER_ID && max.is_some_and(|s| cid <= s.customer)
    }

    fn now_local(&self) -> NaiveDateTime {
        let elapsed = chrono::Duration::from_std(self.inner.started.elapsed()).unwrap_or_default();
        (self.inner.now + elapsed)
            .with_timezone(&self.inner.tz)
            .naive_local()
    }

    fn data_now_local(&self) -> NaiveDateTime {
        self.inner.now.with_timezone(&self.inner.tz).naive_local()
    }

    fn full_log(&self, index: usize) -> Vec<LogLine> {
        let slot = &self.inner.slots[index];
        let customer = data::customer(self.inner.seed, slot.customer);
        let mut log = data::details(
            self.inner.seed,
            index,
            self.len(),
            id_of(index),
            slot,
            &customer,
            self.data_now_local(),
        )
        .log;
        if let Some(added) = self.state().added.get(&index) {
            log.extend(added.iter().cloned());
        }
        log
    }

    fn roll(&self, method: &str, params: &Params) -> (Roll, Option<OrderFault>) {
        let id = params.get("id");
        let mut state = self.state();
        *state.requests.entry(method.to_owned()).or_default() += 1;
        state.last_query.insert(method.to_owned(), params.0.clone());
        if matches!(method, "set_status" | "add_message") {
            state.writes += 1;
        }
        let (error_rate, malformed_rate) = (state.error_rate, state.malformed_rate);
        let (unavailable_rate, drop_rate) = (state.unavailable_rate, state.drop_rate);
        let error = error_rate > 0.0 && state.dice.random_bool(error_rate);
        let unavailable = unavailable_rate > 0.0 && state.dice.random_bool(unavailable_rate);
        let drop = (drop_rate > 0.0 && state.dice.random_bool(drop_rate)).then(|| {
            if state.dice.random_bool(0.5) {
                DropPoint::BeforeApply
            } else {
                DropPoint::AfterApply
            }
        });
        let malformed = (malformed_rate > 0.0 && state.dice.random_bool(malformed_rate))
            .then(|| state.dice.random_range(0.2..0.8));
        let fault = id.and_then(|id| state.order_faults.get(id.trim()).copied());
        (
            Roll {
                latency: state.latency,
                error,
                unavailable,
                drop,
                malformed,
            },
            fault,
        )
    }

    fn answer(&self, params: &Params) -> Result<String, Refusal> {
        let method = params.require("method", "error")?;
        let Some(root) = METHODS.iter().copied().find(|m| *m == method) else {
            return Err(Refusal::bad("error", format!("Unknown method: {method}")));
        };
        let user = params.require("api_user", root)?;
        if user != self.inner.api_user {
            return Err(Refusal {
                status: StatusCode::FORBIDDEN,
                root,
                message: format!(
                    "Access denied: api_user {user} is unknown or not allowed from this address"
                ),
            });
        }
        match root {
            "orders" => {
                let date = params.date(root)?;
                Ok(self.render_orders(date))
            }
            "customers" => {
                let date = params.date(root)?;
                Ok(self.render_customers(date))
            }
            "order_info" => {
                let index = self.order_param(params, root)?;
                Ok(self.render_order_info(index))
            }
            "customer_info" => {
                let raw = params.require("id", root)?;
                let cid = raw
                    .parse::<u64>()
                    .map_err(|_| Refusal::bad(root, format!("Invalid parameter id: {raw}")))?;
                if !self.customer_exists(cid) {
                    return Err(Refusal::not_found(
                        root,
                        format!("No customer with id {cid}"),
                    ));
                }
                Ok(self.render_customer_info(&data::customer(self.inner.seed, cid)))
            }
            "set_status" => {
                let index = self.order_param(params, root)?;
                let status = params.require("status", root)?;
                let Some(code) = STATUS_WORDS[..VALID_STATUSES]
                    .iter()
                    .position(|s| *s == status)
                else {
                    return Err(Refusal::bad(
                        root,
                        format!(
                            "Invalid status \"{status}\"; valid values are {}",
                            STATUS_WORDS[..VALID_STATUSES].join(", ")
                        ),
                    ));
                };
                let id = id_of(index);
                let message = format!("Status changed to {status} for order {id}");
                let at = self.now_local();
                {
                    let mut state = self.state();
                    state.status[index] = code as u8;
                    state.added.entry(index).or_default().push(LogLine {
                        at,
                        kind: Some("system".into()),
                        message: message.clone(),
                    });
                }
                Ok(render_success(root, &message))
            }
            "add_message" => {
                let index = self.order_param(params, root)?;
                let text = params.require("message", root)?.to_owned();
                let kind = params.require("type", root)?;
                if !MESSAGE_TYPES.contains(&kind) {
                    return Err(Refusal::bad(
                        root,
                        format!(
                            "Invalid type \"{kind}\"; valid values are {}",
                            MESSAGE_TYPES.join(", ")
                        ),
                    ));
                }
                let at = self.now_local();
                self.state().added.entry(index).or_default().push(LogLine {
                    at,
                    kind: Some(kind.to_owned()),
                    message: text,
                });
                Ok(render_success(
                    root,
                    &format!("Message added to order {}", id_of(index)),
                ))
            }
            _ => Err(Refusal::bad("error", format!("Unknown method: {method}"))),
        }
    }

    fn order_param(&self, params: &Params, root: &'static str) -> Result<usize, Refusal> {
        let raw = params.require("id", root)?;
        if raw.parse::<u64>().is_err() {
            return Err(Refusal::bad(root, format!("Invalid parameter id: {raw}")));
        }
        self.index(raw)
            .ok_or_else(|| Refusal::not_found(root, format!("No order with id {raw}")))
    }

    fn render_orders(&self, since: NaiveDate) -> String {
        let start_at = since.and_hms_opt(0, 0, 0).unwrap_or_default();
        let slots = &self.inner.slots;
        let start = slots.partition_point(|s| s.date < start_at);
        let status: Vec<u8> = self.state().status[start..].to_vec();
        let mut out = String::with_capacity(64 + (slots.len() - start) * 220);
        out.push_str("<orders>\n   <response>\n");
        for (offset, (slot, status)) in slots[start..].iter().zip(status).enumerate() {
            let index = start + offset;
            let service = &SERVICES[usize::from(slot.service) % SERVICES.len()];
            let xsp = PROVIDERS[usize::from(slot.provider) % PROVIDERS.len()].1;
            // One line per order keeps a 100k list near 20 MB.
            let _ = writeln!(
                out,
                "      <order><id>{}</id><type>order</type><date>{}</date><status>{}</status><service>{}</service><xsp>{xsp}</xsp><delivery>{}</delivery><customer>{}</customer></order>",
                id_of(index),
                slot.date.format("%Y-%m-%d %H:%M:%S"),
                word(status),
                service.id,
                delivery_text(slot.delivery, "%Y-%m-%d 00:00:00"),
                slot.customer,
            );
        }
        out.push_str("   </response>\n</orders>\n");
        out
    }

    fn render_customers(&self, since: NaiveDate) -> String {
        let start_at = since.and_hms_opt(0, 0, 0).unwrap_or_default();
        let slots = &self.inner.slots;
        let start = slots.partition_point(|s| s.date < start_at);
        let mut seen = std::collections::HashSet::new();
        let mut out = String::from("<customers>\n");
        for slot in &slots[start..] {
            if !seen.insert(slot.customer) {
                continue;
            }
            let c = data::customer(self.inner.seed, slot.customer);
            out.push_str("   <customer>\n");
            leaf(&mut out, 2, "id", &c.id.to_string());
            leaf(&mut out, 2, "socket", &c.socket.to_string());
            leaf(&mut out, 2, "serial", &c.person.serial);
            leaf(&mut out, 2, "firstname", &c.person.firstname);
            leaf(&mut out, 2, "surname", &c.person.surname);
            leaf(&mut out, 2, "email", &c.person.email);
            out.push_str("   </customer>\n");
        }
        out.push_str("</customers>\n");
        out
    }

    fn render_order_info(&self, index: usize) -> String {
        let slot = &self.inner.slots[index];
        let id = id_of(index);
        let customer = data::customer(self.inner.seed, slot.customer);
        let details = data::details(
            self.inner.seed,
            index,
            self.len(),
            id,
            slot,
            &customer,
            self.data_now_local(),
        );
        let (status, added) = {
            let state = self.state();
            (state.status[index], state.added.get(&index).cloned())
        };
        let service = &SERVICES[usize::from(slot.service) % SERVICES.len()];
        let provider = PROVIDERS[usize::from(slot.provider) % PROVIDERS.len()];
        let mut out = String::with_capacity(2048);
        out.push_str("<order_info>\n   <orderinfo>\n");
        leaf(
            &mut out,
            2,
            "date",
            &slot.date.format("%Y-%m-%d %H:%M").to_string(),
        );
        leaf(&mut out, 2, "type", "order");
        leaf(&mut out, 2, "status", word(status));
        leaf(
            &mut out,
            2,
            "delivery",
            &delivery_text(slot.delivery, "%Y-%m-%d 00:00"),
        );
        leaf(&mut out, 2, "provider", provider.0);
        leaf(&mut out, 2, "service_id", &service.id.to_string());
        leaf(&mut out, 2, "service", service.name);
        leaf(&mut out, 2, "category", service.category);
        leaf(&mut out, 2, "service_uid", &details.service_uid.to_string());
        leaf(
            &mut out,
            2,
            "citynet",
            CITYNETS[usize::from(slot.citynet) % CITYNETS.len()],
        );
        out.push_str("   </orderinfo>\n   <customer>\n");
        customer_elements(&mut out, &customer, false);
        out.push_str("   </customer>\n   <logs>\n");
        for line in details.log.iter().chain(added.iter().flatten()) {
            out.push_str("      <log>\n");
            leaf(
                &mut out,
                3,
                "date",
                &line.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            );
            leaf(&mut out, 3, "message", &line.message);
            if let Some(kind) = &line.kind {
                leaf(&mut out, 3, "type", kind);
            }
            out.push_str("      </log>\n");
        }
        out.push_str("   </logs>\n   <serviceinfo>\n");
        for item in &details.items {
            out.push_str("      <data>\n");
            for (name, value) in item {
                leaf(&mut out, 3, name, value);
            }
            out.push_str("      </data>\n");
        }
        out.push_str("   </serviceinfo>\n</order_info>\n");
        out
    }

    fn render_customer_info(&self, customer: &Customer) -> String {
        let mut out = String::from("<customer_info>\n   <customer>\n");
        customer_elements(&mut out, customer, true);
        leaf(&mut out, 2, "member", &self.inner.api_user);
        out.push_str("   </customer>\n   <data>\n");
        leaf(&mut out, 2, "message", customer.message);
        leaf(&mut out, 2, "phone", &customer.person.phone);
        leaf(&mut out, 2, "premise", &customer.premise);
        out.push_str("   </data>\n</customer_info>\n");
        out
    }
}

/// The customer elements in the document's order; `split` leaves out what
/// `customer_info` puts under `<data>`.
fn customer_elements(out: &mut String, c: &Customer, split: bool) {
    leaf(out, 2, "id", &c.id.to_string());
    leaf(out, 2, "socket", &c.socket.to_string());
    leaf(out, 2, "serial", &c.person.serial);
    leaf(out, 2, "firstname", &c.person.firstname);
    leaf(out, 2, "surname", &c.person.surname);
    leaf(out, 2, "email", &c.person.email);
    leaf(out, 2, "address", &c.person.address);
    leaf(out, 2, "zip", &c.person.zip);
    leaf(out, 2, "city", &c.person.city);
    if !split {
        leaf(out, 2, "message", c.message);
        leaf(out, 2, "phone", &c.person.phone);
        leaf(out, 2, "premise", &c.premise);
    }
}

fn leaf(out: &mut String, depth: usize, name: &str, value: &str) {
    for _ in 0..depth {
        out.push_str("   ");
    }
    if value.is_empty() {
        let _ = writeln!(out, "<{name}/>");
    } else {
        let _ = writeln!(out, "<{name}>{}</{name}>", partial_escape(value));
    }
}

fn delivery_text(delivery: Delivery, format: &str) -> String {
    match delivery {
        Delivery::Asap => "asap".into(),
        Delivery::Date(d) => d.format(format).to_string(),
    }
}

fn word(status: u8) -> &'static str {
    STATUS_WORDS[usize::from(status) % STATUS_WORDS.len()]
}

fn id_of(index: usize) -> u64 {
    FIRST_ORDER_ID + index as u64
}

fn render_success(root: &str, message: &str) -> String {
    format!(
        "<{root}>\n   <response>\n      <message>{}</message>\n   </response>\n   <status>success</status>\n</{root}>\n",
        partial_escape(message)
    )
}

fn render_error(root: &str, message: &str) -> String {
    format!(
        "<{root}>\n   <response>\n      <message>{}</message>\n   </response>\n   <status>error</status>\n</{root}>\n",
        partial_escape(message)
    )
}

/// A refused request: HTTP status, root element, message.
#[derive(Debug)]
struct Refusal {
    status: StatusCode,
    root: &'static str,
    message: String,
}

impl Refusal {
    fn bad(root: &'static str, message: String) -> Self {
        Refusal {
            status: StatusCode::BAD_REQUEST,
            root,
            message,
        }
    }

    fn not_found(root: &'static str, message: String) -> Self {
        Refusal {
            status: StatusCode::NOT_FOUND,
            root,
            message,
        }
    }
}

/// Query parameters; the first occurrence of a name wins.
struct Params(Vec<(String, String)>);

impl Params {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn require(&self, name: &str, root: &'static str) -> Result<&str, Refusal> {
        match self.get(name).map(str::trim) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(Refusal::bad(root, format!("Missing parameter: {name}"))),
        }
    }

    fn date(&self, root: &'static str) -> Result<NaiveDate, Refusal> {
        let raw = self.require("date", root)?;
        NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
            Refusal::bad(
                root,
                format!("Invalid parameter date: {raw} (expected YYYY-MM-DD)"),
            )
        })
    }
}

fn xml_response(status: StatusCode, body: Vec<u8>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

async fn handle(
    State(sim): State<TgSim>,
    query: Result<Query<Vec<(String, String)>>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let params = match query {
        Ok(Query(pairs)) => Params(pairs),
        Err(e) => {
            return xml_response(
                StatusCode::BAD_REQUEST,
                render_error("error", &format!("Invalid query: {e}")).into_bytes(),
            );
        }
    };
    let _busy = InFlight::enter(&sim.inner);
    let method = params.get("method").unwrap_or_default().to_owned();
    let (roll, fault) = sim.roll(&method, &params);
    if !roll.latency.is_zero() {
        tokio::time::sleep(roll.latency).await;
    }
    let root = if method.is_empty() {
        "error"
    } else {
        method.as_str()
    };
    // Faults that answer before anything is applied.
    if roll.error || fault == Some(OrderFault::ServerError) {
        sim.state().injected.server_errors += 1;
        return xml_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            render_error(root, "Internal server error").into_bytes(),
        );
    }
    if roll.unavailable || fault == Some(OrderFault::Unavailable) {
        sim.state().injected.unavailable += 1;
        return xml_response(
            StatusCode::SERVICE_UNAVAILABLE,
            render_error(root, "Service unavailable").into_bytes(),
        );
    }
    if roll.drop == Some(DropPoint::BeforeApply) || fault == Some(OrderFault::DropBeforeApply) {
        sim.state().injected.dropped_before += 1;
        return super::dropped_connection();
    }
    // Building a 100k list takes a while: keep lists off the async workers.
    let answer = if matches!(method.as_str(), "orders" | "customers") {
        let sim = sim.clone();
        tokio::task::spawn_blocking(move || sim.answer(&params)).await
    } else {
        Ok(sim.answer(&params))
    };
    let delay = sim.inner.write_answer_delay;
    let applied = matches!(answer, Ok(Ok(_)));
    if applied && matches!(method.as_str(), "set_status" | "add_message") && !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    // Applied (or refused): now the answer may be lost or spoiled.
    if roll.drop == Some(DropPoint::AfterApply) || fault == Some(OrderFault::DropAfterApply) {
        sim.state().injected.dropped_after += 1;
        return super::dropped_connection();
    }
    let body = match answer {
        Ok(Ok(body)) => body,
        Ok(Err(refusal)) => {
            return xml_response(
                refusal.status,
                render_error(refusal.root, &refusal.message).into_bytes(),
            );
        }
        Err(_) => {
            return xml_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                render_error(root, "Internal server error").into_bytes(),
            );
        }
    };
    let mut body = body.into_bytes();
    let spoiled = match (fault, roll.malformed) {
        (Some(OrderFault::Truncated), _) => {
            truncate(&mut body, 0.5);
            true
        }
        (Some(OrderFault::NotUtf8), _) => {
            let at = body.len() / 2;
            body.insert(at, 0xFF);
            true
        }
        (_, Some(share)) => {
            truncate(&mut body, share);
            true
        }
        _ => false,
    };
    if spoiled {
        sim.state().injected.truncated += 1;
    }
    xml_response(StatusCode::OK, body)
}

/// Counts a request as in flight until dropped.
struct InFlight<'a>(&'a Inner);

impl<'a> InFlight<'a> {
    fn enter(inner: &'a Inner) -> Self {
        let now = inner.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        inner.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(inner)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Cuts a body at `share` of its length (never at 0, never whole).
fn truncate(body: &mut Vec<u8>, share: f64) {
    let len = body.len();
    let cut = ((len as f64 * share) as usize).clamp(1, len.saturating_sub(1).max(1));
    body.truncate(cut);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim(n: usize) -> TgSim {
        TgSim::new(SimOptions {
            orders: n,
            now: DateTime::parse_from_rfc3339("2026-03-10T12:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
            ..SimOptions::default()
        })
    }

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params(
            pairs
                .iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn set_status_changes_order_info_and_logs() {
        let s = sim(10);
        let id = "19531";
        let before = s.order_info_xml(id).unwrap();
        let answer = s
            .answer(&params(&[
                ("method", "set_status"),
                ("api_user", "1234"),
                ("id", id),
                ("status", "delivered"),
            ]))
            .unwrap();
        assert!(answer.contains("<message>Status changed to delivered for order 19531</message>"));
        assert!(answer.contains("<status>success</status>"));
        let after = s.order_info_xml(id).unwrap();
        assert_ne!(before, after);
        assert!(after.contains("<status>delivered</status>"));
        assert_eq!(s.status_of(id).as_deref(), Some("delivered"));
        assert_eq!(
            s.log_of(id).last().unwrap(),
            &(
                "system".to_owned(),
                "Status changed to delivered for order 19531".to_owned()
            )
        );
    }

    #[test]
    fn refusals() {
        let s = sim(5);
        type Case<'a> = (&'a [(&'a str, &'a str)], StatusCode, &'a str);
        let cases: &[Case<'_>] = &[
            (
                &[("api_user", "1234")],
                StatusCode::BAD_REQUEST,
                "Missing parameter: method",
            ),
            (
                &[("method", "drop"), ("api_user", "1234")],
                StatusCode::BAD_REQUEST,
                "Unknown method: drop",
            ),
            (
                &[("method", "orders"), ("api_user", "9")],
                StatusCode::FORBIDDEN,
                "Access denied",
            ),
            (
                &[("method", "orders"), ("api_user", "1234")],
                StatusCode::BAD_REQUEST,
                "Missing parameter: date",
            ),
            (
                &[("method", "orders"), ("api_user", "1234"), ("date", "igår")],
                StatusCode::BAD_REQUEST,
                "Invalid parameter date",
            ),
            (
                &[("method", "order_info"), ("api_user", "1234"), ("id", "1")],
                StatusCode::NOT_FOUND,
                "No order with id 1",
            ),
            (
                &[("method", "order_info"), ("api_user", "1234"), ("id", "x")],
                StatusCode::BAD_REQUEST,
                "Invalid parameter id",
            ),
            (
                &[
                    ("method", "set_status"),
                    ("api_user", "1234"),
                    ("id", "19530"),
                    ("status", "done"),
                ],
                StatusCode::BAD_REQUEST,
                "Invalid status \"done\"",
            ),
            (
                &[
                    ("method", "add_message"),
                    ("api_user", "1234"),
                    ("id", "19530"),
                    ("message", "x"),
                    ("type", "info"),
                ],
                StatusCode::BAD_REQUEST,
                "Invalid type \"info\"",
            ),
            (
                &[
                    ("method", "add_message"),
                    ("api_user", "1234"),
                    ("id", "19530"),
                    ("type", "log"),
                ],
                StatusCode::BAD_REQUEST,
                "Missing parameter: message",
            ),
            (
                &[
                    ("method", "customer_info"),
                    ("api_user", "1234"),
                    ("id", "99999999"),
                ],
                StatusCode::NOT_FOUND,
                "No customer",
            ),
        ];
        for (pairs, status, text) in cases {
            let refusal = s.answer(&params(pairs)).unwrap_err();
            assert_eq!(refusal.status, *status, "{pairs:?}");
            assert!(
                refusal.message.contains(text),
                "{pairs:?}: {}",
                refusal.message
            );
        }
    }

    /// A running simulator and a writable Tjänsteguiden handle for it.
    async fn served(
        n: usize,
    ) -> (
        TgSim,
        super::super::RunningSim,
        crate::carriers::CarrierHandle,
    ) {
        let (s, running) = TgSim::spawn(
            SimOptions {
                orders: n,
                ..SimOptions::default()
            },
            0,
        )
        .await
        .unwrap();
        let mut carrier = crate::config::CarrierConfig::new(
            "tg",
            "tjansteguiden",
            &TgSim::endpoint(&running.origin()),
        );
        carrier
            .settings_mut::<crate::carriers::tjansteguiden::TgConfig>()
            .api_user = Some(s.api_user().to_owned());
        let handle =
            crate::carriers::build(&crate::config::Config::empty(), &carrier, false).unwrap();
        (s, running, handle)
    }

    fn add_message(id: &str, text: &str) -> (String, crate::domain::ActionRequest) {
        let request = crate::domain::ActionRequest {
            action: crate::domain::ActionKind::AddMessage,
            params: vec![
                ("type".into(), "log".into()),
                ("message".into(), text.into()),
            ],
            summary: text.into(),
            preview: None,
        };
        (id.to_owned(), request)
    }

    /// What a raw HTTP/1.1 client receives for one GET: every byte until the
    /// server closes (a reset counts as a close).
    async fn raw_get(addr: std::net::SocketAddr, target: &str) -> Vec<u8> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request =
            format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut received = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&chunk[..n]),
            }
        }
        received
    }

    async fn send(
        handle: &crate::carriers::CarrierHandle,
        (id, request): (String, crate::domain::ActionRequest),
    ) -> Result<crate::carriers::WriteReceipt, crate::carriers::CarrierError> {
        let order = crate::domain::Order::new(
            crate::domain::OrderKey::new("tg", id.as_str()),
            crate::carriers::tjansteguiden::KIND,
            crate::domain::Status::new("new", crate::domain::Stage::New, false),
        );
        let writer = handle.writer.clone().unwrap();
        writer.execute(&order, &request).await
    }

    #[tokio::test]
    async fn a_dropped_connection_sends_no_byte_of_an_answer() {
        let (s, running, _) = served(3).await;
        let id = &s.order_ids()[0];
        s.set_drop_rate(1.0);
        let target = format!("{PATH}?method=order_info&api_user=1234&id={id}");
        for _ in 0..20 {
            let received = raw_get(running.addr, &target).await;
            assert!(
                received.is_empty(),
                "{:?}",
                String::from_utf8_lossy(&received)
            );
        }
        let injected = s.injected();
        assert_eq!(injected.dropped_before + injected.dropped_after, 20);
        assert!(
            injected.dropped_before > 0 && injected.dropped_after > 0,
            "{injected:?}"
        );
    }

    /// A dropped connection after the request went out: of unknown outcome.
    fn assert_sent_without_answer(err: &crate::carriers::CarrierError) {
        assert!(
            matches!(
                err,
                crate::carriers::CarrierError::Unavailable { sent: true, .. }
            ),
            "{err:?}"
        );
        assert!(err.outcome_unknown(), "{err:?}");
    }

    #[tokio::test]
    async fn a_write_whose_connection_drops_is_of_unknown_outcome_applied_or_not() {
        let (s, _running, handle) = served(3).await;
        let ids = s.order_ids();
        let log_len = |id: &str| s.log_of(id).len();

        s.set_order_fault(&ids[0], Some(OrderFault::DropBeforeApply));
        let before = log_len(&ids[0]);
        let err = send(&handle, add_message(&ids[0], "dropped early"))
            .await
            .unwrap_err();
        assert_sent_without_answer(&err);
        assert_eq!(log_len(&ids[0]), before, "not applied");

        s.set_order_fault(&ids[1], Some(OrderFault::DropAfterApply));
        let err = send(&handle, add_message(&ids[1], "dropped late"))
            .await
            .unwrap_err();
        assert_sent_without_answer(&err);
        assert_eq!(
            s.log_of(&ids[1]).last().map(|(_, m)| m.as_str()),
            Some("dropped late"),
            "applied"
        );
        let injected = s.injected();
        assert_eq!((injected.dropped_before, injected.dropped_after), (1, 1));
    }

    #[tokio::test]
    async fn a_503_refuses_a_write_before_applying_it() {
        let (s, _running, handle) = served(3).await;
        let id = s.order_ids()[0].clone();
        let before = s.log_of(&id);
        s.set_unavailable_rate(1.0);
        let err = send(&handle, add_message(&id, "not now"))
            .await
            .unwrap_err();
        let crate::carriers::CarrierError::Unavailable { code, message, .. } = &err else {
            panic!("{err:?}");
        };
        assert_eq!(code.as_deref(), Some("503"));
        assert_eq!(message, "Service unavailable");
        // A 503 is an answer, but the portal's state is for a re-read to
        // tell (a proxy may answer 503 for a request that reached it): the
        // journal re-reads before sending again.
        assert!(err.outcome_unknown());
        assert_eq!(s.log_of(&id), before, "not applied");
        assert_eq!(s.injected().unavailable, 1);
        s.set_unavailable_rate(0.0);
        send(&handle, add_message(&id, "now")).await.unwrap();
        assert_eq!(s.log_of(&id).len(), before.len() + 1);
    }

    #[test]
    fn orders_since_date_and_scale() {
        let s = sim(100_000);
        let all = s.render_orders(NaiveDate::from_ymd_opt(2000, 1, 1).unwrap());
        assert_eq!(all.matches("<order>").count(), 100_000);
        assert!(all.len() < 24 * 1024 * 1024, "{}", all.len());
        let recent = s.render_orders(NaiveDate::from_ymd_opt(2026, 3, 10).unwrap());
        let n = recent.matches("<order>").count();
        assert!(n > 0 && n < 100_000, "{n}");
        assert!(!recent.contains("2026-03-09 "), "only dates >= the date");
    }

    #[test]
    fn data_has_hostile_text_and_asap() {
        let s = sim(300);
        let all: String = s
            .order_ids()
            .iter()
            .filter_map(|id| s.order_info_xml(id))
            .collect();
        assert!(all.contains('\u{1b}'));
        assert!(all.contains("<delivery>asap</delivery>"));
        assert!(all.contains("<type>error</type>"));
        assert!(all.contains("<type>alert</type>"));
        assert!(
            all.contains("<status>on_hold</status>")
                || all.contains("<status>pending_port</status>")
        );
        assert!(all.contains("<monthly>"));
    }
}
