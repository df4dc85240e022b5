//! Byte sinks, form (`application/x-www-form-urlencoded`) encoding and decoding, and thin
//! wrappers over `base16ct` / `base64ct`.
//!
//! Every writer here is a [`Sink`]: the signing code streams the canonical request and the
//! string to sign into a sink, which is either a hash state (the signing path) or a
//! [`BufWriter`] (for `explain`-style debugging output). What is shown is therefore by
//! construction what is hashed.

use crate::error::{Error, Field, Reason};

/// Something bytes can be streamed into: a hash or MAC state, or a text buffer.
pub trait Sink {
    /// Appends `bytes`.
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for sha2::Sha256 {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        sha2::Digest::update(self, bytes);
    }
}

impl Sink for hmac::Hmac<sha2::Sha256> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        hmac::Mac::update(self, bytes);
    }
}

impl Sink for hmac::Hmac<sha1::Sha1> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        hmac::Mac::update(self, bytes);
    }
}

#[cfg(feature = "alloc")]
impl Sink for alloc::vec::Vec<u8> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// Counts the bytes written (to size a buffer before writing).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Counter(pub(crate) usize);

impl Sink for Counter {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.0 = self.0.saturating_add(bytes.len());
    }
}

impl<S: Sink + ?Sized> Sink for &mut S {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        (**self).put(bytes)
    }
}

/// A writer into a caller-supplied buffer. Writing past the end sets an overflow flag
/// instead of truncating silently: [`BufWriter::finish`] then reports
/// [`Reason::Capacity`].
#[derive(Debug)]
pub struct BufWriter<'a> {
    buf: &'a mut [u8],
    len: usize,
    overflow: bool,
}

impl<'a> BufWriter<'a> {
    /// A writer at the start of `buf`.
    pub fn new(buf: &'a mut [u8]) -> Self {
        BufWriter {
            buf,
            len: 0,
            overflow: false,
        }
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether a write did not fit.
    pub fn overflowed(&self) -> bool {
        self.overflow
    }

    /// The bytes written so far.
    pub fn written(&self) -> &[u8] {
        // `len` never exceeds the buffer's length.
        self.buf.get(..self.len).unwrap_or_default()
    }

    /// The written bytes, or a capacity error if anything did not fit.
    pub fn finish(self) -> Result<&'a [u8], Error> {
        if self.overflow {
            return Err(Error::capacity());
        }
        let BufWriter { buf, len, .. } = self;
        buf.get(..len).ok_or(Error::capacity())
    }

    /// Like [`finish`](Self::finish), as text. Only ASCII/UTF-8 writers call it.
    pub fn finish_str(self) -> Result<&'a str, Error> {
        let bytes = self.finish()?;
        core::str::from_utf8(bytes).map_err(|_| Error::new(Field::Output, Reason::Malformed))
    }
}

impl Sink for BufWriter<'_> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        if self.overflow {
            return;
        }
        let start = self.len;
        let Some(dst) = start
            .checked_add(bytes.len())
            .and_then(|end| self.buf.get_mut(start..end))
        else {
            self.overflow = true;
            return;
        };
        dst.copy_from_slice(bytes);
        self.len = start + bytes.len();
    }
}

/// Lowercase hex of a SHA-256 digest, into a fixed array.
#[inline]
pub(crate) fn hex32(digest: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    for (src, dst) in digest.chunks_exact(4).zip(out.chunks_exact_mut(8)) {
        let mut b = [0u8; 4];
        b.copy_from_slice(src);
        dst.copy_from_slice(&hex_word(u32::from_le_bytes(b)).to_le_bytes());
    }
    out
}

/// Four bytes (little-endian in `x`) as eight lowercase hex digits (little-endian in the
/// result), without branches or table look-ups (constant time, like `base16ct`): each byte
/// is spread over two, split into nibbles, and `'0'` or `'a' - 10` added.
#[inline(always)]
fn hex_word(x: u32) -> u64 {
    const NIB: u64 = 0x000F_000F_000F_000F;
    let x = u64::from(x);
    let s = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF;
    let s = (s | (s << 8)) & 0x00FF_00FF_00FF_00FF;
    let n = ((s >> 4) & NIB) | ((s & NIB) << 8);
    let letters = ((n + 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101;
    n + 0x3030_3030_3030_3030 + letters * 0x27
}

/// Decodes 64 lowercase hex digits into 32 bytes, the inverse of [`hex32`] (e.g. a payload
/// digest given as hex, for [`Payload::Sha256`](crate::v3::Payload::Sha256)). Uppercase is
/// refused: the protocol emits lowercase only.
pub(crate) fn unhex32(hex: &[u8]) -> Option<[u8; 32]> {
    if hex.len() != 64 {
        return None;
    }
    // eight digits per step (SWAR), branch-free like `base16ct`
    let mut out = [0u8; 32];
    let mut ok = H8;
    for (src, dst) in hex.chunks_exact(8).zip(out.chunks_exact_mut(4)) {
        let mut b = [0u8; 8];
        b.copy_from_slice(src);
        let w = u64::from_le_bytes(b);
        ok &= lower_hex_mask(w);
        dst.copy_from_slice(&unhex_word(w).to_le_bytes());
    }
    (ok == H8).then_some(out)
}

const L8: u64 = 0x0101_0101_0101_0101;
const H8: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `w` that is a lowercase hex digit (`0-9a-f`), exact for every
/// byte value.
#[inline(always)]
fn lower_hex_mask(w: u64) -> u64 {
    let ascii = !w & H8;
    let low7 = w & !H8;
    // high bit per byte: low7 >= c (no carry between bytes: low7 + 0x50 < 0x100)
    let ge = |c: u8| (low7 + L8 * (0x80 - u64::from(c))) & H8;
    ascii & ((ge(b'0') & !ge(b'9' + 1)) | (ge(b'a') & !ge(b'f' + 1)))
}

/// Eight hex digits (first digit in the low byte of `w`) as four bytes (first byte in the low
/// byte of the result). Only meaningful when every byte is a hex digit.
#[inline(always)]
fn unhex_word(w: u64) -> u32 {
    // digit: c & 15; letter (bit 6 set): (c & 15) + 9
    let n = (w & (L8 * 0x0f)) + 9 * ((w >> 6) & L8);
    let t = ((n << 4) | (n >> 8)) & 0x00ff_00ff_00ff_00ff;
    let t = (t | (t >> 8)) & 0x0000_ffff_0000_ffff;
    ((t | (t >> 16)) & 0xffff_ffff) as u32
}

/// Whether every byte of `v` is a lowercase hex digit, eight at a time.
pub(crate) fn all_lower_hex(v: &[u8]) -> bool {
    let mut chunks = v.chunks_exact(8);
    let mut ok = H8;
    for c in &mut chunks {
        let mut b = [0u8; 8];
        b.copy_from_slice(c);
        ok &= lower_hex_mask(u64::from_le_bytes(b));
    }
    ok == H8
        && chunks
            .remainder()
            .iter()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Unsigned decimal of `n`, into `buf`; returns the digits.
pub(crate) fn decimal(n: u64, buf: &mut [u8; 20]) -> &[u8] {
    // Two digits per division (a 10-digit timestamp: five steps instead of ten).
    #[allow(clippy::indexing_slicing)] // const evaluation: a bad index fails the build
    const PAIRS: [u8; 200] = {
        let mut t = [0u8; 200];
        let mut i = 0;
        while i < 100 {
            t[2 * i] = b'0' + (i / 10) as u8;
            t[2 * i + 1] = b'0' + (i % 10) as u8;
            i += 1;
        }
        t
    };
    // 20 digits hold `u64::MAX`, so `i` never goes below 0.
    let mut i = buf.len();
    let mut n = n;
    while n >= 10 {
        let r = (n % 100) as usize;
        n /= 100;
        i -= 2;
        if let (Some(d), Some(p)) = (buf.get_mut(i..i + 2), PAIRS.get(2 * r..2 * r + 2)) {
            d.copy_from_slice(p);
        }
    }
    // `n` is now 0..=9: one more digit, unless the pairs already ended on the last one.
    if n > 0 || i == buf.len() {
        i -= 1;
        if let Some(d) = buf.get_mut(i) {
            *d = b'0' + n as u8;
        }
    }
    buf.split_at(i).1
}

/// Parses a plain unsigned decimal (`0`–`9` only, no sign, no spaces, at most 19 digits so it
/// cannot overflow `u64`).
pub(crate) fn parse_decimal(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 19 {
        return None;
    }
    let mut n: u64 = 0;
    for &b in s {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(b - b'0');
    }
    Some(n)
}

/// Bytes kept as they are by form encoding: `A-Z a-z 0-9 - _ . ~`.
#[allow(clippy::indexing_slicing)] // const evaluation: an out-of-range index fails the build
const FORM_UNRESERVED: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.' || b == b'~';
        c += 1;
    }
    t
};

/// Whether form encoding keeps `b` as it is, the unreserved bytes of RFC 3986 (also the bytes
/// of a registered host name); a table lookup, a `u8` index is always in range.
#[inline]
pub(crate) fn unreserved(b: u8) -> bool {
    FORM_UNRESERVED
        .get(usize::from(b))
        .copied()
        .unwrap_or(false)
}

/// The uppercase hex digit of a nibble (`n < 16`).
#[inline]
const fn hex_upper(n: u8) -> u8 {
    if n < 10 {
        b'0' + n
    } else {
        b'A' + (n - 10)
    }
}

/// Form-encodes `input` into `out` the way Go's `url.QueryEscape` and Python's `quote_plus`
/// do (and as docs/protocol-signing.md §1.5 prescribes): `A-Za-z0-9-_.~` kept, space → `+`,
/// every other byte `%XX` with uppercase hex.
pub(crate) fn form_encode<S: Sink + ?Sized>(input: &[u8], out: &mut S) {
    let mut start = 0;
    for (i, &b) in input.iter().enumerate() {
        if unreserved(b) {
            continue;
        }
        if start < i {
            out.put(input.get(start..i).unwrap_or_default());
        }
        if b == b' ' {
            out.put(b"+");
        } else {
            out.put(&[b'%', hex_upper(b >> 4), hex_upper(b & 15)]);
        }
        start = i + 1;
    }
    if start < input.len() {
        out.put(input.get(start..).unwrap_or_default());
    }
}

/// The length [`form_encode`] produces for `input`.
#[cfg(test)]
fn form_encoded_len(input: &[u8]) -> usize {
    input
        .iter()
        .map(|&b| if unreserved(b) || b == b' ' { 1 } else { 3 })
        .sum()
}

/// Sorts request parameters by name in byte order (the order every signature and the Go SDK
/// use) and refuses a name given twice. Works in place: no allocation.
pub(crate) fn sort_params(pairs: &mut [(&str, &str)]) -> Result<(), Error> {
    pairs.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    if pairs.windows(2).any(|w| matches!(w, [a, b] if a.0 == b.0)) {
        return Err(Error::new(Field::ParamName, Reason::Duplicate));
    }
    Ok(())
}

/// Writes `k=v&k=v...` with every name and value form-encoded (Go's `url.QueryEscape`:
/// `A-Za-z0-9-_.~` kept, space `+`, every other byte `%XX`), in the order given. With [`sort_params`] first, the result is byte-identical to Go's
/// `url.Values.Encode`: the canonical query string of a v3 GET, and the wire form of a
/// legacy request.
pub(crate) fn write_query<S: Sink + ?Sized>(pairs: &[(&str, &str)], out: &mut S) {
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.put(b"&");
        }
        form_encode(k.as_bytes(), out);
        out.put(b"=");
        form_encode(v.as_bytes(), out);
    }
}

/// Decodes one form-encoded component (`+` → space, `%XX` → byte) into `out`.
/// A `%` not followed by two hex digits is an error, not passed through.
pub(crate) fn form_decode<S: Sink + ?Sized>(input: &[u8], out: &mut S) -> Result<(), Error> {
    let mut i = 0;
    let mut start = 0;
    while let Some(&c) = input.get(i) {
        match c {
            b'+' => {
                out.put(input.get(start..i).unwrap_or_default());
                out.put(b" ");
                i += 1;
                start = i;
            }
            b'%' => {
                out.put(input.get(start..i).unwrap_or_default());
                let hi = input.get(i + 1).and_then(|&c| hex_val(c));
                let lo = input.get(i + 2).and_then(|&c| hex_val(c));
                match (hi, lo) {
                    (Some(h), Some(l)) => out.put(&[(h << 4) | l]),
                    _ => return Err(Error::new(Field::Query, Reason::Malformed)),
                }
                i += 3;
                start = i;
            }
            _ => i += 1,
        }
    }
    out.put(input.get(start..).unwrap_or_default());
    Ok(())
}

#[inline]
fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Standard base64 (with `=` padding) of `input` into `out`.
pub(crate) fn base64<'o>(input: &[u8], out: &'o mut [u8]) -> Result<&'o str, Error> {
    use base64ct::Encoding;
    base64ct::Base64::encode(input, out).map_err(|_| Error::capacity())
}

/// Checks a value that will travel in an HTTP header (and be signed): visible ASCII and
/// space/tab only; CR, LF, NUL and other controls are header injection, non-ASCII cannot be
/// carried reliably.
pub(crate) fn check_header_value(field: Field, v: &str) -> Result<(), Error> {
    if all_in(v.as_bytes(), 0x20, 0x7e) {
        return Ok(());
    }
    for &b in v.as_bytes() {
        if b == b'\t' || (0x20..0x7f).contains(&b) {
            continue;
        }
        return Err(Error::new(
            field,
            if b < 0x20 || b == 0x7f {
                Reason::ControlChar
            } else {
                Reason::NonAscii
            },
        ));
    }
    Ok(())
}

/// Checks a token-like value (`Action`, `Version`, `Region`, ...): visible ASCII without
/// spaces or controls.
pub(crate) fn check_token(field: Field, v: &str) -> Result<(), Error> {
    if all_in(v.as_bytes(), 0x21, 0x7e) {
        return Ok(());
    }
    for &b in v.as_bytes() {
        if (0x21..0x7f).contains(&b) {
            continue;
        }
        return Err(Error::new(
            field,
            if b < 0x20 || b == 0x7f {
                Reason::ControlChar
            } else if b == b' ' {
                Reason::Reserved
            } else {
                Reason::NonAscii
            },
        ));
    }
    Ok(())
}

/// Whether every byte of `v` is in `lo..=hi` (`1 <= lo <= hi <= 0x7f`), eight bytes at a time
/// (SWAR): the fast accept path of the checks above, which find the exact fault byte by byte.
#[inline]
pub(crate) fn all_in(v: &[u8], lo: u8, hi: u8) -> bool {
    const L: u64 = 0x0101_0101_0101_0101;
    const H: u64 = 0x8080_8080_8080_8080;
    let mut chunks = v.chunks_exact(8);
    let mut bad = 0u64;
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let w = u64::from_le_bytes(w);
        // Some byte < lo (exact as a whole for lo <= 0x80), some byte > hi or >= 0x80.
        bad |= w.wrapping_sub(L * u64::from(lo)) & !w;
        bad |= w.wrapping_add(L * u64::from(0x7f - hi)) | w;
    }
    bad & H == 0 && chunks.remainder().iter().all(|b| (lo..=hi).contains(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unhex32_equals_base16ct_for_every_byte_in_every_position() {
        let good = hex32(&core::array::from_fn(|i| (i * 37 + 11) as u8));
        for pos in 0..64 {
            for b in 0..=255u8 {
                let mut h = good;
                h[pos] = b;
                let mut want = [0u8; 32];
                let want = match base16ct::lower::decode(h, &mut want) {
                    Ok(d) if d.len() == 32 => Some(want),
                    _ => None,
                };
                assert_eq!(unhex32(&h), want, "{pos} {b:#x}");
                assert_eq!(all_lower_hex(&h), want.is_some(), "{pos} {b:#x}");
                let prefix = &h[..=pos];
                let each = prefix
                    .iter()
                    .all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'));
                assert_eq!(all_lower_hex(prefix), each, "{pos} {b:#x}");
            }
        }
        for seed in 0..200u32 {
            let d: [u8; 32] = core::array::from_fn(|i| {
                (seed.wrapping_mul(2654435761).rotate_left(i as u32) >> 7) as u8
            });
            assert_eq!(unhex32(&hex32(&d)), Some(d));
        }
    }

    #[test]
    fn decimal_matches_display() {
        let mut buf = [0u8; 20];
        for n in [
            0u64,
            1,
            9,
            10,
            11,
            99,
            100,
            101,
            999,
            1000,
            1_551_113_065,
            u64::MAX,
        ]
        .into_iter()
        .chain((0..2000).map(|i| i * 7919))
        {
            let mut want = heapless::String::<20>::new();
            core::fmt::write(&mut want, format_args!("{n}")).unwrap();
            assert_eq!(decimal(n, &mut buf), want.as_bytes(), "{n}");
        }
    }

    #[test]
    fn hex32_matches_base16ct() {
        for b in 0..=255u8 {
            let mut d = [0u8; 32];
            for (i, x) in d.iter_mut().enumerate() {
                *x = b.wrapping_mul(i as u8 + 1).wrapping_add(i as u8);
            }
            let mut want = [0u8; 64];
            base16ct::lower::encode(&d, &mut want).unwrap();
            assert_eq!(hex32(&d), want);
        }
    }

    #[test]
    fn all_in_matches_byte_by_byte() {
        for (lo, hi) in [(0x20u8, 0x7eu8), (0x21, 0x7e), (0x30, 0x39)] {
            for b in 0..=255u8 {
                for lane in 0..9 {
                    let mut v = [b'a'.clamp(lo, hi); 9];
                    v[lane] = b;
                    let want = v.iter().all(|c| (lo..=hi).contains(c));
                    assert_eq!(
                        all_in(&v, lo, hi),
                        want,
                        "{lo:#x}..={hi:#x} {b:#x} at {lane}"
                    );
                }
            }
        }
        assert!(all_in(b"", 0x21, 0x7e));
        assert!(all_in(b"DescribeInstances", 0x21, 0x7e));
        assert!(!all_in(b"Describe Instances", 0x21, 0x7e));
    }

    #[test]
    fn form_encoding_matches_go_query_escape() {
        let mut buf = [0u8; 128];
        let mut w = BufWriter::new(&mut buf);
        form_encode("未命名 a+b/c~*".as_bytes(), &mut w);
        assert_eq!(
            w.finish_str().unwrap(),
            "%E6%9C%AA%E5%91%BD%E5%90%8D+a%2Bb%2Fc~%2A"
        );
        assert_eq!(form_encoded_len("未命名 a+b/c~*".as_bytes()), 41);
    }

    #[test]
    fn buf_writer_reports_overflow() {
        let mut buf = [0u8; 3];
        let mut w = BufWriter::new(&mut buf);
        w.put(b"ab");
        w.put(b"cd");
        assert!(w.overflowed());
        assert_eq!(w.finish(), Err(Error::capacity()));
    }

    #[test]
    fn decimal_and_parse() {
        let mut b = [0u8; 20];
        assert_eq!(decimal(0, &mut b), b"0");
        assert_eq!(decimal(u64::MAX, &mut b), b"18446744073709551615");
        assert_eq!(parse_decimal(b"1551113065"), Some(1551113065));
        assert_eq!(parse_decimal(b"+1"), None);
        assert_eq!(parse_decimal(b""), None);
        assert_eq!(parse_decimal(b"99999999999999999999"), None);
    }

    #[test]
    fn form_decode_rejects_bad_percent() {
        let mut buf = [0u8; 16];
        let mut w = BufWriter::new(&mut buf);
        assert!(form_decode(b"a%2", &mut w).is_err());
        let mut buf = [0u8; 16];
        let mut w = BufWriter::new(&mut buf);
        form_decode(b"a+%2Fb", &mut w).unwrap();
        assert_eq!(w.finish().unwrap(), b"a /b");
    }
}
