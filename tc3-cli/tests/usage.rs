//! The command line as users expect it: help everywhere, -V, one-line errors, the usage for
//! usage errors only, empty input is an error.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn tc3_env(args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Run {
    let home = std::env::temp_dir().join(format!("tc3-usage-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tc3"));
    cmd.env_clear()
        .env("HOME", &home)
        .env("TENCENTCLOUD_CREDENTIALS_FILE", home.join("no-such-file"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let w = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    w.join().unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn tc3(args: &[&str], stdin: &[u8]) -> Run {
    tc3_env(args, stdin, &[])
}

fn home() -> PathBuf {
    std::env::temp_dir().join(format!("tc3-usage-{}", std::process::id()))
}

#[test]
fn help_on_every_subcommand_and_a_help_subcommand() {
    for sub in ["sign", "verify", "explain", "parse", "call"] {
        for flag in ["--help", "-h"] {
            let r = tc3(&[sub, flag], b"");
            assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{sub} {flag}");
            assert!(
                r.stdout.starts_with(&format!("usage:\n  tc3 {sub} ")),
                "{sub}: {}",
                r.stdout
            );
        }
        let r = tc3(&["help", sub], b"");
        assert_eq!(r.code, 0);
        assert_eq!(r.stdout, tc3(&[sub, "--help"], b"").stdout);
    }
    let all = tc3(&["help"], b"");
    assert_eq!(all.code, 0);
    for sub in ["sign", "verify", "explain", "parse", "call"] {
        assert!(all.stdout.contains(&format!("  tc3 {sub} ")), "{sub}");
    }
    assert_eq!(tc3(&["--help"], b"").stdout, all.stdout);
    assert_eq!(tc3(&["-h"], b"").stdout, all.stdout);
}

#[test]
fn version_flags() {
    for flag in ["-V", "--version"] {
        let r = tc3(&[flag], b"");
        assert_eq!(
            (r.code, r.stdout.as_str()),
            (0, concat!("tc3 ", env!("CARGO_PKG_VERSION"), "\n"))
        );
    }
}

#[test]
fn the_usage_lists_every_flag() {
    let sign = tc3(&["sign", "--help"], b"").stdout;
    for f in [
        "--curl",
        "--example",
        "--service",
        "--action",
        "--version",
        "--region",
        "--params",
        "--host",
        "--path",
        "--method",
        "--sign-method",
        "--timestamp",
        "--nonce",
        "--query",
        "--body",
        "--content-type",
        "--language",
        "--token",
        "--secret-id",
        "--secret-key",
    ] {
        assert!(sign.contains(f), "sign usage lacks {f}");
    }
    let call = tc3(&["call", "--help"], b"").stdout;
    for f in [
        "--version",
        "--region",
        "--params",
        "--endpoint",
        "--profile",
        "--max-retries",
        "--timeout",
        "--verbose",
    ] {
        assert!(call.contains(f), "call usage lacks {f}");
    }
    let verify = tc3(&["verify", "--help"], b"").stdout;
    for f in ["--keys", "--now", "--skip-clock", "--max-skew"] {
        assert!(verify.contains(f), "verify usage lacks {f}");
    }
}

#[test]
fn usage_errors_show_the_usage_other_errors_are_one_line() {
    let r = tc3(&["sign", "--bogus", "x"], b"");
    assert_eq!(r.code, 2);
    let mut lines = r.stderr.lines();
    assert_eq!(lines.next(), Some("tc3: unknown option --bogus"));
    assert_eq!(lines.next(), Some("usage:"));
    assert!(lines.next().unwrap().starts_with("  tc3 sign "));
    // a file that cannot be read is not a usage error
    let r = tc3(&["verify", "--keys", "/nonexistent/keys.json"], b"");
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r
        .stderr
        .starts_with("tc3: cannot read /nonexistent/keys.json: "));
}

#[test]
fn secret_id_needs_secret_key() {
    let base = [
        "sign",
        "--service",
        "cvm",
        "--action",
        "DescribeZones",
        "--version",
        "2017-03-12",
    ];
    let mut args = base.to_vec();
    args.extend(["--secret-id", "AKIDx"]);
    let r = tc3(&args, b"");
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.lines().next(),
        Some("tc3: --secret-id and --secret-key go together: give both or neither")
    );
    let mut args = base.to_vec();
    args.extend([
        "--secret-id",
        "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        "--secret-key",
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        "--timestamp",
        "1551113065",
    ]);
    let r = tc3(&args, b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let auth = v["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h[0] == "authorization")
        .unwrap()[1]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(auth.starts_with("TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request"), "{auth}");
}

#[test]
fn sign_takes_the_region_from_the_environment() {
    let args = [
        "sign",
        "--service",
        "cvm",
        "--action",
        "DescribeZones",
        "--version",
        "2017-03-12",
        "--secret-id",
        "AKIDx",
        "--secret-key",
        "k",
        "--timestamp",
        "1551113065",
    ];
    let r = tc3_env(&args, b"", &[("TENCENTCLOUD_REGION", "ap-chengdu")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains(r#"["x-tc-region","ap-chengdu"]"#),
        "{}",
        r.stdout
    );
    let mut with_flag = args.to_vec();
    with_flag.extend(["--region", "ap-beijing"]);
    let r = tc3_env(&with_flag, b"", &[("TENCENTCLOUD_REGION", "ap-chengdu")]);
    assert!(
        r.stdout.contains(r#"["x-tc-region","ap-beijing"]"#),
        "{}",
        r.stdout
    );
}

#[test]
fn a_missing_credential_names_the_files_looked_for() {
    let r = tc3(
        &[
            "sign",
            "--service",
            "cvm",
            "--action",
            "A",
            "--version",
            "1",
        ],
        b"",
    );
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    let expected = format!(
        "tc3: no secret_id/secret_key in the spec, and none in the environment (TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY), in {} or in {}\n",
        home().join("no-such-file").display(),
        home().join(".tccli/default.credential").display()
    );
    assert_eq!(r.stderr, expected);
}

#[test]
fn empty_input_is_an_error() {
    for (args, what) in [
        (vec!["sign"], "JSON lines"),
        (vec!["verify", "--keys", "/dev/null"], ""),
        (vec!["parse"], "a response body"),
    ] {
        let r = tc3(&args, b"");
        assert_eq!(r.code, 2, "{args:?}");
        assert_eq!(r.stdout, "");
        assert_eq!(r.stderr.lines().count(), 1, "{args:?}: {}", r.stderr);
        if !what.is_empty() {
            assert_eq!(
                r.stderr,
                format!("tc3: no input: expected {what} on standard input\n")
            );
        }
    }
    let r = tc3(&["sign"], b"\n  \n");
    assert_eq!(
        r.stderr,
        "tc3: no input: expected JSON lines on standard input\n"
    );
}

#[test]
fn parse_reports_an_envelope_given_as_an_event_stream() {
    let body =
        br#"{"Response":{"Error":{"Code":"InvalidParameter","Message":"bad"},"RequestId":"r-1"}}"#;
    let r = tc3(&["parse", "--content-type", "text/event-stream"], body);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        "tc3: the body is a JSON response envelope, not an event stream; read as an envelope\n"
    );
    assert_eq!(
        r.stdout,
        "{\"request_id\":\"r-1\",\"error\":{\"code\":\"InvalidParameter\",\"category\":\"InvalidParameter\",\"message\":\"bad\",\"retryable\":false}}\n"
    );
}
