//! The order cache and the per-carrier sync state (cursor, last sync).
//!
//! Each order is one row: its key, kind, whether it is terminal, the time of
//! its newest known change, and the order itself as a compact JSON blob made
//! through private serde DTOs that mirror `domain::Order` (the domain types
//! have no serde derives, on purpose: the cache format is this module's
//! business).
//!
//! The carrier's raw body (`Order::raw`, for the Raw tab) lives in its own
//! table and is **not** loaded with the orders (they come back
//! with `raw: None`); [`Store::order_raw`] reads it on demand. Raw bodies are
//! most of the bytes (kilobytes of XML per order): keeping them out of the
//! startup read keeps 100k orders well under a second.
//!
//! Each order also has a **summary** row (`order_summary`, schema v3): the
//! same blob format holding only what the table, the filter and the
//! attention view need (status, dates, customer, service, schedule,
//! warnings, attention reasons, the first error and alert lines of the log).
//! A summary is a tenth of the order's size. The console paints its first
//! frame from [`Store::load_order_summaries`] and reads the full orders after
//! it, page by page ([`Store::load_orders_page`]), so 100k cached orders
//! are on screen well under a second after start. For every order,
//! `summary.attention() == full.attention()`, `needs_attention()` and
//! `updated_at()` agree, and the filter haystack is the same (tested).
//!
//! `Order::kind` is `&'static str`: it is restored by matching the stored
//! text against [`crate::carriers::KINDS`]; a row of a kind this build does
//! not know is skipped with a warning (and left in the file).
//!
//! Must not: decide which orders are open or stale, or talk to carriers.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Store, StoreError, get_opt_ts, ts};
use crate::domain::{
    Attention, LogEntry, LogKind, Order, OrderKey, Schedule, Stage, Stamp, Status,
};

#[derive(Serialize, Deserialize)]
struct StampDto {
    #[serde(rename = "r", default, skip_serializing_if = "String::is_empty")]
    raw: String,
    #[serde(
        rename = "t",
        default,
        skip_serializing_if = "Option::is_none",
        with = "instant"
    )]
    at: Option<DateTime<Utc>>,
}

/// Instants in the blob: integer nanoseconds since the epoch (several times
/// faster to read than RFC 3339 text), or RFC 3339 text for the rare instant
/// outside the i64 nanosecond range (before 1677 or after 2262).
mod instant {
    use std::fmt;

    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::de::{self, Deserializer, Visitor};
    use serde::ser::Serializer;

    pub fn serialize<S: Serializer>(at: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match at {
            None => s.serialize_none(),
            Some(at) => match at.timestamp_nanos_opt() {
                Some(nanos) => s.serialize_i64(nanos),
                None => s.serialize_str(&at.to_rfc3339_opts(SecondsFormat::Nanos, true)),
            },
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        d.deserialize_option(InstantVisitor)
    }

    struct InstantVisitor;

    impl<'de> Visitor<'de> for InstantVisitor {
        type Value = Option<DateTime<Utc>>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("nanoseconds since the epoch or an RFC 3339 time")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(InstantVisitor)
        }

        fn visit_i64<E: de::Error>(self, nanos: i64) -> Result<Self::Value, E> {
            Ok(Some(DateTime::from_timestamp_nanos(nanos)))
        }

        fn visit_u64<E: de::Error>(self, nanos: u64) -> Result<Self::Value, E> {
            i64::try_from(nanos)
                .map(|n| Some(DateTime::from_timestamp_nanos(n)))
                .map_err(|_| E::custom("time out of range"))
        }

        fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
            super::super::parse_ts(text)
                .map(Some)
                .ok_or_else(|| E::custom(format!("bad time {text:?}")))
        }
    }
}

impl StampDto {
    fn from(s: &Stamp) -> Self {
        StampDto {
            raw: s.raw.clone(),
            at: s.at,
        }
    }
    fn into_stamp(self) -> Stamp {
        Stamp::new(self.raw, self.at)
    }
}

#[derive(Serialize, Deserialize)]
enum ScheduleDto {
    #[serde(rename = "s")]
    Scheduled(StampDto),
    #[serde(rename = "u")]
    Unscheduled,
}

impl ScheduleDto {
    fn from(s: &Schedule) -> Self {
        match s {
            Schedule::Scheduled(at) => ScheduleDto::Scheduled(StampDto::from(at)),
            Schedule::Unscheduled => ScheduleDto::Unscheduled,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct LogDto {
    #[serde(rename = "t")]
    at: StampDto,
    #[serde(rename = "k")]
    kind: String,
    #[serde(rename = "s", default, skip_serializing_if = "String::is_empty")]
    source: String,
    #[serde(rename = "x", default)]
    text: String,
}

impl LogDto {
    fn from(e: &LogEntry) -> Self {
        LogDto {
            at: StampDto::from(&e.at),
            kind: e.kind.as_str().to_owned(),
            source: e.source.clone(),
            text: e.text.clone(),
        }
    }
}

fn empty<T>(v: &[T]) -> bool {
    v.is_empty()
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The blob. Short keys: 100k of them are read at startup.
#[derive(Serialize, Deserialize)]
struct OrderDto {
    #[serde(rename = "sr")]
    status_raw: String,
    #[serde(rename = "sg")]
    stage: String,
    #[serde(rename = "st", default, skip_serializing_if = "is_false")]
    terminal: bool,
    #[serde(rename = "c")]
    created: StampDto,
    #[serde(rename = "u", default, skip_serializing_if = "Option::is_none")]
    updated: Option<StampDto>,
    #[serde(rename = "cu", default, skip_serializing_if = "String::is_empty")]
    customer: String,
    #[serde(rename = "sv", default, skip_serializing_if = "String::is_empty")]
    service: String,
    #[serde(rename = "sc", default, skip_serializing_if = "Option::is_none")]
    schedule: Option<ScheduleDto>,
    #[serde(rename = "w", default, skip_serializing_if = "empty")]
    warnings: Vec<String>,
    #[serde(rename = "f", default, skip_serializing_if = "empty")]
    fields: Vec<(String, String)>,
    #[serde(rename = "cf", default, skip_serializing_if = "empty")]
    customer_fields: Vec<(String, String)>,
    #[serde(rename = "i", default, skip_serializing_if = "empty")]
    items: Vec<Vec<(String, String)>>,
    #[serde(rename = "l", default, skip_serializing_if = "empty")]
    log: Vec<LogDto>,
    #[serde(rename = "a", default, skip_serializing_if = "empty")]
    carrier_attention: Vec<(String, String)>,
    #[serde(rename = "fe", default, skip_serializing_if = "Option::is_none")]
    fetch_error: Option<String>,
    #[serde(rename = "dl", default, skip_serializing_if = "is_false")]
    detail_loaded: bool,
    #[serde(rename = "cl", default, skip_serializing_if = "is_false")]
    customer_loaded: bool,
}

impl OrderDto {
    fn from(o: &Order) -> Self {
        OrderDto {
            fields: o.fields.clone(),
            customer_fields: o.customer_fields.clone(),
            items: o.items.clone(),
            log: o.log.iter().map(LogDto::from).collect(),
            customer_loaded: o.customer_loaded,
            ..OrderDto::list_part(o)
        }
    }

    /// The summary of `o` (see the module docs): no overview or customer
    /// fields, no items, and of the log only the first error and the first
    /// alert (the attention reasons); `updated` becomes the newest change
    /// (explicit or from the log) so that `updated_at()` is unchanged.
    fn summary_of(o: &Order) -> Self {
        let newest_log = o
            .log
            .iter()
            .filter(|e| e.at.at.is_some())
            .max_by_key(|e| e.at.at)
            .map(|e| &e.at);
        let updated = match (o.updated.as_ref(), newest_log) {
            (Some(explicit), Some(log)) if log.at > explicit.at => Some(log),
            (None, Some(log)) => Some(log),
            (explicit, _) => explicit,
        };
        OrderDto {
            updated: updated.map(StampDto::from),
            log: [LogKind::Error, LogKind::Alert]
                .into_iter()
                .filter_map(|kind| o.log.iter().find(|e| e.kind == kind))
                .map(LogDto::from)
                .collect(),
            ..OrderDto::list_part(o)
        }
    }

    /// What the list needs of `o`, without any of its details (fields,
    /// customer fields, items, log).
    fn list_part(o: &Order) -> Self {
        OrderDto {
            status_raw: o.status.raw.clone(),
            stage: o.status.stage.as_str().to_owned(),
            terminal: o.status.terminal,
            created: StampDto::from(&o.created),
            updated: o.updated.as_ref().map(StampDto::from),
            customer: o.customer.clone(),
            service: o.service.clone(),
            schedule: o.schedule.as_ref().map(ScheduleDto::from),
            warnings: o.warnings.clone(),
            fields: Vec::new(),
            customer_fields: Vec::new(),
            items: Vec::new(),
            log: Vec::new(),
            carrier_attention: o
                .carrier_attention
                .iter()
                .map(|a| (a.code.clone(), a.detail.clone()))
                .collect(),
            fetch_error: o.fetch_error.clone(),
            detail_loaded: o.detail_loaded,
            customer_loaded: false,
        }
    }

    fn into_order(self, key: OrderKey, kind: &'static str) -> Order {
        // An unknown stage word (a newer build wrote it) is shown as needing
        // attention, like an unknown carrier status.
        let stage = Stage::parse(&self.stage).unwrap_or(Stage::NeedsAttention);
        Order {
            key,
            kind,
            status: Status::new(self.status_raw, stage, self.terminal),
            created: self.created.into_stamp(),
            updated: self.updated.map(StampDto::into_stamp),
            customer: self.customer,
            service: self.service,
            schedule: self.schedule.map(|s| match s {
                ScheduleDto::Scheduled(at) => Schedule::Scheduled(at.into_stamp()),
                ScheduleDto::Unscheduled => Schedule::Unscheduled,
            }),
            warnings: self.warnings,
            fields: self.fields,
            customer_fields: self.customer_fields,
            items: self.items,
            log: self
                .log
                .into_iter()
                .map(|e| LogEntry {
                    at: e.at.into_stamp(),
                    kind: log_kind(&e.kind),
                    source: e.source,
                    text: e.text,
                })
                .collect(),
            carrier_attention: self
                .carrier_attention
                .into_iter()
                .map(|(code, detail)| Attention::new(code, detail))
                .collect(),
            raw: None,
            fetch_error: self.fetch_error,
            detail_loaded: self.detail_loaded,
            customer_loaded: self.customer_loaded,
        }
    }
}

fn log_kind(text: &str) -> LogKind {
    LogKind::ALL
        .into_iter()
        .find(|k| k.as_str() == text)
        .unwrap_or(LogKind::Log)
}

/// One cached row, read but not decoded yet.
struct CachedRow {
    key: OrderKey,
    kind: &'static str,
    body: Vec<u8>,
}

fn decode(row: CachedRow) -> Option<Order> {
    match serde_json::from_slice::<OrderDto>(&row.body) {
        Ok(dto) => Some(dto.into_order(row.key, row.kind)),
        Err(e) => {
            tracing::warn!(key = %row.key, error = %e, "cached order could not be decoded, skipped");
            None
        }
    }
}

/// Decodes rows on up to 8 threads when there are many (startup with a big
/// cache is CPU-bound JSON decoding).
fn decode_all(rows: Vec<CachedRow>) -> Vec<Order> {
    const PER_THREAD_MIN: usize = 4096;
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8)
        .min(rows.len() / PER_THREAD_MIN)
        .max(1);
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

fn encode(dto: &OrderDto) -> rusqlite::Result<Vec<u8>> {
    serde_json::to_vec(dto).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// The `&'static str` of a known carrier kind.
fn known_kind(text: &str) -> Option<&'static str> {
    crate::carriers::KINDS.iter().copied().find(|k| *k == text)
}

impl Store {
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
                    body = excluded.body",
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
                stmt.execute(rusqlite::params![
                    &*order.key.carrier,
                    order.key.id,
                    order.kind,
                    order.status.terminal,
                    order.updated_at().map(ts),
                    saved_at,
                    body,
                ])?;
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
    /// frame needs, a tenth of the bytes of the full orders. Rows that
    /// cannot be decoded (unknown kind, damaged blob) are skipped with a
    /// warning and left in the file, here and in
    /// [`Store::load_orders_page`].
    pub fn load_order_summaries(&self) -> Result<Vec<Order>, StoreError> {
        let rows = self.read("loading order summaries", |conn| {
            read_rows(
                conn,
                "SELECT carrier, id, kind, summary FROM order_summary",
                [],
            )
        })?;
        Ok(decode_all(rows))
    }

    /// Up to `limit` full orders stored after position `after` (0 to
    /// start), with `raw: None` (see [`Store::order_raw`]), and the
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
    use super::*;
    use crate::store::parse_ts;

    #[test]
    fn unknown_words_degrade_gracefully() {
        assert_eq!(log_kind("journal"), LogKind::Journal);
        assert_eq!(log_kind("from-the-future"), LogKind::Log);
        assert_eq!(known_kind("tjansteguiden"), Some("tjansteguiden"));
        assert_eq!(known_kind("nope"), None);
        assert!(parse_ts("2026-01-02T03:04:05.000000001Z").is_some());
    }
}
