//! Tencent Cloud error codes: `Category[.Detail[.Detail]]`.
//!
//! A code is split at its first `.`; the first segment is its [`Category`]. Services define
//! about 12,000 codes under some 120 categories, so anything outside the common set below
//! is [`Category::Other`], and the full code is always kept.
//!
//! ```
//! use tc3::envelope::{Category, ErrorCode};
//! let c = ErrorCode::new("RequestLimitExceeded.UinLimitExceeded");
//! assert_eq!(c.category(), Category::RequestLimitExceeded);
//! assert_eq!(c.detail(), Some("UinLimitExceeded"));
//! assert!(c.is_retryable());
//! assert!(!ErrorCode::new("AuthFailure.SignatureExpire").is_retryable());
//! assert!(ErrorCode::new("AuthFailure.SignatureExpire").is_auth());
//! assert!(ErrorCode::new("InternalError").is_retryable_with(tc3::envelope::RetryPolicy::SERVER_ERRORS));
//! ```

use core::fmt;

macro_rules! categories {
    ($($(#[$m:meta])* $name:ident,)*) => {
        /// The first segment of an error code: the common categories every product's error-code
        /// page lists, plus `OperationDenied` (444 service codes), and [`Category::Other`].
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Category<'a> {
            $($(#[$m])* $name,)*
            /// Any other (service-specific or legacy) category, e.g. `InvalidInstanceState`.
            Other(&'a str),
        }

        impl<'a> Category<'a> {
            /// The category of `first_segment` (exact, case-sensitive).
            pub fn from_segment(first_segment: &'a str) -> Self {
                match first_segment {
                    $(stringify!($name) => Category::$name,)*
                    other => Category::Other(other),
                }
            }

            /// The category's name as it appears in codes.
            pub fn as_str(&self) -> &'a str {
                match *self {
                    $(Category::$name => stringify!($name),)*
                    Category::Other(s) => s,
                }
            }
        }
    };
}

categories! {
    /// `ActionOffline`: this API has been deprecated.
    ActionOffline,
    /// `AuthFailure.*`: authentication failed (signature, key, token, MFA, expired signature).
    AuthFailure,
    /// `DryRunOperation`: the request would have succeeded, but `DryRun` was set.
    DryRunOperation,
    /// `FailedOperation[.*]`: the operation failed.
    FailedOperation,
    /// `InternalError[.*]`: internal error.
    InternalError,
    /// `InvalidAction`: the API does not exist.
    InvalidAction,
    /// `InvalidParameter[.*]`: incorrect parameter (format or type).
    InvalidParameter,
    /// `InvalidParameterValue[.*]`: invalid parameter value.
    InvalidParameterValue,
    /// `InvalidRequest`: the multipart format of the request body is incorrect.
    InvalidRequest,
    /// `IpInBlacklist`: the IP is in the uin blacklist.
    IpInBlacklist,
    /// `IpNotInWhitelist`: the IP is not in the uin whitelist.
    IpNotInWhitelist,
    /// `LimitExceeded[.*]`: quota limit exceeded.
    LimitExceeded,
    /// `MissingParameter[.*]`: a parameter is missing.
    MissingParameter,
    /// `NoSuchProduct`: the product does not exist.
    NoSuchProduct,
    /// `NoSuchVersion`: the API version does not exist.
    NoSuchVersion,
    /// `OperationDenied[.*]`: the operation was denied (service-specific, very common).
    OperationDenied,
    /// `RequestLimitExceeded[.*]`: request frequency limit exceeded.
    RequestLimitExceeded,
    /// `RequestSizeLimitExceeded`: the request is too large.
    RequestSizeLimitExceeded,
    /// `ResourceInUse[.*]`: the resource is in use.
    ResourceInUse,
    /// `ResourceInsufficient[.*]`: insufficient resource.
    ResourceInsufficient,
    /// `ResourceNotFound[.*]`: the resource does not exist.
    ResourceNotFound,
    /// `ResourceUnavailable[.*]`: the resource is unavailable.
    ResourceUnavailable,
    /// `ResponseSizeLimitExceeded`: the response is too large.
    ResponseSizeLimitExceeded,
    /// `ServiceUnavailable`: the service is unavailable now.
    ServiceUnavailable,
    /// `UnauthorizedOperation[.*]`: unauthorized operation (CAM).
    UnauthorizedOperation,
    /// `UnknownParameter`: an undefined parameter was passed.
    UnknownParameter,
    /// `UnsupportedOperation[.*]`: unsupported operation.
    UnsupportedOperation,
    /// `UnsupportedProtocol`: only GET and POST over HTTP(S) are supported.
    UnsupportedProtocol,
    /// `UnsupportedRegion`: the API does not support the region.
    UnsupportedRegion,
}

impl fmt::Display for Category<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The common codes and their documented meaning (docs/protocol-responses.md §4.1, the text of
/// every product's error-code page).
pub(crate) const COMMON_CODES: &[(&str, &str)] = &[
    ("ActionOffline", "This API has been deprecated."),
    (
        "AuthFailure.InvalidAuthorization",
        "`Authorization` in the request header is invalid.",
    ),
    (
        "AuthFailure.InvalidSecretId",
        "Invalid key (not a TencentCloud API key type).",
    ),
    ("AuthFailure.MFAFailure", "MFA failed."),
    ("AuthFailure.SecretIdNotFound", "Key does not exist."),
    (
        "AuthFailure.SignatureExpire",
        "Signature expired: Timestamp differs from server time by more than 5 minutes.",
    ),
    (
        "AuthFailure.SignatureFailure",
        "Invalid signature (signature calculation error).",
    ),
    ("AuthFailure.TokenFailure", "Token error."),
    (
        "AuthFailure.UnauthorizedOperation",
        "The request is not authorized (see CAM).",
    ),
    (
        "DryRunOperation",
        "The request would have succeeded, but the DryRun parameter was used.",
    ),
    ("FailedOperation", "Operation failed."),
    ("InternalError", "Internal error."),
    ("InvalidAction", "The API does not exist."),
    ("InvalidParameter", "Incorrect parameter (format or type)."),
    ("InvalidParameterValue", "Invalid parameter value."),
    (
        "InvalidRequest",
        "The multipart format of the request body is incorrect.",
    ),
    ("IpInBlacklist", "Your IP is in the uin blacklist."),
    ("IpNotInWhitelist", "Your IP is not in the uin whitelist."),
    ("LimitExceeded", "Quota limit exceeded."),
    ("MissingParameter", "A parameter is missing."),
    ("NoSuchProduct", "The product does not exist."),
    ("NoSuchVersion", "The API version does not exist."),
    (
        "RequestLimitExceeded",
        "The number of requests exceeds the frequency limit.",
    ),
    (
        "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
        "Uin exceeds the frequency limit.",
    ),
    (
        "RequestLimitExceeded.IPLimitExceeded",
        "The number of IP requests exceeds the frequency limit.",
    ),
    (
        "RequestLimitExceeded.UinLimitExceeded",
        "The number of uin requests exceeds the frequency limit.",
    ),
    (
        "RequestSizeLimitExceeded",
        "The request size exceeds the upper limit.",
    ),
    ("ResourceInUse", "Resource is in use."),
    ("ResourceInsufficient", "Insufficient resource."),
    ("ResourceNotFound", "The resource does not exist."),
    ("ResourceUnavailable", "Resource is unavailable."),
    (
        "ResponseSizeLimitExceeded",
        "The response size exceeds the upper limit.",
    ),
    ("ServiceUnavailable", "Service is unavailable now."),
    ("UnauthorizedOperation", "Unauthorized operation."),
    (
        "UnknownParameter",
        "Unknown parameter (an undefined parameter was passed).",
    ),
    ("UnsupportedOperation", "Unsupported operation."),
    (
        "UnsupportedProtocol",
        "HTTP(S) request protocol error; only GET and POST are supported.",
    ),
    (
        "UnsupportedRegion",
        "API does not support the requested region.",
    ),
];

/// Which server codes [`ErrorCode::is_retryable_with`] treats as retryable. Start from
/// [`RetryPolicy::RATE_LIMIT`] (the default) and adjust with the `with_*` builders.
///
/// ```
/// use tc3::envelope::{ErrorCode, RetryPolicy};
/// let policy = RetryPolicy::default().with_server_errors(true);
/// assert_eq!(policy, RetryPolicy::SERVER_ERRORS);
/// assert!(ErrorCode::new("InternalError").is_retryable_with(policy));
/// assert!(!ErrorCode::new("InternalError").is_retryable());
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Also retry `InternalError[.*]` and `ServiceUnavailable[.*]` (off by default: neither
    /// official SDK retries them; their region circuit breakers count `InternalError` as a
    /// failure of the endpoint instead).
    pub server_errors: bool,
}

impl RetryPolicy {
    /// Only `RequestLimitExceeded` and its sub-codes (the default).
    pub const RATE_LIMIT: RetryPolicy = RetryPolicy {
        server_errors: false,
    };
    /// Rate limits plus `InternalError[.*]` and `ServiceUnavailable[.*]`.
    pub const SERVER_ERRORS: RetryPolicy = RetryPolicy {
        server_errors: true,
    };

    /// With `InternalError[.*]` and `ServiceUnavailable[.*]` retried or not.
    pub const fn with_server_errors(mut self, server_errors: bool) -> Self {
        self.server_errors = server_errors;
        self
    }
}

/// A server error code (`Response.Error.Code`), borrowed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct ErrorCode<'a> {
    code: &'a str,
}

impl ErrorCode<'_> {
    /// The common codes and their documented meaning (docs/protocol-responses.md §4.1, the
    /// text of every product's error-code page); [`description`](Self::description) looks
    /// codes up here.
    ///
    /// ```
    /// use tc3::envelope::ErrorCode;
    /// assert!(ErrorCode::COMMON.iter().any(|&(code, _)| code == "RequestLimitExceeded"));
    /// ```
    pub const COMMON: &'static [(&'static str, &'static str)] = COMMON_CODES;
}

impl<'a> ErrorCode<'a> {
    /// Wrap a code (already unescaped; real codes use only `[A-Za-z0-9._]`).
    pub const fn new(code: &'a str) -> Self {
        ErrorCode { code }
    }

    /// The full code, e.g. `InvalidParameterValue.InstanceIdMalformed`.
    pub const fn as_str(&self) -> &'a str {
        self.code
    }

    /// The first segment, e.g. `InvalidParameterValue`.
    pub fn category_str(&self) -> &'a str {
        match self.code.split_once('.') {
            Some((c, _)) => c,
            None => self.code,
        }
    }

    /// Everything after the first `.`, if any, e.g. `InstanceIdMalformed`.
    pub fn detail(&self) -> Option<&'a str> {
        self.code.split_once('.').map(|(_, d)| d)
    }

    /// The category of the first segment.
    pub fn category(&self) -> Category<'a> {
        Category::from_segment(self.category_str())
    }

    /// Whether a retry may succeed, under [`RetryPolicy::RATE_LIMIT`]: `RequestLimitExceeded`
    /// and `RequestLimitExceeded.*`. (The Go SDK retries only the exact code, Python also two
    /// sub-codes; all sub-codes are frequency limits, so all are retryable here.)
    /// `AuthFailure.*`, `InvalidParameter*`, `MissingParameter`, `UnknownParameter`,
    /// `UnauthorizedOperation` and `DryRunOperation` are never retryable.
    pub fn is_retryable(&self) -> bool {
        self.is_retryable_with(RetryPolicy::RATE_LIMIT)
    }

    /// Whether a retry may succeed under `policy`.
    pub fn is_retryable_with(&self, policy: RetryPolicy) -> bool {
        match self.category() {
            Category::RequestLimitExceeded => true,
            Category::InternalError | Category::ServiceUnavailable => policy.server_errors,
            _ => false,
        }
    }

    /// Whether the credentials or the signature were refused (`AuthFailure.*`).
    pub fn is_auth(&self) -> bool {
        self.category() == Category::AuthFailure
    }

    /// The documented meaning of a common code (exact match), if it is one.
    pub fn description(&self) -> Option<&'static str> {
        COMMON_CODES
            .iter()
            .find(|(c, _)| *c == self.code)
            .map(|(_, d)| *d)
    }
}

impl fmt::Display for ErrorCode<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}
