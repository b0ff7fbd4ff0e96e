//! Team mode's part of the console's decisions: the team store's link (the
//! header's store chip: connected, reconnecting, unreachable since HH:MM),
//! carriers learnt from the store (their health as the daemon reports it
//! drives their chips), colleagues' notes and flags as they change, and
//! presence: who else has which order open, and what this agent publishes
//! about themselves ([`State::presence_now`]). Pure: the runtime brings
//! the store's news as [`TeamMsg`] and publishes what this module decides.
//! A solo console never holds a [`Team`] and none of this shows.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::state::{CarrierInfo, Chip, Level, Modal, State, SyncPhase};
use crate::domain::{ActionKind, Flag, JournalState, Note, OrderKey};

/// A lost link is shown as "reconnecting" this long, then as "unreachable
/// since HH:MM".
pub const RECONNECTING_FOR: Duration = Duration::seconds(30);
/// A colleague's presence not refreshed for this long is gone (the team
/// store's rule: `store::postgres::PRESENCE_FRESH`).
pub const PRESENCE_GONE: Duration = Duration::seconds(60);

/// The link to the team store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLink {
    /// Starting: not connected yet.
    Connecting,
    Connected,
    /// Lost at `since`, being retried; `why` is the last failure.
    Lost {
        since: DateTime<Utc>,
        why: String,
    },
}

/// What `r` says in team mode: nothing is polled from a console.
pub const DAEMON_POLLS: &str =
    "team mode: the team's sync daemon polls the carriers; changes show here as it saves them";

/// One agent's presence, as the team store holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub agent: String,
    pub order: Option<OrderKey>,
    /// The dialog they are in, in words ("writing a message").
    pub dialog: Option<String>,
    pub at: DateTime<Utc>,
}

impl Seen {
    /// "erik is viewing", "anna is writing a message".
    pub fn words(&self) -> String {
        match &self.dialog {
            Some(dialog) => format!("{} is {dialog}", self.agent),
            None => format!("{} is viewing", self.agent),
        }
    }
}

/// A carrier's health as the team's daemon reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    pub carrier: String,
    pub ok: bool,
    pub detail: Option<String>,
    pub checked_at: DateTime<Utc>,
    pub next_poll: Option<DateTime<Utc>>,
}

/// What the team store brings.
#[derive(Debug, Clone)]
pub enum TeamMsg {
    /// Carriers seen in the store for the first time.
    Carriers(Vec<CarrierInfo>),
    Connected,
    Lost {
        since: DateTime<Utc>,
        why: String,
    },
    /// An order's notes as they now stand.
    Notes {
        key: OrderKey,
        notes: Vec<Note>,
    },
    /// An order's flag as it now stands.
    Flag {
        key: OrderKey,
        flag: Option<Flag>,
    },
    Health(Vec<Health>),
    /// Everyone's presence, this agent's included.
    Presence(Vec<Seen>),
}

/// Team mode's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub link: StoreLink,
    pub presence: Vec<Seen>,
}

impl State {
    /// Puts the console in team mode (before the first frame).
    pub fn start_team(&mut self) {
        self.team = Some(Team {
            link: StoreLink::Connecting,
            presence: Vec::new(),
        });
    }

    /// Team mode's state, `None` for a solo console.
    pub fn team(&self) -> Option<&Team> {
        self.team.as_ref()
    }

    pub(super) fn on_team(&mut self, msg: TeamMsg) {
        match msg {
            TeamMsg::Carriers(infos) => {
                for info in infos {
                    if self.carrier(&info.name).is_none() {
                        self.carriers.push(super::state::Carrier {
                            info,
                            chip: Chip::new(),
                        });
                    }
                }
            }
            TeamMsg::Connected => {
                let was_lost = matches!(self.team_link(), Some(StoreLink::Lost { .. }));
                self.set_link(StoreLink::Connected);
                if was_lost {
                    self.say(Level::Ok, "team store: connected again, caught up");
                }
            }
            TeamMsg::Lost { since, why } => {
                // The first loss is `since`; a failed retry keeps it.
                let since = match self.team_link() {
                    Some(StoreLink::Lost { since: first, .. }) => *first,
                    _ => since,
                };
                self.set_link(StoreLink::Lost { since, why });
            }
            TeamMsg::Notes { key, mut notes } => {
                notes.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
                self.notes.insert(key, notes);
            }
            TeamMsg::Flag { key, flag } => {
                if self.flag_pending.contains(&key) {
                    // Ours, on its way: `FlagSaved` settles it.
                    return;
                }
                self.store.set_flagged(&key, flag.is_some());
                match flag {
                    Some(flag) => self.flags.insert(key, flag),
                    None => self.flags.remove(&key),
                };
                self.resync_cursor();
            }
            TeamMsg::Health(list) => {
                for health in list {
                    if let Some(carrier) = self.carrier_mut(&health.carrier) {
                        apply_health(&mut carrier.chip, health);
                    }
                }
            }
            TeamMsg::Presence(list) => {
                if let Some(team) = &mut self.team {
                    team.presence = list;
                }
            }
        }
    }

    fn team_link(&self) -> Option<&StoreLink> {
        self.team.as_ref().map(|t| &t.link)
    }

    fn set_link(&mut self, link: StoreLink) {
        if let Some(team) = &mut self.team {
            team.link = link;
        }
    }

    /// What an empty table says while a team console has not read the
    /// store yet (`None` for a solo console): reading it, or why it cannot.
    pub fn team_loading_words(&self) -> Option<String> {
        Some(match self.team_link()? {
            StoreLink::Lost { why, .. } => format!(
                "Waiting for the team store: {why}. Trying again; the orders show once it answers."
            ),
            _ => "Reading the team store…".into(),
        })
    }

    /// The header's store chip: its words and whether it is bad news
    /// (`None` for a solo console).
    pub fn store_chip(&self) -> Option<(String, Level)> {
        Some(match self.team_link()? {
            StoreLink::Connecting => ("team store connecting".into(), Level::Info),
            StoreLink::Connected => ("team store connected".into(), Level::Ok),
            StoreLink::Lost { since, .. } if self.now - *since < RECONNECTING_FOR => {
                ("team store reconnecting".into(), Level::Warning)
            }
            StoreLink::Lost { since, .. } => {
                let at = since.with_timezone(&self.tz).format("%H:%M");
                (format!("team store unreachable since {at}"), Level::Error)
            }
        })
    }

    /// The others on `key` now (this agent and stale presences left out),
    /// by name.
    pub fn others_on(&self, key: &OrderKey) -> Vec<&Seen> {
        let Some(team) = &self.team else {
            return Vec::new();
        };
        let mut seen: Vec<&Seen> = team
            .presence
            .iter()
            .filter(|p| p.agent != self.user && p.order.as_ref() == Some(key))
            .filter(|p| self.now - p.at < PRESENCE_GONE)
            .collect();
        seen.sort_by(|a, b| a.agent.cmp(&b.agent));
        seen
    }

    /// Orders others have open, for the table's mark.
    pub fn watched_orders(&self) -> HashMap<&OrderKey, usize> {
        let mut out = HashMap::new();
        if let Some(team) = &self.team {
            for p in &team.presence {
                if p.agent != self.user && self.now - p.at < PRESENCE_GONE {
                    if let Some(key) = &p.order {
                        *out.entry(key).or_default() += 1;
                    }
                }
            }
        }
        out
    }

    /// A colleague's write on `key` not settled yet, in words ("anna's set
    /// status delivered is sending").
    pub fn colleague_write(&self, key: &OrderKey) -> Option<String> {
        self.team.as_ref()?;
        let entry = self
            .journal
            .iter()
            .find(|e| e.key == *key && e.author != self.user && !e.state.is_final())?;
        let what = if entry.request.summary.is_empty() {
            entry.action().label().to_owned()
        } else {
            entry.request.summary.clone()
        };
        let how = match entry.state {
            JournalState::Recorded => "waiting to be sent",
            JournalState::Sending => "sending",
            _ => "not settled yet",
        };
        Some(format!("{}'s {what} is {how}", entry.author))
    }

    /// What this agent publishes: the order they have open (the detail, or
    /// a dialog or note on it) and the dialog they are in, in words. `None`
    /// for a solo or read-only console.
    pub fn presence_now(&self) -> Option<(Option<OrderKey>, Option<String>)> {
        if self.team.is_none() || self.readonly {
            return None;
        }
        Some(match &self.modal {
            Some(Modal::Dialog(dialog)) => {
                let doing = match dialog.form().action {
                    ActionKind::AddMessage => "writing a message".to_owned(),
                    other => format!("about to {}", other.label()),
                };
                (Some(dialog.key().clone()), Some(doing))
            }
            Some(Modal::Note(note)) => (Some(note.key.clone()), Some("writing a note".into())),
            _ if self.focus == super::state::Focus::Detail => {
                (self.selected().map(|s| s.key.clone()), None)
            }
            _ => (None, None),
        })
    }
}

/// The daemon's report as the carrier's chip: no longer "cached" once the
/// daemon has reported.
fn apply_health(chip: &mut Chip, health: Health) {
    chip.cached = false;
    chip.next_poll = health.next_poll;
    if health.ok {
        chip.phase = SyncPhase::Ok;
        chip.last_ok = Some(health.checked_at);
        chip.last_error = None;
    } else {
        let why = health
            .detail
            .unwrap_or_else(|| "the last poll failed".into());
        chip.last_error = Some(why.clone());
        chip.phase = SyncPhase::Error(why);
    }
}
