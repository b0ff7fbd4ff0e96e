//! Lumen PX orders through `update()`, with real PX orders from its
//! simulator and the real PX profile: every action says "not offered by
//! Lumen PX (read-only API)", notes and flags work, the `source:` filter
//! keeps the orders of one source system, and `r` in the carrier's quiet
//! hours (07-19 in America/Chicago) asks first while outside them it polls
//! at once. Snapshots of a PX order's detail at 80x24 and 160x48.

mod common;

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use common::{ch, ctrl, key, now, press, status_text, typ};
use crossterm::event::KeyCode;
use orderdesk::app::{self, CarrierInfo, Effect, Msg, Options, State, Tab};
use orderdesk::carriers::{PollSummary, QuietHours, SyncEvent, SyncSink};
use orderdesk::domain::Order;
use orderdesk::registry;
use orderdesk::sim::lumen_px::{PxSim, PxSimOptions};
use orderdesk::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc;

/// 16:00 UTC on 2 March 2026 is 10:00 CST: inside PX's quiet hours in
/// Chicago, although `now()` (10:00 UTC, 04:00 CST) is outside them.
fn chicago_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 16, 0, 0).unwrap()
}

fn chicago_quiet() -> QuietHours {
    QuietHours::new((7, 19), chrono_tz::America::Chicago)
}

async fn px_state(at: DateTime<Utc>) -> State {
    let options = PxSimOptions {
        orders: 60,
        seed: 4,
        now: now(),
        ..PxSimOptions::default()
    };
    let (sim, server) = PxSim::spawn(options, 0).await.expect("sim");
    let config = sim.carrier_config("px", &server.origin());
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
        // The simulator's config turns quiet hours off; the console is
        // given PX's default ones here.
        quiet_hours: Some(chicago_quiet()),
    };
    let options = Options {
        readonly: false,
        now: at,
        user: "anna".into(),
        keys: BTreeMap::new(),
    };
    let mut state = State::new(vec![info], options).expect("state");
    while let Ok(event) = rx.try_recv() {
        if let SyncEvent::Orders {
            carrier,
            mut orders,
        } = event
        {
            orders.iter_mut().for_each(pin_first_seen);
            app::update(&mut state, Msg::Sync(SyncEvent::Orders { carrier, orders }));
        }
    }
    press(&mut state, ch('4'));
    state
}

/// The reader notes when it first saw each status by the wall clock; the
/// snapshots pin that time to the test's `now()`.
fn pin_first_seen(order: &mut Order) {
    for entry in &mut order.log {
        if let Some((head, _)) = entry.text.split_once("(first seen ") {
            entry.text = format!("{head}(first seen 2026-03-02T10:00:00Z)");
        }
    }
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

fn refreshes(fx: &[Effect]) -> Vec<Option<String>> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Refresh { carrier } => Some(carrier.as_deref().map(str::to_owned)),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn every_action_says_not_offered_while_notes_and_flags_work() {
    let mut s = px_state(now()).await;
    let id = find(&mut s, |o| !o.status.terminal);
    for k in ['a', 't', 'c', 'm', 'u', 'p'] {
        select(&mut s, &id);
        let fx = press(&mut s, ch(k));
        assert!(
            !fx.iter().any(|e| matches!(e, Effect::Execute { .. })),
            "{k}: nothing is sent: {fx:?}"
        );
        assert!(s.dialog().is_none(), "{k}: no dialog opens");
        assert!(
            status_text(&s).contains("not offered by Lumen PX (read-only API)"),
            "{k}: {}",
            status_text(&s)
        );
    }
    select(&mut s, &id);
    press(&mut s, ch('n'));
    assert!(s.note_editor().is_some(), "{}", status_text(&s));
    typ(&mut s, "called the customer");
    let fx = press(&mut s, ctrl('s'));
    assert!(
        fx.iter().any(|e| matches!(e, Effect::SaveNote { key, text }
            if key.to_string() == format!("px/{id}") && text == "called the customer")),
        "{fx:?}"
    );
    // Esc hides the editor while the store saves the note.
    press(&mut s, key(KeyCode::Esc));
    let fx = press(&mut s, ch('f'));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::SetFlag { key, flagged: true }
            if key.to_string() == format!("px/{id}"))),
        "{fx:?}"
    );
}

#[tokio::test]
async fn source_filter_keeps_one_source_system() {
    let mut s = px_state(now()).await;
    let all = s.visible_keys().len();
    let mut seen = 0;
    for (token, source) in [
        ("source:phone", "Phone"),
        ("source:UI", "UI"),
        ("source:api", "API"),
    ] {
        s.set_filter(token);
        let keys = s.visible_keys();
        assert!(!keys.is_empty(), "{token}: the simulator has such orders");
        for k in &keys {
            let order = s.order(k).expect("order");
            assert_eq!(order.field("sourceSystem"), Some(source), "{token}");
        }
        seen += keys.len();
    }
    assert_eq!(seen, all, "every PX order has exactly one source");
    s.set_filter("source:fax");
    assert!(s.visible_keys().is_empty());
}

#[tokio::test]
async fn r_in_quiet_hours_asks_first_and_any_other_key_cancels() {
    let mut s = px_state(chicago_morning()).await;
    let fx = press(&mut s, ch('r'));
    assert!(
        refreshes(&fx).is_empty(),
        "nothing polled before the answer"
    );
    assert_eq!(
        status_text(&s),
        "px is in quiet hours (07-19 CST): poll pxNewOrders/pxOpenOrders now? y/n"
    );
    // Any other key cancels, and does nothing else (j does not move).
    let before = s.selected().map(|o| o.key.clone());
    let fx = press(&mut s, ch('j'));
    assert!(refreshes(&fx).is_empty());
    assert_eq!(s.selected().map(|o| o.key.clone()), before);
    assert!(
        status_text(&s).contains("not polled"),
        "{}",
        status_text(&s)
    );
    // y polls now.
    press(&mut s, ch('r'));
    let fx = press(&mut s, ch('y'));
    assert_eq!(refreshes(&fx), [Some("px".to_owned())]);
    // R (the selected order's carrier) asks the same.
    let fx = press(&mut s, ch('R'));
    assert!(refreshes(&fx).is_empty());
    assert!(status_text(&s).ends_with("now? y/n"), "{}", status_text(&s));
    press(&mut s, key(KeyCode::Esc));
}

#[tokio::test]
async fn r_outside_quiet_hours_polls_at_once() {
    // 10:00 UTC is 04:00 in Chicago: outside PX's quiet hours there,
    // although inside 07-19 for a machine on UTC.
    let mut s = px_state(now()).await;
    let fx = press(&mut s, ch('r'));
    assert_eq!(refreshes(&fx), [None]);
    assert!(!status_text(&s).contains("y/n"));
}

#[tokio::test]
async fn the_chip_says_until_when_it_is_quiet_and_the_next_poll() {
    let mut s = px_state(chicago_morning()).await;
    let next = Utc.with_ymd_and_hms(2026, 3, 3, 1, 0, 0).unwrap();
    app::update(
        &mut s,
        Msg::Sync(SyncEvent::Finished {
            carrier: "px".into(),
            result: Ok(PollSummary::default()),
            next_poll: Some(next),
        }),
    );
    let carrier = s.carrier("px").expect("px").clone();
    let words = carrier
        .quiet_chip(chicago_morning(), chrono_tz::Europe::Stockholm)
        .expect("quiet now");
    assert_eq!(words, "quiet hours until 19:00 CST, next poll 02:00");
    let text = format!("{}", screen(&mut s, 160, 48).backend());
    assert!(text.contains("quiet hours until 19:00 CST"), "{text}");
    // Outside the window the chip is the usual one.
    assert!(carrier.quiet_chip(now(), chrono_tz::UTC).is_none());
}

/// A console started in quiet hours has not polled at all: the held first
/// poll's time is on the chip all the same.
#[tokio::test]
async fn a_held_first_poll_is_on_the_chip() {
    let mut s = px_state(chicago_morning()).await;
    let until = Utc.with_ymd_and_hms(2026, 3, 3, 1, 0, 0).unwrap();
    app::update(
        &mut s,
        Msg::Sync(SyncEvent::Held {
            carrier: "px".into(),
            until,
        }),
    );
    let words = s
        .carrier("px")
        .expect("px")
        .quiet_chip(chicago_morning(), chrono_tz::UTC)
        .expect("quiet now");
    assert_eq!(words, "quiet hours until 19:00 CST, next poll 01:00");
}

#[tokio::test]
async fn detail_snapshots_overview_items_and_log() {
    let mut s = px_state(now()).await;
    let id = find(&mut s, |o| o.detail_loaded && !o.items.is_empty());
    for (w, h) in [(80, 24), (160, 48)] {
        select(&mut s, &id);
        // The bar cleared (no full-text search waiting), the order kept.
        s.set_filter("");
        assert_eq!(s.selected().map(|o| o.key.id.as_str()), Some(id.as_str()));
        press(&mut s, key(KeyCode::Enter));
        for tab in [Tab::Overview, Tab::Items, Tab::Log] {
            for _ in 0..5 {
                if s.detail().tab == tab {
                    break;
                }
                press(&mut s, ch('l'));
            }
            assert_eq!(s.detail().tab, tab);
            let shown = screen(&mut s, w, h);
            let name = format!("px_detail_{}_{w}x{h}", tab.label().to_lowercase());
            insta::assert_snapshot!(name, shown.backend());
        }
        press(&mut s, key(KeyCode::Esc));
    }
}
