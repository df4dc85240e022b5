//! The region breaker: after repeated failures, send to a backup endpoint for a while.
//!
//! The rules of the Go SDK (`tencentcloud/common/circuit_breaker.go`, off by default there as
//! here): an attempt succeeds when the server answered with a `RequestId` and a code other
//! than `InternalError` (`sendWithRegionBreaker`); in the closed state, counts reset every
//! window (60 s); the breaker opens when failures ≥ 5 and failures ≥ 75 % of attempts, or
//! after more than 5 consecutive failures; while open (60 s) requests go to
//! `{service}.{backup}` (default backup `ap-guangzhou.tencentcloudapi.com`); then one request
//! goes to the primary (half-open): success closes the breaker, failure opens it again.

use crate::Endpoint;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Settings of the region breaker.
///
/// ```
/// let b = tc3_client::BreakerConfig::default();
/// assert_eq!(b.max_failures, 5);
/// assert_eq!(b.backup, tc3_client::BreakerConfig::default_backup());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BreakerConfig {
    /// Where requests go while the breaker is open.
    pub backup: Endpoint,
    /// Failures within a window that open the breaker (with `max_failure_percent`).
    pub max_failures: u32,
    /// Share of failed attempts, in percent, that opens the breaker (with `max_failures`).
    pub max_failure_percent: u32,
    /// Consecutive failures beyond which the breaker opens regardless.
    pub max_consecutive_failures: u32,
    /// Length of a counting window in the closed state.
    pub window: Duration,
    /// How long the breaker stays open.
    pub open_for: Duration,
}

impl BreakerConfig {
    /// `{service}.ap-guangzhou.tencentcloudapi.com`, the Go SDK's default backup.
    pub fn default_backup() -> Endpoint {
        Endpoint::InRegion("ap-guangzhou".into())
    }

    /// These settings with another backup endpoint.
    ///
    /// ```
    /// let b = tc3_client::BreakerConfig::default()
    ///     .backup(tc3_client::Endpoint::url("http://127.0.0.1:9").unwrap());
    /// assert!(matches!(b.backup, tc3_client::Endpoint::Url { https: false, .. }));
    /// ```
    pub fn backup(mut self, backup: Endpoint) -> Self {
        self.backup = backup;
        self
    }
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            backup: Self::default_backup(),
            max_failures: 5,
            max_failure_percent: 75,
            max_consecutive_failures: 5,
            window: Duration::from_secs(60),
            open_for: Duration::from_secs(60),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Closed,
    Open,
    HalfOpen,
}

#[derive(Debug)]
struct Inner {
    state: State,
    expiry: Instant,
    generation: u64,
    all: u32,
    failures: u32,
    consecutive: u32,
}

#[derive(Debug)]
pub(crate) struct Breaker {
    config: BreakerConfig,
    inner: Mutex<Inner>,
}

impl Breaker {
    pub(crate) fn new(config: BreakerConfig) -> Self {
        let expiry = Instant::now() + config.window;
        Breaker {
            config,
            inner: Mutex::new(Inner {
                state: State::Closed,
                expiry,
                generation: 0,
                all: 0,
                failures: 0,
                consecutive: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn advance(&self, s: &mut Inner, now: Instant) {
        match s.state {
            State::Closed if s.expiry <= now => self.set(s, State::Closed, now, true),
            State::Open if s.expiry <= now => self.set(s, State::HalfOpen, now, false),
            _ => {}
        }
    }

    fn set(&self, s: &mut Inner, state: State, now: Instant, force: bool) {
        if s.state == state && !force {
            return;
        }
        s.state = state;
        s.generation += 1;
        s.all = 0;
        s.failures = 0;
        s.consecutive = 0;
        s.expiry = match state {
            State::Closed => now + self.config.window,
            State::Open => now + self.config.open_for,
            State::HalfOpen => now,
        };
    }

    /// Before an attempt: its generation, and the backup endpoint if the breaker is open.
    pub(crate) fn before(&self) -> (u64, Option<&Endpoint>) {
        let mut s = self.lock();
        self.advance(&mut s, Instant::now());
        let backup = (s.state == State::Open).then_some(&self.config.backup);
        (s.generation, backup)
    }

    /// After an attempt of `generation`.
    pub(crate) fn after(&self, generation: u64, success: bool) {
        let now = Instant::now();
        let mut s = self.lock();
        self.advance(&mut s, now);
        if s.generation != generation {
            return;
        }
        s.all += 1;
        if success {
            s.consecutive = 0;
            if s.state == State::HalfOpen {
                self.set(&mut s, State::Closed, now, false);
            }
            return;
        }
        s.failures += 1;
        s.consecutive += 1;
        match s.state {
            State::HalfOpen => self.set(&mut s, State::Open, now, false),
            State::Closed => {
                let c = &self.config;
                let pct_ok = u64::from(s.failures) * 100
                    >= u64::from(c.max_failure_percent) * u64::from(s.all);
                if (s.failures >= c.max_failures && pct_ok)
                    || s.consecutive > c.max_consecutive_failures
                {
                    self.set(&mut s, State::Open, now, false);
                }
            }
            State::Open => {}
        }
    }
}
