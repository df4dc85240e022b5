//! `tc3 explain`: every intermediate value of a captured request's signature, for humans
//! (or one JSON object per capture with `--json`), and a diagnosis naming the signer's
//! mistake.
//!
//! The values come from the library's one verification path (`tc3::verify::explain` writing its
//! labelled text trace): what is shown is what `verify` computed. This module only lays
//! them out. The output contains the expected signature: it is for the operator, never for
//! the client.

use crate::io::print_line;
use crate::verify::{claimed, for_each_capture, message, with_policy, with_view, Options, Scratch};
use crate::Outcome;
use serde_json::json;
use std::fmt::Write as _;
use tc3::verify::Policy;

pub fn run(args: &mut lexopt::Parser) -> Result<Outcome, String> {
    let opts = Options::parse(args)?;
    with_policy(&opts, |policy| run_with(&opts, policy))
}

fn run_with(opts: &Options, policy: &Policy<'_>) -> Result<Outcome, String> {
    let lookup = |id: &str| opts.lookup(id);
    let mut scratch: Box<Scratch> = Box::default();
    let mut outcome = Outcome::Ok;
    let malformed = for_each_capture(|cap| {
        let mut text = Vec::new();
        let (verdict, cause) = with_view(&cap, |view| {
            let e = tc3::verify::explain(view, &lookup, policy, &mut scratch, Some(&mut text));
            (e.result.map(|_| ()), e.cause)
        });
        if verdict.is_err() && outcome == Outcome::Ok {
            outcome = Outcome::Rejected;
        }
        let (method, id) = claimed(&cap);
        let text = String::from_utf8_lossy(&text).into_owned();
        if opts.json {
            let (code, msg) = match &verdict {
                Ok(()) => (json!(null), json!(null)),
                Err(e) => (json!(e.code()), json!(message(e, cause))),
            };
            print_line(&json!({
                "id": cap.id, "ok": verdict.is_ok(), "sign_method": method, "secret_id": id,
                "code": code, "message": msg,
                "diagnosis": {"cause": cause.code(), "message": cause.message()},
                "trace": text,
            }));
            return;
        }
        let mut out = String::new();
        let _ = writeln!(
            out,
            "== capture {} ({} {}; {}, SecretId {})",
            cap.id,
            cap.method,
            cap.path,
            method.as_str().unwrap_or("no signature"),
            id.as_str().unwrap_or("?")
        );
        out.push_str(&layout(&text));
        match verdict {
            Ok(()) => {
                let _ = writeln!(out, "verdict: accepted");
            }
            Err(e) => {
                let _ = writeln!(out, "verdict: rejected with {}: {e}", e.code());
                let _ = writeln!(out, "diagnosis: {}: {}", cause.code(), cause.message());
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
        let is_block_label = matches!(*line, "CanonicalRequest:" | "StringToSign:");
        if is_block_label && !in_block {
            in_block = true;
            let _ = writeln!(out, "{line}");
            continue;
        }
        if in_block {
            // a block ends before the next `Label: value` / `Label:` line
            let next_is_label = lines.get(i + 1).is_none_or(|n| is_label(n));
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

/// Whether `line` starts a traced value (`Label: …` or a block label).
fn is_label(line: &str) -> bool {
    const LABELS: [&str; 10] = [
        "SignatureMethod",
        "KeyRule",
        "ValueRule",
        "CanonicalUri",
        "CanonicalRequest",
        "HashedCanonicalRequest",
        "StringToSign",
        "CredentialScope",
        "ExpectedSignature",
        "ReceivedSignature",
    ];
    LABELS.iter().any(|l| {
        line.strip_prefix(l)
            .is_some_and(|r| r == ":" || r.starts_with(": "))
    })
}
