//! Who a key goes to ([`Layer`], derived from the state, topmost first) and
//! the table's built-in views ([`ViewKind`]).

/// Who gets a key: derived from state, topmost first (the open modal:
/// help, dialog or note editor, journal; then filter > detail > table).
/// Only that layer's map is consulted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    Help,
    Dialog,
    /// The journal overlay (`J`).
    Journal,
    /// The command palette (`:`).
    Palette,
    Filter,
    Detail,
    Table,
}

impl Layer {
    pub const ALL: [Layer; 7] = [
        Layer::Table,
        Layer::Detail,
        Layer::Filter,
        Layer::Dialog,
        Layer::Journal,
        Layer::Palette,
        Layer::Help,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Layer::Help => "Help",
            Layer::Dialog => "Dialogs",
            Layer::Journal => "Journal view",
            Layer::Palette => "Command palette",
            Layer::Filter => "Filter bar",
            Layer::Detail => "Detail pane",
            Layer::Table => "Orders table",
        }
    }

    /// Layers whose keys can be remapped.
    pub(super) fn remappable(self) -> bool {
        matches!(self, Layer::Table | Layer::Detail | Layer::Help)
    }
}

/// The four views on number keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ViewKind {
    /// Stages new, in progress, needs attention ("stalled" on screen).
    #[default]
    Open,
    /// `Order::needs_attention()`.
    Attention,
    New,
    /// Everything, done and closed included.
    All,
}

impl ViewKind {
    pub const ALL: [ViewKind; 4] = [
        ViewKind::Open,
        ViewKind::Attention,
        ViewKind::New,
        ViewKind::All,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ViewKind::Open => "open",
            ViewKind::Attention => "attention",
            ViewKind::New => "new",
            ViewKind::All => "all",
        }
    }
}
