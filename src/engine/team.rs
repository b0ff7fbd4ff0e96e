//! The engine as the team's poller (`orderdesk sync`): which carriers this
//! process polls now (it holds their poller locks; the daemon says so with
//! `Command::Poll` / `Command::StopPolling`), and passes over the shared
//! journal that send what consoles recorded for exactly those carriers
//! (`Command::ResolvePolled`, `WriteExecutor::resolve_for_team`). Wake-ups
//! that come while a pass runs are merged into one more pass. Must not:
//! take or release locks (the daemon does) or send a write of a carrier it
//! does not poll.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use chrono::Utc;
use tokio::sync::{Mutex, Notify, mpsc};

use super::{Event, Recorder, WriteExecutor};
use crate::carriers::CarrierHandle;

/// Shared between the engine, its pass task and the daemon's handle.
#[derive(Debug, Clone, Default)]
pub(super) struct Team {
    polled: Arc<RwLock<HashSet<Arc<str>>>>,
    wake: Arc<Notify>,
    /// Held for the length of a pass.
    busy: Arc<Mutex<()>>,
    /// Set when the daemon stops: no pass starts, no entry is taken.
    stopping: Arc<AtomicBool>,
    spawned: Arc<AtomicBool>,
}

impl Team {
    pub fn polls(&self, carrier: &Arc<str>, on: bool) {
        let mut polled = self.polled.write().unwrap_or_else(PoisonError::into_inner);
        if on {
            polled.insert(carrier.clone());
        } else {
            polled.remove(carrier);
        }
    }

    fn is_ours(&self, carrier: &str) -> bool {
        !self.stopping.load(Ordering::SeqCst)
            && self
                .polled
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .contains(carrier)
    }

    /// Asks for a pass (starting the pass task on first use).
    pub fn wake(
        &self,
        executor: &Arc<WriteExecutor>,
        handles: Vec<CarrierHandle>,
        events: &mpsc::UnboundedSender<Event>,
        recorder: Option<Recorder>,
    ) {
        if !self.spawned.swap(true, Ordering::SeqCst) {
            tokio::spawn(
                self.clone()
                    .passes(executor.clone(), handles, events.clone(), recorder),
            );
        }
        self.wake.notify_one();
    }

    async fn passes(
        self,
        executor: Arc<WriteExecutor>,
        handles: Vec<CarrierHandle>,
        events: mpsc::UnboundedSender<Event>,
        recorder: Option<Recorder>,
    ) {
        loop {
            self.wake.notified().await;
            if events.is_closed() {
                return;
            }
            let _busy = self.busy.lock().await;
            let polled: Vec<CarrierHandle> = handles
                .iter()
                .filter(|h| self.is_ours(&h.name))
                .cloned()
                .collect();
            if polled.is_empty() {
                continue;
            }
            let ours = |carrier: &str| self.is_ours(carrier);
            for outcome in executor.resolve_for_team(&polled, Utc::now(), &ours).await {
                if let (Some(recorder), Some(order)) = (&recorder, &outcome.order) {
                    recorder.orders(vec![order.clone()]);
                }
                let _ = events.send(Event::JournalChanged {
                    entry: Box::new(outcome.entry),
                    order: outcome.order,
                });
            }
        }
    }

    /// No pass starts and no entry is taken from now on; returns when the
    /// pass under way (its sends and their outcomes) has ended.
    pub async fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        let _idle = self.busy.lock().await;
    }
}
