//! The imports this deployment offers, in one place: each kind names its concept's plug-in of the
//! import engine (`crate::imports`), and the pages, the API and the command line dispatch through
//! here. Adding an import is a plug-in in its concept and a line in [`Kind`].

use crate::access::{Actor, Permission};
use crate::attendance::import::PastActivityImport;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::imports::{self, Batch, Importer, Town};
use crate::org::{self, Kind as NodeKind};
use crate::people::import::{HouseholdImport, ResidentImport};
use crate::schedule::ScheduleImport;
use crate::spreadsheet::{Sheet, Table};
use crate::teachers::TeacherImport;

/// What a batch imports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Residents,
    Households,
    Teachers,
    /// Activities already held, with their attendance (补录).
    PastActivities,
    /// The rows of a town's annual schedule (配档表), laid out as printed.
    Schedule,
}

impl Kind {
    /// Every kind, in the order the import page offers them.
    pub const ALL: [Kind; 5] = [
        Kind::Residents,
        Kind::Households,
        Kind::Teachers,
        Kind::PastActivities,
        Kind::Schedule,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Residents => ResidentImport::KIND,
            Kind::Households => HouseholdImport::KIND,
            Kind::Teachers => TeacherImport::KIND,
            Kind::PastActivities => PastActivityImport::KIND,
            Kind::Schedule => ScheduleImport::KIND,
        }
    }

    /// Parses a stored or submitted kind.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// True when the actor may import this kind.
    pub fn permitted(self, actor: &Actor) -> bool {
        actor.can(Permission::PeopleImport)
            && actor.can(self.permission())
            && (self != Kind::PastActivities || crate::activities::may_record_afterwards(actor))
    }

    fn permission(self) -> Permission {
        match self {
            Kind::Residents => ResidentImport::PERMISSION,
            Kind::Households => HouseholdImport::PERMISSION,
            Kind::Teachers => TeacherImport::PERMISSION,
            Kind::PastActivities => PastActivityImport::PERMISSION,
            Kind::Schedule => ScheduleImport::PERMISSION,
        }
    }

    /// The template to fill in.
    pub fn template(self) -> Table {
        match self {
            Kind::Residents => imports::template::<ResidentImport>(),
            Kind::Households => imports::template::<HouseholdImport>(),
            Kind::Teachers => imports::template::<TeacherImport>(),
            Kind::PastActivities => imports::template::<PastActivityImport>(),
            Kind::Schedule => imports::template::<ScheduleImport>(),
        }
    }
}

/// The town an import goes into: one the actor sees, or the one the actor's scope lies in.
pub async fn town(db: &Db, actor: &Actor, town_id: i64) -> Result<org::Node> {
    actor.require(Permission::PeopleImport)?;
    let town = org::get_node_unscoped(db, town_id)
        .await?
        .filter(|t| t.kind() == NodeKind::Town && t.retired_at.is_none())
        .ok_or(Error::NotFound)?;
    if actor.sees(&town.path) || actor.scope_path.starts_with(&town.path) {
        Ok(town)
    } else {
        Err(Error::NotFound)
    }
}

fn target(town: &org::Node) -> Town {
    Town {
        id: town.id,
        path: town.path.clone(),
    }
}

/// Checks a sheet of a kind for a town and keeps its pending batch.
pub async fn preview(
    db: &Db,
    actor: &Actor,
    kind: Kind,
    town_id: i64,
    file_name: &str,
    sheet: &Sheet,
) -> Result<Batch> {
    let town = target(&self::town(db, actor, town_id).await?);
    match kind {
        Kind::Residents => {
            imports::preview::<ResidentImport>(db, actor, &town, file_name, sheet).await
        }
        Kind::Households => {
            imports::preview::<HouseholdImport>(db, actor, &town, file_name, sheet).await
        }
        Kind::Teachers => {
            imports::preview::<TeacherImport>(db, actor, &town, file_name, sheet).await
        }
        Kind::PastActivities => {
            imports::preview::<PastActivityImport>(db, actor, &town, file_name, sheet).await
        }
        Kind::Schedule => {
            imports::preview::<ScheduleImport>(db, actor, &town, file_name, sheet).await
        }
    }
}

/// Imports the valid rows of one of the actor's pending batches, all in one transaction.
pub async fn confirm(db: &Db, actor: &Actor, id: i64) -> Result<usize> {
    actor.require(Permission::PeopleImport)?;
    let b = imports::batch(db, actor, id).await?;
    let town = org::get_node_unscoped(db, b.town_id)
        .await?
        .ok_or(Error::NotFound)?;
    let town = target(&town);
    match Kind::parse(&b.kind).ok_or(Error::NotFound)? {
        Kind::Residents => imports::confirm::<ResidentImport>(db, actor, &b, &town).await,
        Kind::Households => imports::confirm::<HouseholdImport>(db, actor, &b, &town).await,
        Kind::Teachers => imports::confirm::<TeacherImport>(db, actor, &b, &town).await,
        Kind::PastActivities => imports::confirm::<PastActivityImport>(db, actor, &b, &town).await,
        Kind::Schedule => imports::confirm::<ScheduleImport>(db, actor, &b, &town).await,
    }
}

/// One of the actor's batches.
pub async fn batch(db: &Db, actor: &Actor, id: i64) -> Result<Batch> {
    actor.require(Permission::PeopleImport)?;
    imports::batch(db, actor, id).await
}

/// Drops one of the actor's pending batches.
pub async fn cancel(db: &Db, actor: &Actor, id: i64) -> Result<()> {
    actor.require(Permission::PeopleImport)?;
    imports::cancel(db, actor, id).await
}
