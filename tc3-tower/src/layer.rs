//! The verifying `tower` layer.

use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Request, Response};
use http_body_util::{BodyExt, Either, Full, LengthLimitError, Limited};
use tc3::verify::{KeyProvider, VerifyError};
use tower_layer::Layer;
use tower_service::Service;

use crate::keys::{AsyncKeyProvider, Fetched};
use crate::policy::{GatewayPolicy, VerifiedFacts};
use crate::replay::{MemoryReplayStore, ReplayError, ReplayStore};

/// The default body limit: 10 MiB (Tencent Cloud's documented request size limit).
pub const DEFAULT_MAX_BODY: usize = 10 * 1024 * 1024;

/// The default time allowed for receiving a request body: 30 s.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// The response body of a [`VerifyService`]: the inner service's, or the layer's own
/// error envelope.
pub type VerifyBody<B> = Either<B, Full<Bytes>>;

/// Set in the extensions of every response the layer answers itself: the Tencent error code
/// it sent (for logs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rejected(pub &'static str);

enum KeySource {
    Sync(Arc<dyn KeyProvider + Send + Sync>),
    Async(Arc<dyn AsyncKeyProvider>),
}

impl Clone for KeySource {
    fn clone(&self) -> Self {
        match self {
            KeySource::Sync(k) => KeySource::Sync(k.clone()),
            KeySource::Async(k) => KeySource::Async(k.clone()),
        }
    }
}

/// A `tower` layer that verifies every request (TC3-HMAC-SHA256, HmacSHA1, HmacSHA256) before
/// the inner service sees it.
///
/// * The body is buffered up to [`max_body`](Self::max_body) bytes (default 10 MiB; beyond:
///   `RequestSizeLimitExceeded`, refused from `Content-Length` without reading).
/// * Failures are answered by the layer: HTTP 200, `Content-Type: application/json`, the
///   Tencent Cloud error envelope with the server's code and a fresh RequestId, and a
///   [`Rejected`] response extension.
/// * A verified request reaches the inner service as `Request<Full<Bytes>>` with the body
///   unchanged and a [`VerifiedFacts`] extension.
/// * Runs inside a Tokio runtime with its timer enabled (as axum and `hyper_util` servers
///   have): the body timeout uses `tokio::time`.
/// * Replays: legacy `(SecretId, Nonce, Timestamp)` triples are single-use within the window
///   (in memory by default, or any [`ReplayStore`] such as Redis); TC3 signatures too with
///   [`tc3_replay`](Self::tc3_replay). A store that cannot answer refuses the request with
///   `ServiceUnavailable` (fails closed).
///
/// ```
/// use axum::{routing::post, Router};
/// use tc3_tower::{StaticKeys, VerifyLayer};
///
/// let keys = StaticKeys::from_json(br#"{"AKIDexample": "secret-key"}"#).unwrap();
/// let app: Router = Router::new()
///     .route("/", post(|| async { r#"{"Response":{"RequestId":"1"}}"# }))
///     .layer(VerifyLayer::new(keys));
/// ```
#[derive(Clone)]
pub struct VerifyLayer {
    keys: KeySource,
    policy: GatewayPolicy,
    replay: Arc<dyn ReplayStore>,
    tc3_replay: bool,
    max_body: usize,
    body_timeout: Duration,
}

impl std::fmt::Debug for VerifyLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyLayer")
            .field("policy", &self.policy)
            .field("tc3_replay", &self.tc3_replay)
            .field("max_body", &self.max_body)
            .field("body_timeout", &self.body_timeout)
            .finish_non_exhaustive()
    }
}

impl VerifyLayer {
    /// A layer with a synchronous key provider ([`StaticKeys`](crate::StaticKeys),
    /// [`FileKeys`](crate::FileKeys), a closure…), the default policy, an in-memory replay
    /// store and a 10 MiB body limit.
    pub fn new<K: KeyProvider + Send + Sync + 'static>(keys: K) -> Self {
        Self::from_source(KeySource::Sync(Arc::new(keys)))
    }

    /// A layer whose keys come from an [`AsyncKeyProvider`].
    pub fn with_async_keys<A: AsyncKeyProvider>(keys: A) -> Self {
        Self::from_source(KeySource::Async(Arc::new(keys)))
    }

    fn from_source(keys: KeySource) -> Self {
        VerifyLayer {
            keys,
            policy: GatewayPolicy::default(),
            replay: Arc::new(MemoryReplayStore::default()),
            tc3_replay: false,
            max_body: DEFAULT_MAX_BODY,
            body_timeout: DEFAULT_BODY_TIMEOUT,
        }
    }

    /// Sets the verification policy.
    ///
    /// ```
    /// use tc3_tower::{GatewayPolicy, MemoryReplayStore, StaticKeys, VerifyLayer};
    ///
    /// let keys = StaticKeys::from_pairs([("AKIDa", "key-a")]).unwrap();
    /// let layer = VerifyLayer::new(keys)
    ///     .policy(GatewayPolicy::hardened().with_mount("/cvm"))
    ///     .replay_store(MemoryReplayStore::new(100_000))
    ///     .tc3_replay(true)
    ///     .max_body(1 << 20);
    /// # let _ = layer;
    /// ```
    pub fn policy(mut self, policy: GatewayPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Sets the replay store (e.g. [`RedisReplayStore`](crate::RedisReplayStore)).
    pub fn replay_store<R: ReplayStore>(mut self, store: R) -> Self {
        self.replay = Arc::new(store);
        self
    }

    /// Also refuses a TC3 signature seen before within the window (default off: a client
    /// retrying the same signed request after a network error is then refused).
    pub fn tc3_replay(mut self, on: bool) -> Self {
        self.tc3_replay = on;
        self
    }

    /// Sets the body limit in bytes.
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Sets how long the whole body may take to arrive (default 30 s; beyond:
    /// `InvalidRequest`), so that a client trickling its body cannot hold a connection.
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }
}

impl<S> Layer<S> for VerifyLayer {
    type Service = VerifyService<S>;

    fn layer(&self, inner: S) -> VerifyService<S> {
        VerifyService {
            inner,
            shared: Arc::new(Shared {
                layer: self.clone(),
                ids: RequestIds::new(),
            }),
        }
    }
}

struct Shared {
    layer: VerifyLayer,
    ids: RequestIds,
}

/// The service of [`VerifyLayer`].
#[derive(Clone)]
pub struct VerifyService<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S: std::fmt::Debug> std::fmt::Debug for VerifyService<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyService")
            .field("inner", &self.inner)
            .field("layer", &self.shared.layer)
            .finish()
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for VerifyService<S>
where
    S: Service<Request<Full<Bytes>>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    ReqBody: http_body::Body + Send + 'static,
    ReqBody::Data: Send,
    ReqBody::Error: Into<BoxError>,
{
    type Response = Response<VerifyBody<ResBody>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        let shared = self.shared.clone();
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            let request_id = shared.ids.next();
            let (mut parts, body) = req.into_parts();
            let l = &shared.layer;
            let read = tokio::time::timeout(l.body_timeout, read_body(&parts, body, l.max_body));
            let bytes = match read.await {
                Ok(Ok(b)) => b,
                Ok(Err(rej)) => return Ok(rej.response(&request_id)),
                Err(_) => {
                    let rej = Rejection::new(
                        "InvalidRequest",
                        format!(
                            "the request body did not arrive within {} s",
                            l.body_timeout.as_secs()
                        ),
                    );
                    return Ok(rej.response(&request_id));
                }
            };
            match shared.check(&parts, &bytes).await {
                Ok(mut facts) => {
                    facts.request_id = request_id;
                    parts.extensions.insert(facts);
                    let req = Request::from_parts(parts, Full::new(bytes));
                    inner.call(req).await.map(|r| r.map(Either::Left))
                }
                Err(rej) => Ok(rej.response(&request_id)),
            }
        })
    }
}

/// A refusal: the Tencent code and a message free of secrets.
struct Rejection {
    code: &'static str,
    message: String,
}

impl Rejection {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Rejection {
            code,
            message: message.into(),
        }
    }

    fn response<B>(&self, request_id: &str) -> Response<VerifyBody<B>> {
        error_response(self.code, &self.message, request_id).map(Either::Right)
    }
}

impl From<VerifyError> for Rejection {
    fn from(e: VerifyError) -> Self {
        Rejection::new(e.code(), e.message().as_str())
    }
}

impl From<ReplayError> for Rejection {
    fn from(e: ReplayError) -> Self {
        match e {
            ReplayError::Full => Rejection::new(
                "RequestLimitExceeded",
                "too many recent requests to check for replays",
            ),
            ReplayError::Unavailable(_) => Rejection::new(
                "ServiceUnavailable",
                "the replay store cannot be reached; retry later",
            ),
        }
    }
}

/// An error envelope response (HTTP 200, `application/json`, a [`Rejected`] extension).
///
/// ```
/// let resp = tc3_tower::error_response("InternalError", "upstream down", "id-1");
/// assert_eq!(resp.status(), 200);
/// assert_eq!(resp.extensions().get::<tc3_tower::Rejected>().unwrap().0, "InternalError");
/// ```
pub fn error_response(
    code: &'static str,
    message: &str,
    request_id: &str,
) -> Response<Full<Bytes>> {
    let mut out = Vec::new();
    tc3::envelope::write_error(code, message, request_id, &mut out);
    let mut resp = Response::new(Full::new(Bytes::from(out)));
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp.extensions_mut().insert(Rejected(code));
    resp
}

async fn read_body<B>(parts: &http::request::Parts, body: B, max: usize) -> Result<Bytes, Rejection>
where
    B: http_body::Body,
    B::Error: Into<BoxError>,
{
    let too_large = || {
        Rejection::new(
            "RequestSizeLimitExceeded",
            format!("the request body exceeds {max} bytes"),
        )
    };
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    match Limited::new(body, max).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.is::<LengthLimitError>() => Err(too_large()),
        Err(_) => Err(Rejection::new(
            "InvalidRequest",
            "the request body could not be read",
        )),
    }
}

impl Shared {
    async fn check(
        &self,
        parts: &http::request::Parts,
        body: &[u8],
    ) -> Result<VerifiedFacts, Rejection> {
        let l = &self.layer;
        let now = tc3::now_unix();
        let facts = match &l.keys {
            KeySource::Sync(k) => l.policy.verify(parts, body, &**k, now)?,
            KeySource::Async(a) => {
                let id = l.policy.claimed_secret_id(parts, body, now)?;
                let key = a
                    .secret_key(&id)
                    .await
                    .map_err(|_| {
                        Rejection::new("InternalError", "the key store cannot be reached")
                    })?
                    .ok_or(Rejection::from(VerifyError::SecretIdNotFound))?;
                let fetched = Fetched {
                    id: &id,
                    key,
                    source: &**a,
                };
                l.policy.verify(parts, body, &fetched, now)?
            }
        };
        let ttl = Duration::from_millis(facts.replay_ttl_ms);
        if let Some(key) = &facts.replay_key {
            if !l.replay.insert_new(key, ttl).await? {
                return Err(VerifyError::Replayed.into());
            }
        }
        if l.tc3_replay {
            if let Some(key) = &facts.tc3_replay_key {
                if !l.replay.insert_new(key, ttl).await? {
                    return Err(Rejection::new(
                        "AuthFailure.SignatureExpire",
                        "this signature was already used within the replay window",
                    ));
                }
            }
        }
        Ok(facts)
    }
}

/// UUID-v4-shaped request ids: a process-random key hashed with a counter and the time.
pub(crate) struct RequestIds {
    counter: AtomicU64,
    random: std::collections::hash_map::RandomState,
}

impl RequestIds {
    pub(crate) fn new() -> Self {
        RequestIds {
            counter: AtomicU64::new(0),
            random: std::collections::hash_map::RandomState::new(),
        }
    }

    pub(crate) fn next(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let word = |salt: u64| {
            let mut h = self.random.build_hasher();
            h.write_u64(n);
            h.write_u64(salt);
            h.write_u128(t);
            h.finish()
        };
        let (a, b) = (word(1), word(2));
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }
}

/// A fresh UUID-v4-shaped request id (for envelopes a service writes itself).
///
/// ```
/// let id = tc3_tower::request_id();
/// assert_eq!(id.len(), 36);
/// assert_eq!(&id[14..15], "4");
/// ```
pub fn request_id() -> String {
    static IDS: std::sync::OnceLock<RequestIds> = std::sync::OnceLock::new();
    IDS.get_or_init(RequestIds::new).next()
}
