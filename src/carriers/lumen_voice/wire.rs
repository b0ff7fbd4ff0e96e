//! Tolerant reading of the Voice JSON bodies (CONTRACTS.md "lumen-voice"):
//! the `orderStatus` page, ORDER, the `notifications` list and the error
//! body. Unknown fields are ignored (unknown scalar ORDER fields are kept for
//! the detail view), a number is accepted where a string is documented and
//! the reverse, `null` means absent, and each order's JSON text is kept
//! verbatim for the Raw tab.
//!
//! Must not: panic on any input, or decide anything about stages or rules
//! (that is `normalize` and `rules`).

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::carriers::CarrierError;

/// A JSON scalar as text: strings trimmed, numbers and booleans written out;
/// `null`, empty strings, arrays and objects are `None`.
pub fn scalar(value: Option<&Value>) -> Option<String> {
    let s = match value? {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// `subscriber` of ORDER.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subscriber {
    pub customer_type_indicator: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub business_name: Option<String>,
}

/// `serviceAddress` of ORDER.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Address {
    pub street_number: Option<String>,
    pub street_name: Option<String>,
    pub street_suffix: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip_code: Option<String>,
    pub secondary_location: Option<String>,
}

/// ORDER, read tolerantly. Text is not sanitized yet (`normalize` does it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VoiceOrder {
    pub voice_order_id: String,
    pub external_order_id: Option<String>,
    pub order_type: Option<String>,
    pub product_id: Option<String>,
    pub status: Option<String>,
    pub created_date: Option<String>,
    pub customer_request_date: Option<String>,
    pub foc_date: Option<String>,
    pub tn_list: Vec<String>,
    pub rate_center: Option<String>,
    pub state: Option<String>,
    pub subscriber: Subscriber,
    pub service_address: Address,
    /// Scalar fields the contract does not name, in key order.
    pub extra: Vec<(String, String)>,
}

/// The ORDER keys this reader knows.
const KNOWN: &[&str] = &[
    "voiceOrderId",
    "externalOrderId",
    "orderType",
    "productId",
    "status",
    "createdDate",
    "customerRequestDate",
    "focDate",
    "tnList",
    "rateCenter",
    "state",
    "subscriber",
    "serviceAddress",
];

impl VoiceOrder {
    /// Reads one ORDER object. The only hard requirement is `voiceOrderId`.
    pub fn from_value(value: &Value) -> Result<VoiceOrder, String> {
        let Some(obj) = value.as_object() else {
            return Err("an order is not a JSON object".into());
        };
        let get = |k: &str| scalar(obj.get(k));
        let voice_order_id = get("voiceOrderId").ok_or("an order has no voiceOrderId")?;
        let sub = obj.get("subscriber");
        let sub = |k: &str| scalar(sub.and_then(|s| s.get(k)));
        let addr = obj.get("serviceAddress");
        let addr = |k: &str| scalar(addr.and_then(|s| s.get(k)));
        let tn_list = match obj.get("tnList") {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|item| {
                    // An element may be a TN or an object carrying one.
                    scalar(Some(item))
                        .or_else(|| scalar(item.get("tn")))
                        .or_else(|| scalar(item.get("telephoneNumber")))
                })
                .collect(),
            Some(Value::String(s)) => s
                .split([',', ' ', ';'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            Some(other) => scalar(Some(other)).into_iter().collect(),
            None => Vec::new(),
        };
        let extra = obj
            .iter()
            .filter(|(k, _)| !KNOWN.contains(&k.as_str()))
            .filter_map(|(k, v)| scalar(Some(v)).map(|v| (k.clone(), v)))
            .collect();
        Ok(VoiceOrder {
            voice_order_id,
            external_order_id: get("externalOrderId"),
            order_type: get("orderType"),
            product_id: get("productId"),
            status: get("status"),
            created_date: get("createdDate"),
            customer_request_date: get("customerRequestDate"),
            foc_date: get("focDate"),
            tn_list,
            rate_center: get("rateCenter"),
            state: get("state"),
            subscriber: Subscriber {
                customer_type_indicator: sub("customerTypeIndicator"),
                first_name: sub("firstName"),
                last_name: sub("lastName"),
                business_name: sub("businessName"),
            },
            service_address: Address {
                street_number: addr("streetNumber"),
                street_name: addr("streetName"),
                street_suffix: addr("streetSuffix"),
                city: addr("city"),
                state: addr("state"),
                zip_code: addr("zipCode"),
                secondary_location: addr("secondaryLocation"),
            },
            extra,
        })
    }
}

/// One order of a page: its verbatim JSON text and what could be read.
#[derive(Debug, Clone)]
pub struct PageOrder {
    pub raw: String,
    pub order: Result<VoiceOrder, String>,
}

/// An `orderStatus` answer.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub page_number: Option<u64>,
    pub page_size: Option<u64>,
    pub total_records: Option<u64>,
    pub orders: Vec<PageOrder>,
}

#[derive(Deserialize)]
struct RawPage<'a> {
    #[serde(default, rename = "pageNumber")]
    page_number: Option<Value>,
    #[serde(default, rename = "pageSize")]
    page_size: Option<Value>,
    #[serde(default, rename = "totalRecords")]
    total_records: Option<Value>,
    #[serde(default, borrow)]
    orders: Option<Vec<&'a RawValue>>,
    #[serde(default, rename = "voiceOrderId")]
    voice_order_id: Option<Value>,
}

fn count(value: Option<&Value>) -> Option<u64> {
    scalar(value)?
        .parse::<f64>()
        .ok()
        .filter(|n| *n >= 0.0)
        .map(|n| n as u64)
}

/// Parses an `orderStatus` body. A bare ORDER object (no page around it) is
/// read as a page of one.
pub fn parse_page(body: &[u8]) -> Result<Page, CarrierError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| CarrierError::protocol("orderStatus answer is not UTF-8", body))?;
    let raw: RawPage<'_> = serde_json::from_str(text).map_err(|e| {
        CarrierError::protocol(
            format!("orderStatus answer is not the expected JSON ({e})"),
            body,
        )
    })?;
    let orders = match raw.orders {
        Some(orders) => orders
            .into_iter()
            .map(|r| PageOrder {
                raw: r.get().to_owned(),
                order: serde_json::from_str::<Value>(r.get())
                    .map_err(|e| e.to_string())
                    .and_then(|v| VoiceOrder::from_value(&v)),
            })
            .collect(),
        None if raw.voice_order_id.is_some() => {
            let value: Value = serde_json::from_str(text)
                .map_err(|e| CarrierError::protocol(format!("bad order JSON ({e})"), body))?;
            vec![PageOrder {
                raw: text.trim().to_owned(),
                order: VoiceOrder::from_value(&value),
            }]
        }
        None => Vec::new(),
    };
    Ok(Page {
        page_number: count(raw.page_number.as_ref()),
        page_size: count(raw.page_size.as_ref()),
        total_records: count(raw.total_records.as_ref()),
        orders,
    })
}

/// One notification, from `GET notifications` or a webhook.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notification {
    pub voice_order_id: Option<String>,
    pub code: String,
    pub message: Option<String>,
    pub created_date: Option<String>,
    pub rate_center: Option<String>,
    pub state: Option<String>,
}

impl Notification {
    fn from_value(value: &Value) -> Option<Notification> {
        let get = |k: &str| scalar(value.get(k));
        Some(Notification {
            voice_order_id: get("voiceOrderId"),
            code: get("notificationCode").or_else(|| get("code"))?,
            message: get("notificationMessage").or_else(|| get("message")),
            created_date: get("createdDate")
                .or_else(|| get("notificationDate"))
                .or_else(|| get("date")),
            rate_center: get("rateCenter"),
            state: get("state"),
        })
    }
}

/// Parses a `notifications` body: the notifications and the verbatim JSON
/// text of the list (for the Raw tab). Entries without a code are skipped.
pub fn parse_notifications(body: &[u8]) -> Result<(Vec<Notification>, String), CarrierError> {
    #[derive(Deserialize)]
    struct Wrapper<'a> {
        #[serde(default, borrow)]
        notifications: Option<&'a RawValue>,
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| CarrierError::protocol("notifications answer is not UTF-8", body))?;
    let trimmed = text.trim();
    let list_text = if trimmed.starts_with('[') {
        trimmed.to_owned()
    } else {
        let w: Wrapper<'_> = serde_json::from_str(text).map_err(|e| {
            CarrierError::protocol(
                format!("notifications answer is not the expected JSON ({e})"),
                body,
            )
        })?;
        w.notifications
            .map(|r| r.get().to_owned())
            .unwrap_or_else(|| "[]".into())
    };
    let value: Value = serde_json::from_str(&list_text)
        .map_err(|e| CarrierError::protocol(format!("bad notifications JSON ({e})"), body))?;
    let list = match &value {
        Value::Array(items) => items.iter().filter_map(Notification::from_value).collect(),
        Value::Null => Vec::new(),
        other => Notification::from_value(other).into_iter().collect(),
    };
    Ok((list, list_text))
}

/// The `errors` of an error body, as (code, message); codes may be numbers.
pub fn parse_errors(body: &[u8]) -> Vec<(String, String)> {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return Vec::new();
    };
    let items: Vec<&Value> = match value.get("errors") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(obj @ Value::Object(_)) => vec![obj],
        _ if value.get("code").is_some() => vec![&value],
        _ => Vec::new(),
    };
    items
        .into_iter()
        .filter_map(|e| {
            let code = scalar(e.get("code"))?;
            let message = scalar(e.get("message"))
                .or_else(|| scalar(e.get("description")))
                .unwrap_or_default();
            Some((code, message))
        })
        .collect()
}

/// Parses the carrier's timestamps: RFC 3339 (`2026-12-01T00:00:00Z`, with
/// offset or fraction), `YYYY-MM-DDTHH:MM:SS` and `YYYY-MM-DD HH:MM:SS`
/// (taken as UTC), `YYYY-MM-DD` and `MM/DD/YYYY` (midnight UTC).
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t.trim_end_matches('Z'), fmt) {
            return Some(Utc.from_utc_datetime(&naive));
        }
    }
    for fmt in ["%Y-%m-%d", "%m/%d/%Y"] {
        if let Ok(date) = NaiveDate::parse_from_str(t, fmt) {
            return date.and_hms_opt(0, 0, 0).map(|n| Utc.from_utc_datetime(&n));
        }
    }
    None
}

/// Re-indents JSON text (two spaces) without reordering keys or touching
/// string contents. The input must be valid JSON.
pub fn pretty(json: &str) -> String {
    let mut out = String::with_capacity(json.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = json.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                if matches!(chars.peek(), Some('}') | Some(']')) {
                    if let Some(close) = chars.next() {
                        out.push(close);
                    }
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_are_tolerant() {
        let v: Value = serde_json::json!({"a": 2036, "b": " x ", "c": null, "d": "", "e": [1]});
        assert_eq!(scalar(v.get("a")), Some("2036".into()));
        assert_eq!(scalar(v.get("b")), Some("x".into()));
        assert_eq!(scalar(v.get("c")), None);
        assert_eq!(scalar(v.get("d")), None);
        assert_eq!(scalar(v.get("e")), None);
        assert_eq!(scalar(v.get("zz")), None);
    }

    #[test]
    fn pretty_keeps_order_and_strings() {
        let p = pretty(r#"{"z":1,"a":{"s":"a, {b}: \"c\""},"e":[],"l":[1,2]}"#);
        assert_eq!(
            p,
            "{\n  \"z\": 1,\n  \"a\": {\n    \"s\": \"a, {b}: \\\"c\\\"\"\n  },\n  \"e\": [],\n  \"l\": [\n    1,\n    2\n  ]\n}"
        );
        let v: Value = serde_json::from_str(&p).expect("still JSON");
        assert_eq!(v["a"]["s"], "a, {b}: \"c\"");
    }

    #[test]
    fn times_in_several_formats() {
        let want = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
        for t in [
            "2026-12-01T00:00:00Z",
            "2026-12-01T00:00:00.000Z",
            "2026-12-01T00:00:00",
            "2026-12-01 00:00:00",
            "2026-12-01",
            "12/01/2026",
            "2026-11-30T17:00:00-07:00",
        ] {
            assert_eq!(parse_time(t), Some(want), "{t}");
        }
        assert_eq!(parse_time("soon"), None);
    }

    #[test]
    fn errors_body_codes_as_numbers() {
        assert_eq!(
            parse_errors(br#"{"errors":[{"code":20068,"message":"m"},{"code":"20014"}]}"#),
            vec![
                ("20068".into(), "m".into()),
                ("20014".into(), String::new())
            ]
        );
        assert!(parse_errors(b"not json").is_empty());
    }
}
