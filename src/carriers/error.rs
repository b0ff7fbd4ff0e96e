//! The one error type every carrier adapter returns: the carrier's own code and
//! message where it gave one, and a category the console acts on.

use std::time::Duration;

/// How a transport failure's message starts: no connection, or it broke
/// before any answer (see [`CarrierError::reached`]).
pub const NO_ANSWER: &str = "no answer: ";
/// How the message of an answer that broke off part-way starts.
pub const CUT_OFF: &str = "answer cut off: ";

/// What went wrong talking to a carrier. `Display` is a short sentence fit for
/// a status line; it never contains secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CarrierError {
    /// Credentials refused or token could not be obtained.
    #[error("auth failed: {message}")]
    Auth {
        code: Option<String>,
        message: String,
    },
    /// 429; `retry_after` from the carrier's `Retry-After` when given.
    #[error("rate limited{}", retry_after.map(|d| format!(" (retry in {}s)", d.as_secs())).unwrap_or_default())]
    RateLimited { retry_after: Option<Duration> },
    /// 5xx, connection refused, DNS, a connection dropped with no (complete)
    /// answer: the carrier is not answering properly. `sent` is false only
    /// when the request certainly never left (the connection could not be
    /// made): for a write, `sent: true` makes its outcome unknown.
    #[error("unavailable: {message}")]
    Unavailable {
        code: Option<String>,
        message: String,
        retry_after: Option<Duration>,
        sent: bool,
    },
    /// No (complete) answer in time. The request may have reached the
    /// carrier: for a write its outcome is unknown.
    #[error("timed out: {0}")]
    Timeout(String),
    /// The carrier understood and said no.
    #[error("refused: {code} {message}")]
    Rejected { code: String, message: String },
    #[error("not found: {0}")]
    NotFound(String),
    /// The answer could not be understood: what, and a short excerpt of it.
    #[error("bad response: {what}{}", if excerpt.is_empty() { String::new() } else { format!(" near {excerpt:?}") })]
    Protocol { what: String, excerpt: String },
    /// Our side: configuration or a request we refuse to make.
    #[error("{0}")]
    Local(String),
}

impl CarrierError {
    /// The same error with `clean` applied to every text it carries (the
    /// carrier's words), e.g. to redact credentials it echoed.
    pub fn map_text(self, clean: impl Fn(&str) -> String) -> CarrierError {
        match self {
            CarrierError::Auth { code, message } => CarrierError::Auth {
                code: code.map(|c| clean(&c)),
                message: clean(&message),
            },
            CarrierError::Unavailable {
                code,
                message,
                retry_after,
                sent,
            } => CarrierError::Unavailable {
                code: code.map(|c| clean(&c)),
                message: clean(&message),
                retry_after,
                sent,
            },
            CarrierError::Timeout(m) => CarrierError::Timeout(clean(&m)),
            CarrierError::Rejected { code, message } => CarrierError::Rejected {
                code: clean(&code),
                message: clean(&message),
            },
            CarrierError::NotFound(m) => CarrierError::NotFound(clean(&m)),
            CarrierError::Protocol { what, excerpt } => CarrierError::Protocol {
                what: clean(&what),
                excerpt: clean(&excerpt),
            },
            CarrierError::Local(m) => CarrierError::Local(clean(&m)),
            limited @ CarrierError::RateLimited { .. } => limited,
        }
    }

    /// Category name for chips, logs and JSON.
    pub fn category(&self) -> &'static str {
        match self {
            CarrierError::Auth { .. } => "auth",
            CarrierError::RateLimited { .. } => "rate-limited",
            CarrierError::Unavailable { .. } => "unavailable",
            CarrierError::Timeout(_) => "timeout",
            CarrierError::Rejected { .. } => "rejected",
            CarrierError::NotFound(_) => "not-found",
            CarrierError::Protocol { .. } => "protocol",
            CarrierError::Local(_) => "local",
        }
    }

    /// Whether a read may be tried again after a pause.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            CarrierError::RateLimited { .. }
                | CarrierError::Unavailable { .. }
                | CarrierError::Timeout(_)
        )
    }

    /// How long the carrier asked us to wait, if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            CarrierError::RateLimited { retry_after }
            | CarrierError::Unavailable { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Whether the carrier answered at all (an HTTP answer, a 5xx or one we
    /// could not read included), as opposed to a timeout or a transport
    /// failure: a refused or dropped connection, DNS, TLS, an answer cut off
    /// (the HTTP layer starts those messages with [`NO_ANSWER`] or
    /// [`CUT_OFF`]). Decides "could not reach" against "answered" on screen.
    pub fn reached(&self) -> bool {
        match self {
            CarrierError::Timeout(_) | CarrierError::Local(_) => false,
            CarrierError::Unavailable { message, .. } => {
                !(message.starts_with(NO_ANSWER) || message.starts_with(CUT_OFF))
            }
            _ => true,
        }
    }

    /// For writes: whether the request may have reached the carrier, so its
    /// effect is unknown until the order is re-read.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            CarrierError::Timeout(_) => true,
            CarrierError::Unavailable { sent, .. } => *sent,
            CarrierError::Protocol { .. } => true,
            _ => false,
        }
    }

    /// A protocol error with an excerpt of at most 80 characters of the body,
    /// sanitized so it can be shown.
    pub fn protocol(what: impl Into<String>, body: &[u8]) -> Self {
        let text = String::from_utf8_lossy(&body[..body.len().min(240)]);
        let mut excerpt: String = crate::domain::sanitize(text.trim())
            .chars()
            .take(80)
            .collect();
        if body.len() > 240 || excerpt.chars().count() == 80 {
            excerpt.push('…');
        }
        CarrierError::Protocol {
            what: what.into(),
            excerpt,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reached_tells_transport_failures_from_answers() {
        let down = |message: String| CarrierError::Unavailable {
            code: None,
            message,
            retry_after: None,
            sent: false,
        };
        assert!(!down(format!("{NO_ANSWER}Connection refused")).reached());
        assert!(!down(format!("{CUT_OFF}connection reset")).reached());
        assert!(!CarrierError::Timeout("orders".into()).reached());
        assert!(down("HTTP 503 Service Unavailable".into()).reached());
        let refused = CarrierError::Rejected {
            code: "20005".into(),
            message: "no".into(),
        };
        assert!(refused.reached());
    }

    #[test]
    fn display_is_short_and_categorised() {
        let e = CarrierError::Rejected {
            code: "20068".into(),
            message: "too soon".into(),
        };
        assert_eq!(e.to_string(), "refused: 20068 too soon");
        assert_eq!(e.category(), "rejected");
        let e = CarrierError::RateLimited {
            retry_after: Some(Duration::from_secs(7)),
        };
        assert_eq!(e.to_string(), "rate limited (retry in 7s)");
        assert!(e.is_transient());
    }

    #[test]
    fn protocol_excerpt_is_sanitized_and_short() {
        let body = format!("<orders>\u{1b}]0;x\u{7}{}", "a".repeat(500));
        let CarrierError::Protocol { excerpt, .. } =
            CarrierError::protocol("bad xml", body.as_bytes())
        else {
            panic!("expected protocol error");
        };
        assert!(!excerpt.contains('\u{1b}'));
        assert!(excerpt.chars().count() <= 81);
    }
}
