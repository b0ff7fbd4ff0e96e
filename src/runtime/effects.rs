//! The one place where the console meets the engine: the app's effects
//! become engine [`Command`]s, and engine [`Event`]s become the app's
//! messages. Nothing here decides anything, and the only I/O is a
//! notification's (`super::notify`): the engine
//! carries the commands out (and refuses a write where requests are made
//! when no write client exists), the app decides what the messages mean.
//! Effects carry what the engine needs (the order for a write), so nothing
//! here reads the app's state. The effects that are not the engine's: the
//! wallboard's trend, a read of the store handed to a task; a
//! notification, written to the terminal (`super::notify`); and the user's
//! own effects (clipboard, browser, views file, times choice), `personal`'s.
//! In team mode the commands go to the follower (`crate::follow`) instead
//! of the engine: the same commands, answered with the same events.

use std::sync::Arc;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use super::personal::{self, Personal};
use crate::app::{Effect, Msg};
use crate::config::NotifyStyle;
use crate::engine::{Command, EngineHandle, Event};
use crate::follow::FollowHandle;
use crate::store::OrderCache;

/// Hands the app's effects to the engine (and the wallboard's trend read
/// to the store, the user's own things to `personal`).
pub struct EffectRunner {
    engine: Backend,
    trend: Option<TrendSource>,
    notify: NotifyStyle,
    personal: Option<(Personal, UnboundedSender<Msg>)>,
}

/// Who carries the commands out: the embedded engine, or in team mode the
/// follower of the team store.
enum Backend {
    Engine(EngineHandle),
    Follow(FollowHandle),
}

/// Where the wallboard's trend is read and where its answer goes.
struct TrendSource {
    cache: Option<Arc<dyn OrderCache>>,
    to_app: UnboundedSender<Msg>,
}

impl EffectRunner {
    /// The engine's answers come back through [`forward_events`].
    pub fn new(engine: EngineHandle) -> Self {
        EffectRunner {
            engine: Backend::Engine(engine),
            trend: None,
            notify: NotifyStyle::Off,
            personal: None,
        }
    }

    /// Team mode: the follower's answers come back through
    /// `super::team::start`'s forwarding.
    pub fn following(follower: FollowHandle) -> Self {
        EffectRunner {
            engine: Backend::Follow(follower),
            trend: None,
            notify: NotifyStyle::Off,
            personal: None,
        }
    }

    /// Tells of `Effect::Notify` in `style` (default: off).
    pub fn with_notify(mut self, style: NotifyStyle) -> Self {
        self.notify = style;
        self
    }

    /// Carries out the clipboard, the browser, the views file and the
    /// times choice ([`personal`]); a failure is a `Msg::Warning` on
    /// `to_app`.
    pub fn with_personal(mut self, personal: Personal, to_app: UnboundedSender<Msg>) -> Self {
        self.personal = Some((personal, to_app));
        self
    }

    /// The user's own effects; `false` for any other.
    fn run_personal(&self, effect: &Effect) -> bool {
        let Some((p, to_app)) = &self.personal else {
            return false;
        };
        if let Effect::ExportCsv {
            file_name,
            text,
            rows,
        } = effect
        {
            let result = std::env::current_dir()
                .and_then(|dir| personal::write_export(&dir, file_name, text))
                .map(|path| path.display().to_string())
                .map_err(|e| format!("cannot write {file_name}: {e}"));
            let _ = to_app.send(Msg::Exported {
                rows: *rows,
                result,
            });
            return true;
        }
        let result = match effect {
            Effect::Copy { what, text } if p.clipboard => personal::copy_to_clipboard(text)
                .map_err(|e| format!("copy {what}: cannot write to the terminal: {e}")),
            Effect::Copy { .. } => Ok(()),
            Effect::OpenUrl(url) => personal::open_url(url).map_err(|e| format!("open: {e}")),
            Effect::SaveView { name, toml } => match &p.views_file {
                Some(path) => personal::append_view(path, toml).map_err(|e| {
                    format!(
                        "view {name:?} is not saved: cannot write {}: {e}",
                        path.display()
                    )
                }),
                None => Err(format!(
                    "view {name:?} is kept for this session only: no config file to put views.toml beside (--config PATH)"
                )),
            },
            Effect::SaveTimes { absolute } => match &p.state_file {
                Some(path) => personal::save_times(path, *absolute).map_err(|e| {
                    format!(
                        "the times choice is not kept for the next start: cannot write {}: {e}",
                        path.display()
                    )
                }),
                None => Ok(()),
            },
            _ => return false,
        };
        if let Err(problem) = result {
            tracing::warn!("{problem}");
            let _ = to_app.send(Msg::Warning(problem));
        }
        true
    }

    /// Answers `Effect::LoadTrend` with `Msg::Trend` on `to_app`, read from
    /// `cache` (`None`: the store is off, and the answer says so).
    pub fn with_trend(
        mut self,
        cache: Option<Arc<dyn OrderCache>>,
        to_app: UnboundedSender<Msg>,
    ) -> Self {
        self.trend = Some(TrendSource { cache, to_app });
        self
    }

    pub fn run_all(&self, effects: Vec<Effect>) {
        for effect in effects {
            self.run(effect);
        }
    }

    /// Starts one effect; its result arrives later as a [`Msg`].
    pub fn run(&self, effect: Effect) {
        if self.run_personal(&effect) {
            return;
        }
        if let (Effect::LoadTrend { start, hours }, Some(trend)) = (&effect, &self.trend) {
            let (start, hours) = (*start, *hours);
            let cache = trend.cache.clone();
            let to_app = trend.to_app.clone();
            tokio::spawn(async move {
                let result = match cache {
                    Some(cache) => cache
                        .hourly_trend(start, hours)
                        .await
                        .map_err(|e| e.to_string()),
                    None => Err("the local store is off".to_owned()),
                };
                let _ = to_app.send(Msg::Trend(result));
            });
            return;
        }
        if let Effect::Notify { text } = &effect {
            super::notify::tell(self.notify, text);
            return;
        }
        if let Some(command) = command(effect) {
            match &self.engine {
                Backend::Engine(engine) => engine.send(command),
                Backend::Follow(follower) => follower.send(command),
            }
        }
    }
}

/// The engine command for an effect, or nothing to do (`None`: quitting is
/// the loop's).
pub fn command(effect: Effect) -> Option<Command> {
    Some(match effect {
        Effect::Quit | Effect::Notify { .. } => return None,
        Effect::Refresh { carrier } => Command::Refresh { carrier },
        Effect::ReloadOrder(key) => Command::ReloadOrder(key),
        Effect::LoadOrder(key) => Command::LoadOrder(key),
        Effect::SearchText { words, limit } => Command::SearchText { words, limit },
        Effect::LoadCustomer(order) => Command::LoadCustomer(order),
        Effect::Execute {
            ticket,
            order,
            request,
        } => Command::Execute {
            ticket,
            order,
            request,
        },
        Effect::SendAgain { ticket, key, id } => Command::SendAgain { ticket, key, id },
        Effect::SaveNote { key, text } => Command::AddNote { key, text },
        Effect::SetFlag { key, flagged } => Command::SetFlag { key, flagged },
        // The store's, not the engine's: see `EffectRunner::run`.
        Effect::LoadTrend { .. } => return None,
        // The loop's: it draws with the theme.
        Effect::SwitchTheme(_) => return None,
        // The terminal's and the files': see `EffectRunner::run`.
        Effect::Copy { .. }
        | Effect::OpenUrl(_)
        | Effect::SaveView { .. }
        | Effect::SaveTimes { .. }
        | Effect::ExportCsv { .. } => return None,
    })
}

/// The app's messages for an engine event, in the order the app takes them.
pub fn messages(event: Event) -> Vec<Msg> {
    match event {
        Event::Sync(event) => vec![Msg::Sync(event)],
        Event::OrderReloaded { key, result } => vec![Msg::OrderReloaded { key, result }],
        Event::OrderLoaded { key, result } => vec![Msg::OrderLoaded { key, result }],
        Event::TextSearched { words, result } => vec![Msg::TextSearched { words, result }],
        Event::CustomerLoaded { key, result } => vec![Msg::CustomerLoaded { key, result }],
        Event::WriteSettled(settled) => vec![Msg::WriteSettled(settled)],
        Event::JournalChanged { entry, order } => {
            let mut out: Vec<Msg> = order.into_iter().map(reloaded).collect();
            out.push(Msg::Journal(*entry));
            out
        }
        Event::NoteSaved { key, result } => vec![Msg::NoteSaved { key, result }],
        Event::FlagSaved { key, result } => vec![Msg::FlagSaved { key, result }],
        // A failed cache write (reported once): the console goes on from
        // the carriers, but the agent should know the next start will not
        // find what this session read.
        Event::StoreProblem(problem) => vec![Msg::Warning(format!(
            "the local cache is not being saved: {problem}; orders still come from the carriers"
        ))],
    }
}

fn reloaded(order: crate::domain::Order) -> Msg {
    Msg::OrderReloaded {
        key: order.key.clone(),
        result: Ok(order),
    }
}

/// Passes the engine's events to the app as messages until either side
/// ends.
pub fn forward_events(mut events: UnboundedReceiver<Event>, to_app: UnboundedSender<Msg>) {
    tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            for msg in messages(event) {
                if to_app.send(msg).is_err() {
                    return;
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cache_that_cannot_be_saved_is_said_not_swallowed() {
        let msgs = messages(Event::StoreProblem("disk full".into()));
        assert!(
            matches!(&msgs[..], [Msg::Warning(w)] if w.contains("not being saved: disk full")),
            "{msgs:?}"
        );
    }
}
