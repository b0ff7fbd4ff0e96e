//! Publishing this agent's presence: the order they have open and the
//! dialog they are in. A change waits [`PRESENCE_DEBOUNCE`] for the next
//! (moving through the table publishes once, where the agent stops); an
//! unchanged presence is published again every [`PRESENCE_EVERY`] so it
//! stays fresh for the others; leaving withdraws it. A store that cannot
//! take it is logged and tried again on the next round. Must not: decide
//! what is published (the app does).

use tokio::sync::{mpsc, oneshot};

use super::{PRESENCE_DEBOUNCE, PRESENCE_EVERY};
use crate::domain::OrderKey;
use crate::store::PgStore;

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
