//! Credentials for specs that carry no keys: the environment, the SDKs' profile file
//! `~/.tencentcloud/credentials` and tccli's profile (the local part of `tc3-client`'s default
//! chain; `sign` makes no network request).

use std::sync::Arc;
use tc3_client::credentials::{local_credentials, profile_file_candidates, Lookup};

/// The credential of the environment / profile file / tccli profile. A spec's own token wins
/// over the environment's. The error names the variables and files looked at.
pub fn from_environment(spec_token: Option<String>) -> Result<super::sign::Keys, String> {
    let lookup: Lookup = Arc::new(|n: &str| std::env::var(n).ok());
    let found = local_credentials(&lookup, None).map_err(|e| e.to_string())?;
    let Some((c, _source)) = found else {
        let files: Vec<String> = profile_file_candidates(&lookup)
            .unwrap_or_default()
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        let tccli = std::env::var("HOME")
            .ok()
            .filter(|h| !h.is_empty())
            .map(|h| {
                let name = std::env::var(tc3_client::credentials::ENV_TCCLI_PROFILE)
                    .ok()
                    .filter(|p| !p.is_empty())
                    .unwrap_or_else(|| "default".into());
                std::path::Path::new(&h)
                    .join(".tccli")
                    .join(format!("{name}.credential"))
                    .display()
                    .to_string()
            })
            .unwrap_or_else(|| "$HOME/.tccli (HOME unset)".into());
        return Err(format!(
            "no secret_id/secret_key in the spec, and none in the environment \
             (TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY), in {} or in {tccli}",
            files.join(" or ")
        ));
    };
    Ok(super::sign::Keys {
        id: c.secret_id().to_owned(),
        key: c.secret_key().clone(),
        token: spec_token.or_else(|| c.token().map(str::to_owned)),
    })
}
