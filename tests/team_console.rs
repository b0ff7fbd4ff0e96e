//! The console's side of team mode without a database: `update()` with the
//! team store's news (the header's store chip, carriers and their health
//! from the store, colleagues' flags, presence and its marks, a colleague's
//! open write in a dialog, what this agent publishes), and the screen with
//! presence at 80x24 and 160x48.

mod common;

use std::sync::Arc;

use chrono::Duration;
use common::*;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use orderdesk::app::{self, Health, Level, Msg, Seen, State, SyncPhase, TeamMsg};
use orderdesk::carriers::{PollSummary, SyncEvent};
use orderdesk::domain::JournalState;
use orderdesk::ui;

fn team_state(readonly: bool) -> State {
    let mut s = state(readonly);
    s.start_team();
    app::update(
        &mut s,
        Msg::Sync(SyncEvent::Finished {
            carrier: Arc::from("tg"),
            result: Ok(PollSummary::default()),
            next_poll: None,
        }),
    );
    app::update(&mut s, Msg::Team(TeamMsg::Connected));
    app::update(&mut s, Msg::Tick(now()));
    s
}

fn seen(agent: &str, order: &str, dialog: Option<&str>, ago: Duration) -> Seen {
    Seen {
        agent: agent.into(),
        order: Some(tg_key(order)),
        dialog: dialog.map(str::to_owned),
        at: now() - ago,
    }
}

fn chip(s: &State) -> (String, Level) {
    s.store_chip().expect("team mode shows the store chip")
}

#[test]
fn the_store_chip_says_connected_reconnecting_then_unreachable_since_when() {
    let mut s = state(false);
    assert_eq!(s.store_chip(), None, "a solo console has no store chip");
    s.start_team();
    assert_eq!(chip(&s).0, "team store connecting");
    app::update(&mut s, Msg::Team(TeamMsg::Connected));
    assert_eq!(chip(&s), ("team store connected".into(), Level::Ok));

    let lost = now() + Duration::minutes(5);
    app::update(&mut s, Msg::Tick(lost));
    app::update(
        &mut s,
        Msg::Team(TeamMsg::Lost {
            since: lost,
            why: "connection refused".into(),
        }),
    );
    assert_eq!(chip(&s), ("team store reconnecting".into(), Level::Warning));
    // A failed retry later keeps the time it was first lost.
    app::update(&mut s, Msg::Tick(lost + Duration::seconds(40)));
    app::update(
        &mut s,
        Msg::Team(TeamMsg::Lost {
            since: lost + Duration::seconds(40),
            why: "connection refused".into(),
        }),
    );
    // 10:05 UTC is 11:05 in Stockholm, the console's zone.
    assert_eq!(
        chip(&s),
        ("team store unreachable since 11:05".into(), Level::Error)
    );
    app::update(&mut s, Msg::Team(TeamMsg::Connected));
    assert_eq!(chip(&s).0, "team store connected");
    assert_eq!(status_text(&s), "team store: connected again, caught up");
}

#[test]
fn carriers_come_from_the_store_and_their_chips_from_the_daemons_report() {
    let mut s = team_state(false);
    let px = orderdesk::runtime::carrier_info("px", "lumen-px", false).expect("a known kind");
    app::update(&mut s, Msg::Team(TeamMsg::Carriers(vec![px])));
    assert!(orderdesk::runtime::carrier_info("x", "carrier-pigeon", false).is_none());
    let names: Vec<&str> = s.carriers().iter().map(|c| &*c.info.name).collect();
    assert_eq!(names, ["tg", "px"]);
    app::update(
        &mut s,
        Msg::Team(TeamMsg::Health(vec![
            Health {
                carrier: "px".into(),
                ok: false,
                detail: Some("503 from the gateway".into()),
                checked_at: now(),
                next_poll: None,
            },
            Health {
                carrier: "tg".into(),
                ok: true,
                detail: None,
                checked_at: now() - Duration::seconds(20),
                next_poll: Some(now() + Duration::seconds(40)),
            },
        ])),
    );
    let px = s.carrier("px").unwrap();
    assert_eq!(
        px.chip.phase,
        SyncPhase::Error("503 from the gateway".into())
    );
    let tg = s.carrier("tg").unwrap();
    assert_eq!(tg.chip.phase, SyncPhase::Ok);
    assert_eq!(tg.chip.last_ok, Some(now() - Duration::seconds(20)));
}

#[test]
fn a_colleagues_flag_and_note_show_without_touching_the_agents_own_editor() {
    let mut s = team_state(false);
    select(&mut s, "19531");
    press(&mut s, ch('n'));
    typ(&mut s, "my draft");
    app::update(
        &mut s,
        Msg::Team(TeamMsg::Flag {
            key: tg_key("19488"),
            flag: Some(flag("anna", now())),
        }),
    );
    app::update(
        &mut s,
        Msg::Team(TeamMsg::Notes {
            key: tg_key("19488"),
            notes: vec![note(1, "19488", "anna", now(), "called")],
        }),
    );
    assert!(s.store().is_flagged(&tg_key("19488")));
    let editor = s.note_editor().expect("the agent's note stays open");
    assert_eq!(editor.input.text(), "my draft");
    app::update(
        &mut s,
        Msg::Team(TeamMsg::Flag {
            key: tg_key("19488"),
            flag: None,
        }),
    );
    assert!(!s.store().is_flagged(&tg_key("19488")));
}

#[test]
fn others_on_an_order_are_marked_and_gone_once_stale() {
    let mut s = team_state(false);
    app::update(
        &mut s,
        Msg::Team(TeamMsg::Presence(vec![
            seen("erik", "19488", None, Duration::seconds(5)),
            seen(
                "anna",
                "19488",
                Some("writing a message"),
                Duration::seconds(1),
            ),
            // This agent, and someone whose console went quiet long ago.
            seen("agent", "19488", None, Duration::seconds(1)),
            seen("olle", "19531", None, Duration::minutes(5)),
        ])),
    );
    let words: Vec<String> = s
        .others_on(&tg_key("19488"))
        .iter()
        .map(|p| p.words())
        .collect();
    assert_eq!(words, ["anna is writing a message", "erik is viewing"]);
    assert!(s.others_on(&tg_key("19531")).is_empty(), "stale");
    let watched = s.watched_orders();
    assert_eq!(watched.get(&tg_key("19488")), Some(&2));
    assert_eq!(watched.len(), 1);
    // A minute without a refresh: gone.
    app::update(&mut s, Msg::Tick(now() + Duration::seconds(61)));
    assert!(s.others_on(&tg_key("19488")).is_empty());
    assert!(s.watched_orders().is_empty());
}

#[test]
fn refresh_asks_nothing_of_the_carriers_in_team_mode() {
    let mut s = team_state(false);
    let fx = press(&mut s, ch('r'));
    assert!(fx.is_empty(), "{fx:?}");
    assert!(
        status_text(&s).contains("sync daemon polls"),
        "{}",
        status_text(&s)
    );
    let fx = press(&mut state(false), ch('r'));
    assert!(!fx.is_empty(), "a solo console polls");
}

#[test]
fn what_an_agent_publishes_follows_the_detail_and_the_dialog() {
    let mut s = team_state(false);
    assert_eq!(s.presence_now(), Some((None, None)), "on the table");
    select(&mut s, "19531");
    press(&mut s, key(KeyCode::Enter));
    assert_eq!(s.presence_now(), Some((Some(tg_key("19531")), None)));
    press(&mut s, ch('n'));
    assert_eq!(
        s.presence_now(),
        Some((Some(tg_key("19531")), Some("writing a note".into())))
    );
    assert_eq!(
        state(false).presence_now(),
        None,
        "solo: nothing to publish"
    );
    assert_eq!(
        team_state(true).presence_now(),
        None,
        "a viewer publishes none"
    );
}

#[test]
fn a_colleagues_open_write_is_named_in_words() {
    let mut s = team_state(false);
    let mut entry = journal_entry(
        "e1",
        "19531",
        JournalState::Sending,
        now(),
        "set status delivered",
        None,
    );
    app::update(&mut s, Msg::Journal(entry.clone()));
    assert_eq!(
        s.colleague_write(&tg_key("19531")).as_deref(),
        Some("anna's set status delivered is sending")
    );
    assert_eq!(s.colleague_write(&tg_key("19488")), None);
    entry.state = JournalState::Confirmed;
    entry.resolved_at = Some(now());
    app::update(&mut s, Msg::Journal(entry));
    assert_eq!(s.colleague_write(&tg_key("19531")), None, "settled");
}

// ---- The screen -------------------------------------------------------------

fn render(s: &mut State, w: u16, h: u16) -> Terminal<TestBackend> {
    let (theme, _) = orderdesk::runtime::load_theme("default");
    app::update(
        s,
        Msg::Resize {
            width: w,
            height: h,
        },
    );
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| ui::view(s, &theme, f)).unwrap();
    terminal
}

#[test]
fn presence_shows_in_the_table_the_detail_and_the_header() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut s = team_state(false);
        app::update(
            &mut s,
            Msg::Team(TeamMsg::Presence(vec![
                seen("erik", "19488", None, Duration::seconds(5)),
                seen(
                    "anna",
                    "19488",
                    Some("writing a message"),
                    Duration::seconds(1),
                ),
            ])),
        );
        select(&mut s, "19488");
        press(&mut s, key(KeyCode::Enter));
        let terminal = render(&mut s, w, h);
        insta::assert_snapshot!(format!("team_presence_{w}x{h}"), terminal.backend());
    }
}

#[test]
fn a_dialog_says_a_colleagues_write_is_still_open() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut s = team_state(false);
        app::update(
            &mut s,
            Msg::Journal(journal_entry(
                "e1",
                "19531",
                JournalState::Sending,
                now(),
                "set status delivered",
                None,
            )),
        );
        app::update(
            &mut s,
            Msg::Team(TeamMsg::Lost {
                since: now(),
                why: "connection refused".into(),
            }),
        );
        select(&mut s, "19531");
        press(&mut s, ch('t'));
        let terminal = render(&mut s, w, h);
        insta::assert_snapshot!(format!("team_dialog_colleague_{w}x{h}"), terminal.backend());
    }
}

#[test]
fn an_empty_table_says_it_waits_for_the_team_store_and_why() {
    let text = |s: &mut State| format!("{:?}", render(s, 120, 20).backend());
    let mut s = State::new(carriers(), options(false)).unwrap();
    s.start_team();
    app::update(&mut s, Msg::CacheLoading);
    assert!(text(&mut s).contains("Reading the team store…"));
    app::update(
        &mut s,
        Msg::Team(TeamMsg::Lost {
            since: now(),
            why: "connection refused".into(),
        }),
    );
    let screen = text(&mut s);
    assert!(
        screen.contains("Waiting for the team store: connection refused."),
        "{screen}"
    );
    assert!(!screen.contains("local cache"), "{screen}");
}
