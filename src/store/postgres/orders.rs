//! The order cache and the per-carrier sync state of the team store
//! ([`OrderCache`] for [`PgStore`]), with the SQLite store's semantics: one
//! row per order holding the same JSON blobs (full and summary, see
//! `sqlite::blob`), the raw body apart (`order_raw`, read on demand), the
//! search words (see `text`), and a position (`pos`) that pages the full
//! orders. A row of a kind this build does not know, or a blob it cannot
//! decode, is skipped with a warning and left in the database.
//!
//! Must not: decide which orders are open or stale, or talk to carriers.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio_postgres::Row;

use super::{PgStore, text};
use crate::domain::{Order, OrderKey, OrderSummary};
use crate::store::sqlite::blob::OrderDto;
use crate::store::sqlite::orders::known_kind;
use crate::store::sqlite::{parse_ts, ts};
use crate::store::{OrderCache, StoreError};

/// An order from a `(carrier, id, kind, blob)` row, or `None` (warned).
fn decode(row: &Row) -> Option<Order> {
    let key = OrderKey::new(row.get::<_, &str>(0), row.get::<_, &str>(1));
    let kind_text: &str = row.get(2);
    let Some(kind) = known_kind(kind_text) else {
        tracing::warn!(%key, kind = kind_text, "cached order of an unknown carrier kind skipped");
        return None;
    };
    match serde_json::from_slice::<OrderDto>(row.get::<_, &[u8]>(3)) {
        Ok(dto) => Some(dto.into_order(key, kind)),
        Err(e) => {
            tracing::warn!(%key, error = %e, "cached order could not be decoded, skipped");
            None
        }
    }
}

fn encode(dto: &OrderDto, key: &OrderKey, target: &str) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(dto).map_err(|e| StoreError::Database {
        target: target.to_owned(),
        doing: "saving orders",
        detail: format!("order {key} could not be encoded: {e}"),
    })
}

/// A stored time, or a clear error naming the column.
fn time(text: Option<String>, what: &str) -> Result<Option<DateTime<Utc>>, String> {
    match text {
        None => Ok(None),
        Some(text) => parse_ts(&text)
            .map(Some)
            .ok_or_else(|| format!("bad {what} time {text:?} in the database")),
    }
}

#[async_trait]
impl OrderCache for PgStore {
    async fn save_orders(&self, orders: Vec<Order>) -> Result<(), StoreError> {
        let doing = "saving orders";
        let saved_at = ts(Utc::now());
        let mut client = self.client(doing).await?;
        let tx = client
            .transaction()
            .await
            .map_err(|e| self.err(doing, &e))?;
        let put = tx
            .prepare_cached(
                "INSERT INTO orders (carrier, id, kind, terminal, changed_at, saved_at, body,
                                     summary, words)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (carrier, id) DO UPDATE SET
                    kind = excluded.kind, terminal = excluded.terminal,
                    changed_at = excluded.changed_at, saved_at = excluded.saved_at,
                    body = excluded.body, summary = excluded.summary, words = excluded.words",
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        let put_raw = tx
            .prepare_cached(
                "INSERT INTO order_raw (carrier, id, raw) VALUES ($1, $2, $3)
                 ON CONFLICT (carrier, id) DO UPDATE SET raw = excluded.raw",
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        let del_raw = tx
            .prepare_cached("DELETE FROM order_raw WHERE carrier = $1 AND id = $2")
            .await
            .map_err(|e| self.err(doing, &e))?;
        for order in &orders {
            let key = &order.key;
            let body = encode(&OrderDto::from(order), key, self.target())?;
            let summary = encode(&OrderDto::summary_of(order), key, self.target())?;
            let changed_at = order.updated_at().map(ts);
            tx.execute(
                &put,
                &[
                    &&*key.carrier,
                    &key.id,
                    &order.kind,
                    &order.status.terminal,
                    &changed_at,
                    &saved_at,
                    &body,
                    &summary,
                    &text::words(order),
                ],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
            let done = match &order.raw {
                Some(raw) => tx.execute(&put_raw, &[&&*key.carrier, &key.id, raw]).await,
                None => tx.execute(&del_raw, &[&&*key.carrier, &key.id]).await,
            };
            done.map_err(|e| self.err(doing, &e))?;
        }
        tx.commit().await.map_err(|e| self.err(doing, &e))
    }

    async fn load_order_summaries(&self) -> Result<Vec<OrderSummary>, StoreError> {
        let doing = "loading order summaries";
        let client = self.client(doing).await?;
        let rows = client
            .query(
                "SELECT carrier, id, kind, summary FROM orders ORDER BY pos",
                &[],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        Ok(rows
            .iter()
            .filter_map(decode)
            .map(|o| OrderSummary::of(&o))
            .collect())
    }

    async fn load_orders_page(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<(Vec<Order>, Option<i64>), StoreError> {
        let doing = "loading orders";
        let limit = i64::try_from(limit.max(1)).unwrap_or(i64::MAX);
        let client = self.client(doing).await?;
        let rows = client
            .query(
                "SELECT carrier, id, kind, body, pos FROM orders WHERE pos > $1
                 ORDER BY pos LIMIT $2",
                &[&after, &limit],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        let last = rows.last().map(|r| r.get::<_, i64>(4));
        Ok((rows.iter().filter_map(decode).collect(), last))
    }

    async fn order(&self, key: &OrderKey) -> Result<Option<Order>, StoreError> {
        Ok(self
            .orders(std::slice::from_ref(key))
            .await?
            .into_iter()
            .next())
    }

    async fn orders(&self, keys: &[OrderKey]) -> Result<Vec<Order>, StoreError> {
        let doing = "reading orders";
        let carriers: Vec<&str> = keys.iter().map(|k| &*k.carrier).collect();
        let ids: Vec<&str> = keys.iter().map(|k| k.id.as_str()).collect();
        let client = self.client(doing).await?;
        let rows = client
            .query(
                "SELECT o.carrier, o.id, o.kind, o.body
                 FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k (carrier, id, n)
                 JOIN orders AS o ON o.carrier = k.carrier AND o.id = k.id
                 ORDER BY k.n",
                &[&carriers, &ids],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        Ok(rows.iter().filter_map(decode).collect())
    }

    async fn search_text(&self, query: &str, limit: usize) -> Result<Vec<OrderKey>, StoreError> {
        let doing = "searching the orders' text";
        let patterns = text::patterns(query);
        if patterns.is_empty() {
            return Ok(Vec::new());
        }
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let client = self.client(doing).await?;
        let rows = client
            .query(
                "SELECT carrier, id FROM orders WHERE words LIKE ALL ($1::text[]) LIMIT $2",
                &[&patterns, &limit],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        Ok(rows
            .iter()
            .map(|r| OrderKey::new(r.get::<_, &str>(0), r.get::<_, &str>(1)))
            .collect())
    }

    async fn drop_terminal_older_than(&self, cutoff: DateTime<Utc>) -> Result<usize, StoreError> {
        let doing = "dropping old terminal orders";
        let client = self.client(doing).await?;
        let n = client
            .execute(
                "DELETE FROM orders WHERE terminal AND coalesce(changed_at, saved_at) < $1",
                &[&ts(cutoff)],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    async fn remove_carrier(&self, name: &str) -> Result<usize, StoreError> {
        let doing = "removing a carrier";
        let mut client = self.client(doing).await?;
        let tx = client
            .transaction()
            .await
            .map_err(|e| self.err(doing, &e))?;
        tx.execute("DELETE FROM sync_state WHERE carrier = $1", &[&name])
            .await
            .map_err(|e| self.err(doing, &e))?;
        let n = tx
            .execute("DELETE FROM orders WHERE carrier = $1", &[&name])
            .await
            .map_err(|e| self.err(doing, &e))?;
        tx.commit().await.map_err(|e| self.err(doing, &e))?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    async fn order_raw(&self, key: &OrderKey) -> Result<Option<String>, StoreError> {
        let doing = "reading an order's raw body";
        let client = self.client(doing).await?;
        let row = client
            .query_opt(
                "SELECT raw FROM order_raw WHERE carrier = $1 AND id = $2",
                &[&&*key.carrier, &key.id],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn order_count(&self) -> Result<usize, StoreError> {
        let doing = "counting orders";
        let client = self.client(doing).await?;
        let row = client
            .query_one("SELECT count(*) FROM orders", &[])
            .await
            .map_err(|e| self.err(doing, &e))?;
        Ok(usize::try_from(row.get::<_, i64>(0)).unwrap_or(0))
    }

    async fn cursor(&self, carrier: &str) -> Result<Option<String>, StoreError> {
        let doing = "reading a sync cursor";
        let client = self.client(doing).await?;
        let row = client
            .query_opt(
                "SELECT cursor FROM sync_state WHERE carrier = $1",
                &[&carrier],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        Ok(row.and_then(|r| r.get(0)))
    }

    async fn set_cursor(&self, carrier: &str, cursor: &str) -> Result<(), StoreError> {
        let doing = "saving a sync cursor";
        let client = self.client(doing).await?;
        client
            .execute(
                "INSERT INTO sync_state (carrier, cursor) VALUES ($1, $2)
                 ON CONFLICT (carrier) DO UPDATE SET cursor = excluded.cursor",
                &[&carrier, &cursor],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        Ok(())
    }

    async fn last_sync(&self, carrier: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let doing = "reading the last sync time";
        let client = self.client(doing).await?;
        let row = client
            .query_opt(
                "SELECT last_sync FROM sync_state WHERE carrier = $1",
                &[&carrier],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        time(row.and_then(|r| r.get(0)), "last sync").map_err(|detail| StoreError::Database {
            target: self.target().to_owned(),
            doing,
            detail,
        })
    }

    async fn set_last_sync(&self, carrier: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        let doing = "saving the last sync time";
        let client = self.client(doing).await?;
        client
            .execute(
                "INSERT INTO sync_state (carrier, last_sync) VALUES ($1, $2)
                 ON CONFLICT (carrier) DO UPDATE SET last_sync = excluded.last_sync",
                &[&carrier, &ts(at)],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        Ok(())
    }
}
