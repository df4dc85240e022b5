//! The strict, iterative, depth-limited JSON scanner behind [`parse`](super::parse).
//!
//! One pass over the document validates the RFC 8259 grammar and UTF-8 (non-ASCII runs inside
//! strings are checked with `core::str::from_utf8` as they are met) and reports the values a [`Visitor`] asked for by *tag*. There is no recursion:
//! the only per-depth state is a run-length encoded stack of container kinds in a fixed array,
//! so memory use does not grow with nesting and a 10,000,000-deep document runs in a 64 KiB
//! thread stack.

use super::ParseError;
use super::ParseErrorKind as K;

/// Kind of a JSON value, as reported to a [`Visitor`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Object,
    Array,
    String,
    Number,
    Bool,
    Null,
}

/// Tags are chosen by the visitor; 0 means "not interesting" (no callbacks below it).
pub(crate) type Tag = u8;

/// The tag of the top-level value.
pub(crate) const ROOT: Tag = 1;

/// Receives the values the caller cares about. Only containers whose tag is non-zero (and
/// that sit at most [`TAG_DEPTH`] levels deep) produce `key`/`element` calls.
pub(crate) trait Visitor {
    /// A key (raw, escaped, without quotes) inside an object tagged `parent`.
    fn key(&mut self, parent: Tag, key: &[u8], escaped: bool) -> Tag;
    /// The tag of the elements of an array tagged `parent`.
    fn element(&mut self, _parent: Tag) -> Tag {
        0
    }
    /// A container tagged `tag` opens.
    fn open(&mut self, _tag: Tag) {}
    /// A value tagged `tag` ended; `start..end` is its span (strings include their quotes).
    fn value(&mut self, tag: Tag, kind: Kind, start: usize, end: usize);
}

/// Documents at least this long are checked as UTF-8 in one pass before the scan.
const UPFRONT_UTF8_MIN: usize = 256;

/// Nesting levels for which container tags are kept.
const TAG_DEPTH: usize = 8;
/// Runs of equal container kinds the run-length stack (used for depth limits above 128) can
/// hold: at most this many kind changes on the path from the root.
pub(crate) const RUNS: usize = 256;

/// Run-length encoded stack of container kinds: `[[[[{{[` is three runs.
struct KindStack {
    counts: [u32; RUNS],
    objs: [u64; RUNS / 64],
    runs: usize,
}

/// The container-kind stack the scanner uses.
trait Stack {
    /// Push a container; `false` if the stack is full.
    fn push(&mut self, obj: bool) -> bool;
    /// Pop the top container.
    fn pop(&mut self);
    /// Whether the top container is an object.
    fn top_is_obj(&self) -> bool;
}

/// Exact kinds for up to 128 levels in one `u128` (the default depth limit).
struct BitStack {
    bits: u128,
    len: u32,
}

impl BitStack {
    fn new() -> Self {
        BitStack { bits: 0, len: 0 }
    }
}

impl Stack for BitStack {
    #[inline(always)]
    fn push(&mut self, obj: bool) -> bool {
        if self.len >= 128 {
            return false;
        }
        self.bits = (self.bits << 1) | u128::from(obj);
        self.len += 1;
        true
    }
    #[inline(always)]
    fn pop(&mut self) {
        self.bits >>= 1;
        self.len = self.len.saturating_sub(1);
    }
    #[inline(always)]
    fn top_is_obj(&self) -> bool {
        self.len > 0 && self.bits & 1 == 1
    }
}

impl Stack for KindStack {
    #[inline]
    fn push(&mut self, obj: bool) -> bool {
        KindStack::push(self, obj)
    }
    #[inline]
    fn pop(&mut self) {
        KindStack::pop(self)
    }
    #[inline]
    fn top_is_obj(&self) -> bool {
        KindStack::top_is_obj(self)
    }
}

impl KindStack {
    fn new() -> Self {
        KindStack {
            counts: [0; RUNS],
            objs: [0; RUNS / 64],
            runs: 0,
        }
    }

    #[inline]
    fn top_is_obj(&self) -> bool {
        match self.runs.checked_sub(1) {
            Some(i) => self.is_obj(i),
            None => false,
        }
    }

    #[inline]
    fn is_obj(&self, run: usize) -> bool {
        let w = self.objs.get(run / 64).copied().unwrap_or(0);
        (w >> (run % 64)) & 1 == 1
    }

    /// Push a container; `false` if the run capacity is exhausted.
    #[inline]
    fn push(&mut self, obj: bool) -> bool {
        if let Some(top) = self.runs.checked_sub(1) {
            if self.is_obj(top) == obj {
                if let Some(c) = self.counts.get_mut(top) {
                    if let Some(n) = c.checked_add(1) {
                        *c = n;
                        return true;
                    }
                }
                return false;
            }
        }
        let run = self.runs;
        let (Some(c), Some(w)) = (self.counts.get_mut(run), self.objs.get_mut(run / 64)) else {
            return false;
        };
        *c = 1;
        if obj {
            *w |= 1 << (run % 64);
        } else {
            *w &= !(1 << (run % 64));
        }
        self.runs = run + 1;
        true
    }

    #[inline]
    fn pop(&mut self) {
        if let Some(top) = self.runs.checked_sub(1) {
            if let Some(c) = self.counts.get_mut(top) {
                *c = c.saturating_sub(1);
                if *c == 0 {
                    self.runs = top;
                }
            }
        }
    }
}

const fn err(kind: K, offset: usize) -> ParseError {
    ParseError { kind, offset }
}

/// `true` for the bytes of a string that need no attention: not `"`, `\` or a control char.
/// (Bytes >= 0x80 are checked as UTF-8 runs separately.)
#[allow(clippy::indexing_slicing)] // const evaluation: a bad index fails the build
static PLAIN: [bool; 256] = {
    let mut t = [true; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = false;
        i += 1;
    }
    t[b'"' as usize] = false;
    t[b'\\' as usize] = false;
    t
};

/// `true` for the bytes that complete a one-character escape after `\\`:
/// `" \\ / b f n r t`.
#[allow(clippy::indexing_slicing)] // const evaluation: a bad index fails the build
static ESC1: [bool; 256] = {
    let mut t = [false; 256];
    let s = b"\"\\/bfnrt";
    let mut i = 0;
    while i < s.len() {
        t[s[i] as usize] = true;
        i += 1;
    }
    t
};

/// [`ESC1`] of `b`.
#[inline(always)]
fn esc1(b: u8) -> bool {
    ESC1.get(usize::from(b)).copied().unwrap_or(false)
}

/// [`PLAIN`] of `b` (a `u8` always indexes the 256 entries).
#[inline(always)]
fn plain(b: u8) -> bool {
    PLAIN.get(usize::from(b)).copied().unwrap_or(false)
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Bytes of the 8-byte word that need attention in a string (SWAR): the lowest set high bit
/// marks the first `"`, `\` or control byte exactly (borrows only flag bytes above a match).
#[inline(always)]
fn special_mask(w: u64) -> u64 {
    let q = w ^ (LO * b'"' as u64);
    let b = w ^ (LO * b'\\' as u64);
    let has_q = q.wrapping_sub(LO) & !q;
    let has_b = b.wrapping_sub(LO) & !b;
    let has_ctl = w.wrapping_sub(LO * 0x20) & !w;
    (has_q | has_b | has_ctl) & HI
}

#[cfg(test)]
fn word_has_special(w: u64) -> bool {
    special_mask(w) != 0
}

/// The first byte at or after `p` that ends a plain run inside a string (`"`, `\`, a control
/// character and, unless `UTF8`, a byte >= 0x80), or the end of `doc`.
///
/// One SWAR word, then sixteen bytes per step as two words (one bounds check and one branch
/// per step), then eight, then one. (A `[u8; 16]` classification that LLVM turns into SSE2
/// compares was tried: fewer instructions, but the mask goes from the vector register to the
/// integer ones through memory, and it measured slower; see `docs/perf.md`, round 3.)
/// The bytes of `w` where a string run stops: the specials, and with `UTF8 == false` (the
/// document not known to be UTF-8) every byte with the high bit as well.
#[inline(always)]
fn stop_mask<const UTF8: bool>(w: u64) -> u64 {
    if UTF8 {
        special_mask(w)
    } else {
        special_mask(w) | (w & HI)
    }
}

#[inline(always)]
fn string_stop<const UTF8: bool>(doc: &[u8], mut p: usize) -> usize {
    // One word first: in text with escapes the next special is usually within eight bytes,
    // and a wider first step measured slower there (logs_1MB, `docs/perf.md` round 3).
    if let Some(w) = word(doc, p) {
        let m = stop_mask::<UTF8>(w);
        if m != 0 {
            return p + (m.trailing_zeros() / 8) as usize;
        }
        p += 8;
    }
    // Then sixteen bytes per step (long plain text).
    while let Some(c) = doc.get(p..).and_then(|s| s.first_chunk::<16>()) {
        let (a, b) = c.split_at(8);
        let mut w0 = [0u8; 8];
        let mut w1 = [0u8; 8];
        w0.copy_from_slice(a);
        w1.copy_from_slice(b);
        let (w0, w1) = (u64::from_le_bytes(w0), u64::from_le_bytes(w1));
        let (m0, m1) = (stop_mask::<UTF8>(w0), stop_mask::<UTF8>(w1));
        if m0 | m1 != 0 {
            let at = if m0 != 0 {
                m0.trailing_zeros() / 8
            } else {
                8 + m1.trailing_zeros() / 8
            };
            return p + at as usize;
        }
        p += 16;
    }
    while let Some(w) = word(doc, p) {
        let m = stop_mask::<UTF8>(w);
        if m != 0 {
            return p + (m.trailing_zeros() / 8) as usize;
        }
        p += 8;
    }
    while let Some(&b) = doc.get(p) {
        if !((UTF8 || b < 0x80) && plain(b)) {
            break;
        }
        p += 1;
    }
    p
}

/// An 8-byte little-endian word of `doc` at `p`, if there are eight bytes left.
#[inline(always)]
fn word(doc: &[u8], p: usize) -> Option<u64> {
    // `get(p..)` then `first_chunk`: two compares, where `get(p..p + 8)` with an overflow
    // check compiled to six instructions.
    doc.get(p..)?
        .first_chunk::<8>()
        .map(|c| u64::from_le_bytes(*c))
}

/// Exact SWAR byte equality: the high bit of each byte of `w` that equals `c`.
#[inline(always)]
fn eq_mask(w: u64, c: u8) -> u64 {
    let x = w ^ (LO * c as u64);
    // High bit set in the bytes of x that are not zero (no carry crosses a byte).
    let nonzero = ((x & !HI).wrapping_add(!HI)) | x;
    !nonzero & HI
}

/// The high bit of each byte of `w` that is not JSON whitespace.
#[inline(always)]
fn non_ws_mask(w: u64) -> u64 {
    let ws = eq_mask(w, b' ') | eq_mask(w, b'\n') | eq_mask(w, b'\r') | eq_mask(w, b'\t');
    !ws & HI
}

/// The high bit of each byte of `w` that is not an ASCII digit.
#[inline(always)]
fn non_digit_mask(w: u64) -> u64 {
    // Digits become 0..=9; a byte is not a digit if its low seven bits are >= 10 or its high
    // bit is set.
    let d = w ^ (LO * b'0' as u64);
    ((d & !HI).wrapping_add(LO * 0x76) | d) & HI
}

#[inline(always)]
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

/// The first byte at or after `p` that is not whitespace (or the end). Minified documents
/// rarely have any, so one byte is looked at first; runs (indentation) go eight at a time.
#[inline(always)]
pub(crate) fn skip_ws(doc: &[u8], p: usize) -> usize {
    match doc.get(p) {
        Some(&b) if is_ws(b) => skip_ws_run(doc, p + 1),
        _ => p,
    }
}

/// [`skip_ws`] and the byte there (`None` at the end): the byte is read once, where
/// `skip_ws` then `doc.get` read it twice with two bounds checks.
#[inline(always)]
fn next_byte(doc: &[u8], p: usize) -> (usize, Option<u8>) {
    match doc.get(p) {
        Some(&b) if is_ws(b) => {
            let q = skip_ws_run(doc, p + 1);
            (q, doc.get(q).copied())
        }
        b => (p, b.copied()),
    }
}

#[inline]
fn skip_ws_run(doc: &[u8], mut p: usize) -> usize {
    while let Some(w) = word(doc, p) {
        let m = non_ws_mask(w);
        if m != 0 {
            return p + (m.trailing_zeros() / 8) as usize;
        }
        p += 8;
    }
    while let Some(&b) = doc.get(p) {
        if !is_ws(b) {
            break;
        }
        p += 1;
    }
    p
}

#[inline]
fn hex4(doc: &[u8], p: usize) -> Option<u16> {
    let h = doc.get(p..p.checked_add(4)?)?;
    let mut v: u16 = 0;
    for &c in h {
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => return None,
        };
        v = (v << 4) | u16::from(d);
    }
    Some(v)
}

/// Scan a string whose opening quote is at `p - 1`. Returns the offset after the closing
/// quote and whether it contained escapes.
///
/// `UTF8` says the whole document is known to be valid UTF-8: bytes >= 0x80 are then plain
/// string bytes (eight at a time); otherwise each run of them is validated here.
#[inline(always)]
pub(crate) fn scan_string<const UTF8: bool>(
    doc: &[u8],
    p: usize,
) -> Result<(usize, bool), ParseError> {
    // Short documents (below `UPFRONT_UTF8_MIN`, such as error envelopes) and documents not
    // known to be UTF-8 keep the stop-by-stop loop: the word loop measured slower on the
    // 214-byte error envelope (`docs/perf.md`, round 4).
    if UTF8 {
        // The first stop as before (one word, then sixteen bytes per step): most strings
        // (keys, identifiers, long plain text) end there. A string that goes on past an
        // escape continues word by word from that escape.
        let q = string_stop::<UTF8>(doc, p);
        if doc.get(q) == Some(&b'"') {
            return Ok((q + 1, false));
        }
        string_words::<UTF8>(doc, q)
    } else {
        string_stops::<UTF8>(doc, p, false)
    }
}

/// [`scan_string`] word by word at a fixed stride.
#[inline(always)]
fn string_words<const UTF8: bool>(doc: &[u8], mut p: usize) -> Result<(usize, bool), ParseError> {
    let mut escaped = false;
    'word: loop {
        // The stops of the word at `p` one by one, from its mask: the next stop after an
        // escape is the mask's next bit, not a new load at an offset that depends on this
        // stop's position (a chain of dependent loads through `p`, one per stop, was most
        // of the time on text with escapes).
        if let Some(w) = word(doc, p) {
            let mut m = stop_mask::<UTF8>(w);
            while m != 0 {
                let i = (m.trailing_zeros() / 8) as usize;
                let q = p + i;
                match (w >> (8 * i)) as u8 {
                    b'"' => return Ok((q + 1, escaped)),
                    b'\\' => {
                        escaped = true;
                        if !esc1(doc.get(q + 1).copied().unwrap_or(0)) {
                            // `\u`, and errors, out of line.
                            p = scan_escape(doc, q)?;
                            continue 'word;
                        }
                        if i >= 6 {
                            // The escape ends the word (or its second byte is past it).
                            p = q + 2;
                            continue 'word;
                        }
                        // Both bytes of the escape (the second may be `"` or `\`) leave the mask.
                        m &= !0u64 << (8 * (i + 2));
                    }
                    0x80.. => {
                        p = utf8_run(doc, q)?;
                        continue 'word;
                    }
                    0..0x20 => return Err(err(K::ControlCharInString, q)),
                    // Only the mask's lowest bit is exact: a borrow from a match flags the
                    // byte above it when that is one more than the matched byte, so after an
                    // escaped `"` or `\` a `#` or a `]` may be flagged. Not a stop.
                    _ => m &= m.wrapping_sub(1),
                }
            }
            p += 8;
            continue;
        }
        // Fewer than eight bytes left: byte by byte.
        return string_tail::<UTF8>(doc, p, escaped);
    }
}

/// The end of a string whose next stop `p` lies in the document's last seven bytes.
#[inline(never)]
fn string_tail<const UTF8: bool>(
    doc: &[u8],
    p: usize,
    escaped: bool,
) -> Result<(usize, bool), ParseError> {
    string_stops::<UTF8>(doc, p, escaped)
}

/// [`scan_string`] stop by stop: each stop found by [`string_stop`] from the previous one.
#[inline(always)]
fn string_stops<const UTF8: bool>(
    doc: &[u8],
    mut p: usize,
    mut escaped: bool,
) -> Result<(usize, bool), ParseError> {
    loop {
        p = string_stop::<UTF8>(doc, p);
        let Some(&b) = doc.get(p) else {
            return Err(err(K::UnexpectedEnd, p));
        };
        match b {
            b'"' => return Ok((p + 1, escaped)),
            b'\\' => {
                escaped = true;
                // The one-character escapes by a table lookup (one branch that is almost
                // always taken, where a `match` compiled to a jump table that mispredicts on
                // mixed escapes); `\u` and errors out of line.
                p = if esc1(doc.get(p + 1).copied().unwrap_or(0)) {
                    p + 2
                } else {
                    scan_escape(doc, p)?
                };
            }
            0x80.. => p = utf8_run(doc, p)?,
            _ => return Err(err(K::ControlCharInString, p)),
        }
    }
}

/// Validate the run of non-ASCII bytes at `p` (a document not known to be UTF-8) at once;
/// return the offset after it. The run ends before an ASCII byte, so a sequence cut at its
/// end is invalid anyway. Out of line: it keeps the string loop small.
#[inline(never)]
fn utf8_run(doc: &[u8], p: usize) -> Result<usize, ParseError> {
    let q = string_stop::<true>(doc, p);
    match core::str::from_utf8(doc.get(p..q).unwrap_or_default()) {
        Ok(_) => Ok(q),
        Err(e) => Err(err(K::InvalidUtf8, p + e.valid_up_to())),
    }
}

/// Validate the escape whose backslash is at `p`; return the offset after it.
pub(crate) fn scan_escape(doc: &[u8], p: usize) -> Result<usize, ParseError> {
    match doc.get(p + 1) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(p + 2),
        Some(b'u') => {
            let u = hex4(doc, p + 2).ok_or(err(K::InvalidEscape, p))?;
            match u {
                0xD800..=0xDBFF => {
                    // A high surrogate must be followed by an escaped low surrogate.
                    let q = p + 6;
                    if doc.get(q) == Some(&b'\\') && doc.get(q + 1) == Some(&b'u') {
                        match hex4(doc, q + 2) {
                            Some(0xDC00..=0xDFFF) => Ok(q + 6),
                            Some(_) => Err(err(K::LoneSurrogate, p)),
                            None => Err(err(K::InvalidEscape, q)),
                        }
                    } else {
                        Err(err(K::LoneSurrogate, p))
                    }
                }
                0xDC00..=0xDFFF => Err(err(K::LoneSurrogate, p)),
                _ => Ok(p + 6),
            }
        }
        Some(_) => Err(err(K::InvalidEscape, p)),
        None => Err(err(K::UnexpectedEnd, p + 1)),
    }
}

/// The first byte at or after `p` that is not an ASCII digit (eight at a time).
#[inline(always)]
fn digits(doc: &[u8], mut p: usize) -> usize {
    while let Some(w) = word(doc, p) {
        let m = non_digit_mask(w);
        if m != 0 {
            return p + (m.trailing_zeros() / 8) as usize;
        }
        p += 8;
    }
    while let Some(b'0'..=b'9') = doc.get(p) {
        p += 1;
    }
    p
}

/// Eight bytes of `doc` at `p`, if there are eight left.
#[inline(always)]
fn chunk8(doc: &[u8], p: usize) -> Option<&[u8; 8]> {
    doc.get(p..).and_then(|s| s.first_chunk::<8>())
}

/// [`scan_number`] for a value starting at `start`, or `None` if the byte there is neither
/// `-` nor a digit (not a number: the caller's general loop decides).
///
/// The number's first eight bytes are read as one word. The ends of the digit runs (integer
/// part, fraction, exponent) come from one SWAR mask of the word's non-digit bytes: each `.`,
/// `e` and sign is the mask's lowest bit when it is met, so it is cleared with `m & (m - 1)`
/// and the next run ends at the next lowest bit. An integer part of eight digits or more
/// (timestamps) is finished from the next word. A fraction or exponent whose digits start in
/// the word and go on past it is finished eight digits at a time from the word's end (then
/// the exponent byte by byte); malformed input is left to the byte loop, so the result, the
/// error and its offset are the same (`number_word_matches_the_byte_loop`).
#[inline(always)]
fn number_at(doc: &[u8], start: usize) -> Option<Result<usize, ParseError>> {
    let Some(c) = chunk8(doc, start) else {
        return match doc.get(start) {
            Some(b'-' | b'0'..=b'9') => Some(scan_number(doc, start)),
            _ => None,
        };
    };
    let w = u64::from_le_bytes(*c);
    // The index of the lowest set high bit of `m` (8: none).
    let low = |m: u64| (m.trailing_zeros() / 8) as usize;
    // Non-digit bytes, without byte 0: a `-` there is dealt with below, and otherwise byte 0
    // must be a digit.
    let mut m = non_digit_mask(w) & !0x80;
    // From the word, not `c[0]`: reading byte 0 on its own made LLVM rebuild the word from
    // four partial loads (~8 instructions per number, `docs/perf.md` round 3, E).
    let first = usize::from(w as u8 == b'-');
    // `k`: the first byte after the integer part (<= 8). A leading `0` is the whole integer part.
    let mut k = match c.get(first) {
        Some(b'0') => first + 1,
        Some(b'1'..=b'9') => {
            if m == 0 {
                // Eight digits or more (timestamps): the next word, then byte by byte.
                if let Some(c2) = chunk8(doc, start + 8) {
                    let m2 = non_digit_mask(u64::from_le_bytes(*c2));
                    let k2 = low(m2);
                    if let Some(b) = c2.get(k2) {
                        if !matches!(b, b'.' | b'e' | b'E') {
                            return Some(Ok(start + 8 + k2));
                        }
                    }
                }
                return Some(scan_number_tail(doc, digits(doc, start + 8)));
            }
            low(m)
        }
        _ if first == 1 => return Some(scan_number(doc, start)),
        _ => return None,
    };
    // From here the byte at `k`, if it is not a digit, is the lowest bit of `m`.
    if c.get(k) == Some(&b'.') {
        m &= m.wrapping_sub(1);
        let j = low(m);
        if j == k + 1 {
            // No digit after the `.`.
            return Some(scan_number(doc, start));
        }
        if j >= 8 {
            // At least one digit after the `.`, and the fraction goes on past the word.
            return Some(scan_exponent(doc, digits(doc, start + 8)));
        }
        k = j;
    }
    if let Some(b'e' | b'E') = c.get(k) {
        m &= m.wrapping_sub(1);
        let mut j = k + 1;
        if let Some(b'+' | b'-') = c.get(j) {
            m &= m.wrapping_sub(1);
            j += 1;
        }
        let e = low(m);
        if e == j {
            // No digit where the exponent's digits start.
            return Some(scan_number(doc, start));
        }
        if e >= 8 {
            // At least one exponent digit, and they go on past the word (`1.234e-5,`).
            return Some(Ok(digits(doc, start + 8)));
        }
        k = e;
    }
    Some(Ok(start + k))
}

/// [`scan_number`] through [`number_at`]: same result, same error, same offset.
#[inline(always)]
fn scan_number_fast(doc: &[u8], start: usize) -> Result<usize, ParseError> {
    number_at(doc, start).unwrap_or_else(|| scan_number(doc, start))
}

/// Scan a number starting at `p` (`-` or a digit). Returns the offset after it.
#[inline(always)]
pub(crate) fn scan_number(doc: &[u8], start: usize) -> Result<usize, ParseError> {
    let mut p = start;
    if doc.get(p) == Some(&b'-') {
        p += 1;
    }
    match doc.get(p) {
        Some(b'0') => p += 1,
        Some(b'1'..=b'9') => p = digits(doc, p + 1),
        Some(_) => return Err(err(K::InvalidNumber, p)),
        None => return Err(err(K::UnexpectedEnd, p)),
    }
    scan_number_tail(doc, p)
}

/// The fraction and exponent of a number whose integer part ends at `p`.
#[inline(always)]
fn scan_number_tail(doc: &[u8], mut p: usize) -> Result<usize, ParseError> {
    if doc.get(p) == Some(&b'.') {
        p += 1;
        match doc.get(p) {
            Some(b'0'..=b'9') => p = digits(doc, p + 1),
            Some(_) => return Err(err(K::InvalidNumber, p)),
            None => return Err(err(K::UnexpectedEnd, p)),
        }
    }
    scan_exponent(doc, p)
}

/// The exponent, if any, of a number whose integer part and fraction end at `p`.
#[inline(always)]
fn scan_exponent(doc: &[u8], mut p: usize) -> Result<usize, ParseError> {
    if let Some(b'e' | b'E') = doc.get(p) {
        p += 1;
        if let Some(b'+' | b'-') = doc.get(p) {
            p += 1;
        }
        match doc.get(p) {
            Some(b'0'..=b'9') => p = digits(doc, p + 1),
            Some(_) => return Err(err(K::InvalidNumber, p)),
            None => return Err(err(K::UnexpectedEnd, p)),
        }
    }
    Ok(p)
}

#[inline]
pub(crate) fn literal(doc: &[u8], p: usize, lit: &[u8]) -> Result<usize, ParseError> {
    let end = p + lit.len();
    match doc.get(p..end) {
        Some(s) if s == lit => Ok(end),
        _ => {
            // Point at the first byte that differs (or the end of input).
            let mut q = p;
            for &l in lit {
                match doc.get(q) {
                    Some(&b) if b == l => q += 1,
                    Some(_) => return Err(err(K::UnexpectedByte, q)),
                    None => return Err(err(K::UnexpectedEnd, q)),
                }
            }
            Err(err(K::UnexpectedByte, q))
        }
    }
}

/// Validate `doc` as one JSON text (including UTF-8: non-ASCII bytes may only appear inside
/// strings) and report tagged values to `v`.
///
/// `max_depth` counts open containers (`{"a":[1]}` has depth 2); a container that would exceed
/// it is reported as [`ParseErrorKind::TooDeep`](super::ParseErrorKind::TooDeep) at its
/// opening bracket.
///
/// A document of [`UPFRONT_UTF8_MIN`] bytes or more is first checked as UTF-8 in one pass (`simdutf8`: SIMD where the CPU
/// has it, `core::str::from_utf8` otherwise); when it is valid, the scan treats bytes >= 0x80
/// inside strings as plain bytes. When it is not, the scan validates each non-ASCII run where
/// it meets it, so the error reported (grammar or UTF-8, whichever comes first, and its
/// offset) is the same either way.
pub(crate) fn scan<V: Visitor>(doc: &[u8], max_depth: usize, v: &mut V) -> Result<(), ParseError> {
    // Below a few hundred bytes the upfront pass costs more than it saves.
    let utf8 = doc.len() >= UPFRONT_UTF8_MIN && simdutf8::basic::from_utf8(doc).is_ok();
    match (max_depth <= 128, utf8) {
        (true, true) => scan_with::<V, _, true>(doc, max_depth, v, &mut BitStack::new()),
        (true, false) => scan_with::<V, _, false>(doc, max_depth, v, &mut BitStack::new()),
        (false, true) => scan_with::<V, _, true>(doc, max_depth, v, &mut KindStack::new()),
        (false, false) => scan_with::<V, _, false>(doc, max_depth, v, &mut KindStack::new()),
    }
}

fn scan_with<V: Visitor, S: Stack, const UTF8: bool>(
    doc: &[u8],
    max_depth: usize,
    v: &mut V,
    stack: &mut S,
) -> Result<(), ParseError> {
    let mut tags: [Tag; TAG_DEPTH] = [0; TAG_DEPTH];
    let mut starts: [usize; TAG_DEPTH] = [0; TAG_DEPTH];
    let mut depth: usize = 0;
    let mut top_obj = false;
    let mut cur: Tag = ROOT;
    let mut p: usize = 0;
    'value: loop {
        // A value starts at `p` (after optional whitespace); its tag is `cur`.
        let (q, b) = next_byte(doc, p);
        p = q;
        let Some(b) = b else {
            return Err(err(K::UnexpectedEnd, p));
        };
        match b {
            b'"' => {
                let (end, _) = scan_string::<UTF8>(doc, p + 1)?;
                if cur != 0 {
                    v.value(cur, Kind::String, p, end);
                }
                p = end;
            }
            b'{' | b'[' => {
                let obj = b == b'{';
                if depth >= max_depth || !stack.push(obj) {
                    return Err(err(K::TooDeep, p));
                }
                top_obj = obj;
                depth += 1;
                if let (Some(t), Some(s)) = (tags.get_mut(depth - 1), starts.get_mut(depth - 1)) {
                    *t = cur;
                    *s = p;
                    if cur != 0 {
                        v.open(cur);
                    }
                }
                let (q, c) = next_byte(doc, p + 1);
                p = q;
                let close = if obj { b'}' } else { b']' };
                if c == Some(close) {
                    p += 1;
                    top_obj = close_container(v, stack, &tags, &starts, &mut depth, obj, p);
                } else {
                    if obj {
                        (p, cur) = scan_key::<V, UTF8>(doc, p, v, &tags, depth)?;
                    } else {
                        cur = parent_elem(v, &tags, depth);
                    }
                    continue 'value;
                }
            }
            b'-' | b'0'..=b'9' => {
                let mut end = scan_number_fast(doc, p)?;
                if cur != 0 {
                    v.value(cur, Kind::Number, p, end);
                } else if !top_obj && depth > 0 && parent_tag(&tags, depth) == 0 {
                    // A run of numbers in an array nobody listens to (`[1,2.5,-3,…]`, time
                    // series): the same checks as the general loop below, without its
                    // bookkeeping per element.
                    while doc.get(end) == Some(&b',') {
                        match number_at(doc, end + 1) {
                            Some(r) => end = r?,
                            None => break,
                        }
                    }
                }
                p = end;
            }
            b't' | b'f' | b'n' => {
                let (lit, kind): (&[u8], Kind) = match b {
                    b't' => (b"true", Kind::Bool),
                    b'f' => (b"false", Kind::Bool),
                    _ => (b"null", Kind::Null),
                };
                let end = literal(doc, p, lit)?;
                if cur != 0 {
                    v.value(cur, kind, p, end);
                }
                p = end;
            }
            _ => return Err(err(K::UnexpectedByte, p)),
        }
        // After a value: separators and closing brackets until the next value.
        loop {
            let (q, c) = next_byte(doc, p);
            p = q;
            if depth == 0 {
                if p != doc.len() {
                    return Err(err(K::TrailingContent, p));
                }
                return Ok(());
            }
            match c {
                Some(b',') => {
                    if top_obj {
                        (p, cur) = scan_key::<V, UTF8>(doc, p + 1, v, &tags, depth)?;
                    } else {
                        p += 1;
                        cur = parent_elem(v, &tags, depth);
                    }
                    continue 'value;
                }
                Some(b'}') if top_obj => {
                    p += 1;
                    top_obj = close_container(v, stack, &tags, &starts, &mut depth, true, p);
                }
                Some(b']') if !top_obj => {
                    p += 1;
                    top_obj = close_container(v, stack, &tags, &starts, &mut depth, false, p);
                }
                Some(_) => return Err(err(K::UnexpectedByte, p)),
                None => return Err(err(K::UnexpectedEnd, p)),
            }
        }
    }
}

/// A member key and its colon, starting at `p` (before optional whitespace). Returns the
/// offset after the colon and the tag of the member's value.
#[inline(always)]
fn scan_key<V: Visitor, const UTF8: bool>(
    doc: &[u8],
    p: usize,
    v: &mut V,
    tags: &[Tag; TAG_DEPTH],
    depth: usize,
) -> Result<(usize, Tag), ParseError> {
    let (p, b) = next_byte(doc, p);
    match b {
        Some(b'"') => {}
        Some(_) => return Err(err(K::UnexpectedByte, p)),
        None => return Err(err(K::UnexpectedEnd, p)),
    }
    let (end, escaped) = scan_string::<UTF8>(doc, p + 1)?;
    let parent = depth
        .checked_sub(1)
        .and_then(|i| tags.get(i))
        .copied()
        .unwrap_or(0);
    let tag = if parent != 0 {
        let key = doc.get(p + 1..end - 1).unwrap_or_default();
        v.key(parent, key, escaped)
    } else {
        0
    };
    let (q, c) = next_byte(doc, end);
    match c {
        Some(b':') => Ok((q + 1, tag)),
        Some(_) => Err(err(K::UnexpectedByte, q)),
        None => Err(err(K::UnexpectedEnd, q)),
    }
}

/// The tag of the innermost open container (0 beyond [`TAG_DEPTH`] or at the top).
#[inline(always)]
fn parent_tag(tags: &[Tag; TAG_DEPTH], depth: usize) -> Tag {
    depth
        .checked_sub(1)
        .and_then(|i| tags.get(i))
        .copied()
        .unwrap_or(0)
}

#[inline]
fn parent_elem<V: Visitor>(v: &mut V, tags: &[Tag; TAG_DEPTH], depth: usize) -> Tag {
    match depth.checked_sub(1).and_then(|i| tags.get(i)) {
        Some(&t) if t != 0 => v.element(t),
        _ => 0,
    }
}

#[inline]
fn close_container<V: Visitor, S: Stack>(
    v: &mut V,
    stack: &mut S,
    tags: &[Tag; TAG_DEPTH],
    starts: &[usize; TAG_DEPTH],
    depth: &mut usize,
    obj: bool,
    end: usize,
) -> bool {
    if let Some(i) = depth.checked_sub(1) {
        if let (Some(&t), Some(&s)) = (tags.get(i), starts.get(i)) {
            if t != 0 {
                v.value(t, if obj { Kind::Object } else { Kind::Array }, s, end);
            }
        }
        *depth = i;
    }
    stack.pop();
    stack.top_is_obj()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Nothing;
    impl Visitor for Nothing {
        fn key(&mut self, _: Tag, _: &[u8], _: bool) -> Tag {
            0
        }
        fn value(&mut self, _: Tag, _: Kind, _: usize, _: usize) {}
    }

    fn ok(s: &str) -> bool {
        scan(s.as_bytes(), 128, &mut Nothing).is_ok()
    }

    #[test]
    fn grammar() {
        assert!(ok("{}"));
        assert!(ok(
            " [1, -0.5e+3, \"a\\u00e9\\ud83d\\ude00\", true, false, null, {}] "
        ));
        assert!(!ok("[1,]"));
        assert!(!ok("{\"a\" 1}"));
        assert!(!ok("[01]"));
        assert!(!ok("[\"\\ud800\"]"));
        assert!(!ok("[\"\\udc00\"]"));
        assert!(!ok("[1] x"));
        assert!(!ok("[\"a\tb\"]"));
        assert!(!ok("[1}"));
        assert!(ok("[\"é中😀\"]"));
        assert!(scan(b"[\"a\xff\"]", 128, &mut Nothing).is_err());
        assert!(scan(b"[\"\xe4\xb8\"]", 128, &mut Nothing).is_err());
        assert!(scan(b"[\xc3\xa9]", 128, &mut Nothing).is_err());
        assert!(!ok("{]"));
    }

    #[test]
    fn swar() {
        assert!(word_has_special(u64::from_le_bytes(*b"abcdefg\"")));
        assert!(word_has_special(u64::from_le_bytes(*b"\\bcdefgh")));
        assert!(word_has_special(u64::from_le_bytes(*b"abc\x1fefgh")));
        assert!(!word_has_special(u64::from_le_bytes(
            *b"abc\x20\x7f\xff\x80h"
        )));
    }

    #[test]
    fn first_error_wins_with_or_without_valid_utf8() {
        let e = |d: &[u8]| scan(d, 128, &mut Nothing).map_err(|e| (e.kind, e.offset));
        // Invalid UTF-8 after a grammar error: the grammar error (the per-run path).
        assert_eq!(e(b"[1,]\"\xff\""), Err((K::UnexpectedByte, 3)));
        assert_eq!(e(b"[\"\xff\",]"), Err((K::InvalidUtf8, 2)));
        assert_eq!(e(b"[\"ab\xe4\xb8\"]"), Err((K::InvalidUtf8, 4)));
        // Long enough for the upfront check: the same errors, after 300 bytes of whitespace.
        let long = |d: &[u8]| {
            let mut buf = [b' '; 400];
            buf[300..300 + d.len()].copy_from_slice(d);
            e(&buf[..300 + d.len()]).map_err(|(k, o)| (k, o - 300))
        };
        for d in [
            &b"[1,]\"\xff\""[..],
            b"[\"\xff\",]",
            b"[\"ab\xe4\xb8\"]",
            "[\"中文\",]".as_bytes(),
            "[中]".as_bytes(),
            "[\"中\\u00e9文\\\"\"]".as_bytes(),
        ] {
            assert_eq!(long(d), e(d), "{d:?}");
        }
        assert_eq!(e("[\"中文\",]".as_bytes()), Err((K::UnexpectedByte, 10)));
        assert_eq!(e("[中]".as_bytes()), Err((K::UnexpectedByte, 1)));
        assert_eq!(e("[\"中\\u00e9文\\\"\"]".as_bytes()), Ok(()));
    }

    /// Tags every container, so no value takes the untagged fast paths.
    struct All;
    impl Visitor for All {
        fn key(&mut self, _: Tag, _: &[u8], _: bool) -> Tag {
            1
        }
        fn element(&mut self, _: Tag) -> Tag {
            1
        }
        fn value(&mut self, _: Tag, _: Kind, _: usize, _: usize) {}
    }

    #[test]
    fn number_runs_match_the_general_loop() {
        for d in [
            "[1,2.5,-3,4e7,0]",
            "[[1,2,3],[4,5]]",
            "[1,2,01]",
            "[1,2,-]",
            "[1,2,3",
            "[1,2,",
            "[1,2,3.]",
            "[1,2,3e]",
            "[1,2 ,3]",
            "[1,-0.0e-0,\"a\",3,]",
            "{\"a\":[1,2,3],\"b\":4}",
            "[1,\"a\"]",
            "[1,-a]",
            "[1,2,{}]",
            "[1,[2]]",
            "[0,01]",
            "[1e5,1E+5,1e-5,-1.5E5,0.25,-0]",
            "[12345678901234567890,1,-1234567890.1234567890e+1234567]",
            "[1,2,3,4,5,6,7,8,9,10,11,12.5e+3,-0,0.1]                    ",
            "[1,2,3,4,5,6,7,8,9,10,11,12.5e+3,-0,0.1",
        ] {
            let tagged = scan(d.as_bytes(), 128, &mut All);
            assert_eq!(scan(d.as_bytes(), 128, &mut Nothing), tagged, "{d}");
        }
        // Every run of up to six bytes over the number alphabet behind three prefixes, with
        // and without trailing whitespace.
        const ALPHA: &[u8] = b"-05.e,\"]";
        let mut buf = [b' '; 48];
        for len in 1..=6u32 {
            for code in 0..(ALPHA.len() as u32).pow(len) {
                for lead in [&b"["[..], b"[7,", b"[123456789012,"] {
                    buf.fill(b' ');
                    buf[..lead.len()].copy_from_slice(lead);
                    let mut n = lead.len();
                    let mut x = code;
                    for _ in 0..len {
                        buf[n] = ALPHA[(x % ALPHA.len() as u32) as usize];
                        x /= ALPHA.len() as u32;
                        n += 1;
                    }
                    buf[n] = b']';
                    for d in [&buf[..n + 1], &buf[..n + 20]] {
                        let tagged = scan(d, 128, &mut All);
                        assert_eq!(scan(d, 128, &mut Nothing), tagged, "{d:?}");
                    }
                }
            }
        }
        assert_eq!(
            scan(b"[1,2,01]", 128, &mut Nothing).map_err(|e| (e.kind, e.offset)),
            Err((K::UnexpectedByte, 6))
        );
    }

    #[test]
    fn number_word_matches_the_byte_loop() {
        // Every string of up to six bytes over the number alphabet and some terminators
        // (bytes next to the digit range, `e` and `E` neighbours, a byte with the high bit),
        // followed by each of five fills (the number ends there, goes on with digits, goes on
        // with a fraction and an exponent, digits then a fraction, digits then an exponent), with the document cut at the string's end, two bytes
        // and eight bytes later, and at 16: the word path against the byte loop, same end, same
        // error, same offset.
        // Six-byte strings use a smaller alphabet (the grammar's bytes and two terminators):
        // the full one at six bytes is 58 M cases, ~20 s in a debug build, run three times in CI.
        const ALPHA: &[u8] = b"01.eE+-,]/:d\xb0";
        const ALPHA6: &[u8] = b"01.e+-,\xb0";
        // The last two: digits past the word that end in a `.` or an exponent.
        const FILLS: [&[u8]; 5] = [
            b"        ",
            b"12345678",
            b".5e+5   ",
            b"1234.5e5",
            b"12e+5.5 ",
        ];
        let mut buf = [0u8; 24];
        let mut checked = 0u32;
        for len in 1..=6u32 {
            let alpha = if len < 6 { ALPHA } else { ALPHA6 };
            for code in 0..(alpha.len() as u32).pow(len) {
                let mut x = code;
                for slot in buf.iter_mut().take(len as usize) {
                    *slot = alpha[(x % alpha.len() as u32) as usize];
                    x /= alpha.len() as u32;
                }
                // The scanner only calls it on `-` or a digit; any first byte must still match.
                for fill in FILLS {
                    let n = len as usize;
                    buf[n..n + 8].copy_from_slice(fill);
                    buf[n + 8..].fill(b' ');
                    for end in [n, n + 2, n + 8, 16] {
                        let d = &buf[..end.max(n)];
                        assert_eq!(
                            number_at(d, 0).is_none(),
                            !matches!(d.first(), Some(b'-' | b'0'..=b'9')),
                            "{d:?}"
                        );
                        let fast = scan_number_fast(d, 0).map_err(|e| (e.kind, e.offset));
                        let slow = scan_number(d, 0).map_err(|e| (e.kind, e.offset));
                        assert_eq!(fast, slow, "{d:?}");
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(
            checked,
            (1..=5).map(|l| 13u32.pow(l) * 20).sum::<u32>() + 8u32.pow(6) * 20
        );
        // Every digit in every position of the shapes the word path takes.
        for d in 0..=9u8 {
            for shape in [
                &b"D"[..],
                b"-D",
                b"DD",
                b"D.D",
                b"-D.DeD",
                b"DeD",
                b"DE+D",
                b"D.DDDD",
            ] {
                let mut doc: [u8; 12] = *b"            ";
                for (slot, &s) in doc.iter_mut().zip(shape) {
                    *slot = if s == b'D' { b'0' + d } else { s };
                }
                let fast = scan_number_fast(&doc, 0).map_err(|e| (e.kind, e.offset));
                assert_eq!(fast, scan_number(&doc, 0).map_err(|e| (e.kind, e.offset)));
            }
        }
        // Exact values, not only agreement.
        let at = |s: &str| scan_number_fast(s.as_bytes(), 0).map_err(|e| (e.kind, e.offset));
        assert_eq!(at("57.123,1        "), Ok(6));
        assert_eq!(at("-3.456e-7]      "), Ok(9));
        assert_eq!(at("1764432000,     "), Ok(10));
        assert_eq!(at("-0.5E+2,        "), Ok(7));
        assert_eq!(at("01,             "), Ok(1));
        assert_eq!(at("1.5.2           "), Ok(3));
        assert_eq!(at("1.e5            "), Err((K::InvalidNumber, 2)));
        assert_eq!(at("-x              "), Err((K::InvalidNumber, 1)));
        assert_eq!(at("2e+             "), Err((K::InvalidNumber, 3)));
        assert_eq!(at("2e+"), Err((K::UnexpectedEnd, 3)));
    }

    #[test]
    fn swar_masks_are_exact() {
        // Every byte value in every lane, against the byte-at-a-time definitions.
        for b in 0..=255u8 {
            for lane in 0..8 {
                let mut w = [b'a'; 8];
                w[lane] = b;
                let w = u64::from_le_bytes(w);
                let bit = 0x80u64 << (8 * lane);
                assert_eq!(
                    non_ws_mask(w) & bit != 0,
                    !is_ws(b),
                    "ws {b:#x} lane {lane}"
                );
                assert_eq!(
                    non_digit_mask(w) & bit != 0,
                    !b.is_ascii_digit(),
                    "digit {b:#x} lane {lane}"
                );
                assert_eq!(
                    eq_mask(w, b'"') & bit != 0,
                    b == b'"',
                    "eq {b:#x} lane {lane}"
                );
            }
        }
        assert_eq!(skip_ws(b" \n\r\t        \t x", 0), 14);
        assert_eq!(digits(b"1234567890123,", 0), 13);
        assert_eq!(digits(b"12", 0), 2);
    }

    #[test]
    fn string_stop_matches_bytes() {
        // Every stop position in documents long enough for each path (16, 8, 1 bytes).
        for len in 0..40 {
            for at in 0..=len {
                for &stop in &[b'"', b'\\', 0x1f, 0x80, 0xe4] {
                    let mut buf = [b'x'; 40];
                    let d = &mut buf[..len];
                    if at < len {
                        d[at] = stop;
                    }
                    let d = &*d;
                    let want_utf8 = if stop >= 0x80 { len } else { at };
                    assert_eq!(string_stop::<true>(d, 0), want_utf8, "{len} {at} {stop:#x}");
                    assert_eq!(string_stop::<false>(d, 0), at, "{len} {at} {stop:#x}");
                }
            }
        }
    }

    /// The string grammar one byte at a time (the definition the block scan must match).
    fn string_by_bytes(doc: &[u8], mut p: usize) -> Result<(usize, bool), ParseError> {
        let mut escaped = false;
        loop {
            match doc.get(p) {
                None => return Err(err(K::UnexpectedEnd, p)),
                Some(b'"') => return Ok((p + 1, escaped)),
                Some(b'\\') => {
                    escaped = true;
                    p = scan_escape(doc, p)?;
                }
                Some(&b) if b < 0x20 => return Err(err(K::ControlCharInString, p)),
                Some(_) => p += 1,
            }
        }
    }

    #[test]
    fn string_blocks_match_the_byte_scan() {
        // Every string of up to four symbols (escapes, quotes, controls, non-ASCII), at every
        // offset from a sixteen-byte block boundary, with and without text after it.
        // `#` and `]` are one above `"` and `\`: the bytes a SWAR borrow can flag.
        let alpha: [&[u8]; 11] = [
            b"a",
            b"\"",
            b"\\",
            b"n",
            b"u",
            b"\\u00e9",
            b"\x1f",
            "é".as_bytes(),
            b"\\\"",
            b"#",
            b"]",
        ];
        let mut buf = [0u8; 64];
        for len in 0..=4u32 {
            for code in 0..11u32.pow(len) {
                for lead in 0..=18 {
                    for tail in [&b"\""[..], b"xxxxxxxxxxxxxxxxxxx\""] {
                        buf[..lead].fill(b'a');
                        let mut n = lead;
                        let mut x = code;
                        for _ in 0..len {
                            let sym = alpha[(x % 11) as usize];
                            buf[n..n + sym.len()].copy_from_slice(sym);
                            n += sym.len();
                            x /= 11;
                        }
                        buf[n..n + tail.len()].copy_from_slice(tail);
                        for d in [&buf[..n], &buf[..n + tail.len()]] {
                            let want = string_by_bytes(d, 0);
                            assert_eq!(scan_string::<true>(d, 0), want, "{d:?}");
                            assert_eq!(scan_string::<false>(d, 0), want, "{d:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn bytes_a_borrow_flags_are_not_stops() {
        // `#` after an escaped `"` and `]` after an escaped `\` in one word.
        let d = b"ab\\\"#cd\\\\]ef\"xxxxxxxxxxxxxxxx";
        assert_eq!(scan_string::<true>(d, 0), Ok((13, true)));
        assert_eq!(scan_string::<false>(d, 0), Ok((13, true)));
        assert_eq!(
            scan_string::<true>(b"\\\\]]]]]]\"       ", 0),
            Ok((9, true))
        );
    }

    #[test]
    fn kind_stack_runs() {
        let mut s = KindStack::new();
        for i in 0..RUNS {
            assert!(s.push(i % 2 == 0));
        }
        assert!(!s.push(RUNS.is_multiple_of(2)));
        assert!(s.push(RUNS % 2 == 1));
        for i in (0..RUNS).rev() {
            assert_eq!(s.top_is_obj(), i % 2 == 0);
            s.pop();
            if i == RUNS - 1 {
                s.pop();
            }
        }
        assert_eq!(s.runs, 0);
    }
}
