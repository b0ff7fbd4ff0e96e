//! A team at work: one PostgreSQL (see `pg_support`), two `orderdesk sync`
//! daemons (one polls, one stands by) against the Tjänsteguiden simulator,
//! and three consoles in team mode: each the whole console loop (app, view,
//! follower) on a `TestBackend`, keys typed as an agent types them, the
//! screen read as the agent reads it. What one agent does on their console
//! (a note, a flag, a status change) is on the other two screens within a
//! second; the same write sent from two consoles at one instant reaches
//! the carrier once; the carrier sees one poller's traffic, however many
//! consoles follow.

mod console;
mod daemon_support;
mod pg_support;

use std::time::{Duration, Instant};

use console::{Console, Running, Start, team_console};
use crossterm::event::KeyCode;
use daemon_support::{Daemon, active_and_standby, write_tg_config};
use orderdesk::domain::{JournalFilter, JournalState};
use orderdesk::sim::RunningSim;
use orderdesk::sim::tjansteguiden::{SimOptions, TgSim};
use orderdesk::store::postgres::{Password, init};
use orderdesk::store::{Journal, PgStore};

const SYNC_PW: &str = "pw-of-the-daemon";
const AGENT_PW: &str = "pw-of-the-agent";
/// What the issue allows for a change to reach the other consoles.
const WITHIN: Duration = Duration::from_secs(1);
/// How often the daemons (and the solo console compared) poll.
const REFRESH: f64 = 0.25;

/// The team's database, its simulator, and the two daemons.
struct Team {
    db: pg_support::TestDb,
    sim: TgSim,
    _server: RunningSim,
    _dir: tempfile::TempDir,
    _active: Daemon,
    _standby: Daemon,
}

async fn team(orders: usize) -> Option<Team> {
    let db = pg_support::fresh_db().await?;
    init(&db.url, &Password::none()).await.expect("db init");
    let sync_url = db.login(&db.user("sync"), SYNC_PW, "orderdesk_sync").await;
    let (sim, server) = TgSim::spawn(
        SimOptions {
            orders,
            ..SimOptions::default()
        },
        0,
    )
    .await
    .expect("sim starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_tg_config(dir.path(), &server.origin(), sim.api_user(), REFRESH);
    let (active, standby) = active_and_standby(&sync_url, SYNC_PW, &config).await;
    Some(Team {
        db,
        sim,
        _server: server,
        _dir: dir,
        _active: active,
        _standby: standby,
    })
}

impl Team {
    /// A console of agent `name`, up and showing the team's orders.
    async fn console(&self, name: &str) -> Running {
        let user = self.db.user(name);
        let url = self.db.login(&user, AGENT_PW, "orderdesk_agent").await;
        let console = team_console(&url, AGENT_PW, &user, false, (160, 48));
        console
            .wait_for("the team's orders from the store", |s| {
                s.contains("team store connected") && s.contains("tg/")
            })
            .await;
        console
    }

    /// An order the simulator has as `new`.
    fn new_order(&self) -> String {
        self.sim
            .order_ids()
            .into_iter()
            .find(|id| self.sim.status_of(id).as_deref() == Some("new"))
            .expect("the simulator has a new order")
    }
}

/// Filters the console down to order `key` and opens its detail.
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
    console.keys(&[KeyCode::Enter]);
    let header = format!(" {key} · ");
    console
        .wait_for("the order's detail", |s| s.contains(&header))
        .await;
    // Its log (where notes and the flag are), then back to the table with
    // the detail still shown below it.
    console.keys(&[KeyCode::Char('l'), KeyCode::Char('l'), KeyCode::Char('l')]);
    console
        .wait_for("the order's log", |s| s.contains("entries, newest first"))
        .await;
    console.keys(&[KeyCode::Esc]);
}

/// Waits until every console's screen satisfies `check`; how long after
/// `since` the last one did.
async fn on_all(
    since: Instant,
    consoles: &[&Running],
    what: &str,
    check: impl Fn(&str) -> bool + Copy,
) -> Duration {
    for console in consoles {
        console.wait_for(what, check).await;
    }
    since.elapsed()
}

/// The table's row of `key` shows `status`.
fn row_shows(screen: &str, key: &str, status: &str) -> bool {
    screen
        .lines()
        .any(|l| l.contains(&format!("{key} {status} ")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_a_flag_and_a_status_change_on_one_console_are_on_the_others_within_a_second() {
    let Some(team) = team(30).await else {
        return;
    };
    let anna = team.console("anna").await;
    let erik = team.console("erik").await;
    let lena = team.console("lena").await;
    let id = team.new_order();
    let key = format!("tg/{id}");
    for console in [&anna, &erik, &lena] {
        open(console, &key).await;
    }
    println!("{}", erik.screen());

    // A note: on the others' screens within a second of anna's Ctrl-S.
    anna.keys(&[KeyCode::Char('n')]);
    anna.literal("called the customer, back at 3");
    let pressed = Instant::now();
    anna.ctrl('s');
    let took = on_all(pressed, &[&erik, &lena], "anna's note", |s| {
        s.contains("called the customer, back at 3")
    })
    .await;
    assert!(took < WITHIN, "the note took {took:?}");
    // Made a moment ago by another machine's clock: not "in 0s".
    let screen = erik.screen();
    assert!(
        !screen.contains("(in ") && !screen.contains("now ago"),
        "{screen}"
    );

    // A flag.
    let pressed = Instant::now();
    anna.keys(&[KeyCode::Char('f')]);
    let took = on_all(pressed, &[&erik, &lena], "anna's flag", |s| {
        s.contains("flagged for follow-up") && s.lines().any(|l| l.starts_with('⚑'))
    })
    .await;
    assert!(took < WITHIN, "the flag took {took:?}");

    // A status change: recorded by anna's console, sent by the active
    // daemon, read back from the carrier, and on every screen.
    anna.keys(&[KeyCode::Char('t')]);
    anna.wait_for("the set status dialog", |s| s.contains("(current)"))
        .await;
    let pressed = Instant::now();
    anna.keys(&[KeyCode::Down, KeyCode::Enter]);
    let took = on_all(pressed, &[&anna, &erik, &lena], "the new status", |s| {
        row_shows(s, &key, "received") && s.contains("set status received: confirmed")
    })
    .await;
    assert!(took < WITHIN, "the status change took {took:?}");
    assert_eq!(team.sim.status_of(&id).as_deref(), Some("received"));
    assert_eq!(team.sim.writes(), 1, "sent once, by one daemon");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_write_sent_from_two_consoles_at_one_instant_reaches_the_carrier_once() {
    let Some(team) = team(30).await else {
        return;
    };
    let anna = team.console("anna").await;
    let erik = team.console("erik").await;
    let id = team.new_order();
    let key = format!("tg/{id}");
    for console in [&anna, &erik] {
        open(console, &key).await;
        console.keys(&[KeyCode::Char('t')]);
        console
            .wait_for("the set status dialog", |s| s.contains("(current)"))
            .await;
        console.keys(&[KeyCode::Down]);
    }
    // Both confirm at once.
    anna.keys(&[KeyCode::Enter]);
    erik.keys(&[KeyCode::Enter]);
    on_all(
        Instant::now(),
        &[&anna, &erik],
        "the write confirmed",
        |s| row_shows(s, &key, "received") && s.contains("set status received: confirmed"),
    )
    .await;
    // Give a second write every chance to go out.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(team.sim.writes(), 1, "one write reached the carrier");
    let log = team.sim.log_of(&id);
    let changes = log
        .iter()
        .filter(|(_, m)| m.contains("Status changed to received"))
        .count();
    assert_eq!(changes, 1, "{log:?}");
    // One entry in the team's journal, by whichever agent came first.
    let store = PgStore::open(&team.db.url, &Password::none())
        .await
        .expect("the store opens");
    let entries: Vec<_> = store
        .journal(&JournalFilter::default())
        .await
        .expect("the journal")
        .into_iter()
        .filter(|e| e.key.to_string() == key)
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].state, JournalState::Confirmed);
    // Both agents were told the outcome of that one write.
    for console in [&anna, &erik] {
        assert!(
            !console.screen().contains("sending"),
            "nothing left sending:\n{}",
            console.screen()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_carrier_sees_one_pollers_traffic_however_many_consoles_follow() {
    let Some(team) = team(30).await else {
        return;
    };
    let consoles = [
        team.console("anna").await,
        team.console("erik").await,
        team.console("lena").await,
    ];
    // One console on its own, polling its own simulator as often.
    let solo = Console::start(Start {
        orders: 30,
        refresh: Duration::from_secs_f64(REFRESH),
        ..Start::default()
    })
    .await;
    solo.wait_for("the solo console's first sync", |s| s.contains("✓ tg"))
        .await;
    let polls = |sim: &TgSim| sim.requests("orders") + sim.requests("order_info");
    let (team_before, solo_before) = (polls(&team.sim), polls(&solo.sim));
    tokio::time::sleep(Duration::from_secs(10)).await;
    let team_spent = polls(&team.sim) - team_before;
    let solo_spent = polls(&solo.sim) - solo_before;
    let allowed = (solo_spent / 20).max(2);
    assert!(
        team_spent.abs_diff(solo_spent) <= allowed,
        "two daemons and three consoles asked {team_spent} times, one console {solo_spent} \
         (within {allowed})"
    );
    assert!(solo_spent >= 20, "both polled all along: {solo_spent}");
    // The consoles are still following.
    for console in &consoles {
        assert!(console.screen().contains("team store connected"));
    }
}
