//! Ratings (评价): residents who attended rate the activity 1–5 with an optional comment.

use super::*;

/// A rating as the resident sends it.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct RatingInput {
    /// The rating link's token.
    #[schema(min_length = 1)]
    pub token: String,
    /// 1 (poor) to 5 (excellent).
    pub score: String,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub comment: Option<String>,
}

/// What the rating page shows.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RatingForm {
    pub activity: PublicActivity,
    pub resident_name: String,
}

pub(super) async fn rating_context(
    desk: &CheckinDesk,
    token: &str,
) -> Result<(std::sync::Arc<DeskActivity>, i64)> {
    let a = desk_activity(desk, token).await?;
    let secret = secret_of(&a)?;
    let resident = rules::verify_rating(token, a.id, secret).map_err(token_error)?;
    if !store::attended(desk.db(), a.id, resident).await? {
        return Err(Error::Conflict(Msg::new("attendance.rating_not_attended")));
    }
    if Utc::now() > a.ends_at + Duration::days(rules::RATING_DAYS) {
        return Err(Error::Conflict(Msg::new("attendance.rating_closed")));
    }
    Ok((a, resident))
}

/// Opens the rating page of a rating link.
pub async fn open_rating(desk: &CheckinDesk, token: &str) -> Result<RatingForm> {
    let (a, resident) = rating_context(desk, token).await?;
    let name = people::resident_name(desk.db(), resident).await?;
    Ok(RatingForm {
        activity: PublicActivity::from(&*a),
        resident_name: mask_name(&name),
    })
}

/// Records (or replaces) a resident's rating of an activity they attended.
pub async fn rate(
    desk: &CheckinDesk,
    input: &RatingInput,
    source_ip: Option<String>,
    request_id: Option<String>,
) -> Result<()> {
    let (a, resident) = rating_context(desk, input.token.trim()).await?;
    let mut fe = crate::error::FieldErrors::default();
    let score = match input.score.trim().parse::<i32>() {
        Ok(n) if (1..=5).contains(&n) => n,
        _ => {
            fe.add("score", Msg::new("attendance.score_range"));
            0
        }
    };
    let comment = crate::text::optional_multiline(
        &mut fe,
        "comment",
        input.comment.as_deref(),
        crate::text::max::NOTE,
    );
    fe.into_result()?;
    let actor = Actor::self_service(&a.owner_path, source_ip, request_id);
    let mut tx = desk.db().begin().await?;
    let (id, replaced) = store::upsert_rating(
        &mut tx,
        a.id,
        resident,
        score,
        comment.as_deref(),
        Utc::now(),
    )
    .await?;
    audit::record(
        &mut tx,
        &actor,
        Entry {
            action: "attendance.rated",
            subject_type: "rating",
            subject_id: Some(id),
            node_path: &a.owner_path,
            before: None,
            // The comment stays out of the audit log (it may name people; an erasure clears it).
            after: Some(
                json!({"activity_id": a.id, "score": score, "replaced": replaced,
                "has_comment": comment.is_some()}),
            ),
            result: "ok",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A rating comment as staff see it (anonymous).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RatingComment {
    pub score: i32,
    pub comment: String,
}

/// How residents rated an activity.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RatingSummary {
    pub count: i64,
    pub average: Option<f64>,
    /// The latest comments, without names.
    pub comments: Vec<RatingComment>,
}

/// The ratings of an activity.
pub async fn ratings(db: &Db, actor: &Actor, activity_id: i64) -> Result<RatingSummary> {
    let a = activities::get(db, actor, activity_id).await?;
    store::rating_summary(db, a.id).await
}
