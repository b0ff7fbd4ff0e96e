//! What a config must pass before the console starts, and all that
//! `check-config` checks beyond parsing: one function, [`preflight`], used
//! by both so they never disagree. It checks that there is a carrier (or a
//! team store, `database`), that
//! the `[keys]` overrides build a key map the console accepts (known
//! actions, valid key names, no key given twice, quit keeps a key), and
//! loads the theme. `[wallboard]` (thresholds, service level, rotation) is
//! checked where it is parsed (`config::Config::parse`, with line and
//! column), which the console and `check-config` both go through; here
//! only what needs the parsed whole is checked. It starts nothing and talks to no carrier; the only
//! file it may read is a theme file the config names.

use std::collections::BTreeMap;

use crate::app::KeyMap;
use crate::config::{Config, ConfigError, Problem};
use crate::ui::Theme;

/// What passed: the theme to draw with, and what was wrong with the one
/// asked for (an unknown name, a missing or partly bad file). The console
/// shows that problem as a warning and draws with the default; for
/// `check-config` it is an error.
pub struct Preflight {
    pub theme: Theme,
    pub theme_problem: Option<Problem>,
}

/// Checks `config` as the console is about to use it; `theme` is a theme
/// chosen on the command line (it wins over the config's). Every problem
/// comes with its place in the file when it has one.
pub fn preflight(config: &Config, theme: Option<&str>) -> Result<Preflight, ConfigError> {
    let mut problems: Vec<Problem> = Vec::new();
    // In team mode the carriers are the team daemon's: none need be listed.
    if config.carriers.is_empty() && config.team.database.is_none() {
        problems.push((
            None,
            "no [[carrier]] table: the console needs at least one carrier, or `database` \
             for team mode (see config.example.toml)"
                .into(),
        ));
    }
    problems.extend(key_problems(config));
    if !problems.is_empty() {
        return Err(ConfigError {
            path: config.path.clone(),
            problems,
        });
    }
    let name = theme.unwrap_or(&config.theme);
    let (theme_loaded, warning) = crate::runtime::load_theme(name);
    let at = if theme.is_some() {
        None
    } else {
        config.theme_location
    };
    Ok(Preflight {
        theme: theme_loaded,
        theme_problem: warning.map(|w| (at, w)),
    })
}

/// The `[keys]` problems, each at the entry that causes it: the overrides
/// are added one at a time, so the entry whose addition breaks the key map
/// is the one named; it is left out and the rest are still checked.
fn key_problems(config: &Config) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut accepted: BTreeMap<String, String> = BTreeMap::new();
    for (name, keys) in &config.keys {
        accepted.insert(name.clone(), keys.clone());
        if let Err(message) = KeyMap::with_overrides(&accepted) {
            accepted.remove(name);
            problems.push((config.key_locations.get(name).copied(), message));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FileAccess;

    const CARRIER: &str = "[[carrier]]\nname = \"tg\"\nkind = \"tjansteguiden\"\nbase_url = \"https://x/orders\"\napi_user = 1\n";

    fn check(text: &str) -> Result<Preflight, ConfigError> {
        let config =
            crate::registry::parse_config(text, None, FileAccess::Private).expect("parses");
        preflight(&config, None)
    }

    fn errors(text: &str) -> String {
        match check(text) {
            Err(e) => e.to_string(),
            Ok(p) => match p.theme_problem {
                Some((at, w)) => format!("{at:?} {w}"),
                None => panic!("accepted: {text}"),
            },
        }
    }

    #[test]
    fn a_good_config_passes_with_no_theme_problem() {
        let p = check(&format!(
            "theme = \"default\"\n[keys]\nrefresh = \"F5\"\n{CARRIER}"
        ))
        .expect("passes");
        assert!(p.theme_problem.is_none());
    }

    #[test]
    fn key_problems_are_at_their_line_and_column() {
        let e = errors(&format!("[keys]\nrefersh = \"F5\"\n{CARRIER}"));
        assert!(
            e.contains("config:2:11: keys: unknown action \"refersh\""),
            "{e}"
        );
        let e = errors(&format!("[keys]\nrefresh = \"F55\"\n{CARRIER}"));
        assert!(e.contains("config:2:11: keys.refresh:"), "{e}");
        assert!(e.contains("F55"), "{e}");
        let e = errors(&format!("[keys]\nrefresh = \"q\"\n{CARRIER}"));
        assert!(
            e.contains("config:2:11: keys.refresh: q is the key of quit"),
            "{e}"
        );
        let e = errors(&format!("[keys]\nrefresh = \"x\"\nhelp = \"x\"\n{CARRIER}"));
        assert!(e.contains("config:2:"), "{e}");
        assert!(e.contains("x is given to both"), "{e}");
    }

    #[test]
    fn quit_may_move_first() {
        check(&format!("[keys]\nquit = \"Q\"\nrefresh = \"q\"\n{CARRIER}")).expect("passes");
    }

    #[test]
    fn no_carrier_is_an_error() {
        let e = errors("theme = \"default\"\n");
        assert!(e.contains("no [[carrier]] table"), "{e}");
    }

    #[test]
    fn an_unknown_theme_is_a_problem_at_its_place() {
        let e = errors(&format!("theme = \"dark\"\n{CARRIER}"));
        assert!(
            e.contains("line: 1, column: 9") && e.contains("theme dark"),
            "{e}"
        );
        let e = errors(&format!(
            "theme = \"/nonexistent/orderdesk-theme.toml\"\n{CARRIER}"
        ));
        assert!(e.contains("orderdesk-theme.toml"), "{e}");
    }
}
