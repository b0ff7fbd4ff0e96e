//! The write journal in the team store ([`Journal`] for [`PgStore`]), with
//! the SQLite store's states and moves (`crate::domain::JournalState`). A
//! claim (`journal_mark_sending`) takes the row with `SELECT ... FOR UPDATE
//! SKIP LOCKED`, so a daemon never waits on a row another daemon is
//! claiming right now (it is refused at once, as a row that moved), and
//! moves it with a conditional `UPDATE` in the same transaction (the row
//! must still be exactly as the caller saw it); an outcome reads the row
//! `FOR UPDATE` and changes it in the same transaction. So two consoles or
//! daemons never both claim an entry, whichever connection they use.
//!
//! Recording joins an identical open write: when the order already has an
//! entry of the same action with the same parameters that is not final
//! (recorded, sending or unknown), that entry is returned and nothing new
//! is recorded, so the same write asked for by two agents at one instant
//! is sent once and both see its outcome. The check and the insert are
//! serialized per order by a transaction-scoped advisory lock. A different
//! write to the same order is recorded and waits its turn (the executor
//! sends one write per order at a time). The embedded store has one agent
//! and records every request.
//!
//! It must not send anything.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio_postgres::Row;

use super::PgStore;
use crate::domain::{
    ActionKind, ActionRequest, JournalEntry, JournalFilter, JournalState, NewJournalEntry,
    OrderKey, Outcome, sanitize,
};
use crate::store::sqlite::journal::{RequestDto, new_id};
use crate::store::sqlite::ts;
use crate::store::{Journal, StoreError};

const COLUMNS: &str = "id, session, author, created_at, carrier, order_id, kind, action, request, \
                       state, sends, code, outcome, receipt, updated_at, resolved_at";

fn bad(id: &str, from: JournalState, to: &str) -> StoreError {
    StoreError::BadTransition {
        id: id.to_owned(),
        from: from.as_str().to_owned(),
        to: to.to_owned(),
    }
}

impl PgStore {
    /// A row, or `None` (warned) when this build cannot understand it (an
    /// action or state it does not know, a damaged request).
    fn entry(&self, doing: &'static str, row: &Row) -> Result<Option<JournalEntry>, StoreError> {
        let id: String = row.get(0);
        let action: &str = row.get(7);
        let Some(action) = ActionKind::parse(action) else {
            tracing::warn!(id, action, "journal entry with an unknown action skipped");
            return Ok(None);
        };
        let request: RequestDto = match serde_json::from_str(row.get(8)) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(id, error = %e, "journal entry with a damaged request skipped");
                return Ok(None);
            }
        };
        let state: &str = row.get(9);
        let Some(state) = JournalState::parse(state) else {
            tracing::warn!(id, state, "journal entry with an unknown state skipped");
            return Ok(None);
        };
        let resolved_at = match row.get::<_, Option<&str>>(15) {
            Some(text) => Some(self.time(doing, text)?),
            None => None,
        };
        Ok(Some(JournalEntry {
            session: row.get(1),
            author: row.get(2),
            created_at: self.time(doing, row.get(3))?,
            key: OrderKey::new(row.get::<_, &str>(4), row.get::<_, &str>(5)),
            kind: row.get(6),
            request: ActionRequest {
                action,
                params: request.params,
                summary: request.summary,
                preview: request.preview,
            },
            state,
            sends: u32::try_from(row.get::<_, i32>(10)).unwrap_or(0),
            code: row.get(11),
            outcome: row.get(12),
            receipt: row.get(13),
            updated_at: self.time(doing, row.get(14))?,
            resolved_at,
            id,
        }))
    }

    fn entries(&self, doing: &'static str, rows: &[Row]) -> Result<Vec<JournalEntry>, StoreError> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.extend(self.entry(doing, row)?);
        }
        Ok(out)
    }

    /// The entry's row now, for a move that did not apply.
    async fn refused_move(&self, id: &str, to: &str) -> StoreError {
        match self.journal_get(id).await {
            Ok(Some(current)) => bad(id, current.state, to),
            Ok(None) => StoreError::UnknownEntry(id.to_owned()),
            Err(e) => e,
        }
    }
}

#[async_trait]
impl Journal for PgStore {
    fn is_persistent(&self) -> bool {
        true
    }

    async fn journal_record(&self, new: NewJournalEntry<'_>) -> Result<JournalEntry, StoreError> {
        let doing = "recording a write in the journal";
        let request = serde_json::to_string(&RequestDto {
            params: new.request.params.clone(),
            summary: new.request.summary.clone(),
            preview: new.request.preview.clone(),
        })
        .unwrap_or_else(|_| String::from("{}"));
        let entry = JournalEntry {
            id: new_id(),
            session: new.session.to_owned(),
            author: sanitize(new.author),
            created_at: new.at,
            key: new.key.clone(),
            kind: new.kind.to_owned(),
            request: new.request.clone(),
            state: JournalState::Recorded,
            sends: 0,
            code: None,
            outcome: None,
            receipt: None,
            updated_at: new.at,
            resolved_at: None,
        };
        let params = serde_json::to_string(&new.request.params).unwrap_or_else(|_| "[]".into());
        let mut client = self.client(doing).await?;
        let tx = client
            .transaction()
            .await
            .map_err(|e| self.err(doing, &e))?;
        // One recorder per order at a time (released at commit), so two
        // agents sending the same write at one instant cannot both miss
        // each other's row.
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || $2, 0))",
            &[&&*entry.key.carrier, &entry.key.id],
        )
        .await
        .map_err(|e| self.err(doing, &e))?;
        // One statement, so joining needs the right to insert too: a
        // viewer is refused whether or not an identical write is open.
        let row = tx
            .query_one(
                &format!(
                    "WITH joined AS (
                         SELECT {COLUMNS} FROM journal
                         WHERE carrier = $5 AND order_id = $6 AND action = $8
                           AND state IN ('recorded', 'sending', 'unknown')
                           AND (request::jsonb) -> 'params' = $12::text::jsonb
                         ORDER BY created_at LIMIT 1),
                     recorded AS (
                         INSERT INTO journal ({COLUMNS})
                         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, NULL, NULL, NULL,
                                $11, NULL
                         WHERE NOT EXISTS (SELECT 1 FROM joined)
                         RETURNING {COLUMNS})
                     SELECT * FROM recorded UNION ALL SELECT * FROM joined"
                ),
                &[
                    &entry.id,
                    &entry.session,
                    &entry.author,
                    &ts(entry.created_at),
                    &&*entry.key.carrier,
                    &entry.key.id,
                    &entry.kind,
                    &entry.request.action.as_str(),
                    &request,
                    &JournalState::Recorded.as_str(),
                    &ts(entry.updated_at),
                    &params,
                ],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        let entry = self
            .entry(doing, &row)?
            .ok_or_else(|| StoreError::UnknownEntry(entry.id.clone()))?;
        tx.commit().await.map_err(|e| self.err(doing, &e))?;
        Ok(entry)
    }

    async fn journal_mark_sending(
        &self,
        seen: &JournalEntry,
        session: &str,
        at: DateTime<Utc>,
    ) -> Result<JournalEntry, StoreError> {
        let doing = "marking a write as sending";
        let sends = i32::try_from(seen.sends).unwrap_or(i32::MAX);
        let mut client = self.client(doing).await?;
        let tx = client
            .transaction()
            .await
            .map_err(|e| self.err(doing, &e))?;
        // Another executor holding the row is claiming it right now: it is
        // theirs, refused without waiting.
        let free = tx
            .query_opt(
                "SELECT id FROM journal WHERE id = $1 FOR UPDATE SKIP LOCKED",
                &[&seen.id],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        if free.is_none() {
            drop(tx);
            return Err(self.refused_move(&seen.id, "sending").await);
        }
        let row = tx
            .query_opt(
                &format!(
                    "UPDATE journal SET state = 'sending', sends = sends + 1, session = $2,
                        updated_at = $3
                     WHERE id = $1 AND state = $4 AND sends = $5 AND updated_at = $6
                       AND state IN ('recorded', 'sending', 'unknown')
                     RETURNING {COLUMNS}"
                ),
                &[
                    &seen.id,
                    &session,
                    &ts(at),
                    &seen.state.as_str(),
                    &sends,
                    &ts(seen.updated_at),
                ],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        let Some(row) = row else {
            drop(tx);
            return Err(self.refused_move(&seen.id, "sending").await);
        };
        let entry = self
            .entry(doing, &row)?
            .ok_or_else(|| StoreError::UnknownEntry(seen.id.clone()))?;
        tx.commit().await.map_err(|e| self.err(doing, &e))?;
        Ok(entry)
    }

    async fn journal_finish(
        &self,
        id: &str,
        outcome: Outcome,
        at: DateTime<Utc>,
    ) -> Result<JournalEntry, StoreError> {
        let doing = "recording the outcome of a write";
        let to = outcome.state();
        let mut client = self.client(doing).await?;
        let tx = client
            .transaction()
            .await
            .map_err(|e| self.err(doing, &e))?;
        let row = tx
            .query_opt(
                &format!("SELECT {COLUMNS} FROM journal WHERE id = $1 FOR UPDATE"),
                &[&id],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        let Some(current) = row.map(|r| self.entry(doing, &r)).transpose()?.flatten() else {
            return Err(StoreError::UnknownEntry(id.to_owned()));
        };
        if !current.state.may_settle_to(to) {
            return Err(bad(id, current.state, to.as_str()));
        }
        let columns = outcome.columns(current.receipt);
        let resolved_at = to.is_final().then(|| ts(at));
        let row = tx
            .query_one(
                &format!(
                    "UPDATE journal SET state = $2, code = $3, outcome = $4, receipt = $5,
                        updated_at = $6, resolved_at = $7 WHERE id = $1
                     RETURNING {COLUMNS}"
                ),
                &[
                    &id,
                    &to.as_str(),
                    &columns.code,
                    &Some(sanitize(&columns.text)),
                    &columns.receipt.map(|r| sanitize(&r)),
                    &ts(at),
                    &resolved_at,
                ],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        let entry = self
            .entry(doing, &row)?
            .ok_or_else(|| StoreError::UnknownEntry(id.to_owned()))?;
        tx.commit().await.map_err(|e| self.err(doing, &e))?;
        Ok(entry)
    }

    async fn journal_get(&self, id: &str) -> Result<Option<JournalEntry>, StoreError> {
        let doing = "reading the journal";
        let client = self.client(doing).await?;
        let row = client
            .query_opt(
                &format!("SELECT {COLUMNS} FROM journal WHERE id = $1"),
                &[&id],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        Ok(row.map(|r| self.entry(doing, &r)).transpose()?.flatten())
    }

    async fn journal_unresolved(&self) -> Result<Vec<JournalEntry>, StoreError> {
        let doing = "reading the journal";
        let client = self.client(doing).await?;
        let rows = client
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM journal
                     WHERE state IN ('recorded', 'sending', 'unknown') ORDER BY created_at, seq"
                ),
                &[],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        self.entries(doing, &rows)
    }

    async fn journal(&self, filter: &JournalFilter) -> Result<Vec<JournalEntry>, StoreError> {
        let doing = "reading the journal";
        let limit = filter.limit.and_then(|l| i64::try_from(l).ok());
        let since = filter.since.map(ts);
        let (carrier, order_id) = match &filter.key {
            Some(key) => (Some(key.carrier.to_string()), Some(key.id.clone())),
            None => (None, None),
        };
        let client = self.client(doing).await?;
        let rows = client
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM journal
                     WHERE ($1::text IS NULL OR created_at >= $1)
                       AND ($2::text IS NULL OR (carrier = $2 AND order_id = $3))
                     ORDER BY created_at DESC, seq DESC LIMIT $4"
                ),
                &[&since, &carrier, &order_id, &limit],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        self.entries(doing, &rows)
    }
}
