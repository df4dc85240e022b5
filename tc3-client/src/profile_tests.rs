//! Credentials from injected environment lookups and tccli profile files in temp dirs.
//! The process environment is never read or changed here. (Moved with the module from the
//! core's `tests/profile_credentials.rs`.)

use super::{region_from_env_with, tccli_credential_path, OwnedCredential, ProfileError};
use std::collections::HashMap;
use tc3::{Field, Reason};

// The documented example key pair (docs/protocol-signing.md, doc-examples.json).
const ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";

fn env(pairs: &[(&str, &str)]) -> impl FnMut(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name: &str| map.get(name).cloned()
}

#[test]
fn env_with_id_and_key() {
    let c = OwnedCredential::from_env_with(env(&[
        ("TENCENTCLOUD_SECRET_ID", ID),
        ("TENCENTCLOUD_SECRET_KEY", KEY),
    ]))
    .unwrap();
    assert_eq!(c.secret_id, ID);
    assert_eq!(c.secret_key.expose_secret(), KEY.as_bytes());
    assert_eq!(c.token, None);
}

#[test]
fn env_token_names_and_precedence() {
    let base = [
        ("TENCENTCLOUD_SECRET_ID", ID),
        ("TENCENTCLOUD_SECRET_KEY", KEY),
    ];
    let with = |extra: &[(&str, &str)]| {
        let mut all = base.to_vec();
        all.extend_from_slice(extra);
        OwnedCredential::from_env_with(env(&all))
            .unwrap()
            .token
            .clone()
    };
    assert_eq!(with(&[("TENCENTCLOUD_TOKEN", "t1")]).as_deref(), Some("t1"));
    assert_eq!(
        with(&[("TENCENTCLOUD_SECURITY_TOKEN", "t2")]).as_deref(),
        Some("t2")
    );
    assert_eq!(
        with(&[("TENCENTCLOUD_SESSION_TOKEN", "t3")]).as_deref(),
        Some("t3")
    );
    assert_eq!(
        with(&[
            ("TENCENTCLOUD_SESSION_TOKEN", "t3"),
            ("TENCENTCLOUD_TOKEN", "t1")
        ])
        .as_deref(),
        Some("t1")
    );
    // An empty primary falls through to a fallback.
    assert_eq!(
        with(&[
            ("TENCENTCLOUD_TOKEN", ""),
            ("TENCENTCLOUD_SECURITY_TOKEN", "t2")
        ])
        .as_deref(),
        Some("t2")
    );
    assert_eq!(with(&[("TENCENTCLOUD_TOKEN", "")]), None);
    let c = OwnedCredential::from_env_with(env(&[
        ("TENCENTCLOUD_SECRET_ID", ID),
        ("TENCENTCLOUD_SECRET_KEY", KEY),
        ("TENCENTCLOUD_TOKEN", "tok"),
    ]))
    .unwrap();
    assert_eq!(c.token.as_deref(), Some("tok"));
}

#[test]
fn env_missing_and_invalid() {
    assert_eq!(
        OwnedCredential::from_env_with(env(&[])).unwrap_err(),
        ProfileError::NotFound
    );
    assert_eq!(
        OwnedCredential::from_env_with(env(&[
            ("TENCENTCLOUD_SECRET_ID", ""),
            ("TENCENTCLOUD_SECRET_KEY", "")
        ]))
        .unwrap_err(),
        ProfileError::NotFound
    );
    assert_eq!(
        OwnedCredential::from_env_with(env(&[("TENCENTCLOUD_SECRET_ID", ID)])).unwrap_err(),
        ProfileError::Missing("TENCENTCLOUD_SECRET_KEY")
    );
    assert_eq!(
        OwnedCredential::from_env_with(env(&[("TENCENTCLOUD_SECRET_KEY", KEY)])).unwrap_err(),
        ProfileError::Missing("TENCENTCLOUD_SECRET_ID")
    );
    assert_eq!(
        OwnedCredential::from_env_with(env(&[
            ("TENCENTCLOUD_SECRET_ID", "AK ID"),
            ("TENCENTCLOUD_SECRET_KEY", KEY)
        ]))
        .unwrap_err(),
        ProfileError::Invalid(
            "TENCENTCLOUD_SECRET_ID",
            tc3::Error::new(Field::SecretId, Reason::Reserved)
        )
    );
    assert_eq!(
        OwnedCredential::from_env_with(env(&[
            ("TENCENTCLOUD_SECRET_ID", ID),
            ("TENCENTCLOUD_SECRET_KEY", " k ")
        ]))
        .unwrap_err(),
        ProfileError::Invalid(
            "TENCENTCLOUD_SECRET_KEY",
            tc3::Error::new(Field::SecretKey, Reason::Reserved)
        )
    );
    let err = OwnedCredential::from_env_with(env(&[
        ("TENCENTCLOUD_SECRET_ID", ID),
        ("TENCENTCLOUD_SECRET_KEY", KEY),
        ("TENCENTCLOUD_SESSION_TOKEN", "a\r\nb"),
    ]))
    .unwrap_err();
    assert_eq!(
        err,
        ProfileError::Invalid(
            "TENCENTCLOUD_SESSION_TOKEN",
            tc3::Error::new(Field::Token, Reason::ControlChar)
        )
    );
    // Errors never carry values.
    assert!(!format!("{err} {err:?}").contains("a\r\nb"));
}

#[test]
fn debug_is_redacted() {
    let c = OwnedCredential::new(ID, KEY, Some("tok-secret")).unwrap();
    let s = format!("{c:?}");
    assert!(s.contains(ID), "{s}");
    assert!(!s.contains("Gu5t9x"), "{s}");
    assert!(!s.contains("tok-secret"), "{s}");
    assert_eq!(OwnedCredential::new(ID, KEY, Some("")).unwrap().token, None);
    assert_eq!(
        OwnedCredential::new("", KEY, None).unwrap_err(),
        ProfileError::Missing("SecretId")
    );
}

#[test]
fn region() {
    assert_eq!(
        region_from_env_with(env(&[("TENCENTCLOUD_REGION", "ap-guangzhou")])).as_deref(),
        Some("ap-guangzhou")
    );
    assert_eq!(
        region_from_env_with(env(&[("TENCENTCLOUD_REGION", "")])),
        None
    );
    assert_eq!(region_from_env_with(env(&[])), None);
}

#[test]
fn profile_names_cannot_escape_the_directory() {
    let d = std::path::Path::new("/x/.tccli");
    assert_eq!(
        tccli_credential_path(d, "default").unwrap(),
        std::path::Path::new("/x/.tccli/default.credential")
    );
    for bad in ["", "../etc/passwd", "a/b", "a\\b", ".hidden", "a\0b", "c:x"] {
        assert_eq!(
            tccli_credential_path(d, bad).unwrap_err(),
            ProfileError::ProfileName,
            "{bad:?}"
        );
    }
}

mod files {
    use super::*;
    use std::path::PathBuf;

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);
    impl TempDir {
        fn new(tag: &str) -> Self {
            let p = std::env::temp_dir().join(format!("tc3-profile-{}-{tag}", std::process::id()));
            let _ = std::fs::remove_dir_all(&p);
            std::fs::create_dir_all(p.join(".tccli")).unwrap();
            TempDir(p)
        }
        fn tccli(&self) -> PathBuf {
            self.0.join(".tccli")
        }
        fn write(&self, name: &str, text: &str) {
            std::fs::write(self.tccli().join(name), text).unwrap();
        }
        fn home(&self) -> &str {
            self.0.to_str().unwrap()
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn reads_a_tccli_credential_file() {
        let t = TempDir::new("read");
        // The shape `tccli configure set secretId … secretKey … token …` writes.
        t.write(
            "default.credential",
            &format!("{{\n    \"secretId\": \"{ID}\",\n    \"secretKey\": \"{KEY}\",\n    \"token\": \"\"\n}}"),
        );
        t.write(
            "sts.credential",
            &format!("{{\"secretId\": \"{ID}\", \"secretKey\": \"{KEY}\", \"token\": \"tok\", \"type\": \"default\"}}"),
        );
        let c = OwnedCredential::from_tccli_profile(&t.tccli(), "default").unwrap();
        assert_eq!(c.secret_id, ID);
        assert_eq!(c.secret_key.expose_secret(), KEY.as_bytes());
        assert_eq!(c.token, None);
        let c = OwnedCredential::from_tccli_profile(&t.tccli(), "sts").unwrap();
        assert_eq!(c.token.as_deref(), Some("tok"));
        assert_eq!(
            OwnedCredential::from_tccli_profile(&t.tccli(), "nope").unwrap_err(),
            ProfileError::NotFound
        );
    }

    #[test]
    fn bad_files() {
        let j = |s: &str| OwnedCredential::from_tccli_json(s.as_bytes()).unwrap_err();
        assert_eq!(j("not json"), ProfileError::Malformed);
        assert_eq!(j("[1]"), ProfileError::Malformed);
        assert_eq!(
            j(r#"{"secretId": 1, "secretKey": "k"}"#),
            ProfileError::Malformed
        );
        assert_eq!(
            j(r#"{"secretKey": "k"}"#),
            ProfileError::Missing("secretId")
        );
        assert_eq!(
            j(r#"{"secretId": "AKID"}"#),
            ProfileError::Missing("secretKey")
        );
        assert_eq!(
            j(r#"{"secretId": "AK/ID", "secretKey": "k"}"#),
            ProfileError::Invalid(
                "secretId",
                tc3::Error::new(Field::SecretId, Reason::Reserved)
            )
        );
        assert_eq!(
            j(r#"{"secretId": "AKID", "secretKey": "k", "token": "a\nb"}"#),
            ProfileError::Invalid("token", tc3::Error::new(Field::Token, Reason::ControlChar))
        );
    }

    /// The client's local chain (`credentials::local_credentials`) over these readers.
    fn chain(pairs: &[(&str, &str)]) -> Result<Option<(String, Option<String>)>, String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let lookup: crate::credentials::Lookup =
            std::sync::Arc::new(move |n: &str| map.get(n).cloned());
        crate::credentials::local_credentials(&lookup, None)
            .map(|found| {
                found.map(|(c, _)| (c.secret_id().to_owned(), c.token().map(str::to_owned)))
            })
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_chain_prefers_env_then_profile() {
        let t = TempDir::new("chain");
        t.write(
            "default.credential",
            &format!(r#"{{"secretId": "{ID}", "secretKey": "{KEY}"}}"#),
        );
        t.write(
            "other.credential",
            r#"{"secretId": "AKIDother", "secretKey": "otherkey", "token": "ot"}"#,
        );
        let home = t.home();
        let at_home = [("HOME", home), ("USERPROFILE", home)];
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut v: Vec<(&str, &str)> = at_home.to_vec();
            v.extend_from_slice(extra);
            chain(&v)
        };

        // env wins
        let c = with(&[
            ("TENCENTCLOUD_SECRET_ID", "AKIDenv"),
            ("TENCENTCLOUD_SECRET_KEY", "envkey"),
        ]);
        assert_eq!(c, Ok(Some(("AKIDenv".into(), None))));

        // no env → ~/.tccli/default.credential
        assert_eq!(with(&[]), Ok(Some((ID.into(), None))));

        // TCCLI_PROFILE selects the file
        assert_eq!(
            with(&[("TCCLI_PROFILE", "other")]),
            Ok(Some(("AKIDother".into(), Some("ot".into()))))
        );

        // a half-set environment is an error, not a fall-through
        let e = with(&[("TENCENTCLOUD_SECRET_ID", "AKIDenv")]).unwrap_err();
        assert!(e.contains("TENCENTCLOUD_SECRET_KEY"), "{e}");

        // nothing anywhere
        assert_eq!(chain(&[]), Ok(None));
        assert_eq!(with(&[("TCCLI_PROFILE", "missing")]), Ok(None));
        let e = with(&[("TCCLI_PROFILE", "../x")]).unwrap_err();
        assert!(e.contains("invalid profile name"), "{e}");
    }
}
