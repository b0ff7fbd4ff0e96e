//! Action dialogs: one enum, [`Dialog`], whose variants are the steps of a
//! write: the form, the confirmation, sending. Built from the carrier's
//! profile (`form`, `validate`, `confirmation`); knows nothing about any
//! carrier. Transitions consume the dialog and return the next one, so a step
//! cannot be half-updated. No I/O: sending is an [`Outcome::Send`] that
//! `update` turns into `Effect::Execute`.
//!
//! Choices where the brief is silent:
//! - A choice field marks as "(current)" the option whose value equals the
//!   order's raw status (case-insensitive), unless the carrier's label already
//!   says so. A choice changes only with Up/Down, Left/Right or space (the
//!   footer says so); a letter typed on a choice field changes nothing and
//!   says, at the field, how to choose and how to reach the text.
//! - A form opens on its first text field (what is typed at once lands
//!   there); choices keep the carrier's preselected value (`log` for a
//!   message).
//! - A form with no fields at all (Voice cancel) opens straight on its
//!   confirmation when it has one; Esc there closes the dialog.
//! - Up/Down on a single-line field move to the previous/next field; on a
//!   multi-line field they move between lines first.
//! - Editing a field clears that field's inline errors; the carrier's answer
//!   to the last send stays until the next submit.
//! - A request the profile calls irreversible is confirmed by typing the
//!   order id, whatever the carrier's `confirmation` asked and whichever key
//!   opened the dialog.
//! - Esc on a confirmation step goes back to the form (input kept); Esc on the
//!   form closes the dialog; Esc while sending hides the dialog (the outcome
//!   still reaches the status line and the order).

use chrono::{DateTime, Utc};

pub use super::form::{FieldValue, FormState};
use super::input::TextInput;
use super::keymap::Action;
use super::msg::Ticket;
use crate::carriers::CarrierProfile;
use crate::domain::{ActionRequest, ConfirmRule, FieldError, Order, OrderKey};

/// The confirmation asked for by the carrier's [`ConfirmRule`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmStep {
    YesNo(String),
    TypeToConfirm {
        prompt: String,
        expected: String,
        input: TextInput,
    },
}

impl ConfirmStep {
    /// Whether Enter may send now.
    pub fn satisfied(&self) -> bool {
        match self {
            ConfirmStep::YesNo(_) => true,
            ConfirmStep::TypeToConfirm {
                expected, input, ..
            } => input.text() == expected,
        }
    }
}

/// The modal dialog: one value, one step at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dialog {
    Form(FormState),
    Confirm {
        form: FormState,
        request: ActionRequest,
        step: ConfirmStep,
        /// Scroll of the request preview.
        scroll: u16,
    },
    Sending {
        form: FormState,
        request: ActionRequest,
        ticket: Ticket,
    },
}

/// A key (already resolved in the dialog layer) or typed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Action(Action),
    Char(char),
    Paste(String),
}

/// What `update` must do after a dialog step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Keep showing the (possibly changed) dialog.
    Stay(Dialog),
    /// The user closed the dialog before sending.
    Closed,
    /// Send this request (the form is kept for the sending step).
    Send(FormState, ActionRequest),
    /// Hide the sending dialog; the write goes on.
    Hide { ticket: Ticket, key: OrderKey },
}

impl Dialog {
    pub fn form(&self) -> &FormState {
        match self {
            Dialog::Form(form) | Dialog::Confirm { form, .. } | Dialog::Sending { form, .. } => {
                form
            }
        }
    }

    pub fn key(&self) -> &OrderKey {
        &self.form().key
    }

    /// One step. `order` is the order as the store holds it now (`None` if it
    /// has gone), `profile` its carrier's.
    pub fn step(
        self,
        input: Input,
        profile: &dyn CarrierProfile,
        order: Option<&Order>,
        now: DateTime<Utc>,
    ) -> Outcome {
        match self {
            Dialog::Form(mut form) => {
                if input == Input::Action(Action::Back) {
                    return Outcome::Closed;
                }
                if form.edit(&input) {
                    submit(form, profile, order, now)
                } else {
                    Outcome::Stay(Dialog::Form(form))
                }
            }
            Dialog::Confirm {
                form,
                request,
                mut step,
                mut scroll,
            } => {
                let yes = match (&mut step, &input) {
                    // A form with no fields opened on its confirmation.
                    (_, Input::Action(Action::Back)) if form.fields.is_empty() => {
                        return Outcome::Closed;
                    }
                    (_, Input::Action(Action::Back)) => {
                        return Outcome::Stay(Dialog::Form(form));
                    }
                    (_, Input::Action(Action::Down)) => {
                        scroll = scroll.saturating_add(1);
                        false
                    }
                    (_, Input::Action(Action::Up)) => {
                        scroll = scroll.saturating_sub(1);
                        false
                    }
                    (_, Input::Action(Action::PageDown)) => {
                        scroll = scroll.saturating_add(10);
                        false
                    }
                    (_, Input::Action(Action::PageUp)) => {
                        scroll = scroll.saturating_sub(10);
                        false
                    }
                    (ConfirmStep::YesNo(_), Input::Action(Action::Accept | Action::Submit)) => true,
                    (ConfirmStep::YesNo(_), Input::Char('y' | 'Y')) => true,
                    (ConfirmStep::YesNo(_), Input::Char('n' | 'N')) if form.fields.is_empty() => {
                        return Outcome::Closed;
                    }
                    (ConfirmStep::YesNo(_), Input::Char('n' | 'N')) => {
                        return Outcome::Stay(Dialog::Form(form));
                    }
                    (ConfirmStep::YesNo(_), Input::Char('j')) => {
                        scroll = scroll.saturating_add(1);
                        false
                    }
                    (ConfirmStep::YesNo(_), Input::Char('k')) => {
                        scroll = scroll.saturating_sub(1);
                        false
                    }
                    (ConfirmStep::YesNo(_), _) => false,
                    (
                        ConfirmStep::TypeToConfirm { .. },
                        Input::Action(Action::Accept | Action::Submit),
                    ) => step.satisfied(),
                    (ConfirmStep::TypeToConfirm { input: text, .. }, other) => {
                        match other {
                            Input::Char(c) => {
                                text.insert(*c);
                            }
                            Input::Paste(p) => text.insert_str(p),
                            Input::Action(action) => {
                                text.edit(*action);
                            }
                        }
                        false
                    }
                };
                if yes {
                    Outcome::Send(form, request)
                } else {
                    Outcome::Stay(Dialog::Confirm {
                        form,
                        request,
                        step,
                        scroll,
                    })
                }
            }
            Dialog::Sending {
                form,
                request,
                ticket,
            } => {
                if input == Input::Action(Action::Back) {
                    Outcome::Hide {
                        ticket,
                        key: form.key,
                    }
                } else {
                    Outcome::Stay(Dialog::Sending {
                        form,
                        request,
                        ticket,
                    })
                }
            }
        }
    }
}

/// The first step of a new dialog: a form with no fields opens on its
/// confirmation when the request asks for one (there is nothing to fill
/// in); otherwise on the form.
pub(super) fn opening(
    form: FormState,
    profile: &dyn CarrierProfile,
    order: &Order,
    now: DateTime<Utc>,
) -> Dialog {
    if form.fields.is_empty()
        && let Outcome::Stay(confirm @ Dialog::Confirm { .. }) =
            submit(form.clone(), profile, Some(order), now)
    {
        return confirm;
    }
    Dialog::Form(form)
}

/// Validates with the carrier's rules and moves to the confirmation or sends.
fn submit(
    mut form: FormState,
    profile: &dyn CarrierProfile,
    order: Option<&Order>,
    now: DateTime<Utc>,
) -> Outcome {
    let Some(order) = order else {
        form.errors = vec![FieldError::form("this order is no longer known")];
        return Outcome::Stay(Dialog::Form(form));
    };
    form.send_error = None;
    let values = form.values();
    match profile.validate(order, form.action, &values, now) {
        Err(errors) => {
            let errors = if errors.is_empty() {
                vec![FieldError::form("the carrier's rules refused this input")]
            } else {
                errors
            };
            if let Some(first) = form
                .form
                .fields
                .iter()
                .position(|f| errors.iter().any(|e| e.field == Some(f.id)))
            {
                form.focus = first;
            }
            form.errors = errors;
            Outcome::Stay(Dialog::Form(form))
        }
        Ok(request) => {
            form.errors.clear();
            let rule = profile.confirmation(order, &request);
            let rule = if profile.irreversible(order, &request) {
                rule.for_irreversible(&order.key.id)
            } else {
                rule
            };
            match rule {
                ConfirmRule::None => Outcome::Send(form, request),
                ConfirmRule::YesNo(question) => Outcome::Stay(Dialog::Confirm {
                    form,
                    request,
                    step: ConfirmStep::YesNo(question),
                    scroll: 0,
                }),
                ConfirmRule::TypeToConfirm { prompt, expected } => Outcome::Stay(Dialog::Confirm {
                    form,
                    request,
                    step: ConfirmStep::TypeToConfirm {
                        prompt,
                        expected,
                        input: TextInput::new("", false, None),
                    },
                    scroll: 0,
                }),
            }
        }
    }
}
