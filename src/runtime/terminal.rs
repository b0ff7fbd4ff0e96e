//! Entering and leaving the terminal: raw mode, alternate screen, bracketed
//! paste, hidden cursor, mouse capture unless the config says
//! `mouse = false` ([`capture_mouse`]); restored on normal exit, on panic (ratatui's hook,
//! extended to turn bracketed paste off and show the cursor), on every
//! signal that ends the console (SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGUSR1,
//! SIGUSR2, SIGALRM: [`Signals`]) and around a suspend (`super::suspend`).

use std::io::stdout;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::cursor::{Hide, Show};
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{EnterAlternateScreen, enable_raw_mode};
use ratatui::DefaultTerminal;

/// Sets the terminal up for the console.
pub fn enter() -> std::io::Result<DefaultTerminal> {
    let terminal = ratatui::try_init()?;
    // ratatui's hook restores raw mode and the screen; ours also ends paste mode.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(stdout(), DisableMouseCapture, DisableBracketedPaste, Show);
        previous(info);
    }));
    crossterm::execute!(stdout(), EnableBracketedPaste)?;
    Ok(terminal)
}

/// Whether the console captures the mouse (taken again after a resume).
static MOUSE: AtomicBool = AtomicBool::new(false);

/// Turns mouse capture on (clicks and the wheel come as events) or leaves
/// it off; [`leave`] turns it off, [`reenter`] on again.
pub fn capture_mouse(on: bool) -> std::io::Result<()> {
    MOUSE.store(on, Ordering::SeqCst);
    if on {
        crossterm::execute!(stdout(), EnableMouseCapture)?;
    }
    Ok(())
}

/// Gives the terminal back as it was: line mode with echo, the main
/// screen, the cursor shown, the mouse the terminal's own again.
pub fn leave() {
    if MOUSE.load(Ordering::SeqCst) {
        let _ = crossterm::execute!(stdout(), DisableMouseCapture);
    }
    let _ = crossterm::execute!(stdout(), DisableBracketedPaste);
    ratatui::restore();
    let _ = crossterm::execute!(stdout(), Show);
}

/// Takes the terminal again after [`leave`] (a resume): raw mode, the
/// alternate screen, bracketed paste, the cursor hidden, mouse capture when
/// it was on. The caller redraws everything.
pub fn reenter() -> std::io::Result<()> {
    enable_raw_mode()?;
    crossterm::execute!(stdout(), EnterAlternateScreen, EnableBracketedPaste, Hide)?;
    if MOUSE.load(Ordering::SeqCst) {
        crossterm::execute!(stdout(), EnableMouseCapture)?;
    }
    Ok(())
}

/// Signals that end the console cleanly (the terminal restored first):
/// every one whose default action would end the process with the terminal
/// still in raw mode.
pub struct Signals {
    #[cfg(unix)]
    signals: Vec<tokio::signal::unix::Signal>,
}

impl Signals {
    #[cfg(unix)]
    pub fn new() -> std::io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        let kinds = [
            SignalKind::terminate(),
            SignalKind::hangup(),
            SignalKind::interrupt(),
            SignalKind::quit(),
            SignalKind::user_defined1(),
            SignalKind::user_defined2(),
            SignalKind::alarm(),
        ];
        let signals = kinds.into_iter().map(signal).collect::<Result<_, _>>()?;
        Ok(Signals { signals })
    }

    #[cfg(not(unix))]
    pub fn new() -> std::io::Result<Signals> {
        Ok(Signals {})
    }

    /// Resolves when one of the signals arrives.
    #[cfg(unix)]
    pub async fn recv(&mut self) {
        let any = self.signals.iter_mut().map(|s| Box::pin(s.recv()));
        let _ = futures::future::select_all(any).await;
    }

    #[cfg(not(unix))]
    pub async fn recv(&mut self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
