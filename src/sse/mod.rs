//! `text/event-stream`: a sans-I/O push framer over a caller buffer ([`Framer`], in
//! `framer.rs`), and the classifier of the payloads Tencent Cloud's streaming APIs send
//! ([`Classified::parse`], in `payload.rs`). The classifier does not depend on the
//! framer; the framer's [`Event::payload`] calls the classifier.
//!
//! The framer follows the WHATWG EventSource parsing rules (HTML §9.2.6):
//!
//! - Lines end with LF, CR or CRLF, mixed freely. A CR at the end of one chunk and an LF at the
//!   start of the next count as one line ending.
//! - A UTF-8 BOM at the very start of the stream is skipped (only there).
//! - `:` starts a comment. `data`, `event`, `id` and `retry` are fields; one space after the
//!   colon is dropped; other fields are ignored. A line **without a colon is a field name with
//!   an empty value** (so a bare `data` line adds an empty data line). The Go SDK aborts on such
//!   a line (`SSE.InvalidLine`) and Python mis-splits it; the spec is followed here.
//! - Repeated `data` lines are joined with `\n`. A blank line dispatches the event, unless no
//!   `data` line was seen (then the event type is reset and nothing is dispatched).
//! - `id` sets the last event ID, which **carries over** to later events until changed; an `id`
//!   containing NUL is ignored. `retry` with only ASCII digits sets the reconnection time
//!   ([`Framer::retry`]); anything else is ignored.
//! - At the end of the stream an event without a final blank line is **discarded** by the spec;
//!   Node's SDK (readline) still emits it. Call [`Framer::finish`] to get that behaviour.
//!
//! Deviations, for a fixed-memory parser: a line longer than [`Framer::with_max_line`] (default
//! 64 KiB, the Go SDK's limit) is an error, as is an event whose data does not fit the caller's
//! buffer, an event type longer than [`Framer::MAX_EVENT_TYPE`] or an id longer than
//! [`Framer::MAX_ID`] bytes;
//! text that is not UTF-8 is an error where a browser would substitute U+FFFD.
//!
//! ```
//! use tc3::sse::{Framer, Status};
//! let stream = b"data: {\"Id\":\"1\"}\r\n\r\n: keep-alive\n\ndata: a\ndata: b\n\n";
//! let mut buf = [0u8; 1024];
//! let mut framer = Framer::new(&mut buf);
//! let mut input = &stream[..];
//! let mut seen = Vec::new();
//! while let Status::Complete((used, ev)) = framer.push(input).unwrap() {
//!     seen.push(ev.data.to_owned());
//!     input = &input[used..];
//! }
//! assert_eq!(seen, ["{\"Id\":\"1\"}", "a\nb"]);
//! ```

mod framer;
mod payload;

pub use framer::{Event, Framer, SseError, Status};
pub use payload::Classified;
