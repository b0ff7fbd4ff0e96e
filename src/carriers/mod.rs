//! Carrier adapters behind one set of traits. The rest of orderdesk knows a
//! carrier only by its instance name, its kind, the capabilities its
//! [`CarrierProfile`] declares and the normalized order model.
//!
//! Three traits split what a carrier is:
//! - [`CarrierProfile`]: pure knowledge (status vocabulary, which actions an
//!   order allows and why not, the forms and the carrier's validation rules).
//!   The app calls it while deciding; it never does I/O.
//! - [`CarrierReader`]: reads over HTTP (polls, one order, extra details).
//! - [`CarrierWriter`]: writes over HTTP. Only a kind's build with
//!   `readonly == false` constructs one; in read-only mode no value of a type that can send
//!   a write exists, whatever keys are pressed.
//!
//! Each kind lives in its own folder and declares its [`Adapter`]; the
//! registry (`crate::registry`) lists each kind once, pairing the adapter
//! with its simulator, so nothing here names a kind and nothing here knows
//! the simulators.

pub mod budget;
pub mod cursor;
pub mod error;
pub mod http;
pub mod oauth;
pub mod oauth_api;
pub mod secret;
pub mod sink;

pub mod lla_tmf622;
pub mod lumen_px;
pub mod lumen_voice;
pub mod tjansteguiden;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::config::{CarrierConfig, Config, ReadKind};
use crate::domain::{
    ActionForm, ActionKind, ActionRequest, Availability, ConfirmRule, FieldError, FormValues,
    LogKind, Order, OrderSummary,
};

pub use error::CarrierError;
pub use sink::{PollSummary, SyncEvent, SyncSink};

/// Pure knowledge about a carrier kind: no I/O, cheap to call from `update`.
pub trait CarrierProfile: Send + Sync + std::fmt::Debug {
    /// The config `kind` (`tjansteguiden`, `lumen-voice`, ...).
    fn kind(&self) -> &'static str;

    /// Whether `action` can be taken on `order`, and if not, why.
    fn availability(&self, order: &Order, action: ActionKind) -> Availability;

    /// The dialog for `action` on `order`, prefilled. `None` when unavailable.
    fn form(&self, order: &Order, action: ActionKind) -> Option<ActionForm>;

    /// Checks the typed values with the carrier's own rules and, when they
    /// pass, builds the request. `now` is the app's clock (injected in tests).
    fn validate(
        &self,
        order: &Order,
        action: ActionKind,
        values: &FormValues,
        now: DateTime<Utc>,
    ) -> Result<ActionRequest, Vec<FieldError>>;

    /// How sure the user must be before `request` is sent. Whatever this
    /// says, a request that is [`CarrierProfile::irreversible`] is confirmed
    /// by typing the order id (see [`ConfirmRule::for_irreversible`]).
    fn confirmation(&self, order: &Order, request: &ActionRequest) -> ConfirmRule;

    /// Whether the effect of `request` cannot be undone (a cancellation,
    /// whichever action leads there). Such a request always gets the
    /// type-to-confirm step: the rule belongs to the effect, not the key.
    fn irreversible(&self, _order: &Order, request: &ActionRequest) -> bool {
        request.action == ActionKind::Cancel
    }

    /// Whether a re-read `order` shows the effect of `request` (used to confirm
    /// writes and to resolve writes whose outcome is unknown).
    fn effect_visible(&self, order: &Order, request: &ActionRequest) -> bool;

    /// The carrier log line `request` writes, when it writes one the order
    /// shows back (a Tjänsteguiden message: its kind and text), so the Log
    /// tab can link that line to the journal entry that wrote it. `None`:
    /// the write adds no line of its own.
    fn written_line(&self, _request: &ActionRequest) -> Option<(LogKind, String)> {
        None
    }

    /// Whether `request` must be re-based on the order as read just before
    /// it is sent ([`CarrierProfile::rebase`]): its effect is recognised by
    /// counting (a log line whose text may already be there), and the held
    /// order may be behind the carrier.
    fn needs_fresh_baseline(&self, _request: &ActionRequest) -> bool {
        false
    }

    /// `request` re-based on `fresh` (see
    /// [`CarrierProfile::needs_fresh_baseline`]).
    fn rebase(&self, _fresh: &Order, request: &ActionRequest) -> ActionRequest {
        request.clone()
    }

    /// Whether re-reading the order can show that `request` was applied.
    /// `false` for a write the carrier never shows back (LLA's pay link):
    /// then the carrier's answer is the only confirmation, and an unknown
    /// outcome stays unknown: the executor never re-sends it by itself,
    /// only the user's "send again" in the journal does.
    fn reread_confirms(&self, _request: &ActionRequest) -> bool {
        true
    }

    /// The carrier's requests a poll sends, as the user may know them from
    /// its documentation (`pxNewOrders/pxOpenOrders`), for the confirmation
    /// of a poll in quiet hours; `None`: "its orders".
    fn poll_requests(&self) -> Option<&'static str> {
        None
    }
}

/// Reads from a carrier. Implementations are cheap to share (`Arc`).
#[async_trait]
pub trait CarrierReader: Send + Sync {
    /// One poll: list what is new or changed since `cursor`, fetch details
    /// with bounded concurrency, report orders and progress through `sink`.
    /// Returns the cursor for the next poll (opaque to everyone else).
    async fn poll(
        &self,
        cursor: Option<String>,
        sink: &SyncSink,
    ) -> Result<(PollSummary, Option<String>), CarrierError>;

    /// Tells the reader which orders the local cache already holds, as their
    /// summaries (called once, before the first poll, when the cache loaded; `cached` may hold
    /// other carriers' orders too: a reader takes its own). A reader that
    /// polls incrementally uses it to keep refreshing cached orders that are
    /// not terminal yet and to skip the ones it already has.
    fn prime(&self, _cached: &[OrderSummary]) {}

    /// Re-reads one order by the carrier's id.
    async fn fetch_order(&self, id: &str) -> Result<Order, CarrierError>;

    /// Loads details that are fetched only on demand (e.g. Tjänsteguiden's
    /// `customer_info`) and returns the order with them filled in.
    async fn fetch_customer(&self, order: &Order) -> Result<Order, CarrierError> {
        Ok(order.clone())
    }
}

/// The carrier's answer to a write that it accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteReceipt {
    /// The carrier's own words ("Status changed to delivered for order 1234").
    pub message: String,
}

/// Sends writes to a carrier. Never constructed in read-only mode.
#[async_trait]
pub trait CarrierWriter: Send + Sync {
    /// Sends `request` once. An error with
    /// [`CarrierError::outcome_unknown`] means it may have been applied.
    async fn execute(
        &self,
        order: &Order,
        request: &ActionRequest,
    ) -> Result<WriteReceipt, CarrierError>;
}

/// Automatic polling of one carrier instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollPlan {
    pub interval: Duration,
    /// When the carrier is not polled automatically; manual refresh still
    /// works.
    pub quiet_hours: Option<QuietHours>,
}

/// Hours (0..24, start inclusive, end exclusive) in the carrier's zone in
/// which it is not polled automatically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: u32,
    pub end: u32,
    pub zone: chrono_tz::Tz,
}

impl QuietHours {
    /// The config's `(start, end)` read in `zone`.
    pub fn new((start, end): (u32, u32), zone: chrono_tz::Tz) -> QuietHours {
        QuietHours { start, end, zone }
    }

    /// Whether `at` falls inside the window (in the carrier's zone).
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        use chrono::Timelike;
        let hour = at.with_timezone(&self.zone).hour();
        if self.start < self.end {
            hour >= self.start && hour < self.end
        } else {
            hour >= self.start || hour < self.end
        }
    }

    /// When the window that holds `at` ends (`at` itself when outside it).
    pub fn ends_after(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        use chrono::Timelike;
        if !self.contains(at) {
            return at;
        }
        let local = at.with_timezone(&self.zone);
        let hour = local.hour();
        let hours_left = if hour < self.end {
            self.end - hour
        } else {
            24 - hour + self.end
        };
        let end = local + chrono::Duration::hours(i64::from(hours_left))
            - chrono::Duration::minutes(i64::from(local.minute()))
            - chrono::Duration::seconds(i64::from(local.second()))
            - chrono::Duration::nanoseconds(i64::from(local.nanosecond()));
        end.with_timezone(&Utc)
    }

    /// The zone's short name at `at` ("CST", "CDT", "CET"), or its IANA
    /// name when it has none.
    pub fn zone_label(&self, at: DateTime<Utc>) -> String {
        let short = at.with_timezone(&self.zone).format("%Z").to_string();
        if short.starts_with(['+', '-']) {
            self.zone.name().to_owned()
        } else {
            short
        }
    }

    /// "07-19 CST": the window and its zone, for the user.
    pub fn describe(&self, at: DateTime<Utc>) -> String {
        format!("{:02}-{:02} {}", self.start, self.end, self.zone_label(at))
    }
}

/// Everything the runtime holds for one configured carrier instance.
#[derive(Clone)]
pub struct CarrierHandle {
    pub name: Arc<str>,
    pub profile: Arc<dyn CarrierProfile>,
    pub reader: Arc<dyn CarrierReader>,
    /// `None` in read-only mode: there is nothing that could send a write.
    pub writer: Option<Arc<dyn CarrierWriter>>,
    pub plan: PollPlan,
}

impl std::fmt::Debug for CarrierHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CarrierHandle")
            .field("name", &self.name)
            .field("kind", &self.profile.kind())
            .field("writer", &self.writer.is_some())
            .finish()
    }
}

/// Builds a configured carrier: profile, reader, and a writer unless
/// `readonly`.
pub type BuildFn = fn(&Config, &CarrierConfig, bool) -> Result<CarrierHandle, CarrierError>;

/// A kind's action profile for a console that knows the carrier only from
/// the team store (its name and kind, no `[[carrier]]` table): what the
/// profile would take from the carrier's config only shapes a preview, or
/// is decided by the sync daemon's own config when it sends. `readonly`: a
/// viewer. `None` when the profile cannot be built.
pub type TeamProfileFn = fn(bool) -> Option<Arc<dyn CarrierProfile>>;

/// A kind's adapter as the registry (`crate::registry`) lists it: its name,
/// how its config keys are read and how it is built. The registry pairs it
/// with the kind's simulator.
#[derive(Clone, Copy)]
pub struct Adapter {
    /// The config `kind` (`tjansteguiden`, `lumen-voice`, ...).
    pub name: &'static str,
    /// Reads the kind's own keys of a `[[carrier]]` table.
    pub read_config: ReadKind,
    pub build: BuildFn,
    pub team_profile: TeamProfileFn,
    /// The carrier instance name `demo` and `sim` give it (`tg`).
    pub demo_name: &'static str,
    /// Orders its simulator generates in `demo` and `sim` unless `--orders`
    /// says otherwise.
    pub demo_orders: usize,
}
