//! A ProductOrder of one market -> the normalized [`Order`]. Pure.
//!
//! Mapping (choices where DESIGN/CONTRACTS leave room):
//! - key `<instance>/<MARKET>-<id>` with the raw id (ids are unique only
//!   within a market; two ids that differ only in control characters stay
//!   two orders); [`split_key_id`] takes it apart again.
//! - status: DESIGN's table, matched in any case: acknowledged and a null
//!   state -> new (a null state is shown as "no state yet"); inProgress ->
//!   in progress; pending, held, failed, partial, assessingCancellation,
//!   pendingCancellation -> needs attention; completed -> done; cancelled,
//!   rejected -> closed (both terminal). Any other state -> needs attention
//!   with an attention reason naming it.
//! - `schedule`: `requestedCompletionDate`; the sentinel
//!   `4444-12-31T00:00:00.000Z` is `Schedule::Unscheduled`; null or absent
//!   is none; a date that does not parse is kept as written.
//! - `created`: `orderDate` (TMF-622) when the carrier sends it.
//! - `fields`: market, then the typed notes by `@type` (JobType as code and
//!   table description), then category, externalId, billingAccount,
//!   priority, requestedStartDate, requestedCompletionDate, description,
//!   then `orderCharacteristics` by their own (per-market) keys.
//! - `customer`: the Customer party's name, else the billing account.
//!   `customer_fields`: that party, the billing account and the service
//!   address keys.
//! - `service`: "self install" / "technician visit" and the job type, else
//!   the product ids.
//! - `log`: one entry per typed note, and a description that is no warning.
//! - `warnings`: the warnings BSS puts in `description` (`codes`), in plain
//!   language. `carrier_attention`: a technician visit that is unscheduled
//!   (someone must book it; an unscheduled self install is normal), and an
//!   unknown state.
//! - `raw`: the order's JSON as received.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::domain::{
    Attention, LogEntry, LogKind, Order, OrderKey, Schedule, Stage, Stamp, Status, StatusDef,
    sanitize,
};

use super::KIND;
use super::codes;
use super::wire::ProductOrder;

/// The sentinel date BSS uses for an unscheduled job.
pub const UNSCHEDULED: &str = "4444-12-31T00:00:00.000Z";

/// How a null state is shown.
pub const NO_STATE: &str = "no state yet";

/// The TMF-622 states of DESIGN's table.
pub const STATUSES: &[StatusDef] = &[
    def("acknowledged", Stage::New, false, "order received by BSS"),
    def(
        "inProgress",
        Stage::InProgress,
        false,
        "order is being worked",
    ),
    def(
        "pending",
        Stage::NeedsAttention,
        false,
        "waiting for something",
    ),
    def("held", Stage::NeedsAttention, false, "order is held"),
    def("failed", Stage::NeedsAttention, false, "order failed"),
    def("partial", Stage::NeedsAttention, false, "order partly done"),
    def(
        "assessingCancellation",
        Stage::NeedsAttention,
        false,
        "a cancellation is being assessed",
    ),
    def(
        "pendingCancellation",
        Stage::NeedsAttention,
        false,
        "a cancellation is pending",
    ),
    def("completed", Stage::Done, true, "order is complete"),
    def("cancelled", Stage::Closed, true, "order was cancelled"),
    def("rejected", Stage::Closed, true, "order was rejected"),
];

const fn def(raw: &'static str, stage: Stage, terminal: bool, meaning: &'static str) -> StatusDef {
    StatusDef {
        raw,
        stage,
        terminal,
        meaning,
    }
}

/// The vocabulary entry of a state, in any case.
pub fn status_def(state: &str) -> Option<&'static StatusDef> {
    let state = state.trim();
    STATUSES.iter().find(|d| d.raw.eq_ignore_ascii_case(state))
}

/// The status of a state as written (`None` = null).
pub fn status(state: Option<&str>) -> Status {
    match state.map(str::trim).filter(|s| !s.is_empty()) {
        None => Status::new(NO_STATE, Stage::New, false),
        Some(s) => match status_def(s) {
            Some(d) => Status::new(sanitize(s), d.stage, d.terminal),
            None => Status::new(sanitize(s), Stage::NeedsAttention, false),
        },
    }
}

/// The key id of an order of `market`.
pub fn key_id(market: &str, id: &str) -> String {
    format!("{market}-{id}")
}

/// `PR-1200047552281013` -> (`PR`, `1200047552281013`).
pub fn split_key_id(key_id: &str) -> Option<(&str, &str)> {
    key_id
        .split_once('-')
        .filter(|(m, id)| !m.is_empty() && !id.is_empty())
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// `requestedCompletionDate` as a schedule.
pub fn schedule(date: Option<&str>) -> Option<Schedule> {
    let date = date.map(str::trim).filter(|d| !d.is_empty())?;
    if date.starts_with("4444-12-31") {
        return Some(Schedule::Unscheduled);
    }
    Some(Schedule::Scheduled(Stamp::new(
        sanitize(date),
        parse_time(date),
    )))
}

/// How the installation type is shown.
fn installation(order: &ProductOrder) -> Option<&'static str> {
    let t = order.note("InstallationType")?.trim();
    if t.eq_ignore_ascii_case("SelfInstall") {
        Some("self install")
    } else if t.eq_ignore_ascii_case("TechnicianVisit") {
        Some("technician visit")
    } else {
        None
    }
}

/// The order of `market` as the console shows it. `raw` is its JSON text.
pub fn to_order(carrier: &Arc<str>, market: &str, wire: &ProductOrder, raw: &str) -> Order {
    let status = status(wire.state.as_deref());
    let key = OrderKey::new(carrier.clone(), key_id(market, &wire.id));
    let mut order = Order::new(key, KIND, status.clone());
    let created = wire
        .order_date
        .as_deref()
        .map(|d| Stamp::new(sanitize(d), parse_time(d)));
    if let Some(created) = &created {
        order.created = created.clone();
    }
    order.schedule = schedule(wire.requested_completion_date.as_deref());

    let mut fields = vec![("market".to_owned(), market.to_owned())];
    for (kind, text) in &wire.notes {
        let value = if kind.eq_ignore_ascii_case("JobType") {
            codes::job_type_label(text)
        } else {
            sanitize(text)
        };
        fields.push((sanitize(kind), value));
    }
    let scalars = [
        ("category", &wire.category),
        ("externalId", &wire.external_id),
        ("billingAccount", &wire.billing_account),
        ("priority", &wire.priority),
        ("requestedStartDate", &wire.requested_start_date),
        ("requestedCompletionDate", &wire.requested_completion_date),
    ];
    for (name, value) in scalars {
        if let Some(v) = value {
            fields.push((name.to_owned(), sanitize(v)));
        }
    }
    let description = wire.description.as_deref().map(str::trim).unwrap_or("");
    if !description.is_empty() {
        fields.push(("description".to_owned(), sanitize(description)));
    }
    for (k, v) in &wire.characteristics {
        fields.push((sanitize(k), sanitize(v)));
    }
    order.fields = fields;

    let customer = wire.parties.iter().find(|p| {
        p.referred_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("Customer"))
    });
    order.customer = customer
        .and_then(|p| p.name.as_deref())
        .map(sanitize)
        .filter(|n| !n.trim().is_empty())
        .or_else(|| {
            wire.billing_account
                .as_deref()
                .map(|b| format!("account {}", sanitize(b)))
        })
        .unwrap_or_default();
    let mut cf = Vec::new();
    if let Some(p) = customer {
        if let Some(id) = &p.id {
            cf.push(("customerId".to_owned(), sanitize(id)));
        }
        if let Some(name) = &p.name {
            cf.push(("name".to_owned(), sanitize(name)));
        }
    }
    if let Some(b) = &wire.billing_account {
        cf.push(("billingAccount".to_owned(), sanitize(b)));
    }
    for (k, v) in &wire.address {
        cf.push((sanitize(k), sanitize(v)));
    }
    order.customer_fields = cf;

    let install = installation(wire);
    let job = wire.note("JobType").map(codes::job_type_label);
    order.service = match (install, job) {
        (Some(i), Some(j)) => format!("{i} · {j}"),
        (Some(i), None) => i.to_owned(),
        (None, Some(j)) => j,
        (None, None) => {
            let mut ids: Vec<String> = Vec::new();
            for item in &wire.items {
                let id = item.product_id.as_deref().unwrap_or(&item.id);
                let id = sanitize(id);
                if !id.is_empty() && !ids.contains(&id) {
                    ids.push(id);
                }
            }
            ids.join(", ")
        }
    };

    order.items = wire
        .items
        .iter()
        .map(|i| {
            let mut item = vec![("id".to_owned(), sanitize(&i.id))];
            let optional = [
                ("product", &i.product_id),
                ("type", &i.kind),
                ("action", &i.action),
                ("quantity", &i.quantity),
            ];
            for (name, value) in optional {
                if let Some(v) = value {
                    item.push((name.to_owned(), sanitize(v)));
                }
            }
            if let Some(b) = i.is_bundle {
                item.push(("bundle".to_owned(), b.to_string()));
            }
            for (k, v) in &i.characteristics {
                item.push((sanitize(k), sanitize(v)));
            }
            item
        })
        .collect();

    let at = created.unwrap_or_default();
    let entry = |kind, text: String| LogEntry {
        at: at.clone(),
        kind,
        source: "LLA".to_owned(),
        text,
    };
    for (kind, text) in &wire.notes {
        let value = if kind.eq_ignore_ascii_case("JobType") {
            codes::job_type_label(text)
        } else {
            sanitize(text)
        };
        order
            .log
            .push(entry(LogKind::Log, format!("{}: {value}", sanitize(kind))));
    }
    let warnings = codes::warnings(description);
    if warnings.is_empty() && !description.is_empty() {
        order
            .log
            .push(entry(LogKind::Notification, sanitize(description)));
    }
    order.warnings = warnings.iter().map(codes::Warning::text).collect();

    if status.stage.is_open()
        && install == Some("technician visit")
        && order.schedule == Some(Schedule::Unscheduled)
    {
        order.carrier_attention.push(Attention::new(
            "visit:unscheduled",
            "technician visit not booked: someone must book the visit",
        ));
    }
    if let Some(s) = wire.state.as_deref().filter(|s| !s.trim().is_empty()) {
        if status_def(s).is_none() {
            order.carrier_attention.push(Attention::new(
                "status:unknown",
                format!("unknown state {:?}", sanitize(s)),
            ));
        }
    }
    order.raw = Some(raw.to_owned());
    order.detail_loaded = true;
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::carriers::lla_tmf622::wire::parse_order;
    use serde_json::json;

    fn order(v: serde_json::Value) -> Order {
        let w = parse_order(&v).unwrap();
        to_order(&Arc::from("lla"), "PR", &w, &v.to_string())
    }

    #[test]
    fn states_in_any_case_and_null() {
        for (state, stage) in [
            (json!("Acknowledged"), Stage::New),
            (json!("acknowledged"), Stage::New),
            (json!(null), Stage::New),
            (json!("INPROGRESS"), Stage::InProgress),
            (json!("assessingCancellation"), Stage::NeedsAttention),
            (json!("completed"), Stage::Done),
            (json!("Rejected"), Stage::Closed),
            (json!("weird"), Stage::NeedsAttention),
        ] {
            let o = order(json!({"id": "1", "state": state}));
            assert_eq!(o.status.stage, stage, "{state}");
        }
        assert_eq!(
            order(json!({"id": "1", "state": null})).status.raw,
            NO_STATE
        );
        let weird = order(json!({"id": "1", "state": "weird"}));
        assert!(weird.attention().iter().any(|a| a.code == "status:unknown"));
        assert_eq!(order(json!({"id": 7})).key.to_string(), "lla/PR-7");
    }

    #[test]
    fn sentinel_null_and_real_dates() {
        assert_eq!(schedule(Some(UNSCHEDULED)), Some(Schedule::Unscheduled));
        assert_eq!(schedule(None), None);
        let Some(Schedule::Scheduled(s)) = schedule(Some("2023-01-11T12:45:12.028Z")) else {
            panic!("scheduled");
        };
        assert!(s.at.is_some());
        let Some(Schedule::Scheduled(s)) = schedule(Some("soon")) else {
            panic!("kept");
        };
        assert_eq!((s.raw.as_str(), s.at), ("soon", None));
    }

    #[test]
    fn unscheduled_visit_needs_someone_self_install_does_not() {
        let visit = |kind: &str| {
            order(json!({"id": "1", "state": "Acknowledged",
                "requestedCompletionDate": UNSCHEDULED,
                "note": [{"text": kind, "@type": "installationType"}, {"text": "FN", "@type": "JobType"}]}))
        };
        let v = visit("TechnicianVisit");
        assert!(v.needs_attention());
        assert_eq!(v.service, "technician visit · FN FTTH INSTALL");
        assert_eq!(v.field("JobType"), Some("FN FTTH INSTALL"));
        let s = visit("SelfInstall");
        assert!(!s.needs_attention(), "{:?}", s.attention());
    }

    #[test]
    fn description_warnings_and_plain_text() {
        let o = order(
            json!({"id": "1", "state": "Acknowledged", "description": "ORV59I - EXISTING CUSTOMER AT LOCATION"}),
        );
        assert!(o.needs_attention());
        assert!(o.warnings[0].contains("existing customer"));
        let o = order(
            json!({"id": "1", "state": "Acknowledged", "description": "Product Order illustration sample"}),
        );
        assert!(!o.needs_attention());
        assert_eq!(
            o.field("description"),
            Some("Product Order illustration sample")
        );
    }

    #[test]
    fn ids_differing_in_control_characters_stay_apart() {
        let a = order(json!({"id": "12"}));
        let b = order(json!({"id": "1\u{7}2"}));
        assert_ne!(a.key, b.key);
        assert_eq!(b.key.id, "PR-1\u{7}2");
    }

    #[test]
    fn key_ids_split_at_the_first_dash() {
        assert_eq!(split_key_id("PA-FL-7"), Some(("PA", "FL-7")));
        assert_eq!(split_key_id("PR-"), None);
        assert_eq!(split_key_id("PR"), None);
    }
}
