//! Calls and retries against a real verifying server on loopback, with scripted faults.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{api_error, closed_port, ok, start, Reply};
use tc3_client::{Client, Credentials, Endpoint, Error, RetryPolicy, Sent};

const ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";

fn client(url: &str, retry: RetryPolicy) -> Client {
    Client::builder()
        .endpoint(Endpoint::url(url).unwrap())
        .region("ap-guangzhou")
        .credentials(Credentials::new(ID, KEY, None).unwrap())
        .retry(retry)
        .build()
}

fn fast(n: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_retries(n)
        .delays(Duration::from_millis(40), Duration::from_millis(200))
}

#[tokio::test]
async fn typed_call_is_signed_and_decoded() {
    let s = start("cvm", &[(ID, KEY)], |_, _| {
        ok("rid-1", r#""TotalCount":2,"Name":"a\nb""#)
    })
    .await;
    #[derive(serde::Deserialize, Debug, PartialEq)]
    #[serde(rename_all = "PascalCase")]
    struct Out {
        total_count: u64,
        name: String,
    }
    let out: Out = client(&s.url(), fast(0))
        .call(
            "cvm",
            "2017-03-12",
            "DescribeInstances",
            &serde_json::json!({"Limit": 1}),
        )
        .await
        .unwrap();
    assert_eq!(
        out,
        Out {
            total_count: 2,
            name: "a\nb".into()
        }
    );
    let seen = s.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].verified.as_deref(), Ok(ID));
    assert_eq!(seen[0].header("x-tc-action"), Some("DescribeInstances"));
    assert_eq!(seen[0].header("x-tc-version"), Some("2017-03-12"));
    assert_eq!(seen[0].header("x-tc-region"), Some("ap-guangzhou"));
    assert_eq!(seen[0].header("host"), Some(s.addr.to_string().as_str()));
    assert_eq!(seen[0].body, br#"{"Limit":1}"#);
}

#[tokio::test]
async fn api_error_is_typed_and_not_retried() {
    let s = start("cvm", &[(ID, KEY)], |_, _| {
        api_error("ResourceNotFound", "no such instance", "rid-err")
    })
    .await;
    let e = client(&s.url(), fast(3))
        .call_raw("cvm", "2017-03-12", "DescribeInstances", b"{}".to_vec())
        .await
        .unwrap_err();
    let Error::Api(a) = &e else { panic!("{e:?}") };
    assert_eq!(a.code, "ResourceNotFound");
    assert_eq!(a.message, "no such instance");
    assert_eq!(a.request_id.as_deref(), Some("rid-err"));
    assert!(!a.retryable);
    assert_eq!(a.attempts, 1);
    assert_eq!(s.count(), 1);
    assert_eq!(
        e.to_string(),
        "ResourceNotFound: no such instance (RequestId: rid-err)"
    );
}

#[tokio::test]
async fn wrong_key_is_refused_by_the_verifier() {
    let s = start(
        "cvm",
        &[(ID, "anotherkeyanotherkeyanotherkey12")],
        |_, _| ok("x", ""),
    )
    .await;
    let e = client(&s.url(), fast(3))
        .call_raw("cvm", "2017-03-12", "DescribeZones", b"{}".to_vec())
        .await
        .unwrap_err();
    assert_eq!(e.api().unwrap().code, "AuthFailure.SignatureFailure");
    assert_eq!(s.count(), 1);
    assert!(!format!("{e:?} {e}").contains(KEY));
}

/// Rate limited twice, then success: three attempts, each freshly signed (its own
/// timestamp and signature), delays within the jittered backoff bounds [d/2, d].
#[tokio::test]
async fn rate_limit_twice_then_success() {
    let s = start("cvm", &[(ID, KEY)], |i, _| match i {
        0 => api_error("RequestLimitExceeded", "slow down", "r0"),
        1 => api_error("RequestLimitExceeded.UinLimitExceeded", "slow down", "r1"),
        _ => ok("r2", r#""Ok":true"#),
    })
    .await;
    // base 2 s so that every retry lands in a later second (a fresh X-TC-Timestamp)
    let policy = RetryPolicy::default()
        .max_retries(3)
        .delays(Duration::from_secs(2), Duration::from_secs(8));
    let r = client(&s.url(), policy)
        .call_raw("cvm", "2017-03-12", "RunInstances", b"{}".to_vec())
        .await
        .unwrap();
    assert_eq!(r.attempts(), 3);
    assert_eq!(r.request_id(), Some("r2"));
    let seen = s.seen();
    assert_eq!(seen.len(), 3);
    let ts: Vec<u64> = seen
        .iter()
        .map(|x| x.header("x-tc-timestamp").unwrap().parse().unwrap())
        .collect();
    assert!(ts[0] < ts[1] && ts[1] < ts[2], "{ts:?}");
    let sigs: Vec<&str> = seen
        .iter()
        .map(|x| x.header("authorization").unwrap())
        .collect();
    assert!(sigs[0] != sigs[1] && sigs[1] != sigs[2] && sigs[0] != sigs[2]);
    assert!(seen.iter().all(|x| x.verified.as_deref() == Ok(ID)));
    let gap1 = seen[1].at - seen[0].at;
    let gap2 = seen[2].at - seen[1].at;
    let slack = Duration::from_millis(800);
    assert!(
        gap1 >= Duration::from_secs(1) && gap1 <= Duration::from_secs(2) + slack,
        "{gap1:?}"
    );
    assert!(
        gap2 >= Duration::from_secs(2) && gap2 <= Duration::from_secs(4) + slack,
        "{gap2:?}"
    );
}

#[tokio::test]
async fn rate_limit_gives_up_after_max_retries() {
    let s = start("cvm", &[(ID, KEY)], |i, _| {
        api_error("RequestLimitExceeded", "slow down", &format!("r{i}"))
    })
    .await;
    let e = client(&s.url(), fast(2))
        .call_raw("cvm", "2017-03-12", "RunInstances", b"{}".to_vec())
        .await
        .unwrap_err();
    let a = e.api().unwrap();
    assert_eq!(
        (a.code.as_str(), a.attempts, a.retryable),
        ("RequestLimitExceeded", 3, true)
    );
    assert_eq!(a.request_id.as_deref(), Some("r2"));
    assert_eq!(s.count(), 3);
}

#[tokio::test]
async fn deadline_stops_retrying() {
    let s = start("cvm", &[(ID, KEY)], |_, _| {
        api_error("RequestLimitExceeded", "x", "r")
    })
    .await;
    // the first delay is at least 0.5 s: beyond a 0.3 s deadline
    let policy = RetryPolicy::default()
        .max_retries(5)
        .deadline(Duration::from_millis(300));
    let t = Instant::now();
    let e = client(&s.url(), policy)
        .call_raw("cvm", "2017-03-12", "DescribeZones", b"{}".to_vec())
        .await
        .unwrap_err();
    assert_eq!(e.attempts(), 1);
    assert_eq!(s.count(), 1);
    assert!(t.elapsed() < Duration::from_millis(500));
}

/// Nothing listens: the request was never sent, so it is retried whatever the action;
/// 1 + 3 attempts with delays in [20, 40] + [40, 80] + [80, 160] ms.
#[tokio::test]
async fn connection_refused_is_retried_for_any_action() {
    let addr = closed_port().await;
    let attempts = Arc::new(std::sync::Mutex::new(Vec::new()));
    let a2 = attempts.clone();
    let c = Client::builder()
        .endpoint(Endpoint::url(&format!("http://{addr}")).unwrap())
        .credentials(Credentials::new(ID, KEY, None).unwrap())
        .retry(fast(3))
        .on_attempt(move |a| a2.lock().unwrap().push((a.number, a.retry_in)))
        .build();
    let t = Instant::now();
    let e = c
        .call_raw("cvm", "2017-03-12", "RunInstances", b"{}".to_vec())
        .await
        .unwrap_err();
    let el = t.elapsed();
    let Error::Transport(te) = &e else {
        panic!("{e:?}")
    };
    assert_eq!((te.sent, te.attempts, te.timed_out), (Sent::No, 4, false));
    assert!(
        el >= Duration::from_millis(140) && el < Duration::from_millis(280 + 1500),
        "{el:?}"
    );
    let seen = attempts.lock().unwrap().clone();
    assert_eq!(seen.iter().map(|x| x.0).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert!(seen[3].1.is_none());
    for (i, (_, d)) in seen.iter().take(3).enumerate() {
        let d = d.unwrap();
        let high = Duration::from_millis(40 << i);
        assert!(d >= high / 2 && d <= high, "{i}: {d:?}");
    }
}

/// The server reads the request and drops the connection: it may have acted on it, so a
/// write is not retried.
#[tokio::test]
async fn reset_after_sending_is_not_retried_for_a_write() {
    let s = start("cvm", &[(ID, KEY)], |_, _| Reply::Close).await;
    let e = client(&s.url(), fast(3))
        .call_raw("cvm", "2017-03-12", "RunInstances", b"{}".to_vec())
        .await
        .unwrap_err();
    let Error::Transport(te) = &e else {
        panic!("{e:?}")
    };
    assert_eq!((te.sent, te.attempts), (Sent::Maybe, 1));
    assert_eq!(s.count(), 1);
}

#[tokio::test]
async fn reset_after_sending_is_retried_for_a_read() {
    let s = start("cvm", &[(ID, KEY)], |i, _| {
        if i < 2 {
            Reply::Close
        } else {
            ok("r", "")
        }
    })
    .await;
    let r = client(&s.url(), fast(3))
        .call_raw("cvm", "2017-03-12", "DescribeInstances", b"{}".to_vec())
        .await
        .unwrap();
    assert_eq!(r.attempts(), 3);
    assert_eq!(s.count(), 3);
}

#[tokio::test]
async fn reset_after_sending_is_retried_for_a_write_when_opted_in() {
    let s = start("cvm", &[(ID, KEY)], |i, _| {
        if i < 2 {
            Reply::Close
        } else {
            ok("r", "")
        }
    })
    .await;
    let r = client(&s.url(), fast(3).retry_unsafe(true))
        .call_raw("cvm", "2017-03-12", "RunInstances", b"{}".to_vec())
        .await
        .unwrap();
    assert_eq!(r.attempts(), 3);
    assert_eq!(s.count(), 3);
}

/// A slow answer times out; a read is retried (1 + 1 attempts), a write is not.
#[tokio::test]
async fn slow_answers_time_out() {
    let s = start("cvm", &[(ID, KEY)], |_, _| {
        Reply::After(Duration::from_millis(1500), Box::new(ok("late", "")))
    })
    .await;
    let c = Client::builder()
        .endpoint(Endpoint::url(&s.url()).unwrap())
        .credentials(Credentials::new(ID, KEY, None).unwrap())
        .retry(fast(1))
        .timeout(Duration::from_millis(300))
        .build();
    let t = Instant::now();
    let e = c
        .call_raw("cvm", "2017-03-12", "DescribeInstances", b"{}".to_vec())
        .await
        .unwrap_err();
    let Error::Transport(te) = &e else {
        panic!("{e:?}")
    };
    assert_eq!((te.sent, te.attempts, te.timed_out), (Sent::Maybe, 2, true));
    assert!(t.elapsed() >= Duration::from_millis(600) && t.elapsed() < Duration::from_millis(1400));
    let e = c
        .call_raw("cvm", "2017-03-12", "TerminateInstances", b"{}".to_vec())
        .await
        .unwrap_err();
    assert_eq!(e.attempts(), 1);
    assert_eq!(s.count(), 3);
}

#[tokio::test]
async fn a_body_that_is_no_envelope_is_a_decode_error() {
    let s = start("cvm", &[(ID, KEY)], |_, _| {
        Reply::Raw(502, "text/html", "<html>bad gateway</html>".into())
    })
    .await;
    let e = client(&s.url(), fast(3))
        .call_raw("cvm", "2017-03-12", "DescribeZones", b"{}".to_vec())
        .await
        .unwrap_err();
    let Error::Decode(d) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(d.status, 502);
    assert_eq!(s.count(), 1);
}

/// The region breaker: five failures at the primary open it, the sixth call goes to the
/// backup.
#[tokio::test]
async fn region_breaker_switches_to_the_backup() {
    let primary = closed_port().await;
    let backup = start("cvm", &[(ID, KEY)], |_, _| ok("from-backup", "")).await;
    let c = Client::builder()
        .endpoint(Endpoint::url(&format!("http://{primary}")).unwrap())
        .credentials(Credentials::new(ID, KEY, None).unwrap())
        .retry(RetryPolicy::none())
        .region_breaker(
            tc3_client::BreakerConfig::default().backup(Endpoint::url(&backup.url()).unwrap()),
        )
        .build();
    for _ in 0..5 {
        let e = c
            .call_raw("cvm", "2017-03-12", "DescribeZones", b"{}".to_vec())
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Transport(_)), "{e:?}");
    }
    assert_eq!(backup.count(), 0);
    let r = c
        .call_raw("cvm", "2017-03-12", "DescribeZones", b"{}".to_vec())
        .await
        .unwrap();
    assert_eq!(r.request_id(), Some("from-backup"));
    assert_eq!(backup.count(), 1);
}

#[tokio::test]
async fn event_stream_yields_events_and_errors() {
    let body = "data: {\"Id\":\"1\",\"Choices\":[{\"FinishReason\":\"\"}]}\n\n: ping\n\nid: 7\ndata: {\"Id\":\"2\"}\n\ndata: {\"ErrorMsg\":{\"Code\":4000,\"Msg\":\"stopped\"}}\n\n";
    let s = start("hunyuan", &[(ID, KEY)], move |_, _| {
        Reply::Raw(200, "text/event-stream", body.into())
    })
    .await;
    let a = client(&s.url(), fast(0))
        .send(
            "hunyuan",
            "2023-09-01",
            "ChatCompletions",
            br#"{"Stream":true}"#.to_vec(),
        )
        .await
        .unwrap();
    let tc3_client::Answer::Events(mut ev) = a else {
        panic!("not a stream")
    };
    let mut got = Vec::new();
    while let Some(e) = ev.next().await {
        got.push(e.unwrap());
    }
    assert_eq!(got.len(), 3);
    assert_eq!(got[0].data, r#"{"Id":"1","Choices":[{"FinishReason":""}]}"#);
    assert_eq!((got[1].id.as_str(), got[2].id.as_str()), ("7", "7"));
    assert!(got[0].error.is_none() && got[1].error.is_none());
    let err = got[2].error.as_ref().unwrap();
    assert_eq!(
        (err.code.as_str(), err.message.as_str()),
        ("4000", "stopped")
    );
}

#[tokio::test]
async fn multipart_and_octet_stream_are_signed() {
    let s = start("svc", &[(ID, KEY)], |_, _| ok("r", "")).await;
    let c = client(&s.url(), fast(0));
    let parts = [
        tc3_client::Part::Text {
            name: "Name",
            value: "a.png",
        },
        tc3_client::Part::File {
            name: "File",
            data: b"\x89PNG\r\n",
        },
    ];
    c.call_multipart("svc", "2020-01-01", "Upload", &parts)
        .await
        .unwrap();
    c.call_octet_stream(
        "svc",
        "2020-01-01",
        "Upload",
        &[("X-SVC-Name", "a.bin")],
        vec![0u8, 1, 2],
    )
    .await
    .unwrap();
    let seen = s.seen();
    assert!(seen.iter().all(|x| x.verified.as_deref() == Ok(ID)));
    let ct = seen[0].header("content-type").unwrap();
    let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
    assert!(seen[0]
        .body
        .starts_with(format!("--{boundary}\r\n").as_bytes()));
    assert_eq!(
        seen[1].header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(seen[1].header("x-svc-name"), Some("a.bin"));
    assert_eq!(seen[1].body, [0u8, 1, 2]);
}

/// Events are handed over as they arrive: the first one before the server sends the rest.
#[tokio::test]
async fn events_arrive_before_the_stream_ends() {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let addr =
        support::stepped_stream("data: {\"Id\":\"1\"}\n\n", "data: {\"Id\":\"2\"}\n\n", rx).await;
    let a = client(&format!("http://{addr}"), fast(0))
        .send("hunyuan", "2023-09-01", "ChatCompletions", b"{}".to_vec())
        .await
        .unwrap();
    let tc3_client::Answer::Events(mut ev) = a else {
        panic!("not a stream")
    };
    let first = tokio::time::timeout(Duration::from_secs(5), ev.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(first.data, r#"{"Id":"1"}"#);
    tx.send(()).unwrap();
    let second = ev.next().await.unwrap().unwrap();
    assert_eq!(second.data, r#"{"Id":"2"}"#);
    assert!(ev.next().await.is_none());
}

#[tokio::test]
async fn debug_output_holds_no_secret() {
    let c = Client::builder()
        .credentials(Credentials::new(ID, KEY, Some("session-token-value")).unwrap())
        .build();
    let d = format!("{c:?}");
    assert!(d.contains(ID), "{d}");
    assert!(
        !d.contains(KEY) && !d.contains("session-token-value"),
        "{d}"
    );
}
