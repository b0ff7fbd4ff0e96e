//! The `lumen-voice` carrier kind: Lumen Voice LI/ELS (document 002) with the
//! wire details of CONTRACTS.md "lumen-voice".
//!
//! Parts:
//! - `codes`: the document's notification and error tables, verbatim.
//! - `wire`: tolerant JSON reading (ORDER, pages, notifications, errors).
//! - `normalize`: ORDER + notifications -> `Order` (stage mapping, columns).
//! - `notify`: notifications -> log entries and attention reasons.
//! - `webhook`: the PartnerNotification XML payload -> the same log entries.
//! - `rules`: the document's local validation rules, shared with the simulator.
//! - `profile`: availability, the cancel and supplement dialogs, validation.
//! - `client` / `reader` / `writer`: HTTP (OAuth2 via `carriers::oauth`).
//!
//! What the document left open and the choice made is written in each
//! module's docs; in short: the list endpoint and shapes are CONTRACTS.md's,
//! dates are compared in UTC, business days are Mon-Fri without holidays,
//! only changed supplement groups are sent, the FOC date is shown in the
//! service column, and the cursor is a per-order hash (no "changed since"
//! listing exists).
//!
//! Its own config keys are read by `config` ([`VoiceConfig`]); [`ENTRY`] is
//! its line in the carrier registry, with [`simulate`] starting
//! `sim::lumen_voice` for `demo` and `sim`.
//!
//! Must not: send anything in read-only mode (no writer is built), show or
//! log the client secret or a token, or panic on carrier input.

pub mod client;
pub mod codes;
pub mod config;
pub mod normalize;
pub mod notify;
pub mod profile;
pub mod reader;
pub mod rules;
pub mod webhook;
pub mod wire;
pub mod writer;

use std::io;
use std::sync::Arc;

use futures::future::BoxFuture;

use crate::carriers::http::{Http, HttpSettings};
use crate::carriers::oauth::TokenCache;
use crate::carriers::registry::{Kind, SimStart, StartedSim, toml_string};
use crate::carriers::{CarrierError, CarrierHandle, CarrierWriter, PollPlan, secret};
use crate::config::{CarrierConfig, Config};
use crate::sim::lumen_voice::{Faults, VoiceSim, VoiceSimOptions};

pub use client::{API_PREFIX, DEFAULT_PAGE_SIZE};
pub use config::VoiceConfig;
pub use normalize::STATUSES;
pub use profile::VoiceProfile;
pub use webhook::{PartnerNotification, parse_partner_notification};

pub const KIND: &str = "lumen-voice";

/// The kind's line in the carrier registry.
pub const ENTRY: Kind = Kind {
    name: KIND,
    read_config: config::read,
    build,
    simulate,
    demo_name: "voice",
    demo_orders: 200,
};

/// Builds a Voice carrier. Resolves the client secret now (a command runs
/// once, with a timeout). The writer exists only when `readonly` is false.
pub fn build(
    _config: &Config,
    carrier: &CarrierConfig,
    readonly: bool,
) -> Result<CarrierHandle, CarrierError> {
    let settings = carrier
        .settings::<VoiceConfig>()
        .cloned()
        .unwrap_or_default();
    // What is missing is `VoiceConfig::missing`'s to say, as at config time.
    let missing = settings.missing();
    let (Some(customer_number), Some(client_id), Some(source), None) = (
        settings.customer_number.as_deref(),
        settings.client_id.as_deref(),
        settings.client_secret.as_ref(),
        missing.first(),
    ) else {
        return Err(CarrierError::Local(format!(
            "carrier {:?} of kind {KIND} needs {}",
            carrier.name,
            missing.first().copied().unwrap_or("client_secret")
        )));
    };
    let client_secret = secret::resolve(source, "client_secret")?;

    let base = carrier.base_url.trim().trim_end_matches('/').to_owned();
    let token_url = settings
        .token_url
        .clone()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| format!("{base}/oauth/token"));
    let http = Http::new(HttpSettings {
        timeout: carrier.timeout,
        max_concurrency: carrier.max_concurrency.max(1),
        ..HttpSettings::default()
    })?;
    let tokens = Arc::new(TokenCache::new(
        http.clone(),
        token_url,
        client_id.trim(),
        client_secret,
    ));
    let name: Arc<str> = carrier.name.as_str().into();
    let client = Arc::new(client::VoiceClient {
        name: name.clone(),
        http,
        tokens,
        api: format!("{base}{API_PREFIX}"),
        customer_number: customer_number.trim().to_owned(),
        page_size: settings.page_size.unwrap_or(DEFAULT_PAGE_SIZE).max(1),
        concurrency: carrier.max_concurrency.max(1),
    });
    // Fail now, not at the first poll, when base_url cannot carry the API path.
    client.url(&["orderStatus"])?;
    let writer: Option<Arc<dyn CarrierWriter>> = if readonly {
        None
    } else {
        Some(Arc::new(writer::VoiceWriter {
            client: client.clone(),
        }))
    };
    Ok(CarrierHandle {
        name,
        profile: Arc::new(VoiceProfile::new(readonly)),
        reader: Arc::new(reader::VoiceReader { client }),
        writer,
        plan: PollPlan {
            interval: carrier.refresh,
            quiet_hours: carrier.quiet_hours,
        },
    })
}

/// Starts the Voice simulator for `demo` and `sim` (the registry's
/// `simulate`). It answers writes at once (`write_delay` does not apply).
pub fn simulate(start: SimStart) -> BoxFuture<'static, io::Result<StartedSim>> {
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
            if let Some(number) = &settings.customer_number {
                toml.push_str(&format!("customer_number = {}\n", toml_string(number)));
            }
            if let Some(id) = &settings.client_id {
                toml.push_str(&format!("client_id = {}\n", toml_string(id)));
            }
        }
        // The simulator's secret is no secret; a command keeps the file shareable.
        let command = format!("echo {}", sim.options().client_secret);
        toml.push_str(&format!("client_secret_cmd = {}\n", toml_string(&command)));
        Ok(StartedSim {
            server,
            config,
            toml,
        })
    })
}
