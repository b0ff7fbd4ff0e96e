//! Copy and open: `y` copies the selected order's key, `Y` opens a chooser
//! of its fields (key, id, customer, service, status, then the carrier's
//! own fields: email, phone, service id, ...) and copies the one picked,
//! `o` opens the order in its carrier's portal when the carrier's config
//! has `portal_url` (its `{id}` replaced by the order id, percent-encoded).
//! Pure: the clipboard (OSC 52) and the browser are the runtime's
//! ([`Effect::Copy`], [`Effect::OpenUrl`]); each says what it did. `T`
//! (times relative or absolute, [`Effect::SaveTimes`] keeps the choice)
//! lives here too: a small display choice with an effect of its own.

use super::msg::Effect;
use super::palette::Mode;
use super::state::{Level, State};

/// Longest text copied (OSC 52 payloads are limited by many terminals).
pub const COPY_MAX: usize = 8 * 1024;

/// `text` with every byte but the URL-safe ones percent-encoded.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl State {
    /// The carriers' portal address templates, by carrier name (each holds
    /// `{id}`; checked by the config).
    pub fn set_portals(&mut self, portals: Vec<(String, String)>) {
        self.prefs.portals = portals.into_iter().collect();
    }

    /// What `Y` offers for the selected order: name and text, non-empty.
    pub(super) fn copy_fields(&self) -> Vec<(String, String)> {
        let Some(summary) = self.selected() else {
            return Vec::new();
        };
        let mut out: Vec<(String, String)> = vec![
            ("key".into(), summary.key.to_string()),
            ("id".into(), summary.key.id.clone()),
            ("customer".into(), summary.customer.to_string()),
            ("service".into(), summary.service.to_string()),
            ("status".into(), summary.status.raw.clone()),
        ];
        if let Some(order) = self.selected_order() {
            for (name, value) in order.fields.iter().chain(&order.customer_fields) {
                if !out.iter().any(|(n, v)| n == name && v == value) {
                    out.push((name.clone(), value.clone()));
                }
            }
        }
        out.retain(|(_, v)| !v.trim().is_empty());
        out
    }

    /// Copies `text` (the field `what` of the selected order).
    pub(super) fn copy(&mut self, what: &str, text: String, fx: &mut Vec<Effect>) {
        if text.len() > COPY_MAX {
            self.say(
                Level::Warning,
                format!(
                    "copy: {what} is longer than {} KiB; not copied",
                    COPY_MAX / 1024
                ),
            );
            return;
        }
        let key = self
            .selected()
            .map(|s| s.key.to_string())
            .unwrap_or_default();
        self.say(
            Level::Ok,
            format!("copied {what} of {key} to the clipboard: {text}"),
        );
        fx.push(Effect::Copy {
            what: what.to_owned(),
            text,
        });
    }

    /// `y`: copies the selected order's key.
    pub(super) fn copy_key(&mut self, fx: &mut Vec<Effect>) {
        match self.selected().map(|s| s.key.to_string()) {
            Some(key) => self.copy("the key", key, fx),
            None => self.say(Level::Info, "copy: no order selected"),
        }
    }

    /// `Y`: the chooser of the selected order's fields.
    pub(super) fn choose_copy_field(&mut self, fx: &mut Vec<Effect>) {
        if self.selected().is_none() {
            self.say(Level::Info, "copy: no order selected");
            return;
        }
        // The carrier's own fields are the full order's.
        if let Some(key) = self.selected().map(|s| s.key.clone()) {
            self.full.want(&key, fx);
        }
        self.open_palette_in(Mode::CopyField);
    }

    /// `o`: the selected order in its carrier's portal.
    pub(super) fn open_portal(&mut self, fx: &mut Vec<Effect>) {
        let Some(key) = self.selected().map(|s| s.key.clone()) else {
            self.say(Level::Info, "open: no order selected");
            return;
        };
        let Some(template) = self.prefs.portals.get(&*key.carrier) else {
            self.say(
                Level::Warning,
                format!(
                    "open: carrier {} has no portal address; set portal_url = \"https://.../{{id}}\" in its [[carrier]] table",
                    key.carrier
                ),
            );
            return;
        };
        let url = template.replace("{id}", &percent_encode(&key.id));
        self.say(Level::Ok, format!("opening {key} in the browser: {url}"));
        fx.push(Effect::OpenUrl(url));
    }

    /// `T`: times relative ("3h ago") or absolute (date, time, zone); the
    /// runtime keeps the choice for the next start.
    pub(super) fn toggle_times(&mut self, fx: &mut Vec<Effect>) {
        self.prefs.absolute_times = !self.prefs.absolute_times;
        let words = if self.prefs.absolute_times {
            format!("times: absolute, in {}", self.tz.name())
        } else {
            "times: relative (3h ago)".to_owned()
        };
        self.say(Level::Ok, words);
        fx.push(Effect::SaveTimes {
            absolute: self.prefs.absolute_times,
        });
    }

    /// Whether times show as date and time with the zone (`T`).
    pub fn absolute_times(&self) -> bool {
        self.prefs.absolute_times
    }

    /// The choice of `T` as kept from the last run.
    pub fn set_absolute_times(&mut self, absolute: bool) {
        self.prefs.absolute_times = absolute;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_percent_encoded_in_urls() {
        assert_eq!(percent_encode("PR-12/3 x"), "PR-12%2F3%20x");
        assert_eq!(percent_encode("åb"), "%C3%A5b");
    }
}
