//! Lumen Voice simulator: the token endpoint and the Voice endpoints of
//! CONTRACTS.md "lumen-voice", served on loopback. It is an independent HTTP
//! server (it knows the adapter only through the wire), sharing with the
//! adapter just the document's tables (`codes`) and rule checks (`rules`),
//! so both answer every rule with the same code.
//!
//! - `POST /oauth/token`: HTTP Basic client id/secret (401 `invalid_client`
//!   otherwise), form `grant_type=client_credentials` (400
//!   `unsupported_grant_type` otherwise); answers `expires_in` as a string,
//!   as Apigee does. Tokens expire after `token_lifetime`.
//! - Every Voice call: fault knobs first (latency, every Nth call 429 with
//!   `Retry-After: 1`, 503 `503001`, a hang then 504 `504002`, a dropped
//!   connection), then
//!   `Authorization: Bearer` (none: 403 `403001`; unknown: 403 `403002`;
//!   expired: 403 `403006`), then `x-customer-number` (missing or unknown:
//!   400 `1429`; a customer number Lumen knows but not for these
//!   credentials, such as the document's `1-ABC-23`: 400 `1403`).
//! - `GET /Voice/v1/Numbers/orderStatus?pageNumber&pageSize` (newest first;
//!   bad page 20103, bad size 20104, size at most 1000) or `?voiceOrderId=`
//!   (unknown: 20060).
//! - `GET /Voice/v1/Numbers/notifications?voiceOrderId=[&fromDate=]` (missing
//!   id 20049, unknown 20060; at most 180 days back).
//! - `POST /Voice/v1/Numbers/order/{id}/cancel`: unknown 20054; completed
//!   20065; cancelled 20108; rejected 20064; LNP after the last business day
//!   before FOC 20066. Success: status `cancelled` and a notification (10005
//!   for a reservation with a backorder, 904 otherwise).
//! - `POST /Voice/v1/Numbers/order/{id}/supplement`: unknown 20060; not LNP
//!   20109; then the closed-status codes; then the body rules (all
//!   violations in one `errors` list; empty body 20048). Success: the groups
//!   sent replace the order's, `created` becomes `in progress`, a 904
//!   notification is added.
//! - Anything else: 404 `404001`; a wrong method: 405 `405001`.
//!
//! A dropped connection (`drop_rate`) answers nothing at all (see
//! [`super::dropped_connection`]): half of them before the call is acted
//! on, half after (a cancel or supplement is then applied, or refused, and
//! its answer lost). Every applied write is kept in [`VoiceSim::applied`],
//! and [`VoiceSim::injected`] counts the faults served, so tests can check
//! a client's account of its writes against what really happened.
//!
//! The clock is `now` from the options plus the time since start, so tests
//! get fixed dates and the demo gets real ones.

pub mod data;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use crate::carriers::lumen_voice::{KIND, codes, rules};
use crate::config::{CarrierConfig, SecretSource};

use super::RunningSim;

/// A customer number Lumen knows that is not associated with the simulator's
/// credentials (the document's cURL example): answers 1403.
pub const OTHER_CUSTOMER: &str = "1-ABC-23";

/// How the simulator starts.
#[derive(Debug, Clone)]
pub struct VoiceSimOptions {
    pub orders: usize,
    pub seed: u64,
    pub customer_number: String,
    pub client_id: String,
    pub client_secret: String,
    pub token_lifetime: Duration,
    /// The faults it starts with ([`VoiceSim::set_faults`] changes them).
    pub faults: Faults,
    pub now: DateTime<Utc>,
}

impl Default for VoiceSimOptions {
    fn default() -> Self {
        VoiceSimOptions {
            orders: 200,
            seed: 2,
            // The document's examples.
            customer_number: "2-B6-7890".into(),
            client_id: "v0ehG4dB55QQB7waOV6Gy1zG4kJ1V7".into(),
            client_secret: "sim-voice-secret".into(),
            token_lifetime: Duration::from_secs(3599),
            faults: Faults::default(),
            now: Utc::now(),
        }
    }
}

/// How the simulator refuses every token (for auth-failure tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRefusal {
    /// HTTP 401.
    Unauthorized,
    /// 403 `403002` Token validation failed.
    Invalid,
    /// 403 `403006` Token expired.
    Expired,
}

/// Fault knobs, changeable while running. None by default.
#[derive(Debug, Clone)]
pub struct Faults {
    pub latency: Duration,
    /// Every Nth Voice call answers 429 with `Retry-After: 1`.
    pub rate_limit_every: Option<usize>,
    /// Share of Voice calls answered 503 `503001`.
    pub unavailable_rate: f64,
    /// Share of Voice calls that hang for `hang`, then answer 504 `504002`.
    pub hang_rate: f64,
    pub hang: Duration,
    /// Share of Voice calls whose connection is dropped with no answer: half
    /// before acting, half after (a write is then applied or refused).
    pub drop_rate: f64,
    /// Refuse every token on Voice calls.
    pub token_refusal: Option<TokenRefusal>,
    /// Answer the token endpoint with 401 whatever the credentials.
    pub token_endpoint_refuses: bool,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            latency: Duration::ZERO,
            rate_limit_every: None,
            unavailable_rate: 0.0,
            hang_rate: 0.0,
            hang: Duration::from_secs(2),
            drop_rate: 0.0,
            token_refusal: None,
            token_endpoint_refuses: false,
        }
    }
}

/// How many faults the simulator has served (each Voice call counts once,
/// for the fault that decided its answer).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Injected {
    /// 429 answers.
    pub rate_limited: usize,
    /// 503 `503001` answers.
    pub unavailable: usize,
    /// Hangs answered 504 `504002` (if the client was still there).
    pub hung: usize,
    /// Connections dropped before acting.
    pub dropped_before: usize,
    /// Connections dropped after acting.
    pub dropped_after: usize,
}

/// A write the simulator applied (the order changed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedWrite {
    pub voice_order_id: String,
    /// [`PathKind::Cancel`] or [`PathKind::Supplement`].
    pub kind: PathKind,
    /// The request body as received.
    pub body: String,
    pub at: DateTime<Utc>,
}

/// Which endpoint a request was for (for the counters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PathKind {
    Token,
    OrderStatus,
    Notifications,
    Cancel,
    Supplement,
    Other,
}

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

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireSubscriber<'a> {
    customer_type_indicator: &'a Option<String>,
    first_name: &'a Option<String>,
    last_name: &'a Option<String>,
    business_name: &'a Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireAddress<'a> {
    street_number: &'a Option<String>,
    street_name: &'a Option<String>,
    street_suffix: &'a Option<String>,
    city: &'a Option<String>,
    state: &'a Option<String>,
    zip_code: &'a Option<String>,
    secondary_location: &'a Option<String>,
}

/// ORDER in the contract's field order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireOrder<'a> {
    voice_order_id: &'a str,
    external_order_id: &'a Option<String>,
    order_type: &'a str,
    product_id: u32,
    status: &'a str,
    created_date: String,
    customer_request_date: Option<String>,
    foc_date: Option<String>,
    tn_list: &'a [String],
    rate_center: &'a str,
    state: &'a str,
    subscriber: WireSubscriber<'a>,
    service_address: WireAddress<'a>,
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

    fn wire(&self) -> WireOrder<'_> {
        WireOrder {
            voice_order_id: &self.voice_order_id,
            external_order_id: &self.external_order_id,
            order_type: &self.order_type,
            product_id: self.product_id,
            status: &self.status,
            created_date: ts(self.created),
            customer_request_date: self.customer_request_date.map(ts),
            foc_date: self.foc_date.map(ts),
            tn_list: &self.tn_list,
            rate_center: &self.rate_center,
            state: &self.state,
            subscriber: WireSubscriber {
                customer_type_indicator: &self.subscriber.customer_type_indicator,
                first_name: &self.subscriber.first_name,
                last_name: &self.subscriber.last_name,
                business_name: &self.subscriber.business_name,
            },
            service_address: WireAddress {
                street_number: &self.address.street_number,
                street_name: &self.address.street_name,
                street_suffix: &self.address.street_suffix,
                city: &self.address.city,
                state: &self.address.state,
                zip_code: &self.address.zip_code,
                secondary_location: &self.address.secondary_location,
            },
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireNotification<'a> {
    voice_order_id: &'a str,
    notification_code: &'a str,
    notification_message: &'a str,
    created_date: String,
    rate_center: &'a Option<String>,
    state: &'a Option<String>,
}

struct SimState {
    /// Newest first.
    orders: Vec<SimOrder>,
    index: HashMap<String, usize>,
    tokens: HashMap<String, Instant>,
    faults: Faults,
    rng: StdRng,
    voice_calls: usize,
    counts: HashMap<PathKind, usize>,
    writes: usize,
    applied: Vec<AppliedWrite>,
    injected: Injected,
}

impl SimState {
    fn reindex(&mut self) {
        self.index = self
            .orders
            .iter()
            .enumerate()
            .map(|(i, o)| (o.voice_order_id.clone(), i))
            .collect();
    }
}

struct Inner {
    options: VoiceSimOptions,
    started: Instant,
    state: Mutex<SimState>,
}

/// A running (or routable) Voice simulator. Cheap to clone.
#[derive(Clone)]
pub struct VoiceSim {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for VoiceSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VoiceSim")
            .field("orders", &self.lock().orders.len())
            .finish()
    }
}

fn error_body(codes_: &[&str]) -> serde_json::Value {
    serde_json::json!({
        "errors": codes_
            .iter()
            .map(|c| serde_json::json!({"code": c, "message": codes::message(c).unwrap_or("")}))
            .collect::<Vec<_>>()
    })
}

/// The document's error answer: the status of the code's table (400 for
/// the codes listed only in the notification table).
fn error(code: &str) -> Response {
    let status = codes::error_status(code).unwrap_or(400);
    errors(status, &[code])
}

fn errors(status: u16, codes_: &[&str]) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, axum::Json(error_body(codes_))).into_response()
}

fn json<T: Serialize>(value: &T) -> Response {
    axum::Json(value).into_response()
}

fn query_pairs(query: &Option<String>) -> Vec<(String, String)> {
    query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 3 <= bytes.len() => {
                match u8::from_str_radix(
                    std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                    16,
                ) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Standard base64 (with or without padding).
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = 0u32;
    let mut bits = 0;
    for c in text.trim().trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        buf = (buf << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    Some(out)
}

fn random_token(rng: &mut StdRng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..28)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

impl VoiceSim {
    pub fn new(options: VoiceSimOptions) -> VoiceSim {
        let orders = data::generate(options.orders, options.seed, options.now);
        let faults = options.faults.clone();
        let mut state = SimState {
            orders,
            index: HashMap::new(),
            tokens: HashMap::new(),
            faults,
            rng: StdRng::seed_from_u64(options.seed ^ 0x5eed),
            voice_calls: 0,
            counts: HashMap::new(),
            writes: 0,
            applied: Vec::new(),
            injected: Injected::default(),
        };
        state.reindex();
        VoiceSim {
            inner: Arc::new(Inner {
                options,
                started: Instant::now(),
                state: Mutex::new(state),
            }),
        }
    }

    /// Starts serving on `127.0.0.1:port` (0 = any free port).
    pub async fn spawn(
        options: VoiceSimOptions,
        port: u16,
    ) -> std::io::Result<(VoiceSim, RunningSim)> {
        let sim = VoiceSim::new(options);
        let running = super::serve(sim.router(), port).await?;
        Ok((sim, running))
    }

    pub fn router(&self) -> Router {
        Router::new()
            .route("/oauth/token", post(token))
            .route("/Voice/v1/Numbers/orderStatus", get(order_status))
            .route("/Voice/v1/Numbers/notifications", get(notifications))
            .route("/Voice/v1/Numbers/order/{id}/cancel", post(cancel))
            .route("/Voice/v1/Numbers/order/{id}/supplement", post(supplement))
            .fallback(not_found)
            .method_not_allowed_fallback(not_allowed)
            .with_state(self.clone())
    }

    fn lock(&self) -> MutexGuard<'_, SimState> {
        // A panic while holding the lock leaves consistent data; keep serving.
        self.inner
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn options(&self) -> &VoiceSimOptions {
        &self.inner.options
    }

    /// The simulator's clock: `options.now` plus the time since start.
    pub fn now(&self) -> DateTime<Utc> {
        let elapsed = chrono::Duration::from_std(self.inner.started.elapsed())
            .unwrap_or_else(|_| chrono::Duration::zero());
        self.inner.options.now + elapsed
    }

    /// A carrier config that talks to this simulator at `origin`.
    pub fn carrier_config(&self, name: &str, origin: &str) -> CarrierConfig {
        CarrierConfig::new(name, KIND, origin).with_settings(
            crate::carriers::lumen_voice::VoiceConfig {
                customer_number: Some(self.inner.options.customer_number.clone()),
                client_id: Some(self.inner.options.client_id.clone()),
                client_secret: Some(SecretSource::Inline(
                    self.inner.options.client_secret.clone().into(),
                )),
                ..Default::default()
            },
        )
    }

    pub fn token_requests(&self) -> usize {
        self.requests(PathKind::Token)
    }

    pub fn requests(&self, kind: PathKind) -> usize {
        self.lock().counts.get(&kind).copied().unwrap_or(0)
    }

    /// Write requests received (cancel and supplement), whatever their outcome.
    pub fn writes(&self) -> usize {
        self.lock().writes
    }

    /// Every write applied so far, oldest first.
    pub fn applied(&self) -> Vec<AppliedWrite> {
        self.lock().applied.clone()
    }

    /// The faults served so far.
    pub fn injected(&self) -> Injected {
        self.lock().injected
    }

    pub fn faults(&self) -> Faults {
        self.lock().faults.clone()
    }

    pub fn set_faults(&self, faults: Faults) {
        self.lock().faults = faults;
    }

    /// Makes every token issued so far expired (403006 on its next use).
    pub fn expire_tokens(&self) {
        let past = Instant::now();
        for exp in self.lock().tokens.values_mut() {
            *exp = past;
        }
    }

    pub fn orders(&self) -> Vec<SimOrder> {
        self.lock().orders.clone()
    }

    pub fn order(&self, id: &str) -> Option<SimOrder> {
        let state = self.lock();
        state.index.get(id).map(|&i| state.orders[i].clone())
    }

    pub fn status(&self, id: &str) -> Option<String> {
        self.order(id).map(|o| o.status)
    }

    pub fn notifications(&self, id: &str) -> Vec<SimNotification> {
        self.order(id).map(|o| o.notifications).unwrap_or_default()
    }

    /// Adds an order, or replaces the one with the same id.
    pub fn insert_order(&self, order: SimOrder) {
        let mut state = self.lock();
        match state.index.get(&order.voice_order_id) {
            Some(&i) => state.orders[i] = order,
            None => {
                state.orders.push(order);
                state.orders.sort_by(|a, b| {
                    b.created
                        .cmp(&a.created)
                        .then(b.voice_order_id.cmp(&a.voice_order_id))
                });
                state.reindex();
            }
        }
    }

    fn count(&self, kind: PathKind) {
        let mut state = self.lock();
        *state.counts.entry(kind).or_default() += 1;
        if matches!(kind, PathKind::Cancel | PathKind::Supplement) {
            state.writes += 1;
        }
    }

    /// Faults, then auth, then the customer number. `Err` is the answer;
    /// `Ok` says whether the answer is to be dropped after acting.
    async fn gate(&self, kind: PathKind, headers: &HeaderMap) -> Result<Admitted, Response> {
        self.count(kind);
        let (latency, limited, unavailable, hang, drop) = {
            let mut state = self.lock();
            state.voice_calls += 1;
            let f = state.faults.clone();
            let limited = f
                .rate_limit_every
                .is_some_and(|n| n > 0 && state.voice_calls % n == 0);
            let unavailable =
                f.unavailable_rate > 0.0 && state.rng.random_bool(f.unavailable_rate.min(1.0));
            let hang = (f.hang_rate > 0.0 && state.rng.random_bool(f.hang_rate.min(1.0)))
                .then_some(f.hang);
            let drop = (f.drop_rate > 0.0 && state.rng.random_bool(f.drop_rate.min(1.0)))
                .then(|| state.rng.random_bool(0.5));
            (f.latency, limited, unavailable, hang, drop)
        };
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        if limited {
            let mut r = (
                StatusCode::TOO_MANY_REQUESTS,
                axum::Json(
                    serde_json::json!({"errors":[{"code":"429","message":"Too Many Requests"}]}),
                ),
            )
                .into_response();
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            self.lock().injected.rate_limited += 1;
            return Err(r);
        }
        if unavailable {
            self.lock().injected.unavailable += 1;
            return Err(error("503001"));
        }
        if let Some(hang) = hang {
            self.lock().injected.hung += 1;
            tokio::time::sleep(hang).await;
            return Err(error("504002"));
        }
        // `Some(true)`: dropped before acting (reads have nothing to act on).
        let drop_after = match drop {
            Some(true) => {
                self.lock().injected.dropped_before += 1;
                return Err(super::dropped_connection());
            }
            Some(false) if !matches!(kind, PathKind::Cancel | PathKind::Supplement) => {
                self.lock().injected.dropped_before += 1;
                return Err(super::dropped_connection());
            }
            Some(false) => true,
            None => false,
        };
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim);
        let Some(bearer) = bearer.filter(|b| !b.is_empty()) else {
            return Err(error("403001"));
        };
        {
            let state = self.lock();
            match state.faults.token_refusal {
                Some(TokenRefusal::Unauthorized) => {
                    return Err(errors(401, &["403001"]));
                }
                Some(TokenRefusal::Invalid) => return Err(error("403002")),
                Some(TokenRefusal::Expired) => return Err(error("403006")),
                None => {}
            }
            match state.tokens.get(bearer) {
                None => return Err(error("403002")),
                Some(exp) if Instant::now() >= *exp => return Err(error("403006")),
                Some(_) => {}
            }
        }
        let customer = headers
            .get("x-customer-number")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .unwrap_or("");
        if customer == self.inner.options.customer_number {
            Ok(Admitted { drop_after })
        } else if customer == OTHER_CUSTOMER {
            Err(error("1403"))
        } else {
            Err(error("1429"))
        }
    }
}

/// A call let through the gate.
#[derive(Debug, Clone, Copy)]
struct Admitted {
    /// Act, then drop the connection instead of answering.
    drop_after: bool,
}

impl Admitted {
    fn answer(self, sim: &VoiceSim, response: Response) -> Response {
        if self.drop_after {
            sim.lock().injected.dropped_after += 1;
            return super::dropped_connection();
        }
        response
    }
}

async fn not_found(State(sim): State<VoiceSim>) -> Response {
    sim.count(PathKind::Other);
    error("404001")
}

async fn not_allowed(State(sim): State<VoiceSim>) -> Response {
    sim.count(PathKind::Other);
    error("405001")
}

async fn token(State(sim): State<VoiceSim>, headers: HeaderMap, body: Bytes) -> Response {
    sim.count(PathKind::Token);
    let refused = || {
        (
            StatusCode::UNAUTHORIZED,
            axum::Json(serde_json::json!({
                "error": "invalid_client",
                "error_description": "User authentication failed"
            })),
        )
            .into_response()
    };
    let opts = &sim.inner.options;
    let credentials = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(base64_decode)
        .and_then(|b| String::from_utf8(b).ok());
    let expected = format!("{}:{}", opts.client_id, opts.client_secret);
    if sim.lock().faults.token_endpoint_refuses || credentials.as_deref() != Some(expected.as_str())
    {
        return refused();
    }
    let form = query_pairs(&Some(String::from_utf8_lossy(&body).into_owned()));
    if param(&form, "grant_type") != Some("client_credentials") {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({
                "error": "unsupported_grant_type",
                "error_description": "grant_type must be client_credentials"
            })),
        )
            .into_response();
    }
    let lifetime = opts.token_lifetime;
    let token = {
        let mut state = sim.lock();
        let token = random_token(&mut state.rng);
        state
            .tokens
            .insert(token.clone(), Instant::now() + lifetime);
        token
    };
    json(&serde_json::json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": lifetime.as_secs().to_string(),
    }))
}

async fn order_status(
    State(sim): State<VoiceSim>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if let Err(r) = sim.gate(PathKind::OrderStatus, &headers).await {
        return r;
    }
    let q = query_pairs(&query);
    let state = sim.lock();
    if let Some(id) = param(&q, "voiceOrderId") {
        return match state.index.get(id.trim()) {
            Some(&i) => json(&serde_json::json!({
                "pageNumber": 1,
                "pageSize": 1,
                "totalRecords": 1,
                "orders": [state.orders[i].wire()],
            })),
            None => error("20060"),
        };
    }
    let page = match param(&q, "pageNumber").map(|p| p.trim().parse::<usize>()) {
        None => 1,
        Some(Ok(p)) if p >= 1 => p,
        Some(_) => return error("20103"),
    };
    let size = match param(&q, "pageSize").map(|p| p.trim().parse::<usize>()) {
        None => 100,
        Some(Ok(s)) if (1..=1000).contains(&s) => s,
        Some(_) => return error("20104"),
    };
    let start = (page - 1).saturating_mul(size).min(state.orders.len());
    let end = start.saturating_add(size).min(state.orders.len());
    let orders: Vec<_> = state.orders[start..end]
        .iter()
        .map(SimOrder::wire)
        .collect();
    json(&serde_json::json!({
        "pageNumber": page,
        "pageSize": size,
        "totalRecords": state.orders.len(),
        "orders": orders,
    }))
}

async fn notifications(
    State(sim): State<VoiceSim>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if let Err(r) = sim.gate(PathKind::Notifications, &headers).await {
        return r;
    }
    let q = query_pairs(&query);
    let Some(id) = param(&q, "voiceOrderId")
        .map(str::trim)
        .filter(|s| !s.is_empty())
    else {
        return error("20049");
    };
    let now = sim.now();
    let oldest = now - chrono::Duration::days(180);
    let from = param(&q, "fromDate")
        .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
        .map_or(oldest, |d| d.max(oldest));
    let state = sim.lock();
    let Some(&i) = state.index.get(id) else {
        return error("20060");
    };
    let order = &state.orders[i];
    let list: Vec<_> = order
        .notifications
        .iter()
        .filter(|n| n.created >= from)
        .map(|n| WireNotification {
            voice_order_id: &order.voice_order_id,
            notification_code: &n.code,
            notification_message: &n.message,
            created_date: ts(n.created),
            rate_center: &n.rate_center,
            state: &n.state,
        })
        .collect();
    json(&serde_json::json!({ "notifications": list }))
}

fn notice(code: &str, now: DateTime<Utc>) -> SimNotification {
    SimNotification {
        code: code.into(),
        message: codes::notification_message(code).unwrap_or("").into(),
        created: now,
        rate_center: None,
        state: None,
    }
}

async fn cancel(
    State(sim): State<VoiceSim>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    match sim.gate(PathKind::Cancel, &headers).await {
        Ok(admitted) => admitted.answer(&sim, apply_cancel(&sim, &id)),
        Err(r) => r,
    }
}

fn apply_cancel(sim: &VoiceSim, id: &str) -> Response {
    let now = sim.now();
    let mut state = sim.lock();
    let Some(&i) = state.index.get(id.trim()) else {
        return error("20054");
    };
    let order = &mut state.orders[i];
    if let Err(v) = rules::check_cancel(
        &order.status,
        &order.order_type,
        order.foc_date.map(|f| f.date_naive()),
        now.date_naive(),
    ) {
        return error(v.code);
    }
    order.status = "cancelled".into();
    let backorder = order.notifications.iter().any(|n| n.code == "10001");
    let code = if order.order_type == "INVENTORY" && backorder {
        "10005"
    } else {
        "904"
    };
    order.notifications.push(notice(code, now));
    let answer =
        json(&serde_json::json!({"voiceOrderId": order.voice_order_id, "status": "cancelled"}));
    let applied = AppliedWrite {
        voice_order_id: order.voice_order_id.clone(),
        kind: PathKind::Cancel,
        body: String::new(),
        at: now,
    };
    state.applied.push(applied);
    answer
}

async fn supplement(
    State(sim): State<VoiceSim>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match sim.gate(PathKind::Supplement, &headers).await {
        Ok(admitted) => admitted.answer(&sim, apply_supplement(&sim, &id, &body)),
        Err(r) => r,
    }
}

fn apply_supplement(sim: &VoiceSim, id: &str, body: &[u8]) -> Response {
    let now = sim.now();
    let mut state = sim.lock();
    let Some(&i) = state.index.get(id.trim()) else {
        return error("20060");
    };
    let order = &mut state.orders[i];
    if let Err(v) = rules::check_supplement_order(&order.status, &order.order_type) {
        return error(v.code);
    }
    let value: serde_json::Value = match serde_json::from_slice(body) {
        Ok(v @ serde_json::Value::Object(_)) => v,
        _ => return error("20048"),
    };
    let request = rules::SupplementBody::from_value(&value);
    let violations = rules::check_supplement(&request, now);
    if !violations.is_empty() {
        let list: Vec<&str> = violations.iter().map(|v| v.code).collect();
        return errors(400, &list);
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
    let answer =
        json(&serde_json::json!({"voiceOrderId": order.voice_order_id, "status": order.status}));
    let applied = AppliedWrite {
        voice_order_id: order.voice_order_id.clone(),
        kind: PathKind::Supplement,
        body: String::from_utf8_lossy(body).into_owned(),
        at: now,
    };
    state.applied.push(applied);
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cancellable(id: &str, now: DateTime<Utc>) -> SimOrder {
        SimOrder {
            voice_order_id: id.into(),
            external_order_id: None,
            order_type: "NEW".into(),
            product_id: 2036,
            status: "in progress".into(),
            created: now - chrono::Duration::days(2),
            customer_request_date: None,
            foc_date: None,
            tn_list: vec!["3035551234".into()],
            rate_center: "DENVER".into(),
            state: "CO".into(),
            subscriber: SimSubscriber::default(),
            address: SimAddress::default(),
            notifications: Vec::new(),
        }
    }

    #[tokio::test]
    async fn dropped_connections_lose_the_answer_before_or_after_the_write() {
        let (sim, running) = VoiceSim::spawn(
            VoiceSimOptions {
                orders: 0,
                ..VoiceSimOptions::default()
            },
            0,
        )
        .await
        .unwrap();
        let ids: Vec<String> = (0..12).map(|i| format!("77{i:04}")).collect();
        for id in &ids {
            sim.insert_order(cancellable(id, sim.now()));
        }
        let config = sim.carrier_config("voice", &running.origin());
        let handle =
            crate::carriers::build(&crate::config::Config::empty(), &config, false).unwrap();
        let writer = handle.writer.clone().unwrap();
        // The token first, without faults.
        let first = handle.reader.fetch_order(&ids[0]).await.unwrap();
        sim.set_faults(Faults {
            drop_rate: 1.0,
            ..Faults::default()
        });
        for id in &ids {
            let request = crate::domain::ActionRequest {
                action: crate::domain::ActionKind::Cancel,
                params: vec![
                    ("voiceOrderId".into(), id.clone()),
                    ("body".into(), "{}".into()),
                ],
                summary: format!("cancel {id}"),
                preview: None,
            };
            let err = writer.execute(&first, &request).await.unwrap_err();
            assert!(
                matches!(
                    err,
                    crate::carriers::CarrierError::Unavailable { sent: true, .. }
                ),
                "{err:?}"
            );
            assert!(err.outcome_unknown(), "{err:?}");
        }
        let injected = sim.injected();
        assert_eq!(injected.dropped_before + injected.dropped_after, ids.len());
        assert!(
            injected.dropped_before > 0 && injected.dropped_after > 0,
            "{injected:?}"
        );
        let applied = sim.applied();
        assert_eq!(applied.len(), injected.dropped_after, "{applied:?}");
        for id in &ids {
            let cancelled = sim.status(id).as_deref() == Some("cancelled");
            let recorded = applied
                .iter()
                .any(|a| &a.voice_order_id == id && a.kind == PathKind::Cancel);
            assert_eq!(cancelled, recorded, "{id}");
        }
        // Reads are dropped before anything, and retried by the client.
        let err = handle.reader.fetch_order(&ids[0]).await.unwrap_err();
        assert_eq!(err.category(), "unavailable", "{err}");
        assert_eq!(sim.applied().len(), applied.len());
    }

    #[test]
    fn base64_and_percent_decoding() {
        assert_eq!(
            base64_decode("aWQ6c2VjcmV0").as_deref(),
            Some(&b"id:secret"[..])
        );
        assert_eq!(base64_decode("YQ==").as_deref(), Some(&b"a"[..]));
        assert_eq!(base64_decode("*"), None);
        assert_eq!(percent_decode("a%20b+c%2"), "a b c%2");
    }

    #[test]
    fn generated_data_covers_every_type_and_status() {
        let now = Utc::now();
        let orders = data::generate(200, 7, now);
        assert_eq!(orders.len(), 200);
        for t in data::ORDER_TYPES {
            for s in data::STATUSES {
                assert!(
                    orders.iter().any(|o| o.order_type == *t && o.status == *s),
                    "{t} {s}"
                );
            }
        }
        assert!(orders.iter().any(|o| o.foc_date.is_some()));
        for code in ["10001", "1807", "903"] {
            assert!(
                orders
                    .iter()
                    .any(|o| o.notifications.iter().any(|n| n.code == code)),
                "{code}"
            );
        }
        assert!(
            orders
                .iter()
                .all(|o| o.notifications.iter().all(|n| n.created <= now))
        );
        assert!(orders.windows(2).all(|w| w[0].created >= w[1].created));
    }

    #[test]
    fn same_seed_same_data() {
        let now = Utc::now();
        assert_eq!(data::generate(50, 3, now), data::generate(50, 3, now));
    }
}
