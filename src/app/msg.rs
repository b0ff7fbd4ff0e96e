//! What flows into `update` ([`Msg`]) and what comes out of it ([`Effect`]).
//! Effects are requests for I/O that the runtime's executors carry out; their
//! results come back as messages.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

use std::collections::HashMap;

use crate::carriers::{CarrierError, SyncEvent, WriteReceipt};
use crate::domain::{ActionRequest, Order, OrderKey};
use crate::store::{Flag, JournalEntry, Note};

/// Identifies one write from dialog to outcome.
pub type Ticket = u64;

/// Input to [`super::update`].
#[derive(Debug, Clone)]
pub enum Msg {
    /// A key press (the runtime passes `KeyEventKind::Press` only).
    Key(KeyEvent),
    /// Text pasted into the terminal (bracketed paste).
    Paste(String),
    /// The terminal was resized.
    Resize { width: u16, height: u16 },
    /// The clock moved (the runtime sends one every second; tests inject).
    Tick(DateTime<Utc>),
    /// A fetcher reported.
    Sync(SyncEvent),
    /// A write finished (accepted or not).
    ActionFinished {
        ticket: Ticket,
        key: OrderKey,
        result: Result<WriteReceipt, CarrierError>,
        /// The order was re-read after the write and delivered just before
        /// (`OrderReloaded`): no further re-read is needed.
        reread: bool,
    },
    /// An order was re-read on request ([`Effect::ReloadOrder`]).
    OrderReloaded {
        key: OrderKey,
        result: Result<Order, CarrierError>,
    },
    /// On-demand customer details arrived ([`Effect::LoadCustomer`]).
    CustomerLoaded {
        key: OrderKey,
        result: Result<Order, CarrierError>,
    },
    /// The local cache is being read (the first frame says so).
    CacheLoading,
    /// The local cache at startup: the last known orders' summaries (what
    /// the list needs; stale until their carrier's first sync, the full
    /// orders follow in [`Msg::CacheDetails`]), local notes and flags,
    /// recent journal entries.
    CacheLoaded {
        orders: Vec<Order>,
        notes: HashMap<OrderKey, Vec<Note>>,
        flags: HashMap<OrderKey, Flag>,
        journal: Vec<JournalEntry>,
    },
    /// Full orders read from the cache after the first frame.
    CacheDetails(Vec<Order>),
    /// Reading the full orders from the cache ended; `Err` says why it
    /// stopped early.
    CacheDetailsDone(Result<(), String>),
    /// The local store is unusable; the console runs with the cache off.
    StoreProblem(String),
    /// A journal entry was recorded or changed state.
    Journal(JournalEntry),
    /// A local note was stored ([`Effect::SaveNote`]).
    NoteSaved {
        key: OrderKey,
        result: Result<Note, String>,
    },
    /// A follow-up flag was stored ([`Effect::SetFlag`]); `None` = cleared.
    FlagSaved {
        key: OrderKey,
        result: Result<Option<Flag>, String>,
    },
}

/// Output of [`super::update`]: I/O for the runtime to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Leave the console.
    Quit,
    /// Poll now: one carrier, or all when `None`.
    Refresh { carrier: Option<Arc<str>> },
    /// Re-read one order.
    ReloadOrder(OrderKey),
    /// Fetch on-demand customer details for an order.
    LoadCustomer(OrderKey),
    /// Send a validated write. The runtime refuses it if no writer exists
    /// (read-only), answering with an `ActionFinished` error.
    Execute {
        ticket: Ticket,
        key: OrderKey,
        request: ActionRequest,
    },
    /// Store a local note on an order (never sent to a carrier).
    SaveNote { key: OrderKey, text: String },
    /// Set or clear the local follow-up flag of an order.
    SetFlag { key: OrderKey, flagged: bool },
}
