//! The report: every case, throughput per document and parser, the ratio table of issue 15
//! with its targets (each marked met or missed), allocations per operation.

use crate::envelope::PARSERS;
use crate::harness::{find, ns, Case};

/// A ratio row: name, value, target (`<= x`, `>= x` or empty for information).
type Row = (String, f64, &'static str);

pub fn cases_table(cases: &[Case<'_>], rounds: usize, batch_ms: u128, quick: bool) {
    println!();
    println!(
        "== figures (fastest and median of {rounds} interleaved batches of ~{batch_ms} ms; quick={quick})"
    );
    println!(
        "{:<10} {:<34} {:>14} {:>14} {:>9} {:>10}",
        "group", "case", "ns/op (min)", "ns/op (med)", "MiB/s", "allocs/op"
    );
    for c in cases {
        let mib = c.mib_s().map(|m| format!("{m:.0}")).unwrap_or_default();
        println!(
            "{:<10} {:<34} {:>14.1} {:>14.1} {:>9} {:>10.2}",
            c.group, c.name, c.ns, c.median, mib, c.allocs
        );
    }
}

/// MiB/s (fastest batch) of every parser on every document.
pub fn throughput(cases: &[Case<'_>], docs: &[&str]) {
    println!();
    println!("== envelope throughput, MiB/s (fastest batch)");
    print!("{:<12} {:>9}", "document", "bytes");
    for p in PARSERS {
        print!(" {p:>16}");
    }
    println!();
    for d in docs {
        let bytes = find(cases, "parse", &format!("{d}/tc3")).bytes.unwrap_or(0);
        print!("{d:<12} {bytes:>9}");
        for p in PARSERS {
            let m = find(cases, "parse", &format!("{d}/{p}")).mib_s();
            print!(" {:>16.0}", m.unwrap_or(f64::NAN));
        }
        println!();
    }
}

/// Where `docs/perf.md` explains, with a profile, why a target row may be missed.
fn profile_of(row: &str) -> &'static str {
    if row.starts_with("verify") {
        "docs/perf.md, \"Round 4 — verify\" (where the instructions go)"
    } else if row.starts_with("v3::Template::sign / floor") {
        "docs/perf.md, round 3, \"Why the two misses (profiles)\""
    } else if row.starts_with("serde_json") {
        "docs/perf.md, \"Round 4 — the scanner\", \"What is left\""
    } else {
        // the rows against a peer or the floor: the signer's profile and the runs' spread
        "docs/perf.md, \"Round 4 — the lead's runs\" and round 3, \"Why the two misses\""
    }
}

pub fn ratios(cases: &[Case<'_>], legacy: &[&str], docs: &[&str]) {
    let v3 = |n: &str| ns(cases, "sign_v3", n);
    let (cached, derive, templ) = (v3("tc3_cached"), v3("tc3_derive"), v3("tc3_template"));
    let (fl, fld) = (v3("floor"), v3("floor_derive"));
    let mut rows: Vec<Row> = vec![
        (
            "aws-sigv4 / v3::sign (cached key)".into(),
            v3("aws_sigv4") / cached,
            ">= 10",
        ),
        (
            "tencentcloud-sign-sdk / v3::sign".into(),
            v3("tencentcloud_sign_sdk") / cached,
            ">= 5",
        ),
        ("v3::Template::sign / floor".into(), templ / fl, "<= 1.5"),
        ("v3::sign / floor".into(), cached / fl, "<= 2.0"),
        (
            "v3::sign / v3::Template::sign".into(),
            cached / templ,
            "<= 1.15",
        ),
        (
            "verify (key cache) / sign (cached key)".into(),
            v3("tc3_verify_cached") / cached,
            "<= 1.3",
        ),
    ];
    for d in docs {
        let t = ns(cases, "parse", &format!("{d}/tc3"));
        let p = |n: &str| ns(cases, "parse", &format!("{d}/{n}")) / t;
        rows.push((
            format!("serde_json from_utf8+from_str / parse ({d})"),
            p("serde_json_utf8"),
            ">= 1.5",
        ));
        rows.push((
            format!("serde_json from_slice / parse ({d})"),
            p("serde_json"),
            ">= 1.0",
        ));
    }
    // Information (no target).
    rows.push((
        "streaming prototype / floor".into(),
        v3("streaming_prototype") / fl,
        "",
    ));
    rows.push((
        "floor_sha2_api / floor".into(),
        v3("floor_sha2_api") / fl,
        "",
    ));
    rows.push(("v3::sign_fresh / floor_derive".into(), derive / fld, ""));
    rows.push((
        "verify (deriving) / sign_fresh".into(),
        v3("tc3_verify_derive") / derive,
        "",
    ));
    rows.push((
        "aws-sigv4 / v3::Template::sign".into(),
        v3("aws_sigv4") / templ,
        "",
    ));
    rows.push((
        "hand-written / v3::sign".into(),
        v3("handwritten") / cached,
        "",
    ));
    for l in legacy {
        rows.push((
            format!("{l} / floor"),
            ns(cases, "sign_v1", l) / ns(cases, "sign_v1", &format!("{l}_floor")),
            "",
        ));
    }
    for d in docs {
        let t = ns(cases, "parse", &format!("{d}/tc3"));
        rows.push((
            format!("serde_json RawValue / parse ({d})"),
            ns(cases, "parse", &format!("{d}/serde_json_raw")) / t,
            "",
        ));
        rows.push((
            format!("serde-json-core / parse ({d})"),
            ns(cases, "parse", &format!("{d}/serde_json_core")) / t,
            "",
        ));
    }
    rows.push((
        "v3::sign / sha256 (10 MiB payload)".into(),
        ns(cases, "scaling", "tc3_cached/10MB") / ns(cases, "scaling", "sha256/10MB"),
        "",
    ));

    println!();
    println!("== ratios (same run, fastest batches; targets of issue 15)");
    println!("{:<52} {:>8}  {:<8}", "ratio", "value", "target");
    let (mut met, mut missed) = (0, 0);
    for (name, v, target) in &rows {
        let verdict = verdict(*v, target);
        match verdict {
            "met" => met += 1,
            "MISSED" => missed += 1,
            _ => {}
        }
        if verdict == "MISSED" {
            println!(
                "{name:<52} {v:>8.2}  {target:<8} {verdict} (profile: {})",
                profile_of(name)
            );
        } else {
            println!("{name:<52} {v:>8.2}  {target:<8} {verdict}");
        }
    }
    println!("targets: {met} met, {missed} missed");
}

pub fn allocations(cases: &[Case<'_>]) {
    println!();
    println!("== allocations per operation");
    for c in cases.iter().filter(|c| c.group != "scaling") {
        println!("{:<8} {:<34} {:>7.2}", c.group, c.name, c.allocs);
    }
}

fn verdict(v: f64, target: &str) -> &'static str {
    let (le, t) = match target.split_once(' ') {
        Some(("<=", t)) => (true, t),
        Some((">=", t)) => (false, t),
        _ => return "",
    };
    let t: f64 = t.parse().unwrap_or(f64::NAN);
    if (le && v <= t) || (!le && v >= t) {
        "met"
    } else {
        "MISSED"
    }
}

pub fn sha_ni() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("sha")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}
