//! A tight hand-written streaming signer built only from the public API of tc3, `sha2` and
//! `hmac`: everything of a TC3 signature that does not change between requests of one client
//! (method, URI, query, signed headers, credential, scope) prepared once: the SHA-256 state
//! after the constant canonical-request prefix and the constant `Authorization` prefix. Per
//! request: hash the body, finish the canonical request with its hex, HMAC the string to sign
//! with the cached key, append the hex signature. The best use of the `sha2`/`hmac` API the
//! bench knows; `v3::Template::sign` is measured against it.

use sha2::{Digest, Sha256};
use tc3::encode::{hex32, BufWriter, Sink};
use tc3::v3::{canonical, Method, Payload, SigningKey};

pub const AUTH_CAP: usize = 512;

pub struct Template {
    prefix: Sha256,
    auth: [u8; AUTH_CAP],
    auth_len: usize,
}

impl Template {
    /// Inputs as `v3::sign` would check them (here: the documented request, trusted).
    pub fn new(
        secret_id: &str,
        key: &SigningKey,
        method: Method,
        host: &str,
        content_type: &str,
    ) -> Self {
        let headers = [
            canonical::HeaderEntry {
                name: "content-type",
                value: content_type,
                fold: false,
            },
            canonical::HeaderEntry {
                name: "host",
                value: host,
                fold: false,
            },
        ];
        // The canonical request without its last line (the payload hash).
        let mut prefix = Sha256::new();
        let mut tmp = [0u8; 1024];
        let mut w = BufWriter::new(&mut tmp);
        canonical::write_canonical_request(method.as_str(), "/", "", &headers, &[b'0'; 64], &mut w);
        let cr = w.finish().expect("fits");
        prefix.update(&cr[..cr.len() - 64]);
        let mut auth = [0u8; AUTH_CAP];
        let mut w = BufWriter::new(&mut auth);
        w.put(b"TC3-HMAC-SHA256 Credential=");
        w.put(secret_id.as_bytes());
        w.put(b"/");
        w.put(&key.date().to_bytes());
        w.put(b"/");
        w.put(key.service().as_bytes());
        w.put(b"/tc3_request, SignedHeaders=");
        canonical::write_signed_headers(&headers, &mut w);
        w.put(b", Signature=");
        let auth_len = w.finish().expect("fits").len();
        Template {
            prefix,
            auth,
            auth_len,
        }
    }

    /// The `Authorization` value of one request (timestamp must be in the key's date).
    pub fn sign(&self, key: &SigningKey, timestamp: u64, body: &[u8]) -> ([u8; AUTH_CAP], usize) {
        let payload_hex = tc3::v3::hash_payload(&Payload::Bytes(body));
        let mut sha = self.prefix.clone();
        sha.update(payload_hex);
        let hcr = hex32(&sha.finalize().into());
        let mut sts = [0u8; 192];
        let mut w = BufWriter::new(&mut sts);
        canonical::write_string_to_sign(timestamp, key.date(), key.service(), &hcr, &mut w);
        let sig = key.sign_raw(w.finish().expect("fits"));
        let mut out = self.auth;
        let n = self.auth_len;
        out[n..n + 64].copy_from_slice(sig.as_hex().as_bytes());
        (out, n + 64)
    }
}
