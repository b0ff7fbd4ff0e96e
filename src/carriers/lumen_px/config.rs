//! The `lumen-px` keys of a `[[carrier]]` table: `client_id`, the client
//! secret (`client_secret_env`, `client_secret_cmd`, or inline
//! `client_secret` in a private file) and `partner_id` are required;
//! `token_url` (default `{base_url}/oauth/token`), `sales_codes` (empty: all
//! of the partner's), `sources` (a subset of `API`, `UI`, `Phone`; default
//! all three) and `since` (`YYYY-MM-DD`, the first day to list new orders
//! from) are optional. Unknown keys are refused with their line and column.
//! Read once by the config (through the registry) and again by `build`.

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

use crate::config::{KindSection, KindSettings, SecretKeys, SecretSource, StringOrInt, is_blank};

/// The document's `orderStatusSourceSystem` values, in its order.
pub const SOURCES: [&str; 3] = ["API", "UI", "Phone"];

/// What a PX carrier reads from its own keys.
#[derive(Debug, Clone, Default)]
pub struct PxConfig {
    pub token_url: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<SecretSource>,
    pub partner_id: Option<String>,
    /// Empty: every sales code of the partner (one call without `salesCode`).
    pub sales_codes: Vec<String>,
    /// Source systems asked for, spelled as the document does; empty: all.
    pub sources: Vec<String>,
    pub since: Option<NaiveDate>,
}

impl PxConfig {
    /// The required keys that are missing or blank.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if is_blank(self.client_id.as_deref()) {
            missing.push("client_id");
        }
        if self.client_secret.is_none() {
            missing.push("client_secret (client_secret_env or client_secret_cmd)");
        }
        if is_blank(self.partner_id.as_deref()) {
            missing.push("partner_id");
        }
        missing
    }

    /// The source systems sent with `pxNewOrders` (all three when unset).
    pub fn source_list(&self) -> Vec<String> {
        if self.sources.is_empty() {
            SOURCES.iter().map(|s| (*s).to_owned()).collect()
        } else {
            self.sources.clone()
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPx {
    token_url: Option<Spanned<String>>,
    client_id: Option<Spanned<String>>,
    client_secret: Option<Spanned<String>>,
    client_secret_env: Option<Spanned<String>>,
    client_secret_cmd: Option<Spanned<String>>,
    partner_id: Option<Spanned<StringOrInt>>,
    sales_codes: Option<Vec<Spanned<StringOrInt>>>,
    sources: Option<Vec<Spanned<String>>>,
    since: Option<Spanned<String>>,
}

/// Reads the kind's keys (the registry's `read_config`).
pub fn read(section: &mut KindSection<'_, '_>) -> Box<dyn KindSettings> {
    let Some(raw) = section.read::<RawPx>() else {
        return Box::new(PxConfig::default());
    };
    let client_secret = section.secret(
        "client_secret",
        SecretKeys {
            inline: raw.client_secret,
            env: raw.client_secret_env,
            cmd: raw.client_secret_cmd,
        },
    );
    let mut sales_codes = Vec::new();
    for code in raw.sales_codes.unwrap_or_default() {
        let span = code.span();
        let text = code.into_inner().into_string().trim().to_owned();
        if text.is_empty() {
            section.problem(span, "sales_codes must not hold an empty code");
        } else {
            sales_codes.push(text);
        }
    }
    let mut sources = Vec::new();
    for source in raw.sources.unwrap_or_default() {
        let span = source.span();
        match SOURCES
            .iter()
            .find(|s| s.eq_ignore_ascii_case(source.get_ref().trim()))
        {
            Some(s) if !sources.iter().any(|k: &String| k == s) => sources.push((*s).to_owned()),
            Some(_) => section.problem(span, format!("source {:?} is listed twice", s_of(&source))),
            None => section.problem(
                span,
                format!("source {:?} is not one of API, UI, Phone", s_of(&source)),
            ),
        }
    }
    let since =
        raw.since.and_then(
            |s| match NaiveDate::parse_from_str(s.get_ref().trim(), "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    section.problem(
                        s.span(),
                        format!("since {:?} is not a date like \"2026-01-31\"", s.get_ref()),
                    );
                    None
                }
            },
        );
    let config = PxConfig {
        token_url: raw.token_url.map(Spanned::into_inner),
        client_id: raw.client_id.map(Spanned::into_inner),
        client_secret,
        partner_id: raw.partner_id.map(|p| p.into_inner().into_string()),
        sales_codes,
        sources,
        since,
    };
    for field in config.missing() {
        section.needs(field);
    }
    Box::new(config)
}

fn s_of(s: &Spanned<String>) -> &str {
    s.get_ref()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::PxConfig;
    use crate::carriers::QuietHours;
    use crate::carriers::lumen_px::{DEFAULT_QUIET_HOURS, DEFAULT_ZONE, quiet_hours};
    use crate::config::{Config, ConfigError, FileAccess, Location};
    use crate::registry::parse_config;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        parse_config(text, Some(Path::new("c.toml")), FileAccess::Shared)
    }

    const PX: &str = r#"
[[carrier]]
name = "px"
kind = "lumen-px"
base_url = "https://api-test.lumen.com"
client_id = "id"
client_secret_env = "PX_SECRET"
partner_id = 4711
sales_codes = ["SC1001", 2002]
sources = ["phone", "UI"]
since = "2026-01-31"
"#;

    #[test]
    fn keys_are_read() {
        let c = parse(PX).expect("valid");
        let px = c.carriers[0].settings::<PxConfig>().expect("px settings");
        assert_eq!(px.partner_id.as_deref(), Some("4711"));
        assert_eq!(px.sales_codes, vec!["SC1001", "2002"]);
        assert_eq!(px.source_list(), vec!["Phone", "UI"]);
        assert_eq!(px.since, chrono::NaiveDate::from_ymd_opt(2026, 1, 31));
        let chicago = QuietHours::new(DEFAULT_QUIET_HOURS, DEFAULT_ZONE);
        assert_eq!(quiet_hours(&c.carriers[0]), Some(chicago));
        let all = PxConfig::default().source_list();
        assert_eq!(all, vec!["API", "UI", "Phone"]);
    }

    #[test]
    fn quiet_hours_override_and_off() {
        let c = parse(&PX.replace("kind =", "quiet_hours = \"22-06\"\nkind =")).expect("valid");
        let chicago = QuietHours::new((22, 6), chrono_tz::America::Chicago);
        assert_eq!(quiet_hours(&c.carriers[0]), Some(chicago));
        // The carrier's own zone wins over Chicago; the file's does not.
        let c =
            parse(&PX.replace("kind =", "timezone = \"Europe/Stockholm\"\nkind =")).expect("valid");
        let own = QuietHours::new(DEFAULT_QUIET_HOURS, chrono_tz::Europe::Stockholm);
        assert_eq!(quiet_hours(&c.carriers[0]), Some(own));
        let c = parse(&format!("timezone = \"Asia/Tokyo\"\n{PX}")).expect("valid");
        assert_eq!(
            quiet_hours(&c.carriers[0]).map(|q| q.zone),
            Some(DEFAULT_ZONE)
        );
        let c = parse(&PX.replace("kind =", "quiet_hours = \"\"\nkind =")).expect("valid");
        assert_eq!(quiet_hours(&c.carriers[0]), None);
    }

    #[test]
    fn unknown_keys_and_bad_values_have_places() {
        let e = parse(&PX.replace("partner_id =", "partner =")).unwrap_err();
        assert_eq!(e.problems[0].0, Some(Location { line: 8, column: 1 }));
        assert!(e.problems[0].1.contains("unknown field `partner`"), "{e}");
        let e = parse(
            &PX.replace("\"phone\"", "\"fax\"")
                .replace("2026-01-31", "soon"),
        )
        .unwrap_err();
        let all = e.to_string();
        assert!(all.contains("not one of API, UI, Phone"), "{all}");
        assert!(all.contains("since"), "{all}");
        let e = parse(&PX.replace("partner_id = 4711\n", "")).unwrap_err();
        assert!(e.to_string().contains("needs partner_id"), "{e}");
    }

    #[test]
    fn the_example_section_is_valid_when_enabled() {
        let example = include_str!("../../../config.example.toml");
        let start = example
            .find("# [[carrier]]\n# name = \"px\"")
            .expect("the PX example section");
        let section: String = example[start..]
            .lines()
            .map_while(|l| l.strip_prefix("# "))
            .map(|l| format!("{l}\n"))
            .collect();
        let c = parse(&section).unwrap_or_else(|e| panic!("{e}\n{section}"));
        assert_eq!(c.carriers[0].kind, "lumen-px");
    }
}
