//! HTTP to the Voice API for one carrier instance: every call carries the
//! bearer token (through the shared OAuth2 [`TokenCache`], which retries once
//! on a refused token) and `x-customer-number`. Reads go through here; the
//! write path lives in `writer` and exists only outside read-only mode.
//!
//! Error mapping (`map_error`), from the document's tables and CONTRACTS:
//! - `{"errors":[{"code","message"}]}` gives the code and message (codes may
//!   be numbers); the message is shown verbatim (sanitized).
//! - 401 / 403, and 1403 / 1429 (customer number not associated / not found)
//!   whatever the status: `Auth` with the carrier's message.
//! - 429: `RateLimited` with `Retry-After`.
//! - 504 (504001 / 504002): `Timeout`; other 5xx (500001, 503001):
//!   `Unavailable` (for writes `sent = true`: the outcome is unknown until
//!   the order is re-read).
//! - Reads: 404 and the "voice order id not found" codes (20049, 20054,
//!   20055, 20060, 20064) are `NotFound`. Other 4xx: `Rejected`.

use std::sync::Arc;

use reqwest::header::ACCEPT;
use reqwest::{StatusCode, Url};

use crate::carriers::CarrierError;
use crate::carriers::http::RawResponse;
use crate::carriers::oauth::{SendKind, lumen_token_refused};
use crate::carriers::oauth_api::OAuthJsonApi;
use crate::domain::sanitize;

use super::codes;
use super::wire::{self, Notification, Page, PageOrder};

/// The API's path prefix under `base_url`.
pub const API_PREFIX: &str = "/Voice/v1/Numbers";
/// The header naming the customer (Master BusOrg).
pub const CUSTOMER_HEADER: &str = "x-customer-number";
/// Page size when the config does not set one.
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// Whether a call reads or writes (decides retries and `sent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Read,
    Write,
}

/// Codes that say "no such voice order" (for reads: `NotFound`).
const NOT_FOUND_CODES: &[&str] = &["404001", "20049", "20054", "20055", "20060", "20064"];

#[derive(Debug)]
pub struct VoiceClient {
    pub(super) name: Arc<str>,
    /// `{base_url}/Voice/v1/Numbers` and its token cache.
    pub(super) api: OAuthJsonApi,
    pub(super) customer_number: String,
    pub(super) page_size: u32,
    pub(super) concurrency: usize,
}

impl VoiceClient {
    /// A URL under the API prefix with the given path segments (each
    /// percent-encoded).
    pub(super) fn url(&self, segments: &[&str]) -> Result<Url, CarrierError> {
        self.api.url(segments)
    }

    async fn get(
        &self,
        segment: &str,
        query: &[(&str, String)],
    ) -> Result<RawResponse, CarrierError> {
        let url = self.url(&[segment])?;
        self.api
            .send(
                SendKind::Read,
                |client| {
                    client
                        .get(url.clone())
                        .query(query)
                        .header(ACCEPT, "application/json")
                        .header(CUSTOMER_HEADER, &self.customer_number)
                },
                lumen_token_refused,
                |response| map_error(response, Context::Read),
            )
            .await
    }

    /// One page of the customer's orders (1-based).
    pub async fn list_page(&self, page: u64) -> Result<Page, CarrierError> {
        let response = self
            .get(
                "orderStatus",
                &[
                    ("pageNumber", page.to_string()),
                    ("pageSize", self.page_size.to_string()),
                ],
            )
            .await?;
        wire::parse_page(&response.body)
    }

    /// One order by id.
    pub async fn order(&self, id: &str) -> Result<PageOrder, CarrierError> {
        let response = self
            .get("orderStatus", &[("voiceOrderId", id.to_owned())])
            .await?;
        let page = wire::parse_page(&response.body)?;
        let mut orders = page.orders;
        let pos = pick(&orders, id);
        match pos {
            Some(pos) => Ok(orders.swap_remove(pos)),
            None => Err(CarrierError::NotFound(format!("voice order {id}"))),
        }
    }

    /// The notifications of one order and the list's JSON text.
    pub async fn notifications(
        &self,
        id: &str,
    ) -> Result<(Vec<Notification>, String), CarrierError> {
        let response = self
            .get("notifications", &[("voiceOrderId", id.to_owned())])
            .await?;
        wire::parse_notifications(&response.body)
    }
}

/// Which order of an `orderStatus` answer filtered by `id` is that order.
/// Only the order asked for: a server that ignores the filter must not make
/// another order appear under this id. An answer that holds the order but
/// cannot be read is that order's (a protocol error for the caller), not
/// "not found": it names the id, or it is the only order of the answer.
fn pick(orders: &[PageOrder], id: &str) -> Option<usize> {
    orders
        .iter()
        .position(|o| o.order.as_ref().is_ok_and(|o| o.voice_order_id == id))
        .or_else(|| {
            orders
                .iter()
                .position(|o| o.order.is_err() && names_id(&o.raw, id))
        })
        .or_else(|| (orders.len() == 1 && orders[0].order.is_err()).then_some(0))
}

/// Whether an order's JSON text, read loosely, has `voiceOrderId` = `id`.
fn names_id(raw: &str, id: &str) -> bool {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(raw) else {
        return false;
    };
    match value.get("voiceOrderId") {
        Some(serde_json::Value::String(s)) => s == id,
        Some(serde_json::Value::Number(n)) => n.to_string() == id,
        _ => false,
    }
}

/// Maps a non-2xx answer to an error (see the module docs).
pub fn map_error(response: &RawResponse, context: Context) -> CarrierError {
    let status = response.status;
    let errors: Vec<(String, String)> = wire::parse_errors(&response.body)
        .into_iter()
        .map(|(c, m)| (sanitize(&c), sanitize(&m)))
        .collect();
    let code = errors.first().map(|(c, _)| c.clone());
    let message = if errors.is_empty() {
        let text = String::from_utf8_lossy(&response.body);
        let text = sanitize(text.trim());
        if text.is_empty() || text.starts_with('<') || text.starts_with('{') {
            status
                .canonical_reason()
                .map(str::to_owned)
                .unwrap_or_else(|| format!("HTTP {}", status.as_u16()))
        } else {
            text.chars().take(200).collect()
        }
    } else {
        let mut parts = Vec::new();
        for (i, (c, m)) in errors.iter().enumerate() {
            let m = if m.is_empty() {
                codes::message(c).unwrap_or("").to_owned()
            } else {
                m.clone()
            };
            parts.push(if i == 0 { m } else { format!("{c} {m}") });
        }
        parts.join("; ")
    };
    if status == StatusCode::TOO_MANY_REQUESTS {
        return CarrierError::RateLimited {
            retry_after: response.retry_after(),
        };
    }
    if matches!(code.as_deref(), Some("1403") | Some("1429"))
        || matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
    {
        return CarrierError::Auth { code, message };
    }
    if status == StatusCode::GATEWAY_TIMEOUT {
        return CarrierError::Timeout(match &code {
            Some(c) => format!("{c} {message}"),
            None => message,
        });
    }
    if status.is_server_error() {
        return CarrierError::Unavailable {
            code,
            message,
            retry_after: response.retry_after(),
            sent: context == Context::Write,
        };
    }
    if status.is_client_error() {
        if context == Context::Read
            && (status == StatusCode::NOT_FOUND
                || code
                    .as_deref()
                    .is_some_and(|c| NOT_FOUND_CODES.contains(&c)))
        {
            return CarrierError::NotFound(match &code {
                Some(c) => format!("{c} {message}"),
                None => message,
            });
        }
        return CarrierError::Rejected {
            code: code.unwrap_or_else(|| status.as_u16().to_string()),
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
    use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};

    fn resp(status: u16, body: &str) -> RawResponse {
        RawResponse {
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn rejected_keeps_code_and_message() {
        let e = map_error(
            &resp(
                400,
                r#"{"errors":[{"code":20068,"message":"Customer request date must be at least 1 day from date order is submitted. Please change the customer request date and resubmit"}]}"#,
            ),
            Context::Write,
        );
        assert_eq!(
            e,
            CarrierError::Rejected {
                code: "20068".into(),
                message: "Customer request date must be at least 1 day from date order is submitted. Please change the customer request date and resubmit".into()
            }
        );
    }

    #[test]
    fn statuses_map_to_categories() {
        let body = |c: &str| format!(r#"{{"errors":[{{"code":"{c}","message":"m"}}]}}"#);
        assert_eq!(
            map_error(&resp(403, &body("403006")), Context::Read).category(),
            "auth"
        );
        assert_eq!(
            map_error(&resp(400, &body("1429")), Context::Read).category(),
            "auth"
        );
        assert_eq!(
            map_error(&resp(503, &body("503001")), Context::Read).category(),
            "unavailable"
        );
        assert_eq!(
            map_error(&resp(504, &body("504002")), Context::Write).category(),
            "timeout"
        );
        assert!(map_error(&resp(504, &body("504002")), Context::Write).outcome_unknown());
        assert!(map_error(&resp(500, &body("500001")), Context::Write).outcome_unknown());
        assert_eq!(
            map_error(&resp(400, &body("20060")), Context::Read).category(),
            "not-found"
        );
        assert_eq!(
            map_error(&resp(400, &body("20054")), Context::Write).category(),
            "rejected"
        );
        assert_eq!(
            map_error(&resp(302, ""), Context::Read).category(),
            "protocol"
        );
        let mut r = resp(429, "");
        r.headers.insert(RETRY_AFTER, HeaderValue::from_static("3"));
        assert_eq!(
            map_error(&r, Context::Read),
            CarrierError::RateLimited {
                retry_after: Some(std::time::Duration::from_secs(3))
            }
        );
    }

    #[test]
    fn message_falls_back_to_the_document() {
        let e = map_error(
            &resp(400, r#"{"errors":[{"code":"20014"}]}"#),
            Context::Write,
        );
        assert_eq!(
            e,
            CarrierError::Rejected {
                code: "20014".into(),
                message: "Secondary location exceeds 20 character limit.".into(),
            }
        );
    }

    #[test]
    fn an_unreadable_order_asked_for_is_that_order_not_not_found() {
        let page = |body: &str| wire::parse_page(body.as_bytes()).expect("page").orders;
        // Readable: found by id, and another id is not it.
        let ok = page(r#"{"orders":[{"voiceOrderId":"7","status":"created"}]}"#);
        assert_eq!(pick(&ok, "7"), Some(0));
        assert_eq!(pick(&ok, "8"), None);
        // No voiceOrderId (wrong shape): the only order of the answer.
        let bad = page(r#"{"orders":[{"status":null,"id":7}]}"#);
        assert!(bad[0].order.is_err());
        assert_eq!(pick(&bad, "7"), Some(0));
        // Nested too deep to read: still the only order of the answer.
        let deep = format!(r#"{{"orders":[{}7{}]}}"#, "[".repeat(200), "]".repeat(200));
        let deep = page(&deep);
        assert!(deep[0].order.is_err());
        assert_eq!(pick(&deep, "7"), Some(0));
        // Several orders (the filter ignored): only one that names the id.
        let many = page(r#"{"orders":[{"voiceOrderId":"1"},[],{"voiceOrderId":{"x":"7"}}]}"#);
        assert_eq!(pick(&many, "7"), None);
        let named = page(r#"{"orders":[{"voiceOrderId":"1"},"7",[1]]}"#);
        assert_eq!(pick(&named, "7"), None);
    }
}
