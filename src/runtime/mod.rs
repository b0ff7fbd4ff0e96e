//! The console's owner loop: sets up and always restores the terminal, turns
//! terminal input, fetcher reports, effect results and the clock into
//! messages, applies them in batches with `app::update`, runs the effects, and
//! draws the latest state at most every ~16 ms and only when something
//! changed. Nothing here decides what a key means (that is `app`) or how
//! things look (that is `ui`).

mod effects;
mod terminal;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::Utc;
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;
use tokio::sync::mpsc;

use crate::app::{self, CarrierInfo, Msg, Options, State};
use crate::carriers::CarrierHandle;
use crate::sync::Fetchers;
use crate::ui::{self, Theme};

pub use effects::EffectRunner;

/// What the console needs to start.
pub struct ConsoleSetup {
    pub handles: Vec<CarrierHandle>,
    pub readonly: bool,
    pub theme: Theme,
    pub user: String,
    pub keys: BTreeMap<String, String>,
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
pub async fn run_console(setup: ConsoleSetup) -> Result<(), String> {
    let options = Options {
        readonly: setup.readonly,
        now: Utc::now(),
        user: setup.user,
        keys: setup.keys,
    };
    let mut state = State::new(carrier_infos(&setup.handles), options)?;
    let (sync_tx, mut sync_rx) = mpsc::unbounded_channel();
    let fetchers = Fetchers::spawn(&setup.handles, sync_tx);
    let (msg_tx, mut msg_rx) = mpsc::unbounded_channel();
    let runner = EffectRunner::new(setup.handles, fetchers, msg_tx);

    let mut terminal = terminal::enter().map_err(|e| format!("cannot set up the terminal: {e}"))?;
    let mut signals =
        terminal::Signals::new().map_err(|e| format!("cannot listen for signals: {e}"))?;
    let mut input = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut last_frame: Option<Instant> = None;

    let result = loop {
        let frame_due = last_frame.map_or(Instant::now(), |t| t + FRAME);
        let first = tokio::select! {
            event = input.next() => match event {
                Some(Ok(event)) => terminal_msg(event),
                Some(Err(e)) => break Err(format!("terminal input failed: {e}")),
                None => break Ok(()),
            },
            Some(event) = sync_rx.recv() => Some(Msg::Sync(event)),
            Some(msg) = msg_rx.recv() => Some(msg),
            _ = tick.tick() => Some(Msg::Tick(Utc::now())),
            _ = signals.recv() => break Ok(()),
            _ = tokio::time::sleep_until(frame_due.into()), if dirty => None,
        };
        if let Some(msg) = first {
            dirty = true;
            runner.run_all(app::update(&mut state, msg), &state);
            // Drain what is already waiting so a burst costs one frame.
            for _ in 0..BATCH {
                let next = match sync_rx.try_recv() {
                    Ok(event) => Msg::Sync(event),
                    Err(_) => match msg_rx.try_recv() {
                        Ok(msg) => msg,
                        Err(_) => break,
                    },
                };
                runner.run_all(app::update(&mut state, next), &state);
            }
        }
        if state.should_quit() {
            break Ok(());
        }
        if dirty && last_frame.is_none_or(|t| t.elapsed() >= FRAME) {
            if let Err(e) = terminal.draw(|frame| ui::view(&state, &setup.theme, frame)) {
                break Err(format!("cannot draw: {e}"));
            }
            last_frame = Some(Instant::now());
            dirty = false;
        }
    };
    terminal::leave();
    result
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
