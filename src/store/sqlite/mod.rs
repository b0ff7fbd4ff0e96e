//! The embedded SQLite store: one file (`orderdesk.sqlite3`) in the data
//! directory holding the order cache, the per-carrier sync cursors, local
//! notes and follow-up flags, and the write journal. [`SqliteStore`]
//! implements the store traits (`crate::store::{OrderCache, LocalStore,
//! Journal}`, in `traits`) by running each of its blocking methods on
//! tokio's blocking pool.
//!
//! It owns persistence only. It must not talk to carriers, decide what the
//! app shows, or send writes (that is `crate::engine::WriteExecutor`, the
//! only path a write takes). It never deletes, truncates or rewrites the file
//! because of an error: a fault is a [`StoreError`] that says what, where and
//! what to do, and the console goes on with the cache off.
//!
//! Threads: `SqliteStore` is `Send + Sync` and cheap to clone (one
//! connection behind a shared mutex). Every inherent method blocks for the
//! duration of one SQLite transaction; async code uses the traits, which
//! run them with `spawn_blocking`. Two orderdesk processes may share a data
//! directory: WAL mode, a busy timeout (3 s by default) and `BEGIN
//! IMMEDIATE` for every write transaction keep the file consistent; a lock
//! held longer than the timeout is [`StoreError::Locked`].
//!
//! Durability: `synchronous = NORMAL` in WAL mode. A committed transaction
//! survives the process being killed (`kill -9`); a power cut may lose the
//! last few commits but never corrupts the file.

pub(crate) mod blob;
pub(crate) mod journal;
mod notes;
pub(crate) mod orders;
mod place;
pub mod schema;
pub(crate) mod search;
mod traits;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, MAIN_DB, Transaction, TransactionBehavior};

pub use journal::new_session_id;

use crate::store::StoreError;
use place::Place;

/// The SQLite store. Clones share one connection.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    place: Place,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.place.path)
            .finish()
    }
}

impl SqliteStore {
    /// The database file's name inside the data directory.
    pub const FILE_NAME: &'static str = "orderdesk.sqlite3";
    /// How long a write waits for another process's lock before giving up.
    pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(3);

    /// Opens (creating as needed) `dir/orderdesk.sqlite3` and migrates it to
    /// [`schema::SCHEMA_VERSION`].
    pub fn open(dir: &Path) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with_timeout(dir, SqliteStore::DEFAULT_BUSY_TIMEOUT)
    }

    /// [`SqliteStore::open`] with another busy timeout (tests use a short one).
    pub fn open_with_timeout(
        dir: &Path,
        busy_timeout: Duration,
    ) -> Result<SqliteStore, StoreError> {
        let path = dir.join(SqliteStore::FILE_NAME);
        let timeout_ms = u64::try_from(busy_timeout.as_millis()).unwrap_or(u64::MAX);
        let dir_place = Place {
            path: dir.display().to_string(),
            timeout_ms,
        };
        create_private_dir(dir).map_err(|e| dir_place.io("creating the data directory", &e))?;
        if !dir.is_dir() {
            return Err(StoreError::Unwritable {
                path: dir_place.path,
                doing: "creating the data directory",
                detail: "it exists but is not a directory".into(),
            });
        }
        let place = Place {
            path: path.display().to_string(),
            timeout_ms,
        };
        create_private_file(&path).map_err(|e| place.io("creating the database file", &e))?;
        let conn = Connection::open(&path).map_err(|e| place.sql("opening the database", e))?;
        let store = SqliteStore::setup(conn, place, Some(path), busy_timeout, true)?;
        Ok(store)
    }

    /// A store that lives in memory only (tests; the journal when the cache
    /// is off). Same schema and behaviour, nothing survives the process.
    pub fn open_in_memory() -> Result<SqliteStore, StoreError> {
        let place = Place {
            path: ":memory:".into(),
            timeout_ms: 0,
        };
        let conn =
            Connection::open_in_memory().map_err(|e| place.sql("opening the database", e))?;
        SqliteStore::setup(conn, place, None, Duration::ZERO, false)
    }

    fn setup(
        mut conn: Connection,
        place: Place,
        path: Option<PathBuf>,
        busy_timeout: Duration,
        on_disk: bool,
    ) -> Result<SqliteStore, StoreError> {
        conn.busy_timeout(busy_timeout)
            .map_err(|e| place.sql("setting the busy timeout", e))?;
        // Read the header before changing anything: a file that is not a
        // database fails here (SQLITE_NOTADB) and is left as it was.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|e| place.sql("reading the database", e))?;
        // Refuse a newer or foreign database before anything below could
        // touch its header (switching to WAL rewrites two header bytes).
        let found = schema::check(&conn, &place)?;
        if on_disk {
            if conn
                .is_readonly(MAIN_DB)
                .map_err(|e| place.sql("opening the database", e))?
            {
                return Err(StoreError::Unwritable {
                    path: place.path.clone(),
                    doing: "opening the database",
                    detail: "the file is read-only".into(),
                });
            }
            let mode: String = conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .map_err(|e| place.sql("switching to WAL mode", e))?;
            if !mode.eq_ignore_ascii_case("wal") {
                tracing::warn!(path = %place.path, mode, "store could not switch to WAL mode");
            }
            conn.execute_batch("PRAGMA synchronous = NORMAL")
                .map_err(|e| place.sql("configuring the database", e))?;
        }
        conn.execute_batch("PRAGMA foreign_keys = ON")
            .map_err(|e| place.sql("configuring the database", e))?;
        schema::migrate(&mut conn, &place, found)?;
        Ok(SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
            place,
            path,
        })
    }

    /// The database file, `None` for an in-memory store.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Whether what is written survives the process.
    pub fn is_persistent(&self) -> bool {
        self.path.is_some()
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        let conn = self.lock();
        schema::user_version(&conn, &self.place)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half-done SQLite
        // transaction behind (it rolls back on drop), so the connection is fine.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the connection (reads).
    pub(crate) fn read<T>(
        &self,
        doing: &'static str,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let conn = self.lock();
        f(&conn).map_err(|e| self.place.sql(doing, e))
    }

    /// Runs `f` in a `BEGIN IMMEDIATE` transaction and commits it. Immediate:
    /// the write lock is taken up front, so two processes wait for each other
    /// (busy timeout) instead of failing on a stale read snapshot.
    pub(crate) fn write<T>(
        &self,
        doing: &'static str,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, WriteAbort>,
    ) -> Result<T, StoreError> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.place.sql(doing, e))?;
        let value = match f(&tx) {
            Ok(value) => value,
            Err(WriteAbort::Sql(e)) => return Err(self.place.sql(doing, e)),
            Err(WriteAbort::Store(e)) => return Err(e),
        };
        tx.commit().map_err(|e| self.place.sql(doing, e))?;
        Ok(value)
    }

    #[cfg(test)]
    pub(crate) fn raw_connection(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.lock()
    }
}

/// Creates `dir` (and any missing parent) private to the user (0700,
/// whatever the umask); an existing directory is left as it is.
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.exists() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    // mkdir's mode is masked by the umask: set it outright.
    #[cfg(unix)]
    fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))?;
    Ok(())
}

/// Creates the database file empty and private (0600, whatever the umask)
/// when it does not exist yet, so SQLite opens a file only the user can read;
/// its `-wal` and `-shm` take the file's mode. An existing file is neither
/// written nor changed here.
fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(file) => {
            // open's mode is masked by the umask: set it outright.
            #[cfg(unix)]
            file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
            #[cfg(not(unix))]
            drop(file);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Why a write transaction was abandoned (rolled back).
pub(crate) enum WriteAbort {
    Sql(rusqlite::Error),
    Store(StoreError),
}

impl From<rusqlite::Error> for WriteAbort {
    fn from(e: rusqlite::Error) -> Self {
        WriteAbort::Sql(e)
    }
}

/// How times are stored: RFC 3339, UTC, nanoseconds, so text order is time order.
pub(crate) fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

/// Reads a stored time; a malformed one is a conversion error of that column.
pub(crate) fn get_ts(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<DateTime<Utc>> {
    let text: String = row.get(idx)?;
    parse_ts(&text).ok_or_else(|| bad_column(idx, format!("bad time {text:?}")))
}

pub(crate) fn get_opt_ts(
    row: &rusqlite::Row<'_>,
    idx: usize,
) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let text: Option<String> = row.get(idx)?;
    match text {
        None => Ok(None),
        Some(text) => parse_ts(&text)
            .map(Some)
            .ok_or_else(|| bad_column(idx, format!("bad time {text:?}"))),
    }
}

pub(crate) fn parse_ts(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

pub(crate) fn bad_column(idx: usize, what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        idx,
        rusqlite::types::Type::Text,
        Box::<dyn std::error::Error + Send + Sync>::from(what),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Order, OrderKey, Stage, Status};

    #[test]
    fn disk_full_is_reported_as_such() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        let pages: i64 = store
            .raw_connection()
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        // Cap the file at its current size: the next growth is SQLITE_FULL.
        store
            .raw_connection()
            .execute_batch(&format!("PRAGMA max_page_count = {pages}"))
            .unwrap();
        let orders: Vec<Order> = (0..2000)
            .map(|i| {
                let mut o = Order::new(
                    OrderKey::new("tg", i.to_string()),
                    "tjansteguiden",
                    Status::new("new", Stage::New, false),
                );
                o.customer = "x".repeat(200);
                o
            })
            .collect();
        let err = store.save_orders(&orders).unwrap_err();
        assert_eq!(err.category(), "disk-full", "{err}");
        let text = err.to_string();
        assert!(text.contains("disk is full"), "{text}");
        assert!(text.contains(SqliteStore::FILE_NAME), "{text}");
        // The transaction rolled back: nothing half-saved.
        assert!(store.load_order_summaries().unwrap().is_empty());
        assert_eq!(store.load_orders_page(0, 10).unwrap(), (vec![], None));
    }
}
