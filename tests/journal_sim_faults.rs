//! Writes through the journal (`journal::WriteExecutor`) against both
//! simulators on loopback, with injected faults, and the journal's account
//! checked against what the simulators really did.
//!
//! - Tjänsteguiden: 1,000 `add_message` writes, 8 at a time, in phases of
//!   HTTP 500s and 503s (refused before applying), dropped connections (with
//!   no byte of an answer, before or after the write is applied), truncated
//!   answers (applied, answer unreadable), a mix of all of these, and answers
//!   slower than the client's timeout. The faults hit the re-reads too.
//! - Lumen Voice: 200 writes (supplements, each with a new subscriber last
//!   name, and one cancel per order), 4 writers each with their own orders,
//!   in phases of 503s, dropped connections (before or after applying), hangs
//!   answered 504 after the client's timeout, 429s and a mix.
//!
//! - LLA TMF-622: a pay link (which no re-read can show) whose connection
//!   drops after the simulator saved it stays `unknown`, is not re-sent by
//!   the executor nor by a restarted one's `resolve_pending`, blocks a new
//!   write to the order, and the user's "send again" sends it exactly once
//!   more, the journal keeping both attempts' correlation ids.
//!
//! At the end, with the faults gone and pending writes resolved, each
//! simulator's state equals the journal's confirmed writes: every confirmed
//! write applied exactly once, every failed or refused one not at all, and
//! every request the simulator received is one of the journal's sends (no
//! hidden retry of a write). The counts of faults served show each kind
//! really happened. No timing is asserted.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use futures::StreamExt;
use orderdesk::carriers::CarrierHandle;
use orderdesk::config::Config;
use orderdesk::domain::{ActionKind, ActionRequest, FormValues, Order, OrderKey};
use orderdesk::engine::WriteExecutor;
use orderdesk::registry;
use orderdesk::sim::RunningSim;
use orderdesk::sim::lla_tmf622::{Fault, LlaSim, LlaSimOptions};
use orderdesk::sim::lumen_voice::{Faults, PathKind, SimOrder, VoiceSim, VoiceSimOptions};
use orderdesk::sim::tjansteguiden::{SimOptions, TgSim};
use orderdesk::store::{JournalEntry, JournalFilter, JournalState, SqliteStore};

const TG_WRITES: usize = 1000;
const TG_CONCURRENCY: usize = 8;

fn tg_handle(sim: &TgSim, server: &RunningSim, timeout: Duration) -> CarrierHandle {
    let mut carrier = sim.carrier_config("tg", &server.origin());
    carrier.timeout = timeout;
    registry::build(&Config::empty(), &carrier, false).expect("carrier builds")
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

/// The Tjänsteguiden simulator's fault knobs for one phase.
#[derive(Debug, Clone, Copy, Default)]
struct TgFaults {
    latency: Duration,
    server_errors: f64,
    unavailable: f64,
    drops: f64,
    truncated: f64,
}

impl TgFaults {
    fn apply(&self, sim: &TgSim) {
        sim.set_faults(Faults {
            latency: self.latency,
            error_rate: self.server_errors,
            unavailable_rate: self.unavailable,
            drop_rate: self.drops,
            truncate_rate: self.truncated,
            ..Faults::default()
        });
    }
}

/// A fresh store and executor (lease zero: this test is the only console).
fn executor() -> (tempfile::TempDir, Arc<SqliteStore>, WriteExecutor) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(SqliteStore::open(dir.path()).expect("store"));
    let executor = WriteExecutor::new(Some(store.clone()), "fault-test")
        .expect("executor")
        .with_in_flight_lease(Duration::ZERO);
    (dir, store, executor)
}

/// Resolves pending writes (faults gone) until none is left; returns the
/// whole journal.
async fn settle(
    executor: &WriteExecutor,
    store: &SqliteStore,
    handle: &CarrierHandle,
) -> Vec<JournalEntry> {
    for _ in 0..5 {
        if store.journal_unresolved().expect("journal").is_empty() {
            break;
        }
        executor
            .resolve_pending(std::slice::from_ref(handle), Utc::now())
            .await;
    }
    let unresolved = store.journal_unresolved().expect("journal");
    assert!(unresolved.is_empty(), "unresolved writes: {unresolved:#?}");
    store
        .journal(&JournalFilter {
            limit: Some(10_000),
            ..JournalFilter::default()
        })
        .expect("journal")
}

/// Checks one journal entry against how many times the carrier applied it.
fn check_entry(entry: &JournalEntry, what: &str, times: usize) {
    assert!(times <= 1, "{what} was applied {times} times");
    match entry.state {
        JournalState::Confirmed => {
            assert_eq!(times, 1, "{what} confirmed but not applied: {entry:#?}")
        }
        JournalState::Failed | JournalState::Refused => {
            assert_eq!(
                times, 0,
                "{what} journaled {:?} but applied: {entry:#?}",
                entry.state
            )
        }
        other => panic!("{what} left {other:?}"),
    }
}

fn count_states(entries: &[JournalEntry]) -> HashMap<JournalState, usize> {
    let mut states = HashMap::new();
    for entry in entries {
        *states.entry(entry.state).or_default() += 1;
    }
    states
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_faulty_tjansteguiden_writes_are_each_applied_at_most_once_and_journaled_truthfully()
 {
    let options = SimOptions {
        orders: 12,
        seed: 11,
        ..SimOptions::default()
    };
    let (sim, server) = TgSim::spawn(options, 0).await.expect("sim");
    let tg = tg_handle(&sim, &server, Duration::from_millis(150));
    let (_dir, store, executor) = executor();
    let ids = sim.order_ids();
    // The orders as the console holds them (the writer needs only the key).
    let mut orders = Vec::new();
    for id in &ids {
        orders.push(tg.reader.fetch_order(id).await.expect("order reads"));
    }

    // Each fault on a read costs a backoff pause (about 250 ms), and a slow
    // write a timed-out send plus re-reads that time out too: 8 writes run
    // at once, and few go to the slow phase.
    let phases: [(usize, TgFaults); 7] = [
        (300, TgFaults::default()),
        (
            120,
            TgFaults {
                server_errors: 0.15,
                ..TgFaults::default()
            },
        ),
        (
            150,
            TgFaults {
                unavailable: 0.15,
                ..TgFaults::default()
            },
        ),
        (
            200,
            TgFaults {
                drops: 0.2,
                ..TgFaults::default()
            },
        ),
        (
            100,
            TgFaults {
                truncated: 0.3,
                ..TgFaults::default()
            },
        ),
        (
            122,
            TgFaults {
                server_errors: 0.04,
                unavailable: 0.04,
                drops: 0.08,
                truncated: 0.08,
                ..TgFaults::default()
            },
        ),
        (
            8,
            TgFaults {
                latency: Duration::from_millis(200),
                ..TgFaults::default()
            },
        ),
    ];
    assert_eq!(phases.iter().map(|p| p.0).sum::<usize>(), TG_WRITES);
    let mut first = 0;
    for (count, faults) in phases {
        let started = std::time::Instant::now();
        faults.apply(&sim);
        futures::stream::iter(first..first + count)
            .for_each_concurrent(TG_CONCURRENCY, |i| {
                let (tg, executor, order) = (&tg, &executor, &orders[i % orders.len()]);
                async move {
                    let result = executor.execute(tg, order, &message(i), Utc::now()).await;
                    assert_eq!(result.key(), &order.key);
                }
            })
            .await;
        first += count;
        eprintln!(
            "tjansteguiden: {count} writes with {faults:?}: {:?}",
            started.elapsed()
        );
    }

    // Faults gone: resolve what is pending until nothing is.
    TgFaults::default().apply(&sim);
    let entries = settle(&executor, &store, &tg).await;
    assert_eq!(
        entries.len(),
        TG_WRITES,
        "every write has exactly one journal entry"
    );

    // The journal's truth against the portal's.
    let mut applied: HashMap<String, usize> = HashMap::new();
    for id in &ids {
        for (_, text) in sim.log_of(id) {
            if text.starts_with("fault-test message") {
                *applied.entry(text).or_default() += 1;
            }
        }
    }
    for entry in &entries {
        let text = entry.request.param("message").expect("message param");
        let key = OrderKey::new("tg", ids[entry_index(text) % ids.len()].as_str());
        assert_eq!(entry.key, key, "{text:?} journaled on another order");
        check_entry(entry, text, applied.get(text).copied().unwrap_or(0));
    }
    let states = count_states(&entries);
    let confirmed = states.get(&JournalState::Confirmed).copied().unwrap_or(0);
    assert_eq!(
        applied.values().sum::<usize>(),
        confirmed,
        "portal messages vs confirmed writes"
    );
    let sends: u32 = entries.iter().map(|e| e.sends).sum();
    assert_eq!(
        sim.requests("add_message"),
        sends as usize,
        "every add_message the portal received is one of the journal's sends"
    );
    // The faults really happened, and some writes needed a second send.
    let injected = sim.injected();
    eprintln!("tjansteguiden faults served: {injected:?}");
    assert!(injected.server_errors > 0, "{injected:?}");
    assert!(injected.unavailable > 0, "{injected:?}");
    assert!(injected.dropped_before > 0, "{injected:?}");
    assert!(injected.dropped_after > 0, "{injected:?}");
    assert!(injected.truncated > 0, "{injected:?}");
    assert!(
        entries.iter().any(|e| e.sends > 1),
        "no write needed a second send"
    );
    assert!(confirmed > TG_WRITES / 2, "states: {states:?}");
    eprintln!("tjansteguiden journal after {TG_WRITES} faulty writes: {states:?}");
}

/// The same routine text sent again and again to one order, one write at a
/// time as a support agent would, each built by the profile from the order
/// as re-read after the previous write, under 503s and dropped connections.
/// A lost send must not be confirmed by the earlier copies of the text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_routine_text_sent_again_is_confirmed_only_by_a_new_line() {
    const ROUTINE: &str = "Kunden kontaktad";
    const WRITES: usize = 60;
    let options = SimOptions {
        orders: 3,
        seed: 5,
        ..SimOptions::default()
    };
    let (sim, server) = TgSim::spawn(options, 0).await.expect("sim");
    let tg = tg_handle(&sim, &server, Duration::from_millis(150));
    let (_dir, store, executor) = executor();
    let id = sim.order_ids()[0].clone();
    let faults = TgFaults {
        unavailable: 0.2,
        drops: 0.3,
        ..TgFaults::default()
    };
    for _ in 0..WRITES {
        TgFaults::default().apply(&sim);
        let order = tg.reader.fetch_order(&id).await.expect("order reads");
        let mut values = FormValues::default();
        values.set("type", "log");
        values.set("message", ROUTINE);
        let request = tg
            .profile
            .validate(&order, ActionKind::AddMessage, &values, Utc::now())
            .expect("valid message");
        faults.apply(&sim);
        executor.execute(&tg, &order, &request, Utc::now()).await;
    }
    TgFaults::default().apply(&sim);
    let entries = settle(&executor, &store, &tg).await;
    assert_eq!(entries.len(), WRITES);
    let on_portal = sim
        .log_of(&id)
        .iter()
        .filter(|(_, text)| text == ROUTINE)
        .count();
    let states = count_states(&entries);
    let confirmed = states.get(&JournalState::Confirmed).copied().unwrap_or(0);
    assert_eq!(
        on_portal, confirmed,
        "portal lines vs confirmed: {states:?}"
    );
    let injected = sim.injected();
    assert!(injected.dropped_before > 0, "{injected:?}");
    assert!(
        confirmed < WRITES,
        "no write was lost, the check proved nothing: {states:?}"
    );
}

/// The write number in a `fault-test message NNNN` text.
fn entry_index(text: &str) -> usize {
    text.rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("numbered message")
}

// ---------------------------------------------------------------- Voice ----

const VOICE_WRITERS: usize = 4;
/// LNP orders that take supplements, per writer.
const SUPPLEMENT_ORDERS_PER_WRITER: usize = 4;
/// Every `CANCEL_EVERY`th write of a writer is a cancel of an order of its own.
const CANCEL_EVERY: usize = 4;

fn voice_order(id: &str, order_type: &str) -> SimOrder {
    let now = Utc::now();
    SimOrder {
        customer_request_date: Some(now + chrono::Duration::days(12)),
        ..SimOrder::sample(id, order_type, now)
    }
}

/// A last name of letters only (the document's name rule), unique per write.
fn last_name(i: usize) -> String {
    let letter = |n: usize| char::from(b'a' + (n % 26) as u8);
    format!("Fault{}{}", letter(i / 26), letter(i))
}

/// The Voice simulator's fault knobs for one phase.
fn voice_faults(
    unavailable: f64,
    drops: f64,
    hangs: f64,
    rate_limit_every: Option<usize>,
) -> Faults {
    Faults {
        unavailable_rate: unavailable,
        drop_rate: drops,
        hang_rate: hangs,
        // Longer than the client's timeout.
        hang: Duration::from_millis(450),
        rate_limit_every,
        ..Faults::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faulty_voice_writes_are_each_applied_at_most_once_and_journaled_truthfully() {
    let (sim, server) = VoiceSim::spawn(
        VoiceSimOptions {
            orders: 0,
            seed: 5,
            ..VoiceSimOptions::default()
        },
        0,
    )
    .await
    .expect("sim");
    let mut config = sim.carrier_config("voice", &server.origin());
    config.timeout = Duration::from_millis(300);
    let voice = registry::build(&Config::empty(), &config, false).expect("carrier builds");
    let (_dir, store, executor) = executor();

    let phases: [(usize, Faults); 6] = [
        (40, Faults::default()),
        (40, voice_faults(0.15, 0.0, 0.0, None)),
        (60, voice_faults(0.0, 0.2, 0.0, None)),
        (20, voice_faults(0.0, 0.0, 0.1, None)),
        (16, voice_faults(0.0, 0.0, 0.0, Some(9))),
        (24, voice_faults(0.05, 0.1, 0.03, None)),
    ];
    let writes: usize = phases.iter().map(|p| p.0).sum();
    assert_eq!(writes % VOICE_WRITERS, 0);
    for (count, _) in &phases {
        assert_eq!(count % VOICE_WRITERS, 0);
    }
    // Each writer has its own orders: its writes to one order are sequential,
    // as a user's are (the re-read tells one write of an order from the
    // next only by the order's state).
    let supplement_ids: Vec<Vec<String>> = (0..VOICE_WRITERS)
        .map(|w| {
            (0..SUPPLEMENT_ORDERS_PER_WRITER)
                .map(|k| format!("81{w}{k:03}"))
                .collect()
        })
        .collect();
    let cancel_ids: Vec<Vec<String>> = (0..VOICE_WRITERS)
        .map(|w| {
            (0..writes / VOICE_WRITERS / CANCEL_EVERY)
                .map(|k| format!("82{w}{k:03}"))
                .collect()
        })
        .collect();
    for id in supplement_ids.iter().flatten() {
        sim.insert_order(voice_order(id, "LNP"));
    }
    for id in cancel_ids.iter().flatten() {
        sim.insert_order(voice_order(id, "NEW"));
    }
    let mut orders: HashMap<String, Order> = HashMap::new();
    for id in supplement_ids.iter().chain(&cancel_ids).flatten() {
        let order = voice.reader.fetch_order(id).await.expect("order reads");
        orders.insert(id.clone(), order);
    }

    let mut first = 0; // per writer
    for (count, faults) in phases {
        let started = std::time::Instant::now();
        sim.set_faults(faults.clone());
        let per_writer = count / VOICE_WRITERS;
        let writers = (0..VOICE_WRITERS).map(|w| {
            let (voice, executor, orders) = (&voice, &executor, &orders);
            let (supplement_ids, cancel_ids) = (&supplement_ids[w], &cancel_ids[w]);
            async move {
                for k in first..first + per_writer {
                    let n = k * VOICE_WRITERS + w;
                    let (order, request) = if k % CANCEL_EVERY == CANCEL_EVERY - 1 {
                        let order = &orders[&cancel_ids[k / CANCEL_EVERY]];
                        (order, voice_request(voice, order, ActionKind::Cancel, n))
                    } else {
                        let order = &orders[&supplement_ids[k % supplement_ids.len()]];
                        (
                            order,
                            voice_request(voice, order, ActionKind::Supplement, n),
                        )
                    };
                    let result = executor.execute(voice, order, &request, Utc::now()).await;
                    assert_eq!(result.key(), &order.key);
                }
            }
        });
        futures::future::join_all(writers).await;
        first += per_writer;
        eprintln!(
            "voice: {count} writes with {faults:?}: {:?}",
            started.elapsed()
        );
    }

    sim.set_faults(Faults::default());
    let entries = settle(&executor, &store, &voice).await;
    assert_eq!(
        entries.len(),
        writes,
        "every write has exactly one journal entry"
    );

    // The journal's truth against what the simulator applied.
    let applied = sim.applied();
    for entry in &entries {
        let id = &entry.key.id;
        let times = match entry.request.action {
            ActionKind::Cancel => applied
                .iter()
                .filter(|a| a.kind == PathKind::Cancel && &a.voice_order_id == id)
                .count(),
            ActionKind::Supplement => {
                let body = entry.request.param("body").expect("body param");
                applied
                    .iter()
                    .filter(|a| a.kind == PathKind::Supplement && a.body == body)
                    .inspect(|a| assert_eq!(&a.voice_order_id, id, "{body} applied elsewhere"))
                    .count()
            }
            other => panic!("unexpected {other:?}"),
        };
        check_entry(entry, &entry.request.summary, times);
    }
    let states = count_states(&entries);
    let confirmed = states.get(&JournalState::Confirmed).copied().unwrap_or(0);
    assert_eq!(
        applied.len(),
        confirmed,
        "applied writes vs confirmed writes"
    );
    for id in cancel_ids.iter().flatten() {
        let cancelled = entries
            .iter()
            .any(|e| &e.key.id == id && e.state == JournalState::Confirmed);
        let status = sim.status(id).expect("order");
        assert_eq!(status == "cancelled", cancelled, "{id}: {status}");
    }
    let sends: u32 = entries.iter().map(|e| e.sends).sum();
    assert_eq!(
        sim.writes(),
        sends as usize,
        "every write Lumen received is one of the journal's sends"
    );
    let injected = sim.injected();
    eprintln!("voice faults served: {injected:?}");
    assert!(injected.unavailable > 0, "{injected:?}");
    assert!(injected.dropped_before > 0, "{injected:?}");
    assert!(injected.dropped_after > 0, "{injected:?}");
    assert!(injected.hung > 0, "{injected:?}");
    assert!(injected.rate_limited > 0, "{injected:?}");
    assert!(
        entries.iter().any(|e| e.sends > 1),
        "no write needed a second send"
    );
    assert!(confirmed > writes / 2, "states: {states:?}");
    eprintln!("voice journal after {writes} faulty writes: {states:?}");
}

/// A cancel, or a supplement that gives the subscriber a new last name, made
/// the way the console makes them (form, validation, the app's clock).
fn voice_request(
    voice: &CarrierHandle,
    order: &Order,
    action: ActionKind,
    n: usize,
) -> ActionRequest {
    let form = voice.profile.form(order, action).expect("action offered");
    let mut values = FormValues::from_form(&form);
    if action == ActionKind::Supplement {
        values.set("lastName", last_name(n));
    }
    voice
        .profile
        .validate(order, action, &values, Utc::now())
        .expect("valid request")
}

fn lla_paylink(handle: &CarrierHandle, order: &Order, link: &str) -> ActionRequest {
    let form = handle
        .profile
        .form(order, ActionKind::AddPayLink)
        .expect("pay link offered");
    let mut values = FormValues::from_form(&form);
    values.set("link", link);
    handle
        .profile
        .validate(order, ActionKind::AddPayLink, &values, Utc::now())
        .expect("valid request")
}

#[tokio::test]
async fn an_unknown_lla_paylink_is_sent_again_only_when_the_user_says_so() {
    let opts = LlaSimOptions {
        orders: 12,
        markets: vec!["PR".into()],
        ..LlaSimOptions::default()
    };
    let (sim, server) = LlaSim::spawn(opts, 0).await.expect("simulator starts");
    let config = sim.carrier_config("lla", &server.origin());
    let handle = registry::build(&Config::empty(), &config, false).expect("carrier builds");
    let (_dir, store, executor) = executor();
    let mut order = None;
    for o in sim.orders() {
        let key = format!("{}-{}", o.market, o.id);
        if let Ok(read) = handle.reader.fetch_order(&key).await
            && read.status.stage.is_open()
        {
            order = Some(read);
            break;
        }
    }
    let order = order.expect("an open order");
    let raw_id = order
        .key
        .id
        .split_once('-')
        .expect("market-id")
        .1
        .to_owned();
    let request = lla_paylink(&handle, &order, "https://pay.example/l/1");

    // The simulator saves it, then drops the connection.
    sim.force_order(&raw_id, Some(Fault::DropAfterApply));
    let first = executor
        .execute(&handle, &order, &request, Utc::now())
        .await;
    sim.force_order(&raw_id, None);
    assert_eq!(
        first.entry.state,
        JournalState::Unknown,
        "{:#?}",
        first.entry
    );
    assert_eq!(first.entry.sends, 1);
    assert_eq!(sim.paylinks().len(), 1, "saved once");
    assert_eq!(sim.injected().dropped_after, 1);
    let id = first.entry.id.clone();

    // Neither this executor nor a restarted one sends it again by itself.
    executor
        .resolve_pending(std::slice::from_ref(&handle), Utc::now())
        .await;
    let restarted = WriteExecutor::new(Some(store.clone()), "fault-test")
        .expect("executor")
        .with_in_flight_lease(Duration::ZERO);
    for _ in 0..2 {
        let results = restarted
            .resolve_pending(std::slice::from_ref(&handle), Utc::now())
            .await;
        assert_eq!(results.len(), 1);
        assert_eq!(results[0].entry.state, JournalState::Unknown);
        assert_eq!(results[0].entry.sends, 1);
    }
    assert_eq!(sim.paylinks().len(), 1, "not re-sent on its own");
    assert_eq!(sim.b2bsoft_correlation_ids().len(), 1);

    // A new write to the order waits for the user's decision.
    let other = lla_paylink(&handle, &order, "https://pay.example/l/2");
    let blocked = restarted.execute(&handle, &order, &other, Utc::now()).await;
    assert_eq!(blocked.entry.state, JournalState::Failed);
    let why = blocked.entry.outcome.clone().unwrap_or_default();
    assert!(why.contains("send it again there"), "{why}");
    assert_eq!(sim.paylinks().len(), 1);

    // "Send again": exactly one more send, confirmed by LLA's answer, and
    // the entry names both attempts' correlation ids.
    let again = restarted
        .send_again(&handle, &id, Utc::now())
        .await
        .expect("sent again");
    assert_eq!(
        again.entry.state,
        JournalState::Confirmed,
        "{:#?}",
        again.entry
    );
    assert_eq!(again.entry.sends, 2);
    let saved = sim.paylinks();
    assert_eq!(saved.len(), 2, "sent exactly once more");
    assert_eq!(saved[1].link, "https://pay.example/l/1");
    let outcome = again.entry.outcome.clone().unwrap_or_default();
    let ids = sim.b2bsoft_correlation_ids();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1]);
    for cid in &ids {
        assert!(
            outcome.contains(cid.as_str()),
            "{cid} missing from {outcome}"
        );
    }

    // Settled: nothing more is sent, by hand or by a resolve pass.
    let refused = restarted.send_again(&handle, &id, Utc::now()).await;
    let why = refused.expect_err("a confirmed write is not sent again");
    assert!(why.contains("confirmed"), "{why}");
    restarted
        .resolve_pending(std::slice::from_ref(&handle), Utc::now())
        .await;
    assert_eq!(sim.paylinks().len(), 2);
    assert!(store.journal_unresolved().expect("journal").is_empty());
}
