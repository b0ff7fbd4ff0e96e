//! A small text editor for the filter bar and dialog fields: text plus a
//! cursor (a char index), single- or multi-line, optionally limited in length.
//! Pure data; the ui draws it.

use super::keymap::Action;

/// Editable text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    text: String,
    /// Cursor position in chars, `0..=len`.
    cursor: usize,
    pub multiline: bool,
    pub max_len: Option<usize>,
}

impl TextInput {
    /// Whether `action` is one [`TextInput::edit`] applies: cursor moves
    /// within the line and deletions, the same in every text field.
    pub fn is_edit(action: Action) -> bool {
        matches!(
            action,
            Action::Left
                | Action::Right
                | Action::Home
                | Action::End
                | Action::Backspace
                | Action::Delete
                | Action::DeleteWord
                | Action::ClearLine
        )
    }

    /// Applies an editing action; `false` (nothing changed) for any action
    /// that is not one (see [`TextInput::is_edit`]).
    pub fn edit(&mut self, action: Action) -> bool {
        match action {
            Action::Left => self.left(),
            Action::Right => self.right(),
            Action::Home => self.home(),
            Action::End => self.end(),
            Action::Backspace => self.backspace(),
            Action::Delete => self.delete(),
            Action::DeleteWord => self.delete_word(),
            Action::ClearLine => self.clear_line(),
            _ => return false,
        }
        true
    }

    pub fn new(text: &str, multiline: bool, max_len: Option<usize>) -> TextInput {
        let mut input = TextInput {
            text: String::new(),
            cursor: 0,
            multiline,
            max_len,
        };
        input.insert_str(text);
        input
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn len(&self) -> usize {
        self.text.chars().count()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    fn byte_at(&self, char_index: usize) -> usize {
        self.text
            .char_indices()
            .nth(char_index)
            .map_or(self.text.len(), |(b, _)| b)
    }

    /// Inserts a typed character; control characters are never stored and a
    /// newline only in multi-line inputs. Returns false when refused.
    pub fn insert(&mut self, c: char) -> bool {
        let c = if c == '\n' && !self.multiline { ' ' } else { c };
        if (c.is_control() && c != '\n') || self.max_len.is_some_and(|m| self.len() >= m) {
            return false;
        }
        let at = self.byte_at(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
        true
    }

    /// Inserts pasted text (sanitized the same way as typed characters).
    pub fn insert_str(&mut self, text: &str) {
        let clean = if self.multiline {
            crate::domain::sanitize_multiline(text)
        } else {
            crate::domain::sanitize(text)
        };
        for c in clean.chars() {
            if !self.insert(c) {
                break;
            }
        }
    }

    pub fn set(&mut self, text: &str) {
        self.text.clear();
        self.cursor = 0;
        self.insert_str(text);
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    pub fn backspace(&mut self) {
        if self.cursor > 0 {
            self.cursor -= 1;
            let at = self.byte_at(self.cursor);
            self.text.remove(at);
        }
    }

    pub fn delete(&mut self) {
        if self.cursor < self.len() {
            let at = self.byte_at(self.cursor);
            self.text.remove(at);
        }
    }

    pub fn delete_word(&mut self) {
        let chars: Vec<char> = self.text.chars().collect();
        let mut start = self.cursor;
        while start > 0 && chars[start - 1].is_whitespace() {
            start -= 1;
        }
        while start > 0 && !chars[start - 1].is_whitespace() {
            start -= 1;
        }
        let (a, b) = (self.byte_at(start), self.byte_at(self.cursor));
        self.text.replace_range(a..b, "");
        self.cursor = start;
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.len());
    }

    /// (line, column) of the cursor, in chars.
    pub fn line_col(&self) -> (usize, usize) {
        let mut line = 0;
        let mut col = 0;
        for c in self.text.chars().take(self.cursor) {
            if c == '\n' {
                line += 1;
                col = 0;
            } else {
                col += 1;
            }
        }
        (line, col)
    }

    /// Char index of the start of each line.
    fn line_starts(&self) -> Vec<usize> {
        let mut starts = vec![0];
        for (i, c) in self.text.chars().enumerate() {
            if c == '\n' {
                starts.push(i + 1);
            }
        }
        starts
    }

    fn line_len(&self, starts: &[usize], line: usize) -> usize {
        let end = starts.get(line + 1).map_or(self.len(), |s| s - 1);
        end - starts[line]
    }

    pub fn home(&mut self) {
        let (line, _) = self.line_col();
        self.cursor = self.line_starts()[line];
    }

    pub fn end(&mut self) {
        let (line, _) = self.line_col();
        let starts = self.line_starts();
        self.cursor = starts[line] + self.line_len(&starts, line);
    }

    /// Moves up a line; false when already on the first line.
    pub fn up(&mut self) -> bool {
        let (line, col) = self.line_col();
        if line == 0 {
            return false;
        }
        let starts = self.line_starts();
        self.cursor = starts[line - 1] + col.min(self.line_len(&starts, line - 1));
        true
    }

    /// Moves down a line; false when already on the last line.
    pub fn down(&mut self) -> bool {
        let (line, col) = self.line_col();
        let starts = self.line_starts();
        if line + 1 >= starts.len() {
            return false;
        }
        self.cursor = starts[line + 1] + col.min(self.line_len(&starts, line + 1));
        true
    }

    /// Clears the current line (single-line: everything).
    pub fn clear_line(&mut self) {
        if !self.multiline {
            self.clear();
            return;
        }
        let (line, _) = self.line_col();
        let starts = self.line_starts();
        let start = starts[line];
        let end = start + self.line_len(&starts, line);
        let (a, b) = (self.byte_at(start), self.byte_at(end));
        self.text.replace_range(a..b, "");
        self.cursor = start;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn edit_applies_exactly_the_editing_actions() {
        use crate::app::keymap::Action;
        for action in [
            Action::Left,
            Action::Backspace,
            Action::ClearLine,
            Action::Down,
            Action::Accept,
        ] {
            let mut t = TextInput::new("ab cd", false, None);
            assert_eq!(t.edit(action), TextInput::is_edit(action), "{action:?}");
        }
        let mut t = TextInput::new("ab cd", false, None);
        t.edit(Action::DeleteWord);
        assert_eq!(t.text(), "ab ");
        t.edit(Action::ClearLine);
        assert_eq!(t.text(), "");
    }

    use super::*;

    #[test]
    fn edits_at_the_cursor() {
        let mut t = TextInput::new("Åsa", false, None);
        assert_eq!(t.cursor(), 3);
        t.home();
        t.insert('X');
        t.right();
        t.delete();
        assert_eq!(t.text(), "XÅa");
        t.end();
        t.backspace();
        assert_eq!(t.text(), "XÅ");
        t.insert_str(" hej då\u{1b}[2J");
        assert_eq!(t.text(), "XÅ hej då");
        t.delete_word();
        assert_eq!(t.text(), "XÅ hej ");
        t.clear_line();
        assert_eq!(t.text(), "");
    }

    #[test]
    fn respects_max_len_and_single_line() {
        let mut t = TextInput::new("", false, Some(3));
        for c in "abcd".chars() {
            t.insert(c);
        }
        assert_eq!(t.text(), "abc");
        let mut t = TextInput::new("", false, None);
        t.insert('\n');
        assert_eq!(t.text(), " ");
    }

    #[test]
    fn multiline_moves_between_lines() {
        let mut t = TextInput::new("first line\nab\nthird", true, None);
        assert_eq!(t.line_col(), (2, 5));
        assert!(t.up());
        assert_eq!(t.line_col(), (1, 2));
        assert!(t.up());
        assert_eq!(t.line_col(), (0, 2));
        assert!(!t.up());
        t.end();
        assert_eq!(t.line_col(), (0, 10));
        assert!(t.down());
        assert_eq!(t.line_col(), (1, 2));
        t.insert('\n');
        assert_eq!(t.text(), "first line\nab\n\nthird");
        t.clear_line();
        t.backspace();
        assert_eq!(t.text(), "first line\nab\nthird");
    }
}
