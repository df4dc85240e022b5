//! Shared helpers of the `verify_*` tests: loading the SDK captures of
//! `tests/data/vectors/sdk/*/` and turning them into request views.
#![allow(dead_code)]

use base64ct::Encoding;
use serde_json::Value;
use std::collections::HashMap;
use tc3::v3::Payload;
use tc3::verify::RequestView;
use tc3::SecretKey;

pub const DIRS: [&str; 2] = ["curated", "random-101"];
pub const SDKS: [&str; 4] = ["python", "node", "go", "go_common"];

pub fn data_path(path: &str) -> String {
    format!("{}/tests/data/{}", env!("CARGO_MANIFEST_DIR"), path)
}

/// One captured request, owned.
#[derive(Clone, Debug)]
pub struct Capture {
    pub dir: &'static str,
    pub sdk: &'static str,
    pub id: String,
    pub sign_method: String,
    pub spec_http_method: String,
    pub spec_timestamp: u64,
    pub spec_nonce: Option<u64>,
    pub secret_id: String,
    pub secret_key: String,
    pub unsigned_payload: bool,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
}

impl Capture {
    pub fn is_tc3(&self) -> bool {
        self.sign_method == "TC3-HMAC-SHA256"
    }

    pub fn header_pairs(&self) -> Vec<(&str, &[u8])> {
        self.headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_slice()))
            .collect()
    }

    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    pub fn set_header(&mut self, name: &str, value: &[u8]) {
        let mut found = false;
        for (k, v) in self.headers.iter_mut() {
            if k.eq_ignore_ascii_case(name) {
                *v = value.to_vec();
                found = true;
            }
        }
        if !found {
            self.headers.push((name.to_string(), value.to_vec()));
        }
    }

    pub fn remove_header(&mut self, name: &str) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    }

    /// The legacy parameters (decoded, in order) from the query (GET) or body (POST).
    pub fn legacy_params(&self) -> Vec<(String, String)> {
        let src: &[u8] = if self.method == "GET" {
            self.query.as_deref().unwrap_or("").as_bytes()
        } else {
            &self.body
        };
        form_urlencoded::parse(src).into_owned().collect()
    }

    /// Replaces the legacy parameters (re-encoded).
    pub fn set_legacy_params(&mut self, params: &[(String, String)]) {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in params {
            ser.append_pair(k, v);
        }
        let enc = ser.finish();
        if self.method == "GET" {
            self.query = Some(enc);
        } else {
            self.body = enc.into_bytes();
        }
    }

    pub fn map_legacy_params(&mut self, f: impl FnOnce(&mut Vec<(String, String)>)) {
        let mut p = self.legacy_params();
        f(&mut p);
        self.set_legacy_params(&p);
    }
}

/// Builds a request view over `c` with `headers` from `c.header_pairs()`.
pub fn view<'a>(c: &'a Capture, headers: &'a [(&'a str, &'a [u8])]) -> RequestView<'a> {
    RequestView::new(
        &c.method,
        &c.path,
        c.query.as_deref(),
        headers,
        Payload::Bytes(&c.body),
    )
}

fn jstr(v: &Value, k: &str) -> String {
    v[k].as_str()
        .unwrap_or_else(|| panic!("{k} in {v}"))
        .to_string()
}

/// All usable captures (no "error"/"unsupported") of `dir/sdk.jsonl`, and the keys of the
/// folder's specs (SecretId → SecretKey).
pub fn load(dir: &'static str, sdk: &'static str) -> Vec<Capture> {
    let specs = load_specs(dir);
    let text = std::fs::read_to_string(data_path(&format!("vectors/sdk/{dir}/{sdk}.jsonl")))
        .expect("capture file");
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let c: Value = serde_json::from_str(line).expect("capture json");
        if c.get("error").is_some() || c.get("unsupported").is_some() {
            continue;
        }
        let id = jstr(&c, "id");
        let spec = specs.get(&id).unwrap_or_else(|| panic!("spec {id}"));
        let body = match c["body_encoding"].as_str() {
            Some("base64") => base64ct::Base64::decode_vec(c["body"].as_str().unwrap()).unwrap(),
            _ => c["body"].as_str().unwrap_or("").as_bytes().to_vec(),
        };
        let headers = c["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h[0].as_str().unwrap().to_string(),
                    h[1].as_str().unwrap().as_bytes().to_vec(),
                )
            })
            .collect();
        out.push(Capture {
            dir,
            sdk,
            id,
            sign_method: jstr(spec, "sign_method"),
            spec_http_method: jstr(spec, "http_method"),
            spec_timestamp: spec["timestamp"].as_u64().unwrap(),
            spec_nonce: spec["nonce"].as_u64(),
            secret_id: jstr(spec, "secret_id"),
            secret_key: jstr(spec, "secret_key"),
            unsigned_payload: spec["unsigned_payload"].as_bool().unwrap_or(false),
            method: jstr(&c, "method"),
            path: jstr(&c, "path"),
            query: c["query"].as_str().map(str::to_string),
            headers,
            body,
        });
    }
    out
}

pub fn load_specs(dir: &str) -> HashMap<String, Value> {
    let text = std::fs::read_to_string(data_path(&format!("vectors/sdk/{dir}/specs.jsonl")))
        .expect("specs file");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (jstr(&v, "id"), v)
        })
        .collect()
}

/// The key provider of one capture: its spec's SecretId → SecretKey (specs reuse a SecretId
/// with different keys, so keys are per spec).
pub fn provider(c: &Capture) -> impl Fn(&str) -> Option<SecretKey> + '_ {
    move |id: &str| {
        if id == c.secret_id {
            SecretKey::new(&c.secret_key).ok()
        } else {
            None
        }
    }
}
