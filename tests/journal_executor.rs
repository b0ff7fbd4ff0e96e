//! The write executor against a fake carrier: every outcome, exactly-once
//! resolution of unknown outcomes, restarts, read-only mode, two consoles.

mod journal_support;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use journal_support::{Fake, KIND, WriteFault, message, pay_link, set_status};
use orderdesk::carriers::CarrierError;
use orderdesk::domain::{ActionRequest, LogKind, OrderKey};
use orderdesk::engine::{MAX_SENDS, WriteExecutor};
use orderdesk::store::{JournalState, NewJournalEntry, Outcome, SqliteStore};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 2, 10, 9, 0, 0).unwrap()
}

fn executor() -> WriteExecutor {
    WriteExecutor::new(
        Some(Arc::new(SqliteStore::open_in_memory().unwrap())),
        "anna",
    )
    .unwrap()
}

async fn run(
    fake: &Fake,
    exec: &WriteExecutor,
    req: &ActionRequest,
) -> orderdesk::engine::WriteResult {
    let handle = fake.handle("tg", false);
    let order = fake.order("1");
    exec.execute(&handle, &order, req, t0()).await
}

#[tokio::test]
async fn accepted_and_visible_is_confirmed() {
    let fake = Fake::with_orders(["1".to_string()]);
    let exec = executor();
    let req = set_status("a", "received");
    let r = run(&fake, &exec, &req).await;
    assert_eq!(r.state(), JournalState::Confirmed);
    assert_eq!(r.entry.sends, 1);
    assert_eq!(r.entry.outcome.as_deref(), Some("OK a"));
    assert_eq!(r.entry.author, "anna");
    assert_eq!(r.entry.kind, KIND);
    assert!(r.store_error.is_none());
    assert_eq!(
        r.order.as_ref().map(|o| o.status.raw.as_str()),
        Some("received")
    );
    assert_eq!(fake.applied("a"), 1);
    assert_eq!(r.receipt_result().unwrap().message, "OK a");
    // The journal row says the same.
    let stored = exec
        .journal()
        .journal_get(&r.entry.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored, r.entry);
    assert!(
        exec.journal()
            .journal_unresolved()
            .await
            .unwrap()
            .is_empty()
    );
    let log = r.entry.to_log_entry();
    assert_eq!(
        (log.kind, log.text.as_str()),
        (LogKind::Journal, "set status received: confirmed")
    );
}

#[tokio::test]
async fn a_refusal_keeps_the_carriers_code_and_message() {
    let fake = Fake::with_orders(["1".to_string()]);
    fake.script(&[WriteFault::Refuse]);
    let exec = executor();
    let r = run(&fake, &exec, &set_status("a", "delivered")).await;
    assert_eq!(r.state(), JournalState::Refused);
    assert_eq!(r.entry.code.as_deref(), Some("E42"));
    assert_eq!(
        r.entry.outcome.as_deref(),
        Some("status change not allowed")
    );
    assert_eq!(fake.applied("a"), 0);
    assert_eq!(fake.sends(), 1);
    assert_eq!(
        r.receipt_result(),
        Err(CarrierError::Rejected {
            code: "E42".into(),
            message: "status change not allowed".into()
        })
    );
}

#[tokio::test]
async fn never_sent_or_not_applied_is_failed_without_retry() {
    for fault in [WriteFault::Unreachable, WriteFault::RateLimited] {
        let fake = Fake::with_orders(["1".to_string()]);
        fake.script(&[fault]);
        let exec = executor();
        let r = run(&fake, &exec, &message("a")).await;
        assert_eq!(r.state(), JournalState::Failed, "{fault:?}");
        assert!(
            r.entry
                .outcome
                .as_deref()
                .unwrap()
                .starts_with("not applied"),
            "{:?}",
            r.entry.outcome
        );
        assert_eq!(fake.sends(), 1, "{fault:?} must not be retried");
        assert_eq!(fake.applied("a"), 0);
    }
}

#[tokio::test]
async fn timeout_after_applying_is_confirmed_by_the_reread_and_not_resent() {
    for fault in [WriteFault::TimeoutAfterApply, WriteFault::DropAfterApply] {
        let fake = Fake::with_orders(["1".to_string()]);
        fake.script(&[fault]);
        let exec = executor();
        let r = run(&fake, &exec, &message("a")).await;
        assert_eq!(r.state(), JournalState::Confirmed, "{fault:?}");
        assert_eq!(r.entry.sends, 1);
        assert_eq!(fake.sends(), 1, "{fault:?}: nothing resent");
        assert_eq!(fake.applied("a"), 1);
        assert!(
            r.entry
                .outcome
                .as_deref()
                .unwrap()
                .starts_with("confirmed by re-reading")
        );
        assert!(
            r.error.is_some(),
            "the original error is kept for the status line"
        );
    }
}

#[tokio::test]
async fn timeout_before_applying_is_resent_exactly_once() {
    for fault in [WriteFault::TimeoutBeforeApply, WriteFault::DropBeforeApply] {
        let fake = Fake::with_orders(["1".to_string()]);
        fake.script(&[fault, WriteFault::Accept]);
        let exec = executor();
        let r = run(&fake, &exec, &message("a")).await;
        assert_eq!(r.state(), JournalState::Confirmed, "{fault:?}");
        assert_eq!(r.entry.sends, 2);
        assert_eq!(fake.sends(), 2);
        assert_eq!(fake.applied("a"), 1);
    }
}

#[tokio::test]
async fn two_unanswered_sends_that_did_not_apply_end_failed() {
    let fake = Fake::with_orders(["1".to_string()]);
    fake.script(&[
        WriteFault::TimeoutBeforeApply,
        WriteFault::TimeoutBeforeApply,
    ]);
    let exec = executor();
    let r = run(&fake, &exec, &message("a")).await;
    assert_eq!(r.state(), JournalState::Failed);
    assert_eq!(r.entry.sends, MAX_SENDS);
    assert_eq!(fake.sends(), MAX_SENDS);
    assert_eq!(fake.applied("a"), 0);
    assert!(
        r.entry
            .outcome
            .as_deref()
            .unwrap()
            .contains("not sent again")
    );
    // Nothing left for the resolver, and it sends nothing more.
    let again = exec
        .resolve_pending(&[fake.handle("tg", false)], t0())
        .await;
    assert!(again.is_empty());
    assert_eq!(fake.sends(), MAX_SENDS);
}

#[tokio::test]
async fn unknown_with_the_carrier_unreachable_waits_for_resolve_pending() {
    // Applied, then the answer and the re-read both fail.
    let fake = Fake::with_orders(["1".to_string()]);
    fake.script(&[WriteFault::TimeoutAfterApply]);
    fake.fail_reads(&[true]);
    let exec = executor();
    let r = run(&fake, &exec, &message("a")).await;
    assert_eq!(r.state(), JournalState::Unknown);
    assert!(matches!(r.receipt_result(), Err(CarrierError::Timeout(_))));
    let handles = [fake.handle("tg", false)];
    let resolved = exec.resolve_pending(&handles, t0()).await;
    assert_eq!(resolved.len(), 1);
    assert_eq!(resolved[0].state(), JournalState::Confirmed);
    assert_eq!(fake.sends(), 1);
    assert_eq!(fake.applied("a"), 1);

    // Not applied, answer and re-read fail: the resolver resends once.
    let fake = Fake::with_orders(["1".to_string()]);
    fake.script(&[WriteFault::TimeoutBeforeApply]);
    fake.fail_reads(&[true]);
    let exec = executor();
    let r = run(&fake, &exec, &message("b")).await;
    assert_eq!(r.state(), JournalState::Unknown);
    // Still unreachable: left alone.
    fake.fail_reads(&[true]);
    let handles = [fake.handle("tg", false)];
    let left = exec.resolve_pending(&handles, t0()).await;
    assert_eq!(left[0].state(), JournalState::Unknown);
    assert_eq!(fake.sends(), 1);
    let resolved = exec.resolve_pending(&handles, t0()).await;
    assert_eq!(resolved[0].state(), JournalState::Confirmed);
    assert_eq!(resolved[0].entry.sends, 2);
    assert_eq!(fake.sends(), 2);
    assert_eq!(fake.applied("b"), 1);
}

#[tokio::test]
async fn a_new_write_waits_for_an_earlier_open_write_to_the_same_order() {
    // Not applied, answer and re-read fail: "a" is left unknown.
    let fake = Fake::with_orders(["1".to_string(), "2".to_string()]);
    fake.script(&[WriteFault::TimeoutBeforeApply]);
    fake.fail_reads(&[true]);
    let exec = executor();
    let first = run(&fake, &exec, &message("a")).await;
    assert_eq!(first.state(), JournalState::Unknown);

    // The carrier still unreachable: "b" to the same order is not sent.
    fake.fail_reads(&[true]);
    let second = run(&fake, &exec, &message("b")).await;
    assert_eq!(second.state(), JournalState::Failed);
    assert_eq!(second.entry.sends, 0);
    let why = second.entry.outcome.clone().unwrap_or_default();
    assert!(why.contains("an earlier write to this order"), "{why}");
    assert_eq!(fake.applied("b"), 0);

    // Another order is not held up.
    let handle = fake.handle("tg", false);
    let other = exec
        .execute(&handle, &fake.order("2"), &message("c"), t0())
        .await;
    assert_eq!(other.state(), JournalState::Confirmed);

    // Reachable again: "a" is settled first (resent once), then "d" sent.
    let third = run(&fake, &exec, &message("d")).await;
    assert_eq!(third.state(), JournalState::Confirmed);
    let a = exec
        .journal()
        .journal_get(&first.entry.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.state, JournalState::Confirmed);
    assert_eq!(a.sends, 2);
    assert_eq!((fake.applied("a"), fake.applied("d")), (1, 1));
    assert!(
        exec.journal()
            .journal_unresolved()
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn accepted_but_not_visible_is_never_resent_and_confirmed_later() {
    let fake = Fake::with_orders(["1".to_string()]);
    fake.script(&[WriteFault::AcceptInvisible]);
    let exec = executor();
    let r = run(&fake, &exec, &message("a")).await;
    assert_eq!(r.state(), JournalState::Unknown);
    assert_eq!(r.entry.receipt.as_deref(), Some("OK a"));
    assert!(r.receipt_result().is_ok(), "the carrier did accept it");
    let handles = [fake.handle("tg", false)];
    let later = exec.resolve_pending(&handles, t0()).await;
    assert_eq!(later[0].state(), JournalState::Unknown);
    assert_eq!(fake.sends(), 1, "an accepted write is not sent again");
    fake.publish_pending();
    let later = exec.resolve_pending(&handles, t0()).await;
    assert_eq!(later[0].state(), JournalState::Confirmed);
    assert_eq!(fake.sends(), 1);
    assert_eq!(fake.applied("a"), 1);
}

#[tokio::test]
async fn read_only_mode_sends_nothing() {
    let fake = Fake::with_orders(["1".to_string()]);
    let exec = executor();
    let handle = fake.handle("tg", true);
    let r = exec
        .execute(&handle, &fake.order("1"), &message("a"), t0())
        .await;
    assert_eq!(r.state(), JournalState::Failed);
    assert_eq!(r.entry.sends, 0);
    assert_eq!(r.entry.outcome.as_deref(), Some("read-only mode: not sent"));
    assert_eq!(fake.sends(), 0);
    assert!(r.receipt_result().is_err());
}

#[tokio::test]
async fn an_order_of_another_carrier_is_not_sent() {
    let fake = Fake::with_orders(["1".to_string()]);
    let exec = executor();
    let handle = fake.handle("other", false);
    let r = exec
        .execute(&handle, &fake.order("1"), &message("a"), t0())
        .await;
    assert_eq!(r.state(), JournalState::Failed);
    assert_eq!(fake.sends(), 0);
}

#[tokio::test]
async fn a_write_the_journal_cannot_record_is_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    let store =
        Arc::new(SqliteStore::open_with_timeout(dir.path(), Duration::from_millis(10)).unwrap());
    let other = rusqlite::Connection::open(dir.path().join(SqliteStore::FILE_NAME)).unwrap();
    other
        .execute_batch("BEGIN EXCLUSIVE; DELETE FROM notes;")
        .unwrap();
    let fake = Fake::with_orders(["1".to_string()]);
    let exec = WriteExecutor::new(Some(store), "anna").unwrap();
    let r = run(&fake, &exec, &message("a")).await;
    assert_eq!(r.state(), JournalState::Failed);
    assert_eq!(r.store_error.as_ref().map(|e| e.category()), Some("locked"));
    assert!(r.entry.outcome.as_deref().unwrap().starts_with("not sent"));
    assert_eq!(fake.sends(), 0, "no write without its record");
    other.execute_batch("COMMIT").unwrap();
}

#[tokio::test]
async fn cache_off_keeps_the_journal_in_memory_and_says_so() {
    let fake = Fake::with_orders(["1".to_string()]);
    let exec = WriteExecutor::new(None, "anna").unwrap();
    assert!(!exec.is_persistent());
    assert!(exec.journal_note().unwrap().contains("memory only"));
    let r = run(&fake, &exec, &message("a")).await;
    assert_eq!(r.state(), JournalState::Confirmed);
    assert_eq!(exec.journal().journal_unresolved().await.unwrap().len(), 0);
    let persistent = WriteExecutor::new(
        Some(Arc::new(
            SqliteStore::open(tempfile::tempdir().unwrap().path()).unwrap(),
        )),
        "anna",
    )
    .unwrap();
    assert!(persistent.journal_note().is_none());
}

/// Leaves an entry as a console killed at a given point would.
fn leave(store: &SqliteStore, key: &OrderKey, req: &ActionRequest, state: JournalState) -> String {
    let e = store
        .journal_record(NewJournalEntry {
            session: "dead-session",
            author: "anna",
            key,
            kind: KIND,
            request: req,
            at: t0(),
        })
        .unwrap();
    if state == JournalState::Recorded {
        return e.id;
    }
    let e = store
        .journal_mark_sending(&e, "dead-session", t0())
        .unwrap();
    if state == JournalState::Unknown {
        store
            .journal_finish(
                &e.id,
                Outcome::Unknown {
                    why: "timed out".into(),
                },
                t0(),
            )
            .unwrap();
    }
    e.id
}

#[tokio::test]
async fn after_a_restart_each_pending_write_is_resolved_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake::with_orders((1..=5).map(|i| i.to_string()));
    let key = |i: u32| OrderKey::new("tg", i.to_string());
    {
        // The first console, killed at various points.
        let store = SqliteStore::open(dir.path()).unwrap();
        // 1: recorded, never sent.
        leave(&store, &key(1), &message("r1"), JournalState::Recorded);
        // 2: sending, reached the carrier.
        leave(&store, &key(2), &message("s2"), JournalState::Sending);
        fake.apply("2", &message("s2"));
        // 3: sending, did not reach it.
        leave(&store, &key(3), &message("s3"), JournalState::Sending);
        // 4: unknown, applied.
        leave(
            &store,
            &key(4),
            &set_status("u4", "active"),
            JournalState::Unknown,
        );
        fake.apply("4", &set_status("u4", "active"));
        // 5: unknown, not applied.
        leave(&store, &key(5), &message("u5"), JournalState::Unknown);
    }
    // The restarted console.
    let exec = WriteExecutor::new(
        Some(Arc::new(SqliteStore::open(dir.path()).unwrap())),
        "anna",
    )
    .unwrap();
    let handles = [fake.handle("tg", false)];
    let later = t0() + chrono::Duration::minutes(10);
    let results = exec.resolve_pending(&handles, later).await;
    assert_eq!(results.len(), 5);
    assert!(
        results.iter().all(|r| r.state() == JournalState::Confirmed),
        "{:?}",
        results
            .iter()
            .map(|r| (r.entry.key.id.clone(), r.state(), r.entry.outcome.clone()))
            .collect::<Vec<_>>()
    );
    let sends: Vec<u32> = results.iter().map(|r| r.entry.sends).collect();
    assert_eq!(sends, [1, 1, 2, 1, 2]);
    assert_eq!(
        fake.sends(),
        3,
        "r1 sent once, s3 and u5 resent once, s2 and u4 not at all"
    );
    for reference in ["r1", "s2", "s3", "u4", "u5"] {
        assert_eq!(fake.applied(reference), 1, "{reference}");
    }
    // A second pass (or a third start) finds nothing to do.
    assert!(exec.resolve_pending(&handles, later).await.is_empty());
    let again = WriteExecutor::new(
        Some(Arc::new(SqliteStore::open(dir.path()).unwrap())),
        "anna",
    )
    .unwrap();
    assert!(again.resolve_pending(&handles, later).await.is_empty());
    assert_eq!(fake.sends(), 3);
}

#[tokio::test]
async fn entries_another_console_may_still_be_sending_are_not_resent_within_the_lease() {
    let store = Arc::new(SqliteStore::open_in_memory().unwrap());
    let fake = Fake::with_orders(["1".to_string(), "2".to_string()]);
    let key = |i: u32| OrderKey::new("tg", i.to_string());
    leave(&store, &key(1), &message("applied"), JournalState::Sending);
    fake.apply("1", &message("applied"));
    leave(
        &store,
        &key(2),
        &message("in-flight"),
        JournalState::Sending,
    );
    let exec = WriteExecutor::new(Some(store), "bo").unwrap();
    let handles = [fake.handle("tg", false)];

    // One minute later: the visible one is confirmed, the other left alone.
    let soon = t0() + chrono::Duration::minutes(1);
    let results = exec.resolve_pending(&handles, soon).await;
    let states: Vec<_> = results.iter().map(|r| r.state()).collect();
    assert_eq!(states, [JournalState::Confirmed, JournalState::Sending]);
    assert_eq!(fake.sends(), 0);

    // After the lease it is resent, once.
    let later = t0() + chrono::Duration::minutes(3);
    let results = exec.resolve_pending(&handles, later).await;
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].state(), JournalState::Confirmed);
    assert_eq!(fake.sends(), 1);
    assert_eq!(fake.applied("in-flight"), 1);
}

#[tokio::test]
async fn a_read_only_console_only_confirms_pending_writes() {
    let store = Arc::new(SqliteStore::open_in_memory().unwrap());
    let fake = Fake::with_orders(["1".to_string(), "2".to_string()]);
    leave(
        &store,
        &OrderKey::new("tg", "1"),
        &message("a"),
        JournalState::Recorded,
    );
    leave(
        &store,
        &OrderKey::new("tg", "2"),
        &message("b"),
        JournalState::Unknown,
    );
    fake.apply("2", &message("b"));
    let exec = WriteExecutor::new(Some(store), "wall").unwrap();
    let later = t0() + chrono::Duration::minutes(10);
    let results = exec
        .resolve_pending(&[fake.handle("tg", true)], later)
        .await;
    let states: Vec<_> = results.iter().map(|r| r.state()).collect();
    assert_eq!(states, [JournalState::Recorded, JournalState::Confirmed]);
    assert_eq!(fake.sends(), 0);
    // A carrier that is not configured any more is left alone.
    assert!(
        exec.resolve_pending(&[fake.handle("other", false)], later)
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn two_consoles_resolving_at_once_send_each_write_at_most_once() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake::with_orders((0..20).map(|i| i.to_string()));
    {
        let store = SqliteStore::open(dir.path()).unwrap();
        for i in 0..20u32 {
            let state = [
                JournalState::Recorded,
                JournalState::Sending,
                JournalState::Unknown,
            ][i as usize % 3];
            leave(
                &store,
                &OrderKey::new("tg", i.to_string()),
                &message(&format!("m{i}")),
                state,
            );
        }
    }
    let a = WriteExecutor::new(
        Some(Arc::new(SqliteStore::open(dir.path()).unwrap())),
        "anna",
    )
    .unwrap();
    let b =
        WriteExecutor::new(Some(Arc::new(SqliteStore::open(dir.path()).unwrap())), "bo").unwrap();
    let handles = [fake.handle("tg", false)];
    let later = t0() + chrono::Duration::minutes(10);
    let (ra, rb) = tokio::join!(
        a.resolve_pending(&handles, later),
        b.resolve_pending(&handles, later)
    );
    // Both consoles looked at (some of) the same entries...
    assert!(ra.len() + rb.len() > 20, "{} + {}", ra.len(), rb.len());
    for i in 0..20 {
        assert_eq!(fake.applied(&format!("m{i}")), 1, "m{i}");
    }
    assert_eq!(fake.sends(), 20);
    assert!(a.journal().journal_unresolved().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_write_no_reread_confirms_is_never_resent_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake::with_orders((1..=3).map(|i| i.to_string()));
    let key = |i: u32| OrderKey::new("tg", i.to_string());
    let (sending, unknown, recorded) = {
        let store = SqliteStore::open(dir.path()).unwrap();
        // 1: sending when the console died, reached the carrier.
        let sending = leave(&store, &key(1), &pay_link("p1"), JournalState::Sending);
        fake.apply("1", &pay_link("p1"));
        // 2: unknown, not applied.
        let unknown = leave(&store, &key(2), &pay_link("p2"), JournalState::Unknown);
        // 3: recorded, never sent: its first send is not a resend.
        let recorded = leave(&store, &key(3), &pay_link("p3"), JournalState::Recorded);
        (sending, unknown, recorded)
    };
    let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let exec = WriteExecutor::new(Some(store.clone()), "anna").unwrap();
    let handle = fake.handle("tg", false);
    let later = t0() + chrono::Duration::minutes(10);
    for _ in 0..2 {
        exec.resolve_pending(std::slice::from_ref(&handle), later)
            .await;
    }
    let state = |id: &str| store.journal_get(id).unwrap().unwrap();
    assert_eq!(state(&sending).state, JournalState::Unknown);
    assert!(
        state(&sending)
            .outcome
            .unwrap_or_default()
            .contains("not sent again on its own")
    );
    assert_eq!(state(&unknown).state, JournalState::Unknown);
    assert_eq!(state(&recorded).state, JournalState::Confirmed);
    assert_eq!(fake.sends(), 1, "only the never-sent one");
    assert_eq!(fake.applied("p2"), 0);

    // The user's "send again": once, confirmed by the carrier's answer.
    let again = exec.send_again(&handle, &unknown, later).await.unwrap();
    assert_eq!(again.state(), JournalState::Confirmed);
    assert_eq!(again.entry.sends, 2);
    assert!(
        again
            .entry
            .outcome
            .clone()
            .unwrap_or_default()
            .contains("[earlier: timed out]"),
        "{:?}",
        again.entry.outcome
    );
    assert_eq!(fake.applied("p2"), 1);
    assert_eq!(fake.sends(), 2);
    // Not for a confirmed entry, nor for a write the re-read settles.
    assert!(exec.send_again(&handle, &unknown, later).await.is_err());
    let msg = leave(&store, &key(3), &message("m3"), JournalState::Unknown);
    let why = exec.send_again(&handle, &msg, later).await.unwrap_err();
    assert!(why.contains("re-reading"), "{why}");
    assert_eq!(fake.sends(), 2);
}

/// Team mode: a console recorded two writes to one order; the daemon's pass
/// leaves the earlier one unknown (the carrier cannot be read), so the
/// later one is not sent in that pass; the next pass settles the earlier
/// one, then sends the later one.
#[tokio::test]
async fn a_team_pass_sends_no_later_write_while_an_earlier_one_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake::with_orders(["1".to_string()]);
    let key = OrderKey::new("tg", "1");
    let store = SqliteStore::open(dir.path()).unwrap();
    let first = leave(&store, &key, &message("first"), JournalState::Recorded);
    let second = leave(&store, &key, &message("second"), JournalState::Recorded);
    let exec = WriteExecutor::new(Some(Arc::new(store)), "daemon").unwrap();
    let handles = [fake.handle("tg", false)];
    let ours = |_: &str| true;

    // The first is re-read (not there yet) and sent; the send times out
    // before applying and the re-read after it fails: unknown.
    fake.script(&[WriteFault::TimeoutBeforeApply]);
    fake.fail_reads(&[false, true]);
    let pass = exec.resolve_for_team(&handles, t0(), &ours).await;
    let states: Vec<(String, JournalState)> = pass
        .iter()
        .map(|r| (r.entry.id.clone(), r.state()))
        .collect();
    assert_eq!(
        states,
        [(first.clone(), JournalState::Unknown)],
        "second waits"
    );
    assert_eq!(fake.applied("second"), 0);

    // Reachable again: the first is settled (resent once), then the second.
    let pass = exec.resolve_for_team(&handles, t0(), &ours).await;
    let states: Vec<(String, JournalState)> = pass
        .iter()
        .map(|r| (r.entry.id.clone(), r.state()))
        .collect();
    assert_eq!(
        states,
        [
            (first, JournalState::Confirmed),
            (second, JournalState::Confirmed)
        ]
    );
    assert_eq!((fake.applied("first"), fake.applied("second")), (1, 1));
}
