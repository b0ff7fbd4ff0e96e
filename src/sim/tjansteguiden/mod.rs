//! The Tjänsteguiden simulator: the document's one endpoint ([`PATH`]), GET
//! with `method`, `api_user`, `id`, `date`, `status`, `type`, `message`, and
//! XML shaped like the document's examples (same element names and order).
//! It keeps state (a `set_status` changes what `order_info` returns and logs
//! `Status changed to X for order N` as a `system` line; `add_message`
//! appends a log line of its type), rejects bad input, and has fault knobs.
//! It must stay faithful to the document: no invented methods or elements.
//! `routes` answers the wire, `state` holds what writes change and their
//! rules, `data` generates the seeded orders and customers.
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
//! or customer id, and for injected faults 500, 503 (`Service
//! unavailable`, no `Retry-After`), 429 (`Too many requests`, with
//! `Retry-After`) and 504 after a hang (`Gateway timeout`). Successful
//! writes answer like the documented `set_status` (`add_message` with the
//! same envelope).
//!
//! Dates are written in Europe/Stockholm local time in the document's
//! formats: `orders` and logs `YYYY-MM-DD HH:MM:SS`, `order_info`'s
//! `date`/`delivery` `YYYY-MM-DD HH:MM`; `delivery` is `asap` for some.
//! Log lines written by actions are stamped `now` plus the real time since
//! the simulator started, so a fixed `now` stays near the data.
//!
//! Faults: the shared [`Faults`] (see [`crate::sim::faults`] for the order
//! of the checks), decided per request by the state's fault dice, plus
//! per-order faults ([`OrderFault`]) for tests. Here a dropped connection
//! (see [`crate::sim::dropped_connection`]) after acting happens to reads
//! as well as writes; a truncated body is XML cut off part-way; a malformed
//! one has a byte that is not UTF-8. The dice use their own RNG, so the
//! data does not change with the knobs; [`TgSim::injected`] counts the
//! faults served.

mod data;
mod routes;
mod state;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::Router;
use axum::routing::get;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

use super::faults::Fault;
pub use super::faults::{Faults, Injected};
pub use data::{CITYNETS, FIRST_CUSTOMER_ID, FIRST_ORDER_ID, PROVIDERS, SERVICES, STATUS_WORDS};
use data::{LogLine, Slot};
use state::SimState;

/// The endpoint's path, as in the document.
pub const PATH: &str = "/admin/edit/services/plain/orders";

/// How the simulator starts.
#[derive(Debug, Clone)]
pub struct SimOptions {
    pub orders: usize,
    pub seed: u64,
    pub api_user: String,
    /// Data ages are relative to this instant.
    pub now: DateTime<Utc>,
    /// The faults it starts with ([`TgSim::set_faults`] changes them).
    pub faults: Faults,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            orders: 300,
            seed: 1,
            api_user: "1234".into(),
            now: Utc::now(),
            faults: Faults::default(),
        }
    }
}

/// A fault injected for one order id (tests, demos).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderFault {
    /// HTTP 500 with an error body.
    ServerError,
    /// A 200 whose XML is cut off (counted as truncated).
    Truncated,
    /// A 200 whose body has a byte that is not UTF-8 (counted as
    /// malformed).
    NotUtf8,
    /// HTTP 503 with an error body, before acting.
    Unavailable,
    /// The connection is dropped with no answer, before acting.
    DropBeforeApply,
    /// A write is applied, then the connection is dropped with no answer.
    DropAfterApply,
}

impl OrderFault {
    /// The shared fault it is.
    fn fault(self) -> Fault {
        match self {
            OrderFault::ServerError => Fault::ServerError,
            OrderFault::Truncated => Fault::Truncated,
            OrderFault::NotUtf8 => Fault::Malformed,
            OrderFault::Unavailable => Fault::Unavailable,
            OrderFault::DropBeforeApply => Fault::DropBeforeApply,
            OrderFault::DropAfterApply => Fault::DropAfterApply,
        }
    }
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
                slots,
                state: Mutex::new(SimState::new(status, options.faults, options.seed)),
            }),
        }
    }

    /// The axum router serving [`PATH`].
    pub fn router(&self) -> Router {
        Router::new()
            .route(PATH, get(routes::handle))
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

    /// The fault knobs as they are now.
    pub fn faults(&self) -> Faults {
        self.state().dice.faults().clone()
    }

    /// Changes the fault knobs at runtime.
    pub fn set_faults(&self, faults: Faults) {
        self.state().dice.set_faults(faults);
    }

    /// The faults served so far.
    pub fn injected(&self) -> Injected {
        self.state().dice.injected()
    }

    /// Makes every request about order `id` fail this way (`None` heals it).
    pub fn set_order_fault(&self, id: &str, fault: Option<OrderFault>) {
        self.state().dice.force(id, fault.map(OrderFault::fault));
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
}

fn word(status: u8) -> &'static str {
    STATUS_WORDS[usize::from(status) % STATUS_WORDS.len()]
}

fn id_of(index: usize) -> u64 {
    FIRST_ORDER_ID + index as u64
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use axum::http::StatusCode;

    use super::routes::Params;
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
        s.set_faults(Faults {
            drop_rate: 1.0,
            ..Faults::default()
        });
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

    #[tokio::test]
    async fn a_429_carries_its_retry_after_and_is_counted() {
        let (s, running, _) = served(3).await;
        let id = &s.order_ids()[0];
        s.set_faults(Faults {
            rate_limit_every: Some(1),
            retry_after: Duration::from_secs(7),
            ..Faults::default()
        });
        let target = format!("{PATH}?method=order_info&api_user=1234&id={id}");
        let received = String::from_utf8_lossy(&raw_get(running.addr, &target).await).into_owned();
        assert!(received.starts_with("HTTP/1.1 429"), "{received}");
        assert!(received.contains("retry-after: 7\r\n"), "{received}");
        assert!(
            received.contains("<message>Too many requests</message>"),
            "{received}"
        );
        assert_eq!(s.injected().rate_limited, 1);
        assert_eq!(s.requests("order_info"), 1);
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
        s.set_faults(Faults {
            unavailable_rate: 1.0,
            ..Faults::default()
        });
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
        s.set_faults(Faults::default());
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
