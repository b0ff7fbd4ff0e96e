//! What the dialogs know about Voice orders: which actions an order allows
//! and why not, the cancel and supplement forms, and the document's rules
//! applied before anything is sent (through `rules`, the same code the
//! simulator checks with). Pure: no I/O, the clock is passed in.
//!
//! - Cancel: for orders in flight. Completed (20065 / 20238) and cancelled
//!   (20108) orders are refused in `availability`; the LNP rule "up to one
//!   business day before FOC" (20066) needs the clock, so `validate` checks
//!   it with `now` (the form's intro states the last day). Type-to-confirm
//!   with the voice order id. Body `{}`.
//! - Supplement: in-flight LNP orders only. The form is prefilled from the
//!   order; only the groups the user changed are sent (request date,
//!   subscriber, service address; a changed group is sent whole, empty
//!   optional fields left out), so an unchanged group's old values are
//!   neither re-checked nor re-sent. The preview is the exact body sent.
//! - Every other action: "not offered by this carrier". In read-only mode
//!   nothing is offered ("read-only mode").

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

use crate::carriers::CarrierProfile;
use crate::domain::{
    ActionForm, ActionKind, ActionRequest, Availability, ConfirmRule, FieldError, FieldInput,
    FieldSpec, FormValues, Order, unusable_id,
};

use super::KIND;
use super::codes;
use super::normalize::order_type_label;
use super::notify;
use super::rules::{
    self, AddressBody, MAX_SECONDARY_LOCATION, SubscriberBody, SupplementBody, Violation, field,
};
use super::wire::parse_time;

/// Parameter names of a Voice [`ActionRequest`].
pub mod param {
    /// The voice order id the request is for.
    pub const ORDER_ID: &str = "voiceOrderId";
    /// The exact JSON body to send.
    pub const BODY: &str = "body";
    /// When the request was validated (RFC 3339), for `effect_visible`.
    pub const SUBMITTED_AT: &str = "submitted_at";
}

/// The Voice carrier's profile.
#[derive(Debug, Clone, Default)]
pub struct VoiceProfile {
    readonly: bool,
}

impl VoiceProfile {
    pub fn new(readonly: bool) -> Self {
        VoiceProfile { readonly }
    }
}

fn order_field<'a>(order: &'a Order, name: &str) -> Option<&'a str> {
    order
        .fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn order_type(order: &Order) -> &str {
    order_field(order, "orderType").unwrap_or("")
}

fn foc_date(order: &Order) -> Option<NaiveDate> {
    order_field(order, "focDate")
        .and_then(parse_time)
        .map(|t| t.date_naive())
}

fn cite(v: Violation) -> String {
    format!("{} ({})", v.message(), v.code)
}

/// The form-level error for a violation without a field.
fn whole_error(v: Violation) -> FieldError {
    FieldError {
        field: v.field,
        code: Some(v.code.to_owned()),
        message: v.message().to_owned(),
    }
}

/// The prefilled supplement values, in form order.
fn initial_values(order: &Order) -> Vec<(&'static str, String)> {
    let get = |name| order.customer_field(name).unwrap_or("").to_owned();
    let crd = order_field(order, "customerRequestDate").unwrap_or("");
    let crd = match parse_time(crd) {
        Some(at) => at.format(rules::DATE_FORMAT).to_string(),
        None => crd.to_owned(),
    };
    let kind = match get(field::CUSTOMER_TYPE)
        .trim()
        .to_ascii_uppercase()
        .as_str()
    {
        "B" => "B".to_owned(),
        "R" => "R".to_owned(),
        _ if !get(field::BUSINESS_NAME).is_empty() => "B".to_owned(),
        _ => "R".to_owned(),
    };
    vec![
        (field::CUSTOMER_REQUEST_DATE, crd),
        (field::CUSTOMER_TYPE, kind),
        (field::FIRST_NAME, get(field::FIRST_NAME)),
        (field::LAST_NAME, get(field::LAST_NAME)),
        (field::BUSINESS_NAME, get(field::BUSINESS_NAME)),
        (field::STREET_NUMBER, get(field::STREET_NUMBER)),
        (field::STREET_NAME, get(field::STREET_NAME)),
        (field::STREET_SUFFIX, get(field::STREET_SUFFIX)),
        (field::CITY, get(field::CITY)),
        (field::STATE, get(field::STATE)),
        (field::ZIP_CODE, get(field::ZIP_CODE)),
        (field::SECONDARY_LOCATION, get(field::SECONDARY_LOCATION)),
    ]
}

const SUBSCRIBER_FIELDS: &[&str] = &[
    field::CUSTOMER_TYPE,
    field::FIRST_NAME,
    field::LAST_NAME,
    field::BUSINESS_NAME,
];
const ADDRESS_FIELDS: &[&str] = &[
    field::STREET_NUMBER,
    field::STREET_NAME,
    field::STREET_SUFFIX,
    field::CITY,
    field::STATE,
    field::ZIP_CODE,
    field::SECONDARY_LOCATION,
];

/// The request date codes that are about the allowed range (earlier than
/// today, not a business day ahead, more than 30 days ahead).
const DATE_RANGE_CODES: &[&str] = &["20214", "20068", "20213"];

/// "Allowed: Tue 2026-12-01 to Wed 2026-12-30 (UTC)."
fn allowed_dates(now: DateTime<Utc>) -> String {
    let (first, last) = rules::allowed_request_dates(now.date_naive());
    format!(
        "Allowed: {} to {} (UTC).",
        first.format("%a %Y-%m-%d"),
        last.format("%a %Y-%m-%d")
    )
}

/// The supplement body for the groups that differ from the prefilled values.
/// A prefilled name of the other customer type is left out when the type
/// changes (switching to residential drops the untouched business name, and
/// the other way round), so the switch alone does not break 20005/20006; a
/// name typed for the other type is kept, and refused.
fn supplement_body(order: &Order, values: &FormValues) -> SupplementBody {
    let initial = initial_values(order);
    let was = |id: &str| {
        initial
            .iter()
            .find(|(k, _)| *k == id)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    };
    let now = |id: &str| values.get(id).trim();
    let changed = |ids: &[&str]| ids.iter().any(|id| now(id) != was(id));
    let opt = |id: &str| Some(now(id).to_owned()).filter(|v| !v.is_empty());
    SupplementBody {
        customer_request_date: changed(&[field::CUSTOMER_REQUEST_DATE])
            .then(|| now(field::CUSTOMER_REQUEST_DATE).to_owned()),
        subscriber: changed(SUBSCRIBER_FIELDS).then(|| {
            let kind = opt(field::CUSTOMER_TYPE).map(|t| t.to_ascii_uppercase());
            // A name of the other type, as prefilled (not typed).
            let stale =
                |id: &str, other: &str| kind.as_deref() == Some(other) && now(id) == was(id);
            let name = |id: &str, other: &str| opt(id).filter(|_| !stale(id, other));
            SubscriberBody {
                first_name: name(field::FIRST_NAME, "B"),
                last_name: name(field::LAST_NAME, "B"),
                business_name: name(field::BUSINESS_NAME, "R"),
                customer_type_indicator: kind,
            }
        }),
        service_address: changed(ADDRESS_FIELDS).then(|| AddressBody {
            street_number: opt(field::STREET_NUMBER),
            street_name: opt(field::STREET_NAME),
            street_suffix: opt(field::STREET_SUFFIX),
            city: opt(field::CITY),
            state: opt(field::STATE).map(|s| s.to_ascii_uppercase()),
            zip_code: opt(field::ZIP_CODE),
            secondary_location: opt(field::SECONDARY_LOCATION),
        }),
    }
}

impl VoiceProfile {
    fn cancel_availability(&self, order: &Order) -> Availability {
        match rules::closed_status(&order.status.raw) {
            Some(v) if v.code == "20065" => Availability::Unavailable(format!(
                "completed orders cannot be cancelled (20065 / 20238): {}",
                codes::message("20238").unwrap_or_default()
            )),
            Some(v) if v.code == "20108" => {
                Availability::Unavailable(format!("already cancelled: {}", cite(v)))
            }
            Some(_) => Availability::Unavailable(format!(
                "order is {}; only in-flight orders can be cancelled",
                order.status.raw
            )),
            None => Availability::Available,
        }
    }

    fn supplement_availability(&self, order: &Order) -> Availability {
        let kind = order_type(order);
        if !rules::is_lnp(kind) {
            let what = if kind.trim().is_empty() {
                "this order has no order type".to_owned()
            } else {
                format!("this is a {} order", kind.trim().to_ascii_uppercase())
            };
            return Availability::Unavailable(format!(
                "supplement is only for in-flight LNP (port) orders; {what}"
            ));
        }
        match rules::closed_status(&order.status.raw) {
            Some(_) => Availability::Unavailable(format!(
                "supplement is only for in-flight LNP (port) orders; this order is {}",
                order.status.raw
            )),
            None => Availability::Available,
        }
    }

    fn cancel_form(&self, order: &Order) -> ActionForm {
        let id = &order.key.id;
        let mut intro = vec![
            format!("Cancel voice order {id} ({}).", order.service),
            "Cancelling a voice order cancels every telephone number on it. This cannot be undone."
                .to_owned(),
        ];
        if rules::is_lnp(order_type(order)) {
            match foc_date(order) {
                Some(foc) => intro.push(format!(
                    "LNP orders can be cancelled up to one business day before the FOC date: FOC {foc}, last day {} (UTC, Mon-Fri).",
                    rules::last_cancel_day(foc)
                )),
                None => intro.push(
                    "LNP orders can be cancelled up to one business day before the FOC date (no FOC date yet)."
                        .to_owned(),
                ),
            }
        }
        ActionForm {
            action: ActionKind::Cancel,
            title: format!("Cancel voice order {id}"),
            intro,
            fields: Vec::new(),
        }
    }

    fn supplement_form(&self, order: &Order) -> ActionForm {
        let initial = initial_values(order);
        let init = |id: &str| {
            initial
                .iter()
                .find(|(k, _)| *k == id)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let line = |id: &'static str, label: &str| FieldSpec::line(id, label, init(id));
        let mut secondary = line(field::SECONDARY_LOCATION, "Secondary location")
            .with_help(format!("at most {MAX_SECONDARY_LOCATION} characters"));
        secondary.input = FieldInput::Line {
            max_len: Some(MAX_SECONDARY_LOCATION),
        };
        ActionForm {
            action: ActionKind::Supplement,
            title: format!("Supplement LNP order {}", order.key.id),
            intro: vec![
                format!(
                    "Change the request date, subscriber or service address of in-flight {} order {}.",
                    order_type_label(order_type(order)),
                    order.key.id
                ),
                "Only the groups you change are sent. The request date is a UTC calendar day from the next business day after today (Mon-Fri; a later Saturday or Sunday is accepted) to 30 days after today."
                    .to_owned(),
            ],
            fields: vec![
                line(field::CUSTOMER_REQUEST_DATE, "Customer request date")
                    .with_help("YYYY-MM-DDTHH:MM:SSZ"),
                FieldSpec::choice(
                    field::CUSTOMER_TYPE,
                    "Customer type",
                    vec![
                        ("B".to_owned(), "B business".to_owned()),
                        ("R".to_owned(), "R residential".to_owned()),
                    ],
                    init(field::CUSTOMER_TYPE),
                ),
                line(field::FIRST_NAME, "First name").with_help("residential only"),
                line(field::LAST_NAME, "Last name").with_help("residential only"),
                line(field::BUSINESS_NAME, "Business name").with_help("business only"),
                line(field::STREET_NUMBER, "Street number"),
                line(field::STREET_NAME, "Street name"),
                line(field::STREET_SUFFIX, "Street suffix").with_help("e.g. ST, AVE, BLVD"),
                line(field::CITY, "City"),
                line(field::STATE, "State").with_help("two letters, e.g. CO"),
                line(field::ZIP_CODE, "Zip code").with_help("five digits"),
                secondary,
            ],
        }
    }
}

impl CarrierProfile for VoiceProfile {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn availability(&self, order: &Order, action: ActionKind) -> Availability {
        match action {
            ActionKind::Cancel | ActionKind::Supplement if self.readonly => {
                Availability::Unavailable("read-only mode".into())
            }
            ActionKind::Cancel | ActionKind::Supplement if unusable_id(&order.key.id).is_some() => {
                Availability::Unavailable(unusable_id(&order.key.id).unwrap_or_default())
            }
            ActionKind::Cancel => self.cancel_availability(order),
            ActionKind::Supplement => self.supplement_availability(order),
            ActionKind::Acknowledge
            | ActionKind::SetStatus
            | ActionKind::AddMessage
            | ActionKind::AddPayLink => {
                Availability::Unavailable("not offered by this carrier".into())
            }
        }
    }

    fn form(&self, order: &Order, action: ActionKind) -> Option<ActionForm> {
        if !self.availability(order, action).is_available() {
            return None;
        }
        match action {
            ActionKind::Cancel => Some(self.cancel_form(order)),
            ActionKind::Supplement => Some(self.supplement_form(order)),
            _ => None,
        }
    }

    fn validate(
        &self,
        order: &Order,
        action: ActionKind,
        values: &FormValues,
        now: DateTime<Utc>,
    ) -> Result<ActionRequest, Vec<FieldError>> {
        if let Availability::Unavailable(why) = self.availability(order, action) {
            return Err(vec![FieldError::form(why)]);
        }
        let id = order.key.id.clone();
        let submitted = now.to_rfc3339_opts(SecondsFormat::Secs, true);
        match action {
            ActionKind::Cancel => {
                rules::check_cancel(
                    &order.status.raw,
                    order_type(order),
                    foc_date(order),
                    now.date_naive(),
                )
                .map_err(|v| vec![whole_error(v)])?;
                let body = "{}".to_owned();
                Ok(ActionRequest {
                    action,
                    params: vec![
                        (param::ORDER_ID.into(), id.clone()),
                        (param::BODY.into(), body.clone()),
                        (param::SUBMITTED_AT.into(), submitted),
                    ],
                    summary: format!("cancel voice order {id}"),
                    preview: Some(body),
                })
            }
            ActionKind::Supplement => {
                let body = supplement_body(order, values);
                if body.is_empty() {
                    return Err(vec![FieldError {
                        field: None,
                        code: Some("20048".into()),
                        message: "nothing to send: change the request date, the subscriber or the service address".into(),
                    }]);
                }
                let violations = rules::check_supplement(&body, now);
                if !violations.is_empty() {
                    return Err(violations
                        .into_iter()
                        .map(|v| match v.field {
                            Some(f) if DATE_RANGE_CODES.contains(&v.code) => FieldError::at(
                                f,
                                Some(v.code),
                                format!("{} {}", v.message(), allowed_dates(now)),
                            ),
                            Some(f) => FieldError::at(f, Some(v.code), v.message()),
                            None => whole_error(v),
                        })
                        .collect());
                }
                let mut groups = Vec::new();
                if body.customer_request_date.is_some() {
                    groups.push("request date");
                }
                if body.subscriber.is_some() {
                    groups.push("subscriber");
                }
                if body.service_address.is_some() {
                    groups.push("service address");
                }
                let json = body.to_json();
                Ok(ActionRequest {
                    action,
                    params: vec![
                        (param::ORDER_ID.into(), id.clone()),
                        (param::BODY.into(), json.clone()),
                        (param::SUBMITTED_AT.into(), submitted),
                    ],
                    summary: format!("supplement voice order {id}: {}", groups.join(", ")),
                    preview: Some(json),
                })
            }
            _ => Err(vec![FieldError::form("not offered by this carrier")]),
        }
    }

    fn confirmation(&self, order: &Order, request: &ActionRequest) -> ConfirmRule {
        match request.action {
            ActionKind::Cancel => ConfirmRule::TypeToConfirm {
                prompt: format!(
                    "Cancelling voice order {} cancels all its telephone numbers and cannot be undone. Type the order id to confirm.",
                    order.key.id
                ),
                expected: order.key.id.clone(),
            },
            ActionKind::Supplement => ConfirmRule::YesNo(format!(
                "Send this supplement for LNP order {} to Lumen?",
                order.key.id
            )),
            _ => ConfirmRule::None,
        }
    }

    fn effect_visible(&self, order: &Order, request: &ActionRequest) -> bool {
        match request.action {
            ActionKind::Cancel => matches!(
                rules::normalize_status(&order.status.raw).as_str(),
                "cancelled" | "canceled"
            ),
            ActionKind::Supplement => supplement_visible(order, request),
            _ => false,
        }
    }
}

/// A 904 notification dated in a later second than the request, or every
/// sent value now on the order. The request's `submitted_at` and Lumen's
/// dates are whole seconds, so a 904 in the same second as the request may
/// be an earlier supplement's (two supplements of one order within a
/// second, the second not applied): it proves nothing, the sent values
/// decide.
fn supplement_visible(order: &Order, request: &ActionRequest) -> bool {
    let submitted = request
        .param(param::SUBMITTED_AT)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.timestamp());
    if let Some(submitted) = submitted {
        let noticed = order.log.iter().any(|e| {
            notify::entry_code(e) == Some("904")
                && e.at.at.is_some_and(|at| at.timestamp() > submitted)
        });
        if noticed {
            return true;
        }
    }
    let Some(body) = request
        .param(param::BODY)
        .and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok())
        .map(|v| SupplementBody::from_value(&v))
    else {
        return false;
    };
    if body.is_empty() {
        return false;
    }
    let same = |name: &str, want: &Option<String>| match want {
        None => true,
        Some(w) => order
            .customer_field(name)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case(w)),
    };
    let date_ok = match &body.customer_request_date {
        None => true,
        Some(want) => {
            let have = order_field(order, "customerRequestDate").and_then(parse_time);
            have.is_some() && have == rules::parse_request_date(want)
        }
    };
    let sub_ok = body.subscriber.as_ref().is_none_or(|s| {
        same(field::CUSTOMER_TYPE, &s.customer_type_indicator)
            && same(field::FIRST_NAME, &s.first_name)
            && same(field::LAST_NAME, &s.last_name)
            && same(field::BUSINESS_NAME, &s.business_name)
    });
    let addr_ok = body.service_address.as_ref().is_none_or(|a| {
        same(field::STREET_NUMBER, &a.street_number)
            && same(field::STREET_NAME, &a.street_name)
            && same(field::STREET_SUFFIX, &a.street_suffix)
            && same(field::CITY, &a.city)
            && same(field::STATE, &a.state)
            && same(field::ZIP_CODE, &a.zip_code)
            && same(field::SECONDARY_LOCATION, &a.secondary_location)
    });
    date_ok && sub_ok && addr_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{LogEntry, LogKind, OrderKey, Stage, Stamp, Status};

    /// An in-flight LNP order of a business subscriber, "Acme Inc".
    fn business_lnp() -> Order {
        let mut order = Order::new(
            OrderKey::new("voice", "812001"),
            KIND,
            Status::new("in progress", Stage::InProgress, false),
        );
        order.fields = vec![("orderType".into(), "LNP".into())];
        order.customer_fields = vec![
            (field::CUSTOMER_TYPE.into(), "B".into()),
            (field::BUSINESS_NAME.into(), "Acme Inc".into()),
        ];
        order
    }

    fn supplement(order: &Order, changes: &[(&str, &str)]) -> Result<String, Vec<FieldError>> {
        let mut values: Vec<(String, String)> = initial_values(order)
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        for (id, value) in changes {
            match values.iter_mut().find(|(k, _)| k == id) {
                Some(slot) => slot.1 = (*value).to_owned(),
                None => values.push(((*id).to_owned(), (*value).to_owned())),
            }
        }
        let now = DateTime::parse_from_rfc3339("2026-11-27T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        VoiceProfile::new(false)
            .validate(order, ActionKind::Supplement, &FormValues(values), now)
            .map(|request| request.preview.unwrap_or_default())
    }

    #[test]
    fn switching_to_residential_drops_the_prefilled_business_name_but_not_a_typed_one() {
        let order = business_lnp();
        let body = supplement(
            &order,
            &[
                (field::CUSTOMER_TYPE, "R"),
                (field::FIRST_NAME, "Maria"),
                (field::LAST_NAME, "Lopez"),
            ],
        )
        .expect("a residential subscriber without the old business name");
        assert!(!body.contains("Acme"), "{body}");
        assert!(body.contains("\"firstName\": \"Maria\""), "{body}");

        let errors = supplement(
            &order,
            &[
                (field::CUSTOMER_TYPE, "R"),
                (field::FIRST_NAME, "Maria"),
                (field::LAST_NAME, "Lopez"),
                (field::BUSINESS_NAME, "Lopez Plumbing"),
            ],
        )
        .unwrap_err();
        assert_eq!(errors[0].code.as_deref(), Some("20005"), "{errors:?}");
    }

    #[test]
    fn a_request_date_out_of_range_names_the_dates_allowed() {
        // Friday 2026-11-27: the next business day is Monday the 30th.
        let order = business_lnp();
        let errors = supplement(
            &order,
            &[(field::CUSTOMER_REQUEST_DATE, "2026-11-28T12:00:00Z")],
        )
        .unwrap_err();
        assert_eq!(errors[0].code.as_deref(), Some("20068"));
        assert!(
            errors[0]
                .message
                .ends_with("Allowed: Mon 2026-11-30 to Sun 2026-12-27 (UTC)."),
            "{errors:?}"
        );
        let errors = supplement(
            &order,
            &[(field::CUSTOMER_REQUEST_DATE, "2026-12-28T12:00:00Z")],
        )
        .unwrap_err();
        assert_eq!(errors[0].code.as_deref(), Some("20213"));
        assert!(
            errors[0].message.contains("Allowed: Mon 2026-11-30"),
            "{errors:?}"
        );
        // A Saturday after the first allowed day is accepted, as the dialog says.
        supplement(
            &order,
            &[(field::CUSTOMER_REQUEST_DATE, "2026-12-05T12:00:00Z")],
        )
        .expect("a later weekend day");
    }

    #[test]
    fn a_904_in_the_same_second_as_a_supplement_does_not_confirm_it() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let request = ActionRequest {
            action: ActionKind::Supplement,
            params: vec![
                (param::ORDER_ID.into(), "812000".into()),
                (
                    param::BODY.into(),
                    r#"{"subscriber":{"customerTypeIndicator":"R","firstName":"Maria","lastName":"Second"}}"#.into(),
                ),
                (param::SUBMITTED_AT.into(), "2026-11-25T12:00:07Z".into()),
            ],
            summary: "supplement".into(),
            preview: None,
        };
        let with_904 = |when: &str| {
            let mut order = Order::new(
                OrderKey::new("voice", "812000"),
                KIND,
                Status::new("in progress", Stage::InProgress, false),
            );
            // The earlier supplement's values and notification.
            order.customer_fields = vec![
                (field::CUSTOMER_TYPE.into(), "R".into()),
                (field::FIRST_NAME.into(), "Maria".into()),
                (field::LAST_NAME.into(), "First".into()),
            ];
            order.log.push(LogEntry {
                at: Stamp::parsed(at(when)),
                kind: LogKind::Notification,
                source: notify::SOURCE.into(),
                text: "904 Your LNP (porting) order action has been updated.".into(),
            });
            order
        };
        let profile = VoiceProfile::new(false);
        // Same second: it may be the earlier supplement's 904.
        assert!(!profile.effect_visible(&with_904("2026-11-25T12:00:07Z"), &request));
        // A later second: this supplement's (nothing else was sent since).
        assert!(profile.effect_visible(&with_904("2026-11-25T12:00:08Z"), &request));
        // The sent values on the order show it whatever the notifications.
        let mut applied = with_904("2026-11-25T12:00:07Z");
        applied.customer_fields[2].1 = "Second".into();
        assert!(profile.effect_visible(&applied, &request));
    }
}
