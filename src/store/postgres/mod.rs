//! The team store: the same order cache, notes and flags, and write journal
//! as the SQLite store, in a PostgreSQL database that a whole support team
//! shares. [`PgStore`] implements the store traits (`OrderCache`,
//! `LocalStore`, `Journal`) with the async tokio-postgres client over a
//! small pool (deadpool-postgres), so no call blocks an async worker.
//!
//! - `connect`: the database URL, where the password comes from (the URL,
//!   then the config's `database_password_env`/`_cmd` as resolved by the
//!   caller, then `PGPASSWORD`, then `~/.pgpass` by libpq's rules, see
//!   `pgpass`), TLS when the URL says `sslmode=require`.
//! - `schema`: the versioned migrations and the three roles that
//!   `orderdesk db init` creates ([`init`]); [`PgStore::open`] never
//!   migrates, it refuses a schema that is not exactly this build's.
//! - `orders`, `notes`, `journal`: the traits, with the SQLite store's
//!   semantics (the conformance suite runs on both); `text`: the search.
//! - `notify`: what the change notifications (schema v2) say; `session`:
//!   a connection of its own for an advisory lock or `LISTEN` (the daemon,
//!   and the console through `listen`);
//!   `team`: what only the team store holds, carrier health and presence.
//!
//! Times are RFC 3339 text in UTC with nanoseconds, as in the SQLite store:
//! `timestamptz` keeps microseconds only, and the journal's compare-and-set
//! compares the exact time a caller saw.
//!
//! Must not: talk to carriers, decide what the app shows, or send writes.
//! A fault is a [`StoreError`] naming the database without its password;
//! a refusal for lack of rights (a viewer writing) is
//! [`StoreError::Denied`], decided by the database, not by this code.

mod connect;
mod journal;
mod listen;
mod notes;
pub mod notify;
mod orders;
mod pgpass;
pub mod schema;
mod session;
mod team;
mod text;

use std::sync::Arc;

use deadpool_postgres::{Object, Pool, PoolError};
use tokio_postgres::error::SqlState;

pub use connect::{Password, url_has_password};
pub use notify::Change;
pub use schema::{CHANNEL, SCHEMA_VERSION, init};
pub use session::Session;
pub use team::{CarrierHealth, PRESENCE_FRESH, Presence};

use crate::store::StoreError;

/// A handle on the team store. Clones share the pool.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    place: Arc<Place>,
    /// What a listener's own connection is opened with (`listen`).
    url: Arc<str>,
    password: Password,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("target", &self.place.target)
            .finish()
    }
}

/// Which database and login, for messages (never the password).
#[derive(Debug)]
pub(crate) struct Place {
    pub target: String,
    pub user: String,
}

impl Place {
    /// Classifies a PostgreSQL failure.
    pub fn pg(&self, doing: &'static str, err: &tokio_postgres::Error) -> StoreError {
        let target = self.target.clone();
        let Some(db) = err.as_db_error() else {
            // No answer from the server: the connection, TLS or the network.
            return StoreError::Unreachable {
                target,
                doing,
                detail: error_chain(err),
                passing: true,
            };
        };
        let detail = db.message().to_owned();
        let code = db.code();
        if *code == SqlState::INSUFFICIENT_PRIVILEGE {
            StoreError::Denied {
                target,
                doing,
                user: self.user.clone(),
                detail,
            }
        } else if *code == SqlState::INVALID_PASSWORD
            || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
            || *code == SqlState::INVALID_CATALOG_NAME
        {
            StoreError::Unreachable {
                target,
                doing,
                detail,
                passing: false,
            }
        } else if *code == SqlState::TOO_MANY_CONNECTIONS
            || *code == SqlState::CANNOT_CONNECT_NOW
            || *code == SqlState::ADMIN_SHUTDOWN
        {
            StoreError::Unreachable {
                target,
                doing,
                detail,
                passing: true,
            }
        } else if *code == SqlState::DISK_FULL {
            StoreError::DiskFull {
                path: target,
                doing,
            }
        } else {
            StoreError::Database {
                target,
                doing,
                detail,
            }
        }
    }

    fn pool(&self, doing: &'static str, err: PoolError) -> StoreError {
        match err {
            PoolError::Backend(e) => self.pg(doing, &e),
            other => StoreError::Unreachable {
                target: self.target.clone(),
                doing,
                detail: other.to_string(),
                passing: true,
            },
        }
    }
}

/// An error with its causes, `a: b: c`.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

impl PgStore {
    /// Connects to the team store at `url` and checks that its schema is
    /// this build's ([`SCHEMA_VERSION`]): a newer one means upgrading
    /// orderdesk, an older or missing one running `orderdesk db init`. It
    /// never changes the schema.
    pub async fn open(url: &str, password: &Password) -> Result<PgStore, StoreError> {
        let store = PgStore::connect(url, password)?;
        store.check_schema().await?;
        Ok(store)
    }

    /// Checks that the schema is exactly this build's; see [`PgStore::open`].
    pub async fn check_schema(&self) -> Result<(), StoreError> {
        let client = self.client("opening the team store").await?;
        let found = schema::version(&client, &self.place).await?;
        if found == SCHEMA_VERSION {
            return Ok(());
        }
        let hint = if found > SCHEMA_VERSION {
            "upgrade orderdesk"
        } else {
            "an administrator runs `orderdesk db init --database URL` to create or migrate it"
        };
        Err(StoreError::SchemaMismatch {
            target: self.place.target.clone(),
            found,
            supported: SCHEMA_VERSION,
            hint,
        })
    }

    /// A handle on `url` without any check (the pool connects lazily): a
    /// console whose team store is down at start follows it once it is up.
    pub fn connect(url: &str, password: &Password) -> Result<PgStore, StoreError> {
        let settings = connect::settings(url, password, &connect::Env::process())?;
        let place = Arc::new(Place {
            target: settings.target.clone(),
            user: settings.user.clone(),
        });
        let pool = connect::pool(settings)?;
        Ok(PgStore {
            pool,
            place,
            url: url.into(),
            password: password.clone(),
        })
    }

    /// The database, as shown in messages: `postgres://user@host:port/db`.
    pub fn target(&self) -> &str {
        &self.place.target
    }

    /// A pooled connection.
    pub(crate) async fn client(&self, doing: &'static str) -> Result<Object, StoreError> {
        self.pool.get().await.map_err(|e| self.place.pool(doing, e))
    }

    pub(crate) fn err(&self, doing: &'static str, err: &tokio_postgres::Error) -> StoreError {
        self.place.pg(doing, err)
    }
}
