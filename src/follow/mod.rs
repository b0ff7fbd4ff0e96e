//! Following the team store: what a console runs instead of the engine in
//! team mode. It takes the engine's [`Command`]s and answers with the
//! engine's [`Event`]s (wrapped in [`FollowEvent`], with what only team mode
//! has: the store's link, colleagues' notes and flags, carrier health as
//! the daemon reports it, presence), but everything comes from PostgreSQL:
//!
//! - it paints at once from the database ([`FollowEvent::Loaded`]) (a
//!   database down at start is reported as lost and retried like a lost
//!   connection; the schema is checked on each connect), then
//!   LISTENs on a connection of its own (`watch`): each change names a row,
//!   a burst is collected for [`COALESCE`] and the named rows are read
//!   (orders by keys with `OrderCache::orders`) and reported;
//! - a lost connection is reported ([`FollowEvent::Lost`]) and retried with
//!   backoff; once back, everything is read again (a full reload: any
//!   change made meanwhile is caught up) and [`FollowEvent::Connected`];
//! - a write ([`Command::Execute`]) is recorded in the shared journal in
//!   state `recorded` with the agent as author (or joins a colleague's
//!   identical write still open, which is then sent once for both); the
//!   sync daemon sends it;
//!   when the entry reaches a final state this follower answers
//!   [`Event::WriteSettled`] from its outcome; notes and flags are written
//!   directly;
//! - presence (`presence`): the order this agent has open and the dialog
//!   they are in, published debounced, refreshed every [`PRESENCE_EVERY`],
//!   withdrawn on leaving.
//!
//! A viewer (read-only console, wallboard) follows the same way but has no
//! write path: writes, notes and flags are refused here, and it publishes
//! no presence (the database would refuse all of them too).
//!
//! Must not: talk to carriers (no fetchers, no carrier clients exist in team
//! mode), decide what the app shows, or draw.

mod commands;
mod presence;
mod watch;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use crate::domain::{Flag, JournalEntry, Note, OrderKey, OrderSummary};
use crate::engine::{Command, Event, Ticket};
use crate::store::postgres::{CarrierHealth, PgStore, Presence};

/// How long changes are collected before the named rows are read.
pub const COALESCE: Duration = Duration::from_millis(75);
/// How often this agent's presence is published again while unchanged.
pub const PRESENCE_EVERY: Duration = Duration::from_secs(20);
/// A presence change waits this long for the next one before it is sent.
pub const PRESENCE_DEBOUNCE: Duration = Duration::from_millis(300);
/// The first wait before reconnecting; it doubles up to [`BACKOFF_MAX`].
pub const BACKOFF_START: Duration = Duration::from_millis(250);
pub const BACKOFF_MAX: Duration = Duration::from_secs(10);

/// Why a viewer's write is refused before it reaches the database.
pub const VIEWER: &str = "read-only: this console follows the team store as a viewer";
/// Why "send again" is not this console's in team mode.
pub const DAEMON_RESOLVES: &str =
    "in team mode the sync daemon resolves writes whose outcome is unknown";

/// What a follower runs with.
#[derive(Debug, Clone)]
pub struct FollowSetup {
    pub store: PgStore,
    /// The agent: the journal's author, the presence's name.
    pub author: String,
    /// A read-only console or the wallboard: no write path, no presence.
    pub viewer: bool,
}

/// Everything the team store holds that a console shows at start (and
/// again after a reconnect).
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub orders: Vec<OrderSummary>,
    pub notes: HashMap<OrderKey, Vec<Note>>,
    pub flags: HashMap<OrderKey, Flag>,
    pub journal: Vec<JournalEntry>,
    pub health: Vec<CarrierHealth>,
    pub presence: Vec<Presence>,
}

/// What a follower reports.
// Most events are the engine's, as large as it makes them: boxing them
// would add an allocation to each and buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum FollowEvent {
    /// The same answers the engine gives (orders changed, a write settled,
    /// journal entries, notes and flags saved, ...).
    Engine(Event),
    /// Carriers seen for the first time (in health or orders): name, kind.
    Carriers(Vec<(String, String)>),
    /// Everything, read at start and after each reconnect.
    Loaded(Box<Snapshot>),
    /// The change listener is connected (again).
    Connected,
    /// The connection was lost at `since`; retrying with backoff.
    Lost { since: DateTime<Utc>, why: String },
    /// An order's notes as they now stand (a colleague's, or ours).
    Notes { key: OrderKey, notes: Vec<Note> },
    /// An order's flag as it now stands.
    Flag { key: OrderKey, flag: Option<Flag> },
    /// Every carrier's health as the daemon reported it.
    Health(Vec<CarrierHealth>),
    /// Everyone's fresh presence (this agent's included).
    Presence(Vec<Presence>),
}

/// Writes of this console waiting for the daemon: journal entry id ->
/// the ticket and the order.
pub(crate) type Waiting = Arc<Mutex<HashMap<String, (Ticket, OrderKey)>>>;

/// The console's end of a running follower. Dropping every clone stops it.
#[derive(Debug, Clone)]
pub struct FollowHandle {
    commands: mpsc::UnboundedSender<Command>,
    presence: Option<presence::Publisher>,
}

impl FollowHandle {
    /// Hands the follower a command; its result comes back as an event.
    pub fn send(&self, command: Command) {
        let _ = self.commands.send(command);
    }

    /// Says which order this agent has open and the dialog they are in
    /// (e.g. "writing a message"); published debounced. Nothing for a viewer.
    pub fn present(&self, order: Option<OrderKey>, dialog: Option<String>) {
        if let Some(p) = &self.presence {
            p.present(order, dialog);
        }
    }

    /// Withdraws this agent's presence (the console is closing); waits at
    /// most `within`.
    pub async fn leave(&self, within: Duration) {
        if let Some(p) = &self.presence {
            let _ = tokio::time::timeout(within, p.leave()).await;
        }
    }
}

/// Starts a follower on the current tokio runtime: it reads everything at
/// once, then follows the changes.
pub fn spawn(setup: FollowSetup) -> (FollowHandle, mpsc::UnboundedReceiver<FollowEvent>) {
    let (events, events_rx) = mpsc::unbounded_channel();
    let waiting: Waiting = Arc::default();
    let (commands, commands_rx) = mpsc::unbounded_channel();
    tokio::spawn(commands::run(
        setup.clone(),
        commands_rx,
        events.clone(),
        waiting.clone(),
    ));
    tokio::spawn(watch::run(setup.store.clone(), events, waiting));
    let presence = (!setup.viewer).then(|| presence::Publisher::spawn(setup.store, setup.author));
    (FollowHandle { commands, presence }, events_rx)
}
