//! Recording an activity already held (补录): a town that adopts cedu in October enters January to
//! September from its paper records. Such an activity starts as held — no review, no 15-day
//! notice — and stays marked as recorded afterwards in lists, the grid and the audit log; its
//! attendance and evidence follow on its attendance page, and it is documented like any other.

use super::*;

/// True when the actor may record held activities: who plans and takes attendance (the town
/// school's office and centre heads; a lead department takes no attendance).
pub fn may_record_afterwards(actor: &Actor) -> bool {
    actor.can(Permission::ActivitiesPlan) && actor.can(Permission::ActivitiesAttend)
}

fn require_recorder(actor: &Actor) -> Result<()> {
    actor.require(Permission::ActivitiesPlan)?;
    actor.require(Permission::ActivitiesAttend)
}

/// Records one held activity; it is returned as stored.
pub async fn record_held(db: &Db, actor: &Actor, input: &ActivityInput) -> Result<Activity> {
    let mut tx = db.begin().await?;
    let id = record_held_tx(&mut tx, actor, input, Day::today()).await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// Checks a held activity as [`record_held`] would, writing nothing (the past-activity import's
/// row check); its owner and start. An activity of the same title, owner and start already stored
/// is refused: importing the same sheet twice records nothing twice.
pub async fn check_held(
    tx: &mut Tx,
    actor: &Actor,
    input: &ActivityInput,
    today: Day,
) -> Result<(Node, DateTime<Utc>)> {
    require_recorder(actor)?;
    let (mut v, _) = validate(input, today.0, Timing::Afterwards).map_err(Error::Invalid)?;
    let owner = check_references(tx, actor, &mut v).await?;
    if store::same_activity_exists(tx, v.owner_id, v.starts_at, &v.title).await? {
        return Err(Error::invalid(
            "title",
            Msg::new("activities.already_recorded"),
        ));
    }
    Ok((owner, v.starts_at))
}

/// Records a held activity inside a transaction (the import writes its attendance in the same
/// one); its id.
pub async fn record_held_tx(
    tx: &mut Tx,
    actor: &Actor,
    input: &ActivityInput,
    today: Day,
) -> Result<i64> {
    require_recorder(actor)?;
    let (mut v, _) = validate(input, today.0, Timing::Afterwards).map_err(Error::Invalid)?;
    let owner = check_references(tx, actor, &mut v).await?;
    if store::same_activity_exists(tx, v.owner_id, v.starts_at, &v.title).await? {
        return Err(Error::Conflict(Msg::new("activities.already_recorded")));
    }
    book_room(tx, &mut v, &owner, None).await?;
    let town_id = town_of(&owner.path).unwrap_or(0);
    // The unique index catches the same record entered by another clerk in the same second.
    let id = store::insert(
        tx,
        town_id,
        &v,
        None,
        Status::Held,
        actor.user_id,
        Utc::now(),
    )
    .await
    .map_err(|e| match e {
        Error::Conflict(_) => Error::Conflict(Msg::new("activities.already_recorded")),
        e => e,
    })?;
    audit::record(
        tx,
        actor,
        Entry::of("activities.recorded_afterwards", "activity", Some(id), &owner.path).after(json!({ "title": v.title, "owner_id": v.owner_id, "starts_at": v.starts_at, "status": Status::Held.as_str(), "recorded_afterwards": true, })),
    )
    .await?;
    Ok(id)
}
