//! `tc3 explain`: every intermediate value of a captured request's signature, for humans, and
//! a diagnosis of the first difference.

use crate::io::for_each_json_line;
use crate::spec::Capture;
use crate::verify::{claimed, form_params, with_view, Options, Scratch};
use crate::Outcome;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use tc3::encode::hex32;
use tc3::v3::{self, authorization, canonical::HeaderEntry};
use tc3::{v1, verify, Date};

pub fn run(args: &mut lexopt::Parser) -> Result<Outcome, String> {
    let opts = Options::parse(args)?;
    let policy = opts.policy();
    let lookup = |id: &str| opts.lookup(id);
    let mut scratch: Box<Scratch> = Box::default();
    let mut outcome = Outcome::Ok;
    let malformed = for_each_json_line(|n, v| {
        let cap = match Capture::from_json(&v) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("tc3: line {n}: {e}");
                outcome = Outcome::Malformed;
                return;
            }
        };
        let verdict = with_view(&cap, |view| {
            verify::verify(view, &lookup, &policy, &mut scratch)
                .map(|_| ())
                .map_err(|e| (e.code(), e.to_string()))
        });
        let mut out = String::new();
        let _ = writeln!(out, "== capture {} ({} {})", cap.id, cap.method, cap.path);
        match &verdict {
            Ok(()) => {
                let _ = writeln!(out, "verdict: accepted");
            }
            Err((code, msg)) => {
                let _ = writeln!(out, "verdict: rejected with {code}: {msg}");
                if outcome == Outcome::Ok {
                    outcome = Outcome::Rejected;
                }
            }
        }
        if cap.header("authorization").is_some() {
            explain_v3(&cap, &opts, &mut out);
        } else {
            explain_v1(&cap, &opts, &mut out);
        }
        println!("{out}");
    })?;
    if malformed {
        outcome = Outcome::Malformed;
    }
    Ok(outcome)
}

/// Shows line ends: `\n` becomes `⏎` followed by a real line break.
fn visible(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).replace('\n', "⏎\n    ")
}

fn explain_v3(cap: &Capture, opts: &Options, out: &mut String) {
    let raw = cap.header("authorization").unwrap_or_default();
    let auth = match authorization::parse(raw.as_bytes()) {
        Ok(a) => a,
        Err(e) => {
            let _ = writeln!(out, "diagnosis: the Authorization header is malformed: {e}");
            return;
        }
    };
    let _ = writeln!(out, "algorithm:        TC3-HMAC-SHA256");
    let _ = writeln!(
        out,
        "credential scope: {}/{}/{}/tc3_request",
        auth.secret_id, auth.date, auth.service
    );
    let _ = writeln!(out, "signed headers:   {}", auth.signed_headers);
    let ts_text = cap.header("x-tc-timestamp").unwrap_or_default();
    let ts = tc3::encode::parse_decimal(ts_text.as_bytes());
    let date = ts.and_then(|t| Date::from_unix(t).ok());
    let (Some(ts), Some(date)) = (ts, date) else {
        let _ = writeln!(
            out,
            "diagnosis: X-TC-Timestamp {ts_text:?} is missing or not a decimal timestamp"
        );
        return;
    };
    let _ = writeln!(out, "X-TC-Timestamp:   {ts} (UTC date {date})");
    let host = cap.header("host").unwrap_or_default();
    let host_service = host.split('.').next().unwrap_or_default();
    let unsigned = cap
        .header("x-tc-content-sha256")
        .is_some_and(|v| v.trim() == v3::UNSIGNED_PAYLOAD);
    let payload_hex = if unsigned {
        v3::hash_payload(&v3::Payload::Unsigned)
    } else {
        hex32(&Sha256::digest(&cap.body).into())
    };
    let _ = writeln!(
        out,
        "hashed payload:   {}{}",
        String::from_utf8_lossy(&payload_hex),
        if unsigned { " (UNSIGNED-PAYLOAD)" } else { "" }
    );
    // the signed headers with their received values
    let mut entries = Vec::new();
    let mut diagnosis: Vec<String> = Vec::new();
    for name in auth.signed_headers() {
        let values: Vec<&str> = cap
            .headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect();
        match values.as_slice() {
            [v] => entries.push((name, *v)),
            [] => diagnosis.push(format!("signed header `{name}` is absent from the request")),
            _ => diagnosis.push(format!("signed header `{name}` is sent more than once")),
        }
    }
    for req in ["content-type", "host"] {
        if !auth.signed_headers().any(|n| n == req) {
            diagnosis.push(format!(
                "`{req}` is not signed (AuthFailure.InvalidAuthorization)"
            ));
        }
    }
    if auth.date.as_bytes() != date.to_bytes() {
        diagnosis.push(format!(
            "the scope date {} is not {date}, the UTC date of X-TC-Timestamp (a signer using local time?)",
            auth.date
        ));
    }
    if auth.service != host_service {
        diagnosis.push(format!(
            "the scope service `{}` is not `{host_service}`, the first label of Host",
            auth.service
        ));
    }
    let key = opts.lookup(auth.secret_id);
    if key.is_none() {
        diagnosis.push(format!(
            "SecretId {} is not in KEYS.json (AuthFailure.SecretIdNotFound)",
            auth.secret_id
        ));
    }
    let scope_date = Date::parse(auth.date.as_bytes()).unwrap_or(date);
    let mut matched = None;
    let uris: &[&str] = if cap.path == "/" {
        &["/"]
    } else {
        &[&cap.path, "/"]
    };
    for (i, fold) in [true, false].into_iter().enumerate() {
        for uri in uris {
            if i == 1
                && !entries
                    .iter()
                    .any(|(_, v)| v.bytes().any(|b| b.is_ascii_uppercase()))
            {
                continue;
            }
            let hdrs: Vec<HeaderEntry<'_>> = entries
                .iter()
                .map(|(n, v)| HeaderEntry {
                    name: n,
                    value: v,
                    fold,
                })
                .collect();
            let mut cr = Vec::new();
            v3::canonical::write_canonical_request(
                &mut cr,
                &cap.method,
                uri,
                cap.query.as_deref().unwrap_or_default(),
                &hdrs,
                &payload_hex,
            );
            let hcr = hex32(&Sha256::digest(&cr).into());
            let mut sts = Vec::new();
            v3::canonical::write_string_to_sign(&mut sts, ts, scope_date, auth.service, &hcr);
            let rule = if fold {
                "doc rule: values trimmed and lowercased"
            } else {
                "SDK rule: values as sent"
            };
            let _ = writeln!(
                out,
                "canonical request (URI {uri}, {rule}):\n    {}",
                visible(&cr)
            );
            let _ = writeln!(
                out,
                "hashed canonical request: {}",
                String::from_utf8_lossy(&hcr)
            );
            let _ = writeln!(out, "string to sign:\n    {}", visible(&sts));
            if let Some(k) = &key {
                match v3::SigningKey::derive(k, scope_date, auth.service) {
                    Ok(sk) => {
                        let sig = sk.sign_raw(&sts);
                        let _ = writeln!(out, "expected signature: {}", sig.as_hex());
                        if sig.ct_eq_hex(auth.signature_hex.as_bytes()) && matched.is_none() {
                            matched = Some((uri.to_string(), fold));
                        }
                    }
                    Err(e) => diagnosis.push(format!("cannot derive the signing key: {e}")),
                }
            }
        }
    }
    let _ = writeln!(out, "received signature: {}", auth.signature_hex);
    match matched {
        Some((uri, fold)) => {
            let _ = writeln!(
                out,
                "signature: matches (canonical URI {uri}, {})",
                if fold { "lowercased values" } else { "raw values" }
            );
        }
        None if key.is_some() && diagnosis.is_empty() => diagnosis.push(
            "the signature differs: the signer hashed other bytes — compare its canonical request with the one above (method, query, header values, body)".into(),
        ),
        None => {}
    }
    for d in diagnosis.iter().take(1) {
        let _ = writeln!(out, "diagnosis: {d}");
    }
    for d in diagnosis.iter().skip(1) {
        let _ = writeln!(out, "also: {d}");
    }
}

fn explain_v1(cap: &Capture, opts: &Options, out: &mut String) {
    let (method, id) = claimed(cap);
    let Some(method) = method.as_str() else {
        let _ = writeln!(
            out,
            "diagnosis: no Authorization header and no legacy Signature parameter"
        );
        return;
    };
    let source: &[u8] = if cap.method == "POST" {
        &cap.body
    } else {
        cap.query.as_deref().unwrap_or_default().as_bytes()
    };
    let params = form_params(source);
    let received = params.get("Signature").cloned().unwrap_or_default();
    let mut pairs: Vec<(&str, &str)> = params
        .iter()
        .filter(|(k, _)| *k != "Signature")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    pairs.sort_unstable();
    let _ = writeln!(out, "algorithm: {method} (legacy)");
    let host = cap.header("host").unwrap_or_default();
    let sm = v1::SignatureMethod::from_param(params.get("SignatureMethod").map(String::as_str));
    let key = id.as_str().and_then(|i| opts.lookup(i));
    if key.is_none() {
        let _ = writeln!(out, "diagnosis: SecretId {id} is not in KEYS.json");
    }
    let mut matched = false;
    for rule in [v1::KeyRule::UnderscoreAsDot, v1::KeyRule::Raw] {
        let mut sts = Vec::new();
        if let Err(e) =
            v1::write_string_to_sign(&cap.method, host, &cap.path, &pairs, rule, &mut sts)
        {
            let _ = writeln!(out, "diagnosis: the parameters cannot be signed: {e}");
            return;
        }
        let _ = writeln!(
            out,
            "string to sign ({rule:?}):\n    {}",
            String::from_utf8_lossy(&sts)
        );
        if let Some(k) = &key {
            if let Ok(sig) = v1::sign_string_to_sign(&sts, k, sm) {
                let _ = writeln!(out, "expected signature: {}", sig.as_str());
                matched |= sig.ct_eq_base64(received.as_bytes());
            }
        }
    }
    let _ = writeln!(out, "received signature: {received}");
    if key.is_some() {
        let _ = writeln!(
            out,
            "{}",
            if matched {
                "signature: matches"
            } else {
                "diagnosis: the signature differs: the signer signed other parameters, host, method or key"
            }
        );
    }
}
