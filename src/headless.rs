//! `orderdesk list`, `show` and `journal`: the console's data without a
//! terminal, for scripts. Uses the same config, adapters, engine and store
//! as the console, always read-only (no write client is built, nothing is
//! recorded). Exit status is non-zero with a clear message on failure; when
//! one carrier of several fails, or orders of a carrier that answered could
//! not be read, the rest is printed and a warning goes to stderr (partial
//! results: exit 3). Must not: send writes or draw. `stats` (the
//! wallboard's figures) is in [`stats`].

pub mod stats;

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use crate::carriers::{CarrierError, CarrierHandle, SyncEvent};
use crate::domain::{
    Flag, JournalEntry, JournalFilter, Note, Order, OrderKey, Stage, relative_age,
};
use crate::engine::{self, Command, EngineSetup, Event, FirstPoll};
use crate::store::{SqliteStore, StoreError, Stores};

/// Local notes and follow-up flags from the data dir's store (never sent
/// to a carrier). Empty when there is no store yet.
#[derive(Debug, Default)]
pub struct Local {
    pub notes: HashMap<OrderKey, Vec<Note>>,
    pub flags: HashMap<OrderKey, Flag>,
}

/// The data dir's store, if it holds one (`None` when nothing was stored
/// there yet: it is not created).
pub async fn existing_store(dir: Option<&Path>) -> Option<Result<Stores, StoreError>> {
    let dir = dir.filter(|d| d.join(SqliteStore::FILE_NAME).exists())?;
    Some(Stores::open_sqlite(dir).await)
}

impl Local {
    /// Reads them if `dir` holds a store; a store that cannot be read is a
    /// warning (returned), not an error: the carriers' data still prints.
    pub async fn load(dir: Option<&Path>) -> (Local, Option<String>) {
        let Some(opened) = existing_store(dir).await else {
            return (Local::default(), None);
        };
        let read = async {
            let stores = opened?;
            Ok::<_, StoreError>(Local {
                notes: stores.local.all_notes().await?,
                flags: stores.local.flags().await?,
            })
        };
        match read.await {
            Ok(local) => (local, None),
            Err(e) => (
                Local::default(),
                Some(format!("local notes and flags not shown: {e}")),
            ),
        }
    }

    pub fn flagged(&self, key: &OrderKey) -> bool {
        self.flags.contains_key(key)
    }
}

/// The journal of the store in `dir`, newest first, from `since` on.
pub async fn journal(
    dir: &Path,
    since: Option<DateTime<Utc>>,
) -> Result<Vec<JournalEntry>, String> {
    let Some(opened) = existing_store(Some(dir)).await else {
        return Err(format!(
            "no journal in {} (nothing was written from this data directory yet)",
            dir.display()
        ));
    };
    let stores = opened.map_err(|e| e.to_string())?;
    stores
        .journal
        .journal(&JournalFilter {
            since,
            ..JournalFilter::default()
        })
        .await
        .map_err(|e| e.to_string())
}

/// Which orders `list` prints.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Include done and closed orders.
    pub all: bool,
    pub carrier: Option<String>,
    pub stage: Option<Stage>,
    pub status: Option<String>,
    /// Only orders that need attention.
    pub attention: bool,
    /// Only orders flagged locally for follow-up.
    pub flagged: bool,
}

impl ListFilter {
    pub fn matches(&self, order: &Order, local: &Local) -> bool {
        let flagged = local.flagged(&order.key);
        (self.all || self.stage.is_some() || order.status.stage.is_open())
            && self
                .carrier
                .as_deref()
                .is_none_or(|c| &*order.key.carrier == c)
            && self.stage.is_none_or(|s| order.status.stage == s)
            && self
                .status
                .as_deref()
                .is_none_or(|s| order.status.raw.eq_ignore_ascii_case(s))
            && (!self.attention || order.needs_attention() || flagged)
            && (!self.flagged || flagged)
    }
}

/// An engine on `handles` that records nothing (`list` and `show` leave
/// the store as it was); `sync` starts its fetchers from no cursor.
fn engine_alone(
    handles: &[CarrierHandle],
    sync: bool,
) -> Result<
    (
        engine::EngineHandle,
        tokio::sync::mpsc::UnboundedReceiver<Event>,
    ),
    String,
> {
    engine::spawn(EngineSetup {
        handles: handles.to_vec(),
        stores: None,
        notes: None,
        author: String::new(),
        in_flight_lease: None,
        sync: sync.then(HashMap::new),
        // `list` and `show` are explicit requests: they poll whatever the hour.
        first_poll: FirstPoll::Now,
    })
    .map_err(|e| format!("cannot start the engine: {e}"))
}

/// What one full poll of every carrier gave.
#[derive(Debug, Default)]
pub struct Fetched {
    /// The orders read (an order whose details failed has `fetch_error`).
    pub orders: Vec<Order>,
    /// The carriers whose poll failed (their orders are left out).
    pub failures: Vec<(String, CarrierError)>,
    /// Orders of carriers that answered that could not be read: each a
    /// sentence saying which and why. Partial results, like a failed carrier.
    pub unreadable: Vec<String>,
}

/// One full poll of every carrier (the engine's first poll of each, sent at
/// once whatever the carrier's quiet hours: `list` and `show` are explicit
/// requests): their orders, the carriers that failed and the orders that could not be read.
pub async fn fetch_all(handles: &[CarrierHandle]) -> Result<Fetched, String> {
    let (engine, mut events) = engine_alone(handles, true)?;
    let mut waiting: HashSet<String> = handles.iter().map(|h| h.name.to_string()).collect();
    let mut by_key: HashMap<OrderKey, Order> = HashMap::new();
    let mut failed: Vec<(OrderKey, CarrierError)> = Vec::new();
    let mut failures = Vec::new();
    // Per carrier that answered: how many orders its poll could not read.
    let mut not_read: Vec<(String, usize)> = Vec::new();
    let mut done: HashSet<String> = HashSet::new();
    while !waiting.is_empty() {
        let Some(event) = events.recv().await else {
            break;
        };
        let Event::Sync(event) = event else {
            continue;
        };
        match event {
            SyncEvent::Orders { carrier, orders } if !done.contains(&*carrier) => {
                for order in orders {
                    by_key.insert(order.key.clone(), order);
                }
            }
            SyncEvent::OrderFailed { key, error } if !done.contains(&*key.carrier) => {
                failed.push((key, error))
            }
            SyncEvent::Finished {
                carrier, result, ..
            } if waiting.remove(&*carrier) => {
                done.insert(carrier.to_string());
                match result {
                    Ok(summary) => not_read.push((carrier.to_string(), summary.failed)),
                    Err(e) => {
                        by_key.retain(|k, _| k.carrier != carrier);
                        failed.retain(|(k, _)| k.carrier != carrier);
                        failures.push((carrier.to_string(), e));
                    }
                }
            }
            _ => {}
        }
    }
    drop(engine);
    let mut unreadable = Vec::new();
    failed.sort_by(|a, b| a.0.cmp(&b.0));
    failed.dedup_by(|a, b| a.0 == b.0);
    for (key, error) in &failed {
        match by_key.get_mut(key) {
            Some(order) => {
                order.fetch_error = Some(error.to_string());
                unreadable.push(format!(
                    "order {key} could not be read ({error}); it is listed from the carrier's list only"
                ));
            }
            None => unreadable.push(format!(
                "order {key} could not be read ({error}); it is left out"
            )),
        }
    }
    // Orders a poll counted as failed without naming them (their JSON gave
    // no id): said as a count, the log has each one's reason.
    for (carrier, count) in not_read {
        let named = failed
            .iter()
            .filter(|(k, _)| *k.carrier == *carrier)
            .count();
        let unnamed = count.saturating_sub(named);
        if unnamed > 0 {
            unreadable.push(format!(
                "{unnamed} order(s) of carrier {carrier:?} could not be read and are left out (the log says why)"
            ));
        }
    }
    let mut orders: Vec<Order> = by_key.into_values().collect();
    orders.sort_by(|a, b| {
        a.created
            .at
            .cmp(&b.created.at)
            .then_with(|| a.key.cmp(&b.key))
    });
    Ok(Fetched {
        orders,
        failures,
        unreadable,
    })
}

/// One order with its on-demand customer details. A failure to load the
/// extra customer details is a warning, not an error.
pub async fn fetch_one(
    handles: &[CarrierHandle],
    key: &OrderKey,
) -> Result<(Order, Option<CarrierError>), String> {
    if !handles.iter().any(|h| h.name == key.carrier) {
        let names: Vec<_> = handles.iter().map(|h| h.name.to_string()).collect();
        return Err(format!(
            "no carrier named {:?} in the config (configured: {})",
            key.carrier,
            names.join(", ")
        ));
    }
    let (engine, mut events) = engine_alone(handles, false)?;
    engine.send(Command::ReloadOrder(key.clone()));
    let order = loop {
        match events.recv().await {
            Some(Event::OrderReloaded { result, .. }) => {
                break result.map_err(|e| unreadable_or(key, &e))?;
            }
            Some(_) => {}
            None => return Err(format!("{key}: the engine stopped")),
        }
    };
    engine.send(Command::LoadCustomer(Box::new(order.clone())));
    loop {
        match events.recv().await {
            Some(Event::CustomerLoaded { result, .. }) => {
                return Ok(match result {
                    Ok(full) => (full, None),
                    Err(e) => (order, Some(e)),
                });
            }
            Some(_) => {}
            None => return Err(format!("{key}: the engine stopped")),
        }
    }
}

/// What `show` says when an order could not be fetched: an answer that
/// could not be read says so, and why (it is not "not found").
fn unreadable_or(key: &OrderKey, e: &CarrierError) -> String {
    if e.category() == "protocol" {
        format!("{key}: the order could not be read: {e}")
    } else {
        format!("{key}: {e}")
    }
}

/// The JSON object `list --json` prints per order.
pub fn order_summary_json(order: &Order, local: &Local) -> Value {
    let mut attention: Vec<String> = order.attention().iter().map(|a| a.code.clone()).collect();
    let flag = local.flags.get(&order.key);
    if flag.is_some() {
        attention.push("flag".into());
    }
    json!({
        "key": order.key.to_string(),
        "carrier": &*order.key.carrier,
        "kind": order.kind,
        "id": order.key.id,
        "status": order.status.raw,
        "stage": order.status.stage.as_str(),
        "terminal": order.status.terminal,
        "attention": attention,
        "flagged": flag.is_some(),
        "flag": flag.map(|f| json!({"author": f.author, "at": f.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)})),
        "notes": local.notes.get(&order.key).map_or(0, Vec::len),
        "created": order.created.rfc3339_or_raw(),
        "updated": order.updated_at().map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        "customer": order.customer,
        "service": order.service,
        "schedule": order.schedule_text(),
        "error": order.fetch_error,
    })
}

/// The JSON object `show --json` prints: the summary plus details.
pub fn order_detail_json(order: &Order, local: &Local) -> Value {
    let mut value = order_summary_json(order, local);
    if let Value::Object(map) = &mut value {
        let notes = local
            .notes
            .get(&order.key)
            .map(Vec::as_slice)
            .unwrap_or_default();
        map.insert(
            "notes".into(),
            serde_json::to_value(notes).unwrap_or(Value::Null),
        );
        map.insert(
            "attention_details".into(),
            order
                .attention()
                .iter()
                .map(|a| json!({"code": a.code, "detail": a.detail}))
                .collect(),
        );
        map.insert("fields".into(), pairs_json(&order.fields));
        map.insert(
            "customer_details".into(),
            pairs_json(&order.customer_fields),
        );
        map.insert(
            "items".into(),
            order.items.iter().map(|i| pairs_json(i)).collect(),
        );
        map.insert(
            "log".into(),
            order
                .log
                .iter()
                .map(|e| json!({"at": e.at.rfc3339_or_raw(), "kind": e.kind.as_str(), "source": e.source, "text": e.text}))
                .collect(),
        );
    }
    value
}

fn pairs_json(pairs: &[(String, String)]) -> Value {
    let mut map = Map::new();
    for (name, value) in pairs {
        map.insert(name.clone(), Value::String(value.clone()));
    }
    Value::Object(map)
}

/// Writes the `list` table.
pub fn write_table(
    out: &mut impl Write,
    orders: &[Order],
    now: DateTime<Utc>,
) -> std::io::Result<()> {
    let rows: Vec<[String; 7]> = orders
        .iter()
        .map(|o| {
            [
                o.key.to_string(),
                o.status.raw.clone(),
                format!("{} {}", o.status.stage.glyph(), o.status.stage.label()),
                o.created
                    .at
                    .map(|t| relative_age(t, now))
                    .unwrap_or_else(|| o.created.raw.clone()),
                if o.needs_attention() {
                    "!".into()
                } else {
                    String::new()
                },
                o.customer.clone(),
                o.service.clone(),
            ]
        })
        .collect();
    let header = ["KEY", "STATUS", "STAGE", "AGE", "!", "CUSTOMER", "SERVICE"];
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count()).min(40);
        }
    }
    let line = |cells: &[String]| {
        cells
            .iter()
            .zip(widths)
            .map(|(c, w)| {
                let cut: String = c.chars().take(w).collect();
                format!("{cut:<w$}")
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    writeln!(out, "{}", line(&header.map(String::from)))?;
    for row in &rows {
        writeln!(out, "{}", line(row))?;
    }
    Ok(())
}

/// Writes `show` as text.
pub fn write_detail(
    out: &mut impl Write,
    order: &Order,
    now: DateTime<Utc>,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{}  {} ({} {})",
        order.key,
        order.status.raw,
        order.status.stage.glyph(),
        order.status.stage.label()
    )?;
    let age = order
        .created
        .at
        .map(|t| format!(" ({} ago)", relative_age(t, now)))
        .unwrap_or_default();
    writeln!(out, "created   {}{age}", order.created.rfc3339_or_raw())?;
    writeln!(out, "customer  {}", order.customer)?;
    writeln!(out, "service   {}", order.service)?;
    let schedule = order.schedule_text();
    if !schedule.is_empty() {
        writeln!(out, "schedule  {schedule}")?;
    }
    for a in order.attention() {
        writeln!(out, "attention {}: {}", a.code, a.detail)?;
    }
    section(out, "Order", &order.fields)?;
    section(out, "Customer", &order.customer_fields)?;
    for (i, item) in order.items.iter().enumerate() {
        section(out, &format!("Item {}", i + 1), item)?;
    }
    writeln!(out, "\nLog")?;
    for e in &order.log {
        let text = e.text.replace('\n', "\n                                  ");
        writeln!(
            out,
            "  {:<20} {:<12} {text}",
            e.at.rfc3339_or_raw(),
            e.kind.as_str()
        )?;
    }
    Ok(())
}

fn section(out: &mut impl Write, title: &str, pairs: &[(String, String)]) -> std::io::Result<()> {
    if pairs.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{title}")?;
    let width = pairs
        .iter()
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(0)
        .min(30);
    for (name, value) in pairs {
        writeln!(out, "  {name:<width$}  {value}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{LogEntry, LogKind, Stamp, Status};

    fn order(id: &str, raw: &str, stage: Stage) -> Order {
        let mut o = Order::new(
            OrderKey::new("tg", id),
            "tjansteguiden",
            Status::new(raw, stage, false),
        );
        o.customer = "Kalle Testsson".into();
        o
    }

    #[test]
    fn filter_defaults_to_open_orders() {
        let none = Local::default();
        let f = ListFilter::default();
        assert!(f.matches(&order("1", "new", Stage::New), &none));
        assert!(!f.matches(&order("2", "delivered", Stage::Done), &none));
        let all = ListFilter {
            all: true,
            ..ListFilter::default()
        };
        assert!(all.matches(&order("2", "delivered", Stage::Done), &none));
        let by_stage = ListFilter {
            stage: Some(Stage::Done),
            ..ListFilter::default()
        };
        assert!(by_stage.matches(&order("2", "delivered", Stage::Done), &none));
        assert!(!by_stage.matches(&order("1", "new", Stage::New), &none));
    }

    #[test]
    fn flags_count_as_attention_and_filter() {
        let o = order("7", "received", Stage::InProgress);
        let mut local = Local::default();
        let attention = ListFilter {
            attention: true,
            ..ListFilter::default()
        };
        let flagged = ListFilter {
            flagged: true,
            ..ListFilter::default()
        };
        assert!(!attention.matches(&o, &local));
        assert!(!flagged.matches(&o, &local));
        local.flags.insert(
            o.key.clone(),
            Flag {
                author: "anna".into(),
                at: Utc::now(),
            },
        );
        assert!(attention.matches(&o, &local));
        assert!(flagged.matches(&o, &local));
        let v = order_summary_json(&o, &local);
        assert_eq!(v["flagged"], true);
        assert_eq!(v["flag"]["author"], "anna");
        assert_eq!(v["attention"], json!(["flag"]));
    }

    #[test]
    fn json_has_the_documented_fields() {
        let mut o = order("19530", "waiting", Stage::NeedsAttention);
        o.log.push(LogEntry {
            at: Stamp::new("2015-10-06 12:39:00", None),
            kind: LogKind::Error,
            source: "portal".into(),
            text: "Port finns ej".into(),
        });
        let v = order_detail_json(&o, &Local::default());
        assert_eq!(v["key"], "tg/19530");
        assert_eq!(v["stage"], "needs_attention");
        assert_eq!(v["attention"], json!(["status:waiting", "log:error"]));
        assert_eq!(v["log"][0]["kind"], "error");
        assert_eq!(v["log"][0]["at"], "2015-10-06 12:39:00");
    }

    #[test]
    fn table_has_a_header_and_a_row_per_order() {
        let mut out = Vec::new();
        write_table(&mut out, &[order("1", "new", Stage::New)], Utc::now()).expect("write");
        let text = String::from_utf8(out).expect("utf8");
        let lines: Vec<_> = text.lines().collect();
        assert!(lines[0].starts_with("KEY"));
        assert!(lines[1].starts_with("tg/1") && lines[1].contains("Kalle Testsson"));
    }
}
