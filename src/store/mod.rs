//! What orderdesk persists, as three traits: the order cache with the
//! per-carrier sync state ([`OrderCache`]), local notes and follow-up flags
//! ([`LocalStore`]) and the write journal ([`Journal`]); the errors every
//! implementation reports ([`StoreError`]); and the implementations behind
//! them: [`sqlite::SqliteStore`], the embedded default, and
//! [`postgres::PgStore`], the team store a support team shares. The engine
//! and the console hold them as [`Stores`], one `Arc<dyn ..>` per trait.
//!
//! The traits are async and object-safe. An implementation whose calls block
//! (SQLite) runs them on tokio's blocking pool, so callers may await them
//! from any task. Every implementation passes the conformance suite in
//! `tests/store_conformance.rs`: the journal's compare-and-set moves and the
//! in-flight lease the write executor relies on, notes and flags, cursors
//! and the cache.
//!
//! Must not: talk to carriers, decide what the app shows, or send writes
//! (that is `crate::engine::WriteExecutor`, the only path a write takes). A
//! fault is a [`StoreError`]; a store never deletes or rewrites its data
//! because of one, and the console goes on with the cache off.
//!
//! # How the engine uses them
//! 1. The console opens the store (`Stores::open_sqlite(data_dir)`); on
//!    `Err(e)` it shows `e` and runs with the cache off: no cache, notes
//!    and flags appended to a plain file in the state dir
//!    ([`FallbackNotes`]) or refused when even that cannot be opened, and a
//!    journal in memory only ([`Stores::in_memory`], and
//!    `WriteExecutor::journal_note` says so). A store opened but not
//!    readable is closed again and never written in that session.
//! 2. It loads the summaries (`load_order_summaries`), notes, flags, the
//!    latest journal entries and the cursors; paints; then reads the full
//!    orders behind the first frame with `load_orders_page`.
//! 3. The engine resolves writes left open (`Journal::journal_unresolved`)
//!    at startup and every 60 s after, starts the fetchers from the stored
//!    cursors, and its recorder saves what they deliver (`save_orders`, then
//!    `set_cursor`, `set_last_sync`).

mod error;
pub mod fallback;
pub mod postgres;
pub mod sqlite;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::board::HourlyTrend;
use crate::domain::{Order, OrderKey, OrderSummary};

pub use error::StoreError;
pub use fallback::FallbackNotes;
// The journal, note and flag types live in `domain`; they are re-exported
// here for the code that reads them together with a store.
pub use crate::domain::{
    Flag, JournalEntry, JournalFilter, JournalState, NewJournalEntry, Note, Outcome,
    local_log_entries,
};
pub use postgres::PgStore;
pub use sqlite::{SqliteStore, new_session_id};

/// The order cache and the per-carrier sync state.
#[async_trait]
pub trait OrderCache: Send + Sync + std::fmt::Debug {
    /// Inserts or replaces `orders` (by key), all or nothing.
    async fn save_orders(&self, orders: Vec<Order>) -> Result<(), StoreError>;
    /// Every cached order's summary (what the table, the filter and the
    /// attention view need); undecodable rows are skipped.
    async fn load_order_summaries(&self) -> Result<Vec<OrderSummary>, StoreError>;
    /// Up to `limit` full orders after position `after` (0 to start), with
    /// `raw: None`, and the position to ask for next (`None` when done).
    async fn load_orders_page(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<(Vec<Order>, Option<i64>), StoreError>;
    /// One full cached order by key, with `raw: None` (see `order_raw`);
    /// `None` when it is not cached.
    async fn order(&self, key: &OrderKey) -> Result<Option<Order>, StoreError>;
    /// The full cached orders of `keys`, in the order asked, with
    /// `raw: None`; keys not cached are left out.
    async fn orders(&self, keys: &[OrderKey]) -> Result<Vec<Order>, StoreError>;
    /// The keys of up to `limit` cached orders whose full text (customer,
    /// service, warnings, carrier and customer fields, items, log lines)
    /// holds every word of `query` as a word prefix, case and accents
    /// ignored, in no particular order. The words are taken as text, never as
    /// query syntax; a query with no word matches nothing.
    async fn search_text(&self, query: &str, limit: usize) -> Result<Vec<OrderKey>, StoreError>;
    /// Deletes terminal orders last changed before `cutoff`; returns how many.
    async fn drop_terminal_older_than(&self, cutoff: DateTime<Utc>) -> Result<usize, StoreError>;
    /// Forgets a carrier's orders and sync state; returns how many orders.
    async fn remove_carrier(&self, name: &str) -> Result<usize, StoreError>;
    /// The carrier's raw body of a cached order, if one was saved.
    async fn order_raw(&self, key: &OrderKey) -> Result<Option<String>, StoreError>;
    /// How many orders are cached.
    async fn order_count(&self) -> Result<usize, StoreError>;
    /// The carrier's opaque sync cursor from its last successful poll.
    async fn cursor(&self, carrier: &str) -> Result<Option<String>, StoreError>;
    async fn set_cursor(&self, carrier: &str, cursor: &str) -> Result<(), StoreError>;
    /// When the carrier's last poll finished successfully.
    async fn last_sync(&self, carrier: &str) -> Result<Option<DateTime<Utc>>, StoreError>;
    async fn set_last_sync(&self, carrier: &str, at: DateTime<Utc>) -> Result<(), StoreError>;
    /// Orders new and done per hour over `hours` whole hours from `start`
    /// (the wallboard's trend; see [`HourlyTrend`] for what counts). The
    /// default reads every summary; an implementation may narrow the read.
    async fn hourly_trend(
        &self,
        start: DateTime<Utc>,
        hours: u32,
    ) -> Result<HourlyTrend, StoreError> {
        let summaries = self.load_order_summaries().await?;
        Ok(HourlyTrend::of(&summaries, start, hours))
    }
}

/// Local notes and follow-up flags (never sent to a carrier).
#[async_trait]
pub trait LocalStore: Send + Sync + std::fmt::Debug {
    /// Adds a note; the text (newlines kept) and the author are sanitized.
    async fn add_note(
        &self,
        key: &OrderKey,
        author: &str,
        text: &str,
        at: DateTime<Utc>,
    ) -> Result<Note, StoreError>;
    /// An order's notes, oldest first.
    async fn notes(&self, key: &OrderKey) -> Result<Vec<Note>, StoreError>;
    /// Every note, by order, each order's oldest first.
    async fn all_notes(&self) -> Result<HashMap<OrderKey, Vec<Note>>, StoreError>;
    /// Sets (`flagged`) or clears an order's flag; setting it again records
    /// the new author and time.
    async fn set_flag(
        &self,
        key: &OrderKey,
        flagged: bool,
        author: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Every flagged order.
    async fn flags(&self) -> Result<HashMap<OrderKey, Flag>, StoreError>;
}

/// The write journal. Every move is a compare-and-set: a move from a state
/// the entry is no longer in is [`StoreError::BadTransition`], so two
/// executors sharing a journal never both claim an entry.
#[async_trait]
pub trait Journal: Send + Sync + std::fmt::Debug {
    /// Whether what is recorded survives the process.
    fn is_persistent(&self) -> bool;
    /// Records a write before it is sent (state `recorded`). The team store
    /// returns an identical write still open on the order instead (same
    /// action and parameters, another agent's perhaps), so it is sent once.
    async fn journal_record(&self, new: NewJournalEntry<'_>) -> Result<JournalEntry, StoreError>;
    /// Claims an entry for sending (`sending`, one more send, `session` as
    /// owner) only if it is still exactly as `seen` (state, sends,
    /// updated_at). Allowed from `recorded`, `unknown` and `sending`.
    async fn journal_mark_sending(
        &self,
        seen: &JournalEntry,
        session: &str,
        at: DateTime<Utc>,
    ) -> Result<JournalEntry, StoreError>;
    /// Records where a write stands. From `recorded` only `Failed`; from
    /// `sending` and `unknown` anything; a final entry never changes.
    async fn journal_finish(
        &self,
        id: &str,
        outcome: Outcome,
        at: DateTime<Utc>,
    ) -> Result<JournalEntry, StoreError>;
    /// One entry by id.
    async fn journal_get(&self, id: &str) -> Result<Option<JournalEntry>, StoreError>;
    /// Entries not resolved yet (`recorded`, `sending`, `unknown`), oldest
    /// first.
    async fn journal_unresolved(&self) -> Result<Vec<JournalEntry>, StoreError>;
    /// Entries matching `filter`, newest first.
    async fn journal(&self, filter: &JournalFilter) -> Result<Vec<JournalEntry>, StoreError>;
}

/// The three stores the engine and the console use, usually one database.
#[derive(Debug, Clone)]
pub struct Stores {
    pub cache: Arc<dyn OrderCache>,
    pub local: Arc<dyn LocalStore>,
    pub journal: Arc<dyn Journal>,
}

impl Stores {
    /// All three from one implementation.
    pub fn from_one<S: OrderCache + LocalStore + Journal + 'static>(store: Arc<S>) -> Stores {
        Stores {
            cache: store.clone(),
            local: store.clone(),
            journal: store,
        }
    }

    /// Opens (creating as needed) the SQLite store in `dir`, off the async
    /// workers.
    pub async fn open_sqlite(dir: &Path) -> Result<Stores, StoreError> {
        let dir = dir.to_owned();
        let opened = tokio::task::spawn_blocking(move || SqliteStore::open(&dir)).await;
        match opened {
            Ok(store) => Ok(Stores::from_one(Arc::new(store?))),
            Err(e) => Err(StoreError::Sqlite {
                path: String::new(),
                doing: "opening the database",
                detail: format!("the store task failed: {e}"),
            }),
        }
    }

    /// Stores that live in memory for this run only (the cache off).
    pub fn in_memory() -> Result<Stores, StoreError> {
        Ok(Stores::from_one(Arc::new(SqliteStore::open_in_memory()?)))
    }
}
