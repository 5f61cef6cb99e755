//! Validation of free text typed into forms: trimmed, bounded in characters (not bytes), no control
//! characters. Full Unicode is kept, so rare characters (𠮷, 㛃) and the name separator `·`
//! round-trip. Also the hexadecimal text that digests, secrets and signatures are stored and
//! compared as.

use crate::error::{FieldErrors, Msg};

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
}
