//! The full-text index of the order cache (schema v4): one row per cached
//! order in the FTS5 table `order_text`, keyed by the order's `rowid` in
//! `orders`, over the text only the full order holds (customer and service,
//! warnings, carrier fields, customer fields, items, log lines). It lets a
//! text filter run in SQLite instead of over full orders held in memory.
//!
//! The table is contentless (`content=''`, the text is not stored twice)
//! with `contentless_delete=1`, so a row can be replaced and deleted by
//! rowid. `save_orders` replaces an order's row in its own transaction; a
//! trigger on `orders` deletes it whenever the order row goes (the startup
//! drop of old terminal orders, `remove_carrier`). Tokens are case- and
//! accent-folded (`unicode61 remove_diacritics 2`: "Skovde" finds "Skövde").
//!
//! The user's words never reach FTS5 as query syntax: each word is quoted
//! as a string and matched as a prefix, the words ANDed ([`fts_query`]).
//!
//! Must not: decide what a filter means in the console, or read the order
//! blobs other than to index them.

use super::SqliteStore;
use super::blob::OrderDto;
use crate::domain::{Order, OrderKey};
use crate::store::StoreError;

/// Everything of `order` a text search looks at, one piece per line.
pub(crate) fn order_text(order: &Order) -> String {
    let mut text = String::new();
    let mut push = |piece: &str| {
        if !piece.is_empty() {
            text.push_str(piece);
            text.push('\n');
        }
    };
    push(&order.customer);
    push(&order.service);
    for warning in &order.warnings {
        push(warning);
    }
    for (_, value) in order
        .fields
        .iter()
        .chain(&order.customer_fields)
        .chain(order.items.iter().flatten())
    {
        push(value);
    }
    for entry in &order.log {
        push(&entry.source);
        push(&entry.text);
    }
    text
}

/// Replaces the index row of the order stored at `rowid`.
pub(super) fn put(
    tx: &rusqlite::Transaction<'_>,
    rowid: i64,
    order: &Order,
) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM order_text WHERE rowid = ?1")?
        .execute([rowid])?;
    tx.prepare_cached("INSERT INTO order_text (rowid, text) VALUES (?1, ?2)")?
        .execute(rusqlite::params![rowid, order_text(order)])?;
    Ok(())
}

/// Schema v4's backfill: an index row for every decodable cached order
/// (an undecodable one is skipped with a warning, as on load).
pub(super) fn backfill(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let mut read = tx.prepare("SELECT rowid, carrier, id, body FROM orders")?;
    let mut rows = read.query([])?;
    let mut insert = tx.prepare("INSERT INTO order_text (rowid, text) VALUES (?1, ?2)")?;
    while let Some(row) = rows.next()? {
        let rowid: i64 = row.get(0)?;
        let key = OrderKey::new(row.get_ref(1)?.as_str()?, row.get_ref(2)?.as_str()?);
        let body = row.get_ref(3)?.as_bytes()?;
        match serde_json::from_slice::<OrderDto>(body) {
            // The kind does not matter to the text.
            Ok(dto) => {
                let order = dto.into_order(key, "");
                insert.execute(rusqlite::params![rowid, order_text(&order)])?;
            }
            Err(e) => {
                tracing::warn!(%key, error = %e, "cached order could not be decoded, not indexed");
            }
        }
    }
    Ok(())
}

/// The FTS5 query for the user's `words`: each whitespace-separated word
/// as a quoted string (inner `"` doubled) matched as a prefix, all of them
/// required. Words without a letter or digit are left out (they hold no
/// token); `None` when nothing is left to look for.
pub(super) fn fts_query(words: &str) -> Option<String> {
    let terms: Vec<String> = words
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

impl SqliteStore {
    /// The keys of up to `limit` cached orders whose text (see the module
    /// docs) holds every word of `query` (as a word prefix, case and accents
    /// ignored), in storage order (no ranking, so the search stops at
    /// `limit`). A query with no word is no match.
    pub fn search_text(&self, query: &str, limit: usize) -> Result<Vec<OrderKey>, StoreError> {
        let Some(fts) = fts_query(query) else {
            return Ok(Vec::new());
        };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read("searching the orders' text", |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT o.carrier, o.id FROM order_text AS t JOIN orders AS o ON o.rowid = t.rowid
                 WHERE order_text MATCH ?1 LIMIT ?2",
            )?;
            let mut rows = stmt.query(rusqlite::params![fts, limit])?;
            let mut keys = Vec::new();
            while let Some(row) = rows.next()? {
                let carrier = row.get_ref(0)?.as_str()?;
                keys.push(OrderKey::new(carrier, row.get_ref(1)?.as_str()?));
            }
            Ok(keys)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_words_are_quoted_never_syntax() {
        assert_eq!(fts_query("  "), None);
        assert_eq!(fts_query("- * ( ) \""), None);
        assert_eq!(
            fts_query("Mats NEAR(x) \"a -b*"),
            Some(r#""Mats"* "NEAR(x)"* """a"* "-b*"*"#.to_owned())
        );
    }
}
