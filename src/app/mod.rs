//! The console's decisions: [`State`], [`update`]`(&mut State, Msg) -> Vec<Effect>`,
//! the key map and the dialogs. Pure: no I/O, no async, no clock reads (time
//! comes from `Options.now` and `Msg::Tick`). Everything the screen shows is
//! derived from `State`; `ui::view` only draws it.
//!
//! A key goes to exactly one layer, derived from state (help > dialog or
//! note editor > journal overlay > filter > detail > table); that layer's key map turns it into an
//! [`Action`], which is then executed here.
//!
//! Choices where the design is silent (see also the submodules):
//! - Orders are never removed; a carrier that closes an order moves it out of
//!   the open views. Orders and events of carriers not in `carriers` are ignored.
//! - A re-read order that lacks the on-demand customer details keeps the ones
//!   already loaded (merged by field name), so the Customer tab does not lose
//!   `member` on every poll.
//! - Informational status messages expire after 10 s (on `Tick`); errors stay
//!   until the next key press.
//! - Local notes, flags, the journal and the cache start: see [`local`].
//! - `q` with a write still in flight asks for a second `q`; Ctrl-C quits at once.
//! - A carrier is "stale" when its next planned poll is overdue by more than
//!   [`STALE_GRACE`] (or, with none planned, its last good sync is older than
//!   [`STALE_AFTER`]), so a long refresh interval is not mistaken for trouble.

mod dialog;
mod filter;
mod input;
mod keymap;
pub mod layout;
mod local;
mod msg;
mod orders;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use crossterm::event::KeyEventKind;

pub use dialog::{ConfirmStep, Dialog, FieldValue, FormState};
pub use filter::{Filter, Term};
pub use input::TextInput;
pub use keymap::{Action, Binding, Key, KeyMap, Layer, ViewKind};
pub use layout::ScrollLimits;
pub use local::{JournalView, NOTE_MAX, NoteEditor};
pub use msg::{Effect, Msg, Ticket, WriteSettled};
pub use orders::{OrderStore, Sort, SortColumn};

use crate::carriers::{CarrierError, CarrierProfile, SyncEvent};
use crate::domain::{ActionKind, Availability, Order, OrderKey};
use crate::store::{Flag, JournalEntry, Note};

/// With no poll planned, a carrier older than this since its last good
/// sync is shown as stale.
pub const STALE_AFTER: Duration = Duration::minutes(10);
/// A planned poll overdue by more than this makes the carrier stale.
pub const STALE_GRACE: Duration = Duration::minutes(2);
/// Informational status messages disappear after this long.
const INFO_TTL: Duration = Duration::seconds(10);

/// One configured carrier instance, as the app knows it.
#[derive(Clone)]
pub struct CarrierInfo {
    pub name: Arc<str>,
    pub kind: &'static str,
    pub profile: Arc<dyn CarrierProfile>,
}

impl std::fmt::Debug for CarrierInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CarrierInfo")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .finish()
    }
}

/// Start-up options.
#[derive(Debug, Clone)]
pub struct Options {
    pub readonly: bool,
    pub now: DateTime<Utc>,
    pub user: String,
    /// Action name -> key(s), overriding the defaults.
    pub keys: BTreeMap<String, String>,
}

/// A carrier's sync state, for its header chip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncPhase {
    Never,
    Syncing { done: usize, total: usize },
    Ok,
    Error(String),
}

/// Health of one carrier instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chip {
    pub phase: SyncPhase,
    pub last_ok: Option<DateTime<Utc>>,
    /// The full error of the last failed poll.
    pub last_error: Option<String>,
    pub waiting_until: Option<DateTime<Utc>>,
    pub next_poll: Option<DateTime<Utc>>,
    /// Orders whose detail failed in the last poll.
    pub failed: usize,
    /// Failures reported for orders the console does not know.
    pub unknown_failed: usize,
    /// Showing orders from the local cache: set by `Msg::CacheLoaded`,
    /// cleared by the carrier's first `SyncEvent::Finished`.
    pub cached: bool,
    /// The newest change among the carrier's cached orders.
    pub cached_at: Option<DateTime<Utc>>,
}

impl Chip {
    fn new() -> Chip {
        Chip {
            phase: SyncPhase::Never,
            last_ok: None,
            last_error: None,
            waiting_until: None,
            next_poll: None,
            failed: 0,
            unknown_failed: 0,
            cached: false,
            cached_at: None,
        }
    }

    /// Whether the data is older than it should be: the planned next poll
    /// is overdue by more than [`STALE_GRACE`], or, when no poll is planned,
    /// the last good sync is older than [`STALE_AFTER`].
    pub fn is_stale(&self, now: DateTime<Utc>) -> bool {
        match (self.last_ok, self.next_poll) {
            (None, _) => false,
            (Some(_), Some(next)) => now - next > STALE_GRACE,
            (Some(ok), None) => now - ok > STALE_AFTER,
        }
    }
}

/// A carrier instance: identity, profile, health.
#[derive(Debug, Clone)]
pub struct Carrier {
    pub info: CarrierInfo,
    pub chip: Chip,
}

/// Which pane has the keys (when no overlay does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    #[default]
    Table,
    Detail,
}

/// Detail pane tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Overview,
    Customer,
    Items,
    Log,
    Raw,
}

impl Tab {
    pub const ALL: [Tab; 5] = [Tab::Overview, Tab::Customer, Tab::Items, Tab::Log, Tab::Raw];

    pub fn label(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Customer => "Customer",
            Tab::Items => "Items",
            Tab::Log => "Log",
            Tab::Raw => "Raw",
        }
    }

    fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

/// The detail pane's own state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DetailState {
    pub tab: Tab,
    pub scroll: u16,
    /// Log order: newest first unless flipped.
    pub log_oldest_first: bool,
}

/// How a status line message looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Ok,
    Warning,
    Error,
}

/// The status line's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMsg {
    pub text: String,
    pub level: Level,
    pub at: DateTime<Utc>,
}

/// A write on its way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub key: OrderKey,
    pub action: ActionKind,
    pub summary: String,
}

/// Everything the console knows. Fields are readable by `ui` (same crate);
/// only `update` and the methods below change them.
#[derive(Debug)]
pub struct State {
    pub(crate) carriers: Vec<Carrier>,
    pub(crate) readonly: bool,
    pub(crate) now: DateTime<Utc>,
    pub(crate) user: String,
    pub(crate) keymap: KeyMap,
    pub(crate) tz: chrono_tz::Tz,
    pub(crate) store: OrderStore,
    /// Store index of the selected order.
    pub(crate) selected: Option<u32>,
    /// Position of the selection in the view.
    pub(crate) cursor: usize,
    /// First row of the table window (a hint; the ui keeps the cursor visible).
    pub(crate) offset: usize,
    pub(crate) size: (u16, u16),
    /// What `ui` last measured (`Msg::ScrollLimits`).
    pub(crate) scroll_limits: ScrollLimits,
    pub(crate) focus: Focus,
    pub(crate) filter_open: bool,
    pub(crate) filter_input: TextInput,
    pub(crate) detail: DetailState,
    pub(crate) dialog: Option<Dialog>,
    /// Help overlay scroll, when open.
    pub(crate) help: Option<u16>,
    pub(crate) status: Option<StatusMsg>,
    pub(crate) pending: BTreeMap<Ticket, Pending>,
    next_ticket: Ticket,
    pub(crate) customer_requested: HashSet<OrderKey>,
    pub(crate) customer_errors: HashMap<OrderKey, String>,
    /// Orders shown from their cache summary whose full order is still
    /// being read (`Msg::CacheDetails`); actions wait for it.
    pub(crate) cache_pending: HashSet<OrderKey>,
    /// Between a `CacheLoaded` with summaries and `CacheDetailsDone`.
    pub(crate) cache_reading: bool,
    /// Between `CacheLoading` and `CacheLoaded` (or `StoreProblem`).
    pub(crate) cache_loading: bool,
    /// Local notes by order, each oldest first.
    pub(crate) notes: HashMap<OrderKey, Vec<Note>>,
    /// Local follow-up flags by order.
    pub(crate) flags: HashMap<OrderKey, Flag>,
    /// Flags asked for and not yet answered by the store.
    pub(crate) flag_pending: HashSet<OrderKey>,
    /// The write journal, newest first.
    pub(crate) journal: Vec<JournalEntry>,
    /// The note editor (`n`).
    pub(crate) note: Option<NoteEditor>,
    /// The journal overlay (`J`).
    pub(crate) journal_view: Option<JournalView>,
    quit_armed: bool,
    quit: bool,
}

impl State {
    /// A console with no orders yet. Fails on a bad key map entry.
    pub fn new(carriers: Vec<CarrierInfo>, options: Options) -> Result<State, String> {
        let keymap = KeyMap::with_overrides(&options.keys)?;
        Ok(State {
            carriers: carriers
                .into_iter()
                .map(|info| Carrier {
                    info,
                    chip: Chip::new(),
                })
                .collect(),
            readonly: options.readonly,
            now: options.now,
            user: options.user,
            keymap,
            tz: chrono_tz::Europe::Stockholm,
            store: OrderStore::default(),
            selected: None,
            cursor: 0,
            offset: 0,
            size: (80, 24),
            scroll_limits: ScrollLimits::UNMEASURED,
            focus: Focus::Table,
            filter_open: false,
            filter_input: TextInput::new("", false, None),
            detail: DetailState::default(),
            dialog: None,
            help: None,
            status: None,
            pending: BTreeMap::new(),
            next_ticket: 1,
            customer_requested: HashSet::new(),
            customer_errors: HashMap::new(),
            cache_pending: HashSet::new(),
            cache_reading: false,
            cache_loading: false,
            notes: HashMap::new(),
            flags: HashMap::new(),
            flag_pending: HashSet::new(),
            journal: Vec::new(),
            note: None,
            journal_view: None,
            quit_armed: false,
            quit: false,
        })
    }

    /// The zone times are shown in (default Europe/Stockholm, the portal's
    /// zone and the default of the config's `timezone`).
    pub fn set_display_timezone(&mut self, tz: chrono_tz::Tz) {
        self.tz = tz;
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// All orders held.
    pub fn orders_len(&self) -> usize {
        self.store.len()
    }

    /// The current view, in order.
    pub fn visible_keys(&self) -> Vec<OrderKey> {
        self.store
            .visible()
            .iter()
            .filter_map(|&i| self.store.get(i).map(|o| o.key.clone()))
            .collect()
    }

    pub fn selected(&self) -> Option<&Order> {
        self.selected.and_then(|i| self.store.get(i))
    }

    /// Any held order by key.
    pub fn order(&self, key: &OrderKey) -> Option<&Order> {
        self.store.by_key(key)
    }

    /// Same as `Msg::Sync(SyncEvent::Orders)`.
    pub fn upsert_orders(&mut self, orders: Vec<Order>) {
        let orders: Vec<Order> = orders
            .into_iter()
            .filter(|o| self.carrier(&o.key.carrier).is_some())
            .map(|o| self.merge_loaded(o))
            .collect();
        if orders.is_empty() {
            return;
        }
        if !self.cache_pending.is_empty() {
            // What a carrier (or the cache's full order) brings is complete.
            for order in &orders {
                self.cache_pending.remove(&order.key);
            }
        }
        self.store.upsert(orders);
        self.resync_cursor();
    }

    /// Same as typing `text` into the filter bar.
    pub fn set_filter(&mut self, text: &str) {
        self.filter_input.set(text);
        self.apply_filter();
    }

    /// Same as `s`.
    pub fn cycle_sort(&mut self) {
        let sort = self.store.sort();
        self.store.set_sort(Sort {
            column: sort.column.next(),
            reversed: false,
        });
        self.resync_cursor();
    }

    // --- read access for the ui and tests ---

    pub fn readonly(&self) -> bool {
        self.readonly
    }

    /// Whether `key` is shown from its cache summary, without its full
    /// order (see [`State::cache_reading`]).
    pub fn is_cache_pending(&self, key: &OrderKey) -> bool {
        self.cache_pending.contains(key)
    }

    /// Whether the full orders behind the cache's summaries are still being
    /// read.
    pub fn cache_reading(&self) -> bool {
        self.cache_reading
    }

    /// Whether the cache is being read before the first orders show.
    pub fn cache_loading(&self) -> bool {
        self.cache_loading
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    pub fn user(&self) -> &str {
        &self.user
    }

    pub fn carriers(&self) -> &[Carrier] {
        &self.carriers
    }

    pub fn store(&self) -> &OrderStore {
        &self.store
    }

    pub fn keymap(&self) -> &KeyMap {
        &self.keymap
    }

    pub fn timezone(&self) -> chrono_tz::Tz {
        self.tz
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// The terminal size last reported (`Msg::Resize`; 80x24 until then).
    pub fn size(&self) -> (u16, u16) {
        self.size
    }

    /// The scroll limits last reported by `ui`.
    pub fn scroll_limits(&self) -> ScrollLimits {
        self.scroll_limits
    }

    pub fn offset(&self) -> usize {
        self.offset
    }

    pub fn focus(&self) -> Focus {
        self.focus
    }

    pub fn filter_open(&self) -> bool {
        self.filter_open
    }

    pub fn filter_input(&self) -> &TextInput {
        &self.filter_input
    }

    pub fn detail(&self) -> &DetailState {
        &self.detail
    }

    pub fn dialog(&self) -> Option<&Dialog> {
        self.dialog.as_ref()
    }

    pub fn help_scroll(&self) -> Option<u16> {
        self.help
    }

    pub fn status(&self) -> Option<&StatusMsg> {
        self.status.as_ref()
    }

    pub fn pending(&self) -> &BTreeMap<Ticket, Pending> {
        &self.pending
    }

    /// Whether customer details for `key` were asked for and not yet answered.
    pub fn customer_loading(&self, key: &OrderKey) -> bool {
        self.customer_requested.contains(key)
    }

    pub fn customer_error(&self, key: &OrderKey) -> Option<&str> {
        self.customer_errors.get(key).map(String::as_str)
    }

    /// The layer that gets the next key.
    pub fn layer(&self) -> Layer {
        if self.help.is_some() {
            Layer::Help
        } else if self.dialog.is_some() || self.note_editor().is_some() {
            Layer::Dialog
        } else if self.journal_view.is_some() {
            Layer::Journal
        } else if self.filter_open {
            Layer::Filter
        } else if self.focus == Focus::Detail {
            Layer::Detail
        } else {
            Layer::Table
        }
    }

    pub fn carrier(&self, name: &str) -> Option<&Carrier> {
        self.carriers.iter().find(|c| &*c.info.name == name)
    }

    fn carrier_mut(&mut self, name: &str) -> Option<&mut Carrier> {
        self.carriers.iter_mut().find(|c| &*c.info.name == name)
    }

    // --- internals ---

    fn say(&mut self, level: Level, text: impl Into<String>) {
        self.status = Some(StatusMsg {
            text: crate::domain::sanitize(&text.into()),
            level,
            at: self.now,
        });
    }

    /// Rows the table shows at the current size (for paging).
    fn page(&self) -> usize {
        layout::table_rows(self.size, self.filter_open || !self.filter_input.is_empty()).max(1)
    }

    /// Puts the cursor back on the selected order after the view changed,
    /// or keeps its position when that order left the view.
    fn resync_cursor(&mut self) {
        let visible = self.store.visible();
        if visible.is_empty() {
            self.cursor = 0;
            self.selected = None;
            return;
        }
        if let Some(sel) = self.selected
            && let Some(pos) = visible.iter().position(|&i| i == sel)
        {
            self.cursor = pos;
        } else {
            self.cursor = self.cursor.min(visible.len() - 1);
            self.selected = Some(visible[self.cursor]);
            self.detail.scroll = 0;
        }
        self.keep_cursor_in_window();
    }

    /// Takes the limits `ui` measured and pulls every scroll back within them.
    fn set_scroll_limits(&mut self, limits: ScrollLimits) {
        self.scroll_limits = limits;
        self.detail.scroll = self.detail.scroll.min(limits.detail);
        if let Some(scroll) = &mut self.help {
            *scroll = (*scroll).min(limits.help);
        }
        if let Some(Dialog::Confirm { scroll, .. }) = &mut self.dialog {
            *scroll = (*scroll).min(limits.dialog);
        }
    }

    fn keep_cursor_in_window(&mut self) {
        let rows = self.page();
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + rows {
            self.offset = self.cursor + 1 - rows;
        }
        let len = self.store.visible().len();
        self.offset = self.offset.min(len.saturating_sub(rows));
    }

    fn move_cursor(&mut self, to: isize) {
        let len = self.store.visible().len();
        if len == 0 {
            return;
        }
        let to = to.clamp(0, len as isize - 1) as usize;
        if self.selected != Some(self.store.visible()[to]) {
            self.detail.scroll = 0;
        }
        self.cursor = to;
        self.selected = Some(self.store.visible()[to]);
        self.keep_cursor_in_window();
    }

    fn apply_filter(&mut self) {
        self.store
            .set_filter(Filter::parse(self.filter_input.text()));
        self.resync_cursor();
    }

    /// Keeps customer details already loaded when a re-read lacks them.
    fn merge_loaded(&self, mut order: Order) -> Order {
        if order.customer_loaded {
            return order;
        }
        if let Some(old) = self.store.by_key(&order.key)
            && old.customer_loaded
        {
            for (name, value) in &old.customer_fields {
                if !order.customer_fields.iter().any(|(n, _)| n == name) {
                    order.customer_fields.push((name.clone(), value.clone()));
                }
            }
            order.customer_loaded = true;
        }
        order
    }

    pub(super) fn maybe_load_customer(&mut self, fx: &mut Vec<Effect>) {
        if self.focus != Focus::Detail || self.detail.tab != Tab::Customer {
            return;
        }
        let Some(order) = self.selected() else { return };
        if order.customer_loaded
            || self.customer_requested.contains(&order.key)
            || self.cache_pending.contains(&order.key)
        {
            return;
        }
        let order = Box::new(order.clone());
        self.customer_errors.remove(&order.key);
        self.customer_requested.insert(order.key.clone());
        fx.push(Effect::LoadCustomer(order));
    }

    fn open_action(&mut self, kind: ActionKind, fx: &mut Vec<Effect>) {
        if self.readonly {
            self.say(
                Level::Warning,
                format!("read-only mode: {} is disabled", kind.label()),
            );
            return;
        }
        let Some(order) = self.selected() else {
            self.say(
                Level::Warning,
                format!("{}: no order selected", kind.label()),
            );
            return;
        };
        if self.cache_pending.contains(&order.key) {
            let key = order.key.clone();
            let text = if self.cache_reading {
                format!("{key}: still being read from the cache; try again shortly")
            } else {
                fx.push(Effect::ReloadOrder(key.clone()));
                format!("{key}: re-reading it from the carrier first; try again shortly")
            };
            self.say(Level::Warning, text);
            return;
        }
        let Some(carrier) = self.carrier(&order.key.carrier) else {
            let text = format!("cannot {} {}: unknown carrier", kind.label(), order.key);
            self.say(Level::Warning, text);
            return;
        };
        let profile = carrier.info.profile.clone();
        let outcome = match profile.availability(order, kind) {
            Availability::Unavailable(reason) => Err(reason),
            Availability::Available => profile
                .form(order, kind)
                .map(|form| FormState::new(order, form))
                .ok_or_else(|| "not offered by this carrier".to_owned()),
        };
        match outcome {
            Ok(form) => self.dialog = Some(Dialog::Form(form)),
            Err(reason) => {
                let text = format!("cannot {} {}: {reason}", kind.label(), order.key);
                self.say(Level::Warning, text);
            }
        }
    }

    fn dialog_step(&mut self, input: dialog::Input, fx: &mut Vec<Effect>) {
        let Some(dialog) = self.dialog.take() else {
            return;
        };
        let key = dialog.key().clone();
        let Some(profile) = self.carrier(&key.carrier).map(|c| c.info.profile.clone()) else {
            return;
        };
        let order = self.store.by_key(&key);
        match dialog.step(input, profile.as_ref(), order, self.now) {
            dialog::Outcome::Stay(d) => {
                self.dialog = Some(d);
                let max = self.scroll_limits.dialog;
                if let Some(Dialog::Confirm { scroll, .. }) = &mut self.dialog {
                    *scroll = (*scroll).min(max);
                }
            }
            dialog::Outcome::Cancelled => {
                self.say(Level::Info, format!("{key}: cancelled, nothing sent"));
            }
            dialog::Outcome::Send(form, request) => {
                if self.readonly {
                    // Unreachable (no dialog opens in read-only mode); never send.
                    self.say(Level::Error, "read-only mode: nothing is sent");
                    return;
                }
                let Some(order) = self.store.by_key(&key).cloned() else {
                    // Unreachable (orders are never removed); never send blind.
                    self.say(Level::Error, format!("{key}: not held, nothing sent"));
                    return;
                };
                let ticket = self.next_ticket;
                self.next_ticket += 1;
                self.pending.insert(
                    ticket,
                    Pending {
                        key: key.clone(),
                        action: request.action,
                        summary: request.summary.clone(),
                    },
                );
                fx.push(Effect::Execute {
                    ticket,
                    order: Box::new(order),
                    request: request.clone(),
                });
                self.dialog = Some(Dialog::Sending {
                    form,
                    request,
                    ticket,
                });
            }
            dialog::Outcome::Hide { ticket, key } => {
                let what = self
                    .pending
                    .get(&ticket)
                    .map(|p| p.summary.clone())
                    .unwrap_or_default();
                self.say(
                    Level::Info,
                    format!("{key}: {what}: sending in the background"),
                );
            }
        }
    }

    fn on_key(&mut self, event: crossterm::event::KeyEvent, fx: &mut Vec<Effect>) {
        if event.kind != KeyEventKind::Press {
            return;
        }
        // Errors stay until the user does something.
        if self
            .status
            .as_ref()
            .is_some_and(|s| s.level == Level::Error)
        {
            self.status = None;
        }
        let key = Key::from_event(&event);
        let layer = self.layer();
        let action = self.keymap.resolve(layer, key);
        if action != Some(Action::Quit) {
            self.quit_armed = false;
        }
        if action == Some(Action::Quit)
            && (key == keymap::hard_quit() || !matches!(layer, Layer::Dialog | Layer::Filter))
        {
            self.request_quit(key == keymap::hard_quit(), fx);
            return;
        }
        match layer {
            Layer::Help => self.help_key(action),
            Layer::Dialog if self.dialog.is_none() => {
                self.note_key(action, key.typed_char(), fx);
            }
            Layer::Journal => self.journal_key(action, key.typed_char()),
            Layer::Dialog => {
                let input = match (action, key.typed_char()) {
                    (Some(a), _) => dialog::Input::Action(a),
                    (None, Some(c)) => dialog::Input::Char(c),
                    (None, None) => return,
                };
                self.dialog_step(input, fx);
            }
            Layer::Filter => self.filter_key(action, key.typed_char()),
            Layer::Detail | Layer::Table => {
                if let Some(action) = action {
                    self.pane_action(action, fx);
                }
            }
        }
    }

    fn request_quit(&mut self, hard: bool, fx: &mut Vec<Effect>) {
        if !hard && !self.pending.is_empty() && !self.quit_armed {
            self.quit_armed = true;
            let what: Vec<String> = self
                .pending
                .values()
                .map(|p| format!("{} {}", p.key, p.summary))
                .collect();
            self.say(
                Level::Warning,
                format!(
                    "a write is in flight ({}); press q again to quit",
                    what.join(", ")
                ),
            );
            return;
        }
        self.quit = true;
        fx.push(Effect::Quit);
    }

    fn help_key(&mut self, action: Option<Action>) {
        let Some(scroll) = self.help else { return };
        self.help = match action {
            Some(Action::Back) => None,
            Some(Action::Down) => Some(scroll.saturating_add(1)),
            Some(Action::Up) => Some(scroll.saturating_sub(1)),
            Some(Action::PageDown) => Some(scroll.saturating_add(10)),
            Some(Action::PageUp) => Some(scroll.saturating_sub(10)),
            Some(Action::Top) => Some(0),
            Some(Action::Bottom) => Some(u16::MAX),
            _ => Some(scroll),
        };
        if let Some(scroll) = self.help {
            self.help = Some(scroll.min(self.scroll_limits.help));
        }
    }

    fn filter_key(&mut self, action: Option<Action>, typed: Option<char>) {
        let input = &mut self.filter_input;
        match (action, typed) {
            (Some(Action::Accept), _) => {
                self.filter_open = false;
                return;
            }
            (Some(Action::Back), _) => {
                self.filter_open = false;
                input.clear();
            }
            (Some(Action::Down), _) => {
                self.move_cursor(self.cursor as isize + 1);
                return;
            }
            (Some(Action::Up), _) => {
                self.move_cursor(self.cursor as isize - 1);
                return;
            }
            (Some(action), _) if TextInput::is_edit(action) => {
                input.edit(action);
            }
            (None, Some(c)) => {
                input.insert(c);
            }
            _ => return,
        }
        self.apply_filter();
    }

    fn pane_action(&mut self, action: Action, fx: &mut Vec<Effect>) {
        let in_detail = self.focus == Focus::Detail;
        match action {
            Action::Help => self.help = Some(0),
            Action::Refresh => {
                fx.push(Effect::Refresh { carrier: None });
                self.say(Level::Info, "refreshing all carriers…");
            }
            Action::RefreshCarrier => match self.selected() {
                Some(order) => {
                    let carrier = order.key.carrier.clone();
                    self.say(Level::Info, format!("refreshing {carrier}…"));
                    fx.push(Effect::Refresh {
                        carrier: Some(carrier),
                    });
                }
                None => self.say(Level::Warning, "refresh carrier: no order selected"),
            },
            Action::Filter => {
                self.filter_open = true;
                self.filter_input.end();
            }
            Action::ClearFilter if !self.filter_input.is_empty() => {
                self.filter_input.clear();
                self.apply_filter();
            }
            Action::SortNext => self.cycle_sort(),
            Action::SortReverse => {
                let sort = self.store.sort();
                self.store.set_sort(Sort {
                    column: sort.column,
                    reversed: !sort.reversed,
                });
                self.resync_cursor();
            }
            Action::View(view) => {
                self.store.set_view(view);
                self.resync_cursor();
            }
            Action::Act(kind) => self.open_action(kind, fx),
            Action::Note => self.open_note(),
            Action::Flag => self.toggle_flag(fx),
            Action::Journal => self.open_journal(),
            Action::OpenDetail => {
                if self.selected().is_some() {
                    self.focus = Focus::Detail;
                    self.maybe_load_customer(fx);
                } else {
                    self.say(Level::Info, "no order selected");
                }
            }
            Action::CloseDetail => self.focus = Focus::Table,
            Action::NextTab | Action::PrevTab => {
                let n = Tab::ALL.len();
                let i = self.detail.tab.index();
                let i = if action == Action::NextTab {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.detail.tab = Tab::ALL[i];
                self.detail.scroll = 0;
                self.maybe_load_customer(fx);
            }
            Action::NextOrder | Action::PrevOrder => {
                let step = if action == Action::NextOrder { 1 } else { -1 };
                self.move_cursor(self.cursor as isize + step);
                self.maybe_load_customer(fx);
            }
            Action::FlipLog => {
                self.detail.log_oldest_first = !self.detail.log_oldest_first;
                self.detail.scroll = 0;
            }
            Action::Down | Action::Up | Action::PageDown | Action::PageUp if in_detail => {
                let page = 10u16;
                let s = self.detail.scroll;
                self.detail.scroll = match action {
                    Action::Down => s.saturating_add(1),
                    Action::Up => s.saturating_sub(1),
                    Action::PageDown => s.saturating_add(page),
                    _ => s.saturating_sub(page),
                }
                .min(self.scroll_limits.detail);
            }
            Action::Top if in_detail => self.detail.scroll = 0,
            Action::Bottom if in_detail => {
                self.detail.scroll = self.scroll_limits.detail;
            }
            Action::Down => self.move_cursor(self.cursor as isize + 1),
            Action::Up => self.move_cursor(self.cursor as isize - 1),
            Action::PageDown => self.move_cursor((self.cursor + self.page()) as isize),
            Action::PageUp => self.move_cursor(self.cursor as isize - self.page() as isize),
            Action::Top => self.move_cursor(0),
            Action::Bottom => self.move_cursor(isize::MAX),
            // Quit is handled before; editing actions are not bound here.
            _ => {}
        }
    }

    fn on_sync(&mut self, event: SyncEvent) {
        let now = self.now;
        match event {
            SyncEvent::Started { carrier } => {
                if let Some(c) = self.carrier_mut(&carrier) {
                    c.chip.phase = SyncPhase::Syncing { done: 0, total: 0 };
                    c.chip.failed = 0;
                    c.chip.unknown_failed = 0;
                }
            }
            SyncEvent::Progress {
                carrier,
                done,
                total,
            } => {
                if let Some(c) = self.carrier_mut(&carrier) {
                    c.chip.phase = SyncPhase::Syncing { done, total };
                }
            }
            SyncEvent::Orders { carrier, orders } => {
                if self.carrier(&carrier).is_some() {
                    let orders = orders
                        .into_iter()
                        .filter(|o| o.key.carrier == carrier)
                        .collect();
                    self.upsert_orders(orders);
                }
            }
            SyncEvent::OrderFailed { key, error } => {
                let known = self.store.modify(&key, |o| {
                    o.fetch_error = Some(error.to_string());
                });
                if known {
                    self.resync_cursor();
                }
                if let Some(c) = self.carrier_mut(&key.carrier) {
                    if known {
                        c.chip.failed += 1;
                    } else {
                        c.chip.unknown_failed += 1;
                    }
                }
            }
            SyncEvent::Finished {
                carrier,
                result,
                next_poll,
            } => {
                let mut report = None;
                if let Some(c) = self.carrier_mut(&carrier) {
                    c.chip.next_poll = next_poll;
                    c.chip.cached = false;
                    match result {
                        Ok(summary) => {
                            c.chip.phase = SyncPhase::Ok;
                            c.chip.last_ok = Some(now);
                            c.chip.failed = summary.failed.max(c.chip.failed);
                        }
                        Err(error) => {
                            if !matches!(c.chip.phase, SyncPhase::Error(_)) {
                                report = Some(format!("{carrier}: sync failed: {error}"));
                            }
                            c.chip.phase = SyncPhase::Error(short_reason(&error));
                            c.chip.last_error = Some(error.to_string());
                            if let Some(wait) = error.retry_after() {
                                c.chip.waiting_until =
                                    Some(now + Duration::from_std(wait).unwrap_or_default());
                            }
                        }
                    }
                }
                if let Some(text) = report {
                    self.say(Level::Warning, text);
                }
            }
            // For the store; the runtime keeps cursors.
            SyncEvent::Cursor { .. } => {}
            SyncEvent::Waiting { carrier, until } => {
                if let Some(c) = self.carrier_mut(&carrier) {
                    c.chip.waiting_until = Some(until);
                }
            }
        }
    }

    /// A write of this console settled: the re-read order first, then its
    /// journal entry, then the outcome (the status line and the dialog); a
    /// write whose order was re-read needs no other read.
    fn on_write_settled(&mut self, settled: WriteSettled, fx: &mut Vec<Effect>) {
        let WriteSettled {
            ticket,
            key,
            result,
            entry,
            order,
        } = settled;
        let reread = order.is_some();
        if let Some(order) = order {
            self.upsert_orders(vec![order]);
        }
        if let Some(entry) = entry {
            self.on_journal(entry);
        }
        let pending = self.pending.remove(&ticket);
        let summary = pending
            .map(|p| p.summary)
            .unwrap_or_else(|| "write".to_owned());
        let ours = matches!(&self.dialog, Some(Dialog::Sending { ticket: t, .. }) if *t == ticket);
        match result {
            Ok(receipt) => {
                if ours {
                    self.dialog = None;
                }
                let message = if receipt.message.trim().is_empty() {
                    format!("{summary}: done")
                } else {
                    receipt.message
                };
                self.say(Level::Ok, format!("{key}: {message}"));
                if !reread {
                    fx.push(Effect::ReloadOrder(key));
                }
            }
            Err(error) => {
                let unknown = error.outcome_unknown();
                let answer = if unknown {
                    format!(
                        "{error} (the carrier may have applied it; re-reading the order, check its log before retrying)"
                    )
                } else {
                    error.to_string()
                };
                if ours && let Some(Dialog::Sending { mut form, .. }) = self.dialog.take() {
                    form.send_error = Some(crate::domain::sanitize(&answer));
                    self.dialog = Some(Dialog::Form(form));
                }
                self.say(Level::Error, format!("{key}: {summary} failed: {answer}"));
                if unknown && !reread {
                    fx.push(Effect::ReloadOrder(key));
                }
            }
        }
    }
}

/// A few words for a header chip.
fn short_reason(error: &CarrierError) -> String {
    match error {
        CarrierError::Auth { .. } => "auth failed".into(),
        CarrierError::RateLimited { .. } => "rate limited".into(),
        CarrierError::Unavailable { code, .. } => match code {
            Some(code) => format!("unavailable {code}"),
            None => "unavailable".into(),
        },
        CarrierError::Timeout(_) => "timeout".into(),
        CarrierError::Rejected { code, .. } => format!("refused {code}"),
        CarrierError::NotFound(_) => "not found".into(),
        CarrierError::Protocol { .. } => "bad response".into(),
        CarrierError::Local(m) => m.chars().take(24).collect(),
    }
}

/// The one place the console changes: `(state, message) -> effects`.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Msg::Key(event) => state.on_key(event, &mut fx),
        Msg::Paste(text) => {
            if state.help.is_some() {
            } else if state.dialog.is_some() {
                state.dialog_step(dialog::Input::Paste(text), &mut fx);
            } else if state.note_editor().is_some() {
                state.note_paste(&text);
            } else if state.journal_view.is_some() {
                state.journal_paste(&text);
            } else if state.filter_open {
                state.filter_input.insert_str(&text);
                state.apply_filter();
            }
        }
        Msg::Resize { width, height } => {
            state.size = (width, height);
            state.keep_cursor_in_window();
        }
        Msg::ScrollLimits(limits) => state.set_scroll_limits(limits),
        Msg::Tick(now) => {
            state.now = now;
            if state.status.as_ref().is_some_and(|s| {
                matches!(s.level, Level::Info | Level::Ok) && now - s.at > INFO_TTL
            }) {
                state.status = None;
            }
        }
        Msg::Sync(event) => state.on_sync(event),
        Msg::WriteSettled(settled) => state.on_write_settled(*settled, &mut fx),
        Msg::OrderReloaded { key, result } => match result {
            Ok(order) => state.upsert_orders(vec![order]),
            Err(error) => state.say(Level::Warning, format!("{key}: re-read failed: {error}")),
        },
        Msg::CustomerLoaded { key, result } => {
            state.customer_requested.remove(&key);
            match result {
                Ok(mut order) => {
                    order.customer_loaded = true;
                    state.customer_errors.remove(&key);
                    state.upsert_orders(vec![order]);
                }
                Err(error) => {
                    state.customer_errors.insert(key.clone(), error.to_string());
                    state.say(
                        Level::Warning,
                        format!("{key}: customer details failed: {error}"),
                    );
                }
            }
        }
        Msg::CacheLoading => state.cache_loading = true,
        Msg::CacheLoaded {
            orders,
            notes,
            flags,
            journal,
        } => {
            state.cache_loading = false;
            state.on_cache_loaded(orders, notes, flags, journal);
        }
        Msg::CacheDetails(orders) => {
            state.on_cache_details(orders);
            state.maybe_load_customer(&mut fx);
        }
        Msg::CacheDetailsDone(result) => state.on_cache_details_done(result, &mut fx),
        Msg::StoreProblem(problem) => {
            state.cache_loading = false;
            state.say(Level::Warning, format!("cache off: {problem}"));
        }
        Msg::Journal(entry) => state.on_journal(entry),
        Msg::NoteSaved { key, result } => state.on_note_saved(key, result),
        Msg::FlagSaved { key, result } => state.on_flag_saved(key, result),
    }
    fx
}
