//! `update()` flows of the console's local memory: the cache start (stale
//! chips until the first sync), notes (`n`), follow-up flags (`f`), the
//! `flag:` filter, the Log timeline with local and journal entries, and the
//! journal overlay (`J`), full orders and full-text search read from the
//! store. No terminal: the store's answers are injected as messages.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Duration;
use common::*;
use crossterm::event::KeyCode;

use orderdesk::app::{
    self, Dialog, Effect, FieldValue, FullState, Layer, Msg, State, SyncPhase, ViewKind,
};
use orderdesk::carriers::{CarrierError, PollSummary, SyncEvent};
use orderdesk::domain::{LogEntry, LogKind};
use orderdesk::store::{JournalState, SqliteStore};

fn finished(s: &mut State, result: Result<PollSummary, CarrierError>) {
    app::update(
        s,
        Msg::Sync(SyncEvent::Finished {
            carrier: Arc::from("tg"),
            result,
            next_poll: None,
        }),
    );
}

fn save_note(fx: &[Effect]) -> Option<(String, String)> {
    fx.iter().find_map(|e| match e {
        Effect::SaveNote { key, text } => Some((key.to_string(), text.clone())),
        _ => None,
    })
}

fn set_flag(fx: &[Effect]) -> Option<(String, bool)> {
    fx.iter().find_map(|e| match e {
        Effect::SetFlag { key, flagged } => Some((key.to_string(), *flagged)),
        _ => None,
    })
}

fn timeline(s: &State, id: &str) -> Vec<(LogKind, String)> {
    let order = s.order(&tg_key(id)).expect("order held");
    s.log_timeline(order)
        .into_iter()
        .map(|e| (e.kind, e.text))
        .collect()
}

fn journal_ids(s: &State) -> Vec<String> {
    s.journal_visible().iter().map(|e| e.id.clone()).collect()
}

// --- cache start ------------------------------------------------------------

#[test]
fn cache_start_marks_the_carrier_cached_until_its_first_sync_finishes() {
    let mut s = cached_state(false);
    assert_eq!(s.orders_len(), 8);
    let chip = &s.carriers()[0].chip;
    assert!(chip.cached);
    // The newest cached change: 19531's second log line, 39 minutes ago.
    assert_eq!(chip.cached_at, Some(now() - Duration::minutes(39)));
    assert!(s.any_cached());
    // Starting a poll does not make the data live.
    app::update(
        &mut s,
        Msg::Sync(SyncEvent::Started {
            carrier: Arc::from("tg"),
        }),
    );
    assert!(s.carriers()[0].chip.cached);
    finished(
        &mut s,
        Ok(PollSummary {
            listed: 8,
            fetched: 8,
            failed: 0,
            warning: None,
        }),
    );
    assert!(!s.carriers()[0].chip.cached);
    assert!(!s.any_cached());
    assert_eq!(s.carriers()[0].chip.phase, SyncPhase::Ok);
}

#[test]
fn summaries_paint_the_list_and_keys_wait_for_the_full_order() {
    let (mut s, full) = summary_state();
    assert_eq!(s.orders_len(), full.len());
    assert!(s.carriers()[0].chip.cached);
    // Moving to an order asks the store for it, once.
    let mut asked = Vec::new();
    press(&mut s, ch('g'));
    while selected_id(&s) != "19530" {
        asked.extend(press(&mut s, ch('j')));
    }
    assert_eq!(
        asked.last(),
        Some(&Effect::LoadOrder(tg_key("19530"))),
        "{asked:?}"
    );
    assert!(matches!(s.full_state(&tg_key("19530")), FullState::Loading));
    assert!(s.selected_order().is_none());
    // Notes are local and need no full order.
    press(&mut s, ch('n'));
    assert!(s.note_editor().is_some());
    press(&mut s, key(KeyCode::Esc));

    // A hurried `m` and the message wait for the order...
    assert!(press(&mut s, ch('m')).is_empty());
    typ(&mut s, "Hej");
    assert!(s.dialog().is_none());
    assert_eq!(s.waiting_for_order(), Some(&tg_key("19530")));
    // ...and land in the dialog once the store answers.
    let order = full.iter().find(|o| o.key.id == "19530").unwrap().clone();
    app::update(
        &mut s,
        Msg::OrderLoaded {
            key: tg_key("19530"),
            result: Ok(Some(order.clone())),
        },
    );
    assert_eq!(s.selected_order(), Some(&order));
    assert_eq!(s.waiting_for_order(), None);
    let Some(Dialog::Form(form)) = s.dialog() else {
        panic!("the dialog opened: {:?}", s.dialog());
    };
    assert!(
        form.fields
            .iter()
            .any(|f| matches!(f, FieldValue::Text(t) if t.text() == "Hej")),
        "{:?}",
        form.fields
    );
}

#[test]
fn a_carriers_fresher_copy_wins_over_the_stores_late_answer() {
    let (mut s, full) = summary_state();
    select(&mut s, "19531");
    let mut fresh = full.iter().find(|o| o.key.id == "19531").unwrap().clone();
    fresh.status = status("received");
    fresh.log.clear();
    app::update(
        &mut s,
        Msg::Sync(SyncEvent::Orders {
            carrier: Arc::from("tg"),
            orders: vec![fresh.clone()],
        }),
    );
    let stale = full.iter().find(|o| o.key.id == "19531").unwrap().clone();
    app::update(
        &mut s,
        Msg::OrderLoaded {
            key: tg_key("19531"),
            result: Ok(Some(stale)),
        },
    );
    assert_eq!(s.order(&tg_key("19531")), Some(&fresh));
}

#[test]
fn orders_the_store_cannot_give_are_re_read_from_their_carrier() {
    let (mut s, full) = summary_state();
    select(&mut s, "19531");
    let fx = app::update(
        &mut s,
        Msg::OrderLoaded {
            key: tg_key("19531"),
            result: Err("database disk image is malformed".into()),
        },
    );
    assert_eq!(fx, vec![Effect::ReloadOrder(tg_key("19531"))]);
    // The detail says why; an action says so too and opens nothing.
    let FullState::Failed(why) = s.full_state(&tg_key("19531")) else {
        panic!("failed");
    };
    assert!(why.contains("database disk image is malformed"), "{why}");
    let fx = press(&mut s, ch('m'));
    assert!(s.dialog().is_none());
    assert!(fx.is_empty(), "not asked again: {fx:?}");
    assert!(
        status_text(&s).contains("re-reading it from the carrier"),
        "{}",
        status_text(&s)
    );
    // The carrier's answer completes it.
    let order = full.iter().find(|o| o.key.id == "19531").unwrap().clone();
    app::update(
        &mut s,
        Msg::OrderReloaded {
            key: tg_key("19531"),
            result: Ok(order),
        },
    );
    press(&mut s, ch('m'));
    assert!(s.dialog().is_some());
    press(&mut s, key(KeyCode::Esc));

    // An order the store does not hold at all goes the same way.
    select(&mut s, "19530");
    let fx = app::update(
        &mut s,
        Msg::OrderLoaded {
            key: tg_key("19530"),
            result: Ok(None),
        },
    );
    assert_eq!(fx, vec![Effect::ReloadOrder(tg_key("19530"))]);
}

#[test]
fn a_failed_first_sync_also_ends_the_cached_state() {
    let mut s = cached_state(false);
    finished(&mut s, Err(CarrierError::Timeout("orderStatus".into())));
    let chip = &s.carriers()[0].chip;
    assert!(!chip.cached);
    assert!(matches!(chip.phase, SyncPhase::Error(_)));
}

#[test]
fn cache_brings_notes_flags_and_journal_newest_first() {
    let s = cached_state(false);
    assert_eq!(s.notes(&tg_key("19530")).len(), 1);
    assert_eq!(
        s.flag(&tg_key("19530")).map(|f| f.author.as_str()),
        Some("anna")
    );
    let ids: Vec<&str> = s.journal().iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["a3", "a2", "a1"]);
}

#[test]
fn a_fresh_start_without_cache_is_not_marked_cached() {
    let s = state(false);
    assert!(!s.any_cached());
    assert!(!s.carriers()[0].chip.cached);
}

// --- notes -----------------------------------------------------------------

#[test]
fn note_is_typed_multiline_and_saved_with_ctrl_s() {
    let mut s = state(false);
    select(&mut s, "19531");
    press(&mut s, ch('n'));
    assert_eq!(s.layer(), Layer::Dialog);
    let editor = s.note_editor().expect("note editor open");
    assert_eq!(editor.key, tg_key("19531"));
    // Letters type (q does not quit, j does not move).
    typ(&mut s, "Ring kunden");
    press(&mut s, key(KeyCode::Enter));
    let fx = typ(&mut s, "imorgon, fråga om jq");
    assert!(fx.is_empty());
    assert!(!s.should_quit());
    let fx = press(&mut s, ctrl('s'));
    assert_eq!(
        save_note(&fx),
        Some((
            "tg/19531".to_string(),
            "Ring kunden\nimorgon, fråga om jq".to_string()
        ))
    );
    assert!(s.note_editor().is_some_and(|e| e.saving));
    // The text being saved cannot change, nor be sent twice.
    assert!(typ(&mut s, "x").is_empty());
    assert!(save_note(&press(&mut s, ctrl('s'))).is_none());

    let saved = note(
        7,
        "19531",
        "agent",
        now(),
        "Ring kunden\nimorgon, fråga om jq",
    );
    press(
        &mut s,
        Msg::NoteSaved {
            key: tg_key("19531"),
            result: Ok(saved),
        },
    );
    assert!(s.note_editor().is_none());
    assert_eq!(s.layer(), Layer::Table);
    assert!(
        status_text(&s).contains("note saved"),
        "{}",
        status_text(&s)
    );
    // In the order's Log timeline at once, newest first.
    let log = timeline(&s, "19531");
    assert_eq!(
        log[0],
        (
            LogKind::Local,
            "Ring kunden\nimorgon, fråga om jq".to_string()
        )
    );
}

#[test]
fn an_empty_note_is_refused_inline() {
    let mut s = state(false);
    press(&mut s, ch('n'));
    typ(&mut s, "   ");
    press(&mut s, key(KeyCode::Enter));
    let fx = press(&mut s, ctrl('s'));
    assert!(save_note(&fx).is_none());
    let editor = s.note_editor().expect("still open");
    assert!(editor.error.as_deref().unwrap_or("").contains("empty"));
    assert!(!editor.saving);
    // Typing clears the complaint.
    typ(&mut s, "ok");
    assert_eq!(s.note_editor().unwrap().error, None);
}

#[test]
fn a_failed_save_shows_the_error_and_keeps_the_text() {
    let mut s = state(false);
    select(&mut s, "19502");
    press(&mut s, ch('n'));
    typ(&mut s, "Viktig anteckning");
    press(&mut s, ctrl('s'));
    press(
        &mut s,
        Msg::NoteSaved {
            key: tg_key("19502"),
            result: Err("database is locked".into()),
        },
    );
    let editor = s.note_editor().expect("editor shown again");
    assert_eq!(editor.input.text(), "Viktig anteckning");
    assert!(!editor.saving);
    assert!(
        editor
            .error
            .as_deref()
            .unwrap()
            .contains("database is locked")
    );
    assert!(s.notes(&tg_key("19502")).is_empty());
    // Sending again works.
    let fx = press(&mut s, ctrl('s'));
    assert_eq!(
        save_note(&fx).map(|(_, t)| t),
        Some("Viktig anteckning".to_string())
    );
}

#[test]
fn esc_while_saving_hides_and_a_failure_brings_the_text_back() {
    let mut s = state(false);
    press(&mut s, ch('n'));
    typ(&mut s, "Hej");
    press(&mut s, ctrl('s'));
    press(&mut s, key(KeyCode::Esc));
    assert!(s.note_editor().is_none());
    assert_eq!(s.layer(), Layer::Table);
    // A second note waits for the first.
    press(&mut s, ch('n'));
    assert!(s.note_editor().is_none());
    assert!(status_text(&s).contains("still being saved"));
    press(
        &mut s,
        Msg::NoteSaved {
            key: tg_key("19477"),
            result: Err("disk full".into()),
        },
    );
    assert_eq!(s.note_editor().map(|e| e.input.text()), Some("Hej"));
}

#[test]
fn esc_cancels_a_note_without_saving() {
    let mut s = state(false);
    press(&mut s, ch('n'));
    typ(&mut s, "skräp");
    // Typed text: the first Esc asks, the second closes.
    assert!(press(&mut s, key(KeyCode::Esc)).is_empty());
    assert!(s.note_editor().is_some());
    let fx = press(&mut s, key(KeyCode::Esc));
    assert!(fx.is_empty());
    assert!(s.note_editor().is_none());
    assert!(status_text(&s).contains("nothing saved"));
}

#[test]
fn notes_and_flags_work_in_read_only_mode() {
    let mut s = state(true);
    press(&mut s, ch('n'));
    typ(&mut s, "lokalt");
    assert!(save_note(&press(&mut s, ctrl('s'))).is_some());
    press(
        &mut s,
        Msg::NoteSaved {
            key: tg_key("19477"),
            result: Ok(note(3, "19477", "agent", now(), "lokalt")),
        },
    );
    assert_eq!(s.notes(&tg_key("19477")).len(), 1);
    assert_eq!(
        set_flag(&press(&mut s, ch('f'))),
        Some(("tg/19477".to_string(), true))
    );
}

#[test]
fn a_note_can_be_added_from_the_detail_pane() {
    let mut s = state(false);
    select(&mut s, "19520");
    press(&mut s, key(KeyCode::Enter));
    assert_eq!(s.layer(), Layer::Detail);
    press(&mut s, ch('n'));
    assert_eq!(
        s.note_editor().map(|e| e.key.clone()),
        Some(tg_key("19520"))
    );
    press(&mut s, Msg::Paste("klistrat\nin".into()));
    assert_eq!(s.note_editor().unwrap().input.text(), "klistrat\nin");
}

#[test]
fn with_the_store_off_notes_and_flags_say_where_they_are_kept() {
    let mut s = state(false);
    let file = "/home/a/.local/state/orderdesk/notes-and-flags.txt";
    press(&mut s, Msg::NotesKept(app::Keeping::File(file.into())));
    select(&mut s, "19520");
    press(&mut s, ch('n'));
    typ(&mut s, "ring tillbaka");
    assert!(save_note(&press(&mut s, ctrl('s'))).is_some());
    press(
        &mut s,
        Msg::NoteSaved {
            key: tg_key("19520"),
            result: Ok(note(1, "19520", "agent", now(), "ring tillbaka")),
        },
    );
    let text = status_text(&s);
    assert!(text.contains(&format!("note kept in {file}")), "{text}");
    assert!(!text.contains("saved"), "{text}");
    assert!(set_flag(&press(&mut s, ch('f'))).is_some());
    press(
        &mut s,
        Msg::FlagSaved {
            key: tg_key("19520"),
            result: Ok(Some(flag("agent", now()))),
        },
    );
    let text = status_text(&s);
    assert!(text.contains(&format!("(kept in {file}")), "{text}");
}

#[test]
fn with_nowhere_to_keep_them_n_and_f_are_refused_before_typing() {
    let mut s = state(false);
    let why = "the local store is off and cannot open /x/notes-and-flags.txt: Permission denied";
    press(&mut s, Msg::NotesKept(app::Keeping::Nowhere(why.into())));
    select(&mut s, "19520");
    let fx = press(&mut s, ch('n'));
    assert!(s.note_editor().is_none(), "the editor opened");
    assert!(fx.is_empty(), "{fx:?}");
    let text = status_text(&s);
    assert!(
        text.contains("a note cannot be kept this session"),
        "{text}"
    );
    assert!(text.contains("Permission denied"), "{text}");
    assert!(set_flag(&press(&mut s, ch('f'))).is_none());
    assert!(status_text(&s).contains("a flag cannot be kept this session"));
}

#[test]
fn the_cache_off_message_says_cache_off_once() {
    let mut s = state(false);
    // The engine's own sentence for an in-memory journal, as the console
    // shows it.
    let exec = orderdesk::engine::WriteExecutor::new(None, "anna").expect("in memory");
    let note = exec.journal_note().expect("not persistent");
    press(&mut s, Msg::StoreProblem(note.to_owned()));
    let text = status_text(&s);
    assert!(text.starts_with("cache off: the write journal"), "{text}");
    assert!(!text.contains("cache off: cache off"), "{text}");
}

// --- flags -----------------------------------------------------------------

#[test]
fn f_toggles_the_flag_and_the_attention_view_follows() {
    let mut s = state(false);
    select(&mut s, "19531");
    assert_eq!(
        set_flag(&press(&mut s, ch('f'))),
        Some(("tg/19531".to_string(), true))
    );
    // Nothing changes until the store answers; a second f waits.
    assert!(s.flag(&tg_key("19531")).is_none());
    assert!(set_flag(&press(&mut s, ch('f'))).is_none());
    let attention_before = s.store().view_count(ViewKind::Attention);
    press(
        &mut s,
        Msg::FlagSaved {
            key: tg_key("19531"),
            result: Ok(Some(flag("agent", now()))),
        },
    );
    assert!(status_text(&s).contains("flagged"), "{}", status_text(&s));
    assert!(s.store().is_flagged(&tg_key("19531")));
    assert_eq!(
        s.store().view_count(ViewKind::Attention),
        attention_before + 1
    );
    let order = s.order(&tg_key("19531")).unwrap().clone();
    let reasons = s.attention(&order);
    let flag_reason = reasons
        .iter()
        .find(|a| a.code == "flag")
        .expect("flag reason");
    assert_eq!(
        flag_reason.detail,
        "flagged for follow-up by agent 2026-03-02 11:00"
    );
    press(&mut s, ch('2'));
    assert!(ids(&s).contains(&"19531".to_string()));

    // Unflag from the attention view.
    select(&mut s, "19531");
    assert_eq!(
        set_flag(&press(&mut s, ch('f'))),
        Some(("tg/19531".to_string(), false))
    );
    press(
        &mut s,
        Msg::FlagSaved {
            key: tg_key("19531"),
            result: Ok(None),
        },
    );
    assert!(status_text(&s).contains("cleared"));
    assert!(!ids(&s).contains(&"19531".to_string()));
    assert_eq!(s.store().view_count(ViewKind::Attention), attention_before);
}

#[test]
fn a_failed_flag_save_changes_nothing() {
    let mut s = state(false);
    press(&mut s, ch('f'));
    press(
        &mut s,
        Msg::FlagSaved {
            key: tg_key("19477"),
            result: Err("readonly database".into()),
        },
    );
    assert!(s.flag(&tg_key("19477")).is_none());
    assert!(status_text(&s).contains("flag not saved: readonly database"));
    // Pressing again asks again.
    assert!(set_flag(&press(&mut s, ch('f'))).is_some());
}

#[test]
fn cached_flags_count_as_attention() {
    let mut s = cached_state(false);
    press(&mut s, ch('2'));
    assert!(ids(&s).contains(&"19530".to_string()), "{:?}", ids(&s));
}

// --- filter ----------------------------------------------------------------

#[test]
fn flag_filter_token() {
    let mut s = cached_state(false);
    press(&mut s, ch('4'));
    s.set_filter("flag:");
    assert_eq!(ids(&s), ["19530"]);
    s.set_filter("flag:yes åsa");
    assert_eq!(ids(&s), ["19530"]);
    s.set_filter("flag:yes björn");
    assert!(ids(&s).is_empty());
    s.set_filter("flag:no");
    assert_eq!(ids(&s).len(), 7);
    assert!(!ids(&s).contains(&"19530".to_string()));
    s.set_filter("flag:perhaps");
    assert!(ids(&s).is_empty());
    assert_eq!(s.store().filter().problems.len(), 1);
    // A flag saved while filtering moves the order into the result.
    s.set_filter("flag:");
    press(
        &mut s,
        Msg::FlagSaved {
            key: tg_key("19455"),
            result: Ok(Some(flag("agent", now()))),
        },
    );
    assert_eq!(ids(&s), ["19455", "19530"]);
}

// --- Log timeline -------------------------------------------------------------

#[test]
fn log_timeline_merges_carrier_local_and_journal_newest_first() {
    let mut s = cached_state(false);
    let log = timeline(&s, "19530");
    let kinds: Vec<LogKind> = log.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        kinds,
        [
            LogKind::Journal, // 90 min ago
            LogKind::Local,   // flag, 2 h ago
            LogKind::Local,   // note, 3 h ago
            LogKind::System,  // 5 h - 1 min
            LogKind::System,  // 5 h
        ]
    );
    assert_eq!(
        log[0].1,
        "set status received: refused E12 order is locked by the portal"
    );
    assert_eq!(log[1].1, "flagged for follow-up");
    assert!(log[2].1.starts_with("Kunden ringde"));
    assert_eq!(log[4].1, "Saved order");

    // L flips to oldest first.
    select(&mut s, "19530");
    press(&mut s, key(KeyCode::Enter));
    press(&mut s, ch('L'));
    let log = timeline(&s, "19530");
    assert_eq!(log[0].1, "Saved order");
    assert_eq!(log[4].0, LogKind::Journal);
}

#[test]
fn journal_messages_update_the_timeline_live() {
    let mut s = cached_state(false);
    let entry = journal_entry(
        "b1",
        "19530",
        JournalState::Sending,
        now() - Duration::minutes(1),
        "add message",
        None,
    );
    press(&mut s, Msg::Journal(entry.clone()));
    let log = timeline(&s, "19530");
    assert_eq!(log.len(), 6);
    assert_eq!(
        log[0],
        (LogKind::Journal, "add message: sending".to_string())
    );
    // The same id again replaces it.
    let mut done = entry;
    done.state = JournalState::Confirmed;
    press(&mut s, Msg::Journal(done));
    let log = timeline(&s, "19530");
    assert_eq!(log.len(), 6);
    assert_eq!(log[0].1, "add message: confirmed");
    assert_eq!(s.journal().len(), 4);
}

// --- journal overlay -------------------------------------------------------------

#[test]
fn journal_view_opens_filters_and_jumps_to_the_order() {
    let mut s = cached_state(false);
    press(&mut s, ch('J'));
    assert_eq!(s.layer(), Layer::Journal);
    assert_eq!(journal_ids(&s), ["a3", "a2", "a1"]);
    press(&mut s, key(KeyCode::Down));
    assert_eq!(s.journal_view().unwrap().cursor, 1);
    // Letters type into the filter (j and q too).
    typ(&mut s, "LOCKED");
    assert_eq!(journal_ids(&s), ["a2"]);
    assert_eq!(s.journal_view().unwrap().cursor, 0);
    press(&mut s, key(KeyCode::Enter));
    assert!(s.journal_view().is_none());
    assert_eq!(selected_id(&s), "19530");
    assert_eq!(s.store().view(), ViewKind::Open);
}

#[test]
fn journal_jump_switches_to_everything_when_the_view_hides_the_order() {
    let mut s = cached_state(false);
    s.set_filter("björn");
    press(&mut s, ch('J'));
    // a3 is on 19460, delivered: not in the open view nor the filter.
    press(&mut s, key(KeyCode::Enter));
    assert_eq!(s.store().view(), ViewKind::All);
    assert!(s.filter_input().is_empty());
    assert_eq!(selected_id(&s), "19460");
}

#[test]
fn journal_filter_matches_time_author_state_and_outcome() {
    let mut s = cached_state(false);
    press(&mut s, ch('J'));
    typ(&mut s, "unknown");
    assert_eq!(journal_ids(&s), ["a3"]);
    press(&mut s, ctrl('u'));
    typ(&mut s, "anna 19502");
    assert_eq!(journal_ids(&s), ["a1"]);
    press(&mut s, ctrl('u'));
    // Times are shown in Stockholm time: 06:00 UTC is 07:00.
    typ(&mut s, "07:00");
    assert_eq!(journal_ids(&s), ["a1"]);
    press(&mut s, ctrl('u'));
    typ(&mut s, "nothing like this");
    assert!(journal_ids(&s).is_empty());
    // Enter on an empty list does nothing.
    press(&mut s, key(KeyCode::Enter));
    assert_eq!(s.layer(), Layer::Journal);
    press(&mut s, key(KeyCode::Esc));
    assert_eq!(s.layer(), Layer::Table);
}

#[test]
fn journal_view_keeps_its_selection_when_entries_arrive() {
    let mut s = cached_state(false);
    press(&mut s, ch('J'));
    press(&mut s, key(KeyCode::Down));
    assert_eq!(journal_ids(&s)[s.journal_view().unwrap().cursor], "a2");
    press(
        &mut s,
        Msg::Journal(journal_entry(
            "a4",
            "19531",
            JournalState::Recorded,
            now(),
            "acknowledge",
            None,
        )),
    );
    assert_eq!(journal_ids(&s), ["a4", "a3", "a2", "a1"]);
    assert_eq!(journal_ids(&s)[s.journal_view().unwrap().cursor], "a2");
    // Moves clamp at both ends.
    press(&mut s, key(KeyCode::End));
    assert_eq!(s.journal_view().unwrap().cursor, 3);
    press(&mut s, key(KeyCode::PageDown));
    assert_eq!(s.journal_view().unwrap().cursor, 3);
    press(&mut s, key(KeyCode::Home));
    assert_eq!(s.journal_view().unwrap().cursor, 0);
    press(&mut s, key(KeyCode::Up));
    assert_eq!(s.journal_view().unwrap().cursor, 0);
}

#[test]
fn journal_entry_for_an_order_not_held_warns_and_stays_open() {
    let mut s = cached_state(false);
    press(
        &mut s,
        Msg::Journal(journal_entry(
            "z9",
            "99999",
            JournalState::Failed,
            now(),
            "cancel",
            Some("never sent"),
        )),
    );
    press(&mut s, ch('J'));
    assert_eq!(journal_ids(&s)[0], "z9");
    press(&mut s, key(KeyCode::Enter));
    assert_eq!(s.layer(), Layer::Journal);
    assert!(status_text(&s).contains("not held"), "{}", status_text(&s));
}

#[test]
fn note_flag_and_journal_keys_can_be_remapped() {
    let mut options = options(false);
    options.keys.insert("note".into(), "N".into());
    options.keys.insert("flag".into(), "F".into());
    options.keys.insert("journal".into(), "ctrl-j".into());
    let mut s = State::new(carriers(), options).unwrap();
    s.upsert_orders(orders());
    assert!(set_flag(&press(&mut s, ch('f'))).is_none());
    assert!(set_flag(&press(&mut s, ch('F'))).is_some());
    press(&mut s, ch('N'));
    assert!(s.note_editor().is_some());
    press(&mut s, key(KeyCode::Esc));
    press(&mut s, ctrl('j'));
    assert_eq!(s.layer(), Layer::Journal);
    // The help lists the actions.
    let help = s.keymap().help();
    let table = &help.iter().find(|(l, _)| *l == Layer::Table).unwrap().1;
    assert!(
        table
            .iter()
            .any(|(k, d)| k == "N" && d.contains("local note"))
    );
    assert!(table.iter().any(|(_, d)| d.contains("read-only")));
}

#[test]
fn a_failed_background_save_comes_back_once_the_open_overlay_closes() {
    let mut s = state(false);
    press(&mut s, ch('n'));
    typ(&mut s, "Hej");
    press(&mut s, ctrl('s'));
    press(&mut s, key(KeyCode::Esc));
    // Help is open when the save fails: the note waits behind it.
    press(&mut s, ch('?'));
    press(
        &mut s,
        Msg::NoteSaved {
            key: tg_key("19477"),
            result: Err("disk full".into()),
        },
    );
    assert_eq!(s.layer(), Layer::Help);
    assert!(s.note_editor().is_none());
    press(&mut s, key(KeyCode::Esc));
    let editor = s.note_editor().expect("the note is back");
    assert_eq!(editor.input.text(), "Hej");
    assert!(editor.error.as_deref().unwrap_or("").contains("disk full"));
    assert_eq!(s.layer(), Layer::Dialog);
}

#[test]
fn a_warning_from_before_the_start_stays_in_the_status_line() {
    let mut s = state(false);
    press(
        &mut s,
        Msg::Warning("logging is off: no state directory could be determined".into()),
    );
    let status = s.status().expect("a status message");
    assert_eq!(status.level, orderdesk::app::Level::Warning);
    assert_eq!(
        status.text,
        "logging is off: no state directory could be determined"
    );
    // Warnings do not time out like info messages.
    press(&mut s, Msg::Tick(now() + Duration::minutes(5)));
    assert_eq!(
        status_text(&s),
        "logging is off: no state directory could be determined"
    );
}

/// The store's answer to every `SearchText` in `fx`, as the engine gives it.
fn answer_searches(s: &mut State, store: &SqliteStore, fx: Vec<Effect>) -> usize {
    let mut asked = 0;
    for effect in fx {
        if let Effect::SearchText { words, limit } = effect {
            asked += 1;
            let result = store.search_text(&words, limit).map_err(|e| e.to_string());
            let more = app::update(s, Msg::TextSearched { words, result });
            asked += answer_searches(s, store, more);
        }
    }
    asked
}

#[test]
fn the_filter_finds_words_only_the_full_order_holds_through_the_store() {
    let store = SqliteStore::open_in_memory().unwrap();
    let mut full = orders();
    let target = full.iter_mut().find(|o| o.key.id == "19531").unwrap();
    target.log.push(LogEntry {
        at: target.created.clone(),
        kind: LogKind::Log,
        source: "tekniker".into(),
        text: "Porten saknas i nod 7".into(),
    });
    store.save_orders(&full).unwrap();
    let mut s = State::new(carriers(), options(false)).unwrap();
    app::update(
        &mut s,
        Msg::CacheLoaded {
            orders: store.load_order_summaries().unwrap(),
            notes: HashMap::new(),
            flags: HashMap::new(),
            journal: Vec::new(),
        },
    );
    press(&mut s, ch('/'));
    // The table's own text has no "saknas": nothing at first, then the
    // index's answer brings the order whose log has it.
    let fx = typ(&mut s, "sakn");
    assert!(ids(&s).is_empty());
    assert!(s.full_text_searching());
    // One search in flight at a time: the first key's, then the latest
    // words' (never one per key).
    assert_eq!(answer_searches(&mut s, &store, fx), 2);
    assert_eq!(ids(&s), ["19531"]);
    assert!(!s.full_text_searching());
    // Another word that is in the same log line keeps it...
    let fx = typ(&mut s, "as nod");
    assert_eq!(answer_searches(&mut s, &store, fx), 2);
    assert_eq!(ids(&s), ["19531"]);
    // ...one that is not drops it.
    let fx = typ(&mut s, " zzz");
    assert!(ids(&s).is_empty(), "old hits do not stay for new words");
    assert_eq!(
        answer_searches(&mut s, &store, fx),
        1,
        "`z`, `zz` are too short"
    );
    assert!(ids(&s).is_empty());
    // The table's own text with punctuation is never sent to the index (it
    // would split `tg/19531` into looser words).
    press(&mut s, ctrl('u'));
    let fx = typ(&mut s, "tg/19531");
    assert_eq!(answer_searches(&mut s, &store, fx), 0);
    assert_eq!(ids(&s), ["19531"]);
    // Table text still matches at once, with no search needed for it.
    press(&mut s, ctrl('u'));
    typ(&mut s, "lindqvist");
    assert_eq!(ids(&s), ["19530"]);
}

#[test]
fn a_failed_search_is_said_once_and_not_repeated() {
    let (mut s, _) = summary_state();
    press(&mut s, ch('/'));
    let fx = typ(&mut s, "xyz");
    assert_eq!(
        fx,
        vec![Effect::SearchText {
            words: "xyz".into(),
            limit: app::FULL_TEXT_LIMIT
        }]
    );
    let fx = app::update(
        &mut s,
        Msg::TextSearched {
            words: "xyz".into(),
            result: Err("database is locked".into()),
        },
    );
    assert!(fx.is_empty());
    assert!(status_text(&s).contains("searching log and items failed: database is locked"));
    assert!(
        press(&mut s, key(KeyCode::Left)).is_empty(),
        "not asked again"
    );
}

/// The filter folds accents (`marta` finds Märta), looks an email address
/// up in the full order through the store, negates a token with `-`, and
/// names the configured carriers and kinds when a token names another.
#[test]
fn the_filter_folds_accents_finds_emails_negates_and_hints() {
    let store = SqliteStore::open_in_memory().unwrap();
    store.save_orders(&orders()).unwrap();
    let mut s = State::new(carriers(), options(false)).unwrap();
    app::update(
        &mut s,
        Msg::CacheLoaded {
            orders: store.load_order_summaries().unwrap(),
            notes: HashMap::new(),
            flags: HashMap::new(),
            journal: Vec::new(),
        },
    );
    press(&mut s, ch('4'));
    assert_eq!(s.store().view(), ViewKind::All);
    s.set_filter("marta");
    assert_eq!(ids(&s), ["19502"]);
    s.set_filter("akesson");
    assert_eq!(ids(&s), ["19520"]);

    s.set_filter("");
    press(&mut s, ch('/'));
    let fx = typ(&mut s, "karin@exempel.se");
    answer_searches(&mut s, &store, fx);
    assert_eq!(ids(&s), ["19477"], "the email is only in the full order");
    press(&mut s, ctrl('u'));
    let fx = typ(&mut s, "goteborg");
    answer_searches(&mut s, &store, fx);
    assert_eq!(ids(&s).len(), orders().len(), "every order's city");
    press(&mut s, key(KeyCode::Esc));

    s.set_filter("status:waiting");
    assert_eq!(ids(&s), ["19477"]);
    s.set_filter("-status:waiting");
    assert_eq!(ids(&s).len(), orders().len() - 1);
    assert!(!ids(&s).contains(&"19477".to_string()));

    s.set_filter("carrier:bogus");
    assert!(ids(&s).is_empty());
    assert_eq!(s.store().filter().problems, ["carrier \"bogus\"? tg"]);
    s.set_filter("kind:voice");
    assert_eq!(
        s.store().filter().problems,
        ["kind \"voice\"? tjansteguiden"]
    );
    s.set_filter("carrier:tg kind:tjansteguiden");
    assert!(s.store().filter().problems.is_empty());
}

/// Issue 12, defect 17: a message this console wrote shows in the carrier's
/// log as the portal's own line; the Log tab names who wrote it and the
/// journal entry. Only a confirmed write claims a line, one line each, and
/// an older identical line stays the portal's.
#[test]
fn a_line_written_from_here_names_its_author_and_journal_entry() {
    use orderdesk::app::CarrierInfo;
    use orderdesk::carriers::tjansteguiden::TgProfile;
    let portal =
        reqwest::Url::parse("https://portal.example/admin/edit/services/plain/orders").unwrap();
    let carriers = vec![CarrierInfo {
        name: Arc::from("tg"),
        kind: "tjansteguiden",
        profile: Arc::new(TgProfile::new(portal, "1234")),
        quiet_hours: None,
    }];
    let mut s = State::new(carriers, options(false)).expect("keys");
    let mut order = order(
        "19530",
        "received",
        Duration::days(2),
        "Åsa",
        "Lind",
        "Fiber",
    );
    let line = |minutes_ago: i64| LogEntry {
        at: orderdesk::domain::Stamp {
            raw: String::new(),
            at: Some(now() - Duration::minutes(minutes_ago)),
        },
        kind: LogKind::Log,
        source: "portal".into(),
        text: "Kunden kontaktad".into(),
    };
    // The same routine text once yesterday (the portal's) and once now.
    order.log.push(line(60 * 24));
    order.log.push(line(2));
    s.upsert_orders(vec![order]);
    let mut entry = journal_entry(
        "3f2a9c1d00000000",
        "19530",
        JournalState::Sending,
        now() - Duration::minutes(3),
        "add message",
        None,
    );
    entry.request.params = vec![
        ("message".into(), "Kunden kontaktad".into()),
        ("type".into(), "log".into()),
    ];
    press(&mut s, Msg::Journal(entry.clone()));
    let sources = |s: &State| -> Vec<String> {
        let order = s.order(&tg_key("19530")).expect("held");
        s.log_timeline(order)
            .into_iter()
            .filter(|e| e.text == "Kunden kontaktad")
            .map(|e| e.source)
            .collect()
    };
    assert_eq!(sources(&s), ["portal", "portal"], "not confirmed yet");
    entry.state = JournalState::Confirmed;
    press(&mut s, Msg::Journal(entry));
    assert_eq!(
        sources(&s),
        ["portal · written here by anna, journal 3f2a9c1d", "portal"]
    );
}
