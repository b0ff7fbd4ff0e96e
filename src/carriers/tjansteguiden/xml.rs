//! A small, tolerant XML reader for the portal's bodies: bytes in, a tree of
//! elements out (or a `CarrierError::Protocol` saying what and where), plus
//! the indented rendering used for the Raw tab. It owns decoding and
//! well-formedness; it must not know any portal element names (that is
//! `wire`'s business) and must never panic on any input.
//!
//! Choices where the document is silent:
//! - Encoding: UTF-8 (a BOM is skipped). A body that is not valid UTF-8 is
//!   decoded as Windows-1252 only when its XML declaration says so
//!   (`ISO-8859-1`, `latin1`, `windows-1252`, `cp1252`, `us-ascii`); anything
//!   else is a protocol error with an excerpt, never a lossy guess.
//! - Unknown entities (`&nbsp;`) and bad character references are kept as
//!   written; a bare `&` is accepted as text.
//! - A body that ends with elements still open is "truncated"; nesting deeper
//!   than [`MAX_DEPTH`] is refused. Anything after the root element is ignored.
//! - Namespace prefixes are dropped from element names.

use quick_xml::events::Event;
use quick_xml::reader::Reader;

use crate::carriers::CarrierError;
use crate::domain::sanitize;

/// Deepest element nesting accepted (the portal uses 4).
pub const MAX_DEPTH: usize = 64;

/// One element: its name, its attributes as written, its own text (all text
/// pieces directly inside it, untrimmed) and its child elements in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub attrs: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    fn new(name: String, attrs: String) -> Self {
        Element {
            name,
            attrs,
            text: String::new(),
            children: Vec::new(),
        }
    }

    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children named `name`, in document order.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The element's own text, trimmed.
    pub fn value(&self) -> &str {
        self.text.trim()
    }

    /// The trimmed text of the first child named `name`, if that child exists
    /// (`<x/>` gives `Some("")`).
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(Element::value)
    }

    /// The first descendant named `name` (depth first, document order).
    pub fn find(&self, name: &str) -> Option<&Element> {
        for c in &self.children {
            if c.name == name {
                return Some(c);
            }
            if let Some(found) = c.find(name) {
                return Some(found);
            }
        }
        None
    }
}

/// Decodes a body to text following the rules in the module docs.
pub fn decode(body: &[u8]) -> Result<std::borrow::Cow<'_, str>, CarrierError> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    match std::str::from_utf8(body) {
        Ok(text) => Ok(std::borrow::Cow::Borrowed(text)),
        Err(e) => {
            if declares_latin1(body) {
                Ok(std::borrow::Cow::Owned(
                    body.iter().map(|&b| windows_1252(b)).collect(),
                ))
            } else {
                let at = e.valid_up_to();
                let from = at.saturating_sub(40);
                Err(CarrierError::protocol(
                    format!("body is not UTF-8 (invalid byte at offset {at})"),
                    &body[from..body.len().min(at + 40)],
                ))
            }
        }
    }
}

fn declares_latin1(body: &[u8]) -> bool {
    let head = &body[..body.len().min(200)];
    if !head.starts_with(b"<?xml") {
        return false;
    }
    let end = head
        .windows(2)
        .position(|w| w == b"?>")
        .unwrap_or(head.len());
    let decl = String::from_utf8_lossy(&head[..end]).to_ascii_lowercase();
    let Some(pos) = decl.find("encoding") else {
        return false;
    };
    let rest = decl[pos + "encoding".len()..].trim_start();
    let rest = rest.strip_prefix('=').unwrap_or(rest).trim_start();
    let value: String = rest
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| !matches!(c, '"' | '\'' | ' '))
        .collect();
    matches!(
        value.as_str(),
        "iso-8859-1" | "iso8859-1" | "latin1" | "latin-1" | "windows-1252" | "cp1252" | "us-ascii"
    )
}

/// Windows-1252 (a superset of ISO-8859-1's printable range) to Unicode.
fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// Parses a body into its root element.
pub fn parse(body: &[u8]) -> Result<Element, CarrierError> {
    let text = decode(body)?;
    parse_str(&text)
}

/// Parses text into its root element.
pub fn parse_str(text: &str) -> Result<Element, CarrierError> {
    let mut reader = Reader::from_str(text);
    {
        let config = reader.config_mut();
        config.allow_dangling_amp = true;
        config.check_end_names = true;
    }
    let mut stack: Vec<Element> = Vec::new();
    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => {
                let pos = usize::try_from(reader.error_position()).unwrap_or(0);
                return Err(malformed(
                    format!("malformed XML at byte {pos}: {e}"),
                    text,
                    pos,
                ));
            }
        };
        match event {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    let pos = usize::try_from(reader.buffer_position()).unwrap_or(0);
                    return Err(malformed(
                        format!("XML nested deeper than {MAX_DEPTH} elements"),
                        text,
                        pos,
                    ));
                }
                stack.push(element_of(&start));
            }
            Event::Empty(start) => {
                let el = element_of(&start);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return Ok(el),
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    // check_end_names reports unmatched ends; be safe anyway.
                    continue;
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Ok(done),
                }
            }
            Event::Text(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(c) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&c.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(el) = stack.last_mut() {
                    push_reference(&mut el.text, &r);
                }
            }
            Event::Eof => {
                return Err(match stack.last() {
                    Some(open) => malformed(
                        format!("XML ends inside <{}> (truncated?)", open.name),
                        text,
                        text.len(),
                    ),
                    None => malformed("no XML element in the body".into(), text, 0),
                });
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
}

fn element_of(start: &quick_xml::events::BytesStart<'_>) -> Element {
    let name = start.local_name().as_ref().to_owned();
    Element::new(name, start.attributes_raw().trim().to_owned())
}

fn push_reference(out: &mut String, r: &quick_xml::events::BytesRef<'_>) {
    let name: &str = r;
    let resolved = match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => r.resolve_char_ref().ok().flatten(),
    };
    match resolved {
        Some(c) => out.push(c),
        None => {
            out.push('&');
            out.push_str(name);
            out.push(';');
        }
    }
}

/// A protocol error with a sanitized excerpt around byte `pos` of `text`.
fn malformed(what: String, text: &str, pos: usize) -> CarrierError {
    let pos = pos.min(text.len());
    let mut start = pos.saturating_sub(40);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (pos + 40).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let excerpt: String = sanitize(text[start..end].trim()).chars().take(80).collect();
    CarrierError::Protocol { what, excerpt }
}

/// The tree as indented XML (three spaces per level, like the document's
/// examples), sanitized so it can be drawn. Text is re-escaped minimally.
pub fn pretty(root: &Element) -> String {
    let mut out = String::new();
    write_element(root, 0, &mut out);
    crate::domain::sanitize_multiline(&out)
}

fn write_element(el: &Element, depth: usize, out: &mut String) {
    let indent = "   ".repeat(depth);
    out.push_str(&indent);
    out.push('<');
    out.push_str(&el.name);
    if !el.attrs.is_empty() {
        out.push(' ');
        out.push_str(&el.attrs);
    }
    let text = el.text.trim();
    if el.children.is_empty() && text.is_empty() {
        out.push_str("/>\n");
        return;
    }
    out.push('>');
    if el.children.is_empty() {
        out.push_str(&quick_xml::escape::partial_escape(text));
    } else {
        out.push('\n');
        if !text.is_empty() {
            out.push_str(&"   ".repeat(depth + 1));
            out.push_str(&quick_xml::escape::partial_escape(text));
            out.push('\n');
        }
        for child in &el.children {
            write_element(child, depth + 1, out);
        }
        out.push_str(&indent);
    }
    out.push_str("</");
    out.push_str(&el.name);
    out.push_str(">\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_elements_and_references() {
        let root = parse(b"<a><b>x &amp; y &#228;</b><c/><b>2</b>&nbsp;</a>").unwrap();
        assert_eq!(root.name, "a");
        assert_eq!(root.text_of("b"), Some("x & y \u{e4}"));
        assert_eq!(root.text_of("c"), Some(""));
        assert_eq!(root.children_named("b").count(), 2);
        assert_eq!(root.value(), "&nbsp;");
    }

    #[test]
    fn truncated_and_malformed_are_errors() {
        let e = parse(b"<a><b>x</b><c>").unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
        let e = parse(b"<a><b>x</c></a>").unwrap_err();
        assert!(e.to_string().contains("malformed XML"), "{e}");
        assert!(parse(b"").is_err());
        assert!(parse(b"   just text").is_err());
    }

    #[test]
    fn latin1_only_when_declared() {
        let body = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>G\xf6teborg</a>";
        assert_eq!(parse(body).unwrap().value(), "G\u{f6}teborg");
        let e = parse(b"<a>G\xf6teborg</a>").unwrap_err();
        assert!(e.to_string().contains("not UTF-8"), "{e}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let body = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
        let e = parse(body.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("nested deeper"), "{e}");
    }

    #[test]
    fn pretty_indents_and_sanitizes() {
        let root = parse(b"<a><b>1 &lt; 2</b><c/><d><e>\x1b[2Jx</e></d></a>").unwrap();
        assert_eq!(
            pretty(&root),
            "<a>\n   <b>1 &lt; 2</b>\n   <c/>\n   <d>\n      <e>x</e>\n   </d>\n</a>\n"
        );
    }
}
