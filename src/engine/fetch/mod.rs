//! One fetcher task per carrier instance: polls on the carrier's interval
//! (skipping its quiet hours), backs off after failures (honouring
//! `Retry-After`), polls at once on a manual refresh, and reports everything
//! as [`SyncEvent`]s to the engine (which records them and passes them on).
//! A slow or dead carrier never holds up another one or the console: each
//! fetcher is its own task and talks only through channels. Must not: write
//! to the store or decide what is shown.

mod schedule;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::carriers::{CarrierHandle, SyncEvent, SyncSink};

pub use schedule::{FirstPoll, Outcome, first_delay, next_delay};

/// The running fetchers; dropping it stops them.
#[derive(Debug, Default)]
pub struct Fetchers {
    triggers: HashMap<Arc<str>, mpsc::Sender<()>>,
    tasks: HashMap<Arc<str>, JoinHandle<()>>,
}

impl Fetchers {
    /// Starts one fetcher per carrier; each polls first as `first` says
    /// (at once, or at the end of its quiet hours, reported as
    /// [`SyncEvent::Held`]; a manual refresh polls at once either way), from
    /// its stored cursor when `cursors` has one. New cursors are reported as
    /// [`SyncEvent::Cursor`] on the same channel, after the orders they
    /// cover, so whoever stores them never stores a cursor ahead of its
    /// orders.
    pub fn spawn(
        handles: &[CarrierHandle],
        events: mpsc::UnboundedSender<SyncEvent>,
        cursors: &HashMap<String, String>,
        first: FirstPoll,
    ) -> Fetchers {
        let mut fetchers = Fetchers::default();
        for handle in handles {
            let start = cursors.get(&*handle.name).cloned();
            fetchers.start(handle, &events, start, first);
        }
        fetchers
    }

    /// Starts (or restarts) the fetcher of one carrier from `cursor` (a team
    /// daemon that has just become this carrier's poller).
    pub fn start(
        &mut self,
        handle: &CarrierHandle,
        events: &mpsc::UnboundedSender<SyncEvent>,
        cursor: Option<String>,
        first: FirstPoll,
    ) {
        self.stop(&handle.name);
        // Capacity 1: a refresh pressed during a poll queues exactly one more.
        let (trigger, pressed) = mpsc::channel(1);
        let sink = SyncSink::new(handle.name.clone(), events.clone());
        self.triggers.insert(handle.name.clone(), trigger);
        let task = tokio::spawn(run(handle.clone(), sink, pressed, cursor, first));
        self.tasks.insert(handle.name.clone(), task);
    }

    /// Stops one carrier's fetcher at once (a poll under way is dropped);
    /// whether one was running.
    pub fn stop(&mut self, carrier: &str) -> bool {
        self.triggers.remove(carrier);
        match self.tasks.remove(carrier) {
            Some(task) => {
                task.abort();
                true
            }
            None => false,
        }
    }

    /// Whether this carrier's fetcher is running.
    pub fn is_running(&self, carrier: &str) -> bool {
        self.tasks.contains_key(carrier)
    }

    /// Asks one carrier (or all, with `None`) to poll now.
    pub fn refresh(&self, carrier: Option<&str>) {
        for (name, trigger) in &self.triggers {
            if carrier.is_none_or(|c| c == &**name) {
                let _ = trigger.try_send(());
            }
        }
    }
}

impl Drop for Fetchers {
    fn drop(&mut self) {
        for task in self.tasks.values() {
            task.abort();
        }
    }
}

async fn run(
    handle: CarrierHandle,
    sink: SyncSink,
    mut pressed: mpsc::Receiver<()>,
    mut cursor: Option<String>,
    first: FirstPoll,
) {
    let now = Utc::now();
    let held = first_delay(&handle.plan, first, now);
    if !held.is_zero() {
        sink.send(SyncEvent::Held {
            carrier: handle.name.clone(),
            until: now + chrono::Duration::from_std(held).unwrap_or(chrono::Duration::MAX),
        });
        tokio::select! {
            _ = tokio::time::sleep(held) => {}
            got = pressed.recv() => {
                if got.is_none() {
                    return;
                }
            }
        }
    }
    let mut failures: u32 = 0;
    loop {
        sink.send(SyncEvent::Started {
            carrier: handle.name.clone(),
        });
        let result = handle.reader.poll(cursor.clone(), &sink).await;
        let outcome = match &result {
            Ok((_, next_cursor)) => {
                cursor = next_cursor.clone();
                if let Some(c) = &cursor {
                    sink.send(SyncEvent::Cursor {
                        carrier: handle.name.clone(),
                        cursor: c.clone(),
                    });
                }
                failures = 0;
                Outcome::Ok
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                tracing::warn!(carrier = %handle.name, error = %e, "poll failed");
                Outcome::Failed {
                    retry_after: e.retry_after(),
                    failures,
                }
            }
        };
        let now = Utc::now();
        let delay = next_delay(&handle.plan, outcome, now);
        let next_poll = now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
        if let Err(e) = &result {
            if e.retry_after().is_some() {
                sink.send(SyncEvent::Waiting {
                    carrier: handle.name.clone(),
                    until: next_poll,
                });
            }
        }
        sink.send(SyncEvent::Finished {
            carrier: handle.name.clone(),
            result: result.map(|(summary, _)| summary),
            next_poll: Some(next_poll),
        });
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            got = pressed.recv() => {
                if got.is_none() {
                    return;
                }
            }
        }
    }
}
