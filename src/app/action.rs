//! Every [`Action`] a key can mean, with its name in the config's `[keys]`
//! table and the words the help overlay and the palette show for it. Which
//! key means which action in which layer is `keymap`'s.

use super::layer::{Layer, ViewKind};
use crate::domain::ActionKind;

/// What a key means. Executed by `update`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Help,
    Refresh,
    RefreshCarrier,
    Filter,
    ClearFilter,
    SortNext,
    SortReverse,
    View(ViewKind),
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
    OpenDetail,
    CloseDetail,
    NextTab,
    PrevTab,
    NextOrder,
    PrevOrder,
    FlipLog,
    Act(ActionKind),
    /// Add a local note to the selected order.
    Note,
    /// Toggle the selected order's local follow-up flag.
    Flag,
    /// Open the journal view.
    Journal,
    /// In the journal: send the selected unknown write again (asks first).
    SendAgain,
    /// Switch a read-only console to the wallboard and back.
    Wallboard,
    /// Mark or unmark the selected order for a bulk action.
    Mark,
    /// Mark the orders from the last mark to the selection.
    MarkRange,
    /// Mark every order in the view (again: unmark them).
    MarkAll,
    /// Clear every mark.
    ClearMarks,
    /// Open the command palette.
    Palette,
    /// A view of one's own (`[[view]]`), by position (keys 5 to 9).
    UserView(u8),
    /// Sort by the previous / next column shown.
    SortLeft,
    SortRight,
    /// In the filter bar: save the filter as a view of one's own.
    SaveView,
    /// Copy the selected order's key to the clipboard (OSC 52).
    CopyKey,
    /// Choose a field of the selected order to copy.
    CopyField,
    /// Open the selected order in its carrier's portal (`portal_url`).
    OpenPortal,
    /// Times as "3h ago" or as a date and time with the zone.
    ToggleTimes,
    /// Write the current view to a CSV file.
    ExportView,
    // Editing layers.
    Back,
    Accept,
    Submit,
    NextField,
    PrevField,
    Left,
    Right,
    Home,
    End,
    Backspace,
    Delete,
    DeleteWord,
    ClearLine,
}

impl Action {
    /// Every action that has a name in the key map.
    pub const NAMED: &'static [Action] = &[
        Action::Quit,
        Action::Help,
        Action::Refresh,
        Action::RefreshCarrier,
        Action::Filter,
        Action::ClearFilter,
        Action::SortNext,
        Action::SortReverse,
        Action::View(ViewKind::Open),
        Action::View(ViewKind::Attention),
        Action::View(ViewKind::New),
        Action::View(ViewKind::All),
        Action::Down,
        Action::Up,
        Action::PageDown,
        Action::PageUp,
        Action::Top,
        Action::Bottom,
        Action::OpenDetail,
        Action::CloseDetail,
        Action::NextTab,
        Action::PrevTab,
        Action::NextOrder,
        Action::PrevOrder,
        Action::FlipLog,
        Action::Act(ActionKind::Acknowledge),
        Action::Act(ActionKind::SetStatus),
        Action::Act(ActionKind::Cancel),
        Action::Act(ActionKind::AddMessage),
        Action::Act(ActionKind::Supplement),
        Action::Act(ActionKind::AddPayLink),
        Action::Note,
        Action::Flag,
        Action::Journal,
        Action::SendAgain,
        Action::Wallboard,
        Action::Mark,
        Action::MarkRange,
        Action::MarkAll,
        Action::ClearMarks,
        Action::Palette,
        Action::UserView(0),
        Action::UserView(1),
        Action::UserView(2),
        Action::UserView(3),
        Action::UserView(4),
        Action::SortLeft,
        Action::SortRight,
        Action::SaveView,
        Action::CopyKey,
        Action::CopyField,
        Action::OpenPortal,
        Action::ToggleTimes,
        Action::ExportView,
        Action::Back,
        Action::Accept,
        Action::Submit,
        Action::NextField,
        Action::PrevField,
        Action::Left,
        Action::Right,
        Action::Home,
        Action::End,
        Action::Backspace,
        Action::Delete,
        Action::DeleteWord,
        Action::ClearLine,
    ];

    /// The name used in `[keys]` overrides.
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::Refresh => "refresh",
            Action::RefreshCarrier => "refresh_carrier",
            Action::Filter => "filter",
            Action::ClearFilter => "clear_filter",
            Action::SortNext => "sort_next",
            Action::SortReverse => "sort_reverse",
            Action::View(ViewKind::Open) => "view_open",
            Action::View(ViewKind::Attention) => "view_attention",
            Action::View(ViewKind::New) => "view_new",
            Action::View(ViewKind::All) => "view_all",
            Action::Down => "down",
            Action::Up => "up",
            Action::PageDown => "page_down",
            Action::PageUp => "page_up",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::OpenDetail => "open_detail",
            Action::CloseDetail => "close_detail",
            Action::NextTab => "next_tab",
            Action::PrevTab => "prev_tab",
            Action::NextOrder => "next_order",
            Action::PrevOrder => "prev_order",
            Action::FlipLog => "flip_log",
            Action::Act(kind) => kind.as_str(),
            Action::Note => "note",
            Action::Flag => "flag",
            Action::Journal => "journal",
            Action::SendAgain => "send_again",
            Action::Wallboard => "wallboard",
            Action::Mark => "mark",
            Action::MarkRange => "mark_range",
            Action::MarkAll => "mark_all",
            Action::ClearMarks => "clear_marks",
            Action::Palette => "palette",
            Action::UserView(i) => ["view_5", "view_6", "view_7", "view_8", "view_9"]
                .get(usize::from(i))
                .copied()
                .unwrap_or("view_own"),
            Action::SortLeft => "sort_left",
            Action::SortRight => "sort_right",
            Action::SaveView => "save_view",
            Action::CopyKey => "copy_key",
            Action::CopyField => "copy_field",
            Action::OpenPortal => "open_portal",
            Action::ToggleTimes => "toggle_times",
            Action::ExportView => "export_view",
            Action::Back => "back",
            Action::Accept => "accept",
            Action::Submit => "submit",
            Action::NextField => "next_field",
            Action::PrevField => "prev_field",
            Action::Left => "left",
            Action::Right => "right",
            Action::Home => "home",
            Action::End => "end",
            Action::Backspace => "backspace",
            Action::Delete => "delete",
            Action::DeleteWord => "delete_word",
            Action::ClearLine => "clear_line",
        }
    }

    /// Whether the action sends a write to a carrier (none is offered in
    /// a read-only console).
    pub fn writes(self) -> bool {
        matches!(self, Action::Act(_))
    }

    pub fn from_name(name: &str) -> Option<Action> {
        Action::NAMED.iter().copied().find(|a| a.name() == name)
    }

    /// What the action does, for the help overlay (may depend on the layer).
    pub fn describe(self, layer: Layer) -> &'static str {
        match (self, layer) {
            (Action::Quit, _) => "quit",
            (Action::Help, _) => "this help",
            (Action::Filter, Layer::Help) => "search the help (legend included)",
            (Action::Back, Layer::Journal) => "close the journal",
            (Action::Accept, Layer::Journal) => "go to the entry's order",
            (Action::Down, Layer::Journal) => "next entry",
            (Action::PageDown, Layer::Journal) => "a page of older entries",
            (Action::PageUp, Layer::Journal) => "a page of newer entries",
            (Action::Up, Layer::Journal) => "previous entry",
            (Action::Top, Layer::Journal) => "newest entry",
            (Action::Bottom, Layer::Journal) => "oldest entry",
            (Action::Left, Layer::Journal) => "filter: cursor left",
            (Action::Right, Layer::Journal) => "filter: cursor right",
            (Action::Backspace, Layer::Journal) => "filter: delete before the cursor",
            (Action::DeleteWord, Layer::Journal) => "filter: delete a word",
            (Action::ClearLine, Layer::Journal) => "filter: clear",
            (Action::Back, Layer::Palette) => "close the palette",
            (Action::Accept, Layer::Palette) => "run the selected entry",
            (Action::Down, Layer::Palette) => "next entry",
            (Action::Up, Layer::Palette) => "previous entry",
            (Action::Refresh, _) => "refresh all carriers now",
            (Action::RefreshCarrier, _) => "refresh the selected order's carrier",
            (Action::Filter, _) => "filter (text, carrier: stage: status: kind: flag:)",
            (Action::ClearFilter, _) => "clear the marks, else the filter",
            (Action::SortNext, _) => "sort by the next column",
            (Action::SortReverse, _) => "reverse the sort",
            (Action::View(ViewKind::Open), _) => "view: all open orders",
            (Action::View(ViewKind::Attention), _) => "view: orders with any attention reason",
            (Action::View(ViewKind::New), _) => "view: new orders",
            (Action::View(ViewKind::All), _) => "view: everything, done and closed too",
            (Action::Down, Layer::Table) => "next order",
            (Action::Up, Layer::Table) => "previous order",
            (Action::Down, Layer::Filter) => "next order (while typing)",
            (Action::Up, Layer::Filter) => "previous order (while typing)",
            (Action::Down, Layer::Dialog) => "next choice / line",
            (Action::Up, Layer::Dialog) => "previous choice / line",
            (Action::Down, _) => "scroll down",
            (Action::Up, _) => "scroll up",
            (Action::PageDown, Layer::Table) => "page down",
            (Action::PageUp, Layer::Table) => "page up",
            (Action::PageDown, _) => "scroll a page down",
            (Action::PageUp, _) => "scroll a page up",
            (Action::Top, Layer::Table) => "first order",
            (Action::Bottom, Layer::Table) => "last order",
            (Action::Top, _) => "scroll to the top",
            (Action::Bottom, _) => "scroll to the end",
            (Action::OpenDetail, _) => "open the order's detail",
            (Action::CloseDetail, _) => "back to the table",
            (Action::NextTab, _) => "next tab",
            (Action::PrevTab, _) => "previous tab",
            (Action::NextOrder, _) => "next order",
            (Action::PrevOrder, _) => "previous order",
            (Action::FlipLog, _) => "log: flip newest/oldest first",
            (Action::Act(ActionKind::Acknowledge), _) => "acknowledge (take in) a new order",
            (Action::Act(ActionKind::SetStatus), _) => "set status",
            (Action::Act(ActionKind::Cancel), _) => "cancel the order",
            (Action::Act(ActionKind::AddMessage), _) => "add a message to the order's log",
            (Action::Act(ActionKind::Supplement), _) => "supplement the order",
            (Action::Act(ActionKind::AddPayLink), _) => "add a pay link",
            (Action::Note, _) => "add a local note (never sent; works read-only too)",
            (Action::Flag, _) => "toggle the local follow-up flag (never sent)",
            (Action::Journal, _) => "journal of writes, newest first",
            (Action::SendAgain, _) => {
                "send an unknown write again (pay link; asks first: it may be saved already)"
            }
            (Action::Wallboard, _) => "wallboard, the monitoring screen (read-only console)",
            (Action::Mark, _) => "mark / unmark the order (a t f n then act on all marked)",
            (Action::MarkRange, _) => "mark from the last mark to the selection",
            (Action::MarkAll, _) => "mark every order in the view (again: unmark them)",
            (Action::ClearMarks, _) => "clear the marks",
            (Action::Palette, _) => {
                "command palette: jump to an order, run an action, switch view or theme"
            }
            (Action::UserView(_), _) => {
                "view: one of your own ([[view]] in the config, views.toml)"
            }
            (Action::SortLeft, _) => "sort by the column to the left",
            (Action::SortRight, _) => "sort by the column to the right",
            (Action::SaveView, _) => "save the filter (and sort, columns) as a view of your own",
            (Action::CopyKey, _) => {
                "copy the order's key to the clipboard (OSC 52, works over SSH)"
            }
            (Action::CopyField, _) => "copy a field of the order (id, customer, email, ...)",
            (Action::OpenPortal, _) => "open the order in its carrier's portal (portal_url)",
            (Action::ToggleTimes, _) => "times: relative (3h ago) or absolute with the zone",
            (Action::ExportView, _) => {
                "write the view to a CSV file (in the directory started from)"
            }
            (Action::Back, Layer::Help) => "drop the search / close the help",
            (Action::Accept, Layer::Help) => "search: keep it, back to scrolling",
            (Action::Backspace, Layer::Help) => "search: delete before the cursor",
            (Action::Back, Layer::Filter) => "clear the filter",
            (Action::Back, _) => "close (before sending) / back",
            (Action::Accept, Layer::Filter) => "keep the filter, back to the table",
            (Action::Accept, _) => "submit (newline in a multi-line field) / yes",
            (Action::Submit, _) => "submit from any field",
            (Action::NextField, _) => "next field",
            (Action::PrevField, _) => "previous field",
            (Action::Left, Layer::Dialog) => "cursor left / previous choice",
            (Action::Right, Layer::Dialog) => "cursor right / next choice",
            (Action::Left, _) => "cursor left",
            (Action::Right, _) => "cursor right",
            (Action::Home, _) => "start of line",
            (Action::End, _) => "end of line",
            (Action::Backspace, _) => "delete before the cursor",
            (Action::Delete, _) => "delete at the cursor",
            (Action::DeleteWord, _) => "delete the word before the cursor",
            (Action::ClearLine, _) => "clear the line",
        }
    }
}
