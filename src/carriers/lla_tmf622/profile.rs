//! What the dialogs know about LLA orders. Pure: no I/O.
//!
//! - Add pay link (`p`): for open orders, when PayLink credentials are
//!   usable and the carrier is writable. The form asks for the payment link
//!   (required, an `https://` URL with a host, at most 2,000 characters, no
//!   blanks), the billing account and the external id (both prefilled from
//!   the order, both optional). The request carries the exact body of
//!   document 004 (`channel` `sourceSystem`/`orderdesk`, one
//!   `productOrderItem` with `id` "" and `action` "add", the link as
//!   `payment[0].id` named `PayLink`); the preview shows the request line
//!   and headers (the secret hidden) and that body. A yes/no confirmation.
//! - No read-back exists (a Hybris order does not show its pay link), so
//!   `effect_visible` is always false and `reread_confirms` is false for
//!   it: LLA's 200 confirms it, and an unknown one stays unknown (never
//!   re-sent by the executor; the journal's "send again" is the user's).
//! - Every other action: "not offered by LLA TMF-622". In read-only mode
//!   nothing is offered ("read-only mode").

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::carriers::CarrierProfile;
use crate::domain::{
    ActionForm, ActionKind, ActionRequest, Availability, ConfirmRule, FieldError, FieldInput,
    FieldSpec, FormValues, Order,
};

use super::KIND;
use super::normalize::split_key_id;
use super::wire::usable_id;

/// Why an action is not there.
pub const NOT_OFFERED: &str = "not offered by LLA TMF-622";

/// The longest payment link accepted.
pub const MAX_LINK: usize = 2000;

/// What the PayLink body says its source system is.
pub const SOURCE_SYSTEM: &str = "orderdesk";

/// Parameter names of a PayLink [`ActionRequest`].
pub mod param {
    pub const MARKET: &str = "market";
    /// The order's raw id.
    pub const ORDER_ID: &str = "id";
    /// The exact JSON body to send.
    pub const BODY: &str = "body";
}

/// Form field ids.
pub mod field {
    pub const LINK: &str = "link";
    pub const BILLING_ACCOUNT: &str = "billing_account";
    pub const EXTERNAL_ID: &str = "external_id";
}

/// The LLA carrier's profile.
#[derive(Debug, Clone, Default)]
pub struct LlaProfile {
    readonly: bool,
    /// Why no PayLink can be sent (credentials missing or unusable).
    paylink_unusable: Option<String>,
    /// The PayLink client id, for the preview.
    paylink_client_id: String,
}

impl LlaProfile {
    pub fn new(readonly: bool, paylink: Result<String, String>) -> Self {
        let (paylink_client_id, paylink_unusable) = match paylink {
            Ok(id) => (id, None),
            Err(why) => (String::new(), Some(why)),
        };
        LlaProfile {
            readonly,
            paylink_unusable,
            paylink_client_id,
        }
    }
}

/// The body of document 004 for `link` (empty account and external id
/// are left out).
pub fn paylink_body(link: &str, billing_account: &str, external_id: &str) -> Value {
    let mut body = serde_json::Map::new();
    if !external_id.is_empty() {
        body.insert("externalId".into(), json!(external_id));
    }
    body.insert(
        "channel".into(),
        json!([{"id": "sourceSystem", "name": SOURCE_SYSTEM}]),
    );
    if !billing_account.is_empty() {
        body.insert(
            "billingAccount".into(),
            json!({"id": billing_account, "name": "billingAccountNumber"}),
        );
    }
    body.insert(
        "productOrderItem".into(),
        json!([{"id": "", "action": "add", "payment": [{"id": link, "name": "PayLink"}]}]),
    );
    Value::Object(body)
}

/// Why `link` is not a payment link, in the user's words.
pub fn check_link(link: &str) -> Result<(), String> {
    if link.is_empty() {
        return Err("the payment link is required".into());
    }
    let chars = link.chars().count();
    if chars > MAX_LINK {
        return Err(format!(
            "the payment link is {chars} characters long; at most {MAX_LINK} are allowed"
        ));
    }
    if link.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the payment link must not contain spaces or control characters".into());
    }
    if !link
        .get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case("https://"))
    {
        return Err("the payment link must start with https://".into());
    }
    match reqwest::Url::parse(link) {
        Ok(u) if u.host_str().is_some_and(|h| !h.is_empty()) => Ok(()),
        _ => Err("the payment link is not a valid URL (https://host/...)".into()),
    }
}

impl LlaProfile {
    fn paylink_availability(&self, order: &Order) -> Availability {
        if self.readonly {
            return Availability::Unavailable("read-only mode".into());
        }
        if !order.status.stage.is_open() {
            return Availability::Unavailable(format!(
                "order is {}: a pay link is added to open orders only",
                order.status.raw
            ));
        }
        if let Some(why) = &self.paylink_unusable {
            return Availability::Unavailable(why.clone());
        }
        match split_key_id(&order.key.id) {
            Some((_, id)) if usable_id(id) => Availability::Available,
            _ => Availability::Unavailable(format!(
                "order key {:?} names no market and id",
                order.key.id
            )),
        }
    }
}

impl CarrierProfile for LlaProfile {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn availability(&self, order: &Order, action: ActionKind) -> Availability {
        match action {
            ActionKind::AddPayLink => self.paylink_availability(order),
            _ if self.readonly => Availability::Unavailable("read-only mode".into()),
            _ => Availability::Unavailable(NOT_OFFERED.into()),
        }
    }

    fn form(&self, order: &Order, action: ActionKind) -> Option<ActionForm> {
        if action != ActionKind::AddPayLink || !self.availability(order, action).is_available() {
            return None;
        }
        Some(ActionForm {
            action,
            title: format!("Add pay link to {}", order.key),
            intro: vec![
                "Saves a payment link on the order in Salesforce (b2bsoft PATCH).".into(),
                "LLA shows no pay link on the order afterwards: the journal keeps the record."
                    .into(),
            ],
            fields: vec![
                FieldSpec {
                    id: field::LINK,
                    label: "Payment link".into(),
                    input: FieldInput::Line {
                        max_len: Some(MAX_LINK),
                    },
                    initial: String::new(),
                    help: Some(format!("https://..., at most {MAX_LINK} characters")),
                },
                FieldSpec::line(
                    field::BILLING_ACCOUNT,
                    "Billing account",
                    order.field("billingAccount").unwrap_or(""),
                )
                .with_help("BAN-CAN; leave empty to send none"),
                FieldSpec::line(
                    field::EXTERNAL_ID,
                    "External id",
                    order.field("externalId").unwrap_or(""),
                )
                .with_help("order number in Salesforce; leave empty to send none"),
            ],
        })
    }

    fn validate(
        &self,
        order: &Order,
        action: ActionKind,
        values: &FormValues,
        _now: DateTime<Utc>,
    ) -> Result<ActionRequest, Vec<FieldError>> {
        if let Availability::Unavailable(why) = self.availability(order, action) {
            return Err(vec![FieldError::form(why)]);
        }
        let Some((market, id)) = split_key_id(&order.key.id) else {
            return Err(vec![FieldError::form("the order key names no market")]);
        };
        let link = values.get(field::LINK).trim();
        let account = values.get(field::BILLING_ACCOUNT).trim();
        let external = values.get(field::EXTERNAL_ID).trim();
        let mut errors = Vec::new();
        if let Err(why) = check_link(link) {
            errors.push(FieldError::at(field::LINK, None, why));
        }
        for (f, v, name) in [
            (field::BILLING_ACCOUNT, account, "the billing account"),
            (field::EXTERNAL_ID, external, "the external id"),
        ] {
            if v.chars().any(char::is_control) {
                errors.push(FieldError::at(
                    f,
                    None,
                    format!("{name} must not contain control characters"),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let body = paylink_body(link, account, external);
        let text = body.to_string();
        let pretty = serde_json::to_string_pretty(&body).unwrap_or_else(|_| text.clone());
        let preview = format!(
            "PATCH /b2bsoft-ux/v1/{market}/productOrder/{id}\nclient_id: {}\nclient_secret: (hidden)\nX-Correlation-ID: (fresh per attempt)\nContent-Type: application/json\n\n{pretty}",
            self.paylink_client_id
        );
        Ok(ActionRequest {
            action,
            params: vec![
                (param::MARKET.into(), market.to_owned()),
                (param::ORDER_ID.into(), id.to_owned()),
                (param::BODY.into(), text),
            ],
            summary: format!("add pay link {link}"),
            preview: Some(preview),
        })
    }

    fn confirmation(&self, order: &Order, _request: &ActionRequest) -> ConfirmRule {
        ConfirmRule::YesNo(format!(
            "Send this pay link for {}? LLA cannot show it back afterwards.",
            order.key
        ))
    }

    fn effect_visible(&self, _order: &Order, _request: &ActionRequest) -> bool {
        false
    }

    fn reread_confirms(&self, request: &ActionRequest) -> bool {
        request.action != ActionKind::AddPayLink
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{OrderKey, Stage, Status};

    fn order(stage: Stage) -> Order {
        let mut o = Order::new(
            OrderKey::new("lla", "PR-1200047552281013"),
            KIND,
            Status::new("Acknowledged", stage, !stage.is_open()),
        );
        o.fields = vec![
            ("billingAccount".into(), "190150638551501".into()),
            ("externalId".into(), "0000000000002861".into()),
        ];
        o
    }

    fn writable() -> LlaProfile {
        LlaProfile::new(false, Ok("abcdefg".into()))
    }

    #[test]
    fn only_pay_link_is_offered_and_says_why_not() {
        let p = writable();
        let o = order(Stage::New);
        for action in ActionKind::ALL {
            let a = p.availability(&o, action);
            if action == ActionKind::AddPayLink {
                assert!(a.is_available());
            } else {
                assert_eq!(a, Availability::Unavailable(NOT_OFFERED.into()));
            }
        }
        assert!(
            !p.availability(&order(Stage::Done), ActionKind::AddPayLink)
                .is_available()
        );
        let ro = LlaProfile::new(true, Ok("x".into()));
        assert_eq!(
            ro.availability(&o, ActionKind::AddPayLink),
            Availability::Unavailable("read-only mode".into())
        );
        let none = LlaProfile::new(false, Err("no PayLink credentials".into()));
        assert_eq!(
            none.availability(&o, ActionKind::AddPayLink),
            Availability::Unavailable("no PayLink credentials".into())
        );
    }

    #[test]
    fn the_form_is_prefilled_and_the_body_is_document_004s() {
        let p = writable();
        let o = order(Stage::InProgress);
        let form = p.form(&o, ActionKind::AddPayLink).unwrap();
        let mut values = FormValues::from_form(&form);
        assert_eq!(values.get(field::BILLING_ACCOUNT), "190150638551501");
        values.set(field::LINK, "https://pay.example/l/1");
        let r = p
            .validate(&o, ActionKind::AddPayLink, &values, Utc::now())
            .unwrap();
        let body: Value = serde_json::from_str(r.param(param::BODY).unwrap()).unwrap();
        assert_eq!(
            body,
            json!({
                "externalId": "0000000000002861",
                "channel": [{"id": "sourceSystem", "name": "orderdesk"}],
                "billingAccount": {"id": "190150638551501", "name": "billingAccountNumber"},
                "productOrderItem": [{"id": "", "action": "add", "payment": [{"id": "https://pay.example/l/1", "name": "PayLink"}]}]
            })
        );
        let preview = r.preview.clone().unwrap();
        assert!(preview.starts_with("PATCH /b2bsoft-ux/v1/PR/productOrder/1200047552281013\n"));
        assert!(preview.contains("client_id: abcdefg"));
        assert_eq!(r.param(param::MARKET), Some("PR"));
    }

    #[test]
    fn links_are_checked_in_the_users_words() {
        assert!(check_link("https://a.example/x").is_ok());
        assert!(check_link("").unwrap_err().contains("required"));
        assert!(
            check_link("http://a.example")
                .unwrap_err()
                .contains("https://")
        );
        assert!(check_link("https://a b").unwrap_err().contains("spaces"));
        let long = format!("https://a.example/{}", "x".repeat(MAX_LINK));
        assert!(check_link(&long).unwrap_err().contains("at most 2000"));
        assert!(check_link("https://").is_err());
    }
}
