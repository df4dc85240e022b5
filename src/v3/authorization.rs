//! The TC3 `Authorization` header value: writing it, and parsing it without copying.
//!
//! `TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request, SignedHeaders=a;b, Signature=HEX`

use crate::encode::Sink;
use core::fmt;

const PREFIX: &[u8] = b"TC3-HMAC-SHA256 Credential=";

/// Writes an `Authorization` value with the SDKs' exact separators (`", "`).
pub fn write_authorization<S: Sink + ?Sized>(
    out: &mut S,
    secret_id: &str,
    date: &[u8],
    service: &str,
    signed_headers: &str,
    signature_hex: &str,
) {
    write_authorization_parts(
        out,
        secret_id,
        date,
        service,
        |o| o.put(signed_headers.as_bytes()),
        signature_hex,
    );
}

/// Like [`write_authorization`], with the SignedHeaders list written by `signed_headers`
/// (e.g. straight from the header entries, without an intermediate buffer).
pub fn write_authorization_parts<S: Sink + ?Sized>(
    out: &mut S,
    secret_id: &str,
    date: &[u8],
    service: &str,
    signed_headers: impl FnOnce(&mut S),
    signature_hex: &str,
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

/// Which part of an `Authorization` value is wrong. Its `Display` never echoes the input.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthorizationError {
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
    /// The SignedHeaders list is empty, has an empty name, or a non-token character.
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

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn as_str(b: &[u8]) -> &str {
    // Only called on slices already checked to be ASCII.
    core::str::from_utf8(b).unwrap_or("")
}

/// Strips `,` then an optional single space then `key` from `rest`.
fn strip_sep<'a>(rest: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let rest = rest.strip_prefix(b",")?;
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    rest.strip_prefix(key)
}

/// Parses an `Authorization` value, consuming all of it or failing.
///
/// Accepted: `TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request,` then `" "` or nothing,
/// `SignedHeaders=a;b,` then `" "` or nothing, `Signature=<64 lowercase hex>`, nothing after.
pub fn parse(value: &[u8]) -> Result<Authorization<'_>, AuthorizationError> {
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

    let rest =
        strip_sep(rest, b"SignedHeaders=").ok_or(AuthorizationError::SignedHeadersMissing)?;
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

    let rest = strip_sep(rest, b"Signature=").ok_or(AuthorizationError::SignatureMissing)?;
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
        secret_id: as_str(id),
        date: as_str(date),
        service: as_str(service),
        signed_headers: as_str(signed),
        signature_hex: as_str(sig),
    })
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
}
