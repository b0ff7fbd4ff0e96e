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
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use crossterm::event::{Event, KeyEventKind, MouseButton, MouseEventKind};
use futures::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType};
use tokio::sync::mpsc;

use super::cache;
use super::effects::{EffectRunner, forward_events};
use super::memory;
use super::{ConsoleSetup, carrier_infos};
use crate::app::{self, Keeping, MouseKind, Msg, Options, State};
use crate::config::NotifyStyle;
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
/// Team mode (`setup.team`): the same first frame, then the follower of the
/// team store in place of the local store and the engine; it paints from
/// the database and follows it; presence is published as the app decides
/// (`State::presence_now`) and withdrawn on the way out.
///
/// Solo startup: draw at once ("reading the local cache"), open the store and
/// load the cache's order summaries (the next frame paints the last known
/// orders, stale until each carrier's first sync; the full orders are read
/// behind it), prime the readers, then start the engine (it resolves writes
/// left pending by a crash, then starts the fetchers). `setup.warnings` are
/// shown in the status line from the first frame.
pub async fn run_loop<B, I>(
    terminal: &mut Terminal<B>,
    mut input: I,
    shutdown: impl Future<Output = ()>,
    mut setup: ConsoleSetup,
) -> Result<(), String>
where
    B: Backend,
    I: Stream<Item = io::Result<Event>> + Unpin,
{
    let options = Options {
        readonly: setup.readonly,
        now: Utc::now(),
        user: setup.user.clone(),
        keys: std::mem::take(&mut setup.keys),
    };
    let mut state = State::new(carrier_infos(&setup.handles), options)?;
    let mut theme = setup.theme.clone();
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
    state.set_service_levels(std::mem::take(&mut setup.service_levels));
    state.set_notify(setup.notify != NotifyStyle::Off);
    if setup.wallboard {
        state.open_wallboard();
    }
    if setup.team.is_some() {
        state.start_team();
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
    for warning in std::mem::take(&mut setup.warnings) {
        app::update(&mut state, Msg::Warning(warning));
    }
    if setup.data_dir.is_some() || setup.team.is_some() {
        app::update(&mut state, Msg::CacheLoading);
    }
    draw(terminal, &state, &theme)?;

    let (runner, follower) = match setup.team.clone() {
        Some(team) => {
            let (follower, store) =
                super::team::start(&team, setup.user.clone(), setup.readonly, msg_tx.clone())
                    .await
                    .map_err(|e| format!("cannot reach the team store: {e}"))?;
            let cache: Arc<dyn crate::store::OrderCache> = Arc::new(store);
            let runner = EffectRunner::following(follower.clone())
                .with_trend(Some(cache), msg_tx.clone())
                .with_notify(setup.notify);
            (runner, Some(follower))
        }
        None => (
            start_solo(terminal, &mut state, setup_solo(&mut setup), &msg_tx)
                .await?
                .with_notify(setup.notify),
            None,
        ),
    };
    let runner = runner.with_personal(setup.personal.clone(), msg_tx.clone());
    // What this agent last published about themselves (team mode).
    let mut published = None;

    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut last_frame: Option<Instant> = None;
    tokio::pin!(shutdown);

    let result = loop {
        let frame_due = last_frame.map_or(Instant::now(), |t| t + frame_gap(&state));
        let first = tokio::select! {
            event = input.next() => match event {
                Some(Ok(event)) => {
                    // A resize (or a resume, which reports one) redraws
                    // everything: what the terminal shows is not known.
                    if matches!(event, Event::Resize(..)) && let Err(e) = redraw_all(terminal) {
                        break Err(e);
                    }
                    terminal_msg(event)
                }
                Some(Err(e)) => break Err(format!("terminal input failed: {e}")),
                None => break Ok(()),
            },
            Some(msg) = msg_rx.recv() => Some(msg),
            _ = tick.tick() => Some(Msg::Tick(Utc::now())),
            () = &mut shutdown => break Ok(()),
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
            if let Some(follower) = &follower {
                let now = state.presence_now();
                if now != published {
                    if let Some((order, dialog)) = now.clone() {
                        follower.present(order, dialog);
                    }
                    published = now;
                }
            }
        }
        if state.should_quit() {
            break Ok(());
        }
        if dirty && last_frame.is_none_or(|t| t.elapsed() >= frame_gap(&state)) {
            if let Err(e) = draw(terminal, &state, &theme) {
                break Err(e);
            }
            last_frame = Some(Instant::now());
            dirty = false;
        }
    };
    if let Some(follower) = &follower {
        follower.leave(LEAVE_WITHIN).await;
    }
    result
}

/// Loads the theme an `Effect::SwitchTheme` names (the palette's); a
/// theme that cannot be loaded keeps the one in use and says why.
fn switch_theme(theme: &mut Theme, effects: &[app::Effect], state: &mut State) {
    for effect in effects {
        if let app::Effect::SwitchTheme(name) = effect {
            match crate::runtime::load_theme(name) {
                (_, Some(problem)) => {
                    app::update(state, Msg::Warning(problem));
                }
                (loaded, None) => *theme = loaded,
            }
        }
    }
}

/// How long withdrawing this agent's presence may hold up quitting.
const LEAVE_WITHIN: Duration = Duration::from_secs(1);

/// What the solo start takes out of the setup.
struct Solo {
    handles: Vec<crate::carriers::CarrierHandle>,
    data_dir: Option<std::path::PathBuf>,
    state_dir: Option<std::path::PathBuf>,
    keep_terminal: chrono::Duration,
    user: String,
    theme: Theme,
}

fn setup_solo(setup: &mut ConsoleSetup) -> Solo {
    Solo {
        handles: std::mem::take(&mut setup.handles),
        data_dir: setup.data_dir.clone(),
        state_dir: setup.state_dir.clone(),
        keep_terminal: setup.keep_terminal,
        user: setup.user.clone(),
        theme: setup.theme.clone(),
    }
}

/// The solo start: open the local store and paint its orders, then embed
/// the engine (it resolves writes left pending, then starts the fetchers).
async fn start_solo<B: Backend>(
    terminal: &mut Terminal<B>,
    state: &mut State,
    setup: Solo,
    msg_tx: &mpsc::UnboundedSender<Msg>,
) -> Result<EffectRunner, String> {
    // Why the store is off, when it is.
    let mut off: Option<String> = None;
    let (stores, cursors) = match cache::open(setup.data_dir.clone()).await {
        Ok(stores) => {
            let names: Vec<String> = setup.handles.iter().map(|h| h.name.to_string()).collect();
            match cache::load_cache(&stores, &names, Utc::now() - setup.keep_terminal).await {
                Ok(cached) => {
                    let (loaded, cursors) = cached.into_msg();
                    app::update(state, loaded);
                    // The cached orders on screen before anything else.
                    draw(terminal, state, &setup.theme)?;
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
        app::update(state, Msg::NotesKept(keeping));
        app::update(state, Msg::StoreProblem(problem));
    } else if let Some(note) = engine.journal_note() {
        app::update(state, Msg::StoreProblem(note.to_owned()));
    }
    forward_events(events, msg_tx.clone());
    Ok(EffectRunner::new(engine).with_trend(trend_cache, msg_tx.clone()))
}

/// Key presses (not releases or repeats of the kitty protocol), pastes,
/// resizes, left clicks and the wheel (with where they happened; the app
/// decides what was hit); everything else is ignored.
fn terminal_msg(event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) if key.kind == KeyEventKind::Press => Some(Msg::Key(key)),
        Event::Paste(text) => Some(Msg::Paste(text)),
        Event::Resize(width, height) => Some(Msg::Resize { width, height }),
        Event::Mouse(mouse) => {
            let kind = match mouse.kind {
                MouseEventKind::Down(MouseButton::Left) => MouseKind::Click,
                MouseEventKind::ScrollUp => MouseKind::WheelUp,
                MouseEventKind::ScrollDown => MouseKind::WheelDown,
                _ => return None,
            };
            Some(Msg::Mouse {
                kind,
                column: mouse.column,
                row: mouse.row,
            })
        }
        _ => None,
    }
}
