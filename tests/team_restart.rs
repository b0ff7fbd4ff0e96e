//! The team store restarted under a working team (its own binary: it stops
//! and starts the test cluster, which no other test here shares). Two
//! `orderdesk sync` daemons against the Tjänsteguiden simulator and
//! consoles in team mode (the whole console loop on a `TestBackend`):
//! while PostgreSQL is down the consoles say so, a note that cannot be
//! saved keeps its text and says why, and a console started meanwhile
//! starts anyway; once it is back, every console reconnects and catches up
//! by itself, the note is saved on a second Ctrl-S, and the daemons go on:
//! a status change is sent once and reaches every screen.

mod console;
mod daemon_support;
mod pg_support;

use console::{Running, team_console};
use crossterm::event::KeyCode;
use daemon_support::{active_and_standby, write_tg_config};
use orderdesk::sim::tjansteguiden::{SimOptions, TgSim};
use orderdesk::store::postgres::{Password, init};

const SYNC_PW: &str = "pw-of-the-daemon";
const AGENT_PW: &str = "pw-of-the-agent";

fn connected(s: &str) -> bool {
    s.contains("team store connected")
}

/// Filters the console down to order `key`, opens its log, and goes back
/// to the table with the detail shown below it.
async fn open(console: &Running, key: &str) {
    console.keys(&[KeyCode::Char('/')]);
    console.ctrl('u');
    console.literal(key);
    console.keys(&[KeyCode::Enter]);
    console
        .wait_for("the filter on the order", |s| {
            s.contains(&format!("/ {key}"))
        })
        .await;
    console.keys(&[
        KeyCode::Enter,
        KeyCode::Char('l'),
        KeyCode::Char('l'),
        KeyCode::Char('l'),
    ]);
    console
        .wait_for("the order's log", |s| s.contains("entries, newest first"))
        .await;
    console.keys(&[KeyCode::Esc]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_database_restart_consoles_and_daemons_go_on_and_nothing_typed_is_lost() {
    let Some(db) = pg_support::fresh_db().await else {
        return;
    };
    let cluster = pg_support::cluster().expect("the cluster of fresh_db");
    init(&db.url, &Password::none()).await.expect("db init");
    let sync_url = db.login(&db.user("sync"), SYNC_PW, "orderdesk_sync").await;
    let mut agents = Vec::new();
    for name in ["anna", "erik", "lena"] {
        let user = db.user(name);
        let url = db.login(&user, AGENT_PW, "orderdesk_agent").await;
        agents.push((user, url));
    }
    let (sim, server) = TgSim::spawn(
        SimOptions {
            orders: 20,
            ..SimOptions::default()
        },
        0,
    )
    .await
    .expect("sim starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_tg_config(dir.path(), &server.origin(), sim.api_user(), 0.5);
    let (active, standby) = active_and_standby(&sync_url, SYNC_PW, &config).await;

    let console_of = |i: usize| {
        let (user, url) = &agents[i];
        team_console(url, AGENT_PW, user, false, (160, 48))
    };
    let anna = console_of(0);
    let erik = console_of(1);
    for console in [&anna, &erik] {
        console
            .wait_for("the team's orders", |s| connected(s) && s.contains("tg/"))
            .await;
    }
    let id = sim
        .order_ids()
        .into_iter()
        .find(|id| sim.status_of(id).as_deref() == Some("new"))
        .expect("a new order");
    let key = format!("tg/{id}");
    open(&anna, &key).await;
    open(&erik, &key).await;
    anna.keys(&[KeyCode::Char('n')]);
    anna.literal("left a voicemail");

    // The database goes down.
    cluster.stop_for_now();
    for console in [&anna, &erik] {
        console
            .wait_for("the store chip to say the link is lost", |s| {
                s.contains("team store reconnecting") || s.contains("team store unreachable")
            })
            .await;
    }
    // A console started now starts, and says where it stands.
    let lena = console_of(2);
    lena.wait_for("lena's console up without its store, saying why", |s| {
        s.contains("Waiting for the team store: cannot reach the team store") && !connected(s)
    })
    .await;
    // The note cannot be saved: it stays, with why.
    anna.ctrl('s');
    let screen = anna
        .wait_for("the refused note, kept", |s| {
            s.contains("left a voicemail") && s.contains("cannot reach the team store")
        })
        .await;
    assert!(!screen.contains("note saved"), "{screen}");

    // Back up: everyone reconnects and catches up by themselves.
    cluster.start_again();
    for console in [&anna, &erik, &lena] {
        console.wait_for("reconnected", connected).await;
    }
    lena.wait_for("lena's console caught up", |s| s.contains(&key))
        .await;
    open(&lena, &key).await;
    anna.ctrl('s');
    anna.wait_for("the note saved on the second try", |s| {
        s.contains("note saved")
    })
    .await;
    for console in [&erik, &lena] {
        console
            .wait_for("anna's note", |s| s.contains("left a voicemail"))
            .await;
    }

    // The daemons go on: a status change is sent once and shown to all.
    anna.keys(&[KeyCode::Char('t')]);
    anna.wait_for("the set status dialog", |s| s.contains("(current)"))
        .await;
    anna.keys(&[KeyCode::Down, KeyCode::Enter]);
    for console in [&anna, &erik, &lena] {
        console
            .wait_for("the status change", |s| {
                s.contains("set status received: confirmed")
                    && s.lines().any(|l| l.contains(&format!("{key} received ")))
            })
            .await;
    }
    assert_eq!(sim.status_of(&id).as_deref(), Some("received"));
    assert_eq!(sim.writes(), 1);
    drop((active, standby));
}
