//! `r` and `R` during a carrier's quiet hours: carriers outside them are
//! polled at once as always; a carrier inside them is polled only after a
//! one-line confirmation naming its requests ("px is in quiet hours (07-19
//! CST): poll pxNewOrders/pxOpenOrders now? y/n"), `y` polls, any other key
//! cancels. The carrier chip's words in quiet hours are here too. Pure: it
//! only emits `Effect::Refresh`.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::msg::Effect;
use super::state::{Level, State};

impl State {
    /// A manual refresh of one carrier, or of all with `None`.
    pub(super) fn refresh(&mut self, carrier: Option<Arc<str>>, fx: &mut Vec<Effect>) {
        if self.team.is_some() {
            // Team mode: the daemon polls; the console already follows it.
            self.say(Level::Info, super::team::DAEMON_POLLS);
            return;
        }
        let now = self.now;
        let chosen: Vec<&super::Carrier> = self
            .carriers
            .iter()
            .filter(|c| carrier.as_ref().is_none_or(|name| *name == c.info.name))
            .collect();
        let quiet: Vec<Arc<str>> = chosen
            .iter()
            .filter(|c| c.quiet_at(now).is_some())
            .map(|c| c.info.name.clone())
            .collect();
        if quiet.is_empty() {
            match carrier {
                None => self.say(Level::Info, "refreshing all carriers…"),
                Some(name) => {
                    self.say(Level::Info, format!("refreshing {name}…"));
                    fx.push(Effect::Refresh {
                        carrier: Some(name),
                    });
                    return;
                }
            }
            fx.push(Effect::Refresh { carrier: None });
            return;
        }
        let awake: Vec<Arc<str>> = chosen
            .iter()
            .filter(|c| c.quiet_at(now).is_none())
            .map(|c| c.info.name.clone())
            .collect();
        for name in &awake {
            fx.push(Effect::Refresh {
                carrier: Some(name.clone()),
            });
        }
        let question = self.quiet_question(&quiet);
        let text = if awake.is_empty() {
            question
        } else {
            format!("refreshing {}; {question}", awake.join(", "))
        };
        self.say(Level::Warning, text);
        self.quiet_confirm = Some(quiet);
    }

    /// "px is in quiet hours (07-19 CST): poll pxNewOrders/pxOpenOrders
    /// now? y/n", or for several carriers each with its window.
    fn quiet_question(&self, quiet: &[Arc<str>]) -> String {
        let window = |name: &Arc<str>| {
            self.carrier(name)
                .and_then(|c| c.quiet_at(self.now))
                .map(|q| q.describe(self.now))
                .unwrap_or_default()
        };
        match quiet {
            [one] => {
                let requests = self
                    .carrier(one)
                    .and_then(|c| c.info.profile.poll_requests())
                    .unwrap_or("its orders");
                format!(
                    "{one} is in quiet hours ({}): poll {requests} now? y/n",
                    window(one)
                )
            }
            many => {
                let each: Vec<String> = many
                    .iter()
                    .map(|name| format!("{name} ({})", window(name)))
                    .collect();
                format!("{} are in quiet hours: poll them now? y/n", each.join(", "))
            }
        }
    }

    /// The key after the quiet-hours question: `y` polls, any other key
    /// cancels (and does nothing else).
    pub(super) fn answer_quiet(
        &mut self,
        quiet: Vec<Arc<str>>,
        typed: Option<char>,
        fx: &mut Vec<Effect>,
    ) {
        let names = quiet.join(", ");
        if matches!(typed, Some('y' | 'Y')) {
            for name in quiet {
                fx.push(Effect::Refresh {
                    carrier: Some(name),
                });
            }
            self.say(Level::Info, format!("refreshing {names}…"));
        } else {
            self.say(
                Level::Info,
                format!("{names}: not polled (quiet hours); the next poll is automatic"),
            );
        }
        // What a sync reported while the question waited: a warning or an
        // error is worth more than the answer's echo.
        if let Some(held) = self.status_held.take()
            && held.level != Level::Info
            && held.level != Level::Ok
        {
            self.say(held.level, held.text);
        }
    }
}

impl super::Carrier {
    /// The chip's words while the carrier is in quiet hours: "quiet hours
    /// until 19:00 CST, next poll 02:00" (the end in the carrier's zone,
    /// named; the next poll in the console's `tz`); `None` outside them.
    pub fn quiet_chip(&self, now: DateTime<Utc>, tz: chrono_tz::Tz) -> Option<String> {
        let quiet = self.quiet_at(now)?;
        let end = quiet.ends_after(now);
        let mut text = format!(
            "quiet hours until {} {}",
            end.with_timezone(&quiet.zone).format("%H:%M"),
            quiet.zone_label(end)
        );
        if let Some(next) = self.chip.next_poll.filter(|&n| n > now) {
            text.push_str(&format!(
                ", next poll {}",
                next.with_timezone(&tz).format("%H:%M")
            ));
        }
        Some(text)
    }
}
