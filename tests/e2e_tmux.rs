//! End-to-end in a real terminal: the binary in demo mode inside tmux,
//! driven with send-keys and read with capture-pane, as a user would. It
//! checks what only a real terminal shows: the binary starts the simulators,
//! takes the terminal (raw mode, alternate screen), decodes real key bytes,
//! and on `q` exits with 0 and gives the screen back; Ctrl-Z and SIGTSTP
//! suspend it to the shell in line mode and `fg` redraws it; every signal
//! that ends it leaves a sane tty and the shell's screen; the new orders are
//! acknowledged in one bulk action, and a real mouse click (SGR bytes)
//! selects a row. The console's flows
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

#[test]
fn bulk_acknowledge_of_the_new_orders_and_a_mouse_click() {
    if !tmux::available("the bulk and mouse end-to-end test") {
        return;
    }
    let home = tempfile::tempdir().expect("tempdir");
    let bin = env!("CARGO_BIN_EXE_orderdesk");
    let command = format!(
        "env HOME={home} XDG_CONFIG_HOME={home}/config XDG_DATA_HOME={home}/data XDG_STATE_HOME={home}/state TERM=xterm-256color {bin} demo --orders 40 --latency 0; echo orderdesk exited $?; sleep 60",
        home = home.path().display()
    );
    let tmux = Tmux::start("e2e-bulk", 120, 32, &command);
    tmux.wait_for("the orders table with synced orders", |s| {
        s.contains("tg/") && s.contains("✓ tg")
    });

    // The new orders, every one marked, one acknowledge for all of them.
    tmux.keys(&["3"]);
    tmux.keys(&["*"]);
    tmux.wait_for("the marks", |s| s.contains(" marked"));
    tmux.keys(&["a"]);
    let confirm = tmux.wait_for("the one confirmation", |s| {
        s.contains("send to these") && s.contains("sends to")
    });
    assert!(confirm.contains("one by one"), "{confirm}");
    tmux.keys(&["y"]);
    let done = tmux.wait_for("the summary", |s| {
        s.contains("confirmed") && s.contains("enter/esc")
    });
    let confirmed: usize = done
        .split_whitespace()
        .zip(done.split_whitespace().skip(1))
        .find(|(_, next)| *next == "confirmed")
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or(0);
    assert!(confirmed >= 2, "several new orders acknowledged:\n{done}");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the summary to close", |s| !s.contains("enter/esc"));

    // A click on the table's third order row selects it: the views bar
    // says where the selection is (row 2 is the column titles).
    tmux.keys(&["4"]);
    tmux.keys(&["g"]);
    let views_bar = |s: &str| s.lines().nth(1).unwrap_or_default().to_owned();
    tmux.wait_for("the first order selected", |s| {
        views_bar(s).contains("· 1/")
    });
    tmux.click(20, 5);
    tmux.wait_for("the clicked row selected", |s| {
        views_bar(s).contains("· 3/")
    });

    assert!(tmux.mouse_captured());
    tmux.keys(&["q"]);
    let screen = tmux.wait_for("the console to exit", |s| s.contains("orderdesk exited"));
    assert!(screen.contains("orderdesk exited 0"), "{screen}");
    assert!(!tmux.mouse_captured(), "the mouse was not given back");
}

/// An interactive shell with job control in tmux, to run the console in.
fn shell(name: &str, home: &std::path::Path) -> Tmux {
    let command = format!(
        "env -i PATH=/usr/bin:/bin HOME={home} XDG_CONFIG_HOME={home}/config XDG_DATA_HOME={home}/data XDG_STATE_HOME={home}/state TERM=xterm-256color PS1='$ ' bash --norc --noprofile -i",
        home = home.display()
    );
    let tmux = Tmux::start(name, 120, 32, &command);
    tmux.wait_for("the shell prompt", |s| s.contains('$'));
    tmux
}

/// Starts the demo console from the shell and waits for its orders.
fn start_console(tmux: &Tmux) -> i32 {
    let bin = env!("CARGO_BIN_EXE_orderdesk");
    tmux.literal(&format!("{bin} demo --orders 20 --latency 0"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("the orders table with synced orders", |s| {
        s.contains("tg/") && s.contains("✓ tg")
    });
    console_pid(tmux)
}

/// The console's pid: the shell's child running orderdesk.
fn console_pid(tmux: &Tmux) -> i32 {
    let out = std::process::Command::new("pgrep")
        .args(["-P", &tmux.pane_pid(), "orderdesk"])
        .output()
        .expect("pgrep runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .and_then(|l| l.trim().parse().ok())
        .expect("the console's pid")
}

/// Whether the shell's tty is in line mode with echo, asked with `stty -a`
/// from the shell.
fn assert_sane_tty(tmux: &Tmux, after: &str) {
    tmux.keys(&["C-l"]);
    tmux.literal(
        "stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo TTY-END",
    );
    tmux.keys(&["Enter"]);
    // The answer's line, not the typed command's.
    let answer = |l: &&str| l.trim_end().ends_with("TTY-END") && !l.contains("stty");
    let screen = tmux.wait_for("stty's answer", |s| s.lines().any(|l| answer(&l)));
    let line = screen.lines().find(answer).unwrap_or_default();
    assert_eq!(
        line.trim_end(),
        "icanon echo TTY-END",
        "after {after}:\n{screen}"
    );
}

fn send(pid: i32, signal: i32) {
    // SAFETY: kill(2) on a pid this test started.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "kill {signal}");
}

#[test]
fn suspend_and_resume_give_the_terminal_back_and_take_it_again() {
    if !tmux::available("the suspend test") {
        return;
    }
    let home = tempfile::tempdir().expect("tempdir");
    let tmux = shell("suspend", home.path());
    let pid = start_console(&tmux);

    // Ctrl-Z: the shell is back, in line mode with echo, the screen its own.
    tmux.keys(&["C-z"]);
    let screen = tmux.wait_for("the job stopped", |s| s.contains("Stopped"));
    assert!(
        !screen.contains("✓ tg"),
        "the alternate screen stayed:\n{screen}"
    );
    assert_sane_tty(&tmux, "Ctrl-Z");
    assert!(
        !tmux.mouse_captured(),
        "the mouse stayed captured while stopped"
    );
    // fg: the console takes the terminal again and redraws everything.
    tmux.keys(&["C-l"]);
    tmux.literal("fg");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the console redrawn after fg", |s| {
        s.contains("✓ tg") && s.contains("order") && !s.contains("Stopped")
    });
    assert!(
        tmux.mouse_captured(),
        "the mouse is captured again after fg"
    );
    // It still takes keys in raw mode: `2` switches to the attention view.
    tmux.keys(&["2"]);
    tmux.wait_for("a key handled after the resume", |s| {
        s.contains("attention")
    });

    // SIGTSTP from outside does the same.
    send(pid, libc::SIGTSTP);
    let screen = tmux.wait_for("the job stopped by SIGTSTP", |s| s.contains("Stopped"));
    assert!(
        !screen.contains("✓ tg"),
        "the alternate screen stayed:\n{screen}"
    );
    assert_sane_tty(&tmux, "SIGTSTP");
    tmux.keys(&["C-l"]);
    tmux.literal("fg");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the console redrawn after fg", |s| {
        s.contains("✓ tg") && !s.contains("Stopped")
    });
    tmux.keys(&["q"]);
    tmux.wait_for("the shell back after q", |s| !s.contains("✓ tg"));
}

#[test]
fn every_signal_that_ends_the_console_restores_the_terminal() {
    if !tmux::available("the signal test") {
        return;
    }
    let home = tempfile::tempdir().expect("tempdir");
    let tmux = shell("signals", home.path());
    for (name, signal) in [
        ("SIGQUIT", libc::SIGQUIT),
        ("SIGUSR1", libc::SIGUSR1),
        ("SIGUSR2", libc::SIGUSR2),
        ("SIGALRM", libc::SIGALRM),
        ("SIGTERM", libc::SIGTERM),
    ] {
        let pid = start_console(&tmux);
        send(pid, signal);
        let screen = tmux.wait_for(&format!("the shell back after {name}"), |s| {
            !s.contains("✓ tg")
        });
        assert!(
            !screen.contains("order  "),
            "{name}: the console's screen stayed:\n{screen}"
        );
        assert_sane_tty(&tmux, name);
        tmux.keys(&["C-l"]);
    }
}
