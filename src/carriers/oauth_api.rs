//! An OAuth2 JSON API client as the Lumen kinds (lumen-voice, lumen-px) use
//! it: the HTTP client of one carrier instance, its client-credentials
//! [`TokenCache`] (token URL `{base_url}/oauth/token` unless the config names
//! one), the API root `{base_url}{prefix}`, URLs under that root, and sending
//! a request with the bearer token (one retry on a refused token, through the
//! cache) with non-2xx answers mapped by the kind.
//!
//! Must not: know a kind's paths, headers, bodies, error codes or which
//! answers count as a refused token (each kind passes its own), or show the
//! client secret or a token anywhere.

use std::sync::Arc;

use reqwest::{RequestBuilder, Url};

use crate::carriers::CarrierError;
use crate::carriers::http::{Http, HttpSettings, RawResponse};
use crate::carriers::oauth::{SendKind, TokenCache};
use crate::config::CarrierConfig;
use crate::domain::unusable_id;
use secrecy::SecretString;

/// One carrier instance's OAuth2 JSON API.
#[derive(Debug)]
pub struct OAuthJsonApi {
    pub http: Http,
    pub tokens: Arc<TokenCache>,
    /// `{base_url}{prefix}`, no trailing slash.
    pub api: String,
}

impl OAuthJsonApi {
    /// The HTTP client (the carrier's timeout and concurrency) and token cache
    /// for `carrier`; `token_url` when set and not blank, else
    /// `{base_url}/oauth/token`.
    pub fn connect(
        carrier: &CarrierConfig,
        token_url: Option<&str>,
        client_id: &str,
        client_secret: SecretString,
        api_prefix: &str,
    ) -> Result<Self, CarrierError> {
        let base = carrier.base_url.trim().trim_end_matches('/').to_owned();
        let token_url = token_url
            .filter(|t| !t.trim().is_empty())
            .map(str::to_owned)
            .unwrap_or_else(|| format!("{base}/oauth/token"));
        let http = Http::new(HttpSettings {
            timeout: carrier.timeout,
            max_concurrency: carrier.max_concurrency.max(1),
            ..HttpSettings::default()
        })?
        .named(&carrier.name);
        let tokens = Arc::new(TokenCache::new(
            http.clone(),
            token_url,
            client_id.trim(),
            client_secret,
        ));
        Ok(OAuthJsonApi {
            http,
            tokens,
            api: format!("{base}{api_prefix}"),
        })
    }

    /// A URL under the API root with the given path segments (each
    /// percent-encoded).
    pub fn url(&self, segments: &[&str]) -> Result<Url, CarrierError> {
        // `extend` percent-encodes each segment but drops `.` and `..`
        // (and an empty one would change the path): refused, never sent.
        if let Some(why) = segments.iter().find_map(|s| unusable_id(s)) {
            return Err(CarrierError::Local(why));
        }
        let mut url = Url::parse(&self.api)
            .map_err(|e| CarrierError::Local(format!("base_url is not a URL: {e}")))?;
        url.path_segments_mut()
            .map_err(|_| CarrierError::Local("base_url cannot have a path".into()))?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    /// Sends the request `build` makes with the bearer token (once more with
    /// a new token when `refused` says the token was refused); a non-2xx
    /// answer becomes the error `map_error` gives, with the credentials and
    /// the token redacted from its text.
    pub async fn send<B, R, M>(
        &self,
        kind: SendKind,
        build: B,
        refused: R,
        map_error: M,
    ) -> Result<RawResponse, CarrierError>
    where
        B: Fn(&reqwest::Client) -> RequestBuilder,
        R: Fn(&RawResponse) -> bool,
        M: FnOnce(&RawResponse) -> CarrierError,
    {
        let client = self.http.client();
        let result = self.tokens.send(kind, || build(client), refused).await;
        let response = result.map_err(|e| self.tokens.redact(e))?;
        if response.status.is_success() {
            Ok(response)
        } else {
            // A carrier that echoes the request (its headers, a body with
            // the token) must not put a credential on screen or in the log.
            Err(self.tokens.redact(map_error(&response)))
        }
    }
}

/// The error for a carrier whose required keys are not all set: the first
/// of `missing` (as the kind's config names it) or else the client secret.
pub fn needs(carrier: &CarrierConfig, kind: &str, missing: &[&str]) -> CarrierError {
    CarrierError::Local(format!(
        "carrier {:?} of kind {kind} needs {}",
        carrier.name,
        missing.first().copied().unwrap_or("client_secret")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_encoded_and_dot_segments_refused() {
        let carrier = CarrierConfig::new("v", "lumen-voice", "https://api.example/");
        let api = OAuthJsonApi::connect(&carrier, None, "id", SecretString::from("s"), "/Voice/v1")
            .unwrap();
        let url = api.url(&["order", "a/b?c#d %", "cancel"]).unwrap();
        assert_eq!(
            url.as_str(),
            "https://api.example/Voice/v1/order/a%2Fb%3Fc%23d%20%25/cancel"
        );
        for id in ["..", ".", ""] {
            let e = api.url(&["order", id, "cancel"]).unwrap_err();
            assert_eq!(e.category(), "local", "{id:?}: {e}");
        }
    }
}
