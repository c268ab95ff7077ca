//! No module of `api` imports a module that imports it back: a newcomer following an import
//! never comes round to where they started. The only exceptions are actix wiring: middleware
//! reads the shared `AppState`, which holds the middleware's own state.

#![allow(clippy::expect_used)] // a test: a failure to read the source is a failure

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Middleware (admission, authentication, metrics, rate limits) and the state that holds it.
const WIRING: &[(&str, &str)] = &[
    ("admission", "state"),
    ("auth", "state"),
    ("metrics", "state"),
    ("rate_limit", "state"),
];

type Module = Vec<String>;

fn modules(dir: &Path, prefix: &[String], found: &mut BTreeMap<Module, String>) {
    for entry in std::fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("readable entry").path();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name")
            .to_string();
        if path.is_dir() {
            let mut inner = prefix.to_vec();
            inner.push(name);
            modules(&path, &inner, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let mut module = prefix.to_vec();
            if !matches!(name.as_str(), "mod" | "lib" | "main") {
                module.push(name);
            }
            let text = std::fs::read_to_string(&path).expect("readable file");
            found.insert(module, text);
        }
    }
}

/// The module a path like `crate::usecases::scoring::assess` lands in: its longest prefix
/// that is a module.
fn owner(path: &[String], known: &BTreeMap<Module, String>) -> Option<Module> {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|prefix| known.contains_key(prefix))
}

/// Every `crate::…`/`super::…` path in `text`, braces expanded one level.
fn paths(module: &Module, text: &str) -> Vec<Vec<String>> {
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = Vec::new();
    for (start, _) in code
        .match_indices("crate::")
        .chain(code.match_indices("super::"))
    {
        let before = code[..start].chars().last();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest: String = code[start..]
            .chars()
            .take_while(|c| {
                c.is_alphanumeric() || matches!(c, '_' | ':' | '{' | '}' | ',' | ' ' | '\n')
            })
            .collect();
        let (head, group) = match rest.split_once('{') {
            Some((head, tail)) => (head, tail.split('}').next().unwrap_or("")),
            None => (rest.as_str(), ""),
        };
        let mut base: Vec<String> = Vec::new();
        let mut segments = head.split("::").map(str::trim).filter(|s| !s.is_empty());
        match segments.next() {
            Some("crate") => {}
            _ => base.extend(module[..module.len().saturating_sub(1)].iter().cloned()),
        }
        for segment in segments {
            let word: String = segment
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if word == "super" {
                base.pop();
            } else if !word.is_empty() {
                base.push(word);
            }
        }
        found.push(base.clone());
        for item in group.split(',') {
            let mut full = base.clone();
            full.extend(
                item.trim()
                    .split("::")
                    .map(|s| s.split_whitespace().next().unwrap_or("").to_string())
                    .filter(|s| !s.is_empty() && s != "self"),
            );
            found.push(full);
        }
    }
    found
}

#[test]
fn no_module_imports_a_module_that_imports_it_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut known = BTreeMap::new();
    modules(&root, &[], &mut known);
    assert!(known.len() > 50, "too few modules found under {root:?}");
    let mut imports: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (module, text) in &known {
        let targets = paths(module, text)
            .iter()
            .filter_map(|p| owner(p, &known))
            .filter(|t| t != module)
            .collect();
        imports.insert(module.clone(), targets);
    }
    let mut cycles = Vec::new();
    for (a, targets) in &imports {
        for b in targets {
            let back = imports.get(b).is_some_and(|t| t.contains(a));
            let (a_name, b_name) = (a.join("::"), b.join("::"));
            let wiring = WIRING
                .iter()
                .any(|(x, y)| (a_name == *x && b_name == *y) || (a_name == *y && b_name == *x));
            if back && a_name < b_name && !wiring {
                cycles.push(format!("{a_name} <-> {b_name}"));
            }
        }
    }
    assert!(cycles.is_empty(), "import circles:\n{}", cycles.join("\n"));
}
