//! The filter bar's language, parsed once per keystroke into [`Filter`]:
//! whitespace-separated terms that must all match (case- and
//! accent-insensitive substrings of the order's visible text: `marta` finds
//! Märta, `asa` Åsa; or, found by the store's full-text index a moment
//! later, word prefixes anywhere in the full order: log lines, items,
//! carrier and customer fields such as email, phone and city; see `search`)
//! plus `carrier:` `stage:` `status:` `kind:` `source:` `flag:` tokens, each
//! negated by a leading `-` (`-status:waiting`; a `-` before plain text is
//! part of the text). A value may be quoted (`status:"in progress"`).
//! `flag:` alone or `flag:yes` keeps orders with a local follow-up flag,
//! `flag:no` those without; `source:phone` keeps orders whose source system
//! (`OrderSummary::source`, e.g. a PX order's API/UI/Phone) is `phone`, and
//! never an order whose kind names no source; plain text does not search note text (notes are
//! not part of the precomputed haystack, and searching them per keystroke
//! over 100k orders would cost a map lookup per order).
//!
//! Choices: token values compare whole (case-insensitive), not as substrings,
//! so `carrier:tg` does not also match `tg2`. A word with an unknown prefix
//! (`12:39`, `http://...`) is plain text. An unknown stage or flag value,
//! and (once [`Filter::hint_unknown`] is told the configured ones) an
//! unknown carrier or kind, matches nothing and the bar says why, naming
//! the valid values; so does a `status:` or `source:` value no held order
//! has ([`Filter::hint_unheld`], naming the held ones). Accents are folded ([`fold`]) for Latin-1 and Latin
//! Extended-A letters, the ones the store's index folds too; `æ`, `ø`, `ß`
//! are letters of their own there and here. Time-dependent text (ages) is not searchable, so a filter
//! result only changes when data, filter or view change.

use crate::domain::{OrderSummary, Stage};

/// Values named in a hint at most.
pub const HINTED: usize = 8;

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
    /// `-token:value`: orders the token does not match. Never holds text.
    Not(Box<Term>),
}

/// A parsed filter: every term must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub terms: Vec<Term>,
    /// What the user should know about the text (an unknown value).
    pub problems: Vec<String>,
}

/// The filter's prefixes.
const TOKENS: [&str; 6] = ["carrier", "stage", "status", "kind", "source", "flag"];

impl Filter {
    pub fn parse(text: &str) -> Filter {
        let mut filter = Filter::default();
        for word in split_words(text) {
            let negated = word
                .strip_prefix('-')
                .filter(|rest| is_token(rest))
                .and_then(|rest| filter.token(rest));
            let term = match negated {
                Some(term) => Term::Not(Box::new(term)),
                None => filter
                    .token(&word)
                    .unwrap_or_else(|| Term::Text(fold(&word))),
            };
            if !filter.terms.contains(&term) {
                filter.terms.push(term);
            }
        }
        filter
    }

    /// The token `word` is (`stage:new`), noting an unknown stage or flag
    /// value; `None` when it is plain text.
    fn token(&mut self, word: &str) -> Option<Term> {
        if !is_token(word) {
            return None;
        }
        let (prefix, value) = word.split_once(':')?;
        Some(match prefix.to_lowercase().as_str() {
            "flag" if value.is_empty() => Term::Flag(Some(true)),
            "carrier" => Term::Carrier(value.to_lowercase()),
            "status" => Term::Status(value.to_lowercase()),
            "kind" => Term::Kind(value.to_lowercase()),
            "source" => Term::Source(value.to_lowercase()),
            "flag" => {
                let flag = parse_flag(value);
                if flag.is_none() {
                    self.problems.push(format!("flag {value:?}? yes no"));
                }
                Term::Flag(flag)
            }
            "stage" => {
                let stage = parse_stage(value);
                if stage.is_none() {
                    self.problems
                        .push(format!("stage {value:?}? new progress stalled done closed"));
                }
                Term::Stage(stage)
            }
            _ => return None,
        })
    }

    /// Notes a `carrier:` or `kind:` value that is none of `carriers` or
    /// `kinds` (the configured ones), naming those; such a token matches
    /// nothing. Without any configured carrier, nothing is noted.
    pub fn hint_unknown(&mut self, carriers: &[&str], kinds: &[&str]) {
        if carriers.is_empty() {
            return;
        }
        let mut kinds = kinds.to_vec();
        kinds.sort_unstable();
        kinds.dedup();
        let mut problems = Vec::new();
        for term in &self.terms {
            let term = match term {
                Term::Not(inner) => inner,
                term => term,
            };
            let (what, value, known) = match term {
                Term::Carrier(c) => ("carrier", c, carriers),
                Term::Kind(k) => ("kind", k, kinds.as_slice()),
                _ => continue,
            };
            if !known.iter().any(|k| eq_lower(k, value)) {
                problems.push(format!("{what} {value:?}? {}", known.join(" ")));
            }
        }
        self.problems.extend(problems);
    }

    /// Notes a `status:` or `source:` value that no held order has,
    /// naming (up to [`HINTED`]) the ones held: `statuses` and `sources`
    /// are the held orders' values, lowercase.
    pub fn hint_unheld(&mut self, statuses: &[String], sources: &[String]) {
        let mut problems = Vec::new();
        for term in &self.terms {
            let term = match term {
                Term::Not(inner) => inner,
                term => term,
            };
            let (what, value, held) = match term {
                Term::Status(v) => ("status", v, statuses),
                Term::Source(v) => ("source", v, sources),
                _ => continue,
            };
            if held.is_empty() || held.contains(value) {
                continue;
            }
            let mut named: Vec<String> = held
                .iter()
                .take(HINTED)
                .map(|v| match v.contains(' ') {
                    true => format!("{v:?}"),
                    false => v.clone(),
                })
                .collect();
            if held.len() > HINTED {
                named.push("…".into());
            }
            problems.push(format!("{what} {value:?}? {}", named.join(" ")));
        }
        self.problems.extend(problems);
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
    /// index can look up on its own: one whose first run of letters and
    /// digits is shorter than [`FULL_TEXT_MIN`] characters (a prefix that
    /// broad would bring half the orders; `tg/19`, `12:39` are the table's
    /// text). A word with punctuation after such a run (an email address,
    /// `lars-göran`, `+46 70...`) is looked up as the phrase of its parts.
    pub fn text_words(&self) -> String {
        let mut words: Vec<&str> = Vec::new();
        for term in &self.terms {
            if let Term::Text(t) = term {
                let searchable = first_word_len(t) >= FULL_TEXT_MIN;
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
        self.terms.iter().all(|term| token_matches(term, subject)) && text_ok()
    }
}

/// Whether a token term matches (plain text is the caller's).
fn token_matches(term: &Term, subject: &impl Subject) -> bool {
    match term {
        Term::Text(_) => true,
        Term::Carrier(c) => eq_lower(subject.carrier(), c),
        Term::Stage(s) => Some(subject.stage()) == *s,
        Term::Status(s) => subject.status_lower() == s,
        Term::Kind(k) => eq_lower(subject.kind(), k),
        Term::Source(w) => subject.source().is_some_and(|s| eq_lower(s, w)),
        Term::Flag(f) => Some(subject.flagged()) == *f,
        Term::Not(inner) => !token_matches(inner, subject),
    }
}

/// Whether `word` is `prefix:value` with a known prefix (`flag:` alone too).
fn is_token(word: &str) -> bool {
    word.split_once(':').is_some_and(|(prefix, value)| {
        TOKENS.iter().any(|t| t.eq_ignore_ascii_case(prefix))
            && (!value.is_empty() || prefix.eq_ignore_ascii_case("flag"))
    })
}

/// Characters in the first run of letters and digits of `word`.
fn first_word_len(word: &str) -> usize {
    word.chars()
        .skip_while(|c| !c.is_alphanumeric())
        .take_while(|c| c.is_alphanumeric())
        .count()
}

/// Latin-1 Supplement and Latin Extended-A (U+00C0..U+017F), each letter
/// lowercased without its accent (as its canonical decomposition's base
/// letter); letters with no such base (`æ`, `ø`, `ß`, `ł`) and `×` `÷`
/// stay themselves.
const FOLD: [char; 192] = [
    'a', 'a', 'a', 'a', 'a', 'a', 'æ', 'c', 'e', 'e', 'e', 'e', 'i', 'i', 'i', 'i', 'ð', 'n', 'o',
    'o', 'o', 'o', 'o', '×', 'ø', 'u', 'u', 'u', 'u', 'y', 'þ', 'ß', 'a', 'a', 'a', 'a', 'a', 'a',
    'æ', 'c', 'e', 'e', 'e', 'e', 'i', 'i', 'i', 'i', 'ð', 'n', 'o', 'o', 'o', 'o', 'o', '÷', 'ø',
    'u', 'u', 'u', 'u', 'y', 'þ', 'y', 'a', 'a', 'a', 'a', 'a', 'a', 'c', 'c', 'c', 'c', 'c', 'c',
    'c', 'c', 'd', 'd', 'đ', 'đ', 'e', 'e', 'e', 'e', 'e', 'e', 'e', 'e', 'e', 'e', 'g', 'g', 'g',
    'g', 'g', 'g', 'g', 'g', 'h', 'h', 'ħ', 'ħ', 'i', 'i', 'i', 'i', 'i', 'i', 'i', 'i', 'i', 'ı',
    'ĳ', 'ĳ', 'j', 'j', 'k', 'k', 'ĸ', 'l', 'l', 'l', 'l', 'l', 'l', 'ŀ', 'ŀ', 'ł', 'ł', 'n', 'n',
    'n', 'n', 'n', 'n', 'ŉ', 'ŋ', 'ŋ', 'o', 'o', 'o', 'o', 'o', 'o', 'œ', 'œ', 'r', 'r', 'r', 'r',
    'r', 'r', 's', 's', 's', 's', 's', 's', 's', 's', 't', 't', 't', 't', 'ŧ', 'ŧ', 'u', 'u', 'u',
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'w', 'w', 'y', 'y', 'y', 'z', 'z', 'z', 'z', 'z',
    'z', 'ſ',
];

/// `text` lowercased with accents removed: `Märta` -> `marta`, `ÅSA` ->
/// `asa`; combining accents (U+0300..U+036F) are dropped.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if let Some(&f) = (c as usize).checked_sub(0xC0).and_then(|i| FOLD.get(i)) {
            out.push(f);
        } else if !('\u{300}'..='\u{36f}').contains(&c) {
            out.extend(c.to_lowercase());
        }
    }
    out
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
/// does not depend on the clock, then each column that has accents again
/// with them folded ([`fold`]). Fields are separated by `\n` so a term
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
    // Accents folded: each column with accents again, folded, after the
    // columns, so `marta` finds Märta while the sort reads the text as
    // written (and ASCII orders cost nothing more).
    let mut folded = String::new();
    let mut push = |part: &str| -> (u32, u32) {
        let start = text.len();
        if part.is_ascii() {
            text.extend(part.chars().map(|c| c.to_ascii_lowercase()));
        } else {
            let lower = part.to_lowercase();
            let plain = fold(&lower);
            if plain != lower {
                folded.push('\n');
                folded.push_str(&plain);
            }
            text.push_str(&lower);
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
    text.push_str(&folded);
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
        assert!(f("carrier:TG stage:stalled"));
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
    fn accents_fold_in_the_text_and_the_query() {
        let mut o = order();
        o.customer = "Märta Ångström".into();
        let h = haystack(&OrderSummary::of(&o));
        let subject = Plain {
            order: &o,
            haystack: &h,
            status_lower: "waiting",
            flagged: false,
        };
        let f = |text: &str| Filter::parse(text).matches(&subject);
        for found in [
            "marta",
            "Märta",
            "MARTA",
            "angstrom",
            "ångström",
            "marta ang",
        ] {
            assert!(f(found), "{found}");
        }
        assert!(!f("martaangstrom"));
        assert_eq!(
            fold("Åsa Öberg ÉCOLE Łódź Straße"),
            "asa oberg ecole łodz straße"
        );
        assert_eq!(fold("Ma\u{308}rta"), "marta", "combining accents too");
        assert_eq!(Filter::parse("ÅSA").terms, [Term::Text("asa".into())]);
        // The sort still reads the customer as written (lowercase).
        let (hay, parts) = haystack_with_parts(&OrderSummary::of(&o));
        let (a, b) = parts.customer;
        assert_eq!(&hay[a as usize..b as usize], "märta ångström");
    }

    #[test]
    fn a_leading_minus_negates_a_token() {
        let o = order();
        let h = haystack(&OrderSummary::of(&o));
        let subject = Plain {
            order: &o,
            haystack: &h,
            status_lower: "waiting",
            flagged: false,
        };
        let f = |text: &str| Filter::parse(text).matches(&subject);
        assert!(!f("-status:waiting"));
        assert!(f("-status:received"));
        assert!(f("-carrier:voice åsa"));
        assert!(!f("-stage:stalled"));
        assert!(f("-flag:"));
        assert!(!f("-flag:no"));
        assert_eq!(
            Filter::parse("-status:Waiting").terms,
            [Term::Not(Box::new(Term::Status("waiting".into())))]
        );
        // Before plain text or an unknown prefix, `-` is text.
        assert_eq!(Filter::parse("-12").terms, [Term::Text("-12".into())]);
        assert_eq!(Filter::parse("-x:y").terms, [Term::Text("-x:y".into())]);
        assert_eq!(Filter::parse("-stage:bogus").problems.len(), 1);
        assert!(Filter::parse("-status:a b").narrows(&Filter::parse("-status:a")));
        assert!(!Filter::parse("-status:a").narrows(&Filter::parse("status:a")));
        assert_eq!(Filter::parse("-status:waiting").text_words(), "");
    }

    #[test]
    fn a_status_or_source_no_held_order_has_is_hinted_with_the_held_ones() {
        let statuses: Vec<String> = ["active", "in progress", "new", "waiting"]
            .map(String::from)
            .into();
        let sources: Vec<String> = ["api", "phone", "ui"].map(String::from).into();
        let hinted = |text: &str| {
            let mut f = Filter::parse(text);
            f.hint_unheld(&statuses, &sources);
            f.problems.clone()
        };
        assert_eq!(
            hinted("status:bogus"),
            [r#"status "bogus"? active "in progress" new waiting"#]
        );
        assert_eq!(hinted("-source:fax"), [r#"source "fax"? api phone ui"#]);
        assert!(hinted("status:WAITING source:Phone status:\"in progress\"").is_empty());
        let many: Vec<String> = (0..12).map(|i| format!("s{i}")).collect();
        let mut f = Filter::parse("status:x");
        f.hint_unheld(&many, &[]);
        assert!(f.problems[0].ends_with("s7 …"), "{:?}", f.problems);
        // Nothing held yet (a console still starting): no hint.
        let mut f = Filter::parse("status:x source:y");
        f.hint_unheld(&[], &[]);
        assert!(f.problems.is_empty());
    }

    #[test]
    fn unknown_carriers_and_kinds_are_hinted_with_the_known_ones() {
        let carriers = ["tg", "voice"];
        let kinds = ["tjansteguiden", "lumen-voice", "tjansteguiden"];
        let hinted = |text: &str| {
            let mut f = Filter::parse(text);
            f.hint_unknown(&carriers, &kinds);
            f.problems
        };
        assert_eq!(hinted("carrier:bogus"), ["carrier \"bogus\"? tg voice"]);
        assert_eq!(
            hinted("kind:voice"),
            ["kind \"voice\"? lumen-voice tjansteguiden"]
        );
        assert_eq!(hinted("-carrier:bogus").len(), 1);
        assert!(hinted("carrier:TG kind:Lumen-Voice -carrier:voice åsa").is_empty());
        let mut quiet = Filter::parse("carrier:bogus");
        quiet.hint_unknown(&[], &[]);
        assert!(quiet.problems.is_empty(), "no carriers known yet");
    }

    #[test]
    fn email_addresses_and_phone_numbers_go_to_the_index_table_text_does_not() {
        let words = |text: &str| Filter::parse(text).text_words();
        assert_eq!(
            words("Birgitta.Hakansson@test.se"),
            "birgitta.hakansson@test.se"
        );
        assert_eq!(words("+46734240590"), "+46734240590");
        assert_eq!(words("örebro"), "orebro");
        assert_eq!(words("tg/19530"), "");
        assert_eq!(words("12:39"), "");
        assert_eq!(words("ab"), "");
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
