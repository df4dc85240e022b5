//! The legacy signature (v1): `HmacSHA1` / `HmacSHA256` over the sorted parameter list
//! (protocol-signing.md §2).
//!
//! ```text
//! StringToSign = METHOD + host + path + "?" + join("&", key + "=" + value)   (sorted, raw values)
//! Signature    = Base64(HMAC_<SHA1|SHA256>(SecretKey, StringToSign))
//! ```
//!
//! Everything here is `no_std` and allocation-free: the caller owns the parameter storage (a
//! slice or a `heapless::Vec` of borrowed `(&str, &str)` pairs), the pairs are sorted in place,
//! the string to sign is streamed into the HMAC state, the signature lands in a fixed
//! [`LegacySignature`], and the request (GET query or POST form body) is written into a caller
//! buffer. Flattening nested parameters into pairs is in [`crate::params`].
//!
//! # The `_`→`.` key rule
//!
//! The Python and Java SDKs replace every `_` in a parameter **name** by `.` in the string to
//! sign only (the name sent is unchanged); Go, Node and PHP sign names as they are. This crate
//! follows Python/Java by default ([`KeyRule::UnderscoreAsDot`]) as protocol-signing.md §2.4
//! recommends; [`KeyRule::Raw`] signs names as sent. Official API parameter names contain no
//! `_`, so for them both rules give the same signature. A verifier should try both.
//!
//! # Example
//!
//! ```
//! use tc3::v1::{self, Common, KeyRule, SignatureMethod};
//! use tc3::{SecretId, SecretKey};
//!
//! let key = SecretKey::new("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE")?;
//! let mut common = Common::new(
//!     "DescribeInstances",
//!     "2017-03-12",
//!     1465185768,
//!     11886,
//!     SecretId::new("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE")?,
//! );
//! common.region = Some("ap-guangzhou");
//! common.signature_method = None; // the documented example sends no SignatureMethod: HmacSHA1
//!
//! let mut pairs: heapless::Vec<(&str, &str), 16> = heapless::Vec::new();
//! pairs.push(("InstanceIds.0", "ins-09dx96dg")).ok();
//! pairs.push(("Limit", "20")).ok();
//! pairs.push(("Offset", "0")).ok();
//! common.add_to(&mut pairs)?;
//!
//! let mut buf = [0u8; 512];
//! let (sig, query) = v1::sign_and_encode(
//!     "GET", "cvm.tencentcloudapi.com", "/", &mut pairs, &key, KeyRule::default(), &mut buf,
//! )?;
//! assert_eq!(sig.as_str(), "EliP9YW3pW28FpsEdkXt/+WcGeI=");
//! assert!(query.contains("&Signature=EliP9YW3pW28FpsEdkXt%2F%2BWcGeI%3D&"));
//! # Ok::<(), tc3::Error>(())
//! ```

pub mod verify;

use crate::credential::{SecretId, SecretKey, Token};
use crate::encode::{self, check_token, form_encode, BufWriter, Sink};
use crate::error::{Error, Field, Reason};
use crate::params::PairSink;
use core::fmt;
use hmac::{Hmac, Mac};

/// The legacy signature algorithm, named by the `SignatureMethod` parameter.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum SignatureMethod {
    /// `HmacSHA1` (the server's default when `SignatureMethod` is absent).
    HmacSha1,
    /// `HmacSHA256`.
    HmacSha256,
}

impl SignatureMethod {
    /// The protocol name: `HmacSHA1` or `HmacSHA256`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SignatureMethod::HmacSha1 => "HmacSHA1",
            SignatureMethod::HmacSha256 => "HmacSHA256",
        }
    }

    /// The algorithm a server applies for a received `SignatureMethod` parameter: HmacSHA256
    /// only when the value is exactly `HmacSHA256`, HmacSHA1 otherwise (absent, `HmacSHA1`,
    /// or anything else). This is the documented server rule and Go's mapping.
    pub fn from_param(value: Option<&str>) -> Self {
        match value {
            Some("HmacSHA256") => SignatureMethod::HmacSha256,
            _ => SignatureMethod::HmacSha1,
        }
    }

    /// Strict parse for senders: exactly `HmacSHA1` or `HmacSHA256`, anything else is an
    /// error (a sender should not rely on the server's fallback to SHA1).
    pub fn parse(value: &str) -> Result<Self, Error> {
        match value {
            "HmacSHA1" => Ok(SignatureMethod::HmacSha1),
            "HmacSHA256" => Ok(SignatureMethod::HmacSha256),
            _ => Err(Error::new(Field::ParamValue, Reason::Malformed)),
        }
    }
}

impl fmt::Display for SignatureMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How parameter names enter the string to sign (see the module docs).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum KeyRule {
    /// Every `_` in a name is signed as `.` (Python and Java SDKs). The default.
    #[default]
    UnderscoreAsDot,
    /// Names are signed as sent (Go, Node and PHP SDKs).
    Raw,
}

/// The common parameters of a legacy request (protocol-signing.md §2.3).
///
/// [`Common::add_to`] adds `Action`, `Version`, `Timestamp`, `Nonce`, `SecretId`, then
/// `SignatureMethod` when set, `Region` when non-empty, `Token` when set and non-empty,
/// `Language` and `RequestClient` when set. The decimal timestamp and nonce live inside this
/// value, so the pairs borrow from it.
#[derive(Clone, Debug)]
pub struct Common<'a> {
    /// `Action`, e.g. `DescribeInstances` (sent as given).
    pub action: &'a str,
    /// `Version`, e.g. `2017-03-12`.
    pub version: &'a str,
    /// `SecretId`.
    pub secret_id: SecretId<'a>,
    /// `SignatureMethod`. `None` sends no parameter, which the server reads as HmacSHA1.
    /// [`Common::new`] sets `Some(HmacSha256)`.
    pub signature_method: Option<SignatureMethod>,
    /// `Region`; sent only when `Some` and non-empty.
    pub region: Option<&'a str>,
    /// `Token` of a temporary credential; sent only when `Some` and non-empty.
    pub token: Option<Token<'a>>,
    /// `Language` (`zh-CN` / `en-US`); sent when `Some`. The Python and Go SDKs send `zh-CN`
    /// by default, the others nothing.
    pub language: Option<&'a str>,
    /// `RequestClient`; sent when `Some`.
    pub request_client: Option<&'a str>,
    timestamp: [u8; 20],
    timestamp_at: u8,
    nonce: [u8; 20],
    nonce_at: u8,
}

impl<'a> Common<'a> {
    /// Common parameters with `SignatureMethod=HmacSHA256` and nothing optional set.
    pub fn new(
        action: &'a str,
        version: &'a str,
        timestamp: u64,
        nonce: u64,
        secret_id: SecretId<'a>,
    ) -> Self {
        let mut c = Common {
            action,
            version,
            secret_id,
            signature_method: Some(SignatureMethod::HmacSha256),
            region: None,
            token: None,
            language: None,
            request_client: None,
            timestamp: [0; 20],
            timestamp_at: 20,
            nonce: [0; 20],
            nonce_at: 20,
        };
        c.set_timestamp(timestamp);
        c.set_nonce(nonce);
        c
    }

    /// Replaces the timestamp (Unix seconds).
    pub fn set_timestamp(&mut self, timestamp: u64) {
        let mut buf = [0u8; 20];
        let at = 20 - encode::decimal(timestamp, &mut buf).len();
        self.timestamp = buf;
        self.timestamp_at = at as u8;
    }

    /// Replaces the nonce.
    pub fn set_nonce(&mut self, nonce: u64) {
        let mut buf = [0u8; 20];
        let at = 20 - encode::decimal(nonce, &mut buf).len();
        self.nonce = buf;
        self.nonce_at = at as u8;
    }

    /// The decimal timestamp as sent.
    pub fn timestamp_str(&self) -> &str {
        digits(&self.timestamp, self.timestamp_at)
    }

    /// The decimal nonce as sent.
    pub fn nonce_str(&self) -> &str {
        digits(&self.nonce, self.nonce_at)
    }

    /// Adds the common parameters to `out` (see the type docs for which ones).
    ///
    /// `Action`, `Version`, `Region`, `Language` and `RequestClient` must be visible ASCII
    /// without spaces; a capacity error leaves `out` partly filled.
    pub fn add_to<'s, P: PairSink<'s> + ?Sized>(&'s self, out: &mut P) -> Result<(), Error>
    where
        'a: 's,
    {
        if self.action.is_empty() {
            return Err(Error::new(Field::Action, Reason::Empty));
        }
        check_token(Field::Action, self.action)?;
        check_token(Field::Version, self.version)?;
        out.push_pair("Action", self.action)?;
        out.push_pair("Version", self.version)?;
        out.push_pair("Timestamp", self.timestamp_str())?;
        out.push_pair("Nonce", self.nonce_str())?;
        out.push_pair("SecretId", self.secret_id.as_str())?;
        if let Some(m) = self.signature_method {
            out.push_pair("SignatureMethod", m.as_str())?;
        }
        if let Some(r) = self.region.filter(|r| !r.is_empty()) {
            check_token(Field::Region, r)?;
            out.push_pair("Region", r)?;
        }
        if let Some(t) = self.token.filter(|t| !t.as_str().is_empty()) {
            out.push_pair("Token", t.as_str())?;
        }
        if let Some(l) = self.language {
            check_token(Field::Language, l)?;
            out.push_pair("Language", l)?;
        }
        if let Some(rc) = self.request_client {
            encode::check_header_value(Field::RequestClient, rc)?;
            out.push_pair("RequestClient", rc)?;
        }
        Ok(())
    }
}

fn digits(buf: &[u8; 20], at: u8) -> &str {
    core::str::from_utf8(buf.get(at as usize..).unwrap_or(&[])).unwrap_or("")
}

/// A legacy signature: standard padded base64 of the HMAC (28 characters for HmacSHA1, 44 for
/// HmacSHA256), held inline.
///
/// Deliberately without `PartialEq`: compare a received signature with
/// [`LegacySignature::ct_eq_base64`], which runs in constant time.
#[derive(Clone, Copy)]
pub struct LegacySignature {
    buf: [u8; 44],
    len: u8,
    method: SignatureMethod,
}

impl LegacySignature {
    /// The base64 text, as it enters the `Signature` parameter before form encoding.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(self.as_bytes()).unwrap_or("")
    }

    /// The base64 text as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len as usize).unwrap_or(&[])
    }

    /// The algorithm that produced it.
    pub fn method(&self) -> SignatureMethod {
        self.method
    }

    /// Constant-time comparison with a received (already form-decoded) base64 signature.
    pub fn ct_eq_base64(&self, received: &[u8]) -> bool {
        use subtle::ConstantTimeEq;
        let mine = self.as_bytes();
        mine.len() == received.len() && bool::from(mine.ct_eq(received))
    }

    /// Writes the signature form-encoded (`/`→`%2F`, `+`→`%2B`, `=`→`%3D`).
    pub fn write_encoded<S: Sink + ?Sized>(&self, out: &mut S) {
        form_encode(self.as_bytes(), out);
    }

    fn from_mac(mac: &[u8], method: SignatureMethod) -> Self {
        let mut buf = [0u8; 44];
        let len = encode::base64(mac, &mut buf).map(|s| s.len()).unwrap_or(0);
        LegacySignature {
            buf,
            len: len as u8,
            method,
        }
    }
}

impl fmt::Debug for LegacySignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LegacySignature")
            .field("method", &self.method)
            .field("base64", &self.as_str())
            .finish()
    }
}

impl fmt::Display for LegacySignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Checks a parameter name: non-empty, no `=` or `&` (they would make the string to sign
/// ambiguous).
pub fn check_param_name(name: &str) -> Result<(), Error> {
    if name.is_empty() {
        return Err(Error::new(Field::ParamName, Reason::Empty));
    }
    if name.bytes().any(|b| b == b'=' || b == b'&') {
        return Err(Error::new(Field::ParamName, Reason::Reserved));
    }
    Ok(())
}

fn check_request_line(method: &str, host: &str, path: &str) -> Result<(), Error> {
    if method.is_empty() {
        return Err(Error::new(Field::Method, Reason::Empty));
    }
    check_token(Field::Method, method)?;
    if host.is_empty() {
        return Err(Error::new(Field::Host, Reason::Empty));
    }
    check_token(Field::Host, host)?;
    if !path.starts_with('/') {
        return Err(Error::new(Field::Uri, Reason::Malformed));
    }
    if path.bytes().any(|b| b == b'?' || b == b'#') {
        return Err(Error::new(Field::Uri, Reason::Reserved));
    }
    check_token(Field::Uri, path)
}

/// Checks that `pairs` is a valid signed set: names valid ([`check_param_name`]), strictly
/// increasing in byte order (sorted, no duplicate).
fn check_sorted(pairs: &[(&str, &str)]) -> Result<(), Error> {
    let mut prev: Option<&str> = None;
    for (k, _) in pairs {
        check_param_name(k)?;
        if let Some(p) = prev {
            match p.as_bytes().cmp(k.as_bytes()) {
                core::cmp::Ordering::Less => {}
                core::cmp::Ordering::Equal => {
                    return Err(Error::new(Field::ParamName, Reason::Duplicate))
                }
                core::cmp::Ordering::Greater => {
                    return Err(Error::new(Field::ParamName, Reason::Malformed))
                }
            }
        }
        prev = Some(k);
    }
    Ok(())
}

fn put_key<S: Sink + ?Sized>(key: &str, rule: KeyRule, out: &mut S) {
    match rule {
        KeyRule::Raw => out.put(key.as_bytes()),
        KeyRule::UnderscoreAsDot => {
            let mut first = true;
            for part in key.split('_') {
                if !first {
                    out.put(b".");
                }
                out.put(part.as_bytes());
                first = false;
            }
        }
    }
}

fn stream_string_to_sign<S: Sink + ?Sized>(
    method: &str,
    host: &str,
    path: &str,
    sorted_pairs: &[(&str, &str)],
    rule: KeyRule,
    out: &mut S,
) {
    out.put(method.as_bytes());
    out.put(host.as_bytes());
    out.put(path.as_bytes());
    out.put(b"?");
    for (i, (k, v)) in sorted_pairs.iter().enumerate() {
        if i > 0 {
            out.put(b"&");
        }
        put_key(k, rule, out);
        out.put(b"=");
        out.put(v.as_bytes());
    }
}

/// Writes the string to sign, `METHOD + host + path + "?" + k=v&...`, into any [`Sink`]
/// (a [`BufWriter`] for display, or a MAC state). `sorted_pairs` must already be sorted by
/// name in byte order, without duplicates, and must not contain `Signature`; values are
/// written raw. This is exactly what [`compute_signature`] hashes.
pub fn write_string_to_sign<S: Sink + ?Sized>(
    method: &str,
    host: &str,
    path: &str,
    sorted_pairs: &[(&str, &str)],
    rule: KeyRule,
    out: &mut S,
) -> Result<(), Error> {
    check_request_line(method, host, path)?;
    check_sorted(sorted_pairs)?;
    stream_string_to_sign(method, host, path, sorted_pairs, rule, out);
    Ok(())
}

/// Computes the signature of an already sorted parameter set (see
/// [`write_string_to_sign`] for the requirements on `sorted_pairs`). The algorithm is given
/// explicitly: a verifier derives it with [`SignatureMethod::from_param`] from the received
/// `SignatureMethod` and excludes the received `Signature` itself.
pub fn compute_signature(
    method: &str,
    host: &str,
    path: &str,
    sorted_pairs: &[(&str, &str)],
    key: &SecretKey,
    signature_method: SignatureMethod,
    rule: KeyRule,
) -> Result<LegacySignature, Error> {
    check_request_line(method, host, path)?;
    check_sorted(sorted_pairs)?;
    let bad_key = |_| Error::new(Field::SecretKey, Reason::Malformed);
    match signature_method {
        SignatureMethod::HmacSha1 => {
            let mut mac =
                Hmac::<sha1::Sha1>::new_from_slice(key.expose_secret()).map_err(bad_key)?;
            stream_string_to_sign(method, host, path, sorted_pairs, rule, &mut mac);
            Ok(LegacySignature::from_mac(
                &mac.finalize().into_bytes(),
                signature_method,
            ))
        }
        SignatureMethod::HmacSha256 => {
            let mut mac =
                Hmac::<sha2::Sha256>::new_from_slice(key.expose_secret()).map_err(bad_key)?;
            stream_string_to_sign(method, host, path, sorted_pairs, rule, &mut mac);
            Ok(LegacySignature::from_mac(
                &mac.finalize().into_bytes(),
                signature_method,
            ))
        }
    }
}

/// The bare primitive: `Base64(HMAC_<alg>(key, message))`, for a string to sign obtained
/// elsewhere (e.g. the Node SDK's `Sign.sign` test vectors). [`compute_signature`] streams the
/// string to sign instead of taking it whole.
pub fn sign_string_to_sign(
    message: &[u8],
    key: &SecretKey,
    signature_method: SignatureMethod,
) -> Result<LegacySignature, Error> {
    let bad_key = |_| Error::new(Field::SecretKey, Reason::Malformed);
    Ok(match signature_method {
        SignatureMethod::HmacSha1 => {
            let mut mac =
                Hmac::<sha1::Sha1>::new_from_slice(key.expose_secret()).map_err(bad_key)?;
            mac.update(message);
            LegacySignature::from_mac(&mac.finalize().into_bytes(), signature_method)
        }
        SignatureMethod::HmacSha256 => {
            let mut mac =
                Hmac::<sha2::Sha256>::new_from_slice(key.expose_secret()).map_err(bad_key)?;
            mac.update(message);
            LegacySignature::from_mac(&mac.finalize().into_bytes(), signature_method)
        }
    })
}

fn find<'p>(sorted_pairs: &[(&str, &'p str)], name: &str) -> Option<&'p str> {
    sorted_pairs
        .binary_search_by(|(k, _)| k.as_bytes().cmp(name.as_bytes()))
        .ok()
        .and_then(|i| sorted_pairs.get(i))
        .map(|(_, v)| *v)
}

/// Sorts `pairs` in place (byte order) and checks them as a complete request: names valid,
/// no duplicate, no `Signature`, `Nonce` and `Timestamp` present and decimal, and
/// `SignatureMethod` (if present) exactly `HmacSHA1` or `HmacSHA256`. Returns the algorithm
/// the server will use.
pub fn prepare(pairs: &mut [(&str, &str)]) -> Result<SignatureMethod, Error> {
    for (k, _) in pairs.iter() {
        check_param_name(k)?;
    }
    encode::sort_params(pairs)?;
    if find(pairs, "Signature").is_some() {
        return Err(Error::new(Field::ParamName, Reason::Reserved));
    }
    match find(pairs, "Timestamp") {
        None => return Err(Error::new(Field::Timestamp, Reason::Missing)),
        Some(t) if encode::parse_decimal(t.as_bytes()).is_none() => {
            return Err(Error::new(Field::Timestamp, Reason::Malformed))
        }
        Some(_) => {}
    }
    match find(pairs, "Nonce") {
        None => return Err(Error::new(Field::Nonce, Reason::Missing)),
        Some(n) if encode::parse_decimal(n.as_bytes()).is_none() => {
            return Err(Error::new(Field::Nonce, Reason::Malformed))
        }
        Some(_) => {}
    }
    match find(pairs, "SignatureMethod") {
        None => Ok(SignatureMethod::HmacSha1),
        Some(m) => SignatureMethod::parse(m),
    }
}

/// Signs a complete request: [`prepare`] (sort in place and check), then
/// [`compute_signature`] with the algorithm named by the `SignatureMethod` parameter
/// (HmacSHA1 when absent). After it returns, `pairs` is sorted.
pub fn sign(
    method: &str,
    host: &str,
    path: &str,
    pairs: &mut [(&str, &str)],
    key: &SecretKey,
    rule: KeyRule,
) -> Result<LegacySignature, Error> {
    let sm = prepare(pairs)?;
    compute_signature(method, host, path, pairs, key, sm, rule)
}

/// Writes the wire form of a signed request, the GET query string (without `?`) or the POST
/// form body (`Content-Type: application/x-www-form-urlencoded`): every name and value
/// form-encoded ([`encode::form_encode`]), in byte order, with `Signature=<encoded base64>`
/// at its sorted place. `sorted_pairs` must be sorted (as [`sign`] leaves them).
pub fn write_request<S: Sink + ?Sized>(
    sorted_pairs: &[(&str, &str)],
    signature: &LegacySignature,
    out: &mut S,
) {
    let mut sig_written = false;
    let mut first = true;
    let mut sep = |out: &mut S| {
        if !first {
            out.put(b"&");
        }
        first = false;
    };
    for (k, v) in sorted_pairs {
        if !sig_written && k.as_bytes() > b"Signature".as_slice() {
            sep(out);
            out.put(b"Signature=");
            signature.write_encoded(out);
            sig_written = true;
        }
        sep(out);
        form_encode(k.as_bytes(), out);
        out.put(b"=");
        form_encode(v.as_bytes(), out);
    }
    if !sig_written {
        sep(out);
        out.put(b"Signature=");
        signature.write_encoded(out);
    }
}

/// [`write_request`] into a caller buffer; a buffer too small is [`Error::capacity`].
pub fn encode_request<'o>(
    sorted_pairs: &[(&str, &str)],
    signature: &LegacySignature,
    buf: &'o mut [u8],
) -> Result<&'o str, Error> {
    let mut w = BufWriter::new(buf);
    write_request(sorted_pairs, signature, &mut w);
    w.finish_str()
}

/// [`sign`] then [`encode_request`]: the whole no_std path in one call. Returns the
/// signature and the query string / form body written into `buf`.
pub fn sign_and_encode<'o>(
    method: &str,
    host: &str,
    path: &str,
    pairs: &mut [(&str, &str)],
    key: &SecretKey,
    rule: KeyRule,
    buf: &'o mut [u8],
) -> Result<(LegacySignature, &'o str), Error> {
    let sig = sign(method, host, path, pairs, key, rule)?;
    let out = encode_request(pairs, &sig, buf)?;
    Ok((sig, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_rules() {
        assert_eq!(
            SignatureMethod::from_param(Some("HmacSHA256")),
            SignatureMethod::HmacSha256
        );
        assert_eq!(
            SignatureMethod::from_param(Some("hmacsha256")),
            SignatureMethod::HmacSha1
        );
        assert_eq!(SignatureMethod::from_param(None), SignatureMethod::HmacSha1);
        assert!(SignatureMethod::parse("HmacSHA512").is_err());
    }

    #[test]
    fn underscore_rule_streams() {
        let mut buf = [0u8; 64];
        let mut w = BufWriter::new(&mut buf);
        put_key("_a__b_", KeyRule::UnderscoreAsDot, &mut w);
        assert_eq!(w.finish().unwrap(), b".a..b.");
    }
}
