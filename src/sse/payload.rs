//! The classifier of Tencent Cloud streaming payloads: what one event's data says.

use crate::envelope::scan::{self, Kind, Tag, Visitor, ROOT};
use crate::envelope::{key_is, ApiError, EnvVisitor, JsonStr, ParseError};

/// What one event's data says, as [`Classified::parse`] reads it: a normal chunk, an error reported
/// mid-stream (`ErrorMsg`), or an error envelope (`Response.Error`).
///
/// ```
/// use tc3::sse::Classified;
///
/// let chunk = Classified::parse(r#"{"Id":"1","Choices":[{"FinishReason":"stop"}]}"#)?;
/// assert!(matches!(chunk, Classified::Chunk { finish_reason: Some(r), .. } if r == "stop"));
/// assert_eq!(chunk.error(), None);
///
/// let failed = Classified::parse(r#"{"ErrorMsg":{"Code":4001,"Msg":"timed out"}}"#)?;
/// assert!(matches!(failed.error(), Some(("4001", Some(m))) if m == "timed out"));
/// # Ok::<(), tc3::envelope::ParseError>(())
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Classified<'a> {
    /// A normal chunk: its `Id` and the last `FinishReason` (top-level or in `Choices[]`)
    /// when they are strings.
    Chunk {
        /// `Id`.
        id: Option<JsonStr<'a>>,
        /// `FinishReason` (`""` while streaming, then `stop`, `sensitive`, `tool_calls`).
        finish_reason: Option<JsonStr<'a>>,
    },
    /// `ErrorMsg {Code, Msg}` with a non-zero `Code` ("returned when service processing fails
    /// mid-stream", e.g. 4000, 4001).
    StreamError {
        /// The raw `Code` (a JSON number, or the inside of a string if a service sends one).
        code: &'a str,
        /// `Msg`.
        message: Option<JsonStr<'a>>,
    },
    /// A `{"Response":{"Error":{…}}}` envelope with a non-empty `Code`.
    ApiError {
        /// `Response.Error`.
        error: ApiError<'a>,
        /// `Response.RequestId`.
        request_id: Option<JsonStr<'a>>,
    },
}

impl<'a> Classified<'a> {
    /// Classifies one event's data: a `Response.Error` envelope, an `ErrorMsg` with a
    /// non-zero code, or a normal chunk. The data must be one valid JSON text (validated like
    /// [`parse`](crate::envelope::parse), default depth limit). See the [type's
    /// example](Classified).
    pub fn parse(data: &'a str) -> Result<Self, ParseError> {
        classify(data)
    }

    /// The error as `(code, message)` text, if the payload is one (for display: the code is
    /// the number's text for `ErrorMsg`, the raw string for `Response.Error`).
    pub fn error(&self) -> Option<(&'a str, Option<JsonStr<'a>>)> {
        match *self {
            Classified::Chunk { .. } => None,
            Classified::StreamError { code, message } => Some((code, message)),
            Classified::ApiError { error, .. } => Some((error.code.raw(), error.message)),
        }
    }
}

const P_ERRMSG: Tag = 20;
const P_ID: Tag = 21;
const P_FINISH: Tag = 22;
const P_CHOICES: Tag = 23;
const P_CHOICE: Tag = 24;
const P_ECODE: Tag = 25;
const P_EMSG: Tag = 26;

type Span = (usize, usize);

#[derive(Default)]
struct PayloadVisitor {
    env: EnvVisitor,
    id: Option<Span>,
    finish: Option<Span>,
    ecode: Option<(Span, bool)>,
    emsg: Option<Span>,
}

impl Visitor for PayloadVisitor {
    fn key(&mut self, parent: Tag, key: &[u8], escaped: bool) -> Tag {
        match parent {
            ROOT if key_is(key, escaped, "ErrorMsg") => P_ERRMSG,
            ROOT if key_is(key, escaped, "Id") => P_ID,
            ROOT | P_CHOICE if key_is(key, escaped, "FinishReason") => P_FINISH,
            ROOT if key_is(key, escaped, "Choices") => P_CHOICES,
            P_ERRMSG if key_is(key, escaped, "Code") => P_ECODE,
            P_ERRMSG if key_is(key, escaped, "Msg") => P_EMSG,
            P_CHOICE => 0,
            _ => EnvVisitor::env_key(parent, key, escaped),
        }
    }

    fn element(&mut self, parent: Tag) -> Tag {
        if parent == P_CHOICES {
            P_CHOICE
        } else {
            0
        }
    }

    fn open(&mut self, tag: Tag) {
        match tag {
            P_ERRMSG => {
                self.ecode = None;
                self.emsg = None;
            }
            _ => self.env.open(tag),
        }
    }

    fn value(&mut self, tag: Tag, kind: Kind, start: usize, end: usize) {
        let string = kind == Kind::String;
        match tag {
            P_ID => self.id = string.then_some((start, end)),
            P_FINISH => {
                if string {
                    self.finish = Some((start, end));
                }
            }
            P_ECODE => {
                self.ecode = match kind {
                    Kind::Number => Some(((start, end), false)),
                    Kind::String => Some(((start + 1, end - 1), true)),
                    _ => None,
                }
            }
            P_EMSG => self.emsg = string.then_some((start, end)),
            P_ERRMSG => {
                if kind != Kind::Object {
                    self.ecode = None;
                    self.emsg = None;
                }
            }
            P_CHOICES | P_CHOICE => {}
            _ => self.env.value(tag, kind, start, end),
        }
    }
}

/// Whether an `ErrorMsg.Code` means "no error": a number equal to zero, `""` or `"0"`.
fn code_is_zero(code: &str, string: bool) -> bool {
    if string {
        return code.is_empty() || code == "0";
    }
    let mantissa = code.split(['e', 'E']).next().unwrap_or_default();
    mantissa.bytes().all(|c| matches!(c, b'0' | b'-' | b'.'))
}

/// [`Classified::parse`].
pub(crate) fn classify(data: &str) -> Result<Classified<'_>, ParseError> {
    let mut v = PayloadVisitor::default();
    scan::scan(data.as_bytes(), 128, &mut v)?;
    let js = |r: Span| {
        JsonStr::from_validated(data.as_bytes().get(r.0 + 1..r.1 - 1).unwrap_or_default())
    };
    let PayloadVisitor {
        env,
        id,
        finish,
        ecode,
        emsg,
    } = v;
    if let Some(env) = env.finish(data.as_bytes()) {
        if let Some(error) = env.error {
            return Ok(Classified::ApiError {
                error,
                request_id: env.request_id,
            });
        }
    }
    if let Some(((s, e), string)) = ecode {
        let code = data.get(s..e).unwrap_or_default();
        if !code_is_zero(code, string) {
            return Ok(Classified::StreamError {
                code,
                message: emsg.map(js),
            });
        }
    }
    Ok(Classified::Chunk {
        id: id.map(js),
        finish_reason: finish.map(js),
    })
}
