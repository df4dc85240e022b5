//! Replay protection on a real `redis-server`. These tests are `#[ignore]`d in a plain
//! `cargo test` (there is no Redis there); `.ci/redis` installs redis-server, starts one on
//! loopback, and runs them with `--ignored` and `TC3_REDIS_URL` set. Run by hand with:
//!
//! ```text
//! TC3_REDIS_URL=redis://127.0.0.1:6379/ cargo test -p tc3-tower --test redis -- --ignored
//! ```
//!
//! Without `TC3_REDIS_URL` (or, for the stop/start test, without a `redis-server` binary) an
//! ignored test run fails; it never passes silently.
mod support;

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::*;
use tc3_tower::{RedisReplayStore, ReplayStore};

fn redis_url() -> String {
    std::env::var("TC3_REDIS_URL")
        .expect("TC3_REDIS_URL is not set: run these tests through .ci/redis")
}

/// A nonce unlikely to have been used by an earlier run against the same server.
fn fresh_nonce() -> u64 {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    (n % 2_000_000_000) as u64 + 1
}

#[tokio::test]
#[ignore = "needs a redis-server: run by .ci/redis (TC3_REDIS_URL)"]
async fn set_if_absent_with_expiry() {
    let store = RedisReplayStore::open(&redis_url()).unwrap();
    let key = format!("tc3:test:{}", fresh_nonce());
    assert_eq!(
        store.insert_new(&key, Duration::from_millis(400)).await,
        Ok(true)
    );
    assert_eq!(
        store.insert_new(&key, Duration::from_millis(400)).await,
        Ok(false)
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        store.insert_new(&key, Duration::from_millis(400)).await,
        Ok(true)
    );
    // Concurrent inserts of one key: exactly one wins.
    let key2 = format!("tc3:test:race:{}", fresh_nonce());
    let store = std::sync::Arc::new(store);
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let (s, k) = (store.clone(), key2.clone());
        tasks.push(tokio::spawn(async move {
            s.insert_new(&k, Duration::from_secs(5)).await
        }));
    }
    let mut wins = 0;
    for t in tasks {
        if t.await.unwrap().unwrap() {
            wins += 1;
        }
    }
    assert_eq!(wins, 1);
}

#[test]
#[ignore = "needs a redis-server: run by .ci/redis (TC3_REDIS_URL)"]
fn a_legacy_request_replayed_to_another_instance_is_refused() {
    let url = redis_url();
    let dir = scratch("redis-two");
    let keys = write_keys(&dir, &[(ID, KEY)]);
    let up = upstream();
    let a = Gateway::start(&keys, up.addr, &["--redis", &url]);
    let b = Gateway::start(&keys, up.addr, &["--redis", &url, "--tc3-replay"]);
    let ts = now();
    let nonce = fresh_nonce();
    let req = legacy_post(ID, KEY, ts, nonce);
    assert_eq!(send(a.addr, &req).code(), None);
    assert_eq!(
        send(b.addr, &req).code().as_deref(),
        Some("AuthFailure.SignatureExpire")
    );
    assert_eq!(
        send(a.addr, &req).code().as_deref(),
        Some("AuthFailure.SignatureExpire")
    );
    // Another nonce is fine on either instance.
    assert_eq!(
        send(b.addr, &legacy_post(ID, KEY, ts, nonce + 1)).code(),
        None
    );
    // TC3 duplicate signatures: refused by B (which opted in), after A accepted one.
    let path = format!("/n{nonce}");
    let tc3 = tc3_post(ID, KEY, ts, &path, &path, &[]);
    assert_eq!(send(b.addr, &tc3).code(), None);
    assert_eq!(
        send(b.addr, &tc3).code().as_deref(),
        Some("AuthFailure.SignatureExpire")
    );
    assert_eq!(up.seen.lock().unwrap().len(), 3);
    assert!(b.log().contains("replay store redis (legacy and TC3)"));
    // The Redis URL is not logged.
    assert!(!a.log().contains(&url));
}

struct Redis {
    child: Child,
    port: u16,
}

impl Redis {
    fn start(port: u16) -> Redis {
        let bin = std::env::var("TC3_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        let child = Command::new(&bin)
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {bin}: {e} (set TC3_REDIS_SERVER)"));
        assert!(
            eventually(Duration::from_secs(5), || TcpStream::connect((
                "127.0.0.1",
                port
            ))
            .is_ok()),
            "redis-server did not come up"
        );
        Redis { child, port }
    }

    fn stop(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
#[ignore = "needs a redis-server binary: run by .ci/redis"]
fn redis_down_fails_closed_and_recovers() {
    // Only its own server is stopped; the shared one of TC3_REDIS_URL must exist too, so that
    // this test is not run by accident outside .ci/redis.
    let _ = redis_url();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let redis = Redis::start(port);
    let url = format!("redis://127.0.0.1:{}/", redis.port);
    let dir = scratch("redis-down");
    let keys = write_keys(&dir, &[(ID, KEY)]);
    let up = upstream();
    let gw = Gateway::start(&keys, up.addr, &["--redis", &url, "--tc3-replay"]);
    let ts = now();
    assert_eq!(send(gw.addr, &legacy_post(ID, KEY, ts, 1)).code(), None);

    redis.stop();
    for (i, req) in [
        legacy_post(ID, KEY, ts, 2),
        legacy_post(ID, KEY, ts, 3),
        tc3_post(ID, KEY, ts, "/", "/", &[]),
    ]
    .iter()
    .enumerate()
    {
        let t = Instant::now();
        let r = send(gw.addr, req);
        assert_eq!(r.status, 200);
        assert_eq!(
            r.code().as_deref(),
            Some("ServiceUnavailable"),
            "request {i}"
        );
        assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    }
    assert_eq!(
        up.seen.lock().unwrap().len(),
        1,
        "nothing forwarded while down"
    );

    let redis = Redis::start(port);
    assert!(eventually(Duration::from_secs(5), || send(
        gw.addr,
        &legacy_post(ID, KEY, ts, 4)
    )
    .code()
    .is_none()));
    // And replays are refused again.
    assert_eq!(
        send(gw.addr, &legacy_post(ID, KEY, ts, 4))
            .code()
            .as_deref(),
        Some("AuthFailure.SignatureExpire")
    );
    let lines = gw.request_lines();
    assert!(
        lines
            .iter()
            .filter(|l| l.contains("ServiceUnavailable"))
            .count()
            >= 3
    );
    drop(redis);
}
