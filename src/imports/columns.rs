//! The columns of an import's sheet: what each column is called (with the aliases people write),
//! where the header row is (under a title, if the table was copied from a document), and the data
//! rows beneath it.

use std::collections::HashMap;

use crate::error::{Error, Msg, Result};
use crate::spreadsheet::{Cell, Sheet};

/// A column of an import: the field, the aliases a header may use, and whether it is required.
pub struct Column {
    pub field: &'static str,
    pub header: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
    /// Digits that must be typed into a text-formatted column.
    pub text: bool,
}

impl Column {
    /// A column a row may leave blank.
    pub const fn optional(
        field: &'static str,
        header: &'static str,
        aliases: &'static [&'static str],
    ) -> Column {
        Column {
            field,
            header,
            aliases,
            required: false,
            text: false,
        }
    }

    /// A column every row must fill.
    pub const fn required(
        field: &'static str,
        header: &'static str,
        aliases: &'static [&'static str],
    ) -> Column {
        Column {
            required: true,
            ..Column::optional(field, header, aliases)
        }
    }

    /// The same column, formatted as text in the template (digits kept as typed).
    pub const fn as_text(self) -> Column {
        Column { text: true, ..self }
    }
}

/// Where each field of an import sits: column index and the header as written in the file.
pub type ColumnMap = HashMap<&'static str, (usize, String)>;

/// A header cell reduced to compare with aliases: no `*`, no spaces, no parenthesised hint.
fn header_key(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => depth -= 1,
            '*' | '＊' | ' ' | '\u{3000}' => {}
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Rows with text above the header that may hold a title (a table copied from a document, with
/// its heading above it).
const TITLE_ROWS: usize = 3;

/// Finds each column's index from the header row: the first row with any text, or one of the few
/// below it when that row is a title and not a header (the first that names every required
/// column).
pub fn map_columns(sheet: &Sheet, columns: &'static [Column]) -> Result<(usize, ColumnMap)> {
    let mut candidates = sheet
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.iter().any(|c| !c.is_empty()))
        .take(TITLE_ROWS + 1)
        .map(|(i, r)| (i, header_columns(r, columns)));
    let (first_row, first) = candidates
        .next()
        .ok_or_else(|| Error::BadRequest(Msg::new("sheet.empty")))?;
    let complete = |found: &ColumnMap| {
        columns
            .iter()
            .all(|c| !c.required || found.contains_key(c.field))
    };
    if complete(&first) {
        return Ok((first_row, first));
    }
    if let Some(below) = candidates.find(|(_, found)| complete(found)) {
        return Ok(below);
    }
    let missing: Vec<&str> = columns
        .iter()
        .filter(|c| c.required && !first.contains_key(c.field))
        .map(|c| c.header.trim_end_matches('*'))
        .collect();
    Err(Error::BadRequest(
        Msg::new("sheet.missing_columns").arg("columns", missing.join("、")),
    ))
}

/// The columns a row names as headers.
fn header_columns(row: &[Cell], columns: &'static [Column]) -> ColumnMap {
    let mut found = HashMap::new();
    for (i, cell) in row.iter().enumerate() {
        let raw = cell.text();
        let key = header_key(&raw);
        if let Some(col) = columns.iter().find(|c| c.aliases.contains(&key.as_str()))
            && !found.contains_key(col.field)
        {
            found.insert(col.field, (i, raw));
        }
    }
    found
}

/// The cell of a field in a row, and the header it sits under.
pub fn cell<'a>(row: &'a [Cell], cols: &ColumnMap, field: &str) -> (&'a Cell, String) {
    match cols.get(field) {
        Some((i, header)) => (row.get(*i).unwrap_or(&Cell::Empty), header.clone()),
        None => (&Cell::Empty, String::new()),
    }
}

/// The data rows under the header: (spreadsheet row number, cells), empty rows skipped.
pub fn data_rows(sheet: &Sheet, header_row: usize) -> impl Iterator<Item = (usize, &[Cell])> {
    sheet
        .rows
        .iter()
        .enumerate()
        .skip(header_row + 1)
        .filter(|(_, row)| !row.iter().all(Cell::is_empty))
        .map(|(i, row)| (i + 1, row.as_slice()))
}
