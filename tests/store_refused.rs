//! A store the console refuses is never written in that session, and notes
//! and flags are never silently lost with the store off: they go to the
//! named fallback file, or are refused before anything is typed.

use std::path::{Path, PathBuf};

use crossterm::event::KeyCode;
use orderdesk::domain::{Order, OrderKey, Stage, Status};
use orderdesk::store::{FallbackNotes, SqliteStore, fallback};

mod console;

use console::{Console, Start};

/// A real store with enough orders to span many pages, closed.
fn real_store(dir: &Path) -> PathBuf {
    let store = SqliteStore::open(dir).expect("store opens");
    let orders: Vec<Order> = (0..3000)
        .map(|i| {
            let mut o = Order::new(
                OrderKey::new("tg", format!("{}", 90_000 + i)),
                "tjansteguiden",
                Status::new("new", Stage::New, false),
            );
            o.customer = format!("Customer {i} {}", "x".repeat(150));
            o
        })
        .collect();
    store.save_orders(&orders).expect("orders saved");
    store
        .add_note(
            &OrderKey::new("tg", "90001"),
            "anna",
            "old note",
            chrono::Utc::now(),
        )
        .expect("note saved");
    let path = store.path().expect("on disk").to_owned();
    drop(store);
    path
}

/// Overwrites the middle third of the file's pages with garbage (the header
/// page stays intact, so the file still opens as a database).
fn corrupt_middle(path: &Path) {
    let mut bytes = std::fs::read(path).expect("read store");
    let len = bytes.len();
    assert!(len > 64 * 4096, "the store spans many pages ({len} bytes)");
    for b in &mut bytes[len / 3..2 * len / 3] {
        *b = 0xA5;
    }
    std::fs::write(path, bytes).expect("write store");
}

fn wal(path: &Path) -> Option<Vec<u8>> {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    std::fs::read(PathBuf::from(name)).ok()
}

async fn started_on_corrupt_store(
    state_dir: Option<PathBuf>,
) -> (Console, PathBuf, tempfile::TempDir) {
    let data = tempfile::tempdir().expect("tempdir");
    let path = real_store(data.path());
    corrupt_middle(&path);
    let console = Console::start(Start {
        data_dir: Some(data.path().to_owned()),
        state_dir,
        orders: 30,
        ..Start::default()
    })
    .await;
    console
        .wait_for("the store refused and synced orders", |s| {
            s.contains("cache off:") && s.contains("✓ tg")
        })
        .await;
    (console, path, data)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_store_is_never_written_and_notes_go_to_the_named_file() {
    let state = tempfile::tempdir().expect("tempdir");
    let state_dir = state.path().join("orderdesk");
    let data = tempfile::tempdir().expect("tempdir");
    let path = real_store(data.path());
    corrupt_middle(&path);
    let before = std::fs::read(&path).expect("store bytes");
    let wal_before = wal(&path);

    let console = Console::start(Start {
        data_dir: Some(data.path().to_owned()),
        state_dir: Some(state_dir.clone()),
        orders: 30,
        ..Start::default()
    })
    .await;
    let screen = console
        .wait_for("the store refused and synced orders", |s| {
            s.contains("cache off:") && s.contains("✓ tg")
        })
        .await;
    assert!(!screen.contains("cache off: cache off"), "{screen}");

    // The editor names the fallback file before anything is typed.
    let file = state_dir.join(fallback::FILE_NAME);
    console.keys(&[KeyCode::Char('n')]);
    console
        .wait_for("the editor naming the fallback file", |s| {
            s.contains("Note on tg/")
                && s.contains("will be appended to")
                && s.contains("notes-and")
        })
        .await;
    console.literal("customer called back");
    console.ctrl('s');
    let screen = console
        .wait_for("the note kept in the file", |s| s.contains("note kept in"))
        .await;
    assert!(!screen.contains("note saved"), "{screen}");
    console.keys(&[KeyCode::Char('f')]);
    console
        .wait_for("the flag kept in the file", |s| {
            s.contains("flagged for follow-up (kept in")
        })
        .await;
    assert_eq!(console.quit().await, Ok(()));

    // The refused store: not a byte changed, no WAL grown.
    assert!(
        std::fs::read(&path).expect("store bytes") == before,
        "the store was written"
    );
    let wal_after = wal(&path);
    assert!(
        wal_after == wal_before,
        "the store's WAL changed: {:?} bytes before, {:?} after",
        wal_before.as_ref().map(Vec::len),
        wal_after.as_ref().map(Vec::len)
    );
    // The note and the flag are in the fallback file, private.
    let kept = std::fs::read_to_string(&file).expect("the fallback file");
    assert!(kept.contains("  customer called back\n"), "{kept}");
    assert!(kept.contains("flagged for follow-up tg/"), "{kept}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_nowhere_to_keep_them_notes_and_flags_are_refused_before_typing() {
    let (console, path, _data) = started_on_corrupt_store(None).await;
    let before = std::fs::read(&path).expect("store bytes");
    console.keys(&[KeyCode::Char('n')]);
    let screen = console
        .wait_for("the note refused", |s| {
            s.contains("a note cannot be kept this session")
        })
        .await;
    assert!(
        !screen.contains("Note on tg/"),
        "the editor opened:\n{screen}"
    );
    console.keys(&[KeyCode::Char('f')]);
    let screen = console
        .wait_for("the flag refused", |s| {
            s.contains("a flag cannot be kept this session")
        })
        .await;
    assert!(!screen.contains("flagged for follow-up"), "{screen}");
    assert_eq!(console.quit().await, Ok(()));
    assert!(
        std::fs::read(&path).expect("store bytes") == before,
        "the store was written"
    );
}

#[tokio::test]
async fn an_unwritable_fallback_dir_is_refused_with_why() {
    let base = tempfile::tempdir().expect("tempdir");
    // A file where the directory should be.
    let dir = base.path().join("state");
    std::fs::write(&dir, b"").expect("file");
    let e = FallbackNotes::open(&dir).expect_err("no directory");
    assert!(e.contains("state"), "{e}");
}
