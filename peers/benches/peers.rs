//! tc3 against its peers, side by side, in one run: `cargo bench -p tc3-peers --bench peers`.
//!
//! Every case runs three times in the same process:
//! 1. under criterion (reports in `target/criterion/`),
//! 2. in a calibrated `Instant` loop, all cases of a group interleaved round by round
//!    (median of the rounds), which gives the figures of the ratio table,
//! 3. under a counting global allocator (allocations and bytes per operation).
//!
//! `TC3_BENCH_QUICK=1` shortens everything (whole run well under a minute once built).
//! The method and the figures are in `docs/perf.md`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::borrow::Cow;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use criterion::{Criterion, Throughput};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use sha2::digest::generic_array::GenericArray;
use sha2::{Digest, Sha256};

use tc3::v3::{self, Common, Request, SigningKey};
use tc3::{Credential, Date, SecretKey};

// ---------------------------------------------------------------------------------------------
// Counting allocator
// ---------------------------------------------------------------------------------------------

struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);
static ALLOC_BYTES: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        ALLOC_BYTES.fetch_add(layout.size() as u64, Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        ALLOC_BYTES.fetch_add(layout.size() as u64, Relaxed);
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        ALLOC_BYTES.fetch_add(new_size as u64, Relaxed);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

// ---------------------------------------------------------------------------------------------
// Shared data
// ---------------------------------------------------------------------------------------------

/// A file of the core's test data (`tests/data/` of the repository); `.gz` files decompressed.
fn shared(rel: &str) -> String {
    use std::io::Read;
    let p = format!("{}/../tests/data/{rel}", env!("CARGO_MANIFEST_DIR"));
    if let Ok(text) = std::fs::read_to_string(&p) {
        return text;
    }
    let gz = format!("{p}.gz");
    let file = std::fs::File::open(&gz).unwrap_or_else(|e| panic!("{p}(.gz): {e}"));
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .unwrap_or_else(|e| panic!("{gz}: {e}"));
    text
}

fn doc_case(all: &Value, name: &str) -> Value {
    all.as_array()
        .and_then(|a| a.iter().find(|c| c["name"] == name))
        .unwrap_or_else(|| panic!("doc-examples.json: no case {name}"))
        .clone()
}

fn s(v: &Value) -> &str {
    v.as_str().expect("string field")
}

/// Drops the whitespace outside strings (the corpus is pretty-printed).
fn minify(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len());
    let (mut in_str, mut esc) = (false, false);
    for c in doc.chars() {
        if in_str {
            out.push(c);
            if esc {
                esc = false;
            } else if c == '\\' {
                esc = true;
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
            out.push(c);
        } else if !c.is_ascii_whitespace() {
            out.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The SHA-256 / SHA-1 floor: bare compression over pre-padded blocks
// ---------------------------------------------------------------------------------------------

type Block = GenericArray<u8, sha2::digest::typenum::U64>;

const SHA256_IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];
const SHA1_IV: [u32; 5] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];

/// `msg` followed by MD padding for a message of `prefix + msg.len()` bytes, where `prefix`
/// whole blocks are already absorbed in the state (HMAC's ipad/opad block).
fn padded(msg: &[u8], prefix: usize) -> Vec<Block> {
    let mut v = msg.to_vec();
    let bits = ((prefix + msg.len()) as u64) * 8;
    v.push(0x80);
    while v.len() % 64 != 56 {
        v.push(0);
    }
    v.extend_from_slice(&bits.to_be_bytes());
    v.chunks(64).map(Block::clone_from_slice).collect()
}

fn be_bytes256(state: &[u32; 8]) -> [u8; 32] {
    let mut o = [0u8; 32];
    for (i, w) in state.iter().enumerate() {
        o[i * 4..i * 4 + 4].copy_from_slice(&w.to_be_bytes());
    }
    o
}

fn key_block(key: &[u8], pad: u8) -> Block {
    let mut b = [pad; 64];
    for (i, k) in key.iter().enumerate() {
        b[i] ^= k;
    }
    Block::clone_from_slice(&b)
}

/// One SHA-256 chain of the floor: its start state and its blocks.
struct Chain256 {
    start: [u32; 8],
    blocks: Vec<Block>,
}

impl Chain256 {
    fn plain(msg: &[u8]) -> Self {
        Chain256 {
            start: SHA256_IV,
            blocks: padded(msg, 0),
        }
    }
    /// Pre-keyed HMAC half: the state after the ipad/opad block, then `msg` + padding.
    fn keyed(key: &[u8], pad: u8, msg: &[u8]) -> Self {
        let mut st = SHA256_IV;
        sha2::compress256(&mut st, &[key_block(key, pad)]);
        Chain256 {
            start: st,
            blocks: padded(msg, 64),
        }
    }
    /// Non-pre-keyed HMAC half: the ipad/opad block is part of the work.
    fn unkeyed(key: &[u8], pad: u8, msg: &[u8]) -> Self {
        let mut blocks = vec![key_block(key, pad)];
        blocks.extend(padded(msg, 64));
        Chain256 {
            start: SHA256_IV,
            blocks,
        }
    }
    #[inline(always)]
    fn run(&self) -> [u32; 8] {
        let mut st = black_box(self.start);
        sha2::compress256(&mut st, black_box(&self.blocks));
        st
    }
    fn digest(&self) -> [u8; 32] {
        be_bytes256(&self.run())
    }
}

struct Chain1 {
    blocks: Vec<Block>,
}

impl Chain1 {
    fn unkeyed(key: &[u8], pad: u8, msg: &[u8]) -> Self {
        let mut blocks = vec![key_block(key, pad)];
        blocks.extend(padded(msg, 64));
        Chain1 { blocks }
    }
    #[inline(always)]
    fn run(&self) -> [u32; 5] {
        let mut st = black_box(SHA1_IV);
        sha1::compress(&mut st, black_box(&self.blocks));
        st
    }
    fn digest(&self) -> [u8; 20] {
        let mut o = [0u8; 20];
        for (i, w) in self.run().iter().enumerate() {
            o[i * 4..i * 4 + 4].copy_from_slice(&w.to_be_bytes());
        }
        o
    }
}

fn blocks_of(chains: &[&Chain256]) -> usize {
    chains.iter().map(|c| c.blocks.len()).sum()
}

// ---------------------------------------------------------------------------------------------
// The hand-written signer: what a typical user writes with hmac + sha2 + hex + format!
// ---------------------------------------------------------------------------------------------

mod handwritten {
    use hmac::{Hmac, Mac};
    use sha2::{Digest, Sha256};

    fn hmac256(key: &[u8], msg: &[u8]) -> Vec<u8> {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key size");
        mac.update(msg);
        mac.finalize().into_bytes().to_vec()
    }

    fn utc_date(ts: i64) -> String {
        // civil_from_days (H. Hinnant); a user would reach for chrono, which is slower.
        let z = ts.div_euclid(86400) + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        format!("{y:04}-{m:02}-{d:02}")
    }

    #[allow(clippy::too_many_arguments)]
    pub fn sign(
        secret_id: &str,
        secret_key: &str,
        service: &str,
        host: &str,
        content_type: &str,
        payload: &str,
        timestamp: i64,
    ) -> (String, String) {
        let hashed_payload = hex::encode(Sha256::digest(payload.as_bytes()));
        let canonical_request = format!(
            "POST\n/\n\ncontent-type:{content_type}\nhost:{host}\n\ncontent-type;host\n{hashed_payload}"
        );
        let date = utc_date(timestamp);
        let scope = format!("{date}/{service}/tc3_request");
        let string_to_sign = format!(
            "TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{}",
            hex::encode(Sha256::digest(canonical_request.as_bytes()))
        );
        let secret_date = hmac256(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
        let secret_service = hmac256(&secret_date, service.as_bytes());
        let secret_signing = hmac256(&secret_service, b"tc3_request");
        let signature = hex::encode(hmac256(&secret_signing, string_to_sign.as_bytes()));
        let authorization = format!(
            "TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}"
        );
        (signature, authorization)
    }
}

// ---------------------------------------------------------------------------------------------
// Prototype of the "request template" proposed in docs/perf.md (not a tc3 API yet)
// ---------------------------------------------------------------------------------------------

/// Everything of a TC3 signature that does not change between requests of one client
/// (method, URI, query, signed headers, credential, scope) prepared once: the SHA-256 state
/// after the constant canonical-request prefix, and the constant `Authorization` prefix. Per
/// request: hash the body, finish the canonical request with its hex, HMAC the string to
/// sign with the cached key, append the hex signature. Built only from tc3's public API.
mod template {
    use sha2::{Digest, Sha256};
    use tc3::encode::{hex32, BufWriter, Sink};
    use tc3::v3::{canonical, Method, Payload, SigningKey};

    pub const AUTH_CAP: usize = 512;

    pub struct Template {
        prefix: Sha256,
        auth: [u8; AUTH_CAP],
        auth_len: usize,
    }

    impl Template {
        /// Inputs as `v3::sign` would check them (here: the documented request, trusted).
        pub fn new(
            secret_id: &str,
            key: &SigningKey,
            method: Method,
            host: &str,
            content_type: &str,
        ) -> Self {
            let headers = [
                canonical::HeaderEntry {
                    name: "content-type",
                    value: content_type,
                    fold: false,
                },
                canonical::HeaderEntry {
                    name: "host",
                    value: host,
                    fold: false,
                },
            ];
            // The canonical request without its last line (the payload hash).
            let mut prefix = Sha256::new();
            let mut tmp = [0u8; 1024];
            let mut w = BufWriter::new(&mut tmp);
            canonical::write_canonical_request(
                &mut w,
                method.as_str(),
                "/",
                "",
                &headers,
                &[b'0'; 64],
            );
            let cr = w.finish().expect("fits");
            prefix.update(&cr[..cr.len() - 64]);
            let mut auth = [0u8; AUTH_CAP];
            let mut w = BufWriter::new(&mut auth);
            w.put(b"TC3-HMAC-SHA256 Credential=");
            w.put(secret_id.as_bytes());
            w.put(b"/");
            w.put(&key.date().to_bytes());
            w.put(b"/");
            w.put(key.service().as_bytes());
            w.put(b"/tc3_request, SignedHeaders=");
            canonical::write_signed_headers(&mut w, &headers);
            w.put(b", Signature=");
            let auth_len = w.finish().expect("fits").len();
            Template {
                prefix,
                auth,
                auth_len,
            }
        }

        /// The `Authorization` value of one request (timestamp must be in the key's date).
        pub fn sign(
            &self,
            key: &SigningKey,
            timestamp: u64,
            body: &[u8],
        ) -> ([u8; AUTH_CAP], usize) {
            let payload_hex = tc3::v3::hash_payload(&Payload::Bytes(body));
            let mut sha = self.prefix.clone();
            sha.update(payload_hex);
            let hcr = hex32(&sha.finalize().into());
            let mut sts = [0u8; 192];
            let mut w = BufWriter::new(&mut sts);
            canonical::write_string_to_sign(&mut w, timestamp, key.date(), key.service(), &hcr);
            let sig = key.sign_raw(w.finish().expect("fits"));
            let mut out = self.auth;
            let n = self.auth_len;
            out[n..n + 64].copy_from_slice(sig.as_hex().as_bytes());
            (out, n + 64)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// serde_json / serde-json-core envelope structs
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct SjEnv<'a> {
    #[serde(rename = "Response", borrow)]
    response: SjResp<'a>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct SjResp<'a> {
    #[serde(rename = "RequestId", borrow, default)]
    request_id: Option<&'a str>,
    #[serde(rename = "Error", borrow, default)]
    error: Option<SjErr<'a>>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct SjErr<'a> {
    #[serde(rename = "Code", borrow)]
    code: &'a str,
    #[serde(rename = "Message", borrow, default)]
    message: Option<&'a str>,
}

#[derive(Deserialize)]
struct SjEnvRaw<'a> {
    #[serde(rename = "Response", borrow)]
    response: &'a RawValue,
}

// ---------------------------------------------------------------------------------------------
// Cases and measurement
// ---------------------------------------------------------------------------------------------

fn quick() -> bool {
    std::env::var_os("TC3_BENCH_QUICK").is_some_and(|v| v != "0" && !v.is_empty())
}

type Run<'a> = Box<dyn FnMut(u64) + 'a>;

/// Turns one operation into a batch runner (`n` iterations, results through black_box).
fn batch<'a, R, F: FnMut() -> R + 'a>(mut f: F) -> Run<'a> {
    Box::new(move |n| {
        for _ in 0..n {
            black_box(f());
        }
    })
}

struct Case<'a> {
    group: &'static str,
    name: String,
    bytes: Option<u64>,
    run: Run<'a>,
    iters: u64,
    samples: Vec<f64>,
    /// Fastest batch (ns/op): the least disturbed by other processes; used for ratios.
    ns: f64,
    /// Median batch (ns/op).
    median: f64,
    allocs: f64,
    alloc_bytes: f64,
}

impl<'a> Case<'a> {
    fn new(group: &'static str, name: impl Into<String>, bytes: Option<u64>, run: Run<'a>) -> Self {
        Case {
            group,
            name: name.into(),
            bytes,
            run,
            iters: 1,
            samples: Vec::new(),
            ns: f64::NAN,
            median: f64::NAN,
            allocs: f64::NAN,
            alloc_bytes: f64::NAN,
        }
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        f64::NAN
    } else {
        v[v.len() / 2]
    }
}

/// Calibrate each case to `batch_time`, then run `rounds` rounds over all cases of a group
/// interleaved (noise from other processes hits every case alike). Keeps the fastest batch
/// (`ns`, used for the ratios: on a shared machine interference only ever adds time) and the
/// median.
fn measure(cases: &mut [Case<'_>], batch_time: Duration, rounds: usize) {
    for c in cases.iter_mut() {
        (c.run)(1);
        let mut n = 1u64;
        loop {
            let t = Instant::now();
            (c.run)(n);
            let el = t.elapsed();
            if el >= batch_time / 2 || n >= 1 << 30 {
                let per = el.as_secs_f64() / n as f64;
                c.iters = ((batch_time.as_secs_f64() / per.max(1e-12)) as u64).clamp(1, 1 << 32);
                break;
            }
            n *= 2;
        }
    }
    for _ in 0..rounds {
        for c in cases.iter_mut() {
            let t = Instant::now();
            (c.run)(c.iters);
            let el = t.elapsed();
            c.samples.push(el.as_nanos() as f64 / c.iters as f64);
        }
    }
    for c in cases.iter_mut() {
        c.median = median(&mut c.samples);
        c.ns = c.samples.first().copied().unwrap_or(f64::NAN);
    }
}

fn count_allocs(c: &mut Case<'_>) {
    let n = if c.bytes.is_some_and(|b| b > 100_000) {
        3
    } else {
        100
    };
    (c.run)(1);
    let (a0, b0) = (ALLOCS.load(Relaxed), ALLOC_BYTES.load(Relaxed));
    (c.run)(n);
    let (a1, b1) = (ALLOCS.load(Relaxed), ALLOC_BYTES.load(Relaxed));
    c.allocs = (a1 - a0) as f64 / n as f64;
    c.alloc_bytes = (b1 - b0) as f64 / n as f64;
}

fn criterion_run(crit: &mut Criterion, c: &mut Case<'_>) {
    let mut g = crit.benchmark_group(c.group);
    if let Some(b) = c.bytes {
        g.throughput(Throughput::Bytes(b));
    }
    if c.bytes.is_some_and(|b| b > 1_000_000) {
        g.sample_size(10);
    }
    let run = &mut c.run;
    g.bench_function(c.name.as_str(), |b| {
        b.iter_custom(|iters| {
            let t = Instant::now();
            run(iters);
            t.elapsed()
        })
    });
    g.finish();
}

fn find<'c>(cases: &'c [Case<'_>], group: &str, name: &str) -> &'c Case<'c> {
    let c = cases
        .iter()
        .find(|c| c.group == group && c.name == name)
        .unwrap_or_else(|| panic!("no case {group}/{name}"));
    c
}

fn ns(cases: &[Case<'_>], group: &str, name: &str) -> f64 {
    find(cases, group, name).ns
}

// ---------------------------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------------------------

fn main() {
    let quick = quick();
    let doc: Value = serde_json::from_str(&shared("vectors/doc-examples.json")).expect("json");

    // ---- the documented TC3 request (edition B) -----------------------------------------------
    let b = doc_case(&doc, "v3-doc-edition-b");
    let inp = &b["inputs"];
    let exp = &b["expected"];
    let (secret_id, secret_key) = (s(&inp["secret_id"]), s(&inp["secret_key"]));
    let (host, content_type) = (s(&inp["host"]), s(&inp["content_type"]));
    let payload = s(&inp["payload"]);
    let service = s(&inp["service"]);
    let action = s(&inp["action"]);
    let version = s(&inp["version"]);
    let region = s(&inp["region"]);
    let ts = inp["timestamp"].as_u64().expect("timestamp");
    let want_sig = s(&exp["signature"]);
    let want_auth = s(&exp["authorization"]);
    assert_eq!(payload.len(), 86, "the documented body is 86 bytes");

    let cred = Credential::new(secret_id, secret_key).expect("credential");
    let date = Date::from_unix(ts).expect("date");
    let key = SigningKey::derive(&cred.key, date, service).expect("key");
    let common = Common::new(service, action, version, ts).with_region(region);
    let req = Request::new_post(host, content_type, payload.as_bytes());

    let tc3_cached = || v3::sign(&cred, &key, &common, &req).expect("sign");
    let tc3_fresh = || v3::sign_fresh(&cred, &common, &req).expect("sign");

    let hand = || {
        handwritten::sign(
            secret_id,
            secret_key,
            service,
            host,
            content_type,
            payload,
            ts as i64,
        )
    };

    let sdk_signer = tencentcloud_sign_sdk::Tc3Signer::new(
        secret_id.to_string(),
        secret_key.to_string(),
        service.to_string(),
        false,
    );
    let sdk = || {
        let hashed = tencentcloud_sign_sdk::sha256_hex(payload);
        let headers = format!("content-type:{content_type}\nhost:{host}\n");
        let r = sdk_signer.sign(
            "POST",
            "/",
            "",
            &headers,
            "content-type;host",
            &hashed,
            ts as i64,
        );
        let auth = sdk_signer.create_authorization_header(&r, "content-type;host");
        (r, auth)
    };

    // aws-sigv4: the analogous SigV4 request (same method, host, body, content type, time).
    let aws_creds =
        aws_credential_types::Credentials::new(secret_id, secret_key, None, None, "bench");
    let aws_identity: aws_smithy_runtime_api::client::identity::Identity = aws_creds.into();
    let aws_params: aws_sigv4::http_request::SigningParams<'_> =
        aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&aws_identity)
            .region(region)
            .name(service)
            .time(UNIX_EPOCH + Duration::from_secs(ts))
            .settings(aws_sigv4::http_request::SigningSettings::default())
            .build()
            .expect("aws params")
            .into();
    let aws_uri = format!("https://{host}/");
    let aws = || {
        let r = aws_sigv4::http_request::SignableRequest::new(
            "POST",
            Cow::Borrowed(aws_uri.as_str()),
            [("content-type", content_type), ("host", host)].into_iter(),
            aws_sigv4::http_request::SignableBody::Bytes(payload.as_bytes()),
        )
        .expect("signable");
        let out = aws_sigv4::http_request::sign(r, &aws_params).expect("aws sign");
        let (instr, sig) = out.into_parts();
        let (headers, _) = instr.into_parts();
        (headers, sig)
    };

    // ---- correctness of every peer on the documented request ----------------------------------
    println!("== outputs on v3-doc-edition-b (expected signature {want_sig})");
    let t = tc3_cached();
    println!("tc3 cached      {}", t.signature().as_hex());
    assert_eq!(t.signature().as_hex(), want_sig);
    assert_eq!(t.authorization(), want_auth);
    assert_eq!(tc3_fresh().signature().as_hex(), want_sig);
    let (hs, ha) = hand();
    println!("hand-written    {hs}");
    assert_eq!(hs, want_sig);
    assert_eq!(ha, want_auth);
    let (sr, sa) = sdk();
    let sdk_ok = sr.signature == want_sig && sa == want_auth;
    println!(
        "tencentcloud-sign-sdk {} ({})",
        sr.signature,
        if sdk_ok { "correct" } else { "WRONG" }
    );
    let (ah, asig) = aws();
    println!(
        "aws-sigv4       {asig} (SigV4 of the analogous request; {} headers: {})",
        ah.len(),
        ah.iter().map(|h| h.name()).collect::<Vec<_>>().join(", ")
    );

    // ---- prototype: request template (proposal 1 of docs/perf.md) --------------------------------
    let tmpl = template::Template::new(secret_id, &key, v3::Method::Post, host, content_type);
    {
        let (a, n) = tmpl.sign(&key, ts, payload.as_bytes());
        assert_eq!(&a[..n], want_auth.as_bytes(), "template prototype");
        println!("template proto  {}", &want_auth[want_auth.len() - 64..]);
    }
    let tmpl_sign = || tmpl.sign(&key, ts, payload.as_bytes()).1;

    // ---- tc3's request template (v3::Template) --------------------------------------------------
    let tc3_template = v3::Template::new(&req).expect("template");
    let tc3_tmpl = || {
        tc3_template
            .sign(&cred, &key, &common, v3::Payload::Bytes(payload.as_bytes()))
            .expect("template sign")
    };
    {
        let t = tc3_tmpl();
        assert_eq!(t.authorization(), want_auth, "tc3 template");
        println!("tc3 template    {}", t.signature().as_hex());
    }

    // ---- verification of the same request (gateway side) ----------------------------------------
    let signed = tc3_cached();
    let sent: Vec<(String, Vec<u8>)> = signed
        .headers()
        .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
        .collect();
    let sent_view: Vec<(&str, &[u8])> = sent
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_slice()))
        .collect();
    // A key table, as a gateway holds its keys: the provider lends the key (no copy per request).
    let key_table = [(secret_id, SecretKey::new(secret_key).expect("key"))];
    let keys: &[(&str, SecretKey)] = &key_table;
    let policy = tc3::verify::Policy::at(ts);
    let view = tc3::verify::RequestView::new(
        "POST",
        "/",
        None,
        sent_view.as_slice(),
        tc3::verify::Body::Bytes(payload.as_bytes()),
    );
    let mut key_cache = tc3::v3::verify::KeyCache::<4>::new();
    {
        let v = tc3::v3::verify::verify(&view, keys, &policy).expect("verifies");
        println!("tc3 verify      ok ({})", v.secret_id);
        tc3::v3::verify::verify_cached(&view, keys, &policy, &mut key_cache).expect("verifies");
    }
    let (view, policy) = (&view, &policy);
    let verify_cached = move || {
        tc3::v3::verify::verify_cached(view, keys, policy, &mut key_cache)
            .expect("verifies")
            .timestamp
    };
    let verify_fresh = move || {
        tc3::v3::verify::verify(view, keys, policy)
            .expect("verifies")
            .timestamp
    };

    // ---- the floor ------------------------------------------------------------------------------
    let cr = s(&exp["canonical_request"]);
    let sts = s(&exp["string_to_sign"]);
    let signing = hex::decode(s(&exp["secret_signing"])).expect("hex");
    let secret_date = hex::decode(s(&exp["secret_date"])).expect("hex");
    let secret_service = hex::decode(s(&exp["secret_service"])).expect("hex");
    let f_payload = Chain256::plain(payload.as_bytes());
    let f_cr = Chain256::plain(cr.as_bytes());
    let f_inner = Chain256::keyed(&signing, 0x36, sts.as_bytes());
    let inner_digest = f_inner.digest();
    let f_outer = Chain256::keyed(&signing, 0x5c, &inner_digest);
    // Self-check: the floor's blocks are exactly the algorithm's.
    assert_eq!(hex::encode(f_payload.digest()), s(&exp["hashed_payload"]));
    assert_eq!(
        hex::encode(f_cr.digest()),
        s(&exp["hashed_canonical_request"])
    );
    assert_eq!(hex::encode(f_outer.digest()), want_sig);
    // Derivation: three un-keyed HMACs plus keying the signing state (ipad, opad blocks).
    let k0 = format!("TC3{secret_key}");
    let date_s = std::str::from_utf8(&date.to_bytes())
        .expect("date")
        .to_string();
    let d1i = Chain256::unkeyed(k0.as_bytes(), 0x36, date_s.as_bytes());
    let d1o = Chain256::unkeyed(k0.as_bytes(), 0x5c, &d1i.digest());
    assert_eq!(d1o.digest().as_slice(), secret_date.as_slice());
    let d2i = Chain256::unkeyed(&secret_date, 0x36, service.as_bytes());
    let d2o = Chain256::unkeyed(&secret_date, 0x5c, &d2i.digest());
    assert_eq!(d2o.digest().as_slice(), secret_service.as_slice());
    let d3i = Chain256::unkeyed(&secret_service, 0x36, b"tc3_request");
    let d3o = Chain256::unkeyed(&secret_service, 0x5c, &d3i.digest());
    assert_eq!(d3o.digest().as_slice(), signing.as_slice());
    let kip = Chain256 {
        start: SHA256_IV,
        blocks: vec![key_block(&signing, 0x36)],
    };
    let kop = Chain256 {
        start: SHA256_IV,
        blocks: vec![key_block(&signing, 0x5c)],
    };
    let sign_blocks = blocks_of(&[&f_payload, &f_cr, &f_inner, &f_outer]);
    let derive_blocks = blocks_of(&[&d1i, &d1o, &d2i, &d2o, &d3i, &d3o, &kip, &kop]);
    println!(
        "floor: {sign_blocks} SHA-256 blocks per signature (payload {}, canonical request {} ({} B), \
         HMAC inner {} + outer {} after the pre-keyed states); +{derive_blocks} to derive the key",
        f_payload.blocks.len(),
        f_cr.blocks.len(),
        cr.len(),
        f_inner.blocks.len(),
        f_outer.blocks.len()
    );
    let floor = || (f_payload.run(), f_cr.run(), f_inner.run(), f_outer.run());
    let floor_derive = || {
        (
            floor(),
            d1i.run(),
            d1o.run(),
            d2i.run(),
            d2o.run(),
            d3i.run(),
            d3o.run(),
            kip.run(),
            kop.run(),
        )
    };
    // The same work through the sha2 API (padding and finalisation included).
    let ipad_state = Hmac::<Sha256>::new_from_slice(&signing).expect("key");
    let floor_api = || {
        let a = Sha256::digest(payload.as_bytes());
        let c = Sha256::digest(cr.as_bytes());
        let mut m = ipad_state.clone();
        m.update(sts.as_bytes());
        (a, c, m.finalize().into_bytes())
    };

    // ---- legacy (v1) ----------------------------------------------------------------------------
    struct Legacy {
        label: &'static str,
        host: String,
        path: String,
        method: String,
        params: Vec<(String, String)>,
        key: String,
        sts: String,
        signature: String,
        sha1: bool,
    }
    let legacy: Vec<Legacy> = [
        ("v1-doc-old", "legacy_hmacsha1"),
        ("python-sdk-b3-v1-hmacsha256-get", "legacy_hmacsha256"),
    ]
    .iter()
    .map(|(n, label)| {
        let c = doc_case(&doc, n);
        let i = &c["inputs"];
        Legacy {
            label,
            host: s(&i["host"]).into(),
            path: s(&i["path"]).into(),
            method: s(&i["http_method"]).into(),
            params: i["params"]
                .as_array()
                .expect("params")
                .iter()
                .map(|p| (s(&p[0]).into(), s(&p[1]).into()))
                .collect(),
            key: s(&i["secret_key"]).into(),
            sts: s(&c["expected"]["string_to_sign"]).into(),
            signature: s(&c["expected"]["signature"]).into(),
            sha1: c["sign_method"] == "HmacSHA1",
        }
    })
    .collect();
    let legacy_keys: Vec<SecretKey> = legacy
        .iter()
        .map(|l| SecretKey::new(&l.key).expect("key"))
        .collect();
    let legacy_pairs: Vec<Vec<(&str, &str)>> = legacy
        .iter()
        .map(|l| {
            l.params
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect()
        })
        .collect();
    for (i, l) in legacy.iter().enumerate() {
        let mut pairs = [("", ""); 16];
        let n = legacy_pairs[i].len();
        pairs[..n].copy_from_slice(&legacy_pairs[i]);
        let sig = tc3::v1::sign(
            &tc3::v1::Request::get(&l.host)
                .with_method(&l.method)
                .with_path(&l.path)
                .with_rule(tc3::v1::KeyRule::UnderscoreAsDot),
            &mut pairs[..n],
            &legacy_keys[i],
        )
        .expect("v1 sign");
        assert_eq!(sig.as_str(), l.signature, "{}", l.label);
        println!("tc3 {}  {}", l.label, sig.as_str());
    }

    // ---- envelopes --------------------------------------------------------------------------------
    let responses_doc = shared("docs/protocol-responses.md");
    let err_env = responses_doc
        .lines()
        .find(|l| l.starts_with(r#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure""#))
        .expect("the error envelope of protocol-responses.md")
        .to_string();
    assert_eq!(err_env.len(), 214);
    let corpus = shared("corpus/tccli-responses.jsonl");
    let (list_name, list_env) = corpus
        .lines()
        .filter_map(|l| {
            let v: Value = serde_json::from_str(l).ok()?;
            let body = minify(s(&v["body"]));
            let ok = v["error_code"].is_null()
                && body.contains("\"TotalCount\"")
                && (1900..=2200).contains(&body.len());
            ok.then(|| (s(&v["name"]).to_string(), body))
        })
        .next()
        .expect("a ~2 KB list response in the corpus");
    // ~1 MB: the list response's Response object repeated as the items of a list.
    let synth = |target: usize| {
        let inner_start = list_env.find('{').map(|i| i + 1).expect("{");
        let resp_start = list_env[inner_start..].find('{').expect("{") + inner_start;
        let item = &list_env[resp_start..list_env.len() - 1];
        let mut out = String::from(r#"{"Response":{"TotalCount":0,"Items":["#);
        while out.len() < target {
            if !out.ends_with('[') {
                out.push(',');
            }
            out.push_str(item);
        }
        out.push_str(r#"],"RequestId":"6a5a5f11-4ad8-4a59-b8d8-5c4d4d6b2a2f"}}"#);
        out
    };
    let mb_env = synth(1 << 20);
    let parse_docs: Vec<(&'static str, String)> = vec![
        ("error_214B", err_env.clone()),
        ("list_2KB", list_env.clone()),
        ("list_1MB", mb_env.clone()),
    ];
    for (n, d) in &parse_docs {
        let e = tc3::envelope::parse(d.as_bytes()).unwrap_or_else(|e| panic!("{n}: {e}"));
        let sj: SjEnv<'_> = serde_json::from_str(d).unwrap_or_else(|e| panic!("{n}: {e}"));
        assert_eq!(
            e.request_id.and_then(|r| r.as_plain()),
            sj.response.request_id,
            "{n}"
        );
        let core: Result<(SjEnv<'_>, usize), _> = serde_json_core::from_str(d);
        println!(
            "envelope {n}: {} bytes; serde-json-core {}",
            d.len(),
            match &core {
                Ok(_) => "ok".to_string(),
                Err(e) => format!("FAILS: {e:?}"),
            }
        );
    }
    println!("2 KB list response: corpus {list_name}");

    let big: Vec<u8> = (0..(10usize << 20)).map(|i| (i * 7 + 3) as u8).collect();
    let parse_big: Vec<(String, String)> = [64usize << 10, 1 << 20, 16 << 20]
        .iter()
        .map(|&n| (format!("{}KB", n >> 10), synth(n)))
        .collect();
    // ---- the cases ----------------------------------------------------------------------------------
    let mut cases: Vec<Case<'_>> = vec![
        Case::new("sign_v3", "tc3_cached", None, batch(tc3_cached)),
        Case::new("sign_v3", "tc3_derive", None, batch(tc3_fresh)),
        Case::new("sign_v3", "tc3_template", None, batch(tc3_tmpl)),
        Case::new("sign_v3", "template_prototype", None, batch(tmpl_sign)),
        Case::new("sign_v3", "floor", None, batch(floor)),
        Case::new("sign_v3", "floor_derive", None, batch(floor_derive)),
        Case::new("sign_v3", "floor_sha2_api", None, batch(floor_api)),
        Case::new("sign_v3", "handwritten", None, batch(hand)),
        Case::new("sign_v3", "tencentcloud_sign_sdk", None, batch(sdk)),
        Case::new("sign_v3", "aws_sigv4", None, batch(aws)),
        Case::new("sign_v3", "tc3_verify_cached", None, batch(verify_cached)),
        Case::new("sign_v3", "tc3_verify_derive", None, batch(verify_fresh)),
    ];

    for (i, l) in legacy.iter().enumerate() {
        let pairs_src = &legacy_pairs[i];
        let key = &legacy_keys[i];
        let label = l.label;
        cases.push(Case::new(
            "sign_v1",
            label,
            None,
            batch(move || {
                let mut pairs = [("", ""); 16];
                let n = pairs_src.len();
                pairs[..n].copy_from_slice(pairs_src);
                tc3::v1::sign(
                    &tc3::v1::Request::get(&l.host)
                        .with_method(&l.method)
                        .with_path(&l.path)
                        .with_rule(tc3::v1::KeyRule::UnderscoreAsDot),
                    &mut pairs[..n],
                    key,
                )
                .expect("v1")
            }),
        ));
        // Floor: HMAC without a cached key: ipad block + message, opad block + digest.
        if l.sha1 {
            let fi = Chain1::unkeyed(l.key.as_bytes(), 0x36, l.sts.as_bytes());
            let fo = Chain1::unkeyed(l.key.as_bytes(), 0x5c, &fi.digest());
            let mut m = Hmac::<sha1::Sha1>::new_from_slice(l.key.as_bytes()).expect("k");
            m.update(l.sts.as_bytes());
            assert_eq!(fo.digest().as_slice(), m.finalize().into_bytes().as_slice());
            println!(
                "{label} floor: {} SHA-1 blocks (string to sign {} B)",
                fi.blocks.len() + fo.blocks.len(),
                l.sts.len()
            );
            cases.push(Case::new(
                "sign_v1",
                format!("{label}_floor"),
                None,
                batch(move || (fi.run(), fo.run())),
            ));
        } else {
            let fi = Chain256::unkeyed(l.key.as_bytes(), 0x36, l.sts.as_bytes());
            let fo = Chain256::unkeyed(l.key.as_bytes(), 0x5c, &fi.digest());
            let mut m = Hmac::<Sha256>::new_from_slice(l.key.as_bytes()).expect("k");
            m.update(l.sts.as_bytes());
            assert_eq!(fo.digest().as_slice(), m.finalize().into_bytes().as_slice());
            println!(
                "{label} floor: {} SHA-256 blocks (string to sign {} B)",
                fi.blocks.len() + fo.blocks.len(),
                l.sts.len()
            );
            cases.push(Case::new(
                "sign_v1",
                format!("{label}_floor"),
                None,
                batch(move || (fi.run(), fo.run())),
            ));
        }
    }

    for (n, d) in &parse_docs {
        let len = Some(d.len() as u64);
        let d = d.as_bytes();
        cases.push(Case::new(
            "parse",
            format!("{n}/tc3"),
            len,
            batch(move || tc3::envelope::parse(d).expect("parse").request_id),
        ));
        cases.push(Case::new(
            "parse",
            format!("{n}/serde_json"),
            len,
            batch(move || {
                serde_json::from_slice::<SjEnv<'_>>(d)
                    .expect("serde_json")
                    .response
                    .request_id
            }),
        ));
        cases.push(Case::new(
            "parse",
            format!("{n}/serde_json_utf8"),
            len,
            batch(move || {
                // from_slice does not check UTF-8 inside ignored strings; a caller that
                // wants the whole document validated (as tc3 does) pays from_utf8 first.
                let text = std::str::from_utf8(d).expect("utf-8");
                serde_json::from_str::<SjEnv<'_>>(text)
                    .expect("serde_json")
                    .response
                    .request_id
            }),
        ));
        cases.push(Case::new(
            "parse",
            format!("{n}/serde_json_raw"),
            len,
            batch(move || {
                let raw: SjEnvRaw<'_> = serde_json::from_slice(d).expect("serde_json");
                serde_json::from_str::<SjResp<'_>>(raw.response.get())
                    .expect("inner")
                    .request_id
                    .map(|r| r.len())
            }),
        ));
        cases.push(Case::new(
            "parse",
            format!("{n}/serde_json_core"),
            len,
            batch(move || {
                serde_json_core::from_slice::<SjEnv<'_>>(d)
                    .ok()
                    .and_then(|(e, _)| e.response.request_id)
            }),
        ));
    }

    // ---- scaling --------------------------------------------------------------------------------
    let sizes: &[usize] = &[0, 64, 1 << 10, 16 << 10, 256 << 10, 1 << 20, 10 << 20];
    let big = big.as_slice();
    for &n in sizes {
        let body = &big[..n];
        let label = if n >= 1 << 20 {
            format!("{}MB", n >> 20)
        } else if n >= 1 << 10 {
            format!("{}KB", n >> 10)
        } else {
            format!("{n}B")
        };
        let (cred, key, common) = (&cred, &key, &common);
        cases.push(Case::new(
            "scaling",
            format!("tc3_cached/{label}"),
            Some(n as u64),
            batch(move || {
                let r = Request::new_post(host, content_type, body);
                v3::sign(cred, key, common, &r)
                    .expect("sign")
                    .signature()
                    .as_bytes()[0]
            }),
        ));
        cases.push(Case::new(
            "scaling",
            format!("sha256/{label}"),
            Some(n as u64),
            batch(move || Sha256::digest(body)),
        ));
    }
    for (label, d) in &parse_big {
        let d = d.as_bytes();
        cases.push(Case::new(
            "scaling",
            format!("parse/{label}"),
            Some(d.len() as u64),
            batch(move || tc3::envelope::parse(d).expect("parse").body.len()),
        ));
    }

    // Profiling hook: `TC3_BENCH_ONLY=group/case TC3_BENCH_ITERS=n` runs one case and exits
    // (e.g. under `valgrind --tool=callgrind`).
    if let Ok(only) = std::env::var("TC3_BENCH_ONLY") {
        let iters: u64 = std::env::var("TC3_BENCH_ITERS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(10_000);
        let c = cases
            .iter_mut()
            .find(|c| format!("{}/{}", c.group, c.name) == only)
            .unwrap_or_else(|| panic!("no case {only}"));
        (c.run)(iters);
        return;
    }

    // ---- run ------------------------------------------------------------------------------------
    let mut crit = Criterion::default().configure_from_args();
    crit = if quick {
        crit.warm_up_time(Duration::from_millis(30))
            .measurement_time(Duration::from_millis(100))
            .sample_size(10)
            .nresamples(1000)
            .without_plots()
    } else {
        crit.warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2))
            .sample_size(50)
    };
    let skip_criterion = std::env::var_os("TC3_BENCH_NO_CRITERION").is_some();
    if !skip_criterion {
        for c in cases.iter_mut() {
            criterion_run(&mut crit, c);
        }
    }

    // Short batches, many rounds: on a loaded machine a short batch often runs within one
    // scheduler slice, so the fastest batch is close to the quiet-machine figure.
    let (batch_t, rounds) = if quick {
        (Duration::from_millis(1), 9)
    } else {
        (Duration::from_millis(2), 41)
    };
    let groups: Vec<&'static str> = {
        let mut g: Vec<_> = cases.iter().map(|c| c.group).collect();
        g.dedup();
        g
    };
    for g in groups {
        let start = cases.iter().position(|c| c.group == g).expect("group");
        let end = cases[start..]
            .iter()
            .position(|c| c.group != g)
            .map_or(cases.len(), |e| e + start);
        measure(&mut cases[start..end], batch_t, rounds);
    }
    for c in cases.iter_mut() {
        count_allocs(c);
    }

    // ---- report ---------------------------------------------------------------------------------
    println!();
    println!(
        "== figures (fastest and median of {rounds} interleaved batches of ~{} ms; quick={quick})",
        batch_t.as_millis()
    );
    println!(
        "{:<10} {:<34} {:>14} {:>14} {:>9} {:>10} {:>10}",
        "group", "case", "ns/op (min)", "ns/op (med)", "MB/s", "allocs/op", "bytes/op"
    );
    for c in &cases {
        let mbs = c
            .bytes
            .filter(|&b| b > 0)
            .map(|b| format!("{:.0}", b as f64 / c.ns * 1e3))
            .unwrap_or_default();
        println!(
            "{:<10} {:<34} {:>14.1} {:>14.1} {:>9} {:>10.2} {:>10.0}",
            c.group, c.name, c.ns, c.median, mbs, c.allocs, c.alloc_bytes
        );
    }

    let cached = ns(&cases, "sign_v3", "tc3_cached");
    let derive = ns(&cases, "sign_v3", "tc3_derive");
    let fl = ns(&cases, "sign_v3", "floor");
    let fld = ns(&cases, "sign_v3", "floor_derive");
    let templ = ns(&cases, "sign_v3", "tc3_template");
    let mut rows: Vec<(String, f64, String)> = vec![
        ("tc3 cached / floor".into(), cached / fl, "<= 1.15".into()),
        ("tc3 template / floor".into(), templ / fl, "<= 1.15".into()),
        (
            "tc3 cached / tc3 template".into(),
            cached / templ,
            "".into(),
        ),
        ("tc3 derive / floor_derive".into(), derive / fld, "".into()),
        (
            "template prototype / floor".into(),
            ns(&cases, "sign_v3", "template_prototype") / fl,
            "".into(),
        ),
        (
            "tencentcloud-sign-sdk / template prototype".into(),
            ns(&cases, "sign_v3", "tencentcloud_sign_sdk")
                / ns(&cases, "sign_v3", "template_prototype"),
            "".into(),
        ),
        (
            "aws-sigv4 / template prototype".into(),
            ns(&cases, "sign_v3", "aws_sigv4") / ns(&cases, "sign_v3", "template_prototype"),
            "".into(),
        ),
        (
            "aws-sigv4 / tc3 cached".into(),
            ns(&cases, "sign_v3", "aws_sigv4") / cached,
            ">= 10".into(),
        ),
        (
            "aws-sigv4 / tc3 template".into(),
            ns(&cases, "sign_v3", "aws_sigv4") / templ,
            ">= 10".into(),
        ),
        (
            "aws-sigv4 / tc3 derive".into(),
            ns(&cases, "sign_v3", "aws_sigv4") / derive,
            "".into(),
        ),
        (
            "tencentcloud-sign-sdk / tc3 cached".into(),
            ns(&cases, "sign_v3", "tencentcloud_sign_sdk") / cached,
            ">= 5".into(),
        ),
        (
            "tencentcloud-sign-sdk / tc3 template".into(),
            ns(&cases, "sign_v3", "tencentcloud_sign_sdk") / templ,
            ">= 5".into(),
        ),
        (
            "tencentcloud-sign-sdk / tc3 derive".into(),
            ns(&cases, "sign_v3", "tencentcloud_sign_sdk") / derive,
            "".into(),
        ),
        (
            "hand-written / tc3 cached".into(),
            ns(&cases, "sign_v3", "handwritten") / cached,
            "".into(),
        ),
        (
            "hand-written / tc3 derive".into(),
            ns(&cases, "sign_v3", "handwritten") / derive,
            "".into(),
        ),
    ];
    rows.push((
        "tc3 verify / sign (cached keys)".into(),
        ns(&cases, "sign_v3", "tc3_verify_cached") / cached,
        "<= 1.2".into(),
    ));
    rows.push((
        "tc3 verify / sign (deriving)".into(),
        ns(&cases, "sign_v3", "tc3_verify_derive") / derive,
        "<= 1.2".into(),
    ));
    for l in &legacy {
        rows.push((
            format!("{} / floor", l.label),
            ns(&cases, "sign_v1", l.label) / ns(&cases, "sign_v1", &format!("{}_floor", l.label)),
            "".into(),
        ));
    }
    for (n, _) in &parse_docs {
        let t = ns(&cases, "parse", &format!("{n}/tc3"));
        rows.push((
            format!("serde_json / tc3 parse ({n})"),
            ns(&cases, "parse", &format!("{n}/serde_json")) / t,
            ">= 1.5".into(),
        ));
        rows.push((
            format!("serde_json+from_utf8 / tc3 parse ({n})"),
            ns(&cases, "parse", &format!("{n}/serde_json_utf8")) / t,
            "".into(),
        ));
        rows.push((
            format!("serde_json+RawValue / tc3 parse ({n})"),
            ns(&cases, "parse", &format!("{n}/serde_json_raw")) / t,
            "".into(),
        ));
        rows.push((
            format!("serde-json-core / tc3 parse ({n})"),
            ns(&cases, "parse", &format!("{n}/serde_json_core")) / t,
            ">= 2".into(),
        ));
    }
    let big_tc3 = ns(&cases, "scaling", "tc3_cached/10MB");
    let big_sha = ns(&cases, "scaling", "sha256/10MB");
    rows.push((
        "tc3 cached / sha256 (10 MB payload)".into(),
        big_tc3 / big_sha,
        "~1.0".into(),
    ));

    println!();
    println!("== ratios (same run, fastest batches)");
    println!("{:<44} {:>9}  {:<8}", "ratio", "value", "target");
    for (name, v, target) in &rows {
        let verdict = target_met(*v, target);
        println!("{name:<44} {v:>9.2}  {target:<8} {verdict}");
    }
    println!();
    println!("== allocations per operation");
    for name in [
        "tc3_cached",
        "tc3_derive",
        "tc3_template",
        "template_prototype",
        "handwritten",
        "tencentcloud_sign_sdk",
        "aws_sigv4",
        "tc3_verify_cached",
        "tc3_verify_derive",
    ] {
        let c = find(&cases, "sign_v3", name);
        println!(
            "{name:<24} {:>7.2} allocs/op {:>8.0} bytes/op",
            c.allocs, c.alloc_bytes
        );
    }
    for l in &legacy {
        let c = find(&cases, "sign_v1", l.label);
        println!(
            "tc3 {:<20} {:>7.2} allocs/op {:>8.0} bytes/op",
            l.label, c.allocs, c.alloc_bytes
        );
    }
    for (n, _) in &parse_docs {
        for p in [
            "tc3",
            "serde_json",
            "serde_json_utf8",
            "serde_json_raw",
            "serde_json_core",
        ] {
            let c = find(&cases, "parse", &format!("{n}/{p}"));
            println!(
                "parse {n:<11} {p:<16} {:>7.2} allocs/op {:>8.0} bytes/op",
                c.allocs, c.alloc_bytes
            );
        }
    }
    println!();
    println!(
        "SHA-NI: cpu {} (sha2 selects it at run time through cpufeatures); 10 MB: tc3 {:.0} MB/s, sha2 {:.0} MB/s",
        if sha_ni() { "has sha_ni" } else { "has NO sha_ni" },
        (10u64 << 20) as f64 / big_tc3 * 1e3,
        (10u64 << 20) as f64 / big_sha * 1e3,
    );
    let _ = SystemTime::now();
}

fn target_met(v: f64, target: &str) -> &'static str {
    if let Some(t) = target.strip_prefix("<= ") {
        let t: f64 = t.parse().unwrap_or(f64::NAN);
        if v <= t {
            "met"
        } else {
            "MISSED"
        }
    } else if let Some(t) = target.strip_prefix(">= ") {
        let t: f64 = t.parse().unwrap_or(f64::NAN);
        if v >= t {
            "met"
        } else {
            "MISSED"
        }
    } else {
        ""
    }
}

fn sha_ni() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("sha")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}
