//! The organisation tree of the demo: the two towns of the plans with their schools, leadership
//! groups, offices, lead departments and communities, and generated towns for benchmarks. Every
//! node goes through `org`'s use-cases, so it is validated and audited like a clerk's.

use super::DemoOptions;
use super::generator::{Generator, TOWN_SYLLABLES, VILLAGE_SYLLABLES};
use crate::access::Actor;
use crate::db::Db;
use crate::error::Result;
use crate::org::{self, NewMember, NewNode, Node, NodeInput};

pub(super) struct Builder<'a> {
    pub db: &'a Db,
    pub actor: Actor,
    pub g: Generator,
}

impl Builder<'_> {
    async fn node(
        &mut self,
        parent: &Node,
        kind: &str,
        name: &str,
        f: impl FnOnce(&mut NodeInput),
    ) -> Result<Node> {
        let mut attrs = NodeInput {
            name: name.into(),
            ..Default::default()
        };
        f(&mut attrs);
        org::create_node(
            self.db,
            &self.actor,
            &NewNode {
                parent_id: parent.id,
                kind: kind.into(),
                attrs,
                ..Default::default()
            },
        )
        .await
    }

    async fn member(&mut self, node: &Node, name: &str, role: &str, title: &str) -> Result<()> {
        let input = NewMember {
            name: name.into(),
            role: role.into(),
            title: Some(title.into()),
            phone: None,
        };
        org::add_member(self.db, &self.actor, node.id, &input)
            .await
            .map(|_| ())
    }

    /// A community with its learning centre (or work station) and the centre's head.
    async fn community(
        &mut self,
        town: &Node,
        name: &str,
        village: bool,
        centre: Option<(&str, &str)>,
        population: i64,
    ) -> Result<(Node, String)> {
        let director = self.g.person_name();
        let phone = self.g.landline("023");
        let attrs = NodeInput {
            name: name.into(),
            subtype: Some(if village { "village" } else { "community" }.into()),
            population: Some(population.to_string()),
            phone: Some(phone),
            ..Default::default()
        };
        let centre_input = centre.map(|(cname, subtype)| NodeInput {
            name: cname.into(),
            subtype: Some(subtype.into()),
            venue: Some(format!("{name}党群服务中心{}楼", self.g.between(1, 3))),
            setup_status: Some("set_up".into()),
            setup_date: Some(format!(
                "2020-0{}-{:02}",
                self.g.between(3, 6),
                self.g.between(1, 28)
            )),
            ..Default::default()
        });
        let node = org::create_node(
            self.db,
            &self.actor,
            &NewNode {
                parent_id: town.id,
                kind: "community".into(),
                attrs,
                centre: centre_input,
                centre_head: Some(director.clone()),
            },
        )
        .await?;
        self.member(&node, &director, "head", "社区主任").await?;
        Ok((node, director))
    }
}

/// Tongnan district, Chongqing, and Qunli town (Q plan): (district, town).
pub(super) async fn qunli(b: &mut Builder<'_>, root: &Node) -> Result<(Node, Node)> {
    let tongnan = b
        .node(root, "district", "潼南区", |a| {
            a.note = Some("重庆市潼南区社区教育学院".into())
        })
        .await?;
    let qunli = b
        .node(&tongnan, "town", "群力镇", |a| {
            a.subtype = Some("town".into())
        })
        .await?;
    let school = b
        .node(&qunli, "school", "群力镇社区教育学校", |a| {
            a.subtype = Some("school".into());
            a.venue = Some("群力文化服务中心二楼".into());
        })
        .await?;
    b.member(&school, "莫正清", "principal", "镇人大主席")
        .await?;
    b.member(&school, "周光", "deputy_principal", "文化服务中心主任")
        .await?;
    b.member(&school, "张春林", "officer", "社区教育学校专干")
        .await?;
    let group = b
        .node(
            &qunli,
            "group",
            "群力社区教育工作领导小组",
            |a| a.subtype = Some("leadership".into()),
        )
        .await?;
    b.member(&group, "莫正清", "leader", "镇人大主席").await?;
    b.member(&group, "周光", "deputy_leader", "文化服务中心主任")
        .await?;
    let office = b
        .node(&qunli, "group", "社区教育管理办公室", |a| {
            a.subtype = Some("office".into());
            a.note = Some("设在群力镇文化服务中心".into());
        })
        .await?;
    b.member(&office, "周光", "director", "文化服务中心主任(兼)")
        .await?;
    b.member(&office, "倪应敏", "deputy_director", "办公室副主任")
        .await?;
    b.member(&office, "张春林", "member", "社区教育学校专干")
        .await?;
    for dept in [
        "社保所",
        "文化服务中心",
        "卫生服务中心",
        "食药监所",
        "执法大队",
        "司法所",
        "派出所",
        "党建办",
    ] {
        let d = b.node(&qunli, "department", dept, |_| {}).await?;
        let head = b.g.person_name();
        b.member(&d, &head, "head", &format!("{dept}负责人"))
            .await?;
        b.member(&group, &head, "member", &format!("{dept}负责人"))
            .await?;
    }
    let qunli_communities = [
        ("群力社区", false),
        ("檬子村", true),
        ("双河村", true),
        ("玉峰村", true),
        ("新华村", true),
        ("三元村", true),
        ("飞龙村", true),
        ("锦屏村", true),
    ];
    for (name, village) in qunli_communities {
        let short = name.trim_end_matches('村').trim_end_matches("社区");
        let centre = format!("{short}{}学习中心", if village { "村" } else { "社区" });
        let population = b.g.between(2_600, 6_800);
        let (_, director) = b
            .community(
                &qunli,
                name,
                village,
                Some((&centre, "learning_centre")),
                population,
            )
            .await?;
        b.member(&group, &director, "member", &format!("{name}主任"))
            .await?;
    }
    Ok((tongnan, qunli))
}

/// Linzi district, Shandong, and Qiling street (L plan) with its six work stations: (district,
/// street).
pub(super) async fn qiling(b: &mut Builder<'_>, root: &Node) -> Result<(Node, Node)> {
    let linzi = b
        .node(root, "district", "临淄区", |a| {
            a.note = Some("淄博市临淄区教育和体育局".into())
        })
        .await?;
    let qiling = b
        .node(&linzi, "town", "齐陵街道", |a| {
            a.subtype = Some("street".into())
        })
        .await?;
    let centre = b
        .node(&qiling, "school", "齐陵街道社区教育中心", |a| {
            a.subtype = Some("centre".into());
            a.venue = Some("齐陵街道社区教育中心学校(数字化学习中心、图书阅览室、文体活动室、培训教室、档案资料室)".into());
        })
        .await?;
    let head = b.g.person_name();
    b.member(&centre, &head, "principal", "社区教育中心主任")
        .await?;
    let qiling_group = b
        .node(
            &qiling,
            "group",
            "齐陵街道社区教育工作领导小组",
            |a| a.subtype = Some("leadership".into()),
        )
        .await?;
    let leader = b.g.person_name();
    b.member(&qiling_group, &leader, "leader", "街道党工委副书记")
        .await?;
    for dept in ["齐陵街道办事处", "齐陵街道中心校", "齐陵街道党政办公室"] {
        b.node(&qiling, "department", dept, |_| {}).await?;
    }
    for (name, village) in [
        ("淄水社区", false),
        ("齐家终村", true),
        ("王齐村", true),
        ("东龙池村", true),
        ("薛家村", true),
        ("小交流村", true),
    ] {
        let station = format!("{name}工作站");
        let population = b.g.between(1_200, 5_500);
        b.community(
            &qiling,
            name,
            village,
            Some((&station, "work_station")),
            population,
        )
        .await?;
    }
    Ok((linzi, qiling))
}

/// Generated towns of a district for benchmarks: 8 communities each, population spread to reach
/// the target.
pub(super) async fn generated(
    b: &mut Builder<'_>,
    district: &Node,
    opts: &DemoOptions,
) -> Result<()> {
    if opts.extra_towns > 0 {
        let per_community = (opts.extra_population / (opts.extra_towns as i64 * 8)).max(500);
        for i in 0..opts.extra_towns {
            let base = TOWN_SYLLABLES[i % TOWN_SYLLABLES.len()];
            let name = if i < TOWN_SYLLABLES.len() {
                format!("{base}镇")
            } else {
                format!("{base}{}镇", i / TOWN_SYLLABLES.len() + 1)
            };
            let town = b
                .node(district, "town", &name, |a| a.subtype = Some("town".into()))
                .await?;
            b.node(&town, "school", &format!("{name}社区教育学校"), |a| {
                a.subtype = Some("school".into())
            })
            .await?;
            // Its leadership group and office, as the plans have them (meetings, approvals).
            let group = b
                .node(
                    &town,
                    "group",
                    &format!("{name}社区教育工作领导小组"),
                    |a| a.subtype = Some("leadership".into()),
                )
                .await?;
            for (who, role, title) in [
                ("组长", "leader", "镇长"),
                ("副组长", "deputy_leader", "分管副镇长"),
                ("成员", "member", "文化服务中心主任"),
            ] {
                b.member(&group, &format!("{name}{who}"), role, title)
                    .await?;
            }
            let office = b
                .node(&town, "group", "社区教育管理办公室", |a| {
                    a.subtype = Some("office".into())
                })
                .await?;
            b.member(
                &office,
                &format!("{name}办公室主任"),
                "director",
                "文化服务中心主任",
            )
            .await?;
            b.member(
                &office,
                &format!("{name}专干"),
                "member",
                "社区教育学校专干",
            )
            .await?;
            for j in 0..8 {
                let v = VILLAGE_SYLLABLES[(i * 8 + j) % VILLAGE_SYLLABLES.len()];
                let population =
                    per_community + b.g.between(-(per_community / 5), per_community / 5);
                b.community(
                    &town,
                    &format!("{v}村"),
                    true,
                    Some((&format!("{v}村学习中心"), "learning_centre")),
                    population,
                )
                .await?;
            }
        }
    }
    Ok(())
}
