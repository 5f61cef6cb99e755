//! Who may do what, where. Every staff account has one [`Role`] bound to one node of the
//! organisation tree; the role grants [`Permission`]s, the node fixes the scope. A record outside
//! the scope does not exist for the actor (404, never 403). Use-cases call [`Actor::require`] and
//! [`Actor::sees`] first.

use serde::Serialize;

use crate::error::{Error, Msg, Result};

/// The roles of SPEC.md ("Who uses it") plus the separated administrator roles of SECURITY.md (三员).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    SystemAdmin,
    /// 安全管理员: confirms the account changes a system administrator prepares (三员分立).
    SecurityAdmin,
    AuditAdmin,
    DistrictAdmin,
    TownOffice,
    Leadership,
    LeadDepartment,
    CentreHead,
    Teacher,
    Resident,
}

impl std::str::FromStr for Role {
    type Err = ();
    fn from_str(s: &str) -> std::result::Result<Role, ()> {
        Role::parse(s).ok_or(())
    }
}

/// What an actor may do, named `resource:action`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Browse the organisation tree.
    OrgRead,
    /// Edit a node's attributes and members.
    OrgEdit,
    /// Create, move and retire nodes.
    OrgManage,
    /// List staff accounts.
    UsersRead,
    /// Create, disable and reset staff accounts.
    UsersManage,
    /// Confirm or reject the account changes a system administrator prepared (the second person).
    UsersConfirm,
    /// Browse the audit log.
    AuditRead,
    /// List and open residents, households, buildings (numbers masked).
    PeopleRead,
    /// Register and edit residents and households.
    PeopleWrite,
    /// See one resident's full phone or ID number (each view audited).
    PeopleReveal,
    /// Import residents, households and teachers from spreadsheets.
    PeopleImport,
    /// Export lists to xlsx (masked; each export audited).
    PeopleExport,
    /// Erase a resident's personal data on request.
    PeopleErase,
    /// Browse the teacher pool.
    TeachersRead,
    /// Add, edit and retire teachers; record trainings and volunteer hours.
    TeachersWrite,
    /// See the activities of the scope and the month grid.
    ActivitiesRead,
    /// Plan, edit, submit, hold and cancel activities.
    ActivitiesPlan,
    /// Review (approve or return) and publish activities: the town school.
    ActivitiesReview,
    /// Show an activity's check-in code, record attendance and head counts, upload evidence.
    ActivitiesAttend,
    /// Edit the district's catalogue: themes, formats, target groups.
    CatalogueManage,
    /// See the whole annual schedule (配档表) of the towns in scope: plan against done.
    ScheduleRead,
    /// Write the annual schedule: rows, import, copy into next year; mark any row of the town.
    ScheduleManage,
    /// See and mark done the schedule rows naming the account's own unit.
    ScheduleMark,
    /// See the town's funds: budget against the floor, income, expenses, the ledger, the
    /// training register.
    FundsRead,
    /// Book income and expenses, keep the training register.
    FundsWrite,
    /// See the commendation rounds, nominations and results of the scope.
    AwardsRead,
    /// Open a round, review nominations (pass or return), publish the results: the office.
    AwardsManage,
    /// Nominate inside the own scope: a centre head.
    AwardsNominate,
    /// Approve passed nominations: the leadership group.
    AwardsApprove,
    /// Keep the district's dictionary of commendation categories (add, rename, retire).
    AwardsCategories,
    /// See the leadership group's and the office's meetings.
    MeetingsRead,
    /// Record meetings, their minutes, decisions and follow-ups.
    MeetingsWrite,
    /// See the inventories, rooms and gaps of the centres in scope, and the standard list.
    EquipmentRead,
    /// Keep the inventory and rooms of the centres in scope (a centre head: the own centre).
    EquipmentWrite,
    /// Keep the district's standard list of equipment and rooms.
    EquipmentStandard,
    /// See the inspections, rectifications and the year-end assessment of the scope.
    InspectionsRead,
    /// Inspect centres, keep the scoring templates, close or reopen rectifications, set and
    /// compute the year-end assessment: the office.
    InspectionsManage,
    /// Answer a rectification of the own centre with evidence: a centre head.
    InspectionsAnswer,
    /// Approve the year-end assessment, which freezes it: the leadership group.
    AssessmentApprove,
    /// See the surveys of the scope (and those above it that ask its residents) with the answers
    /// collected inside the scope.
    SurveysRead,
    /// Create surveys for a node of the scope, change their period, enter paper questionnaires.
    SurveysWrite,
    /// See the KPIs against their targets of the places in scope, and the dashboards.
    TargetsRead,
    /// Set the district's KPI targets: the district's administrator.
    TargetsManage,
}

impl Permission {
    /// The stable `resource:action` name.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::OrgRead => "org:read",
            Permission::OrgEdit => "org:edit",
            Permission::OrgManage => "org:manage",
            Permission::UsersRead => "users:read",
            Permission::UsersManage => "users:manage",
            Permission::UsersConfirm => "users:confirm",
            Permission::AuditRead => "audit:read",
            Permission::PeopleRead => "people:read",
            Permission::PeopleWrite => "people:write",
            Permission::PeopleReveal => "people:reveal",
            Permission::PeopleImport => "people:import",
            Permission::PeopleExport => "people:export",
            Permission::PeopleErase => "people:erase",
            Permission::TeachersRead => "teachers:read",
            Permission::TeachersWrite => "teachers:write",
            Permission::ActivitiesRead => "activities:read",
            Permission::ActivitiesPlan => "activities:plan",
            Permission::ActivitiesReview => "activities:review",
            Permission::ActivitiesAttend => "activities:attend",
            Permission::CatalogueManage => "catalogue:manage",
            Permission::ScheduleRead => "schedule:read",
            Permission::ScheduleManage => "schedule:manage",
            Permission::ScheduleMark => "schedule:mark",
            Permission::FundsRead => "funds:read",
            Permission::FundsWrite => "funds:write",
            Permission::AwardsRead => "awards:read",
            Permission::AwardsManage => "awards:manage",
            Permission::AwardsNominate => "awards:nominate",
            Permission::AwardsApprove => "awards:approve",
            Permission::AwardsCategories => "awards:categories",
            Permission::MeetingsRead => "meetings:read",
            Permission::MeetingsWrite => "meetings:write",
            Permission::EquipmentRead => "equipment:read",
            Permission::EquipmentWrite => "equipment:write",
            Permission::EquipmentStandard => "equipment:standard",
            Permission::InspectionsRead => "inspections:read",
            Permission::InspectionsManage => "inspections:manage",
            Permission::InspectionsAnswer => "inspections:answer",
            Permission::AssessmentApprove => "assessment:approve",
            Permission::SurveysRead => "surveys:read",
            Permission::SurveysWrite => "surveys:write",
            Permission::TargetsRead => "targets:read",
            Permission::TargetsManage => "targets:manage",
        }
    }
}

impl Role {
    /// Every role, in the order the account form lists them.
    pub const ALL: [Role; 10] = [
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::AuditAdmin,
        Role::DistrictAdmin,
        Role::TownOffice,
        Role::Leadership,
        Role::LeadDepartment,
        Role::CentreHead,
        Role::Teacher,
        Role::Resident,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::SystemAdmin => "system_admin",
            Role::SecurityAdmin => "security_admin",
            Role::AuditAdmin => "audit_admin",
            Role::DistrictAdmin => "district_admin",
            Role::TownOffice => "town_office",
            Role::Leadership => "leadership",
            Role::LeadDepartment => "lead_department",
            Role::CentreHead => "centre_head",
            Role::Teacher => "teacher",
            Role::Resident => "resident",
        }
    }

    /// Parses a stored or submitted role name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The locale key of the role's display name.
    pub fn label_key(self) -> &'static str {
        match self {
            Role::SystemAdmin => "role.system_admin",
            Role::SecurityAdmin => "role.security_admin",
            Role::AuditAdmin => "role.audit_admin",
            Role::DistrictAdmin => "role.district_admin",
            Role::TownOffice => "role.town_office",
            Role::Leadership => "role.leadership",
            Role::LeadDepartment => "role.lead_department",
            Role::CentreHead => "role.centre_head",
            Role::Teacher => "role.teacher",
            Role::Resident => "role.resident",
        }
    }

    /// Default deny: a role has exactly the permissions listed here.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            // 三员: the system admin runs the tree and accounts but cannot read the audit log or
            // residents' data, and any account change that hands out more than its own rights waits
            // for the security admin's confirmation; the audit admin reads the audit log and
            // nothing else changes.
            Role::SystemAdmin => &[OrgRead, OrgEdit, OrgManage, UsersRead, UsersManage],
            Role::SecurityAdmin => &[OrgRead, UsersRead, UsersConfirm],
            Role::AuditAdmin => &[OrgRead, AuditRead],
            // The district compares towns: it reads and exports, it does not keep residents'
            // records.
            Role::DistrictAdmin => &[
                OrgRead,
                OrgEdit,
                OrgManage,
                UsersRead,
                UsersManage,
                AuditRead,
                PeopleRead,
                PeopleExport,
                TeachersRead,
                ActivitiesRead,
                CatalogueManage,
                ScheduleRead,
                FundsRead,
                AwardsRead,
                AwardsCategories,
                MeetingsRead,
                EquipmentRead,
                EquipmentStandard,
                InspectionsRead,
                SurveysRead,
                SurveysWrite,
                TargetsRead,
                TargetsManage,
            ],
            Role::TownOffice => &[
                OrgRead,
                OrgEdit,
                OrgManage,
                UsersRead,
                UsersManage,
                AuditRead,
                PeopleRead,
                PeopleWrite,
                PeopleReveal,
                PeopleImport,
                PeopleExport,
                PeopleErase,
                TeachersRead,
                TeachersWrite,
                ActivitiesRead,
                ActivitiesPlan,
                ActivitiesReview,
                ActivitiesAttend,
                CatalogueManage,
                ScheduleRead,
                ScheduleManage,
                ScheduleMark,
                FundsRead,
                FundsWrite,
                AwardsRead,
                AwardsManage,
                MeetingsRead,
                MeetingsWrite,
                EquipmentRead,
                EquipmentWrite,
                InspectionsRead,
                InspectionsManage,
                SurveysRead,
                SurveysWrite,
                TargetsRead,
            ],
            Role::Leadership => &[
                OrgRead,
                TeachersRead,
                ActivitiesRead,
                ScheduleRead,
                FundsRead,
                AwardsRead,
                AwardsApprove,
                MeetingsRead,
                EquipmentRead,
                InspectionsRead,
                AssessmentApprove,
                SurveysRead,
                TargetsRead,
            ],
            Role::LeadDepartment => &[
                OrgRead,
                TeachersRead,
                ActivitiesRead,
                ActivitiesPlan,
                ScheduleMark,
            ],
            Role::CentreHead => &[
                OrgRead,
                OrgEdit,
                PeopleRead,
                PeopleWrite,
                PeopleReveal,
                PeopleImport,
                PeopleExport,
                TeachersRead,
                TeachersWrite,
                ActivitiesRead,
                ActivitiesPlan,
                ActivitiesAttend,
                ScheduleMark,
                AwardsRead,
                AwardsNominate,
                EquipmentRead,
                EquipmentWrite,
                InspectionsRead,
                InspectionsAnswer,
                SurveysRead,
                SurveysWrite,
                TargetsRead,
            ],
            // A teacher shows the check-in code and takes attendance at the place they teach.
            Role::Teacher => &[ActivitiesRead, ActivitiesAttend],
            Role::Resident => &[],
        }
    }

    /// The kinds of node an account of this role may be bound to.
    pub fn node_kinds(self) -> &'static [&'static str] {
        match self {
            Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin => &["root"],
            Role::DistrictAdmin => &["district"],
            Role::TownOffice | Role::Leadership => &["town"],
            Role::LeadDepartment => &["department"],
            Role::CentreHead => &["centre"],
            Role::Teacher => &["school", "centre"],
            Role::Resident => &["community"],
        }
    }

    /// True when an account change by this role that gives `target` its rights needs a second
    /// administrator (三员分立): the system administrator may not alone hand out rights it does not
    /// hold itself — an audit administrator's log, a town office's residents.
    pub fn needs_second_person(self, target: Role) -> bool {
        self == Role::SystemAdmin
            && target
                .permissions()
                .iter()
                .any(|p| !self.permissions().contains(p))
    }

    /// The roles an account of this role may hand out (inside its own scope).
    pub fn grantable(self) -> &'static [Role] {
        use Role::*;
        match self {
            SystemAdmin => &Role::ALL,
            DistrictAdmin => &[
                DistrictAdmin,
                TownOffice,
                Leadership,
                LeadDepartment,
                CentreHead,
                Teacher,
            ],
            TownOffice => &[TownOffice, Leadership, LeadDepartment, CentreHead, Teacher],
            _ => &[],
        }
    }
}

/// The authenticated person behind a request or a command-line action.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The node the account is bound to.
    pub node_id: i64,
    /// Materialised path of the scope root (`/1/4/`): everything whose path starts with it is
    /// visible.
    pub scope_path: String,
    /// The id of the scope root node.
    pub scope_node_id: i64,
    /// The session's CSRF token (empty for command-line actors and bearer-token API calls).
    pub csrf_token: String,
    /// Hash of the session id (lets logout end exactly this session).
    pub session_hash: Option<String>,
    pub source_ip: Option<String>,
    pub request_id: Option<String>,
}

impl Actor {
    /// The command line acting with full rights (first admin, demo data, imports).
    pub fn command_line() -> Actor {
        Actor {
            user_id: None,
            username: "cli".into(),
            display_name: "命令行".into(),
            role: Role::SystemAdmin,
            node_id: 0,
            scope_path: "/".into(),
            scope_node_id: 0,
            csrf_token: String::new(),
            session_hash: None,
            source_ip: None,
            request_id: None,
        }
    }

    /// The command line acting as a town office of one town (imports, demo data): the town's scope
    /// and permissions, recorded in the audit log as `cli`.
    pub fn command_line_for_town(town_id: i64, town_path: &str) -> Actor {
        Actor {
            role: Role::TownOffice,
            node_id: town_id,
            scope_path: town_path.to_string(),
            scope_node_id: town_id,
            ..Actor::command_line()
        }
    }

    /// A resident acting for themselves without an account (QR check-in, rating), recorded in the
    /// audit log as `resident-self-service` under the activity's place.
    pub fn self_service(
        node_path: &str,
        source_ip: Option<String>,
        request_id: Option<String>,
    ) -> Actor {
        Actor {
            user_id: None,
            username: "resident-self-service".into(),
            display_name: "居民自助".into(),
            role: Role::Resident,
            node_id: 0,
            scope_path: node_path.to_string(),
            scope_node_id: 0,
            csrf_token: String::new(),
            session_hash: None,
            source_ip,
            request_id,
        }
    }

    /// True when the role grants the permission.
    pub fn can(&self, p: Permission) -> bool {
        self.role.permissions().contains(&p)
    }

    /// Refuses with 403 when the role lacks the permission.
    pub fn require(&self, p: Permission) -> Result<()> {
        if self.can(p) {
            Ok(())
        } else {
            Err(Error::Forbidden(
                Msg::new("error.forbidden").arg("permission", p.as_str()),
            ))
        }
    }

    /// True when a record at `path` lies inside this actor's scope.
    pub fn sees(&self, path: &str) -> bool {
        path.starts_with(&self.scope_path)
    }

    /// `Err(NotFound)` unless the path is inside the scope.
    pub fn require_sees(&self, path: &str) -> Result<()> {
        if self.sees(path) {
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }
}

/// Finds the scope root of an account: most roles see their own node's subtree; a centre head sees
/// the community the centre belongs to (its residents live there); leadership and lead departments
/// see their town.
pub fn scope_root(role: Role, node_path: &str) -> String {
    let ids: Vec<&str> = node_path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let keep = match role {
        // root / district / town / community / centre
        Role::CentreHead => ids.len().saturating_sub(1),
        // a department sits directly under its town
        Role::LeadDepartment => ids.len().saturating_sub(1),
        _ => ids.len(),
    };
    if keep == 0 {
        return "/".into();
    }
    format!("/{}/", ids[..keep].join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_centre_head_sees_its_community_and_a_department_its_town() {
        assert_eq!(scope_root(Role::CentreHead, "/1/2/3/4/5/"), "/1/2/3/4/");
        assert_eq!(scope_root(Role::LeadDepartment, "/1/2/3/9/"), "/1/2/3/");
        assert_eq!(scope_root(Role::TownOffice, "/1/2/3/"), "/1/2/3/");
    }

    #[test]
    fn roles_round_trip_and_audit_is_separated_from_system_admin() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert!(
            !Role::SystemAdmin
                .permissions()
                .contains(&Permission::AuditRead)
        );
        assert!(
            Role::AuditAdmin
                .permissions()
                .contains(&Permission::AuditRead)
        );
        assert!(
            !Role::AuditAdmin
                .permissions()
                .contains(&Permission::OrgManage)
        );
        // A teacher takes attendance but never sees residents' records or plans activities.
        assert!(
            Role::Teacher
                .permissions()
                .contains(&Permission::ActivitiesAttend)
        );
        assert!(
            !Role::Teacher
                .permissions()
                .contains(&Permission::PeopleRead)
        );
        assert!(Role::Resident.permissions().is_empty());
    }

    #[test]
    fn scope_is_a_path_prefix_not_a_name_prefix() {
        let mut a = Actor::command_line();
        a.scope_path = "/1/2/".into();
        assert!(a.sees("/1/2/7/"));
        assert!(!a.sees("/1/22/"));
        assert!(matches!(a.require_sees("/1/3/"), Err(Error::NotFound)));
    }
}
