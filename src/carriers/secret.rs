//! Resolves a configured [`SecretSource`] to the secret itself, once, when a
//! carrier is built: `Env(name)` reads the environment variable, `Command(cmd)`
//! runs `sh -c cmd` with a timeout and takes its stdout (trimmed), `Inline` is
//! the value from a private config file.
//!
//! It must not leak: the secret is returned as a [`SecretString`] (redacted in
//! `Debug`, zeroed on drop) and no error message contains it, nor the command
//! text (which may embed a password), nor the command's stdout or stderr. The
//! command's stdin is closed and its stderr is captured and dropped, so it can
//! neither prompt nor draw over the terminal.
//!
//! The command is bounded: it runs in a process group of its own, at most
//! [`MAX_COMMAND_OUTPUT`] of its output is read, and when it runs past the
//! timeout, prints too much or leaves a process holding its output open, the
//! whole group is killed (the script and its children too, not only the
//! `sh` wrapper).
//!
//! Resolution blocks the calling thread (at most the timeout); it runs once
//! per carrier at start-up.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use secrecy::SecretString;
use secrecy::zeroize::Zeroize;

use super::CarrierError;
use crate::config::SecretSource;

/// How long `client_secret_cmd` may take.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// The most `client_secret_cmd` may print: a secret is a line, not a stream.
pub const MAX_COMMAND_OUTPUT: usize = 64 * 1024;

/// Resolves `source`; `what` names the config key in error messages
/// (`client_secret`).
pub fn resolve(source: &SecretSource, what: &str) -> Result<SecretString, CarrierError> {
    resolve_with_timeout(source, what, DEFAULT_COMMAND_TIMEOUT)
}

/// [`resolve`] with an explicit timeout for commands.
pub fn resolve_with_timeout(
    source: &SecretSource,
    what: &str,
    timeout: Duration,
) -> Result<SecretString, CarrierError> {
    match source {
        SecretSource::Inline(secret) => Ok(secret.clone()),
        SecretSource::Env(name) => match std::env::var(name) {
            Ok(mut value) => {
                let trimmed = value.trim().to_owned();
                value.zeroize();
                if trimmed.is_empty() {
                    Err(CarrierError::Local(format!(
                        "{what}_env: environment variable {name} is empty"
                    )))
                } else {
                    Ok(SecretString::from(trimmed))
                }
            }
            Err(std::env::VarError::NotPresent) => Err(CarrierError::Local(format!(
                "{what}_env: environment variable {name} is not set"
            ))),
            Err(std::env::VarError::NotUnicode(_)) => Err(CarrierError::Local(format!(
                "{what}_env: environment variable {name} is not valid UTF-8"
            ))),
        },
        SecretSource::Command(cmd) => run_command(cmd, what, timeout),
    }
}

fn run_command(cmd: &str, what: &str, timeout: Duration) -> Result<SecretString, CarrierError> {
    let fail = |detail: String| CarrierError::Local(format!("{what}_cmd {detail}"));
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    // A group of its own, so that stopping it stops everything it started.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command
        .spawn()
        .map_err(|e| fail(format!("could not be started: {}", e.kind())))?;
    let stop = |child: &mut Child| {
        kill_group(child);
        let _ = child.wait();
    };
    let Some(stdout) = child.stdout.take() else {
        stop(&mut child);
        return Err(fail("could not be started: no stdout".into()));
    };
    // Read stdout on a thread: a command that fills the pipe must not block
    // its own exit, and a grandchild holding the pipe open must not block us.
    // One byte past the limit tells "too much" from "exactly the limit".
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let result = stdout
            .take(MAX_COMMAND_OUTPUT as u64 + 1)
            .read_to_end(&mut buf)
            .map(|_| buf);
        let _ = tx.send(result);
    });
    let too_much = || {
        fail(format!(
            "printed more than {} KiB and was stopped",
            MAX_COMMAND_OUTPUT / 1024
        ))
    };
    let deadline = Instant::now() + timeout;
    let mut output = None;
    let status = loop {
        if output.is_none() {
            match rx.try_recv() {
                Ok(Ok(mut bytes)) if bytes.len() > MAX_COMMAND_OUTPUT => {
                    bytes.zeroize();
                    stop(&mut child);
                    return Err(too_much());
                }
                Ok(result) => output = Some(result),
                Err(_) => {}
            }
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                stop(&mut child);
                return Err(fail(format!(
                    "did not finish within {} s and was stopped",
                    timeout.as_secs_f64()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => {
                stop(&mut child);
                return Err(fail(format!("could not be waited for: {}", e.kind())));
            }
        }
    };
    let left = deadline.saturating_duration_since(Instant::now()) + Duration::from_millis(200);
    let output = match output {
        Some(output) => Ok(output),
        None => rx.recv_timeout(left),
    };
    let mut bytes = match output {
        Ok(Ok(mut bytes)) if bytes.len() > MAX_COMMAND_OUTPUT => {
            bytes.zeroize();
            kill_group(&child);
            return Err(too_much());
        }
        Ok(Ok(bytes)) => bytes,
        Ok(Err(e)) => return Err(fail(format!("output could not be read: {}", e.kind()))),
        Err(_) => {
            kill_group(&child);
            return Err(fail(
                "kept its output open after exiting (a background process?)".into(),
            ));
        }
    };
    if !status.success() {
        bytes.zeroize();
        return Err(fail(match status.code() {
            Some(code) => format!("failed with exit status {code}"),
            None => "was killed by a signal".into(),
        }));
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            e.into_bytes().zeroize();
            return Err(fail("printed something that is not UTF-8".into()));
        }
    };
    let mut text = text;
    let secret = text.trim().to_owned();
    text.zeroize();
    if secret.is_empty() {
        return Err(fail("printed nothing".into()));
    }
    Ok(SecretString::from(secret))
}

/// Kills the command's process group: the `sh` wrapper, the script and
/// everything they started that did not leave the group.
fn kill_group(child: &Child) {
    #[cfg(unix)]
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: kill(2) with a negative pid signals the process group the
        // child leads (it was started with `process_group(0)`); it touches
        // no memory of ours.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    #[cfg(not(unix))]
    let _ = child;
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn command_stdout_is_trimmed() {
        let s = resolve(
            &SecretSource::Command("printf '  s3cret \\n'".into()),
            "client_secret",
        )
        .expect("runs");
        assert_eq!(s.expose_secret(), "s3cret");
    }

    #[test]
    fn command_failure_does_not_leak_output_or_command() {
        let source = SecretSource::Command("echo leaked-value; echo err-value >&2; exit 3".into());
        let e = resolve(&source, "client_secret").unwrap_err().to_string();
        assert!(e.contains("exit status 3"), "{e}");
        assert!(!e.contains("leaked-value") && !e.contains("err-value") && !e.contains("echo"));
    }

    #[test]
    fn command_timeout_stops_it() {
        let source = SecretSource::Command("sleep 5; echo late".into());
        let e = resolve_with_timeout(&source, "client_secret", Duration::from_millis(200))
            .unwrap_err()
            .to_string();
        assert!(e.contains("did not finish"), "{e}");
    }

    #[test]
    fn endless_output_is_cut_at_the_limit_and_the_command_stopped() {
        let source = SecretSource::Command("yes s3cr3t".into());
        let e = resolve_with_timeout(&source, "client_secret", Duration::from_secs(20))
            .unwrap_err()
            .to_string();
        assert!(e.contains("printed more than 64 KiB"), "{e}");
        assert!(!e.contains("s3cr3t"), "{e}");
    }

    #[test]
    fn output_at_the_limit_is_accepted() {
        let cmd = format!("head -c {MAX_COMMAND_OUTPUT} /dev/zero | tr '\\0' x");
        let s = resolve(&SecretSource::Command(cmd), "client_secret").expect("at the limit");
        assert_eq!(s.expose_secret().len(), MAX_COMMAND_OUTPUT);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_timeout_stops_the_children_too() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pid_file = dir.path().join("pid");
        let cmd = format!("sleep 30 & echo $! > '{}'; wait", pid_file.display());
        let e = resolve_with_timeout(
            &SecretSource::Command(cmd),
            "client_secret",
            Duration::from_millis(500),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("did not finish"), "{e}");
        let pid = std::fs::read_to_string(&pid_file).expect("the script wrote its child's pid");
        let stat = format!("/proc/{}/stat", pid.trim());
        // Killed: gone, or a zombie until its new parent reaps it.
        let deadline = Instant::now() + Duration::from_secs(5);
        let alive = || {
            std::fs::read_to_string(&stat)
                .map(|s| !s.contains(") Z "))
                .unwrap_or(false)
        };
        while alive() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!alive(), "the script's child outlived the timeout");
    }

    #[test]
    fn empty_output_is_an_error() {
        let e = resolve(&SecretSource::Command("true".into()), "client_secret")
            .unwrap_err()
            .to_string();
        assert!(e.contains("printed nothing"), "{e}");
    }

    #[test]
    fn env_missing_names_the_variable() {
        let e = resolve(
            &SecretSource::Env("ORDERDESK_TEST_SURELY_UNSET_VAR".into()),
            "client_secret",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("ORDERDESK_TEST_SURELY_UNSET_VAR is not set"),
            "{e}"
        );
    }

    #[test]
    fn inline_is_returned() {
        let s = resolve(&SecretSource::Inline("abc".into()), "client_secret").expect("inline");
        assert_eq!(s.expose_secret(), "abc");
    }
}
