//! Credentials from the environment and from tccli's profile files: the local sources of the
//! default chain ([`crate::credentials`]). Moved here from the core `tc3::profile` in 0.2.0:
//! reading the environment and files is I/O, which the core does not do.
//!
//! # Where the official tools look
//!
//! Checked against the official sources:
//!
//! * **Environment.** Python `EnvironmentVariableCredential` and Go `DefaultEnvProvider` read
//!   `ENV_SECRET_ID` (`TENCENTCLOUD_SECRET_ID`) and `ENV_SECRET_KEY`
//!   (`TENCENTCLOUD_SECRET_KEY`), both required and non-empty, and **no token variable**.
//!   tccli (`tccli/options_define.py`) reads the same two plus [`ENV_REGION`]
//!   (`TENCENTCLOUD_REGION`) and `ENV_TOKEN` (`TENCENTCLOUD_TOKEN`). The Terraform provider
//!   reads `TENCENTCLOUD_SECURITY_TOKEN`. `TENCENTCLOUD_SESSION_TOKEN` is used by many
//!   third-party tools but I found it in no official Tencent source; it is read as the last
//!   fallback (see `ENV_TOKEN_FALLBACKS`).
//! * **tccli profiles.** `~/.tccli/<profile>.credential` is a JSON object with `secretId`,
//!   `secretKey` and optionally `token` (also `type`, `role-arn`, ... for role, OAuth and SSO
//!   profiles, which this module does not support). The profile name is `--profile`, else
//!   the `TCCLI_PROFILE` variable, else `default`. Region and endpoints live in
//!   `<profile>.configure` and are not read here.
//! * The SDKs' own INI file `~/.tencentcloud/credentials` (`[default] secret_id=…`) is not
//!   read by this module.
//!
//! Lookups are injectable (`*_with(|name| …)`) so tests and embedders need not touch the
//! process environment.

use core::fmt;
use std::path::{Path, PathBuf};
use std::string::String;
use tc3::{Error, Field, Reason};
use tc3::{SecretId, SecretKey, Token};
use zeroize::Zeroize;

/// `TENCENTCLOUD_SECRET_ID` (Python, Go, tccli).
const ENV_SECRET_ID: &str = "TENCENTCLOUD_SECRET_ID";
/// `TENCENTCLOUD_SECRET_KEY` (Python, Go, tccli).
const ENV_SECRET_KEY: &str = "TENCENTCLOUD_SECRET_KEY";
/// `TENCENTCLOUD_TOKEN`: the session token variable of tccli (`options_define.ENV_TOKEN`).
const ENV_TOKEN: &str = "TENCENTCLOUD_TOKEN";
/// Token variables read when `ENV_TOKEN` is unset or empty, in this order:
/// `TENCENTCLOUD_SECURITY_TOKEN` (the Terraform provider) and `TENCENTCLOUD_SESSION_TOKEN`
/// (unverified: common in third-party tools, not found in any official source).
const ENV_TOKEN_FALLBACKS: [&str; 2] =
    ["TENCENTCLOUD_SECURITY_TOKEN", "TENCENTCLOUD_SESSION_TOKEN"];
/// `TENCENTCLOUD_REGION` (tccli).
pub(crate) const ENV_REGION: &str = "TENCENTCLOUD_REGION";

/// Why no credential could be loaded. Carries names of variables, files keys and the
/// validation [`Error`], never a value.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum ProfileError {
    /// The source holds no credential at all (no variables set, no profile file).
    NotFound,
    /// The source is incomplete: this variable or JSON key is absent or empty while the
    /// other half is present.
    Missing(&'static str),
    /// This variable or JSON key holds a value the protocol refuses.
    Invalid(&'static str, Error),
    /// The profile name is empty, starts with `.` or contains a path separator or NUL.
    ProfileName,
    /// The profile file could not be read.
    Io(std::io::ErrorKind),
    /// The profile file is not a JSON object, or a key has a non-string value.
    Malformed,
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProfileError::NotFound => f.write_str("no credential found"),
            ProfileError::Missing(what) => write!(f, "credential incomplete: {what} is missing"),
            ProfileError::Invalid(what, e) => write!(f, "{what}: {e}"),
            ProfileError::ProfileName => f.write_str("invalid profile name"),
            ProfileError::Io(kind) => write!(f, "cannot read the profile file: {kind}"),
            ProfileError::Malformed => f.write_str("the profile file is not a credential object"),
        }
    }
}

impl std::error::Error for ProfileError {}

/// An owned credential (SecretId, SecretKey, optional token), as loaded from the
/// environment or a profile file. The key is zeroized on drop (by [`SecretKey`]), the token
/// buffer too; `Debug` shows neither. Because of that wiping `Drop`, fields cannot be moved
/// out (clone them instead).
pub(crate) struct OwnedCredential {
    /// The SecretId.
    pub secret_id: String,
    /// The SecretKey.
    pub secret_key: SecretKey,
    /// The session token of a temporary credential.
    pub token: Option<String>,
}

impl OwnedCredential {
    /// A checked credential. `what` names the source of each value in errors:
    /// `(id, key, token)` names.
    fn checked(
        id: &str,
        key: &str,
        token: Option<&str>,
        what: (&'static str, &'static str, &'static str),
    ) -> Result<Self, ProfileError> {
        SecretId::new(id).map_err(|e| ProfileError::Invalid(what.0, e))?;
        // Python's Credential refuses keys with surrounding whitespace.
        if key.trim() != key {
            return Err(ProfileError::Invalid(
                what.1,
                Error::new(Field::SecretKey, Reason::Reserved),
            ));
        }
        let secret_key = SecretKey::new(key).map_err(|e| ProfileError::Invalid(what.1, e))?;
        if let Some(t) = token {
            Token::new(t).map_err(|e| ProfileError::Invalid(what.2, e))?;
        }
        Ok(OwnedCredential {
            secret_id: id.into(),
            secret_key,
            token: token.map(String::from),
        })
    }

    /// A checked credential from its parts (an empty token means none).
    pub(crate) fn new(id: &str, key: &str, token: Option<&str>) -> Result<Self, ProfileError> {
        if id.is_empty() {
            return Err(ProfileError::Missing("SecretId"));
        }
        if key.is_empty() {
            return Err(ProfileError::Missing("SecretKey"));
        }
        Self::checked(
            id,
            key,
            token.filter(|t| !t.is_empty()),
            ("SecretId", "SecretKey", "Token"),
        )
    }

    /// From environment variables through `lookup` (name → value):
    /// `ENV_SECRET_ID` and `ENV_SECRET_KEY`, and the first non-empty of `ENV_TOKEN`
    /// and `ENV_TOKEN_FALLBACKS`. Both unset or empty → [`ProfileError::NotFound`]; only
    /// one of them → [`ProfileError::Missing`] naming the other (the SDKs silently skip
    /// that case; an explicit error is kinder than falling through to another identity).
    pub(crate) fn from_env_with<F>(mut lookup: F) -> Result<Self, ProfileError>
    where
        F: FnMut(&str) -> Option<String>,
    {
        let non_empty = |v: Option<String>| v.filter(|s| !s.is_empty());
        let id = Secret(non_empty(lookup(ENV_SECRET_ID)));
        let key = Secret(non_empty(lookup(ENV_SECRET_KEY)));
        let (id_s, key_s) = match (id.0.as_deref(), key.0.as_deref()) {
            (None, None) => return Err(ProfileError::NotFound),
            (None, Some(_)) => return Err(ProfileError::Missing(ENV_SECRET_ID)),
            (Some(_), None) => return Err(ProfileError::Missing(ENV_SECRET_KEY)),
            (Some(i), Some(k)) => (i, k),
        };
        let mut token = Secret(None);
        let mut token_name = ENV_TOKEN;
        for name in core::iter::once(ENV_TOKEN).chain(ENV_TOKEN_FALLBACKS) {
            if let Some(t) = non_empty(lookup(name)) {
                token = Secret(Some(t));
                token_name = name;
                break;
            }
        }
        Self::checked(
            id_s,
            key_s,
            token.0.as_deref(),
            (ENV_SECRET_ID, ENV_SECRET_KEY, token_name),
        )
    }

    /// From tccli's `<dir>/<name>.credential` JSON file (`dir` is usually `~/.tccli`, see
    /// `credentials.rs`). A missing file is [`ProfileError::NotFound`]; an empty `token`
    /// means none.
    pub(crate) fn from_tccli_profile(dir: &Path, name: &str) -> Result<Self, ProfileError> {
        let path = tccli_credential_path(dir, name)?;
        let mut bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ProfileError::NotFound)
            }
            Err(e) => return Err(ProfileError::Io(e.kind())),
        };
        let result = Self::from_tccli_json(&bytes);
        bytes.zeroize();
        result
    }

    /// From the contents of a tccli `.credential` file.
    pub(crate) fn from_tccli_json(json: &[u8]) -> Result<Self, ProfileError> {
        let value: serde_json::Value =
            serde_json::from_slice(json).map_err(|_| ProfileError::Malformed)?;
        let obj = value.as_object().ok_or(ProfileError::Malformed)?;
        let get = |k: &str| -> Result<Option<&str>, ProfileError> {
            match obj.get(k) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::String(s)) if s.is_empty() => Ok(None),
                Some(serde_json::Value::String(s)) => Ok(Some(s)),
                Some(_) => Err(ProfileError::Malformed),
            }
        };
        let (id, key, token) = (get("secretId")?, get("secretKey")?, get("token")?);
        match (id, key) {
            (None, None) => Err(ProfileError::Missing("secretId")),
            (None, Some(_)) => Err(ProfileError::Missing("secretId")),
            (Some(_), None) => Err(ProfileError::Missing("secretKey")),
            (Some(i), Some(k)) => Self::checked(i, k, token, ("secretId", "secretKey", "token")),
        }
    }
}

impl Drop for OwnedCredential {
    fn drop(&mut self) {
        if let Some(t) = self.token.take() {
            let mut v = t.into_bytes();
            v.as_mut_slice().zeroize();
        }
    }
}

impl fmt::Debug for OwnedCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedCredential")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &self.secret_key)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// A temporary holder that wipes what it held (raw values read from the environment).
struct Secret(Option<String>);

impl Drop for Secret {
    fn drop(&mut self) {
        if let Some(s) = self.0.take() {
            let mut v = s.into_bytes();
            v.as_mut_slice().zeroize();
        }
    }
}

fn env_lookup(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The region from `TENCENTCLOUD_REGION` (tccli's variable) in the process environment, if
/// set and non-empty: the [`ClientBuilder`](crate::ClientBuilder)'s default region.
///
/// ```
/// // `None` unless TENCENTCLOUD_REGION is set to a non-empty value
/// let region: Option<String> = tc3_client::region_from_env();
/// # let _ = region;
/// ```
pub fn region_from_env() -> Option<String> {
    region_from_env_with(env_lookup)
}

/// The region from [`ENV_REGION`] through `lookup`, if set and non-empty.
pub(crate) fn region_from_env_with<F>(mut lookup: F) -> Option<String>
where
    F: FnMut(&str) -> Option<String>,
{
    lookup(ENV_REGION).filter(|r| !r.is_empty())
}

/// `<dir>/<name>.credential`, refusing names that would leave `dir`.
pub(crate) fn tccli_credential_path(dir: &Path, name: &str) -> Result<PathBuf, ProfileError> {
    if name.is_empty()
        || name.starts_with('.')
        || name.contains(['/', '\\', '\0'])
        || name.contains(':')
    {
        return Err(ProfileError::ProfileName);
    }
    let mut file = String::with_capacity(name.len() + 11);
    file.push_str(name);
    file.push_str(".credential");
    Ok(dir.join(file))
}

#[cfg(test)]
#[path = "profile_tests.rs"]
mod tests;
