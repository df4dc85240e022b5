//! tc3 against its peers, side by side, in one run: `cargo bench -p tc3-peers --bench peers`.
//!
//! Every case runs in the same process:
//! 1. under criterion (reports in `target/criterion/`),
//! 2. in calibrated batches, all cases of a group interleaved round by round (fastest and
//!    median batch), which gives the figures of the ratio table,
//! 3. under the tests' counting allocator (allocations per operation).
//!
//! One idea per file: [`sign`] (TC3 signers, verification, the floor), [`legacy`] (v1),
//! [`envelope`] (parsers) over the documents of [`data`], [`floor`] (bare SHA compression),
//! [`handwritten`] and [`streaming`] (reference signers), [`harness`] (measurement), [`report`].
//!
//! `TC3_BENCH_QUICK=1` shortens everything (CI); `TC3_BENCH_NO_CRITERION=1` skips criterion;
//! `TC3_BENCH_ONLY=<group>/<case> TC3_BENCH_ITERS=<n>` runs one case and exits (profiling).
//! The method and the figures are in `docs/perf.md`.

#[path = "../../../tests/support/counting_alloc.rs"]
mod counting_alloc;
mod data;
mod envelope;
mod floor;
mod handwritten;
mod harness;
mod legacy;
mod report;
mod sign;
mod streaming;

use std::time::Duration;

use criterion::Criterion;
use serde_json::Value;

use harness::{criterion_run, measure_groups, Case};

#[global_allocator]
static GLOBAL: counting_alloc::Counting = counting_alloc::Counting;

fn main() {
    counting_alloc::assert_counter_works();
    let quick = harness::quick();
    let doc: Value =
        serde_json::from_str(&data::test_data("vectors/doc-examples.json")).expect("json");

    let mut cases: Vec<Case<'static>> = sign::cases(&doc);
    let (legacy_cases, legacy) = legacy::cases(&doc);
    cases.extend(legacy_cases);
    let (parse_cases, docs) = envelope::cases();
    cases.extend(parse_cases);
    cases.extend(sign::scaling(&doc));
    cases.extend(envelope::scaling());

    // Profiling hook: one case, `TC3_BENCH_ITERS` times (e.g. under valgrind --tool=callgrind).
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

    let crit = Criterion::default().configure_from_args();
    let mut crit = if quick {
        crit.warm_up_time(Duration::from_millis(20))
            .measurement_time(Duration::from_millis(60))
            .sample_size(10)
            .nresamples(1000)
            .without_plots()
    } else {
        crit.warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2))
            .sample_size(50)
    };
    if std::env::var_os("TC3_BENCH_NO_CRITERION").is_none() {
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
    measure_groups(&mut cases, batch_t, rounds);
    for c in cases.iter_mut() {
        harness::count_allocs(c);
    }

    report::cases_table(&cases, rounds, batch_t.as_millis(), quick);
    report::throughput(&cases, &docs);
    report::ratios(&cases, &legacy, &docs);
    report::allocations(&cases);
    let mib = |n: &str| {
        harness::find(&cases, "scaling", n)
            .mib_s()
            .unwrap_or(f64::NAN)
    };
    println!();
    println!(
        "SHA-NI: cpu {} (sha2 selects it at run time through cpufeatures); 10 MiB: tc3 {:.0} MiB/s, sha2 {:.0} MiB/s",
        if report::sha_ni() { "has sha_ni" } else { "has NO sha_ni" },
        mib("tc3_cached/10MB"),
        mib("sha256/10MB"),
    );
}
