//! Drives a program in tmux for the end-to-end tests: start a session, type
//! with send-keys, read with capture-pane, wait for the screen, kill it.
//! Each [`Tmux`] runs its own tmux server on a socket of its own (`-L`), with
//! no config file (`-f /dev/null`), so a tmux server the developer already
//! runs cannot lend a test its environment, its options or its sessions.
//! Where tmux is missing the tests skip with a message, except under
//! `CI=true`, where `.ci/run` installs it and a missing tmux is a failure.
#![allow(dead_code)]

use std::process::Command;
use std::time::{Duration, Instant};

/// One tmux server with one session running one command; killed on drop.
pub struct Tmux {
    socket: String,
    session: String,
}

impl Tmux {
    /// Starts `command` in a new detached session of `width` x `height`.
    pub fn start(name: &str, width: u16, height: u16, command: &str) -> Tmux {
        let session = format!("orderdesk-{name}-{}", std::process::id());
        let tmux = Tmux {
            socket: format!("{session}-socket"),
            session,
        };
        // A server left by an earlier run with the same pid may still be
        // exiting and refuse the session: try again briefly.
        let mut tries = 0;
        loop {
            let status = tmux
                .command()
                .args(["new-session", "-d", "-s", &tmux.session])
                .args(["-x", &width.to_string(), "-y", &height.to_string(), command])
                .status()
                .expect("tmux runs");
            if status.success() {
                break;
            }
            tries += 1;
            assert!(tries < 10, "tmux new-session failed");
            std::thread::sleep(Duration::from_millis(200));
        }
        tmux
    }

    /// `tmux` on this test's own server.
    fn command(&self) -> Command {
        let mut command = Command::new("tmux");
        command.args(["-L", &self.socket, "-f", "/dev/null"]);
        command
    }

    /// Sends tmux key names (`Enter`, `Escape`, `C-s`, or plain letters).
    pub fn keys(&self, keys: &[&str]) {
        let status = self
            .command()
            .args(["send-keys", "-t", &self.session])
            .args(keys)
            .status()
            .expect("tmux runs");
        assert!(status.success());
    }

    /// Types `text` literally.
    pub fn literal(&self, text: &str) {
        let status = self
            .command()
            .args(["send-keys", "-t", &self.session, "-l", text])
            .status()
            .expect("tmux runs");
        assert!(status.success());
    }

    /// A left click at the 0-based cell `(column, row)`, as a terminal in
    /// SGR mouse mode reports it (press and release), sent as raw bytes.
    pub fn click(&self, column: u16, row: u16) {
        let sgr = format!(
            "\x1b[<0;{x};{y}M\x1b[<0;{x};{y}m",
            x = column + 1,
            y = row + 1
        );
        let hex: Vec<String> = sgr.bytes().map(|b| format!("{b:02x}")).collect();
        let status = self
            .command()
            .args(["send-keys", "-t", &self.session, "-H"])
            .args(&hex)
            .status()
            .expect("tmux runs");
        assert!(status.success());
    }

    /// Whether the program in the pane has asked for mouse events.
    pub fn mouse_captured(&self) -> bool {
        let out = self
            .command()
            .args([
                "display-message",
                "-p",
                "-t",
                &self.session,
                "#{mouse_any_flag}",
            ])
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).trim() == "1"
    }

    pub fn screen(&self) -> String {
        let out = self
            .command()
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits up to 30 s until the screen satisfies `check`, or fails with
    /// the last screen.
    pub fn wait_for(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if check(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen was:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn alive(&self) -> bool {
        self.command()
            .args(["has-session", "-t", &self.session])
            .stderr(std::process::Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    }

    /// The pid of the process the pane runs.
    pub fn pane_pid(&self) -> String {
        let out = self
            .command()
            .args(["list-panes", "-t", &self.session, "-F", "#{pane_pid}"])
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // The server exits with its last session; kill-server makes sure.
        let _ = self
            .command()
            .arg("kill-server")
            .stderr(std::process::Stdio::null())
            .status();
    }
}

/// Whether tmux can be used; says why a test is skipped when it cannot.
pub fn available(test: &str) -> bool {
    let found = Command::new("tmux")
        .arg("-V")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        assert!(
            std::env::var("CI").is_err(),
            "tmux is required under CI (.ci/run installs it)"
        );
        eprintln!("skipping {test}: tmux is not installed");
    }
    found
}
