//! Gateway-side verification of signed requests: decide, as a Tencent Cloud server would,
//! whether a request's TC3-HMAC-SHA256 or legacy HmacSHA1/HmacSHA256 signature is valid,
//! answer with the error code a server returns when it is not, and — for the operator —
//! explain what was computed and which mistake the signer made.
//!
//! The pieces (leaf modules, which the v1 and v3 verifiers build on):
//!
//! * [`RequestView`]: what a gateway fills from any HTTP library — method, path, raw query,
//!   headers (any [`Headers`] implementation, e.g. a slice of `(name, value)` pairs, looked up
//!   ASCII case-insensitively) and the body as bytes or as a precomputed SHA-256.
//! * [`Policy`]: clock window, expected service, headers that must be signed
//!   ([`Policy::hardened`]), mount prefixes, `UNSIGNED-PAYLOAD` allowed or not, value rule.
//! * [`KeyProvider`]: SecretId → SecretKey lookup (implemented for closures and tables), plus
//!   an optional token check; [`KeyCache`]: derived TC3 signing keys.
//! * [`VerifyError`]: why a request was rejected, with the Tencent error code.
//! * [`ReplayWindow`]: a fixed-capacity, `no_std` set of recently seen legacy nonces.
//! * [`Cause`]: the diagnosis codes of [`explain`].
//!
//! And the one dispatcher above them: [`verify`] / [`verify_cached`] (TC3 when an
//! `Authorization` header is present, legacy otherwise) return a [`Verified`] outcome;
//! [`explain`] runs the same verification path writing every intermediate value as
//! labelled text into a [`Sink`](crate::Sink) and adds a [`Cause`]. What `explain` shows is,
//! by construction, what `verify` computed.
//!
//! Nothing here allocates, panics on any input, or compares signatures other than in
//! constant time. Error messages never contain a secret (nor any request bytes).
//!
//! # What a backend may act on
//!
//! Only on what was verified: [`Verified::action`] and friends give each common value
//! together with whether the signature covers it (the SDKs sign only `content-type;host`, so
//! `X-TC-Action` is **not** covered unless the signer chose to sign it — require it with
//! [`Policy::hardened`]); [`Verified::host`] and [`Verified::path`] are the verified host and
//! path; legacy parameters come back under the names that were signed
//! ([`LegacyVerified::params`]). See `docs/verification.md`, "What a signature covers".
//!
//! # Order of checks
//!
//! Rejections follow `docs/cli.md` (`tc3 verify`), first match wins:
//!
//! | fault | code |
//! |---|---|
//! | method other than `GET` / `POST` | `UnsupportedProtocol` |
//! | no signature; `Authorization` malformed; `content-type`, `host` or a policy-required header not signed | `AuthFailure.InvalidAuthorization` |
//! | timestamp (and legacy `Nonce`, `SecretId`) missing / not decimal; legacy parameters malformed; a header twice or under a second spelling | `MissingParameter` / `InvalidParameter` |
//! | SecretId unknown | `AuthFailure.SecretIdNotFound` |
//! | timestamp outside the window | `AuthFailure.SignatureExpire` |
//! | scope date / service, signed header absent, host not an authority, unsigned payload refused, legacy POST query / GET body, body, query, host, path, signature | `AuthFailure.SignatureFailure` |
//! | the key provider refuses the token (present or absent) | `AuthFailure.TokenFailure` |
//!
//! Outside `docs/cli.md`'s table: legacy parameters beyond the caller's [`LegacyScratch`] →
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
//! use tc3::v3::Payload;
//! use tc3::verify::{verify, LegacyScratch, Policy, RequestView, Verified};
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
//! let req = RequestView::new("POST", "/", None, headers, Payload::Bytes(body));
//! let keys = |id: &str| (id == "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE")
//!     .then(|| SecretKey::new("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE").ok())
//!     .flatten();
//! let mut scratch = LegacyScratch::<1024, 32>::new();
//! let ok = verify(&req, &keys, &Policy::at(1551113065 + 300), &mut scratch).unwrap();
//! assert_eq!(ok.secret_id(), "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE");
//! assert_eq!(ok.host(), "cvm.tencentcloudapi.com");
//! // the SDKs do not sign the action: a backend must not trust it blindly
//! assert_eq!(ok.action().value, Some("DescribeInstances"));
//! assert!(!ok.action().signed);
//! let late = verify(&req, &keys, &Policy::at(1551113065 + 301), &mut scratch).unwrap_err();
//! assert_eq!(late.code(), "AuthFailure.SignatureExpire");
//! ```

pub(crate) mod candidates;
pub(crate) mod error;
pub(crate) mod keys;
pub(crate) mod policy;
mod replay;
pub(crate) mod request;
pub(crate) mod trace;

pub use error::{HeaderId, NotSigned, Param, Uncovered, VerifyError};
pub use keys::{KeyCache, KeyProvider, KeyRef, RequireToken};
pub use policy::{Policy, ValueRule};
pub use replay::ReplayWindow;
pub use request::{CommonValue, Headers, Lookup, RequestView};
pub use trace::Cause;
pub(crate) use trace::{NoTrace, TextTrace, Trace};

pub use crate::v1::verify::{LegacyScratch, LegacyVerified};
pub use crate::v3::verify::Tc3Verified;

use crate::header;
use keys::{DeriveKey, NoCache};

// ---------------------------------------------------------------------------------------------
// Outcome

/// A verified request. `Debug` redacts the token.
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

    /// `TC3-HMAC-SHA256`, `HmacSHA1` or `HmacSHA256`.
    pub fn sign_method(&self) -> &'static str {
        match self {
            Verified::Tc3(_) => "TC3-HMAC-SHA256",
            Verified::Legacy(v) => v.method.as_str(),
        }
    }

    /// The verified host (`Host` or `:authority`, as signed).
    pub fn host(&self) -> &'a str {
        match self {
            Verified::Tc3(v) => v.host,
            Verified::Legacy(v) => v.host,
        }
    }

    /// The request path (bound by the signature, or a mount point of the policy).
    pub fn path(&self) -> &'a str {
        match self {
            Verified::Tc3(v) => v.path,
            Verified::Legacy(v) => v.path,
        }
    }

    fn common(
        &self,
        legacy: &str,
        pick: impl Fn(&Tc3Verified<'a>) -> CommonValue<'a>,
    ) -> CommonValue<'a> {
        match self {
            Verified::Tc3(v) => pick(v),
            Verified::Legacy(v) => v.common(legacy),
        }
    }

    /// `X-TC-Action` / `Action`, and whether it was signed.
    pub fn action(&self) -> CommonValue<'a> {
        self.common("Action", |v| v.action)
    }

    /// `X-TC-Version` / `Version`, and whether it was signed.
    pub fn version(&self) -> CommonValue<'a> {
        self.common("Version", |v| v.version)
    }

    /// `X-TC-Region` / `Region`, and whether it was signed (not in the TC3 scope).
    pub fn region(&self) -> CommonValue<'a> {
        self.common("Region", |v| v.region)
    }

    /// `X-TC-Language` / `Language`, and whether it was signed.
    pub fn language(&self) -> CommonValue<'a> {
        self.common("Language", |v| v.language)
    }

    /// The session token (`X-TC-Token` / `Token`), and whether it was signed. (The
    /// `Debug` of the returned [`CommonValue`] shows the token: do not log it; the `Debug`
    /// of [`Verified`] redacts it.)
    pub fn token(&self) -> CommonValue<'a> {
        self.common("Token", |v| v.token)
    }

    /// Records a legacy request's `(SecretId, Nonce, Timestamp)` in `window` at time `now`,
    /// refusing a replay ([`VerifyError::Replayed`]). TC3 requests carry no nonce: `Ok`.
    ///
    /// ```
    /// # use tc3::verify::*;
    /// # use tc3::v3::Payload;
    /// # let q = "Action=DescribeInstances&InstanceIds.0=ins-09dx96dg&Limit=20&Nonce=11886&Offset=0&Region=ap-guangzhou&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE&Timestamp=1465185768&Version=2017-03-12&Signature=EliP9YW3pW28FpsEdkXt%2F%2BWcGeI%3D";
    /// # let headers: &[(&str, &[u8])] = &[("Host", b"cvm.tencentcloudapi.com")];
    /// # let req = RequestView::new("GET", "/", Some(q), headers, Payload::Bytes(b""));
    /// # let keys = |_: &str| tc3::SecretKey::new("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE").ok();
    /// let mut window = ReplayWindow::<1024>::new(Policy::DEFAULT_WINDOW);
    /// let mut scratch = LegacyScratch::<1024, 32>::new();
    /// let now = 1465185768;
    /// let v = verify(&req, &keys, &Policy::at(now), &mut scratch).unwrap();
    /// assert_eq!(v.check_replay(&mut window, now), Ok(()));
    /// let v = verify(&req, &keys, &Policy::at(now), &mut scratch).unwrap();
    /// assert_eq!(v.check_replay(&mut window, now), Err(VerifyError::Replayed));
    /// ```
    pub fn check_replay<const N: usize>(
        &self,
        window: &mut ReplayWindow<N>,
        now: u64,
    ) -> Result<(), VerifyError> {
        match self {
            Verified::Tc3(_) => Ok(()),
            Verified::Legacy(v) => window.check_and_insert(v.secret_id, v.nonce, v.timestamp, now),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Dispatch

fn dispatch<
    'a,
    H: Headers + ?Sized,
    K: KeyProvider + ?Sized,
    D: DeriveKey,
    T: Trace + ?Sized,
    const B: usize,
    const P: usize,
>(
    req: &RequestView<'a, H>,
    keys: &K,
    policy: &Policy<'_>,
    derive: &mut D,
    scratch: &'a mut LegacyScratch<B, P>,
    trace: &mut T,
) -> Result<Verified<'a>, VerifyError> {
    let authorization = req.headers.lookup_spelled(header::AUTHORIZATION);
    if authorization != (Lookup::Absent, false) {
        crate::v3::verify::verify_traced(req, authorization, keys, policy, derive, trace)
            .map(Verified::Tc3)
    } else {
        crate::v1::verify::verify_traced(req, keys, policy, scratch, trace).map(Verified::Legacy)
    }
}

/// Verifies a request: TC3 when it has an `Authorization` header, legacy otherwise
/// (parameters decoded into `scratch`). See the [module docs](self) for a TC3 request.
///
/// ```
/// use tc3::v3::Payload;
/// use tc3::verify::{verify, LegacyScratch, Policy, RequestView};
/// // docs/protocol-signing.md, the documented legacy GET
/// let q = "Action=DescribeInstances&InstanceIds.0=ins-09dx96dg&Limit=20&Nonce=11886&Offset=0&Region=ap-guangzhou&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE&Timestamp=1465185768&Version=2017-03-12&Signature=EliP9YW3pW28FpsEdkXt%2F%2BWcGeI%3D";
/// let headers: &[(&str, &[u8])] = &[("Host", b"cvm.tencentcloudapi.com")];
/// let req = RequestView::new("GET", "/", Some(q), headers, Payload::Bytes(b""));
/// let keys = |_: &str| tc3::SecretKey::new("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE").ok();
/// let mut scratch = LegacyScratch::<1024, 32>::new();
/// let ok = verify(&req, &keys, &Policy::at(1465185768), &mut scratch).unwrap();
/// assert_eq!(ok.sign_method(), "HmacSHA1");
/// assert_eq!(ok.action().value, Some("DescribeInstances"));
/// ```
pub fn verify<'a, H: Headers + ?Sized, K: KeyProvider + ?Sized, const B: usize, const P: usize>(
    req: &RequestView<'a, H>,
    keys: &K,
    policy: &Policy<'_>,
    scratch: &'a mut LegacyScratch<B, P>,
) -> Result<Verified<'a>, VerifyError> {
    dispatch(req, keys, policy, &mut NoCache, scratch, &mut NoTrace)
}

/// Like [`verify`], with a cache of derived TC3 signing keys.
///
/// ```
/// use tc3::v3::Payload;
/// use tc3::verify::{verify_cached, KeyCache, LegacyScratch, Policy, RequestView};
/// let headers: &[(&str, &[u8])] = &[("Host", b"cvm.tencentcloudapi.com")];
/// let req = RequestView::new("GET", "/", None, headers, Payload::Bytes(b""));
/// let keys = |_: &str| tc3::SecretKey::new("k").ok();
/// let (mut cache, mut scratch) = (KeyCache::<16>::new(), LegacyScratch::<1024, 32>::new());
/// let e = verify_cached(&req, &keys, &Policy::skip_clock(), &mut cache, &mut scratch);
/// assert_eq!(e.unwrap_err().code(), "AuthFailure.InvalidAuthorization");
/// ```
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
    dispatch(req, keys, policy, cache, scratch, &mut NoTrace)
}

/// The outcome of [`explain`]: what [`verify`] returns, and the diagnosis.
#[derive(Debug)]
pub struct Explained<'a> {
    /// The verification result (the same as [`verify`]'s).
    pub result: Result<Verified<'a>, VerifyError>,
    /// What the signer most likely did wrong ([`Cause::Ok`] when it verifies).
    pub cause: Cause,
}

/// The diagnosis of an error that is not a signature mismatch.
fn cause_of(e: &VerifyError) -> Cause {
    use VerifyError::*;
    match e {
        Expired { .. } => Cause::Expired,
        ScopeDate { .. } => Cause::ScopeDate,
        ScopeService => Cause::ScopeService,
        SecretIdNotFound => Cause::UnknownId,
        InvalidHost => Cause::Host,
        HeaderNotSigned(_) => Cause::NotSigned,
        NotCovered(_) | AmbiguousHeader(_) | UnsignedPayloadRefused => Cause::Unsigned,
        TokenRefused { .. } => Cause::Token,
        Replayed => Cause::Replayed,
        SignatureMismatch => Cause::Unknown,
        _ => Cause::Malformed,
    }
}

/// Verifies `req` exactly as [`verify`] does while writing every intermediate value into
/// `trace` (canonical request, string to sign, expected and received signatures — the bytes
/// hashed), and diagnoses a rejection: when the signature differs, the verifier, holding the
/// right key, retries the mistakes signers make ([`Cause`]) and names the one that
/// reproduces the received signature. `None`: the diagnosis only, nothing is formatted.
///
/// The trace is labelled text: a value is a line `Label: value`, a multi-line value
/// (`CanonicalRequest`, `StringToSign`) the line `Label:`, the value and a newline. Labels:
/// `SignatureMethod`, `KeyRule` (legacy), `ValueRule` (TC3), `CanonicalUri`,
/// `CanonicalRequest`, `HashedCanonicalRequest`, `StringToSign`, `CredentialScope`,
/// `ExpectedSignature` (one per candidate tried), `ReceivedSignature`.
///
/// **The trace contains the expected signature: it is a signing oracle.** Show it to the
/// operator, never to the client.
///
/// ```
/// use tc3::v3::Payload;
/// use tc3::verify::{explain, Cause, LegacyScratch, Policy, RequestView};
/// use tc3::SecretKey;
/// let body = br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
/// let headers: &[(&str, &[u8])] = &[
///     ("Host", b"cvm.tencentcloudapi.com"),
///     // the signer signed `application/json; charset=utf-8`
///     ("Content-Type", b"application/json"),
///     ("X-TC-Timestamp", b"1551113065"),
///     ("Authorization", b"TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"),
/// ];
/// let req = RequestView::new("POST", "/", None, headers, Payload::Bytes(body));
/// let keys = |_: &str| SecretKey::new("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE").ok();
/// let mut scratch = LegacyScratch::<1024, 32>::new();
/// let mut buf = [0u8; 4096]; // any Sink: a fixed buffer, or a Vec<u8> with `alloc`
/// let mut text = tc3::BufWriter::new(&mut buf);
/// let e = explain(&req, &keys, &Policy::at(1551113065), &mut scratch, Some(&mut text));
/// assert_eq!(e.result.unwrap_err().code(), "AuthFailure.SignatureFailure");
/// assert_eq!(e.cause, Cause::ContentType);
/// let text = core::str::from_utf8(text.written()).unwrap();
/// assert!(text.contains("content-type:application/json\nhost:"));
/// assert!(text.contains("\nExpectedSignature: "));
/// // the diagnosis alone
/// let e = explain(&req, &keys, &Policy::at(1551113065), &mut scratch, None);
/// assert_eq!(e.cause, Cause::ContentType);
/// ```
pub fn explain<'a, H: Headers + ?Sized, K: KeyProvider + ?Sized, const B: usize, const P: usize>(
    req: &RequestView<'a, H>,
    keys: &K,
    policy: &Policy<'_>,
    scratch: &'a mut LegacyScratch<B, P>,
    trace: Option<&mut dyn crate::Sink>,
) -> Explained<'a> {
    let first = dispatch(req, keys, policy, &mut NoCache, &mut *scratch, &mut NoTrace).err();
    let cause = match first {
        None => Cause::Ok,
        Some(VerifyError::SignatureMismatch) => {
            if req.header(header::AUTHORIZATION) != Lookup::Absent {
                crate::v3::verify::diagnose(req, keys, policy)
            } else {
                crate::v1::verify::diagnose(req, keys, policy, &mut *scratch)
            }
        }
        Some(e) => cause_of(&e),
    };
    let result = match trace {
        Some(out) => dispatch(
            req,
            keys,
            policy,
            &mut NoCache,
            scratch,
            &mut TextTrace::new(out),
        ),
        None => dispatch(req, keys, policy, &mut NoCache, scratch, &mut NoTrace),
    };
    Explained { result, cause }
}
