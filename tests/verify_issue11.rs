//! Issue 11, "what a backend acts on is what was signed": one regression test per numbered
//! item. Each test names the behaviour of the starting commit 333463a it fails on; every
//! rejection is asserted as the exact `VerifyError` variant.

mod verify_util;

use tc3::v1::{KeyRule, SignatureMethod};
use tc3::v3::Payload;
use tc3::v3::{sign_fresh, Common, Request};
use tc3::verify::{
    verify, HeaderId, LegacyScratch, NotSigned, Policy, RequestView, Uncovered, ValueRule,
    Verified, VerifyError,
};
use tc3::{Credential, SecretKey};
use verify_util::*;

const ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
const TS: u64 = 1551113065;
const DOC_V1_TS: u64 = 1465185768;
/// docs/protocol-signing.md §3.2: the documented legacy GET.
const DOC_V1_QUERY: &str = "Action=DescribeInstances&InstanceIds.0=ins-09dx96dg&Limit=20&Nonce=11886&Offset=0&Region=ap-guangzhou&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE&Timestamp=1465185768&Version=2017-03-12&Signature=EliP9YW3pW28FpsEdkXt%2F%2BWcGeI%3D";

fn keys(id: &str) -> Option<SecretKey> {
    (id == ID).then(|| SecretKey::new(KEY).unwrap())
}

/// A TC3 POST signed by this crate's signer: `uri` and `content_type` as signed, the
/// `extra` headers signed too. Returns the headers to send (Host, Content-Type, the X-TC-*
/// headers, Authorization).
fn signed_tc3(uri: &str, content_type: &str, extra: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    let cred = Credential::new(ID, KEY).unwrap();
    let common = Common::new("cvm", "DescribeInstances", "2017-03-12", TS);
    let req = Request {
        uri,
        extra_signed_headers: extra,
        ..Request::new_post("cvm.tencentcloudapi.com", content_type, b"{}")
    };
    let s = sign_fresh(&cred, &common, &req).unwrap();
    let mut h = vec![
        ("Host".to_string(), b"cvm.tencentcloudapi.com".to_vec()),
        ("Content-Type".into(), content_type.as_bytes().to_vec()),
    ];
    for (n, v) in s.headers() {
        if n != "Host" && n != "Content-Type" {
            h.push((n.into(), v.as_bytes().to_vec()));
        }
    }
    h
}

fn pairs(h: &[(String, Vec<u8>)]) -> Vec<(&str, &[u8])> {
    h.iter().map(|(k, v)| (k.as_str(), v.as_slice())).collect()
}

fn run<'a>(
    method: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    h: &'a [(&'a str, &'a [u8])],
    body: Payload<'a>,
    policy: &Policy<'_>,
    scratch: &'a mut LegacyScratch<4096, 64>,
) -> Result<Verified<'a>, VerifyError> {
    verify(
        &RequestView::new(method, path, query, h, body),
        &keys,
        policy,
        scratch,
    )
}

fn host_only() -> Vec<(&'static str, &'static [u8])> {
    vec![("Host", b"cvm.tencentcloudapi.com")]
}

/// Item 1. On 333463a (`UriRule::Either` by default) a signature over `/` verified at any
/// path, TC3 and legacy.
#[test]
fn item1_path_is_bound_by_default() {
    let mut s = LegacyScratch::new();
    let h = signed_tc3("/", "application/json", &[]);
    let h = pairs(&h);
    let p = Policy::at(TS);
    let body = Payload::Bytes(b"{}");
    for path in ["/admin/../internal/delete", "/tencent/", "/x"] {
        let e = run("POST", path, None, &h, body, &p, &mut s).unwrap_err();
        assert_eq!(e, VerifyError::SignatureMismatch, "{path}");
    }
    // behind a named mount prefix, `/` is accepted at the prefix, and only there
    let mounted = Policy::at(TS).with_mount_prefixes(&["/tencent"]);
    for path in ["/tencent", "/tencent/"] {
        let Verified::Tc3(v) = run("POST", path, None, &h, body, &mounted, &mut s).unwrap() else {
            panic!()
        };
        assert_eq!((v.path, v.canonical_uri), (path, "/"));
    }
    let e = run("POST", "/tencent/delete", None, &h, body, &mounted, &mut s).unwrap_err();
    assert_eq!(e, VerifyError::SignatureMismatch);
    // a signer that signs the full path (Node) verifies under the default
    let h2 = signed_tc3("/tencent/", "application/json", &[]);
    let h2 = pairs(&h2);
    let v = run("POST", "/tencent/", None, &h2, body, &p, &mut s).unwrap();
    assert_eq!(v.path(), "/tencent/");

    // legacy: the documented GET signed `/`
    let hh = host_only();
    let lp = Policy::at(DOC_V1_TS);
    let e = run(
        "GET",
        "/admin",
        Some(DOC_V1_QUERY),
        &hh,
        Payload::Bytes(b""),
        &lp,
        &mut s,
    );
    assert_eq!(e.unwrap_err(), VerifyError::SignatureMismatch);
    let lm = lp.with_mount_prefixes(&["/admin/"]);
    let Verified::Legacy(v) = run(
        "GET",
        "/admin",
        Some(DOC_V1_QUERY),
        &hh,
        Payload::Bytes(b""),
        &lm,
        &mut s,
    )
    .unwrap() else {
        panic!()
    };
    assert_eq!((v.path, v.canonical_path), ("/admin", "/"));
}

/// Item 1, official SDKs: a Go capture (which signs `/`) sent behind an endpoint path
/// verifies under a policy naming that prefix, and only then.
#[test]
fn item1_sdk_capture_behind_an_endpoint_path() {
    let mut scratch = LegacyScratch::<16384, 256>::new();
    let mut n = 0;
    for c in load("curated", "go").iter().take(40) {
        let h = c.header_pairs();
        let mut moved = view(c, &h);
        moved.path = "/gateway/";
        let provider = provider(c);
        let e = verify(&moved, &provider, &Policy::skip_clock(), &mut scratch).unwrap_err();
        assert_eq!(e, VerifyError::SignatureMismatch, "{}", c.id);
        let p = Policy::skip_clock().with_mount_prefixes(&["/gateway"]);
        let v = verify(&moved, &provider, &p, &mut scratch).unwrap();
        assert_eq!(v.path(), "/gateway/");
        n += 1;
    }
    assert_eq!(n, 40);
}

/// Item 2. On 333463a the common headers were not exposed with their signed flag, a
/// second spelling was ignored, and there was no `Policy::hardened`.
#[test]
fn item2_unsigned_common_headers_are_visible_as_unsigned() {
    let mut s = LegacyScratch::new();
    let body = Payload::Bytes(b"{}");
    let p = Policy::at(TS);
    // the SDK shape: only content-type;host signed → the action can be swapped, and says so
    let mut h = signed_tc3("/", "application/json", &[]);
    for (k, v) in h.iter_mut() {
        if k == "X-TC-Action" {
            *v = b"TerminateInstances".to_vec();
        }
    }
    let hp = pairs(&h);
    let v = run("POST", "/", None, &hp, body, &p, &mut s).unwrap();
    assert_eq!(v.action().value, Some("TerminateInstances"));
    assert!(!v.action().signed);
    assert_eq!(v.action().signed_value(), None);
    assert_eq!(v.version().value, Some("2017-03-12"));
    assert!(!v.version().signed && !v.region().signed && !v.token().signed);
    // the hardened preset refuses it
    let hard = Policy::at(TS).with_required_signed(Policy::HARDENED);
    let e = run("POST", "/", None, &hp, body, &hard, &mut s).unwrap_err();
    assert_eq!(e, VerifyError::HeaderNotSigned(NotSigned::Policy(0)));
    assert_eq!(Policy::hardened().required_signed, Policy::HARDENED);

    // x-tc-action signed: hardened accepts it, and a swap breaks the signature
    let h = signed_tc3(
        "/",
        "application/json",
        &[("x-tc-action", "DescribeInstances")],
    );
    let hp = pairs(&h);
    let v = run("POST", "/", None, &hp, body, &hard, &mut s).unwrap();
    assert_eq!(v.action().signed_value(), Some("DescribeInstances"));
    let mut swapped = h.clone();
    for (k, v) in swapped.iter_mut() {
        if k == "X-TC-Action" {
            *v = b"TerminateInstances".to_vec();
        }
    }
    let sp = pairs(&swapped);
    let e = run("POST", "/", None, &sp, body, &hard, &mut s).unwrap_err();
    assert_eq!(e, VerifyError::SignatureMismatch);

    // a second spelling of a header is refused (SDK shape: only content-type;host signed)
    let h = signed_tc3("/", "application/json", &[]);
    for (name, id) in [
        ("X_TC_Action", HeaderId::Action),
        ("X-TC_Action", HeaderId::Action),
        ("x_tc_region", HeaderId::Region),
        ("X_TC_Token", HeaderId::Token),
        ("X-TC_Timestamp", HeaderId::Timestamp),
        ("Content_Type", HeaderId::Signed(0)),
    ] {
        let mut h2 = h.clone();
        h2.push((name.into(), b"x".to_vec()));
        let hp2 = pairs(&h2);
        let e = run("POST", "/", None, &hp2, body, &p, &mut s).unwrap_err();
        assert_eq!(e, VerifyError::AmbiguousHeader(id), "{name}");
        assert_eq!(e.code(), "InvalidParameter");
    }
    // a repeated common header too
    let mut h2 = h.clone();
    h2.push(("x-tc-version".into(), b"2099-01-01".to_vec()));
    let hp2 = pairs(&h2);
    let e = run("POST", "/", None, &hp2, body, &p, &mut s).unwrap_err();
    assert_eq!(e, VerifyError::AmbiguousHeader(HeaderId::Version));
}

/// Item 3. On 333463a a `Host` that is not an authority was verified: the legacy string to
/// sign concatenates host and path, so `api/v1` + `/users` passed as `api` + `/v1/users`.
#[test]
fn item3_host_must_be_an_authority() {
    let mut s = LegacyScratch::new();
    let key = SecretKey::new(KEY).unwrap();
    let params = [
        ("Action", "DescribeInstances"),
        ("Nonce", "1"),
        ("SecretId", ID),
        ("Timestamp", "1465185768"),
    ];
    let sig = tc3::v1::Request::get("cvm.tencentcloudapi.com")
        .with_path("/v1/users")
        .with_rule(KeyRule::UnderscoreAsDot)
        .sign_sorted(&params, &key, SignatureMethod::HmacSha1)
        .unwrap();
    let sig_enc: String = form_urlencoded::byte_serialize(sig.as_bytes()).collect();
    let q = format!(
        "Action=DescribeInstances&Nonce=1&SecretId={ID}&Timestamp=1465185768&Signature={}",
        sig_enc
    );
    let p = Policy::at(DOC_V1_TS);
    let good: Vec<(&str, &[u8])> = vec![("Host", b"cvm.tencentcloudapi.com")];
    let v = run(
        "GET",
        "/v1/users",
        Some(&q),
        &good,
        Payload::Bytes(b""),
        &p,
        &mut s,
    )
    .unwrap();
    assert_eq!(
        (v.host(), v.path()),
        ("cvm.tencentcloudapi.com", "/v1/users")
    );
    let split: Vec<(&str, &[u8])> = vec![("Host", b"cvm.tencentcloudapi.com/v1")];
    let e = run(
        "GET",
        "/users",
        Some(&q),
        &split,
        Payload::Bytes(b""),
        &p,
        &mut s,
    )
    .unwrap_err();
    assert_eq!(e, VerifyError::InvalidHost);
    assert_eq!(e.code(), "AuthFailure.SignatureFailure");

    // TC3: the same refusal before any signature work
    let mut h = signed_tc3("/", "application/json", &[]);
    h[0].1 = b"cvm.tencentcloudapi.com/x".to_vec();
    let hp = pairs(&h);
    let e = run(
        "POST",
        "/",
        None,
        &hp,
        Payload::Bytes(b"{}"),
        &Policy::at(TS),
        &mut s,
    );
    assert_eq!(e.unwrap_err(), VerifyError::InvalidHost);
}

/// Item 4. On 333463a a legacy GET with a body verified (the body reached the backend
/// unsigned); a POST with a query was refused, now with its own variant.
#[test]
fn item4_legacy_get_with_body_is_refused() {
    let mut s = LegacyScratch::new();
    let hh = host_only();
    let p = Policy::at(DOC_V1_TS);
    let q = Some(DOC_V1_QUERY);
    assert!(run("GET", "/", q, &hh, Payload::Bytes(b""), &p, &mut s).is_ok());
    let e = run(
        "GET",
        "/",
        q,
        &hh,
        Payload::Bytes(b"Action=TerminateInstances"),
        &p,
        &mut s,
    );
    assert_eq!(e.unwrap_err(), VerifyError::NotCovered(Uncovered::GetBody));
    let e = run("GET", "/", q, &hh, Payload::Sha256([7; 32]), &p, &mut s);
    assert_eq!(e.unwrap_err(), VerifyError::NotCovered(Uncovered::GetBody));

    // a POST with the same parameters as its form body, and a query beside it
    let form: Vec<(&str, &[u8])> = vec![
        ("Host", b"cvm.tencentcloudapi.com"),
        ("Content-Type", b"application/x-www-form-urlencoded"),
    ];
    let e = run(
        "POST",
        "/",
        Some("Action=TerminateInstances"),
        &form,
        Payload::Bytes(DOC_V1_QUERY.as_bytes()),
        &p,
        &mut s,
    );
    assert_eq!(
        e.unwrap_err(),
        VerifyError::NotCovered(Uncovered::PostQuery)
    );
}

/// Item 5. On 333463a `InstanceIds_0=` verified in place of the signed `InstanceIds.0=`
/// and the verified parameters kept the received name (the backend never saw
/// `InstanceIds.0`). Now they are returned under the signed names.
#[test]
fn item5_legacy_names_are_returned_as_signed() {
    let mut s = LegacyScratch::new();
    let hh = host_only();
    let p = Policy::at(DOC_V1_TS);
    let q = DOC_V1_QUERY.replace("InstanceIds.0", "InstanceIds_0");
    let Verified::Legacy(v) =
        run("GET", "/", Some(&q), &hh, Payload::Bytes(b""), &p, &mut s).unwrap()
    else {
        panic!()
    };
    assert_eq!(v.key_rule, KeyRule::UnderscoreAsDot);
    assert_eq!(v.param("InstanceIds.0"), Some("ins-09dx96dg"));
    assert_eq!(v.param("InstanceIds_0"), None);
    assert!(v.params().all(|(k, _)| !k.contains('_')));

    // two received names signed alike are refused
    let key = SecretKey::new(KEY).unwrap();
    let params = [
        ("A.b", "1"),
        ("A_b", "2"),
        ("Action", "X"),
        ("Nonce", "1"),
        ("SecretId", ID),
        ("Timestamp", "1465185768"),
    ];
    let sig = tc3::v1::Request::get("cvm.tencentcloudapi.com")
        .with_path("/")
        .with_rule(KeyRule::UnderscoreAsDot)
        .sign_sorted(&params, &key, SignatureMethod::HmacSha1)
        .unwrap();
    let enc: String = form_urlencoded::byte_serialize(sig.as_bytes()).collect();
    let q = format!(
        "A.b=1&A_b=2&Action=X&Nonce=1&SecretId={ID}&Timestamp=1465185768&Signature={}",
        enc
    );
    let e = run("GET", "/", Some(&q), &hh, Payload::Bytes(b""), &p, &mut s).unwrap_err();
    assert_eq!(e, VerifyError::DuplicateParameter);
}

/// Item 6. On 333463a a multipart boundary signed in lowercase verified for a request whose
/// boundary has uppercase letters (another boundary).
#[test]
fn item6_case_sensitive_values_are_not_lowercased() {
    let mut s = LegacyScratch::new();
    let body = Payload::Bytes(b"{}");
    let p = Policy::at(TS);
    let mut h = signed_tc3("/", "multipart/form-data; boundary=abc", &[]);
    h[1].1 = b"multipart/form-data; boundary=AbC".to_vec();
    let hp = pairs(&h);
    let e = run("POST", "/", None, &hp, body, &p, &mut s).unwrap_err();
    assert_eq!(e, VerifyError::SignatureMismatch);
    // signed as sent: accepted, under the raw rule
    let h = signed_tc3("/", "multipart/form-data; boundary=AbC", &[]);
    let hp = pairs(&h);
    let Verified::Tc3(v) = run("POST", "/", None, &hp, body, &p, &mut s).unwrap() else {
        panic!()
    };
    assert_eq!(v.value_rule, ValueRule::Raw);
    // a case-insensitive value signed lowercased (the documented rule): accepted, and said
    let mut h = signed_tc3("/", "application/json", &[]);
    h[1].1 = b"Application/JSON".to_vec();
    let hp = pairs(&h);
    let Verified::Tc3(v) = run("POST", "/", None, &hp, body, &p, &mut s).unwrap() else {
        panic!()
    };
    assert_eq!(v.value_rule, ValueRule::Doc);
}

/// Item 7. On 333463a `SecretKey::new("")` was accepted (a request signed with the empty
/// key passed a table holding one), and `Debug` of the verified results printed the token
/// and the whole legacy scratch buffer, a previous request's token included.
#[test]
fn item7_empty_key_and_debug_redaction() {
    assert_eq!(
        SecretKey::new("").unwrap_err(),
        tc3::Error::new(tc3::Field::SecretKey, tc3::Reason::Empty)
    );

    let token_a = "SECRET-TOKEN-AAAA-1234";
    let token_t = "SECRET-TOKEN-TTTT-5678";
    let key = SecretKey::new(KEY).unwrap();
    let mut params = vec![
        ("Action", "DescribeInstances"),
        ("Nonce", "1"),
        ("SecretId", ID),
        ("Timestamp", "1465185768"),
        ("Token", token_a),
    ];
    params.sort();
    let sig = tc3::v1::Request::get("cvm.tencentcloudapi.com")
        .with_path("/")
        .with_rule(KeyRule::UnderscoreAsDot)
        .sign_sorted(&params, &key, SignatureMethod::HmacSha1)
        .unwrap();
    let enc: String = form_urlencoded::byte_serialize(sig.as_bytes()).collect();
    let q = format!(
        "Action=DescribeInstances&Nonce=1&SecretId={ID}&Timestamp=1465185768&Token={token_a}&Signature={}",
        enc
    );
    let hh = host_only();
    let p = Policy::at(DOC_V1_TS);
    let mut s = LegacyScratch::new();
    let mut outputs = Vec::new();
    {
        let v = run("GET", "/", Some(&q), &hh, Payload::Bytes(b""), &p, &mut s).unwrap();
        assert_eq!(v.token().value, Some(token_a));
        outputs.push(format!("{v:?}"));
        let Verified::Legacy(l) = v else { panic!() };
        outputs.push(format!("{l:#?}"));
    }
    // a later request through the same scratch
    {
        let v = run(
            "GET",
            "/",
            Some(DOC_V1_QUERY),
            &hh,
            Payload::Bytes(b""),
            &p,
            &mut s,
        )
        .unwrap();
        outputs.push(format!("{v:?}"));
    }
    outputs.push(format!("{s:?}"));
    let e = run("GET", "/x", Some(&q), &hh, Payload::Bytes(b""), &p, &mut s).unwrap_err();
    outputs.push(format!("{e:?} {e}"));
    // TC3 with a token
    let mut h = signed_tc3("/", "application/json", &[]);
    h.push(("X-TC-Token".into(), token_t.as_bytes().to_vec()));
    let hp = pairs(&h);
    let v = run(
        "POST",
        "/",
        None,
        &hp,
        Payload::Bytes(b"{}"),
        &Policy::at(TS),
        &mut s,
    )
    .unwrap();
    assert_eq!(v.token().value, Some(token_t));
    outputs.push(format!("{v:?}"));
    outputs.push(format!("{:?}", Policy::hardened()));
    let signature = String::from_utf8(
        h.iter()
            .find(|(k, _)| k == "Authorization")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    let signature = signature.rsplit('=').next().unwrap().to_string();
    for out in &outputs {
        for secret in [token_a, token_t, KEY, &signature] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
    }
    assert!(outputs[0].contains("<redacted>"), "{}", outputs[0]);
}
