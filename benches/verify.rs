//! Verification vs signing of the same documented request (docs/protocol-signing.md §3.1 edition B,
//! and the §3.2 v1 request): target verify/sign ≤ 1.2 with cached keys.
//!
//! `cargo bench --bench verify`; `TC3_BENCH_QUICK=1` for a short run. After criterion, the
//! ratio is measured once more with `Instant` in this process and printed.

use criterion::{black_box, criterion_group, Criterion};
use std::time::{Duration, Instant};
use tc3::v3::Payload;
use tc3::v3::{self, Common, Request, SigningKey};
use tc3::verify::{verify, verify_cached, KeyCache, LegacyScratch, Policy, RequestView};
use tc3::{Credential, Date, SecretKey};

const ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
const TS: u64 = 1551113065;
const BODY: &[u8] =
    br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
const CT: &str = "application/json; charset=utf-8";
const HOST: &str = "cvm.tencentcloudapi.com";
const V1_QUERY: &str = "Action=DescribeInstances&InstanceIds.0=ins-09dx96dg&Limit=20&Nonce=11886&Offset=0&Region=ap-guangzhou&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE&Signature=EliP9YW3pW28FpsEdkXt%2F%2BWcGeI%3D&Timestamp=1465185768&Version=2017-03-12";

/// A closure provider: copies the key for every request (and zeroizes the copy).
fn keys_closure(id: &str) -> Option<SecretKey> {
    (id == ID).then(|| SecretKey::new(KEY).ok()).flatten()
}

/// A table provider: lends the key.
fn table() -> [(&'static str, SecretKey); 1] {
    [(ID, SecretKey::new(KEY).unwrap())]
}

fn quick() -> bool {
    std::env::var_os("TC3_BENCH_QUICK").is_some_and(|v| v == "1")
}

struct Fixture {
    cred: Credential<'static>,
    key: SigningKey,
    common: Common<'static>,
    req: Request<'static>,
    headers: Vec<(&'static str, Vec<u8>)>,
}

fn fixture() -> Fixture {
    let cred = Credential::new(ID, KEY).unwrap();
    let key = SigningKey::derive(&cred.key, Date::from_unix(TS).unwrap(), "cvm").unwrap();
    let common =
        Common::new("cvm", "DescribeInstances", "2017-03-12", TS).with_region("ap-guangzhou");
    let req = Request::new_post(HOST, CT, BODY);
    let signed = v3::sign(&cred, &key, &common, &req).unwrap();
    assert!(signed
        .authorization()
        .ends_with("Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"));
    let headers = signed
        .headers()
        .map(|(k, v)| (k, v.as_bytes().to_vec()))
        .collect();
    Fixture {
        cred,
        key,
        common,
        req,
        headers,
    }
}

fn bench(c: &mut Criterion) {
    let f = fixture();
    let keys = table();
    let keys = &keys[..];
    let headers: Vec<(&str, &[u8])> = f.headers.iter().map(|(k, v)| (*k, v.as_slice())).collect();
    let view = RequestView::new("POST", "/", None, &headers[..], Payload::Bytes(BODY));
    let policy = Policy::at(TS);
    let mut cache = KeyCache::<8>::new();
    let mut scratch = LegacyScratch::<1024, 32>::new();
    assert!(verify_cached(&view, keys, &policy, &mut cache, &mut scratch).is_ok());

    let v1_headers: Vec<(&str, &[u8])> = vec![("Host", HOST.as_bytes())];
    let v1_view = RequestView::new(
        "GET",
        "/",
        Some(V1_QUERY),
        &v1_headers[..],
        Payload::Bytes(b""),
    );
    let v1_policy = Policy::at(1465185768);
    assert!(verify(&v1_view, keys, &v1_policy, &mut scratch).is_ok());
    let v1_key = SecretKey::new(KEY).unwrap();

    let mut g = c.benchmark_group("verify");
    if quick() {
        g.warm_up_time(Duration::from_millis(200))
            .measurement_time(Duration::from_millis(600))
            .sample_size(10);
    }
    g.bench_function("tc3 sign (cached key)", |b| {
        b.iter(|| v3::sign(&f.cred, &f.key, black_box(&f.common), black_box(&f.req)).unwrap())
    });
    g.bench_function("tc3 verify (cached key)", |b| {
        b.iter(|| {
            verify_cached(black_box(&view), keys, &policy, &mut cache, &mut scratch)
                .unwrap()
                .timestamp()
        })
    });
    g.bench_function("tc3 verify (cached key, closure provider)", |b| {
        b.iter(|| {
            verify_cached(
                black_box(&view),
                &keys_closure,
                &policy,
                &mut cache,
                &mut scratch,
            )
            .unwrap()
            .timestamp()
        })
    });
    g.bench_function("tc3 verify (deriving)", |b| {
        b.iter(|| {
            verify(black_box(&view), keys, &policy, &mut scratch)
                .unwrap()
                .timestamp()
        })
    });
    g.bench_function("v1 HmacSHA1 sign", |b| {
        b.iter(|| {
            let mut pairs = [
                ("Action", "DescribeInstances"),
                ("InstanceIds.0", "ins-09dx96dg"),
                ("Limit", "20"),
                ("Nonce", "11886"),
                ("Offset", "0"),
                ("Region", "ap-guangzhou"),
                ("SecretId", ID),
                ("Timestamp", "1465185768"),
                ("Version", "2017-03-12"),
            ];
            tc3::v1::sign(
                &tc3::v1::Request::get(HOST).with_rule(tc3::v1::KeyRule::UnderscoreAsDot),
                black_box(&mut pairs),
                &v1_key,
            )
            .unwrap()
        })
    });
    g.bench_function("v1 HmacSHA1 verify", |b| {
        b.iter(|| {
            verify(black_box(&v1_view), keys, &v1_policy, &mut scratch)
                .unwrap()
                .timestamp()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);

/// Mean ns per call of `f` over `n` calls.
fn time(n: u32, mut f: impl FnMut()) -> f64 {
    for _ in 0..n / 10 {
        f();
    }
    let t = Instant::now();
    for _ in 0..n {
        f();
    }
    t.elapsed().as_nanos() as f64 / f64::from(n)
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();

    let f = fixture();
    let keys = table();
    let keys = &keys[..];
    let headers: Vec<(&str, &[u8])> = f.headers.iter().map(|(k, v)| (*k, v.as_slice())).collect();
    let view = RequestView::new("POST", "/", None, &headers[..], Payload::Bytes(BODY));
    let policy = Policy::at(TS);
    let mut cache = KeyCache::<8>::new();
    let mut scratch = LegacyScratch::<1024, 32>::new();
    // Interleaved short batches, so that load changes on a shared machine hit both alike.
    let rounds = if quick() { 40 } else { 200 };
    let batch = 2_000;
    let (mut s_ns, mut v_ns) = (0.0, 0.0);
    for _ in 0..rounds {
        s_ns += time(batch, || {
            black_box(v3::sign(&f.cred, &f.key, black_box(&f.common), black_box(&f.req)).unwrap());
        });
        v_ns += time(batch, || {
            black_box(
                verify_cached(black_box(&view), keys, &policy, &mut cache, &mut scratch)
                    .unwrap()
                    .timestamp(),
            );
        });
    }
    s_ns /= f64::from(rounds);
    v_ns /= f64::from(rounds);
    let best = v_ns / s_ns;
    println!("tc3 sign (cached key): {s_ns:.0} ns; tc3 verify (cached key, table provider): {v_ns:.0} ns");
    println!("ratio verify/sign = {best:.2} (target <= 1.2)");
}
