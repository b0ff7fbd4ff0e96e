//! `orderdesk stats [--json]` against the simulators (`orderdesk sim` in its
//! own process): the same figures as the wallboard, agreeing with `list`;
//! and `check-config` reporting a bad `[wallboard]` with line and column.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_orderdesk");

mod sim_process;

use serde_json::Value;
use sim_process::SimProcess;

fn run(args: &[&str], config: &Path, data: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data)
        .env("XDG_STATE_HOME", data)
        .output()
        .expect("binary runs")
}

#[test]
fn stats_json_agrees_with_list_and_names_every_carrier() {
    let sim = SimProcess::start(&["--orders", "30", "--voice-orders", "10", "--latency", "0"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    let toml = format!(
        "{}\n[wallboard]\nopen = {{ amber = 1 }}\nsla_new = \"1h\"\n",
        sim.config
    );
    std::fs::write(&config, &toml).expect("write config");

    let out = run(&["stats", "--json"], &config, dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats: Value = serde_json::from_slice(&out.stdout).expect("JSON object");
    let list = run(&["list", "--json"], &config, dir.path());
    let open: Vec<Value> = serde_json::from_slice(&list.stdout).expect("JSON array");

    let tile = |k: &str| stats["tiles"][k]["value"].as_u64().expect(k);
    assert_eq!(tile("open"), open.len() as u64);
    let attention = open
        .iter()
        .filter(|o| o["attention"].as_array().is_some_and(|a| !a.is_empty()))
        .count() as u64;
    assert_eq!(tile("attention"), attention);
    // The threshold from the config: one open order is already amber.
    assert_eq!(stats["tiles"]["open"]["level"], "amber");
    assert_eq!(
        stats["tiles"]["open"]["caption"],
        format!("{} open ! AMBER", open.len())
    );

    let carriers = stats["carriers"].as_array().expect("carriers");
    let names: Vec<&str> = carriers.iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    let mut open_sum = 0;
    for c in carriers {
        assert_eq!(c["health"], "ok", "{c}");
        let buckets: u64 = c["ageing"]
            .as_object()
            .expect("ageing")
            .values()
            .filter_map(Value::as_u64)
            .sum();
        let open = c["open"].as_u64().expect("open");
        assert_eq!(
            buckets + c["unknown_age"].as_u64().unwrap_or(0),
            open,
            "{c}"
        );
        open_sum += open;
        for stage in ["new", "in_progress", "needs_attention", "done", "closed"] {
            assert!(c["stages"][stage].is_u64(), "{stage} in {c}");
        }
    }
    assert_eq!(open_sum, open.len() as u64);
    // Oldest attention items first.
    let ages: Vec<u64> = stats["attention"]
        .as_array()
        .expect("attention")
        .iter()
        .filter_map(|a| a["age_secs"].as_u64())
        .collect();
    assert!(ages.windows(2).all(|w| w[0] >= w[1]), "{ages:?}");
    // No store in the data dir yet: no trend, and no warning about it.
    assert_eq!(stats["trend"], Value::Null);

    let text = run(&["stats"], &config, dir.path());
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains(&format!("{} open ! AMBER", open.len())),
        "{text}"
    );
    assert!(text.contains("breaching"), "{text}");
}

#[test]
fn check_config_reports_a_bad_wallboard_table_at_its_place() {
    let sim = SimProcess::start(&["--orders", "1", "--latency", "0"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    let toml = format!(
        "{}\n[wallboard]\nattention = {{ amber = 50, red = 20 }}\n",
        sim.config
    );
    let line = toml.lines().count();
    std::fs::write(&config, &toml).expect("write config");
    let out = run(&["check-config"], &config, dir.path());
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            ":{line}:13: wallboard.attention: amber must not be past red"
        )),
        "{err}"
    );
}
