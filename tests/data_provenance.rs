//! The test data is what `tests/data/README.md` says it is: every file of its manifest exists
//! with the recorded line count and SHA-256, and every file under `tests/data/` has a row.
//! A missing, truncated or edited file is named here, with what was expected.

#[path = "support/data.rs"]
mod data;

use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::Path;

/// One row of the manifest table: path (relative to `tests/data/`), lines, lower-hex SHA-256.
struct Row {
    path: String,
    lines: usize,
    sha256: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// The rows of the `## Manifest` table of `tests/data/README.md`.
fn manifest() -> Vec<Row> {
    let readme = data::read("README.md");
    let start = readme
        .find("\n## Manifest\n")
        .expect("tests/data/README.md: no `## Manifest` section");
    let section = &readme[start + 1..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |e| e + 3)];
    let mut rows = Vec::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        assert_eq!(
            cells.len(),
            3,
            "tests/data/README.md: bad manifest row {line:?}"
        );
        let unquote = |c: &str| c.trim_matches('`').to_owned();
        rows.push(Row {
            path: unquote(cells[0]),
            lines: cells[1]
                .parse()
                .unwrap_or_else(|_| panic!("tests/data/README.md: bad line count in {line:?}")),
            sha256: unquote(cells[2]),
        });
    }
    rows
}

/// The bytes a row describes: the file, the decompressed content of a `.gz`, or for
/// `dir/*.json` the `sha256sum` listing of the matching files in byte order (with the file
/// count as its "lines").
fn measure(row: &Row) -> (usize, String) {
    if let Some(dir) = row.path.strip_suffix("/*.json") {
        let names = json_files(&data::path(dir));
        let mut listing = String::new();
        for name in &names {
            let p = data::path(&format!("{dir}/{name}"));
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            listing.push_str(&format!("{}  {name}\n", hex(&Sha256::digest(&bytes))));
        }
        return (names.len(), hex(&Sha256::digest(listing.as_bytes())));
    }
    let bytes = match row.path.strip_suffix(".gz") {
        Some(rel) => data::read_gz(rel).into_bytes(),
        None => {
            let p = data::path(&row.path);
            std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        }
    };
    (newlines(&bytes), hex(&Sha256::digest(&bytes)))
}

/// The `*.json` file names of a directory, in byte order (`LC_ALL=C` glob order).
fn json_files(dir: &Path) -> Vec<String> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut names: Vec<String> = entries
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names
}

/// Every file under `dir`, as paths relative to `tests/data/` with `/` separators.
fn walk(dir: &Path, rel: &str, out: &mut BTreeSet<String>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        let rel = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        if entry.file_type().unwrap().is_dir() {
            walk(&entry.path(), &rel, out);
        } else {
            out.insert(rel);
        }
    }
}

#[test]
fn every_manifest_file_has_its_recorded_lines_and_sha256() {
    let rows = manifest();
    assert_eq!(rows.len(), 16, "tests/data/README.md: manifest rows");
    let mut bad = Vec::new();
    for row in &rows {
        let (lines, sha256) = measure(row);
        if (lines, sha256.as_str()) != (row.lines, row.sha256.as_str()) {
            bad.push(format!(
                "tests/data/{}: {lines} lines, sha256 {sha256}; the manifest says {} lines, sha256 {}",
                row.path, row.lines, row.sha256
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "test data differs from tests/data/README.md (regenerate it as described there, \
         or update the manifest):\n{}",
        bad.join("\n")
    );
}

#[test]
fn every_data_file_has_a_manifest_row() {
    let rows = manifest();
    let mut files = BTreeSet::new();
    walk(&data::path(""), "", &mut files);
    files.remove("README.md");
    let covered = |f: &String| {
        rows.iter().any(|r| match r.path.strip_suffix("/*.json") {
            Some(dir) => f
                .strip_prefix(dir)
                .and_then(|n| n.strip_prefix('/'))
                .is_some_and(|n| !n.contains('/') && n.ends_with(".json")),
            None => &r.path == f,
        })
    };
    let missing: Vec<&String> = files.iter().filter(|f| !covered(f)).collect();
    assert!(
        missing.is_empty(),
        "files under tests/data/ without provenance (add them to tests/data/README.md): {missing:?}"
    );
    // and the walk saw exactly the manifest's files, so neither side is vacuous
    let expected: usize = rows
        .iter()
        .map(|r| {
            if r.path.ends_with("/*.json") {
                r.lines
            } else {
                1
            }
        })
        .sum();
    assert_eq!(files.len(), expected, "files under tests/data/");
}
