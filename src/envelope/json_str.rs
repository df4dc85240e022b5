//! Escaped JSON string slices, compared and unescaped lazily.

use core::fmt;

use super::scan::scan_escape;
use super::ParseError;
use crate::Error;

/// A JSON string as it appears in the document: the bytes between the quotes, escapes and all.
///
/// It is only ever built from text the scanner validated, so every escape is well formed and
/// surrogate escapes come in pairs. Nothing is copied until asked:
///
/// ```
/// let env = tc3::envelope::parse(br#"{"Response":{"RequestId":"a\u0062c\n"}}"#).unwrap();
/// let id = env.request_id.unwrap();
/// assert_eq!(id.raw(), r"a\u0062c\n");
/// assert!(id.eq_str("abc\n"));
/// let mut buf = [0u8; 16];
/// assert_eq!(id.unescape_into(&mut buf).unwrap(), "abc\n");
/// assert_eq!(id.chars().count(), 4);
/// ```
#[derive(Copy, Clone, PartialEq, Eq, Hash)]
pub struct JsonStr<'a> {
    /// Validated: UTF-8, well-formed escapes, no raw `"` or control characters.
    raw: &'a [u8],
}

impl<'a> JsonStr<'a> {
    /// Wrap the inside of a string the scanner has validated.
    pub(crate) const fn from_validated(raw: &'a [u8]) -> Self {
        JsonStr { raw }
    }

    /// Validate `raw` as the inside of a JSON string (no surrounding quotes) and wrap it.
    pub fn new(raw: &'a str) -> Result<Self, ParseError> {
        use super::ParseErrorKind as K;
        let b = raw.as_bytes();
        let mut p = 0;
        while let Some(&c) = b.get(p) {
            match c {
                b'\\' => p = scan_escape(b, p)?,
                b'"' => {
                    return Err(ParseError {
                        kind: K::UnexpectedByte,
                        offset: p,
                    })
                }
                0..=0x1f => {
                    return Err(ParseError {
                        kind: K::ControlCharInString,
                        offset: p,
                    })
                }
                _ => p += 1,
            }
        }
        Ok(JsonStr { raw: b })
    }

    /// The escaped text between the quotes, exactly as in the document.
    pub fn raw(&self) -> &'a str {
        // Validated UTF-8: the conversion cannot fail.
        core::str::from_utf8(self.raw).unwrap_or_default()
    }

    /// The escaped bytes between the quotes.
    pub const fn raw_bytes(&self) -> &'a [u8] {
        self.raw
    }

    /// Whether the string contains any escape (if not, [`raw`](Self::raw) is the value).
    pub fn has_escapes(&self) -> bool {
        self.raw.contains(&b'\\')
    }

    /// The value without escapes, borrowed, if it has none.
    pub fn as_plain(&self) -> Option<&'a str> {
        if self.has_escapes() {
            None
        } else {
            Some(self.raw())
        }
    }

    /// Whether the empty string.
    pub const fn is_empty(&self) -> bool {
        // An escape always yields at least one character.
        self.raw.is_empty()
    }

    /// The decoded characters.
    ///
    /// ```
    /// let s = tc3::envelope::JsonStr::new(r"a\u00e9\n")?;
    /// assert!(s.chars().eq(['a', 'é', '\n']));
    /// # Ok::<(), tc3::envelope::ParseError>(())
    /// ```
    pub fn chars(&self) -> impl Iterator<Item = char> + Clone + 'a {
        let plain = self.raw();
        Chars {
            rest: plain.as_bytes(),
            plain,
        }
    }

    /// Length in bytes of the unescaped UTF-8 value.
    pub fn unescaped_len(&self) -> usize {
        if !self.has_escapes() {
            return self.raw.len();
        }
        self.chars().map(char::len_utf8).sum()
    }

    /// Compare the decoded value with `s`, without copying.
    pub fn eq_str(&self, s: &str) -> bool {
        if !self.has_escapes() {
            return self.raw == s.as_bytes();
        }
        self.chars().eq(s.chars())
    }

    /// Unescape into `buf` and return the value. A buffer that is too small is
    /// [`Error::capacity`], never a truncated value.
    pub fn unescape_into<'o>(&self, buf: &'o mut [u8]) -> Result<&'o str, Error> {
        let mut n = 0usize;
        for c in self.chars() {
            let len = c.len_utf8();
            let dst = buf.get_mut(n..n + len).ok_or(Error::capacity())?;
            c.encode_utf8(dst);
            n += len;
        }
        let out = buf.get(..n).ok_or(Error::capacity())?;
        core::str::from_utf8(out).map_err(|_| Error::capacity())
    }

    /// The value, borrowed when it has no escapes.
    #[cfg(feature = "alloc")]
    pub fn to_cow(&self) -> alloc::borrow::Cow<'a, str> {
        match self.as_plain() {
            Some(s) => alloc::borrow::Cow::Borrowed(s),
            None => alloc::borrow::Cow::Owned(self.chars().collect()),
        }
    }
}

/// Shows the raw escaped text (as it appears in the document).
impl fmt::Debug for JsonStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", self.raw())
    }
}

/// Writes the decoded value (so `to_string()` unescapes, with `alloc`).
impl fmt::Display for JsonStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = self.as_plain() {
            return f.write_str(s);
        }
        use fmt::Write;
        for c in self.chars() {
            f.write_char(c)?;
        }
        Ok(())
    }
}

impl PartialEq<str> for JsonStr<'_> {
    fn eq(&self, other: &str) -> bool {
        self.eq_str(other)
    }
}

impl PartialEq<&str> for JsonStr<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.eq_str(other)
    }
}

/// Iterator over the decoded characters of a [`JsonStr`].
#[derive(Clone, Debug)]
pub(crate) struct Chars<'a> {
    rest: &'a [u8],
    plain: &'a str,
}

fn hex4(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &c in b.get(..4)? {
        v = (v << 4) | (c as char).to_digit(16)?;
    }
    Some(v)
}

impl Iterator for Chars<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        let first = *self.rest.first()?;
        if first != b'\\' {
            // `rest` is always a suffix of `plain` at a char boundary.
            let off = self.plain.len() - self.rest.len();
            let c = self.plain.get(off..)?.chars().next()?;
            self.rest = self.rest.get(c.len_utf8()..).unwrap_or_default();
            return Some(c);
        }
        let e = *self.rest.get(1)?;
        let (c, used) = match e {
            b'"' => ('"', 2),
            b'\\' => ('\\', 2),
            b'/' => ('/', 2),
            b'b' => ('\u{8}', 2),
            b'f' => ('\u{c}', 2),
            b'n' => ('\n', 2),
            b'r' => ('\r', 2),
            b't' => ('\t', 2),
            b'u' => {
                let hi = hex4(self.rest.get(2..).unwrap_or_default());
                match hi {
                    Some(h @ 0xD800..=0xDBFF) => {
                        let lo = self.rest.get(8..).and_then(hex4);
                        match lo {
                            Some(l @ 0xDC00..=0xDFFF) => {
                                let cp = 0x10000 + ((h - 0xD800) << 10) + (l - 0xDC00);
                                (char::from_u32(cp).unwrap_or('\u{FFFD}'), 12)
                            }
                            _ => ('\u{FFFD}', 6),
                        }
                    }
                    Some(h) => (char::from_u32(h).unwrap_or('\u{FFFD}'), 6),
                    None => ('\u{FFFD}', 2),
                }
            }
            _ => ('\u{FFFD}', 2),
        };
        self.rest = self.rest.get(used..).unwrap_or_default();
        Some(c)
    }
}
