//! `[[view]]` tables: views of one's own, on the number keys after the
//! built-in four. Read from the config and from `views.toml` next to it
//! (where the console's ctrl-s in the filter bar appends them), with
//! line-precise problems like the rest of the file. Only names are checked
//! here (columns, sort, the view they narrow); what they mean is the app's.
//!
//! ```toml
//! [[view]]
//! name = "voice stalled"
//! filter = "carrier:voice stage:stalled"   # as typed in the filter bar
//! within = "open"                          # open, attention, new, all (default)
//! sort = "-updated"                        # a column; "-" first: reversed
//! columns = ["order", "stage", "updated", "customer"]
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{ConfigError, Problem, location, read_small_file};

/// The table's columns a view may show, in the words of its header.
pub const VIEW_COLUMNS: &[&str] = &[
    "order", "status", "stage", "age", "updated", "customer", "service", "delivery",
];
/// The columns a view may sort by.
pub const VIEW_SORTS: &[&str] = &[
    "carrier", "id", "status", "stage", "age", "updated", "customer", "service", "delivery",
];
/// The built-in views a view may narrow.
pub const VIEW_WITHIN: &[&str] = &["open", "attention", "new", "all"];
/// Views of one's own at most: keys 5 to 9.
pub const VIEWS_MAX: usize = 5;
/// The file next to the config that ctrl-s appends views to.
pub const VIEWS_FILE: &str = "views.toml";

/// One `[[view]]`, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewConfig {
    pub name: String,
    /// The filter as typed in the filter bar ("" for none).
    pub filter: String,
    /// One of [`VIEW_WITHIN`].
    pub within: String,
    /// One of [`VIEW_SORTS`] and whether reversed; `None`: the sort stays.
    pub sort: Option<(String, bool)>,
    /// Some of [`VIEW_COLUMNS`], in order; empty: the usual columns.
    pub columns: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawView {
    name: Spanned<String>,
    #[serde(default)]
    filter: String,
    within: Option<Spanned<String>>,
    sort: Option<Spanned<String>>,
    columns: Option<Vec<Spanned<String>>>,
}

/// Where `views.toml` is for a config at `config`.
pub fn views_file(config: &Path) -> PathBuf {
    config.with_file_name(VIEWS_FILE)
}

fn one_of(what: &str, value: &str, known: &[&str]) -> Option<String> {
    if known.contains(&value) {
        return None;
    }
    Some(format!(
        "unknown {what} {value:?}; known: {}",
        known.join(", ")
    ))
}

/// Reads the `view` array of tables (absent: none). A shape problem goes
/// to `shape`, a bad name to `problems`.
pub(super) fn read(
    value: Option<Spanned<DeValue<'_>>>,
    text: &str,
    problems: &mut Vec<Problem>,
    shape: &mut Vec<Problem>,
) -> Vec<ViewConfig> {
    let Some(value) = value else {
        return Vec::new();
    };
    let span = value.span();
    let DeValue::Array(items) = value.into_inner() else {
        shape.push((
            Some(location(text, span.start)),
            "view must be an array of tables ([[view]])".into(),
        ));
        return Vec::new();
    };
    let mut views = Vec::new();
    for item in items {
        let span = item.span();
        let DeValue::Table(table) = item.into_inner() else {
            shape.push((
                Some(location(text, span.start)),
                "each view must be a table ([[view]])".into(),
            ));
            continue;
        };
        let table: Spanned<DeTable<'_>> = Spanned::new(span.clone(), table);
        let raw = match RawView::deserialize(toml::de::Deserializer::from(table)) {
            Ok(raw) => raw,
            Err(e) => {
                let at = e.span().unwrap_or(span).start;
                shape.push((
                    Some(location(text, at)),
                    format!("view: {}", e.message().trim()),
                ));
                continue;
            }
        };
        let mut problem = |at: usize, message: String| {
            problems.push((Some(location(text, at)), message));
        };
        let name = raw.name.get_ref().trim().to_owned();
        if name.is_empty() {
            problem(raw.name.span().start, "view name must not be empty".into());
        }
        if views.iter().any(|v: &ViewConfig| v.name == name) {
            problem(
                raw.name.span().start,
                format!("view name {name:?} is used twice"),
            );
        }
        let within = match &raw.within {
            None => "all".to_owned(),
            Some(w) => {
                if let Some(e) = one_of("within", w.get_ref(), VIEW_WITHIN) {
                    problem(w.span().start, format!("view {name:?}: {e}"));
                }
                w.get_ref().clone()
            }
        };
        let sort = raw.sort.as_ref().map(|s| {
            let text = s.get_ref().trim();
            let (column, reversed) = match text.strip_prefix('-') {
                Some(rest) => (rest, true),
                None => (text, false),
            };
            if let Some(e) = one_of("sort column", column, VIEW_SORTS) {
                problem(
                    s.span().start,
                    format!("view {name:?}: {e} (\"-\" first sorts the other way)"),
                );
            }
            (column.to_owned(), reversed)
        });
        let mut columns = Vec::new();
        for c in raw.columns.iter().flatten() {
            if let Some(e) = one_of("column", c.get_ref(), VIEW_COLUMNS) {
                problem(c.span().start, format!("view {name:?}: {e}"));
            } else if columns.contains(c.get_ref()) {
                problem(
                    c.span().start,
                    format!("view {name:?}: column {:?} is listed twice", c.get_ref()),
                );
            } else {
                columns.push(c.get_ref().clone());
            }
        }
        views.push(ViewConfig {
            name,
            filter: raw.filter,
            within,
            sort,
            columns,
        });
    }
    views
}

/// Reads `views.toml` next to the config at `config`, when it exists: its
/// `[[view]]` tables and nothing else, each problem at its place there.
pub fn load_views_file(config: &Path) -> Result<Vec<ViewConfig>, ConfigError> {
    let path = views_file(config);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let err = |problems| ConfigError {
        path: Some(path.clone()),
        problems,
    };
    let text =
        read_small_file(&path).map_err(|e| err(vec![(None, format!("cannot read: {e}"))]))?;
    parse_views(&text).map_err(err)
}

/// The `[[view]]` tables of a views file's text.
pub fn parse_views(text: &str) -> Result<Vec<ViewConfig>, Vec<Problem>> {
    let root = DeTable::parse(text).map_err(|e| {
        let at = e.span().map(|s| location(text, s.start));
        vec![(at, e.message().trim().to_owned())]
    })?;
    let mut root = root.into_inner();
    let views_value = root.remove("view");
    if let Some((key, _)) = root.iter().next() {
        let at = location(text, key.span().start);
        return Err(vec![(
            Some(at),
            format!(
                "{}: only [[view]] tables belong in {VIEWS_FILE}",
                key.get_ref()
            ),
        )]);
    }
    let mut problems = Vec::new();
    let mut shape = Vec::new();
    let views = read(views_value, text, &mut problems, &mut shape);
    if let Some(first) = shape.into_iter().next() {
        return Err(vec![first]);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(views)
}

/// At most [`VIEWS_MAX`] views.
pub(super) fn check_count(views: &[ViewConfig]) -> Vec<Problem> {
    let mut problems = Vec::new();
    if views.len() > VIEWS_MAX {
        problems.push((
            None,
            format!(
                "{} views of your own; at most {VIEWS_MAX} (keys 5 to 9), counting {VIEWS_FILE}",
                views.len()
            ),
        ));
    }
    problems
}

/// Checks the views of the config and of its views file together: names
/// used once (each file checks its own), at most [`VIEWS_MAX`].
pub(super) fn check_all(views: &[ViewConfig]) -> Vec<Problem> {
    let mut problems = check_count(views);
    for (i, v) in views.iter().enumerate() {
        if views[..i].iter().any(|o| o.name == v.name) {
            problems.push((
                None,
                format!(
                    "view name {:?} is used twice (the config and {VIEWS_FILE})",
                    v.name
                ),
            ));
        }
    }
    problems
}

/// A quoted TOML string.
fn quoted(value: &str) -> String {
    toml::Value::String(value.to_owned()).to_string()
}

/// The `[[view]]` table for `view`, as appended to the views file.
pub fn view_toml(view: &ViewConfig) -> String {
    let mut out = format!("\n[[view]]\nname = {}\n", quoted(&view.name));
    out.push_str(&format!("filter = {}\n", quoted(&view.filter)));
    out.push_str(&format!("within = {}\n", quoted(&view.within)));
    if let Some((column, reversed)) = &view.sort {
        let sign = if *reversed { "-" } else { "" };
        out.push_str(&format!("sort = {}\n", quoted(&format!("{sign}{column}"))));
    }
    if !view.columns.is_empty() {
        let cols: Vec<String> = view.columns.iter().map(|c| quoted(c)).collect();
        out.push_str(&format!("columns = [{}]\n", cols.join(", ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_read_with_their_columns_and_sort() {
        let text = r#"
[[view]]
name = "mine"
filter = "carrier:tg -status:waiting"
within = "open"
sort = "-updated"
columns = ["order", "updated", "customer"]
"#;
        let views = parse_views(text).unwrap();
        assert_eq!(views.len(), 1);
        assert_eq!(views[0].sort, Some(("updated".into(), true)));
        assert_eq!(views[0].columns, ["order", "updated", "customer"]);
        assert_eq!(views[0].within, "open");
    }

    #[test]
    fn an_unknown_column_is_an_error_at_its_place() {
        let text = "[[view]]\nname = \"x\"\ncolumns = [\"order\", \"custmer\"]\n";
        let problems = parse_views(text).unwrap_err();
        let (at, message) = &problems[0];
        assert_eq!(at.map(|a| (a.line, a.column)), Some((3, 21)));
        assert!(message.contains("unknown column \"custmer\""), "{message}");
        assert!(message.contains("customer"), "{message}");
    }

    #[test]
    fn bad_sort_and_within_and_unknown_keys_are_errors() {
        let problems = parse_views("[[view]]\nname = \"x\"\nsort = \"colour\"\n").unwrap_err();
        assert!(problems[0].1.contains("unknown sort column \"colour\""));
        let problems = parse_views("[[view]]\nname = \"x\"\nwithin = \"done\"\n").unwrap_err();
        assert!(problems[0].1.contains("unknown within \"done\""));
        let problems = parse_views("[[view]]\nname = \"x\"\ncolour = 1\n").unwrap_err();
        assert!(problems[0].1.contains("colour"), "{:?}", problems);
        let problems = parse_views("theme = \"light\"\n").unwrap_err();
        assert!(problems[0].1.contains("only [[view]]"));
    }

    #[test]
    fn a_written_view_reads_back() {
        let view = ViewConfig {
            name: "Åsa's \"new\"".into(),
            filter: "stage:new -flag:yes".into(),
            within: "open".into(),
            sort: Some(("age".into(), true)),
            columns: vec!["order".into(), "customer".into()],
        };
        let text = format!(
            "{}{}",
            view_toml(&view),
            view_toml(&ViewConfig {
                name: "second".into(),
                sort: None,
                columns: Vec::new(),
                ..view.clone()
            })
        );
        let back = parse_views(&text).unwrap();
        assert_eq!(back[0], view);
        assert_eq!(back[1].name, "second");
        assert_eq!(back[1].sort, None);
    }
}
