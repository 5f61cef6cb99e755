//! The module map of `docs/ARCHITECTURE.md`, held by reading `src/`: which top-level module names
//! which (`crate::x` anywhere in its files), no circle between them, platform modules naming no
//! concept, and no concept naming the composition layer (demo, bench, web, app, importers).
//! Files over 700 lines are refused too: a newcomer finds a use-case by its file's name.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Shared machinery: knows nothing of any business concept.
const PLATFORM: &[&str] = &[
    "access",
    "attachments",
    "audit",
    "calendar",
    "charts",
    "db",
    "documents",
    "error",
    "i18n",
    "imports",
    "page",
    "paths",
    "reports",
    "rollups",
    "spreadsheet",
    "text",
    "workflow",
];

/// Business concepts of SPEC.md.
const CONCEPTS: &[&str] = &[
    "accounts",
    "activities",
    "attendance",
    "catalogue",
    "commendation",
    "equipment",
    "evidence",
    "funding",
    "inspections",
    "meetings",
    "org",
    "people",
    "schedule",
    "statistics",
    "surveys",
    "targets",
    "teachers",
    "venues",
];

/// What puts the concepts together; only it may name them all.
const COMPOSITION: &[&str] = &[
    "app",
    "backup",
    "bench",
    "config",
    "demo",
    "importers",
    "web",
    "workbench",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`people/store.rs` → `people`).
fn module_of(file: &Path) -> String {
    let rel = file.strip_prefix(src()).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// The top-level modules a text names: `crate::x…` and each name of `crate::{x, y::…}`.
fn named_modules(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level names of a braced group: split at depth 0.
            let mut depth = 0;
            let mut start = 0;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        out.insert(ident(group[start..j].trim()));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.insert(ident(group[start..j].trim()));
                        start = j + 1;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out.retain(|m| !m.is_empty());
    // `crate::on_db!`, `crate::args!`, `crate::lite_record!` and their kin are exported at the
    // root but live in `db`.
    out.into_iter()
        .map(|m| match m.as_str() {
            "on_db" | "on_tx" | "on_conn" | "text_enum" | "args" | "lite_record" => {
                "db".to_string()
            }
            _ => m,
        })
        .collect()
}

/// Every top-level module and the others it names.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files {
        let m = module_of(&f);
        if m == "lib" || m == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        let uses = g.entry(m.clone()).or_default();
        uses.extend(named_modules(&text).into_iter().filter(|u| *u != m));
    }
    g
}

#[test]
fn every_module_has_a_layer() {
    let unknown: Vec<String> = graph()
        .into_keys()
        .filter(|m| {
            ![PLATFORM, CONCEPTS, COMPOSITION]
                .iter()
                .any(|l| l.contains(&m.as_str()))
        })
        .collect();
    assert!(
        unknown.is_empty(),
        "place these modules in a layer here and in docs/ARCHITECTURE.md: {unknown:?}"
    );
}

#[test]
fn platform_modules_name_no_concept_and_concepts_name_no_composition() {
    let mut wrong = Vec::new();
    for (m, uses) in graph() {
        for u in uses {
            let platform_names_upward =
                PLATFORM.contains(&m.as_str()) && !PLATFORM.contains(&u.as_str());
            let concept_names_composition =
                CONCEPTS.contains(&m.as_str()) && COMPOSITION.contains(&u.as_str());
            if platform_names_upward || concept_names_composition {
                wrong.push(format!("{m} → {u}"));
            }
        }
    }
    assert!(wrong.is_empty(), "layer rules broken: {wrong:?}");
}

#[test]
fn no_circle_between_modules() {
    let g = graph();
    // Depth-first search for a back edge, reporting the circle it closes.
    fn visit(
        m: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        circles: &mut Vec<String>,
    ) {
        if let Some(at) = stack.iter().position(|s| s == m) {
            let mut c = stack[at..].to_vec();
            c.push(m.to_string());
            circles.push(c.join(" → "));
            return;
        }
        if !done.insert(m.to_string()) {
            return;
        }
        stack.push(m.to_string());
        for u in g.get(m).into_iter().flatten() {
            visit(u, g, stack, done, circles);
        }
        stack.pop();
    }
    let mut circles = Vec::new();
    let mut done = BTreeSet::new();
    for m in g.keys() {
        visit(m, &g, &mut Vec::new(), &mut done, &mut circles);
    }
    assert!(
        circles.is_empty(),
        "modules name each other in a circle: {circles:?}"
    );
}

#[test]
fn no_file_of_src_is_over_700_lines() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).unwrap().lines().count();
            (n > 700).then(|| format!("{} ({n})", f.strip_prefix(src()).unwrap().display()))
        })
        .collect();
    long.sort();
    assert!(long.is_empty(), "split these by sub-concept: {long:?}");
}

#[test]
fn the_reader_of_names_sees_groups_and_paths() {
    let text = "use crate::{access::{Actor, Role}, db::Db};\nlet x = crate::people::find(a);";
    let got: Vec<String> = named_modules(text).into_iter().collect();
    assert_eq!(got, ["access", "db", "people"]);
}
