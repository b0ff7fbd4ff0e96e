//! Carrier text is untrusted: before anything is drawn or printed, control
//! characters and terminal escape sequences are removed so an order cannot move
//! the cursor, retitle the terminal, clear the screen or hide text. Text
//! that is an identity (an order id) is escaped instead ([`escape_unsafe`]),
//! so that two ids never look the same. Flags (regional-indicator pairs)
//! become their two letters in brackets (`🇸🇪` -> `[SE]`): terminals disagree
//! on their width, and a glyph drawn wider than the screen model thinks
//! leaves stale cells on other rows.

/// Sanitizes single-line text: escape sequences and control characters are
/// removed; tabs, newlines and carriage returns become single spaces.
pub fn sanitize(text: &str) -> String {
    clean(text, false)
}

/// Sanitizes text that may span lines (log messages, notes): like
/// [`sanitize`] but keeps `\n` (and turns `\r\n` into `\n`).
pub fn sanitize_multiline(text: &str) -> String {
    clean(text, true)
}

/// Shows text whose every character matters (an order id) safely and
/// without losing any: each character that [`sanitize`] would remove is
/// written as a visible `\u{..}` escape, so two ids that differ only in
/// such characters still look different.
pub fn escape_unsafe(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Replaces regional indicators (the halves of a flag) by letters: a pair
/// becomes `[XY]`, a lone one its letter. Text without any is borrowed.
pub fn replace_flags(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_regional) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        push_flag_or(&mut out, c, &mut chars);
    }
    std::borrow::Cow::Owned(out)
}

fn is_regional(c: char) -> bool {
    ('\u{1f1e6}'..='\u{1f1ff}').contains(&c)
}

fn regional_letter(c: char) -> char {
    char::from_u32(u32::from(c) - 0x1f1e6 + u32::from(b'A')).unwrap_or('?')
}

/// Pushes `c`, or when it is a regional indicator its letter (and, with
/// the one after it, the pair as `[XY]`).
fn push_flag_or(out: &mut String, c: char, chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    if !is_regional(c) {
        out.push(c);
        return;
    }
    match chars.next_if(|n| is_regional(*n)) {
        Some(second) => {
            out.push('[');
            out.push(regional_letter(c));
            out.push(regional_letter(second));
            out.push(']');
        }
        None => out.push(regional_letter(c)),
    }
}

fn clean(text: &str, keep_newlines: bool) -> String {
    // Fast path: most carrier text is plain.
    if !text.chars().any(|c| is_unsafe(c) || is_regional(c)) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // C1 CSI / OSC / DCS / SOS / PM / APC introducers, 8-bit forms.
            '\u{9b}' => skip_csi_body(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string_body(&mut chars),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    continue;
                }
                out.push(if keep_newlines { '\n' } else { ' ' });
            }
            '\n' => out.push(if keep_newlines { '\n' } else { ' ' }),
            '\t' => out.push(' '),
            c if is_unsafe(c) => {}
            c => push_flag_or(&mut out, c, &mut chars),
        }
    }
    out
}

/// Control characters, and the invisible format characters that can hide a
/// difference between two names or reorder what is drawn: soft hyphen,
/// Arabic letter mark, Mongolian vowel separator, zero-width spaces and
/// joiners, direction marks, embeddings and isolates, word joiner and
/// invisible operators, the byte order mark, interlinear annotations, and
/// the tag characters.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{61c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
                | '\u{e0000}'..='\u{e007f}'
        )
}

fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('[') => skip_csi_body(chars),
        Some(']') | Some('P') | Some('X') | Some('^') | Some('_') => skip_string_body(chars),
        // Two-character sequences (ESC c, ESC 7, ESC ( B ...): drop the next char,
        // and for charset designators the one after.
        Some('(') | Some(')') | Some('*') | Some('+') | Some('#') | Some('%') => {
            chars.next();
        }
        _ => {}
    }
}

fn skip_csi_body(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    // Parameters and intermediates are 0x20..=0x3f; the final byte is 0x40..=0x7e.
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
        if !('\u{20}'..='\u{3f}').contains(&c) {
            break;
        }
    }
}

fn skip_string_body(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    // OSC/DCS strings end at BEL, ST (ESC \) or the 8-bit ST.
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(
            sanitize("Kalle Testsson, Götgatan 3"),
            "Kalle Testsson, Götgatan 3"
        );
    }

    #[test]
    fn removes_csi_osc_and_controls() {
        assert_eq!(sanitize("a\u{1b}[2Jb\u{1b}[31mc"), "abc");
        assert_eq!(sanitize("x\u{1b}]0;pwned\u{7}y"), "xy");
        assert_eq!(sanitize("x\u{1b}]2;title\u{1b}\\y"), "xy");
        assert_eq!(sanitize("bell\u{7}\u{8}\u{0}!"), "bell!");
        assert_eq!(sanitize("c1\u{9b}2Jz"), "c1z");
        assert_eq!(sanitize("rtl\u{202e}txet"), "rtltxet");
    }

    #[test]
    fn invisible_format_characters_are_removed() {
        // Word joiner, byte order mark, soft hyphen, a tag sequence: each
        // would make two names that look alike compare different.
        assert_eq!(sanitize("Ma\u{2060}rta"), "Marta");
        assert_eq!(sanitize("\u{feff}Åsa"), "Åsa");
        assert_eq!(sanitize("Lind\u{ad}gren"), "Lindgren");
        assert_eq!(sanitize("id\u{e0031}\u{e0032}\u{e007f}"), "id");
        assert_eq!(sanitize_multiline("a\u{2063}\nb\u{fffb}"), "a\nb");
    }

    #[test]
    fn flags_become_their_letters() {
        assert_eq!(sanitize("Märta \u{1f1f8}\u{1f1ea} Lind"), "Märta [SE] Lind");
        assert_eq!(
            sanitize("\u{1f1f8}\u{1f1ea}\u{1f1f3}\u{1f1f4}\u{1f1eb}"),
            "[SE][NO]F"
        );
        assert_eq!(replace_flags("plain"), "plain");
        assert_eq!(sanitize_multiline("a\n\u{1f1ef}\u{1f1f2}"), "a\n[JM]");
    }

    #[test]
    fn newlines_depend_on_mode() {
        assert_eq!(sanitize("a\r\nb\tc"), "a b c");
        assert_eq!(sanitize_multiline("a\r\nb\rc"), "a\nb\nc");
    }

    #[test]
    fn unterminated_sequences_do_not_panic() {
        assert_eq!(sanitize("end\u{1b}"), "end");
        assert_eq!(sanitize("end\u{1b}["), "end");
        assert_eq!(sanitize("end\u{1b}]0;never closed"), "end");
    }
}
