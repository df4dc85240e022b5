//! Replay protection: a store of single-use keys, each kept until the clock window would
//! refuse its request anyway.
//!
//! The layer records, after a request verified:
//!
//! * legacy (HmacSHA1 / HmacSHA256): `(SecretId, Nonce, Timestamp)`, always;
//! * TC3 (optional, [`VerifyLayer::tc3_replay`](crate::VerifyLayer::tc3_replay)): the
//!   signature, so that the same signed request is accepted once within the window.
//!
//! Keys hold a digest of the SecretId or signature, never the value itself.
//! [`MemoryReplayStore`] protects one process; [`RedisReplayStore`] shares the window between
//! gateway instances with an atomic `SET key 1 NX PX ttl`.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Why a replay store could not decide. The layer then refuses the request (fails closed).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplayError {
    /// The store could not be reached or did not answer in time. The layer answers
    /// `ServiceUnavailable` (the client may retry).
    Unavailable(String),
    /// The store is full of live entries. The layer answers `RequestLimitExceeded`.
    Full,
}

impl std::fmt::Display for ReplayError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReplayError::Unavailable(why) => write!(f, "replay store unavailable: {why}"),
            ReplayError::Full => f.write_str("replay store full of live entries"),
        }
    }
}

impl std::error::Error for ReplayError {}

/// The future returned by [`ReplayStore::insert_new`].
pub type ReplayFuture<'a> = Pin<Box<dyn Future<Output = Result<bool, ReplayError>> + Send + 'a>>;

/// A set of single-use keys with expiry.
///
/// ```
/// use std::time::Duration;
/// use tc3_tower::{MemoryReplayStore, ReplayStore};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let store = MemoryReplayStore::new(1000);
/// assert_eq!(store.insert_new("k", Duration::from_secs(5)).await, Ok(true));
/// assert_eq!(store.insert_new("k", Duration::from_secs(5)).await, Ok(false));
/// # });
/// ```
pub trait ReplayStore: Send + Sync + 'static {
    /// Records `key` for `ttl` if it is not live: `Ok(true)` when it was recorded now,
    /// `Ok(false)` when it was already there (a replay). Must be atomic across everything
    /// that shares the store.
    fn insert_new<'a>(&'a self, key: &'a str, ttl: Duration) -> ReplayFuture<'a>;
}

/// An in-process store (one gateway instance). Bounded: beyond `capacity` live entries new
/// keys are refused ([`ReplayError::Full`]) rather than forgetting a live one.
#[derive(Debug)]
pub struct MemoryReplayStore {
    entries: Mutex<HashMap<String, Instant>>,
    capacity: usize,
}

impl MemoryReplayStore {
    /// An empty store holding at most `capacity` live keys (size it for request rate ×
    /// window; an entry takes about 100 bytes).
    pub fn new(capacity: usize) -> Self {
        MemoryReplayStore {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    fn insert_now(&self, key: &str, ttl: Duration, now: Instant) -> Result<bool, ReplayError> {
        let mut map = self
            .entries
            .lock()
            .map_err(|_| ReplayError::Unavailable("poisoned lock".into()))?;
        if let Some(exp) = map.get(key) {
            if *exp > now {
                return Ok(false);
            }
        }
        if map.len() >= self.capacity {
            map.retain(|_, exp| *exp > now);
            if map.len() >= self.capacity {
                return Err(ReplayError::Full);
            }
        }
        map.insert(key.to_owned(), now + ttl);
        Ok(true)
    }
}

impl Default for MemoryReplayStore {
    /// A store of one million keys.
    fn default() -> Self {
        Self::new(1_000_000)
    }
}

impl ReplayStore for MemoryReplayStore {
    fn insert_new<'a>(&'a self, key: &'a str, ttl: Duration) -> ReplayFuture<'a> {
        let r = self.insert_now(key, ttl, Instant::now());
        Box::pin(std::future::ready(r))
    }
}

/// A store on a Redis server shared by several gateway instances: `SET key 1 NX PX ttl`, one
/// atomic round trip per request.
///
/// The connection is opened on first use and reopened after any error; while Redis cannot
/// be reached every request fails with [`ReplayError::Unavailable`] within the timeout
/// (default 1 s), and requests are accepted again as soon as it is back.
///
/// ```no_run
/// use tc3_tower::{RedisReplayStore, StaticKeys, VerifyLayer};
///
/// let store = RedisReplayStore::open("redis://127.0.0.1:6379/").unwrap();
/// let keys = StaticKeys::from_pairs([("AKIDa", "key-a")]).unwrap();
/// let _layer = VerifyLayer::new(keys).replay_store(store);
/// ```
pub struct RedisReplayStore {
    client: redis::Client,
    conn: tokio::sync::Mutex<Option<redis::aio::MultiplexedConnection>>,
    timeout: Duration,
}

impl std::fmt::Debug for RedisReplayStore {
    // The URL may carry a password: not shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisReplayStore")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisReplayStore {
    /// A store on the server at `url` (`redis://[:password@]host:port/db`). Does not connect
    /// yet; an invalid URL is an error (its text is not repeated: it may hold a password).
    pub fn open(url: &str) -> Result<Self, ReplayError> {
        let client = redis::Client::open(url)
            .map_err(|_| ReplayError::Unavailable("invalid Redis URL".into()))?;
        Ok(RedisReplayStore {
            client,
            conn: tokio::sync::Mutex::new(None),
            timeout: Duration::from_secs(1),
        })
    }

    /// Sets the connect and response timeout (default 1 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    async fn connection(&self) -> Result<redis::aio::MultiplexedConnection, ReplayError> {
        let mut slot = self.conn.lock().await;
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let config = redis::AsyncConnectionConfig::new()
            .set_connection_timeout(self.timeout)
            .set_response_timeout(self.timeout);
        let c = self
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await
            .map_err(|e| ReplayError::Unavailable(e.kind_name()))?;
        *slot = Some(c.clone());
        Ok(c)
    }

    async fn set_nx(&self, key: &str, ttl: Duration) -> Result<bool, ReplayError> {
        let mut conn = self.connection().await?;
        let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let reply: Result<Option<String>, redis::RedisError> = redis::cmd("SET")
            .arg(key)
            .arg(1)
            .arg("NX")
            .arg("PX")
            .arg(ms)
            .query_async(&mut conn)
            .await;
        match reply {
            Ok(Some(_)) => Ok(true),
            Ok(None) => Ok(false),
            Err(e) => {
                // Reconnect on the next request.
                *self.conn.lock().await = None;
                Err(ReplayError::Unavailable(e.kind_name()))
            }
        }
    }
}

trait KindName {
    fn kind_name(&self) -> String;
}

impl KindName for redis::RedisError {
    fn kind_name(&self) -> String {
        // The category and the server's error code only: no URL, no key.
        if self.is_timeout() {
            "timeout".into()
        } else if self.is_connection_refusal() {
            "connection refused".into()
        } else if self.is_io_error() || self.is_connection_dropped() {
            "connection lost".into()
        } else {
            format!("{:?}", self.kind())
        }
    }
}

impl ReplayStore for RedisReplayStore {
    fn insert_new<'a>(&'a self, key: &'a str, ttl: Duration) -> ReplayFuture<'a> {
        Box::pin(async move {
            match tokio::time::timeout(self.timeout * 2, self.set_nx(key, ttl)).await {
                Ok(r) => r,
                Err(_) => {
                    *self.conn.lock().await = None;
                    Err(ReplayError::Unavailable("timeout".into()))
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_expires_and_is_bounded() {
        let s = MemoryReplayStore::new(2);
        let t0 = Instant::now();
        let ttl = Duration::from_secs(10);
        assert_eq!(s.insert_now("a", ttl, t0), Ok(true));
        assert_eq!(s.insert_now("a", ttl, t0), Ok(false));
        assert_eq!(s.insert_now("b", ttl, t0), Ok(true));
        assert_eq!(s.insert_now("c", ttl, t0), Err(ReplayError::Full));
        // After the TTL, "a" and "b" are gone and make room.
        let later = t0 + Duration::from_secs(11);
        assert_eq!(s.insert_now("c", ttl, later), Ok(true));
        assert_eq!(s.insert_now("a", ttl, later), Ok(true));
        assert_eq!(s.insert_now("a", ttl, later), Ok(false));
    }

    #[test]
    fn redis_url_is_never_shown() {
        let s = RedisReplayStore::open("redis://:hunter2@127.0.0.1:1/").unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
        let e = RedisReplayStore::open("nonsense://:hunter2@").unwrap_err();
        assert!(!e.to_string().contains("hunter2"));
    }
}
