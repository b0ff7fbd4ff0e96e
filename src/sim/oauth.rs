//! What the Lumen simulators (lumen-voice, lumen-px) share about OAuth2
//! client credentials: reading the token request's HTTP Basic
//! `client_id:client_secret`, the answer that grants a token, and the
//! carrier TOML lines that hand a simulated carrier its client id and a
//! secret command.
//!
//! Must not: word a kind's refusals or read its grant form (each simulator
//! answers those in its own words), issue or check tokens (each
//! simulator's state does), or share wire types with the adapters.

use std::time::Duration;

use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::config::toml_string;

/// Standard base64 (with or without padding).
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0);
    for c in text.trim().trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        buf = (buf << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    Some(out)
}

/// Whether the request's HTTP Basic credentials are exactly
/// `client_id:client_secret`.
pub fn basic_auth_is(headers: &HeaderMap, client_id: &str, client_secret: &str) -> bool {
    let credentials = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(base64_decode)
        .and_then(|b| String::from_utf8(b).ok());
    let expected = format!("{client_id}:{client_secret}");
    credentials.as_deref() == Some(expected.as_str())
}

/// The token endpoint's answer granting `token` for `lifetime`
/// (`expires_in` as a string, as Apigee gateways send it).
pub fn granted(token: &str, lifetime: Duration) -> Response {
    axum::Json(json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": lifetime.as_secs().to_string(),
    }))
    .into_response()
}

/// Appends `key = "value"` for each key that has a value, in order.
pub fn push_keys(toml: &mut String, keys: &[(&str, Option<&str>)]) {
    for (key, value) in keys {
        if let Some(value) = value {
            toml.push_str(&format!("{key} = {}\n", toml_string(value)));
        }
    }
}

/// Appends `client_secret_cmd` echoing the simulator's secret (it is no
/// secret; a command keeps the file shareable).
pub fn push_secret_cmd(toml: &mut String, client_secret: &str) {
    let command = format!("echo {client_secret}");
    toml.push_str(&format!("client_secret_cmd = {}\n", toml_string(&command)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64() {
        assert_eq!(
            base64_decode("aWQ6c2VjcmV0").as_deref(),
            Some(&b"id:secret"[..])
        );
        assert_eq!(base64_decode("*"), None);
    }
}
