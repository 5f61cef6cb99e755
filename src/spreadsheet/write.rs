//! Writing xlsx: tables as sheets (Chinese headers, column widths set by hand, text-formatted
//! number columns, numbers where a column holds them, cells that could start a formula
//! neutralised) and printouts laid out as the paper form prints.

use rust_xlsxwriter::{Chart, ChartType, Format, FormatAlign, FormatBorder, Workbook};

use crate::error::{Error, Result};

/// A table to write: a title for the sheet, headers, rows of text, and which columns hold digits
/// that must stay text (phones, ID numbers).
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub sheet_name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub text_columns: Vec<usize>,
    /// Columns whose cells are written as numbers when they read as one (counts, shares).
    pub number_columns: Vec<usize>,
    /// Lines written under the table (notes of a template).
    pub notes: Vec<String>,
    /// Native Excel charts drawn from the table's columns, placed beside it.
    pub charts: Vec<SheetChart>,
}

/// How a chart draws its series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
    /// Horizontal bars (places compared).
    Bar,
    /// Vertical columns (months).
    Column,
    /// Shares of a whole (themes).
    Pie,
}

/// A native chart of a table: the column naming the categories (a row each) and the numeric
/// columns drawn as series, each named by its header.
#[derive(Clone, Debug)]
pub struct SheetChart {
    pub title: String,
    pub kind: ChartKind,
    pub categories: usize,
    pub values: Vec<usize>,
}

/// Display width of a text, a Chinese character counting as two.
fn width_of(s: &str) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 1.0 } else { 2.1 })
        .sum()
}

/// Text that a spreadsheet would run as a formula gets a leading apostrophe.
pub fn neutralise(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// Writes a table as an xlsx workbook.
pub fn to_xlsx(table: &Table) -> Result<Vec<u8>> {
    to_xlsx_sheets(std::slice::from_ref(table))
}

/// Writes tables as the sheets of one xlsx workbook, in order.
pub fn to_xlsx_sheets(tables: &[Table]) -> Result<Vec<u8>> {
    let fail = |e: rust_xlsxwriter::XlsxError| Error::internal_from("xlsx", e);
    let mut book = Workbook::new();
    for table in tables {
        write_table(book.add_worksheet(), table).map_err(fail)?;
    }
    book.save_to_buffer().map_err(fail)
}

fn write_table(
    sheet: &mut rust_xlsxwriter::Worksheet,
    table: &Table,
) -> std::result::Result<(), rust_xlsxwriter::XlsxError> {
    sheet.set_name(&table.sheet_name)?;
    let head = Format::new().set_bold().set_background_color("D9EAD3");
    let text = Format::new().set_num_format("@");
    let mut widths: Vec<f64> = table.headers.iter().map(|h| width_of(h) + 2.0).collect();
    for (c, h) in table.headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, h, &head)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, v) in row.iter().enumerate() {
            let v = neutralise(v);
            if let Some(w) = widths.get_mut(c) {
                *w = w.max(width_of(&v) + 1.0).min(60.0);
            }
            let number = table
                .number_columns
                .contains(&c)
                .then(|| v.parse::<f64>().ok())
                .flatten();
            if let Some(n) = number {
                sheet.write_number(r, c as u16, n)?;
            } else if table.text_columns.contains(&c) {
                sheet.write_string_with_format(r, c as u16, &v, &text)?;
            } else {
                sheet.write_string(r, c as u16, &v)?;
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, *w)?;
        if table.text_columns.contains(&c) {
            // Empty template rows are text too, so an 18-digit number typed later is not rounded.
            sheet.set_column_format(c as u16, &text)?;
        }
    }
    let note_row = table.rows.len() as u32 + 2;
    for (i, n) in table.notes.iter().enumerate() {
        sheet.write_string(note_row + i as u32, 0, n)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let last = table.rows.len() as u32;
    if last > 0 {
        let right = table.headers.len() as u16 + 1;
        for (i, c) in table.charts.iter().enumerate() {
            let mut chart = Chart::new(match c.kind {
                ChartKind::Bar => ChartType::Bar,
                ChartKind::Column => ChartType::Column,
                ChartKind::Pie => ChartType::Pie,
            });
            let name = table.sheet_name.as_str();
            let cat = c.categories as u16;
            for v in &c.values {
                let v = *v as u16;
                chart
                    .add_series()
                    .set_name((name, 0, v))
                    .set_categories((name, 1, cat, last, cat))
                    .set_values((name, 1, v, last, v));
            }
            chart.title().set_name(&c.title);
            if c.values.len() < 2 {
                chart.legend().set_hidden();
            }
            sheet.insert_chart(1 + 18 * i as u32, right, &chart)?;
        }
    }
    Ok(())
}

/// A table laid out as a printed form (the annual schedule as its attachment prints it): a title
/// merged over the columns, the header, the rows; each run of equal cells in the first column
/// merged into one (a month over its rows); thin borders, wrapped text, A4 fitted to the width,
/// title and header repeated on each page.
#[derive(Clone, Debug, Default)]
pub struct Printout {
    pub sheet_name: String,
    pub title: String,
    pub headers: Vec<String>,
    /// Column widths in characters of the Latin alphabet (a Chinese character counts two).
    pub widths: Vec<f64>,
    pub rows: Vec<Vec<String>>,
    pub landscape: bool,
}

/// For each cell of a column, how many rows its run of equal neighbours spans when it is the
/// first of the run, else 0 (a printed table's merged cell, or an HTML `rowspan`).
pub fn runs<S: AsRef<str>>(values: &[S]) -> Vec<usize> {
    let mut spans = vec![0; values.len()];
    let mut start = 0;
    for i in 1..=values.len() {
        if i == values.len() || values[i].as_ref() != values[start].as_ref() {
            spans[start] = i - start;
            start = i;
        }
    }
    spans
}

/// Writes a printout as an xlsx workbook.
pub fn printout_xlsx(p: &Printout) -> Result<Vec<u8>> {
    let fail = |e: rust_xlsxwriter::XlsxError| Error::internal_from("xlsx", e);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(&p.sheet_name).map_err(fail)?;
    let cols = p.headers.len().max(1) as u16;
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let cell = Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    let centred = cell.clone().set_align(FormatAlign::Center);
    let head = centred.clone().set_bold();
    sheet
        .merge_range(0, 0, 0, cols - 1, &neutralise(&p.title), &title)
        .map_err(fail)?;
    sheet.set_row_height(0, 32).map_err(fail)?;
    for (c, h) in p.headers.iter().enumerate() {
        sheet
            .write_string_with_format(1, c as u16, h, &head)
            .map_err(fail)?;
    }
    let first: Vec<&str> = p
        .rows
        .iter()
        .map(|r| r.first().map_or("", String::as_str))
        .collect();
    for (r, (row, span)) in p.rows.iter().zip(runs(&first)).enumerate() {
        let at = r as u32 + 2;
        for (c, v) in row.iter().enumerate() {
            let v = neutralise(v);
            match (c, span) {
                (0, 0) => {}
                (0, 1) => {
                    sheet
                        .write_string_with_format(at, 0, &v, &centred)
                        .map_err(fail)?;
                }
                (0, n) => {
                    sheet
                        .merge_range(at, 0, at + n as u32 - 1, 0, &v, &centred)
                        .map_err(fail)?;
                }
                _ => {
                    sheet
                        .write_string_with_format(at, c as u16, &v, &cell)
                        .map_err(fail)?;
                }
            }
        }
    }
    for (c, w) in p.widths.iter().enumerate() {
        sheet.set_column_width(c as u16, *w).map_err(fail)?;
    }
    sheet.set_paper_size(9); // A4
    if p.landscape {
        sheet.set_landscape();
    }
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 1).map_err(fail)?;
    book.save_to_buffer().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spreadsheet::{Cell, read};

    #[test]
    fn an_xlsx_round_trips_chinese_text_and_keeps_digits_as_text() {
        let t = Table {
            sheet_name: "居民".into(),
            headers: vec!["姓名".into(), "身份证号码".into()],
            rows: vec![
                vec!["𠮷㛃".into(), "11010519491231002X".into()],
                vec!["=1+1".into(), "500101199001011234".into()],
            ],
            text_columns: vec![1],
            number_columns: vec![],
            notes: vec![],
            charts: vec![],
        };
        let bytes = to_xlsx(&t).unwrap();
        let s = read(&bytes, "x.xlsx").unwrap();
        assert_eq!(s.rows[1][0], Cell::Text("𠮷㛃".into()));
        assert_eq!(s.rows[2][0], Cell::Text("'=1+1".into()));
        assert_eq!(s.rows[2][1].text(), "500101199001011234");
    }

    #[test]
    fn a_chart_of_a_table_is_a_native_chart_on_its_columns() {
        let t = Table {
            sheet_name: "每月出勤".into(),
            headers: vec!["月份".into(), "出勤(人次)".into()],
            rows: vec![
                vec!["1月".into(), "12".into()],
                vec!["2月".into(), "30".into()],
            ],
            number_columns: vec![1],
            charts: vec![SheetChart {
                title: "每月出勤人次".into(),
                kind: ChartKind::Column,
                categories: 0,
                values: vec![1],
            }],
            ..Table::default()
        };
        let bytes = to_xlsx(&t).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/charts/chart1.xml").unwrap(), &mut xml)
            .unwrap();
        assert!(
            xml.contains("<c:barChart>") && xml.contains("每月出勤人次"),
            "{xml}"
        );
        assert!(
            xml.contains("每月出勤!$B$2:$B$3"),
            "the values' range: {xml}"
        );
        assert_eq!(read(&bytes, "c.xlsx").unwrap().rows[2][1].text(), "30");
    }

    #[test]
    fn runs_of_equal_cells_span_their_rows() {
        assert_eq!(
            runs(&["1-2月", "3月", "3月", "3月", "4月"]),
            [1, 3, 0, 0, 1]
        );
        assert_eq!(runs::<&str>(&[]), Vec::<usize>::new());
    }

    #[test]
    fn a_printout_merges_its_title_and_equal_first_cells() {
        let p = Printout {
            sheet_name: "配档表".into(),
            title: "2026年工作配档表".into(),
            headers: vec!["月份".into(), "工作安排".into()],
            widths: vec![10.0, 40.0],
            rows: vec![
                vec!["3月".into(), "庆三八".into()],
                vec!["3月".into(), "植树".into()],
                vec!["4月".into(), "读书".into()],
            ],
            landscape: false,
        };
        let s = read(&printout_xlsx(&p).unwrap(), "p.xlsx").unwrap();
        let spans: Vec<(u32, u32, u32, u32)> = s
            .merged
            .iter()
            .map(|m| (m.first.0, m.first.1, m.last.0, m.last.1))
            .collect();
        assert!(spans.contains(&(0, 0, 0, 1)), "the title: {spans:?}");
        assert!(
            spans.contains(&(2, 0, 3, 0)),
            "3月 over two rows: {spans:?}"
        );
        assert_eq!(s.with_merged_filled().rows[3][0].text(), "3月");
    }
}
