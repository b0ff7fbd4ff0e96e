//! The Voice document's validation rules that can be checked without the
//! carrier, each answering with the document's own code. One implementation
//! for both sides: the dialogs (`profile`) check typed input with it before
//! sending, and the simulator checks what it receives with it, so the two
//! cannot disagree. Pure functions; `now`/`today` are always passed in.
//!
//! Choices where the document is silent (written down here once):
//! - Dates are compared as UTC calendar dates (the format ends in `Z`).
//!   "Not less than the current date" (20214) refuses an earlier date;
//!   "at least 1 day from the date the order is submitted" (20068) is read,
//!   as the change log says for disconnects, as one *business* day: the date
//!   must be on or after the next business day after today, so today is
//!   refused (20068) and on a Friday the earliest date is Monday; a weekend
//!   date later than that is accepted. "Not more than 30 days from today"
//!   (20213) accepts today + 30 and refuses today + 31.
//! - Business days are Monday to Friday; holidays are not considered (the
//!   document names no calendar). The carrier may still refuse a holiday.
//! - The format is exactly `YYYY-MM-DDTHH:MM:SSZ`; a wrong format answers
//!   20069 (the supplement-specific one of 20050 / 20069 / 20215); an empty
//!   date that is sent answers 20067.
//! - Names: a character outside basic Latin (U+0000..U+007F) answers 20237;
//!   otherwise anything but ASCII letters, space, hyphen, apostrophe and
//!   period answers 20210 (first name) / 20211 (last name). Business names
//!   are only checked for basic Latin (20237).
//! - State must be one of the USPS two-letter codes (50 states, DC and the
//!   territories), any case (20011). Zip is exactly five digits (20012 /
//!   20013). Street suffix is not checked: the document gives no list (20009
//!   is left to the carrier).
//! - LNP cancel (20066): allowed while today is on or before the last
//!   business day before the FOC date (FOC Monday: through Friday).
//! - Cancelling a rejected order has no code in the document; the simulator
//!   answers 20064 ("Cancel order can not be completed").

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use serde::Serialize;
use serde_json::Value;

use super::codes;
use super::wire::scalar;

/// The date format the document requires.
pub const DATE_FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";
/// Longest request date ahead, in days.
pub const MAX_DAYS_AHEAD: i64 = 30;
/// Longest secondary location, in characters.
pub const MAX_SECONDARY_LOCATION: usize = 20;

/// Field ids, shared by the dialog and the request body (the wire names).
pub mod field {
    pub const CUSTOMER_REQUEST_DATE: &str = "customerRequestDate";
    pub const CUSTOMER_TYPE: &str = "customerTypeIndicator";
    pub const FIRST_NAME: &str = "firstName";
    pub const LAST_NAME: &str = "lastName";
    pub const BUSINESS_NAME: &str = "businessName";
    pub const STREET_NUMBER: &str = "streetNumber";
    pub const STREET_NAME: &str = "streetName";
    pub const STREET_SUFFIX: &str = "streetSuffix";
    pub const CITY: &str = "city";
    pub const STATE: &str = "state";
    pub const ZIP_CODE: &str = "zipCode";
    pub const SECONDARY_LOCATION: &str = "secondaryLocation";
}

/// A broken rule: where (a field id, or none for the request as a whole)
/// and the document's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Violation {
    pub field: Option<&'static str>,
    pub code: &'static str,
}

impl Violation {
    fn at(field: &'static str, code: &'static str) -> Self {
        Violation {
            field: Some(field),
            code,
        }
    }

    fn whole(code: &'static str) -> Self {
        Violation { field: None, code }
    }

    /// The document's message for the code.
    pub fn message(&self) -> &'static str {
        codes::message(self.code).unwrap_or("rule broken")
    }
}

/// `subscriber` of a supplement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriberBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_type_indicator: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_name: Option<String>,
}

/// `serviceAddress` of a supplement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AddressBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street_suffix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secondary_location: Option<String>,
}

/// A supplement request body. Absent groups are not changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SupplementBody {
    /// `Some("")` is a date sent empty (20067); `None` is not sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_request_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscriber: Option<SubscriberBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_address: Option<AddressBody>,
}

impl SupplementBody {
    pub fn is_empty(&self) -> bool {
        self.customer_request_date.is_none()
            && self.subscriber.is_none()
            && self.service_address.is_none()
    }

    /// The exact JSON text that is sent (and shown as the preview).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into())
    }

    /// Reads a received body tolerantly (numbers for strings, `null` as
    /// absent, unknown fields ignored). A present but empty or `null` date
    /// counts as sent empty.
    pub fn from_value(value: &Value) -> SupplementBody {
        let text = |v: Option<&Value>| match v {
            Some(Value::String(s)) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
            other => scalar(other),
        };
        let customer_request_date = value
            .get(field::CUSTOMER_REQUEST_DATE)
            .map(|v| text(Some(v)).unwrap_or_default());
        let subscriber =
            value
                .get("subscriber")
                .filter(|s| s.is_object())
                .map(|s| SubscriberBody {
                    customer_type_indicator: text(s.get(field::CUSTOMER_TYPE)),
                    first_name: text(s.get(field::FIRST_NAME)),
                    last_name: text(s.get(field::LAST_NAME)),
                    business_name: text(s.get(field::BUSINESS_NAME)),
                });
        let service_address = value
            .get("serviceAddress")
            .filter(|s| s.is_object())
            .map(|a| AddressBody {
                street_number: text(a.get(field::STREET_NUMBER)),
                street_name: text(a.get(field::STREET_NAME)),
                street_suffix: text(a.get(field::STREET_SUFFIX)),
                city: text(a.get(field::CITY)),
                state: text(a.get(field::STATE)),
                zip_code: text(a.get(field::ZIP_CODE)),
                secondary_location: text(a.get(field::SECONDARY_LOCATION)),
            });
        SupplementBody {
            customer_request_date,
            subscriber,
            service_address,
        }
    }
}

/// Monday to Friday.
pub fn is_business_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The first business day after `date`.
pub fn next_business_day(date: NaiveDate) -> NaiveDate {
    let mut d = date;
    loop {
        d = d.succ_opt().unwrap_or(d);
        if is_business_day(d) || d == NaiveDate::MAX {
            return d;
        }
    }
}

/// The last business day before `date`.
pub fn previous_business_day(date: NaiveDate) -> NaiveDate {
    let mut d = date;
    loop {
        d = d.pred_opt().unwrap_or(d);
        if is_business_day(d) || d == NaiveDate::MIN {
            return d;
        }
    }
}

/// The last day an LNP order with this FOC date can be cancelled (20066).
pub fn last_cancel_day(foc: NaiveDate) -> NaiveDate {
    previous_business_day(foc)
}

/// Parses `YYYY-MM-DDTHH:MM:SSZ` exactly.
pub fn parse_request_date(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    let shape_ok = t.len() == 20
        && t.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            10 => b == b'T',
            13 | 16 => b == b':',
            19 => b == b'Z',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return None;
    }
    NaiveDateTime::parse_from_str(t, DATE_FORMAT)
        .ok()
        .map(|n| Utc.from_utc_datetime(&n))
}

/// The first and last request dates [`check_request_date`] accepts when
/// today (UTC) is `today`: the next business day, and 30 days on.
pub fn allowed_request_dates(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    (
        next_business_day(today),
        today + chrono::Duration::days(MAX_DAYS_AHEAD),
    )
}

/// The customer request date rules, in order: sent empty (20067), format
/// (20069), earlier than today (20214), not at least one business day ahead
/// (20068), more than 30 days ahead (20213).
pub fn check_request_date(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, Violation> {
    let at = |code| Violation::at(field::CUSTOMER_REQUEST_DATE, code);
    if text.trim().is_empty() {
        return Err(at("20067"));
    }
    let date = parse_request_date(text).ok_or(at("20069"))?;
    let today = now.date_naive();
    let day = date.date_naive();
    if day < today {
        return Err(at("20214"));
    }
    if day < next_business_day(today) {
        return Err(at("20068"));
    }
    if (day - today).num_days() > MAX_DAYS_AHEAD {
        return Err(at("20213"));
    }
    Ok(date)
}

fn present(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| !s.trim().is_empty())
}

/// Name characters: 20237 for non-basic-Latin, `special` for the rest.
fn check_person_name(
    value: &Option<String>,
    id: &'static str,
    special: &'static str,
) -> Option<Violation> {
    let v = value.as_deref()?;
    if !v.is_ascii() {
        return Some(Violation::at(id, "20237"));
    }
    if v.chars()
        .any(|c| !(c.is_ascii_alphabetic() || matches!(c, ' ' | '-' | '\'' | '.')))
    {
        return Some(Violation::at(id, special));
    }
    None
}

/// Subscriber rules: type given (20043) and B or R (20001); residential
/// needs first and last name (20003) and no business name (20005); business
/// needs a business name (20004) and no personal names (20006); name
/// characters (20237, 20210, 20211). At most one violation per field.
pub fn check_subscriber(s: &SubscriberBody) -> Vec<Violation> {
    let mut out: Vec<Violation> = Vec::new();
    let mut push = |v: Violation| {
        if !out.iter().any(|o| o.field == v.field) {
            out.push(v);
        }
    };
    let kind = s
        .customer_type_indicator
        .as_deref()
        .map(str::trim)
        .unwrap_or("");
    match kind {
        "" => push(Violation::at(field::CUSTOMER_TYPE, "20043")),
        "R" => {
            if !present(&s.first_name) {
                push(Violation::at(field::FIRST_NAME, "20003"));
            }
            if !present(&s.last_name) {
                push(Violation::at(field::LAST_NAME, "20003"));
            }
            if present(&s.business_name) {
                push(Violation::at(field::BUSINESS_NAME, "20005"));
            }
        }
        "B" => {
            if !present(&s.business_name) {
                push(Violation::at(field::BUSINESS_NAME, "20004"));
            }
            if present(&s.first_name) {
                push(Violation::at(field::FIRST_NAME, "20006"));
            }
            if present(&s.last_name) {
                push(Violation::at(field::LAST_NAME, "20006"));
            }
        }
        _ => push(Violation::at(field::CUSTOMER_TYPE, "20001")),
    }
    if let Some(v) = check_person_name(&s.first_name, field::FIRST_NAME, "20210") {
        push(v);
    }
    if let Some(v) = check_person_name(&s.last_name, field::LAST_NAME, "20211") {
        push(v);
    }
    if s.business_name.as_deref().is_some_and(|b| !b.is_ascii()) {
        push(Violation::at(field::BUSINESS_NAME, "20237"));
    }
    out
}

/// USPS two-letter codes: states, DC and territories.
pub const US_STATES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY",
    "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
    "WI", "WY", "DC", "PR", "VI", "GU", "AS", "MP",
];

/// Whether `state` is a USPS two-letter code (any case).
pub fn valid_state(state: &str) -> bool {
    let s = state.trim().to_ascii_uppercase();
    s.len() == 2 && US_STATES.contains(&s.as_str())
}

/// Address rules: street number (20007), street name (20008), city (20010)
/// required; state (20011); zip required (20012) and five digits (20013);
/// secondary location at most 20 characters (20014).
pub fn check_address(a: &AddressBody) -> Vec<Violation> {
    let mut out = Vec::new();
    if !present(&a.street_number) {
        out.push(Violation::at(field::STREET_NUMBER, "20007"));
    }
    if !present(&a.street_name) {
        out.push(Violation::at(field::STREET_NAME, "20008"));
    }
    if !present(&a.city) {
        out.push(Violation::at(field::CITY, "20010"));
    }
    if !a.state.as_deref().is_some_and(valid_state) {
        out.push(Violation::at(field::STATE, "20011"));
    }
    match a.zip_code.as_deref().map(str::trim) {
        None | Some("") => out.push(Violation::at(field::ZIP_CODE, "20012")),
        Some(z) if !(z.len() == 5 && z.bytes().all(|b| b.is_ascii_digit())) => {
            out.push(Violation::at(field::ZIP_CODE, "20013"))
        }
        Some(_) => {}
    }
    if a.secondary_location
        .as_deref()
        .is_some_and(|s| s.chars().count() > MAX_SECONDARY_LOCATION)
    {
        out.push(Violation::at(field::SECONDARY_LOCATION, "20014"));
    }
    out
}

/// Every rule of a supplement body; an empty body answers 20048.
pub fn check_supplement(body: &SupplementBody, now: DateTime<Utc>) -> Vec<Violation> {
    if body.is_empty() {
        return vec![Violation::whole("20048")];
    }
    let mut out = Vec::new();
    if let Some(date) = &body.customer_request_date {
        if let Err(v) = check_request_date(date, now) {
            out.push(v);
        }
    }
    if let Some(s) = &body.subscriber {
        out.extend(check_subscriber(s));
    }
    if let Some(a) = &body.service_address {
        out.extend(check_address(a));
    }
    out
}

/// A carrier status word normalized for comparisons: lower case, `-`/`_`
/// as spaces, single spaces (`In-Progress` -> `in progress`).
pub fn normalize_status(status: &str) -> String {
    status
        .trim()
        .to_ascii_lowercase()
        .replace(['-', '_'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether an order type is an LNP (port) order.
pub fn is_lnp(order_type: &str) -> bool {
    let t = order_type.trim().to_ascii_uppercase();
    t == "LNP" || t.starts_with("LNP") || t == "PORT"
}

/// The document's status reasons an order cannot be acted on at all:
/// completed (20065), cancelled (20108), rejected (no code of its own;
/// 20064). `None` for orders in flight.
pub fn closed_status(status: &str) -> Option<Violation> {
    match normalize_status(status).as_str() {
        "completed" | "complete" => Some(Violation::whole("20065")),
        "cancelled" | "canceled" => Some(Violation::whole("20108")),
        "rejected" | "credit check rejected" | "credit rejected" => Some(Violation::whole("20064")),
        _ => None,
    }
}

/// The cancel rules: [`closed_status`], then for LNP orders with a FOC date
/// the one-business-day rule (20066).
pub fn check_cancel(
    status: &str,
    order_type: &str,
    foc: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), Violation> {
    if let Some(v) = closed_status(status) {
        return Err(v);
    }
    if let Some(foc) = foc {
        if is_lnp(order_type) && today > last_cancel_day(foc) {
            return Err(Violation::whole("20066"));
        }
    }
    Ok(())
}

/// The supplement rules about the order (not the body): LNP only (20109),
/// then [`closed_status`].
pub fn check_supplement_order(status: &str, order_type: &str) -> Result<(), Violation> {
    if !is_lnp(order_type) {
        return Err(Violation::whole("20109"));
    }
    match closed_status(status) {
        Some(v) => Err(v),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn business_days_skip_weekends() {
        // 2026-11-27 is a Friday.
        assert_eq!(next_business_day(d(2026, 11, 27)), d(2026, 11, 30));
        assert_eq!(next_business_day(d(2026, 11, 29)), d(2026, 11, 30));
        assert_eq!(previous_business_day(d(2026, 11, 30)), d(2026, 11, 27));
        assert_eq!(last_cancel_day(d(2026, 12, 1)), d(2026, 11, 30));
    }

    #[test]
    fn date_shape_is_exact() {
        assert!(parse_request_date("2026-12-01T00:00:00Z").is_some());
        for bad in [
            "2026-12-01",
            "2026-12-01T00:00:00",
            "2026-12-01T00:00:00.000Z",
            "2026-12-01 00:00:00Z",
            "2026-13-01T00:00:00Z",
            "+2026-12-01T00:00:00Z",
            "２０２６-12-01T00:00:00Z",
        ] {
            assert!(parse_request_date(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn statuses_normalize() {
        assert_eq!(normalize_status(" In-Progress "), "in progress");
        assert_eq!(closed_status("Completed").map(|v| v.code), Some("20065"));
        assert_eq!(closed_status("in progress"), None);
    }
}
