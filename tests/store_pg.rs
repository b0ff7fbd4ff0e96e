//! The team store on a real PostgreSQL (see `pg_support`): the harness
//! itself, the schema and roles `db init` creates, and what each role may do.
//! The cases every store passes are in `store_conformance.rs`.

mod pg_support;

use chrono::{DateTime, TimeZone, Utc};
use orderdesk::domain::{ActionKind, ActionRequest, Order, OrderKey, Stage, Status};
use orderdesk::store::postgres::{Change, Password, SCHEMA_VERSION, init};
use orderdesk::store::{
    Journal, JournalEntry, LocalStore, NewJournalEntry, OrderCache, Outcome, PgStore, StoreError,
};

#[tokio::test]
async fn the_harness_gives_each_test_a_fresh_database() {
    let Some(a) = pg_support::fresh_db().await else {
        return;
    };
    let Some(b) = pg_support::fresh_db().await else {
        return;
    };
    assert_ne!(a.name, b.name);
    let client = a.admin().await;
    client
        .batch_execute("CREATE TABLE t (x int); INSERT INTO t VALUES (7)")
        .await
        .unwrap();
    let row = client
        .query_one("SELECT sum(x)::int FROM t", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, i32>(0), 7);
    // The other database is empty: the table is this test's alone.
    let other = b.admin().await;
    let found = other
        .query_one("SELECT count(*) FROM pg_tables WHERE tablename = 't'", &[])
        .await
        .unwrap();
    assert_eq!(found.get::<_, i64>(0), 0);
}

// ---- db init ------------------------------------------------------------

/// `orderdesk db init` with the password from PGPASSWORD (as an
/// administrator would run it).
fn db_init(url: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_orderdesk"))
        .args(["db", "init", "--database", url])
        .env("PGPASSWORD", pg_support::SUPERUSER_PASSWORD)
        .env_remove("ORDERDESK_DATABASE_URL")
        .output()
        .unwrap()
}

fn without_password(db: &pg_support::TestDb) -> String {
    format!("postgres://postgres@127.0.0.1:{}/{}", db.port, db.name)
}

#[tokio::test]
async fn db_init_creates_the_schema_and_roles_and_running_it_again_is_harmless() {
    let Some(db) = pg_support::fresh_db().await else {
        return;
    };
    let url = without_password(&db);
    let first = db_init(&url);
    let out = String::from_utf8_lossy(&first.stdout);
    assert!(first.status.success(), "{first:?}");
    assert!(
        out.contains(&format!("{url}: schema version {SCHEMA_VERSION} (created)")),
        "{out}"
    );
    assert!(
        first.stderr.is_empty(),
        "no warning without a password in the URL"
    );

    let second = db_init(&url);
    let out = String::from_utf8_lossy(&second.stdout);
    assert!(second.status.success(), "{second:?}");
    assert!(out.contains("(already up to date)"), "{out}");

    let admin = db.admin().await;
    let roles: Vec<String> = admin
        .query(
            "SELECT rolname FROM pg_roles WHERE rolname LIKE 'orderdesk\\_%' ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        roles,
        ["orderdesk_agent", "orderdesk_sync", "orderdesk_viewer"]
    );
    let version: i32 = admin
        .query_one("SELECT version FROM orderdesk_schema", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(u32::try_from(version).unwrap(), SCHEMA_VERSION);
}

#[tokio::test]
async fn db_init_warns_about_a_password_in_the_url_and_says_why_it_cannot_log_in() {
    let Some(db) = pg_support::fresh_db().await else {
        return;
    };
    let out = db_init(&db.url);
    assert!(out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("password in the URL can be seen"), "{err}");

    let wrong = format!(
        "postgres://postgres:wrong@127.0.0.1:{}/{}",
        db.port, db.name
    );
    let out = db_init(&wrong);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot reach the team store"), "{err}");
    assert!(err.contains("password authentication failed"), "{err}");
    assert!(
        !err.contains("wrong"),
        "the password is never repeated: {err}"
    );
}

#[tokio::test]
async fn a_newer_schema_is_refused_and_left_untouched() {
    let Some(db) = pg_support::fresh_db().await else {
        return;
    };
    init(&db.url, &Password::none()).await.unwrap();
    let admin = db.admin().await;
    admin
        .batch_execute("UPDATE orderdesk_schema SET version = 99")
        .await
        .unwrap();
    let err = init(&db.url, &Password::none()).await.unwrap_err();
    assert!(
        matches!(err, StoreError::SchemaMismatch { found: 99, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("upgrade orderdesk"), "{err}");
    let err = PgStore::open(&db.url, &Password::none()).await.unwrap_err();
    assert!(err.to_string().contains("upgrade orderdesk"), "{err}");
    let version: i32 = admin
        .query_one("SELECT version FROM orderdesk_schema", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(version, 99);
}

#[tokio::test]
async fn a_database_without_the_schema_is_refused_with_what_to_run() {
    let Some(db) = pg_support::fresh_db().await else {
        return;
    };
    let err = PgStore::open(&db.url, &Password::none()).await.unwrap_err();
    assert!(
        matches!(err, StoreError::SchemaMismatch { found: 0, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("orderdesk db init"), "{err}");
    // Someone else's `orders` table: not ours, left alone.
    db.admin()
        .await
        .batch_execute("CREATE TABLE orders (x int)")
        .await
        .unwrap();
    let err = init(&db.url, &Password::none()).await.unwrap_err();
    assert!(
        err.to_string().contains("not an orderdesk database"),
        "{err}"
    );
}

// ---- Roles ----------------------------------------------------------------

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 2, 10, 9, 0, 0).unwrap()
}

fn an_order() -> Order {
    Order::new(
        OrderKey::new("tg", "1"),
        "tjansteguiden",
        Status::new("new", Stage::New, false),
    )
}

fn set_status() -> ActionRequest {
    set_status_to("delivered")
}

fn set_status_to(status: &str) -> ActionRequest {
    ActionRequest {
        action: ActionKind::SetStatus,
        params: vec![("status".into(), status.into())],
        summary: format!("set status {status}"),
        preview: None,
    }
}

/// A team store with an order, a note, a flag, a cursor and a journal
/// entry, made by the superuser; and a login of `role` on it.
async fn team_with_login(
    role: &str,
    who: &str,
) -> Option<(pg_support::TestDb, PgStore, PgStore, JournalEntry)> {
    let db = pg_support::fresh_db().await?;
    init(&db.url, &Password::none()).await.unwrap();
    let owner = PgStore::open(&db.url, &Password::none()).await.unwrap();
    let key = an_order().key;
    owner.save_orders(vec![an_order()]).await.unwrap();
    owner.add_note(&key, "anna", "first", at()).await.unwrap();
    owner.set_flag(&key, true, "anna", at()).await.unwrap();
    owner.set_cursor("tg", "c1").await.unwrap();
    let entry = owner
        .journal_record(NewJournalEntry {
            session: "daemon",
            author: "anna",
            key: &key,
            kind: "tjansteguiden",
            request: &set_status(),
            at: at(),
        })
        .await
        .unwrap();
    let user = db.user(who);
    let url = db.login(&user, "pw-of-the-login", role).await;
    let login = PgStore::open(&url, &Password::given("pw-of-the-login".into()))
        .await
        .unwrap();
    Some((db, owner, login, entry))
}

/// Every write method of the store traits, each with its name: the ones
/// refused, with their errors.
async fn every_write(store: &PgStore, entry: &JournalEntry) -> Vec<(&'static str, StoreError)> {
    let key = an_order().key;
    let mut refused = Vec::new();
    let mut check = |name: &'static str, result: Result<(), StoreError>| match result {
        Ok(()) => {}
        Err(e) => refused.push((name, e)),
    };
    check("save_orders", store.save_orders(vec![an_order()]).await);
    check(
        "drop_terminal_older_than",
        store.drop_terminal_older_than(at()).await.map(drop),
    );
    check("remove_carrier", store.remove_carrier("tg").await.map(drop));
    check("set_cursor", store.set_cursor("tg", "c2").await);
    check("set_last_sync", store.set_last_sync("tg", at()).await);
    check(
        "add_note",
        store.add_note(&key, "vera", "hi", at()).await.map(drop),
    );
    check("set_flag", store.set_flag(&key, true, "vera", at()).await);
    check(
        "clear_flag",
        store.set_flag(&key, false, "vera", at()).await,
    );
    check(
        "journal_record",
        store
            .journal_record(NewJournalEntry {
                session: "viewer",
                author: "vera",
                key: &key,
                kind: "tjansteguiden",
                request: &set_status(),
                at: at(),
            })
            .await
            .map(drop),
    );
    check(
        "journal_mark_sending",
        store
            .journal_mark_sending(entry, "viewer", at())
            .await
            .map(drop),
    );
    check(
        "journal_finish",
        store
            .journal_finish(&entry.id, Outcome::Failed { why: "x".into() }, at())
            .await
            .map(drop),
    );
    refused
}

#[tokio::test]
async fn a_viewer_reads_but_the_database_refuses_every_write() {
    let Some((db, owner, viewer, entry)) = team_with_login("orderdesk_viewer", "vera").await else {
        return;
    };
    // Reads work.
    assert_eq!(viewer.order_count().await.unwrap(), 1);
    assert_eq!(viewer.all_notes().await.unwrap().len(), 1);
    assert_eq!(viewer.flags().await.unwrap().len(), 1);
    assert_eq!(viewer.cursor("tg").await.unwrap().as_deref(), Some("c1"));
    assert_eq!(
        viewer.journal_unresolved().await.unwrap(),
        vec![entry.clone()]
    );

    let refused = every_write(&viewer, &entry).await;
    assert_eq!(refused.len(), 11);
    let user = db.user("vera");
    for (name, err) in &refused {
        assert!(
            matches!(err, StoreError::Denied { user: u, .. } if *u == user),
            "{name}: {err:?}"
        );
        let text = err.to_string();
        assert!(text.contains("permission denied"), "{name}: {text}");
        assert!(
            text.contains("orderdesk_viewer only reads"),
            "{name}: {text}"
        );
    }
    // Nothing changed.
    assert_eq!(owner.order_count().await.unwrap(), 1);
    assert_eq!(owner.notes(&an_order().key).await.unwrap().len(), 1);
    assert_eq!(owner.flags().await.unwrap()[&an_order().key].author, "anna");
    assert_eq!(owner.cursor("tg").await.unwrap().as_deref(), Some("c1"));
    assert_eq!(owner.journal_unresolved().await.unwrap(), vec![entry]);
}

#[tokio::test]
async fn an_agent_writes_notes_flags_and_journal_requests_but_not_the_rest() {
    let Some((_db, owner, agent, entry)) = team_with_login("orderdesk_agent", "erik").await else {
        return;
    };
    let key = an_order().key;
    agent.add_note(&key, "erik", "called", at()).await.unwrap();
    agent.set_flag(&key, true, "erik", at()).await.unwrap();
    // Another status than the open entry's: a new row, not a joined one.
    let asked = agent
        .journal_record(NewJournalEntry {
            session: "console",
            author: "erik",
            key: &key,
            kind: "tjansteguiden",
            request: &set_status_to("cancelled"),
            at: at(),
        })
        .await
        .unwrap();
    assert_ne!(asked.id, entry.id);
    assert_eq!(owner.notes(&key).await.unwrap().len(), 2);
    assert_eq!(owner.flags().await.unwrap()[&key].author, "erik");
    assert_eq!(owner.journal_get(&asked.id).await.unwrap(), Some(asked));

    // Orders, sync state and the journal's moves are the daemon's.
    let refused: Vec<&str> = every_write(&agent, &entry)
        .await
        .into_iter()
        .map(|(name, err)| {
            assert!(matches!(err, StoreError::Denied { .. }), "{name}: {err:?}");
            name
        })
        .collect();
    assert_eq!(
        refused,
        [
            "save_orders",
            "drop_terminal_older_than",
            "remove_carrier",
            "set_cursor",
            "set_last_sync",
            "journal_mark_sending",
            "journal_finish"
        ]
    );
}

#[tokio::test]
async fn sslmode_require_insists_on_tls() {
    let Some(db) = pg_support::fresh_db().await else {
        return;
    };
    init(&db.url, &Password::none()).await.unwrap();
    // The test server speaks no TLS: asked for it, the store does not fall
    // back to a plain connection.
    let url = format!("{}?sslmode=require", db.url);
    let err = PgStore::open(&url, &Password::none()).await.unwrap_err();
    assert!(matches!(err, StoreError::Unreachable { .. }), "{err:?}");
    assert!(err.to_string().contains("TLS"), "{err}");
    // Without it, the same database opens.
    assert!(PgStore::open(&db.url, &Password::none()).await.is_ok());
}

#[tokio::test]
async fn the_same_write_asked_by_two_agents_at_one_instant_is_recorded_once() {
    let Some((db, owner, anna, _)) = team_with_login("orderdesk_agent", "anna2").await else {
        return;
    };
    let erik_url = db
        .login(&db.user("erik2"), "pw-of-erik", "orderdesk_agent")
        .await;
    let erik = PgStore::open(&erik_url, &Password::given("pw-of-erik".into()))
        .await
        .unwrap();
    let key = OrderKey::new("tg", "2");
    let ask = |store: PgStore, author: &'static str, status: &'static str| {
        let key = key.clone();
        async move {
            store
                .journal_record(NewJournalEntry {
                    session: author,
                    author,
                    key: &key,
                    kind: "tjansteguiden",
                    request: &set_status_to(status),
                    at: Utc::now(),
                })
                .await
                .unwrap()
        }
    };
    // Twenty rounds of both at once: one row each time, both told its id.
    for round in 0..20 {
        let status: &'static str = if round % 2 == 0 {
            "delivered"
        } else {
            "active"
        };
        let (a, e) = tokio::join!(
            ask(anna.clone(), "anna", status),
            ask(erik.clone(), "erik", status)
        );
        assert_eq!(a.id, e.id, "round {round}: both joined one entry");
        let open: Vec<_> = owner
            .journal_unresolved()
            .await
            .unwrap()
            .into_iter()
            .filter(|j| j.key == key)
            .collect();
        assert_eq!(open.len(), 1, "round {round}: {open:?}");
        // Settled, the next identical request is a new write.
        owner
            .journal_finish(&a.id, Outcome::Failed { why: "test".into() }, Utc::now())
            .await
            .unwrap();
    }
    // A different write to the same order is its own entry.
    let first = ask(anna.clone(), "anna", "delivered").await;
    let other = ask(erik.clone(), "erik", "cancelled").await;
    assert_ne!(first.id, other.id);
    assert_eq!(
        ask(erik, "erik", "delivered").await.id,
        first.id,
        "joins the open one, not the other"
    );
}

// ---- change notifications (schema v2) --------------------------------------

/// Listens on the change channel as `url`'s login and returns what arrives.
async fn listen(
    url: &str,
) -> (
    tokio_postgres::Client,
    tokio::sync::mpsc::UnboundedReceiver<String>,
) {
    use futures::StreamExt;
    let (client, mut connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(Ok(message)) = messages.next().await {
            if let tokio_postgres::AsyncMessage::Notification(n) = message {
                let _ = tx.send(n.payload().to_owned());
            }
        }
    });
    client
        .batch_execute(&format!("LISTEN {}", orderdesk::store::postgres::CHANNEL))
        .await
        .unwrap();
    (client, rx)
}

async fn next_change(rx: &mut tokio::sync::mpsc::UnboundedReceiver<String>) -> Change {
    let payload = tokio::time::timeout(std::time::Duration::from_secs(5), rx.recv())
        .await
        .expect("a change notification within 5 s")
        .expect("the listener is running");
    Change::parse(&payload).unwrap_or_else(|e| panic!("{e}: {payload}"))
}

#[tokio::test]
async fn every_change_a_console_shows_is_announced_whoever_makes_it() {
    let Some((_db, owner, agent, entry)) = team_with_login("orderdesk_agent", "anna").await else {
        return;
    };
    let (_client, mut changes) = listen(&_db.url).await;
    let key = an_order().key;

    owner.save_orders(vec![an_order()]).await.unwrap();
    assert_eq!(next_change(&mut changes).await, Change::Order(key.clone()));

    agent.add_note(&key, "anna", "called", at()).await.unwrap();
    assert_eq!(next_change(&mut changes).await, Change::Note(key.clone()));

    agent.set_flag(&key, false, "anna", at()).await.unwrap();
    assert_eq!(next_change(&mut changes).await, Change::Flag(key.clone()));

    owner
        .journal_mark_sending(&entry, "daemon", at())
        .await
        .unwrap();
    assert_eq!(
        next_change(&mut changes).await,
        Change::Journal {
            key: key.clone(),
            entry: entry.id.clone(),
            state: orderdesk::store::JournalState::Sending,
        }
    );
    assert!(changes.try_recv().is_err(), "one notification per change");
}

#[tokio::test]
async fn the_daemon_reports_health_and_agents_publish_presence_each_within_their_rights() {
    use orderdesk::store::postgres::{CarrierHealth, Presence};
    let Some((db, owner, agent, _)) = team_with_login("orderdesk_agent", "erik").await else {
        return;
    };
    let (_client, mut changes) = listen(&db.url).await;
    let health = CarrierHealth {
        carrier: "tg".into(),
        kind: "tjansteguiden".into(),
        ok: false,
        detail: Some("could not reach the carrier".into()),
        checked_at: at(),
        next_poll: Some(at() + chrono::Duration::minutes(2)),
        poller: Some("host-a:42".into()),
    };
    owner.set_carrier_health(&health).await.unwrap();
    assert_eq!(
        next_change(&mut changes).await,
        Change::Health {
            carrier: "tg".into()
        }
    );
    assert_eq!(agent.carrier_health().await.unwrap(), vec![health.clone()]);
    let refused = agent.set_carrier_health(&health).await.unwrap_err();
    assert!(matches!(refused, StoreError::Denied { .. }), "{refused:?}");

    let key = an_order().key;
    agent
        .set_presence("erik", Some(&key), Some("message"), at())
        .await
        .unwrap();
    assert_eq!(
        next_change(&mut changes).await,
        Change::Presence {
            agent: "erik".into(),
            order: Some(key.clone())
        }
    );
    let seen = agent
        .presence(at() - chrono::Duration::seconds(60))
        .await
        .unwrap();
    assert_eq!(
        seen,
        vec![Presence {
            agent: "erik".into(),
            order: Some(key),
            dialog: Some("message".into()),
            seen_at: at(),
        }]
    );
    // Stale presences are not read; a cleared one is gone.
    assert!(
        agent
            .presence(at() + chrono::Duration::seconds(1))
            .await
            .unwrap()
            .is_empty()
    );
    agent.clear_presence("erik").await.unwrap();
    assert!(
        agent
            .presence(at() - chrono::Duration::seconds(60))
            .await
            .unwrap()
            .is_empty()
    );
}
