//! End-to-end in a real terminal: the binary in demo mode inside tmux,
//! driven with send-keys and read with capture-pane, as a user would. It
//! checks what only a real terminal shows: the binary starts the simulators,
//! takes the terminal (raw mode, alternate screen), decodes real key bytes,
//! and on `q` exits with 0 and gives the screen back. The console's flows
//! themselves run in-process (`tests/console_flows.rs`). Needs tmux; where
//! it is missing the test says so and skips, except under `CI=true`, where
//! `.ci/run` installs it and a missing tmux is a failure.

mod tmux;

use tmux::Tmux;

#[test]
fn demo_opens_an_order_and_quits_giving_the_terminal_back() {
    if !tmux::available("the end-to-end test") {
        return;
    }
    let home = tempfile::tempdir().expect("tempdir");
    let bin = env!("CARGO_BIN_EXE_orderdesk");
    // The shell stays after the console exits, so its exit status and the
    // restored screen can be read.
    let command = format!(
        "env HOME={home} XDG_CONFIG_HOME={home}/config XDG_DATA_HOME={home}/data XDG_STATE_HOME={home}/state TERM=xterm-256color {bin} demo --orders 40 --latency 0; echo orderdesk exited $?; sleep 60",
        home = home.path().display()
    );
    let tmux = Tmux::start("e2e", 120, 32, &command);
    tmux.wait_for("the orders table with synced orders", |s| {
        s.contains("tg/") && s.contains("✓ tg")
    });

    // Real key bytes: Enter opens the selected order, Escape closes it.
    tmux.keys(&["Enter"]);
    tmux.wait_for("the detail pane", |s| s.contains("Overview"));
    tmux.keys(&["Escape"]);
    tmux.wait_for("the detail pane to close", |s| !s.contains("Overview"));

    tmux.keys(&["q"]);
    let screen = tmux.wait_for("the console to exit", |s| s.contains("orderdesk exited"));
    assert!(screen.contains("orderdesk exited 0"), "{screen}");
    assert!(
        !screen.contains("✓ tg"),
        "the alternate screen was not left:\n{screen}"
    );
}
