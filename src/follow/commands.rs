//! The follower's answers to the console's commands, each from the team
//! store: reads of orders and text, a write recorded in the shared journal
//! for the daemon (its settling is `watch`'s), notes and flags written
//! directly. A viewer's writes are refused here, before the database
//! would refuse them. Must not: talk to carriers.

use chrono::Utc;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use super::{DAEMON_RESOLVES, FollowEvent, FollowSetup, VIEWER, Waiting};
use crate::carriers::CarrierError;
use crate::domain::{ActionRequest, Flag, NewJournalEntry, Order};
use crate::engine::{Command, Event, Ticket, WriteResult, WriteSettled};
use crate::store::{Journal, LocalStore, OrderCache, PgStore, new_session_id};

/// Runs commands until the console drops its handle.
pub(super) async fn run(
    setup: FollowSetup,
    mut commands: UnboundedReceiver<Command>,
    events: UnboundedSender<FollowEvent>,
    waiting: Waiting,
) {
    let session = format!("console-{}", new_session_id());
    while let Some(command) = commands.recv().await {
        let (setup, events, waiting) = (setup.clone(), events.clone(), waiting.clone());
        let session = session.clone();
        tokio::spawn(async move {
            if let Some(event) = answer(&setup, &session, command, &waiting).await {
                let _ = events.send(FollowEvent::Engine(event));
            }
        });
    }
}

fn local(e: impl std::fmt::Display) -> CarrierError {
    CarrierError::Local(e.to_string())
}

/// A write refused or failed before the daemon could take it.
fn not_taken(ticket: Ticket, order: &Order, why: String) -> Event {
    Event::WriteSettled(Box::new(WriteSettled {
        ticket,
        key: order.key.clone(),
        result: Err(CarrierError::Local(why)),
        entry: None,
        order: None,
    }))
}

async fn answer(
    setup: &FollowSetup,
    session: &str,
    command: Command,
    waiting: &Waiting,
) -> Option<Event> {
    let store = &setup.store;
    Some(match command {
        // The daemon polls for the team; a console asks for nothing (and
        // the daemon's own commands never come from one).
        Command::Refresh { .. }
        | Command::Poll { .. }
        | Command::StopPolling { .. }
        | Command::ResolvePolled => return None,
        Command::ReloadOrder(key) => {
            let result = match store.order(&key).await {
                Ok(Some(order)) => Ok(order),
                Ok(None) => Err(CarrierError::NotFound(format!(
                    "{key} is not in the team store"
                ))),
                Err(e) => Err(local(e)),
            };
            Event::OrderReloaded { key, result }
        }
        Command::LoadOrder(key) => {
            let result = match store.order(&key).await {
                Ok(Some(mut order)) => store.order_raw(&key).await.map(|raw| {
                    order.raw = raw;
                    Some(order)
                }),
                other => other,
            };
            let result = result.map_err(|e| e.to_string());
            Event::OrderLoaded { key, result }
        }
        Command::SearchText { words, limit } => {
            let result = store
                .search_text(&words, limit)
                .await
                .map_err(|e| e.to_string());
            Event::TextSearched { words, result }
        }
        // What the daemon fetched is what there is: the store's copy.
        Command::LoadCustomer(order) => {
            let key = order.key.clone();
            let result = match store.order(&key).await {
                Ok(found) => Ok(found.unwrap_or(*order)),
                Err(e) => Err(local(e)),
            };
            Event::CustomerLoaded { key, result }
        }
        Command::Execute {
            ticket,
            order,
            request,
        } => {
            if setup.viewer {
                return Some(not_taken(ticket, &order, VIEWER.into()));
            }
            return record(setup, session, ticket, &order, &request, waiting).await;
        }
        Command::SendAgain { ticket, key, .. } => Event::WriteSettled(Box::new(WriteSettled {
            ticket,
            key,
            result: Err(CarrierError::Local(DAEMON_RESOLVES.into())),
            entry: None,
            order: None,
        })),
        Command::AddNote { key, text } => {
            let result = if setup.viewer {
                Err(VIEWER.to_owned())
            } else {
                store
                    .add_note(&key, &setup.author, &text, Utc::now())
                    .await
                    .map_err(|e| e.to_string())
            };
            Event::NoteSaved { key, result }
        }
        Command::SetFlag { key, flagged } => {
            let now = Utc::now();
            let result = if setup.viewer {
                Err(VIEWER.to_owned())
            } else {
                store
                    .set_flag(&key, flagged, &setup.author, now)
                    .await
                    .map(|()| {
                        flagged.then(|| Flag {
                            author: setup.author.clone(),
                            at: now,
                        })
                    })
                    .map_err(|e| e.to_string())
            };
            Event::FlagSaved { key, result }
        }
    })
}

/// Records the write for the daemon and waits for it with `waiting`; an
/// entry already final when looked at again is answered at once.
async fn record(
    setup: &FollowSetup,
    session: &str,
    ticket: Ticket,
    order: &Order,
    request: &ActionRequest,
    waiting: &Waiting,
) -> Option<Event> {
    let store = &setup.store;
    let recorded = store
        .journal_record(NewJournalEntry {
            session,
            author: &setup.author,
            key: &order.key,
            kind: order.kind,
            request,
            at: Utc::now(),
        })
        .await;
    let entry = match recorded {
        Ok(entry) => entry,
        Err(e) => {
            let why = format!("the team store did not take the write: {e}");
            return Some(not_taken(ticket, order, why));
        }
    };
    if let Ok(mut waiting) = waiting.lock() {
        waiting.insert(entry.id.clone(), (ticket, order.key.clone()));
    }
    // The daemon may have settled it before it was waited for.
    match store.journal_get(&entry.id).await {
        Ok(Some(now)) if now.state.is_final() => settled(store, ticket, now, waiting).await,
        _ => None,
    }
}

/// The answer for a write of ours whose entry reached a final state (once:
/// it is no longer waited for after this), with the order as now stored.
pub(super) async fn settled(
    store: &PgStore,
    ticket: Ticket,
    entry: crate::domain::JournalEntry,
    waiting: &Waiting,
) -> Option<Event> {
    let was_waiting = waiting
        .lock()
        .map(|mut w| w.remove(&entry.id).is_some())
        .unwrap_or(false);
    if !was_waiting {
        return None;
    }
    let order = store.order(&entry.key).await.ok().flatten();
    let result = WriteResult {
        entry: entry.clone(),
        order: order.clone(),
        error: None,
        store_error: None,
    }
    .receipt_result();
    Some(Event::WriteSettled(Box::new(WriteSettled {
        ticket,
        key: entry.key.clone(),
        result,
        entry: Some(entry),
        order,
    })))
}
