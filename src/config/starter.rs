//! `orderdesk init`: the commented example config ([`EXAMPLE`], the
//! repository's `config.example.toml`) written where the config is looked
//! for, with the user's choices ([`StarterChoices`]: name, theme,
//! monitoring mode, notifications) set in place of the example's lines. Never overwrites a file; the new file is readable by its owner only
//! (an inline secret is refused in a file others can read). Must not:
//! validate (the caller runs check-config's checks on the file).

use std::io::Write;
use std::path::Path;

/// The commented example config.
pub const EXAMPLE: &str = include_str!("../../config.example.toml");

/// What `init --user/--theme/--readonly/--notify` chose; `None`/`false`
/// keeps the example's line.
#[derive(Debug, Clone, Default)]
pub struct StarterChoices {
    pub user: Option<String>,
    pub theme: Option<String>,
    pub readonly: bool,
    pub notify: Option<String>,
}

/// The example with the choices set: each replaces its key's line (the
/// commented one for `user` and `notify`), values written as TOML strings.
pub fn starter_text(choices: &StarterChoices) -> String {
    let quoted = |v: &str| toml::Value::String(v.to_owned()).to_string();
    let mut lines: Vec<String> = EXAMPLE.lines().map(str::to_owned).collect();
    let mut set = |prefix: &str, line: String| {
        if let Some(l) = lines.iter_mut().find(|l| l.starts_with(prefix)) {
            *l = line;
        }
    };
    if let Some(user) = &choices.user {
        set("# user = ", format!("user = {}", quoted(user)));
    }
    if let Some(theme) = &choices.theme {
        set("theme = ", format!("theme = {}", quoted(theme)));
    }
    if choices.readonly {
        set("readonly = ", "readonly = true".to_owned());
    }
    if let Some(notify) = &choices.notify {
        set("# notify = ", format!("notify = {}", quoted(notify)));
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

/// Writes [`starter_text`] to `path`, creating its directory; an existing
/// file is left as it is and is an error that says so.
pub fn write_starter(path: &Path, choices: &StarterChoices) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            format!(
                "{} already exists and is left as it is (check it with orderdesk check-config, \
                 or give init another --config PATH)",
                path.display()
            )
        } else {
            format!("cannot write {}: {e}", path.display())
        }
    })?;
    file.write_all(starter_text(choices).as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_example_once_and_never_over_a_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("orderdesk").join("config.toml");
        write_starter(&path, &StarterChoices::default()).expect("written");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), EXAMPLE);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o077, 0, "owner only: {mode:o}");
        }
        std::fs::write(&path, "# mine\n").expect("edit");
        let e = write_starter(&path, &StarterChoices::default()).expect_err("exists");
        assert!(e.contains("already exists"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "# mine\n");
    }

    #[test]
    fn choices_replace_their_lines_and_nothing_else() {
        assert_eq!(starter_text(&StarterChoices::default()), EXAMPLE);
        let text = starter_text(&StarterChoices {
            user: Some("Märta \"M\" Ek".into()),
            theme: Some("colorblind".into()),
            readonly: true,
            notify: Some("bell".into()),
        });
        let user = text
            .lines()
            .find(|l| l.starts_with("user = "))
            .and_then(|l| l.parse::<toml::Table>().ok())
            .and_then(|t| t.get("user").and_then(|v| v.as_str()).map(str::to_owned));
        assert_eq!(user.as_deref(), Some("Märta \"M\" Ek"), "quoted as TOML");
        assert!(text.contains("\ntheme = \"colorblind\"\n"));
        assert!(text.contains("\nreadonly = true\n"));
        assert!(text.contains("\nnotify = \"bell\"\n"));
        assert_eq!(text.lines().count(), EXAMPLE.lines().count());
    }
}
