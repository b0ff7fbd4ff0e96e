//! 1,000 writes through the journal against the Tjänsteguiden simulator on
//! loopback, with injected faults: HTTP 500s (refused before applying),
//! truncated answers (applied, answer unreadable), answers slower than the
//! client's timeout (applied, connection dropped by the client) and slow
//! requests (the re-read times out too). At the end, with the faults gone and
//! pending writes resolved, the simulator's state equals the journal's
//! confirmed writes: no write lost, none doubled.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use orderdesk::carriers::{self, CarrierHandle};
use orderdesk::config::{CarrierConfig, Config};
use orderdesk::domain::{ActionKind, ActionRequest, OrderKey};
use orderdesk::journal::WriteExecutor;
use orderdesk::sim::tjansteguiden::{SimOptions, TgSim};
use orderdesk::store::{JournalFilter, JournalState, Store};

const WRITES: usize = 1000;

fn handle(endpoint: &str, timeout: Duration) -> CarrierHandle {
    let mut carrier = CarrierConfig::new("tg", "tjansteguiden", endpoint);
    carrier.api_user = Some(SimOptions::default().api_user);
    carrier.since = chrono::NaiveDate::from_ymd_opt(2000, 1, 1);
    carrier.timeout = timeout;
    carriers::build(&Config::empty(), &carrier, false).expect("carrier builds")
}

fn message(i: usize) -> ActionRequest {
    let text = format!("fault-test message {i:04}");
    ActionRequest {
        action: ActionKind::AddMessage,
        params: vec![
            ("type".into(), "log".into()),
            ("message".into(), text.clone()),
        ],
        summary: format!("add log message {text:?}"),
        preview: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_faulty_writes_are_each_applied_at_most_once_and_journaled_truthfully() {
    let options = SimOptions {
        orders: 12,
        seed: 11,
        ..SimOptions::default()
    };
    let (sim, server) = TgSim::spawn(options, 0).await.expect("sim");
    let endpoint = TgSim::endpoint(&server.origin());
    let timeout = Duration::from_millis(150);
    let tg = handle(&endpoint, timeout);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(Store::open(dir.path()).expect("store"));
    let executor = WriteExecutor::new(Some(store.clone()), "fault-test")
        .expect("executor")
        .with_in_flight_lease(Duration::ZERO);
    let ids = sim.order_ids();

    // Phases of faults, most writes in the cheap ones.
    // Each slow write costs a timed-out send plus a re-read with retries and
    // backoff (about a second): few of those, most writes in the cheap phases.
    let phases: [(usize, Duration, f64, f64); 4] = [
        (654, Duration::ZERO, 0.0, 0.0),           // clean
        (200, Duration::ZERO, 0.15, 0.0),          // 500s (re-reads back off)
        (142, Duration::ZERO, 0.0, 0.3),           // truncated answers
        (4, Duration::from_millis(200), 0.0, 0.0), // slower than the timeout
    ];
    assert_eq!(phases.iter().map(|p| p.0).sum::<usize>(), WRITES);
    let mut i = 0;
    for (count, latency, error_rate, malformed_rate) in phases {
        let started = std::time::Instant::now();
        sim.set_faults(latency, error_rate, malformed_rate);
        for _ in 0..count {
            let id = &ids[i % ids.len()];
            let key = OrderKey::new("tg", id.as_str());
            // The executor needs the order as the console holds it.
            sim.set_faults(Duration::ZERO, 0.0, 0.0);
            let order = tg
                .reader
                .fetch_order(id)
                .await
                .expect("order reads without faults");
            sim.set_faults(latency, error_rate, malformed_rate);
            let result = executor.execute(&tg, &order, &message(i), Utc::now()).await;
            assert_eq!(result.key(), &key);
            i += 1;
        }
        eprintln!(
            "{count} writes with latency {latency:?}, 500s {error_rate}, truncated {malformed_rate}: {:?}",
            started.elapsed()
        );
    }

    // Faults gone: resolve what is pending until nothing is.
    sim.set_faults(Duration::ZERO, 0.0, 0.0);
    for _ in 0..5 {
        if store.journal_unresolved().expect("journal").is_empty() {
            break;
        }
        executor
            .resolve_pending(std::slice::from_ref(&tg), Utc::now())
            .await;
    }
    let unresolved = store.journal_unresolved().expect("journal");
    assert!(unresolved.is_empty(), "unresolved writes: {unresolved:#?}");

    // The journal's truth against the simulator's.
    let entries = store
        .journal(&JournalFilter {
            limit: Some(10_000),
            ..JournalFilter::default()
        })
        .expect("journal");
    assert_eq!(
        entries.len(),
        WRITES,
        "every write has exactly one journal entry"
    );
    let mut applied: HashMap<String, usize> = HashMap::new();
    for id in &ids {
        for (_, text) in sim.log_of(id) {
            if text.starts_with("fault-test message") {
                *applied.entry(text).or_default() += 1;
            }
        }
    }
    let mut states: HashMap<JournalState, usize> = HashMap::new();
    for entry in &entries {
        *states.entry(entry.state).or_default() += 1;
        let text = entry
            .request
            .param("message")
            .expect("message param")
            .to_owned();
        let times = applied.get(&text).copied().unwrap_or(0);
        assert!(times <= 1, "{text:?} was applied {times} times");
        match entry.state {
            JournalState::Confirmed => {
                assert_eq!(times, 1, "{text:?} confirmed but not in the portal's log")
            }
            JournalState::Failed | JournalState::Refused => {
                assert_eq!(times, 0, "{text:?} journaled {:?} but applied", entry.state)
            }
            other => panic!("{text:?} left {other:?}"),
        }
    }
    let confirmed = states.get(&JournalState::Confirmed).copied().unwrap_or(0);
    assert_eq!(
        applied.values().sum::<usize>(),
        confirmed,
        "portal messages vs confirmed writes"
    );
    // The faults really happened: not everything went through on the first send.
    assert!(
        entries.iter().any(|e| e.sends > 1),
        "no write needed a second send"
    );
    assert!(confirmed > WRITES / 2, "states: {states:?}");
    eprintln!("journal states after {WRITES} faulty writes: {states:?}");
}
