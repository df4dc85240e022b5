//! The legacy signature (v1): `HmacSHA1` / `HmacSHA256` over the sorted parameter list
//! (docs/protocol-signing.md §2).
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
//! follows Python/Java by default ([`KeyRule::UnderscoreAsDot`]) as docs/protocol-signing.md §2.4
//! recommends; [`KeyRule::Raw`] signs names as sent. Official API parameter names contain no
//! `_`, so for them both rules give the same signature. A verifier should try both.
//!
//! # Example
//!
//! ```
//! use tc3::v1::{self, Common, Request};
//! use tc3::{SecretId, SecretKey};
//!
//! let key = SecretKey::new("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE")?;
//! let common = Common::new(
//!     "DescribeInstances",
//!     "2017-03-12",
//!     1465185768,
//!     11886,
//!     SecretId::new("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE")?,
//! )
//! .with_region("ap-guangzhou")
//! .with_signature_method(None); // the documented example sends no SignatureMethod: HmacSHA1
//!
//! let mut pairs: heapless::Vec<(&str, &str), 16> = heapless::Vec::new();
//! pairs.push(("InstanceIds.0", "ins-09dx96dg")).ok();
//! pairs.push(("Limit", "20")).ok();
//! pairs.push(("Offset", "0")).ok();
//! common.add_to(&mut pairs)?;
//!
//! let sig = v1::sign(&Request::get("cvm.tencentcloudapi.com"), &mut pairs, &key)?;
//! assert_eq!(sig.as_str(), "EliP9YW3pW28FpsEdkXt/+WcGeI=");
//!
//! // the query string, into a caller buffer
//! let mut buf = [0u8; 512];
//! let mut w = tc3::BufWriter::new(&mut buf);
//! v1::write_request(&pairs, &sig, &mut w);
//! let query = w.finish_str()?;
//! assert!(query.contains("&Signature=EliP9YW3pW28FpsEdkXt%2F%2BWcGeI%3D&"));
//! # Ok::<(), tc3::Error>(())
//! ```

pub(crate) mod verify;

use crate::credential::{SecretId, SecretKey, Token};
use crate::encode::{self, check_token, form_encode, Sink};
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

/// The common parameters of a legacy request (docs/protocol-signing.md §2.3).
///
/// [`Common::add_to`] adds `Action`, `Version`, `Timestamp`, `Nonce`, `SecretId`, then
/// `SignatureMethod` when set, `Region` when non-empty, `Token` when set and non-empty,
/// `Language` and `RequestClient` when set. The decimal timestamp and nonce live inside this
/// value, so the pairs borrow from it. Optional parameters are set with the `with_*` builders.
///
/// ```
/// use tc3::v1::{Common, SignatureMethod};
/// let c = Common::new("DescribeZones", "2017-03-12", 1700000000, 7, tc3::SecretId::new("AKID")?)
///     .with_region("ap-guangzhou")
///     .with_signature_method(Some(SignatureMethod::HmacSha1));
/// let mut pairs: heapless::Vec<(&str, &str), 8> = heapless::Vec::new();
/// c.add_to(&mut pairs)?;
/// assert_eq!(pairs[2], ("Timestamp", "1700000000"));
/// assert_eq!(pairs[5], ("SignatureMethod", "HmacSHA1"));
/// assert_eq!(pairs[6], ("Region", "ap-guangzhou"));
/// # Ok::<(), tc3::Error>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
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
    timestamp: Decimal,
    nonce: Decimal,
}

/// The decimal text of a `u64` (at most 20 digits).
type Decimal = heapless::String<20>;

fn decimal_text(n: u64) -> Decimal {
    use core::fmt::Write as _;
    let mut s = Decimal::new();
    // 20 bytes hold every u64 (`u64::MAX` has 20 digits), so this cannot fail.
    let _ = write!(s, "{n}");
    s
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
        Common {
            action,
            version,
            secret_id,
            signature_method: Some(SignatureMethod::HmacSha256),
            region: None,
            token: None,
            language: None,
            request_client: None,
            timestamp: decimal_text(timestamp),
            nonce: decimal_text(nonce),
        }
    }

    /// With another `SignatureMethod` (`None` sends none: the server uses HmacSHA1).
    pub fn with_signature_method(mut self, method: Option<SignatureMethod>) -> Self {
        self.signature_method = method;
        self
    }

    /// With a `Region`.
    pub fn with_region(mut self, region: &'a str) -> Self {
        self.region = Some(region);
        self
    }

    /// With the `Token` of a temporary credential.
    pub fn with_token(mut self, token: Token<'a>) -> Self {
        self.token = Some(token);
        self
    }

    /// With a `Language` (`zh-CN` / `en-US`).
    pub fn with_language(mut self, language: &'a str) -> Self {
        self.language = Some(language);
        self
    }

    /// With a `RequestClient`.
    pub fn with_request_client(mut self, request_client: &'a str) -> Self {
        self.request_client = Some(request_client);
        self
    }

    /// With another timestamp (Unix seconds).
    pub fn with_timestamp(mut self, timestamp: u64) -> Self {
        self.set_timestamp(timestamp);
        self
    }

    /// With another nonce.
    pub fn with_nonce(mut self, nonce: u64) -> Self {
        self.set_nonce(nonce);
        self
    }

    /// Replaces the timestamp (Unix seconds).
    pub fn set_timestamp(&mut self, timestamp: u64) {
        self.timestamp = decimal_text(timestamp);
    }

    /// Replaces the nonce.
    pub fn set_nonce(&mut self, nonce: u64) {
        self.nonce = decimal_text(nonce);
    }

    /// The decimal timestamp as sent.
    pub fn timestamp_str(&self) -> &str {
        &self.timestamp
    }

    /// The decimal nonce as sent.
    pub fn nonce_str(&self) -> &str {
        &self.nonce
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

/// A legacy signature: standard padded base64 of the HMAC (28 characters for HmacSHA1, 44 for
/// HmacSHA256), held inline.
///
/// Deliberately without `PartialEq`: compare a received signature with
/// [`LegacySignature::ct_eq_base64`], which runs in constant time.
#[derive(Clone)]
pub struct LegacySignature {
    base64: heapless::String<44>,
    method: SignatureMethod,
}

impl LegacySignature {
    /// The bare primitive: `Base64(HMAC_<alg>(key, message))`, for a string to sign obtained
    /// elsewhere (e.g. the Node SDK's `Sign.sign` test vectors).
    /// [`Request::sign_sorted`] streams the string to sign instead of taking it whole.
    ///
    /// ```
    /// use tc3::v1::{LegacySignature, SignatureMethod};
    /// let key = tc3::SecretKey::new("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE")?;
    /// let sts = "GETcvm.tencentcloudapi.com/?Action=DescribeInstances&InstanceIds.0=ins-09dx96dg&Limit=20&Nonce=11886&Offset=0&Region=ap-guangzhou&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE&Timestamp=1465185768&Version=2017-03-12";
    /// let sig = LegacySignature::sign_raw(sts.as_bytes(), &key, SignatureMethod::HmacSha1)?;
    /// assert_eq!(sig.as_str(), "EliP9YW3pW28FpsEdkXt/+WcGeI=");
    /// # Ok::<(), tc3::Error>(())
    /// ```
    pub fn sign_raw(
        message: &[u8],
        key: &SecretKey,
        signature_method: SignatureMethod,
    ) -> Result<Self, Error> {
        sign_string_to_sign(message, key, signature_method)
    }

    /// The base64 text, as it enters the `Signature` parameter before form encoding.
    pub fn as_str(&self) -> &str {
        &self.base64
    }

    /// The base64 text as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.base64.as_bytes()
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

    /// From a MAC of at most 32 bytes (its base64 fits 44 characters; a longer one is
    /// [`Error::capacity`]).
    fn from_mac(mac: &[u8], method: SignatureMethod) -> Result<Self, Error> {
        let mut buf = [0u8; 44];
        let text = encode::base64(mac, &mut buf)?;
        let base64 = heapless::String::try_from(text).map_err(|()| Error::capacity())?;
        Ok(LegacySignature { base64, method })
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

/// The request line a legacy signature covers: method, host and path, and how parameter
/// names enter the string to sign ([`KeyRule`]). Start from [`Request::get`] or
/// [`Request::post`] (path `/`, the default key rule) and adjust with the `with_*` builders.
///
/// ```
/// use tc3::v1::{KeyRule, Request};
/// let req = Request::post("cvm.tencentcloudapi.com").with_rule(KeyRule::Raw);
/// assert_eq!((req.method, req.host, req.path), ("POST", "cvm.tencentcloudapi.com", "/"));
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Request<'a> {
    /// The HTTP method as sent, e.g. `GET`.
    pub method: &'a str,
    /// The `Host`, e.g. `cvm.tencentcloudapi.com`.
    pub host: &'a str,
    /// The path, starting with `/` (`/` for the official endpoints).
    pub path: &'a str,
    /// How names enter the string to sign. Default [`KeyRule::UnderscoreAsDot`].
    pub rule: KeyRule,
}

impl<'a> Request<'a> {
    /// A `GET` to `host`, path `/`, the default key rule.
    pub const fn get(host: &'a str) -> Self {
        Request {
            method: "GET",
            host,
            path: "/",
            rule: KeyRule::UnderscoreAsDot,
        }
    }

    /// A `POST` to `host`, path `/`, the default key rule.
    pub const fn post(host: &'a str) -> Self {
        Request {
            method: "POST",
            ..Self::get(host)
        }
    }

    /// With another method.
    pub const fn with_method(mut self, method: &'a str) -> Self {
        self.method = method;
        self
    }

    /// With another path.
    pub const fn with_path(mut self, path: &'a str) -> Self {
        self.path = path;
        self
    }

    /// With another key rule.
    pub const fn with_rule(mut self, rule: KeyRule) -> Self {
        self.rule = rule;
        self
    }

    /// Writes the string to sign, `METHOD + host + path + "?" + k=v&...`, into any [`Sink`]
    /// (a [`BufWriter`](crate::BufWriter) for display, or a MAC state). `sorted_pairs` must already be sorted by
    /// name in byte order, without duplicates, and must not contain `Signature`; values are
    /// written raw. This is exactly what [`sign_sorted`](Self::sign_sorted) hashes.
    ///
    /// ```
    /// use tc3::v1::Request;
    /// let mut out = [0u8; 128];
    /// let mut w = tc3::BufWriter::new(&mut out);
    /// let pairs = [("Action", "DescribeZones"), ("Nonce", "1"), ("Timestamp", "2")];
    /// Request::get("cvm.tencentcloudapi.com").write_string_to_sign(&pairs, &mut w)?;
    /// assert_eq!(
    ///     w.finish_str()?,
    ///     "GETcvm.tencentcloudapi.com/?Action=DescribeZones&Nonce=1&Timestamp=2"
    /// );
    /// # Ok::<(), tc3::Error>(())
    /// ```
    pub fn write_string_to_sign<S: Sink + ?Sized>(
        &self,
        sorted_pairs: &[(&str, &str)],
        out: &mut S,
    ) -> Result<(), Error> {
        self.check()?;
        check_sorted(sorted_pairs)?;
        stream_string_to_sign(self, sorted_pairs, out);
        Ok(())
    }

    /// Computes the signature of an already sorted parameter set (see
    /// [`write_string_to_sign`](Self::write_string_to_sign) for the requirements on
    /// `sorted_pairs`) under an explicit algorithm: what a verifier does, deriving it with
    /// [`SignatureMethod::from_param`] from the received `SignatureMethod` and excluding the
    /// received `Signature` itself. A signer uses [`sign`], which checks and sorts.
    ///
    /// ```
    /// use tc3::v1::{Request, SignatureMethod};
    /// let key = tc3::SecretKey::new("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE")?;
    /// let sorted = [
    ///     ("Action", "DescribeInstances"), ("InstanceIds.0", "ins-09dx96dg"), ("Limit", "20"),
    ///     ("Nonce", "11886"), ("Offset", "0"), ("Region", "ap-guangzhou"),
    ///     ("SecretId", "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"), ("Timestamp", "1465185768"),
    ///     ("Version", "2017-03-12"),
    /// ];
    /// let req = Request::get("cvm.tencentcloudapi.com");
    /// let sig = req.sign_sorted(&sorted, &key, SignatureMethod::HmacSha1)?;
    /// assert_eq!(sig.as_str(), "EliP9YW3pW28FpsEdkXt/+WcGeI=");
    /// # Ok::<(), tc3::Error>(())
    /// ```
    pub fn sign_sorted(
        &self,
        sorted_pairs: &[(&str, &str)],
        key: &SecretKey,
        signature_method: SignatureMethod,
    ) -> Result<LegacySignature, Error> {
        compute_signature(self, sorted_pairs, key, signature_method)
    }

    fn check(&self) -> Result<(), Error> {
        check_request_line(self.method, self.host, self.path)
    }
}

/// Checks a parameter name: non-empty, no `=` or `&` (they would make the string to sign
/// ambiguous).
pub(crate) fn check_param_name(name: &str) -> Result<(), Error> {
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
    req: &Request<'_>,
    sorted_pairs: &[(&str, &str)],
    out: &mut S,
) {
    let rule = req.rule;
    out.put(req.method.as_bytes());
    out.put(req.host.as_bytes());
    out.put(req.path.as_bytes());
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

/// [`Request::sign_sorted`].
pub(crate) fn compute_signature(
    req: &Request<'_>,
    sorted_pairs: &[(&str, &str)],
    key: &SecretKey,
    signature_method: SignatureMethod,
) -> Result<LegacySignature, Error> {
    req.check()?;
    check_sorted(sorted_pairs)?;
    let bad_key = |_| Error::new(Field::SecretKey, Reason::Malformed);
    match signature_method {
        SignatureMethod::HmacSha1 => {
            let mut mac =
                Hmac::<sha1::Sha1>::new_from_slice(key.expose_secret()).map_err(bad_key)?;
            stream_string_to_sign(req, sorted_pairs, &mut mac);
            LegacySignature::from_mac(&mac.finalize().into_bytes(), signature_method)
        }
        SignatureMethod::HmacSha256 => {
            let mut mac =
                Hmac::<sha2::Sha256>::new_from_slice(key.expose_secret()).map_err(bad_key)?;
            stream_string_to_sign(req, sorted_pairs, &mut mac);
            LegacySignature::from_mac(&mac.finalize().into_bytes(), signature_method)
        }
    }
}

/// [`LegacySignature::sign_raw`].
fn sign_string_to_sign(
    message: &[u8],
    key: &SecretKey,
    signature_method: SignatureMethod,
) -> Result<LegacySignature, Error> {
    let bad_key = |_| Error::new(Field::SecretKey, Reason::Malformed);
    match signature_method {
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
    }
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
pub(crate) fn prepare(pairs: &mut [(&str, &str)]) -> Result<SignatureMethod, Error> {
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

/// Signs a complete request. `pairs` is sorted in place (byte order) and checked as a
/// complete request — names valid (non-empty, no `=` or `&`), no duplicate, no `Signature`,
/// `Nonce` and `Timestamp` present and decimal, `SignatureMethod` (if present) exactly
/// `HmacSHA1` or `HmacSHA256` — then signed ([`Request::sign_sorted`]) under the algorithm
/// that parameter names (HmacSHA1 when absent). After it returns, `pairs` is sorted; write
/// the request with [`write_request`].
///
/// ```
/// use tc3::v1::{self, Common, Request};
/// use tc3::{SecretId, SecretKey};
///
/// // docs/protocol-signing.md §2: the documented DescribeInstances example (HmacSHA1)
/// let key = SecretKey::new("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE")?;
/// let id = SecretId::new("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE")?;
/// let common = Common::new("DescribeInstances", "2017-03-12", 1465185768, 11886, id)
///     .with_region("ap-guangzhou")
///     .with_signature_method(None);
/// let mut pairs: heapless::Vec<(&str, &str), 16> = heapless::Vec::new();
/// pairs.extend_from_slice(&[("InstanceIds.0", "ins-09dx96dg"), ("Limit", "20"), ("Offset", "0")])
///     .map_err(|()| tc3::Error::capacity())?;
/// common.add_to(&mut pairs)?;
///
/// let sig = v1::sign(&Request::get("cvm.tencentcloudapi.com"), &mut pairs, &key)?;
/// assert_eq!(sig.as_str(), "EliP9YW3pW28FpsEdkXt/+WcGeI=");
/// assert_eq!(pairs[0], ("Action", "DescribeInstances")); // sorted in place
/// # Ok::<(), tc3::Error>(())
/// ```
pub fn sign(
    req: &Request<'_>,
    pairs: &mut [(&str, &str)],
    key: &SecretKey,
) -> Result<LegacySignature, Error> {
    let sm = prepare(pairs)?;
    compute_signature(req, pairs, key, sm)
}

/// Writes the wire form of a signed request, the GET query string (without `?`) or the POST
/// form body (`Content-Type: application/x-www-form-urlencoded`): every name and value
/// form-encoded (Go's `url.QueryEscape`), in byte order, with `Signature=<encoded base64>`
/// at its sorted place. `sorted_pairs` must be sorted (as [`sign`] leaves them). Into a caller
/// buffer: pass a [`BufWriter`](crate::BufWriter) (see the [module example](self)).
///
/// ```
/// use tc3::v1::{self, Request};
/// let key = tc3::SecretKey::new("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE")?;
/// let mut pairs = [("Action", "DescribeZones"), ("Timestamp", "1465185768"), ("Nonce", "1")];
/// let sig = v1::sign(&Request::post("cvm.tencentcloudapi.com"), &mut pairs, &key)?;
/// let mut buf = [0u8; 128]; // the form body of the POST
/// let mut w = tc3::BufWriter::new(&mut buf);
/// v1::write_request(&pairs, &sig, &mut w);
/// let body = w.finish_str()?;
/// assert!(body.starts_with("Action=DescribeZones&Nonce=1&Signature="));
/// assert!(body.ends_with("&Timestamp=1465185768"));
/// # Ok::<(), tc3::Error>(())
/// ```
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::BufWriter;

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
