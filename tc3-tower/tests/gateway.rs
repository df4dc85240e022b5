//! `tc3-gateway` as a process between a raw HTTP/1.1 client and a real upstream on loopback.
mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use support::*;

fn setup(name: &str, extra: &[&str]) -> (Upstream, Gateway, std::path::PathBuf) {
    let dir = scratch(name);
    let keys = write_keys(&dir, &[(ID, KEY), ("AKIDsecond", "second-key")]);
    let up = upstream();
    let gw = Gateway::start(&keys, up.addr, extra);
    (up, gw, keys)
}

#[test]
fn tc3_request_is_forwarded_exactly_and_the_answer_returned_unchanged() {
    let (up, gw, _) = setup("forward", &[]);
    let mut req = tc3_post(ID, KEY, now(), "/?x=1&y=%20", "/?x=1&y=%20", &[]);
    req.headers_mut()
        .insert("x-tc3-secret-id", "AKIDforged".parse().unwrap());
    req.headers_mut()
        .insert("x-tc3-admin", "yes".parse().unwrap());
    req.headers_mut()
        .insert("x-custom", "kept".parse().unwrap());
    req.headers_mut()
        .insert("connection", "close, x-hop".parse().unwrap());
    req.headers_mut()
        .insert("x-hop", "dropped".parse().unwrap());
    req.headers_mut()
        .insert("keep-alive", "timeout=5".parse().unwrap());
    let reply = send(gw.addr, &req);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("x-upstream"), Some("1"));
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.body, upstream_answer(0).as_bytes());

    let seen = up.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let s = &seen[0];
    assert_eq!(s.method, "POST");
    assert_eq!(s.target, "/?x=1&y=%20");
    assert_eq!(s.body, BODY);
    assert_eq!(s.header("host"), Some(HOST));
    assert_eq!(s.header("x-tc3-secret-id"), Some(ID));
    assert_eq!(
        s.headers
            .iter()
            .filter(|(n, _)| n.to_ascii_lowercase().starts_with("x-tc3-"))
            .count(),
        1
    );
    assert_eq!(s.header("x-custom"), Some("kept"));
    assert_eq!(
        s.header("authorization"),
        req.headers()
            .get("authorization")
            .map(|v| v.to_str().unwrap())
    );
    assert_eq!(s.header("x-tc-action"), Some("DescribeInstances"));
    assert!(!s.has("x-hop"));
    assert!(!s.has("keep-alive"));
    assert_eq!(s.header("content-length"), Some(&*BODY.len().to_string()));
}

#[test]
fn failures_are_answered_locally_with_the_envelope() {
    let (up, gw, _) = setup("failures", &[]);
    let ts = now();
    let cases = [
        (
            tc3_post(ID, "wrong-key", ts, "/", "/", &[]),
            "AuthFailure.SignatureFailure",
        ),
        (
            tc3_post("AKIDunknown", KEY, ts, "/", "/", &[]),
            "AuthFailure.SecretIdNotFound",
        ),
        (
            tc3_post(ID, KEY, ts - 1000, "/", "/", &[]),
            "AuthFailure.SignatureExpire",
        ),
        (
            legacy_post(ID, "wrong-key", ts, 7),
            "AuthFailure.SignatureFailure",
        ),
    ];
    for (req, code) in &cases {
        let r = send(gw.addr, req);
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.code().as_deref(), Some(*code));
    }
    // Unsigned and CONNECT.
    let r = send_raw(
        gw.addr,
        format!("POST / HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}").as_bytes(),
    );
    assert_eq!(
        r.code().as_deref(),
        Some("AuthFailure.InvalidAuthorization")
    );
    let r = send_raw(
        gw.addr,
        b"CONNECT cvm.tencentcloudapi.com:443 HTTP/1.1\r\nHost: cvm.tencentcloudapi.com:443\r\n\r\n",
    );
    assert_eq!(r.status, 405);
    assert!(up.seen.lock().unwrap().is_empty());
}

#[test]
fn legacy_nonce_is_single_use_and_tc3_replay_is_optional() {
    let (up, gw, _) = setup("replay-memory", &[]);
    let ts = now();
    let legacy = legacy_post(ID, KEY, ts, 4242);
    assert_eq!(send(gw.addr, &legacy).body, upstream_answer(0).as_bytes());
    for _ in 0..3 {
        assert_eq!(
            send(gw.addr, &legacy).code().as_deref(),
            Some("AuthFailure.SignatureExpire")
        );
    }
    // Another nonce passes.
    assert_eq!(
        send(gw.addr, &legacy_post(ID, KEY, ts, 4243)).body,
        upstream_answer(1).as_bytes()
    );
    // TC3 duplicates pass by default.
    let tc3 = tc3_post(ID, KEY, ts, "/", "/", &[]);
    assert_eq!(send(gw.addr, &tc3).code(), None);
    assert_eq!(send(gw.addr, &tc3).code(), None);
    assert_eq!(up.seen.lock().unwrap().len(), 4);
    drop(gw);

    // With --tc3-replay the second copy is refused.
    let (up, gw, _) = setup("replay-tc3", &["--tc3-replay"]);
    let tc3 = tc3_post(ID, KEY, now(), "/", "/", &[]);
    assert_eq!(send(gw.addr, &tc3).code(), None);
    assert_eq!(
        send(gw.addr, &tc3).code().as_deref(),
        Some("AuthFailure.SignatureExpire")
    );
    assert_eq!(up.seen.lock().unwrap().len(), 1);
}

#[test]
fn hardened_policy_and_mount_prefix() {
    let (_up, gw, _) = setup("hardened", &["--policy", "hardened", "--mount", "/cvm"]);
    let ts = now();
    assert_eq!(
        send(gw.addr, &tc3_post(ID, KEY, ts, "/", "/", &[]))
            .code()
            .as_deref(),
        Some("AuthFailure.InvalidAuthorization")
    );
    assert_eq!(
        send(gw.addr, &tc3_post(ID, KEY, ts, "/", "/", &["x-tc-action"])).code(),
        None
    );
    // Signed for `/` and sent to the endpoint path /cvm (what the Node and Go SDKs do behind
    // an endpoint with a path): accepted at the mount prefix, and at `/cvm/`.
    for path in ["/cvm", "/cvm/"] {
        assert_eq!(
            send(gw.addr, &tc3_post(ID, KEY, ts, path, "/", &["x-tc-action"])).code(),
            None,
            "{path}"
        );
    }
    // Not below it, nor at another prefix, nor for a path signed other than `/`.
    for (path, signed) in [("/cvm/x", "/"), ("/other", "/"), ("/cvm/v1/x", "/v1/x")] {
        assert_eq!(
            send(
                gw.addr,
                &tc3_post(ID, KEY, ts, path, signed, &["x-tc-action"])
            )
            .code()
            .as_deref(),
            Some("AuthFailure.SignatureFailure"),
            "{path} signed as {signed}"
        );
    }
    drop(gw);
    // Without the mount, a signed `/` is bound to `/`.
    let (_up, gw, _) = setup("nomount", &[]);
    assert_eq!(
        send(gw.addr, &tc3_post(ID, KEY, ts, "/cvm", "/", &[]))
            .code()
            .as_deref(),
        Some("AuthFailure.SignatureFailure")
    );
}

#[test]
fn body_limit() {
    let (up, gw, _) = setup("body", &["--max-body", "1024"]);
    // Declared too large: refused without reading.
    let r = send_raw(
        gw.addr,
        format!("POST / HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\nConnection: close\r\n\r\n{{").as_bytes(),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.code().as_deref(), Some("RequestSizeLimitExceeded"));
    // Chunked, no length: refused once 1024 bytes were read.
    let chunk = "a".repeat(600);
    let r = send_raw(
        gw.addr,
        format!("POST / HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n258\r\n{chunk}\r\n258\r\n{chunk}\r\n0\r\n\r\n").as_bytes(),
    );
    assert_eq!(r.code().as_deref(), Some("RequestSizeLimitExceeded"));
    // At the limit: verified normally.
    assert_eq!(
        send(gw.addr, &tc3_post(ID, KEY, now(), "/", "/", &[])).code(),
        None
    );
    assert_eq!(up.seen.lock().unwrap().len(), 1);
}

#[test]
fn body_timeout_refuses_a_trickled_body() {
    let (up, gw, _) = setup("body-timeout", &["--body-timeout", "1"]);
    let t = Instant::now();
    let r = send_raw(
        gw.addr,
        format!("POST / HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\nContent-Length: 10\r\nConnection: close\r\n\r\n{{").as_bytes(),
    );
    let waited = t.elapsed();
    assert_eq!(r.code().as_deref(), Some("InvalidRequest"));
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    assert!(up.seen.lock().unwrap().is_empty());
}

#[test]
fn header_timeout_closes_a_silent_connection() {
    let (_up, gw, _) = setup("header-timeout", &["--header-timeout", "1"]);
    let mut s = TcpStream::connect(gw.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    // Half a request head, then silence.
    s.write_all(b"POST / HTTP/1.1\r\nHost: x\r\n").unwrap();
    let t = Instant::now();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let waited = t.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
        "closed after {waited:?}"
    );
    // The server gives up on the head: either no answer or a 408.
    let text = String::from_utf8_lossy(&buf);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
}

#[test]
fn connection_limit() {
    let (_up, gw, _) = setup("connections", &["--max-connections", "2"]);
    let a = TcpStream::connect(gw.addr).unwrap();
    let b = TcpStream::connect(gw.addr).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let mut c = TcpStream::connect(gw.addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let t = Instant::now();
    let mut buf = [0u8; 16];
    let n = c.read(&mut buf).unwrap_or(0);
    assert_eq!(n, 0, "the third connection is closed at once");
    assert!(t.elapsed() < Duration::from_secs(2));
    assert!(gw.log().contains("connection closed: 2 connections open"));
    drop(a);
    drop(b);
    assert!(eventually(Duration::from_secs(5), || {
        send(gw.addr, &tc3_post(ID, KEY, now(), "/", "/", &[]))
            .code()
            .is_none()
    }));
}

#[test]
fn sigterm_finishes_requests_in_flight_then_exits() {
    let (up, mut gw, _) = setup("sigterm", &[]);
    let addr = gw.addr;
    let slow =
        std::thread::spawn(move || send(addr, &tc3_post(ID, KEY, now(), "/slow", "/slow", &[])));
    // The request is in flight: the upstream has it and is sleeping.
    assert!(eventually(Duration::from_secs(10), || {
        up.arrived.load(std::sync::atomic::Ordering::SeqCst) == 1
    }));
    gw.sigterm();
    let reply = slow.join().unwrap();
    assert_eq!(reply.body, upstream_answer(0).as_bytes());
    let t = Instant::now();
    let status = loop {
        if let Some(s) = gw.child.try_wait().unwrap() {
            break s;
        }
        assert!(t.elapsed() < Duration::from_secs(10), "did not exit");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    assert!(TcpStream::connect(addr).is_err());
    let log = gw.log();
    assert!(log.contains("shutting down: no new connections"), "{log}");
    assert!(log.contains("shut down: all connections closed"), "{log}");
    assert_eq!(up.seen.lock().unwrap().len(), 1);
}

#[test]
fn one_log_line_per_request_without_secrets() {
    let (_up, gw, keys) = setup("log", &[]);
    let ts = now();
    let token = "session-token-value-0123456789";
    let mut with_token = tc3_post(ID, KEY, ts, "/", "/", &[]);
    with_token
        .headers_mut()
        .insert("x-tc-token", token.parse().unwrap());
    let reqs = [
        with_token,
        tc3_post(ID, "wrong-key", ts, "/", "/", &[]),
        legacy_post(ID, KEY, ts, 99),
        legacy_post(ID, KEY, ts, 99),
    ];
    for r in &reqs {
        send(gw.addr, r);
    }
    assert!(eventually(Duration::from_secs(3), || gw
        .request_lines()
        .len()
        == 4));
    let lines = gw.request_lines();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(lines[0]
        .contains("-> OK TC3-HMAC-SHA256 AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE -> upstream 200"));
    assert!(lines[1].contains("-> AuthFailure.SignatureFailure"));
    assert!(lines[2].contains("-> OK HmacSHA256"));
    assert!(lines[3].contains("-> AuthFailure.SignatureExpire"));
    let log = gw.log();
    assert!(!log.contains(KEY));
    assert!(!log.contains("second-key"));
    assert!(!log.contains(token));
    for r in &reqs {
        if let Some(a) = r.headers().get("authorization") {
            let sig = a.to_str().unwrap().rsplit("Signature=").next().unwrap();
            assert!(!log.contains(sig));
        }
    }
    assert!(!log.contains("Signature="));
    drop(keys);
}

#[test]
fn keys_file_is_reloaded() {
    let (_up, gw, keys) = setup("reload", &[]);
    let req = tc3_post("AKIDnew", "new-key", now(), "/", "/", &[]);
    assert_eq!(
        send(gw.addr, &req).code().as_deref(),
        Some("AuthFailure.SecretIdNotFound")
    );
    write_keys(keys.parent().unwrap(), &[(ID, KEY), ("AKIDnew", "new-key")]);
    assert!(eventually(Duration::from_secs(5), || send(
        gw.addr,
        &tc3_post("AKIDnew", "new-key", now(), "/", "/", &[])
    )
    .code()
    .is_none()));
    // A broken file keeps the keys in force.
    std::fs::write(&keys, b"{not json").unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        send(
            gw.addr,
            &tc3_post("AKIDnew", "new-key", now(), "/", "/", &[])
        )
        .code(),
        None
    );
    assert!(gw.log().contains("the previous keys stay in force"));
}

#[test]
fn unreachable_upstream_is_an_internal_error() {
    let dir = scratch("no-upstream");
    let keys = write_keys(&dir, &[(ID, KEY)]);
    // A port that was free a moment ago.
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let gw = Gateway::start(&keys, free, &[]);
    let r = send(gw.addr, &tc3_post(ID, KEY, now(), "/", "/", &[]));
    assert_eq!(r.code().as_deref(), Some("InternalError"));
}
