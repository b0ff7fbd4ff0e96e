//! The journal tables: what survives a restart (on every store, see
//! `store_support`), and the entries' JSON and timeline forms. The states,
//! allowed moves and listing every journal implementation must get right
//! are in `store_conformance.rs`.

mod pg_support;
mod store_support;

use chrono::{DateTime, Duration, TimeZone, Utc};
use orderdesk::domain::{ActionKind, ActionRequest, LogKind, OrderKey};
use orderdesk::store::{JournalEntry, JournalState, NewJournalEntry, SqliteStore};
use store_support::Factory;

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

fn record(
    store: &SqliteStore,
    key: &OrderKey,
    req: &ActionRequest,
    at: DateTime<Utc>,
) -> JournalEntry {
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

/// A write recorded and claimed, then the process gone: a new handle on
/// the same data (a restarted console, another daemon) finds it unresolved
/// with everything needed to send it again.
async fn an_add_message_is_reconstructable_after_a_restart(factory: Factory) {
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
    let (first, data) = factory.open().await;
    let e = first
        .journal
        .journal_record(NewJournalEntry {
            session: "s1",
            author: "anna",
            key: &key,
            kind: "tjansteguiden",
            request: &req,
            at: t(0),
        })
        .await
        .unwrap();
    first
        .journal
        .journal_mark_sending(&e, "s1", t(0))
        .await
        .unwrap();
    let restarted = factory.again(&first, &data).await;
    drop(first);
    let pending = restarted.journal.journal_unresolved().await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].id, e.id);
    assert_eq!(pending[0].request, req);
    assert_eq!(pending[0].key, key);
    assert_eq!(pending[0].kind, "tjansteguiden");
    assert_eq!(pending[0].state, JournalState::Sending);
}

#[tokio::test]
async fn sqlite_keeps_an_add_message_across_a_restart() {
    an_add_message_is_reconstructable_after_a_restart(Factory::SqliteDisk).await;
}

#[tokio::test]
async fn postgres_keeps_an_add_message_across_a_restart() {
    let Some(factory) = Factory::postgres() else {
        return;
    };
    an_add_message_is_reconstructable_after_a_restart(factory).await;
}

#[test]
fn json_and_timeline_forms() {
    let store = SqliteStore::open_in_memory().unwrap();
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
