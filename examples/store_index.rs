//! Reading full orders by key and searching their text in a cache of 100k
//! orders, as a reproducible measurement: builds a cache of 100k simulator
//! orders (the same as `cache_start`) in a temporary directory, then prints
//! - the time to read one full order by key (`SqliteStore::order`) over
//!   1000 keys spread across the cache (median, p99, max), and a page of
//!   50 (`SqliteStore::orders`);
//! - the time of text searches (`SqliteStore::search_text`) for words taken
//!   from the orders, with how many orders each finds;
//! - the file size with the full-text index and without it (the index's
//!   on-disk growth), and the time of the v3 to v4 migration that builds it
//!   for an existing cache.
//!
//! Run: `cargo run --release --example store_index`

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use chrono_tz::Europe::Stockholm;
use orderdesk::carriers::tjansteguiden::order_from_document;
use orderdesk::domain::{Order, OrderKey};
use orderdesk::sim::tjansteguiden::{SimOptions, TgSim};
use orderdesk::store::SqliteStore;

const ORDERS: usize = 100_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let started = Instant::now();
    let orders = sim_orders();
    let store = SqliteStore::open(dir.path())?;
    store.save_orders(&orders)?;
    println!(
        "cache of {} orders written in {:?}",
        orders.len(),
        started.elapsed()
    );

    // One full order by key, for keys spread across the cache.
    let step = (orders.len() / 1000).max(1);
    let keys: Vec<OrderKey> = orders.iter().step_by(step).map(|o| o.key.clone()).collect();
    let mut times = Vec::with_capacity(keys.len());
    for key in &keys {
        let t = Instant::now();
        let found = store.order(key)?;
        times.push(t.elapsed());
        if found.is_none() {
            return Err(format!("order {key} was not found").into());
        }
    }
    println!("order(key), {} keys: {}", times.len(), spread(&mut times));
    let page: Vec<OrderKey> = keys.iter().take(50).cloned().collect();
    let t = Instant::now();
    let got = store.orders(&page)?;
    println!("orders(50 keys): {} orders in {:?}", got.len(), t.elapsed());

    // Text searches, with words taken from the orders.
    let sample = &orders[orders.len() / 2];
    let mut queries: Vec<String> = vec![sample.customer.clone()];
    queries.extend(sample.fields.first().map(|(_, v)| v.clone()));
    queries.extend(sample.log.last().map(|e| e.text.clone()));
    queries.extend(
        sample
            .items
            .first()
            .and_then(|i| i.first())
            .map(|(_, v)| v.clone()),
    );
    queries.push("a".to_owned());
    for query in &queries {
        for limit in [100, ORDERS] {
            let mut times = Vec::new();
            let mut found = 0;
            for _ in 0..5 {
                let t = Instant::now();
                found = store.search_text(query, limit)?.len();
                times.push(t.elapsed());
            }
            println!(
                "search_text({query:?}, limit {limit}): {found} found; 5 runs: {}",
                spread(&mut times)
            );
        }
    }
    drop(store);

    // The index's size on disk, and the migration that builds it.
    let with_index = file_size(dir.path())?;
    let conn = rusqlite::Connection::open(dir.path().join(SqliteStore::FILE_NAME))?;
    let index_pages: i64 = conn.query_row(
        "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'order_text%'",
        [],
        |r| r.get(0),
    )?;
    conn.execute_batch(
        "DROP TRIGGER orders_text_delete; DROP TABLE order_text;
         PRAGMA user_version = 3;",
    )?;
    drop(conn);
    let without_index = file_size(dir.path())?;
    println!(
        "file: {} MB with the index, {} MB without (index tables {} MB)",
        mb(with_index),
        mb(without_index),
        mb(u64::try_from(index_pages).unwrap_or(0)),
    );
    let t = Instant::now();
    let store = Arc::new(SqliteStore::open(dir.path())?);
    println!(
        "migration v3 -> v4 (index backfill of {} orders): {:?}",
        store.order_count()?,
        t.elapsed()
    );
    Ok(())
}

/// 100k orders as the simulator's `order_info` documents parse.
fn sim_orders() -> Vec<Order> {
    let sim = TgSim::new(SimOptions {
        orders: ORDERS,
        seed: 7,
        now: Utc::now(),
        ..SimOptions::default()
    });
    let carrier: Arc<str> = Arc::from("tg");
    sim.order_ids()
        .iter()
        .filter_map(|id| {
            let xml = sim.order_info_xml(id)?;
            order_from_document(&carrier, Stockholm, id, xml.as_bytes()).ok()
        })
        .collect()
}

/// The database file and its WAL, vacuumed and checkpointed first.
fn file_size(dir: &Path) -> Result<u64, Box<dyn std::error::Error>> {
    let path = dir.join(SqliteStore::FILE_NAME);
    let conn = rusqlite::Connection::open(&path)?;
    conn.execute_batch("VACUUM")?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    drop(conn);
    let wal = std::fs::metadata(dir.join(format!("{}-wal", SqliteStore::FILE_NAME)))
        .map(|m| m.len())
        .unwrap_or(0);
    Ok(std::fs::metadata(path)?.len() + wal)
}

fn mb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1_000_000.0)
}

/// Median, p99 and max of `times`.
fn spread(times: &mut [Duration]) -> String {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    format!(
        "median {:?}, p99 {:?}, max {:?}",
        at(0.5),
        at(0.99),
        times[times.len() - 1]
    )
}
