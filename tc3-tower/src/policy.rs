//! Everything that builds a [`tc3::verify::Policy`] or reads a [`tc3::verify::Verified`]
//! result lives in this module, so that a change of the core verification API touches only
//! this file.

use http::request::Parts;
use sha2::{Digest, Sha256};
use tc3::v3::Payload;
use tc3::verify::{KeyProvider, LegacyScratch, Policy, RequestView, Verified, VerifyError};

/// The legacy parameter capacity of one verification: form bodies up to 64 KiB of decoded
/// parameters, 1024 parameters (beyond: `RequestSizeLimitExceeded`).
pub(crate) type Scratch = LegacyScratch<65536, 1024>;

thread_local! {
    /// One scratch per worker thread, reused (each verification starts afresh): saves a
    /// ~96 KiB allocation and zeroing per request.
    static SCRATCH: std::cell::RefCell<Option<Box<Scratch>>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` with this thread's scratch (a fresh one if it is in use).
fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    let mut s = SCRATCH
        .with(|c| c.try_borrow_mut().ok().and_then(|mut c| c.take()))
        .unwrap_or_else(|| Box::new(Scratch::new()));
    let r = f(&mut s);
    SCRATCH.with(|c| {
        if let Ok(mut c) = c.try_borrow_mut() {
            *c = Some(s);
        }
    });
    r
}

/// Which verification rules a gateway applies (the `--policy` and `--mount` flags of
/// `tc3-gateway`).
///
/// ```
/// use tc3_tower::GatewayPolicy;
///
/// let p = GatewayPolicy::hardened().with_mount("/cvm").with_max_skew(120);
/// assert!(p.is_hardened());
/// assert_eq!(p.mounts(), ["/cvm".to_owned()]);
/// assert_eq!(p.max_skew(), 120);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GatewayPolicy {
    hardened: bool,
    mounts: Vec<String>,
    max_skew: u64,
    skip_clock: bool,
}

impl Default for GatewayPolicy {
    fn default() -> Self {
        GatewayPolicy {
            hardened: false,
            mounts: Vec::new(),
            max_skew: tc3::verify::Policy::DEFAULT_WINDOW,
            skip_clock: false,
        }
    }
}

impl GatewayPolicy {
    /// The core crate's default policy, with the system clock and a ±300 s window.
    pub fn standard() -> Self {
        Self::default()
    }

    /// The default policy, and `x-tc-action` must be signed (a signature cannot be replayed
    /// against another action of the same service).
    pub fn hardened() -> Self {
        GatewayPolicy {
            hardened: true,
            ..Self::default()
        }
    }

    /// Parses the `--policy` value: `default` or `hardened`.
    ///
    /// ```
    /// use tc3_tower::GatewayPolicy;
    /// assert_eq!(GatewayPolicy::parse("hardened"), Some(GatewayPolicy::hardened()));
    /// assert_eq!(GatewayPolicy::parse("lax"), None);
    /// ```
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "default" => Some(Self::standard()),
            "hardened" => Some(Self::hardened()),
            _ => None,
        }
    }

    /// Adds a mount prefix: a request for `PREFIX` or `PREFIX/` may be signed for `/` (what
    /// the official SDKs send to an endpoint URL with a path). Every other path must be the
    /// signed canonical URI. `PREFIX` starts with `/`; a trailing `/` is ignored.
    pub fn with_mount(mut self, prefix: impl Into<String>) -> Self {
        let p: String = prefix.into();
        let p = p.trim_end_matches('/').to_owned();
        if !p.is_empty() {
            self.mounts.push(p);
        }
        self
    }

    /// Sets the clock window (seconds either way; default 300).
    pub fn with_max_skew(mut self, seconds: u64) -> Self {
        self.max_skew = seconds;
        self
    }

    /// Turns the clock check off (replaying old captures in tests; never in production).
    pub fn with_skip_clock(mut self, skip: bool) -> Self {
        self.skip_clock = skip;
        self
    }

    /// Whether `x-tc-action` must be signed.
    pub fn is_hardened(&self) -> bool {
        self.hardened
    }

    /// The mount prefixes.
    pub fn mounts(&self) -> &[String] {
        &self.mounts
    }

    /// The clock window, seconds.
    pub fn max_skew(&self) -> u64 {
        self.max_skew
    }

    /// The core policy: path bound, except that a signed `/` is accepted at each mount prefix
    /// (`P` and `P/`); `x-tc-action` signed when hardened.
    fn policy<'p>(&self, now: u64, mounts: &'p [&'p str]) -> Policy<'p> {
        let p = if self.skip_clock {
            Policy::skip_clock()
        } else {
            Policy::at(now)
        };
        let p = p.with_max_skew(self.max_skew).with_mount_prefixes(mounts);
        if self.hardened {
            p.with_required_signed(Policy::HARDENED)
        } else {
            p
        }
    }

    /// How long a replay-store entry for a request signed at `timestamp` must live: until
    /// the clock check refuses the timestamp anyway (at least one second).
    pub(crate) fn replay_ttl_ms(&self, timestamp: u64, now: u64) -> u64 {
        let until = if self.skip_clock {
            self.max_skew.saturating_mul(2)
        } else {
            timestamp.saturating_add(self.max_skew).saturating_sub(now)
        };
        until.saturating_add(1).saturating_mul(1000)
    }

    /// Verifies a buffered request with the core verifier under this policy.
    pub(crate) fn verify<K: KeyProvider + ?Sized>(
        &self,
        parts: &Parts,
        body: &[u8],
        keys: &K,
        now: u64,
    ) -> Result<VerifiedFacts, VerifyError> {
        let mounts: Vec<&str> = self.mounts.iter().map(String::as_str).collect();
        let policy = self.policy(now, &mounts);
        with_scratch(|scratch| {
            let view = RequestView::new(
                parts.method.as_str(),
                path_of(parts),
                parts.uri.query(),
                parts,
                Payload::Bytes(body),
            );
            tc3::verify::verify(&view, keys, &policy, scratch)
                .map(|v| VerifiedFacts::from_verified(&v, parts, now, self))
        })
    }

    /// The SecretId a request claims, learnt by running the verifier with a key provider that
    /// knows no key (for asynchronous key providers: the key is fetched, then the request is
    /// verified). An error other than `SecretIdNotFound` is the request's verdict.
    pub(crate) fn claimed_secret_id(
        &self,
        parts: &Parts,
        body: &[u8],
        now: u64,
    ) -> Result<String, VerifyError> {
        let seen = std::cell::RefCell::new(None::<String>);
        let probe = |id: &str| {
            *seen.borrow_mut() = Some(id.to_owned());
            None
        };
        let mounts: Vec<&str> = self.mounts.iter().map(String::as_str).collect();
        let policy = self.policy(now, &mounts);
        let verdict = with_scratch(|scratch| {
            let view = RequestView::new(
                parts.method.as_str(),
                path_of(parts),
                parts.uri.query(),
                parts,
                Payload::Bytes(body),
            );
            tc3::verify::verify(&view, &probe, &policy, scratch).map(|_| ())
        });
        match verdict {
            Err(VerifyError::SecretIdNotFound) => {
                seen.into_inner().ok_or(VerifyError::SecretIdNotFound)
            }
            Err(e) => Err(e),
            // The probe knows no key, so this cannot succeed; refuse rather than trust it.
            Ok(_) => Err(VerifyError::SecretIdNotFound),
        }
    }
}

fn path_of(parts: &Parts) -> &str {
    match parts.uri.path() {
        "" => "/",
        p => p,
    }
}

/// What the gateway learnt from a verified request, handed to the inner service in the
/// request extensions. `Debug` does not show the token.
///
/// ```
/// # use tc3_tower::VerifiedFacts;
/// fn handler(req: &http::Request<()>) -> Option<String> {
///     let facts = req.extensions().get::<VerifiedFacts>()?;
///     Some(format!("{} called {:?}", facts.secret_id, facts.action))
/// }
/// assert_eq!(handler(&http::Request::new(())), None);
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedFacts {
    /// The SecretId whose key signed the request.
    pub secret_id: String,
    /// The session token (`X-TC-Token` / `Token`), if one was sent.
    pub token: Option<Vec<u8>>,
    /// `TC3-HMAC-SHA256`, `HmacSHA1` or `HmacSHA256`.
    pub sign_method: &'static str,
    /// The signed timestamp.
    pub timestamp: u64,
    /// For TC3, the common `X-TC-*` headers among `SignedHeaders` (lowercase; `content-type`
    /// and `host` are always signed). For legacy signatures every parameter is signed:
    /// `None`.
    pub signed_common_headers: Option<Vec<String>>,
    /// The host the signature covers (`Host`, which must agree with the request's authority).
    pub host: String,
    /// The request path: the signed canonical URI, or a mount prefix of the policy at which
    /// a signed `/` was accepted.
    pub path: String,
    /// The action (`X-TC-Action` header or legacy `Action` parameter), if any.
    pub action: Option<String>,
    /// Whether the signature covers the action (always for legacy signatures; for TC3 only
    /// when `x-tc-action` is among `SignedHeaders`, which the hardened policy requires).
    pub action_signed: bool,
    /// The request id the gateway assigned (echoed in its own error envelopes).
    pub request_id: String,
    pub(crate) replay_key: Option<String>,
    pub(crate) tc3_replay_key: Option<String>,
    pub(crate) replay_ttl_ms: u64,
}

impl std::fmt::Debug for VerifiedFacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedFacts")
            .field("secret_id", &self.secret_id)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("sign_method", &self.sign_method)
            .field("timestamp", &self.timestamp)
            .field("signed_common_headers", &self.signed_common_headers)
            .field("host", &self.host)
            .field("path", &self.path)
            .field("action", &self.action)
            .field("action_signed", &self.action_signed)
            .field("request_id", &self.request_id)
            .finish_non_exhaustive()
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

impl VerifiedFacts {
    fn from_verified(v: &Verified<'_>, parts: &Parts, now: u64, policy: &GatewayPolicy) -> Self {
        let id_digest = Sha256::digest(v.secret_id().as_bytes());
        let id_tag = hex(id_digest.get(..16).unwrap_or(&[]));
        let (signed, replay_key, tc3_replay_key) = match v {
            Verified::Tc3(t) => {
                let signed = t
                    .signed_headers()
                    .filter(|n| n.starts_with("x-tc-"))
                    .map(str::to_owned)
                    .collect();
                // The signature is a secret-free but single-use value; only its digest is
                // stored.
                let auth = parts
                    .headers
                    .get("authorization")
                    .map(|a| a.as_bytes())
                    .unwrap_or(&[]);
                let key = format!("tc3:replay:tc3:{}", hex(&Sha256::digest(auth)[..16]));
                (Some(signed), None, Some(key))
            }
            Verified::Legacy(l) => (
                None,
                Some(format!(
                    "tc3:replay:legacy:{id_tag}:{}:{}",
                    l.nonce, l.timestamp
                )),
                None,
            ),
        };
        VerifiedFacts {
            secret_id: v.secret_id().to_owned(),
            token: v.token().value.map(|t| t.as_bytes().to_vec()),
            sign_method: v.sign_method(),
            timestamp: v.timestamp(),
            signed_common_headers: signed,
            host: v.host().to_owned(),
            path: v.path().to_owned(),
            action: v.action().value.map(str::to_owned),
            action_signed: v.action().signed,
            request_id: String::new(),
            replay_key,
            tc3_replay_key,
            replay_ttl_ms: policy.replay_ttl_ms(v.timestamp(), now),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_entries_live_until_the_clock_would_refuse_the_request() {
        let p = GatewayPolicy::standard();
        // Signed now: accepted for 300 more seconds.
        assert_eq!(p.replay_ttl_ms(1000, 1000), 301_000);
        // Signed 300 s ago: its last accepted second.
        assert_eq!(p.replay_ttl_ms(700, 1000), 1_000);
        // Signed 300 s ahead: accepted until 600 s from now.
        assert_eq!(p.replay_ttl_ms(1300, 1000), 601_000);
        let p = p.with_max_skew(10);
        assert_eq!(p.replay_ttl_ms(1000, 1005), 6_000);
        let p = GatewayPolicy::standard().with_skip_clock(true);
        assert_eq!(p.replay_ttl_ms(0, 1000), 601_000);
    }

    #[test]
    fn policies_and_mounts() {
        assert_eq!(
            GatewayPolicy::parse("default"),
            Some(GatewayPolicy::standard())
        );
        assert!(!GatewayPolicy::standard().is_hardened());
        let p = GatewayPolicy::standard().with_mount("/a/").with_mount("/");
        assert_eq!(p.mounts(), ["/a".to_owned()]);
        assert_eq!(p.policy(5, &[]).required_signed, &[] as &[&str]);
        assert_eq!(
            GatewayPolicy::hardened().policy(5, &[]).required_signed,
            &["x-tc-action"]
        );
        assert_eq!(GatewayPolicy::hardened().policy(5, &[]).now, Some(5));
        assert_eq!(p.policy(5, &["/a"]).mount_prefixes, &["/a"]);
    }
}
