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
//! Must not: send anything in read-only mode (no writer is built), show or
//! log the client secret or a token, or panic on carrier input.

pub mod client;
pub mod codes;
pub mod normalize;
pub mod notify;
pub mod profile;
pub mod reader;
pub mod rules;
pub mod webhook;
pub mod wire;
pub mod writer;

use std::sync::Arc;

use crate::carriers::http::{Http, HttpSettings};
use crate::carriers::oauth::TokenCache;
use crate::carriers::{CarrierError, CarrierHandle, CarrierWriter, PollPlan, secret};
use crate::config::{CarrierConfig, Config};

pub use client::{API_PREFIX, DEFAULT_PAGE_SIZE};
pub use normalize::STATUSES;
pub use profile::VoiceProfile;
pub use webhook::{PartnerNotification, parse_partner_notification};

pub const KIND: &str = "lumen-voice";

/// Builds a Voice carrier. Resolves the client secret now (a command runs
/// once, with a timeout). The writer exists only when `readonly` is false.
pub fn build(
    _config: &Config,
    carrier: &CarrierConfig,
    readonly: bool,
) -> Result<CarrierHandle, CarrierError> {
    let missing = |what: &str| {
        CarrierError::Local(format!(
            "carrier {:?} of kind {KIND} needs {what}",
            carrier.name
        ))
    };
    let customer_number = carrier
        .customer_number
        .clone()
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| missing("customer_number"))?;
    let client_id = carrier
        .client_id
        .clone()
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| missing("client_id"))?;
    let source = carrier
        .client_secret
        .as_ref()
        .ok_or_else(|| missing("client_secret (client_secret_env or client_secret_cmd)"))?;
    let client_secret = secret::resolve(source, "client_secret")?;

    let base = carrier.base_url.trim().trim_end_matches('/').to_owned();
    let token_url = carrier
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
        page_size: carrier.page_size.unwrap_or(DEFAULT_PAGE_SIZE).max(1),
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
