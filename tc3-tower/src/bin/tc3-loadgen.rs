//! `tc3-loadgen`: a bounded load generator for `tc3-gateway`, loopback only.
//!
//! ```text
//! tc3-loadgen upstream --listen 127.0.0.1:0
//!     a trivial upstream: answers {"Response":{"RequestId":<X-Load-Id>}}
//! tc3-loadgen run --target ADDR --count N --concurrency C [--sign tc3|legacy]
//!             [--id ID --key KEY] [--pid PID]
//!     N signed requests over C keep-alive connections, then stops; every answer must carry
//!     its own request's id (nothing lost or mismatched). Prints throughput and latency
//!     percentiles; with --pid, the CPU time that process used per request.
//! tc3-loadgen verify-cost --count N [--sign tc3|legacy]
//!     the CPU time of the verifying layer alone per request (one thread, in process).
//! ```
//!
//! Requests are signed before the clock starts (fresh timestamps, unique legacy nonces), so
//! the generator's own signing is not in the measurement. Targets must be loopback addresses.
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioIo, TokioTimer};
use tc3::v1::KeyRule;
use tc3::{Credential, SecretId, SecretKey};
use tc3_tower::{StaticKeys, VerifyLayer};
use tower_layer::Layer;
use tower_service::Service;

const ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
const HOST: &str = "cvm.tencentcloudapi.com";
const BODY: &[u8] =
    br#"{"Limit": 1, "Offset": 0, "Filters": [{"Name": "zone", "Values": ["ap-guangzhou-3"]}]}"#;
const MAX_COUNT: usize = 1_000_000;
const MAX_CONCURRENCY: usize = 1024;

struct Opts {
    listen: SocketAddr,
    target: Option<SocketAddr>,
    count: usize,
    concurrency: usize,
    sign: String,
    id: String,
    key: String,
    pid: Option<u32>,
}

fn parse(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        target: None,
        count: 10_000,
        concurrency: 16,
        sign: "tc3".into(),
        id: ID.into(),
        key: KEY.into(),
        pid: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut v = || it.next().cloned().ok_or(format!("{a} needs a value"));
        let bad = |a: &str, e: &dyn std::fmt::Display| format!("{a}: {e}");
        match a.as_str() {
            "--listen" => o.listen = v()?.parse().map_err(|e| bad(a, &e))?,
            "--target" => o.target = Some(v()?.parse().map_err(|e| bad(a, &e))?),
            "--count" => o.count = v()?.parse().map_err(|e| bad(a, &e))?,
            "--concurrency" => o.concurrency = v()?.parse().map_err(|e| bad(a, &e))?,
            "--sign" => o.sign = v()?,
            "--id" => o.id = v()?,
            "--key" => o.key = v()?,
            "--pid" => o.pid = Some(v()?.parse().map_err(|e| bad(a, &e))?),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if !(1..=MAX_COUNT).contains(&o.count) {
        return Err(format!("--count must be 1..={MAX_COUNT}"));
    }
    if !(1..=MAX_CONCURRENCY).contains(&o.concurrency) {
        return Err(format!("--concurrency must be 1..={MAX_CONCURRENCY}"));
    }
    for a in [Some(o.listen), o.target].into_iter().flatten() {
        if !a.ip().is_loopback() {
            return Err(format!("{a}: loopback addresses only"));
        }
    }
    if o.sign != "tc3" && o.sign != "legacy" {
        return Err("--sign is tc3 or legacy".into());
    }
    Ok(o)
}

/// `n` signed requests, each with its id in `X-Load-Id` (not signed; echoed by the upstream).
fn signed_requests(o: &Opts, n: usize) -> Result<Vec<Request<Full<Bytes>>>, String> {
    let ts = tc3::now_unix();
    let key = SecretKey::new(&o.key).map_err(|e| e.to_string())?;
    let cred = Credential::new(&o.id, &o.key).map_err(|e| e.to_string())?;
    // Nonces unique across runs within the replay window.
    let base = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros())
        % 1_000_000_000) as u64
        * 1000;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let req = if o.sign == "tc3" {
            let mut req = Request::builder()
                .method("POST")
                .uri("/")
                .header("host", HOST)
                .header("content-type", "application/json")
                .body(BODY.to_vec())
                .map_err(|e| e.to_string())?;
            let common = tc3::v3::Common::new("cvm", "DescribeInstances", "2017-03-12", ts);
            let opts = tc3::http::SignOptions::new(tc3::v3::Payload::Bytes(BODY));
            tc3::http::sign(&mut req, &cred, &common, &opts).map_err(|e| e.to_string())?;
            req
        } else {
            let sid = SecretId::new(&o.id).map_err(|e| e.to_string())?;
            let common =
                tc3::v1::Common::new("DescribeInstances", "2017-03-12", ts, base + i as u64, sid);
            let mut pairs: Vec<(&str, &str)> = vec![("Limit", "1"), ("Region", "ap-guangzhou")];
            common.add_to(&mut pairs).map_err(|e| e.to_string())?;
            let sig = tc3::v1::sign(
                &tc3::v1::Request::post(HOST).with_rule(KeyRule::Raw),
                &mut pairs,
                &key,
            )
            .map_err(|e| e.to_string())?;
            let mut body = Vec::new();
            tc3::v1::write_request(&pairs, &sig, &mut body);
            Request::builder()
                .method("POST")
                .uri("/")
                .header("host", HOST)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .map_err(|e| e.to_string())?
        };
        let (mut parts, body) = req.into_parts();
        parts.headers.insert(
            "x-load-id",
            http::HeaderValue::from_str(&format!("load-{i}")).map_err(|e| e.to_string())?,
        );
        out.push(Request::from_parts(parts, Full::new(Bytes::from(body))));
    }
    Ok(out)
}

async fn upstream(o: Opts) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(o.listen)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "listening on {}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    loop {
        let (stream, _) = listener.accept().await.map_err(|e| e.to_string())?;
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let svc =
                hyper::service::service_fn(|req: Request<hyper::body::Incoming>| async move {
                    let id = req
                        .headers()
                        .get("x-load-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_owned();
                    let _ = req.into_body().collect().await;
                    let mut r = Response::new(Full::new(Bytes::from(format!(
                        r#"{{"Response":{{"RequestId":"{id}"}}}}"#
                    ))));
                    r.headers_mut().insert(
                        http::header::CONTENT_TYPE,
                        http::HeaderValue::from_static("application/json"),
                    );
                    Ok::<_, std::convert::Infallible>(r)
                });
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}

fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    // fields after the command: state(0) ... utime(11) stime(12)
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

/// The CPU time of the calling thread, ns (Linux `/proc/thread-self/schedstat`).
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

async fn run(o: Opts) -> Result<(), String> {
    let target = o.target.ok_or("--target is required")?;
    let reqs = signed_requests(&o, o.count)?;
    let queue = Arc::new(std::sync::Mutex::new(
        reqs.into_iter().enumerate().collect::<Vec<_>>(),
    ));
    let bad = Arc::new(AtomicUsize::new(0));
    let cpu0 = o.pid.and_then(cpu_ticks);
    let start = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..o.concurrency {
        let queue = queue.clone();
        let bad = bad.clone();
        workers.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let stream = tokio::net::TcpStream::connect(target)
                .await
                .map_err(|e| e.to_string())?;
            let _ = stream.set_nodelay(true);
            let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .map_err(|e| e.to_string())?;
            tokio::spawn(conn);
            loop {
                let next = queue.lock().map_err(|_| "poisoned")?.pop();
                let Some((i, req)) = next else { break };
                let t = Instant::now();
                send.ready().await.map_err(|e| e.to_string())?;
                let resp = send.send_request(req).await.map_err(|e| e.to_string())?;
                let body = resp
                    .into_body()
                    .collect()
                    .await
                    .map_err(|e| e.to_string())?
                    .to_bytes();
                lat.push(t.elapsed());
                let want = format!(r#"{{"Response":{{"RequestId":"load-{i}"}}}}"#);
                if body != want.as_bytes() && bad.fetch_add(1, Ordering::Relaxed) < 3 {
                    eprintln!(
                        "request {i}: unexpected answer {}",
                        String::from_utf8_lossy(&body)
                    );
                }
            }
            Ok::<_, String>(lat)
        }));
    }
    let mut lat = Vec::with_capacity(o.count);
    for w in workers {
        lat.extend(w.await.map_err(|e| e.to_string())??);
    }
    let elapsed = start.elapsed();
    let cpu1 = o.pid.and_then(cpu_ticks);
    lat.sort();
    let bad = bad.load(Ordering::Relaxed);
    let lost = o.count - lat.len();
    println!(
        "{} requests ({}), concurrency {}: {:.2} s, {:.0} req/s; latency p50 {} us, p90 {} us, p99 {} us, max {} us; lost {lost}, mismatched {bad}",
        o.count,
        o.sign,
        o.concurrency,
        elapsed.as_secs_f64(),
        lat.len() as f64 / elapsed.as_secs_f64(),
        percentile(&lat, 0.5).as_micros(),
        percentile(&lat, 0.9).as_micros(),
        percentile(&lat, 0.99).as_micros(),
        lat.last().copied().unwrap_or_default().as_micros(),
    );
    if let (Some(a), Some(b), Some(pid)) = (cpu0, cpu1, o.pid) {
        // Linux reports in clock ticks of 1/100 s (USER_HZ).
        let cpu_us = (b - a) as f64 * 10_000.0;
        println!(
            "process {pid}: {:.2} s CPU, {:.1} us CPU per request",
            cpu_us / 1e6,
            cpu_us / o.count as f64
        );
    }
    if bad > 0 || lost > 0 {
        return Err(format!("{lost} lost, {bad} mismatched"));
    }
    Ok(())
}

/// The layer alone: every request through `VerifyLayer` around a service that answers at
/// once, on one thread.
async fn verify_cost(o: Opts) -> Result<(), String> {
    let keys =
        StaticKeys::from_pairs([(o.id.as_str(), o.key.as_str())]).map_err(|e| e.to_string())?;
    let mut svc = VerifyLayer::new(keys).layer(tower_fn());
    let reqs = signed_requests(&o, o.count)?;
    let cpu0 = thread_cpu_ns();
    let start = Instant::now();
    let mut ok = 0usize;
    for req in reqs {
        let resp = svc.call(req).await.map_err(|e| format!("{e:?}"))?;
        if resp.extensions().get::<tc3_tower::Rejected>().is_none() {
            ok += 1;
        }
    }
    let el = start.elapsed();
    let cpu = match (cpu0, thread_cpu_ns()) {
        (Some(a), Some(b)) => format!(", {:.1} us CPU", (b - a) as f64 / 1e3 / o.count as f64),
        _ => String::new(),
    };
    println!(
        "verify-cost: {} {} requests through VerifyLayer in {:.3} s: {:.1} us wall{cpu} per request ({ok} accepted)",
        o.count,
        o.sign,
        el.as_secs_f64(),
        el.as_secs_f64() * 1e6 / o.count as f64
    );
    if ok != o.count {
        return Err(format!("{} refused", o.count - ok));
    }
    Ok(())
}

#[derive(Clone)]
struct Answer;

impl Service<Request<Full<Bytes>>> for Answer {
    type Response = Response<Full<Bytes>>;
    type Error = std::convert::Infallible;
    type Future = std::future::Ready<Result<Self::Response, Self::Error>>;
    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }
    fn call(&mut self, _: Request<Full<Bytes>>) -> Self::Future {
        std::future::ready(Ok(Response::new(Full::new(Bytes::from_static(b"{}")))))
    }
}

fn tower_fn() -> Answer {
    Answer
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((mode, rest)) = args.split_first() else {
        eprintln!("usage: tc3-loadgen upstream|run|verify-cost [options] (see the source header)");
        return ExitCode::from(2);
    };
    let o = match parse(rest) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let rt = match mode.as_str() {
        "verify-cost" => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
        _ => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build(),
    };
    let rt = match rt {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let r = match mode.as_str() {
        "upstream" => rt.block_on(upstream(o)),
        "run" => rt.block_on(run(o)),
        "verify-cost" => rt.block_on(verify_cost(o)),
        other => Err(format!("unknown mode {other:?}")),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
