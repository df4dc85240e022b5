//! Gateway-side verification of legacy HmacSHA1 / HmacSHA256 requests (see
//! [`crate::verify`] for the request view, policy, key lookup and error codes).
//!
//! Parameters come from the query (GET) or the `application/x-www-form-urlencoded` body
//! (POST), are form-decoded into a caller-owned [`LegacyScratch`] (fixed capacity; running
//! out is [`VerifyError::TooLarge`]), `Signature` is taken out, the rest sorted by name, and
//! the signature recomputed with [`compute_signature`] — first under the default key rule
//! ([`KeyRule::UnderscoreAsDot`], Python and Java), then, only if a name contains `_`, under
//! [`KeyRule::Raw`] (Go, Node, PHP) — and compared in constant time
//! ([`LegacySignature::ct_eq_base64`](super::LegacySignature::ct_eq_base64)).
//!
//! `SignatureMethod` selects the algorithm as a server does: HmacSHA256 only for exactly
//! `HmacSHA256`, HmacSHA1 otherwise. The `Nonce` is returned so that the caller can refuse
//! replays (see [`ReplayWindow`](crate::verify::ReplayWindow)).
//!
//! A POST with a non-empty query string is refused (`AuthFailure.SignatureFailure`): the
//! legacy signature does not cover it.
//!
//! A name containing `=` or `&` is refused: it would let two different parameter sets share
//! one string to sign. Values are signed raw, so a value containing `&Name=` cannot be told
//! apart from two parameters in the string to sign; that is inherent to the legacy protocol.

use super::{compute_signature, KeyRule, SignatureMethod};
use crate::encode::{form_decode, parse_decimal, sort_params, BufWriter};
use crate::time::MAX_TIMESTAMP;
use crate::verify::{
    is_form_content_type, trim_ows, Body, Headers, KeyProvider, Lookup, Param, Policy, RequestView,
    VerifyError,
};

#[derive(Copy, Clone, Debug, Default)]
struct Span {
    name: (usize, usize),
    value: (usize, usize),
}

/// Caller-owned storage for the decoded legacy parameters: `B` bytes of decoded names and
/// values, at most `P` parameters. The v1 docs limit a GET to 32 KB and a POST to 1 MB; size
/// it for the requests your gateway accepts (e.g. `LegacyScratch::<8192, 128>`). Reusable:
/// each verification starts afresh.
#[derive(Clone, Debug)]
pub struct LegacyScratch<const B: usize, const P: usize> {
    bytes: [u8; B],
    spans: [Span; P],
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
}

impl<const B: usize, const P: usize> Default for LegacyScratch<B, P> {
    fn default() -> Self {
        Self::new()
    }
}

/// A verified legacy request.
#[derive(Copy, Clone, Debug)]
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
    /// The `Token` parameter, if sent.
    pub token: Option<&'a str>,
    /// The canonical path that matched (`/` or the request path).
    pub path: &'a str,
    bytes: &'a [u8],
    spans: &'a [Span],
}

impl<'a> LegacyVerified<'a> {
    /// All decoded parameters (including the common ones and `Signature`), in received order.
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

    /// The decoded value of parameter `name` (e.g. `Action`).
    pub fn param(&self, name: &str) -> Option<&'a str> {
        self.params().find(|(k, _)| *k == name).map(|(_, v)| v)
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

/// Verifies a legacy request.
pub fn verify<'a, H: Headers + ?Sized, K: KeyProvider + ?Sized, const B: usize, const P: usize>(
    req: &RequestView<'a, H>,
    keys: &K,
    policy: &Policy<'_>,
    scratch: &'a mut LegacyScratch<B, P>,
) -> Result<LegacyVerified<'a>, VerifyError> {
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
        match req.header("content-type") {
            Lookup::One(ct) if is_form_content_type(ct) => match req.body {
                Body::Bytes(b) => b,
                Body::Sha256(_) => return Err(VerifyError::BodyUnavailable),
            },
            _ => return Err(VerifyError::MissingSignature),
        }
    };
    let n = scratch.decode(src)?;
    let scratch: &'a LegacyScratch<B, P> = scratch;
    let spans = scratch.spans.get(..n).unwrap_or(&[]);
    let text = |(a, b): (usize, usize)| -> Result<&'a str, VerifyError> {
        scratch
            .bytes
            .get(a..b)
            .and_then(|x| core::str::from_utf8(x).ok())
            .ok_or(VerifyError::MalformedParameters)
    };
    let mut pairs: [(&'a str, &'a str); P] = [("", ""); P];
    let mut m = 0;
    let mut signature: Option<&'a str> = None;
    for span in spans {
        let (k, v) = (text(span.name)?, text(span.value)?);
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
    let sorted: &[(&'a str, &'a str)] = sorted;

    // 3. Timestamp, Nonce, SecretId
    let timestamp = decimal_param(sorted, Param::Timestamp)?;
    if timestamp > MAX_TIMESTAMP {
        return Err(VerifyError::InvalidParameter(Param::Timestamp));
    }
    let nonce = decimal_param(sorted, Param::Nonce)?;
    let secret_id =
        find(sorted, "SecretId").ok_or(VerifyError::MissingParameter(Param::SecretId))?;

    // 4. key lookup
    let key = keys
        .key_ref(secret_id)
        .ok_or(VerifyError::SecretIdNotFound)?;

    // 5. clock
    policy.check_clock(timestamp)?;

    // 6. signature. A legacy POST signs only its form body: a query beside it would reach
    // the backend unsigned, so it is refused.
    if req.method == "POST" && req.query.is_some_and(|q| !q.is_empty()) {
        return Err(VerifyError::SignatureMismatch);
    }
    let host = match req.header("host") {
        Lookup::Absent => return Err(VerifyError::SignedHeaderAbsent { index: 0 }),
        Lookup::Many => return Err(VerifyError::SignedHeaderAmbiguous { index: 0 }),
        Lookup::One(h) => core::str::from_utf8(trim_ows(h))
            .map_err(|_| VerifyError::SignedHeaderAmbiguous { index: 0 })?,
    };
    let method = SignatureMethod::from_param(find(sorted, "SignatureMethod"));
    let rules: &[KeyRule] = if sorted.iter().any(|(k, _)| k.contains('_')) {
        &[KeyRule::UnderscoreAsDot, KeyRule::Raw]
    } else {
        &[KeyRule::UnderscoreAsDot]
    };
    let (uris, n_uris) = policy.uris(req.path);
    let mut matched = None;
    'outer: for &rule in rules {
        for &path in uris.get(..n_uris).unwrap_or(&[]) {
            let sig = compute_signature(
                &super::Request {
                    method: req.method,
                    host,
                    path,
                    rule,
                },
                sorted,
                &key,
                method,
            )
            .map_err(|_| VerifyError::SignatureMismatch)?;
            if sig.ct_eq_base64(signature.as_bytes()) {
                matched = Some((rule, path));
                break 'outer;
            }
        }
    }
    let (key_rule, path) = matched.ok_or(VerifyError::SignatureMismatch)?;

    // 7. token
    let token = find(sorted, "Token");
    if !keys.accept_token(secret_id, token.map(str::as_bytes)) {
        return Err(VerifyError::TokenRefused {
            present: token.is_some(),
        });
    }

    Ok(LegacyVerified {
        secret_id,
        timestamp,
        nonce,
        method,
        key_rule,
        token,
        path,
        bytes: &scratch.bytes,
        spans,
    })
}

/// Writes, for humans (`tc3 explain`), the intermediate values of verifying a legacy `req`
/// as labelled text into `out`: `SignatureMethod`, then per key rule tried (`_`→`.` always,
/// raw too when a name contains `_`) the `StringToSign`, `ExpectedSignature`, and the
/// `ReceivedSignature`, then `Result:` with the code and message of [`verify`]. Returns
/// what [`verify`] returns.
pub fn explain<
    'a,
    H: Headers + ?Sized,
    K: KeyProvider + ?Sized,
    S: crate::encode::Sink + ?Sized,
    const B: usize,
    const P: usize,
>(
    req: &RequestView<'a, H>,
    keys: &K,
    policy: &Policy<'_>,
    scratch: &'a mut LegacyScratch<B, P>,
    out: &mut S,
) -> Result<LegacyVerified<'a>, VerifyError> {
    write_explanation(req, keys, policy, scratch, out);
    let result = verify(req, keys, policy, scratch);
    crate::verify::write_result(&result, out);
    result
}

fn write_explanation<
    H: Headers + ?Sized,
    K: KeyProvider + ?Sized,
    S: crate::encode::Sink + ?Sized,
    const B: usize,
    const P: usize,
>(
    req: &RequestView<'_, H>,
    keys: &K,
    policy: &Policy<'_>,
    scratch: &mut LegacyScratch<B, P>,
    out: &mut S,
) {
    let src: &[u8] = match (req.method, req.body) {
        ("GET", _) => req.query.unwrap_or("").as_bytes(),
        ("POST", Body::Bytes(b)) => b,
        _ => return,
    };
    let Ok(n) = scratch.decode(src) else { return };
    let scratch: &LegacyScratch<B, P> = scratch;
    let text = |(a, b): (usize, usize)| {
        scratch
            .bytes
            .get(a..b)
            .and_then(|x| core::str::from_utf8(x).ok())
    };
    let mut pairs: [(&str, &str); P] = [("", ""); P];
    let mut m = 0;
    let mut signature = "";
    for span in scratch.spans.get(..n).unwrap_or(&[]) {
        let (Some(k), Some(v)) = (text(span.name), text(span.value)) else {
            return;
        };
        if k == "Signature" {
            signature = v;
        } else if let Some(slot) = pairs.get_mut(m) {
            *slot = (k, v);
            m += 1;
        }
    }
    let sorted = pairs.get_mut(..m).unwrap_or(&mut []);
    if sort_params(sorted).is_err() {
        return;
    }
    let sorted: &[(&str, &str)] = sorted;
    let Some(key) = find(sorted, "SecretId").and_then(|id| keys.key_ref(id)) else {
        return;
    };
    let Lookup::One(host) = req.header("host") else {
        return;
    };
    let Ok(host) = core::str::from_utf8(trim_ows(host)) else {
        return;
    };
    let method = SignatureMethod::from_param(find(sorted, "SignatureMethod"));
    out.put(b"SignatureMethod: ");
    out.put(method.as_str().as_bytes());
    out.put(b"\n");
    let (uris, _) = policy.uris(req.path);
    let underscore = sorted.iter().any(|(k, _)| k.contains('_'));
    for rule in [KeyRule::UnderscoreAsDot, KeyRule::Raw] {
        if rule == KeyRule::Raw && !underscore {
            break;
        }
        out.put(if rule == KeyRule::Raw {
            b"KeyRule: raw\n".as_slice()
        } else {
            b"KeyRule: `_` -> `.`\n".as_slice()
        });
        out.put(b"StringToSign:\n");
        if super::write_string_to_sign(
            &super::Request {
                method: req.method,
                host,
                path: uris[0],
                rule,
            },
            sorted,
            out,
        )
        .is_err()
        {
            return;
        }
        if let Ok(sig) = compute_signature(
            &super::Request {
                method: req.method,
                host,
                path: uris[0],
                rule,
            },
            sorted,
            &key,
            method,
        ) {
            out.put(b"\nExpectedSignature: ");
            out.put(sig.as_bytes());
        }
        out.put(b"\n");
    }
    out.put(b"ReceivedSignature: ");
    out.put(signature.as_bytes());
    out.put(b"\n");
}
