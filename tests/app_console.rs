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

// --- the status line ------------------------------------------------------

fn tick(s: &mut orderdesk::app::State, seconds: i64) {
    let at = now() + chrono::Duration::seconds(seconds);
    orderdesk::app::update(s, orderdesk::app::Msg::Tick(at));
}

#[test]
fn an_info_message_expires_after_six_seconds() {
    let mut s = state(false);
    select(&mut s, "19488");
    press(&mut s, ch('c'));
    press(&mut s, key(KeyCode::Esc));
    assert_eq!(status_text(&s), "tg/19488: closed, nothing sent");
    tick(&mut s, 5);
    assert_eq!(status_text(&s), "tg/19488: closed, nothing sent");
    tick(&mut s, 7);
    assert!(s.status().is_none(), "{}", status_text(&s));
}

#[test]
fn warnings_and_errors_stay_on_the_clock_until_a_key() {
    let mut s = state(true);
    press(&mut s, ch('t'));
    assert!(status_text(&s).contains("read-only"), "{}", status_text(&s));
    tick(&mut s, 60);
    assert!(status_text(&s).contains("read-only"), "{}", status_text(&s));
    // The next key acknowledges it: the key hints come back.
    press(&mut s, ch('j'));
    assert!(s.status().is_none(), "{}", status_text(&s));

    // A refused write is an error: it stays on the clock until a key.
    let mut s = state(false);
    select(&mut s, "19502");
    press(&mut s, ch('m'));
    typ(&mut s, "Hej");
    let fx = press(&mut s, ctrl('s'));
    let ticket = fx
        .iter()
        .find_map(|e| match e {
            Effect::Execute { ticket, .. } => Some(*ticket),
            _ => None,
        })
        .expect("sent");
    orderdesk::app::update(
        &mut s,
        orderdesk::app::Msg::WriteSettled(Box::new(orderdesk::app::WriteSettled {
            ticket,
            key: tg_key("19502"),
            result: Err(orderdesk::carriers::CarrierError::Rejected {
                code: "ERR_TYPE".into(),
                message: "Invalid message type".into(),
            }),
            entry: None,
            order: None,
        })),
    );
    assert_eq!(
        s.status().map(|m| m.level),
        Some(orderdesk::app::Level::Error)
    );
    tick(&mut s, 60);
    assert!(
        status_text(&s).contains("Invalid message type"),
        "an error stays on the clock"
    );
    press(&mut s, key(KeyCode::End));
    assert!(s.status().is_none(), "a key acknowledges it");
}

#[test]
fn moving_the_selection_clears_a_message_about_the_last_order() {
    let mut s = state(false);
    select(&mut s, "19488");
    press(&mut s, ch('c'));
    press(&mut s, key(KeyCode::Esc));
    assert!(status_text(&s).contains("tg/19488"));
    press(&mut s, ch('j'));
    assert!(s.status().is_none(), "{}", status_text(&s));
    // Closing an overlay clears it too; a message the key itself says stays.
    press(&mut s, ch('t'));
    press(&mut s, key(KeyCode::Esc));
    assert!(status_text(&s).contains("closed, nothing sent"));
    press(&mut s, ch('?'));
    press(&mut s, key(KeyCode::Esc));
    assert!(s.status().is_none(), "{}", status_text(&s));
}

#[test]
fn the_quiet_hours_question_is_not_replaced_by_a_sync_report() {
    use std::sync::Arc;

    use orderdesk::app::{Msg, State, update};
    use orderdesk::carriers::{CarrierError, QuietHours, SyncEvent};

    let mut carriers = carriers();
    // now() is 11:00 in Stockholm: inside 07-19.
    carriers[0].quiet_hours = Some(QuietHours::new((7, 19), chrono_tz::Europe::Stockholm));
    let mut s = State::new(carriers, options(false)).expect("state");
    s.upsert_orders(orders());
    press(&mut s, ch('r'));
    assert!(status_text(&s).ends_with("y/n"), "{}", status_text(&s));
    update(
        &mut s,
        Msg::Sync(SyncEvent::Finished {
            carrier: Arc::from("tg"),
            result: Err(CarrierError::Timeout("orders".into())),
            next_poll: None,
        }),
    );
    assert!(status_text(&s).ends_with("y/n"), "{}", status_text(&s));
    tick(&mut s, 30);
    assert!(
        status_text(&s).ends_with("y/n"),
        "the question waits for its key"
    );
    // The answer, then the report held meanwhile.
    let fx = press(&mut s, ch('n'));
    assert!(fx.is_empty(), "{fx:?}");
    assert!(
        status_text(&s).contains("sync failed"),
        "{}",
        status_text(&s)
    );
}

// --- one word per meaning -------------------------------------------------

fn screen(s: &mut orderdesk::app::State, w: u16, h: u16) -> String {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    orderdesk::app::update(
        s,
        orderdesk::app::Msg::Resize {
            width: w,
            height: h,
        },
    );
    let theme = orderdesk::runtime::load_theme("default").0;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal
        .draw(|f| orderdesk::ui::view(s, &theme, f))
        .expect("draw");
    format!("{}", terminal.backend())
}

#[test]
fn attention_counts_the_same_orders_in_the_header_and_view_2_and_the_stage_is_stalled() {
    use orderdesk::app::ViewKind;
    let mut s = state(false);
    let attention = s.store().view_count(ViewKind::Attention);
    let stalled = s
        .store()
        .stage_count(orderdesk::domain::Stage::NeedsAttention);
    assert_ne!(attention, stalled, "the sample tells the two apart");
    let text = screen(&mut s, 160, 48);
    let header = text.lines().next().unwrap_or_default();
    assert!(
        header.contains(&format!("! {attention} attention")),
        "{header}"
    );
    assert!(header.contains(&format!("= {stalled} stalled")), "{header}");
    let views = text.lines().nth(1).unwrap_or_default();
    assert!(
        views.contains(&format!("2 attention {attention}")),
        "{views}"
    );
    // "attention" is never a stage on screen: view 4 shows every stage.
    press(&mut s, ch('4'));
    let text = screen(&mut s, 160, 48);
    assert!(text.contains("= stalled"), "{text}");
    assert!(!text.contains("! attention"), "{text}");
    // The stage's screen word filters too.
    s.set_filter("stage:stalled");
    assert_eq!(s.visible_keys().len(), stalled);
}

// --- small console items --------------------------------------------------

#[test]
fn sort_labels_name_the_column_they_sort() {
    let mut s = state(false);
    // From age: updated, customer, service, delivery.
    for _ in 0..4 {
        press(&mut s, ch('s'));
    }
    let text = screen(&mut s, 160, 48);
    assert!(text.contains("sort: delivery ▲"), "{text}");
    assert!(text.contains("delivery▲"), "{text}");
    press(&mut s, ch('s'));
    let text = screen(&mut s, 160, 48);
    assert!(text.contains("sort: carrier ▲"), "{text}");
    assert!(text.contains("carrier▲"), "{text}");
    assert!(!text.contains("order▲"), "{text}");
    press(&mut s, ch('s'));
    let text = screen(&mut s, 160, 48);
    assert!(text.contains("sort: id ▲"), "{text}");
    assert!(text.contains(" id▲"), "{text}");
}

#[test]
fn the_order_column_keeps_its_width_while_scrolling() {
    let mut s = state(false);
    let mut more: Vec<_> = (0..40)
        .map(|n| {
            order(
                &format!("{}", 30000 + n),
                "received",
                chrono::Duration::days(30) - chrono::Duration::hours(n),
                "Per",
                "Persson",
                "Fiber 100/100",
            )
        })
        .collect();
    // The newest order (last, oldest first) has the longest key.
    more.push(order(
        "3100000000001",
        "received",
        chrono::Duration::minutes(1),
        "Eva",
        "Ek",
        "Fiber 100/100",
    ));
    s.upsert_orders(more);
    let column_of_age = |text: &str| {
        text.lines()
            .find(|l| l.contains("order") && l.contains("age"))
            .and_then(|l| l.find("age"))
    };
    let top = screen(&mut s, 80, 24);
    press(&mut s, ch('G'));
    let bottom = screen(&mut s, 80, 24);
    assert!(bottom.contains("3100000000001"), "{bottom}");
    assert_eq!(
        column_of_age(&top),
        column_of_age(&bottom),
        "{top}\n{bottom}"
    );
}

#[test]
fn the_narrow_detail_footer_keeps_esc_back() {
    use orderdesk::app::{Options, State};
    let options = Options {
        user: "Margareta Lindqvist-Öberg".into(),
        ..options(false)
    };
    let mut s = State::new(carriers(), options).expect("state");
    s.upsert_orders(orders());
    press(&mut s, key(KeyCode::Enter));
    let text = screen(&mut s, 80, 24);
    let footer = text.lines().last().unwrap_or_default();
    assert!(footer.contains("esc back"), "{footer}");
}

// --- typed input is not dropped without asking ------------------------------

#[test]
fn esc_on_a_dialog_with_typed_text_asks_before_dropping_it() {
    let mut s = state(false);
    select(&mut s, "19502");
    press(&mut s, ch('m'));
    typ(&mut s, "Ring kunden");
    press(&mut s, key(KeyCode::Esc));
    assert!(s.dialog().is_some(), "the first Esc asks");
    assert!(status_text(&s).contains("esc again"), "{}", status_text(&s));
    // Any other key goes on editing; the text is kept.
    typ(&mut s, " i dag");
    assert_eq!(form(&s).values().get("message"), "Ring kunden i dag");
    press(&mut s, key(KeyCode::Esc));
    press(&mut s, key(KeyCode::Esc));
    assert!(s.dialog().is_none());
    assert_eq!(status_text(&s), "tg/19502: closed, nothing sent");
    // Nothing typed: Esc closes at once.
    press(&mut s, ch('m'));
    press(&mut s, key(KeyCode::Esc));
    assert!(s.dialog().is_none());
}

#[test]
fn ctrl_c_with_a_typed_note_asks_before_quitting() {
    let mut s = state(false);
    press(&mut s, ch('n'));
    typ(&mut s, "Kunden ringer tillbaka");
    assert!(press(&mut s, ctrl('c')).is_empty());
    assert!(!s.should_quit());
    assert!(
        status_text(&s).contains("ctrl-c again"),
        "{}",
        status_text(&s)
    );
    assert_eq!(press(&mut s, ctrl('c')), [Effect::Quit]);
}

// --- glyphs and labels ----------------------------------------------------

#[test]
fn help_has_a_legend_and_a_search() {
    let mut s = state(false);
    press(&mut s, ch('?'));
    let text = screen(&mut s, 160, 48);
    assert!(text.contains("Legend"), "{text}");
    assert!(text.contains("= stalled"), "{text}");
    assert!(text.contains("⚑"), "{text}");
    // `/` searches; letters (q and ? too) type instead of closing.
    press(&mut s, ch('/'));
    typ(&mut s, "stage held?q");
    assert_eq!(s.help_search().map(|(t, _)| t.text()), Some("stage held?q"));
    for _ in 0..2 {
        press(&mut s, key(KeyCode::Backspace));
    }
    press(&mut s, key(KeyCode::Enter));
    let text = screen(&mut s, 160, 48);
    assert!(text.contains("held, failed, waiting"), "{text}");
    assert!(!text.contains("open the order's detail"), "{text}");
    // Esc drops the search first, then closes the help.
    press(&mut s, key(KeyCode::Esc));
    assert!(s.help_scroll().is_some());
    assert!(screen(&mut s, 160, 48).contains("open the order's detail"));
    press(&mut s, key(KeyCode::Esc));
    assert!(s.help_scroll().is_none());
}

#[test]
fn a_flag_shows_beside_the_orders_other_attention_mark() {
    let mut s = state(false);
    select(&mut s, "19477");
    press(&mut s, ch('f'));
    orderdesk::app::update(
        &mut s,
        orderdesk::app::Msg::FlagSaved {
            key: tg_key("19477"),
            result: Ok(Some(flag("agent", now()))),
        },
    );
    let text = screen(&mut s, 160, 48);
    let row = text
        .lines()
        .find(|l| l.contains("tg/19477"))
        .unwrap_or_default();
    assert!(row.contains("⚑!"), "{row}");
}

#[test]
fn the_status_line_labels_the_author() {
    let mut s = state(false);
    let text = screen(&mut s, 160, 48);
    let footer = text.lines().last().unwrap_or_default();
    assert!(footer.contains("you: agent · "), "{footer}");
}

// --- carrier down ---------------------------------------------------------

fn sync_failed(s: &mut orderdesk::app::State, error: orderdesk::carriers::CarrierError) {
    use orderdesk::carriers::SyncEvent;
    orderdesk::app::update(
        s,
        orderdesk::app::Msg::Sync(SyncEvent::Finished {
            carrier: std::sync::Arc::from("tg"),
            result: Err(error),
            next_poll: None,
        }),
    );
}

fn refused() -> orderdesk::carriers::CarrierError {
    orderdesk::carriers::CarrierError::Unavailable {
        code: None,
        message: format!(
            "{}error sending request: Connection refused (os error 111)",
            orderdesk::carriers::error::NO_ANSWER
        ),
        retry_after: None,
        sent: false,
    }
}

#[test]
fn a_carrier_that_cannot_be_reached_says_so_and_how_old_the_data_is() {
    use orderdesk::carriers::{PollSummary, SyncEvent};
    let mut s = state(false);
    // A good sync at now(), then four minutes later a refused connection.
    orderdesk::app::update(
        &mut s,
        orderdesk::app::Msg::Sync(SyncEvent::Finished {
            carrier: std::sync::Arc::from("tg"),
            result: Ok(PollSummary::default()),
            next_poll: None,
        }),
    );
    tick(&mut s, 240);
    sync_failed(&mut s, refused());
    let text = screen(&mut s, 160, 48);
    let header = text.lines().next().unwrap_or_default();
    assert!(header.contains("✗ tg unreachable, data 4m old"), "{header}");
    assert!(
        status_text(&s).contains("could not reach the carrier"),
        "{}",
        status_text(&s)
    );
    assert!(!status_text(&s).contains("answered"), "{}", status_text(&s));
}

#[test]
fn a_write_that_never_reached_the_carrier_does_not_read_as_its_answer() {
    let mut s = state(false);
    select(&mut s, "19502");
    press(&mut s, ch('m'));
    typ(&mut s, "Hej");
    let fx = press(&mut s, ctrl('s'));
    let ticket = fx
        .iter()
        .find_map(|e| match e {
            Effect::Execute { ticket, .. } => Some(*ticket),
            _ => None,
        })
        .expect("sent");
    orderdesk::app::update(
        &mut s,
        orderdesk::app::Msg::WriteSettled(Box::new(orderdesk::app::WriteSettled {
            ticket,
            key: tg_key("19502"),
            result: Err(refused()),
            entry: None,
            order: None,
        })),
    );
    assert!(!form(&s).send_reached);
    let text = screen(&mut s, 160, 48);
    assert!(text.contains("No answer from the carrier:"), "{text}");
    assert!(text.contains("could not reach the carrier"), "{text}");
    assert!(!text.contains("The carrier answered"), "{text}");
}

// --- rows arriving --------------------------------------------------------

#[test]
fn the_selection_stays_on_the_row_the_user_sees_while_rows_arrive() {
    let mut s = state(false);
    orderdesk::app::update(
        &mut s,
        orderdesk::app::Msg::Resize {
            width: 80,
            height: 24,
        },
    );
    press(&mut s, ch('j'));
    press(&mut s, ch('j'));
    let chosen = selected_id(&s);
    assert_eq!((s.cursor(), s.offset()), (2, 0));
    // Thirty older orders arrive (they sort above the selection) and
    // thirty newer ones (below it).
    let arriving: Vec<_> = (0..60)
        .map(|n| {
            let age = if n < 30 {
                chrono::Duration::days(60) + chrono::Duration::hours(n)
            } else {
                chrono::Duration::minutes(n)
            };
            order(
                &format!("{}", 18000 + n),
                "received",
                age,
                "Per",
                "Persson",
                "Fiber 100/100",
            )
        })
        .collect();
    s.upsert_orders(arriving);
    assert_eq!(selected_id(&s), chosen, "the same order stays selected");
    assert_eq!(s.cursor(), 32);
    assert_eq!(
        s.cursor() - s.offset(),
        2,
        "and on the same screen row (the window follows it)"
    );
    let text = screen(&mut s, 80, 24);
    let rows: Vec<&str> = text.lines().filter(|l| l.contains("tg/")).collect();
    assert!(rows[2].contains(&chosen), "{text}");
}
