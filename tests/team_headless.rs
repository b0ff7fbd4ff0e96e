//! `orderdesk list`, `show`, `stats` and `journal` in team mode: the real
//! binary against a real PostgreSQL (see `pg_support`), logged in as an
//! agent or a viewer with the password in `PGPASSWORD`. They read the team
//! store (orders saved as the daemon saves them, a colleague's note, flag
//! and recorded write) instead of polling carriers, from a config with no
//! `[[carrier]]` at all; a team store that cannot be reached, or has no
//! schema, is an error naming the database and never the password.

mod pg_support;

use std::path::Path;
use std::process::{Command, Output};

use chrono::{Duration, Utc};
use orderdesk::domain::{ActionKind, ActionRequest, Order, OrderKey, Stage, Stamp, Status};
use orderdesk::store::postgres::{CarrierHealth, Password, init};
use orderdesk::store::{Journal, LocalStore, NewJournalEntry, OrderCache, PgStore};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_orderdesk");
/// The logins' password, given to the binary in `PGPASSWORD` only.
const PW: &str = "team-login-pw";

fn order(carrier: &str, kind: &'static str, id: &str, status: Status, days: i64) -> Order {
    let mut o = Order::new(OrderKey::new(carrier, id), kind, status);
    o.customer = format!("Kund {id}");
    o.service = "Bredband 100".into();
    o.created = Stamp::parsed(Utc::now() - Duration::days(days));
    o
}

/// What the daemon saved: three Tjänsteguiden orders (one done) and one
/// Lumen PX order waiting on the customer.
fn daemon_orders() -> Vec<Order> {
    vec![
        order(
            "tg",
            "tjansteguiden",
            "1",
            Status::new("new", Stage::New, false),
            1,
        ),
        order(
            "tg",
            "tjansteguiden",
            "2",
            Status::new("received", Stage::InProgress, false),
            3,
        ),
        order(
            "tg",
            "tjansteguiden",
            "3",
            Status::new("delivered", Stage::Done, true),
            9,
        ),
        order(
            "px",
            "lumen-px",
            "9",
            Status::new("WAITING", Stage::NeedsAttention, false),
            2,
        ),
    ]
}

struct Team {
    db: pg_support::TestDb,
    /// What the daemon (role orderdesk_sync) does, as the superuser.
    daemon: PgStore,
    /// The agent who wrote the note, the flag and the write.
    anna: String,
    dir: tempfile::TempDir,
}

/// A team store with the daemon's orders and health reports, and anna's
/// note and flag on tg/2 and her recorded write on tg/1.
async fn team() -> Option<Team> {
    let db = pg_support::fresh_db().await?;
    init(&db.url, &Password::none()).await.expect("db init");
    let daemon = PgStore::open(&db.url, &Password::none())
        .await
        .expect("open");
    daemon.save_orders(daemon_orders()).await.expect("save");
    for (carrier, kind) in [("px", "lumen-px"), ("tg", "tjansteguiden")] {
        daemon
            .set_carrier_health(&CarrierHealth {
                carrier: carrier.into(),
                kind: kind.into(),
                ok: true,
                detail: Some("4 listed, 4 read".into()),
                checked_at: Utc::now(),
                next_poll: Some(Utc::now() + Duration::seconds(60)),
                poller: Some("sync-host:1".into()),
            })
            .await
            .expect("health");
    }
    let anna = db.user("anna");
    let url = db.login(&anna, PW, "orderdesk_agent").await;
    let agent = PgStore::open(&url, &Password::given(PW.into()))
        .await
        .expect("agent opens");
    let tg2 = OrderKey::new("tg", "2");
    agent
        .add_note(&tg2, &anna, "called, no answer", Utc::now())
        .await
        .expect("note");
    agent
        .set_flag(&tg2, true, &anna, Utc::now())
        .await
        .expect("flag");
    agent
        .journal_record(NewJournalEntry {
            session: "console-1",
            author: &anna,
            key: &OrderKey::new("tg", "1"),
            kind: "tjansteguiden",
            request: &ActionRequest {
                action: ActionKind::SetStatus,
                params: vec![("status".into(), "delivered".into())],
                summary: "set status delivered".into(),
                preview: None,
            },
            at: Utc::now(),
        })
        .await
        .expect("journal");
    let dir = tempfile::tempdir().expect("tempdir");
    Some(Team {
        db,
        daemon,
        anna,
        dir,
    })
}

impl Team {
    /// A new login of `role`; its URL (without the password).
    async fn login(&self, who: &str, role: &str) -> String {
        self.db.login(&self.db.user(who), PW, role).await
    }

    /// A config file holding `toml` (no `[[carrier]]` table).
    fn config(&self, toml: &str) -> std::path::PathBuf {
        let path = self.dir.path().join("config.toml");
        std::fs::write(&path, toml).expect("write config");
        path
    }
}

/// The binary with `args`, the config at `config`, a private data and
/// state dir in `dir`, and `PGPASSWORD` set to `password`.
fn run(args: &[&str], config: &Path, dir: &Path, password: &str) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(dir)
        .env("XDG_STATE_HOME", dir)
        .env("HOME", dir)
        .env("PGPASSWORD", password)
        .env_remove("ORDERDESK_DATABASE_URL")
        .env_remove("ORDERDESK_CONFIG")
        .env_remove("PGPASSFILE")
        .output()
        .expect("the binary runs")
}

fn ok_json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn keys(list: &Value) -> Vec<&str> {
    list.as_array()
        .expect("array")
        .iter()
        .filter_map(|o| o["key"].as_str())
        .collect()
}

#[tokio::test]
async fn list_reads_the_daemon_s_orders_and_the_team_s_note_and_flag() {
    let Some(team) = team().await else {
        return;
    };
    let url = team.login("erik", "orderdesk_agent").await;
    // The config's own `database` is wrong: --database wins over it.
    let config = team.config("database = \"postgres://nobody@127.0.0.1:1/elsewhere\"\n");
    let dir = team.dir.path();
    let list = |args: &[&str]| {
        let mut all = vec!["list", "--database", &url];
        all.extend_from_slice(args);
        run(&all, &config, dir, PW)
    };

    let open = ok_json(&list(&["--json"]));
    assert_eq!(keys(&open), ["tg/2", "px/9", "tg/1"], "open, oldest first");
    let tg2 = &open[0];
    assert_eq!(tg2["status"], "received");
    assert_eq!(tg2["customer"], "Kund 2");
    assert_eq!(tg2["flagged"], true);
    assert_eq!(tg2["flag"]["author"], team.anna.as_str());
    assert_eq!(tg2["notes"], 1);
    assert_eq!(open[1]["kind"], "lumen-px");

    // Before the command, as the console takes it, works the same.
    let before = ok_json(&run(
        &["--database", &url, "list", "--json"],
        &config,
        dir,
        PW,
    ));
    assert_eq!(keys(&before), keys(&open));

    let all = ok_json(&list(&["--json", "--all"]));
    assert_eq!(keys(&all).len(), 4);
    assert_eq!(keys(&ok_json(&list(&["--json", "--flagged"]))), ["tg/2"]);
    assert_eq!(
        keys(&ok_json(&list(&["--json", "--carrier", "px"]))),
        ["px/9"]
    );
    let attention = ok_json(&list(&["--json", "--attention"]));
    assert_eq!(keys(&attention), ["tg/2", "px/9"], "flagged, and waiting");

    // The table and CSV come from the same rows.
    let table = list(&[]);
    assert!(table.status.success(), "{}", stderr(&table));
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.starts_with("KEY"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("tg/2") && l.contains('⚑')),
        "{text}"
    );
    let csv = list(&["--csv"]);
    assert!(csv.status.success(), "{}", stderr(&csv));
    assert_eq!(String::from_utf8_lossy(&csv.stdout).lines().count(), 4);

    // A carrier the team store does not know: exit 2, naming those it knows.
    let unknown = list(&["--carrier", "lla"]);
    assert_eq!(unknown.status.code(), Some(2), "{}", stderr(&unknown));
    let said = stderr(&unknown);
    assert!(
        said.contains("\"lla\"") && said.contains("team store") && said.contains("px, tg"),
        "{said}"
    );
}

#[tokio::test]
async fn show_prints_an_order_with_the_team_s_note_and_flag_to_a_viewer() {
    let Some(team) = team().await else {
        return;
    };
    let url = team.login("vera", "orderdesk_viewer").await;
    // Team mode from the config alone, the password from its
    // database_password_env (PGPASSWORD is wrong).
    let config = team.config(&format!(
        "database = \"{url}\"\ndatabase_password_env = \"TEAM_DB_PW\"\n"
    ));
    let dir = team.dir.path();
    let show = |args: &[&str]| {
        let mut all = vec!["show"];
        all.extend_from_slice(args);
        let mut command = Command::new(BIN);
        command
            .args(&all)
            .arg("--config")
            .arg(&config)
            .arg("--data-dir")
            .arg(dir)
            .env("XDG_STATE_HOME", dir)
            .env("HOME", dir)
            .env("PGPASSWORD", "not-the-password")
            .env("TEAM_DB_PW", PW)
            .env_remove("ORDERDESK_DATABASE_URL")
            .env_remove("ORDERDESK_CONFIG");
        command.output().expect("the binary runs")
    };

    let detail = ok_json(&show(&["tg/2", "--json"]));
    assert_eq!(detail["key"], "tg/2");
    assert_eq!(detail["status"], "received");
    assert_eq!(detail["flag"]["author"], team.anna.as_str());
    let notes = detail["notes"].as_array().expect("notes");
    assert_eq!(notes.len(), 1, "{detail}");
    assert_eq!(notes[0]["text"], "called, no answer");
    assert_eq!(notes[0]["author"], team.anna.as_str());

    let text = show(&["tg/2"]);
    assert!(text.status.success(), "{}", stderr(&text));
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.starts_with("tg/2  received"), "{text}");
    assert!(text.contains(&format!("⚑ set by {}", team.anna)), "{text}");
    assert!(text.contains("called, no answer"), "{text}");

    let missing = show(&["tg/404"]);
    assert_eq!(missing.status.code(), Some(1));
    let said = stderr(&missing);
    assert!(
        said.contains("tg/404") && said.contains("no such order in the team store"),
        "{said}"
    );
}

#[tokio::test]
async fn stats_json_agrees_with_list_json_and_reports_the_daemon_s_health() {
    let Some(team) = team().await else {
        return;
    };
    let url = team.login("erik", "orderdesk_agent").await;
    let config = team.config("[wallboard]\nopen = { amber = 1 }\n");
    let dir = team.dir.path();
    // Team mode from the environment.
    let run_env = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .arg("--config")
            .arg(&config)
            .arg("--data-dir")
            .arg(dir)
            .env("XDG_STATE_HOME", dir)
            .env("HOME", dir)
            .env("PGPASSWORD", PW)
            .env("ORDERDESK_DATABASE_URL", &url)
            .env_remove("ORDERDESK_CONFIG")
            .output()
            .expect("the binary runs")
    };

    let stats = ok_json(&run_env(&["stats", "--json"]));
    let open = ok_json(&run_env(&["list", "--json"]));
    let all = ok_json(&run_env(&["list", "--json", "--all"]));
    let open = open.as_array().expect("array");
    let tile = |k: &str| stats["tiles"][k]["value"].as_u64().expect(k);
    assert_eq!(tile("open"), open.len() as u64);
    // The board counts the orders' own reasons; a flag is the list's only.
    let attention = open
        .iter()
        .filter(|o| {
            o["attention"]
                .as_array()
                .is_some_and(|a| a.iter().any(|code| code != "flag"))
        })
        .count() as u64;
    assert_eq!(tile("attention"), attention);
    assert_eq!(attention, 1, "px/9 waits: {open:?}");
    assert_eq!(
        stats["tiles"]["open"]["level"], "amber",
        "the config's marks"
    );

    let carriers = stats["carriers"].as_array().expect("carriers");
    let names: Vec<&str> = carriers.iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(names, ["px", "tg"]);
    for c in carriers {
        assert_eq!(c["health"], "ok", "{c}");
        for (stage, n) in c["stages"].as_object().expect("stages") {
            let listed = all
                .as_array()
                .expect("array")
                .iter()
                .filter(|o| o["carrier"] == c["name"] && o["stage"] == stage.as_str())
                .count() as u64;
            assert_eq!(n.as_u64(), Some(listed), "{} {stage}", c["name"]);
        }
    }
    assert!(
        stats["trend"].is_object(),
        "the team store's trend: {stats}"
    );

    // The daemon reports px failing: a warning naming it, exit 3, and its
    // orders still counted as last stored.
    team.daemon
        .set_carrier_health(&CarrierHealth {
            carrier: "px".into(),
            kind: "lumen-px".into(),
            ok: false,
            detail: Some("503 from the gateway".into()),
            checked_at: Utc::now(),
            next_poll: Some(Utc::now() + Duration::seconds(60)),
            poller: Some("sync-host:1".into()),
        })
        .await
        .expect("health");
    let out = run_env(&["stats", "--json"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("carrier \"px\" failed") && stderr(&out).contains("503"),
        "{}",
        stderr(&out)
    );
    let stats: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(stats["carriers"][0]["health"], "error");
    assert_eq!(stats["carriers"][0]["open"], 1);
    let out = run_env(&["list", "--json"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let listed: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(keys(&listed), ["tg/2", "px/9", "tg/1"]);
}

#[tokio::test]
async fn journal_lists_the_team_s_recorded_write_with_its_author() {
    let Some(team) = team().await else {
        return;
    };
    let url = team.login("vera", "orderdesk_viewer").await;
    // No config file at all: --database alone.
    let config = team.dir.path().join("none.toml");
    let dir = team.dir.path();
    let entries = ok_json(&run(
        &["journal", "--json", "--database", &url],
        &config,
        dir,
        PW,
    ));
    let entries = entries.as_array().expect("array");
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["author"], team.anna.as_str());
    assert_eq!(entries[0]["key"], "tg/1");
    assert_eq!(entries[0]["action"], "set_status");
    assert_eq!(entries[0]["state"], "recorded");

    let text = run(&["journal", "--database", &url], &config, dir, PW);
    assert!(text.status.success(), "{}", stderr(&text));
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains(&team.anna) && text.contains("tg/1") && text.contains("set status delivered"),
        "{text}"
    );

    // Nothing since tomorrow: an empty list, said on stderr naming the store.
    let tomorrow = (Utc::now() + Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let none = run(
        &["journal", "--since", &tomorrow, "--database", &url],
        &config,
        dir,
        PW,
    );
    assert!(none.status.success(), "{}", stderr(&none));
    assert!(none.stdout.is_empty());
    assert!(
        stderr(&none).contains("no journal entries in the team store postgres://"),
        "{}",
        stderr(&none)
    );
}

#[tokio::test]
async fn a_team_store_without_the_schema_is_refused_naming_it() {
    let Some(db) = pg_support::fresh_db().await else {
        return;
    };
    // Roles come from db init; a login on a database that never had it.
    let user = db.user("lost");
    let url = db.login(&user, PW, "pg_read_all_data").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "").expect("write config");
    for command in ["list", "stats", "journal"] {
        let out = run(&[command, "--database", &url], &config, dir.path(), PW);
        assert_eq!(out.status.code(), Some(1), "{command}: {}", stderr(&out));
        let said = stderr(&out);
        assert!(
            said.contains(&format!("team store postgres://{user}@127.0.0.1"))
                && said.contains("db init"),
            "{command}: {said}"
        );
        assert!(out.stdout.is_empty(), "{command}");
    }
}

#[test]
fn an_unreachable_team_store_exits_non_zero_naming_it_but_not_the_password() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let url = format!("postgres://anna@127.0.0.1:{port}/team");
    let dir = tempfile::tempdir().expect("tempdir");
    // No [[carrier]]: team mode needs none.
    let config = dir.path().join("config.toml");
    std::fs::write(&config, format!("database = \"{url}\"\n")).expect("write config");
    let secret = "s3cret-not-to-be-shown";
    for args in [
        &["list", "--json"][..],
        &["show", "tg/1"],
        &["stats"],
        &["journal"],
    ] {
        let out = run(args, &config, dir.path(), secret);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        let said = stderr(&out);
        assert!(
            said.contains(&format!("cannot reach the team store {url}")),
            "{args:?}: {said}"
        );
        assert!(!said.contains(secret), "{args:?}: {said}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    // A password inside a --database URL is not repeated either.
    let with_password = format!("postgres://anna:{secret}@127.0.0.1:{port}/team");
    let out = run(
        &["list", "--database", &with_password],
        &config,
        dir.path(),
        "",
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let said = stderr(&out);
    assert!(
        said.contains(&format!("cannot reach the team store {url}")),
        "{said}"
    );
    assert!(!said.contains(secret), "{said}");
}

#[tokio::test]
async fn with_the_team_store_given_no_config_file_is_needed() {
    let Some(team) = team().await else {
        return;
    };
    let url = team.login("nora", "orderdesk_viewer").await;
    let home = tempfile::tempdir().expect("an empty home");
    let run_bare = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join(".config"))
            .env("XDG_STATE_HOME", home.path())
            .env("PGPASSWORD", PW)
            .env_remove("ORDERDESK_DATABASE_URL")
            .env_remove("ORDERDESK_CONFIG")
            .output()
            .expect("the binary runs")
    };
    for args in [
        &["list", "--json", "--database", &url][..],
        &["--database", &url, "stats", "--json"],
    ] {
        let out = run_bare(args);
        assert!(
            !stderr(&out).contains("no config file"),
            "{args:?}: {}",
            stderr(&out)
        );
        ok_json(&out);
    }
    // Without a store, the missing config is still said.
    let out = run_bare(&["list"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no config file"), "{}", stderr(&out));
}
