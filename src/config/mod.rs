//! The config file: the model, loading, validation of the top level and of
//! the common carrier keys (`carrier`) with line-precise errors, and the
//! shared readers a kind uses for its own keys, secrets included (`kind`).
//! Nothing here talks to a carrier or knows a carrier kind, and nothing here
//! imports `carriers`: each kind reads its own keys of a `[[carrier]]` table
//! through a [`KindSection`], with the reader the carrier registry passes to
//! [`Config::parse`] as [`KindReaders`].
//!
//! Location: `--config PATH`, else `$ORDERDESK_CONFIG`, else
//! `<platform config dir>/orderdesk/config.toml`. Unknown keys are errors (a
//! typo must not silently become a default). Durations are seconds, or
//! text with a unit (`"60s"`, `"5m"`, `"1h"`); a value of the wrong type is
//! said with the key's name and an example (`values`).

mod carrier;
mod kind;
mod login;
mod starter;
mod team;
mod values;
mod views;
mod wallboard;

use carrier::{CarrierReading, Defaults, carrier_tables_of};
pub use kind::{
    KindReaders, KindSection, KindSettings, ReadKind, SecretKeys, SecretSource, StringOrInt,
    is_blank,
};
pub use starter::{EXAMPLE, StarterChoices, starter_text, write_starter};
pub use team::TeamStore;
pub use values::{DURATION_EXPECTED, Seconds};
pub use views::{
    VIEW_COLUMNS, VIEW_SORTS, VIEW_WITHIN, VIEWS_FILE, VIEWS_MAX, ViewConfig, parse_views,
    view_toml, views_file,
};

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono_tz::Tz;
use serde::Deserialize;
use toml::Spanned;
use toml::de::DeTable;

use crate::domain::board::BoardSettings;
use crate::domain::sla::ServiceLevels;

/// Defaults that apply when neither the carrier nor the file's top level says.
pub const DEFAULT_REFRESH_SECS: f64 = 60.0;
pub const DEFAULT_MAX_CONCURRENCY: usize = 8;
pub const DEFAULT_TIMEOUT_SECS: f64 = 30.0;
pub const DEFAULT_TIMEZONE: &str = "Europe/Stockholm";
pub const DEFAULT_KEEP_TERMINAL_DAYS: u32 = 14;
/// An unchanged open order is re-read in the background at most this often.
pub const DEFAULT_REREAD_EVERY_SECS: f64 = 3600.0;
/// The same for an open order that needs attention.
pub const DEFAULT_REREAD_ATTENTION_EVERY_SECS: f64 = 600.0;
/// The largest `max_requests_per_minute` accepted.
pub const MAX_REQUESTS_PER_MINUTE: i64 = 6000;

/// The keys every `[[carrier]]` table may have, whatever its kind. All other
/// keys belong to the kind.
pub const COMMON_CARRIER_KEYS: &[&str] = &[
    "name",
    "kind",
    "base_url",
    "refresh",
    "max_concurrency",
    "timeout",
    "timezone",
    "quiet_hours",
    "max_requests_per_minute",
    "reread_every",
    "reread_attention_every",
    "sla",
    "portal_url",
];

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
    /// Where each `[keys]` entry's value is, for messages about it.
    pub key_locations: BTreeMap<String, Location>,
    /// Where `theme` is set, for messages about it.
    pub theme_location: Option<Location>,
    pub carriers: Vec<CarrierConfig>,
    /// `[wallboard]`: thresholds, service level, page rotation.
    pub wallboard: BoardSettings,
    /// `[[view]]` tables: the config's, then those of `views.toml` next to
    /// it (read by [`Config::load`]).
    pub views: Vec<ViewConfig>,
    /// `mouse = false` leaves the mouse to the terminal (default on: click
    /// and wheel in the console).
    pub mouse: bool,
    /// `database` and its password source: team mode when set (the
    /// command line's `--database` and `ORDERDESK_DATABASE_URL` win).
    pub team: TeamStore,
    /// How the console tells of an order that newly needs attention.
    pub notify: NotifyStyle,
}

/// `notify = "..."`: how the console tells of orders that newly need
/// attention (once per batch, however many). Off by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NotifyStyle {
    #[default]
    Off,
    /// The terminal's bell.
    Bell,
    /// A desktop notification by OSC 9 (iTerm2, Windows Terminal, kitty,
    /// WezTerm, foot, Ghostty).
    Osc9,
    /// A desktop notification by OSC 777 (urxvt, VTE terminals such as
    /// GNOME Terminal, foot).
    Osc777,
}

impl NotifyStyle {
    pub const WORDS: &'static str = "\"off\", \"bell\", \"osc9\" or \"osc777\"";

    pub fn parse(text: &str) -> Option<NotifyStyle> {
        match text.trim() {
            "off" | "" => Some(NotifyStyle::Off),
            "bell" => Some(NotifyStyle::Bell),
            "osc9" => Some(NotifyStyle::Osc9),
            "osc777" => Some(NotifyStyle::Osc777),
            _ => None,
        }
    }
}

/// One `[[carrier]]` table, with the top-level defaults applied: the common
/// keys, and the kind's own settings as the kind read them.
#[derive(Debug)]
pub struct CarrierConfig {
    pub name: String,
    pub kind: String,
    pub base_url: String,
    pub refresh: Duration,
    pub max_concurrency: usize,
    pub timeout: Duration,
    pub timezone: Tz,
    /// Whether the carrier's table set `timezone` itself (a kind may have
    /// its own default zone otherwise, e.g. lumen-px's quiet hours).
    pub timezone_set: bool,
    /// Hours in the carrier's zone in which automatic polls are skipped,
    /// `(start, end)`.
    pub quiet_hours: Option<(u32, u32)>,
    /// `quiet_hours = ""`: no quiet hours, not even a kind's default.
    pub quiet_hours_off: bool,
    /// The carrier's own web page of an order, `{id}` where the id goes
    /// (http or https; `o` in the console opens it).
    pub portal_url: Option<String>,
    /// Background requests per minute at most; `None`: the kind's default
    /// (see `carriers::budget`).
    pub max_requests_per_minute: Option<u32>,
    /// An unchanged open order is re-read in the background at most this
    /// often.
    pub reread_every: Duration,
    /// The same for an open order that needs attention.
    pub reread_attention_every: Duration,
    /// `sla = { new = "4h", in_progress = "10d", overdue = "1d" }`: how
    /// long an open order may wait before it needs attention (see
    /// `domain::sla`).
    pub service_levels: ServiceLevels,
    /// What the kind read from its own keys (see [`CarrierConfig::settings`]).
    pub settings: Box<dyn KindSettings>,
    /// Where in the file the table starts, for later messages.
    pub location: Option<Location>,
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

/// One problem and its place, when it has one.
pub type Problem = (Option<Location>, String);

/// Everything wrong with a config file, each with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: Option<PathBuf>,
    pub problems: Vec<Problem>,
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

/// The top level, `[[carrier]]` tables aside (they are read one by one).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    readonly: bool,
    theme: Option<Spanned<String>>,
    user: Option<String>,
    data_dir: Option<PathBuf>,
    keep_terminal_days: Option<Spanned<i64>>,
    refresh: Option<Spanned<Seconds>>,
    max_concurrency: Option<Spanned<i64>>,
    timeout: Option<Spanned<Seconds>>,
    timezone: Option<Spanned<String>>,
    #[serde(default)]
    keys: BTreeMap<String, Spanned<String>>,
    notify: Option<Spanned<String>>,
    database: Option<Spanned<String>>,
    database_password_env: Option<Spanned<String>>,
    database_password_cmd: Option<Spanned<String>>,
    mouse: Option<bool>,
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

    /// Reads and validates a config file; `kinds` reads each kind's keys
    /// (the carrier registry).
    pub fn load<K: KindReaders + ?Sized>(path: &Path, kinds: &K) -> Result<Config, ConfigError> {
        let text = read_small_file(path).map_err(|e| ConfigError {
            path: Some(path.to_owned()),
            problems: vec![(None, format!("cannot read: {e}"))],
        })?;
        let mut config = Config::parse(&text, Some(path), file_access(path), kinds)?;
        // Views saved from the console (ctrl-s in the filter bar) live in
        // `views.toml` beside the config, checked the same way.
        config.views.extend(views::load_views_file(path)?);
        let problems = views::check_all(&config.views);
        if !problems.is_empty() {
            return Err(ConfigError {
                path: Some(path.to_owned()),
                problems,
            });
        }
        Ok(config)
    }

    /// Parses and validates config text; `kinds` reads each kind's keys.
    ///
    /// A shape error (an unknown key, a value of the wrong type, a missing
    /// `name`, `kind` or `base_url`) is reported alone, the first one found;
    /// otherwise every problem is reported, each with its place.
    pub fn parse<K: KindReaders + ?Sized>(
        text: &str,
        path: Option<&Path>,
        access: FileAccess,
        kinds: &K,
    ) -> Result<Config, ConfigError> {
        let err = |problems| ConfigError {
            path: path.map(Path::to_owned),
            problems,
        };
        let shape_problem = |e: toml::de::Error| -> Problem {
            let start = e.span().map(|s| s.start);
            let loc = start.map(|s| location(text, s));
            (loc, values::in_words(e.message(), text, start.unwrap_or(0)))
        };
        let root = DeTable::parse(text).map_err(|e| err(vec![shape_problem(e)]))?;
        let root_span = root.span();
        let mut root = root.into_inner();
        let carrier_tables = root.remove("carrier");
        let wallboard_table = root.remove("wallboard");
        let view_tables = root.remove("view");
        let raw =
            RawConfig::deserialize(toml::de::Deserializer::from(Spanned::new(root_span, root)))
                .map_err(|e| err(vec![shape_problem(e)]))?;

        let mut problems = Vec::new();
        let mut shape = Vec::new();
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
        let max_concurrency = concurrency(
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
        let defaults = Defaults {
            refresh,
            max_concurrency,
            timeout,
            timezone,
        };
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

        let notify = match &raw.notify {
            None => NotifyStyle::Off,
            Some(v) => NotifyStyle::parse(v.get_ref()).unwrap_or_else(|| {
                problems.push((
                    at(v.span()),
                    format!(
                        "notify {:?} is not one of {}",
                        v.get_ref(),
                        NotifyStyle::WORDS
                    ),
                ));
                NotifyStyle::Off
            }),
        };
        let wallboard = wallboard::read(wallboard_table, text, &mut problems, &mut shape);
        let team = team::read(
            raw.database,
            raw.database_password_env,
            raw.database_password_cmd,
            access,
            at,
            &mut problems,
        );
        let views = views::read(view_tables, text, &mut problems, &mut shape);
        problems.extend(views::check_count(&views));
        let mut carriers = Vec::new();
        let mut names = HashSet::new();
        for table in carrier_tables_of(carrier_tables, text, &mut shape) {
            let reading = CarrierReading {
                text,
                access,
                defaults: &defaults,
                problems: &mut problems,
                shape: &mut shape,
            };
            if let Some(config) = reading.read(table, kinds, &mut names) {
                carriers.push(config);
            }
        }
        if let Some(first) = shape.into_iter().next() {
            return Err(err(vec![first]));
        }
        if !problems.is_empty() {
            return Err(err(problems));
        }
        Ok(Config {
            path: path.map(Path::to_owned),
            readonly: raw.readonly,
            theme_location: raw.theme.as_ref().map(|t| location(text, t.span().start)),
            theme: raw
                .theme
                .map_or_else(|| "default".into(), Spanned::into_inner),
            user: raw.user.unwrap_or_else(default_user),
            data_dir: raw.data_dir,
            keep_terminal_days,
            key_locations: raw
                .keys
                .iter()
                .map(|(name, v)| (name.clone(), location(text, v.span().start)))
                .collect(),
            keys: raw
                .keys
                .into_iter()
                .map(|(name, v)| (name, v.into_inner()))
                .collect(),
            carriers,
            wallboard,
            notify,
            team,
            mouse: raw.mouse.unwrap_or(true),
            views,
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
            key_locations: BTreeMap::new(),
            theme_location: None,
            carriers: Vec::new(),
            wallboard: BoardSettings::default(),
            notify: NotifyStyle::Off,
            team: TeamStore::default(),
            mouse: true,
            views: Vec::new(),
        }
    }
}

/// `$USER`, else the login name from the system's user database.
fn default_user() -> String {
    std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .or_else(login::login_name)
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
    value: Option<&Spanned<Seconds>>,
    default: f64,
    what: &str,
    text: &str,
    problems: &mut Vec<Problem>,
) -> Duration {
    match value.map(|v| (v, v.get_ref().0)) {
        None => Duration::from_secs_f64(default),
        Some((_, s)) if s.is_finite() && s > 0.0 && s <= 86_400.0 => Duration::from_secs_f64(s),
        Some((v, _)) => {
            problems.push((
                Some(location(text, v.span().start)),
                format!(
                    "{what} must be more than 0 seconds and at most 24 hours: {DURATION_EXPECTED}"
                ),
            ));
            Duration::from_secs_f64(default)
        }
    }
}

fn concurrency(
    value: Option<&Spanned<i64>>,
    default: usize,
    text: &str,
    problems: &mut Vec<Problem>,
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
    problems: &mut Vec<Problem>,
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

/// A TOML string literal (quoted and escaped) for a value in a printed config.
pub fn toml_string(value: &str) -> String {
    toml::Value::String(value.to_owned()).to_string()
}

/// The largest config or theme file read: they are a few KiB, and a
/// runaway file (`/dev/zero`, a log picked by mistake) must not fill memory.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// Reads a small text file (config, theme) whole, refusing one over
/// [`MAX_FILE_BYTES`] without reading past the limit (a device or a pipe has
/// no size to check first).
pub fn read_small_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than {} KiB", MAX_FILE_BYTES / 1024),
        ));
    }
    String::from_utf8(bytes)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not valid UTF-8 text"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A kind as a carrier kind reads its keys: one required id, one secret.
    #[derive(Debug, Clone, Default)]
    struct Fake {
        id: Option<String>,
        secret: Option<SecretSource>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct RawFake {
        id: Option<Spanned<StringOrInt>>,
        secret: Option<Spanned<String>>,
        secret_env: Option<Spanned<String>>,
        secret_cmd: Option<Spanned<String>>,
    }

    fn read_fake(section: &mut KindSection<'_, '_>) -> Box<dyn KindSettings> {
        let Some(raw) = section.read::<RawFake>() else {
            return Box::new(Fake::default());
        };
        let secret = section.secret(
            "secret",
            SecretKeys {
                inline: raw.secret,
                env: raw.secret_env,
                cmd: raw.secret_cmd,
            },
        );
        let id = raw.id.map(|i| i.into_inner().into_string());
        if id.is_none() {
            section.needs("id");
        }
        Box::new(Fake { id, secret })
    }

    struct Kinds;

    impl KindReaders for Kinds {
        fn reader(&self, kind: &str) -> Option<ReadKind> {
            (kind == "fake").then_some(read_fake as ReadKind)
        }

        fn names(&self) -> Vec<&'static str> {
            vec!["fake"]
        }
    }

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Some(Path::new("c.toml")), FileAccess::Shared, &Kinds)
    }

    const FAKE: &str = r#"refresh = 30
[[carrier]]
name = "f"
kind = "fake"
base_url = "https://fake.example/api"
id = 12
timeout = 5
"#;

    #[test]
    fn common_keys_here_and_the_kinds_keys_in_its_settings() {
        let c = parse(FAKE).expect("valid");
        let f = &c.carriers[0];
        assert_eq!(
            f.refresh,
            Duration::from_secs(30),
            "the top level's default"
        );
        assert_eq!(f.timeout, Duration::from_secs(5));
        assert_eq!(f.location, Some(Location { line: 2, column: 1 }));
        let settings = f.settings::<Fake>().expect("the kind's settings");
        assert_eq!(settings.id.as_deref(), Some("12"));
        assert!(f.settings::<String>().is_none());
        let copy = f.clone();
        assert_eq!(
            copy.settings::<Fake>().and_then(|s| s.id.clone()),
            settings.id
        );
    }

    #[test]
    fn sla_and_notify_are_read_and_a_bad_value_is_named_at_its_place() {
        let text = FAKE.replace(
            "timeout = 5",
            "timeout = 5\nsla = { new = \"4h\", in_progress = \"10d\", overdue = \"off\" }",
        );
        let c = parse(&format!("notify = \"osc9\"\n{text}")).expect("valid");
        assert_eq!(c.notify, NotifyStyle::Osc9);
        let levels = &c.carriers[0].service_levels;
        assert_eq!(
            levels.limit(crate::domain::Stage::New),
            Some(chrono::Duration::hours(4))
        );
        assert_eq!(levels.overdue_grace, None);
        assert_eq!(parse(FAKE).expect("valid").notify, NotifyStyle::Off);

        let bad = FAKE.replace("timeout = 5", "timeout = 5\nsla = { shipped = \"4h\" }");
        let e = parse(&bad).unwrap_err().to_string();
        assert!(
            e.starts_with("c.toml:8:19: sla: `shipped` is not an open stage"),
            "{e}"
        );
        let e = parse(&format!("notify = \"loud\"\n{FAKE}"))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("c.toml:1:10: notify \"loud\" is not one of \"off\", \"bell\""),
            "{e}"
        );
    }

    #[test]
    fn the_mouse_is_on_unless_mouse_false() {
        assert!(parse(FAKE).expect("valid").mouse);
        let off = format!("mouse = false\n{FAKE}");
        assert!(!parse(&off).expect("valid").mouse);
        let e = parse(&format!("mouse = \"no\"\n{FAKE}")).unwrap_err();
        assert_eq!(
            e.problems[0].0,
            Some(Location { line: 1, column: 9 }),
            "{e}"
        );
    }

    #[test]
    fn the_request_budget_keys_are_common_and_checked_at_their_line() {
        let c = parse(FAKE).expect("valid");
        let f = &c.carriers[0];
        assert_eq!(f.max_requests_per_minute, None, "the kind's default");
        assert_eq!(f.reread_every, Duration::from_secs(3600));
        assert_eq!(f.reread_attention_every, Duration::from_secs(600));
        let text = FAKE.replace(
            "timeout = 5",
            "timeout = 5\nmax_requests_per_minute = 0\nreread_every = 7200\n\
             reread_attention_every = 60",
        );
        let f = parse(&text).expect("valid").carriers.remove(0);
        assert_eq!(f.max_requests_per_minute, Some(0));
        assert_eq!(f.reread_every, Duration::from_secs(7200));
        assert_eq!(f.reread_attention_every, Duration::from_secs(60));
        for (bad, says) in [
            (
                "max_requests_per_minute = -1",
                "max_requests_per_minute must be",
            ),
            (
                "max_requests_per_minute = 6001",
                "max_requests_per_minute must be",
            ),
            ("reread_every = 0", "reread_every must be"),
        ] {
            let e = parse(&FAKE.replace("timeout = 5", bad)).unwrap_err();
            assert_eq!(e.problems[0].0.map(|l| l.line), Some(7), "{e}");
            assert!(e.problems[0].1.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn a_base_url_with_a_query_fragment_or_credentials_is_refused_at_its_line() {
        for (url, says) in [
            (
                "https://fake.example/api?method=set_status&id=1",
                "must not have a query",
            ),
            ("https://fake.example/api#top", "must not have a query"),
            ("https://user:pw@fake.example/api", "user name or password"),
            ("ftp://fake.example/api", "not an http(s) URL"),
        ] {
            let text = FAKE.replace("https://fake.example/api", url);
            let e = parse(&text).unwrap_err();
            assert_eq!(e.problems[0].0.map(|l| l.line), Some(5), "{e}");
            assert!(e.problems[0].1.contains(says), "{url}: {e}");
            assert!(!e.to_string().contains("pw@"), "{e}");
        }
    }

    #[test]
    fn portal_url_needs_http_and_the_id() {
        let with =
            |url: &str| FAKE.replace("timeout = 5", &format!("timeout = 5\nportal_url = {url:?}"));
        let c = parse(&with("https://portal.example/o/{id}")).unwrap();
        assert_eq!(
            c.carriers[0].portal_url.as_deref(),
            Some("https://portal.example/o/{id}")
        );
        for (url, says) in [
            ("https://portal.example/o/", "must contain {id}"),
            ("file:///tmp/{id}", "must start with https://"),
            ("javascript:alert('{id}')", "must start with https://"),
        ] {
            let e = parse(&with(url)).unwrap_err();
            assert_eq!(e.problems[0].0.map(|l| l.line), Some(8), "{e}");
            assert!(e.problems[0].1.contains(says), "{url}: {e}");
        }
    }

    #[test]
    fn views_in_the_config_and_beside_it_are_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let view = "[[view]]\nname = \"mine\"\ncolumns = [\"order\", \"age\"]\n";
        std::fs::write(&path, format!("{FAKE}{view}")).unwrap();
        let c = Config::load(&path, &Kinds).unwrap();
        assert_eq!(c.views.len(), 1);
        assert_eq!(c.views[0].columns, ["order", "age"]);
        // views.toml beside it is read too; a name used in both is an error.
        std::fs::write(views_file(&path), "[[view]]\nname = \"second\"\n").unwrap();
        let c = Config::load(&path, &Kinds).unwrap();
        assert_eq!(c.views[1].name, "second");
        std::fs::write(views_file(&path), "[[view]]\nname = \"mine\"\n").unwrap();
        let e = Config::load(&path, &Kinds).unwrap_err();
        assert!(e.to_string().contains("\"mine\" is used twice"), "{e}");
        // A bad column in views.toml is an error at its place there.
        std::fs::write(
            views_file(&path),
            "[[view]]\nname = \"x\"\ncolumns = [\"nope\"]\n",
        )
        .unwrap();
        let e = Config::load(&path, &Kinds).unwrap_err().to_string();
        assert!(
            e.contains("views.toml:3:12: view \"x\": unknown column \"nope\""),
            "{e}"
        );
        // An unknown column in the config itself, with line and column.
        let bad = "[[view]]\nname = \"b\"\ncolumns = [\"age\", \"colour\"]\n";
        let e = parse(&format!("{FAKE}{bad}")).unwrap_err();
        assert_eq!(
            e.problems[0].0,
            Some(Location {
                line: 10,
                column: 19
            })
        );
        assert!(e.problems[0].1.contains("unknown column \"colour\""), "{e}");
    }

    #[test]
    fn an_unknown_key_in_the_kinds_part_has_its_line_and_column() {
        let e = parse(&FAKE.replace("timeout", "timeuot")).unwrap_err();
        assert_eq!(e.problems.len(), 1, "{e}");
        assert_eq!(e.problems[0].0, Some(Location { line: 7, column: 1 }));
        assert!(e.problems[0].1.contains("unknown field `timeuot`"), "{e}");
        let e = parse(&FAKE.replace("timeout = 5", "timeout = \"soon\"")).unwrap_err();
        assert_eq!(
            e.problems[0].0,
            Some(Location {
                line: 7,
                column: 11
            }),
            "{e}"
        );
        let e = parse(&FAKE.replace("refresh = 30", "refreshh = 30")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("c.toml:1:1: unknown field `refreshh`"),
            "{e}"
        );
    }

    #[test]
    fn every_duration_key_takes_seconds_or_text_with_a_unit() {
        let text = FAKE.replace("refresh = 30", "refresh = \"5m\"\ntimeout = \"1h\"").replace(
            "timeout = 5",
            "timeout = \"60s\"\nreread_every = \"2h\"\nreread_attention_every = 90.5\nrefresh = 45",
        );
        let c = parse(&text).expect("valid");
        let f = &c.carriers[0];
        assert_eq!(f.timeout, Duration::from_secs(60));
        assert_eq!(f.refresh, Duration::from_secs(45));
        assert_eq!(f.reread_every, Duration::from_secs(7200));
        assert_eq!(f.reread_attention_every, Duration::from_secs_f64(90.5));
        let top = parse(&text.replace("refresh = 45\n", "")).expect("valid");
        assert_eq!(top.carriers[0].refresh, Duration::from_secs(300));

        let e = parse(&FAKE.replace("refresh = 30", "refresh = \"soon\"")).unwrap_err();
        assert_eq!(
            e.problems[0].0,
            Some(Location {
                line: 1,
                column: 11
            }),
            "{e}"
        );
        assert!(
            e.problems[0]
                .1
                .starts_with("refresh: expected a number of seconds, e.g. 60")
                && e.problems[0].1.contains("\"5m\"")
                && e.problems[0].1.contains("found string \"soon\""),
            "{e}"
        );
        assert!(!e.to_string().contains("f64"), "{e}");
        let e = parse(&FAKE.replace("timeout = 5", "reread_every = \"25h\"")).unwrap_err();
        assert!(
            e.problems[0].1.starts_with("reread_every must be")
                && e.problems[0].1.contains("e.g. 60"),
            "{e}"
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_names_its_key_and_an_example() {
        let e = parse(&FAKE.replace("id = 12", "id = true")).unwrap_err();
        assert_eq!(
            e.problems[0].0,
            Some(Location { line: 6, column: 6 }),
            "{e}"
        );
        assert_eq!(
            e.problems[0].1,
            "id: expected an id, as a whole number or in quotes, e.g. 1234 or \"1234\"; \
             found boolean `true`"
        );
        assert!(!e.to_string().contains("untagged"), "{e}");
        let e = parse(&FAKE.replace("refresh = 30", "readonly = \"yes\"")).unwrap_err();
        assert_eq!(
            e.problems[0].1,
            "readonly: expected true or false; found string \"yes\""
        );
        let e = parse(&FAKE.replace("timeout = 5", "max_concurrency = 2.5")).unwrap_err();
        assert!(
            e.problems[0]
                .1
                .starts_with("max_concurrency: expected a whole number"),
            "{e}"
        );
    }

    #[test]
    fn the_kinds_semantic_problems_join_the_common_ones() {
        let text = FAKE
            .replace("id = 12\n", "secret_env = \"A\"\nsecret_cmd = \"b\"\n")
            .replace("timeout = 5", "timeout = -5");
        let e = parse(&text).unwrap_err();
        let msgs: Vec<_> = e
            .problems
            .iter()
            .map(|(l, m)| (l.map(|l| (l.line, l.column)), m.as_str()))
            .collect();
        assert!(
            msgs.contains(&(Some((2, 1)), "carrier \"f\" of kind fake needs id")),
            "{msgs:?}"
        );
        assert!(
            msgs.contains(&(
                Some((7, 14)),
                "give only one of secret, secret_env, secret_cmd"
            )),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|(l, m)| *l == Some((8, 11)) && m.contains("timeout")),
            "{msgs:?}"
        );
    }

    #[test]
    fn an_unknown_kind_names_the_known_ones_and_its_keys_are_not_read() {
        let e = parse(&FAKE.replace("\"fake\"", "\"faux\"")).unwrap_err();
        assert_eq!(
            e.problems,
            vec![(
                Some(Location { line: 4, column: 8 }),
                "unknown carrier kind \"faux\"; known kinds: fake".to_owned()
            )]
        );
    }

    #[test]
    fn an_inline_secret_only_in_a_private_file() {
        let text = FAKE.replace("id = 12", "id = 12\nsecret = \"hunter2\"");
        let e = parse(&text).unwrap_err();
        assert!(
            e.to_string()
                .contains("secret is inline but this file is readable"),
            "{e}"
        );
        assert!(!e.to_string().contains("hunter2"));
        let ok = Config::parse(&text, None, FileAccess::Private, &Kinds).expect("private");
        assert!(!format!("{ok:?}").contains("hunter2"));
        assert!(matches!(
            ok.carriers[0]
                .settings::<Fake>()
                .and_then(|s| s.secret.clone()),
            Some(SecretSource::Inline(_))
        ));
    }

    #[test]
    fn settings_mut_starts_from_the_default_of_another_type() {
        let mut c = CarrierConfig::new("f", "fake", "http://127.0.0.1:9");
        assert!(c.settings::<Fake>().is_none());
        c.settings_mut::<Fake>().id = Some("7".into());
        c.settings_mut::<Fake>().secret = Some(SecretSource::Env("X".into()));
        let settings = c.settings::<Fake>().expect("now a Fake");
        assert_eq!(settings.id.as_deref(), Some("7"));
        assert!(settings.secret.is_some());
    }

    #[test]
    fn a_file_over_the_limit_is_refused_without_reading_it_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let big = dir.path().join("big.toml");
        std::fs::write(&big, "#".repeat(MAX_FILE_BYTES + 1)).expect("write");
        let e = read_small_file(&big).expect_err("too big");
        assert!(e.to_string().contains("larger than 1024 KiB"), "{e}");
        let exact = dir.path().join("exact.toml");
        std::fs::write(&exact, "#".repeat(MAX_FILE_BYTES)).expect("write");
        assert_eq!(
            read_small_file(&exact).expect("at the limit").len(),
            MAX_FILE_BYTES
        );
    }

    #[cfg(unix)]
    #[test]
    fn an_endless_device_is_refused() {
        let e = read_small_file(Path::new("/dev/zero")).expect_err("endless");
        assert!(e.to_string().contains("larger than"), "{e}");
    }
}
