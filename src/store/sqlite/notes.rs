//! Local notes and follow-up flags in the SQLite store. They are never
//! sent to a carrier. Must not: decide how the app filters or ranks flagged
//! orders (it gets them as data).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{SqliteStore, get_ts, ts};
use crate::domain::{Flag, Note, OrderKey, sanitize, sanitize_multiline};
use crate::store::StoreError;

fn note_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Note> {
    Ok(Note {
        id: row.get(0)?,
        key: OrderKey::new(row.get::<_, String>(1)?, row.get::<_, String>(2)?),
        author: row.get(3)?,
        at: get_ts(row, 4)?,
        text: row.get(5)?,
    })
}

impl SqliteStore {
    /// Adds a note. The text is sanitized (control characters and escape
    /// sequences removed, newlines kept); the author too.
    pub fn add_note(
        &self,
        key: &OrderKey,
        author: &str,
        text: &str,
        at: DateTime<Utc>,
    ) -> Result<Note, StoreError> {
        let author = sanitize(author);
        let text = sanitize_multiline(text);
        let id = self.write("adding a note", |tx| {
            tx.execute(
                "INSERT INTO notes (carrier, order_id, author, at, text) VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![&*key.carrier, key.id, author, ts(at), text],
            )?;
            Ok(tx.last_insert_rowid())
        })?;
        Ok(Note {
            id,
            key: key.clone(),
            author,
            at,
            text,
        })
    }

    /// An order's notes, oldest first.
    pub fn notes(&self, key: &OrderKey) -> Result<Vec<Note>, StoreError> {
        self.read("reading notes", |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, carrier, order_id, author, at, text FROM notes
                 WHERE carrier = ?1 AND order_id = ?2 ORDER BY at, id",
            )?;
            let rows = stmt.query_map([&*key.carrier, key.id.as_str()], note_from_row)?;
            rows.collect()
        })
    }

    /// Every note, by order, each order's oldest first.
    pub fn all_notes(&self) -> Result<HashMap<OrderKey, Vec<Note>>, StoreError> {
        let notes = self.read("reading notes", |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, carrier, order_id, author, at, text FROM notes ORDER BY at, id",
            )?;
            let rows = stmt.query_map([], note_from_row)?;
            rows.collect::<rusqlite::Result<Vec<Note>>>()
        })?;
        let mut out: HashMap<OrderKey, Vec<Note>> = HashMap::new();
        for note in notes {
            out.entry(note.key.clone()).or_default().push(note);
        }
        Ok(out)
    }

    /// Sets (`flagged`) or clears the follow-up flag of an order. Setting an
    /// already set flag records the new author and time.
    pub fn set_flag(
        &self,
        key: &OrderKey,
        flagged: bool,
        author: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let author = sanitize(author);
        self.write("saving a flag", |tx| {
            if flagged {
                tx.execute(
                    "INSERT INTO flags (carrier, order_id, author, at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (carrier, order_id) DO UPDATE SET
                        author = excluded.author, at = excluded.at",
                    rusqlite::params![&*key.carrier, key.id, author, ts(at)],
                )?;
            } else {
                tx.execute(
                    "DELETE FROM flags WHERE carrier = ?1 AND order_id = ?2",
                    [&*key.carrier, key.id.as_str()],
                )?;
            }
            Ok(())
        })
    }

    /// Every flagged order.
    pub fn flags(&self) -> Result<HashMap<OrderKey, Flag>, StoreError> {
        self.read("reading flags", |conn| {
            let mut stmt =
                conn.prepare_cached("SELECT carrier, order_id, author, at FROM flags")?;
            let rows = stmt.query_map([], |row| {
                Ok((
                    OrderKey::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?),
                    Flag {
                        author: row.get(2)?,
                        at: get_ts(row, 3)?,
                    },
                ))
            })?;
            rows.collect()
        })
    }
}
