//! Headless `list` never hides an order that could not be read: partial
//! results warn on stderr and exit 3 (as for a failed carrier), and `show`
//! says the order could not be read, and why (not "not found").

use std::process::{Command, Output};

use orderdesk::sim::tjansteguiden::{OrderFault, SimOptions, TgSim};

const BIN: &str = env!("CARGO_BIN_EXE_orderdesk");

async fn run(args: Vec<String>, dir: std::path::PathBuf) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(BIN)
            .args(&args)
            .arg("--config")
            .arg(dir.join("config.toml"))
            .arg("--data-dir")
            .arg(&dir)
            .env("XDG_STATE_HOME", &dir)
            .output()
            .expect("binary runs")
    })
    .await
    .expect("joined")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_warns_and_exits_3_and_show_says_why() {
    let (sim, server) = TgSim::spawn(
        SimOptions {
            orders: 8,
            ..SimOptions::default()
        },
        0,
    )
    .await
    .expect("the simulator starts");
    let ids = sim.order_ids();
    let bad = ids[3].clone();
    sim.set_order_fault(&bad, Some(OrderFault::NotUtf8));

    let dir = tempfile::tempdir().expect("tempdir");
    let config = format!(
        "[[carrier]]\nname = \"tg\"\nkind = \"tjansteguiden\"\nbase_url = \"{}\"\napi_user = \"{}\"\nsince = \"2000-01-01\"\n",
        TgSim::endpoint(&server.origin()),
        sim.api_user()
    );
    std::fs::write(dir.path().join("config.toml"), config).expect("config");

    let out = run(
        vec!["list".into(), "--json".into(), "--all".into()],
        dir.path().to_owned(),
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "partial results: {stderr}");
    assert!(
        stderr.contains(&format!("order tg/{bad} could not be read")),
        "{stderr}"
    );
    let orders: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON array");
    assert_eq!(
        orders.len(),
        8,
        "the others are printed, the bad one flagged"
    );
    let row = orders
        .iter()
        .find(|o| o["id"] == bad.as_str())
        .expect("the unreadable order's row");
    assert!(row["error"].is_string(), "{row}");

    let out = run(
        vec!["show".into(), format!("tg/{bad}")],
        dir.path().to_owned(),
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains(&format!("tg/{bad}: the order could not be read:")),
        "{stderr}"
    );
    assert!(!stderr.contains("not found"), "{stderr}");

    // Healed: a clean list exits 0.
    sim.set_order_fault(&bad, None);
    let out = run(vec!["list".into(), "--all".into()], dir.path().to_owned()).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
