//! TC3 signing: the documented request (edition B) with a cached key, with key derivation, and
//! the floor: the bare SHA-256 compression work the algorithm requires over the same bytes.
//!
//! `cargo bench --bench sign` (set `TC3_BENCH_QUICK=1` for short measurement times). After
//! criterion, the same process times each variant with `Instant` and prints
//! `ratio cached/floor = x.xx`.

use criterion::{black_box, criterion_group, Criterion};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};
use tc3::v3::{sign, sign_fresh, Common, Request, SigningKey};
use tc3::BufWriter;
use tc3::{Credential, Date};

const BODY: &[u8] =
    br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
const TS: u64 = 1551113065;

struct Fixture {
    cred: Credential<'static>,
    key: SigningKey,
    req: Request<'static>,
    common: Common<'static>,
    canonical: Vec<u8>,
    string_to_sign: Vec<u8>,
    inner: Sha256,
    outer: Sha256,
}

fn fixture() -> Fixture {
    let cred = Credential::new(
        "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
    )
    .unwrap();
    let key = SigningKey::derive(&cred.key, Date::from_unix(TS).unwrap(), "cvm").unwrap();
    let req = Request::new_post(
        "cvm.tencentcloudapi.com",
        "application/json; charset=utf-8",
        BODY,
    );
    let common =
        Common::new("cvm", "DescribeInstances", "2017-03-12", TS).with_region("ap-guangzhou");
    let mut buf = vec![0u8; 1024];
    let mut w = BufWriter::new(&mut buf);
    tc3::v3::canonical_request(&req, &mut w).unwrap();
    let canonical = w.finish().unwrap().to_vec();
    let mut buf = vec![0u8; 1024];
    let mut w = BufWriter::new(&mut buf);
    tc3::v3::string_to_sign(&common, &req, &mut w).unwrap();
    let string_to_sign = w.finish().unwrap().to_vec();
    // HMAC precomputed states: SHA-256 after one (key ^ ipad) / (key ^ opad) block.
    let chain = SigningKey::chain(&cred.key, Date::from_unix(TS).unwrap(), "cvm");
    let mut ipad = [0x36u8; 64];
    let mut opad = [0x5cu8; 64];
    for (i, k) in chain.secret_signing.iter().enumerate() {
        ipad[i] ^= k;
        opad[i] ^= k;
    }
    let inner = Sha256::new().chain_update(ipad);
    let outer = Sha256::new().chain_update(opad);
    Fixture {
        cred,
        key,
        req,
        common,
        canonical,
        string_to_sign,
        inner,
        outer,
    }
}

/// The bare SHA-256 work: payload hash, canonical-request hash, HMAC as two runs from
/// precomputed ipad/opad states. Returns the signature bytes.
#[inline(never)]
fn floor(f: &Fixture) -> [u8; 32] {
    let payload: [u8; 32] = Sha256::digest(black_box(BODY)).into();
    black_box(&payload);
    let hcr: [u8; 32] = Sha256::digest(black_box(&f.canonical)).into();
    black_box(&hcr);
    let inner: [u8; 32] = f
        .inner
        .clone()
        .chain_update(black_box(&f.string_to_sign))
        .finalize()
        .into();
    f.outer.clone().chain_update(inner).finalize().into()
}

fn bench(c: &mut Criterion) {
    let f = fixture();
    // sanity: the floor computes the documented signature
    assert_eq!(
        base16ct::lower::encode_str(&floor(&f), &mut [0; 64]).unwrap(),
        "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
    );
    let mut g = c.benchmark_group("sign_v3");
    g.bench_function("cached_key", |b| {
        b.iter(|| sign(&f.cred, &f.key, black_box(&f.common), black_box(&f.req)).unwrap())
    });
    let t = tc3::v3::Template::new(&f.req).unwrap();
    g.bench_function("template", |b| {
        b.iter(|| {
            t.sign(
                &f.cred,
                &f.key,
                black_box(&f.common),
                black_box(f.req.payload),
            )
            .unwrap()
        })
    });
    g.bench_function("derive_and_sign", |b| {
        b.iter(|| sign_fresh(&f.cred, black_box(&f.common), black_box(&f.req)).unwrap())
    });
    g.bench_function("floor_sha256", |b| b.iter(|| floor(black_box(&f))));
    g.finish();
}

fn config() -> Criterion {
    let c = Criterion::default();
    if std::env::var_os("TC3_BENCH_QUICK").is_some_and(|v| v == "1") {
        c.warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(1))
            .sample_size(10)
    } else {
        c
    }
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench
}

fn time<R>(n: u32, mut f: impl FnMut() -> R) -> f64 {
    for _ in 0..n / 10 {
        black_box(f());
    }
    let t = Instant::now();
    for _ in 0..n {
        black_box(f());
    }
    t.elapsed().as_nanos() as f64 / f64::from(n)
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    let f = fixture();
    let n = if std::env::var_os("TC3_BENCH_QUICK").is_some() {
        20_000
    } else {
        200_000
    };
    let cached = time(n, || sign(&f.cred, &f.key, &f.common, &f.req).unwrap());
    let derive = time(n, || sign_fresh(&f.cred, &f.common, &f.req).unwrap());
    let t = tc3::v3::Template::new(&f.req).unwrap();
    let templ = time(n, || {
        t.sign(&f.cred, &f.key, &f.common, f.req.payload).unwrap()
    });
    let fl = time(n, || floor(&f));
    println!(
        "ns/signature: cached key {cached:.0}, template {templ:.0}, deriving {derive:.0}, floor {fl:.0}"
    );
    println!(
        "ratio cached/floor = {:.2}, template/floor = {:.2}",
        cached / fl,
        templ / fl
    );
}
