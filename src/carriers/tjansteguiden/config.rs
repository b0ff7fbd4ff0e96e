//! The `tjansteguiden` keys of a `[[carrier]]` table: `api_user` (required,
//! a number or a string) and `since` (the first date to list orders from).
//! Unknown keys are refused with their line and column. Read once by the
//! config (through the registry) and again by `build`, which takes them as
//! they were read.

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

use crate::config::{KindSection, KindSettings, StringOrInt, is_blank};

/// What a Tjänsteguiden carrier reads from its own keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TgConfig {
    pub api_user: Option<String>,
    pub since: Option<NaiveDate>,
}

impl TgConfig {
    /// The required keys that are missing or blank, as messages name them
    /// (`... needs api_user`); the config and `build` both ask.
    pub fn missing(&self) -> Vec<&'static str> {
        if is_blank(self.api_user.as_deref()) {
            vec!["api_user"]
        } else {
            Vec::new()
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTg {
    api_user: Option<Spanned<StringOrInt>>,
    since: Option<Spanned<String>>,
}

/// Reads the kind's keys (the registry's `read_config`).
pub fn read(section: &mut KindSection<'_, '_>) -> Box<dyn KindSettings> {
    let Some(raw) = section.read::<RawTg>() else {
        return Box::new(TgConfig::default());
    };
    let since = raw.since.and_then(|s| {
        let date = NaiveDate::parse_from_str(s.get_ref().trim(), "%Y-%m-%d").ok();
        if date.is_none() {
            section.problem(
                s.span(),
                format!("since {:?} is not a date like 2015-10-01", s.get_ref()),
            );
        }
        date
    });
    let config = TgConfig {
        api_user: raw.api_user.map(|a| a.into_inner().into_string()),
        since,
    };
    for field in config.missing() {
        section.needs(field);
    }
    Box::new(config)
}
