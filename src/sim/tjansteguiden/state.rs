//! The Tjänsteguiden simulator's mutable state: each order's current status,
//! the log lines actions added, what was requested (per method, for tests),
//! and the fault dice. Holds the rules of the two writes (`set_status` takes
//! one of the six documented statuses and logs `Status changed to X for
//! order N` as a `system` line; `add_message` takes one of the documented
//! types). The generated data itself is in `data`; nothing here encodes XML
//! or does I/O.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::data::{LogLine, MESSAGE_TYPES, STATUS_WORDS, VALID_STATUSES};
use crate::sim::faults::{FaultDice, Faults};

/// The methods that change state.
pub(super) const WRITE_METHODS: [&str; 2] = ["set_status", "add_message"];

pub(super) struct SimState {
    /// Current status per order (index into STATUS_WORDS).
    pub(super) status: Vec<u8>,
    /// Log lines added by actions, per order index.
    pub(super) added: HashMap<usize, Vec<LogLine>>,
    /// Requests received per method (valid or not, faults included).
    pub(super) requests: HashMap<String, usize>,
    /// The query of the last request per method, as received.
    pub(super) last_query: HashMap<String, Vec<(String, String)>>,
    /// `set_status` and `add_message` requests received (valid or not).
    pub(super) writes: usize,
    pub(super) dice: FaultDice,
}

impl SimState {
    /// Orders with these statuses; the fault dice seeded from `seed`.
    pub(super) fn new(status: Vec<u8>, faults: Faults, seed: u64) -> SimState {
        SimState {
            status,
            added: HashMap::new(),
            requests: HashMap::new(),
            last_query: HashMap::new(),
            writes: 0,
            dice: FaultDice::new(faults, seed ^ 0xD1CE_D1CE),
        }
    }

    /// Counts a request with `method` and keeps its query.
    pub(super) fn record(&mut self, method: &str, query: &[(String, String)]) {
        *self.requests.entry(method.to_owned()).or_default() += 1;
        self.last_query.insert(method.to_owned(), query.to_vec());
        if WRITE_METHODS.contains(&method) {
            self.writes += 1;
        }
    }

    /// `set_status`: order `index` (of id `id`) gets `status`, logged at
    /// `at`. `Ok` is the success message, `Err` why the status is refused.
    pub(super) fn set_status(
        &mut self,
        index: usize,
        id: u64,
        status: &str,
        at: NaiveDateTime,
    ) -> Result<String, String> {
        let valid = &STATUS_WORDS[..VALID_STATUSES];
        let Some(code) = valid.iter().position(|s| *s == status) else {
            return Err(format!(
                "Invalid status \"{status}\"; valid values are {}",
                valid.join(", ")
            ));
        };
        let message = format!("Status changed to {status} for order {id}");
        self.status[index] = code as u8;
        self.added.entry(index).or_default().push(LogLine {
            at,
            kind: Some("system".into()),
            message: message.clone(),
        });
        Ok(message)
    }

    /// `add_message`: a log line of type `kind` for order `index`, at `at`.
    /// `Err` is why the type is refused.
    pub(super) fn add_message(
        &mut self,
        index: usize,
        kind: &str,
        text: String,
        at: NaiveDateTime,
    ) -> Result<(), String> {
        if !MESSAGE_TYPES.contains(&kind) {
            return Err(format!(
                "Invalid type \"{kind}\"; valid values are {}",
                MESSAGE_TYPES.join(", ")
            ));
        }
        self.added.entry(index).or_default().push(LogLine {
            at,
            kind: Some(kind.to_owned()),
            message: text,
        });
        Ok(())
    }
}
