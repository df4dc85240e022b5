//! TC3-HMAC-SHA256 request signing (`docs/protocol-signing.md` §1).
//!
//! ```
//! use tc3::v3::{sign_fresh, Common, Request};
//! use tc3::Credential;
//!
//! let cred = Credential::new("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE")?;
//! let body = br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
//! let req = Request::new_post("cvm.tencentcloudapi.com", "application/json; charset=utf-8", body);
//! let common = Common::new("cvm", "DescribeInstances", "2017-03-12", 1551113065).with_region("ap-guangzhou");
//! let signed = sign_fresh(&cred, &common, &req)?;
//! assert_eq!(
//!     signed.signature().as_hex(),
//!     "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
//! );
//! for (name, value) in signed.headers() {
//!     // send `name: value`
//! #   let _ = (name, value);
//! }
//! # Ok::<(), tc3::Error>(())
//! ```
//!
//! The canonical request is never materialised while signing: it is streamed into SHA-256,
//! and the string to sign into a clone of the [`SigningKey`]'s pre-keyed HMAC state. The
//! same crate-private writers produce the text for debugging ([`canonical_request`],
//! [`string_to_sign`]), and [`Authorization`] parses and writes the header value.

mod authorization;
mod canonical;
mod midstate;
mod template;
pub(crate) mod verify;

pub use authorization::{Authorization, AuthorizationError};
pub use template::Template;

use crate::credential::{Credential, SecretKey};
use crate::encode::{check_header_value, check_token, decimal, hex32, BufWriter, Sink};
use crate::error::{Error, Field, Reason};
use crate::header::{self, sent};
use crate::time::Date;
use canonical::HeaderEntry;
use core::fmt;
use hmac::{digest::KeyInit, Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// The literal hashed instead of the body in unsigned-payload mode, and the value of the
/// `X-TC-Content-SHA256` header then sent.
pub(crate) const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The most signed headers (including `content-type` and `host`) a request may have.
pub(crate) const MAX_SIGNED_HEADERS: usize = 16;
/// The longest extra signed header name accepted.
pub(crate) const MAX_HEADER_NAME_LEN: usize = 64;
/// The longest service name accepted.
pub(crate) const MAX_SERVICE_LEN: usize = 64;
/// The longest SignedHeaders list (`content-type;host;...`) accepted.
pub(crate) const MAX_SIGNED_HEADERS_LEN: usize = 256;
const SIGNED_HEADERS_CAP: usize = MAX_SIGNED_HEADERS_LEN;
/// Capacity of the `Authorization` value buffer: enough for every accepted input.
pub(crate) const AUTHORIZATION_CAPACITY: usize = 27
    + crate::credential::MAX_SECRET_ID_LEN
    + 1
    + 10
    + 1
    + MAX_SERVICE_LEN
    + 28
    + SIGNED_HEADERS_CAP
    + 12
    + 64;

/// The lowercase hex SHA-256 of the empty string (a GET body).
const EMPTY_SHA256_HEX: &[u8; 64] =
    b"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/// The lowercase hex SHA-256 of `UNSIGNED-PAYLOAD`.
const UNSIGNED_SHA256_HEX: &[u8; 64] =
    b"438d4109ef0d676b8c2c7ed13cdfcb418e494d53b843d4634ce3b1085f07bb96";

/// The HTTP method: TC3 knows GET and POST only.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`: parameters in the query string, empty body.
    Get,
    /// `POST`: parameters in the body.
    Post,
}

impl Method {
    /// `"GET"` or `"POST"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }

    /// Parses exactly `GET` or `POST` (uppercase, as signed).
    pub fn parse(s: &str) -> Result<Method, Error> {
        match s {
            "GET" => Ok(Method::Get),
            "POST" => Ok(Method::Post),
            _ => Err(Error::new(Field::Method, Reason::Malformed)),
        }
    }
}

impl core::str::FromStr for Method {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Method::parse(s)
    }
}

/// A request body as signing and verification see it: what enters the canonical request as
/// the hashed payload ([`Request::payload`]), and the body a gateway passes to the verifier
/// ([`RequestView::body`](crate::verify::RequestView::body)).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Payload<'a> {
    /// The exact body bytes sent.
    Bytes(&'a [u8]),
    /// The SHA-256 of the body, computed elsewhere (e.g. by [`PayloadHasher`]).
    Sha256([u8; 32]),
    /// Unsigned payload: `UNSIGNED-PAYLOAD` is hashed and `X-TC-Content-SHA256:
    /// UNSIGNED-PAYLOAD` is sent; the body is sent unchanged.
    Unsigned,
}

/// Incremental SHA-256 of a body fed in chunks (large or streamed bodies).
#[derive(Clone, Debug, Default)]
pub struct PayloadHasher(Sha256);

impl PayloadHasher {
    /// A hasher over the empty body.
    pub fn new() -> Self {
        PayloadHasher(Sha256::new())
    }

    /// Feeds the next chunk of the body.
    pub fn update(&mut self, chunk: &[u8]) {
        self.0.update(chunk);
    }

    /// The payload to sign: [`Payload::Sha256`] of everything fed.
    pub fn finish(self) -> Payload<'static> {
        Payload::Sha256(self.0.finalize().into())
    }
}

impl Payload<'_> {
    /// The lowercase hex SHA-256 that enters the canonical request as `HashedRequestPayload`
    /// (for [`Payload::Unsigned`], that of the literal `UNSIGNED-PAYLOAD`).
    ///
    /// ```
    /// use tc3::v3::Payload;
    /// assert_eq!(
    ///     Payload::Bytes(b"").hex_digest(),
    ///     *b"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// );
    /// assert_eq!(Payload::Sha256([0xab; 32]).hex_digest(), [b'a', b'b'].repeat(32).as_slice());
    /// ```
    pub fn hex_digest(&self) -> [u8; 64] {
        hash_payload(self)
    }

    /// Whether the body is empty (for a digest: whether it is the SHA-256 of nothing; an
    /// unsigned payload is not known to be empty).
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Payload::Bytes(b) => b.is_empty(),
            Payload::Sha256(d) => hex32(d) == *EMPTY_SHA256_HEX,
            Payload::Unsigned => false,
        }
    }
}

/// [`Payload::hex_digest`].
pub(crate) fn hash_payload(p: &Payload<'_>) -> [u8; 64] {
    match p {
        Payload::Bytes([]) => *EMPTY_SHA256_HEX,
        Payload::Bytes(b) => hex32(&Sha256::digest(b).into()),
        Payload::Sha256(d) => hex32(d),
        Payload::Unsigned => *UNSIGNED_SHA256_HEX,
    }
}

/// Bytes a canonical request is staged in before it is hashed in one call (the documented
/// one is 165 bytes; longer ones stream).
const STAGE: usize = 512;

/// An HMAC-SHA256 state keyed with `key` through `hmac`'s own keying (keys longer than the
/// block are hashed first, shorter ones zero-padded: RFC 2104).
fn hmac_keyed(key: &[u8]) -> Hmac<Sha256> {
    #[allow(clippy::expect_used)] // HMAC takes keys of any length: `hmac` never refuses one
    <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC accepts every key length")
}

fn hmac_once(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut mac = hmac_keyed(key);
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// The derived keys of a (secret key, date, service) scope, for debugging output and tests.
/// Zeroized on drop; `Debug` is redacted.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct KeyChain {
    /// `HMAC_SHA256("TC3" + SecretKey, Date)`.
    pub secret_date: [u8; 32],
    /// `HMAC_SHA256(SecretDate, Service)`.
    pub secret_service: [u8; 32],
    /// `HMAC_SHA256(SecretService, "tc3_request")`: the signing key.
    pub secret_signing: [u8; 32],
}

impl fmt::Debug for KeyChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyChain(<redacted>)")
    }
}

/// A signing key derived once per (secret key, UTC date, service) and reused for every
/// request in that scope. It holds the pre-keyed HMAC state, so a signature costs only the
/// SHA-256 work the algorithm needs.
///
/// The HMAC state (derived from `SecretSigning`, valid for one date and service) is not
/// zeroized on drop: the `hmac` crate does not expose it. The intermediate keys are.
///
/// ```
/// use tc3::v3::SigningKey;
/// use tc3::{Date, SecretKey};
///
/// let secret = SecretKey::new("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE")?;
/// // Once per (key, UTC day, service); reuse it for every request of that day.
/// let key = SigningKey::derive(&secret, Date::from_unix(1551113065)?, "cvm")?;
/// assert_eq!((key.date().to_string().as_str(), key.service()), ("2019-02-25", "cvm"));
/// // docs/protocol-signing.md's documented string to sign and signature
/// let sts = "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n\
///            5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031";
/// assert_eq!(
///     key.sign_raw(sts.as_bytes()).as_hex(),
///     "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
/// );
/// # Ok::<(), tc3::Error>(())
/// ```
#[derive(Clone)]
pub struct SigningKey {
    mac: Hmac<Sha256>,
    date: Date,
    service: heapless::String<MAX_SERVICE_LEN>,
    /// The credential scope `YYYY-MM-DD/<service>/tc3_request`, written once.
    scope: [u8; SCOPE_CAPACITY],
    scope_len: usize,
    /// `date` as days since 1970-01-01 (`None` before it).
    day: Option<u64>,
    /// The SHA-256 state after the first block of the last canonical request signed.
    first_block: midstate::FirstBlock,
}

/// Days from 1970-01-01 to `date` (days-from-civil, the inverse of [`Date::from_unix`]).
fn days_since_epoch(date: Date) -> Option<u64> {
    let (m, d) = (i64::from(date.month()), i64::from(date.day()));
    let y = i64::from(date.year()) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    u64::try_from(era * 146_097 + doe - 719_468).ok()
}

/// The longest credential scope: date, service, `tc3_request` and two slashes.
const SCOPE_CAPACITY: usize = 10 + 1 + MAX_SERVICE_LEN + 12;

fn check_service(service: &str) -> Result<(), Error> {
    if service.is_empty() {
        return Err(Error::new(Field::Service, Reason::Empty));
    }
    if service.len() > MAX_SERVICE_LEN {
        return Err(Error::new(Field::Service, Reason::TooLong));
    }
    for &b in service.as_bytes() {
        let reason = match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => continue,
            0..=0x1f | 0x7f => Reason::ControlChar,
            0x80..=0xff => Reason::NonAscii,
            _ => Reason::Reserved,
        };
        return Err(Error::new(Field::Service, reason));
    }
    Ok(())
}

impl SigningKey {
    /// Derives the signing key of `service` on `date` from `key`.
    pub fn derive(key: &SecretKey, date: Date, service: &str) -> Result<Self, Error> {
        check_service(service)?;
        let mut svc = heapless::String::new();
        svc.push_str(service)
            .map_err(|_| Error::new(Field::Service, Reason::TooLong))?;
        let chain = Self::chain(key, date, service);
        let mut scope = [0u8; SCOPE_CAPACITY];
        let mut w = BufWriter::new(&mut scope);
        canonical::write_scope(date, service, &mut w);
        let scope_len = w
            .finish()
            .map_err(|_| Error::new(Field::Service, Reason::TooLong))?
            .len();
        Ok(SigningKey {
            mac: hmac_keyed(&chain.secret_signing),
            date,
            service: svc,
            scope,
            scope_len,
            day: days_since_epoch(date),
            first_block: midstate::FirstBlock::default(),
        })
    }

    /// The intermediate keys of the derivation (for `explain` output and tests).
    pub fn chain(key: &SecretKey, date: Date, service: &str) -> KeyChain {
        let secret = key.expose_secret();
        let mut k0 = [0u8; 3 + crate::credential::MAX_SECRET_KEY_LEN];
        let n = 3 + secret.len().min(crate::credential::MAX_SECRET_KEY_LEN);
        for (dst, src) in k0.iter_mut().zip(b"TC3".iter().chain(secret)) {
            *dst = *src;
        }
        // n <= k0.len(): the secret is at most MAX_SECRET_KEY_LEN bytes
        let secret_date = hmac_once(k0.split_at(n).0, &date.to_bytes());
        k0.zeroize();
        let secret_service = hmac_once(&secret_date, service.as_bytes());
        let secret_signing = hmac_once(&secret_service, b"tc3_request");
        KeyChain {
            secret_date,
            secret_service,
            secret_signing,
        }
    }

    /// The scope date.
    pub fn date(&self) -> Date {
        self.date
    }

    /// The scope service.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The credential scope, `YYYY-MM-DD/<service>/tc3_request`.
    fn scope(&self) -> &[u8] {
        self.scope.get(..self.scope_len).unwrap_or_default()
    }

    /// Signs a string to sign already formed elsewhere (the keyed HMAC over `msg`).
    pub fn sign_raw(&self, msg: &[u8]) -> Signature {
        let mut mac = self.mac.clone();
        mac.update(msg);
        Signature::from_bytes(mac.finalize().into_bytes().into())
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("date", &self.date)
            .field("service", &self.service.as_str())
            .field("key", &"<redacted>")
            .finish()
    }
}

/// A TC3 signature: 32 bytes and their lowercase hex. Not a secret, so `Debug` shows it; it
/// has no `PartialEq`: compare with [`Signature::ct_eq_hex`] (constant time).
#[derive(Clone, Copy)]
pub struct Signature {
    bytes: [u8; 32],
    hex: [u8; 64],
}

impl Signature {
    /// A signature from its raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Signature {
            bytes,
            hex: hex32(&bytes),
        }
    }

    /// 64 lowercase hex digits.
    pub fn as_hex(&self) -> &str {
        core::str::from_utf8(&self.hex).unwrap_or("")
    }

    /// The 32 raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// Constant-time comparison with a hex signature as received (64 lowercase hex digits;
    /// anything else is unequal).
    pub fn ct_eq_hex(&self, other: &[u8]) -> bool {
        use subtle::ConstantTimeEq;
        other.len() == 64 && bool::from(self.hex[..].ct_eq(other))
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Signature").field(&self.as_hex()).finish()
    }
}

/// The signed parts of a request.
#[derive(Copy, Clone, Debug)]
pub struct Request<'a> {
    /// `GET` or `POST`.
    pub method: Method,
    /// Canonical URI, `/` for every official SDK.
    pub uri: &'a str,
    /// Raw query string exactly as sent, without `?` (`""` for POST).
    pub query: &'a str,
    /// `Host` header value as sent (and signed).
    pub host: &'a str,
    /// `Content-Type` header value as sent (and signed, exactly, trimmed).
    pub content_type: &'a str,
    /// Extra signed headers `(name, value)` (doc rule: name and value lowercased and trimmed
    /// in the canonical request). The caller sends them; [`SignedRequest::headers`] does not
    /// repeat them.
    pub extra_signed_headers: &'a [(&'a str, &'a str)],
    /// The payload.
    pub payload: Payload<'a>,
}

impl Request<'_> {
    /// The most signed headers (including `content-type` and `host`) a request may have.
    pub const MAX_SIGNED_HEADERS: usize = MAX_SIGNED_HEADERS;
    /// The longest extra signed header name accepted.
    pub const MAX_HEADER_NAME_LEN: usize = MAX_HEADER_NAME_LEN;
    /// The longest SignedHeaders list (`content-type;host;...`) accepted.
    pub const MAX_SIGNED_HEADERS_LEN: usize = MAX_SIGNED_HEADERS_LEN;
}

impl<'a> Request<'a> {
    /// A POST with a body, URI `/`, no query, no extra signed headers.
    pub fn new_post(host: &'a str, content_type: &'a str, body: &'a [u8]) -> Self {
        Request {
            method: Method::Post,
            uri: "/",
            query: "",
            host,
            content_type,
            extra_signed_headers: &[],
            payload: Payload::Bytes(body),
        }
    }

    /// A GET with a raw query string, `Content-Type: application/x-www-form-urlencoded`,
    /// an empty body.
    pub fn new_get(host: &'a str, query: &'a str) -> Self {
        Request {
            method: Method::Get,
            uri: "/",
            query,
            host,
            content_type: "application/x-www-form-urlencoded",
            extra_signed_headers: &[],
            payload: Payload::Bytes(b""),
        }
    }
}

/// The inputs that become `X-TC-*` headers (and the credential scope).
#[derive(Copy, Clone, Debug)]
pub struct Common<'a> {
    /// Service of the credential scope (`cvm`).
    pub service: &'a str,
    /// `X-TC-Action`.
    pub action: &'a str,
    /// `X-TC-Version`.
    pub version: &'a str,
    /// `X-TC-Region`; `None` or `Some("")` sends none.
    pub region: Option<&'a str>,
    /// `X-TC-Timestamp`, Unix seconds; its UTC date is the scope date.
    pub timestamp: u64,
    /// `X-TC-Language` when set.
    pub language: Option<&'a str>,
    /// `X-TC-RequestClient` when set.
    pub request_client: Option<&'a str>,
}

impl Common<'_> {
    /// The longest service name accepted.
    pub const MAX_SERVICE_LEN: usize = MAX_SERVICE_LEN;
}

impl<'a> Common<'a> {
    /// Service, action, version and timestamp; no region, language or request client.
    pub fn new(service: &'a str, action: &'a str, version: &'a str, timestamp: u64) -> Self {
        Common {
            service,
            action,
            version,
            region: None,
            timestamp,
            language: None,
            request_client: None,
        }
    }

    /// Sets the region.
    pub fn with_region(mut self, region: &'a str) -> Self {
        self.region = Some(region);
        self
    }
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn check_nonempty_token(field: Field, v: &str) -> Result<(), Error> {
    if v.is_empty() {
        return Err(Error::new(field, Reason::Empty));
    }
    check_token(field, v)
}

fn check_visible(field: Field, v: &str, forbid: &[u8]) -> Result<(), Error> {
    for &b in v.as_bytes() {
        let reason = match b {
            0..=0x1f | 0x7f => Reason::ControlChar,
            0x80..=0xff => Reason::NonAscii,
            b' ' => Reason::Reserved,
            _ if forbid.contains(&b) => Reason::Reserved,
            _ => continue,
        };
        return Err(Error::new(field, reason));
    }
    Ok(())
}

fn cmp_lower(a: &str, b: &str) -> core::cmp::Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// A request checked and prepared for the canonical writers.
struct Prepared<'a> {
    headers: heapless::Vec<HeaderEntry<'a>, MAX_SIGNED_HEADERS>,
    payload_hex: [u8; 64],
}

impl Prepared<'_> {
    fn new() -> Self {
        Prepared {
            headers: heapless::Vec::new(),
            payload_hex: [0; 64],
        }
    }

    fn write_canonical<S: Sink + ?Sized>(&self, req: &Request<'_>, out: &mut S) {
        if req.extra_signed_headers.is_empty() {
            return canonical::write_canonical_request_plain(
                req.method.as_str(),
                req.uri,
                req.query,
                req.content_type,
                req.host,
                &self.payload_hex,
                out,
            );
        }
        canonical::write_canonical_request(
            req.method.as_str(),
            req.uri,
            req.query,
            &self.headers,
            &self.payload_hex,
            out,
        );
    }

    /// The hex SHA-256 of the canonical request: written into a stack buffer and hashed in
    /// one call when it fits (a dozen small `update` calls cost more than the copy), over
    /// `compress256` with the state after the first block from `cache` when it holds it;
    /// streamed into the hash otherwise.
    fn hashed_canonical(
        &self,
        req: &Request<'_>,
        cache: Option<&midstate::FirstBlock>,
    ) -> [u8; 64] {
        let mut buf = [0u8; STAGE + midstate::PAD];
        let (stage, _) = buf.split_at_mut(STAGE);
        let mut w = BufWriter::new(stage);
        self.write_canonical(req, &mut w);
        let staged = w.finish().map(<[u8]>::len);
        if let (Ok(len), Some(cache)) = (staged, cache) {
            if let Some(d) = midstate::digest_staged(&mut buf, len, cache) {
                return hex32(&d);
            }
        }
        let mut sha = Sha256::new();
        match staged.ok().and_then(|len| buf.get(..len)) {
            Some(text) => sha.update(text),
            None => self.write_canonical(req, &mut sha),
        }
        hex32(&sha.finalize().into())
    }
}

fn prepare<'a>(req: &Request<'a>, p: &mut Prepared<'a>) -> Result<(), Error> {
    prepare_headers(req, &mut p.headers)?;
    p.payload_hex = hash_payload(&req.payload);
    Ok(())
}

/// Checks the constant parts of `req` (URI, query, host, content type, extra signed headers;
/// the payload is not looked at) and fills `headers` with the signed headers, sorted.
fn prepare_headers<'a>(
    req: &Request<'a>,
    headers: &mut heapless::Vec<HeaderEntry<'a>, MAX_SIGNED_HEADERS>,
) -> Result<(), Error> {
    if !req.uri.starts_with('/') {
        return Err(Error::new(Field::Uri, Reason::Malformed));
    }
    check_visible(Field::Uri, req.uri, b"?#")?;
    check_query(req.query)?;
    check_nonempty_token(Field::Host, req.host)?;
    if req.content_type.trim_ascii().is_empty() {
        return Err(Error::new(Field::ContentType, Reason::Empty));
    }
    check_header_value(Field::ContentType, req.content_type)?;

    headers.clear();
    let cap = Error::new(Field::HeaderName, Reason::Capacity);
    headers
        .push(HeaderEntry {
            name: header::CONTENT_TYPE,
            value: req.content_type,
            fold: false,
        })
        .map_err(|_| cap)?;
    headers
        .push(HeaderEntry {
            name: header::HOST,
            value: req.host,
            fold: false,
        })
        .map_err(|_| cap)?;
    for &(name, value) in req.extra_signed_headers {
        if name.is_empty() {
            return Err(Error::new(Field::HeaderName, Reason::Empty));
        }
        if name.len() > MAX_HEADER_NAME_LEN {
            return Err(Error::new(Field::HeaderName, Reason::TooLong));
        }
        if let Some(&b) = name.as_bytes().iter().find(|&&b| !is_tchar(b)) {
            let reason = match b {
                0..=0x1f | 0x7f => Reason::ControlChar,
                0x80..=0xff => Reason::NonAscii,
                _ => Reason::Reserved,
            };
            return Err(Error::new(Field::HeaderName, reason));
        }
        check_header_value(Field::HeaderValue, value)?;
        if headers.iter().any(|h| h.name.eq_ignore_ascii_case(name)) {
            return Err(Error::new(Field::HeaderName, Reason::Duplicate));
        }
        headers
            .push(HeaderEntry {
                name,
                value,
                fold: true,
            })
            .map_err(|_| cap)?;
    }
    // `content-type` < `host`: only extra headers need sorting.
    if !req.extra_signed_headers.is_empty() {
        headers.sort_unstable_by(|a, b| cmp_lower(a.name, b.name));
    }
    Ok(())
}

/// The query check of [`sign`]: visible ASCII, no space, no `#`.
fn check_query(query: &str) -> Result<(), Error> {
    check_visible(Field::Query, query, b"#")
}

/// Fails with `Capacity` when the SignedHeaders list of `headers` is longer than
/// [`MAX_SIGNED_HEADERS_LEN`].
fn check_signed_headers_len(headers: &[HeaderEntry<'_>]) -> Result<(), Error> {
    let mut sh_len = crate::encode::Counter(0);
    canonical::write_signed_headers(headers, &mut sh_len);
    if sh_len.0 > MAX_SIGNED_HEADERS_LEN {
        return Err(Error::new(Field::HeaderName, Reason::Capacity));
    }
    Ok(())
}

/// The per-request checks of the common parameters (service, action, version, region,
/// language, request client, token), in that order; `service_known` skips the service,
/// already checked (it equals a [`SigningKey`]'s).
fn check_fields(
    cred: &Credential<'_>,
    common: &Common<'_>,
    service_known: bool,
) -> Result<(), Error> {
    if !service_known {
        check_service(common.service)?;
    }
    check_nonempty_token(Field::Action, common.action)?;
    check_nonempty_token(Field::Version, common.version)?;
    if let Some(r) = common.region {
        check_token(Field::Region, r)?;
    }
    if let Some(l) = common.language {
        check_nonempty_token(Field::Language, l)?;
    }
    if let Some(rc) = common.request_client {
        check_header_value(Field::RequestClient, rc)?;
    }
    if let Some(t) = cred.token {
        check_header_value(Field::Token, t.as_str())?;
    }
    Ok(())
}

/// Writes the canonical request of `req` into `out` (text for debugging; the signing path
/// streams the same bytes into SHA-256). Checks `req` as [`sign`] does.
///
/// ```
/// use tc3::v3::{canonical_request, Request};
/// // docs/protocol-signing.md, the documented example (X-TC-Action signed as well)
/// let body = br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
/// let req = Request {
///     extra_signed_headers: &[("X-TC-Action", "DescribeInstances")],
///     ..Request::new_post("cvm.tencentcloudapi.com", "application/json; charset=utf-8", body)
/// };
/// let mut buf = [0u8; 512];
/// let mut w = tc3::BufWriter::new(&mut buf);
/// canonical_request(&req, &mut w)?;
/// assert_eq!(
///     w.finish_str()?,
///     "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\
///      x-tc-action:describeinstances\n\ncontent-type;host;x-tc-action\n\
///      35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
/// );
/// # Ok::<(), tc3::Error>(())
/// ```
pub fn canonical_request<S: Sink + ?Sized>(req: &Request<'_>, out: &mut S) -> Result<(), Error> {
    let mut p = Prepared::new();
    prepare(req, &mut p)?;
    p.write_canonical(req, out);
    Ok(())
}

/// Writes the string to sign of `req` under `common` into `out`. Checks the inputs as
/// [`sign`] does.
///
/// ```
/// use tc3::v3::{string_to_sign, Common, Request};
/// // docs/protocol-signing.md, the documented example (X-TC-Action signed as well)
/// let body = br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
/// let req = Request {
///     extra_signed_headers: &[("X-TC-Action", "DescribeInstances")],
///     ..Request::new_post("cvm.tencentcloudapi.com", "application/json; charset=utf-8", body)
/// };
/// let common = Common::new("cvm", "DescribeInstances", "2017-03-12", 1551113065);
/// let mut out = [0u8; 256];
/// let mut w = tc3::BufWriter::new(&mut out);
/// string_to_sign(&common, &req, &mut w)?;
/// assert_eq!(
///     w.finish_str()?,
///     "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n\
///      7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84"
/// );
/// # Ok::<(), tc3::Error>(())
/// ```
pub fn string_to_sign<S: Sink + ?Sized>(
    common: &Common<'_>,
    req: &Request<'_>,
    out: &mut S,
) -> Result<(), Error> {
    check_service(common.service)?;
    let date = Date::from_unix(common.timestamp)?;
    let mut p = Prepared::new();
    prepare(req, &mut p)?;
    let hcr = p.hashed_canonical(req, None);
    canonical::write_string_to_sign(common.timestamp, date, common.service, &hcr, out);
    Ok(())
}

/// A signed request: the signature, the `Authorization` value and the headers to send.
#[derive(Clone)]
pub struct SignedRequest<'a> {
    signature: Signature,
    authorization: [u8; AUTHORIZATION_CAPACITY],
    authorization_len: usize,
    timestamp: [u8; 20],
    timestamp_start: usize,
    host: &'a str,
    content_type: &'a str,
    common: Common<'a>,
    token: Option<&'a str>,
    unsigned: bool,
}

impl<'a> SignedRequest<'a> {
    /// The signature.
    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    /// The `Authorization` header value.
    pub fn authorization(&self) -> &str {
        core::str::from_utf8(
            self.authorization
                .get(..self.authorization_len)
                .unwrap_or(&[]),
        )
        .unwrap_or("")
    }

    /// The `X-TC-Timestamp` value (decimal digits).
    pub fn timestamp(&self) -> &str {
        core::str::from_utf8(self.timestamp.get(self.timestamp_start..).unwrap_or(&[]))
            .unwrap_or("")
    }

    /// The headers to send, in this order: Host, Content-Type, X-TC-Action, X-TC-Timestamp,
    /// X-TC-Version, X-TC-Region (when set and non-empty), X-TC-Token (when set, even
    /// empty), X-TC-Language (when set), X-TC-Content-SHA256 (when unsigned),
    /// X-TC-RequestClient (when set), Authorization. Extra signed headers are the caller's
    /// to send.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        let c = &self.common;
        [
            Some((sent::HOST, self.host)),
            Some((sent::CONTENT_TYPE, self.content_type)),
            Some((sent::ACTION, c.action)),
            Some((sent::TIMESTAMP, self.timestamp())),
            Some((sent::VERSION, c.version)),
            c.region
                .filter(|r| !r.is_empty())
                .map(|r| (sent::REGION, r)),
            self.token.map(|t| (sent::TOKEN, t)),
            c.language.map(|l| (sent::LANGUAGE, l)),
            self.unsigned
                .then_some((sent::CONTENT_SHA256, UNSIGNED_PAYLOAD)),
            c.request_client.map(|r| (sent::REQUEST_CLIENT, r)),
            Some((sent::AUTHORIZATION, self.authorization())),
        ]
        .into_iter()
        .flatten()
    }
}

impl fmt::Debug for SignedRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedRequest")
            .field("authorization", &self.authorization())
            .field("timestamp", &self.timestamp())
            .field("host", &self.host)
            .field("common", &self.common)
            .field("token", &self.token.map(|_| "<redacted>"))
            .field("unsigned", &self.unsigned)
            .finish()
    }
}

/// Checks `common` and the credential as [`sign`] does, and that `key` is the key of
/// (date of `common.timestamp`, `common.service`). Returns the scope date.
fn check_scope(
    cred: &Credential<'_>,
    key: &SigningKey,
    common: &Common<'_>,
) -> Result<Date, Error> {
    // The key's service was checked when the key was derived: equal means valid.
    check_fields(cred, common, common.service == key.service.as_str())?;
    // A timestamp in the key's day has the key's date (civil-from-days not needed).
    let date = if Some(common.timestamp / 86_400) == key.day {
        key.date
    } else {
        Date::from_unix(common.timestamp)?
    };
    if date != key.date {
        return Err(Error::new(Field::Timestamp, Reason::Malformed));
    }
    if common.service != key.service.as_str() {
        return Err(Error::new(Field::Service, Reason::Malformed));
    }
    Ok(date)
}

/// The constant parts of a signed request, borrowed from a [`Request`] or a [`Template`].
struct Parts<'a, F> {
    host: &'a str,
    content_type: &'a str,
    unsigned: bool,
    /// Writes the SignedHeaders list (already checked to fit [`MAX_SIGNED_HEADERS_LEN`]).
    signed_headers: F,
}

/// The common end of [`sign`] and [`Template::sign`]: the string to sign from the hashed
/// canonical request `hcr`, the signature, the `Authorization` value and the headers.
fn finish_signed<'a, F: FnOnce(&mut BufWriter<'_>)>(
    cred: &Credential<'a>,
    key: &SigningKey,
    common: &Common<'a>,
    hcr: &[u8; 64],
    parts: Parts<'a, F>,
) -> Result<SignedRequest<'a>, Error> {
    // The scope is the key's: `check_scope` has matched its date and service to `common`.
    let mut digits = [0u8; 20];
    let timestamp_start = 20 - decimal(common.timestamp, &mut digits).len();
    let mut sts = [0u8; canonical::STRING_TO_SIGN_CAPACITY];
    let mut w = BufWriter::new(&mut sts);
    canonical::write_string_to_sign_scope(
        digits.get(timestamp_start..).unwrap_or_default(),
        key.scope(),
        hcr,
        &mut w,
    );
    let mut mac = key.mac.clone();
    // The service is checked to at most MAX_SERVICE_LEN bytes: the text always fits.
    mac.update(w.finish()?);
    let signature = Signature::from_bytes(mac.finalize().into_bytes().into());

    let mut out = SignedRequest {
        signature,
        authorization: [0u8; AUTHORIZATION_CAPACITY],
        authorization_len: 0,
        timestamp: digits,
        timestamp_start,
        host: parts.host,
        content_type: parts.content_type,
        common: *common,
        token: cred.token.map(|t| t.as_str()),
        unsigned: parts.unsigned,
    };
    let mut w = BufWriter::new(&mut out.authorization);
    authorization::write_authorization_scope(
        cred.id.as_str(),
        key.scope(),
        parts.signed_headers,
        signature.as_hex(),
        &mut w,
    );
    out.authorization_len = w.finish()?.len();
    Ok(out)
}

/// Signs `req` with a cached `key`, which must be the key of (date of `common.timestamp`,
/// `common.service`): otherwise `Error { Timestamp | Service, Malformed }`.
///
/// To sign many requests that share method, URI, host, content type and extra signed
/// headers, a [`Template`] checks and hashes those once (same result, byte for byte).
///
/// ```
/// use tc3::v3::{sign, Common, Request, SigningKey};
/// use tc3::{Credential, Date};
///
/// let cred = Credential::new("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE")?;
/// let key = SigningKey::derive(&cred.key, Date::from_unix(1551113065)?, "cvm")?;
/// let body = br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
/// let req = Request::new_post("cvm.tencentcloudapi.com", "application/json; charset=utf-8", body);
/// let common = Common::new("cvm", "DescribeInstances", "2017-03-12", 1551113065)
///     .with_region("ap-guangzhou");
/// let signed = sign(&cred, &key, &common, &req)?;
/// assert_eq!(
///     signed.authorization(),
///     "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, \
///      SignedHeaders=content-type;host, \
///      Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
/// );
/// // a key of another day is refused, not silently used
/// let stale = SigningKey::derive(&cred.key, Date::from_unix(1551113065 - 86_400)?, "cvm")?;
/// assert!(sign(&cred, &stale, &common, &req).is_err());
/// # Ok::<(), tc3::Error>(())
/// ```
pub fn sign<'a>(
    cred: &Credential<'a>,
    key: &SigningKey,
    common: &Common<'a>,
    req: &Request<'a>,
) -> Result<SignedRequest<'a>, Error> {
    check_scope(cred, key, common)?;
    let mut p = Prepared::new();
    prepare(req, &mut p)?;
    // The SignedHeaders list once: its length checked here, copied into the Authorization.
    let mut sh_buf;
    let sh: &[u8] = if req.extra_signed_headers.is_empty() {
        PLAIN_SIGNED_HEADERS
    } else {
        sh_buf = [0u8; MAX_SIGNED_HEADERS_LEN];
        let mut w = BufWriter::new(&mut sh_buf);
        canonical::write_signed_headers(&p.headers, &mut w);
        w.finish()
            .map_err(|_| Error::new(Field::HeaderName, Reason::Capacity))?
    };
    let hcr = p.hashed_canonical(req, Some(&key.first_block));
    finish_signed(
        cred,
        key,
        common,
        &hcr,
        Parts {
            host: req.host,
            content_type: req.content_type,
            unsigned: matches!(req.payload, Payload::Unsigned),
            signed_headers: |w: &mut BufWriter<'_>| w.put(sh),
        },
    )
}

/// The SignedHeaders list of a request without extra signed headers.
const PLAIN_SIGNED_HEADERS: &[u8] = b"content-type;host";

/// Like [`sign`], deriving the signing key for this one request.
///
/// ```
/// use tc3::v3::{sign_fresh, Common, Request};
/// use tc3::Credential;
///
/// let cred = Credential::new("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE")?;
/// let req = Request::new_get("cvm.tencentcloudapi.com", "Limit=10&Offset=0");
/// let common = Common::new("cvm", "DescribeInstances", "2017-03-12", 1551113065);
/// let signed = sign_fresh(&cred, &common, &req)?;
/// assert_eq!(signed.timestamp(), "1551113065");
/// let names: Vec<&str> = signed.headers().map(|(name, _)| name).collect();
/// assert!(names.contains(&"Authorization") && names.contains(&"X-TC-Action"));
/// # Ok::<(), tc3::Error>(())
/// ```
pub fn sign_fresh<'a>(
    cred: &Credential<'a>,
    common: &Common<'a>,
    req: &Request<'a>,
) -> Result<SignedRequest<'a>, Error> {
    let date = Date::from_unix(common.timestamp)?;
    let key = SigningKey::derive(&cred.key, date, common.service)?;
    sign(cred, &key, common, req)
}

#[cfg(test)]
mod day_tests {
    use super::*;

    #[test]
    fn days_since_epoch_inverts_from_unix() {
        let mut day = 0u64;
        while day * 86_400 <= crate::time::MAX_TIMESTAMP {
            let date = Date::from_unix(day * 86_400 + 43_210).unwrap();
            assert_eq!(days_since_epoch(date), Some(day), "{date:?}");
            day += if day < 200_000 { 1 } else { 997 };
        }
        let last = Date::from_unix(crate::time::MAX_TIMESTAMP).unwrap();
        assert_eq!(
            days_since_epoch(last),
            Some(crate::time::MAX_TIMESTAMP / 86_400)
        );
        assert_eq!(days_since_epoch(Date::new(1970, 1, 1).unwrap()), Some(0));
    }
}
