//! [`SqliteStore`] behind the store traits: each call runs the blocking
//! inherent method of the same name on tokio's blocking pool (a clone of the
//! store shares its connection), so no async worker waits for SQLite. Owns
//! nothing else: the SQL is in `orders`, `notes` and `journal`.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::SqliteStore;
use crate::domain::board::HourlyTrend;
use crate::domain::{
    Flag, JournalEntry, JournalFilter, NewJournalEntry, Note, Order, OrderKey, OrderSummary,
    Outcome,
};
use crate::store::{Journal, LocalStore, OrderCache, StoreError};

impl SqliteStore {
    /// Runs `f` on a clone of the store on the blocking pool.
    async fn blocking<T, F>(&self, doing: &'static str, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&SqliteStore) -> Result<T, StoreError> + Send + 'static,
    {
        let store = self.clone();
        match tokio::task::spawn_blocking(move || f(&store)).await {
            Ok(result) => result,
            Err(e) => Err(StoreError::Sqlite {
                path: self.place.path.clone(),
                doing,
                detail: format!("the store task failed: {e}"),
            }),
        }
    }
}

#[async_trait]
impl OrderCache for SqliteStore {
    async fn save_orders(&self, orders: Vec<Order>) -> Result<(), StoreError> {
        self.blocking("saving orders", move |s| s.save_orders(&orders))
            .await
    }

    async fn load_order_summaries(&self) -> Result<Vec<OrderSummary>, StoreError> {
        self.blocking("loading order summaries", |s| s.load_order_summaries())
            .await
    }

    async fn load_orders_page(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<(Vec<Order>, Option<i64>), StoreError> {
        self.blocking("loading orders", move |s| s.load_orders_page(after, limit))
            .await
    }

    async fn order(&self, key: &OrderKey) -> Result<Option<Order>, StoreError> {
        let key = key.clone();
        self.blocking("reading an order", move |s| s.order(&key))
            .await
    }

    async fn orders(&self, keys: &[OrderKey]) -> Result<Vec<Order>, StoreError> {
        let keys = keys.to_vec();
        self.blocking("reading orders", move |s| s.orders(&keys))
            .await
    }

    async fn search_text(&self, query: &str, limit: usize) -> Result<Vec<OrderKey>, StoreError> {
        let query = query.to_owned();
        self.blocking("searching the orders' text", move |s| {
            s.search_text(&query, limit)
        })
        .await
    }

    async fn drop_terminal_older_than(&self, cutoff: DateTime<Utc>) -> Result<usize, StoreError> {
        self.blocking("dropping old terminal orders", move |s| {
            s.drop_terminal_older_than(cutoff)
        })
        .await
    }

    async fn remove_carrier(&self, name: &str) -> Result<usize, StoreError> {
        let name = name.to_owned();
        self.blocking("removing a carrier", move |s| s.remove_carrier(&name))
            .await
    }

    async fn order_raw(&self, key: &OrderKey) -> Result<Option<String>, StoreError> {
        let key = key.clone();
        self.blocking("reading an order's raw body", move |s| s.order_raw(&key))
            .await
    }

    async fn order_count(&self) -> Result<usize, StoreError> {
        self.blocking("counting orders", |s| s.order_count()).await
    }

    async fn cursor(&self, carrier: &str) -> Result<Option<String>, StoreError> {
        let carrier = carrier.to_owned();
        self.blocking("reading a sync cursor", move |s| s.cursor(&carrier))
            .await
    }

    async fn set_cursor(&self, carrier: &str, cursor: &str) -> Result<(), StoreError> {
        let (carrier, cursor) = (carrier.to_owned(), cursor.to_owned());
        self.blocking("saving a sync cursor", move |s| {
            s.set_cursor(&carrier, &cursor)
        })
        .await
    }

    async fn last_sync(&self, carrier: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let carrier = carrier.to_owned();
        self.blocking("reading the last sync time", move |s| s.last_sync(&carrier))
            .await
    }

    async fn hourly_trend(
        &self,
        start: DateTime<Utc>,
        hours: u32,
    ) -> Result<HourlyTrend, StoreError> {
        self.blocking("reading the hourly trend", move |s| {
            s.hourly_trend(start, hours)
        })
        .await
    }

    async fn set_last_sync(&self, carrier: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        let carrier = carrier.to_owned();
        self.blocking("saving the last sync time", move |s| {
            s.set_last_sync(&carrier, at)
        })
        .await
    }
}

#[async_trait]
impl LocalStore for SqliteStore {
    async fn add_note(
        &self,
        key: &OrderKey,
        author: &str,
        text: &str,
        at: DateTime<Utc>,
    ) -> Result<Note, StoreError> {
        let (key, author, text) = (key.clone(), author.to_owned(), text.to_owned());
        self.blocking("adding a note", move |s| {
            s.add_note(&key, &author, &text, at)
        })
        .await
    }

    async fn notes(&self, key: &OrderKey) -> Result<Vec<Note>, StoreError> {
        let key = key.clone();
        self.blocking("reading notes", move |s| s.notes(&key)).await
    }

    async fn all_notes(&self) -> Result<HashMap<OrderKey, Vec<Note>>, StoreError> {
        self.blocking("reading notes", |s| s.all_notes()).await
    }

    async fn set_flag(
        &self,
        key: &OrderKey,
        flagged: bool,
        author: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (key, author) = (key.clone(), author.to_owned());
        self.blocking("saving a flag", move |s| {
            s.set_flag(&key, flagged, &author, at)
        })
        .await
    }

    async fn flags(&self) -> Result<HashMap<OrderKey, Flag>, StoreError> {
        self.blocking("reading flags", |s| s.flags()).await
    }
}

#[async_trait]
impl Journal for SqliteStore {
    fn is_persistent(&self) -> bool {
        SqliteStore::is_persistent(self)
    }

    async fn journal_record(&self, new: NewJournalEntry<'_>) -> Result<JournalEntry, StoreError> {
        let session = new.session.to_owned();
        let author = new.author.to_owned();
        let key = new.key.clone();
        let kind = new.kind.to_owned();
        let request = new.request.clone();
        let at = new.at;
        self.blocking("recording a write in the journal", move |s| {
            s.journal_record(NewJournalEntry {
                session: &session,
                author: &author,
                key: &key,
                kind: &kind,
                request: &request,
                at,
            })
        })
        .await
    }

    async fn journal_mark_sending(
        &self,
        seen: &JournalEntry,
        session: &str,
        at: DateTime<Utc>,
    ) -> Result<JournalEntry, StoreError> {
        let (seen, session) = (seen.clone(), session.to_owned());
        self.blocking("marking a write as sending", move |s| {
            s.journal_mark_sending(&seen, &session, at)
        })
        .await
    }

    async fn journal_finish(
        &self,
        id: &str,
        outcome: Outcome,
        at: DateTime<Utc>,
    ) -> Result<JournalEntry, StoreError> {
        let id = id.to_owned();
        self.blocking("recording the outcome of a write", move |s| {
            s.journal_finish(&id, outcome, at)
        })
        .await
    }

    async fn journal_get(&self, id: &str) -> Result<Option<JournalEntry>, StoreError> {
        let id = id.to_owned();
        self.blocking("reading the journal", move |s| s.journal_get(&id))
            .await
    }

    async fn journal_unresolved(&self) -> Result<Vec<JournalEntry>, StoreError> {
        self.blocking("reading the journal", |s| s.journal_unresolved())
            .await
    }

    async fn journal(&self, filter: &JournalFilter) -> Result<Vec<JournalEntry>, StoreError> {
        let filter = filter.clone();
        self.blocking("reading the journal", move |s| s.journal(&filter))
            .await
    }
}
