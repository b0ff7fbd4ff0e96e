//! PXORDER -> the normalized [`Order`]. Pure.
//!
//! Mapping (DESIGN's stage table; choices where it leaves room):
//! - key `<instance>/<partnerOrderId>`; `created` = `orderDate`, `updated` =
//!   `statusDate` (dates `MM/DD/YYYY`, `YYYY-MM-DD` or RFC 3339; the raw
//!   text is kept when none fits).
//! - status: the eleven words of the document, compared ignoring case and
//!   `-`/`_`/extra spaces (the document writes `COMPLETED` and
//!   `Completed`); the word is shown as the carrier wrote it; an unknown word
//!   needs attention.
//! - attention: OPEN, PENDING and PRE DECLINED carry the document's meaning
//!   as the reason's text (`px:open`, `px:pending`, `px:pre-declined`).
//! - source system: `orderStatusSourceSystem` when sent, else from the id
//!   (`U...` UI, `E...` Phone, otherwise API); the field `sourceSystem`
//!   (`domain::SOURCE_FIELD`, the table's `source:` filter).
//! - `customer` = `customerName`; `service` = the products' descriptions
//!   (codes where there is no description) joined with ` + `; the address
//!   is a customer field and goes into `service` after ` @ ` so the table's
//!   text filter finds it.
//! - `fields`: every PXORDER scalar by wire name in the contract's order,
//!   then `sourceSystem`, then unknown scalar fields.
//! - `items`: the products, then after a detail call the line items.
//! - `raw`: `{"<call>": PXORDER, ...}` with the last JSON of each call.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};

use crate::carriers::lumen_voice::wire::{parse_time, pretty};
use crate::domain::{
    Attention, Order, OrderKey, SOURCE_FIELD, Stage, Stamp, Status, StatusDef, sanitize,
};

use super::KIND;
use super::wire::PxOrder;

/// The document's status vocabulary, in its order.
pub const STATUSES: &[StatusDef] = &[
    StatusDef {
        raw: "RECEIVED",
        stage: Stage::New,
        terminal: false,
        meaning: "CTL has received the order",
    },
    StatusDef {
        raw: "PROVIDER IN PROCESS",
        stage: Stage::InProgress,
        terminal: false,
        meaning: "valid order not yet terminal",
    },
    StatusDef {
        raw: "PROVIDER CANCELLED",
        stage: Stage::Closed,
        terminal: true,
        meaning: "cancelled by CTL or other Provider",
    },
    StatusDef {
        raw: "COMPLETED",
        stage: Stage::Done,
        terminal: true,
        meaning: "service for product was installed",
    },
    StatusDef {
        raw: "OPEN",
        stage: Stage::NeedsAttention,
        terminal: false,
        meaning: "the order needs intervention from CTL",
    },
    StatusDef {
        raw: "PENDING",
        stage: Stage::NeedsAttention,
        terminal: false,
        meaning: "the order is being worked and requires information from customer",
    },
    StatusDef {
        raw: "DECLINED",
        stage: Stage::Closed,
        terminal: true,
        meaning: "the order will not be processed",
    },
    StatusDef {
        raw: "TRACKING TERMINATED",
        stage: Stage::Closed,
        terminal: true,
        meaning: "the system has lost track of the order and it has aged out",
    },
    StatusDef {
        raw: "PRE DECLINED",
        stage: Stage::NeedsAttention,
        terminal: false,
        meaning: "CTL has tried multiple times to reach the customer and have been unsuccessful and will not take further actions to reach the customer",
    },
    StatusDef {
        raw: "ATTTV",
        stage: Stage::Done,
        terminal: true,
        meaning: "the order is a sale for ATT TV",
    },
    StatusDef {
        raw: "PENDING DTV",
        stage: Stage::InProgress,
        terminal: false,
        meaning: "the order is a sale awaiting DTV installation",
    },
];

/// Customer Cancelled is named terminal by the document's flow but missing
/// from its status list; it is closed like Provider Cancelled.
const CUSTOMER_CANCELLED: StatusDef = StatusDef {
    raw: "CUSTOMER CANCELLED",
    stage: Stage::Closed,
    terminal: true,
    meaning: "cancelled by the customer",
};

/// A status word in the vocabulary's spelling (upper case, single spaces).
pub fn canonical(raw: &str) -> String {
    raw.trim()
        .to_ascii_uppercase()
        .replace(['-', '_'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The vocabulary entry of a status word.
pub fn status_def(raw: &str) -> Option<StatusDef> {
    let norm = canonical(raw);
    let norm = match norm.as_str() {
        "CANCELED" | "PROVIDER CANCELED" => "PROVIDER CANCELLED".to_owned(),
        "CUSTOMER CANCELED" => "CUSTOMER CANCELLED".to_owned(),
        "PREDECLINED" => "PRE DECLINED".to_owned(),
        _ => norm,
    };
    STATUSES
        .iter()
        .chain(std::iter::once(&CUSTOMER_CANCELLED))
        .find(|d| d.raw == norm)
        .copied()
}

/// Maps a carrier status word (kept as written).
pub fn status(raw: &str) -> Status {
    let shown = sanitize(raw.trim());
    match status_def(raw) {
        Some(def) => Status::new(shown, def.stage, def.terminal),
        None if shown.is_empty() => Status::new("(no status)", Stage::NeedsAttention, false),
        None => Status::new(shown, Stage::NeedsAttention, false),
    }
}

/// Whether reaching this status calls for one `pxOrderDetail` (COMPLETED,
/// ATTTV).
pub fn wants_detail(raw: &str) -> bool {
    matches!(status_def(raw).map(|d| d.raw), Some("COMPLETED" | "ATTTV"))
}

/// The attention reason of a status (OPEN, PENDING, PRE DECLINED).
pub fn attention(raw: &str) -> Option<Attention> {
    let def = status_def(raw)?;
    let code = match def.raw {
        "OPEN" => "px:open",
        "PENDING" => "px:pending",
        "PRE DECLINED" => "px:pre-declined",
        _ => return None,
    };
    Some(Attention::new(code, def.meaning))
}

/// The source system: the field when sent (`API`, `UI`, `Phone`), else
/// from the id's first letter.
pub fn source_system(order: &PxOrder) -> &'static str {
    if let Some(s) = order.source_system.as_deref() {
        match s.trim().to_ascii_lowercase().as_str() {
            "api" => return "API",
            "ui" => return "UI",
            "phone" => return "Phone",
            _ => {}
        }
    }
    match order.partner_order_id.trim().chars().next() {
        Some('U' | 'u') => "UI",
        Some('E' | 'e') => "Phone",
        _ => "API",
    }
}

/// A PX date: `MM/DD/YYYY`, `YYYY-MM-DD`, or a time in the shapes Lumen
/// sends (midnight UTC for a bare date).
pub fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    for format in ["%m/%d/%Y", "%Y-%m-%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(t, format) {
            return d.and_hms_opt(0, 0, 0).map(|d| d.and_utc());
        }
    }
    parse_time(t)
}

fn stamp(text: Option<&str>) -> Option<Stamp> {
    let raw = sanitize(text?.trim());
    let at = parse_date(&raw);
    Some(Stamp::new(raw, at))
}

/// Builds the order from what the calls of one poll said: `order` is the
/// freshest PXORDER, `raws` the last JSON of each call by call name.
pub fn to_order(instance: &Arc<str>, order: &PxOrder, raws: &[(&str, &str)]) -> Order {
    let o = order;
    // The raw id is the key (sanitizing could merge two orders into one);
    // it is escaped wherever a key is shown.
    let key = OrderKey::new(instance.clone(), o.partner_order_id.clone());
    let raw_status = o.order_status.as_deref().unwrap_or("");
    let mut out = Order::new(key, KIND, status(raw_status));
    out.created = stamp(o.order_date.as_deref()).unwrap_or_default();
    out.updated = stamp(o.status_date.as_deref());
    out.customer = sanitize(o.customer_name.as_deref().unwrap_or("").trim());
    let products: Vec<String> = o
        .products
        .iter()
        .filter_map(|p| p.description.as_ref().or(p.product_code.as_ref()))
        .map(|s| sanitize(s))
        .collect();
    let a = &o.address;
    let address: Vec<String> = [&a.line1, &a.city, &a.state, &a.zip]
        .into_iter()
        .flatten()
        .map(|s| sanitize(s))
        .collect();
    let mut service = products.join(" + ");
    if !address.is_empty() {
        if !service.is_empty() {
            service.push_str(" @ ");
        }
        service.push_str(&address.join(", "));
    }
    out.service = service;

    let source = source_system(o).to_owned();
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut put = |name: &str, value: Option<&String>| {
        if let Some(v) = value {
            fields.push((name.to_owned(), sanitize(v)));
        }
    };
    put("partnerOrderId", Some(&o.partner_order_id));
    put("orderNumber", o.order_number.as_ref());
    put("orderStatusSourceSystem", o.source_system.as_ref());
    put("salesCode", o.sales_code.as_ref());
    put("orderStatus", o.order_status.as_ref());
    put("statusDate", o.status_date.as_ref());
    put("orderDate", o.order_date.as_ref());
    put("accountNumber", o.account_number.as_ref());
    put("telephoneNumber", o.telephone_number.as_ref());
    put(SOURCE_FIELD, Some(&source));
    for (k, v) in &o.extra {
        fields.push((sanitize(k), sanitize(v)));
    }
    out.fields = fields;
    out.customer_fields = [
        ("customerName", &o.customer_name),
        ("line1", &a.line1),
        ("city", &a.city),
        ("state", &a.state),
        ("zip", &a.zip),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| (k.to_owned(), sanitize(v))))
    .collect();

    let named = |pairs: &[(&str, &Option<String>)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| ((*k).to_owned(), sanitize(v))))
            .collect()
    };
    out.items = o
        .products
        .iter()
        .map(|p| {
            named(&[
                ("productCode", &p.product_code),
                ("description", &p.description),
                ("status", &p.status),
            ])
        })
        .collect();
    for l in o.line_items.iter().flatten() {
        out.items.push(named(&[
            ("lineNumber", &l.line_number),
            ("productCode", &l.product_code),
            ("description", &l.description),
            ("action", &l.action),
            ("status", &l.status),
        ]));
    }
    out.carrier_attention = attention(raw_status).into_iter().collect();
    if !raws.is_empty() {
        let body: Vec<String> = raws
            .iter()
            .map(|(call, raw)| format!("{}:{raw}", serde_json::Value::from(*call)))
            .collect();
        out.raw = Some(pretty(&format!("{{{}}}", body.join(","))));
    }
    out.detail_loaded = o.line_items.is_some();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_are_keyed_by_the_raw_id_and_shown_escaped() {
        let px: Arc<str> = Arc::from("px");
        let order = |id: &str| PxOrder {
            partner_order_id: id.into(),
            order_status: Some("RECEIVED".into()),
            ..PxOrder::default()
        };
        let plain = to_order(&px, &order("U1"), &[]);
        let twin = to_order(&px, &order("U1\u{1b}[0m"), &[]);
        assert_ne!(plain.key, twin.key, "an escape must not merge two orders");
        assert_eq!(twin.key.id, "U1\u{1b}[0m");
        assert_eq!(twin.key.to_string(), "px/U1\\u{1b}[0m");
    }

    #[test]
    fn stage_mapping_follows_design() {
        let cases = [
            ("RECEIVED", Stage::New, false),
            ("PROVIDER IN PROCESS", Stage::InProgress, false),
            ("PENDING DTV", Stage::InProgress, false),
            ("OPEN", Stage::NeedsAttention, false),
            ("Pending", Stage::NeedsAttention, false),
            ("PRE DECLINED", Stage::NeedsAttention, false),
            ("COMPLETED", Stage::Done, true),
            ("Completed", Stage::Done, true),
            ("ATTTV", Stage::Done, true),
            ("PROVIDER CANCELLED", Stage::Closed, true),
            ("Customer Cancelled", Stage::Closed, true),
            ("DECLINED", Stage::Closed, true),
            ("Tracking Terminated", Stage::Closed, true),
            ("on the moon", Stage::NeedsAttention, false),
        ];
        for (raw, stage, terminal) in cases {
            let s = status(raw);
            assert_eq!((s.stage, s.terminal), (stage, terminal), "{raw}");
            assert_eq!(s.raw, raw);
        }
        assert!(wants_detail("Completed") && wants_detail("atttv"));
        assert!(!wants_detail("DECLINED") && !wants_detail("CUSTOMER CANCELLED"));
    }

    #[test]
    fn attention_reasons_carry_the_document_meaning() {
        assert_eq!(
            attention("pending").map(|a| a.detail),
            Some("the order is being worked and requires information from customer".into())
        );
        assert!(attention("OPEN").is_some() && attention("PRE DECLINED").is_some());
        assert!(attention("RECEIVED").is_none());
    }

    #[test]
    fn source_system_from_field_or_id() {
        let mut o = PxOrder {
            partner_order_id: "U1234".into(),
            ..PxOrder::default()
        };
        assert_eq!(source_system(&o), "UI");
        o.partner_order_id = "E99".into();
        assert_eq!(source_system(&o), "Phone");
        o.partner_order_id = "PX-1".into();
        assert_eq!(source_system(&o), "API");
        o.source_system = Some("phone".into());
        assert_eq!(source_system(&o), "Phone");
    }

    #[test]
    fn dates_in_us_and_iso_shapes() {
        assert_eq!(
            parse_date("10/11/2020").map(|d| d.date_naive()),
            NaiveDate::from_ymd_opt(2020, 10, 11)
        );
        assert!(parse_date("2020-10-11").is_some());
        assert!(parse_date("yesterday").is_none());
    }
}
