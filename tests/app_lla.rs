//! The console with an LLA TMF-622 carrier, through `update()` and on a
//! TestBackend (80x24 and 160x48, a fixed clock): the pay link dialog (`p`)
//! from open to sent, its field errors, its preview (document 004's exact
//! JSON) and a refused answer; "unscheduled" and "no state yet" in the
//! table and the schedule sort; a failed market named on the carrier chip
//! with only its orders marked stale; the journal's "send again" (ctrl-r) on an
//! unknown pay link, behind its question. No terminal, no network.

mod common;

use std::sync::Arc;

use common::*;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::{Value, json};

use orderdesk::app::{self, CarrierInfo, Dialog, Effect, Msg, SortColumn, State, WriteSettled};
use orderdesk::carriers::lla_tmf622::normalize::{NO_STATE, to_order};
use orderdesk::carriers::lla_tmf622::wire::{parse_detail, parse_order};
use orderdesk::carriers::lla_tmf622::{KIND, LlaProfile};
use orderdesk::carriers::{CarrierError, WriteReceipt};
use orderdesk::domain::{ActionKind, JournalEntry, JournalState, Order, OrderKey};
use orderdesk::ui;

const OPEN: &str = "PR-1200047552281013";

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/lla_tmf622/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn response(market: &str, name: &str) -> Order {
    let text = fixture(name);
    let wire = parse_detail(text.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
    to_order(&Arc::from("lla"), market, &wire, &text)
}

fn from_json(market: &str, value: Value) -> Order {
    let wire = parse_order(&value).expect("order");
    to_order(&Arc::from("lla"), market, &wire, &value.to_string())
}

fn lla(id: &str) -> OrderKey {
    OrderKey::new("lla", id)
}

/// Document 003's orders: a self install (unscheduled), a technician visit
/// (2023-01-11), an unscheduled technician visit, and a JM order with a
/// null state due 2023-02-01.
fn lla_orders() -> Vec<Order> {
    vec![
        response("PR", "pr_self_install_response.json"),
        response("PR", "pr_technician_visit_response.json"),
        response("PR", "pr_unscheduled_response.json"),
        from_json(
            "JM",
            json!({"id": 555, "state": null, "requestedCompletionDate": "2023-02-01T00:00:00.000Z",
                   "relatedParty": [{"role": "Customer", "name": "Null State"}]}),
        ),
    ]
}

fn lla_state(readonly: bool) -> State {
    let carriers = vec![CarrierInfo {
        name: Arc::from("lla"),
        kind: KIND,
        profile: Arc::new(LlaProfile::new(readonly, Ok("abcdefg".into()))),
        quiet_hours: None,
    }];
    let mut s = State::new(carriers, options(readonly)).expect("default keys are valid");
    s.upsert_orders(lla_orders());
    press(&mut s, ch('4')); // every order
    s
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

fn form(s: &State) -> &app::FormState {
    match s.dialog() {
        Some(Dialog::Form(f)) => f,
        other => panic!("expected the form step, got {other:?}"),
    }
}

/// Opens the pay link dialog on the open PR order.
fn open_paylink(s: &mut State) {
    select(s, OPEN);
    press(s, ch('p'));
    assert!(
        matches!(s.dialog(), Some(Dialog::Form(_))),
        "{:?}",
        s.dialog()
    );
}

#[test]
fn the_paylink_dialog_checks_the_link_keeps_the_input_and_previews_document_004() {
    let mut s = lla_state(false);
    open_paylink(&mut s);
    let f = form(&s);
    assert_eq!(f.form.fields.len(), 3);
    assert_eq!(f.values().get("link"), "", "the link starts empty");
    assert_eq!(f.values().get("billing_account"), "190150638551501");
    assert_eq!(f.values().get("external_id"), "0000000000002861");

    // Required.
    let fx = press(&mut s, key(KeyCode::Enter));
    assert!(execute(&fx).is_none());
    let f = form(&s);
    assert_eq!(f.focus, 0);
    let errors: Vec<_> = f.field_errors(0).map(|e| e.message.clone()).collect();
    assert_eq!(errors, ["the payment link is required"]);

    // http:// is refused in the user's words, and what was typed stays.
    typ(&mut s, "http://pay.example/l/9");
    press(&mut s, key(KeyCode::Enter));
    let f = form(&s);
    let errors: Vec<_> = f.field_errors(0).map(|e| e.message.clone()).collect();
    assert_eq!(errors, ["the payment link must start with https://"]);
    assert_eq!(f.values().get("link"), "http://pay.example/l/9");

    // A blank inside.
    press(&mut s, ctrl('u'));
    typ(&mut s, "https://pay.example/l 9");
    press(&mut s, key(KeyCode::Enter));
    let f = form(&s);
    assert!(
        f.field_errors(0)
            .any(|e| e.message.contains("must not contain spaces")),
        "{:?}",
        f.errors
    );
    assert_eq!(f.values().get("link"), "https://pay.example/l 9");

    // At most 2,000 characters: the field takes no more.
    press(&mut s, ctrl('u'));
    let long = format!("https://pay.example/{}", "x".repeat(2100));
    typ(&mut s, &long);
    assert_eq!(form(&s).values().get("link").chars().count(), 2000);

    // A good link: the confirmation shows the request line and the exact body.
    press(&mut s, ctrl('u'));
    typ(&mut s, "https://pay.example/l/9");
    let fx = press(&mut s, key(KeyCode::Enter));
    assert!(execute(&fx).is_none(), "asks first");
    let Some(Dialog::Confirm { request, .. }) = s.dialog() else {
        panic!("expected the confirmation, got {:?}", s.dialog());
    };
    let preview = request.preview.clone().expect("a preview");
    assert!(
        preview.starts_with("PATCH /b2bsoft-ux/v1/PR/productOrder/1200047552281013\n"),
        "{preview}"
    );
    assert!(preview.contains("client_id: abcdefg"), "{preview}");
    assert!(preview.contains("client_secret: (hidden)"), "{preview}");
    let body: Value = serde_json::from_str(request.param("body").expect("body")).expect("JSON");
    assert_eq!(
        body,
        json!({
            "externalId": "0000000000002861",
            "channel": [{"id": "sourceSystem", "name": "orderdesk"}],
            "billingAccount": {"id": "190150638551501", "name": "billingAccountNumber"},
            "productOrderItem": [{"id": "", "action": "add",
                "payment": [{"id": "https://pay.example/l/9", "name": "PayLink"}]}]
        })
    );

    // Yes: sent, with the order as held.
    let fx = press(&mut s, key(KeyCode::Enter));
    let (ticket, key_sent, sent) = execute(&fx).expect("sent");
    assert_eq!(key_sent, lla(OPEN));
    assert_eq!(sent.action, ActionKind::AddPayLink);
    assert!(matches!(s.dialog(), Some(Dialog::Sending { .. })));

    // LLA's 200.
    let fx = press(
        &mut s,
        Msg::WriteSettled(Box::new(WriteSettled {
            ticket,
            key: lla(OPEN),
            result: Ok(WriteReceipt {
                message: "LLA saved the pay link on PR order 1200047552281013: Saved Successfully (X-Correlation-ID c-1)".into(),
            }),
            entry: None,
            order: None,
        })),
    );
    assert!(s.dialog().is_none());
    assert!(
        status_text(&s).contains("Saved Successfully"),
        "{}",
        status_text(&s)
    );
    assert_eq!(fx, [Effect::ReloadOrder(lla(OPEN))]);
}

#[test]
fn a_refused_paylink_shows_the_carriers_code_and_text_and_keeps_the_link() {
    let mut s = lla_state(false);
    open_paylink(&mut s);
    typ(&mut s, "https://pay.example/l/9");
    press(&mut s, key(KeyCode::Enter));
    let (ticket, _, _) = execute(&press(&mut s, key(KeyCode::Enter))).expect("sent");
    let fx = press(
        &mut s,
        Msg::WriteSettled(Box::new(WriteSettled {
            ticket,
            key: lla(OPEN),
            result: Err(CarrierError::Rejected {
                code: "400".into(),
                message: "Bad Request: productOrderItem.payment.id is mandatory".into(),
            }),
            entry: None,
            order: None,
        })),
    );
    assert!(fx.is_empty(), "a refusal changed nothing: no reload");
    let f = form(&s);
    let answer = f.send_error.clone().expect("the answer is shown");
    assert!(answer.contains("400"), "{answer}");
    assert!(
        answer.contains("productOrderItem.payment.id is mandatory"),
        "{answer}"
    );
    assert_eq!(f.values().get("link"), "https://pay.example/l/9");
}

#[test]
fn an_unknown_paylink_outcome_points_to_send_again_and_is_not_re_read() {
    let mut s = lla_state(false);
    open_paylink(&mut s);
    typ(&mut s, "https://pay.example/l/9");
    press(&mut s, key(KeyCode::Enter));
    let (ticket, _, _) = execute(&press(&mut s, key(KeyCode::Enter))).expect("sent");
    let error = CarrierError::Timeout("no answer in 30s (X-Correlation-ID c-1)".into());
    let entry = paylink_entry("e1", JournalState::Unknown, "sent, no answer");
    let fx = press(
        &mut s,
        Msg::WriteSettled(Box::new(WriteSettled {
            ticket,
            key: lla(OPEN),
            result: Err(error),
            entry: Some(entry),
            order: None,
        })),
    );
    assert!(fx.is_empty(), "no re-read can show it: {fx:?}");
    let answer = form(&s).send_error.clone().expect("the answer is shown");
    assert!(answer.contains("X-Correlation-ID c-1"), "{answer}");
    assert!(answer.contains("J then ctrl-r"), "{answer}");
    assert_eq!(s.journal()[0].state, JournalState::Unknown);
}

#[test]
fn paylink_is_for_open_orders_and_other_actions_say_not_offered() {
    let mut s = lla_state(false);
    select(&mut s, OPEN);
    let fx = press(&mut s, ch('a'));
    assert!(fx.is_empty());
    assert!(s.dialog().is_none());
    assert!(
        status_text(&s).contains("not offered by LLA TMF-622"),
        "{}",
        status_text(&s)
    );
    let mut ro = lla_state(true);
    select(&mut ro, OPEN);
    press(&mut ro, ch('p'));
    assert!(ro.dialog().is_none());
    assert!(
        status_text(&ro).contains("read-only"),
        "{}",
        status_text(&ro)
    );
}

#[test]
fn unscheduled_sorts_after_every_real_date_and_a_null_state_reads_no_state_yet() {
    let mut s = lla_state(false);
    while s.store().sort().column != SortColumn::Schedule {
        press(&mut s, ch('s'));
    }
    assert!(!s.store().sort().reversed);
    let order: Vec<(String, String)> = s
        .visible_keys()
        .iter()
        .map(|k| {
            let o = s.summary(k).expect("held");
            (o.key.id.clone(), o.schedule_text())
        })
        .collect();
    let texts: Vec<&str> = order.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        texts,
        ["2023-01-11", "2023-02-01", "unscheduled", "unscheduled"],
        "{order:?}"
    );
    let null = s.summary(&lla("JM-555")).expect("held");
    assert_eq!(null.status.raw, NO_STATE);
    assert_eq!(NO_STATE, "no state yet");

    // On screen: "unscheduled" and "no state yet", never a year 4444.
    let (theme, _) = orderdesk::runtime::load_theme("default");
    app::update(
        &mut s,
        Msg::Resize {
            width: 160,
            height: 48,
        },
    );
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("terminal");
    terminal.draw(|f| ui::view(&s, &theme, f)).expect("draws");
    let screen = format!("{}", terminal.backend());
    assert!(screen.contains("unscheduled"), "{screen}");
    assert!(screen.contains("no state yet"), "{screen}");
    assert!(!screen.contains("4444"), "{screen}");
}

#[test]
fn a_failed_market_is_named_on_the_chip_and_only_its_orders_are_marked_stale() {
    use orderdesk::carriers::SyncEvent;
    use orderdesk::carriers::lla_tmf622::reader::markets_error;
    let mut s = lla_state(false);
    let down = || CarrierError::Unavailable {
        code: None,
        message: "HTTP 503".into(),
        retry_after: None,
        sent: false,
    };
    app::update(
        &mut s,
        Msg::Sync(SyncEvent::OrderFailed {
            key: lla("JM-555"),
            error: CarrierError::Unavailable {
                code: None,
                message: "stale: market JM did not answer (unavailable: HTTP 503); this is its last known state".into(),
                retry_after: None,
                sent: false,
            },
        }),
    );
    app::update(
        &mut s,
        Msg::Sync(SyncEvent::Finished {
            carrier: Arc::from("lla"),
            result: Err(markets_error(vec![("JM".into(), down())])),
            next_poll: None,
        }),
    );
    let jm = s.summary(&lla("JM-555")).expect("held");
    assert!(
        jm.fetch_error
            .as_deref()
            .is_some_and(|e| e.contains("stale: market JM")),
        "{jm:?}"
    );
    for id in [OPEN, "PR-1200048006601012"] {
        assert!(s.summary(&lla(id)).expect("held").fetch_error.is_none());
    }
    let (theme, _) = orderdesk::runtime::load_theme("default");
    for (w, h) in SIZES {
        app::update(
            &mut s,
            Msg::Resize {
                width: w,
                height: h,
            },
        );
        let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        terminal.draw(|f| ui::view(&s, &theme, f)).expect("draws");
        let screen = format!("{}", terminal.backend());
        assert!(screen.contains("lla market JM unavailable"), "{screen}");
    }
    // Two markets down: both named.
    app::update(
        &mut s,
        Msg::Sync(SyncEvent::Finished {
            carrier: Arc::from("lla"),
            result: Err(markets_error(vec![
                ("JM".into(), down()),
                ("PA".into(), down()),
            ])),
            next_poll: None,
        }),
    );
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("terminal");
    terminal.draw(|f| ui::view(&s, &theme, f)).expect("draws");
    let screen = format!("{}", terminal.backend());
    assert!(
        screen.contains("lla markets JM, PA unavailable"),
        "{screen}"
    );
}

/// A pay link entry of the journal, `state`, on the open PR order.
fn paylink_entry(id: &str, state: JournalState, outcome: &str) -> JournalEntry {
    let mut e = journal_entry(id, "x", state, now(), "add pay link", Some(outcome));
    e.key = lla(OPEN);
    e.kind = KIND.into();
    e.request.action = ActionKind::AddPayLink;
    e.request.summary = "add pay link https://pay.example/l/1".into();
    e.request.params = vec![("market".into(), "PR".into())];
    e
}

fn journal_with(entries: Vec<JournalEntry>, readonly: bool) -> State {
    let mut s = lla_state(readonly);
    for e in entries {
        app::update(&mut s, Msg::Journal(e));
    }
    press(&mut s, ch('J'));
    s
}

#[test]
fn send_again_asks_first_and_sends_the_unknown_paylink_once() {
    let unknown = paylink_entry(
        "e1",
        JournalState::Unknown,
        "sent, no answer: connection dropped (X-Correlation-ID c-1)",
    );
    let mut s = journal_with(vec![unknown], false);
    let fx = press(&mut s, ctrl('r'));
    assert!(fx.is_empty(), "asks first");
    let question = s.send_again_question().expect("a question");
    assert!(
        question.contains("may already have been saved"),
        "{question}"
    );
    assert!(question.contains(&lla(OPEN).to_string()), "{question}");

    // Any other key keeps it unknown and sends nothing.
    let fx = press(&mut s, ch('n'));
    assert!(fx.is_empty());
    assert!(s.send_again_question().is_none());
    assert!(
        status_text(&s).contains("stays unknown"),
        "{}",
        status_text(&s)
    );

    // y sends it again, once.
    press(&mut s, ctrl('r'));
    let fx = press(&mut s, ch('y'));
    let sent: Vec<_> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::SendAgain { ticket, key, id } => Some((*ticket, key.clone(), id.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(sent.len(), 1, "{fx:?}");
    let (ticket, key_sent, id) = sent[0].clone();
    assert_eq!((key_sent, id.as_str()), (lla(OPEN), "e1"));
    assert!(s.send_again_question().is_none());

    // The settled write lands in the journal.
    let mut done = paylink_entry(
        "e1",
        JournalState::Confirmed,
        "LLA saved the pay link (X-Correlation-ID c-2) [earlier: sent, no answer (X-Correlation-ID c-1)]",
    );
    done.sends = 2;
    press(
        &mut s,
        Msg::WriteSettled(Box::new(WriteSettled {
            ticket,
            key: lla(OPEN),
            result: Ok(WriteReceipt {
                message: "LLA saved the pay link (X-Correlation-ID c-2)".into(),
            }),
            entry: Some(done),
            order: None,
        })),
    );
    let entry = &s.journal()[0];
    assert_eq!(entry.state, JournalState::Confirmed);
    assert!(s.pending().is_empty());
    // Confirmed now: ctrl-r only says why not.
    let fx = press(&mut s, ctrl('r'));
    assert!(fx.is_empty());
    assert!(s.send_again_question().is_none());
    assert!(
        status_text(&s).contains("only a write whose outcome is unknown"),
        "{}",
        status_text(&s)
    );
}

#[test]
fn send_again_is_not_offered_read_only_or_for_writes_settled_by_re_reading() {
    let unknown = paylink_entry("e1", JournalState::Unknown, "sent, no answer");
    let mut ro = journal_with(vec![unknown.clone()], true);
    assert!(press(&mut ro, ctrl('r')).is_empty());
    assert!(ro.send_again_question().is_none());
    assert!(
        status_text(&ro).contains("read-only"),
        "{}",
        status_text(&ro)
    );

    let mut accepted = unknown;
    accepted.receipt = Some("accepted".into());
    let mut s = journal_with(vec![accepted], false);
    assert!(press(&mut s, ctrl('r')).is_empty());
    assert!(s.send_again_question().is_none());
}

// --- snapshots ------------------------------------------------------------------

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn snap(name: &str, build: impl Fn(&mut State)) {
    let (theme, warning) = orderdesk::runtime::load_theme("default");
    assert_eq!(warning, None);
    for (w, h) in SIZES {
        let mut s = lla_state(false);
        app::update(
            &mut s,
            Msg::Resize {
                width: w,
                height: h,
            },
        );
        build(&mut s);
        let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        terminal.draw(|f| ui::view(&s, &theme, f)).expect("draws");
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), terminal.backend());
    }
}

#[test]
fn snapshot_paylink_form_with_a_field_error() {
    snap("lla_paylink_form_error", |s| {
        open_paylink(s);
        typ(s, "http://pay.example/l/9");
        press(s, key(KeyCode::Enter));
    });
}

#[test]
fn snapshot_paylink_preview() {
    snap("lla_paylink_preview", |s| {
        open_paylink(s);
        typ(s, "https://pay.example/l/9");
        press(s, key(KeyCode::Enter));
    });
}

#[test]
fn snapshot_journal_send_again_question() {
    snap("lla_journal_send_again", |s| {
        let unknown = paylink_entry(
            "e1",
            JournalState::Unknown,
            "sent, no answer: connection dropped (X-Correlation-ID c-1)",
        );
        app::update(s, Msg::Journal(unknown));
        press(s, ch('J'));
        press(s, ctrl('r'));
    });
}
