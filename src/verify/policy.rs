//! Verification policy: clock window, service, headers that must be signed, mount prefixes,
//! value rule.

use super::error::VerifyError;

/// How TC3 canonical header values are formed.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ValueRule {
    /// The documented rule only: trim, then ASCII-lowercase the value.
    Doc,
    /// The SDK rule only: trim, no lowercasing.
    Raw,
    /// Default: the doc rule first; if it fails and a signed value has an uppercase ASCII
    /// letter, the raw value too. The server lowercases values (doc edition A signs
    /// `x-tc-action:describeinstances` for `X-TC-Action: DescribeInstances`), while the SDKs
    /// sign values as sent; both are accepted — except that a `Content-Type` whose
    /// multipart `boundary=` has uppercase letters is only tried raw (the boundary is
    /// case-sensitive: its lowercased form names another boundary).
    DocThenRaw,
}

/// The default clock window, seconds.
pub(crate) const DEFAULT_WINDOW: u64 = 300;

/// Verification policy. `Copy`; `#[non_exhaustive]`: build it with [`Policy::default`]
/// (system clock), [`Policy::at`] (a given clock), [`Policy::skip_clock`],
/// [`Policy::hardened`] and the `with_*` methods.
///
/// The default binds the path: the request path must be the signed canonical URI. A
/// gateway serving the API behind a path prefix (where the Go and Python SDKs, given an
/// endpoint with a path, sign `/` and send `/prefix/`) names its prefixes with
/// [`with_mount_prefixes`](Self::with_mount_prefixes).
///
/// The borrowed lists can come from runtime configuration:
///
/// ```
/// use tc3::verify::Policy;
/// let config: Vec<String> = vec!["/tencent".into(), "x-tc-region".into()];
/// let prefixes: Vec<&str> = config[..1].iter().map(String::as_str).collect();
/// let required: Vec<&str> = ["x-tc-action", config[1].as_str()].into();
/// let policy = Policy::at(1_700_000_000)
///     .with_mount_prefixes(&prefixes)
///     .with_required_signed(&required)
///     .with_max_skew(60);
/// assert_eq!(policy.required_signed, ["x-tc-action", "x-tc-region"]);
/// assert_eq!(policy.max_past, 60);
/// ```
#[derive(Copy, Clone, Debug)]
#[non_exhaustive]
pub struct Policy<'p> {
    /// The current Unix time; `None` turns the clock check off (replaying old captures).
    pub now: Option<u64>,
    /// How far the timestamp may be ahead of `now` (default 300 s).
    pub max_future: u64,
    /// How far the timestamp may be behind `now` (default 300 s: a request is fresh when
    /// `|now − timestamp| ≤ 300`).
    pub max_past: u64,
    /// The service the TC3 credential scope must name; `None` = the first label of `Host`.
    pub service: Option<&'p str>,
    /// Headers (lowercase) that must be among `SignedHeaders`, beyond the always required
    /// `content-type` and `host`. See [`Policy::hardened`].
    pub required_signed: &'p [&'p str],
    /// Path prefixes (e.g. `/tencent`) behind which a signature over `/` is accepted for the
    /// request path `PREFIX` or `PREFIX/` (exactly those: never `PREFIX/other`). Empty by
    /// default: the request path must be the signed canonical URI.
    pub mount_prefixes: &'p [&'p str],
    /// Whether `X-TC-Content-SHA256: UNSIGNED-PAYLOAD` is accepted (default yes: Python, Go,
    /// Java and PHP offer it).
    pub allow_unsigned_payload: bool,
    /// Whether legacy (HmacSHA1 / HmacSHA256) signatures are accepted (default yes).
    pub allow_legacy: bool,
    /// TC3 header-value rule (default [`ValueRule::DocThenRaw`]).
    pub values: ValueRule,
}

impl<'p> Policy<'p> {
    /// The default clock window, seconds: [`max_future`](Self::max_future) and
    /// [`max_past`](Self::max_past) of [`Policy::at`].
    pub const DEFAULT_WINDOW: u64 = DEFAULT_WINDOW;

    /// The extra signed headers [`Policy::hardened`] requires: `x-tc-action`, so that a
    /// signature cannot be replayed against another action of the same service.
    pub const HARDENED: &'static [&'static str] = &[crate::header::ACTION];

    /// The default policy with the clock at `now` (Unix seconds).
    ///
    /// ```
    /// let p = tc3::verify::Policy::at(1000);
    /// assert!(p.check_clock(1300).is_ok() && p.check_clock(1301).is_err());
    /// ```
    pub const fn at(now: u64) -> Self {
        Policy {
            now: Some(now),
            max_future: DEFAULT_WINDOW,
            max_past: DEFAULT_WINDOW,
            service: None,
            required_signed: &[],
            mount_prefixes: &[],
            allow_unsigned_payload: true,
            allow_legacy: true,
            values: ValueRule::DocThenRaw,
        }
    }

    /// The default policy with the system clock.
    ///
    /// ```
    /// assert!(tc3::verify::Policy::now().now.is_some());
    /// ```
    #[cfg(feature = "std")]
    pub fn now() -> Self {
        Self::at(crate::time::now_unix())
    }

    /// The default policy without a clock check.
    ///
    /// ```
    /// assert!(tc3::verify::Policy::skip_clock().check_clock(0).is_ok());
    /// ```
    pub const fn skip_clock() -> Self {
        let mut p = Self::at(0);
        p.now = None;
        p
    }

    /// The hardened preset: [`Policy::default`] that also requires `x-tc-action` to be
    /// signed ([`Policy::HARDENED`]). The official SDKs sign only `content-type;host`:
    /// their requests are refused under it.
    ///
    /// ```
    /// use tc3::verify::Policy;
    /// assert_eq!(Policy::hardened().required_signed, ["x-tc-action"]);
    /// // with another clock
    /// let p = Policy::at(1_551_113_065).with_required_signed(Policy::HARDENED);
    /// assert_eq!(p.required_signed, Policy::hardened().required_signed);
    /// ```
    pub fn hardened() -> Self {
        Self::default().with_required_signed(Self::HARDENED)
    }

    /// Sets the clock (Unix seconds).
    ///
    /// ```
    /// assert_eq!(tc3::verify::Policy::skip_clock().with_now(5).now, Some(5));
    /// ```
    pub const fn with_now(mut self, now: u64) -> Self {
        self.now = Some(now);
        self
    }

    /// Sets both directions of the clock window.
    ///
    /// ```
    /// let p = tc3::verify::Policy::at(1000).with_max_skew(10);
    /// assert!(p.check_clock(1010).is_ok() && p.check_clock(989).is_err());
    /// ```
    pub const fn with_max_skew(mut self, seconds: u64) -> Self {
        self.max_future = seconds;
        self.max_past = seconds;
        self
    }

    /// Bounds the age of a request separately (seconds behind `now`).
    ///
    /// ```
    /// assert!(tc3::verify::Policy::at(1000).with_max_age(10).check_clock(989).is_err());
    /// ```
    pub const fn with_max_age(mut self, seconds: u64) -> Self {
        self.max_past = seconds;
        self
    }

    /// Requires the credential scope to name `service`.
    ///
    /// ```
    /// assert_eq!(tc3::verify::Policy::at(0).with_service("cvm").service, Some("cvm"));
    /// ```
    pub const fn with_service(mut self, service: &'p str) -> Self {
        self.service = Some(service);
        self
    }

    /// Requires these (lowercase) headers to be signed too (replaces the list).
    ///
    /// ```
    /// let p = tc3::verify::Policy::at(0).with_required_signed(&["x-tc-action", "x-tc-region"]);
    /// assert_eq!(p.required_signed.len(), 2);
    /// ```
    pub const fn with_required_signed(mut self, names: &'p [&'p str]) -> Self {
        self.required_signed = names;
        self
    }

    /// Names the path prefixes behind which a signed `/` is accepted (see
    /// [`mount_prefixes`](Self::mount_prefixes)).
    ///
    /// ```
    /// let p = tc3::verify::Policy::at(0).with_mount_prefixes(&["/tencent"]);
    /// assert_eq!(p.mount_prefixes, ["/tencent"]);
    /// ```
    pub const fn with_mount_prefixes(mut self, prefixes: &'p [&'p str]) -> Self {
        self.mount_prefixes = prefixes;
        self
    }

    /// Accepts or refuses `UNSIGNED-PAYLOAD`.
    ///
    /// ```
    /// assert!(!tc3::verify::Policy::at(0).with_unsigned_payload(false).allow_unsigned_payload);
    /// ```
    pub const fn with_unsigned_payload(mut self, allow: bool) -> Self {
        self.allow_unsigned_payload = allow;
        self
    }

    /// Accepts or refuses legacy signatures.
    ///
    /// ```
    /// assert!(!tc3::verify::Policy::at(0).with_legacy(false).allow_legacy);
    /// ```
    pub const fn with_legacy(mut self, allow: bool) -> Self {
        self.allow_legacy = allow;
        self
    }

    /// Sets the TC3 header-value rule.
    ///
    /// ```
    /// use tc3::verify::{Policy, ValueRule};
    /// assert_eq!(Policy::at(0).with_values(ValueRule::Raw).values, ValueRule::Raw);
    /// ```
    pub const fn with_values(mut self, values: ValueRule) -> Self {
        self.values = values;
        self
    }

    /// Checks `timestamp` against the window.
    ///
    /// ```
    /// use tc3::verify::{Policy, VerifyError};
    /// assert_eq!(
    ///     Policy::at(1000).check_clock(1301),
    ///     Err(VerifyError::Expired { timestamp: 1301, now: 1000 })
    /// );
    /// ```
    pub fn check_clock(&self, timestamp: u64) -> Result<(), VerifyError> {
        let Some(now) = self.now else { return Ok(()) };
        let fresh = if timestamp >= now {
            timestamp - now <= self.max_future
        } else {
            now - timestamp <= self.max_past
        };
        if fresh {
            Ok(())
        } else {
            Err(VerifyError::Expired { timestamp, now })
        }
    }

    /// Whether `path` is a mount point (`PREFIX` or `PREFIX/` of a named prefix).
    pub fn is_mount_point(&self, path: &str) -> bool {
        self.mount_prefixes.iter().any(|p| {
            let p = p.trim_end_matches('/');
            !p.is_empty() && (path == p || path.strip_prefix(p) == Some("/"))
        })
    }

    /// The canonical URIs to try for `path`, in order (one or two): the path itself, and `/`
    /// when the path is a mount point.
    pub(crate) fn uris<'r>(&self, path: &'r str) -> ([&'r str; 2], usize) {
        if path != "/" && self.is_mount_point(path) {
            ([path, "/"], 2)
        } else {
            ([path, path], 1)
        }
    }
}

/// The paths a signer may have signed instead of `path` (for a diagnosis): `/`, the path
/// with / without its trailing slash, and — when the request arrived at `/` — each mount
/// prefix with and without a slash (the signer signed the full path, and something stripped
/// the prefix before the verifier).
pub(crate) fn path_candidates(
    policy: &Policy<'_>,
    path: &str,
    mut f: impl FnMut(&str) -> bool,
) -> bool {
    let mut buf: heapless::String<512> = heapless::String::new();
    let mut try_one = |parts: &[&str]| {
        buf.clear();
        for p in parts {
            if buf.push_str(p).is_err() {
                return false;
            }
        }
        buf.as_str() != path && f(&buf)
    };
    if try_one(&["/"]) {
        return true;
    }
    match path.strip_suffix('/') {
        Some(s) if !s.is_empty() => {
            if try_one(&[s]) {
                return true;
            }
        }
        Some(_) => {}
        None => {
            if try_one(&[path, "/"]) {
                return true;
            }
        }
    }
    if path == "/" {
        for p in policy.mount_prefixes {
            let p = p.trim_end_matches('/');
            if try_one(&[p]) || try_one(&[p, "/"]) {
                return true;
            }
        }
    }
    false
}

impl Default for Policy<'_> {
    /// The system clock with `std`, otherwise no clock check; the path bound; no extra
    /// signed header required.
    fn default() -> Self {
        #[cfg(feature = "std")]
        {
            Self::now()
        }
        #[cfg(not(feature = "std"))]
        {
            Self::skip_clock()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_edges() {
        let p = Policy::at(1000);
        assert!(p.check_clock(700).is_ok());
        assert!(p.check_clock(1300).is_ok());
        assert!(p.check_clock(699).is_err());
        assert!(p.check_clock(1301).is_err());
        assert!(p.with_max_age(10).check_clock(989).is_err());
        assert!(Policy::skip_clock().check_clock(0).is_ok());
    }

    #[test]
    fn mount_points() {
        let p = Policy::at(0).with_mount_prefixes(&["/api/", "/x"]);
        assert_eq!(p.uris("/api"), (["/api", "/"], 2));
        assert_eq!(p.uris("/api/"), (["/api/", "/"], 2));
        assert_eq!(p.uris("/api/admin"), (["/api/admin", "/api/admin"], 1));
        assert_eq!(p.uris("/xy"), (["/xy", "/xy"], 1));
        assert_eq!(p.uris("/"), (["/", "/"], 1));
        assert_eq!(Policy::at(0).uris("/a"), (["/a", "/a"], 1));
    }
}
