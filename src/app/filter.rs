//! The filter bar's language, parsed once per keystroke into [`Filter`]:
//! whitespace-separated terms that must all match (case-insensitive
//! substrings of the order's visible text, or, found by the store's
//! full-text index a moment later, word prefixes anywhere in the full order:
//! log lines, items, fields; see `search`) plus `carrier:` `stage:` `status:`
//! `kind:` `source:` `flag:` tokens. A value may be quoted (`status:"in progress"`).
//! `flag:` alone or `flag:yes` keeps orders with a local follow-up flag,
//! `flag:no` those without; `source:phone` keeps orders whose source system
//! (`OrderSummary::source`, e.g. a PX order's API/UI/Phone) is `phone`, and
//! never an order whose kind names no source; plain text does not search note text (notes are
//! not part of the precomputed haystack, and searching them per keystroke
//! over 100k orders would cost a map lookup per order).
//!
//! Choices: token values compare whole (case-insensitive), not as substrings,
//! so `carrier:tg` does not also match `tg2`. A word with an unknown prefix
//! (`12:39`, `http://...`) is plain text. An unknown stage matches nothing and
//! the bar says why. Time-dependent text (ages) is not searchable, so a filter
//! result only changes when data, filter or view change.

use crate::domain::{OrderSummary, Stage};

/// The shortest word the filter looks up in the store's full-text index.
pub const FULL_TEXT_MIN: usize = 3;

/// One condition of a filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// Lowercase substring of the order's haystack.
    Text(String),
    Carrier(String),
    Stage(Option<Stage>),
    Status(String),
    Kind(String),
    /// The order's source system (`source:phone`); orders without one never
    /// match.
    Source(String),
    /// Local follow-up flag set (`true`) or not; `None` = unknown value,
    /// matches nothing.
    Flag(Option<bool>),
}

/// A parsed filter: every term must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub terms: Vec<Term>,
    /// What the user should know about the text (an unknown stage).
    pub problems: Vec<String>,
}

impl Filter {
    pub fn parse(text: &str) -> Filter {
        let mut filter = Filter::default();
        for word in split_words(text) {
            let term = match word.split_once(':') {
                Some((prefix, "")) if prefix.eq_ignore_ascii_case("flag") => Term::Flag(Some(true)),
                Some((prefix, value)) if !value.is_empty() => {
                    match prefix.to_lowercase().as_str() {
                        "carrier" => Term::Carrier(value.to_lowercase()),
                        "status" => Term::Status(value.to_lowercase()),
                        "kind" => Term::Kind(value.to_lowercase()),
                        "source" => Term::Source(value.to_lowercase()),
                        "flag" => {
                            let flag = parse_flag(value);
                            if flag.is_none() {
                                filter.problems.push(format!("flag {value:?}? yes no"));
                            }
                            Term::Flag(flag)
                        }
                        "stage" => {
                            let stage = parse_stage(value);
                            if stage.is_none() {
                                filter.problems.push(format!(
                                    "stage {value:?}? new progress attention done closed"
                                ));
                            }
                            Term::Stage(stage)
                        }
                        _ => Term::Text(word.to_lowercase()),
                    }
                }
                _ => Term::Text(word.to_lowercase()),
            };
            if !filter.terms.contains(&term) {
                filter.terms.push(term);
            }
        }
        filter
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether every order matching `self` also matches `older`, so the
    /// previous result can be narrowed instead of scanning every order.
    pub fn narrows(&self, older: &Filter) -> bool {
        older.terms.iter().all(|old| {
            self.terms.iter().any(|new| match (old, new) {
                (Term::Text(o), Term::Text(n)) => n.contains(o.as_str()),
                (o, n) => o == n,
            })
        })
    }

    /// The plain words, space-separated, for the store's full-text index;
    /// empty when there are none, or when one of them is not a word the
    /// index can look up on its own: shorter than [`FULL_TEXT_MIN`]
    /// characters (a prefix that broad would bring half the orders) or with
    /// anything but letters and digits (`tg/19`, `12:39` are the table's
    /// text, and the index would split them into looser words).
    pub fn text_words(&self) -> String {
        let mut words: Vec<&str> = Vec::new();
        for term in &self.terms {
            if let Term::Text(t) = term {
                let searchable =
                    t.chars().count() >= FULL_TEXT_MIN && t.chars().all(char::is_alphanumeric);
                if !searchable {
                    return String::new();
                }
                words.push(t);
            }
        }
        words.join(" ")
    }

    /// Whether `subject` matches. Only the parts a term needs are read
    /// (a text-only filter touches nothing but the haystack). The plain
    /// words match the table's text, or, all of them at once, the full
    /// order's text as the store's index found it.
    pub fn matches(&self, subject: &impl Subject) -> bool {
        let text_ok = || {
            self.terms.iter().all(|term| match term {
                Term::Text(t) => subject.haystack().contains(t.as_str()),
                _ => true,
            }) || subject.full_text_match()
        };
        self.terms.iter().all(|term| match term {
            Term::Text(_) => true,
            Term::Carrier(c) => eq_lower(subject.carrier(), c),
            Term::Stage(s) => Some(subject.stage()) == *s,
            Term::Status(s) => subject.status_lower() == s,
            Term::Kind(k) => eq_lower(subject.kind(), k),
            Term::Source(w) => subject.source().is_some_and(|s| eq_lower(s, w)),
            Term::Flag(f) => Some(subject.flagged()) == *f,
        }) && text_ok()
    }
}

/// What a filter can ask about an order.
pub trait Subject {
    /// Lowercase searchable text (see [`haystack`]).
    fn haystack(&self) -> &str;
    fn stage(&self) -> Stage;
    /// Lowercase raw status.
    fn status_lower(&self) -> &str;
    fn carrier(&self) -> &str;
    fn kind(&self) -> &str;
    /// The order's source system, when its kind names one
    /// (`OrderSummary::source`).
    fn source(&self) -> Option<&str>;
    /// Whether the order has a local follow-up flag.
    fn flagged(&self) -> bool;
    /// Whether the store's full-text index found every plain word of the
    /// filter in the full order (log lines, items, fields).
    fn full_text_match(&self) -> bool {
        false
    }
}

fn eq_lower(text: &str, lower: &str) -> bool {
    if text.is_ascii() {
        text.eq_ignore_ascii_case(lower)
    } else {
        text.to_lowercase() == lower
    }
}

fn parse_stage(text: &str) -> Option<Stage> {
    match text.to_lowercase().as_str() {
        "progress" | "inprogress" => Some(Stage::InProgress),
        "attn" => Some(Stage::NeedsAttention),
        other => Stage::parse(other),
    }
}

fn parse_flag(text: &str) -> Option<bool> {
    match text.to_lowercase().as_str() {
        "yes" | "y" | "true" | "on" | "1" => Some(true),
        "no" | "n" | "false" | "off" | "0" => Some(false),
        _ => None,
    }
}

/// Splits on whitespace, keeping `"quoted parts"` (quotes removed) together.
fn split_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// The lowercase text a filter searches: everything the table shows that
/// does not depend on the clock. Fields are separated by `\n` so a term
/// cannot match across two columns.
#[cfg(test)]
pub fn haystack(order: &OrderSummary) -> Box<str> {
    haystack_with_parts(order).0
}

/// Where the sortable columns are in a haystack (byte ranges), so the sort
/// reads them there instead of keeping a second lowercase copy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HayParts {
    pub status: (u32, u32),
    pub customer: (u32, u32),
    pub service: (u32, u32),
}

/// [`haystack`], and where its status, customer and service are.
pub fn haystack_with_parts(order: &OrderSummary) -> (Box<str>, HayParts) {
    let schedule = order.schedule_text();
    let mut text = String::with_capacity(
        order.key.carrier.len()
            + order.key.id.len()
            + order.status.raw.len()
            + order.customer.len()
            + order.service.len()
            + schedule.len()
            + 40,
    );
    let mut push = |part: &str| -> (u32, u32) {
        let start = text.len();
        if part.is_ascii() {
            text.extend(part.chars().map(|c| c.to_ascii_lowercase()));
        } else {
            text.push_str(&part.to_lowercase());
        }
        let end = text.len();
        (
            u32::try_from(start).unwrap_or(u32::MAX),
            u32::try_from(end).unwrap_or(u32::MAX),
        )
    };
    push(&order.key.carrier);
    push("/");
    push(&order.key.id);
    push("\n");
    let status = push(&order.status.raw);
    push("\n");
    push(order.status.stage.label());
    push("\n");
    let customer = push(&order.customer);
    push("\n");
    let service = push(&order.service);
    push("\n");
    push(order.kind);
    push("\n");
    push(&schedule);
    let parts = HayParts {
        status,
        customer,
        service,
    };
    (text.into_boxed_str(), parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Order, OrderKey, OrderSummary, Status};

    /// An order with its haystack, as the store would present it.
    pub struct Plain<'a> {
        pub order: &'a Order,
        pub haystack: &'a str,
        pub status_lower: &'a str,
        pub flagged: bool,
    }

    impl Subject for Plain<'_> {
        fn haystack(&self) -> &str {
            self.haystack
        }
        fn stage(&self) -> Stage {
            self.order.status.stage
        }
        fn status_lower(&self) -> &str {
            self.status_lower
        }
        fn carrier(&self) -> &str {
            &self.order.key.carrier
        }
        fn kind(&self) -> &str {
            self.order.kind
        }
        fn source(&self) -> Option<&str> {
            self.order.field(crate::domain::SOURCE_FIELD)
        }
        fn flagged(&self) -> bool {
            self.flagged
        }
    }

    fn order() -> Order {
        let mut o = Order::new(
            OrderKey::new("tg", "19530"),
            "tjansteguiden",
            Status::new("waiting", Stage::NeedsAttention, false),
        );
        o.customer = "Åsa Öberg".into();
        o.service = "Fiber 250/100".into();
        o
    }

    #[test]
    fn terms_and_tokens() {
        let o = order();
        let h = haystack(&OrderSummary::of(&o));
        let subject = Plain {
            order: &o,
            haystack: &h,
            status_lower: "waiting",
            flagged: false,
        };
        let f = |text: &str| Filter::parse(text).matches(&subject);
        assert!(f("åsa"));
        assert!(f("ÅSA fiber"));
        assert!(!f("åsa kalle"));
        assert!(f("tg/195"));
        assert!(f("carrier:TG stage:attention"));
        assert!(f("stage:needs_attention status:waiting"));
        assert!(!f("carrier:t"));
        assert!(f("kind:tjansteguiden"));
        assert!(f("status:\"waiting\""));
        // A term does not match across columns.
        assert!(!f("öbergfiber"));
    }

    #[test]
    fn unknown_stage_is_reported_and_matches_nothing() {
        let f = Filter::parse("stage:bogus");
        assert_eq!(f.problems.len(), 1);
        let o = order();
        let h = haystack(&OrderSummary::of(&o));
        assert!(!f.matches(&Plain {
            order: &o,
            haystack: &h,
            status_lower: "waiting",
            flagged: false,
        }));
        assert_eq!(
            Filter::parse("stage:progress").terms,
            [Term::Stage(Some(Stage::InProgress))]
        );
    }

    #[test]
    fn source_token_matches_the_named_source_only() {
        let plain = order();
        let mut px = order();
        px.fields
            .push((crate::domain::SOURCE_FIELD.into(), "Phone".into()));
        let matches = |text: &str, o: &Order| {
            let h = haystack(&OrderSummary::of(o));
            Filter::parse(text).matches(&Plain {
                order: o,
                haystack: &h,
                status_lower: "waiting",
                flagged: false,
            })
        };
        assert!(matches("source:phone", &px));
        assert!(matches("SOURCE:Phone", &px));
        assert!(!matches("source:ui", &px));
        assert!(!matches("source:ph", &px), "whole values, not substrings");
        // A kind without a source never matches.
        assert!(!matches("source:phone", &plain));
        assert_eq!(
            Filter::parse("source:UI").terms,
            [Term::Source("ui".into())]
        );
        assert_eq!(
            OrderSummary::of(&px).source.as_deref(),
            Some("Phone"),
            "the summary carries the source"
        );
        assert_eq!(OrderSummary::of(&plain).source, None);
    }

    #[test]
    fn flag_token() {
        let o = order();
        let h = haystack(&OrderSummary::of(&o));
        let subject = |flagged| Plain {
            order: &o,
            haystack: &h,
            status_lower: "waiting",
            flagged,
        };
        for (text, flagged, expected) in [
            ("flag:", true, true),
            ("flag:", false, false),
            ("flag:yes", true, true),
            ("FLAG:Yes", false, false),
            ("flag:no", false, true),
            ("flag:no", true, false),
            ("flag:no åsa", false, true),
        ] {
            assert_eq!(
                Filter::parse(text).matches(&subject(flagged)),
                expected,
                "{text} flagged={flagged}"
            );
        }
        let bad = Filter::parse("flag:maybe");
        assert_eq!(bad.problems.len(), 1);
        assert!(!bad.matches(&subject(true)));
        assert!(!bad.matches(&subject(false)));
        assert!(!Filter::parse("flag:yes").narrows(&Filter::parse("flag:no")));
    }

    #[test]
    fn narrowing_is_sound() {
        assert!(Filter::parse("ber").narrows(&Filter::parse("be")));
        assert!(Filter::parse("be x").narrows(&Filter::parse("be")));
        assert!(Filter::parse("carrier:tg abc").narrows(&Filter::parse("carrier:tg ab")));
        assert!(!Filter::parse("carrier:tgx").narrows(&Filter::parse("carrier:tg")));
        assert!(!Filter::parse("stage:new").narrows(&Filter::parse("stage:n")));
        assert!(!Filter::parse("b").narrows(&Filter::parse("be")));
        assert!(Filter::parse("anything").narrows(&Filter::parse("")));
    }
}
