//! The demo: the two towns of the plans, built through the same use-cases as the pages (so every
//! node is validated and audited), with a seeded generator of realistic Chinese names and
//! populations. It can scale a district up to ~30 towns and ~1 million residents for benchmarks.
//! Nothing here is part of a concept: the demo is a client of the concepts' public use-cases.

mod activities;
mod awards;
mod equipment;
mod funds;
pub mod generator;
#[cfg(feature = "bench")]
pub mod governance;
mod history;
mod inspections;
mod meetings;
mod people;
mod schedule;
mod surveys;
mod towns;

use crate::access::{Actor, Role};
use crate::accounts::{self, NewUser};
use crate::db::Db;
use crate::error::Result;
use crate::org::{self, NodeFilter};
use crate::page::PageRequest;
pub use generator::Generator;
use towns::Builder;

/// The password of every demo account (printed at start; a demo database is for trying cedu out).
pub const DEMO_PASSWORD: &str = "Learn-Together-2026";

/// The demo accounts: (user name, display name, role, name of the node it is bound to).
pub const DEMO_LOGINS: &[(&str, &str, Role, &str)] = &[
    ("sysadmin", "系统管理员", Role::SystemAdmin, "全部地区"),
    ("secadmin", "安全管理员", Role::SecurityAdmin, "全部地区"),
    ("auditor", "审计管理员", Role::AuditAdmin, "全部地区"),
    (
        "tongnan",
        "潼南区社区教育学院",
        Role::DistrictAdmin,
        "潼南区",
    ),
    ("linzi", "临淄区教育和体育局", Role::DistrictAdmin, "临淄区"),
    ("qunli.office", "张春林", Role::TownOffice, "群力镇"),
    ("qunli.leader", "莫正清", Role::Leadership, "群力镇"),
    ("qunli.shebao", "社保所", Role::LeadDepartment, "社保所"),
    (
        "qunli.centre",
        "群力社区学习中心负责人",
        Role::CentreHead,
        "群力社区学习中心",
    ),
    (
        "qunli.teacher",
        "群力镇专职教师",
        Role::Teacher,
        "群力镇社区教育学校",
    ),
    (
        "qiling.office",
        "齐陵街道社区教育中心",
        Role::TownOffice,
        "齐陵街道",
    ),
    (
        "wangqi",
        "王齐村工作站负责人",
        Role::CentreHead,
        "王齐村工作站",
    ),
    (
        "xuejia",
        "薛家村工作站负责人",
        Role::CentreHead,
        "薛家村工作站",
    ),
];

/// How much demo to generate.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    pub seed: u64,
    /// Extra generated towns in Tongnan district (benchmarks: 28 gives a district of ~30 towns).
    pub extra_towns: usize,
    /// Total resident population to aim for across the generated towns' communities (each generated
    /// community also gets that many registered residents).
    pub extra_population: i64,
    /// Registered residents generated in each community of the two towns of the plans.
    pub residents_per_community: usize,
}

impl Default for DemoOptions {
    fn default() -> DemoOptions {
        DemoOptions {
            seed: 2020,
            extra_towns: 0,
            extra_population: 0,
            residents_per_community: 120,
        }
    }
}

/// Loads the demo into an empty database; does nothing when districts already exist (a second
/// start).
pub async fn load_if_empty(db: &Db, opts: &DemoOptions) -> Result<bool> {
    let actor = Actor::command_line();
    let existing = org::list_nodes(
        db,
        &actor,
        &NodeFilter {
            kind: Some(org::Kind::District),
            ..Default::default()
        },
        PageRequest::new(None, Some(1)),
    )
    .await?;
    if existing.total > 0 {
        return Ok(false);
    }
    load(db, opts).await?;
    Ok(true)
}

/// Builds the demo tree, members and accounts.
pub async fn load(db: &Db, opts: &DemoOptions) -> Result<()> {
    let root = org::ensure_root(db).await?;
    let mut b = Builder {
        db,
        actor: Actor::command_line(),
        g: Generator::new(opts.seed),
    };
    let (tongnan, qunli) = towns::qunli(&mut b, &root).await?;
    let (linzi, qiling) = towns::qiling(&mut b, &root).await?;
    if opts.extra_towns > 0 {
        towns::generated(&mut b, &tongnan, opts).await?;
    }

    // The catalogue's themes, residents and the teacher pools.
    people::people_and_teachers(db, &mut b.g, &tongnan, &qunli, opts).await?;
    people::people_and_teachers(db, &mut b.g, &linzi, &qiling, opts).await?;
    if opts.extra_towns > 0 {
        let towns = org::list_nodes(
            db,
            &b.actor,
            &NodeFilter {
                kind: Some(org::Kind::Town),
                ..Default::default()
            },
            PageRequest::new(None, Some(200)),
        )
        .await?;
        let mut serial = 50_000_000;
        for town in towns
            .items
            .iter()
            .filter(|t| t.path.starts_with(&tongnan.path) && t.id != qunli.id)
        {
            people::generated_residents(db, &mut b.g, town, "500223", None, &mut serial).await?;
        }
    }

    // The catalogue's formats and target groups, and next month's first plans.
    for d in [&tongnan, &linzi] {
        crate::catalogue::seed_dictionaries(db, d.id).await?;
    }
    history::year_so_far(db, &mut b.g, &qunli).await?;
    history::year_so_far(db, &mut b.g, &qiling).await?;
    activities::next_month(db, &mut b.g, &qunli).await?;
    activities::next_month(db, &mut b.g, &qiling).await?;
    schedule::qiling(db, &qiling).await?;
    schedule::qunli(db, &qunli).await?;
    funds::load(db, &qunli, &qiling).await?;
    awards::load(db, &qunli).await?;
    meetings::load(db, &qunli).await?;
    surveys::load(db, &mut b.g, &[&qunli, &qiling]).await?;
    equipment::load(db, &tongnan, &linzi, &qunli, &qiling).await?;
    inspections::load(db, (&tongnan, &linzi), &qunli, &qiling).await?;

    // One login per role.
    for (username, display, role, node_name) in DEMO_LOGINS {
        let filter = NodeFilter {
            q: Some((*node_name).into()),
            ..Default::default()
        };
        let nodes =
            org::list_nodes(db, &b.actor, &filter, PageRequest::new(None, Some(50))).await?;
        let Some(node) = nodes
            .items
            .iter()
            .find(|n| n.name == *node_name && role.node_kinds().contains(&n.kind.as_str()))
        else {
            continue;
        };
        let input = NewUser {
            username: (*username).into(),
            display_name: (*display).into(),
            role: role.as_str().into(),
            node_id: node.id,
            password: DEMO_PASSWORD.into(),
        };
        accounts::create_user(db, &b.actor, &input, accounts::SecurityProfile::Standard).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_password_passes_the_policy_for_every_demo_login() {
        for (u, ..) in DEMO_LOGINS {
            assert!(
                crate::accounts::check_password_policy(
                    DEMO_PASSWORD,
                    u,
                    crate::accounts::SecurityProfile::Standard
                )
                .is_ok(),
                "{u}"
            );
        }
    }
}
