//! Gateway-side verification of legacy HmacSHA1 / HmacSHA256 requests (see
//! [`crate::verify`] for the request view, policy, key lookup, error codes and the one
//! entry point for both signature versions).
//!
//! Parameters come from the query (GET) or the `application/x-www-form-urlencoded` body
//! (POST), are form-decoded into a caller-owned [`LegacyScratch`] (fixed capacity; running
//! out is [`VerifyError::TooLarge`]), `Signature` is taken out, the rest sorted by name, and
//! the signature recomputed with [`Request::sign_sorted`](super::Request::sign_sorted) — first under the default key rule
//! ([`KeyRule::UnderscoreAsDot`], Python and Java), then, only if a name contains `_`, under
//! [`KeyRule::Raw`] (Go, Node, PHP) — and compared in constant time
//! ([`LegacySignature::ct_eq_base64`](super::LegacySignature::ct_eq_base64)).
//!
//! # Parameter names are returned as signed
//!
//! Under the `_`→`.` rule the signature covers `InstanceIds.0` for a received
//! `InstanceIds_0`: a backend reading the raw request would not see the parameter the
//! signer meant. [`LegacyVerified::params`] therefore returns the names **as signed**
//! (`InstanceIds.0`); act on those, never on the raw request. Two received names that are
//! signed alike (`A_b` and `A.b`) are refused ([`VerifyError::DuplicateParameter`]).
//!
//! `SignatureMethod` selects the algorithm as a server does: HmacSHA256 only for exactly
//! `HmacSHA256`, HmacSHA1 otherwise. The `Nonce` is returned so that the caller can refuse
//! replays (see [`ReplayWindow`](crate::verify::ReplayWindow)).
//!
//! A POST with a non-empty query string and a GET with a body are refused
//! ([`VerifyError::NotCovered`]): the legacy signature does not cover them. The `Host` must
//! be a valid authority ([`VerifyError::InvalidHost`]): the string to sign concatenates
//! host and path.
//!
//! A name containing `=` or `&` is refused: it would let two different parameter sets share
//! one string to sign. Values are signed raw, so a value containing `&Name=` cannot be told
//! apart from two parameters in the string to sign; that is inherent to the legacy protocol.

use super::{compute_signature, KeyRule, SignatureMethod};
use crate::credential::SecretKey;
use crate::encode::{form_decode, parse_decimal, sort_params, BufWriter};
use crate::header;
use crate::time::MAX_TIMESTAMP;
use crate::v3::Payload;
use crate::verify::candidates::{host_candidates, key_candidates};
use crate::verify::error::{HeaderId, Param, Uncovered, VerifyError};
use crate::verify::keys::KeyProvider;
use crate::verify::keys::KeyRef;
use crate::verify::policy::Policy;
use crate::verify::request::{is_form_content_type, is_valid_authority, trim_ows, Redacted};
use crate::verify::request::{CommonValue, Headers, Lookup, RequestView};
use crate::verify::trace::Cause;
use crate::verify::trace::{self, Label, Trace, TraceSink};

#[derive(Copy, Clone, Debug, Default)]
struct Span {
    name: (usize, usize),
    value: (usize, usize),
}

/// Caller-owned storage for the decoded legacy parameters: `B` bytes of decoded names and
/// values, at most `P` parameters. The v1 docs limit a GET to 32 KB and a POST to 1 MB; size
/// it for the requests your gateway accepts (e.g. `LegacyScratch::<8192, 128>`). Reusable:
/// each verification starts afresh. `Debug` shows the capacity only (the bytes may hold a
/// previous request's token).
///
/// ```
/// let scratch = tc3::verify::LegacyScratch::<8192, 128>::new();
/// assert_eq!(format!("{scratch:?}"), "LegacyScratch { bytes: 8192, params: 128 }");
/// ```
#[derive(Clone)]
pub struct LegacyScratch<const B: usize, const P: usize> {
    bytes: [u8; B],
    spans: [Span; P],
}

impl<const B: usize, const P: usize> core::fmt::Debug for LegacyScratch<B, P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LegacyScratch")
            .field("bytes", &B)
            .field("params", &P)
            .finish()
    }
}

impl<const B: usize, const P: usize> LegacyScratch<B, P> {
    /// Empty storage.
    pub const fn new() -> Self {
        LegacyScratch {
            bytes: [0; B],
            spans: [Span {
                name: (0, 0),
                value: (0, 0),
            }; P],
        }
    }

    /// Decodes `src` (`k=v&k=v`) into the scratch; returns the number of parameters.
    fn decode(&mut self, src: &[u8]) -> Result<usize, VerifyError> {
        let mut pos = 0;
        let mut n = 0;
        for comp in src.split(|&b| b == b'&') {
            if comp.is_empty() {
                continue;
            }
            let (k, v) = match comp.iter().position(|&b| b == b'=') {
                Some(i) => (
                    comp.get(..i).unwrap_or(&[]),
                    comp.get(i + 1..).unwrap_or(&[]),
                ),
                None => (comp, &[][..]),
            };
            let k0 = pos;
            pos = self.decode_one(k, pos)?;
            let v0 = pos;
            pos = self.decode_one(v, pos)?;
            let span = self.spans.get_mut(n).ok_or(VerifyError::TooLarge)?;
            *span = Span {
                name: (k0, v0),
                value: (v0, pos),
            };
            n += 1;
        }
        Ok(n)
    }

    fn decode_one(&mut self, src: &[u8], pos: usize) -> Result<usize, VerifyError> {
        let dst = self.bytes.get_mut(pos..).ok_or(VerifyError::TooLarge)?;
        let mut w = BufWriter::new(dst);
        form_decode(src, &mut w).map_err(|_| VerifyError::MalformedParameters)?;
        if w.overflowed() {
            return Err(VerifyError::TooLarge);
        }
        Ok(pos + w.len())
    }

    /// Rewrites every `_` of the first `n` names as `.` (the names as signed under
    /// [`KeyRule::UnderscoreAsDot`]).
    fn rename_underscores(&mut self, n: usize) {
        for span in self.spans.iter().take(n) {
            let (a, b) = span.name;
            if let Some(name) = self.bytes.get_mut(a..b) {
                name.iter_mut()
                    .filter(|c| **c == b'_')
                    .for_each(|c| *c = b'.');
            }
        }
    }

    fn text(&self, (a, b): (usize, usize)) -> Result<&str, VerifyError> {
        self.bytes
            .get(a..b)
            .and_then(|x| core::str::from_utf8(x).ok())
            .ok_or(VerifyError::MalformedParameters)
    }
}

impl<const B: usize, const P: usize> Default for LegacyScratch<B, P> {
    fn default() -> Self {
        Self::new()
    }
}

/// A verified legacy request. `Debug` redacts the token and shows no other parameter.
#[derive(Copy, Clone)]
#[non_exhaustive]
pub struct LegacyVerified<'a> {
    /// The `SecretId` parameter.
    pub secret_id: &'a str,
    /// The `Timestamp` parameter.
    pub timestamp: u64,
    /// The `Nonce` parameter: refuse a (SecretId, Nonce) seen before within the window.
    pub nonce: u64,
    /// The algorithm (from `SignatureMethod`).
    pub method: SignatureMethod,
    /// The key rule under which the signature matched.
    pub key_rule: KeyRule,
    /// The `Token` parameter, if sent (signed, like every legacy parameter).
    pub token: Option<&'a str>,
    /// The `Host` that was verified.
    pub host: &'a str,
    /// The request path.
    pub path: &'a str,
    /// The path that entered the string to sign (the request path, or `/` at a mount point).
    pub canonical_path: &'a str,
    bytes: &'a [u8],
    spans: &'a [Span],
}

impl core::fmt::Debug for LegacyVerified<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LegacyVerified")
            .field("secret_id", &self.secret_id)
            .field("timestamp", &self.timestamp)
            .field("nonce", &self.nonce)
            .field("method", &self.method)
            .field("key_rule", &self.key_rule)
            .field("token", &Redacted(self.token.is_some()))
            .field("host", &self.host)
            .field("path", &self.path)
            .field("canonical_path", &self.canonical_path)
            .field("params", &self.spans.len())
            .finish()
    }
}

impl<'a> LegacyVerified<'a> {
    /// All decoded parameters (including the common ones and `Signature`), in received
    /// order, under the names **as signed** (`_` written as `.` when the `_`→`.` rule
    /// matched).
    pub fn params(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        let bytes = self.bytes;
        self.spans.iter().map(move |s| {
            let get = |(a, b): (usize, usize)| {
                bytes
                    .get(a..b)
                    .and_then(|x| core::str::from_utf8(x).ok())
                    .unwrap_or("")
            };
            (get(s.name), get(s.value))
        })
    }

    /// The decoded value of parameter `name` as signed (e.g. `Action`, `InstanceIds.0`).
    pub fn param(&self, name: &str) -> Option<&'a str> {
        self.params().find(|(k, _)| *k == name).map(|(_, v)| v)
    }

    /// The common parameter `name` (all legacy parameters are signed).
    pub fn common(&self, name: &str) -> CommonValue<'a> {
        CommonValue {
            value: self.param(name),
            signed: true,
        }
    }
}

fn find<'p>(sorted: &[(&str, &'p str)], name: &str) -> Option<&'p str> {
    sorted
        .binary_search_by(|(k, _)| k.as_bytes().cmp(name.as_bytes()))
        .ok()
        .and_then(|i| sorted.get(i))
        .map(|(_, v)| *v)
}

fn decimal_param(sorted: &[(&str, &str)], p: Param) -> Result<u64, VerifyError> {
    let v = find(sorted, p.as_str()).ok_or(VerifyError::MissingParameter(p))?;
    parse_decimal(v.as_bytes()).ok_or(VerifyError::InvalidParameter(p))
}

/// What the signature matched under.
struct Matched {
    n: usize,
    rule: KeyRule,
    mount: bool,
    method: SignatureMethod,
    /// whether a name contains `_`
    underscore: bool,
}

/// Everything checked and assembled before the signature is compared.
struct Prepared<'s, 'h, const P: usize> {
    n: usize,
    pairs: [(&'s str, &'s str); P],
    m: usize,
    signature: &'s str,
    host: &'h str,
    method: SignatureMethod,
}

impl<'s, const P: usize> Prepared<'s, '_, P> {
    fn sorted(&self) -> &[(&'s str, &'s str)] {
        self.pairs.get(..self.m).unwrap_or(&[])
    }
}

fn prepare<
    's,
    'h,
    'k,
    H: Headers + ?Sized,
    K: KeyProvider + ?Sized,
    const B: usize,
    const P: usize,
>(
    req: &RequestView<'h, H>,
    keys: &'k K,
    policy: &Policy<'_>,
    scratch: &'s mut LegacyScratch<B, P>,
) -> Result<(Prepared<'s, 'h, P>, KeyRef<'k>), VerifyError> {
    // 1. method
    if req.method != "GET" && req.method != "POST" {
        return Err(VerifyError::UnsupportedMethod);
    }
    if !policy.allow_legacy {
        return Err(VerifyError::MissingSignature);
    }

    // 2. parameters and Signature
    let src: &[u8] = if req.method == "GET" {
        req.query.unwrap_or("").as_bytes()
    } else {
        match req.header(header::CONTENT_TYPE) {
            Lookup::One(ct) if is_form_content_type(ct) => match req.body {
                Payload::Bytes(b) => b,
                Payload::Sha256(_) | Payload::Unsigned => return Err(VerifyError::BodyUnavailable),
            },
            _ => return Err(VerifyError::MissingSignature),
        }
    };
    let n = scratch.decode(src)?;
    let scratch: &'s LegacyScratch<B, P> = scratch;
    let spans = scratch.spans.get(..n).unwrap_or(&[]);
    let mut pairs: [(&'s str, &'s str); P] = [("", ""); P];
    let mut m = 0;
    let mut signature: Option<&'s str> = None;
    for span in spans {
        let (k, v) = (scratch.text(span.name)?, scratch.text(span.value)?);
        if k.is_empty() || k.bytes().any(|b| b == b'=' || b == b'&') {
            return Err(VerifyError::MalformedParameters);
        }
        if k == "Signature" {
            if signature.replace(v).is_some() {
                return Err(VerifyError::DuplicateParameter);
            }
            continue;
        }
        *pairs.get_mut(m).ok_or(VerifyError::TooLarge)? = (k, v);
        m += 1;
    }
    let sorted = pairs.get_mut(..m).unwrap_or(&mut []);
    let signature = signature.ok_or(VerifyError::MissingSignature)?;
    sort_params(sorted).map_err(|_| VerifyError::DuplicateParameter)?;
    let sorted: &[(&'s str, &'s str)] = sorted;

    // 3. Timestamp, Nonce, SecretId
    let timestamp = decimal_param(sorted, Param::Timestamp)?;
    if timestamp > MAX_TIMESTAMP {
        return Err(VerifyError::InvalidParameter(Param::Timestamp));
    }
    decimal_param(sorted, Param::Nonce)?;
    let secret_id =
        find(sorted, "SecretId").ok_or(VerifyError::MissingParameter(Param::SecretId))?;

    // 4. key lookup
    let key = keys
        .key_ref(secret_id)
        .ok_or(VerifyError::SecretIdNotFound)?;

    // 5. clock
    policy.check_clock(timestamp)?;

    // 6. what the signature does not cover, the host
    if req.method == "POST" && req.query.is_some_and(|q| !q.is_empty()) {
        return Err(VerifyError::NotCovered(Uncovered::PostQuery));
    }
    if req.method == "GET" {
        match req.body {
            Payload::Unsigned => return Err(VerifyError::BodyUnavailable),
            body if !body.is_empty() => return Err(VerifyError::NotCovered(Uncovered::GetBody)),
            _ => {}
        }
    }
    if req.has_other_spelling(header::HOST) {
        return Err(VerifyError::AmbiguousHeader(HeaderId::Host));
    }
    let host = match req.header(header::HOST) {
        Lookup::Absent => return Err(VerifyError::SignedHeaderAbsent { index: 0 }),
        Lookup::Many => return Err(VerifyError::SignedHeaderAmbiguous { index: 0 }),
        Lookup::One(h) => core::str::from_utf8(trim_ows(h))
            .map_err(|_| VerifyError::SignedHeaderAmbiguous { index: 0 })?,
    };
    if !is_valid_authority(host.as_bytes()) {
        return Err(VerifyError::InvalidHost);
    }
    let method = SignatureMethod::from_param(find(sorted, "SignatureMethod"));
    Ok((
        Prepared {
            n,
            pairs,
            m,
            signature,
            host,
            method,
        },
        key,
    ))
}

/// The one verification path; `trace` observes it.
pub(crate) fn verify_traced<
    'a,
    H: Headers + ?Sized,
    K: KeyProvider + ?Sized,
    T: Trace + ?Sized,
    const B: usize,
    const P: usize,
>(
    req: &RequestView<'a, H>,
    keys: &K,
    policy: &Policy<'_>,
    scratch: &'a mut LegacyScratch<B, P>,
    trace: &mut T,
) -> Result<LegacyVerified<'a>, VerifyError> {
    let matched = {
        let (p, key) = prepare(req, keys, policy, &mut *scratch)?;
        let sorted = p.sorted();
        let underscore = sorted.iter().any(|(k, _)| k.contains('_'));
        let rules: &[KeyRule] = if underscore {
            &[KeyRule::UnderscoreAsDot, KeyRule::Raw]
        } else {
            &[KeyRule::UnderscoreAsDot]
        };
        let (uris, n_uris) = policy.uris(req.path);
        let uris = uris.get(..n_uris).unwrap_or(&[]);
        trace::value(trace, Label::SignatureMethod, p.method.as_str().as_bytes());
        trace::value(trace, Label::ReceivedSignature, p.signature.as_bytes());
        let mut matched = None;
        'outer: for &rule in rules {
            for (ui, &path) in uris.iter().enumerate() {
                if trace.active() {
                    trace::value(
                        trace,
                        Label::KeyRule,
                        if rule == KeyRule::Raw {
                            b"raw"
                        } else {
                            b"`_` -> `.`"
                        },
                    );
                    if uris.len() > 1 {
                        trace::value(trace, Label::CanonicalUri, path.as_bytes());
                    }
                    trace.begin(Label::StringToSign);
                    let _ = legacy_request(req.method, p.host, path, rule)
                        .write_string_to_sign(sorted, &mut TraceSink(&mut *trace));
                    trace.end();
                }
                let sig = compute_signature(
                    &legacy_request(req.method, p.host, path, rule),
                    sorted,
                    &key,
                    p.method,
                )
                .map_err(|_| VerifyError::SignatureMismatch)?;
                trace::value(trace, Label::ExpectedSignature, sig.as_bytes());
                if sig.ct_eq_base64(p.signature.as_bytes()) {
                    matched = Some(Matched {
                        n: p.n,
                        rule,
                        mount: ui > 0,
                        method: p.method,
                        underscore,
                    });
                    break 'outer;
                }
            }
        }
        matched.ok_or(VerifyError::SignatureMismatch)?
    };

    // the names as signed; two received names signed alike are refused
    if matched.rule == KeyRule::UnderscoreAsDot && matched.underscore {
        scratch.rename_underscores(matched.n);
        let scratch: &LegacyScratch<B, P> = scratch;
        let mut names: [&str; P] = [""; P];
        for (slot, span) in names.iter_mut().zip(scratch.spans.iter().take(matched.n)) {
            *slot = scratch.text(span.name)?;
        }
        let names = names.get_mut(..matched.n).unwrap_or(&mut []);
        names.sort_unstable();
        if names.windows(2).any(|w| w.first() == w.get(1)) {
            return Err(VerifyError::DuplicateParameter);
        }
    }
    let scratch: &'a LegacyScratch<B, P> = scratch;
    let spans = scratch.spans.get(..matched.n).unwrap_or(&[]);
    let get = |name: &str| -> Option<&'a str> {
        spans
            .iter()
            .find(|s| scratch.text(s.name) == Ok(name))
            .and_then(|s| scratch.text(s.value).ok())
    };
    let secret_id = get("SecretId").unwrap_or("");
    let timestamp = get("Timestamp")
        .and_then(|t| parse_decimal(t.as_bytes()))
        .unwrap_or(0);
    let nonce = get("Nonce")
        .and_then(|t| parse_decimal(t.as_bytes()))
        .unwrap_or(0);
    let token = get("Token");
    let host = match req.header(header::HOST) {
        Lookup::One(h) => core::str::from_utf8(trim_ows(h)).unwrap_or(""),
        _ => "",
    };

    // 7. token
    if !keys.accept_token(secret_id, token.map(str::as_bytes)) {
        return Err(VerifyError::TokenRefused {
            present: token.is_some(),
        });
    }

    Ok(LegacyVerified {
        secret_id,
        timestamp,
        nonce,
        method: matched.method,
        key_rule: matched.rule,
        token,
        host,
        path: req.path,
        canonical_path: if matched.mount { "/" } else { req.path },
        bytes: &scratch.bytes,
        spans,
    })
}

/// After a [`VerifyError::SignatureMismatch`]: the mistake that reproduces the received
/// signature, if one does.
pub(crate) fn diagnose<
    H: Headers + ?Sized,
    K: KeyProvider + ?Sized,
    const B: usize,
    const P: usize,
>(
    req: &RequestView<'_, H>,
    keys: &K,
    policy: &Policy<'_>,
    scratch: &mut LegacyScratch<B, P>,
) -> Cause {
    let Ok((p, key)) = prepare(req, keys, policy, scratch) else {
        return Cause::Unknown;
    };
    let sorted = p.sorted();
    let rules: &[KeyRule] = &[KeyRule::UnderscoreAsDot, KeyRule::Raw];
    let (uris, _) = policy.uris(req.path);
    let tries =
        |host: &str, path: &str, pairs: &[(&str, &str)], k: &SecretKey, m: SignatureMethod| {
            rules.iter().any(|&rule| {
                compute_signature(&legacy_request(req.method, host, path, rule), pairs, k, m)
                    .is_ok_and(|s| s.ct_eq_base64(p.signature.as_bytes()))
            })
        };
    let base = |host: &str, path: &str| tries(host, path, sorted, &key, p.method);
    // path
    if crate::verify::policy::path_candidates(policy, req.path, |path| base(p.host, path)) {
        return Cause::Path;
    }
    let path = uris[0];
    // host
    let service = p.host.split(['.', ':']).next().unwrap_or("");
    if host_candidates(p.host, service, find(sorted, "Region"), |h| base(h, path)) {
        return Cause::Host;
    }
    // the other HMAC
    let other = match p.method {
        SignatureMethod::HmacSha1 => SignatureMethod::HmacSha256,
        SignatureMethod::HmacSha256 => SignatureMethod::HmacSha1,
    };
    if tries(p.host, path, sorted, &key, other) {
        return Cause::LegacyMethod;
    }
    // the other key rule: `.` signed as `_`
    if sorted.iter().any(|(k, _)| k.contains('.')) {
        let mut buf = [0u8; 4096];
        let mut mapped: heapless::Vec<(&str, &str), 256> = heapless::Vec::new();
        let mut ok = true;
        let mut rest: &mut [u8] = &mut buf;
        let mut owned: heapless::Vec<(usize, usize, &str), 256> = heapless::Vec::new();
        let mut pos = 0;
        for (k, v) in sorted {
            let Some((dst, tail)) = core::mem::take(&mut rest).split_at_mut_checked(k.len()) else {
                ok = false;
                break;
            };
            for (d, s) in dst.iter_mut().zip(k.bytes()) {
                *d = if s == b'.' { b'_' } else { s };
            }
            rest = tail;
            if owned.push((pos, pos + k.len(), v)).is_err() {
                ok = false;
                break;
            }
            pos += k.len();
        }
        if ok {
            for &(a, b, v) in &owned {
                match buf.get(a..b).and_then(|x| core::str::from_utf8(x).ok()) {
                    Some(name) => {
                        let _ = mapped.push((name, v));
                    }
                    None => ok = false,
                }
            }
        }
        if ok && sort_params(&mut mapped).is_ok() && tries(p.host, path, &mapped, &key, p.method) {
            return Cause::LegacyKeyRule;
        }
    }
    let secret_id = find(sorted, "SecretId").unwrap_or("");
    key_candidates(&key, secret_id, |k| {
        tries(p.host, path, sorted, k, p.method)
    })
    .unwrap_or(Cause::Unknown)
}

/// The signing inputs of a received legacy request, as the signer names them.
fn legacy_request<'a>(
    method: &'a str,
    host: &'a str,
    path: &'a str,
    rule: KeyRule,
) -> super::Request<'a> {
    super::Request::get(host)
        .with_method(method)
        .with_path(path)
        .with_rule(rule)
}
