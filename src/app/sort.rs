//! How the table is sorted: [`SortColumn`] (the columns `s` cycles, and
//! what ascending and descending mean for each, in words) and [`Sort`]
//! (column and direction). Data only; the order store applies it.

/// The table's sortable columns, in the order `s` cycles them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortColumn {
    Carrier,
    Id,
    Status,
    Stage,
    /// Creation time; ascending = oldest first (the default).
    #[default]
    Age,
    Updated,
    Customer,
    Service,
    Schedule,
}

impl SortColumn {
    pub const ALL: [SortColumn; 9] = [
        SortColumn::Carrier,
        SortColumn::Id,
        SortColumn::Status,
        SortColumn::Stage,
        SortColumn::Age,
        SortColumn::Updated,
        SortColumn::Customer,
        SortColumn::Service,
        SortColumn::Schedule,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SortColumn::Carrier => "carrier",
            SortColumn::Id => "id",
            SortColumn::Status => "status",
            SortColumn::Stage => "stage",
            SortColumn::Age => "age",
            SortColumn::Updated => "updated",
            SortColumn::Customer => "customer",
            SortColumn::Service => "service",
            // The table's column says "delivery".
            SortColumn::Schedule => "delivery",
        }
    }

    pub fn next(self) -> SortColumn {
        let i = SortColumn::ALL.iter().position(|c| *c == self).unwrap_or(0);
        SortColumn::ALL[(i + 1) % SortColumn::ALL.len()]
    }

    /// What ascending / descending mean for this column, for people.
    pub fn direction_text(self, reversed: bool) -> &'static str {
        match (self, reversed) {
            (SortColumn::Age | SortColumn::Updated, false) => "oldest first",
            (SortColumn::Age | SortColumn::Updated, true) => "newest first",
            (SortColumn::Schedule, false) => "earliest first",
            (SortColumn::Schedule, true) => "latest first",
            (SortColumn::Stage, false) => "new first",
            (SortColumn::Stage, true) => "closed first",
            (SortColumn::Id, false) => "lowest first",
            (SortColumn::Id, true) => "highest first",
            (_, false) => "A-Z",
            (_, true) => "Z-A",
        }
    }
}

/// Column and direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sort {
    pub column: SortColumn,
    pub reversed: bool,
}
