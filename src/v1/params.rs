//! Request parameters as borrowed name/value pairs: caller-owned collections, and flattening
//! of nested parameters (protocol-signing.md §2.2), used by the legacy signature and by the
//! v3 GET query.
//!
//! Flattening rules: nested objects join names with `.`, array elements get their decimal
//! index (`Filters.0.Values.1`), `null` is dropped, booleans are `true` / `false` (Go, Node,
//! PHP; the Python SDK sends `True` / `False`), strings are taken as they are.
//!
//! Numbers:
//! * [`flatten_json`] (JSON text, no_std) keeps each number token exactly as written in the
//!   text (`1e-7` stays `1e-7`).
//! * `flatten_serialize` (feature `serde`) / `flatten` (features `serde` + `alloc`) (any `Serialize`): integers in decimal; floats in
//!   Rust's `Display` form, the shortest text that reads back to the same value, never with an
//!   exponent (`3.0` → `3`, `1e-7` → `0.0000001`, `1.5e21` → `1500000000000000000000`). That is
//!   byte-for-byte Go's `strconv.FormatFloat(f, 'f', -1, 64)`, what the Go SDK sends. NaN and
//!   infinities are refused. (The Python SDK writes `str(float)`, e.g. `1e-07`, `3.0`: no
//!   single rule matches every SDK, and the signature only needs the signed text to equal the
//!   sent text.)
//!
//! Duplicate names after flattening (`{"A.0": 1, "A": [2]}`) are refused: by `flatten` (features `serde` + `alloc`) and
//! `flatten_value` (feature `serde_json`) directly, and on the no_std path by the sort that every signature and
//! query starts with ([`crate::encode::sort_params`]).

use crate::encode::{self, Sink};
use crate::error::{Error, Field, Reason};

/// The longest flattened parameter name the no_std flatteners build.
pub const MAX_NAME_LEN: usize = 256;
/// The deepest nesting the flatteners follow.
pub const MAX_DEPTH: usize = 32;

/// A collection that borrowed name/value pairs can be added to: a `heapless::Vec`, a
/// [`Params`] over a caller slice, or (feature `alloc`) a `Vec`. Running out of room is
/// [`Error::capacity`].
pub trait PairSink<'a> {
    /// Appends one pair.
    fn push_pair(&mut self, name: &'a str, value: &'a str) -> Result<(), Error>;
}

impl<'a, const N: usize> PairSink<'a> for heapless::Vec<(&'a str, &'a str), N> {
    fn push_pair(&mut self, name: &'a str, value: &'a str) -> Result<(), Error> {
        self.push((name, value)).map_err(|_| Error::capacity())
    }
}

#[cfg(feature = "alloc")]
impl<'a> PairSink<'a> for alloc::vec::Vec<(&'a str, &'a str)> {
    fn push_pair(&mut self, name: &'a str, value: &'a str) -> Result<(), Error> {
        self.push((name, value));
        Ok(())
    }
}

impl<'a, P: PairSink<'a> + ?Sized> PairSink<'a> for &mut P {
    fn push_pair(&mut self, name: &'a str, value: &'a str) -> Result<(), Error> {
        (**self).push_pair(name, value)
    }
}

/// Pairs stored in a caller-supplied slice, filled from the front.
#[derive(Debug)]
pub struct Params<'s, 'a> {
    slots: &'s mut [(&'a str, &'a str)],
    len: usize,
}

impl<'s, 'a> Params<'s, 'a> {
    /// An empty collection over `slots` (their current contents are ignored).
    pub fn new(slots: &'s mut [(&'a str, &'a str)]) -> Self {
        Params { slots, len: 0 }
    }

    /// The pairs added so far.
    pub fn as_slice(&self) -> &[(&'a str, &'a str)] {
        self.slots.get(..self.len).unwrap_or(&[])
    }

    /// The pairs added so far, mutable (to sort them in place).
    pub fn as_mut_slice(&mut self) -> &mut [(&'a str, &'a str)] {
        let len = self.len;
        self.slots.get_mut(..len).unwrap_or(&mut [])
    }

    /// How many pairs were added.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether none was added.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets every pair.
    pub fn clear(&mut self) {
        self.len = 0;
    }
}

impl<'a> PairSink<'a> for Params<'_, 'a> {
    fn push_pair(&mut self, name: &'a str, value: &'a str) -> Result<(), Error> {
        let slot = self.slots.get_mut(self.len).ok_or(Error::capacity())?;
        *slot = (name, value);
        self.len += 1;
        Ok(())
    }
}

/// Sorts `pairs` (byte order, a duplicate name is an error) and writes the form-encoded
/// query string: the canonical query of a v3 GET request, byte-identical to Go's
/// `url.Values.Encode`. Flatten first with [`flatten_json`] / `flatten_serialize` (feature `serde`).
pub fn write_sorted_query<S: Sink + ?Sized>(
    pairs: &mut [(&str, &str)],
    out: &mut S,
) -> Result<(), Error> {
    for (k, _) in pairs.iter() {
        if k.is_empty() {
            return Err(Error::new(Field::ParamName, Reason::Empty));
        }
    }
    encode::sort_params(pairs)?;
    encode::write_query(pairs, out);
    Ok(())
}

/// Bump storage for flattened names and values: text is appended to a pending piece, which
/// is then split off the front of the remaining buffer, so earlier pieces stay borrowed.
struct Arena<'a> {
    rest: &'a mut [u8],
    used: usize,
    overflow: bool,
}

impl<'a> Arena<'a> {
    fn new(buf: &'a mut [u8]) -> Self {
        Arena {
            rest: buf,
            used: 0,
            overflow: false,
        }
    }

    fn take(&mut self) -> Result<&'a str, Error> {
        if self.overflow {
            return Err(Error::capacity());
        }
        let rest = core::mem::take(&mut self.rest);
        let at = self.used.min(rest.len());
        let (head, tail) = rest.split_at_mut(at);
        self.rest = tail;
        self.used = 0;
        let head: &'a [u8] = head;
        core::str::from_utf8(head).map_err(|_| Error::new(Field::ParamValue, Reason::Malformed))
    }
}

impl Sink for Arena<'_> {
    fn put(&mut self, bytes: &[u8]) {
        if self.overflow {
            return;
        }
        let end = match self.used.checked_add(bytes.len()) {
            Some(e) if e <= self.rest.len() => e,
            _ => {
                self.overflow = true;
                return;
            }
        };
        if let Some(dst) = self.rest.get_mut(self.used..end) {
            dst.copy_from_slice(bytes);
        }
        self.used = end;
    }
}

impl core::fmt::Write for Arena<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.put(s.as_bytes());
        Ok(())
    }
}

/// A parameter name being built: the path of segments joined with `.`.
struct PathBuf {
    buf: [u8; MAX_NAME_LEN],
    len: usize,
}

impl PathBuf {
    fn new() -> Self {
        PathBuf {
            buf: [0; MAX_NAME_LEN],
            len: 0,
        }
    }

    fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    /// Appends a segment (with a `.` unless the path is empty); returns the old length.
    fn push(&mut self, seg: &[u8]) -> Result<usize, Error> {
        let old = self.len;
        let dot = usize::from(old > 0);
        let end = old
            .checked_add(dot)
            .and_then(|e| e.checked_add(seg.len()))
            .filter(|&e| e <= MAX_NAME_LEN)
            .ok_or(Error::new(Field::ParamName, Reason::TooLong))?;
        if dot == 1 {
            if let Some(b) = self.buf.get_mut(old) {
                *b = b'.';
            }
        }
        if let Some(dst) = self.buf.get_mut(old + dot..end) {
            dst.copy_from_slice(seg);
        }
        self.len = end;
        Ok(old)
    }

    fn push_index(&mut self, i: usize) -> Result<usize, Error> {
        let mut d = [0u8; 20];
        let digits = encode::decimal(i as u64, &mut d);
        self.push(digits)
    }

    fn truncate(&mut self, len: usize) {
        self.len = len.min(self.len);
    }
}

// ------------------------------------------------------------------------------------------
// JSON text → pairs (no_std, no alloc)

/// Flattens a JSON object given as text (e.g. a request body `{"Limit":1,"Filters":[...]}`)
/// into pairs added to `out`. Names are built in `arena`; string values without escapes and
/// every number borrow from `json` itself, escaped strings are unescaped into `arena`.
///
/// The text must be one JSON object (RFC 8259, UTF-8, at most [`MAX_DEPTH`] levels, names of
/// at most [`MAX_NAME_LEN`] bytes after flattening). Any other input is a typed error
/// ([`Field::Payload`]); so is an `arena` or `out` too small ([`Error::capacity`]).
/// Duplicate names are detected when the pairs are sorted for signing.
pub fn flatten_json<'a, P: PairSink<'a> + ?Sized>(
    json: &'a [u8],
    arena: &'a mut [u8],
    out: &mut P,
) -> Result<(), Error> {
    let text = core::str::from_utf8(json).map_err(|_| malformed())?;
    let mut p = JsonFlat {
        text,
        pos: 0,
        arena: Arena::new(arena),
        path: PathBuf::new(),
        out,
    };
    p.ws();
    if p.peek() != Some(b'{') {
        return Err(malformed());
    }
    p.value(0)?;
    p.ws();
    if p.pos != text.len() {
        return Err(malformed());
    }
    Ok(())
}

const fn malformed() -> Error {
    Error::new(Field::Payload, Reason::Malformed)
}

struct JsonFlat<'a, 'p, P: ?Sized> {
    text: &'a str,
    pos: usize,
    arena: Arena<'a>,
    path: PathBuf,
    out: &'p mut P,
}

/// A string scanned from the JSON text: borrowed when it has no escape.
enum JStr<'a> {
    Raw(&'a str),
    Escaped { start: usize, end: usize },
}

impl<'a, P: PairSink<'a> + ?Sized> JsonFlat<'a, '_, P> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect(&mut self, b: u8) -> Result<(), Error> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(malformed())
        }
    }

    fn literal(&mut self, lit: &str) -> Result<(), Error> {
        let end = self.pos.checked_add(lit.len()).ok_or(malformed())?;
        if self.text.as_bytes().get(self.pos..end) == Some(lit.as_bytes()) {
            self.pos = end;
            Ok(())
        } else {
            Err(malformed())
        }
    }

    fn emit_key(&mut self) -> Result<&'a str, Error> {
        self.arena.put(self.path.as_bytes());
        self.arena.take()
    }

    fn emit(&mut self, value: &'a str) -> Result<(), Error> {
        let name = self.emit_key()?;
        self.out.push_pair(name, value)
    }

    fn value(&mut self, depth: usize) -> Result<(), Error> {
        if depth > MAX_DEPTH {
            return Err(Error::new(Field::Payload, Reason::TooLong));
        }
        self.ws();
        match self.peek() {
            Some(b'{') => {
                self.pos += 1;
                self.ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Ok(());
                }
                loop {
                    self.ws();
                    let key = self.string()?;
                    let old = match key {
                        JStr::Raw(s) => self.path.push(s.as_bytes())?,
                        JStr::Escaped { start, end } => {
                            let old = self.path.len;
                            let dot = old > 0;
                            if dot {
                                self.path.push(b"")?;
                            }
                            let mut w = PathWriter {
                                path: &mut self.path,
                                overflow: false,
                            };
                            unescape(self.text.as_bytes().get(start..end).unwrap_or(&[]), &mut w)?;
                            if w.overflow {
                                return Err(Error::new(Field::ParamName, Reason::TooLong));
                            }
                            old
                        }
                    };
                    self.ws();
                    self.expect(b':')?;
                    self.value(depth + 1)?;
                    self.path.truncate(old);
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            return Ok(());
                        }
                        _ => return Err(malformed()),
                    }
                }
            }
            Some(b'[') => {
                self.pos += 1;
                self.ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Ok(());
                }
                let mut i = 0usize;
                loop {
                    let old = self.path.push_index(i)?;
                    self.value(depth + 1)?;
                    self.path.truncate(old);
                    i += 1;
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(());
                        }
                        _ => return Err(malformed()),
                    }
                }
            }
            Some(b'"') => {
                let v = match self.string()? {
                    JStr::Raw(s) => s,
                    JStr::Escaped { start, end } => {
                        let bytes = self.text.as_bytes().get(start..end).unwrap_or(&[]);
                        unescape(bytes, &mut self.arena)?;
                        self.arena.take()?
                    }
                };
                self.emit(v)
            }
            Some(b't') => {
                self.literal("true")?;
                self.emit("true")
            }
            Some(b'f') => {
                self.literal("false")?;
                self.emit("false")
            }
            Some(b'n') => self.literal("null"),
            Some(b'-' | b'0'..=b'9') => {
                let start = self.pos;
                self.number()?;
                let v = self.text.get(start..self.pos).ok_or(malformed())?;
                self.emit(v)
            }
            _ => Err(malformed()),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<(), Error> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(malformed()),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(malformed());
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(malformed());
            }
        }
        Ok(())
    }

    /// Scans a string at `pos` (which must be `"`), validating escapes.
    fn string(&mut self) -> Result<JStr<'a>, Error> {
        self.expect(b'"')?;
        let start = self.pos;
        let bytes = self.text.as_bytes();
        let mut escaped = false;
        loop {
            match bytes.get(self.pos) {
                None => return Err(malformed()),
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    self.pos += 2;
                }
                Some(&b) if b < 0x20 => return Err(malformed()),
                Some(_) => self.pos += 1,
            }
        }
        let end = self.pos;
        self.pos += 1;
        if escaped {
            // validated (and unescaped) by `unescape` when used; check now so that errors
            // do not depend on the use
            let mut c = encode::Counter(0);
            unescape(bytes.get(start..end).ok_or(malformed())?, &mut c)?;
            Ok(JStr::Escaped { start, end })
        } else {
            Ok(JStr::Raw(self.text.get(start..end).ok_or(malformed())?))
        }
    }
}

struct PathWriter<'p> {
    path: &'p mut PathBuf,
    overflow: bool,
}

impl Sink for PathWriter<'_> {
    fn put(&mut self, bytes: &[u8]) {
        let end = self.path.len + bytes.len();
        match self.path.buf.get_mut(self.path.len..end) {
            Some(dst) if !self.overflow => {
                dst.copy_from_slice(bytes);
                self.path.len = end;
            }
            _ => self.overflow = true,
        }
    }
}

fn hex4(b: &[u8]) -> Option<u32> {
    if b.len() < 4 {
        return None;
    }
    let mut n = 0u32;
    for &c in b.get(..4)? {
        let d = (c as char).to_digit(16)?;
        n = (n << 4) | d;
    }
    Some(n)
}

/// Unescapes the inside of a JSON string (between the quotes) into `out`.
fn unescape<S: Sink + ?Sized>(s: &[u8], out: &mut S) -> Result<(), Error> {
    let mut i = 0;
    let mut start = 0;
    while i < s.len() {
        if s.get(i) != Some(&b'\\') {
            i += 1;
            continue;
        }
        out.put(s.get(start..i).unwrap_or(&[]));
        let esc = *s.get(i + 1).ok_or(malformed())?;
        i += 2;
        let simple: &[u8] = match esc {
            b'"' => b"\"",
            b'\\' => b"\\",
            b'/' => b"/",
            b'b' => b"\x08",
            b'f' => b"\x0c",
            b'n' => b"\n",
            b'r' => b"\r",
            b't' => b"\t",
            b'u' => {
                let hi = hex4(s.get(i..).unwrap_or(&[])).ok_or(malformed())?;
                i += 4;
                let cp = if (0xD800..0xDC00).contains(&hi) {
                    if s.get(i) != Some(&b'\\') || s.get(i + 1) != Some(&b'u') {
                        return Err(malformed());
                    }
                    let lo = hex4(s.get(i + 2..).unwrap_or(&[])).ok_or(malformed())?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(malformed());
                    }
                    i += 6;
                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                } else if (0xDC00..0xE000).contains(&hi) {
                    return Err(malformed());
                } else {
                    hi
                };
                let ch = char::from_u32(cp).ok_or(malformed())?;
                let mut b = [0u8; 4];
                out.put(ch.encode_utf8(&mut b).as_bytes());
                start = i;
                continue;
            }
            _ => return Err(malformed()),
        };
        out.put(simple);
        start = i;
    }
    out.put(s.get(start..).unwrap_or(&[]));
    Ok(())
}

// ------------------------------------------------------------------------------------------
// Serialize → pairs

#[cfg(feature = "serde")]
pub use ser::{flatten_serialize, SerError};

#[cfg(all(feature = "serde", feature = "alloc"))]
pub use ser::flatten;

#[cfg(feature = "serde_json")]
pub use ser::flatten_value;

#[cfg(feature = "serde")]
mod ser {
    use super::{Arena, PairSink, PathBuf, MAX_DEPTH};
    use crate::encode::Sink;
    use crate::error::{Error, Field, Reason};
    use core::fmt::{self, Write as _};
    use serde::ser::{self, Impossible, Serialize};

    /// The error type the flattening serializer reports through serde; it carries the
    /// crate's [`Error`]. The public flatten functions return the inner [`Error`].
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct SerError(pub Error);

    impl fmt::Display for SerError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            fmt::Display::fmt(&self.0, f)
        }
    }

    impl ser::StdError for SerError {}

    impl ser::Error for SerError {
        fn custom<T: fmt::Display>(_msg: T) -> Self {
            SerError(Error::new(Field::ParamValue, Reason::Malformed))
        }
    }

    impl From<Error> for SerError {
        fn from(e: Error) -> Self {
            SerError(e)
        }
    }

    fn unsupported() -> SerError {
        SerError(Error::new(Field::ParamValue, Reason::Malformed))
    }

    /// Where flattened leaves go.
    pub(super) trait Backend {
        fn push_seg(&mut self, seg: &str) -> Result<usize, Error>;
        fn push_index(&mut self, i: usize) -> Result<usize, Error>;
        fn truncate(&mut self, len: usize);
        fn leaf_static(&mut self, v: &'static str) -> Result<(), Error>;
        fn leaf_str(&mut self, v: &str) -> Result<(), Error>;
        fn leaf_fmt(&mut self, v: fmt::Arguments<'_>) -> Result<(), Error>;
    }

    struct NoAlloc<'a, 'p, P: ?Sized> {
        arena: Arena<'a>,
        path: PathBuf,
        out: &'p mut P,
    }

    impl<'a, P: PairSink<'a> + ?Sized> NoAlloc<'a, '_, P> {
        fn key(&mut self) -> Result<&'a str, Error> {
            self.arena.put(self.path.as_bytes());
            self.arena.take()
        }
    }

    impl<'a, P: PairSink<'a> + ?Sized> Backend for NoAlloc<'a, '_, P> {
        fn push_seg(&mut self, seg: &str) -> Result<usize, Error> {
            self.path.push(seg.as_bytes())
        }
        fn push_index(&mut self, i: usize) -> Result<usize, Error> {
            self.path.push_index(i)
        }
        fn truncate(&mut self, len: usize) {
            self.path.truncate(len)
        }
        fn leaf_static(&mut self, v: &'static str) -> Result<(), Error> {
            let k = self.key()?;
            self.out.push_pair(k, v)
        }
        fn leaf_str(&mut self, v: &str) -> Result<(), Error> {
            let k = self.key()?;
            self.arena.put(v.as_bytes());
            let v = self.arena.take()?;
            self.out.push_pair(k, v)
        }
        fn leaf_fmt(&mut self, v: fmt::Arguments<'_>) -> Result<(), Error> {
            let k = self.key()?;
            let _ = self.arena.write_fmt(v);
            let v = self.arena.take()?;
            self.out.push_pair(k, v)
        }
    }

    /// Flattens any `Serialize` value that serializes as a map or struct into pairs added to
    /// `out`, with names and values written into `arena` (no allocation). See the module
    /// docs for the rules; map keys must be strings (or chars), bytes are refused, unit
    /// enum variants are their name, other enum variants `{"Variant": ...}`.
    pub fn flatten_serialize<'a, T, P>(
        value: &T,
        arena: &'a mut [u8],
        out: &mut P,
    ) -> Result<(), Error>
    where
        T: Serialize + ?Sized,
        P: PairSink<'a> + ?Sized,
    {
        let mut b = NoAlloc {
            arena: Arena::new(arena),
            path: PathBuf::new(),
            out,
        };
        value
            .serialize(Flat {
                b: &mut b,
                depth: 0,
            })
            .map_err(|e| e.0)
    }

    #[cfg(feature = "alloc")]
    mod owned {
        use super::Backend;
        use crate::error::{Error, Field, Reason};
        use alloc::string::String;
        use alloc::vec::Vec;
        use core::fmt;

        pub(super) struct Owned {
            pub(super) path: String,
            pub(super) out: Vec<(String, String)>,
        }

        impl Backend for Owned {
            fn push_seg(&mut self, seg: &str) -> Result<usize, Error> {
                let old = self.path.len();
                if old > 0 {
                    self.path.push('.');
                }
                self.path.push_str(seg);
                if self.path.len() > 4096 {
                    return Err(Error::new(Field::ParamName, Reason::TooLong));
                }
                Ok(old)
            }
            fn push_index(&mut self, i: usize) -> Result<usize, Error> {
                let mut d = [0u8; 20];
                let s = crate::encode::decimal(i as u64, &mut d);
                self.push_seg(core::str::from_utf8(s).unwrap_or("0"))
            }
            fn truncate(&mut self, len: usize) {
                self.path.truncate(len)
            }
            fn leaf_static(&mut self, v: &'static str) -> Result<(), Error> {
                self.leaf_str(v)
            }
            fn leaf_str(&mut self, v: &str) -> Result<(), Error> {
                self.out.push((self.path.clone(), String::from(v)));
                Ok(())
            }
            fn leaf_fmt(&mut self, v: fmt::Arguments<'_>) -> Result<(), Error> {
                self.out.push((self.path.clone(), alloc::fmt::format(v)));
                Ok(())
            }
        }
    }

    #[cfg(feature = "alloc")]
    fn check_unique(pairs: &[(alloc::string::String, alloc::string::String)]) -> Result<(), Error> {
        let mut names: alloc::vec::Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        names.sort_unstable();
        if names.windows(2).any(|w| w[0] == w[1]) {
            return Err(Error::new(Field::ParamName, Reason::Duplicate));
        }
        Ok(())
    }

    /// Flattens any `Serialize` value (a map or struct at the top) into owned pairs, in the
    /// value's own order. A name produced twice is [`Reason::Duplicate`]. See the module
    /// docs for the rules.
    #[cfg(feature = "alloc")]
    pub fn flatten<T: Serialize + ?Sized>(
        value: &T,
    ) -> Result<alloc::vec::Vec<(alloc::string::String, alloc::string::String)>, Error> {
        let mut b = owned::Owned {
            path: alloc::string::String::new(),
            out: alloc::vec::Vec::new(),
        };
        value
            .serialize(Flat {
                b: &mut b,
                depth: 0,
            })
            .map_err(|e| e.0)?;
        check_unique(&b.out)?;
        Ok(b.out)
    }

    /// Flattens a `serde_json::Value` object (what the CLI reads) into owned pairs: exactly
    /// [`flatten`] applied to the value (so floats follow the module's float rule).
    #[cfg(feature = "serde_json")]
    pub fn flatten_value(
        value: &serde_json::Value,
    ) -> Result<alloc::vec::Vec<(alloc::string::String, alloc::string::String)>, Error> {
        flatten(value)
    }

    /// The flattening serializer at one position of the tree.
    struct Flat<'b, B: ?Sized> {
        b: &'b mut B,
        depth: usize,
    }

    impl<'b, B: Backend + ?Sized> Flat<'b, B> {
        fn leaf(self, f: impl FnOnce(&mut B) -> Result<(), Error>) -> Result<(), SerError> {
            if self.depth == 0 {
                // a bare scalar has no name
                return Err(SerError(Error::new(Field::Payload, Reason::Malformed)));
            }
            f(self.b).map_err(SerError)
        }

        fn nest(self) -> Result<Compound<'b, B>, SerError> {
            if self.depth >= MAX_DEPTH {
                return Err(SerError(Error::new(Field::Payload, Reason::TooLong)));
            }
            Ok(Compound {
                b: self.b,
                depth: self.depth + 1,
                index: 0,
                key_len: None,
                variant_len: None,
            })
        }
    }

    /// Serializes a sequence, map or struct: each element under its own path segment.
    struct Compound<'b, B: ?Sized> {
        b: &'b mut B,
        depth: usize,
        index: usize,
        /// path length to restore after a map value
        key_len: Option<usize>,
        /// path length to restore at the end of an enum variant wrapper
        variant_len: Option<usize>,
    }

    impl<B: Backend + ?Sized> Compound<'_, B> {
        fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
            let old = self.b.push_index(self.index)?;
            self.index += 1;
            value.serialize(Flat {
                b: &mut *self.b,
                depth: self.depth,
            })?;
            self.b.truncate(old);
            Ok(())
        }

        fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), SerError> {
            let old = self.b.push_seg(key)?;
            value.serialize(Flat {
                b: &mut *self.b,
                depth: self.depth,
            })?;
            self.b.truncate(old);
            Ok(())
        }

        fn end(self) -> Result<(), SerError> {
            if let Some(l) = self.variant_len {
                self.b.truncate(l);
            }
            Ok(())
        }
    }

    macro_rules! leaf_fmt {
        ($($name:ident: $t:ty),*) => {$(
            fn $name(self, v: $t) -> Result<(), SerError> {
                self.leaf(|b| b.leaf_fmt(format_args!("{}", v)))
            }
        )*};
    }

    impl<'b, B: Backend + ?Sized> ser::Serializer for Flat<'b, B> {
        type Ok = ();
        type Error = SerError;
        type SerializeSeq = Compound<'b, B>;
        type SerializeTuple = Compound<'b, B>;
        type SerializeTupleStruct = Compound<'b, B>;
        type SerializeTupleVariant = Compound<'b, B>;
        type SerializeMap = Compound<'b, B>;
        type SerializeStruct = Compound<'b, B>;
        type SerializeStructVariant = Compound<'b, B>;

        fn serialize_bool(self, v: bool) -> Result<(), SerError> {
            self.leaf(|b| b.leaf_static(if v { "true" } else { "false" }))
        }
        leaf_fmt!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
            serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
            serialize_u64: u64, serialize_u128: u128);
        fn serialize_f32(self, v: f32) -> Result<(), SerError> {
            self.serialize_f64(f64::from(v))
        }
        fn serialize_f64(self, v: f64) -> Result<(), SerError> {
            if !v.is_finite() {
                return Err(SerError(Error::new(Field::ParamValue, Reason::Malformed)));
            }
            self.leaf(|b| b.leaf_fmt(format_args!("{}", v)))
        }
        fn serialize_char(self, v: char) -> Result<(), SerError> {
            let mut buf = [0u8; 4];
            let s = v.encode_utf8(&mut buf);
            self.leaf(|b| b.leaf_str(s))
        }
        fn serialize_str(self, v: &str) -> Result<(), SerError> {
            self.leaf(|b| b.leaf_str(v))
        }
        fn collect_str<T: fmt::Display + ?Sized>(self, v: &T) -> Result<(), SerError> {
            self.leaf(|b| b.leaf_fmt(format_args!("{}", v)))
        }
        fn serialize_bytes(self, _v: &[u8]) -> Result<(), SerError> {
            Err(unsupported())
        }
        fn serialize_none(self) -> Result<(), SerError> {
            Ok(())
        }
        fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), SerError> {
            value.serialize(self)
        }
        fn serialize_unit(self) -> Result<(), SerError> {
            Ok(())
        }
        fn serialize_unit_struct(self, _name: &'static str) -> Result<(), SerError> {
            Ok(())
        }
        fn serialize_unit_variant(
            self,
            _name: &'static str,
            _index: u32,
            variant: &'static str,
        ) -> Result<(), SerError> {
            self.leaf(|b| b.leaf_static(variant))
        }
        fn serialize_newtype_struct<T: Serialize + ?Sized>(
            self,
            _name: &'static str,
            value: &T,
        ) -> Result<(), SerError> {
            value.serialize(self)
        }
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _name: &'static str,
            _index: u32,
            variant: &'static str,
            value: &T,
        ) -> Result<(), SerError> {
            let mut c = self.nest()?;
            c.field(variant, value)
        }
        fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'b, B>, SerError> {
            if self.depth == 0 {
                return Err(SerError(Error::new(Field::Payload, Reason::Malformed)));
            }
            self.nest()
        }
        fn serialize_tuple(self, len: usize) -> Result<Compound<'b, B>, SerError> {
            self.serialize_seq(Some(len))
        }
        fn serialize_tuple_struct(
            self,
            _name: &'static str,
            len: usize,
        ) -> Result<Compound<'b, B>, SerError> {
            self.serialize_seq(Some(len))
        }
        fn serialize_tuple_variant(
            self,
            _name: &'static str,
            _index: u32,
            variant: &'static str,
            _len: usize,
        ) -> Result<Compound<'b, B>, SerError> {
            let mut c = self.nest()?;
            let old = c.b.push_seg(variant)?;
            c.variant_len = Some(old);
            Ok(c)
        }
        fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'b, B>, SerError> {
            self.nest()
        }
        fn serialize_struct(
            self,
            _name: &'static str,
            _len: usize,
        ) -> Result<Compound<'b, B>, SerError> {
            self.nest()
        }
        fn serialize_struct_variant(
            self,
            _name: &'static str,
            _index: u32,
            variant: &'static str,
            _len: usize,
        ) -> Result<Compound<'b, B>, SerError> {
            let mut c = self.nest()?;
            let old = c.b.push_seg(variant)?;
            c.variant_len = Some(old);
            Ok(c)
        }
    }

    impl<B: Backend + ?Sized> ser::SerializeSeq for Compound<'_, B> {
        type Ok = ();
        type Error = SerError;
        fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
            self.element(value)
        }
        fn end(self) -> Result<(), SerError> {
            Compound::end(self)
        }
    }

    impl<B: Backend + ?Sized> ser::SerializeTuple for Compound<'_, B> {
        type Ok = ();
        type Error = SerError;
        fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
            self.element(value)
        }
        fn end(self) -> Result<(), SerError> {
            Compound::end(self)
        }
    }

    impl<B: Backend + ?Sized> ser::SerializeTupleStruct for Compound<'_, B> {
        type Ok = ();
        type Error = SerError;
        fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
            self.element(value)
        }
        fn end(self) -> Result<(), SerError> {
            Compound::end(self)
        }
    }

    impl<B: Backend + ?Sized> ser::SerializeTupleVariant for Compound<'_, B> {
        type Ok = ();
        type Error = SerError;
        fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
            self.element(value)
        }
        fn end(self) -> Result<(), SerError> {
            Compound::end(self)
        }
    }

    impl<B: Backend + ?Sized> ser::SerializeStruct for Compound<'_, B> {
        type Ok = ();
        type Error = SerError;
        fn serialize_field<T: Serialize + ?Sized>(
            &mut self,
            key: &'static str,
            value: &T,
        ) -> Result<(), SerError> {
            self.field(key, value)
        }
        fn end(self) -> Result<(), SerError> {
            Compound::end(self)
        }
    }

    impl<B: Backend + ?Sized> ser::SerializeStructVariant for Compound<'_, B> {
        type Ok = ();
        type Error = SerError;
        fn serialize_field<T: Serialize + ?Sized>(
            &mut self,
            key: &'static str,
            value: &T,
        ) -> Result<(), SerError> {
            self.field(key, value)
        }
        fn end(self) -> Result<(), SerError> {
            Compound::end(self)
        }
    }

    impl<B: Backend + ?Sized> ser::SerializeMap for Compound<'_, B> {
        type Ok = ();
        type Error = SerError;
        fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), SerError> {
            let old = key.serialize(KeySer { b: &mut *self.b })?;
            self.key_len = Some(old);
            Ok(())
        }
        fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
            let old = self.key_len.take().ok_or_else(unsupported)?;
            value.serialize(Flat {
                b: &mut *self.b,
                depth: self.depth,
            })?;
            self.b.truncate(old);
            Ok(())
        }
        fn end(self) -> Result<(), SerError> {
            Compound::end(self)
        }
    }

    /// Serializes a map key into the path; only strings and chars are names.
    struct KeySer<'b, B: ?Sized> {
        b: &'b mut B,
    }

    fn key_err() -> SerError {
        SerError(Error::new(Field::ParamName, Reason::Malformed))
    }

    macro_rules! key_refuse {
        ($($name:ident: $t:ty),*) => {$(
            fn $name(self, _v: $t) -> Result<usize, SerError> { Err(key_err()) }
        )*};
    }

    impl<B: Backend + ?Sized> ser::Serializer for KeySer<'_, B> {
        type Ok = usize;
        type Error = SerError;
        type SerializeSeq = Impossible<usize, SerError>;
        type SerializeTuple = Impossible<usize, SerError>;
        type SerializeTupleStruct = Impossible<usize, SerError>;
        type SerializeTupleVariant = Impossible<usize, SerError>;
        type SerializeMap = Impossible<usize, SerError>;
        type SerializeStruct = Impossible<usize, SerError>;
        type SerializeStructVariant = Impossible<usize, SerError>;

        fn serialize_str(self, v: &str) -> Result<usize, SerError> {
            Ok(self.b.push_seg(v)?)
        }
        fn collect_str<T: fmt::Display + ?Sized>(self, _v: &T) -> Result<usize, SerError> {
            Err(key_err())
        }
        fn serialize_char(self, v: char) -> Result<usize, SerError> {
            let mut buf = [0u8; 4];
            Ok(self.b.push_seg(v.encode_utf8(&mut buf))?)
        }
        fn serialize_unit_variant(
            self,
            _name: &'static str,
            _index: u32,
            variant: &'static str,
        ) -> Result<usize, SerError> {
            Ok(self.b.push_seg(variant)?)
        }
        fn serialize_newtype_struct<T: Serialize + ?Sized>(
            self,
            _name: &'static str,
            value: &T,
        ) -> Result<usize, SerError> {
            value.serialize(self)
        }
        key_refuse!(serialize_bool: bool, serialize_i8: i8, serialize_i16: i16,
            serialize_i32: i32, serialize_i64: i64, serialize_u8: u8, serialize_u16: u16,
            serialize_u32: u32, serialize_u64: u64, serialize_f32: f32, serialize_f64: f64,
            serialize_bytes: &[u8]);
        fn serialize_none(self) -> Result<usize, SerError> {
            Err(key_err())
        }
        fn serialize_some<T: Serialize + ?Sized>(self, _v: &T) -> Result<usize, SerError> {
            Err(key_err())
        }
        fn serialize_unit(self) -> Result<usize, SerError> {
            Err(key_err())
        }
        fn serialize_unit_struct(self, _name: &'static str) -> Result<usize, SerError> {
            Err(key_err())
        }
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _name: &'static str,
            _index: u32,
            _variant: &'static str,
            _value: &T,
        ) -> Result<usize, SerError> {
            Err(key_err())
        }
        fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, SerError> {
            Err(key_err())
        }
        fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, SerError> {
            Err(key_err())
        }
        fn serialize_tuple_struct(
            self,
            _name: &'static str,
            _len: usize,
        ) -> Result<Self::SerializeTupleStruct, SerError> {
            Err(key_err())
        }
        fn serialize_tuple_variant(
            self,
            _name: &'static str,
            _index: u32,
            _variant: &'static str,
            _len: usize,
        ) -> Result<Self::SerializeTupleVariant, SerError> {
            Err(key_err())
        }
        fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, SerError> {
            Err(key_err())
        }
        fn serialize_struct(
            self,
            _name: &'static str,
            _len: usize,
        ) -> Result<Self::SerializeStruct, SerError> {
            Err(key_err())
        }
        fn serialize_struct_variant(
            self,
            _name: &'static str,
            _index: u32,
            _variant: &'static str,
            _len: usize,
        ) -> Result<Self::SerializeStructVariant, SerError> {
            Err(key_err())
        }
    }
}
