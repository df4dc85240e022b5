//! Bad input to the legacy signer and the flatteners: typed errors, never a panic.

use tc3::params;
use tc3::v1::{self, KeyRule};
use tc3::{Error, Field, Reason, SecretKey};

fn key() -> SecretKey {
    SecretKey::new("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE").unwrap()
}

fn sign(pairs: &mut [(&str, &str)]) -> Result<v1::LegacySignature, Error> {
    v1::sign(&v1::Request::get("cvm.tencentcloudapi.com"), pairs, &key())
}

const BASE: [(&str, &str); 3] = [("Action", "A"), ("Nonce", "1"), ("Timestamp", "1465185768")];

#[test]
fn missing_nonce_or_timestamp() {
    let mut p = [("Action", "A"), ("Timestamp", "1")];
    assert_eq!(
        sign(&mut p).unwrap_err(),
        Error::new(Field::Nonce, Reason::Missing)
    );
    let mut p = [("Action", "A"), ("Nonce", "1")];
    assert_eq!(
        sign(&mut p).unwrap_err(),
        Error::new(Field::Timestamp, Reason::Missing)
    );
    let mut p = [("Nonce", "x1"), ("Timestamp", "1")];
    assert_eq!(
        sign(&mut p).unwrap_err(),
        Error::new(Field::Nonce, Reason::Malformed)
    );
    let mut p = [("Nonce", "1"), ("Timestamp", "")];
    assert_eq!(
        sign(&mut p).unwrap_err(),
        Error::new(Field::Timestamp, Reason::Malformed)
    );
}

#[test]
fn reserved_and_empty_names() {
    for bad in ["A=B", "A&B", "=", "&"] {
        let mut p = [BASE[0], BASE[1], BASE[2], (bad, "v")];
        assert_eq!(
            sign(&mut p).unwrap_err(),
            Error::new(Field::ParamName, Reason::Reserved),
            "{bad}"
        );
    }
    let mut p = [BASE[0], BASE[1], BASE[2], ("", "v")];
    assert_eq!(
        sign(&mut p).unwrap_err(),
        Error::new(Field::ParamName, Reason::Empty)
    );
    // a Signature param must not be signed
    let mut p = [BASE[0], BASE[1], BASE[2], ("Signature", "x")];
    assert_eq!(
        sign(&mut p).unwrap_err(),
        Error::new(Field::ParamName, Reason::Reserved)
    );
    // values may contain anything
    let mut p = [BASE[0], BASE[1], BASE[2], ("V", "a=b&c")];
    assert!(sign(&mut p).is_ok());
}

#[test]
fn duplicates_and_bad_method() {
    let mut p = [BASE[0], BASE[1], BASE[2], ("Action", "B")];
    assert_eq!(
        sign(&mut p).unwrap_err(),
        Error::new(Field::ParamName, Reason::Duplicate)
    );
    let mut p = [BASE[0], BASE[1], BASE[2], ("SignatureMethod", "HmacSHA512")];
    assert_eq!(
        sign(&mut p).unwrap_err(),
        Error::new(Field::ParamValue, Reason::Malformed)
    );
    // sign_sorted insists on sorted input
    let p = [("B", "1"), ("A", "2")];
    let e = v1::Request::get("h")
        .with_rule(KeyRule::Raw)
        .sign_sorted(&p, &key(), v1::SignatureMethod::HmacSha1)
        .unwrap_err();
    assert_eq!(e, Error::new(Field::ParamName, Reason::Malformed));
    let mut p = BASE;
    assert_eq!(
        v1::sign(
            &v1::Request::get("h")
                .with_path("no-slash")
                .with_rule(KeyRule::Raw),
            &mut p,
            &key()
        )
        .unwrap_err()
        .field,
        Field::Uri
    );
    assert_eq!(
        v1::sign(
            &v1::Request::get("h")
                .with_method("GE T")
                .with_rule(KeyRule::Raw),
            &mut p,
            &key()
        )
        .unwrap_err()
        .field,
        Field::Method
    );
}

#[test]
fn duplicates_after_flattening() {
    let json = br#"{"A.0":1,"A":[2]}"#;
    let mut arena = [0u8; 64];
    let mut pairs: heapless::Vec<(&str, &str), 8> = heapless::Vec::new();
    params::flatten_json(json, &mut arena, &mut pairs).unwrap();
    pairs.extend_from_slice(&BASE).unwrap();
    assert_eq!(
        sign(&mut pairs).unwrap_err(),
        Error::new(Field::ParamName, Reason::Duplicate)
    );
    #[cfg(feature = "serde_json")]
    {
        let v: serde_json::Value = serde_json::from_slice(json).unwrap();
        assert_eq!(
            params::flatten(&v).unwrap_err(),
            Error::new(Field::ParamName, Reason::Duplicate)
        );
    }
}

#[test]
fn capacity_exceeded() {
    // the pair collection
    let json = br#"{"A":1,"B":2,"C":3}"#;
    let mut arena = [0u8; 64];
    let mut pairs: heapless::Vec<(&str, &str), 2> = heapless::Vec::new();
    assert_eq!(
        params::flatten_json(json, &mut arena, &mut pairs).unwrap_err(),
        Error::capacity()
    );
    let mut slots = [("", ""); 2];
    let mut p = params::Params::new(&mut slots);
    let mut arena = [0u8; 64];
    assert_eq!(
        params::flatten_json(json, &mut arena, &mut p).unwrap_err(),
        Error::capacity()
    );
    // the arena
    let mut arena = [0u8; 2];
    let mut pairs: heapless::Vec<(&str, &str), 8> = heapless::Vec::new();
    assert_eq!(
        params::flatten_json(json, &mut arena, &mut pairs).unwrap_err(),
        Error::capacity()
    );
    // the output buffer
    let mut p = BASE;
    let mut buf = [0u8; 40];
    let sig = v1::sign(
        &v1::Request::get("h").with_rule(KeyRule::Raw),
        &mut p,
        &key(),
    )
    .unwrap();
    let mut w = tc3::BufWriter::new(&mut buf);
    v1::write_request(&p, &sig, &mut w);
    assert_eq!(w.finish_str().unwrap_err(), Error::capacity());
    // the common params
    let c = v1::Common::new("A", "V", 1, 2, tc3::SecretId::new("id").unwrap());
    let mut small: heapless::Vec<(&str, &str), 3> = heapless::Vec::new();
    assert_eq!(c.add_to(&mut small).unwrap_err(), Error::capacity());
}

#[test]
fn malformed_json_is_typed() {
    let cases: &[&[u8]] = &[
        b"",
        b"[]",
        b"1",
        b"{",
        b"{\"a\"}",
        b"{\"a\":}",
        b"{\"a\":1,}",
        b"{\"a\":01}",
        b"{\"a\":1.}",
        b"{\"a\":-}",
        b"{\"a\":\"\\x\"}",
        b"{\"a\":\"\\ud800\"}",
        b"{\"a\":\"\x01\"}",
        b"{\"a\":tru}",
        b"{\"a\":1} x",
        b"{\"a\":\"\xff\"}",
        b"{\"a\":\"\\u12\"}",
    ];
    for c in cases {
        let mut arena = [0u8; 64];
        let mut pairs: heapless::Vec<(&str, &str), 8> = heapless::Vec::new();
        let e = params::flatten_json(c, &mut arena, &mut pairs).unwrap_err();
        assert_eq!(
            e,
            Error::new(Field::Payload, Reason::Malformed),
            "{:?}",
            String::from_utf8_lossy(c)
        );
    }
    // too deep
    let deep = format!("{{\"a\":{}1{}}}", "[".repeat(100), "]".repeat(100));
    let mut arena = [0u8; 1024];
    let mut pairs: heapless::Vec<(&str, &str), 8> = heapless::Vec::new();
    assert_eq!(
        params::flatten_json(deep.as_bytes(), &mut arena, &mut pairs).unwrap_err(),
        Error::new(Field::Payload, Reason::TooLong)
    );
}

#[test]
fn json_flattening_rules() {
    let json = r#" {"Limit": 1, "Filters": [{"Name": "n\"\u00e9\ud83d\ude00", "Values": ["未命名", null, true, false]}], "F": -1.5e-7, "E": {}, "Z": [] } "#;
    let mut arena = [0u8; 256];
    let mut pairs: heapless::Vec<(&str, &str), 16> = heapless::Vec::new();
    params::flatten_json(json.as_bytes(), &mut arena, &mut pairs).unwrap();
    assert_eq!(
        pairs.as_slice(),
        &[
            ("Limit", "1"),
            ("Filters.0.Name", "n\"é😀"),
            ("Filters.0.Values.0", "未命名"),
            ("Filters.0.Values.2", "true"),
            ("Filters.0.Values.3", "false"),
            ("F", "-1.5e-7"),
        ]
    );
}

#[cfg(feature = "serde_json")]
#[test]
fn serialize_flattening_rules() {
    #[derive(serde::Serialize)]
    struct Filter<'a> {
        #[serde(rename = "Name")]
        name: &'a str,
        #[serde(rename = "Values")]
        values: Vec<Option<&'a str>>,
    }
    #[derive(serde::Serialize)]
    #[allow(non_snake_case)]
    struct Req<'a> {
        Limit: u32,
        Offset: Option<u32>,
        Filters: Vec<Filter<'a>>,
        Ratio: f64,
        Tiny: f64,
        Big: f64,
        On: bool,
        Neg: i64,
    }
    let r = Req {
        Limit: 20,
        Offset: None,
        Filters: vec![Filter {
            name: "instance-name",
            values: vec![Some("a"), None, Some("b")],
        }],
        Ratio: 3.0,
        Tiny: 1e-7,
        Big: 1.5e21,
        On: true,
        Neg: -5,
    };
    let want = [
        ("Limit", "20"),
        ("Filters.0.Name", "instance-name"),
        ("Filters.0.Values.0", "a"),
        ("Filters.0.Values.2", "b"),
        ("Ratio", "3"),
        ("Tiny", "0.0000001"),
        ("Big", "1500000000000000000000"),
        ("On", "true"),
        ("Neg", "-5"),
    ];
    let owned = params::flatten(&r).unwrap();
    let got: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (&k[..], &v[..])).collect();
    assert_eq!(got, want);
    // the no_std serializer gives the same
    let mut arena = [0u8; 512];
    let mut pairs: heapless::Vec<(&str, &str), 16> = heapless::Vec::new();
    params::flatten_serialize(&r, &mut arena, &mut pairs).unwrap();
    assert_eq!(pairs.as_slice(), &want);

    // non-string keys, bare scalars, bytes, NaN: typed errors
    let m: std::collections::BTreeMap<u32, u32> = [(1, 2)].into();
    assert_eq!(
        params::flatten(&m).unwrap_err(),
        Error::new(Field::ParamName, Reason::Malformed)
    );
    assert_eq!(
        params::flatten(&5u32).unwrap_err(),
        Error::new(Field::Payload, Reason::Malformed)
    );
    assert_eq!(
        params::flatten(&vec![1]).unwrap_err(),
        Error::new(Field::Payload, Reason::Malformed)
    );
    let m: std::collections::BTreeMap<&str, f64> = [("x", f64::NAN)].into();
    assert_eq!(
        params::flatten(&m).unwrap_err(),
        Error::new(Field::ParamValue, Reason::Malformed)
    );
    let m: std::collections::BTreeMap<&str, serde_bytes_like::B> =
        [("x", serde_bytes_like::B)].into();
    assert_eq!(
        params::flatten(&m).unwrap_err(),
        Error::new(Field::ParamValue, Reason::Malformed)
    );
}

#[cfg(feature = "serde_json")]
mod serde_bytes_like {
    pub struct B;
    impl serde::Serialize for B {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(b"x")
        }
    }
}

#[test]
fn v3_get_query_from_flattened_params() {
    // docs/protocol-signing.md §7 B2's parameters, sorted (Go's order)
    let json = r#"{"InstanceIds":["ins-09dx96dg","ins-0abc"],"Limit":10,"Offset":0,"Filters":[{"Name":"instance-name","Values":["未命名 a+b/c~*"]}]}"#;
    let mut arena = [0u8; 256];
    let mut pairs: heapless::Vec<(&str, &str), 16> = heapless::Vec::new();
    params::flatten_json(json.as_bytes(), &mut arena, &mut pairs).unwrap();
    let mut out = [0u8; 512];
    let mut w = tc3::BufWriter::new(&mut out);
    params::write_sorted_query(&mut pairs, &mut w).unwrap();
    assert_eq!(
        w.finish_str().unwrap(),
        "Filters.0.Name=instance-name&Filters.0.Values.0=%E6%9C%AA%E5%91%BD%E5%90%8D+a%2Bb%2Fc~%2A&InstanceIds.0=ins-09dx96dg&InstanceIds.1=ins-0abc&Limit=10&Offset=0"
    );
}
