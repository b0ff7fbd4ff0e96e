//! `orderdesk init`: the commented example config ([`EXAMPLE`], the
//! repository's `config.example.toml`) written where the config is looked
//! for. Never overwrites a file; the new file is readable by its owner only
//! (an inline secret is refused in a file others can read). Must not:
//! validate (the caller runs check-config's checks on the file).

use std::io::Write;
use std::path::Path;

/// The commented example config.
pub const EXAMPLE: &str = include_str!("../../config.example.toml");

/// Writes [`EXAMPLE`] to `path`, creating its directory; an existing file
/// is left as it is and is an error that says so.
pub fn write_starter(path: &Path) -> Result<(), String> {
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
    file.write_all(EXAMPLE.as_bytes())
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
        write_starter(&path).expect("written");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), EXAMPLE);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o077, 0, "owner only: {mode:o}");
        }
        std::fs::write(&path, "# mine\n").expect("edit");
        let e = write_starter(&path).expect_err("exists");
        assert!(e.contains("already exists"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "# mine\n");
    }
}
