//! The `sign_v3` group: the documented TC3 request (`v3-doc-edition-b`) signed by tc3 (plain,
//! deriving, template), the streaming prototype, the hand-written signer,
//! tencentcloud-sign-sdk and aws-sigv4; its verification by tc3; and the SHA-256 floor.
//! Every output is checked against the documented one before timing.

use std::borrow::Cow;
use std::time::{Duration, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tc3::v3::{self, Common, Request, SigningKey};
use tc3::{Credential, Date, SecretKey};

use crate::data::{doc_case, s};
use crate::floor::{blocks_of, key_block, Chain256, SHA256_IV};
use crate::harness::{batch, Case};
use crate::{handwritten, streaming};

/// The documented request, owned (leaked: the inputs live for the whole run).
struct Doc {
    secret_id: String,
    secret_key: String,
    host: String,
    content_type: String,
    payload: String,
    service: String,
    action: String,
    version: String,
    region: String,
    ts: u64,
    want_sig: String,
    want_auth: String,
    expected: Value,
}

fn load(all: &Value) -> &'static Doc {
    let b = doc_case(all, "v3-doc-edition-b");
    let i = &b["inputs"];
    let o = |k: &str| s(&i[k]).to_string();
    let d = Doc {
        secret_id: o("secret_id"),
        secret_key: o("secret_key"),
        host: o("host"),
        content_type: o("content_type"),
        payload: o("payload"),
        service: o("service"),
        action: o("action"),
        version: o("version"),
        region: o("region"),
        ts: i["timestamp"].as_u64().expect("timestamp"),
        want_sig: s(&b["expected"]["signature"]).to_string(),
        want_auth: s(&b["expected"]["authorization"]).to_string(),
        expected: b["expected"].clone(),
    };
    assert_eq!(d.payload.len(), 86, "the documented body is 86 bytes");
    Box::leak(Box::new(d))
}

fn leak<T>(v: T) -> &'static T {
    Box::leak(Box::new(v))
}

/// The cases of the `sign_v3` group (outputs printed and checked first).
pub fn cases(all: &Value) -> Vec<Case<'static>> {
    let d = load(all);
    let (secret_id, secret_key, host, content_type, payload, service) = (
        d.secret_id.as_str(),
        d.secret_key.as_str(),
        d.host.as_str(),
        d.content_type.as_str(),
        d.payload.as_str(),
        d.service.as_str(),
    );
    let ts = d.ts;
    let cred = leak(Credential::new(secret_id, secret_key).expect("credential"));
    let date = Date::from_unix(ts).expect("date");
    let key = leak(SigningKey::derive(&cred.key, date, service).expect("key"));
    let common = leak(Common::new(service, &d.action, &d.version, ts).with_region(&d.region));
    let req = leak(Request::new_post(host, content_type, payload.as_bytes()));

    let tc3_cached = move || v3::sign(cred, key, common, req).expect("sign");
    let tc3_fresh = move || v3::sign_fresh(cred, common, req).expect("sign");
    let tc3_template = leak(v3::Template::new(req).expect("template"));
    let tc3_tmpl = move || {
        tc3_template
            .sign(cred, key, common, v3::Payload::Bytes(payload.as_bytes()))
            .expect("template sign")
    };
    let proto = leak(streaming::Template::new(
        secret_id,
        key,
        v3::Method::Post,
        host,
        content_type,
    ));
    let proto_sign = move || proto.sign(key, ts, payload.as_bytes()).1;
    let hand = move || {
        handwritten::sign(
            secret_id,
            secret_key,
            service,
            host,
            content_type,
            payload,
            ts as i64,
        )
    };

    let sdk_signer = leak(tencentcloud_sign_sdk::Tc3Signer::new(
        secret_id.to_string(),
        secret_key.to_string(),
        service.to_string(),
        false,
    ));
    let sdk = move || {
        let hashed = tencentcloud_sign_sdk::sha256_hex(payload);
        let headers = format!("content-type:{content_type}\nhost:{host}\n");
        let r = sdk_signer.sign(
            "POST",
            "/",
            "",
            &headers,
            "content-type;host",
            &hashed,
            ts as i64,
        );
        let auth = sdk_signer.create_authorization_header(&r, "content-type;host");
        (r, auth)
    };

    // aws-sigv4: the analogous SigV4 request (same method, host, body, content type, time).
    let aws_creds =
        aws_credential_types::Credentials::new(secret_id, secret_key, None, None, "bench");
    let aws_identity: &'static aws_smithy_runtime_api::client::identity::Identity =
        leak(aws_creds.into());
    let aws_params: &'static aws_sigv4::http_request::SigningParams<'static> = leak(
        aws_sigv4::sign::v4::SigningParams::builder()
            .identity(aws_identity)
            .region(&d.region)
            .name(service)
            .time(UNIX_EPOCH + Duration::from_secs(ts))
            .settings(aws_sigv4::http_request::SigningSettings::default())
            .build()
            .expect("aws params")
            .into(),
    );
    let aws_uri: &'static str = leak(format!("https://{host}/")).as_str();
    let aws = move || {
        let r = aws_sigv4::http_request::SignableRequest::new(
            "POST",
            Cow::Borrowed(aws_uri),
            [("content-type", content_type), ("host", host)].into_iter(),
            aws_sigv4::http_request::SignableBody::Bytes(payload.as_bytes()),
        )
        .expect("signable");
        let out = aws_sigv4::http_request::sign(r, aws_params).expect("aws sign");
        let (instr, sig) = out.into_parts();
        let (headers, _) = instr.into_parts();
        (headers, sig)
    };

    // ---- correctness of every signer on the documented request --------------------------------
    let (want_sig, want_auth) = (d.want_sig.as_str(), d.want_auth.as_str());
    println!("== outputs on v3-doc-edition-b (expected signature {want_sig})");
    let t = tc3_cached();
    println!("tc3 cached      {}", t.signature().as_hex());
    assert_eq!(t.signature().as_hex(), want_sig);
    assert_eq!(t.authorization(), want_auth);
    assert_eq!(tc3_fresh().signature().as_hex(), want_sig);
    assert_eq!(tc3_tmpl().authorization(), want_auth, "tc3 template");
    let (a, n) = proto.sign(key, ts, payload.as_bytes());
    assert_eq!(&a[..n], want_auth.as_bytes(), "streaming prototype");
    let (hs, ha) = hand();
    println!("hand-written    {hs}");
    assert_eq!((hs.as_str(), ha.as_str()), (want_sig, want_auth));
    let (sr, sa) = sdk();
    let sdk_ok = sr.signature == want_sig && sa == want_auth;
    println!(
        "tencentcloud-sign-sdk {} ({})",
        sr.signature,
        if sdk_ok { "correct" } else { "WRONG" }
    );
    let (ah, asig) = aws();
    println!(
        "aws-sigv4       {asig} (SigV4 of the analogous request; {} headers: {})",
        ah.len(),
        ah.iter().map(|h| h.name()).collect::<Vec<_>>().join(", ")
    );

    // ---- verification of the same request (gateway side) ----------------------------------------
    let sent: &'static Vec<(String, Vec<u8>)> = leak(
        t.headers()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect(),
    );
    let sent_view: &'static Vec<(&'static str, &'static [u8])> = leak(
        sent.iter()
            .map(|(k, v)| (k.as_str(), v.as_slice()))
            .collect(),
    );
    // A key table, as a gateway holds its keys: the provider lends the key (no copy per request).
    let keys: &'static [(&str, SecretKey); 1] =
        leak([(secret_id, SecretKey::new(secret_key).expect("key"))]);
    let keys: &'static [(&str, SecretKey)] = keys;
    let policy = leak(tc3::verify::Policy::at(ts));
    let view = leak(tc3::verify::RequestView::new(
        "POST",
        "/",
        None,
        sent_view.as_slice(),
        tc3::v3::Payload::Bytes(payload.as_bytes()),
    ));
    // A TC3 request never touches the legacy scratch: the smallest one does.
    let mut key_cache = tc3::verify::KeyCache::<4>::new();
    let mut scratch = tc3::verify::LegacyScratch::<0, 0>::new();
    {
        let v = tc3::verify::verify(view, keys, policy, &mut scratch).expect("verifies");
        println!("tc3 verify      ok ({})", v.secret_id());
        tc3::verify::verify_cached(view, keys, policy, &mut key_cache, &mut scratch)
            .expect("verifies");
    }
    let mut scratch_cached = tc3::verify::LegacyScratch::<0, 0>::new();
    let verify_cached = move || {
        tc3::verify::verify_cached(view, keys, policy, &mut key_cache, &mut scratch_cached)
            .expect("verifies")
            .timestamp()
    };
    let verify_fresh = move || {
        tc3::verify::verify(view, keys, policy, &mut scratch)
            .expect("verifies")
            .timestamp()
    };

    // ---- the floor ------------------------------------------------------------------------------
    let exp = &d.expected;
    let hexs = |k: &str| hex::decode(s(&exp[k])).expect("hex");
    let cr = s(&exp["canonical_request"]);
    let sts = s(&exp["string_to_sign"]);
    let (signing, secret_date, secret_service) = (
        hexs("secret_signing"),
        hexs("secret_date"),
        hexs("secret_service"),
    );
    let f_payload = Chain256::plain(payload.as_bytes());
    let f_cr = Chain256::plain(cr.as_bytes());
    let f_inner = Chain256::keyed(&signing, 0x36, sts.as_bytes());
    let f_outer = Chain256::keyed(&signing, 0x5c, &f_inner.digest());
    // Self-check: the floor's blocks are exactly the algorithm's.
    assert_eq!(hex::encode(f_payload.digest()), s(&exp["hashed_payload"]));
    assert_eq!(
        hex::encode(f_cr.digest()),
        s(&exp["hashed_canonical_request"])
    );
    assert_eq!(hex::encode(f_outer.digest()), want_sig);
    // Derivation: three un-keyed HMACs plus keying the signing state (ipad, opad blocks).
    let k0 = format!("TC3{secret_key}");
    let date_s = String::from_utf8(date.to_bytes().to_vec()).expect("date");
    let d1i = Chain256::unkeyed(k0.as_bytes(), 0x36, date_s.as_bytes());
    let d1o = Chain256::unkeyed(k0.as_bytes(), 0x5c, &d1i.digest());
    assert_eq!(d1o.digest().as_slice(), secret_date.as_slice());
    let d2i = Chain256::unkeyed(&secret_date, 0x36, service.as_bytes());
    let d2o = Chain256::unkeyed(&secret_date, 0x5c, &d2i.digest());
    assert_eq!(d2o.digest().as_slice(), secret_service.as_slice());
    let d3i = Chain256::unkeyed(&secret_service, 0x36, b"tc3_request");
    let d3o = Chain256::unkeyed(&secret_service, 0x5c, &d3i.digest());
    assert_eq!(d3o.digest().as_slice(), signing.as_slice());
    let kip = Chain256 {
        start: SHA256_IV,
        blocks: vec![key_block(&signing, 0x36)],
    };
    let kop = Chain256 {
        start: SHA256_IV,
        blocks: vec![key_block(&signing, 0x5c)],
    };
    let sign_blocks = blocks_of(&[&f_payload, &f_cr, &f_inner, &f_outer]);
    let derive_blocks = blocks_of(&[&d1i, &d1o, &d2i, &d2o, &d3i, &d3o, &kip, &kop]);
    println!(
        "floor: {sign_blocks} SHA-256 blocks per signature (payload {}, canonical request {} ({} B), \
         HMAC inner {} + outer {} after the pre-keyed states); +{derive_blocks} to derive the key",
        f_payload.blocks.len(),
        f_cr.blocks.len(),
        cr.len(),
        f_inner.blocks.len(),
        f_outer.blocks.len()
    );
    let floor = leak([f_payload, f_cr, f_inner, f_outer]);
    let derive = leak([d1i, d1o, d2i, d2o, d3i, d3o, kip, kop]);
    let floor_run = move || floor.each_ref().map(Chain256::run);
    let floor_derive = move || (floor_run(), derive.each_ref().map(Chain256::run));
    // The same work through the sha2 API (padding and finalisation included).
    let ipad_state = Hmac::<Sha256>::new_from_slice(&signing).expect("key");
    let (cr, sts): (&'static str, &'static str) = (leak(cr.to_string()), leak(sts.to_string()));
    let floor_api = move || {
        let a = Sha256::digest(payload.as_bytes());
        let c = Sha256::digest(cr.as_bytes());
        let mut m = ipad_state.clone();
        m.update(sts.as_bytes());
        (a, c, m.finalize().into_bytes())
    };

    let g = "sign_v3";
    vec![
        Case::new(g, "tc3_cached", None, batch(tc3_cached)),
        Case::new(g, "tc3_derive", None, batch(tc3_fresh)),
        Case::new(g, "tc3_template", None, batch(tc3_tmpl)),
        Case::new(g, "streaming_prototype", None, batch(proto_sign)),
        Case::new(g, "floor", None, batch(floor_run)),
        Case::new(g, "floor_derive", None, batch(floor_derive)),
        Case::new(g, "floor_sha2_api", None, batch(floor_api)),
        Case::new(g, "handwritten", None, batch(hand)),
        Case::new(g, "tencentcloud_sign_sdk", None, batch(sdk)),
        Case::new(g, "aws_sigv4", None, batch(aws)),
        Case::new(g, "tc3_verify_cached", None, batch(verify_cached)),
        Case::new(g, "tc3_verify_derive", None, batch(verify_fresh)),
    ]
}

/// The `scaling` group's signing half: tc3 cached signing of POST bodies from 0 B to 10 MiB
/// against `Sha256::digest` of the same bytes.
pub fn scaling(all: &Value) -> Vec<Case<'static>> {
    let d = load(all);
    let cred = leak(Credential::new(&d.secret_id, &d.secret_key).expect("credential"));
    let date = Date::from_unix(d.ts).expect("date");
    let key = leak(SigningKey::derive(&cred.key, date, &d.service).expect("key"));
    let common = leak(Common::new(&d.service, &d.action, &d.version, d.ts).with_region(&d.region));
    let big: &'static [u8] = Vec::leak((0..(10usize << 20)).map(|i| (i * 7 + 3) as u8).collect());
    let (host, content_type) = (d.host.as_str(), d.content_type.as_str());
    let mut cases = Vec::new();
    for n in [0, 64, 1 << 10, 16 << 10, 256 << 10, 1 << 20, 10 << 20] {
        let body = &big[..n];
        let label = if n >= 1 << 20 {
            format!("{}MB", n >> 20)
        } else if n >= 1 << 10 {
            format!("{}KB", n >> 10)
        } else {
            format!("{n}B")
        };
        cases.push(Case::new(
            "scaling",
            format!("tc3_cached/{label}"),
            Some(n as u64),
            batch(move || {
                let r = Request::new_post(host, content_type, body);
                v3::sign(cred, key, common, &r)
                    .expect("sign")
                    .signature()
                    .as_bytes()[0]
            }),
        ));
        cases.push(Case::new(
            "scaling",
            format!("sha256/{label}"),
            Some(n as u64),
            batch(move || Sha256::digest(body)),
        ));
    }
    cases
}
