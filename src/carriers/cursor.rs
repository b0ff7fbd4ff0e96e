//! Poll cursors kept as versioned JSON: a reader's cursor type says its
//! version and where it keeps it; text that does not parse, or carries
//! another version, reads as the default cursor (a first poll). And the
//! rule every paged list follows ([`Pager`]), so that paging never runs
//! away whatever the carrier's total says.
//!
//! Must not: know what a kind keeps in its cursor, or fail on a cursor's
//! text (it is persisted and may be from another build).

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The most records one poll lists through pages (the console is sized
/// for 100k orders); with the page size it bounds the pages of one poll.
pub const MAX_LISTED_ROWS: u64 = 200_000;

/// What comes after a page ([`Pager::after`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageEnd {
    /// Ask for the next page.
    More,
    /// The list is complete: an empty or short page, or the total reached.
    Done,
    /// The carrier's paging cannot be trusted (a page repeats an earlier
    /// one, or there are more pages than any real list has): the poll stops
    /// here, keeps what it read, and says why (for the carrier chip).
    Stopped(String),
}

/// Walks a paged list (page numbers or offsets) and decides when it ends:
/// at an empty page, a short page (fewer rows than the page size), or the
/// carrier's total; and when it must stop: a page whose rows are exactly
/// those of an earlier page (a server that ignores the page asked for), or
/// more than [`Pager::max_pages`] pages (a total that lies). Every paged
/// kind uses it.
#[derive(Debug, Clone)]
pub struct Pager {
    page_size: u64,
    max_pages: u64,
    pages: u64,
    rows: u64,
    seen: HashSet<u64>,
}

impl Pager {
    /// A walk with pages of `page_size` rows.
    pub fn new(page_size: u64) -> Pager {
        let page_size = page_size.max(1);
        Pager {
            page_size,
            max_pages: MAX_LISTED_ROWS.div_ceil(page_size).max(1),
            pages: 0,
            rows: 0,
            seen: HashSet::new(),
        }
    }

    /// Pages one poll may ask for: [`MAX_LISTED_ROWS`] over the page size.
    pub fn max_pages(&self) -> u64 {
        self.max_pages
    }

    /// Records a page of `ids` (the rows' ids in order, or their text when
    /// they have none) and says what comes next; `total` is what the
    /// carrier says the list holds, when it says.
    pub fn after<'a>(
        &mut self,
        ids: impl IntoIterator<Item = &'a str>,
        total: Option<u64>,
    ) -> PageEnd {
        let mut hasher = DefaultHasher::new();
        let mut on_page = 0u64;
        for id in ids {
            id.hash(&mut hasher);
            on_page += 1;
        }
        self.pages += 1;
        self.rows += on_page;
        let claimed = || match total {
            Some(t) => format!("; the carrier says {t} records"),
            None => String::new(),
        };
        if on_page == 0 {
            return PageEnd::Done;
        }
        if !self.seen.insert(hasher.finish()) {
            return PageEnd::Stopped(format!(
                "paging stopped at page {}: it repeats an earlier page ({} records read{})",
                self.pages,
                self.rows - on_page,
                claimed()
            ));
        }
        if total.is_some_and(|t| self.rows >= t) || on_page < self.page_size {
            return PageEnd::Done;
        }
        if self.pages >= self.max_pages {
            return PageEnd::Stopped(format!(
                "paging stopped after {} pages ({} records, the most one poll lists{})",
                self.pages,
                self.rows,
                claimed()
            ));
        }
        PageEnd::More
    }
}

/// A reader's cursor with a version field.
pub trait VersionedCursor: Serialize + DeserializeOwned + Default {
    /// The version this build writes and reads.
    const VERSION: u32;

    /// The version the cursor says it is.
    fn version(&self) -> u32;

    /// The cursor in `text`, or the default one when there is none, it does
    /// not parse or its version is not [`Self::VERSION`].
    fn parse(text: Option<&str>) -> Self {
        text.and_then(|t| serde_json::from_str::<Self>(t).ok())
            .filter(|c| c.version() == Self::VERSION)
            .unwrap_or_default()
    }

    /// The cursor as JSON text.
    fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(from: usize, n: usize) -> Vec<String> {
        (from..from + n).map(|i| i.to_string()).collect()
    }

    fn ids(page: &[String]) -> impl Iterator<Item = &str> {
        page.iter().map(String::as_str)
    }

    #[test]
    fn a_list_ends_at_its_total_a_short_page_or_an_empty_one() {
        let mut p = Pager::new(10);
        assert_eq!(p.after(ids(&page(0, 10)), Some(20)), PageEnd::More);
        assert_eq!(p.after(ids(&page(10, 10)), Some(20)), PageEnd::Done);
        let mut p = Pager::new(10);
        assert_eq!(p.after(ids(&page(0, 10)), None), PageEnd::More);
        assert_eq!(p.after(ids(&page(10, 3)), None), PageEnd::Done, "short");
        let mut p = Pager::new(10);
        assert_eq!(
            p.after(ids(&page(0, 4)), Some(1_000)),
            PageEnd::Done,
            "short"
        );
        assert_eq!(Pager::new(10).after(ids(&[]), Some(5)), PageEnd::Done);
    }

    #[test]
    fn a_repeated_page_stops_the_walk_and_says_so() {
        let mut p = Pager::new(10);
        let first = page(0, 10);
        assert_eq!(p.after(ids(&first), Some(1_000_000_000_000)), PageEnd::More);
        let PageEnd::Stopped(why) = p.after(ids(&first), Some(1_000_000_000_000)) else {
            panic!("a repeat must stop");
        };
        assert_eq!(
            why,
            "paging stopped at page 2: it repeats an earlier page (10 records read; \
             the carrier says 1000000000000 records)"
        );
    }

    #[test]
    fn distinct_pages_beyond_the_bound_stop_the_walk() {
        let mut p = Pager::new(1_000);
        assert_eq!(p.max_pages(), 200);
        let mut end = PageEnd::More;
        let mut n = 0;
        while end == PageEnd::More {
            end = p.after(ids(&page(n * 1_000, 1_000)), None);
            n += 1;
        }
        assert_eq!(n, 200);
        assert!(
            matches!(&end, PageEnd::Stopped(w) if w.starts_with("paging stopped after 200 pages")),
            "{end:?}"
        );
        assert_eq!(
            Pager::new(0).max_pages(),
            MAX_LISTED_ROWS,
            "page size 0 reads as 1"
        );
    }
}
