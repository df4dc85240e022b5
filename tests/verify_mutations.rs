//! Mutations of real SDK captures are rejected with the exact `VerifyError` variant (hence
//! the code a Tencent Cloud server returns, `docs/cli.md`, `tc3 verify`); clock edges; policy
//! knobs.

#[path = "support/vec_sink.rs"]
mod vec_sink;
use vec_sink::VecSink;

mod verify_util;

use tc3::v3::AuthorizationError;
use tc3::verify::{
    verify, LegacyScratch, NotSigned, Param, Policy, RequireToken, Uncovered, ValueRule, Verified,
    VerifyError,
};
use verify_util::*;

/// The exact rejection expected: a pattern over [`VerifyError`] (`ScopeDate` and `Expired`
/// carry the capture's dates, matched as `{ .. }`; where the outcome depends on the
/// capture, e.g. a timestamp crossing midnight, the pattern names each possible variant).
type Want = fn(&VerifyError) -> bool;

const INVALID_AUTH: &str = "AuthFailure.InvalidAuthorization";
const SIG_FAIL: &str = "AuthFailure.SignatureFailure";
const EXPIRED: &str = "AuthFailure.SignatureExpire";
const NOT_FOUND: &str = "AuthFailure.SecretIdNotFound";
const MISSING: &str = "MissingParameter";
const INVALID: &str = "InvalidParameter";

macro_rules! w {
    ($p:pat) => {
        (|e: &VerifyError| matches!(e, $p)) as Want
    };
}

fn run(c: &Capture, policy: &Policy<'_>) -> Result<String, VerifyError> {
    let h = c.header_pairs();
    let req = view(c, &h);
    let keys = provider(c);
    let mut scratch = LegacyScratch::<16384, 256>::new();
    verify(&req, &keys, policy, &mut scratch).map(|v| v.sign_method().to_string())
}

/// A selection: the first 3 captures of every (folder, SDK, sign method, HTTP method), plus
/// every unsigned-payload capture.
fn selection() -> Vec<Capture> {
    let mut out = Vec::new();
    for dir in DIRS {
        for sdk in SDKS {
            let caps = load(dir, sdk);
            for sm in ["TC3-HMAC-SHA256", "HmacSHA1", "HmacSHA256"] {
                for m in ["GET", "POST"] {
                    out.extend(
                        caps.iter()
                            .filter(|c| c.sign_method == sm && c.method == m)
                            .take(3)
                            .cloned(),
                    );
                }
            }
            out.extend(caps.iter().filter(|c| c.unsigned_payload).take(2).cloned());
        }
    }
    out
}

struct Tally {
    n: usize,
}

impl Tally {
    fn expect(&mut self, what: &str, c: &Capture, policy: &Policy<'_>, want: Option<Want>) {
        let got = run(c, policy);
        match (want, &got) {
            (None, Ok(_)) => {}
            (Some(want), Err(e)) if want(e) => {
                let msg = e.to_string();
                // (some spec keys are one character long: only check real-sized keys)
                assert!(
                    c.secret_key.len() < 8 || !msg.contains(&c.secret_key),
                    "secret in message: {msg}"
                );
            }
            _ => panic!(
                "{} {}/{} {} [{}]: expected another outcome, got {:?}",
                what,
                c.dir,
                c.sdk,
                c.id,
                c.sign_method,
                got.as_ref().map_err(|e| (e.code(), e.to_string()))
            ),
        }
        self.n += 1;
    }
}

fn auth(c: &Capture) -> String {
    String::from_utf8(c.header("authorization").unwrap().to_vec()).unwrap()
}

fn with_auth(c: &Capture, f: impl FnOnce(&str) -> String) -> Capture {
    let mut m = c.clone();
    let a = f(&auth(c));
    m.set_header("authorization", a.as_bytes());
    m
}

fn mutated(c: &Capture, f: impl FnOnce(&mut Capture)) -> Capture {
    let mut m = c.clone();
    f(&mut m);
    m
}

#[test]
fn tc3_mutations_are_rejected_with_their_code() {
    let mut t = Tally { n: 0 };
    let caps: Vec<Capture> = selection().into_iter().filter(|c| c.is_tc3()).collect();
    assert!(caps.len() >= 40, "{}", caps.len());
    for c in &caps {
        let ts = c.spec_timestamp;
        let p = Policy::at(ts);
        t.expect("original", c, &p, None);

        // body
        let body = mutated(c, |m| m.body.extend_from_slice(b" "));
        // the unsigned payload does not cover the body (by design of the protocol)
        t.expect(
            "body",
            &body,
            &p,
            if c.unsigned_payload {
                None
            } else {
                Some(w!(VerifyError::SignatureMismatch))
            },
        );
        if !c.body.is_empty() {
            let flip = mutated(c, |m| m.body[0] ^= 1);
            t.expect(
                "body byte",
                &flip,
                &p,
                if c.unsigned_payload {
                    None
                } else {
                    Some(w!(VerifyError::SignatureMismatch))
                },
            );
        }
        // query
        let q = mutated(c, |m| {
            m.query = Some(match &m.query {
                Some(q) if !q.is_empty() => format!("{q}&Extra=1"),
                _ => "Extra=1".into(),
            })
        });
        t.expect("query", &q, &p, Some(w!(VerifyError::SignatureMismatch)));
        if let Some(q0) = c.query.as_deref().filter(|q| q.len() > 2) {
            let mut b = q0.as_bytes().to_vec();
            let last = b.len() - 1;
            b[last] = if b[last] == b'0' { b'1' } else { b'0' };
            let q = mutated(c, |m| m.query = Some(String::from_utf8(b).unwrap()));
            t.expect(
                "query byte",
                &q,
                &p,
                Some(w!(VerifyError::SignatureMismatch)),
            );
        }
        // host
        let host = String::from_utf8(c.header("host").unwrap().to_vec()).unwrap();
        let h1 = mutated(c, |m| m.set_header("host", format!("x{host}").as_bytes()));
        t.expect(
            "host (service label)",
            &h1,
            &p,
            Some(w!(VerifyError::ScopeService)),
        );
        let h2 = mutated(c, |m| {
            m.set_header("host", format!("{host}.evil").as_bytes())
        });
        t.expect(
            "host (suffix)",
            &h2,
            &p,
            Some(w!(VerifyError::SignatureMismatch)),
        );
        let h3 = mutated(c, |m| m.remove_header("host"));
        t.expect(
            "host absent",
            &h3,
            &p,
            Some(w!(VerifyError::SignedHeaderAbsent { index: 1 })),
        );
        // method
        let other = if c.method == "GET" { "POST" } else { "GET" };
        t.expect(
            "method",
            &mutated(c, |m| m.method = other.into()),
            &p,
            Some(w!(VerifyError::SignatureMismatch)),
        );
        t.expect(
            "method PUT",
            &mutated(c, |m| m.method = "PUT".into()),
            &p,
            Some(w!(VerifyError::UnsupportedMethod)),
        );
        // timestamp
        let plus1 = mutated(c, |m| {
            m.set_header("x-tc-timestamp", (ts + 1).to_string().as_bytes())
        });
        t.expect(
            "timestamp +1",
            &plus1,
            &p,
            Some(w!(
                VerifyError::ScopeDate { .. } | VerifyError::SignatureMismatch
            )),
        );
        t.expect(
            "timestamp absent",
            &mutated(c, |m| m.remove_header("x-tc-timestamp")),
            &p,
            Some(w!(VerifyError::MissingParameter(Param::XTcTimestamp))),
        );
        t.expect(
            "timestamp not decimal",
            &mutated(c, |m| m.set_header("x-tc-timestamp", b"17e8")),
            &p,
            Some(w!(VerifyError::InvalidParameter(Param::XTcTimestamp))),
        );
        t.expect(
            "timestamp negative",
            &mutated(c, |m| m.set_header("x-tc-timestamp", b"-1")),
            &p,
            Some(w!(VerifyError::InvalidParameter(Param::XTcTimestamp))),
        );
        t.expect(
            "timestamp twice",
            &mutated(c, |m| {
                m.headers
                    .push(("X-TC-Timestamp".into(), ts.to_string().into_bytes()))
            }),
            &p,
            Some(w!(VerifyError::InvalidParameter(Param::XTcTimestamp))),
        );
        // signature
        let sig = with_auth(c, |a| {
            let mut b = a.as_bytes().to_vec();
            let last = b.len() - 1;
            b[last] = if b[last] == b'0' { b'1' } else { b'0' };
            String::from_utf8(b).unwrap()
        });
        t.expect(
            "signature",
            &sig,
            &p,
            Some(w!(VerifyError::SignatureMismatch)),
        );
        t.expect(
            "signature uppercase",
            &with_auth(c, |a| {
                let (head, hex) = a.split_at(a.len() - 64);
                format!("{head}{}", hex.to_uppercase())
            }),
            &p,
            Some(w!(VerifyError::MalformedAuthorization(
                AuthorizationError::Signature
            ))),
        );
        t.expect(
            "signature short",
            &with_auth(c, |a| a[..a.len() - 1].to_string()),
            &p,
            Some(w!(VerifyError::MalformedAuthorization(
                AuthorizationError::Signature
            ))),
        );
        t.expect(
            "missing Authorization",
            &mutated(c, |m| m.remove_header("authorization")),
            &p,
            Some(w!(VerifyError::MissingSignature)),
        );
        t.expect(
            "Authorization twice",
            &mutated(c, |m| {
                let a = auth(c);
                m.headers.push(("Authorization".into(), a.into_bytes()))
            }),
            &p,
            Some(w!(VerifyError::MalformedAuthorization(
                AuthorizationError::Duplicate
            ))),
        );
        t.expect(
            "algorithm",
            &with_auth(c, |a| a.replacen("TC3-HMAC-SHA256", "TC3-HMAC-SHA1", 1)),
            &p,
            Some(w!(VerifyError::MalformedAuthorization(
                AuthorizationError::Algorithm
            ))),
        );
        // `,` separators are accepted as well as `, `
        t.expect(
            "compact separators",
            &with_auth(c, |a| a.replace(", ", ",")),
            &p,
            None,
        );
        // SecretId
        t.expect(
            "SecretId",
            &with_auth(c, |a| a.replacen("Credential=", "Credential=X", 1)),
            &p,
            Some(w!(VerifyError::SecretIdNotFound)),
        );
        // content type
        let ct = String::from_utf8(c.header("content-type").unwrap().to_vec()).unwrap();
        t.expect(
            "content-type",
            &mutated(c, |m| {
                m.set_header("content-type", format!("{ct}; charset=utf-8").as_bytes())
            }),
            &p,
            Some(w!(VerifyError::SignatureMismatch)),
        );
        t.expect(
            "content-type text",
            &mutated(c, |m| m.set_header("content-type", b"text/plain")),
            &p,
            Some(w!(VerifyError::SignatureMismatch)),
        );
        // Server rule: values are lowercased, so a case change of a signed value still
        // verifies; under the SDK (raw) rule alone it does not.
        let upper = mutated(c, |m| {
            m.set_header("content-type", ct.to_uppercase().as_bytes())
        });
        t.expect("content-type case (doc rule)", &upper, &p, None);
        t.expect(
            "content-type case (raw rule)",
            &upper,
            &p.with_values(ValueRule::Raw),
            Some(w!(VerifyError::SignatureMismatch)),
        );
        // signed-header list
        let sh = |list: &str| {
            with_auth(c, |a| {
                a.replacen(
                    "SignedHeaders=content-type;host",
                    &format!("SignedHeaders={list}"),
                    1,
                )
            })
        };
        t.expect(
            "SignedHeaders without host",
            &sh("content-type"),
            &p,
            Some(w!(VerifyError::HeaderNotSigned(NotSigned::Host))),
        );
        t.expect(
            "SignedHeaders without content-type",
            &sh("host"),
            &p,
            Some(w!(VerifyError::HeaderNotSigned(NotSigned::ContentType))),
        );
        t.expect(
            "SignedHeaders uppercase",
            &sh("Content-Type;host"),
            &p,
            Some(w!(VerifyError::MalformedAuthorization(
                AuthorizationError::SignedHeaders
            ))),
        );
        t.expect(
            "SignedHeaders repeated",
            &sh("content-type;host;host"),
            &p,
            Some(w!(VerifyError::MalformedAuthorization(
                AuthorizationError::SignedHeaders
            ))),
        );
        t.expect(
            "SignedHeaders empty name",
            &sh("content-type;;host"),
            &p,
            Some(w!(VerifyError::MalformedAuthorization(
                AuthorizationError::SignedHeaders
            ))),
        );
        t.expect(
            "SignedHeaders + x-tc-action",
            &sh("content-type;host;x-tc-action"),
            &p,
            Some(w!(VerifyError::SignatureMismatch)),
        );
        t.expect(
            "SignedHeaders + absent header",
            &sh("content-type;host;x-tc-nothing"),
            &p,
            Some(w!(VerifyError::SignedHeaderAbsent { index: 2 })),
        );
        t.expect(
            "SignedHeaders reordered",
            &sh("host;content-type"),
            &p,
            Some(w!(VerifyError::SignatureMismatch)),
        );
        // scope service and date
        let a = auth(c);
        let scope_start = a.find("Credential=").unwrap() + "Credential=".len();
        let parts: Vec<&str> = a[scope_start..]
            .split(',')
            .next()
            .unwrap()
            .split('/')
            .collect();
        let (date, service) = (parts[1], parts[2]);
        t.expect(
            "scope service",
            &with_auth(c, |a| a.replacen(&format!("/{service}/"), "/cvmx/", 1)),
            &p,
            Some(w!(VerifyError::ScopeService)),
        );
        t.expect(
            "configured service",
            c,
            &p.with_service("other"),
            Some(w!(VerifyError::ScopeService)),
        );
        t.expect("configured service ok", c, &p.with_service(service), None);
        let next = tc3::Date::from_unix(ts + 86_400).unwrap().to_string();
        let prev = tc3::Date::from_unix(ts - 86_400).unwrap().to_string();
        t.expect(
            "scope date +1 day",
            &with_auth(c, |a| a.replacen(date, &next, 1)),
            &p,
            Some(w!(VerifyError::ScopeDate { .. })),
        );
        t.expect(
            "scope date -1 day",
            &with_auth(c, |a| a.replacen(date, &prev, 1)),
            &p,
            Some(w!(VerifyError::ScopeDate { .. })),
        );
        t.expect(
            "scope date invalid",
            &with_auth(c, |a| a.replacen(date, "2019-02-30", 1)),
            &p,
            Some(w!(VerifyError::MalformedAuthorization(
                AuthorizationError::Date
            ))),
        );
        // clock edges
        for (d, ok) in [(299i64, true), (300, true), (301, false)] {
            for sign in [1i64, -1] {
                let now = (ts as i64 + sign * d) as u64;
                t.expect(
                    "clock",
                    c,
                    &Policy::at(now),
                    if ok {
                        None
                    } else {
                        Some(w!(VerifyError::Expired { .. }))
                    },
                );
            }
        }
        t.expect(
            "max age",
            c,
            &Policy::at(ts + 100).with_max_age(60),
            Some(w!(VerifyError::Expired { .. })),
        );
        // policy knobs
        t.expect(
            "hardened",
            c,
            &p.with_required_signed(Policy::HARDENED),
            Some(w!(VerifyError::HeaderNotSigned(NotSigned::Policy(0)))),
        );
        t.expect(
            "unsigned refused",
            c,
            &p.with_unsigned_payload(false),
            if c.unsigned_payload {
                Some(w!(VerifyError::UnsignedPayloadRefused))
            } else {
                None
            },
        );
        t.expect(
            "legacy refused (tc3 unaffected)",
            c,
            &p.with_legacy(false),
            None,
        );
    }
    println!("TC3: {} checks over {} captures", t.n, caps.len());
}

#[test]
fn legacy_mutations_are_rejected_with_their_code() {
    let mut t = Tally { n: 0 };
    let caps: Vec<Capture> = selection().into_iter().filter(|c| !c.is_tc3()).collect();
    assert!(caps.len() >= 80, "{}", caps.len());
    let set = |c: &Capture, k: &str, v: &str| {
        mutated(c, |m| {
            m.map_legacy_params(|p| {
                for (pk, pv) in p.iter_mut() {
                    if pk == k {
                        *pv = v.to_string();
                    }
                }
            })
        })
    };
    let remove =
        |c: &Capture, k: &str| mutated(c, |m| m.map_legacy_params(|p| p.retain(|(pk, _)| pk != k)));
    for c in &caps {
        let ts = c.spec_timestamp;
        let p = Policy::at(ts);
        t.expect("original", c, &p, None);
        // re-encoding the same parameters (another encoder, same decoded values) verifies
        t.expect(
            "re-encoded",
            &mutated(c, |m| m.map_legacy_params(|_| {})),
            &p,
            None,
        );
        // order does not matter
        t.expect(
            "reversed order",
            &mutated(c, |m| m.map_legacy_params(|p| p.reverse())),
            &p,
            None,
        );

        // body / query content: change a value, add / remove a parameter
        t.expect(
            "Action value",
            &set(c, "Action", "DeleteEverything"),
            &p,
            Some(w!(VerifyError::SignatureMismatch)),
        );
        t.expect(
            "extra parameter",
            &mutated(c, |m| {
                m.map_legacy_params(|p| p.push(("Extra".into(), "1".into())))
            }),
            &p,
            Some(w!(VerifyError::SignatureMismatch)),
        );
        t.expect(
            "parameter removed",
            &remove(c, "Action"),
            &p,
            Some(w!(VerifyError::SignatureMismatch)),
        );
        t.expect(
            "parameter twice",
            &mutated(c, |m| {
                m.map_legacy_params(|p| p.push(("Action".into(), "X".into())))
            }),
            &p,
            Some(w!(VerifyError::DuplicateParameter)),
        );
        t.expect(
            "Nonce",
            &set(c, "Nonce", "7"),
            &p,
            Some(w!(VerifyError::SignatureMismatch)),
        );
        t.expect(
            "Nonce absent",
            &remove(c, "Nonce"),
            &p,
            Some(w!(VerifyError::MissingParameter(Param::Nonce))),
        );
        t.expect(
            "Nonce not decimal",
            &set(c, "Nonce", "x"),
            &p,
            Some(w!(VerifyError::InvalidParameter(Param::Nonce))),
        );
        let other_method = if c.sign_method == "HmacSHA256" {
            "HmacSHA1"
        } else {
            "HmacSHA256"
        };
        t.expect(
            "SignatureMethod",
            &set(c, "SignatureMethod", other_method),
            &p,
            Some(w!(VerifyError::SignatureMismatch)),
        );
        // body vs query
        if c.method == "POST" {
            t.expect(
                "query beside a POST body",
                &mutated(c, |m| m.query = Some("Extra=1".into())),
                &p,
                Some(w!(VerifyError::NotCovered(Uncovered::PostQuery))),
            );
            t.expect(
                "content type",
                &mutated(c, |m| m.set_header("content-type", b"application/json")),
                &p,
                Some(w!(VerifyError::MissingSignature)),
            );
            t.expect(
                "content type with charset",
                &mutated(c, |m| {
                    m.set_header(
                        "content-type",
                        b"application/x-www-form-urlencoded; charset=utf-8",
                    )
                }),
                &p,
                None,
            );
            t.expect(
                "body byte",
                &mutated(c, |m| {
                    let i = m.body.windows(7).position(|w| w == b"Action=").unwrap() + 7;
                    m.body[i] = if m.body[i] == b'A' { b'B' } else { b'A' };
                }),
                &p,
                Some(w!(VerifyError::SignatureMismatch)),
            );
            t.expect(
                "body %-escape",
                &mutated(c, |m| m.body.extend_from_slice(b"&X=%G0")),
                &p,
                Some(w!(VerifyError::MalformedParameters)),
            );
        } else {
            t.expect(
                "query %-escape",
                &mutated(c, |m| {
                    m.query = Some(format!("{}&X=%G0", m.query.as_deref().unwrap_or("")))
                }),
                &p,
                Some(w!(VerifyError::MalformedParameters)),
            );
            t.expect(
                "no query",
                &mutated(c, |m| m.query = None),
                &p,
                Some(w!(VerifyError::MissingSignature)),
            );
        }
        // method / host
        let other = if c.method == "GET" { "POST" } else { "GET" };
        let swapped = mutated(c, |m| {
            let params = m.legacy_params();
            m.method = other.into();
            if other == "POST" {
                m.query = None;
                m.set_header("content-type", b"application/x-www-form-urlencoded");
            }
            m.set_legacy_params(&params);
        });
        t.expect(
            "method",
            &swapped,
            &p,
            Some(w!(
                VerifyError::NotCovered(Uncovered::GetBody) | VerifyError::SignatureMismatch
            )),
        );
        t.expect(
            "method PUT",
            &mutated(c, |m| m.method = "PUT".into()),
            &p,
            Some(w!(VerifyError::UnsupportedMethod)),
        );
        let host = String::from_utf8(c.header("host").unwrap().to_vec()).unwrap();
        t.expect(
            "host",
            &mutated(c, |m| m.set_header("host", format!("x{host}").as_bytes())),
            &p,
            Some(w!(VerifyError::SignatureMismatch)),
        );
        t.expect(
            "host absent",
            &mutated(c, |m| m.remove_header("host")),
            &p,
            Some(w!(VerifyError::SignedHeaderAbsent { index: 0 })),
        );
        // timestamp
        t.expect(
            "Timestamp +1",
            &set(c, "Timestamp", &(ts + 1).to_string()),
            &p,
            Some(w!(VerifyError::SignatureMismatch)),
        );
        t.expect(
            "Timestamp absent",
            &remove(c, "Timestamp"),
            &p,
            Some(w!(VerifyError::MissingParameter(Param::Timestamp))),
        );
        t.expect(
            "Timestamp not decimal",
            &set(c, "Timestamp", "1.5"),
            &p,
            Some(w!(VerifyError::InvalidParameter(Param::Timestamp))),
        );
        // signature
        let sig = c
            .legacy_params()
            .into_iter()
            .find(|(k, _)| k == "Signature")
            .unwrap()
            .1;
        let mut flipped = sig.clone().into_bytes();
        flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
        t.expect(
            "Signature",
            &set(c, "Signature", std::str::from_utf8(&flipped).unwrap()),
            &p,
            Some(w!(VerifyError::SignatureMismatch)),
        );
        t.expect(
            "Signature not base64",
            &set(c, "Signature", "!!"),
            &p,
            Some(w!(VerifyError::SignatureMismatch)),
        );
        t.expect(
            "Signature absent",
            &remove(c, "Signature"),
            &p,
            Some(w!(VerifyError::MissingSignature)),
        );
        t.expect(
            "Signature twice",
            &mutated(c, |m| {
                m.map_legacy_params(|p| p.push(("Signature".into(), sig.clone())))
            }),
            &p,
            Some(w!(VerifyError::DuplicateParameter)),
        );
        // SecretId
        t.expect(
            "SecretId",
            &set(c, "SecretId", "AKIDunknown"),
            &p,
            Some(w!(VerifyError::SecretIdNotFound)),
        );
        t.expect(
            "SecretId absent",
            &remove(c, "SecretId"),
            &p,
            Some(w!(VerifyError::MissingParameter(Param::SecretId))),
        );
        // clock edges
        for (d, ok) in [(299i64, true), (300, true), (301, false)] {
            for sign in [1i64, -1] {
                let now = (ts as i64 + sign * d) as u64;
                t.expect(
                    "clock",
                    c,
                    &Policy::at(now),
                    if ok {
                        None
                    } else {
                        Some(w!(VerifyError::Expired { .. }))
                    },
                );
            }
        }
        t.expect(
            "legacy refused",
            c,
            &p.with_legacy(false),
            Some(w!(VerifyError::MissingSignature)),
        );
    }
    println!("legacy: {} checks over {} captures", t.n, caps.len());
}

#[test]
fn token_policy() {
    let mut n = (0, 0);
    for dir in DIRS {
        for c in load(dir, "python") {
            let has_token = c.header("x-tc-token").is_some_and(|t| !t.is_empty())
                || c.legacy_params()
                    .iter()
                    .any(|(k, v)| k == "Token" && !v.is_empty());
            let h = c.header_pairs();
            let req = view(&c, &h);
            let keys = RequireToken {
                keys: provider(&c),
                needs_token: |_: &str| true,
            };
            let mut scratch = LegacyScratch::<16384, 256>::new();
            let r = verify(&req, &keys, &Policy::skip_clock(), &mut scratch);
            if has_token {
                let v = r.unwrap();
                assert!(v.token().value.is_some_and(|t| !t.is_empty()));
                n.0 += 1;
            } else {
                let e = r.unwrap_err();
                assert_eq!(e.code(), "AuthFailure.TokenFailure", "{}", c.id);
                n.1 += 1;
            }
        }
    }
    println!(
        "token policy: {} accepted with a token, {} refused without",
        n.0, n.1
    );
    assert!(n.0 > 0 && n.1 > 0);
}

#[test]
fn documented_edition_a_verifies_under_the_doc_rule_and_hardened_policy() {
    // doc-examples.json v3-doc-edition-a: X-TC-Action sent as `DescribeInstances`, signed as
    // `describeinstances`.
    let body = br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
    let headers: &[(&str, &[u8])] = &[
        ("Authorization", b"TC3-HMAC-SHA256 Credential=AKID********************************/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature=10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f"),
        ("Content-Type", b"application/json; charset=utf-8"),
        ("Host", b"cvm.tencentcloudapi.com"),
        ("X-TC-Action", b"DescribeInstances"),
        ("X-TC-Version", b"2017-03-12"),
        ("X-TC-Timestamp", b"1551113065"),
        ("X-TC-Region", b"ap-guangzhou"),
    ];
    let req =
        tc3::verify::RequestView::new("POST", "/", None, headers, tc3::v3::Payload::Bytes(body));
    let keys = |id: &str| {
        (id == "AKID********************************")
            .then(|| tc3::SecretKey::new("********************************").unwrap())
    };
    let mut scratch = LegacyScratch::<64, 4>::new();
    let p = Policy::at(1551113065).with_required_signed(Policy::HARDENED);
    let Verified::Tc3(v) = verify(&req, &keys, &p, &mut scratch).unwrap() else {
        panic!()
    };
    assert_eq!(v.value_rule, ValueRule::Doc);
    assert_eq!(v.action.value, Some("DescribeInstances"));
    assert!(v.action.signed && !v.version.signed);
    assert_eq!(
        v.signed_headers().collect::<Vec<_>>(),
        ["content-type", "host", "x-tc-action"]
    );
    assert_eq!(
        (v.service, v.date.to_string().as_str(), v.timestamp),
        ("cvm", "2019-02-25", 1551113065)
    );
    // the raw (SDK) rule alone refuses it: the value was lowercased when signed
    let e = verify(&req, &keys, &p.with_values(ValueRule::Raw), &mut scratch).unwrap_err();
    assert_eq!(e, VerifyError::SignatureMismatch);
    // another action under the same signature
    let mut h2 = headers.to_vec();
    h2[3].1 = b"TerminateInstances";
    let req2 =
        tc3::verify::RequestView::new("POST", "/", None, &h2[..], tc3::v3::Payload::Bytes(body));
    assert_eq!(
        verify(&req2, &keys, &p, &mut scratch).unwrap_err().code(),
        SIG_FAIL
    );
    // precomputed body digest
    use sha2::Digest;
    let d: [u8; 32] = sha2::Sha256::digest(body).into();
    let req3 =
        tc3::verify::RequestView::new("POST", "/", None, headers, tc3::v3::Payload::Sha256(d));
    assert!(verify(&req3, &keys, &p, &mut scratch).is_ok());
}

#[test]
fn messages_and_codes() {
    use tc3::v3::AuthorizationError;
    use tc3::verify::{NotSigned, Param};
    let all = [
        (VerifyError::UnsupportedMethod, "UnsupportedProtocol"),
        (VerifyError::MissingSignature, INVALID_AUTH),
        (
            VerifyError::MalformedAuthorization(AuthorizationError::Signature),
            INVALID_AUTH,
        ),
        (VerifyError::HeaderNotSigned(NotSigned::Host), INVALID_AUTH),
        (VerifyError::MissingParameter(Param::XTcTimestamp), MISSING),
        (VerifyError::InvalidParameter(Param::Nonce), INVALID),
        (VerifyError::TooLarge, "RequestSizeLimitExceeded"),
        (VerifyError::BodyUnavailable, "InternalError"),
        (VerifyError::SecretIdNotFound, NOT_FOUND),
        (
            VerifyError::Expired {
                timestamp: 1000,
                now: 1301,
            },
            EXPIRED,
        ),
        (VerifyError::ScopeService, SIG_FAIL),
        (VerifyError::SignatureMismatch, SIG_FAIL),
        (
            VerifyError::TokenRefused { present: false },
            "AuthFailure.TokenFailure",
        ),
    ];
    for (e, code) in all {
        assert_eq!(e.code(), code);
        assert!(!e.message().is_empty());
        assert_eq!(e.message().as_str(), e.to_string());
    }
    assert_eq!(
        VerifyError::Expired {
            timestamp: 1000,
            now: 1301
        }
        .to_string(),
        "the signature expired: the timestamp 1000 is 301 s behind the server time 1301"
    );
}

#[test]
fn error_envelope() {
    let e = VerifyError::Expired {
        timestamp: 1000,
        now: 1301,
    };
    let mut buf = [0u8; 512];
    let mut w = tc3::BufWriter::new(&mut buf);
    e.write_envelope("req-\"1\"\n", &mut w);
    let out = w.finish().unwrap();
    let v: serde_json::Value = serde_json::from_slice(out).unwrap();
    assert_eq!(
        v["Response"]["Error"]["Code"],
        "AuthFailure.SignatureExpire"
    );
    assert_eq!(
        v["Response"]["Error"]["Message"],
        "the signature expired: the timestamp 1000 is 301 s behind the server time 1301"
    );
    assert_eq!(v["Response"]["RequestId"], "req-\"1\"\n");
    // the crate's own envelope parser reads it back
    let env = tc3::envelope::parse(out).unwrap();
    assert!(env.error.is_some());
    // never truncated
    let mut small = [0u8; 40];
    let mut w = tc3::BufWriter::new(&mut small);
    e.write_envelope("r", &mut w);
    assert_eq!(w.finish(), Err(tc3::Error::capacity()));
    let mut sized = VecSink::default();
    e.write_envelope("r", &mut sized);
    let mut exact = vec![0u8; sized.0.len()];
    let mut w = tc3::BufWriter::new(&mut exact);
    e.write_envelope("r", &mut w);
    assert_eq!(w.finish().unwrap().len(), sized.0.len());
}

#[test]
fn explain_shows_the_documented_intermediate_values() {
    // docs/protocol-signing.md §3.1 edition B, with a wrong received signature
    let body = br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
    let headers: &[(&str, &[u8])] = &[
        ("Authorization", b"TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=0000000000000000000000000000000000000000000000000000000000000000"),
        ("Content-Type", b"application/json; charset=utf-8"),
        ("Host", b"cvm.tencentcloudapi.com"),
        ("X-TC-Timestamp", b"1551113065"),
    ];
    let req =
        tc3::verify::RequestView::new("POST", "/", None, headers, tc3::v3::Payload::Bytes(body));
    let keys = |id: &str| {
        (id == "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE")
            .then(|| tc3::SecretKey::new("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE").unwrap())
    };
    let mut out = VecSink::default();
    let mut scratch = LegacyScratch::<1024, 32>::new();
    let r = tc3::verify::explain(
        &req,
        &keys,
        &Policy::skip_clock(),
        &mut scratch,
        Some(&mut out),
    );
    assert_eq!(r.result.unwrap_err(), VerifyError::SignatureMismatch);
    assert_eq!(r.cause, tc3::verify::Cause::Unknown);
    let text = String::from_utf8(out.0).unwrap();
    assert!(text.contains("CanonicalRequest:\nPOST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064\n"), "{text}");
    assert!(text.contains("HashedCanonicalRequest: 5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031\n"));
    assert!(text.contains("StringToSign:\nTC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031\n"));
    assert!(text.contains(
        "ExpectedSignature: 72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168\n"
    ));
    assert!(text.contains(
        "ReceivedSignature: 0000000000000000000000000000000000000000000000000000000000000000\n"
    ));
    assert!(text.starts_with(
        "ReceivedSignature: 0000000000000000000000000000000000000000000000000000000000000000\nCanonicalRequest:\n"
    ), "{text}");
    assert!(
        text.ends_with(
            "ExpectedSignature: 72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168\n"
        ),
        "{text}"
    );
    assert!(!text.contains("Gu5t9x"));

    // §3.2 v1, old edition: the documented URL verifies, and explain shows its string to sign
    let q = "Action=DescribeInstances&InstanceIds.0=ins-09dx96dg&Limit=20&Nonce=11886&Offset=0&Region=ap-guangzhou&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE&Signature=EliP9YW3pW28FpsEdkXt%2F%2BWcGeI%3D&Timestamp=1465185768&Version=2017-03-12";
    let h: &[(&str, &[u8])] = &[("Host", b"cvm.tencentcloudapi.com")];
    let req = tc3::verify::RequestView::new("GET", "/", Some(q), h, tc3::v3::Payload::Bytes(b""));
    let mut scratch = LegacyScratch::<1024, 32>::new();
    let mut out = VecSink::default();
    let r = tc3::verify::explain(
        &req,
        &keys,
        &Policy::at(1465185768),
        &mut scratch,
        Some(&mut out),
    );
    assert_eq!(r.cause, tc3::verify::Cause::Ok);
    let Ok(Verified::Legacy(v)) = r.result else {
        panic!()
    };
    assert_eq!((v.nonce, v.method.as_str()), (11886, "HmacSHA1"));
    assert_eq!(v.param("InstanceIds.0"), Some("ins-09dx96dg"));
    let text = String::from_utf8(out.0).unwrap();
    assert!(text.contains("StringToSign:\nGETcvm.tencentcloudapi.com/?Action=DescribeInstances&InstanceIds.0=ins-09dx96dg&Limit=20&Nonce=11886&Offset=0&Region=ap-guangzhou&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE&Timestamp=1465185768&Version=2017-03-12\nExpectedSignature: EliP9YW3pW28FpsEdkXt/+WcGeI=\n"), "{text}");
    assert!(
        text.starts_with("SignatureMethod: HmacSHA1\nReceivedSignature: EliP9YW3pW28FpsEdkXt/+WcGeI=\nKeyRule: `_` -> `.`\n"),
        "{text}"
    );
}
