//! Loading the colour theme the user named: a builtin, or a `.toml` file
//! (and the files it inherits from) read from the filesystem here, parsed
//! by `ui::Theme::load_with`, which reads nothing itself.

use crate::ui::Theme;

/// The theme `name` (a builtin name or a path); never fails: a broken theme
/// gives the default theme and a warning.
pub fn load_theme(name: &str) -> (Theme, Option<String>) {
    Theme::load_with(name, &mut |path| {
        crate::config::read_small_file(path).map_err(|e| e.to_string())
    })
}
