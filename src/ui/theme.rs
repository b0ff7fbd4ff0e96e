//! Colour themes: TOML keyed by meaning (`stage.new`, `log.error`,
//! `ui.selection`, `chip.ok`, ...), resolved once into the typed [`Theme`]
//! that rendering uses. Rendering never looks a colour up by name.
//!
//! Format (after helix): a value is a colour (`"green"`, `"#56b4e9"`, `"237"`
//! for a 256-colour index, or a `[palette]` name) meaning the foreground, or a
//! table `{ fg, bg, modifiers = ["bold", "reversed", ...] }`. Keys may be
//! written dotted (`"stage.new" = ...`) or as nested tables (`[stage] new = ...`).
//! A missing key falls back along its dots (`stage.new` -> `stage` ->
//! `ui.text`). `inherits = "default"` (a builtin name or a path relative to
//! the file) starts from another theme; cycles are an error.
//!
//! A broken theme (unreadable, bad TOML, bad colour, inheritance cycle) never
//! stops start-up: [`Theme::load`] falls back to the default theme and returns
//! a warning. Unknown keys are reported as a warning but the theme is used.
//! Only `load` touches the filesystem, once, at start-up.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ratatui::style::{Color, Modifier, Style};

use crate::domain::{LogKind, Stage};

/// The builtin themes, embedded in the binary.
const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("colorblind", include_str!("../../themes/colorblind.toml")),
];

/// Every key a theme may set (namespaces `ui`, `stage`, `log`, `chip` are
/// valid too, as fallbacks).
const KEYS: &[&str] = &[
    "ui.text",
    "ui.muted",
    "ui.title",
    "ui.selection",
    "ui.border",
    "ui.border.focus",
    "ui.header",
    "ui.readonly",
    "ui.error",
    "ui.ok",
    "ui.warning",
    "ui.attention",
    "ui.input",
    "ui.cursor",
    "ui.key",
    "ui.table.header",
    "ui.tab",
    "ui.tab.active",
    "ui.view",
    "ui.view.active",
    "ui.dialog",
    "stage.new",
    "stage.in_progress",
    "stage.needs_attention",
    "stage.done",
    "stage.closed",
    "log.error",
    "log.alert",
    "log.system",
    "log.log",
    "log.notification",
    "log.status",
    "log.local",
    "log.journal",
    "chip.ok",
    "chip.syncing",
    "chip.error",
    "chip.waiting",
    "chip.stale",
    "chip.never",
];
const NAMESPACES: &[&str] = &["ui", "stage", "log", "chip"];

/// A resolved theme: typed styles, ready to draw with.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub text: Style,
    pub muted: Style,
    pub title: Style,
    pub selection: Style,
    pub border: Style,
    pub border_focus: Style,
    pub header: Style,
    pub readonly: Style,
    pub error: Style,
    pub ok: Style,
    pub warning: Style,
    pub attention: Style,
    pub input: Style,
    pub cursor: Style,
    pub key: Style,
    pub table_header: Style,
    pub tab: Style,
    pub tab_active: Style,
    pub view: Style,
    pub view_active: Style,
    pub dialog: Style,
    /// By [`Stage`] (see [`Theme::stage`]).
    pub stages: [Style; 5],
    /// By [`LogKind`] (see [`Theme::log`]).
    pub logs: [Style; 8],
    pub chip_ok: Style,
    pub chip_syncing: Style,
    pub chip_error: Style,
    pub chip_waiting: Style,
    pub chip_stale: Style,
    pub chip_never: Style,
}

impl Theme {
    pub fn stage(&self, stage: Stage) -> Style {
        self.stages[match stage {
            Stage::New => 0,
            Stage::InProgress => 1,
            Stage::NeedsAttention => 2,
            Stage::Done => 3,
            Stage::Closed => 4,
        }]
    }

    pub fn log(&self, kind: LogKind) -> Style {
        self.logs[match kind {
            LogKind::Error => 0,
            LogKind::Alert => 1,
            LogKind::System => 2,
            LogKind::Log => 3,
            LogKind::Notification => 4,
            LogKind::Status => 5,
            LogKind::Local => 6,
            LogKind::Journal => 7,
        }]
    }

    pub fn builtin_names() -> &'static [&'static str] {
        &["default", "light", "high-contrast", "colorblind"]
    }

    /// A builtin theme by name, or a `.toml` file by path. Never fails: a
    /// broken theme gives the default theme and a warning.
    pub fn load(name: &str) -> (Theme, Option<String>) {
        match load_named(name) {
            Ok((theme, warnings)) => {
                let warning = if warnings.is_empty() {
                    None
                } else {
                    Some(format!("theme {name}: {}", warnings.join("; ")))
                };
                (theme, warning)
            }
            Err(error) => (
                default_theme(),
                Some(format!("theme {name}: {error}; using the default theme")),
            ),
        }
    }

    /// For `NO_COLOR`: no colours at all, only modifiers, so every state
    /// stays visible (stages carry glyphs and words anyway).
    pub fn no_color() -> Theme {
        let plain = Style::new();
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let rev = Style::new().add_modifier(Modifier::REVERSED);
        let under = Style::new().add_modifier(Modifier::UNDERLINED);
        Theme {
            text: plain,
            muted: plain,
            title: bold,
            selection: rev,
            border: plain,
            border_focus: bold,
            header: plain,
            readonly: rev.add_modifier(Modifier::BOLD),
            error: bold,
            ok: plain,
            warning: bold,
            attention: bold,
            input: under,
            cursor: rev,
            key: bold,
            table_header: under.add_modifier(Modifier::BOLD),
            tab: plain,
            tab_active: rev,
            view: plain,
            view_active: rev,
            dialog: plain,
            stages: [plain, plain, bold, plain, plain],
            logs: [bold, bold, plain, plain, plain, plain, plain, plain],
            chip_ok: plain,
            chip_syncing: plain,
            chip_error: bold,
            chip_waiting: bold,
            chip_stale: bold,
            chip_never: plain,
        }
    }
}

fn default_theme() -> Theme {
    match load_named("default") {
        Ok((theme, _)) => theme,
        // The embedded default is tested; this is only a last resort.
        Err(_) => Theme::no_color(),
    }
}

/// A theme's source after inheritance: flat dotted keys and the palette.
#[derive(Debug, Default)]
struct Flat {
    values: BTreeMap<String, toml::Value>,
    palette: BTreeMap<String, String>,
}

fn load_named(name: &str) -> Result<(Theme, Vec<String>), String> {
    let mut warnings = Vec::new();
    let flat = load_flat(name, None, &mut Vec::new(), &mut warnings)?;
    let theme = resolve(&flat)?;
    Ok((theme, warnings))
}

fn read_source(
    name: &str,
    base: Option<&Path>,
) -> Result<(String, String, Option<PathBuf>), String> {
    if let Some((_, text)) = BUILTIN.iter().find(|(n, _)| *n == name) {
        return Ok((name.to_owned(), (*text).to_owned(), None));
    }
    let looks_like_path = name.ends_with(".toml") || name.contains('/') || name.contains('\\');
    if !looks_like_path {
        return Err(format!(
            "unknown theme {name:?} (builtin: {}, or a path to a .toml file)",
            Theme::builtin_names().join(", ")
        ));
    }
    let path = match base {
        Some(dir) if Path::new(name).is_relative() => dir.join(name),
        _ => PathBuf::from(name),
    };
    let text = crate::config::read_small_file(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let id = path
        .canonicalize()
        .unwrap_or_else(|_| path.clone())
        .display()
        .to_string();
    Ok((id, text, path.parent().map(Path::to_path_buf)))
}

fn load_flat(
    name: &str,
    base: Option<&Path>,
    chain: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Result<Flat, String> {
    let (id, text, dir) = read_source(name, base)?;
    if chain.contains(&id) {
        chain.push(id);
        return Err(format!("inheritance cycle: {}", chain.join(" -> ")));
    }
    chain.push(id);
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        format!("bad TOML: {}", e.to_string().trim().replace('\n', " "))
    })?;
    let mut flat = match table.get("inherits") {
        Some(toml::Value::String(parent)) => {
            load_flat(parent, dir.as_deref().or(base), chain, warnings)?
        }
        Some(_) => return Err("`inherits` must be a theme name or path".into()),
        None => Flat::default(),
    };
    for (key, value) in table {
        match key.as_str() {
            "inherits" => {}
            "palette" => {
                let toml::Value::Table(palette) = value else {
                    return Err("`palette` must be a table of colours".into());
                };
                for (name, colour) in palette {
                    let toml::Value::String(colour) = colour else {
                        return Err(format!("palette.{name} must be a colour string"));
                    };
                    flat.palette.insert(name, colour);
                }
            }
            _ => flatten(&key, value, &mut flat.values),
        }
    }
    for key in flat.values.keys() {
        if !KEYS.contains(&key.as_str()) && !NAMESPACES.contains(&key.as_str()) {
            let w = format!("unknown key {key:?}");
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
    }
    Ok(flat)
}

fn is_style_table(table: &toml::Table) -> bool {
    table
        .keys()
        .all(|k| matches!(k.as_str(), "fg" | "bg" | "modifiers"))
}

fn flatten(prefix: &str, value: toml::Value, out: &mut BTreeMap<String, toml::Value>) {
    match value {
        toml::Value::Table(table) if !is_style_table(&table) => {
            for (k, v) in table {
                flatten(&format!("{prefix}.{k}"), v, out);
            }
        }
        other => {
            out.insert(prefix.to_owned(), other);
        }
    }
}

fn resolve(flat: &Flat) -> Result<Theme, String> {
    let get = |key: &str| -> Result<Style, String> {
        let mut k = key;
        loop {
            if let Some(v) = flat.values.get(k) {
                return style_of(k, v, &flat.palette);
            }
            match k.rfind('.') {
                Some(dot) => k = &k[..dot],
                None => break,
            }
        }
        match flat.values.get("ui.text") {
            Some(v) => style_of("ui.text", v, &flat.palette),
            None => Ok(Style::new()),
        }
    };
    Ok(Theme {
        text: get("ui.text")?,
        muted: get("ui.muted")?,
        title: get("ui.title")?,
        selection: get("ui.selection")?,
        border: get("ui.border")?,
        border_focus: get("ui.border.focus")?,
        header: get("ui.header")?,
        readonly: get("ui.readonly")?,
        error: get("ui.error")?,
        ok: get("ui.ok")?,
        warning: get("ui.warning")?,
        attention: get("ui.attention")?,
        input: get("ui.input")?,
        cursor: get("ui.cursor")?,
        key: get("ui.key")?,
        table_header: get("ui.table.header")?,
        tab: get("ui.tab")?,
        tab_active: get("ui.tab.active")?,
        view: get("ui.view")?,
        view_active: get("ui.view.active")?,
        dialog: get("ui.dialog")?,
        stages: [
            get("stage.new")?,
            get("stage.in_progress")?,
            get("stage.needs_attention")?,
            get("stage.done")?,
            get("stage.closed")?,
        ],
        logs: [
            get("log.error")?,
            get("log.alert")?,
            get("log.system")?,
            get("log.log")?,
            get("log.notification")?,
            get("log.status")?,
            get("log.local")?,
            get("log.journal")?,
        ],
        chip_ok: get("chip.ok")?,
        chip_syncing: get("chip.syncing")?,
        chip_error: get("chip.error")?,
        chip_waiting: get("chip.waiting")?,
        chip_stale: get("chip.stale")?,
        chip_never: get("chip.never")?,
    })
}

fn colour(key: &str, text: &str, palette: &BTreeMap<String, String>) -> Result<Color, String> {
    let text = palette.get(text).map_or(text, String::as_str);
    text.parse::<Color>()
        .map_err(|_| format!("{key}: bad colour {text:?}"))
}

fn style_of(
    key: &str,
    value: &toml::Value,
    palette: &BTreeMap<String, String>,
) -> Result<Style, String> {
    match value {
        toml::Value::String(c) => Ok(Style::new().fg(colour(key, c, palette)?)),
        toml::Value::Table(t) => {
            let mut style = Style::new();
            if let Some(fg) = t.get("fg") {
                let fg = fg
                    .as_str()
                    .ok_or_else(|| format!("{key}.fg must be a colour string"))?;
                style = style.fg(colour(key, fg, palette)?);
            }
            if let Some(bg) = t.get("bg") {
                let bg = bg
                    .as_str()
                    .ok_or_else(|| format!("{key}.bg must be a colour string"))?;
                style = style.bg(colour(key, bg, palette)?);
            }
            if let Some(mods) = t.get("modifiers") {
                let mods = mods
                    .as_array()
                    .ok_or_else(|| format!("{key}.modifiers must be a list"))?;
                for m in mods {
                    let name = m.as_str().unwrap_or_default();
                    let modifier = match name {
                        "bold" => Modifier::BOLD,
                        "dim" => Modifier::DIM,
                        "italic" => Modifier::ITALIC,
                        "underlined" | "underline" => Modifier::UNDERLINED,
                        "reversed" | "reverse" => Modifier::REVERSED,
                        "crossed_out" => Modifier::CROSSED_OUT,
                        "slow_blink" => Modifier::SLOW_BLINK,
                        _ => return Err(format!("{key}: unknown modifier {m}")),
                    };
                    style = style.add_modifier(modifier);
                }
            }
            Ok(style)
        }
        other => Err(format!(
            "{key}: expected a colour or a style table, got {other}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_load_cleanly_and_differ() {
        let mut seen = Vec::new();
        for name in Theme::builtin_names() {
            let (theme, warning) = Theme::load(name);
            assert_eq!(warning, None, "{name}");
            assert_ne!(theme.stage(Stage::New), theme.stage(Stage::Done), "{name}");
            assert!(!seen.contains(&theme), "{name} equals another theme");
            seen.push(theme);
        }
    }

    #[test]
    fn dotted_fallback_and_palette() {
        let flat = Flat {
            values: [
                ("ui.text".to_string(), toml::Value::String("white".into())),
                ("stage".to_string(), toml::Value::String("accent".into())),
                (
                    "stage.done".to_string(),
                    toml::Value::String("#009e73".into()),
                ),
            ]
            .into_iter()
            .collect(),
            palette: [("accent".to_string(), "#e69f00".to_string())]
                .into_iter()
                .collect(),
        };
        let theme = resolve(&flat).unwrap();
        assert_eq!(
            theme.stage(Stage::New),
            Style::new().fg(Color::Rgb(0xe6, 0x9f, 0))
        );
        assert_eq!(
            theme.stage(Stage::Done),
            Style::new().fg(Color::Rgb(0, 0x9e, 0x73))
        );
        // log.* -> log -> ui.text
        assert_eq!(theme.log(LogKind::Error), Style::new().fg(Color::White));
    }

    #[test]
    fn broken_themes_fall_back_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            p.display().to_string()
        };
        let (default, _) = Theme::load("default");

        let bad = write("bad.toml", "\"stage.new\" = \"notacolour\"\n");
        let (theme, warning) = Theme::load(&bad);
        assert_eq!(theme, default);
        assert!(warning.unwrap().contains("stage.new: bad colour"));

        let a = write("a.toml", "inherits = \"b.toml\"\n");
        write("b.toml", "inherits = \"a.toml\"\n");
        let (theme, warning) = Theme::load(&a);
        assert_eq!(theme, default);
        assert!(warning.unwrap().contains("inheritance cycle"));

        let (_, warning) = Theme::load("no-such-theme");
        assert!(warning.unwrap().contains("unknown theme"));
        let (_, warning) = Theme::load("/nonexistent/x.toml");
        assert!(warning.unwrap().contains("cannot read"));
        let syntax = write("syntax.toml", "[stage\n");
        assert!(Theme::load(&syntax).1.unwrap().contains("bad TOML"));
    }

    #[test]
    fn inherits_and_overrides() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("mine.toml");
        std::fs::write(
            &p,
            "inherits = \"default\"\n[stage]\nnew = { fg = \"mine\", modifiers = [\"bold\"] }\nbogus = \"red\"\n[palette]\nmine = \"#123456\"\n",
        )
        .unwrap();
        let (theme, warning) = Theme::load(&p.display().to_string());
        assert!(warning.unwrap().contains("unknown key \"stage.bogus\""));
        assert_eq!(
            theme.stage(Stage::New),
            Style::new()
                .fg(Color::Rgb(0x12, 0x34, 0x56))
                .add_modifier(Modifier::BOLD)
        );
        let (default, _) = Theme::load("default");
        assert_eq!(theme.stage(Stage::Done), default.stage(Stage::Done));
    }
}
