//! Actions on orders, described as data: which exist, whether an order allows
//! one (and why not), the form a dialog shows, the validated request that the
//! action executor sends. Carriers declare these; the UI renders them without
//! knowing the carrier.

use std::fmt;

/// Everything a user can do to an order. Which ones a carrier offers is its
/// profile's business (see `carriers::CarrierProfile`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionKind {
    /// Take a new order in (Tjänsteguiden: `set_status received`).
    Acknowledge,
    SetStatus,
    AddMessage,
    Cancel,
    Supplement,
    AddPayLink,
}

impl ActionKind {
    pub const ALL: [ActionKind; 6] = [
        ActionKind::Acknowledge,
        ActionKind::SetStatus,
        ActionKind::AddMessage,
        ActionKind::Cancel,
        ActionKind::Supplement,
        ActionKind::AddPayLink,
    ];

    /// Stable machine name (journal, JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Acknowledge => "acknowledge",
            ActionKind::SetStatus => "set_status",
            ActionKind::AddMessage => "add_message",
            ActionKind::Cancel => "cancel",
            ActionKind::Supplement => "supplement",
            ActionKind::AddPayLink => "add_pay_link",
        }
    }

    /// Human name.
    pub fn label(self) -> &'static str {
        match self {
            ActionKind::Acknowledge => "acknowledge",
            ActionKind::SetStatus => "set status",
            ActionKind::AddMessage => "add message",
            ActionKind::Cancel => "cancel order",
            ActionKind::Supplement => "supplement",
            ActionKind::AddPayLink => "add pay link",
        }
    }

    pub fn parse(text: &str) -> Option<ActionKind> {
        ActionKind::ALL.into_iter().find(|a| a.as_str() == text)
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Whether an action can be taken on an order right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    Available,
    /// Not possible, with the reason shown to the user
    /// ("order is completed", "not offered by this carrier", ...).
    Unavailable(String),
}

impl Availability {
    pub fn is_available(&self) -> bool {
        matches!(self, Availability::Available)
    }
}

/// How a field is edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldInput {
    /// One line of text, optionally limited in characters.
    Line { max_len: Option<usize> },
    /// Several lines (Enter inserts a newline; Ctrl-S submits).
    Multiline,
    /// One of fixed values; `(value, label)`.
    Choice { options: Vec<(String, String)> },
}

/// One field of an action form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    /// Stable id; the key in [`FormValues`] and in [`FieldError::field`].
    pub id: &'static str,
    pub label: String,
    pub input: FieldInput,
    /// Prefilled value (for a choice: the option's value).
    pub initial: String,
    /// A hint shown under the field (format, rule).
    pub help: Option<String>,
}

impl FieldSpec {
    pub fn line(id: &'static str, label: impl Into<String>, initial: impl Into<String>) -> Self {
        FieldSpec {
            id,
            label: label.into(),
            input: FieldInput::Line { max_len: None },
            initial: initial.into(),
            help: None,
        }
    }

    pub fn multiline(id: &'static str, label: impl Into<String>) -> Self {
        FieldSpec {
            id,
            label: label.into(),
            input: FieldInput::Multiline,
            initial: String::new(),
            help: None,
        }
    }

    pub fn choice(
        id: &'static str,
        label: impl Into<String>,
        options: Vec<(String, String)>,
        initial: impl Into<String>,
    ) -> Self {
        FieldSpec {
            id,
            label: label.into(),
            input: FieldInput::Choice { options },
            initial: initial.into(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// What a dialog shows for an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionForm {
    pub action: ActionKind,
    pub title: String,
    /// Sentences shown above the fields (what will happen).
    pub intro: Vec<String>,
    pub fields: Vec<FieldSpec>,
}

/// The values a user typed, by field id, in form order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormValues(pub Vec<(String, String)>);

impl FormValues {
    pub fn get(&self, id: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    pub fn set(&mut self, id: &str, value: impl Into<String>) {
        let value = value.into();
        match self.0.iter_mut().find(|(k, _)| k == id) {
            Some(slot) => slot.1 = value,
            None => self.0.push((id.to_owned(), value)),
        }
    }

    /// Initial values of a form.
    pub fn from_form(form: &ActionForm) -> Self {
        FormValues(
            form.fields
                .iter()
                .map(|f| (f.id.to_owned(), f.initial.clone()))
                .collect(),
        )
    }
}

/// A validation failure: which field (none = the form as a whole), the
/// carrier's error code for the rule when it has one, and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Option<&'static str>,
    pub code: Option<String>,
    pub message: String,
}

impl FieldError {
    pub fn at(field: &'static str, code: Option<&str>, message: impl Into<String>) -> Self {
        FieldError {
            field: Some(field),
            code: code.map(str::to_owned),
            message: message.into(),
        }
    }

    pub fn form(message: impl Into<String>) -> Self {
        FieldError {
            field: None,
            code: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.code {
            Some(code) => write!(f, "{} ({code})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// How sure the user must be before the request is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmRule {
    None,
    /// A yes/no question.
    YesNo(String),
    /// The user types `expected` (e.g. the order id) to go on: for what cannot
    /// be undone.
    TypeToConfirm {
        prompt: String,
        expected: String,
    },
}

impl ConfirmRule {
    /// The rule for a request that cannot be undone: type-to-confirm on
    /// `id`, keeping the carrier's own question when it asked one.
    pub fn for_irreversible(self, id: &str) -> ConfirmRule {
        let ask = |question: &str| ConfirmRule::TypeToConfirm {
            prompt: format!("{question} Type the order id to confirm."),
            expected: id.to_owned(),
        };
        match self {
            ConfirmRule::TypeToConfirm { .. } => self,
            ConfirmRule::YesNo(question) => ask(question.trim_end()),
            ConfirmRule::None => ask(&format!("Send to order {id}? This cannot be undone.")),
        }
    }
}

/// A validated write, ready for the action executor. `params` are the
/// carrier's parameters by name; the carrier's writer turns them into its
/// wire format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRequest {
    pub action: ActionKind,
    pub params: Vec<(String, String)>,
    /// One line for the journal and the status line ("set status received").
    pub summary: String,
    /// The exact body that will be sent, when the carrier can show it.
    pub preview: Option<String>,
}

impl ActionRequest {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_irreversible_request_always_types_the_id() {
        let typed = |rule: ConfirmRule| match rule.for_irreversible("19530") {
            ConfirmRule::TypeToConfirm { prompt, expected } => (prompt, expected),
            other => panic!("{other:?}"),
        };
        let (prompt, expected) = typed(ConfirmRule::YesNo("Cancel tg/19530?".into()));
        assert_eq!(prompt, "Cancel tg/19530? Type the order id to confirm.");
        assert_eq!(expected, "19530");
        let (prompt, _) = typed(ConfirmRule::None);
        assert!(prompt.contains("cannot be undone"), "{prompt}");
        let own = ConfirmRule::TypeToConfirm {
            prompt: "Type 7.".into(),
            expected: "7".into(),
        };
        assert_eq!(own.clone().for_irreversible("19530"), own);
    }
}
