//! `list`, `show`, `stats` and `journal` end to end: read from a
//! [`Source`] (the carriers solo, the team store in team mode), filter,
//! write stdout, say warnings on stderr, and give the exit status: 0, 1
//! with a message, 2 for a `--carrier` that names no carrier, 3 for
//! partial results. Must not: send writes, or format (`json`, `text` and
//! `stats` do).

use std::io::Write;
use std::process::ExitCode;

use chrono::Utc;

use super::source::{Listing, Source};
use super::{ListFilter, Since, finish, stats};
use crate::config::Config;
use crate::domain::OrderKey;

/// How `list` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    Table,
    Json,
    Csv,
}

/// `orderdesk: MESSAGE` on stderr; a stderr that is gone is no reason to
/// fail.
fn say(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "orderdesk: {message}");
}

/// The message for a `--carrier` that names none of `known`, if it does.
fn unknown_carrier(filter: &ListFilter, known: &[String], place: &str) -> Option<String> {
    let name = filter.carrier.as_deref()?;
    (!known.iter().any(|c| c == name)).then(|| {
        format!(
            "--carrier {name:?}: no carrier of that name in {place} ({}: {})",
            if place == "the config" {
                "configured"
            } else {
                "known there"
            },
            known.join(", ")
        )
    })
}

/// `orderdesk list`.
pub async fn list(
    config: &Config,
    source: &Source,
    filter: &ListFilter,
    format: ListFormat,
) -> Result<ExitCode, String> {
    if let Source::Solo { .. } = source {
        // Before polling: a name that is not configured is known at once.
        let names: Vec<String> = config.carriers.iter().map(|c| c.name.clone()).collect();
        if let Some(message) = unknown_carrier(filter, &names, "the config") {
            say(&message);
            return Ok(ExitCode::from(2));
        }
    }
    let Listing {
        orders,
        local,
        carriers,
        notices,
        partial,
        none_answered,
    } = source.listing(config).await?;
    let local = local.with_clock(Utc::now(), config);
    for warning in notices.iter().chain(&partial) {
        say(&format!("warning: {warning}"));
    }
    if none_answered {
        return Err("no carrier answered".into());
    }
    if let Source::Team(store) = source {
        let place = format!("the team store {}", store.target());
        if let Some(message) = unknown_carrier(filter, &carriers, &place) {
            say(&message);
            return Ok(ExitCode::from(2));
        }
    }
    let orders: Vec<_> = orders
        .into_iter()
        .filter(|o| filter.matches(o, &local))
        .collect();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = match format {
        ListFormat::Json => {
            let array: Vec<_> = orders
                .iter()
                .map(|o| super::order_summary_json(o, &local))
                .collect();
            super::write_json(&mut out, &array)
        }
        ListFormat::Csv => super::write_csv(&mut out, &orders, &local),
        ListFormat::Table => super::write_table(&mut out, &orders, &local, Utc::now()),
    };
    finish(written.and_then(|()| out.flush()))?;
    Ok(if partial.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    })
}

/// `orderdesk stats`.
pub async fn stats(config: &Config, source: &Source, json: bool) -> Result<ExitCode, String> {
    let found = stats::stats(config, source, Utc::now()).await?;
    for warning in &found.warnings {
        say(&format!("warning: {warning}"));
    }
    if found.none_answered {
        return Err("no carrier answered".into());
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = if json {
        super::write_json(&mut out, &stats::board_json(&found.board))
    } else {
        stats::write_board(&mut out, &found.board)
    };
    finish(written.and_then(|()| out.flush()))?;
    Ok(if found.warnings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    })
}

/// `orderdesk show KEY`: times in the order's carrier's zone (UTC for a
/// carrier the config does not list).
pub async fn show(
    config: &Config,
    source: &Source,
    key: &str,
    json: bool,
) -> Result<ExitCode, String> {
    let key =
        OrderKey::parse(key).ok_or_else(|| format!("{key:?} is not an order key like tg/19530"))?;
    let (order, local, warnings) = source.order(config, &key).await?;
    for warning in &warnings {
        say(&format!("warning: {warning}"));
    }
    let local = local.with_clock(Utc::now(), config);
    let zone = config
        .carriers
        .iter()
        .find(|c| *c.name == *key.carrier)
        .map_or(chrono_tz::UTC, |c| c.timezone);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = if json {
        super::write_json(&mut out, &super::order_detail_json(&order, &local))
    } else {
        super::write_detail(&mut out, &order, &local, &zone, Utc::now())
    };
    finish(written.and_then(|()| out.flush()))?;
    Ok(ExitCode::SUCCESS)
}

/// `orderdesk journal`: times in `zone`.
pub async fn journal(
    source: &Source,
    json: bool,
    since: Option<Since>,
    zone: chrono_tz::Tz,
) -> Result<ExitCode, String> {
    let since = since.map(|s| s.start(Utc::now(), &zone));
    let entries = source.journal(since).await?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = if json {
        super::write_json(&mut out, &entries)
    } else {
        if entries.is_empty() {
            say(&format!("no journal entries in {}", source.place()));
        }
        super::write_journal(&mut out, &entries, &zone)
    };
    finish(written.and_then(|()| out.flush()))?;
    Ok(ExitCode::SUCCESS)
}
