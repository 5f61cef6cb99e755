//! Tables as downloads: the one place an export, an import report or a report becomes a file
//! the browser saves under a Chinese name.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::Result;
use crate::i18n::{self, Lang};
use crate::reports::Report;
use crate::spreadsheet::{self, Table};

/// An xlsx attachment named `name.xlsx` (the name may be Chinese).
pub(crate) fn xlsx(table: &Table, name: &str) -> Result<Response> {
    let bytes = spreadsheet::to_xlsx(table)?;
    let encoded =
        percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC).to_string();
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"export.xlsx\"; filename*=UTF-8''{encoded}.xlsx"),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// A report as a file: `xlsx` or `csv`, named by the report's title and `suffix` (a year).
pub(crate) fn report(report: &Report, lang: Lang, format: &str, suffix: &str) -> Result<Response> {
    let name = format!("{}{suffix}", i18n::t(lang, report.title));
    if format == "csv" {
        let encoded =
            percent_encoding::utf8_percent_encode(&name, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"report.csv\"; filename*=UTF-8''{encoded}.csv"),
                ),
            ],
            report.to_csv(lang),
        )
            .into_response());
    }
    xlsx(&report.to_sheet(lang), &name)
}
