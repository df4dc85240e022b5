//! Typed errors. None of them carries a secret: credential values, signatures and request
//! bodies are never part of a message.

use std::fmt;
use std::time::Duration;

/// Everything a call can fail with.
///
/// ```no_run
/// # async fn f(client: tc3_client::Client) {
/// match client.call_raw("cvm", "2017-03-12", "DescribeZones", b"{}".to_vec()).await {
///     Ok(r) => println!("{}", r.response_json()),
///     Err(tc3_client::Error::Api(e)) if e.code.starts_with("AuthFailure") => eprintln!("check the keys: {e}"),
///     Err(e) => eprintln!("after {} attempts: {e}", e.attempts()),
/// }
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with `Response.Error`.
    Api(ApiError),
    /// No answer: the connection failed, was reset, or timed out (after the retries).
    Transport(TransportError),
    /// No usable credential (none found, or a source failed).
    Credentials(CredentialsError),
    /// The server answered, but not with a valid envelope / event stream / the expected type.
    Decode(DecodeError),
    /// The request itself is invalid (bad service or action name, bad URL, …).
    InvalidRequest(String),
}

impl Error {
    /// The API error, if this is one.
    ///
    /// ```
    /// let e = tc3_client::Error::InvalidRequest("x".into());
    /// assert!(e.api().is_none() && e.attempts() == 0);
    /// ```
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// How many attempts were made before this error (0 when no attempt was made).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Api(e) => e.attempts,
            Error::Transport(e) => e.attempts,
            Error::Decode(e) => e.attempts,
            _ => 0,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => e.fmt(f),
            Error::Transport(e) => e.fmt(f),
            Error::Credentials(e) => e.fmt(f),
            Error::Decode(e) => e.fmt(f),
            Error::InvalidRequest(m) => write!(f, "invalid request: {m}"),
        }
    }
}

impl std::error::Error for Error {}

/// `Response.Error` of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// `Error.Code`, e.g. `AuthFailure.SignatureFailure`.
    pub code: String,
    /// `Error.Message` (empty when the server sent none).
    pub message: String,
    /// `Response.RequestId`.
    pub request_id: Option<String>,
    /// Whether the code is one a client may retry (`RequestLimitExceeded` and its sub-codes,
    /// [`tc3::envelope::ErrorCode::is_retryable`]).
    pub retryable: bool,
    /// The attempt that got this answer (1-based).
    pub attempts: u32,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} (RequestId: {})",
            self.code,
            self.message,
            self.request_id.as_deref().unwrap_or("none")
        )
    }
}

/// Whether a failed request may have reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// The request was certainly not sent (the connection could not be established).
    No,
    /// The request may have reached the server (reset after sending, no answer in time).
    Maybe,
}

/// A transport failure.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TransportError {
    /// Whether the last attempt may have reached the server.
    pub sent: Sent,
    /// Whether the last attempt timed out.
    pub timed_out: bool,
    /// Attempts made.
    pub attempts: u32,
    /// What happened (from the HTTP stack; carries no request data).
    pub message: String,
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let when = match self.sent {
            Sent::No => "before the request was sent",
            Sent::Maybe => "after the request may have reached the server",
        };
        write!(
            f,
            "no answer after {} attempt{}: {} ({when})",
            self.attempts,
            if self.attempts == 1 { "" } else { "s" },
            self.message
        )
    }
}

/// Why no credential is available. Names sources (variables, files, URLs), never values.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CredentialsError {
    /// What went wrong.
    pub message: String,
}

impl CredentialsError {
    pub(crate) fn err(message: impl Into<String>) -> Error {
        Error::Credentials(CredentialsError {
            message: message.into(),
        })
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "credentials: {}", self.message)
    }
}

/// An answer that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    /// The HTTP status of the answer.
    pub status: u16,
    /// What is wrong with it (never the body itself).
    pub message: String,
    /// Attempts made.
    pub attempts: u32,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad answer (HTTP {}): {}", self.status, self.message)
    }
}

pub(crate) fn decode(status: u16, attempts: u32, message: impl Into<String>) -> Error {
    Error::Decode(DecodeError {
        status,
        message: message.into(),
        attempts,
    })
}

/// Seconds with millisecond precision, for messages.
pub(crate) fn secs(d: Duration) -> String {
    format!("{:.3}s", d.as_secs_f64())
}
