//! `tc3 verify`: captures in, one verdict per capture out.

use crate::io::{for_each_json_line, print_line, read_keys};
use crate::spec::Capture;
use crate::Outcome;
use serde_json::{json, Value};
use std::collections::HashMap;
use tc3::v3::Authorization;
use tc3::v3::Payload;
use tc3::verify::{self, Cause, LegacyScratch, Policy, RequestView, Verified, VerifyError};
use tc3::SecretKey;

/// Decoded legacy parameters: up to 1 MiB (the documented v1 POST limit) and 16,384 params.
pub type Scratch = LegacyScratch<{ 1 << 20 }, 16_384>;

/// The clock, key and policy options shared by `verify` and `explain`.
pub struct Options {
    pub keys: HashMap<String, String>,
    pub now: Option<u64>,
    pub skip_clock: bool,
    pub max_skew: Option<u64>,
    /// `--mount-prefix P` (repeatable): a signed `/` is accepted at `P` and `P/`.
    pub mount_prefixes: Vec<String>,
    /// `--require-signed NAME` (repeatable) / `--hardened` (`x-tc-action`).
    pub required_signed: Vec<String>,
    /// `--json` (explain only).
    pub json: bool,
}

impl Options {
    pub fn parse(args: &mut lexopt::Parser) -> Result<Options, String> {
        use lexopt::Arg::*;
        let mut keys = None;
        let (mut now, mut skip_clock, mut max_skew) = (None, false, None);
        let (mut mount_prefixes, mut required_signed, mut json) = (Vec::new(), Vec::new(), false);
        let num = |args: &mut lexopt::Parser, name: &str| -> Result<u64, String> {
            args.value()
                .map_err(|e| e.to_string())?
                .into_string()
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
                .ok_or_else(|| format!("--{name} takes a non-negative integer"))
        };
        let text = |args: &mut lexopt::Parser, name: &str| -> Result<String, String> {
            args.value()
                .map_err(|e| e.to_string())?
                .into_string()
                .map_err(|_| format!("--{name} takes UTF-8 text"))
        };
        while let Some(arg) = args.next().map_err(|e| e.to_string())? {
            match arg {
                Long("keys") => {
                    let p = args.value().map_err(|e| e.to_string())?;
                    let path = p.to_string_lossy().into_owned();
                    let table = read_keys(&path)?;
                    for (id, key) in &table {
                        // an empty key would let a request signed with the empty key pass
                        SecretKey::new(key)
                            .map_err(|e| format!("{path}: the key of {id:?} is not usable: {e}"))?;
                    }
                    keys = Some(table);
                }
                Long("now") => now = Some(num(args, "now")?),
                Long("skip-clock") => skip_clock = true,
                Long("max-skew") => max_skew = Some(num(args, "max-skew")?),
                Long("mount-prefix") => {
                    let p = text(args, "mount-prefix")?;
                    if !p.starts_with('/') || p.trim_end_matches('/').is_empty() {
                        return Err("--mount-prefix takes a path such as /tencent".into());
                    }
                    mount_prefixes.push(p);
                }
                Long("require-signed") => {
                    required_signed.push(text(args, "require-signed")?.to_ascii_lowercase())
                }
                Long("hardened") => required_signed
                    .extend(tc3::verify::Policy::HARDENED.iter().map(|s| s.to_string())),
                Long("json") => json = true,
                other => return Err(other.unexpected().to_string()),
            }
        }
        if now.is_some() && skip_clock {
            return Err("--now and --skip-clock exclude each other".into());
        }
        let keys = keys
            .ok_or("--keys KEYS.json is required")?
            .into_iter()
            .collect();
        Ok(Options {
            keys,
            now,
            skip_clock,
            max_skew,
            mount_prefixes,
            required_signed,
            json,
        })
    }

    pub fn policy(&self) -> Policy<'_> {
        let mut p = if self.skip_clock {
            Policy::skip_clock()
        } else {
            Policy::at(self.now.unwrap_or_else(tc3::now_unix))
        };
        if let Some(s) = self.max_skew {
            p = p.with_max_skew(s);
        }
        p
    }

    pub fn lookup(&self, id: &str) -> Option<SecretKey> {
        self.keys.get(id).and_then(|k| SecretKey::new(k).ok())
    }
}

/// The policy of `opts`, with the borrowed lists it names.
pub fn with_policy<T>(opts: &Options, f: impl FnOnce(&Policy<'_>) -> T) -> T {
    let prefixes: Vec<&str> = opts.mount_prefixes.iter().map(String::as_str).collect();
    let required: Vec<&str> = opts.required_signed.iter().map(String::as_str).collect();
    let policy = opts
        .policy()
        .with_mount_prefixes(&prefixes)
        .with_required_signed(&required);
    f(&policy)
}

/// The request view of a capture.
pub fn with_view<T>(cap: &Capture, f: impl FnOnce(&RequestView<'_, [(&str, &str)]>) -> T) -> T {
    let headers: Vec<(&str, &str)> = cap
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let view = RequestView::new(
        &cap.method,
        &cap.path,
        cap.query.as_deref(),
        headers.as_slice(),
        Payload::Bytes(&cap.body),
    );
    f(&view)
}

/// What a rejected request claims to be: its sign method and SecretId, when readable.
pub fn claimed(cap: &Capture) -> (Value, Value) {
    if let Some(a) = cap.header("authorization") {
        let id = Authorization::parse(a.as_bytes())
            .ok()
            .map(|p| p.secret_id.to_owned());
        return (json!("TC3-HMAC-SHA256"), json!(id));
    }
    let source: &[u8] = match (cap.method.as_str(), &cap.query) {
        ("POST", _) => &cap.body,
        (_, Some(q)) => q.as_bytes(),
        _ => b"",
    };
    let params = form_params(source);
    if !params.contains_key("Signature") && cap.method == "POST" {
        // a legacy POST may still carry its parameters in the query
        if let Some(q) = &cap.query {
            let qp = form_params(q.as_bytes());
            if qp.contains_key("Signature") {
                let m = tc3::v1::SignatureMethod::from_param(
                    qp.get("SignatureMethod").map(String::as_str),
                );
                return (json!(m.as_str()), json!(qp.get("SecretId")));
            }
        }
    }
    if !params.contains_key("Signature") {
        return (Value::Null, Value::Null);
    }
    let m = tc3::v1::SignatureMethod::from_param(params.get("SignatureMethod").map(String::as_str));
    (json!(m.as_str()), json!(params.get("SecretId")))
}

/// Decodes `k=v&...` leniently, for display only (`form_urlencoded`: `+` is a space, a `%`
/// without two hex digits stays as it is; the last of repeated names wins).
pub fn form_params(src: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(src).into_owned().collect()
}

/// Calls `f` for every capture on standard input; a line that is not a capture is reported
/// on standard error (with its number) and skipped. Returns whether that happened.
pub fn for_each_capture(mut f: impl FnMut(Capture)) -> Result<bool, String> {
    let mut bad = false;
    let malformed = for_each_json_line(|n, v| match Capture::from_json(&v) {
        Ok(cap) => f(cap),
        Err(e) => {
            eprintln!("tc3: line {n}: {e}");
            bad = true;
        }
    })?;
    Ok(malformed || bad)
}

/// Legacy nonces seen by this run (`tc3 verify` with a clock: the requests are checked as a
/// gateway would, replays included).
type Replays = tc3::verify::ReplayWindow<16_384>;

pub fn run(args: &mut lexopt::Parser) -> Result<Outcome, String> {
    let opts = Options::parse(args)?;
    if opts.json {
        return Err("--json is an option of tc3 explain".into());
    }
    with_policy(&opts, |policy| run_with(&opts, policy))
}

fn run_with(opts: &Options, policy: &Policy<'_>) -> Result<Outcome, String> {
    let lookup = |id: &str| opts.lookup(id);
    let mut scratch: Box<Scratch> = Box::default();
    // replays are refused whenever the clock is checked (not when replaying old captures)
    let mut replays: Option<Box<Replays>> = policy
        .now
        .map(|_| Box::new(Replays::new(policy.max_past.max(policy.max_future))));
    let mut outcome = Outcome::Ok;
    let malformed = for_each_capture(|cap| {
        let verdict = with_view(&cap, |view| {
            let result = verify::verify(view, &lookup, policy, &mut scratch).and_then(|ok| {
                if let (Some(w), Some(now)) = (replays.as_deref_mut(), policy.now) {
                    ok.check_replay(w, now)?;
                }
                Ok(ok)
            });
            match result {
                Ok(ok) => json!({
                    "id": cap.id, "ok": true, "sign_method": ok.sign_method(),
                    "secret_id": ok.secret_id(), "code": null, "message": null,
                    "cause": "ok",
                    "signed_headers": match ok {
                        Verified::Tc3(t) => json!(t.signed_headers().collect::<Vec<_>>()),
                        Verified::Legacy(_) => Value::Null,
                    },
                    "unsigned": unsigned_values(&ok),
                }),
                Err(e) => {
                    let (method, id) = claimed(&cap);
                    let cause = if e == VerifyError::Replayed {
                        Cause::Replayed
                    } else {
                        verify::explain(view, &lookup, policy, &mut scratch, None).cause
                    };
                    json!({
                        "id": cap.id, "ok": false, "sign_method": method, "secret_id": id,
                        "code": e.code(), "message": message(&e, cause),
                        "cause": cause.code(),
                    })
                }
            }
        });
        if verdict["ok"] == json!(false) && outcome == Outcome::Ok {
            outcome = Outcome::Rejected;
        }
        print_line(&verdict);
    })?;
    Ok(if malformed {
        Outcome::Malformed
    } else {
        outcome
    })
}

/// The names of the common values present but not covered by the signature.
fn unsigned_values(ok: &Verified<'_>) -> Value {
    let all = [
        ("X-TC-Action", ok.action()),
        ("X-TC-Version", ok.version()),
        ("X-TC-Region", ok.region()),
        ("X-TC-Language", ok.language()),
        ("X-TC-Token", ok.token()),
    ];
    json!(all
        .iter()
        .filter(|(_, v)| v.value.is_some() && !v.signed)
        .map(|(n, _)| *n)
        .collect::<Vec<_>>())
}

/// The error message, naming the signer's mistake when a retry reproduced the signature.
pub fn message(e: &VerifyError, cause: Cause) -> String {
    match (e, cause) {
        (VerifyError::SignatureMismatch, Cause::Unknown) | (_, Cause::Ok) => e.to_string(),
        (VerifyError::SignatureMismatch, c) => format!("{e}: {} (cause {})", c.message(), c.code()),
        _ => e.to_string(),
    }
}
