//! Tolerant reading of the Hybris UX `productOrder` bodies of document 003
//! and of the error bodies of documents 003 and 004. Pure.
//!
//! Tolerance, from what the documents show: `id` is a string or a number;
//! `state`, `priority`, `requestedStartDate` and `requestedCompletionDate`
//! may be `null` or absent; `note[].@type` comes in any case
//! (`installationType`); `orderCharacteristics` keys differ per market (JM
//! `exchangeId`, PA `exchangeId_TP`, ...) and are kept as they come;
//! `serviceAddress` is `addrNo` (PR) or `addrType`/`addrLine1..5`/
//! `addrPostCode` (JM, PA); unknown fields are ignored. Each list element
//! keeps its JSON text verbatim for the Raw tab.
//!
//! Must not: panic on any body, or accept an order without a usable id
//! (missing, empty, `.` or `..`).

use serde_json::Value;
use serde_json::value::RawValue;

use crate::carriers::CarrierError;

/// One ProductOrder as read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProductOrder {
    /// The carrier's id, raw (a number is written in decimal).
    pub id: String,
    /// `state` as written; `None` when null or absent.
    pub state: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub external_id: Option<String>,
    pub billing_account: Option<String>,
    pub priority: Option<String>,
    pub order_date: Option<String>,
    pub requested_start_date: Option<String>,
    pub requested_completion_date: Option<String>,
    /// `note[]` as (`@type`, `text`), in order.
    pub notes: Vec<(String, String)>,
    /// `orderCharacteristics` as (key, value), by key.
    pub characteristics: Vec<(String, String)>,
    /// `serviceAddress` as (key, value), by key.
    pub address: Vec<(String, String)>,
    pub items: Vec<OrderItem>,
    pub parties: Vec<Party>,
}

/// One `productOrderItem`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderItem {
    pub id: String,
    pub kind: Option<String>,
    pub action: Option<String>,
    pub quantity: Option<String>,
    pub product_id: Option<String>,
    pub is_bundle: Option<bool>,
    /// `product.productCharacteristic[]` as (name, value).
    pub characteristics: Vec<(String, String)>,
}

/// One `relatedParty`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Party {
    pub id: Option<String>,
    pub name: Option<String>,
    pub role: Option<String>,
    pub referred_type: Option<String>,
}

impl ProductOrder {
    /// The text of the first note of `@type` `kind` (any case).
    pub fn note(&self, kind: &str) -> Option<&str> {
        self.notes
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(kind))
            .map(|(_, v)| v.as_str())
    }
}

/// A scalar as text: strings as they are, numbers and booleans written
/// out; `None` for null, arrays and objects.
pub fn scalar(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn pairs(value: Option<&Value>) -> Vec<(String, String)> {
    match value {
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| {
                let text = scalar(Some(v)).unwrap_or_else(|| match v {
                    Value::Null => String::new(),
                    other => other.to_string(),
                });
                (k.clone(), text)
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn array(value: Option<&Value>) -> &[Value] {
    match value {
        Some(Value::Array(items)) => items,
        _ => &[],
    }
}

/// Whether `id` can be an order id: not empty, not a dot segment.
pub fn usable_id(id: &str) -> bool {
    !id.is_empty() && id != "." && id != ".."
}

/// Reads one ProductOrder object; the error says what is wrong with it.
pub fn parse_order(value: &Value) -> Result<ProductOrder, String> {
    let Value::Object(o) = value else {
        return Err("a productOrder is not a JSON object".into());
    };
    let id = match o.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Null) | None => return Err("a productOrder has no id".into()),
        Some(_) => return Err("a productOrder's id is neither a string nor a number".into()),
    };
    if !usable_id(&id) {
        return Err(format!("a productOrder has an unusable id {id:?}"));
    }
    let get = |k: &str| scalar(o.get(k));
    let notes = array(o.get("note"))
        .iter()
        .filter_map(|n| {
            let kind = scalar(n.get("@type")).unwrap_or_default();
            let text = scalar(n.get("text")).unwrap_or_default();
            (!kind.is_empty() || !text.is_empty()).then_some((kind, text))
        })
        .collect();
    let items = array(o.get("productOrderItem"))
        .iter()
        .map(|i| {
            let product = i.get("product");
            OrderItem {
                id: scalar(i.get("id")).unwrap_or_default(),
                kind: scalar(i.get("@type")),
                action: scalar(i.get("action")),
                quantity: scalar(i.get("quantity")),
                product_id: scalar(product.and_then(|p| p.get("id"))),
                is_bundle: product
                    .and_then(|p| p.get("isBundle"))
                    .and_then(Value::as_bool),
                characteristics: array(product.and_then(|p| p.get("productCharacteristic")))
                    .iter()
                    .map(|c| {
                        (
                            scalar(c.get("name")).unwrap_or_default(),
                            scalar(c.get("value")).unwrap_or_default(),
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    let parties = array(o.get("relatedParty"))
        .iter()
        .map(|p| Party {
            id: scalar(p.get("id")),
            name: scalar(p.get("name")),
            role: scalar(p.get("role")),
            referred_type: scalar(p.get("@referredType")),
        })
        .collect();
    Ok(ProductOrder {
        id,
        state: get("state"),
        description: get("description"),
        category: get("category"),
        external_id: get("externalId"),
        billing_account: scalar(o.get("billingAccount").and_then(|b| b.get("id"))),
        priority: get("priority"),
        order_date: get("orderDate"),
        requested_start_date: get("requestedStartDate"),
        requested_completion_date: get("requestedCompletionDate"),
        notes,
        characteristics: pairs(o.get("orderCharacteristics")),
        address: pairs(o.get("serviceAddress")),
        items,
        parties,
    })
}

/// One element of a list: the order as read (or why not) and its JSON
/// text as received.
#[derive(Debug, Clone)]
pub struct ListItem {
    pub order: Result<ProductOrder, String>,
    pub raw: String,
}

/// Reads a list answer: a JSON array of ProductOrder. An element that is
/// not an order is reported in its item; a body that is not an array is a
/// protocol error.
pub fn parse_list(body: &[u8]) -> Result<Vec<ListItem>, CarrierError> {
    let raws: Vec<Box<RawValue>> = serde_json::from_slice(body).map_err(|e| {
        CarrierError::protocol(format!("productOrder list is not a JSON array ({e})"), body)
    })?;
    Ok(raws
        .into_iter()
        .map(|raw| {
            let order = serde_json::from_str::<Value>(raw.get())
                .map_err(|e| e.to_string())
                .and_then(|v| parse_order(&v));
            ListItem {
                order,
                raw: raw.get().to_owned(),
            }
        })
        .collect())
}

/// Reads one order answer (the detail endpoint).
pub fn parse_detail(body: &[u8]) -> Result<ProductOrder, CarrierError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| CarrierError::protocol(format!("productOrder is not JSON ({e})"), body))?;
    parse_order(&value).map_err(|why| CarrierError::protocol(why, body))
}

/// One entry of `{"errors":[{code, message, description}]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiError {
    pub code: Option<String>,
    pub message: Option<String>,
    pub description: Option<String>,
}

/// The first entry of an error body, when the body is one (`code` string
/// or number).
pub fn parse_error(body: &[u8]) -> Option<ApiError> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let first = value.get("errors")?.as_array()?.first()?;
    let e = ApiError {
        code: scalar(first.get("code")),
        message: scalar(first.get("message")),
        description: scalar(first.get("description")),
    };
    (e != ApiError::default()).then_some(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_strings_numbers_and_refusals() {
        assert_eq!(parse_order(&json!({"id": 4730301})).unwrap().id, "4730301");
        assert_eq!(
            parse_order(&json!({"id": "FL0070H"})).unwrap().id,
            "FL0070H"
        );
        for bad in [
            json!({}),
            json!({"id": ""}),
            json!({"id": ".."}),
            json!({"id": "."}),
            json!({"id": null}),
            json!({"id": [1]}),
            json!([1]),
        ] {
            assert!(parse_order(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn nulls_and_odd_cases_are_tolerated() {
        let o = parse_order(&json!({
            "id": "1", "state": null, "priority": null, "requestedStartDate": null,
            "requestedCompletionDate": null,
            "note": [{"text": "TechnicianVisit", "@type": "installationType"}, {"x": 1}],
            "orderCharacteristics": {"exchangeId_TP": "POGP", "n": 5, "z": null},
        }))
        .unwrap();
        assert_eq!(o.state, None);
        assert_eq!(o.priority, None);
        assert_eq!(o.note("InstallationType"), Some("TechnicianVisit"));
        assert_eq!(o.notes.len(), 1);
        assert_eq!(o.characteristics[1], ("n".into(), "5".into()));
    }

    #[test]
    fn list_keeps_bad_elements_apart() {
        let items = parse_list(br#"[{"id":"1"},{"id":""},7]"#).unwrap();
        assert!(items[0].order.is_ok());
        assert!(items[1].order.is_err());
        assert!(items[2].order.is_err());
        assert_eq!(items[0].raw, r#"{"id":"1"}"#);
        assert!(parse_list(b"{}").is_err());
        assert!(parse_list(b"[{\"id\":").is_err());
    }

    #[test]
    fn error_bodies_with_string_or_number_codes() {
        let e =
            parse_error(br#"{"errors":[{"code":"400","message":"m","description":"d"}]}"#).unwrap();
        assert_eq!(e.code.as_deref(), Some("400"));
        let e = parse_error(br#"{"errors" : [{"code" : 404, "message" : "x"}]}"#).unwrap();
        assert_eq!(e.code.as_deref(), Some("404"));
        assert_eq!(parse_error(b"<html>"), None);
        assert_eq!(parse_error(br#"{"errors":[]}"#), None);
    }
}
