//! Writing success and error envelopes (for gateways and mocks): `write_*` streams into a
//! [`Sink`], `write_*_into` writes into a caller buffer.
//!
//! ```
//! let mut buf = [0u8; 256];
//! let out = tc3::envelope::write_error_into(
//!     "AuthFailure.SignatureFailure",
//!     "bad \"sig\"",
//!     "r-1",
//!     &mut buf,
//! )
//! .unwrap();
//! assert_eq!(
//!     out,
//!     br#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad \"sig\""},"RequestId":"r-1"}}"#
//! );
//! let env = tc3::envelope::parse(out).unwrap();
//! assert!(env.error.unwrap().message.unwrap().eq_str("bad \"sig\""));
//! ```

use crate::encode::{BufWriter, Sink};
use crate::Error;

/// The lowercase hex digit of a nibble (`n < 16`).
const fn hex_digit(n: u8) -> u8 {
    if n < 10 {
        b'0' + n
    } else {
        b'a' + (n - 10)
    }
}

/// Write `s` as a JSON string (with quotes): `"` `\` and control characters escaped
/// (`\n`, `\r`, `\t`, `\b`, `\f`, otherwise `\u00XX`); everything else verbatim UTF-8.
pub(crate) fn write_json_string<S: Sink + ?Sized>(s: &str, out: &mut S) {
    out.put(b"\"");
    let b = s.as_bytes();
    let mut run = 0;
    for (i, &c) in b.iter().enumerate() {
        let esc: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            _ => continue,
        };
        out.put(b.get(run..i).unwrap_or_default());
        if esc.is_empty() {
            let u = [
                b'\\',
                b'u',
                b'0',
                b'0',
                hex_digit(c >> 4),
                hex_digit(c & 15),
            ];
            out.put(&u);
        } else {
            out.put(esc);
        }
        run = i + 1;
    }
    out.put(b.get(run..).unwrap_or_default());
    out.put(b"\"");
}

/// Stream `{"Response":{"RequestId":"…"}}` into any [`Sink`].
pub fn write_success<S: Sink + ?Sized>(request_id: &str, out: &mut S) {
    out.put(b"{\"Response\":{\"RequestId\":");
    write_json_string(request_id, out);
    out.put(b"}}");
}

/// Write `{"Response":{"RequestId":"…"}}` into `buf`.
///
/// A buffer that is too small is [`Error::capacity`], never a truncated document.
///
/// ```
/// let mut buf = [0u8; 64];
/// let out = tc3::envelope::write_success_into("r-1", &mut buf)?;
/// assert_eq!(out, br#"{"Response":{"RequestId":"r-1"}}"#);
/// # Ok::<(), tc3::Error>(())
/// ```
pub fn write_success_into<'o>(request_id: &str, buf: &'o mut [u8]) -> Result<&'o [u8], Error> {
    let mut w = BufWriter::new(buf);
    write_success(request_id, &mut w);
    w.finish()
}

/// Write `{"Response":{"Error":{"Code":…,"Message":…},"RequestId":…}}` into `buf`.
///
/// A buffer that is too small is [`Error::capacity`], never a truncated document.
pub fn write_error_into<'o>(
    code: &str,
    message: &str,
    request_id: &str,
    buf: &'o mut [u8],
) -> Result<&'o [u8], Error> {
    let mut w = BufWriter::new(buf);
    write_error(code, message, request_id, &mut w);
    w.finish()
}

/// Stream an error envelope into any [`Sink`] (e.g. a `Vec<u8>`).
pub fn write_error<S: Sink + ?Sized>(code: &str, message: &str, request_id: &str, out: &mut S) {
    out.put(b"{\"Response\":{\"Error\":{\"Code\":");
    write_json_string(code, out);
    out.put(b",\"Message\":");
    write_json_string(message, out);
    out.put(b"},\"RequestId\":");
    write_json_string(request_id, out);
    out.put(b"}}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_capacity() {
        let mut buf = [0u8; 64];
        let out = write_success_into("a\"\\\n\u{1}é", &mut buf).unwrap();
        assert_eq!(
            out,
            "{\"Response\":{\"RequestId\":\"a\\\"\\\\\\n\\u0001é\"}}".as_bytes()
        );
        let mut small = [0u8; 10];
        assert_eq!(write_success_into("x", &mut small), Err(Error::capacity()));
    }
}
