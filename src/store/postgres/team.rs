//! What only the team store holds: each carrier's health as the daemon
//! last reported it ([`CarrierHealth`], table `carrier_health`), which
//! order each agent has open ([`Presence`], table `presence`; a follower
//! reads all of it once, then only the agents a change names), and how
//! many consoles follow the store (from `pg_stat_activity`, for the
//! daemon's metrics). A solo console computes the first two itself and has
//! no use for any of them. Must not: decide what is shown (how old a
//! presence may be is the caller's rule, see [`PRESENCE_FRESH`]).

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_postgres::Row;

use super::PgStore;
use crate::domain::{OrderKey, sanitize};
use crate::store::StoreError;
use crate::store::sqlite::ts;

/// A presence not refreshed for this long is gone (its console left or
/// lost its connection); consoles refresh theirs well within it.
pub const PRESENCE_FRESH: Duration = Duration::from_secs(60);

/// A carrier's health as the polling daemon last reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarrierHealth {
    pub carrier: String,
    /// The carrier's config `kind`.
    pub kind: String,
    /// Whether the last poll succeeded.
    pub ok: bool,
    /// Why not, or what the poll said (a sentence for the chip).
    pub detail: Option<String>,
    pub checked_at: DateTime<Utc>,
    pub next_poll: Option<DateTime<Utc>>,
    /// Which daemon polls it (`host:pid`), for "who holds the lock".
    pub poller: Option<String>,
}

/// One agent's console: the order they have open, and the dialog they are
/// in on it, if any (e.g. "writing a message").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    pub agent: String,
    pub order: Option<OrderKey>,
    pub dialog: Option<String>,
    pub seen_at: DateTime<Utc>,
}

impl PgStore {
    /// Records a carrier's health (the daemon, role `orderdesk_sync`).
    pub async fn set_carrier_health(&self, health: &CarrierHealth) -> Result<(), StoreError> {
        let doing = "recording a carrier's health";
        let client = self.client(doing).await?;
        client
            .execute(
                "INSERT INTO carrier_health (carrier, kind, ok, detail, checked_at, next_poll, poller)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (carrier) DO UPDATE SET kind = excluded.kind, ok = excluded.ok,
                     detail = excluded.detail, checked_at = excluded.checked_at,
                     next_poll = excluded.next_poll, poller = excluded.poller",
                &[
                    &health.carrier,
                    &health.kind,
                    &health.ok,
                    &health.detail,
                    &ts(health.checked_at),
                    &health.next_poll.map(ts),
                    &health.poller,
                ],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        Ok(())
    }

    /// Every carrier's last reported health, by name.
    pub async fn carrier_health(&self) -> Result<Vec<CarrierHealth>, StoreError> {
        let doing = "reading the carriers' health";
        let client = self.client(doing).await?;
        let rows = client
            .query(
                "SELECT carrier, kind, ok, detail, checked_at, next_poll, poller
                 FROM carrier_health ORDER BY carrier",
                &[],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        rows.iter().map(|row| self.health(doing, row)).collect()
    }

    fn health(&self, doing: &'static str, row: &Row) -> Result<CarrierHealth, StoreError> {
        let next_poll: Option<&str> = row.get(5);
        Ok(CarrierHealth {
            carrier: row.get(0),
            kind: row.get(1),
            ok: row.get(2),
            detail: row.get(3),
            checked_at: self.time(doing, row.get(4))?,
            next_poll: next_poll.map(|t| self.time(doing, t)).transpose()?,
            poller: row.get(6),
        })
    }

    /// Publishes (or refreshes) `agent`'s presence; `order: None` means
    /// the agent is on the table with no order open.
    pub async fn set_presence(
        &self,
        agent: &str,
        order: Option<&OrderKey>,
        dialog: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let doing = "publishing presence";
        let agent = sanitize(agent);
        let dialog = dialog.map(sanitize);
        let client = self.client(doing).await?;
        client
            .execute(
                "INSERT INTO presence (agent, carrier, order_id, dialog, seen_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (agent) DO UPDATE SET carrier = excluded.carrier,
                     order_id = excluded.order_id, dialog = excluded.dialog,
                     seen_at = excluded.seen_at",
                &[
                    &agent,
                    &order.map(|k| &*k.carrier),
                    &order.map(|k| k.id.as_str()),
                    &dialog,
                    &ts(at),
                ],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        Ok(())
    }

    /// Withdraws `agent`'s presence (the console is closing).
    pub async fn clear_presence(&self, agent: &str) -> Result<(), StoreError> {
        let doing = "withdrawing presence";
        let client = self.client(doing).await?;
        client
            .execute("DELETE FROM presence WHERE agent = $1", &[&sanitize(agent)])
            .await
            .map_err(|e| self.err(doing, &e))?;
        Ok(())
    }

    /// Every presence seen at or after `since` (e.g. now minus
    /// [`PRESENCE_FRESH`]), by agent.
    pub async fn presence(&self, since: DateTime<Utc>) -> Result<Vec<Presence>, StoreError> {
        let doing = "reading presence";
        let client = self.client(doing).await?;
        let rows = client
            .query(
                "SELECT agent, carrier, order_id, dialog, seen_at FROM presence
                 WHERE seen_at >= $1 ORDER BY agent",
                &[&ts(since)],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        rows.iter()
            .map(|row| self.presence_row(doing, row))
            .collect()
    }

    /// The presence of the named `agents` (those a change announced), and
    /// of anyone seen after `newer_than` (the newest `seen_at` the caller
    /// holds: what changed while nobody listened), each seen at or after
    /// `since`, by agent. A named agent missing from the answer has left
    /// (or was not seen since `since`). A follower reads this instead of
    /// every row on each change, so one change costs each console the
    /// changed rows, not the whole team's.
    pub async fn presence_of(
        &self,
        agents: &[String],
        newer_than: DateTime<Utc>,
        since: DateTime<Utc>,
    ) -> Result<Vec<Presence>, StoreError> {
        let doing = "reading presence";
        let client = self.client(doing).await?;
        let rows = client
            .query(
                "SELECT agent, carrier, order_id, dialog, seen_at FROM presence
                 WHERE seen_at >= $1 AND (agent = ANY($2) OR seen_at > $3)
                 ORDER BY agent",
                &[&ts(since), &agents, &ts(newer_than)],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        rows.iter()
            .map(|row| self.presence_row(doing, row))
            .collect()
    }

    fn presence_row(&self, doing: &'static str, row: &Row) -> Result<Presence, StoreError> {
        let carrier: Option<&str> = row.get(1);
        let id: Option<&str> = row.get(2);
        Ok(Presence {
            agent: row.get(0),
            order: carrier.zip(id).map(|(c, i)| OrderKey::new(c, i)),
            dialog: row.get(3),
            seen_at: self.time(doing, row.get(4))?,
        })
    }

    /// How many consoles follow this database now: the connections whose
    /// `application_name` is [`super::session::FOLLOWER_APP`] (their LISTEN
    /// connections), as `pg_stat_activity` shows them. Any role sees other
    /// sessions' `application_name` and database there.
    pub async fn followers_connected(&self) -> Result<u64, StoreError> {
        let doing = "counting the consoles that follow";
        let client = self.client(doing).await?;
        let row = client
            .query_one(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND application_name = $1",
                &[&super::session::FOLLOWER_APP],
            )
            .await
            .map_err(|e| self.err(doing, &e))?;
        let count: i64 = row.get(0);
        Ok(u64::try_from(count).unwrap_or(0))
    }
}
