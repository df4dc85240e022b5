//! Gateway-side verification of TC3-HMAC-SHA256 requests (see [`crate::verify`] for the
//! request view, policy, key lookup and error codes).
//!
//! The signature is recomputed with the same writers the signer uses
//! ([`canonical::write_canonical_request`], [`canonical::write_string_to_sign`],
//! [`SigningKey`]) and compared in constant time (`subtle`, over the 32 raw bytes).
//!
//! # Canonical header values
//!
//! The documented rule trims and lowercases every signed header value, and the server
//! applies it (doc edition A signs `x-tc-action:describeinstances` for
//! `X-TC-Action: DescribeInstances`); the SDKs sign `content-type` and `host` as sent. With
//! the default [`ValueRule::DocThenRaw`] the verifier computes the doc rule first and, only
//! when that fails and a signed value contains an ASCII uppercase letter, the raw (trimmed)
//! values as well. Both are accepted, so every official SDK and the documented example
//! verify. At most four candidate signatures are computed (two value rules × two canonical
//! URIs, see [`UriRule`](crate::verify::UriRule)); the work stays linear in the request size.

use super::authorization::{self, AuthorizationError};
use super::canonical::{self, HeaderEntry};
use super::{hash_payload, Payload, Signature, SigningKey, MAX_SIGNED_HEADERS};
use crate::credential::{SecretKey, MAX_SECRET_ID_LEN};
use crate::encode::{hex32, parse_decimal, BufWriter};
use crate::time::{Date, MAX_TIMESTAMP};
use crate::verify::{
    trim_ows, AuthorizationFault, Body, Headers, KeyProvider, Lookup, NotSigned, Param, Policy,
    RequestView, ValueRule, VerifyError,
};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A verified TC3 request: what was signed, by whom.
#[derive(Copy, Clone, Debug)]
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
    /// `X-TC-Token`, if sent (not covered by the signature: no SDK signs it).
    pub token: Option<&'a [u8]>,
    /// Whether the request used `X-TC-Content-SHA256: UNSIGNED-PAYLOAD` (the body is then
    /// not covered by the signature).
    pub unsigned_payload: bool,
    /// Whether the matching signature used lowercased header values (doc rule) rather than
    /// raw ones (SDK rule); both are equal when the values are lowercase.
    pub values_lowercased: bool,
    /// The canonical URI that matched (`/` or the request path).
    pub canonical_uri: &'a str,
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

/// Verifies a TC3 request (derives the signing key every time; see [`verify_cached`]).
pub fn verify<'a, H: Headers + ?Sized, K: KeyProvider + ?Sized>(
    req: &RequestView<'a, H>,
    keys: &K,
    policy: &Policy<'_>,
) -> Result<Tc3Verified<'a>, VerifyError> {
    verify_inner(req, keys, policy, &mut NoCache)
}

/// Verifies a TC3 request, reusing derived signing keys from `cache`.
pub fn verify_cached<'a, H: Headers + ?Sized, K: KeyProvider + ?Sized, const N: usize>(
    req: &RequestView<'a, H>,
    keys: &K,
    policy: &Policy<'_>,
    cache: &mut KeyCache<N>,
) -> Result<Tc3Verified<'a>, VerifyError> {
    verify_inner(req, keys, policy, cache)
}

fn auth_fault(e: AuthorizationError) -> AuthorizationFault {
    match e {
        AuthorizationError::Algorithm => AuthorizationFault::Algorithm,
        AuthorizationError::Date => AuthorizationFault::Date,
        AuthorizationError::SecretId | AuthorizationError::Service | AuthorizationError::Scope => {
            AuthorizationFault::Credential
        }
        AuthorizationError::SignedHeaders => AuthorizationFault::SignedHeaders,
        AuthorizationError::Signature => AuthorizationFault::Signature,
        _ => AuthorizationFault::Syntax,
    }
}

/// The first label of a `Host` value (`cvm` of `cvm.ap-guangzhou.tencentcloudapi.com:443`).
fn first_label(host: &[u8]) -> &[u8] {
    let host = trim_ows(host);
    let end = host
        .iter()
        .position(|&b| b == b'.' || b == b':')
        .unwrap_or(host.len());
    host.get(..end).unwrap_or(&[])
}

fn verify_inner<'a, H: Headers + ?Sized, K: KeyProvider + ?Sized, D: DeriveKey>(
    req: &RequestView<'a, H>,
    keys: &K,
    policy: &Policy<'_>,
    derive: &mut D,
) -> Result<Tc3Verified<'a>, VerifyError> {
    // 1. method
    if req.method != "GET" && req.method != "POST" {
        return Err(VerifyError::UnsupportedMethod);
    }

    // 2. Authorization
    let auth_value = match req.header("authorization") {
        Lookup::Absent => return Err(VerifyError::MissingSignature),
        Lookup::Many => {
            return Err(VerifyError::MalformedAuthorization(
                AuthorizationFault::Duplicate,
            ))
        }
        Lookup::One(v) => v,
    };
    let auth = authorization::parse(auth_value)
        .map_err(|e| VerifyError::MalformedAuthorization(auth_fault(e)))?;
    let bad_list = VerifyError::MalformedAuthorization(AuthorizationFault::SignedHeaders);
    let mut names: heapless::Vec<&'a str, MAX_SIGNED_HEADERS> = heapless::Vec::new();
    for name in auth.signed_headers() {
        if name.is_empty() || name.bytes().any(|b| b.is_ascii_uppercase()) || names.contains(&name)
        {
            return Err(bad_list);
        }
        names.push(name).map_err(|_| bad_list)?;
    }
    let signed = |want: &str| names.iter().any(|n| n.eq_ignore_ascii_case(want));
    // the names are lowercase (checked above): the fixed ones compare exactly
    if !names.contains(&"content-type") {
        return Err(VerifyError::HeaderNotSigned(NotSigned::ContentType));
    }
    if !names.contains(&"host") {
        return Err(VerifyError::HeaderNotSigned(NotSigned::Host));
    }
    for (i, want) in policy.required_signed_headers.iter().enumerate() {
        if !signed(want) {
            return Err(VerifyError::HeaderNotSigned(NotSigned::Policy(i)));
        }
    }

    // 3. X-TC-Timestamp
    let timestamp = match req.header("x-tc-timestamp") {
        Lookup::Absent => return Err(VerifyError::MissingParameter(Param::XTcTimestamp)),
        Lookup::Many => return Err(VerifyError::InvalidParameter(Param::XTcTimestamp)),
        Lookup::One(v) => parse_decimal(trim_ows(v))
            .filter(|&t| t <= MAX_TIMESTAMP)
            .ok_or(VerifyError::InvalidParameter(Param::XTcTimestamp))?,
    };

    // 4. key lookup
    let key = keys
        .key_ref(auth.secret_id)
        .ok_or(VerifyError::SecretIdNotFound)?;

    // 5. clock
    policy.check_clock(timestamp)?;

    // 6. scope, headers, payload, signature
    let expected_date = Date::from_unix(timestamp)
        .map_err(|_| VerifyError::InvalidParameter(Param::XTcTimestamp))?;
    // the usual case, the scope date is that of the timestamp: no need to parse it again
    let scope_date = if auth.date.as_bytes() == expected_date.to_bytes() {
        expected_date
    } else {
        Date::parse(auth.date.as_bytes()).ok_or(VerifyError::MalformedAuthorization(
            AuthorizationFault::Date,
        ))?
    };
    if scope_date != expected_date {
        return Err(VerifyError::ScopeDate {
            scope: scope_date,
            expected: expected_date,
        });
    }

    // Lowercasing a value without uppercase letters changes nothing: such entries are
    // written as they are (`fold: false`), the others folded under the doc rule.
    let mut entries: heapless::Vec<HeaderEntry<'a>, MAX_SIGNED_HEADERS> = heapless::Vec::new();
    let mut upper: u32 = 0;
    let mut host_value: &[u8] = &[];
    for (index, &name) in names.iter().enumerate() {
        let value = match req.header(name) {
            Lookup::Absent => return Err(VerifyError::SignedHeaderAbsent { index }),
            Lookup::Many => return Err(VerifyError::SignedHeaderAmbiguous { index }),
            Lookup::One(v) => v,
        };
        let value = core::str::from_utf8(value)
            .map_err(|_| VerifyError::SignedHeaderAmbiguous { index })?;
        let has_upper = value.bytes().any(|b| b.is_ascii_uppercase());
        upper |= u32::from(has_upper) << index;
        if name == "host" {
            host_value = value.as_bytes();
        }
        entries
            .push(HeaderEntry {
                name,
                value,
                fold: has_upper,
            })
            .map_err(|_| bad_list)?;
    }
    let has_upper = upper != 0;

    let service_ok = match policy.service {
        Some(s) => s == auth.service,
        None => first_label(host_value) == auth.service.as_bytes(),
    };
    if !service_ok {
        return Err(VerifyError::ScopeService);
    }

    let unsigned = matches!(req.header("x-tc-content-sha256"),
        Lookup::One(v) if trim_ows(v) == super::UNSIGNED_PAYLOAD.as_bytes());
    if unsigned && !policy.allow_unsigned_payload {
        return Err(VerifyError::UnsignedPayloadRefused);
    }
    let payload_hex = if unsigned {
        hash_payload(&Payload::Unsigned)
    } else {
        match req.body {
            Body::Bytes(b) => hash_payload(&Payload::Bytes(b)),
            Body::Sha256(d) => hash_payload(&Payload::Sha256(d)),
        }
    };

    let query = req.query.unwrap_or("");
    let (uris, n_uris) = policy.uris(req.path);
    let folds: &[bool] = match policy.values {
        ValueRule::Doc => &[true],
        ValueRule::Raw => &[false],
        ValueRule::DocThenRaw if has_upper => &[true, false],
        ValueRule::DocThenRaw => &[true],
    };
    // 64 lowercase hex digits, checked by the parser: compare the 32 raw bytes
    let received = auth
        .signature_bytes()
        .ok_or(VerifyError::MalformedAuthorization(
            AuthorizationFault::Signature,
        ))?;
    let matched = derive
        .with_key(auth.secret_id, &key, scope_date, auth.service, |sk| {
            for &fold in folds {
                for (i, e) in entries.iter_mut().enumerate() {
                    e.fold = fold && (upper >> i) & 1 != 0;
                }
                for &uri in uris.get(..n_uris).unwrap_or(&[]) {
                    let sig = compute(
                        sk,
                        req.method,
                        uri,
                        query,
                        &entries,
                        &payload_hex,
                        timestamp,
                    );
                    if bool::from(sig.as_bytes().ct_eq(&received)) {
                        return Some((fold, uri));
                    }
                }
            }
            None
        })
        .map_err(|_| VerifyError::SignatureMismatch)?;
    let Some((values_lowercased, canonical_uri)) = matched else {
        return Err(VerifyError::SignatureMismatch);
    };

    // 7. token
    let token = match req.header("x-tc-token") {
        Lookup::Absent => None,
        Lookup::One(v) => Some(v),
        Lookup::Many => return Err(VerifyError::TokenRefused { present: true }),
    };
    if !keys.accept_token(auth.secret_id, token) {
        return Err(VerifyError::TokenRefused {
            present: token.is_some(),
        });
    }

    Ok(Tc3Verified {
        secret_id: auth.secret_id,
        service: auth.service,
        date: scope_date,
        timestamp,
        signed_headers_raw: auth.signed_headers,
        token,
        unsigned_payload: unsigned,
        values_lowercased,
        canonical_uri,
    })
}

/// The signature of one candidate canonical request.
fn compute(
    key: &SigningKey,
    method: &str,
    uri: &str,
    query: &str,
    headers: &[HeaderEntry<'_>],
    payload_hex: &[u8; 64],
    timestamp: u64,
) -> Signature {
    let mut h = Sha256::new();
    canonical::write_canonical_request(&mut h, method, uri, query, headers, payload_hex);
    let hashed = hex32(&h.finalize().into());
    // 16 + 20 + 1 + 10 + 1 + 64 (service) + 12 + 1 + 64 < 256
    let mut buf = [0u8; 256];
    let mut w = BufWriter::new(&mut buf);
    canonical::write_string_to_sign(&mut w, timestamp, key.date(), key.service(), &hashed);
    // The service is at most 64 bytes (checked by `SigningKey::derive`), so this fits; an
    // overflow would yield a wrong signature, never an accepted one.
    key.sign_raw(w.written())
}

// ---------------------------------------------------------------------------------------------
// Key derivation, cached or not

trait DeriveKey {
    fn with_key<R>(
        &mut self,
        secret_id: &str,
        key: &SecretKey,
        date: Date,
        service: &str,
        f: impl FnOnce(&SigningKey) -> R,
    ) -> Result<R, crate::Error>;
}

struct NoCache;

impl DeriveKey for NoCache {
    fn with_key<R>(
        &mut self,
        _secret_id: &str,
        key: &SecretKey,
        date: Date,
        service: &str,
        f: impl FnOnce(&SigningKey) -> R,
    ) -> Result<R, crate::Error> {
        Ok(f(&SigningKey::derive(key, date, service)?))
    }
}

struct Slot {
    secret_id: heapless::String<MAX_SECRET_ID_LEN>,
    key: SecretKey,
    signing: SigningKey,
    last_used: u64,
}

/// A fixed-capacity cache of derived TC3 signing keys per (SecretId, date, service), `no_std`
/// and allocation-free. A hit also requires the SecretKey returned by the
/// [`KeyProvider`] to equal (constant time) the one the entry was
/// derived from, so rotating or revoking a key takes effect immediately. When full, the
/// least recently used entry is replaced; its copy of the SecretKey is zeroized on eviction
/// (the pre-keyed HMAC state of [`SigningKey`] cannot be, see there).
pub struct KeyCache<const N: usize> {
    slots: [Option<Slot>; N],
    tick: u64,
    hits: u64,
    misses: u64,
}

impl<const N: usize> KeyCache<N> {
    /// An empty cache of `N` entries.
    pub const fn new() -> Self {
        KeyCache {
            slots: [const { None }; N],
            tick: 0,
            hits: 0,
            misses: 0,
        }
    }

    /// (hits, misses) so far.
    pub fn stats(&self) -> (u64, u64) {
        (self.hits, self.misses)
    }

    /// Drops every entry (their SecretKey copies are zeroized).
    pub fn clear(&mut self) {
        for s in self.slots.iter_mut() {
            *s = None;
        }
    }
}

impl<const N: usize> Default for KeyCache<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> core::fmt::Debug for KeyCache<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyCache")
            .field("capacity", &N)
            .field("len", &self.slots.iter().filter(|s| s.is_some()).count())
            .field("hits", &self.hits)
            .field("misses", &self.misses)
            .finish()
    }
}

impl<const N: usize> DeriveKey for KeyCache<N> {
    fn with_key<R>(
        &mut self,
        secret_id: &str,
        key: &SecretKey,
        date: Date,
        service: &str,
        f: impl FnOnce(&SigningKey) -> R,
    ) -> Result<R, crate::Error> {
        self.tick = self.tick.wrapping_add(1);
        let tick = self.tick;
        let hit = self.slots.iter_mut().flatten().find(|s| {
            s.secret_id.as_str() == secret_id
                && s.signing.date() == date
                && s.signing.service() == service
                && bool::from(s.key.expose_secret().ct_eq(key.expose_secret()))
        });
        if let Some(slot) = hit {
            self.hits += 1;
            slot.last_used = tick;
            return Ok(f(&slot.signing));
        }
        self.misses += 1;
        let signing = SigningKey::derive(key, date, service)?;
        let mut id = heapless::String::new();
        if N == 0 || id.push_str(secret_id).is_err() {
            return Ok(f(&signing));
        }
        // an empty slot, else the least recently used one
        let victim = self
            .slots
            .iter_mut()
            .min_by_key(|s| s.as_ref().map_or(0, |s| s.last_used.max(1)));
        match victim {
            Some(v) => {
                let slot = v.insert(Slot {
                    secret_id: id,
                    key: key.clone(),
                    signing,
                    last_used: tick,
                });
                Ok(f(&slot.signing))
            }
            None => Ok(f(&signing)),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Explain

/// Writes, for humans (`tc3 explain`), the intermediate values of verifying `req` as labelled
/// text into `out`: `CanonicalRequest`, `HashedCanonicalRequest`, `StringToSign`,
/// `CredentialScope`, `ExpectedSignature`, `ReceivedSignature` (first candidate: doc value
/// rule and the first canonical URI of the policy; under [`ValueRule::DocThenRaw`] the raw
/// rule is shown too when a value has uppercase letters), then `Result:` with the code and
/// message of [`verify`]. Values that cannot be computed (no `Authorization`, unknown
/// SecretId, ...) are left out. Returns what [`verify`] returns.
pub fn explain<
    'a,
    H: Headers + ?Sized,
    K: KeyProvider + ?Sized,
    S: crate::encode::Sink + ?Sized,
>(
    req: &RequestView<'a, H>,
    keys: &K,
    policy: &Policy<'_>,
    out: &mut S,
) -> Result<Tc3Verified<'a>, VerifyError> {
    write_explanation(req, keys, policy, out);
    let result = verify(req, keys, policy);
    crate::verify::write_result(&result, out);
    result
}

fn write_explanation<
    H: Headers + ?Sized,
    K: KeyProvider + ?Sized,
    S: crate::encode::Sink + ?Sized,
>(
    req: &RequestView<'_, H>,
    keys: &K,
    policy: &Policy<'_>,
    out: &mut S,
) {
    let Lookup::One(auth) = req.header("authorization") else {
        return;
    };
    let Ok(auth) = authorization::parse(auth) else {
        return;
    };
    let Some(key) = keys.key_ref(auth.secret_id) else {
        return;
    };
    let Some(date) = Date::parse(auth.date.as_bytes()) else {
        return;
    };
    let Lookup::One(ts) = req.header("x-tc-timestamp") else {
        return;
    };
    let Some(timestamp) = parse_decimal(trim_ows(ts)) else {
        return;
    };
    let Ok(sk) = SigningKey::derive(&key, date, auth.service) else {
        return;
    };
    let mut entries: heapless::Vec<HeaderEntry<'_>, MAX_SIGNED_HEADERS> = heapless::Vec::new();
    let mut has_upper = false;
    for name in auth.signed_headers() {
        // absent, repeated or non-UTF-8 headers enter as empty values here; verify says why
        let value = match req.header(name) {
            Lookup::One(v) => core::str::from_utf8(v).unwrap_or(""),
            _ => "",
        };
        has_upper |= value.bytes().any(|b| b.is_ascii_uppercase());
        if entries
            .push(HeaderEntry {
                name,
                value,
                fold: true,
            })
            .is_err()
        {
            return;
        }
    }
    let unsigned = matches!(req.header("x-tc-content-sha256"),
        Lookup::One(v) if trim_ows(v) == super::UNSIGNED_PAYLOAD.as_bytes());
    let payload_hex = match (unsigned, req.body) {
        (true, _) => hash_payload(&Payload::Unsigned),
        (false, Body::Bytes(b)) => hash_payload(&Payload::Bytes(b)),
        (false, Body::Sha256(d)) => hash_payload(&Payload::Sha256(d)),
    };
    let query = req.query.unwrap_or("");
    let (uris, _) = policy.uris(req.path);
    let folds: &[bool] = match policy.values {
        ValueRule::Doc => &[true],
        ValueRule::Raw => &[false],
        ValueRule::DocThenRaw if has_upper => &[true, false],
        ValueRule::DocThenRaw => &[true],
    };
    for &fold in folds {
        for e in entries.iter_mut() {
            e.fold = fold;
        }
        if folds.len() > 1 {
            out.put(if fold {
                b"ValueRule: doc (values lowercased)\n".as_slice()
            } else {
                b"ValueRule: raw (values as sent)\n".as_slice()
            });
        }
        out.put(b"CanonicalRequest:\n");
        canonical::write_canonical_request(out, req.method, uris[0], query, &entries, &payload_hex);
        let mut h = Sha256::new();
        canonical::write_canonical_request(
            &mut h,
            req.method,
            uris[0],
            query,
            &entries,
            &payload_hex,
        );
        let hashed = hex32(&h.finalize().into());
        out.put(b"\nHashedCanonicalRequest: ");
        out.put(&hashed);
        out.put(b"\nStringToSign:\n");
        canonical::write_string_to_sign(out, timestamp, date, auth.service, &hashed);
        out.put(b"\nCredentialScope: ");
        canonical::write_scope(out, date, auth.service);
        let sig = compute(
            &sk,
            req.method,
            uris[0],
            query,
            &entries,
            &payload_hex,
            timestamp,
        );
        out.put(b"\nExpectedSignature: ");
        out.put(sig.as_hex().as_bytes());
        out.put(b"\nReceivedSignature: ");
        out.put(auth.signature_hex.as_bytes());
        out.put(b"\n");
    }
}
