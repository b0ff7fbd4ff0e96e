//! `update()` key flows: navigation, sorting, filter, views, detail, every
//! dialog, read-only, key map, help, sync events. No terminal, no network.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::Duration;
use common::*;
use crossterm::event::KeyCode;

use orderdesk::app::{
    self, ConfirmStep, Dialog, Effect, FieldValue, Focus, Layer, Msg, ScrollLimits, State,
    SyncPhase, Tab, Ticket, WriteSettled,
};
use orderdesk::carriers::{CarrierError, PollSummary, SyncEvent, WriteReceipt};
use orderdesk::domain::{ActionKind, Order, OrderKey};

fn tg(id: &str) -> OrderKey {
    OrderKey::new("tg", id)
}

fn execute(fx: &[Effect]) -> Option<(u64, OrderKey, orderdesk::domain::ActionRequest)> {
    fx.iter().find_map(|e| match e {
        Effect::Execute {
            ticket,
            order,
            request,
        } => Some((*ticket, order.key.clone(), request.clone())),
        _ => None,
    })
}

/// The request for on-demand customer details of order `id`, as held.
fn load_customer(s: &State, id: &str) -> Effect {
    Effect::LoadCustomer(Box::new(s.order(&tg(id)).cloned().expect("order held")))
}

fn form(s: &State) -> &orderdesk::app::FormState {
    match s.dialog() {
        Some(Dialog::Form(f)) => f,
        other => panic!("expected the form step, got {other:?}"),
    }
}

// --- navigation -----------------------------------------------------------

#[test]
fn default_view_is_open_orders_oldest_first() {
    let s = state(false);
    assert_eq!(s.orders_len(), 8);
    assert_eq!(
        ids(&s),
        ["19477", "19488", "19502", "19520", "19530", "19531"]
    );
    assert_eq!(selected_id(&s), "19477");
    assert_eq!(s.layer(), Layer::Table);
}

#[test]
fn moves_with_vim_keys_arrows_pages_and_ends() {
    let mut s = state(false);
    press(&mut s, ch('j'));
    assert_eq!(selected_id(&s), "19488");
    press(&mut s, key(KeyCode::Down));
    assert_eq!(selected_id(&s), "19502");
    press(&mut s, ch('k'));
    press(&mut s, key(KeyCode::Up));
    press(&mut s, key(KeyCode::Up));
    assert_eq!(selected_id(&s), "19477", "stops at the top");
    press(&mut s, ch('G'));
    assert_eq!(selected_id(&s), "19531");
    press(&mut s, ch('j'));
    assert_eq!(selected_id(&s), "19531", "stops at the bottom");
    press(&mut s, ch('g'));
    assert_eq!(selected_id(&s), "19477");
    press(&mut s, key(KeyCode::End));
    assert_eq!(selected_id(&s), "19531");
    press(&mut s, key(KeyCode::Home));
    assert_eq!(selected_id(&s), "19477");

    // A small terminal: 8 rows = 2 table rows at this size.
    press(
        &mut s,
        Msg::Resize {
            width: 80,
            height: 6,
        },
    );
    press(&mut s, key(KeyCode::PageDown));
    assert_eq!(selected_id(&s), "19502");
    press(&mut s, key(KeyCode::PageDown));
    assert_eq!(selected_id(&s), "19530");
    press(&mut s, key(KeyCode::PageUp));
    assert_eq!(selected_id(&s), "19502");
    press(&mut s, ctrl('d'));
    assert_eq!(selected_id(&s), "19530");
}

#[test]
fn selection_follows_the_order_through_refreshes_and_resorts() {
    let mut s = state(false);
    select(&mut s, "19502");
    assert_eq!(s.cursor(), 2);
    // An older order arrives: it sorts first, the selection stays on 19502.
    let older = order(
        "19400",
        "new",
        Duration::days(30),
        "Sven",
        "Ek",
        "Fiber 100/10",
    );
    press(
        &mut s,
        Msg::Sync(SyncEvent::Orders {
            carrier: Arc::from("tg"),
            orders: vec![older],
        }),
    );
    assert_eq!(ids(&s)[0], "19400");
    assert_eq!(selected_id(&s), "19502");
    assert_eq!(s.cursor(), 3);
    // A refreshed copy of the selected order replaces it in place.
    let mut changed = orders().remove(2);
    changed.status = status("active");
    s.upsert_orders(vec![changed]);
    assert_eq!(selected_id(&s), "19502");
    assert_eq!(s.selected().unwrap().status.raw, "active");
    assert_eq!(s.orders_len(), 9);
    // Re-sorting keeps it too.
    press(&mut s, ch('S'));
    assert_eq!(selected_id(&s), "19502");
    // It leaves the view when it is delivered: the cursor stays in place.
    let mut done = orders().remove(2);
    done.status = status("delivered");
    let pos = s.cursor();
    s.upsert_orders(vec![done]);
    assert!(!ids(&s).contains(&"19502".to_string()));
    assert_eq!(s.cursor(), pos.min(ids(&s).len() - 1));
}

// --- sorting ----------------------------------------------------------------

#[test]
fn s_cycles_columns_and_capital_s_reverses() {
    let mut s = state(false);
    press(&mut s, ch('s')); // updated
    press(&mut s, ch('s')); // customer
    press(&mut s, ch('s')); // service
    press(&mut s, ch('s')); // schedule
    press(&mut s, ch('s')); // carrier
    press(&mut s, ch('s')); // id
    assert_eq!(
        ids(&s),
        ["19477", "19488", "19502", "19520", "19530", "19531"]
    );
    press(&mut s, ch('S'));
    assert_eq!(
        ids(&s),
        ["19531", "19530", "19520", "19502", "19488", "19477"]
    );
    // Cycling on from id: status, stage, age, updated, customer.
    for _ in 0..5 {
        press(&mut s, ch('s'));
    }
    let sort = s.store().sort();
    assert_eq!(sort.column, app::SortColumn::Customer);
    assert!(!sort.reversed, "a new column starts ascending");
    let customers: Vec<String> = s
        .visible_keys()
        .iter()
        .map(|k| s.store().by_key(k).unwrap().customer.to_string())
        .collect();
    assert_eq!(
        customers,
        [
            "Björn Håkansson",
            "Johan Ekström",
            "Karin Nyström",
            "Märta Öberg",
            "Per Åkesson",
            "Åsa Lindqvist"
        ]
    );
    // service, schedule, carrier, id, status, stage
    for _ in 0..6 {
        press(&mut s, ch('s'));
    }
    assert_eq!(s.store().sort().column, app::SortColumn::Stage);
    let first = s.selected().map(|o| o.key.id.clone());
    assert_eq!(ids(&s)[..2], ["19530", "19531"], "new first, oldest first");
    assert_eq!(first.as_deref(), Some("19477"), "selection kept");
}

#[test]
fn cycle_sort_method_matches_the_key() {
    let mut a = state(false);
    let mut b = state(false);
    a.cycle_sort();
    press(&mut b, ch('s'));
    assert_eq!(a.visible_keys(), b.visible_keys());
    assert_eq!(a.store().sort(), b.store().sort());
}

// --- filter -----------------------------------------------------------------

#[test]
fn filter_narrows_live_and_esc_clears() {
    let mut s = state(false);
    press(&mut s, ch('/'));
    assert_eq!(s.layer(), Layer::Filter);
    typ(&mut s, "fiber");
    assert_eq!(ids(&s), ["19477", "19502", "19520", "19530", "19531"]);
    typ(&mut s, " 250");
    assert_eq!(ids(&s), ["19520", "19530"]);
    // Letters type, they do not navigate.
    typ(&mut s, "j");
    assert!(ids(&s).is_empty());
    press(&mut s, key(KeyCode::Backspace));
    assert_eq!(ids(&s), ["19520", "19530"]);
    assert_eq!(selected_id(&s), "19520");
    press(&mut s, key(KeyCode::Down));
    assert_eq!(selected_id(&s), "19530");
    // Enter keeps the filter and returns to the table.
    press(&mut s, key(KeyCode::Enter));
    assert_eq!(s.layer(), Layer::Table);
    assert_eq!(s.filter_input().text(), "fiber 250");
    assert_eq!(ids(&s), ["19520", "19530"]);
    assert_eq!(selected_id(&s), "19530");
    // Esc in the bar clears.
    press(&mut s, ch('/'));
    press(&mut s, key(KeyCode::Esc));
    assert_eq!(s.layer(), Layer::Table);
    assert_eq!(s.filter_input().text(), "");
    assert_eq!(ids(&s).len(), 6);
    assert_eq!(
        selected_id(&s),
        "19530",
        "selection kept when it stays visible"
    );
    // Esc in the table clears a kept filter too.
    s.set_filter("åsa");
    assert_eq!(ids(&s), ["19530"]);
    press(&mut s, key(KeyCode::Esc));
    assert_eq!(s.filter_input().text(), "");
    assert_eq!(ids(&s).len(), 6);
}

#[test]
fn filter_is_case_insensitive_over_visible_text() {
    let mut s = state(false);
    s.set_filter("ÅSA");
    assert_eq!(ids(&s), ["19530"]);
    s.set_filter("tg/1950");
    assert_eq!(ids(&s), ["19502"]);
    s.set_filter("waiting");
    assert_eq!(ids(&s), ["19477"]);
    s.set_filter("öberg fiber");
    assert_eq!(ids(&s), ["19502"]);
}

#[test]
fn filter_tokens() {
    let mut s = state(false);
    s.set_filter("stage:new");
    assert_eq!(ids(&s), ["19530", "19531"]);
    s.set_filter("stage:progress");
    assert_eq!(ids(&s), ["19488", "19502", "19520"]);
    s.set_filter("stage:stalled");
    assert_eq!(ids(&s), ["19477"]);
    s.set_filter("stage:needs_attention");
    assert_eq!(ids(&s), ["19477"]);
    s.set_filter("status:received fiber");
    assert_eq!(ids(&s), ["19502", "19520"]);
    s.set_filter("carrier:tg kind:tjansteguiden stage:new");
    assert_eq!(ids(&s), ["19530", "19531"]);
    s.set_filter("carrier:other");
    assert!(ids(&s).is_empty());
    s.set_filter("stage:bogus");
    assert!(ids(&s).is_empty());
    assert_eq!(s.store().filter().problems.len(), 1);
    // Done and closed stages need the "everything" view.
    press(&mut s, ch('4'));
    s.set_filter("stage:done");
    assert_eq!(ids(&s), ["19460"]);
    s.set_filter("stage:closed");
    assert_eq!(ids(&s), ["19455"]);
}

#[test]
fn paste_goes_into_the_open_filter_bar() {
    let mut s = state(false);
    press(&mut s, ch('/'));
    press(&mut s, Msg::Paste("Nyström\n".into()));
    assert_eq!(ids(&s), ["19477"]);
}

// --- views ------------------------------------------------------------------

#[test]
fn number_keys_switch_views() {
    let mut s = state(false);
    press(&mut s, ch('2'));
    assert_eq!(ids(&s), ["19477", "19488", "19502"]);
    press(&mut s, ch('3'));
    assert_eq!(ids(&s), ["19530", "19531"]);
    press(&mut s, ch('4'));
    assert_eq!(
        ids(&s),
        [
            "19455", "19460", "19477", "19488", "19502", "19520", "19530", "19531"
        ]
    );
    press(&mut s, ch('1'));
    assert_eq!(ids(&s).len(), 6);
    assert_eq!(s.store().view_count(app::ViewKind::Attention), 3);
}

// --- detail -------------------------------------------------------------------

#[test]
fn detail_focus_tabs_and_customer_loads_once() {
    let mut s = state(false);
    press(
        &mut s,
        Msg::Resize {
            width: 80,
            height: 16,
        },
    );
    select(&mut s, "19502");
    let fx = press(&mut s, key(KeyCode::Enter));
    assert!(fx.is_empty());
    assert_eq!(s.focus(), Focus::Detail);
    assert_eq!(s.layer(), Layer::Detail);
    assert_eq!(s.detail().tab, Tab::Overview);
    // j scrolls the detail, not the table.
    press(&mut s, ch('j'));
    assert_eq!(s.detail().scroll, 1);
    assert_eq!(selected_id(&s), "19502");
    let fx = press(&mut s, ch('l'));
    assert_eq!(s.detail().tab, Tab::Customer);
    assert_eq!(s.detail().scroll, 0);
    assert_eq!(fx, [load_customer(&s, "19502")]);
    assert!(s.customer_loading(&tg("19502")));
    // Leaving and re-entering does not ask again while loading.
    press(&mut s, key(KeyCode::Right));
    assert_eq!(s.detail().tab, Tab::Items);
    assert!(press(&mut s, ch('h')).is_empty());
    // The answer arrives.
    let mut loaded = orders().remove(2);
    loaded
        .customer_fields
        .push(("member".into(), "1234".into()));
    press(
        &mut s,
        Msg::CustomerLoaded {
            key: tg("19502"),
            result: Ok(loaded),
        },
    );
    assert!(s.selected_order().unwrap().customer_loaded);
    assert!(!s.customer_loading(&tg("19502")));
    press(&mut s, ch('l'));
    assert!(
        press(&mut s, ch('h')).is_empty(),
        "loaded: no second request"
    );
    // A poll's copy without customer details keeps the loaded ones.
    s.upsert_orders(vec![orders().remove(2)]);
    let sel = s.selected_order().unwrap();
    assert!(sel.customer_loaded);
    assert!(
        sel.customer_fields
            .iter()
            .any(|(n, v)| n == "member" && v == "1234")
    );
    // Tabs wrap; Log then Raw.
    press(&mut s, key(KeyCode::Left));
    press(&mut s, key(KeyCode::Left));
    assert_eq!(s.detail().tab, Tab::Raw);
    press(&mut s, key(KeyCode::Left));
    assert_eq!(s.detail().tab, Tab::Log);
    assert!(!s.detail().log_oldest_first);
    press(&mut s, ch('L'));
    assert!(s.detail().log_oldest_first);
    // Esc and Tab go back to the table.
    press(&mut s, key(KeyCode::Esc));
    assert_eq!(s.focus(), Focus::Table);
    press(&mut s, key(KeyCode::Tab));
    assert_eq!(s.focus(), Focus::Detail);
    press(&mut s, key(KeyCode::Tab));
    assert_eq!(s.focus(), Focus::Table);
}

#[test]
fn customer_tab_requests_per_order_and_retries_after_an_error() {
    let mut s = state(false);
    press(&mut s, key(KeyCode::Enter));
    assert_eq!(press(&mut s, ch('l')), [load_customer(&s, "19477")]);
    // ] moves to the next order and asks for its customer.
    assert_eq!(press(&mut s, ch(']')), [load_customer(&s, "19488")]);
    press(
        &mut s,
        Msg::CustomerLoaded {
            key: tg("19488"),
            result: Err(CarrierError::Timeout("customer_info".into())),
        },
    );
    assert!(
        s.customer_error(&tg("19488"))
            .unwrap()
            .contains("timed out")
    );
    press(&mut s, ch('l'));
    assert_eq!(press(&mut s, ch('h')), [load_customer(&s, "19488")]);
}

// --- dialogs --------------------------------------------------------------------

/// The runtime's report of a settled write to order `id`, with the order
/// as re-read after it when it was.
fn finished(
    ticket: Ticket,
    id: &str,
    result: Result<WriteReceipt, CarrierError>,
    reread: Option<Order>,
) -> Msg {
    Msg::WriteSettled(Box::new(WriteSettled {
        ticket,
        key: tg(id),
        result,
        entry: None,
        order: reread,
    }))
}

/// The portal's receipt for setting 19530 to received.
fn received_19530() -> Result<WriteReceipt, CarrierError> {
    Ok(WriteReceipt {
        message: "Status changed to received for order 19530".into(),
    })
}

#[test]
fn a_write_the_executor_already_re_read_asks_for_no_other_read() {
    let mut s = state(false);
    select(&mut s, "19530");
    press(&mut s, ch('a'));
    let fx = press(&mut s, key(KeyCode::Enter));
    let (ticket, _, _) = execute(&fx).expect("sent");
    // The runtime delivers the executor's re-read with the outcome.
    let mut reread = orders().remove(0);
    reread.status = status("received");
    let fx = press(
        &mut s,
        finished(ticket, "19530", received_19530(), Some(reread)),
    );
    assert!(fx.is_empty(), "{fx:?}");
    assert!(s.dialog().is_none());
    assert_eq!(s.selected().unwrap().status.raw, "received");
}

#[test]
fn acknowledge_sends_and_reloads_on_success() {
    let mut s = state(false);
    select(&mut s, "19530");
    assert!(press(&mut s, ch('a')).is_empty());
    assert_eq!(form(&s).action, ActionKind::Acknowledge);
    assert_eq!(s.layer(), Layer::Dialog);
    let fx = press(&mut s, key(KeyCode::Enter));
    let (ticket, key_, request) = execute(&fx).expect("sent");
    assert_eq!(key_, tg("19530"));
    assert_eq!(request.param("status"), Some("received"));
    assert!(matches!(s.dialog(), Some(Dialog::Sending { .. })));
    // Keys other than Esc are ignored while sending.
    assert!(press(&mut s, key(KeyCode::Enter)).is_empty());
    assert!(typ(&mut s, "q").is_empty());
    assert!(!s.should_quit());
    let fx = press(&mut s, finished(ticket, "19530", received_19530(), None));
    assert_eq!(fx, [Effect::ReloadOrder(tg("19530"))]);
    assert!(s.dialog().is_none());
    assert_eq!(
        status_text(&s),
        "tg/19530: Status changed to received for order 19530"
    );
    // The re-read order shows the new status.
    let mut reread = orders().remove(0);
    reread.status = status("received");
    press(
        &mut s,
        Msg::OrderReloaded {
            key: tg("19530"),
            result: Ok(reread),
        },
    );
    assert_eq!(s.selected().unwrap().status.raw, "received");
}

#[test]
fn unavailable_actions_say_why() {
    let mut s = state(false);
    select(&mut s, "19502");
    press(&mut s, ch('a'));
    assert!(s.dialog().is_none());
    assert_eq!(
        status_text(&s),
        "cannot acknowledge tg/19502: order is received, not new"
    );
    press(&mut s, ch('p'));
    assert_eq!(
        status_text(&s),
        "cannot add pay link tg/19502: not offered by this carrier"
    );
    press(&mut s, ch('4'));
    select(&mut s, "19455");
    press(&mut s, ch('c'));
    assert_eq!(
        status_text(&s),
        "cannot cancel order tg/19455: order is cancelled"
    );
}

#[test]
fn set_status_backwards_asks_first_and_keeps_the_choice() {
    let mut s = state(false);
    press(&mut s, ch('4'));
    select(&mut s, "19460");
    press(&mut s, ch('t'));
    match &form(&s).fields[0] {
        FieldValue::Choice {
            selected, current, ..
        } => {
            assert_eq!(*selected, 4, "starts on the current status");
            assert_eq!(*current, Some(4), "current status is marked");
        }
        other => panic!("{other:?}"),
    }
    // Choosing the current status is refused inline.
    press(&mut s, key(KeyCode::Enter));
    assert_eq!(form(&s).errors.len(), 1);
    assert_eq!(form(&s).errors[0].field, Some("status"));
    // Letters do not type into a choice; arrows move.
    for _ in 0..4 {
        press(&mut s, key(KeyCode::Up));
    }
    assert_eq!(form(&s).values().get("status"), "new");
    assert!(
        form(&s).errors.is_empty(),
        "editing clears the field's error"
    );
    let fx = press(&mut s, key(KeyCode::Enter));
    assert!(execute(&fx).is_none(), "backwards asks first");
    match s.dialog() {
        Some(Dialog::Confirm {
            step: ConfirmStep::YesNo(q),
            request,
            ..
        }) => {
            assert_eq!(q, "Move order 19460 back from delivered to new?");
            assert_eq!(request.summary, "set status new");
        }
        other => panic!("{other:?}"),
    }
    // n goes back to the form with the choice kept.
    press(&mut s, ch('n'));
    assert_eq!(form(&s).values().get("status"), "new");
    press(&mut s, key(KeyCode::Enter));
    // Esc on the confirmation also goes back.
    press(&mut s, key(KeyCode::Esc));
    assert_eq!(form(&s).values().get("status"), "new");
    press(&mut s, key(KeyCode::Enter));
    let fx = press(&mut s, ch('y'));
    let (_, _, request) = execute(&fx).expect("sent after yes");
    assert_eq!(request.param("status"), Some("new"));
}

#[test]
fn set_status_forwards_sends_without_asking() {
    let mut s = state(false);
    select(&mut s, "19502");
    press(&mut s, ch('t'));
    press(&mut s, key(KeyCode::Down)); // received -> active
    let fx = press(&mut s, key(KeyCode::Enter));
    let (_, _, request) = execute(&fx).expect("sent");
    assert_eq!(request.param("status"), Some("active"));
}

#[test]
fn cancel_needs_the_order_id_typed() {
    let mut s = state(false);
    select(&mut s, "19488");
    press(&mut s, ch('c'));
    press(&mut s, key(KeyCode::Enter));
    assert!(matches!(
        s.dialog(),
        Some(Dialog::Confirm {
            step: ConfirmStep::TypeToConfirm { .. },
            ..
        })
    ));
    assert!(
        press(&mut s, key(KeyCode::Enter)).is_empty(),
        "nothing typed"
    );
    typ(&mut s, "1948");
    assert!(execute(&press(&mut s, key(KeyCode::Enter))).is_none());
    typ(&mut s, "9");
    assert!(execute(&press(&mut s, key(KeyCode::Enter))).is_none());
    press(&mut s, key(KeyCode::Backspace));
    typ(&mut s, "8");
    let fx = press(&mut s, key(KeyCode::Enter));
    let (_, key_, request) = execute(&fx).expect("sent once the id matches");
    assert_eq!(key_, tg("19488"));
    assert_eq!(request.param("status"), Some("cancelled"));
}

#[test]
fn set_status_cancelled_needs_the_order_id_typed_like_cancel() {
    let mut s = state(false);
    select(&mut s, "19502");
    press(&mut s, ch('t'));
    while form(&s).values().get("status") != "cancelled" {
        press(&mut s, key(KeyCode::Down));
    }
    let fx = press(&mut s, key(KeyCode::Enter));
    assert!(execute(&fx).is_none(), "asks first");
    match s.dialog() {
        Some(Dialog::Confirm {
            step: ConfirmStep::TypeToConfirm {
                prompt, expected, ..
            },
            ..
        }) => {
            assert_eq!(expected, "19502");
            assert!(prompt.contains("Type the order id"), "{prompt}");
        }
        other => panic!("expected type-to-confirm, got {other:?}"),
    }
    for k in [ch('y'), key(KeyCode::Enter)] {
        assert!(
            execute(&press(&mut s, k)).is_none(),
            "y/enter alone never sends"
        );
    }
    press(&mut s, key(KeyCode::Backspace)); // the typed y
    typ(&mut s, "19502");
    let fx = press(&mut s, key(KeyCode::Enter));
    let (_, key_, request) = execute(&fx).expect("sent once the id matches");
    assert_eq!(key_, tg("19502"));
    assert_eq!(request.param("status"), Some("cancelled"));
}

#[test]
fn esc_closes_a_dialog_before_sending() {
    let mut s = state(false);
    select(&mut s, "19488");
    // Cancel has no fields: it opens on its confirmation, and Esc closes it.
    press(&mut s, ch('c'));
    let fx = press(&mut s, key(KeyCode::Esc));
    assert!(fx.is_empty());
    assert!(s.dialog().is_none());
    assert_eq!(status_text(&s), "tg/19488: closed, nothing sent");
}

#[test]
fn add_message_refuses_empty_text_and_sends_multiple_lines() {
    let mut s = state(false);
    select(&mut s, "19502");
    press(&mut s, ch('m'));
    // Opens on the message text; the type is preselected.
    assert_eq!(form(&s).focus, 1);
    assert_eq!(form(&s).values().get("type"), "log");
    // Type choice: log -> system -> alert.
    press(&mut s, key(KeyCode::BackTab));
    press(&mut s, key(KeyCode::Up));
    press(&mut s, key(KeyCode::Up));
    assert_eq!(form(&s).values().get("type"), "alert");
    press(&mut s, key(KeyCode::Tab));
    assert_eq!(form(&s).focus, 1);
    // Ctrl-S with an empty message: refused by the profile, shown inline.
    let fx = press(&mut s, ctrl('s'));
    assert!(execute(&fx).is_none());
    let f = form(&s);
    assert_eq!(f.field_errors(1).count(), 1);
    assert_eq!(f.focus, 1);
    // Enter inserts a newline in the message.
    typ(&mut s, "Port finns ej");
    press(&mut s, key(KeyCode::Enter));
    typ(&mut s, "Ring kunden på 070-305 19 47");
    assert!(form(&s).errors.is_empty());
    let fx = press(&mut s, ctrl('s'));
    let (_, _, request) = execute(&fx).expect("sent");
    assert_eq!(request.param("type"), Some("alert"));
    assert_eq!(
        request.param("message"),
        Some("Port finns ej\nRing kunden på 070-305 19 47")
    );
}

#[test]
fn multi_field_form_shows_coded_errors_inline_and_keeps_input() {
    let mut s = state(false);
    select(&mut s, "19502");
    press(&mut s, ch('u'));
    assert_eq!(form(&s).form.fields.len(), 3);
    assert_eq!(form(&s).values().get("last"), "Märta Öberg", "prefilled");
    // Go to the first name and type; then submit with a bad date.
    press(&mut s, key(KeyCode::Down));
    typ(&mut s, "Märta");
    press(&mut s, key(KeyCode::Enter));
    let f = form(&s);
    assert_eq!(f.focus, 0, "focus on the first bad field");
    let date_errors: Vec<_> = f.field_errors(0).collect();
    assert_eq!(date_errors.len(), 1);
    assert_eq!(date_errors[0].code.as_deref(), Some("20070"));
    assert_eq!(f.values().get("first"), "Märta", "input kept");
    // Too soon.
    typ(&mut s, "2026-03-02");
    press(&mut s, key(KeyCode::Enter));
    let f = form(&s);
    assert_eq!(
        f.field_errors(0).next().unwrap().code.as_deref(),
        Some("20068")
    );
    assert_eq!(f.values().get("date"), "2026-03-02");
    // Fix date; clear the first name: its error, focus moves there.
    press(&mut s, key(KeyCode::Backspace));
    typ(&mut s, "9");
    press(&mut s, key(KeyCode::Tab));
    press(&mut s, ctrl('u'));
    press(&mut s, key(KeyCode::Enter));
    let f = form(&s);
    assert_eq!(f.focus, 1);
    assert_eq!(
        f.field_errors(1).next().unwrap().code.as_deref(),
        Some("20072")
    );
    assert_eq!(f.field_errors(0).count(), 0);
    // Max length on the first name (20).
    typ(&mut s, "Märta Margareta Elisabet");
    assert_eq!(form(&s).values().get("first").chars().count(), 20);
    // A form-level error.
    press(&mut s, key(KeyCode::Tab));
    typ(&mut s, "9");
    press(&mut s, key(KeyCode::Enter));
    assert_eq!(form(&s).form_errors().count(), 1);
    press(&mut s, key(KeyCode::Backspace));
    let fx = press(&mut s, key(KeyCode::Enter));
    let (_, _, request) = execute(&fx).expect("sent");
    assert_eq!(
        request.param("customerRequestDate"),
        Some("2026-03-09T00:00:00Z")
    );
}

#[test]
fn rejected_outcome_is_shown_verbatim_and_input_kept() {
    let mut s = state(false);
    select(&mut s, "19502");
    press(&mut s, ch('m'));
    typ(&mut s, "Kunden vill avvakta");
    let (ticket, _, _) = execute(&press(&mut s, ctrl('s'))).unwrap();
    let fx = press(
        &mut s,
        finished(
            ticket,
            "19502",
            Err(CarrierError::Rejected {
                code: "ERR_TYPE".into(),
                message: "Invalid message type".into(),
            }),
            None,
        ),
    );
    assert!(fx.is_empty(), "a refusal changed nothing: no reload");
    let f = form(&s);
    let answer = f.send_error.as_deref().unwrap();
    assert!(answer.contains("ERR_TYPE"), "{answer}");
    assert!(answer.contains("Invalid message type"), "{answer}");
    assert_eq!(f.values().get("message"), "Kunden vill avvakta");
    assert!(status_text(&s).contains("ERR_TYPE Invalid message type"));
    // Sending again gets a new ticket.
    let (again, _, _) = execute(&press(&mut s, ctrl('s'))).unwrap();
    assert!(again > ticket);
}

#[test]
fn unknown_outcome_rereads_the_order() {
    let mut s = state(false);
    select(&mut s, "19530");
    press(&mut s, ch('a'));
    let (ticket, _, _) = execute(&press(&mut s, key(KeyCode::Enter))).unwrap();
    let fx = press(
        &mut s,
        finished(
            ticket,
            "19530",
            Err(CarrierError::Timeout("no answer in 30s".into())),
            None,
        ),
    );
    assert_eq!(fx, [Effect::ReloadOrder(tg("19530"))]);
    assert!(
        form(&s)
            .send_error
            .as_deref()
            .unwrap()
            .contains("may have applied it")
    );
}

#[test]
fn esc_while_sending_hides_and_the_outcome_still_lands() {
    let mut s = state(false);
    select(&mut s, "19530");
    press(&mut s, ch('a'));
    let (ticket, _, _) = execute(&press(&mut s, key(KeyCode::Enter))).unwrap();
    press(&mut s, key(KeyCode::Esc));
    assert!(s.dialog().is_none());
    assert_eq!(s.pending().len(), 1);
    // q asks again while a write is in flight.
    let fx = press(&mut s, ch('q'));
    assert!(fx.is_empty());
    assert!(status_text(&s).contains("press q again"));
    let fx = press(&mut s, finished(ticket, "19530", received_19530(), None));
    assert_eq!(fx, [Effect::ReloadOrder(tg("19530"))]);
    assert!(s.dialog().is_none(), "no dialog pops up again");
    assert!(s.pending().is_empty());
    assert!(status_text(&s).starts_with("tg/19530: Status changed"));
    assert_eq!(press(&mut s, ch('q')), [Effect::Quit]);
    assert!(s.should_quit());
}

// --- read-only ------------------------------------------------------------------

#[test]
fn read_only_disables_every_action_key() {
    let mut s = state(true);
    select(&mut s, "19530");
    for (c, label) in [
        ('a', "acknowledge"),
        ('t', "set status"),
        ('c', "cancel order"),
        ('m', "add message"),
        ('u', "supplement"),
        ('p', "add pay link"),
    ] {
        let fx = press(&mut s, ch(c));
        assert!(fx.is_empty(), "{c}");
        assert!(s.dialog().is_none(), "{c}");
        assert_eq!(
            status_text(&s),
            format!("read-only mode: {label} is disabled")
        );
    }
    // Also from the detail pane.
    press(&mut s, key(KeyCode::Enter));
    press(&mut s, ch('m'));
    assert!(s.dialog().is_none());
    assert_eq!(status_text(&s), "read-only mode: add message is disabled");
}

#[test]
fn read_only_never_emits_execute_whatever_is_pressed() {
    let mut s = state(true);
    let keys: Vec<Msg> = "atcmupjkJKhl/\n1234gGsS?oy"
        .chars()
        .map(|c| {
            if c == '\n' {
                key(KeyCode::Enter)
            } else {
                ch(c)
            }
        })
        .chain([
            key(KeyCode::Enter),
            key(KeyCode::Tab),
            key(KeyCode::Esc),
            ctrl('s'),
            key(KeyCode::Down),
        ])
        .collect();
    // A deterministic walk over many combinations.
    let mut x: u64 = 0x9e37_79b9;
    for _ in 0..3000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let msg = keys[(x % keys.len() as u64) as usize].clone();
        let fx = app::update(&mut s, msg);
        assert!(
            !fx.iter().any(|e| matches!(e, Effect::Execute { .. })),
            "{fx:?}"
        );
        assert!(s.dialog().is_none());
        if s.should_quit() {
            break;
        }
    }
}

// --- keys, help, quit -----------------------------------------------------------

#[test]
fn key_map_overrides_apply_and_errors_are_precise() {
    let mut keys = BTreeMap::new();
    keys.insert("refresh".to_string(), "F5".to_string());
    keys.insert("acknowledge".to_string(), "ctrl-a".to_string());
    let mut o = options(false);
    o.keys = keys;
    let mut s = State::new(carriers(), o).unwrap();
    s.upsert_orders(orders());
    assert!(press(&mut s, ch('r')).is_empty());
    assert_eq!(
        press(&mut s, key(KeyCode::F(5))),
        [Effect::Refresh { carrier: None }]
    );
    select(&mut s, "19530");
    press(&mut s, ch('a'));
    assert!(s.dialog().is_none());
    press(&mut s, ctrl('a'));
    assert!(s.dialog().is_some());

    for (name, value, expect) in [
        ("refesh", "r", "unknown action \"refesh\""),
        (
            "refresh",
            "hyper-r",
            "keys.refresh: unknown key \"hyper-r\"",
        ),
        ("quit", "", "keys.quit: no key given"),
        ("refresh", "q", "keys.refresh: q is the key of quit"),
    ] {
        let mut o = options(false);
        o.keys.insert(name.into(), value.into());
        let err = State::new(carriers(), o).unwrap_err();
        assert!(err.contains(expect), "{err}");
    }
}

#[test]
fn refresh_keys() {
    let mut s = state(false);
    assert_eq!(press(&mut s, ch('r')), [Effect::Refresh { carrier: None }]);
    assert_eq!(
        press(&mut s, ch('R')),
        [Effect::Refresh {
            carrier: Some(Arc::from("tg"))
        }]
    );
}

#[test]
fn help_overlay_takes_keys_until_closed() {
    let mut s = state(false);
    press(&mut s, ch('?'));
    assert_eq!(s.layer(), Layer::Help);
    press(&mut s, ch('j'));
    assert_eq!(s.help_scroll(), Some(1));
    assert_eq!(selected_id(&s), "19477", "the table did not move");
    // q closes the help, it does not quit.
    assert!(press(&mut s, ch('q')).is_empty());
    assert_eq!(s.layer(), Layer::Table);
    press(&mut s, ch('?'));
    press(&mut s, key(KeyCode::Esc));
    assert_eq!(s.help_scroll(), None);
    // The help lists what the keys do, from the same table.
    let help = s.keymap().help();
    let table = &help.iter().find(|(l, _)| *l == Layer::Table).unwrap().1;
    assert!(table.iter().any(|(k, d)| k == "s" && d.contains("sort")));
}

#[test]
fn quit_keys() {
    let mut s = state(false);
    assert_eq!(press(&mut s, ch('q')), [Effect::Quit]);
    assert!(s.should_quit());
    // Ctrl-C quits from inside a dialog (where q types).
    let mut s = state(false);
    select(&mut s, "19502");
    press(&mut s, ch('m'));
    typ(&mut s, "q");
    assert!(!s.should_quit());
    // With text typed, the first ctrl-c asks; the second quits.
    assert_eq!(press(&mut s, ctrl('c')), []);
    assert_eq!(press(&mut s, ctrl('c')), [Effect::Quit]);
}

// --- sync events ------------------------------------------------------------------

#[test]
fn sync_events_drive_chips_and_order_errors() {
    let mut s = state(false);
    let tgname: Arc<str> = Arc::from("tg");
    let chip = |s: &State| s.carriers()[0].chip.clone();
    assert_eq!(chip(&s).phase, SyncPhase::Never);
    press(
        &mut s,
        Msg::Sync(SyncEvent::Started {
            carrier: tgname.clone(),
        }),
    );
    press(
        &mut s,
        Msg::Sync(SyncEvent::Progress {
            carrier: tgname.clone(),
            done: 120,
            total: 300,
        }),
    );
    assert_eq!(
        chip(&s).phase,
        SyncPhase::Syncing {
            done: 120,
            total: 300
        }
    );
    // A failing order is marked; an unknown one is counted.
    press(
        &mut s,
        Msg::Sync(SyncEvent::OrderFailed {
            key: tg("19530"),
            error: CarrierError::Timeout("order_info".into()),
        }),
    );
    press(
        &mut s,
        Msg::Sync(SyncEvent::OrderFailed {
            key: tg("99999"),
            error: CarrierError::NotFound("99999".into()),
        }),
    );
    assert_eq!(s.orders_len(), 8, "no placeholder for unknown keys");
    let o = s.store().by_key(&tg("19530")).unwrap();
    assert!(o.fetch_error.as_deref().unwrap().contains("timed out"));
    assert!(o.needs_attention());
    assert_eq!(chip(&s).unknown_failed, 1);
    press(
        &mut s,
        Msg::Sync(SyncEvent::Finished {
            carrier: tgname.clone(),
            result: Ok(PollSummary {
                listed: 300,
                fetched: 299,
                failed: 1,
                warning: None,
            }),
            next_poll: None,
        }),
    );
    assert_eq!(chip(&s).phase, SyncPhase::Ok);
    assert_eq!(chip(&s).last_ok, Some(now()));
    // Stale after a while without a good sync.
    press(&mut s, Msg::Tick(now() + Duration::minutes(15)));
    assert!(chip(&s).is_stale(s.now()));
    // With a poll planned in an hour, an hour-old sync is not stale; an
    // overdue poll is.
    press(
        &mut s,
        Msg::Sync(SyncEvent::Finished {
            carrier: tgname.clone(),
            result: Ok(PollSummary::default()),
            next_poll: Some(now() + Duration::minutes(75)),
        }),
    );
    press(&mut s, Msg::Tick(now() + Duration::minutes(70)));
    assert!(!chip(&s).is_stale(s.now()));
    press(&mut s, Msg::Tick(now() + Duration::minutes(80)));
    assert!(chip(&s).is_stale(s.now()));
    // An error.
    press(
        &mut s,
        Msg::Sync(SyncEvent::Finished {
            carrier: tgname.clone(),
            result: Err(CarrierError::Unavailable {
                code: Some("503".into()),
                message: "Service Unavailable".into(),
                retry_after: None,
                sent: false,
            }),
            next_poll: None,
        }),
    );
    assert_eq!(chip(&s).phase, SyncPhase::Error("unavailable 503".into()));
    assert!(status_text(&s).contains("tg: sync failed"));
    // Orders of a carrier that is not configured are ignored.
    let mut stray = orders().remove(0);
    stray.key = OrderKey::new("other", "1");
    press(
        &mut s,
        Msg::Sync(SyncEvent::Orders {
            carrier: Arc::from("other"),
            orders: vec![stray],
        }),
    );
    assert_eq!(s.orders_len(), 8);
}

#[test]
fn info_messages_expire_on_tick_errors_stay_until_a_key() {
    let mut s = state(false);
    press(&mut s, ch('r'));
    assert!(s.status().is_some());
    press(&mut s, Msg::Tick(now() + Duration::seconds(11)));
    assert!(s.status().is_none());
    select(&mut s, "19530");
    press(&mut s, ch('a'));
    let (ticket, _, _) = execute(&press(&mut s, key(KeyCode::Enter))).unwrap();
    press(&mut s, key(KeyCode::Esc));
    press(
        &mut s,
        finished(
            ticket,
            "19530",
            Err(CarrierError::Rejected {
                code: "E1".into(),
                message: "nope".into(),
            }),
            None,
        ),
    );
    press(&mut s, Msg::Tick(now() + Duration::minutes(5)));
    assert!(status_text(&s).contains("refused: E1 nope"));
    press(&mut s, ch('j'));
    assert!(s.status().is_none());
}

#[test]
fn scrolling_stops_at_the_end_so_scrolling_back_moves_at_once() {
    let mut s = state(false);
    press(
        &mut s,
        Msg::Resize {
            width: 80,
            height: 16,
        },
    );
    select(&mut s, "19502");
    press(&mut s, key(KeyCode::Enter));
    press(&mut s, ch('G'));
    let max = s.detail().scroll;
    assert!(max > 0, "the overview is longer than 80x24 shows");
    for _ in 0..50 {
        press(&mut s, ch('j'));
    }
    assert_eq!(s.detail().scroll, max);
    press(&mut s, ch('k'));
    assert_eq!(s.detail().scroll, max - 1);
    press(&mut s, ch('g'));
    assert_eq!(s.detail().scroll, 0);
    press(&mut s, key(KeyCode::Esc));

    press(&mut s, ch('?'));
    press(&mut s, ch('G'));
    let max = s.help_scroll().unwrap();
    assert!(max > 0);
    press(&mut s, ch('j'));
    assert_eq!(s.help_scroll(), Some(max));
    press(&mut s, ch('k'));
    assert_eq!(s.help_scroll(), Some(max - 1));
}

#[test]
fn reported_scroll_limits_pull_back_a_scroll_past_them() {
    let mut s = state(false);
    press(
        &mut s,
        Msg::Resize {
            width: 80,
            height: 16,
        },
    );
    select(&mut s, "19502");
    press(&mut s, key(KeyCode::Enter));
    press(&mut s, ch('j'));
    press(&mut s, ch('j'));
    assert_eq!(s.detail().scroll, 2);
    // The content shrank to one scroll step: ui says so, the app follows.
    app::update(
        &mut s,
        Msg::ScrollLimits(ScrollLimits {
            detail: 1,
            help: 0,
            dialog: 0,
            ..ScrollLimits::UNMEASURED
        }),
    );
    assert_eq!(s.detail().scroll, 1);
    press(&mut s, ch('k'));
    assert_eq!(s.detail().scroll, 0);
}
