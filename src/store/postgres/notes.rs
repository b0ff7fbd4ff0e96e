//! Notes and follow-up flags in the team store ([`LocalStore`] for
//! [`PgStore`]), shared by the team: the same sanitizing and order as the
//! SQLite store. Must not: decide how the app filters or ranks flagged
//! orders.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio_postgres::Row;

use super::PgStore;
use crate::domain::{Flag, Note, OrderKey, sanitize, sanitize_multiline};
use crate::store::sqlite::{parse_ts, ts};
use crate::store::{LocalStore, StoreError};

impl PgStore {
    /// A stored time, or an error naming the bad value.
    pub(crate) fn time(
        &self,
        doing: &'static str,
        text: &str,
    ) -> Result<DateTime<Utc>, StoreError> {
        parse_ts(text).ok_or_else(|| StoreError::Database {
            target: self.target().to_owned(),
            doing,
            detail: format!("bad time {text:?} in the database"),
        })
    }

    fn note(&self, doing: &'static str, row: &Row) -> Result<Note, StoreError> {
        Ok(Note {
            id: row.get(0),
            key: OrderKey::new(row.get::<_, &str>(1), row.get::<_, &str>(2)),
            author: row.get(3),
            at: self.time(doing, row.get(4))?,
            text: row.get(5),
        })
    }
}

#[async_trait]
impl LocalStore for PgStore {
    async fn add_note(
        &self,
        key: &OrderKey,
        author: &str,
        text: &str,
        at: DateTime<Utc>,
    ) -> Result<Note, StoreError> {
        let doing = "adding a note";
        let author = sanitize(author);
        let text = sanitize_multiline(text);
        let client = self.client(doing).await?;
        let row = client
            .query_one(
                "INSERT INTO notes (carrier, order_id, author, at, text)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &[&&*key.carrier, &key.id, &author, &ts(at), &text],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        Ok(Note {
            id: row.get(0),
            key: key.clone(),
            author,
            at,
            text,
        })
    }

    async fn notes(&self, key: &OrderKey) -> Result<Vec<Note>, StoreError> {
        let doing = "reading notes";
        let client = self.client(doing).await?;
        let rows = client
            .query(
                "SELECT id, carrier, order_id, author, at, text FROM notes
                 WHERE carrier = $1 AND order_id = $2 ORDER BY at, id",
                &[&&*key.carrier, &key.id],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        rows.iter().map(|r| self.note(doing, r)).collect()
    }

    async fn all_notes(&self) -> Result<HashMap<OrderKey, Vec<Note>>, StoreError> {
        let doing = "reading notes";
        let client = self.client(doing).await?;
        let rows = client
            .query(
                "SELECT id, carrier, order_id, author, at, text FROM notes ORDER BY at, id",
                &[],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        let mut out: HashMap<OrderKey, Vec<Note>> = HashMap::new();
        for row in &rows {
            let note = self.note(doing, row)?;
            out.entry(note.key.clone()).or_default().push(note);
        }
        Ok(out)
    }

    async fn set_flag(
        &self,
        key: &OrderKey,
        flagged: bool,
        author: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let doing = "saving a flag";
        let author = sanitize(author);
        let client = self.client(doing).await?;
        let done = if flagged {
            client
                .execute(
                    "INSERT INTO flags (carrier, order_id, author, at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (carrier, order_id) DO UPDATE SET
                        author = excluded.author, at = excluded.at",
                    &[&&*key.carrier, &key.id, &author, &ts(at)],
                )
                .await
        } else {
            client
                .execute(
                    "DELETE FROM flags WHERE carrier = $1 AND order_id = $2",
                    &[&&*key.carrier, &key.id],
                )
                .await
        };
        done.map_err(|e| self.err(doing, &e))?;
        Ok(())
    }

    async fn flags(&self) -> Result<HashMap<OrderKey, Flag>, StoreError> {
        let doing = "reading flags";
        let client = self.client(doing).await?;
        let rows = client
            .query("SELECT carrier, order_id, author, at FROM flags", &[])
            .await
            .map_err(|e| self.err(doing, &e))?;
        rows.iter()
            .map(|row| {
                Ok((
                    OrderKey::new(row.get::<_, &str>(0), row.get::<_, &str>(1)),
                    Flag {
                        author: row.get(2),
                        at: self.time(doing, row.get(3))?,
                    },
                ))
            })
            .collect()
    }
}
