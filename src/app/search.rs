//! The filter's reach into the full orders: the plain words of the filter
//! bar are also looked up in the store's full-text index (log lines, items,
//! carrier and customer fields), which only the store holds. The table
//! filters on what it holds at once; the index answers a moment later and
//! the orders it found join the matches (see `OrderStore::set_full_text`).
//!
//! At most one search is in flight: words typed meanwhile are asked for when
//! it answers, so a fast typist costs one search per pause, not one per key.
//! A search that failed is not repeated for the same words. Pure: the search
//! is [`Effect::SearchText`], answered by `Msg::TextSearched`.

use super::msg::Effect;
use super::state::{Level, State};

/// Most orders one full-text search returns.
pub const FULL_TEXT_LIMIT: usize = 5_000;

/// Where the full-text search stands.
#[derive(Debug, Default)]
pub struct TextSearch {
    /// The words asked for and not yet answered.
    in_flight: Option<String>,
    /// The words whose search failed last.
    failed: Option<String>,
}

impl State {
    /// Asks the store about the filter's plain words, unless it already
    /// answered for them or is busy.
    pub(super) fn ask_full_text(&mut self, fx: &mut Vec<Effect>) {
        if self.search.in_flight.is_some() {
            return;
        }
        let words = self.store.filter().text_words();
        if words.is_empty()
            || self.store.full_text_words() == Some(words.as_str())
            || self.search.failed.as_deref() == Some(words.as_str())
        {
            return;
        }
        self.search.in_flight = Some(words.clone());
        fx.push(Effect::SearchText {
            words,
            limit: FULL_TEXT_LIMIT,
        });
    }

    /// The store's answer; the words may be out of date by now.
    pub(super) fn on_text_searched(
        &mut self,
        words: String,
        result: Result<Vec<crate::domain::OrderKey>, String>,
        fx: &mut Vec<Effect>,
    ) {
        self.search.in_flight = None;
        match result {
            Ok(keys) => {
                let added = self.store.set_full_text(&words, &keys);
                if added > 0 {
                    self.resync_cursor();
                }
                if keys.len() >= FULL_TEXT_LIMIT && self.store.full_text_words() == Some(&words) {
                    self.say(
                        Level::Info,
                        format!(
                            "{words:?}: the first {FULL_TEXT_LIMIT} orders found in log and items are shown; add a word to narrow"
                        ),
                    );
                }
            }
            Err(e) => {
                self.say(
                    Level::Warning,
                    format!("searching log and items failed: {e}"),
                );
                self.search.failed = Some(words);
            }
        }
        self.ask_full_text(fx);
    }

    /// Whether the filter's words are being looked up in log and items.
    pub fn full_text_searching(&self) -> bool {
        let words = self.store.filter().text_words();
        !words.is_empty()
            && self.store.full_text_words() != Some(words.as_str())
            && self.search.failed.as_deref() != Some(words.as_str())
            && self.search.in_flight.is_some()
    }
}
