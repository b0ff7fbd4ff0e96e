//! The console's start from its local memory: finds the data directory,
//! opens the store, loads what the first frame shows (the orders'
//! summaries, notes, flags, recent journal entries) and the cursors the
//! engine starts from. The full orders stay in the store: the app asks the
//! engine for the few it shows (`Effect::LoadOrder`). Only reads; what is
//! polled later is written by the engine's recorder. When the store cannot be opened the console runs from the
//! network with the cache off and says why; the file is never deleted or
//! rewritten, and a store opened but not readable is closed again and not
//! written in that session. With the cache off, notes and flags go to the
//! fallback file ([`fallback_notes`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::app::{Keeping, Msg};
use crate::domain::{Flag, JournalEntry, JournalFilter, Note, OrderKey, OrderSummary};
use crate::store::{FallbackNotes, LocalStore, StoreError, Stores};

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

/// Loads everything the console shows from the cache, then drops terminal
/// orders older than `keep_terminal_until`. Everything is read before
/// anything is written: a store whose pages cannot be read fails here
/// untouched (and the console then refuses it for the session).
pub async fn load_cache(
    stores: &Stores,
    carriers: &[String],
    keep_terminal_until: DateTime<Utc>,
) -> Result<Cached, StoreError> {
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
    let notes = stores.local.all_notes().await?;
    let flags = stores.local.flags().await?;
    let mut orders = stores.cache.load_order_summaries().await?;
    let dropped = stores
        .cache
        .drop_terminal_older_than(keep_terminal_until)
        .await?;
    if dropped > 0 {
        tracing::info!(dropped, "dropped terminal orders past their keep time");
        orders = stores.cache.load_order_summaries().await?;
    }
    Ok(Cached {
        orders,
        cursors,
        notes,
        flags,
        journal,
    })
}

/// Where notes and flags go with the store off: the fallback file in the
/// state dir, or nowhere (why) when it cannot be opened.
pub fn fallback_notes(state_dir: Option<&Path>) -> (Option<Arc<dyn LocalStore>>, Keeping) {
    let Some(dir) = state_dir else {
        let why = "the local store is off and no state directory could be determined";
        return (None, Keeping::Nowhere(why.into()));
    };
    match FallbackNotes::open(dir) {
        Ok(file) => {
            let path = file.path().display().to_string();
            (Some(Arc::new(file)), Keeping::File(path))
        }
        Err(e) => {
            tracing::warn!("no fallback file for notes: {e}");
            let why = format!("the local store is off and {e}");
            (None, Keeping::Nowhere(why))
        }
    }
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
