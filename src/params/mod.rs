//! Request parameters as borrowed name/value pairs: caller-owned collections, flattening of
//! nested parameters (docs/protocol-signing.md §2.2), and the sorted form-encoded query. The legacy
//! signature ([`crate::v1`]) and the v3 GET query both build on this module.
//!
//! ```
//! use tc3::params;
//! let json = br#"{"Limit":10,"Filters":[{"Name":"zone","Values":["ap-guangzhou-3"]}]}"#;
//! let mut arena = [0u8; 256];
//! let mut pairs: heapless::Vec<(&str, &str), 8> = heapless::Vec::new();
//! params::flatten_json(json, &mut arena, &mut pairs)?;
//! let mut out = [0u8; 256];
//! let mut w = tc3::BufWriter::new(&mut out);
//! params::write_sorted_query(&mut pairs, &mut w)?;
//! assert_eq!(
//!     w.finish_str()?,
//!     "Filters.0.Name=zone&Filters.0.Values.0=ap-guangzhou-3&Limit=10"
//! );
//! # Ok::<(), tc3::Error>(())
//! ```
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
//! Duplicate names after flattening (`{"A.0": 1, "A": [2]}`) are refused: by `flatten`
//! (features `serde` + `alloc`) directly, and on the no_std path by the sort that every
//! signature and query starts with (e.g. [`write_sorted_query`]).

use crate::encode::{self, Sink};
use crate::error::{Error, Field, Reason};

mod json;
#[cfg(feature = "serde")]
mod ser;

pub use json::flatten_json;
#[cfg(all(feature = "serde", feature = "alloc"))]
pub use ser::flatten;
#[cfg(feature = "serde")]
pub use ser::flatten_serialize;

/// The longest flattened parameter name the no_std flatteners build.
pub(crate) const MAX_NAME_LEN: usize = 256;
/// The deepest nesting the flatteners follow.
pub(crate) const MAX_DEPTH: usize = 32;

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

impl Params<'_, '_> {
    /// The longest flattened parameter name the no_std flatteners build.
    pub const MAX_NAME_LEN: usize = MAX_NAME_LEN;
    /// The deepest nesting the flatteners follow.
    pub const MAX_DEPTH: usize = MAX_DEPTH;
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
/// `url.Values.Encode`. Flatten first with [`flatten_json`] / `flatten_serialize` (feature
/// `serde`).
///
/// ```
/// use tc3::v3::{sign_fresh, Common, Request};
///
/// let mut pairs = [("Offset", "0"), ("Filters.0.Name", "zone"), ("Limit", "10")];
/// let mut out = [0u8; 128];
/// let mut w = tc3::BufWriter::new(&mut out);
/// tc3::params::write_sorted_query(&mut pairs, &mut w)?;
/// let query = w.finish_str()?;
/// assert_eq!(query, "Filters.0.Name=zone&Limit=10&Offset=0");
///
/// // the query of a signed GET
/// let cred = tc3::Credential::new("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE")?;
/// let common = Common::new("cvm", "DescribeInstances", "2017-03-12", 1551113065);
/// let signed = sign_fresh(&cred, &common, &Request::new_get("cvm.tencentcloudapi.com", query))?;
/// # let _ = signed;
///
/// // a name given twice is refused, not sent twice
/// let mut twice = [("A", "1"), ("A", "2")];
/// let mut out = [0u8; 32];
/// let mut w = tc3::BufWriter::new(&mut out);
/// assert!(tc3::params::write_sorted_query(&mut twice, &mut w).is_err());
/// # Ok::<(), tc3::Error>(())
/// ```
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

/// A parameter name being built: the path of segments joined with `.`, at most
/// [`MAX_NAME_LEN`] bytes (longer is [`Reason::TooLong`], never a cut name).
struct PathBuf(heapless::String<MAX_NAME_LEN>);

const fn name_too_long() -> Error {
    Error::new(Field::ParamName, Reason::TooLong)
}

impl PathBuf {
    fn new() -> Self {
        PathBuf(heapless::String::new())
    }

    fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Starts a new segment (a `.` unless the path is empty); returns the old length.
    fn begin(&mut self) -> Result<usize, Error> {
        let old = self.0.len();
        if old > 0 {
            self.0.push('.').map_err(|()| name_too_long())?;
        }
        Ok(old)
    }

    /// Appends a segment; returns the old length (to [`truncate`](Self::truncate) to).
    fn push(&mut self, seg: &str) -> Result<usize, Error> {
        let old = self.begin()?;
        self.0.push_str(seg).map_err(|()| name_too_long())?;
        Ok(old)
    }

    /// Appends a segment given as characters; returns the old length.
    fn push_chars(&mut self, seg: impl Iterator<Item = char>) -> Result<usize, Error> {
        let old = self.begin()?;
        for c in seg {
            self.0.push(c).map_err(|()| name_too_long())?;
        }
        Ok(old)
    }

    fn push_index(&mut self, i: usize) -> Result<usize, Error> {
        let mut d = [0u8; 20];
        let digits = encode::decimal(i as u64, &mut d);
        // `decimal` writes ASCII digits only.
        let digits = core::str::from_utf8(digits).map_err(|_| name_too_long())?;
        self.push(digits)
    }

    /// Back to an earlier length (always one [`push`](Self::push) returned).
    fn truncate(&mut self, len: usize) {
        if self.0.is_char_boundary(len) {
            self.0.truncate(len);
        }
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;
    use std::format;

    fn flat<'a>(
        json: &'a [u8],
        arena: &'a mut [u8],
    ) -> Result<heapless::Vec<(&'a str, &'a str), 4>, Error> {
        let mut pairs = heapless::Vec::new();
        flatten_json(json, arena, &mut pairs)?;
        Ok(pairs)
    }

    #[test]
    fn names_up_to_the_limit_and_not_one_byte_more() {
        let too_long = Error::new(Field::ParamName, Reason::TooLong);
        // "A." + 254 bytes = 256: fits exactly
        let seg = "b".repeat(MAX_NAME_LEN - 2);
        let json = format!(r#"{{"A":{{"{seg}":1}}}}"#);
        let mut arena = [0u8; 512];
        let pairs = flat(json.as_bytes(), &mut arena).unwrap();
        assert_eq!(pairs.len(), 1);
        assert_eq!(pairs[0].0.len(), MAX_NAME_LEN);
        assert_eq!(pairs[0].1, "1");
        // one more byte: refused, never cut
        let json = format!(r#"{{"A":{{"{seg}b":1}}}}"#);
        let mut arena = [0u8; 512];
        assert_eq!(flat(json.as_bytes(), &mut arena).unwrap_err(), too_long);
        // the same through an escaped key (`\u0062` is `b`) and through an array index
        let json = format!(r#"{{"A":{{"{seg}\u0062":1}}}}"#);
        let mut arena = [0u8; 512];
        assert_eq!(flat(json.as_bytes(), &mut arena).unwrap_err(), too_long);
        let seg = "b".repeat(MAX_NAME_LEN - 1);
        let json = format!(r#"{{"{seg}":[1]}}"#);
        let mut arena = [0u8; 512];
        assert_eq!(flat(json.as_bytes(), &mut arena).unwrap_err(), too_long);
    }

    #[test]
    fn path_restores_after_each_member() {
        let json = br#"{"A":{"B":[{"C":1},{"D":"\u00e9"}]},"E":true}"#;
        let mut arena = [0u8; 128];
        let pairs = flat(json, &mut arena).unwrap();
        assert_eq!(
            pairs.as_slice(),
            [("A.B.0.C", "1"), ("A.B.1.D", "é"), ("E", "true")]
        );
    }
}
