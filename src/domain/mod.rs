//! The normalized order model every carrier adapter produces (and the
//! summary of it the console's table holds) and every other
//! part of orderdesk consumes: orders, statuses and stages, log timelines,
//! actions and their availability, the write journal's entries, local notes
//! and flags. Pure data and pure functions; no I/O.

mod action;
pub mod base64;
pub mod board;
pub mod csv;
mod journal;
mod notes;
mod order;
mod sanitize;
pub mod sla;
mod summary;
mod time;

pub use action::{
    ActionForm, ActionKind, ActionRequest, Availability, ConfirmRule, FieldError, FieldInput,
    FieldSpec, FormValues,
};
pub use journal::{JournalEntry, JournalFilter, JournalState, NewJournalEntry, Outcome};
pub use notes::{Flag, Note, local_log_entries};
pub use order::{
    Attention, LogEntry, LogKind, Order, OrderKey, Schedule, Stage, Status, StatusDef, unusable_id,
};
pub use sanitize::{escape_unsafe, replace_flags, sanitize, sanitize_multiline};
pub use summary::{OrderSummary, SOURCE_FIELD};
pub use time::{CARRIER_TIME, Stamp, label_zoneless, relative_age, zoned};
