//! CSV as spreadsheets read it (RFC 4180): one record per line, CRLF line
//! ends, a field with a comma, a quote or a line break in quotes, its
//! quotes doubled. A field that a spreadsheet would take for a formula
//! (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) is
//! prefixed with `'`, so carrier text such as a customer named
//! `=HYPERLINK(...)` stays text (OWASP's advice on CSV injection). Pure.

/// One record: the fields, quoted where they must be, and the line end.
pub fn record<I, S>(fields: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let cells: Vec<String> = fields.into_iter().map(|f| field(f.as_ref())).collect();
    format!("{}\r\n", cells.join(","))
}

/// One field, defused and quoted when it must be.
pub fn field(text: &str) -> String {
    let defused = match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    };
    if defused.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_as_rfc_4180_says_and_formulas_stay_text() {
        assert_eq!(record(["a", "b c", ""]), "a,b c,\r\n");
        assert_eq!(field("Lund, Märta"), "\"Lund, Märta\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("+46 70 123"), "'+46 70 123");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("tg/19530"), "tg/19530");
    }
}
