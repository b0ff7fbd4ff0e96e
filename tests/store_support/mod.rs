//! The store implementations the store suites run on, behind one
//! [`Factory`]: SQLite in memory, SQLite on disk, and the PostgreSQL team
//! store on the test binary's cluster (`pg_support`; `None` from
//! [`Factory::postgres`] when PostgreSQL is not installed and `CI` is unset).
//! A new implementation adds one factory here.
#![allow(dead_code)]

use std::any::Any;
use std::path::PathBuf;
use std::sync::Arc;

use orderdesk::store::postgres::{self, Password};
use orderdesk::store::{PgStore, SqliteStore, Stores};

use crate::pg_support;

/// What keeps a store's data alive while a case runs (a temporary
/// directory, a database's URL).
pub type Guard = Box<dyn Any + Send>;

/// Where a suite's stores come from.
pub enum Factory {
    SqliteMemory,
    SqliteDisk,
    Postgres,
}

impl Factory {
    /// The team store's factory, `None` (skip) without PostgreSQL.
    pub fn postgres() -> Option<Factory> {
        pg_support::cluster().map(|_| Factory::Postgres)
    }

    /// A fresh, empty store.
    pub async fn open(&self) -> (Stores, Guard) {
        match self {
            Factory::SqliteMemory => (Stores::in_memory().unwrap(), Box::new(())),
            Factory::SqliteDisk => {
                let dir = tempfile::tempdir().unwrap();
                let stores = open_dir(dir.path().to_owned());
                (stores, Box::new(dir))
            }
            Factory::Postgres => {
                let db = pg_support::fresh_db()
                    .await
                    .expect("the cluster was there when the factory was made");
                postgres::init(&db.url, &Password::none()).await.unwrap();
                let stores = open_pg(&db.url).await;
                (stores, Box::new(db.url))
            }
        }
    }

    /// Another handle on the data of `first` (another console on the same
    /// database, or the same console after a restart).
    pub async fn again(&self, first: &Stores, guard: &Guard) -> Stores {
        match self {
            Factory::SqliteMemory => first.clone(),
            Factory::SqliteDisk => {
                let dir = guard.downcast_ref::<tempfile::TempDir>().unwrap();
                open_dir(dir.path().to_owned())
            }
            Factory::Postgres => open_pg(guard.downcast_ref::<String>().unwrap()).await,
        }
    }
}

fn open_dir(dir: PathBuf) -> Stores {
    Stores::from_one(Arc::new(SqliteStore::open(&dir).unwrap()))
}

async fn open_pg(url: &str) -> Stores {
    let store: PgStore = PgStore::open(url, &Password::none()).await.unwrap();
    Stores::from_one(Arc::new(store))
}
