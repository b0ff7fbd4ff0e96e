//! Local notes (`n`): the note editor, its save and the notes held per
//! order (keyed by `OrderKey`, each list oldest first). A note never reaches a carrier and works in read-only mode. The
//! editor keeps its text until the store confirms the save; Esc while saving
//! hides it, a failed save shows it again with the error, so typed text is
//! never lost. Empty (whitespace-only) notes are refused inline. Pure: the
//! save is [`Effect::SaveNote`], answered by `Msg::NoteSaved`.
//!
//! Where notes (and flags) are kept is [`Keeping`], told by the runtime
//! (`Msg::NotesKept`): with the store off they go to a named fallback file,
//! which the editor names before anything is typed, or, when there is no
//! such file either, `n` and `f` are refused with why. A note is never
//! reported "saved" when it was not kept.

use super::input::TextInput;
use super::keymap::Action;
use super::msg::Effect;
use super::state::{Level, Modal, State};
use crate::domain::Note;
use crate::domain::OrderKey;

/// Longest note, in characters.
pub const NOTE_MAX: usize = 4000;

/// Where notes and flags are kept this session.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Keeping {
    /// In the local store, with the cache.
    #[default]
    Store,
    /// The store is off: appended to this plain file (its path).
    File(String),
    /// Nowhere durable (why): notes and flags are refused.
    Nowhere(String),
}

impl Keeping {
    /// How a kept note or flag is reported in the status line.
    pub(super) fn kept_where(&self) -> String {
        match self {
            Keeping::Store => "local only".into(),
            Keeping::File(path) => format!("kept in {path}; the local store is off"),
            Keeping::Nowhere(_) => "not kept".into(),
        }
    }
}

/// The note editor ([`Modal::Note`]). Esc while it is saving hides it
/// (it waits behind the screen for the store's answer); a failed save
/// brings it back with the error, at once when no other overlay is open,
/// otherwise when that one closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteEditor {
    pub key: OrderKey,
    pub input: TextInput,
    /// Why the text was not saved (empty, or the store's error); the text is kept.
    pub error: Option<String>,
    /// Waiting for `Msg::NoteSaved`.
    pub saving: bool,
    /// Hidden with Esc while saving; shown again if the save fails.
    pub hidden: bool,
}

impl State {
    /// Where notes and flags are kept this session.
    pub fn keeping(&self) -> &Keeping {
        &self.keeping
    }

    /// An order's local notes, oldest first.
    pub fn notes(&self, key: &OrderKey) -> &[Note] {
        self.notes.get(key).map_or(&[], Vec::as_slice)
    }

    pub(super) fn open_note(&mut self) {
        if let Some(editor) = &self.note_behind {
            let key = editor.key.clone();
            self.say(
                Level::Warning,
                format!("{key}: the previous note is still being saved"),
            );
            return;
        }
        let Some(order) = self.selected() else {
            self.say(Level::Warning, "note: no order selected");
            return;
        };
        if let Keeping::Nowhere(why) = &self.keeping {
            let message = format!("{}: a note cannot be kept this session: {why}", order.key);
            self.say(Level::Error, message);
            return;
        }
        self.modal = Some(Modal::Note(NoteEditor {
            key: order.key.clone(),
            input: TextInput::new("", true, Some(NOTE_MAX)),
            error: None,
            saving: false,
            hidden: false,
        }));
    }

    /// A key in the note editor (dialog layer).
    pub(super) fn note_key(
        &mut self,
        action: Option<Action>,
        typed: Option<char>,
        fx: &mut Vec<Effect>,
    ) {
        let Some(Modal::Note(editor)) = &mut self.modal else {
            return;
        };
        if action == Some(Action::Back) {
            let key = editor.key.clone();
            if editor.saving {
                editor.hidden = true;
                if let Some(Modal::Note(editor)) = self.modal.take() {
                    self.note_behind = Some(editor);
                }
                self.say(Level::Info, format!("{key}: saving the note…"));
            } else {
                self.close_modal();
                self.say(Level::Info, format!("{key}: note closed, nothing saved"));
            }
            return;
        }
        if editor.saving {
            // The text being saved stays as it is.
            return;
        }
        let input = &mut editor.input;
        match (action, typed) {
            (Some(Action::Submit), _) => {
                if input.text().trim().is_empty() {
                    editor.error = Some("the note is empty: type something, or Esc".into());
                } else {
                    editor.error = None;
                    editor.saving = true;
                    fx.push(Effect::SaveNote {
                        key: editor.key.clone(),
                        text: input.text().to_owned(),
                    });
                }
                return;
            }
            (Some(Action::Accept), _) => {
                input.insert('\n');
            }
            (Some(Action::Up), _) => {
                input.up();
                return;
            }
            (Some(Action::Down), _) => {
                input.down();
                return;
            }
            (Some(action), _) if TextInput::is_edit(action) => {
                input.edit(action);
            }
            (None, Some(c)) => {
                input.insert(c);
            }
            _ => return,
        }
        editor.error = None;
    }

    pub(super) fn note_paste(&mut self, text: &str) {
        if let Some(Modal::Note(editor)) = &mut self.modal
            && !editor.saving
        {
            editor.input.insert_str(text);
            editor.error = None;
        }
    }

    pub(super) fn on_note_saved(&mut self, key: OrderKey, result: Result<Note, String>) {
        let ours = |n: &NoteEditor| n.key == key && n.saving;
        let shown = matches!(&self.modal, Some(Modal::Note(n)) if ours(n));
        let behind = self.note_behind.as_ref().is_some_and(ours);
        match result {
            Ok(note) => {
                if shown {
                    self.close_modal();
                }
                if behind {
                    self.note_behind = None;
                }
                let list = self.notes.entry(key.clone()).or_default();
                list.retain(|n| n.id != note.id);
                list.push(note);
                list.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
                let message = match &self.keeping {
                    Keeping::Store if self.team.is_some() => {
                        format!("{key}: note saved for the team")
                    }
                    Keeping::Store => format!("{key}: note saved (local only)"),
                    other => format!("{key}: note {}", other.kept_where()),
                };
                self.say(Level::Ok, message);
            }
            Err(error) => {
                let error = crate::domain::sanitize(&error);
                let failed = |editor: &mut NoteEditor| {
                    editor.saving = false;
                    editor.hidden = false;
                    editor.error = Some(format!("not saved: {error}"));
                };
                if shown && let Some(Modal::Note(editor)) = &mut self.modal {
                    failed(editor);
                }
                if behind {
                    if let Some(editor) = &mut self.note_behind {
                        failed(editor);
                    }
                    // Back at once unless another overlay is open.
                    if self.modal.is_none() {
                        self.close_modal();
                    }
                }
                self.say(Level::Error, format!("{key}: note not saved: {error}"));
            }
        }
    }
}
