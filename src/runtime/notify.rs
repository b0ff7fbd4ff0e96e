//! Telling the agent, outside the console's screen, that orders newly need
//! attention (`Effect::Notify`, the config's `notify`): the terminal's bell,
//! or a desktop notification by OSC 9 or OSC 777, written to the terminal
//! between frames. Under tmux an OSC reaches the outer terminal only with
//! `set -g allow-passthrough on`; the bell always does. The text is the
//! app's, stripped of control characters so it cannot end the sequence.

use std::io::Write;

use crate::config::NotifyStyle;

/// The bytes that tell of `text` in `style` (`None`: off).
pub fn escape(style: NotifyStyle, text: &str) -> Option<String> {
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    match style {
        NotifyStyle::Off => None,
        NotifyStyle::Bell => Some("\x07".into()),
        NotifyStyle::Osc9 => Some(format!("\x1b]9;{clean}\x07")),
        NotifyStyle::Osc777 => {
            // Fields are `;`-separated: the title is ours, the body last.
            Some(format!("\x1b]777;notify;orderdesk;{clean}\x07"))
        }
    }
}

/// Writes the notification to the terminal; a failure is ignored (the
/// attention view still shows the orders).
pub fn tell(style: NotifyStyle, text: &str) {
    if let Some(bytes) = escape(style, text) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(bytes.as_bytes());
        let _ = out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_style_writes_its_sequence_and_text_cannot_break_out() {
        assert_eq!(escape(NotifyStyle::Off, "x"), None);
        assert_eq!(escape(NotifyStyle::Bell, "x").as_deref(), Some("\x07"));
        assert_eq!(
            escape(NotifyStyle::Osc9, "2 orders\x07\x1b]52;c;evil").as_deref(),
            Some("\x1b]9;2 orders]52;c;evil\x07")
        );
        assert_eq!(
            escape(NotifyStyle::Osc777, "tg/1 newly needs attention").as_deref(),
            Some("\x1b]777;notify;orderdesk;tg/1 newly needs attention\x07")
        );
    }
}
