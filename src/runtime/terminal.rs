//! Entering and leaving the terminal: raw mode, alternate screen, bracketed
//! paste; restored on normal exit, on panic (ratatui's hook, extended to turn
//! bracketed paste off) and on SIGTERM/SIGHUP/SIGINT.

use std::io::stdout;

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use ratatui::DefaultTerminal;

/// Sets the terminal up for the console.
pub fn enter() -> std::io::Result<DefaultTerminal> {
    let terminal = ratatui::try_init()?;
    // ratatui's hook restores raw mode and the screen; ours also ends paste mode.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(stdout(), DisableBracketedPaste);
        previous(info);
    }));
    crossterm::execute!(stdout(), EnableBracketedPaste)?;
    Ok(terminal)
}

/// Gives the terminal back as it was.
pub fn leave() {
    let _ = crossterm::execute!(stdout(), DisableBracketedPaste);
    ratatui::restore();
}

/// Signals that end the console cleanly.
pub struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hup: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl Signals {
    #[cfg(unix)]
    pub fn new() -> std::io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    #[cfg(not(unix))]
    pub fn new() -> std::io::Result<Signals> {
        Ok(Signals {})
    }

    /// Resolves when one of the signals arrives.
    #[cfg(unix)]
    pub async fn recv(&mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.hup.recv() => {}
            _ = self.int.recv() => {}
        }
    }

    #[cfg(not(unix))]
    pub async fn recv(&mut self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
