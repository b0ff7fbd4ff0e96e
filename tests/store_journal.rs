//! The journal table: states, allowed moves, listing, JSON, timeline lines.

use chrono::{DateTime, Duration, TimeZone, Utc};
use orderdesk::domain::{ActionKind, ActionRequest, LogKind, OrderKey};
use orderdesk::store::{
    JournalEntry, JournalFilter, JournalState, NewJournalEntry, Outcome, Store, StoreError,
};

fn t(m: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 2, 10, 9, 0, 0).unwrap() + Duration::minutes(m)
}

fn set_status(status: &str) -> ActionRequest {
    ActionRequest {
        action: ActionKind::SetStatus,
        params: vec![("status".into(), status.into())],
        summary: format!("set status {status}"),
        preview: Some(format!("<set_status>{status}</set_status>")),
    }
}

fn record(store: &Store, key: &OrderKey, req: &ActionRequest, at: DateTime<Utc>) -> JournalEntry {
    store
        .journal_record(NewJournalEntry {
            session: "s1",
            author: "anna",
            key,
            kind: "tjansteguiden",
            request: req,
            at,
        })
        .unwrap()
}

#[test]
fn a_write_goes_recorded_sending_confirmed() {
    let store = Store::open_in_memory().unwrap();
    let key = OrderKey::new("tg", "19530");
    let req = set_status("received");
    let e = record(&store, &key, &req, t(0));
    assert_eq!(e.state, JournalState::Recorded);
    assert_eq!(e.sends, 0);
    assert_eq!(e.request, req);
    assert_eq!(store.journal_get(&e.id).unwrap().as_ref(), Some(&e));

    let sending = store.journal_mark_sending(&e, "s1", t(1)).unwrap();
    assert_eq!(sending.state, JournalState::Sending);
    assert_eq!(sending.sends, 1);
    assert_eq!(sending.updated_at, t(1));
    assert_eq!(store.journal_unresolved().unwrap(), vec![sending.clone()]);

    let done = store
        .journal_finish(
            &e.id,
            Outcome::Confirmed {
                message: "Status changed to received".into(),
            },
            t(2),
        )
        .unwrap();
    assert_eq!(done.state, JournalState::Confirmed);
    assert_eq!(done.outcome.as_deref(), Some("Status changed to received"));
    assert_eq!(done.resolved_at, Some(t(2)));
    assert!(store.journal_unresolved().unwrap().is_empty());

    // Final is final.
    let err = store
        .journal_finish(&e.id, Outcome::Failed { why: "x".into() }, t(3))
        .unwrap_err();
    assert!(matches!(err, StoreError::BadTransition { .. }), "{err:?}");
    let err = store.journal_mark_sending(&done, "s1", t(3)).unwrap_err();
    assert!(matches!(err, StoreError::BadTransition { .. }), "{err:?}");
    assert_eq!(store.journal_get(&e.id).unwrap(), Some(done));
}

#[test]
fn refused_failed_unknown_and_accepted_are_recorded_with_their_words() {
    let store = Store::open_in_memory().unwrap();
    let key = OrderKey::new("tg", "1");
    let req = set_status("delivered");

    let a = record(&store, &key, &req, t(0));
    let a = store.journal_mark_sending(&a, "s1", t(0)).unwrap();
    let a = store
        .journal_finish(
            &a.id,
            Outcome::Refused {
                code: "E12".into(),
                message: "status not allowed".into(),
            },
            t(1),
        )
        .unwrap();
    assert_eq!(
        (a.state, a.code.as_deref(), a.outcome.as_deref()),
        (
            JournalState::Refused,
            Some("E12"),
            Some("status not allowed")
        )
    );
    assert_eq!(
        a.to_log_entry().text,
        "set status delivered: refused E12 status not allowed"
    );

    // Never sent: recorded -> failed is allowed, recorded -> confirmed is not.
    let b = record(&store, &key, &req, t(2));
    let err = store
        .journal_finish(
            &b.id,
            Outcome::Confirmed {
                message: String::new(),
            },
            t(3),
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::BadTransition { .. }));
    let b = store
        .journal_finish(
            &b.id,
            Outcome::Failed {
                why: "read-only mode: not sent".into(),
            },
            t(3),
        )
        .unwrap();
    assert_eq!(b.sends, 0);
    assert_eq!(
        b.to_log_entry().text,
        "set status delivered: failed: read-only mode: not sent"
    );

    // unknown -> sending again (a resend) -> unknown with receipt -> confirmed.
    let c = record(&store, &key, &req, t(4));
    let c = store.journal_mark_sending(&c, "s1", t(4)).unwrap();
    let c = store
        .journal_finish(
            &c.id,
            Outcome::Unknown {
                why: "timed out".into(),
            },
            t(5),
        )
        .unwrap();
    assert_eq!(c.state, JournalState::Unknown);
    assert_eq!(c.resolved_at, None);
    assert_eq!(
        c.to_log_entry().text,
        "set status delivered: outcome unknown: timed out"
    );
    let c = store.journal_mark_sending(&c, "s2", t(6)).unwrap();
    assert_eq!((c.sends, c.session.as_str()), (2, "s2"));
    let c = store
        .journal_finish(
            &c.id,
            Outcome::Accepted {
                receipt: "OK".into(),
                why: "not visible yet".into(),
            },
            t(7),
        )
        .unwrap();
    assert_eq!(
        (c.state, c.receipt.as_deref()),
        (JournalState::Unknown, Some("OK"))
    );
    assert_eq!(
        c.to_log_entry().text,
        "set status delivered: accepted (OK), not yet visible"
    );
    let c = store
        .journal_finish(
            &c.id,
            Outcome::Confirmed {
                message: "confirmed by re-read".into(),
            },
            t(8),
        )
        .unwrap();
    assert_eq!(c.state, JournalState::Confirmed);
    assert_eq!(c.receipt.as_deref(), Some("OK"), "receipt is kept");

    assert!(matches!(
        store.journal_finish("nope", Outcome::Failed { why: String::new() }, t(9)),
        Err(StoreError::UnknownEntry(_))
    ));
}

#[test]
fn claiming_is_compare_and_set() {
    let store = Store::open_in_memory().unwrap();
    let key = OrderKey::new("tg", "1");
    let e = record(&store, &key, &set_status("active"), t(0));
    // Two consoles read the same row; the first claim wins, the second fails.
    let first = store.journal_mark_sending(&e, "console-a", t(1)).unwrap();
    let err = store
        .journal_mark_sending(&e, "console-b", t(1))
        .unwrap_err();
    assert!(matches!(err, StoreError::BadTransition { .. }), "{err:?}");
    assert_eq!(store.journal_get(&e.id).unwrap(), Some(first));
}

#[test]
fn listing_is_newest_first_and_filters_by_time_and_order() {
    let store = Store::open_in_memory().unwrap();
    let a = OrderKey::new("tg", "1");
    let b = OrderKey::new("tg", "2");
    let ids: Vec<String> = (0..6)
        .map(|i| {
            let key = if i % 2 == 0 { &a } else { &b };
            record(&store, key, &set_status("active"), t(i)).id
        })
        .collect();
    let all = store.journal(&JournalFilter::default()).unwrap();
    let got: Vec<_> = all.iter().map(|e| e.id.clone()).collect();
    let mut want = ids.clone();
    want.reverse();
    assert_eq!(got, want);

    let since = store
        .journal(&JournalFilter {
            since: Some(t(3)),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(since.len(), 3);
    assert!(since.iter().all(|e| e.created_at >= t(3)));

    let of_b = store
        .journal(&JournalFilter {
            key: Some(b.clone()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        of_b.iter().map(|e| e.id.clone()).collect::<Vec<_>>(),
        [ids[5].clone(), ids[3].clone(), ids[1].clone()]
    );
    let newest = store
        .journal(&JournalFilter {
            key: Some(a),
            since: Some(t(1)),
            limit: Some(1),
        })
        .unwrap();
    assert_eq!(newest.len(), 1);
    assert_eq!(newest[0].id, ids[4]);

    // Oldest first for the resolver.
    let unresolved = store.journal_unresolved().unwrap();
    assert_eq!(
        unresolved.iter().map(|e| e.id.clone()).collect::<Vec<_>>(),
        ids
    );
}

#[test]
fn an_add_message_is_reconstructable_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let key = OrderKey::new("tg", "19530");
    let req = ActionRequest {
        action: ActionKind::AddMessage,
        params: vec![
            ("type".into(), "alert".into()),
            ("text".into(), "Kunden \"ringer\" igen\nrad två".into()),
        ],
        summary: "add alert message".into(),
        preview: None,
    };
    let id = {
        let store = Store::open(dir.path()).unwrap();
        let e = record(&store, &key, &req, t(0));
        store.journal_mark_sending(&e, "s1", t(0)).unwrap();
        e.id
    };
    let store = Store::open(dir.path()).unwrap();
    let pending = store.journal_unresolved().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].id, id);
    assert_eq!(pending[0].request, req);
    assert_eq!(pending[0].key, key);
    assert_eq!(pending[0].kind, "tjansteguiden");
    assert_eq!(pending[0].state, JournalState::Sending);
}

#[test]
fn json_and_timeline_forms() {
    let store = Store::open_in_memory().unwrap();
    let key = OrderKey::new("tg", "19530");
    let e = record(&store, &key, &set_status("received"), t(0));
    let log = e.to_log_entry();
    assert_eq!(log.kind, LogKind::Journal);
    assert_eq!(log.source, "anna");
    assert_eq!(log.at.at, Some(t(0)));
    assert_eq!(log.text, "set status received: recorded, not sent yet");

    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["id"], e.id.as_str());
    assert_eq!(json["key"], "tg/19530");
    assert_eq!(json["carrier"], "tg");
    assert_eq!(json["order_id"], "19530");
    assert_eq!(json["action"], "set_status");
    assert_eq!(json["params"]["status"], "received");
    assert_eq!(json["state"], "recorded");
    assert_eq!(json["sends"], 0);
    assert_eq!(json["author"], "anna");
    assert_eq!(json["created_at"], "2026-02-10T09:00:00Z");
    assert!(json["resolved_at"].is_null());
}
