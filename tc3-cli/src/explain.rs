//! `tc3 explain`: every intermediate value of a captured request's signature, for humans, and
//! a diagnosis of the first difference.
//!
//! The intermediate values come from the library's own explainers
//! (`tc3::v3::verify::explain`, `tc3::v1::verify::explain`), which use the very writers the
//! verifier hashes; this module only lays them out and adds a diagnosis.

use crate::spec::Capture;
use crate::verify::{claimed, for_each_capture, with_view, Options, Scratch};
use crate::Outcome;
use std::fmt::Write as _;
use tc3::v3::authorization;
use tc3::verify::VerifyError;
use tc3::Date;

pub fn run(args: &mut lexopt::Parser) -> Result<Outcome, String> {
    let opts = Options::parse(args)?;
    let policy = opts.policy();
    let lookup = |id: &str| opts.lookup(id);
    let mut scratch: Box<Scratch> = Box::default();
    let mut outcome = Outcome::Ok;
    let malformed = for_each_capture(|cap| {
        let tc3 = cap.header("authorization").is_some();
        let mut text = Vec::new();
        let verdict = with_view(&cap, |view| {
            if tc3 {
                tc3::v3::verify::explain(view, &lookup, &policy, &mut text).map(|_| ())
            } else {
                tc3::v1::verify::explain(view, &lookup, &policy, &mut scratch, &mut text)
                    .map(|_| ())
            }
        });
        let mut out = String::new();
        let (method, id) = claimed(&cap);
        let _ = writeln!(
            out,
            "== capture {} ({} {}; {}, SecretId {})",
            cap.id,
            cap.method,
            cap.path,
            method.as_str().unwrap_or("no signature"),
            id.as_str().unwrap_or("?")
        );
        out.push_str(&layout(&String::from_utf8_lossy(&text)));
        match verdict {
            Ok(()) => {
                let _ = writeln!(out, "verdict: accepted");
            }
            Err(e) => {
                let _ = writeln!(out, "verdict: rejected with {}: {e}", e.code());
                let _ = writeln!(out, "diagnosis: {}", diagnose(&cap, &opts, e, tc3));
                if outcome == Outcome::Ok {
                    outcome = Outcome::Rejected;
                }
            }
        }
        println!("{out}");
    })?;
    Ok(if malformed {
        Outcome::Malformed
    } else {
        outcome
    })
}

/// Indents the multi-line values (canonical request, string to sign) and shows their line
/// ends as `⏎`, so that an empty line or a trailing space is visible.
fn layout(text: &str) -> String {
    let mut out = String::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut in_block = false;
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with("Result: ") {
            continue; // the verdict line below says it
        }
        let is_label =
            line.ends_with(':') && !line.contains(' ') || line.starts_with("StringToSign");
        if is_label && line.ends_with(':') {
            in_block = true;
            let _ = writeln!(out, "{line}");
            continue;
        }
        if in_block {
            // a block ends before the next `Label: value` line
            let next_is_label = lines.get(i + 1).is_none_or(|n| {
                n.split_once(": ").is_some_and(|(k, _)| {
                    !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric())
                }) || n.ends_with(':') && !n.contains(' ')
            });
            if next_is_label {
                let _ = writeln!(out, "    {line}");
                in_block = false;
            } else {
                let _ = writeln!(out, "    {line}⏎");
            }
            continue;
        }
        let _ = writeln!(out, "{line}");
    }
    out
}

/// The first difference, in words, for a rejected request.
fn diagnose(cap: &Capture, opts: &Options, e: VerifyError, tc3: bool) -> String {
    if !tc3 {
        return match e {
            VerifyError::SignatureMismatch => "the legacy signature differs: the signer signed other parameters (compare its string to sign with the one above: values raw, names sorted, `_` in names as `.` for the Python/Java rule), another host, method or path, or used another key".into(),
            other => other.to_string(),
        };
    }
    let raw = cap.header("authorization").unwrap_or_default();
    let auth = match authorization::parse(raw.as_bytes()) {
        Ok(a) => a,
        Err(err) => return format!("the Authorization header is malformed: {err}"),
    };
    let host = cap.header("host").unwrap_or_default();
    let host_service = host.split('.').next().unwrap_or_default();
    let ts_date = cap
        .header("x-tc-timestamp")
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|t| t.parse::<u64>().ok())
        .and_then(|t| Date::from_unix(t).ok());
    if let Some(d) = ts_date {
        if auth.date.as_bytes() != d.to_bytes() {
            return format!(
                "the credential scope date {} is not {d}, the UTC date of X-TC-Timestamp (did the signer use local time?)",
                auth.date
            );
        }
    }
    if auth.service != host_service && matches!(e, VerifyError::ScopeService) {
        return format!(
            "the credential scope service `{}` is not `{host_service}`, the first label of Host",
            auth.service
        );
    }
    for name in auth.signed_headers() {
        if cap.header(name).is_none() {
            return format!("signed header `{name}` is not in the request");
        }
    }
    if opts.lookup(auth.secret_id).is_none() {
        return format!("SecretId {} is not in KEYS.json", auth.secret_id);
    }
    match e {
        VerifyError::SignatureMismatch => "the signature differs: the signer hashed other bytes — compare its canonical request with the one above (method, canonical URI, query string, signed header values, payload hash), or it used another key".into(),
        other => other.to_string(),
    }
}
