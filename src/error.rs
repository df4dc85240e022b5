//! The error type of the signing side: small, `Copy`, and free of secrets.

use core::fmt;

/// Which input or output an [`Error`] is about.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// The SecretId.
    SecretId,
    /// The SecretKey (its value is never shown).
    SecretKey,
    /// The session token (`X-TC-Token` / `Token`).
    Token,
    /// The HTTP method.
    Method,
    /// The canonical URI (path).
    Uri,
    /// The raw query string.
    Query,
    /// The `Host` header.
    Host,
    /// The `Content-Type` header.
    ContentType,
    /// The service in the credential scope.
    Service,
    /// `X-TC-Action` / `Action`.
    Action,
    /// `X-TC-Version` / `Version`.
    Version,
    /// `X-TC-Region` / `Region`.
    Region,
    /// `X-TC-Language` / `Language`.
    Language,
    /// `X-TC-RequestClient` / `RequestClient`.
    RequestClient,
    /// `X-TC-Timestamp` / `Timestamp`.
    Timestamp,
    /// The legacy `Nonce`.
    Nonce,
    /// The name of an extra signed header.
    HeaderName,
    /// The value of an extra signed header.
    HeaderValue,
    /// A request parameter name (legacy signature, GET query).
    ParamName,
    /// A request parameter value.
    ParamValue,
    /// The payload (body) or its digest.
    Payload,
    /// A caller-supplied output buffer or fixed-capacity collection.
    Output,
}

impl Field {
    /// The protocol name of the field.
    pub const fn as_str(self) -> &'static str {
        match self {
            Field::SecretId => "SecretId",
            Field::SecretKey => "SecretKey",
            Field::Token => "Token",
            Field::Method => "method",
            Field::Uri => "canonical URI",
            Field::Query => "query string",
            Field::Host => crate::header::sent::HOST,
            Field::ContentType => crate::header::sent::CONTENT_TYPE,
            Field::Service => "service",
            Field::Action => "Action",
            Field::Version => "Version",
            Field::Region => "Region",
            Field::Language => "Language",
            Field::RequestClient => "RequestClient",
            Field::Timestamp => "Timestamp",
            Field::Nonce => "Nonce",
            Field::HeaderName => "header name",
            Field::HeaderValue => "header value",
            Field::ParamName => "parameter name",
            Field::ParamValue => "parameter value",
            Field::Payload => "payload",
            Field::Output => "output buffer",
        }
    }
}

/// Why a [`Field`] was refused.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// Empty where a value is required.
    Empty,
    /// Contains CR, LF, NUL or another control character (header injection).
    ControlChar,
    /// Contains bytes outside visible ASCII where HTTP headers or the protocol cannot carry them.
    NonAscii,
    /// Contains a character the protocol reserves at this place (e.g. `/` in a SecretId,
    /// `=` or `&` in a legacy parameter name).
    Reserved,
    /// Longer than this crate's fixed capacity for it.
    TooLong,
    /// Not of the required form (e.g. a digest that is not 64 hex digits, a method other
    /// than GET/POST, a timestamp after 9999-12-31).
    Malformed,
    /// Given twice (e.g. a parameter name after flattening).
    Duplicate,
    /// Required but absent.
    Missing,
    /// The output did not fit into the caller's buffer or collection.
    Capacity,
}

impl Reason {
    /// A short description.
    pub const fn as_str(self) -> &'static str {
        match self {
            Reason::Empty => "is empty",
            Reason::ControlChar => "contains a control character (CR, LF, NUL, ...)",
            Reason::NonAscii => "contains a byte that is not visible ASCII",
            Reason::Reserved => "contains a reserved character",
            Reason::TooLong => "is too long",
            Reason::Malformed => "is malformed",
            Reason::Duplicate => "is given twice",
            Reason::Missing => "is missing",
            Reason::Capacity => "does not fit",
        }
    }
}

/// A request could not be signed: which field, and why. Nothing was signed.
///
/// The error never carries the offending value, so it cannot leak a secret.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Error {
    /// The field at fault.
    pub field: Field,
    /// What is wrong with it.
    pub reason: Reason,
}

impl Error {
    /// A new error.
    pub const fn new(field: Field, reason: Reason) -> Self {
        Error { field, reason }
    }

    /// The caller's output buffer is too small.
    pub const fn capacity() -> Self {
        Error {
            field: Field::Output,
            reason: Reason::Capacity,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field.as_str(), self.reason.as_str())
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}
