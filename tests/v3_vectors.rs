//! Every TC3 case of `tests/data/vectors/doc-examples.json`: every intermediate value.

use serde_json::Value;
use tc3::v3::{
    self, canonical_request, sign, string_to_sign, Authorization, Common, KeyChain, Method,
    Payload, Request, SigningKey,
};
use tc3::BufWriter;
use tc3::{Credential, Date};

fn load() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/vectors/doc-examples.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("doc-examples.json")).unwrap()
}

fn s<'v>(v: &'v Value, k: &str) -> &'v str {
    v[k].as_str().unwrap_or_else(|| panic!("missing {k}"))
}

#[test]
fn doc_examples_tc3() {
    let cases = load();
    let mut n = 0;
    for case in cases
        .iter()
        .filter(|c| c["sign_method"] == "TC3-HMAC-SHA256")
    {
        let name = s(case, "name");
        let i = &case["inputs"];
        let e = &case["expected"];
        let body: Vec<u8> = if let Some(b64) = i["payload_base64"].as_str() {
            let bytes = base64ct_decode(b64);
            let digest = hex32(&sha256(&bytes));
            assert_eq!(
                std::str::from_utf8(&digest).unwrap(),
                s(i, "payload_sha256"),
                "{name}"
            );
            bytes
        } else {
            s(i, "payload").as_bytes().to_vec()
        };
        let payload = if i["unsigned_payload"] == true {
            Payload::Unsigned
        } else {
            Payload::Bytes(&body)
        };
        // extra headers (other than content-type and host), values as they enter the request
        let extras: Vec<(&str, &str)> = i["extra_headers"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
                    .collect()
            })
            .unwrap_or_default();
        let req = Request {
            method: Method::parse(s(i, "http_method")).unwrap(),
            uri: s(i, "path"),
            query: s(i, "query"),
            host: s(i, "host"),
            content_type: s(i, "content_type"),
            extra_signed_headers: &extras,
            payload,
        };
        let ts = i["timestamp"].as_u64().unwrap();
        let service = s(i, "service");
        let mut common = Common::new(
            service,
            i["action"].as_str().unwrap_or("DescribeInstances"),
            i["version"].as_str().unwrap_or("2017-03-12"),
            ts,
        );
        common.region = i["region"].as_str();
        let mut cred = Credential::new(s(i, "secret_id"), s(i, "secret_key")).unwrap();
        if let Some(t) = i["token"].as_str() {
            cred = cred.with_token(t).unwrap();
        }

        let hp = req.payload.hex_digest();
        assert_eq!(
            std::str::from_utf8(&hp).unwrap(),
            s(e, "hashed_payload"),
            "{name}"
        );

        let mut buf = [0u8; 4096];
        let mut w = BufWriter::new(&mut buf);
        canonical_request(&req, &mut w).unwrap();
        let cr = w.finish_str().unwrap();
        assert_eq!(cr, s(e, "canonical_request"), "{name}");
        let hcr = hex32(&sha256(cr.as_bytes()));
        assert_eq!(
            std::str::from_utf8(&hcr).unwrap(),
            s(e, "hashed_canonical_request"),
            "{name}"
        );

        let mut buf = [0u8; 512];
        let mut w = BufWriter::new(&mut buf);
        string_to_sign(&common, &req, &mut w).unwrap();
        let sts = w.finish_str().unwrap();
        assert_eq!(sts, s(e, "string_to_sign"), "{name}");

        let date = Date::from_unix(ts).unwrap();
        let chain: KeyChain = SigningKey::chain(&cred.key, date, service);
        assert_eq!(hexs(&chain.secret_date), s(e, "secret_date"), "{name}");
        assert_eq!(
            hexs(&chain.secret_service),
            s(e, "secret_service"),
            "{name}"
        );
        assert_eq!(
            hexs(&chain.secret_signing),
            s(e, "secret_signing"),
            "{name}"
        );

        let key = SigningKey::derive(&cred.key, date, service).unwrap();
        assert_eq!(
            key.sign_raw(sts.as_bytes()).as_hex(),
            s(e, "signature"),
            "{name}"
        );
        let signed = sign(&cred, &key, &common, &req).unwrap();
        assert_eq!(signed.signature().as_hex(), s(e, "signature"), "{name}");
        assert!(signed.signature().ct_eq_hex(s(e, "signature").as_bytes()));
        assert_eq!(signed.authorization(), s(e, "authorization"), "{name}");

        // and the Authorization parses back to its parts
        let a = Authorization::parse(signed.authorization().as_bytes()).unwrap();
        assert_eq!(a.secret_id, s(i, "secret_id"));
        assert_eq!(a.service, service);
        let sh: Vec<&str> = a.signed_headers().collect();
        let want: Vec<&str> = i["signed_headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(sh, want, "{name}");
        n += 1;
    }
    println!("doc-examples TC3 cases checked: {n}");
    assert!(n >= 10, "only {n} TC3 cases");
}

/// The documented request (edition B) sends exactly the documented headers.
#[test]
fn doc_edition_b_headers() {
    let cred = Credential::new(
        "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
    )
    .unwrap();
    let body = br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
    let req = Request::new_post(
        "cvm.tencentcloudapi.com",
        "application/json; charset=utf-8",
        body,
    );
    let common = Common::new("cvm", "DescribeInstances", "2017-03-12", 1551113065)
        .with_region("ap-guangzhou");
    let signed = v3::sign_fresh(&cred, &common, &req).unwrap();
    let h: Vec<(&str, &str)> = signed.headers().collect();
    assert_eq!(
        h,
        [
            ("Host", "cvm.tencentcloudapi.com"),
            ("Content-Type", "application/json; charset=utf-8"),
            ("X-TC-Action", "DescribeInstances"),
            ("X-TC-Timestamp", "1551113065"),
            ("X-TC-Version", "2017-03-12"),
            ("X-TC-Region", "ap-guangzhou"),
            ("Authorization", "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"),
        ]
    );
}

fn sha256(b: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(b).into()
}

fn hexs(b: &[u8; 32]) -> String {
    String::from_utf8(hex32(b).to_vec()).unwrap()
}

fn base64ct_decode(s: &str) -> Vec<u8> {
    use base64ct::Encoding;
    base64ct::Base64::decode_vec(s).unwrap()
}

/// Lowercase hex of a digest.
fn hex32(d: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    base16ct::lower::encode(d, &mut out).unwrap();
    out
}
