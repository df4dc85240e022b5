//! Real parts for the gateway tests: the `tc3-gateway` binary as a child process, a real HTTP
//! upstream on loopback (std threads, HTTP/1.1 keep-alive), a raw HTTP/1.1 client, and
//! requests signed with the `tc3` signer.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tc3::v1::KeyRule;
use tc3::{Credential, SecretId, SecretKey};

pub const ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
pub const KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
pub const HOST: &str = "cvm.tencentcloudapi.com";

pub fn now() -> u64 {
    tc3::now_unix()
}

/// A scratch directory under target/, unique per test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "{name}-{}-{}",
        std::process::id(),
        now()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn write_keys(dir: &std::path::Path, pairs: &[(&str, &str)]) -> PathBuf {
    let path = dir.join("KEYS.json");
    let map: serde_json::Map<String, serde_json::Value> = pairs
        .iter()
        .map(|(a, b)| (a.to_string(), serde_json::Value::String(b.to_string())))
        .collect();
    std::fs::write(&path, serde_json::to_vec(&map).unwrap()).unwrap();
    path
}

// ---------------------------------------------------------------------------------------------
// Upstream

/// One request as the upstream received it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn has(&self, name: &str) -> bool {
        self.header(name).is_some()
    }
}

pub struct Upstream {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    /// Requests whose head arrived (counted before the `/slow` wait).
    pub arrived: Arc<std::sync::atomic::AtomicUsize>,
}

/// The answer of the upstream to its n-th request (0-based).
pub fn upstream_answer(n: usize) -> String {
    format!(r#"{{"Response":{{"RequestId":"upstream-{n}","Echo":"ok"}}}}"#)
}

/// Starts the upstream: answers every request `200`, `Content-Type: application/json`,
/// `X-Upstream: 1`, body [`upstream_answer`]; a request for `/slow` waits 1.5 s first.
pub fn upstream() -> Upstream {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let arrived = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (s2, a2) = (seen.clone(), arrived.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let (seen, arrived) = (s2.clone(), a2.clone());
            std::thread::spawn(move || serve_upstream(stream, seen, arrived));
        }
    });
    Upstream {
        addr,
        seen,
        arrived,
    }
}

fn serve_upstream(
    stream: TcpStream,
    seen: Arc<Mutex<Vec<Seen>>>,
    arrived: Arc<std::sync::atomic::AtomicUsize>,
) {
    let mut w = stream.try_clone().unwrap();
    let mut r = BufReader::new(stream);
    loop {
        let Some((method, target, headers)) = read_head(&mut r) else {
            return;
        };
        arrived.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let len: usize = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .map_or(0, |(_, v)| v.trim().parse().unwrap());
        let mut body = vec![0; len];
        if r.read_exact(&mut body).is_err() {
            return;
        }
        if target.starts_with("/slow") {
            std::thread::sleep(Duration::from_millis(1500));
        }
        let n = {
            let mut s = seen.lock().unwrap();
            s.push(Seen {
                method,
                target,
                headers,
                body,
            });
            s.len() - 1
        };
        let answer = upstream_answer(n);
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Upstream: 1\r\nContent-Length: {}\r\n\r\n",
            answer.len()
        );
        if w.write_all(head.as_bytes()).is_err() || w.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

type Head = (String, String, Vec<(String, String)>);

fn read_head(r: &mut impl BufRead) -> Option<Head> {
    let mut line = String::new();
    if r.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut it = line.split_whitespace();
    let a = it.next()?.to_owned();
    let b = it.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut l = String::new();
        r.read_line(&mut l).ok()?;
        let l = l.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            break;
        }
        let (n, v) = l.split_once(':')?;
        headers.push((n.to_owned(), v.trim().to_owned()));
    }
    Some((a, b, headers))
}

// ---------------------------------------------------------------------------------------------
// Gateway process

pub struct Gateway {
    pub child: Child,
    pub addr: SocketAddr,
    pub log: PathBuf,
}

impl Gateway {
    pub fn start(keys: &std::path::Path, upstream: SocketAddr, extra: &[&str]) -> Gateway {
        let dir = keys.parent().unwrap();
        let log = dir.join(format!("gateway-{}.log", now_nanos()));
        let mut child = Command::new(env!("CARGO_BIN_EXE_tc3-gateway"))
            .args(["--listen", "127.0.0.1:0", "--upstream"])
            .arg(format!("http://{upstream}"))
            .arg("--keys")
            .arg(keys)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let addr = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                panic!(
                    "gateway did not start: {line:?}\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            })
            .trim()
            .parse()
            .unwrap();
        Gateway { child, addr, log }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap()
    }

    /// The per-request log lines (those with ` -> `).
    pub fn request_lines(&self) -> Vec<String> {
        self.log()
            .lines()
            .filter(|l| l.contains(" -> "))
            .map(str::to_owned)
            .collect()
    }

    pub fn sigterm(&self) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok);
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn now_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

// ---------------------------------------------------------------------------------------------
// Client

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }
    /// The error code of an envelope, or `None` for a success envelope.
    pub fn code(&self) -> Option<String> {
        let v = self.json();
        let rid = v["Response"]["RequestId"].as_str().unwrap();
        assert!(!rid.is_empty());
        v["Response"]["Error"]["Code"].as_str().map(str::to_owned)
    }
}

/// The wire bytes of `req` (HTTP/1.1, `Connection: close` added).
pub fn wire(req: &http::Request<Vec<u8>>) -> Vec<u8> {
    let target = req
        .uri()
        .path_and_query()
        .map_or("/".to_owned(), |p| p.to_string());
    let mut out = format!("{} {} HTTP/1.1\r\n", req.method(), target).into_bytes();
    for (n, v) in req.headers() {
        out.extend_from_slice(n.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if !req.headers().contains_key("content-length") {
        out.extend_from_slice(format!("Content-Length: {}\r\n", req.body().len()).as_bytes());
    }
    if !req.headers().contains_key("connection") {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(req.body());
    out
}

/// Sends raw bytes on a fresh connection and reads the answer to EOF.
pub fn send_raw(addr: SocketAddr, bytes: &[u8]) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(bytes).unwrap();
    let mut r = BufReader::new(s);
    let (_version, status, headers) = read_head(&mut r).expect("no answer");
    let len: Option<usize> = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.trim().parse().unwrap());
    let mut body = Vec::new();
    match len {
        Some(n) => {
            body.resize(n, 0);
            r.read_exact(&mut body).unwrap();
        }
        None => {
            r.read_to_end(&mut body).unwrap();
        }
    }
    Reply {
        status: status.parse().unwrap(),
        headers,
        body,
    }
}

pub fn send(addr: SocketAddr, req: &http::Request<Vec<u8>>) -> Reply {
    send_raw(addr, &wire(req))
}

/// Waits until `f` holds, up to `limit`.
pub fn eventually(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let t = Instant::now();
    while t.elapsed() < limit {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    f()
}

// ---------------------------------------------------------------------------------------------
// Signing (the crate's own signer; the SDK end-to-end runs are in .ci/e2e)

pub const BODY: &[u8] = br#"{"Limit": 1, "Offset": 0}"#;

/// A TC3-HMAC-SHA256 POST to `path`, signed for `sign_path` (usually the same).
pub fn tc3_post(
    id: &str,
    key: &str,
    ts: u64,
    path: &str,
    sign_path: &str,
    extra_signed: &[&str],
) -> http::Request<Vec<u8>> {
    let mut req = http::Request::builder()
        .method("POST")
        .uri(sign_path)
        .header("host", HOST)
        .header("content-type", "application/json")
        .body(BODY.to_vec())
        .unwrap();
    let cred = Credential::new(id, key).unwrap();
    let common = tc3::v3::Common::new("cvm", "DescribeInstances", "2017-03-12", ts);
    let opts = tc3::http::SignOptions::new(tc3::v3::Payload::Bytes(BODY))
        .with_extra_signed_headers(extra_signed);
    tc3::http::sign(&mut req, &cred, &common, &opts).unwrap();
    *req.uri_mut() = path.parse().unwrap();
    req
}

/// A legacy HmacSHA256 POST (form body) with this nonce.
pub fn legacy_post(id: &str, key: &str, ts: u64, nonce: u64) -> http::Request<Vec<u8>> {
    let common = tc3::v1::Common::new(
        "DescribeInstances",
        "2017-03-12",
        ts,
        nonce,
        SecretId::new(id).unwrap(),
    );
    let mut pairs: Vec<(&str, &str)> = vec![("Limit", "1"), ("Region", "ap-guangzhou")];
    common.add_to(&mut pairs).unwrap();
    let key = SecretKey::new(key).unwrap();
    let sig = tc3::v1::sign(
        &tc3::v1::Request::post(HOST).with_rule(KeyRule::Raw),
        &mut pairs,
        &key,
    )
    .unwrap();
    let mut body = Vec::new();
    tc3::v1::write_request(&pairs, &sig, &mut body);
    http::Request::builder()
        .method("POST")
        .uri("/")
        .header("host", HOST)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .unwrap()
}
