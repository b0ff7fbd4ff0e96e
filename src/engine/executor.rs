//! The write executor: the only path a write takes to a carrier.
//!
//! Every write is recorded in the journal (`crate::store::Journal`) before it is
//! sent, marked `sending` just before the carrier's writer is called, sent
//! once, and its outcome recorded. It owns the rules that make writes
//! exactly-once; it must not decide what the user may do (the carrier
//! profile and the app do) and must not retry blindly: a send is repeated
//! only after a re-read of the order shows the first one was not applied.
//!
//! # Rules
//! - **Accepted** (`Ok` receipt): the order is re-read. Effect visible
//!   (`CarrierProfile::effect_visible`) -> `confirmed`. Not visible, or the
//!   re-read failed -> kept `unknown` *with the receipt* ("accepted, not yet
//!   visible"): later `resolve_pending` calls re-read it and confirm it, and
//!   it is never sent again (the carrier said yes once; a second send could
//!   double a non-idempotent write).
//! - **Refused** (`Rejected`, `NotFound`) -> `refused` with the carrier's
//!   code and message. **Not applied** (`Auth`, `RateLimited`, `Local`,
//!   `Unavailable` before sending) -> `failed` with why.
//! - **Outcome unknown** (`CarrierError::outcome_unknown`: timeout, dropped
//!   connection after sending, unreadable answer, a 5xx answer to a write,
//!   503 included: a proxy may answer 503 or 504 for a request the carrier
//!   acted on) -> `unknown`, then resolved
//!   at once: the order is re-read; visible -> `confirmed`; not visible ->
//!   sent exactly once more (at most [`MAX_SENDS`] sends in all); still not
//!   visible after that -> `failed` ("not applied ..., not sent again"); the
//!   carrier unreachable -> stays `unknown` for `resolve_pending`.
//! - **No re-read** (`CarrierProfile::reread_confirms` false, e.g. LLA's
//!   pay link, which the order never shows): an `Ok` answer -> `confirmed`;
//!   an unknown outcome stays `unknown` and is never re-sent by the
//!   executor, here or in `resolve_pending` (an entry found `sending` is
//!   marked `unknown`). Only [`WriteExecutor::send_again`], the user's
//!   "send again" in the journal, sends it once more, and each such send's
//!   outcome keeps the earlier ones' words. A later write to the same order
//!   is not sent while it is open.
//! - **Read-only** (`CarrierHandle::writer == None`): nothing is sent; the
//!   attempt is recorded as `failed: read-only mode` (zero sends).
//! - If the journal cannot record a write (store fault), the write is **not
//!   sent**: no write without its record.
//! - **One write per order at a time**: `execute` and `resolve_pending` hold
//!   a per-order lock from the first read to the recorded outcome. Before a
//!   new write is sent, every earlier open entry of the same order is
//!   resolved (re-read, resent once if not applied); if one stays open, the
//!   new write is **not sent** (`failed`: "an earlier write ... has no known
//!   outcome yet"). Otherwise a later write's trace could be taken for an
//!   earlier lost one (the same routine message twice), or the other way.
//! - **Fresh baseline**: a request whose effect is recognised by counting
//!   (`CarrierProfile::needs_fresh_baseline`, e.g. a Tjänsteguiden message
//!   whose text may already be in the log) is re-based on the order read
//!   just before it is recorded and sent; that read failing means not sent.
//!
//! # After a crash (`resolve_pending`)
//! Entries left `recorded`, `sending` or `unknown` are re-read first. The
//! effect visible -> `confirmed`. Not visible -> sent (again) once through
//! the same path, unless the carrier had accepted it (receipt) or it was
//! already sent [`MAX_SENDS`] times (-> `failed`). Carrier unreachable -> left
//! as is. A non-idempotent write (add_message) is thus never sent twice: the
//! re-read decides.
//!
//! Two consoles may share a store. An entry that another executor instance
//! (another process, or this process before a restart) touched less than
//! the in-flight lease ago ([`DEFAULT_IN_FLIGHT_LEASE`], longer than any HTTP
//! timeout) may still be in flight there: it is only re-read (and confirmed
//! when visible), never resent, until the lease has passed. So after a
//! `kill -9` and an immediate restart, a write that was not applied is resent
//! by a `resolve_pending` call made after the lease: the engine calls it at
//! startup and every 60 s. Claiming an entry for a send is a
//! compare-and-set in the store, so two consoles never both resend it.
//!
//! In team mode consoles only record writes and the `sync` daemon sends
//! them ([`WriteExecutor::resolve_for_team`]): an entry still `recorded`
//! and never sent is the daemon's at once (no lease to wait for), and only
//! entries of the carriers whose poller lock it holds are looked at.
//!
//! # Use
//! - The engine builds one `WriteExecutor`: `WriteExecutor::new(journal,
//!   author)` with the store's journal, or `None` when the store could not
//!   be opened (cache off): then the journal lives in memory only and
//!   [`WriteExecutor::journal_note`] says so for the status line.
//! - It runs `execute` for each write command in its own task, and
//!   `resolve_pending` at startup (before the first sync) and every 60 s.
//!   The journal calls are awaited (the SQLite journal runs them on the
//!   blocking pool; a store locked by another process can hold one for up to
//!   its busy timeout), so nothing here blocks an async worker.
//! - `CarrierProfile::effect_visible` decides everything here. For
//!   non-idempotent writes it should look for the carrier's trace of *this*
//!   write (e.g. a log line with the message text dated after the journal
//!   entry's `created_at`), not merely for equal text written earlier.
//! - Times: `now` is the app clock when the call starts; the journal's later
//!   times in the same call are `now` plus the elapsed monotonic time.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::write_result::{WriteResult, not_applied, not_recorded};
use crate::carriers::CarrierHandle;
use crate::domain::{
    ActionRequest, JournalEntry, JournalState, NewJournalEntry, Order, OrderKey, Outcome,
};
use crate::store::{Journal, SqliteStore, StoreError};

mod settle;

use settle::ReRead;

/// A write is handed to a carrier at most this many times: the first send
/// and, after a re-read showed it was not applied, one more.
pub const MAX_SENDS: u32 = 2;

/// `ORDERDESK_PAUSE_BEFORE_SEND_MS`: a pause between recording a write and
/// sending it, so the crash tests can kill the process in between. Unset in
/// normal use.
fn pause_before_send() -> Option<Duration> {
    let ms: u64 = std::env::var("ORDERDESK_PAUSE_BEFORE_SEND_MS")
        .ok()?
        .parse()
        .ok()?;
    Some(Duration::from_millis(ms))
}

/// Why an unknown write whose carrier cannot show it back stays unknown.
const NO_REREAD: &str = "the carrier cannot show it back, so it is not sent again on its own: \
     send it again from the journal (J) if it is still needed";

/// How long an entry touched by another executor instance is assumed to be
/// possibly in flight there (longer than any carrier's HTTP timeout).
pub const DEFAULT_IN_FLIGHT_LEASE: Duration = Duration::from_secs(120);

/// The app's clock at the start of a call, moved on by monotonic time.
struct Clock {
    start: DateTime<Utc>,
    at: Instant,
}

impl Clock {
    fn new(start: DateTime<Utc>) -> Self {
        Clock {
            start,
            at: Instant::now(),
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.start + chrono::Duration::from_std(self.at.elapsed()).unwrap_or_default()
    }
}

/// Removes an entry id from the in-flight set when the work on it ends (also
/// when the future is dropped).
struct InFlight<'a> {
    set: &'a Mutex<HashSet<String>>,
    id: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.set
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.id);
    }
}

/// Sends writes, records them, resolves the ones left open.
pub struct WriteExecutor {
    journal: Arc<dyn Journal>,
    persistent: bool,
    author: String,
    session: String,
    lease: chrono::Duration,
    in_flight: Mutex<HashSet<String>>,
    /// One lock per order written to (see the module docs).
    order_locks: Mutex<HashMap<OrderKey, Arc<tokio::sync::Mutex<()>>>>,
}

impl std::fmt::Debug for WriteExecutor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteExecutor")
            .field("journal", &self.journal)
            .field("persistent", &self.persistent)
            .field("author", &self.author)
            .field("session", &self.session)
            .finish()
    }
}

impl WriteExecutor {
    /// `journal: None` means the cache is off: the journal is kept in an
    /// in-memory store for this run only. Fails only if even that cannot be
    /// created.
    pub fn new(
        journal: Option<Arc<dyn Journal>>,
        author: impl Into<String>,
    ) -> Result<Self, StoreError> {
        let journal: Arc<dyn Journal> = match journal {
            Some(journal) => journal,
            None => Arc::new(SqliteStore::open_in_memory()?),
        };
        let persistent = journal.is_persistent();
        Ok(WriteExecutor {
            journal,
            persistent,
            author: author.into(),
            session: crate::store::new_session_id(),
            lease: chrono::Duration::from_std(DEFAULT_IN_FLIGHT_LEASE)
                .unwrap_or_else(|_| chrono::Duration::minutes(2)),
            in_flight: Mutex::new(HashSet::new()),
            order_locks: Mutex::new(HashMap::new()),
        })
    }

    /// Changes the in-flight lease (see the module docs).
    pub fn with_in_flight_lease(mut self, lease: Duration) -> Self {
        self.lease = chrono::Duration::from_std(lease).unwrap_or(self.lease);
        self
    }

    /// The journal writes are recorded in (in memory when the cache is off).
    pub fn journal(&self) -> &Arc<dyn Journal> {
        &self.journal
    }

    /// Whether the journal survives a restart.
    pub fn is_persistent(&self) -> bool {
        self.persistent
    }

    /// A sentence for the status line when the journal is not persistent.
    pub fn journal_note(&self) -> Option<&'static str> {
        (!self.persistent)
            .then_some("the write journal is kept in memory only and is lost when orderdesk exits")
    }

    /// This executor instance's id (recorded with each entry it sends).
    pub fn session(&self) -> &str {
        &self.session
    }

    pub fn author(&self) -> &str {
        &self.author
    }

    /// Records `request` on `order`, sends it once, records the outcome (see
    /// the module docs for every case).
    pub async fn execute(
        &self,
        handle: &CarrierHandle,
        order: &Order,
        request: &ActionRequest,
        now: DateTime<Utc>,
    ) -> WriteResult {
        let clock = Clock::new(now);
        let lock = self.order_lock(&order.key);
        let _one_at_a_time = lock.lock().await;
        let (request, not_sent) = self.prepare(handle, order, request, &clock).await;
        let new = NewJournalEntry {
            session: &self.session,
            author: &self.author,
            key: &order.key,
            kind: handle.profile.kind(),
            request: &request,
            at: clock.now(),
        };
        let entry = match self.journal.journal_record(new).await {
            Ok(entry) => entry,
            Err(err) => {
                tracing::error!(key = %order.key, error = %err, "write not sent: the journal could not record it");
                return not_recorded(new, err);
            }
        };
        if let Some(why) = not_sent {
            return self
                .finish(entry, Outcome::Failed { why }, None, None, &clock)
                .await;
        }
        let Some(_guard) = self.claim(&entry.id) else {
            // A fresh random id cannot be in flight already.
            return self.unchanged(entry, None);
        };
        if let Some(pause) = pause_before_send() {
            // Fault injection for the crash tests: the write is recorded,
            // not yet sent, for this long.
            tokio::time::sleep(pause).await;
        }
        self.send_and_settle(handle, entry, order.clone(), &clock)
            .await
    }

    /// Resolves every entry left `recorded`, `sending` or `unknown` whose
    /// carrier is in `handles` (see the module docs). Returns one result per
    /// entry looked at, in the journal's order (oldest first), including those
    /// left unresolved.
    pub async fn resolve_pending(
        &self,
        handles: &[CarrierHandle],
        now: DateTime<Utc>,
    ) -> Vec<WriteResult> {
        self.resolve_open(handles, now, None).await
    }

    /// [`Self::resolve_pending`] as the team's executor (the `sync`
    /// daemon): only entries of carriers in `handles` for which `ours`
    /// still holds when the entry's turn comes (the daemon holds that
    /// carrier's poller lock); the others are someone else's and skipped
    /// without a word. Consoles in team mode only record writes, so an
    /// entry still `recorded` and never sent is sent at once, without
    /// waiting for the in-flight lease of the session that recorded it; the
    /// journal's claim still lets only one executor send it.
    pub async fn resolve_for_team(
        &self,
        handles: &[CarrierHandle],
        now: DateTime<Utc>,
        ours: &(dyn Fn(&str) -> bool + Send + Sync),
    ) -> Vec<WriteResult> {
        self.resolve_open(handles, now, Some(ours)).await
    }

    async fn resolve_open(
        &self,
        handles: &[CarrierHandle],
        now: DateTime<Utc>,
        team: Option<&(dyn Fn(&str) -> bool + Send + Sync)>,
    ) -> Vec<WriteResult> {
        let clock = Clock::new(now);
        let entries = match self.journal.journal_unresolved().await {
            Ok(entries) => entries,
            Err(err) => {
                tracing::error!(error = %err, "cannot read the journal to resolve pending writes");
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        // Team mode: an order whose earlier entry is still open after this
        // pass looked at it gets no later write sent in the same pass (one
        // write per order at a time, the earlier one settled first); the
        // later one waits, recorded, for the next pass.
        let mut held: std::collections::HashSet<OrderKey> = std::collections::HashSet::new();
        for entry in entries {
            if let Some(ours) = team {
                let known = handles.iter().any(|h| *h.name == *entry.key.carrier);
                if !known || !ours(&entry.key.carrier) {
                    continue;
                }
                if held.contains(&entry.key) {
                    tracing::info!(id = entry.id, key = %entry.key, "an earlier write to this order has no outcome yet; this one waits");
                    continue;
                }
                held.insert(entry.key.clone());
            }
            let Some(handle) = handles.iter().find(|h| *h.name == *entry.key.carrier) else {
                tracing::warn!(id = entry.id, key = %entry.key, "pending write of a carrier that is not configured; left as is");
                continue;
            };
            if handle.profile.kind() != entry.kind {
                tracing::warn!(id = entry.id, key = %entry.key, kind = entry.kind, "pending write of another carrier kind; left as is");
                continue;
            }
            let lock = self.order_lock(&entry.key);
            let _one_at_a_time = lock.lock().await;
            let Some(_guard) = self.claim(&entry.id) else {
                continue; // being sent by this executor right now
            };
            // It may have been resolved while we waited for the order.
            let entry = match self.journal.journal_get(&entry.id).await {
                Ok(Some(current)) if !current.state.is_final() => current,
                Ok(_) => {
                    held.remove(&entry.key);
                    continue;
                }
                Err(err) => {
                    tracing::error!(id = entry.id, error = %err, "cannot read a pending write");
                    continue;
                }
            };
            let result = self
                .resolve_one(handle, entry, &clock, team.is_some())
                .await;
            if result.entry.state.is_final() {
                held.remove(&result.entry.key);
            }
            out.push(result);
        }
        out
    }

    /// Sends the entry `id` once more because the user asked to: only an
    /// entry whose outcome is `unknown`, that the carrier did not accept,
    /// and whose carrier cannot show it back on a re-read
    /// (`CarrierProfile::reread_confirms` false). The order is read first
    /// (the writer sends to it as it stands now); the outcome recorded keeps
    /// what the entry said before, so every attempt stays in the journal.
    /// `Err` says why it was not sent (nothing changed).
    pub async fn send_again(
        &self,
        handle: &CarrierHandle,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<WriteResult, String> {
        let clock = Clock::new(now);
        let entry = self.send_again_entry(handle, id).await?;
        let lock = self.order_lock(&entry.key);
        let _one_at_a_time = lock.lock().await;
        let Some(_guard) = self.claim(&entry.id) else {
            return Err("not sent: this write is being sent right now".into());
        };
        // It may have changed while we waited for the order.
        let entry = self.send_again_entry(handle, id).await?;
        let order = handle
            .reader
            .fetch_order(&entry.key.id)
            .await
            .map_err(|e| format!("not sent: could not read the order first: {e}"))?;
        let earlier = entry.outcome.clone();
        Ok(self
            .send_attempt(handle, entry, order, earlier.as_deref(), &clock)
            .await)
    }

    /// The entry `id` if it may be sent again by hand, else why not.
    async fn send_again_entry(
        &self,
        handle: &CarrierHandle,
        id: &str,
    ) -> Result<JournalEntry, String> {
        let entry = match self.journal.journal_get(id).await {
            Ok(Some(entry)) => entry,
            Ok(None) => return Err(format!("not sent: no journal entry {id}")),
            Err(err) => return Err(format!("not sent: the journal could not be read: {err}")),
        };
        if *handle.name != *entry.key.carrier || handle.profile.kind() != entry.kind {
            return Err(format!(
                "not sent: the entry is for carrier {}, not {}",
                entry.key.carrier, handle.name
            ));
        }
        if handle.writer.is_none() {
            return Err("read-only mode: not sent".into());
        }
        if handle.profile.reread_confirms(&entry.request) {
            return Err(
                "not sent: this carrier's writes are settled by re-reading the order; they are not sent again by hand"
                    .into(),
            );
        }
        if entry.state != JournalState::Unknown || entry.receipt.is_some() {
            return Err(format!(
                "not sent: only a write whose outcome is unknown can be sent again; this one is {}",
                entry.state.as_str()
            ));
        }
        Ok(entry)
    }

    /// The request as it is recorded (re-based on a fresh read when the
    /// profile asks for it), and why it must not be sent, if so. The caller
    /// holds the order's lock.
    async fn prepare(
        &self,
        handle: &CarrierHandle,
        order: &Order,
        request: &ActionRequest,
        clock: &Clock,
    ) -> (ActionRequest, Option<String>) {
        let refuse = |why: String| (request.clone(), Some(why));
        if *handle.name != *order.key.carrier {
            return refuse(format!(
                "not sent: order {} does not belong to carrier {}",
                order.key, handle.name
            ));
        }
        if handle.writer.is_none() {
            return refuse("read-only mode: not sent".to_owned());
        }
        if let Some(why) = self.settle_earlier(handle, &order.key, clock).await {
            return refuse(why);
        }
        if !handle.profile.needs_fresh_baseline(request) {
            return (request.clone(), None);
        }
        match handle.reader.fetch_order(&order.key.id).await {
            Ok(fresh) => (handle.profile.rebase(&fresh, request), None),
            Err(err) => refuse(format!("not sent: could not read the order first: {err}")),
        }
    }

    /// The lock that keeps writes to `key` one at a time.
    fn order_lock(&self, key: &OrderKey) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .order_locks
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Forget the locks nobody holds or waits for.
        if locks.len() > 1024 {
            locks.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        locks.entry(key.clone()).or_default().clone()
    }

    /// Resolves the open entries of `key` (the caller holds its lock).
    /// Returns why a new write must not be sent when one stays open.
    async fn settle_earlier(
        &self,
        handle: &CarrierHandle,
        key: &OrderKey,
        clock: &Clock,
    ) -> Option<String> {
        let open = match self.journal.journal_unresolved().await {
            Ok(entries) => entries,
            Err(err) => {
                return Some(format!(
                    "not sent: the journal's open writes could not be read: {err}"
                ));
            }
        };
        for entry in open.into_iter().filter(|e| &e.key == key) {
            let result = match self.claim(&entry.id) {
                Some(_guard) => self.resolve_one(handle, entry, clock, false).await,
                None => self.unchanged(entry, None),
            };
            let entry = &result.entry;
            if !entry.state.is_final() && !handle.profile.reread_confirms(&entry.request) {
                return Some(format!(
                    "not sent: an earlier write to this order ({}) has an unknown outcome that no re-read can settle; open the journal (J) and send it again there if it is still needed",
                    entry.request.summary
                ));
            }
            if !result.entry.state.is_final() {
                return Some(format!(
                    "not sent: an earlier write to this order ({}) has no known outcome yet; it is re-read first, try again later",
                    result.entry.request.summary
                ));
            }
        }
        None
    }

    /// `team`: the team's executor, which sends what consoles recorded
    /// (see [`Self::resolve_for_team`]).
    async fn resolve_one(
        &self,
        handle: &CarrierHandle,
        entry: JournalEntry,
        clock: &Clock,
        team: bool,
    ) -> WriteResult {
        // Ours and idle (not in flight: we hold the claim), or another
        // instance's whose lease has passed, or, for the team's executor,
        // recorded by a console and never sent: we may change its state.
        let recorded_for_us = team && entry.state == JournalState::Recorded && entry.sends == 0;
        let owned = entry.session == self.session
            || clock.now() - entry.updated_at >= self.lease
            || recorded_for_us;
        if entry.sends > 0 && !handle.profile.reread_confirms(&entry.request) {
            // Sent at least once and no re-read can show it: never sent
            // again by the executor (only by the user's "send again").
            if owned && entry.state == JournalState::Sending {
                let why = format!("interrupted while sending, no answer recorded; {NO_REREAD}");
                return self
                    .finish(entry, Outcome::Unknown { why }, None, None, clock)
                    .await;
            }
            return self.unchanged(entry, None);
        }
        match self.reread(handle, &entry).await {
            ReRead::Visible(fresh) => {
                let message = "confirmed by re-reading the order".to_owned();
                self.finish(
                    entry,
                    Outcome::Confirmed { message },
                    Some(fresh),
                    None,
                    clock,
                )
                .await
            }
            ReRead::Unreachable(err) => {
                if owned && entry.state == JournalState::Sending {
                    let why = format!(
                        "interrupted while sending, no answer recorded; re-read failed: {err}"
                    );
                    self.finish(entry, Outcome::Unknown { why }, None, Some(err), clock)
                        .await
                } else {
                    self.unchanged(entry, Some(err))
                }
            }
            ReRead::NotVisible(fresh) => {
                if entry.receipt.is_some() || !owned {
                    return self.unchanged_with(entry, Some(fresh));
                }
                if entry.sends >= MAX_SENDS {
                    let why = not_applied(entry.sends);
                    return self
                        .finish(entry, Outcome::Failed { why }, Some(fresh), None, clock)
                        .await;
                }
                if handle.writer.is_none() {
                    // Read-only now: it cannot be sent; leave it for a
                    // console that can.
                    return self.unchanged_with(entry, Some(fresh));
                }
                self.send_and_settle(handle, entry, fresh, clock).await
            }
        }
    }
}
