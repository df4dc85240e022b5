//! Why a request was rejected ([`VerifyError`], with the Tencent Cloud error code) and the
//! error envelope a gateway answers with.

use crate::header::sent;
use crate::time::Date;
use crate::v3::AuthorizationError;
use core::fmt;

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
            Param::XTcTimestamp => sent::TIMESTAMP,
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
    /// `Policy::required_signed[i]`.
    Policy(usize),
}

/// A header named in [`VerifyError::AmbiguousHeader`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HeaderId {
    /// `X-TC-Action`.
    Action,
    /// `X-TC-Version`.
    Version,
    /// `X-TC-Region`.
    Region,
    /// `X-TC-Language`.
    Language,
    /// `X-TC-Token`.
    Token,
    /// `X-TC-Timestamp`.
    Timestamp,
    /// `X-TC-Content-SHA256`.
    ContentSha256,
    /// `Authorization`.
    Authorization,
    /// `Host`.
    Host,
    /// `Content-Type`.
    ContentType,
    /// The `i`-th name of `SignedHeaders`.
    Signed(usize),
}

impl fmt::Display for HeaderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            HeaderId::Action => sent::ACTION,
            HeaderId::Version => sent::VERSION,
            HeaderId::Region => sent::REGION,
            HeaderId::Language => sent::LANGUAGE,
            HeaderId::Token => sent::TOKEN,
            HeaderId::Timestamp => sent::TIMESTAMP,
            HeaderId::ContentSha256 => sent::CONTENT_SHA256,
            HeaderId::Authorization => sent::AUTHORIZATION,
            HeaderId::Host => sent::HOST,
            HeaderId::ContentType => sent::CONTENT_TYPE,
            HeaderId::Signed(i) => return write!(f, "signed header #{i}"),
        };
        f.write_str(name)
    }
}

/// The part named in [`VerifyError::NotCovered`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Uncovered {
    /// The query string of a legacy POST (its signature covers the form body only).
    PostQuery,
    /// The body of a legacy GET (its signature covers the query only).
    GetBody,
}

/// Why a request was rejected. `Copy`, small, and free of secrets and request bytes:
/// [`code`](Self::code) is the Tencent Cloud error code a server returns for the fault,
/// `Display` a precise message.
///
/// ```
/// use tc3::verify::VerifyError;
/// let e = VerifyError::SignatureMismatch;
/// assert_eq!(e.code(), "AuthFailure.SignatureFailure");
/// let mut buf = [0u8; 512];
/// let mut w = tc3::BufWriter::new(&mut buf);
/// e.write_envelope("req-1", &mut w);
/// let body = w.finish().unwrap();
/// assert!(body.starts_with(br#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure""#));
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VerifyError {
    /// The method is neither `GET` nor `POST`. `UnsupportedProtocol`.
    UnsupportedMethod,
    /// No `Authorization` header and no legacy `Signature` parameter (or legacy signatures
    /// are refused by the policy). `AuthFailure.InvalidAuthorization`.
    MissingSignature,
    /// The `Authorization` header is malformed. `AuthFailure.InvalidAuthorization`.
    MalformedAuthorization(AuthorizationError),
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
    /// The legacy parameters do not fit the caller's [`LegacyScratch`](super::LegacyScratch).
    /// `RequestSizeLimitExceeded`.
    TooLarge,
    /// The body needed is not in the [`RequestView`](super::RequestView): a legacy POST given
    /// only the body digest ([`Payload::Sha256`](crate::v3::Payload::Sha256)), or a request
    /// other than a TC3 `UNSIGNED-PAYLOAD` one given no body
    /// ([`Payload::Unsigned`](crate::v3::Payload::Unsigned)). A gateway bug: `InternalError`.
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
    /// A common header (or a signed one) is sent twice, under a second spelling
    /// (`X_TC_Action` beside `X-TC-Action`), or not as UTF-8. `InvalidParameter`.
    AmbiguousHeader(HeaderId),
    /// The `Host` (or `:authority`) is not a valid authority (`host[:port]`), e.g. it
    /// contains `/`. `AuthFailure.SignatureFailure`.
    InvalidHost,
    /// A part of the request that the signature does not cover carries data: a legacy
    /// POST's query string, a legacy GET's body. `AuthFailure.SignatureFailure`.
    NotCovered(Uncovered),
    /// ([`ReplayWindow`](super::ReplayWindow)) This (SecretId, Nonce) was already accepted within the window.
    /// `AuthFailure.SignatureExpire` (the remedy is the same: sign a fresh request).
    Replayed,
    /// ([`ReplayWindow`](super::ReplayWindow)) The window is full of live entries; the request is refused rather
    /// than evicting a live nonce. `RequestLimitExceeded`.
    ReplayWindowFull,
}

impl VerifyError {
    /// The capacity of [`VerifyError::message`].
    pub const MAX_MESSAGE_LEN: usize = MAX_MESSAGE_LEN;

    /// The Tencent Cloud error code a server returns for this fault.
    pub const fn code(&self) -> &'static str {
        use VerifyError::*;
        match self {
            UnsupportedMethod => "UnsupportedProtocol",
            MissingSignature | MalformedAuthorization(_) | HeaderNotSigned(_) => {
                "AuthFailure.InvalidAuthorization"
            }
            MissingParameter(_) => "MissingParameter",
            InvalidParameter(_) | MalformedParameters | DuplicateParameter | AmbiguousHeader(_) => {
                "InvalidParameter"
            }
            TooLarge => "RequestSizeLimitExceeded",
            BodyUnavailable => "InternalError",
            SecretIdNotFound => "AuthFailure.SecretIdNotFound",
            Expired { .. } | Replayed => "AuthFailure.SignatureExpire",
            ScopeDate { .. }
            | ScopeService
            | SignedHeaderAbsent { .. }
            | SignedHeaderAmbiguous { .. }
            | UnsignedPayloadRefused
            | InvalidHost
            | NotCovered(_)
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

    /// Streams the full error envelope
    /// `{"Response":{"Error":{"Code":…,"Message":…},"RequestId":…}}` into any
    /// [`Sink`](crate::Sink): a `Vec<u8>`, or a
    /// [`BufWriter`](crate::BufWriter) over a caller buffer (see [`VerifyError`]).
    pub fn write_envelope<S: crate::encode::Sink + ?Sized>(&self, request_id: &str, out: &mut S) {
        let msg = self.message();
        crate::envelope::write_error(self.code(), &msg, request_id, out)
    }
}

/// The capacity of [`VerifyError::message`].
pub(crate) const MAX_MESSAGE_LEN: usize = 256;

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
            AmbiguousHeader(h) => write!(
                f,
                "{} is sent more than once, under a second spelling (`_` for `-`), or not as UTF-8",
                h
            ),
            InvalidHost => f.write_str("the Host is not a valid authority (host[:port])"),
            NotCovered(Uncovered::PostQuery) => f.write_str(
                "a legacy POST carries a query string, which its signature does not cover",
            ),
            NotCovered(Uncovered::GetBody) => {
                f.write_str("a legacy GET carries a body, which its signature does not cover")
            }
            Replayed => f.write_str("this Nonce was already used within the replay window"),
            ReplayWindowFull => f.write_str("too many recent requests to check for replays"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for VerifyError {}
