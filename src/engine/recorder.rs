//! The recorder: writes what the engine reads (polled orders, re-read
//! orders, cursors, sync times) to the order cache, in the order it was
//! read, on one task. A cursor is queued after the orders it covers, so the
//! store never holds a cursor ahead of its orders. Queued order batches are
//! coalesced into one transaction. It also answers reads of one full order
//! (for the console's detail pane), after the writes queued before them.
//! Store errors are reported once (the
//! cache is an optimisation, the carriers are the truth) and never stop the
//! engine. Must not: decide what is read or shown.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};

use crate::domain::{Order, OrderKey};
use crate::store::{OrderCache, StoreError};

enum Job {
    Orders(Vec<Order>),
    Cursor(String, String),
    Synced(String, DateTime<Utc>),
    /// Read one order after everything queued before it is written.
    Read(OrderKey, oneshot::Sender<Result<Option<Order>, StoreError>>),
}

/// The recorder's queue. Cloning is cheap; dropping the last clone ends the
/// recorder after it has written what was queued.
#[derive(Clone)]
pub struct Recorder {
    tx: mpsc::UnboundedSender<Job>,
}

impl Recorder {
    /// Starts the recorder task. `problem` is called once, with the first
    /// error, when a write fails.
    pub fn start(
        cache: Arc<dyn OrderCache>,
        problem: impl FnOnce(StoreError) + Send + 'static,
    ) -> Recorder {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(record(cache, rx, problem));
        Recorder { tx }
    }

    pub fn orders(&self, orders: Vec<Order>) {
        if !orders.is_empty() {
            let _ = self.tx.send(Job::Orders(orders));
        }
    }

    pub fn cursor(&self, carrier: &str, cursor: &str) {
        let _ = self
            .tx
            .send(Job::Cursor(carrier.to_owned(), cursor.to_owned()));
    }

    pub fn synced(&self, carrier: &str, at: DateTime<Utc>) {
        let _ = self.tx.send(Job::Synced(carrier.to_owned(), at));
    }

    /// One full order as the store holds it once everything queued before
    /// this call is written, so a read never returns an older copy than
    /// the one just delivered.
    pub async fn read(&self, key: OrderKey) -> Result<Option<Order>, StoreError> {
        let (tx, rx) = oneshot::channel();
        let gone = || StoreError::Sqlite {
            path: String::new(),
            doing: "reading an order",
            detail: "the recorder has stopped".into(),
        };
        self.tx.send(Job::Read(key, tx)).map_err(|_| gone())?;
        rx.await.map_err(|_| gone())?
    }
}

async fn record(
    cache: Arc<dyn OrderCache>,
    mut rx: mpsc::UnboundedReceiver<Job>,
    problem: impl FnOnce(StoreError),
) {
    let mut problem = Some(problem);
    while let Some(first) = rx.recv().await {
        // Coalesce what is queued: one transaction for a burst of batches.
        let mut orders: HashMap<OrderKey, Order> = HashMap::new();
        let mut others = Vec::new();
        let mut reads = Vec::new();
        let mut next = Some(first);
        while let Some(job) = next {
            match job {
                Job::Orders(batch) => orders.extend(batch.into_iter().map(|o| (o.key.clone(), o))),
                Job::Read(key, answer) => reads.push((key, answer)),
                other => others.push(other),
            }
            next = rx.try_recv().ok();
        }
        let mut result = Ok(());
        if !orders.is_empty() {
            result = cache.save_orders(orders.into_values().collect()).await;
        }
        for job in others {
            let r = match job {
                Job::Cursor(carrier, cursor) => cache.set_cursor(&carrier, &cursor).await,
                Job::Synced(carrier, at) => cache.set_last_sync(&carrier, at).await,
                Job::Orders(_) | Job::Read(..) => Ok(()),
            };
            result = result.and(r);
        }
        // Reads answered after the writes queued before them.
        for (key, answer) in reads {
            let _ = answer.send(cache.order(&key).await);
        }
        if let Err(e) = result {
            if let Some(report) = problem.take() {
                tracing::error!(
                    "cache write failed (the console keeps working from the network): {e}"
                );
                report(e);
            }
        }
    }
}
