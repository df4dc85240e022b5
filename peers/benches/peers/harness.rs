//! Cases and their measurement: criterion, interleaved calibrated batches (fastest and median),
//! allocations per operation through the shared counting allocator.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};

use crate::counting_alloc;

/// `TC3_BENCH_QUICK=1`: short criterion runs and short timing loops (CI).
pub fn quick() -> bool {
    std::env::var_os("TC3_BENCH_QUICK").is_some_and(|v| v != "0" && !v.is_empty())
}

pub type Run<'a> = Box<dyn FnMut(u64) + 'a>;

/// Turns one operation into a batch runner (`n` iterations, results through black_box).
pub fn batch<'a, R, F: FnMut() -> R + 'a>(mut f: F) -> Run<'a> {
    Box::new(move |n| {
        for _ in 0..n {
            black_box(f());
        }
    })
}

pub struct Case<'a> {
    pub group: &'static str,
    pub name: String,
    pub bytes: Option<u64>,
    pub run: Run<'a>,
    iters: u64,
    samples: Vec<f64>,
    /// Fastest batch (ns/op): the least disturbed by other processes; used for ratios.
    pub ns: f64,
    /// Median batch (ns/op).
    pub median: f64,
    pub allocs: f64,
}

impl<'a> Case<'a> {
    pub fn new(
        group: &'static str,
        name: impl Into<String>,
        bytes: Option<u64>,
        run: Run<'a>,
    ) -> Self {
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
        }
    }

    /// Throughput of the fastest batch in MiB/s (cases with a byte count).
    pub fn mib_s(&self) -> Option<f64> {
        self.bytes
            .filter(|&b| b > 0)
            .map(|b| b as f64 / self.ns * 1e9 / (1024.0 * 1024.0))
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
pub fn measure(cases: &mut [Case<'_>], batch_time: Duration, rounds: usize) {
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

/// Runs every group's cases interleaved (see [`measure`]).
pub fn measure_groups(cases: &mut [Case<'_>], batch_time: Duration, rounds: usize) {
    let mut start = 0;
    while start < cases.len() {
        let g = cases[start].group;
        let end = cases[start..]
            .iter()
            .position(|c| c.group != g)
            .map_or(cases.len(), |e| e + start);
        measure(&mut cases[start..end], batch_time, rounds);
        start = end;
    }
}

/// Allocations per operation (the tests' counting allocator: this thread, counting on).
pub fn count_allocs(c: &mut Case<'_>) {
    let n = if c.bytes.is_some_and(|b| b > 100_000) {
        3
    } else {
        100
    };
    (c.run)(1);
    let ((), allocs) = counting_alloc::count(|| (c.run)(n));
    c.allocs = allocs as f64 / n as f64;
}

pub fn criterion_run(crit: &mut Criterion, c: &mut Case<'_>) {
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

pub fn find<'c>(cases: &'c [Case<'_>], group: &str, name: &str) -> &'c Case<'c> {
    cases
        .iter()
        .find(|c| c.group == group && c.name == name)
        .unwrap_or_else(|| panic!("no case {group}/{name}"))
}

/// Fastest ns/op of a case.
pub fn ns(cases: &[Case<'_>], group: &str, name: &str) -> f64 {
    find(cases, group, name).ns
}
