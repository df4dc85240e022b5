//! The request view: what a gateway fills from any HTTP library (method, path, raw query,
//! headers, body), and the checks on its shape shared by both signature versions.

use crate::v3::Payload;

/// The result of looking a header up by name.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Lookup<'h> {
    /// The request has no such header.
    Absent,
    /// Exactly one header of that name, with this value.
    One(&'h [u8]),
    /// The header is present more than once (ambiguous: never accepted where it matters).
    Many,
}

/// Read access to a request's headers. `name` is given in lowercase; implementations compare
/// ASCII case-insensitively and must report every header of that exact name (`-` and `_`
/// are different characters: the verifier looks the `_` spellings up itself and refuses a
/// request that carries one beside the `-` spelling).
///
/// ```
/// use tc3::verify::{Headers, Lookup};
/// let h: &[(&str, &[u8])] = &[("Host", b"cvm.tencentcloudapi.com"), ("X-A", b"1"), ("x-a", b"2")];
/// assert_eq!(h.lookup("host"), Lookup::One(b"cvm.tencentcloudapi.com"));
/// assert_eq!(h.lookup("x-a"), Lookup::Many);
/// assert_eq!(h.lookup("x-b"), Lookup::Absent);
/// ```
pub trait Headers {
    /// The value(s) of header `name`.
    fn lookup(&self, name: &str) -> Lookup<'_>;

    /// [`lookup`](Headers::lookup), and whether the request also carries `name`
    /// (lowercase, with `-`) spelled with some of its `-` as `_` (`X_TC_Action` or
    /// `X-TC_Action` for `x-tc-action`), which some servers treat as the same header. Names
    /// with more than 4 dashes are checked for the all-`_` spelling only; names longer than
    /// 64 bytes are not checked.
    ///
    /// The provided method looks every spelling up with [`Headers::lookup`]; the slice
    /// implementations answer both in one pass, comparing names eight bytes at a time.
    ///
    /// ```
    /// use tc3::verify::{Headers, Lookup};
    /// let h: &[(&str, &[u8])] = &[("Host", b"a"), ("X-TC_Action", b"b")];
    /// assert_eq!(h.lookup_spelled("x-tc-action"), (Lookup::Absent, true));
    /// assert_eq!(h.lookup_spelled("host"), (Lookup::One(b"a"), false));
    /// assert_eq!(h.lookup_spelled("x-tc-version"), (Lookup::Absent, false));
    /// ```
    fn lookup_spelled(&self, name: &str) -> (Lookup<'_>, bool) {
        let bytes = name.as_bytes();
        let mut buf = heapless::String::<64>::new();
        if bytes.len() > buf.capacity() {
            return (self.lookup(name), false);
        }
        let dashes = bytes.iter().filter(|&&b| b == b'-').count();
        let variants: u32 = if dashes > 4 { 1 } else { (1u32 << dashes) - 1 };
        for v in 1..=variants {
            let mask = if dashes > 4 { u32::MAX } else { v };
            buf.clear();
            for (d, part) in name.split('-').enumerate() {
                if d > 0 {
                    let sep = if (mask >> (d - 1)) & 1 != 0 { '_' } else { '-' };
                    // at most 64 bytes in all: checked above
                    let _ = buf.push(sep);
                }
                let _ = buf.push_str(part);
            }
            if self.lookup(&buf) != Lookup::Absent {
                return (self.lookup(name), true);
            }
        }
        (self.lookup(name), false)
    }
}

/// [`Headers::lookup_spelled`] over a slice of pairs, in one pass: one length comparison
/// per header, the bytes only for names of the same length.
fn lookup_spelled_slice<'h, V: AsRef<[u8]>>(
    pairs: &'h [(&str, V)],
    name: &str,
) -> (Lookup<'h>, bool) {
    let want = name.as_bytes();
    let check_other = want.len() <= 64;
    let mut found = Lookup::Absent;
    let mut other = false;
    for (k, v) in pairs {
        let kb = k.as_bytes();
        if kb.len() != want.len() {
            continue;
        }
        match compare_folded_words(kb, want) {
            Some(true) => {
                found = match found {
                    Lookup::Absent => Lookup::One(v.as_ref()),
                    _ => Lookup::Many,
                };
                continue;
            }
            Some(false) => continue,
            None => {}
        }
        let mut exact = true;
        let mut underscore = false;
        for (&a, &w) in kb.iter().zip(want) {
            // the usual cases first (`want` is lowercase by contract), then any case
            if a == w || (a | 0x20 == w && w.is_ascii_lowercase()) || a.eq_ignore_ascii_case(&w) {
                continue;
            }
            exact = false;
            if w == b'-' && a == b'_' {
                underscore = true;
            } else {
                underscore = false;
                break;
            }
        }
        if exact {
            found = match found {
                Lookup::Absent => Lookup::One(v.as_ref()),
                _ => Lookup::Many,
            };
        } else if underscore && check_other && !other {
            // a `_` for some `-` and otherwise equal; names with more than 4 dashes: the
            // all-`_` spelling only (rare: checked again byte by byte)
            other = underscore_spelling_in(core::slice::from_ref(&(*k, ())), name);
        }
    }
    (found, other)
}

/// `kb` and `want`, ASCII uppercase folded to lowercase, compared (same length, at least 4
/// bytes) eight bytes per step: `Some(true)` when equal; `Some(false)` when a word differs
/// and `kb` has no `_` in it (so `kb` is neither `want` nor one of its `_` spellings);
/// `None` for anything else (shorter names, a non-ASCII byte, a difference in a word of `kb`
/// with a `_`): the caller then compares byte by byte. Where this answers, the byte comparison
/// gives the same answer; it only decides the common cases faster.
#[inline]
fn compare_folded_words(kb: &[u8], want: &[u8]) -> Option<bool> {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let n = kb.len();
    if n < 4 || n != want.len() {
        return None;
    }
    // 4-7 bytes: the first four and the last four in one word (they overlap)
    let word = |b: &[u8], at: usize| {
        if n < 8 {
            let half = |i: usize| {
                b.get(i..i.wrapping_add(4))
                    .and_then(|w| <[u8; 4]>::try_from(w).ok())
                    .map(u32::from_le_bytes)
            };
            Some(u64::from(half(0)?) | u64::from(half(n - 4)?) << 32)
        } else {
            b.get(at..at.wrapping_add(8))
                .and_then(|w| <[u8; 8]>::try_from(w).ok())
                .map(u64::from_le_bytes)
        }
    };
    let mut at = 0;
    loop {
        // the last word overlaps the one before it when the length is not a multiple of 8
        let at_now = at.min(n.saturating_sub(8));
        let (a, w) = (word(kb, at_now)?, word(want, at_now)?);
        if (a | w) & HIGH != 0 {
            return None;
        }
        // bytes < 0x80 (checked): b + 0x3f has its top bit set from `A` up, b + 0x25 from `[`
        let upper = |x: u64| x.wrapping_add(0x3f * LOW) & !x.wrapping_add(0x25 * LOW) & HIGH;
        if a | (upper(a) >> 2) != w {
            // a `_` byte in `a` (a zero byte of `a ^ '_'`, exact as bytes < 0x80), or an
            // uppercase letter in `want` (against its contract): undecided
            let x = a ^ (0x5f * LOW);
            let underscore = !x.wrapping_add(0x7f * LOW) & HIGH;
            return if underscore | upper(w) == 0 {
                Some(false)
            } else {
                None
            };
        }
        if at_now + 8 >= n {
            return Some(true);
        }
        at += 8;
    }
}

/// Whether `name` is spelled with `_` for some of its `-` in a slice of pairs: one length comparison per
/// header, the bytes only when the lengths are equal.
fn underscore_spelling_in<V>(pairs: &[(&str, V)], name: &str) -> bool {
    let want = name.as_bytes();
    if want.len() > 64 {
        return false;
    }
    let mut all: Option<bool> = None;
    for (k, _) in pairs {
        let k = k.as_bytes();
        if k.len() != want.len() {
            continue;
        }
        let mut underscore = false;
        let mut same = true;
        for (&a, &w) in k.iter().zip(want) {
            if w == b'-' && a == b'_' {
                underscore = true;
            } else if !a.eq_ignore_ascii_case(&w) {
                same = false;
                break;
            }
        }
        if !(same && underscore) {
            continue;
        }
        // more than 4 dashes: the all-`_` spelling only
        let many = *all.get_or_insert_with(|| want.iter().filter(|&&b| b == b'-').count() > 4);
        if !many || k.iter().zip(want).all(|(&a, &w)| w != b'-' || a == b'_') {
            return true;
        }
    }
    false
}

/// [`Headers::lookup`] over a slice of pairs: one length comparison per header, the bytes
/// only when the lengths are equal.
fn lookup_slice<'h, V: AsRef<[u8]>>(pairs: &'h [(&str, V)], name: &str) -> Lookup<'h> {
    let want = name.as_bytes();
    let mut found = Lookup::Absent;
    for (k, v) in pairs {
        if k.len() != want.len() || !k.as_bytes().eq_ignore_ascii_case(want) {
            continue;
        }
        if !matches!(found, Lookup::Absent) {
            return Lookup::Many;
        }
        found = Lookup::One(v.as_ref());
    }
    found
}

impl Headers for [(&str, &[u8])] {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        lookup_slice(self, name)
    }

    fn lookup_spelled(&self, name: &str) -> (Lookup<'_>, bool) {
        lookup_spelled_slice(self, name)
    }
}

impl Headers for [(&str, &str)] {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        lookup_slice(self, name)
    }

    fn lookup_spelled(&self, name: &str) -> (Lookup<'_>, bool) {
        lookup_spelled_slice(self, name)
    }
}

impl<H: Headers + ?Sized> Headers for &H {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        (**self).lookup(name)
    }

    fn lookup_spelled(&self, name: &str) -> (Lookup<'_>, bool) {
        (**self).lookup_spelled(name)
    }
}

#[cfg(feature = "http")]
impl Headers for ::http::HeaderMap {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        let mut it = self.get_all(name).iter();
        match (it.next(), it.next()) {
            (None, _) => Lookup::Absent,
            (Some(v), None) => Lookup::One(v.as_bytes()),
            (Some(_), Some(_)) => Lookup::Many,
        }
    }
}

/// What the verifier needs to know about a received request. Borrowed, filled from any
/// HTTP library.
///
/// ```
/// use tc3::v3::Payload;
/// use tc3::verify::RequestView;
/// let headers: &[(&str, &[u8])] = &[("Host", b"cvm.tencentcloudapi.com")];
/// let req = RequestView::new("GET", "/", Some("Action=DescribeInstances"), headers, Payload::Bytes(b""));
/// assert_eq!(req.path, "/");
/// ```
#[derive(Copy, Clone, Debug)]
pub struct RequestView<'a, H: ?Sized = [(&'a str, &'a [u8])]> {
    /// The HTTP method as received (`GET` / `POST`; anything else is refused).
    pub method: &'a str,
    /// The request path, without the query (`/` normally). The default [`Policy`] requires
    /// it to be the signed canonical URI.
    ///
    /// [`Policy`]: crate::verify::Policy
    pub path: &'a str,
    /// The raw query string after `?`, as received (`None` when there was no `?`).
    pub query: Option<&'a str>,
    /// The headers.
    pub headers: &'a H,
    /// The body as the gateway has it: the exact bytes received, or their SHA-256 computed
    /// while streaming them (enough for TC3; a legacy POST needs the form body itself), or
    /// [`Payload::Unsigned`] when the gateway did not read it (enough only for a TC3
    /// `UNSIGNED-PAYLOAD` request; otherwise [`VerifyError::BodyUnavailable`]).
    ///
    /// [`VerifyError::BodyUnavailable`]: crate::verify::VerifyError::BodyUnavailable
    pub body: Payload<'a>,
}

impl<'a, H: Headers + ?Sized> RequestView<'a, H> {
    /// A request view.
    pub fn new(
        method: &'a str,
        path: &'a str,
        query: Option<&'a str>,
        headers: &'a H,
        body: Payload<'a>,
    ) -> Self {
        RequestView {
            method,
            path,
            query,
            headers,
            body,
        }
    }

    /// The header `name` (lowercase).
    pub fn header(&self, name: &str) -> Lookup<'a> {
        self.headers.lookup(name)
    }

    /// Whether the request carries header `name` (lowercase, with `-`) also under another
    /// spelling that some servers treat as the same header: any of its `-` written as `_`
    /// (`X_TC_Action` beside or instead of `X-TC-Action`). Names with more than 4 dashes are
    /// checked for the all-`_` spelling only.
    pub(crate) fn has_other_spelling(&self, name: &str) -> bool {
        self.headers.lookup_spelled(name).1
    }

    /// The header `name` (lowercase, with `-`), or `None` when the request also carries it
    /// under another spelling (see [`has_other_spelling`](Self::has_other_spelling)).
    pub(crate) fn header_one_spelling(&self, name: &str) -> Option<Lookup<'a>> {
        match self.headers.lookup_spelled(name) {
            (_, true) => None,
            (found, false) => Some(found),
        }
    }
}

/// Trims ASCII space and tab at both ends (HTTP optional whitespace).
pub(crate) fn trim_ows(v: &[u8]) -> &[u8] {
    let start = v
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(start, |i| i + 1);
    v.get(start..end).unwrap_or(&[])
}

/// Whether a `Content-Type` value is `application/x-www-form-urlencoded` (case-insensitive,
/// parameters such as `; charset=utf-8` allowed).
pub(crate) fn is_form_content_type(v: &[u8]) -> bool {
    let media = v.split(|&b| b == b';').next().unwrap_or(&[]);
    trim_ows(media).eq_ignore_ascii_case(b"application/x-www-form-urlencoded")
}

/// Whether a `Content-Type` value carries a `boundary=` parameter with an uppercase letter:
/// the boundary is case-sensitive (RFC 2046), so a signature over its lowercased form
/// covers another boundary.
pub(crate) fn has_cased_boundary(v: &[u8]) -> bool {
    v.split(|&b| b == b';').skip(1).any(|p| {
        let p = trim_ows(p);
        p.len() > 9
            && p.get(..9)
                .is_some_and(|k| k.eq_ignore_ascii_case(b"boundary="))
            && p.iter().any(u8::is_ascii_uppercase)
    })
}

/// Whether `b` may appear in a registered name: letters, digits, `-`, `.`, `_`, `~` (the
/// unreserved bytes of RFC 3986, the table form encoding keeps as they are).
#[inline]
fn reg_name(b: u8) -> bool {
    crate::encode::unreserved(b)
}

/// Whether every byte of `v` may appear in a registered name ([`reg_name`]): eight bytes per
/// step (SWAR), the rest by the table.
fn all_reg_name(v: &[u8]) -> bool {
    const L: u64 = 0x0101_0101_0101_0101;
    const H: u64 = 0x8080_8080_8080_8080;
    let mut chunks = v.chunks_exact(8);
    let mut bad = 0u64;
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let w = u64::from_le_bytes(w);
        // per byte, on its low 7 bits (no carry between bytes): `ge(c)` is `>= c`, `eq(c)`
        // is `== c`; a byte >= 0x80 is refused by `!w`
        let low7 = w & !H;
        let ge = |c: u8| low7.wrapping_add(L * (0x80 - u64::from(c)));
        let eq = |c: u8| !(low7 ^ (L * u64::from(c))).wrapping_add(L * 0x7f);
        let ok = (ge(b'0') & !ge(b'9' + 1))
            | (ge(b'A') & !ge(b'Z' + 1))
            | (ge(b'a') & !ge(b'z' + 1))
            | (ge(b'-') & !ge(b'/')) // `-` and `.`
            | eq(b'_')
            | eq(b'~');
        bad |= !(ok & !w);
    }
    bad & H == 0 && chunks.remainder().iter().all(|&b| reg_name(b))
}

/// Whether `host` is a valid `Host` / `:authority` value (RFC 3986 `host [":" port]`
/// without userinfo): a registered name of letters, digits, `-`, `.`, `_`, `~`, an IPv4
/// address, or an IPv6 literal in brackets, then an optional decimal port. A `/`, `?`, `#`,
/// `@`, space or any other byte is refused: the legacy string to sign concatenates host and
/// path, so `api.example.com/v1` + `/users` must not pass as `api.example.com` +
/// `/v1/users`.
pub(crate) fn is_valid_authority(host: &[u8]) -> bool {
    // the usual host, a registered name without a port: eight bytes per step
    if !host.is_empty() && all_reg_name(host) {
        return true;
    }
    let (name, port) = if host.first() == Some(&b'[') {
        let Some(close) = host.iter().position(|&b| b == b']') else {
            return false;
        };
        let inner = host.get(1..close).unwrap_or(&[]);
        if inner.is_empty()
            || !inner
                .iter()
                .all(|&b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        {
            return false;
        }
        match host.get(close + 1..) {
            Some([]) | None => return true,
            Some([b':', port @ ..]) => (&[][..], Some(port)),
            Some(_) => return false,
        }
    } else {
        match host.iter().position(|&b| b == b':') {
            Some(i) => (
                host.get(..i).unwrap_or(&[]),
                Some(host.get(i + 1..).unwrap_or(&[])),
            ),
            None => (host, None),
        }
    };
    let name_ok =
        host.first() == Some(&b'[') || (!name.is_empty() && name.iter().all(|&b| reg_name(b)));
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.iter().all(u8::is_ascii_digit));
    name_ok && port_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lookup_is_case_insensitive_and_detects_duplicates() {
        let h: &[(&str, &[u8])] = &[("Host", b"a"), ("X-A", b"1"), ("x-a", b"2")];
        assert_eq!(h.lookup("host"), Lookup::One(b"a"));
        assert_eq!(h.lookup("x-a"), Lookup::Many);
        assert_eq!(h.lookup("x-b"), Lookup::Absent);
    }

    #[test]
    fn other_spellings() {
        let h: &[(&str, &[u8])] = &[("X-TC_Action", b"a")];
        let r = RequestView::new("GET", "/", None, h, Payload::Bytes(b""));
        assert!(r.has_other_spelling("x-tc-action"));
        assert!(!r.has_other_spelling("x-tc-version"));
        let h: &[(&str, &[u8])] = &[("X-TC-Action", b"a")];
        let r = RequestView::new("GET", "/", None, h, Payload::Bytes(b""));
        assert!(!r.has_other_spelling("x-tc-action"));
    }

    use std::string::String;
    use std::vec;
    use std::vec::Vec;

    /// Headers through `lookup` only: the provided `lookup_spelled`.
    struct ByLookup<'a>(&'a [(&'a str, &'a [u8])]);

    impl Headers for ByLookup<'_> {
        fn lookup(&self, name: &str) -> Lookup<'_> {
            self.0.lookup(name)
        }
    }

    #[test]
    fn underscore_spellings_one_pass_equals_every_lookup() {
        let names = [
            "authorization",
            "host",
            "content-type",
            "x-tc-action",
            "x-tc-timestamp",
            "x-tc-content-sha256",
            "a-b-c-d-e-f",
            "a_b-c",
        ];
        let mut sent: Vec<String> = Vec::new();
        for n in names {
            let dashes: Vec<usize> = n.match_indices('-').map(|(i, _)| i).collect();
            for mask in 0u32..(1 << dashes.len()) {
                let mut b = n.as_bytes().to_vec();
                for (j, &i) in dashes.iter().enumerate() {
                    if mask >> j & 1 != 0 {
                        b[i] = b'_';
                    }
                }
                sent.push(String::from_utf8(b.clone()).unwrap());
                sent.push(String::from_utf8(b.to_ascii_uppercase()).unwrap());
            }
        }
        sent.extend(
            ["x-tc-actio_", "x_tc_actionx", "x.tc.action", "content_typ"].map(String::from),
        );
        let mut checked = 0;
        for s in &sent {
            let h: Vec<(&str, &[u8])> = vec![("Host", b"h"), (s.as_str(), b"v")];
            for n in names {
                let fast = h.as_slice().lookup_spelled(n);
                let by_lookup = ByLookup(&h);
                let slow = by_lookup.lookup_spelled(n);
                assert_eq!(fast, slow, "{s} / {n}");
                assert_eq!(fast.0, h.as_slice().lookup(n), "{s} / {n}");
                checked += usize::from(fast.1);
            }
        }
        // every underscore spelling of every name is found, in both cases: content-type 1,
        // x-tc-action 3, x-tc-timestamp 3, x-tc-content-sha256 7, a-b-c-d-e-f 1 (all-`_`
        // only), a_b-c 1
        assert_eq!(checked, 2 * 16);
    }

    /// The byte-by-byte comparison of `lookup_spelled_slice`: (equal, a `_` spelling).
    fn compare_bytes(kb: &[u8], want: &[u8]) -> (bool, bool) {
        let mut exact = true;
        let mut underscore = false;
        for (&a, &w) in kb.iter().zip(want) {
            if a.eq_ignore_ascii_case(&w) {
                continue;
            }
            exact = false;
            if w == b'-' && a == b'_' {
                underscore = true;
            } else {
                return (false, false);
            }
        }
        (exact, underscore)
    }

    fn check_words(k: &[u8], want: &[u8]) -> Option<bool> {
        let fast = compare_folded_words(k, want);
        match fast {
            Some(true) => assert_eq!(compare_bytes(k, want), (true, false), "{k:?} {want:?}"),
            Some(false) => assert_eq!(compare_bytes(k, want), (false, false), "{k:?} {want:?}"),
            None => {}
        }
        fast
    }

    #[test]
    fn folded_words_agree_with_the_byte_comparison() {
        for (k, want, eq) in [
            ("X-TC-Timestamp", "x-tc-timestamp", Some(true)),
            ("x-tc-timestamp", "x-tc-timestamp", Some(true)),
            ("CONTENT-TYPE", "content-type", Some(true)),
            ("Authorization", "authorization", Some(true)),
            ("X-TC-Content-SHA256", "x-tc-content-sha256", Some(true)),
            ("Host", "host", Some(true)),
            ("HOST", "host", Some(true)),
            ("Hosts", "hosts", Some(true)),
            ("X_TC-Timestamp", "x-tc-timestamp", None),
            ("X-TC-Timestamq", "x-tc-timestamp", Some(false)),
            ("x-tc-timestamp", "X-TC-Timestamp", None), // `want` is lowercase by contract
            ("X@TC-Timestamp", "x`tc-timestamp", Some(false)),
            ("X[TC-Timestamp", "x{tc-timestamp", Some(false)),
            ("Content-Ty\u{e9}", "content-type", None),
            ("Hos", "hos", None), // under 4 bytes: byte by byte
            ("X-TC-Action", "x-tc-region", Some(false)),
            ("X-TC-Version", "content-type", Some(false)),
            ("X_TC_Version", "x-tc-version", None),
            ("X-TC-Version", "x-tc-versio", None), // lengths differ: the caller skips it
            ("Content_Type", "x-tc-version", None),
        ] {
            assert_eq!(
                check_words(k.as_bytes(), want.as_bytes()),
                eq,
                "{k} / {want}"
            );
        }
        // every byte against several wanted bytes, at each position of names of 4 to 16 bytes
        let mut decided = 0;
        for base in [&b"abcd"[..], b"abcdefg", b"abcdefghi", b"abcdefghijklmnop"] {
            for pos in 0..base.len() {
                for a in 0..=255u8 {
                    for w in [
                        b'a', b'z', b'-', b'_', b'0', b'`', b'{', b'@', b'[', b'Q', 0x80, 0xc1,
                    ] {
                        let (mut k, mut n) = (base.to_vec(), base.to_vec());
                        k[pos] = a;
                        n[pos] = w;
                        let slow = a.is_ascii() && a.eq_ignore_ascii_case(&w);
                        let fast = check_words(&k, &n);
                        if let Some(f) = fast {
                            assert_eq!(f, slow, "{pos} {a} {w}");
                            decided += 1;
                        } else {
                            // undecided only for a non-ASCII byte, a `_` or an uppercase `want`
                            assert!(
                                a >= 0x80 || w >= 0x80 || a == b'_' || w.is_ascii_uppercase(),
                                "{pos} {a} {w}"
                            );
                        }
                    }
                }
            }
        }
        assert!(decided > 40_000, "{decided}");
    }

    #[test]
    fn reg_name_words_every_byte_in_every_position() {
        let lens = [1usize, 7, 8, 9, 16, 23];
        crate::test_bytes::each_byte_at_each_position(&lens, b'a', |v, pos, b| {
            let len = v.len();
            assert_eq!(all_reg_name(&v), reg_name(b), "{len} {pos} {b}");
        });
        assert!(all_reg_name(b"cvm.tencentcloudapi.com"));
        assert!(!all_reg_name(b"cvm.tencentcloudapi.com:443"));
    }

    #[test]
    fn authorities() {
        for ok in [
            &b"cvm.tencentcloudapi.com"[..],
            b"cvm.tencentcloudapi.com:443",
            b"127.0.0.1:8080",
            b"[::1]:80",
            b"[::1]",
            b"localhost",
        ] {
            assert!(is_valid_authority(ok), "{ok:?}");
        }
        for bad in [
            &b""[..],
            b"api.example.com/v1",
            b"a@b",
            b"a b",
            b"a:",
            b"a:x",
            b"a:123456",
            b"[::1",
            b"[::1]x",
            b"a?b",
            b"a#b",
        ] {
            assert!(!is_valid_authority(bad), "{bad:?}");
        }
    }

    #[test]
    fn form_content_type() {
        assert!(is_form_content_type(b"application/x-www-form-urlencoded"));
        assert!(is_form_content_type(
            b" Application/X-WWW-Form-Urlencoded ; charset=utf-8"
        ));
        assert!(!is_form_content_type(b"application/json"));
        assert_eq!(trim_ows(b" \t a b \t"), b"a b");
        assert_eq!(trim_ows(b"   "), b"");
        assert!(has_cased_boundary(b"multipart/form-data; boundary=AbC"));
        assert!(!has_cased_boundary(b"Multipart/Form-Data; boundary=abc"));
    }
}

/// A common request value (`X-TC-Action`, `-Version`, `-Region`, `-Language`, `-Token`, or
/// the legacy parameter of that name) and whether the signature covers it.
///
/// A TC3 signature covers only the headers in `SignedHeaders` (the SDKs sign
/// `content-type;host`): an unsigned value can be swapped on a captured request without
/// breaking its signature. A legacy signature covers every parameter. For an absent value,
/// `signed` says whether its absence is covered (legacy: yes; TC3: no).
///
/// ```
/// use tc3::verify::CommonValue;
/// let v = CommonValue { value: Some("DescribeInstances"), signed: false };
/// assert_eq!(v.signed_value(), None); // do not act on an unsigned action
/// ```
#[derive(Copy, Clone, PartialEq, Eq)]
pub struct CommonValue<'a> {
    /// The value received (headers: as sent, trimmed of spaces and tabs).
    pub value: Option<&'a str>,
    /// Whether the signature covers it.
    pub signed: bool,
}

impl<'a> CommonValue<'a> {
    /// The value, only if the signature covers it.
    pub fn signed_value(&self) -> Option<&'a str> {
        if self.signed {
            self.value
        } else {
            None
        }
    }
}

impl core::fmt::Debug for CommonValue<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CommonValue")
            .field("value", &self.value)
            .field("signed", &self.signed)
            .finish()
    }
}

/// A token value for `Debug` output: present or not, never its bytes.
pub(crate) struct Redacted(pub(crate) bool);

impl core::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(if self.0 { "Some(<redacted>)" } else { "None" })
    }
}
