//! The `lla-tmf622` keys of a `[[carrier]]` table: `markets` (business ids,
//! at least one of PR, JM, PA, CR, any case, no repeats), `client_id` and the
//! client secret (`client_secret_env`, `client_secret_cmd`, or inline
//! `client_secret` in a private file) are required. Optional: `page_size`
//! (1..=1000, default 100), and the PayLink endpoint's own
//! `paylink_base_url` (default `base_url`), `paylink_client_id` and
//! `paylink_client_secret[_env|_cmd]` (default: the main credentials).
//! Unknown keys are refused with their line and column.
//!
//! Must not: put a secret's value anywhere (they are held as
//! [`SecretSource`]).

use serde::Deserialize;
use toml::Spanned;

use crate::config::{KindSection, KindSettings, SecretKeys, SecretSource, is_blank};

/// The markets (business ids) the documents name.
pub const MARKETS: &[&str] = &["PR", "JM", "PA", "CR"];

/// Page size when the config does not set one.
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// What an LLA carrier reads from its own keys.
#[derive(Debug, Clone, Default)]
pub struct LlaConfig {
    /// Upper case, in the config's order.
    pub markets: Vec<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<SecretSource>,
    pub page_size: Option<u32>,
    pub paylink_base_url: Option<String>,
    pub paylink_client_id: Option<String>,
    pub paylink_client_secret: Option<SecretSource>,
}

impl LlaConfig {
    /// The required keys that are missing or blank, as messages name them.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.markets.is_empty() {
            missing.push("markets (one or more of PR, JM, PA, CR)");
        }
        if is_blank(self.client_id.as_deref()) {
            missing.push("client_id");
        }
        if self.client_secret.is_none() {
            missing.push("client_secret (client_secret_env or client_secret_cmd)");
        }
        missing
    }

    /// The PayLink client id: its own, else the main one.
    pub fn paylink_id(&self) -> Option<&str> {
        self.paylink_client_id
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .or(self.client_id.as_deref())
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// The PayLink secret: its own, else the main one.
    pub fn paylink_secret(&self) -> Option<&SecretSource> {
        self.paylink_client_secret
            .as_ref()
            .or(self.client_secret.as_ref())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLla {
    markets: Option<Spanned<Vec<Spanned<String>>>>,
    client_id: Option<Spanned<String>>,
    client_secret: Option<Spanned<String>>,
    client_secret_env: Option<Spanned<String>>,
    client_secret_cmd: Option<Spanned<String>>,
    page_size: Option<Spanned<i64>>,
    paylink_base_url: Option<Spanned<String>>,
    paylink_client_id: Option<Spanned<String>>,
    paylink_client_secret: Option<Spanned<String>>,
    paylink_client_secret_env: Option<Spanned<String>>,
    paylink_client_secret_cmd: Option<Spanned<String>>,
}

/// Reads the kind's keys (the registry's `read_config`).
pub fn read(section: &mut KindSection<'_, '_>) -> Box<dyn KindSettings> {
    let Some(raw) = section.read::<RawLla>() else {
        return Box::new(LlaConfig::default());
    };
    let client_secret = section.secret(
        "client_secret",
        SecretKeys {
            inline: raw.client_secret,
            env: raw.client_secret_env,
            cmd: raw.client_secret_cmd,
        },
    );
    let paylink_client_secret = section.secret(
        "paylink_client_secret",
        SecretKeys {
            inline: raw.paylink_client_secret,
            env: raw.paylink_client_secret_env,
            cmd: raw.paylink_client_secret_cmd,
        },
    );
    let mut markets: Vec<String> = Vec::new();
    let markets_given = raw.markets.is_some();
    if let Some(list) = raw.markets {
        if list.get_ref().is_empty() {
            section.problem(
                list.span(),
                "markets is empty: name one or more of PR, JM, PA, CR",
            );
        }
        for m in list.into_inner() {
            let span = m.span();
            let code = m.into_inner().trim().to_ascii_uppercase();
            if !MARKETS.contains(&code.as_str()) {
                section.problem(
                    span,
                    format!("unknown market {code:?}: markets are PR, JM, PA and CR"),
                );
            } else if markets.contains(&code) {
                section.problem(span, format!("market {code} is listed twice"));
            } else {
                markets.push(code);
            }
        }
    }
    let page_size = raw
        .page_size
        .and_then(|p| match u32::try_from(*p.get_ref()) {
            Ok(v) if (1..=1000).contains(&v) => Some(v),
            _ => {
                section.problem(p.span(), "page_size must be between 1 and 1000");
                None
            }
        });
    let paylink_base_url = raw.paylink_base_url.and_then(|u| {
        let text = u.get_ref().trim().to_owned();
        match reqwest::Url::parse(&text) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => Some(text),
            _ => {
                section.problem(u.span(), "paylink_base_url must be an http(s) URL");
                None
            }
        }
    });
    let config = LlaConfig {
        markets,
        client_id: raw.client_id.map(Spanned::into_inner),
        client_secret,
        page_size,
        paylink_base_url,
        paylink_client_id: raw.paylink_client_id.map(Spanned::into_inner),
        paylink_client_secret,
    };
    for field in config.missing() {
        // An empty or all-unknown list was already reported where it is.
        if field.starts_with("markets") && markets_given {
            continue;
        }
        section.needs(field);
    }
    Box::new(config)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::FileAccess;
    use crate::registry::parse_config;

    const LLA: &str = r#"
[[carrier]]
name = "lla"
kind = "lla-tmf622"
base_url = "https://esb.example/dev"
markets = ["pr", "JM"]
client_id = "abc"
client_secret_env = "LLA_SECRET"
"#;

    fn parse(text: &str) -> Result<crate::config::Config, crate::config::ConfigError> {
        parse_config(text, Some(Path::new("c.toml")), FileAccess::Shared)
    }

    #[test]
    fn minimal_config_and_paylink_defaults() {
        let c = parse(LLA).expect("valid");
        let s = c.carriers[0].settings::<LlaConfig>().expect("lla settings");
        assert_eq!(s.markets, ["PR", "JM"]);
        assert_eq!(s.paylink_id(), Some("abc"));
        assert!(matches!(s.paylink_secret(), Some(SecretSource::Env(n)) if n == "LLA_SECRET"));
        let own = format!("{LLA}paylink_client_id = \"pl\"\npaylink_client_secret_env = \"PL\"\n");
        let c = parse(&own).expect("valid");
        let s = c.carriers[0].settings::<LlaConfig>().expect("lla settings");
        assert_eq!(s.paylink_id(), Some("pl"));
        assert!(matches!(s.paylink_secret(), Some(SecretSource::Env(n)) if n == "PL"));
    }

    #[test]
    fn unknown_key_and_bad_markets_have_places() {
        let e = parse(&LLA.replace("client_id =", "clientid =")).unwrap_err();
        assert_eq!(e.problems[0].0.map(|l| (l.line, l.column)), Some((7, 1)));
        assert!(e.to_string().contains("unknown field `clientid`"), "{e}");
        let e = parse(&LLA.replace("\"pr\", \"JM\"", "\"PR\", \"XX\", \"pr\"")).unwrap_err();
        let all = e.to_string();
        assert!(all.contains("unknown market \"XX\""), "{all}");
        assert!(all.contains("market PR is listed twice"), "{all}");
        assert!(all.contains("c.toml:6:"), "{all}");
        let e = parse(&LLA.replace("markets = [\"pr\", \"JM\"]\n", "")).unwrap_err();
        assert!(e.to_string().contains("needs markets"), "{e}");
    }
}
