//! Round trips: what `tc3` signs (TC3 and legacy, random requests) verifies, and a random
//! single-byte change of any signed component is rejected.

#[path = "support/vec_sink.rs"]
mod vec_sink;
use vec_sink::VecSink;

use proptest::prelude::*;
use tc3::v1::{self, KeyRule, SignatureMethod};
use tc3::v3::{self, Common, Method, Payload, Request};
use tc3::verify::{verify, LegacyScratch, Policy, RequestView, Verified};
use tc3::{Credential, SecretKey};

/// XOR masks of a "single-byte change". 0x20 is left out: it flips ASCII case, which the
/// documented server rule ignores in TC3 header values (values are lowercased).
const MASKS: [u8; 7] = [0x01, 0x02, 0x04, 0x08, 0x10, 0x40, 0x80];

#[derive(Clone, Debug)]
struct Tc3Case {
    get: bool,
    label: String,
    action: String,
    timestamp: u64,
    body: Vec<u8>,
    query_pairs: Vec<(String, String)>,
    content_type: String,
    sign_action: bool,
    unsigned: bool,
    id: String,
    key: String,
}

fn tc3_case() -> impl Strategy<Value = Tc3Case> {
    (
        any::<bool>(),
        "[a-z][a-z0-9]{0,7}",
        "[A-Z][A-Za-z]{0,12}",
        0u64..=4_102_444_800,
        proptest::collection::vec(any::<u8>(), 0..200),
        proptest::collection::vec(("[A-Za-z][A-Za-z0-9.]{0,8}", "\\PC{0,12}"), 0..6),
        prop_oneof![
            Just("application/json".to_string()),
            Just("application/json; charset=utf-8".to_string()),
            Just("application/octet-stream".to_string()),
        ],
        any::<bool>(),
        any::<bool>(),
        "AKID[A-Za-z0-9]{4,32}",
        "[!-~]{1,80}",
    )
        .prop_map(
            |(
                get,
                label,
                action,
                timestamp,
                body,
                query_pairs,
                content_type,
                sign_action,
                unsigned,
                id,
                key,
            )| {
                Tc3Case {
                    get,
                    label,
                    action,
                    timestamp,
                    body,
                    query_pairs,
                    content_type,
                    sign_action,
                    unsigned: unsigned && !get,
                    id,
                    key,
                }
            },
        )
}

/// A request on the wire: every component as bytes (mutated freely; method and query are
/// handed to the view lossily decoded, which keeps a change a change).
#[derive(Clone)]
struct Wire {
    method: Vec<u8>,
    query: Option<Vec<u8>>,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl Wire {
    fn component(&mut self, target: &str) -> &mut Vec<u8> {
        match target {
            "method" => &mut self.method,
            "query" => self.query.as_mut().unwrap(),
            "body" => &mut self.body,
            h => {
                &mut self
                    .headers
                    .iter_mut()
                    .find(|(k, _)| k.eq_ignore_ascii_case(h))
                    .unwrap()
                    .1
            }
        }
    }

    fn run(
        &self,
        keys: &impl tc3::verify::KeyProvider,
        now: u64,
        check: impl FnOnce(Verified<'_>),
    ) -> Result<(), String> {
        let method = String::from_utf8_lossy(&self.method);
        let query = self.query.as_ref().map(|q| String::from_utf8_lossy(q));
        let headers: Vec<(&str, &[u8])> = self
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_slice()))
            .collect();
        let req = RequestView::new(
            &method,
            "/",
            query.as_deref(),
            &headers[..],
            Payload::Bytes(&self.body),
        );
        let mut scratch = LegacyScratch::<4096, 64>::new();
        // explain is the same verification observed: the same verdict, `ok` iff accepted
        let mut text = VecSink::default();
        let x = tc3::verify::explain(&req, keys, &Policy::at(now), &mut scratch, Some(&mut text));
        let explained = x.result.as_ref().map(|_| ()).map_err(|e| *e);
        assert_eq!(x.cause == tc3::verify::Cause::Ok, explained.is_ok());
        let mut scratch = LegacyScratch::<4096, 64>::new();
        let verdict = verify(&req, keys, &Policy::at(now), &mut scratch);
        assert_eq!(verdict.as_ref().map(|_| ()).map_err(|e| *e), explained);
        match verdict {
            Ok(v) => {
                check(v);
                Ok(())
            }
            Err(e) => Err(format!("{} {e}", e.code())),
        }
    }
}

fn sign_tc3(c: &Tc3Case) -> Wire {
    let host = format!("{}.tencentcloudapi.com", c.label);
    let mut pairs: Vec<(&str, &str)> = c
        .query_pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    pairs.dedup_by(|a, b| a.0 == b.0);
    let mut query = vec![0u8; 1 << 16];
    let mut w = tc3::BufWriter::new(&mut query);
    tc3::params::write_sorted_query(&mut pairs, &mut w).unwrap();
    let query = w.finish_str().unwrap().to_owned();
    let extra = [("X-TC-Action", c.action.as_str())];
    let mut req = if c.get {
        Request::new_get(&host, &query)
    } else {
        Request::new_post(&host, &c.content_type, &c.body)
    };
    if c.sign_action {
        req.extra_signed_headers = &extra;
    }
    if c.unsigned {
        req.payload = Payload::Unsigned;
    }
    let cred = Credential::new(&c.id, &c.key).unwrap();
    let common =
        Common::new(&c.label, &c.action, "2017-03-12", c.timestamp).with_region("ap-guangzhou");
    let signed = v3::sign_fresh(&cred, &common, &req).unwrap();
    assert!(matches!(req.method, Method::Get | Method::Post));
    Wire {
        method: req.method.as_str().as_bytes().to_vec(),
        query: c.get.then(|| query.clone().into_bytes()),
        headers: signed
            .headers()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect(),
        body: if c.get { Vec::new() } else { c.body.clone() },
    }
}

#[derive(Clone, Debug)]
struct LegacyCase {
    get: bool,
    label: String,
    params: Vec<(String, String)>,
    timestamp: u64,
    nonce: u64,
    sha256: bool,
    raw_rule: bool,
    id: String,
    key: String,
}

fn legacy_case() -> impl Strategy<Value = LegacyCase> {
    (
        any::<bool>(),
        "[a-z][a-z0-9]{0,7}",
        proptest::collection::vec(("[A-Z][A-Za-z0-9_.]{0,10}", "\\PC{0,16}"), 0..8),
        0u64..=4_102_444_800,
        0u64..=i64::MAX as u64,
        any::<bool>(),
        any::<bool>(),
        "AKID[A-Za-z0-9]{4,32}",
        "[!-~]{1,80}",
    )
        .prop_map(
            |(get, label, mut params, timestamp, nonce, sha256, raw_rule, id, key)| {
                // Two names that sign alike under the `_` -> `.` rule (`Q_` and `Q.`) are refused
                // as ambiguous (tests/verify_issue11.rs, item 5): keep the first of each.
                let mut seen = std::collections::HashSet::new();
                params.retain(|(k, _)| seen.insert(k.replace('_', ".")));
                LegacyCase {
                    get,
                    label,
                    params,
                    timestamp,
                    nonce,
                    sha256,
                    raw_rule,
                    id,
                    key,
                }
            },
        )
}

const COMMON_NAMES: [&str; 7] = [
    "Action",
    "Version",
    "Timestamp",
    "Nonce",
    "SecretId",
    "SignatureMethod",
    "Signature",
];

fn sign_legacy(c: &LegacyCase) -> Wire {
    let host = format!("{}.tencentcloudapi.com", c.label);
    let ts = c.timestamp.to_string();
    let nonce = c.nonce.to_string();
    let sm = if c.sha256 {
        SignatureMethod::HmacSha256
    } else {
        SignatureMethod::HmacSha1
    };
    let mut pairs: Vec<(&str, &str)> = vec![
        ("Action", "DescribeInstances"),
        ("Version", "2017-03-12"),
        ("Timestamp", &ts),
        ("Nonce", &nonce),
        ("SecretId", &c.id),
        ("SignatureMethod", sm.as_str()),
    ];
    for (k, v) in &c.params {
        if !COMMON_NAMES.contains(&k.as_str()) && !pairs.iter().any(|(pk, _)| pk == k) {
            pairs.push((k, v));
        }
    }
    let method = if c.get { "GET" } else { "POST" };
    let rule = if c.raw_rule {
        KeyRule::Raw
    } else {
        KeyRule::UnderscoreAsDot
    };
    let key = SecretKey::new(&c.key).unwrap();
    let sig = v1::sign(
        &v1::Request::get(&host).with_method(method).with_rule(rule),
        &mut pairs,
        &key,
    )
    .unwrap();
    let mut wire = VecSink::default();
    v1::write_request(&pairs, &sig, &mut wire);
    let wire = wire.0;
    let mut headers = vec![("Host".to_string(), host.into_bytes())];
    if !c.get {
        headers.push((
            "Content-Type".to_string(),
            b"application/x-www-form-urlencoded".to_vec(),
        ));
    }
    Wire {
        method: method.as_bytes().to_vec(),
        query: c.get.then(|| wire.clone()),
        headers,
        body: if c.get { Vec::new() } else { wire },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn tc3_round_trip_and_single_byte_changes(
        c in tc3_case(),
        pick in any::<prop::sample::Index>(),
        pos in any::<prop::sample::Index>(),
        mask in prop::sample::select(&MASKS[..]),
    ) {
        let keys = |id: &str| (id == c.id).then(|| SecretKey::new(&c.key).unwrap());
        let w = sign_tc3(&c);
        let r = w.run(&keys, c.timestamp, |v| {
            let Verified::Tc3(v) = v else { panic!("not TC3") };
            assert_eq!(v.secret_id, c.id);
            assert_eq!(v.service, c.label);
            assert_eq!(v.timestamp, c.timestamp);
            assert_eq!(v.unsigned_payload, c.unsigned);
            assert_eq!(v.is_signed("x-tc-action"), c.sign_action);
        });
        prop_assert!(r.is_ok(), "{:?}", r);

        // every signed component
        let mut targets = vec!["method", "host", "content-type", "x-tc-timestamp", "authorization"];
        if c.get && !w.query.as_ref().unwrap().is_empty() { targets.push("query"); }
        if !c.get && !c.unsigned && !c.body.is_empty() { targets.push("body"); }
        if c.sign_action { targets.push("x-tc-action"); }
        if c.unsigned { targets.push("x-tc-content-sha256"); }
        let target = targets[pick.index(targets.len())];
        let mut m = w.clone();
        let bytes = m.component(target);
        let i = pos.index(bytes.len());
        bytes[i] ^= mask;
        prop_assert!(m.run(&keys, c.timestamp, |_| {}).is_err(), "{} [{}] ^ {:#x} accepted", target, i, mask);
    }

    #[test]
    fn legacy_round_trip_and_single_byte_changes(
        c in legacy_case(),
        pick in any::<bool>(),
        pos in any::<prop::sample::Index>(),
        mask in prop::sample::select(&MASKS[..]),
    ) {
        let keys = |id: &str| (id == c.id).then(|| SecretKey::new(&c.key).unwrap());
        let w = sign_legacy(&c);
        let r = w.run(&keys, c.timestamp, |v| {
            let Verified::Legacy(v) = v else { panic!("not legacy") };
            assert_eq!(v.secret_id, c.id);
            assert_eq!(v.timestamp, c.timestamp);
            assert_eq!(v.nonce, c.nonce);
            assert_eq!(v.method.as_str(), if c.sha256 { "HmacSHA256" } else { "HmacSHA1" });
            let underscore = v.params().any(|(k, _)| k.contains('_'));
            let expected = if c.raw_rule && underscore { KeyRule::Raw } else { KeyRule::UnderscoreAsDot };
            assert_eq!(v.key_rule, expected);
        });
        prop_assert!(r.is_ok(), "{:?}", r);

        // the signed components: the parameters (query / body) and the host
        let target = if pick { "host" } else if c.get { "query" } else { "body" };
        let mut m = w.clone();
        let bytes = m.component(target);
        let i = pos.index(bytes.len());
        bytes[i] ^= mask;
        prop_assert!(m.run(&keys, c.timestamp, |_| {}).is_err(), "{} [{}] ^ {:#x} accepted: {:?}", target, i, mask, String::from_utf8_lossy(bytes_of(&m, target)));
    }
}

fn bytes_of<'w>(w: &'w Wire, target: &str) -> &'w [u8] {
    match target {
        "query" => w.query.as_deref().unwrap(),
        "body" => &w.body,
        _ => &w.headers[0].1,
    }
}
