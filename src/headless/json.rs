//! `list --json`, `show --json` and `list --csv`: one object per order, and
//! the same columns as CSV (RFC 4180). Times are RFC 3339 with their offset;
//! a carrier's time text that did not parse is given as the carrier wrote it.
//! Must not: print (the caller writes).

use std::io::Write;

use serde_json::{Map, Value, json};

use super::Local;
use crate::domain::Order;

/// Writes `value` as pretty JSON and a line end. A failed write keeps its
/// kind, so a closed pipe is still a closed pipe to [`super::finish`].
pub fn write_json(out: &mut impl Write, value: &impl serde::Serialize) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(|e| match e.io_error_kind() {
        Some(kind) => std::io::Error::new(kind, e),
        None => std::io::Error::other(e),
    })?;
    writeln!(out)
}

/// The JSON object `list --json` prints per order.
pub fn order_summary_json(order: &Order, local: &Local) -> Value {
    let mut attention: Vec<String> = local
        .attention(order)
        .iter()
        .map(|a| a.code.clone())
        .collect();
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
            local
                .attention(order)
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

/// The columns of `list --csv`: the fields of `list --json`, with the flag's
/// author and time as columns of their own and the attention codes joined
/// by spaces.
pub const CSV_COLUMNS: [&str; 18] = [
    "key",
    "carrier",
    "kind",
    "id",
    "status",
    "stage",
    "terminal",
    "attention",
    "flagged",
    "flag_author",
    "flag_at",
    "notes",
    "created",
    "updated",
    "customer",
    "service",
    "schedule",
    "error",
];

/// Writes `list --csv`: a header and a record per order, as
/// `domain::csv` writes them (RFC 4180, formulas defused).
pub fn write_csv(out: &mut impl Write, orders: &[Order], local: &Local) -> std::io::Result<()> {
    write_record(out, CSV_COLUMNS.iter().map(|c| (*c).to_owned()))?;
    for order in orders {
        let v = order_summary_json(order, local);
        write_record(
            out,
            CSV_COLUMNS.iter().map(|column| match *column {
                "flag_author" => cell(&v["flag"]["author"]),
                "flag_at" => cell(&v["flag"]["at"]),
                name => cell(&v[name]),
            }),
        )?;
    }
    Ok(())
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join(" "),
        other => other.to_string(),
    }
}

fn write_record(out: &mut impl Write, cells: impl Iterator<Item = String>) -> std::io::Result<()> {
    out.write_all(crate::domain::csv::record(cells).as_bytes())
}
