//! Carries out the app's effects: polls, re-reads, on-demand details, local
//! notes and flags, and writes, each on its own task so the UI never waits.
//! Results come back as messages. Writes go through the journal
//! ([`WriteExecutor`]); a write without a writer (read-only mode) is refused
//! here, where requests are made: no key, bug or config can send one.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc::UnboundedSender;

use super::persist::Writer;
use crate::app::{Effect, Msg, State};
use crate::carriers::{CarrierError, CarrierHandle};
use crate::journal::{WriteExecutor, WriteResult};

/// How often writes left unresolved (a crash, an unreachable carrier) are
/// looked at again.
const RESOLVE_EVERY: Duration = Duration::from_secs(60);

/// Runs effects against the configured carriers.
pub struct EffectRunner {
    handles: HashMap<Arc<str>, CarrierHandle>,
    fetchers: crate::sync::Fetchers,
    results: UnboundedSender<Msg>,
    executor: Arc<WriteExecutor>,
    _writer: Option<Writer>,
}

impl EffectRunner {
    pub fn new(
        handles: Vec<CarrierHandle>,
        fetchers: crate::sync::Fetchers,
        results: UnboundedSender<Msg>,
        executor: Arc<WriteExecutor>,
        writer: Option<Writer>,
    ) -> Self {
        let handles = handles.into_iter().map(|h| (h.name.clone(), h)).collect();
        EffectRunner {
            handles,
            fetchers,
            results,
            executor,
            _writer: writer,
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
                let handle = self
                    .handles
                    .get(&key.carrier)
                    .filter(|h| h.writer.is_some())
                    .cloned();
                let order = state.order(&key).cloned();
                let results = self.results.clone();
                let (Some(handle), Some(order)) = (handle, order) else {
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
                        reread: false,
                    });
                    return;
                };
                let executor = self.executor.clone();
                tokio::spawn(async move {
                    let outcome = executor
                        .execute(&handle, &order, &request, Utc::now())
                        .await;
                    let result = outcome.receipt_result();
                    // The executor's own re-read (to confirm) goes to the
                    // app first; the app then needs no other.
                    let reread = outcome.order.is_some();
                    report(&results, outcome);
                    let _ = results.send(Msg::ActionFinished {
                        ticket,
                        key,
                        result,
                        reread,
                    });
                });
            }
            Effect::SaveNote { key, text } => {
                let store = self.executor.store().clone();
                let author = self.executor.author().to_owned();
                let results = self.results.clone();
                tokio::task::spawn_blocking(move || {
                    let result = store
                        .add_note(&key, &author, &text, Utc::now())
                        .map_err(|e| e.to_string());
                    let _ = results.send(Msg::NoteSaved { key, result });
                });
            }
            Effect::SetFlag { key, flagged } => {
                let store = self.executor.store().clone();
                let author = self.executor.author().to_owned();
                let results = self.results.clone();
                tokio::task::spawn_blocking(move || {
                    let now = Utc::now();
                    let result = store
                        .set_flag(&key, flagged, &author, now)
                        .map(|()| flagged.then_some(crate::store::Flag { author, at: now }))
                        .map_err(|e| e.to_string());
                    let _ = results.send(Msg::FlagSaved { key, result });
                });
            }
        }
    }
}

/// Tells the app what a write (or its resolution) came to: the journal
/// entry, and the re-read order when there is one.
fn report(results: &UnboundedSender<Msg>, outcome: WriteResult) {
    if let Some(order) = outcome.order {
        let _ = results.send(Msg::OrderReloaded {
            key: order.key.clone(),
            result: Ok(order),
        });
    }
    let _ = results.send(Msg::Journal(outcome.entry));
}

/// Resolves writes a crash or an unreachable carrier left pending: once at
/// startup, then every [`RESOLVE_EVERY`].
pub fn resolve_pending_now_and_then(
    executor: Arc<WriteExecutor>,
    handles: Vec<CarrierHandle>,
    results: UnboundedSender<Msg>,
) {
    tokio::spawn(async move {
        loop {
            for outcome in executor.resolve_pending(&handles, Utc::now()).await {
                report(&results, outcome);
            }
            if results.is_closed() {
                return;
            }
            tokio::time::sleep(RESOLVE_EVERY).await;
        }
    });
}
