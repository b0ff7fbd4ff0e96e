//! The console's owner: sets up and always restores the real terminal
//! (raw mode, alternate screen, signals, crossterm's event stream, suspend
//! and resume in `suspend`) and runs
//! the console loop ([`run_loop`], in `event_loop.rs`) inside it. The loop
//! is generic over backend and input, so tests run it on `TestBackend`.
//! In team mode (`team`) the console follows the team store instead of
//! embedding the engine. Nothing here decides what a key means (that is
//! `app`), how things look (that is `ui`) or talks to carriers (that is the
//! engine).

mod cache;
mod effects;
mod event_loop;
mod memory;
mod notify;
mod personal;
#[cfg(unix)]
mod suspend;
mod team;
mod terminal;
mod theme_file;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::EventStream;

use crate::app::CarrierInfo;
use crate::carriers::CarrierHandle;
use crate::ui::Theme;

pub use cache::{Cached, data_dir, load_cache};
pub use effects::{EffectRunner, command, forward_events, messages};
pub use event_loop::run_loop;
pub use memory::release_freed_memory;
pub use personal::{Personal, load_times, osc52};
pub use team::{TeamSetup, carrier_info, team_messages};
pub use theme_file::load_theme;

/// What the console needs to start.
pub struct ConsoleSetup {
    pub handles: Vec<CarrierHandle>,
    pub readonly: bool,
    pub theme: Theme,
    /// The theme's name as given (`--theme`, `theme =`): the palette
    /// offers the built-in themes besides it. `None` (`NO_COLOR`): the
    /// theme is not switched.
    pub theme_name: Option<String>,
    pub user: String,
    pub keys: BTreeMap<String, String>,
    /// Where the cache and journal live; `None` runs with the cache off.
    pub data_dir: Option<PathBuf>,
    /// Where notes and flags are appended when the store is off (the log's
    /// state dir); `None`: they are refused then.
    pub state_dir: Option<PathBuf>,
    /// Terminal orders stay in the cache this long.
    pub keep_terminal: chrono::Duration,
    /// The zone times are shown in.
    pub timezone: chrono_tz::Tz,
    /// Problems found before the console started (e.g. logging that could
    /// not start), shown in the status line at start.
    pub warnings: Vec<String>,
    /// `[wallboard]`: thresholds, service level, rotation.
    pub board: crate::domain::board::BoardSettings,
    /// Start on the wallboard (`orderdesk wallboard`; `readonly` too).
    pub wallboard: bool,
    /// Each carrier's `sla` (carriers not listed: the defaults).
    pub service_levels:
        std::collections::HashMap<std::sync::Arc<str>, crate::domain::sla::ServiceLevels>,
    /// How orders that newly need attention are told (`notify`).
    pub notify: crate::config::NotifyStyle,
    /// Team mode: follow this team store instead of polling carriers
    /// (`handles` is then empty; `readonly` connects as a viewer).
    pub team: Option<TeamSetup>,
    /// Views of one's own, portals, the clipboard, and where the console
    /// keeps what the user saves.
    pub personal: Personal,
}

/// The app's view of the configured carriers.
pub fn carrier_infos(handles: &[CarrierHandle]) -> Vec<CarrierInfo> {
    handles
        .iter()
        .map(|h| CarrierInfo {
            name: h.name.clone(),
            kind: h.profile.kind(),
            profile: h.profile.clone(),
            quiet_hours: h.plan.quiet_hours,
        })
        .collect()
}

/// Runs the console in the real terminal until the user quits or a signal
/// that ends it arrives (SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2,
/// SIGALRM); the terminal is given back as it was either way. Ctrl-Z and
/// SIGTSTP suspend it, `fg` resumes it. What happens at startup is
/// [`run_loop`]'s. With `mouse` the terminal reports clicks and the wheel
/// (`mouse = false` in the config leaves them to the terminal).
pub async fn run_console(setup: ConsoleSetup, mouse: bool) -> Result<(), String> {
    // The screen first: the console is up at once and says it is reading
    // the cache, whose orders arrive a moment later.
    let mut terminal = terminal::enter().map_err(|e| format!("cannot set up the terminal: {e}"))?;
    if let Err(e) = terminal::capture_mouse(mouse) {
        tracing::warn!("the terminal does not take mouse capture: {e}");
    }
    let result = match terminal::Signals::new() {
        Ok(mut signals) => {
            let shutdown = async move { signals.recv().await };
            #[cfg(unix)]
            let input = suspend::Suspending::new(EventStream::new());
            #[cfg(not(unix))]
            let input = Ok::<_, std::io::Error>(EventStream::new());
            match input {
                Ok(input) => run_loop(&mut terminal, input, shutdown, setup).await,
                Err(e) => Err(format!("cannot listen for signals: {e}")),
            }
        }
        Err(e) => Err(format!("cannot listen for signals: {e}")),
    };
    terminal::leave();
    result
}

/// `ORDERDESK_WRITE_LEASE_SECS`: how long a write another console (or a
/// crashed run) touched is assumed to be still in flight there (default
/// [`crate::engine::DEFAULT_IN_FLIGHT_LEASE`]). The crash tests shorten it.
fn write_lease() -> Option<Duration> {
    let secs: u64 = std::env::var("ORDERDESK_WRITE_LEASE_SECS")
        .ok()?
        .parse()
        .ok()?;
    Some(Duration::from_secs(secs))
}
