//! JSONTestSuite (nst/JSONTestSuite `test_parsing`): `y_` accepted, `n_` rejected, `i_` either.
//!
//! Each file is checked twice:
//! - on its own: a valid JSON text without a `Response` member must give `NoResponse` (the
//!   whole text validated), an invalid one any other error;
//! - embedded as the value of a field inside `Response`. Whitespace around a value is allowed
//!   both in a JSON text and around a member value, so the file's bytes are a valid member
//!   value iff the file is a valid JSON text; an empty or whitespace-only file is invalid in
//!   both places. A fragment could in principle complete the surrounding object (`1},"a":{`),
//!   but no file in the suite does: every n_ file is rejected embedded too.

#[path = "support/data.rs"]
mod data;

use tc3::envelope::{parse, ParseErrorKind};

#[test]
fn jsontestsuite() {
    let dir = data::path("corpus/jsontestsuite");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".json")) // not LICENSE
        .collect();
    names.sort();
    let (mut y, mut n, mut i, mut i_accepted) = (0, 0, 0, Vec::new());
    for name in &names {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let own = parse(&bytes);
        let own_valid = matches!(own, Err(e) if e.kind == ParseErrorKind::NoResponse);
        let mut doc = br#"{"Response":{"X":"#.to_vec();
        doc.extend_from_slice(&bytes);
        doc.extend_from_slice(br#","RequestId":"r"}}"#);
        let embedded = parse(&doc);
        if let Ok(env) = embedded {
            assert!(env.request_id.unwrap().eq_str("r"), "{name}");
        }
        assert_eq!(
            embedded.is_ok(),
            own_valid,
            "{name}: own {own:?}, embedded {embedded:?}"
        );
        match &name[..2] {
            "y_" => {
                y += 1;
                assert!(own_valid, "{name}: {own:?}");
            }
            "n_" => {
                n += 1;
                assert!(!own_valid, "{name}");
            }
            "i_" => {
                i += 1;
                if own_valid {
                    i_accepted.push(name.clone());
                }
            }
            _ => panic!("{name}"),
        }
    }
    assert_eq!((y, n, i), (95, 188, 35));
    // Implementation-defined: numbers are validated, not converted (all accepted); lone
    // surrogates, invalid UTF-8, UTF-16 and BOMs are rejected.
    eprintln!("i_ accepted: {i_accepted:?}");
    assert_eq!(i_accepted.len(), 10, "{i_accepted:?}");
    assert!(i_accepted.iter().all(|n| n.starts_with("i_number_")));
}
