//! Validation of free text typed into forms: trimmed, bounded in characters (not bytes), no control
//! characters. Full Unicode is kept, so rare characters (𠮷, 㛃) and the name separator `·`
//! round-trip. Also the hexadecimal text that digests, secrets and signatures are stored and
//! compared as.

use crate::error::{FieldErrors, Msg};

/// The longest text each kind of field takes, in characters. The use-cases check these and the
/// forms' `maxlength` names the same constant (`maxlength="{{ crate::text::max::TITLE }}"`), so
/// the browser never lets in what the server refuses.
pub mod max {
    /// A person's, a node's, a teacher's or a theme's name; a member's job title.
    pub const NAME: usize = 50;
    /// An entry of the catalogue's short lists (education formats, target groups).
    pub const SHORT_NAME: usize = 30;
    /// A household (door number or household name).
    pub const HOUSEHOLD: usize = 60;
    /// A building or village group.
    pub const BUILDING: usize = 40;
    /// The title of an activity or a training.
    pub const TITLE: usize = 100;
    /// A survey's question as the resident reads it.
    pub const QUESTION: usize = 200;
    /// A venue, a teacher's speciality, a training's organiser.
    pub const PLACE: usize = 100;
    /// A unit of measure (套, 台, 间).
    pub const UNIT: usize = 10;
    /// A telephone number as typed (digits, spaces, dashes).
    pub const PHONE: usize = 20;
    /// The reason of a return, a cancellation, a refusal or a teacher's leaving.
    pub const REASON: usize = 200;
    /// A theme's lead departments; a schedule row's responsible units.
    pub const DEPARTMENTS: usize = 200;
    /// The months of a schedule row as typed ("1-2月", "全年").
    pub const MONTHS: usize = 20;
    /// A note or a resident's comment.
    pub const NOTE: usize = 500;
    /// A catalogue entry's description.
    pub const DEFINITION: usize = 1000;
    /// An activity's description or summary.
    pub const DESCRIPTION: usize = 2000;
}

fn check(fe: &mut FieldErrors, field: &str, value: &str, max_chars: usize) -> bool {
    if value.chars().count() > max_chars {
        fe.add(field, Msg::new("field.too_long").arg("max", max_chars));
        return false;
    }
    if value.chars().any(|c| c.is_control()) {
        fe.add(field, Msg::new("field.control_chars"));
        return false;
    }
    true
}

/// A whole number typed into a form ("20", "２０", " 3 "), inside `min..=max`; `None` (and the
/// field's message) when it is not. An empty field is `None` without a message.
pub fn whole_number(
    fe: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
    (min, max): (i64, i64),
) -> Option<i64> {
    let v: String = value?
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            c => c,
        })
        .collect();
    if v.is_empty() {
        return None;
    }
    match v.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Some(n),
        _ => {
            fe.add(
                field,
                Msg::new("field.whole_number")
                    .arg("min", min)
                    .arg("max", max),
            );
            None
        }
    }
}

/// A required single-line text: trimmed, 1..=max_chars characters.
pub fn required(fe: &mut FieldErrors, field: &str, value: &str, max_chars: usize) -> String {
    let v = value.trim();
    if v.is_empty() {
        fe.add(field, Msg::new("field.required"));
    } else {
        check(fe, field, v, max_chars);
    }
    v.to_string()
}

/// An optional single-line text: trimmed, empty becomes `None`.
pub fn optional(
    fe: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
    max_chars: usize,
) -> Option<String> {
    let v = value.map(str::trim).filter(|v| !v.is_empty())?;
    check(fe, field, v, max_chars);
    Some(v.to_string())
}

/// An optional multi-line text (newlines and tabs allowed).
pub fn optional_multiline(
    fe: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
    max_chars: usize,
) -> Option<String> {
    let v = value.map(str::trim).filter(|v| !v.is_empty())?;
    if v.chars().count() > max_chars {
        fe.add(field, Msg::new("field.too_long").arg("max", max_chars));
    } else if v
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        fe.add(field, Msg::new("field.control_chars"));
    }
    Some(v.to_string())
}

/// A required multi-line text (newlines and tabs allowed).
pub fn required_multiline(
    fe: &mut FieldErrors,
    field: &str,
    value: &str,
    max_chars: usize,
) -> String {
    match optional_multiline(fe, field, Some(value), max_chars) {
        Some(v) => v,
        None => {
            fe.add(field, Msg::new("field.required"));
            String::new()
        }
    }
}

/// Lower-case hexadecimal of bytes (digests, secrets, signatures), two digits a byte.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

/// A fresh 256-bit secret (hex) that signs a record's codes or keys what is derived from it.
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    hex(&b)
}

/// HMAC-SHA-256 of a message with a secret, its first 16 bytes in hex: a code's signature, or the
/// key a value is known by without keeping it (a phone number, an address).
pub fn mac(secret: &str, message: &str) -> String {
    use hmac::{Hmac, Mac};
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let Ok(mut m) = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    m.update(message.as_bytes());
    let out = m.finalize().into_bytes();
    hex(&out[..16])
}

/// Reads a list filter's choice (a role, a kind) leniently, as the lists always have: blank or
/// unknown text is no choice, so the list is not narrowed by it
/// (`#[serde(default, deserialize_with = "crate::text::lenient")]`).
pub fn lenient<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
{
    let s: Option<String> = serde::Deserialize::deserialize(d)?;
    Ok(s.and_then(|s| s.trim().parse().ok()))
}

/// Text made safe inside an XML element or attribute (SVG charts, Word documents): the five
/// special characters escaped, the control characters XML 1.0 does not allow left out.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_count_characters_and_rare_characters_pass() {
        let mut fe = FieldErrors::default();
        assert_eq!(
            required(&mut fe, "name", "  𠮷㛃·阿依古丽  ", 50),
            "𠮷㛃·阿依古丽"
        );
        assert!(fe.is_empty());
        required(&mut fe, "name", &"群".repeat(51), 50);
        assert_eq!(fe.get("name").unwrap().key, "field.too_long");
    }

    #[test]
    fn empty_and_control_characters_are_refused() {
        let mut fe = FieldErrors::default();
        required(&mut fe, "a", "   ", 10);
        required(&mut fe, "b", "x\u{0}y", 10);
        assert_eq!(fe.get("a").unwrap().key, "field.required");
        assert_eq!(fe.get("b").unwrap().key, "field.control_chars");
        assert_eq!(optional(&mut fe, "c", Some("  "), 10), None);
    }

    #[test]
    fn hex_writes_two_lower_case_digits_a_byte() {
        assert_eq!(hex(&[]), "");
        assert_eq!(hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
        let all: Vec<u8> = (0..=255).collect();
        let expected: String = all.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex(&all), expected);
    }

    /// Every form field limited by the server names its limit: no template writes a number of
    /// its own into `maxlength` (a title once took 110 characters the server refused past 100).
    /// Only fields with their own format rules keep a literal (user names, passwords, head
    /// counts, ID numbers).
    #[test]
    fn forms_take_their_limits_from_one_place() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "html") {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"),
            &mut files,
        );
        let own_format = ["username", "password", "head_count", "id_number"];
        let mut named = 0;
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for tag in text.split('<').filter(|t| t.contains("maxlength=")) {
                if tag.contains("maxlength=\"{{ crate::text::max::") {
                    named += 1;
                    continue;
                }
                assert!(
                    own_format
                        .iter()
                        .any(|n| tag.contains(&format!("name=\"{n}\""))),
                    "{}: a literal limit in <{}",
                    f.display(),
                    tag.lines().next().unwrap_or_default()
                );
            }
        }
        assert!(named >= 30, "{named}");
    }
}
