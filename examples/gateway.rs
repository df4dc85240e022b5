//! A gateway that verifies Tencent Cloud API 3.0 requests (TC3-HMAC-SHA256, HmacSHA1,
//! HmacSHA256) and answers as a Tencent Cloud server does.
//!
//! ```text
//! cargo run --release --features http --example gateway -- \
//!     --listen 127.0.0.1:8080 --keys KEYS.json [--skip-clock] [--now UNIX] [--max-skew SECONDS]
//! ```
//!
//! `KEYS.json` maps SecretId to SecretKey: `{"AKID...": "key", ...}`.
//!
//! * Accepts origin-form (`POST / HTTP/1.1` + `Host`) and absolute-form targets
//!   (`POST http://cvm.tencentcloudapi.com/ HTTP/1.1`), so clients can also use it as their
//!   plain-HTTP proxy (e.g. the official SDKs' `HttpProfile(proxy=..., scheme="http")`).
//!   `CONNECT` (HTTPS tunnelling) is answered `405`: the client must send plain `http`.
//! * Every answer to a GET or POST is HTTP 200 with `Content-Type: application/json` and
//!   either `{"Response":{"RequestId":"…"}}` or the error envelope
//!   `{"Response":{"Error":{"Code":…,"Message":…},"RequestId":…}}` with the server's code.
//! * Bodies are bounded to 10 MB (`RequestSizeLimitExceeded` beyond).
//! * Prints `listening on ADDR` once bound; logs one line per request to stderr (method,
//!   target form, host, path, outcome, SecretId — never a key, token or signature).
use std::collections::HashMap;
use std::convert::Infallible;
use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tc3::verify::{Body, LegacyScratch, Policy, VerifyError};
use tc3::SecretKey;

/// The largest request body accepted.
const MAX_BODY: usize = 10 * 1024 * 1024;

struct Config {
    listen: SocketAddr,
    keys: HashMap<String, String>,
    now: Option<u64>,
    skip_clock: bool,
    max_skew: u64,
}

struct State {
    config: Config,
    counter: AtomicU64,
    random: std::collections::hash_map::RandomState,
}

impl State {
    fn policy(&self) -> Policy<'static> {
        let p = if self.config.skip_clock {
            Policy::skip_clock()
        } else {
            Policy::at(self.config.now.unwrap_or_else(tc3::time::now_unix))
        };
        p.with_max_skew(self.config.max_skew)
    }

    /// A fresh UUID-v4-shaped request id.
    fn request_id(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let word = |salt: u64| {
            let mut h = self.random.build_hasher();
            h.write_u64(n);
            h.write_u64(salt);
            h.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos()),
            );
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

fn usage() -> &'static str {
    "usage: gateway --listen ADDR --keys KEYS.json [--skip-clock] [--now UNIX] [--max-skew SECONDS]"
}

fn parse_args() -> Result<Config, String> {
    let mut listen = None;
    let mut keys_path = None;
    let mut now = None;
    let mut skip_clock = false;
    let mut max_skew = tc3::verify::DEFAULT_WINDOW;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--listen" => {
                let v = value("--listen")?;
                listen = Some(v.parse().map_err(|e| format!("--listen {v}: {e}"))?);
            }
            "--keys" => keys_path = Some(value("--keys")?),
            "--now" => {
                let v = value("--now")?;
                now = Some(v.parse().map_err(|e| format!("--now {v}: {e}"))?);
            }
            "--max-skew" => {
                let v = value("--max-skew")?;
                max_skew = v.parse().map_err(|e| format!("--max-skew {v}: {e}"))?;
            }
            "--skip-clock" => skip_clock = true,
            "-h" | "--help" => return Err(usage().into()),
            other => return Err(format!("unknown argument {other:?}\n{}", usage())),
        }
    }
    let keys_path = keys_path.ok_or(format!("--keys is required\n{}", usage()))?;
    let text = std::fs::read(&keys_path).map_err(|e| format!("cannot read {keys_path}: {e}"))?;
    let keys: HashMap<String, String> = serde_json::from_slice(&text).map_err(|e| {
        format!("{keys_path}: expected a JSON object of SecretId → SecretKey strings: {e}")
    })?;
    for (id, key) in &keys {
        SecretKey::new(key).map_err(|e| format!("{keys_path}: the key of {id:?}: {e}"))?;
    }
    Ok(Config {
        listen: listen.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
        keys,
        now,
        skip_clock,
        max_skew,
    })
}

fn json_response(body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    resp
}

fn error_response(err: &VerifyError, request_id: &str) -> Response<Full<Bytes>> {
    let mut out = Vec::new();
    err.write_envelope_to(request_id, &mut out);
    json_response(out)
}

fn success_response(request_id: &str) -> Response<Full<Bytes>> {
    let mut buf = [0u8; 128];
    match tc3::envelope::write_success_into(request_id, &mut buf) {
        Ok(doc) => json_response(doc.to_vec()),
        Err(_) => json_response(b"{\"Response\":{}}".to_vec()),
    }
}

async fn handle(
    req: Request<Incoming>,
    peer: SocketAddr,
    state: Arc<State>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let form = if req.uri().authority().is_some() {
        "absolute"
    } else {
        "origin"
    };
    let host = req
        .headers()
        .get(hyper::header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| req.uri().host())
        .unwrap_or("-")
        .to_owned();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let log = |outcome: &str| {
        eprintln!("{peer} {method} {form} {host} {path} -> {outcome}");
    };

    if method == Method::CONNECT {
        log("405 CONNECT refused");
        let mut resp = Response::new(Full::new(Bytes::from_static(
            b"This gateway verifies plain-HTTP requests and cannot tunnel HTTPS (CONNECT).\n\
              Configure the client to use it as an HTTP proxy with the http scheme \
              (official SDKs: HttpProfile(scheme=\"http\", proxy=\"http://ADDR\")), \
              or send requests to it directly.\n",
        )));
        *resp.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
        resp.headers_mut().insert(
            hyper::header::ALLOW,
            hyper::header::HeaderValue::from_static("GET, POST"),
        );
        resp.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        return Ok(resp);
    }

    let request_id = state.request_id();
    let (parts, body) = req.into_parts();
    let declared_too_large = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|n| n > MAX_BODY as u64);
    let body = if declared_too_large {
        None
    } else {
        Limited::new(body, MAX_BODY)
            .collect()
            .await
            .ok()
            .map(|c| c.to_bytes())
    };
    let Some(body) = body else {
        log("RequestSizeLimitExceeded (body over 10 MB or unreadable)");
        let mut out = Vec::new();
        tc3::envelope::write_error(
            "RequestSizeLimitExceeded",
            "the request body exceeds 10 MB or could not be read",
            &request_id,
            &mut out,
        );
        return Ok(json_response(out));
    };

    let keys = |id: &str| {
        state
            .config
            .keys
            .get(id)
            .and_then(|k| SecretKey::new(k).ok())
    };
    let mut scratch = Box::new(LegacyScratch::<65536, 1024>::new());
    let policy = state.policy();
    let outcome =
        tc3::http::verify_parts(&parts, Body::Bytes(&body), &keys, &policy, &mut *scratch).map(
            |v| {
                format!(
                    "OK {} {}{}",
                    v.sign_method(),
                    v.secret_id(),
                    if v.token().value.is_some() {
                        " (token)"
                    } else {
                        ""
                    }
                )
            },
        );
    match outcome {
        Ok(line) => {
            log(&line);
            Ok(success_response(&request_id))
        }
        Err(e) => {
            log(e.code());
            Ok(error_response(&e, &request_id))
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let config = match parse_args() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(config.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on {}: {e}", config.listen);
            return ExitCode::FAILURE;
        }
    };
    let addr = listener.local_addr().unwrap_or(config.listen);
    eprintln!(
        "{} key(s); clock: {}",
        config.keys.len(),
        match (config.skip_clock, config.now) {
            (true, _) => "not checked".to_owned(),
            (false, Some(n)) => format!("fixed at {n}, ±{} s", config.max_skew),
            (false, None) => format!("system, ±{} s", config.max_skew),
        }
    );
    println!("listening on {addr}");
    let _ = std::io::stdout().flush();
    let state = Arc::new(State {
        config,
        counter: AtomicU64::new(0),
        random: std::collections::hash_map::RandomState::new(),
    });
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(x) => x,
            Err(e) => {
                eprintln!("accept: {e}");
                continue;
            }
        };
        let state = state.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req| handle(req, peer, state.clone()));
            if let Err(e) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await
            {
                eprintln!("{peer} connection error: {e}");
            }
        });
    }
}
