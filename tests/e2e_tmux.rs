//! End-to-end: the real binary in demo mode inside tmux, driven with
//! send-keys and read with capture-pane, as a user would. Needs tmux; where it
//! is missing the test says so and skips, except under `CI=true`, where
//! `.ci/run` installs it and a missing tmux is a failure.

use std::path::Path;
use std::time::{Duration, Instant};

mod tmux;

use tmux::Tmux;

/// The demo in a session of `width` x `height`, with its files under `home`.
fn demo(width: u16, height: u16, home: &Path, args: &str) -> Tmux {
    let bin = env!("CARGO_BIN_EXE_orderdesk");
    let command = format!(
        "env HOME={home} XDG_CONFIG_HOME={home}/config XDG_DATA_HOME={home}/data XDG_STATE_HOME={home}/state TERM=xterm-256color {bin} {args}",
        home = home.display()
    );
    Tmux::start(&format!("e2e-{width}"), width, height, &command)
}

#[test]
fn demo_filter_open_order_and_set_status() {
    if !tmux::available("the end-to-end test") {
        return;
    }
    let home = tempfile::tempdir().expect("tempdir");
    let tmux = demo(160, 48, home.path(), "demo --orders 120 --latency 0");
    tmux.wait_for("the orders table with synced orders", |s| {
        s.contains("tg/") && s.contains("✓ tg")
    });

    // Filter down to new orders of the Tjänsteguiden carrier.
    tmux.keys(&["/"]);
    tmux.literal("stage:new carrier:tg");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the filter to apply", |s| {
        s.contains("stage:new carrier:tg")
    });
    let first_key = screen
        .lines()
        .find_map(|l| {
            l.split_whitespace()
                .find(|w| w.starts_with("tg/"))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| panic!("no order after filtering:\n{screen}"));
    assert!(
        !screen
            .lines()
            .any(|l| l.contains("tg/") && (l.contains("delivered") || l.contains("cancelled"))),
        "filter let other stages through:\n{screen}"
    );

    // Open it: the detail shows its overview.
    tmux.keys(&["Enter"]);
    tmux.wait_for("the detail pane", |s| {
        s.contains("Overview") && s.contains(&first_key)
    });

    // Set status: received is one step forward from new, so no confirmation.
    tmux.keys(&["Escape"]);
    tmux.keys(&["t"]);
    tmux.wait_for("the set status dialog", |s| {
        s.contains("received") && s.contains("(current)")
    });
    tmux.keys(&["Down"]);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the portal's answer", |s| {
        s.contains("Status changed to received")
    });
    assert!(screen.contains(&first_key), "{screen}");

    // The re-read order shows the new status and the portal's log line.
    tmux.keys(&["/"]);
    tmux.keys(&["C-u"]);
    tmux.literal(&first_key);
    tmux.keys(&["Enter", "Enter"]);
    tmux.keys(&["l", "l", "l"]);
    tmux.wait_for("the portal's log line in the Log tab", |s| {
        s.lines().any(|l| {
            l.contains(&format!(
                "Status changed to received for order {}",
                &first_key[3..]
            ))
        })
    });

    tmux.keys(&["q"]);
    let deadline = Instant::now() + Duration::from_secs(5);
    while tmux.alive() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn readonly_demo_refuses_writes_at_80x24() {
    if !tmux::available("the end-to-end test") {
        return;
    }
    let home = tempfile::tempdir().expect("tempdir");
    let tmux = demo(
        80,
        24,
        home.path(),
        "demo --readonly --orders 40 --latency 0",
    );
    tmux.wait_for("the READ-ONLY banner and orders", |s| {
        s.contains("READ-ONLY") && s.contains("tg/")
    });
    tmux.keys(&["t"]);
    tmux.wait_for("the read-only explanation", |s| s.contains("read-only"));
    tmux.keys(&["q"]);
}
