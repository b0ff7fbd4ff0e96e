//! Over a thousand writes against a fake carrier with injected timeouts,
//! dropped connections, refusals, failing re-reads and console crashes at
//! random points, followed by restarts: at the end the carrier's state equals
//! the journal's confirmed writes, write by write. No write lost, none doubled.

mod journal_support;

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use journal_support::{Fake, KIND, RandomFaults, WriteFault, message, set_status};
use orderdesk::domain::{ActionRequest, OrderKey};
use orderdesk::engine::WriteExecutor;
use orderdesk::store::{JournalFilter, JournalState, NewJournalEntry, Outcome, SqliteStore};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const ORDERS: u32 = 50;

fn start(dir: &std::path::Path) -> WriteExecutor {
    WriteExecutor::new(Some(Arc::new(SqliteStore::open(dir).unwrap())), "anna").unwrap()
}

/// The console dies somewhere between recording a write and finishing it.
async fn crash(
    exec: &WriteExecutor,
    fake: &Fake,
    id: &str,
    req: &ActionRequest,
    rng: &mut StdRng,
    now: DateTime<Utc>,
) {
    let store = exec.journal();
    let key = OrderKey::new("tg", id);
    let entry = store
        .journal_record(NewJournalEntry {
            session: exec.session(),
            author: "anna",
            key: &key,
            kind: KIND,
            request: req,
            at: now,
        })
        .await
        .unwrap();
    match rng.random_range(0..3) {
        // Killed between recording and sending.
        0 => {}
        // Killed while the request was in flight; it may have arrived.
        1 => {
            store
                .journal_mark_sending(&entry, exec.session(), now)
                .await
                .unwrap();
            if rng.random_bool(0.5) {
                fake.apply(id, req);
            }
        }
        // Killed after recording "unknown", before resolving it.
        _ => {
            let entry = store
                .journal_mark_sending(&entry, exec.session(), now)
                .await
                .unwrap();
            if rng.random_bool(0.5) {
                fake.apply(id, req);
            }
            store
                .journal_finish(
                    &entry.id,
                    Outcome::Unknown {
                        why: "timed out".into(),
                    },
                    now,
                )
                .await
                .unwrap();
        }
    }
}

async fn run_scenario(seed: u64, writes: u32) {
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake::with_orders((0..ORDERS).map(|i| i.to_string()));
    fake.set_random(Some(RandomFaults::new(
        seed,
        vec![
            (WriteFault::Accept, 50),
            (WriteFault::Refuse, 8),
            (WriteFault::TimeoutAfterApply, 8),
            (WriteFault::TimeoutBeforeApply, 8),
            (WriteFault::DropAfterApply, 5),
            (WriteFault::DropBeforeApply, 5),
            (WriteFault::Unreachable, 5),
            (WriteFault::RateLimited, 3),
            (WriteFault::AcceptInvisible, 3),
        ],
        10,
    )));
    let handles = [fake.handle("tg", false)];
    let mut rng = StdRng::seed_from_u64(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let mut now = Utc.with_ymd_and_hms(2026, 2, 10, 9, 0, 0).unwrap();
    let mut exec = start(dir.path());
    let mut crashes = 0;

    for i in 0..writes {
        now += Duration::seconds(1);
        let id = rng.random_range(0..ORDERS).to_string();
        let reference = format!("w{i}");
        let req = if rng.random_bool(0.5) {
            message(&reference)
        } else {
            let status = ["received", "active", "waiting", "delivered"][rng.random_range(0..4)];
            set_status(&reference, status)
        };
        if rng.random_range(0..100) < 4 {
            crash(&exec, &fake, &id, &req, &mut rng, now).await;
            crashes += 1;
            // Restart: a new console on the same data directory.
            drop(exec);
            exec = start(dir.path());
            now += Duration::minutes(10);
            exec.resolve_pending(&handles, now).await;
        } else {
            exec.execute(&handles[0], &fake.order(&id), &req, now).await;
        }
        if rng.random_range(0..100) < 5 {
            fake.publish_pending();
        }
        if rng.random_range(0..100) < 3 {
            exec.resolve_pending(&handles, now).await;
        }
    }
    assert!(
        crashes > 10,
        "the scenario should crash now and then ({crashes})"
    );

    // The carrier recovers; one more restart resolves everything.
    fake.set_random(None);
    fake.publish_pending();
    drop(exec);
    let exec = start(dir.path());
    now += Duration::minutes(10);
    exec.resolve_pending(&handles, now).await;
    assert!(
        exec.journal()
            .journal_unresolved()
            .await
            .unwrap()
            .is_empty(),
        "unresolved after recovery: {:?}",
        exec.journal().journal_unresolved().await.unwrap()
    );

    let entries = exec
        .journal()
        .journal(&JournalFilter::default())
        .await
        .unwrap();
    assert_eq!(
        entries.len() as u32,
        writes,
        "every write is in the journal"
    );
    let applied = fake.applied_all();
    let mut confirmed = 0;
    let mut counts = std::collections::HashMap::new();
    for e in &entries {
        let reference = e.request.param("ref").unwrap().to_owned();
        let n = applied.get(&reference).copied().unwrap_or(0);
        *counts.entry(e.state).or_insert(0) += 1;
        match e.state {
            JournalState::Confirmed => {
                confirmed += 1;
                assert_eq!(n, 1, "confirmed {reference} applied {n} times: {e:?}");
            }
            JournalState::Refused | JournalState::Failed => {
                assert_eq!(n, 0, "{:?} {reference} applied {n} times: {e:?}", e.state);
            }
            other => panic!("{reference} still {other}"),
        }
        assert!(e.sends <= 2, "{reference} sent {} times", e.sends);
    }
    // Nothing on the carrier that the journal does not know as confirmed.
    assert_eq!(applied.values().sum::<u32>(), confirmed);
    assert_eq!(applied.len() as u32, confirmed);
    // The faults really happened.
    assert!(
        counts.get(&JournalState::Refused).copied().unwrap_or(0) > 0,
        "{counts:?}"
    );
    assert!(
        counts.get(&JournalState::Failed).copied().unwrap_or(0) > 0,
        "{counts:?}"
    );
    assert!(
        entries
            .iter()
            .any(|e| e.sends == 2 && e.state == JournalState::Confirmed)
    );
    assert!(fake.sends() > confirmed, "some sends were lost to faults");
}

#[tokio::test]
async fn a_thousand_faulty_writes_end_as_the_journal_says_seed_1() {
    run_scenario(1, 1000).await;
}

#[tokio::test]
async fn a_thousand_faulty_writes_end_as_the_journal_says_seed_2() {
    run_scenario(2, 1000).await;
}
