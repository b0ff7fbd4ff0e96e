//! End-to-end: `orderdesk wallboard` in a real terminal (tmux) against a
//! Tjänsteguiden simulator polled every second, left running while the
//! carrier fails (every answer malformed) and recovers: the carrier's row
//! follows (ok, then error, then ok again), the screen never freezes or
//! crashes, and `q` quits with 0. Needs tmux; where it is missing the test
//! says so and skips, except under `CI=true` (see `tests/tmux`).

mod tmux;

use orderdesk::sim::faults::Faults;
use orderdesk::sim::tjansteguiden::{SimOptions, TgSim};
use tmux::Tmux;

/// The carrier row's health cell says `word`.
fn row_says(screen: &str, word: &str) -> bool {
    screen
        .lines()
        .any(|l| l.contains("│tg ") && l.contains(word))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wallboard_follows_a_carrier_that_fails_and_recovers() {
    if !tmux::available("the wallboard end-to-end test") {
        return;
    }
    let (sim, server) = TgSim::spawn(
        SimOptions {
            orders: 20,
            ..SimOptions::default()
        },
        0,
    )
    .await
    .expect("sim starts");
    let home = tempfile::tempdir().expect("tempdir");
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[[carrier]]\nname = \"tg\"\nkind = \"tjansteguiden\"\nbase_url = \"{}\"\n\
             api_user = \"{}\"\nsince = \"2000-01-01\"\nrefresh = 1\n",
            TgSim::endpoint(&server.origin()),
            sim.api_user()
        ),
    )
    .expect("write config");
    let bin = env!("CARGO_BIN_EXE_orderdesk");
    let command = format!(
        "env HOME={home} XDG_STATE_HOME={home}/state TERM=xterm-256color {bin} wallboard --config {config} --data-dir {home}/data; echo orderdesk exited $?; sleep 60",
        home = home.path().display(),
        config = config.display()
    );
    let screen = tokio::task::spawn_blocking(move || {
        let tmux = Tmux::start("wallboard", 120, 32, &command);
        tmux.wait_for("the carrier synced", |s| {
            s.contains("data as of") && row_says(s, "✓ ok")
        });
        sim.set_faults(Faults {
            malformed_rate: 1.0,
            ..Faults::default()
        });
        tmux.wait_for("the carrier's error", |s| row_says(s, "✗ error"));
        sim.set_faults(Faults::default());
        tmux.wait_for("the carrier back", |s| row_says(s, "✓ ok"));
        tmux.keys(&["q"]);
        tmux.wait_for("the wallboard to exit", |s| s.contains("orderdesk exited"))
    })
    .await
    .expect("the tmux side ran");
    assert!(screen.contains("orderdesk exited 0"), "{screen}");
    drop(server);
}
