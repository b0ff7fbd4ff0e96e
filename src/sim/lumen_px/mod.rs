//! Lumen PX OrderInfo simulator: the token endpoint and the three POST
//! endpoints of CONTRACTS.md "lumen-px", served on loopback. It knows the
//! adapter only through the wire, sharing with it the document's error
//! table (`codes`), the status vocabulary and the window rules.
//!
//! - `POST /oauth/token`: HTTP Basic client id/secret (401 `invalid_client`
//!   otherwise), form `grant_type=client_credentials`; `expires_in` is sent
//!   as a string. Tokens expire after `token_lifetime`
//!   ([`PxSim::expire_tokens`] expires them at once).
//! - Every PX call: the fault knobs first (latency; every Nth call 429 with
//!   `Retry-After`; 500; 503; a hang then 504; a dropped connection), then
//!   `Authorization: Bearer` (missing, unknown or expired: 401 with a
//!   gateway `fault` body and no `internalMessageCode`), then the
//!   document's validation with its error table (HTTP 401 or 410,
//!   `{"status","internalMessageCode","message"}`, the message ending in
//!   `; TxId<...>`).
//! - `pxNewOrders`: 2000 bad sales code, 2030 missing or unknown partner,
//!   2080 missing or bad `MM/DD/YYYY` dates (or `toDate` not after
//!   `fromDate`), 2090 a span over 7 days, 2295 a missing or bad source
//!   list. Lists the orders placed in `[fromDate, toDate)` (UTC dates) from
//!   those sources, each with the status it had when placed (so a later
//!   change shows in `pxOpenOrders` first).
//! - `pxOpenOrders`: 2245 partner, 2250 sales code. Every active order and
//!   every terminal one for 7 days after its status date, as of now.
//! - `pxOrderDetail`: 2285 nothing given, 2260 bad sales code, 2285/2255
//!   no id, 2265 no match (or an order hidden with
//!   [`PxSim::hide_detail`]). One PXORDER with `lineItems`; calls are counted
//!   per order ([`PxSim::detail_requests`]).
//! - Anything else: 404.
//!
//! A truncated answer is JSON cut off part-way; a malformed one a gateway's
//! HTML page with status 200; a late drop on these reads is an early one.
//! `token_refusal` answers every PX call 401; `token_endpoint_refuses`
//! answers the token endpoint 401.
//!
//! The clock is `now` from the options plus the time since start plus what
//! [`PxSim::advance`] added, so orders move through their timelines.

pub mod data;
mod routes;
mod state;

use futures::future::BoxFuture;

use super::{SimStart, StartedSim};
use crate::sim::oauth;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use chrono::{DateTime, Utc};

use crate::carriers::lumen_px::{KIND, PxConfig};
use crate::config::{CarrierConfig, SecretSource};

use super::RunningSim;
pub use super::faults::{Faults, Injected, TokenRefusal};
use state::SimState;
pub use state::{SimProduct, SimPxAddress, SimPxOrder, TERMINAL_VISIBLE_DAYS};

/// How the simulator starts.
#[derive(Debug, Clone)]
pub struct PxSimOptions {
    pub orders: usize,
    pub seed: u64,
    pub partner_id: String,
    pub sales_codes: Vec<String>,
    pub client_id: String,
    pub client_secret: String,
    pub token_lifetime: Duration,
    pub faults: Faults,
    pub now: DateTime<Utc>,
}

impl Default for PxSimOptions {
    fn default() -> Self {
        PxSimOptions {
            orders: 120,
            seed: 3,
            partner_id: "PXPARTNER01".into(),
            sales_codes: vec!["SC1001".into(), "SC1002".into()],
            client_id: "px-sim-client".into(),
            client_secret: "sim-px-secret".into(),
            token_lifetime: Duration::from_secs(3599),
            faults: Faults::default(),
            now: Utc::now(),
        }
    }
}

/// Which endpoint a request was for (for the counters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PathKind {
    Token,
    NewOrders,
    OpenOrders,
    OrderDetail,
    Other,
}

struct Inner {
    options: PxSimOptions,
    started: Instant,
    offset: Mutex<chrono::Duration>,
    state: Mutex<SimState>,
}

/// A running (or routable) PX simulator. Cheap to clone.
#[derive(Clone)]
pub struct PxSim {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for PxSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PxSim")
            .field("orders", &self.lock().orders.len())
            .finish()
    }
}

impl PxSim {
    pub fn new(options: PxSimOptions) -> PxSim {
        let orders = data::generate(
            options.orders,
            options.seed,
            options.now,
            &options.sales_codes,
        );
        let state = SimState::new(orders, options.faults.clone(), options.seed);
        PxSim {
            inner: Arc::new(Inner {
                options,
                started: Instant::now(),
                offset: Mutex::new(chrono::Duration::zero()),
                state: Mutex::new(state),
            }),
        }
    }

    /// Starts serving on `127.0.0.1:port` (0 = any free port).
    pub async fn spawn(options: PxSimOptions, port: u16) -> std::io::Result<(PxSim, RunningSim)> {
        let sim = PxSim::new(options);
        let running = super::serve(sim.router(), port).await?;
        Ok((sim, running))
    }

    pub fn router(&self) -> Router {
        Router::new()
            .route("/oauth/token", post(routes::token))
            .route(
                "/PartnerExperience/v1/pxNewOrders",
                post(routes::new_orders),
            )
            .route(
                "/PartnerExperience/v1/pxOpenOrders",
                post(routes::open_orders),
            )
            .route(
                "/PartnerExperience/v1/pxOrderDetail",
                post(routes::order_detail),
            )
            .fallback(routes::not_found)
            .with_state(self.clone())
    }

    fn lock(&self) -> MutexGuard<'_, SimState> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn options(&self) -> &PxSimOptions {
        &self.inner.options
    }

    /// The simulator's clock.
    pub fn now(&self) -> DateTime<Utc> {
        let elapsed = chrono::Duration::from_std(self.inner.started.elapsed())
            .unwrap_or_else(|_| chrono::Duration::zero());
        let offset = *self.inner.offset.lock().unwrap_or_else(|p| p.into_inner());
        self.inner.options.now + elapsed + offset
    }

    /// Moves the clock on (orders follow their timelines).
    pub fn advance(&self, by: chrono::Duration) {
        *self.inner.offset.lock().unwrap_or_else(|p| p.into_inner()) += by;
    }

    /// A carrier config that talks to this simulator at `origin`.
    pub fn carrier_config(&self, name: &str, origin: &str) -> CarrierConfig {
        let o = &self.inner.options;
        CarrierConfig::new(name, KIND, origin).with_settings(PxConfig {
            client_id: Some(o.client_id.clone()),
            client_secret: Some(SecretSource::Inline(o.client_secret.clone().into())),
            partner_id: Some(o.partner_id.clone()),
            ..PxConfig::default()
        })
    }

    pub fn requests(&self, kind: PathKind) -> usize {
        self.lock().counts.get(&kind).copied().unwrap_or(0)
    }

    pub fn token_requests(&self) -> usize {
        self.requests(PathKind::Token)
    }

    /// `pxOrderDetail` calls that named this order.
    pub fn detail_requests(&self, partner_order_id: &str) -> usize {
        self.lock()
            .details
            .get(partner_order_id)
            .copied()
            .unwrap_or(0)
    }

    pub fn injected(&self) -> Injected {
        self.lock().dice.injected()
    }

    pub fn set_faults(&self, faults: Faults) {
        self.lock().dice.set_faults(faults);
    }

    /// Makes every token issued so far expired.
    pub fn expire_tokens(&self) {
        let past = Instant::now();
        for exp in self.lock().tokens.values_mut() {
            *exp = past;
        }
    }

    pub fn orders(&self) -> Vec<SimPxOrder> {
        self.lock().orders.clone()
    }

    pub fn order(&self, id: &str) -> Option<SimPxOrder> {
        self.lock()
            .orders
            .iter()
            .find(|o| o.partner_order_id == id)
            .cloned()
    }

    /// The status of an order now.
    pub fn status(&self, id: &str) -> Option<String> {
        let now = self.now();
        self.order(id).map(|o| o.status_at(now).0.to_owned())
    }

    /// Moves an order to `status` as of now (later timeline entries are
    /// dropped).
    pub fn set_status(&self, id: &str, status: &str) {
        let now = self.now();
        let mut state = self.lock();
        if let Some(o) = state.orders.iter_mut().find(|o| o.partner_order_id == id) {
            o.history.retain(|(at, _)| *at <= now);
            o.history.push((now, status.to_owned()));
        }
    }

    /// Makes `pxOrderDetail` answer 2265 (no order matching) for this
    /// order, which the lists still show.
    pub fn hide_detail(&self, id: &str) {
        self.lock().detail_missing.insert(id.to_owned());
    }

    /// Adds an order, or replaces the one with the same id.
    pub fn insert_order(&self, order: SimPxOrder) {
        self.lock().insert(order);
    }

    fn count(&self, kind: PathKind) {
        self.lock().count(kind);
    }
}

/// Starts the PX simulator for `demo` and `sim` (quiet hours off there).
pub fn simulate(start: SimStart) -> BoxFuture<'static, std::io::Result<StartedSim>> {
    Box::pin(async move {
        let options = PxSimOptions {
            orders: start.orders,
            seed: start.seed,
            faults: Faults {
                latency: start.latency,
                ..Faults::default()
            },
            now: start.now,
            ..PxSimOptions::default()
        };
        let (sim, server) = PxSim::spawn(options, start.port).await?;
        let mut config = sim.carrier_config(&start.name, &server.origin());
        config.quiet_hours_off = true;
        let mut toml = String::from("quiet_hours = \"\"\n");
        if let Some(settings) = config.settings::<PxConfig>() {
            oauth::push_keys(
                &mut toml,
                &[
                    ("client_id", settings.client_id.as_deref()),
                    ("partner_id", settings.partner_id.as_deref()),
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
    use crate::carriers::lumen_px::normalize::status_def;

    #[test]
    fn generated_data_covers_every_status_and_source() {
        let now = Utc::now();
        let codes = vec!["A".to_owned(), "B".to_owned()];
        let orders = data::generate(120, 7, now, &codes);
        for s in data::STATUSES {
            assert!(orders.iter().any(|o| o.status_at(now).0 == *s), "{s}");
        }
        for src in data::SOURCES {
            assert!(orders.iter().any(|o| o.source == *src), "{src}");
        }
        assert!(orders.iter().all(|o| match o.source.as_str() {
            "UI" => o.partner_order_id.starts_with('U'),
            "Phone" => o.partner_order_id.starts_with('E'),
            _ => o.partner_order_id.starts_with("PX"),
        }));
        assert!(orders.iter().all(|o| o.order_date <= now));
        // Some orders move on after now; some terminal ones left openOrders.
        assert!(
            orders
                .iter()
                .any(|o| o.history.iter().any(|(at, _)| *at > now))
        );
        assert!(orders.iter().any(|o| {
            status_def(o.status_at(now).0).is_some_and(|d| d.terminal) && !o.open_at(now)
        }));
        assert_eq!(
            data::generate(30, 3, now, &codes),
            data::generate(30, 3, now, &codes)
        );
    }
}
