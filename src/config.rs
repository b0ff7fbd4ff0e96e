//! The config file: model, loading, validation with line-precise errors, and
//! where secrets come from. Nothing here talks to a carrier.
//!
//! Location: `--config PATH`, else `$ORDERDESK_CONFIG`, else
//! `<platform config dir>/orderdesk/config.toml`. Unknown keys are errors (a
//! typo must not silently become a default). Durations are seconds.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveDate;
use chrono_tz::Tz;
use secrecy::SecretString;
use serde::Deserialize;
use toml::Spanned;

/// Defaults that apply when neither the carrier nor the file's top level says.
pub const DEFAULT_REFRESH_SECS: f64 = 60.0;
pub const DEFAULT_MAX_CONCURRENCY: usize = 8;
pub const DEFAULT_TIMEOUT_SECS: f64 = 30.0;
pub const DEFAULT_TIMEZONE: &str = "Europe/Stockholm";
pub const DEFAULT_KEEP_TERMINAL_DAYS: u32 = 14;

/// A validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub path: Option<PathBuf>,
    pub readonly: bool,
    pub theme: String,
    /// Journal author; `$USER` when not set.
    pub user: String,
    pub data_dir: Option<PathBuf>,
    /// Days a done or closed order stays in the local cache.
    pub keep_terminal_days: u32,
    /// Key map overrides: action name -> key (`"r"`, `"ctrl-r"`, `"F5"`).
    pub keys: BTreeMap<String, String>,
    pub carriers: Vec<CarrierConfig>,
}

/// One `[[carrier]]` table, with the top-level defaults applied.
#[derive(Debug, Clone)]
pub struct CarrierConfig {
    pub name: String,
    pub kind: String,
    pub base_url: String,
    pub refresh: Duration,
    pub max_concurrency: usize,
    pub timeout: Duration,
    pub timezone: Tz,
    /// Local hours in which automatic polls are skipped, `(start, end)`.
    pub quiet_hours: Option<(u32, u32)>,
    // tjansteguiden
    pub api_user: Option<String>,
    pub since: Option<NaiveDate>,
    // OAuth2 carriers (lumen-voice, lumen-px)
    pub token_url: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<SecretSource>,
    // lumen-voice
    pub customer_number: Option<String>,
    pub page_size: Option<u32>,
    /// Where in the file the table starts, for later messages.
    pub location: Option<Location>,
}

/// Where a secret comes from. The value itself is read when the carrier is
/// built, never kept in plain text and never printed.
#[derive(Clone)]
pub enum SecretSource {
    Env(String),
    Command(String),
    Inline(SecretString),
}

impl fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretSource::Env(name) => write!(f, "Env({name:?})"),
            SecretSource::Command(_) => f.write_str("Command([REDACTED])"),
            SecretSource::Inline(_) => f.write_str("Inline([REDACTED])"),
        }
    }
}

/// Line and column (1-based) in the config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// Everything wrong with a config file, each with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: Option<PathBuf>,
    pub problems: Vec<(Option<Location>, String)>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or("config".into());
        for (i, (loc, msg)) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            match loc {
                Some(loc) => write!(f, "{file}:{}:{}: {msg}", loc.line, loc.column)?,
                None => write!(f, "{file}: {msg}")?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    readonly: bool,
    theme: Option<String>,
    user: Option<String>,
    data_dir: Option<PathBuf>,
    keep_terminal_days: Option<Spanned<i64>>,
    refresh: Option<Spanned<f64>>,
    max_concurrency: Option<Spanned<i64>>,
    timeout: Option<Spanned<f64>>,
    timezone: Option<Spanned<String>>,
    #[serde(default)]
    keys: BTreeMap<String, String>,
    #[serde(default)]
    carrier: Vec<Spanned<RawCarrier>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCarrier {
    name: Spanned<String>,
    kind: Spanned<String>,
    base_url: Spanned<String>,
    refresh: Option<Spanned<f64>>,
    max_concurrency: Option<Spanned<i64>>,
    timeout: Option<Spanned<f64>>,
    timezone: Option<Spanned<String>>,
    quiet_hours: Option<Spanned<String>>,
    api_user: Option<Spanned<StringOrInt>>,
    since: Option<Spanned<String>>,
    token_url: Option<Spanned<String>>,
    client_id: Option<Spanned<String>>,
    client_secret: Option<Spanned<String>>,
    client_secret_env: Option<Spanned<String>>,
    client_secret_cmd: Option<Spanned<String>>,
    customer_number: Option<Spanned<StringOrInt>>,
    page_size: Option<Spanned<i64>>,
}

/// Ids that people write as numbers or strings (`api_user = 1234`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum StringOrInt {
    Int(i64),
    Str(String),
}

impl StringOrInt {
    fn into_string(self) -> String {
        match self {
            StringOrInt::Int(i) => i.to_string(),
            StringOrInt::Str(s) => s,
        }
    }
}

/// Which fields each kind needs (beyond name, kind, base_url).
fn required_fields(kind: &str) -> &'static [&'static str] {
    match kind {
        "tjansteguiden" => &["api_user"],
        "lumen-voice" => &["customer_number", "client_id", "client_secret"],
        _ => &[],
    }
}

/// How the file's permissions look, for the inline-secret rule.
#[derive(Debug, Clone, Copy)]
pub enum FileAccess {
    /// Only the owner can read it.
    Private,
    /// Group or others can read it.
    Shared,
    Unknown,
}

impl Config {
    /// The default config path (platform config dir), if one can be found.
    pub fn default_path() -> Option<PathBuf> {
        if let Ok(p) = std::env::var("ORDERDESK_CONFIG") {
            return Some(PathBuf::from(p));
        }
        directories::ProjectDirs::from("", "", "orderdesk")
            .map(|d| d.config_dir().join("config.toml"))
    }

    /// Reads and validates a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: Some(path.to_owned()),
            problems: vec![(None, format!("cannot read: {e}"))],
        })?;
        Config::parse(&text, Some(path), file_access(path))
    }

    /// Parses and validates config text.
    pub fn parse(
        text: &str,
        path: Option<&Path>,
        access: FileAccess,
    ) -> Result<Config, ConfigError> {
        let err = |problems| ConfigError {
            path: path.map(Path::to_owned),
            problems,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let loc = e.span().map(|s| location(text, s.start));
            err(vec![(loc, e.message().trim().to_owned())])
        })?;
        let mut problems = Vec::new();
        let at = |span: std::ops::Range<usize>| Some(location(text, span.start));

        let refresh = secs(
            raw.refresh.as_ref(),
            DEFAULT_REFRESH_SECS,
            "refresh",
            text,
            &mut problems,
        );
        let timeout = secs(
            raw.timeout.as_ref(),
            DEFAULT_TIMEOUT_SECS,
            "timeout",
            text,
            &mut problems,
        );
        let max_conc = concurrency(
            raw.max_concurrency.as_ref(),
            DEFAULT_MAX_CONCURRENCY,
            text,
            &mut problems,
        );
        let timezone = tz(
            raw.timezone.as_ref(),
            DEFAULT_TIMEZONE.parse().ok(),
            text,
            &mut problems,
        );
        let keep_terminal_days = match &raw.keep_terminal_days {
            None => DEFAULT_KEEP_TERMINAL_DAYS,
            Some(v) => u32::try_from(*v.get_ref())
                .ok()
                .filter(|d| *d <= 3650)
                .unwrap_or_else(|| {
                    problems.push((
                        at(v.span()),
                        "keep_terminal_days must be between 0 and 3650".into(),
                    ));
                    DEFAULT_KEEP_TERMINAL_DAYS
                }),
        };

        let mut carriers = Vec::new();
        let mut names = std::collections::HashSet::new();
        for table in raw.carrier {
            let span = table.span();
            let c = table.into_inner();
            let kind = c.kind.get_ref().clone();
            if !crate::carriers::KINDS.contains(&kind.as_str()) {
                problems.push((
                    at(c.kind.span()),
                    format!(
                        "unknown carrier kind {kind:?}; known kinds: {}",
                        crate::carriers::KINDS.join(", ")
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
            if reqwest::Url::parse(&base_url)
                .map(|u| !matches!(u.scheme(), "http" | "https"))
                .unwrap_or(true)
            {
                problems.push((
                    at(c.base_url.span()),
                    format!("base_url {base_url:?} is not an http(s) URL"),
                ));
            }
            let since = c.since.as_ref().and_then(|s| {
                NaiveDate::parse_from_str(s.get_ref().trim(), "%Y-%m-%d")
                    .map_err(|_| {
                        problems.push((
                            at(s.span()),
                            format!("since {:?} is not a date like 2015-10-01", s.get_ref()),
                        ))
                    })
                    .ok()
            });
            let quiet_hours = c.quiet_hours.as_ref().and_then(|q| {
                parse_hours(q.get_ref())
                    .ok_or_else(|| {
                        problems.push((
                            at(q.span()),
                            format!(
                                "quiet_hours {:?} is not like \"07-19\" (local hours, start-end)",
                                q.get_ref()
                            ),
                        ))
                    })
                    .ok()
            });
            let secret_sources = [
                c.client_secret
                    .as_ref()
                    .map(|s| (s.span(), "client_secret")),
                c.client_secret_env
                    .as_ref()
                    .map(|s| (s.span(), "client_secret_env")),
                c.client_secret_cmd
                    .as_ref()
                    .map(|s| (s.span(), "client_secret_cmd")),
            ];
            let given: Vec<_> = secret_sources.iter().flatten().collect();
            if given.len() > 1 {
                problems.push((
                    at(given[1].0.clone()),
                    "give only one of client_secret, client_secret_env, client_secret_cmd".into(),
                ));
            }
            if let Some(secret) = &c.client_secret {
                if !matches!(access, FileAccess::Private) {
                    problems.push((
                        at(secret.span()),
                        "client_secret is inline but this file is readable by group or others (or its permissions are unknown); \
                         use client_secret_env or client_secret_cmd, or chmod 600 the file"
                            .into(),
                    ));
                }
            }
            let client_secret = if let Some(s) = c.client_secret {
                Some(SecretSource::Inline(SecretString::from(s.into_inner())))
            } else if let Some(s) = c.client_secret_env {
                Some(SecretSource::Env(s.into_inner()))
            } else {
                c.client_secret_cmd
                    .map(|s| SecretSource::Command(s.into_inner()))
            };
            let page_size = c
                .page_size
                .as_ref()
                .and_then(|p| match u32::try_from(*p.get_ref()) {
                    Ok(v) if (1..=1000).contains(&v) => Some(v),
                    _ => {
                        problems
                            .push((at(p.span()), "page_size must be between 1 and 1000".into()));
                        None
                    }
                });
            let config = CarrierConfig {
                name,
                kind: kind.clone(),
                base_url,
                refresh: secs(
                    c.refresh.as_ref(),
                    refresh.as_secs_f64(),
                    "refresh",
                    text,
                    &mut problems,
                ),
                max_concurrency: concurrency(
                    c.max_concurrency.as_ref(),
                    max_conc,
                    text,
                    &mut problems,
                ),
                timeout: secs(
                    c.timeout.as_ref(),
                    timeout.as_secs_f64(),
                    "timeout",
                    text,
                    &mut problems,
                ),
                timezone: tz(c.timezone.as_ref(), Some(timezone), text, &mut problems),
                quiet_hours,
                api_user: c.api_user.map(|a| a.into_inner().into_string()),
                since,
                token_url: c.token_url.map(Spanned::into_inner),
                client_id: c.client_id.map(Spanned::into_inner),
                client_secret,
                customer_number: c.customer_number.map(|a| a.into_inner().into_string()),
                page_size,
                location: at(span.clone()),
            };
            for field in required_fields(&kind) {
                let present = match *field {
                    "api_user" => config.api_user.is_some(),
                    "customer_number" => config.customer_number.is_some(),
                    "client_id" => config.client_id.is_some(),
                    "client_secret" => config.client_secret.is_some(),
                    _ => true,
                };
                if !present {
                    let hint = if *field == "client_secret" {
                        " (client_secret_env or client_secret_cmd)"
                    } else {
                        ""
                    };
                    problems.push((
                        at(span.clone()),
                        format!(
                            "carrier {:?} of kind {kind} needs {field}{hint}",
                            config.name
                        ),
                    ));
                }
            }
            carriers.push(config);
        }
        if !problems.is_empty() {
            return Err(err(problems));
        }
        Ok(Config {
            path: path.map(Path::to_owned),
            readonly: raw.readonly,
            theme: raw.theme.unwrap_or_else(|| "default".into()),
            user: raw.user.unwrap_or_else(default_user),
            data_dir: raw.data_dir,
            keep_terminal_days,
            keys: raw.keys,
            carriers,
        })
    }

    /// A config with no file: used by `demo`, which adds its own carriers.
    pub fn empty() -> Config {
        Config {
            path: None,
            readonly: false,
            theme: "default".into(),
            user: default_user(),
            data_dir: None,
            keep_terminal_days: DEFAULT_KEEP_TERMINAL_DAYS,
            keys: BTreeMap::new(),
            carriers: Vec::new(),
        }
    }
}

impl CarrierConfig {
    /// A carrier with every default, for the demo and tests.
    pub fn new(name: &str, kind: &str, base_url: &str) -> CarrierConfig {
        CarrierConfig {
            name: name.into(),
            kind: kind.into(),
            base_url: base_url.into(),
            refresh: Duration::from_secs_f64(DEFAULT_REFRESH_SECS),
            max_concurrency: DEFAULT_MAX_CONCURRENCY,
            timeout: Duration::from_secs_f64(DEFAULT_TIMEOUT_SECS),
            timezone: chrono_tz::Europe::Stockholm,
            quiet_hours: None,
            api_user: None,
            since: None,
            token_url: None,
            client_id: None,
            client_secret: None,
            customer_number: None,
            page_size: None,
            location: None,
        }
    }
}

fn default_user() -> String {
    std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// Byte offset -> 1-based line and column (in characters).
fn location(text: &str, offset: usize) -> Location {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    Location { line, column }
}

fn secs(
    value: Option<&Spanned<f64>>,
    default: f64,
    what: &str,
    text: &str,
    problems: &mut Vec<(Option<Location>, String)>,
) -> Duration {
    match value {
        None => Duration::from_secs_f64(default),
        Some(v) if v.get_ref().is_finite() && *v.get_ref() > 0.0 && *v.get_ref() <= 86_400.0 => {
            Duration::from_secs_f64(*v.get_ref())
        }
        Some(v) => {
            problems.push((
                Some(location(text, v.span().start)),
                format!("{what} must be a number of seconds between 0 and 86400"),
            ));
            Duration::from_secs_f64(default)
        }
    }
}

fn concurrency(
    value: Option<&Spanned<i64>>,
    default: usize,
    text: &str,
    problems: &mut Vec<(Option<Location>, String)>,
) -> usize {
    match value {
        None => default,
        Some(v) if (1..=256).contains(v.get_ref()) => *v.get_ref() as usize,
        Some(v) => {
            problems.push((
                Some(location(text, v.span().start)),
                "max_concurrency must be between 1 and 256".into(),
            ));
            default
        }
    }
}

fn tz(
    value: Option<&Spanned<String>>,
    default: Option<Tz>,
    text: &str,
    problems: &mut Vec<(Option<Location>, String)>,
) -> Tz {
    let fallback = default.unwrap_or(chrono_tz::Europe::Stockholm);
    match value {
        None => fallback,
        Some(v) => v.get_ref().parse::<Tz>().unwrap_or_else(|_| {
            problems.push((
                Some(location(text, v.span().start)),
                format!(
                    "timezone {:?} is not an IANA zone like \"Europe/Stockholm\"",
                    v.get_ref()
                ),
            ));
            fallback
        }),
    }
}

fn parse_hours(text: &str) -> Option<(u32, u32)> {
    let (a, b) = text.trim().split_once('-')?;
    let (a, b) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (a < 24 && b <= 24 && a != b).then_some((a, b))
}

#[cfg(unix)]
fn file_access(path: &Path) -> FileAccess {
    use std::os::unix::fs::PermissionsExt;
    match std::fs::metadata(path) {
        Ok(m) if m.permissions().mode() & 0o077 == 0 => FileAccess::Private,
        Ok(_) => FileAccess::Shared,
        Err(_) => FileAccess::Unknown,
    }
}

#[cfg(not(unix))]
fn file_access(_path: &Path) -> FileAccess {
    FileAccess::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Some(Path::new("c.toml")), FileAccess::Shared)
    }

    const TG: &str = r#"
refresh = 30
[[carrier]]
name = "tg"
kind = "tjansteguiden"
base_url = "https://portal.example/admin/edit/services/plain/orders"
api_user = 1234
since = "2015-10-01"
"#;

    #[test]
    fn minimal_tjansteguiden_config() {
        let c = parse(TG).expect("valid");
        let tg = &c.carriers[0];
        assert_eq!(tg.api_user.as_deref(), Some("1234"));
        assert_eq!(tg.refresh, Duration::from_secs(30));
        assert_eq!(tg.max_concurrency, 8);
        assert_eq!(tg.timezone, chrono_tz::Europe::Stockholm);
        assert_eq!(tg.since, NaiveDate::from_ymd_opt(2015, 10, 1));
    }

    #[test]
    fn unknown_key_reports_line_and_column() {
        let text = TG.replace("since =", "sinse =");
        let e = parse(&text).unwrap_err();
        assert_eq!(e.problems[0].0, Some(Location { line: 8, column: 1 }));
        assert!(e.problems[0].1.contains("unknown field `sinse`"), "{e}");
        assert!(e.to_string().starts_with("c.toml:8:1: "), "{e}");
    }

    #[test]
    fn semantic_errors_are_all_reported_with_places() {
        let text = TG
            .replace("api_user = 1234\n", "")
            .replace("2015-10-01", "yesterday")
            .replace("refresh = 30", "refresh = -1");
        let e = parse(&text).unwrap_err();
        let msgs: Vec<_> = e
            .problems
            .iter()
            .map(|(l, m)| (l.map(|l| l.line), m.as_str()))
            .collect();
        assert!(
            msgs.iter()
                .any(|(l, m)| *l == Some(2) && m.contains("refresh")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|(l, m)| *l == Some(7) && m.contains("since")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|(_, m)| m.contains("needs api_user")),
            "{msgs:?}"
        );
    }

    #[test]
    fn inline_secret_in_shared_file_is_refused() {
        let text = r#"
[[carrier]]
name = "voice"
kind = "lumen-voice"
base_url = "https://api.example"
customer_number = "123"
client_id = "id"
client_secret = "hunter2"
"#;
        let e = parse(text).unwrap_err();
        assert!(e.to_string().contains("readable by group or others"), "{e}");
        assert!(!e.to_string().contains("hunter2"));
        let ok = Config::parse(text, None, FileAccess::Private).expect("private file may hold it");
        assert!(!format!("{ok:?}").contains("hunter2"));
    }

    #[test]
    fn the_example_config_is_valid_with_its_commented_options_enabled() {
        let example = include_str!("../config.example.toml");
        let c = Config::parse(example, None, FileAccess::Private).expect("example parses");
        assert_eq!(c.carriers.len(), 1);
        assert_eq!(c.keep_terminal_days, 14);
        // Uncommenting the Voice carrier (env secret) and the tg options keeps it valid.
        let enabled: String = example
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest)
                    if rest.split_once(" = ").is_some_and(|(k, _)| {
                        !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    }) && !rest.starts_with("client_secret ")
                        && !rest.starts_with("client_secret_cmd") =>
                {
                    rest
                }
                _ => l,
            })
            .map(|l| format!("{l}\n"))
            .collect::<String>()
            .replace("# [[carrier]]", "[[carrier]]");
        let c =
            Config::parse(&enabled, None, FileAccess::Shared).expect("example with options parses");
        assert_eq!(c.carriers.len(), 2, "{enabled}");
        assert_eq!(c.carriers[0].quiet_hours, Some((7, 19)));
        assert_eq!(c.user, "anna");
    }

    #[test]
    fn duplicate_names_and_bad_kind() {
        let text = format!(
            "{TG}{}",
            TG.replace("refresh = 30", "")
                .replace("tjansteguiden", "tjanste")
        );
        let e = parse(&text).unwrap_err();
        let all = e.to_string();
        assert!(all.contains("used twice"), "{all}");
        assert!(all.contains("unknown carrier kind \"tjanste\""), "{all}");
    }
}
