//! The cache start with 100k orders, as a reproducible scenario for time and
//! memory (README "Performance"): builds a cache of 100k simulator orders in
//! a temporary directory, then starts from it three times the way the
//! console does (summaries, state, first frame; then the cursor walks 1,000
//! orders, each one's full order read from the store and drawn in the
//! detail pane) and prints the time of each step and the process's
//! resident memory.
//! The cache is written by a child process, so the memory is the console's.
//!
//! Run: `cargo run --release --example cache_start`
//! (memory is read from /proc, so it is printed on Linux only).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use chrono_tz::Europe::Stockholm;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use orderdesk::app::{self, Effect, Msg, Options, State};
use orderdesk::carriers::tjansteguiden::{TgConfig, order_from_document};
use orderdesk::config::{CarrierConfig, Config};
use orderdesk::registry;
use orderdesk::runtime::{carrier_infos, load_cache};
use orderdesk::sim::tjansteguiden::{SimOptions, TgSim};
use orderdesk::store::{SqliteStore, Stores};
use orderdesk::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const ORDERS: usize = 100_000;

// The binary's allocator (src/main.rs), so the figures are the console's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, dir] = args.as_slice()
        && flag == "--write-cache"
    {
        return write_cache(std::path::Path::new(dir));
    }
    let dir = tempfile::tempdir()?;
    let started = Instant::now();
    // In a child process, so that the memory figures below are the
    // console's alone.
    let status = std::process::Command::new(std::env::current_exe()?)
        .arg("--write-cache")
        .arg(dir.path())
        .status()?;
    if !status.success() {
        return Err(format!("writing the cache failed: {status}").into());
    }
    eprintln!(
        "cache of {ORDERS} orders written in {:?}",
        started.elapsed()
    );
    eprintln!("{}", memory("before the console starts"));
    let theme = orderdesk::runtime::load_theme("default").0;
    // The store's async calls run its blocking reads on tokio's blocking pool.
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    for run in 1..=3 {
        let t = Instant::now();
        let stores = Stores::from_one(Arc::new(SqliteStore::open(dir.path())?));

        let keep_all = Utc::now() - chrono::Duration::days(365 * 100);
        let cached = runtime.block_on(load_cache(&stores, &["tg".to_owned()], keep_all))?;
        let loaded = t.elapsed();
        let mut state = new_state()?;
        app::update(&mut state, cached.into_msg().0);
        let mut terminal = Terminal::new(TestBackend::new(160, 48))?;
        terminal.draw(|frame| ui::view(&state, &theme, frame))?;
        let first_frame = t.elapsed();
        // As the console does once its first frame from the cache is on
        // screen (so after the time above).
        let collect = Instant::now();
        orderdesk::runtime::release_freed_memory();
        let collect = collect.elapsed();
        let mem_first = memory("after the first frame");
        // Then the cursor walks 1,000 orders down the table, each one's full
        // order read from the store as the engine reads it, and drawn.
        let t = Instant::now();
        let mut slowest = std::time::Duration::ZERO;
        for _ in 0..1000 {
            let step = Instant::now();
            let effects = app::update(
                &mut state,
                Msg::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE)),
            );
            for effect in effects {
                if let Effect::LoadOrder(key) = effect {
                    let result = runtime
                        .block_on(stores.cache.order(&key))
                        .map_err(|e| e.to_string());
                    app::update(&mut state, Msg::OrderLoaded { key, result });
                }
            }
            terminal.draw(|frame| ui::view(&state, &theme, frame))?;
            slowest = slowest.max(step.elapsed());
        }
        eprintln!(
            "run {run}: first frame {first_frame:?} (open+load {loaded:?}), then memory \
             returned in {collect:?}; {mem_first}; \
             1,000 orders opened in {:?} (slowest {slowest:?}); {}",
            t.elapsed(),
            memory("after opening them")
        );
    }
    Ok(())
}

/// 100k orders as the simulator's `order_info` documents parse, saved.
fn write_cache(dir: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let sim = TgSim::new(SimOptions {
        orders: ORDERS,
        seed: 7,
        now: Utc::now(),
        ..SimOptions::default()
    });
    let carrier: Arc<str> = Arc::from("tg");
    let orders: Vec<_> = sim
        .order_ids()
        .iter()
        .filter_map(|id| {
            let xml = sim.order_info_xml(id)?;
            order_from_document(&carrier, Stockholm, id, xml.as_bytes()).ok()
        })
        .collect();
    SqliteStore::open(dir)?.save_orders(&orders)?;
    Ok(())
}

fn new_state() -> Result<State, Box<dyn std::error::Error>> {
    let carrier = CarrierConfig::new("tg", "tjansteguiden", "http://127.0.0.1:9/orders")
        .with_settings(TgConfig {
            api_user: Some(SimOptions::default().api_user),
            since: None,
        });
    let handle = registry::build(&Config::empty(), &carrier, true)?;
    let options = Options {
        readonly: true,
        now: Utc::now(),
        user: "example".into(),
        keys: BTreeMap::new(),
    };
    let mut state = State::new(carrier_infos(&[handle]), options)?;
    app::update(
        &mut state,
        Msg::Resize {
            width: 160,
            height: 48,
        },
    );
    Ok(state)
}

/// Resident memory now, from /proc (Linux).
fn memory(when: &str) -> String {
    let rss = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .map(|l| l.trim_start_matches("VmRSS:").trim().to_owned())
        });
    match rss {
        Some(rss) => format!("resident {rss} {when}"),
        None => format!("resident memory unknown {when}"),
    }
}
