//! Legacy signature cost: HmacSHA1 and HmacSHA256 over the documented v1 request (doc
//! edition "old" parameters), sort + sign + encode into a caller buffer.
//! `TC3_BENCH_QUICK=1` shortens the measurement.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use std::time::Duration;
use tc3::v1;
use tc3::SecretKey;

const PARAMS: [(&str, &str); 9] = [
    ("Action", "DescribeInstances"),
    ("InstanceIds.0", "ins-09dx96dg"),
    ("Limit", "20"),
    ("Nonce", "11886"),
    ("Offset", "0"),
    ("Region", "ap-guangzhou"),
    ("SecretId", "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"),
    ("Timestamp", "1465185768"),
    ("Version", "2017-03-12"),
];

fn bench(c: &mut Criterion) {
    let key = SecretKey::new("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE").unwrap();
    let mut g = c.benchmark_group("legacy");
    for (name, method) in [("HmacSHA1", None), ("HmacSHA256", Some("HmacSHA256"))] {
        let mut base: heapless::Vec<(&str, &str), 10> = heapless::Vec::new();
        base.extend_from_slice(&PARAMS).unwrap();
        if let Some(m) = method {
            base.push(("SignatureMethod", m)).unwrap();
        }
        // check the known answer once
        let mut p = base.clone();
        let sig = v1::sign(&v1::Request::get("cvm.tencentcloudapi.com"), &mut p, &key).unwrap();
        if method.is_none() {
            assert_eq!(sig.as_str(), "EliP9YW3pW28FpsEdkXt/+WcGeI=");
        }
        g.bench_function(format!("{name}/sign"), |b| {
            b.iter(|| {
                let mut p = base.clone();
                v1::sign(
                    &v1::Request::get("cvm.tencentcloudapi.com"),
                    black_box(&mut p),
                    &key,
                )
                .unwrap()
            })
        });
        g.bench_function(format!("{name}/sign+encode"), |b| {
            b.iter(|| {
                let mut p = base.clone();
                let mut buf = [0u8; 512];
                let sig = v1::sign(
                    &v1::Request::get("cvm.tencentcloudapi.com"),
                    black_box(&mut p),
                    &key,
                )
                .unwrap();
                let mut w = tc3::BufWriter::new(&mut buf);
                v1::write_request(&p, &sig, &mut w);
                w.finish_str().unwrap().len()
            })
        });
    }
    g.finish();
}

fn config() -> Criterion {
    if std::env::var_os("TC3_BENCH_QUICK").is_some() {
        Criterion::default()
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(1))
            .sample_size(20)
    } else {
        Criterion::default()
    }
}

criterion_group! { name = benches; config = config(); targets = bench }
criterion_main!(benches);
