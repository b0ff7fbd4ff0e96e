//! `orderdesk sim` as its own process, for tests that need simulators that
//! outlive (or are independent of) the console under test: starts it, reads
//! the matching config it prints on stdout (the Tjänsteguiden endpoint is
//! its first base URL), stops it on drop.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running `orderdesk sim`.
pub struct SimProcess {
    child: Child,
    /// The config it printed (both carriers), ready to write to a file.
    pub config: String,
    /// The Tjänsteguiden endpoint URL.
    pub tg_endpoint: String,
}

impl SimProcess {
    /// Starts `orderdesk sim ARGS` and waits for its config.
    pub fn start(args: &[&str]) -> SimProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_orderdesk"))
            .arg("sim")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("sim starts");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let mut config = String::new();
        let mut tg_endpoint = String::new();
        for line in lines.by_ref() {
            let line = line.expect("sim output");
            // The first carrier is Tjänsteguiden; its base URL is the endpoint.
            if let Some(url) = line.trim().strip_prefix("base_url = ") {
                if tg_endpoint.is_empty() {
                    tg_endpoint = url.trim_matches('"').to_owned();
                }
            }
            config.push_str(&line);
            config.push('\n');
            // The config ends with the Voice carrier's secret command.
            if line.starts_with("client_secret_cmd") {
                break;
            }
        }
        // Keep draining so the simulator never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        assert!(
            tg_endpoint.starts_with("http://127.0.0.1:"),
            "no endpoint from the sim"
        );
        SimProcess {
            child,
            config,
            tg_endpoint,
        }
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
