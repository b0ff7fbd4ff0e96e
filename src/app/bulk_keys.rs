//! Keys and pastes in the bulk dialog (see `bulk`): the fields or the
//! note's text, the confirmation (scroll, y/n, the typed count), Esc at
//! each step (back, close, stop sending), closing the summary. Pure: no I/O.

use super::bulk::{BulkStep, bulk_nothing};
use super::dialog::{ConfirmStep, Input};
use super::input::TextInput;
use super::keymap::Action;
use super::msg::Effect;
use super::state::{Level, Modal, State};

impl State {
    /// A key in the bulk dialog.
    pub(super) fn bulk_key(
        &mut self,
        action: Option<Action>,
        typed: Option<char>,
        fx: &mut Vec<Effect>,
    ) {
        let Some(Modal::Bulk(bulk)) = &mut self.modal else {
            return;
        };
        let back = action == Some(Action::Back);
        match &mut bulk.step {
            BulkStep::Reading if back => {
                let (label, nothing) = (bulk.kind.label(), bulk_nothing(bulk.kind));
                self.close_modal();
                self.say(Level::Info, format!("{label}: closed, {nothing}"));
            }
            BulkStep::Reading => {}
            BulkStep::Edit => {
                if back {
                    let (label, nothing) = (bulk.kind.label(), bulk_nothing(bulk.kind));
                    self.close_modal();
                    self.say(Level::Info, format!("{label}: closed, {nothing}"));
                    return;
                }
                if let Some(form) = &mut bulk.form {
                    let input = match (action, typed) {
                        (Some(a), _) => Input::Action(a),
                        (None, Some(c)) => Input::Char(c),
                        (None, None) => return,
                    };
                    if form.edit(&input) {
                        form.errors.clear();
                        self.bulk_plan();
                    }
                } else if let Some(note) = &mut bulk.note {
                    match (action, typed) {
                        (Some(Action::Submit), _) if note.text().trim().is_empty() => {
                            self.say(
                                Level::Warning,
                                "note: the note is empty: type something, or Esc",
                            );
                        }
                        (Some(Action::Submit), _) => self.bulk_plan(),
                        (Some(Action::Accept), _) => {
                            note.insert('\n');
                        }
                        (Some(Action::Up), _) => {
                            note.up();
                        }
                        (Some(Action::Down), _) => {
                            note.down();
                        }
                        (Some(a), _) if TextInput::is_edit(a) => {
                            note.edit(a);
                        }
                        (None, Some(c)) => {
                            note.insert(c);
                        }
                        _ => {}
                    }
                }
            }
            BulkStep::Confirm { step, scroll, .. } => {
                let yes = match (action, typed) {
                    (Some(Action::Back), _) | (None, Some('n' | 'N'))
                        if matches!(step, ConfirmStep::YesNo(_)) || back =>
                    {
                        let has_fields = bulk.note.is_some()
                            || bulk.form.as_ref().is_some_and(|f| !f.fields.is_empty());
                        if has_fields {
                            bulk.step = BulkStep::Edit;
                        } else {
                            let (label, nothing) = (bulk.kind.label(), bulk_nothing(bulk.kind));
                            self.close_modal();
                            self.say(Level::Info, format!("{label}: closed, {nothing}"));
                        }
                        return;
                    }
                    (Some(Action::Down), _) => {
                        *scroll = scroll.saturating_add(1);
                        false
                    }
                    (Some(Action::Up), _) => {
                        *scroll = scroll.saturating_sub(1);
                        false
                    }
                    (Some(Action::PageDown), _) => {
                        *scroll = scroll.saturating_add(10);
                        false
                    }
                    (Some(Action::PageUp), _) => {
                        *scroll = scroll.saturating_sub(10);
                        false
                    }
                    (Some(Action::Accept | Action::Submit), _) => step.satisfied(),
                    (None, Some('y' | 'Y')) if matches!(step, ConfirmStep::YesNo(_)) => true,
                    (a, c) => {
                        if let ConfirmStep::TypeToConfirm { input, .. } = step {
                            match (a, c) {
                                (_, Some(c)) => {
                                    input.insert(c);
                                }
                                (Some(a), None) => {
                                    input.edit(a);
                                }
                                _ => {}
                            }
                        }
                        false
                    }
                };
                if yes {
                    self.bulk_start(fx);
                }
            }
            BulkStep::Sending { .. } => {
                if back {
                    self.bulk_stop(fx);
                }
            }
            BulkStep::Done { scroll, .. } => match action {
                Some(Action::Back | Action::Accept) => self.close_modal(),
                Some(Action::Down) => *scroll = scroll.saturating_add(1),
                Some(Action::Up) => *scroll = scroll.saturating_sub(1),
                Some(Action::PageDown) => *scroll = scroll.saturating_add(10),
                Some(Action::PageUp) => *scroll = scroll.saturating_sub(10),
                _ => {}
            },
        }
    }

    /// Text pasted into the bulk dialog: into the focused field, the note
    /// or the type-to-confirm line.
    pub(super) fn bulk_paste(&mut self, text: &str) {
        let Some(Modal::Bulk(bulk)) = &mut self.modal else {
            return;
        };
        match &mut bulk.step {
            BulkStep::Edit => {
                if let Some(form) = &mut bulk.form {
                    form.edit(&Input::Paste(text.to_owned()));
                } else if let Some(note) = &mut bulk.note {
                    note.insert_str(text);
                }
            }
            BulkStep::Confirm {
                step: ConfirmStep::TypeToConfirm { input, .. },
                ..
            } => input.insert_str(text),
            _ => {}
        }
    }
}
