//! Team mode at the size of a large support team (see README "Team mode",
//! "How it scales"): one PostgreSQL database with 10,000 orders saved by
//! the daemon's role, 50 headless followers (`follow::spawn`, what a
//! console runs in team mode) on one tokio runtime.
//!
//! - Change to follower: for each round the "daemon" (a login of role
//!   `orderdesk_sync`) changes an order's status, adds a note and sets a
//!   flag; each follower's event carrying each change is timed from the
//!   moment the daemon starts that write (its commit included). p50, p99
//!   and max over every follower and round.
//! - Presence: the 50 agents move between orders (each publishes, the
//!   other 49 see it), timed from `present()` (its 300 ms debounce
//!   included) to each other follower's presence list showing it.
//! - Database load: transactions per second (`pg_stat_database`'s
//!   `xact_commit`, every committed statement of every connection) in each
//!   phase, and with `pg_stat_statements` (the cluster is restarted with it
//!   preloaded when the library is installed) calls and rows of the
//!   presence reads.
//! - Carrier requests: one engine polling a Tjänsteguiden simulator (what
//!   the daemon runs, once for the team) against 50 engines polling
//!   another (50 solo consoles), over the same period.
//!
//! Needs PostgreSQL (the tests' throwaway cluster, `tests/pg_support`).
//! Run: `cargo bench --bench team` (about 2 minutes; prints a table).

#[path = "../tests/pg_support/mod.rs"]
mod pg_support;

#[path = "team/db_load.rs"]
mod db_load;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::Utc;
use orderdesk::carriers::SyncEvent;
use orderdesk::config::Config;
use orderdesk::domain::{Order, OrderKey, Stage, Status};
use orderdesk::engine::{self, EngineSetup, Event, FirstPoll};
use orderdesk::follow::{self, FollowEvent, FollowHandle, FollowSetup};
use orderdesk::registry;
use orderdesk::sim::tjansteguiden::{SimOptions, TgSim};
use orderdesk::store::postgres::{Password, init};
use orderdesk::store::{LocalStore, OrderCache, PgStore};
use tokio::sync::mpsc;

use db_load::{STATS_LAG, load, per_second, presence_reads, statements_on};

const ORDERS: usize = 10_000;
const FOLLOWERS: usize = 50;
const ROUNDS: usize = 30;
/// Between two rounds' first writes (well past the followers' 75 ms
/// coalescing, so rounds do not merge).
const ROUND_EVERY: Duration = Duration::from_millis(600);
/// Each agent moves this many times in the presence phase.
const MOVES: usize = 3;
/// Orders in the carrier simulators, and how long engines poll them.
const SIM_ORDERS: usize = 100;
const POLL_PERIOD: Duration = Duration::from_secs(20);
const REFRESH: Duration = Duration::from_secs(2);
const PW: &str = "bench-pw";

/// What a follower saw, when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Mark {
    Status(usize),
    Note(usize),
    Flag(usize),
    /// Agent, move.
    Presence(usize, usize),
}

fn order(id: &str, status: &str) -> Order {
    let mut o = Order::new(
        OrderKey::new("tg", id),
        "tjansteguiden",
        Status::new(status, Stage::New, false),
    );
    o.customer = format!("Customer of {id}");
    o
}

fn changed_key(round: usize) -> OrderKey {
    OrderKey::new("tg", format!("o{:05}", (round * 337) % ORDERS))
}

fn flag_key(round: usize) -> OrderKey {
    OrderKey::new("tg", format!("o{:05}", (round * 911 + 5) % ORDERS))
}

fn presence_key(agent: usize, step: usize) -> OrderKey {
    OrderKey::new("tg", format!("p{agent:02}-{step}"))
}

/// The marks an event carries.
fn marks(event: &FollowEvent, me: usize, out: &mut Vec<Mark>) {
    match event {
        FollowEvent::Engine(Event::Sync(SyncEvent::Orders { orders, .. })) => {
            for o in orders {
                if let Some(n) = o.status.raw.strip_prefix("round-") {
                    if let Ok(n) = n.parse() {
                        out.push(Mark::Status(n));
                    }
                }
            }
        }
        FollowEvent::Notes { notes, .. } => {
            for note in notes {
                if let Some(Ok(n)) = note.text.strip_prefix("note-").map(str::parse) {
                    out.push(Mark::Note(n));
                }
            }
        }
        FollowEvent::Flag { key, flag: Some(_) } => {
            for round in 0..ROUNDS {
                if *key == flag_key(round) {
                    out.push(Mark::Flag(round));
                }
            }
        }
        FollowEvent::Presence(list) => {
            for p in list {
                let Some(agent) = p.agent.strip_prefix("agent").and_then(|a| a.parse().ok()) else {
                    continue;
                };
                if agent == me {
                    continue;
                }
                if let Some(step) = p.order.as_ref().and_then(|k| {
                    let (a, s) = k.id.strip_prefix('p')?.split_once('-')?;
                    (a.parse::<usize>().ok()? == agent).then_some(s.parse().ok()?)
                }) {
                    out.push(Mark::Presence(agent, step));
                }
            }
        }
        _ => {}
    }
}

/// Percentile `p` (0..=100) of sorted samples, in milliseconds.
fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

async fn followers(
    agent_url: &str,
    seen: &mpsc::UnboundedSender<(usize, Mark, Instant)>,
) -> (Vec<FollowHandle>, Duration) {
    let start = Instant::now();
    let (ready_tx, mut ready) = mpsc::unbounded_channel();
    let mut out = Vec::new();
    for i in 0..FOLLOWERS {
        let store = PgStore::open(agent_url, &Password::given(PW.into()))
            .await
            .expect("the agent's login opens the store");
        let (handle, mut events) = follow::spawn(FollowSetup {
            store,
            author: format!("agent{i:02}"),
            viewer: false,
        });
        let (seen, ready_tx) = (seen.clone(), ready_tx.clone());
        tokio::spawn(async move {
            let mut found = Vec::new();
            let mut loaded = false;
            while let Some(event) = events.recv().await {
                let at = Instant::now();
                if let FollowEvent::Loaded(snapshot) = &event {
                    assert_eq!(snapshot.orders.len(), ORDERS);
                    loaded = true;
                }
                if loaded && matches!(event, FollowEvent::Connected) {
                    let _ = ready_tx.send(i);
                }
                found.clear();
                marks(&event, i, &mut found);
                for mark in found.drain(..) {
                    let _ = seen.send((i, mark, at));
                }
            }
        });
        out.push(handle);
    }
    for _ in 0..FOLLOWERS {
        ready.recv().await.expect("every follower connects");
    }
    (out, start.elapsed())
}

/// Latencies from each mark's start to each follower's first sight of it,
/// with the mark, and how many (follower, mark) were never seen.
fn latencies(
    started: &HashMap<Mark, Instant>,
    seen: &mut mpsc::UnboundedReceiver<(usize, Mark, Instant)>,
    expect_per_mark: usize,
) -> (Vec<(Mark, Duration)>, usize) {
    let mut first: HashMap<(usize, Mark), Instant> = HashMap::new();
    while let Ok((who, mark, at)) = seen.try_recv() {
        first.entry((who, mark)).or_insert(at);
    }
    let out: Vec<(Mark, Duration)> = first
        .iter()
        .filter_map(|((_, mark), at)| {
            Some((*mark, at.saturating_duration_since(*started.get(mark)?)))
        })
        .collect();
    let expected = started.len() * expect_per_mark;
    let missing = expected.saturating_sub(out.len());
    (out, missing)
}

/// The sorted latencies of the marks `pick` accepts.
fn sorted(samples: &[(Mark, Duration)], pick: impl Fn(&Mark) -> bool) -> Vec<Duration> {
    let mut out: Vec<Duration> = samples
        .iter()
        .filter(|(m, _)| pick(m))
        .map(|(_, d)| *d)
        .collect();
    out.sort();
    out
}

async fn run() {
    let Some(db) = pg_support::fresh_db().await else {
        eprintln!("PostgreSQL is not installed: nothing to measure");
        return;
    };
    let statements = statements_on(&db.url).await;
    init(&db.url, &Password::none()).await.expect("db init");
    let sync_url = db.login(&db.user("sync"), PW, "orderdesk_sync").await;
    let agent_url = db.login(&db.user("agent"), PW, "orderdesk_agent").await;
    let daemon = PgStore::open(&sync_url, &Password::given(PW.into()))
        .await
        .expect("the daemon's login opens the store");
    let admin = db.admin().await;

    // 10k orders, saved as the daemon saves a poll's batches.
    let start = Instant::now();
    let all: Vec<Order> = (0..ORDERS)
        .map(|n| order(&format!("o{n:05}"), "new"))
        .collect();
    for batch in all.chunks(500) {
        daemon.save_orders(batch.to_vec()).await.expect("saved");
    }
    let saved = start.elapsed();

    let (seen_tx, mut seen) = mpsc::unbounded_channel();
    let (team, painted) = followers(&agent_url, &seen_tx).await;
    let connected = daemon.followers_connected().await.unwrap_or(0);
    while seen.try_recv().is_ok() {}

    // Idle: 50 followers connected, nobody changing anything.
    tokio::time::sleep(STATS_LAG).await;
    let idle_window = Duration::from_secs(5);
    let before = load(&admin, &db.name, statements).await;
    tokio::time::sleep(idle_window).await;
    let after = load(&admin, &db.name, statements).await;
    let idle = per_second(before, after, idle_window);

    // Rounds: a status, a note, a flag.
    let before = after;
    let phase = Instant::now();
    let mut started = HashMap::new();
    for round in 0..ROUNDS {
        let next = Instant::now() + ROUND_EVERY;
        let t = Instant::now();
        let mut o = order(&changed_key(round).id, &format!("round-{round}"));
        o.status.stage = Stage::InProgress;
        daemon.save_orders(vec![o]).await.expect("status saved");
        started.insert(Mark::Status(round), t);
        let t = Instant::now();
        daemon
            .add_note(
                &changed_key(round),
                "sync",
                &format!("note-{round}"),
                Utc::now(),
            )
            .await
            .expect("note added");
        started.insert(Mark::Note(round), t);
        let t = Instant::now();
        daemon
            .set_flag(&flag_key(round), true, "sync", Utc::now())
            .await
            .expect("flag set");
        started.insert(Mark::Flag(round), t);
        tokio::time::sleep_until(next.into()).await;
    }
    // The last round's events.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rounds_took = phase.elapsed();
    tokio::time::sleep(STATS_LAG).await;
    let after = load(&admin, &db.name, statements).await;
    let rounds = per_second(before, after, rounds_took);
    let (changes, changes_missing) = latencies(&started, &mut seen, FOLLOWERS);

    // Presence: every agent moves MOVES times, one agent every 40 ms.
    if statements {
        let _ = admin
            .batch_execute("SELECT pg_stat_statements_reset()")
            .await;
    }
    let before = load(&admin, &db.name, statements).await;
    let mut started = HashMap::new();
    let phase = Instant::now();
    for step in 0..MOVES {
        for (agent, handle) in team.iter().enumerate() {
            started.insert(Mark::Presence(agent, step), Instant::now());
            handle.present(Some(presence_key(agent, step)), None);
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let presence_window = phase.elapsed();
    let reads = if statements {
        presence_reads(&admin).await
    } else {
        None
    };
    tokio::time::sleep(STATS_LAG).await;
    let after = load(&admin, &db.name, statements).await;
    let presence_load = per_second(before, after, presence_window);
    let (presence, presence_missing) = latencies(&started, &mut seen, FOLLOWERS - 1);
    let presence = sorted(&presence, |_| true);

    for handle in &team {
        handle.leave(Duration::from_secs(5)).await;
    }
    drop(team);

    // Carrier requests: one poller for the team against 50 solo consoles.
    let (one, one_lists) = carrier_requests(1).await;
    let (fifty, fifty_lists) = carrier_requests(FOLLOWERS).await;

    println!();
    println!("team mode at scale ({} cores)", available_cores());
    println!(
        "  {ORDERS} orders saved by the daemon's role in {saved:.1?}; {FOLLOWERS} followers painted and listening in {painted:.1?}; pg_stat_activity shows {connected} followers"
    );
    println!();
    println!(
        "  {:<44} {:>8} {:>8} {:>8} {:>8}",
        "change to follower (ms)", "samples", "p50", "p99", "max"
    );
    let row = |name: &str, v: &[Duration], missing: usize| {
        println!(
            "  {:<44} {:>8} {:>8.0} {:>8.0} {:>8.0}{}",
            name,
            v.len(),
            pct(v, 50.0),
            pct(v, 99.0),
            v.last().map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0),
            if missing > 0 {
                format!("  ({missing} never seen)")
            } else {
                String::new()
            }
        );
    };
    row(
        &format!("status, note, flag x {ROUNDS} rounds x {FOLLOWERS}"),
        &sorted(&changes, |_| true),
        changes_missing,
    );
    row(
        "  of which status",
        &sorted(&changes, |m| matches!(m, Mark::Status(_))),
        0,
    );
    row(
        "  of which note",
        &sorted(&changes, |m| matches!(m, Mark::Note(_))),
        0,
    );
    row(
        "  of which flag",
        &sorted(&changes, |m| matches!(m, Mark::Flag(_))),
        0,
    );
    row(
        &format!(
            "presence: {FOLLOWERS} agents x {MOVES} moves x {}",
            FOLLOWERS - 1
        ),
        &presence,
        presence_missing,
    );
    println!("  (presence includes its 300 ms publishing debounce)");
    println!();
    println!(
        "  {:<44} {:>14} {:>14}",
        "database load, every connection", "transactions/s", "statements/s"
    );
    let load_row = |name: &str, (tps, qps): (f64, Option<f64>)| {
        let qps = qps.map_or("n/a".to_owned(), |q| format!("{q:.1}"));
        println!("  {name:<44} {tps:>14.1} {qps:>14}");
    };
    load_row(&format!("idle, {FOLLOWERS} followers connected"), idle);
    load_row(
        &format!("rounds (3 writes every {:.1} s)", ROUND_EVERY.as_secs_f64()),
        rounds,
    );
    load_row(
        &format!(
            "presence ({} moves in {:.1} s)",
            FOLLOWERS * MOVES,
            presence_window.as_secs_f64()
        ),
        presence_load,
    );
    match reads {
        Some(((whole_calls, whole_rows), (named_calls, named_rows))) => {
            println!("  presence reads (pg_stat_statements, presence phase)");
            println!("    whole-team reads: {whole_calls} calls, {whole_rows} rows");
            println!(
                "    named-agent reads: {named_calls} calls, {named_rows} rows ({:.2} rows a call)",
                named_rows as f64 / named_calls.max(1) as f64
            );
            println!(
                "    re-reading the whole team on each, as before: up to {} rows",
                named_calls * FOLLOWERS as i64
            );
        }
        None => println!("  (pg_stat_statements not available: presence rows not counted)"),
    }
    println!();
    println!(
        "  carrier requests in {:.0} s (simulator, {SIM_ORDERS} orders, refresh {:.0} s)",
        POLL_PERIOD.as_secs_f64(),
        REFRESH.as_secs_f64()
    );
    println!("    one poller for the team (the daemon)   {one:>8} ({one_lists} list calls)");
    println!(
        "    {FOLLOWERS} solo consoles                      {fifty:>8} ({fifty_lists} list calls)"
    );
    println!(
        "    ratio {:.1}x (one solo console's count x {FOLLOWERS} would be {})",
        fifty as f64 / one.max(1) as f64,
        one * FOLLOWERS
    );
}

fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Requests `engines` engines (each a solo console's, or the daemon's)
/// send to one simulator in [`POLL_PERIOD`]: (all, list calls).
async fn carrier_requests(engines: usize) -> (usize, usize) {
    let (sim, server) = TgSim::spawn(
        SimOptions {
            orders: SIM_ORDERS,
            seed: 3,
            ..SimOptions::default()
        },
        0,
    )
    .await
    .expect("sim starts");
    let mut running = Vec::new();
    for _ in 0..engines {
        let mut carrier = sim.carrier_config("tg", &server.origin());
        carrier.refresh = REFRESH;
        let handle = registry::build(&Config::empty(), &carrier, true).expect("carrier builds");
        let (engine, mut events) = engine::spawn(EngineSetup {
            handles: vec![handle],
            stores: None,
            notes: None,
            author: "bench".into(),
            in_flight_lease: None,
            sync: Some(HashMap::new()),
            first_poll: FirstPoll::Now,
        })
        .expect("engine starts");
        tokio::spawn(async move { while events.recv().await.is_some() {} });
        running.push(engine);
    }
    tokio::time::sleep(POLL_PERIOD).await;
    let counted = ["orders", "order_info"]
        .iter()
        .map(|m| sim.requests(m))
        .sum();
    let lists = sim.requests("orders");
    drop(running);
    drop(server);
    (counted, lists)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let start = Instant::now();
    runtime.block_on(run());
    println!("  (whole bench {:.0?})", start.elapsed());
}
