//! Following the changes: reads everything once, LISTENs on a connection of
//! its own, collects each burst of changes for [`COALESCE`] and reads the
//! rows they name, and when the connection is lost reports it, reconnects
//! with backoff and reads everything again (the catch-up: a change made
//! while nobody listened is in that read). Must not: write anything.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::Utc;
use tokio::sync::mpsc::UnboundedSender;

use super::commands::settled;
use super::presence::{self, Roster};
use super::{BACKOFF_MAX, BACKOFF_START, COALESCE, FollowEvent, Snapshot, Waiting};
use crate::carriers::SyncEvent;
use crate::domain::{JournalFilter, OrderKey};
use crate::engine::Event;
use crate::store::postgres::Change;
use crate::store::{Journal, LocalStore, OrderCache, PgStore, StoreError};

/// Journal entries read at start, newest first (as the solo console).
const JOURNAL_HELD: usize = 5_000;

/// What is known to be seen already: carriers (to announce each once) and
/// everyone's presence (to read only what a change names).
#[derive(Default)]
struct Seen {
    carriers: HashSet<String>,
    presence: Roster,
}

impl Seen {
    /// The carriers among `named` (name, kind) not announced yet.
    fn announce<'a>(
        &mut self,
        named: impl Iterator<Item = (&'a str, &'a str)>,
        events: &UnboundedSender<FollowEvent>,
    ) {
        let mut new = Vec::new();
        for (name, kind) in named {
            if self.carriers.insert(name.to_owned()) {
                new.push((name.to_owned(), kind.to_owned()));
            }
        }
        if !new.is_empty() {
            let _ = events.send(FollowEvent::Carriers(new));
        }
    }
}

/// Runs until nobody listens to `events`.
pub(super) async fn run(store: PgStore, events: UnboundedSender<FollowEvent>, waiting: Waiting) {
    let mut seen = Seen::default();
    // Paint at once, before the listener is up.
    let mut loaded = reload(&store, &events, &waiting, &mut seen).await.is_ok();
    let mut lost_since = None;
    let mut backoff = BACKOFF_START;
    loop {
        if events.is_closed() {
            return;
        }
        let mut listener = match store.listen().await {
            Ok(listener) => listener,
            Err(e) => {
                let since = *lost_since.get_or_insert_with(Utc::now);
                let _ = events.send(FollowEvent::Lost {
                    since,
                    why: e.to_string(),
                });
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(BACKOFF_MAX);
                continue;
            }
        };
        // Caught up: everything read again once the listener is on (a
        // change after this read is announced to it).
        if (lost_since.is_some() || !loaded)
            && reload(&store, &events, &waiting, &mut seen).await.is_err()
        {
            lost_since.get_or_insert_with(Utc::now);
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(BACKOFF_MAX);
            continue;
        }
        loaded = true;
        lost_since = None;
        backoff = BACKOFF_START;
        let _ = events.send(FollowEvent::Connected);
        while let Some(first) = listener.notification().await {
            let mut burst = vec![first];
            let until = tokio::time::Instant::now() + COALESCE;
            while let Ok(Some(next)) = tokio::time::timeout_at(until, listener.notification()).await
            {
                burst.push(next);
            }
            apply(&store, burst, &events, &waiting, &mut seen).await;
            if events.is_closed() {
                return;
            }
        }
        let since = *lost_since.get_or_insert_with(Utc::now);
        let _ = events.send(FollowEvent::Lost {
            since,
            why: "the connection to the team store was lost".into(),
        });
    }
}

/// Reads everything a console shows and reports it; settles writes of ours
/// that ended while nobody listened.
async fn reload(
    store: &PgStore,
    events: &UnboundedSender<FollowEvent>,
    waiting: &Waiting,
    seen: &mut Seen,
) -> Result<(), StoreError> {
    let read = async {
        // Again after each reconnect: the database may have been restored
        // from an older backup, or was down when the console started.
        store.check_schema().await?;
        let journal = store
            .journal(&JournalFilter {
                limit: Some(JOURNAL_HELD),
                ..JournalFilter::default()
            })
            .await?;
        Ok::<_, StoreError>(Snapshot {
            orders: store.load_order_summaries().await?,
            notes: store.all_notes().await?,
            flags: store.flags().await?,
            journal,
            health: store.carrier_health().await?,
            presence: store.presence(fresh_since()).await?,
        })
    };
    let snapshot = match read.await {
        Ok(snapshot) => snapshot,
        Err(e) => {
            let _ = events.send(FollowEvent::Lost {
                since: Utc::now(),
                why: e.to_string(),
            });
            return Err(e);
        }
    };
    // Everyone's presence was just read: the next change starts the roster
    // from a whole read too, so an agent who left meanwhile is not kept.
    seen.presence = Roster::default();
    seen.announce(
        snapshot
            .health
            .iter()
            .map(|h| (h.carrier.as_str(), h.kind.as_str()))
            .chain(snapshot.orders.iter().map(|o| (&*o.key.carrier, o.kind))),
        events,
    );
    let ours: Vec<_> = waiting
        .lock()
        .map(|w| w.iter().map(|(id, (t, _))| (id.clone(), *t)).collect())
        .unwrap_or_default();
    let _ = events.send(FollowEvent::Loaded(Box::new(snapshot)));
    for (id, ticket) in ours {
        if let Ok(Some(entry)) = store.journal_get(&id).await
            && entry.state.is_final()
            && let Some(event) = settled(store, ticket, entry, waiting).await
        {
            let _ = events.send(FollowEvent::Engine(event));
        }
    }
    Ok(())
}

fn fresh_since() -> chrono::DateTime<Utc> {
    presence::fresh_since(Utc::now())
}

/// Reads what one burst of changes names, each row once, and reports it.
async fn apply(
    store: &PgStore,
    burst: Vec<String>,
    events: &UnboundedSender<FollowEvent>,
    waiting: &Waiting,
    seen: &mut Seen,
) {
    let mut orders = BTreeSet::new();
    let mut notes = BTreeSet::new();
    let mut flags = BTreeSet::new();
    let mut journal = BTreeMap::new();
    let mut health = false;
    let mut presence = BTreeSet::new();
    for payload in burst {
        match Change::parse(&payload) {
            Ok(Change::Order(key)) => {
                orders.insert(key);
            }
            Ok(Change::Note(key)) => {
                notes.insert(key);
            }
            Ok(Change::Flag(key)) => {
                flags.insert(key);
            }
            Ok(Change::Journal { entry, .. }) => {
                journal.insert(entry, ());
            }
            Ok(Change::Presence { agent, .. }) => {
                presence.insert(agent);
            }
            Ok(Change::Health { .. }) => health = true,
            Err(e) => tracing::warn!("team store: {e}"),
        }
    }
    if health {
        match store.carrier_health().await {
            Ok(list) => {
                seen.announce(
                    list.iter().map(|h| (h.carrier.as_str(), h.kind.as_str())),
                    events,
                );
                let _ = events.send(FollowEvent::Health(list));
            }
            Err(e) => tracing::warn!("team store: {e}"),
        }
    }
    if !orders.is_empty() {
        read_orders(store, orders.into_iter().collect(), events, seen).await;
    }
    for key in notes {
        match store.notes(&key).await {
            Ok(list) => {
                let _ = events.send(FollowEvent::Notes { key, notes: list });
            }
            Err(e) => tracing::warn!("team store: {e}"),
        }
    }
    if !flags.is_empty() {
        match store.flags().await {
            Ok(mut all) => {
                for key in flags {
                    let flag = all.remove(&key);
                    let _ = events.send(FollowEvent::Flag { key, flag });
                }
            }
            Err(e) => tracing::warn!("team store: {e}"),
        }
    }
    for id in journal.into_keys() {
        let entry = match store.journal_get(&id).await {
            Ok(Some(entry)) => entry,
            Ok(None) => continue,
            Err(e) => {
                tracing::warn!("team store: {e}");
                continue;
            }
        };
        let ours = waiting
            .lock()
            .ok()
            .and_then(|w| w.get(&id).map(|(t, _)| *t));
        if let Some(ticket) = ours.filter(|_| entry.state.is_final()) {
            if let Some(event) = settled(store, ticket, entry, waiting).await {
                let _ = events.send(FollowEvent::Engine(event));
            }
            continue;
        }
        let _ = events.send(FollowEvent::Engine(Event::JournalChanged {
            entry: Box::new(entry),
            order: None,
        }));
    }
    if !presence.is_empty() {
        match seen.presence.changed(store, presence).await {
            Ok(list) => {
                let _ = events.send(FollowEvent::Presence(list));
            }
            Err(e) => tracing::warn!("team store: {e}"),
        }
    }
}

/// Reads the named orders and reports them per carrier.
async fn read_orders(
    store: &PgStore,
    keys: Vec<OrderKey>,
    events: &UnboundedSender<FollowEvent>,
    seen: &mut Seen,
) {
    let orders = match store.orders(&keys).await {
        Ok(orders) => orders,
        Err(e) => {
            tracing::warn!("team store: {e}");
            return;
        }
    };
    seen.announce(orders.iter().map(|o| (&*o.key.carrier, o.kind)), events);
    let mut by_carrier: BTreeMap<std::sync::Arc<str>, Vec<_>> = BTreeMap::new();
    for order in orders {
        by_carrier
            .entry(order.key.carrier.clone())
            .or_default()
            .push(order);
    }
    for (carrier, orders) in by_carrier {
        let _ = events.send(FollowEvent::Engine(Event::Sync(SyncEvent::Orders {
            carrier,
            orders,
        })));
    }
}
