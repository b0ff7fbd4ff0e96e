//! ORDER plus its notifications -> the normalized [`Order`]. Pure.
//!
//! Mapping (choices where DESIGN/CONTRACTS leave room):
//! - key `<instance>/<voiceOrderId>`; `created` = `createdDate`.
//! - status: DESIGN's table (created -> new; in progress -> in progress;
//!   pending credit check -> needs attention; completed -> done, terminal;
//!   credit check rejected, rejected, cancelled -> closed, terminal; anything
//!   else -> needs attention). Matching ignores case, `-` and `_`; the raw
//!   word is kept as the carrier wrote it.
//! - `customer`: the business name, else first and last name.
//! - `service`: order type, product and TN count, then the FOC date when
//!   there is one: `LNP port · Local Inbound · 3 TN · FOC 2026-12-02`.
//!   (The FOC date goes here rather than into `schedule` because
//!   `Order::schedule_text` shows only the parsed date of a schedule.)
//! - `schedule`: the customer request date (raw kept when it does not parse).
//! - `fields`: every ORDER field by its wire name, in the contract's order,
//!   then unknown scalar fields; `tnList` joined with spaces.
//! - `customer_fields`: the subscriber and the service address, wire names.
//! - `items`: one per TN with its rate center and state.
//! - `log`: the notifications (see `notify`); `carrier_attention`: the ones
//!   that need the customer to act.
//! - `raw`: `{"order": ORDER, "notifications": [...]}` re-indented, keys in
//!   the carrier's order.

use std::sync::Arc;

use crate::domain::{Order, OrderKey, Schedule, Stage, Stamp, Status, StatusDef, sanitize};

use super::KIND;
use super::notify;
use super::rules::normalize_status;
use super::wire::{Notification, VoiceOrder, parse_time, pretty};

/// The Voice status vocabulary (CONTRACTS / the document's order status list).
pub const STATUSES: &[StatusDef] = &[
    StatusDef {
        raw: "created",
        stage: Stage::New,
        terminal: false,
        meaning: "order received by Lumen",
    },
    StatusDef {
        raw: "in progress",
        stage: Stage::InProgress,
        terminal: false,
        meaning: "order is being worked",
    },
    StatusDef {
        raw: "pending credit check",
        stage: Stage::NeedsAttention,
        terminal: false,
        meaning: "waiting for a credit check",
    },
    StatusDef {
        raw: "completed",
        stage: Stage::Done,
        terminal: true,
        meaning: "order is complete",
    },
    StatusDef {
        raw: "credit check rejected",
        stage: Stage::Closed,
        terminal: true,
        meaning: "refused by the credit check",
    },
    StatusDef {
        raw: "rejected",
        stage: Stage::Closed,
        terminal: true,
        meaning: "order was rejected",
    },
    StatusDef {
        raw: "cancelled",
        stage: Stage::Closed,
        terminal: true,
        meaning: "order was cancelled",
    },
];

/// Maps a carrier status word (kept verbatim in `raw`).
pub fn status(raw: &str) -> Status {
    let norm = normalize_status(raw);
    let norm = match norm.as_str() {
        "canceled" => "cancelled",
        "credit rejected" => "credit check rejected",
        "complete" => "completed",
        other => other,
    };
    let shown = sanitize(raw.trim());
    match STATUSES.iter().find(|s| s.raw == norm) {
        Some(def) => Status::new(shown, def.stage, def.terminal),
        None if shown.is_empty() => Status::new("(no status)", Stage::NeedsAttention, false),
        None => Status::new(shown, Stage::NeedsAttention, false),
    }
}

/// Display name of an order type.
pub fn order_type_label(order_type: &str) -> String {
    match order_type.trim().to_ascii_uppercase().as_str() {
        "LNP" => "LNP port".into(),
        "" => "order".into(),
        other => sanitize(other),
    }
}

/// Display name of a product id.
pub fn product_label(product_id: &str) -> String {
    match product_id.trim() {
        "2036" => "Local Inbound".into(),
        "2042" => "ELS".into(),
        other => format!("product {}", sanitize(other)),
    }
}

/// The date part of a carrier time, for short display.
fn short_date(text: &str) -> String {
    match parse_time(text) {
        Some(at) => at.format("%Y-%m-%d").to_string(),
        None => sanitize(text),
    }
}

fn stamp(text: Option<&str>) -> Option<Stamp> {
    let raw = sanitize(text?.trim());
    let at = parse_time(&raw);
    Some(Stamp::new(raw, at))
}

/// Builds the order. `order_raw` is the ORDER's JSON text as received and
/// `notifications_raw` the notification list's (both valid JSON).
pub fn to_order(
    instance: &Arc<str>,
    order: &VoiceOrder,
    notifications: &[Notification],
    order_raw: &str,
    notifications_raw: &str,
) -> Order {
    let o = order;
    // The raw id is the key (sanitizing could merge two orders into one);
    // it is escaped wherever a key is shown.
    let key = OrderKey::new(instance.clone(), o.voice_order_id.clone());
    let mut out = Order::new(key, KIND, status(o.status.as_deref().unwrap_or("")));
    out.created = stamp(o.created_date.as_deref()).unwrap_or_default();

    let s = &o.subscriber;
    out.customer = sanitize(
        match &s.business_name {
            Some(b) => b.clone(),
            None => [s.first_name.as_deref(), s.last_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
        }
        .trim(),
    );

    let mut service = vec![
        order_type_label(o.order_type.as_deref().unwrap_or("")),
        o.product_id
            .as_deref()
            .map(product_label)
            .unwrap_or_else(|| "product ?".into()),
        format!("{} TN", o.tn_list.len()),
    ];
    if let Some(foc) = &o.foc_date {
        service.push(format!("FOC {}", short_date(foc)));
    }
    out.service = service.join(" · ");
    out.schedule = stamp(o.customer_request_date.as_deref()).map(Schedule::Scheduled);

    let mut fields: Vec<(String, String)> = Vec::new();
    let mut put = |name: &str, value: Option<&String>| {
        if let Some(v) = value {
            fields.push((name.to_owned(), sanitize(v)));
        }
    };
    put("voiceOrderId", Some(&o.voice_order_id));
    put("externalOrderId", o.external_order_id.as_ref());
    put("orderType", o.order_type.as_ref());
    put("productId", o.product_id.as_ref());
    put("status", o.status.as_ref());
    put("createdDate", o.created_date.as_ref());
    put("customerRequestDate", o.customer_request_date.as_ref());
    put("focDate", o.foc_date.as_ref());
    put("rateCenter", o.rate_center.as_ref());
    put("state", o.state.as_ref());
    let tns = o.tn_list.join(" ");
    put("tnList", (!tns.is_empty()).then_some(&tns));
    for (k, v) in &o.extra {
        fields.push((sanitize(k), sanitize(v)));
    }
    out.fields = fields;

    let a = &o.service_address;
    out.customer_fields = [
        ("customerTypeIndicator", &s.customer_type_indicator),
        ("firstName", &s.first_name),
        ("lastName", &s.last_name),
        ("businessName", &s.business_name),
        ("streetNumber", &a.street_number),
        ("streetName", &a.street_name),
        ("streetSuffix", &a.street_suffix),
        ("city", &a.city),
        ("state", &a.state),
        ("zipCode", &a.zip_code),
        ("secondaryLocation", &a.secondary_location),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| (k.to_owned(), sanitize(v))))
    .collect();

    out.items = o
        .tn_list
        .iter()
        .map(|tn| {
            let mut item = vec![("tn".to_owned(), sanitize(tn))];
            if let Some(rc) = &o.rate_center {
                item.push(("rateCenter".to_owned(), sanitize(rc)));
            }
            if let Some(st) = &o.state {
                item.push(("state".to_owned(), sanitize(st)));
            }
            item
        })
        .collect();

    out.log = notify::log_entries(notifications);
    out.carrier_attention = notify::attention(notifications);
    out.raw = Some(pretty(&format!(
        "{{\"order\":{order_raw},\"notifications\":{notifications_raw}}}"
    )));
    out.detail_loaded = true;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_mapping_follows_design() {
        let cases = [
            ("created", Stage::New, false),
            ("in progress", Stage::InProgress, false),
            ("In-Progress", Stage::InProgress, false),
            ("pending credit check", Stage::NeedsAttention, false),
            ("completed", Stage::Done, true),
            ("credit check rejected", Stage::Closed, true),
            ("rejected", Stage::Closed, true),
            ("cancelled", Stage::Closed, true),
            ("on the moon", Stage::NeedsAttention, false),
        ];
        for (raw, stage, terminal) in cases {
            let s = status(raw);
            assert_eq!((s.stage, s.terminal), (stage, terminal), "{raw}");
            assert_eq!(s.raw, raw);
        }
        assert_eq!(status("").raw, "(no status)");
    }
}
