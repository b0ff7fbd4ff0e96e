//! Lumen Voice simulator: the token endpoint and the Voice endpoints of
//! CONTRACTS.md "lumen-voice", served on loopback. It is an independent HTTP
//! server (it knows the adapter only through the wire), sharing with the
//! adapter just the document's tables (`codes`) and rule checks (`rules`),
//! so both answer every rule with the same code.
//!
//! - `POST /oauth/token`: HTTP Basic client id/secret (401 `invalid_client`
//!   otherwise), form `grant_type=client_credentials` (400
//!   `unsupported_grant_type` otherwise); answers `expires_in` as a string,
//!   as Apigee does. Tokens expire after `token_lifetime`
//!   ([`VoiceSim::expire_tokens`] expires them at once).
//! - Every Voice call: fault knobs first (latency, every Nth call 429 with
//!   `Retry-After` (1 s by default), 500 `500001`, 503 `503001`, a hang
//!   then 504 `504002`, a dropped connection), then
//!   `Authorization: Bearer` (none: 403 `403001`; unknown: 403 `403002`;
//!   expired: 403 `403006`), then `x-customer-number` (missing or unknown:
//!   400 `1429`; a customer number Lumen knows but not for these
//!   credentials, such as the document's `1-ABC-23`: 400 `1403`).
//! - `GET /Voice/v1/Numbers/orderStatus?pageNumber&pageSize` (newest first;
//!   bad page 20103, bad size 20104, size at most 1000) or `?voiceOrderId=`
//!   (unknown: 20060). [`VoiceSim::set_lying_total`] makes the list lie:
//!   that `totalRecords`, and page 1 whatever page is asked.
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
//! Faults are the shared [`Faults`] (see [`crate::sim::faults`]), decided
//! per Voice call by the state's fault dice. A dropped
//! connection (`drop_rate`) answers nothing at all (see
//! [`crate::sim::dropped_connection`]): half of them before the call is
//! acted on, half after (a cancel or supplement is then applied, or
//! refused, and its answer lost; a read has nothing to act on, so its late
//! drop is an early one). A truncated answer is JSON cut off part-way; a
//! malformed one is a gateway's HTML page with status 200. `token_refusal`
//! answers every Voice call 401, 403 `403002` or 403 `403006` (expired);
//! `token_endpoint_refuses` answers the token endpoint 401. Every applied
//! write is
//! kept in [`VoiceSim::applied`], and [`VoiceSim::injected`] counts the
//! faults served, so tests can check a client's account of its writes
//! against what really happened.
//!
//! `routes` answers the wire, `state` holds the orders and the rules that
//! change them, `data` generates the seeded orders.
//!
//! The clock is `now` from the options plus the time since start, so tests
//! get fixed dates and the demo gets real ones.

pub mod data;
mod routes;
mod state;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};

use crate::carriers::lumen_voice::KIND;
use crate::config::{CarrierConfig, SecretSource};

use futures::future::BoxFuture;

pub use super::faults::{Faults, Injected, TokenRefusal};
use super::{RunningSim, SimStart, StartedSim};
use crate::carriers::lumen_voice::VoiceConfig;
use crate::sim::oauth;
use state::SimState;
pub use state::{SimAddress, SimNotification, SimOrder, SimSubscriber};

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

impl VoiceSim {
    pub fn new(options: VoiceSimOptions) -> VoiceSim {
        let orders = data::generate(options.orders, options.seed, options.now);
        let state = SimState::new(orders, options.faults.clone(), options.seed);
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
            .route("/oauth/token", post(routes::token))
            .route("/Voice/v1/Numbers/orderStatus", get(routes::order_status))
            .route(
                "/Voice/v1/Numbers/notifications",
                get(routes::notifications),
            )
            .route("/Voice/v1/Numbers/order/{id}/cancel", post(routes::cancel))
            .route(
                "/Voice/v1/Numbers/order/{id}/supplement",
                post(routes::supplement),
            )
            .fallback(routes::not_found)
            .method_not_allowed_fallback(routes::not_allowed)
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
        self.lock().dice.injected()
    }

    /// The fault knobs as they are now.
    pub fn faults(&self) -> Faults {
        self.lock().dice.faults().clone()
    }

    /// Changes the fault knobs at runtime.
    pub fn set_faults(&self, faults: Faults) {
        self.lock().dice.set_faults(faults);
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
        self.lock().order(id).cloned()
    }

    pub fn status(&self, id: &str) -> Option<String> {
        self.order(id).map(|o| o.status)
    }

    pub fn notifications(&self, id: &str) -> Vec<SimNotification> {
        self.order(id).map(|o| o.notifications).unwrap_or_default()
    }

    /// Makes the list lie (`Some`): it claims this `totalRecords` and
    /// answers page 1 whatever page is asked; `None` tells the truth again.
    pub fn set_lying_total(&self, total: Option<u64>) {
        self.lock().lying_total = total;
    }

    /// Adds an order, or replaces the one with the same id.
    pub fn insert_order(&self, order: SimOrder) {
        self.lock().insert(order);
    }

    fn count(&self, kind: PathKind) {
        self.lock().count(kind);
    }
}

/// Starts the Voice simulator for `demo` and `sim` (the registry's
/// `simulate`). It answers writes at once (`write_delay` does not apply).
pub fn simulate(start: SimStart) -> BoxFuture<'static, std::io::Result<StartedSim>> {
    Box::pin(async move {
        let options = VoiceSimOptions {
            orders: start.orders,
            seed: start.seed,
            faults: Faults {
                latency: start.latency,
                ..Faults::default()
            },
            now: start.now,
            ..VoiceSimOptions::default()
        };
        let (sim, server) = VoiceSim::spawn(options, start.port).await?;
        let config = sim.carrier_config(&start.name, &server.origin());
        let mut toml = String::new();
        if let Some(settings) = config.settings::<VoiceConfig>() {
            oauth::push_keys(
                &mut toml,
                &[
                    ("customer_number", settings.customer_number.as_deref()),
                    ("client_id", settings.client_id.as_deref()),
                ],
            );
        }
        oauth::push_secret_cmd(&mut toml, &sim.options().client_secret);
        Ok(StartedSim {
            server,
            config,
            toml,
        })
    })
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
            crate::registry::build(&crate::config::Config::empty(), &config, false).unwrap();
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

    #[tokio::test]
    async fn spoiled_answers_fail_the_read_and_are_counted() {
        let (sim, running) = VoiceSim::spawn(
            VoiceSimOptions {
                orders: 3,
                ..VoiceSimOptions::default()
            },
            0,
        )
        .await
        .unwrap();
        let id = sim.orders()[0].voice_order_id.clone();
        let config = sim.carrier_config("voice", &running.origin());
        let handle =
            crate::registry::build(&crate::config::Config::empty(), &config, false).unwrap();
        handle.reader.fetch_order(&id).await.unwrap();
        for (faults, what) in [
            (
                Faults {
                    truncate_rate: 1.0,
                    ..Faults::default()
                },
                "truncated",
            ),
            (
                Faults {
                    malformed_rate: 1.0,
                    ..Faults::default()
                },
                "malformed",
            ),
        ] {
            sim.set_faults(faults);
            let err = handle.reader.fetch_order(&id).await.unwrap_err();
            assert_eq!(err.category(), "protocol", "{what}: {err}");
        }
        let injected = sim.injected();
        assert!(
            injected.truncated > 0 && injected.malformed > 0,
            "{injected:?}"
        );
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
