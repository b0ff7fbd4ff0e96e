//! Suspend and resume, as vim and htop do: Ctrl-Z (a key in raw mode) or a
//! SIGTSTP from outside gives the terminal back (line mode, main screen,
//! cursor shown, mouse capture off: `terminal::leave`) and stops the process; when it is continued (`fg`,
//! SIGCONT) it takes the terminal again and the console redraws everything.
//! A SIGCONT after a stop it did not ask for (SIGSTOP from outside) also
//! re-takes the terminal, which the shell may have reset.
//!
//! [`Suspending`] wraps the terminal's event stream: it swallows Ctrl-Z and
//! hands the console loop a resize event with the real size after each
//! resume (the loop clears and redraws on a resize). It owns no other key
//! and decides nothing else.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use futures::{Stream, StreamExt};
use tokio::signal::unix::{Signal, SignalKind, signal};

use super::terminal;

/// The terminal's events, with suspend and resume handled (module docs).
pub struct Suspending<S> {
    input: S,
    tstp: Signal,
    cont: Signal,
}

impl<S> Suspending<S> {
    /// Listens for SIGTSTP and SIGCONT from now on (SIGTSTP no longer
    /// stops the process by itself: it suspends through [`suspend`]).
    pub fn new(input: S) -> io::Result<Suspending<S>> {
        Ok(Suspending {
            input,
            tstp: signal(SignalKind::from_raw(libc::SIGTSTP))?,
            cont: signal(SignalKind::from_raw(libc::SIGCONT))?,
        })
    }
}

/// Whether a key is Ctrl-Z (the suspend key of a terminal in line mode).
pub fn is_suspend_key(key: &KeyEvent) -> bool {
    key.kind == KeyEventKind::Press
        && key.modifiers.contains(KeyModifiers::CONTROL)
        && matches!(key.code, KeyCode::Char('z' | 'Z'))
}

/// Gives the terminal back, stops the process until it is continued, then
/// takes the terminal again.
pub fn suspend() {
    terminal::leave();
    // SAFETY: raise(2) with a valid signal number has no memory effects.
    unsafe {
        libc::raise(libc::SIGSTOP);
    }
    resume();
}

/// Takes the terminal again after a stop.
fn resume() {
    if let Err(e) = terminal::reenter() {
        tracing::warn!("cannot take the terminal again after a resume: {e}");
    }
}

/// The event that makes the loop redraw everything at the real size.
fn redraw() -> Event {
    let (width, height) = crossterm::terminal::size().unwrap_or((80, 24));
    Event::Resize(width, height)
}

impl<S> Stream for Suspending<S>
where
    S: Stream<Item = io::Result<Event>> + Unpin,
{
    type Item = io::Result<Event>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if let Poll::Ready(Some(())) = this.tstp.poll_recv(cx) {
            suspend();
            return Poll::Ready(Some(Ok(redraw())));
        }
        if let Poll::Ready(Some(())) = this.cont.poll_recv(cx) {
            resume();
            return Poll::Ready(Some(Ok(redraw())));
        }
        match this.input.poll_next_unpin(cx) {
            Poll::Ready(Some(Ok(Event::Key(key)))) if is_suspend_key(&key) => {
                suspend();
                Poll::Ready(Some(Ok(redraw())))
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctrl_z_is_the_suspend_key_and_z_is_not() {
        let ctrl_z = KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL);
        assert!(is_suspend_key(&ctrl_z));
        assert!(!is_suspend_key(&KeyEvent::new(
            KeyCode::Char('z'),
            KeyModifiers::NONE
        )));
        assert!(!is_suspend_key(&KeyEvent::new(
            KeyCode::Char('x'),
            KeyModifiers::CONTROL
        )));
    }
}
