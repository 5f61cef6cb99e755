//! A seeded generator of realistic people for the demo, tests and benchmarks: Chinese names, an
//! age mix, unique mobile numbers, valid ID numbers for some, households and buildings (or village
//! groups), and target-group tags that follow age, gender and whether the community is a village.

use chrono::{Datelike, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::people::ResidentValues;

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
pub(super) const TOWN_SYLLABLES: &[&str] = &[
    "双江", "古溪", "宝龙", "新胜", "太安", "米心", "龙形", "寿桥", "玉溪", "柏梓", "崇龛", "塘坝",
    "别口", "田家", "小渡", "五桂", "卧佛", "上和", "花岩", "桂林", "梓潼", "大佛", "三汇", "西山",
    "东安", "南岭", "北坝", "青石", "白沙", "金龙",
];
pub(super) const VILLAGE_SYLLABLES: &[&str] = &[
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

/// The 6-digit region code of an ID number for a district name (others get a Chongqing code).
pub fn region_code(district: &str) -> &'static str {
    if district.contains("临淄") {
        "370305"
    } else {
        "500223"
    }
}

/// A valid 18-character ID number for a birth date and sequence.
pub fn id_number(region: &str, birth: NaiveDate, seq: u32) -> String {
    let body = format!("{region}{}{:03}", birth.format("%Y%m%d"), seq % 1000);
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

/// Generates `count` residents of one community. `serial` makes phone numbers unique across calls.
pub fn residents(
    g: &mut Generator,
    community_id: i64,
    village: bool,
    region: &str,
    count: usize,
    serial: &mut u64,
    today: NaiveDate,
) -> Vec<ResidentValues> {
    const PREFIX: [&str; 8] = ["135", "138", "139", "151", "158", "177", "186", "189"];
    let mut out = Vec::with_capacity(count);
    let per_household = 3;
    for i in 0..count {
        *serial += 1;
        let female = g.between(0, 1) == 0;
        let age = match g.between(0, 99) {
            0..=14 => g.between(15, 25),
            15..=49 => g.between(26, 59),
            50..=89 => g.between(60, 85),
            _ => g.between(6, 14),
        };
        let has_id = g.between(0, 9) < 3;
        // An ID number must be unique: its birth date and 3-digit sequence come from the serial, so
        // serials below 27 million never repeat one (7919 is coprime to 27,000 days).
        let birth = if has_id {
            let day = (*serial / 1000 % 27_000) * 7919 % 27_000;
            let base = NaiveDate::from_ymd_opt(1940, 1, 1).unwrap_or(today);
            base.checked_add_days(chrono::Days::new(day))
                .unwrap_or(today)
                .min(today)
        } else {
            let (m, d) = (g.between(1, 12) as u32, g.between(1, 28) as u32);
            NaiveDate::from_ymd_opt(today.year() - age as i32, m, d).unwrap_or(today)
        };
        let age = i64::from(crate::people::rules::age_on(birth, today));
        let household_no = i / per_household;
        let (building, household) = if village {
            let group = household_no / 40 + 1;
            (
                format!("{group}组"),
                format!("{group}组{}号", household_no % 40 + 1),
            )
        } else {
            let b = household_no / 24 + 1;
            (
                format!("{b}栋"),
                format!(
                    "{b}栋{}单元{}0{}",
                    household_no % 24 / 8 + 1,
                    household_no % 8 / 2 + 2,
                    household_no % 2 + 1
                ),
            )
        };
        let mut tags = Vec::new();
        if age >= 60 {
            tags.push("elderly".to_string());
        }
        if age <= 18 {
            tags.push("youth".to_string());
        }
        if female && age > 18 && g.between(0, 3) == 0 {
            tags.push("women".to_string());
        }
        if (19..60).contains(&age) {
            if village && g.between(0, 9) < 4 {
                tags.push("farmer".to_string());
            } else if !village && g.between(0, 9) < 3 {
                tags.push("employee".to_string());
            }
        }
        if g.between(0, 49) == 0 {
            tags.push("disabled".to_string());
        }
        if g.between(0, 19) == 0 {
            tags.push("migrant".to_string());
        }
        let has_phone = age >= 16 && g.between(0, 9) < 9;
        let phone = has_phone.then(|| {
            format!(
                "{}{:08}",
                PREFIX[(*serial % 8) as usize],
                *serial % 100_000_000
            )
        });
        let id_number = has_id.then(|| id_number(region, birth, (*serial % 1000) as u32));
        out.push(ResidentValues {
            name: g.person_name(),
            community_id,
            gender: Some(if female { "female" } else { "male" }.to_string()),
            birth_date: Some(birth),
            phone,
            id_number,
            household: Some(household),
            building: Some(building),
            tags,
            guardian_consent: age < 14,
        });
    }
    out
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
    fn generated_residents_pass_validation_and_have_unique_phones() {
        let mut g = Generator::new(3);
        let mut serial = 0;
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let rows = residents(&mut g, 5, true, "500223", 20_000, &mut serial, today);
        let mut phones: Vec<_> = rows.iter().filter_map(|r| r.phone.clone()).collect();
        let n = phones.len();
        phones.sort();
        phones.dedup();
        assert_eq!(phones.len(), n);
        for r in &rows {
            if let Some(p) = &r.phone {
                assert!(crate::people::rules::parse_phone(p).is_ok(), "{p}");
            }
            if let Some(i) = &r.id_number {
                assert!(crate::people::rules::parse_id_number(i).is_ok(), "{i}");
            }
        }
        assert!(rows.iter().any(|r| r.tags.contains(&"elderly".to_string())));
        let mut ids: Vec<_> = rows.iter().filter_map(|r| r.id_number.clone()).collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "ID numbers are unique");
    }
}
