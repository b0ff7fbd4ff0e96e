//! The user's own things the console keeps or hands to the desktop: the
//! clipboard (OSC 52, written to the terminal, so it works over SSH), the
//! browser (`xdg-open`, `open` on macOS: run detached with no shell, its
//! output discarded), the views file (`views.toml` next to the config,
//! where a view saved with ctrl-s is appended) and the small state file
//! that remembers relative or absolute times (`ui.toml` in the state dir).
//! Nothing here decides anything: the app's effects say what to do, and a
//! failure comes back to it as a warning.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::app::UserView;

/// What the console knows of the user's own settings and where it keeps
/// them.
#[derive(Debug, Clone, Default)]
pub struct Personal {
    /// Views of one's own (the config's `[[view]]`, then the views file's).
    pub views: Vec<UserView>,
    /// Where ctrl-s appends a view; `None`: the console says it cannot.
    pub views_file: Option<PathBuf>,
    /// Carrier name -> `portal_url` (with `{id}`).
    pub portals: Vec<(String, String)>,
    /// Where the choice of relative or absolute times is kept.
    pub state_file: Option<PathBuf>,
    /// Whether OSC 52 goes to the terminal's stdout (off on a test screen).
    pub clipboard: bool,
}

impl Personal {
    /// From the config: its views (the config's and the views file's),
    /// its carriers' portals, the views file beside it and the times
    /// choice in `state_dir`. The clipboard is on.
    pub fn from_config(
        config: &crate::config::Config,
        state_dir: Option<&Path>,
    ) -> Result<Personal, String> {
        let views = config
            .views
            .iter()
            .map(|v| {
                UserView::from_names(
                    &v.name,
                    &v.within,
                    &v.filter,
                    v.sort.as_ref().map(|(c, r)| (c.as_str(), *r)),
                    &v.columns,
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Personal {
            views,
            views_file: config.path.as_deref().map(crate::config::views_file),
            portals: config
                .carriers
                .iter()
                .filter_map(|c| c.portal_url.clone().map(|u| (c.name.clone(), u)))
                .collect(),
            state_file: state_dir.map(|d| d.join(STATE_FILE)),
            clipboard: true,
        })
    }
}

/// The file in the state dir that keeps the times choice.
pub const STATE_FILE: &str = "ui.toml";

/// The OSC 52 sequence that puts `text` on the clipboard.
pub fn osc52(text: &str) -> String {
    format!(
        "\x1b]52;c;{}\x07",
        crate::domain::base64::encode(text.as_bytes())
    )
}

/// Writes the OSC 52 sequence for `text` to the terminal.
pub fn copy_to_clipboard(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(osc52(text).as_bytes())?;
    out.flush()
}

/// Opens `url` (http or https only) in the browser: the desktop's opener
/// runs detached, with no shell, its output discarded.
pub fn open_url(url: &str) -> Result<(), String> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(format!("not an http(s) address: {url}"));
    }
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let mut child = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {opener}: {e}"))?;
    // Reaped in the background: the console does not wait for the browser.
    std::thread::spawn(move || child.wait());
    Ok(())
}

/// Appends a `[[view]]` table to the views file (created, private, when
/// it does not exist).
pub fn append_view(path: &Path, toml: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(toml.as_bytes())?;
    file.flush()
}

/// Writes an export (`E`) as `file_name` in `dir`, readable by its owner
/// only (it holds customers' names); never over an existing file. Returns
/// the path written.
pub fn write_export(dir: &Path, file_name: &str, text: &str) -> std::io::Result<PathBuf> {
    let path = dir.join(file_name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(path)
}

/// The state file's text for the times choice.
fn state_text(absolute: bool) -> String {
    format!(
        "# orderdesk remembers this between starts (T in the console)\nabsolute_times = {absolute}\n"
    )
}

/// Keeps the times choice in the state file (its directory created).
pub fn save_times(path: &Path, absolute: bool) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("toml.tmp");
    std::fs::write(&tmp, state_text(absolute))?;
    std::fs::rename(&tmp, path)
}

/// The times choice kept in the state file; relative when there is none
/// or it cannot be read.
pub fn load_times(path: &Path) -> bool {
    let Ok(text) = crate::config::read_small_file(path) else {
        return false;
    };
    text.lines()
        .filter_map(|l| l.split_once('='))
        .any(|(k, v)| k.trim() == "absolute_times" && v.trim() == "true")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_base64_encodes_the_text() {
        assert_eq!(osc52("tg/19530"), "\x1b]52;c;dGcvMTk1MzA=\x07");
        // UTF-8 bytes, not chars.
        assert_eq!(osc52("Åsa"), "\x1b]52;c;w4VzYQ==\x07");
        assert_eq!(osc52(""), "\x1b]52;c;\x07");
    }

    #[test]
    fn the_times_choice_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state").join("ui.toml");
        assert!(!load_times(&path));
        save_times(&path, true).unwrap();
        assert!(load_times(&path));
        save_times(&path, false).unwrap();
        assert!(!load_times(&path));
    }

    #[test]
    fn an_appended_view_reads_back_through_the_config() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        let file = crate::config::views_file(&config);
        let view = UserView::from_names(
            "Åsa's \"new\"",
            "open",
            "stage:new -flag:yes",
            Some(("delivery", true)),
            &["order".into(), "customer".into()],
        )
        .unwrap();
        append_view(&file, &view.to_toml()).unwrap();
        append_view(
            &file,
            &UserView {
                name: "two".into(),
                ..view.clone()
            }
            .to_toml(),
        )
        .unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        let back = crate::config::parse_views(&text).unwrap();
        assert_eq!(back.len(), 2);
        let again = UserView::from_names(
            &back[0].name,
            &back[0].within,
            &back[0].filter,
            back[0].sort.as_ref().map(|(c, r)| (c.as_str(), *r)),
            &back[0].columns,
        )
        .unwrap();
        assert_eq!(again, view);
        assert_eq!(back[1].name, "two");
    }

    #[test]
    fn only_http_addresses_are_opened() {
        assert!(open_url("file:///etc/passwd").is_err());
        assert!(open_url("javascript:alert(1)").is_err());
    }
}
