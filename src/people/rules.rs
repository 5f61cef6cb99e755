//! Pure rules about residents: Chinese mobile numbers, ID numbers (GB 11643 checksum), masking,
//! tags, genders and the date forms that spreadsheets produce.

use chrono::{Datelike, NaiveDate};

use crate::error::Msg;

/// Full-width digits and letters (as typed with a Chinese input method) become their ASCII forms;
/// spaces and hyphens inside a number are dropped.
pub fn normalize_digits(s: &str) -> String {
    s.trim()
        .chars()
        .filter_map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            'Ｘ' | 'ｘ' => Some('X'),
            '．' => Some('.'),
            '／' => Some('/'),
            ' ' | '-' | '\u{3000}' => None,
            c => Some(c),
        })
        .collect()
}

/// A mainland mobile number: 11 digits starting with 1 and 3–9. Returns the normalised number.
pub fn parse_phone(s: &str) -> Result<String, Msg> {
    let n = normalize_digits(s);
    let n = n
        .strip_prefix("+86")
        .or_else(|| n.strip_prefix("0086"))
        .unwrap_or(&n)
        .to_string();
    let b = n.as_bytes();
    if n.len() == 11
        && b.iter().all(u8::is_ascii_digit)
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
    {
        Ok(n)
    } else {
        Err(Msg::new("people.phone_format"))
    }
}

/// An 18-character resident ID number with a valid birth date and GB 11643 check character.
pub fn parse_id_number(s: &str) -> Result<String, Msg> {
    let n = normalize_digits(s).to_uppercase();
    let b = n.as_bytes();
    if n.len() != 18
        || !b[..17].iter().all(u8::is_ascii_digit)
        || !(b[17].is_ascii_digit() || b[17] == b'X')
    {
        return Err(Msg::new("people.id_format"));
    }
    if id_birth_date(&n).is_none() {
        return Err(Msg::new("people.id_birth_date"));
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = b[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    if CHECK[(sum % 11) as usize] != b[17] {
        return Err(Msg::new("people.id_checksum"));
    }
    Ok(n)
}

/// The gender an ID number holds (GB 11643: the 17th digit is odd for a man, even for a woman).
pub fn id_gender(id: &str) -> Option<&'static str> {
    let d = id.as_bytes().get(16)?;
    d.is_ascii_digit().then(|| {
        if (d - b'0') % 2 == 1 {
            "male"
        } else {
            "female"
        }
    })
}

/// The birth date written inside an ID number.
pub fn id_birth_date(id: &str) -> Option<NaiveDate> {
    let y = id.get(6..10)?.parse().ok()?;
    let m = id.get(10..12)?.parse().ok()?;
    let d = id.get(12..14)?.parse().ok()?;
    NaiveDate::from_ymd_opt(y, m, d).filter(|d| d.year() >= 1900)
}

/// `138****5678`.
pub fn mask_phone(p: &str) -> String {
    if p.len() == 11 && p.is_ascii() {
        format!("{}****{}", &p[..3], &p[7..])
    } else {
        "****".into()
    }
}

/// `5001**********1234`.
pub fn mask_id_number(id: &str) -> String {
    if id.len() == 18 && id.is_ascii() {
        format!("{}{}{}", &id[..4], "*".repeat(10), &id[14..])
    } else {
        "****".into()
    }
}

/// `张*三` for public notices: first and last character kept.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => name.to_string(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

/// The target-group tags of SPEC.md ("People").
pub const TAGS: [&str; 7] = [
    "elderly", "youth", "women", "employee", "farmer", "disabled", "migrant",
];

/// Chinese labels accepted in spreadsheets for each tag (the first is the display label).
pub fn tag_labels(tag: &str) -> &'static [&'static str] {
    match tag {
        "elderly" => &["老年人", "老人", "老年"],
        "youth" => &["青少年", "青年", "少年"],
        "women" => &["妇女", "女性"],
        "employee" => &["企业职工", "职工"],
        "farmer" => &["农民"],
        "disabled" => &["残疾人", "残障人士"],
        "migrant" => &["外来人口", "流动人口", "外来务工人员"],
        _ => &[],
    }
}

/// Parses a tag code or one of its Chinese labels.
pub fn parse_tag(s: &str) -> Option<&'static str> {
    let s = s.trim();
    TAGS.into_iter()
        .find(|t| *t == s || tag_labels(t).contains(&s))
}

/// Splits a tag cell written with any of the separators people use (、 , ， ; ； space).
pub fn parse_tags(s: &str) -> Result<Vec<&'static str>, Msg> {
    let mut out = Vec::new();
    for part in s
        .split(['、', ',', '，', ';', '；', ' ', '/'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match parse_tag(part) {
            Some(t) if !out.contains(&t) => out.push(t),
            Some(_) => {}
            None => return Err(Msg::new("people.tag_unknown").arg("tag", part)),
        }
    }
    Ok(out)
}

/// A resident's tags as the row keeps them for the list (migration 0015: comma-joined in order,
/// none as no value); the triggers write the same from `resident_tags`.
pub fn tag_list<S: AsRef<str>>(tags: &[S]) -> Option<String> {
    let mut t: Vec<&str> = tags.iter().map(AsRef::as_ref).collect();
    t.sort_unstable();
    t.dedup();
    (!t.is_empty()).then(|| t.join(","))
}

/// The tags of a row's list, in order.
pub fn tags_of_list(list: Option<&str>) -> Vec<String> {
    list.map(|l| l.split(',').map(str::to_string).collect())
        .unwrap_or_default()
}

/// `male`/`female` from the code or 男/女.
pub fn parse_gender(s: &str) -> Result<Option<&'static str>, Msg> {
    match s.trim() {
        "" => Ok(None),
        "男" | "male" | "M" | "m" => Ok(Some("male")),
        "女" | "female" | "F" | "f" => Ok(Some("female")),
        _ => Err(Msg::new("people.gender_format")),
    }
}

/// A date typed as 1965-03-12, 1965/3/12, 1965.3.12, 1965年3月12日 or 19650312.
pub fn parse_date_text(s: &str) -> Option<NaiveDate> {
    let s = normalize_digits(s);
    let s = s.trim_end_matches('日');
    let parts: Vec<&str> = s
        .split(['-', '/', '.', '年', '月'])
        .filter(|p| !p.is_empty())
        .collect();
    let (y, m, d) = match parts.as_slice() {
        [y, m, d] => (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?),
        [ymd] if ymd.len() == 8 && ymd.is_ascii() => (
            ymd[..4].parse().ok()?,
            ymd[4..6].parse().ok()?,
            ymd[6..].parse().ok()?,
        ),
        _ => return None,
    };
    NaiveDate::from_ymd_opt(y, m, d)
}

/// A plausible birth date: not in the future, not before 1900.
pub fn check_birth_date(d: NaiveDate, today: NaiveDate) -> Result<NaiveDate, Msg> {
    if d > today || d.year() < 1900 {
        Err(Msg::new("people.birth_date_range"))
    } else {
        Ok(d)
    }
}

/// Age in whole years on `today`.
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> i32 {
    let mut age = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// The smallest string greater than every string starting with `prefix` (for index range scans).
pub fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut next = last as u32 + 1;
        if (0xD800..=0xDFFF).contains(&next) {
            next = 0xE000;
        }
        if let Some(c) = char::from_u32(next) {
            chars.push(c);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_list_is_kept_in_order_and_read_back() {
        assert_eq!(
            tag_list(&["women", "elderly", "women"]),
            Some("elderly,women".into())
        );
        assert_eq!(tag_list::<&str>(&[]), None);
        assert_eq!(tags_of_list(Some("elderly,women")), ["elderly", "women"]);
        assert!(tags_of_list(None).is_empty());
    }

    #[test]
    fn phones_accept_full_width_digits_and_refuse_landlines() {
        assert_eq!(
            parse_phone("１３８１２３４５６７８").unwrap(),
            "13812345678"
        );
        assert_eq!(parse_phone(" 138-1234-5678 ").unwrap(), "13812345678");
        assert_eq!(parse_phone("+8613812345678").unwrap(), "13812345678");
        assert!(parse_phone("023-44512345").is_err());
        assert!(parse_phone("12812345678").is_err());
        assert!(parse_phone("1381234567").is_err());
    }

    #[test]
    fn id_numbers_check_the_gb11643_checksum_and_birth_date() {
        // 11010519491231002X is the standard's own example.
        assert_eq!(
            parse_id_number("11010519491231002x").unwrap(),
            "11010519491231002X"
        );
        assert_eq!(
            parse_id_number("11010519491231002Y").unwrap_err().key,
            "people.id_format"
        );
        assert_eq!(
            parse_id_number("110105194912310021").unwrap_err().key,
            "people.id_checksum"
        );
        assert_eq!(
            parse_id_number("110105194902300023").unwrap_err().key,
            "people.id_birth_date"
        );
        assert_eq!(
            id_birth_date("11010519491231002X"),
            NaiveDate::from_ymd_opt(1949, 12, 31)
        );
    }

    #[test]
    fn masking_keeps_only_the_ends() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_id_number("500101199001011234"), "5001**********1234");
        assert_eq!(id_gender("11010519491231002X"), Some("female"));
        assert_eq!(id_gender("500101199001011234"), Some("male"));
        assert_eq!(mask_name("张三丰"), "张*丰");
        assert_eq!(mask_name("王芳"), "王*");
        assert_eq!(mask_name("阿依古丽·买买提"), "阿******提");
    }

    #[test]
    fn tags_parse_from_chinese_labels_with_any_separator() {
        assert_eq!(
            parse_tags("老年人、残疾人,妇女").unwrap(),
            vec!["elderly", "disabled", "women"]
        );
        assert_eq!(parse_tags("").unwrap(), Vec::<&str>::new());
        assert_eq!(parse_tags("老人；老年人").unwrap(), vec!["elderly"]);
        assert_eq!(parse_tags("学生").unwrap_err().key, "people.tag_unknown");
    }

    #[test]
    fn dates_come_as_text_or_excel_serial_numbers() {
        let d = NaiveDate::from_ymd_opt(1965, 3, 12);
        assert_eq!(parse_date_text("1965-03-12"), d);
        assert_eq!(parse_date_text("1965/3/12"), d);
        assert_eq!(parse_date_text("1965年3月12日"), d);
        assert_eq!(parse_date_text("19650312"), d);
        assert_eq!(parse_date_text("１９６５．３．１２"), d);
        assert_eq!(parse_date_text("1965-02-30"), None);
        // Text that is eight bytes but not eight digits (a name typed into the date) is no date,
        // not a panic.
        assert_eq!(parse_date_text("ab中文"), None);
        assert_eq!(parse_date_text("中文12"), None);
    }

    #[test]
    fn ages_and_prefix_bounds() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 11).unwrap();
        assert_eq!(
            age_on(NaiveDate::from_ymd_opt(1965, 3, 12).unwrap(), today),
            60
        );
        assert_eq!(
            prefix_upper_bound("王").unwrap(),
            "王"
                .chars()
                .map(|c| char::from_u32(c as u32 + 1).unwrap())
                .collect::<String>()
        );
        assert_eq!(prefix_upper_bound("138").unwrap(), "139");
        assert!(check_birth_date(NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(), today).is_err());
    }
}
