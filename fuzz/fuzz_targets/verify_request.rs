//! Full verification of arbitrary request views: never panics, never accepts. The key is
//! fixed and secret to the fuzzer's inputs (it never sees a valid signature), so any `Ok`
//! would be a forgery. Both the TC3 path (an `Authorization` header is present) and the
//! legacy path (query / form body) are reached; a structured mode builds plausible
//! `Authorization` values and parameter sets so the deep checks are exercised. `explain`
//! (trace and diagnosis: the mistake retries) runs on the same inputs.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use tc3::verify::{
    explain, verify, verify_cached, Cause, KeyCache, LegacyScratch, Policy, RequestView,
    ValueRule,
};
use tc3::v3::Payload;
use tc3::SecretKey;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    method: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    headers: Vec<(&'a str, &'a [u8])>,
    body: &'a [u8],
    digest: Option<[u8; 32]>,
    now: Option<u64>,
    structured: Option<Structured<'a>>,
    policy: u8,
}

/// Pieces of a plausible request: the fuzzer fills in signatures and values.
#[derive(Arbitrary, Debug)]
struct Structured<'a> {
    tc3: bool,
    post: bool,
    secret_id_known: bool,
    date: &'a str,
    service: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
    timestamp: u64,
    host: &'a str,
    content_type: &'a str,
    nonce: &'a str,
    legacy_signature: &'a str,
    extra: Vec<(&'a str, &'a str)>,
}

const ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";

fuzz_target!(|input: Input<'_>| {
    let keys = |id: &str| {
        (id == ID)
            .then(|| SecretKey::new("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE").ok())
            .flatten()
    };
    let mut policy = match input.now {
        Some(now) => Policy::at(now),
        None => Policy::skip_clock(),
    };
    if input.policy & 1 != 0 {
        policy = policy.with_required_signed(Policy::HARDENED);
    }
    if input.policy & 2 != 0 {
        policy = policy.with_unsigned_payload(false);
    }
    if input.policy & 4 != 0 {
        policy = policy.with_mount_prefixes(&["/api", "/x/"]);
    }
    policy = policy.with_values(match input.policy >> 4 & 3 {
        0 => ValueRule::DocThenRaw,
        1 => ValueRule::Doc,
        _ => ValueRule::Raw,
    });
    let body = match input.digest {
        Some(d) => Payload::Sha256(d),
        None => Payload::Bytes(input.body),
    };
    let mut scratch = LegacyScratch::<2048, 32>::new();
    let mut cache = KeyCache::<2>::new();

    // raw mode: anything at all
    let req = RequestView::new(
        input.method,
        input.path,
        input.query,
        &input.headers[..],
        body,
    );
    assert!(verify(&req, &keys, &policy, &mut scratch).is_err());
    assert!(verify_cached(&req, &keys, &policy, &mut cache, &mut scratch).is_err());
    // explain: the same verdict, a diagnosis other than `ok`, never a panic
    let mut text = Vec::new();
    let e = explain(&req, &keys, &policy, &mut scratch, Some(&mut text));
    assert!(e.result.is_err());
    assert_ne!(e.cause, Cause::Ok);

    // structured mode
    let Some(s) = input.structured else { return };
    let id = if s.secret_id_known { ID } else { s.service };
    let ts = s.timestamp.to_string();
    let method = if s.post { "POST" } else { "GET" };
    if s.tc3 {
        let auth = format!(
            "TC3-HMAC-SHA256 Credential={id}/{}/{}/tc3_request, SignedHeaders={}, Signature={}",
            s.date, s.service, s.signed_headers, s.signature
        );
        let mut headers: Vec<(&str, &[u8])> = vec![
            ("Authorization", auth.as_bytes()),
            ("Host", s.host.as_bytes()),
            ("Content-Type", s.content_type.as_bytes()),
            ("X-TC-Timestamp", ts.as_bytes()),
        ];
        headers.extend(s.extra.iter().map(|(k, v)| (*k, v.as_bytes())));
        let req = RequestView::new(method, "/", input.query, &headers[..], body);
        assert!(verify(&req, &keys, &policy, &mut scratch).is_err());
        let e = explain(&req, &keys, &policy, &mut scratch, None);
        assert!(e.result.is_err());
        assert!(
            verify_cached(&req, &keys, &Policy::skip_clock(), &mut cache, &mut scratch).is_err()
        );
    } else {
        let mut params = format!(
            "Action=A&Nonce={}&SecretId={id}&Timestamp={ts}&Signature={}",
            s.nonce, s.legacy_signature
        );
        for (k, v) in &s.extra {
            params.push('&');
            params.push_str(k);
            params.push('=');
            params.push_str(v);
        }
        let headers: Vec<(&str, &[u8])> = vec![
            ("Host", s.host.as_bytes()),
            ("Content-Type", b"application/x-www-form-urlencoded"),
        ];
        let (query, body) = if s.post {
            (None, Payload::Bytes(params.as_bytes()))
        } else {
            (Some(params.as_str()), Payload::Bytes(b""))
        };
        let req = RequestView::new(method, "/", query, &headers[..], body);
        assert!(verify(&req, &keys, &Policy::skip_clock(), &mut scratch).is_err());
        let e = explain(&req, &keys, &policy, &mut scratch, None);
        assert!(e.result.is_err());
    }
});
