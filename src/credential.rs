//! Credentials: `SecretId`, `SecretKey` and the optional session token.
//!
//! The secret key lives in a fixed-capacity buffer (no allocation), is zeroized when dropped
//! and never appears in `Debug` output or error messages.

use crate::encode::check_header_value;
use crate::error::{Error, Field, Reason};
use core::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// The longest SecretId accepted (Tencent's are 36 bytes: `AKID` + 32).
pub(crate) const MAX_SECRET_ID_LEN: usize = 128;
/// The longest SecretKey accepted (Tencent's are 32 bytes; the SDK captures include a
/// 129-byte one, which the SDKs sign).
pub(crate) const MAX_SECRET_KEY_LEN: usize = 256;

/// A SecretId: the public half of an API key, sent in the `Authorization` credential.
///
/// It must be 1–128 bytes of visible ASCII without `/`, `,`, `;`, `=` or space, which would
/// make the `Credential=` field or a legacy parameter list ambiguous.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct SecretId<'a>(&'a str);

impl<'a> SecretId<'a> {
    /// The longest SecretId accepted, bytes (Tencent's are 36: `AKID` + 32).
    pub const MAX_LEN: usize = MAX_SECRET_ID_LEN;

    /// Checks and wraps a SecretId.
    pub fn new(id: &'a str) -> Result<Self, Error> {
        if id.is_empty() {
            return Err(Error::new(Field::SecretId, Reason::Empty));
        }
        if id.len() > MAX_SECRET_ID_LEN {
            return Err(Error::new(Field::SecretId, Reason::TooLong));
        }
        for &b in id.as_bytes() {
            let reason = match b {
                b'/' | b',' | b';' | b'=' | b' ' | b'&' => Reason::Reserved,
                0x21..=0x7e => continue,
                0..=0x1f | 0x7f => Reason::ControlChar,
                _ => Reason::NonAscii,
            };
            return Err(Error::new(Field::SecretId, reason));
        }
        Ok(SecretId(id))
    }

    /// The SecretId.
    pub fn as_str(&self) -> &'a str {
        self.0
    }
}

impl fmt::Display for SecretId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// A SecretKey: the secret half of an API key. Stored inline (no allocation), zeroized on
/// drop, redacted in `Debug`. It has no `PartialEq`: compare keys with
/// [`SecretKey::ct_eq`] only.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretKey {
    bytes: [u8; MAX_SECRET_KEY_LEN],
    len: usize,
}

impl SecretKey {
    /// The longest SecretKey accepted, bytes (Tencent's are 32; the SDK captures include a
    /// 129-byte one, which the SDKs sign).
    pub const MAX_LEN: usize = MAX_SECRET_KEY_LEN;

    /// Copies a secret key (1–256 bytes; any bytes, though Tencent's are ASCII).
    ///
    /// ```
    /// use tc3::SecretKey;
    /// assert!(SecretKey::new("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE").is_ok());
    /// assert_eq!(SecretKey::new("").unwrap_err().reason, tc3::Reason::Empty);
    /// ```
    pub fn new(key: &str) -> Result<Self, Error> {
        Self::from_bytes(key.as_bytes())
    }

    /// Copies a secret key given as bytes. An empty key is refused
    /// (`Error { SecretKey, Empty }`): a request signed with the empty key must never
    /// verify, whatever a key table was loaded with.
    pub fn from_bytes(key: &[u8]) -> Result<Self, Error> {
        if key.is_empty() {
            return Err(Error::new(Field::SecretKey, Reason::Empty));
        }
        if key.len() > MAX_SECRET_KEY_LEN {
            return Err(Error::new(Field::SecretKey, Reason::TooLong));
        }
        let mut bytes = [0u8; MAX_SECRET_KEY_LEN];
        #[allow(clippy::indexing_slicing)] // key.len() <= MAX_SECRET_KEY_LEN, checked above
        bytes[..key.len()].copy_from_slice(key);
        Ok(SecretKey {
            bytes,
            len: key.len(),
        })
    }

    /// The key bytes. Handle with care: they are the secret.
    pub fn expose_secret(&self) -> &[u8] {
        #[allow(clippy::indexing_slicing)] // len <= MAX_SECRET_KEY_LEN: only `new` sets it
        &self.bytes[..self.len]
    }

    /// Constant-time equality.
    pub fn ct_eq(&self, other: &SecretKey) -> bool {
        // The length of a key is not secret (Tencent's are all 32 bytes): only the bytes in
        // use are compared, in constant time for that length.
        self.len == other.len
            && bool::from(ct_eq_words(self.expose_secret(), other.expose_secret()))
    }
}

/// `subtle`'s constant-time equality of two equally long byte strings, a `u64` word (not a
/// byte) per step: the work depends on the length only. Different lengths are unequal.
pub(crate) fn ct_eq_words(a: &[u8], b: &[u8]) -> subtle::Choice {
    use subtle::ConstantTimeEq;
    if a.len() != b.len() {
        return subtle::Choice::from(0);
    }
    // Whole words by a fixed-size copy; only the tail (under 8 bytes) is padded.
    let whole = |c: &[u8]| <[u8; 8]>::try_from(c).map_or(0, u64::from_le_bytes);
    let tail = |c: &[u8]| {
        let mut w = [0u8; 8];
        if let Some(d) = w.get_mut(..c.len()) {
            d.copy_from_slice(c);
        }
        u64::from_le_bytes(w)
    };
    let (xs, ys) = (a.chunks_exact(8), b.chunks_exact(8));
    let eq = tail(xs.remainder()).ct_eq(&tail(ys.remainder()));
    xs.zip(ys)
        .fold(eq, |eq, (x, y)| eq & whole(x).ct_eq(&whole(y)))
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

/// A temporary-credential session token, sent as `X-TC-Token` (v3) or `Token` (legacy).
/// Redacted in `Debug`: it grants access like a key does.
#[derive(Copy, Clone, PartialEq, Eq)]
pub struct Token<'a>(&'a str);

impl<'a> Token<'a> {
    /// Checks and wraps a token: it travels in a header, so CR, LF, NUL, other controls and
    /// non-ASCII are refused.
    pub fn new(token: &'a str) -> Result<Self, Error> {
        check_header_value(Field::Token, token)?;
        Ok(Token(token))
    }

    /// The token.
    pub fn as_str(&self) -> &'a str {
        self.0
    }
}

impl fmt::Debug for Token<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// A full credential: SecretId, SecretKey and optional token.
#[derive(Clone, Debug)]
pub struct Credential<'a> {
    /// The SecretId.
    pub id: SecretId<'a>,
    /// The SecretKey.
    pub key: SecretKey,
    /// The session token of a temporary credential. `Some("")` is sent empty; `None` is
    /// not sent.
    pub token: Option<Token<'a>>,
}

impl<'a> Credential<'a> {
    /// A credential without a token.
    pub fn new(id: &'a str, key: &str) -> Result<Self, Error> {
        Ok(Credential {
            id: SecretId::new(id)?,
            key: SecretKey::new(key)?,
            token: None,
        })
    }

    /// Adds a session token.
    pub fn with_token(mut self, token: &'a str) -> Result<Self, Error> {
        self.token = Some(Token::new(token)?);
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::format;

    #[test]
    fn debug_is_redacted() {
        let c = Credential::new(
            "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
            "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        )
        .unwrap()
        .with_token("tok123")
        .unwrap();
        let s = format!("{c:?}");
        assert!(!s.contains("Gu5t9x"), "{s}");
        assert!(!s.contains("tok123"), "{s}");
        assert!(s.contains("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"));
    }

    #[test]
    fn bad_ids_refused() {
        assert_eq!(SecretId::new("").unwrap_err().reason, Reason::Empty);
        assert_eq!(SecretId::new("AK/ID").unwrap_err().reason, Reason::Reserved);
        assert_eq!(
            SecretId::new("AK\r\nID").unwrap_err().reason,
            Reason::ControlChar
        );
        assert_eq!(SecretId::new("AKIDé").unwrap_err().reason, Reason::NonAscii);
        assert!(Token::new("a\nb").is_err());
        assert!(SecretKey::new(&"x".repeat(257)).is_err());
    }

    /// Issue 11 item 7 (regression: accepted on the starting commit 333463a).
    #[test]
    fn empty_key_refused() {
        assert_eq!(
            SecretKey::new("").unwrap_err(),
            Error::new(Field::SecretKey, Reason::Empty)
        );
        assert!(SecretKey::from_bytes(b"").is_err());
        assert!(Credential::new("AKID", "").is_err());
    }

    #[test]
    fn ct_eq() {
        for (x, y) in [
            (&b""[..], &b""[..]),
            (b"a", b"a"),
            (b"a", b"b"),
            (b"0123456789abcdefX", b"0123456789abcdefX"),
            (b"0123456789abcdefX", b"0123456789abcdefY"),
            (b"0123456789abcdef", b"0123456789abcdeF"),
            (b"abc", b"abcd"),
            (b"abc\0", b"abc"),
        ] {
            assert_eq!(bool::from(ct_eq_words(x, y)), x == y, "{x:?} {y:?}");
        }
        let a = SecretKey::new("abc").unwrap();
        assert!(a.ct_eq(&SecretKey::new("abc").unwrap()));
        assert!(!a.ct_eq(&SecretKey::new("abd").unwrap()));
        assert!(!a.ct_eq(&SecretKey::new("ab").unwrap()));
    }
}
