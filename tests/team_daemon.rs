//! `orderdesk sync`, the team daemon, as real processes on a real
//! PostgreSQL (see `pg_support`) against the Tjänsteguiden simulator on
//! loopback, whose counters show what the carrier saw: two daemons on one
//! database poll like one; `kill -9` of the active one and the standby
//! takes over within 30 s from the stored cursor; a write recorded by an
//! agent's login (as a team console records it) is sent once and settles
//! `confirmed`, also when the active daemon dies mid-write; SIGTERM exits
//! 0; `--metrics` serves every family. The daemons log JSON lines, read
//! here to know what each one is doing.

mod daemon_support;
mod pg_support;

use daemon_support::{Daemon, FROM_CURSOR, HOLDS, POLLED, STANDS_BY, write_tg_config};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::Utc;
use orderdesk::domain::{ActionKind, ActionRequest, JournalState, OrderKey};
use orderdesk::sim::RunningSim;
use orderdesk::sim::tjansteguiden::{SimOptions, TgSim};
use orderdesk::store::postgres::{Password, init};
use orderdesk::store::{Journal, JournalEntry, NewJournalEntry, PgStore};

const SYNC_PW: &str = "pw-of-the-daemon";
const AGENT_PW: &str = "pw-of-anna";

/// One team: its database with a daemon login and an agent login, the
/// simulator, and a config naming it (polling every half second).
struct Team {
    _db: pg_support::TestDb,
    sync_url: String,
    agent: PgStore,
    sim: TgSim,
    _server: RunningSim,
    dir: tempfile::TempDir,
}

async fn team() -> Option<Team> {
    let db = pg_support::fresh_db().await?;
    init(&db.url, &Password::none()).await.expect("db init");
    let sync_url = db.login(&db.user("sync"), SYNC_PW, "orderdesk_sync").await;
    let agent_url = db
        .login(&db.user("anna"), AGENT_PW, "orderdesk_agent")
        .await;
    let agent = PgStore::open(&agent_url, &Password::given(AGENT_PW.into()))
        .await
        .expect("the agent's login opens the store");
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
    write_tg_config(dir.path(), &server.origin(), sim.api_user(), 0.5);
    Some(Team {
        _db: db,
        sync_url,
        agent,
        sim,
        _server: server,
        dir,
    })
}

/// `orderdesk sync` on the team's database with the team's config.
fn daemon(team: &Team, extra: &[&str]) -> Daemon {
    Daemon::start(
        &team.sync_url,
        SYNC_PW,
        &team.dir.path().join("carriers.toml"),
        extra,
    )
}

/// Two daemons, the first holding the lock, the second standing by.
async fn two_daemons(team: &Team, first_extra: &[&str]) -> (Daemon, Daemon) {
    let a = daemon(team, first_extra);
    a.wait_for(HOLDS, 1, Duration::from_secs(30)).await;
    a.wait_for(POLLED, 1, Duration::from_secs(30)).await;
    let b = daemon(team, &[]);
    b.wait_for(STANDS_BY, 1, Duration::from_secs(30)).await;
    (a, b)
}

/// A message recorded in the shared journal with the agent's login, as a
/// console in team mode records a write.
async fn record_message(team: &Team, text: &str) -> JournalEntry {
    let id = team.sim.order_ids().into_iter().next().expect("an order");
    let request = ActionRequest {
        action: ActionKind::AddMessage,
        params: vec![
            ("type".into(), "log".into()),
            ("message".into(), text.into()),
        ],
        summary: format!("add log message {text:?}"),
        preview: None,
    };
    team.agent
        .journal_record(NewJournalEntry {
            session: "console-of-anna",
            author: "anna",
            key: &OrderKey::new("tg", id.as_str()),
            kind: "tjansteguiden",
            request: &request,
            at: Utc::now(),
        })
        .await
        .expect("an agent may record a write")
}

/// Waits until the entry is final; the entry then.
async fn settled(team: &Team, id: &str, within: Duration) -> JournalEntry {
    let start = Instant::now();
    loop {
        let entry = team
            .agent
            .journal_get(id)
            .await
            .expect("journal")
            .expect("the entry");
        if entry.state.is_final() {
            return entry;
        }
        assert!(
            start.elapsed() < within,
            "not settled within {within:?}: {entry:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_daemons_poll_as_one_and_the_standby_takes_over_from_the_cursor() {
    let Some(team) = team().await else {
        return;
    };
    let (mut a, mut b) = two_daemons(&team, &[]).await;

    // While both run, the carrier sees one poller: its list requests are
    // the polls the active daemon logged, the standby polled nothing.
    let (requests, polls) = (team.sim.requests("orders"), a.count(POLLED));
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (requests, polls) = (
        team.sim.requests("orders") - requests,
        a.count(POLLED) - polls,
    );
    assert!(polls >= 2, "the active daemon polls every half second");
    assert!(
        requests.abs_diff(polls) <= 1,
        "{requests} list requests for {polls} polls of one daemon"
    );
    assert_eq!(b.count(POLLED), 0, "the standby does not poll");
    let first_date = team.sim.last_param("orders", "date");

    // kill -9 of the active one: the standby polls within 30 s, from the
    // stored cursor, not from the start.
    a.kill9();
    let before = team.sim.requests("orders");
    let took = b.wait_for(HOLDS, 1, Duration::from_secs(30)).await;
    assert!(took < Duration::from_secs(30), "took over after {took:?}");
    b.wait_for(FROM_CURSOR, 1, Duration::from_secs(10)).await;
    let log = b.log();
    assert!(
        log.lines()
            .any(|l| l.contains(FROM_CURSOR) && !l.contains("\"cursor\":\"none\"")),
        "the standby continues from a stored cursor:\n{log}"
    );
    b.wait_for(POLLED, 1, Duration::from_secs(20)).await;
    assert!(team.sim.requests("orders") > before, "the standby polls");
    assert_ne!(
        team.sim.last_param("orders", "date").as_deref(),
        Some("2000-01-01"),
        "its list starts from the cursor (the first poll listed from {first_date:?})"
    );

    // Its health row (written after the poll, on a task of its own) names
    // it as the poller.
    let poller = format!(":{}", b.pid());
    let start = Instant::now();
    let tg = loop {
        let health = team.agent.carrier_health().await.expect("health");
        let tg = health.into_iter().find(|h| h.carrier == "tg");
        match tg {
            Some(tg) if tg.poller.as_deref().is_some_and(|p| p.ends_with(&poller)) => break tg,
            other => assert!(
                start.elapsed() < Duration::from_secs(10),
                "no health row by {poller}: {other:?}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(tg.kind, "tjansteguiden");
    assert!(tg.ok, "{tg:?}");

    // SIGTERM: it stops polling, settles and exits 0.
    let status = b.terminate(Duration::from_secs(40)).await;
    assert!(status.success(), "{status:?}\n{}", b.log());
    let log = b.log();
    assert!(log.contains("\"message\":\"stopped\""), "{log}");
    // Every line it wrote is one JSON object.
    for line in log.lines() {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_recorded_by_an_agent_is_sent_once_by_two_daemons_and_metrics_show_it() {
    let Some(team) = team().await else {
        return;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let (a, b) = two_daemons(&team, &["--metrics", &addr]).await;

    let entry = record_message(&team, "sent once for the team").await;
    let start = Instant::now();
    let entry = settled(&team, &entry.id, Duration::from_secs(15)).await;
    assert_eq!(entry.state, JournalState::Confirmed, "{entry:?}");
    assert_eq!(entry.sends, 1);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "sent promptly on the notification, not on the 60 s pass: {:?}",
        start.elapsed()
    );
    assert_eq!(team.sim.writes(), 1);
    // Neither daemon sends it again.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(team.sim.writes(), 1);
    assert!(
        a.log().contains("\"message\":\"write confirmed\""),
        "{}",
        a.log()
    );
    assert!(!b.log().contains("\"message\":\"write"), "{}", b.log());

    // The metrics, once the open orders were counted after a poll.
    let url = format!("http://{addr}/metrics");
    let mut text = String::new();
    for _ in 0..100 {
        text = reqwest::get(&url)
            .await
            .expect("metrics answer")
            .text()
            .await
            .expect("metrics text");
        if text.contains("orderdesk_open_orders{carrier=\"tg\"") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let value = |prefix: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {prefix:?} in\n{text}"))
    };
    assert!(value("orderdesk_polls_total{carrier=\"tg\"}") >= 1.0);
    assert_eq!(value("orderdesk_poll_errors_total{carrier=\"tg\"}"), 0.0);
    assert!(value("orderdesk_poll_duration_seconds_count{carrier=\"tg\"}") >= 1.0);
    assert_eq!(value("orderdesk_writes_total{outcome=\"confirmed\"}"), 1.0);
    assert_eq!(value("orderdesk_write_settle_seconds_count"), 1.0);
    assert_eq!(value("orderdesk_polling{carrier=\"tg\"}"), 1.0);
    value("orderdesk_attention_orders");
    let open: f64 = text
        .lines()
        .filter(|l| l.starts_with("orderdesk_open_orders{carrier=\"tg\""))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum();
    assert!(open >= 1.0, "open orders counted:\n{text}");
    for family in [
        "# TYPE orderdesk_polls_total counter",
        "# TYPE orderdesk_poll_errors_total counter",
        "# TYPE orderdesk_poll_duration_seconds histogram",
        "# TYPE orderdesk_writes_total counter",
        "# TYPE orderdesk_open_orders gauge",
        "# TYPE orderdesk_attention_orders gauge",
    ] {
        assert!(text.contains(family), "no {family:?} in\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_the_active_daemon_mid_write_and_the_standby_settles_it_once() {
    let Some(team) = team().await else {
        return;
    };
    let (mut a, b) = two_daemons(&team, &[]).await;
    // The carrier applies writes at once and answers 4 s later: the
    // daemon dies between the two.
    let mut faults = team.sim.faults();
    faults.write_answer_delay = Duration::from_secs(4);
    team.sim.set_faults(faults);

    let entry = record_message(&team, "applied, answer never read").await;
    let start = Instant::now();
    while team.sim.writes() == 0 {
        assert!(start.elapsed() < Duration::from_secs(10), "never sent");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    a.kill9();
    let in_flight = team
        .agent
        .journal_get(&entry.id)
        .await
        .expect("journal")
        .expect("the entry");
    assert_eq!(in_flight.state, JournalState::Sending, "{in_flight:?}");

    b.wait_for(HOLDS, 1, Duration::from_secs(30)).await;
    let entry = settled(&team, &entry.id, Duration::from_secs(30)).await;
    assert_eq!(entry.state, JournalState::Confirmed, "{entry:?}");
    assert_eq!(entry.sends, 1, "settled by re-reading, not sent again");
    assert_eq!(team.sim.writes(), 1);
}

/// The config the tests write is one `check-config` accepts.
#[test]
fn the_test_config_is_valid() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("c.toml");
    std::fs::write(
        &path,
        "refresh = 0.5\n\n[[carrier]]\nname = \"tg\"\nkind = \"tjansteguiden\"\n\
         base_url = \"http://127.0.0.1:1/x\"\napi_user = \"1\"\nsince = \"2000-01-01\"\n",
    )
    .expect("written");
    let out = Command::new(env!("CARGO_BIN_EXE_orderdesk"))
        .arg("check-config")
        .arg("--config")
        .arg(Path::new(&path))
        .output()
        .expect("runs");
    assert!(out.status.success(), "{out:?}");
}

/// A daemon claiming a journal row another daemon is claiming right now
/// (its transaction holds the row) is refused at once instead of waiting
/// for it (`FOR UPDATE SKIP LOCKED`); once the row is free, the claim goes
/// through as before.
#[tokio::test]
async fn a_claim_skips_a_row_another_daemon_is_claiming() {
    let Some(db) = pg_support::fresh_db().await else {
        return;
    };
    init(&db.url, &Password::none()).await.expect("db init");
    let sync_url = db.login(&db.user("sync"), SYNC_PW, "orderdesk_sync").await;
    let store = PgStore::open(&sync_url, &Password::given(SYNC_PW.into()))
        .await
        .expect("the daemon's login opens the store");
    let request = ActionRequest {
        action: ActionKind::AddMessage,
        params: vec![("message".into(), "hello".into())],
        summary: "add log message \"hello\"".into(),
        preview: None,
    };
    let entry = store
        .journal_record(NewJournalEntry {
            session: "console-of-anna",
            author: "anna",
            key: &OrderKey::new("tg", "1"),
            kind: "tjansteguiden",
            request: &request,
            at: Utc::now(),
        })
        .await
        .expect("recorded");

    let mut other = db.admin().await;
    let claiming = other.transaction().await.expect("a transaction");
    claiming
        .query(
            "SELECT id FROM journal WHERE id = $1 FOR UPDATE",
            &[&entry.id],
        )
        .await
        .expect("the other daemon holds the row");
    let refused = tokio::time::timeout(
        Duration::from_secs(3),
        store.journal_mark_sending(&entry, "daemon-b", Utc::now()),
    )
    .await
    .expect("refused at once, not after the other's transaction");
    assert!(
        matches!(
            refused,
            Err(orderdesk::store::StoreError::BadTransition { .. })
        ),
        "{refused:?}"
    );
    claiming.rollback().await.expect("rollback");

    let claimed = store
        .journal_mark_sending(&entry, "daemon-b", Utc::now())
        .await
        .expect("claimed once the row is free");
    assert_eq!((claimed.state, claimed.sends), (JournalState::Sending, 1));
}
