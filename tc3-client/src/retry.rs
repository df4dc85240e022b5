//! Retry policy: which failures are retried, and how long to wait.
//!
//! Facts carried over from the official SDKs:
//! - Rate limits: Go `ratelimitretry.go` retries `RequestLimitExceeded`; Python
//!   `tencentcloud/common/retry.py` (`StandardRetryer.should_retry`) retries
//!   `RequestLimitExceeded`, `RequestLimitExceeded.UinLimitExceeded`,
//!   `RequestLimitExceeded.GlobalRegionUinLimitExceeded`, `ClientNetworkError` and
//!   `ServerNetworkError`. Here: every `RequestLimitExceeded*` code
//!   ([`tc3::envelope::ErrorCode::is_retryable`]).
//! - Backoff: both SDKs sleep `2^n` seconds before retry `n` (Go `profile.ExponentialBackoff`,
//!   Python `StandardRetryer.backoff`). Here: `base · 2^n`, capped, with jitter (a uniformly
//!   random delay in `[d/2, d]`), and an overall deadline.
//! - Network failures: Go `netretry.go` retries them only for requests with a `ClientToken`
//!   (idempotent), unless `UnsafeRetryOnConnectionFailure`. Here: a connection that failed before
//!   the request was sent is always retried; a request that may have reached the server only
//!   for read-only actions ([`is_read_only`]) or when [`RetryPolicy::retry_unsafe`] is set.

use std::time::Duration;

/// How a client retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 3).
    pub max_retries: u32,
    /// Delay before the first retry, doubled for each further one (default 1 s).
    pub base_delay: Duration,
    /// Longest single delay (default 8 s).
    pub max_delay: Duration,
    /// No retry starts later than this after the call began (default 60 s).
    pub deadline: Duration,
    /// Retry requests that may have reached the server even for actions that are not
    /// read-only (default false: such requests could be applied twice).
    pub retry_unsafe: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(8),
            deadline: Duration::from_secs(60),
            retry_unsafe: false,
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    ///
    /// ```
    /// assert_eq!(tc3_client::RetryPolicy::none().max_retries, 0);
    /// ```
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// This policy with `n` retries.
    ///
    /// ```
    /// let p = tc3_client::RetryPolicy::default().max_retries(5);
    /// assert_eq!(p.max_retries, 5);
    /// ```
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// This policy with another base delay and cap.
    ///
    /// ```
    /// use std::time::Duration;
    /// let p = tc3_client::RetryPolicy::default()
    ///     .delays(Duration::from_millis(100), Duration::from_secs(1));
    /// assert_eq!(p.delay_bounds(0), (Duration::from_millis(50), Duration::from_millis(100)));
    /// ```
    pub fn delays(mut self, base: Duration, max: Duration) -> Self {
        self.base_delay = base;
        self.max_delay = max;
        self
    }

    /// This policy with another overall deadline.
    ///
    /// ```
    /// use std::time::Duration;
    /// let p = tc3_client::RetryPolicy::default().deadline(Duration::from_secs(5));
    /// assert_eq!(p.deadline, Duration::from_secs(5));
    /// ```
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// This policy, also retrying requests that may have reached the server.
    ///
    /// ```
    /// assert!(tc3_client::RetryPolicy::default().retry_unsafe(true).retry_unsafe);
    /// ```
    pub fn retry_unsafe(mut self, yes: bool) -> Self {
        self.retry_unsafe = yes;
        self
    }

    /// The range `[low, high]` the delay before retry `n` (0-based) is drawn from:
    /// `high = min(base · 2^n, max)`, `low = high / 2`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let p = tc3_client::RetryPolicy::default();
    /// assert_eq!(p.delay_bounds(2), (Duration::from_secs(2), Duration::from_secs(4)));
    /// assert_eq!(p.delay_bounds(9), (Duration::from_secs(4), Duration::from_secs(8)));
    /// ```
    pub fn delay_bounds(&self, n: u32) -> (Duration, Duration) {
        let high = self
            .base_delay
            .checked_mul(1u32.checked_shl(n.min(31)).unwrap_or(u32::MAX))
            .unwrap_or(self.max_delay)
            .min(self.max_delay);
        (high / 2, high)
    }

    /// A jittered delay for retry `n`.
    pub(crate) fn delay(&self, n: u32) -> Duration {
        let (low, high) = self.delay_bounds(n);
        let span = high.saturating_sub(low).as_nanos() as u64;
        let r = if span == 0 {
            0
        } else {
            random_u64() % (span + 1)
        };
        low + Duration::from_nanos(r)
    }
}

/// Whether an action only reads, so that repeating it is harmless: its name starts with
/// `Describe`, `Get`, `Check`, `List`, `Query`, `Search`, `Inquiry` or `Inquire` followed by an
/// upper-case letter or the end (`Describe` alone, `DescribeInstances`; not `Getaway`).
///
/// ```
/// use tc3_client::is_read_only;
/// assert!(is_read_only("DescribeInstances"));
/// assert!(is_read_only("InquiryPriceRunInstances"));
/// assert!(!is_read_only("RunInstances"));
/// assert!(!is_read_only("Getaway"));
/// ```
pub fn is_read_only(action: &str) -> bool {
    const PREFIXES: [&str; 8] = [
        "Describe", "Get", "Check", "List", "Query", "Search", "Inquiry", "Inquire",
    ];
    PREFIXES.iter().any(|p| {
        action.strip_prefix(p).is_some_and(|rest| {
            rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_uppercase())
        })
    })
}

/// A random number from the process's randomly seeded hasher: enough for jitter and multipart
/// boundaries (neither needs cryptographic randomness).
pub(crate) fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    if let Ok(d) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        h.write_u128(d.as_nanos());
    }
    h.finish()
}
