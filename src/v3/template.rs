//! Request templates: the constant parts of many TC3 requests checked and hashed once.

use super::{
    canonical, check_query, check_scope, check_signed_headers_len, finish_signed, hash_payload,
    prepare_headers, Common, Method, Parts, Payload, Request, SignedRequest, SigningKey,
    MAX_SIGNED_HEADERS, MAX_SIGNED_HEADERS_LEN,
};
use crate::credential::Credential;
use crate::encode::{hex32, BufWriter, Sink};
use crate::error::{Error, Field, Reason};
use canonical::HeaderEntry;
use core::fmt;
use sha2::{Digest, Sha256};

/// The constant parts of many TC3 requests (method, canonical URI, query, host, content type,
/// extra signed headers), checked once exactly as [`sign`](super::sign) checks them and
/// hashed once: the template keeps the SHA-256 state after the canonical request up to the
/// hashed payload, and the SignedHeaders list.
///
/// Per request only the payload hash, the rest of the canonical request, the string to sign
/// (HMAC from the cached [`SigningKey`]) and the `Authorization` value are computed. The result
/// is the [`SignedRequest`] [`sign`](super::sign) returns for the same inputs, byte for byte.
/// Nothing allocates.
///
/// ```
/// use tc3::v3::{Common, Payload, Request, SigningKey, Template};
/// use tc3::{Credential, Date};
///
/// let cred = Credential::new("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE")?;
/// let key = SigningKey::derive(&cred.key, Date::from_unix(1551113065)?, "cvm")?;
/// // Once per client: the constant parts (the payload of this request is not used).
/// let template = Template::new(&Request::new_post(
///     "cvm.tencentcloudapi.com",
///     "application/json; charset=utf-8",
///     b"",
/// ))?;
/// // Per request.
/// let body = br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
/// let common = Common::new("cvm", "DescribeInstances", "2017-03-12", 1551113065).with_region("ap-guangzhou");
/// let signed = template.sign(&cred, &key, &common, Payload::Bytes(body))?;
/// assert_eq!(
///     signed.signature().as_hex(),
///     "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
/// );
/// // A GET whose query changes per request:
/// let get = Template::new(&Request::new_get("cvm.tencentcloudapi.com", ""))?;
/// let signed = get.sign_query(&cred, &key, &common, "Limit=1", Payload::Bytes(b""))?;
/// # let _ = signed;
/// # Ok::<(), tc3::Error>(())
/// ```
#[derive(Clone)]
pub struct Template<'a> {
    method: Method,
    uri: &'a str,
    query: &'a str,
    host: &'a str,
    content_type: &'a str,
    headers: heapless::Vec<HeaderEntry<'a>, MAX_SIGNED_HEADERS>,
    signed_headers: [u8; MAX_SIGNED_HEADERS_LEN],
    signed_headers_len: usize,
    /// SHA-256 after `METHOD\nURI\n` (for a per-request query).
    head: Sha256,
    /// SHA-256 after the whole canonical request but the hashed payload.
    prefix: Sha256,
}

impl<'a> Template<'a> {
    /// Checks the method, URI, query, host, content type and extra signed headers of `req`
    /// (same checks and errors as [`sign`](super::sign)) and hashes the constant prefix of
    /// the canonical request. `req.payload` is ignored: every signature takes its own.
    pub fn new(req: &Request<'a>) -> Result<Self, Error> {
        let mut headers = heapless::Vec::new();
        prepare_headers(req, &mut headers)?;
        check_signed_headers_len(&headers)?;
        let mut signed_headers = [0u8; MAX_SIGNED_HEADERS_LEN];
        let mut w = BufWriter::new(&mut signed_headers);
        canonical::write_signed_headers(&headers, &mut w);
        let signed_headers_len = w
            .finish()
            .map_err(|_| Error::new(Field::HeaderName, Reason::Capacity))?
            .len();
        let mut head = Sha256::new();
        canonical::write_canonical_head(req.method.as_str(), req.uri, &mut head);
        let mut prefix = head.clone();
        prefix.put(req.query.as_bytes());
        prefix.put(b"\n");
        canonical::write_canonical_header_block(&headers, &mut prefix);
        Ok(Template {
            method: req.method,
            uri: req.uri,
            query: req.query,
            host: req.host,
            content_type: req.content_type,
            headers,
            signed_headers,
            signed_headers_len,
            head,
            prefix,
        })
    }

    /// Signs one request: the template's parts with `payload`, under `common`, with the
    /// cached `key` of (date of `common.timestamp`, `common.service`). Same result and errors
    /// as [`sign`](super::sign) with the equivalent [`Request`].
    pub fn sign(
        &self,
        cred: &Credential<'a>,
        key: &SigningKey,
        common: &Common<'a>,
        payload: Payload<'_>,
    ) -> Result<SignedRequest<'a>, Error> {
        check_scope(cred, key, common)?;
        let mut sha = self.prefix.clone();
        sha.put(&hash_payload(&payload));
        let hcr = hex32(&sha.finalize().into());
        finish_signed(cred, key, common, &hcr, self.parts(&payload))
    }

    /// Like [`Template::sign`] with `query` in place of the template's query (a GET whose
    /// parameters change per request). `query` is checked as [`sign`](super::sign) checks
    /// it; the rest of the canonical request after `METHOD\nURI\n` is hashed again.
    pub fn sign_query(
        &self,
        cred: &Credential<'a>,
        key: &SigningKey,
        common: &Common<'a>,
        query: &str,
        payload: Payload<'_>,
    ) -> Result<SignedRequest<'a>, Error> {
        check_scope(cred, key, common)?;
        check_query(query)?;
        let mut sha = self.head.clone();
        sha.put(query.as_bytes());
        sha.put(b"\n");
        canonical::write_canonical_header_block(&self.headers, &mut sha);
        sha.put(&hash_payload(&payload));
        let hcr = hex32(&sha.finalize().into());
        finish_signed(cred, key, common, &hcr, self.parts(&payload))
    }

    fn parts(&self, payload: &Payload<'_>) -> Parts<'a, impl FnOnce(&mut BufWriter<'_>) + '_> {
        let sh = self
            .signed_headers
            .get(..self.signed_headers_len)
            .unwrap_or(&[]);
        Parts {
            host: self.host,
            content_type: self.content_type,
            unsigned: matches!(payload, Payload::Unsigned),
            signed_headers: move |w: &mut BufWriter<'_>| w.put(sh),
        }
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The canonical URI.
    pub fn uri(&self) -> &'a str {
        self.uri
    }

    /// The query used by [`Template::sign`].
    pub fn query(&self) -> &'a str {
        self.query
    }

    /// The `Host` value.
    pub fn host(&self) -> &'a str {
        self.host
    }

    /// The `Content-Type` value.
    pub fn content_type(&self) -> &'a str {
        self.content_type
    }

    /// The SignedHeaders list (`content-type;host`).
    pub fn signed_headers(&self) -> &str {
        core::str::from_utf8(
            self.signed_headers
                .get(..self.signed_headers_len)
                .unwrap_or(&[]),
        )
        .unwrap_or("")
    }
}

impl fmt::Debug for Template<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Template")
            .field("method", &self.method)
            .field("uri", &self.uri)
            .field("query", &self.query)
            .field("host", &self.host)
            .field("content_type", &self.content_type)
            .field("signed_headers", &self.signed_headers())
            .finish_non_exhaustive()
    }
}
