//! OAuth2 client-credentials token cache shared by the Lumen carriers
//! (lumen-voice, lumen-px): fetches a bearer token on first use, keeps it until
//! shortly before it expires, refreshes it in one task at a time, and sends
//! requests with it, dropping the token and retrying exactly once when the
//! carrier refuses it.
//!
//! Wire (CONTRACTS.md): `POST {token_url}` with HTTP Basic
//! `client_id:client_secret` and the form `grant_type=client_credentials`; the
//! answer is `{"access_token","token_type","expires_in"}` where `expires_in`
//! may be a number or a string (Apigee gateways send `"3599"`).
//!
//! Choices where the documents are silent:
//! - A token is used until `expires_in` minus a margin of 10% of its
//!   lifetime, at most 60 s. Without `expires_in` it is kept for 300 s (and
//!   the retry-once rule covers a shorter real lifetime).
//! - One fetch serves everyone waiting for it, success or failure: callers
//!   that queued behind a failed fetch get the same error instead of each
//!   asking the token endpoint again.
//! - A token refused by the API is dropped only if it is still the cached one,
//!   so many requests failing with the same expired token cause exactly one
//!   refresh.
//!
//! Must not: put the client secret or a token in any `Debug` output, log line
//! or error message (token endpoint bodies are never quoted in errors), or
//! retry more than once after a refusal.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::{RequestBuilder, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

use super::CarrierError;
use super::http::{Http, RawResponse};
use crate::domain::sanitize;

/// How long a token without `expires_in` is kept.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);
/// The largest safety margin before expiry.
pub const MAX_MARGIN: Duration = Duration::from_secs(60);

/// A bearer token as handed out by the cache. `Debug` never shows it.
#[derive(Clone)]
pub struct AccessToken {
    secret: SecretString,
    generation: u64,
}

impl AccessToken {
    /// The token text, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        self.secret.expose_secret()
    }

    /// Which fetch produced it (1 for the first).
    pub fn generation(&self) -> u64 {
        self.generation
    }
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AccessToken(generation {}, [REDACTED])", self.generation)
    }
}

/// Whether a request is a read (retried by [`Http::send_read`] on timeouts,
/// 429 and 5xx) or a write (sent once by [`Http::send_once`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendKind {
    Read,
    Write,
}

struct Cached {
    token: AccessToken,
    /// When to stop using it (expiry minus the margin).
    use_until: Instant,
}

#[derive(Default)]
struct Slot {
    cached: Option<Cached>,
    /// The error of the last fetch, for callers that waited behind it.
    last_error: Option<CarrierError>,
}

/// The token cache of one carrier instance. Share it with `Arc`.
pub struct TokenCache {
    http: Http,
    token_url: String,
    client_id: String,
    client_secret: SecretString,
    slot: Mutex<Slot>,
    /// Token fetches started (changed only under the `slot` lock).
    fetches: AtomicU64,
    /// Token fetches finished (changed only under the `slot` lock).
    finished: AtomicU64,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[REDACTED]")
            .field("fetches", &self.fetch_count())
            .finish()
    }
}

impl TokenCache {
    pub fn new(
        http: Http,
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: SecretString,
    ) -> Self {
        TokenCache {
            http,
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret,
            slot: Mutex::new(Slot::default()),
            fetches: AtomicU64::new(0),
            finished: AtomicU64::new(0),
        }
    }

    pub fn token_url(&self) -> &str {
        &self.token_url
    }

    /// `error` with this carrier's credentials and current token redacted
    /// from its text (see [`redact_text`]): for every answer of the
    /// carrier's API, not only the token endpoint's.
    pub fn redact(&self, error: CarrierError) -> CarrierError {
        let secret = self.client_secret.expose_secret();
        // The token too, unless a fetch holds the slot right now.
        let token: Option<String> = self
            .slot
            .try_lock()
            .ok()
            .and_then(|slot| slot.cached.as_ref().map(|c| c.token.expose().to_owned()));
        error.map_text(|text| {
            let mut clean = redact_text(text, &self.client_id, secret);
            if let Some(token) = token.as_deref().filter(|t| t.len() >= 4) {
                clean = clean.replace(token, REDACTED);
            }
            clean
        })
    }

    /// How many token fetches this cache has started.
    pub fn fetch_count(&self) -> u64 {
        self.fetches.load(Ordering::SeqCst)
    }

    /// A valid token: the cached one, or a freshly fetched one. Only one fetch
    /// runs at a time; concurrent callers wait for it and share its result.
    pub async fn token(&self) -> Result<AccessToken, CarrierError> {
        let seen = self.finished.load(Ordering::SeqCst);
        let mut slot = self.slot.lock().await;
        if let Some(cached) = &slot.cached {
            if Instant::now() < cached.use_until {
                return Ok(cached.token.clone());
            }
        }
        if self.finished.load(Ordering::SeqCst) != seen {
            // A fetch finished while we waited for the lock.
            if let Some(err) = &slot.last_error {
                return Err(err.clone());
            }
            if let Some(cached) = &slot.cached {
                // Fetched while we waited; use it even if it is already in
                // its margin (a zero `expires_in` must not cause a loop).
                return Ok(cached.token.clone());
            }
        }
        let generation = self.fetches.fetch_add(1, Ordering::SeqCst) + 1;
        let started = Instant::now();
        let result = self.fetch().await;
        self.finished.fetch_add(1, Ordering::SeqCst);
        match result {
            Ok((secret, lifetime)) => {
                let token = AccessToken { secret, generation };
                slot.cached = Some(Cached {
                    token: token.clone(),
                    use_until: started + usable_for(lifetime),
                });
                slot.last_error = None;
                Ok(token)
            }
            Err(e) => {
                slot.cached = None;
                slot.last_error = Some(e.clone());
                Err(e)
            }
        }
    }

    /// Drops the cached token, whatever it is: the next request fetches one.
    pub async fn invalidate(&self) {
        self.slot.lock().await.cached = None;
    }

    /// Drops `token` if it is still the cached one (a newer token fetched by
    /// another task in the meantime is kept).
    pub async fn invalidate_token(&self, token: &AccessToken) {
        let mut slot = self.slot.lock().await;
        if slot
            .cached
            .as_ref()
            .is_some_and(|c| c.token.generation == token.generation)
        {
            slot.cached = None;
        }
    }

    /// Sends a request built by `build` with the bearer token. When
    /// `token_refused` says the carrier refused the token, drops it, fetches
    /// a new one and sends once more; the second answer is returned whatever
    /// it is. Any HTTP status is `Ok`: the adapter maps statuses to errors.
    ///
    /// A write is safe to repeat here because the first attempt was refused
    /// at the gate, before the carrier acted on it.
    pub async fn send<B, R>(
        &self,
        kind: SendKind,
        build: B,
        token_refused: R,
    ) -> Result<RawResponse, CarrierError>
    where
        B: Fn() -> RequestBuilder,
        R: Fn(&RawResponse) -> bool,
    {
        let token = self.token().await?;
        let response = self.send_with(kind, &build, &token).await?;
        if !token_refused(&response) {
            return Ok(response);
        }
        tracing::info!(
            token_url = %self.token_url,
            status = response.status.as_u16(),
            "token refused; fetching a new one and retrying once"
        );
        self.invalidate_token(&token).await;
        let token = self.token().await?;
        self.send_with(kind, &build, &token).await
    }

    async fn send_with<B>(
        &self,
        kind: SendKind,
        build: &B,
        token: &AccessToken,
    ) -> Result<RawResponse, CarrierError>
    where
        B: Fn() -> RequestBuilder,
    {
        match kind {
            SendKind::Read => {
                self.http
                    .send_read(|| build().bearer_auth(token.expose()))
                    .await
            }
            SendKind::Write => {
                self.http
                    .send_once(build().bearer_auth(token.expose()))
                    .await
            }
        }
    }

    async fn fetch(&self) -> Result<(SecretString, Option<Duration>), CarrierError> {
        let client = self.http.client();
        let response = self
            .http
            .send_read(|| {
                client
                    .post(&self.token_url)
                    .basic_auth(&self.client_id, Some(self.client_secret.expose_secret()))
                    .header(reqwest::header::ACCEPT, "application/json")
                    .form(&[("grant_type", "client_credentials")])
            })
            .await?;
        if !response.status.is_success() {
            let error = token_error(&response);
            return Err(redact_credentials(
                error,
                &self.client_id,
                self.client_secret.expose_secret(),
            ));
        }
        parse_token_response(&response.body)
    }
}

/// How long a token with `lifetime` may be used: the lifetime minus 10% of
/// it, at most [`MAX_MARGIN`].
pub fn usable_for(lifetime: Option<Duration>) -> Duration {
    let lifetime = lifetime.unwrap_or(DEFAULT_LIFETIME);
    let margin = (lifetime / 10).min(MAX_MARGIN);
    lifetime.saturating_sub(margin)
}

/// Parses a token endpoint answer: the token and its lifetime when given.
/// Errors never quote the body (it may hold a token).
pub fn parse_token_response(body: &[u8]) -> Result<(SecretString, Option<Duration>), CarrierError> {
    let protocol = |what: &str| CarrierError::Protocol {
        what: what.to_owned(),
        excerpt: String::new(),
    };
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| protocol("token endpoint answer is not JSON"))?;
    let token = match value.get("access_token") {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        _ => return Err(protocol("token endpoint answer has no access_token")),
    };
    if let Some(kind) = value.get("token_type").and_then(|t| t.as_str()) {
        if !kind.eq_ignore_ascii_case("bearer") {
            return Err(protocol(
                "token endpoint answered a token_type other than Bearer",
            ));
        }
    }
    let lifetime = match value.get("expires_in") {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|s| s.is_finite() && *s >= 0.0)
    .map(|s| Duration::from_secs_f64(s.min(366.0 * 86_400.0)));
    Ok((SecretString::from(token), lifetime))
}

/// Maps a refused token request to an error with the carrier's message.
fn token_error(response: &RawResponse) -> CarrierError {
    let (code, message) = error_code_and_message(&response.body);
    let status = response.status;
    if status == StatusCode::TOO_MANY_REQUESTS {
        return CarrierError::RateLimited {
            retry_after: response.retry_after(),
        };
    }
    if status.is_server_error() {
        return CarrierError::Unavailable {
            code,
            message: message.unwrap_or_else(|| format!("token endpoint answered {status}")),
            retry_after: response.retry_after(),
            sent: false,
        };
    }
    CarrierError::Auth {
        code,
        message: message.unwrap_or_else(|| format!("token endpoint answered {status}")),
    }
}

/// `error` with the client's credentials taken out of its words: a token
/// endpoint may echo what it was sent (`Basic <base64 of id:secret>`, the
/// secret itself) in its error text, which is shown and logged.
fn redact_credentials(error: CarrierError, client_id: &str, secret: &str) -> CarrierError {
    let clean = |text: String| redact_text(&text, client_id, secret);
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
        other => other,
    }
}

const REDACTED: &str = "[REDACTED]";

/// `text` without the secret, the Basic credentials of `client_id:secret`
/// (base64, with or without padding), or whatever follows a `Basic` or
/// `Bearer` scheme word.
pub fn redact_text(text: &str, client_id: &str, secret: &str) -> String {
    let basic = crate::domain::base64::encode(format!("{client_id}:{secret}").as_bytes());
    let mut out = text.to_owned();
    for needle in [basic.as_str(), basic.trim_end_matches('='), secret] {
        if needle.len() >= 4 {
            out = out.replace(needle, REDACTED);
        }
    }
    let mut words: Vec<String> = out.split(' ').map(str::to_owned).collect();
    for i in 1..words.len() {
        let scheme = words[i - 1].to_ascii_lowercase();
        if (scheme.ends_with("basic") || scheme.ends_with("bearer")) && !words[i].is_empty() {
            words[i] = REDACTED.to_owned();
        }
    }
    words.join(" ")
}

/// The carrier's error code and message from a JSON error body, in the
/// shapes the Lumen gateways use: `{"errors":[{"code","message"}]}`,
/// `{"error","error_description"}` (OAuth2), `{"code"|"internalMessageCode",
/// "message"}`, `{"ErrorCode","Error"}`, `{"fault":{"faultstring"}}`.
/// Sanitized; `None` where absent.
pub fn error_code_and_message(body: &[u8]) -> (Option<String>, Option<String>) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return (None, None);
    };
    let text = |v: Option<&serde_json::Value>| -> Option<String> {
        let s = match v? {
            serde_json::Value::String(s) => s.trim().to_owned(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => return None,
        };
        (!s.is_empty()).then(|| sanitize(&s))
    };
    let obj = value
        .get("errors")
        .and_then(|e| e.as_array())
        .and_then(|a| a.first())
        .unwrap_or(&value);
    let code = text(obj.get("code"))
        .or_else(|| text(obj.get("internalMessageCode")))
        .or_else(|| text(obj.get("error")))
        .or_else(|| text(obj.get("ErrorCode")));
    let message = text(obj.get("message"))
        .or_else(|| text(obj.get("error_description")))
        .or_else(|| text(obj.get("Error")))
        .or_else(|| text(obj.get("fault").and_then(|f| f.get("faultstring"))));
    (code, message)
}

/// The Lumen rule for "this token was refused": HTTP 401, or 403 with code
/// 403006 (token expired) or 403002 (token validation failed).
pub fn lumen_token_refused(response: &RawResponse) -> bool {
    match response.status {
        StatusCode::UNAUTHORIZED => true,
        StatusCode::FORBIDDEN => matches!(
            error_code_and_message(&response.body).0.as_deref(),
            Some("403006") | Some("403002")
        ),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_lose_the_credentials_they_echo() {
        let cache = TokenCache::new(
            Http::new(crate::carriers::http::HttpSettings::default()).expect("http"),
            "http://127.0.0.1:9/token",
            "my-client",
            SecretString::from("s3cr3t-value"),
        );
        let echoed = CarrierError::Rejected {
            code: "400".into(),
            message: "bad request; you sent client_secret=s3cr3t-value and \
                      Authorization: Basic bXktY2xpZW50OnMzY3IzdC12YWx1ZQ=="
                .into(),
        };
        let text = cache.redact(echoed).to_string();
        assert!(!text.contains("s3cr3t-value"), "{text}");
        assert!(!text.contains("bXktY2xpZW50OnMzY3IzdC12YWx1ZQ"), "{text}");
        assert!(text.contains("bad request"), "{text}");
    }

    #[test]
    fn expires_in_number_or_string() {
        let (t, l) = parse_token_response(
            br#"{"access_token":"abc","token_type":"Bearer","expires_in":3599}"#,
        )
        .expect("number");
        assert_eq!(t.expose_secret(), "abc");
        assert_eq!(l, Some(Duration::from_secs(3599)));
        let (_, l) =
            parse_token_response(br#"{"access_token":"abc","expires_in":"3599"}"#).expect("string");
        assert_eq!(l, Some(Duration::from_secs(3599)));
        let (_, l) = parse_token_response(br#"{"access_token":"abc","expires_in":null}"#)
            .expect("null is absent");
        assert_eq!(l, None);
    }

    #[test]
    fn bad_token_bodies_are_protocol_errors_without_excerpt() {
        for body in [
            &br#"{"access_token":"secret-tok"#[..],
            br#"{"token_type":"Bearer"}"#,
            br#"{"access_token":"secret-tok","token_type":"mac"}"#,
        ] {
            let e = parse_token_response(body).unwrap_err();
            assert_eq!(e.category(), "protocol");
            assert!(!e.to_string().contains("secret-tok"), "{e}");
        }
    }

    #[test]
    fn margin_is_ten_percent_at_most_a_minute() {
        assert_eq!(
            usable_for(Some(Duration::from_secs(3600))),
            Duration::from_secs(3540)
        );
        assert_eq!(
            usable_for(Some(Duration::from_secs(100))),
            Duration::from_secs(90)
        );
        assert_eq!(usable_for(None), Duration::from_secs(270));
        assert_eq!(usable_for(Some(Duration::ZERO)), Duration::ZERO);
    }

    #[test]
    fn a_token_endpoint_echoing_the_credentials_is_redacted() {
        let basic = crate::domain::base64::encode(b"client-7:s3cr3t-value");
        let body = format!(
            r#"{{"error":"invalid_client","error_description":"Authorization Basic {basic} refused; secret s3cr3t-value, basic {} too"}}"#,
            basic.trim_end_matches('=')
        );
        let error = redact_credentials(
            token_error(&response(401, &body)),
            "client-7",
            "s3cr3t-value",
        );
        let shown = error.to_string();
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(!shown.contains(basic.trim_end_matches('=')), "{shown}");
        assert!(shown.contains("refused"), "{shown}");
        assert!(shown.contains(REDACTED), "{shown}");
        assert_eq!(
            redact_text("Bearer abc.def and more", "id", "zzzz"),
            "Bearer [REDACTED] and more"
        );
    }

    #[test]
    fn error_shapes() {
        assert_eq!(
            error_code_and_message(br#"{"errors":[{"code":403006,"message":"Token expired"}]}"#),
            (Some("403006".into()), Some("Token expired".into()))
        );
        assert_eq!(
            error_code_and_message(
                br#"{"error":"invalid_client","error_description":"bad \u001b[2Jcreds"}"#
            ),
            (Some("invalid_client".into()), Some("bad creds".into()))
        );
        assert_eq!(error_code_and_message(b"<html>"), (None, None));
    }

    fn response(status: u16, body: &str) -> RawResponse {
        RawResponse {
            status: StatusCode::from_u16(status).expect("status"),
            headers: Default::default(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn refusal_rule() {
        assert!(lumen_token_refused(&response(401, "")));
        assert!(lumen_token_refused(&response(
            403,
            r#"{"errors":[{"code":"403006","message":"Token expired"}]}"#
        )));
        assert!(lumen_token_refused(&response(
            403,
            r#"{"errors":[{"code":"403002","message":"Token validation failed"}]}"#
        )));
        assert!(!lumen_token_refused(&response(
            403,
            r#"{"errors":[{"code":"403001","message":"User authentication failed"}]}"#
        )));
        assert!(!lumen_token_refused(&response(
            400,
            r#"{"errors":[{"code":"403006"}]}"#
        )));
    }

    #[test]
    fn debug_is_redacted() {
        let http = Http::new(Default::default()).expect("client");
        let cache = TokenCache::new(http, "http://x/oauth/token", "id", "hunter2".into());
        assert!(!format!("{cache:?}").contains("hunter2"));
        let token = AccessToken {
            secret: "tok-123".into(),
            generation: 1,
        };
        assert!(!format!("{token:?}").contains("tok-123"));
    }
}
