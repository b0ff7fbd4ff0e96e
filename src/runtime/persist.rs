//! The console's local memory, kept off the UI task: opens the store,
//! loads the cache at startup (the orders' summaries for the first frame,
//! then the full orders page by page on a thread), and writes orders,
//! cursors and sync times behind the UI on one background thread (SQLite
//! calls block). When the
//! store cannot be opened the console runs from the network with the cache
//! off and says why; the file is never deleted or rewritten.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc as std_mpsc;

use chrono::{DateTime, Utc};

use crate::app::Msg;
use crate::carriers::SyncEvent;
use crate::domain::{Order, OrderKey};
use crate::store::{Flag, JournalEntry, JournalFilter, Note, Store, StoreError};

/// What the cache held at startup.
#[derive(Debug, Default)]
pub struct Cached {
    /// The orders' summaries: the full orders follow from
    /// [`read_full_orders`].
    pub orders: Vec<Order>,
    pub cursors: HashMap<String, String>,
    pub notes: HashMap<OrderKey, Vec<Note>>,
    pub flags: HashMap<OrderKey, Flag>,
    pub journal: Vec<JournalEntry>,
}

/// The data dir: `--data-dir`, the config's `data_dir`, or the platform's.
pub fn data_dir(explicit: Option<PathBuf>) -> Option<PathBuf> {
    explicit.or_else(|| {
        directories::ProjectDirs::from("", "", "orderdesk").map(|d| d.data_dir().to_owned())
    })
}

/// Opens the store off the async workers.
pub async fn open(dir: Option<PathBuf>) -> Result<Arc<Store>, String> {
    let Some(dir) = dir else {
        return Err("no data directory could be determined (set data_dir or --data-dir)".into());
    };
    tokio::task::spawn_blocking(move || Store::open(&dir).map(Arc::new).map_err(|e| e.to_string()))
        .await
        .map_err(|e| format!("store task failed: {e}"))?
}

/// Loads everything the console shows from the cache; terminal orders older
/// than `keep_terminal_until` are dropped first. Off the async workers.
pub async fn load(
    store: Arc<Store>,
    carriers: Vec<String>,
    keep_terminal_until: DateTime<Utc>,
) -> Result<Cached, StoreError> {
    tokio::task::spawn_blocking(move || load_cache(&store, &carriers, keep_terminal_until))
        .await
        .unwrap_or_else(|e| {
            Err(StoreError::Sqlite {
                path: String::new(),
                doing: "loading the cache",
                detail: e.to_string(),
            })
        })
}

/// What [`load`] does, blocking (the startup benchmark measures it).
pub fn load_cache(
    store: &Store,
    carriers: &[String],
    keep_terminal_until: DateTime<Utc>,
) -> Result<Cached, StoreError> {
    let dropped = store.drop_terminal_older_than(keep_terminal_until)?;
    if dropped > 0 {
        tracing::info!(dropped, "dropped terminal orders past their keep time");
    }
    let mut cursors = HashMap::new();
    for name in carriers {
        if let Some(cursor) = store.cursor(name)? {
            cursors.insert(name.clone(), cursor);
        }
    }
    let journal = store.journal(&JournalFilter {
        limit: Some(5_000),
        ..JournalFilter::default()
    })?;
    Ok(Cached {
        orders: store.load_order_summaries()?,
        cursors,
        notes: store.all_notes()?,
        flags: store.flags()?,
        journal,
    })
}

/// Full orders read per page behind the first frame.
const DETAILS_PAGE: usize = 8192;

impl Cached {
    /// The app's message for what the cache held (the orders are summaries:
    /// their full orders follow from [`read_full_orders`]), and the cursors
    /// for the fetchers.
    pub fn into_msg(self) -> (Msg, HashMap<String, String>) {
        let msg = Msg::CacheLoaded {
            orders: self.orders,
            notes: self.notes,
            flags: self.flags,
            journal: self.journal,
        };
        (msg, self.cursors)
    }
}

/// Reads the full cached orders page by page, handing `deliver` one
/// `Msg::CacheDetails` per page and then `Msg::CacheDetailsDone`. Stops
/// early when `deliver` returns false (the console has quit). Blocking.
pub fn read_full_orders(store: &Store, mut deliver: impl FnMut(Msg) -> bool) {
    let mut after = 0;
    let result = loop {
        match store.load_orders_page(after, DETAILS_PAGE) {
            Ok((orders, Some(next))) => {
                after = next;
                if !deliver(Msg::CacheDetails(orders)) {
                    return;
                }
            }
            Ok((_, None)) => break Ok(()),
            Err(e) => break Err(e.to_string()),
        }
    };
    deliver(Msg::CacheDetailsDone(result));
}

/// [`read_full_orders`] on a background thread, to the app.
pub fn read_details(store: Arc<Store>, to_app: tokio::sync::mpsc::UnboundedSender<Msg>) {
    let spawned = std::thread::Builder::new()
        .name("orderdesk-cache-read".into())
        .spawn(move || read_full_orders(&store, |msg| to_app.send(msg).is_ok()));
    if let Err(e) = spawned {
        tracing::error!("cannot start the cache reader: {e}");
    }
}

enum Job {
    Orders(Vec<Order>),
    Cursor(String, String),
    Synced(String, DateTime<Utc>),
}

/// Writes behind the UI. Cloning is cheap; dropping the last clone ends the
/// writer thread after it has written what was queued.
#[derive(Clone)]
pub struct Writer {
    tx: std_mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer thread. Store errors are logged, not fatal: the
    /// cache is an optimisation, the carriers are the truth.
    pub fn start(store: Arc<Store>) -> Writer {
        let (tx, rx) = std_mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("orderdesk-store".into())
            .spawn(move || write_loop(&store, &rx))
            .map_err(|e| tracing::error!("cannot start the store writer: {e}"))
            .ok();
        Writer { tx }
    }

    pub fn orders(&self, orders: Vec<Order>) {
        let _ = self.tx.send(Job::Orders(orders));
    }

    pub fn synced(&self, carrier: &str, at: DateTime<Utc>) {
        let _ = self.tx.send(Job::Synced(carrier.to_owned(), at));
    }

    pub fn cursor(&self, carrier: &str, cursor: &str) {
        let _ = self
            .tx
            .send(Job::Cursor(carrier.to_owned(), cursor.to_owned()));
    }
}

fn write_loop(store: &Store, rx: &std_mpsc::Receiver<Job>) {
    let mut failed_once = false;
    while let Ok(first) = rx.recv() {
        // Coalesce what is queued: one transaction for a burst of batches.
        let mut orders: HashMap<OrderKey, Order> = HashMap::new();
        let mut others = Vec::new();
        for job in std::iter::once(first).chain(rx.try_iter()) {
            match job {
                Job::Orders(batch) => orders.extend(batch.into_iter().map(|o| (o.key.clone(), o))),
                other => others.push(other),
            }
        }
        let mut result = Ok(());
        if !orders.is_empty() {
            let batch: Vec<Order> = orders.into_values().collect();
            result = store.save_orders(&batch);
        }
        for job in others {
            let r = match job {
                Job::Cursor(carrier, cursor) => store.set_cursor(&carrier, &cursor),
                Job::Synced(carrier, at) => store.set_last_sync(&carrier, at),
                Job::Orders(_) => Ok(()),
            };
            result = result.and(r);
        }
        if let Err(e) = result {
            if !failed_once {
                tracing::error!(
                    "cache write failed (the console keeps working from the network): {e}"
                );
                failed_once = true;
            }
        }
    }
}

/// Writes what a message brings behind the UI: new and re-read orders,
/// cursors (which follow their orders on the same queue), sync times.
pub fn keep(writer: &Writer, msg: &Msg) {
    match msg {
        Msg::Sync(SyncEvent::Orders { orders, .. }) => writer.orders(orders.clone()),
        Msg::Sync(SyncEvent::Cursor { carrier, cursor }) => writer.cursor(carrier, cursor),
        Msg::Sync(SyncEvent::Finished {
            carrier,
            result: Ok(_),
            ..
        }) => writer.synced(carrier, Utc::now()),
        Msg::OrderReloaded {
            result: Ok(order), ..
        }
        | Msg::CustomerLoaded {
            result: Ok(order), ..
        } => writer.orders(vec![order.clone()]),
        Msg::WriteSettled(settled) => {
            if let Some(order) = &settled.order {
                writer.orders(vec![order.clone()]);
            }
        }
        _ => {}
    }
}
