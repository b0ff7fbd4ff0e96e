//! Carries out the app's effects: polls, re-reads, on-demand details and
//! writes, each on its own task so the UI never waits. Results come back as
//! messages. A write without a writer (read-only mode) is refused here, where
//! requests are made: no key, bug or config can send one.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use crate::app::{Effect, Msg, State};
use crate::carriers::{CarrierError, CarrierHandle};
use crate::sync::Fetchers;

/// Runs effects against the configured carriers.
pub struct EffectRunner {
    handles: HashMap<Arc<str>, CarrierHandle>,
    fetchers: Fetchers,
    results: UnboundedSender<Msg>,
}

impl EffectRunner {
    pub fn new(
        handles: Vec<CarrierHandle>,
        fetchers: Fetchers,
        results: UnboundedSender<Msg>,
    ) -> Self {
        let handles = handles.into_iter().map(|h| (h.name.clone(), h)).collect();
        EffectRunner {
            handles,
            fetchers,
            results,
        }
    }

    pub fn run_all(&self, effects: Vec<Effect>, state: &State) {
        for effect in effects {
            self.run(effect, state);
        }
    }

    /// Starts one effect; its result arrives later as a [`Msg`].
    pub fn run(&self, effect: Effect, state: &State) {
        match effect {
            // The loop checks `State::should_quit`.
            Effect::Quit => {}
            Effect::Refresh { carrier } => self.fetchers.refresh(carrier.as_deref()),
            Effect::ReloadOrder(key) => {
                let Some(handle) = self.handles.get(&key.carrier) else {
                    return;
                };
                let reader = handle.reader.clone();
                let results = self.results.clone();
                tokio::spawn(async move {
                    let result = reader.fetch_order(&key.id).await;
                    let _ = results.send(Msg::OrderReloaded { key, result });
                });
            }
            Effect::LoadCustomer(key) => {
                let Some(handle) = self.handles.get(&key.carrier) else {
                    return;
                };
                let Some(order) = state.order(&key).cloned() else {
                    return;
                };
                let reader = handle.reader.clone();
                let results = self.results.clone();
                tokio::spawn(async move {
                    let result = reader.fetch_customer(&order).await;
                    let _ = results.send(Msg::CustomerLoaded { key, result });
                });
            }
            Effect::Execute {
                ticket,
                key,
                request,
            } => {
                let writer = self
                    .handles
                    .get(&key.carrier)
                    .and_then(|h| h.writer.clone());
                let order = state.order(&key).cloned();
                let results = self.results.clone();
                let (Some(writer), Some(order)) = (writer, order) else {
                    let why = if self.handles.contains_key(&key.carrier) {
                        "read-only mode: no write client exists"
                    } else {
                        "unknown carrier"
                    };
                    let result = Err(CarrierError::Local(why.into()));
                    let _ = results.send(Msg::ActionFinished {
                        ticket,
                        key,
                        result,
                    });
                    return;
                };
                tokio::spawn(async move {
                    let result = writer.execute(&order, &request).await;
                    let _ = results.send(Msg::ActionFinished {
                        ticket,
                        key,
                        result,
                    });
                });
            }
        }
    }
}
