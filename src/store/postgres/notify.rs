//! What the team store's change notifications say: the payload the v2
//! triggers send on `schema::CHANNEL` for every changed row, parsed into a
//! [`Change`]. A payload names the row only; whoever listens reads the row
//! itself, so a notification lost in a reconnect costs a catch-up read,
//! never wrong data. Must not: read rows or hold a connection (a listener
//! does that).

use serde::Deserialize;

use crate::domain::{JournalState, OrderKey};

/// One changed row, as a trigger announced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// An order was saved or removed.
    Order(OrderKey),
    /// A note was added to the order.
    Note(OrderKey),
    /// The order's flag was set or cleared.
    Flag(OrderKey),
    /// A journal entry for the order was recorded or moved to `state`.
    Journal {
        key: OrderKey,
        entry: String,
        state: JournalState,
    },
    /// An agent's presence changed: the order they have open, if any.
    Presence {
        agent: String,
        order: Option<OrderKey>,
    },
    /// The daemon reported on a carrier's health.
    Health { carrier: String },
}

#[derive(Deserialize)]
struct Payload {
    table: String,
    carrier: Option<String>,
    id: Option<String>,
    entry: Option<String>,
    state: Option<String>,
    agent: Option<String>,
}

impl Change {
    /// Parses one notification's payload; an error names what is wrong
    /// (a payload from another version of orderdesk, or not ours).
    pub fn parse(payload: &str) -> Result<Change, String> {
        let p: Payload = serde_json::from_str(payload)
            .map_err(|e| format!("a change notification that is not ours ({e})"))?;
        let key = |p: &Payload| match (&p.carrier, &p.id) {
            (Some(carrier), Some(id)) if !carrier.is_empty() && !id.is_empty() => {
                Ok(OrderKey::new(carrier.as_str(), id.as_str()))
            }
            _ => Err(format!("a `{}` change without its order", p.table)),
        };
        Ok(match p.table.as_str() {
            "orders" => Change::Order(key(&p)?),
            "notes" => Change::Note(key(&p)?),
            "flags" => Change::Flag(key(&p)?),
            "journal" => {
                let key = key(&p)?;
                let state = p
                    .state
                    .as_deref()
                    .and_then(JournalState::parse)
                    .ok_or("a journal change without a known state")?;
                let entry = p.entry.ok_or("a journal change without its entry")?;
                Change::Journal { key, entry, state }
            }
            "presence" => Change::Presence {
                order: key(&p).ok(),
                agent: p.agent.ok_or("a presence change without its agent")?,
            },
            "carrier_health" => Change::Health {
                carrier: p.carrier.ok_or("a health change without its carrier")?,
            },
            other => return Err(format!("a change to an unknown table `{other}`")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_table_s_payload_parses() {
        let order = OrderKey::new("tg", "42/a");
        assert_eq!(
            Change::parse(r#"{"table":"orders","carrier":"tg","id":"42/a"}"#),
            Ok(Change::Order(order.clone()))
        );
        assert_eq!(
            Change::parse(r#"{"table":"flags","carrier":"tg","id":"42/a"}"#),
            Ok(Change::Flag(order.clone()))
        );
        assert_eq!(
            Change::parse(
                r#"{"table":"journal","carrier":"tg","id":"42/a","entry":"e1","state":"sending"}"#
            ),
            Ok(Change::Journal {
                key: order.clone(),
                entry: "e1".into(),
                state: JournalState::Sending
            })
        );
        assert_eq!(
            Change::parse(r#"{"table":"presence","agent":"anna","carrier":null,"id":null}"#),
            Ok(Change::Presence {
                agent: "anna".into(),
                order: None
            })
        );
        assert_eq!(
            Change::parse(r#"{"table":"carrier_health","carrier":"px"}"#),
            Ok(Change::Health {
                carrier: "px".into()
            })
        );
    }

    #[test]
    fn a_foreign_or_broken_payload_is_an_error_not_a_panic() {
        for bad in [
            "",
            "not json",
            r#"{"table":"orders"}"#,
            r#"{"table":"orders","carrier":"","id":"1"}"#,
            r#"{"table":"journal","carrier":"tg","id":"1","entry":"e","state":"odd"}"#,
            r#"{"table":"elsewhere"}"#,
        ] {
            assert!(Change::parse(bad).is_err(), "{bad}");
        }
    }
}
