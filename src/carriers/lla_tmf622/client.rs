//! HTTP to LLA for one carrier instance: the Hybris UX reads
//! (`GET {base_url}/ecom-ux/v1/{market}/productOrder[/{id}]` with
//! `client-id`, `client-secret`, a fresh `correlationId` per request,
//! `lob: FIXED`, `channelId: ECOM`) and the b2bsoft PayLink endpoint's
//! root and headers (`client_id`, `client_secret`, a fresh
//! `X-Correlation-ID`; note underscore against hyphen). URLs are built from
//! parts, each id percent-encoded as one path segment; an empty id or a dot
//! segment is refused before anything is sent.
//!
//! Error mapping (documents 003/004, CONTRACTS): the body
//! `{"errors":[{code, message, description}]}` gives code, message and
//! description, a `2099 | CODE - TEXT|` description decoded and explained
//! (`codes`). 401/403 -> `Auth`; 404 -> `NotFound` on reads; 429 ->
//! `RateLimited` with `Retry-After`; 504 -> `Timeout` on reads; 501 ->
//! `Rejected`; 503 -> `Unavailable`, for a write not applied (document
//! 004: retry after `Retry-After`); other 5xx -> `Unavailable`, for a
//! write with an unknown outcome; other 4xx (404 on a write) ->
//! `Rejected`. Every error text passes the credential redaction of
//! `carriers::oauth` (the secrets travel in headers on every request, so a
//! gateway may echo them).
//!
//! Must not: show or log a secret, or send a request with an unusable id.

use std::sync::Arc;

use reqwest::header::ACCEPT;
use reqwest::{RequestBuilder, StatusCode, Url};
use secrecy::{ExposeSecret, SecretString};

use crate::carriers::CarrierError;
use crate::carriers::http::{Http, RawResponse};
use crate::carriers::oauth::redact_text;
use crate::domain::sanitize;

use super::codes;
use super::wire::{self, ListItem, ProductOrder, usable_id};

/// The Hybris UX root under `base_url`.
pub const HYBRIS_PREFIX: [&str; 2] = ["ecom-ux", "v1"];
/// The b2bsoft root under `paylink_base_url`.
pub const B2BSOFT_PREFIX: [&str; 2] = ["b2bsoft-ux", "v1"];
/// The resource both APIs name.
pub const RESOURCE: &str = "productOrder";

/// A client id and its secret.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub id: String,
    pub secret: SecretString,
}

impl Credentials {
    /// `text` with these credentials taken out.
    pub fn redact(&self, text: &str) -> String {
        redact_text(text, &self.id, self.secret.expose_secret())
    }
}

/// A fresh random correlation id, UUID v4 shaped.
pub fn correlation_id() -> String {
    let n: u128 = rand::random();
    let n = (n & !(0xf << 76) | (0x4 << 76)) & !(0x3 << 62) | (0x2 << 62);
    let h = format!("{n:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// `root` (a base URL) with `segments` appended, each percent-encoded.
pub fn url(root: &str, segments: &[&str]) -> Result<Url, CarrierError> {
    let mut url = Url::parse(root.trim())
        .map_err(|e| CarrierError::Local(format!("base_url is not a URL: {e}")))?;
    url.path_segments_mut()
        .map_err(|_| CarrierError::Local("base_url cannot have a path".into()))?
        .pop_if_empty()
        .extend(segments);
    Ok(url)
}

/// An order's URL under an API root (`prefix` = Hybris or b2bsoft), or a
/// refusal when the id cannot be a path segment.
pub fn order_url(
    root: &str,
    prefix: [&str; 2],
    market: &str,
    id: Option<&str>,
) -> Result<Url, CarrierError> {
    let mut segments = vec![prefix[0], prefix[1], market, RESOURCE];
    if let Some(id) = id {
        if !usable_id(id) {
            return Err(CarrierError::Protocol {
                what: format!("unusable order id {:?}", sanitize(id)),
                excerpt: String::new(),
            });
        }
        segments.push(id);
    }
    url(root, &segments)
}

/// Whether a call reads or writes (decides what a status means).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Read,
    Write,
}

/// The carrier's words from an error body: (code, message with the
/// description, decoded when it is a BSS string).
pub fn error_words(response: &RawResponse) -> (String, String) {
    let status = response.status.as_u16().to_string();
    let Some(e) = wire::parse_error(&response.body) else {
        let reason = response.status.canonical_reason().unwrap_or("error");
        return (
            status,
            format!("HTTP {} {reason}", response.status.as_u16()),
        );
    };
    let code = e.code.map(|c| sanitize(&c)).unwrap_or(status);
    let mut message = e.message.map(|m| sanitize(&m)).unwrap_or_default();
    if let Some(d) = e
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        let d = match codes::parse_bss(d) {
            Some(bss) => format!("{} {}", bss.number, bss.describe()),
            None => d.to_owned(),
        };
        if !message.is_empty() {
            message.push_str(" — ");
        }
        message.push_str(&sanitize(&d));
    }
    (code, message)
}

/// A non-2xx answer as an error.
pub fn map_error(response: &RawResponse, context: Context) -> CarrierError {
    let (code, message) = error_words(response);
    let retry_after = response.retry_after();
    match (response.status, context) {
        (StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN, _) => CarrierError::Auth {
            code: Some(code),
            message,
        },
        (StatusCode::TOO_MANY_REQUESTS, _) => CarrierError::RateLimited { retry_after },
        (StatusCode::NOT_FOUND, Context::Read) => CarrierError::NotFound(message),
        (StatusCode::GATEWAY_TIMEOUT, Context::Read) => CarrierError::Timeout(message),
        // 501: the market does not offer the operation; nothing was done.
        (StatusCode::NOT_IMPLEMENTED, _) => CarrierError::Rejected { code, message },
        // 503: not applied (the document: try again after Retry-After).
        (StatusCode::SERVICE_UNAVAILABLE, _) => CarrierError::Unavailable {
            code: Some(code),
            message,
            retry_after,
            sent: context == Context::Read,
        },
        (s, _) if s.is_server_error() => CarrierError::Unavailable {
            code: Some(code),
            message,
            retry_after,
            sent: true,
        },
        _ => CarrierError::Rejected { code, message },
    }
}

/// `error` with `creds` taken out of every text it carries.
pub fn redact(error: CarrierError, creds: &[&Credentials]) -> CarrierError {
    let clean = |text: String| creds.iter().fold(text, |t, c| c.redact(&t));
    match error {
        CarrierError::Auth { code, message } => CarrierError::Auth {
            code: code.map(clean),
            message: clean(message),
        },
        CarrierError::Unavailable {
            code,
            message,
            retry_after,
            sent,
        } => CarrierError::Unavailable {
            code: code.map(clean),
            message: clean(message),
            retry_after,
            sent,
        },
        CarrierError::Timeout(m) => CarrierError::Timeout(clean(m)),
        CarrierError::Rejected { code, message } => CarrierError::Rejected {
            code: clean(code),
            message: clean(message),
        },
        CarrierError::NotFound(m) => CarrierError::NotFound(clean(m)),
        CarrierError::Protocol { what, excerpt } => CarrierError::Protocol {
            what: clean(what),
            excerpt: clean(excerpt),
        },
        CarrierError::Local(m) => CarrierError::Local(clean(m)),
        other @ CarrierError::RateLimited { .. } => other,
    }
}

/// One page of a market's list.
#[derive(Debug, Clone)]
pub struct ListPage {
    pub items: Vec<ListItem>,
    /// `X-Total-Count`, when sent and numeric.
    pub total: Option<u64>,
}

/// The Hybris reads of one carrier instance.
#[derive(Debug)]
pub struct HybrisClient {
    pub(super) name: Arc<str>,
    pub(super) http: Http,
    /// `base_url`, trimmed.
    pub(super) root: String,
    pub(super) creds: Credentials,
    /// The PayLink credentials, for redaction only.
    pub(super) paylink_creds: Option<Credentials>,
    pub(super) page_size: u32,
    pub(super) concurrency: usize,
}

impl HybrisClient {
    fn headers(&self, request: RequestBuilder) -> RequestBuilder {
        request
            .header(ACCEPT, "application/json")
            .header("client-id", &self.creds.id)
            .header("client-secret", self.creds.secret.expose_secret())
            .header("correlationId", correlation_id())
            .header("lob", "FIXED")
            .header("channelId", "ECOM")
    }

    fn clean(&self, error: CarrierError) -> CarrierError {
        let mut creds = vec![&self.creds];
        creds.extend(self.paylink_creds.as_ref());
        redact(error, &creds)
    }

    async fn get(&self, url: Url, query: &[(&str, String)]) -> Result<RawResponse, CarrierError> {
        let client = self.http.client();
        let response = self
            .http
            .send_read(|| self.headers(client.get(url.clone()).query(query)))
            .await
            .map_err(|e| self.clean(e))?;
        if response.status.is_success() {
            Ok(response)
        } else {
            Err(self.clean(map_error(&response, Context::Read)))
        }
    }

    /// The page of `market` starting at `offset`.
    pub async fn list_page(&self, market: &str, offset: u64) -> Result<ListPage, CarrierError> {
        let url = order_url(&self.root, HYBRIS_PREFIX, market, None)?;
        let response = self
            .get(
                url,
                &[
                    ("offset", offset.to_string()),
                    ("limit", self.page_size.to_string()),
                ],
            )
            .await?;
        let total = response
            .headers
            .get("X-Total-Count")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let items = wire::parse_list(&response.body).map_err(|e| self.clean(e))?;
        Ok(ListPage { items, total })
    }

    /// One order of `market` by its raw id, and its JSON text.
    pub async fn order(
        &self,
        market: &str,
        id: &str,
    ) -> Result<(ProductOrder, String), CarrierError> {
        let url = order_url(&self.root, HYBRIS_PREFIX, market, Some(id))?;
        let response = self.get(url, &[]).await?;
        let order = wire::parse_detail(&response.body).map_err(|e| self.clean(e))?;
        if order.id != id {
            return Err(CarrierError::protocol(
                format!("asked for order {id:?}, got {:?}", sanitize(&order.id)),
                &[],
            ));
        }
        let raw = String::from_utf8_lossy(&response.body).into_owned();
        Ok((order, raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_encode_ids_as_one_segment_and_refuse_dots() {
        let u = order_url("http://h/dev/", HYBRIS_PREFIX, "PR", Some("a/b?c")).unwrap();
        assert_eq!(
            u.as_str(),
            "http://h/dev/ecom-ux/v1/PR/productOrder/a%2Fb%3Fc"
        );
        let u = order_url("http://h", B2BSOFT_PREFIX, "JM", None).unwrap();
        assert_eq!(u.as_str(), "http://h/b2bsoft-ux/v1/JM/productOrder");
        for bad in ["", ".", ".."] {
            assert!(order_url("http://h", HYBRIS_PREFIX, "PR", Some(bad)).is_err());
        }
    }

    #[test]
    fn correlation_ids_are_fresh_uuids() {
        let (a, b) = (correlation_id(), correlation_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
    }

    #[test]
    fn errors_are_decoded_and_redacted() {
        let response = |status: u16, body: &str| RawResponse {
            status: StatusCode::from_u16(status).unwrap(),
            headers: Default::default(),
            body: body.as_bytes().to_vec(),
        };
        let r = response(
            400,
            r#"{"errors":[{"code":400,"message":"Error Occurred during order provisioning UPDATEORDERDETAIL:ERROROCCURED","description":"2099 | SERV_CD-MAP15E - FIELD PROTECTED, CANNOT UPDATE| "}]}"#,
        );
        let CarrierError::Rejected { code, message } = map_error(&r, Context::Read) else {
            panic!("rejected");
        };
        assert_eq!(code, "400");
        assert!(
            message.contains("MAP15E") && message.contains("signed off"),
            "{message}"
        );
        let creds = Credentials {
            id: "cid".into(),
            secret: SecretString::from("s3cr3t-value"),
        };
        let r = response(
            401,
            r#"{"errors":[{"code":401,"message":"bad client-secret s3cr3t-value"}]}"#,
        );
        let e = redact(map_error(&r, Context::Read), &[&creds]);
        assert!(!e.to_string().contains("s3cr3t-value"), "{e}");
        assert_eq!(e.category(), "auth");
        assert!(!map_error(&response(503, "{}"), Context::Write).outcome_unknown());
        assert!(map_error(&response(502, ""), Context::Write).outcome_unknown());
        assert!(matches!(
            map_error(&response(404, ""), Context::Write),
            CarrierError::Rejected { .. }
        ));
    }
}
