//! Views of one's own: [`UserView`] (a name, the built-in view it narrows,
//! a filter, a sort, the columns and their order) on the number keys after
//! the built-in four, the table's [`Column`]s by name, `<`/`>` (the sort
//! moves to the previous/next column shown) and ctrl-s in the filter bar
//! (asks for a name, then [`Effect::SaveView`] carries the `[[view]]` table
//! for the runtime to append to the views file). Pure: no I/O; the config
//! checks the names, this module gives them their meaning.
//!
//! Choices where the design is silent:
//! - A view of one's own sets the filter bar to its filter (it can be
//!   edited there; the view stays the active one); a built-in view key
//!   leaves it, clearing that filter and going back to the usual columns.
//! - Its sort is applied when it is entered; `s`, `S`, `<`, `>` change it
//!   afterwards as anywhere.

use super::keymap::ViewKind;
use super::msg::Effect;
use super::orders::{Sort, SortColumn};
use super::palette::Mode;
use super::state::{Level, State};

/// What the user chose for this console beyond the config's carriers:
/// themes, views of one's own, portals, the times choice (held in
/// `State::prefs`).
#[derive(Debug, Default)]
pub struct Prefs {
    /// The themes the palette offers (`State::set_themes`).
    pub(crate) themes: Vec<String>,
    /// The theme in use, by name.
    pub(crate) theme: String,
    /// Views of one's own (`[[view]]`) and the one in use.
    pub(crate) user_views: Vec<UserView>,
    pub(crate) active_view: Option<usize>,
    /// Carrier name -> `portal_url` template (`o`).
    pub(crate) portals: std::collections::HashMap<String, String>,
    /// Times as date and time with the zone instead of "3h ago" (`T`).
    pub(crate) absolute_times: bool,
}

/// Views of one's own at most (keys 5 to 9).
pub const USER_VIEWS_MAX: usize = 5;

/// A column of the orders table (the mark column aside, always first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Order,
    Status,
    Stage,
    Age,
    Updated,
    Customer,
    Service,
    Delivery,
}

impl Column {
    /// The usual columns, in the usual order.
    pub const ALL: [Column; 8] = [
        Column::Order,
        Column::Status,
        Column::Stage,
        Column::Age,
        Column::Updated,
        Column::Customer,
        Column::Service,
        Column::Delivery,
    ];

    /// The name a `[[view]]`'s `columns` uses.
    pub fn name(self) -> &'static str {
        match self {
            Column::Order => "order",
            Column::Status => "status",
            Column::Stage => "stage",
            Column::Age => "age",
            Column::Updated => "updated",
            Column::Customer => "customer",
            Column::Service => "service",
            Column::Delivery => "delivery",
        }
    }

    pub fn from_name(name: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.name() == name)
    }

    /// What `<`/`>` sort by when they reach this column.
    pub fn sort(self) -> SortColumn {
        match self {
            Column::Order => SortColumn::Id,
            Column::Status => SortColumn::Status,
            Column::Stage => SortColumn::Stage,
            Column::Age => SortColumn::Age,
            Column::Updated => SortColumn::Updated,
            Column::Customer => SortColumn::Customer,
            Column::Service => SortColumn::Service,
            Column::Delivery => SortColumn::Schedule,
        }
    }

    /// Whether the table sorted by `column` is sorted by this column (the
    /// order column sorts by carrier or id).
    pub fn sorted_by(self, column: SortColumn) -> bool {
        self.sort() == column || (self == Column::Order && column == SortColumn::Carrier)
    }
}

/// A view of one's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserView {
    pub name: String,
    /// The built-in view it narrows.
    pub within: ViewKind,
    /// As typed in the filter bar.
    pub filter: String,
    pub sort: Option<Sort>,
    /// Empty: the usual columns.
    pub columns: Vec<Column>,
}

impl UserView {
    /// A view from the names the config uses (checked there; a name this
    /// module does not know is an error all the same).
    pub fn from_names(
        name: &str,
        within: &str,
        filter: &str,
        sort: Option<(&str, bool)>,
        columns: &[String],
    ) -> Result<UserView, String> {
        let within = ViewKind::ALL
            .into_iter()
            .find(|v| v.label() == within)
            .ok_or_else(|| format!("view {name:?}: unknown within {within:?}"))?;
        let sort = match sort {
            None => None,
            Some((column, reversed)) => Some(Sort {
                column: SortColumn::ALL
                    .into_iter()
                    .find(|c| c.label() == column || (column == "id" && *c == SortColumn::Id))
                    .ok_or_else(|| format!("view {name:?}: unknown sort column {column:?}"))?,
                reversed,
            }),
        };
        let columns = columns
            .iter()
            .map(|c| {
                Column::from_name(c).ok_or_else(|| format!("view {name:?}: unknown column {c:?}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(UserView {
            name: name.to_owned(),
            within,
            filter: filter.to_owned(),
            sort,
            columns,
        })
    }

    /// This view as a `[[view]]` table (the views file's format).
    pub fn to_toml(&self) -> String {
        let mut out = format!("\n[[view]]\nname = {}\n", toml_quote(&self.name));
        out.push_str(&format!("filter = {}\n", toml_quote(&self.filter)));
        out.push_str(&format!("within = {}\n", toml_quote(self.within.label())));
        if let Some(sort) = self.sort {
            let sign = if sort.reversed { "-" } else { "" };
            out.push_str(&format!(
                "sort = {}\n",
                toml_quote(&format!("{sign}{}", sort.column.label()))
            ));
        }
        if !self.columns.is_empty() {
            let names: Vec<String> = self.columns.iter().map(|c| toml_quote(c.name())).collect();
            out.push_str(&format!("columns = [{}]\n", names.join(", ")));
        }
        out
    }
}

/// A TOML basic string: quotes, backslashes and control characters escaped.
fn toml_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl State {
    /// The views of one's own (the config's `[[view]]`, then `views.toml`'s).
    pub fn set_user_views(&mut self, views: Vec<UserView>) {
        self.prefs.user_views = views;
        self.prefs.user_views.truncate(USER_VIEWS_MAX);
    }

    pub fn user_views(&self) -> &[UserView] {
        &self.prefs.user_views
    }

    /// The view of one's own in use, by position.
    pub fn active_user_view(&self) -> Option<usize> {
        self.prefs.active_view
    }

    /// The table's columns in order (the mark column aside).
    pub fn columns(&self) -> &[Column] {
        match self
            .prefs
            .active_view
            .and_then(|i| self.prefs.user_views.get(i))
        {
            Some(view) if !view.columns.is_empty() => &view.columns,
            _ => &Column::ALL,
        }
    }

    /// Number key `5 + i`: enters view `i` of one's own.
    pub(super) fn enter_user_view(&mut self, i: usize) {
        let Some(view) = self.prefs.user_views.get(i).cloned() else {
            self.say(
                Level::Info,
                format!(
                    "no view {}: add a [[view]] to the config, or ctrl-s in the filter bar saves one",
                    i + 5
                ),
            );
            return;
        };
        self.prefs.active_view = Some(i);
        self.store.set_view(view.within);
        if let Some(sort) = view.sort {
            self.store.set_sort(sort);
        }
        self.filter_input.set(&view.filter);
        self.apply_filter();
    }

    /// A built-in view key: leaves a view of one's own (its filter and
    /// columns go with it).
    pub(super) fn enter_builtin_view(&mut self, view: ViewKind) {
        if self.prefs.active_view.take().is_some() {
            self.filter_input.clear();
            self.apply_filter();
        }
        self.store.set_view(view);
        self.resync_cursor();
    }

    /// `<` / `>`: sorts by the previous / next column shown.
    pub(super) fn sort_step(&mut self, forward: bool) {
        let columns = self.columns().to_vec();
        let current = self.store.sort().column;
        let n = columns.len() as isize;
        let next = match columns.iter().position(|c| c.sorted_by(current)) {
            Some(i) if forward => (i as isize + 1).rem_euclid(n),
            Some(i) => (i as isize - 1).rem_euclid(n),
            None if forward => 0,
            None => n - 1,
        };
        let column = columns[next as usize].sort();
        self.store.set_sort(Sort {
            column,
            reversed: false,
        });
        self.resync_cursor();
    }

    /// ctrl-s in the filter bar: asks for the new view's name.
    pub(super) fn ask_view_name(&mut self) {
        if self.prefs.user_views.len() >= USER_VIEWS_MAX {
            self.say(
                Level::Warning,
                format!(
                    "save view: {USER_VIEWS_MAX} views of your own already (keys 5 to 9); remove one from views.toml first"
                ),
            );
            return;
        }
        self.filter_open = false;
        self.open_palette_in(Mode::NameView);
    }

    /// The name was given: the view joins the number keys and the runtime
    /// appends it to the views file.
    pub(super) fn save_view(&mut self, name: &str, fx: &mut Vec<Effect>) {
        let name = name.trim();
        if name.is_empty() {
            self.say(
                Level::Warning,
                "save view: a view needs a name; nothing saved",
            );
            return;
        }
        if self.prefs.user_views.iter().any(|v| v.name == name) {
            self.say(
                Level::Warning,
                format!("save view: there is a view named {name:?} already; nothing saved"),
            );
            return;
        }
        let within = match self
            .prefs
            .active_view
            .and_then(|i| self.prefs.user_views.get(i))
        {
            Some(view) => view.within,
            None => self.store.view(),
        };
        let view = UserView {
            name: name.to_owned(),
            within,
            filter: self.filter_input.text().to_owned(),
            sort: Some(self.store.sort()),
            // The usual columns are not written out: they follow the console.
            columns: match self.columns() {
                cols if cols == Column::ALL => Vec::new(),
                cols => cols.to_vec(),
            },
        };
        fx.push(Effect::SaveView {
            name: view.name.clone(),
            toml: view.to_toml(),
        });
        self.prefs.user_views.push(view);
        let i = self.prefs.user_views.len() - 1;
        self.prefs.active_view = Some(i);
        self.say(
            Level::Ok,
            format!(
                "view {} {name:?} saved (views.toml next to the config)",
                i + 5
            ),
        );
    }
}
