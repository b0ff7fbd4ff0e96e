//! [`State`]: everything the console knows, the types it is made of, and
//! read access for `ui` and the tests. Only `update` and the app's own
//! handlers change it; nothing here does I/O.
//!
//! What the state says it holds:
//! - at most one overlay, [`Modal`] (dialog, note editor, bulk dialog,
//!   journal, help); the key layer follows from it;
//! - the marked orders ([`super::Marks`]) a bulk action works on;
//! - each order's summary ([`OrderStore`]) and the few full orders in use
//!   ([`FullOrders`]);
//! - where the start from the cache stands, [`CacheStart`];
//! - per order, the on-demand customer load, [`CustomerLoad`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::dialog::Dialog;
use super::full::{Cut, FullOrders, FullState};
use super::input::TextInput;
use super::journal::JournalView;
use super::keymap::{KeyMap, Layer};
use super::layout::ScrollLimits;
use super::msg::Msg;
use super::msg::Ticket;
use super::notes::NoteEditor;
use super::orders::OrderStore;
use super::search::TextSearch;
use super::{STALE_AFTER, STALE_GRACE};
use crate::carriers::{CarrierProfile, QuietHours};
use crate::domain::{ActionKind, Order, OrderKey, OrderSummary};
use crate::domain::{Flag, JournalEntry, Note};

/// One configured carrier instance, as the app knows it.
#[derive(Clone)]
pub struct CarrierInfo {
    pub name: Arc<str>,
    pub kind: &'static str,
    pub profile: Arc<dyn CarrierProfile>,
    /// When the carrier is not polled automatically (its `PollPlan`); `r`
    /// asks before polling it then.
    pub quiet_hours: Option<QuietHours>,
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
    pub(super) fn new() -> Chip {
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

impl Carrier {
    /// The carrier's quiet hours when `now` falls inside them.
    pub fn quiet_at(&self, now: DateTime<Utc>) -> Option<QuietHours> {
        self.info.quiet_hours.filter(|q| q.contains(now))
    }
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

    pub(super) fn index(self) -> usize {
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

/// An overlay that takes the keys while it is open; at most one is. The
/// key layer follows from it (see [`State::layer`]).
// One per console, held in place as the dialog always was: boxing the
// large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Modal {
    /// The action dialog: form, confirmation, sending.
    Dialog(Dialog),
    /// The note editor (`n`); it takes keys like a dialog.
    Note(NoteEditor),
    /// The bulk dialog (an action on every marked order); keys as a dialog.
    Bulk(super::bulk::Bulk),
    /// The journal overlay (`J`).
    Journal(JournalView),
    /// The help overlay (`?`), its scroll and its search (`/` in the help:
    /// only the lines holding `search` show; `typing` while the search line
    /// takes the letters).
    Help {
        scroll: u16,
        search: TextInput,
        typing: bool,
    },
    /// The command palette (`:`).
    Palette(super::palette::Palette),
}

impl Modal {
    /// The key layer of this overlay.
    pub fn layer(&self) -> Layer {
        match self {
            Modal::Dialog(_) | Modal::Note(_) | Modal::Bulk(_) => Layer::Dialog,
            Modal::Journal(_) => Layer::Journal,
            Modal::Help { .. } => Layer::Help,
            Modal::Palette(_) => Layer::Palette,
        }
    }
}

/// Where the start from the local cache stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CacheStart {
    /// No cache read under way: the cache is off, not asked for, or read.
    #[default]
    Idle,
    /// Reading the cache before the first orders show (`Msg::CacheLoading`
    /// until `Msg::CacheLoaded` or `Msg::StoreProblem`).
    Loading,
}

/// On-demand customer details of one order ([`super::Effect::LoadCustomer`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerLoad {
    /// Asked for, not yet answered.
    Requested,
    /// The last request failed with this error.
    Failed(String),
}

/// A write on its way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub key: OrderKey,
    pub action: ActionKind,
    pub summary: String,
}

/// Everything the console knows. Fields are readable by `ui` (same crate);
/// only `update` and the app's handlers (this module's siblings) change them.
#[derive(Debug)]
pub struct State {
    pub(crate) carriers: Vec<Carrier>,
    pub(crate) readonly: bool,
    pub(crate) now: DateTime<Utc>,
    pub(crate) user: String,
    pub(crate) keymap: KeyMap,
    pub(crate) tz: chrono_tz::Tz,
    pub(crate) store: OrderStore,
    /// The full orders in use (detail, dialogs, writes), read on demand.
    pub(crate) full: FullOrders,
    /// Input that arrived while the order it acts on was being read, with
    /// that order's key and when the wait began (see `State::defer_input`).
    pub(super) waiting: Option<(OrderKey, DateTime<Utc>)>,
    pub(super) deferred: Vec<Msg>,
    /// The filter's words looked up in the store's full-text index.
    pub(super) search: TextSearch,
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
    /// The overlay that has the keys, when one is open.
    pub(crate) modal: Option<Modal>,
    /// A note hidden with Esc while it was being saved (see [`NoteEditor`]).
    pub(crate) note_behind: Option<NoteEditor>,
    pub(crate) status: Option<StatusMsg>,
    pub(crate) pending: BTreeMap<Ticket, Pending>,
    pub(super) next_ticket: Ticket,
    /// On-demand customer details asked for, or failed, per order.
    pub(crate) customer: HashMap<OrderKey, CustomerLoad>,
    pub(crate) cache: CacheStart,
    /// Local notes by order, each oldest first.
    pub(crate) notes: HashMap<OrderKey, Vec<Note>>,
    /// Local follow-up flags by order.
    pub(crate) flags: HashMap<OrderKey, Flag>,
    /// Flags asked for and not yet answered by the store.
    pub(crate) flag_pending: HashSet<OrderKey>,
    /// Where notes and flags are kept this session (`Msg::NotesKept`).
    pub(crate) keeping: super::notes::Keeping,
    /// The write journal, newest first.
    pub(crate) journal: Vec<JournalEntry>,
    /// `q` was pressed once with a write in flight.
    pub(super) quit_armed: bool,
    pub(super) quit: bool,
    /// Carriers in quiet hours that `r` asked to poll: the next key says
    /// yes (`y`) or no (any other).
    pub(crate) quiet_confirm: Option<Vec<Arc<str>>>,
    /// The wallboard, while it shows instead of the table (`W`).
    pub(crate) wallboard: Option<super::wallboard::Wallboard>,
    /// `[wallboard]`: thresholds, service level, rotation.
    pub(super) board_settings: crate::domain::board::BoardSettings,
    /// A message that arrived while the quiet-hours question waited for its
    /// key: the question stays on the status line until answered.
    pub(super) status_held: Option<StatusMsg>,
    /// Counts the messages said, so a key can tell whether it said one.
    pub(super) status_seq: u64,
    /// Esc or ctrl-c was pressed once on a dialog or note holding typed
    /// text: the same key again drops it, any other key keeps editing.
    pub(crate) discard_armed: Option<super::keymap::Key>,
    /// When lateness was last judged, and whether new attention is told.
    pub(super) alerts: super::alerts::Alerts,
    /// Team mode's link, presence (`None`: a solo console; see `team`).
    pub(crate) team: Option<super::team::Team>,
    /// The marked orders (`space`, `V`, `*`), for a bulk action.
    pub(crate) marks: super::marks::Marks,
    /// Themes, views of one's own, portals, the times choice.
    pub(crate) prefs: super::views::Prefs,
}

impl State {
    /// A console with no orders yet. Fails on a bad key map entry.
    pub fn new(carriers: Vec<CarrierInfo>, options: Options) -> Result<State, String> {
        let keymap = KeyMap::with_overrides(&options.keys)?;
        let mut state = State {
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
            full: FullOrders::default(),
            waiting: None,
            deferred: Vec::new(),
            search: TextSearch::default(),
            selected: None,
            cursor: 0,
            offset: 0,
            size: (80, 24),
            scroll_limits: ScrollLimits::UNMEASURED,
            focus: Focus::Table,
            filter_open: false,
            filter_input: TextInput::new("", false, None),
            detail: DetailState::default(),
            modal: None,
            note_behind: None,
            status: None,
            pending: BTreeMap::new(),
            next_ticket: 1,
            customer: HashMap::new(),
            cache: CacheStart::Idle,
            notes: HashMap::new(),
            flags: HashMap::new(),
            flag_pending: HashSet::new(),
            keeping: super::notes::Keeping::default(),
            journal: Vec::new(),
            quit_armed: false,
            quit: false,
            quiet_confirm: None,
            wallboard: None,
            board_settings: Default::default(),
            status_held: None,
            status_seq: 0,
            discard_armed: None,
            alerts: super::alerts::Alerts::default(),
            team: None,
            marks: Default::default(),
            prefs: Default::default(),
        };
        state.store.check_late(state.now);
        Ok(state)
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

    /// The selected order's summary.
    pub fn selected(&self) -> Option<&OrderSummary> {
        self.selected.and_then(|i| self.store.get(i))
    }

    /// The selected order in full, when it has been read.
    pub fn selected_order(&self) -> Option<&Order> {
        self.selected().and_then(|s| self.full.get(&s.key))
    }

    /// Any held order's summary by key.
    pub fn summary(&self, key: &OrderKey) -> Option<&OrderSummary> {
        self.store.by_key(key)
    }

    /// A full order by key, when it has been read (see [`FullOrders`]).
    pub fn order(&self, key: &OrderKey) -> Option<&Order> {
        self.full.get(key)
    }

    /// Where the full form of `key` stands.
    pub fn full_state(&self, key: &OrderKey) -> FullState<'_> {
        self.full.state(key)
    }

    /// What was left out of the held copy of `key` (a huge order).
    pub fn full_cut(&self, key: &OrderKey) -> Option<Cut> {
        self.full.cut(key)
    }

    pub fn readonly(&self) -> bool {
        self.readonly
    }

    /// Whether the cache is being read before the first orders show.
    pub fn cache_loading(&self) -> bool {
        self.cache == CacheStart::Loading
    }

    /// Where the start from the cache stands.
    pub fn cache_start(&self) -> CacheStart {
        self.cache
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

    /// The overlay that has the keys, when one is open.
    pub fn modal(&self) -> Option<&Modal> {
        self.modal.as_ref()
    }

    pub fn dialog(&self) -> Option<&Dialog> {
        match &self.modal {
            Some(Modal::Dialog(dialog)) => Some(dialog),
            _ => None,
        }
    }

    /// The help overlay's scroll, when it is open.
    pub fn help_scroll(&self) -> Option<u16> {
        match self.modal {
            Some(Modal::Help { scroll, .. }) => Some(scroll),
            _ => None,
        }
    }

    /// The help overlay's search and whether it is being typed, when the
    /// help is open.
    pub fn help_search(&self) -> Option<(&TextInput, bool)> {
        match &self.modal {
            Some(Modal::Help { search, typing, .. }) => Some((search, *typing)),
            _ => None,
        }
    }

    /// The note editor, when shown.
    pub fn note_editor(&self) -> Option<&NoteEditor> {
        match &self.modal {
            Some(Modal::Note(editor)) => Some(editor),
            _ => None,
        }
    }

    /// The journal overlay, when open.
    pub fn journal_view(&self) -> Option<&JournalView> {
        match &self.modal {
            Some(Modal::Journal(view)) => Some(view),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<&StatusMsg> {
        self.status.as_ref()
    }

    pub fn pending(&self) -> &BTreeMap<Ticket, Pending> {
        &self.pending
    }

    /// Whether customer details for `key` were asked for and not yet answered.
    pub fn customer_loading(&self, key: &OrderKey) -> bool {
        self.customer.get(key) == Some(&CustomerLoad::Requested)
    }

    pub fn customer_error(&self, key: &OrderKey) -> Option<&str> {
        match self.customer.get(key) {
            Some(CustomerLoad::Failed(error)) => Some(error),
            _ => None,
        }
    }

    /// The layer that gets the next key.
    pub fn layer(&self) -> Layer {
        match &self.modal {
            Some(modal) => modal.layer(),
            None if self.filter_open => Layer::Filter,
            None if self.focus == Focus::Detail => Layer::Detail,
            None => Layer::Table,
        }
    }

    pub fn carrier(&self, name: &str) -> Option<&Carrier> {
        self.carriers.iter().find(|c| &*c.info.name == name)
    }

    pub(super) fn carrier_mut(&mut self, name: &str) -> Option<&mut Carrier> {
        self.carriers.iter_mut().find(|c| &*c.info.name == name)
    }

    /// Closes the open overlay. A note whose background save failed (see
    /// [`NoteEditor`]) comes back in its place.
    pub(super) fn close_modal(&mut self) {
        self.modal = None;
        if self.note_behind.as_ref().is_some_and(|n| !n.hidden) {
            self.modal = self.note_behind.take().map(Modal::Note);
        }
    }
}
