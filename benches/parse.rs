//! Envelope parsing throughput: tc3 vs serde_json vs serde-json-core on the same bytes.
//!
//! `cargo bench --bench parse` (set `TC3_BENCH_QUICK=1` for a short run). Prints the
//! throughput ratios at the end, and the time for a 64 MiB body.

#[path = "../tests/support/data.rs"]
mod data;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use serde::Deserialize;
use serde_json::value::RawValue;

/// serde_json, one pass: the raw `Response` object (the whole document validated).
#[derive(Deserialize)]
struct SjRaw<'a> {
    #[serde(borrow, rename = "Response")]
    response: &'a RawValue,
}

/// serde_json / serde-json-core, one pass: borrowed `RequestId` and `Error`.
#[derive(Deserialize)]
struct Top<'a> {
    #[serde(borrow, rename = "Response")]
    response: Resp<'a>,
}

#[derive(Deserialize)]
struct Resp<'a> {
    #[serde(borrow, rename = "RequestId", default)]
    request_id: Option<&'a str>,
    #[serde(borrow, rename = "Error", default)]
    error: Option<ErrObj<'a>>,
}

#[derive(Deserialize)]
struct ErrObj<'a> {
    #[serde(borrow, rename = "Code")]
    code: &'a str,
    #[serde(borrow, rename = "Message", default)]
    message: Option<&'a str>,
}

fn tc3_parse(doc: &[u8]) -> usize {
    let env = tc3::envelope::parse(doc).unwrap();
    env.body.len()
        + env.request_id.map_or(0, |s| s.raw().len())
        + env.error.map_or(0, |e| {
            e.code.raw().len() + e.message.map_or(0, |m| m.raw().len())
        })
}

fn sj_raw(doc: &[u8]) -> usize {
    let t: SjRaw = serde_json::from_slice(doc).unwrap();
    t.response.get().len()
}

fn sj_fields(doc: &[u8]) -> usize {
    let t: Top = serde_json::from_slice(doc).unwrap();
    fields(&t)
}

fn sjc_fields(doc: &[u8]) -> usize {
    let (t, _): (Top, usize) = serde_json_core::from_slice(doc).unwrap();
    fields(&t)
}

fn fields(t: &Top) -> usize {
    t.response.request_id.map_or(0, str::len)
        + t.response
            .error
            .as_ref()
            .map_or(0, |e| e.code.len() + e.message.map_or(0, str::len))
}

type Parser = (&'static str, fn(&[u8]) -> usize);

const PARSERS: &[Parser] = &[
    ("tc3", tc3_parse),
    ("serde_json_raw", sj_raw),
    ("serde_json_fields", sj_fields),
    ("serde_json_core", sjc_fields),
];

fn inputs() -> Vec<(&'static str, Vec<u8>)> {
    // The documented failure example (docs/protocol-responses.md §3.1): 214 bytes.
    let error = br#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"The provided credentials could not be validated. Please check your signature is correct."},"RequestId":"ed93f3cb-f35e-473f-b9f3-0d451b8b79c6"}}"#.to_vec();
    assert_eq!(error.len(), 214);
    // A real list response from the tccli corpus, minified.
    let corpus = data::tccli_corpus();
    let rec: serde_json::Value = corpus
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["name"] == "cis/v20180408/ListContainerInstance#0")
        .unwrap();
    let doc: serde_json::Value = serde_json::from_str(rec["body"].as_str().unwrap()).unwrap();
    let list = serde_json::to_vec(&doc).unwrap();
    // ~1 MB: the same response with its list items repeated.
    let items = doc["Response"]["ContainerInstanceList"].as_array().unwrap();
    let mut big = doc.clone();
    let mut many = Vec::new();
    let mut len = 0;
    while len < 1 << 20 {
        for it in items {
            len += serde_json::to_vec(it).unwrap().len() + 1;
            many.push(it.clone());
        }
    }
    big["Response"]["ContainerInstanceList"] = serde_json::Value::Array(many);
    let big = serde_json::to_vec(&big).unwrap();
    vec![
        ("error_214B", error),
        ("list_2KB", list),
        ("response_1MB", big),
    ]
}

/// Bytes per second of each parser on `doc`: interleaved rounds of ~2 ms batches, best batch
/// per parser, so that load from other processes affects all parsers alike.
fn throughputs(doc: &[u8], budget: Duration) -> Vec<f64> {
    let iters: Vec<u64> = PARSERS
        .iter()
        .map(|(_, f)| {
            let t = Instant::now();
            let mut n = 0u64;
            while t.elapsed() < Duration::from_millis(2) {
                black_box(f(black_box(doc)));
                n += 1;
            }
            n.max(1)
        })
        .collect();
    let mut best = vec![f64::MAX; PARSERS.len()];
    let start = Instant::now();
    while start.elapsed() < budget {
        for (i, (_, f)) in PARSERS.iter().enumerate() {
            let t = Instant::now();
            for _ in 0..iters[i] {
                black_box(f(black_box(doc)));
            }
            best[i] = best[i].min(t.elapsed().as_secs_f64() / iters[i] as f64);
        }
    }
    best.iter().map(|b| doc.len() as f64 / b).collect()
}

fn main() {
    let quick = std::env::var_os("TC3_BENCH_QUICK").is_some();
    let mut c = Criterion::default().configure_from_args();
    if quick {
        c = c
            .warm_up_time(Duration::from_millis(200))
            .measurement_time(Duration::from_millis(500))
            .sample_size(10);
    }
    let inputs = inputs();
    for (name, doc) in &inputs {
        let mut g = c.benchmark_group(format!("parse/{name}"));
        g.throughput(Throughput::Bytes(doc.len() as u64));
        for (p, f) in PARSERS {
            g.bench_with_input(BenchmarkId::from_parameter(p), doc, |b, d| {
                b.iter(|| f(black_box(d)))
            });
        }
        g.finish();
    }
    c.final_summary();
    if std::env::var_os("TC3_BENCH_NO_RATIOS").is_some() {
        return;
    }

    // Ratios (interleaved best-of batches, same bytes).
    let budget = Duration::from_millis(if quick { 1500 } else { 5000 });
    println!("\nthroughput (MB/s) and tc3 ratios:");
    for (name, doc) in &inputs {
        let t = throughputs(doc, budget);
        print!("{name:>13} ({} B):", doc.len());
        for ((p, _), v) in PARSERS.iter().zip(&t) {
            print!("  {p} {:.0}", v / 1e6);
        }
        println!();
        println!(
            "{:>13}  tc3/serde_json_raw {:.2}x  tc3/serde_json_fields {:.2}x  tc3/serde_json_core {:.2}x",
            "",
            t[0] / t[1],
            t[0] / t[2],
            t[0] / t[3]
        );
    }

    // Linear time: a 64 MiB body of strings.
    let mut doc = br#"{"Response":{"Items":["#.to_vec();
    let item = br#""aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ\n\u00e9\"x\"","#;
    while doc.len() < 64 << 20 {
        doc.extend_from_slice(item);
    }
    doc.extend_from_slice(br#""end"],"RequestId":"big"}}"#);
    let t = Instant::now();
    black_box(tc3_parse(black_box(&doc)));
    println!(
        "64 MiB body ({} bytes): tc3 parse {:?}",
        doc.len(),
        t.elapsed()
    );
}
