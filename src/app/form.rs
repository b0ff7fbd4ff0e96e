//! The form step of an action dialog: [`FormState`], the fields being
//! edited ([`FieldValue`]) and what an editing key does to them. Where the
//! form opens, how choices change and when typed text counts as typed are
//! described in `dialog`'s module doc. No I/O.

use super::dialog::Input;
use super::input::TextInput;
use super::keymap::Action;
use crate::domain::{ActionForm, ActionKind, FieldError, FieldInput, FormValues, Order, OrderKey};

/// A field being edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    Text(TextInput),
    Choice {
        /// `(value, label)`, as the carrier gave them.
        options: Vec<(String, String)>,
        selected: usize,
        /// The option that is the order's current value, if any.
        current: Option<usize>,
    },
}

impl FieldValue {
    pub fn value(&self) -> String {
        match self {
            FieldValue::Text(t) => t.text().to_owned(),
            FieldValue::Choice {
                options, selected, ..
            } => options
                .get(*selected)
                .map(|(v, _)| v.clone())
                .unwrap_or_default(),
        }
    }
}

/// The form step (also kept inside the later steps so Esc can go back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormState {
    pub key: OrderKey,
    pub action: ActionKind,
    pub form: ActionForm,
    pub fields: Vec<FieldValue>,
    pub focus: usize,
    /// Validation errors: per field (shown under it) and form-level (top).
    pub errors: Vec<FieldError>,
    /// The carrier's answer to the last send, verbatim.
    pub send_error: Option<String>,
    /// Whether that answer came from the carrier: false when it could not
    /// be reached (timeout, refused or dropped connection).
    pub send_reached: bool,
}

impl FormState {
    pub fn new(order: &Order, form: ActionForm) -> FormState {
        let fields: Vec<FieldValue> = form
            .fields
            .iter()
            .map(|spec| match &spec.input {
                FieldInput::Line { max_len } => {
                    FieldValue::Text(TextInput::new(&spec.initial, false, *max_len))
                }
                FieldInput::Multiline => {
                    FieldValue::Text(TextInput::new(&spec.initial, true, None))
                }
                FieldInput::Choice { options } => {
                    let selected = options
                        .iter()
                        .position(|(v, _)| *v == spec.initial)
                        .unwrap_or(0);
                    let current = options.iter().position(|(v, l)| {
                        v.eq_ignore_ascii_case(&order.status.raw)
                            && !l.to_lowercase().contains("current")
                    });
                    FieldValue::Choice {
                        options: options.clone(),
                        selected,
                        current,
                    }
                }
            })
            .collect();
        let focus = fields
            .iter()
            .position(|f| matches!(f, FieldValue::Text(_)))
            .unwrap_or(0);
        FormState {
            key: order.key.clone(),
            action: form.action,
            form,
            fields,
            focus,
            errors: Vec::new(),
            send_error: None,
            send_reached: true,
        }
    }

    pub fn values(&self) -> FormValues {
        FormValues(
            self.form
                .fields
                .iter()
                .zip(&self.fields)
                .map(|(spec, v)| (spec.id.to_owned(), v.value()))
                .collect(),
        )
    }

    /// Whether the user typed in a text field (its text differs from the
    /// prefilled one): closing would drop it, so Esc asks first.
    pub fn typed(&self) -> bool {
        self.form
            .fields
            .iter()
            .zip(&self.fields)
            .any(|(spec, v)| matches!(v, FieldValue::Text(t) if t.text() != spec.initial))
    }

    /// Errors for field `index`.
    pub fn field_errors(&self, index: usize) -> impl Iterator<Item = &FieldError> {
        let id = self.form.fields.get(index).map(|f| f.id);
        self.errors
            .iter()
            .filter(move |e| e.field.is_some() && e.field == id)
    }

    /// Form-level errors, and errors naming a field the form does not have.
    pub fn form_errors(&self) -> impl Iterator<Item = &FieldError> {
        self.errors.iter().filter(|e| match e.field {
            None => true,
            Some(id) => !self.form.fields.iter().any(|f| f.id == id),
        })
    }

    fn is_multiline(&self) -> bool {
        matches!(self.fields.get(self.focus), Some(FieldValue::Text(t)) if t.multiline)
    }

    fn focused_text(&mut self) -> Option<&mut TextInput> {
        match self.fields.get_mut(self.focus) {
            Some(FieldValue::Text(t)) => Some(t),
            _ => None,
        }
    }

    fn edited(&mut self) {
        if let Some(id) = self.form.fields.get(self.focus).map(|f| f.id) {
            self.errors.retain(|e| e.field != Some(id));
        }
    }

    fn move_focus(&mut self, forward: bool) {
        let n = self.fields.len();
        if n > 0 {
            self.focus = if forward {
                (self.focus + 1) % n
            } else {
                (self.focus + n - 1) % n
            };
        }
    }

    fn step_choice(&mut self, forward: bool) -> bool {
        if let Some(FieldValue::Choice {
            options, selected, ..
        }) = self.fields.get_mut(self.focus)
        {
            if forward {
                *selected = (*selected + 1).min(options.len().saturating_sub(1));
            } else {
                *selected = selected.saturating_sub(1);
            }
            true
        } else {
            false
        }
    }

    /// A letter typed on a choice field: the choice stays, and the field
    /// says how to choose and where the text goes.
    fn choice_typed_into(&mut self) {
        let Some(spec) = self.form.fields.get(self.focus) else {
            return;
        };
        let id = spec.id;
        let text_field = self
            .form
            .fields
            .iter()
            .zip(&self.fields)
            .find(|(_, v)| matches!(v, FieldValue::Text(_)))
            .map(|(f, _)| f.label.clone());
        let mut message = format!(
            "{} changes only with up/down or space; letters do not change it",
            spec.label
        );
        if let Some(label) = text_field {
            message.push_str(&format!(" (tab to {label} to type)"));
        }
        self.errors.retain(|e| e.field != Some(id));
        self.errors.push(FieldError::at(id, None, message));
    }

    /// Applies an editing key. Returns true when the user asked to submit.
    pub(super) fn edit(&mut self, input: &Input) -> bool {
        match input {
            Input::Action(Action::Accept) => {
                if self.is_multiline() {
                    if let Some(t) = self.focused_text() {
                        t.insert('\n');
                    }
                    self.edited();
                    false
                } else {
                    true
                }
            }
            Input::Action(Action::Submit) => true,
            Input::Action(Action::NextField) => {
                self.move_focus(true);
                false
            }
            Input::Action(Action::PrevField) => {
                self.move_focus(false);
                false
            }
            Input::Action(a @ (Action::Up | Action::Down)) => {
                let down = *a == Action::Down;
                if self.step_choice(down) {
                    self.edited();
                    return false;
                }
                let moved = match self.focused_text() {
                    Some(t) if t.multiline => {
                        if down {
                            t.down()
                        } else {
                            t.up()
                        }
                    }
                    _ => false,
                };
                if !moved {
                    let n = self.fields.len();
                    if down && self.focus + 1 < n {
                        self.focus += 1;
                    } else if !down && self.focus > 0 {
                        self.focus -= 1;
                    }
                }
                false
            }
            Input::Action(a @ (Action::Left | Action::Right)) => {
                let right = *a == Action::Right;
                if self.step_choice(right) {
                    self.edited();
                } else if let Some(t) = self.focused_text() {
                    if right { t.right() } else { t.left() }
                }
                false
            }
            Input::Action(action) => {
                if let Some(t) = self.focused_text() {
                    if !t.edit(*action) {
                        return false;
                    }
                    self.edited();
                }
                false
            }
            Input::Char(c) => {
                match self.fields.get_mut(self.focus) {
                    Some(FieldValue::Text(t)) => {
                        t.insert(*c);
                    }
                    Some(FieldValue::Choice {
                        options, selected, ..
                    }) => {
                        if *c == ' ' {
                            // Space cycles through the options.
                            *selected = (*selected + 1) % options.len().max(1);
                        } else {
                            self.choice_typed_into();
                            return false;
                        }
                    }
                    None => {}
                }
                self.edited();
                false
            }
            Input::Paste(text) => {
                if let Some(t) = self.focused_text() {
                    t.insert_str(text);
                }
                self.edited();
                false
            }
        }
    }
}
