//! The default credential chain against real local metadata and STS servers.

mod support;

use std::collections::HashMap;
use std::sync::Arc;
use support::{closed_port, now, ok, start, temp_dir, Reply};
use tc3_client::credentials::{local_credentials, Lookup};
use tc3_client::{Client, DefaultChain, Endpoint, Error, RetryPolicy};

fn lookup(vars: &[(&str, String)]) -> Lookup {
    let m: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    Arc::new(move |n: &str| m.get(n).cloned())
}

fn api_client(url: &str, chain: DefaultChain) -> Client {
    Client::builder()
        .endpoint(Endpoint::url(url).unwrap())
        .region("ap-shanghai")
        .credentials_provider(chain)
        .retry(RetryPolicy::none())
        .build()
}

#[tokio::test]
async fn cvm_role_is_cached_and_shared_by_concurrent_callers() {
    let meta = start("", &[], |_, seen| match seen.path.as_str() {
        "/cam/security-credentials/" => Reply::Raw(200, "text/plain", "tc3-role\n".into()),
        "/cam/security-credentials/tc3-role" => Reply::Json(format!(
            r#"{{"TmpSecretId":"AKIDtmp0","TmpSecretKey":"tmpkey0tmpkey0","ExpiredTime":{},"Expiration":"x","Token":"tok0","Code":"Success"}}"#,
            now() + 3600
        )),
        _ => Reply::Raw(404, "text/plain", String::new()),
    })
    .await;
    let api = start("cvm", &[("AKIDtmp0", "tmpkey0tmpkey0")], |i, _| {
        ok(&format!("r{i}"), "")
    })
    .await;
    let home = temp_dir("cvm");
    let chain = DefaultChain::with_lookup(lookup(&[
        ("HOME", home.display().to_string()),
        (
            "TENCENTCLOUD_CREDENTIALS_FILE",
            home.join("none").display().to_string(),
        ),
        ("TC3_METADATA_ENDPOINT", meta.url()),
    ]));
    let c = api_client(&api.url(), chain);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            c.call_raw("cvm", "2017-03-12", "DescribeZones", b"{}".to_vec())
                .await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let seen = api.seen();
    assert_eq!(seen.len(), 8);
    assert!(seen.iter().all(|s| s.verified.as_deref() == Ok("AKIDtmp0")));
    assert!(seen.iter().all(|s| s.header("x-tc-token") == Some("tok0")));
    // one role-name lookup and one credential fetch for all eight callers
    let paths: Vec<String> = meta.seen().iter().map(|s| s.path.clone()).collect();
    assert_eq!(
        paths,
        [
            "/cam/security-credentials/",
            "/cam/security-credentials/tc3-role"
        ]
    );
}

#[tokio::test]
async fn cvm_role_is_refreshed_before_it_expires() {
    // expires in 200 s: inside the 300 s margin, so every call refreshes
    let meta = start("", &[], |i, seen| match seen.path.as_str() {
        "/cam/security-credentials/" => Reply::Raw(200, "text/plain", "tc3-role".into()),
        _ => Reply::Json(format!(
            r#"{{"TmpSecretId":"AKIDtmp{i}","TmpSecretKey":"tmpkey{i}tmpkey","ExpiredTime":{},"Token":"tok{i}","Code":"Success"}}"#,
            now() + 200
        )),
    })
    .await;
    let api = start(
        "cvm",
        &[("AKIDtmp1", "tmpkey1tmpkey"), ("AKIDtmp2", "tmpkey2tmpkey")],
        |_, _| ok("r", ""),
    )
    .await;
    let home = temp_dir("cvm-refresh");
    let chain = DefaultChain::with_lookup(lookup(&[
        ("HOME", home.display().to_string()),
        (
            "TENCENTCLOUD_CREDENTIALS_FILE",
            home.join("none").display().to_string(),
        ),
        ("TC3_METADATA_ENDPOINT", meta.url()),
    ]));
    let c = api_client(&api.url(), chain);
    c.call_raw("cvm", "2017-03-12", "DescribeZones", b"{}".to_vec())
        .await
        .unwrap();
    c.call_raw("cvm", "2017-03-12", "DescribeZones", b"{}".to_vec())
        .await
        .unwrap();
    let ids: Vec<String> = api
        .seen()
        .iter()
        .map(|s| s.verified.clone().unwrap())
        .collect();
    assert_eq!(ids, ["AKIDtmp1", "AKIDtmp2"]);
    assert_eq!(meta.count(), 3);
}

#[tokio::test]
async fn cvm_role_failure_is_a_credentials_error() {
    let meta = start("", &[], |_, seen| match seen.path.as_str() {
        "/cam/security-credentials/" => Reply::Raw(200, "text/plain", "tc3-role".into()),
        _ => Reply::Json(r#"{"Code":"Failed","TmpSecretKey":"do-not-print"}"#.into()),
    })
    .await;
    let home = temp_dir("cvm-fail");
    let chain = DefaultChain::with_lookup(lookup(&[
        ("HOME", home.display().to_string()),
        (
            "TENCENTCLOUD_CREDENTIALS_FILE",
            home.join("none").display().to_string(),
        ),
        ("TC3_METADATA_ENDPOINT", meta.url()),
    ]));
    let e = api_client("http://127.0.0.1:9", chain)
        .call_raw("cvm", "2017-03-12", "DescribeZones", b"{}".to_vec())
        .await
        .unwrap_err();
    let Error::Credentials(c) = &e else {
        panic!("{e:?}")
    };
    assert!(c.message.contains("\"Failed\""), "{}", c.message);
    assert!(!e.to_string().contains("do-not-print"));
}

#[tokio::test]
async fn profile_file_role_arn_assumes_the_role_with_sts() {
    let sts = start("sts", &[("AKIDlong", "longkeylongkey")], |_, _| {
        ok(
            "sts-1",
            &format!(
                r#""Credentials":{{"Token":"ststoken","TmpSecretId":"AKIDsts","TmpSecretKey":"stskeystskey"}},"ExpiredTime":{},"Expiration":"x""#,
                now() + 7200
            ),
        )
    })
    .await;
    let api = start("cvm", &[("AKIDsts", "stskeystskey")], |_, _| ok("r", "")).await;
    let home = temp_dir("sts");
    std::fs::create_dir_all(home.join(".tencentcloud")).unwrap();
    std::fs::write(
        home.join(".tencentcloud/credentials"),
        "; comment\n[default]\nsecret_id = AKIDlong\nsecret_key = longkeylongkey\nrole_arn = qcs::cam::uin/100:roleName/test\nrole_session_name = sess-1\n",
    )
    .unwrap();
    let chain = DefaultChain::with_lookup(lookup(&[
        ("HOME", home.display().to_string()),
        ("TC3_STS_ENDPOINT", sts.url()),
    ]));
    let c = api_client(&api.url(), chain);
    c.call_raw("cvm", "2017-03-12", "DescribeZones", b"{}".to_vec())
        .await
        .unwrap();
    c.call_raw("cvm", "2017-03-12", "DescribeZones", b"{}".to_vec())
        .await
        .unwrap();
    let s = sts.seen();
    assert_eq!(s.len(), 1, "cached");
    assert_eq!(s[0].verified.as_deref(), Ok("AKIDlong"));
    assert_eq!(s[0].header("x-tc-action"), Some("AssumeRole"));
    assert_eq!(s[0].header("x-tc-version"), Some("2018-08-13"));
    assert_eq!(s[0].header("x-tc-region"), Some("ap-guangzhou"));
    assert_eq!(
        s[0].json(),
        serde_json::json!({"RoleArn": "qcs::cam::uin/100:roleName/test", "RoleSessionName": "sess-1", "DurationSeconds": 7200})
    );
    let a = api.seen();
    assert!(a
        .iter()
        .all(|x| x.verified.as_deref() == Ok("AKIDsts")
            && x.header("x-tc-token") == Some("ststoken")));
}

#[tokio::test]
async fn tke_oidc_assumes_the_role_with_the_web_identity_token() {
    let sts = start("sts", &[], |_, _| {
        ok(
            "sts-2",
            &format!(
                r#""Credentials":{{"Token":"oidctoken","TmpSecretId":"AKIDoidc","TmpSecretKey":"oidckeyoidckey"}},"ExpiredTime":{}"#,
                now() + 7200
            ),
        )
    })
    .await;
    let api = start("cvm", &[("AKIDoidc", "oidckeyoidckey")], |_, _| ok("r", "")).await;
    let home = temp_dir("oidc");
    let token_file = home.join("token");
    std::fs::write(&token_file, "eyJhbGciOi.jwt.sig").unwrap();
    let chain = DefaultChain::with_lookup(lookup(&[
        ("HOME", home.display().to_string()),
        (
            "TENCENTCLOUD_CREDENTIALS_FILE",
            home.join("none").display().to_string(),
        ),
        (
            "TC3_METADATA_ENDPOINT",
            format!("http://{}", closed_port().await),
        ),
        ("TC3_STS_ENDPOINT", sts.url()),
        ("TKE_REGION", "ap-chengdu".into()),
        ("TKE_PROVIDER_ID", "provider-1".into()),
        (
            "TKE_WEB_IDENTITY_TOKEN_FILE",
            token_file.display().to_string(),
        ),
        ("TKE_ROLE_ARN", "qcs::cam::uin/100:roleName/tke".into()),
    ]));
    let c = api_client(&api.url(), chain);
    c.call_raw("cvm", "2017-03-12", "DescribeZones", b"{}".to_vec())
        .await
        .unwrap();
    let s = sts.seen();
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].header("authorization"), Some("SKIP"));
    assert_eq!(
        s[0].header("x-tc-action"),
        Some("AssumeRoleWithWebIdentity")
    );
    assert_eq!(s[0].header("x-tc-region"), Some("ap-chengdu"));
    let body = s[0].json();
    assert_eq!(body["ProviderId"], "provider-1");
    assert_eq!(body["WebIdentityToken"], "eyJhbGciOi.jwt.sig");
    assert_eq!(body["RoleArn"], "qcs::cam::uin/100:roleName/tke");
    assert_eq!(body["DurationSeconds"], 7200);
    assert!(body["RoleSessionName"]
        .as_str()
        .unwrap()
        .starts_with("tc3-client-"));
    let a = api.seen();
    assert_eq!(a[0].verified.as_deref(), Ok("AKIDoidc"));
    assert_eq!(a[0].header("x-tc-token"), Some("oidctoken"));
}

#[tokio::test]
async fn chain_order_environment_profile_file_tccli() {
    let home = temp_dir("order");
    std::fs::create_dir_all(home.join(".tencentcloud")).unwrap();
    std::fs::create_dir_all(home.join(".tccli")).unwrap();
    std::fs::write(home.join(".tencentcloud/credentials"), "[default]\nsecret_id=AKIDfile\nsecret_key=filekey\n[other]\nsecret_id=AKIDother\nsecret_key=otherkey\n").unwrap();
    std::fs::write(
        home.join(".tccli/default.credential"),
        r#"{"secretId":"AKIDtccli","secretKey":"tcclikey"}"#,
    )
    .unwrap();
    std::fs::write(
        home.join(".tccli/third.credential"),
        r#"{"secretId":"AKIDthird","secretKey":"thirdkey"}"#,
    )
    .unwrap();
    let h = ("HOME", home.display().to_string());
    let env = [
        ("TENCENTCLOUD_SECRET_ID", "AKIDenv".to_owned()),
        ("TENCENTCLOUD_SECRET_KEY", "envkey".to_owned()),
        h.clone(),
    ];
    let id = |l: &Lookup, p: Option<&str>| {
        let (c, src) = local_credentials(l, p).unwrap().unwrap();
        (c.secret_id().to_owned(), src)
    };
    assert_eq!(
        id(&lookup(&env), None),
        ("AKIDenv".into(), "environment".into())
    );
    let file = home.join(".tencentcloud/credentials").display().to_string();
    assert_eq!(
        id(&lookup(std::slice::from_ref(&h)), None),
        ("AKIDfile".into(), file.clone())
    );
    assert_eq!(
        id(&lookup(std::slice::from_ref(&h)), Some("other")),
        ("AKIDother".into(), file)
    );
    let tccli = home.join(".tccli/third.credential").display().to_string();
    assert_eq!(
        id(&lookup(std::slice::from_ref(&h)), Some("third")),
        ("AKIDthird".into(), tccli)
    );
    // the same through the chain, against a verifying server
    let api = start("cvm", &[("AKIDthird", "thirdkey")], |_, _| ok("r", "")).await;
    let chain = DefaultChain::with_lookup(lookup(std::slice::from_ref(&h))).profile("third");
    api_client(&api.url(), chain)
        .call_raw("cvm", "2017-03-12", "DescribeZones", b"{}".to_vec())
        .await
        .unwrap();
    assert_eq!(api.seen()[0].verified.as_deref(), Ok("AKIDthird"));
}

#[tokio::test]
async fn no_credentials_names_what_was_looked_for() {
    let home = temp_dir("none");
    let closed = closed_port().await;
    let chain = DefaultChain::with_lookup(lookup(&[
        ("HOME", home.display().to_string()),
        (
            "TENCENTCLOUD_CREDENTIALS_FILE",
            home.join("creds.ini").display().to_string(),
        ),
        ("TC3_METADATA_ENDPOINT", format!("http://{closed}/")),
    ]))
    .profile("prod");
    let e = api_client("http://127.0.0.1:9", chain)
        .call_raw("cvm", "2017-03-12", "DescribeZones", b"{}".to_vec())
        .await
        .unwrap_err();
    let Error::Credentials(c) = &e else {
        panic!("{e:?}")
    };
    let expected = format!(
        "no credentials found: TENCENTCLOUD_SECRET_ID/KEY unset; no [prod] in {}; no {}; no CVM role at http://{closed}/cam/security-credentials/; TKE_* unset",
        home.join("creds.ini").display(),
        home.join(".tccli/prod.credential").display()
    );
    assert_eq!(c.message, expected);
    // an empty TENCENTCLOUD_CREDENTIALS_FILE is an error (Go SDK)
    let l = lookup(&[("TENCENTCLOUD_CREDENTIALS_FILE", String::new())]);
    let e = local_credentials(&l, None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "credentials: TENCENTCLOUD_CREDENTIALS_FILE is set but empty"
    );
}

/// A failed early refresh keeps the credential that has not expired yet.
#[tokio::test]
async fn a_failed_refresh_keeps_a_credential_that_is_still_valid() {
    let meta = start("", &[], |i, seen| match (seen.path.as_str(), i) {
        ("/cam/security-credentials/", _) => Reply::Raw(200, "text/plain", "tc3-role".into()),
        (_, 1) => Reply::Json(format!(
            r#"{{"TmpSecretId":"AKIDtmp1","TmpSecretKey":"tmpkey1tmpkey","ExpiredTime":{},"Token":"tok1","Code":"Success"}}"#,
            now() + 200
        )),
        _ => Reply::Raw(500, "text/plain", "metadata down".into()),
    })
    .await;
    let api = start("cvm", &[("AKIDtmp1", "tmpkey1tmpkey")], |_, _| ok("r", "")).await;
    let home = temp_dir("cvm-stale");
    let chain = DefaultChain::with_lookup(lookup(&[
        ("HOME", home.display().to_string()),
        (
            "TENCENTCLOUD_CREDENTIALS_FILE",
            home.join("none").display().to_string(),
        ),
        ("TC3_METADATA_ENDPOINT", meta.url()),
    ]));
    let c = api_client(&api.url(), chain);
    for _ in 0..2 {
        c.call_raw("cvm", "2017-03-12", "DescribeZones", b"{}".to_vec())
            .await
            .unwrap();
    }
    assert!(api
        .seen()
        .iter()
        .all(|s| s.verified.as_deref() == Ok("AKIDtmp1")));
    assert_eq!(meta.count(), 3, "the second call tried to refresh");
}

/// An STS answer that is not a credential document is a credentials error that quotes none
/// of it.
#[tokio::test]
async fn a_bad_sts_answer_is_reported_without_its_content() {
    let sts = start("sts", &[("AKIDlong", "longkeylongkey")], |_, _| {
        ok("sts", r#""Credentials":{"TmpSecretId":"AKIDx","TmpSecretKey":987654321,"Token":"t"},"ExpiredTime":1"#)
    })
    .await;
    let home = temp_dir("sts-bad");
    std::fs::create_dir_all(home.join(".tencentcloud")).unwrap();
    std::fs::write(
        home.join(".tencentcloud/credentials"),
        "[default]\nsecret_id=AKIDlong\nsecret_key=longkeylongkey\nrole_arn=qcs::cam::uin/1:roleName/r\n",
    )
    .unwrap();
    let chain = DefaultChain::with_lookup(lookup(&[
        ("HOME", home.display().to_string()),
        ("TC3_STS_ENDPOINT", sts.url()),
    ]));
    let e = api_client("http://127.0.0.1:9", chain)
        .call_raw("cvm", "2017-03-12", "DescribeZones", b"{}".to_vec())
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "credentials: STS AssumeRole: HTTP 200: not a credential answer"
    );
}
