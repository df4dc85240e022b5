//! The client's overhead per call against the bare HTTP client, side by side, on a local
//! server (loopback, HTTP/1.1 keep-alive, one connection, calls in sequence).
//!
//! `cargo run --release -p tc3-client --example overhead [CALLS]`
//!
//! Bare: hyper-util's pooled client POSTs a fixed JSON body with fixed headers and reads the
//! answer. tc3-client: `Client::call_raw` — credential provider, a fresh TC3 signature,
//! the same HTTP stack, the answer validated by `tc3::envelope`. The difference is what the
//! client adds per call. A third column sends tc3-client's headers (signed once) through the
//! bare client, splitting the difference into the bigger request and the client's own work.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::client::legacy::{connect::HttpConnector, Client as Bare};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::time::{Duration, Instant};

const ANSWER: &str = r#"{"Response":{"TotalCount":1,"ZoneSet":[{"Zone":"ap-guangzhou-3","ZoneName":"Guangzhou Zone 3","ZoneId":"100003","ZoneState":"AVAILABLE"}],"RequestId":"1c6d4d47-8f1c-4d5a-9f8e-6a2c0c2b7f51"}}"#;
const BODY: &str = r#"{"Limit":1,"Filters":[{"Name":"zone","Values":["ap-guangzhou-3"]}]}"#;

/// Connections accepted by the server (one per client when keep-alive works).
static CONNECTIONS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn server() -> std::net::SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(l.local_addr().unwrap()).unwrap();
            loop {
                let (s, _) = l.accept().await.unwrap();
                CONNECTIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tokio::spawn(async move {
                    let svc = service_fn(|req: hyper::Request<hyper::body::Incoming>| async move {
                        let _ = req.into_body().collect().await;
                        Ok::<_, std::convert::Infallible>(
                            hyper::Response::builder()
                                .header("content-type", "application/json")
                                .body(Full::new(Bytes::from_static(ANSWER.as_bytes())))
                                .unwrap(),
                        )
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(s), svc)
                        .await;
                });
            }
        });
    });
    rx.recv().unwrap()
}

fn per_call(d: Duration, n: u32) -> f64 {
    d.as_secs_f64() * 1e6 / f64::from(n)
}

fn main() {
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5000);
    let addr = server();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let url = format!("http://{addr}/");
        let bare: Bare<HttpConnector, Full<Bytes>> =
            Bare::builder(TokioExecutor::new()).build(HttpConnector::new());
        let bare_call = || {
            let req = hyper::Request::post(url.as_str())
                .header("content-type", "application/json")
                .header("x-tc-action", "DescribeZones")
                .header("x-tc-version", "2017-03-12")
                .body(Full::new(Bytes::from_static(BODY.as_bytes())))
                .unwrap();
            let bare = bare.clone();
            async move {
                let r = bare.request(req).await.unwrap();
                r.into_body().collect().await.unwrap().to_bytes()
            }
        };
        // the same headers tc3-client sends (signed once): separates the cost of the bigger
        // request from the client's own work
        let cred = tc3::Credential::new(
            "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
            "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        )
        .unwrap();
        let host = addr.to_string();
        let mut common =
            tc3::v3::Common::new("cvm", "DescribeZones", "2017-03-12", tc3::now_unix());
        common.region = Some("ap-guangzhou");
        common.request_client = Some("tc3-client-rust/0.2.0");
        let signed = tc3::v3::sign_fresh(
            &cred,
            &common,
            &tc3::v3::Request::new_post(&host, "application/json", BODY.as_bytes()),
        )
        .unwrap();
        let headers: Vec<(String, String)> = signed
            .headers()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        let same_call = || {
            let mut b = hyper::Request::post(url.as_str());
            for (n, v) in &headers {
                b = b.header(n.as_str(), v.as_str());
            }
            let req = b
                .body(Full::new(Bytes::from_static(BODY.as_bytes())))
                .unwrap();
            let bare = bare.clone();
            async move {
                let r = bare.request(req).await.unwrap();
                r.into_body().collect().await.unwrap().to_bytes()
            }
        };
        let client = tc3_client::Client::builder()
            .endpoint(tc3_client::Endpoint::url(&format!("http://{addr}")).unwrap())
            .region("ap-guangzhou")
            .credentials(
                tc3_client::Credentials::new(
                    "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
                    "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
                    None,
                )
                .unwrap(),
            )
            .build();
        let tc3_call = || async {
            client
                .call_raw(
                    "cvm",
                    "2017-03-12",
                    "DescribeZones",
                    Bytes::from_static(BODY.as_bytes()),
                )
                .await
                .unwrap()
        };
        // warm up both (connections, caches)
        for _ in 0..n / 10 {
            bare_call().await;
            same_call().await;
            tc3_call().await;
        }
        // interleaved rounds, so that both see the same machine load
        let (mut tb, mut ts, mut tc) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
        let rounds = 10;
        for _ in 0..rounds {
            let t = Instant::now();
            for _ in 0..n / rounds {
                assert_eq!(bare_call().await.len(), ANSWER.len());
            }
            tb += t.elapsed();
            let t = Instant::now();
            for _ in 0..n / rounds {
                assert_eq!(same_call().await.len(), ANSWER.len());
            }
            ts += t.elapsed();
            let t = Instant::now();
            for _ in 0..n / rounds {
                assert_eq!(tc3_call().await.body().len(), ANSWER.len());
            }
            tc += t.elapsed();
        }
        let m = n / rounds * rounds;
        let (b, sm, c) = (per_call(tb, m), per_call(ts, m), per_call(tc, m));
        println!("calls each:                       {m}");
        println!("bare hyper-util, 3 headers:       {b:.1} µs/call");
        println!("bare hyper-util, tc3's headers:   {sm:.1} µs/call");
        println!("tc3-client:                       {c:.1} µs/call");
        println!(
            "client overhead vs bare:          {:.1} µs/call ({:+.0}%)",
            c - b,
            (c / b - 1.0) * 100.0
        );
        println!("  of which the bigger request:    {:.1} µs/call", sm - b);
        println!("  of which the client's own work: {:.1} µs/call", c - sm);
        println!(
            "connections accepted:             {}",
            CONNECTIONS.load(std::sync::atomic::Ordering::Relaxed)
        );
    });
}
