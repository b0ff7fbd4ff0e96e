//! `update()` flows for the console's key and status-line rules: one meaning
//! per key in every pane, dialog focus, status messages that expire, one word
//! per meaning on screen. No terminal, no network.

mod common;

use common::*;
use crossterm::event::KeyCode;

use orderdesk::app::{Effect, Focus, Layer};

// --- one meaning per key --------------------------------------------------

#[test]
fn slash_opens_the_filter_from_the_detail_pane_and_letters_type() {
    let mut s = state(false);
    press(&mut s, key(KeyCode::Enter));
    assert_eq!(s.focus(), Focus::Detail);
    press(&mut s, ch('/'));
    assert_eq!(s.layer(), Layer::Filter);
    // Letters are text: `f` does not flag, `a` does not acknowledge.
    let fx = typ(&mut s, "fa");
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::SetFlag { .. })),
        "{fx:?}"
    );
    assert!(s.dialog().is_none());
    assert_eq!(s.filter_input().text(), "fa");
    // Enter keeps the filter and gives the keys back to the detail pane.
    press(&mut s, key(KeyCode::Enter));
    assert_eq!(s.layer(), Layer::Detail);
}

#[test]
fn capital_j_is_the_journal_in_the_detail_pane_too() {
    let mut s = state(false);
    press(&mut s, key(KeyCode::Enter));
    let before = selected_id(&s);
    press(&mut s, ch('J'));
    assert!(s.journal_view().is_some());
    assert_eq!(selected_id(&s), before, "J does not move the selection");
}

#[test]
fn brackets_step_through_orders_in_the_detail_pane() {
    let mut s = state(false);
    press(&mut s, key(KeyCode::Enter));
    assert_eq!(selected_id(&s), "19477");
    press(&mut s, ch(']'));
    assert_eq!(selected_id(&s), "19488");
    assert_eq!(s.focus(), Focus::Detail);
    press(&mut s, ch('['));
    assert_eq!(selected_id(&s), "19477");
}

// --- dialog focus ---------------------------------------------------------

fn form(s: &orderdesk::app::State) -> &orderdesk::app::FormState {
    match s.dialog() {
        Some(orderdesk::app::Dialog::Form(f)) => f,
        other => panic!("expected the form step, got {other:?}"),
    }
}

#[test]
fn message_dialog_opens_on_the_text_with_log_preselected() {
    let mut s = state(false);
    select(&mut s, "19502");
    press(&mut s, ch('m'));
    assert_eq!(form(&s).values().get("type"), "log");
    // Typed at once, `probe` is the message: it does not pick a type.
    typ(&mut s, "probe");
    assert_eq!(form(&s).values().get("type"), "log");
    assert_eq!(form(&s).values().get("message"), "probe");
}

#[test]
fn letters_never_change_a_choice_space_and_arrows_do() {
    let mut s = state(false);
    select(&mut s, "19502");
    press(&mut s, ch('m'));
    press(&mut s, key(KeyCode::BackTab));
    typ(&mut s, "e");
    let f = form(&s);
    assert_eq!(f.values().get("type"), "log", "a letter changed the choice");
    let why: Vec<String> = f.field_errors(0).map(|e| e.to_string()).collect();
    assert_eq!(why.len(), 1, "the field says why nothing changed");
    assert!(why[0].contains("up/down or space"), "{why:?}");
    assert!(why[0].contains("tab to Message"), "{why:?}");
    // Space cycles (log is the last type: back to the first), arrows step;
    // choosing clears the hint.
    press(&mut s, ch(' '));
    assert_eq!(form(&s).values().get("type"), "error");
    assert_eq!(form(&s).field_errors(0).count(), 0);
    press(&mut s, key(KeyCode::Down));
    assert_eq!(form(&s).values().get("type"), "alert");
}

#[test]
fn a_dialog_without_fields_opens_on_its_type_to_confirm_step() {
    use orderdesk::app::{ConfirmStep, Dialog};
    let mut s = state(false);
    select(&mut s, "19488");
    press(&mut s, ch('c'));
    assert!(
        matches!(
            s.dialog(),
            Some(Dialog::Confirm {
                step: ConfirmStep::TypeToConfirm { .. },
                ..
            })
        ),
        "{:?}",
        s.dialog()
    );
    // The id typed at once confirms; Esc would close (no form behind).
    typ(&mut s, "19488");
    let fx = press(&mut s, key(KeyCode::Enter));
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Execute { .. })),
        "{fx:?}"
    );
}
