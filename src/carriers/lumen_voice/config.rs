//! The `lumen-voice` keys of a `[[carrier]]` table: `customer_number`,
//! `client_id` and the client secret (`client_secret_env`,
//! `client_secret_cmd`, or inline `client_secret` in a private file) are
//! required; `token_url` (default `{base_url}/oauth/token`) and `page_size`
//! (1..=1000) are optional. Unknown keys are refused with their line and
//! column. Read once by the config (through the registry) and again by
//! `build`, which takes them as they were read.

use serde::Deserialize;
use toml::Spanned;

use crate::config::{KindSection, KindSettings, SecretKeys, SecretSource, StringOrInt, is_blank};

/// What a Voice carrier reads from its own keys.
#[derive(Debug, Clone, Default)]
pub struct VoiceConfig {
    pub token_url: Option<String>,
    pub customer_number: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<SecretSource>,
    pub page_size: Option<u32>,
}

impl VoiceConfig {
    /// The required keys that are missing or blank, as messages name them
    /// (`... needs customer_number`); the config and `build` both ask.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if is_blank(self.customer_number.as_deref()) {
            missing.push("customer_number");
        }
        if is_blank(self.client_id.as_deref()) {
            missing.push("client_id");
        }
        if self.client_secret.is_none() {
            missing.push("client_secret (client_secret_env or client_secret_cmd)");
        }
        missing
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVoice {
    token_url: Option<Spanned<String>>,
    customer_number: Option<Spanned<StringOrInt>>,
    client_id: Option<Spanned<String>>,
    client_secret: Option<Spanned<String>>,
    client_secret_env: Option<Spanned<String>>,
    client_secret_cmd: Option<Spanned<String>>,
    page_size: Option<Spanned<i64>>,
}

/// Reads the kind's keys (the registry's `read_config`).
pub fn read(section: &mut KindSection<'_, '_>) -> Box<dyn KindSettings> {
    let Some(raw) = section.read::<RawVoice>() else {
        return Box::new(VoiceConfig::default());
    };
    let client_secret = section.secret(
        "client_secret",
        SecretKeys {
            inline: raw.client_secret,
            env: raw.client_secret_env,
            cmd: raw.client_secret_cmd,
        },
    );
    let page_size = raw
        .page_size
        .and_then(|p| match u32::try_from(*p.get_ref()) {
            Ok(v) if (1..=1000).contains(&v) => Some(v),
            _ => {
                section.problem(p.span(), "page_size must be between 1 and 1000");
                None
            }
        });
    let config = VoiceConfig {
        token_url: raw.token_url.map(Spanned::into_inner),
        customer_number: raw.customer_number.map(|c| c.into_inner().into_string()),
        client_id: raw.client_id.map(Spanned::into_inner),
        client_secret,
        page_size,
    };
    for field in config.missing() {
        section.needs(field);
    }
    Box::new(config)
}
