//! A console following the team store (`orderdesk::follow`) on a real
//! PostgreSQL (see `pg_support`): what others write (the daemon's orders, a
//! colleague's note and flag) reaches it within a second; its writes go to
//! the shared journal for the daemon and settle when the daemon settles
//! them; presence comes and goes; a viewer follows but cannot write; a lost
//! connection is noticed, reconnected and caught up.

mod follow_support;
mod pg_support;

use std::time::Duration;

use chrono::Utc;
use follow_support::wait_for;
use orderdesk::carriers::SyncEvent;
use orderdesk::domain::{ActionKind, ActionRequest, JournalState, Order, OrderKey, Stage, Status};
use orderdesk::engine::{Command, Event};
use orderdesk::follow::{self, FollowEvent, FollowHandle, FollowSetup};
use orderdesk::store::postgres::{Password, init};
use orderdesk::store::{Journal, LocalStore, OrderCache, Outcome, PgStore};
use tokio::sync::mpsc::UnboundedReceiver;

/// What the tests allow for a change to reach a follower.
const WITHIN: Duration = Duration::from_secs(1);

fn order(id: &str, status: &str, stage: Stage) -> Order {
    Order::new(
        OrderKey::new("tg", id),
        "tjansteguiden",
        Status::new(status, stage, false),
    )
}

fn set_status() -> ActionRequest {
    ActionRequest {
        action: ActionKind::SetStatus,
        params: vec![("status".into(), "delivered".into())],
        summary: "set status delivered".into(),
        preview: None,
    }
}

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
        .save_orders(vec![order("1", "new", Stage::New)])
        .await
        .unwrap();
    Some(Team { db, owner })
}

impl Team {
    /// A login of `role` as `who`, opened.
    async fn login(&self, who: &str, role: &str) -> (String, PgStore) {
        let user = self.db.user(who);
        let url = self.db.login(&user, "pw", role).await;
        let store = PgStore::open(&url, &Password::given("pw".into()))
            .await
            .unwrap();
        (user, store)
    }

    /// A follower of `role`, once it painted and listens.
    async fn follower(
        &self,
        who: &str,
        role: &str,
    ) -> (String, FollowHandle, UnboundedReceiver<FollowEvent>) {
        let (user, store) = self.login(who, role).await;
        let (handle, mut events) = follow::spawn(FollowSetup {
            store,
            author: user.clone(),
            viewer: role == "orderdesk_viewer",
        });
        let loaded = wait_for(&mut events, Duration::from_secs(10), |e| match e {
            FollowEvent::Loaded(s) => Some(s.orders.len()),
            _ => None,
        })
        .await;
        assert_eq!(loaded, 1, "painted from the database at once");
        wait_for(&mut events, Duration::from_secs(10), |e| {
            matches!(e, FollowEvent::Connected).then_some(())
        })
        .await;
        (user, handle, events)
    }
}

#[tokio::test]
async fn what_the_daemon_and_colleagues_write_reaches_a_follower_within_a_second() {
    let Some(team) = team().await else {
        return;
    };
    let (_, _handle, mut events) = team.follower("erik", "orderdesk_agent").await;
    let (anna, colleague) = team.login("anna", "orderdesk_agent").await;

    // The daemon saves a status it polled.
    team.owner
        .save_orders(vec![order("1", "delivered", Stage::Done)])
        .await
        .unwrap();
    let status = wait_for(&mut events, WITHIN, |e| match e {
        FollowEvent::Engine(Event::Sync(SyncEvent::Orders { orders, .. })) => {
            Some(orders[0].status.raw.clone())
        }
        _ => None,
    })
    .await;
    assert_eq!(status, "delivered");

    // A new carrier's first order announces the carrier before its orders.
    let px = Order::new(
        OrderKey::new("px", "9"),
        "lumen-px",
        Status::new("RECEIVED", Stage::New, false),
    );
    team.owner.save_orders(vec![px]).await.unwrap();
    let carriers = wait_for(&mut events, WITHIN, |e| match e {
        FollowEvent::Carriers(c) => Some(c.clone()),
        FollowEvent::Engine(Event::Sync(SyncEvent::Orders { .. })) => {
            panic!("orders of a carrier not announced yet")
        }
        _ => None,
    })
    .await;
    assert_eq!(carriers, [("px".to_owned(), "lumen-px".to_owned())]);

    let key = OrderKey::new("tg", "1");
    colleague
        .add_note(&key, &anna, "called the customer", Utc::now())
        .await
        .unwrap();
    let notes = wait_for(&mut events, WITHIN, |e| match e {
        FollowEvent::Notes { key: k, notes } if *k == key => Some(notes.clone()),
        _ => None,
    })
    .await;
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].text, "called the customer");
    assert_eq!(notes[0].author, anna);

    colleague
        .set_flag(&key, true, &anna, Utc::now())
        .await
        .unwrap();
    let flag = wait_for(&mut events, WITHIN, |e| match e {
        FollowEvent::Flag { key: k, flag } if *k == key => Some(flag.clone()),
        _ => None,
    })
    .await;
    assert_eq!(flag.map(|f| f.author), Some(anna.clone()));
    colleague
        .set_flag(&key, false, &anna, Utc::now())
        .await
        .unwrap();
    let flag = wait_for(&mut events, WITHIN, |e| match e {
        FollowEvent::Flag { key: k, flag } if *k == key => Some(flag.clone()),
        _ => None,
    })
    .await;
    assert_eq!(flag, None);
}

#[tokio::test]
async fn a_write_is_recorded_for_the_daemon_and_settles_when_the_daemon_confirms_it() {
    let Some(team) = team().await else {
        return;
    };
    let (erik, handle, mut events) = team.follower("erik", "orderdesk_agent").await;
    handle.send(Command::Execute {
        ticket: 7,
        order: Box::new(order("1", "new", Stage::New)),
        request: set_status(),
    });
    // Recorded, not sent: the daemon sends it.
    let entry = wait_for(&mut events, WITHIN, |e| match e {
        FollowEvent::Engine(Event::JournalChanged { entry, .. }) => Some(entry.clone()),
        FollowEvent::Engine(Event::WriteSettled(s)) => panic!("settled early: {s:?}"),
        _ => None,
    })
    .await;
    assert_eq!(entry.state, JournalState::Recorded);
    assert_eq!(entry.author, erik);
    assert_eq!(entry.key, OrderKey::new("tg", "1"));
    let stored = team.owner.journal_unresolved().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].id, entry.id);

    // The daemon claims it, the carrier takes it, the re-read shows it.
    let now = Utc::now();
    let sending = team
        .owner
        .journal_mark_sending(&stored[0], "daemon", now)
        .await
        .unwrap();
    let sending_seen = wait_for(&mut events, WITHIN, |e| match e {
        FollowEvent::Engine(Event::JournalChanged { entry, .. }) => Some(entry.state),
        FollowEvent::Engine(Event::WriteSettled(s)) => panic!("settled early: {s:?}"),
        _ => None,
    })
    .await;
    assert_eq!(sending_seen, JournalState::Sending);
    team.owner
        .save_orders(vec![order("1", "delivered", Stage::Done)])
        .await
        .unwrap();
    team.owner
        .journal_finish(
            &sending.id,
            Outcome::Confirmed {
                message: "Status changed to delivered".into(),
            },
            Utc::now(),
        )
        .await
        .unwrap();
    let settled = wait_for(&mut events, WITHIN, |e| match e {
        FollowEvent::Engine(Event::WriteSettled(s)) => Some(s.clone()),
        _ => None,
    })
    .await;
    assert_eq!(settled.ticket, 7);
    assert_eq!(
        settled.result.as_ref().map(|r| r.message.as_str()),
        Ok("Status changed to delivered")
    );
    assert_eq!(
        settled.entry.as_ref().map(|e| e.state),
        Some(JournalState::Confirmed)
    );
    assert_eq!(
        settled.order.as_ref().map(|o| o.status.raw.as_str()),
        Some("delivered"),
        "the order as the store now holds it"
    );
}

#[tokio::test]
async fn a_refused_write_settles_with_the_carriers_words() {
    let Some(team) = team().await else {
        return;
    };
    let (_, handle, mut events) = team.follower("erik", "orderdesk_agent").await;
    handle.send(Command::Execute {
        ticket: 3,
        order: Box::new(order("1", "new", Stage::New)),
        request: set_status(),
    });
    let id = wait_for(&mut events, WITHIN, |e| match e {
        FollowEvent::Engine(Event::JournalChanged { entry, .. }) => Some(entry.id.clone()),
        _ => None,
    })
    .await;
    let seen = team.owner.journal_get(&id).await.unwrap().unwrap();
    let sending = team
        .owner
        .journal_mark_sending(&seen, "daemon", Utc::now())
        .await
        .unwrap();
    team.owner
        .journal_finish(
            &sending.id,
            Outcome::Refused {
                code: "E12".into(),
                message: "order is closed".into(),
            },
            Utc::now(),
        )
        .await
        .unwrap();
    let settled = wait_for(&mut events, WITHIN, |e| match e {
        FollowEvent::Engine(Event::WriteSettled(s)) => Some(s.clone()),
        _ => None,
    })
    .await;
    assert_eq!(settled.ticket, 3);
    let err = settled.result.unwrap_err().to_string();
    assert!(err.contains("order is closed"), "{err}");
}

#[tokio::test]
async fn presence_appears_for_the_others_and_is_gone_when_the_agent_leaves() {
    let Some(team) = team().await else {
        return;
    };
    let (_, _erik, mut events) = team.follower("erik", "orderdesk_agent").await;
    let (anna, anna_handle, _anna_events) = team.follower("anna", "orderdesk_agent").await;
    let key = OrderKey::new("tg", "1");
    anna_handle.present(Some(key.clone()), Some("writing a message".into()));
    // Debounced, then published: within a second all the same.
    let seen = wait_for(&mut events, WITHIN, |e| match e {
        FollowEvent::Presence(list) => list.iter().find(|p| p.agent == anna).cloned(),
        _ => None,
    })
    .await;
    assert_eq!(seen.order, Some(key));
    assert_eq!(seen.dialog.as_deref(), Some("writing a message"));

    anna_handle.leave(Duration::from_secs(5)).await;
    let still_there = wait_for(&mut events, WITHIN, |e| match e {
        FollowEvent::Presence(list) => Some(list.iter().any(|p| p.agent == anna)),
        _ => None,
    })
    .await;
    assert!(!still_there, "gone once anna left");
}

#[tokio::test]
async fn a_viewer_follows_but_every_write_path_is_refused_and_it_publishes_no_presence() {
    let Some(team) = team().await else {
        return;
    };
    let (vera, handle, mut events) = team.follower("vera", "orderdesk_viewer").await;
    team.owner
        .save_orders(vec![order("1", "active", Stage::InProgress)])
        .await
        .unwrap();
    wait_for(&mut events, WITHIN, |e| match e {
        FollowEvent::Engine(Event::Sync(SyncEvent::Orders { .. })) => Some(()),
        _ => None,
    })
    .await;

    let key = OrderKey::new("tg", "1");
    handle.send(Command::Execute {
        ticket: 1,
        order: Box::new(order("1", "active", Stage::InProgress)),
        request: set_status(),
    });
    handle.send(Command::AddNote {
        key: key.clone(),
        text: "hello".into(),
    });
    handle.send(Command::SetFlag {
        key: key.clone(),
        flagged: true,
    });
    handle.present(Some(key.clone()), None);
    let mut refused = 0;
    while refused < 3 {
        let why = wait_for(&mut events, WITHIN, |e| match e {
            FollowEvent::Engine(Event::WriteSettled(s)) => {
                Some(s.result.clone().unwrap_err().to_string())
            }
            FollowEvent::Engine(Event::NoteSaved { result, .. }) => {
                Some(result.clone().unwrap_err())
            }
            FollowEvent::Engine(Event::FlagSaved { result, .. }) => {
                Some(result.clone().unwrap_err())
            }
            _ => None,
        })
        .await;
        assert!(why.contains("viewer"), "{why}");
        refused += 1;
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(team.owner.journal_unresolved().await.unwrap().is_empty());
    assert!(team.owner.notes(&key).await.unwrap().is_empty());
    assert!(team.owner.flags().await.unwrap().is_empty());
    let present = team
        .owner
        .presence(Utc::now() - chrono::Duration::minutes(1));
    assert!(
        present.await.unwrap().iter().all(|p| p.agent != vera),
        "a viewer publishes no presence"
    );
}

#[tokio::test]
async fn after_the_connection_is_cut_the_follower_reconnects_and_catches_up() {
    let Some(team) = team().await else {
        return;
    };
    let (erik, _handle, mut events) = team.follower("erik", "orderdesk_agent").await;
    let admin = team.db.admin().await;
    // The login is refused until the change below is made, so the catch-up
    // cannot come before it.
    admin
        .batch_execute(&format!("ALTER ROLE {erik} NOLOGIN"))
        .await
        .unwrap();
    // Every backend of the follower's login: its listener and its pool.
    admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1",
            &[&erik],
        )
        .await
        .unwrap();
    wait_for(&mut events, Duration::from_secs(5), |e| {
        matches!(e, FollowEvent::Lost { .. }).then_some(())
    })
    .await;
    // Meanwhile, while nobody listens to it, the daemon saves a change.
    team.owner
        .save_orders(vec![
            order("1", "cancelled", Stage::Closed),
            order("2", "new", Stage::New),
        ])
        .await
        .unwrap();
    admin
        .batch_execute(&format!("ALTER ROLE {erik} LOGIN"))
        .await
        .unwrap();
    let (orders, reconnected) = {
        let mut orders = None;
        let mut connected = false;
        let deadline = Duration::from_secs(15);
        while orders.is_none() || !connected {
            match wait_for(&mut events, deadline, |e| match e {
                FollowEvent::Loaded(s) => Some(Some(s.orders.clone())),
                FollowEvent::Connected => Some(None),
                _ => None,
            })
            .await
            {
                Some(o) => orders = Some(o),
                None => connected = true,
            }
        }
        (orders.unwrap_or_default(), connected)
    };
    assert!(reconnected);
    assert_eq!(orders.len(), 2, "caught up with what changed meanwhile");
    let one = orders.iter().find(|o| o.key.id == "1").unwrap();
    assert_eq!(one.status.raw, "cancelled");
    // And it follows again.
    team.owner
        .save_orders(vec![order("2", "active", Stage::InProgress)])
        .await
        .unwrap();
    let status = wait_for(&mut events, WITHIN, |e| match e {
        FollowEvent::Engine(Event::Sync(SyncEvent::Orders { orders, .. })) => orders
            .iter()
            .find(|o| o.key.id == "2")
            .map(|o| o.status.raw.clone()),
        _ => None,
    })
    .await;
    assert_eq!(status, "active");
}

// ---- The console, in process ------------------------------------------------

#[tokio::test]
async fn a_console_in_team_mode_paints_from_the_store_and_follows_it() {
    use orderdesk::runtime::{self, ConsoleSetup, TeamSetup};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    let Some(team) = team().await else {
        return;
    };
    let user = team.db.user("erik");
    let url = team.db.login(&user, "pw", "orderdesk_agent").await;
    let setup = ConsoleSetup {
        handles: Vec::new(),
        readonly: false,
        theme: orderdesk::ui::Theme::no_color(),
        user: user.clone(),
        keys: Default::default(),
        data_dir: None,
        state_dir: None,
        keep_terminal: chrono::Duration::days(14),
        timezone: chrono_tz::UTC,
        warnings: Vec::new(),
        board: Default::default(),
        wallboard: false,
        service_levels: Default::default(),
        notify: Default::default(),
        personal: Default::default(),
        theme_name: None,
        team: Some(TeamSetup {
            url,
            password: Password::given("pw".into()),
        }),
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let console = tokio::spawn(async move {
        let mut terminal = Terminal::new(TestBackend::new(120, 30)).unwrap();
        let input = futures::stream::pending::<std::io::Result<crossterm::event::Event>>();
        let shutdown = async move {
            let _ = stopped.await;
        };
        let result = runtime::run_loop(&mut terminal, input, shutdown, setup).await;
        (terminal, result)
    });
    // Up and following; then the daemon saves a new order.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    team.owner
        .save_orders(vec![order("2", "waiting", Stage::NeedsAttention)])
        .await
        .unwrap();
    tokio::time::sleep(WITHIN).await;
    stop.send(()).unwrap();
    let (terminal, result) = console.await.unwrap();
    result.unwrap();
    let screen = format!("{:?}", terminal.backend());
    assert!(screen.contains("team store connected"), "{screen}");
    assert!(screen.contains("tg/1"), "painted from the store: {screen}");
    assert!(
        screen.contains("tg/2"),
        "followed the daemon's write: {screen}"
    );
    // It published no order (none open) and withdrew itself on the way out.
    let present = team
        .owner
        .presence(Utc::now() - chrono::Duration::minutes(1));
    assert!(present.await.unwrap().iter().all(|p| p.agent != user));
}

#[test]
fn check_config_accepts_a_team_console_without_carriers_and_refuses_a_readable_password() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("team.toml");
    std::fs::write(
        &path,
        "database = \"postgres://anna@db.example/team?sslmode=require\"\n\
         database_password_env = \"TEAM_PW\"\n",
    )
    .unwrap();
    let check = |path: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_orderdesk"))
            .arg("check-config")
            .arg("--config")
            .arg(path)
            .env_remove("ORDERDESK_DATABASE_URL")
            .output()
            .unwrap()
    };
    let out = check(&path);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(stdout.contains("ok (0 carriers)"), "{stdout}");
    assert!(stdout.contains("team mode"), "{stdout}");

    let shared = dir.path().join("shared.toml");
    std::fs::write(
        &shared,
        "database = \"postgres://anna:hunter2@db.example/team\"\n",
    )
    .unwrap();
    #[cfg(unix)]
    std::fs::set_permissions(&shared, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let out = check(&shared);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("database holds a password"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");

    // Neither carriers nor a team store: what the console needs is said.
    let empty = dir.path().join("empty.toml");
    std::fs::write(&empty, "theme = \"default\"\n").unwrap();
    let out = check(&empty);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("or `database` for team mode"), "{stderr}");
}
