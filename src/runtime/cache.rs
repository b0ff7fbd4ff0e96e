//! The console's start from its local memory: finds the data directory,
//! opens the store, loads what the first frame shows (the orders'
//! summaries, notes, flags, recent journal entries) and the cursors the
//! engine starts from. The full orders stay in the store: the app asks the
//! engine for the few it shows (`Effect::LoadOrder`). Only reads; what is polled later is written by the engine's
//! recorder. When the store cannot be opened the console runs from the
//! network with the cache off and says why; the file is never deleted or
//! rewritten.

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::app::Msg;
use crate::domain::{Flag, JournalEntry, JournalFilter, Note, OrderKey, OrderSummary};
use crate::store::{StoreError, Stores};

/// What the cache held at startup.
#[derive(Debug, Default)]
pub struct Cached {
    /// The orders' summaries (the full orders stay in the store).
    pub orders: Vec<OrderSummary>,
    pub cursors: HashMap<String, String>,
    pub notes: HashMap<OrderKey, Vec<Note>>,
    pub flags: HashMap<OrderKey, Flag>,
    pub journal: Vec<JournalEntry>,
}

/// The data dir: `--data-dir`, the config's `data_dir`, or the platform's.
pub fn data_dir(explicit: Option<PathBuf>) -> Option<PathBuf> {
    explicit.or_else(|| {
        directories::ProjectDirs::from("", "", "orderdesk").map(|d| d.data_dir().to_owned())
    })
}

/// Opens the store off the async workers.
pub async fn open(dir: Option<PathBuf>) -> Result<Stores, String> {
    let Some(dir) = dir else {
        return Err("no data directory could be determined (set data_dir or --data-dir)".into());
    };
    Stores::open_sqlite(&dir).await.map_err(|e| e.to_string())
}

/// Loads everything the console shows from the cache; terminal orders older
/// than `keep_terminal_until` are dropped first.
pub async fn load_cache(
    stores: &Stores,
    carriers: &[String],
    keep_terminal_until: DateTime<Utc>,
) -> Result<Cached, StoreError> {
    let dropped = stores
        .cache
        .drop_terminal_older_than(keep_terminal_until)
        .await?;
    if dropped > 0 {
        tracing::info!(dropped, "dropped terminal orders past their keep time");
    }
    let mut cursors = HashMap::new();
    for name in carriers {
        if let Some(cursor) = stores.cache.cursor(name).await? {
            cursors.insert(name.clone(), cursor);
        }
    }
    let journal = stores
        .journal
        .journal(&JournalFilter {
            limit: Some(5_000),
            ..JournalFilter::default()
        })
        .await?;
    Ok(Cached {
        orders: stores.cache.load_order_summaries().await?,
        cursors,
        notes: stores.local.all_notes().await?,
        flags: stores.local.flags().await?,
        journal,
    })
}

impl Cached {
    /// The app's message for what the cache held, and the cursors for the
    /// fetchers.
    pub fn into_msg(self) -> (Msg, HashMap<String, String>) {
        let msg = Msg::CacheLoaded {
            orders: self.orders,
            notes: self.notes,
            flags: self.flags,
            journal: self.journal,
        };
        (msg, self.cursors)
    }
}
