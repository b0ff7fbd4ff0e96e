//! `orderdesk sync`: the team daemon, the only process with carrier
//! credentials in team mode. It runs the engine (headless, as `list` does)
//! on the team store and, per carrier, polls only while it holds that
//! carrier's poller lock (`lock`): a second daemon is a hot standby that
//! takes over from the stored cursor when the first one dies. It sends the
//! writes consoles record in the shared journal for the carriers it polls,
//! as soon as it hears of one (`listen`), when it becomes a carrier's
//! poller and every `engine::RESOLVE_EVERY`, through the engine's
//! executor (its exactly-once rules). It reports each carrier's health to
//! the store (`health`), logs to stdout (`log`), serves Prometheus metrics
//! (`metrics`; it installs the process's carrier request observer for
//! them, and counts the following consoles in `pg_stat_activity`), and on
//! SIGTERM or Ctrl-C stops polling, lets the writes in flight settle
//! (bounded) and exits.
//!
//! Must not: draw, decide what a user may do, or send a write of a carrier
//! whose lock it does not hold.

mod health;
mod listen;
pub mod lock;
mod log;
pub mod metrics;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

pub use log::{LogFormat, init as init_logging};

use crate::carriers::{CarrierHandle, SyncEvent};
use crate::domain::{JournalEntry, JournalState};
use crate::engine::{self, Command, EngineHandle, EngineSetup, Event, FirstPoll};
use crate::store::postgres::Password;
use crate::store::{OrderCache, PgStore, Stores};
use health::HealthWriter;
use listen::Heard;
use lock::LockEvent;
use metrics::Metrics;

/// How long a stopping daemon waits for the writes in flight to settle.
pub const SETTLE_WITHIN: Duration = Duration::from_secs(30);
/// How often the open orders are counted for the metrics (also after a
/// poll, at most this often).
const COUNT_EVERY: Duration = Duration::from_secs(15);
/// The least time between two counts after polls.
const COUNT_AFTER_POLL: Duration = Duration::from_secs(3);

/// What `orderdesk sync` runs with.
pub struct SyncSetup {
    /// The team store's URL (its password as `db init` finds it: the URL,
    /// `PGPASSWORD`, `~/.pgpass`).
    pub database: String,
    /// Every configured carrier, with its write client.
    pub handles: Vec<CarrierHandle>,
    /// Where to serve `/metrics`, if anywhere.
    pub metrics: Option<SocketAddr>,
}

/// Runs the daemon until SIGTERM or Ctrl-C; `Err` when it cannot start (in
/// the user's words).
pub async fn run(setup: SyncSetup) -> Result<(), String> {
    let password = Password::none();
    let store = PgStore::open(&setup.database, &password)
        .await
        .map_err(|e| e.to_string())?;
    let names: Vec<Arc<str>> = setup.handles.iter().map(|h| h.name.clone()).collect();
    let metrics = Metrics::default();
    metrics.carriers(names.iter().map(|n| &**n));
    // Every HTTP request to a carrier, timed for the metrics.
    let observer = metrics.clone();
    crate::carriers::http::observe_requests(Some(Arc::new(move |seen| {
        observer.carrier_request(seen.carrier, seen.outcome.label(), seen.elapsed);
    })));
    let server = match setup.metrics {
        Some(addr) => {
            let server = metrics.serve(addr).await?;
            tracing::info!(%addr, "serving metrics on /metrics");
            Some(server)
        }
        None => None,
    };
    let kinds = setup
        .handles
        .iter()
        .map(|h| (h.name.clone(), h.profile.kind()))
        .collect();
    let health = HealthWriter::start(store.clone(), kinds);
    let handles = setup
        .handles
        .iter()
        .map(|h| (h.name.clone(), h.clone()))
        .collect();
    let (engine, mut events) = engine::spawn(EngineSetup {
        handles: setup.handles,
        stores: Some(Stores::from_one(Arc::new(store.clone()))),
        notes: None,
        author: format!("sync {}", health.poller()),
        in_flight_lease: None,
        // No fetcher starts before its lock is held.
        sync: None,
        first_poll: FirstPoll::OutsideQuietHours,
    })
    .map_err(|e| e.to_string())?;
    tracing::info!(
        database = store.target(),
        poller = health.poller(),
        carriers = %names.join(", "),
        "orderdesk sync started"
    );
    let (lock_tx, locks) = mpsc::unbounded_channel();
    let mut tasks: Vec<_> = names
        .iter()
        .map(|name| {
            lock::spawn(
                setup.database.clone(),
                password.clone(),
                name.clone(),
                lock_tx.clone(),
            )
        })
        .collect();
    drop(lock_tx);
    let (heard_tx, heard) = mpsc::unbounded_channel();
    tasks.push(listen::spawn(setup.database.clone(), password, heard_tx));
    let mut daemon = Daemon {
        store,
        handles,
        next_count: Instant::now(),
        engine,
        health,
        metrics,
        states: HashMap::new(),
    };
    let signal = daemon.serve(locks, heard, &mut events).await;
    tracing::info!(
        signal,
        "stopping: polling stopped, waiting for writes in flight to settle"
    );
    for name in &names {
        daemon.engine.send(Command::StopPolling {
            carrier: name.clone(),
        });
        daemon.metrics.polling(name, false);
    }
    let settled = daemon.settle(&mut events).await;
    // Closing the lock connections releases the locks for a standby.
    for task in tasks {
        task.abort();
    }
    if let Some(server) = server {
        server.abort();
    }
    crate::carriers::http::observe_requests(None);
    if settled {
        tracing::info!("stopped");
    } else {
        tracing::warn!(
            within = SETTLE_WITHIN.as_secs(),
            "stopped with a write still in flight: a standby or the next start settles it"
        );
    }
    Ok(())
}

/// The running daemon's state.
struct Daemon {
    store: PgStore,
    /// The engine's carriers, to prime a reader on taking a carrier over.
    handles: HashMap<Arc<str>, CarrierHandle>,
    /// When the open orders may be counted again (after a poll).
    next_count: Instant,
    engine: EngineHandle,
    health: HealthWriter,
    metrics: Metrics,
    /// The last state seen of each open journal entry (to log and count a
    /// move once).
    states: HashMap<String, JournalState>,
}

impl Daemon {
    /// Runs until a stop signal; returns its name.
    async fn serve(
        &mut self,
        mut locks: mpsc::UnboundedReceiver<LockEvent>,
        mut heard: mpsc::UnboundedReceiver<Heard>,
        events: &mut mpsc::UnboundedReceiver<Event>,
    ) -> &'static str {
        let stop = stop_signal();
        tokio::pin!(stop);
        let mut resolve = tokio::time::interval(engine::RESOLVE_EVERY);
        let mut count = tokio::time::interval(COUNT_EVERY);
        let (counted_tx, mut counted) = mpsc::unbounded_channel();
        loop {
            tokio::select! {
                signal = &mut stop => return signal,
                Some(event) = locks.recv() => self.lock_event(event).await,
                Some(heard) = heard.recv() => match heard {
                    Heard::Listening => {
                        tracing::info!("listening for writes recorded by consoles");
                        self.engine.send(Command::ResolvePolled);
                    }
                    Heard::Recorded => self.engine.send(Command::ResolvePolled),
                    Heard::Lost(why) => {
                        tracing::warn!(error = %why, "not listening for recorded writes; reconnecting");
                    }
                },
                Some(event) = events.recv() => {
                    let polled = matches!(event, Event::Sync(SyncEvent::Finished { .. }));
                    self.event(event);
                    if polled && Instant::now() >= self.next_count {
                        self.count(&counted_tx);
                    }
                }
                _ = resolve.tick() => self.engine.send(Command::ResolvePolled),
                _ = count.tick() => self.count(&counted_tx),
                Some(counted) = counted.recv() => match counted {
                    Counted::Orders(Ok((open, attention))) => self.metrics.orders(open, attention),
                    Counted::Orders(Err(e)) => tracing::warn!(error = %e, "cannot count the open orders"),
                    Counted::Followers(Ok(n)) => self.metrics.followers(n),
                    Counted::Followers(Err(e)) => tracing::warn!(error = %e, "cannot count the consoles that follow"),
                },
            }
        }
    }

    /// Counts the open orders and the consoles that follow for the
    /// metrics, on a task of its own.
    fn count(&mut self, counted: &mpsc::UnboundedSender<Counted>) {
        self.next_count = Instant::now() + COUNT_AFTER_POLL;
        let (store, tx) = (self.store.clone(), counted.clone());
        tokio::spawn(async move {
            let _ = tx.send(Counted::Followers(store.followers_connected().await));
            let _ = tx.send(Counted::Orders(count_orders(&store).await));
        });
    }

    async fn lock_event(&mut self, event: LockEvent) {
        match event {
            LockEvent::Held(carrier) => {
                // Continue where the last poller stopped: the reader knows
                // the orders stored (to keep refreshing the open ones), the
                // fetcher starts from the stored cursor.
                if let Some(handle) = self.handles.get(&carrier) {
                    match self.store.load_order_summaries().await {
                        Ok(summaries) => handle.reader.prime(&summaries),
                        Err(e) => {
                            tracing::warn!(carrier = %carrier, error = %e, "cannot read the stored orders before polling");
                        }
                    }
                }
                let cursor = match self.store.cursor(&carrier).await {
                    Ok(cursor) => cursor,
                    Err(e) => {
                        tracing::warn!(carrier = %carrier, error = %e, "cannot read the stored cursor: polling from the start");
                        None
                    }
                };
                tracing::info!(carrier = %carrier, cursor = cursor.as_deref().unwrap_or("none"), "polling from the stored cursor");
                self.metrics.polling(&carrier, true);
                self.engine.send(Command::Poll { carrier, cursor });
                self.engine.send(Command::ResolvePolled);
            }
            LockEvent::Lost(carrier, _) => {
                self.metrics.polling(&carrier, false);
                self.engine.send(Command::StopPolling { carrier });
            }
        }
    }

    fn event(&mut self, event: Event) {
        match event {
            Event::Sync(event) => self.sync_event(&event),
            Event::JournalChanged { entry, .. } => self.journal_changed(&entry),
            Event::WriteSettled(settled) => {
                if let Some(entry) = &settled.entry {
                    self.journal_changed(entry);
                }
            }
            Event::StoreProblem(problem) => {
                tracing::error!(error = %problem, "writing to the team store failed");
            }
            _ => {}
        }
    }

    fn sync_event(&mut self, event: &SyncEvent) {
        match event {
            SyncEvent::Started { carrier } => self.metrics.poll_started(carrier),
            SyncEvent::Finished {
                carrier, result, ..
            } => {
                self.metrics.poll_finished(carrier, result.is_ok());
                match result {
                    Ok(summary) => tracing::info!(
                        carrier = %carrier,
                        listed = summary.listed,
                        fetched = summary.fetched,
                        failed = summary.failed,
                        "poll finished"
                    ),
                    Err(e) => tracing::warn!(carrier = %carrier, error = %e, "poll failed"),
                }
            }
            SyncEvent::OrderFailed { key, error } => {
                tracing::warn!(key = %key, error = %error, "an order could not be read");
            }
            SyncEvent::Held { carrier, until } => {
                tracing::info!(carrier = %carrier, until = %until, "quiet hours: the first poll waits");
            }
            _ => {}
        }
        self.health.sync_event(event);
    }

    /// Logs and counts a journal entry's move, once per state.
    fn journal_changed(&mut self, entry: &JournalEntry) {
        let before = self.states.get(&entry.id).copied();
        if before == Some(entry.state) {
            return;
        }
        if entry.state.is_final() {
            self.states.remove(&entry.id);
        } else {
            self.states.insert(entry.id.clone(), entry.state);
        }
        tracing::info!(
            id = entry.id,
            key = %entry.key,
            author = entry.author,
            write = entry.request.summary,
            state = entry.state.as_str(),
            sends = entry.sends,
            outcome = entry.outcome.as_deref().unwrap_or(""),
            "write {}",
            entry.state.as_str()
        );
        if entry.state.is_final() || entry.state == JournalState::Unknown {
            let took = (entry.updated_at - entry.created_at).to_std().ok();
            self.metrics.write_settled(entry.state.as_str(), took);
        }
    }

    /// Waits (at most [`SETTLE_WITHIN`]) for the pass under way to end;
    /// whether it did.
    async fn settle(&mut self, events: &mut mpsc::UnboundedReceiver<Event>) -> bool {
        let engine = self.engine.clone();
        let done = engine.stop_team_writes();
        tokio::pin!(done);
        let deadline = tokio::time::sleep(SETTLE_WITHIN);
        tokio::pin!(deadline);
        let settled = loop {
            tokio::select! {
                () = &mut done => break true,
                () = &mut deadline => break false,
                Some(event) = events.recv() => self.event(event),
            }
        };
        // What the last outcomes said, logged before exiting.
        while let Ok(event) = events.try_recv() {
            self.event(event);
        }
        settled
    }
}

/// SIGTERM or Ctrl-C, by name.
async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            return tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = tokio::signal::ctrl_c() => "interrupt",
            };
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    "interrupt"
}

/// Open orders by (carrier, stage) and how many need attention.
type CountResult = Result<(BTreeMap<(String, String), u64>, u64), crate::store::StoreError>;

/// What a count for the metrics found.
enum Counted {
    Orders(CountResult),
    /// Consoles following the team store.
    Followers(Result<u64, crate::store::StoreError>),
}

async fn count_orders(store: &PgStore) -> CountResult {
    let summaries = store.load_order_summaries().await?;
    let mut open = BTreeMap::new();
    let mut attention = 0;
    for summary in &summaries {
        if summary.status.stage.is_open() {
            *open
                .entry((
                    summary.key.carrier.to_string(),
                    summary.status.stage.as_str().to_owned(),
                ))
                .or_insert(0) += 1;
        }
        if summary.needs_attention() {
            attention += 1;
        }
    }
    Ok((open, attention))
}
