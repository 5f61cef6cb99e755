//! Tables as downloads: the one place an export, an import report or a report becomes a file
//! the browser saves under a Chinese name.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::Result;
use crate::i18n::{self, Lang};
use crate::reports::Report;
use crate::spreadsheet::{self, Table};

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An attachment of `body` saved as `name.ext` (the name may be Chinese; older browsers get an
/// ASCII fallback).
fn attachment(body: Vec<u8>, content_type: &str, name: &str, ext: &str) -> Response {
    let encoded =
        percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC).to_string();
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"export.{ext}\"; filename*=UTF-8''{encoded}.{ext}"),
            ),
        ],
        body,
    )
        .into_response()
}

/// An xlsx attachment named `name.xlsx`.
pub(crate) fn xlsx(table: &Table, name: &str) -> Result<Response> {
    Ok(attachment(spreadsheet::to_xlsx(table)?, XLSX, name, "xlsx"))
}

/// A workbook made elsewhere (several sheets) as an xlsx attachment named `name` (with its
/// `.xlsx`).
pub(crate) fn workbook(bytes: Vec<u8>, name: &str) -> Response {
    attachment(bytes, XLSX, name.trim_end_matches(".xlsx"), "xlsx")
}

/// A report as a file: `xlsx` or `csv`, named by the report's title and `suffix` (a year).
pub(crate) fn report(report: &Report, lang: Lang, format: &str, suffix: &str) -> Result<Response> {
    let name = format!("{}{suffix}", i18n::t(lang, report.title));
    if format == "csv" {
        let body = report.to_csv(lang).into_bytes();
        return Ok(attachment(body, "text/csv; charset=utf-8", &name, "csv"));
    }
    xlsx(&report.to_sheet(lang), &name)
}

/// A Word document made elsewhere as a .docx attachment named `name.docx`.
pub(crate) fn docx(bytes: Vec<u8>, name: &str) -> Result<Response> {
    Ok(attachment(bytes, DOCX, name, "docx"))
}

/// A printout (a table laid out as printed: the annual schedule) as an xlsx attachment.
pub(crate) fn printout(p: &spreadsheet::Printout, name: &str) -> Result<Response> {
    Ok(attachment(
        spreadsheet::printout_xlsx(p)?,
        XLSX,
        name,
        "xlsx",
    ))
}

/// A stored file (evidence, a voucher) as an attachment under its stored name, never shown inline.
pub(crate) fn stored(body: Vec<u8>, content_type: &str, file_name: &str) -> Response {
    let (stem, ext) = file_name.rsplit_once('.').unwrap_or((file_name, "bin"));
    let mut r = attachment(body, content_type, stem, ext);
    r.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    r
}
