//! A tight hand-written streaming signer built only from the public API of tc3, `sha2` and
//! `hmac`: everything of a TC3 signature that does not change between requests of one client
//! (method, URI, query, signed headers, credential, scope) prepared once: the SHA-256 state
//! after the constant canonical-request prefix and the constant `Authorization` prefix. Per
//! request: hash the body, finish the canonical request with its hex, HMAC the string to sign
//! with the cached key, append the hex signature. The best use of the `sha2`/`hmac` API the
//! bench knows; `v3::Template::sign` is measured against it.

use sha2::{Digest, Sha256};
use tc3::v3::{Method, Payload, Request, SigningKey};
use tc3::{BufWriter, Sink};

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
        // The canonical request without its last line (the payload hash): tc3's debugging
        // view of a request whose payload digest is a placeholder.
        let req = Request {
            method,
            payload: Payload::Sha256([0; 32]),
            ..Request::new_post(host, content_type, b"")
        };
        let mut prefix = Sha256::new();
        let mut tmp = [0u8; 1024];
        let mut w = BufWriter::new(&mut tmp);
        tc3::v3::canonical_request(&req, &mut w).expect("the documented request");
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
        w.put(b"/tc3_request, SignedHeaders=content-type;host, Signature=");
        let auth_len = w.finish().expect("fits").len();
        Template {
            prefix,
            auth,
            auth_len,
        }
    }

    /// The `Authorization` value of one request (timestamp must be in the key's date).
    pub fn sign(&self, key: &SigningKey, timestamp: u64, body: &[u8]) -> ([u8; AUTH_CAP], usize) {
        let mut sha = self.prefix.clone();
        let mut hex = [0u8; 64];
        sha.update(hex_into(&Sha256::digest(body).into(), &mut hex));
        let mut hcr = [0u8; 64];
        hex_into(&sha.finalize().into(), &mut hcr);
        let mut sts = [0u8; 192];
        let mut w = BufWriter::new(&mut sts);
        w.put(b"TC3-HMAC-SHA256\n");
        w.put(itoa(timestamp, &mut [0u8; 20]));
        w.put(b"\n");
        w.put(&key.date().to_bytes());
        w.put(b"/");
        w.put(key.service().as_bytes());
        w.put(b"/tc3_request\n");
        w.put(&hcr);
        let sig = key.sign_raw(w.finish().expect("fits"));
        let mut out = self.auth;
        let n = self.auth_len;
        out[n..n + 64].copy_from_slice(sig.as_hex().as_bytes());
        (out, n + 64)
    }
}

/// Lowercase hex of a digest.
fn hex_into<'o>(digest: &[u8; 32], out: &'o mut [u8; 64]) -> &'o [u8] {
    hex::encode_to_slice(digest, out).expect("64 digits");
    out
}

/// Decimal digits of `n`.
fn itoa(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[i..];
        }
    }
}
