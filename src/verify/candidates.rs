//! The values a signer may have signed instead of the ones received: the candidates the
//! diagnosis of [`explain`](super::explain) tries for a host, a Content-Type and a key (the
//! mistakes signers make). Shared by the TC3 and the legacy verifier.

use super::trace::Cause;
use crate::credential::SecretKey;

/// The hosts a signer may have signed instead of `host`: without / with a port, the global
/// endpoint for a regional one and the reverse, the scope service's endpoint.
pub(crate) fn host_candidates(
    host: &str,
    service: &str,
    region: Option<&str>,
    mut f: impl FnMut(&str) -> bool,
) -> bool {
    let mut buf: heapless::String<256> = heapless::String::new();
    let mut try_one = |parts: &[&str]| {
        buf.clear();
        for p in parts {
            if buf.push_str(p).is_err() {
                return false;
            }
        }
        buf.as_str() != host && f(&buf)
    };
    let (name, port) = match host.rsplit_once(':') {
        Some((n, p)) if !n.ends_with(']') || host.starts_with('[') => (n, Some(p)),
        _ => (host, None),
    };
    if port.is_some() && try_one(&[name]) {
        return true;
    }
    if port.is_none() && (try_one(&[host, ":443"]) || try_one(&[host, ":80"])) {
        return true;
    }
    const SUFFIX: &str = ".tencentcloudapi.com";
    if let Some(stem) = name.strip_suffix(SUFFIX) {
        match stem.split_once('.') {
            // regional → global
            Some((svc, _region)) => {
                if try_one(&[svc, SUFFIX]) {
                    return true;
                }
            }
            // global → regional
            None => {
                if let Some(r) = region {
                    if try_one(&[stem, ".", r, SUFFIX]) {
                        return true;
                    }
                }
            }
        }
    }
    try_one(&[service, SUFFIX])
}

/// The Content-Type values a signer may have signed instead of `ct`.
pub(crate) fn content_type_candidates(ct: &str, mut f: impl FnMut(&str) -> bool) -> bool {
    let media = ct.split(';').next().unwrap_or("").trim();
    let mut buf: heapless::String<256> = heapless::String::new();
    for suffix in [
        "",
        "; charset=utf-8",
        ";charset=utf-8",
        "; charset=UTF-8",
        "; charset=utf8",
    ] {
        buf.clear();
        if buf.push_str(media).is_err() || buf.push_str(suffix).is_err() {
            continue;
        }
        if buf.as_str() != ct && f(&buf) {
            return true;
        }
        let lower: heapless::String<256> = buf.chars().map(|c| c.to_ascii_lowercase()).collect();
        if lower.as_str() != ct && lower != buf && f(&lower) {
            return true;
        }
    }
    false
}

/// The keys a signer may have used instead of `key`: with whitespace around it, without
/// the whitespace it has, or the SecretId.
pub(crate) fn key_candidates(
    key: &SecretKey,
    secret_id: &str,
    mut f: impl FnMut(&SecretKey) -> bool,
) -> Option<Cause> {
    let k = key.expose_secret();
    let mut buf = [0u8; crate::credential::MAX_SECRET_KEY_LEN];
    let mut variant = |pre: &[u8], post: &[u8], buf: &mut [u8]| -> bool {
        let n = pre.len() + k.len() + post.len();
        let Some(dst) = buf.get_mut(..n) else {
            return false;
        };
        dst.iter_mut()
            .zip(pre.iter().chain(k).chain(post))
            .for_each(|(d, s)| *d = *s);
        SecretKey::from_bytes(dst).is_ok_and(|sk| f(&sk))
    };
    for (pre, post) in [
        (&b""[..], &b"\n"[..]),
        (b"", b" "),
        (b"", b"\r\n"),
        (b"", b"\t"),
        (b" ", b""),
        (b"\t", b""),
        (b"\n", b""),
        (b" ", b" "),
    ] {
        if variant(pre, post, &mut buf) {
            return Some(Cause::KeyWhitespace);
        }
    }
    let trimmed = k.trim_ascii();
    if trimmed.len() != k.len() && SecretKey::from_bytes(trimmed).is_ok_and(|sk| f(&sk)) {
        return Some(Cause::KeyWhitespace);
    }
    if SecretKey::new(secret_id).is_ok_and(|sk| f(&sk)) {
        return Some(Cause::KeyIsId);
    }
    None
}
