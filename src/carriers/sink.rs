//! How fetchers report to the app: a cheap, cloneable sender of [`SyncEvent`]s
//! tagged with the carrier instance's name. Sending never blocks.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc::UnboundedSender;

use super::CarrierError;
use crate::domain::{Order, OrderKey};

/// What a carrier's fetcher tells the app.
#[derive(Debug, Clone)]
pub enum SyncEvent {
    /// A poll began.
    Started { carrier: Arc<str> },
    /// `done` of `total` detail fetches are finished.
    Progress {
        carrier: Arc<str>,
        done: usize,
        total: usize,
    },
    /// New or changed orders (full replacements of what the app had).
    Orders {
        carrier: Arc<str>,
        orders: Vec<Order>,
    },
    /// One order could not be (re)read; the rest of the carrier is fine.
    OrderFailed { key: OrderKey, error: CarrierError },
    /// A poll ended; `next_poll` is when the next one is planned.
    Finished {
        carrier: Arc<str>,
        result: Result<PollSummary, CarrierError>,
        next_poll: Option<DateTime<Utc>>,
    },
    /// A poll succeeded; the next one starts from `cursor`. Sent after the
    /// orders it covers (for the store; the app may ignore it).
    Cursor { carrier: Arc<str>, cursor: String },
    /// The first poll waits until `until`, the end of the carrier's quiet
    /// hours (a console started inside them).
    Held {
        carrier: Arc<str>,
        until: DateTime<Utc>,
    },
    /// The carrier asked us to wait (429 / Retry-After) until this time.
    Waiting {
        carrier: Arc<str>,
        until: DateTime<Utc>,
    },
}

/// What a finished poll achieved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PollSummary {
    pub listed: usize,
    pub fetched: usize,
    pub failed: usize,
    /// The poll kept what it read but could not read everything (e.g. the
    /// carrier's paging ran away): why, for the carrier chip.
    pub warning: Option<String>,
}

/// Sender half given to a carrier reader during a poll.
#[derive(Debug, Clone)]
pub struct SyncSink {
    carrier: Arc<str>,
    tx: UnboundedSender<SyncEvent>,
}

impl SyncSink {
    pub fn new(carrier: Arc<str>, tx: UnboundedSender<SyncEvent>) -> Self {
        SyncSink { carrier, tx }
    }

    pub fn carrier(&self) -> &Arc<str> {
        &self.carrier
    }

    pub fn progress(&self, done: usize, total: usize) {
        self.send(SyncEvent::Progress {
            carrier: self.carrier.clone(),
            done,
            total,
        });
    }

    pub fn orders(&self, orders: Vec<Order>) {
        if !orders.is_empty() {
            self.send(SyncEvent::Orders {
                carrier: self.carrier.clone(),
                orders,
            });
        }
    }

    pub fn order_failed(&self, key: OrderKey, error: CarrierError) {
        self.send(SyncEvent::OrderFailed { key, error });
    }

    pub fn send(&self, event: SyncEvent) {
        // A closed channel means the app is shutting down; nothing to do.
        let _ = self.tx.send(event);
    }
}
