//! A resident's page: the record (masked unless revealed), attendance, and erasure.

use super::*;
use crate::paths;

#[derive(Template)]
#[template(path = "people/show.html")]
pub(super) struct ShowPage {
    shell: Shell,
    r: ResidentRow,
    community_id: i64,
    household_id: Option<i64>,
    guardian_consent: bool,
    revealed: Option<(String, String)>,
    can_write: bool,
    can_reveal: bool,
    can_erase: bool,
    /// (activity id, when, title, centre, status label)
    enrolments: Vec<(i64, String, String, String, String)>,
    /// Activities attended (or marked), with the resident's rating.
    attended: Vec<AttendedRow>,
}

/// A line of a resident's attendance.
pub struct AttendedRow {
    pub activity_id: i64,
    pub when: String,
    pub title: String,
    pub owner: String,
    pub status: String,
    /// "4 分 · comment", or empty.
    pub rating: String,
}

pub(super) async fn show_page(state: &AppState, cx: &Ctx, id: i64) -> Result<ShowPage> {
    let (actor, lang) = (&cx.actor, cx.lang);
    let r = people::get_resident(&state.db, actor, id).await?;
    let enrolments = crate::attendance::of_resident(&state.db, actor, id)
        .await?
        .into_iter()
        .map(|e| {
            let when = crate::calendar::minute(e.starts_at);
            (
                e.activity_id,
                when,
                e.title,
                e.owner_name,
                i18n::t(lang, &format!("attendance.{}", e.status)).to_string(),
            )
        })
        .collect();
    let attended = crate::attendance::attendance_of_resident(&state.db, actor, id)
        .await?
        .into_iter()
        .map(|x| AttendedRow {
            activity_id: x.activity_id,
            when: crate::calendar::minute(x.starts_at),
            title: x.title,
            owner: x.owner_name,
            status: i18n::t(lang, &format!("attendance.status.{}", x.status)).to_string(),
            rating: match (x.score, x.comment) {
                (Some(s), c) => {
                    let score = i18n::t(lang, "rating.points").replace("{score}", &s.to_string());
                    c.map_or(score.clone(), |c| format!("{score} · {c}"))
                }
                _ => String::new(),
            },
        })
        .collect();
    Ok(ShowPage {
        enrolments,
        attended,
        shell: cx.shell(paths::RESIDENTS),
        r: row(lang, &r),
        community_id: r.community_id,
        household_id: r.household_id,
        guardian_consent: r.guardian_consent,
        revealed: None,
        can_write: actor.can(Permission::PeopleWrite) && !r.erased,
        can_reveal: actor.can(Permission::PeopleReveal) && !r.erased,
        can_erase: actor.can(Permission::PeopleErase) && !r.erased,
    })
}

pub(super) async fn show(State(state): State<AppState>, cx: Ctx, Id(id): Id) -> Result<Response> {
    html(&show_page(&state, &cx, id).await?)
}

#[derive(Deserialize)]
pub(super) struct RevealForm {
    #[serde(default)]
    field: String,
}

/// Shows the page again with one full number (a POST, because the view is recorded).
pub(super) async fn reveal(
    cx: Ctx,
    Id(id): Id,
    Form(actor, f): Form<RevealForm>,
) -> Result<Response> {
    let state = &cx.state;
    let lang = cx.lang;
    let field = match f.field.as_str() {
        "id_number" => PersonalField::IdNumber,
        _ => PersonalField::Phone,
    };
    let value = people::reveal(&state.db, &actor, id, field).await?;
    let mut page = show_page(state, &cx, id).await?;
    let label = if field == PersonalField::Phone {
        "people.phone"
    } else {
        "people.id_number"
    };
    page.revealed = Some((i18n::t(lang, label).to_string(), value.unwrap_or_default()));
    html(&page)
}

#[derive(Deserialize)]
pub(super) struct EraseForm {
    confirm: Option<String>,
}

pub(super) async fn erase(
    cx: Ctx,
    Id(id): Id,
    Form(actor, f): Form<EraseForm>,
) -> Result<Response> {
    let state = &cx.state;
    let lang = cx.lang;
    if f.confirm.as_deref() != Some("1") {
        let mut page = show_page(state, &cx, id).await?;
        page.shell.flash = Some(i18n::t(lang, "people.erase_confirm_needed").to_string());
        return html_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    people::erase_resident(&state.db, &actor, id).await?;
    Ok(see_other(&paths::flashed(&paths::resident(id), "erased")))
}
