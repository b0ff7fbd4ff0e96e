//! The console loop itself, generic over where keys come from and where
//! frames go: it takes any ratatui backend and any stream of crossterm
//! events, so tests drive the whole console (engine, app, view) in-process
//! on `TestBackend`. It starts from the local cache, embeds the engine,
//! turns input, engine events and the clock into messages, applies them in
//! batches with `app::update`, hands the effects to the engine, after each
//! batch hands the app the scroll limits `ui` measures for it
//! (`ui::scroll_report`), and draws at most every ~16 ms, only when
//! something changed.
//! It must not touch the real terminal (raw mode, the alternate screen) or
//! install signal handlers: that is [`super::run_console`]'s job, which
//! passes its signals in as the `shutdown` future.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::time::{Duration, Instant};

use chrono::Utc;
use crossterm::event::{Event, KeyEventKind};
use futures::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType};
use tokio::sync::mpsc;

use super::cache;
use super::effects::{EffectRunner, forward_events};
use super::memory;
use super::{ConsoleSetup, carrier_infos};
use crate::app::{self, Keeping, Msg, Options, State};
use crate::engine::{self, EngineSetup, FirstPoll};
use crate::ui::{self, Theme};

/// Most messages applied before the screen is drawn again.
const BATCH: usize = 2048;
/// Shortest time between two frames.
const FRAME: Duration = Duration::from_millis(16);
/// The same while the wallboard shows: it redraws at most once a second.
const WALLBOARD_FRAME: Duration = Duration::from_secs(1);

fn frame_gap(state: &State) -> Duration {
    if state.wallboard().is_some() {
        WALLBOARD_FRAME
    } else {
        FRAME
    }
}

fn draw<B: Backend>(
    terminal: &mut Terminal<B>,
    state: &State,
    theme: &Theme,
) -> Result<(), String> {
    terminal
        .draw(|frame| ui::view(state, theme, frame))
        .map(drop)
        .map_err(|e| format!("cannot draw: {e}"))
}

/// Blanks the screen and forgets what was drawn, so the next frame draws
/// every cell. (Not `Terminal::clear`: it asks the terminal for the cursor
/// position, whose answer the input stream may take.)
fn redraw_all<B: Backend>(terminal: &mut Terminal<B>) -> Result<(), String> {
    terminal
        .backend_mut()
        .clear_region(ClearType::All)
        .map_err(|e| format!("cannot draw: {e}"))?;
    terminal.current_buffer_mut().reset();
    terminal.swap_buffers();
    Ok(())
}

/// Runs the console on `terminal` until the user quits, `input` ends or
/// `shutdown` resolves.
///
/// Startup: draw at once ("reading the local cache"), open the store and
/// load the cache's order summaries (the next frame paints the last known
/// orders, stale until each carrier's first sync; the full orders are read
/// behind it), prime the readers, then start the engine (it resolves writes
/// left pending by a crash, then starts the fetchers). `setup.warnings` are
/// shown in the status line from the first frame.
pub async fn run_loop<B, I>(
    terminal: &mut Terminal<B>,
    mut input: I,
    shutdown: impl Future<Output = ()>,
    setup: ConsoleSetup,
) -> Result<(), String>
where
    B: Backend,
    I: Stream<Item = io::Result<Event>> + Unpin,
{
    let options = Options {
        readonly: setup.readonly,
        now: Utc::now(),
        user: setup.user.clone(),
        keys: setup.keys,
    };
    let mut state = State::new(carrier_infos(&setup.handles), options)?;
    let mut theme = setup.theme;
    if let Some(name) = &setup.theme_name {
        let mut themes: Vec<String> = Theme::builtin_names()
            .iter()
            .map(|n| (*n).to_owned())
            .collect();
        if !themes.contains(name) {
            themes.push(name.clone());
        }
        state.set_themes(themes, name);
    }
    state.set_display_timezone(setup.timezone);
    state.set_user_views(setup.personal.views.clone());
    state.set_portals(setup.personal.portals.clone());
    if let Some(file) = &setup.personal.state_file {
        state.set_absolute_times(super::load_times(file));
    }
    state.set_board_settings(setup.board);
    if setup.wallboard {
        state.open_wallboard();
    }
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
    for warning in setup.warnings {
        app::update(&mut state, Msg::Warning(warning));
    }
    if setup.data_dir.is_some() {
        app::update(&mut state, Msg::CacheLoading);
    }
    draw(terminal, &state, &theme)?;

    // Why the store is off, when it is.
    let mut off: Option<String> = None;
    let (stores, cursors) = match cache::open(setup.data_dir.clone()).await {
        Ok(stores) => {
            let names: Vec<String> = setup.handles.iter().map(|h| h.name.to_string()).collect();
            match cache::load_cache(&stores, &names, Utc::now() - setup.keep_terminal).await {
                Ok(cached) => {
                    let (loaded, cursors) = cached.into_msg();
                    app::update(&mut state, loaded);
                    // The cached orders on screen before anything else.
                    draw(terminal, &state, &theme)?;
                    for handle in &setup.handles {
                        handle.reader.prime(state.store().all());
                    }
                    memory::release_freed_memory();
                    (Some(stores), cursors)
                }
                Err(e) => {
                    // A store that cannot be read is refused for the whole
                    // session: it is closed here and nothing writes to it
                    // (the status line says it was left untouched). Without
                    // the cached orders a stored cursor would skip them too.
                    drop(stores);
                    off = Some(e.to_string());
                    (None, HashMap::new())
                }
            }
        }
        Err(problem) => {
            off = Some(problem);
            (None, HashMap::new())
        }
    };
    // With the store off, notes and flags go to the fallback file, or are
    // refused when it cannot be opened either; the editor says which.
    let (notes, keeping) = match &off {
        None => (None, Keeping::Store),
        Some(_) => cache::fallback_notes(setup.state_dir.as_deref()),
    };
    let trend_cache = stores.as_ref().map(|s| s.cache.clone());
    let (engine, events) = engine::spawn(EngineSetup {
        handles: setup.handles,
        stores,
        notes,
        author: setup.user,
        in_flight_lease: super::write_lease(),
        sync: Some(cursors),
        // In quiet hours the first poll is as automatic as the next ones.
        first_poll: FirstPoll::OutsideQuietHours,
    })
    .map_err(|e| format!("cannot set up the write journal: {e}"))?;
    if let Some(off) = off {
        // One sentence: why, and what that means for the journal and notes.
        let mut problem = off;
        if let Some(note) = engine.journal_note() {
            problem = format!("{problem}; {note}");
        }
        match &keeping {
            Keeping::File(path) => problem = format!("{problem}; notes and flags go to {path}"),
            Keeping::Nowhere(_) => problem = format!("{problem}; notes and flags cannot be kept"),
            Keeping::Store => {}
        }
        app::update(&mut state, Msg::NotesKept(keeping));
        app::update(&mut state, Msg::StoreProblem(problem));
    } else if let Some(note) = engine.journal_note() {
        app::update(&mut state, Msg::StoreProblem(note.to_owned()));
    }
    forward_events(events, msg_tx.clone());
    let runner = EffectRunner::new(engine)
        .with_trend(trend_cache, msg_tx.clone())
        .with_personal(setup.personal, msg_tx.clone());

    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut last_frame: Option<Instant> = None;
    tokio::pin!(shutdown);

    loop {
        let frame_due = last_frame.map_or(Instant::now(), |t| t + frame_gap(&state));
        let first = tokio::select! {
            event = input.next() => match event {
                Some(Ok(event)) => {
                    // A resize (or a resume, which reports one) redraws
                    // everything: what the terminal shows is not known.
                    if matches!(event, Event::Resize(..)) {
                        redraw_all(terminal)?;
                    }
                    terminal_msg(event)
                }
                Some(Err(e)) => return Err(format!("terminal input failed: {e}")),
                None => return Ok(()),
            },
            Some(msg) = msg_rx.recv() => Some(msg),
            _ = tick.tick() => Some(Msg::Tick(Utc::now())),
            () = &mut shutdown => return Ok(()),
            _ = tokio::time::sleep_until(frame_due.into()), if dirty => None,
        };
        if let Some(msg) = first {
            dirty = true;
            let effects = app::update(&mut state, msg);
            switch_theme(&mut theme, &effects, &mut state);
            runner.run_all(effects);
            // Drain what is already waiting so a burst costs one frame.
            for _ in 0..BATCH {
                let Ok(next) = msg_rx.try_recv() else {
                    break;
                };
                let effects = app::update(&mut state, next);
                switch_theme(&mut theme, &effects, &mut state);
                runner.run_all(effects);
            }
            // The scroll limits of what the batch changed, for the next keys.
            if let Some(report) = ui::scroll_report(&state) {
                app::update(&mut state, report);
            }
        }
        if state.should_quit() {
            return Ok(());
        }
        if dirty && last_frame.is_none_or(|t| t.elapsed() >= frame_gap(&state)) {
            draw(terminal, &state, &theme)?;
            last_frame = Some(Instant::now());
            dirty = false;
        }
    }
}

/// Loads the theme an `Effect::SwitchTheme` names (the palette's); a
/// theme that cannot be loaded keeps the one in use and says why.
fn switch_theme(theme: &mut Theme, effects: &[app::Effect], state: &mut State) {
    for effect in effects {
        if let app::Effect::SwitchTheme(name) = effect {
            match Theme::load(name) {
                (_, Some(problem)) => {
                    app::update(state, Msg::Warning(problem));
                }
                (loaded, None) => *theme = loaded,
            }
        }
    }
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
