//! The console's owner loop: sets up and always restores the terminal,
//! starts from the local cache, embeds the engine (`crate::engine`), turns
//! terminal input, engine events and the clock into messages, applies them
//! in batches with `app::update`, hands the effects to the engine, after each
//! batch hands the app the scroll limits `ui` measures for it
//! (`ui::scroll_report`), and draws the latest state at most every ~16 ms
//! and only when something changed.
//! Nothing here decides what a key means (that is `app`), how things look
//! (that is `ui`) or talks to carriers (that is the engine).

mod cache;
mod effects;
mod terminal;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::Utc;
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;
use ratatui::DefaultTerminal;
use tokio::sync::mpsc;

use crate::app::{self, CarrierInfo, Msg, Options, State};
use crate::carriers::CarrierHandle;
use crate::engine::{self, EngineSetup};
use crate::ui::{self, Theme};

pub use cache::{Cached, data_dir, load_cache, read_full_orders};
pub use effects::{EffectRunner, command, forward_events, messages};

/// What the console needs to start.
pub struct ConsoleSetup {
    pub handles: Vec<CarrierHandle>,
    pub readonly: bool,
    pub theme: Theme,
    pub user: String,
    pub keys: BTreeMap<String, String>,
    /// Where the cache and journal live; `None` runs with the cache off.
    pub data_dir: Option<PathBuf>,
    /// Terminal orders stay in the cache this long.
    pub keep_terminal: chrono::Duration,
    /// The zone times are shown in.
    pub timezone: chrono_tz::Tz,
}

/// Most messages applied before the screen is drawn again.
const BATCH: usize = 2048;
/// Shortest time between two frames.
const FRAME: Duration = Duration::from_millis(16);

/// The app's view of the configured carriers.
pub fn carrier_infos(handles: &[CarrierHandle]) -> Vec<CarrierInfo> {
    handles
        .iter()
        .map(|h| CarrierInfo {
            name: h.name.clone(),
            kind: h.profile.kind(),
            profile: h.profile.clone(),
        })
        .collect()
}

/// Runs the console until the user quits or a signal arrives.
///
/// Startup: take the terminal and draw at once ("reading the local cache"),
/// open the store and load the cache's order summaries (the next frame
/// paints the last known orders, stale until each carrier's first sync; the
/// full orders are read behind it), prime the readers, then start the
/// engine (it resolves writes left pending by a crash, then starts the
/// fetchers).
pub async fn run_console(setup: ConsoleSetup) -> Result<(), String> {
    // The screen first: the console is up at once and says it is reading
    // the cache, whose orders arrive a moment later.
    let mut terminal = terminal::enter().map_err(|e| format!("cannot set up the terminal: {e}"))?;
    let result = console(&mut terminal, setup).await;
    terminal::leave();
    result
}

fn draw(terminal: &mut DefaultTerminal, state: &State, theme: &Theme) -> Result<(), String> {
    terminal
        .draw(|frame| ui::view(state, theme, frame))
        .map(drop)
        .map_err(|e| format!("cannot draw: {e}"))
}

/// The console inside the terminal [`run_console`] took (and gives back).
async fn console(terminal: &mut DefaultTerminal, setup: ConsoleSetup) -> Result<(), String> {
    let options = Options {
        readonly: setup.readonly,
        now: Utc::now(),
        user: setup.user.clone(),
        keys: setup.keys,
    };
    let mut state = State::new(carrier_infos(&setup.handles), options)?;
    state.set_display_timezone(setup.timezone);
    let (msg_tx, mut msg_rx) = mpsc::unbounded_channel();

    // crossterm sends no resize at start: tell the app the real size once.
    if let Ok(size) = terminal.size() {
        app::update(
            &mut state,
            Msg::Resize {
                width: size.width,
                height: size.height,
            },
        );
    }
    if setup.data_dir.is_some() {
        app::update(&mut state, Msg::CacheLoading);
    }
    draw(terminal, &state, &setup.theme)?;

    let (stores, cursors) = match cache::open(setup.data_dir.clone()).await {
        Ok(stores) => {
            let names: Vec<String> = setup.handles.iter().map(|h| h.name.to_string()).collect();
            match cache::load_cache(&stores, &names, Utc::now() - setup.keep_terminal).await {
                Ok(cached) => {
                    let (loaded, cursors) = cached.into_msg();
                    app::update(&mut state, loaded);
                    // The cached orders on screen before anything else.
                    draw(terminal, &state, &setup.theme)?;
                    for handle in &setup.handles {
                        handle.reader.prime(state.store().all());
                    }
                    cache::read_details(&stores, msg_tx.clone());
                    (Some(stores), cursors)
                }
                Err(e) => {
                    // Without the cached orders a stored cursor would skip them.
                    app::update(&mut state, Msg::StoreProblem(e.to_string()));
                    (Some(stores), HashMap::new())
                }
            }
        }
        Err(problem) => {
            app::update(&mut state, Msg::StoreProblem(problem));
            (None, HashMap::new())
        }
    };
    let (engine, events) = engine::spawn(EngineSetup {
        handles: setup.handles,
        stores,
        author: setup.user,
        in_flight_lease: write_lease(),
        sync: Some(cursors),
    })
    .map_err(|e| format!("cannot set up the write journal: {e}"))?;
    if let Some(note) = engine.journal_note() {
        app::update(&mut state, Msg::StoreProblem(note.to_owned()));
    }
    forward_events(events, msg_tx.clone());
    let runner = EffectRunner::new(engine);

    let mut signals =
        terminal::Signals::new().map_err(|e| format!("cannot listen for signals: {e}"))?;
    let mut input = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut last_frame: Option<Instant> = None;

    loop {
        let frame_due = last_frame.map_or(Instant::now(), |t| t + FRAME);
        let first = tokio::select! {
            event = input.next() => match event {
                Some(Ok(event)) => terminal_msg(event),
                Some(Err(e)) => return Err(format!("terminal input failed: {e}")),
                None => return Ok(()),
            },
            Some(msg) = msg_rx.recv() => Some(msg),
            _ = tick.tick() => Some(Msg::Tick(Utc::now())),
            _ = signals.recv() => return Ok(()),
            _ = tokio::time::sleep_until(frame_due.into()), if dirty => None,
        };
        if let Some(msg) = first {
            dirty = true;
            runner.run_all(app::update(&mut state, msg));
            // Drain what is already waiting so a burst costs one frame.
            for _ in 0..BATCH {
                let Ok(next) = msg_rx.try_recv() else {
                    break;
                };
                runner.run_all(app::update(&mut state, next));
            }
            // The scroll limits of what the batch changed, for the next keys.
            if let Some(report) = ui::scroll_report(&state) {
                app::update(&mut state, report);
            }
        }
        if state.should_quit() {
            return Ok(());
        }
        if dirty && last_frame.is_none_or(|t| t.elapsed() >= FRAME) {
            draw(terminal, &state, &setup.theme)?;
            last_frame = Some(Instant::now());
            dirty = false;
        }
    }
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

/// Key presses (not releases or repeats of the kitty protocol), pastes and
/// resizes; everything else is ignored.
fn terminal_msg(event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) if key.kind == KeyEventKind::Press => Some(Msg::Key(key)),
        Event::Paste(text) => Some(Msg::Paste(text)),
        Event::Resize(width, height) => Some(Msg::Resize { width, height }),
        _ => None,
    }
}
