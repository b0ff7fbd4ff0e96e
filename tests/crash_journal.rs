//! The journal survives `kill -9`: the real binary is killed (for real) with a
//! write recorded but not sent, and again with a write sent but unanswered;
//! after each restart the write is resolved exactly once against the
//! simulator's state. The simulator runs as its own process (`orderdesk
//! sim`) so it outlives the console; the console runs in tmux.
//!
//! Needs tmux (skips with a message where it is missing, fails under CI).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_orderdesk");

mod sim_process;

use sim_process::SimProcess;

/// `orderdesk sim` with writes answered 3 s after they are applied.
struct Sim {
    process: SimProcess,
}

impl Sim {
    fn start(config: &Path) -> Sim {
        let process = SimProcess::start(&[
            "--orders",
            "6",
            "--voice-orders",
            "0",
            "--latency",
            "0",
            "--write-delay",
            "3000",
        ]);
        std::fs::write(config, &process.config).expect("config written");
        Sim { process }
    }

    /// How often `text` occurs in the order's log, as the portal reports it.
    fn count(&self, id: &str, text: &str) -> usize {
        let url = format!(
            "{}?method=order_info&api_user=1234&id={id}",
            self.process.tg_endpoint
        );
        http_get(&url).matches(text).count()
    }
}

/// A minimal HTTP/1.0 GET for loopback (no curl needed).
fn http_get(url: &str) -> String {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("http url");
    let (host, path) = rest.split_once('/').expect("path");
    let mut stream = std::net::TcpStream::connect(host).expect("connect");
    write!(stream, "GET /{path} HTTP/1.0\r\nHost: {host}\r\n\r\n").expect("send");
    let mut body = String::new();
    let _ = stream.read_to_string(&mut body);
    body
}

mod tmux;

use tmux::Tmux;

/// The console on the simulator's config, in tmux.
struct Console {
    tmux: Tmux,
}

impl Console {
    fn start(name: &str, home: &Path, config: &Path, data: &Path, env: &str) -> Console {
        let command = format!(
            "env HOME={home} XDG_STATE_HOME={home}/state TERM=xterm-256color ORDERDESK_WRITE_LEASE_SECS=0 {env} {BIN} --config {config} --data-dir {data}",
            home = home.display(),
            config = config.display(),
            data = data.display()
        );
        let tmux = Tmux::start(&format!("crash-{name}"), 160, 48, &command);
        tmux.wait_for("the first sync", |s| s.contains("✓ tg"));
        Console { tmux }
    }

    /// `kill -9` of the console process itself.
    fn kill9(&self) {
        let pid = self.tmux.pane_pid();
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        assert_eq!(comm.trim(), "orderdesk", "pane process is not the console");
        assert!(
            Command::new("kill")
                .args(["-9", &pid])
                .status()
                .expect("kill")
                .success()
        );
    }

    /// Adds a log message to the selected (first) order.
    fn add_message(&self, text: &str) {
        self.tmux.keys(&["m"]);
        self.tmux
            .wait_for("the add message dialog", |s| s.contains("Add message"));
        // The dialog opens on the message text.
        self.tmux.literal(text);
        self.tmux.keys(&["C-s"]);
    }
}

fn journal(data: &Path) -> Vec<serde_json::Value> {
    let out = Command::new(BIN)
        .args(["journal", "--json", "--data-dir"])
        .arg(data)
        .output()
        .expect("journal runs");
    serde_json::from_slice(&out.stdout).unwrap_or_default()
}

/// Waits until the journal has an entry whose message is `text` in `state`.
fn wait_journal(data: &Path, text: &str, state: &str) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let entries = journal(data);
        if let Some(e) = entries
            .iter()
            .find(|e| e["params"]["message"] == text && e["state"] == state)
        {
            return e.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no {state} journal entry for {text:?}: {entries:#?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn kill_9_around_a_write_resolves_it_exactly_once() {
    if !tmux::available("the crash test") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let config: PathBuf = dir.path().join("config.toml");
    let data = dir.path().join("data");
    let sim = Sim::start(&config);

    // 1. Killed after recording, before sending.
    let console = Console::start(
        "a",
        dir.path(),
        &config,
        &data,
        "ORDERDESK_PAUSE_BEFORE_SEND_MS=60000",
    );
    console.add_message("crash-test-A");
    let entry = wait_journal(&data, "crash-test-A", "recorded");
    let id = entry["order_id"].as_str().expect("order id").to_owned();
    console.kill9();
    drop(console);
    assert_eq!(
        sim.count(&id, "crash-test-A"),
        0,
        "sent although killed before sending"
    );

    // Restart: the pending write is resolved by sending it, once.
    let console = Console::start("b", dir.path(), &config, &data, "");
    let entry = wait_journal(&data, "crash-test-A", "confirmed");
    assert_eq!(entry["sends"], 1);
    assert_eq!(sim.count(&id, "crash-test-A"), 1);

    // 2. Killed after sending, before the answer (the sim applies at once and
    // answers 3 s later).
    console.add_message("crash-test-B");
    let entry = wait_journal(&data, "crash-test-B", "sending");
    let id_b = entry["order_id"].as_str().expect("order id").to_owned();
    let deadline = Instant::now() + Duration::from_secs(10);
    while sim.count(&id_b, "crash-test-B") == 0 {
        assert!(
            Instant::now() < deadline,
            "the write never reached the simulator"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    console.kill9();
    drop(console);

    // Restart: the re-read shows the write took effect: confirmed, not resent.
    let _console = Console::start("c", dir.path(), &config, &data, "");
    let entry = wait_journal(&data, "crash-test-B", "confirmed");
    assert_eq!(entry["sends"], 1, "{entry:#}");
    // Give a wrong resend time to happen, then count.
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(
        sim.count(&id_b, "crash-test-B"),
        1,
        "the write was sent twice"
    );
    assert_eq!(
        sim.count(&id, "crash-test-A"),
        1,
        "the first write was sent twice"
    );
}
