//! `multipart/form-data` and `application/octet-stream` request bodies (TC3 POST only).
//!
//! Both the body and the boundary are signed: the boundary travels inside the signed
//! `Content-Type` value and the body is hashed into `HashedRequestPayload`. This module writes
//! the body exactly as the official SDKs do (docs/protocol-signing.md §1.4), without allocating,
//! streamed into any [`Sink`] ([`Multipart::write`]): a [`BufWriter`](crate::BufWriter) over a caller buffer, a
//! `Vec<u8>`, or straight into a `sha2::Sha256` so a large upload is hashed without being
//! materialised twice.
//!
//! ```
//! use tc3::multipart::{Boundary, Layout, Multipart, Part};
//!
//! // Pin the boundary (use `Boundary::from_random` with 16 random bytes in real code).
//! let boundary = Boundary::new("0123456789abcdef0123456789abcdef")?;
//! let form = Multipart::new(Layout::Python, &boundary);
//! let parts = [
//!     Part::Text { name: "Name", value: "a.png" },
//!     Part::File { name: "File", data: b"\x89PNG\r\n" },
//!     Part::Json { name: "Tags", json: r#"["x", "y"]"# },
//! ];
//! let mut buf = [0u8; 512];
//! let mut w = tc3::BufWriter::new(&mut buf);
//! form.write(&parts, &mut w)?;
//! let body = w.finish()?;
//! assert!(body.starts_with(b"--0123456789abcdef0123456789abcdef\r\n"));
//! assert!(body.ends_with(b"--0123456789abcdef0123456789abcdef--\r\n"));
//! assert_eq!(
//!     form.content_type().as_str(),
//!     "multipart/form-data; boundary=0123456789abcdef0123456789abcdef"
//! );
//! // The digest that goes into the canonical request, without a second buffer:
//! let digest = form.payload_sha256(&parts)?;
//! # let _ = digest;
//! # Ok::<(), tc3::Error>(())
//! ```
//!
//! # Octet-stream uploads
//!
//! An `application/octet-stream` request (Python/PHP `call_octet_stream`, Go's generated
//! octet requests, Java `callOctetStream`, Node `requestOctetStream`) sends the raw file bytes
//! as the body; hash them like any other body. The per-API parameters travel as extra,
//! *unsigned* headers which the caller chooses; Go's generated code turns every request field
//! `F` of service `s` into `X-<S-UPPER>-<F>` ([`HeaderName::param`]). The signed `Content-Type` is
//! `application/octet-stream` (Python, Go, PHP, C++) or
//! `application/octet-stream; charset=utf-8` (Java, Node):
//! [`Layout::octet_stream_content_type`].

use crate::encode::{check_header_value, Counter, Sink};
use crate::error::{Error, Field, Reason};
use core::fmt;

/// The longest boundary RFC 2046 allows.
const MAX_BOUNDARY_LEN: usize = 70;

/// The signed `Content-Type` of an octet-stream upload in Python, Go, PHP and C++.
const OCTET_STREAM: &str = "application/octet-stream";
/// The signed `Content-Type` of an octet-stream upload in Java and Node.
const OCTET_STREAM_UTF8: &str = "application/octet-stream; charset=utf-8";

/// Which SDK's byte layout to reproduce. Servers accept any well-formed body (the signature
/// covers whatever bytes are sent); the layouts exist so an SDK's requests can be rebuilt
/// byte for byte.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Layout {
    /// Python `_get_multipart_body` and PHP `getMultipartPayload`: files get
    /// `; filename="<name>"`, JSON parts get `Content-Type: application/json`; an empty
    /// form is an empty body. Content-Type `multipart/form-data; boundary=<B>`.
    #[default]
    Python,
    /// Java `getMultipartPayload`: the Python layout without the JSON part header (JSON
    /// values are written as plain parts). Content-Type
    /// `multipart/form-data; charset=utf-8; boundary=<B>`. An empty form is an empty body
    /// (inference from the Java source: the closing delimiter is written only after a part).
    Java,
    /// Node (`form-data` package, as hashed by `Sign.sign3`): no `filename`, files get
    /// `Content-Type: application/octet-stream`, JSON values are written as plain parts (the
    /// Node SDK only handles strings and Buffers); an empty form is `--B--\r\n`.
    /// Content-Type `multipart/form-data; boundary=<B>`.
    Node,
}

impl Layout {
    /// The signed `Content-Type` of an octet-stream upload (the body sent as is, the API's
    /// parameters in headers: [`HeaderName::param`]) in this SDK's flavour:
    /// `application/octet-stream` for Python (and Go, PHP, C++, which have no multipart
    /// layout of their own here), `application/octet-stream; charset=utf-8` for Java and Node.
    ///
    /// ```
    /// use tc3::multipart::Layout;
    /// assert_eq!(Layout::Python.octet_stream_content_type(), "application/octet-stream");
    /// assert_eq!(
    ///     Layout::Node.octet_stream_content_type(),
    ///     "application/octet-stream; charset=utf-8"
    /// );
    /// ```
    pub const fn octet_stream_content_type(self) -> &'static str {
        match self {
            Layout::Python => OCTET_STREAM,
            Layout::Java | Layout::Node => OCTET_STREAM_UTF8,
        }
    }
}

/// A checked multipart boundary, stored inline (no allocation).
///
/// 1–70 characters from the RFC 2046 `bchars` that need no quoting in a `Content-Type`
/// parameter: ASCII letters and digits and `'`, `+`, `_`, `-`, `.`. The other `bchars`
/// (space `(` `)` `,` `/` `:` `=` `?`) are refused because no SDK quotes the parameter, so the
/// header would be malformed.
///
/// Prefer lowercase: the SDKs sign the Content-Type value as sent while the API docs tell the
/// server to lowercase header values before hashing; every SDK's generated boundary is
/// lowercase, so lowercase makes both rules give the same bytes. [`Boundary::from_random`]
/// produces lowercase hex.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Boundary(heapless::String<MAX_BOUNDARY_LEN>);

impl Boundary {
    /// The longest boundary RFC 2046 allows.
    pub const MAX_LEN: usize = MAX_BOUNDARY_LEN;

    /// Checks and copies a boundary. Errors are about [`Field::ContentType`]:
    /// [`Reason::Empty`], [`Reason::TooLong`] (over 70), [`Reason::ControlChar`] (CR, LF, ...),
    /// [`Reason::NonAscii`], [`Reason::Reserved`] (a character outside the set above).
    pub fn new(boundary: &str) -> Result<Self, Error> {
        let b = boundary.as_bytes();
        if b.is_empty() {
            return Err(Error::new(Field::ContentType, Reason::Empty));
        }
        if b.len() > MAX_BOUNDARY_LEN {
            return Err(Error::new(Field::ContentType, Reason::TooLong));
        }
        for &c in b {
            let reason = match c {
                b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'\'' | b'+' | b'_' | b'-' | b'.' => {
                    continue
                }
                0..=0x1f | 0x7f => Reason::ControlChar,
                0x80..=0xff => Reason::NonAscii,
                _ => Reason::Reserved,
            };
            return Err(Error::new(Field::ContentType, reason));
        }
        heapless::String::try_from(boundary)
            .map(Boundary)
            .map_err(|()| Error::new(Field::ContentType, Reason::TooLong))
    }

    /// A boundary of lowercase hex digits from caller-supplied random bytes (1–35 bytes; 16
    /// gives the 32-digit shape of Python's `uuid4().hex`). This crate has no RNG: take the
    /// bytes from `getrandom`, a hardware RNG, etc. Errors: [`Reason::Empty`] or
    /// [`Reason::TooLong`] on [`Field::ContentType`].
    pub fn from_random(random: &[u8]) -> Result<Self, Error> {
        if random.is_empty() {
            return Err(Error::new(Field::ContentType, Reason::Empty));
        }
        if random.len() * 2 > MAX_BOUNDARY_LEN {
            return Err(Error::new(Field::ContentType, Reason::TooLong));
        }
        let hex = |n: u8| char::from(if n < 10 { b'0' + n } else { b'a' + (n - 10) });
        let mut text = heapless::String::new();
        for &r in random {
            text.push(hex(r >> 4))
                .and_then(|()| text.push(hex(r & 0x0f)))
                .map_err(|()| Error::new(Field::ContentType, Reason::TooLong))?;
        }
        Ok(Boundary(text))
    }

    /// The boundary text (without the leading `--`).
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Boundary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Boundary").field(&self.as_str()).finish()
    }
}

impl fmt::Display for Boundary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Capacity of [`Multipart::content_type`]: the Java prefix (45 bytes) plus a 70-byte
/// boundary fits.
const MAX_CONTENT_TYPE_LEN: usize = 128;

/// One form field.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Part<'a> {
    /// A text value, written as is (Python writes `str(value)`; numbers and booleans are the
    /// caller's to format).
    Text {
        /// The field name.
        name: &'a str,
        /// The value.
        value: &'a str,
    },
    /// A list or object value, already JSON-encoded by the caller. For Python byte-exactness
    /// use `json.dumps` formatting (`", "` and `": "` separators, `\uXXXX` escapes); PHP
    /// uses compact `json_encode` output.
    Json {
        /// The field name.
        name: &'a str,
        /// The JSON text.
        json: &'a str,
    },
    /// A binary parameter (the SDKs' `BinaryParams`), e.g. file contents.
    File {
        /// The field name (Python, PHP and Java also use it as the `filename`).
        name: &'a str,
        /// The bytes.
        data: &'a [u8],
    },
}

impl<'a> Part<'a> {
    /// The field name.
    pub fn name(&self) -> &'a str {
        match *self {
            Part::Text { name, .. } | Part::Json { name, .. } | Part::File { name, .. } => name,
        }
    }

    /// The value bytes.
    pub fn value(&self) -> &'a [u8] {
        match *self {
            Part::Text { value, .. } => value.as_bytes(),
            Part::Json { json, .. } => json.as_bytes(),
            Part::File { data, .. } => data,
        }
    }
}

/// A `multipart/form-data` body writer: a layout and a boundary.
#[derive(Copy, Clone, Debug)]
pub struct Multipart<'b> {
    layout: Layout,
    boundary: &'b Boundary,
}

impl<'b> Multipart<'b> {
    /// A writer for `layout` with `boundary`.
    pub fn new(layout: Layout, boundary: &'b Boundary) -> Self {
        Multipart { layout, boundary }
    }

    /// The layout.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The boundary.
    pub fn boundary(&self) -> &'b Boundary {
        self.boundary
    }

    /// The `Content-Type` value to send and sign, e.g.
    /// `multipart/form-data; boundary=0123456789abcdef0123456789abcdef` (at most 128 bytes:
    /// the Java prefix, 45 bytes, and a 70-byte boundary). Send exactly this value and sign
    /// exactly this value.
    pub fn content_type(&self) -> heapless::String<MAX_CONTENT_TYPE_LEN> {
        let prefix = match self.layout {
            Layout::Java => "multipart/form-data; charset=utf-8; boundary=",
            Layout::Python | Layout::Node => "multipart/form-data; boundary=",
        };
        let mut ct = heapless::String::new();
        // prefix ≤ 45 and boundary ≤ 70 bytes: both always fit in 128 (pushing cannot fail).
        let _ = ct.push_str(prefix);
        let _ = ct.push_str(self.boundary.as_str());
        ct
    }

    /// Checks every part without writing anything.
    ///
    /// * Names: [`Field::ParamName`] with [`Reason::Empty`], [`Reason::Reserved`] for `"`
    ///   (it would end the quoted `name="…"`), [`Reason::ControlChar`] for CR, LF, NUL and
    ///   other controls (header injection inside the part).
    /// * Values: [`Field::ParamValue`] with [`Reason::Reserved`] if a value contains the
    ///   delimiter `\r\n--<boundary>`, its LF-only form `\n--<boundary>` (which a lenient
    ///   receiver splits on), or starts with `--<boundary>` (it follows a CRLF): a
    ///   receiver would end the part there, so a value could inject fields. With a random
    ///   boundary this does not happen by chance.
    pub fn check(&self, parts: &[Part<'_>]) -> Result<(), Error> {
        for part in parts {
            check_name(part.name())?;
            if contains_delimiter(part.value(), self.boundary.as_bytes()) {
                return Err(Error::new(Field::ParamValue, Reason::Reserved));
            }
        }
        Ok(())
    }

    /// Checks `parts` ([`check`](Self::check)), then streams the body into `sink`. Nothing
    /// is written if a check fails. Into a caller buffer: a [`BufWriter`](crate::BufWriter), whose `finish`
    /// is [`Error::capacity`] when the body did not fit (see the [module example](self)).
    pub fn write<S: Sink + ?Sized>(&self, parts: &[Part<'_>], sink: &mut S) -> Result<(), Error> {
        self.check(parts)?;
        self.emit(parts, sink);
        Ok(())
    }

    /// The exact body length (for `Content-Length` or sizing a buffer).
    pub fn encoded_len(&self, parts: &[Part<'_>]) -> Result<usize, Error> {
        let mut c = Counter::default();
        self.write(parts, &mut c)?;
        Ok(c.0)
    }

    /// SHA-256 of the body, computed by streaming: sign it as
    /// [`Payload::Sha256`](crate::v3::Payload::Sha256).
    pub fn payload_sha256(&self, parts: &[Part<'_>]) -> Result<[u8; 32], Error> {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        self.write(parts, &mut h)?;
        Ok(h.finalize().into())
    }

    fn emit<S: Sink + ?Sized>(&self, parts: &[Part<'_>], sink: &mut S) {
        let b = self.boundary.as_bytes();
        for part in parts {
            sink.put(b"--");
            sink.put(b);
            sink.put(b"\r\nContent-Disposition: form-data; name=\"");
            sink.put(part.name().as_bytes());
            match (self.layout, part) {
                (Layout::Python | Layout::Java, Part::File { name, .. }) => {
                    sink.put(b"\"; filename=\"");
                    sink.put(name.as_bytes());
                    sink.put(b"\"\r\n");
                }
                (Layout::Python, Part::Json { .. }) => {
                    sink.put(b"\"\r\nContent-Type: application/json\r\n");
                }
                (Layout::Node, Part::File { .. }) => {
                    sink.put(b"\"\r\nContent-Type: application/octet-stream\r\n");
                }
                _ => sink.put(b"\"\r\n"),
            }
            sink.put(b"\r\n");
            sink.put(part.value());
            sink.put(b"\r\n");
        }
        if !parts.is_empty() || self.layout == Layout::Node {
            sink.put(b"--");
            sink.put(b);
            sink.put(b"--\r\n");
        }
    }
}

fn check_name(name: &str) -> Result<(), Error> {
    if name.is_empty() {
        return Err(Error::new(Field::ParamName, Reason::Empty));
    }
    for &c in name.as_bytes() {
        match c {
            b'"' => return Err(Error::new(Field::ParamName, Reason::Reserved)),
            0..=0x1f | 0x7f => return Err(Error::new(Field::ParamName, Reason::ControlChar)),
            _ => {}
        }
    }
    Ok(())
}

/// Whether `value` would produce the delimiter `\r\n--<boundary>` in the body: inside it, or
/// at its very start, because every value follows a CRLF (the blank line ending the part
/// headers), so a value starting with `--<boundary>` completes a delimiter there (found by
/// the `multipart` fuzz target). The delimiter starts with CR and a checked boundary has no
/// CR, so it cannot overlap itself: a value free of both cannot form one together with the
/// `\r\n--B` that follows it.
fn contains_delimiter(value: &[u8], boundary: &[u8]) -> bool {
    if value.starts_with(b"--") && value.get(2..).is_some_and(|v| v.starts_with(boundary)) {
        return true;
    }
    // `\n--<boundary>` covers the CRLF delimiter and the LF-only one a lenient receiver
    // splits on.
    let need = boundary.len() + 3;
    if value.len() < need {
        return false;
    }
    let mut i = 0;
    while let Some(rest) = value.get(i..) {
        let Some(pos) = rest.iter().position(|&c| c == b'\n') else {
            return false;
        };
        let at = i + pos;
        match value.get(at..at + need) {
            None => return false,
            Some(w) => {
                if w.get(..3) == Some(b"\n--") && w.get(3..) == Some(boundary) {
                    return true;
                }
            }
        }
        i = at + 1;
    }
    false
}

/// Capacity of [`HeaderName`].
const MAX_HEADER_NAME_LEN: usize = 128;

/// An octet-stream parameter header name in a fixed buffer, e.g. `X-OCR-ImageName`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct HeaderName(heapless::String<MAX_HEADER_NAME_LEN>);

impl HeaderName {
    /// One per-API parameter of an octet-stream request as a header, Go's way:
    /// `X-<SERVICE-UPPER>-<Field>` and the value unchanged. Returns the name and the checked
    /// value. These headers are not signed (SignedHeaders stays `content-type;host`).
    ///
    /// * `service`: ASCII letters and digits (e.g. `ocr`), uppercased in the name
    ///   ([`Field::Service`] errors).
    /// * `field`: an HTTP token (letters, digits, ``!#$%&'*+-.^_`|~``), kept as is
    ///   ([`Field::HeaderName`] errors); the name must fit in 128 bytes.
    /// * `value`: visible ASCII, space and tab only ([`Field::HeaderValue`] errors): CR/LF would
    ///   inject headers and non-ASCII does not travel reliably; encode such values first.
    ///
    /// ```
    /// let (name, value) = tc3::multipart::HeaderName::param("ocr", "ImageName", "a.png")?;
    /// assert_eq!(name.as_str(), "X-OCR-ImageName");
    /// assert_eq!(value, "a.png");
    /// # Ok::<(), tc3::Error>(())
    /// ```
    pub fn param<'v>(
        service: &str,
        field: &str,
        value: &'v str,
    ) -> Result<(HeaderName, &'v str), Error> {
        param_header(service, field, value)
    }

    /// The capacity.
    pub const MAX_LEN: usize = MAX_HEADER_NAME_LEN;

    /// The header name.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Debug for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("HeaderName").field(&self.as_str()).finish()
    }
}

impl fmt::Display for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// [`HeaderName::param`].
fn param_header<'v>(
    service: &str,
    field: &str,
    value: &'v str,
) -> Result<(HeaderName, &'v str), Error> {
    if service.is_empty() {
        return Err(Error::new(Field::Service, Reason::Empty));
    }
    for &c in service.as_bytes() {
        if !c.is_ascii_alphanumeric() {
            return Err(Error::new(Field::Service, Reason::Malformed));
        }
    }
    if field.is_empty() {
        return Err(Error::new(Field::HeaderName, Reason::Empty));
    }
    for &c in field.as_bytes() {
        let ok = c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c);
        if !ok {
            let reason = match c {
                0..=0x1f | 0x7f => Reason::ControlChar,
                0x80..=0xff => Reason::NonAscii,
                _ => Reason::Reserved,
            };
            return Err(Error::new(Field::HeaderName, reason));
        }
    }
    check_header_value(Field::HeaderValue, value)?;
    let too_long = |()| Error::new(Field::HeaderName, Reason::TooLong);
    let mut name = heapless::String::new();
    name.push_str("X-").map_err(too_long)?;
    for c in service.chars() {
        name.push(c.to_ascii_uppercase()).map_err(too_long)?;
    }
    name.push('-').map_err(too_long)?;
    name.push_str(field).map_err(too_long)?;
    Ok((HeaderName(name), value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_search() {
        assert!(contains_delimiter(b"ab\r\n--xyz", b"xyz"));
        assert!(contains_delimiter(b"\r\r\n--xyzq", b"xyz"));
        assert!(!contains_delimiter(b"ab\r\n--xy", b"xyz"));
        assert!(contains_delimiter(b"--xyz", b"xyz"));
        assert!(contains_delimiter(b"--xyz--", b"xyz"));
        assert!(!contains_delimiter(b"--xy", b"xyz"));
        assert!(!contains_delimiter(b"a--xyz", b"xyz"));
        assert!(!contains_delimiter(b"\r\n-xyz\r", b"xyz"));
    }
}
