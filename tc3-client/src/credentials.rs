//! Credentials and where they come from: the official default chain.
//!
//! [`DefaultChain`] looks, in this order, at
//! 1. the environment: `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY` and a session token
//!    (`TENCENTCLOUD_TOKEN`, …; see `OwnedCredential::from_env_with` in `src/profile.rs`) — Go
//!    `env_provider.go`, Python `EnvironmentVariableCredential`;
//! 2. the profile file, INI: the file named by `TENCENTCLOUD_CREDENTIALS_FILE` (Go
//!    `profile_provider.go`; set but empty is an error), else `~/.tencentcloud/credentials`
//!    (`HOME`, `USERPROFILE` on Windows), else `/etc/tencentcloud/credentials` (Python
//!    `ProfileCredential`); section `[default]` (or the profile name given), keys `secret_id`
//!    and `secret_key` (Go `ini.go` line rules: `#`/`;` comments, `key = value` trimmed).
//!    When the section also has `role_arn` (a key Python's `ProfileCredential` reads), the
//!    keys are used to assume that role with STS `AssumeRole` (optional `role_session_name`,
//!    `duration_seconds`);
//! 3. the tccli profile `~/.tccli/<profile>.credential` (read by the private `profile` module);
//! 4. the CVM instance role: `GET {metadata}cam/security-credentials/` gives the role name,
//!    `GET {metadata}cam/security-credentials/<role>` the temporary credential
//!    (`TmpSecretId`, `TmpSecretKey`, `Token`, `ExpiredTime`, `Code: "Success"`), with
//!    `{metadata}` = `http://metadata.tencentyun.com/latest/meta-data/` or
//!    `TC3_METADATA_ENDPOINT` — Go `cvm_role_provider.go`, Python `CVMRoleCredential`. A
//!    connection failure or a 404 means "not on a CVM with a role" and the chain goes on;
//! 5. TKE OIDC: `TKE_REGION`, `TKE_PROVIDER_ID`, `TKE_WEB_IDENTITY_TOKEN_FILE`, `TKE_ROLE_ARN`
//!    all set → STS `AssumeRoleWithWebIdentity` (unsigned, `Authorization: SKIP`, region
//!    `TKE_REGION`, `ProviderId`, `WebIdentityToken` read from the file at each refresh,
//!    `RoleArn`, `RoleSessionName`, `DurationSeconds` 7200) — Go `oidc_role_arn_provider.go`,
//!    Python `DefaultTkeOIDCRoleArnProvider`.
//!
//! STS requests (`sts`, version `2018-08-13`) go to `https://sts.tencentcloudapi.com` or the
//! URL in `TC3_STS_ENDPOINT`; `AssumeRole` is signed in region `ap-guangzhou` (Go
//! `role_arn_provider.go`). Temporary credentials are cached and refreshed before they expire:
//! 300 s before for the CVM role (Go `ExpiredTimeout`), a tenth of the duration before for STS
//! (Python `OIDCRoleArnCredential.refresh`); concurrent callers wait for one refresh.

use crate::error::CredentialsError;
use crate::profile::{OwnedCredential, ProfileError};
use crate::transport::Transport;
use crate::{Client, Endpoint, Error, RetryPolicy};
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use tc3::SecretKey;
use zeroize::Zeroizing;

/// `TC3_METADATA_ENDPOINT`: base URL of the metadata service (tests, proxies).
pub const ENV_METADATA_ENDPOINT: &str = "TC3_METADATA_ENDPOINT";
/// The official metadata base URL.
pub const DEFAULT_METADATA_ENDPOINT: &str = "http://metadata.tencentyun.com/latest/meta-data/";
/// `TC3_STS_ENDPOINT`: URL of the STS endpoint (tests, proxies).
pub const ENV_STS_ENDPOINT: &str = "TC3_STS_ENDPOINT";
/// `TENCENTCLOUD_CREDENTIALS_FILE`: the profile file (Go SDK).
pub const ENV_CREDENTIALS_FILE: &str = "TENCENTCLOUD_CREDENTIALS_FILE";
/// `TCCLI_PROFILE`: tccli's profile name when no profile is given.
pub const ENV_TCCLI_PROFILE: &str = "TCCLI_PROFILE";
/// Default `DurationSeconds` of STS credentials (Go and Python: 7200).
pub const DEFAULT_DURATION_SECONDS: u64 = 7200;

/// A credential: SecretId, SecretKey, an optional session token and, for temporary
/// credentials, the Unix time they expire. `Debug` shows the SecretId only.
///
/// ```
/// let c = tc3_client::Credentials::new("AKIDexample", "keyexample", None).unwrap();
/// assert_eq!(c.secret_id(), "AKIDexample");
/// assert!(!format!("{c:?}").contains("keyexample"));
/// ```
pub struct Credentials {
    secret_id: String,
    secret_key: SecretKey,
    token: Option<Zeroizing<String>>,
    expires_at: Option<u64>,
}

impl Credentials {
    /// A checked credential (an empty token means none).
    pub fn new(secret_id: &str, secret_key: &str, token: Option<&str>) -> Result<Self, Error> {
        let owned = OwnedCredential::new(secret_id, secret_key, token)
            .map_err(|e| CredentialsError::err(e.to_string()))?;
        Ok(Self::from_owned(&owned))
    }

    fn from_owned(c: &OwnedCredential) -> Self {
        Credentials {
            secret_id: c.secret_id.clone(),
            secret_key: c.secret_key.clone(),
            token: c.token.clone().map(Zeroizing::new),
            expires_at: None,
        }
    }

    /// This credential, expiring at `unix` seconds.
    ///
    /// ```
    /// let c = tc3_client::Credentials::new("AKIDx", "k", Some("t")).unwrap().expiring_at(1_700_000_000);
    /// assert_eq!(c.expires_at(), Some(1_700_000_000));
    /// ```
    pub fn expiring_at(mut self, unix: u64) -> Self {
        self.expires_at = Some(unix);
        self
    }

    /// The SecretId.
    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    /// When the credential expires (Unix seconds), for temporary ones.
    pub fn expires_at(&self) -> Option<u64> {
        self.expires_at
    }

    /// The SecretKey (its `Debug` is redacted; [`SecretKey::expose_secret`] is explicit).
    ///
    /// ```
    /// let c = tc3_client::Credentials::new("AKIDx", "k", Some("t")).unwrap();
    /// assert_eq!(c.secret_key().expose_secret(), b"k");
    /// assert_eq!(c.token(), Some("t"));
    /// assert!(c.has_token());
    /// ```
    pub fn secret_key(&self) -> &SecretKey {
        &self.secret_key
    }

    /// The session token, for temporary credentials.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref().map(String::as_str)
    }

    /// Whether a session token is present.
    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    pub(crate) fn as_credential(&self) -> Result<tc3::Credential<'_>, tc3::Error> {
        let c = tc3::Credential {
            id: tc3::SecretId::new(&self.secret_id)?,
            key: self.secret_key.clone(),
            token: None,
        };
        match &self.token {
            Some(t) => c.with_token(t),
            None => Ok(c),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"<redacted>")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// What [`ProvideCredentials::credentials`] returns.
pub type CredentialsFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Arc<Credentials>, Error>> + Send + 'a>>;

/// A source of credentials, asked before every attempt.
///
/// ```
/// use std::sync::Arc;
/// use tc3_client::{Credentials, CredentialsFuture, ProvideCredentials};
/// #[derive(Debug)]
/// struct Fixed(Arc<Credentials>);
/// impl ProvideCredentials for Fixed {
///     fn credentials(&self) -> CredentialsFuture<'_> {
///         let c = self.0.clone();
///         Box::pin(async move { Ok(c) })
///     }
/// }
/// let client = tc3_client::Client::builder()
///     .credentials_provider(Fixed(Arc::new(Credentials::new("AKIDx", "k", None).unwrap())))
///     .build();
/// # let _ = client;
/// ```
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// The current credential.
    fn credentials(&self) -> CredentialsFuture<'_>;
}

#[derive(Debug)]
pub(crate) struct Static(pub(crate) Arc<Credentials>);

impl ProvideCredentials for Static {
    fn credentials(&self) -> CredentialsFuture<'_> {
        let c = self.0.clone();
        Box::pin(async move { Ok(c) })
    }
}

/// Looks up an environment variable.
pub type Lookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

fn process_env() -> Lookup {
    Arc::new(|name: &str| std::env::var(name).ok())
}

fn now_unix() -> u64 {
    tc3::now_unix()
}

/// Caches a temporary credential and refreshes it `margin` seconds before it expires;
/// concurrent callers wait for the one refresh in progress.
#[derive(Debug)]
pub struct Cached<P> {
    inner: P,
    margin: u64,
    slot: tokio::sync::Mutex<Option<Arc<Credentials>>>,
}

impl<P: ProvideCredentials> Cached<P> {
    /// Caches what `inner` returns, refreshing `margin` seconds before expiry.
    ///
    /// ```
    /// # #[derive(Debug)] struct Never;
    /// # impl tc3_client::ProvideCredentials for Never {
    /// #     fn credentials(&self) -> tc3_client::CredentialsFuture<'_> { unimplemented!() }
    /// # }
    /// let cached = tc3_client::credentials::Cached::new(Never, 300);
    /// # let _ = cached;
    /// ```
    pub fn new(inner: P, margin: u64) -> Self {
        Cached {
            inner,
            margin,
            slot: tokio::sync::Mutex::new(None),
        }
    }
}

impl<P: ProvideCredentials> ProvideCredentials for Cached<P> {
    fn credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            let mut slot = self.slot.lock().await;
            if let Some(c) = slot.as_ref() {
                let fresh = match c.expires_at {
                    None => true,
                    Some(t) => now_unix().saturating_add(self.margin) < t,
                };
                if fresh {
                    return Ok(c.clone());
                }
            }
            match self.inner.credentials().await {
                Ok(c) => {
                    *slot = Some(c.clone());
                    Ok(c)
                }
                // a failed early refresh keeps a credential that has not expired yet (the Go
                // SDK keeps its values too); the next call tries again
                Err(e) => match slot.as_ref() {
                    Some(old) if old.expires_at.is_some_and(|t| now_unix() < t) => Ok(old.clone()),
                    _ => Err(e),
                },
            }
        })
    }
}

// ---------------------------------------------------------------------------------------------
// INI profile file

/// Parses an INI profile file with the Go SDK's rules (`ini.go`): lines trimmed (CR dropped),
/// blank lines and lines starting with `#` or `;` skipped, `[name]` opens a section, `key=value`
/// with a non-empty key and value (both trimmed) sets a key; keys before any section go to
/// `""`. A `[` line without `]`, or `[]`, is an error (its 1-based line number).
///
/// ```
/// let ini = tc3_client::credentials::parse_ini("# c\n[default]\nsecret_id = AKID1\r\nsecret_key=k\n").unwrap();
/// assert_eq!(ini["default"]["secret_id"], "AKID1");
/// assert_eq!(ini["default"]["secret_key"], "k");
/// assert_eq!(tc3_client::credentials::parse_ini("[default\n").unwrap_err(), 1);
/// ```
pub fn parse_ini(text: &str) -> Result<HashMap<String, HashMap<String, String>>, usize> {
    let mut out: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut current = String::new();
    for (i, line) in text.split('\n').enumerate() {
        let line = line.replace('\r', "");
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            match rest.strip_suffix(']') {
                Some(name) if !name.is_empty() => {
                    current = name.to_owned();
                    out.entry(current.clone()).or_default();
                    continue;
                }
                _ => return Err(i + 1),
            }
        }
        if let Some(pos) = line.find('=') {
            if pos > 0 && pos < line.len() - 1 {
                let (k, v) = (line[..pos].trim(), line[pos + 1..].trim());
                out.entry(current.clone())
                    .or_default()
                    .insert(k.to_owned(), v.to_owned());
            }
        }
    }
    Ok(out)
}

fn home_with(lookup: &Lookup) -> Option<PathBuf> {
    let home = if cfg!(windows) {
        lookup("USERPROFILE")
    } else {
        lookup("HOME")
    };
    home.filter(|h| !h.is_empty()).map(PathBuf::from)
}

/// The profile files looked at, in order: `TENCENTCLOUD_CREDENTIALS_FILE` alone when set, else
/// `<home>/.tencentcloud/credentials` and `/etc/tencentcloud/credentials`.
///
/// ```
/// use std::sync::Arc;
/// let lookup: tc3_client::credentials::Lookup =
///     Arc::new(|n: &str| (n == "HOME").then(|| "/home/u".to_owned()));
/// let files = tc3_client::credentials::profile_file_candidates(&lookup).unwrap();
/// # #[cfg(unix)]
/// assert_eq!(files[0], std::path::Path::new("/home/u/.tencentcloud/credentials"));
/// ```
pub fn profile_file_candidates(lookup: &Lookup) -> Result<Vec<PathBuf>, Error> {
    if let Some(p) = lookup(ENV_CREDENTIALS_FILE) {
        if p.is_empty() {
            return Err(CredentialsError::err(format!(
                "{ENV_CREDENTIALS_FILE} is set but empty"
            )));
        }
        return Ok(vec![PathBuf::from(p)]);
    }
    let mut v = Vec::new();
    if let Some(h) = home_with(lookup) {
        v.push(h.join(".tencentcloud").join("credentials"));
    }
    v.push(PathBuf::from("/etc/tencentcloud/credentials"));
    Ok(v)
}

/// A profile file section: the credential, and the role to assume with it if any.
struct ProfileSection {
    creds: Credentials,
    role: Option<(String, Option<String>, u64)>,
}

fn read_profile_file(path: &Path, section: &str) -> Result<Option<ProfileSection>, Error> {
    let bytes = match std::fs::read(path) {
        Ok(b) => Zeroizing::new(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(CredentialsError::err(format!(
                "cannot read {}: {}",
                path.display(),
                e.kind()
            )))
        }
    };
    let bad = |why: String| CredentialsError::err(format!("{}: {why}", path.display()));
    let text = std::str::from_utf8(&bytes).map_err(|_| bad("not UTF-8".into()))?;
    let ini = parse_ini(text).map_err(|line| bad(format!("line {line}: malformed section")))?;
    let Some(sec) = ini.get(section) else {
        return Ok(None);
    };
    let get = |k: &str| sec.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let (Some(id), Some(key)) = (get("secret_id"), get("secret_key")) else {
        return Err(bad(format!(
            "section [{section}] needs both secret_id and secret_key"
        )));
    };
    let creds = Credentials::new(id, key, None).map_err(|e| match e {
        Error::Credentials(c) => bad(c.message),
        other => other,
    })?;
    let role = match get("role_arn") {
        None => None,
        Some(arn) => {
            let duration = match get("duration_seconds") {
                None => DEFAULT_DURATION_SECONDS,
                Some(d) => d
                    .parse()
                    .map_err(|_| bad("duration_seconds is not a number".into()))?,
            };
            Some((
                arn.to_owned(),
                get("role_session_name").map(str::to_owned),
                duration,
            ))
        }
    };
    Ok(Some(ProfileSection { creds, role }))
}

/// The credential of the environment, the profile file or the tccli profile (the chain's
/// first three sources, without network access; a `role_arn` in the profile file is not
/// followed). `Ok(None)` when none of them has one; the error names the files looked at.
///
/// ```
/// use std::sync::Arc;
/// let lookup: tc3_client::credentials::Lookup = Arc::new(|n: &str| match n {
///     "TENCENTCLOUD_SECRET_ID" => Some("AKIDenv".into()),
///     "TENCENTCLOUD_SECRET_KEY" => Some("keyenv".into()),
///     _ => None,
/// });
/// let (c, from) = tc3_client::credentials::local_credentials(&lookup, None).unwrap().unwrap();
/// assert_eq!((c.secret_id(), from.as_str()), ("AKIDenv", "environment"));
/// ```
pub fn local_credentials(
    lookup: &Lookup,
    profile: Option<&str>,
) -> Result<Option<(Credentials, String)>, Error> {
    match OwnedCredential::from_env_with(|n| lookup(n)) {
        Ok(c) => return Ok(Some((Credentials::from_owned(&c), "environment".into()))),
        Err(ProfileError::NotFound) => {}
        Err(e) => return Err(CredentialsError::err(format!("environment: {e}"))),
    }
    let section = profile.unwrap_or("default");
    for path in profile_file_candidates(lookup)? {
        if let Some(s) = read_profile_file(&path, section)? {
            return Ok(Some((s.creds, path.display().to_string())));
        }
    }
    tccli(lookup, profile)
}

fn tccli_profile_name(lookup: &Lookup, profile: Option<&str>) -> String {
    profile
        .map(str::to_owned)
        .or_else(|| lookup(ENV_TCCLI_PROFILE).filter(|p| !p.is_empty()))
        .unwrap_or_else(|| "default".into())
}

fn tccli(lookup: &Lookup, profile: Option<&str>) -> Result<Option<(Credentials, String)>, Error> {
    let name = tccli_profile_name(lookup, profile);
    let Some(dir) = home_with(lookup).map(|h| h.join(".tccli")) else {
        return Ok(None);
    };
    let path = crate::profile::tccli_credential_path(&dir, &name)
        .map_err(|e| CredentialsError::err(format!("profile {name:?}: {e}")))?;
    match OwnedCredential::from_tccli_profile(&dir, &name) {
        Ok(c) => Ok(Some((
            Credentials::from_owned(&c),
            path.display().to_string(),
        ))),
        Err(ProfileError::NotFound) => Ok(None),
        Err(e) => Err(CredentialsError::err(format!("{}: {e}", path.display()))),
    }
}

// ---------------------------------------------------------------------------------------------
// CVM role

/// The CVM instance role from the metadata service.
#[derive(Debug)]
pub struct CvmRole {
    transport: Transport,
    base: String,
    role: Option<String>,
}

impl CvmRole {
    /// The role bound to this instance (its name asked from the metadata service), at the
    /// official metadata URL or `TC3_METADATA_ENDPOINT`. Wrap it in [`Cached`] (the default
    /// chain does, with a 300 s margin).
    ///
    /// ```
    /// let role = tc3_client::credentials::CvmRole::new(None);
    /// # let _ = role;
    /// ```
    pub fn new(role: Option<String>) -> Self {
        let base = std::env::var(ENV_METADATA_ENDPOINT).ok();
        Self::with_base(Transport::new(), base.as_deref(), role)
    }

    fn with_base(transport: Transport, base: Option<&str>, role: Option<String>) -> Self {
        let mut base = base
            .filter(|b| !b.is_empty())
            .unwrap_or(DEFAULT_METADATA_ENDPOINT)
            .to_owned();
        if !base.ends_with('/') {
            base.push('/');
        }
        CvmRole {
            transport,
            base,
            role,
        }
    }

    fn roles_url(&self) -> String {
        format!("{}cam/security-credentials/", self.base)
    }

    /// The role name; `Ok(None)` when there is no metadata service or no role (404).
    async fn role_name(&self) -> Result<Option<String>, Error> {
        if let Some(r) = &self.role {
            return Ok(Some(r.clone()));
        }
        let url = self.roles_url();
        match self.transport.get(&url).await {
            Ok((200, body)) => {
                let name = String::from_utf8(body.to_vec())
                    .map_err(|_| CredentialsError::err(format!("{url}: role name not UTF-8")))?;
                let name = name.trim();
                if name.is_empty() || name.contains(['/', '\n', '?', '#']) {
                    return Err(CredentialsError::err(format!("{url}: no valid role name")));
                }
                Ok(Some(name.to_owned()))
            }
            Ok((404, _)) => Ok(None),
            Ok((status, _)) => Err(CredentialsError::err(format!("{url}: HTTP {status}"))),
            Err(_) => Ok(None),
        }
    }
}

/// A string from an answer, wiped on drop.
#[derive(serde::Deserialize)]
#[serde(transparent)]
struct Wiped(String);

impl Drop for Wiped {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RoleAnswer {
    code: Option<String>,
    tmp_secret_id: Option<String>,
    tmp_secret_key: Option<Wiped>,
    token: Option<Wiped>,
    expired_time: Option<u64>,
}

impl ProvideCredentials for CvmRole {
    fn credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            let role = self.role_name().await?.ok_or_else(|| {
                CredentialsError::err(format!("no CVM role at {}", self.roles_url()))
            })?;
            let url = format!("{}{role}", self.roles_url());
            let (status, body) = self
                .transport
                .get(&url)
                .await
                .map_err(|e| CredentialsError::err(format!("{url}: {e}")))?;
            let body = Zeroizing::new(body.to_vec());
            if status != 200 {
                return Err(CredentialsError::err(format!("{url}: HTTP {status}")));
            }
            let a: RoleAnswer = serde_json::from_slice(&body).map_err(|_| {
                CredentialsError::err(format!("{url}: not a role credential document"))
            })?;
            if a.code.as_deref() != Some("Success") {
                return Err(CredentialsError::err(format!(
                    "{url}: Code is {:?}, not \"Success\"",
                    a.code.as_deref().unwrap_or("")
                )));
            }
            let (Some(id), Some(key), Some(token), Some(exp)) =
                (a.tmp_secret_id, a.tmp_secret_key, a.token, a.expired_time)
            else {
                return Err(CredentialsError::err(format!(
                    "{url}: TmpSecretId, TmpSecretKey, Token or ExpiredTime missing"
                )));
            };
            Ok(Arc::new(
                Credentials::new(&id, &key.0, Some(&token.0))?.expiring_at(exp),
            ))
        })
    }
}

// ---------------------------------------------------------------------------------------------
// STS

fn sts_client(
    transport: &Transport,
    lookup: &Lookup,
    region: &str,
) -> Result<crate::ClientBuilder, Error> {
    let endpoint = match lookup(ENV_STS_ENDPOINT).filter(|e| !e.is_empty()) {
        Some(url) => Endpoint::url(&url)?,
        None => Endpoint::Default,
    };
    Ok(Client::builder()
        .endpoint(endpoint)
        .region(region)
        .retry(RetryPolicy::default().max_retries(2))
        .transport(transport.clone()))
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StsCredentials {
    tmp_secret_id: String,
    tmp_secret_key: Wiped,
    token: Wiped,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StsAnswer {
    credentials: StsCredentials,
    expired_time: u64,
}

fn session_name() -> String {
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros())
        .unwrap_or_default();
    format!("tc3-client-{micros}")
}

/// An STS failure as a credentials error; a decoding error's details (which could quote the
/// answer) are left out.
fn sts_error(action: &str, e: Error) -> Error {
    match e {
        Error::Decode(d) => CredentialsError::err(format!(
            "STS {action}: HTTP {}: not a credential answer",
            d.status
        )),
        other => CredentialsError::err(format!("STS {action}: {other}")),
    }
}

fn sts_credentials(a: StsAnswer) -> Result<Arc<Credentials>, Error> {
    Ok(Arc::new(
        Credentials::new(
            &a.credentials.tmp_secret_id,
            &a.credentials.tmp_secret_key.0,
            Some(&a.credentials.token.0),
        )?
        .expiring_at(a.expired_time),
    ))
}

/// STS `AssumeRole` with a long-term credential.
#[derive(Debug)]
pub struct AssumeRole {
    client: Client,
    role_arn: String,
    session_name: String,
    duration: u64,
}

impl AssumeRole {
    /// Assumes `role_arn` with `source` (session name `tc3-client-<µs>` unless given,
    /// 7200 s), at `https://sts.tencentcloudapi.com` or `TC3_STS_ENDPOINT`. Wrap it in
    /// [`Cached`] (the default chain does, refreshing a tenth of the duration early).
    ///
    /// ```
    /// use tc3_client::{credentials::AssumeRole, Credentials};
    /// let long_term = Credentials::new("AKIDx", "k", None).unwrap();
    /// let role = AssumeRole::new(long_term, "qcs::cam::uin/1:roleName/r", None, 7200).unwrap();
    /// # let _ = role;
    /// ```
    pub fn new(
        source: Credentials,
        role_arn: &str,
        session_name: Option<&str>,
        duration_seconds: u64,
    ) -> Result<Self, Error> {
        Self::with(
            &Transport::new(),
            &process_env(),
            source,
            role_arn,
            session_name,
            duration_seconds,
        )
    }

    fn with(
        transport: &Transport,
        lookup: &Lookup,
        source: Credentials,
        role_arn: &str,
        session_name_: Option<&str>,
        duration: u64,
    ) -> Result<Self, Error> {
        if duration == 0 || duration > 43200 {
            return Err(CredentialsError::err(
                "AssumeRole duration must be 1..=43200 seconds",
            ));
        }
        let client = sts_client(transport, lookup, "ap-guangzhou")?
            .credentials(source)
            .build();
        Ok(AssumeRole {
            client,
            role_arn: role_arn.to_owned(),
            session_name: session_name_
                .map(str::to_owned)
                .unwrap_or_else(session_name),
            duration,
        })
    }
}

impl ProvideCredentials for AssumeRole {
    fn credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            let req = serde_json::json!({
                "RoleArn": self.role_arn,
                "RoleSessionName": self.session_name,
                "DurationSeconds": self.duration,
            });
            let a: StsAnswer = self
                .client
                .call("sts", "2018-08-13", "AssumeRole", &req)
                .await
                .map_err(|e| sts_error("AssumeRole", e))?;
            sts_credentials(a)
        })
    }
}

/// STS `AssumeRoleWithWebIdentity` with TKE's OIDC token (the variables `TKE_REGION`,
/// `TKE_PROVIDER_ID`, `TKE_WEB_IDENTITY_TOKEN_FILE`, `TKE_ROLE_ARN`).
#[derive(Debug)]
pub struct WebIdentity {
    client: Client,
    provider_id: String,
    token_file: PathBuf,
    role_arn: String,
    duration: u64,
}

impl WebIdentity {
    /// From the `TKE_*` variables; `Ok(None)` when they are not all set.
    ///
    /// ```
    /// // outside a TKE pod there is nothing to do
    /// # if std::env::var_os("TKE_ROLE_ARN").is_none() {
    /// assert!(tc3_client::credentials::WebIdentity::from_tke_env().unwrap().is_none());
    /// # }
    /// ```
    pub fn from_tke_env() -> Result<Option<Self>, Error> {
        Self::from_lookup(&Transport::new(), &process_env())
    }

    fn from_lookup(transport: &Transport, lookup: &Lookup) -> Result<Option<Self>, Error> {
        let get = |n: &str| lookup(n).filter(|v| !v.is_empty());
        let (Some(region), Some(provider_id), Some(file), Some(role_arn)) = (
            get("TKE_REGION"),
            get("TKE_PROVIDER_ID"),
            get("TKE_WEB_IDENTITY_TOKEN_FILE"),
            get("TKE_ROLE_ARN"),
        ) else {
            return Ok(None);
        };
        let client = sts_client(transport, lookup, &region)?.skip_sign().build();
        Ok(Some(WebIdentity {
            client,
            provider_id,
            token_file: PathBuf::from(file),
            role_arn,
            duration: DEFAULT_DURATION_SECONDS,
        }))
    }
}

impl ProvideCredentials for WebIdentity {
    fn credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            let token = tokio::fs::read_to_string(&self.token_file)
                .await
                .map(Zeroizing::new)
                .map_err(|e| {
                    CredentialsError::err(format!(
                        "cannot read {}: {}",
                        self.token_file.display(),
                        e.kind()
                    ))
                })?;
            let req = serde_json::json!({
                "ProviderId": self.provider_id,
                "WebIdentityToken": token.as_str(),
                "RoleArn": self.role_arn,
                "RoleSessionName": session_name(),
                "DurationSeconds": self.duration,
            });
            let a: StsAnswer = self
                .client
                .call("sts", "2018-08-13", "AssumeRoleWithWebIdentity", &req)
                .await
                .map_err(|e| sts_error("AssumeRoleWithWebIdentity", e))?;
            sts_credentials(a)
        })
    }
}

// ---------------------------------------------------------------------------------------------
// The chain

/// The default credential chain (see the [module](self) documentation); the source is
/// chosen at the first call and kept.
pub struct DefaultChain {
    lookup: Lookup,
    profile: Option<String>,
    transport: Transport,
    resolved: tokio::sync::OnceCell<(Arc<dyn ProvideCredentials>, String)>,
}

impl fmt::Debug for DefaultChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DefaultChain")
            .field("profile", &self.profile)
            .field("source", &self.resolved.get().map(|r| &r.1))
            .finish_non_exhaustive()
    }
}

impl DefaultChain {
    /// The chain over the process environment.
    ///
    /// ```
    /// let chain = tc3_client::DefaultChain::new();
    /// let client = tc3_client::Client::builder().credentials_provider(chain).build();
    /// # let _ = client;
    /// ```
    pub fn new() -> Self {
        Self::with_lookup(process_env())
    }

    /// The chain reading variables through `lookup` instead of the process environment.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// use tc3_client::ProvideCredentials;
    /// let chain = tc3_client::DefaultChain::with_lookup(std::sync::Arc::new(|n: &str| match n {
    ///     "TENCENTCLOUD_SECRET_ID" => Some("AKIDenv".to_owned()),
    ///     "TENCENTCLOUD_SECRET_KEY" => Some("keyenv".to_owned()),
    ///     _ => None,
    /// }));
    /// assert_eq!(chain.source(), None);
    /// let c = chain.credentials().await.unwrap();
    /// assert_eq!((c.secret_id(), chain.source()), ("AKIDenv", Some("environment")));
    /// # });
    /// ```
    pub fn with_lookup(lookup: Lookup) -> Self {
        DefaultChain {
            lookup,
            profile: None,
            transport: Transport::new(),
            resolved: tokio::sync::OnceCell::new(),
        }
    }

    /// Reads section `name` of the profile file and tccli profile `name` instead of
    /// `default` (and of `TCCLI_PROFILE`).
    ///
    /// ```
    /// let chain = tc3_client::DefaultChain::new().profile("prod");
    /// # let _ = chain;
    /// ```
    pub fn profile(mut self, name: &str) -> Self {
        self.profile = Some(name.to_owned());
        self
    }

    /// Which source the chain settled on (`environment`, a file path, `CVM role NAME`,
    /// `STS AssumeRole`, `TKE OIDC`), once resolved.
    pub fn source(&self) -> Option<&str> {
        self.resolved.get().map(|r| r.1.as_str())
    }

    async fn resolve(&self) -> Result<(Arc<dyn ProvideCredentials>, String), Error> {
        let lookup = &self.lookup;
        let mut looked = Vec::new();
        match OwnedCredential::from_env_with(|n| lookup(n)) {
            Ok(c) => {
                return Ok((
                    Arc::new(Static(Arc::new(Credentials::from_owned(&c)))),
                    "environment".into(),
                ))
            }
            Err(ProfileError::NotFound) => {
                looked.push("TENCENTCLOUD_SECRET_ID/KEY unset".to_owned())
            }
            Err(e) => return Err(CredentialsError::err(format!("environment: {e}"))),
        }
        let section = self.profile.as_deref().unwrap_or("default");
        for path in profile_file_candidates(lookup)? {
            match read_profile_file(&path, section)? {
                None => looked.push(format!("no [{section}] in {}", path.display())),
                Some(ProfileSection { creds, role: None }) => {
                    return Ok((
                        Arc::new(Static(Arc::new(creds))),
                        path.display().to_string(),
                    ))
                }
                Some(ProfileSection {
                    creds,
                    role: Some((arn, name, duration)),
                }) => {
                    let p = AssumeRole::with(
                        &self.transport,
                        lookup,
                        creds,
                        &arn,
                        name.as_deref(),
                        duration,
                    )?;
                    return Ok((
                        Arc::new(Cached::new(p, duration / 10)),
                        "STS AssumeRole".into(),
                    ));
                }
            }
        }
        if let Some((c, path)) = tccli(lookup, self.profile.as_deref())? {
            return Ok((Arc::new(Static(Arc::new(c))), path));
        }
        let tccli_name = tccli_profile_name(lookup, self.profile.as_deref());
        looked.push(match home_with(lookup) {
            Some(h) => format!(
                "no {}",
                h.join(".tccli")
                    .join(format!("{tccli_name}.credential"))
                    .display()
            ),
            None => "no HOME for the tccli profile".into(),
        });
        let base = lookup(ENV_METADATA_ENDPOINT);
        let cvm = CvmRole::with_base(self.transport.clone(), base.as_deref(), None);
        match cvm.role_name().await? {
            Some(role) => {
                let label = format!("CVM role {role}");
                let p = CvmRole {
                    role: Some(role),
                    ..cvm
                };
                return Ok((Arc::new(Cached::new(p, 300)), label));
            }
            None => looked.push(format!("no CVM role at {}", cvm.roles_url())),
        }
        if let Some(w) = WebIdentity::from_lookup(&self.transport, lookup)? {
            let margin = w.duration / 10;
            return Ok((Arc::new(Cached::new(w, margin)), "TKE OIDC".into()));
        }
        looked.push("TKE_* unset".into());
        Err(CredentialsError::err(format!(
            "no credentials found: {}",
            looked.join("; ")
        )))
    }
}

impl Default for DefaultChain {
    fn default() -> Self {
        Self::new()
    }
}

impl ProvideCredentials for DefaultChain {
    fn credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            let (p, _) = self.resolved.get_or_try_init(|| self.resolve()).await?;
            p.credentials().await
        })
    }
}
