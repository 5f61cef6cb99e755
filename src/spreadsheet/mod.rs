//! Tables in and out of spreadsheets. Reading: xlsx (Excel, WPS, LibreOffice) or csv (UTF-8 or the
//! GB18030 that Chinese Excel writes), with limits checked before parsing (zip entries,
//! uncompressed size, rows, cell length) and clear refusals for encrypted, old-format, corrupt or
//! empty sheets; merged cells are kept as regions, for an import to refuse or fill. Writing
//! (`write.rs`): tables as sheets and printouts.

use std::io::Cursor;

use calamine::{Reader, Xlsx};
use chrono::NaiveDate;

use crate::error::{Error, Msg, Result};

mod write;
pub use write::{
    ChartKind, Printout, SheetChart, Table, neutralise, printout_xlsx, runs, to_xlsx,
    to_xlsx_sheets,
};

/// The data rows an import accepts.
pub const MAX_ROWS: usize = 200_000;
/// Characters in one cell.
pub const MAX_CELL_CHARS: usize = 1_000;
/// Entries in an xlsx archive.
const MAX_ZIP_ENTRIES: usize = 10_000;
/// Uncompressed bytes of an xlsx archive (a zip bomb stops here).
const MAX_UNZIPPED: u64 = 300 * 1024 * 1024;
/// Uncompressed bytes of the shared strings, which the reader keeps in memory whole: enough for the
/// distinct names, numbers and addresses of `MAX_ROWS` residents (measured: ~175 bytes a row).
const MAX_SHARED_STRINGS: u64 = 64 * 1024 * 1024;
/// Uncompressed bytes of any other part read whole (workbook, styles, relationships, themes).
const MAX_OTHER_PART: u64 = 16 * 1024 * 1024;

/// One cell as read.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
    /// A formula error such as #DIV/0!.
    Error,
}

impl Cell {
    /// The cell as text: numbers without a trailing `.0`, dates as YYYY-MM-DD, trimmed.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty | Cell::Error => String::new(),
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.to_string(),
            Cell::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        }
    }

    /// The cell as a date field takes it: a date cell as YYYY-MM-DD, a number as an Excel serial
    /// date (a date cell of a sheet that lost its format), anything else as its text.
    pub fn date_text(&self) -> String {
        match self {
            Cell::Date(d) => d.to_string(),
            Cell::Number(n) => excel_serial_date(*n)
                .map(|d| d.to_string())
                .unwrap_or_else(|| self.text()),
            other => other.text(),
        }
    }

    /// True when the cell holds nothing.
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// An Excel date serial number (days since 1899-12-30, as Excel and LibreOffice store dates).
pub fn excel_serial_date(serial: f64) -> Option<NaiveDate> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)?
        .checked_add_days(chrono::Days::new(serial.trunc() as u64))
}

/// The first sheet of a workbook: `rows[0]` is spreadsheet row 1.
#[derive(Clone, Debug, Default)]
pub struct Sheet {
    pub rows: Vec<Vec<Cell>>,
    /// The merged regions of an xlsx, as the file declares them.
    pub merged: Vec<Merged>,
}

/// A merged region: its first and last cell, (row, column) from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Merged {
    pub first: (u32, u32),
    pub last: (u32, u32),
}

impl Sheet {
    /// Refuses a sheet with merged cells, naming the first region: where a row's own value is
    /// expected, a merged cell would leave the rows below it without one.
    pub fn refuse_merged(&self) -> Result<()> {
        match self.merged.first() {
            None => Ok(()),
            Some(m) => Err(Error::BadRequest(
                Msg::new("sheet.merged_cells")
                    .arg("from", cell_name(m.first.0, m.first.1))
                    .arg("to", cell_name(m.last.0, m.last.1)),
            )),
        }
    }

    /// The sheet as printed: every cell a merged region covers holds the region's value (a month
    /// merged over the rows of a table pasted from Word applies to each of them).
    pub fn with_merged_filled(&self) -> Sheet {
        let mut rows = self.rows.clone();
        for m in &self.merged {
            let (r0, c0) = (m.first.0 as usize, m.first.1 as usize);
            let Some(value) = rows.get(r0).and_then(|r| r.get(c0)).cloned() else {
                continue;
            };
            for r in r0..=(m.last.0 as usize).min(rows.len().saturating_sub(1)) {
                let row = &mut rows[r];
                for c in c0..=m.last.1 as usize {
                    if row.len() <= c {
                        row.resize(c + 1, Cell::Empty);
                    }
                    if row[c].is_empty() {
                        row[c] = value.clone();
                    }
                }
            }
        }
        Sheet {
            rows,
            merged: Vec::new(),
        }
    }
}

fn refuse(key: &'static str) -> Error {
    Error::BadRequest(Msg::new(key))
}

/// Reads an uploaded file (`name` decides csv vs xlsx only when the content does not).
pub fn read(bytes: &[u8], name: &str) -> Result<Sheet> {
    let sheet = if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)?
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        // An OLE container: either an xlsx with an opening password or the old .xls format.
        return Err(refuse("sheet.encrypted_or_xls"));
    } else if name.to_lowercase().ends_with(".csv") || looks_like_text(bytes) {
        read_csv(bytes)?
    } else {
        return Err(refuse("sheet.not_a_spreadsheet"));
    };
    let data_rows = sheet
        .rows
        .iter()
        .skip(1)
        .filter(|r| r.iter().any(|c| !c.is_empty()))
        .count();
    if sheet.rows.is_empty() || data_rows == 0 {
        return Err(refuse("sheet.empty"));
    }
    Ok(sheet)
}

fn looks_like_text(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    !head.is_empty() && !head.contains(&0) && head.iter().filter(|b| **b < 0x09).count() == 0
}

fn check_cell(s: &str) -> Result<()> {
    if s.chars().count() > MAX_CELL_CHARS {
        return Err(Error::BadRequest(
            Msg::new("sheet.cell_too_long").arg("max", MAX_CELL_CHARS),
        ));
    }
    Ok(())
}

fn too_many_rows() -> Error {
    Error::BadRequest(Msg::new("sheet.too_many_rows").arg("max", MAX_ROWS))
}

fn read_xlsx(bytes: &[u8]) -> Result<Sheet> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| refuse("sheet.corrupt"))?;
    check_inflated_sizes(&mut archive)?;
    // The sheet's declared size (<dimension ref="A1:J1048576"/>) refuses a huge sheet before
    // parsing it.
    if let Some(rows) = declared_rows(&mut archive)
        && rows > MAX_ROWS + 1
    {
        return Err(too_many_rows());
    }
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsxError::Password => refuse("sheet.encrypted_or_xls"),
        _ => refuse("sheet.corrupt"),
    })?;
    let name = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| refuse("sheet.empty"))?;
    let merged = book
        .merge_cells_by_sheet_name(&name)
        .unwrap_or_default()
        .iter()
        .map(|m| Merged {
            first: m.start,
            last: m.end,
        })
        .collect();
    // Cells are streamed into rows: no second, whole-sheet copy is built first (memory of big
    // imports).
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut reader = book
        .worksheet_cells_reader(&name)
        .map_err(|_| refuse("sheet.corrupt"))?;
    while let Some(c) = reader.next_cell().map_err(|_| refuse("sheet.corrupt"))? {
        let (r, col) = c.get_position();
        let (r, col) = (r as usize, col as usize);
        if r > MAX_ROWS {
            return Err(too_many_rows());
        }
        if rows.len() <= r {
            rows.resize_with(r + 1, Vec::new);
        }
        let value = cell_of(c.get_value())?;
        let row = &mut rows[r];
        if row.len() <= col {
            row.resize(col, Cell::Empty);
            row.push(value);
        } else {
            row[col] = value;
        }
    }
    Ok(Sheet { rows, merged })
}

/// Bytes of one text between two XML tags: a cell of `MAX_CELL_CHARS` characters written with
/// escapes (`&amp;` is five bytes) fits; a longer one is refused before the reader builds it in
/// memory.
const MAX_TEXT_BYTES: u64 = 5 * 4 * MAX_CELL_CHARS as u64;

/// Counts the inflated bytes of an archive part and the longest text between two tags, keeping
/// nothing.
#[derive(Default)]
struct PartScan {
    bytes: u64,
    run: u64,
    longest_text: u64,
}

impl std::io::Write for PartScan {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes += buf.len() as u64;
        for b in buf {
            if *b == b'<' {
                self.run = 0;
            } else {
                self.run += 1;
                self.longest_text = self.longest_text.max(self.run);
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Refuses an archive that would inflate beyond the limits, before any part is parsed. The sizes an
/// archive declares can lie, so every part is inflated once into nothing, counting, and refused as
/// soon as it passes its limit: memory stays at the inflater's buffer whatever the file claims. The
/// same pass refuses a text too long for any cell, so no part can make the reader build a huge
/// string. What is left in memory when parsing starts is bounded by the shared strings' limit.
fn check_inflated_sizes(archive: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Result<()> {
    use std::io::Read;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(refuse("sheet.too_large"));
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(|_| refuse("sheet.corrupt"))?;
        let name = entry
            .name()
            .map_err(|_| refuse("sheet.corrupt"))?
            .to_string();
        let limit = if name.starts_with("xl/worksheets/") {
            MAX_UNZIPPED
        } else if name.ends_with("sharedStrings.xml") {
            MAX_SHARED_STRINGS
        } else {
            MAX_OTHER_PART
        };
        if entry.size() > limit {
            return Err(refuse("sheet.too_large"));
        }
        let mut scan = PartScan::default();
        std::io::copy(&mut entry.take(limit + 1), &mut scan)
            .map_err(|_| refuse("sheet.corrupt"))?;
        if scan.bytes > limit {
            return Err(refuse("sheet.too_large"));
        }
        if scan.longest_text > MAX_TEXT_BYTES {
            return Err(Error::BadRequest(
                Msg::new("sheet.cell_too_long").arg("max", MAX_CELL_CHARS),
            ));
        }
        total = total.saturating_add(scan.bytes);
        if total > MAX_UNZIPPED {
            return Err(refuse("sheet.too_large"));
        }
    }
    Ok(())
}

/// Converts one streamed cell.
fn cell_of(d: &calamine::DataRef<'_>) -> Result<Cell> {
    use calamine::DataRef;
    Ok(match d {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) => {
            check_cell(s)?;
            Cell::Text(s.clone())
        }
        DataRef::SharedString(s) => {
            check_cell(s)?;
            Cell::Text((*s).to_string())
        }
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(d) => excel_serial_date(d.as_f64())
            .map(Cell::Date)
            .unwrap_or(Cell::Error),
        DataRef::DateTimeIso(s) => s
            .get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .map(Cell::Date)
            .unwrap_or(Cell::Text(s.clone())),
        DataRef::DurationIso(s) => Cell::Text(s.clone()),
        DataRef::Error(_) => Cell::Error,
    })
}

/// The last row number declared by the first worksheet's `<dimension>` element, if it has one.
fn declared_rows(archive: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Option<usize> {
    use std::io::Read;
    let mut f = archive.by_name("xl/worksheets/sheet1.xml").ok()?;
    let mut head = Vec::new();
    (&mut f).take(64 * 1024).read_to_end(&mut head).ok()?;
    let text = String::from_utf8_lossy(&head);
    let at = text.find("<dimension ref=\"")? + 16;
    let reference = text[at..].split('"').next()?;
    let last = reference.rsplit(':').next()?;
    last.trim_start_matches(|c: char| c.is_ascii_alphabetic())
        .parse()
        .ok()
}

/// `A1`-style name of a zero-based cell.
pub fn cell_name(row: u32, col: u32) -> String {
    let mut c = col + 1;
    let mut letters = Vec::new();
    while c > 0 {
        let rem = (c - 1) % 26;
        letters.push((b'A' + rem as u8) as char);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", letters.into_iter().collect::<String>(), row + 1)
}

fn read_csv(bytes: &[u8]) -> Result<Sheet> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // Chinese Excel saves csv as GB18030 (GBK); anything that is not UTF-8 is read as that.
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => {
            let (s, _, bad) = encoding_rs::GB18030.decode(bytes);
            if bad {
                return Err(refuse("sheet.encoding"));
            }
            s.into_owned()
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|_| refuse("sheet.corrupt"))?;
        if rows.len() > MAX_ROWS {
            return Err(too_many_rows());
        }
        let mut row = Vec::with_capacity(rec.len());
        for f in rec.iter() {
            check_cell(f)?;
            row.push(if f.trim().is_empty() {
                Cell::Empty
            } else {
                Cell::Text(f.to_string())
            });
        }
        rows.push(row);
    }
    Ok(Sheet {
        rows,
        merged: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_gb18030_is_read() {
        let (gbk, _, _) = encoding_rs::GB18030.encode("姓名,社区\n王芳,群力社区\n");
        let s = read(&gbk, "居民.csv").unwrap();
        assert_eq!(s.rows[1][1].text(), "群力社区");
    }

    #[test]
    fn non_spreadsheets_encrypted_files_and_empty_sheets_are_refused() {
        let key = |r: Result<Sheet>| match r {
            Err(Error::BadRequest(m)) => m.key,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            key(read(&[0x89, b'P', b'N', b'G', 0, 0, 1, 2], "a.png")),
            "sheet.not_a_spreadsheet"
        );
        assert_eq!(
            key(read(
                &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1],
                "a.xlsx"
            )),
            "sheet.encrypted_or_xls"
        );
        assert_eq!(key(read(b"PK\x03\x04broken", "a.xlsx")), "sheet.corrupt");
        assert_eq!(key(read("姓名,社区\n".as_bytes(), "a.csv")), "sheet.empty");
    }

    #[test]
    fn cell_names_are_excel_style() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(4, 27), "AB5");
    }
}
