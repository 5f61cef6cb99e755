//! The demo: the two towns of the plans, built through the same use-cases as the pages (so every
//! node is validated and audited), with a seeded generator of realistic Chinese names and
//! populations. It can scale a district up to ~30 towns and ~1 million residents for benchmarks.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::access::{Actor, Role};
use crate::accounts;
use crate::accounts::NewUser;
use crate::db::Db;
use crate::error::Result;
use crate::org::{self, NewMember, NewNode, Node, NodeFilter, NodeInput};
use crate::page::PageRequest;
use crate::people::import::ResidentImport;

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

const SURNAMES: &[char] = &[
    '王', '李', '张', '刘', '陈', '杨', '黄', '赵', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭',
    '何', '林', '罗', '高', '郑', '梁', '谢', '宋', '唐', '许', '韩', '冯', '邓', '曹', '彭', '曾',
    '肖', '田', '董', '潘', '袁', '蔡', '蒋', '余', '杜', '叶', '程', '魏', '苏', '吕', '丁', '任',
    '卢', '姚', '沈', '钟', '姜', '崔', '谭', '陆', '范', '汪', '廖', '石',
];
const GIVEN: &[char] = &[
    '伟', '芳', '娜', '秀', '英', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟',
    '涛', '明', '超', '霞', '平', '刚', '桂', '兰', '玉', '华', '建', '国', '红', '梅', '德', '文',
    '志', '春', '海', '云', '成', '福', '光', '凤', '琴', '珍', '荣', '兵', '林', '波', '斌', '宇',
    '浩', '婷', '欣', '雪', '慧', '晓', '鹏', '辉', '琳', '萍', '燕', '倩',
];
const TOWN_SYLLABLES: &[&str] = &[
    "双江", "古溪", "宝龙", "新胜", "太安", "米心", "龙形", "寿桥", "玉溪", "柏梓", "崇龛", "塘坝",
    "别口", "田家", "小渡", "五桂", "卧佛", "上和", "花岩", "桂林", "梓潼", "大佛", "三汇", "西山",
    "东安", "南岭", "北坝", "青石", "白沙", "金龙",
];
const VILLAGE_SYLLABLES: &[&str] = &[
    "石桥", "龙井", "团结", "红星", "和平", "高峰", "太平", "长春", "新民", "永兴", "三合", "白果",
    "青龙", "凤凰", "黄桷", "柳树", "檬子", "玉泉", "双河", "兴隆", "光明", "金星", "万寿", "桥亭",
];

/// A seeded generator of names and numbers.
pub struct Generator {
    rng: StdRng,
}

impl Generator {
    /// Same seed, same data.
    pub fn new(seed: u64) -> Generator {
        Generator {
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// A realistic two- or three-character Chinese name.
    pub fn person_name(&mut self) -> String {
        let mut s = String::new();
        s.push(SURNAMES[self.rng.gen_range(0..SURNAMES.len())]);
        let len = if self.rng.gen_bool(0.7) { 2 } else { 1 };
        for _ in 0..len {
            s.push(GIVEN[self.rng.gen_range(0..GIVEN.len())]);
        }
        s
    }

    /// A number in a range.
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        self.rng.gen_range(lo..=hi)
    }

    /// A landline of a district office (023 for Chongqing).
    pub fn landline(&mut self, area: &str) -> String {
        format!("{area}-{}", self.rng.gen_range(44_000_000..46_000_000))
    }
}

struct Builder<'a> {
    db: &'a Db,
    actor: Actor,
    g: Generator,
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

    // Tongnan district, Chongqing: Qunli town (Q plan).
    let tongnan = b
        .node(&root, "district", "潼南区", |a| {
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

    // Linzi district, Shandong: Qiling street (L plan) and its six work stations.
    let linzi = b
        .node(&root, "district", "临淄区", |a| {
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

    // Generated towns for benchmarks: 8 communities each, population spread to reach the target.
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
                .node(&tongnan, "town", &name, |a| a.subtype = Some("town".into()))
                .await?;
            b.node(&town, "school", &format!("{name}社区教育学校"), |a| {
                a.subtype = Some("school".into())
            })
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

    // The catalogue's themes, residents and the teacher pools.
    people_and_teachers(db, &mut b.g, &tongnan, &qunli, opts).await?;
    people_and_teachers(db, &mut b.g, &linzi, &qiling, opts).await?;
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
            generated_residents(db, &mut b.g, town, "500223", None, &mut serial).await?;
        }
    }

    // The catalogue's formats and target groups, and next month's first plans.
    for d in [&tongnan, &linzi] {
        crate::catalogue::seed_dictionaries(db, d.id).await?;
    }
    demo_activities(db, &mut b.g, &qunli).await?;
    demo_activities(db, &mut b.g, &qiling).await?;

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

/// Themes of Q's five "into the community" themes (潼南) or L's programme lines (临淄).
const QUNLI_THEMES: &[(&str, &str, &str)] = &[
    (
        "科技(实用技术)",
        "社保所",
        "技能培训、科普讲座、农业实用技术、国防安全知识、招聘会",
    ),
    (
        "文体",
        "文化服务中心",
        "送电影进社区,书画、摄影、广场舞、交谊舞、乐器等文体教学",
    ),
    (
        "卫生",
        "卫生服务中心、食药监所",
        "健康养生讲座、义诊、食药品安全、家庭护理培训",
    ),
    (
        "法律",
        "执法大队、司法所、派出所",
        "法律知识培训,消防、安全生产知识宣传,居规民约",
    ),
    (
        "思想道德",
        "党建办、文化服务中心",
        "文明礼仪、党员教育、梦想课堂、道德讲堂、中华魂读书活动",
    ),
];
const QILING_THEMES: &[(&str, &str, &str)] = &[
    (
        "老年教育",
        "齐陵街道社区教育中心",
        "健康保健、休闲娱乐、老有所为",
    ),
    (
        "青少年校外教育",
        "齐陵街道中心校",
        "文明、爱国、法律主题的暑期活动,课后服务",
    ),
    ("家庭教育", "齐陵街道中心校", "家长学校、科学育儿、家风家训"),
    (
        "乡村记忆与民俗技艺",
        "齐陵街道社区教育中心",
        "剪纸、版画、沥粉,村史馆与齐文化",
    ),
    (
        "职业技能培训",
        "齐陵街道办事处",
        "企业职工岗位培训,农林牧业从业人员培训",
    ),
    (
        "社会主义核心价值观教育",
        "齐陵街道党政办公室",
        "核心价值观宣讲与践行",
    ),
    (
        "特殊人群教育",
        "齐陵街道社区教育中心",
        "妇女、残疾人、外来人口等专门教育",
    ),
];

/// Residents of every community of a town, then the town's and the centres' teacher pools.
async fn people_and_teachers(
    db: &Db,
    g: &mut Generator,
    district: &Node,
    town: &Node,
    opts: &DemoOptions,
) -> Result<()> {
    let themes = if district.name.contains("临淄") {
        QILING_THEMES
    } else {
        QUNLI_THEMES
    };
    let existing = crate::catalogue::themes(db, district.id).await?;
    if existing.is_empty() {
        for (name, lead, description) in themes {
            crate::catalogue::add_theme(db, district.id, name, Some(lead), Some(description))
                .await?;
        }
    }
    let theme_ids: Vec<i64> = crate::catalogue::themes(db, district.id)
        .await?
        .iter()
        .map(|t| t.id)
        .collect();
    let region = crate::people::generate::region_code(&district.name);
    let mut serial: u64 = if district.name.contains("临淄") {
        20_000_000
    } else {
        10_000_000
    };
    generated_residents(
        db,
        g,
        town,
        region,
        Some(opts.residents_per_community),
        &mut serial,
    )
    .await?;

    let office = Actor::command_line_for_town(town.id, &town.path);
    let pools = crate::teachers::pools(db, &office).await?;
    let sources = crate::teachers::SOURCES;
    let specialities = [
        "书法",
        "广场舞",
        "农业实用技术",
        "家庭护理",
        "法律咨询",
        "剪纸",
        "摄影",
        "太极拳",
        "电脑入门",
        "家风家训",
    ];
    for pool in pools.iter().filter(|p| p.path.starts_with(&town.path)) {
        let count = if pool.kind == "school" { 6 } else { 2 };
        for i in 0..count {
            let ty = match (pool.kind.as_str(), i) {
                ("school", 0) => "full_time",
                (_, i) if i % 3 == 2 => "volunteer",
                _ => "part_time",
            };
            let source = if ty == "volunteer" {
                [
                    "retired_teacher",
                    "retired_cadre",
                    "university_student",
                    "capable_local",
                ][g.between(0, 3) as usize]
            } else {
                sources[g.between(0, sources.len() as i64 - 1) as usize]
            };
            let first = theme_ids[g.between(0, theme_ids.len() as i64 - 1) as usize];
            let input = crate::teachers::TeacherInput {
                name: g.person_name(),
                node_id: pool.id,
                gender: Some(
                    if g.between(0, 1) == 0 {
                        "female"
                    } else {
                        "male"
                    }
                    .into(),
                ),
                phone: Some(format!("137{:08}", 30_000_000 + pool.id * 10 + i as i64)),
                teacher_type: ty.into(),
                source: source.into(),
                speciality: Some(
                    specialities[g.between(0, specialities.len() as i64 - 1) as usize].into(),
                ),
                theme_ids: vec![first],
            };
            let t = crate::teachers::create_teacher(db, &office, &input).await?;
            let training = crate::teachers::TimeEntry {
                date: "2020-05-16".into(),
                title: "社区教育管理人员与专兼职教师培训".into(),
                organiser: Some(format!("{}社区教育学院", district.name)),
                hours: "3".into(),
            };
            crate::teachers::add_training(db, &office, t.id, &training).await?;
            if ty == "volunteer" {
                for (date, title, hours) in [
                    ("2020-09-26", "庆祝中华人民共和国成立71周年", "2.5"),
                    ("2020-12-30", "庆元旦·迎新春文艺汇演", "3"),
                ] {
                    let e = crate::teachers::TimeEntry {
                        date: date.into(),
                        title: title.into(),
                        organiser: None,
                        hours: hours.into(),
                    };
                    crate::teachers::add_service(db, &office, t.id, &e).await?;
                }
            }
        }
    }
    Ok(())
}

/// Next month's plans of every centre of a town: two each, one approved, one waiting for review.
async fn demo_activities(db: &Db, g: &mut Generator, town: &Node) -> Result<()> {
    use chrono::Datelike;
    let office = Actor::command_line_for_town(town.id, &town.path);
    let district = crate::catalogue::district_of(&town.path).unwrap_or(0);
    let themes = crate::catalogue::themes(db, district).await?;
    let formats = crate::catalogue::formats(db, district).await?;
    let today = crate::calendar::Day::today().0;
    let next = if today.month() == 12 {
        (today.year() + 1, 1)
    } else {
        (today.year(), today.month() + 1)
    };
    let titles = [
        "健康养生知识讲座",
        "广场舞教学",
        "法律知识进社区",
        "农业实用技术培训",
        "文明礼仪讲堂",
        "剪纸技艺培训",
        "家庭教育沙龙",
        "消防安全知识宣传",
    ];
    let pools = crate::teachers::pools(db, &office).await?;
    for (i, pool) in pools.iter().filter(|p| p.kind == "centre").enumerate() {
        for k in 0..2 {
            let day = chrono::NaiveDate::from_ymd_opt(
                next.0,
                next.1,
                (6 + k * 10 + (i % 5) as u32).min(28),
            )
            .unwrap_or(today);
            let input = crate::activities::ActivityInput {
                title: titles[g.between(0, titles.len() as i64 - 1) as usize].into(),
                owner_id: pool.id,
                theme_id: themes[g.between(0, themes.len() as i64 - 1) as usize].id,
                format_id: formats.first().map(|f| f.id),
                date: day.to_string(),
                start_time: "09:00".into(),
                end_time: "10:30".into(),
                capacity: Some("40".into()),
                featured: k == 0 && i % 3 == 0,
                ..Default::default()
            };
            let planned = crate::activities::plan(db, &office, &input).await?;
            for a in planned {
                crate::activities::transition(
                    db,
                    &office,
                    a.id,
                    crate::activities::Transition::Submit,
                    None,
                )
                .await?;
                if k == 0 {
                    crate::activities::transition(
                        db,
                        &office,
                        a.id,
                        crate::activities::Transition::Approve,
                        None,
                    )
                    .await?;
                }
            }
        }
    }
    Ok(())
}

/// Registered residents of every community of a town: `per_community`, or each community's
/// population.
async fn generated_residents(
    db: &Db,
    g: &mut Generator,
    town: &Node,
    region: &str,
    per_community: Option<usize>,
    serial: &mut u64,
) -> Result<()> {
    let office = Actor::command_line_for_town(town.id, &town.path);
    let today = crate::calendar::Day::today().0;
    let communities = org::list_nodes(
        db,
        &office,
        &NodeFilter {
            kind: Some(org::Kind::Community),
            ..Default::default()
        },
        PageRequest::new(None, Some(200)),
    )
    .await?;
    for c in communities.items {
        let n = per_community.unwrap_or(c.population.unwrap_or(0).max(0) as usize);
        let village = c.subtype.as_deref() == Some("village");
        let rows = crate::people::generate::residents(g, c.id, village, region, n, serial, today);
        let target = crate::imports::Town {
            id: town.id,
            path: town.path.clone(),
        };
        for chunk in rows.chunks(20_000) {
            crate::imports::write_checked::<ResidentImport>(db, &office, &target, chunk).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_seeded_and_names_look_chinese() {
        let (mut a, mut b) = (Generator::new(7), Generator::new(7));
        let names: Vec<String> = (0..20).map(|_| a.person_name()).collect();
        assert_eq!(names, (0..20).map(|_| b.person_name()).collect::<Vec<_>>());
        assert!(names.iter().all(|n| (2..=3).contains(&n.chars().count())));
        assert!(
            names
                .iter()
                .all(|n| SURNAMES.contains(&n.chars().next().unwrap()))
        );
    }

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
