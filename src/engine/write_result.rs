//! [`WriteResult`]: what became of one write (the journal entry as it now
//! stands, the re-read order, the carrier's and the store's errors), and the
//! pure rules that turn a carrier's answer into a journal [`Outcome`]. No
//! I/O: the executor (`super::executor`) does the sending and recording.

use chrono::{DateTime, Utc};

use crate::carriers::{CarrierError, WriteReceipt};
use crate::domain::{JournalEntry, JournalState, NewJournalEntry, Order, OrderKey, Outcome};
use crate::store::StoreError;

/// What became of one write.
#[derive(Debug, Clone)]
pub struct WriteResult {
    /// The journal entry as it now stands.
    pub entry: JournalEntry,
    /// The order as re-read from the carrier, when it was.
    pub order: Option<Order>,
    /// The carrier's error from the last send or re-read, when there was one.
    pub error: Option<CarrierError>,
    /// The journal could not be updated (the entry above is what happened,
    /// but the store may not say so). `None` when the journal is in step.
    pub store_error: Option<StoreError>,
}

impl WriteResult {
    pub fn key(&self) -> &OrderKey {
        &self.entry.key
    }

    pub fn state(&self) -> JournalState {
        self.entry.state
    }

    pub fn is_confirmed(&self) -> bool {
        self.entry.state == JournalState::Confirmed
    }

    /// The result a settled write reports (`WriteSettled::result`): `Ok` when the
    /// carrier accepted it (confirmed, or accepted and not yet visible),
    /// otherwise the carrier's error or a local one saying why.
    pub fn receipt_result(&self) -> Result<WriteReceipt, CarrierError> {
        let entry = &self.entry;
        match entry.state {
            JournalState::Confirmed => Ok(WriteReceipt {
                message: entry
                    .receipt
                    .clone()
                    .or_else(|| entry.outcome.clone())
                    .unwrap_or_else(|| "confirmed".into()),
            }),
            JournalState::Unknown if entry.receipt.is_some() => Ok(WriteReceipt {
                message: entry.describe(),
            }),
            JournalState::Refused => Err(self.error.clone().unwrap_or(CarrierError::Rejected {
                code: entry.code.clone().unwrap_or_default(),
                message: entry.outcome.clone().unwrap_or_default(),
            })),
            JournalState::Unknown => Err(self
                .error
                .clone()
                .unwrap_or_else(|| CarrierError::Timeout(entry.describe()))),
            _ => Err(match (&self.error, &self.store_error) {
                (Some(e), _) => e.clone(),
                (None, Some(e)) => CarrierError::Local(e.to_string()),
                (None, None) => CarrierError::Local(entry.describe()),
            }),
        }
    }
}

pub(super) fn not_applied(sends: u32) -> String {
    format!(
        "not applied: sent {sends} times without a usable answer and a re-read does not show it; \
         not sent again"
    )
}

/// The outcome of an error after which the write is known not to be applied.
pub(super) fn settled_outcome(err: &CarrierError) -> Outcome {
    match err {
        CarrierError::Rejected { code, message } => Outcome::Refused {
            code: code.clone(),
            message: message.clone(),
        },
        CarrierError::NotFound(message) => Outcome::Refused {
            code: "not-found".into(),
            message: message.clone(),
        },
        other => Outcome::Failed {
            why: format!("not applied: {other}"),
        },
    }
}

/// The entry as it would be after `outcome` (when the store could not say so).
pub(super) fn apply(mut entry: JournalEntry, outcome: &Outcome, at: DateTime<Utc>) -> JournalEntry {
    entry.state = outcome.state();
    entry.updated_at = at;
    match outcome {
        Outcome::Confirmed { message } => entry.outcome = Some(message.clone()),
        Outcome::Refused { code, message } => {
            entry.code = Some(code.clone());
            entry.outcome = Some(message.clone());
        }
        Outcome::Failed { why } | Outcome::Unknown { why } => entry.outcome = Some(why.clone()),
        Outcome::Accepted { receipt, why } => {
            entry.receipt = Some(receipt.clone());
            entry.outcome = Some(why.clone());
        }
    }
    if entry.state.is_final() {
        entry.resolved_at = Some(at);
    }
    entry
}

/// The result of a write the journal could not record: failed, never sent.
pub(super) fn not_recorded(new: NewJournalEntry<'_>, err: StoreError) -> WriteResult {
    let entry = JournalEntry {
        id: String::new(),
        session: new.session.to_owned(),
        author: new.author.to_owned(),
        created_at: new.at,
        key: new.key.clone(),
        kind: new.kind.to_owned(),
        request: new.request.clone(),
        state: JournalState::Failed,
        sends: 0,
        code: None,
        outcome: Some(format!("not sent: the journal could not record it: {err}")),
        receipt: None,
        updated_at: new.at,
        resolved_at: Some(new.at),
    };
    WriteResult {
        entry,
        order: None,
        error: None,
        store_error: Some(err),
    }
}
