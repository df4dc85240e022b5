//! `tc3 call` against real local servers on loopback: a verifying gateway (`tc3::verify`), a
//! metadata service and an STS service; credentials from each source of the default chain.

#[path = "../../tc3-client/tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::{api_error, closed_port, now, ok, start, Reply};

const ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `tc3` with a clean environment: only `PATH`, a `HOME` of its own, a metadata
/// endpoint that refuses connections, and `env`.
async fn tc3(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let closed = format!("http://{}", closed_port().await);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tc3"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env(
            "TENCENTCLOUD_CREDENTIALS_FILE",
            home.join(".tencentcloud/credentials"),
        )
        .env("TC3_METADATA_ENDPOINT", closed)
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn home(name: &str) -> PathBuf {
    support::temp_dir(&format!("cli-{name}"))
}

async fn gateway(id: &str, key: &str) -> support::Server {
    start("cvm", &[(id, key)], |i, _| {
        ok(&format!("r{i}"), r#""TotalCount":1,"Zones":[]"#)
    })
    .await
}

fn describe(url: &str) -> Vec<&str> {
    vec![
        "call",
        "cvm",
        "DescribeZones",
        "--version",
        "2017-03-12",
        "--region",
        "ap-guangzhou",
        "--endpoint",
        url,
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn environment_credentials() {
    let g = gateway(ID, KEY).await;
    let url = g.url();
    let mut args = describe(&url);
    args.extend(["--params", r#"{"Limit": 1, "Name": "未命名"}"#]);
    let r = tc3(
        &home("env"),
        &args,
        &[
            ("TENCENTCLOUD_SECRET_ID", ID),
            ("TENCENTCLOUD_SECRET_KEY", KEY),
        ],
    )
    .await;
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert_eq!(
        r.stdout,
        "{\"TotalCount\":1,\"Zones\":[],\"RequestId\":\"r0\"}\n"
    );
    let s = g.seen();
    assert_eq!(s[0].verified.as_deref(), Ok(ID));
    assert_eq!(s[0].header("x-tc-region"), Some("ap-guangzhou"));
    assert_eq!(s[0].body, r#"{"Limit": 1, "Name": "未命名"}"#.as_bytes());
}

#[tokio::test(flavor = "multi_thread")]
async fn profile_file_credentials_and_named_profile() {
    let g = gateway("AKIDprod", "prodkeyprodkey").await;
    let h = home("ini");
    std::fs::create_dir_all(h.join(".tencentcloud")).unwrap();
    std::fs::write(
        h.join(".tencentcloud/credentials"),
        "[default]\nsecret_id = AKIDdefault\nsecret_key = defaultkey\n\n[prod]\nsecret_id = AKIDprod\nsecret_key = prodkeyprodkey\n",
    )
    .unwrap();
    let url = g.url();
    let mut args = describe(&url);
    args.extend(["--profile", "prod"]);
    let r = tc3(&h, &args, &[]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(g.seen()[0].verified.as_deref(), Ok("AKIDprod"));
    // the default section is signed with its own key, which this gateway does not know
    let r = tc3(&h, &describe(&url), &[]).await;
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        "tc3: AuthFailure.SecretIdNotFound: signature check failed (RequestId: verifier)\n"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tccli_profile_credentials() {
    let g = gateway("AKIDtccli", "tcclikeytcclikey").await;
    let h = home("tccli");
    std::fs::create_dir_all(h.join(".tccli")).unwrap();
    std::fs::write(
        h.join(".tccli/default.credential"),
        r#"{"secretId": "AKIDtccli", "secretKey": "tcclikeytcclikey"}"#,
    )
    .unwrap();
    let url = g.url();
    let r = tc3(&h, &describe(&url), &[]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(g.seen()[0].verified.as_deref(), Ok("AKIDtccli"));
}

#[tokio::test(flavor = "multi_thread")]
async fn cvm_role_credentials() {
    let meta = start("", &[], |_, seen| match seen.path.as_str() {
        "/latest/meta-data/cam/security-credentials/" => Reply::Raw(200, "text/plain", "role-1".into()),
        "/latest/meta-data/cam/security-credentials/role-1" => Reply::Json(format!(
            r#"{{"TmpSecretId":"AKIDcvm","TmpSecretKey":"cvmkeycvmkey","ExpiredTime":{},"Token":"cvmtoken","Code":"Success"}}"#,
            now() + 3600
        )),
        _ => Reply::Raw(404, "text/plain", String::new()),
    })
    .await;
    let g = gateway("AKIDcvm", "cvmkeycvmkey").await;
    let (url, meta_url) = (g.url(), format!("{}/latest/meta-data", meta.url()));
    let r = tc3(
        &home("cvm"),
        &describe(&url),
        &[("TC3_METADATA_ENDPOINT", &meta_url)],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s = g.seen();
    assert_eq!(s[0].verified.as_deref(), Ok("AKIDcvm"));
    assert_eq!(s[0].header("x-tc-token"), Some("cvmtoken"));
}

fn sts_answer(id: &str, key: &str, token: &str) -> Reply {
    ok(
        "sts",
        &format!(
            r#""Credentials":{{"Token":"{token}","TmpSecretId":"{id}","TmpSecretKey":"{key}"}},"ExpiredTime":{}"#,
            now() + 7200
        ),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn sts_assume_role_credentials() {
    let sts = start("sts", &[("AKIDlong", "longkeylongkey")], |_, _| {
        sts_answer("AKIDrole", "rolekeyrolekey", "roletoken")
    })
    .await;
    let g = gateway("AKIDrole", "rolekeyrolekey").await;
    let h = home("sts");
    std::fs::create_dir_all(h.join(".tencentcloud")).unwrap();
    std::fs::write(
        h.join(".tencentcloud/credentials"),
        "[default]\nsecret_id=AKIDlong\nsecret_key=longkeylongkey\nrole_arn=qcs::cam::uin/1:roleName/r\n",
    )
    .unwrap();
    let (url, sts_url) = (g.url(), sts.url());
    let r = tc3(&h, &describe(&url), &[("TC3_STS_ENDPOINT", &sts_url)]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(sts.seen()[0].verified.as_deref(), Ok("AKIDlong"));
    assert_eq!(
        sts.seen()[0].json()["RoleArn"],
        "qcs::cam::uin/1:roleName/r"
    );
    assert_eq!(g.seen()[0].verified.as_deref(), Ok("AKIDrole"));
    assert_eq!(g.seen()[0].header("x-tc-token"), Some("roletoken"));
}

#[tokio::test(flavor = "multi_thread")]
async fn tke_oidc_credentials() {
    let sts = start("sts", &[], |_, _| {
        sts_answer("AKIDtke", "tkekeytkekey", "tketoken")
    })
    .await;
    let g = gateway("AKIDtke", "tkekeytkekey").await;
    let h = home("tke");
    std::fs::write(h.join("token"), "jwt-token").unwrap();
    let (url, sts_url, file) = (g.url(), sts.url(), h.join("token").display().to_string());
    let r = tc3(
        &h,
        &describe(&url),
        &[
            ("TC3_STS_ENDPOINT", &sts_url),
            ("TKE_REGION", "ap-beijing"),
            ("TKE_PROVIDER_ID", "p-1"),
            ("TKE_WEB_IDENTITY_TOKEN_FILE", &file),
            ("TKE_ROLE_ARN", "qcs::cam::uin/1:roleName/tke"),
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(sts.seen()[0].header("authorization"), Some("SKIP"));
    assert_eq!(sts.seen()[0].json()["WebIdentityToken"], "jwt-token");
    assert_eq!(g.seen()[0].verified.as_deref(), Ok("AKIDtke"));
}

#[tokio::test(flavor = "multi_thread")]
async fn api_error_is_one_line_and_exit_1() {
    let g = start("cvm", &[(ID, KEY)], |_, _| {
        api_error("ResourceNotFound.Zone", "no such zone", "rid-9")
    })
    .await;
    let url = g.url();
    let r = tc3(
        &home("apierr"),
        &describe(&url),
        &[
            ("TENCENTCLOUD_SECRET_ID", ID),
            ("TENCENTCLOUD_SECRET_KEY", KEY),
        ],
    )
    .await;
    assert_eq!((r.code, r.stdout.as_str()), (1, ""));
    assert_eq!(
        r.stderr,
        "tc3: ResourceNotFound.Zone: no such zone (RequestId: rid-9)\n"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limit_is_retried_and_verbose_shows_each_attempt() {
    let g = start("cvm", &[(ID, KEY)], |i, _| {
        if i == 0 {
            api_error("RequestLimitExceeded", "too fast", "rl-0")
        } else {
            ok("rl-1", "")
        }
    })
    .await;
    let url = g.url();
    let mut args = describe(&url);
    args.push("--verbose");
    let r = tc3(
        &home("rl"),
        &args,
        &[
            ("TENCENTCLOUD_SECRET_ID", ID),
            ("TENCENTCLOUD_SECRET_KEY", KEY),
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "{\"RequestId\":\"rl-1\"}\n");
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", r.stderr);
    let prefix = format!("tc3: attempt 1: POST {url}/ DescribeZones (SecretId {ID}): RequestLimitExceeded (RequestId rl-0); retrying in ");
    assert!(lines[0].starts_with(&prefix), "{}", lines[0]);
    assert_eq!(
        lines[1],
        format!("tc3: attempt 2: POST {url}/ DescribeZones (SecretId {ID}): ok")
    );
    assert!(!r.stderr.contains(KEY));
    assert_eq!(g.count(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn no_answer_is_exit_3() {
    let url = format!("http://{}", closed_port().await);
    let mut args = describe(&url);
    args.extend(["--max-retries", "1", "--verbose"]);
    let r = tc3(
        &home("noanswer"),
        &args,
        &[
            ("TENCENTCLOUD_SECRET_ID", ID),
            ("TENCENTCLOUD_SECRET_KEY", KEY),
        ],
    )
    .await;
    assert_eq!(r.code, 3);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{}", r.stderr);
    assert!(
        lines[2].starts_with("tc3: no answer after 2 attempts: "),
        "{}",
        lines[2]
    );
    assert!(
        lines[2].ends_with("(before the request was sent)"),
        "{}",
        lines[2]
    );
    // a slow server and --timeout
    let slow = start("cvm", &[(ID, KEY)], |_, _| {
        Reply::After(std::time::Duration::from_secs(3), Box::new(ok("late", "")))
    })
    .await;
    let url = slow.url();
    let mut args = describe(&url);
    args.extend(["--timeout", "0.3", "--max-retries", "0"]);
    let r = tc3(
        &home("slow"),
        &args,
        &[
            ("TENCENTCLOUD_SECRET_ID", ID),
            ("TENCENTCLOUD_SECRET_KEY", KEY),
        ],
    )
    .await;
    assert_eq!(r.code, 3);
    assert_eq!(
        r.stderr,
        "tc3: no answer after 1 attempt: no answer within 0.300s (after the request may have reached the server)\n"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_and_credential_problems_are_exit_2() {
    let h = home("usage");
    let r = tc3(&h, &["call", "cvm", "DescribeZones"], &[]).await;
    assert_eq!(r.code, 2);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines[0], "tc3: --version VERSION is required");
    assert_eq!(lines[1], "usage:");
    let r = tc3(
        &h,
        &[
            "call",
            "cvm",
            "DescribeZones",
            "--version",
            "1",
            "--params",
            "[1]",
        ],
        &[],
    )
    .await;
    assert_eq!(
        (r.code, r.stderr.lines().next()),
        (2, Some("tc3: --params: not a JSON object"))
    );
    // no credential anywhere: one line naming what was looked for
    let url = format!("http://{}", closed_port().await);
    let r = tc3(&h, &describe(&url), &[]).await;
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.starts_with("tc3: credentials: no credentials found: TENCENTCLOUD_SECRET_ID/KEY unset; no [default] in "), "{}", r.stderr);
    assert!(r.stderr.contains(&format!(
        "no {}",
        h.join(".tccli/default.credential").display()
    )));
}

#[tokio::test(flavor = "multi_thread")]
async fn event_stream_prints_one_line_per_event() {
    let body = "data: {\"Id\":\"a\"}\n\nevent: x\nid: 5\ndata: {\"Id\":\"b\"}\n\ndata: {\"ErrorMsg\":{\"Code\":4001,\"Msg\":\"cut\"}}\n\n";
    let g = start("hunyuan", &[(ID, KEY)], move |_, _| {
        Reply::Raw(200, "text/event-stream", body.into())
    })
    .await;
    let url = g.url();
    let r = tc3(
        &home("sse"),
        &[
            "call",
            "hunyuan",
            "ChatCompletions",
            "--version",
            "2023-09-01",
            "--endpoint",
            &url,
            "--params",
            r#"{"Stream":true}"#,
        ],
        &[
            ("TENCENTCLOUD_SECRET_ID", ID),
            ("TENCENTCLOUD_SECRET_KEY", KEY),
        ],
    )
    .await;
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout,
        concat!(
            "{\"event\":null,\"id\":null,\"data\":\"{\\\"Id\\\":\\\"a\\\"}\",\"error\":null}\n",
            "{\"event\":\"x\",\"id\":\"5\",\"data\":\"{\\\"Id\\\":\\\"b\\\"}\",\"error\":null}\n",
            "{\"event\":null,\"id\":\"5\",\"data\":\"{\\\"ErrorMsg\\\":{\\\"Code\\\":4001,\\\"Msg\\\":\\\"cut\\\"}}\",\"error\":{\"code\":\"4001\",\"message\":\"cut\"}}\n",
        )
    );
}

/// Each event is printed as it arrives: the first line is out before the server sends the
/// second event.
#[tokio::test(flavor = "multi_thread")]
async fn events_are_printed_as_they_arrive() {
    use std::io::{BufRead, BufReader, Read};
    let (tx, rx) = tokio::sync::oneshot::channel();
    let addr = support::stepped_stream("data: one\n\n", "data: two\n\n", rx).await;
    let h = home("stepped");
    let closed = format!("http://{}", closed_port().await);
    let url = format!("http://{addr}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tc3"))
        .env_clear()
        .env("HOME", &h)
        .env("TC3_METADATA_ENDPOINT", closed)
        .env("TENCENTCLOUD_SECRET_ID", ID)
        .env("TENCENTCLOUD_SECRET_KEY", KEY)
        .args([
            "call",
            "hunyuan",
            "ChatCompletions",
            "--version",
            "2023-09-01",
            "--endpoint",
            &url,
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (first, mut reader) = tokio::task::spawn_blocking(move || {
        let mut r = BufReader::new(stdout);
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        (line, r)
    })
    .await
    .unwrap();
    assert_eq!(
        first,
        "{\"event\":null,\"id\":null,\"data\":\"one\",\"error\":null}\n"
    );
    tx.send(()).unwrap();
    let rest = tokio::task::spawn_blocking(move || {
        let mut s = String::new();
        reader.read_to_string(&mut s).unwrap();
        let status = child.wait().unwrap();
        (s, status.code())
    })
    .await
    .unwrap();
    assert_eq!(
        rest,
        (
            "{\"event\":null,\"id\":null,\"data\":\"two\",\"error\":null}\n".to_owned(),
            Some(0)
        )
    );
}

/// The Response object is printed on one line with its numbers exactly as sent.
#[tokio::test(flavor = "multi_thread")]
async fn the_response_keeps_its_numbers_and_goes_on_one_line() {
    let g = start("cvm", &[(ID, KEY)], |_, _| {
        Reply::Json("{\"Response\": {\n  \"Price\": 0.10,\n  \"Big\": 123456789012345678901234567890,\n  \"Text\": \"a b\\n\\\"c\\\"\",\n  \"RequestId\": \"r\"\n}}".into())
    })
    .await;
    let url = g.url();
    let r = tc3(
        &home("numbers"),
        &describe(&url),
        &[
            ("TENCENTCLOUD_SECRET_ID", ID),
            ("TENCENTCLOUD_SECRET_KEY", KEY),
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "{\"Price\":0.10,\"Big\":123456789012345678901234567890,\"Text\":\"a b\\n\\\"c\\\"\",\"RequestId\":\"r\"}\n"
    );
}
