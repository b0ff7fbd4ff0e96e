//! `orderdesk sync` as a real process for the team tests: started on a
//! database with a config, its JSON log lines collected, waited on by
//! message, killed with `-9` or stopped with SIGTERM, always killed when
//! dropped. The messages below are the ones the daemon logs.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const HOLDS: &str = "this daemon holds the poller lock: polling";
pub const STANDS_BY: &str = "another daemon polls this carrier: standing by";
pub const POLLED: &str = "poll finished";
pub const FROM_CURSOR: &str = "polling from the stored cursor";

/// The daemon's config for one Tjänsteguiden carrier `tg` at the simulator
/// serving `origin` (API user `api_user`), polled every `refresh` seconds,
/// written to `dir/carriers.toml`; its path.
pub fn write_tg_config(dir: &Path, origin: &str, api_user: &str, refresh: f64) -> PathBuf {
    let path = dir.join("carriers.toml");
    let text = format!(
        "refresh = {refresh}\n\n[[carrier]]\nname = \"tg\"\nkind = \"tjansteguiden\"\n\
         base_url = \"{}\"\napi_user = \"{api_user}\"\nsince = \"2000-01-01\"\n",
        orderdesk::sim::tjansteguiden::TgSim::endpoint(origin),
    );
    std::fs::write(&path, text).expect("config written");
    path
}

/// Two daemons on one config: the first holding the poller lock and done
/// with its first poll, the second standing by.
pub async fn active_and_standby(url: &str, password: &str, config: &Path) -> (Daemon, Daemon) {
    let active = Daemon::start(url, password, config, &[]);
    active.wait_for(HOLDS, 1, Duration::from_secs(30)).await;
    active.wait_for(POLLED, 1, Duration::from_secs(30)).await;
    let standby = Daemon::start(url, password, config, &[]);
    standby
        .wait_for(STANDS_BY, 1, Duration::from_secs(30))
        .await;
    (active, standby)
}

/// A running `orderdesk sync`, its stdout collected line by line.
pub struct Daemon {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Daemon {
    /// `orderdesk sync --database URL --config CONFIG EXTRA...`, logging
    /// JSON lines at info, the password from `PGPASSWORD`.
    pub fn start(url: &str, password: &str, config: &Path, extra: &[&str]) -> Daemon {
        let mut child = Command::new(env!("CARGO_BIN_EXE_orderdesk"))
            .args(["sync", "--database", url, "--log-format", "json"])
            .arg("--config")
            .arg(config)
            .args(extra)
            .env("PGPASSWORD", password)
            .env("ORDERDESK_LOG", "info")
            .env_remove("ORDERDESK_DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("orderdesk sync starts");
        let lines = Arc::new(Mutex::new(Vec::new()));
        for stream in [
            Box::new(child.stdout.take().expect("stdout")) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().expect("stderr")),
        ] {
            let lines = lines.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    lines.lock().unwrap().push(line);
                }
            });
        }
        Daemon { child, lines }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }

    /// Log lines whose message is `message`.
    pub fn count(&self, message: &str) -> usize {
        let needle = format!("\"message\":\"{message}\"");
        self.lines
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains(&needle))
            .count()
    }

    /// Waits until `message` was logged `n` times; how long it took.
    pub async fn wait_for(&self, message: &str, n: usize, within: Duration) -> Duration {
        let start = Instant::now();
        while self.count(message) < n {
            assert!(
                start.elapsed() < within,
                "no {n}x {message:?} within {within:?}; the log:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        start.elapsed()
    }

    pub fn kill9(&mut self) {
        self.child.kill().expect("kill -9");
        let _ = self.child.wait();
    }

    /// SIGTERM, then its exit status (waited for without blocking the
    /// simulator's runtime).
    pub async fn terminate(&mut self, within: Duration) -> ExitStatus {
        let pid = i32::try_from(self.pid()).expect("a pid");
        // SAFETY: a signal to our own child process.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                start.elapsed() < within,
                "no exit within {within:?} of SIGTERM:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
