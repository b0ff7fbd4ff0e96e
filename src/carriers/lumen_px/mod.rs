//! The `lumen-px` carrier kind: the Lumen/CenturyLink PX OrderInfo partner
//! API (document 000) with the wire details of CONTRACTS.md "lumen-px". The
//! API is read-only: orders are read, triaged and annotated locally, never
//! changed at the carrier, so no writer exists for this kind.
//!
//! Parts:
//! - `config`: the kind's keys ([`PxConfig`]).
//! - `codes`: the document's error table, verbatim.
//! - `wire`: tolerant JSON reading (PXORDER, lists, detail, errors, TxId).
//! - `window`: the `pxNewOrders` date windows (at most 7 days, `toDate`
//!   exclusive, `MM/DD/YYYY`).
//! - `normalize`: PXORDER -> `Order` (stage mapping, attention reasons,
//!   source system, columns).
//! - `profile`: every action "not offered by Lumen PX (read-only API)".
//! - `client` / `reader`: HTTP (OAuth2 via `carriers::oauth_api`) and the poll
//!   flow of the document.
//!
//! Choices where the document is silent: the paths and bodies are
//! CONTRACTS.md's; dates in PXORDER are read as `MM/DD/YYYY`, ISO dates or
//! RFC 3339; a first poll without `since` lists the last 7 days; "Customer
//! Cancelled", named terminal by the flow but absent from the status list,
//! is closed. Quiet hours default to 07-19 ("perform status calls during
//! non-peak times"), `quiet_hours` overrides them and `quiet_hours = ""`
//! turns them off. They are read in America/Chicago unless the carrier's
//! table sets `timezone` (then in that zone). "Today" for the `pxNewOrders` windows is the
//! date in the carrier's `timezone` (the file's default zone unless the
//! table sets one; set `timezone = "America/Chicago"` for Lumen's dates).
//!
//! Its own config keys are read by `config`; [`ADAPTER`] is its
//! part of the kind's line in `crate::registry` (the simulator,
//! `sim::lumen_px`, is the other part).
//!
//! Must not: build a writer, show or log the client secret or a token, send
//! a `pxNewOrders` window over 7 days (2090), or panic on carrier input.

pub mod client;
pub mod codes;
pub mod config;
pub mod normalize;
pub mod profile;
pub mod reader;
pub mod window;
pub mod wire;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::carriers::oauth_api::{self, OAuthJsonApi};
use crate::carriers::{Adapter, CarrierProfile};
use crate::carriers::{CarrierError, CarrierHandle, PollPlan, QuietHours, secret};
use crate::config::{CarrierConfig, Config};

pub use client::API_PREFIX;
pub use config::PxConfig;
pub use normalize::STATUSES;
pub use profile::{NOT_OFFERED, PxProfile};

pub const KIND: &str = "lumen-px";

/// Quiet hours unless the config says otherwise: the document asks for
/// status calls "during non-peak times or afterhours".
pub const DEFAULT_QUIET_HOURS: (u32, u32) = (7, 19);

/// The adapter's part of the kind's registry line (`crate::registry`).
pub const ADAPTER: Adapter = Adapter {
    name: KIND,
    read_config: config::read,
    build,
    team_profile,
    demo_name: "px",
    demo_orders: 120,
};

/// The profile of a carrier known from the team store.
fn team_profile(_readonly: bool) -> Option<Arc<dyn CarrierProfile>> {
    Some(Arc::new(PxProfile))
}

/// The zone PX's quiet hours are read in unless the carrier's table sets
/// `timezone`: Lumen's US Central time.
pub const DEFAULT_ZONE: chrono_tz::Tz = chrono_tz::America::Chicago;

/// The quiet hours of a PX carrier: the config's, none for
/// `quiet_hours = ""`, else [`DEFAULT_QUIET_HOURS`]; read in the carrier's
/// own `timezone`, else [`DEFAULT_ZONE`].
pub fn quiet_hours(carrier: &CarrierConfig) -> Option<QuietHours> {
    if carrier.quiet_hours_off {
        return None;
    }
    let zone = if carrier.timezone_set {
        carrier.timezone
    } else {
        DEFAULT_ZONE
    };
    let hours = carrier.quiet_hours.unwrap_or(DEFAULT_QUIET_HOURS);
    Some(QuietHours::new(hours, zone))
}

/// Builds a PX carrier (never with a writer). Resolves the client secret
/// now.
pub fn build(
    _config: &Config,
    carrier: &CarrierConfig,
    _readonly: bool,
) -> Result<CarrierHandle, CarrierError> {
    let settings = carrier.settings::<PxConfig>().cloned().unwrap_or_default();
    let missing = settings.missing();
    let (Some(client_id), Some(source), Some(partner_id), None) = (
        settings.client_id.as_deref(),
        settings.client_secret.as_ref(),
        settings.partner_id.as_deref(),
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
    let client = Arc::new(client::PxClient {
        name: name.clone(),
        api,
        partner_id: partner_id.trim().to_owned(),
        sales_codes: settings.sales_codes.clone(),
        sources: settings.source_list(),
        since: settings.since,
        concurrency: carrier.max_concurrency.max(1),
        timezone: carrier.timezone,
    });
    client.url(client::NEW_ORDERS)?;
    Ok(CarrierHandle {
        name,
        profile: Arc::new(PxProfile),
        reader: Arc::new(reader::PxReader {
            client,
            known: Mutex::new(HashMap::new()),
            clock: chrono::Utc::now,
        }),
        writer: None,
        plan: PollPlan {
            interval: carrier.refresh,
            quiet_hours: quiet_hours(carrier),
        },
    })
}
