//! `tc3-gateway`: verifies Tencent Cloud API 3.0 requests (TC3-HMAC-SHA256, HmacSHA1,
//! HmacSHA256) and forwards the verified ones to an upstream.
//!
//! ```text
//! tc3-gateway --listen ADDR --upstream URL --keys KEYS.json [--redis URL]
//!             [--policy default|hardened] [--mount PREFIX]... [--max-body BYTES]
//!             [--max-connections N] [--header-timeout SECONDS] [--tc3-replay]
//!             [--max-skew SECONDS] [--shutdown-grace SECONDS] [--body-timeout SECONDS]
//! ```
//!
//! * `KEYS.json` maps SecretId to SecretKey (`{"AKID…": "key", …}`); it is re-read every
//!   second and a changed file takes effect without restart.
//! * Accepts origin-form and absolute-form targets (clients may use it as their plain-HTTP
//!   proxy); `CONNECT` is answered `405`.
//! * A verified request is forwarded to `URL` (its path prefixed with the URL's path): method,
//!   path, query, headers except hop-by-hop ones and any `X-Tc3-*` the client sent, plus
//!   `X-Tc3-Secret-Id`, and the body; the upstream's answer is returned unchanged.
//! * Failures are answered locally: HTTP 200 with the Tencent Cloud error envelope.
//!   Unreachable upstream: `InternalError`; replay store unreachable: `ServiceUnavailable`.
//! * Prints `listening on ADDR` on stdout once bound; logs one line per request on stderr,
//!   never a key, token or signature. SIGTERM (or Ctrl-C): stop accepting, finish the
//!   requests in flight (up to `--shutdown-grace`, default 30 s), exit 0.
use std::convert::Infallible;
use std::io::Write;
use std::net::SocketAddr;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONNECTION, HOST};
use http::{Method, Request, Response, StatusCode, Uri};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Either, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tc3_tower::{
    error_response, ArcKeys, FileKeys, GatewayPolicy, MemoryReplayStore, RedisReplayStore,
    Rejected, VerifiedFacts, VerifyBody, VerifyLayer, VerifyService,
};
use tower_layer::Layer;
use tower_service::Service;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type UpBody = UnsyncBoxBody<Bytes, BoxError>;

const USAGE: &str = "usage: tc3-gateway --listen ADDR --upstream URL --keys KEYS.json [--redis URL]
            [--policy default|hardened] [--mount PREFIX]... [--max-body BYTES]
            [--max-connections N] [--header-timeout SECONDS] [--tc3-replay]
            [--max-skew SECONDS] [--shutdown-grace SECONDS] [--body-timeout SECONDS]";

struct Config {
    listen: SocketAddr,
    upstream: Uri,
    keys: String,
    redis: Option<String>,
    policy: GatewayPolicy,
    max_body: usize,
    max_connections: usize,
    header_timeout: Duration,
    body_timeout: Duration,
    tc3_replay: bool,
    shutdown_grace: Duration,
}

fn parse_args() -> Result<Config, String> {
    let mut listen = None;
    let mut upstream = None;
    let mut keys = None;
    let mut redis = None;
    let mut policy_name = "default".to_owned();
    let mut mounts = Vec::new();
    let mut max_body = tc3_tower::DEFAULT_MAX_BODY;
    let mut max_connections = 1024usize;
    let mut header_timeout = 10u64;
    let mut body_timeout = 30u64;
    let mut tc3_replay = false;
    let mut max_skew = tc3::verify::Policy::DEFAULT_WINDOW;
    let mut grace = 30u64;
    let mut args = std::env::args().skip(1);
    fn num<T: std::str::FromStr>(flag: &str, v: String) -> Result<T, String>
    where
        T::Err: std::fmt::Display,
    {
        v.parse().map_err(|e| format!("{flag} {v}: {e}"))
    }
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--listen" => listen = Some(num::<SocketAddr>("--listen", value("--listen")?)?),
            "--upstream" => upstream = Some(value("--upstream")?),
            "--keys" => keys = Some(value("--keys")?),
            "--redis" => redis = Some(value("--redis")?),
            "--policy" => policy_name = value("--policy")?,
            "--mount" => mounts.push(value("--mount")?),
            "--max-body" => max_body = num("--max-body", value("--max-body")?)?,
            "--max-connections" => {
                max_connections = num("--max-connections", value("--max-connections")?)?
            }
            "--header-timeout" => {
                header_timeout = num("--header-timeout", value("--header-timeout")?)?
            }
            "--body-timeout" => body_timeout = num("--body-timeout", value("--body-timeout")?)?,
            "--max-skew" => max_skew = num("--max-skew", value("--max-skew")?)?,
            "--shutdown-grace" => grace = num("--shutdown-grace", value("--shutdown-grace")?)?,
            "--tc3-replay" => tc3_replay = true,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    let mut policy = GatewayPolicy::parse(&policy_name)
        .ok_or(format!(
            "--policy {policy_name:?}: expected default or hardened"
        ))?
        .with_max_skew(max_skew);
    for m in mounts {
        if !m.starts_with('/') {
            return Err(format!("--mount {m:?}: a prefix starts with /"));
        }
        policy = policy.with_mount(m);
    }
    let upstream_text = upstream.ok_or(format!("--upstream is required\n{USAGE}"))?;
    let upstream: Uri = upstream_text
        .parse()
        .map_err(|e| format!("--upstream {upstream_text}: {e}"))?;
    if upstream.scheme_str() != Some("http") || upstream.authority().is_none() {
        return Err(format!(
            "--upstream {upstream_text}: expected http://HOST[:PORT][/PATH]"
        ));
    }
    if max_connections == 0 {
        return Err("--max-connections must be at least 1".into());
    }
    if body_timeout == 0 {
        return Err("--body-timeout must be at least 1 second".into());
    }
    if header_timeout == 0 {
        return Err("--header-timeout must be at least 1 second".into());
    }
    Ok(Config {
        listen: listen.ok_or(format!("--listen is required\n{USAGE}"))?,
        upstream,
        keys: keys.ok_or(format!("--keys is required\n{USAGE}"))?,
        redis,
        policy,
        max_body,
        max_connections,
        header_timeout: Duration::from_secs(header_timeout),
        body_timeout: Duration::from_secs(body_timeout),
        tc3_replay,
        shutdown_grace: Duration::from_secs(grace),
    })
}

/// Set on forwarded responses, for the log line.
#[derive(Clone)]
struct Forwarded {
    secret_id: String,
    sign_method: &'static str,
}

/// The inner service: sends a verified request to the upstream.
#[derive(Clone)]
struct Forward {
    client: Client<HttpConnector, Full<Bytes>>,
    upstream: Uri,
}

/// Hop-by-hop headers (RFC 9110 §7.6.1), never forwarded.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

fn strip_hop_by_hop(headers: &mut http::HeaderMap) {
    let listed: Vec<HeaderName> = headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|t| HeaderName::from_bytes(t.trim().as_bytes()).ok())
        .collect();
    for n in listed {
        headers.remove(n);
    }
    for n in HOP_BY_HOP {
        headers.remove(*n);
    }
}

impl Forward {
    fn target(&self, uri: &Uri) -> Result<Uri, http::Error> {
        let base = self.upstream.path().trim_end_matches('/');
        let pq = uri.path_and_query().map_or("/", |p| p.as_str());
        let pq = if pq.starts_with('/') { pq } else { "/" };
        Uri::builder()
            .scheme("http")
            .authority(self.upstream.authority().map_or("", |a| a.as_str()))
            .path_and_query(format!("{base}{pq}"))
            .build()
    }

    async fn forward(self, req: Request<Full<Bytes>>) -> Response<UpBody> {
        let (mut parts, body) = req.into_parts();
        let Some(facts) = parts.extensions.remove::<VerifiedFacts>() else {
            return local(error_response(
                "InternalError",
                "the request reached the forwarder unverified",
                &tc3_tower::request_id(),
            ));
        };
        let target = match self.target(&parts.uri) {
            Ok(t) => t,
            Err(_) => {
                return local(error_response(
                    "InvalidRequest",
                    "the request target cannot be forwarded",
                    &facts.request_id,
                ))
            }
        };
        if !parts.headers.contains_key(HOST) {
            if let Some(a) = parts.uri.authority() {
                if let Ok(v) = HeaderValue::from_str(a.as_str()) {
                    parts.headers.insert(HOST, v);
                }
            }
        }
        strip_hop_by_hop(&mut parts.headers);
        let ours: Vec<HeaderName> = parts
            .headers
            .keys()
            .filter(|n| n.as_str().starts_with("x-tc3-"))
            .cloned()
            .collect();
        for n in ours {
            parts.headers.remove(n);
        }
        match HeaderValue::from_str(&facts.secret_id) {
            Ok(v) => {
                parts
                    .headers
                    .insert(HeaderName::from_static("x-tc3-secret-id"), v);
            }
            Err(_) => {
                return local(error_response(
                    "InvalidParameter",
                    "the SecretId cannot be forwarded in a header",
                    &facts.request_id,
                ))
            }
        }
        parts.uri = target;
        parts.version = http::Version::HTTP_11;
        let out = Request::from_parts(parts, body);
        let forwarded = Forwarded {
            secret_id: facts.secret_id.clone(),
            sign_method: facts.sign_method,
        };
        match self.client.request(out).await {
            Ok(resp) => {
                let (mut parts, body) = resp.into_parts();
                strip_hop_by_hop(&mut parts.headers);
                parts.extensions.insert(forwarded);
                Response::from_parts(parts, body.map_err(BoxError::from).boxed_unsync())
            }
            Err(_) => {
                let mut r = local(error_response(
                    "InternalError",
                    "the upstream could not be reached",
                    &facts.request_id,
                ));
                r.extensions_mut().insert(forwarded);
                r
            }
        }
    }
}

fn local(r: Response<Full<Bytes>>) -> Response<UpBody> {
    r.map(|b| b.map_err(|never| match never {}).boxed_unsync())
}

impl Service<Request<Full<Bytes>>> for Forward {
    type Response = Response<UpBody>;
    type Error = Infallible;
    type Future =
        Pin<Box<dyn std::future::Future<Output = Result<Response<UpBody>, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<Full<Bytes>>) -> Self::Future {
        let me = self.clone();
        Box::pin(async move { Ok(me.forward(req).await) })
    }
}

type Body = VerifyBody<UpBody>;

fn connect_refused() -> Response<Body> {
    let mut resp = Response::new(Either::Right(Full::new(Bytes::from_static(
        b"This gateway verifies plain-HTTP requests and cannot tunnel HTTPS (CONNECT).\n\
          Configure the client to use it as an HTTP proxy with the http scheme, \
          or send requests to it directly.\n",
    ))));
    *resp.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    resp.headers_mut()
        .insert(http::header::ALLOW, HeaderValue::from_static("GET, POST"));
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

/// Strips anything that is not printable ASCII from a logged field, and bounds its length.
fn clean(s: &str) -> String {
    s.chars()
        .take(200)
        .map(|c| if c.is_ascii_graphic() { c } else { '?' })
        .collect()
}

async fn handle(
    req: Request<Incoming>,
    peer: SocketAddr,
    mut svc: VerifyService<Forward>,
) -> Result<Response<Body>, Infallible> {
    let start = Instant::now();
    let form = if req.uri().authority().is_some() {
        "absolute"
    } else {
        "origin"
    };
    let host = clean(
        req.headers()
            .get(HOST)
            .and_then(|v| v.to_str().ok())
            .or_else(|| req.uri().host())
            .unwrap_or("-"),
    );
    let method = req.method().clone();
    let path = clean(req.uri().path());
    let resp = if method == Method::CONNECT {
        connect_refused()
    } else {
        svc.call(req).await?
    };
    let outcome = if method == Method::CONNECT {
        "405 CONNECT refused".to_owned()
    } else if let Some(f) = resp.extensions().get::<Forwarded>() {
        let code = resp.extensions().get::<Rejected>().map_or("", |r| r.0);
        format!(
            "OK {} {} -> upstream {}{}",
            f.sign_method,
            clean(&f.secret_id),
            resp.status().as_u16(),
            if code.is_empty() {
                String::new()
            } else {
                format!(" {code}")
            }
        )
    } else if let Some(r) = resp.extensions().get::<Rejected>() {
        r.0.to_owned()
    } else {
        format!("{}", resp.status().as_u16())
    };
    eprintln!(
        "{peer} {method} {form} {host} {path} -> {outcome} ({} us)",
        start.elapsed().as_micros()
    );
    Ok(resp)
}

async fn run(config: Config) -> Result<(), String> {
    let keys = Arc::new(FileKeys::open(&config.keys).map_err(|e| format!("{}: {e}", config.keys))?);
    let _watch = keys.watch(Duration::from_secs(1));
    let mut layer = VerifyLayer::new(ArcKeys(keys.clone()))
        .policy(config.policy.clone())
        .max_body(config.max_body)
        .body_timeout(config.body_timeout)
        .tc3_replay(config.tc3_replay);
    let store = match &config.redis {
        Some(url) => {
            layer = layer.replay_store(
                RedisReplayStore::open(url).map_err(|_| "--redis: invalid Redis URL".to_owned())?,
            );
            "redis"
        }
        None => {
            layer = layer.replay_store(MemoryReplayStore::default());
            "memory"
        }
    };
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    connector.set_connect_timeout(Some(Duration::from_secs(5)));
    let client = Client::builder(TokioExecutor::new()).build(connector);
    let svc = layer.layer(Forward {
        client,
        upstream: config.upstream.clone(),
    });

    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr().unwrap_or(config.listen);
    eprintln!(
        "{} key(s); upstream {}; policy {}{}; replay store {store}{}; body ≤ {} bytes; ≤ {} connections; header timeout {} s; body timeout {} s",
        keys.current().len(),
        config.upstream,
        if config.policy.is_hardened() { "hardened" } else { "default" },
        config
            .policy
            .mounts()
            .iter()
            .map(|m| format!(" mount {m}"))
            .collect::<String>(),
        if config.tc3_replay { " (legacy and TC3)" } else { " (legacy)" },
        config.max_body,
        config.max_connections,
        config.header_timeout.as_secs(),
        config.body_timeout.as_secs(),
    );
    println!("listening on {addr}");
    let _ = std::io::stdout().flush();

    let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| format!("cannot watch SIGTERM: {e}"))?;
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let slots = Arc::new(tokio::sync::Semaphore::new(config.max_connections));
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(config.header_timeout);
    loop {
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    eprintln!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = sigterm.recv() => break,
            _ = tokio::signal::ctrl_c() => break,
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            eprintln!(
                "{peer} connection closed: {} connections open (--max-connections)",
                config.max_connections
            );
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let svc = svc.clone();
        let conn = builder.serve_connection(
            TokioIo::new(stream),
            hyper::service::service_fn(move |req| handle(req, peer, svc.clone())),
        );
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                eprintln!("{peer} connection error: {e}");
            }
            drop(permit);
        });
    }
    drop(listener);
    let open = config.max_connections - slots.available_permits();
    eprintln!("shutting down: no new connections; {open} open");
    tokio::select! {
        _ = graceful.shutdown() => eprintln!("shut down: all connections closed"),
        _ = tokio::time::sleep(config.shutdown_grace) => {
            eprintln!("shut down: grace period over, closing the remaining connections");
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let config = match parse_args() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
