//! The document's error table, verbatim (API name, reason, HTTP status,
//! internal message code, user message without its `TxId<>`), shared by the
//! adapter (to name a code) and the simulator (to answer with it).

/// One row of the document's error table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorRow {
    pub api: &'static str,
    pub reason: &'static str,
    pub status: u16,
    pub code: &'static str,
    /// The user message before `; TxId<...>`.
    pub message: &'static str,
}

const fn row(
    api: &'static str,
    reason: &'static str,
    status: u16,
    code: &'static str,
    message: &'static str,
) -> ErrorRow {
    ErrorRow {
        api,
        reason,
        status,
        code,
        message,
    }
}

/// Every row of the document's table, in its order.
pub const ERRORS: &[ErrorRow] = &[
    row(
        "openOrders",
        "Invalid or missing partner id",
        410,
        "2245",
        "Invalid or missing Partner Id",
    ),
    row(
        "openOrders",
        "Invalid or missing salescode",
        410,
        "2250",
        "Invalid or missing salescode",
    ),
    row(
        "orderDetail",
        "Missing or Invalid PartnerOrderId",
        410,
        "2255",
        "Missing or Invalid PartnerOrderId",
    ),
    row(
        "orderDetail",
        "Missing or Invalid salesCode",
        410,
        "2260",
        "Missing or Invalid salesCode",
    ),
    row(
        "orderDetail",
        "Sales Code plus either Partner Order Id or Order# is required",
        410,
        "2285",
        "Sales Code plus either Partner Order Id or Order# is required",
    ),
    row(
        "orderDetail",
        "No Order matching parameters",
        410,
        "2265",
        "No order matching parameters (Partner Order Id and Sales Code/Order#)",
    ),
    row(
        "newOrders",
        "Invalid salesCode provided",
        401,
        "2000",
        "Invalid salesCode provided",
    ),
    row(
        "newOrders",
        "Missing or Invalid PartnerId",
        401,
        "2030",
        "Missing or Invalid PartnerId",
    ),
    row(
        "newOrders",
        "Missing or Invalid Date",
        401,
        "2080",
        "Missing or Invalid To-Date and/or From-Date",
    ),
    row(
        "newOrders",
        "Date Range Spans more than 7 days",
        410,
        "2090",
        "Date Range Spans more than 7 days (max can return 1 week)",
    ),
    row(
        "newOrders",
        "Missing or invalide orderStatusSourceSystem",
        410,
        "2295",
        "Missing or Invalid Order-Status Source System",
    ),
    row(
        "recapsDetail",
        "No matching record within 90 days",
        410,
        "2230",
        "No matching record within 90 days",
    ),
    row(
        "recapsDetail",
        "PartnerOrderId or OrderNumber must be provided",
        410,
        "2235",
        "PartnerOrderId or OrderNumber must be provided",
    ),
    row(
        "recapsDetail",
        "SalesCode is missing or invalid",
        410,
        "2240",
        "SalesCode is missing or invalid",
    ),
];

/// The row of `code`.
pub fn error(code: &str) -> Option<&'static ErrorRow> {
    ERRORS.iter().find(|r| r.code == code.trim())
}

/// Codes that say "no such order" for a detail call.
pub const NOT_FOUND: &[&str] = &["2255", "2265", "2230"];
