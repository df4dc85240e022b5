//! JSON text → pairs (no_std, no allocation), on the envelope scanner's tokenizer: strings,
//! numbers and literals are validated by [`crate::envelope::scan`] and escaped strings are
//! decoded by [`JsonStr`]; this file only walks the tree and builds the names.

use super::{Arena, PairSink, PathBuf, MAX_DEPTH};
use crate::encode::Sink;
use crate::envelope::scan;
use crate::envelope::JsonStr;
use crate::error::{Error, Field, Reason};

/// Flattens a JSON object given as text (e.g. a request body `{"Limit":1,"Filters":[...]}`)
/// into pairs added to `out`. Names are built in `arena`; string values without escapes and
/// every number borrow from `json` itself, escaped strings are unescaped into `arena`.
///
/// The text must be one JSON object (RFC 8259, UTF-8, at most [`Params::MAX_DEPTH`](super::Params::MAX_DEPTH) levels, names
/// of at most [`Params::MAX_NAME_LEN`](super::Params::MAX_NAME_LEN) bytes after flattening). Any other input is a typed error
/// ([`Field::Payload`]); so is an `arena` or `out` too small ([`Error::capacity`]).
/// Duplicate names are detected when the pairs are sorted for signing.
///
/// ```
/// let json = br#"{"Limit":1,"Filters":[{"Name":"a\u00e9","Values":["x",null,true]}]}"#;
/// let mut arena = [0u8; 128];
/// let mut pairs: heapless::Vec<(&str, &str), 8> = heapless::Vec::new();
/// tc3::params::flatten_json(json, &mut arena, &mut pairs)?;
/// assert_eq!(
///     pairs.as_slice(),
///     [
///         ("Limit", "1"),
///         ("Filters.0.Name", "aé"),
///         ("Filters.0.Values.0", "x"),
///         ("Filters.0.Values.2", "true"),
///     ]
/// );
/// # Ok::<(), tc3::Error>(())
/// ```
pub fn flatten_json<'a, P: PairSink<'a> + ?Sized>(
    json: &'a [u8],
    arena: &'a mut [u8],
    out: &mut P,
) -> Result<(), Error> {
    let text = core::str::from_utf8(json).map_err(|_| malformed())?;
    let mut w = Walk {
        text,
        arena: Arena::new(arena),
        path: PathBuf::new(),
        out,
    };
    let p = scan::skip_ws(json, 0);
    if json.get(p) != Some(&b'{') {
        return Err(malformed());
    }
    let end = w.value(p, 0)?;
    if scan::skip_ws(json, end) != json.len() {
        return Err(malformed());
    }
    Ok(())
}

const fn malformed() -> Error {
    Error::new(Field::Payload, Reason::Malformed)
}

fn tok<T>(r: Result<T, crate::envelope::ParseError>) -> Result<T, Error> {
    r.map_err(|_| malformed())
}

struct Walk<'a, 'p, P: ?Sized> {
    text: &'a str,
    arena: Arena<'a>,
    path: PathBuf,
    out: &'p mut P,
}

impl<'a, P: PairSink<'a> + ?Sized> Walk<'a, '_, P> {
    fn doc(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The string whose opening quote is at `p`: its inside (validated) and the offset after
    /// its closing quote.
    fn string(&self, p: usize) -> Result<(JsonStr<'a>, usize), Error> {
        let doc = self.doc();
        if doc.get(p) != Some(&b'"') {
            return Err(malformed());
        }
        // `doc` is a `&str`: valid UTF-8 throughout.
        let (end, _) = tok(scan::scan_string::<true>(doc, p + 1))?;
        let inside = doc.get(p + 1..end - 1).ok_or(malformed())?;
        Ok((JsonStr::from_validated(inside), end))
    }

    fn emit(&mut self, value: &'a str) -> Result<(), Error> {
        self.arena.put(self.path.as_str().as_bytes());
        let name = self.arena.take()?;
        self.out.push_pair(name, value)
    }

    /// The value starting at `p` (no whitespace before it); returns the offset after it.
    fn value(&mut self, p: usize, depth: usize) -> Result<usize, Error> {
        if depth > MAX_DEPTH {
            return Err(Error::new(Field::Payload, Reason::TooLong));
        }
        let doc = self.doc();
        match doc.get(p) {
            Some(b'{') => {
                let mut q = scan::skip_ws(doc, p + 1);
                if doc.get(q) == Some(&b'}') {
                    return Ok(q + 1);
                }
                loop {
                    let (key, end) = self.string(q)?;
                    let old = match key.as_plain() {
                        Some(plain) => self.path.push(plain)?,
                        None => self.path.push_chars(key.chars())?,
                    };
                    q = scan::skip_ws(doc, end);
                    if doc.get(q) != Some(&b':') {
                        return Err(malformed());
                    }
                    q = self.value(scan::skip_ws(doc, q + 1), depth + 1)?;
                    self.path.truncate(old);
                    q = scan::skip_ws(doc, q);
                    match doc.get(q) {
                        Some(b',') => q = scan::skip_ws(doc, q + 1),
                        Some(b'}') => return Ok(q + 1),
                        _ => return Err(malformed()),
                    }
                }
            }
            Some(b'[') => {
                let mut q = scan::skip_ws(doc, p + 1);
                if doc.get(q) == Some(&b']') {
                    return Ok(q + 1);
                }
                let mut i = 0usize;
                loop {
                    let old = self.path.push_index(i)?;
                    q = self.value(q, depth + 1)?;
                    self.path.truncate(old);
                    i += 1;
                    q = scan::skip_ws(doc, q);
                    match doc.get(q) {
                        Some(b',') => q = scan::skip_ws(doc, q + 1),
                        Some(b']') => return Ok(q + 1),
                        _ => return Err(malformed()),
                    }
                }
            }
            Some(b'"') => {
                let (s, end) = self.string(p)?;
                let v = match s.as_plain() {
                    Some(plain) => plain,
                    None => {
                        let mut b = [0u8; 4];
                        for c in s.chars() {
                            self.arena.put(c.encode_utf8(&mut b).as_bytes());
                        }
                        self.arena.take()?
                    }
                };
                self.emit(v)?;
                Ok(end)
            }
            Some(b't') => {
                let end = tok(scan::literal(doc, p, b"true"))?;
                self.emit("true")?;
                Ok(end)
            }
            Some(b'f') => {
                let end = tok(scan::literal(doc, p, b"false"))?;
                self.emit("false")?;
                Ok(end)
            }
            Some(b'n') => tok(scan::literal(doc, p, b"null")),
            Some(b'-' | b'0'..=b'9') => {
                let end = tok(scan::scan_number(doc, p))?;
                let v = self.text.get(p..end).ok_or(malformed())?;
                self.emit(v)?;
                Ok(end)
            }
            _ => Err(malformed()),
        }
    }
}
