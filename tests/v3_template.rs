//! `v3::Template` signs exactly as `v3::sign`: every TC3 case of
//! `tests/data/vectors/doc-examples.json`, every TC3 Python capture of
//! `tests/data/vectors/sdk/*/python.jsonl` (Authorization byte for byte, against the captured
//! header), and random requests (proptest).

use proptest::prelude::*;
use serde_json::Value;
use tc3::v3::{sign, Common, Method, Payload, Request, SignedRequest, SigningKey, Template};
use tc3::{Credential, Date};

fn data_path(rel: &str) -> String {
    format!("{}/tests/data/{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn s<'v>(v: &'v Value, k: &str) -> &'v str {
    v[k].as_str().unwrap_or_else(|| panic!("missing {k}"))
}

fn b64(s: &str) -> Vec<u8> {
    use base64ct::Encoding;
    base64ct::Base64::decode_vec(s).unwrap()
}

fn same(a: &SignedRequest<'_>, b: &SignedRequest<'_>) {
    assert_eq!(a.authorization(), b.authorization());
    assert_eq!(a.signature().as_hex(), b.signature().as_hex());
    let ha: Vec<_> = a.headers().collect();
    let hb: Vec<_> = b.headers().collect();
    assert_eq!(ha, hb);
}

/// Signs `req` through a template both ways (constant query, per-request query) and checks
/// both equal `v3::sign`; returns the template's Authorization.
fn via_template(
    cred: &Credential<'_>,
    key: &SigningKey,
    common: &Common<'_>,
    req: &Request<'_>,
) -> String {
    let want = sign(cred, key, common, req).unwrap();
    let mut constant = *req;
    constant.payload = Payload::Bytes(b"not used");
    let t = Template::new(&constant).unwrap();
    let got = t.sign(cred, key, common, req.payload).unwrap();
    same(&got, &want);
    let mut other_query = *req;
    other_query.query = "";
    let t2 = Template::new(&other_query).unwrap();
    let got2 = t2
        .sign_query(cred, key, common, req.query, req.payload)
        .unwrap();
    same(&got2, &want);
    got.authorization().to_string()
}

#[test]
fn doc_examples_tc3() {
    let all: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(data_path("vectors/doc-examples.json")).unwrap(),
    )
    .unwrap();
    let mut n = 0;
    for case in all.iter().filter(|c| c["sign_method"] == "TC3-HMAC-SHA256") {
        let name = s(case, "name");
        let i = &case["inputs"];
        let e = &case["expected"];
        let body = match i["payload_base64"].as_str() {
            Some(b) => b64(b),
            None => s(i, "payload").as_bytes().to_vec(),
        };
        let extras: Vec<(&str, &str)> = i["extra_headers"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
                    .collect()
            })
            .unwrap_or_default();
        let req = Request {
            method: Method::parse(s(i, "http_method")).unwrap(),
            uri: s(i, "path"),
            query: s(i, "query"),
            host: s(i, "host"),
            content_type: s(i, "content_type"),
            extra_signed_headers: &extras,
            payload: if i["unsigned_payload"] == true {
                Payload::Unsigned
            } else {
                Payload::Bytes(&body)
            },
        };
        let ts = i["timestamp"].as_u64().unwrap();
        let service = s(i, "service");
        let mut common = Common::new(
            service,
            i["action"].as_str().unwrap_or("DescribeInstances"),
            i["version"].as_str().unwrap_or("2017-03-12"),
            ts,
        );
        common.region = i["region"].as_str();
        let mut cred = Credential::new(s(i, "secret_id"), s(i, "secret_key")).unwrap();
        if let Some(t) = i["token"].as_str() {
            cred = cred.with_token(t).unwrap();
        }
        let key = SigningKey::derive(&cred.key, Date::from_unix(ts).unwrap(), service).unwrap();
        let auth = via_template(&cred, &key, &common, &req);
        assert_eq!(auth, s(e, "authorization"), "{name}");
        let t = Template::new(&req).unwrap();
        let signed = t.sign(&cred, &key, &common, req.payload).unwrap();
        assert_eq!(signed.signature().as_hex(), s(e, "signature"), "{name}");
        n += 1;
    }
    assert_eq!(n, 12);
}

fn header<'v>(cap: &'v Value, name: &str) -> Option<&'v str> {
    cap["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h[0].as_str().unwrap().eq_ignore_ascii_case(name))
        .map(|h| h[1].as_str().unwrap())
}

#[test]
fn python_captures() {
    let mut total = 0;
    for dir in ["curated", "random-101"] {
        let specs: std::collections::HashMap<String, Value> =
            std::fs::read_to_string(data_path(&format!("vectors/sdk/{dir}/specs.jsonl")))
                .unwrap()
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| {
                    let v: Value = serde_json::from_str(l).unwrap();
                    (s(&v, "id").to_string(), v)
                })
                .collect();
        let caps =
            std::fs::read_to_string(data_path(&format!("vectors/sdk/{dir}/python.jsonl"))).unwrap();
        for line in caps.lines().filter(|l| !l.trim().is_empty()) {
            let cap: Value = serde_json::from_str(line).unwrap();
            let spec = &specs[s(&cap, "id")];
            if spec["sign_method"] != "TC3-HMAC-SHA256"
                || cap.get("error").is_some()
                || cap.get("unsupported").is_some()
            {
                continue;
            }
            let captured = header(&cap, "authorization").unwrap();
            let parsed = tc3::v3::Authorization::parse(captured.as_bytes()).unwrap();
            let body = match cap["body_encoding"].as_str() {
                Some("base64") => b64(cap["body"].as_str().unwrap_or("")),
                _ => cap["body"].as_str().unwrap_or("").as_bytes().to_vec(),
            };
            let extras: Vec<(&str, &str)> = parsed
                .signed_headers()
                .filter(|n| *n != "content-type" && *n != "host")
                .map(|n| (n, header(&cap, n).unwrap()))
                .collect();
            let unsigned = header(&cap, "x-tc-content-sha256") == Some("UNSIGNED-PAYLOAD");
            let req = Request {
                method: Method::parse(s(&cap, "method")).unwrap(),
                uri: s(&cap, "path"),
                query: cap["query"].as_str().unwrap_or(""),
                host: header(&cap, "host").unwrap(),
                content_type: header(&cap, "content-type").unwrap(),
                extra_signed_headers: &extras,
                payload: if unsigned {
                    Payload::Unsigned
                } else {
                    Payload::Bytes(&body)
                },
            };
            let ts: u64 = header(&cap, "x-tc-timestamp").unwrap().parse().unwrap();
            let service = s(spec, "service");
            let common = Common {
                service,
                action: header(&cap, "x-tc-action").unwrap(),
                version: header(&cap, "x-tc-version").unwrap(),
                region: header(&cap, "x-tc-region"),
                timestamp: ts,
                language: header(&cap, "x-tc-language").filter(|l| !l.is_empty()),
                request_client: header(&cap, "x-tc-requestclient"),
            };
            let mut cred = Credential::new(s(spec, "secret_id"), s(spec, "secret_key")).unwrap();
            if let Some(t) = header(&cap, "x-tc-token") {
                cred = cred.with_token(t).unwrap();
            }
            let key = SigningKey::derive(&cred.key, Date::from_unix(ts).unwrap(), service).unwrap();
            let auth = via_template(&cred, &key, &common, &req);
            assert_eq!(auth, captured, "{dir} {}", s(&cap, "id"));
            total += 1;
        }
    }
    println!("python TC3 captures reproduced through templates: {total}");
    assert_eq!(total, 52 + 167);
}

#[test]
fn errors_match_sign() {
    let cred = Credential::new(
        "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
    )
    .unwrap();
    let key = SigningKey::derive(&cred.key, Date::from_unix(1551113065).unwrap(), "cvm").unwrap();
    let common = Common::new("cvm", "DescribeInstances", "2017-03-12", 1551113065);
    let good = Request::new_post("cvm.tencentcloudapi.com", "application/json", b"{}");
    let bad_extras = [("X Y", "v")];
    let dup = [("Host", "x")];
    let mut bads = vec![];
    for f in [
        |r: &mut Request<'static>| r.uri = "x",
        |r: &mut Request<'static>| r.uri = "/a?b",
        |r: &mut Request<'static>| r.query = "a b",
        |r: &mut Request<'static>| r.host = "",
        |r: &mut Request<'static>| r.content_type = " ",
        |r: &mut Request<'static>| r.content_type = "a\nb",
    ] {
        let mut r = good;
        f(&mut r);
        bads.push(r);
    }
    let mut r = good;
    r.extra_signed_headers = &bad_extras;
    bads.push(r);
    r.extra_signed_headers = &dup;
    bads.push(r);
    for r in &bads {
        let want = sign(&cred, &key, &common, r).unwrap_err();
        assert_eq!(Template::new(r).unwrap_err(), want, "{r:?}");
    }
    let t = Template::new(&good).unwrap();
    let mut late = common;
    late.timestamp += 86_400;
    assert_eq!(
        t.sign(&cred, &key, &late, good.payload).unwrap_err(),
        sign(&cred, &key, &late, &good).unwrap_err()
    );
    let mut other = common;
    other.service = "cbs";
    assert_eq!(
        t.sign(&cred, &key, &other, good.payload).unwrap_err(),
        sign(&cred, &key, &other, &good).unwrap_err()
    );
    let mut bad_q = good;
    bad_q.query = "a#b";
    assert_eq!(
        t.sign_query(&cred, &key, &common, "a#b", good.payload)
            .unwrap_err(),
        sign(&cred, &key, &common, &bad_q).unwrap_err()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn random_requests_sign_alike(
        get in any::<bool>(),
        uri in "/[a-zA-Z0-9/._~%-]{0,40}",
        query in "[a-zA-Z0-9=&%._~-]{0,120}",
        host in "[a-z0-9.-]{1,40}",
        content_type in "[ -~]{1,60}",
        extras in proptest::collection::btree_map("x-[a-z0-9-]{1,20}", "[ -~]{0,40}", 0..4),
        body in proptest::collection::vec(any::<u8>(), 0..300),
        unsigned in any::<bool>(),
        ts in 0u64..=4_102_444_800,
        region in proptest::option::of("[a-z-]{0,16}"),
    ) {
        prop_assume!(!content_type.trim().is_empty());
        let cred = Credential::new("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE").unwrap();
        let key = SigningKey::derive(&cred.key, Date::from_unix(ts).unwrap(), "cvm").unwrap();
        let extras: Vec<(&str, &str)> = extras.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let req = Request {
            method: if get { Method::Get } else { Method::Post },
            uri: &uri,
            query: &query,
            host: &host,
            content_type: &content_type,
            extra_signed_headers: &extras,
            payload: if unsigned { Payload::Unsigned } else { Payload::Bytes(&body) },
        };
        let mut common = Common::new("cvm", "DescribeInstances", "2017-03-12", ts);
        common.region = region.as_deref();
        via_template(&cred, &key, &common, &req);
    }
}
