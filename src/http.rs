//! Signing and verifying [`http::Request`] values (feature `http`).
//!
//! * Client side: [`sign`] adds the TC3-HMAC-SHA256 headers of
//!   [`SignedRequest::headers`](crate::v3::SignedRequest::headers) to an `http::Request<B>` in
//!   place, for any body type: [`SignOptions`] name the payload (the body bytes, a SHA-256
//!   computed while streaming it, or `UNSIGNED-PAYLOAD`), and optionally a cached
//!   [`SigningKey`] and extra signed headers.
//! * Gateway side: [`verify`] checks an `http::Request<B>` whose body is in memory through
//!   [`crate::verify::verify`]; [`RequestView::from_http`] gives the view of a request and a body
//!   given apart (e.g. the SHA-256 of a streamed body) for the other verifier entry points. A
//!   request split by [`http::Request::into_parts`] is put back together, without copying,
//!   with [`http::Request::from_parts`].
//!
//! Both sides take the method, the path and the raw query from the request and its URI, so
//! origin-form (`/?Action=…`) and absolute-form targets (`http://cvm.tencentcloudapi.com/?…`,
//! what a client sends to its HTTP proxy) behave the same. The host is the request's
//! authority: the `Host` header, or, when the request has none, the URI authority (the `http`
//! crate keeps the HTTP/2 `:authority` pseudo-header there, so an HTTP/2 request is signed
//! and verified with its `:authority` as the signed `host`). A request whose URI authority and
//! `Host` header differ is refused by the verifier
//! ([`VerifyError::SignedHeaderAmbiguous`]); the verified result gives the host verified
//! ([`Verified::host`]).
//!
//! # Client: sign a request in place
//!
//! The documented example (`docs/protocol-signing.md`), built as an `http::Request`:
//!
//! ```
//! use tc3::http::SignOptions;
//! use tc3::v3::{Common, Payload};
//! use tc3::Credential;
//!
//! let body = br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
//! let mut req = http::Request::post("https://cvm.tencentcloudapi.com/")
//!     .header("Content-Type", "application/json; charset=utf-8")
//!     .body(&body[..])
//!     .unwrap();
//! let cred = Credential::new("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE")?;
//! let common = Common::new("cvm", "DescribeInstances", "2017-03-12", 1551113065)
//!     .with_region("ap-guangzhou");
//! tc3::http::sign(&mut req, &cred, &common, &SignOptions::new(Payload::Bytes(body)))?;
//!
//! assert_eq!(req.headers()["Host"], "cvm.tencentcloudapi.com");
//! assert_eq!(req.headers()["X-TC-Timestamp"], "1551113065");
//! assert_eq!(
//!     req.headers()["Authorization"],
//!     "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, \
//!      SignedHeaders=content-type;host, \
//!      Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
//! );
//! # Ok::<(), tc3::Error>(())
//! ```
//!
//! A streamed body: hash it while it is produced and sign the digest.
//!
//! ```
//! use tc3::http::{sign, SignOptions};
//! use tc3::v3::{Common, PayloadHasher};
//! use tc3::Credential;
//!
//! let mut hasher = PayloadHasher::new();
//! for chunk in [&b"{\"Limit\": "[..], b"1}"] {
//!     hasher.update(chunk);
//! }
//! let mut req = http::Request::post("https://cvm.tencentcloudapi.com/")
//!     .header("Content-Type", "application/json")
//!     .body(()) // the body goes out separately
//!     .unwrap();
//! let cred = Credential::new("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE")?;
//! let common = Common::new("cvm", "DescribeInstances", "2017-03-12", 1551113065);
//! sign(&mut req, &cred, &common, &SignOptions::new(hasher.finish()))?;
//! assert!(req.headers()["Authorization"].to_str().unwrap().starts_with("TC3-HMAC-SHA256 "));
//! # Ok::<(), tc3::Error>(())
//! ```
//!
//! # Gateway: verify a received request
//!
//! ```
//! use tc3::verify::{LegacyScratch, Policy};
//! use tc3::SecretKey;
//!
//! let body = br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
//! // an HTTP/2 request: no Host header, the authority is in the URI
//! let req = http::Request::post("https://cvm.tencentcloudapi.com/")
//!     .version(http::Version::HTTP_2)
//!     .header("Content-Type", "application/json; charset=utf-8")
//!     .header("X-TC-Action", "DescribeInstances")
//!     .header("X-TC-Timestamp", "1551113065")
//!     .header("Authorization", "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168")
//!     .body(&body[..])
//!     .unwrap();
//! let keys = |id: &str| (id == "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE")
//!     .then(|| SecretKey::new("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE").ok())
//!     .flatten();
//! let mut scratch = LegacyScratch::<4096, 64>::new();
//! let ok = tc3::http::verify(&req, &keys, &Policy::at(1551113065), &mut scratch).unwrap();
//! assert_eq!(ok.secret_id(), "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE");
//!
//! let err = tc3::http::verify(&req, &keys, &Policy::at(1551113065 + 600), &mut scratch).unwrap_err();
//! assert_eq!(err.code(), "AuthFailure.SignatureExpire");
//! ```
//!
//! A server that collected the body separately (hyper: `req.into_parts()`, then the body's
//! bytes) verifies `http::Request::from_parts(parts, bytes)`; with only the SHA-256 of a
//! streamed TC3 body, [`RequestView::from_http`] of `http::Request::from_parts(parts, ())` and
//! [`Payload::Sha256`] go to [`crate::verify::verify`]. See `tc3-gateway` (crate `tc3-tower`).

use crate::credential::Credential;
use crate::error::{Error, Field, Reason};
use crate::header;
use crate::v3::{Common, Method, Payload, SigningKey};
use crate::verify::{Headers, KeyProvider, LegacyScratch, Lookup, Policy, RequestView};
use crate::verify::{Verified, VerifyError};
use ::http::header::{HeaderName, HeaderValue};
use ::http::request::Parts;
use ::http::{HeaderMap, Request, Uri, Version};

/// The `Content-Type` signed and sent for a `GET` without one.
const DEFAULT_GET_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";
/// The `Content-Type` signed and sent for a `POST` without one.
const DEFAULT_POST_CONTENT_TYPE: &str = "application/json; charset=utf-8";

// ---------------------------------------------------------------------------------------------
// Host, path, query

/// The authority of `uri` without any `userinfo@` (what `Host` / `:authority` carries).
fn uri_authority(uri: &Uri) -> Option<&str> {
    let a = uri.authority()?.as_str();
    let host = a.rsplit_once('@').map_or(a, |(_, h)| h);
    (!host.is_empty()).then_some(host)
}

/// `Host` from the header map, or the URI authority when the map has no `Host` at all. When
/// both are present and differ (ASCII case-insensitively), the host is ambiguous
/// ([`Lookup::Many`]): the request is refused rather than verified against the one a
/// backend may not route by.
fn lookup_with_authority<'h>(headers: &'h HeaderMap, uri: &'h Uri, name: &str) -> Lookup<'h> {
    let found = headers.lookup(name);
    if !name.eq_ignore_ascii_case(header::HOST) {
        return found;
    }
    match (found, uri_authority(uri)) {
        (Lookup::Absent, Some(a)) => Lookup::One(a.as_bytes()),
        (Lookup::One(h), Some(a))
            if !crate::verify::request::trim_ows(h).eq_ignore_ascii_case(a.as_bytes()) =>
        {
            Lookup::Many
        }
        (found, _) => found,
    }
}

/// The request path of `uri` (`/` when the target has none, e.g. `http://host`).
fn uri_path(uri: &Uri) -> &str {
    match uri.path() {
        "" => "/",
        p => p,
    }
}

/// Headers of a whole request: the header map, with `host` falling back to the URI authority
/// (HTTP/2 `:authority`, or an absolute-form target) when no `Host` header was received.
impl<B> Headers for Request<B> {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        lookup_with_authority(self.headers(), self.uri(), name)
    }
}

/// Headers of a request's [`Parts`], with the same `host` fallback as for [`Request`].
impl Headers for Parts {
    fn lookup(&self, name: &str) -> Lookup<'_> {
        lookup_with_authority(&self.headers, &self.uri, name)
    }
}

// ---------------------------------------------------------------------------------------------
// Verification

impl<'a, B> RequestView<'a, Request<B>> {
    /// The verifier's view of `req`: method, path and raw query from the URI (origin- or
    /// absolute-form), headers with the `host` fallback, and `body` (the request's own body is
    /// not read).
    ///
    /// ```
    /// use tc3::v3::Payload;
    /// use tc3::verify::{LegacyScratch, Policy, RequestView};
    ///
    /// // a gateway that hashed the body while streaming it: the parts and the digest
    /// let req = http::Request::post("http://cvm.tencentcloudapi.com/").body(()).unwrap();
    /// let (parts, ()) = req.into_parts();
    /// let req = http::Request::from_parts(parts, ());
    /// let view = RequestView::from_http(&req, Payload::Sha256([0; 32]));
    /// assert_eq!((view.method, view.path), ("POST", "/"));
    /// let keys = |_: &str| None;
    /// let mut scratch = LegacyScratch::<0, 0>::new();
    /// let e = tc3::verify::verify(&view, &keys, &Policy::skip_clock(), &mut scratch);
    /// assert_eq!(e.unwrap_err().code(), "AuthFailure.InvalidAuthorization");
    /// ```
    pub fn from_http(req: &'a Request<B>, body: Payload<'a>) -> Self {
        RequestView::new(
            req.method().as_str(),
            uri_path(req.uri()),
            req.uri().query(),
            req,
            body,
        )
    }
}

/// Verifies `req` (its body in memory) with [`crate::verify::verify`]: TC3 when it carries an
/// `Authorization` header, legacy otherwise. See the [module example](self) for a TC3 request.
///
/// ```
/// use tc3::verify::{LegacyScratch, Policy};
/// // docs/protocol-signing.md, the documented legacy GET
/// let req = http::Request::get("http://cvm.tencentcloudapi.com/?Action=DescribeInstances&InstanceIds.0=ins-09dx96dg&Limit=20&Nonce=11886&Offset=0&Region=ap-guangzhou&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE&Timestamp=1465185768&Version=2017-03-12&Signature=EliP9YW3pW28FpsEdkXt%2F%2BWcGeI%3D")
///     .body(Vec::new())
///     .unwrap();
/// let keys = |_: &str| tc3::SecretKey::new("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE").ok();
/// let mut scratch = LegacyScratch::<1024, 32>::new();
/// let ok = tc3::http::verify(&req, &keys, &Policy::at(1465185768), &mut scratch).unwrap();
/// assert_eq!(ok.host(), "cvm.tencentcloudapi.com");
/// assert_eq!(ok.sign_method(), "HmacSHA1");
/// ```
pub fn verify<'a, B, K, const N: usize, const P: usize>(
    req: &'a Request<B>,
    keys: &K,
    policy: &Policy<'_>,
    scratch: &'a mut LegacyScratch<N, P>,
) -> Result<Verified<'a>, VerifyError>
where
    B: AsRef<[u8]>,
    K: KeyProvider + ?Sized,
{
    let v = RequestView::from_http(req, Payload::Bytes(req.body().as_ref()));
    crate::verify::verify(&v, keys, policy, scratch)
}

// ---------------------------------------------------------------------------------------------
// Signing

/// How [`sign`] signs: the payload, an optional cached signing key and extra signed
/// headers.
#[derive(Copy, Clone, Debug)]
pub struct SignOptions<'o> {
    /// What enters the canonical request as the hashed payload.
    pub payload: Payload<'o>,
    /// A signing key cached for (date of the timestamp, service); `None` derives one.
    pub key: Option<&'o SigningKey>,
    /// Names of request headers to sign beyond `content-type` and `host` (e.g.
    /// `x-tc-action`, which [`sign`] adds before signing). Each must be present once.
    pub extra_signed_headers: &'o [&'o str],
}

impl SignOptions<'_> {
    /// The `Content-Type` signed and sent for a `GET` without one.
    pub const DEFAULT_GET_CONTENT_TYPE: &'static str = DEFAULT_GET_CONTENT_TYPE;
    /// The `Content-Type` signed and sent for a `POST` without one.
    pub const DEFAULT_POST_CONTENT_TYPE: &'static str = DEFAULT_POST_CONTENT_TYPE;
}

impl<'o> SignOptions<'o> {
    /// Signs `payload`, deriving the key, no extra signed headers.
    pub const fn new(payload: Payload<'o>) -> Self {
        SignOptions {
            payload,
            key: None,
            extra_signed_headers: &[],
        }
    }

    /// Uses a cached signing key.
    pub const fn with_key(mut self, key: &'o SigningKey) -> Self {
        self.key = Some(key);
        self
    }

    /// Signs these request headers too (names, any case).
    pub const fn with_extra_signed_headers(mut self, names: &'o [&'o str]) -> Self {
        self.extra_signed_headers = names;
        self
    }
}

/// Signs `req` in place with TC3-HMAC-SHA256 under `opts` (the request's body is not read:
/// `opts` names the payload). See also the [module examples](self).
///
/// ```
/// use tc3::http::SignOptions;
/// use tc3::v3::{Common, Payload};
///
/// let body = br#"{"Limit":1}"#;
/// let mut req = http::Request::post("https://cvm.tencentcloudapi.com/").body(&body[..]).unwrap();
/// let cred = tc3::Credential::new("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE")?;
/// let common = Common::new("cvm", "DescribeInstances", "2017-03-12", 1551113065);
/// tc3::http::sign(&mut req, &cred, &common, &SignOptions::new(Payload::Bytes(body)))?;
/// // no Content-Type: the POST default is signed and added
/// assert_eq!(req.headers()["Content-Type"], SignOptions::DEFAULT_POST_CONTENT_TYPE);
/// assert_eq!(req.headers()["X-TC-Action"], "DescribeInstances");
/// assert!(req.headers()["Authorization"].to_str().unwrap().contains("SignedHeaders=content-type;host,"));
/// # Ok::<(), tc3::Error>(())
/// ```
///
/// * Method `GET` or `POST` (others: `Error { Method, Malformed }`); the canonical URI is the
///   URI's path (`/` for the official endpoints), the query the URI's raw query.
/// * The signed `host` is the `Host` header, or the URI authority when there is none; the
///   `Host` header is then added for HTTP/1.x requests, not for HTTP/2 and HTTP/3 (whose
///   `:authority` comes from the URI). Neither → `Error { Host, Empty }`.
/// * The `Content-Type` header is signed as sent; without one,
///   [`SignOptions::DEFAULT_GET_CONTENT_TYPE`] / [`SignOptions::DEFAULT_POST_CONTENT_TYPE`] is signed and added.
/// * Then the headers of [`SignedRequest::headers`](crate::v3::SignedRequest::headers) are set
///   (replacing any of the same name): `X-TC-Action`, `X-TC-Timestamp`, `X-TC-Version`,
///   `X-TC-Region`, `X-TC-Token`, … and `Authorization`.
/// * Extra signed headers (`opts`) are signed with their values in the request; `X-TC-*`
///   headers that signing sets (e.g. `x-tc-action`) are signed with the value set.
///
/// On error the request is left unchanged.
pub fn sign<B>(
    req: &mut Request<B>,
    cred: &Credential<'_>,
    common: &Common<'_>,
    opts: &SignOptions<'_>,
) -> Result<(), Error> {
    let set = signed_headers(req, cred, common, opts)?;
    apply(req.headers_mut(), set);
    Ok(())
}

/// The most extra signed headers [`SignOptions`] may name.
const MAX_EXTRA: usize = crate::v3::MAX_SIGNED_HEADERS - 2;

/// Headers to set, computed from a shared borrow of the request.
type HeaderSet = heapless::Vec<(HeaderName, HeaderValue), 16>;

fn apply(headers: &mut HeaderMap, set: HeaderSet) {
    for (name, value) in set {
        headers.insert(name, value);
    }
}

fn header_value(field: Field, v: &str) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(v).map_err(|_| Error::new(field, Reason::Malformed))
}

/// A header's single value as text: absent → `Ok(None)`; repeated or not visible ASCII →
/// `Error { field, Malformed }`.
fn single<'h>(headers: &'h HeaderMap, name: &str, field: Field) -> Result<Option<&'h str>, Error> {
    let mut it = headers.get_all(name).iter();
    match (it.next(), it.next()) {
        (None, _) => Ok(None),
        (Some(v), None) => v
            .to_str()
            .map(Some)
            .map_err(|_| Error::new(field, Reason::Malformed)),
        (Some(_), Some(_)) => Err(Error::new(field, Reason::Duplicate)),
    }
}

/// The value signing sets for an `X-TC-*` header (so that it can also be an extra signed
/// header), if it sets one.
fn common_value<'c>(common: &Common<'c>, name: &str) -> Option<&'c str> {
    let c = common;
    [
        (header::ACTION, Some(c.action)),
        (header::VERSION, Some(c.version)),
        (header::REGION, c.region.filter(|r| !r.is_empty())),
        (header::LANGUAGE, c.language),
        (header::REQUEST_CLIENT, c.request_client),
    ]
    .into_iter()
    .find(|(n, _)| n.eq_ignore_ascii_case(name))
    .and_then(|(_, v)| v)
}

fn signed_headers<B>(
    req: &Request<B>,
    cred: &Credential<'_>,
    common: &Common<'_>,
    opts: &SignOptions<'_>,
) -> Result<HeaderSet, Error> {
    let method = Method::parse(req.method().as_str())?;
    let headers = req.headers();
    let (host, add_host) = match single(headers, header::HOST, Field::Host)? {
        Some(h) => (h, false),
        None => {
            let h = uri_authority(req.uri()).ok_or(Error::new(Field::Host, Reason::Empty))?;
            let h2 = matches!(req.version(), Version::HTTP_2 | Version::HTTP_3);
            (h, !h2)
        }
    };
    let (content_type, add_ct) = match single(headers, header::CONTENT_TYPE, Field::ContentType)? {
        Some(ct) => (ct, false),
        None => match method {
            Method::Get => (DEFAULT_GET_CONTENT_TYPE, true),
            Method::Post => (DEFAULT_POST_CONTENT_TYPE, true),
        },
    };
    if opts.extra_signed_headers.len() > MAX_EXTRA {
        return Err(Error::new(Field::HeaderName, Reason::Capacity));
    }
    let mut ts_buf = [0u8; 20];
    let ts = core::str::from_utf8(crate::encode::decimal(common.timestamp, &mut ts_buf))
        .map_err(|_| Error::new(Field::Timestamp, Reason::Malformed))?;
    let mut extra: heapless::Vec<(&str, &str), MAX_EXTRA> = heapless::Vec::new();
    for &name in opts.extra_signed_headers {
        let value = match common_value(common, name) {
            Some(v) => v,
            None if name.eq_ignore_ascii_case(header::TIMESTAMP) => ts,
            None => single(headers, name, Field::HeaderValue)?
                .ok_or(Error::new(Field::HeaderValue, Reason::Empty))?,
        };
        extra
            .push((name, value))
            .map_err(|_| Error::new(Field::HeaderName, Reason::Capacity))?;
    }
    let v3req = crate::v3::Request {
        method,
        uri: uri_path(req.uri()),
        query: req.uri().query().unwrap_or(""),
        host,
        content_type,
        extra_signed_headers: &extra,
        payload: opts.payload,
    };
    let signed = match opts.key {
        Some(key) => crate::v3::sign(cred, key, common, &v3req)?,
        None => crate::v3::sign_fresh(cred, common, &v3req)?,
    };
    let mut set = HeaderSet::new();
    for (name, value) in signed.headers() {
        let skip = match name {
            header::sent::HOST => !add_host,
            header::sent::CONTENT_TYPE => !add_ct,
            _ => false,
        };
        if skip {
            continue;
        }
        let field = match name {
            header::sent::HOST => Field::Host,
            header::sent::CONTENT_TYPE => Field::ContentType,
            header::sent::TOKEN => Field::Token,
            _ => Field::HeaderValue,
        };
        let hv = header_value(field, value)?;
        let hv = if name == header::sent::TOKEN || name == header::sent::AUTHORIZATION {
            let mut hv = hv;
            hv.set_sensitive(true);
            hv
        } else {
            hv
        };
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::new(Field::HeaderName, Reason::Malformed))?;
        set.push((name, hv))
            .map_err(|_| Error::new(Field::Output, Reason::Capacity))?;
    }
    Ok(set)
}
