//! The canonical request and the string to sign of TC3-HMAC-SHA256
//! (`docs/protocol-signing.md` §1.1), written into any [`Sink`].
//!
//! This is the one place these texts are produced. The signing path points the writers at a
//! SHA-256 / HMAC state, `explain`-style tools point them at a text buffer: what is shown is
//! by construction what is hashed. Nothing here allocates; lowercasing streams through a small
//! stack buffer.

use crate::encode::{decimal, Sink};
use crate::time::Date;

/// One signed header as it enters the canonical request.
///
/// The name is written lowercased (ASCII). The value is always trimmed of ASCII whitespace,
/// and ASCII-lowercased too when `fold` is set (the documented rule for extra signed
/// headers; `content-type` and `host` are signed exactly as sent, `fold: false`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct HeaderEntry<'a> {
    /// Header name, any case; written lowercased.
    pub name: &'a str,
    /// Header value as sent; written trimmed (and lowercased when `fold`).
    pub value: &'a str,
    /// Lowercase the value (doc rule for extra signed headers).
    pub fold: bool,
}

/// Writes `bytes` ASCII-lowercased, through a 64-byte stack buffer.
pub(crate) fn put_lower<S: Sink + ?Sized>(bytes: &[u8], out: &mut S) {
    if !bytes.iter().any(u8::is_ascii_uppercase) {
        out.put(bytes);
        return;
    }
    let mut buf = [0u8; 64];
    for chunk in bytes.chunks(buf.len()) {
        #[allow(clippy::indexing_slicing)] // chunks of buf.len() bytes at most
        let dst = &mut buf[..chunk.len()];
        dst.copy_from_slice(chunk);
        dst.make_ascii_lowercase();
        out.put(dst);
    }
}

/// Writes the header lines `name:value\n` for every entry, in the order given (the caller
/// sorts by lowercased name).
pub(crate) fn write_canonical_headers<S: Sink + ?Sized>(headers: &[HeaderEntry<'_>], out: &mut S) {
    for h in headers {
        put_lower(h.name.as_bytes(), out);
        out.put(b":");
        let v = h.value.trim_ascii().as_bytes();
        if h.fold {
            put_lower(v, out);
        } else {
            out.put(v);
        }
        out.put(b"\n");
    }
}

/// Writes the SignedHeaders list: the lowercased names joined with `;` (`content-type;host`).
pub(crate) fn write_signed_headers<S: Sink + ?Sized>(headers: &[HeaderEntry<'_>], out: &mut S) {
    for (i, h) in headers.iter().enumerate() {
        if i > 0 {
            out.put(b";");
        }
        put_lower(h.name.as_bytes(), out);
    }
}

/// Writes the first two lines of the canonical request: `METHOD\nURI\n`.
pub(crate) fn write_canonical_head<S: Sink + ?Sized>(method: &str, uri: &str, out: &mut S) {
    out.put(method.as_bytes());
    out.put(b"\n");
    out.put(uri.as_bytes());
    out.put(b"\n");
}

/// Writes the part of the canonical request between the query line and the payload hash:
/// `<header lines>\nSIGNEDHEADERS\n`.
pub(crate) fn write_canonical_header_block<S: Sink + ?Sized>(
    headers: &[HeaderEntry<'_>],
    out: &mut S,
) {
    write_canonical_headers(headers, out);
    out.put(b"\n");
    write_signed_headers(headers, out);
    out.put(b"\n");
}

/// Writes the canonical request up to (not including) the hashed payload:
/// `METHOD\nURI\nQUERY\n<header lines>\nSIGNEDHEADERS\n`. This is the constant part a
/// [`Template`](super::Template) hashes once.
pub(crate) fn write_canonical_prefix<S: Sink + ?Sized>(
    method: &str,
    uri: &str,
    query: &str,
    headers: &[HeaderEntry<'_>],
    out: &mut S,
) {
    write_canonical_head(method, uri, out);
    out.put(query.as_bytes());
    out.put(b"\n");
    write_canonical_header_block(headers, out);
}

/// Writes the canonical request:
/// `METHOD\nURI\nQUERY\n<header lines>\nSIGNEDHEADERS\nHASHEDPAYLOAD` (no trailing newline).
///
/// `method`, `uri` and `query` are written as given; `headers` must already be sorted by
/// lowercased name.
pub(crate) fn write_canonical_request<S: Sink + ?Sized>(
    method: &str,
    uri: &str,
    query: &str,
    headers: &[HeaderEntry<'_>],
    hashed_payload_hex: &[u8; 64],
    out: &mut S,
) {
    write_canonical_prefix(method, uri, query, headers, out);
    out.put(hashed_payload_hex);
}

/// [`write_canonical_request`] for the headers every SDK signs, `content-type` and `host`
/// (values as sent, trimmed; names already lowercase): the same bytes in fewer writes.
pub(crate) fn write_canonical_request_plain<S: Sink + ?Sized>(
    method: &str,
    uri: &str,
    query: &str,
    content_type: &str,
    host: &str,
    hashed_payload_hex: &[u8; 64],
    out: &mut S,
) {
    out.put(method.as_bytes());
    out.put(b"\n");
    out.put(uri.as_bytes());
    out.put(b"\n");
    out.put(query.as_bytes());
    out.put(b"\ncontent-type:");
    out.put(content_type.trim_ascii().as_bytes());
    out.put(b"\nhost:");
    out.put(host.trim_ascii().as_bytes());
    out.put(b"\n\ncontent-type;host\n");
    out.put(hashed_payload_hex);
}

/// Writes the credential scope `YYYY-MM-DD/service/tc3_request`.
pub(crate) fn write_scope<S: Sink + ?Sized>(date: Date, service: &str, out: &mut S) {
    out.put(&date.to_bytes());
    out.put(b"/");
    out.put(service.as_bytes());
    out.put(b"/tc3_request");
}

/// Writes the string to sign:
/// `TC3-HMAC-SHA256\nTIMESTAMP\nDATE/SERVICE/tc3_request\nHASHEDCANONICALREQUEST`.
pub(crate) fn write_string_to_sign<S: Sink + ?Sized>(
    timestamp: u64,
    date: Date,
    service: &str,
    hashed_canonical_request_hex: &[u8; 64],
    out: &mut S,
) {
    let mut digits = [0u8; 20];
    let digits = decimal(timestamp, &mut digits);
    write_string_to_sign_digits(digits, date, service, hashed_canonical_request_hex, out);
}

/// The longest string to sign: algorithm line, 20 timestamp digits, the scope with a service
/// of [`MAX_SERVICE_LEN`](super::MAX_SERVICE_LEN) bytes, the hash, and the line feeds.
pub(crate) const STRING_TO_SIGN_CAPACITY: usize =
    16 + 20 + 1 + 10 + 1 + super::MAX_SERVICE_LEN + 12 + 1 + 64;

/// [`write_string_to_sign`] with the timestamp already in decimal.
fn write_string_to_sign_digits<S: Sink + ?Sized>(
    timestamp_digits: &[u8],
    date: Date,
    service: &str,
    hashed_canonical_request_hex: &[u8; 64],
    out: &mut S,
) {
    out.put(b"TC3-HMAC-SHA256\n");
    out.put(timestamp_digits);
    out.put(b"\n");
    write_scope(date, service, out);
    out.put(b"\n");
    out.put(hashed_canonical_request_hex);
}

/// [`write_string_to_sign`] with the timestamp in decimal and the scope already written (the
/// signing path: the scope is the signing key's).
pub(crate) fn write_string_to_sign_scope<S: Sink + ?Sized>(
    timestamp_digits: &[u8],
    scope: &[u8],
    hashed_canonical_request_hex: &[u8; 64],
    out: &mut S,
) {
    out.put(b"TC3-HMAC-SHA256\n");
    out.put(timestamp_digits);
    out.put(b"\n");
    out.put(scope);
    out.put(b"\n");
    out.put(hashed_canonical_request_hex);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::BufWriter;

    #[test]
    fn plain_writer_equals_the_general_one() {
        for (ct, host, query) in [
            (
                "application/json; charset=utf-8",
                "cvm.tencentcloudapi.com",
                "",
            ),
            (
                " Application/JSON \t",
                "\tCVM.example.com:443 ",
                "Limit=1&Offset=0",
            ),
            ("", "", ""),
        ] {
            let headers = [
                HeaderEntry {
                    name: "content-type",
                    value: ct,
                    fold: false,
                },
                HeaderEntry {
                    name: "host",
                    value: host,
                    fold: false,
                },
            ];
            let (mut a, mut b) = ([0u8; 512], [0u8; 512]);
            let mut wa = BufWriter::new(&mut a);
            let mut wb = BufWriter::new(&mut b);
            let hex = [b'7'; 64];
            write_canonical_request("POST", "/x", query, &headers, &hex, &mut wa);
            write_canonical_request_plain("POST", "/x", query, ct, host, &hex, &mut wb);
            assert_eq!(wa.finish().unwrap(), wb.finish().unwrap());
        }
    }
}
