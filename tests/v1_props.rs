//! Property tests: flatten → encode → decode round trip; the signature does not depend on
//! the caller's parameter order.

#[path = "support/vec_sink.rs"]
mod vec_sink;
use proptest::prelude::*;
use tc3::params;
use tc3::v1;
use tc3::SecretKey;
use vec_sink::VecSink;

fn leaf() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        any::<i64>().prop_map(serde_json::Value::from),
        any::<bool>().prop_map(serde_json::Value::from),
        Just(serde_json::Value::Null),
        "\\PC{0,12}".prop_map(serde_json::Value::from),
        "[ -~]{0,8}".prop_map(serde_json::Value::from),
    ]
}

fn value() -> impl Strategy<Value = serde_json::Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map("[A-Za-z][A-Za-z0-9_]{0,6}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn object() -> impl Strategy<Value = serde_json::Value> {
    prop::collection::btree_map("[A-Za-z][A-Za-z0-9_]{0,6}", value(), 0..6)
        .prop_map(|m| serde_json::Value::Object(m.into_iter().collect()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn flatten_encode_decode_round_trip(obj in object()) {
        let text = serde_json::to_string(&obj).unwrap();
        // no_std path over the JSON text
        let mut arena = vec![0u8; 64 * 1024];
        let mut pairs: heapless::Vec<(&str, &str), 512> = heapless::Vec::new();
        params::flatten_json(text.as_bytes(), &mut arena, &mut pairs).unwrap();
        // alloc path over the value gives the same pairs (no floats generated)
        #[cfg(feature = "serde_json")]
        {
            let owned = params::flatten(&obj).unwrap();
            let o: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (&k[..], &v[..])).collect();
            prop_assert_eq!(&o[..], pairs.as_slice());
        }
        let mut sorted = pairs.clone();
        let mut out = vec![0u8; 256 * 1024];
        let mut w = tc3::BufWriter::new(&mut out);
        params::write_sorted_query(&mut sorted, &mut w).unwrap();
        let q = w.finish_str().unwrap();
        let decoded: Vec<(String, String)> = form_urlencoded::parse(q.as_bytes()).into_owned().collect();
        let want: Vec<(String, String)> = sorted.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        prop_assert_eq!(decoded, want);
    }

    #[test]
    fn signature_independent_of_order(
        extra in prop::collection::btree_map("[A-Za-z][A-Za-z0-9_.]{0,8}", "\\PC{0,10}", 0..12),
        seed in any::<u64>(),
        sha256 in any::<bool>(),
    ) {
        let mut pairs: Vec<(&str, &str)> = vec![("Nonce", "7"), ("Timestamp", "1465185768")];
        if sha256 { pairs.push(("SignatureMethod", "HmacSHA256")); }
        for (k, v) in &extra {
            if !matches!(k.as_str(), "Nonce" | "Timestamp" | "SignatureMethod" | "Signature") {
                pairs.push((k, v));
            }
        }
        let key = SecretKey::new("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE").unwrap();
        let mut a = pairs.clone();
        let sig_a = v1::sign(&v1::Request::post("cvm.tencentcloudapi.com"), &mut a, &key).unwrap();
        let mut wire_a = VecSink::default();
        v1::write_request(&a, &sig_a, &mut wire_a);
        let wire_a = wire_a.0;
        // a deterministic shuffle
        let mut b = pairs.clone();
        let mut s = seed | 1;
        for i in (1..b.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            b.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let sig_b = v1::sign(&v1::Request::post("cvm.tencentcloudapi.com"), &mut b, &key).unwrap();
        let mut wire_b = VecSink::default();
        v1::write_request(&b, &sig_b, &mut wire_b);
        let wire_b = wire_b.0;
        prop_assert!(sig_a.ct_eq_base64(sig_b.as_bytes()));
        prop_assert_eq!(&wire_a, &wire_b);
        prop_assert_eq!(sig_a.method().as_str(), if sha256 { "HmacSHA256" } else { "HmacSHA1" });
        // and the encoded request decodes back to the pairs plus the signature
        let mut decoded: Vec<(String, String)> = form_urlencoded::parse(&wire_a).into_owned().collect();
        let sig_pos = decoded.iter().position(|(k, _)| k == "Signature").unwrap();
        let (_, sig) = decoded.remove(sig_pos);
        prop_assert_eq!(sig, sig_a.as_str());
        let want: Vec<(String, String)> = a.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        prop_assert_eq!(decoded, want);
    }
}
