//! Tjänsteguiden (Swedish city-network portal, document 001): the carrier
//! adapter. It owns the portal's wire format (`wire`, `xml`, `time`), its
//! pure knowledge (`profile`), reads (`reader`) and writes (`writer`). It
//! must not touch the UI or the app state; it reports through `SyncSink`.
//!
//! One endpoint (`base_url`, e.g. `https://host/admin/edit/services/plain/orders`),
//! `GET` with query parameters `method`, `api_user`, `id`, `date`, `status`,
//! `type`, `message`; XML bodies. Reads: `orders`, `order_info`,
//! `customer_info`. Writes: `set_status`, `add_message` (acknowledge =
//! `set_status received`, cancel = `set_status cancelled`).
//!
//! Choices where the document is silent (details in each module's docs):
//! - Error bodies: see `wire` (the rule the simulator follows too).
//! - Times are local without zone, read in `timezone` (`time`).
//! - Responses are capped at [`MAX_BODY_BYTES`] (32 MiB, not the shared 8 MiB
//!   default): the undivided `orders` list of a 100k-order demo is about
//!   20 MB. Bodies beyond the cap are refused with a protocol error.
//! - Non-UTF-8 bodies: see `xml`.
//! - Read-only: [`build`] with `readonly == true` constructs no
//!   [`writer::TgWriter`]; that type is the only one that can send
//!   `set_status` or `add_message`.
//!
//! Its own config keys are read by `config` ([`TgConfig`]); [`ADAPTER`] is its
//! part of the kind's line in `crate::registry` (the simulator,
//! `sim::tjansteguiden`, is the other part).

mod config;
mod profile;
mod reader;
mod statuses;
mod time;
mod wire;
mod writer;
pub mod xml;

use std::sync::Arc;

use chrono_tz::Tz;
use reqwest::Url;

pub use config::TgConfig;
pub use profile::{MAX_MESSAGE_CHARS, MESSAGE_TYPES, TgProfile};
pub use reader::{DEFAULT_MAX_REQUESTS_PER_MINUTE, TgReader};
pub use statuses::{STATUSES, status_of};
pub use time::{format_local, parse_local, stamp};
pub use wire::{
    Direction, ListRow, PortalError, check, customer_fields, merge_customer, order_from_document,
    order_from_info, order_from_row, parse_orders, portal_error,
};
pub use writer::TgWriter;

use crate::carriers::budget::{Clock, RefreshPolicy, system_clock};
use crate::carriers::http::{Http, HttpSettings};
use crate::carriers::{Adapter, CarrierProfile};
use crate::carriers::{CarrierError, CarrierHandle, PollPlan};
use crate::config::{CarrierConfig, Config};

pub const KIND: &str = "tjansteguiden";

/// The adapter's part of the kind's registry line (`crate::registry`).
pub const ADAPTER: Adapter = Adapter {
    name: KIND,
    read_config: config::read,
    build,
    team_profile,
    demo_name: "tg",
    demo_orders: 300,
};

/// The profile of a carrier known from the team store: the preview names
/// the endpoint and API user of the daemon's config, which a console does
/// not have.
fn team_profile(_readonly: bool) -> Option<Arc<dyn CarrierProfile>> {
    let endpoint = reqwest::Url::parse("https://team-daemon.invalid/").ok()?;
    Some(Arc::new(TgProfile::new(endpoint, "(the daemon's)")))
}

/// Largest response body accepted from the portal.
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// What reader and writer of one instance share.
#[derive(Debug)]
pub(crate) struct Portal {
    pub name: Arc<str>,
    pub endpoint: Url,
    pub api_user: String,
    pub tz: Tz,
    pub http: Http,
}

/// The HTTP settings of a carrier instance.
pub fn http_settings(carrier: &CarrierConfig) -> HttpSettings {
    HttpSettings {
        timeout: carrier.timeout,
        max_concurrency: carrier.max_concurrency.max(1),
        max_body_bytes: MAX_BODY_BYTES,
        ..HttpSettings::default()
    }
}

/// Builds a Tjänsteguiden carrier from its config (the registry's `build`).
/// The writer exists only when `readonly` is false.
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
    let endpoint = Url::parse(carrier.base_url.trim()).map_err(|e| {
        CarrierError::Local(format!(
            "carrier {}: base_url {:?} is not a URL ({e})",
            carrier.name, carrier.base_url
        ))
    })?;
    let settings = carrier.settings::<TgConfig>().cloned().unwrap_or_default();
    if let Some(field) = settings.missing().first() {
        return Err(CarrierError::Local(format!(
            "carrier {} needs {field}",
            carrier.name
        )));
    }
    let api_user = settings.api_user.clone().unwrap_or_default();
    let name: Arc<str> = Arc::from(carrier.name.as_str());
    let portal = Arc::new(Portal {
        name: name.clone(),
        endpoint: endpoint.clone(),
        api_user: api_user.clone(),
        tz: carrier.timezone,
        http: Http::new(http_settings(carrier))?.named(&carrier.name),
    });
    let policy = RefreshPolicy::of(carrier, DEFAULT_MAX_REQUESTS_PER_MINUTE);
    let reader = TgReader::new(
        portal.clone(),
        settings.since,
        carrier.max_concurrency,
        policy,
        clock,
    );
    let writer: Option<Arc<dyn crate::carriers::CarrierWriter>> = if readonly {
        None
    } else {
        Some(Arc::new(TgWriter::new(portal)))
    };
    Ok(CarrierHandle {
        name,
        profile: Arc::new(TgProfile::new(endpoint, api_user)),
        reader: Arc::new(reader),
        writer,
        plan: PollPlan {
            interval: carrier.refresh,
            quiet_hours: carrier
                .quiet_hours
                .map(|q| crate::carriers::QuietHours::new(q, carrier.timezone)),
        },
    })
}
