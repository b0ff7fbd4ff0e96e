//! The order cache and the per-carrier sync state (cursor, last sync).
//!
//! Each order is one row: its key, kind, whether it is terminal, the time of
//! its newest known change, and the order itself as a compact JSON blob
//! (see `blob`).
//!
//! The carrier's raw body (`Order::raw`, for the Raw tab) lives in its own
//! table and is **not** loaded with the orders (they come back
//! with `raw: None`); [`SqliteStore::order_raw`] reads it on demand. Raw bodies are
//! most of the bytes (kilobytes of XML per order): keeping them out of the
//! startup read keeps 100k orders well under a second.
//!
//! Each order also has a **summary** row (`order_summary`, schema v3): the
//! same blob format holding only what the table, the filter and the
//! attention view need (status, dates, customer, service, schedule,
//! warnings, attention reasons, the first error and alert lines of the log).
//! A summary is a tenth of the order's size, and also keeps the order's
//! source system (`SOURCE_FIELD`, schema v5). The console paints its first
//! frame from [`SqliteStore::load_order_summaries`] (read on this thread
//! while other threads decode, see `pipelined`; a summary is decoded
//! straight into `OrderSummary`) and holds only summaries after it. For
//! every order the stored summary equals `OrderSummary::of` the full order
//! (tested).
//!
//! [`SqliteStore::order`] and [`SqliteStore::orders`] read full orders by
//! key (an indexed lookup each), for a console that holds only summaries.
//! `save_orders` also keeps the full-text index (`search`, schema v4) in
//! step, in the same transaction.
//!
//! `Order::kind` is `&'static str`: it is restored by matching the stored
//! text against [`crate::registry::NAMES`]; a row of a kind this build does
//! not know is skipped with a warning (and left in the file).
//!
//! Must not: decide which orders are open or stale, or talk to carriers.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::blob::{OrderDto, SummaryDto, encode};
use super::{SqliteStore, get_opt_ts, search, ts};
use crate::domain::board::HourlyTrend;
use crate::domain::{Order, OrderKey, OrderSummary};
use crate::store::StoreError;

/// One cached row, read but not decoded yet.
struct CachedRow {
    key: OrderKey,
    kind: &'static str,
    body: Vec<u8>,
}

fn decode(row: CachedRow) -> Option<Order> {
    match serde_json::from_slice::<OrderDto>(&row.body) {
        Ok(dto) => Some(dto.into_order(row.key, row.kind)),
        Err(e) => skipped(&row.key, &e),
    }
}

/// A summary row read straight into the summary (see `SummaryDto`).
fn decode_summary(row: CachedRow) -> Option<OrderSummary> {
    match serde_json::from_slice::<SummaryDto<'_>>(&row.body) {
        Ok(dto) => Some(dto.into_summary(row.key, row.kind)),
        Err(e) => skipped(&row.key, &e),
    }
}

fn skipped<T>(key: &OrderKey, e: &serde_json::Error) -> Option<T> {
    tracing::warn!(%key, error = %e, "cached order could not be decoded, skipped");
    None
}

/// Fewer rows than this per thread are decoded on one thread.
const PER_THREAD_MIN: usize = 4096;

/// How many threads decode a big read (up to 8).
fn decode_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8)
}

/// Decodes rows on up to 8 threads when there are many (startup with a big
/// cache is CPU-bound JSON decoding).
fn decode_all(rows: Vec<CachedRow>) -> Vec<Order> {
    decode_all_with(rows, decode)
}

/// [`decode_all`] with another decoder.
fn decode_all_with<T: Send>(rows: Vec<CachedRow>, decode: fn(CachedRow) -> Option<T>) -> Vec<T> {
    let threads = decode_threads().min(rows.len() / PER_THREAD_MIN).max(1);
    if threads == 1 {
        return rows.into_iter().filter_map(decode).collect();
    }
    let total = rows.len();
    let chunk = total.div_ceil(threads);
    let mut chunks: Vec<Vec<CachedRow>> = Vec::with_capacity(threads);
    let mut rows = rows.into_iter();
    loop {
        let part: Vec<CachedRow> = rows.by_ref().take(chunk).collect();
        if part.is_empty() {
            break;
        }
        chunks.push(part);
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|part| {
                scope.spawn(move || {
                    let mut out = Vec::with_capacity(part.len());
                    out.extend(part.into_iter().filter_map(decode));
                    out
                })
            })
            .collect();
        let mut out = Vec::with_capacity(total);
        for handle in handles {
            match handle.join() {
                Ok(part) => out.extend(part),
                // A panic in serde would be a bug; do not take startup down.
                Err(_) => tracing::error!("decoding cached orders panicked; some were skipped"),
            }
        }
        out
    })
}

/// Rows per page of the summary read: small enough that decoding starts
/// at once and a page's blobs are never many in memory, large enough that
/// the page queries cost nothing.
const SUMMARY_PAGE: i64 = 2048;

/// Reads pages with `read` on this thread (it hands each page to the
/// closure it gets, which says whether to go on) while up to 8 threads
/// decode the pages already read: reading and decoding overlap, and the
/// blobs in memory are a few pages' worth. The result keeps the pages'
/// order.
fn pipelined<T: Send>(
    capacity: usize,
    decode: fn(CachedRow) -> Option<T>,
    read: impl FnOnce(&mut dyn FnMut(Vec<CachedRow>) -> bool) -> rusqlite::Result<()>,
) -> rusqlite::Result<Vec<T>> {
    let workers = decode_threads();
    let (pages, inbox) = std::sync::mpsc::sync_channel::<(usize, Vec<CachedRow>)>(workers * 2);
    let inbox = std::sync::Mutex::new(inbox);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        // The lock is held only while waiting for the next page.
                        let next = match inbox.lock() {
                            Ok(inbox) => inbox.recv().ok(),
                            Err(_) => None,
                        };
                        let Some((seq, rows)) = next else { break };
                        done.push((seq, rows.into_iter().filter_map(decode).collect::<Vec<T>>()));
                    }
                    done
                })
            })
            .collect();
        let mut seq = 0;
        let read = read(&mut |rows| {
            seq += 1;
            pages.send((seq, rows)).is_ok()
        });
        drop(pages);
        let mut pieces = Vec::new();
        for handle in handles {
            match handle.join() {
                Ok(done) => pieces.extend(done),
                // A panic in serde would be a bug; do not take startup down.
                Err(_) => tracing::error!("decoding cached orders panicked; some were skipped"),
            }
        }
        pieces.sort_unstable_by_key(|(seq, _)| *seq);
        let mut out = Vec::with_capacity(capacity);
        for (_, piece) in pieces {
            out.extend(piece);
        }
        read.map(|()| out)
    })
}

/// Reads `(carrier, id, kind, blob)` rows, skipping kinds this build does
/// not know (with one warning per kind).
fn read_rows<P: rusqlite::Params>(
    conn: &rusqlite::Connection,
    sql: &str,
    params: P,
) -> rusqlite::Result<Vec<CachedRow>> {
    let mut out: Vec<CachedRow> = Vec::new();
    let mut carriers: HashMap<String, Arc<str>> = HashMap::new();
    let mut unknown_kinds: HashMap<String, usize> = HashMap::new();
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    while let Some(row) = rows.next()? {
        let carrier = row.get_ref(0)?.as_str()?;
        let id: String = row.get(1)?;
        let kind_text = row.get_ref(2)?.as_str()?;
        let Some(kind) = known_kind(kind_text) else {
            *unknown_kinds.entry(kind_text.to_owned()).or_default() += 1;
            continue;
        };
        let carrier = match carriers.get(carrier) {
            Some(arc) => arc.clone(),
            None => {
                let arc: Arc<str> = Arc::from(carrier);
                carriers.insert(carrier.to_owned(), arc.clone());
                arc
            }
        };
        let body = row.get_ref(3)?.as_bytes()?.to_vec();
        out.push(CachedRow {
            key: OrderKey { carrier, id },
            kind,
            body,
        });
    }
    for (kind, count) in unknown_kinds {
        tracing::warn!(
            kind,
            count,
            "cached orders of a carrier kind this build does not know were skipped"
        );
    }
    Ok(out)
}

/// Schema v3's backfill: a summary row for every decodable cached order.
pub(super) fn backfill_summaries(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let rows = read_rows(tx, "SELECT carrier, id, kind, body FROM orders", [])?;
    let mut put = tx.prepare_cached(
        "INSERT OR REPLACE INTO order_summary (carrier, id, kind, summary) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for order in decode_all(rows) {
        let summary = encode(&OrderDto::summary_of(&order))?;
        put.execute(rusqlite::params![
            &*order.key.carrier,
            order.key.id,
            order.kind,
            summary
        ])?;
    }
    Ok(())
}

/// Schema v5's backfill: summaries now keep the order's source system
/// (`SOURCE_FIELD`, the table's `source:` filter), so the summaries of the
/// orders that have one are derived again from their full orders.
pub(super) fn backfill_summary_sources(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let rows = read_rows(
        tx,
        "SELECT carrier, id, kind, body FROM orders WHERE instr(body, ?1) > 0",
        [format!("\"{}\"", crate::domain::SOURCE_FIELD)],
    )?;
    let mut put =
        tx.prepare_cached("UPDATE order_summary SET summary = ?3 WHERE carrier = ?1 AND id = ?2")?;
    for order in decode_all(rows) {
        let summary = encode(&OrderDto::summary_of(&order))?;
        put.execute(rusqlite::params![
            &*order.key.carrier,
            order.key.id,
            summary
        ])?;
    }
    Ok(())
}

/// The `&'static str` of a known carrier kind.
pub(crate) fn known_kind(text: &str) -> Option<&'static str> {
    crate::registry::NAMES.iter().copied().find(|k| *k == text)
}

impl SqliteStore {
    /// Inserts or replaces `orders` (by key) in one transaction.
    pub fn save_orders(&self, orders: &[Order]) -> Result<(), StoreError> {
        let saved_at = ts(Utc::now());
        self.write("saving orders", |tx| {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO orders (carrier, id, kind, terminal, changed_at, saved_at, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (carrier, id) DO UPDATE SET
                    kind = excluded.kind, terminal = excluded.terminal,
                    changed_at = excluded.changed_at, saved_at = excluded.saved_at,
                    body = excluded.body
                 RETURNING rowid",
            )?;
            let mut put_raw = tx.prepare_cached(
                "INSERT INTO order_raw (carrier, id, raw) VALUES (?1, ?2, ?3)
                 ON CONFLICT (carrier, id) DO UPDATE SET raw = excluded.raw",
            )?;
            let mut del_raw =
                tx.prepare_cached("DELETE FROM order_raw WHERE carrier = ?1 AND id = ?2")?;
            let mut put_summary = tx.prepare_cached(
                "INSERT INTO order_summary (carrier, id, kind, summary) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (carrier, id) DO UPDATE SET
                    kind = excluded.kind, summary = excluded.summary",
            )?;
            for order in orders {
                let body = encode(&OrderDto::from(order))?;
                let summary = encode(&OrderDto::summary_of(order))?;
                let rowid: i64 = stmt.query_row(
                    rusqlite::params![
                        &*order.key.carrier,
                        order.key.id,
                        order.kind,
                        order.status.terminal,
                        order.updated_at().map(ts),
                        saved_at,
                        body,
                    ],
                    |r| r.get(0),
                )?;
                search::put(tx, rowid, order)?;
                put_summary.execute(rusqlite::params![
                    &*order.key.carrier,
                    order.key.id,
                    order.kind,
                    summary,
                ])?;
                match &order.raw {
                    Some(raw) => put_raw.execute(rusqlite::params![
                        &*order.key.carrier,
                        order.key.id,
                        raw
                    ])?,
                    None => {
                        del_raw.execute(rusqlite::params![&*order.key.carrier, order.key.id])?
                    }
                };
            }
            Ok(())
        })
    }

    /// Every cached order's summary (see the module docs): what the first
    /// frame needs, a tenth of the bytes of the full orders, in the order
    /// they were first stored. Rows that cannot be decoded (unknown kind,
    /// damaged blob) are skipped with a warning and left in the file, here
    /// and in [`SqliteStore::load_orders_page`].
    pub fn load_order_summaries(&self) -> Result<Vec<OrderSummary>, StoreError> {
        self.read("loading order summaries", |conn| {
            let count: i64 =
                conn.query_row("SELECT count(*) FROM order_summary", [], |r| r.get(0))?;
            let capacity = usize::try_from(count).unwrap_or(0);
            pipelined(capacity, decode_summary, |page| {
                let mut after = 0_i64;
                loop {
                    let last: Option<i64> = conn.query_row(
                        "SELECT max(rowid) FROM
                            (SELECT rowid FROM order_summary WHERE rowid > ?1 ORDER BY rowid LIMIT ?2)",
                        [after, SUMMARY_PAGE],
                        |r| r.get(0),
                    )?;
                    let Some(last) = last else { return Ok(()) };
                    let rows = read_rows(
                        conn,
                        "SELECT carrier, id, kind, summary FROM order_summary
                            WHERE rowid > ?1 AND rowid <= ?2",
                        [after, last],
                    )?;
                    if !page(rows) {
                        return Ok(());
                    }
                    after = last;
                }
            })
        })
    }

    /// Orders new and done per hour over `hours` hours from `start`: only
    /// the summaries of orders changed since `start` are read and decoded
    /// (an order created in the window changed in it too).
    pub fn hourly_trend(
        &self,
        start: DateTime<Utc>,
        hours: u32,
    ) -> Result<HourlyTrend, StoreError> {
        self.read("reading the hourly trend", |conn| {
            let rows = read_rows(
                conn,
                "SELECT s.carrier, s.id, s.kind, s.summary
                    FROM order_summary s JOIN orders o ON o.carrier = s.carrier AND o.id = s.id
                    WHERE o.changed_at IS NULL OR o.changed_at >= ?1",
                [ts(start)],
            )?;
            let summaries = decode_all_with(rows, decode_summary);
            Ok(HourlyTrend::of(&summaries, start, hours))
        })
    }

    /// Up to `limit` full orders stored after position `after` (0 to
    /// start), with `raw: None` (see [`SqliteStore::order_raw`]), and the
    /// position to ask for next (`None` when done). Pages
    /// keep each read short so that writers are not held up while the
    /// console reads the full orders behind its first frame.
    pub fn load_orders_page(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<(Vec<Order>, Option<i64>), StoreError> {
        let limit = i64::try_from(limit.max(1)).unwrap_or(i64::MAX);
        let (rows, last) = self.read("loading orders", |conn| {
            let last: Option<i64> = conn.query_row(
                "SELECT max(rowid) FROM
                    (SELECT rowid FROM orders WHERE rowid > ?1 ORDER BY rowid LIMIT ?2)",
                [after, limit],
                |r| r.get(0),
            )?;
            let Some(last) = last else {
                return Ok((Vec::new(), None));
            };
            let rows = read_rows(
                conn,
                "SELECT carrier, id, kind, body FROM orders WHERE rowid > ?1 AND rowid <= ?2",
                [after, last],
            )?;
            Ok((rows, Some(last)))
        })?;
        Ok((decode_all(rows), last))
    }

    /// One full cached order by key, with `raw: None` (see
    /// [`SqliteStore::order_raw`]); `None` when it is not cached or cannot be
    /// decoded (skipped with a warning, as on load).
    pub fn order(&self, key: &OrderKey) -> Result<Option<Order>, StoreError> {
        Ok(self.orders(std::slice::from_ref(key))?.into_iter().next())
    }

    /// The full cached orders of `keys` (say, a page of the table), in the
    /// order asked, with `raw: None`; keys not cached are left out, as are
    /// rows that cannot be decoded. One read, one indexed lookup per key.
    pub fn orders(&self, keys: &[OrderKey]) -> Result<Vec<Order>, StoreError> {
        let rows = self.read("reading orders", |conn| {
            let mut out = Vec::with_capacity(keys.len());
            for key in keys {
                out.extend(read_rows(
                    conn,
                    "SELECT carrier, id, kind, body FROM orders WHERE carrier = ?1 AND id = ?2",
                    [&*key.carrier, key.id.as_str()],
                )?);
            }
            Ok(out)
        })?;
        Ok(decode_all(rows))
    }

    /// Deletes terminal orders whose newest change (or, when the carrier's
    /// dates did not parse, the time they were saved) is before `cutoff`.
    /// Notes, flags and journal entries of those orders are kept.
    /// Returns how many orders were dropped.
    pub fn drop_terminal_older_than(&self, cutoff: DateTime<Utc>) -> Result<usize, StoreError> {
        self.write("dropping old terminal orders", |tx| {
            Ok(tx.execute(
                "DELETE FROM orders WHERE terminal = 1 AND coalesce(changed_at, saved_at) < ?1",
                [ts(cutoff)],
            )?)
        })
    }

    /// Forgets a carrier instance's orders and sync state (it was removed
    /// from the config). Notes, flags and journal entries are kept.
    /// Returns how many orders were dropped.
    pub fn remove_carrier(&self, name: &str) -> Result<usize, StoreError> {
        self.write("removing a carrier", |tx| {
            tx.execute("DELETE FROM sync_state WHERE carrier = ?1", [name])?;
            Ok(tx.execute("DELETE FROM orders WHERE carrier = ?1", [name])?)
        })
    }

    /// The carrier's raw body of a cached order (the Raw tab), if one was
    /// saved with it.
    pub fn order_raw(&self, key: &OrderKey) -> Result<Option<String>, StoreError> {
        self.read("reading an order's raw body", |conn| {
            let mut stmt =
                conn.prepare_cached("SELECT raw FROM order_raw WHERE carrier = ?1 AND id = ?2")?;
            let mut rows = stmt.query([&*key.carrier, key.id.as_str()])?;
            match rows.next()? {
                Some(row) => row.get(0),
                None => Ok(None),
            }
        })
    }

    /// How many orders are cached.
    pub fn order_count(&self) -> Result<usize, StoreError> {
        self.read("counting orders", |conn| {
            conn.query_row("SELECT count(*) FROM orders", [], |r| r.get::<_, i64>(0))
        })
        .map(|n| usize::try_from(n).unwrap_or(0))
    }

    /// The carrier's opaque sync cursor from its last successful poll.
    pub fn cursor(&self, carrier: &str) -> Result<Option<String>, StoreError> {
        self.read("reading a sync cursor", |conn| {
            let mut stmt =
                conn.prepare_cached("SELECT cursor FROM sync_state WHERE carrier = ?1")?;
            let mut rows = stmt.query([carrier])?;
            match rows.next()? {
                Some(row) => row.get(0),
                None => Ok(None),
            }
        })
    }

    pub fn set_cursor(&self, carrier: &str, cursor: &str) -> Result<(), StoreError> {
        self.write("saving a sync cursor", |tx| {
            tx.execute(
                "INSERT INTO sync_state (carrier, cursor) VALUES (?1, ?2)
                 ON CONFLICT (carrier) DO UPDATE SET cursor = excluded.cursor",
                [carrier, cursor],
            )?;
            Ok(())
        })
    }

    /// When the carrier's last poll finished successfully.
    pub fn last_sync(&self, carrier: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.read("reading the last sync time", |conn| {
            let mut stmt =
                conn.prepare_cached("SELECT last_sync FROM sync_state WHERE carrier = ?1")?;
            let mut rows = stmt.query([carrier])?;
            match rows.next()? {
                Some(row) => get_opt_ts(row, 0),
                None => Ok(None),
            }
        })
    }

    pub fn set_last_sync(&self, carrier: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.write("saving the last sync time", |tx| {
            tx.execute(
                "INSERT INTO sync_state (carrier, last_sync) VALUES (?1, ?2)
                 ON CONFLICT (carrier) DO UPDATE SET last_sync = excluded.last_sync",
                [carrier, &ts(at)],
            )?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::blob::log_kind;
    use super::*;
    use crate::domain::LogKind;
    use crate::store::sqlite::parse_ts;

    #[test]
    fn unknown_words_degrade_gracefully() {
        assert_eq!(log_kind("journal"), LogKind::Journal);
        assert_eq!(log_kind("from-the-future"), LogKind::Log);
        assert_eq!(known_kind("tjansteguiden"), Some("tjansteguiden"));
        assert_eq!(known_kind("nope"), None);
        assert!(parse_ts("2026-01-02T03:04:05.000000001Z").is_some());
    }
}
