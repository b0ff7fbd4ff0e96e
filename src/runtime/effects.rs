//! Carries out the app's effects: polls, re-reads, on-demand details, local
//! notes and flags, and writes, each on its own task so the UI never waits.
//! An effect carries what it needs; nothing here reads `app::State`.
//! Results come back as messages; a write comes back as one
//! `Msg::WriteSettled`. Writes go through the journal
//! ([`WriteExecutor`]); a write without a writer (read-only mode) is refused
//! here, where requests are made: no key, bug or config can send one.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc::UnboundedSender;

use super::persist::Writer;
use crate::app::{Effect, Msg, WriteSettled};
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

    pub fn run_all(&self, effects: Vec<Effect>) {
        for effect in effects {
            self.run(effect);
        }
    }

    /// Starts one effect; its result arrives later as a [`Msg`].
    pub fn run(&self, effect: Effect) {
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
            Effect::LoadCustomer(order) => {
                let Some(handle) = self.handles.get(&order.key.carrier) else {
                    return;
                };
                let reader = handle.reader.clone();
                let results = self.results.clone();
                tokio::spawn(async move {
                    let key = order.key.clone();
                    let result = reader.fetch_customer(&order).await;
                    let _ = results.send(Msg::CustomerLoaded { key, result });
                });
            }
            Effect::Execute {
                ticket,
                order,
                request,
            } => {
                let key = order.key.clone();
                let handle = self
                    .handles
                    .get(&key.carrier)
                    .filter(|h| h.writer.is_some())
                    .cloned();
                let results = self.results.clone();
                let Some(handle) = handle else {
                    let why = if self.handles.contains_key(&key.carrier) {
                        "read-only mode: no write client exists"
                    } else {
                        "unknown carrier"
                    };
                    let _ = results.send(Msg::WriteSettled(Box::new(WriteSettled {
                        ticket,
                        key,
                        result: Err(CarrierError::Local(why.into())),
                        entry: None,
                        order: None,
                    })));
                    return;
                };
                let executor = self.executor.clone();
                tokio::spawn(async move {
                    let outcome = executor
                        .execute(&handle, &order, &request, Utc::now())
                        .await;
                    let result = outcome.receipt_result();
                    // A write the journal could not record has no entry (its
                    // id is empty); the error says why.
                    let recorded = !outcome.entry.id.is_empty();
                    let _ = results.send(Msg::WriteSettled(Box::new(WriteSettled {
                        ticket,
                        key,
                        result,
                        entry: recorded.then_some(outcome.entry),
                        order: outcome.order,
                    })));
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

/// Tells the app what a write resolved in the background came to: the
/// journal entry, and the re-read order when there is one.
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
