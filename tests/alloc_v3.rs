//! Signing with a cached key allocates nothing: a counting global allocator (this test binary
//! only) sees 0 allocations while 1,000 requests are signed.

use tc3::v3::{sign, Common, Payload, Request, SigningKey, Template};
use tc3::{Credential, Date};

#[path = "support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::{assert_counter_works, count, Counting};

#[global_allocator]
static GLOBAL: Counting = Counting;

const BODY: &[u8] =
    br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;

#[test]
fn signing_with_cached_key_allocates_nothing() {
    let cred = Credential::new(
        "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
    )
    .unwrap()
    .with_token("tok123")
    .unwrap();
    let key = SigningKey::derive(&cred.key, Date::from_unix(1551113065).unwrap(), "cvm").unwrap();
    let post = Request::new_post(
        "cvm.tencentcloudapi.com",
        "application/json; charset=utf-8",
        BODY,
    );
    let get = Request::new_get(
        "cvm.tencentcloudapi.com",
        "Filters.0.Name=instance-name&Filters.0.Values.0=%E6%9C%AA%E5%91%BD%E5%90%8D&Limit=1",
    );
    let mut unsigned = post;
    unsigned.payload = Payload::Unsigned;
    let extras = [("X-TC-Action", "DescribeInstances")];
    let mut with_extra = post;
    with_extra.extra_signed_headers = &extras;
    let mut common = Common::new("cvm", "DescribeInstances", "2017-03-12", 1551113065)
        .with_region("ap-guangzhou");
    common.language = Some("en-US");

    let mut check = 0u32;
    let ((), during) = count(|| {
        for i in 0..1000u64 {
            common.timestamp = 1551113065 + (i % 100);
            let req = match i % 4 {
                0 => &post,
                1 => &get,
                2 => &unsigned,
                _ => &with_extra,
            };
            let signed = sign(&cred, &key, &common, req).unwrap();
            check = check.wrapping_add(u32::from(signed.signature().as_bytes()[0]));
            check = check.wrapping_add(signed.headers().map(|(_, v)| v.len() as u32).sum::<u32>());
            if i == 0 {
                assert!(signed.signature().ct_eq_hex(
                    b"72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
                ));
            }
        }
    });
    println!(
        "allocations while signing 1000 requests with a cached key: {during} (checksum {check})"
    );
    assert_eq!(during, 0);

    assert_counter_works();
}

#[test]
fn signing_with_a_template_allocates_nothing() {
    let cred = Credential::new(
        "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
    )
    .unwrap()
    .with_token("tok123")
    .unwrap();
    let key = SigningKey::derive(&cred.key, Date::from_unix(1551113065).unwrap(), "cvm").unwrap();
    let extras = [("X-TC-Action", "DescribeInstances")];
    let mut with_extra = Request::new_post(
        "cvm.tencentcloudapi.com",
        "application/json; charset=utf-8",
        b"",
    );
    with_extra.extra_signed_headers = &extras;
    let mut common = Common::new("cvm", "DescribeInstances", "2017-03-12", 1551113065)
        .with_region("ap-guangzhou");
    common.language = Some("en-US");
    let queries = [
        "Filters.0.Name=instance-name&Filters.0.Values.0=%E6%9C%AA%E5%91%BD%E5%90%8D&Limit=1",
        "Limit=2",
    ];

    let mut check = 0u32;
    let ((), during) = count(|| {
        let post = Template::new(&Request::new_post(
            "cvm.tencentcloudapi.com",
            "application/json; charset=utf-8",
            b"",
        ))
        .unwrap();
        let get = Template::new(&Request::new_get("cvm.tencentcloudapi.com", "")).unwrap();
        let extra = Template::new(&with_extra).unwrap();
        for i in 0..1000u64 {
            common.timestamp = 1551113065 + (i % 100);
            let signed = match i % 4 {
                0 => post.sign(&cred, &key, &common, Payload::Bytes(BODY)),
                1 => get.sign_query(&cred, &key, &common, queries[0], Payload::Bytes(b"")),
                2 => post.sign(&cred, &key, &common, Payload::Unsigned),
                _ => extra.sign(&cred, &key, &common, Payload::Bytes(BODY)),
            }
            .unwrap();
            check = check.wrapping_add(u32::from(signed.signature().as_bytes()[0]));
            check = check.wrapping_add(signed.headers().map(|(_, v)| v.len() as u32).sum::<u32>());
            if i == 0 {
                assert!(signed.signature().ct_eq_hex(
                    b"72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
                ));
            }
            if i == 1 {
                // the doc's GET example signs the same as `v3::sign` with the whole request
                let want = sign(
                    &cred,
                    &key,
                    &common,
                    &Request::new_get("cvm.tencentcloudapi.com", queries[0]),
                )
                .unwrap();
                assert_eq!(signed.authorization(), want.authorization());
            }
        }
        let _ = get.sign_query(&cred, &key, &common, queries[1], Payload::Bytes(b""));
    });
    println!(
        "allocations while preparing 3 templates and signing 1000 requests: {during} (checksum {check})"
    );
    assert_eq!(during, 0);

    assert_counter_works();
}
