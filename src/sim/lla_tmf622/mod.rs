//! LLA TMF-622 simulator: the Hybris UX reads and the b2bsoft PayLink
//! PATCH of CONTRACTS.md "lla-tmf622", for every market it is given (PR,
//! JM, PA, CR by default), served on loopback. It knows the adapter only
//! through the wire (it shares the unscheduled sentinel and the parser its
//! own data is checked with).
//!
//! - `GET /ecom-ux/v1/{market}/productOrder?offset=&limit=[&state=]`: a JSON
//!   array of ProductOrder with `X-Total-Count` and `X-Result-Count`;
//!   `limit` is capped at [`LlaSimOptions::max_limit`] (50), so paging is
//!   exercised; `state` filters in any case. An unknown market: 404.
//! - `GET /ecom-ux/v1/{market}/productOrder/{id}`: the order, 404 (the
//!   document's body) when unknown, or for some orders HTTP 400 with a
//!   `2099 | CODE - TEXT|` description (document 003's errors).
//! - `PATCH /b2bsoft-ux/v1/{market}/productOrder/{id}`: document 004's
//!   rules (400 with its body: channel, productOrderItem, action `add`,
//!   payment id, name `PayLink` or `Paylink`), 404 for an unknown order,
//!   501 for a market it does not serve; saves the link
//!   ([`LlaSim::paylinks`]; the Hybris order does not show it, as in the
//!   real API). `POST` to a list: 405 with the document's body.
//! - Headers: Hybris `client-id`/`client-secret` (401 with document 004's
//!   body when missing or wrong), `correlationId`, `lob: FIXED`,
//!   `channelId` (400 when missing); b2bsoft `client_id`/`client_secret`
//!   (underscores: the hyphen spelling is refused with 401) and
//!   `X-Correlation-ID`. Correlation ids are recorded per API.
//! - Faults (the shared knobs): rolled per request before the headers, keyed
//!   by market for reads (so [`LlaSim::force_market`] fails one market:
//!   429 or 503 with `Retry-After`, 500, a hang then 504, a dropped
//!   connection) and by order id for the PATCH (a late drop there is a
//!   saved link whose answer is lost). Truncated answers are JSON cut off;
//!   malformed ones a gateway's HTML page.

pub mod data;
mod routes;
mod state;

use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::routing::{get, patch};
use chrono::{DateTime, Utc};
use futures::future::BoxFuture;

use super::{RunningSim, SimStart, StartedSim};
use crate::carriers::lla_tmf622::{KIND, LlaConfig};
use crate::config::{CarrierConfig, SecretSource, toml_string};
use crate::sim::oauth;

pub use super::faults::{Fault, Faults, Injected};
pub use data::SimOrder;
use state::SimState;
pub use state::{PathKind, SavedPayLink};

/// How the simulator starts.
#[derive(Debug, Clone)]
pub struct LlaSimOptions {
    pub orders: usize,
    pub seed: u64,
    pub markets: Vec<String>,
    pub client_id: String,
    pub client_secret: String,
    pub paylink_client_id: String,
    pub paylink_client_secret: String,
    /// The most orders one page holds, whatever `limit` asks.
    pub max_limit: usize,
    pub faults: Faults,
    pub now: DateTime<Utc>,
}

impl Default for LlaSimOptions {
    fn default() -> Self {
        LlaSimOptions {
            orders: 160,
            seed: 9,
            markets: ["PR", "JM", "PA", "CR"].map(String::from).to_vec(),
            client_id: "lla-sim-client".into(),
            client_secret: "sim-lla-secret".into(),
            paylink_client_id: "lla-sim-paylink".into(),
            paylink_client_secret: "sim-paylink-secret".into(),
            max_limit: 50,
            faults: Faults::default(),
            now: Utc::now(),
        }
    }
}

struct Inner {
    options: LlaSimOptions,
    state: Mutex<SimState>,
}

/// A running (or routable) LLA simulator. Cheap to clone.
#[derive(Clone)]
pub struct LlaSim {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for LlaSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlaSim")
            .field("orders", &self.lock().orders.len())
            .finish()
    }
}

impl LlaSim {
    pub fn new(options: LlaSimOptions) -> LlaSim {
        let orders = data::generate(options.orders, options.seed, options.now, &options.markets);
        let state = SimState::new(orders, options.faults.clone(), options.seed);
        LlaSim {
            inner: Arc::new(Inner {
                options,
                state: Mutex::new(state),
            }),
        }
    }

    /// Starts serving on `127.0.0.1:port` (0 = any free port).
    pub async fn spawn(options: LlaSimOptions, port: u16) -> std::io::Result<(LlaSim, RunningSim)> {
        let sim = LlaSim::new(options);
        let running = super::serve(sim.router(), port).await?;
        Ok((sim, running))
    }

    pub fn router(&self) -> Router {
        Router::new()
            .route(
                "/ecom-ux/v1/{market}/productOrder",
                get(routes::list).post(routes::post_list),
            )
            .route(
                "/ecom-ux/v1/{market}/productOrder/{id}",
                get(routes::detail),
            )
            .route(
                "/b2bsoft-ux/v1/{market}/productOrder",
                axum::routing::post(routes::post_list),
            )
            .route(
                "/b2bsoft-ux/v1/{market}/productOrder/{id}",
                patch(routes::paylink),
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

    pub fn options(&self) -> &LlaSimOptions {
        &self.inner.options
    }

    /// A carrier config that talks to this simulator at `origin`, every
    /// market, its own PayLink credentials.
    pub fn carrier_config(&self, name: &str, origin: &str) -> CarrierConfig {
        let o = &self.inner.options;
        CarrierConfig::new(name, KIND, origin).with_settings(LlaConfig {
            markets: o.markets.clone(),
            client_id: Some(o.client_id.clone()),
            client_secret: Some(SecretSource::Inline(o.client_secret.clone().into())),
            paylink_client_id: Some(o.paylink_client_id.clone()),
            paylink_client_secret: Some(SecretSource::Inline(
                o.paylink_client_secret.clone().into(),
            )),
            ..LlaConfig::default()
        })
    }

    pub fn requests(&self, kind: PathKind) -> usize {
        self.lock().counts.get(&kind).copied().unwrap_or(0)
    }

    pub fn injected(&self) -> Injected {
        self.lock().dice.injected()
    }

    pub fn set_faults(&self, faults: Faults) {
        self.lock().dice.set_faults(faults);
    }

    /// Makes every read of `market` fail with `fault` (`None` heals it).
    pub fn force_market(&self, market: &str, fault: Option<Fault>) {
        self.lock().dice.force(market, fault);
    }

    /// Makes every PATCH of order `id` fail with `fault` (`None` heals it).
    pub fn force_order(&self, id: &str, fault: Option<Fault>) {
        self.lock().dice.force(id, fault);
    }

    pub fn orders(&self) -> Vec<SimOrder> {
        self.lock().orders.clone()
    }

    /// Adds an order, or replaces the one of the same market and id.
    pub fn insert_order(&self, order: SimOrder) {
        self.lock().insert(order);
    }

    /// The pay links saved, oldest first.
    pub fn paylinks(&self) -> Vec<SavedPayLink> {
        self.lock().paylinks.clone()
    }

    /// `correlationId`s of the Hybris requests that passed the headers.
    pub fn hybris_correlation_ids(&self) -> Vec<String> {
        self.lock().hybris_correlation.clone()
    }

    /// `X-Correlation-ID`s of the b2bsoft requests that passed the headers.
    pub fn b2bsoft_correlation_ids(&self) -> Vec<String> {
        self.lock().b2bsoft_correlation.clone()
    }

    /// Sends this `X-Total-Count` instead of the truth (`None`: the truth).
    pub fn lie_about_total(&self, total: Option<usize>) {
        self.lock().total_lie = total;
    }

    /// Answers every page as the first one (`offset` ignored).
    pub fn ignore_offset(&self, on: bool) {
        self.lock().ignore_offset = on;
    }
}

/// Starts the LLA simulator for `demo` and `sim`.
pub fn simulate(start: SimStart) -> BoxFuture<'static, std::io::Result<StartedSim>> {
    Box::pin(async move {
        let options = LlaSimOptions {
            orders: start.orders,
            seed: start.seed,
            faults: Faults {
                latency: start.latency,
                write_answer_delay: start.write_delay,
                ..Faults::default()
            },
            now: start.now,
            ..LlaSimOptions::default()
        };
        let (sim, server) = LlaSim::spawn(options, start.port).await?;
        let config = sim.carrier_config(&start.name, &server.origin());
        let o = sim.options();
        let markets: Vec<String> = o.markets.iter().map(|m| toml_string(m)).collect();
        let mut toml = format!("markets = [{}]\n", markets.join(", "));
        oauth::push_keys(
            &mut toml,
            &[
                ("client_id", Some(o.client_id.as_str())),
                ("paylink_client_id", Some(o.paylink_client_id.as_str())),
            ],
        );
        oauth::push_secret_cmd(&mut toml, &o.client_secret);
        toml.push_str(&format!(
            "paylink_client_secret_cmd = {}\n",
            toml_string(&format!("echo {}", o.paylink_client_secret))
        ));
        Ok(StartedSim {
            server,
            config,
            toml,
        })
    })
}
