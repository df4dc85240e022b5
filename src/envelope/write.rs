//! Writing success and error envelopes into caller buffers (for gateways and mocks).
//!
//! ```
//! let mut buf = [0u8; 256];
//! let out = tc3::envelope::write_error(
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

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Write `s` as a JSON string (with quotes): `"` `\` and control characters escaped
/// (`\n`, `\r`, `\t`, `\b`, `\f`, otherwise `\u00XX`); everything else verbatim UTF-8.
pub fn write_json_string<S: Sink + ?Sized>(s: &str, out: &mut S) {
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
                HEX[usize::from(c >> 4)],
                HEX[usize::from(c & 15)],
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

/// Write `{"Response":{"RequestId":"…"}}` into `buf`.
///
/// A buffer that is too small is [`Error::capacity`], never a truncated document.
pub fn write_success<'o>(request_id: &str, buf: &'o mut [u8]) -> Result<&'o [u8], Error> {
    let mut w = BufWriter::new(buf);
    w.put(b"{\"Response\":{\"RequestId\":");
    write_json_string(request_id, &mut w);
    w.put(b"}}");
    w.finish()
}

/// Write `{"Response":{"Error":{"Code":…,"Message":…},"RequestId":…}}` into `buf`.
///
/// A buffer that is too small is [`Error::capacity`], never a truncated document.
pub fn write_error<'o>(
    code: &str,
    message: &str,
    request_id: &str,
    buf: &'o mut [u8],
) -> Result<&'o [u8], Error> {
    let mut w = BufWriter::new(buf);
    write_error_to(code, message, request_id, &mut w);
    w.finish()
}

/// Stream an error envelope into any [`Sink`] (e.g. a `Vec<u8>` or a
/// [`Counter`](crate::encode::Counter) to size a buffer first).
pub fn write_error_to<S: Sink + ?Sized>(code: &str, message: &str, request_id: &str, out: &mut S) {
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
        let out = write_success("a\"\\\n\u{1}é", &mut buf).unwrap();
        assert_eq!(
            out,
            "{\"Response\":{\"RequestId\":\"a\\\"\\\\\\n\\u0001é\"}}".as_bytes()
        );
        let mut small = [0u8; 10];
        assert_eq!(write_success("x", &mut small), Err(Error::capacity()));
    }
}
