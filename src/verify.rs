//! Gateway-side verification of signed requests: decide, as a Tencent Cloud server would,
//! whether a request's TC3-HMAC-SHA256 or legacy HmacSHA1/HmacSHA256 signature is valid, and
//! answer with the error code a server returns when it is not.
//!
//! The pieces:
//!
//! * [`RequestView`]: what a gateway fills from any HTTP library — method, path, raw query,
//!   headers (any [`Headers`] implementation, e.g. a slice of `(name, value)` pairs, looked up
//!   ASCII case-insensitively) and the body as bytes or as a precomputed SHA-256.
//! * [`Policy`]: clock window, expected service, extra headers that must be signed,
//!   `UNSIGNED-PAYLOAD` allowed or not, canonical URI and header-value rules.
//! * [`KeyProvider`]: SecretId → SecretKey lookup (implemented for closures), plus an
//!   optional token check.
//! * [`KeyCache`]: an optional fixed-capacity cache of derived TC3 signing keys.
//! * [`verify`] / [`verify_cached`]: dispatch to [`crate::v3::verify`] (an `Authorization`
//!   header is present) or [`crate::v1::verify`] (otherwise) and return a [`Verified`]
//!   outcome or a [`VerifyError`] whose [`code`](VerifyError::code) is the Tencent error code.
//! * [`ReplayWindow`]: a fixed-capacity, `no_std` set of recently seen legacy nonces.
//!
//! Nothing here allocates, panics on any input, or compares signatures other than in
//! constant time. Error messages never contain a secret (nor any request bytes).
//!
//! # Order of checks
//!
//! Rejections follow `cli.md` (`tc3 verify`), first match wins:
//!
//! | fault | code |
//! |---|---|
//! | method other than `GET` / `POST` | `UnsupportedProtocol` |
//! | no signature; `Authorization` malformed; `content-type`, `host` or a policy-required header not signed | `AuthFailure.InvalidAuthorization` |
//! | timestamp (and legacy `Nonce`, `SecretId`) missing / not decimal; legacy parameters malformed | `MissingParameter` / `InvalidParameter` |
//! | SecretId unknown | `AuthFailure.SecretIdNotFound` |
//! | timestamp outside the window | `AuthFailure.SignatureExpire` |
//! | scope date / service, signed header absent, unsigned payload refused, body, query, host, signature | `AuthFailure.SignatureFailure` |
//! | the key provider refuses the token (present or absent) | `AuthFailure.TokenFailure` |
//!
//! Outside `cli.md`'s table: legacy parameters beyond the caller's [`LegacyScratch`] →
//! `RequestSizeLimitExceeded`; a legacy POST verified from a body digest only →
//! `InternalError` (a gateway bug); [`ReplayWindow`]: a replayed nonce →
//! `AuthFailure.SignatureExpire`, a window full of live entries → `RequestLimitExceeded`.
//! These are choices of this crate (Tencent does not document them).
//!
//! The token check comes last so that only an authentic request learns about the token
//! policy.
//!
//! # Example
//!
//! ```
//! use tc3::verify::{verify, Body, LegacyScratch, Policy, RequestView, Verified};
//! use tc3::SecretKey;
//!
//! let body = br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
//! let headers: &[(&str, &[u8])] = &[
//!     ("Host", b"cvm.tencentcloudapi.com"),
//!     ("Content-Type", b"application/json; charset=utf-8"),
//!     ("X-TC-Action", b"DescribeInstances"),
//!     ("X-TC-Timestamp", b"1551113065"),
//!     ("Authorization", b"TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"),
//! ];
//! let req = RequestView::new("POST", "/", None, headers, Body::Bytes(body));
//! let keys = |id: &str| (id == "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE")
//!     .then(|| SecretKey::new("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE").ok())
//!     .flatten();
//! let mut scratch = LegacyScratch::<1024, 32>::new();
//! let ok = verify(&req, &keys, &Policy::at(1551113065 + 300), &mut scratch).unwrap();
//! assert_eq!(ok.secret_id(), "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE");
//! let late = verify(&req, &keys, &Policy::at(1551113065 + 301), &mut scratch).unwrap_err();
//! assert_eq!(late.code(), "AuthFailure.SignatureExpire");
//! ```

use crate::credential::SecretKey;
use crate::time::Date;
use core::fmt;

pub use crate::v1::verify::{LegacyScratch, LegacyVerified};
pub use crate::v3::verify::Tc3Verified;

// ---------------------------------------------------------------------------------------------
// Request view

/// The result of looking a header up by name.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Lookup<'h> {
    /// The request has no such header.
    Absent,
    /// Exactly one header of that name, with this value.
    One(&'h [u8]),
    /// The header is present more than once (ambiguous: never accepted where it matters).
    Many,
}

/// Read access to a request's headers. `name` is given in lowercase; implementations compare
/// ASCII case-insensitively.
pub trait Headers {
    /// The value(s) of header `name`.
    fn lookup(&self, name: &str) -> Lookup<'_>;
}

fn lookup_pairs<'h, V: AsRef<[u8]> + ?Sized + 'h>(
    pairs: impl Iterator<Item = (&'h str, &'h V)>,
    name: &str,
) -> Lookup<'h> {
    let mut found = Lookup::Absent;
    for (k, v) in pairs {
        if k.eq_ignore_ascii_case(name) {
            if found != Lookup::Absent {
                return Lookup::Many;
            }
            found = Lookup::One(v.as_ref());
        }
    }
    found
}

impl Headers for [(&str, &[u8])] {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        lookup_pairs(self.iter().map(|(k, v)| (*k, *v)), name)
    }
}

impl Headers for [(&str, &str)] {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        lookup_pairs(self.iter().map(|(k, v)| (*k, *v)), name)
    }
}

impl<H: Headers + ?Sized> Headers for &H {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        (**self).lookup(name)
    }
}

#[cfg(feature = "http")]
impl Headers for ::http::HeaderMap {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        let mut it = self.get_all(name).iter();
        match (it.next(), it.next()) {
            (None, _) => Lookup::Absent,
            (Some(v), None) => Lookup::One(v.as_bytes()),
            (Some(_), Some(_)) => Lookup::Many,
        }
    }
}

/// The request body, as the gateway has it.
#[derive(Copy, Clone, Debug)]
pub enum Body<'a> {
    /// The exact body bytes received.
    Bytes(&'a [u8]),
    /// The SHA-256 of the body, computed while streaming it (TC3 only: a legacy POST needs
    /// the form body itself).
    Sha256([u8; 32]),
}

/// What the verifier needs to know about a received request. Borrowed, filled from any
/// HTTP library.
#[derive(Copy, Clone, Debug)]
pub struct RequestView<'a, H: ?Sized = [(&'a str, &'a [u8])]> {
    /// The HTTP method as received (`GET` / `POST`; anything else is refused).
    pub method: &'a str,
    /// The request path, without the query (`/` normally).
    pub path: &'a str,
    /// The raw query string after `?`, as received (`None` when there was no `?`).
    pub query: Option<&'a str>,
    /// The headers.
    pub headers: &'a H,
    /// The body.
    pub body: Body<'a>,
}

impl<'a, H: Headers + ?Sized> RequestView<'a, H> {
    /// A request view.
    pub fn new(
        method: &'a str,
        path: &'a str,
        query: Option<&'a str>,
        headers: &'a H,
        body: Body<'a>,
    ) -> Self {
        RequestView {
            method,
            path,
            query,
            headers,
            body,
        }
    }

    /// The header `name` (lowercase).
    pub fn header(&self, name: &str) -> Lookup<'a> {
        self.headers.lookup(name)
    }
}

// ---------------------------------------------------------------------------------------------
// Policy

/// Which canonical URI a signature may cover.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum UriRule {
    /// Always `/` (the documented rule, and what Python, Go, Java, PHP sign).
    Slash,
    /// The received path (what Node signs: `URL.pathname`).
    RequestPath,
    /// The received path, and `/` if that fails and the path is not `/` (default: accepts
    /// every official SDK, including Go behind an endpoint with a path).
    Either,
}

/// How TC3 canonical header values are formed.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ValueRule {
    /// The documented rule only: trim, then ASCII-lowercase the value.
    Doc,
    /// The SDK rule only: trim, no lowercasing.
    Raw,
    /// Default: the doc rule first; if it fails and a signed value has an uppercase ASCII
    /// letter, the raw value too. The server lowercases values (doc edition A signs
    /// `x-tc-action:describeinstances` for `X-TC-Action: DescribeInstances`), while the SDKs
    /// sign values as sent; both are accepted.
    DocThenRaw,
}

/// Verification policy. `Copy`; build with [`Policy::at`] or [`Policy::skip_clock`] and the
/// `with_*` methods.
#[derive(Copy, Clone, Debug)]
pub struct Policy<'p> {
    /// The current Unix time; `None` turns the clock check off (replaying old captures).
    pub now: Option<u64>,
    /// How far the timestamp may be ahead of `now` (default 300 s).
    pub max_future: u64,
    /// How far the timestamp may be behind `now` (default 300 s: a request is fresh when
    /// `|now − timestamp| ≤ 300`).
    pub max_past: u64,
    /// The service the TC3 credential scope must name; `None` = the first label of `Host`.
    pub service: Option<&'p str>,
    /// Headers (lowercase) that must be among `SignedHeaders`, beyond the always required
    /// `content-type` and `host`. See [`Policy::HARDENED`].
    pub required_signed_headers: &'p [&'p str],
    /// Whether `X-TC-Content-SHA256: UNSIGNED-PAYLOAD` is accepted (default yes: Python, Go,
    /// Java and PHP offer it).
    pub allow_unsigned_payload: bool,
    /// Whether legacy (HmacSHA1 / HmacSHA256) signatures are accepted (default yes).
    pub allow_legacy: bool,
    /// Canonical URI rule (default [`UriRule::Either`]).
    pub uri: UriRule,
    /// TC3 header-value rule (default [`ValueRule::DocThenRaw`]).
    pub values: ValueRule,
}

/// The default clock window, seconds.
pub const DEFAULT_WINDOW: u64 = 300;

impl<'p> Policy<'p> {
    /// The extra signed headers a hardened gateway requires: `x-tc-action`, so that a
    /// signature cannot be replayed against another action of the same service.
    pub const HARDENED: &'static [&'static str] = &["x-tc-action"];

    /// The default policy with the clock at `now` (Unix seconds).
    pub const fn at(now: u64) -> Self {
        Policy {
            now: Some(now),
            max_future: DEFAULT_WINDOW,
            max_past: DEFAULT_WINDOW,
            service: None,
            required_signed_headers: &[],
            allow_unsigned_payload: true,
            allow_legacy: true,
            uri: UriRule::Either,
            values: ValueRule::DocThenRaw,
        }
    }

    /// The default policy with the system clock.
    #[cfg(feature = "std")]
    pub fn now() -> Self {
        Self::at(crate::time::now_unix())
    }

    /// The default policy without a clock check.
    pub const fn skip_clock() -> Self {
        let mut p = Self::at(0);
        p.now = None;
        p
    }

    /// Sets both directions of the clock window.
    pub const fn with_max_skew(mut self, seconds: u64) -> Self {
        self.max_future = seconds;
        self.max_past = seconds;
        self
    }

    /// Bounds the age of a request separately (seconds behind `now`).
    pub const fn with_max_age(mut self, seconds: u64) -> Self {
        self.max_past = seconds;
        self
    }

    /// Requires the credential scope to name `service`.
    pub const fn with_service(mut self, service: &'p str) -> Self {
        self.service = Some(service);
        self
    }

    /// Requires these (lowercase) headers to be signed too.
    pub const fn with_required_signed_headers(mut self, names: &'p [&'p str]) -> Self {
        self.required_signed_headers = names;
        self
    }

    /// Accepts or refuses `UNSIGNED-PAYLOAD`.
    pub const fn with_unsigned_payload(mut self, allow: bool) -> Self {
        self.allow_unsigned_payload = allow;
        self
    }

    /// Accepts or refuses legacy signatures.
    pub const fn with_legacy(mut self, allow: bool) -> Self {
        self.allow_legacy = allow;
        self
    }

    /// Sets the canonical URI rule.
    pub const fn with_uri(mut self, uri: UriRule) -> Self {
        self.uri = uri;
        self
    }

    /// Sets the TC3 header-value rule.
    pub const fn with_values(mut self, values: ValueRule) -> Self {
        self.values = values;
        self
    }

    /// Checks `timestamp` against the window.
    pub fn check_clock(&self, timestamp: u64) -> Result<(), VerifyError> {
        let Some(now) = self.now else { return Ok(()) };
        let fresh = if timestamp >= now {
            timestamp - now <= self.max_future
        } else {
            now - timestamp <= self.max_past
        };
        if fresh {
            Ok(())
        } else {
            Err(VerifyError::Expired { timestamp, now })
        }
    }

    /// The canonical URIs to try for `path`, in order (one or two).
    pub(crate) fn uris<'r>(&self, path: &'r str) -> ([&'r str; 2], usize) {
        match self.uri {
            UriRule::Slash => (["/", "/"], 1),
            UriRule::RequestPath => ([path, path], 1),
            UriRule::Either if path == "/" => (["/", "/"], 1),
            UriRule::Either => ([path, "/"], 2),
        }
    }
}

impl Default for Policy<'_> {
    /// The system clock with `std`, otherwise no clock check.
    fn default() -> Self {
        #[cfg(feature = "std")]
        {
            Self::now()
        }
        #[cfg(not(feature = "std"))]
        {
            Self::skip_clock()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Keys

/// A SecretKey handed out by a [`KeyProvider`]: borrowed from the provider's table (no copy,
/// nothing to zeroize) or owned (zeroized when dropped).
#[derive(Debug)]
// No `Box` without alloc: the owned key lives inline, once per request.
#[allow(clippy::large_enum_variant)]
pub enum KeyRef<'k> {
    /// Borrowed from the provider.
    Borrowed(&'k SecretKey),
    /// A copy made for this request.
    Owned(SecretKey),
}

impl core::ops::Deref for KeyRef<'_> {
    type Target = SecretKey;
    fn deref(&self) -> &SecretKey {
        match self {
            KeyRef::Borrowed(k) => k,
            KeyRef::Owned(k) => k,
        }
    }
}

/// Looks up the SecretKey of a SecretId (unknown → `AuthFailure.SecretIdNotFound`), and
/// optionally decides about session tokens.
///
/// Implemented for closures `Fn(&str) -> Option<SecretKey>` (a copy per request) and for
/// tables `[(&str, SecretKey)]` (borrowed: the fastest). A provider holding its keys
/// overrides [`key_ref`](Self::key_ref) to lend them.
pub trait KeyProvider {
    /// The SecretKey of `secret_id`, if it is known.
    fn secret_key(&self, secret_id: &str) -> Option<SecretKey>;

    /// The SecretKey of `secret_id`, borrowed where the provider can lend it. The verifiers
    /// call this one; the default copies through [`secret_key`](Self::secret_key).
    fn key_ref(&self, secret_id: &str) -> Option<KeyRef<'_>> {
        self.secret_key(secret_id).map(KeyRef::Owned)
    }

    /// Whether the session token sent with an otherwise valid request (`X-TC-Token` /
    /// `Token`; `None` when absent) is acceptable for `secret_id`. Refusal →
    /// `AuthFailure.TokenFailure`. Default: any token or none.
    fn accept_token(&self, secret_id: &str, token: Option<&[u8]>) -> bool {
        let _ = (secret_id, token);
        true
    }
}

impl<F: Fn(&str) -> Option<SecretKey>> KeyProvider for F {
    fn secret_key(&self, secret_id: &str) -> Option<SecretKey> {
        self(secret_id)
    }
}

/// A fixed table of (SecretId, SecretKey): keys are lent, not copied. Linear search; for
/// many keys, implement [`KeyProvider::key_ref`] over your own map.
impl KeyProvider for [(&str, SecretKey)] {
    fn secret_key(&self, secret_id: &str) -> Option<SecretKey> {
        self.key_ref(secret_id).map(|k| SecretKey::clone(&k))
    }
    fn key_ref(&self, secret_id: &str) -> Option<KeyRef<'_>> {
        self.iter()
            .find(|(id, _)| *id == secret_id)
            .map(|(_, k)| KeyRef::Borrowed(k))
    }
}

/// Requires a session token for SecretIds that `needs_token` selects (temporary
/// credentials), refusing requests without one (`AuthFailure.TokenFailure`); the token's
/// value is not checked.
#[derive(Copy, Clone, Debug)]
pub struct RequireToken<K, F> {
    /// The underlying key lookup.
    pub keys: K,
    /// Which SecretIds need a token.
    pub needs_token: F,
}

impl<K: KeyProvider, F: Fn(&str) -> bool> KeyProvider for RequireToken<K, F> {
    fn secret_key(&self, secret_id: &str) -> Option<SecretKey> {
        self.keys.secret_key(secret_id)
    }
    fn key_ref(&self, secret_id: &str) -> Option<KeyRef<'_>> {
        self.keys.key_ref(secret_id)
    }
    fn accept_token(&self, secret_id: &str, token: Option<&[u8]>) -> bool {
        self.keys.accept_token(secret_id, token)
            && (token.is_some_and(|t| !t.is_empty()) || !(self.needs_token)(secret_id))
    }
}

pub use crate::v3::verify::KeyCache;

// ---------------------------------------------------------------------------------------------
// Errors

/// Which part of a TC3 `Authorization` header is wrong.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthorizationFault {
    /// The header was sent more than once.
    Duplicate,
    /// Not `TC3-HMAC-SHA256 ` at the start.
    Algorithm,
    /// The `Credential=ID/DATE/SERVICE/tc3_request` part.
    Credential,
    /// The credential scope date is not a `YYYY-MM-DD` date.
    Date,
    /// The `SignedHeaders=` list (empty name, uppercase, duplicate, more than this crate's
    /// capacity).
    SignedHeaders,
    /// The `Signature=` part is not 64 lowercase hex digits.
    Signature,
    /// Separators or trailing bytes.
    Syntax,
}

impl AuthorizationFault {
    fn as_str(self) -> &'static str {
        match self {
            AuthorizationFault::Duplicate => "the Authorization header is sent more than once",
            AuthorizationFault::Algorithm => "the Authorization header does not start with `TC3-HMAC-SHA256 `",
            AuthorizationFault::Credential => {
                "the Authorization Credential is not `SecretId/YYYY-MM-DD/service/tc3_request`"
            }
            AuthorizationFault::Date => "the Authorization credential scope date is not a valid YYYY-MM-DD date",
            AuthorizationFault::SignedHeaders => {
                "the Authorization SignedHeaders list is malformed (empty, uppercase or repeated name, or too many names)"
            }
            AuthorizationFault::Signature => {
                "the Authorization Signature is not 64 lowercase hex digits"
            }
            AuthorizationFault::Syntax => {
                "the Authorization header is not of the form `TC3-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`"
            }
        }
    }
}

/// A request parameter (TC3 header or legacy parameter) named in an error.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Param {
    /// `X-TC-Timestamp` (TC3).
    XTcTimestamp,
    /// `Timestamp` (legacy).
    Timestamp,
    /// `Nonce` (legacy).
    Nonce,
    /// `SecretId` (legacy).
    SecretId,
    /// `Signature` (legacy): not base64 of a digest.
    Signature,
}

impl Param {
    /// The parameter's protocol name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Param::XTcTimestamp => "X-TC-Timestamp",
            Param::Timestamp => "Timestamp",
            Param::Nonce => "Nonce",
            Param::SecretId => "SecretId",
            Param::Signature => "Signature",
        }
    }
}

/// A header that must be signed but is not in `SignedHeaders`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum NotSigned {
    /// `content-type` (always required).
    ContentType,
    /// `host` (always required).
    Host,
    /// `Policy::required_signed_headers[i]`.
    Policy(usize),
}

/// Why a request was rejected. `Copy`, small, and free of secrets and request bytes:
/// [`code`](Self::code) is the Tencent Cloud error code a server returns for the fault,
/// `Display` a precise message.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VerifyError {
    /// The method is neither `GET` nor `POST`. `UnsupportedProtocol`.
    UnsupportedMethod,
    /// No `Authorization` header and no legacy `Signature` parameter (or legacy signatures
    /// are refused by the policy). `AuthFailure.InvalidAuthorization`.
    MissingSignature,
    /// The `Authorization` header is malformed. `AuthFailure.InvalidAuthorization`.
    MalformedAuthorization(AuthorizationFault),
    /// A header that must be signed is not in `SignedHeaders`.
    /// `AuthFailure.InvalidAuthorization`.
    HeaderNotSigned(NotSigned),
    /// A required parameter is absent. `MissingParameter`.
    MissingParameter(Param),
    /// A parameter is not of its form (timestamp or nonce not decimal, timestamp after
    /// 9999-12-31, repeated header). `InvalidParameter`.
    InvalidParameter(Param),
    /// The legacy parameters are not valid form encoding (bad `%` escape, not UTF-8, a name
    /// containing `=` or `&`, or empty). `InvalidParameter`.
    MalformedParameters,
    /// A legacy parameter is given twice. `InvalidParameter`.
    DuplicateParameter,
    /// The legacy parameters do not fit the caller's [`LegacyScratch`].
    /// `RequestSizeLimitExceeded`.
    TooLarge,
    /// A legacy POST was given only the body digest ([`Body::Sha256`]); the form body itself
    /// is needed. A gateway bug: `InternalError`.
    BodyUnavailable,
    /// The SecretId is unknown. `AuthFailure.SecretIdNotFound`.
    SecretIdNotFound,
    /// The timestamp is outside the clock window. `AuthFailure.SignatureExpire`.
    Expired {
        /// The request's timestamp.
        timestamp: u64,
        /// The verifier's clock.
        now: u64,
    },
    /// The credential scope date is not the UTC date of `X-TC-Timestamp`.
    /// `AuthFailure.SignatureFailure`.
    ScopeDate {
        /// The date in the credential scope.
        scope: Date,
        /// The UTC date of the timestamp.
        expected: Date,
    },
    /// The credential scope names another service than the configured one (or the first
    /// label of `Host`). `AuthFailure.SignatureFailure`.
    ScopeService,
    /// The `index`-th name of `SignedHeaders` is absent from the request (for legacy: the
    /// `Host` header). `AuthFailure.SignatureFailure`.
    SignedHeaderAbsent {
        /// Position in `SignedHeaders`.
        index: usize,
    },
    /// The `index`-th signed header is sent more than once, or its value is not UTF-8.
    /// `AuthFailure.SignatureFailure`.
    SignedHeaderAmbiguous {
        /// Position in `SignedHeaders`.
        index: usize,
    },
    /// `X-TC-Content-SHA256: UNSIGNED-PAYLOAD` and the policy refuses it.
    /// `AuthFailure.SignatureFailure`.
    UnsignedPayloadRefused,
    /// The signature does not match the request (method, path, query, signed headers, body,
    /// timestamp, scope or key differ from what was signed). `AuthFailure.SignatureFailure`.
    SignatureMismatch,
    /// The key provider refused the session token. `AuthFailure.TokenFailure`.
    TokenRefused {
        /// Whether a token was sent at all.
        present: bool,
    },
    /// ([`ReplayWindow`]) This (SecretId, Nonce) was already accepted within the window.
    /// `AuthFailure.SignatureExpire` (the remedy is the same: sign a fresh request).
    Replayed,
    /// ([`ReplayWindow`]) The window is full of live entries; the request is refused rather
    /// than evicting a live nonce. `RequestLimitExceeded`.
    ReplayWindowFull,
}

impl VerifyError {
    /// The Tencent Cloud error code a server returns for this fault.
    pub const fn code(&self) -> &'static str {
        use VerifyError::*;
        match self {
            UnsupportedMethod => "UnsupportedProtocol",
            MissingSignature | MalformedAuthorization(_) | HeaderNotSigned(_) => {
                "AuthFailure.InvalidAuthorization"
            }
            MissingParameter(_) => "MissingParameter",
            InvalidParameter(_) | MalformedParameters | DuplicateParameter => "InvalidParameter",
            TooLarge => "RequestSizeLimitExceeded",
            BodyUnavailable => "InternalError",
            SecretIdNotFound => "AuthFailure.SecretIdNotFound",
            Expired { .. } | Replayed => "AuthFailure.SignatureExpire",
            ScopeDate { .. }
            | ScopeService
            | SignedHeaderAbsent { .. }
            | SignedHeaderAmbiguous { .. }
            | UnsignedPayloadRefused
            | SignatureMismatch => "AuthFailure.SignatureFailure",
            TokenRefused { .. } => "AuthFailure.TokenFailure",
            ReplayWindowFull => "RequestLimitExceeded",
        }
    }

    /// Writes the message into a fixed buffer (messages are at most a few hundred bytes).
    pub fn message(&self) -> heapless::String<MAX_MESSAGE_LEN> {
        let mut s = heapless::String::new();
        // The longest message is well below the capacity; on overflow the text would be
        // cut, never a panic.
        let _ = fmt::write(&mut s, format_args!("{self}"));
        s
    }

    /// Streams the full error envelope into any [`Sink`](crate::encode::Sink).
    pub fn write_envelope_to<S: crate::encode::Sink + ?Sized>(
        &self,
        request_id: &str,
        out: &mut S,
    ) {
        let msg = self.message();
        crate::envelope::write_error(self.code(), &msg, request_id, out)
    }

    /// Writes the full error envelope
    /// `{"Response":{"Error":{"Code":…,"Message":…},"RequestId":…}}` into `out` and returns
    /// the written bytes (capacity error if it does not fit; never truncated).
    pub fn write_envelope<'o>(
        &self,
        request_id: &str,
        out: &'o mut [u8],
    ) -> Result<&'o [u8], crate::Error> {
        let msg = self.message();
        crate::envelope::write_error_into(self.code(), &msg, request_id, out)
    }
}

/// Writes the last line of an explanation: `Result: ok`, or `Result: <code>: <message>`.
pub(crate) fn write_result<T, S: crate::encode::Sink + ?Sized>(
    result: &Result<T, VerifyError>,
    out: &mut S,
) {
    out.put(b"Result: ");
    match result {
        Ok(_) => out.put(b"ok"),
        Err(e) => {
            out.put(e.code().as_bytes());
            out.put(b": ");
            out.put(e.message().as_bytes());
        }
    }
    out.put(b"\n");
}

/// The capacity of [`VerifyError::message`].
pub const MAX_MESSAGE_LEN: usize = 256;

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use VerifyError::*;
        match *self {
            UnsupportedMethod => f.write_str("the HTTP method must be GET or POST"),
            MissingSignature => f.write_str(
                "the request carries no Authorization header and no legacy Signature parameter",
            ),
            MalformedAuthorization(p) => f.write_str(p.as_str()),
            HeaderNotSigned(NotSigned::ContentType) => {
                f.write_str("`content-type` is not among the Authorization SignedHeaders")
            }
            HeaderNotSigned(NotSigned::Host) => {
                f.write_str("`host` is not among the Authorization SignedHeaders")
            }
            HeaderNotSigned(NotSigned::Policy(i)) => write!(
                f,
                "required header #{i} of the gateway policy is not among the Authorization SignedHeaders"
            ),
            MissingParameter(p) => write!(f, "the request is missing `{}`", p.as_str()),
            InvalidParameter(Param::Signature) => {
                f.write_str("the legacy `Signature` is not the base64 of a digest")
            }
            InvalidParameter(p) => write!(
                f,
                "`{}` must be given once, as a decimal number of at most 19 digits (timestamps up to 9999-12-31)",
                p.as_str()
            ),
            MalformedParameters => f.write_str(
                "the parameters are not valid form encoding (bad %-escape, not UTF-8, or an empty name or one containing `=` or `&`)",
            ),
            DuplicateParameter => f.write_str("a parameter is given more than once"),
            TooLarge => f.write_str("the parameters exceed the gateway's parameter capacity"),
            BodyUnavailable => f.write_str(
                "the gateway did not pass the form body needed to verify a legacy POST signature",
            ),
            SecretIdNotFound => f.write_str("the SecretId is not known"),
            Expired { timestamp, now } => {
                if timestamp > now {
                    write!(
                        f,
                        "the timestamp {timestamp} is {} s ahead of the server time {now}, beyond the allowed skew",
                        timestamp - now
                    )
                } else {
                    write!(
                        f,
                        "the signature expired: the timestamp {timestamp} is {} s behind the server time {now}",
                        now - timestamp
                    )
                }
            }
            ScopeDate { scope, expected } => write!(
                f,
                "the credential scope date {scope} is not {expected}, the UTC date of X-TC-Timestamp"
            ),
            ScopeService => f.write_str(
                "the credential scope service does not match the service of this endpoint",
            ),
            SignedHeaderAbsent { index } => write!(
                f,
                "signed header #{index} of SignedHeaders is absent from the request"
            ),
            SignedHeaderAmbiguous { index } => write!(
                f,
                "signed header #{index} of SignedHeaders is sent more than once or is not UTF-8"
            ),
            UnsignedPayloadRefused => {
                f.write_str("X-TC-Content-SHA256: UNSIGNED-PAYLOAD is not accepted here")
            }
            SignatureMismatch => f.write_str(
                "the signature does not match the request (method, path, query, signed headers, body, timestamp, scope or key)",
            ),
            TokenRefused { present: true } => {
                f.write_str("the session token is not valid for this SecretId")
            }
            TokenRefused { present: false } => {
                f.write_str("this SecretId needs a session token (X-TC-Token / Token)")
            }
            Replayed => f.write_str("this Nonce was already used within the replay window"),
            ReplayWindowFull => f.write_str("too many recent requests to check for replays"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for VerifyError {}

// ---------------------------------------------------------------------------------------------
// Outcome and dispatch

/// A verified request.
#[derive(Copy, Clone, Debug)]
pub enum Verified<'a> {
    /// TC3-HMAC-SHA256.
    Tc3(Tc3Verified<'a>),
    /// HmacSHA1 / HmacSHA256.
    Legacy(LegacyVerified<'a>),
}

impl<'a> Verified<'a> {
    /// The SecretId that signed.
    pub fn secret_id(&self) -> &'a str {
        match self {
            Verified::Tc3(v) => v.secret_id,
            Verified::Legacy(v) => v.secret_id,
        }
    }

    /// The signed timestamp.
    pub fn timestamp(&self) -> u64 {
        match self {
            Verified::Tc3(v) => v.timestamp,
            Verified::Legacy(v) => v.timestamp,
        }
    }

    /// The session token sent (`X-TC-Token` / `Token`), if any.
    pub fn token(&self) -> Option<&'a [u8]> {
        match self {
            Verified::Tc3(v) => v.token,
            Verified::Legacy(v) => v.token.map(str::as_bytes),
        }
    }

    /// `TC3-HMAC-SHA256`, `HmacSHA1` or `HmacSHA256`.
    pub fn sign_method(&self) -> &'static str {
        match self {
            Verified::Tc3(_) => "TC3-HMAC-SHA256",
            Verified::Legacy(v) => v.method.as_str(),
        }
    }
}

/// Verifies a request: TC3 when it has an `Authorization` header, legacy otherwise
/// (parameters decoded into `scratch`).
pub fn verify<'a, H: Headers + ?Sized, K: KeyProvider + ?Sized, const B: usize, const P: usize>(
    req: &RequestView<'a, H>,
    keys: &K,
    policy: &Policy<'_>,
    scratch: &'a mut LegacyScratch<B, P>,
) -> Result<Verified<'a>, VerifyError> {
    if req.header("authorization") != Lookup::Absent {
        crate::v3::verify::verify(req, keys, policy).map(Verified::Tc3)
    } else {
        crate::v1::verify::verify(req, keys, policy, scratch).map(Verified::Legacy)
    }
}

/// Like [`verify`], with a cache of derived TC3 signing keys.
pub fn verify_cached<
    'a,
    H: Headers + ?Sized,
    K: KeyProvider + ?Sized,
    const N: usize,
    const B: usize,
    const P: usize,
>(
    req: &RequestView<'a, H>,
    keys: &K,
    policy: &Policy<'_>,
    cache: &mut KeyCache<N>,
    scratch: &'a mut LegacyScratch<B, P>,
) -> Result<Verified<'a>, VerifyError> {
    if req.header("authorization") != Lookup::Absent {
        crate::v3::verify::verify_cached(req, keys, policy, cache).map(Verified::Tc3)
    } else {
        crate::v1::verify::verify(req, keys, policy, scratch).map(Verified::Legacy)
    }
}

// ---------------------------------------------------------------------------------------------
// Replay window

/// A fixed-capacity set of recently accepted legacy `(SecretId, Nonce, Timestamp)` triples,
/// so that a gateway can refuse a replayed request within the clock window. `no_std`, no
/// allocation; the SecretId is stored as a 128-bit SHA-256 prefix.
///
/// An entry expires once its timestamp is more than `window` seconds away from `now` — the
/// clock check refuses such a request anyway. When the set is full of live entries, new
/// requests are refused ([`VerifyError::ReplayWindowFull`]) rather than forgetting a live
/// nonce: size `N` for the request rate × window.
#[derive(Clone, Debug)]
pub struct ReplayWindow<const N: usize> {
    entries: [Option<ReplayEntry>; N],
    window: u64,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct ReplayEntry {
    id: [u8; 16],
    nonce: u64,
    timestamp: u64,
}

impl<const N: usize> ReplayWindow<N> {
    /// An empty window whose entries live `window` seconds around their timestamp (use the
    /// policy's clock window, e.g. [`DEFAULT_WINDOW`]).
    pub const fn new(window: u64) -> Self {
        ReplayWindow {
            entries: [None; N],
            window,
        }
    }

    /// Records `(secret_id, nonce, timestamp)` at time `now`, or refuses it if it was seen
    /// before (and has not expired).
    pub fn check_and_insert(
        &mut self,
        secret_id: &str,
        nonce: u64,
        timestamp: u64,
        now: u64,
    ) -> Result<(), VerifyError> {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(secret_id.as_bytes());
        let mut id = [0u8; 16];
        id.copy_from_slice(&digest[..16]);
        let entry = ReplayEntry {
            id,
            nonce,
            timestamp,
        };
        let mut free = None;
        for (i, slot) in self.entries.iter_mut().enumerate() {
            if let Some(e) = slot {
                if e.timestamp.abs_diff(now) > self.window {
                    *slot = None;
                } else if *e == entry {
                    return Err(VerifyError::Replayed);
                }
            }
            if slot.is_none() && free.is_none() {
                free = Some(i);
            }
        }
        match free.and_then(|i| self.entries.get_mut(i)) {
            Some(slot) => {
                *slot = Some(entry);
                Ok(())
            }
            None => Err(VerifyError::ReplayWindowFull),
        }
    }

    /// The number of live entries (as of the last insertion).
    pub fn len(&self) -> usize {
        self.entries.iter().filter(|e| e.is_some()).count()
    }

    /// Whether no entry is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

// ---------------------------------------------------------------------------------------------
// Small shared helpers

/// Trims ASCII space and tab at both ends (HTTP optional whitespace).
pub(crate) fn trim_ows(v: &[u8]) -> &[u8] {
    let start = v
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(start, |i| i + 1);
    v.get(start..end).unwrap_or(&[])
}

/// Whether a `Content-Type` value is `application/x-www-form-urlencoded` (case-insensitive,
/// parameters such as `; charset=utf-8` allowed).
pub(crate) fn is_form_content_type(v: &[u8]) -> bool {
    let media = v.split(|&b| b == b';').next().unwrap_or(&[]);
    trim_ows(media).eq_ignore_ascii_case(b"application/x-www-form-urlencoded")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_window() {
        let mut w = ReplayWindow::<2>::new(300);
        assert_eq!(w.check_and_insert("a", 1, 1000, 1000), Ok(()));
        assert_eq!(
            w.check_and_insert("a", 1, 1000, 1001),
            Err(VerifyError::Replayed)
        );
        assert_eq!(w.check_and_insert("b", 1, 1000, 1001), Ok(()));
        assert_eq!(
            w.check_and_insert("c", 1, 1000, 1001),
            Err(VerifyError::ReplayWindowFull)
        );
        // after the window, old entries expire and make room
        assert_eq!(w.check_and_insert("c", 1, 1400, 1400), Ok(()));
        assert_eq!(w.len(), 1);
        assert_eq!(w.check_and_insert("a", 1, 1000, 1400), Ok(()));
    }

    #[test]
    fn header_lookup_is_case_insensitive_and_detects_duplicates() {
        let h: &[(&str, &[u8])] = &[("Host", b"a"), ("X-A", b"1"), ("x-a", b"2")];
        assert_eq!(h.lookup("host"), Lookup::One(b"a"));
        assert_eq!(h.lookup("x-a"), Lookup::Many);
        assert_eq!(h.lookup("x-b"), Lookup::Absent);
    }

    #[test]
    fn clock_edges() {
        let p = Policy::at(1000);
        assert!(p.check_clock(700).is_ok());
        assert!(p.check_clock(1300).is_ok());
        assert!(p.check_clock(699).is_err());
        assert!(p.check_clock(1301).is_err());
        assert!(p.with_max_age(10).check_clock(989).is_err());
        assert!(Policy::skip_clock().check_clock(0).is_ok());
    }

    #[test]
    fn form_content_type() {
        assert!(is_form_content_type(b"application/x-www-form-urlencoded"));
        assert!(is_form_content_type(
            b" Application/X-WWW-Form-Urlencoded ; charset=utf-8"
        ));
        assert!(!is_form_content_type(b"application/json"));
        assert_eq!(trim_ows(b" \t a b \t"), b"a b");
        assert_eq!(trim_ows(b"   "), b"");
    }
}
