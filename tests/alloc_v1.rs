//! The no_std legacy path allocates nothing: 1,000 signatures (HmacSHA1 and HmacSHA256, GET
//! query and POST body into caller buffers), flattening included, under a counting allocator.

#[path = "support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::{assert_counter_works, count, Counting};

#[global_allocator]
static GLOBAL: Counting = Counting;

use tc3::params;
use tc3::v1::{self, Common, SignatureMethod};
use tc3::{SecretId, SecretKey};

#[test]
fn thousand_legacy_signatures_allocate_nothing() {
    let key = SecretKey::new("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE").unwrap();
    let id = SecretId::new("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE").unwrap();
    let body = br#"{"Filters":[{"Name":"instance-name","Values":["\u672a\u547d\u540d x"]}],"Limit":5,"Weird_Key":"a_b"}"#;
    let mut sigs = [[0u8; 44]; 4];
    let ((), n) = count(|| {
        for i in 0..1000u64 {
            let sm = if i % 2 == 0 {
                SignatureMethod::HmacSha1
            } else {
                SignatureMethod::HmacSha256
            };
            let method = if i % 4 < 2 { "GET" } else { "POST" };
            let mut common = Common::new(
                "DescribeInstances",
                "2017-03-12",
                1465185768 + i,
                424242 + i,
                id,
            );
            common.signature_method = Some(sm);
            common.region = Some("ap-guangzhou");
            common.language = Some("zh-CN");
            common.request_client = Some("SDK_RUST_0.1.0");
            let mut arena = [0u8; 512];
            let mut pairs: heapless::Vec<(&str, &str), 32> = heapless::Vec::new();
            params::flatten_json(body, &mut arena, &mut pairs).unwrap();
            common.add_to(&mut pairs).unwrap();
            let mut out = [0u8; 1024];
            let sig = v1::sign(
                &v1::Request::get("cvm.tencentcloudapi.com").with_method(method),
                &mut pairs,
                &key,
            )
            .unwrap();
            let mut w = tc3::BufWriter::new(&mut out);
            v1::write_request(&pairs, &sig, &mut w);
            let wire = w.finish_str().unwrap();
            assert!(wire.len() > 300);
            let slot = &mut sigs[(i % 4) as usize];
            slot[..sig.as_bytes().len()].copy_from_slice(sig.as_bytes());
        }
    });
    assert_eq!(n, 0, "allocations on the no_std legacy path");
    assert_counter_works();
    println!("allocations for 1000 legacy signatures: {n}");
}
