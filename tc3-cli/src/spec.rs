//! Request specs and captures (the formats of `docs/cli.md` and the oracle).

use serde_json::{Map, Value};

/// A request spec: what a caller wants to send.
#[derive(Debug, Clone)]
pub struct Spec {
    pub id: Value,
    pub sign_method: String,
    pub http_method: String,
    pub host: String,
    pub path: String,
    pub service: String,
    pub action: String,
    pub version: String,
    pub region: Option<String>,
    pub timestamp: u64,
    pub nonce: Option<u64>,
    pub secret_id: Option<String>,
    pub secret_key: Option<String>,
    pub token: Option<String>,
    pub language: Option<String>,
    pub unsigned_payload: bool,
    pub params: Value,
    pub body: Option<String>,
    pub query: Option<String>,
    pub content_type: Option<String>,
    pub signed_headers: Vec<String>,
    pub payload_sha256: Option<String>,
    pub request_client: Option<String>,
    pub trace_id: Option<String>,
}

fn opt_str(o: &Map<String, Value>, k: &str) -> Result<Option<String>, String> {
    match o.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("field {k:?} must be a string or null")),
    }
}

fn req_str(o: &Map<String, Value>, k: &str) -> Result<String, String> {
    opt_str(o, k)?.ok_or_else(|| format!("field {k:?} is missing"))
}

fn opt_u64(o: &Map<String, Value>, k: &str) -> Result<Option<u64>, String> {
    match o.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| format!("field {k:?} must be a non-negative integer")),
    }
}

impl Spec {
    /// Reads a spec. `now` supplies the timestamp when the spec has none.
    pub fn from_json(v: &Value, now: impl FnOnce() -> u64) -> Result<Spec, String> {
        let o = v.as_object().ok_or("not a JSON object")?;
        let sign_method = req_str(o, "sign_method")?;
        let host = req_str(o, "host")?;
        let service = match opt_str(o, "service")? {
            Some(s) => s,
            None => host.split('.').next().unwrap_or_default().to_owned(),
        };
        let signed_headers = match o.get("signed_headers") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a
                .iter()
                .map(|h| {
                    h.as_str()
                        .map(str::to_owned)
                        .ok_or("signed_headers must be strings")
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err("field \"signed_headers\" must be a list of strings".into()),
        };
        let unsigned_payload = match o.get("unsigned_payload") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err("field \"unsigned_payload\" must be a boolean".into()),
        };
        let params = match o.get("params") {
            None | Some(Value::Null) => Value::Object(Map::new()),
            Some(p @ Value::Object(_)) => p.clone(),
            Some(_) => return Err("field \"params\" must be an object".into()),
        };
        Ok(Spec {
            id: o.get("id").cloned().unwrap_or(Value::Null),
            http_method: opt_str(o, "http_method")?
                .unwrap_or_else(|| "POST".into())
                .to_ascii_uppercase(),
            path: opt_str(o, "path")?.unwrap_or_else(|| "/".into()),
            action: req_str(o, "action")?,
            version: req_str(o, "version")?,
            region: opt_str(o, "region")?,
            timestamp: match opt_u64(o, "timestamp")? {
                Some(t) => t,
                None => now(),
            },
            nonce: opt_u64(o, "nonce")?,
            secret_id: opt_str(o, "secret_id")?,
            secret_key: opt_str(o, "secret_key")?,
            token: opt_str(o, "token")?,
            language: opt_str(o, "language")?,
            body: opt_str(o, "body")?,
            query: opt_str(o, "query")?,
            content_type: opt_str(o, "content_type")?,
            payload_sha256: opt_str(o, "payload_sha256")?,
            request_client: opt_str(o, "request_client")?,
            trace_id: opt_str(o, "trace_id")?,
            sign_method,
            host,
            service,
            unsigned_payload,
            params,
            signed_headers,
        })
    }
}

/// A request as it travels on the wire.
#[derive(Debug, Clone)]
pub struct Capture {
    pub id: Value,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Lowercase names, wire order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Capture {
    /// Reads a capture.
    pub fn from_json(v: &Value) -> Result<Capture, String> {
        let o = v.as_object().ok_or("not a JSON object")?;
        let method = req_str(o, "method")?;
        let path = opt_str(o, "path")?.unwrap_or_else(|| "/".into());
        let query = opt_str(o, "query")?;
        let mut headers = Vec::new();
        match o.get("headers") {
            Some(Value::Array(a)) => {
                for h in a {
                    match h.as_array().map(Vec::as_slice) {
                        Some([Value::String(n), Value::String(v)]) => {
                            headers.push((n.to_ascii_lowercase(), v.clone()))
                        }
                        _ => {
                            return Err("each header must be a [name, value] pair of strings".into())
                        }
                    }
                }
            }
            None | Some(Value::Null) => {}
            Some(_) => return Err("field \"headers\" must be a list".into()),
        }
        let body = match (opt_str(o, "body")?, opt_str(o, "body_encoding")?.as_deref()) {
            (None, _) => Vec::new(),
            (Some(b), None | Some("utf8")) => b.into_bytes(),
            (Some(b), Some("base64")) => {
                use base64ct::Encoding;
                base64ct::Base64::decode_vec(&b).map_err(|_| "body is not valid base64")?
            }
            (Some(_), Some(e)) => return Err(format!("unknown body_encoding {e:?}")),
        };
        Ok(Capture {
            id: o.get("id").cloned().unwrap_or(Value::Null),
            method,
            path,
            query,
            headers,
            body,
        })
    }

    /// The first header of that (lowercase) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The capture as JSON, in the format of `docs/cli.md`.
    pub fn to_json(&self) -> Value {
        let (body, enc) = match std::str::from_utf8(&self.body) {
            Ok(s) => (s.to_owned(), "utf8"),
            Err(_) => {
                use base64ct::Encoding;
                (base64ct::Base64::encode_string(&self.body), "base64")
            }
        };
        serde_json::json!({
            "id": self.id,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.headers.iter().map(|(n, v)| [n, v]).collect::<Vec<_>>(),
            "body": body,
            "body_encoding": enc,
        })
    }
}
