//! The PayLink write: `PATCH {paylink_base_url}/b2bsoft-ux/v1/{market}/productOrder/{id}`
//! with `client_id`, `client_secret`, a fresh `X-Correlation-ID` and the
//! validated body of document 004, byte for byte what the dialog
//! previewed. Sent once with `Http::send_once`; never retried here.
//!
//! Outcomes (document 004's table): 2xx confirmed by the carrier's answer
//! (`description` says `PayLink` or `Paylink`, either is accepted); 400,
//! 404, 405, 501 refused with code, message and description; 401/403 an
//! auth error; 429 and 503 not applied (retry after `Retry-After`); 500,
//! 502, a timeout or a dropped connection unknown. Every answer and error
//! names the attempt's correlation id, so the journal records it.
//!
//! Constructed only when the carrier is built writable with usable PayLink
//! credentials. Must not: show or log a secret.

use async_trait::async_trait;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use secrecy::ExposeSecret;

use crate::carriers::http::Http;
use crate::carriers::{CarrierError, CarrierWriter, WriteReceipt};
use crate::domain::{ActionKind, ActionRequest, Order, sanitize};

use super::client::{
    B2BSOFT_PREFIX, Context, Credentials, correlation_id, map_error, order_url, redact,
};
use super::normalize::split_key_id;
use super::profile::{NOT_OFFERED, param};
use super::wire::scalar;

/// Sends pay links for one carrier instance.
#[derive(Debug)]
pub struct PayLinkWriter {
    pub(super) http: Http,
    /// `paylink_base_url` (or `base_url`), trimmed.
    pub(super) root: String,
    pub(super) creds: Credentials,
    /// The Hybris credentials, for redaction only.
    pub(super) other: Credentials,
}

/// `error` with the correlation id added to its words.
fn with_correlation(error: CarrierError, correlation: &str) -> CarrierError {
    let tag = |m: String| format!("{m} (X-Correlation-ID {correlation})");
    match error {
        CarrierError::Auth { code, message } => CarrierError::Auth {
            code,
            message: tag(message),
        },
        CarrierError::Unavailable {
            code,
            message,
            retry_after,
            sent,
        } => CarrierError::Unavailable {
            code,
            message: tag(message),
            retry_after,
            sent,
        },
        CarrierError::Timeout(m) => CarrierError::Timeout(tag(m)),
        CarrierError::Rejected { code, message } => CarrierError::Rejected {
            code,
            message: tag(message),
        },
        CarrierError::Protocol { what, excerpt } => CarrierError::Protocol {
            what: tag(what),
            excerpt,
        },
        other => other,
    }
}

#[async_trait]
impl CarrierWriter for PayLinkWriter {
    async fn execute(
        &self,
        order: &Order,
        request: &ActionRequest,
    ) -> Result<WriteReceipt, CarrierError> {
        if request.action != ActionKind::AddPayLink {
            return Err(CarrierError::Local(format!(
                "{}: {NOT_OFFERED}",
                request.action
            )));
        }
        let from_key = split_key_id(&order.key.id);
        let market = request
            .param(param::MARKET)
            .or(from_key.map(|(m, _)| m))
            .ok_or_else(|| CarrierError::Local("the request names no market".into()))?;
        let id = request
            .param(param::ORDER_ID)
            .or(from_key.map(|(_, i)| i))
            .ok_or_else(|| CarrierError::Local("the request names no order id".into()))?;
        let body = request
            .param(param::BODY)
            .ok_or_else(|| CarrierError::Local("the request has no body".into()))?
            .to_owned();
        let url = order_url(&self.root, B2BSOFT_PREFIX, market, Some(id))?;
        let correlation = correlation_id();
        let clean = |e: CarrierError| {
            with_correlation(redact(e, &[&self.creds, &self.other]), &correlation)
        };
        let response = self
            .http
            .send_once(
                self.http
                    .client()
                    .patch(url)
                    .header(ACCEPT, "application/json")
                    .header(CONTENT_TYPE, "application/json")
                    .header("client_id", &self.creds.id)
                    .header("client_secret", self.creds.secret.expose_secret())
                    .header("X-Correlation-ID", &correlation)
                    .body(body),
            )
            .await
            .map_err(clean)?;
        if !response.status.is_success() {
            return Err(clean(map_error(&response, Context::Write)));
        }
        let answer: Option<serde_json::Value> = serde_json::from_slice(&response.body).ok();
        let description = answer
            .as_ref()
            .and_then(|v| scalar(v.get("description")))
            .map(|d| sanitize(&self.creds.redact(&d)));
        let message = match description {
            Some(d) if d.to_ascii_lowercase().contains("paylink") => format!(
                "LLA saved the pay link on {market} order {}: {d} (X-Correlation-ID {correlation})",
                sanitize(id)
            ),
            Some(d) => format!(
                "LLA answered HTTP {} for the pay link on {market} order {}: {d} (X-Correlation-ID {correlation})",
                response.status.as_u16(),
                sanitize(id)
            ),
            None => format!(
                "LLA accepted the pay link on {market} order {} (HTTP {}, X-Correlation-ID {correlation})",
                sanitize(id),
                response.status.as_u16()
            ),
        };
        Ok(WriteReceipt { message })
    }
}
