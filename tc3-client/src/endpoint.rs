//! Where requests go.

use crate::Error;
use hyper::Uri;

/// The endpoint of a client: a host pattern or a fixed URL.
///
/// ```
/// use tc3_client::Endpoint;
/// assert_eq!(Endpoint::Default.authority("cvm", Some("ap-guangzhou")).unwrap(), "cvm.tencentcloudapi.com");
/// assert_eq!(Endpoint::Regional.authority("cvm", Some("ap-guangzhou")).unwrap(), "cvm.ap-guangzhou.tencentcloudapi.com");
/// assert_eq!(Endpoint::International.authority("cvm", None).unwrap(), "cvm.intl.tencentcloudapi.com");
/// let local = Endpoint::url("http://127.0.0.1:8080").unwrap();
/// assert_eq!(local.authority("cvm", None).unwrap(), "127.0.0.1:8080");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Endpoint {
    /// `https://{service}.tencentcloudapi.com` (the nearest region answers).
    #[default]
    Default,
    /// `https://{service}.{region}.tencentcloudapi.com` (needs a region).
    Regional,
    /// `https://{service}.intl.tencentcloudapi.com`.
    International,
    /// `https://{service}.{region}.tencentcloudapi.com` with this region, whatever the client's
    /// region (the region breaker's backup is `InRegion("ap-guangzhou")`).
    InRegion(String),
    /// A fixed base URL, `http` or `https`, requests go to its `/`.
    Url {
        /// `true` for `https`.
        https: bool,
        /// `host[:port]`, sent (and signed) as `Host`.
        authority: String,
    },
}

impl Endpoint {
    /// A fixed URL (`https://host[:port]` or, for local use, `http://…`); a bare host name
    /// means https. A path other than `/` is refused (every action is posted to `/`).
    ///
    /// ```
    /// let e = tc3_client::Endpoint::url("cvm.ap-beijing.tencentcloudapi.com").unwrap();
    /// assert_eq!(e.base_url("cvm", None).unwrap(), "https://cvm.ap-beijing.tencentcloudapi.com");
    /// assert!(tc3_client::Endpoint::url("ftp://x").is_err());
    /// ```
    pub fn url(url: &str) -> Result<Endpoint, Error> {
        let bad = |why: &str| Error::InvalidRequest(format!("endpoint {url:?}: {why}"));
        let full = if url.contains("://") {
            url.to_owned()
        } else {
            format!("https://{url}")
        };
        let uri: Uri = full.parse().map_err(|_| bad("not a URL"))?;
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(bad("the scheme must be http or https")),
        };
        let authority = uri.authority().ok_or_else(|| bad("no host"))?;
        if authority.as_str().contains('@') {
            return Err(bad("user information is not allowed"));
        }
        if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            return Err(bad("only a path of / is allowed"));
        }
        Ok(Endpoint::Url {
            https,
            authority: authority.as_str().to_owned(),
        })
    }

    /// The `Host` for `service` (and `region`, which [`Endpoint::Regional`] needs).
    pub fn authority(&self, service: &str, region: Option<&str>) -> Result<String, Error> {
        Ok(match self {
            Endpoint::Default => format!("{service}.tencentcloudapi.com"),
            Endpoint::Regional => match region.filter(|r| !r.is_empty()) {
                Some(r) => format!("{service}.{r}.tencentcloudapi.com"),
                None => {
                    return Err(Error::InvalidRequest(
                        "a regional endpoint needs a region".into(),
                    ))
                }
            },
            Endpoint::International => format!("{service}.intl.tencentcloudapi.com"),
            Endpoint::InRegion(r) => format!("{service}.{r}.tencentcloudapi.com"),
            Endpoint::Url { authority, .. } => authority.clone(),
        })
    }

    /// The base URL (`scheme://authority`).
    pub fn base_url(&self, service: &str, region: Option<&str>) -> Result<String, Error> {
        let https = !matches!(self, Endpoint::Url { https: false, .. });
        let scheme = if https { "https" } else { "http" };
        Ok(format!("{scheme}://{}", self.authority(service, region)?))
    }
}
