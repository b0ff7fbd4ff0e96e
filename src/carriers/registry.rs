//! The carrier registry: every carrier kind this build knows, listed once in
//! [`KINDS`], each with its name, how its config keys are read, how its
//! profile / reader / writer are built, and its simulator for `demo` and
//! `sim`. The config reads each `[[carrier]]` table's kind keys through it,
//! [`super::build`] builds through it, `demo` and `sim` start every
//! simulator through it, and `--orders KIND=N` checks kind names against it.
//!
//! It must not hold a kind's knowledge itself: each entry points into the
//! kind's adapter folder (`carriers/<kind>/`), whose `simulate` starts its
//! simulator (`sim/<kind>/`). Those `simulate` functions and
//! [`StartedSim`] are the only places in `carriers/` that name `sim/`, for
//! `demo` and `sim`; the simulators use the adapters' rules but never the
//! registry.
//!
//! # How to add a carrier kind
//! 1. The adapter folder `src/carriers/<kind>/`: a `CarrierProfile`, a
//!    `CarrierReader` and a `CarrierWriter` (see `carriers/mod.rs`); a
//!    `config.rs` with the kind's own keys as a struct with
//!    `#[serde(deny_unknown_fields)]` and a `read(&mut KindSection) ->
//!    Box<dyn KindSettings>` that reports problems through the section (its
//!    `secret` reads `client_secret`/`_env`/`_cmd` the shared way); a
//!    `build(&Config, &CarrierConfig, readonly)` that takes the settings back
//!    with `carrier.settings::<YourConfig>()` and constructs no writer when
//!    `readonly`; a `simulate(SimStart)` that starts the simulator and returns
//!    a [`StartedSim`]; and `pub const ENTRY: Kind` naming them.
//! 2. The simulator folder `src/sim/<kind>/`: the API served on loopback,
//!    with a `carrier_config(name, origin)` that points a carrier at it.
//! 3. One line in [`KINDS`]: `<kind>::ENTRY,`.
//! 4. Docs: a commented `[[carrier]]` section with `kind = "<kind>"` in
//!    `config.example.toml` and a row in README's carrier table (the
//!    `registry` integration test checks both, and that the simulator
//!    starts and the built reader can poll it).

use std::io;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;

use super::{CarrierError, CarrierHandle, lumen_px, lumen_voice, tjansteguiden};
use crate::config::{CarrierConfig, Config, ConfigError, FileAccess, KindReaders, ReadKind};
use crate::sim::RunningSim;

/// Every carrier kind, in the order `demo` and `sim` start them (with
/// `--port P`, the i-th kind listens on P+i).
pub const KINDS: &[Kind] = &[tjansteguiden::ENTRY, lumen_voice::ENTRY, lumen_px::ENTRY];

/// Builds a configured carrier: profile, reader, and a writer unless
/// `readonly`.
pub type BuildFn = fn(&Config, &CarrierConfig, bool) -> Result<CarrierHandle, CarrierError>;

/// Starts a kind's simulator on loopback.
pub type SimulateFn = fn(SimStart) -> BoxFuture<'static, io::Result<StartedSim>>;

/// One carrier kind.
#[derive(Clone, Copy)]
pub struct Kind {
    /// The config `kind` (`tjansteguiden`, `lumen-voice`, ...).
    pub name: &'static str,
    /// Reads the kind's own keys of a `[[carrier]]` table.
    pub read_config: ReadKind,
    pub build: BuildFn,
    pub simulate: SimulateFn,
    /// The carrier instance name `demo` and `sim` give it (`tg`).
    pub demo_name: &'static str,
    /// Orders its simulator generates in `demo` and `sim` unless `--orders`
    /// says otherwise.
    pub demo_orders: usize,
}

impl std::fmt::Debug for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kind")
            .field("name", &self.name)
            .field("demo_name", &self.demo_name)
            .field("demo_orders", &self.demo_orders)
            .finish()
    }
}

/// What a kind's simulator is started with.
#[derive(Debug, Clone)]
pub struct SimStart {
    /// The carrier instance name for the config it returns.
    pub name: String,
    pub orders: usize,
    pub seed: u64,
    /// Added to every answer.
    pub latency: Duration,
    /// The simulated data's "now".
    pub now: DateTime<Utc>,
    /// 0 picks a free port.
    pub port: u16,
    /// Writes are applied at once but answered after this pause, where the
    /// simulator supports it.
    pub write_delay: Duration,
}

/// A running simulator and the carrier config that talks to it.
pub struct StartedSim {
    pub server: RunningSim,
    pub config: CarrierConfig,
    /// The kind's keys for a config file that reaches this simulator, as
    /// TOML lines (no secret inline: a command that prints it).
    pub toml: String,
}

/// The kind called `name`.
pub fn find(name: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.name == name)
}

/// Every kind's name, in registry order.
pub fn names() -> Vec<&'static str> {
    KINDS.iter().map(|k| k.name).collect()
}

/// The registry as the config sees it: a reader per kind name.
#[derive(Debug, Clone, Copy, Default)]
pub struct Registry;

impl KindReaders for Registry {
    fn reader(&self, kind: &str) -> Option<ReadKind> {
        find(kind).map(|k| k.read_config)
    }

    fn names(&self) -> Vec<&'static str> {
        names()
    }
}

/// Reads and validates a config file with every registered kind.
pub fn load_config(path: &Path) -> Result<Config, ConfigError> {
    Config::load(path, &Registry)
}

/// Parses and validates config text with every registered kind.
pub fn parse_config(
    text: &str,
    path: Option<&Path>,
    access: FileAccess,
) -> Result<Config, ConfigError> {
    Config::parse(text, path, access, &Registry)
}

/// A TOML string literal (quoted and escaped) for a value in a printed config.
pub fn toml_string(value: &str) -> String {
    toml::Value::String(value.to_owned()).to_string()
}

/// The registry's names as a constant, for code that matches kind text
/// without a lookup (`carriers::KINDS`).
pub(super) const NAMES: [&str; KINDS.len()] = {
    let mut names = [""; KINDS.len()];
    let mut i = 0;
    while i < KINDS.len() {
        names[i] = KINDS[i].name;
        i += 1;
    }
    names
};

/// The config's rules as the registered kinds apply them (these tests lived
/// in `config` before the kinds read their own keys).
#[cfg(test)]
mod config_tests {
    use std::path::Path;
    use std::time::Duration;

    use chrono::NaiveDate;

    use super::parse_config;
    use crate::carriers::tjansteguiden::TgConfig;
    use crate::config::{Config, ConfigError, FileAccess, Location};

    fn parse(text: &str) -> Result<Config, ConfigError> {
        parse_config(text, Some(Path::new("c.toml")), FileAccess::Shared)
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
        let settings = tg.settings::<TgConfig>().expect("tg settings");
        assert_eq!(settings.api_user.as_deref(), Some("1234"));
        assert_eq!(tg.refresh, Duration::from_secs(30));
        assert_eq!(tg.max_concurrency, 8);
        assert_eq!(tg.timezone, chrono_tz::Europe::Stockholm);
        assert_eq!(settings.since, NaiveDate::from_ymd_opt(2015, 10, 1));
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
        let ok = parse_config(text, None, FileAccess::Private).expect("private file may hold it");
        assert!(!format!("{ok:?}").contains("hunter2"));
    }

    #[test]
    fn the_example_config_is_valid_with_its_commented_options_enabled() {
        let example = include_str!("../../config.example.toml");
        let c = parse_config(example, None, FileAccess::Private).expect("example parses");
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
            parse_config(&enabled, None, FileAccess::Shared).expect("example with options parses");
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
