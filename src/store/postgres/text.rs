//! The team store's text search, equivalent to the SQLite store's FTS5
//! index: the searchable text of an order (the same pieces,
//! `sqlite::search::order_text`) is folded (lower case, accents dropped:
//! "Skövde" is "skovde") and split into words of letters and digits, kept
//! as `" w1 w2 ... "` in `orders.words`. A user's word is folded and split
//! the same way and becomes one `LIKE` pattern: its pieces in a row, the
//! last as a prefix (`"kund3@example"` is `% kund3 example%`), the words
//! ANDed. Patterns hold letters, digits, spaces and `%` only, so nothing a
//! user types is ever `LIKE` syntax.
//!
//! Must not: touch the database or decide what a filter means.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::domain::Order;
use crate::store::sqlite::search::order_text;

/// Lower case, accents dropped.
fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The words (runs of letters and digits) of folded text.
fn pieces(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// `orders.words` of `order`: `" w1 w2 ... "`.
pub(crate) fn words(order: &Order) -> String {
    let folded = fold(&order_text(order));
    let mut out = String::with_capacity(folded.len() + 2);
    out.push(' ');
    for piece in pieces(&folded) {
        out.push_str(piece);
        out.push(' ');
    }
    out
}

/// One `LIKE` pattern per word of `query` that holds a letter or digit;
/// empty when there is nothing to look for (no match).
pub(crate) fn patterns(query: &str) -> Vec<String> {
    query
        .split_whitespace()
        .filter_map(|word| {
            let folded = fold(word);
            let joined = pieces(&folded).collect::<Vec<_>>().join(" ");
            (!joined.is_empty()).then(|| format!("% {joined}%"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{OrderKey, Stage, Status};

    #[test]
    fn words_are_folded_pieces_between_spaces() {
        let mut o = Order::new(
            OrderKey::new("tg", "1"),
            "tjansteguiden",
            Status::new("x", Stage::New, false),
        );
        o.customer = "Åsa Öberg".into();
        o.fields = vec![("email".into(), "Kund3@Example.se".into())];
        assert_eq!(words(&o), " asa oberg kund3 example se ");
    }

    #[test]
    fn user_words_are_never_like_syntax() {
        assert!(patterns("  % _ \\ * () \"").is_empty());
        assert_eq!(
            patterns("SKÖVDE kund3@example 50%_x"),
            ["% skovde%", "% kund3 example%", "% 50 x%"]
        );
    }
}
