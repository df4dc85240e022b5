//! Verifying allocates nothing: a counting global allocator (this test binary only) sees 0
//! allocations while 1,000 SDK captures (TC3 and legacy, GET and POST) are verified — with and
//! without the key cache, accepted and rejected — and `explain` without a trace (its mistake
//! retries included).

mod verify_util;

use tc3::verify::{
    explain, verify, verify_cached, Cause, KeyCache, LegacyScratch, Policy, ReplayWindow, Verified,
    VerifyError,
};
use verify_util::*;

#[path = "support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::{assert_counter_works, count, Counting};

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn verifying_allocates_nothing() {
    // loaded (and header slices built) before counting starts
    let mut caps = load("curated", "python");
    caps.extend(load("random-101", "node"));
    let mut bad = caps[0].clone();
    bad.body.push(b' ');
    let headers: Vec<Vec<(&str, &[u8])>> = caps.iter().map(|c| c.header_pairs()).collect();
    let bad_headers = bad.header_pairs();
    let mut scratch = LegacyScratch::<16384, 256>::new();
    let mut cache = KeyCache::<16>::new();
    let mut replay = ReplayWindow::<64>::new(300);

    assert_counter_works();

    let (mut tc3, mut legacy, mut rejected) = (0, 0, 0);
    let ((), n) = count(|| {
        for i in 0..1000 {
            let k = i % caps.len();
            let c = &caps[k];
            let req = view(c, &headers[k]);
            let keys = provider(c);
            let policy = Policy::at(c.spec_timestamp);
            let r = if i % 2 == 0 {
                verify(&req, &keys, &policy, &mut scratch)
            } else {
                verify_cached(&req, &keys, &policy, &mut cache, &mut scratch)
            };
            match r {
                Ok(Verified::Tc3(_)) => tc3 += 1,
                Ok(Verified::Legacy(l)) => {
                    legacy += 1;
                    let _ = replay.check_and_insert(
                        l.secret_id,
                        l.nonce,
                        l.timestamp,
                        c.spec_timestamp,
                    );
                }
                Err(_) => panic!("{}", c.id),
            }
            if i % 10 == 0 {
                let req = view(&bad, &bad_headers);
                let keys = provider(&bad);
                let e =
                    verify(&req, &keys, &Policy::at(bad.spec_timestamp), &mut scratch).unwrap_err();
                let mut buf = [0u8; 512];
                let mut w = tc3::BufWriter::new(&mut buf);
                e.write_envelope("req-1", &mut w);
                w.finish().unwrap();
                // explain without a trace: the same path plus the mistake retries, still
                // allocation-free
                let x = explain(
                    &req,
                    &keys,
                    &Policy::at(bad.spec_timestamp),
                    &mut scratch,
                    None,
                );
                assert_eq!(x.cause, Cause::Unknown);
                assert_eq!(x.result.unwrap_err(), VerifyError::SignatureMismatch);
                rejected += 1;
            }
        }
    });
    println!("verified {tc3} TC3 + {legacy} legacy, rejected {rejected}: {n} allocations");
    assert_eq!(tc3 + legacy, 1000);
    assert!(tc3 > 300 && legacy > 300);
    assert_eq!(n, 0);
}
