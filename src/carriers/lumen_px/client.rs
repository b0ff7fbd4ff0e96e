//! HTTP to the PX OrderInfo API for one carrier instance: the three POST
//! calls of CONTRACTS.md "lumen-px" under `{base_url}/PartnerExperience/v1`,
//! each with the bearer token of the shared OAuth2 [`TokenCache`] (no
//! customer-number header). All three are reads (retried on timeouts, 429
//! and 5xx by the HTTP layer).
//!
//! A refused token is a 401 *without* one of the document's
//! `internalMessageCode`s: the newOrders rows 2000, 2030 and 2080 are 401s
//! too, and asking for a new token would not change their answer.
//!
//! Error mapping (`map_error`): a body with `internalMessageCode` (the
//! document's table, 401 or 410) is `Rejected` with the code and the
//! message verbatim (sanitized), `TxId<...>` included; 401 without a code is
//! `Auth`; 429 `RateLimited`; 504 `Timeout`; other 5xx `Unavailable`; other
//! statuses `Rejected` with the HTTP status as the code.

use std::sync::Arc;

use reqwest::header::ACCEPT;
use reqwest::{StatusCode, Url};
use serde_json::Value;

use crate::carriers::CarrierError;
use crate::carriers::http::RawResponse;
use crate::carriers::oauth::SendKind;
use crate::carriers::oauth_api::OAuthJsonApi;

use super::wire::{self, ListedOrder, PxOrder};

/// The API's path prefix under `base_url`.
pub const API_PREFIX: &str = "/PartnerExperience/v1";
pub const NEW_ORDERS: &str = "pxNewOrders";
pub const OPEN_ORDERS: &str = "pxOpenOrders";
pub const ORDER_DETAIL: &str = "pxOrderDetail";

#[derive(Debug)]
pub struct PxClient {
    pub(super) name: Arc<str>,
    /// `{base_url}/PartnerExperience/v1` and its token cache.
    pub(super) api: OAuthJsonApi,
    pub(super) partner_id: String,
    pub(super) sales_codes: Vec<String>,
    pub(super) sources: Vec<String>,
    pub(super) since: Option<chrono::NaiveDate>,
    pub(super) concurrency: usize,
    pub(super) timezone: chrono_tz::Tz,
}

impl PxClient {
    pub(super) fn url(&self, call: &str) -> Result<Url, CarrierError> {
        self.api.url(&[call])
    }

    async fn post(&self, call: &str, body: &Value) -> Result<RawResponse, CarrierError> {
        let url = self.url(call)?;
        self.api
            .send(
                SendKind::Read,
                |client| {
                    client
                        .post(url.clone())
                        .header(ACCEPT, "application/json")
                        .json(body)
                },
                token_refused,
                map_error,
            )
            .await
    }

    /// `pxNewOrders` for `[from, to)` (dates already `MM/DD/YYYY`).
    pub async fn new_orders(
        &self,
        sales_code: Option<&str>,
        from: &str,
        to: &str,
    ) -> Result<Vec<ListedOrder>, CarrierError> {
        let mut body = serde_json::json!({"partnerId": self.partner_id});
        if let Some(code) = sales_code {
            body["salesCode"] = code.into();
        }
        body["fromDate"] = from.into();
        body["toDate"] = to.into();
        body["orderStatusSourceSystem"] = self.sources.clone().into();
        let response = self.post(NEW_ORDERS, &body).await?;
        wire::parse_list(&response.body)
    }

    /// `pxOpenOrders` for the partner, or one of its sales codes.
    pub async fn open_orders(
        &self,
        sales_code: Option<&str>,
    ) -> Result<Vec<ListedOrder>, CarrierError> {
        let mut body = serde_json::json!({"partnerId": self.partner_id});
        if let Some(code) = sales_code {
            body["salesCode"] = code.into();
        }
        let response = self.post(OPEN_ORDERS, &body).await?;
        wire::parse_list(&response.body)
    }

    /// `pxOrderDetail` by sales code and partner order id.
    pub async fn detail(
        &self,
        sales_code: &str,
        partner_order_id: &str,
    ) -> Result<(PxOrder, String), CarrierError> {
        let body = serde_json::json!({
            "salesCode": sales_code,
            "partnerOrderId": partner_order_id,
        });
        let response = self.post(ORDER_DETAIL, &body).await?;
        wire::parse_detail(&response.body)
    }
}

/// Whether the API refused the token: 401 without a document code.
pub fn token_refused(response: &RawResponse) -> bool {
    response.status == StatusCode::UNAUTHORIZED && wire::parse_error(&response.body).0.is_none()
}

/// Maps a non-2xx answer to an error (see the module docs).
pub fn map_error(response: &RawResponse) -> CarrierError {
    let status = response.status;
    let (code, message, _) = wire::parse_error(&response.body);
    if status == StatusCode::TOO_MANY_REQUESTS {
        return CarrierError::RateLimited {
            retry_after: response.retry_after(),
        };
    }
    let message = message.unwrap_or_else(|| {
        status
            .canonical_reason()
            .map(str::to_owned)
            .unwrap_or_else(|| format!("HTTP {}", status.as_u16()))
    });
    if let Some(code) = code.filter(|_| status.is_client_error()) {
        return CarrierError::Rejected { code, message };
    }
    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        return CarrierError::Auth {
            code: None,
            message,
        };
    }
    if status == StatusCode::GATEWAY_TIMEOUT {
        return CarrierError::Timeout(message);
    }
    if status.is_server_error() {
        return CarrierError::Unavailable {
            code: None,
            message,
            retry_after: response.retry_after(),
            sent: false,
        };
    }
    if status.is_client_error() {
        return CarrierError::Rejected {
            code: status.as_u16().to_string(),
            message,
        };
    }
    CarrierError::protocol(
        format!("unexpected HTTP status {}", status.as_u16()),
        &response.body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderMap;

    fn resp(status: u16, body: &str) -> RawResponse {
        RawResponse {
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn document_codes_are_rejections_not_token_refusals() {
        let r = resp(
            401,
            r#"{"status":401,"internalMessageCode":2030,"message":"Missing or Invalid PartnerId; TxId<7f3a>"}"#,
        );
        assert!(!token_refused(&r));
        assert_eq!(
            map_error(&r),
            CarrierError::Rejected {
                code: "2030".into(),
                message: "Missing or Invalid PartnerId; TxId<7f3a>".into()
            }
        );
        let r = resp(401, r#"{"fault":{"faultstring":"Invalid access token"}}"#);
        assert!(token_refused(&r));
        assert_eq!(map_error(&r).category(), "auth");
        assert_eq!(map_error(&resp(503, "")).category(), "unavailable");
        assert_eq!(map_error(&resp(504, "")).category(), "timeout");
    }
}
