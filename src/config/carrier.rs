//! Reading one `[[carrier]]` table: its common keys ([`COMMON_CARRIER_KEYS`])
//! are checked here, with the file's defaults applied; the other keys go to
//! the kind's reader as a [`KindSection`]. Also what a [`CarrierConfig`] can
//! do (its kind's settings). Knows no kind.

use std::collections::HashSet;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::domain::sla::ServiceLevels;
use toml::de::{DeTable, DeValue};

use super::{
    COMMON_CARRIER_KEYS, CarrierConfig, DEFAULT_MAX_CONCURRENCY, DEFAULT_REFRESH_SECS,
    DEFAULT_REREAD_ATTENTION_EVERY_SECS, DEFAULT_REREAD_EVERY_SECS, DEFAULT_TIMEOUT_SECS,
    FileAccess, KindReaders, KindSection, KindSettings, MAX_REQUESTS_PER_MINUTE, Problem, Seconds,
    concurrency, location, parse_hours, secs, tz, values,
};

/// The common keys of a `[[carrier]]` table ([`COMMON_CARRIER_KEYS`]).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCarrier {
    name: Spanned<String>,
    kind: Spanned<String>,
    base_url: Spanned<String>,
    refresh: Option<Spanned<Seconds>>,
    max_concurrency: Option<Spanned<i64>>,
    timeout: Option<Spanned<Seconds>>,
    timezone: Option<Spanned<String>>,
    quiet_hours: Option<Spanned<String>>,
    max_requests_per_minute: Option<Spanned<i64>>,
    reread_every: Option<Spanned<Seconds>>,
    reread_attention_every: Option<Spanned<Seconds>>,
    sla: Option<Spanned<std::collections::BTreeMap<String, Spanned<String>>>>,
    portal_url: Option<Spanned<String>>,
}

/// The top-level values every carrier inherits unless it says otherwise.
pub(super) struct Defaults {
    pub(super) refresh: Duration,
    pub(super) max_concurrency: usize,
    pub(super) timeout: Duration,
    pub(super) timezone: chrono_tz::Tz,
}

impl Clone for CarrierConfig {
    fn clone(&self) -> Self {
        CarrierConfig {
            name: self.name.clone(),
            kind: self.kind.clone(),
            base_url: self.base_url.clone(),
            refresh: self.refresh,
            max_concurrency: self.max_concurrency,
            timeout: self.timeout,
            timezone: self.timezone,
            timezone_set: self.timezone_set,
            quiet_hours: self.quiet_hours,
            quiet_hours_off: self.quiet_hours_off,
            max_requests_per_minute: self.max_requests_per_minute,
            portal_url: self.portal_url.clone(),
            reread_every: self.reread_every,
            reread_attention_every: self.reread_attention_every,
            service_levels: self.service_levels.clone(),
            settings: self.settings.as_ref().clone_box(),
            location: self.location,
        }
    }
}

/// The tables of the `carrier` array of tables (`[[carrier]]`), each with
/// its span; anything else there is a shape problem.
pub(super) fn carrier_tables_of<'i>(
    value: Option<Spanned<DeValue<'i>>>,
    text: &str,
    shape: &mut Vec<Problem>,
) -> Vec<Spanned<DeTable<'i>>> {
    let Some(value) = value else {
        return Vec::new();
    };
    let span = value.span();
    let DeValue::Array(items) = value.into_inner() else {
        shape.push((
            Some(location(text, span.start)),
            "carrier must be an array of tables ([[carrier]])".into(),
        ));
        return Vec::new();
    };
    let mut tables = Vec::new();
    for item in items {
        let span = item.span();
        match item.into_inner() {
            DeValue::Table(table) => tables.push(Spanned::new(span, table)),
            _ => shape.push((
                Some(location(text, span.start)),
                "each carrier must be a table ([[carrier]])".into(),
            )),
        }
    }
    tables
}

/// Reads one `[[carrier]]` table: the common keys here, the rest by its kind.
pub(super) struct CarrierReading<'a, 'i> {
    pub(super) text: &'i str,
    pub(super) access: FileAccess,
    pub(super) defaults: &'a Defaults,
    pub(super) problems: &'a mut Vec<Problem>,
    pub(super) shape: &'a mut Vec<Problem>,
}

impl<'i> CarrierReading<'_, 'i> {
    pub(super) fn read<K: KindReaders + ?Sized>(
        self,
        table: Spanned<DeTable<'i>>,
        kinds: &K,
        names: &mut HashSet<String>,
    ) -> Option<CarrierConfig> {
        let text = self.text;
        let problems = self.problems;
        let at = |span: std::ops::Range<usize>| Some(location(text, span.start));
        let span = table.span();
        let (common, own): (DeTable<'i>, DeTable<'i>) = table
            .into_inner()
            .into_iter()
            .partition(|(key, _)| COMMON_CARRIER_KEYS.contains(&key.get_ref().as_ref()));
        let c = match RawCarrier::deserialize(toml::de::Deserializer::from(Spanned::new(
            span.clone(),
            common,
        ))) {
            Ok(c) => c,
            Err(e) => {
                let at = e.span().map_or(span.start, |s| s.start);
                let message = values::in_words(e.message(), text, at);
                self.shape.push((Some(location(text, at)), message));
                return None;
            }
        };
        let kind = c.kind.get_ref().clone();
        let reader = kinds.reader(&kind);
        if reader.is_none() {
            problems.push((
                at(c.kind.span()),
                format!(
                    "unknown carrier kind {kind:?}; known kinds: {}",
                    kinds.names().join(", ")
                ),
            ));
        }
        let name = c.name.get_ref().trim().to_owned();
        if name.is_empty() || name.contains(['/', ' ']) {
            problems.push((
                at(c.name.span()),
                "carrier name must be non-empty, without spaces or '/'".into(),
            ));
        } else if !names.insert(name.clone()) {
            problems.push((
                at(c.name.span()),
                format!("carrier name {name:?} is used twice"),
            ));
        }
        let base_url = c.base_url.get_ref().trim().to_owned();
        match reqwest::Url::parse(&base_url) {
            Ok(u) if !matches!(u.scheme(), "http" | "https") => problems.push((
                at(c.base_url.span()),
                format!("base_url {base_url:?} is not an http(s) URL"),
            )),
            Err(_) => problems.push((
                at(c.base_url.span()),
                format!("base_url {base_url:?} is not an http(s) URL"),
            )),
            // Each request's query is built from its own parameters; a query
            // or fragment here would ride along in front of them.
            Ok(u) if u.query().is_some() || u.fragment().is_some() => problems.push((
                at(c.base_url.span()),
                format!(
                    "base_url {base_url:?} must not have a query (?...) or a fragment (#...): \
                     give the endpoint alone, e.g. https://portal.example/orders"
                ),
            )),
            Ok(u) if !u.username().is_empty() || u.password().is_some() => problems.push((
                at(c.base_url.span()),
                "base_url must not hold a user name or password: use the kind's \
                 credential keys"
                    .into(),
            )),
            Ok(_) => {}
        }
        let portal_url = c.portal_url.as_ref().and_then(|p| {
            let url = p.get_ref().trim();
            let web = url.starts_with("https://") || url.starts_with("http://");
            let problem = if !web {
                Some(format!(
                    "portal_url {url:?} must start with https:// or http://, e.g. \"https://portal.example/orders/{{id}}\""
                ))
            } else if !url.contains("{id}") {
                Some(format!(
                    "portal_url {url:?} must contain {{id}} where the order id goes, e.g. \"https://portal.example/orders/{{id}}\""
                ))
            } else {
                reqwest::Url::parse(&url.replace("{id}", "1"))
                    .err()
                    .map(|_| format!("portal_url {url:?} is not a web address"))
            };
            match problem {
                Some(problem) => {
                    problems.push((at(p.span()), problem));
                    None
                }
                None => Some(url.to_owned()),
            }
        });
        let quiet_hours_off = c
            .quiet_hours
            .as_ref()
            .is_some_and(|q| q.get_ref().trim().is_empty());
        let quiet_hours = c
            .quiet_hours
            .as_ref()
            .filter(|_| !quiet_hours_off)
            .and_then(|q| {
                parse_hours(q.get_ref())
                    .ok_or_else(|| {
                        problems.push((
                            at(q.span()),
                            format!(
                                "quiet_hours {:?} is not like \"07-19\" (hours in the carrier's timezone, start-end)",
                                q.get_ref()
                            ),
                        ))
                    })
                    .ok()
            });
        let defaults = self.defaults;
        let refresh = secs(
            c.refresh.as_ref(),
            defaults.refresh.as_secs_f64(),
            "refresh",
            text,
            problems,
        );
        let max_concurrency = concurrency(
            c.max_concurrency.as_ref(),
            defaults.max_concurrency,
            text,
            problems,
        );
        let timeout = secs(
            c.timeout.as_ref(),
            defaults.timeout.as_secs_f64(),
            "timeout",
            text,
            problems,
        );
        let timezone = tz(c.timezone.as_ref(), Some(defaults.timezone), text, problems);
        let max_requests_per_minute =
            c.max_requests_per_minute
                .as_ref()
                .and_then(|v| match u32::try_from(*v.get_ref()) {
                    Ok(n) if i64::from(n) <= MAX_REQUESTS_PER_MINUTE => Some(n),
                    _ => {
                        problems.push((
                            at(v.span()),
                            format!(
                                "max_requests_per_minute must be between 0 and \
                             {MAX_REQUESTS_PER_MINUTE} (0: no background re-reads)"
                            ),
                        ));
                        None
                    }
                });
        let reread_every = secs(
            c.reread_every.as_ref(),
            DEFAULT_REREAD_EVERY_SECS,
            "reread_every",
            text,
            problems,
        );
        let reread_attention_every = secs(
            c.reread_attention_every.as_ref(),
            DEFAULT_REREAD_ATTENTION_EVERY_SECS,
            "reread_attention_every",
            text,
            problems,
        );
        let mut service_levels = ServiceLevels::default();
        for (key, value) in c.sla.iter().flat_map(|t| t.get_ref()) {
            if let Err(e) = service_levels.set(key, value.get_ref()) {
                problems.push((at(value.span()), e));
            }
        }
        let settings = match reader {
            Some(read) => read(&mut KindSection {
                carrier: &name,
                kind: &kind,
                keys: Some(Spanned::new(span.clone(), own)),
                text,
                access: self.access,
                table_start: span.start,
                problems,
                shape: self.shape,
            }),
            None => Box::new(()),
        };
        Some(CarrierConfig {
            name,
            kind,
            base_url,
            refresh,
            max_concurrency,
            timeout,
            timezone,
            timezone_set: c.timezone.is_some(),
            quiet_hours,
            quiet_hours_off,
            portal_url,
            max_requests_per_minute,
            reread_every,
            reread_attention_every,
            service_levels,
            settings,
            location: at(span),
        })
    }
}

impl CarrierConfig {
    /// A carrier with every default and no kind settings yet, for the demo
    /// and tests (see [`CarrierConfig::with_settings`]).
    pub fn new(name: &str, kind: &str, base_url: &str) -> CarrierConfig {
        CarrierConfig {
            name: name.into(),
            kind: kind.into(),
            base_url: base_url.into(),
            refresh: Duration::from_secs_f64(DEFAULT_REFRESH_SECS),
            max_concurrency: DEFAULT_MAX_CONCURRENCY,
            timeout: Duration::from_secs_f64(DEFAULT_TIMEOUT_SECS),
            timezone: chrono_tz::Europe::Stockholm,
            timezone_set: false,
            quiet_hours: None,
            quiet_hours_off: false,
            portal_url: None,
            max_requests_per_minute: None,
            reread_every: Duration::from_secs_f64(DEFAULT_REREAD_EVERY_SECS),
            reread_attention_every: Duration::from_secs_f64(DEFAULT_REREAD_ATTENTION_EVERY_SECS),
            service_levels: ServiceLevels::default(),
            settings: Box::new(()),
            location: None,
        }
    }

    /// The same carrier with `settings` as its kind's settings.
    pub fn with_settings(mut self, settings: impl KindSettings) -> CarrierConfig {
        self.settings = Box::new(settings);
        self
    }

    /// The kind's settings, when they are a `T`.
    pub fn settings<T: KindSettings>(&self) -> Option<&T> {
        self.settings.as_ref().as_any().downcast_ref::<T>()
    }

    /// The kind's settings to change, replaced by `T::default()` first when
    /// they are not a `T`.
    pub fn settings_mut<T: KindSettings + Default>(&mut self) -> &mut T {
        if !self.settings.as_ref().as_any().is::<T>() {
            self.settings = Box::new(T::default());
        }
        match self.settings.as_mut().as_any_mut().downcast_mut::<T>() {
            Some(settings) => settings,
            None => unreachable!("the settings were just made a T"),
        }
    }
}
