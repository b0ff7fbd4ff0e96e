//! Tolerant reading of the PX JSON bodies (CONTRACTS.md "lumen-px"): the
//! `{"orders":[PXORDER...]}` lists, one PXORDER (with `lineItems` from
//! `pxOrderDetail`), and the error body `{"status","internalMessageCode",
//! "message"}` whose message ends in `TxId<...>`. Unknown fields are ignored
//! (unknown scalar PXORDER fields are kept for the detail view), a number is
//! accepted where a string is documented and the reverse, `null` means
//! absent, and each order's JSON text is kept verbatim for the Raw tab.
//!
//! Must not: panic on any input, or decide stages (that is `normalize`).

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::carriers::CarrierError;
use crate::carriers::lumen_voice::wire::scalar;
use crate::domain::sanitize;

/// PXORDER `address`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Address {
    pub line1: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
}

/// One entry of `products`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Product {
    pub product_code: Option<String>,
    pub description: Option<String>,
    pub status: Option<String>,
}

/// One entry of `lineItems` (detail only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineItem {
    pub line_number: Option<String>,
    pub product_code: Option<String>,
    pub description: Option<String>,
    pub action: Option<String>,
    pub status: Option<String>,
}

/// PXORDER, read tolerantly. Text is not sanitized yet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PxOrder {
    pub partner_order_id: String,
    pub order_number: Option<String>,
    pub source_system: Option<String>,
    pub sales_code: Option<String>,
    pub order_status: Option<String>,
    pub status_date: Option<String>,
    pub order_date: Option<String>,
    pub account_number: Option<String>,
    pub telephone_number: Option<String>,
    pub customer_name: Option<String>,
    pub address: Address,
    pub products: Vec<Product>,
    /// `None` when the body had no `lineItems` (a list row).
    pub line_items: Option<Vec<LineItem>>,
    /// Unknown scalar fields, in the body's order.
    pub extra: Vec<(String, String)>,
}

const KNOWN: &[&str] = &[
    "partnerOrderId",
    "orderNumber",
    "orderStatusSourceSystem",
    "salesCode",
    "orderStatus",
    "statusDate",
    "orderDate",
    "accountNumber",
    "telephoneNumber",
    "customerName",
    "address",
    "products",
    "lineItems",
];

fn list<T>(value: Option<&Value>, read: impl Fn(&Value) -> T) -> Vec<T> {
    match value {
        Some(Value::Array(items)) => items.iter().filter(|v| v.is_object()).map(read).collect(),
        _ => Vec::new(),
    }
}

impl PxOrder {
    /// Reads one PXORDER; `Err` says why it is unusable (no id).
    pub fn from_value(value: &Value) -> Result<PxOrder, String> {
        if !value.is_object() {
            return Err("an order is not a JSON object".into());
        }
        let get = |k: &str| scalar(value.get(k));
        let Some(partner_order_id) = get("partnerOrderId") else {
            return Err("an order has no partnerOrderId".into());
        };
        let a = value.get("address");
        let address = Address {
            line1: a.and_then(|a| scalar(a.get("line1"))),
            city: a.and_then(|a| scalar(a.get("city"))),
            state: a.and_then(|a| scalar(a.get("state"))),
            zip: a.and_then(|a| scalar(a.get("zip"))),
        };
        let products = list(value.get("products"), |p| Product {
            product_code: scalar(p.get("productCode")),
            description: scalar(p.get("description")),
            status: scalar(p.get("status")),
        });
        let line_items = match value.get("lineItems") {
            Some(Value::Array(_)) => Some(list(value.get("lineItems"), |l| LineItem {
                line_number: scalar(l.get("lineNumber")),
                product_code: scalar(l.get("productCode")),
                description: scalar(l.get("description")),
                action: scalar(l.get("action")),
                status: scalar(l.get("status")),
            })),
            _ => None,
        };
        let extra = value
            .as_object()
            .map(|o| {
                o.iter()
                    .filter(|(k, _)| !KNOWN.contains(&k.as_str()))
                    .filter_map(|(k, v)| scalar(Some(v)).map(|v| (k.clone(), v)))
                    .collect()
            })
            .unwrap_or_default();
        Ok(PxOrder {
            partner_order_id,
            order_number: get("orderNumber"),
            source_system: get("orderStatusSourceSystem"),
            sales_code: get("salesCode"),
            order_status: get("orderStatus"),
            status_date: get("statusDate"),
            order_date: get("orderDate"),
            account_number: get("accountNumber"),
            telephone_number: get("telephoneNumber"),
            customer_name: get("customerName"),
            address,
            products,
            line_items,
            extra,
        })
    }
}

/// One list entry: the order (or why it could not be read) and its JSON.
#[derive(Debug, Clone)]
pub struct ListedOrder {
    pub order: Result<PxOrder, String>,
    pub raw: String,
}

#[derive(Deserialize)]
struct ListBody<'a> {
    #[serde(borrow, default)]
    orders: Option<Vec<&'a RawValue>>,
}

/// Parses `{"orders":[...]}`; `null` or a missing list is an empty one.
pub fn parse_list(body: &[u8]) -> Result<Vec<ListedOrder>, CarrierError> {
    let parsed: ListBody<'_> = serde_json::from_slice(body)
        .map_err(|e| CarrierError::protocol(format!("order list is not JSON: {e}"), body))?;
    Ok(parsed
        .orders
        .unwrap_or_default()
        .into_iter()
        .map(|raw| {
            let text = raw.get().to_owned();
            let order = serde_json::from_str::<Value>(&text)
                .map_err(|e| e.to_string())
                .and_then(|v| PxOrder::from_value(&v));
            ListedOrder { order, raw: text }
        })
        .collect())
}

/// Parses the detail answer: one PXORDER (a `{"orders":[one]}` wrapper is
/// accepted too).
pub fn parse_detail(body: &[u8]) -> Result<(PxOrder, String), CarrierError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| CarrierError::protocol(format!("order detail is not JSON: {e}"), body))?;
    let one = match value.get("orders") {
        Some(Value::Array(items)) if value.get("partnerOrderId").is_none() => {
            items.first().cloned().unwrap_or(Value::Null)
        }
        _ => value,
    };
    let order = PxOrder::from_value(&one).map_err(|why| CarrierError::protocol(why, body))?;
    Ok((order, one.to_string()))
}

/// The error body: `(internalMessageCode, message, TxId)`, sanitized.
pub fn parse_error(body: &[u8]) -> (Option<String>, Option<String>, Option<String>) {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return (None, None, None);
    };
    let code = scalar(value.get("internalMessageCode")).map(|c| sanitize(&c));
    let message = scalar(value.get("message")).map(|m| sanitize(&m));
    let tx = message.as_deref().and_then(tx_id);
    (code, message, tx)
}

/// The id inside `TxId<...>` of a message, when there is one.
pub fn tx_id(message: &str) -> Option<String> {
    let start = message.find("TxId<")? + "TxId<".len();
    let rest = &message[start..];
    let end = rest.find('>')?;
    let id = rest[..end].trim();
    (!id.is_empty()).then(|| id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_nulls_and_unknown_fields() {
        let v: Value = serde_json::from_str(
            r#"{"partnerOrderId":12345,"orderNumber":null,"salesCode":77,"x":"y","address":null,"products":[{"productCode":5}]}"#,
        )
        .unwrap();
        let o = PxOrder::from_value(&v).unwrap();
        assert_eq!(o.partner_order_id, "12345");
        assert_eq!(o.order_number, None);
        assert_eq!(o.sales_code.as_deref(), Some("77"));
        assert_eq!(o.extra, vec![("x".into(), "y".into())]);
        assert_eq!(o.products[0].product_code.as_deref(), Some("5"));
        assert!(o.line_items.is_none());
        assert!(PxOrder::from_value(&serde_json::json!({"orderNumber":"1"})).is_err());
    }

    #[test]
    fn tx_ids() {
        assert_eq!(tx_id("Invalid; TxId<abc-1>").as_deref(), Some("abc-1"));
        assert_eq!(tx_id("Invalid; TxId<>"), None);
        assert_eq!(tx_id("no id"), None);
    }
}
