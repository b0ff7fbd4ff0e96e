//! The recorder: writes what the engine reads (polled orders, re-read
//! orders, cursors, sync times) to the order cache, in the order it was
//! read, on one task. A cursor is queued after the orders it covers, so the
//! store never holds a cursor ahead of its orders. Queued order batches are
//! coalesced into one transaction. It also answers reads of one full order
//! (for the console's detail pane), after the writes queued before them.
//! Store errors are reported once (the
//! cache is an optimisation, the carriers are the truth) and never stop the
//! engine. A store found damaged ([`StoreError::Corrupt`]) is refused for
//! the rest of the session: the shared [`Refused`] latch is set and nothing
//! more is written to it (by the recorder, or notes and flags through the
//! engine). Must not: decide what is read or shown.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};

use crate::domain::{Order, OrderKey};
use crate::store::{OrderCache, StoreError};

/// Set once the store was found damaged: from then on nothing writes to it
/// in this session. Cloning shares the latch.
#[derive(Debug, Clone, Default)]
pub struct Refused(Arc<AtomicBool>);

impl Refused {
    /// Whether the store was refused.
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Refuses the store if `error` says it is damaged; whether it now is.
    pub fn note(&self, error: &StoreError) -> bool {
        if matches!(error, StoreError::Corrupt { .. }) {
            self.0.store(true, Ordering::SeqCst);
        }
        self.is_set()
    }
}

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
        refused: Refused,
        problem: impl FnOnce(StoreError) + Send + 'static,
    ) -> Recorder {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(record(cache, refused, rx, problem));
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
    refused: Refused,
    mut rx: mpsc::UnboundedReceiver<Job>,
    problem: impl FnOnce(StoreError),
) {
    let mut problem = Some(problem);
    while let Some(first) = rx.recv().await {
        if refused.is_set() {
            // A damaged store is not written again; the queue is drained.
            continue;
        }
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
            if matches!(&result, Err(e) if refused.note(e)) {
                break;
            }
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
            refused.note(&e);
            if let Some(report) = problem.take() {
                tracing::error!(
                    "cache write failed (the console keeps working from the network): {e}"
                );
                report(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use async_trait::async_trait;

    use super::*;
    use crate::domain::{OrderSummary, Stage, Status};

    /// A cache whose writes fail as told, counting them.
    #[derive(Debug, Default)]
    struct Failing {
        writes: Mutex<usize>,
        error: Option<StoreError>,
    }

    impl Failing {
        fn write(&self) -> Result<(), StoreError> {
            *self.writes.lock().unwrap_or_else(|e| e.into_inner()) += 1;
            self.error.clone().map_or(Ok(()), Err)
        }
        fn writes(&self) -> usize {
            *self.writes.lock().unwrap_or_else(|e| e.into_inner())
        }
    }

    #[async_trait]
    impl OrderCache for Failing {
        async fn save_orders(&self, _: Vec<Order>) -> Result<(), StoreError> {
            self.write()
        }
        async fn load_order_summaries(&self) -> Result<Vec<OrderSummary>, StoreError> {
            Ok(Vec::new())
        }
        async fn load_orders_page(
            &self,
            _: i64,
            _: usize,
        ) -> Result<(Vec<Order>, Option<i64>), StoreError> {
            Ok((Vec::new(), None))
        }
        async fn order(&self, _: &OrderKey) -> Result<Option<Order>, StoreError> {
            Ok(None)
        }
        async fn orders(&self, _: &[OrderKey]) -> Result<Vec<Order>, StoreError> {
            Ok(Vec::new())
        }
        async fn search_text(&self, _: &str, _: usize) -> Result<Vec<OrderKey>, StoreError> {
            Ok(Vec::new())
        }
        async fn drop_terminal_older_than(&self, _: DateTime<Utc>) -> Result<usize, StoreError> {
            self.write().map(|()| 0)
        }
        async fn remove_carrier(&self, _: &str) -> Result<usize, StoreError> {
            self.write().map(|()| 0)
        }
        async fn order_raw(&self, _: &OrderKey) -> Result<Option<String>, StoreError> {
            Ok(None)
        }
        async fn order_count(&self) -> Result<usize, StoreError> {
            Ok(0)
        }
        async fn cursor(&self, _: &str) -> Result<Option<String>, StoreError> {
            Ok(None)
        }
        async fn set_cursor(&self, _: &str, _: &str) -> Result<(), StoreError> {
            self.write()
        }
        async fn last_sync(&self, _: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
            Ok(None)
        }
        async fn set_last_sync(&self, _: &str, _: DateTime<Utc>) -> Result<(), StoreError> {
            self.write()
        }
    }

    fn order(id: &str) -> Order {
        Order::new(
            OrderKey::new("tg", id),
            "tjansteguiden",
            Status::new("new", Stage::New, false),
        )
    }

    /// Queues jobs one at a time (each its own batch) and waits for the
    /// recorder to take them.
    async fn feed(recorder: &Recorder) {
        for i in 0..3 {
            recorder.orders(vec![order(&i.to_string())]);
            recorder.cursor("tg", "c");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    #[tokio::test]
    async fn a_store_found_damaged_is_not_written_again() {
        let cache = Arc::new(Failing {
            error: Some(StoreError::Corrupt {
                path: "orderdesk.sqlite3".into(),
                detail: "database disk image is malformed".into(),
            }),
            ..Failing::default()
        });
        let refused = Refused::default();
        let recorder = Recorder::start(cache.clone(), refused.clone(), |_| {});
        feed(&recorder).await;
        assert!(refused.is_set());
        assert_eq!(cache.writes(), 1, "written after it was found damaged");
    }

    #[tokio::test]
    async fn a_passing_fault_does_not_refuse_the_store() {
        let cache = Arc::new(Failing {
            error: Some(StoreError::DiskFull {
                path: "orderdesk.sqlite3".into(),
                doing: "saving orders",
            }),
            ..Failing::default()
        });
        let refused = Refused::default();
        let recorder = Recorder::start(cache.clone(), refused.clone(), |_| {});
        feed(&recorder).await;
        assert!(!refused.is_set());
        assert!(cache.writes() >= 3, "{} writes", cache.writes());
    }
}
