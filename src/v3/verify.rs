//! Gateway-side verification of TC3-HMAC-SHA256 requests (see [`crate::verify`] for the
//! request view, policy, key lookup, error codes and the one entry point for both
//! signature versions).
//!
//! The signature is recomputed with the same writers the signer uses
//! ([`canonical::write_canonical_request`], [`canonical::write_string_to_sign`],
//! [`SigningKey`]) and compared in constant time (`subtle`, over the 32 raw bytes). An
//! active [`Trace`] sees those very bytes as they are hashed.
//!
//! # Canonical header values
//!
//! The documented rule trims and lowercases every signed header value, and the server
//! applies it (doc edition A signs `x-tc-action:describeinstances` for
//! `X-TC-Action: DescribeInstances`); the SDKs sign `content-type` and `host` as sent. With
//! the default [`ValueRule::DocThenRaw`] the verifier computes the doc rule first and, only
//! when that fails and a signed value contains an ASCII uppercase letter, the raw (trimmed)
//! values as well. A multipart `boundary=` with uppercase letters is never lowercased (it
//! is case-sensitive). At most four candidate signatures are computed (two value rules ×
//! two canonical URIs when the path is a mount point, see [`Policy::mount_prefixes`]); the
//! work stays linear in the request size.

use super::authorization::{self, Authorization, AuthorizationError};
use super::canonical::{self, HeaderEntry};
use super::{hash_payload, midstate, Payload, SigningKey, MAX_SIGNED_HEADERS};
use crate::credential::SecretKey;
use crate::encode::{hex32, parse_decimal, BufWriter};
use crate::header;
use crate::time::{Date, MAX_TIMESTAMP};
use crate::verify::candidates::{content_type_candidates, host_candidates, key_candidates};
use crate::verify::error::{HeaderId, NotSigned, Param, VerifyError};
use crate::verify::keys::KeyProvider;
use crate::verify::keys::{DeriveKey, KeyRef};
use crate::verify::policy::{Policy, ValueRule};
use crate::verify::request::{has_cased_boundary, is_valid_authority, trim_ows, Redacted};
use crate::verify::request::{CommonValue, Headers, Lookup, RequestView};
use crate::verify::trace::Cause;
use crate::verify::trace::{self, Label, NoTrace, Tee, Trace, TraceSink};
use hmac::Mac;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A verified TC3 request: what was signed, by whom, and which values the signature does
/// not cover. `Debug` redacts the token.
#[derive(Copy, Clone)]
#[non_exhaustive]
pub struct Tc3Verified<'a> {
    /// The SecretId of the credential scope.
    pub secret_id: &'a str,
    /// The service of the credential scope.
    pub service: &'a str,
    /// The date of the credential scope (the UTC date of `timestamp`).
    pub date: Date,
    /// `X-TC-Timestamp`.
    pub timestamp: u64,
    /// The `SignedHeaders` list as received (`content-type;host`); see
    /// [`signed_headers`](Self::signed_headers).
    pub signed_headers_raw: &'a str,
    /// `X-TC-Action`, and whether it was signed.
    pub action: CommonValue<'a>,
    /// `X-TC-Version`, and whether it was signed.
    pub version: CommonValue<'a>,
    /// `X-TC-Region`, and whether it was signed (the region is not in the credential scope).
    pub region: CommonValue<'a>,
    /// `X-TC-Language`, and whether it was signed.
    pub language: CommonValue<'a>,
    /// `X-TC-Token`, and whether it was signed (no SDK signs it).
    pub token: CommonValue<'a>,
    /// The `Host` (or `:authority`) that was verified, as signed.
    pub host: &'a str,
    /// The request path (the canonical URI, or a mount point of the policy).
    pub path: &'a str,
    /// The canonical URI that matched (the request path, or `/` at a mount point).
    pub canonical_uri: &'a str,
    /// Whether the request used `X-TC-Content-SHA256: UNSIGNED-PAYLOAD` (the body is then
    /// not covered by the signature).
    pub unsigned_payload: bool,
    /// The value rule that matched: [`ValueRule::Doc`] when values with uppercase letters
    /// were lowercased, else [`ValueRule::Raw`] (values as sent).
    pub value_rule: ValueRule,
}

impl<'a> Tc3Verified<'a> {
    /// The signed header names, in the order of `SignedHeaders`.
    pub fn signed_headers(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.signed_headers_raw.split(';')
    }

    /// Whether header `name` (any case) was signed.
    pub fn is_signed(&self, name: &str) -> bool {
        self.signed_headers().any(|n| n.eq_ignore_ascii_case(name))
    }
}

impl core::fmt::Debug for Tc3Verified<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tc3Verified")
            .field("secret_id", &self.secret_id)
            .field("service", &self.service)
            .field("date", &self.date)
            .field("timestamp", &self.timestamp)
            .field("signed_headers", &self.signed_headers_raw)
            .field("action", &self.action)
            .field("version", &self.version)
            .field("region", &self.region)
            .field("language", &self.language)
            .field("token", &Redacted(self.token.value.is_some()))
            .field("host", &self.host)
            .field("path", &self.path)
            .field("canonical_uri", &self.canonical_uri)
            .field("unsigned_payload", &self.unsigned_payload)
            .field("value_rule", &self.value_rule)
            .finish()
    }
}

/// The first label of a `Host` value (`cvm` of `cvm.ap-guangzhou.tencentcloudapi.com:443`).
fn first_label(host: &[u8]) -> &[u8] {
    let end = host
        .iter()
        .position(|&b| b == b'.' || b == b':')
        .unwrap_or(host.len());
    host.get(..end).unwrap_or(&[])
}

/// Whether `v` has an ASCII uppercase letter: eight bytes per step (SWAR), the rest one by
/// one, no early exit.
#[inline]
fn has_upper_ascii(v: &[u8]) -> bool {
    const L: u64 = 0x0101_0101_0101_0101;
    const H: u64 = 0x8080_8080_8080_8080;
    // per byte, on its low 7 bits (no carry between bytes): >= `A` and not >= `[`; a byte
    // >= 0x80 is not ASCII
    let upper = |w: u64| {
        let low7 = w & !H;
        let ge_a = low7.wrapping_add(L * (0x80 - u64::from(b'A')));
        let ge_bracket = low7.wrapping_add(L * (0x80 - u64::from(b'[')));
        ge_a & !ge_bracket & !w & H
    };
    let mut chunks = v.chunks_exact(8);
    let mut found = 0u64;
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        found |= upper(u64::from_le_bytes(w));
    }
    // the rest padded with zero bytes (not uppercase)
    let mut w = [0u8; 8];
    for (d, &b) in w.iter_mut().zip(chunks.remainder()) {
        *d = b;
    }
    found |= upper(u64::from_le_bytes(w));
    found != 0
}

/// [`trim_ows`] of a `&str` (the trimmed bytes are ASCII: the ends stay char boundaries).
fn trim_ows_str(v: &str) -> &str {
    let t = trim_ows(v.as_bytes());
    let start = (t.as_ptr() as usize).wrapping_sub(v.as_ptr() as usize);
    v.get(start..start.wrapping_add(t.len())).unwrap_or("")
}

/// Decimal digits (checked) without their leading zeros, `0` for zero: the digits
/// `encode::decimal` writes for their value.
fn without_leading_zeros(digits: &[u8]) -> &[u8] {
    let start = digits
        .iter()
        .position(|&b| b != b'0')
        .unwrap_or(digits.len().saturating_sub(1));
    digits.get(start..).unwrap_or(digits)
}

/// Constant-time equality of two signatures: `subtle`, a `u64` word per step (four steps,
/// no early exit).
fn ct_eq_32(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let word = |c: &[u8]| u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
    let eq = a
        .chunks_exact(8)
        .zip(b.chunks_exact(8))
        .fold(subtle::Choice::from(1), |eq, (x, y)| {
            eq & word(x).ct_eq(&word(y))
        });
    bool::from(eq)
}

/// One header looked up strictly: absent, or once, UTF-8, under one spelling.
fn single<'a, H: Headers + ?Sized>(
    req: &RequestView<'a, H>,
    name: &str,
    id: HeaderId,
) -> Result<Option<&'a str>, VerifyError> {
    match req
        .header_one_spelling(name)
        .ok_or(VerifyError::AmbiguousHeader(id))?
    {
        Lookup::Absent => Ok(None),
        Lookup::Many => Err(VerifyError::AmbiguousHeader(id)),
        Lookup::One(v) => core::str::from_utf8(trim_ows(v))
            .map(Some)
            .map_err(|_| VerifyError::AmbiguousHeader(id)),
    }
}

/// Everything checked and assembled before the signature is compared.
struct Prepared<'a, 'k, 'e> {
    auth: Authorization<'a>,
    key: KeyRef<'k>,
    timestamp: u64,
    /// `timestamp` in decimal, as received without leading zeros (for the string to sign)
    timestamp_digits: &'a [u8],
    date: Date,
    /// the signed headers (the caller's buffer: `Prepared` stays small to move)
    entries: &'e mut Entries<'a>,
    /// bit i: entry i has an uppercase letter that the doc rule may fold
    upper: u32,
    host: &'a str,
    host_index: usize,
    ct_index: usize,
    unsigned: bool,
    payload_hex: [u8; 64],
    query: &'a str,
    received: [u8; 32],
    common: [CommonValue<'a>; 5],
}

/// The signed headers, in the order of `SignedHeaders`.
type Entries<'a> = heapless::Vec<HeaderEntry<'a>, MAX_SIGNED_HEADERS>;

impl Prepared<'_, '_, '_> {
    fn folds(&self, policy: &Policy<'_>) -> &'static [bool] {
        match policy.values {
            ValueRule::Doc => &[true],
            ValueRule::Raw => &[false],
            ValueRule::DocThenRaw if self.upper != 0 => &[true, false],
            ValueRule::DocThenRaw => &[true],
        }
    }
}

/// Bits of the signed fixed names in `prepare`, after the five common values (action,
/// version, region, language, token).
const SIGNED_CONTENT_TYPE: u8 = 1 << 5;
const SIGNED_HOST: u8 = 1 << 6;

/// `authorization`: the request's `Authorization` header as
/// [`Headers::lookup_spelled`] found it (the dispatcher looked it up already).
#[inline(always)]
fn prepare<'a, 'k, 'e, H: Headers + ?Sized, K: KeyProvider + ?Sized>(
    req: &RequestView<'a, H>,
    authorization: (Lookup<'a>, bool),
    keys: &'k K,
    policy: &Policy<'_>,
    entries: &'e mut Entries<'a>,
) -> Result<Prepared<'a, 'k, 'e>, VerifyError> {
    // 1. method
    if req.method != "GET" && req.method != "POST" {
        return Err(VerifyError::UnsupportedMethod);
    }

    // 2. Authorization
    let auth_value = match authorization {
        (_, true) => return Err(VerifyError::AmbiguousHeader(HeaderId::Authorization)),
        (found, false) => found,
    };
    let auth_value = match auth_value {
        Lookup::Absent => return Err(VerifyError::MissingSignature),
        Lookup::Many => {
            return Err(VerifyError::MalformedAuthorization(
                AuthorizationError::Duplicate,
            ))
        }
        Lookup::One(v) => v,
    };
    let auth = authorization::parse(auth_value).map_err(VerifyError::MalformedAuthorization)?;
    let bad_list = VerifyError::MalformedAuthorization(AuthorizationError::SignedHeaders);
    let mut names: heapless::Vec<&'a str, MAX_SIGNED_HEADERS> = heapless::Vec::new();
    // bits 0-4: action, version, region, language, token signed; then content-type, host
    let mut signed: u8 = 0;
    // a name with an uppercase letter: one check over the list (`;` is not a letter)
    if has_upper_ascii(auth.signed_headers.as_bytes()) {
        return Err(bad_list);
    }
    // the names between `;` (as `split(';')`, a byte search instead of its `memchr`)
    let mut rest = Some(auth.signed_headers);
    while let Some(list) = rest {
        let (name, tail) = match list.bytes().position(|b| b == b';') {
            Some(i) => (list.get(..i).unwrap_or(""), list.get(i + 1..)),
            None => (list, None),
        };
        rest = tail;
        if name.is_empty() || names.contains(&name) {
            return Err(bad_list);
        }
        names.push(name).map_err(|_| bad_list)?;
        // the names are lowercase (checked above): the fixed ones compare exactly
        signed |= match name {
            header::ACTION => 1 << 0,
            header::VERSION => 1 << 1,
            header::REGION => 1 << 2,
            header::LANGUAGE => 1 << 3,
            header::TOKEN => 1 << 4,
            header::CONTENT_TYPE => SIGNED_CONTENT_TYPE,
            header::HOST => SIGNED_HOST,
            _ => 0,
        };
    }
    if signed & SIGNED_CONTENT_TYPE == 0 {
        return Err(VerifyError::HeaderNotSigned(NotSigned::ContentType));
    }
    if signed & SIGNED_HOST == 0 {
        return Err(VerifyError::HeaderNotSigned(NotSigned::Host));
    }
    for (i, want) in policy.required_signed.iter().enumerate() {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(want)) {
            return Err(VerifyError::HeaderNotSigned(NotSigned::Policy(i)));
        }
    }

    // 3. X-TC-Timestamp
    let (timestamp, timestamp_digits) = match req
        .header_one_spelling(header::TIMESTAMP)
        .ok_or(VerifyError::AmbiguousHeader(HeaderId::Timestamp))?
    {
        Lookup::Absent => return Err(VerifyError::MissingParameter(Param::XTcTimestamp)),
        Lookup::Many => return Err(VerifyError::InvalidParameter(Param::XTcTimestamp)),
        Lookup::One(v) => {
            let digits = trim_ows(v);
            let t = parse_decimal(digits)
                .filter(|&t| t <= MAX_TIMESTAMP)
                .ok_or(VerifyError::InvalidParameter(Param::XTcTimestamp))?;
            (t, without_leading_zeros(digits))
        }
    };

    // 4. key lookup
    let key = keys
        .key_ref(auth.secret_id)
        .ok_or(VerifyError::SecretIdNotFound)?;

    // 5. clock
    policy.check_clock(timestamp)?;

    // 6. scope, headers, payload
    let expected_date = Date::from_unix(timestamp)
        .map_err(|_| VerifyError::InvalidParameter(Param::XTcTimestamp))?;
    // the usual case, the scope date is that of the timestamp: no need to parse it again
    let scope_date = if auth.date.as_bytes() == expected_date.to_bytes() {
        expected_date
    } else {
        Date::parse(auth.date.as_bytes()).ok_or(VerifyError::MalformedAuthorization(
            AuthorizationError::Date,
        ))?
    };
    if scope_date != expected_date {
        return Err(VerifyError::ScopeDate {
            scope: scope_date,
            expected: expected_date,
        });
    }

    // Lowercasing a value without uppercase letters changes nothing: such entries are
    // written as they are, the others folded under the doc rule.
    entries.clear();
    let mut upper: u32 = 0;
    let (mut host, mut host_index, mut ct_index) = ("", 0, 0);
    for (index, &name) in names.iter().enumerate() {
        let value = match req
            .header_one_spelling(name)
            .ok_or(VerifyError::AmbiguousHeader(HeaderId::Signed(index)))?
        {
            Lookup::Absent => return Err(VerifyError::SignedHeaderAbsent { index }),
            Lookup::Many => return Err(VerifyError::SignedHeaderAmbiguous { index }),
            Lookup::One(v) => v,
        };
        let value = core::str::from_utf8(value)
            .map_err(|_| VerifyError::SignedHeaderAmbiguous { index })?;
        let mut has_upper = has_upper_ascii(value.as_bytes());
        if name == header::HOST {
            host = trim_ows_str(value);
            host_index = index;
            if !is_valid_authority(host.as_bytes()) {
                return Err(VerifyError::InvalidHost);
            }
        }
        if name == header::CONTENT_TYPE {
            ct_index = index;
            // a case-sensitive boundary is never lowercased
            if has_upper && has_cased_boundary(value.as_bytes()) {
                has_upper = false;
            }
        }
        upper |= u32::from(has_upper) << index;
        entries
            .push(HeaderEntry {
                name,
                value,
                fold: has_upper,
            })
            .map_err(|_| bad_list)?;
    }

    let service_ok = match policy.service {
        Some(s) => s == auth.service,
        None => first_label(host.as_bytes()) == auth.service.as_bytes(),
    };
    if !service_ok {
        return Err(VerifyError::ScopeService);
    }

    let unsigned = single(req, header::CONTENT_SHA256, HeaderId::ContentSha256)?
        == Some(super::UNSIGNED_PAYLOAD);
    if unsigned && !policy.allow_unsigned_payload {
        return Err(VerifyError::UnsignedPayloadRefused);
    }
    let payload_hex = if unsigned {
        hash_payload(&Payload::Unsigned)
    } else {
        match req.body {
            Payload::Unsigned => return Err(VerifyError::BodyUnavailable),
            body => hash_payload(&body),
        }
    };

    // the common values, each with whether it was signed (straight-line code: an iterator
    // chain with its early return stayed an out-of-line `Enumerate::next`)
    let common_value = |bit: u8, name: &str, id: HeaderId| {
        Ok::<_, VerifyError>(CommonValue {
            value: single(req, name, id)?,
            signed: (signed >> bit) & 1 != 0,
        })
    };
    let common = [
        common_value(0, header::ACTION, HeaderId::Action)?,
        common_value(1, header::VERSION, HeaderId::Version)?,
        common_value(2, header::REGION, HeaderId::Region)?,
        common_value(3, header::LANGUAGE, HeaderId::Language)?,
        common_value(4, header::TOKEN, HeaderId::Token)?,
    ];

    // 64 lowercase hex digits, checked by the parser: compare the 32 raw bytes
    let received = auth
        .signature_bytes()
        .ok_or(VerifyError::MalformedAuthorization(
            AuthorizationError::Signature,
        ))?;
    Ok(Prepared {
        auth,
        key,
        timestamp,
        timestamp_digits,
        date: scope_date,
        entries,
        upper,
        host,
        host_index,
        ct_index,
        unsigned,
        payload_hex,
        query: req.query.unwrap_or(""),
        received,
        common,
    })
}

/// The one verification path; `trace` observes it. `authorization`: the request's
/// `Authorization` header as [`Headers::lookup_spelled`] found it.
pub(crate) fn verify_traced<
    'a,
    H: Headers + ?Sized,
    K: KeyProvider + ?Sized,
    D: DeriveKey,
    T: Trace + ?Sized,
>(
    req: &RequestView<'a, H>,
    authorization: (Lookup<'a>, bool),
    keys: &K,
    policy: &Policy<'_>,
    derive: &mut D,
    trace: &mut T,
) -> Result<Tc3Verified<'a>, VerifyError> {
    let mut entries = Entries::new();
    let p = prepare(req, authorization, keys, policy, &mut entries)?;
    let folds = p.folds(policy);
    let (uris, n_uris) = policy.uris(req.path);
    let uris = uris.get(..n_uris).unwrap_or(&[]);
    let several = folds.len() * uris.len() > 1;
    trace::value(
        trace,
        Label::ReceivedSignature,
        p.auth.signature_hex.as_bytes(),
    );
    let entries = p.entries;
    let matched = derive
        .with_key(p.auth.secret_id, &p.key, p.date, p.auth.service, |sk| {
            for &fold in folds {
                for (i, e) in entries.iter_mut().enumerate() {
                    e.fold = fold && (p.upper >> i) & 1 != 0;
                }
                for &uri in uris {
                    if several {
                        let rule: &[u8] = if fold && p.upper != 0 {
                            b"doc (values lowercased)"
                        } else {
                            b"raw (values as sent)"
                        };
                        trace::value(trace, Label::ValueRule, rule);
                        trace::value(trace, Label::CanonicalUri, uri.as_bytes());
                    }
                    let sig = compute(
                        sk,
                        req.method,
                        uri,
                        p.query,
                        entries,
                        &p.payload_hex,
                        p.timestamp_digits,
                        trace,
                    );
                    if ct_eq_32(&sig, &p.received) {
                        return Some((fold && p.upper != 0, uri));
                    }
                }
            }
            None
        })
        .map_err(|_| VerifyError::SignatureMismatch)?;
    let Some((lowercased, canonical_uri)) = matched else {
        return Err(VerifyError::SignatureMismatch);
    };

    // 7. token
    let [action, version, region, language, token] = p.common;
    let token_bytes = token.value.map(str::as_bytes);
    if !keys.accept_token(p.auth.secret_id, token_bytes) {
        return Err(VerifyError::TokenRefused {
            present: token.value.is_some(),
        });
    }

    Ok(Tc3Verified {
        secret_id: p.auth.secret_id,
        service: p.auth.service,
        date: p.date,
        timestamp: p.timestamp,
        signed_headers_raw: p.auth.signed_headers,
        action,
        version,
        region,
        language,
        token,
        host: p.host,
        path: req.path,
        canonical_uri,
        unsigned_payload: p.unsigned,
        value_rule: if lowercased {
            ValueRule::Doc
        } else {
            ValueRule::Raw
        },
    })
}

/// The signature of one candidate canonical request; `trace` sees the bytes hashed.
#[allow(clippy::too_many_arguments)]
fn compute<T: Trace + ?Sized>(
    key: &SigningKey,
    method: &str,
    uri: &str,
    query: &str,
    headers: &[HeaderEntry<'_>],
    payload_hex: &[u8; 64],
    timestamp_digits: &[u8],
    trace: &mut T,
) -> [u8; 32] {
    let on = trace.active();
    let staged = if on {
        None
    } else {
        staged_canonical(key, method, uri, query, headers, payload_hex)
    };
    let hashed = match staged {
        Some(hashed) => hashed,
        None => {
            let mut h = Sha256::new();
            if on {
                trace.begin(Label::CanonicalRequest);
            }
            canonical::write_canonical_request(
                method,
                uri,
                query,
                headers,
                payload_hex,
                &mut Tee {
                    a: &mut h,
                    t: &mut *trace,
                    on,
                },
            );
            if on {
                trace.end();
            }
            hex32(&h.finalize().into())
        }
    };
    trace::value(trace, Label::HashedCanonicalRequest, &hashed);
    // 16 + 20 + 1 + 10 + 1 + 64 (service) + 12 + 1 + 64 < 256
    let mut buf = [0u8; 256];
    let mut w = BufWriter::new(&mut buf);
    // the key's scope, written once when it was derived
    canonical::write_string_to_sign_scope(timestamp_digits, key.scope(), &hashed, &mut w);
    trace::value(trace, Label::StringToSign, w.written());
    if on {
        trace.begin(Label::CredentialScope);
        canonical::write_scope(key.date(), key.service(), &mut TraceSink(&mut *trace));
        trace.end();
    }
    // The service is at most 64 bytes (checked by `SigningKey::derive`), so this fits; an
    // overflow would yield a wrong signature, never an accepted one. The keyed HMAC of
    // `SigningKey::sign_raw`, without its hex unless a trace shows it.
    let mut mac = key.mac.clone();
    mac.update(w.written());
    let sig: [u8; 32] = mac.finalize().into_bytes().into();
    if on {
        trace::value(trace, Label::ExpectedSignature, &hex32(&sig));
    }
    sig
}

/// The hex SHA-256 of the canonical request staged in a stack buffer, with the state after its
/// first block from `key`'s cache (the signer's path); `None` when it does not fit.
fn staged_canonical(
    key: &SigningKey,
    method: &str,
    uri: &str,
    query: &str,
    headers: &[HeaderEntry<'_>],
    payload_hex: &[u8; 64],
) -> Option<[u8; 64]> {
    let mut buf = [0u8; super::STAGE + midstate::PAD];
    let (stage, _) = buf.split_at_mut(super::STAGE);
    let mut w = BufWriter::new(stage);
    match headers {
        // the headers every SDK signs, values as sent (the names are checked lowercase)
        [ct, host]
            if ct.name == header::CONTENT_TYPE
                && host.name == header::HOST
                && !ct.fold
                && !host.fold =>
        {
            canonical::write_canonical_request_plain(
                method,
                uri,
                query,
                ct.value,
                host.value,
                payload_hex,
                &mut w,
            );
        }
        _ => canonical::write_canonical_request(method, uri, query, headers, payload_hex, &mut w),
    }
    let len = w.finish().ok()?.len();
    midstate::digest_staged(&mut buf, len, &key.first_block).map(|d| hex32(&d))
}

// ---------------------------------------------------------------------------------------------
// Diagnosis: retry the mistakes signers make

/// One modified input tried against the received signature.
struct Trial<'x> {
    key: &'x SecretKey,
    service: &'x str,
    entries: &'x [HeaderEntry<'x>],
    uri: &'x str,
    payload_hex: &'x [u8; 64],
}

/// Whether `t` (under either value rule) reproduces the received signature.
fn reproduces<H: Headers + ?Sized>(
    req: &RequestView<'_, H>,
    p: &Prepared<'_, '_, '_>,
    t: &Trial<'_>,
) -> bool {
    let Ok(sk) = SigningKey::derive(t.key, p.date, t.service) else {
        return false;
    };
    let mut entries: heapless::Vec<HeaderEntry<'_>, MAX_SIGNED_HEADERS> = heapless::Vec::new();
    for e in t.entries {
        let _ = entries.push(*e);
    }
    for fold in [false, true] {
        for e in entries.iter_mut() {
            e.fold = fold;
        }
        let sig = compute(
            &sk,
            req.method,
            t.uri,
            p.query,
            &entries,
            t.payload_hex,
            p.timestamp_digits,
            &mut NoTrace,
        );
        if ct_eq_32(&sig, &p.received) {
            return true;
        }
    }
    false
}

/// After a [`VerifyError::SignatureMismatch`]: the mistake that reproduces the received
/// signature, if one does.
pub(crate) fn diagnose<H: Headers + ?Sized, K: KeyProvider + ?Sized>(
    req: &RequestView<'_, H>,
    keys: &K,
    policy: &Policy<'_>,
) -> Cause {
    let authorization = req.headers.lookup_spelled(header::AUTHORIZATION);
    let mut entries = Entries::new();
    let Ok(p) = prepare(req, authorization, keys, policy, &mut entries) else {
        return Cause::Unknown;
    };
    let (uris, _) = policy.uris(req.path);
    let base = Trial {
        key: &p.key,
        service: p.auth.service,
        entries: p.entries,
        uri: uris[0],
        payload_hex: &p.payload_hex,
    };
    // path
    if crate::verify::policy::path_candidates(policy, req.path, |uri| {
        reproduces(req, &p, &Trial { uri, ..base })
    }) {
        return Cause::Path;
    }
    // host
    let with_entry = |i: usize, value: &str, t: &dyn Fn(&[HeaderEntry<'_>]) -> bool| {
        let mut e: heapless::Vec<HeaderEntry<'_>, MAX_SIGNED_HEADERS> = heapless::Vec::new();
        for (j, x) in p.entries.iter().enumerate() {
            let _ = e.push(if j == i {
                HeaderEntry { value, ..*x }
            } else {
                *x
            });
        }
        t(&e)
    };
    let region = p.common[2].value;
    if host_candidates(p.host, p.auth.service, region, |h| {
        with_entry(p.host_index, h, &|e| {
            reproduces(req, &p, &Trial { entries: e, ..base })
        })
    }) {
        return Cause::Host;
    }
    // a case-sensitive boundary lowercased
    let ct = p
        .entries
        .get(p.ct_index)
        .map_or("", |e| e.value.trim_matches(|c| c == ' ' || c == '\t'));
    if has_cased_boundary(ct.as_bytes()) {
        let lower: heapless::String<512> = ct.chars().map(|c| c.to_ascii_lowercase()).collect();
        if with_entry(p.ct_index, &lower, &|e| {
            reproduces(req, &p, &Trial { entries: e, ..base })
        }) {
            return Cause::ValueCase;
        }
    }
    if content_type_candidates(ct, |c| {
        with_entry(p.ct_index, c, &|e| {
            reproduces(req, &p, &Trial { entries: e, ..base })
        })
    }) {
        return Cause::ContentType;
    }
    if !p.unsigned {
        let empty = hash_payload(&Payload::Bytes(b""));
        if empty != p.payload_hex
            && reproduces(
                req,
                &p,
                &Trial {
                    payload_hex: &empty,
                    ..base
                },
            )
        {
            return Cause::PayloadEmpty;
        }
        if let Payload::Bytes(body) = req.body {
            let plus = |extra: &[u8]| {
                let mut h = Sha256::new();
                h.update(body);
                h.update(extra);
                hex32(&h.finalize().into())
            };
            let mut tries: heapless::Vec<[u8; 64], 4> = heapless::Vec::new();
            let _ = tries.push(plus(b"\n"));
            let _ = tries.push(plus(b"\r\n"));
            if let Some(b) = body
                .strip_suffix(b"\r\n")
                .or_else(|| body.strip_suffix(b"\n"))
            {
                let _ = tries.push(hash_payload(&Payload::Bytes(b)));
            }
            if tries.iter().any(|h| {
                reproduces(
                    req,
                    &p,
                    &Trial {
                        payload_hex: h,
                        ..base
                    },
                )
            }) {
                return Cause::PayloadNewline;
            }
        }
    }
    key_candidates(&p.key, p.auth.secret_id, |k| {
        reproduces(req, &p, &Trial { key: k, ..base })
    })
    .unwrap_or(Cause::Unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upper_ascii_every_byte_in_every_position() {
        let lens = [1usize, 7, 8, 9, 16, 23];
        crate::test_bytes::each_byte_at_each_position(&lens, b'a', |v, pos, b| {
            let len = v.len();
            assert_eq!(
                has_upper_ascii(&v),
                b.is_ascii_uppercase(),
                "{len} {pos} {b}"
            );
        });
        assert!(!has_upper_ascii(b""));
        assert!(has_upper_ascii(b"application/json; charset=UTF-8"));
        assert!(!has_upper_ascii(b"application/json; charset=utf-8"));
    }

    #[test]
    fn signatures_equal_only_when_every_byte_is() {
        let a: [u8; 32] = core::array::from_fn(|i| (i * 37 + 11) as u8);
        assert!(ct_eq_32(&a, &a));
        for i in 0..32 {
            for bit in 0..8 {
                let mut b = a;
                b[i] ^= 1 << bit;
                assert!(!ct_eq_32(&a, &b), "{i} {bit}");
            }
        }
    }

    #[test]
    fn timestamp_digits_as_decimal_writes_them() {
        for t in [
            "1551113065",
            "01551113065",
            "0001551113065",
            "0",
            "000",
            "7",
            "10",
            "0010",
        ] {
            let v = parse_decimal(t.as_bytes()).unwrap();
            let mut buf = [0u8; 20];
            let want = crate::encode::decimal(v, &mut buf);
            assert_eq!(without_leading_zeros(t.as_bytes()), want, "{t}");
        }
    }

    #[test]
    fn trim_ows_str_keeps_the_middle() {
        assert_eq!(
            trim_ows_str(" \tcvm.tencentcloudapi.com \t"),
            "cvm.tencentcloudapi.com"
        );
        assert_eq!(trim_ows_str("h\u{e9}te "), "h\u{e9}te");
        assert_eq!(trim_ows_str(" \t "), "");
        assert_eq!(trim_ows_str(""), "");
    }
}
