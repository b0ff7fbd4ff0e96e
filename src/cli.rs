//! The command line's shape: every command, flag and argument with its
//! help text (clap derive). `main` decides what each one does.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use orderdesk::demo::OrderCount;
use orderdesk::domain::Stage;
use orderdesk::headless::{self, ListFilter, Since};

#[derive(Debug, Parser)]
#[command(
    name = "orderdesk",
    version,
    about = "Triage customer orders across carriers' partner APIs"
)]
pub(crate) struct Cli {
    /// Config file (default: $ORDERDESK_CONFIG, then the platform config dir).
    #[arg(long, global = true, value_name = "PATH")]
    pub(crate) config: Option<PathBuf>,
    /// Monitoring mode: no write request can be sent.
    #[arg(long, global = true)]
    pub(crate) readonly: bool,
    /// Colour theme: default, light, high-contrast, colorblind, or a .toml path.
    #[arg(long, global = true, value_name = "NAME")]
    pub(crate) theme: Option<String>,
    /// Where the local cache and journal live (default: the config's
    /// data_dir, then the platform data dir; `demo` uses a fresh temporary
    /// one unless this is given).
    #[arg(long, global = true, value_name = "DIR")]
    pub(crate) data_dir: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) team: TeamArgs,
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
}

/// Team mode for the console commands (and `list`, `show`, `stats`,
/// `journal`, which then read the team store).
#[derive(Debug, Args)]
pub(crate) struct TeamArgs {
    /// Team mode: follow this team store (postgres://USER@HOST:PORT/DATABASE,
    /// ?sslmode=require for TLS) instead of polling carriers. Wins over
    /// $ORDERDESK_DATABASE_URL, which wins over the config's `database`.
    #[arg(long, value_name = "URL")]
    pub(crate) database: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// The console on built-in simulated carriers; no config needed.
    Demo(SimArgs),
    /// Run the simulators alone; prints a matching config on stdout (their
    /// URLs on stderr), so `orderdesk sim > cfg.toml` writes a valid config.
    Sim(SimArgs),
    /// Print open orders.
    List(ListArgs),
    /// Print one order with its customer, items and log.
    Show {
        /// The order, as shown in the console: CARRIER/ID (e.g. tg/19530).
        key: String,
        /// Print JSON (times in RFC 3339 with their offset) instead of text.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        team: TeamArgs,
    },
    /// Validate a config file and report errors with line and column.
    CheckConfig,
    /// The read-only monitoring screen: headline figures, carriers, ageing,
    /// trend, oldest attention items; refreshes on its own, q quits.
    Wallboard(TeamArgs),
    /// Print the wallboard's figures (tiles, carriers, ageing, breaches).
    Stats {
        /// Print JSON (for scripts and status pages) instead of text.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        team: TeamArgs,
    },
    /// Write the commented example config where the config is looked for
    /// (--config, $ORDERDESK_CONFIG, else the platform config dir), never
    /// over an existing file, and check it as check-config does.
    Init(InitArgs),
    /// Print the write journal (who did what, and what came of it), newest first.
    Journal {
        /// Print a JSON array (times in RFC 3339 with their offset) instead
        /// of text.
        #[arg(long)]
        json: bool,
        /// Only entries from then on: a date (2026-11-02), a date and time
        /// (2026-11-02 14:30, in the first carrier's zone, or RFC 3339 with
        /// an offset), today, yesterday, or an age (30m, 2h, 3d, 1w).
        #[arg(long, value_name = "WHEN", value_parser = Since::parse)]
        since: Option<Since>,
        #[command(flatten)]
        team: TeamArgs,
    },
    /// The team store (PostgreSQL) shared by a support team.
    #[command(subcommand)]
    Db(DbCommand),
    /// The team daemon: polls each carrier for the whole team into the team
    /// store and sends the writes consoles record there. Run two on
    /// different hosts for a hot standby (one polls each carrier, the other
    /// takes over when it dies). Stops cleanly on SIGTERM or Ctrl-C.
    Sync(SyncArgs),
}

#[derive(Debug, Args)]
pub(crate) struct SyncArgs {
    /// postgres://USER@HOST:PORT/DATABASE of the team store (a login with
    /// the orderdesk_sync role), with ?sslmode=require for TLS. The password
    /// comes from PGPASSWORD or ~/.pgpass, not the URL.
    #[arg(long, env = "ORDERDESK_DATABASE_URL", value_name = "URL")]
    pub(crate) database: String,
    /// Log lines on stdout as text or json (one JSON object per line).
    #[arg(long, value_name = "FORMAT", default_value = "text",
          value_parser = orderdesk::daemon::LogFormat::parse)]
    pub(crate) log_format: orderdesk::daemon::LogFormat,
    /// Serve Prometheus metrics on http://ADDR/metrics (e.g. 127.0.0.1:9185).
    #[arg(long, value_name = "ADDR")]
    pub(crate) metrics: Option<std::net::SocketAddr>,
}

/// The choices `init` writes into the example config.
#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Your name in the journal and on notes (default: $USER, else the
    /// login name).
    #[arg(long, value_name = "NAME")]
    pub(crate) user: Option<String>,
    /// The colour theme: default, light, high-contrast, colorblind.
    #[arg(long, value_name = "NAME")]
    pub(crate) theme: Option<String>,
    /// Start in monitoring mode: no write request can be sent.
    #[arg(long)]
    pub(crate) readonly: bool,
    /// Tell of orders that newly need attention: off, bell, osc9, osc777.
    #[arg(long, value_name = "HOW")]
    pub(crate) notify: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DbCommand {
    /// Create or migrate the team store's schema and create the roles
    /// orderdesk_sync, orderdesk_agent and orderdesk_viewer with their
    /// rights. Running it again is harmless.
    Init {
        /// postgres://USER@HOST:PORT/DATABASE, with ?sslmode=require for TLS.
        /// The password comes from PGPASSWORD or ~/.pgpass, not the URL.
        #[arg(long, env = "ORDERDESK_DATABASE_URL", value_name = "URL")]
        database: String,
    },
}

#[derive(Debug, Args)]
pub(crate) struct SimArgs {
    /// Orders to generate: N for every carrier kind, KIND=N for one kind
    /// (repeatable or comma-separated, e.g. tjansteguiden=5000,lumen-voice=100;
    /// a kind's own count wins). Default: each kind's own.
    #[arg(
        long,
        value_name = "[KIND=]N",
        value_delimiter = ',',
        value_parser = OrderCount::parse
    )]
    pub(crate) orders: Vec<OrderCount>,
    /// The same as --orders lumen-voice=N.
    #[arg(long, hide = true, value_name = "N")]
    pub(crate) voice_orders: Option<usize>,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Simulated carrier latency per request, in milliseconds.
    #[arg(long, default_value_t = 20)]
    pub(crate) latency: u64,
    /// First port to listen on (0 = any free port).
    #[arg(long, default_value_t = 0)]
    pub(crate) port: u16,
    /// Writes are applied at once but answered after this many
    /// milliseconds (to test a console dying mid-write).
    #[arg(long, default_value_t = 0)]
    pub(crate) write_delay: u64,
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Print a JSON array, one object per order (times in RFC 3339 with
    /// their offset), instead of a table.
    #[arg(long)]
    pub(crate) json: bool,
    /// Print CSV (RFC 4180) with the fields of --json as columns.
    #[arg(long, conflicts_with = "json")]
    pub(crate) csv: bool,
    /// Include done and closed orders.
    #[arg(long)]
    pub(crate) all: bool,
    /// Only this carrier (its configured name; another name is an error
    /// that lists them).
    #[arg(long)]
    pub(crate) carrier: Option<String>,
    /// Only this stage: new, in_progress, needs_attention, done, closed.
    #[arg(long, value_parser = parse_stage)]
    pub(crate) stage: Option<Stage>,
    /// Only this carrier status (e.g. waiting).
    #[arg(long)]
    pub(crate) status: Option<String>,
    /// Only orders that need attention (including locally flagged ones).
    #[arg(long)]
    pub(crate) attention: bool,
    /// Only orders flagged locally for follow-up.
    #[arg(long)]
    pub(crate) flagged: bool,
    #[command(flatten)]
    pub(crate) team: TeamArgs,
}

impl ListArgs {
    pub(crate) fn filter(&self) -> ListFilter {
        ListFilter {
            all: self.all,
            carrier: self.carrier.clone(),
            stage: self.stage,
            status: self.status.clone(),
            attention: self.attention,
            flagged: self.flagged,
        }
    }

    pub(crate) fn format(&self) -> headless::commands::ListFormat {
        use headless::commands::ListFormat;
        match (self.json, self.csv) {
            (true, _) => ListFormat::Json,
            (false, true) => ListFormat::Csv,
            (false, false) => ListFormat::Table,
        }
    }
}

pub(crate) fn parse_stage(text: &str) -> Result<Stage, String> {
    Stage::parse(text)
        .ok_or_else(|| "expected new, in_progress, needs_attention, done or closed".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// `--help` explains every flag and argument of every command.
    #[test]
    fn every_flag_has_help_text() {
        fn undocumented(cmd: &clap::Command, path: &str, found: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                if arg.get_help().is_none() && !arg.is_hide_set() {
                    found.push(format!("{path} {}", arg.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                undocumented(sub, &format!("{path} {}", sub.get_name()), found);
            }
        }
        let mut found = Vec::new();
        undocumented(&Cli::command(), "orderdesk", &mut found);
        assert!(found.is_empty(), "no help text: {found:?}");
    }
}
