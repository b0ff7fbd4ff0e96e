//! What flows into `update` ([`Msg`]) and what comes out of it ([`Effect`]).
//! Effects are requests for I/O that the runtime's executors carry out; their
//! results come back as messages. An effect carries everything its runner
//! needs (a write carries the order as the app holds it), so the runner
//! never reads `State`. Nothing here does I/O.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

use std::collections::HashMap;

use super::layout::ScrollLimits;
use crate::carriers::{CarrierError, SyncEvent};
use crate::domain::board::HourlyTrend;
use crate::domain::{ActionRequest, Order, OrderKey, OrderSummary};
use crate::domain::{Flag, JournalEntry, Note};

/// Identifies one write from dialog to outcome, and what a settled write
/// reports: the engine's own vocabulary, so nothing is copied between them.
pub use crate::engine::{Ticket, WriteSettled};

/// What the mouse did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MouseKind {
    /// The left button went down.
    Click,
    WheelUp,
    WheelDown,
}

/// Input to [`super::update`].
#[derive(Debug, Clone)]
pub enum Msg {
    /// A key press (the runtime passes `KeyEventKind::Press` only).
    Key(KeyEvent),
    /// Text pasted into the terminal (bracketed paste).
    Paste(String),
    /// The terminal was resized.
    Resize { width: u16, height: u16 },
    /// A click or a turn of the wheel at a terminal cell (0-based); the app
    /// decides what it hit (`mouse`).
    Mouse {
        kind: MouseKind,
        column: u16,
        row: u16,
    },
    /// The scroll limits `ui` measured for the current state (sent when
    /// they change); scrolls past them are pulled back.
    ScrollLimits(ScrollLimits),
    /// The clock moved (the runtime sends one every second; tests inject).
    Tick(DateTime<Utc>),
    /// A fetcher reported.
    Sync(SyncEvent),
    /// One write of this console settled (accepted or not), with its
    /// journal entry and the order as re-read after it.
    WriteSettled(Box<WriteSettled>),
    /// An order was re-read on request ([`Effect::ReloadOrder`]) or after a
    /// write resolved in the background (crash recovery).
    OrderReloaded {
        key: OrderKey,
        result: Result<Order, CarrierError>,
    },
    /// The store's full-text answer ([`Effect::SearchText`]): the keys of
    /// the orders whose full text holds every word.
    TextSearched {
        words: String,
        result: Result<Vec<OrderKey>, String>,
    },
    /// On-demand customer details arrived ([`Effect::LoadCustomer`]).
    CustomerLoaded {
        key: OrderKey,
        result: Result<Order, CarrierError>,
    },
    /// The local cache is being read (the first frame says so).
    CacheLoading,
    /// The local cache at startup: the last known orders' summaries (what
    /// the list needs; stale until their carrier's first sync; the full
    /// orders stay in the store, see [`Effect::LoadOrder`]), local notes
    /// and flags, recent journal entries.
    CacheLoaded {
        orders: Vec<OrderSummary>,
        notes: HashMap<OrderKey, Vec<Note>>,
        flags: HashMap<OrderKey, Flag>,
        journal: Vec<JournalEntry>,
    },
    /// The store's answer to [`Effect::LoadOrder`]: the full order, `None`
    /// when the store does not hold it, or why it could not be read.
    OrderLoaded {
        key: OrderKey,
        result: Result<Option<Order>, String>,
    },
    /// The local store is unusable; the console runs with the cache off.
    StoreProblem(String),
    /// A problem found outside the app (e.g. logging that could not start),
    /// shown as a warning in the status line.
    Warning(String),
    /// A journal entry changed state outside a write of this console
    /// (writes resolved in the background, crash recovery).
    Journal(JournalEntry),
    /// A local note was stored ([`Effect::SaveNote`]).
    NoteSaved {
        key: OrderKey,
        result: Result<Note, String>,
    },
    /// Where notes and flags are kept from now on (the store is off: a
    /// fallback file, or nowhere and they are refused).
    NotesKept(super::notes::Keeping),
    /// A follow-up flag was stored ([`Effect::SetFlag`]); `None` = cleared.
    FlagSaved {
        key: OrderKey,
        result: Result<Option<Flag>, String>,
    },
    /// The store's hourly trend ([`Effect::LoadTrend`]), or why not.
    Trend(Result<HourlyTrend, String>),
    /// Where `Effect::ExportCsv` wrote its `rows` orders, or why not.
    Exported {
        rows: usize,
        result: Result<String, String>,
    },
    /// Team mode: news from the team store (see `team`).
    Team(super::team::TeamMsg),
}

/// Output of [`super::update`]: I/O for the runtime to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Leave the console.
    Quit,
    /// Poll now: one carrier, or all when `None`.
    Refresh { carrier: Option<Arc<str>> },
    /// Re-read one order from its carrier.
    ReloadOrder(OrderKey),
    /// Read one full order from the store (`Msg::OrderLoaded`).
    LoadOrder(OrderKey),
    /// Look `words` up in the store's full-text index (`Msg::TextSearched`).
    SearchText { words: String, limit: usize },
    /// Fetch on-demand customer details for an order. The order as the app
    /// holds it; the runner fills in the on-demand details.
    LoadCustomer(Box<Order>),
    /// Send a validated write. `order` is the order as the app holds it (its
    /// key is `order.key`). The runtime refuses it if no writer exists
    /// (read-only), answering with a [`WriteSettled`] error and no entry.
    Execute {
        ticket: Ticket,
        order: Box<Order>,
        request: ActionRequest,
    },
    /// Send the journal entry `id` (a write to `key` whose outcome is unknown
    /// and that no re-read can settle) once more: the user confirmed it in
    /// the journal view. Answered by a [`WriteSettled`] like `Execute`.
    SendAgain {
        ticket: Ticket,
        key: OrderKey,
        id: String,
    },
    /// Store a local note on an order (never sent to a carrier).
    SaveNote { key: OrderKey, text: String },
    /// Set or clear the local follow-up flag of an order.
    SetFlag { key: OrderKey, flagged: bool },
    /// Read the store's hourly trend (`Msg::Trend`) for the wallboard.
    LoadTrend { start: DateTime<Utc>, hours: u32 },
    /// Tell the agent that orders newly need attention (the config's
    /// `notify`: a bell or a desktop notification); never answered.
    Notify { text: String },
    /// Draw with this theme from now on (a built-in name or a path).
    SwitchTheme(String),
    /// Put `text` (the field `what`) on the clipboard (OSC 52).
    Copy { what: String, text: String },
    /// Open `url` (http or https) in the browser, detached.
    OpenUrl(String),
    /// Append the `[[view]]` table `toml` (the view `name`) to the views
    /// file next to the config.
    SaveView { name: String, toml: String },
    /// Keep the choice of relative or absolute times for the next start.
    SaveTimes { absolute: bool },
    /// Write `text` (`rows` orders as CSV) to `file_name` in the directory
    /// the console was started from (`Msg::Exported`).
    ExportCsv {
        file_name: String,
        text: String,
        rows: usize,
    },
}
