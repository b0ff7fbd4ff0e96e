//! `list`, `show` and `journal` as text for people: every time with its zone
//! or offset, a carrier's time text that did not parse labelled as the
//! carrier's own. Must not: print (the caller writes).

use std::io::Write;

use chrono::{DateTime, TimeZone, Utc};

use super::Local;
use crate::domain::{JournalEntry, Order, label_zoneless, relative_age, zoned};

/// What the `!` column says: `!` for an order that needs attention, `⚑`
/// for a local follow-up flag, both when both.
fn marks(order: &Order, local: &Local) -> String {
    let mut marks = String::new();
    if local.needs_attention(order) {
        marks.push('!');
    }
    if local.flagged(&order.key) {
        marks.push('⚑');
    }
    marks
}

/// Writes the `list` table (ages relative to `now`).
pub fn write_table(
    out: &mut impl Write,
    orders: &[Order],
    local: &Local,
    now: DateTime<Utc>,
) -> std::io::Result<()> {
    let rows: Vec<[String; 7]> = orders
        .iter()
        .map(|o| {
            [
                o.key.to_string(),
                o.status.raw.clone(),
                format!("{} {}", o.status.stage.glyph(), o.status.stage.label()),
                o.created
                    .at
                    .map(|t| relative_age(t, now))
                    .unwrap_or_else(|| o.created.zoned_or_labelled(&Utc)),
                marks(o, local),
                o.customer.clone(),
                o.service.clone(),
            ]
        })
        .collect();
    let header = ["KEY", "STATUS", "STAGE", "AGE", "!", "CUSTOMER", "SERVICE"];
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count()).min(40);
        }
    }
    let line = |cells: &[String]| {
        cells
            .iter()
            .zip(widths)
            .map(|(c, w)| {
                let cut: String = c.chars().take(w).collect();
                format!("{cut:<w$}")
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    writeln!(out, "{}", line(&header.map(String::from)))?;
    for row in &rows {
        writeln!(out, "{}", line(row))?;
    }
    Ok(())
}

/// Writes `show` as text: times in `zone` with their offset, ages relative
/// to `now`, the local flag and notes after the carrier's attention.
pub fn write_detail<Z: TimeZone>(
    out: &mut impl Write,
    order: &Order,
    local: &Local,
    zone: &Z,
    now: DateTime<Utc>,
) -> std::io::Result<()>
where
    Z::Offset: std::fmt::Display,
{
    writeln!(
        out,
        "{}  {} ({} {})",
        order.key,
        order.status.raw,
        order.status.stage.glyph(),
        order.status.stage.label()
    )?;
    let age = order
        .created
        .at
        .map(|t| format!(" ({} ago)", relative_age(t, now)))
        .unwrap_or_default();
    writeln!(
        out,
        "created   {}{age}",
        order.created.zoned_or_labelled(zone)
    )?;
    writeln!(out, "customer  {}", order.customer)?;
    writeln!(out, "service   {}", order.service)?;
    let schedule = order.schedule_text();
    if !schedule.is_empty() {
        writeln!(out, "schedule  {schedule}")?;
    }
    for a in local.attention(order) {
        writeln!(out, "attention {}: {}", a.code, a.detail)?;
    }
    if let Some(flag) = local.flags.get(&order.key) {
        writeln!(
            out,
            "flag      ⚑ set by {} at {}",
            flag.author,
            zoned(flag.at, zone)
        )?;
    }
    let notes = local.notes_of(&order.key);
    if !notes.is_empty() {
        writeln!(out, "\nNotes")?;
        for note in notes {
            let text = note.text.replace('\n', "\n    ");
            writeln!(
                out,
                "  {} {}:\n    {text}",
                zoned(note.at, zone),
                note.author
            )?;
        }
    }
    section(out, "Order", &order.fields)?;
    section(out, "Customer", &order.customer_fields)?;
    for (i, item) in order.items.iter().enumerate() {
        section(out, &format!("Item {}", i + 1), item)?;
    }
    writeln!(out, "\nLog")?;
    for e in &order.log {
        let at = e.at.zoned_or_labelled(zone);
        let indent = " ".repeat(at.chars().count().max(25) + 16);
        let text = e.text.replace('\n', &format!("\n{indent}"));
        writeln!(out, "  {at:<25} {:<12} {text}", e.kind.as_str())?;
    }
    Ok(())
}

/// Writes `journal` as text, one line per entry, times in `zone` with
/// their offset.
pub fn write_journal<Z: TimeZone>(
    out: &mut impl Write,
    entries: &[JournalEntry],
    zone: &Z,
) -> std::io::Result<()>
where
    Z::Offset: std::fmt::Display,
{
    for e in entries {
        writeln!(
            out,
            "{}  {:<10} {:<16} {:<12} {:<10} {}",
            zoned(e.created_at, zone),
            e.author,
            e.key.to_string(),
            e.action().as_str(),
            e.state.as_str(),
            e.describe()
        )?;
    }
    Ok(())
}

fn section(out: &mut impl Write, title: &str, pairs: &[(String, String)]) -> std::io::Result<()> {
    if pairs.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{title}")?;
    let width = pairs
        .iter()
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(0)
        .min(30);
    for (name, value) in pairs {
        writeln!(out, "  {name:<width$}  {}", label_zoneless(value))?;
    }
    Ok(())
}
