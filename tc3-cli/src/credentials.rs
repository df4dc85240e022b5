//! Credentials for specs that carry no keys: the official SDKs' environment variables, then
//! tccli's profile file (`tc3::profile`).

use tc3::profile::OwnedCredential;

/// The credential of the environment / tccli profile. A spec's own token wins over the
/// environment's.
pub fn from_environment(spec_token: Option<String>) -> Result<super::sign::Keys, String> {
    let c = OwnedCredential::default_chain().map_err(|e| {
        format!("no secret_id/secret_key in the spec, and none from the environment or tccli profile: {e}")
    })?;
    Ok(super::sign::Keys {
        id: c.secret_id.clone(),
        key: c.secret_key.clone(),
        token: spec_token.or_else(|| c.token.clone()),
    })
}
