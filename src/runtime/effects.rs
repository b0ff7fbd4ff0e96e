//! The one place where the console meets the engine: the app's effects
//! become engine [`Command`]s, and engine [`Event`]s become the app's
//! messages. Nothing here does I/O itself or decides anything: the engine
//! carries the commands out (and refuses a write where requests are made
//! when no write client exists), the app decides what the messages mean.

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use crate::app::{Effect, Msg, State};
use crate::carriers::CarrierError;
use crate::engine::{self, Command, EngineHandle, Event};

/// Hands the app's effects to the engine.
pub struct EffectRunner {
    engine: EngineHandle,
    to_app: UnboundedSender<Msg>,
}

impl EffectRunner {
    /// `to_app` takes the answers given at once (an effect the engine cannot
    /// be asked to do); the engine's own answers come through
    /// [`forward_events`].
    pub fn new(engine: EngineHandle, to_app: UnboundedSender<Msg>) -> Self {
        EffectRunner { engine, to_app }
    }

    pub fn run_all(&self, effects: Vec<Effect>, state: &State) {
        for effect in effects {
            self.run(effect, state);
        }
    }

    /// Starts one effect; its result arrives later as a [`Msg`].
    pub fn run(&self, effect: Effect, state: &State) {
        match command(effect, state, &self.engine) {
            Some(Ok(command)) => self.engine.send(command),
            Some(Err(msg)) => {
                let _ = self.to_app.send(msg);
            }
            None => {}
        }
    }
}

/// The engine command for an effect, or the app's answer when there is
/// none to give (`Err`), or nothing to do (`None`: quitting is the loop's).
pub fn command(
    effect: Effect,
    state: &State,
    engine: &EngineHandle,
) -> Option<Result<Command, Msg>> {
    Some(Ok(match effect {
        Effect::Quit => return None,
        Effect::Refresh { carrier } => Command::Refresh { carrier },
        Effect::ReloadOrder(key) => Command::ReloadOrder(key),
        Effect::LoadCustomer(key) => Command::LoadCustomer(Box::new(state.order(&key)?.clone())),
        Effect::Execute {
            ticket,
            key,
            request,
        } => match state.order(&key) {
            Some(order) => Command::Execute {
                ticket,
                order: Box::new(order.clone()),
                request,
            },
            None => {
                let why = if engine.has_carrier(&key.carrier) {
                    engine::READ_ONLY
                } else {
                    engine::UNKNOWN_CARRIER
                };
                return Some(Err(Msg::ActionFinished {
                    ticket,
                    key,
                    result: Err(CarrierError::Local(why.into())),
                    reread: false,
                }));
            }
        },
        Effect::SaveNote { key, text } => Command::AddNote { key, text },
        Effect::SetFlag { key, flagged } => Command::SetFlag { key, flagged },
    }))
}

/// The app's messages for an engine event, in the order the app takes them.
pub fn messages(event: Event) -> Vec<Msg> {
    match event {
        Event::Sync(event) => vec![Msg::Sync(event)],
        Event::OrderReloaded { key, result } => vec![Msg::OrderReloaded { key, result }],
        Event::CustomerLoaded { key, result } => vec![Msg::CustomerLoaded { key, result }],
        Event::WriteSettled(settled) => {
            let settled = *settled;
            // The re-read order (which confirmed the write) first: the app
            // then needs no other re-read.
            let reread = settled.order.is_some();
            let mut out = Vec::with_capacity(3);
            if let Some(order) = settled.order {
                out.push(reloaded(order));
            }
            if let Some(entry) = settled.entry {
                out.push(Msg::Journal(entry));
            }
            out.push(Msg::ActionFinished {
                ticket: settled.ticket,
                key: settled.key,
                result: settled.result,
                reread,
            });
            out
        }
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
