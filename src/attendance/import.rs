//! The past-activity import (补录导入): a plug-in of the import engine (`crate::imports`) for a town
//! that adopts cedu mid-year. Each row is an activity already held — date, time, the centre or town
//! school that held it, theme, title — with its attendance from the paper sheet: a head count, or
//! the names and mobile numbers of who came (registered residents of the town), or both. Rows are
//! checked like the 补录 form (no date after today, the centre in the importer's scope, the theme
//! from the district's catalogue), and an activity already recorded is refused, so importing the
//! same sheet twice records nothing twice. On confirmation each activity is recorded afterwards and
//! its attendance written in the same transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{AttendanceStatus, Method, rules, store};
use crate::access::{Actor, Permission};
use crate::activities::{self, ActivityInput};
use crate::audit::{self, Entry};
use crate::calendar::Day;
use crate::catalogue;
use crate::db::{Db, Tx};
use crate::error::{Error, Msg, Result};
use crate::imports::{Checked, Column, Importer, Job, RowError, Town, data_rows, map_columns};
use crate::org::{self, Kind};
use crate::people;
use crate::spreadsheet::{Cell, Sheet};

/// Activities already held, with their attendance, from the past-activity template.
pub struct PastActivityImport;

/// A checked row: the activity as the 补录 form takes it, and its attendance.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PastActivity {
    pub activity: ActivityInput,
    pub head_count: Option<i64>,
    /// Residents of the town on the paper sign-in sheet.
    pub attendees: Vec<i64>,
}

impl Importer for PastActivityImport {
    const KIND: &'static str = "past_activities";
    const SHEET: &'static str = "已举办活动";
    const COLUMNS: &'static [Column] = PAST_ACTIVITY_COLUMNS;
    const EXAMPLE: &'static [&'static str] = &[
        "2026-03-08",
        "14:00",
        "16:00",
        "王齐村工作站",
        "家庭教育",
        "庆三八家风家训讲座",
        "32",
        "张秀英 13912345678、李桂兰 13812345678",
        "王齐村党群服务中心二楼",
    ];
    const NOTES: &'static [&'static str] = &[
        "说明:每行一次已经举办的活动(按纸质签到表、照片等记录补录),日期不能晚于今天;时间未填的按 9:00–11:00 记录。",
        "举办单位填镇社区教育学校或学习中心/工作站的名称;主题填本区课程主题目录中的名称。",
        "参加人数填现场人数;参加人员填签到表上的“姓名 手机号”,多人用顿号分隔,须是本镇街已登记的居民(未登记的请先导入居民)。",
    ];
    const PERMISSION: Permission = Permission::ActivitiesAttend;
    type Row = PastActivity;

    async fn check(job: &Job<'_>, sheet: &Sheet) -> Result<Checked<PastActivity>> {
        check_import(job.db, job.actor, job.town, sheet).await
    }

    async fn write(
        job: &Job<'_>,
        tx: &mut Tx,
        rows: &[PastActivity],
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let actor = job.actor;
        write_import(tx, actor, rows, now).await
    }
}

/// The past-activity import's columns.
pub const PAST_ACTIVITY_COLUMNS: &[Column] = &[
    Column::required("date", "日期*", &["日期", "活动日期", "举办日期", "时间"]),
    Column::optional("start_time", "开始时间", &["开始时间", "开始"]),
    Column::optional("end_time", "结束时间", &["结束时间", "结束"]),
    Column::required(
        "owner",
        "举办单位*",
        &["举办单位", "学习中心", "工作站", "学习中心/工作站", "单位"],
    ),
    Column::required("theme", "主题*", &["主题", "课程主题", "活动主题"]),
    Column::required(
        "title",
        "活动名称*",
        &["活动名称", "名称", "课程名称", "活动内容"],
    ),
    Column::optional("head_count", "参加人数", &["参加人数", "人数", "现场人数"]),
    Column::optional(
        "attendees",
        "参加人员",
        &["参加人员", "签到名单", "参加居民"],
    ),
    Column::optional("venue", "地点", &["地点", "活动地点"]),
];

/// The column of the form field an error names.
fn column_of(field: &str) -> &'static str {
    match field {
        "owner_id" => "owner",
        "theme_id" => "theme",
        "date" => "date",
        "start_time" => "start_time",
        "end_time" => "end_time",
        "venue" => "venue",
        _ => "title",
    }
}

/// A time as typed (`9:00`, `9：00`, `14.30`) or as Excel stores it (a fraction of a day).
fn time_text(cell: &Cell, default: &str) -> String {
    match cell {
        Cell::Number(n) if (0.0..1.0).contains(n) => {
            let minutes = (n * 24.0 * 60.0).round() as i64;
            format!("{:02}:{:02}", minutes / 60, minutes % 60)
        }
        c if c.is_empty() => default.to_string(),
        c => {
            let t = people::rules::normalize_digits(&c.text()).replace(['：', '.', '点'], ":");
            match t.split_once(':') {
                Some((h, m)) if !h.is_empty() => {
                    let m = if m.is_empty() { "00" } else { m };
                    format!("{:0>2}:{:0>2}", h.trim(), m.trim())
                }
                _ => t,
            }
        }
    }
}

/// A date cell as the form takes it: a date cell, an Excel serial number, or typed text
/// (2026-03-08, 2026/3/8, 2026年3月8日).
fn date_text(cell: &Cell) -> String {
    let t = cell.date_text();
    people::rules::parse_date_text(&t)
        .map(|d| d.to_string())
        .unwrap_or(t)
}

/// Validates a past-activity sheet for `town`.
async fn check_import(
    db: &Db,
    actor: &Actor,
    town: &Town,
    sheet: &Sheet,
) -> Result<Checked<PastActivity>> {
    let (header_row, cols) = map_columns(sheet, PAST_ACTIVITY_COLUMNS)?;
    let mut owners: HashMap<String, i64> = HashMap::new();
    for kind in [Kind::School, Kind::Centre] {
        for n in org::all_of_kind(db, actor, kind).await? {
            if n.path.starts_with(&town.path) && n.retired_at.is_none() {
                owners.insert(n.name, n.id);
            }
        }
    }
    let district = catalogue::district_of(&town.path).unwrap_or(0);
    let themes: HashMap<String, i64> = catalogue::themes(db, district)
        .await?
        .into_iter()
        .map(|t| (t.name, t.id))
        .collect();
    let today = Day::today();
    let mut valid = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<(i64, String, String, String), usize> = HashMap::new();
    let mut total = 0;
    let mut tx = db.begin_read().await?;
    let cell = |row: &'_ [Cell], f: &str| -> Cell {
        cols.get(f)
            .and_then(|(i, _)| row.get(*i))
            .cloned()
            .unwrap_or(Cell::Empty)
    };
    let head = |f: &str| cols.get(f).map(|(_, h)| h.clone()).unwrap_or_default();
    for (line, row) in data_rows(sheet, header_row) {
        total += 1;
        let before = errors.len();
        let owner_name = cell(row, "owner").text();
        let owner_id = match owners.get(&owner_name) {
            Some(id) => *id,
            None => {
                errors.push(RowError::new(
                    line,
                    &head("owner"),
                    &Msg::new("attendance.import.owner_unknown").arg("name", &owner_name),
                ));
                -1
            }
        };
        let theme_name = cell(row, "theme").text();
        let theme_id = match themes.get(&theme_name) {
            Some(id) => *id,
            None => {
                errors.push(RowError::new(
                    line,
                    &head("theme"),
                    &Msg::new("attendance.import.theme_unknown").arg("name", &theme_name),
                ));
                -1
            }
        };
        let head_count = match cell(row, "head_count").text() {
            t if t.is_empty() => None,
            t => match people::rules::normalize_digits(&t)
                .trim_end_matches('人')
                .parse::<i64>()
            {
                Ok(n) if (0..=rules::MAX_HEAD_COUNT).contains(&n) => Some(n),
                _ => {
                    errors.push(RowError::new(
                        line,
                        &head("head_count"),
                        &Msg::new("attendance.head_count_range").arg("max", rules::MAX_HEAD_COUNT),
                    ));
                    None
                }
            },
        };
        let mut attendees = Vec::new();
        for person in cell(row, "attendees")
            .text()
            .split(['、', ',', '，', ';', '；', '\n'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let digits: String = people::rules::normalize_digits(person)
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            let found = match people::rules::parse_phone(&digits) {
                Ok(phone) => people::id_by_phone(db, town.id, &phone).await?,
                Err(_) => None,
            };
            match found {
                Some(id) if !attendees.contains(&id) => attendees.push(id),
                Some(_) => {}
                None => errors.push(RowError::new(
                    line,
                    &head("attendees"),
                    &Msg::new("attendance.import.attendee_unknown").arg("person", person),
                )),
            }
        }
        if errors.len() > before {
            continue;
        }
        let activity = ActivityInput {
            title: cell(row, "title").text(),
            owner_id,
            theme_id,
            date: date_text(&cell(row, "date")),
            start_time: time_text(&cell(row, "start_time"), "09:00"),
            end_time: time_text(&cell(row, "end_time"), "11:00"),
            venue: Some(cell(row, "venue").text()).filter(|v| !v.is_empty()),
            ..Default::default()
        };
        let key = (
            owner_id,
            activity.date.clone(),
            activity.start_time.clone(),
            activity.title.clone(),
        );
        if let Some(first) = seen.get(&key) {
            errors.push(RowError::new(
                line,
                &head("title"),
                &Msg::new("people.import.duplicate_in_file").arg("row", first),
            ));
            continue;
        }
        match activities::check_held(&mut tx, actor, &activity, today).await {
            Ok(_) => {
                seen.insert(key, line);
                valid.push(PastActivity {
                    activity,
                    head_count,
                    attendees,
                });
            }
            Err(Error::Invalid(fe)) => {
                for (f, m) in fe.0 {
                    errors.push(RowError::new(line, &head(column_of(&f)), &m));
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(Checked {
        rows: valid,
        errors,
        total,
        updates: Vec::new(),
    })
}

/// Records the activities of a confirmed import with their attendance.
async fn write_import(
    tx: &mut Tx,
    actor: &Actor,
    rows: &[PastActivity],
    now: DateTime<Utc>,
) -> Result<usize> {
    let today = Day::today();
    // The roll-ups' keys of every row, recounted once at the end.
    let mut touched = crate::rollups::Touched::default();
    for row in rows {
        let id = match activities::record_held_tx(tx, actor, &row.activity, today).await {
            Ok(id) => id,
            // Recorded by someone else since the check: the whole import is refused.
            Err(Error::Conflict(_) | Error::Invalid(_)) => {
                return Err(Error::Conflict(Msg::new("import.stale")));
            }
            Err(e) => return Err(e),
        };
        if row.head_count.is_some() {
            store::set_head_count(tx, id, row.head_count).await?;
        }
        touched.activity(tx, id, &row.attendees).await?;
        for resident in &row.attendees {
            store::upsert_mark(
                tx,
                id,
                *resident,
                AttendanceStatus::Present.as_str(),
                Method::Sheet.as_str(),
                actor.user_id,
                now,
            )
            .await?;
        }
        if row.head_count.is_some() || !row.attendees.is_empty() {
            let path = org::find_active_tx(tx, row.activity.owner_id)
                .await?
                .map(|n| n.path)
                .unwrap_or_default();
            audit::record(
                tx,
                actor,
                Entry::of(
                    "attendance.recorded_from_sheet",
                    "activity",
                    Some(id),
                    &path,
                )
                .after(json!({"head_count": row.head_count, "residents": row.attendees.len()})),
            )
            .await?;
        }
    }
    crate::rollups::refresh(tx, &touched).await?;
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_dates_come_in_as_clerks_type_them() {
        assert_eq!(time_text(&Cell::Number(0.375), "x"), "09:00");
        assert_eq!(time_text(&Cell::Text("9：30".into()), "x"), "09:30");
        assert_eq!(time_text(&Cell::Text("14.00".into()), "x"), "14:00");
        assert_eq!(time_text(&Cell::Empty, "09:00"), "09:00");
        assert_eq!(date_text(&Cell::Text("2026年3月8日".into())), "2026-03-08");
        assert_eq!(date_text(&Cell::Number(46089.0)), "2026-03-08");
    }
}
