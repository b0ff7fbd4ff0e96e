//! The store's schema and its ordered migrations, versioned with
//! `PRAGMA user_version`. Owns the SQL that creates and changes tables; it
//! must not read or write rows other than to migrate them.
//!
//! Rules:
//! - Migration N (1-based) takes a database at version N-1 to version N. It
//!   runs in one `BEGIN IMMEDIATE` transaction that also sets `user_version`,
//!   so a crash in the middle leaves the previous version intact.
//! - A released migration is never edited; a change is a new migration.
//! - A database at a version newer than [`SCHEMA_VERSION`] is refused
//!   ([`StoreError::TooNew`]) and left untouched.
//! - A database at version 0 that already has tables is not ours: refused as
//!   [`StoreError::Corrupt`] and left untouched.
//!
//! Times are stored as RFC 3339 text in UTC with nanoseconds
//! (`2026-01-02T03:04:05.000000000Z`), which sorts as text in time order.

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::place::Place;
use crate::store::StoreError;

/// v1: the tables of issue 4 (orders cache, sync state, notes, flags,
/// journal), nothing more.
const V1: &str = "
CREATE TABLE orders (
    carrier    TEXT NOT NULL,
    id         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    terminal   INTEGER NOT NULL,
    changed_at TEXT,
    saved_at   TEXT NOT NULL,
    body       BLOB NOT NULL,
    PRIMARY KEY (carrier, id)
);
CREATE TABLE order_raw (
    carrier TEXT NOT NULL,
    id      TEXT NOT NULL,
    raw     TEXT NOT NULL,
    PRIMARY KEY (carrier, id),
    FOREIGN KEY (carrier, id) REFERENCES orders (carrier, id) ON DELETE CASCADE
);
CREATE TABLE sync_state (
    carrier   TEXT PRIMARY KEY,
    cursor    TEXT,
    last_sync TEXT
);
CREATE TABLE notes (
    id       INTEGER PRIMARY KEY,
    carrier  TEXT NOT NULL,
    order_id TEXT NOT NULL,
    author   TEXT NOT NULL,
    at       TEXT NOT NULL,
    text     TEXT NOT NULL
);
CREATE TABLE flags (
    carrier  TEXT NOT NULL,
    order_id TEXT NOT NULL,
    author   TEXT NOT NULL,
    at       TEXT NOT NULL,
    PRIMARY KEY (carrier, order_id)
);
CREATE TABLE journal (
    id         TEXT PRIMARY KEY,
    session    TEXT NOT NULL,
    author     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    carrier    TEXT NOT NULL,
    order_id   TEXT NOT NULL,
    kind       TEXT NOT NULL,
    action     TEXT NOT NULL,
    request    TEXT NOT NULL,
    state      TEXT NOT NULL
        CHECK (state IN ('recorded', 'sending', 'confirmed', 'refused', 'failed', 'unknown')),
    sends      INTEGER NOT NULL DEFAULT 0,
    code       TEXT,
    outcome    TEXT,
    receipt    TEXT,
    updated_at TEXT NOT NULL
);
";

/// v2: when an entry was resolved (backfilled from `updated_at` for entries
/// already final), and the indexes the journal view, the startup resolver and
/// the timeline need.
const V2: &str = "
ALTER TABLE journal ADD COLUMN resolved_at TEXT;
UPDATE journal SET resolved_at = updated_at
    WHERE state IN ('confirmed', 'refused', 'failed');
CREATE INDEX journal_created ON journal (created_at);
CREATE INDEX journal_order ON journal (carrier, order_id);
CREATE INDEX journal_unresolved ON journal (state)
    WHERE state IN ('recorded', 'sending', 'unknown');
CREATE INDEX notes_order ON notes (carrier, order_id);
";

/// v3: a summary of every cached order, read for the first frame (see
/// `orders.rs`), backfilled from the cached orders; and an index that lets
/// the startup's drop of old terminal orders skip the open ones instead of
/// scanning every row.
const V3: &str = "
CREATE INDEX orders_terminal_age ON orders (coalesce(changed_at, saved_at))
    WHERE terminal = 1;
CREATE TABLE order_summary (
    carrier TEXT NOT NULL,
    id      TEXT NOT NULL,
    kind    TEXT NOT NULL,
    summary BLOB NOT NULL,
    PRIMARY KEY (carrier, id),
    FOREIGN KEY (carrier, id) REFERENCES orders (carrier, id) ON DELETE CASCADE
);
";

/// v4: a full-text index of what only the full order holds (see
/// `search.rs`), one row per cached order keyed by its `rowid` in `orders`,
/// backfilled from the cached orders. Contentless (the text is not stored
/// twice); the trigger drops an order's row whenever the order goes (the
/// startup drop of old terminal orders, `remove_carrier`), in the same
/// transaction.
const V4: &str = "
CREATE VIRTUAL TABLE order_text USING fts5 (
    text,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER orders_text_delete AFTER DELETE ON orders BEGIN
    DELETE FROM order_text WHERE rowid = old.rowid;
END;
";

/// v5: summaries keep the order's source system; no table changes, the
/// summaries of orders that have one are derived again.
const V5: &str = "";

/// One migration: its SQL, then optionally rows rewritten in Rust (in the
/// same transaction).
struct Migration {
    sql: &'static str,
    backfill: Option<fn(&Transaction<'_>) -> rusqlite::Result<()>>,
}

/// Migrations in order; index + 1 is the version each one produces.
const MIGRATIONS: &[Migration] = &[
    Migration {
        sql: V1,
        backfill: None,
    },
    Migration {
        sql: V2,
        backfill: None,
    },
    Migration {
        sql: V3,
        backfill: Some(super::orders::backfill_summaries),
    },
    Migration {
        sql: V4,
        backfill: Some(super::search::backfill),
    },
    Migration {
        sql: V5,
        backfill: Some(super::orders::backfill_summary_sources),
    },
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Reads the version and refuses what is not ours, without writing
/// anything (call it before any pragma that could rewrite the header).
/// Returns the version found.
pub(crate) fn check(conn: &Connection, place: &Place) -> Result<u32, StoreError> {
    let found = user_version(conn, place)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: place.path.clone(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    if found == 0 {
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| place.sql("reading the schema", e))?;
        if tables > 0 {
            return Err(StoreError::Corrupt {
                path: place.path.clone(),
                detail: format!("it has {tables} table(s) but no orderdesk schema version"),
            });
        }
    }
    Ok(found)
}

/// Applies the migrations missing after version `found` (from [`check`]).
pub(crate) fn migrate(conn: &mut Connection, place: &Place, found: u32) -> Result<(), StoreError> {
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let version = index as u32 + 1;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| place.sql("migrating the schema", e))?;
        // Another process may have migrated while we waited for the lock.
        let now: u32 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| place.sql("migrating the schema", e))?;
        if now >= version {
            continue;
        }
        tx.execute_batch(migration.sql)
            .and_then(|()| migration.backfill.map_or(Ok(()), |backfill| backfill(&tx)))
            .and_then(|()| tx.execute_batch(&format!("PRAGMA user_version = {version}")))
            .and_then(|()| tx.commit())
            .map_err(|e| place.sql("migrating the schema", e))?;
        tracing::info!(path = %place.path, version, "store schema migrated");
    }
    Ok(())
}

pub(crate) fn user_version(conn: &Connection, place: &Place) -> Result<u32, StoreError> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| place.sql("reading the schema version", e))
}
