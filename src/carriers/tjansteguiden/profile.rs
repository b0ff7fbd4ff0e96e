//! What orderdesk knows about Tjänsteguiden without asking it: the status
//! vocabulary with the document's meanings, which actions an order allows,
//! the dialogs, the portal's input rules, confirmations, and how to see a
//! write's effect in a re-read order. Pure: no I/O, no clock.
//!
//! Choices where the document is silent:
//! - Acknowledge is `set_status received`, offered only on `new` orders (the
//!   flow the document recommends).
//! - Set status is always offered, terminal orders included; moving backwards
//!   (rank new < received < active < waiting < delivered; from delivered or
//!   cancelled every move is backwards) or to `cancelled` asks yes/no.
//!   Setting the status the order already has is refused (it would only add
//!   a log line).
//! - Cancel is `set_status cancelled` and needs the order id typed.
//! - Messages: empty or whitespace-only text is refused; control characters
//!   are stripped (newlines kept); at most [`MAX_MESSAGE_CHARS`] characters,
//!   because the message travels in a GET query string and Swedish text
//!   percent-encodes to up to 6 bytes a character (servers commonly cap URLs
//!   at 8 KiB).

use chrono::{DateTime, Utc};
use reqwest::Url;

use super::statuses::{STATUSES, is_backwards, status_def};
use super::wire;
use crate::carriers::CarrierProfile;
use crate::domain::{
    ActionForm, ActionKind, ActionRequest, Availability, ConfirmRule, FieldError, FieldSpec,
    FormValues, LogKind, Order, sanitize, sanitize_multiline,
};

/// The message types of `add_message`, with the document's meanings.
pub const MESSAGE_TYPES: [(&str, &str); 4] = [
    ("error", "This is an error message"),
    ("alert", "Important information regarding this order"),
    ("system", "System message from activation for instance"),
    ("log", "general message"),
];

/// Longest message accepted, in characters (see the module docs).
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// The Tjänsteguiden profile of one carrier instance (it knows the endpoint
/// and API user only to preview the exact query a write will send).
#[derive(Debug, Clone)]
pub struct TgProfile {
    endpoint: Url,
    api_user: String,
}

impl TgProfile {
    pub fn new(endpoint: Url, api_user: impl Into<String>) -> Self {
        TgProfile {
            endpoint,
            api_user: api_user.into(),
        }
    }

    fn preview(&self, order: &Order, method: &str, params: &[(String, String)]) -> String {
        let mut query: Vec<(&str, &str)> = vec![
            ("method", method),
            ("api_user", &self.api_user),
            ("id", &order.key.id),
        ];
        query.extend(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        wire::query_string(&self.endpoint, &query)
    }

    fn request(
        &self,
        order: &Order,
        action: ActionKind,
        params: Vec<(String, String)>,
        summary: String,
    ) -> ActionRequest {
        let method = write_method(action);
        let ordered = wire_params(&params);
        ActionRequest {
            action,
            preview: Some(self.preview(order, method, &ordered)),
            params,
            summary,
        }
    }
}

/// The portal method a write action uses.
pub fn write_method(action: ActionKind) -> &'static str {
    match action {
        ActionKind::AddMessage => "add_message",
        _ => "set_status",
    }
}

/// A local request parameter, never sent: how many log lines with the
/// message's type and text the order had when the message was written. A
/// routine text ("customer called") may already be in the log; only a line
/// beyond this count shows that this request was applied, so a send that
/// was lost is never taken for one that arrived.
pub const MATCHES_BEFORE: &str = "matches_before";

/// Parameters that stay in the journal and are never sent.
const LOCAL_PARAMS: [&str; 1] = [MATCHES_BEFORE];

/// How many log lines of `order` have this kind and text.
fn matching_lines(order: &Order, kind: LogKind, text: &str) -> usize {
    order
        .log
        .iter()
        .filter(|e| e.kind == kind && e.text.trim() == text)
        .count()
}

/// A request's parameters in the document's query order (`message` before
/// `type`, as in its example), without the local ones.
pub fn wire_params(params: &[(String, String)]) -> Vec<(String, String)> {
    let order = ["status", "message", "type"];
    let mut out: Vec<(String, String)> = order
        .iter()
        .filter_map(|name| params.iter().find(|(k, _)| k == name).cloned())
        .collect();
    out.extend(
        params
            .iter()
            .filter(|(k, _)| !order.contains(&k.as_str()) && !LOCAL_PARAMS.contains(&k.as_str()))
            .cloned(),
    );
    out
}

impl CarrierProfile for TgProfile {
    fn kind(&self) -> &'static str {
        super::KIND
    }

    fn availability(&self, order: &Order, action: ActionKind) -> Availability {
        match action {
            ActionKind::Acknowledge => {
                if order.status.raw.eq_ignore_ascii_case("new") {
                    Availability::Available
                } else {
                    Availability::Unavailable(format!(
                        "only new orders can be acknowledged; this one is {}",
                        sanitize(&order.status.raw)
                    ))
                }
            }
            ActionKind::SetStatus | ActionKind::AddMessage => Availability::Available,
            ActionKind::Cancel => {
                if order.status.raw.eq_ignore_ascii_case("cancelled") {
                    Availability::Unavailable("order is already cancelled".into())
                } else {
                    Availability::Available
                }
            }
            ActionKind::Supplement | ActionKind::AddPayLink => {
                Availability::Unavailable("not offered by this carrier".into())
            }
        }
    }

    fn form(&self, order: &Order, action: ActionKind) -> Option<ActionForm> {
        if !self.availability(order, action).is_available() {
            return None;
        }
        let key = &order.key;
        let form = match action {
            ActionKind::Acknowledge => ActionForm {
                action,
                title: format!("Acknowledge {key}"),
                intro: vec![
                    "Sets status received: tells the network owner the order is read in."
                        .into(),
                ],
                fields: Vec::new(),
            },
            ActionKind::SetStatus => {
                let current = status_def(&order.status.raw).map(|d| d.raw);
                let options = STATUSES
                    .iter()
                    .map(|d| {
                        let mark = if Some(d.raw) == current { " (current)" } else { "" };
                        (d.raw.to_owned(), format!("{}: {}{mark}", d.raw, d.meaning))
                    })
                    .collect();
                ActionForm {
                    action,
                    title: format!("Set status of {key}"),
                    intro: vec![format!(
                        "Current status: {}. The portal logs the change on the order.",
                        sanitize(&order.status.raw)
                    )],
                    fields: vec![FieldSpec::choice(
                        "status",
                        "Status",
                        options,
                        current.unwrap_or("new"),
                    )],
                }
            }
            ActionKind::Cancel => ActionForm {
                action,
                title: format!("Cancel {key}"),
                intro: vec![
                    "Sets status cancelled: the order is cancelled for the network owner and the customer service.".into(),
                    "This cannot be undone.".into(),
                ],
                fields: Vec::new(),
            },
            ActionKind::AddMessage => ActionForm {
                action,
                title: format!("Add message to {key}"),
                intro: vec![
                    "Saves a log message on the order. The network owner may not watch these: flag the order for follow-up too.".into(),
                ],
                fields: vec![
                    FieldSpec::choice(
                        "type",
                        "Type",
                        MESSAGE_TYPES
                            .iter()
                            .map(|(t, m)| ((*t).to_owned(), format!("{t}: {m}")))
                            .collect(),
                        "log",
                    ),
                    FieldSpec::multiline("message", "Message").with_help(format!(
                        "Required; at most {MAX_MESSAGE_CHARS} characters."
                    )),
                ],
            },
            ActionKind::Supplement | ActionKind::AddPayLink => return None,
        };
        Some(form)
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
        let status_request = |status: &str, summary: String| {
            self.request(
                order,
                action,
                vec![("status".into(), status.into())],
                summary,
            )
        };
        match action {
            ActionKind::Acknowledge => Ok(status_request("received", "set status received".into())),
            ActionKind::Cancel => Ok(status_request("cancelled", "set status cancelled".into())),
            ActionKind::SetStatus => {
                let chosen = values.get("status").trim();
                let Some(def) = status_def(chosen) else {
                    return Err(vec![FieldError::at(
                        "status",
                        None,
                        format!("choose one of {}", STATUSES.map(|d| d.raw).join(", ")),
                    )]);
                };
                if def.raw.eq_ignore_ascii_case(order.status.raw.trim()) {
                    return Err(vec![FieldError::at(
                        "status",
                        None,
                        format!("the order is already {}; choose another status", def.raw),
                    )]);
                }
                Ok(status_request(def.raw, format!("set status {}", def.raw)))
            }
            ActionKind::AddMessage => {
                let mut errors = Vec::new();
                let kind = values.get("type").trim();
                let kind = MESSAGE_TYPES
                    .iter()
                    .find(|(t, _)| *t == kind)
                    .map(|(t, _)| *t);
                if kind.is_none() {
                    errors.push(FieldError::at(
                        "type",
                        None,
                        "choose one of error, alert, system, log",
                    ));
                }
                let message = sanitize_multiline(values.get("message")).trim().to_owned();
                let chars = message.chars().count();
                if message.is_empty() {
                    errors.push(FieldError::at("message", None, "the message is empty"));
                } else if chars > MAX_MESSAGE_CHARS {
                    errors.push(FieldError::at(
                        "message",
                        None,
                        format!("the message is {chars} characters; at most {MAX_MESSAGE_CHARS}"),
                    ));
                }
                match kind {
                    Some(kind) if errors.is_empty() => {
                        let first_line: String = message
                            .lines()
                            .next()
                            .unwrap_or_default()
                            .chars()
                            .take(40)
                            .collect();
                        let request = self.request(
                            order,
                            action,
                            vec![("type".into(), kind.into()), ("message".into(), message)],
                            format!("add {kind} message \"{first_line}\""),
                        );
                        // Counted in the order as held; the journal counts
                        // again in a fresh read just before sending.
                        Ok(self.rebase(order, &request))
                    }
                    _ => Err(errors),
                }
            }
            ActionKind::Supplement | ActionKind::AddPayLink => {
                Err(vec![FieldError::form("not offered by this carrier")])
            }
        }
    }

    fn confirmation(&self, order: &Order, request: &ActionRequest) -> ConfirmRule {
        let key = &order.key;
        match request.action {
            ActionKind::Cancel => ConfirmRule::TypeToConfirm {
                prompt: format!(
                    "Cancel {key}? This cannot be undone. Type the order id to confirm."
                ),
                expected: key.id.clone(),
            },
            ActionKind::SetStatus => {
                let current = sanitize(&order.status.raw);
                let target = request.param("status").unwrap_or_default();
                if target == "cancelled" {
                    ConfirmRule::TypeToConfirm {
                        prompt: format!(
                            "Cancel {key} (status {current} -> cancelled)? This cannot be undone. Type the order id to confirm."
                        ),
                        expected: key.id.clone(),
                    }
                } else if is_backwards(&current, target) {
                    ConfirmRule::YesNo(format!("Move {key} backwards from {current} to {target}?"))
                } else {
                    ConfirmRule::None
                }
            }
            _ => ConfirmRule::None,
        }
    }

    fn irreversible(&self, _order: &Order, request: &ActionRequest) -> bool {
        match request.action {
            ActionKind::Cancel => true,
            ActionKind::SetStatus => request.param("status") == Some("cancelled"),
            _ => false,
        }
    }

    fn needs_fresh_baseline(&self, request: &ActionRequest) -> bool {
        request.action == ActionKind::AddMessage
    }

    fn rebase(&self, fresh: &Order, request: &ActionRequest) -> ActionRequest {
        let mut request = request.clone();
        let kind = request.param("type").and_then(wire::log_kind);
        let text = request
            .param("message")
            .unwrap_or_default()
            .trim()
            .to_owned();
        if let Some(kind) = kind {
            let before = matching_lines(fresh, kind, &text).to_string();
            request.params.retain(|(name, _)| name != MATCHES_BEFORE);
            request.params.push((MATCHES_BEFORE.into(), before));
        }
        request
    }

    fn written_line(&self, request: &ActionRequest) -> Option<(LogKind, String)> {
        if request.action != ActionKind::AddMessage {
            return None;
        }
        let kind = request.param("type").and_then(wire::log_kind)?;
        let text = request.param("message")?.trim();
        Some((kind, text.to_owned()))
    }

    fn effect_visible(&self, order: &Order, request: &ActionRequest) -> bool {
        match request.action {
            ActionKind::Acknowledge | ActionKind::SetStatus | ActionKind::Cancel => request
                .param("status")
                .is_some_and(|s| order.status.raw.trim().eq_ignore_ascii_case(s)),
            ActionKind::AddMessage => {
                let kind = request.param("type").and_then(wire::log_kind);
                let text = request.param("message").unwrap_or_default().trim();
                // Entries journaled before the count existed: any line.
                let before: usize = request
                    .param(MATCHES_BEFORE)
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                kind.is_some_and(|kind| matching_lines(order, kind, text) > before)
            }
            ActionKind::Supplement | ActionKind::AddPayLink => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::statuses::status_of;
    use super::*;
    use crate::domain::{LogEntry, LogKind, OrderKey, Stamp};

    fn profile() -> TgProfile {
        TgProfile::new(
            Url::parse("https://portal.example/admin/edit/services/plain/orders").unwrap(),
            "1234",
        )
    }

    fn order(status: &str) -> Order {
        Order::new(
            OrderKey::new("tg", "19530"),
            super::super::KIND,
            status_of(status),
        )
    }

    fn now() -> DateTime<Utc> {
        DateTime::UNIX_EPOCH
    }

    #[test]
    fn availability_explains() {
        let p = profile();
        assert!(
            p.availability(&order("new"), ActionKind::Acknowledge)
                .is_available()
        );
        assert_eq!(
            p.availability(&order("active"), ActionKind::Acknowledge),
            Availability::Unavailable(
                "only new orders can be acknowledged; this one is active".into()
            )
        );
        assert_eq!(
            p.availability(&order("cancelled"), ActionKind::Cancel),
            Availability::Unavailable("order is already cancelled".into())
        );
        assert!(
            p.availability(&order("delivered"), ActionKind::SetStatus)
                .is_available()
        );
        assert_eq!(
            p.availability(&order("new"), ActionKind::AddPayLink),
            Availability::Unavailable("not offered by this carrier".into())
        );
        assert!(p.form(&order("new"), ActionKind::Supplement).is_none());
    }

    #[test]
    fn set_status_form_marks_current() {
        let form = profile()
            .form(&order("active"), ActionKind::SetStatus)
            .unwrap();
        let field = &form.fields[0];
        assert_eq!(field.initial, "active");
        let crate::domain::FieldInput::Choice { options } = &field.input else {
            panic!("choice expected");
        };
        assert_eq!(options.len(), 6);
        assert_eq!(options[2].1, "active: order is being handeled (current)");
        assert!(!options[0].1.contains("(current)"));
    }

    #[test]
    fn acknowledge_previews_the_exact_query() {
        let p = profile();
        let o = order("new");
        let req = p
            .validate(&o, ActionKind::Acknowledge, &FormValues::default(), now())
            .unwrap();
        assert_eq!(
            req.params,
            vec![("status".to_owned(), "received".to_owned())]
        );
        assert_eq!(req.summary, "set status received");
        assert_eq!(
            req.preview.as_deref(),
            Some("method=set_status&api_user=1234&id=19530&status=received")
        );
        assert_eq!(p.confirmation(&o, &req), ConfirmRule::None);
    }

    #[test]
    fn add_message_rules() {
        let p = profile();
        let o = order("active");
        let mut v = FormValues::default();
        v.set("type", "alert");
        v.set("message", "  \n\t ");
        let errs = p
            .validate(&o, ActionKind::AddMessage, &v, now())
            .unwrap_err();
        assert_eq!(errs[0].field, Some("message"));
        v.set("message", "Port finns ej\u{1b}[2J\nring kunden");
        let req = p.validate(&o, ActionKind::AddMessage, &v, now()).unwrap();
        assert_eq!(req.param("message"), Some("Port finns ej\nring kunden"));
        assert_eq!(
            req.preview.as_deref(),
            Some(
                "method=add_message&api_user=1234&id=19530&message=Port+finns+ej%0Aring+kunden&type=alert"
            )
        );
        v.set("message", "å".repeat(MAX_MESSAGE_CHARS + 1));
        assert!(p.validate(&o, ActionKind::AddMessage, &v, now()).is_err());
        v.set("type", "shout");
        v.set("message", "x");
        let errs = p
            .validate(&o, ActionKind::AddMessage, &v, now())
            .unwrap_err();
        assert_eq!(errs[0].field, Some("type"));
    }

    #[test]
    fn confirmations() {
        let p = profile();
        let mut v = FormValues::default();
        let o = order("delivered");
        v.set("status", "new");
        let req = p.validate(&o, ActionKind::SetStatus, &v, now()).unwrap();
        assert_eq!(
            p.confirmation(&o, &req),
            ConfirmRule::YesNo("Move tg/19530 backwards from delivered to new?".into())
        );
        let o = order("received");
        v.set("status", "active");
        let req = p.validate(&o, ActionKind::SetStatus, &v, now()).unwrap();
        assert_eq!(p.confirmation(&o, &req), ConfirmRule::None);
        v.set("status", "cancelled");
        let req = p.validate(&o, ActionKind::SetStatus, &v, now()).unwrap();
        assert!(
            matches!(p.confirmation(&o, &req), ConfirmRule::TypeToConfirm { prompt, expected } if prompt.contains("received -> cancelled") && expected == "19530")
        );
        assert!(
            p.irreversible(&o, &req),
            "set status cancelled cannot be undone"
        );
        v.set("status", "received");
        assert_eq!(
            p.validate(&o, ActionKind::SetStatus, &v, now())
                .unwrap_err()[0]
                .field,
            Some("status")
        );
        let req = p
            .validate(&o, ActionKind::Cancel, &FormValues::default(), now())
            .unwrap();
        assert_eq!(
            p.confirmation(&o, &req),
            ConfirmRule::TypeToConfirm {
                prompt: "Cancel tg/19530? This cannot be undone. Type the order id to confirm."
                    .into(),
                expected: "19530".into()
            }
        );
    }

    #[test]
    fn effects_are_seen_in_reread_orders() {
        let p = profile();
        let before = order("new");
        let req = p
            .validate(
                &before,
                ActionKind::Acknowledge,
                &FormValues::default(),
                now(),
            )
            .unwrap();
        assert!(!p.effect_visible(&before, &req));
        assert!(p.effect_visible(&order("received"), &req));
        let mut v = FormValues::default();
        v.set("type", "error");
        v.set("message", "Port finns ej");
        let req = p
            .validate(&before, ActionKind::AddMessage, &v, now())
            .unwrap();
        let mut after = before.clone();
        after.log.push(LogEntry {
            at: Stamp::default(),
            kind: LogKind::Log,
            source: "portal".into(),
            text: "Port finns ej".into(),
        });
        assert!(!p.effect_visible(&after, &req), "wrong kind");
        after.log[0].kind = LogKind::Error;
        assert!(p.effect_visible(&after, &req));
    }

    #[test]
    fn a_routine_text_already_in_the_log_does_not_confirm_a_lost_send() {
        let p = profile();
        let line = |text: &str| LogEntry {
            at: Stamp::default(),
            kind: LogKind::Log,
            source: "portal".into(),
            text: text.into(),
        };
        let mut before = order("active");
        before.log.push(line("Kunden kontaktad"));
        before.log.push(line("other"));
        let mut v = FormValues::default();
        v.set("type", "log");
        v.set("message", "Kunden kontaktad");
        let req = p
            .validate(&before, ActionKind::AddMessage, &v, now())
            .unwrap();
        assert_eq!(req.param(MATCHES_BEFORE), Some("1"));
        // The count stays local: not on the wire, not in the preview.
        assert_eq!(
            wire_params(&req.params),
            [
                ("message".to_owned(), "Kunden kontaktad".to_owned()),
                ("type".to_owned(), "log".to_owned())
            ]
        );
        assert!(
            !req.preview
                .as_deref()
                .unwrap_or_default()
                .contains(MATCHES_BEFORE)
        );
        // The re-read shows only the old line: not applied.
        assert!(!p.effect_visible(&before, &req));
        let mut after = before.clone();
        after.log.push(line("Kunden kontaktad"));
        assert!(p.effect_visible(&after, &req));
        // Re-based on a fresher read that already has the second line, it
        // takes a third one.
        assert!(p.needs_fresh_baseline(&req));
        let rebased = p.rebase(&after, &req);
        assert_eq!(rebased.param(MATCHES_BEFORE), Some("2"));
        assert_eq!(rebased.params.len(), req.params.len());
        assert!(!p.effect_visible(&after, &rebased));
    }
}
