//! The binary runs when its log file cannot be opened: logging is off, with
//! a warning on stderr, and the command does its job.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_orderdesk");

#[test]
fn a_directory_where_the_log_file_should_be_is_a_warning_not_a_panic() {
    let state = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(state.path().join("orderdesk").join("orderdesk.log")).expect("mkdir");
    let data = tempfile::tempdir().expect("tempdir");
    let out = Command::new(BIN)
        .args(["journal", "--data-dir"])
        .arg(data.path())
        .arg("--config")
        .arg(data.path().join("no-such-config.toml"))
        .env("XDG_STATE_HOME", state.path())
        .output()
        .expect("binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // `journal` on a data dir with no journal yet: nothing written is not
    // an error, exit 0 with its own note (a panic would be 101).
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("no journal entries in"), "{stderr}");
    assert!(
        stderr.contains("warning: logging is off: cannot open") && stderr.contains("orderdesk.log"),
        "{stderr}"
    );
}
