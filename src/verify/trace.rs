//! Observing a verification: the `Trace` the verifiers report their intermediate values
//! to (free when unused: `NoTrace` is inactive and nothing is formatted), the `TextTrace`
//! writing them as labelled text (what [`explain`](super::explain) writes into its sink), and
//! the [`Cause`] codes of a diagnosis.
//!
//! The values a trace sees are the very bytes the verifier hashes: the canonical request
//! and string to sign are written once, through a sink that feeds both the hash and the
//! trace.
//!
//! **The expected signature is a signing oracle**: an explanation must go to the operator,
//! never back to the client.

use crate::encode::Sink;

/// What an intermediate value is.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum Label {
    /// Legacy: `HmacSHA1` / `HmacSHA256`.
    SignatureMethod,
    /// Legacy: the key rule of the candidate that follows (`_` -> `.`, or raw).
    KeyRule,
    /// TC3: the value rule of the candidate that follows (doc, raw).
    ValueRule,
    /// The canonical URI (TC3) / path (legacy) of the candidate that follows.
    CanonicalUri,
    /// TC3: the canonical request (multi-line).
    CanonicalRequest,
    /// TC3: its SHA-256, hex.
    HashedCanonicalRequest,
    /// The string to sign (multi-line).
    StringToSign,
    /// TC3: `DATE/SERVICE/tc3_request`.
    CredentialScope,
    /// The signature this candidate yields.
    ExpectedSignature,
    /// The signature the request carries.
    ReceivedSignature,
}

impl Label {
    /// The label as written by [`TextTrace`] (`CanonicalRequest`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            Label::SignatureMethod => "SignatureMethod",
            Label::KeyRule => "KeyRule",
            Label::ValueRule => "ValueRule",
            Label::CanonicalUri => "CanonicalUri",
            Label::CanonicalRequest => "CanonicalRequest",
            Label::HashedCanonicalRequest => "HashedCanonicalRequest",
            Label::StringToSign => "StringToSign",
            Label::CredentialScope => "CredentialScope",
            Label::ExpectedSignature => "ExpectedSignature",
            Label::ReceivedSignature => "ReceivedSignature",
        }
    }

    /// Whether the value spans several lines.
    pub const fn is_block(self) -> bool {
        matches!(self, Label::CanonicalRequest | Label::StringToSign)
    }
}

/// An observer of one verification. The verifier calls [`begin`](Self::begin), then
/// [`put`](Self::put) with the value's bytes (possibly in pieces), then
/// [`end`](Self::end) — only when [`active`](Self::active) is true.
pub(crate) trait Trace {
    /// Whether the trace wants values at all (`false`: the verifier skips every call).
    fn active(&self) -> bool {
        false
    }
    /// A value starts.
    fn begin(&mut self, label: Label) {
        let _ = label;
    }
    /// Bytes of the current value.
    fn put(&mut self, bytes: &[u8]) {
        let _ = bytes;
    }
    /// The current value ends.
    fn end(&mut self) {}
}

/// The trace that observes nothing (what [`verify`](super::verify) uses).
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct NoTrace;

impl Trace for NoTrace {}

impl<T: Trace + ?Sized> Trace for &mut T {
    fn active(&self) -> bool {
        (**self).active()
    }
    fn begin(&mut self, label: Label) {
        (**self).begin(label)
    }
    fn put(&mut self, bytes: &[u8]) {
        (**self).put(bytes)
    }
    fn end(&mut self) {
        (**self).end()
    }
}

/// Writes each value as a line `Label: value`, or for multi-line values `Label:` then the
/// value and a newline, into any [`Sink`] (a `Vec<u8>`, a fixed buffer).
pub(crate) struct TextTrace<'s, S: Sink + ?Sized> {
    out: &'s mut S,
}

impl<'s, S: Sink + ?Sized> TextTrace<'s, S> {
    /// A trace writing into `out`.
    pub(crate) fn new(out: &'s mut S) -> Self {
        TextTrace { out }
    }
}

impl<S: Sink + ?Sized> Trace for TextTrace<'_, S> {
    fn active(&self) -> bool {
        true
    }
    fn begin(&mut self, label: Label) {
        self.out.put(label.as_str().as_bytes());
        self.out.put(if label.is_block() { b":\n" } else { b": " });
    }
    fn put(&mut self, bytes: &[u8]) {
        self.out.put(bytes);
    }
    fn end(&mut self) {
        self.out.put(b"\n");
    }
}

/// Reports one whole value.
pub(crate) fn value<T: Trace + ?Sized>(t: &mut T, label: Label, bytes: &[u8]) {
    if t.active() {
        t.begin(label);
        t.put(bytes);
        t.end();
    }
}

/// A sink feeding both a hash (or MAC) and, when active, a trace.
pub(crate) struct Tee<'x, A: Sink, T: Trace + ?Sized> {
    pub(crate) a: &'x mut A,
    pub(crate) t: &'x mut T,
    pub(crate) on: bool,
}

impl<A: Sink, T: Trace + ?Sized> Sink for Tee<'_, A, T> {
    fn put(&mut self, bytes: &[u8]) {
        self.a.put(bytes);
        if self.on {
            self.t.put(bytes);
        }
    }
}

/// A trace as a sink (for writers that take a sink).
pub(crate) struct TraceSink<'x, T: Trace + ?Sized>(pub(crate) &'x mut T);

impl<T: Trace + ?Sized> Sink for TraceSink<'_, T> {
    fn put(&mut self, bytes: &[u8]) {
        self.0.put(bytes);
    }
}

/// What the signer most likely did wrong (the diagnosis of [`explain`](super::explain)).
/// When the signature differs, the verifier, which holds the right key, retries the
/// mistakes signers make and names the first one that reproduces the received signature.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cause {
    /// Nothing wrong: it verifies.
    Ok,
    /// Signed with a timestamp outside the window.
    Expired,
    /// Put another date than the timestamp's UTC date in the scope.
    ScopeDate,
    /// Put another service in the scope than the host's.
    ScopeService,
    /// Signed another host (global vs regional endpoint, a port, another service), or sent
    /// a `Host` that is not a valid authority.
    Host,
    /// Signed `/` and sent another path, or the reverse.
    Path,
    /// Signed another Content-Type value (charset added or missing, case).
    ContentType,
    /// Hashed an empty body instead of the body sent.
    PayloadEmpty,
    /// Hashed the body with one trailing newline more or less.
    PayloadNewline,
    /// Used the secret key with leading or trailing whitespace.
    KeyWhitespace,
    /// Used the SecretId as the secret key.
    KeyIsId,
    /// Legacy: computed another HMAC than `SignatureMethod` says.
    LegacyMethod,
    /// Legacy: applied the other `_`/`.` key rule (signed `.` as `_`).
    LegacyKeyRule,
    /// Used a SecretId the keys do not hold.
    UnknownId,
    /// Signed a lowercased value where case matters (a multipart boundary).
    ValueCase,
    /// Left a header the gateway requires out of `SignedHeaders`.
    NotSigned,
    /// Sent data the signature does not cover (legacy POST query, legacy GET body), or a
    /// header twice / under a second spelling.
    Unsigned,
    /// Sent a request that is not of the protocol's form (malformed `Authorization`,
    /// missing or bad timestamp, bad parameters, method).
    Malformed,
    /// The session token was refused.
    Token,
    /// Sent a nonce already used within the replay window.
    Replayed,
    /// Nothing tried reproduces it: the bytes or the key differ in another way.
    Unknown,
}

impl Cause {
    /// The stable code (`tc3 explain --json`'s `diagnosis.cause`).
    ///
    /// ```
    /// assert_eq!(tc3::verify::Cause::KeyWhitespace.code(), "key_whitespace");
    /// ```
    pub const fn code(self) -> &'static str {
        match self {
            Cause::Ok => "ok",
            Cause::Expired => "expired",
            Cause::ScopeDate => "scope_date",
            Cause::ScopeService => "scope_service",
            Cause::Host => "host",
            Cause::Path => "path",
            Cause::ContentType => "content_type",
            Cause::PayloadEmpty => "payload_empty",
            Cause::PayloadNewline => "payload_newline",
            Cause::KeyWhitespace => "key_whitespace",
            Cause::KeyIsId => "key_is_id",
            Cause::LegacyMethod => "legacy_method",
            Cause::LegacyKeyRule => "legacy_key_rule",
            Cause::UnknownId => "unknown_id",
            Cause::ValueCase => "value_case",
            Cause::NotSigned => "not_signed",
            Cause::Unsigned => "unsigned",
            Cause::Malformed => "malformed",
            Cause::Token => "token",
            Cause::Replayed => "replayed",
            Cause::Unknown => "unknown",
        }
    }

    /// What the signer did, in words (no secret, no request bytes).
    ///
    /// ```
    /// assert!(tc3::verify::Cause::KeyIsId.message().contains("SecretId"));
    /// ```
    pub const fn message(self) -> &'static str {
        match self {
            Cause::Ok => "the signature verifies",
            Cause::Expired => "the signer signed with a timestamp outside the clock window (clock skew, or an old request)",
            Cause::ScopeDate => "the signer put another date than the UTC date of X-TC-Timestamp in the credential scope (local time?)",
            Cause::ScopeService => "the signer put another service in the credential scope than the host's",
            Cause::Host => "the signer signed another host (global vs regional endpoint, a port, another service) than the Host sent, or the Host is not a valid authority",
            Cause::Path => "the signer signed `/` and sent another path, or signed the path and the gateway expects `/` (name the mount prefix in the policy)",
            Cause::ContentType => "the signer signed another Content-Type value than the one sent (charset added or missing, case)",
            Cause::PayloadEmpty => "the signer hashed an empty body instead of the body sent",
            Cause::PayloadNewline => "the signer hashed the body with one trailing newline more or less than the body sent",
            Cause::KeyWhitespace => "the signer used the secret key with leading or trailing whitespace (a pasted key)",
            Cause::KeyIsId => "the signer used the SecretId as the secret key",
            Cause::LegacyMethod => "the signer computed another HMAC than the SignatureMethod parameter says",
            Cause::LegacyKeyRule => "the signer applied the other `_`/`.` rule to parameter names",
            Cause::UnknownId => "the signer used a SecretId the keys do not hold",
            Cause::ValueCase => "the signer lowercased a case-sensitive value (a multipart boundary) before signing",
            Cause::NotSigned => "the signer left a header the gateway requires out of SignedHeaders",
            Cause::Unsigned => "the request carries data the signature does not cover, or a header twice or under a second spelling",
            Cause::Malformed => "the request is not of the protocol's form (Authorization, timestamp, parameters or method)",
            Cause::Token => "the session token was refused for this SecretId",
            Cause::Replayed => "the request reuses a nonce already seen within the replay window",
            Cause::Unknown => "nothing tried reproduces the signature: the signer hashed other bytes or used another key",
        }
    }
}

impl core::fmt::Display for Cause {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.message())
    }
}
