//! The `{"Response": {…, "RequestId": …}}` envelope: a strict, zero-copy, allocation-free parser.
//!
//! [`parse`] validates the **whole** document as RFC 8259 JSON (UTF-8, string escapes including
//! surrogate pairs, control characters, the number grammar, nothing after the value) with an
//! iterative scanner — no recursion, no stack growth with depth, nesting limited to
//! [`Options::max_depth`] (default 128) — and returns borrowed spans of the parts a client
//! needs: `Response.RequestId`, `Response.Error.{Code,Message}` and the raw `Response` object.
//!
//! ```
//! use tc3::envelope::{parse, Category};
//! let body = br#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"The provided credentials could not be validated."},"RequestId":"ed93f3cb-f35e-473f-b9f3-0d451b8b79c6"}}"#;
//! let env = parse(body).unwrap();
//! assert!(env.request_id.unwrap().eq_str("ed93f3cb-f35e-473f-b9f3-0d451b8b79c6"));
//! let err = env.error.unwrap();
//! let code = err.error_code().unwrap();
//! assert_eq!(code.category(), Category::AuthFailure);
//! assert!(code.is_auth() && !code.is_retryable());
//! ```
//!
//! # Tolerance (what the published examples need)
//!
//! - Any field order; extra top-level keys next to `Response`; extra keys in `Error`.
//! - `RequestId` missing or not a string → `request_id: None`.
//! - `Error: null` → no error. `Error` that is an object with a string `Code` is recorded in
//!   [`Envelope::error_object`]; it is an error ([`Envelope::error`]) only when that `Code` is
//!   not empty, which is the Go SDK's rule. Python raises whenever `Error` is present and Node
//!   whenever it is truthy: [`Envelope::error_field`] (the raw `Error` value, when present and
//!   not `null`) and [`Envelope::error_code_empty`] give that behaviour.
//! - `Message` may be missing.
//! - A key given twice: the last one wins (as in JavaScript and `serde_json::Value`).
//! - Keys are matched after unescaping: `"Re\u0073ponse"` is `Response`.
//!
//! # Strictness
//!
//! - The top-level value must be an object with a `Response` member whose value is an object,
//!   else [`ParseErrorKind::NoResponse`] (after the whole document validated).
//! - Lone surrogates in `\u` escapes (`"\ud800"`, JSONTestSuite's `i_string_1st_surrogate_…`
//!   cases) are rejected: RFC 8259 §8.2 leaves their meaning unpredictable, they cannot be
//!   unescaped into UTF-8, and `serde_json` rejects them too.
//! - Numbers are validated against the grammar but never converted, so `1e999` and integers
//!   beyond `i64` are accepted (JSONTestSuite's `i_number_*` cases).

mod code;
mod json_str;
pub(crate) mod scan;
mod write;

use core::fmt;

pub use code::{Category, ErrorCode, RetryPolicy};
pub use json_str::JsonStr;
pub use write::{write_error, write_success};

use scan::{Kind, Tag, Visitor, ROOT};

/// What went wrong; see [`ParseError`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The input ended inside a value.
    UnexpectedEnd,
    /// A byte that the JSON grammar does not allow here (including any non-ASCII byte
    /// outside a string).
    UnexpectedByte,
    /// A string is not UTF-8 (the offset is that of the first invalid byte).
    InvalidUtf8,
    /// A backslash escape that is not one of `\" \\ \/ \b \f \n \r \t \uXXXX`.
    InvalidEscape,
    /// A `\u` escape of a UTF-16 surrogate that is not part of a pair.
    LoneSurrogate,
    /// A raw control character (U+0000..U+001F) inside a string.
    ControlCharInString,
    /// A number that does not follow the grammar (`01`, `1.`, `-`, `1e`).
    InvalidNumber,
    /// Non-whitespace after the document.
    TrailingContent,
    /// Nesting deeper than [`Options::max_depth`].
    TooDeep,
    /// The document is longer than [`Options::max_len`].
    TooLong,
    /// Valid JSON, but not an object with a `Response` object member.
    NoResponse,
}

impl ParseErrorKind {
    /// A short description.
    pub const fn as_str(self) -> &'static str {
        match self {
            ParseErrorKind::UnexpectedEnd => "unexpected end of input",
            ParseErrorKind::UnexpectedByte => "unexpected byte",
            ParseErrorKind::InvalidUtf8 => "invalid UTF-8",
            ParseErrorKind::InvalidEscape => "invalid escape",
            ParseErrorKind::LoneSurrogate => "lone surrogate in \\u escape",
            ParseErrorKind::ControlCharInString => "control character in string",
            ParseErrorKind::InvalidNumber => "invalid number",
            ParseErrorKind::TrailingContent => "trailing content after the document",
            ParseErrorKind::TooDeep => "nesting too deep",
            ParseErrorKind::TooLong => "document too long",
            ParseErrorKind::NoResponse => "no \"Response\" object",
        }
    }
}

/// A document was refused: what, and the byte offset where.
///
/// For [`ParseErrorKind::NoResponse`] the offset is 0 (the whole document is at fault).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct ParseError {
    /// What went wrong.
    pub kind: ParseErrorKind,
    /// Byte offset into the input.
    pub offset: usize,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind.as_str(), self.offset)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ParseError {}

/// Parser knobs.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// Maximum number of nested containers (`{"Response":{}}` has depth 2). Default 128.
    ///
    /// Memory does not grow with it: the scanner keeps a run-length encoded stack of container
    /// kinds in a fixed array, so any depth of `[[[[…` is fine. A path from the root that
    /// changes between `[` and `{` more than 256 times is refused as too deep whatever the
    /// limit (it cannot happen with limits up to 256).
    pub max_depth: usize,
    /// Maximum document length in bytes. Default `usize::MAX` (the API documents a 50 MB cap).
    pub max_len: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options::DEFAULT
    }
}

impl Options {
    /// The defaults: depth 128, no length limit.
    pub const DEFAULT: Options = Options {
        max_depth: 128,
        max_len: usize::MAX,
    };

    /// These options with another depth limit.
    pub const fn max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// These options with another length limit.
    pub const fn max_len(mut self, max_len: usize) -> Self {
        self.max_len = max_len;
        self
    }

    /// Parses and validates an envelope under these options ([`parse`] uses the defaults).
    ///
    /// ```
    /// use tc3::envelope::{Options, ParseErrorKind};
    /// let doc = br#"{"Response":{"Data":[[[1]]],"RequestId":"r-1"}}"#;
    /// assert!(Options::DEFAULT.max_depth(5).parse(doc).is_ok());
    /// let e = Options::DEFAULT.max_depth(4).parse(doc).unwrap_err();
    /// assert_eq!(e.kind, ParseErrorKind::TooDeep);
    /// # Ok::<(), tc3::envelope::ParseError>(())
    /// ```
    pub fn parse(self, doc: &[u8]) -> Result<Envelope<'_>, ParseError> {
        parse_with(doc, self)
    }
}

/// `Response.Error` when it is an object with a string `Code`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ApiError<'a> {
    /// `Code` (may be empty, see [`Envelope::error_object`]).
    pub code: JsonStr<'a>,
    /// `Message`, when present and a string.
    pub message: Option<JsonStr<'a>>,
    /// The raw `Error` object (valid UTF-8 JSON).
    pub raw: &'a [u8],
}

impl<'a> ApiError<'a> {
    /// The code as an [`ErrorCode`] (category, retryable, auth), if it has no escapes
    /// (real codes use only `[A-Za-z0-9._]`; unescape otherwise and use [`ErrorCode::new`]).
    pub fn error_code(&self) -> Option<ErrorCode<'a>> {
        self.code.as_plain().map(ErrorCode::new)
    }
}

/// A parsed envelope: borrowed spans of the input.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Envelope<'a> {
    /// `Response.RequestId` if it is a string.
    pub request_id: Option<JsonStr<'a>>,
    /// The API error: `Response.Error` with a non-empty string `Code` (the Go SDK's rule).
    pub error: Option<ApiError<'a>>,
    /// `Response.Error` whenever it is an object with a string `Code`, including `""`.
    pub error_object: Option<ApiError<'a>>,
    /// The raw value of `Response.Error` when present and not `null` (of any type).
    pub error_field: Option<&'a [u8]>,
    /// The raw `Response` object, braces included (valid UTF-8 JSON; see
    /// [`body_str`](Self::body_str)).
    pub body: &'a [u8],
}

impl<'a> Envelope<'a> {
    /// `Error` is an object whose `Code` is `""`: success for Go, an exception for Python/Node.
    pub fn error_code_empty(&self) -> bool {
        matches!(self.error_object, Some(e) if e.code.is_empty())
    }

    /// The raw `Response` object as text (an O(n) UTF-8 conversion; it cannot fail).
    pub fn body_str(&self) -> &'a str {
        core::str::from_utf8(self.body).unwrap_or_default()
    }

    /// Deserialize the `Response` object with serde-json-core (`no_std`, no allocation).
    ///
    /// Check [`error`](Self::error) first. **Escape caveat:** serde-json-core hands borrowed
    /// `&str` fields the *escaped* text (`a\nb` stays four bytes); use
    /// [`deserialize_body_escaped`](Self::deserialize_body_escaped) with owned string fields
    /// (e.g. `heapless::String`), or [`JsonStr`] semantics, when values may contain escapes.
    #[cfg(feature = "serde")]
    pub fn deserialize_body<T: serde::Deserialize<'a>>(
        &self,
    ) -> Result<T, serde_json_core::de::Error> {
        serde_json_core::from_slice(self.body).map(|(v, _)| v)
    }

    /// Like [`deserialize_body`](Self::deserialize_body), unescaping strings through
    /// `scratch`; unescaped strings can then only go to owned fields (not `&'a str`).
    #[cfg(feature = "serde")]
    pub fn deserialize_body_escaped<T: serde::Deserialize<'a>>(
        &self,
        scratch: &mut [u8],
    ) -> Result<T, serde_json_core::de::Error> {
        serde_json_core::from_slice_escaped(self.body, scratch).map(|(v, _)| v)
    }

    /// Deserialize the `Response` object with serde_json (feature `serde_json`).
    #[cfg(feature = "serde_json")]
    pub fn deserialize_body_json<T: serde::Deserialize<'a>>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(self.body)
    }
}

/// Parse and validate an envelope with the default [`Options`].
///
/// ```
/// let ok = tc3::envelope::parse(br#"{"Response":{"TotalCount":0,"RequestId":"r-1"}}"#)?;
/// assert!(ok.error.is_none() && ok.request_id.unwrap() == "r-1");
/// assert_eq!(ok.body, br#"{"TotalCount":0,"RequestId":"r-1"}"#); // the raw `Response`
///
/// let failed = tc3::envelope::parse(
///     br#"{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":"slow down"},"RequestId":"r-2"}}"#,
/// )?;
/// let error = failed.error.unwrap();
/// assert!(error.code == "RequestLimitExceeded");
/// assert!(error.error_code().is_some_and(|code| code.is_retryable()));
///
/// // not JSON, or no `Response` object: a typed error with the offset, never a panic
/// assert!(tc3::envelope::parse(br#"{"Response":[}"#).is_err());
/// # Ok::<(), tc3::envelope::ParseError>(())
/// ```
pub fn parse(doc: &[u8]) -> Result<Envelope<'_>, ParseError> {
    parse_with(doc, Options::DEFAULT)
}

/// [`Options::parse`].
fn parse_with(doc: &[u8], opts: Options) -> Result<Envelope<'_>, ParseError> {
    if doc.len() > opts.max_len {
        return Err(ParseError {
            kind: ParseErrorKind::TooLong,
            offset: opts.max_len,
        });
    }
    let mut v = EnvVisitor::default();
    scan::scan(doc, opts.max_depth, &mut v)?;
    v.finish(doc).ok_or(ParseError {
        kind: ParseErrorKind::NoResponse,
        offset: 0,
    })
}

type Span = (usize, usize);

/// Tags of the envelope paths.
pub(crate) const T_RESPONSE: Tag = 2;
pub(crate) const T_REQUEST_ID: Tag = 3;
pub(crate) const T_ERROR: Tag = 4;
pub(crate) const T_CODE: Tag = 5;
pub(crate) const T_MESSAGE: Tag = 6;

/// Whether the raw key (escaped) means `name`.
#[inline]
pub(crate) fn key_is(key: &[u8], escaped: bool, name: &str) -> bool {
    if !escaped {
        return key == name.as_bytes();
    }
    JsonStr::from_validated(key).eq_str(name)
}

#[derive(Default, Clone, Copy)]
struct ErrState {
    code: Option<Span>,
    message: Option<Span>,
    span: Span,
}

/// Collects the envelope fields; shared with the event-stream payload classifier.
#[derive(Default)]
pub(crate) struct EnvVisitor {
    body: Option<Span>,
    request_id: Option<Span>,
    error: Option<ErrState>,
    error_field: Option<Span>,
    cur_err: ErrState,
}

impl EnvVisitor {
    /// The envelope of a scanned `document`, or `None` without a `Response` object.
    pub(crate) fn finish(self, document: &[u8]) -> Option<Envelope<'_>> {
        let s = |r: Span| document.get(r.0..r.1).unwrap_or_default();
        let js =
            |r: Span| JsonStr::from_validated(document.get(r.0 + 1..r.1 - 1).unwrap_or_default());
        let body = self.body?;
        let error_object = self.error.and_then(|e| {
            let code = e.code?;
            Some(ApiError {
                code: js(code),
                message: e.message.map(js),
                raw: s(e.span),
            })
        });
        Some(Envelope {
            request_id: self.request_id.map(js),
            error: error_object.filter(|e| !e.code.is_empty()),
            error_object,
            error_field: self.error_field.map(s),
            body: s(body),
        })
    }

    /// Key tags inside the top-level object (`ROOT`) and below `Response`.
    #[inline(always)]
    pub(crate) fn env_key(parent: Tag, key: &[u8], escaped: bool) -> Tag {
        match parent {
            ROOT if key_is(key, escaped, "Response") => T_RESPONSE,
            T_RESPONSE if key_is(key, escaped, "RequestId") => T_REQUEST_ID,
            T_RESPONSE if key_is(key, escaped, "Error") => T_ERROR,
            T_ERROR if key_is(key, escaped, "Code") => T_CODE,
            T_ERROR if key_is(key, escaped, "Message") => T_MESSAGE,
            _ => 0,
        }
    }
}

impl Visitor for EnvVisitor {
    #[inline(always)]
    fn key(&mut self, parent: Tag, key: &[u8], escaped: bool) -> Tag {
        Self::env_key(parent, key, escaped)
    }

    #[inline(always)]
    fn open(&mut self, tag: Tag) {
        match tag {
            T_RESPONSE => {
                self.request_id = None;
                self.error = None;
                self.error_field = None;
            }
            T_ERROR => self.cur_err = ErrState::default(),
            _ => {}
        }
    }

    #[inline(always)]
    fn value(&mut self, tag: Tag, kind: Kind, start: usize, end: usize) {
        let string = kind == Kind::String;
        match tag {
            T_RESPONSE => {
                if kind == Kind::Object {
                    self.body = Some((start, end));
                } else {
                    self.body = None;
                    self.request_id = None;
                    self.error = None;
                    self.error_field = None;
                }
            }
            T_REQUEST_ID => self.request_id = string.then_some((start, end)),
            T_ERROR => {
                self.error_field = (kind != Kind::Null).then_some((start, end));
                self.error = if kind == Kind::Object {
                    self.cur_err.span = (start, end);
                    Some(self.cur_err)
                } else {
                    None
                };
            }
            T_CODE => self.cur_err.code = string.then_some((start, end)),
            T_MESSAGE => self.cur_err.message = string.then_some((start, end)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let e =
            parse(br#"{"Response": {"RequestId": "", "Error": {"Code": "RequestLimitExceeded"}}}"#)
                .unwrap();
        assert!(e.request_id.unwrap().is_empty());
        let err = e.error.unwrap();
        assert!(err.code.eq_str("RequestLimitExceeded"));
        assert!(err.message.is_none());
        assert!(err.error_code().unwrap().is_retryable());

        let e = parse(br#"{"Response":{"Error":{"Code":"","Message":""},"X":1}}"#).unwrap();
        assert!(e.error.is_none());
        assert!(e.error_code_empty());
        assert!(e.request_id.is_none());

        let e =
            parse(br#"{"Error":null,"RequestId":null,"Response":{"Error":null,"RequestId":111}}"#)
                .unwrap();
        assert!(e.error.is_none() && e.error_field.is_none() && e.request_id.is_none());

        let e = parse(br#"{"Re\u0073ponse":{"Request\u0049d":"x\u0009y"}}"#).unwrap();
        assert!(e.request_id.unwrap().eq_str("x\ty"));
        assert_eq!(e.body, br#"{"Request\u0049d":"x\u0009y"}"#);

        assert_eq!(parse(b"[1]").unwrap_err().kind, ParseErrorKind::NoResponse);
        assert_eq!(
            parse(br#"{"Response":1}"#).unwrap_err().kind,
            ParseErrorKind::NoResponse
        );
        // last wins
        let e =
            parse(br#"{"Response":{"RequestId":"a"},"Response":{"Error":{"Code":"X"}}}"#).unwrap();
        assert!(e.request_id.is_none());
        assert!(e.error.unwrap().code.eq_str("X"));
    }
}
