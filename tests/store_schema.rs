//! The store's file handling: migrations, and every fault the user can meet
//! (corrupt file, unwritable directory, lock held by another orderdesk,
//! two processes writing at once).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use orderdesk::domain::{ActionKind, ActionRequest, Order, OrderKey, OrderSummary};
use orderdesk::store::sqlite::schema::SCHEMA_VERSION;
use orderdesk::store::{JournalFilter, JournalState, NewJournalEntry, SqliteStore, StoreError};
use rusqlite::Connection;

fn db_path(dir: &Path) -> std::path::PathBuf {
    dir.join(SqliteStore::FILE_NAME)
}

fn tables(conn: &Connection) -> Vec<String> {
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn a_new_directory_gets_the_current_schema() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nested").join("data");
    let store = SqliteStore::open(&data).unwrap();
    assert_eq!(SCHEMA_VERSION, 5);
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.path(), Some(db_path(&data).as_path()));
    drop(store);

    let conn = Connection::open(db_path(&data)).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(
        tables(&conn),
        [
            "flags",
            "journal",
            "journal_created",
            "journal_order",
            "journal_unresolved",
            "notes",
            "notes_order",
            "order_raw",
            "order_summary",
            "order_text",
            "order_text_config",
            "order_text_data",
            "order_text_docsize",
            "order_text_idx",
            "orders",
            "orders_terminal_age",
            "sync_state",
        ]
    );
    // Opening again changes nothing.
    drop(conn);
    let store = SqliteStore::open(&data).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
}

#[test]
fn an_empty_file_is_a_new_database() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(db_path(dir.path()), b"").unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
}

/// Version 1 exactly as it was released (frozen here on purpose: the
/// migration must work on real v1 files, whatever v1's source says later).
const V1_AS_RELEASED: &str = "
CREATE TABLE orders (carrier TEXT NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL,
    terminal INTEGER NOT NULL, changed_at TEXT, saved_at TEXT NOT NULL, body BLOB NOT NULL,
    PRIMARY KEY (carrier, id));
CREATE TABLE order_raw (carrier TEXT NOT NULL, id TEXT NOT NULL, raw TEXT NOT NULL,
    PRIMARY KEY (carrier, id),
    FOREIGN KEY (carrier, id) REFERENCES orders (carrier, id) ON DELETE CASCADE);
CREATE TABLE sync_state (carrier TEXT PRIMARY KEY, cursor TEXT, last_sync TEXT);
CREATE TABLE notes (id INTEGER PRIMARY KEY, carrier TEXT NOT NULL, order_id TEXT NOT NULL,
    author TEXT NOT NULL, at TEXT NOT NULL, text TEXT NOT NULL);
CREATE TABLE flags (carrier TEXT NOT NULL, order_id TEXT NOT NULL, author TEXT NOT NULL,
    at TEXT NOT NULL, PRIMARY KEY (carrier, order_id));
CREATE TABLE journal (id TEXT PRIMARY KEY, session TEXT NOT NULL, author TEXT NOT NULL,
    created_at TEXT NOT NULL, carrier TEXT NOT NULL, order_id TEXT NOT NULL, kind TEXT NOT NULL,
    action TEXT NOT NULL, request TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('recorded', 'sending', 'confirmed', 'refused', 'failed', 'unknown')),
    sends INTEGER NOT NULL DEFAULT 0, code TEXT, outcome TEXT, receipt TEXT, updated_at TEXT NOT NULL);
PRAGMA user_version = 1;
";

#[test]
fn a_version_1_database_is_migrated_and_keeps_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    {
        let conn = Connection::open(db_path(dir.path())).unwrap();
        conn.execute_batch(V1_AS_RELEASED).unwrap();
        conn.execute_batch(
            "INSERT INTO journal VALUES ('aa', 's1', 'anna', '2026-01-02T03:04:05.000000000Z',
                'tg', '19530', 'tjansteguiden', 'set_status',
                '{\"params\":[[\"status\",\"received\"]],\"summary\":\"set status received\"}',
                'confirmed', 1, NULL, 'Status changed', NULL, '2026-01-02T03:04:09.000000000Z');
             INSERT INTO journal VALUES ('bb', 's1', 'anna', '2026-01-02T03:05:00.000000000Z',
                'tg', '19531', 'tjansteguiden', 'add_message',
                '{\"params\":[[\"type\",\"log\"],[\"text\",\"hej\"]],\"summary\":\"add message\"}',
                'sending', 1, NULL, NULL, NULL, '2026-01-02T03:05:00.000000000Z');
             INSERT INTO notes (carrier, order_id, author, at, text)
                VALUES ('tg', '19530', 'anna', '2026-01-02T03:04:05.000000000Z', 'called');",
        )
        .unwrap();
    }
    let store = SqliteStore::open(dir.path()).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);

    let entries = store.journal(&JournalFilter::default()).unwrap();
    assert_eq!(entries.len(), 2);
    let done = entries.iter().find(|e| e.id == "aa").unwrap();
    assert_eq!(done.state, JournalState::Confirmed);
    assert_eq!(done.request.action, ActionKind::SetStatus);
    assert_eq!(done.request.param("status"), Some("received"));
    // v2 backfills resolved_at for entries that were already final.
    assert_eq!(
        done.resolved_at,
        Some(Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 9).unwrap())
    );
    let pending = store.journal_unresolved().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].id, "bb");
    assert_eq!(pending[0].resolved_at, None);
    assert_eq!(pending[0].request.param("text"), Some("hej"));
    assert_eq!(
        store.notes(&OrderKey::new("tg", "19530")).unwrap()[0].text,
        "called"
    );
    drop(store);
    let conn = Connection::open(db_path(dir.path())).unwrap();
    assert!(tables(&conn).contains(&"journal_unresolved".to_owned()));
}

/// What v2 added, exactly as released.
const V2_AS_RELEASED: &str = "
ALTER TABLE journal ADD COLUMN resolved_at TEXT;
CREATE INDEX journal_created ON journal (created_at);
CREATE INDEX journal_order ON journal (carrier, order_id);
CREATE INDEX journal_unresolved ON journal (state)
    WHERE state IN ('recorded', 'sending', 'unknown');
CREATE INDEX notes_order ON notes (carrier, order_id);
PRAGMA user_version = 2;
";

/// Two cached orders as v2 wrote them: one open with an error in its log,
/// one of a kind this build does not know.
const V2_ORDERS: &str = r#"
INSERT INTO orders VALUES ('tg', '19530', 'tjansteguiden', 0, NULL,
    '2026-01-02T03:04:05.000000000Z',
    '{"sr":"active","sg":"in_progress","c":{"r":"2026-10-26 04:19","t":1792984740000000000},"cu":"Mats Sandberg","sv":"50/50 Mbit/s","f":[["city","Skövde"]],"l":[{"t":{"r":"2026-10-26 04:19:00","t":1792984740000000000},"k":"system","s":"portal","x":"Saved order"},{"t":{"r":"2026-11-03 12:52:18","t":1793706738000000000},"k":"error","s":"portal","x":"Switch unreachable"}],"dl":true}');
INSERT INTO order_raw VALUES ('tg', '19530', '<order_info/>');
INSERT INTO orders VALUES ('x', '1', 'carrier-from-the-future', 0, NULL,
    '2026-01-02T03:04:05.000000000Z', '{}');
"#;

#[test]
fn a_version_2_cache_gets_summaries_of_its_orders() {
    let dir = tempfile::tempdir().unwrap();
    {
        let conn = Connection::open(db_path(dir.path())).unwrap();
        conn.execute_batch(V1_AS_RELEASED).unwrap();
        conn.execute_batch(V2_AS_RELEASED).unwrap();
        conn.execute_batch(V2_ORDERS).unwrap();
    }
    let store = SqliteStore::open(dir.path()).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let full = all_orders(&store);
    let summaries = store.load_order_summaries().unwrap();
    assert_eq!(full.len(), 1);
    assert_eq!(summaries.len(), 1);
    let (order, summary) = (&full[0], &summaries[0]);
    assert_eq!(summary.key, OrderKey::new("tg", "19530"));
    assert_eq!(&*summary.customer, "Mats Sandberg");
    assert_eq!(summary.status, order.status);
    assert_eq!(summary.updated_at(), order.updated_at());
    assert_eq!(summary, &OrderSummary::of(order));
    assert!(summary.needs_attention());
    assert_eq!(order.fields, [("city".to_owned(), "Skövde".to_owned())]);
}

/// What v3 added, exactly as released.
const V3_AS_RELEASED: &str = "
CREATE INDEX orders_terminal_age ON orders (coalesce(changed_at, saved_at))
    WHERE terminal = 1;
CREATE TABLE order_summary (carrier TEXT NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL,
    summary BLOB NOT NULL, PRIMARY KEY (carrier, id),
    FOREIGN KEY (carrier, id) REFERENCES orders (carrier, id) ON DELETE CASCADE);
PRAGMA user_version = 3;
";

#[test]
fn a_version_3_cache_gets_a_text_index_of_its_orders() {
    let dir = tempfile::tempdir().unwrap();
    {
        let conn = Connection::open(db_path(dir.path())).unwrap();
        conn.execute_batch(V1_AS_RELEASED).unwrap();
        conn.execute_batch(V2_AS_RELEASED).unwrap();
        conn.execute_batch(V2_ORDERS).unwrap();
        conn.execute_batch(V3_AS_RELEASED).unwrap();
        // A damaged blob is left out of the index, not a failed migration.
        conn.execute_batch(
            "INSERT INTO orders VALUES ('tg', 'bad', 'tjansteguiden', 0, NULL,
                '2026-01-02T03:04:05.000000000Z', 'not json');",
        )
        .unwrap();
    }
    let store = SqliteStore::open(dir.path()).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let key = OrderKey::new("tg", "19530");
    // Backfilled: log lines, carrier fields and the customer, accents folded.
    for query in [
        "switch unreachable",
        "skovde",
        "SKÖVDE",
        "mats sandberg",
        "portal",
    ] {
        assert_eq!(
            store.search_text(query, 10).unwrap(),
            vec![key.clone()],
            "{query}"
        );
    }
    assert!(store.search_text("json", 10).unwrap().is_empty());
    // The migrated index follows later saves and deletes.
    let mut order = store.order(&key).unwrap().unwrap();
    order.log.clear();
    store.save_orders(&[order]).unwrap();
    assert!(store.search_text("unreachable", 10).unwrap().is_empty());
    assert_eq!(store.search_text("skovde", 10).unwrap(), vec![key.clone()]);
    assert_eq!(store.remove_carrier("tg").unwrap(), 2);
    assert!(store.search_text("skovde", 10).unwrap().is_empty());
}

#[test]
fn a_version_4_cache_gets_the_source_system_in_its_summaries() {
    let dir = tempfile::tempdir().unwrap();
    let key = OrderKey::new("px", "PX-1");
    {
        let store = SqliteStore::open(dir.path()).unwrap();
        let mut order = Order::new(
            key.clone(),
            "lumen-px",
            orderdesk::domain::Status::new("OPEN", orderdesk::domain::Stage::InProgress, false),
        );
        order
            .fields
            .push((orderdesk::domain::SOURCE_FIELD.into(), "Phone".into()));
        let plain = Order::new(
            OrderKey::new("px", "PX-2"),
            "lumen-px",
            orderdesk::domain::Status::new("OPEN", orderdesk::domain::Stage::InProgress, false),
        );
        store.save_orders(&[order, plain]).unwrap();
    }
    {
        // As a version 4 build wrote it: the summary has no fields.
        let conn = Connection::open(db_path(dir.path())).unwrap();
        let blob: Vec<u8> = conn
            .query_row(
                "SELECT summary FROM order_summary WHERE id = 'PX-1'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let mut summary: serde_json::Value = serde_json::from_slice(&blob).unwrap();
        assert!(summary.as_object_mut().unwrap().remove("f").is_some());
        conn.execute(
            "UPDATE order_summary SET summary = ?1 WHERE id = 'PX-1'",
            [serde_json::to_vec(&summary).unwrap()],
        )
        .unwrap();
        conn.execute_batch("PRAGMA user_version = 4;").unwrap();
    }
    let store = SqliteStore::open(dir.path()).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let summaries = store.load_order_summaries().unwrap();
    let source = |id: &str| {
        summaries
            .iter()
            .find(|s| s.key.id == id)
            .map(|s| s.source.clone())
            .unwrap()
    };
    assert_eq!(source("PX-1").as_deref(), Some("Phone"));
    assert_eq!(source("PX-2"), None);
}

#[test]
fn a_newer_schema_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    {
        let conn = Connection::open(db_path(dir.path())).unwrap();
        conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
            .unwrap();
    }
    let before = std::fs::read(db_path(dir.path())).unwrap();
    let err = SqliteStore::open(dir.path()).unwrap_err();
    assert!(
        matches!(err, StoreError::TooNew { found: 99, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("left untouched"), "{err}");
    assert!(
        std::fs::read(db_path(dir.path())).unwrap() == before,
        "file was changed"
    );
}

#[test]
fn another_programs_database_is_not_touched() {
    let dir = tempfile::tempdir().unwrap();
    {
        let conn = Connection::open(db_path(dir.path())).unwrap();
        conn.execute_batch("CREATE TABLE photos (id INTEGER);")
            .unwrap();
    }
    let before = std::fs::read(db_path(dir.path())).unwrap();
    let err = SqliteStore::open(dir.path()).unwrap_err();
    assert_eq!(err.category(), "corrupt", "{err}");
    assert!(
        std::fs::read(db_path(dir.path())).unwrap() == before,
        "file was changed"
    );
}

#[test]
fn a_corrupt_file_gives_the_message_and_is_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(dir.path());
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();

    let err = SqliteStore::open(dir.path()).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(text.contains("left untouched"), "{text}");
    assert!(text.contains("--data-dir"), "{text}");
    assert!(std::fs::read(&path).unwrap() == garbage, "file was changed");
    // Trying again does not change it either.
    assert!(SqliteStore::open(dir.path()).is_err());
    assert!(std::fs::read(&path).unwrap() == garbage, "file was changed");
}

#[test]
fn a_data_dir_that_is_a_file_is_unwritable() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_dir = dir.path().join("data");
    std::fs::write(&not_a_dir, b"i am a file").unwrap();
    let err = SqliteStore::open(&not_a_dir).unwrap_err();
    assert!(matches!(err, StoreError::Unwritable { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains(&not_a_dir.display().to_string()), "{text}");
    assert!(text.contains("--data-dir"), "{text}");
    assert_eq!(std::fs::read(&not_a_dir).unwrap(), b"i am a file");
}

#[cfg(unix)]
#[test]
fn a_read_only_directory_is_unwritable() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    // Root (CI containers) ignores permissions; there is nothing to test then.
    if std::fs::write(ro.join("probe"), b"x").is_ok() {
        eprintln!("skipped: running with privileges that ignore directory permissions");
        return;
    }
    let err = SqliteStore::open(&ro.join("sub")).unwrap_err();
    assert!(matches!(err, StoreError::Unwritable { .. }), "{err:?}");
    let err = SqliteStore::open(&ro).unwrap_err();
    assert!(matches!(err, StoreError::Unwritable { .. }), "{err:?}");
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn request() -> ActionRequest {
    ActionRequest {
        action: ActionKind::AddMessage,
        params: vec![("type".into(), "log".into()), ("text".into(), "hej".into())],
        summary: "add message".into(),
        preview: None,
    }
}

#[test]
fn a_lock_held_by_another_process_is_reported_as_locked() {
    let dir = tempfile::tempdir().unwrap();
    let short = Duration::from_millis(20);
    let store = SqliteStore::open_with_timeout(dir.path(), short).unwrap();

    // "Another orderdesk" holds the write lock.
    let other = Connection::open(db_path(dir.path())).unwrap();
    other
        .execute_batch(
            "BEGIN EXCLUSIVE; INSERT INTO sync_state (carrier, cursor) VALUES ('x', 'y');",
        )
        .unwrap();

    let err = store.set_cursor("tg", "2026-01-01").unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("locked by another orderdesk"), "{text}");
    assert!(
        text.contains(&db_path(dir.path()).display().to_string()),
        "{text}"
    );

    // Nothing recorded means nothing may be sent: journal_record fails too.
    let key = OrderKey::new("tg", "1");
    let req = request();
    let err = store
        .journal_record(NewJournalEntry {
            session: "s",
            author: "anna",
            key: &key,
            kind: "tjansteguiden",
            request: &req,
            at: Utc::now(),
        })
        .unwrap_err();
    assert_eq!(err.category(), "locked");

    // Once the other one lets go, everything works and its write is there.
    other.execute_batch("COMMIT").unwrap();
    store.set_cursor("tg", "2026-01-01").unwrap();
    assert_eq!(store.cursor("x").unwrap().as_deref(), Some("y"));
    assert_eq!(store.cursor("tg").unwrap().as_deref(), Some("2026-01-01"));
}

#[test]
fn opening_while_another_process_migrates_or_holds_the_lock_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    // A fresh file that another process is still creating: it holds the
    // write lock before any schema exists.
    let other = Connection::open(db_path(dir.path())).unwrap();
    other
        .execute_batch("PRAGMA journal_mode = WAL; BEGIN EXCLUSIVE; CREATE TABLE t (x);")
        .unwrap();
    let err = SqliteStore::open_with_timeout(dir.path(), Duration::from_millis(20)).unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
    other.execute_batch("ROLLBACK").unwrap();
    drop(other);
    let store = SqliteStore::open(dir.path()).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
}

#[test]
fn two_processes_writing_at_once_do_not_corrupt_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let a = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let b = Arc::new(SqliteStore::open(dir.path()).unwrap());
    const N: usize = 200;
    let run = |store: Arc<SqliteStore>, who: &'static str| {
        std::thread::spawn(move || {
            let at = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
            let req = request();
            for i in 0..N {
                let key = OrderKey::new("tg", format!("{who}-{i}"));
                store.add_note(&key, who, &format!("note {i}"), at).unwrap();
                store.set_flag(&key, i % 2 == 0, who, at).unwrap();
                let entry = store
                    .journal_record(NewJournalEntry {
                        session: who,
                        author: who,
                        key: &key,
                        kind: "tjansteguiden",
                        request: &req,
                        at,
                    })
                    .unwrap();
                store.journal_mark_sending(&entry, who, at).unwrap();
                store.set_cursor(who, &i.to_string()).unwrap();
            }
        })
    };
    let ta = run(a.clone(), "a");
    let tb = run(b.clone(), "b");
    ta.join().unwrap();
    tb.join().unwrap();

    let notes = a.all_notes().unwrap();
    assert_eq!(notes.values().map(Vec::len).sum::<usize>(), 2 * N);
    assert_eq!(b.flags().unwrap().len(), N);
    assert_eq!(a.journal_unresolved().unwrap().len(), 2 * N);
    assert_eq!(b.cursor("a").unwrap(), Some((N - 1).to_string()));
    assert_eq!(a.cursor("b").unwrap(), Some((N - 1).to_string()));
    drop((a, b));
    let conn = Connection::open(db_path(dir.path())).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

/// Every cached full order, in one page.
fn all_orders(store: &SqliteStore) -> Vec<Order> {
    store.load_orders_page(0, usize::MAX).unwrap().0
}
