//! One full poll of every carrier, or one order with its customer details,
//! through an engine that records nothing: what `list` and `show` print.
//! Must not: send writes, touch the store, or print.

use std::collections::{HashMap, HashSet};

use crate::carriers::{CarrierError, CarrierHandle, SyncEvent};
use crate::domain::{Order, OrderKey};
use crate::engine::{self, Command, EngineSetup, Event, FirstPoll};

/// An engine on `handles` that records nothing (`list` and `show` leave
/// the store as it was); `sync` starts its fetchers from no cursor.
fn engine_alone(
    handles: &[CarrierHandle],
    sync: bool,
) -> Result<
    (
        engine::EngineHandle,
        tokio::sync::mpsc::UnboundedReceiver<Event>,
    ),
    String,
> {
    engine::spawn(EngineSetup {
        handles: handles.to_vec(),
        stores: None,
        notes: None,
        author: String::new(),
        in_flight_lease: None,
        sync: sync.then(HashMap::new),
        // `list` and `show` are explicit requests: they poll whatever the hour.
        first_poll: FirstPoll::Now,
    })
    .map_err(|e| format!("cannot start the engine: {e}"))
}

/// What one full poll of every carrier gave.
#[derive(Debug, Default)]
pub struct Fetched {
    /// The orders read (an order whose details failed has `fetch_error`).
    pub orders: Vec<Order>,
    /// The carriers whose poll failed (their orders are left out).
    pub failures: Vec<(String, CarrierError)>,
    /// Orders of carriers that answered that could not be read: each a
    /// sentence saying which and why. Partial results, like a failed carrier.
    pub unreadable: Vec<String>,
}

/// One full poll of every carrier (the engine's first poll of each, sent at
/// once whatever the carrier's quiet hours: `list` and `show` are explicit
/// requests): their orders, the carriers that failed and the orders that could not be read.
pub async fn fetch_all(handles: &[CarrierHandle]) -> Result<Fetched, String> {
    let (engine, mut events) = engine_alone(handles, true)?;
    let mut waiting: HashSet<String> = handles.iter().map(|h| h.name.to_string()).collect();
    let mut by_key: HashMap<OrderKey, Order> = HashMap::new();
    let mut failed: Vec<(OrderKey, CarrierError)> = Vec::new();
    let mut failures = Vec::new();
    // Per carrier that answered: how many orders its poll could not read.
    let mut not_read: Vec<(String, usize)> = Vec::new();
    let mut done: HashSet<String> = HashSet::new();
    while !waiting.is_empty() {
        let Some(event) = events.recv().await else {
            break;
        };
        let Event::Sync(event) = event else {
            continue;
        };
        match event {
            SyncEvent::Orders { carrier, orders } if !done.contains(&*carrier) => {
                for order in orders {
                    by_key.insert(order.key.clone(), order);
                }
            }
            SyncEvent::OrderFailed { key, error } if !done.contains(&*key.carrier) => {
                failed.push((key, error))
            }
            SyncEvent::Finished {
                carrier, result, ..
            } if waiting.remove(&*carrier) => {
                done.insert(carrier.to_string());
                match result {
                    Ok(summary) => not_read.push((carrier.to_string(), summary.failed)),
                    Err(e) => {
                        by_key.retain(|k, _| k.carrier != carrier);
                        failed.retain(|(k, _)| k.carrier != carrier);
                        failures.push((carrier.to_string(), e));
                    }
                }
            }
            _ => {}
        }
    }
    drop(engine);
    let mut unreadable = Vec::new();
    failed.sort_by(|a, b| a.0.cmp(&b.0));
    failed.dedup_by(|a, b| a.0 == b.0);
    for (key, error) in &failed {
        match by_key.get_mut(key) {
            Some(order) => {
                order.fetch_error = Some(error.to_string());
                unreadable.push(format!(
                    "order {key} could not be read ({error}); it is listed from the carrier's list only"
                ));
            }
            None => unreadable.push(format!(
                "order {key} could not be read ({error}); it is left out"
            )),
        }
    }
    // Orders a poll counted as failed without naming them (their JSON gave
    // no id): said as a count, the log has each one's reason.
    for (carrier, count) in not_read {
        let named = failed
            .iter()
            .filter(|(k, _)| *k.carrier == *carrier)
            .count();
        let unnamed = count.saturating_sub(named);
        if unnamed > 0 {
            unreadable.push(format!(
                "{unnamed} order(s) of carrier {carrier:?} could not be read and are left out (the log says why)"
            ));
        }
    }
    let mut orders: Vec<Order> = by_key.into_values().collect();
    orders.sort_by(|a, b| {
        a.created
            .at
            .cmp(&b.created.at)
            .then_with(|| a.key.cmp(&b.key))
    });
    Ok(Fetched {
        orders,
        failures,
        unreadable,
    })
}

/// One order with its on-demand customer details. A failure to load the
/// extra customer details is a warning, not an error.
pub async fn fetch_one(
    handles: &[CarrierHandle],
    key: &OrderKey,
) -> Result<(Order, Option<CarrierError>), String> {
    if !handles.iter().any(|h| h.name == key.carrier) {
        let names: Vec<_> = handles.iter().map(|h| h.name.to_string()).collect();
        return Err(format!(
            "no carrier named {:?} in the config (configured: {})",
            key.carrier,
            names.join(", ")
        ));
    }
    let (engine, mut events) = engine_alone(handles, false)?;
    engine.send(Command::ReloadOrder(key.clone()));
    let order = loop {
        match events.recv().await {
            Some(Event::OrderReloaded { result, .. }) => {
                break result.map_err(|e| unreadable_or(key, &e))?;
            }
            Some(_) => {}
            None => return Err(format!("{key}: the engine stopped")),
        }
    };
    engine.send(Command::LoadCustomer(Box::new(order.clone())));
    loop {
        match events.recv().await {
            Some(Event::CustomerLoaded { result, .. }) => {
                return Ok(match result {
                    Ok(full) => (full, None),
                    Err(e) => (order, Some(e)),
                });
            }
            Some(_) => {}
            None => return Err(format!("{key}: the engine stopped")),
        }
    }
}

/// What `show` says when an order could not be fetched: an answer that
/// could not be read says so, and why (it is not "not found").
fn unreadable_or(key: &OrderKey, e: &CarrierError) -> String {
    if e.category() == "protocol" {
        format!("{key}: the order could not be read: {e}")
    } else {
        format!("{key}: {e}")
    }
}
