//! The `orderdesk` command line: the console (default), `demo`, `sim`, `list`,
//! `show`, `journal`, `stats`, `wallboard`, `check-config`, `db init` (the
//! team store) and `sync` (the team daemon). Parses arguments, loads the
//! config, builds the carriers (none in team mode: `--database`,
//! `ORDERDESK_DATABASE_URL` or the config's `database`, in that order, for
//! the console, the wallboard and `list`, `show`, `stats` and `journal`,
//! which then read the team store) and hands over to `runtime`, `headless`
//! or `daemon`. The commands and flags themselves are declared in `cli`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

mod cli;

use cli::{Cli, Command, DbCommand, SimArgs, SyncArgs};
use orderdesk::carriers;
use orderdesk::config::{Config, ConfigError};
use orderdesk::demo::{Demo, DemoOptions, OrderCount, OrderCounts};
use orderdesk::headless;
use orderdesk::preflight::preflight;
use orderdesk::registry;
use orderdesk::runtime::{self, ConsoleSetup};
use orderdesk::ui::Theme;

/// 100k orders are millions of short strings: mimalloc keeps them in about
/// a fifth less memory than the system allocator and starts faster (README
/// "Performance").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Logging that cannot start is a warning, never a reason not to run.
    let mut warnings = Vec::new();
    // The daemon logs to stdout, for its service manager; the rest to a file.
    let daemon_log = match &cli.command {
        Some(Command::Sync(args)) => Some(args.log_format),
        _ => None,
    };
    let _log_guard = if let Some(format) = daemon_log {
        if let Err(warning) = orderdesk::daemon::init_logging(format) {
            say(&format!("warning: {warning}"));
        }
        None
    } else {
        match orderdesk::logging::init(orderdesk::logging::default_dir().as_deref()) {
            Ok(guard) => Some(guard),
            Err(warning) => {
                say(&format!("warning: {warning}"));
                // The console's screen hides stderr: it says so itself too.
                warnings.push(warning.to_string());
                None
            }
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    let result = runtime.block_on(dispatch(cli, warnings));
    // Do not wait for in-flight requests of abandoned tasks.
    runtime.shutdown_timeout(Duration::from_millis(200));
    match result {
        Ok(code) => code,
        Err(message) => fail(&message),
    }
}

/// `orderdesk sync`: the team daemon, until SIGTERM or Ctrl-C.
/// `readonly`: polls only; writes stay recorded for a daemon that can send.
async fn sync(config: &Config, args: SyncArgs, readonly: bool) -> Result<ExitCode, String> {
    if orderdesk::store::postgres::url_has_password(&args.database) {
        say(
            "warning: the password in the URL can be seen by other users of this machine \
             (ps, shell history); use PGPASSWORD or ~/.pgpass",
        );
    }
    // The same checks as check-config; the daemon has no theme.
    preflight(config, None).map_err(|e| e.to_string())?;
    let handles = registry::build_all(config, readonly)?;
    orderdesk::daemon::run(orderdesk::daemon::SyncSetup {
        database: args.database,
        handles,
        metrics: args.metrics,
    })
    .await?;
    Ok(ExitCode::SUCCESS)
}

/// `orderdesk db init`: creates or migrates the team store.
async fn db_init(url: &str) -> Result<ExitCode, String> {
    use orderdesk::store::postgres;
    if postgres::url_has_password(url) {
        eprintln!(
            "orderdesk: warning: the password in the URL can be seen by other users of this \
             machine (ps, shell history); use PGPASSWORD or ~/.pgpass"
        );
    }
    let report = postgres::init(url, &postgres::Password::none())
        .await
        .map_err(|e| e.to_string())?;
    let done = if report.from == report.to {
        "already up to date".to_owned()
    } else if report.from == 0 {
        "created".to_owned()
    } else {
        format!("migrated from version {}", report.from)
    };
    println!(
        "{}: schema version {} ({done}); roles orderdesk_sync, orderdesk_agent and \
         orderdesk_viewer ready: grant one to each login",
        report.target, report.to
    );
    Ok(ExitCode::SUCCESS)
}

fn fail(message: &str) -> ExitCode {
    say(message);
    ExitCode::FAILURE
}

/// `orderdesk: MESSAGE` on stderr; a stderr that is gone (`2>&1 | head`)
/// is no reason to panic.
fn say(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "orderdesk: {message}");
}

/// The zone headless output prints times in: the console's (the first
/// carrier's `timezone`), UTC without a config.
fn display_zone(config: Option<&Config>) -> chrono_tz::Tz {
    config
        .and_then(|c| c.carriers.first())
        .map_or(chrono_tz::UTC, |c| c.timezone)
}

async fn dispatch(cli: Cli, warnings: Vec<String>) -> Result<ExitCode, String> {
    match cli.command {
        None => {
            let mut config =
                load_config_or_team(cli.config.as_deref(), cli.team.database.as_deref())?;
            let readonly = cli.readonly || config.readonly;
            let data_dir = runtime::data_dir(cli.data_dir.or_else(|| config.data_dir.clone()));
            choose_team_store(&mut config, cli.team.database);
            console(&config, readonly, cli.theme, data_dir, warnings, false).await
        }
        Some(Command::Wallboard(team)) => {
            let database = team.database.or(cli.team.database);
            let mut config = load_config_or_team(cli.config.as_deref(), database.as_deref())?;
            choose_team_store(&mut config, database);
            let data_dir = runtime::data_dir(cli.data_dir.or_else(|| config.data_dir.clone()));
            console(&config, true, cli.theme, data_dir, warnings, true).await
        }
        Some(Command::Stats { json, team }) => {
            let database = team.database.or(cli.team.database);
            let (config, source) =
                headless_source(cli.config.as_deref(), cli.data_dir, database).await?;
            headless::commands::stats(&config, &source, json).await
        }
        Some(Command::Demo(args)) => {
            let demo = Demo::start(&demo_options(&args))
                .await
                .map_err(|e| format!("cannot start the simulators: {e}"))?;
            // The demo's carriers are new every run: a throwaway cache, so it
            // never mixes with a real one.
            let scratch =
                std::env::temp_dir().join(format!("orderdesk-demo-{}", std::process::id()));
            let data_dir = cli.data_dir.clone().unwrap_or_else(|| scratch.clone());
            let result = console(
                &demo.config,
                cli.readonly,
                cli.theme,
                Some(data_dir),
                warnings,
                false,
            )
            .await;
            if cli.data_dir.is_none() {
                let _ = std::fs::remove_dir_all(&scratch);
            }
            result
        }
        Some(Command::Journal { json, since, team }) => {
            let mut config = match cli
                .config
                .as_deref()
                .map(Path::to_owned)
                .or_else(Config::default_path)
            {
                Some(path) if path.exists() => {
                    Some(registry::load_config(&path).map_err(|e| e.to_string())?)
                }
                _ => None,
            };
            let zone = display_zone(config.as_ref());
            let database = team.database.or(cli.team.database);
            // No config file: the team store from --database or the
            // environment alone, its password from PGPASSWORD or ~/.pgpass.
            let team = match config.as_mut() {
                Some(config) => {
                    choose_team_store(config, database);
                    team_setup(config)?
                }
                None => given_team_store(database).map(|url| runtime::TeamSetup {
                    url,
                    password: orderdesk::store::postgres::Password::none(),
                }),
            };
            let source = match team {
                Some(team) => headless::Source::team(&team.url, &team.password).await?,
                None => headless::Source::Solo {
                    data_dir: Some(
                        runtime::data_dir(cli.data_dir.or_else(|| config.and_then(|c| c.data_dir)))
                            .ok_or("no data directory: use --data-dir")?,
                    ),
                },
            };
            headless::commands::journal(&source, json, since, zone).await
        }
        Some(Command::Sim(args)) => sim(&args).await,
        Some(Command::Db(DbCommand::Init { database })) => db_init(&database).await,
        Some(Command::Sync(args)) => {
            let config = load_config(cli.config.as_deref())?;
            let readonly = cli.readonly || config.readonly;
            sync(&config, args, readonly).await
        }
        Some(Command::List(args)) => {
            let database = args.team.database.clone().or(cli.team.database);
            let (config, source) =
                headless_source(cli.config.as_deref(), cli.data_dir, database).await?;
            headless::commands::list(&config, &source, &args.filter(), args.format()).await
        }
        Some(Command::Show { key, json, team }) => {
            let database = team.database.or(cli.team.database);
            let (config, source) =
                headless_source(cli.config.as_deref(), cli.data_dir, database).await?;
            headless::commands::show(&config, &source, &key, json).await
        }
        Some(Command::CheckConfig) => {
            let path = config_path(cli.config.as_deref())?;
            check_config(&path)
        }
        Some(Command::Init(args)) => {
            let path = config_path(cli.config.as_deref())?;
            let choices = orderdesk::config::StarterChoices {
                user: args.user,
                theme: args.theme,
                readonly: args.readonly,
                notify: args.notify,
            };
            orderdesk::config::write_starter(&path, &choices)?;
            say(&format!(
                "wrote the example config to {}: set each carrier's base_url and credentials there",
                path.display()
            ));
            check_config(&path)
        }
    }
}

/// `check-config`: exactly what the console checks at start, then each
/// carrier built read-only (its secrets and URL).
fn check_config(path: &Path) -> Result<ExitCode, String> {
    let config = registry::load_config(path).map_err(|e| e.to_string())?;
    // Exactly what the console checks at start; an unknown or bad
    // theme, only a warning there, is an error here.
    let checked = preflight(&config, None).map_err(|e| e.to_string())?;
    if let Some(problem) = checked.theme_problem {
        let error = ConfigError {
            path: Some(path.to_owned()),
            problems: vec![problem],
        };
        return Err(error.to_string());
    }
    let mut handles_ok = true;
    for c in &config.carriers {
        // Build read-only: checks secrets and URLs without a write client.
        if let Err(e) = registry::build(&config, c, true) {
            let _ = writeln!(
                std::io::stderr().lock(),
                "{}: carrier {:?}: {e}",
                path.display(),
                c.name
            );
            handles_ok = false;
        }
    }
    if !handles_ok {
        return Ok(ExitCode::FAILURE);
    }
    let mut out = std::io::stdout().lock();
    let written = writeln!(
        out,
        "{}: ok ({} carrier{})",
        path.display(),
        config.carriers.len(),
        if config.carriers.len() == 1 { "" } else { "s" }
    )
    .and_then(|()| {
        config
            .carriers
            .iter()
            .try_for_each(|c| writeln!(out, "  {:<12} {:<14} {}", c.name, c.kind, c.base_url))
    })
    .and_then(|()| match &config.team.database {
        // The URL is not repeated: it may hold a password.
        Some(_) => writeln!(
            out,
            "  team mode: the console follows the team store of `database`{}",
            if config.carriers.is_empty() {
                "; no carrier credentials needed"
            } else {
                ""
            }
        ),
        None => Ok(()),
    });
    headless::finish(written)?;
    Ok(ExitCode::SUCCESS)
}

fn demo_options(args: &SimArgs) -> DemoOptions {
    let alias = args
        .voice_orders
        .map(|n| OrderCount::Kind(carriers::lumen_voice::KIND, n));
    let counts: Vec<OrderCount> = alias
        .into_iter()
        .chain(args.orders.iter().copied())
        .collect();
    DemoOptions {
        orders: OrderCounts::from_args(&counts),
        seed: args.seed,
        latency: Duration::from_millis(args.latency),
        port: args.port,
        write_delay: Duration::from_millis(args.write_delay),
    }
}

fn config_path(explicit: Option<&Path>) -> Result<PathBuf, String> {
    explicit
        .map(Path::to_owned)
        .or_else(Config::default_path)
        .ok_or_else(|| "no config path: use --config PATH".into())
}

/// The config; with no config file at all but a team store given
/// (`--database`, `$ORDERDESK_DATABASE_URL`), the defaults: a console or a
/// headless command of a team needs nothing else.
fn load_config_or_team(explicit: Option<&Path>, database: Option<&str>) -> Result<Config, String> {
    let given = database.is_some()
        || std::env::var("ORDERDESK_DATABASE_URL").is_ok_and(|u| !u.trim().is_empty());
    let missing = explicit.is_none() && Config::default_path().is_none_or(|p| !p.exists());
    if given && missing {
        return Ok(Config::empty());
    }
    load_config(explicit)
}

fn load_config(explicit: Option<&Path>) -> Result<Config, String> {
    let path = config_path(explicit)?;
    if !path.exists() {
        return Err(format!(
            "no config file at {}\n  try the built-in simulated carriers: orderdesk demo\n  or start from config.example.toml (--config PATH)",
            path.display()
        ));
    }
    registry::load_config(&path).map_err(|e| e.to_string())
}

/// Where the team store is, first found wins: `--database`,
/// `$ORDERDESK_DATABASE_URL`, the config's `database`. The choice is
/// written into the config (its `team.database`), which every later check
/// reads.
fn choose_team_store(config: &mut Config, flag: Option<String>) {
    if let Some(url) = given_team_store(flag) {
        config.team.database = Some(url);
    }
}

/// The team store given outside the config: `--database`, else
/// `$ORDERDESK_DATABASE_URL` (a password in it is warned about).
fn given_team_store(flag: Option<String>) -> Option<String> {
    let env = std::env::var("ORDERDESK_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty());
    let url = flag.or(env)?;
    if orderdesk::store::postgres::url_has_password(&url) {
        say(
            "warning: the password in the URL can be seen by other users of this machine \
             (ps, shell history); use PGPASSWORD, ~/.pgpass or database_password_env",
        );
    }
    Some(url)
}

/// The config and where `list`, `show` and `stats` read from: the team
/// store when one is chosen (as the console chooses it; no carrier client
/// is built then), else the carriers and the data dir's store.
async fn headless_source(
    explicit: Option<&Path>,
    data_dir: Option<PathBuf>,
    database: Option<String>,
) -> Result<(Config, headless::Source), String> {
    let mut config = load_config_or_team(explicit, database.as_deref())?;
    choose_team_store(&mut config, database);
    let source = match team_setup(&config)? {
        Some(team) => headless::Source::team(&team.url, &team.password).await?,
        None => headless::Source::Solo {
            data_dir: runtime::data_dir(data_dir.or_else(|| config.data_dir.clone())),
        },
    };
    Ok((config, source))
}

/// The team store to follow, when the console is in team mode, with the
/// password the config says where to find.
fn team_setup(config: &Config) -> Result<Option<runtime::TeamSetup>, String> {
    use orderdesk::store::postgres::Password;
    let Some(url) = config.team.database.clone() else {
        return Ok(None);
    };
    let password = match &config.team.password {
        Some(source) => Password::given(
            carriers::secret::resolve(source, "database_password").map_err(|e| e.to_string())?,
        ),
        None => Password::none(),
    };
    Ok(Some(runtime::TeamSetup { url, password }))
}

async fn console(
    config: &Config,
    readonly: bool,
    theme: Option<String>,
    data_dir: Option<PathBuf>,
    warnings: Vec<String>,
    wallboard: bool,
) -> Result<ExitCode, String> {
    // The same checks as check-config; a theme problem is a visible warning.
    let checked = preflight(config, theme.as_deref()).map_err(|e| e.to_string())?;
    let mut warnings = warnings;
    let team = team_setup(config)?;
    // The wallboard is read-only by construction: no write client is built.
    // In team mode no carrier client is built at all: the daemon polls.
    let handles = if team.is_some() {
        Vec::new()
    } else if wallboard {
        registry::build_all(config, true)?
    } else {
        registry::build_all(config, readonly)?
    };
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme_name = (!no_color).then(|| theme.clone().unwrap_or_else(|| config.theme.clone()));
    let theme = if no_color {
        Theme::no_color()
    } else {
        if let Some((_, warning)) = checked.theme_problem {
            tracing::warn!("{warning}");
            warnings.push(warning);
        }
        // 24-bit colours only where the terminal says it draws them.
        let colorterm = std::env::var("COLORTERM").ok();
        match orderdesk::ui::announces_truecolor(colorterm.as_deref()) {
            true => checked.theme,
            false => checked.theme.in_256_colours(),
        }
    };
    let state_dir = orderdesk::logging::default_dir();
    let personal = runtime::Personal::from_config(config, state_dir.as_deref())?;
    let setup = ConsoleSetup {
        handles,
        readonly,
        theme,
        theme_name,
        user: config.user.clone(),
        keys: config.keys.clone(),
        data_dir,
        state_dir,
        keep_terminal: chrono::Duration::days(i64::from(config.keep_terminal_days)),
        // Times show in the first carrier's zone (the config's `timezone`).
        timezone: config
            .carriers
            .first()
            .map(|c| c.timezone)
            .unwrap_or(chrono_tz::Europe::Stockholm),
        warnings,
        board: config.wallboard,
        wallboard,
        service_levels: config
            .carriers
            .iter()
            .map(|c| (c.name.as_str().into(), c.service_levels.clone()))
            .collect(),
        notify: config.notify,
        team,
        personal,
    };
    runtime::run_console(setup, config.mouse).await?;
    Ok(ExitCode::SUCCESS)
}

async fn sim(args: &SimArgs) -> Result<ExitCode, String> {
    let demo = Demo::start(&demo_options(args))
        .await
        .map_err(|e| format!("cannot start the simulators: {e}"))?;
    // Only the config goes to stdout, so `orderdesk sim > cfg.toml` writes a
    // valid config; the banner is for the person watching, on stderr.
    let mut out = std::io::stdout().lock();
    let _ = write!(out, "{}", demo.config_toml());
    let _ = out.flush();
    drop(out);
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "Simulators running (Ctrl-C stops them):");
    for (name, url) in demo.urls() {
        let _ = writeln!(err, "  {name:<8} {url}");
    }
    let _ = err.flush();
    drop(err);
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    Ok(ExitCode::SUCCESS)
}
