//! The `text/event-stream` framer (WHATWG EventSource parsing rules, fixed memory).

use core::fmt;

use super::payload::{classify, Classified};
use crate::envelope::ParseError;

/// The default maximum line length: 64 KiB, as the Go SDK's `SSEScannerBufferMaxBytes`.
const DEFAULT_MAX_LINE: usize = 64 * 1024;
/// The longest `event` field value kept.
const MAX_EVENT_TYPE: usize = 64;
/// The longest `id` field value kept.
const MAX_ID: usize = 256;

const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// [`Framer::is_event_stream`].
pub(crate) fn is_event_stream(content_type: &str) -> bool {
    let essence = match content_type.split_once(';') {
        Some((e, _)) => e,
        None => content_type,
    };
    essence
        .trim_matches([' ', '\t'])
        .eq_ignore_ascii_case("text/event-stream")
}

/// Result of [`Framer::push`], httparse style.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Status<T> {
    /// An event was dispatched.
    Complete(T),
    /// All input was consumed without completing an event; push more.
    Partial,
}

/// Why the framer stopped. After an error, [`reset`](Framer::reset) or drop the framer.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SseError {
    /// A line is longer than the framer's limit ([`Framer::with_max_line`]).
    LineTooLong,
    /// The event's data does not fit the caller's buffer.
    BufferFull,
    /// An `event` value longer than [`Framer::MAX_EVENT_TYPE`] or an `id` longer than
    /// [`Framer::MAX_ID`].
    FieldTooLong,
    /// The event's data, type or id is not UTF-8.
    InvalidUtf8,
}

impl SseError {
    /// A short description.
    pub const fn as_str(self) -> &'static str {
        match self {
            SseError::LineTooLong => "event-stream line too long",
            SseError::BufferFull => "event data does not fit the buffer",
            SseError::FieldTooLong => "event type or id too long",
            SseError::InvalidUtf8 => "event-stream text is not UTF-8",
        }
    }
}

impl fmt::Display for SseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "std")]
impl std::error::Error for SseError {}

/// A dispatched event, borrowed from the framer until the next call.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Event<'s> {
    /// The `event` field, or `""` if none was given (see [`event_type`](Self::event_type)).
    pub event: &'s str,
    /// The `data` lines joined with `\n`.
    pub data: &'s str,
    /// The last event ID (carried over from earlier events), `""` if never set.
    pub id: &'s str,
    /// The reconnection time from the last valid `retry` field, in milliseconds.
    pub retry: Option<u64>,
}

impl<'s> Event<'s> {
    /// The event type, `"message"` when no `event` field was given.
    pub fn event_type(&self) -> &'s str {
        if self.event.is_empty() {
            "message"
        } else {
            self.event
        }
    }

    /// Classify the data as a Tencent Cloud streaming payload (see [`Classified::parse`]).
    pub fn payload(&self) -> Result<Classified<'s>, ParseError> {
        classify(self.data)
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Field {
    Data,
    Event,
    Id,
    Retry,
    Ignore,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Line {
    Start,
    Name,
    SkipSpace(Field),
    Value(Field),
    Comment,
}

/// The push framer. Event data accumulates in the caller's buffer; the event type and the
/// last event ID live inline (about 600 bytes).
///
/// Push bytes as they arrive, in chunks of any size (a line or an event may span chunks);
/// each [`Status::Complete`] says how much input was used.
///
/// ```
/// use tc3::sse::{Framer, Status};
///
/// let chunks: [&[u8]; 3] = [b"event: delta\nid: 7\ndata: {\"Id\"", b":\"a\"}\r", b"\n\ndata: 2\n\n"];
/// let mut buf = [0u8; 256]; // the longest event's data must fit
/// let mut framer = Framer::new(&mut buf);
/// let mut seen = Vec::new();
/// for chunk in chunks {
///     let mut input = chunk;
///     while let Status::Complete((used, event)) = framer.push(input)? {
///         seen.push((event.event_type().to_owned(), event.id.to_owned(), event.data.to_owned()));
///         input = &input[used..];
///     }
/// }
/// assert_eq!(seen[0], ("delta".into(), "7".into(), r#"{"Id":"a"}"#.into()));
/// assert_eq!(seen[1], ("message".into(), "7".into(), "2".into())); // the id carries over
/// # Ok::<(), tc3::sse::SseError>(())
/// ```
pub struct Framer<'b> {
    buf: &'b mut [u8],
    data_len: usize,
    event: heapless::Vec<u8, MAX_EVENT_TYPE>,
    id: heapless::Vec<u8, MAX_ID>,
    new_id: heapless::Vec<u8, MAX_ID>,
    new_id_nul: bool,
    retry: Option<u64>,
    retry_acc: Option<u64>,
    retry_digits: bool,
    name: [u8; 5],
    name_len: usize,
    line: Line,
    line_len: usize,
    max_line: usize,
    after_cr: bool,
    bom: u8,
    dispatched: bool,
}

impl fmt::Debug for Framer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Framer")
            .field("data_len", &self.data_len)
            .field("line", &self.line)
            .field("line_len", &self.line_len)
            .finish_non_exhaustive()
    }
}

impl<'b> Framer<'b> {
    /// The longest `event` field value kept.
    pub const MAX_EVENT_TYPE: usize = MAX_EVENT_TYPE;
    /// The longest `id` field value kept.
    pub const MAX_ID: usize = MAX_ID;

    /// The default maximum line length: 64 KiB, as the Go SDK's `SSEScannerBufferMaxBytes`.
    pub const DEFAULT_MAX_LINE: usize = DEFAULT_MAX_LINE;

    /// A framer accumulating event data in `buf`, lines up to
    /// [`DEFAULT_MAX_LINE`](Self::DEFAULT_MAX_LINE) bytes.
    pub fn new(buf: &'b mut [u8]) -> Self {
        Self::with_limit(buf, DEFAULT_MAX_LINE)
    }

    /// This framer with another line limit (bytes, without the line ending); a longer line
    /// is [`SseError::LineTooLong`].
    ///
    /// ```
    /// use tc3::sse::{Framer, SseError};
    /// let mut buf = [0u8; 64];
    /// let mut framer = Framer::new(&mut buf).with_max_line(8);
    /// assert_eq!(framer.push(b"data: 0123456789\n").unwrap_err(), SseError::LineTooLong);
    /// ```
    pub fn with_max_line(mut self, max_line: usize) -> Self {
        self.max_line = max_line;
        self
    }

    fn with_limit(buf: &'b mut [u8], max_line: usize) -> Self {
        Framer {
            buf,
            data_len: 0,
            event: heapless::Vec::new(),
            id: heapless::Vec::new(),
            new_id: heapless::Vec::new(),
            new_id_nul: false,
            retry: None,
            retry_acc: None,
            retry_digits: false,
            name: [0; 5],
            name_len: 0,
            line: Line::Start,
            line_len: 0,
            max_line,
            after_cr: false,
            bom: 0,
            dispatched: false,
        }
    }

    /// Forget everything (as at the start of a new stream), keeping buffer and line limit.
    pub fn reset(&mut self) {
        let max_line = self.max_line;
        let buf = core::mem::take(&mut self.buf);
        *self = Self::with_limit(buf, max_line);
    }

    /// The reconnection time set by the last valid `retry` field.
    pub fn retry(&self) -> Option<u64> {
        self.retry
    }

    /// The last event ID.
    pub fn last_event_id(&self) -> &[u8] {
        &self.id
    }

    /// Feed the next bytes of the stream.
    ///
    /// Returns `Complete((consumed, event))` as soon as an event is dispatched — push
    /// `&input[consumed..]` next — or `Partial` when all of `input` was consumed.
    pub fn push<'s>(&'s mut self, input: &[u8]) -> Result<Status<(usize, Event<'s>)>, SseError> {
        if self.dispatched {
            self.dispatched = false;
            self.data_len = 0;
            self.event.clear();
        }
        let mut i = 0;
        while let Some(&b) = input.get(i) {
            if self.bom < 3 {
                let want = BOM.get(usize::from(self.bom)).copied().unwrap_or(0);
                if b == want {
                    self.bom += 1;
                    i += 1;
                    continue;
                }
                // Not a BOM after all: the bytes matched so far are line content.
                let k = usize::from(self.bom);
                self.bom = 3;
                self.line_bytes(BOM.get(..k).unwrap_or_default())?;
                continue;
            }
            if self.after_cr {
                self.after_cr = false;
                if b == b'\n' {
                    i += 1;
                    continue;
                }
            }
            if b == b'\n' || b == b'\r' {
                self.after_cr = b == b'\r';
                i += 1;
                if self.end_line()? {
                    return self.dispatch().map(|e| Status::Complete((i, e)));
                }
                continue;
            }
            let rest = input.get(i..).unwrap_or_default();
            let run = rest
                .iter()
                .position(|&c| c == b'\n' || c == b'\r')
                .unwrap_or(rest.len());
            self.line_bytes(rest.get(..run).unwrap_or_default())?;
            i += run;
        }
        Ok(Status::Partial)
    }

    /// End of stream: complete a last line without a line ending and dispatch a pending event
    /// that had no final blank line (Node's behaviour; the WHATWG spec discards it, as does
    /// simply not calling this).
    pub fn finish(&mut self) -> Result<Option<Event<'_>>, SseError> {
        if self.dispatched {
            self.dispatched = false;
            self.data_len = 0;
            self.event.clear();
        }
        if (1..3).contains(&self.bom) {
            let k = usize::from(self.bom);
            self.bom = 3;
            self.line_bytes(BOM.get(..k).unwrap_or_default())?;
        }
        if self.line != Line::Start && self.end_line()? {
            return self.dispatch().map(Some);
        }
        // A blank line now dispatches if there is data.
        if self.end_line()? {
            return self.dispatch().map(Some);
        }
        Ok(None)
    }

    fn dispatch(&mut self) -> Result<Event<'_>, SseError> {
        self.dispatched = true;
        Ok(Event {
            event: utf8(&self.event)?,
            data: utf8(self.buf.get(..self.data_len).unwrap_or_default())?,
            id: utf8(&self.id)?,
            retry: self.retry,
        })
    }
}

fn utf8(b: &[u8]) -> Result<&str, SseError> {
    core::str::from_utf8(b).map_err(|_| SseError::InvalidUtf8)
}

impl Framer<'_> {
    /// Whether a `Content-Type` value is `text/event-stream`, ignoring case, surrounding
    /// whitespace and parameters (`Text/Event-Stream; charset=utf-8`): whether a response
    /// body is for a framer. The SDKs compare the whole header exactly; this is more tolerant.
    ///
    /// ```
    /// use tc3::sse::Framer;
    /// assert!(Framer::is_event_stream("Text/Event-Stream; charset=utf-8"));
    /// assert!(!Framer::is_event_stream("application/json"));
    /// ```
    pub fn is_event_stream(content_type: &str) -> bool {
        is_event_stream(content_type)
    }

    /// Runs a whole event-stream body through this framer, calling `f` for every event,
    /// including a last one without a final blank line when `dispatch_incomplete` (Node's
    /// behaviour).
    ///
    /// ```
    /// use tc3::sse::Framer;
    /// let mut buf = [0u8; 256];
    /// let mut data = Vec::new();
    /// Framer::new(&mut buf).for_each_event(b"data: a\n\ndata: b", true, |ev| {
    ///     data.push(ev.data.to_owned())
    /// })?;
    /// assert_eq!(data, ["a", "b"]);
    /// # Ok::<(), tc3::sse::SseError>(())
    /// ```
    pub fn for_each_event<F: FnMut(Event<'_>)>(
        self,
        body: &[u8],
        dispatch_incomplete: bool,
        f: F,
    ) -> Result<(), SseError> {
        for_each_event(self, body, dispatch_incomplete, f)
    }

    /// Bytes of the current line (no line ending).
    fn line_bytes(&mut self, bytes: &[u8]) -> Result<(), SseError> {
        let room = self.max_line.saturating_sub(self.line_len);
        if bytes.len() > room {
            // Process what fits first, so that the error does not depend on chunking.
            self.line_len = self.max_line;
            self.line_content(bytes.get(..room).unwrap_or_default())?;
            return Err(SseError::LineTooLong);
        }
        self.line_len += bytes.len();
        self.line_content(bytes)
    }

    fn line_content(&mut self, mut bytes: &[u8]) -> Result<(), SseError> {
        loop {
            match self.line {
                Line::Start => match bytes.first() {
                    None => return Ok(()),
                    Some(b':') => self.line = Line::Comment,
                    Some(_) => self.line = Line::Name,
                },
                Line::Name => {
                    let colon = bytes.iter().position(|&c| c == b':');
                    let name = bytes
                        .get(..colon.unwrap_or(bytes.len()))
                        .unwrap_or_default();
                    for &c in name {
                        if let Some(slot) = self.name.get_mut(self.name_len) {
                            *slot = c;
                        }
                        self.name_len = self.name_len.saturating_add(1);
                    }
                    match colon {
                        Some(at) => {
                            self.line = Line::SkipSpace(self.field());
                            bytes = bytes.get(at + 1..).unwrap_or_default();
                        }
                        None => return Ok(()),
                    }
                }
                Line::SkipSpace(f) => match bytes.first() {
                    None => return Ok(()),
                    Some(&c) => {
                        if c == b' ' {
                            bytes = bytes.get(1..).unwrap_or_default();
                        }
                        self.begin_value(f);
                        self.line = Line::Value(f);
                    }
                },
                Line::Value(f) => return self.value_bytes(f, bytes),
                Line::Comment => return Ok(()),
            }
        }
    }

    fn field(&self) -> Field {
        match self.name.get(..self.name_len) {
            Some(b"data") => Field::Data,
            Some(b"event") => Field::Event,
            Some(b"id") => Field::Id,
            Some(b"retry") => Field::Retry,
            _ => Field::Ignore,
        }
    }

    fn begin_value(&mut self, f: Field) {
        match f {
            Field::Event => self.event.clear(),
            Field::Id => {
                self.new_id.clear();
                self.new_id_nul = false;
            }
            Field::Retry => {
                self.retry_acc = Some(0);
                self.retry_digits = false;
            }
            Field::Data | Field::Ignore => {}
        }
    }

    fn value_bytes(&mut self, f: Field, bytes: &[u8]) -> Result<(), SseError> {
        let put = |dst: &mut [u8], len: &mut usize, err| -> Result<(), SseError> {
            let end = len.checked_add(bytes.len()).ok_or(err)?;
            dst.get_mut(*len..end).ok_or(err)?.copy_from_slice(bytes);
            *len = end;
            Ok(())
        };
        match f {
            Field::Data => put(self.buf, &mut self.data_len, SseError::BufferFull),
            Field::Event => self
                .event
                .extend_from_slice(bytes)
                .map_err(|()| SseError::FieldTooLong),
            Field::Id => {
                self.new_id_nul |= bytes.contains(&0);
                self.new_id
                    .extend_from_slice(bytes)
                    .map_err(|()| SseError::FieldTooLong)
            }
            Field::Retry => {
                self.retry_digits |= !bytes.is_empty();
                for &c in bytes {
                    self.retry_acc = match (self.retry_acc, c) {
                        (Some(n), b'0'..=b'9') => n
                            .checked_mul(10)
                            .and_then(|n| n.checked_add(u64::from(c - b'0'))),
                        _ => None,
                    };
                }
                Ok(())
            }
            Field::Ignore => Ok(()),
        }
    }

    /// The current line ended. Returns whether an event is to be dispatched.
    fn end_line(&mut self) -> Result<bool, SseError> {
        let line = self.line;
        self.line = Line::Start;
        self.line_len = 0;
        let f = match line {
            Line::Start => {
                if self.data_len == 0 {
                    self.event.clear();
                    return Ok(false);
                }
                // Drop the `\n` that ended the last data line.
                self.data_len -= 1;
                return Ok(true);
            }
            Line::Comment => return Ok(false),
            Line::Name => {
                let f = self.field();
                self.begin_value(f);
                f
            }
            Line::SkipSpace(f) => {
                self.begin_value(f);
                f
            }
            Line::Value(f) => f,
        };
        self.name_len = 0;
        match f {
            Field::Data => {
                let slot = self
                    .buf
                    .get_mut(self.data_len)
                    .ok_or(SseError::BufferFull)?;
                *slot = b'\n';
                self.data_len += 1;
            }
            Field::Id => {
                if !self.new_id_nul {
                    self.id.clone_from(&self.new_id);
                }
            }
            Field::Retry => {
                // An empty value has no digits: ignored, like any other invalid value.
                if let (Some(n), true) = (self.retry_acc, self.retry_digits) {
                    self.retry = Some(n);
                }
                self.retry_acc = None;
            }
            Field::Event | Field::Ignore => {}
        }
        Ok(false)
    }
}

/// [`Framer::for_each_event`].
fn for_each_event<F: FnMut(Event<'_>)>(
    mut framer: Framer<'_>,
    body: &[u8],
    dispatch_incomplete: bool,
    mut f: F,
) -> Result<(), SseError> {
    let mut input = body;
    while let Status::Complete((used, ev)) = framer.push(input)? {
        f(ev);
        input = input.get(used..).unwrap_or_default();
    }
    if dispatch_incomplete {
        if let Some(ev) = framer.finish()? {
            f(ev);
        }
    }
    Ok(())
}
