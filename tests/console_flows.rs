//! The console's heaviest flows in-process: the real loop, engine, app and
//! view on a `TestBackend` against the Tjänsteguiden simulator, driven with
//! key events and checked on the screen and on the simulator's state. These
//! used to run in tmux against the binary (`tests/e2e_tmux.rs` keeps one
//! real-terminal flow).

use crossterm::event::KeyCode;

mod console;

use console::{Console, Start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filter_open_order_and_set_status() {
    let console = Console::start(Start::default()).await;
    console
        .wait_for("the orders table with synced orders", |s| {
            s.contains("tg/") && s.contains("✓ tg")
        })
        .await;

    // Filter down to new orders of the Tjänsteguiden carrier.
    console.keys(&[KeyCode::Char('/')]);
    console.literal("stage:new carrier:tg");
    console.keys(&[KeyCode::Enter]);
    let screen = console
        .wait_for("the filter to apply", |s| {
            s.contains("stage:new carrier:tg")
        })
        .await;
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
    let id = &first_key[3..];
    assert_eq!(console.sim.status_of(id).as_deref(), Some("new"));

    // Open it: the detail shows its overview.
    console.keys(&[KeyCode::Enter]);
    console
        .wait_for("the detail pane", |s| {
            s.contains("Overview") && s.contains(&first_key)
        })
        .await;

    // Set status: received is one step forward from new, so no confirmation.
    console.keys(&[KeyCode::Esc, KeyCode::Char('t')]);
    console
        .wait_for("the set status dialog", |s| {
            s.contains("received") && s.contains("(current)")
        })
        .await;
    console.keys(&[KeyCode::Down, KeyCode::Enter]);
    let screen = console
        .wait_for("the portal's answer", |s| {
            s.contains("Status changed to received")
        })
        .await;
    assert!(screen.contains(&first_key), "{screen}");
    // The status changed at the carrier, with one write.
    assert_eq!(console.sim.status_of(id).as_deref(), Some("received"));
    assert_eq!(console.sim.writes(), 1);

    // The re-read order shows the new status and the portal's log line.
    console.keys(&[KeyCode::Char('/')]);
    console.ctrl('u');
    console.literal(&first_key);
    console.keys(&[
        KeyCode::Enter,
        KeyCode::Enter,
        KeyCode::Char('l'),
        KeyCode::Char('l'),
        KeyCode::Char('l'),
    ]);
    let line = format!("Status changed to received for order {id}");
    console
        .wait_for("the portal's log line in the Log tab", |s| {
            s.lines().any(|l| l.contains(&line))
        })
        .await;
    assert!(
        console
            .sim
            .log_of(id)
            .iter()
            .any(|(_, message)| message.contains(&line)),
        "the simulator logged the change: {:?}",
        console.sim.log_of(id)
    );

    assert_eq!(console.quit().await, Ok(()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readonly_refuses_writes_at_80x24() {
    let console = Console::start(Start {
        width: 80,
        height: 24,
        readonly: true,
        orders: 40,
        ..Start::default()
    })
    .await;
    console
        .wait_for("the READ-ONLY banner and orders", |s| {
            s.contains("READ-ONLY") && s.contains("tg/")
        })
        .await;
    console.keys(&[KeyCode::Char('t')]);
    console
        .wait_for("the read-only explanation", |s| s.contains("read-only"))
        .await;
    let sim = console.sim.clone();
    assert_eq!(console.quit().await, Ok(()));
    assert_eq!(sim.writes(), 0, "read-only sent a write");
    assert!(sim.requests("orders") > 0, "it did read the orders");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_startup_warning_shows_in_the_status_line() {
    let console = Console::start(Start {
        warnings: vec!["logging is off: no state directory could be determined".into()],
        ..Start::default()
    })
    .await;
    console
        .wait_for("the warning on the first frames", |s| {
            s.contains("logging is off: no state directory could be determined")
        })
        .await;
    assert_eq!(console.quit().await, Ok(()));
}
