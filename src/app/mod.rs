//! The console's decisions: [`State`], [`update`]`(&mut State, Msg) -> Vec<Effect>`,
//! the key map and the dialogs. Pure: no I/O, no async, no clock reads (time
//! comes from `Options.now` and `Msg::Tick`). Everything the screen shows is
//! derived from `State`; `ui::view` only draws it. `app` never imports `ui`:
//! the screen's geometry is [`layout`]'s, and the scroll limits that depend
//! on drawn content come back from `ui` as `Msg::ScrollLimits`.
//!
//! A key goes to exactly one layer, derived from state (the open [`Modal`]:
//! help, dialog or note editor, journal overlay, palette; then the filter bar, the
//! detail pane, the table); that layer's key map turns it into an
//! [`Action`], which is then executed by the part that owns it:
//! - `state`: what the console holds, and read access for `ui`;
//! - `keys`: which layer gets a key or a paste; the table, detail, filter
//!   and help keys; `table`: the table's window, paging, filter and sort;
//! - `feed`: what the carriers bring (sync events, re-reads, customer
//!   details); `writes`: action dialogs and their outcome (`dialog` their
//!   steps, `form` the form step); `status`: the status line's message;
//! - `notes`, `flags`, `journal` (the journal and its overlay), `cache`
//!   (the start from the local cache), `full` (the few full orders in use,
//!   read from the store on demand), `search` (the filter's words looked up
//!   in the store's full-text index), `timeline` (an order's Log), `quiet`
//!   (`r`/`R` asking first for a carrier in its quiet hours, its chip's
//!   words); `wallboard` (`W`: the monitoring screen of a read-only
//!   console, its figures recomputed on each tick); `team` (team mode: the
//!   team store's link, carriers and their health from the store,
//!   colleagues' notes and flags, presence); `alerts` (the clock's
//!   attention: service levels, overdue dates, notifications);
//! - `marks` (marked orders: `space`, `V`, `*`, `x`), `bulk` (one action on
//!   every marked order: its dialog and plan; `bulk_keys` its keys,
//!   `bulk_send` sending one order at a time and the summary); `mouse`
//!   (what a click or the wheel hit, from `layout`'s geometry).
//! - `palette` (`:`: jump to an order, run an action, switch view or
//!   theme); `views` (views of one's own on keys 5-9, the columns, `<`/`>`,
//!   ctrl-s saving one); `copy` (`y`/`Y` to the clipboard, `o` the
//!   carrier's portal, `T` relative or absolute times).
//!
//! Choices where the design is silent (see also the submodules):
//! - Orders are never removed; a carrier that closes an order moves it out of
//!   the open views. Orders and events of carriers not in `carriers` are ignored.
//! - A re-read order that lacks the on-demand customer details keeps the ones
//!   already loaded (merged by field name), so the Customer tab does not lose
//!   `member` on every poll.
//! - Info and ok status messages expire after [`INFO_TTL`] (on `Tick`), or
//!   at once when a key moves the selection or closes an overlay without
//!   saying something new: a message names what was just done, and the key
//!   hints come back. Warnings and errors stay until the next key press
//!   (the acknowledgement) or a newer message, never on the clock: one that
//!   arrives while nobody looks is still there. The quiet-hours `y/n`
//!   question stays until its key, and a message that arrives meanwhile is
//!   held until then.
//! - `q` with a write still in flight asks for a second `q`; Ctrl-C quits at once.
//! - A carrier is "stale" when its next planned poll is overdue by more than
//!   [`STALE_GRACE`] (or, with none planned, its last good sync is older than
//!   [`STALE_AFTER`]), so a long refresh interval is not mistaken for trouble.

mod action;
mod again;
mod alerts;
mod bulk;
mod bulk_keys;
mod bulk_send;
mod cache;
mod copy;
mod dialog;
mod export;
mod feed;
mod filter;
mod flags;
mod form;
mod full;
mod input;
mod journal;
mod key;
mod key_index;
mod keymap;
mod keys;
mod layer;
pub mod layout;
mod marks;
mod mouse;
mod msg;
mod notes;
mod orders;
mod palette;
mod quiet;
mod search;
mod sort;
mod state;
mod status;
mod table;
mod team;
mod timeline;
mod views;
mod wallboard;
mod writes;

use chrono::Duration;

pub use bulk::{BULK_MAX, Bulk, BulkKind, BulkStep, Fate, Planned};
pub use copy::COPY_MAX;
pub use dialog::{ConfirmStep, Dialog, FieldValue, FormState};
pub use filter::{Filter, Term};
pub use full::{Cut, FULL_ORDERS_HELD, FullState, LOG_LINES_HELD, RAW_BYTES_HELD, WAIT_FOR_ORDER};
pub use input::TextInput;
pub use journal::JournalView;
pub use keymap::{Action, Binding, Key, KeyMap, Layer, ViewKind};
pub use layout::{ChoiceRows, ScrollLimits};
pub use marks::Marks;
pub use msg::{Effect, MouseKind, Msg, Ticket, WriteSettled};
pub use notes::{Keeping, NOTE_MAX, NoteEditor};
pub use orders::{OrderStore, Sort, SortColumn};
pub use palette::{
    Entry as PaletteEntry, Mode as PaletteMode, ORDER_HITS, Palette, Target as PaletteTarget,
    fuzzy_score,
};
pub use search::FULL_TEXT_LIMIT;
pub use state::{
    CacheStart, Carrier, CarrierInfo, Chip, CustomerLoad, DetailState, Focus, Level, Modal,
    Options, Pending, State, StatusMsg, SyncPhase, Tab,
};
pub use team::{Health, PRESENCE_GONE, RECONNECTING_FOR, Seen, StoreLink, Team, TeamMsg};
pub use views::{Column, USER_VIEWS_MAX, UserView};
pub use wallboard::{TREND_EVERY, TREND_HOURS, Wallboard, carrier_health};

/// With no poll planned, a carrier older than this since its last good
/// sync is shown as stale.
pub const STALE_AFTER: Duration = Duration::minutes(10);
/// A planned poll overdue by more than this makes the carrier stale.
pub const STALE_GRACE: Duration = Duration::minutes(2);
/// Info and ok status messages disappear after this long.
const INFO_TTL: Duration = Duration::seconds(6);

/// The one place the console changes: `(state, message) -> effects`.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    if matches!(msg, Msg::Key(_) | Msg::Paste(_)) && state.waiting_for_order().is_some() {
        state.defer_input(msg);
        return fx;
    }
    match msg {
        Msg::Key(event) => state.on_key(event, &mut fx),
        Msg::Paste(text) => state.on_paste(text, &mut fx),
        Msg::Resize { width, height } => {
            state.size = (width, height);
            state.keep_cursor_in_window();
        }
        Msg::ScrollLimits(limits) => state.set_scroll_limits(limits),
        Msg::Mouse { kind, column, row } => state.on_mouse(kind, column, row, &mut fx),
        Msg::Tick(now) => {
            state.now = now;
            state.on_clock(&mut fx);
            state.on_wallboard_tick(&mut fx);
            state.expire_status();
        }
        Msg::Sync(event) => state.on_sync(event),
        Msg::WriteSettled(settled) if state.bulk_owns(settled.ticket) => {
            state.on_bulk_settled(*settled, &mut fx);
        }
        Msg::WriteSettled(settled) => state.on_write_settled(*settled, &mut fx),
        Msg::OrderReloaded { key, result } => state.on_order_reloaded(key, result),
        Msg::OrderLoaded { key, result } => {
            state.on_order_loaded(key, result, &mut fx);
            state.maybe_load_customer(&mut fx);
        }
        Msg::TextSearched { words, result } => state.on_text_searched(words, result, &mut fx),
        Msg::CustomerLoaded { key, result } => state.on_customer_loaded(key, result),
        Msg::CacheLoading => state.on_cache_loading(),
        Msg::CacheLoaded {
            orders,
            notes,
            flags,
            journal,
        } => state.on_cache_loaded(orders, notes, flags, journal),
        Msg::StoreProblem(problem) => state.on_store_problem(problem),
        Msg::Warning(text) => state.say(Level::Warning, text),
        Msg::Journal(entry) => state.on_journal(entry),
        Msg::NoteSaved { key, result } => {
            let error = result.as_ref().err().cloned();
            state.on_note_saved(key.clone(), result);
            state.bulk_local_saved(&key, error, &mut fx);
        }
        Msg::NotesKept(keeping) => state.keeping = keeping,
        Msg::FlagSaved { key, result } => {
            let error = result.as_ref().err().cloned();
            state.on_flag_saved(key.clone(), result);
            state.bulk_local_saved(&key, error, &mut fx);
        }
        Msg::Trend(result) => state.on_trend(result),
        Msg::Exported { rows, result } => state.on_exported(rows, result),
        Msg::Team(msg) => state.on_team(msg),
    }
    // Input that waited for an order being read goes on once it is here.
    for waited in state.end_wait(false) {
        fx.extend(update(state, waited));
    }
    state.want_full_orders(&mut fx);
    state.bulk_ready(&mut fx);
    state.ask_full_text(&mut fx);
    fx
}
