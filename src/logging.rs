//! The log file: `orderdesk.log` in the platform state dir
//! (`~/.local/state/orderdesk/` on Linux), never the screen. `ORDERDESK_LOG`
//! sets the filter (`info` by default).
//!
//! Logging is a help, never a reason not to run: when the file cannot be
//! opened (a directory in its place, a read-only state dir, a file owned by
//! another user) [`init`] says why and every command goes on without a log.
//! The directory is created private (0700) and the file too (0600): the log
//! names customers.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;

/// The log file's name inside the state dir.
pub const FILE_NAME: &str = "orderdesk.log";

/// The platform state dir (`$XDG_STATE_HOME/orderdesk`), or the local data
/// dir where the platform has no state dir.
pub fn default_dir() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "orderdesk")?;
    Some(
        dirs.state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .to_owned(),
    )
}

/// Starts logging to [`FILE_NAME`] in `dir`. Keep the guard alive while the
/// program runs (it flushes on drop). `Err` is a warning in the user's
/// words; nothing was installed and the program runs without a log.
pub fn init(dir: Option<&Path>) -> Result<WorkerGuard, String> {
    let dir = dir.ok_or("logging is off: no state directory could be determined")?;
    let file = open(dir)?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = tracing_subscriber::EnvFilter::try_from_env("ORDERDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .map_err(|e| format!("logging is off: {e}"))?;
    Ok(guard)
}

/// Opens the log for appending, creating the directory and the file private.
fn open(dir: &Path) -> Result<File, String> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| {
        format!(
            "logging is off: cannot create the log directory {}: {e}",
            dir.display()
        )
    })?;
    let path = dir.join(FILE_NAME);
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options
        .open(&path)
        .map_err(|e| format!("logging is off: cannot open {}: {e}", path.display()))?;
    match file.metadata() {
        Ok(meta) if meta.is_file() => Ok(file),
        Ok(_) => Err(format!(
            "logging is off: {} is not a regular file",
            path.display()
        )),
        Err(e) => Err(format!(
            "logging is off: cannot read {}: {e}",
            path.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_in_place_of_the_file_is_a_warning() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join(FILE_NAME)).expect("mkdir");
        let e = open(dir.path()).expect_err("a directory is no log file");
        assert!(e.starts_with("logging is off: cannot open"), "{e}");
        assert!(e.contains(FILE_NAME), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn the_directory_and_the_file_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let base = tempfile::tempdir().expect("tempdir");
        let dir = base.path().join("state").join("orderdesk");
        open(&dir).expect("opens");
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join(FILE_NAME)), 0o600);
    }

    #[test]
    fn no_dir_is_a_warning() {
        let e = init(None).expect_err("nowhere to log");
        assert!(e.contains("no state directory"), "{e}");
    }
}
