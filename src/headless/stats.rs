//! `orderdesk stats [--json]`: the wallboard's figures without a terminal
//! (tiles, per-carrier rows with ageing buckets and breaches, the oldest
//! attention items, the store's hourly trend when there is a store), from
//! one poll of every carrier or, in team mode, from the team store
//! (`source`), read-only; and the carriers of
//! `orderdesk wallboard`, built read-only by construction. Must not: send
//! writes, draw, or judge a figure (that is `domain::board`).

use std::io::Write;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::source::{Figures, Source};
use crate::config::Config;
use crate::domain::Stage;
use crate::domain::board::{AGE_BUCKETS, Board, Health, HourlyTrend, short_age};

/// What `stats` found: the figures and the problems to warn about.
#[derive(Debug)]
pub struct Stats {
    pub board: Board,
    /// Carriers that failed, orders that could not be read, a trend that
    /// could not be read: one sentence each.
    pub warnings: Vec<String>,
    /// Whether no carrier answered.
    pub none_answered: bool,
}

/// The figures at `now` from `source` (solo: one poll of every carrier;
/// team mode: the team store), in the display zone of the first configured
/// carrier; the trend from the store, when there is one.
pub async fn stats(config: &Config, source: &Source, now: DateTime<Utc>) -> Result<Stats, String> {
    let Figures {
        summaries,
        health,
        mut warnings,
        none_answered,
    } = source.figures(config, now).await?;
    let tz = config
        .carriers
        .first()
        .map_or(chrono_tz::Europe::Stockholm, |c| c.timezone);
    let mut board = Board::compute(&summaries, &health, now, tz, &config.wallboard);
    let start = HourlyTrend::window_start(now, crate::app::TREND_HOURS);
    match source.trend(start, crate::app::TREND_HOURS).await {
        Some(Ok(trend)) => board.trend = Some(trend),
        Some(Err(e)) => warnings.push(format!("trend not shown: {e}")),
        None => {}
    }
    Ok(Stats {
        board,
        warnings,
        none_answered,
    })
}

fn secs(d: Option<chrono::Duration>) -> Value {
    d.map_or(Value::Null, |d| json!(d.num_seconds()))
}

/// The JSON `stats --json` prints.
pub fn board_json(board: &Board) -> Value {
    let tiles: serde_json::Map<String, Value> = board
        .tiles
        .iter()
        .map(|t| {
            (
                t.kind.key().to_owned(),
                json!({ "value": t.value, "level": t.level, "caption": t.caption() }),
            )
        })
        .collect();
    let buckets = |counts: &[u64; 6]| -> Value {
        AGE_BUCKETS
            .iter()
            .zip(counts)
            .map(|(label, n)| ((*label).to_owned(), json!(n)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let carriers: Vec<Value> = board
        .carriers
        .iter()
        .map(|r| {
            let stages: serde_json::Map<String, Value> = Stage::ALL
                .iter()
                .zip(r.stages)
                .map(|(s, n)| (s.as_str().to_owned(), json!(n)))
                .collect();
            json!({
                "name": r.name,
                "kind": r.kind,
                "stages": stages,
                "open": r.open,
                "attention": r.attention,
                "breaches": r.breaches,
                "oldest_open_secs": secs(r.oldest_open),
                "oldest_attention_secs": secs(r.oldest_attention),
                "ageing": buckets(&r.ageing),
                "unknown_age": r.unknown_age,
                "health": r.health.word(),
                "error": match &r.health { Health::Error(e) => json!(e), _ => Value::Null },
                "data_age_secs": secs(r.data_age),
                "levels": {
                    "attention": r.attention_level,
                    "breaches": r.breach_level,
                    "oldest_open": r.oldest_open_level,
                    "oldest_attention": r.oldest_attention_level,
                },
            })
        })
        .collect();
    let attention: Vec<Value> = board
        .attention
        .iter()
        .map(|a| {
            json!({
                "key": a.key.to_string(),
                "reason": a.reason,
                "age_secs": secs(a.age),
                "customer": a.customer,
                "level": a.level,
            })
        })
        .collect();
    let trend = board.trend.as_ref().map_or(Value::Null, |t| {
        json!({
            "start": t.start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "new": t.new,
            "done": t.done,
        })
    });
    json!({
        "at": board.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "tiles": tiles,
        "carriers": carriers,
        "ageing": buckets(&board.ageing_total()),
        "attention": attention,
        "trend": trend,
    })
}

/// The plain-text `stats`: tiles, then a table per carrier, then the
/// oldest attention items.
pub fn write_board(out: &mut impl Write, board: &Board) -> std::io::Result<()> {
    writeln!(
        out,
        "orderdesk stats at {}",
        board.at.format("%Y-%m-%d %H:%M:%S UTC")
    )?;
    for tile in &board.tiles {
        writeln!(out, "  {}", tile.caption())?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{:<10} {:<14} {:>5} {:>5} {:>5} {:>5} {:>5} {:>6} {:>6} {:>6}  {:<28} health",
        "carrier",
        "kind",
        "new",
        "prog",
        "attn",
        "done",
        "closed",
        "breach",
        "oldest",
        "o.attn",
        AGE_BUCKETS.join(" ")
    )?;
    for r in &board.carriers {
        let age = |d: Option<chrono::Duration>| d.map_or("-".to_owned(), short_age);
        let ageing: Vec<String> = r.ageing.iter().map(u64::to_string).collect();
        writeln!(
            out,
            "{:<10} {:<14} {:>5} {:>5} {:>5} {:>5} {:>5} {:>6} {:>6} {:>6}  {:<28} {}{}",
            r.name,
            r.kind,
            r.stages[0],
            r.stages[1],
            r.stages[2],
            r.stages[3],
            r.stages[4],
            format!("{}{}", r.breaches, r.breach_level.glyph()),
            age(r.oldest_open),
            format!(
                "{}{}",
                age(r.oldest_attention),
                r.oldest_attention_level.glyph()
            ),
            ageing.join(" "),
            r.health.word(),
            r.data_age
                .map(|d| format!(", data {} old", short_age(d)))
                .unwrap_or_default(),
        )?;
    }
    if !board.attention.is_empty() {
        writeln!(out)?;
        writeln!(out, "oldest attention items:")?;
        for a in board.attention.iter().take(20) {
            writeln!(
                out,
                "  {:<16} {:>5}{:<2} {:<24} {}",
                a.key.to_string(),
                a.age.map_or("?".to_owned(), short_age),
                a.level.glyph(),
                a.reason,
                a.customer
            )?;
        }
    }
    if let Some(t) = &board.trend {
        writeln!(out)?;
        writeln!(
            out,
            "last 24 h: {} new, {} done (per hour, oldest first)",
            t.total_new(),
            t.total_done()
        )?;
        let join = |v: &[u64]| v.iter().map(u64::to_string).collect::<Vec<_>>().join(" ");
        writeln!(out, "  new:  {}", join(&t.new))?;
        writeln!(out, "  done: {}", join(&t.done))?;
    }
    Ok(())
}
