//! Read-only is enforced where requests are made: in a read-only session no
//! `set_status`/`add_message` request reaches the Tjänsteguiden simulator and
//! no PayLink `PATCH` reaches the LLA simulator, whatever keys are pressed
//! and whatever effects are asked for directly.

use std::collections::BTreeMap;

use chrono::Utc;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use orderdesk::app::{self, Effect, Msg, Options, State};
use orderdesk::carriers::SyncSink;
use orderdesk::config::Config;
use orderdesk::domain::{ActionKind, ActionRequest};
use orderdesk::engine::{self, EngineSetup, FirstPoll};
use orderdesk::registry;
use orderdesk::runtime::{EffectRunner, carrier_infos, forward_events};
use orderdesk::sim::tjansteguiden::{SimOptions, TgSim};
use tokio::sync::mpsc;

fn every_key() -> Vec<KeyEvent> {
    let mut keys: Vec<KeyEvent> = (' '..='~')
        .map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
        .collect();
    for code in [
        KeyCode::Enter,
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::PageDown,
        KeyCode::Home,
        KeyCode::End,
    ] {
        keys.push(KeyEvent::new(code, KeyModifiers::NONE));
    }
    keys.push(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    keys.push(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE));
    keys
}

#[tokio::test]
async fn a_readonly_session_sends_no_write_whatever_happens() {
    let (sim, server) = TgSim::spawn(
        SimOptions {
            orders: 25,
            ..SimOptions::default()
        },
        0,
    )
    .await
    .expect("sim starts");
    let carrier = sim.carrier_config("tg", &server.origin());
    let config = Config::empty();

    // In read-only mode no writer exists at all.
    let handle = registry::build(&config, &carrier, true).expect("carrier builds");
    assert!(handle.writer.is_none());

    let options = Options {
        readonly: true,
        now: Utc::now(),
        user: "test".into(),
        keys: BTreeMap::new(),
    };
    let mut state =
        State::new(carrier_infos(std::slice::from_ref(&handle)), options).expect("state");

    // Load the orders.
    let (tx, mut rx) = mpsc::unbounded_channel();
    handle
        .reader
        .poll(None, &SyncSink::new(handle.name.clone(), tx))
        .await
        .expect("poll");
    while let Ok(event) = rx.try_recv() {
        app::update(&mut state, Msg::Sync(event));
    }
    assert!(
        state.orders_len() >= 20,
        "orders loaded: {}",
        state.orders_len()
    );

    let key = state
        .visible_keys()
        .first()
        .cloned()
        .expect("an order is visible");
    let order = state.order(&key).cloned().expect("the order is held");
    let (results_tx, mut results) = mpsc::unbounded_channel();
    // An engine with the cache off (in-memory journal) and no fetchers.
    let (engine, events) = engine::spawn(EngineSetup {
        handles: vec![handle.clone()],
        stores: None,
        notes: None,
        author: "test".into(),
        in_flight_lease: None,
        sync: None,
        first_poll: FirstPoll::Now,
    })
    .expect("in-memory journal");
    forward_events(events, results_tx);
    let runner = EffectRunner::new(engine);

    // Every key, several rounds, on several orders and in every layer.
    let mut executes = 0;
    for _round in 0..3 {
        for key in every_key() {
            let effects = app::update(&mut state, Msg::Key(key));
            executes += effects
                .iter()
                .filter(|e| matches!(e, Effect::Execute { .. }))
                .count();
            runner.run_all(effects);
        }
    }
    assert_eq!(executes, 0, "read-only update emitted writes");

    // Bulk triage: marking is allowed, no bulk write opens or sends.
    let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
    for _ in 0..3 {
        app::update(&mut state, Msg::Key(esc));
    }
    let star = KeyEvent::new(KeyCode::Char('*'), KeyModifiers::NONE);
    app::update(&mut state, Msg::Key(star));
    let in_view = state.visible_keys().len();
    assert!(in_view > 0);
    assert_eq!(state.marks().len(), in_view, "marking works read-only");
    for action in ['a', 't'] {
        let effects = app::update(
            &mut state,
            Msg::Key(KeyEvent::new(KeyCode::Char(action), KeyModifiers::NONE)),
        );
        assert!(state.bulk().is_none(), "a bulk {action} opened read-only");
        for key in every_key() {
            let mut effects = effects.clone();
            effects.extend(app::update(&mut state, Msg::Key(key)));
            executes += effects
                .iter()
                .filter(|e| matches!(e, Effect::Execute { .. }))
                .count();
            runner.run_all(effects);
        }
    }
    assert_eq!(executes, 0, "a read-only bulk action emitted writes");

    // Even an Execute effect asked for directly cannot send: there is no writer.
    for (action, params) in [
        (
            ActionKind::SetStatus,
            vec![("status".to_owned(), "delivered".to_owned())],
        ),
        (
            ActionKind::AddMessage,
            vec![
                ("type".to_owned(), "log".to_owned()),
                ("message".to_owned(), "hi".to_owned()),
            ],
        ),
        (ActionKind::Cancel, vec![]),
        (ActionKind::Acknowledge, vec![]),
    ] {
        let request = ActionRequest {
            action,
            params,
            summary: action.label().into(),
            preview: None,
        };
        runner.run(Effect::Execute {
            ticket: 99,
            order: Box::new(order.clone()),
            request,
        });
        match next_write_result(&mut results).await {
            Msg::WriteSettled(settled) if settled.result.is_err() => {
                let e = settled.result.expect_err("refused");
                assert!(e.to_string().contains("read-only"), "{e}")
            }
            other => panic!("a write was not refused: {other:?}"),
        }
    }

    // Let any stray task run, then ask the simulator what it saw.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(sim.writes(), 0, "the simulator received a write request");
    assert!(
        sim.requests("order_info") > 0,
        "reads did reach the simulator"
    );
}

/// The same proof for LLA, whose one write is the PayLink PATCH: no key and
/// no direct Execute effect sends one in a read-only session.
#[tokio::test]
async fn a_readonly_lla_session_sends_no_pay_link() {
    use orderdesk::sim::lla_tmf622::{LlaSim, LlaSimOptions, PathKind};

    let (sim, server) = LlaSim::spawn(
        LlaSimOptions {
            orders: 24,
            ..LlaSimOptions::default()
        },
        0,
    )
    .await
    .expect("sim starts");
    let carrier = sim.carrier_config("lla", &server.origin());
    let handle = registry::build(&Config::empty(), &carrier, true).expect("carrier builds");
    assert!(handle.writer.is_none());

    let options = Options {
        readonly: true,
        now: Utc::now(),
        user: "test".into(),
        keys: BTreeMap::new(),
    };
    let mut state =
        State::new(carrier_infos(std::slice::from_ref(&handle)), options).expect("state");
    let (tx, mut rx) = mpsc::unbounded_channel();
    // Some details answer a 2099 error on purpose: the poll itself succeeds.
    handle
        .reader
        .poll(None, &SyncSink::new(handle.name.clone(), tx))
        .await
        .expect("poll");
    while let Ok(event) = rx.try_recv() {
        app::update(&mut state, Msg::Sync(event));
    }
    assert!(state.orders_len() >= 20, "{}", state.orders_len());
    let key = state
        .visible_keys()
        .first()
        .cloned()
        .expect("an order is visible");
    let order = state.order(&key).cloned().expect("the order is held");

    let (results_tx, mut results) = mpsc::unbounded_channel();
    let (engine, events) = engine::spawn(EngineSetup {
        handles: vec![handle.clone()],
        stores: None,
        notes: None,
        author: "test".into(),
        in_flight_lease: None,
        sync: None,
        first_poll: FirstPoll::Now,
    })
    .expect("in-memory journal");
    forward_events(events, results_tx);
    let runner = EffectRunner::new(engine);

    let mut executes = 0;
    for _round in 0..3 {
        for key in every_key() {
            let effects = app::update(&mut state, Msg::Key(key));
            executes += effects
                .iter()
                .filter(|e| matches!(e, Effect::Execute { .. }))
                .count();
            runner.run_all(effects);
        }
    }
    assert_eq!(executes, 0, "read-only update emitted writes");

    let (market, id) = order.key.id.split_once('-').expect("MARKET-id key");
    let body = r#"{"channel":[{"id":"sourceSystem","name":"orderdesk"}],"productOrderItem":[{"id":"","action":"add","payment":[{"id":"https://pay.example/x","name":"PayLink"}]}]}"#;
    runner.run(Effect::Execute {
        ticket: 99,
        order: Box::new(order.clone()),
        request: ActionRequest {
            action: ActionKind::AddPayLink,
            params: vec![
                ("market".to_owned(), market.to_owned()),
                ("id".to_owned(), id.to_owned()),
                ("body".to_owned(), body.to_owned()),
            ],
            summary: "add pay link".into(),
            preview: None,
        },
    });
    match next_write_result(&mut results).await {
        Msg::WriteSettled(settled) if settled.result.is_err() => {
            let e = settled.result.expect_err("refused");
            assert!(e.to_string().contains("read-only"), "{e}")
        }
        other => panic!("a write was not refused: {other:?}"),
    }
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(sim.requests(PathKind::PayLink), 0, "a PayLink reached LLA");
    assert!(sim.paylinks().is_empty());
    assert!(sim.requests(PathKind::List) > 0, "reads did reach LLA");
}

/// The next message about a write, past the answers to the reads the keys
/// asked for (full orders, text searches).
async fn next_write_result(results: &mut mpsc::UnboundedReceiver<Msg>) -> Msg {
    loop {
        match results.recv().await.expect("a result") {
            Msg::OrderLoaded { .. } | Msg::TextSearched { .. } | Msg::OrderReloaded { .. } => {}
            other => return other,
        }
    }
}

/// The wallboard (`orderdesk wallboard`, `stats`) builds its carriers with
/// no write client whatever the config says (`readonly = false` included),
/// and no key pressed on it, nor a tick of its clock, asks for a write.
#[tokio::test]
async fn the_wallboard_builds_no_writer_and_sends_no_write() {
    let (sim, server) = TgSim::spawn(
        SimOptions {
            orders: 25,
            ..SimOptions::default()
        },
        0,
    )
    .await
    .expect("sim starts");
    let mut config = Config::empty();
    config.readonly = false;
    config
        .carriers
        .push(sim.carrier_config("tg", &server.origin()));
    let handles = orderdesk::registry::build_all(&config, true).expect("carriers build");
    assert!(handles.iter().all(|h| h.writer.is_none()));

    let options = Options {
        readonly: true,
        now: Utc::now(),
        user: "test".into(),
        keys: BTreeMap::new(),
    };
    let mut state = State::new(carrier_infos(&handles), options).expect("state");
    state.open_wallboard();
    let (tx, mut rx) = mpsc::unbounded_channel();
    handles[0]
        .reader
        .poll(None, &SyncSink::new(handles[0].name.clone(), tx))
        .await
        .expect("poll");
    while let Ok(event) = rx.try_recv() {
        app::update(&mut state, Msg::Sync(event));
    }
    let (results_tx, _results) = mpsc::unbounded_channel();
    let (engine, events) = engine::spawn(EngineSetup {
        handles: handles.clone(),
        stores: None,
        notes: None,
        author: "test".into(),
        in_flight_lease: None,
        sync: None,
        first_poll: FirstPoll::Now,
    })
    .expect("in-memory journal");
    forward_events(events, results_tx.clone());
    let runner = EffectRunner::new(engine).with_trend(None, results_tx);
    let mut executes = 0;
    for round in 0..3 {
        for key in every_key() {
            // W leaves the wallboard and comes back: both screens get keys.
            let mut effects = app::update(&mut state, Msg::Key(key));
            effects.extend(app::update(
                &mut state,
                Msg::Tick(Utc::now() + chrono::Duration::seconds(round)),
            ));
            executes += effects
                .iter()
                .filter(|e| matches!(e, Effect::Execute { .. }))
                .count();
            runner.run_all(effects);
        }
    }
    assert_eq!(executes, 0, "the wallboard emitted writes");
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(sim.writes(), 0, "the simulator received a write request");
}
