//! `update()` flows of time to act (issue 12, feature 23): a carrier's
//! service levels and overdue delivery dates become attention reasons as the
//! clock moves, the detail says how far over an order is, and with `notify`
//! on one notification tells of the orders that newly need attention.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use common::*;
use crossterm::event::KeyCode;
use orderdesk::app::{self, Effect, Msg, State};
use orderdesk::domain::sla::ServiceLevels;
use orderdesk::domain::{Order, Schedule, Stamp};

fn sla(entries: &[(&str, &str)]) -> HashMap<Arc<str>, ServiceLevels> {
    let mut levels = ServiceLevels::default();
    for (k, v) in entries {
        levels.set(k, v).expect("a valid entry");
    }
    HashMap::from([(Arc::from("tg"), levels)])
}

/// A new order created `hours` ago, delivery in two weeks.
fn new_order(id: &str, hours: i64) -> Order {
    order(
        id,
        "new",
        Duration::hours(hours),
        "Märta",
        "Ek",
        "Fiber 100",
    )
}

/// A console holding `orders`, on the attention view.
fn console(orders: Vec<Order>, levels: HashMap<Arc<str>, ServiceLevels>) -> State {
    let mut s = State::new(carriers(), options(false)).expect("default keys are valid");
    s.set_service_levels(levels);
    s.upsert_orders(orders);
    press(&mut s, ch('2'));
    s
}

fn tick(s: &mut State, at: DateTime<Utc>) -> Vec<Effect> {
    app::update(s, Msg::Tick(at))
}

fn notifications(fx: &[Effect]) -> Vec<String> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Notify { text } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

fn reasons(s: &State, id: &str) -> Vec<(String, String)> {
    let order = s.order(&tg_key(id)).expect("order held");
    s.attention(order)
        .into_iter()
        .map(|a| (a.code, a.detail))
        .collect()
}

#[test]
fn a_new_order_joins_the_attention_view_when_its_service_level_runs_out() {
    let mut s = console(
        vec![new_order("1", 3), new_order("2", 1)],
        sla(&[("new", "4h")]),
    );
    assert!(ids(&s).is_empty(), "both are within 4h: {:?}", ids(&s));

    // 90 minutes later order 1 is 4h30m old; the clock moves on the tick.
    tick(&mut s, now() + Duration::minutes(90));
    assert_eq!(ids(&s), ["1"]);
    assert_eq!(
        reasons(&s, "1"),
        [(
            "sla:new>4h".to_owned(),
            "new for 4h, 30m over its 4h".to_owned()
        )]
    );
    assert!(reasons(&s, "2").is_empty());
}

#[test]
fn an_order_past_its_delivery_date_is_overdue_without_any_config() {
    let mut late = new_order("7", 1);
    late.status = status("active");
    late.schedule = Some(Schedule::Scheduled(Stamp {
        raw: "2026-11-20".into(),
        at: Some(now() - Duration::days(3)),
    }));
    let s = console(vec![late, new_order("8", 1)], HashMap::new());
    assert_eq!(ids(&s), ["7"], "judged as it arrives, no tick needed");
    assert!(s.store().is_late(&tg_key("7")), "the table's `!` asks this");
    assert!(!s.store().is_late(&tg_key("8")));
    let found = reasons(&s, "7");
    assert_eq!(found[0].0, "overdue");
    assert!(found[0].1.ends_with("3d ago"), "{found:?}");

    // `overdue = "off"` switches it off for that carrier.
    let mut late = new_order("7", 1);
    late.schedule = Some(Schedule::Scheduled(Stamp {
        raw: "2026-11-20".into(),
        at: Some(now() - Duration::days(3)),
    }));
    let s = console(vec![late], sla(&[("overdue", "off")]));
    assert!(ids(&s).is_empty());
}

#[test]
fn notify_tells_once_per_tick_of_what_newly_needs_attention() {
    let mut s = console(
        vec![new_order("1", 3), new_order("2", 3), new_order("3", 1)],
        sla(&[("new", "4h")]),
    );
    // Off by default: nothing is told.
    let fx = tick(&mut s, now() + Duration::minutes(61));
    assert!(notifications(&fx).is_empty());
    assert_eq!(ids(&s), ["1", "2"]);

    s.set_notify(true);
    // Order 3 crosses its limit two hours later: one notification naming it.
    let fx = tick(&mut s, now() + Duration::minutes(190));
    assert_eq!(notifications(&fx), ["tg/3 newly needs attention"]);
    // Nothing new on the next tick.
    let fx = tick(&mut s, now() + Duration::minutes(200));
    assert!(notifications(&fx).is_empty());

    // A carrier's change that puts an order in the view is told too.
    let mut stalled = new_order("4", 0);
    stalled.status = status("halted by the carrier");
    s.upsert_orders(vec![stalled]);
    let fx = tick(&mut s, now() + Duration::minutes(201));
    let told = notifications(&fx);
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].contains("tg/4"), "{told:?}");
}

#[test]
fn the_selection_stays_on_its_order_when_others_become_late() {
    let mut s = console(
        vec![new_order("1", 3), new_order("2", 1)],
        sla(&[("new", "4h")]),
    );
    press(&mut s, ch('1'));
    select(&mut s, "2");
    tick(&mut s, now() + Duration::minutes(90));
    assert_eq!(selected_id(&s), "2");
    press(&mut s, ch('2'));
    assert_eq!(ids(&s), ["1"]);
    press(&mut s, key(KeyCode::Esc));
}
