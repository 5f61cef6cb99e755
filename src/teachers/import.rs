//! The teacher import: a plug-in of the import engine (`crate::imports`). A row names its pool (the
//! town school or a centre inside the actor's scope) and the themes it teaches, and is checked like
//! the form; a number twice in a pool, in the file or already there, is refused.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{TeacherInput, TeacherValues, pools, store, validate};
use crate::access::{Actor, Permission};
use crate::catalogue;
use crate::db::{Db, Tx};
use crate::error::{Error, Msg, Result};
use crate::imports::{Checked, Column, Importer, Job, RowError, Town, data_rows, map_columns};
use crate::org::Node;
use crate::spreadsheet::{Cell, Sheet};

/// Teachers of a town's pools, from the teacher template.
pub struct TeacherImport;

impl Importer for TeacherImport {
    const KIND: &'static str = "teachers";
    const SHEET: &'static str = "师资";
    const COLUMNS: &'static [Column] = TEACHER_COLUMNS;
    const EXAMPLE: &'static [&'static str] = &[
        "李建国",
        "男",
        "13912345678",
        "兼职",
        "退休教师",
        "群力镇社区教育学校",
        "文体、卫生",
        "书法",
    ];
    const NOTES: &'static [&'static str] = &[
        "说明:类型填 专职/兼职/志愿者;来源填 专家、技术人员、在职教师、离退休干部、退休教师、离退休技术人员、社会能人、大学生、机关工作人员、社区工作人员。",
        "所属单位填镇社区教育学校或学习中心/工作站的名称;擅长主题用顿号分隔。",
    ];
    const PERMISSION: Permission = Permission::TeachersWrite;
    type Row = TeacherValues;

    async fn check(job: &Job<'_>, sheet: &Sheet) -> Result<Checked<TeacherValues>> {
        check_import(job.db, job.actor, job.town, sheet).await
    }

    async fn write(
        _job: &Job<'_>,
        tx: &mut Tx,
        rows: &[TeacherValues],
        now: DateTime<Utc>,
    ) -> Result<usize> {
        write_import(tx, rows, now).await
    }
}

/// The teacher import's columns.
pub const TEACHER_COLUMNS: &[Column] = &[
    Column::required("name", "姓名*", &["姓名"]),
    Column::optional("gender", "性别", &["性别"]),
    Column::optional(
        "phone",
        "手机号码",
        &["手机号码", "手机号", "手机", "联系电话", "电话"],
    )
    .as_text(),
    Column::required("teacher_type", "类型*", &["类型", "教师类型", "专兼职"]),
    Column::required("source", "来源*", &["来源", "人员来源"]),
    Column::required("pool", "所属单位*", &["所属单位", "所属学习中心", "单位"]),
    Column::optional("themes", "擅长主题", &["擅长主题", "主题", "授课主题"]),
    Column::optional("speciality", "专长", &["专长", "特长"]),
];

/// Validates a teacher sheet for `town`.
async fn check_import(
    db: &Db,
    actor: &Actor,
    town: &Town,
    sheet: &Sheet,
) -> Result<Checked<TeacherValues>> {
    let (header_row, cols) = map_columns(sheet, TEACHER_COLUMNS)?;
    let pools: HashMap<String, Node> = pools(db, actor)
        .await?
        .into_iter()
        .filter(|n| n.path.starts_with(&town.path) && actor.sees(&n.path))
        .map(|n| (n.name.clone(), n))
        .collect();
    let district = catalogue::district_of(&town.path).unwrap_or(0);
    let themes: HashMap<String, i64> = catalogue::themes(db, district)
        .await?
        .into_iter()
        .map(|t| (t.name, t.id))
        .collect();
    let mut valid = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<(i64, String), usize> = HashMap::new();
    let mut total = 0;
    let mut tx = db.begin_read().await?;
    let get = |row: &[Cell], f: &str| {
        cols.get(f)
            .and_then(|(i, _)| row.get(*i))
            .map(Cell::text)
            .unwrap_or_default()
    };
    let head = |f: &str| cols.get(f).map(|(_, h)| h.clone()).unwrap_or_default();
    for (line, row) in data_rows(sheet, header_row) {
        total += 1;
        let before = errors.len();
        let pool_name = get(row, "pool");
        let pool = pools.get(&pool_name);
        if pool.is_none() {
            errors.push(RowError::new(
                line,
                &head("pool"),
                &Msg::new("teachers.import.pool_unknown").arg("name", &pool_name),
            ));
        }
        let mut theme_ids = Vec::new();
        for t in get(row, "themes")
            .split(['、', ',', '，', ';', '；', ' '])
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            match themes.get(t) {
                Some(id) => theme_ids.push(*id),
                None => errors.push(RowError::new(
                    line,
                    &head("themes"),
                    &Msg::new("teachers.import.theme_unknown").arg("name", t),
                )),
            }
        }
        let input = TeacherInput {
            name: get(row, "name"),
            node_id: pool.map(|p| p.id).unwrap_or(-1),
            gender: Some(get(row, "gender")),
            phone: Some(get(row, "phone")),
            teacher_type: get(row, "teacher_type"),
            source: get(row, "source"),
            speciality: Some(get(row, "speciality")),
            theme_ids,
        };
        match validate(&input) {
            Ok(v) => {
                if let (Some(p), Some(pool)) = (&v.phone, pool) {
                    if let Some(first) = seen.get(&(pool.id, p.clone())) {
                        errors.push(RowError::new(
                            line,
                            &head("phone"),
                            &Msg::new("people.import.duplicate_in_file").arg("row", first),
                        ));
                    } else if store::teacher_with_phone(&mut tx, pool.id, p, None).await? {
                        errors.push(RowError::new(
                            line,
                            &head("phone"),
                            &Msg::new("teachers.phone_taken"),
                        ));
                    } else {
                        seen.insert((pool.id, p.clone()), line);
                    }
                }
                if errors.len() == before {
                    valid.push(v);
                }
            }
            Err(fe) => {
                for (f, m) in fe.0 {
                    if f == "node_id" {
                        continue;
                    }
                    errors.push(RowError::new(line, &head(&f), &m));
                }
            }
        }
    }
    Ok(Checked {
        rows: valid,
        errors,
        total,
        updates: Vec::new(),
    })
}

/// Writes the teachers of a confirmed import.
async fn write_import(tx: &mut Tx, rows: &[TeacherValues], now: DateTime<Utc>) -> Result<usize> {
    for v in rows {
        if let Some(p) = &v.phone
            && store::teacher_with_phone(tx, v.node_id, p, None).await?
        {
            return Err(Error::Conflict(Msg::new("import.stale")));
        }
        store::insert(tx, v, now).await?;
    }
    Ok(rows.len())
}
