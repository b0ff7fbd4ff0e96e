//! The portal's status vocabulary as the document defines it: each word's
//! stage, whether it is final and its meaning, and the progress order the
//! "backwards" confirmation uses (new < received < active < waiting <
//! delivered; from delivered or cancelled every move is backwards). Unknown
//! words need attention, their text kept. Read by the wire parser and the
//! profile alike.

use crate::domain::{Stage, Status, StatusDef};

/// The portal's statuses, in the document's order, with its meanings.
pub const STATUSES: [StatusDef; 6] = [
    StatusDef {
        raw: "new",
        stage: Stage::New,
        terminal: false,
        meaning: "order is new and unhandeled",
    },
    StatusDef {
        raw: "received",
        stage: Stage::InProgress,
        terminal: false,
        meaning: "order is received by target (xsp)",
    },
    StatusDef {
        raw: "active",
        stage: Stage::InProgress,
        terminal: false,
        meaning: "order is being handeled",
    },
    StatusDef {
        raw: "waiting",
        stage: Stage::NeedsAttention,
        terminal: false,
        meaning: "order is pending action from other party",
    },
    StatusDef {
        raw: "cancelled",
        stage: Stage::Closed,
        terminal: true,
        meaning: "order has been cancelled",
    },
    StatusDef {
        raw: "delivered",
        stage: Stage::Done,
        terminal: true,
        meaning: "order has been fulfilled to end customer",
    },
];

/// The definition of a known status word (case-insensitive).
pub fn status_def(raw: &str) -> Option<&'static StatusDef> {
    let raw = raw.trim();
    STATUSES.iter().find(|d| d.raw.eq_ignore_ascii_case(raw))
}

/// A raw status as a [`Status`]; unknown words need attention (raw kept).
pub fn status_of(raw: &str) -> Status {
    match status_def(raw) {
        Some(def) => Status::new(raw.trim(), def.stage, def.terminal),
        None => Status::new(raw.trim(), Stage::NeedsAttention, false),
    }
}

/// Progress rank for the "backwards" rule; `cancelled` and unknown words
/// have none.
fn rank(raw: &str) -> Option<u8> {
    match status_def(raw)?.raw {
        "new" => Some(0),
        "received" => Some(1),
        "active" => Some(2),
        "waiting" => Some(3),
        "delivered" => Some(4),
        _ => None,
    }
}

/// Whether moving from `current` to `target` goes backwards.
pub fn is_backwards(current: &str, target: &str) -> bool {
    if status_def(current).is_some_and(|d| d.terminal) {
        return true;
    }
    matches!((rank(current), rank(target)), (Some(c), Some(t)) if t < c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_follow_the_design_table() {
        assert_eq!(status_of("new").stage, Stage::New);
        assert_eq!(status_of("received").stage, Stage::InProgress);
        assert_eq!(status_of("active").stage, Stage::InProgress);
        assert_eq!(status_of("waiting").stage, Stage::NeedsAttention);
        assert!(status_of("delivered").terminal);
        assert_eq!(status_of("delivered").stage, Stage::Done);
        assert_eq!(status_of("cancelled").stage, Stage::Closed);
        let odd = status_of("on_hold");
        assert_eq!(
            (odd.raw.as_str(), odd.stage, odd.terminal),
            ("on_hold", Stage::NeedsAttention, false)
        );
    }
}
