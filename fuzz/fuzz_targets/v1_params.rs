//! Arbitrary JSON-ish bytes → no_std flatten + sort + sign + encode never panics; when it
//! succeeds, decoding the encoded request gives back exactly the signed pairs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tc3::BufWriter;
use tc3::params;
use tc3::v1::{self, KeyRule};
use tc3::SecretKey;

/// serde_json turns non-integers and integers beyond 64 bits into f64, which the Serialize
/// flattener formats by the float rule, not as the JSON token.
fn has_float(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Number(n) => n.is_f64(),
        serde_json::Value::Array(a) => a.iter().any(has_float),
        serde_json::Value::Object(o) => o.values().any(has_float),
        _ => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let (flags, json) = match data.split_first() {
        Some((f, rest)) => (*f, rest),
        None => return,
    };
    let mut arena = [0u8; 2048];
    let mut pairs: heapless::Vec<(&str, &str), 64> = heapless::Vec::new();
    if params::flatten_json(json, &mut arena, &mut pairs).is_err() {
        return;
    }
    // the alloc flattener agrees with the no_std one on valid JSON without floats
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(json) {
        if !has_float(&v) {
            if let Ok(owned) = params::flatten(&v) {
                // serde_json's map is sorted and keeps the last of duplicate keys:
                // compare as sorted sets when no key was dropped
                if owned.len() == pairs.len() {
                    let mut a: Vec<(&str, &str)> =
                        owned.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                    let mut b: Vec<(&str, &str)> = pairs.iter().copied().collect();
                    a.sort();
                    b.sort();
                    assert_eq!(a, b);
                }
            }
        }
    }
    let _ = pairs.push(("Nonce", "1"));
    let _ = pairs.push(("Timestamp", "1465185768"));
    if flags & 1 == 1 {
        let _ = pairs.push(("SignatureMethod", "HmacSHA256"));
    }
    let rule = if flags & 2 == 2 { KeyRule::Raw } else { KeyRule::UnderscoreAsDot };
    let key = SecretKey::new("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE").unwrap();
    let mut out = [0u8; 8192];
    let Ok(sig) = v1::sign(&v1::Request::post("h.example").with_rule(rule), &mut pairs, &key) else {
        return;
    };
    let mut w = BufWriter::new(&mut out);
    v1::write_request(&pairs, &sig, &mut w);
    let Ok(wire) = w.finish_str() else {
        return;
    };
    // decode the wire form and compare with the sorted signed pairs + Signature
    let mut it = pairs.iter();
    let mut saw_sig = false;
    for part in wire.split('&') {
        let (k, v) = part.split_once('=').expect("k=v");
        let (k, v) = (form_decode(k.as_bytes()), form_decode(v.as_bytes()));
        let (k, v) = (k.as_slice(), v.as_slice());
        if k == b"Signature" && !saw_sig {
            saw_sig = true;
            assert!(sig.ct_eq_base64(v));
            continue;
        }
        let (ek, ev) = it.next().expect("more pairs than signed");
        assert_eq!(k, ek.as_bytes());
        assert_eq!(v, ev.as_bytes());
    }
    assert!(saw_sig);
    assert!(it.next().is_none());
});

/// Decodes one form-encoded component (`+` → space, `%XX` → byte), independently of tc3; a
/// malformed escape is a bug of the encoder under test.
fn form_decode(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).expect("ASCII escape");
                out.push(u8::from_str_radix(hex, 16).expect("two hex digits"));
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    out
}
