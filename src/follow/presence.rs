//! Presence, both ways.
//!
//! - Publishing this agent's presence ([`Publisher`]): the order they have
//!   open and the dialog they are in. A change waits [`PRESENCE_DEBOUNCE`]
//!   for the next (moving through the table publishes once, where the agent
//!   stops); an unchanged presence is published again every
//!   [`PRESENCE_EVERY`] so it stays fresh for the others; leaving withdraws
//!   it. A store that cannot take it is logged and tried again on the next
//!   round.
//! - Knowing everyone's ([`Roster`]): read whole once, then on each change
//!   only the rows of the agents it names (plus any row newer than the
//!   newest held, which catches what changed while nobody listened), so a
//!   change costs each console a row, not the whole team's. An agent named
//!   without a fresh row has left; a row older than [`PRESENCE_FRESH`] is
//!   dropped (a console that vanished without leaving).
//!
//! Must not: decide what is published (the app does) or shown.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};

use super::{PRESENCE_DEBOUNCE, PRESENCE_EVERY};
use crate::domain::OrderKey;
use crate::store::postgres::{PRESENCE_FRESH, Presence};
use crate::store::{PgStore, StoreError};

/// Everyone's fresh presence as this follower knows it.
#[derive(Debug, Default)]
pub(super) struct Roster {
    /// By agent; `None` until the first (whole) read.
    known: Option<BTreeMap<String, Presence>>,
    /// The newest `seen_at` read.
    newest: Option<DateTime<Utc>>,
}

impl Roster {
    /// Reads what changed for `agents` (the first time: everyone) and
    /// returns everyone's fresh presence, by agent.
    pub async fn changed(
        &mut self,
        store: &PgStore,
        agents: BTreeSet<String>,
    ) -> Result<Vec<Presence>, StoreError> {
        let since = fresh_since(Utc::now());
        match (&mut self.known, self.newest) {
            (Some(known), Some(newest)) => {
                let named: Vec<String> = agents.into_iter().collect();
                let rows = store.presence_of(&named, newest, since).await?;
                for agent in &named {
                    known.remove(agent);
                }
                self.take(rows);
            }
            _ => {
                let rows = store.presence(since).await?;
                self.known = Some(BTreeMap::new());
                self.take(rows);
            }
        }
        let known = self.known.get_or_insert_with(BTreeMap::new);
        known.retain(|_, p| p.seen_at >= since);
        Ok(known.values().cloned().collect())
    }

    fn take(&mut self, rows: Vec<Presence>) {
        let known = self.known.get_or_insert_with(BTreeMap::new);
        for row in rows {
            if self.newest.is_none_or(|n| row.seen_at > n) {
                self.newest = Some(row.seen_at);
            }
            known.insert(row.agent.clone(), row);
        }
        // Nobody seen yet: anything from now on is news.
        if self.newest.is_none() {
            self.newest = Some(fresh_since(Utc::now()));
        }
    }
}

/// The oldest `seen_at` still fresh at `now`.
pub(super) fn fresh_since(now: DateTime<Utc>) -> DateTime<Utc> {
    now - chrono::Duration::from_std(PRESENCE_FRESH).unwrap_or(chrono::Duration::MAX)
}

enum Say {
    Present(Option<OrderKey>, Option<String>),
    Leave(oneshot::Sender<()>),
}

/// The publishing task's handle.
#[derive(Debug, Clone)]
pub(super) struct Publisher {
    tx: mpsc::UnboundedSender<Say>,
}

impl std::fmt::Debug for Say {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Say::Present(order, dialog) => write!(f, "Present({order:?}, {dialog:?})"),
            Say::Leave(_) => f.write_str("Leave"),
        }
    }
}

impl Publisher {
    pub fn spawn(store: PgStore, agent: String) -> Publisher {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(store, agent, rx));
        Publisher { tx }
    }

    pub fn present(&self, order: Option<OrderKey>, dialog: Option<String>) {
        let _ = self.tx.send(Say::Present(order, dialog));
    }

    /// Withdraws the presence; returns once it is (or the task is gone).
    pub async fn leave(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Say::Leave(done)).is_ok() {
            let _ = wait.await;
        }
    }
}

async fn run(store: PgStore, agent: String, mut rx: mpsc::UnboundedReceiver<Say>) {
    let mut current: Option<(Option<OrderKey>, Option<String>)> = None;
    let mut dirty = false;
    loop {
        let wait = if dirty {
            PRESENCE_DEBOUNCE
        } else {
            PRESENCE_EVERY
        };
        match tokio::time::timeout(wait, rx.recv()).await {
            Ok(Some(Say::Present(order, dialog))) => {
                let next = Some((order, dialog));
                if next != current {
                    current = next;
                    dirty = true;
                }
            }
            Ok(Some(Say::Leave(done))) => {
                if let Err(e) = store.clear_presence(&agent).await {
                    tracing::warn!("team store: {e}");
                }
                let _ = done.send(());
                return;
            }
            Ok(None) => {
                let _ = store.clear_presence(&agent).await;
                return;
            }
            // Quiet for the wait: publish what is pending, or refresh.
            Err(_) => {
                if let Some((order, dialog)) = &current {
                    let at = chrono::Utc::now();
                    match store
                        .set_presence(&agent, order.as_ref(), dialog.as_deref(), at)
                        .await
                    {
                        Ok(()) => dirty = false,
                        Err(e) => tracing::warn!("team store: {e}"),
                    }
                }
            }
        }
    }
}
