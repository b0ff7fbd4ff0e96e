//! The journal table of the SQLite store: rows of [`JournalEntry`], and the
//! allowed moves between their states (see `crate::domain::JournalState`),
//! each a compare-and-set inside one `BEGIN IMMEDIATE` transaction, so two
//! consoles on one store cannot both claim the same entry. It must not send
//! anything (that is `crate::engine::WriteExecutor`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{SqliteStore, WriteAbort, get_opt_ts, get_ts, ts};
use crate::domain::{
    ActionKind, ActionRequest, JournalEntry, JournalFilter, JournalState, NewJournalEntry,
    OrderKey, Outcome, sanitize,
};
use crate::store::StoreError;
/// The request as stored in the `request` column (the team store's too).
#[derive(Serialize, Deserialize)]
pub(crate) struct RequestDto {
    pub params: Vec<(String, String)>,
    pub summary: String,
    #[serde(default)]
    pub preview: Option<String>,
}

const COLUMNS: &str = "id, session, author, created_at, carrier, order_id, kind, action, request, \
                       state, sends, code, outcome, receipt, updated_at, resolved_at";

/// A row, or `None` (with a warning) when it cannot be understood by this
/// build (an action or state it does not know, a damaged request).
fn entry_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Option<JournalEntry>> {
    let id: String = row.get(0)?;
    let action: String = row.get(7)?;
    let Some(action) = ActionKind::parse(&action) else {
        tracing::warn!(id, action, "journal entry with an unknown action skipped");
        return Ok(None);
    };
    let request: String = row.get(8)?;
    let request: RequestDto = match serde_json::from_str(&request) {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(id, error = %e, "journal entry with a damaged request skipped");
            return Ok(None);
        }
    };
    let state: String = row.get(9)?;
    let Some(state) = JournalState::parse(&state) else {
        tracing::warn!(id, state, "journal entry with an unknown state skipped");
        return Ok(None);
    };
    Ok(Some(JournalEntry {
        id,
        session: row.get(1)?,
        author: row.get(2)?,
        created_at: get_ts(row, 3)?,
        key: OrderKey::new(row.get::<_, String>(4)?, row.get::<_, String>(5)?),
        kind: row.get(6)?,
        request: ActionRequest {
            action,
            params: request.params,
            summary: request.summary,
            preview: request.preview,
        },
        state,
        sends: row.get(10)?,
        code: row.get(11)?,
        outcome: row.get(12)?,
        receipt: row.get(13)?,
        updated_at: get_ts(row, 14)?,
        resolved_at: get_opt_ts(row, 15)?,
    }))
}

fn get_entry(conn: &rusqlite::Connection, id: &str) -> rusqlite::Result<Option<JournalEntry>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM journal WHERE id = ?1"))?;
    let mut rows = stmt.query([id])?;
    match rows.next()? {
        Some(row) => entry_from_row(row),
        None => Ok(None),
    }
}

/// A fresh id: 128 random bits, 32 hex digits.
pub(crate) fn new_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// A fresh id for a `WriteExecutor` instance (recorded with the entries it
/// sends, so a restarted console can tell its own entries from others').
pub fn new_session_id() -> String {
    new_id()
}

fn bad(id: &str, from: JournalState, to: &str) -> WriteAbort {
    WriteAbort::Store(StoreError::BadTransition {
        id: id.to_owned(),
        from: from.as_str().to_owned(),
        to: to.to_owned(),
    })
}

impl SqliteStore {
    /// Records a write before it is sent (state `recorded`).
    pub fn journal_record(&self, new: NewJournalEntry<'_>) -> Result<JournalEntry, StoreError> {
        let id = new_id();
        let request = serde_json::to_string(&RequestDto {
            params: new.request.params.clone(),
            summary: new.request.summary.clone(),
            preview: new.request.preview.clone(),
        })
        .unwrap_or_else(|_| String::from("{}"));
        let entry = JournalEntry {
            id: id.clone(),
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
        self.write("recording a write in the journal", |tx| {
            tx.execute(
                &format!(
                    "INSERT INTO journal ({COLUMNS}) VALUES
                     (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0, NULL, NULL, NULL, ?11, NULL)"
                ),
                rusqlite::params![
                    entry.id,
                    entry.session,
                    entry.author,
                    ts(entry.created_at),
                    &*entry.key.carrier,
                    entry.key.id,
                    entry.kind,
                    entry.request.action.as_str(),
                    request,
                    JournalState::Recorded.as_str(),
                    ts(entry.updated_at),
                ],
            )?;
            Ok(())
        })?;
        Ok(entry)
    }

    /// Claims an entry for sending: moves it to `sending`, counts the send and
    /// records `session` as its owner, but only if it is still exactly as
    /// `seen` (state, sends, updated_at): otherwise another console or task
    /// got there first and this is [`StoreError::BadTransition`].
    /// Allowed from `recorded`, `unknown`, and `sending` (an interrupted send).
    pub fn journal_mark_sending(
        &self,
        seen: &JournalEntry,
        session: &str,
        at: DateTime<Utc>,
    ) -> Result<JournalEntry, StoreError> {
        self.write("marking a write as sending", |tx| {
            let current = get_entry(tx, &seen.id)?
                .ok_or_else(|| WriteAbort::Store(StoreError::UnknownEntry(seen.id.clone())))?;
            if current.state.is_final()
                || current.state != seen.state
                || current.sends != seen.sends
                || current.updated_at != seen.updated_at
            {
                return Err(bad(&seen.id, current.state, "sending"));
            }
            tx.execute(
                "UPDATE journal SET state = 'sending', sends = sends + 1, session = ?2,
                    updated_at = ?3 WHERE id = ?1",
                rusqlite::params![seen.id, session, ts(at)],
            )?;
            get_entry(tx, &seen.id)?
                .ok_or_else(|| WriteAbort::Store(StoreError::UnknownEntry(seen.id.clone())))
        })
    }

    /// Records where a write stands. From `recorded` only `Failed` is
    /// allowed (it was never sent); from `sending` and `unknown` anything; a
    /// final entry cannot change ([`StoreError::BadTransition`]).
    pub fn journal_finish(
        &self,
        id: &str,
        outcome: Outcome,
        at: DateTime<Utc>,
    ) -> Result<JournalEntry, StoreError> {
        let to = outcome.state();
        self.write("recording the outcome of a write", |tx| {
            let current = get_entry(tx, id)?
                .ok_or_else(|| WriteAbort::Store(StoreError::UnknownEntry(id.to_owned())))?;
            if !current.state.may_settle_to(to) {
                return Err(bad(id, current.state, to.as_str()));
            }
            let columns = outcome.columns(current.receipt);
            let resolved_at = to.is_final().then(|| ts(at));
            tx.execute(
                "UPDATE journal SET state = ?2, code = ?3, outcome = ?4, receipt = ?5,
                    updated_at = ?6, resolved_at = ?7 WHERE id = ?1",
                rusqlite::params![
                    id,
                    to.as_str(),
                    columns.code,
                    Some(sanitize(&columns.text)),
                    columns.receipt.map(|r| sanitize(&r)),
                    ts(at),
                    resolved_at
                ],
            )?;
            get_entry(tx, id)?
                .ok_or_else(|| WriteAbort::Store(StoreError::UnknownEntry(id.to_owned())))
        })
    }

    /// One entry by id.
    pub fn journal_get(&self, id: &str) -> Result<Option<JournalEntry>, StoreError> {
        self.read("reading the journal", |conn| get_entry(conn, id))
    }

    /// Entries not resolved yet (`recorded`, `sending`, `unknown`), oldest
    /// first: what `WriteExecutor::resolve_pending` works through.
    pub fn journal_unresolved(&self) -> Result<Vec<JournalEntry>, StoreError> {
        self.read("reading the journal", |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM journal WHERE state IN ('recorded', 'sending', 'unknown')
                 ORDER BY created_at, rowid"
            ))?;
            let rows = stmt.query_map([], entry_from_row)?;
            rows.filter_map(Result::transpose).collect()
        })
    }

    /// Entries matching `filter`, newest first.
    pub fn journal(&self, filter: &JournalFilter) -> Result<Vec<JournalEntry>, StoreError> {
        let limit = filter
            .limit
            .and_then(|l| i64::try_from(l).ok())
            .unwrap_or(-1);
        let since = filter.since.map(ts);
        let (carrier, order_id) = match &filter.key {
            Some(key) => (Some(key.carrier.to_string()), Some(key.id.clone())),
            None => (None, None),
        };
        self.read("reading the journal", |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM journal
                 WHERE (?1 IS NULL OR created_at >= ?1)
                   AND (?2 IS NULL OR (carrier = ?2 AND order_id = ?3))
                 ORDER BY created_at DESC, rowid DESC LIMIT ?4"
            ))?;
            let rows = stmt.query_map(
                rusqlite::params![since, carrier, order_id, limit],
                entry_from_row,
            )?;
            rows.filter_map(Result::transpose).collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_hex() {
        let a = new_id();
        let b = new_id();
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
