//! The one place where the console meets the engine: the app's effects
//! become engine [`Command`]s, and engine [`Event`]s become the app's
//! messages. Nothing here does I/O itself or decides anything: the engine
//! carries the commands out (and refuses a write where requests are made
//! when no write client exists), the app decides what the messages mean.
//! Effects carry what the engine needs (the order for a write), so nothing
//! here reads the app's state.

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use crate::app::{Effect, Msg};
use crate::engine::{Command, EngineHandle, Event};

/// Hands the app's effects to the engine.
pub struct EffectRunner {
    engine: EngineHandle,
}

impl EffectRunner {
    /// The engine's answers come back through [`forward_events`].
    pub fn new(engine: EngineHandle) -> Self {
        EffectRunner { engine }
    }

    pub fn run_all(&self, effects: Vec<Effect>) {
        for effect in effects {
            self.run(effect);
        }
    }

    /// Starts one effect; its result arrives later as a [`Msg`].
    pub fn run(&self, effect: Effect) {
        if let Some(command) = command(effect) {
            self.engine.send(command);
        }
    }
}

/// The engine command for an effect, or nothing to do (`None`: quitting is
/// the loop's).
pub fn command(effect: Effect) -> Option<Command> {
    Some(match effect {
        Effect::Quit => return None,
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
        // A failed cache write is logged by the engine; the console keeps
        // working from the network and has nothing to show for it.
        Event::StoreProblem(_) => Vec::new(),
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
