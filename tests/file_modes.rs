//! Private files: under the usual umask 022 the store, its -wal and -shm
//! (which hold the journal too), the fallback notes file and the
//! directories that hold them are created 0600 / 0700. One test in its own
//! binary: the umask is the process's.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use chrono::Utc;
use orderdesk::domain::OrderKey;
use orderdesk::store::{FallbackNotes, LocalStore, SqliteStore, fallback};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test]
async fn data_and_state_files_are_private_under_umask_022() {
    // SAFETY: umask(2) cannot fail; this binary has no other test.
    unsafe { libc::umask(0o022) };
    let base = tempfile::tempdir().expect("tempdir");

    let data = base.path().join("share").join("orderdesk");
    let store = SqliteStore::open(&data).expect("store opens");
    let key = OrderKey::new("tg", "19530");
    store
        .add_note(&key, "anna", "called", Utc::now())
        .expect("note saved");
    let db = data.join(SqliteStore::FILE_NAME);
    assert_eq!(mode(&data), 0o700, "data dir");
    assert_eq!(mode(&db), 0o600, "store");
    for suffix in ["-wal", "-shm"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        assert_eq!(mode(Path::new(&name)), 0o600, "store{suffix}");
    }
    drop(store);

    let state = base.path().join("state").join("orderdesk");
    let notes = FallbackNotes::open(&state).expect("fallback opens");
    notes
        .add_note(&key, "anna", "called", Utc::now())
        .await
        .expect("kept");
    assert_eq!(mode(&state), 0o700, "state dir");
    assert_eq!(
        mode(&state.join(fallback::FILE_NAME)),
        0o600,
        "fallback file"
    );
}
