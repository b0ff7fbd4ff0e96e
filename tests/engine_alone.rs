//! The engine runs with no terminal and no app: against the Tjänsteguiden
//! simulator it polls, its recorder writes what was polled to the store
//! (cursors stay inside the engine), and a write command comes back as one
//! settled event with its journal entry and the re-read order.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use orderdesk::carriers::SyncEvent;
use orderdesk::config::Config;
use orderdesk::domain::{ActionKind, ActionRequest, JournalState, Order, OrderKey};
use orderdesk::engine::{self, Command, EngineSetup, Event, FirstPoll};
use orderdesk::registry;
use orderdesk::sim::tjansteguiden::{SimOptions, TgSim};
use orderdesk::store::{SqliteStore, Stores};
use tokio::sync::mpsc::UnboundedReceiver;

async fn next(events: &mut UnboundedReceiver<Event>) -> Event {
    tokio::time::timeout(Duration::from_secs(20), events.recv())
        .await
        .expect("an event in time")
        .expect("the engine is running")
}

#[tokio::test]
async fn the_engine_polls_records_and_writes_without_a_console() {
    let (sim, server) = TgSim::spawn(
        SimOptions {
            orders: 20,
            ..SimOptions::default()
        },
        0,
    )
    .await
    .expect("sim starts");
    let carrier = sim.carrier_config("tg", &server.origin());
    let handle = registry::build(&Config::empty(), &carrier, false).expect("carrier builds");
    let stores = Stores::from_one(Arc::new(SqliteStore::open_in_memory().expect("store")));
    let (engine, mut events) = engine::spawn(EngineSetup {
        handles: vec![handle],
        stores: Some(stores.clone()),
        notes: None,
        author: "anna".into(),
        in_flight_lease: None,
        sync: Some(HashMap::new()),
        first_poll: FirstPoll::Now,
    })
    .expect("engine starts");
    assert!(
        engine
            .journal_note()
            .is_some_and(|note| note.contains("memory only")),
        "an in-memory journal says so"
    );

    // The first poll: orders, then its end; no cursor comes out.
    let mut polled: HashMap<OrderKey, Order> = HashMap::new();
    loop {
        match next(&mut events).await {
            Event::Sync(SyncEvent::Orders { orders, .. }) => {
                polled.extend(orders.into_iter().map(|o| (o.key.clone(), o)));
            }
            Event::Sync(SyncEvent::Cursor { .. }) => panic!("a cursor left the engine"),
            Event::Sync(SyncEvent::Finished { result, .. }) => {
                result.expect("the poll succeeded");
                break;
            }
            _ => {}
        }
    }
    assert!(polled.len() >= 15, "orders polled: {}", polled.len());

    // The recorder has written them, and the sync time after them.
    let mut recorded = false;
    for _ in 0..200 {
        let count = stores.cache.order_count().await.expect("count");
        let synced = stores.cache.last_sync("tg").await.expect("last sync");
        if count == polled.len() && synced.is_some() {
            recorded = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(
        recorded,
        "the polled orders and the sync time were recorded"
    );

    // A write: one settled event with the entry and the re-read order.
    let order = polled.values().next().cloned().expect("an order");
    let key = order.key.clone();
    let text = "written by the engine alone";
    engine.send(Command::Execute {
        ticket: 7,
        order: Box::new(order),
        request: ActionRequest {
            action: ActionKind::AddMessage,
            params: vec![
                ("type".into(), "log".into()),
                ("message".into(), text.into()),
            ],
            summary: format!("add log message {text:?}"),
            preview: None,
        },
    });
    let settled = loop {
        if let Event::WriteSettled(settled) = next(&mut events).await {
            break settled;
        }
    };
    assert_eq!((settled.ticket, &settled.key), (7, &key));
    assert!(settled.result.is_ok(), "{:?}", settled.result);
    let entry = settled.entry.expect("the write was journaled");
    assert_eq!(entry.state, JournalState::Confirmed);
    assert!(settled.order.is_some(), "the re-read order comes with it");
    assert_eq!(sim.writes(), 1);
    let journal = stores
        .journal
        .journal_get(&entry.id)
        .await
        .expect("journal");
    assert_eq!(journal, Some(entry));

    // A note goes to the store.
    engine.send(Command::AddNote {
        key: key.clone(),
        text: "call back".into(),
    });
    let saved = loop {
        if let Event::NoteSaved { result, .. } = next(&mut events).await {
            break result;
        }
    };
    assert_eq!(saved.expect("note saved").text, "call back");
    assert_eq!(stores.local.notes(&key).await.expect("notes").len(), 1);
}

/// A console started inside a carrier's quiet hours sends nothing until they
/// end (its first poll is as automatic as the next ones) and says when it
/// will poll; a manual refresh still polls at once.
#[tokio::test]
async fn a_console_started_in_quiet_hours_holds_its_first_poll() {
    let (sim, server) = TgSim::spawn(SimOptions::default(), 0).await.expect("sim");
    let mut carrier = sim.carrier_config("tg", &server.origin());
    // A window of two hours around now, in the carrier's zone (UTC here).
    use chrono::Timelike;
    let hour = chrono::Utc::now().hour();
    carrier.timezone = chrono_tz::UTC;
    carrier.quiet_hours = Some((hour, (hour + 2) % 24));
    let handle = registry::build(&Config::empty(), &carrier, false).expect("carrier builds");
    let (engine, mut events) = engine::spawn(EngineSetup {
        handles: vec![handle],
        stores: None,
        notes: None,
        author: "anna".into(),
        in_flight_lease: None,
        sync: Some(HashMap::new()),
        first_poll: FirstPoll::OutsideQuietHours,
    })
    .expect("engine starts");
    let until = loop {
        if let Event::Sync(SyncEvent::Held { until, .. }) = next(&mut events).await {
            break until;
        }
    };
    assert!(
        until > chrono::Utc::now() + chrono::Duration::minutes(59),
        "{until}"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sim.requests("orders"), 0, "nothing was sent in quiet hours");

    engine.send(Command::Refresh { carrier: None });
    loop {
        if let Event::Sync(SyncEvent::Finished { result, .. }) = next(&mut events).await {
            result.expect("the manual poll succeeded");
            break;
        }
    }
    assert!(sim.requests("orders") >= 1, "the manual refresh polled");
}
