//! Writing success and error envelopes (for gateways and mocks) into any [`Sink`]: a
//! `Vec<u8>`, or a [`BufWriter`](crate::BufWriter) over a caller buffer.
//!
//! ```
//! let mut buf = [0u8; 256];
//! let mut w = tc3::BufWriter::new(&mut buf);
//! tc3::envelope::write_error("AuthFailure.SignatureFailure", "bad \"sig\"", "r-1", &mut w);
//! let out = w.finish().unwrap();
//! assert_eq!(
//!     out,
//!     br#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad \"sig\""},"RequestId":"r-1"}}"#
//! );
//! let env = tc3::envelope::parse(out).unwrap();
//! assert!(env.error.unwrap().message.unwrap().eq_str("bad \"sig\""));
//! ```

use crate::encode::Sink;

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

/// Stream `{"Response":{"RequestId":"…"}}` into any [`Sink`]. Into a caller buffer: a
/// [`BufWriter`](crate::BufWriter), whose `finish` is [`Error::capacity`](crate::Error::capacity) when the
/// document did not fit, never a truncated document.
///
/// ```
/// let mut buf = [0u8; 64];
/// let mut w = tc3::BufWriter::new(&mut buf);
/// tc3::envelope::write_success("r-1", &mut w);
/// assert_eq!(w.finish()?, br#"{"Response":{"RequestId":"r-1"}}"#);
/// # Ok::<(), tc3::Error>(())
/// ```
pub fn write_success<S: Sink + ?Sized>(request_id: &str, out: &mut S) {
    out.put(b"{\"Response\":{\"RequestId\":");
    write_json_string(request_id, out);
    out.put(b"}}");
}

/// Stream `{"Response":{"Error":{"Code":…,"Message":…},"RequestId":…}}` into any [`Sink`]:
/// a `Vec<u8>`, or a [`BufWriter`](crate::BufWriter) over a caller buffer.
///
/// ```
/// let mut buf = [0u8; 256];
/// let mut w = tc3::BufWriter::new(&mut buf);
/// tc3::envelope::write_error("AuthFailure.SignatureFailure", "bad \"sig\"", "r-1", &mut w);
/// let out = w.finish()?;
/// assert_eq!(
///     out,
///     br#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad \"sig\""},"RequestId":"r-1"}}"#
/// );
/// # Ok::<(), tc3::Error>(())
/// ```
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
    use crate::encode::BufWriter;
    use crate::Error;

    #[test]
    fn escapes_and_capacity() {
        let mut buf = [0u8; 64];
        let mut w = BufWriter::new(&mut buf);
        write_success("a\"\\\n\u{1}é", &mut w);
        let out = w.finish().unwrap();
        assert_eq!(
            out,
            "{\"Response\":{\"RequestId\":\"a\\\"\\\\\\n\\u0001é\"}}".as_bytes()
        );
        let mut small = [0u8; 10];
        let mut w = BufWriter::new(&mut small);
        write_success("x", &mut w);
        assert_eq!(w.finish(), Err(Error::capacity()));
    }
}
