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
//! Resolution blocks the calling thread (at most the timeout); it runs once
//! per carrier at start-up.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use secrecy::SecretString;
use secrecy::zeroize::Zeroize;

use super::CarrierError;
use crate::config::SecretSource;

/// How long `client_secret_cmd` may take.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

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
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| fail(format!("could not be started: {}", e.kind())))?;
    let Some(mut stdout) = child.stdout.take() else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(fail("could not be started: no stdout".into()));
    };
    // Read stdout on a thread: a command that fills the pipe must not block
    // its own exit, and a grandchild holding the pipe open must not block us.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let result = stdout.read_to_end(&mut buf).map(|_| buf);
        let _ = tx.send(result);
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(fail(format!(
                    "did not finish within {} s and was stopped",
                    timeout.as_secs_f64()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => {
                let _ = child.kill();
                return Err(fail(format!("could not be waited for: {}", e.kind())));
            }
        }
    };
    let left = deadline.saturating_duration_since(Instant::now()) + Duration::from_millis(200);
    let mut bytes = match rx.recv_timeout(left) {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(e)) => return Err(fail(format!("output could not be read: {}", e.kind()))),
        Err(_) => {
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
