//! Writes as the journal records them: where each one is in its life
//! ([`JournalState`]), how it ended ([`Outcome`]), the entry itself and the
//! filter the journal is listed with. Pure data; the allowed moves are
//! enforced by every store implementing `crate::store::Journal`, and nothing
//! here sends or persists anything.
//!
//! States:
//! ```text
//! recorded ──> sending ──> confirmed   (a re-read shows the effect)
//!    │            │    ├─> refused     (the carrier said no: code, message)
//!    │            │    ├─> failed      (certainly not applied, with why)
//!    │            │    └─> unknown ──> sending (resent once, after a re-read
//!    │            │           │                 showed it was not applied)
//!    │            │           └──────> confirmed | refused | failed
//!    └─> failed   └─> sending (claimed again after a crash)
//! ```
//! `confirmed`, `refused` and `failed` are final. `unknown` with a `receipt`
//! means the carrier accepted it but a re-read did not show it yet; such an
//! entry is only ever re-read, never sent again.
//!
//! Every move is a compare-and-set in the store, so two consoles on one
//! store cannot both claim the same entry.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{ActionKind, ActionRequest, LogEntry, LogKind, OrderKey, Stamp, sanitize};

/// Where a write is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JournalState {
    /// Recorded, not sent yet.
    Recorded,
    /// About to be sent or in flight.
    Sending,
    /// A re-read shows the effect.
    Confirmed,
    /// The carrier refused it (code and message).
    Refused,
    /// Never sent, or certainly not applied (why).
    Failed,
    /// Sent, no usable answer; resolved by a re-read.
    Unknown,
}

impl JournalState {
    pub const ALL: [JournalState; 6] = [
        JournalState::Recorded,
        JournalState::Sending,
        JournalState::Confirmed,
        JournalState::Refused,
        JournalState::Failed,
        JournalState::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JournalState::Recorded => "recorded",
            JournalState::Sending => "sending",
            JournalState::Confirmed => "confirmed",
            JournalState::Refused => "refused",
            JournalState::Failed => "failed",
            JournalState::Unknown => "unknown",
        }
    }

    pub fn parse(text: &str) -> Option<JournalState> {
        JournalState::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Confirmed, refused or failed: nothing more will happen.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JournalState::Confirmed | JournalState::Refused | JournalState::Failed
        )
    }

    /// Whether an entry in this state may take an outcome leading to `to`:
    /// from `recorded` only `failed` (it was never sent), from `sending` and
    /// `unknown` anything, from a final state nothing. Every store applies
    /// this one rule.
    pub fn may_settle_to(self, to: JournalState) -> bool {
        match self {
            JournalState::Recorded => to == JournalState::Failed,
            JournalState::Sending | JournalState::Unknown => true,
            _ => false,
        }
    }
}

impl std::fmt::Display for JournalState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a write ended (or where it stands), for `Journal::journal_finish`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A re-read shows the effect; `message` is the carrier's receipt or how
    /// it was confirmed.
    Confirmed { message: String },
    /// The carrier understood and said no.
    Refused { code: String, message: String },
    /// Never sent, or certainly not applied.
    Failed { why: String },
    /// Sent, no usable answer.
    Unknown { why: String },
    /// The carrier accepted it (`receipt`) but a re-read does not show the
    /// effect (yet), or the re-read failed. Stays `unknown`; never resent.
    Accepted { receipt: String, why: String },
}

/// What a store writes for an outcome: the carrier's code, the text, and
/// the receipt (the one the entry already had unless the outcome brings one).
pub struct OutcomeColumns {
    pub code: Option<String>,
    pub text: String,
    pub receipt: Option<String>,
}

impl Outcome {
    /// The columns a store writes for this outcome; `kept` is the receipt
    /// the entry already holds.
    pub fn columns(&self, kept: Option<String>) -> OutcomeColumns {
        let (code, text, receipt) = match self {
            Outcome::Confirmed { message } => (None, message, kept),
            Outcome::Refused { code, message } => (Some(code.clone()), message, kept),
            Outcome::Failed { why } | Outcome::Unknown { why } => (None, why, kept),
            Outcome::Accepted { receipt, why } => (None, why, Some(receipt.clone())),
        };
        OutcomeColumns {
            code,
            text: text.clone(),
            receipt,
        }
    }

    pub fn state(&self) -> JournalState {
        match self {
            Outcome::Confirmed { .. } => JournalState::Confirmed,
            Outcome::Refused { .. } => JournalState::Refused,
            Outcome::Failed { .. } => JournalState::Failed,
            Outcome::Unknown { .. } | Outcome::Accepted { .. } => JournalState::Unknown,
        }
    }
}

/// What is recorded before a write is sent.
#[derive(Debug, Clone, Copy)]
pub struct NewJournalEntry<'a> {
    /// The executor instance that records it (see `crate::engine::WriteExecutor`).
    pub session: &'a str,
    pub author: &'a str,
    pub key: &'a OrderKey,
    /// The carrier kind.
    pub kind: &'a str,
    pub request: &'a ActionRequest,
    pub at: DateTime<Utc>,
}

/// One write as the journal knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    /// Unique id: 128 random bits as 32 hex digits.
    pub id: String,
    /// The executor instance that recorded or last claimed it.
    pub session: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub key: OrderKey,
    /// The carrier kind.
    pub kind: String,
    /// The request as validated: enough to send it again after a restart.
    pub request: ActionRequest,
    pub state: JournalState,
    /// How many times it was handed to the carrier's writer.
    pub sends: u32,
    /// The carrier's code when it refused.
    pub code: Option<String>,
    /// The outcome in words (carrier message, why it failed, what is unknown).
    pub outcome: Option<String>,
    /// The carrier's acceptance message, when it accepted the write.
    pub receipt: Option<String>,
    pub updated_at: DateTime<Utc>,
    /// When it reached a final state.
    pub resolved_at: Option<DateTime<Utc>>,
}

impl JournalEntry {
    pub fn action(&self) -> ActionKind {
        self.request.action
    }

    /// One line for the status bar and the timeline: what, and where it stands.
    pub fn describe(&self) -> String {
        let what = if self.request.summary.is_empty() {
            self.request.action.label().to_owned()
        } else {
            self.request.summary.clone()
        };
        let outcome = self.outcome.as_deref().unwrap_or("");
        let status = match self.state {
            JournalState::Recorded => "recorded, not sent yet".to_owned(),
            JournalState::Sending => "sending".to_owned(),
            JournalState::Confirmed => "confirmed".to_owned(),
            JournalState::Refused => {
                format!("refused {} {}", self.code.as_deref().unwrap_or(""), outcome)
            }
            JournalState::Failed => format!("failed: {outcome}"),
            JournalState::Unknown => match &self.receipt {
                Some(receipt) => format!("accepted ({receipt}), not yet visible"),
                None => format!("outcome unknown: {outcome}"),
            },
        };
        sanitize(&format!("{what}: {}", status.trim_end()))
    }

    /// The entry as a line of the order's Log timeline (kind `journal`,
    /// source = author, time = when it was recorded).
    pub fn to_log_entry(&self) -> LogEntry {
        LogEntry {
            at: Stamp::parsed(self.created_at),
            kind: LogKind::Journal,
            source: self.author.clone(),
            text: self.describe(),
        }
    }
}

impl Serialize for JournalEntry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Json<'a> {
            id: &'a str,
            author: &'a str,
            created_at: DateTime<Utc>,
            key: String,
            carrier: &'a str,
            order_id: &'a str,
            kind: &'a str,
            action: &'static str,
            summary: &'a str,
            params: serde_json::Map<String, serde_json::Value>,
            preview: Option<&'a str>,
            state: JournalState,
            sends: u32,
            code: Option<&'a str>,
            outcome: Option<&'a str>,
            receipt: Option<&'a str>,
            updated_at: DateTime<Utc>,
            resolved_at: Option<DateTime<Utc>>,
        }
        Json {
            id: &self.id,
            author: &self.author,
            created_at: self.created_at,
            key: self.key.to_string(),
            carrier: &self.key.carrier,
            order_id: &self.key.id,
            kind: &self.kind,
            action: self.request.action.as_str(),
            summary: &self.request.summary,
            params: self
                .request
                .params
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect(),
            preview: self.request.preview.as_deref(),
            state: self.state,
            sends: self.sends,
            code: self.code.as_deref(),
            outcome: self.outcome.as_deref(),
            receipt: self.receipt.as_deref(),
            updated_at: self.updated_at,
            resolved_at: self.resolved_at,
        }
        .serialize(s)
    }
}

/// Which entries `Journal::journal` lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JournalFilter {
    /// Recorded at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Of this order only.
    pub key: Option<OrderKey>,
    /// At most this many (the newest).
    pub limit: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip() {
        for s in JournalState::ALL {
            assert_eq!(JournalState::parse(s.as_str()), Some(s));
        }
        assert!(JournalState::Refused.is_final());
        assert!(!JournalState::Unknown.is_final());
    }
}
