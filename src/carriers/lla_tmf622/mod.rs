//! The `lla-tmf622` carrier kind: Liberty Latin America's Hybris UX
//! TMF-622 `productOrder` (document 003) read per market, and the b2bsoft
//! PayLink `PATCH` (document 004), with the wire details of CONTRACTS.md
//! "lla-tmf622".
//!
//! Parts:
//! - `codes`: the JobType table, the warnings in `description`, the
//!   `2099 | CODE - TEXT|` BSS strings and their explanations.
//! - `wire`: tolerant JSON reading (ProductOrder, lists, error bodies).
//! - `normalize`: ProductOrder -> `Order` (key, stage mapping, notes,
//!   warnings, schedule).
//! - `config`: the kind's keys.
//! - `client` / `reader`: the Hybris reads; `writer`: the PayLink PATCH.
//! - `profile`: availability, the pay link dialog, validation.
//!
//! What the documents left open and the choice made: the list is
//! `GET {base_url}/ecom-ux/v1/{market}/productOrder?offset=&limit=` (a JSON
//! array, `X-Total-Count`), the detail `GET .../productOrder/{id}`, the
//! PayLink `PATCH {paylink_base_url}/b2bsoft-ux/v1/{market}/productOrder/{id}`
//! (CONTRACTS.md); the key is `<instance>/<MARKET>-<id>` because ids are
//! unique only within a market; a null state is stage new ("no state
//! yet"); `PayLink` is sent and `Paylink` accepted; `X-Conversation-Id`
//! (PR order placement only) is never sent, as orderdesk places no orders.
//!
//! [`ADAPTER`] is its part of the kind's line in `crate::registry` (the
//! simulator, `sim::lla_tmf622`, is the other part).
//!
//! Must not: send anything in read-only mode (no writer is built), show or
//! log a client secret, or panic on carrier input.

pub mod client;
pub mod codes;
pub mod config;
pub mod normalize;
pub mod profile;
pub mod reader;
pub mod wire;
pub mod writer;

use std::sync::Arc;

use crate::carriers::http::{Http, HttpSettings};
use crate::carriers::{
    Adapter, CarrierError, CarrierHandle, CarrierProfile, CarrierWriter, PollPlan, secret,
};
use crate::config::{CarrierConfig, Config};

pub use client::{B2BSOFT_PREFIX, HYBRIS_PREFIX, correlation_id};
pub use config::{DEFAULT_PAGE_SIZE, LlaConfig, MARKETS};
pub use normalize::{STATUSES, UNSCHEDULED};
pub use profile::LlaProfile;

pub const KIND: &str = "lla-tmf622";

/// The adapter's part of the kind's registry line (`crate::registry`).
pub const ADAPTER: Adapter = Adapter {
    name: KIND,
    read_config: config::read,
    build,
    team_profile,
    demo_name: "lla",
    demo_orders: 160,
};

/// The profile of a carrier known from the team store: whether a pay link
/// can be sent is the daemon's config's to decide when it sends one.
fn team_profile(readonly: bool) -> Option<Arc<dyn CarrierProfile>> {
    Some(Arc::new(LlaProfile::new(
        readonly,
        Ok("(the daemon's)".to_owned()),
    )))
}

/// Builds an LLA carrier. Resolves the secrets now (a command runs once,
/// with a timeout). A PayLink secret of its own that cannot be resolved
/// does not stop the reads: the pay link action says why it is
/// unavailable. The writer exists only when `readonly` is false.
pub fn build(
    _config: &Config,
    carrier: &CarrierConfig,
    readonly: bool,
) -> Result<CarrierHandle, CarrierError> {
    let settings = carrier.settings::<LlaConfig>().cloned().unwrap_or_default();
    let missing = settings.missing();
    let (Some(client_id), Some(source), None) = (
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
    let creds = client::Credentials {
        id: client_id.trim().to_owned(),
        secret: secret::resolve(source, "client_secret")?,
    };
    let paylink = match (settings.paylink_id(), &settings.paylink_client_secret) {
        (None, _) => {
            Err("no PayLink client id configured (paylink_client_id or client_id)".to_owned())
        }
        (Some(id), None) => Ok(client::Credentials {
            id: id.to_owned(),
            secret: creds.secret.clone(),
        }),
        (Some(id), Some(own)) => secret::resolve(own, "paylink_client_secret")
            .map(|secret| client::Credentials {
                id: id.to_owned(),
                secret,
            })
            .map_err(|e| format!("PayLink credentials unusable: {e}")),
    };
    let http = Http::new(HttpSettings {
        timeout: carrier.timeout,
        max_concurrency: carrier.max_concurrency.max(1),
        ..HttpSettings::default()
    })?
    .named(&carrier.name);
    let root = carrier.base_url.trim().to_owned();
    let paylink_root = settings
        .paylink_base_url
        .clone()
        .unwrap_or_else(|| root.clone());
    // Fail now, not at the first poll, when a base URL cannot carry the paths.
    for market in &settings.markets {
        client::order_url(&root, HYBRIS_PREFIX, market, None)?;
        client::order_url(&paylink_root, B2BSOFT_PREFIX, market, None)?;
    }
    let name: Arc<str> = carrier.name.as_str().into();
    let hybris = Arc::new(client::HybrisClient {
        name: name.clone(),
        http: http.clone(),
        root,
        creds: creds.clone(),
        paylink_creds: paylink.as_ref().ok().cloned(),
        page_size: settings.page_size.unwrap_or(DEFAULT_PAGE_SIZE).max(1),
        concurrency: carrier.max_concurrency.max(1),
    });
    let writer: Option<Arc<dyn CarrierWriter>> = match (&paylink, readonly) {
        (Ok(pl), false) => Some(Arc::new(writer::PayLinkWriter {
            http,
            root: paylink_root,
            creds: pl.clone(),
            other: creds,
        })),
        _ => None,
    };
    let profile = LlaProfile::new(readonly, paylink.map(|c| c.id));
    Ok(CarrierHandle {
        name,
        profile: Arc::new(profile),
        reader: Arc::new(reader::LlaReader::new(hybris, settings.markets.clone())),
        writer,
        plan: PollPlan {
            interval: carrier.refresh,
            quiet_hours: carrier
                .quiet_hours
                .map(|q| crate::carriers::QuietHours::new(q, carrier.timezone)),
        },
    })
}
