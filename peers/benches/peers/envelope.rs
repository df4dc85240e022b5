//! The `parse` group: `tc3::envelope::parse` against serde_json (`from_slice`; `from_utf8` +
//! `from_str`, which validates the whole document as tc3 does; `RawValue`) and
//! serde-json-core on every envelope document of [`crate::data::envelopes`]; and the parse
//! half of the `scaling` group.

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::data;
use crate::harness::{batch, Case};

#[derive(Deserialize)]
struct SjEnv<'a> {
    #[serde(rename = "Response", borrow)]
    response: SjResp<'a>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct SjResp<'a> {
    #[serde(rename = "RequestId", borrow, default)]
    request_id: Option<&'a str>,
    #[serde(rename = "Error", borrow, default)]
    error: Option<SjErr<'a>>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct SjErr<'a> {
    #[serde(rename = "Code", borrow)]
    code: &'a str,
    #[serde(rename = "Message", borrow, default)]
    message: Option<&'a str>,
}

#[derive(Deserialize)]
struct SjEnvRaw<'a> {
    #[serde(rename = "Response", borrow)]
    response: &'a RawValue,
}

/// The parsers of the `parse` group, in report order.
pub const PARSERS: [&str; 5] = [
    "tc3",
    "serde_json",
    "serde_json_utf8",
    "serde_json_raw",
    "serde_json_core",
];

/// The parse cases and the document names.
pub fn cases() -> (Vec<Case<'static>>, Vec<&'static str>) {
    let (docs, list_name) = data::envelopes();
    println!("2 KB list response: corpus {list_name}");
    let mut cases = Vec::new();
    let mut names = Vec::new();
    for (n, d) in docs {
        let d: &'static [u8] = String::leak(d).as_bytes();
        let e = tc3::envelope::parse(d).unwrap_or_else(|e| panic!("{n}: {e}"));
        let sj: SjEnv<'_> = serde_json::from_slice(d).unwrap_or_else(|e| panic!("{n}: {e}"));
        assert_eq!(
            e.request_id.and_then(|r| r.as_plain()),
            sj.response.request_id,
            "{n}"
        );
        let core = serde_json_core::from_slice::<SjEnv<'_>>(d);
        println!(
            "envelope {n}: {} bytes; serde-json-core {}",
            d.len(),
            match &core {
                Ok(_) => "ok".to_string(),
                Err(e) => format!("FAILS: {e:?}"),
            }
        );
        let len = Some(d.len() as u64);
        cases.push(Case::new(
            "parse",
            format!("{n}/tc3"),
            len,
            batch(move || tc3::envelope::parse(d).expect("parse").request_id),
        ));
        cases.push(Case::new(
            "parse",
            format!("{n}/serde_json"),
            len,
            batch(move || {
                serde_json::from_slice::<SjEnv<'_>>(d)
                    .expect("serde_json")
                    .response
                    .request_id
            }),
        ));
        cases.push(Case::new(
            "parse",
            format!("{n}/serde_json_utf8"),
            len,
            batch(move || {
                // from_slice does not check UTF-8 inside ignored strings; a caller that
                // wants the whole document validated (as tc3 does) pays from_utf8 first.
                let text = std::str::from_utf8(d).expect("utf-8");
                serde_json::from_str::<SjEnv<'_>>(text)
                    .expect("serde_json")
                    .response
                    .request_id
            }),
        ));
        cases.push(Case::new(
            "parse",
            format!("{n}/serde_json_raw"),
            len,
            batch(move || {
                let raw: SjEnvRaw<'_> = serde_json::from_slice(d).expect("serde_json");
                serde_json::from_str::<SjResp<'_>>(raw.response.get())
                    .expect("inner")
                    .request_id
                    .map(|r| r.len())
            }),
        ));
        cases.push(Case::new(
            "parse",
            format!("{n}/serde_json_core"),
            len,
            batch(move || {
                serde_json_core::from_slice::<SjEnv<'_>>(d)
                    .ok()
                    .and_then(|(e, _)| e.response.request_id)
            }),
        ));
        names.push(n);
    }
    (cases, names)
}

/// `envelope::parse` of 64 KiB, 1 MiB and 16 MiB documents (the corpus list repeated).
pub fn scaling() -> Vec<Case<'static>> {
    let (_, list) = data::corpus_list();
    [64usize << 10, 1 << 20, 16 << 20]
        .into_iter()
        .map(|n| {
            let d: &'static [u8] = String::leak(data::repeated_list(&list, n)).as_bytes();
            Case::new(
                "scaling",
                format!("parse/{}KB", n >> 10),
                Some(d.len() as u64),
                batch(move || tc3::envelope::parse(d).expect("parse").body.len()),
            )
        })
        .collect()
}
