//! `tc3 sign`: request specs in, captures (or curl command lines) out.

use crate::io::{for_each_json_line, print_line};
use crate::spec::{Capture, Spec};
use crate::{Fail, Outcome};
use serde_json::Value;
use tc3::{v1, v3, Credential, SecretId, SecretKey, Token};

/// The documented worked example: edition B of the Signature v3 docs (`v3-doc-edition-b`).
const EXAMPLE: &str = r#"{"id": "v3-doc-edition-b", "sign_method": "TC3-HMAC-SHA256", "http_method": "POST",
 "host": "cvm.tencentcloudapi.com", "path": "/", "service": "cvm", "action": "DescribeInstances",
 "version": "2017-03-12", "region": "ap-guangzhou", "timestamp": 1551113065,
 "secret_id": "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "secret_key": "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
 "content_type": "application/json; charset=utf-8",
 "body": "{\"Limit\": 1, \"Filters\": [{\"Values\": [\"\\u672a\\u547d\\u540d\"], \"Name\": \"instance-name\"}]}"}"#;

#[derive(Default)]
struct Flags {
    example: bool,
    curl: bool,
    /// A spec assembled from flags (`--service`, `--action`, ...), if any was given.
    spec: serde_json::Map<String, Value>,
}

pub fn run(args: &mut lexopt::Parser) -> Result<Outcome, Fail> {
    use lexopt::Arg::Long;
    let mut f = Flags::default();
    while let Some(arg) = args.next()? {
        match arg {
            Long("example") => f.example = true,
            Long("curl") => f.curl = true,
            Long(name) => {
                let name = name.to_owned();
                let key = match name.as_str() {
                    "service" | "action" | "version" | "region" | "host" | "token" | "language"
                    | "body" | "query" | "path" => name.to_owned(),
                    "method" => "http_method".into(),
                    "sign-method" => "sign_method".into(),
                    "content-type" => "content_type".into(),
                    "secret-id" => "secret_id".into(),
                    "secret-key" => "secret_key".into(),
                    "timestamp" | "nonce" | "params" => name.to_owned(),
                    _ => return Err(format!("unknown option --{name}").into()),
                };
                let name = name.as_str();
                let v = args.value()?;
                let v = v
                    .into_string()
                    .map_err(|_| format!("--{name}: not valid UTF-8"))?;
                let v = match key.as_str() {
                    "timestamp" | "nonce" => Value::from(
                        v.parse::<u64>()
                            .map_err(|_| format!("--{name}: not a number"))?,
                    ),
                    "params" => serde_json::from_str(&v)
                        .map_err(|e| format!("--params: not valid JSON: {e}"))?,
                    _ => Value::String(v),
                };
                f.spec.insert(key, v);
            }
            other => return Err(other.unexpected().into()),
        }
    }
    if f.spec.contains_key("secret_id") != f.spec.contains_key("secret_key") {
        return Err("--secret-id and --secret-key go together: give both or neither".into());
    }
    if f.example {
        if !f.spec.is_empty() {
            return Err("--example takes no request flags".into());
        }
        let v: Value = serde_json::from_str(EXAMPLE).map_err(|e| Fail::Run(e.to_string()))?;
        let spec = Spec::from_json(&v, tc3::now_unix).map_err(Fail::Run)?;
        let cap = sign_spec(&spec, true).map_err(Fail::Run)?;
        emit(&cap, &spec, f.curl);
        return Ok(Outcome::Ok);
    }
    if !f.spec.is_empty() {
        let mut m = f.spec;
        m.entry("sign_method")
            .or_insert_with(|| "TC3-HMAC-SHA256".into());
        m.entry("id").or_insert_with(|| "cli".into());
        if !m.contains_key("region") {
            if let Some(r) = tc3_client::region_from_env() {
                m.insert("region".into(), r.into());
            }
        }
        if m.get("sign_method").and_then(Value::as_str) != Some("TC3-HMAC-SHA256") {
            m.entry("nonce").or_insert_with(|| random_nonce().into());
        }
        if !m.contains_key("host") {
            let service = m
                .get("service")
                .and_then(Value::as_str)
                .ok_or("--service is required")?;
            m.insert(
                "host".into(),
                format!("{service}.tencentcloudapi.com").into(),
            );
        }
        let spec = Spec::from_json(&Value::Object(m), tc3::now_unix)?;
        let cap = sign_spec(&spec, false).map_err(Fail::Run)?;
        emit(&cap, &spec, f.curl);
        return Ok(Outcome::Ok);
    }
    let mut outcome = Outcome::Ok;
    let malformed = for_each_json_line(|n, v| {
        let res = Spec::from_json(&v, tc3::now_unix).and_then(|s| Ok((sign_spec(&s, false)?, s)));
        match res {
            Ok((cap, spec)) => emit(&cap, &spec, f.curl),
            Err(e) => {
                eprintln!("tc3: line {n}: {e}");
                outcome = Outcome::Malformed;
            }
        }
    })
    .map_err(Fail::Run)?;
    if malformed {
        outcome = Outcome::Malformed;
    }
    Ok(outcome)
}

fn emit(cap: &Capture, spec: &Spec, curl: bool) {
    if curl {
        println!("{}", curl_line(cap));
    } else {
        let mut v = cap.to_json();
        if let Value::Object(m) = &mut v {
            m.insert("sign_method".into(), spec.sign_method.clone().into());
        }
        print_line(&v);
    }
}

/// Owned credential material of one spec: from the spec, else from the environment / profile.
pub struct Keys {
    pub id: String,
    pub key: SecretKey,
    pub token: Option<String>,
}

fn keys_for(spec: &Spec) -> Result<Keys, String> {
    match (&spec.secret_id, &spec.secret_key) {
        (Some(id), Some(key)) => Ok(Keys {
            id: id.clone(),
            key: SecretKey::new(key).map_err(|e| e.to_string())?,
            token: spec.token.clone(),
        }),
        (None, None) => crate::credentials::from_environment(spec.token.clone()),
        _ => Err("a spec must give both secret_id and secret_key, or neither".into()),
    }
}

fn credential<'a>(k: &'a Keys) -> Result<Credential<'a>, String> {
    Ok(Credential {
        id: SecretId::new(&k.id).map_err(|e| e.to_string())?,
        key: k.key.clone(),
        token: match &k.token {
            Some(t) => Some(Token::new(t).map_err(|e| e.to_string())?),
            None => None,
        },
    })
}

/// Signs one spec. With `show`, the canonical request and string to sign go to stderr.
pub fn sign_spec(spec: &Spec, show: bool) -> Result<Capture, String> {
    let keys = keys_for(spec)?;
    let cred = credential(&keys)?;
    match spec.sign_method.as_str() {
        "TC3-HMAC-SHA256" => sign_v3(spec, &cred, show),
        "HmacSHA1" | "HmacSHA256" => sign_v1(spec, &cred, show),
        other => Err(format!("unknown sign_method {other:?}")),
    }
}

/// Flattens `params` (§2.2) into owned pairs.
fn flatten(params: &Value) -> Result<Vec<(String, String)>, String> {
    tc3::params::flatten(params).map_err(|e| format!("params: {e}"))
}

fn sign_v3(spec: &Spec, cred: &Credential<'_>, show: bool) -> Result<Capture, String> {
    let method = v3::Method::parse(&spec.http_method).map_err(|e| e.to_string())?;
    let get = method == v3::Method::Get;
    let body: Vec<u8> = match (&spec.body, get) {
        (Some(b), _) => b.clone().into_bytes(),
        (None, true) => Vec::new(),
        // compact JSON with raw UTF-8, in the caller's key order
        (None, false) => serde_json::to_vec(&spec.params).map_err(|e| e.to_string())?,
    };
    let query: String = match (&spec.query, get) {
        (Some(q), _) => q.clone(),
        (None, false) => String::new(),
        (None, true) => {
            let pairs = flatten(&spec.params)?;
            let mut refs: Vec<(&str, &str)> = pairs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let mut out = Vec::new();
            tc3::params::write_sorted_query(&mut refs, &mut out)
                .map_err(|e| format!("params: {e}"))?;
            String::from_utf8(out).map_err(|e| e.to_string())?
        }
    };
    let content_type = spec.content_type.clone().unwrap_or_else(|| {
        if get {
            "application/x-www-form-urlencoded"
        } else {
            "application/json"
        }
        .to_owned()
    });
    let digest;
    let payload = if spec.unsigned_payload {
        v3::Payload::Unsigned
    } else if let Some(hex) = &spec.payload_sha256 {
        let mut d = [0u8; 32];
        match base16ct::lower::decode(hex.as_bytes(), &mut d) {
            Ok(decoded) if decoded.len() == 32 => digest = d,
            _ => return Err("payload_sha256 must be 64 lowercase hex digits".into()),
        }
        v3::Payload::Sha256(digest)
    } else {
        v3::Payload::Bytes(&body)
    };
    let timestamp = spec.timestamp.to_string();
    // the values of extra signed headers are the values tc3 sends
    let mut extra: Vec<(&str, &str)> = Vec::new();
    for name in &spec.signed_headers {
        let name = name.as_str();
        let value = match name.to_ascii_lowercase().as_str() {
            "content-type" | "host" => continue,
            "x-tc-action" => spec.action.as_str(),
            "x-tc-version" => spec.version.as_str(),
            "x-tc-timestamp" => timestamp.as_str(),
            "x-tc-region" => spec.region.as_deref().unwrap_or_default(),
            "x-tc-language" => spec.language.as_deref().unwrap_or_default(),
            "x-tc-token" => cred.token.map(|t| t.as_str()).unwrap_or_default(),
            "x-tc-requestclient" => spec.request_client.as_deref().unwrap_or_default(),
            "x-tc-traceid" => spec.trace_id.as_deref().unwrap_or_default(),
            _ => {
                return Err(format!(
                    "signed_headers: tc3 sends no header {name:?} to sign"
                ))
            }
        };
        extra.push((name, value));
    }
    let req = v3::Request {
        method,
        uri: &spec.path,
        query: &query,
        host: &spec.host,
        content_type: &content_type,
        extra_signed_headers: &extra,
        payload,
    };
    let common = v3::Common {
        service: &spec.service,
        action: &spec.action,
        version: &spec.version,
        region: spec.region.as_deref(),
        timestamp: spec.timestamp,
        language: spec.language.as_deref(),
        request_client: spec.request_client.as_deref(),
    };
    let signed = v3::sign_fresh(cred, &common, &req).map_err(|e| e.to_string())?;
    if show {
        let mut cr = Vec::new();
        v3::canonical_request(&req, &mut cr).map_err(|e| e.to_string())?;
        let mut sts = Vec::new();
        v3::string_to_sign(&common, &req, &mut sts).map_err(|e| e.to_string())?;
        eprintln!("CanonicalRequest:\n{}\n", String::from_utf8_lossy(&cr));
        eprintln!("StringToSign:\n{}\n", String::from_utf8_lossy(&sts));
        eprintln!("Signature: {}", signed.signature().as_hex());
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    for (n, v) in signed.headers() {
        if n == "Authorization" {
            if let Some(t) = &spec.trace_id {
                headers.push(("x-tc-traceid".into(), t.clone()));
            }
        }
        headers.push((n.to_ascii_lowercase(), v.to_owned()));
    }
    Ok(Capture {
        id: spec.id.clone(),
        method: spec.http_method.clone(),
        path: spec.path.clone(),
        query: (!query.is_empty()).then_some(query),
        headers,
        body,
    })
}

fn sign_v1(spec: &Spec, cred: &Credential<'_>, show: bool) -> Result<Capture, String> {
    let sm = v1::SignatureMethod::parse(&spec.sign_method).map_err(|e| e.to_string())?;
    let get = match spec.http_method.as_str() {
        "GET" => true,
        "POST" => false,
        m => {
            return Err(format!(
                "http_method {m:?}: the legacy signature takes GET or POST"
            ))
        }
    };
    if spec.body.is_some() || spec.query.is_some() || spec.unsigned_payload {
        return Err("body, query and unsigned_payload do not apply to a legacy signature".into());
    }
    let nonce = spec.nonce.ok_or("a legacy signature needs a nonce")?;
    let params = flatten(&spec.params)?;
    let mut common = v1::Common::new(&spec.action, &spec.version, spec.timestamp, nonce, cred.id);
    common.signature_method = Some(sm);
    common.region = spec.region.as_deref();
    common.token = cred.token;
    common.language = spec.language.as_deref();
    common.request_client = spec.request_client.as_deref();
    let mut pairs: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    common.add_to(&mut pairs).map_err(|e| e.to_string())?;
    let rule = v1::KeyRule::UnderscoreAsDot;
    let sig = v1::sign(
        &v1::Request::get(&spec.host)
            .with_method(&spec.http_method)
            .with_path(&spec.path)
            .with_rule(rule),
        &mut pairs,
        &cred.key,
    )
    .map_err(|e| e.to_string())?;
    if show {
        let mut sts = Vec::new();
        v1::Request::get(&spec.host)
            .with_method(&spec.http_method)
            .with_path(&spec.path)
            .with_rule(rule)
            .write_string_to_sign(&pairs, &mut sts)
            .map_err(|e| e.to_string())?;
        eprintln!("StringToSign:\n{}\n", String::from_utf8_lossy(&sts));
        eprintln!("Signature: {}", sig.as_str());
    }
    let mut wire = Vec::new();
    v1::write_request(&pairs, &sig, &mut wire);
    let wire = String::from_utf8(wire).map_err(|e| e.to_string())?;
    let mut headers = vec![("host".to_owned(), spec.host.clone())];
    let (query, body) = if get {
        (Some(wire), Vec::new())
    } else {
        headers.push((
            "content-type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
        (None, wire.into_bytes())
    };
    if let Some(t) = &spec.trace_id {
        headers.push(("x-tc-traceid".into(), t.clone()));
    }
    Ok(Capture {
        id: spec.id.clone(),
        method: spec.http_method.clone(),
        path: spec.path.clone(),
        query,
        headers,
        body,
    })
}

/// A nonce for a legacy request signed from flags: 1 ..= 2^31-1, from the process's randomly
/// seeded hasher (the CLI needs no cryptographic randomness here: the nonce only has to differ
/// between requests within the clock window).
fn random_nonce() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(tc3::now_unix());
    h.finish() % 0x7fff_ffff + 1
}

/// Single-quotes a word for a POSIX shell.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A curl command line sending the captured request over HTTPS.
pub fn curl_line(cap: &Capture) -> String {
    let host = cap.header("host").unwrap_or_default();
    let mut url = format!("https://{host}{}", cap.path);
    if let Some(q) = &cap.query {
        url.push('?');
        url.push_str(q);
    }
    let mut line = format!("curl -sS -X {} {}", cap.method, sh_quote(&url));
    for (n, v) in &cap.headers {
        line.push_str(" -H ");
        line.push_str(&sh_quote(&format!("{}: {v}", header_case(n))));
    }
    if !cap.body.is_empty() || cap.method == "POST" {
        line.push_str(" --data-binary ");
        line.push_str(&sh_quote(&String::from_utf8_lossy(&cap.body)));
    }
    line
}

/// `x-tc-action` → `X-TC-Action`, `content-type` → `Content-Type`.
fn header_case(n: &str) -> String {
    n.split('-')
        .map(|p| match p {
            "tc" => "TC".to_owned(),
            _ => {
                let mut c = p.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}
