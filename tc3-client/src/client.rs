//! The client: sign, send, retry, decode.

use crate::breaker::Breaker;
use crate::credentials::{DefaultChain, Static};
use crate::error::{decode, secs, Sent, TransportError};
use crate::events::EventStream;
use crate::transport::{SendError, Transport};
use crate::{
    ApiError, BreakerConfig, Credentials, Endpoint, Error, ProvideCredentials, RetryPolicy,
};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderName, HeaderValue};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tc3::envelope::{self, ErrorCode};
use tc3::{sse, v3};

/// The largest JSON answer read: 64 MiB (the API documents answers up to 50 MB).
pub const MAX_ANSWER: usize = 64 << 20;

/// What the client sends as `X-TC-RequestClient`.
const REQUEST_CLIENT: &str = concat!("tc3-client-rust/", env!("CARGO_PKG_VERSION"));

/// One attempt, as reported to [`ClientBuilder::on_attempt`]. Holds no secret.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Attempt<'a> {
    /// 1-based attempt number.
    pub number: u32,
    /// The URL the attempt went to.
    pub url: &'a str,
    /// The action.
    pub action: &'a str,
    /// The SecretId used.
    pub secret_id: &'a str,
    /// What came of it: `ok`, an error code, or a transport error.
    pub outcome: &'a str,
    /// The delay before the next attempt, when there is one.
    pub retry_in: Option<Duration>,
}

type Observer = Arc<dyn Fn(&Attempt<'_>) + Send + Sync>;

/// Builds a [`Client`].
pub struct ClientBuilder {
    endpoint: Endpoint,
    region: Option<String>,
    creds: Option<Arc<dyn ProvideCredentials>>,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    breaker: Option<BreakerConfig>,
    language: Option<String>,
    skip_sign: bool,
    transport: Option<Transport>,
    observer: Option<Observer>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The endpoint (default [`Endpoint::Default`]).
    ///
    /// ```
    /// let c = tc3_client::Client::builder().endpoint(tc3_client::Endpoint::International).build();
    /// # let _ = c;
    /// ```
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// The region (`X-TC-Region`); default `TENCENTCLOUD_REGION` when set, else none.
    ///
    /// ```
    /// let c = tc3_client::Client::builder().region("ap-guangzhou").build();
    /// assert_eq!(c.region(), Some("ap-guangzhou"));
    /// ```
    pub fn region(mut self, region: &str) -> Self {
        self.region = Some(region.to_owned()).filter(|r| !r.is_empty());
        self
    }

    /// A fixed credential.
    ///
    /// ```
    /// let c = tc3_client::Credentials::new("AKIDx", "k", None).unwrap();
    /// let client = tc3_client::Client::builder().credentials(c).build();
    /// # let _ = client;
    /// ```
    pub fn credentials(mut self, creds: Credentials) -> Self {
        self.creds = Some(Arc::new(Static(Arc::new(creds))));
        self
    }

    /// A credential provider (default [`DefaultChain`]).
    ///
    /// ```
    /// let client = tc3_client::Client::builder()
    ///     .credentials_provider(tc3_client::DefaultChain::new().profile("prod"))
    ///     .build();
    /// # let _ = client;
    /// ```
    pub fn credentials_provider(mut self, p: impl ProvideCredentials + 'static) -> Self {
        self.creds = Some(Arc::new(p));
        self
    }

    /// Time allowed for one attempt, from sending to the last byte of a JSON answer or the
    /// headers of an event stream (default 60 s, the SDKs' `ReqTimeout`).
    ///
    /// ```
    /// let c = tc3_client::Client::builder().timeout(std::time::Duration::from_secs(5)).build();
    /// # let _ = c;
    /// ```
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    /// Time allowed to connect (default 5 s); a connection that fails is retried.
    ///
    /// ```
    /// let c = tc3_client::Client::builder().connect_timeout(std::time::Duration::from_secs(1)).build();
    /// # let _ = c;
    /// ```
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = t;
        self.transport = None;
        self
    }

    /// The retry policy (default [`RetryPolicy::default`]).
    ///
    /// ```
    /// let c = tc3_client::Client::builder().retry(tc3_client::RetryPolicy::none()).build();
    /// # let _ = c;
    /// ```
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Turns on the region breaker (off by default, as in the SDKs).
    ///
    /// ```
    /// let c = tc3_client::Client::builder()
    ///     .region_breaker(tc3_client::BreakerConfig::default())
    ///     .build();
    /// # let _ = c;
    /// ```
    pub fn region_breaker(mut self, config: BreakerConfig) -> Self {
        self.breaker = Some(config);
        self
    }

    /// `X-TC-Language` (`zh-CN` or `en-US`).
    ///
    /// ```
    /// let c = tc3_client::Client::builder().language("en-US").build();
    /// # let _ = c;
    /// ```
    pub fn language(mut self, lang: &str) -> Self {
        self.language = Some(lang.to_owned());
        self
    }

    /// Called after every attempt (for logging; the [`Attempt`] holds no secret).
    ///
    /// ```
    /// let c = tc3_client::Client::builder()
    ///     .on_attempt(|a| eprintln!("attempt {}: {}", a.number, a.outcome))
    ///     .build();
    /// # let _ = c;
    /// ```
    pub fn on_attempt(mut self, f: impl Fn(&Attempt<'_>) + Send + Sync + 'static) -> Self {
        self.observer = Some(Arc::new(f));
        self
    }

    /// Unsigned requests (`Authorization: SKIP`), for STS `AssumeRoleWithWebIdentity`.
    pub(crate) fn skip_sign(mut self) -> Self {
        self.skip_sign = true;
        self
    }

    pub(crate) fn transport(mut self, t: Transport) -> Self {
        self.transport = Some(t);
        self
    }

    /// The client. Credentials are looked up at the first call, not here.
    ///
    /// ```
    /// let client = tc3_client::Client::builder().build();
    /// # let _ = client;
    /// ```
    pub fn build(self) -> Client {
        let region = self.region.or_else(crate::region_from_env);
        let transport = self
            .transport
            .unwrap_or_else(|| Transport::with_connect_timeout(self.connect_timeout));
        Client {
            inner: Arc::new(Inner {
                transport,
                endpoint: self.endpoint,
                region,
                creds: self.creds.unwrap_or_else(|| Arc::new(DefaultChain::new())),
                timeout: self.timeout,
                retry: self.retry,
                breaker: self.breaker.map(Breaker::new),
                language: self.language,
                skip_sign: self.skip_sign,
                observer: self.observer,
            }),
        }
    }
}

struct Inner {
    transport: Transport,
    endpoint: Endpoint,
    region: Option<String>,
    creds: Arc<dyn ProvideCredentials>,
    timeout: Duration,
    retry: RetryPolicy,
    breaker: Option<Breaker>,
    language: Option<String>,
    skip_sign: bool,
    observer: Option<Observer>,
}

/// An async Tencent Cloud API 3.0 client. Cheap to clone (the connection pool and the
/// credential cache are shared).
///
/// ```no_run
/// # async fn f() -> Result<(), tc3_client::Error> {
/// #[derive(serde::Deserialize)]
/// #[serde(rename_all = "PascalCase")]
/// struct Zones { total_count: u64 }
/// let client = tc3_client::Client::builder().region("ap-guangzhou").build();
/// let zones: Zones = client
///     .call("cvm", "2017-03-12", "DescribeZones", &serde_json::json!({}))
///     .await?;
/// println!("{} zones", zones.total_count);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.endpoint)
            .field("region", &self.inner.region)
            .field("credentials", &self.inner.creds)
            .finish_non_exhaustive()
    }
}

/// A JSON answer: the whole document and where its `Response` object is.
///
/// ```no_run
/// # async fn f(client: tc3_client::Client) -> Result<(), tc3_client::Error> {
/// let r = client.call_raw("cvm", "2017-03-12", "DescribeZones", b"{}".to_vec()).await?;
/// println!("{} after {} attempt(s): {}", r.request_id().unwrap_or("-"), r.attempts(), r.response_json());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct RawResponse {
    body: Bytes,
    response: (usize, usize),
    request_id: Option<String>,
    attempts: u32,
}

impl RawResponse {
    /// The `Response` object as JSON text.
    pub fn response_json(&self) -> &str {
        std::str::from_utf8(
            self.body
                .get(self.response.0..self.response.1)
                .unwrap_or_default(),
        )
        .unwrap_or_default()
    }

    /// The whole answer body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// `Response.RequestId`.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// Attempts it took.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

/// The answer of [`Client::send`]: a JSON envelope, or an event stream.
#[derive(Debug)]
pub enum Answer {
    /// A successful JSON answer.
    Json(RawResponse),
    /// A `text/event-stream` answer.
    Events(EventStream),
}

/// A request body with its signed content type and unsigned extra headers.
struct Body {
    content_type: String,
    bytes: Bytes,
    headers: Vec<(HeaderName, HeaderValue)>,
}

enum Got {
    Full(u16, Bytes),
    Stream(hyper::body::Incoming, u16, Option<String>),
}

enum Fail {
    Api(ApiError),
    Decode(u16, String),
    Transport(Sent, bool, String),
}

fn invalid(e: impl fmt::Display) -> Error {
    Error::InvalidRequest(e.to_string())
}

impl Client {
    /// A builder with the defaults.
    ///
    /// ```
    /// let client = tc3_client::Client::builder().region("ap-beijing").build();
    /// # let _ = client;
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder {
            endpoint: Endpoint::Default,
            region: None,
            creds: None,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(5),
            retry: RetryPolicy::default(),
            breaker: None,
            language: None,
            skip_sign: false,
            transport: None,
            observer: None,
        }
    }

    /// The region requests carry.
    pub fn region(&self) -> Option<&str> {
        self.inner.region.as_deref()
    }

    /// A typed call: `req` serialized as the JSON body, the `Response` object deserialized.
    ///
    /// ```no_run
    /// # async fn f(client: tc3_client::Client) -> Result<(), tc3_client::Error> {
    /// let v: serde_json::Value = client
    ///     .call("cvm", "2017-03-12", "DescribeInstances", &serde_json::json!({"Limit": 1}))
    ///     .await?;
    /// println!("{}", v["TotalCount"]);
    /// # Ok(()) }
    /// ```
    pub async fn call<Req, Resp>(
        &self,
        service: &str,
        version: &str,
        action: &str,
        req: &Req,
    ) -> Result<Resp, Error>
    where
        Req: serde::Serialize + ?Sized,
        Resp: serde::de::DeserializeOwned,
    {
        let body = serde_json::to_vec(req).map_err(|e| invalid(format!("request body: {e}")))?;
        let raw = self.call_raw(service, version, action, body).await?;
        serde_json::from_str(raw.response_json()).map_err(|e| {
            decode(
                200,
                raw.attempts,
                format!("Response does not match the expected type: {e}"),
            )
        })
    }

    /// A raw JSON call: `json` is sent as is; the answer must be a JSON envelope.
    ///
    /// ```no_run
    /// # async fn f(client: tc3_client::Client) -> Result<(), tc3_client::Error> {
    /// let r = client.call_raw("cvm", "2017-03-12", "DescribeZones", b"{}".to_vec()).await?;
    /// println!("{} {}", r.request_id().unwrap_or(""), r.response_json());
    /// # Ok(()) }
    /// ```
    pub async fn call_raw(
        &self,
        service: &str,
        version: &str,
        action: &str,
        json: impl Into<Bytes>,
    ) -> Result<RawResponse, Error> {
        match self.send(service, version, action, json).await? {
            Answer::Json(r) => Ok(r),
            Answer::Events(_) => Err(decode(
                200,
                0,
                "an event stream where a JSON answer was expected (use Client::send)",
            )),
        }
    }

    /// Sends a JSON body; the answer is a JSON envelope or an event stream.
    ///
    /// ```no_run
    /// # async fn f(client: tc3_client::Client) -> Result<(), tc3_client::Error> {
    /// match client.send("cvm", "2017-03-12", "DescribeZones", b"{}".to_vec()).await? {
    ///     tc3_client::Answer::Json(r) => println!("{}", r.response_json()),
    ///     tc3_client::Answer::Events(_) => unreachable!("DescribeZones does not stream"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send(
        &self,
        service: &str,
        version: &str,
        action: &str,
        json: impl Into<Bytes>,
    ) -> Result<Answer, Error> {
        let body = Body {
            content_type: "application/json".into(),
            bytes: json.into(),
            headers: Vec::new(),
        };
        self.execute(service, version, action, &body).await
    }

    /// A `multipart/form-data` call (the body layout of the Python SDK, a random boundary).
    ///
    /// ```no_run
    /// # async fn f(client: tc3_client::Client) -> Result<(), tc3_client::Error> {
    /// use tc3_client::Part;
    /// let parts = [Part::Text { name: "Name", value: "a.png" }, Part::File { name: "File", data: b"\x89PNG" }];
    /// let r = client.call_multipart("svc", "2020-01-01", "UploadFile", &parts).await?;
    /// # let _ = r; Ok(()) }
    /// ```
    pub async fn call_multipart(
        &self,
        service: &str,
        version: &str,
        action: &str,
        parts: &[tc3::multipart::Part<'_>],
    ) -> Result<RawResponse, Error> {
        use tc3::multipart::{Boundary, Layout, Multipart};
        let mut random = [0u8; 16];
        random[..8].copy_from_slice(&crate::retry::random_u64().to_le_bytes());
        random[8..].copy_from_slice(&crate::retry::random_u64().to_le_bytes());
        let boundary = Boundary::from_random(&random).map_err(invalid)?;
        let form = Multipart::new(Layout::Python, &boundary);
        let len = form.encoded_len(parts).map_err(invalid)?;
        let mut buf = Vec::with_capacity(len);
        form.write(parts, &mut buf).map_err(invalid)?;
        let body = Body {
            content_type: form.content_type().as_str().to_owned(),
            bytes: buf.into(),
            headers: Vec::new(),
        };
        self.expect_json(self.execute(service, version, action, &body).await?)
    }

    /// An `application/octet-stream` call: `data` is the body, the per-API parameters travel
    /// as the given (unsigned) headers.
    ///
    /// ```no_run
    /// # async fn f(client: tc3_client::Client) -> Result<(), tc3_client::Error> {
    /// let r = client
    ///     .call_octet_stream("svc", "2020-01-01", "Upload", &[("X-SVC-Name", "a.bin")], vec![1u8, 2, 3])
    ///     .await?;
    /// # let _ = r; Ok(()) }
    /// ```
    pub async fn call_octet_stream(
        &self,
        service: &str,
        version: &str,
        action: &str,
        headers: &[(&str, &str)],
        data: impl Into<Bytes>,
    ) -> Result<RawResponse, Error> {
        let mut hs = Vec::with_capacity(headers.len());
        for (n, v) in headers {
            let name = HeaderName::from_bytes(n.as_bytes()).map_err(invalid)?;
            let value = HeaderValue::from_str(v).map_err(invalid)?;
            hs.push((name, value));
        }
        let body = Body {
            content_type: tc3::multipart::Layout::Python
                .octet_stream_content_type()
                .into(),
            bytes: data.into(),
            headers: hs,
        };
        self.expect_json(self.execute(service, version, action, &body).await?)
    }

    fn expect_json(&self, a: Answer) -> Result<RawResponse, Error> {
        match a {
            Answer::Json(r) => Ok(r),
            Answer::Events(_) => Err(decode(200, 0, "an unexpected event stream")),
        }
    }

    fn build(
        &self,
        (url, host): (&str, &str),
        (service, version, action): (&str, &str, &str),
        creds: Option<&Credentials>,
        body: &Body,
    ) -> Result<hyper::Request<Full<Bytes>>, Error> {
        let i = &self.inner;
        let mut b = hyper::Request::post(format!("{url}/"));
        let timestamp = tc3::now_unix();
        if i.skip_sign {
            let ts = timestamp.to_string();
            let mut hs: Vec<(&str, &str)> = vec![
                ("Host", host),
                ("Content-Type", &body.content_type),
                ("X-TC-Action", action),
                ("X-TC-Timestamp", &ts),
                ("X-TC-Version", version),
            ];
            if let Some(r) = &i.region {
                hs.push(("X-TC-Region", r));
            }
            hs.push(("X-TC-RequestClient", REQUEST_CLIENT));
            hs.push(("Authorization", "SKIP"));
            for (n, v) in hs {
                b = b.header(n, v);
            }
        } else {
            let creds = creds.ok_or_else(|| crate::CredentialsError::err("no credential"))?;
            let cred = creds
                .as_credential()
                .map_err(|e| crate::CredentialsError::err(format!("unusable credential: {e}")))?;
            let common = v3::Common {
                service,
                action,
                version,
                region: i.region.as_deref(),
                timestamp,
                language: i.language.as_deref(),
                request_client: Some(REQUEST_CLIENT),
            };
            let req = v3::Request::new_post(host, &body.content_type, &body.bytes);
            let signed = v3::sign_fresh(&cred, &common, &req).map_err(invalid)?;
            for (n, v) in signed.headers() {
                b = b.header(n, v);
            }
        }
        for (n, v) in &body.headers {
            b = b.header(n, v);
        }
        b.body(Full::new(body.bytes.clone())).map_err(invalid)
    }

    async fn attempt(&self, req: hyper::Request<Full<Bytes>>) -> Result<Got, Fail> {
        let fut = async {
            let resp = self.inner.transport.send(req).await.map_err(|e| match e {
                SendError::Connect(m) => Fail::Transport(Sent::No, false, m),
                SendError::Other(m) => Fail::Transport(Sent::Maybe, false, m),
            })?;
            let status = resp.status().as_u16();
            let ct = resp
                .headers()
                .get(hyper::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if sse::Framer::is_event_stream(ct) {
                let rid = resp
                    .headers()
                    .get("x-tc-requestid")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                return Ok(Got::Stream(resp.into_body(), status, rid));
            }
            let body = resp
                .into_body()
                .collect()
                .await
                .map_err(|e| {
                    Fail::Transport(Sent::Maybe, false, format!("reading the answer: {e}"))
                })?
                .to_bytes();
            Ok(Got::Full(status, body))
        };
        match tokio::time::timeout(self.inner.timeout, fut).await {
            Ok(r) => r,
            Err(_) => Err(Fail::Transport(
                Sent::Maybe,
                true,
                format!("no answer within {}", secs(self.inner.timeout)),
            )),
        }
    }

    async fn execute(
        &self,
        service: &str,
        version: &str,
        action: &str,
        body: &Body,
    ) -> Result<Answer, Error> {
        let i = &self.inner;
        let started = Instant::now();
        let read_only = crate::is_read_only(action);
        let mut number = 0u32;
        loop {
            number += 1;
            let creds = match i.skip_sign {
                true => None,
                false => Some(i.creds.credentials().await?),
            };
            let (generation, backup) = match &i.breaker {
                Some(b) => b.before(),
                None => (0, None),
            };
            let endpoint = backup.unwrap_or(&i.endpoint);
            let url = endpoint.base_url(service, i.region.as_deref())?;
            let host = endpoint.authority(service, i.region.as_deref())?;
            let req = self.build(
                (&url, &host),
                (service, version, action),
                creds.as_deref(),
                body,
            )?;
            let got = self.attempt(req).await;
            // decode the JSON answer into success / API error
            let result: Result<Answer, Fail> = match got {
                Err(f) => Err(f),
                Ok(Got::Stream(incoming, status, rid)) => Ok(Answer::Events(EventStream::spawn(
                    incoming, status, number, rid,
                ))),
                Ok(Got::Full(status, bytes)) => match envelope::parse(&bytes) {
                    Err(e) => Err(Fail::Decode(
                        status,
                        format!("not a response envelope: {e}"),
                    )),
                    Ok(env) => {
                        let rid = env.request_id.map(|r| r.to_cow().into_owned());
                        match env.error {
                            Some(e) => {
                                let code = e.code.to_cow().into_owned();
                                Err(Fail::Api(ApiError {
                                    retryable: ErrorCode::new(&code).is_retryable(),
                                    code,
                                    message: e
                                        .message
                                        .map(|m| m.to_cow().into_owned())
                                        .unwrap_or_default(),
                                    request_id: rid,
                                    attempts: number,
                                }))
                            }
                            None => {
                                let start = env.body.as_ptr() as usize - bytes.as_ptr() as usize;
                                let response = (start, start + env.body.len());
                                Ok(Answer::Json(RawResponse {
                                    body: bytes.clone(),
                                    response,
                                    request_id: rid,
                                    attempts: number,
                                }))
                            }
                        }
                    }
                },
            };
            if let Some(b) = &i.breaker {
                let success = match &result {
                    Ok(_) => true,
                    Err(Fail::Api(a)) => a.request_id.is_some() && a.code != "InternalError",
                    Err(_) => false,
                };
                b.after(generation, success);
            }
            let retry = match &result {
                Ok(_) | Err(Fail::Decode(..)) => false,
                Err(Fail::Api(a)) => a.retryable,
                Err(Fail::Transport(Sent::No, ..)) => true,
                Err(Fail::Transport(Sent::Maybe, ..)) => read_only || i.retry.retry_unsafe,
            };
            let delay = (retry && number <= i.retry.max_retries)
                .then(|| i.retry.delay(number - 1))
                .filter(|d| started.elapsed() + *d <= i.retry.deadline);
            if let Some(obs) = &i.observer {
                let outcome = match &result {
                    Ok(Answer::Json(_)) => "ok".to_owned(),
                    Ok(Answer::Events(_)) => "ok (event stream)".to_owned(),
                    Err(Fail::Api(a)) => format!(
                        "{} (RequestId {})",
                        a.code,
                        a.request_id.as_deref().unwrap_or("none")
                    ),
                    Err(Fail::Decode(s, m)) => format!("HTTP {s}: {m}"),
                    Err(Fail::Transport(sent, _, m)) => format!(
                        "{m} ({})",
                        if *sent == Sent::No {
                            "not sent"
                        } else {
                            "may have been sent"
                        }
                    ),
                };
                obs(&Attempt {
                    number,
                    url: &url,
                    action,
                    secret_id: creds.as_deref().map_or("(unsigned)", |c| c.secret_id()),
                    outcome: &outcome,
                    retry_in: delay,
                });
            }
            match (result, delay) {
                (Ok(a), _) => return Ok(a),
                (Err(_), Some(d)) => tokio::time::sleep(d).await,
                (Err(Fail::Api(a)), None) => return Err(Error::Api(a)),
                (Err(Fail::Decode(status, m)), None) => return Err(decode(status, number, m)),
                (Err(Fail::Transport(sent, timed_out, message)), None) => {
                    return Err(Error::Transport(TransportError {
                        sent,
                        timed_out,
                        attempts: number,
                        message,
                    }))
                }
            }
        }
    }
}
