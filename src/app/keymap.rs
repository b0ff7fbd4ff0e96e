//! Keys as data: which key means which [`Action`] in which [`Layer`]. A key is
//! first resolved to an action (a pure table lookup, unit-tested here), then
//! `update` executes the action. The help overlay is generated from the same
//! table, so it cannot drift from what the keys do. The actions and their
//! words are in `action`, the layers and built-in views in `layer`.
//!
//! Choices where the design is silent:
//! - Overrides (`Options.keys`, `[keys]` in the config) name an action of the
//!   navigation layers (table, detail, help) and give one or more keys
//!   separated by whitespace (`down = "n ctrl-n"`). They replace every default
//!   key of that action in every layer it is bound in. A default binding of
//!   another action on the same key in the same layer is dropped (the override
//!   wins), except quit's: taking quit's key is an error unless quit is
//!   given another key; two overrides on one key in one layer are an error.
//! - The editing layers (filter bar, dialogs) keep fixed keys: a remapped
//!   letter there would swallow typing. They are listed in the help all the same.
//! - Ctrl-C quits from every layer and cannot be remapped.
//! - One meaning per key everywhere: `n` (note), `f` (flag), `J` (journal)
//!   and `/` (filter) work in the table and the detail pane alike. The detail
//!   pane's next/previous order are `]`/`[` (no letter: `j`/`k` scroll there,
//!   and the letters the table uses already mean something).
//! - The journal overlay is its own layer with fixed keys: letters type into
//!   its filter line, arrows and pages move, Home/End jump to the first/last
//!   entry; ctrl-r sends the selected unknown write again, after a `y`.
//! - The command palette (`:`) is its own layer with fixed keys too:
//!   letters type into its line at once, arrows and ctrl-n/ctrl-p move.

use std::collections::BTreeMap;

use crossterm::event::KeyCode;

pub use super::action::Action;
pub use super::key::Key;
pub use super::layer::{Layer, ViewKind};
use crate::domain::ActionKind;

/// One entry of the key table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    pub layer: Layer,
    pub key: Key,
    pub action: Action,
}

/// The key table. Lookup is a linear scan of a few dozen entries per layer.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyMap {
    bindings: Vec<Binding>,
}

fn defaults() -> Vec<Binding> {
    use Action as A;
    use KeyCode as K;
    let mut out = Vec::new();
    let mut bind = |layer: Layer, keys: &[Key], action: Action| {
        for &key in keys {
            out.push(Binding { layer, key, action });
        }
    };
    let p = Key::plain;
    let c = |ch: char| p(K::Char(ch));

    // Orders table.
    let t = Layer::Table;
    bind(t, &[c('j'), p(K::Down)], A::Down);
    bind(t, &[c('k'), p(K::Up)], A::Up);
    bind(t, &[p(K::PageDown), Key::ctrl('d')], A::PageDown);
    bind(t, &[p(K::PageUp), Key::ctrl('u')], A::PageUp);
    bind(t, &[c('g'), p(K::Home)], A::Top);
    bind(t, &[c('G'), p(K::End)], A::Bottom);
    bind(t, &[p(K::Enter), p(K::Tab)], A::OpenDetail);
    bind(t, &[c('/')], A::Filter);
    bind(t, &[p(K::Esc)], A::ClearFilter);
    bind(t, &[c('s')], A::SortNext);
    bind(t, &[c('S')], A::SortReverse);
    bind(t, &[c('1')], A::View(ViewKind::Open));
    bind(t, &[c('2')], A::View(ViewKind::Attention));
    bind(t, &[c('3')], A::View(ViewKind::New));
    bind(t, &[c('4')], A::View(ViewKind::All));
    for (i, digit) in ['5', '6', '7', '8', '9'].into_iter().enumerate() {
        bind(t, &[c(digit)], A::UserView(i as u8));
    }
    bind(t, &[c('<')], A::SortLeft);
    bind(t, &[c('>')], A::SortRight);
    bind(t, &[c('J')], A::Journal);
    bind(t, &[c('W')], A::Wallboard);
    bind(t, &[c(' ')], A::Mark);
    bind(t, &[c('V')], A::MarkRange);
    bind(t, &[c('*')], A::MarkAll);
    bind(t, &[c('x')], A::ClearMarks);
    for layer in [Layer::Table, Layer::Detail] {
        bind(layer, &[c('a')], A::Act(ActionKind::Acknowledge));
        bind(layer, &[c('t')], A::Act(ActionKind::SetStatus));
        bind(layer, &[c('c')], A::Act(ActionKind::Cancel));
        bind(layer, &[c('m')], A::Act(ActionKind::AddMessage));
        bind(layer, &[c('u')], A::Act(ActionKind::Supplement));
        bind(layer, &[c('p')], A::Act(ActionKind::AddPayLink));
        bind(layer, &[c('n')], A::Note);
        bind(layer, &[c('f')], A::Flag);
        bind(layer, &[c('r')], A::Refresh);
        bind(layer, &[c('R')], A::RefreshCarrier);
        bind(layer, &[c('?')], A::Help);
        bind(layer, &[c(':')], A::Palette);
        bind(layer, &[c('y')], A::CopyKey);
        bind(layer, &[c('Y')], A::CopyField);
        bind(layer, &[c('o')], A::OpenPortal);
        bind(layer, &[c('T')], A::ToggleTimes);
        bind(layer, &[c('E')], A::ExportView);
        bind(layer, &[c('q')], A::Quit);
    }

    // Detail pane.
    let d = Layer::Detail;
    bind(d, &[p(K::Esc), p(K::Tab)], A::CloseDetail);
    bind(d, &[c('l'), p(K::Right)], A::NextTab);
    bind(d, &[c('h'), p(K::Left)], A::PrevTab);
    bind(d, &[c('j'), p(K::Down)], A::Down);
    bind(d, &[c('k'), p(K::Up)], A::Up);
    bind(d, &[p(K::PageDown), Key::ctrl('d')], A::PageDown);
    bind(d, &[p(K::PageUp), Key::ctrl('u')], A::PageUp);
    bind(d, &[c('g'), p(K::Home)], A::Top);
    bind(d, &[c('G'), p(K::End)], A::Bottom);
    bind(d, &[c(']')], A::NextOrder);
    bind(d, &[c('[')], A::PrevOrder);
    bind(d, &[c('L')], A::FlipLog);
    bind(d, &[c('/')], A::Filter);
    bind(d, &[c('J')], A::Journal);

    // Filter bar (fixed keys; letters type).
    let f = Layer::Filter;
    bind(f, &[p(K::Enter)], A::Accept);
    bind(f, &[p(K::Esc)], A::Back);
    bind(f, &[p(K::Down)], A::Down);
    bind(f, &[p(K::Up)], A::Up);
    bind(f, &[p(K::Left)], A::Left);
    bind(f, &[p(K::Right)], A::Right);
    bind(f, &[p(K::Home), Key::ctrl('a')], A::Home);
    bind(f, &[p(K::End), Key::ctrl('e')], A::End);
    bind(f, &[p(K::Backspace)], A::Backspace);
    bind(f, &[p(K::Delete)], A::Delete);
    bind(f, &[Key::ctrl('w')], A::DeleteWord);
    bind(f, &[Key::ctrl('u')], A::ClearLine);
    bind(f, &[Key::ctrl('s')], A::SaveView);

    // Dialogs (fixed keys; letters type).
    let g = Layer::Dialog;
    bind(g, &[p(K::Esc)], A::Back);
    bind(g, &[p(K::Enter)], A::Accept);
    bind(g, &[Key::ctrl('s')], A::Submit);
    bind(g, &[p(K::Tab)], A::NextField);
    bind(g, &[p(K::BackTab)], A::PrevField);
    bind(g, &[p(K::Up)], A::Up);
    bind(g, &[p(K::Down)], A::Down);
    bind(g, &[p(K::Left)], A::Left);
    bind(g, &[p(K::Right)], A::Right);
    bind(g, &[p(K::Home), Key::ctrl('a')], A::Home);
    bind(g, &[p(K::End), Key::ctrl('e')], A::End);
    bind(g, &[p(K::PageDown)], A::PageDown);
    bind(g, &[p(K::PageUp)], A::PageUp);
    bind(g, &[p(K::Backspace)], A::Backspace);
    bind(g, &[p(K::Delete)], A::Delete);
    bind(g, &[Key::ctrl('w')], A::DeleteWord);
    bind(g, &[Key::ctrl('u')], A::ClearLine);

    // Journal overlay (fixed keys; letters type into its filter).
    let jl = Layer::Journal;
    bind(jl, &[p(K::Esc)], A::Back);
    bind(jl, &[p(K::Enter)], A::Accept);
    bind(jl, &[p(K::Down), Key::ctrl('n')], A::Down);
    bind(jl, &[p(K::Up), Key::ctrl('p')], A::Up);
    bind(jl, &[p(K::PageDown)], A::PageDown);
    bind(jl, &[p(K::PageUp)], A::PageUp);
    bind(jl, &[p(K::Home)], A::Top);
    bind(jl, &[p(K::End)], A::Bottom);
    bind(jl, &[p(K::Left)], A::Left);
    bind(jl, &[p(K::Right)], A::Right);
    bind(jl, &[p(K::Backspace)], A::Backspace);
    bind(jl, &[Key::ctrl('w')], A::DeleteWord);
    bind(jl, &[Key::ctrl('u')], A::ClearLine);
    bind(jl, &[Key::ctrl('r')], A::SendAgain);

    // Command palette (fixed keys; letters type into its line).
    let pl = Layer::Palette;
    bind(pl, &[p(K::Esc)], A::Back);
    bind(pl, &[p(K::Enter)], A::Accept);
    bind(pl, &[p(K::Down), Key::ctrl('n')], A::Down);
    bind(pl, &[p(K::Up), Key::ctrl('p')], A::Up);
    bind(pl, &[p(K::Left)], A::Left);
    bind(pl, &[p(K::Right)], A::Right);
    bind(pl, &[p(K::Home), Key::ctrl('a')], A::Home);
    bind(pl, &[p(K::End), Key::ctrl('e')], A::End);
    bind(pl, &[p(K::Backspace)], A::Backspace);
    bind(pl, &[p(K::Delete)], A::Delete);
    bind(pl, &[Key::ctrl('w')], A::DeleteWord);
    bind(pl, &[Key::ctrl('u')], A::ClearLine);

    // Help overlay.
    let h = Layer::Help;
    bind(h, &[p(K::Esc), c('?'), c('q')], A::Back);
    bind(h, &[c('j'), p(K::Down)], A::Down);
    bind(h, &[c('k'), p(K::Up)], A::Up);
    bind(h, &[p(K::PageDown), c(' ')], A::PageDown);
    bind(h, &[p(K::PageUp)], A::PageUp);
    bind(h, &[c('g'), p(K::Home)], A::Top);
    bind(h, &[c('G'), p(K::End)], A::Bottom);
    bind(h, &[c('/')], A::Filter);
    bind(h, &[p(K::Enter)], A::Accept);
    bind(h, &[p(K::Backspace)], A::Backspace);
    out
}

impl Default for KeyMap {
    fn default() -> Self {
        KeyMap {
            bindings: defaults(),
        }
    }
}

/// The key that quits from every layer.
pub fn hard_quit() -> Key {
    Key::ctrl('c')
}

impl KeyMap {
    /// The defaults with `overrides` (action name -> keys) applied.
    pub fn with_overrides(overrides: &BTreeMap<String, String>) -> Result<KeyMap, String> {
        let mut map = KeyMap::default();
        let mut claimed: Vec<(Layer, Key, &str)> = Vec::new();
        let mut added: Vec<Binding> = Vec::new();
        for (name, keys_text) in overrides {
            let action = Action::from_name(name)
                .filter(|a| {
                    map.bindings
                        .iter()
                        .any(|b| b.action == *a && b.layer.remappable())
                })
                .ok_or_else(|| {
                    let known: Vec<&str> = map.remappable_names();
                    format!(
                        "keys: unknown action {name:?}; known actions: {}",
                        known.join(", ")
                    )
                })?;
            let mut keys = Vec::new();
            for part in keys_text.split_whitespace() {
                let key = Key::parse(part).map_err(|e| format!("keys.{name}: {e}"))?;
                if key == hard_quit() {
                    return Err(format!("keys.{name}: ctrl-c is reserved for quitting"));
                }
                keys.push(key);
            }
            if keys.is_empty() {
                return Err(format!("keys.{name}: no key given"));
            }
            let layers: Vec<Layer> = Layer::ALL
                .into_iter()
                .filter(|l| {
                    l.remappable()
                        && map
                            .bindings
                            .iter()
                            .any(|b| b.layer == *l && b.action == action)
                })
                .collect();
            for layer in layers {
                for &key in &keys {
                    if let Some((_, _, other)) =
                        claimed.iter().find(|(l, k, _)| *l == layer && *k == key)
                    {
                        return Err(format!(
                            "keys: {key} is given to both {other} and {name} ({})",
                            layer.title().to_lowercase()
                        ));
                    }
                    claimed.push((layer, key, Action::name(action)));
                    added.push(Binding { layer, key, action });
                }
            }
            map.bindings
                .retain(|b| !(b.action == action && b.layer.remappable()));
        }
        // A key given to another action must not take quit's last key away:
        // the console could no longer be quit (ctrl-c aside).
        if let Some(a) = added.iter().find(|a| {
            a.action != Action::Quit
                && map
                    .bindings
                    .iter()
                    .any(|b| b.action == Action::Quit && b.layer == a.layer && b.key == a.key)
        }) {
            return Err(format!(
                "keys.{}: {} is the key of quit; give quit another key first (quit = \"...\")",
                a.action.name(),
                a.key
            ));
        }
        // Overrides win over other actions' defaults on the same key.
        map.bindings
            .retain(|b| !added.iter().any(|a| a.layer == b.layer && a.key == b.key));
        map.bindings.extend(added);
        Ok(map)
    }

    fn remappable_names(&self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = Vec::new();
        for action in Action::NAMED {
            if self
                .bindings
                .iter()
                .any(|b| b.action == *action && b.layer.remappable())
                && !names.contains(&action.name())
            {
                names.push(action.name());
            }
        }
        names
    }

    /// The action `key` means in `layer`, if any.
    pub fn resolve(&self, layer: Layer, key: Key) -> Option<Action> {
        if key == hard_quit() {
            return Some(Action::Quit);
        }
        self.bindings
            .iter()
            .find(|b| b.layer == layer && b.key == key)
            .map(|b| b.action)
    }

    /// Keys bound to `action` in `layer`, in table order.
    pub fn keys_for(&self, layer: Layer, action: Action) -> Vec<Key> {
        self.bindings
            .iter()
            .filter(|b| b.layer == layer && b.action == action)
            .map(|b| b.key)
            .collect()
    }

    /// The first key of `action` in `layer`, as text (for hints).
    pub fn hint(&self, layer: Layer, action: Action) -> Option<String> {
        self.keys_for(layer, action).first().map(Key::to_string)
    }

    /// The help overlay's content: per layer, each action with its keys and
    /// description, in table order.
    pub fn help(&self) -> Vec<(Layer, Vec<(String, &'static str)>)> {
        let mut out = Vec::new();
        for layer in Layer::ALL {
            let mut rows: Vec<(Action, Vec<Key>)> = Vec::new();
            for b in self.bindings.iter().filter(|b| b.layer == layer) {
                match rows.iter_mut().find(|(a, _)| *a == b.action) {
                    Some((_, keys)) => keys.push(b.key),
                    None => rows.push((b.action, vec![b.key])),
                }
            }
            let mut lines: Vec<(String, &'static str)> = Vec::new();
            for (action, keys) in rows {
                let keys: Vec<String> = keys.iter().map(Key::to_string).collect();
                let describe = action.describe(layer);
                // Neighbours that mean the same (keys 5 to 9) share a line.
                match lines.last_mut() {
                    Some((last, d)) if *d == describe => {
                        last.push(' ');
                        last.push_str(&keys.join(" "));
                    }
                    _ => lines.push((keys.join(" "), describe)),
                }
            }
            if matches!(layer, Layer::Table) {
                lines.push((hard_quit().to_string(), "quit (anywhere)"));
            }
            out.push((layer, lines));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyEvent, KeyModifiers};

    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> Key {
        Key::from_event(&KeyEvent::new(code, mods))
    }

    #[test]
    fn parses_key_names() {
        assert_eq!(Key::parse("r"), Ok(Key::plain(KeyCode::Char('r'))));
        assert_eq!(Key::parse("R"), Ok(Key::plain(KeyCode::Char('R'))));
        assert_eq!(Key::parse("shift-r"), Ok(Key::plain(KeyCode::Char('R'))));
        assert_eq!(Key::parse("ctrl-r"), Ok(Key::ctrl('r')));
        assert_eq!(Key::parse("C-R"), Ok(Key::ctrl('r')));
        assert_eq!(Key::parse("F5"), Ok(Key::plain(KeyCode::F(5))));
        assert_eq!(Key::parse("enter"), Ok(Key::plain(KeyCode::Enter)));
        assert_eq!(Key::parse("shift-tab"), Ok(Key::plain(KeyCode::BackTab)));
        assert_eq!(Key::parse("PgDn"), Ok(Key::plain(KeyCode::PageDown)));
        assert_eq!(Key::parse("space"), Ok(Key::plain(KeyCode::Char(' '))));
        assert_eq!(Key::parse("-"), Ok(Key::plain(KeyCode::Char('-'))));
        assert!(Key::parse("F99").is_err());
        assert!(Key::parse("hyper-x").is_err());
        assert!(Key::parse("").is_err());
    }

    #[test]
    fn events_normalize_shift_on_letters() {
        assert_eq!(
            ev(KeyCode::Char('S'), KeyModifiers::SHIFT),
            Key::plain(KeyCode::Char('S'))
        );
        assert_eq!(
            ev(KeyCode::BackTab, KeyModifiers::SHIFT),
            Key::plain(KeyCode::BackTab)
        );
        assert_eq!(
            ev(
                KeyCode::Char('S'),
                KeyModifiers::CONTROL | KeyModifiers::SHIFT
            ),
            Key::ctrl('s')
        );
    }

    #[test]
    fn typed_characters() {
        assert_eq!(
            ev(KeyCode::Char('å'), KeyModifiers::NONE).typed_char(),
            Some('å')
        );
        assert_eq!(
            ev(KeyCode::Char('Ö'), KeyModifiers::SHIFT).typed_char(),
            Some('Ö')
        );
        assert_eq!(
            ev(
                KeyCode::Char('@'),
                KeyModifiers::CONTROL | KeyModifiers::ALT
            )
            .typed_char(),
            Some('@')
        );
        assert_eq!(
            ev(KeyCode::Char('s'), KeyModifiers::CONTROL).typed_char(),
            None
        );
        assert_eq!(ev(KeyCode::Char('x'), KeyModifiers::ALT).typed_char(), None);
        assert_eq!(ev(KeyCode::Enter, KeyModifiers::NONE).typed_char(), None);
    }

    #[test]
    fn display_round_trips_through_parse() {
        for b in KeyMap::default().bindings {
            let text = b.key.to_string();
            assert_eq!(Key::parse(&text), Ok(b.key), "{text}");
        }
    }

    #[test]
    fn resolves_per_layer() {
        let map = KeyMap::default();
        let j = Key::plain(KeyCode::Char('j'));
        assert_eq!(map.resolve(Layer::Table, j), Some(Action::Down));
        assert_eq!(map.resolve(Layer::Detail, j), Some(Action::Down));
        // Letters type in the editing layers.
        assert_eq!(map.resolve(Layer::Filter, j), None);
        assert_eq!(map.resolve(Layer::Dialog, j), None);
        let esc = Key::plain(KeyCode::Esc);
        assert_eq!(map.resolve(Layer::Filter, esc), Some(Action::Back));
        assert_eq!(map.resolve(Layer::Detail, esc), Some(Action::CloseDetail));
        assert_eq!(map.resolve(Layer::Table, esc), Some(Action::ClearFilter));
        assert_eq!(
            map.resolve(Layer::Table, Key::plain(KeyCode::Char('2'))),
            Some(Action::View(ViewKind::Attention))
        );
        assert_eq!(
            map.resolve(Layer::Detail, Key::plain(KeyCode::Char('t'))),
            Some(Action::Act(ActionKind::SetStatus))
        );
        assert_eq!(map.resolve(Layer::Dialog, hard_quit()), Some(Action::Quit));
        let n = Key::plain(KeyCode::Char('n'));
        let f = Key::plain(KeyCode::Char('f'));
        let big_j = Key::plain(KeyCode::Char('J'));
        for layer in [Layer::Table, Layer::Detail] {
            assert_eq!(map.resolve(layer, n), Some(Action::Note));
            assert_eq!(map.resolve(layer, f), Some(Action::Flag));
        }
        let slash = Key::plain(KeyCode::Char('/'));
        for layer in [Layer::Table, Layer::Detail] {
            assert_eq!(map.resolve(layer, big_j), Some(Action::Journal));
            assert_eq!(map.resolve(layer, slash), Some(Action::Filter));
        }
        assert_eq!(
            map.resolve(Layer::Detail, Key::plain(KeyCode::Char(']'))),
            Some(Action::NextOrder)
        );
        assert_eq!(
            map.resolve(Layer::Detail, Key::plain(KeyCode::Char('['))),
            Some(Action::PrevOrder)
        );
        // Letters type into the journal's filter.
        assert_eq!(map.resolve(Layer::Journal, j), None);
        assert_eq!(map.resolve(Layer::Journal, esc), Some(Action::Back));
    }

    #[test]
    fn note_flag_journal_are_overridable() {
        let mut o = BTreeMap::new();
        o.insert("note".to_string(), "N".to_string());
        o.insert("flag".to_string(), "F".to_string());
        o.insert("journal".to_string(), "ctrl-j".to_string());
        let map = KeyMap::with_overrides(&o).unwrap();
        assert_eq!(
            map.resolve(Layer::Table, Key::plain(KeyCode::Char('N'))),
            Some(Action::Note)
        );
        assert_eq!(
            map.resolve(Layer::Detail, Key::plain(KeyCode::Char('F'))),
            Some(Action::Flag)
        );
        assert_eq!(
            map.resolve(Layer::Table, Key::ctrl('j')),
            Some(Action::Journal)
        );
        assert_eq!(
            map.resolve(Layer::Table, Key::plain(KeyCode::Char('n'))),
            None
        );
    }

    #[test]
    fn every_action_name_round_trips() {
        for a in Action::NAMED {
            assert_eq!(Action::from_name(a.name()), Some(*a));
        }
    }

    #[test]
    fn overrides_replace_and_win() {
        let mut o = BTreeMap::new();
        o.insert("refresh".to_string(), "F5 ctrl-r".to_string());
        o.insert("quit".to_string(), "x".to_string());
        let map = KeyMap::with_overrides(&o).unwrap();
        let r = Key::plain(KeyCode::Char('r'));
        assert_eq!(map.resolve(Layer::Table, r), None);
        assert_eq!(
            map.resolve(Layer::Table, Key::plain(KeyCode::F(5))),
            Some(Action::Refresh)
        );
        assert_eq!(
            map.resolve(Layer::Detail, Key::ctrl('r')),
            Some(Action::Refresh)
        );
        assert_eq!(
            map.resolve(Layer::Table, Key::plain(KeyCode::Char('x'))),
            Some(Action::Quit)
        );
        assert_eq!(
            map.resolve(Layer::Table, Key::plain(KeyCode::Char('q'))),
            None
        );
        // Stealing another action's default key.
        let mut o = BTreeMap::new();
        o.insert("refresh".to_string(), "s".to_string());
        let map = KeyMap::with_overrides(&o).unwrap();
        assert_eq!(
            map.resolve(Layer::Table, Key::plain(KeyCode::Char('s'))),
            Some(Action::Refresh)
        );
        // The help lists the override.
        let help = map.help();
        let table = &help.iter().find(|(l, _)| *l == Layer::Table).unwrap().1;
        assert!(table.contains(&("s".to_string(), "refresh all carriers now")));
    }

    #[test]
    fn override_errors_are_precise() {
        let mut o = BTreeMap::new();
        o.insert("refrsh".to_string(), "r".to_string());
        let err = KeyMap::with_overrides(&o).unwrap_err();
        assert!(err.contains("unknown action \"refrsh\""), "{err}");
        assert!(err.contains("refresh_carrier"), "{err}");

        let mut o = BTreeMap::new();
        o.insert("refresh".to_string(), "ctrl-shift-".to_string());
        let err = KeyMap::with_overrides(&o).unwrap_err();
        assert!(err.starts_with("keys.refresh: unknown key"), "{err}");

        let mut o = BTreeMap::new();
        o.insert("refresh".to_string(), "x".to_string());
        o.insert("quit".to_string(), "x".to_string());
        let err = KeyMap::with_overrides(&o).unwrap_err();
        assert!(err.contains("x is given to both quit and refresh"), "{err}");

        // Editing layers are not remappable.
        let mut o = BTreeMap::new();
        o.insert("submit".to_string(), "s".to_string());
        assert!(KeyMap::with_overrides(&o).is_err());
        let mut o = BTreeMap::new();
        o.insert("quit".to_string(), "ctrl-c".to_string());
        assert!(KeyMap::with_overrides(&o).is_err());
    }
}
