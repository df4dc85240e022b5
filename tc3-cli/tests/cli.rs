//! The `tc3` command line against its contract (`docs/cli.md`), with the repository's test data.

use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The core's test data (`tests/data/` of the repository, provenance in its README).
fn test_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn tc3(args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tc3"))
        .args(args)
        .env_remove("TENCENTCLOUD_SECRET_ID")
        .env_remove("TENCENTCLOUD_SECRET_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tc3");
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    Run {
        code: out.status.code().expect("exited"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn lines(s: &str) -> Vec<Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn tmp(name: &str, content: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

#[test]
fn sign_example_prints_the_documented_request() {
    let r = tc3(&["sign", "--example"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let caps = lines(&r.stdout);
    assert_eq!(caps.len(), 1);
    let c = &caps[0];
    assert_eq!(c["method"], "POST");
    assert_eq!(c["path"], "/");
    assert_eq!(c["query"], Value::Null);
    assert_eq!(
        c["body"],
        r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#
    );
    assert_eq!(
        c["headers"],
        json!([
            ["host", "cvm.tencentcloudapi.com"],
            ["content-type", "application/json; charset=utf-8"],
            ["x-tc-action", "DescribeInstances"],
            ["x-tc-timestamp", "1551113065"],
            ["x-tc-version", "2017-03-12"],
            ["x-tc-region", "ap-guangzhou"],
            ["authorization", "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"]
        ])
    );
    // the canonical request and string to sign of the docs, on stderr
    assert!(r.stderr.contains("POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"), "{}", r.stderr);
    assert!(r.stderr.contains("TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"));

    let r = tc3(&["sign", "--example", "--curl"], b"");
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with(
        "curl -sS -X POST 'https://cvm.tencentcloudapi.com/' -H 'Host: cvm.tencentcloudapi.com'"
    ));
    assert!(r
        .stdout
        .contains("Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168'"));
}

/// Specs grouped so that each SecretId maps to one key (the curated set reuses the documented
/// SecretId with other keys); returns (specs text, KEYS.json path) per group.
fn spec_groups(dir: &str, test: &str) -> Vec<(String, PathBuf, usize)> {
    let text = std::fs::read_to_string(
        test_data()
            .join("vectors/sdk")
            .join(dir)
            .join("specs.jsonl"),
    )
    .unwrap();
    let mut groups: Vec<(String, HashMap<String, String>, usize)> = Vec::new();
    for line in text.lines() {
        let s: Value = serde_json::from_str(line).unwrap();
        let (id, key) = (
            s["secret_id"].as_str().unwrap(),
            s["secret_key"].as_str().unwrap(),
        );
        let g = match groups
            .iter()
            .position(|(_, k, _)| k.get(id).is_none_or(|v| v == key))
        {
            Some(g) => g,
            None => {
                groups.push((String::new(), HashMap::new(), 0));
                groups.len() - 1
            }
        };
        groups[g].0.push_str(line);
        groups[g].0.push('\n');
        groups[g].1.insert(id.into(), key.into());
        groups[g].2 += 1;
    }
    groups
        .into_iter()
        .enumerate()
        .map(|(i, (specs, keys, n))| {
            let p = tmp(
                &format!("keys-{test}-{dir}-{i}.json"),
                &serde_json::to_string(&keys).unwrap(),
            );
            (specs, p, n)
        })
        .collect()
}

#[test]
fn signed_specs_reverify() {
    let mut total = 0;
    for dir in ["curated", "random-101"] {
        for (specs, keys, n) in spec_groups(dir, "reverify") {
            let signed = tc3(&["sign"], specs.as_bytes());
            assert_eq!(signed.code, 0, "{dir}: {}", signed.stderr);
            assert_eq!(signed.stdout.lines().count(), n);
            let verdicts = tc3(
                &["verify", "--keys", keys.to_str().unwrap(), "--skip-clock"],
                signed.stdout.as_bytes(),
            );
            assert_eq!(verdicts.code, 0, "{dir}: {}", verdicts.stdout);
            for v in lines(&verdicts.stdout) {
                assert_eq!(v["ok"], true, "{v}");
                assert_eq!(v["code"], Value::Null);
            }
            total += n;
        }
    }
    assert_eq!(total, 152 + 300);
}

#[test]
fn sdk_captures_verify_and_explain() {
    let mut verified = 0;
    for dir in ["curated", "random-101"] {
        let groups = spec_groups(dir, "captures");
        let group_of: HashMap<String, usize> = groups
            .iter()
            .enumerate()
            .flat_map(|(g, (specs, _, _))| {
                specs.lines().map(move |l| {
                    (
                        serde_json::from_str::<Value>(l).unwrap()["id"]
                            .as_str()
                            .unwrap()
                            .to_owned(),
                        g,
                    )
                })
            })
            .collect();
        for sdk in ["python", "node", "go", "go_common"] {
            let text = std::fs::read_to_string(
                test_data()
                    .join("vectors/sdk")
                    .join(dir)
                    .join(format!("{sdk}.jsonl")),
            )
            .unwrap();
            let mut per_group = vec![String::new(); groups.len()];
            for line in text.lines() {
                let c: Value = serde_json::from_str(line).unwrap();
                if c.get("error").is_some_and(|e| !e.is_null())
                    || c.get("unsupported").is_some_and(|e| !e.is_null())
                {
                    continue;
                }
                per_group[group_of[c["id"].as_str().unwrap()]].push_str(&format!("{line}\n"));
            }
            for (g, caps) in per_group.iter().enumerate() {
                if caps.is_empty() {
                    continue;
                }
                let keys = groups[g].1.to_str().unwrap();
                let r = tc3(&["verify", "--keys", keys, "--skip-clock"], caps.as_bytes());
                assert_eq!(r.code, 0, "{dir}/{sdk}: {}", r.stdout);
                let vs = lines(&r.stdout);
                assert_eq!(vs.len(), caps.lines().count());
                verified += vs.len();
            }
        }
    }
    assert_eq!(verified, 1783);

    // explain: a good capture matches, a tampered one is diagnosed
    let (specs, keys, _) = &spec_groups("curated", "explain")[0];
    let first_spec: Value = serde_json::from_str(specs.lines().next().unwrap()).unwrap();
    let py = std::fs::read_to_string(test_data().join("vectors/sdk/curated/python.jsonl")).unwrap();
    let cap = py
        .lines()
        .find(|l| {
            l.contains(&format!(
                "\"id\": \"{}\"",
                first_spec["id"].as_str().unwrap()
            ))
        })
        .unwrap();
    let r = tc3(
        &["explain", "--keys", keys.to_str().unwrap(), "--skip-clock"],
        cap.as_bytes(),
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("verdict: accepted"));
    let sig = |label: &str| {
        r.stdout
            .lines()
            .find_map(|l| l.strip_prefix(label))
            .map(str::to_owned)
    };
    assert!(sig("ExpectedSignature: ").is_some());
    assert_eq!(sig("ExpectedSignature: "), sig("ReceivedSignature: "));
    assert!(r.stdout.contains("content-type:application/json⏎"));
    let tampered = cap.replace(r#"\"Limit\": 20"#, r#"\"Limit\": 21"#);
    assert_ne!(tampered, cap);
    let r = tc3(
        &["explain", "--keys", keys.to_str().unwrap(), "--skip-clock"],
        tampered.as_bytes(),
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("verdict: rejected with AuthFailure.SignatureFailure"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("diagnosis: unknown: "), "{}", r.stdout);
}

// ---------------------------------------------------------------------------------------------
// Issue 11: `tc3 explain --json` names the signer's mistake

const ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
/// 2019-02-25 23:58:20 UTC, 100 s before midnight (the clock of these tests: midnight).
const TS: u64 = 1551139100;
const NOW: u64 = 1551139200;

/// What a TC3 signer signed, and what it sent.
#[derive(Clone)]
struct Mk {
    id: &'static str,
    key: String,
    service: &'static str,
    sign_ts: u64,
    send_ts: u64,
    sign_host: &'static str,
    send_host: &'static str,
    sign_uri: &'static str,
    send_path: &'static str,
    sign_ct: &'static str,
    send_ct: &'static str,
    sign_body: Vec<u8>,
    send_body: Vec<u8>,
}

fn mk() -> Mk {
    let body = br#"{"Limit": 1}"#.to_vec();
    Mk {
        id: ID,
        key: KEY.into(),
        service: "cvm",
        sign_ts: TS,
        send_ts: TS,
        sign_host: "cvm.tencentcloudapi.com",
        send_host: "cvm.tencentcloudapi.com",
        sign_uri: "/",
        send_path: "/",
        sign_ct: "application/json; charset=utf-8",
        send_ct: "application/json; charset=utf-8",
        sign_body: body.clone(),
        send_body: body,
    }
}

fn tc3_capture(name: &str, m: &Mk) -> String {
    let cred = tc3::Credential::new(m.id, &m.key).unwrap();
    let common = tc3::v3::Common::new(m.service, "DescribeInstances", "2017-03-12", m.sign_ts)
        .with_region("ap-guangzhou");
    let req = tc3::v3::Request {
        uri: m.sign_uri,
        ..tc3::v3::Request::new_post(m.sign_host, m.sign_ct, &m.sign_body)
    };
    let signed = tc3::v3::sign_fresh(&cred, &common, &req).unwrap();
    json!({
        "id": name, "method": "POST", "path": m.send_path, "query": null,
        "headers": [
            ["host", m.send_host], ["content-type", m.send_ct],
            ["x-tc-action", "DescribeInstances"], ["x-tc-version", "2017-03-12"],
            ["x-tc-region", "ap-guangzhou"], ["x-tc-timestamp", m.send_ts.to_string()],
            ["authorization", signed.authorization()],
        ],
        "body": String::from_utf8(m.send_body.clone()).unwrap(), "body_encoding": "utf8",
    })
    .to_string()
}

/// A legacy GET whose signature is computed over `signed` pairs with `method` and `rule`,
/// and which sends `sent` pairs with `SignatureMethod=declared`.
fn legacy_capture(
    name: &str,
    rename: impl Fn(&str) -> String,
    method: tc3::v1::SignatureMethod,
    declared: &str,
) -> String {
    let mut sent: Vec<(String, String)> = [
        ("Action", "DescribeInstances"),
        ("InstanceIds.0", "ins-09dx96dg"),
        ("Nonce", "11886"),
        ("Region", "ap-guangzhou"),
        ("SecretId", ID),
        ("SignatureMethod", declared),
        ("Timestamp", "1551139100"),
        ("Version", "2017-03-12"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    sent.sort();
    let mut signed: Vec<(String, String)> =
        sent.iter().map(|(k, v)| (rename(k), v.clone())).collect();
    signed.sort();
    let pairs: Vec<(&str, &str)> = signed
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let key = tc3::SecretKey::new(KEY).unwrap();
    let sig = tc3::v1::Request::get("cvm.tencentcloudapi.com")
        .with_rule(tc3::v1::KeyRule::Raw)
        .sign_sorted(&pairs, &key, method)
        .unwrap();
    let enc = |s: &str| {
        // Percent-encoding of everything but the RFC 3986 unreserved characters.
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    let mut q: Vec<String> = sent
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect();
    q.push(format!("Signature={}", enc(sig.as_str())));
    json!({
        "id": name, "method": "GET", "path": "/", "query": q.join("&"),
        "headers": [["host", "cvm.tencentcloudapi.com"]],
        "body": "", "body_encoding": "utf8",
    })
    .to_string()
}

/// Issue 11 (regression: the starting commit 333463a had no `--json` and one message for
/// every mismatch): each mistake is named by its cause code, for TC3 and legacy requests.
#[test]
fn explain_json_names_each_cause() {
    use tc3::v1::SignatureMethod::{HmacSha1, HmacSha256};
    let base = mk();
    let with = |f: &dyn Fn(&mut Mk)| {
        let mut m = base.clone();
        f(&mut m);
        m
    };
    let same = |k: &str| k.to_string();
    let cases: Vec<(&str, String)> = vec![
        ("ok", tc3_capture("ok", &base)),
        (
            "expired",
            tc3_capture(
                "expired",
                &with(&|m| {
                    m.sign_ts = TS - 1000;
                    m.send_ts = TS - 1000;
                }),
            ),
        ),
        (
            "scope_date",
            tc3_capture("scope_date", &with(&|m| m.send_ts = NOW + 50)),
        ),
        (
            "scope_service",
            tc3_capture("scope_service", &with(&|m| m.service = "cbs")),
        ),
        (
            "host",
            tc3_capture(
                "host",
                &with(&|m| m.send_host = "cvm.ap-guangzhou.tencentcloudapi.com"),
            ),
        ),
        (
            "host",
            tc3_capture(
                "host-port",
                &with(&|m| m.sign_host = "cvm.tencentcloudapi.com:443"),
            ),
        ),
        (
            "path",
            tc3_capture("path", &with(&|m| m.send_path = "/admin")),
        ),
        (
            "path",
            tc3_capture("path-reverse", &with(&|m| m.sign_uri = "/api/")),
        ),
        (
            "content_type",
            tc3_capture("content_type", &with(&|m| m.send_ct = "application/json")),
        ),
        (
            "payload_empty",
            tc3_capture("payload_empty", &with(&|m| m.sign_body.clear())),
        ),
        (
            "payload_newline",
            tc3_capture("payload_newline", &with(&|m| m.sign_body.push(b'\n'))),
        ),
        (
            "key_whitespace",
            tc3_capture("key_whitespace", &with(&|m| m.key.push('\n'))),
        ),
        (
            "key_is_id",
            tc3_capture("key_is_id", &with(&|m| m.key = ID.into())),
        ),
        (
            "unknown_id",
            tc3_capture("unknown_id", &with(&|m| m.id = "AKIDother")),
        ),
        (
            "unknown",
            tc3_capture(
                "unknown",
                &with(&|m| m.send_body = br#"{"Limit": 2}"#.to_vec()),
            ),
        ),
        (
            "ok",
            legacy_capture("legacy-ok", same, HmacSha256, "HmacSHA256"),
        ),
        (
            "legacy_method",
            legacy_capture("legacy_method", same, HmacSha256, "HmacSHA1"),
        ),
        (
            "legacy_method",
            legacy_capture("legacy_method-2", same, HmacSha1, "HmacSHA256"),
        ),
        (
            "legacy_key_rule",
            legacy_capture(
                "legacy_key_rule",
                |k| k.replace('.', "_"),
                HmacSha256,
                "HmacSHA256",
            ),
        ),
    ];
    let keys = tmp("keys-explain-json.json", &json!({ ID: KEY }).to_string());
    let input: String = cases.iter().map(|(_, c)| format!("{c}\n")).collect();
    let now = NOW.to_string();
    let args = [
        "explain",
        "--json",
        "--keys",
        keys.to_str().unwrap(),
        "--now",
        &now,
        "--mount-prefix",
        "/api",
    ];
    let r = tc3(&args, input.as_bytes());
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let out = lines(&r.stdout);
    assert_eq!(out.len(), cases.len());
    for ((want, _), v) in cases.iter().zip(&out) {
        assert_eq!(v["diagnosis"]["cause"], *want, "{v}");
        assert!(v["diagnosis"]["message"].as_str().unwrap().len() > 10);
        assert_eq!(v["ok"], *want == "ok", "{v}");
        // the key never appears, the expected signature does (operator output)
        assert!(!v.to_string().contains(KEY));
    }
    // one object carries the trace of the one verification path
    assert!(out[0]["trace"]
        .as_str()
        .unwrap()
        .contains("CanonicalRequest:\nPOST\n/\n"));
    // `tc3 verify` names the same cause, in its message and as `cause`
    let args = [
        "verify",
        "--keys",
        keys.to_str().unwrap(),
        "--now",
        &now,
        "--mount-prefix",
        "/api",
    ];
    let r = tc3(&args, input.as_bytes());
    let out = lines(&r.stdout);
    for ((want, _), v) in cases.iter().zip(&out) {
        assert_eq!(v["cause"], *want, "{v}");
    }
    let ct = out.iter().find(|v| v["id"] == "content_type").unwrap();
    assert!(
        ct["message"]
            .as_str()
            .unwrap()
            .contains("(cause content_type)"),
        "{ct}"
    );
    // the human output says it too
    let r = tc3(
        &["explain", "--keys", keys.to_str().unwrap(), "--now", &now],
        input.as_bytes(),
    );
    assert!(
        r.stdout
            .contains("diagnosis: key_is_id: the signer used the SecretId as the secret key"),
        "{}",
        r.stdout
    );
}

/// Issue 11 items 1, 7, 9 through the command line (regressions: on the starting commit
/// 333463a a KEYS.json holding an empty key was accepted, a signed `/` verified at any path,
/// and a replayed legacy request verified twice).
#[test]
fn verify_policy_flags_replays_and_empty_keys() {
    let keys = tmp("keys-policy.json", &json!({ ID: KEY }).to_string());
    let now = NOW.to_string();
    let k = keys.to_str().unwrap();
    // a signed `/` sent to /tencent/ verifies only when the prefix is named
    let mut m = mk();
    m.send_path = "/tencent/";
    let cap = format!("{}\n", tc3_capture("mounted", &m));
    let r = tc3(&["verify", "--keys", k, "--now", &now], cap.as_bytes());
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(lines(&r.stdout)[0]["cause"], "path");
    let r = tc3(
        &[
            "verify",
            "--keys",
            k,
            "--now",
            &now,
            "--mount-prefix",
            "/tencent",
        ],
        cap.as_bytes(),
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    let v = &lines(&r.stdout)[0];
    assert_eq!(
        v["unsigned"],
        json!(["X-TC-Action", "X-TC-Version", "X-TC-Region"])
    );
    // --hardened requires x-tc-action to be signed
    let r = tc3(
        &["verify", "--keys", k, "--now", &now, "--hardened"],
        tc3_capture("h", &mk()).as_bytes(),
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        lines(&r.stdout)[0]["code"],
        "AuthFailure.InvalidAuthorization"
    );
    assert_eq!(lines(&r.stdout)[0]["cause"], "not_signed");
    // a legacy request replayed within the window is refused the second time
    let cap = legacy_capture(
        "l",
        |k| k.to_string(),
        tc3::v1::SignatureMethod::HmacSha256,
        "HmacSHA256",
    );
    let twice = format!("{cap}\n{cap}\n");
    let r = tc3(&["verify", "--keys", k, "--now", &now], twice.as_bytes());
    assert_eq!(r.code, 1);
    let out = lines(&r.stdout);
    assert_eq!(
        (out[0]["ok"].clone(), out[1]["ok"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(out[1]["code"], "AuthFailure.SignatureExpire");
    assert_eq!(out[1]["cause"], "replayed");
    // replaying old captures (no clock) is not a replay
    let r = tc3(&["verify", "--keys", k, "--skip-clock"], twice.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stdout);
    // a KEYS.json holding an empty key is refused
    let empty = tmp("keys-empty.json", &json!({ ID: "" }).to_string());
    let r = tc3(
        &["verify", "--keys", empty.to_str().unwrap(), "--skip-clock"],
        b"",
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("is not usable"), "{}", r.stderr);
    // --json belongs to explain
    let r = tc3(&["verify", "--keys", k, "--json"], b"");
    assert_eq!(r.code, 2);
}

#[test]
fn verify_codes_and_exit_statuses() {
    let keys = tmp(
        "keys-doc.json",
        r#"{"AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE": "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"}"#,
    );
    let keys = keys.to_str().unwrap();
    let example = tc3(&["sign", "--example"], b"").stdout;
    // fresh at +300, expired at +301 and -301
    for (now, ok, code) in [
        ("1551113365", true, Value::Null),
        ("1551112765", true, Value::Null),
        ("1551113366", false, json!("AuthFailure.SignatureExpire")),
        ("1551112764", false, json!("AuthFailure.SignatureExpire")),
    ] {
        let r = tc3(
            &["verify", "--keys", keys, "--now", now],
            example.as_bytes(),
        );
        let v = &lines(&r.stdout)[0];
        assert_eq!(v["ok"], ok, "{now}: {v}");
        assert_eq!(v["code"], code);
        assert_eq!(v["sign_method"], "TC3-HMAC-SHA256");
        assert_eq!(v["secret_id"], "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE");
        assert_eq!(r.code, if ok { 0 } else { 1 });
    }
    let cases = [
        (
            example.replace("Limit\\\": 1", "Limit\\\": 2"),
            "AuthFailure.SignatureFailure",
        ),
        (
            example.replace("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/", "AKIDunknown/"),
            "AuthFailure.SecretIdNotFound",
        ),
        (
            example.replace("SignedHeaders=content-type;host", "SignedHeaders=host"),
            "AuthFailure.InvalidAuthorization",
        ),
        (
            example.replace("[\"x-tc-timestamp\",\"1551113065\"],", ""),
            "MissingParameter",
        ),
        (
            example.replace("\"1551113065\"", "\"15511130x5\""),
            "InvalidParameter",
        ),
    ];
    for (cap, code) in cases {
        assert_ne!(cap, example, "{code}: mutation did not apply");
        let r = tc3(&["verify", "--keys", keys, "--skip-clock"], cap.as_bytes());
        assert_eq!(r.code, 1, "{code}");
        let v = &lines(&r.stdout)[0];
        assert_eq!(v["ok"], false);
        assert_eq!(v["code"], code, "{v}");
        assert!(v["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty() && !m.contains("Gu5t9x")));
    }
    // a malformed line: nothing printed for it, a message naming it, exit 2, the rest processed
    let input = format!("not json\n{example}");
    let r = tc3(
        &["verify", "--keys", keys, "--skip-clock"],
        input.as_bytes(),
    );
    assert_eq!(r.code, 2);
    assert_eq!(lines(&r.stdout).len(), 1);
    assert!(r.stderr.contains("line 1"), "{}", r.stderr);
    // usage errors
    assert_eq!(tc3(&["verify"], b"").code, 2);
    assert_eq!(tc3(&["frobnicate"], b"").code, 2);
    assert_eq!(tc3(&["sign", "--bogus"], b"").code, 2);
}

#[test]
fn sign_rejects_bad_specs_per_line() {
    let good = r#"{"id":"g","sign_method":"TC3-HMAC-SHA256","http_method":"POST","host":"cvm.tencentcloudapi.com","action":"DescribeInstances","version":"2017-03-12","region":"ap-guangzhou","timestamp":1700000000,"secret_id":"AKIDa","secret_key":"k","params":{"Limit":1}}"#;
    let inject = good.replace("ap-guangzhou", "ap-guangzhou\\r\\nX-Evil: 1");
    let legacy_no_nonce = good.replace("TC3-HMAC-SHA256", "HmacSHA256");
    let input = format!("{good}\n{inject}\n{legacy_no_nonce}\n{{}}\n");
    let r = tc3(&["sign"], input.as_bytes());
    assert_eq!(r.code, 2);
    let caps = lines(&r.stdout);
    assert_eq!(caps.len(), 1);
    assert_eq!(caps[0]["id"], "g");
    assert_eq!(caps[0]["body"], r#"{"Limit":1}"#);
    for n in ["line 2", "line 3", "line 4"] {
        assert!(r.stderr.contains(n), "{n}: {}", r.stderr);
    }
    assert!(!r.stderr.contains("X-Evil: 1\n"));
}

#[test]
fn parse_envelopes_and_streams() {
    let r = tc3(&["parse"], br#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"The provided credentials could not be validated. \u00e9"},"RequestId":"ed93f3cb-f35e-473f-b9f3-0d451b8b79c6"}}"#);
    assert_eq!(r.code, 1);
    assert_eq!(
        lines(&r.stdout),
        vec![
            json!({"request_id": "ed93f3cb-f35e-473f-b9f3-0d451b8b79c6", "error": {"code": "AuthFailure.SignatureFailure", "category": "AuthFailure", "message": "The provided credentials could not be validated. é", "retryable": false}})
        ]
    );
    let r = tc3(&["parse"], br#"{"Response":{"RequestId":"b5b41468","Error":{"Code":"RequestLimitExceeded.UinLimitExceeded"}}}"#);
    assert_eq!(r.code, 1);
    assert_eq!(
        lines(&r.stdout)[0]["error"],
        json!({"code": "RequestLimitExceeded.UinLimitExceeded", "category": "RequestLimitExceeded", "message": null, "retryable": true})
    );
    let r = tc3(
        &["parse"],
        br#"{"Response":{"TotalCount":0,"RequestId":"b5b41468-520d-4192-b42f-595cc34b6c1c"}}"#,
    );
    assert_eq!(r.code, 0);
    assert_eq!(
        lines(&r.stdout),
        vec![json!({"request_id": "b5b41468-520d-4192-b42f-595cc34b6c1c", "error": null})]
    );
    let r = tc3(&["parse"], br#"{"Response":{"RequestId":"x"}} trailing"#);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("byte"), "{}", r.stderr);

    let stream = "data: {\"Choices\":[{\"FinishReason\":\"\",\"Delta\":{\"Content\":\"1\"}}],\"Id\":\"a\"}\r\n\r\n: comment\nid: 7\nevent: x\ndata: a\ndata: b\n\ndata: {\"ErrorMsg\":{\"Code\":4001,\"Msg\":\"timeout\"}}\n\n";
    let r = tc3(
        &[
            "parse",
            "--content-type",
            "text/event-stream; charset=utf-8",
        ],
        stream.as_bytes(),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        lines(&r.stdout),
        vec![
            json!({"event": null, "id": null, "data": "{\"Choices\":[{\"FinishReason\":\"\",\"Delta\":{\"Content\":\"1\"}}],\"Id\":\"a\"}", "error": null}),
            json!({"event": "x", "id": "7", "data": "a\nb", "error": null}),
            json!({"event": null, "id": "7", "data": "{\"ErrorMsg\":{\"Code\":4001,\"Msg\":\"timeout\"}}", "error": {"code": "4001", "message": "timeout"}}),
        ]
    );
}

#[test]
fn parse_corpus_sample() {
    let text = {
        use std::io::Read;
        let file =
            std::fs::File::open(test_data().join("corpus/tccli-responses.jsonl.gz")).unwrap();
        let mut text = String::new();
        flate2::read::GzDecoder::new(file)
            .read_to_string(&mut text)
            .unwrap();
        text
    };
    // every 500th document through the binary: the printed fields are the recorded ones
    let mut n = 0;
    for line in text.lines().step_by(500) {
        let d: Value = serde_json::from_str(line).unwrap();
        let r = tc3(&["parse"], d["body"].as_str().unwrap().as_bytes());
        let out = &lines(&r.stdout)[0];
        assert_eq!(out["request_id"], d["request_id"], "{}", d["name"]);
        let code = d["error_code"].as_str().filter(|c| !c.is_empty());
        match code {
            Some(c) => {
                assert_eq!(r.code, 1);
                assert_eq!(out["error"]["code"], c);
                assert_eq!(out["error"]["message"], d["error_message"]);
            }
            None => {
                assert_eq!(r.code, 0, "{}", d["name"]);
                assert_eq!(out["error"], Value::Null);
            }
        }
        n += 1;
    }
    assert_eq!(n, 39);
}

#[test]
fn sign_from_flags_with_environment_credentials() {
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_tc3"))
            .args(args)
            .env(
                "TENCENTCLOUD_SECRET_ID",
                "AKIDenv0000000000000000000000000000",
            )
            .env(
                "TENCENTCLOUD_SECRET_KEY",
                "envSecretKey0000000000000000000000",
            )
            .env_remove("TENCENTCLOUD_TOKEN")
            .env_remove("TENCENTCLOUD_SECURITY_TOKEN")
            .env_remove("TENCENTCLOUD_SESSION_TOKEN")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let keys = tmp(
        "keys-env.json",
        r#"{"AKIDenv0000000000000000000000000000": "envSecretKey0000000000000000000000"}"#,
    );
    let keys = keys.to_str().unwrap();
    for method in ["TC3-HMAC-SHA256", "HmacSHA256", "HmacSHA1"] {
        let (code, out, err) = run(&[
            "sign",
            "--service",
            "teo",
            "--action",
            "DescribeZones",
            "--version",
            "2022-09-01",
            "--region",
            "ap-guangzhou",
            "--sign-method",
            method,
            "--timestamp",
            "1700000000",
            "--params",
            r#"{"Limit":20,"Filters":[{"Name":"zone-name","Values":["例子"]}]}"#,
        ]);
        assert_eq!(code, 0, "{method}: {err}");
        let cap = &lines(&out)[0];
        assert_eq!(
            cap["headers"][0],
            json!(["host", "teo.tencentcloudapi.com"])
        );
        let r = tc3(
            &["verify", "--keys", keys, "--now", "1700000100"],
            out.as_bytes(),
        );
        assert_eq!(r.code, 0, "{method}: {}", r.stdout);
        assert_eq!(
            lines(&r.stdout)[0]["secret_id"],
            "AKIDenv0000000000000000000000000000"
        );
        assert_eq!(lines(&r.stdout)[0]["sign_method"], method);
    }
    let (code, out, _) = run(&[
        "sign",
        "--curl",
        "--service",
        "teo",
        "--action",
        "DescribeZones",
        "--version",
        "2022-09-01",
        "--timestamp",
        "1700000000",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("curl -sS -X POST 'https://teo.tencentcloudapi.com/'"),
        "{out}"
    );
    assert!(
        out.contains("Credential=AKIDenv0000000000000000000000000000/2023-11-14/teo/tc3_request"),
        "{out}"
    );
    assert!(!out.contains("envSecretKey"));
}
