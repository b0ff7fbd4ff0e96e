//! Voice notifications as log entries and attention reasons. One function
//! turns a notification (from `GET notifications` or from a PartnerNotification
//! webhook) into a [`LogEntry`], so both sources give identical entries.
//!
//! Log text: `<code> <the document's message for the code>`, then
//! ` · rate center <name> <state>` when given, then ` · carrier: <message>`
//! when the carrier's own message differs from the document's (it may fill
//! in the document's placeholders). Codes the document does not list use the
//! carrier's message. Source is [`SOURCE`]; kind is `Notification`.
//!
//! Attention: every notification whose code is in [`codes::ATTENTION`]
//! (newest occurrence per code), except a 10001 backorder question followed
//! by a later backorder outcome (10004, 10005, 10009, 10010, 10013, 1921):
//! that question is closed.

use crate::domain::{Attention, LogEntry, LogKind, Stamp, sanitize};

use super::codes;
use super::wire::{Notification, parse_time};

/// `LogEntry::source` of carrier notifications.
pub const SOURCE: &str = "Lumen";

/// Codes that close an open 10001 backorder question.
const BACKORDER_OUTCOMES: &[&str] = &["10004", "10005", "10009", "10010", "10013", "1921"];

/// The log entry for one notification.
pub fn log_entry(n: &Notification) -> LogEntry {
    let code = sanitize(n.code.trim());
    let carrier = n
        .message
        .as_deref()
        .map(|m| sanitize(m.trim()))
        .filter(|m| !m.is_empty());
    let mut text = match codes::notification_message(&code) {
        Some(doc) => format!("{code} {doc}"),
        None => format!("{code} {}", carrier.as_deref().unwrap_or("(no message)")),
    };
    let place = [n.rate_center.as_deref(), n.state.as_deref()]
        .into_iter()
        .flatten()
        .map(|s| sanitize(s.trim()))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if !place.is_empty() {
        text.push_str(" · rate center ");
        text.push_str(&place);
    }
    if let (Some(doc), Some(carrier)) = (codes::notification_message(&code), &carrier) {
        if doc != carrier {
            text.push_str(" · carrier: ");
            text.push_str(carrier);
        }
    }
    let raw = n
        .created_date
        .as_deref()
        .map(|d| sanitize(d.trim()))
        .unwrap_or_default();
    let at = parse_time(&raw);
    LogEntry {
        at: Stamp::new(raw, at),
        kind: LogKind::Notification,
        source: SOURCE.into(),
        text,
    }
}

/// Log entries for notifications, oldest first (undated ones keep their
/// place at the end, in the carrier's order).
pub fn log_entries(list: &[Notification]) -> Vec<LogEntry> {
    let mut entries: Vec<LogEntry> = list.iter().map(log_entry).collect();
    entries.sort_by_key(|e| (e.at.at.is_none(), e.at.at));
    entries
}

/// The code of a notification log entry (its first word).
pub fn entry_code(entry: &LogEntry) -> Option<&str> {
    (entry.source == SOURCE)
        .then(|| entry.text.split_whitespace().next())
        .flatten()
}

/// Attention reasons from an order's notifications (see the module docs).
pub fn attention(list: &[Notification]) -> Vec<Attention> {
    // Position in time order: parsed time, else the carrier's order.
    let mut ordered: Vec<(usize, &Notification)> = list.iter().enumerate().collect();
    ordered.sort_by_key(|(i, n)| {
        (
            n.created_date.as_deref().and_then(parse_time).is_none(),
            n.created_date.as_deref().and_then(parse_time),
            *i,
        )
    });
    let mut out: Vec<Attention> = Vec::new();
    for (pos, (_, n)) in ordered.iter().enumerate().rev() {
        let code = n.code.trim();
        let Some(reason) = codes::attention_reason(code) else {
            continue;
        };
        let key = format!("notification:{code}");
        if out.iter().any(|a| a.code == key) {
            continue;
        }
        if code == "10001"
            && ordered[pos + 1..]
                .iter()
                .any(|(_, later)| BACKORDER_OUTCOMES.contains(&later.code.trim()))
        {
            continue;
        }
        let doc = codes::notification_message(code).unwrap_or_default();
        let place = n
            .rate_center
            .as_deref()
            .map(|rc| format!(" ({})", sanitize(rc.trim())))
            .unwrap_or_default();
        out.push(Attention::new(
            key,
            format!("{code} {reason}{place}: {doc}"),
        ));
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(code: &str, date: &str) -> Notification {
        Notification {
            code: code.into(),
            created_date: Some(date.into()),
            ..Default::default()
        }
    }

    #[test]
    fn entry_uses_document_text_and_rate_center() {
        let mut x = n("903", "2026-11-20T10:00:00Z");
        x.rate_center = Some("DENVER".into());
        x.state = Some("CO".into());
        x.message = Some("LNP (porting) order FOC (Firm Order Commitment) is scheduled. Please see FOC data provided.".into());
        let e = log_entry(&x);
        assert_eq!(
            e.text,
            "903 LNP (porting) order FOC (Firm Order Commitment) is scheduled. Please see FOC data provided. · rate center DENVER CO"
        );
        assert_eq!(e.kind, LogKind::Notification);
        assert!(e.at.at.is_some());
        assert_eq!(entry_code(&e), Some("903"));
    }

    #[test]
    fn differing_and_unknown_messages_are_kept() {
        let mut x = n("10001", "2026-11-20T10:00:00Z");
        x.message = Some("Requested amount exceeds the 12 telephone numbers available.".into());
        assert!(
            log_entry(&x).text.ends_with(
                " · carrier: Requested amount exceeds the 12 telephone numbers available."
            )
        );
        let mut y = n("77777", "garbage date");
        y.message = Some("Something \u{1b}[31mnew".into());
        let e = log_entry(&y);
        assert_eq!(e.text, "77777 Something new");
        assert_eq!(e.at.at, None);
        assert_eq!(e.at.raw, "garbage date");
    }

    #[test]
    fn attention_codes_and_closed_backorder_questions() {
        let list = [
            n("901", "2026-11-01T00:00:00Z"),
            n("10001", "2026-11-02T00:00:00Z"),
            n("1807", "2026-11-03T00:00:00Z"),
        ];
        let codes: Vec<_> = attention(&list).into_iter().map(|a| a.code).collect();
        assert_eq!(codes, ["notification:10001", "notification:1807"]);
        let closed = [
            n("10001", "2026-11-02T00:00:00Z"),
            n("10013", "2026-11-03T00:00:00Z"),
        ];
        let codes: Vec<_> = attention(&closed).into_iter().map(|a| a.code).collect();
        assert_eq!(codes, ["notification:10013"]);
        assert!(attention(&[n("902", "2026-11-02T00:00:00Z")]).is_empty());
    }
}
