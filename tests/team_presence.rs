//! Presence among following consoles and what the daemon's metrics say
//! about them, on a real PostgreSQL (see `pg_support`): a colleague's
//! presence reaches a follower and is gone once they leave, while the rest
//! of the team's presence stays as it was (each change reads only the
//! rows it names); `orderdesk sync --metrics` counts the consoles that
//! follow (their LISTEN connections, by `application_name`, seen by the
//! daemon's own role) and times each HTTP request to the carrier.

mod daemon_support;
mod follow_support;
mod pg_support;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::Utc;
use follow_support::wait_for;
use orderdesk::domain::{Order, OrderKey, Stage, Status};
use orderdesk::follow::{self, FollowEvent, FollowHandle, FollowSetup};
use orderdesk::sim::tjansteguiden::{SimOptions, TgSim};
use orderdesk::store::postgres::{PRESENCE_FRESH, Password, Presence, init};
use orderdesk::store::{OrderCache, PgStore};
use tokio::sync::mpsc::UnboundedReceiver;

/// What the tests allow for a change to reach a follower.
const WITHIN: Duration = Duration::from_secs(1);
/// Colleagues already present when the test starts (a team of 50 with
/// the two followers).
const OTHERS: usize = 48;

struct Team {
    db: pg_support::TestDb,
    /// The superuser: what the daemon (role orderdesk_sync) would do.
    owner: PgStore,
}

async fn team() -> Option<Team> {
    let db = pg_support::fresh_db().await?;
    init(&db.url, &Password::none()).await.unwrap();
    let owner = PgStore::open(&db.url, &Password::none()).await.unwrap();
    owner
        .save_orders(vec![Order::new(
            OrderKey::new("tg", "1"),
            "tjansteguiden",
            Status::new("new", Stage::New, false),
        )])
        .await
        .unwrap();
    Some(Team { db, owner })
}

impl Team {
    /// A follower with an agent login as `who`, once it painted and listens.
    async fn follower(&self, who: &str) -> (String, FollowHandle, UnboundedReceiver<FollowEvent>) {
        let user = self.db.user(who);
        let url = self.db.login(&user, "pw", "orderdesk_agent").await;
        let store = PgStore::open(&url, &Password::given("pw".into()))
            .await
            .unwrap();
        let (handle, mut events) = follow::spawn(FollowSetup {
            store,
            author: user.clone(),
            viewer: false,
        });
        wait_for(&mut events, Duration::from_secs(10), |e| {
            matches!(e, FollowEvent::Connected).then_some(())
        })
        .await;
        (user, handle, events)
    }
}

fn presence_list(e: &FollowEvent) -> Option<Vec<Presence>> {
    match e {
        FollowEvent::Presence(list) => Some(list.clone()),
        _ => None,
    }
}

#[tokio::test]
async fn a_colleague_s_presence_comes_and_goes_and_the_rest_of_the_team_s_stays() {
    let Some(team) = team().await else {
        return;
    };
    // The rest of the team, each on an order of their own.
    let now = Utc::now();
    for n in 0..OTHERS {
        let key = OrderKey::new("tg", format!("o{n}"));
        team.owner
            .set_presence(&format!("agent{n:02}"), Some(&key), None, now)
            .await
            .unwrap();
    }
    let (_, _erik, mut events) = team.follower("erik").await;
    let (anna, anna_handle, _anna_events) = team.follower("anna").await;
    let key = OrderKey::new("tg", "1");

    anna_handle.present(Some(key.clone()), Some("writing a message".into()));
    let list = wait_for(&mut events, WITHIN, |e| {
        presence_list(e).filter(|l| l.iter().any(|p| p.agent == anna))
    })
    .await;
    let seen = list.iter().find(|p| p.agent == anna).unwrap();
    assert_eq!(seen.order, Some(key.clone()));
    assert_eq!(seen.dialog.as_deref(), Some("writing a message"));
    assert_eq!(list.len(), OTHERS + 1, "everyone else is still there");

    // She moves on: the same row, changed.
    anna_handle.present(Some(key.clone()), None);
    let list = wait_for(&mut events, WITHIN, |e| {
        presence_list(e).filter(|l| l.iter().any(|p| p.agent == anna && p.dialog.is_none()))
    })
    .await;
    assert_eq!(list.len(), OTHERS + 1);

    anna_handle.leave(Duration::from_secs(5)).await;
    let list = wait_for(&mut events, WITHIN, |e| {
        presence_list(e).filter(|l| !l.iter().any(|p| p.agent == anna))
    })
    .await;
    assert_eq!(list.len(), OTHERS, "only anna is gone");
    assert!(list.iter().all(|p| p.agent.starts_with("agent")));

    // A colleague's change nobody heard (the trigger off, as for a change
    // made while this follower was reconnecting) is read with the next
    // change that is heard: it is newer than anything held.
    team.db
        .admin()
        .await
        .batch_execute(&format!(
            "ALTER TABLE presence DISABLE TRIGGER presence_changed; \
             UPDATE presence SET order_id = '1', seen_at = '{}' WHERE agent = 'agent00'; \
             ALTER TABLE presence ENABLE TRIGGER presence_changed;",
            Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
        ))
        .await
        .unwrap();
    team.owner
        .set_presence("agent01", None, None, Utc::now())
        .await
        .unwrap();
    let list = wait_for(&mut events, WITHIN, |e| {
        presence_list(e).filter(|l| l.iter().any(|p| p.agent == "agent01" && p.order.is_none()))
    })
    .await;
    let agent00 = list.iter().find(|p| p.agent == "agent00").unwrap();
    assert_eq!(agent00.order, Some(key));
    assert_eq!(list.len(), OTHERS);
}

#[tokio::test]
async fn a_change_reads_the_rows_it_names_not_the_whole_team_s() {
    let Some(team) = team().await else {
        return;
    };
    let start = Utc::now();
    for n in 0..OTHERS {
        team.owner
            .set_presence(&format!("agent{n:02}"), None, None, start)
            .await
            .unwrap();
    }
    let since = start - chrono::Duration::from_std(PRESENCE_FRESH).unwrap();
    assert_eq!(team.owner.presence(since).await.unwrap().len(), OTHERS);
    // One agent changed: that row, and no other.
    let later = start + chrono::Duration::milliseconds(5);
    let key = OrderKey::new("tg", "1");
    team.owner
        .set_presence("agent07", Some(&key), None, later)
        .await
        .unwrap();
    let rows = team
        .owner
        .presence_of(&["agent07".into()], start, since)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].order, Some(key));
    // Named and gone: no row. Named or not, anything newer than what the
    // caller holds is read (what changed while nobody listened).
    team.owner.clear_presence("agent03").await.unwrap();
    let even_later = later + chrono::Duration::milliseconds(5);
    team.owner
        .set_presence("agent09", None, None, even_later)
        .await
        .unwrap();
    let rows = team
        .owner
        .presence_of(&["agent03".into()], later, since)
        .await
        .unwrap();
    let agents: Vec<_> = rows.iter().map(|p| p.agent.as_str()).collect();
    assert_eq!(agents, ["agent09"]);
    // Stale rows are not read even when named.
    let rows = team
        .owner
        .presence_of(
            &["agent09".into()],
            even_later,
            even_later + chrono::Duration::seconds(1),
        )
        .await
        .unwrap();
    assert!(rows.is_empty(), "{rows:?}");
}

/// A running `orderdesk sync`, killed when dropped.
struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_s_metrics_count_the_following_consoles_and_time_each_carrier_request() {
    let Some(team) = team().await else {
        return;
    };
    const SYNC_PW: &str = "pw-of-the-daemon";
    let sync_url = team
        .db
        .login(&team.db.user("sync"), SYNC_PW, "orderdesk_sync")
        .await;
    let (sim, server) = TgSim::spawn(
        SimOptions {
            orders: 5,
            ..SimOptions::default()
        },
        0,
    )
    .await
    .expect("sim starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = daemon_support::write_tg_config(dir.path(), &server.origin(), sim.api_user(), 0.5);
    let (_, _erik, _erik_events) = team.follower("erik").await;
    let (_, _anna, _anna_events) = team.follower("anna").await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let _daemon = Daemon(
        Command::new(env!("CARGO_BIN_EXE_orderdesk"))
            .args(["sync", "--database", &sync_url, "--metrics", &addr])
            .arg("--config")
            .arg(&config)
            .env("PGPASSWORD", SYNC_PW)
            .env_remove("ORDERDESK_DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("orderdesk sync starts"),
    );
    let url = format!("http://{addr}/metrics");
    let ok_requests = "orderdesk_carrier_request_seconds_count{carrier=\"tg\",outcome=\"2xx\"} ";
    let mut text = String::new();
    for _ in 0..300 {
        if let Ok(answer) = reqwest::get(&url).await {
            text = answer.text().await.unwrap_or_default();
        }
        if text.lines().any(|l| l == "orderdesk_followers_connected 2")
            && text.lines().any(|l| l.starts_with(ok_requests))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        text.lines().any(|l| l == "orderdesk_followers_connected 2"),
        "two consoles follow, seen by the daemon's role:\n{text}"
    );
    assert!(text.contains("# TYPE orderdesk_followers_connected gauge"));
    assert!(text.contains("# TYPE orderdesk_carrier_request_seconds histogram"));
    let requests: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix(ok_requests))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {ok_requests:?} in\n{text}"));
    assert!(requests >= 1.0, "{text}");
    assert!(
        text.contains(
            "orderdesk_carrier_request_seconds_bucket{carrier=\"tg\",outcome=\"2xx\",le=\"+Inf\"}"
        ),
        "{text}"
    );
}
