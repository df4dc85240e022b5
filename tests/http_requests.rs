//! `tc3::http`: signing and verifying `http::Request` values, against the documented example
//! and every curated SDK capture of `tests/data/vectors/sdk/curated/`.
#![cfg(feature = "http")]

#[path = "verify_util/mod.rs"]
mod verify_util;

use http::{Request, Version};
use tc3::http::{sign, verify, SignOptions};
use tc3::v3::{Common, Payload, PayloadHasher, SigningKey};
use tc3::verify::{LegacyScratch, Policy, RequestView, VerifyError};
use tc3::{Credential, Date, SecretKey};
use verify_util::*;

const DOC_ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const DOC_KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
const DOC_BODY: &[u8] =
    br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
const DOC_SIG: &str = "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168";
const DOC_TS: u64 = 1551113065;

fn doc_keys(id: &str) -> Option<SecretKey> {
    (id == DOC_ID)
        .then(|| SecretKey::new(DOC_KEY).ok())
        .flatten()
}

fn doc_authorization() -> String {
    format!("TC3-HMAC-SHA256 Credential={DOC_ID}/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature={DOC_SIG}")
}

fn doc_common() -> Common<'static> {
    Common::new("cvm", "DescribeInstances", "2017-03-12", DOC_TS).with_region("ap-guangzhou")
}

fn header<'r, B>(req: &'r Request<B>, name: &str) -> Option<&'r str> {
    req.headers().get(name).map(|v| v.to_str().unwrap())
}

#[test]
fn documented_example_signed_as_http_request() {
    let cred = Credential::new(DOC_ID, DOC_KEY).unwrap();
    // origin-form + Host header, absolute-form without Host, HTTP/2 without Host
    let builders = [
        Request::post("/").header("Host", "cvm.tencentcloudapi.com"),
        Request::post("https://cvm.tencentcloudapi.com/"),
        Request::post("https://cvm.tencentcloudapi.com/").version(Version::HTTP_2),
    ];
    for (i, b) in builders.into_iter().enumerate() {
        let mut req = b
            .header("Content-Type", "application/json; charset=utf-8")
            .body(DOC_BODY.to_vec())
            .unwrap();
        sign(
            &mut req,
            &cred,
            &doc_common(),
            &SignOptions::new(Payload::Bytes(DOC_BODY)),
        )
        .unwrap();
        assert_eq!(
            header(&req, "authorization"),
            Some(doc_authorization().as_str())
        );
        assert_eq!(header(&req, "x-tc-action"), Some("DescribeInstances"));
        assert_eq!(header(&req, "x-tc-timestamp"), Some("1551113065"));
        assert_eq!(header(&req, "x-tc-version"), Some("2017-03-12"));
        assert_eq!(header(&req, "x-tc-region"), Some("ap-guangzhou"));
        assert_eq!(
            header(&req, "content-type"),
            Some("application/json; charset=utf-8")
        );
        assert!(req.headers().get("x-tc-token").is_none());
        // HTTP/2: the authority stays in the URI (`:authority`), no Host header is added
        let want_host = (i < 2).then_some("cvm.tencentcloudapi.com");
        assert_eq!(header(&req, "host"), want_host, "case {i}");
        assert_eq!(req.headers().len(), 6 + want_host.is_some() as usize);

        // and it verifies, as Request and as Parts
        let mut scratch = LegacyScratch::<4096, 64>::new();
        let v = verify(&req, &doc_keys, &Policy::at(DOC_TS), &mut scratch).unwrap();
        assert_eq!(v.secret_id(), DOC_ID);
        assert_eq!(v.sign_method(), "TC3-HMAC-SHA256");
        let (parts, body) = req.into_parts();
        let req = Request::from_parts(parts, ());
        let v = tc3::verify::verify(
            &RequestView::from_http(&req, Payload::Bytes(&body)),
            &doc_keys,
            &Policy::at(DOC_TS + 300),
            &mut scratch,
        )
        .unwrap();
        assert_eq!(v.timestamp(), DOC_TS);
        let e = tc3::verify::verify(
            &RequestView::from_http(&req, Payload::Bytes(&body)),
            &doc_keys,
            &Policy::at(DOC_TS + 301),
            &mut scratch,
        )
        .unwrap_err();
        assert_eq!(e.code(), "AuthFailure.SignatureExpire");
        let e = tc3::verify::verify(
            &RequestView::from_http(&req, Payload::Bytes(b"{}")),
            &doc_keys,
            &Policy::at(DOC_TS),
            &mut scratch,
        )
        .unwrap_err();
        assert_eq!(e.code(), "AuthFailure.SignatureFailure");
    }
}

#[test]
fn documented_example_with_digest_cached_key_and_streamed_body() {
    let cred = Credential::new(DOC_ID, DOC_KEY).unwrap();
    let key = SigningKey::derive(
        &SecretKey::new(DOC_KEY).unwrap(),
        Date::from_unix(DOC_TS).unwrap(),
        "cvm",
    )
    .unwrap();
    let mut h = PayloadHasher::new();
    for chunk in DOC_BODY.chunks(7) {
        h.update(chunk);
    }
    let mut req = Request::post("http://cvm.tencentcloudapi.com/")
        .header("Content-Type", "application/json; charset=utf-8")
        .body(())
        .unwrap();
    sign(
        &mut req,
        &cred,
        &doc_common(),
        &SignOptions::new(h.finish()).with_key(&key),
    )
    .unwrap();
    assert_eq!(
        header(&req, "authorization"),
        Some(doc_authorization().as_str())
    );
    // verified with the digest of the body
    let mut d = PayloadHasher::new();
    d.update(DOC_BODY);
    let Payload::Sha256(digest) = d.finish() else {
        unreachable!()
    };
    let (parts, ()) = req.into_parts();
    let req = Request::from_parts(parts, ());
    let mut scratch = LegacyScratch::<64, 4>::new();
    let v = tc3::verify::verify(
        &RequestView::from_http(&req, Payload::Sha256(digest)),
        &doc_keys,
        &Policy::at(DOC_TS),
        &mut scratch,
    );
    assert!(v.is_ok(), "{v:?}");
}

#[test]
fn http2_request_without_host_verifies() {
    let mut scratch = LegacyScratch::<4096, 64>::new();
    let build = |uri: &str, version| {
        Request::post(uri)
            .version(version)
            .header("Content-Type", "application/json; charset=utf-8")
            .header("X-TC-Action", "DescribeInstances")
            .header("X-TC-Timestamp", "1551113065")
            .header("Authorization", doc_authorization())
            .body(DOC_BODY)
            .unwrap()
    };
    let req = build("https://cvm.tencentcloudapi.com/", Version::HTTP_2);
    let v = verify(&req, &doc_keys, &Policy::at(DOC_TS), &mut scratch).unwrap();
    assert_eq!(v.secret_id(), DOC_ID);
    // userinfo is not part of the authority that is signed
    let req = build("https://user@cvm.tencentcloudapi.com/", Version::HTTP_2);
    assert!(verify(&req, &doc_keys, &Policy::at(DOC_TS), &mut scratch).is_ok());
    // another authority → the host does not match
    let req = build("https://cvm.tencentcloudapi.com:443/", Version::HTTP_2);
    let e = verify(&req, &doc_keys, &Policy::at(DOC_TS), &mut scratch).unwrap_err();
    assert_eq!(e.code(), "AuthFailure.SignatureFailure");
    // origin-form without Host and without authority: `host` is absent
    let req = build("/", Version::HTTP_11);
    let e = verify(&req, &doc_keys, &Policy::at(DOC_TS), &mut scratch).unwrap_err();
    assert_eq!(e.code(), "AuthFailure.SignatureFailure");
    // Issue 11 item 3 (regression: accepted on the starting commit 333463a, where the Host
    // header won over the authority): an authority and a Host that differ are refused
    let mut req = build("https://other.example.com/", Version::HTTP_11);
    req.headers_mut()
        .insert("host", "cvm.tencentcloudapi.com".parse().unwrap());
    let e = verify(&req, &doc_keys, &Policy::at(DOC_TS), &mut scratch).unwrap_err();
    assert_eq!(e, VerifyError::SignedHeaderAmbiguous { index: 1 });
    let mut req = build("https://cvm.tencentcloudapi.com/", Version::HTTP_2);
    req.headers_mut()
        .insert("host", "evil.example.com".parse().unwrap());
    let e = verify(&req, &doc_keys, &Policy::at(DOC_TS), &mut scratch).unwrap_err();
    assert_eq!(e, VerifyError::SignedHeaderAmbiguous { index: 1 });
    // the same authority (any case) in both places is fine, and is the host verified
    let mut req = build("https://CVM.tencentcloudapi.com/", Version::HTTP_11);
    req.headers_mut()
        .insert("host", "cvm.tencentcloudapi.com".parse().unwrap());
    let v = verify(&req, &doc_keys, &Policy::at(DOC_TS), &mut scratch).unwrap();
    assert_eq!(v.host(), "cvm.tencentcloudapi.com");
}

#[test]
fn signing_errors_leave_the_request_unchanged() {
    let cred = Credential::new(DOC_ID, DOC_KEY).unwrap();
    let mut req = Request::put("https://cvm.tencentcloudapi.com/")
        .body(Vec::<u8>::new())
        .unwrap();
    let e = sign(
        &mut req,
        &cred,
        &doc_common(),
        &SignOptions::new(Payload::Bytes(b"")),
    )
    .unwrap_err();
    assert_eq!(e.field, tc3::Field::Method);
    assert!(req.headers().is_empty());
    let mut req = Request::get("/?Limit=1").body(Vec::<u8>::new()).unwrap();
    let e = sign(
        &mut req,
        &cred,
        &doc_common(),
        &SignOptions::new(Payload::Bytes(b"")),
    )
    .unwrap_err();
    assert_eq!(e.field, tc3::Field::Host);
    assert!(req.headers().is_empty());
    let mut req = Request::post("https://cvm.tencentcloudapi.com/")
        .header("content-type", "application/json")
        .header("content-type", "text/plain")
        .body(Vec::<u8>::new())
        .unwrap();
    let e = sign(
        &mut req,
        &cred,
        &doc_common(),
        &SignOptions::new(Payload::Bytes(b"")),
    )
    .unwrap_err();
    assert_eq!(e.field, tc3::Field::ContentType);
    assert_eq!(req.headers().len(), 2);
    let mut req = Request::post("https://cvm.tencentcloudapi.com/")
        .body(Vec::<u8>::new())
        .unwrap();
    let e = sign(
        &mut req,
        &cred,
        &doc_common(),
        &SignOptions::new(Payload::Bytes(b"")).with_extra_signed_headers(&["x-custom"]),
    )
    .unwrap_err();
    assert_eq!(e.field, tc3::Field::HeaderValue);
    assert!(req.headers().is_empty());
}

#[test]
fn get_token_unsigned_and_extra_signed_headers_round_trip() {
    let cred = Credential::new(DOC_ID, DOC_KEY)
        .unwrap()
        .with_token("tok-123")
        .unwrap();
    let mut req = Request::get("http://cvm.tencentcloudapi.com/?Limit=1&Offset=0")
        .header("X-Custom", "Some Value")
        .body(Vec::<u8>::new())
        .unwrap();
    sign(
        &mut req,
        &cred,
        &doc_common(),
        &SignOptions::new(Payload::Bytes(b"")).with_extra_signed_headers(&[
            "x-tc-action",
            "X-Custom",
            "x-tc-timestamp",
        ]),
    )
    .unwrap();
    assert_eq!(
        header(&req, "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(header(&req, "x-tc-token"), Some("tok-123"));
    assert!(req.headers()["x-tc-token"].is_sensitive());
    let auth = header(&req, "authorization").unwrap();
    assert!(
        auth.contains("SignedHeaders=content-type;host;x-custom;x-tc-action;x-tc-timestamp,"),
        "{auth}"
    );
    let mut scratch = LegacyScratch::<64, 4>::new();
    let policy = Policy::at(DOC_TS).with_required_signed(Policy::HARDENED);
    let v = verify(&req, &doc_keys, &policy, &mut scratch).unwrap();
    assert_eq!(v.token().value, Some("tok-123"));
    // the query is signed
    let (mut parts, body) = req.into_parts();
    parts.uri = "http://cvm.tencentcloudapi.com/?Limit=2&Offset=0"
        .parse()
        .unwrap();
    let req = Request::from_parts(parts, body);
    let e = verify(&req, &doc_keys, &policy, &mut scratch);
    assert_eq!(e.unwrap_err().code(), "AuthFailure.SignatureFailure");

    // UNSIGNED-PAYLOAD
    let mut req = Request::post("http://cvm.tencentcloudapi.com/")
        .body(b"{}".to_vec())
        .unwrap();
    sign(
        &mut req,
        &cred,
        &doc_common(),
        &SignOptions::new(Payload::Unsigned),
    )
    .unwrap();
    assert_eq!(
        header(&req, "x-tc-content-sha256"),
        Some("UNSIGNED-PAYLOAD")
    );
    assert_eq!(
        header(&req, "content-type"),
        Some("application/json; charset=utf-8")
    );
    *req.body_mut() = b"{\"any\":1}".to_vec();
    assert!(verify(&req, &doc_keys, &Policy::at(DOC_TS), &mut scratch).is_ok());
    let refuse = Policy::at(DOC_TS).with_unsigned_payload(false);
    let e = verify(&req, &doc_keys, &refuse, &mut scratch).unwrap_err();
    assert_eq!(e.code(), "AuthFailure.SignatureFailure");
}

/// A capture rebuilt as an `http::Request`: origin-form with its headers, absolute-form with
/// its headers, or HTTP/2-style (absolute URI, no Host header).
fn rebuild(c: &Capture, shape: usize) -> Request<Vec<u8>> {
    let host = std::str::from_utf8(c.header("host").unwrap()).unwrap();
    let target = match &c.query {
        Some(q) => format!("{}?{q}", c.path),
        None => c.path.clone(),
    };
    let uri = match shape {
        0 => target,
        _ => format!("http://{host}{target}"),
    };
    let mut b = Request::builder().method(c.method.as_str()).uri(uri);
    if shape == 2 {
        b = b.version(Version::HTTP_2);
    }
    for (k, v) in &c.headers {
        if shape == 2 && k.eq_ignore_ascii_case("host") {
            continue;
        }
        b = b.header(k.as_str(), v.as_slice());
    }
    b.body(c.body.clone()).unwrap()
}

#[test]
fn every_curated_capture_verifies_as_http_request() {
    let mut scratch = LegacyScratch::<16384, 256>::new();
    let mut counts = Vec::new();
    for sdk in SDKS {
        let caps = load("curated", sdk);
        let mut ok = 0;
        for c in &caps {
            let keys = provider(c);
            for shape in 0..3 {
                let req = rebuild(c, shape);
                assert_eq!(req.headers().contains_key("host"), shape != 2);
                let v = verify(&req, &keys, &Policy::at(c.spec_timestamp), &mut scratch)
                    .unwrap_or_else(|e| panic!("{sdk} {} shape {shape}: {} {e}", c.id, e.code()));
                assert_eq!(v.secret_id(), c.secret_id);
                assert_eq!(v.sign_method(), c.sign_method);
                // 10 minutes later: expired
                let e = verify(
                    &req,
                    &keys,
                    &Policy::at(c.spec_timestamp + 600),
                    &mut scratch,
                )
                .unwrap_err();
                assert_eq!(e.code(), "AuthFailure.SignatureExpire", "{}", c.id);
                ok += 1;
            }
        }
        counts.push((sdk, ok / 3));
        assert_eq!(ok, caps.len() * 3);
    }
    println!("curated captures verified as http::Request (x3 shapes): {counts:?}");
    assert_eq!(
        counts,
        [
            ("python", 152),
            ("node", 150),
            ("go", 152),
            ("go_common", 152)
        ]
    );
}

/// `tc3::http::sign` reproduces the Authorization header of every curated TC3 capture of the
/// Python SDK (signed payload, path `/`), from the spec's inputs and the capture's Host,
/// Content-Type, query and body.
#[test]
fn python_tc3_captures_resigned_through_http() {
    let specs = load_specs("curated");
    let mut n = 0;
    for c in load("curated", "python").iter().filter(|c| c.is_tc3()) {
        let s = &specs[&c.id];
        let str_of = |k: &str| s[k].as_str();
        let token = str_of("token");
        let mut cred = Credential::new(&c.secret_id, &c.secret_key).unwrap();
        // the Python SDK sends no X-TC-Token for an empty token
        if let Some(t) = token.filter(|t| !t.is_empty()) {
            cred = cred.with_token(t).unwrap();
        }
        // the Python SDK sends the action with its first letter uppercased
        let raw_action = str_of("action").unwrap();
        let action = raw_action[..1].to_ascii_uppercase() + &raw_action[1..];
        let mut common = Common::new(
            str_of("service").unwrap(),
            &action,
            str_of("version").unwrap(),
            c.spec_timestamp,
        );
        common.region = str_of("region");
        common.language = str_of("language");
        // the SDK's default RequestClient when the spec sets none
        common.request_client = c
            .header("x-tc-requestclient")
            .map(|v| std::str::from_utf8(v).unwrap());
        let host = std::str::from_utf8(c.header("host").unwrap()).unwrap();
        let ct = c.header("content-type").unwrap();
        let target = match &c.query {
            Some(q) => format!("http://{host}/?{q}"),
            None => format!("http://{host}/"),
        };
        let mut req = Request::builder()
            .method(c.method.as_str())
            .uri(target)
            .header("content-type", ct)
            .body(c.body.clone())
            .unwrap();
        let payload = if c.unsigned_payload {
            Payload::Unsigned
        } else {
            Payload::Bytes(&c.body)
        };
        let opts = SignOptions::new(payload);
        let set = {
            let mut r = Request::builder()
                .method(req.method().clone())
                .uri(req.uri().clone())
                .body(())
                .unwrap();
            *r.headers_mut() = req.headers().clone();
            sign(&mut r, &cred, &common, &opts).unwrap();
            r.headers().clone()
        };
        if !c.unsigned_payload {
            sign(&mut req, &cred, &common, &opts).unwrap();
            assert_eq!(req.headers(), &set, "{}", c.id);
        }
        for name in [
            "authorization",
            "host",
            "x-tc-action",
            "x-tc-timestamp",
            "x-tc-version",
            "x-tc-region",
            "x-tc-token",
            "x-tc-language",
            "x-tc-requestclient",
            "x-tc-content-sha256",
        ] {
            assert_eq!(
                set.get(name).map(|v| v.as_bytes()),
                c.header(name),
                "{} {name}",
                c.id
            );
        }
        n += 1;
    }
    println!("python TC3 captures re-signed through tc3::http: {n}");
    assert_eq!(n, 52);
}
