//! The binary's headless commands against the simulators (`orderdesk sim`
//! in its own process): `list`, `show`, `check-config`, and a carrier that is
//! down beside one that works (partial results, a warning, exit 3).

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_orderdesk");

mod sim_process;

use sim_process::SimProcess;

/// `orderdesk sim` with 30 Tjänsteguiden and 10 Voice orders.
fn sim() -> (SimProcess, String) {
    let sim = SimProcess::start(&["--orders", "30", "--voice-orders", "10", "--latency", "0"]);
    let config = sim.config.clone();
    (sim, config)
}

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
fn list_and_show_print_json_from_both_carriers() {
    let (_sim, toml) = sim();
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, &toml).expect("write config");

    let out = run(&["list", "--json", "--all"], &config, dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let orders: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON array");
    assert_eq!(orders.len(), 40, "30 Tjänsteguiden + 10 Voice orders");
    for field in [
        "key",
        "carrier",
        "kind",
        "id",
        "status",
        "stage",
        "attention",
        "created",
        "customer",
        "service",
    ] {
        assert!(
            orders.iter().all(|o| o.get(field).is_some()),
            "missing {field}"
        );
    }
    assert!(
        orders.iter().any(|o| o["kind"] == "tjansteguiden")
            && orders.iter().any(|o| o["kind"] == "lumen-voice")
    );
    let stages = ["new", "in_progress", "needs_attention", "done", "closed"];
    assert!(
        orders
            .iter()
            .all(|o| stages.contains(&o["stage"].as_str().unwrap_or("")))
    );

    // Without --all, only open stages.
    let out = run(&["list", "--json"], &config, dir.path());
    let open: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON array");
    assert!(open.len() < orders.len());
    assert!(open.iter().all(|o| {
        ["new", "in_progress", "needs_attention"].contains(&o["stage"].as_str().unwrap_or(""))
    }));

    // show KEY --json has the details.
    let key = orders
        .iter()
        .find(|o| o["kind"] == "tjansteguiden")
        .expect("a tg order")["key"]
        .as_str()
        .expect("key")
        .to_owned();
    let out = run(&["show", &key, "--json"], &config, dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let order: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON object");
    assert_eq!(order["key"], key.as_str());
    assert!(order["log"].as_array().is_some_and(|l| !l.is_empty()));
    assert!(
        order["customer_details"]["member"].is_string(),
        "customer_info fetched: {order:#}"
    );
    assert!(order["items"].is_array() && order["fields"].is_object());

    // The text table too.
    let out = run(&["list"], &config, dir.path());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines().next().is_some_and(|l| l.starts_with("KEY")),
        "{text}"
    );

    // An unknown order is a clear error.
    let out = run(&["show", "tg/1"], &config, dir.path());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("tg/1"));
}

#[test]
fn a_dead_carrier_gives_partial_results_a_warning_and_exit_3() {
    let (_sim, toml) = sim();
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    // A second Tjänsteguiden carrier on a port nothing listens on.
    let dead = "\n[[carrier]]\nname = \"dead\"\nkind = \"tjansteguiden\"\nbase_url = \"http://127.0.0.1:9/admin/edit/services/plain/orders\"\napi_user = 1\ntimeout = 2\n";
    std::fs::write(&config, format!("{toml}{dead}")).expect("write config");
    let out = run(&["list", "--json", "--all"], &config, dir.path());
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("\"dead\"") && stderr.contains("warning"),
        "{stderr}"
    );
    let orders: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON array");
    assert_eq!(orders.len(), 40);
}

#[test]
fn check_config_reports_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[[carrier]]\nname = \"tg\"\nkind = \"tjansteguiden\"\nbase_url = \"https://x/orders\"\napi_usr = 1\n",
    )
    .expect("write");
    let out = run(&["check-config"], &config, dir.path());
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("config.toml:5:1") && stderr.contains("api_usr"),
        "{stderr}"
    );

    std::fs::write(&config, "[[carrier]]\nname = \"tg\"\nkind = \"tjansteguiden\"\nbase_url = \"https://x/orders\"\napi_user = 1\n")
        .expect("write");
    let out = run(&["check-config"], &config, dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("ok (1 carrier)"));
}

/// `orderdesk sim > cfg.toml` writes a config `check-config` accepts: the
/// banner goes to stderr, and `--port P` puts the i-th carrier on `P + i`.
#[test]
fn sim_prints_only_its_config_on_stdout_with_stable_ports() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::Stdio;

    let port: u16 = 20_000 + (std::process::id() % 20_000) as u16;
    let mut child = Command::new(BIN)
        .args(["sim", "--orders", "3", "--latency", "0", "--port"])
        .arg(port.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sim starts");
    // The banner comes after the config is flushed; its last URL ends it.
    let mut banner = String::new();
    let mut err = BufReader::new(child.stderr.take().expect("stderr")).lines();
    for line in err.by_ref() {
        let line = line.expect("banner");
        banner.push_str(&line);
        banner.push('\n');
        if line.trim_start().starts_with("lla") {
            break;
        }
    }
    let _ = child.kill();
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut stdout)
        .expect("read stdout");
    let _ = child.wait();

    assert!(banner.contains("Simulators running"), "{banner}");
    assert!(!stdout.contains("Simulators running"), "{stdout}");
    for (i, name) in ["tg", "voice", "px", "lla"].into_iter().enumerate() {
        let url = format!("http://127.0.0.1:{}", port + i as u16);
        assert!(
            stdout.contains(&format!("name = \"{name}\"")) && stdout.contains(&url),
            "{name} on {url}:\n{stdout}"
        );
    }

    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("cfg.toml");
    std::fs::write(&config, &stdout).expect("write");
    let out = run(&["check-config"], &config, dir.path());
    assert!(
        out.status.success(),
        "{}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("ok (4 carriers)"));
}

/// check-config refuses what the console refuses, each at its place.
#[test]
fn check_config_runs_the_consoles_checks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    let carrier = "[[carrier]]\nname = \"tg\"\nkind = \"tjansteguiden\"\nbase_url = \"https://x/orders\"\napi_user = 1\n";
    for (text, expect) in [
        (
            format!("[keys]\nrefersh = \"F5\"\n{carrier}"),
            "config.toml:2:11: keys: unknown action \"refersh\"",
        ),
        (
            format!("[keys]\nrefresh = \"F55\"\n{carrier}"),
            "config.toml:2:11: keys.refresh:",
        ),
        (
            format!("[keys]\nrefresh = \"q\"\n{carrier}"),
            "config.toml:2:11: keys.refresh: q is the key of quit",
        ),
        (
            format!("theme = \"dark\"\n{carrier}"),
            "config.toml:1:9: theme dark",
        ),
        ("theme = \"default\"\n".to_string(), "no [[carrier]] table"),
    ] {
        std::fs::write(&config, &text).expect("write");
        let out = run(&["check-config"], &config, dir.path());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "accepted:\n{text}");
        assert!(stderr.contains(expect), "{expect:?} not in {stderr}");
    }
}

/// `list --carrier NAME` with a name the config does not have is the user's
/// mistake: exit 2, naming the carriers there are, nothing on stdout.
#[test]
fn an_unknown_carrier_is_refused_naming_the_known_ones() {
    let (_sim, toml) = sim();
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, &toml).expect("write config");
    let out = run(&["list", "--carrier", "bogus"], &config, dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("\"bogus\"") && stderr.contains("configured: tg, voice"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());

    // A known one still lists, and as CSV too: a header and a record per
    // order, the --json fields as columns.
    let out = run(
        &["list", "--carrier", "voice", "--all", "--csv"],
        &config,
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let records: Vec<&str> = text.split_terminator("\r\n").collect();
    assert!(
        records[0].starts_with("key,carrier,kind,id,status,stage"),
        "{text}"
    );
    assert_eq!(records.len(), 11, "a header and 10 Voice orders: {text}");
    assert!(
        records[1..].iter().all(|r| r.starts_with("voice/")),
        "{text}"
    );
}

/// A data directory nothing was written from has an empty journal, which is
/// not an error; `--since` takes the formats it names.
#[test]
fn an_empty_journal_is_not_an_error_and_since_takes_ages_and_words() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("absent.toml");
    for since in [
        None,
        Some("yesterday"),
        Some("2h"),
        Some("3d"),
        Some("2026-11-02"),
        Some("2026-11-02 14:30"),
    ] {
        let mut args = vec!["journal", "--json"];
        args.extend(since.iter().flat_map(|s| ["--since", s]));
        let out = run(&args, &config, dir.path());
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let entries: Vec<serde_json::Value> =
            serde_json::from_slice(&out.stdout).expect("a JSON array");
        assert!(entries.is_empty());
    }
    let out = run(&["journal"], &config, dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());

    let out = run(&["journal", "--since", "last tuesday"], &config, dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for format in ["2026-11-02", "yesterday", "2h", "3d"] {
        assert!(stderr.contains(format), "{format} not named: {stderr}");
    }
}

/// `list | head -1`: a reader that goes away ends the command quietly, with
/// or without stderr on the same pipe (no broken-pipe error, no panic).
#[test]
fn a_reader_that_goes_away_ends_list_quietly() {
    let sim = SimProcess::start(&["--orders", "300", "--latency", "0"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, &sim.config).expect("write config");
    // Pretty JSON of 300+ orders is far more than a pipe holds, so the
    // writer is still writing when `head` exits.
    for redirect in ["2>err.txt", "2>&1"] {
        let script = format!(
            "\"$0\" list --json --all --config config.toml --data-dir . {redirect} | head -1 >/dev/null; \
             echo \"status ${{PIPESTATUS[0]}}\""
        );
        let out = Command::new("bash")
            .arg("-c")
            .arg(&script)
            .arg(BIN)
            .current_dir(dir.path())
            .env("XDG_STATE_HOME", dir.path())
            .output()
            .expect("bash runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(stdout.trim(), "status 0", "{redirect}: {stdout}");
        if redirect == "2>err.txt" {
            let stderr = std::fs::read_to_string(dir.path().join("err.txt")).expect("stderr");
            assert!(stderr.is_empty(), "{stderr}");
        }
    }
}

/// `init` writes the commented example where the config is looked for,
/// checks it, and never writes over an existing file.
#[test]
fn init_writes_the_example_config_once_and_checks_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("new").join("config.toml");
    let out = run(&["init"], &config, dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(&config).expect("written");
    assert!(written.contains("[[carrier]]") && written.starts_with('#'));
    assert!(String::from_utf8_lossy(&out.stdout).contains("ok (1 carrier)"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrote the example config"));

    std::fs::write(&config, "# mine\n").expect("edit");
    let out = run(&["init"], &config, dir.path());
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("already exists"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&config).expect("read"), "# mine\n");

    // The choices given as flags are set in the file, which still checks.
    let chosen = dir.path().join("chosen.toml");
    let out = run(
        &[
            "init",
            "--user",
            "anna",
            "--theme",
            "light",
            "--readonly",
            "--notify",
            "bell",
        ],
        &chosen,
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(&chosen).expect("written");
    for line in [
        "user = \"anna\"",
        "theme = \"light\"",
        "readonly = true",
        "notify = \"bell\"",
    ] {
        assert!(written.lines().any(|l| l == line), "{line} in\n{written}");
    }
    // A bad choice is refused by the check, in the config's words.
    let bad = dir.path().join("bad.toml");
    let out = run(&["init", "--notify", "loud"], &bad, dir.path());
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("notify \"loud\" is not one of"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
