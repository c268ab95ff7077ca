//! The use-case layer knows nothing of HTTP: no actix, no `ApiError`, no status codes, no
//! views or DTOs, and no clock of its own (the request's [`Context`] carries the one reading).
//! Checked on the source, so a violation fails here before anyone reviews it.

#![allow(clippy::expect_used)] // a test: a failure to read the source is a failure

use std::path::{Path, PathBuf};

/// What a file under `src/usecases` may not mention, and why.
const FORBIDDEN: &[(&str, &str)] = &[
    ("actix", "HTTP framework"),
    ("ApiError", "the HTTP error type"),
    ("StatusCode", "HTTP status codes"),
    ("HttpResponse", "HTTP responses"),
    ("HttpRequest", "HTTP requests"),
    (
        "utoipa",
        "OpenAPI documentation belongs to the views and DTOs",
    ),
    ("crate::error", "the HTTP error mapping"),
    (
        "crate::handlers",
        "handlers call use cases, not the other way round",
    ),
    (
        "crate::views",
        "views are built from use-case results by handlers",
    ),
    ("crate::request", "the request runner calls use cases"),
    ("crate::idempotency", "idempotency is the runner's"),
    ("crate::auth", "the caller arrives as an Actor"),
    (
        "Utc::now",
        "the clock is read once per request, into Context::now",
    ),
    (".transaction(", "the runner opens the one transaction"),
];

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("readable entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn the_use_case_layer_has_no_http_in_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/usecases");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(files.len() >= 3, "no use-case files found under {root:?}");
    let mut violations = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable file");
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for (word, why) in FORBIDDEN {
                if code.contains(word) {
                    violations.push(format!(
                        "{}:{}: `{word}` ({why})",
                        file.display(),
                        number + 1
                    ));
                }
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

/// The longest a handler may be: extract, call one use case, map.
const MAX_HANDLER_LINES: usize = 30;

#[test]
fn handlers_are_thin_and_never_open_a_transaction() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/handlers");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut violations = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable file");
        let lines: Vec<&str> = text.lines().collect();
        for (number, line) in lines.iter().enumerate() {
            if line.contains(".transaction(") || line.contains("idempotency::run") {
                violations.push(format!(
                    "{}:{}: opens a transaction",
                    file.display(),
                    number + 1
                ));
            }
            if !line.trim_start().starts_with("pub async fn ") {
                continue;
            }
            let mut depth = 0i32;
            let mut opened = false;
            let length = lines[number..]
                .iter()
                .take_while(|l| {
                    let done = opened && depth == 0;
                    depth += l.matches('{').count() as i32 - l.matches('}').count() as i32;
                    opened |= l.contains('{');
                    !done
                })
                .count();
            if length > MAX_HANDLER_LINES {
                violations.push(format!(
                    "{}:{}: a handler of {length} lines",
                    file.display(),
                    number + 1
                ));
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}
