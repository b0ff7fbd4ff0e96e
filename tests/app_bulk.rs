//! `update()` flows of bulk triage: marks (`space`, `V`, `*`, `x`, Esc),
//! one action on every marked order (acknowledge, set status, flag, note)
//! with one dialog, one confirmation listing the orders and the skipped
//! ones, one write per order with its own ticket and journal entry,
//! progress, Esc halfway, the summary, read-only. No terminal, no network.

mod common;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use common::*;
use crossterm::event::KeyCode;

use orderdesk::app::{
    self, BulkStep, CarrierInfo, ConfirmStep, Effect, Fate, Msg, State, Ticket, WriteSettled,
};
use orderdesk::carriers::{CarrierError, CarrierProfile, WriteReceipt};
use orderdesk::domain::{
    ActionForm, ActionKind, ActionRequest, Availability, ConfirmRule, FieldError, FormValues,
    JournalState, Order, OrderKey,
};

fn tg(id: &str) -> OrderKey {
    OrderKey::new("tg", id)
}

fn executes(fx: &[Effect]) -> Vec<(Ticket, OrderKey, ActionRequest)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Execute {
                ticket,
                order,
                request,
            } => Some((*ticket, order.key.clone(), request.clone())),
            _ => None,
        })
        .collect()
}

fn settled(ticket: Ticket, key: &OrderKey, result: Result<WriteReceipt, CarrierError>) -> Msg {
    let state = match &result {
        Ok(_) => JournalState::Confirmed,
        Err(e) if e.outcome_unknown() => JournalState::Unknown,
        Err(_) => JournalState::Refused,
    };
    let entry = journal_entry(
        &format!("j{ticket}"),
        &key.id,
        state,
        now(),
        "acknowledge",
        None,
    );
    Msg::WriteSettled(Box::new(WriteSettled {
        ticket,
        key: key.clone(),
        result,
        entry: Some(entry),
        order: None,
    }))
}

fn ok(text: &str) -> Result<WriteReceipt, CarrierError> {
    Ok(WriteReceipt {
        message: text.into(),
    })
}

fn step(s: &State) -> &BulkStep {
    &s.bulk().expect("the bulk dialog is open").step
}

fn marked(s: &State) -> Vec<String> {
    s.marked_keys().into_iter().map(|k| k.id).collect()
}

/// Picks the status at `n` (new, received, active, waiting, delivered,
/// cancelled) in the set status form, wherever it opened.
fn choose(s: &mut State, n: usize) {
    for _ in 0..6 {
        press(s, key(KeyCode::Left));
    }
    for _ in 0..n {
        press(s, key(KeyCode::Right));
    }
}

/// Marks the orders with these ids (space on each).
fn mark(s: &mut State, ids: &[&str]) {
    for id in ids {
        select(s, id);
        press(s, ch(' '));
    }
}

// --- marks -------------------------------------------------------------------

#[test]
fn space_toggles_v_marks_a_range_star_the_view_x_and_esc_clear() {
    let mut s = state(false);
    let view = ids(&s);
    assert!(view.len() >= 4, "{view:?}");
    select(&mut s, &view[0]);
    press(&mut s, ch(' '));
    assert_eq!(marked(&s), [view[0].clone()]);
    press(&mut s, ch(' '));
    assert!(marked(&s).is_empty(), "space again unmarks");

    // A range from the last mark to the selection, both included.
    select(&mut s, &view[1]);
    press(&mut s, ch(' '));
    select(&mut s, &view[3]);
    press(&mut s, ch('V'));
    assert_eq!(marked(&s), view[1..=3].to_vec());

    // Upwards too, from the new anchor (the end of the last range).
    select(&mut s, &view[0]);
    press(&mut s, ch('V'));
    assert_eq!(marked(&s), view[0..=3].to_vec());

    press(&mut s, ch('x'));
    assert!(marked(&s).is_empty());
    assert_eq!(status_text(&s), "4 marks cleared");

    // `*` marks the whole view; again, unmarks it.
    press(&mut s, ch('*'));
    assert_eq!(marked(&s), view);
    press(&mut s, ch('*'));
    assert!(marked(&s).is_empty());

    // Esc clears the marks first, then (next Esc) the filter.
    s.set_filter("fiber");
    let fiber = ids(&s);
    press(&mut s, ch('*'));
    assert_eq!(marked(&s), fiber);
    press(&mut s, key(KeyCode::Esc));
    assert!(marked(&s).is_empty());
    assert_eq!(s.filter_input().text(), "fiber", "the filter stays");
    press(&mut s, key(KeyCode::Esc));
    assert_eq!(s.filter_input().text(), "");
}

#[test]
fn a_range_with_no_earlier_mark_marks_the_selection_and_says_so() {
    let mut s = state(false);
    select(&mut s, "19502");
    press(&mut s, ch('V'));
    assert_eq!(marked(&s), ["19502"]);
    assert!(
        status_text(&s).contains("no earlier mark in this view"),
        "{}",
        status_text(&s)
    );
}

#[test]
fn marks_stay_through_a_view_change_and_the_hidden_ones_are_counted() {
    let mut s = state(false);
    mark(&mut s, &["19530", "19502"]);
    press(&mut s, ch('3')); // new orders only
    assert_eq!(s.marks().len(), 2);
    assert_eq!(s.marks_hidden(), 1, "19502 is not new");
    // The view's orders come first.
    assert_eq!(marked(&s), ["19530", "19502"]);
}

#[test]
fn marking_works_read_only_but_no_bulk_write_opens() {
    let mut s = state(true);
    mark(&mut s, &["19530", "19531"]);
    assert_eq!(s.marks().len(), 2);
    let fx = press(&mut s, ch('a'));
    assert!(executes(&fx).is_empty());
    assert!(s.bulk().is_none());
    assert_eq!(status_text(&s), "read-only mode: acknowledge is disabled");
    let fx = press(&mut s, ch('t'));
    assert!(fx.is_empty() && s.bulk().is_none(), "{fx:?}");
}

#[test]
fn one_order_actions_say_so_while_orders_are_marked() {
    let mut s = state(false);
    mark(&mut s, &["19530", "19531"]);
    let fx = press(&mut s, ch('c'));
    assert!(fx.is_empty());
    assert!(s.dialog().is_none() && s.bulk().is_none());
    let text = status_text(&s);
    assert!(
        text.contains("cancel order works on one order at a time"),
        "{text}"
    );
    assert!(text.contains("x clears the marks"), "{text}");
}

// --- bulk acknowledge --------------------------------------------------------

#[test]
fn bulk_acknowledge_lists_sends_one_by_one_and_sums_up_mixed_outcomes() {
    let mut s = state(false);
    mark(&mut s, &["19530", "19531", "19502"]);
    // Acknowledge has no fields: straight to the one confirmation.
    let fx = press(&mut s, ch('a'));
    assert!(executes(&fx).is_empty(), "nothing before the confirmation");
    let BulkStep::Confirm {
        send, step: ask, ..
    } = step(&s)
    else {
        panic!("{:?}", step(&s));
    };
    let to: Vec<&str> = send.iter().map(|p| p.key.id.as_str()).collect();
    assert_eq!(to, ["19530", "19531"]);
    assert!(matches!(ask, ConfirmStep::YesNo(q) if q.contains("these 2 orders")));
    let bulk = s.bulk().unwrap();
    assert_eq!(bulk.skipped.len(), 1);
    assert_eq!(bulk.skipped[0].0, tg("19502"));
    assert_eq!(bulk.skipped[0].1, "order is received, not new");

    // y: the first write goes, with its own ticket.
    let fx = press(&mut s, ch('y'));
    let sent = executes(&fx);
    assert_eq!(sent.len(), 1, "one at a time: {fx:?}");
    let (t1, k1, r1) = sent[0].clone();
    assert_eq!(k1, tg("19530"));
    assert_eq!(r1.summary, "set status received");
    assert_eq!(status_text(&s), "acknowledge: 0/2 sent");

    // It is confirmed: the next goes, with another ticket.
    let fx = press(&mut s, settled(t1, &k1, ok("Status changed to received")));
    assert!(fx.contains(&Effect::ReloadOrder(tg("19530"))), "{fx:?}");
    let sent = executes(&fx);
    assert_eq!(sent.len(), 1);
    let (t2, k2, _) = sent[0].clone();
    assert_ne!(t1, t2);
    assert_eq!(k2, tg("19531"));
    assert_eq!(status_text(&s), "acknowledge: 1/2 sent");

    // No answer: unknown, re-read, and the end.
    let fx = press(
        &mut s,
        settled(
            t2,
            &k2,
            Err(CarrierError::Timeout("no answer in 30s".into())),
        ),
    );
    assert!(executes(&fx).is_empty());
    assert!(fx.contains(&Effect::ReloadOrder(tg("19531"))), "{fx:?}");
    let BulkStep::Done { done, .. } = step(&s) else {
        panic!("{:?}", step(&s));
    };
    assert!(matches!(&done[0], (k, Fate::Confirmed(_)) if *k == tg("19530")));
    assert!(
        matches!(&done[1], (k, Fate::Unknown(why)) if *k == tg("19531") && why.contains("may have been applied"))
    );
    assert_eq!(
        status_text(&s),
        "acknowledge: 1 confirmed, 1 unknown, 1 skipped; the 2 not confirmed: they stay marked"
    );
    // One journal entry per order.
    let journal: Vec<&str> = s.journal().iter().map(|e| e.key.id.as_str()).collect();
    assert_eq!(journal.len(), 2);
    assert!(journal.contains(&"19530") && journal.contains(&"19531"));
    // The ones not confirmed stay marked; the confirmed one is not.
    let mut left = marked(&s);
    left.sort();
    assert_eq!(left, ["19502", "19531"]);
    assert!(s.pending().is_empty());
    press(&mut s, key(KeyCode::Enter));
    assert!(s.bulk().is_none());
}

#[test]
fn a_refusal_and_an_unreachable_carrier_are_refused_not_confirmed() {
    let mut s = state(false);
    mark(&mut s, &["19530", "19531"]);
    press(&mut s, ch('a'));
    let (t1, k1, _) = executes(&press(&mut s, key(KeyCode::Enter)))[0].clone();
    let refused = Err(CarrierError::Rejected {
        code: "E12".into(),
        message: "order is locked by the portal".into(),
    });
    let (t2, k2, _) = executes(&press(&mut s, settled(t1, &k1, refused)))[0].clone();
    let down = Err(CarrierError::Unavailable {
        code: None,
        message: format!(
            "{}Connection refused",
            orderdesk::carriers::error::NO_ANSWER
        ),
        retry_after: None,
        sent: false,
    });
    press(&mut s, settled(t2, &k2, down));
    let BulkStep::Done { done, .. } = step(&s) else {
        panic!("{:?}", step(&s));
    };
    assert!(matches!(&done[0].1, Fate::Refused(why) if why.contains("order is locked")));
    assert!(matches!(&done[1].1, Fate::Refused(why) if why.contains("could not reach")));
    assert_eq!(s.marks().len(), 2, "nothing confirmed: both stay marked");
}

/// A carrier that offers no action at all (as Lumen PX).
#[derive(Debug)]
struct NoWrites;

impl CarrierProfile for NoWrites {
    fn kind(&self) -> &'static str {
        "lumen-px"
    }
    fn availability(&self, _: &Order, _: ActionKind) -> Availability {
        Availability::Unavailable("not offered by this carrier".into())
    }
    fn form(&self, _: &Order, _: ActionKind) -> Option<ActionForm> {
        None
    }
    fn validate(
        &self,
        _: &Order,
        _: ActionKind,
        _: &FormValues,
        _: DateTime<Utc>,
    ) -> Result<ActionRequest, Vec<FieldError>> {
        Err(vec![FieldError::form("not offered by this carrier")])
    }
    fn confirmation(&self, _: &Order, _: &ActionRequest) -> ConfirmRule {
        ConfirmRule::None
    }
    fn effect_visible(&self, _: &Order, _: &ActionRequest) -> bool {
        false
    }
}

#[test]
fn orders_of_a_carrier_without_the_action_are_skipped_never_sent() {
    let mut carriers = carriers();
    carriers.push(CarrierInfo {
        name: Arc::from("px"),
        kind: "lumen-px",
        profile: Arc::new(NoWrites),
        quiet_hours: None,
    });
    let mut s = State::new(carriers, options(false)).unwrap();
    let mut px = orders().remove(0);
    px.key = OrderKey::new("px", "PX-1");
    let mut all = orders();
    all.push(px);
    s.upsert_orders(all);
    press(&mut s, ch('3')); // new orders: tg/19530, tg/19531, px/PX-1
    press(&mut s, ch('*'));
    assert_eq!(s.marks().len(), 3);
    press(&mut s, ch('a'));
    let bulk = s.bulk().unwrap();
    assert_eq!(
        bulk.skipped,
        [(
            OrderKey::new("px", "PX-1"),
            "not offered by this carrier".to_string()
        )]
    );
    let mut fx = press(&mut s, ch('y'));
    let mut sent = Vec::new();
    while let Some((t, k, _)) = executes(&fx).first().cloned() {
        sent.push(k.clone());
        fx = press(&mut s, settled(t, &k, ok("")));
    }
    assert_eq!(sent, [tg("19530"), tg("19531")]);
    assert_eq!(marked(&s), ["PX-1"], "the skipped one stays marked");
}

#[test]
fn none_possible_closes_with_the_reasons() {
    let mut s = state(false);
    mark(&mut s, &["19502", "19488"]);
    let fx = press(&mut s, ch('a'));
    assert!(fx.is_empty(), "{fx:?}");
    assert!(s.bulk().is_none());
    let text = status_text(&s);
    assert!(
        text.contains("not possible for any of the 2 marked orders"),
        "{text}"
    );
    assert!(
        text.contains("tg/19502: order is received, not new"),
        "{text}"
    );
}

// --- set status: the fields once, irreversible, Esc -----------------------------

#[test]
fn bulk_set_status_to_cancelled_must_be_typed_like_the_one_order_path() {
    let mut s = state(false);
    mark(&mut s, &["19530", "19531", "19502"]);
    press(&mut s, ch('t'));
    assert_eq!(step(&s), &BulkStep::Edit, "one form for all");
    choose(&mut s, 5); // cancelled
    press(&mut s, key(KeyCode::Enter));
    let BulkStep::Confirm {
        send, step: ask, ..
    } = step(&s)
    else {
        panic!("{:?}", step(&s));
    };
    assert_eq!(send.len(), 3);
    let ConfirmStep::TypeToConfirm {
        prompt, expected, ..
    } = ask
    else {
        panic!("an irreversible write is typed: {ask:?}");
    };
    assert_eq!(expected, "3");
    assert!(
        prompt.contains("3 of these writes cannot be undone"),
        "{prompt}"
    );
    // y and Enter do nothing until it matches.
    assert!(executes(&press(&mut s, ch('y'))).is_empty());
    assert!(executes(&press(&mut s, key(KeyCode::Enter))).is_empty());
    press(&mut s, key(KeyCode::Backspace));
    typ(&mut s, "3");
    let sent = executes(&press(&mut s, key(KeyCode::Enter)));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].2.param("status"), Some("cancelled"));
}

#[test]
fn an_order_the_values_do_not_fit_is_skipped_with_the_carriers_words() {
    let mut s = state(false);
    mark(&mut s, &["19530", "19502"]);
    press(&mut s, ch('t'));
    choose(&mut s, 1); // received
    press(&mut s, key(KeyCode::Enter));
    let bulk = s.bulk().unwrap();
    assert_eq!(
        bulk.skipped,
        [(tg("19502"), "the order is already received".to_string())]
    );
    let BulkStep::Confirm {
        send, step: ask, ..
    } = &bulk.step
    else {
        panic!("{:?}", bulk.step);
    };
    assert_eq!(send.len(), 1);
    assert!(matches!(ask, ConfirmStep::YesNo(_)));
}

#[test]
fn esc_before_sending_sends_nothing_and_esc_while_sending_stops_after_the_one_in_flight() {
    let mut s = state(false);
    mark(&mut s, &["19530", "19531", "19502"]);
    press(&mut s, ch('t'));
    choose(&mut s, 3); // waiting
    press(&mut s, key(KeyCode::Enter));
    // Esc on the confirmation: back to the form; Esc there: closed.
    assert!(press(&mut s, key(KeyCode::Esc)).is_empty());
    assert_eq!(step(&s), &BulkStep::Edit);
    assert!(press(&mut s, key(KeyCode::Esc)).is_empty());
    assert!(s.bulk().is_none());
    assert_eq!(status_text(&s), "set status: closed, nothing sent");
    assert_eq!(s.marks().len(), 3, "the marks stay");

    // Again, and Esc halfway through sending.
    press(&mut s, ch('t'));
    choose(&mut s, 3); // waiting
    press(&mut s, key(KeyCode::Enter));
    let (t1, k1, _) = executes(&press(&mut s, ch('y')))[0].clone();
    let fx = press(&mut s, key(KeyCode::Esc));
    assert!(fx.is_empty(), "{fx:?}");
    assert!(status_text(&s).contains("stopping after the one in flight; 2 not sent"));
    let fx = press(&mut s, settled(t1, &k1, ok("")));
    assert!(executes(&fx).is_empty(), "nothing more is sent: {fx:?}");
    let BulkStep::Done { done, .. } = step(&s) else {
        panic!("{:?}", step(&s));
    };
    let fates: Vec<&str> = done.iter().map(|(_, f)| f.word()).collect();
    assert_eq!(fates, ["confirmed", "not sent", "not sent"]);
    assert_eq!(s.marks().len(), 2, "the ones not sent stay marked");
}

// --- local: flag and note --------------------------------------------------------

#[test]
fn bulk_flag_and_note_go_through_the_local_paths_one_by_one() {
    let mut s = state(false);
    mark(&mut s, &["19530", "19531"]);
    press(&mut s, ch('f'));
    assert!(matches!(step(&s), BulkStep::Confirm { .. }));
    let fx = press(&mut s, ch('y'));
    assert_eq!(
        fx,
        [Effect::SetFlag {
            key: tg("19530"),
            flagged: true
        }]
    );
    let fx = press(
        &mut s,
        Msg::FlagSaved {
            key: tg("19530"),
            result: Ok(Some(flag("agent", now()))),
        },
    );
    assert_eq!(
        fx,
        [Effect::SetFlag {
            key: tg("19531"),
            flagged: true
        }]
    );
    press(
        &mut s,
        Msg::FlagSaved {
            key: tg("19531"),
            result: Err("disk full".into()),
        },
    );
    assert!(s.flag(&tg("19530")).is_some());
    assert_eq!(
        status_text(&s),
        "flag: 1 confirmed, 1 refused; the 1 not confirmed: it stays marked"
    );
    press(&mut s, key(KeyCode::Esc));

    // A note: its text once, then each order.
    press(&mut s, ch('n'));
    assert_eq!(step(&s), &BulkStep::Edit);
    typ(&mut s, "ring tillbaka");
    press(&mut s, ctrl('s'));
    assert!(matches!(step(&s), BulkStep::Confirm { .. }));
    let fx = press(&mut s, key(KeyCode::Enter));
    assert_eq!(
        fx,
        [Effect::SaveNote {
            key: tg("19531"),
            text: "ring tillbaka".into()
        }]
    );
    press(
        &mut s,
        Msg::NoteSaved {
            key: tg("19531"),
            result: Ok(note(7, "19531", "agent", now(), "ring tillbaka")),
        },
    );
    assert_eq!(status_text(&s), "note: 1 confirmed");
    assert!(s.marks().is_empty());
    assert_eq!(s.notes(&tg("19531")).len(), 1);
}

#[test]
fn esc_on_a_typed_bulk_note_asks_before_dropping_it() {
    let mut s = state(false);
    mark(&mut s, &["19530", "19531"]);
    press(&mut s, ch('n'));
    typ(&mut s, "ring");
    press(&mut s, key(KeyCode::Esc));
    assert!(s.bulk().is_some(), "the first esc only asks");
    assert!(
        status_text(&s)
            .contains("esc again closes and drops what you typed for the 2 marked orders"),
        "{}",
        status_text(&s)
    );
    press(&mut s, key(KeyCode::Esc));
    assert!(s.bulk().is_none());
    assert_eq!(status_text(&s), "note: closed, nothing saved");
}

#[test]
fn an_empty_bulk_note_is_refused_in_words() {
    let mut s = state(false);
    mark(&mut s, &["19530", "19531"]);
    press(&mut s, ch('n'));
    let fx = press(&mut s, ctrl('s'));
    assert!(fx.is_empty());
    assert_eq!(step(&s), &BulkStep::Edit);
    assert!(status_text(&s).contains("the note is empty"));
}

#[test]
fn quitting_with_a_bulk_write_in_flight_asks_first() {
    let mut s = state(false);
    mark(&mut s, &["19530", "19531"]);
    press(&mut s, ch('a'));
    press(&mut s, ch('y'));
    assert_eq!(s.pending().len(), 1);
    let fx = app::update(&mut s, ch('q'));
    // q types in a dialog; the dialog is a bulk one: nothing quits.
    assert!(!fx.contains(&Effect::Quit));
}
