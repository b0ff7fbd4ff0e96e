//! The PartnerNotification webhook payload (`PUT /voice/notifications` on the
//! customer's server): parsed into the same [`Notification`] values as
//! `GET notifications`, so it yields the same log entries.
//!
//! The document's sample is not well-formed XML, and real payloads copied from
//! it will not be either, so the text is repaired before parsing:
//! - a `<!` declaration that is not a real comment, CDATA or DOCTYPE (the
//!   sample's `<!—Only for PON Level Notification à`, whose `--` and `-->`
//!   were mangled into an em dash and `à`) is dropped up to its `>` or up to
//!   the next `<`, whichever comes first; an unterminated `<!--` likewise;
//! - whitespace inside tag delimiters is removed (`</ orderNumber >` becomes
//!   `</orderNumber>`).
//!
//! The payload has no time; the caller passes when it was received.
//! `voiceOrderStatus` gives one notification without a rate center, each
//! `rateCenterOrderStatus` one with its rate center and state.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;

use super::notify;
use super::wire::Notification;
use crate::carriers::CarrierError;
use crate::domain::{LogEntry, sanitize};

/// A parsed PartnerNotification. Text is trimmed and sanitized.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartnerNotification {
    pub order_number: Option<String>,
    pub customer_number: Option<String>,
    pub customer_name: Option<String>,
    /// Voice order level first, then each rate center; `created_date` unset.
    pub notifications: Vec<Notification>,
}

impl PartnerNotification {
    /// The log entries, stamped with the time the payload was received.
    pub fn log_entries(&self, received: DateTime<Utc>) -> Vec<LogEntry> {
        let stamp = received.to_rfc3339_opts(SecondsFormat::Secs, true);
        self.notifications
            .iter()
            .map(|n| {
                let mut n = n.clone();
                n.created_date.get_or_insert_with(|| stamp.clone());
                notify::log_entry(&n)
            })
            .collect()
    }
}

#[derive(Deserialize, Default)]
struct RawNotification {
    #[serde(rename = "orderNumber", default)]
    order_number: Option<String>,
    #[serde(rename = "customerNumber", default)]
    customer_number: Option<String>,
    #[serde(rename = "customerName", default)]
    customer_name: Option<String>,
    #[serde(rename = "voiceOrderStatus", default)]
    voice_order_status: Vec<RawStatus>,
    #[serde(rename = "rateCenterOrderStatus", default)]
    rate_center_order_status: Vec<RawStatus>,
}

#[derive(Deserialize, Default)]
struct RawStatus {
    #[serde(rename = "rateCenter", default)]
    rate_center: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(rename = "notificationCode", default)]
    notification_code: Option<String>,
    #[serde(rename = "notificationMessage", default)]
    notification_message: Option<String>,
}

fn clean(s: Option<String>) -> Option<String> {
    s.map(|s| sanitize(s.trim())).filter(|s| !s.is_empty())
}

/// Parses a PartnerNotification payload (see the module docs for what is
/// repaired). Status blocks without a code are skipped.
pub fn parse_partner_notification(xml: &str) -> Result<PartnerNotification, CarrierError> {
    let repaired = repair(xml);
    let raw: RawNotification = quick_xml::de::from_str(&repaired).map_err(|e| {
        CarrierError::protocol(
            format!("PartnerNotification is not readable XML ({e})"),
            xml.as_bytes(),
        )
    })?;
    let order_number = clean(raw.order_number);
    let to_notification = |s: RawStatus| {
        Some(Notification {
            voice_order_id: order_number.clone(),
            code: clean(s.notification_code)?,
            message: clean(s.notification_message),
            created_date: None,
            rate_center: clean(s.rate_center),
            state: clean(s.state),
        })
    };
    let notifications = raw
        .voice_order_status
        .into_iter()
        .chain(raw.rate_center_order_status)
        .filter_map(to_notification)
        .collect();
    Ok(PartnerNotification {
        order_number: order_number.clone(),
        customer_number: clean(raw.customer_number),
        customer_name: clean(raw.customer_name),
        notifications,
    })
}

/// Repairs the defects the document's sample has (module docs).
pub fn repair(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let (keep, consumed) = if tail.starts_with("<!--") {
            match tail.find("-->") {
                Some(end) => (None, end + 3),
                None => (None, skip_broken(tail)),
            }
        } else if tail.starts_with("<![CDATA[") {
            let end = tail.find("]]>").map(|e| e + 3).unwrap_or(tail.len());
            (Some(tail[..end].to_owned()), end)
        } else if tail.starts_with("<!DOCTYPE") || tail.starts_with("<?") {
            let end = tail.find('>').map(|e| e + 1).unwrap_or(tail.len());
            (Some(tail[..end].to_owned()), end)
        } else if tail.starts_with("<!") {
            (None, skip_broken(tail))
        } else {
            let end = tail[1..]
                .find(['>', '<'])
                .map(|e| e + 1)
                .filter(|&e| tail[e..].starts_with('>'))
                .map(|e| e + 1);
            match end {
                Some(end) => (Some(normalize_tag(&tail[..end])), end),
                // A `<` that opens no tag: keep it escaped as text.
                None => (Some("&lt;".to_owned()), 1),
            }
        };
        if let Some(keep) = keep {
            out.push_str(&keep);
        }
        rest = &tail[consumed..];
    }
    out.push_str(rest);
    out
}

/// Length of a broken `<!...` declaration: through its `>`, or up to (not
/// including) the next `<`, or the rest of the text.
fn skip_broken(tail: &str) -> usize {
    let body = &tail[1..];
    match body.find(['>', '<']) {
        Some(i) if body[i..].starts_with('>') => i + 2,
        Some(i) => i + 1,
        None => tail.len(),
    }
}

/// `< / name  attr="v" >` -> `</name attr="v">`.
fn normalize_tag(tag: &str) -> String {
    let inner = tag[1..tag.len() - 1].trim();
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, inner),
    };
    let (self_closing, inner) = match inner.strip_suffix('/') {
        Some(rest) if !closing => (true, rest.trim_end()),
        _ => (false, inner),
    };
    format!(
        "<{}{}{}>",
        if closing { "/" } else { "" },
        inner,
        if self_closing { "/" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_spaced_tags_and_broken_comments() {
        assert_eq!(repair("<a>x</ a >"), "<a>x</a>");
        assert_eq!(repair("<a/ >"), "<a/>");
        assert_eq!(repair("<!—broken à\n<b>1</b>"), "<b>1</b>");
        assert_eq!(repair("<!-- fine --><b/>"), "<b/>");
        assert_eq!(repair("<!-- never closed\n<b/>"), "<b/>");
        assert_eq!(repair("a < b"), "a &lt; b");
    }

    #[test]
    fn well_formed_payload_with_two_rate_centers() {
        let xml = r#"<PartnerNotification><orderNumber>123</orderNumber>
<voiceOrderStatus><notificationCode>903</notificationCode></voiceOrderStatus>
<rateCenterOrderStatus><rateCenter>DENVER</rateCenter><state>CO</state><notificationCode>1302</notificationCode></rateCenterOrderStatus>
<rateCenterOrderStatus><rateCenter>BOULDER</rateCenter><state>CO</state><notificationCode>1304</notificationCode></rateCenterOrderStatus>
</PartnerNotification>"#;
        let p = parse_partner_notification(xml).expect("parses");
        let codes: Vec<_> = p.notifications.iter().map(|n| n.code.as_str()).collect();
        assert_eq!(codes, ["903", "1302", "1304"]);
        assert_eq!(p.notifications[2].rate_center.as_deref(), Some("BOULDER"));
    }

    #[test]
    fn garbage_does_not_panic() {
        for xml in [
            "",
            "<<<>>>",
            "<PartnerNotification><voiceOrderStatus>",
            "<a></b>",
            "<",
        ] {
            let _ = parse_partner_notification(xml);
        }
        assert!(parse_partner_notification("<a></b>").is_err());
    }
}
