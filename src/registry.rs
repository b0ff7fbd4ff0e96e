//! The carrier registry: every carrier kind this build knows, listed once in
//! [`KINDS`], each with its name, how its config keys are read, how its
//! profile / reader / writer are built, its profile for a team console that
//! knows the carrier only from the team store, and its simulator for `demo`
//! and `sim`. The config reads each `[[carrier]]` table's kind keys through it,
//! [`build`] builds a configured carrier through it, `demo` and `sim` start
//! every simulator through it, and `--orders KIND=N` checks kind names
//! against it.
//!
//! It sits above both halves of a kind and holds none of their knowledge:
//! a line pairs the kind's adapter (`carriers/<kind>/`, its [`Adapter`]) with
//! its simulator (`sim/<kind>/`, its `simulate`). So `carriers/` never names
//! `sim/`, `config` names neither, and the simulators (which use the
//! adapters' rules) never name the registry: no import circles.
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
//!    `readonly`; a `team_profile(readonly)` building the profile from the
//!    kind alone (for a team console); and `pub const ADAPTER: Adapter`
//!    naming them.
//! 2. The simulator folder `src/sim/<kind>/`: the API served on loopback,
//!    with a `carrier_config(name, origin)` that points a carrier at it and
//!    a `simulate(SimStart) -> BoxFuture<io::Result<StartedSim>>` that starts
//!    it for `demo` and `sim`.
//! 3. One line in [`KINDS`]: `Kind::new(<kind>::ADAPTER, sim::<kind>::simulate),`
//!    (plus the `mod` lines of the two folders).
//! 4. Docs: a commented `[[carrier]]` section with `kind = "<kind>"` in
//!    `config.example.toml` and a row in README's carrier table (the
//!    `registry` integration test checks both, and that the simulator
//!    starts and the built reader can poll it).

use std::io;
use std::path::Path;

use futures::future::BoxFuture;

use crate::carriers::{
    Adapter, BuildFn, CarrierError, CarrierHandle, TeamProfileFn, lla_tmf622, lumen_px,
    lumen_voice, tjansteguiden,
};
use crate::config::{CarrierConfig, Config, ConfigError, FileAccess, KindReaders, ReadKind};
use crate::sim;

pub use crate::sim::{SimStart, StartedSim};

/// Every carrier kind, in the order `demo` and `sim` start them (with
/// `--port P`, the i-th kind listens on P+i).
pub const KINDS: &[Kind] = &[
    Kind::new(tjansteguiden::ADAPTER, sim::tjansteguiden::simulate),
    Kind::new(lumen_voice::ADAPTER, sim::lumen_voice::simulate),
    Kind::new(lumen_px::ADAPTER, sim::lumen_px::simulate),
    Kind::new(lla_tmf622::ADAPTER, sim::lla_tmf622::simulate),
];

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
    /// The action profile of a carrier known only from the team store.
    pub team_profile: TeamProfileFn,
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

impl Kind {
    /// A kind's registry line: its adapter (`carriers/<kind>/`) and its
    /// simulator (`sim/<kind>/`).
    pub const fn new(adapter: Adapter, simulate: SimulateFn) -> Kind {
        Kind {
            name: adapter.name,
            read_config: adapter.read_config,
            build: adapter.build,
            team_profile: adapter.team_profile,
            simulate,
            demo_name: adapter.demo_name,
            demo_orders: adapter.demo_orders,
        }
    }
}

/// Builds the handle for a configured carrier with its kind's build. The
/// writer exists only when `readonly` is false.
pub fn build(
    config: &Config,
    carrier: &CarrierConfig,
    readonly: bool,
) -> Result<CarrierHandle, CarrierError> {
    match find(&carrier.kind) {
        Some(kind) => (kind.build)(config, carrier, readonly),
        None => Err(CarrierError::Local(format!(
            "unknown carrier kind {:?}",
            carrier.kind
        ))),
    }
}

/// Builds every configured carrier (see [`build`]); the first that cannot
/// be built is the error, naming it. A config without carriers is an error
/// too: there would be nothing to show.
pub fn build_all(config: &Config, readonly: bool) -> Result<Vec<CarrierHandle>, String> {
    if config.carriers.is_empty() {
        return Err("the config has no [[carrier]] tables".into());
    }
    config
        .carriers
        .iter()
        .map(|c| build(config, c, readonly).map_err(|e| format!("carrier {:?}: {e}", c.name)))
        .collect()
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

/// The registry's names as a constant, for code that matches kind text
/// without a lookup (the store restores `Order::kind` with it).
pub const NAMES: [&str; KINDS.len()] = {
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
    fn every_kind_has_a_team_profile_of_that_kind_for_agents_and_viewers() {
        for kind in super::KINDS {
            for readonly in [false, true] {
                let profile = (kind.team_profile)(readonly).expect(kind.name);
                assert_eq!(profile.kind(), kind.name);
            }
        }
    }

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
        let example = include_str!("../config.example.toml");
        let c = parse_config(example, None, FileAccess::Private).expect("example parses");
        assert_eq!(c.carriers.len(), 1);
        assert_eq!(c.keep_terminal_days, 14);
        // Uncommenting every kind's carrier (env secrets) and the tg options
        // keeps it valid.
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
        assert_eq!(c.carriers.len(), super::KINDS.len(), "{enabled}");
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
