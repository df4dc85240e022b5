//! The `sign_v1` group: legacy HmacSHA1 / HmacSHA256 signing of documented requests against
//! the HMAC floor (not pre-keyed: the legacy API takes the secret key, so keying is work).

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use tc3::SecretKey;

use crate::data::{doc_case, s};
use crate::floor::{Chain1, Chain256};
use crate::harness::{batch, Case};

struct Legacy {
    host: String,
    path: String,
    method: String,
    params: Vec<(&'static str, &'static str)>,
    key: SecretKey,
}

/// The legacy cases and their labels (`<label>` and `<label>_floor`).
pub fn cases(all: &Value) -> (Vec<Case<'static>>, Vec<&'static str>) {
    let mut cases = Vec::new();
    let mut labels = Vec::new();
    for (name, label) in [
        ("v1-doc-old", "legacy_hmacsha1"),
        ("python-sdk-b3-v1-hmacsha256-get", "legacy_hmacsha256"),
    ] {
        let c = doc_case(all, name);
        let i = &c["inputs"];
        let leak = |t: &str| -> &'static str { String::leak(t.to_string()) };
        let key_s = s(&i["secret_key"]).to_string();
        let l: &'static Legacy = Box::leak(Box::new(Legacy {
            host: s(&i["host"]).into(),
            path: s(&i["path"]).into(),
            method: s(&i["http_method"]).into(),
            params: i["params"]
                .as_array()
                .expect("params")
                .iter()
                .map(|p| (leak(s(&p[0])), leak(s(&p[1]))))
                .collect(),
            key: SecretKey::new(&key_s).expect("key"),
        }));
        let sts = s(&c["expected"]["string_to_sign"]);
        let signature = s(&c["expected"]["signature"]);
        let run = move || {
            let mut pairs = [("", ""); 16];
            let n = l.params.len();
            pairs[..n].copy_from_slice(&l.params);
            tc3::v1::sign(
                &tc3::v1::Request::get(&l.host)
                    .with_method(&l.method)
                    .with_path(&l.path)
                    .with_rule(tc3::v1::KeyRule::UnderscoreAsDot),
                &mut pairs[..n],
                &l.key,
            )
            .expect("v1 sign")
        };
        assert_eq!(run().as_str(), signature, "{label}");
        println!("tc3 {label}  {}", run().as_str());
        cases.push(Case::new("sign_v1", label, None, batch(run)));
        // Floor: HMAC without a cached key: ipad block + message, opad block + digest.
        let floor_name = format!("{label}_floor");
        if c["sign_method"] == "HmacSHA1" {
            let fi = Chain1::unkeyed(key_s.as_bytes(), 0x36, sts.as_bytes());
            let fo = Chain1::unkeyed(key_s.as_bytes(), 0x5c, &fi.digest());
            let mut m = Hmac::<sha1::Sha1>::new_from_slice(key_s.as_bytes()).expect("k");
            m.update(sts.as_bytes());
            assert_eq!(fo.digest().as_slice(), m.finalize().into_bytes().as_slice());
            println!(
                "{label} floor: {} SHA-1 blocks (string to sign {} B)",
                fi.blocks.len() + fo.blocks.len(),
                sts.len()
            );
            cases.push(Case::new(
                "sign_v1",
                floor_name,
                None,
                batch(move || (fi.run(), fo.run())),
            ));
        } else {
            let fi = Chain256::unkeyed(key_s.as_bytes(), 0x36, sts.as_bytes());
            let fo = Chain256::unkeyed(key_s.as_bytes(), 0x5c, &fi.digest());
            let mut m = Hmac::<Sha256>::new_from_slice(key_s.as_bytes()).expect("k");
            m.update(sts.as_bytes());
            assert_eq!(fo.digest().as_slice(), m.finalize().into_bytes().as_slice());
            println!(
                "{label} floor: {} SHA-256 blocks (string to sign {} B)",
                fi.blocks.len() + fo.blocks.len(),
                sts.len()
            );
            cases.push(Case::new(
                "sign_v1",
                floor_name,
                None,
                batch(move || (fi.run(), fo.run())),
            ));
        }
        labels.push(label);
    }
    (cases, labels)
}
