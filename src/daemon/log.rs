//! The daemon's log: stdout, for the service manager or the container
//! runtime to collect (never a file). Text by default, one JSON object per
//! line with `--log-format json`; `ORDERDESK_LOG` sets the filter (`info`
//! by default), as for the console's log file. Must not: log secrets (the
//! carriers and the store never put them in events).

use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// `2026-11-30T04:21:26Z  INFO orderdesk::daemon: message key=value`.
    #[default]
    Text,
    /// `{"timestamp":...,"level":"INFO","fields":{"message":...},...}`.
    Json,
}

impl LogFormat {
    /// `text` or `json` (for the command line).
    pub fn parse(text: &str) -> Result<LogFormat, String> {
        match text {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            _ => Err("expected text or json".into()),
        }
    }
}

/// Starts logging to stdout; `Err` is a warning in the user's words (the
/// daemon runs on without a log).
pub fn init(format: LogFormat) -> Result<(), String> {
    let filter =
        EnvFilter::try_from_env("ORDERDESK_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stdout)
        .with_env_filter(filter);
    let installed = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
            .try_init(),
        LogFormat::Json => builder.json().with_ansi(false).try_init(),
    };
    installed.map_err(|e| format!("logging is off: {e}"))
}
