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
//! stops start-up: [`Theme::load_with`] falls back to the default theme and
//! returns a warning. Unknown keys are reported as a warning but the theme
//! is used. This module reads no file: a theme file's text comes from the
//! reader its caller passes (`runtime::load_theme` reads the filesystem).
//!
//! A theme with 24-bit colours (`"#56b4e9"`) is drawn in the nearest of the
//! 256-colour palette ([`Theme::in_256_colours`]) when the terminal does not
//! announce 24-bit colour in `COLORTERM`; the caller decides, this module
//! reads no environment.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ratatui::style::{Color, Modifier, Style};

use crate::domain::{LogKind, Stage};

/// Gives a theme file's text, or why it cannot be read.
pub type ReadFile<'a> = &'a mut dyn FnMut(&Path) -> Result<String, String>;

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

/// The nearest colour of the xterm 256-colour palette to an RGB colour (the
/// 6x6x6 cube or the grey ramp, whichever is closer); other colours as
/// they are.
pub fn nearest_256(color: Color) -> Color {
    let Color::Rgb(r, g, b) = color else {
        return color;
    };
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    let level = |v: u8| {
        (0..6)
            .min_by_key(|&i| (i32::from(LEVELS[i]) - i32::from(v)).abs())
            .unwrap_or(0)
    };
    let (ri, gi, bi) = (level(r), level(g), level(b));
    let cube = (LEVELS[ri], LEVELS[gi], LEVELS[bi]);
    let average = (u32::from(r) + u32::from(g) + u32::from(b)) / 3;
    let grey_index = ((average.saturating_sub(8)) / 10).min(23) as u8;
    let grey = 8 + 10 * grey_index;
    let distance = |(x, y, z): (u8, u8, u8)| {
        let d = |a: u8, b: u8| (i32::from(a) - i32::from(b)).pow(2);
        d(x, r) + d(y, g) + d(z, b)
    };
    if distance((grey, grey, grey)) < distance(cube) {
        Color::Indexed(232 + grey_index)
    } else {
        Color::Indexed(16 + 36 * ri as u8 + 6 * gi as u8 + bi as u8)
    }
}

/// Whether the terminal announces 24-bit colour (`COLORTERM`), as read by
/// the caller from the environment.
pub fn announces_truecolor(colorterm: Option<&str>) -> bool {
    matches!(colorterm, Some("truecolor" | "24bit"))
}

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

    /// A builtin theme by name, or a `.toml` file by path, whose text (and
    /// that of the files it inherits from) `read` gives. Never fails: a
    /// broken theme gives the default theme and a warning.
    pub fn load_with(name: &str, read: ReadFile<'_>) -> (Theme, Option<String>) {
        match load_named(name, read) {
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

    /// The same theme with every 24-bit colour replaced by the nearest of
    /// the 256-colour palette, for a terminal that does not announce 24-bit
    /// colour (`COLORTERM` is not `truecolor` or `24bit`): such a terminal
    /// may draw an RGB colour as something else entirely, or not at all.
    pub fn in_256_colours(&self) -> Theme {
        let mut theme = self.clone();
        for style in theme.styles_mut() {
            style.fg = style.fg.map(nearest_256);
            style.bg = style.bg.map(nearest_256);
        }
        theme
    }

    fn styles_mut(&mut self) -> Vec<&mut Style> {
        let mut all: Vec<&mut Style> = vec![
            &mut self.text,
            &mut self.muted,
            &mut self.title,
            &mut self.selection,
            &mut self.border,
            &mut self.border_focus,
            &mut self.header,
            &mut self.readonly,
            &mut self.error,
            &mut self.ok,
            &mut self.warning,
            &mut self.attention,
            &mut self.input,
            &mut self.cursor,
            &mut self.key,
            &mut self.table_header,
            &mut self.tab,
            &mut self.tab_active,
            &mut self.view,
            &mut self.view_active,
            &mut self.dialog,
            &mut self.chip_ok,
            &mut self.chip_syncing,
            &mut self.chip_error,
            &mut self.chip_waiting,
            &mut self.chip_stale,
            &mut self.chip_never,
        ];
        all.extend(self.stages.iter_mut());
        all.extend(self.logs.iter_mut());
        all
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
    // A builtin: nothing is read.
    match load_named("default", &mut |_| Err("no file".into())) {
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

fn load_named(name: &str, read: ReadFile<'_>) -> Result<(Theme, Vec<String>), String> {
    let mut warnings = Vec::new();
    let flat = load_flat(name, None, read, &mut Vec::new(), &mut warnings)?;
    let theme = resolve(&flat)?;
    Ok((theme, warnings))
}

fn read_source(
    name: &str,
    base: Option<&Path>,
    read: ReadFile<'_>,
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
    let path = lexically_normal(&match base {
        Some(dir) if Path::new(name).is_relative() => dir.join(name),
        _ => PathBuf::from(name),
    });
    let text = read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let id = path.display().to_string();
    Ok((id, text, path.parent().map(Path::to_path_buf)))
}

/// `path` with `.` left out and `dir/..` taken back, without asking the
/// filesystem: one file spelled two ways is one theme in a cycle check
/// (symbolic links aside: [`MAX_INHERITS`] stops those cycles).
fn lexically_normal(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// How deep `inherits` may go.
const MAX_INHERITS: usize = 16;

fn load_flat(
    name: &str,
    base: Option<&Path>,
    read: ReadFile<'_>,
    chain: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Result<Flat, String> {
    let (id, text, dir) = read_source(name, base, read)?;
    if chain.len() >= MAX_INHERITS {
        return Err(format!(
            "`inherits` goes deeper than {MAX_INHERITS} themes: {} -> {id}",
            chain.join(" -> ")
        ));
    }
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
            load_flat(parent, dir.as_deref().or(base), read, chain, warnings)?
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
    /// A theme by name, files read from the disk as the runtime reads them.
    fn load(name: &str) -> (Theme, Option<String>) {
        Theme::load_with(name, &mut |p| {
            std::fs::read_to_string(p).map_err(|e| e.to_string())
        })
    }

    use super::*;

    #[test]
    fn rgb_colours_become_the_nearest_of_the_256_palette_and_others_stay() {
        // The colour-blind palette's orange, sky and green: 178 is (215, 175, 0).
        assert_eq!(nearest_256(Color::Rgb(0xe6, 0x9f, 0)), Color::Indexed(178));
        assert_eq!(
            nearest_256(Color::Rgb(0x56, 0xb4, 0xe9)),
            Color::Indexed(74)
        );
        assert_eq!(nearest_256(Color::Rgb(0, 0x9e, 0x73)), Color::Indexed(35));
        // Greys go to the grey ramp, black and white to the cube's ends.
        assert_eq!(
            nearest_256(Color::Rgb(0x80, 0x80, 0x80)),
            Color::Indexed(244)
        );
        assert_eq!(nearest_256(Color::Rgb(0, 0, 0)), Color::Indexed(16));
        assert_eq!(nearest_256(Color::Rgb(255, 255, 255)), Color::Indexed(231));
        assert_eq!(nearest_256(Color::Green), Color::Green);
        assert_eq!(nearest_256(Color::Indexed(237)), Color::Indexed(237));

        let (colorblind, _) = load("colorblind");
        let fallback = colorblind.in_256_colours();
        assert_ne!(
            fallback, colorblind,
            "the colour-blind theme has RGB colours"
        );
        assert_eq!(
            fallback
                .stage(Stage::New)
                .fg
                .map(|c| matches!(c, Color::Rgb(..))),
            Some(false)
        );
        let (default, _) = load("default");
        assert_eq!(
            default.in_256_colours(),
            default.in_256_colours().in_256_colours()
        );
        assert!(announces_truecolor(Some("truecolor")));
        assert!(announces_truecolor(Some("24bit")));
        assert!(!announces_truecolor(None));
        assert!(!announces_truecolor(Some("")));
    }

    #[test]
    fn builtins_load_cleanly_and_differ() {
        let mut seen = Vec::new();
        for name in Theme::builtin_names() {
            let (theme, warning) = load(name);
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
        let (default, _) = load("default");

        let bad = write("bad.toml", "\"stage.new\" = \"notacolour\"\n");
        let (theme, warning) = load(&bad);
        assert_eq!(theme, default);
        assert!(warning.unwrap().contains("stage.new: bad colour"));

        let a = write("a.toml", "inherits = \"b.toml\"\n");
        write("b.toml", "inherits = \"a.toml\"\n");
        let (theme, warning) = load(&a);
        assert_eq!(theme, default);
        assert!(warning.unwrap().contains("inheritance cycle"));
        // The same file spelled another way is the same theme.
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let c = write("c.toml", "inherits = \"./sub/../d.toml\"\n");
        write("d.toml", "inherits = \"sub/../c.toml\"\n");
        let (theme, warning) = load(&c);
        assert_eq!(theme, default);
        assert!(warning.unwrap().contains("inheritance cycle"));
        // A theme read through a name no check can see through still ends.
        let (theme, warning) = Theme::load_with("/e.toml", &mut |p| {
            Ok(format!("inherits = \"{}x.toml\"\n", p.display()))
        });
        assert_eq!(theme, default);
        assert!(warning.unwrap().contains("deeper than 16"));

        let (_, warning) = load("no-such-theme");
        assert!(warning.unwrap().contains("unknown theme"));
        let (_, warning) = load("/nonexistent/x.toml");
        assert!(warning.unwrap().contains("cannot read"));
        let syntax = write("syntax.toml", "[stage\n");
        assert!(load(&syntax).1.unwrap().contains("bad TOML"));
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
        let (theme, warning) = load(&p.display().to_string());
        assert!(warning.unwrap().contains("unknown key \"stage.bogus\""));
        assert_eq!(
            theme.stage(Stage::New),
            Style::new()
                .fg(Color::Rgb(0x12, 0x34, 0x56))
                .add_modifier(Modifier::BOLD)
        );
        let (default, _) = load("default");
        assert_eq!(theme.stage(Stage::Done), default.stage(Stage::Done));
    }
}
