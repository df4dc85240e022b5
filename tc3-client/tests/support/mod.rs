//! Real local servers on loopback: a verifying API gateway with a scripted fault plan, a
//! metadata service, an STS service. Signatures are checked with `tc3::verify`.
#![allow(dead_code)]

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tc3::v3::Payload;
use tc3::verify::{verify, LegacyScratch, Policy, RequestView};
use tc3::SecretKey;
use tokio::net::TcpListener;

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
    pub at: Instant,
    /// `Ok(secret_id)` when the signature verified, `Err(code)` otherwise.
    pub verified: Result<String, String>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// What the server does with a request.
pub enum Reply {
    /// 200 with this JSON body.
    Json(String),
    /// Any status, content type and body.
    Raw(u16, &'static str, String),
    /// Read the request, then drop the connection without an answer.
    Close,
    /// Wait, then do the other thing.
    After(Duration, Box<Reply>),
}

pub type Script = dyn Fn(usize, &Seen) -> Reply + Send + Sync;

pub struct Server {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    pub keys: Arc<Mutex<HashMap<String, String>>>,
}

impl Server {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
    pub fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
    pub fn add_key(&self, id: &str, key: &str) {
        self.keys.lock().unwrap().insert(id.into(), key.into());
    }
}

pub fn ok(request_id: &str, fields: &str) -> Reply {
    let sep = if fields.is_empty() { "" } else { "," };
    Reply::Json(format!(
        r#"{{"Response":{{{fields}{sep}"RequestId":"{request_id}"}}}}"#
    ))
}

pub fn api_error(code: &str, message: &str, request_id: &str) -> Reply {
    Reply::Json(format!(
        r#"{{"Response":{{"Error":{{"Code":"{code}","Message":"{message}"}},"RequestId":"{request_id}"}}}}"#
    ))
}

/// Starts a server verifying TC3 signatures for `service` (`""`: no verification, e.g. the
/// metadata service); `keys` are (SecretId, SecretKey) it accepts. A request whose signature
/// fails gets the verifier's error envelope; otherwise `script(index, &seen)` answers.
pub async fn start(
    service: &'static str,
    keys: &[(&str, &str)],
    script: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static,
) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let keymap: Arc<Mutex<HashMap<String, String>>> = Arc::new(Mutex::new(
        keys.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
    ));
    let script: Arc<Script> = Arc::new(script);
    let (seen2, keys2) = (seen.clone(), keymap.clone());
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (seen, keys, script) = (seen2.clone(), keys2.clone(), script.clone());
            tokio::spawn(async move {
                let svc = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let (seen, keys, script) = (seen.clone(), keys.clone(), script.clone());
                    async move { handle(service, req, &seen, &keys, &*script).await }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    Server {
        addr,
        seen,
        keys: keymap,
    }
}

async fn handle(
    service: &'static str,
    req: hyper::Request<hyper::body::Incoming>,
    seen: &Mutex<Vec<Seen>>,
    keys: &Mutex<HashMap<String, String>>,
    script: &Script,
) -> Result<hyper::Response<Full<Bytes>>, std::io::Error> {
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let mut headers = HashMap::new();
    let mut pairs: Vec<(String, Vec<u8>)> = Vec::new();
    for (n, v) in req.headers() {
        headers.insert(n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned());
        pairs.push((n.as_str().to_owned(), v.as_bytes().to_vec()));
    }
    let body = req
        .into_body()
        .collect()
        .await
        .map_err(std::io::Error::other)?
        .to_bytes()
        .to_vec();
    let verified = if service.is_empty() {
        Err("unverified".to_owned())
    } else if headers.get("authorization").map(String::as_str) == Some("SKIP") {
        Ok("SKIP".to_owned())
    } else {
        let refs: Vec<(&str, &[u8])> = pairs
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_slice()))
            .collect();
        let view = RequestView::new(
            &method,
            &path,
            query.as_deref(),
            refs.as_slice(),
            Payload::Bytes(&body),
        );
        let table = keys.lock().unwrap().clone();
        let lookup = move |id: &str| table.get(id).and_then(|k| SecretKey::new(k).ok());
        let mut scratch = LegacyScratch::<4096, 64>::new();
        let mut policy = Policy::now();
        policy.service = Some(service);
        match verify(&view, &lookup, &policy, &mut scratch) {
            Ok(v) => Ok(v.secret_id().to_owned()),
            Err(e) => Err(e.code().to_owned()),
        }
    };
    let s = Seen {
        method,
        path,
        headers,
        body,
        at: Instant::now(),
        verified,
    };
    let index = {
        let mut g = seen.lock().unwrap();
        g.push(s.clone());
        g.len() - 1
    };
    let mut reply = match &s.verified {
        Err(code) if !service.is_empty() => api_error(code, "signature check failed", "verifier"),
        _ => script(index, &s),
    };
    loop {
        match reply {
            Reply::After(d, next) => {
                tokio::time::sleep(d).await;
                reply = *next;
            }
            Reply::Close => return Err(std::io::Error::other("scripted close")),
            Reply::Json(j) => return Ok(response(200, "application/json", j)),
            Reply::Raw(status, ct, body) => return Ok(response(status, ct, body)),
        }
    }
}

fn response(status: u16, ct: &str, body: String) -> hyper::Response<Full<Bytes>> {
    hyper::Response::builder()
        .status(status)
        .header("content-type", ct)
        .body(Full::new(Bytes::from(body)))
        .unwrap()
}

/// A loopback port with nothing listening on it.
pub async fn closed_port() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let a = l.local_addr().unwrap();
    drop(l);
    a
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A fresh temporary directory under the target directory.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "tc3-client-test-{name}-{}-{}",
        std::process::id(),
        now()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A raw HTTP/1.1 server for one request answering with a chunked `text/event-stream`: it
/// sends `first`, waits for `release`, then sends `rest` and ends the stream.
pub async fn stepped_stream(
    first: &'static str,
    rest: &'static str,
    release: tokio::sync::oneshot::Receiver<()>,
) -> SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut s, _) = l.accept().await.unwrap();
        // read the head and the body (Content-Length)
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = s.read(&mut chunk).await.unwrap();
            buf.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&buf).to_string();
            if let Some(end) = text.find("\r\n\r\n") {
                let len = text[..end]
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                if buf.len() >= end + 4 + len {
                    break;
                }
            }
            if n == 0 {
                return;
            }
        }
        let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
        s.write_all(head.as_bytes()).await.unwrap();
        s.write_all(format!("{:x}\r\n{first}\r\n", first.len()).as_bytes())
            .await
            .unwrap();
        s.flush().await.unwrap();
        let _ = release.await;
        s.write_all(format!("{:x}\r\n{rest}\r\n0\r\n\r\n", rest.len()).as_bytes())
            .await
            .unwrap();
        s.flush().await.unwrap();
    });
    addr
}
