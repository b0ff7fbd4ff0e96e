//! Bulk triage: one action on every marked order (see `marks`). With marks,
//! `a` (acknowledge), `t` (set status), `f` (flag) and `n` (note) open the
//! bulk dialog, [`Bulk`], instead of the one-order dialog; its steps:
//! 1. reading the marked orders' full forms (a write is checked against
//!    the order itself, as the one-order path does);
//! 2. the fields once (the form of the first order that allows the action;
//!    a note's text), skipped when the action has none;
//! 3. one confirmation listing the orders to send and the ones skipped with
//!    why: the carrier does not offer the action for it (its profile's
//!    `availability`), its rules refuse the values (`validate`), or it could
//!    not be read. Skipped orders are never sent. When any request is
//!    irreversible (the profile's `irreversible`, the rule the one-order
//!    path applies to the request's effect) or a carrier asks for typing,
//!    the number of orders to send must be typed; otherwise y/enter;
//! 4. sending, one order at a time (`bulk_send`): each write is an
//!    `Effect::Execute` with its own ticket, so each gets its own journal
//!    entry; flags and notes go through the local paths (`Effect::SetFlag`,
//!    `Effect::SaveNote`). The status line counts `12/30 sent`; Esc stops
//!    after the write in flight;
//! 5. the summary: confirmed, refused, unknown, not sent, skipped. Confirmed
//!    orders lose their mark; the others stay marked, so they are one `a`
//!    away from a second try.
//!
//! `c`, `m`, `u`, `p` act on one order: with marks they say so instead.
//! Read-only mode refuses carrier actions as the one-order path does; a
//! flag or a note is local and allowed. Pure: no I/O.

use super::form::FormState;
use super::full::FullState;
use super::input::TextInput;
use super::keymap::Action;
use super::msg::{Effect, Ticket};
use super::notes::{Keeping, NOTE_MAX};
use super::state::{Level, Modal, State};
use crate::domain::{ActionKind, ActionRequest, Availability, ConfirmRule, OrderKey};

pub use super::dialog::ConfirmStep;

/// At most this many orders in one bulk action (each full order is held
/// while it runs).
pub const BULK_MAX: usize = 500;

/// What a bulk action does to each order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkKind {
    /// A carrier write (acknowledge, set status).
    Act(ActionKind),
    /// Set the local follow-up flag.
    Flag,
    /// Add one local note to each.
    Note,
}

/// What closing the dialog before the end did not do.
pub(super) fn bulk_nothing(kind: BulkKind) -> &'static str {
    match kind {
        BulkKind::Act(_) => "nothing sent",
        BulkKind::Flag | BulkKind::Note => "nothing saved",
    }
}

impl BulkKind {
    pub fn label(self) -> &'static str {
        match self {
            BulkKind::Act(kind) => kind.label(),
            BulkKind::Flag => "flag",
            BulkKind::Note => "note",
        }
    }
}

/// One order to send to, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub key: OrderKey,
    /// The validated request (carrier writes only).
    pub request: Option<ActionRequest>,
    /// One line: the request's summary, "flag for follow-up", "add note".
    pub what: String,
}

/// What came of one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    /// The carrier accepted it (or the flag/note was saved).
    Confirmed(String),
    /// The carrier refused it, or could not be reached: not applied.
    Refused(String),
    /// Sent with no answer: it may have been applied.
    Unknown(String),
    /// Never sent (stopped, or the order was no longer held).
    NotSent(String),
}

impl Fate {
    pub fn word(&self) -> &'static str {
        match self {
            Fate::Confirmed(_) => "confirmed",
            Fate::Refused(_) => "refused",
            Fate::Unknown(_) => "unknown",
            Fate::NotSent(_) => "not sent",
        }
    }

    pub fn text(&self) -> &str {
        match self {
            Fate::Confirmed(t) | Fate::Refused(t) | Fate::Unknown(t) | Fate::NotSent(t) => t,
        }
    }
}

/// Where the bulk dialog stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkStep {
    /// Waiting for the marked orders' full forms.
    Reading,
    /// The fields (`Bulk::form`) or the note's text (`Bulk::note`).
    Edit,
    Confirm {
        send: Vec<Planned>,
        step: ConfirmStep,
        scroll: u16,
    },
    Sending {
        send: Vec<Planned>,
        /// The next to send.
        next: usize,
        /// The order whose write or save is out (its ticket for a write).
        in_flight: Option<(Option<Ticket>, OrderKey)>,
        done: Vec<(OrderKey, Fate)>,
        /// Esc: send no more after the one in flight.
        stopping: bool,
    },
    Done {
        done: Vec<(OrderKey, Fate)>,
        scroll: u16,
    },
}

/// The bulk dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bulk {
    pub kind: BulkKind,
    /// Every marked order, in view order.
    pub keys: Vec<OrderKey>,
    /// The orders the action can be taken on (after reading).
    pub targets: Vec<OrderKey>,
    /// Orders left out, and why; never sent.
    pub skipped: Vec<(OrderKey, String)>,
    /// The fields, once, for a carrier action that has some.
    pub form: Option<FormState>,
    /// The note's text, for a bulk note.
    pub note: Option<TextInput>,
    pub step: BulkStep,
}

impl Bulk {
    /// The orders whose full form must stay held while this runs.
    pub fn held_keys(&self) -> &[OrderKey] {
        match self.kind {
            BulkKind::Act(_) => &self.keys,
            BulkKind::Flag | BulkKind::Note => &[],
        }
    }

    /// The bulk write with `ticket` in flight, if it is this one's.
    pub fn owns(&self, ticket: Ticket) -> bool {
        matches!(
            &self.step,
            BulkStep::Sending { in_flight: Some((Some(t), _)), .. } if *t == ticket
        )
    }

    /// The local save (flag or note) of `key` in flight, if it is this one's.
    pub fn awaits_local(&self, key: &OrderKey) -> bool {
        matches!(
            &self.step,
            BulkStep::Sending { in_flight: Some((None, k)), .. } if k == key
        )
    }

    /// Whether the fields hold typed text (Esc asks before dropping it).
    pub fn typed(&self) -> bool {
        self.step == BulkStep::Edit
            && (self.note.as_ref().is_some_and(|n| !n.is_empty())
                || self.form.as_ref().is_some_and(FormState::typed))
    }

    /// `(settled, total)` while sending.
    pub fn progress(&self) -> Option<(usize, usize)> {
        match &self.step {
            BulkStep::Sending { send, done, .. } => Some((done.len(), send.len())),
            _ => None,
        }
    }
}

/// `"tg/1: why; tg/2: why …"`: the first few reasons, for a status line.
fn reasons(list: &[(OrderKey, String)]) -> String {
    let mut text: Vec<String> = list
        .iter()
        .take(3)
        .map(|(k, why)| format!("{k}: {why}"))
        .collect();
    if list.len() > 3 {
        text.push(format!("and {} more", list.len() - 3));
    }
    text.join("; ")
}

impl State {
    /// The bulk dialog, when open.
    pub fn bulk(&self) -> Option<&Bulk> {
        match &self.modal {
            Some(Modal::Bulk(bulk)) => Some(bulk),
            _ => None,
        }
    }

    /// `c`, `m`, `u`, `p` with marks: they act on one order.
    pub(super) fn one_order_only(&mut self, kind: ActionKind) {
        let clear = self
            .keymap
            .hint(super::keymap::Layer::Table, Action::ClearMarks)
            .unwrap_or_else(|| "esc".into());
        self.say(
            Level::Warning,
            format!(
                "{} works on one order at a time, not on the {} marked ({clear} clears the marks)",
                kind.label(),
                self.marks.len()
            ),
        );
    }

    /// Opens the bulk dialog for the marked orders.
    pub(super) fn open_bulk(&mut self, kind: BulkKind, fx: &mut Vec<Effect>) {
        let label = kind.label();
        if let BulkKind::Act(_) = kind
            && self.readonly
        {
            self.say(
                Level::Warning,
                format!("read-only mode: {label} is disabled"),
            );
            return;
        }
        if matches!(kind, BulkKind::Flag | BulkKind::Note)
            && let Keeping::Nowhere(why) = &self.keeping
        {
            let text = format!("{label}: nothing can be kept this session: {why}");
            self.say(Level::Error, text);
            return;
        }
        let keys = self.marked_keys();
        if keys.len() > BULK_MAX {
            self.say(
                Level::Warning,
                format!(
                    "{label}: {} orders are marked; one bulk action takes at most {BULK_MAX}",
                    keys.len()
                ),
            );
            return;
        }
        if let BulkKind::Act(_) = kind {
            for key in &keys {
                self.full.want(key, fx);
            }
        }
        let note = (kind == BulkKind::Note).then(|| TextInput::new("", true, Some(NOTE_MAX)));
        self.modal = Some(Modal::Bulk(Bulk {
            kind,
            keys,
            targets: Vec::new(),
            skipped: Vec::new(),
            form: None,
            note,
            step: BulkStep::Reading,
        }));
        self.bulk_ready(fx);
    }

    /// Moves a bulk dialog past reading once every marked order is held
    /// or failed (called after every update).
    pub(super) fn bulk_ready(&mut self, _fx: &mut Vec<Effect>) {
        let Some(Modal::Bulk(bulk)) = &self.modal else {
            return;
        };
        if bulk.step != BulkStep::Reading {
            return;
        }
        let kind = bulk.kind;
        let mut targets = Vec::new();
        let mut skipped = Vec::new();
        for key in &bulk.keys {
            match kind {
                BulkKind::Act(action) => {
                    let Some(profile) = self.carrier(&key.carrier).map(|c| &c.info.profile) else {
                        skipped.push((key.clone(), "unknown carrier".to_owned()));
                        continue;
                    };
                    match self.full.state(key) {
                        FullState::Held(order) => match profile.availability(order, action) {
                            Availability::Available if profile.form(order, action).is_some() => {
                                targets.push(key.clone());
                            }
                            Availability::Available => {
                                skipped.push((key.clone(), "not offered by this carrier".into()));
                            }
                            Availability::Unavailable(why) => {
                                skipped.push((key.clone(), crate::domain::sanitize(&why)));
                            }
                        },
                        FullState::Failed(why) => {
                            skipped.push((key.clone(), format!("could not be read: {why}")));
                        }
                        FullState::Loading | FullState::Absent => return,
                    }
                }
                BulkKind::Flag if self.flags.contains_key(key) => {
                    skipped.push((key.clone(), "already flagged".to_owned()));
                }
                BulkKind::Flag | BulkKind::Note => targets.push(key.clone()),
            }
        }
        let Some(Modal::Bulk(mut bulk)) = self.modal.take() else {
            return;
        };
        let label = kind.label();
        if targets.is_empty() {
            let text = format!(
                "{label}: not possible for any of the {} marked orders ({})",
                bulk.keys.len(),
                reasons(&skipped)
            );
            self.close_modal();
            self.say(Level::Warning, text);
            return;
        }
        bulk.targets = targets;
        bulk.skipped = skipped;
        if let BulkKind::Act(action) = kind {
            let first = &bulk.targets[0];
            let form = self.carrier(&first.carrier).and_then(|c| {
                let order = self.full.get(first)?;
                let form = c.info.profile.form(order, action)?;
                Some(FormState::new(order, form))
            });
            let Some(mut form) = form else {
                self.close_modal();
                self.say(
                    Level::Warning,
                    format!("{label}: {first} is no longer held"),
                );
                return;
            };
            let n = bulk.targets.len();
            let mut title = label.to_owned();
            title[..1].make_ascii_uppercase();
            form.form.title = format!("{title}: {n} marked orders");
            form.form.intro = vec![format!(
                "These values go to each of the {n} orders, each sent on its own with its own journal entry. The orders are listed before anything is sent."
            )];
            let no_fields = form.fields.is_empty();
            bulk.form = Some(form);
            if no_fields {
                self.modal = Some(Modal::Bulk(bulk));
                self.bulk_plan();
                return;
            }
        } else if kind == BulkKind::Flag {
            self.modal = Some(Modal::Bulk(bulk));
            self.bulk_plan();
            return;
        }
        bulk.step = BulkStep::Edit;
        self.modal = Some(Modal::Bulk(bulk));
    }

    /// From the fields to the confirmation: each target's request, checked
    /// by its carrier's rules; the ones refused are skipped with why.
    pub(super) fn bulk_plan(&mut self) {
        let Some(Modal::Bulk(mut bulk)) = self.modal.take() else {
            return;
        };
        let mut send = Vec::new();
        let mut refused = Vec::new();
        let mut typed = false;
        let mut irreversible = 0;
        let mut first_errors = None;
        match bulk.kind {
            BulkKind::Act(action) => {
                let values = bulk
                    .form
                    .as_ref()
                    .map(FormState::values)
                    .unwrap_or_default();
                for key in &bulk.targets {
                    let (Some(carrier), Some(order)) =
                        (self.carrier(&key.carrier), self.full.get(key))
                    else {
                        refused.push((key.clone(), "no longer held".to_owned()));
                        continue;
                    };
                    let profile = &carrier.info.profile;
                    match profile.validate(order, action, &values, self.now) {
                        Ok(request) => {
                            if profile.irreversible(order, &request) {
                                irreversible += 1;
                            }
                            typed |= matches!(
                                profile.confirmation(order, &request),
                                ConfirmRule::TypeToConfirm { .. }
                            );
                            send.push(Planned {
                                key: key.clone(),
                                what: request.summary.clone(),
                                request: Some(request),
                            });
                        }
                        Err(errors) => {
                            let why: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
                            let why = if why.is_empty() {
                                "the carrier's rules refused this input".to_owned()
                            } else {
                                crate::domain::sanitize(&why.join("; "))
                            };
                            first_errors.get_or_insert(errors);
                            refused.push((key.clone(), why));
                        }
                    }
                }
            }
            BulkKind::Flag => {
                send = bulk
                    .targets
                    .iter()
                    .map(|key| Planned {
                        key: key.clone(),
                        request: None,
                        what: "flag for follow-up (local)".into(),
                    })
                    .collect();
            }
            BulkKind::Note => {
                send = bulk
                    .targets
                    .iter()
                    .map(|key| Planned {
                        key: key.clone(),
                        request: None,
                        what: "add the note (local)".into(),
                    })
                    .collect();
            }
        }
        let n = send.len();
        if n == 0 {
            // Nothing passes: back to the fields with the first order's
            // errors, or closed when there are no fields to change.
            match (&mut bulk.form, first_errors) {
                (Some(form), Some(errors)) if !form.fields.is_empty() => {
                    form.errors = errors;
                    bulk.step = BulkStep::Edit;
                    self.modal = Some(Modal::Bulk(bulk));
                }
                _ => {
                    let mut all = bulk.skipped.clone();
                    all.extend(refused);
                    let text = format!(
                        "{}: none of the {} marked orders can take it ({})",
                        bulk.kind.label(),
                        bulk.keys.len(),
                        reasons(&all)
                    );
                    self.close_modal();
                    self.say(Level::Warning, text);
                }
            }
            return;
        }
        bulk.skipped.extend(refused);
        let label = bulk.kind.label();
        let orders = if n == 1 { "order" } else { "orders" };
        let step = if irreversible > 0 || typed {
            let undone = if irreversible > 0 {
                format!("{irreversible} of these writes cannot be undone. ")
            } else {
                String::new()
            };
            ConfirmStep::TypeToConfirm {
                prompt: format!("{undone}Type {n}, the number of {orders} to send, to confirm."),
                expected: n.to_string(),
                input: TextInput::new("", false, Some(8)),
            }
        } else {
            ConfirmStep::YesNo(format!("{label}: send to these {n} {orders}?"))
        };
        bulk.step = BulkStep::Confirm {
            send,
            step,
            scroll: 0,
        };
        self.modal = Some(Modal::Bulk(bulk));
    }
}
