//! Values people write in different ways, and shape errors in their words.
//! A duration is a number of seconds (`60`, `0.5`) or text with a unit
//! (`"60s"`, `"5m"`, `"1h"`): [`Seconds`]. A shape error from the TOML
//! reader (`invalid type: string "60s", expected f64`) is said as
//! `refresh: expected ..., found ...` with the key's name ([`in_words`]).
//! Must not: know a carrier kind or read files.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Unexpected, Visitor};

/// What a duration key takes, for messages.
pub const DURATION_EXPECTED: &str =
    "a number of seconds, e.g. 60, or a duration with its unit, e.g. \"60s\", \"5m\", \"1h\"";

/// A duration key's value in seconds, as written: a number or text with a
/// unit (`s`, `m`, `h`). The range is checked by whoever reads the key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seconds(pub f64);

impl Seconds {
    /// `"60s"`, `"5m"`, `"1.5h"`, `"90"`: the seconds it says.
    pub fn parse(text: &str) -> Option<Seconds> {
        let text = text.trim();
        let (number, unit) = match text.char_indices().last()? {
            (i, 's') => (&text[..i], 1.0),
            (i, 'm') => (&text[..i], 60.0),
            (i, 'h') => (&text[..i], 3600.0),
            _ => (text, 1.0),
        };
        let n: f64 = number.trim().parse().ok()?;
        n.is_finite().then_some(Seconds(n * unit))
    }
}

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Expect;
        impl Visitor<'_> for Expect {
            type Value = Seconds;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(DURATION_EXPECTED)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Seconds, E> {
                Ok(Seconds(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Seconds, E> {
                Ok(Seconds(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Seconds, E> {
                Ok(Seconds(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Seconds, E> {
                Seconds::parse(v).ok_or_else(|| E::invalid_value(Unexpected::Str(v), &self))
            }
        }
        deserializer.deserialize_any(Expect)
    }
}

/// A TOML reader's shape error in the user's words: the key's name (read
/// from the line the error points at, `key = value`), what it takes, and
/// what was found. Other messages (an unknown or missing key) are kept.
pub fn in_words(message: &str, text: &str, offset: usize) -> String {
    let message = message.trim();
    let Some((found, expected)) = ["invalid type: ", "invalid value: "]
        .iter()
        .find_map(|p| message.strip_prefix(p))
        .and_then(|rest| rest.split_once(", expected "))
    else {
        return message.to_owned();
    };
    let expected = match expected {
        "f64" | "f32" => "a number, e.g. 60",
        "i64" | "i32" | "u64" | "u32" | "usize" | "u16" | "u8" => "a whole number, e.g. 8",
        "a boolean" => "true or false",
        "a string" => "text in quotes, e.g. \"Europe/Stockholm\"",
        other => other,
    };
    match key_at(text, offset) {
        Some(key) => format!("{key}: expected {expected}; found {found}"),
        None => format!("expected {expected}; found {found}"),
    }
}

/// The key of the `key = value` line whose value starts at `offset`.
fn key_at(text: &str, offset: usize) -> Option<&str> {
    let before = text.get(..offset)?;
    let line = before.rsplit('\n').next()?;
    let key = line.trim_end().strip_suffix('=')?.trim();
    let simple = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    simple.then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_numbers_or_text_with_a_unit() {
        for (text, secs) in [
            ("60s", 60.0),
            ("5m", 300.0),
            ("1h", 3600.0),
            ("1.5h", 5400.0),
            (" 90 ", 90.0),
        ] {
            assert_eq!(Seconds::parse(text), Some(Seconds(secs)), "{text}");
        }
        for bad in ["", "s", "60x", "five minutes", "inf"] {
            assert_eq!(Seconds::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn shape_errors_name_the_key_and_what_it_takes() {
        let text = "refresh = \"60s\"\napi_user = true\n";
        assert_eq!(
            in_words(
                "invalid type: string \"60s\", expected f64",
                text,
                text.find('"').unwrap_or(0)
            ),
            "refresh: expected a number, e.g. 60; found string \"60s\""
        );
        let at = text.find("true").unwrap_or(0);
        assert_eq!(
            in_words("invalid type: boolean `true`, expected i64", text, at),
            "api_user: expected a whole number, e.g. 8; found boolean `true`"
        );
        assert_eq!(
            in_words("unknown field `refreshh`", text, 0),
            "unknown field `refreshh`"
        );
    }
}
