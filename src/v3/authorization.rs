//! The TC3 `Authorization` header value: writing it, and parsing it without copying.
//!
//! `TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request, SignedHeaders=a;b, Signature=HEX`

use crate::encode::Sink;
use core::fmt;

const PREFIX: &[u8] = b"TC3-HMAC-SHA256 Credential=";

/// Writes an `Authorization` value with the SDKs' exact separators (`", "`).
pub(crate) fn write_authorization<S: Sink + ?Sized>(
    secret_id: &str,
    date: &[u8],
    service: &str,
    signed_headers: &str,
    signature_hex: &str,
    out: &mut S,
) {
    write_authorization_parts(
        secret_id,
        date,
        service,
        |o| o.put(signed_headers.as_bytes()),
        signature_hex,
        out,
    );
}

/// Like [`write_authorization`], with the SignedHeaders list written by `signed_headers`
/// (e.g. straight from the header entries, without an intermediate buffer).
pub(crate) fn write_authorization_parts<S: Sink + ?Sized>(
    secret_id: &str,
    date: &[u8],
    service: &str,
    signed_headers: impl FnOnce(&mut S),
    signature_hex: &str,
    out: &mut S,
) {
    out.put(PREFIX);
    out.put(secret_id.as_bytes());
    out.put(b"/");
    out.put(date);
    out.put(b"/");
    out.put(service.as_bytes());
    out.put(b"/tc3_request, SignedHeaders=");
    signed_headers(out);
    out.put(b", Signature=");
    out.put(signature_hex.as_bytes());
}

/// [`write_authorization_parts`] with the credential scope (`date/service/tc3_request`)
/// already written (the signing path: the scope is the signing key's).
pub(crate) fn write_authorization_scope<S: Sink + ?Sized>(
    secret_id: &str,
    scope: &[u8],
    signed_headers: impl FnOnce(&mut S),
    signature_hex: &str,
    out: &mut S,
) {
    out.put(PREFIX);
    out.put(secret_id.as_bytes());
    out.put(b"/");
    out.put(scope);
    out.put(b", SignedHeaders=");
    signed_headers(out);
    out.put(b", Signature=");
    out.put(signature_hex.as_bytes());
}

/// A parsed `Authorization` value: borrowed slices of the input.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Authorization<'a> {
    /// The SecretId of the credential scope.
    pub secret_id: &'a str,
    /// The scope date, raw `YYYY-MM-DD` (shape checked, and a real calendar date).
    pub date: &'a str,
    /// The scope service.
    pub service: &'a str,
    /// The SignedHeaders list, raw (`content-type;host`).
    pub signed_headers: &'a str,
    /// The signature: 64 lowercase hex digits.
    pub signature_hex: &'a str,
}

impl<'a> Authorization<'a> {
    /// Parses an `Authorization` value, consuming all of it or failing; the parts borrow
    /// `value`.
    ///
    /// Accepted: `TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request,` then `" "` or
    /// nothing, `SignedHeaders=a;b,` then `" "` or nothing, `Signature=<64 lowercase hex>`,
    /// nothing after.
    ///
    /// ```
    /// use tc3::v3::{Authorization, AuthorizationError};
    ///
    /// let value = "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168";
    /// let a = Authorization::parse(value.as_bytes())?;
    /// assert_eq!(a.secret_id, "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE");
    /// assert_eq!((a.date, a.service), ("2019-02-25", "cvm"));
    /// assert_eq!(a.signed_headers().collect::<Vec<_>>(), ["content-type", "host"]);
    /// assert_eq!(
    ///     Authorization::parse(value.replace("2019-02-25", "2019-02-30").as_bytes()),
    ///     Err(AuthorizationError::Date)
    /// );
    /// # Ok::<(), AuthorizationError>(())
    /// ```
    pub fn parse(value: &'a [u8]) -> Result<Self, AuthorizationError> {
        parse(value)
    }

    /// Writes the value with the SDKs' exact separators (`", "`): what
    /// [`parse`](Self::parse) reads back.
    ///
    /// ```
    /// use tc3::v3::Authorization;
    ///
    /// let a = Authorization {
    ///     secret_id: "AKIDEXAMPLE",
    ///     date: "2019-02-25",
    ///     service: "cvm",
    ///     signed_headers: "content-type;host",
    ///     signature_hex: "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168",
    /// };
    /// let mut buf = [0u8; 256];
    /// let mut w = tc3::BufWriter::new(&mut buf);
    /// a.write(&mut w);
    /// let out = w.finish().unwrap();
    /// assert_eq!(
    ///     out,
    ///     b"TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
    /// );
    /// assert_eq!(Authorization::parse(out), Ok(a));
    /// ```
    pub fn write<S: Sink + ?Sized>(&self, out: &mut S) {
        write_authorization(
            self.secret_id,
            self.date.as_bytes(),
            self.service,
            self.signed_headers,
            self.signature_hex,
            out,
        );
    }

    /// The signed header names, in the order given.
    pub fn signed_headers(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.signed_headers.split(';')
    }

    /// Whether the SignedHeaders list is canonical: every name lowercase, and names strictly
    /// ascending (hence no duplicates). `parse` does not require it; a verifier decides.
    pub fn signed_headers_are_canonical(&self) -> bool {
        let mut prev: Option<&str> = None;
        for name in self.signed_headers() {
            if name.bytes().any(|b| b.is_ascii_uppercase()) {
                return false;
            }
            if let Some(p) = prev {
                if p.as_bytes() >= name.as_bytes() {
                    return false;
                }
            }
            prev = Some(name);
        }
        true
    }

    /// The signature as 32 raw bytes.
    pub fn signature_bytes(&self) -> Option<[u8; 32]> {
        crate::encode::unhex32(self.signature_hex.as_bytes())
    }
}

/// Which part of an `Authorization` value is wrong: the error of [`Authorization::parse`] and
/// the detail of [`VerifyError::MalformedAuthorization`](crate::verify::VerifyError::MalformedAuthorization).
/// Its `Display` never echoes the input.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthorizationError {
    /// The header was sent more than once (a verifier's finding; [`Authorization::parse`]
    /// sees one value).
    Duplicate,
    /// Does not start with `TC3-HMAC-SHA256 Credential=`.
    Algorithm,
    /// The SecretId is empty or contains a character that is not visible ASCII.
    SecretId,
    /// The scope date is not a `YYYY-MM-DD` calendar date.
    Date,
    /// The scope service is empty or not a token (`[A-Za-z0-9._-]`).
    Service,
    /// The scope does not end in `/tc3_request`, or has too few or too many parts.
    Scope,
    /// `, SignedHeaders=` (or `,SignedHeaders=`) is missing.
    SignedHeadersMissing,
    /// The SignedHeaders list is empty, has an empty name, or a non-token character (or, for
    /// a verifier, an uppercase or repeated name, or more names than it holds).
    SignedHeaders,
    /// `, Signature=` (or `,Signature=`) is missing.
    SignatureMissing,
    /// The signature is not exactly 64 lowercase hex digits.
    Signature,
    /// Bytes follow the signature.
    Trailing,
}

impl AuthorizationError {
    /// A short description.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Duplicate => "Authorization header is sent more than once",
            Self::Algorithm => "Authorization does not start with `TC3-HMAC-SHA256 Credential=`",
            Self::SecretId => "Authorization credential has a malformed SecretId",
            Self::Date => "Authorization credential date is not YYYY-MM-DD",
            Self::Service => "Authorization credential service is malformed",
            Self::Scope => "Authorization credential scope is not ID/DATE/SERVICE/tc3_request",
            Self::SignedHeadersMissing => "Authorization has no SignedHeaders",
            Self::SignedHeaders => "Authorization SignedHeaders list is malformed",
            Self::SignatureMissing => "Authorization has no Signature",
            Self::Signature => "Authorization Signature is not 64 lowercase hex digits",
            Self::Trailing => "Authorization has bytes after the signature",
        }
    }
}

impl fmt::Display for AuthorizationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "std")]
impl std::error::Error for AuthorizationError {}

// Byte classes for the one-pass parser (a table lookup per byte instead of range tests).
const C_VISIBLE: u8 = 1; // 0x21..=0x7e: SecretId
const C_SERVICE: u8 = 2; // [A-Za-z0-9._-]
const C_TCHAR: u8 = 4; // RFC 9110 token characters
const C_HEX: u8 = 8; // [0-9a-f]

#[allow(clippy::indexing_slicing)] // const evaluation: a bad index fails the build
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0x21;
    while b < 0x7f {
        t[b] |= C_VISIBLE;
        b += 1;
    }
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        if c.is_ascii_alphanumeric() {
            t[i] |= C_SERVICE | C_TCHAR;
        }
        if c.is_ascii_digit() || (c >= b'a' && c <= b'f') {
            t[i] |= C_HEX;
        }
        i += 1;
    }
    t[b'.' as usize] |= C_SERVICE;
    t[b'_' as usize] |= C_SERVICE;
    t[b'-' as usize] |= C_SERVICE;
    let extra = b"!#$%&'*+-.^_`|~";
    let mut j = 0;
    while j < extra.len() {
        t[extra[j] as usize] |= C_TCHAR;
        j += 1;
    }
    t
};

fn class(b: u8) -> u8 {
    // a `u8` always indexes the 256 entries
    CLASS.get(usize::from(b)).copied().unwrap_or(0)
}

/// All bytes of `part` have class bit `bit`.
fn all(part: &[u8], bit: u8) -> bool {
    part.iter().fold(bit, |acc, &b| acc & class(b)) != 0
}

/// `part` (a subslice of `whole`, all ASCII) as a subslice of `s` (`whole` as text).
fn sub<'a>(s: &'a str, whole: &[u8], part: &[u8]) -> &'a str {
    let start = (part.as_ptr() as usize).wrapping_sub(whole.as_ptr() as usize);
    s.get(start..start.wrapping_add(part.len())).unwrap_or("")
}

/// Strips `,` then an optional single space then `key` from `rest`.
fn strip_sep<'a>(rest: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let rest = rest.strip_prefix(b",")?;
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    rest.strip_prefix(key)
}

/// The credential's parts (`ID/DATE/SERVICE/tc3_request`) and what follows it (from the
/// `,`), or the error: after the prefix, up to the first `,`, exactly three `/`, the last
/// one starting `/tc3_request`. The parts are checked by the caller.
type Credential<'v> = (&'v [u8], &'v [u8], &'v [u8], &'v [u8]);

fn credential(rest: &[u8]) -> Result<Credential<'_>, AuthorizationError> {
    let comma = rest
        .iter()
        .position(|&b| b == b',')
        .ok_or(AuthorizationError::SignedHeadersMissing)?;
    let (credential, rest) = rest.split_at(comma);

    // Credential = ID/DATE/SERVICE/tc3_request: exactly three '/' before the terminator.
    let scope = credential
        .strip_suffix(b"/tc3_request")
        .ok_or(AuthorizationError::Scope)?;
    let mut parts = scope.splitn(3, |&b| b == b'/');
    let (Some(id), Some(date), Some(service)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(AuthorizationError::Scope);
    };
    if service.contains(&b'/') {
        return Err(AuthorizationError::Scope);
    }
    Ok((id, date, service, rest))
}

/// [`credential`] for the usual shape, a date of 10 bytes: the id found eight bytes per step
/// (the first `/` or `,` must be a `/`), the date by its length. `None` for anything else
/// ([`credential`] then decides): where this answers, [`credential`] gives the same parts,
/// since none of the id, date and service contains `,` or `/`.
fn credential_fast(rest: &[u8]) -> Option<Credential<'_>> {
    let slash = find_slash_or_comma(rest)?;
    let (id, after) = rest.split_at(slash);
    let after = after.strip_prefix(b"/")?;
    let (date, after) = after.split_at_checked(10)?;
    if date.iter().any(|&b| b == b'/' || b == b',') {
        return None;
    }
    let after = after.strip_prefix(b"/")?;
    let end = after.iter().position(|&b| b == b'/' || b == b',')?;
    let (service, after) = after.split_at(end);
    let after = after.strip_prefix(b"/tc3_request")?;
    if after.first() != Some(&b',') {
        return None;
    }
    Some((id, date, service, after))
}

/// The index of the first `/` in `v`, if no `,` comes before it (the id of the credential);
/// eight bytes per step.
fn find_slash_or_comma(v: &[u8]) -> Option<usize> {
    const L: u64 = 0x0101_0101_0101_0101;
    const H: u64 = 0x8080_8080_8080_8080;
    let mut at = 0;
    let mut chunks = v.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let w = u64::from_le_bytes(w);
        // the zero bytes of `w ^ c`, exact up to the first one (borrows run upwards only)
        let zero = |x: u64| x.wrapping_sub(L) & !x & H;
        let hits = zero(w ^ (L * u64::from(b'/'))) | zero(w ^ (L * u64::from(b',')));
        if hits != 0 {
            at += (hits.trailing_zeros() / 8) as usize;
            return (v.get(at) == Some(&b'/')).then_some(at);
        }
        at += 8;
    }
    let i = chunks
        .remainder()
        .iter()
        .position(|&b| b == b'/' || b == b',')?;
    at += i;
    (v.get(at) == Some(&b'/')).then_some(at)
}

/// Parses an `Authorization` value ([`Authorization::parse`]).
pub(crate) fn parse(value: &[u8]) -> Result<Authorization<'_>, AuthorizationError> {
    let rest = value
        .strip_prefix(PREFIX)
        .ok_or(AuthorizationError::Algorithm)?;
    let (id, date, service, rest) = match credential_fast(rest) {
        Some(parts) => parts,
        None => credential(rest)?,
    };
    if id.is_empty() || !crate::encode::all_in(id, 0x21, 0x7e) {
        return Err(AuthorizationError::SecretId);
    }
    if date.len() != 10 || crate::time::Date::parse(date).is_none() {
        return Err(AuthorizationError::Date);
    }
    if service.is_empty() || !all(service, C_SERVICE) {
        return Err(AuthorizationError::Service);
    }

    let rest =
        strip_sep(rest, b"SignedHeaders=").ok_or(AuthorizationError::SignedHeadersMissing)?;
    // One pass: find the ',' ending the list while checking names (non-empty tokens).
    let mut end = None;
    let mut ok = true;
    let mut prev = b';';
    for (i, &b) in rest.iter().enumerate() {
        if b == b',' {
            end = Some(i);
            break;
        }
        ok &= if b == b';' {
            prev != b';'
        } else {
            class(b) & C_TCHAR != 0
        };
        prev = b;
    }
    let comma = end.ok_or(AuthorizationError::SignatureMissing)?;
    let (signed, rest) = rest.split_at(comma);
    if !ok || prev == b';' {
        return Err(AuthorizationError::SignedHeaders);
    }

    let rest = strip_sep(rest, b"Signature=").ok_or(AuthorizationError::SignatureMissing)?;
    // the usual case: exactly 64 lowercase hex digits, checked eight at a time
    let sig = if rest.len() == 64 && crate::encode::all_lower_hex(rest) {
        rest
    } else {
        signature_slow(rest)?
    };
    // Every byte was checked to be ASCII above, so this succeeds; validated once.
    let s = core::str::from_utf8(value).map_err(|_| AuthorizationError::Trailing)?;
    Ok(Authorization {
        secret_id: sub(s, value, id),
        date: sub(s, value, date),
        service: sub(s, value, service),
        signed_headers: sub(s, value, signed),
        signature_hex: sub(s, value, sig),
    })
}

/// The signature of `rest` (after `Signature=`), or which error it is.
fn signature_slow(rest: &[u8]) -> Result<&[u8], AuthorizationError> {
    let hex_len = rest
        .iter()
        .position(|&b| class(b) & C_HEX == 0)
        .unwrap_or(rest.len());
    if hex_len < 64 {
        return Err(AuthorizationError::Signature);
    }
    if hex_len > 64 {
        return Err(AuthorizationError::Trailing);
    }
    let (sig, rest) = rest.split_at(64);
    if let Some(&b) = rest.first() {
        return Err(if b.is_ascii_hexdigit() {
            AuthorizationError::Signature
        } else {
            AuthorizationError::Trailing
        });
    }
    Ok(sig)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC_B: &str = "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168";

    #[test]
    fn parses_doc_example() {
        let a = parse(DOC_B.as_bytes()).unwrap();
        assert_eq!(a.secret_id, "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE");
        assert_eq!(a.date, "2019-02-25");
        assert_eq!(a.service, "cvm");
        assert_eq!(a.signed_headers, "content-type;host");
        assert!(a.signed_headers_are_canonical());
        assert_eq!(
            a.signature_hex,
            "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
    }

    #[test]
    fn rejects() {
        let sig = "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168";
        fn ok(s: &str) -> Result<Authorization<'_>, AuthorizationError> {
            parse(s.as_bytes())
        }
        assert_eq!(ok(""), Err(AuthorizationError::Algorithm));
        let tight = "TC3-HMAC-SHA256 Credential=a/2019-02-25/cvm/tc3_request,SignedHeaders=content-type;host,Signature=";
        assert!(ok(&[tight, sig].concat()).is_ok());
        assert_eq!(
            ok(&[tight, sig, " "].concat()),
            Err(AuthorizationError::Trailing)
        );
        assert_eq!(
            ok(&[tight, &sig.to_ascii_uppercase()].concat()),
            Err(AuthorizationError::Signature)
        );
        assert_eq!(
            ok(&[tight, &sig[..63]].concat()),
            Err(AuthorizationError::Signature)
        );
        assert_eq!(
            ok(&[tight, sig, "0"].concat()),
            Err(AuthorizationError::Trailing)
        );
        let bad_scope = DOC_B.replace("tc3_request", "tc4_request");
        assert_eq!(ok(&bad_scope), Err(AuthorizationError::Scope));
        let bad_date = DOC_B.replace("2019-02-25", "2019-02-30");
        assert_eq!(ok(&bad_date), Err(AuthorizationError::Date));
        let empty_h = DOC_B.replace("content-type;host", "content-type;;host");
        assert_eq!(ok(&empty_h), Err(AuthorizationError::SignedHeaders));
        let two_spaces = DOC_B.replace(", Signature", ",  Signature");
        assert_eq!(ok(&two_spaces), Err(AuthorizationError::SignatureMissing));
        let upper = DOC_B.replace("content-type;host", "host;Content-Type");
        assert!(!ok(&upper).unwrap().signed_headers_are_canonical());
    }

    // The parser before the one-pass rewrite: the new one must agree on every input.
    fn is_tchar(b: u8) -> bool {
        b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
    }

    fn as_str_ref(b: &[u8]) -> &str {
        // Only called on slices already checked to be ASCII.
        core::str::from_utf8(b).unwrap_or("")
    }

    fn strip_sep_ref<'a>(rest: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
        let rest = rest.strip_prefix(b",")?;
        let rest = rest.strip_prefix(b" ").unwrap_or(rest);
        rest.strip_prefix(key)
    }

    fn parse_ref(value: &[u8]) -> Result<Authorization<'_>, AuthorizationError> {
        let rest = value
            .strip_prefix(PREFIX)
            .ok_or(AuthorizationError::Algorithm)?;
        let comma = rest
            .iter()
            .position(|&b| b == b',')
            .ok_or(AuthorizationError::SignedHeadersMissing)?;
        let (credential, rest) = rest.split_at(comma);

        // Credential = ID/DATE/SERVICE/tc3_request; the id has no '/' (SecretId rule).
        let mut parts = credential.split(|&b| b == b'/');
        let id = parts.next().ok_or(AuthorizationError::Scope)?;
        let date = parts.next().ok_or(AuthorizationError::Scope)?;
        let service = parts.next().ok_or(AuthorizationError::Scope)?;
        let terminator = parts.next().ok_or(AuthorizationError::Scope)?;
        if parts.next().is_some() || terminator != b"tc3_request" {
            return Err(AuthorizationError::Scope);
        }
        if id.is_empty() || !id.iter().all(|&b| (0x21..0x7f).contains(&b)) {
            return Err(AuthorizationError::SecretId);
        }
        if date.len() != 10 || crate::time::Date::parse(date).is_none() {
            return Err(AuthorizationError::Date);
        }
        if service.is_empty()
            || !service
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        {
            return Err(AuthorizationError::Service);
        }

        let rest = strip_sep_ref(rest, b"SignedHeaders=")
            .ok_or(AuthorizationError::SignedHeadersMissing)?;
        let comma = rest
            .iter()
            .position(|&b| b == b',')
            .ok_or(AuthorizationError::SignatureMissing)?;
        let (signed, rest) = rest.split_at(comma);
        if signed.is_empty()
            || signed
                .split(|&b| b == b';')
                .any(|n| n.is_empty() || !n.iter().all(|&b| is_tchar(b)))
        {
            return Err(AuthorizationError::SignedHeaders);
        }

        let rest =
            strip_sep_ref(rest, b"Signature=").ok_or(AuthorizationError::SignatureMissing)?;
        let hex_len = rest
            .iter()
            .take_while(|&&b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            .count();
        if hex_len < 64 {
            return Err(AuthorizationError::Signature);
        }
        if hex_len > 64 {
            return Err(AuthorizationError::Trailing);
        }
        let (sig, rest) = rest.split_at(64);
        if !rest.is_empty() {
            return Err(if rest[0].is_ascii_hexdigit() {
                AuthorizationError::Signature
            } else {
                AuthorizationError::Trailing
            });
        }
        Ok(Authorization {
            secret_id: as_str_ref(id),
            date: as_str_ref(date),
            service: as_str_ref(service),
            signed_headers: as_str_ref(signed),
            signature_hex: as_str_ref(sig),
        })
    }

    #[test]
    fn slash_or_comma_every_byte_in_every_position() {
        let lens = [1usize, 7, 8, 9, 17, 36];
        crate::test_bytes::each_byte_at_each_position(&lens, b'A', |mut v, pos, b| {
            let len = v.len();
            let want = (b == b'/').then_some(pos);
            assert_eq!(find_slash_or_comma(&v), want, "{len} {pos} {b}");
            // a `/` after the byte: found when the byte is neither
            if pos + 1 < len {
                v[len - 1] = b'/';
                let want = match b {
                    b'/' => Some(pos),
                    b',' => None,
                    _ => Some(len - 1),
                };
                assert_eq!(find_slash_or_comma(&v), want, "{len} {pos} {b} /");
            }
        });
        assert_eq!(find_slash_or_comma(b""), None);
    }

    #[test]
    fn agrees_with_reference_parser_on_mutations() {
        let tight = "TC3-HMAC-SHA256 Credential=a/2019-02-25/cvm/tc3_request,SignedHeaders=content-type;host,Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168";
        let subst: &[u8] = b",; /=_-.AaF0x\t\x7f\x80\xff\xc3";
        let (mut n, mut fast_answers) = (0, 0);
        for base in [DOC_B.as_bytes(), tight.as_bytes()] {
            for i in 0..=base.len() {
                let mut cands: std::vec::Vec<std::vec::Vec<u8>> = std::vec::Vec::new();
                cands.push([&base[..i], &base[(i + 1).min(base.len())..]].concat());
                cands.push(base[..i].to_vec());
                for &b in subst {
                    let mut v = base.to_vec();
                    if i < v.len() {
                        v[i] = b;
                        cands.push(v);
                    }
                    cands.push([&base[..i], &[b][..], &base[i..]].concat());
                }
                for v in &cands {
                    assert_eq!(
                        parse(v),
                        parse_ref(v),
                        "{:?}",
                        std::string::String::from_utf8_lossy(v)
                    );
                    // where the fast credential path answers, the general one agrees
                    let rest = v.strip_prefix(PREFIX).unwrap_or(v);
                    if let Some(fast) = credential_fast(rest) {
                        assert_eq!(Ok(fast), credential(rest));
                        fast_answers += 1;
                    }
                    n += 1;
                }
            }
        }
        assert!(n > 10_000);
        assert!(fast_answers > n / 2, "{fast_answers} of {n}");
    }
}
