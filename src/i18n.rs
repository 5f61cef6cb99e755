//! Chinese by default, English on request. Texts live in `locales/zh-CN.toml` and `locales/en.toml`
//! (embedded at build time, same keys in both, checked by a test); `{name}` in a text is replaced
//! by the message argument of that name.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::error::Msg;

/// The language a page or message is rendered in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// Parses a cookie or form value; anything unknown is Chinese.
    pub fn parse(s: &str) -> Lang {
        if s.eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    /// The value stored in the language cookie and the `lang` attribute.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

fn flatten(prefix: &str, v: &toml::Value, out: &mut HashMap<String, String>) {
    match v {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        toml::Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

fn load(src: &str) -> HashMap<String, String> {
    let value: toml::Value = toml::from_str(src).expect("embedded locale file is valid TOML");
    let mut out = HashMap::new();
    flatten("", &value, &mut out);
    out
}

static ZH: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| load(include_str!("../locales/zh-CN.toml")));
static EN: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| load(include_str!("../locales/en.toml")));

/// The text of a key in a language; a missing key shows itself (and a test keeps that from
/// shipping).
pub fn t(lang: Lang, key: &str) -> &str {
    let map = match lang {
        Lang::Zh => &*ZH,
        Lang::En => &*EN,
    };
    map.get(key).map(String::as_str).unwrap_or(key)
}

/// The text of a key if the language has it (for values that may or may not be a key's tail).
pub fn find(lang: Lang, key: &str) -> Option<&'static str> {
    let map = match lang {
        Lang::Zh => &*ZH,
        Lang::En => &*EN,
    };
    map.get(key).map(String::as_str)
}

/// Renders a message with its arguments.
pub fn render(lang: Lang, msg: &Msg) -> String {
    let mut s = t(lang, msg.key).to_string();
    for (name, value) in &msg.args {
        // An argument may itself be a locale key (a status name): it is shown translated.
        s = s.replace(&format!("{{{name}}}"), t(lang, value));
    }
    s
}

/// Every key of a language (for the completeness test).
pub fn keys(lang: Lang) -> Vec<String> {
    let map = match lang {
        Lang::Zh => &*ZH,
        Lang::En => &*EN,
    };
    let mut k: Vec<String> = map.keys().cloned().collect();
    k.sort();
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let (zh, en) = (keys(Lang::Zh), keys(Lang::En));
        let missing_en: Vec<_> = zh.iter().filter(|k| !en.contains(k)).collect();
        let missing_zh: Vec<_> = en.iter().filter(|k| !zh.contains(k)).collect();
        assert!(
            missing_en.is_empty() && missing_zh.is_empty(),
            "en lacks {missing_en:?}, zh lacks {missing_zh:?}"
        );
    }

    #[test]
    fn messages_are_chinese_by_default_with_arguments_filled_in() {
        let m = Msg::new("org.name_taken").arg("name", "王齐村");
        assert_eq!(
            render(Lang::default(), &m),
            "同一上级下已有名为“王齐村”的节点,请换一个名称"
        );
        assert!(render(Lang::En, &m).contains("王齐村"));
    }

    #[test]
    fn every_message_key_used_in_the_code_exists() {
        // Scans the sources for every key passed to Msg::new so a typo cannot ship as a raw key.
        let mut missing = Vec::new();
        for path in walk(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))) {
            let src = std::fs::read_to_string(&path).unwrap_or_default();
            for part in src.split("Msg::new(\"").skip(1) {
                let key = part.split('"').next().unwrap_or_default();
                if !ZH.contains_key(key) {
                    missing.push(format!("{key} ({})", path.display()));
                }
            }
        }
        assert!(missing.is_empty(), "keys missing from locales: {missing:?}");
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p))
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p)
            }
        }
        out
    }
}
