//! The engine: everything orderdesk does with carriers and the store, with
//! no terminal and no `app::State`. It owns the fetchers (one task per
//! carrier, [`fetch`]), the recorder that writes what they read to the store
//! ([`recorder`]), and the write executor, the only path a write takes
//! ([`WriteExecutor`]). It also resolves writes left open (a crash, an
//! unreachable carrier) at startup and every 60 s.
//!
//! It is driven through two typed channels: [`Command`]s in (refresh,
//! re-read, load customer details, execute a write, add a note, set a
//! flag) and [`Event`]s out (orders changed and carrier health, re-reads,
//! a write settled, journal changes, notes and flags saved, store
//! problems). The console embeds it and translates between these and its
//! own messages; `list` and `show` run it alone; a team daemon can run it
//! with no console at all: the team daemon (`orderdesk sync`) starts and
//! stops single carriers' fetchers as it gains and loses their poller
//! locks and asks for passes that send the writes consoles recorded
//! (`team`). A store found damaged while it runs is not
//! written again in that session ([`Refused`]). Must not: decide what a user may do (the app and
//! the carrier profiles do) or draw anything.

mod executor;
pub mod fetch;
mod recorder;
mod team;
mod write_result;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc;

use crate::carriers::{CarrierError, CarrierHandle, SyncEvent, WriteReceipt};
use crate::domain::{ActionRequest, Flag, JournalEntry, Note, Order, OrderKey};
use crate::store::{LocalStore, StoreError, Stores};

pub use executor::{DEFAULT_IN_FLIGHT_LEASE, MAX_SENDS, WriteExecutor};
pub use fetch::{Fetchers, FirstPoll};
pub use recorder::{Recorder, Refused};
pub use write_result::WriteResult;

/// How often writes left unresolved (a crash, an unreachable carrier) are
/// looked at again.
pub const RESOLVE_EVERY: Duration = Duration::from_secs(60);

/// Identifies one write from the request to its outcome (the app's ticket).
pub type Ticket = u64;

/// What the engine is asked to do.
#[derive(Debug, Clone)]
pub enum Command {
    /// Poll now: one carrier, or all when `None`.
    Refresh { carrier: Option<Arc<str>> },
    /// Re-read one order from its carrier ([`Event::OrderReloaded`]).
    ReloadOrder(OrderKey),
    /// Read one full order, with its raw body, from the store
    /// ([`Event::OrderLoaded`]).
    LoadOrder(OrderKey),
    /// Look words up in the store's full-text index ([`Event::TextSearched`]).
    SearchText { words: String, limit: usize },
    /// Fetch an order's on-demand customer details ([`Event::CustomerLoaded`]).
    LoadCustomer(Box<Order>),
    /// Send a validated write on `order` through the journal
    /// ([`Event::WriteSettled`]). Refused at once when the carrier has no
    /// write client (read-only mode) or is not configured.
    Execute {
        ticket: Ticket,
        order: Box<Order>,
        request: ActionRequest,
    },
    /// Send the journal entry `id` (a write to `key` whose outcome is
    /// unknown and that no re-read can settle) once more, because the user
    /// asked to ([`Event::WriteSettled`]; see `WriteExecutor::send_again`).
    SendAgain {
        ticket: Ticket,
        key: OrderKey,
        id: String,
    },
    /// Store a local note ([`Event::NoteSaved`]); never sent to a carrier.
    AddNote { key: OrderKey, text: String },
    /// Set or clear a local follow-up flag ([`Event::FlagSaved`]).
    SetFlag { key: OrderKey, flagged: bool },
    /// Start polling one carrier from `cursor` (the team daemon has become
    /// its poller); its writes are this engine's to send from now on.
    Poll {
        carrier: Arc<str>,
        cursor: Option<String>,
    },
    /// Stop polling one carrier at once (the daemon lost its poller lock or
    /// is stopping); its writes are no longer this engine's to send.
    StopPolling { carrier: Arc<str> },
    /// Send and settle the open writes of the carriers this engine polls
    /// (see `WriteExecutor::resolve_for_team`), each as an
    /// [`Event::JournalChanged`]; asked again while a pass runs, one more
    /// pass follows it.
    ResolvePolled,
}

/// One write's end: the carrier's answer, the journal entry as it now
/// stands (`None` when the write was refused before it was recorded) and
/// the order as re-read to confirm it, when it was.
#[derive(Debug, Clone)]
pub struct WriteSettled {
    pub ticket: Ticket,
    pub key: OrderKey,
    pub result: Result<WriteReceipt, CarrierError>,
    pub entry: Option<JournalEntry>,
    pub order: Option<Order>,
}

/// What the engine reports.
#[derive(Debug, Clone)]
pub enum Event {
    /// A fetcher reported: orders changed, progress, carrier health. (Sync
    /// cursors stay inside the engine: the recorder stores them.)
    Sync(SyncEvent),
    /// An order was re-read ([`Command::ReloadOrder`]).
    OrderReloaded {
        key: OrderKey,
        result: Result<Order, CarrierError>,
    },
    /// The store's copy of an order ([`Command::LoadOrder`]): `None` when
    /// the store does not hold it.
    OrderLoaded {
        key: OrderKey,
        result: Result<Option<Order>, String>,
    },
    /// The keys of the orders whose full text holds every word
    /// ([`Command::SearchText`]).
    TextSearched {
        words: String,
        result: Result<Vec<OrderKey>, String>,
    },
    /// Customer details arrived ([`Command::LoadCustomer`]).
    CustomerLoaded {
        key: OrderKey,
        result: Result<Order, CarrierError>,
    },
    /// A write asked for with [`Command::Execute`] settled.
    WriteSettled(Box<WriteSettled>),
    /// A write left open earlier was looked at again (its entry as it now
    /// stands, and the order when it was re-read).
    JournalChanged {
        entry: Box<JournalEntry>,
        order: Option<Order>,
    },
    /// A note was stored ([`Command::AddNote`]).
    NoteSaved {
        key: OrderKey,
        result: Result<Note, String>,
    },
    /// A flag was stored ([`Command::SetFlag`]); `None` = cleared.
    FlagSaved {
        key: OrderKey,
        result: Result<Option<Flag>, String>,
    },
    /// Writing to the store failed (reported once; the engine goes on).
    StoreProblem(String),
}

/// What the engine runs with.
pub struct EngineSetup {
    pub handles: Vec<CarrierHandle>,
    /// The stores; `None` runs with the cache off: orders, notes, flags and
    /// the journal are kept in memory for this run only.
    pub stores: Option<Stores>,
    /// Where notes and flags go when `stores` is `None` (the console's
    /// fallback file); `None` keeps them in memory for this run.
    pub notes: Option<Arc<dyn LocalStore>>,
    /// Who writes, notes and flags (recorded with each).
    pub author: String,
    /// The write journal's in-flight lease (default
    /// [`DEFAULT_IN_FLIGHT_LEASE`]).
    pub in_flight_lease: Option<Duration>,
    /// Start syncing at once: resolve open writes, then one fetcher per
    /// carrier from these stored cursors. `None`: no fetchers and no
    /// resolving (the engine only answers commands).
    pub sync: Option<HashMap<String, String>>,
    /// When each fetcher's first poll goes out (with `sync`).
    pub first_poll: FirstPoll,
}

/// The console's (or daemon's) end of a running engine. Dropping it stops
/// the engine's fetchers.
#[derive(Debug, Clone)]
pub struct EngineHandle {
    commands: mpsc::UnboundedSender<Command>,
    carriers: Arc<[Arc<str>]>,
    journal_note: Option<&'static str>,
    team: team::Team,
}

impl EngineHandle {
    /// Stops sending writes for the team: no pass starts and no entry is
    /// taken from now on; returns when the pass under way (its sends and
    /// their outcomes) has ended. Fetchers are stopped with
    /// [`Command::StopPolling`].
    pub async fn stop_team_writes(&self) {
        self.team.stop().await;
    }

    /// Hands the engine a command; its result comes back as an [`Event`].
    pub fn send(&self, command: Command) {
        let _ = self.commands.send(command);
    }

    /// Whether a carrier instance of this name is configured.
    pub fn has_carrier(&self, name: &str) -> bool {
        self.carriers.iter().any(|c| &**c == name)
    }

    /// A sentence for the status line when the journal is not persistent.
    pub fn journal_note(&self) -> Option<&'static str> {
        self.journal_note
    }
}

/// The running engine (owned by its command loop).
struct Engine {
    handles: HashMap<Arc<str>, CarrierHandle>,
    stores: Stores,
    /// Set when the store was found damaged: notes and flags are refused.
    refused: Refused,
    author: String,
    executor: Arc<WriteExecutor>,
    recorder: Option<Recorder>,
    events: mpsc::UnboundedSender<Event>,
    fetchers: Fetchers,
    /// Where fetchers started later report ([`Command::Poll`]).
    sync: mpsc::UnboundedSender<SyncEvent>,
    first_poll: FirstPoll,
    team: team::Team,
}

/// Starts an engine on the current tokio runtime. Fails only when even an
/// in-memory journal cannot be created.
pub fn spawn(
    setup: EngineSetup,
) -> Result<(EngineHandle, mpsc::UnboundedReceiver<Event>), StoreError> {
    let (events, events_rx) = mpsc::unbounded_channel();
    let refused = Refused::default();
    // With the cache off, what is read is still recorded, in memory, so
    // that full orders can be read back (the console holds summaries).
    let stores = match setup.stores {
        Some(stores) => stores,
        None => {
            let mut stores = Stores::in_memory()?;
            if let Some(notes) = setup.notes {
                stores.local = notes;
            }
            stores
        }
    };
    let problems = events.clone();
    let recorder = Recorder::start(stores.cache.clone(), refused.clone(), move |e| {
        let _ = problems.send(Event::StoreProblem(e.to_string()));
    });
    let recorder = Some(recorder);
    let executor = WriteExecutor::new(Some(stores.journal.clone()), setup.author.clone())?;
    let executor = Arc::new(match setup.in_flight_lease {
        Some(lease) => executor.with_in_flight_lease(lease),
        None => executor,
    });
    let journal_note = executor.journal_note();
    let (sync_tx, sync_rx) = mpsc::unbounded_channel();
    tokio::spawn(pump(sync_rx, events.clone(), recorder.clone()));
    let fetchers = match &setup.sync {
        Some(cursors) => {
            resolve_now_and_then(
                executor.clone(),
                setup.handles.clone(),
                events.clone(),
                recorder.clone(),
            );
            Fetchers::spawn(&setup.handles, sync_tx.clone(), cursors, setup.first_poll)
        }
        None => Fetchers::default(),
    };
    let team = team::Team::default();
    let (commands, commands_rx) = mpsc::unbounded_channel();
    let carriers: Arc<[Arc<str>]> = setup.handles.iter().map(|h| h.name.clone()).collect();
    let engine = Engine {
        handles: setup
            .handles
            .into_iter()
            .map(|h| (h.name.clone(), h))
            .collect(),
        stores,
        refused,
        author: setup.author,
        executor,
        recorder,
        events,
        fetchers,
        sync: sync_tx,
        first_poll: setup.first_poll,
        team: team.clone(),
    };
    tokio::spawn(engine.run(commands_rx));
    let handle = EngineHandle {
        commands,
        carriers,
        journal_note,
        team,
    };
    Ok((handle, events_rx))
}

/// Records what the fetchers report and passes it on (cursors excepted).
async fn pump(
    mut sync: mpsc::UnboundedReceiver<SyncEvent>,
    events: mpsc::UnboundedSender<Event>,
    recorder: Option<Recorder>,
) {
    while let Some(event) = sync.recv().await {
        if let Some(recorder) = &recorder {
            match &event {
                SyncEvent::Orders { orders, .. } => recorder.orders(orders.clone()),
                SyncEvent::Cursor { carrier, cursor } => recorder.cursor(carrier, cursor),
                SyncEvent::Finished {
                    carrier,
                    result: Ok(_),
                    ..
                } => recorder.synced(carrier, Utc::now()),
                _ => {}
            }
        }
        if matches!(event, SyncEvent::Cursor { .. }) {
            continue;
        }
        if events.send(Event::Sync(event)).is_err() {
            return;
        }
    }
}

/// Resolves writes a crash or an unreachable carrier left pending: once at
/// startup, then every [`RESOLVE_EVERY`], until nobody listens.
fn resolve_now_and_then(
    executor: Arc<WriteExecutor>,
    handles: Vec<CarrierHandle>,
    events: mpsc::UnboundedSender<Event>,
    recorder: Option<Recorder>,
) {
    tokio::spawn(async move {
        loop {
            for outcome in executor.resolve_pending(&handles, Utc::now()).await {
                if let (Some(recorder), Some(order)) = (&recorder, &outcome.order) {
                    recorder.orders(vec![order.clone()]);
                }
                let _ = events.send(Event::JournalChanged {
                    entry: Box::new(outcome.entry),
                    order: outcome.order,
                });
            }
            if events.is_closed() {
                return;
            }
            tokio::time::sleep(RESOLVE_EVERY).await;
        }
    });
}

impl Engine {
    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        while let Some(command) = commands.recv().await {
            self.command(command);
        }
    }

    /// Starts one command; its result is sent as an [`Event`] when it ends.
    fn command(&mut self, command: Command) {
        match command {
            Command::Poll { carrier, cursor } => {
                let Some(handle) = self.handles.get(&carrier) else {
                    return;
                };
                self.team.polls(&carrier, true);
                self.fetchers
                    .start(handle, &self.sync, cursor, self.first_poll);
            }
            Command::StopPolling { carrier } => {
                self.team.polls(&carrier, false);
                self.fetchers.stop(&carrier);
            }
            Command::ResolvePolled => {
                let handles = self.handles.values().cloned().collect();
                self.team
                    .wake(&self.executor, handles, &self.events, self.recorder.clone());
            }
            Command::Refresh { carrier } => self.fetchers.refresh(carrier.as_deref()),
            Command::ReloadOrder(key) => {
                let Some(handle) = self.handles.get(&key.carrier) else {
                    return;
                };
                let (reader, events) = (handle.reader.clone(), self.events.clone());
                let recorder = self.recorder.clone();
                tokio::spawn(async move {
                    let result = reader.fetch_order(&key.id).await;
                    if let (Some(recorder), Ok(order)) = (&recorder, &result) {
                        recorder.orders(vec![order.clone()]);
                    }
                    let _ = events.send(Event::OrderReloaded { key, result });
                });
            }
            Command::LoadOrder(key) => {
                let recorder = self.recorder.clone();
                let cache = self.stores.cache.clone();
                let events = self.events.clone();
                tokio::spawn(async move {
                    let result = match &recorder {
                        Some(recorder) => recorder.read(key.clone()).await,
                        None => cache.order(&key).await,
                    };
                    // The carrier's raw body (the Raw tab) is kept apart.
                    let result = match result {
                        Ok(Some(mut order)) => match cache.order_raw(&key).await {
                            Ok(raw) => {
                                order.raw = raw;
                                Ok(Some(order))
                            }
                            Err(e) => Err(e),
                        },
                        other => other,
                    };
                    let result = result.map_err(|e| e.to_string());
                    let _ = events.send(Event::OrderLoaded { key, result });
                });
            }
            Command::SearchText { words, limit } => {
                let cache = self.stores.cache.clone();
                let events = self.events.clone();
                tokio::spawn(async move {
                    let result = cache
                        .search_text(&words, limit)
                        .await
                        .map_err(|e| e.to_string());
                    let _ = events.send(Event::TextSearched { words, result });
                });
            }
            Command::LoadCustomer(order) => {
                let Some(handle) = self.handles.get(&order.key.carrier) else {
                    return;
                };
                let (reader, events) = (handle.reader.clone(), self.events.clone());
                let recorder = self.recorder.clone();
                tokio::spawn(async move {
                    let key = order.key.clone();
                    let result = reader.fetch_customer(&order).await;
                    if let (Some(recorder), Ok(order)) = (&recorder, &result) {
                        recorder.orders(vec![order.clone()]);
                    }
                    let _ = events.send(Event::CustomerLoaded { key, result });
                });
            }
            Command::Execute {
                ticket,
                order,
                request,
            } => self.execute(ticket, *order, request),
            Command::SendAgain { ticket, key, id } => self.send_again(ticket, key, id),
            Command::AddNote { key, text } => {
                let (local, author) = (self.stores.local.clone(), self.author.clone());
                let (events, refused) = (self.events.clone(), self.refused.clone());
                tokio::spawn(async move {
                    let result = if refused.is_set() {
                        Err(REFUSED.to_owned())
                    } else {
                        local
                            .add_note(&key, &author, &text, Utc::now())
                            .await
                            .map_err(|e| {
                                refused.note(&e);
                                e.to_string()
                            })
                    };
                    let _ = events.send(Event::NoteSaved { key, result });
                });
            }
            Command::SetFlag { key, flagged } => {
                let (local, author) = (self.stores.local.clone(), self.author.clone());
                let (events, refused) = (self.events.clone(), self.refused.clone());
                tokio::spawn(async move {
                    let now = Utc::now();
                    let result = if refused.is_set() {
                        Err(REFUSED.to_owned())
                    } else {
                        local
                            .set_flag(&key, flagged, &author, now)
                            .await
                            .map(|()| flagged.then_some(Flag { author, at: now }))
                            .map_err(|e| {
                                refused.note(&e);
                                e.to_string()
                            })
                    };
                    let _ = events.send(Event::FlagSaved { key, result });
                });
            }
        }
    }

    /// The carrier of `key` when it has a write client; otherwise the write
    /// `ticket` is refused here (read-only mode or an unknown carrier),
    /// where requests are made, and `None`.
    fn writer_for(&self, ticket: Ticket, key: &OrderKey) -> Option<CarrierHandle> {
        let handle = self
            .handles
            .get(&key.carrier)
            .filter(|h| h.writer.is_some())
            .cloned();
        if handle.is_none() {
            let why = if self.handles.contains_key(&key.carrier) {
                READ_ONLY
            } else {
                UNKNOWN_CARRIER
            };
            let _ = self.events.send(refused(ticket, key.clone(), why));
        }
        handle
    }

    /// Sends a write through the journal; a carrier without a write client
    /// (read-only mode) or not configured refuses it here, where requests
    /// are made, without recording it.
    fn execute(&self, ticket: Ticket, order: Order, request: ActionRequest) {
        let key = order.key.clone();
        let Some(handle) = self.writer_for(ticket, &key) else {
            return;
        };
        let (executor, events) = (self.executor.clone(), self.events.clone());
        let recorder = self.recorder.clone();
        tokio::spawn(async move {
            let outcome = executor
                .execute(&handle, &order, &request, Utc::now())
                .await;
            if let (Some(recorder), Some(order)) = (&recorder, &outcome.order) {
                recorder.orders(vec![order.clone()]);
            }
            let result = outcome.receipt_result();
            let _ = events.send(Event::WriteSettled(Box::new(WriteSettled {
                ticket,
                key,
                result,
                entry: Some(outcome.entry),
                order: outcome.order,
            })));
        });
    }
}

/// Why a note or flag is not saved once the store was found damaged.
pub const REFUSED: &str =
    "the local store was found damaged and is not written again this session; nothing was saved";

impl Engine {
    /// Sends a journal entry again at the user's word (see
    /// [`Command::SendAgain`]); refused like [`Command::Execute`] without a
    /// write client.
    fn send_again(&self, ticket: Ticket, key: OrderKey, id: String) {
        let Some(handle) = self.writer_for(ticket, &key) else {
            return;
        };
        let (executor, events) = (self.executor.clone(), self.events.clone());
        let recorder = self.recorder.clone();
        tokio::spawn(async move {
            let settled = match executor.send_again(&handle, &id, Utc::now()).await {
                Ok(outcome) => {
                    if let (Some(recorder), Some(order)) = (&recorder, &outcome.order) {
                        recorder.orders(vec![order.clone()]);
                    }
                    WriteSettled {
                        ticket,
                        key,
                        result: outcome.receipt_result(),
                        entry: Some(outcome.entry),
                        order: outcome.order,
                    }
                }
                Err(why) => WriteSettled {
                    ticket,
                    key,
                    result: Err(CarrierError::Local(why)),
                    entry: None,
                    order: None,
                },
            };
            let _ = events.send(Event::WriteSettled(Box::new(settled)));
        });
    }
}

/// Why a write to a configured carrier without a write client is refused.
pub const READ_ONLY: &str = "read-only mode: no write client exists";
/// Why a write to a carrier that is not configured is refused.
pub const UNKNOWN_CARRIER: &str = "unknown carrier";

/// The event for a write refused before it was recorded.
fn refused(ticket: Ticket, key: OrderKey, why: &str) -> Event {
    Event::WriteSettled(Box::new(WriteSettled {
        ticket,
        key,
        result: Err(CarrierError::Local(why.into())),
        entry: None,
        order: None,
    }))
}
