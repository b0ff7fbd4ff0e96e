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
//! - `client` / `reader` / `writer`: HTTP (OAuth2 via `carriers::oauth_api`).
//!
//! What the document left open and the choice made is written in each
//! module's docs; in short: the list endpoint and shapes are CONTRACTS.md's,
//! dates are compared in UTC, business days are Mon-Fri without holidays,
//! only changed supplement groups are sent, the FOC date is shown in the
//! service column, and the cursor is a per-order hash (no "changed since"
//! listing exists).
//!
//! Its own config keys are read by `config` ([`VoiceConfig`]); [`ADAPTER`] is its
//! part of the kind's line in `crate::registry` (the simulator,
//! `sim::lumen_voice`, is the other part).
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

use std::sync::Arc;

use crate::carriers::budget::{Clock, RefreshPolicy, system_clock};
use crate::carriers::oauth_api::{self, OAuthJsonApi};
use crate::carriers::{Adapter, CarrierProfile};
use crate::carriers::{CarrierError, CarrierHandle, CarrierWriter, PollPlan, secret};
use crate::config::{CarrierConfig, Config};

pub use client::{API_PREFIX, DEFAULT_PAGE_SIZE};
pub use config::VoiceConfig;
pub use normalize::STATUSES;
pub use profile::VoiceProfile;
pub use reader::DEFAULT_MAX_REQUESTS_PER_MINUTE;
pub use webhook::{PartnerNotification, parse_partner_notification};

pub const KIND: &str = "lumen-voice";

/// The adapter's part of the kind's registry line (`crate::registry`).
pub const ADAPTER: Adapter = Adapter {
    name: KIND,
    read_config: config::read,
    build,
    team_profile,
    demo_name: "voice",
    demo_orders: 200,
};

/// The profile of a carrier known from the team store.
fn team_profile(readonly: bool) -> Option<Arc<dyn CarrierProfile>> {
    Some(Arc::new(VoiceProfile::new(readonly)))
}

/// Builds a Voice carrier. Resolves the client secret now (a command runs
/// once, with a timeout). The writer exists only when `readonly` is false.
pub fn build(
    config: &Config,
    carrier: &CarrierConfig,
    readonly: bool,
) -> Result<CarrierHandle, CarrierError> {
    build_with_clock(config, carrier, readonly, system_clock())
}

/// [`build`] with the reader's clock given (tests run an hour of polls in
/// moments).
pub fn build_with_clock(
    _config: &Config,
    carrier: &CarrierConfig,
    readonly: bool,
    clock: Clock,
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
        return Err(oauth_api::needs(carrier, KIND, &missing));
    };
    let client_secret = secret::resolve(source, "client_secret")?;

    let api = OAuthJsonApi::connect(
        carrier,
        settings.token_url.as_deref(),
        client_id,
        client_secret,
        API_PREFIX,
    )?;
    let name: Arc<str> = carrier.name.as_str().into();
    let client = Arc::new(client::VoiceClient {
        name: name.clone(),
        api,
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
        reader: Arc::new(reader::VoiceReader::new(
            client,
            RefreshPolicy::of(carrier, DEFAULT_MAX_REQUESTS_PER_MINUTE),
            clock,
        )),
        writer,
        plan: PollPlan {
            interval: carrier.refresh,
            quiet_hours: carrier
                .quiet_hours
                .map(|q| crate::carriers::QuietHours::new(q, carrier.timezone)),
        },
    })
}
