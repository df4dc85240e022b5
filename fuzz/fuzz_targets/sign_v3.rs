#![no_main]
//! Signing arbitrary inputs never panics; when it succeeds, its own `Authorization` parses and
//! a fresh key gives the same signature as a cached one.

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use tc3::v3::{sign, sign_fresh, Authorization, Common, Method, Payload, Request, SigningKey};
use tc3::{Credential, Date};

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    secret_id: &'a str,
    secret_key: &'a [u8],
    token: Option<&'a str>,
    get: bool,
    uri: &'a str,
    query: &'a str,
    host: &'a str,
    content_type: &'a str,
    extra: Vec<(&'a str, &'a str)>,
    payload: u8,
    body: &'a [u8],
    digest: [u8; 32],
    service: &'a str,
    action: &'a str,
    version: &'a str,
    region: Option<&'a str>,
    timestamp: u64,
    language: Option<&'a str>,
    request_client: Option<&'a str>,
}

fuzz_target!(|i: Input<'_>| {
    let Ok(id) = tc3::SecretId::new(i.secret_id) else { return };
    let Ok(key) = tc3::SecretKey::from_bytes(i.secret_key) else { return };
    let token = match i.token.map(tc3::Token::new) {
        Some(Ok(t)) => Some(t),
        Some(Err(_)) => return,
        None => None,
    };
    let cred = Credential { id, key, token };
    let req = Request {
        method: if i.get { Method::Get } else { Method::Post },
        uri: i.uri,
        query: i.query,
        host: i.host,
        content_type: i.content_type,
        extra_signed_headers: &i.extra,
        payload: match i.payload % 3 {
            0 => Payload::Bytes(i.body),
            1 => Payload::Sha256(i.digest),
            _ => Payload::Unsigned,
        },
    };
    let common = Common {
        service: i.service,
        action: i.action,
        version: i.version,
        region: i.region,
        timestamp: i.timestamp,
        language: i.language,
        request_client: i.request_client,
    };
    let mut sink = Vec::new();
    let _ = tc3::v3::canonical_request(&req, &mut sink);
    let _ = tc3::v3::string_to_sign(&common, &req, &mut sink);
    if let Ok(signed) = sign_fresh(&cred, &common, &req) {
        let a = Authorization::parse(signed.authorization().as_bytes())
            .expect("own Authorization parses");
        assert_eq!(a.signature_hex, signed.signature().as_hex());
        assert_eq!(signed.headers().count() >= 6, true);
        let date = Date::from_unix(i.timestamp).expect("signed, so the date exists");
        let key = SigningKey::derive(&cred.key, date, i.service).expect("signed, so derivable");
        let again = sign(&cred, &key, &common, &req).expect("same inputs");
        assert_eq!(again.authorization(), signed.authorization());
    }
});
