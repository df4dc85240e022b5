//! The test data of the repository (`tests/data/`, provenance in `tests/data/README.md`).
//!
//! Every reader names the file it could not read, so a missing file is obvious.
#![allow(dead_code)]

use std::io::Read;
use std::path::PathBuf;

/// The path of `tests/data/<rel>`.
pub fn path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

/// The text of `tests/data/<rel>`.
pub fn read(rel: &str) -> String {
    let p = path(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The text of `tests/data/<rel>.gz`, decompressed.
pub fn read_gz(rel: &str) -> String {
    let p = path(&format!("{rel}.gz"));
    let file = std::fs::File::open(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    text
}

/// The tccli response corpus (19,266 JSON lines).
pub fn tccli_corpus() -> String {
    read_gz("corpus/tccli-responses.jsonl")
}
