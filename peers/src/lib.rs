//! An unpublished crate that holds the side-by-side benchmark `benches/peers/` (one idea per file): `tc3` against
//! the SHA-256 floor, aws-sigv4, tencentcloud-sign-sdk and serde_json, in one run.
//!
//! Run it with `cargo bench -p tc3-peers --bench peers` (quick mode: `TC3_BENCH_QUICK=1`). It
//! lives in its own crate so that `cargo test` and the examples of `tc3` never compile the peers.
