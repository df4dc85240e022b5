//! Differential property tests against serde_json.
//!
//! Oracle: `serde_json::from_slice::<Value>` on the whole document; documents where serde_json
//! stops with "number out of range" (this parser validates numbers without converting them)
//! or at its recursion limit are skipped, since serde_json gives no verdict on the rest. `parse` must succeed iff the
//! oracle accepts the document and its top level is an object whose `Response` member is an
//! object; then `RequestId`, `Error.Code` and `Error.Message` must equal serde_json's lookups.

use proptest::prelude::*;
use serde_json::Value;
use tc3::envelope::parse;

fn ws() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["", "", "", " ", "\n  ", "\t", "\r\n"]).prop_map(str::to_owned)
}

/// A JSON string literal with a random mix of raw characters and escapes.
fn json_string() -> impl Strategy<Value = String> {
    let ch = prop::sample::select(vec![
        'a', 'Z', '0', ' ', '"', '\\', '/', '\n', '\t', '\u{1}', '\u{1f}', '\u{7f}', 'é', '中',
        '😀', '\u{2028}', '\u{ffff}', 'R', 'e', 's', 'p', 'o', 'n',
    ]);
    prop::collection::vec((ch, 0u8..4), 0..12).prop_map(|cs| {
        let mut s = String::from("\"");
        for (c, mode) in cs {
            match (c, mode) {
                ('"', _) => s.push_str("\\\""),
                ('\\', _) => s.push_str("\\\\"),
                ('\n', 0) => s.push_str("\\n"),
                ('\t', 0) => s.push_str("\\t"),
                ('/', 0) => s.push_str("\\/"),
                (c, 1 | 2) | (c @ '\0'..='\u{1f}', _) => {
                    let mut b = [0u16; 2];
                    for u in c.encode_utf16(&mut b) {
                        if mode == 2 {
                            s.push_str(&format!("\\u{u:04X}"));
                        } else {
                            s.push_str(&format!("\\u{u:04x}"));
                        }
                    }
                }
                (c, _) => s.push(c),
            }
        }
        s.push('"');
        s
    })
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "\"Response\"", "\"RequestId\"", "\"Error\"", "\"Code\"", "\"Message\"",
            "\"Re\\u0073ponse\"", "\"Request\\u0049d\"", "\"\\u0045rror\"", "\"Cod\\u0065\"", "\"X\"", "\"\"",
        ])
        .prop_map(str::to_owned),
        1 => json_string(),
    ]
}

fn number() -> impl Strategy<Value = String> {
    "-?(0|[1-9][0-9]{0,20})(\\.[0-9]{1,4})?([eE][+-]?[0-9]{1,2})?"
}

fn value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        number(),
        json_string(),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            (prop::collection::vec((ws(), inner.clone(), ws()), 0..5)).prop_map(|items| {
                let parts: Vec<String> = items
                    .into_iter()
                    .map(|(a, v, b)| format!("{a}{v}{b}"))
                    .collect();
                format!("[{}]", parts.join(","))
            }),
            (prop::collection::vec((ws(), key(), ws(), inner, ws()), 0..5)).prop_map(|items| {
                let parts: Vec<String> = items
                    .into_iter()
                    .map(|(a, k, b, v, c)| format!("{a}{k}{b}:{v}{c}"))
                    .collect();
                format!("{{{}}}", parts.join(","))
            }),
        ]
    })
}

fn object(entries: Vec<(String, String)>, w: &[String]) -> String {
    let mut s = String::from("{");
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let a = &w[i % w.len()];
        s.push_str(&format!("{a}{k}{a}:{a}{v}"));
    }
    s.push_str(&w[0]);
    s.push('}');
    s
}

fn error_value() -> impl Strategy<Value = String> {
    let code = prop_oneof![
        prop::sample::select(vec![
            "\"\"",
            "\"RequestLimitExceeded\"",
            "\"AuthFailure.SignatureFailure\"",
            "1",
            "null"
        ])
        .prop_map(str::to_owned),
        json_string(),
    ];
    prop_oneof![
        1 => Just("null".to_owned()),
        1 => value(),
        4 => (
            prop::option::of(code),
            prop::option::of(json_string()),
            prop::collection::vec((key(), value()), 0..2),
            prop::collection::vec(ws(), 1..3),
            any::<bool>()
        )
            .prop_map(|(c, m, extra, w, rev)| {
                let mut e = extra;
                if let Some(c) = c {
                    e.push(("\"Code\"".into(), c));
                }
                if let Some(m) = m {
                    e.push(("\"Message\"".into(), m));
                }
                if rev {
                    e.reverse();
                }
                object(e, &w)
            }),
    ]
}

fn response() -> impl Strategy<Value = String> {
    (
        prop::option::of(prop_oneof![3 => json_string(), 1 => value()]),
        prop::option::of(error_value()),
        prop::collection::vec((key(), value()), 0..3),
        prop::collection::vec(ws(), 1..3),
        0usize..4,
    )
        .prop_map(|(rid, err, mut extra, w, rot)| {
            if let Some(r) = rid {
                extra.push(("\"RequestId\"".into(), r));
            }
            if let Some(e) = err {
                extra.push(("\"Error\"".into(), e));
            }
            let n = extra.len().max(1);
            extra.rotate_left(rot % n);
            object(extra, &w)
        })
}

fn document() -> impl Strategy<Value = String> {
    (
        prop::option::of(prop_oneof![4 => response(), 1 => value()]),
        prop::collection::vec((key(), value()), 0..3),
        prop::collection::vec(ws(), 1..3),
        0usize..4,
        any::<bool>(),
    )
        .prop_map(|(resp, mut extra, w, rot, escaped)| {
            if let Some(r) = resp {
                let k = if escaped {
                    "\"Re\\u0073ponse\""
                } else {
                    "\"Response\""
                };
                extra.push((k.into(), r));
            }
            let n = extra.len().max(1);
            extra.rotate_left(rot % n);
            format!("{}{}{}", w[0], object(extra, &w), w[w.len() - 1])
        })
}

#[derive(Debug, Clone)]
enum Mutation {
    Replace(usize, u8),
    Insert(usize, u8),
    Delete(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let byte = prop_oneof![
        prop::sample::select(b"{}[],:\"\\u0 eE.-+9\n\x01\xff\xc3".to_vec()),
        any::<u8>()
    ];
    prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(i, b)| Mutation::Replace(i, b)),
        (any::<usize>(), byte).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Delete),
    ]
}

fn check(doc: &[u8]) -> Result<(), TestCaseError> {
    let ours = parse(doc);
    let theirs = serde_json::from_slice::<Value>(doc);
    let v = match theirs {
        Ok(v) => v,
        // serde_json stops at the first out-of-range number (we validate numbers without
        // converting them) or at its recursion limit: no verdict on the rest.
        Err(e)
            if e.to_string().starts_with("number out of range")
                || e.to_string().starts_with("recursion limit exceeded") =>
        {
            return Ok(());
        }
        Err(_) => {
            prop_assert!(
                ours.is_err(),
                "accepted invalid: {:?}",
                String::from_utf8_lossy(doc)
            );
            return Ok(());
        }
    };
    let resp = &v["Response"];
    prop_assert_eq!(
        ours.is_ok(),
        resp.is_object(),
        "{:?} {:?}",
        ours,
        String::from_utf8_lossy(doc)
    );
    let Ok(env) = ours else { return Ok(()) };
    prop_assert_eq!(
        env.request_id.map(|s| s.to_string()),
        resp["RequestId"].as_str().map(str::to_owned)
    );
    let err = &resp["Error"];
    let code = err
        .as_object()
        .and_then(|o| o.get("Code"))
        .and_then(Value::as_str);
    let our_code = env.error_object.map(|e| e.code.to_string());
    prop_assert_eq!(our_code.as_deref(), code);
    let msg = if code.is_some() {
        err["Message"].as_str()
    } else {
        None
    };
    let our_msg = env
        .error_object
        .and_then(|e| e.message)
        .map(|m| m.to_string());
    prop_assert_eq!(our_msg.as_deref(), msg);
    prop_assert_eq!(env.error.is_some(), code.is_some_and(|c| !c.is_empty()));
    prop_assert_eq!(env.error_field.is_some(), !err.is_null());
    let body: Value = serde_json::from_slice(env.body).unwrap();
    prop_assert_eq!(&body, resp);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn generated_documents_agree(doc in document()) {
        check(doc.as_bytes())?;
    }

    #[test]
    fn mutated_documents_agree(doc in document(), muts in prop::collection::vec(mutation(), 1..4)) {
        let mut d = doc.into_bytes();
        for m in muts {
            match m {
                Mutation::Replace(i, b) if !d.is_empty() => { let n = d.len(); d[i % n] = b; }
                Mutation::Insert(i, b) => { let n = d.len() + 1; d.insert(i % n, b); }
                Mutation::Delete(i) if !d.is_empty() => { let n = d.len(); d.remove(i % n); }
                _ => {}
            }
        }
        check(&d)?;
    }

    #[test]
    fn json_str_agrees(s in json_string()) {
        let doc = format!("{{\"Response\":{{\"RequestId\":{s}}}}}");
        let env = parse(doc.as_bytes()).unwrap();
        let id = env.request_id.unwrap();
        let want: String = serde_json::from_str(&s).unwrap();
        prop_assert_eq!(id.to_string(), want.clone());
        prop_assert!(id.eq_str(&want));
        prop_assert_eq!(id.unescaped_len(), want.len());
        let mut buf = vec![0u8; want.len()];
        prop_assert_eq!(id.unescape_into(&mut buf).unwrap(), want.as_str());
        if !want.is_empty() {
            let mut short = vec![0u8; want.len() - 1];
            prop_assert!(id.unescape_into(&mut short).is_err());
        }
    }
}

/// The generators reach every interesting case (so the properties above can fail).
#[test]
fn generator_coverage() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut ok, mut err, mut empty_code, mut rid, mut no_resp, mut escaped_key) =
        (0, 0, 0, 0, 0, 0);
    for _ in 0..2000 {
        let doc = document().new_tree(&mut runner).unwrap().current();
        escaped_key += usize::from(doc.contains("\\u0073ponse"));
        match parse(doc.as_bytes()) {
            Ok(e) => {
                ok += 1;
                err += usize::from(e.error.is_some());
                empty_code += usize::from(e.error_code_empty());
                rid += usize::from(e.request_id.is_some());
            }
            Err(_) => no_resp += 1,
        }
    }
    eprintln!("ok {ok} err {err} empty {empty_code} rid {rid} no_resp {no_resp} esc {escaped_key}");
    for n in [ok, err, empty_code, rid, no_resp, escaped_key] {
        assert!(
            n >= 20,
            "ok {ok} err {err} empty {empty_code} rid {rid} no_resp {no_resp} esc {escaped_key}"
        );
    }
}
