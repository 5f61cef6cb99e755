//! The shape rules of the organisation tree, as pure functions: which kind of node may sit under
//! which, which subtypes and attributes each kind has, and what a move may not do.

/// Levels of the tree in a materialised path (`/root/district/town/…`).
pub const DISTRICT_LEVEL: usize = 2;
pub const TOWN_LEVEL: usize = 3;

/// The path of the ancestor at `level` (the root is level 1): `/1/2/5/9/` at 3 is `/1/2/5/`.
pub fn ancestor_path(path: &str, level: usize) -> Option<String> {
    let ids: Vec<&str> = path.trim_matches('/').split('/').take(level).collect();
    (ids.len() == level && ids.iter().all(|i| !i.is_empty()))
        .then(|| format!("/{}/", ids.join("/")))
}

/// The path of a node's parent: `/1/2/5/9/` is under `/1/2/5/` (the root is its own).
pub fn parent_path(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    trimmed
        .rfind('/')
        .map_or_else(|| path.to_string(), |i| trimmed[..=i].to_string())
}

/// The id of the ancestor at `level`: `/1/2/5/9/` at 3 is 5.
pub fn ancestor_id(path: &str, level: usize) -> Option<i64> {
    path.trim_matches('/')
        .split('/')
        .nth(level.checked_sub(1)?)?
        .parse()
        .ok()
}

crate::text_enum! {
    /// The kinds of node in the tree (SPEC.md, "The organisation tree"), in display order.
    pub enum Kind {
        /// The platform itself, above the districts.
        Root = "root",
        /// 区: a district and its education bureau / community-education college.
        District = "district",
        /// 镇/街道: a town or street.
        Town = "town",
        /// 社区教育学校/中心: the town's community-education school or centre.
        School = "school",
        /// 领导小组 / 办公室: the leadership group or the office.
        Group = "group",
        /// 部门: a department that leads themes (社保所, 卫生服务中心…).
        Department = "department",
        /// 社区/村: a community or village, with its resident population.
        Community = "community",
        /// 学习中心/工作站: a community's learning centre or work station.
        Centre = "centre",
    }
}

impl Kind {
    /// Sort rank among siblings: the school and groups first, then departments, then communities.
    pub fn rank(self) -> usize {
        Kind::ALL.iter().position(|k| *k == self).unwrap_or(99)
    }

    /// The kinds a node of this kind may be placed under.
    pub fn allowed_parents(self) -> &'static [Kind] {
        match self {
            Kind::Root => &[],
            Kind::District => &[Kind::Root],
            Kind::Town => &[Kind::District],
            Kind::School | Kind::Community | Kind::Department | Kind::Group => &[Kind::Town],
            Kind::Centre => &[Kind::Community],
        }
    }

    /// The kinds that may be created under a node of this kind.
    pub fn allowed_children(self) -> Vec<Kind> {
        Kind::ALL
            .into_iter()
            .filter(|k| k.allowed_parents().contains(&self))
            .collect()
    }

    /// The subtypes a node of this kind chooses from (the first is the default).
    pub fn subtypes(self) -> &'static [&'static str] {
        match self {
            Kind::Town => &["town", "street"],
            Kind::School => &["school", "centre"],
            Kind::Community => &["community", "village"],
            Kind::Centre => &["learning_centre", "work_station"],
            Kind::Group => &["leadership", "office"],
            Kind::Root | Kind::District | Kind::Department => &[],
        }
    }

    /// True when the kind records a resident population (常住人口).
    pub fn has_population(self) -> bool {
        self == Kind::Community
    }

    /// True when the kind has a venue (授课地点/活动室).
    pub fn has_venue(self) -> bool {
        matches!(self, Kind::School | Kind::Centre)
    }

    /// True when the kind has a setup status (Q: all centres set up by 30 June).
    pub fn has_setup_status(self) -> bool {
        self == Kind::Centre
    }

    /// The member roles a node of this kind (and subtype) uses.
    pub fn member_roles(self, subtype: Option<&str>) -> &'static [&'static str] {
        match (self, subtype) {
            (Kind::Group, Some("office")) => &["director", "deputy_director", "member"],
            (Kind::Group, _) => &["leader", "deputy_leader", "member"],
            (Kind::School, _) => &["principal", "deputy_principal", "officer", "member"],
            (Kind::Centre | Kind::Department | Kind::Community, _) => &["head", "member"],
            _ => &["head", "member"],
        }
    }
}

/// Setup status of a learning centre or work station.
pub const SETUP_STATUSES: [&str; 3] = ["planned", "in_progress", "set_up"];

/// Why a move is refused, before any write.
#[derive(Debug, PartialEq, Eq)]
pub enum MoveRefusal {
    /// The new parent is the node itself or lies inside its subtree.
    Cycle,
    /// The node's kind may not sit under the new parent's kind.
    WrongParentKind,
    /// The root and the actor's own scope root stay where they are.
    Immovable,
}

/// Checks a move of the node at `path` (kind `kind`) under `new_parent_path` (kind `parent_kind`).
pub fn check_move(
    kind: Kind,
    path: &str,
    parent_kind: Kind,
    new_parent_path: &str,
) -> Result<(), MoveRefusal> {
    if kind == Kind::Root {
        return Err(MoveRefusal::Immovable);
    }
    if new_parent_path.starts_with(path) {
        return Err(MoveRefusal::Cycle);
    }
    if !kind.allowed_parents().contains(&parent_kind) {
        return Err(MoveRefusal::WrongParentKind);
    }
    Ok(())
}

/// The path of a node with `id` under a parent at `parent_path`.
pub fn child_path(parent_path: &str, id: i64) -> String {
    format!("{parent_path}{id}/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parent_is_the_path_one_level_up() {
        assert_eq!(parent_path("/1/2/5/9/"), "/1/2/5/");
        assert_eq!(parent_path("/1/"), "/");
    }

    #[test]
    fn the_tree_runs_district_town_community_centre() {
        assert_eq!(Kind::Root.allowed_children(), vec![Kind::District]);
        assert_eq!(Kind::District.allowed_children(), vec![Kind::Town]);
        assert_eq!(
            Kind::Town.allowed_children(),
            vec![Kind::School, Kind::Group, Kind::Department, Kind::Community]
        );
        assert_eq!(Kind::Community.allowed_children(), vec![Kind::Centre]);
        assert!(Kind::Centre.allowed_children().is_empty());
    }

    #[test]
    fn a_node_cannot_move_under_itself_or_its_descendants() {
        assert_eq!(
            check_move(Kind::Community, "/1/2/3/7/", Kind::Community, "/1/2/3/7/"),
            Err(MoveRefusal::Cycle)
        );
        assert_eq!(
            check_move(Kind::Town, "/1/2/3/", Kind::Community, "/1/2/3/7/"),
            Err(MoveRefusal::Cycle)
        );
        assert_eq!(
            check_move(Kind::Root, "/1/", Kind::District, "/1/2/"),
            Err(MoveRefusal::Immovable)
        );
    }

    #[test]
    fn a_move_must_respect_the_kind_of_the_new_parent() {
        assert_eq!(
            check_move(Kind::Centre, "/1/2/3/7/9/", Kind::Town, "/1/2/3/"),
            Err(MoveRefusal::WrongParentKind)
        );
        assert_eq!(
            check_move(Kind::Centre, "/1/2/3/7/9/", Kind::Community, "/1/2/3/8/"),
            Ok(())
        );
        // "/1/2/3/70/" must not count as inside "/1/2/3/7/"
        assert_eq!(
            check_move(Kind::Centre, "/1/2/3/7/9/", Kind::Community, "/1/2/3/70/"),
            Ok(())
        );
    }

    #[test]
    fn paths_append_the_id() {
        assert_eq!(child_path("/1/2/", 15), "/1/2/15/");
    }

    #[test]
    fn ancestors_are_read_from_the_path() {
        assert_eq!(
            ancestor_path("/1/2/5/9/", TOWN_LEVEL).as_deref(),
            Some("/1/2/5/")
        );
        assert_eq!(ancestor_path("/1/2/", TOWN_LEVEL), None);
        assert_eq!(ancestor_id("/1/2/5/9/", DISTRICT_LEVEL), Some(2));
        assert_eq!(ancestor_id("/1/", DISTRICT_LEVEL), None);
    }
}
