//! `E`: the current view written to a CSV file, one record per order in the
//! table's order, the columns of `list --csv` that the console holds
//! (summaries: no notes count, no flag author). The app builds the text
//! ([`Effect::ExportCsv`]); the runtime writes the file in the directory
//! the console was started from and answers with [`Msg::Exported`], and the
//! status line says where it went. Pure.

use super::msg::Effect;
use super::state::{Level, State};
use crate::domain::csv;

/// The columns, as `list --csv` names them.
pub const EXPORT_COLUMNS: [&str; 13] = [
    "key",
    "carrier",
    "kind",
    "id",
    "status",
    "stage",
    "attention",
    "flagged",
    "created",
    "updated",
    "customer",
    "service",
    "schedule",
];

impl State {
    /// Builds the view's CSV and asks the runtime to write it.
    pub(super) fn export_view(&mut self, fx: &mut Vec<Effect>) {
        let store = self.store();
        let visible = store.visible();
        if visible.is_empty() {
            self.say(Level::Warning, "export: no orders in this view");
            return;
        }
        let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
            t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_default()
        };
        let mut text = csv::record(EXPORT_COLUMNS);
        for &i in visible {
            let Some(order) = store.get(i) else { continue };
            let flagged = store.is_flagged(&order.key);
            let attention = order.needs_attention() || store.is_late(&order.key) || flagged;
            text.push_str(&csv::record([
                order.key.to_string(),
                order.key.carrier.to_string(),
                order.kind.to_owned(),
                order.key.id.clone(),
                order.status.raw.clone(),
                order.status.stage.as_str().to_owned(),
                attention.to_string(),
                flagged.to_string(),
                time(order.created),
                time(order.updated_at()),
                order.customer.to_string(),
                order.service.to_string(),
                order.schedule_text(),
            ]));
        }
        let view = store.view().label().replace(' ', "-");
        let stamp = self.now.format("%Y%m%d-%H%M%S");
        let rows = visible.len();
        fx.push(Effect::ExportCsv {
            file_name: format!("orderdesk-{view}-{stamp}.csv"),
            text,
            rows,
        });
        self.say(Level::Info, format!("export: writing {rows} orders…"));
    }

    /// The runtime's answer to [`Effect::ExportCsv`].
    pub(super) fn on_exported(&mut self, rows: usize, result: Result<String, String>) {
        match result {
            Ok(path) => self.say(Level::Ok, format!("exported {rows} orders to {path}")),
            Err(why) => self.say(Level::Error, format!("export: {why}")),
        }
    }
}
