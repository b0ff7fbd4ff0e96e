//! Walks the carrier registry: every kind has a simulator that starts on
//! loopback and that the kind's built reader can poll, a commented section
//! in `config.example.toml`, and a row in README's carrier table; the config
//! `orderdesk sim` prints for all of them reads back.

use std::collections::HashSet;
use std::time::Duration;

use chrono::Utc;
use orderdesk::carriers::registry::{self, SimStart};
use orderdesk::carriers::{self, SyncEvent, SyncSink};
use orderdesk::config::{Config, FileAccess};
use orderdesk::demo::{Demo, DemoOptions, OrderCount, OrderCounts};
use tokio::sync::mpsc;

#[test]
fn kinds_are_listed_once() {
    let names: HashSet<_> = registry::KINDS.iter().map(|k| k.name).collect();
    assert_eq!(names.len(), registry::KINDS.len(), "a kind is listed twice");
    let demo_names: HashSet<_> = registry::KINDS.iter().map(|k| k.demo_name).collect();
    assert_eq!(
        demo_names.len(),
        registry::KINDS.len(),
        "two demo names alike"
    );
    assert_eq!(carriers::KINDS, registry::names().as_slice());
}

#[tokio::test]
async fn every_kind_simulates_and_its_reader_polls_the_simulator() {
    for (i, kind) in registry::KINDS.iter().enumerate() {
        let started = (kind.simulate)(SimStart {
            name: kind.demo_name.to_owned(),
            orders: 3,
            seed: 11 + i as u64,
            latency: Duration::ZERO,
            now: Utc::now(),
            port: 0,
            write_delay: Duration::ZERO,
        })
        .await
        .unwrap_or_else(|e| panic!("{}: the simulator starts: {e}", kind.name));
        assert_eq!(started.config.kind, kind.name);
        assert!(
            started.server.origin().starts_with("http://127.0.0.1:"),
            "{}: on loopback",
            kind.name
        );
        let handle = (kind.build)(&Config::empty(), &started.config, true)
            .unwrap_or_else(|e| panic!("{}: builds: {e}", kind.name));
        assert!(
            handle.writer.is_none(),
            "{}: read-only has no writer",
            kind.name
        );
        assert_eq!(handle.profile.kind(), kind.name);

        let (tx, mut rx) = mpsc::unbounded_channel();
        let sink = SyncSink::new(handle.name.clone(), tx);
        let result = handle.reader.poll(None, &sink).await;
        drop(sink);
        result.unwrap_or_else(|e| panic!("{}: the poll succeeds: {e}", kind.name));
        let mut ids = HashSet::new();
        while let Some(event) = rx.recv().await {
            if let SyncEvent::Orders { orders, .. } = event {
                ids.extend(orders.into_iter().map(|o| o.key.id));
            }
        }
        assert_eq!(ids.len(), 3, "{}: every simulated order polled", kind.name);
    }
}

#[test]
fn every_kind_has_a_commented_example_section_and_a_readme_row() {
    let example = include_str!("../config.example.toml");
    let readme = include_str!("../README.md");
    for kind in registry::KINDS {
        let line = format!("kind = \"{}\"", kind.name);
        assert!(
            example
                .lines()
                .any(|l| l.trim_start_matches("# ").starts_with(&line)),
            "config.example.toml has no [[carrier]] section with {line}"
        );
        let row = format!("| `{}` |", kind.name);
        assert!(
            readme.lines().any(|l| l.starts_with(&row)),
            "README's carrier table has no row for {}",
            kind.name
        );
    }
}

#[tokio::test]
async fn the_config_sim_prints_reads_back_and_builds() {
    let options = DemoOptions {
        orders: OrderCounts::from_args(&[OrderCount::Every(2)]),
        latency: Duration::ZERO,
        ..DemoOptions::default()
    };
    let demo = Demo::start(&options).await.expect("simulators start");
    let text = demo.config_toml();
    let config = registry::parse_config(&text, None, FileAccess::Shared)
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(config.carriers.len(), registry::KINDS.len());
    for (carrier, kind) in config.carriers.iter().zip(registry::KINDS) {
        assert_eq!(carrier.kind, kind.name);
        assert_eq!(carrier.name, kind.demo_name);
        carriers::build(&config, carrier, true)
            .unwrap_or_else(|e| panic!("{}: builds from the printed config: {e}", kind.name));
    }
}
