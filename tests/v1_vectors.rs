//! Known answers for the legacy signature: the three documented v1 editions, the Node SDK's
//! `Sign.sign` vectors and the Python SDK's recorded legacy requests
//! (`tests/data/vectors/doc-examples.json`).

#[path = "support/vec_sink.rs"]
mod vec_sink;
use serde_json::Value;
use tc3::v1::{self, KeyRule, SignatureMethod};
use tc3::BufWriter;
use tc3::SecretKey;
use vec_sink::VecSink;

fn examples() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/vectors/doc-examples.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("doc-examples.json")).unwrap()
}

fn example(name: &str) -> Value {
    examples()
        .into_iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("no example {name}"))
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap()
}

fn decoded_sorted(form: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = form_urlencoded::parse(form.as_bytes())
        .into_owned()
        .collect();
    v.sort();
    v
}

/// Signs one documented legacy example from its full parameter list and checks every
/// published intermediate value. Returns the encoded request.
fn check(name: &str) -> String {
    let e = example(name);
    let inp = &e["inputs"];
    let exp = &e["expected"];
    let owned: Vec<(String, String)> = inp["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (s(&p[0]).to_owned(), s(&p[1]).to_owned()))
        .collect();
    let mut pairs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (&k[..], &v[..])).collect();
    let rule = if inp["sign_underscore_as_dot"] == Value::Bool(true) {
        KeyRule::UnderscoreAsDot
    } else {
        KeyRule::Raw
    };
    let key = SecretKey::new(s(&inp["secret_key"])).unwrap();
    let (method, host, path) = (s(&inp["http_method"]), s(&inp["host"]), s(&inp["path"]));
    let sig = v1::sign(
        &v1::Request::get(host)
            .with_method(method)
            .with_path(path)
            .with_rule(rule),
        &mut pairs,
        &key,
    )
    .unwrap();
    let mut wire = VecSink::default();
    v1::write_request(&pairs, &sig, &mut wire);
    let wire = wire.0;
    let wire = String::from_utf8(wire).unwrap();
    assert_eq!(sig.as_str(), s(&exp["signature"]), "{name}: signature");
    let want_method = SignatureMethod::parse(s(&e["sign_method"])).unwrap();
    assert_eq!(sig.method(), want_method, "{name}");
    assert!(sig.ct_eq_base64(s(&exp["signature"]).as_bytes()));
    assert!(!sig.ct_eq_base64(b"EliP9YW3pW28FpsEdkXt/+WcGeJ="));

    // string to sign, through the same streaming writer that feeds the MAC
    let mut sts = [0u8; 2048];
    let mut w = BufWriter::new(&mut sts);
    v1::Request::get(host)
        .with_method(method)
        .with_path(path)
        .with_rule(rule)
        .write_string_to_sign(&pairs, &mut w)
        .unwrap();
    assert_eq!(
        w.finish_str().unwrap(),
        s(&exp["string_to_sign"]),
        "{name}: string to sign"
    );

    let mut enc = [0u8; 64];
    let mut w = BufWriter::new(&mut enc);
    sig.write_encoded(&mut w);
    assert_eq!(
        w.finish_str().unwrap(),
        s(&exp["encoded_signature"]),
        "{name}"
    );
    // the encoded request carries exactly the encoded signature
    assert!(wire.contains(&format!("Signature={}", s(&exp["encoded_signature"]))));
    wire
}

#[test]
fn doc_v1_old_edition_with_request_url() {
    let wire = check("v1-doc-old");
    let e = example("v1-doc-old");
    assert_eq!(
        format!("https://cvm.tencentcloudapi.com/?{wire}"),
        s(&e["expected"]["request_url"])
    );
}

#[test]
fn doc_v1_mid_edition() {
    check("v1-doc-mid");
}

#[test]
fn doc_v1_current_edition() {
    check("v1-doc-current");
}

#[test]
fn python_sdk_b3_hmacsha256_get() {
    let wire = check("python-sdk-b3-v1-hmacsha256-get");
    let e = example("python-sdk-b3-v1-hmacsha256-get");
    // Python sends insertion order; we send byte order: same parameters, same bytes each.
    assert_eq!(
        decoded_sorted(&wire),
        decoded_sorted(s(&e["expected"]["wire_query"]))
    );
}

#[test]
fn python_sdk_b4_hmacsha1_post_underscore_rule() {
    let wire = check("python-sdk-b4-v1-hmacsha1-post-underscore");
    let e = example("python-sdk-b4-v1-hmacsha1-post-underscore");
    assert_eq!(
        decoded_sorted(&wire),
        decoded_sorted(s(&e["expected"]["wire_body"]))
    );
    // the name is sent as Weird_Key, signed as Weird.Key
    assert!(wire.contains("&Weird_Key=a_b"));
    // and under the raw rule the signature differs
    let inp = &e["inputs"];
    let owned: Vec<(String, String)> = inp["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (s(&p[0]).to_owned(), s(&p[1]).to_owned()))
        .collect();
    let mut pairs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (&k[..], &v[..])).collect();
    let key = SecretKey::new(s(&inp["secret_key"])).unwrap();
    let raw = v1::sign(
        &v1::Request::post("cvm.tencentcloudapi.com").with_rule(KeyRule::Raw),
        &mut pairs,
        &key,
    )
    .unwrap();
    assert_ne!(raw.as_str(), "PsTjkZAut4p5cfaGqb3gJh11m3U=");
}

#[test]
fn python_sdk_b4_from_flattened_params() {
    // the same request built the way a client would: flatten the action params (the JSON
    // text, no_std path), add the common params, sign
    let body = r#"{"Filters":[{"Name":"instance-name","Values":["未命名 x"]}],"Limit":5,"Weird_Key":"a_b"}"#;
    let mut common = v1::Common::new(
        "DescribeInstances",
        "2017-03-12",
        1465185768,
        424242,
        tc3::SecretId::new("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE").unwrap(),
    );
    common.signature_method = Some(SignatureMethod::HmacSha1);
    common.region = Some("ap-guangzhou");
    common.language = Some("zh-CN");
    common.request_client = Some("SDK_PYTHON_3.1.195");
    let mut arena = [0u8; 256];
    let mut pairs: heapless::Vec<(&str, &str), 32> = heapless::Vec::new();
    tc3::params::flatten_json(body.as_bytes(), &mut arena, &mut pairs).unwrap();
    common.add_to(&mut pairs).unwrap();
    let key = SecretKey::new("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE").unwrap();
    let sig = v1::sign(
        &v1::Request::post("cvm.tencentcloudapi.com"),
        &mut pairs,
        &key,
    )
    .unwrap();
    assert_eq!(sig.as_str(), "PsTjkZAut4p5cfaGqb3gJh11m3U=");
}

#[test]
fn node_sign_primitives() {
    for name in ["node-sign-hmacsha1", "node-sign-hmacsha256"] {
        let e = example(name);
        let key = SecretKey::new(s(&e["inputs"]["secret_key"])).unwrap();
        let m = SignatureMethod::parse(s(&e["sign_method"])).unwrap();
        let sig =
            v1::LegacySignature::sign_raw(s(&e["inputs"]["string_to_sign"]).as_bytes(), &key, m)
                .unwrap();
        assert_eq!(sig.as_str(), s(&e["expected"]["signature"]), "{name}");
    }
}
