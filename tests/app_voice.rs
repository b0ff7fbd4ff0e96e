//! The Voice dialogs through `update()` and on screen, with real Voice
//! orders from its simulator and the real Voice profile: supplement refused
//! at the field with the document's code and input kept, then accepted with
//! the exact JSON previewed; cancel typed to confirm; local refusals of
//! completed orders. Snapshots at 80x24 and 160x48.

mod common;

use std::collections::BTreeMap;

use common::{ch, ctrl, key, now, press, typ};
use crossterm::event::KeyCode;
use orderdesk::app::{self, CarrierInfo, Effect, Msg, Options, State};
use orderdesk::carriers::{SyncEvent, SyncSink, WriteReceipt};
use orderdesk::domain::{ActionKind, Order, Stage};
use orderdesk::registry;
use orderdesk::sim::lumen_voice::{VoiceSim, VoiceSimOptions};
use orderdesk::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc;

async fn voice_state() -> State {
    let options = VoiceSimOptions {
        orders: 60,
        seed: 2,
        now: now(),
        ..VoiceSimOptions::default()
    };
    let (sim, server) = VoiceSim::spawn(options, 0).await.expect("sim");
    let config = sim.carrier_config("voice", &server.origin());
    let handle =
        registry::build(&orderdesk::config::Config::empty(), &config, false).expect("build");
    let (tx, mut rx) = mpsc::unbounded_channel();
    handle
        .reader
        .poll(None, &SyncSink::new(handle.name.clone(), tx))
        .await
        .expect("poll");
    let info = CarrierInfo {
        name: handle.name.clone(),
        kind: handle.profile.kind(),
        profile: handle.profile.clone(),
        quiet_hours: None,
    };
    let options = Options {
        readonly: false,
        now: now(),
        user: "anna".into(),
        keys: BTreeMap::new(),
    };
    let mut state = State::new(vec![info], options).expect("state");
    while let Ok(event) = rx.try_recv() {
        if matches!(event, SyncEvent::Orders { .. }) {
            app::update(&mut state, Msg::Sync(event));
        }
    }
    press(&mut state, ch('4'));
    state
}

fn find(state: &mut State, pick: impl Fn(&Order) -> bool) -> String {
    state.set_filter("");
    state
        .visible_keys()
        .iter()
        .filter_map(|k| state.order(k))
        .find(|o| pick(o))
        .map(|o| o.key.id.clone())
        .expect("such an order in the simulator's data")
}

fn select(state: &mut State, id: &str) {
    state.set_filter(id);
    assert_eq!(state.selected().map(|o| o.key.id.as_str()), Some(id));
}

fn screen(state: &mut State, w: u16, h: u16) -> Terminal<TestBackend> {
    app::update(
        state,
        Msg::Resize {
            width: w,
            height: h,
        },
    );
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    let theme = orderdesk::runtime::load_theme("default").0;
    terminal.draw(|f| ui::view(state, &theme, f)).expect("draw");
    terminal
}

fn clear_field(state: &mut State) {
    press(state, key(KeyCode::End));
    for _ in 0..40 {
        press(state, key(KeyCode::Backspace));
    }
}

fn in_flight_lnp(o: &Order) -> bool {
    o.service.starts_with("LNP") && matches!(o.status.raw.as_str(), "created" | "in progress")
}

#[tokio::test]
async fn supplement_refuses_at_the_field_keeps_input_then_previews_and_sends() {
    let mut state = voice_state().await;
    let id = find(&mut state, in_flight_lnp);
    for (w, h) in [(80, 24), (160, 48)] {
        select(&mut state, &id);
        press(&mut state, ch('u'));
        assert!(state.dialog().is_some(), "supplement dialog opens");
        // Today is refused: at least one business day ahead (20068).
        clear_field(&mut state);
        typ(&mut state, "2026-03-02T16:00:00Z");
        let fx = press(&mut state, ctrl('s'));
        assert!(!fx.iter().any(|e| matches!(e, Effect::Execute { .. })));
        let shown = screen(&mut state, w, h);
        let text = format!("{}", shown.backend());
        assert!(
            text.contains("20068"),
            "the code is shown at the field:\n{text}"
        );
        assert!(text.contains("2026-03-02T16:00:00Z"), "input kept:\n{text}");
        insta::assert_snapshot!(format!("voice_supplement_refused_{w}x{h}"), shown.backend());

        // A bad format is 20069.
        clear_field(&mut state);
        typ(&mut state, "2026-03-04");
        press(&mut state, ctrl('s'));
        assert!(format!("{}", screen(&mut state, w, h).backend()).contains("20069"));

        // Wednesday, two days ahead: accepted, previewed, sent.
        clear_field(&mut state);
        typ(&mut state, "2026-03-04T16:00:00Z");
        let fx = press(&mut state, ctrl('s'));
        assert!(fx.is_empty(), "a confirmation comes first: {fx:?}");
        let shown = screen(&mut state, w, h);
        let text = format!("{}", shown.backend());
        assert!(
            text.contains("\"customerRequestDate\": \"2026-03-04T16:00:00Z\""),
            "{text}"
        );
        insta::assert_snapshot!(format!("voice_supplement_preview_{w}x{h}"), shown.backend());
        let fx = press(&mut state, ch('y'));
        let request = fx
            .iter()
            .find_map(|e| match e {
                Effect::Execute { request, .. } => Some(request.clone()),
                _ => None,
            })
            .expect("sent after confirming");
        assert_eq!(request.action, ActionKind::Supplement);
        assert!(
            request
                .param("body")
                .is_some_and(|b| b.contains("2026-03-04T16:00:00Z"))
        );
        press(&mut state, key(KeyCode::Esc));
    }
}

#[tokio::test]
async fn cancel_needs_the_order_id_typed_and_completed_orders_say_why_not() {
    let mut state = voice_state().await;
    let id = find(&mut state, |o| {
        o.status.raw == "created" && !o.service.starts_with("LNP")
    });
    select(&mut state, &id);
    press(&mut state, ch('c'));
    press(&mut state, key(KeyCode::Enter));
    typ(&mut state, "123");
    let fx = press(&mut state, key(KeyCode::Enter));
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Execute { .. })),
        "a wrong id does not send"
    );
    for _ in 0..3 {
        press(&mut state, key(KeyCode::Backspace));
    }
    typ(&mut state, &id);
    let fx = press(&mut state, key(KeyCode::Enter));
    let (ticket, sent_key) = fx
        .iter()
        .find_map(|e| match e {
            Effect::Execute {
                ticket,
                order,
                request,
            } if request.action == ActionKind::Cancel => Some((*ticket, order.key.clone())),
            _ => None,
        })
        .expect("cancel sent after the id was typed");
    let receipt = WriteReceipt {
        message: "cancelled".into(),
    };
    let fx = app::update(
        &mut state,
        Msg::WriteSettled(Box::new(app::WriteSettled {
            ticket,
            key: sent_key.clone(),
            result: Ok(receipt),
            entry: None,
            order: None,
        })),
    );
    assert!(
        fx.contains(&Effect::ReloadOrder(sent_key)),
        "the order is re-read: {fx:?}"
    );

    let done = find(&mut state, |o| o.status.stage == Stage::Done);
    select(&mut state, &done);
    let fx = press(&mut state, ch('c'));
    assert!(fx.is_empty() && state.dialog().is_none());
    let text = format!("{}", screen(&mut state, 160, 48).backend());
    assert!(
        text.contains("20065") || text.contains("20238"),
        "the status line cites the rule:\n{text}"
    );

    // Supplement is only for LNP orders, and says so.
    let new = find(&mut state, |o| {
        o.service.starts_with("NEW") && o.status.stage.is_open()
    });
    select(&mut state, &new);
    press(&mut state, ch('u'));
    assert!(state.dialog().is_none());
    let text = format!("{}", screen(&mut state, 160, 48).backend());
    assert!(text.contains("LNP"), "{text}");
}
