//! Test data: the core's files (`tests/data/`) and the envelope documents, the repository's own
//! and three generated ones (deterministic, unlike the repository's: a mixed list page, time
//! series numbers, log text with escapes).

use std::fmt::Write as _;

use serde_json::Value;

/// A file of the core's test data (`tests/data/` of the repository); `.gz` files decompressed.
pub fn test_data(rel: &str) -> String {
    use std::io::Read;
    let p = format!("{}/../tests/data/{rel}", env!("CARGO_MANIFEST_DIR"));
    if let Ok(text) = std::fs::read_to_string(&p) {
        return text;
    }
    let gz = format!("{p}.gz");
    let file = std::fs::File::open(&gz).unwrap_or_else(|e| panic!("{p}(.gz): {e}"));
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .unwrap_or_else(|e| panic!("{gz}: {e}"));
    text
}

/// One case of `vectors/doc-examples.json`.
pub fn doc_case(all: &Value, name: &str) -> Value {
    all.as_array()
        .and_then(|a| a.iter().find(|c| c["name"] == name))
        .unwrap_or_else(|| panic!("doc-examples.json: no case {name}"))
        .clone()
}

pub fn s(v: &Value) -> &str {
    v.as_str().expect("string field")
}

/// Drops the whitespace outside strings (the corpus is pretty-printed).
pub fn minify(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len());
    let (mut in_str, mut esc) = (false, false);
    for c in doc.chars() {
        if in_str {
            out.push(c);
            if esc {
                esc = false;
            } else if c == '\\' {
                esc = true;
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
            out.push(c);
        } else if !c.is_ascii_whitespace() {
            out.push(c);
        }
    }
    out
}

/// The envelope documents of the parse group: (name, document).
pub fn envelopes() -> (Vec<(&'static str, String)>, String) {
    let responses_doc = test_data("docs/protocol-responses.md");
    let err_env = responses_doc
        .lines()
        .find(|l| l.starts_with(r#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure""#))
        .expect("the error envelope of docs/protocol-responses.md")
        .to_string();
    assert_eq!(err_env.len(), 214);
    let (list_name, list_env) = corpus_list();
    let docs = vec![
        ("error_214B", err_env),
        ("list_2KB", list_env.clone()),
        ("list_1MB", repeated_list(&list_env, 1 << 20)),
        ("page_8KB", list_page(8 << 10)),
        ("series_1MB", time_series(1 << 20)),
        ("logs_1MB", log_text(1 << 20)),
    ];
    (docs, list_name)
}

/// The first ~2 KB success list response of the tccli corpus (minified): (name, body).
pub fn corpus_list() -> (String, String) {
    test_data("corpus/tccli-responses.jsonl")
        .lines()
        .filter_map(|l| {
            let v: Value = serde_json::from_str(l).ok()?;
            let body = minify(s(&v["body"]));
            let ok = v["error_code"].is_null()
                && body.contains("\"TotalCount\"")
                && (1900..=2200).contains(&body.len());
            ok.then(|| (s(&v["name"]).to_string(), body))
        })
        .next()
        .expect("a ~2 KB list response in the corpus")
}

/// About `target` bytes: the list response's `Response` object repeated as list items.
pub fn repeated_list(list_env: &str, target: usize) -> String {
    let inner_start = list_env.find('{').map(|i| i + 1).expect("{");
    let resp_start = list_env[inner_start..].find('{').expect("{") + inner_start;
    let item = &list_env[resp_start..list_env.len() - 1];
    let mut out = String::from(r#"{"Response":{"TotalCount":0,"Items":["#);
    while out.len() < target {
        if !out.ends_with('[') {
            out.push(',');
        }
        out.push_str(item);
    }
    out.push_str(r#"],"RequestId":"6a5a5f11-4ad8-4a59-b8d8-5c4d4d6b2a2f"}}"#);
    out
}

/// xorshift64*: deterministic pseudo-random numbers for the generated documents.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    fn hex(&mut self, out: &mut String, n: usize) {
        for _ in 0..n {
            out.push(char::from(b"0123456789abcdef"[self.below(16) as usize]));
        }
    }
}

const REQUEST_ID: &str = r#""RequestId":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"}}"#;

/// A mixed list page of about `target` bytes (a `DescribeInstances`-like shape): ids, names
/// with CJK text, integers, decimals, booleans, nulls, nested objects and arrays.
pub fn list_page(target: usize) -> String {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = String::from(r#"{"Response":{"TotalCount":137,"InstanceSet":["#);
    let mut first = true;
    while out.len() + 700 < target {
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(r#"{"InstanceId":"ins-"#);
        r.hex(&mut out, 8);
        let name = r.pick(&[
            "web",
            "api",
            "db-主库",
            "缓存节点",
            "worker",
            "gateway-边缘",
        ]);
        let _ = write!(
            out,
            r#"","InstanceName":"{name}-{:02}","InstanceState":"{}","CPU":{},"Memory":{},"#,
            r.below(100),
            r.pick(&["RUNNING", "STOPPED", "PENDING"]),
            1 << r.below(5),
            1 << (r.below(6) + 1)
        );
        let _ = write!(
            out,
            r#""CreatedTime":"2026-{:02}-{:02}T{:02}:{:02}:{:02}Z","Price":{{"UnitPrice":{}.{:02},"Discount":0.{}}},"#,
            r.below(12) + 1,
            r.below(28) + 1,
            r.below(24),
            r.below(60),
            r.below(60),
            r.below(10),
            r.below(100),
            r.below(9) + 1
        );
        let _ = write!(
            out,
            r#""PrivateIpAddresses":["10.{}.{}.{}"],"PublicIpAddresses":{},"#,
            r.below(256),
            r.below(256),
            r.below(256),
            if r.below(2) == 0 {
                "null".to_string()
            } else {
                format!(r#"["203.0.113.{}"]"#, r.below(256))
            }
        );
        let _ = write!(
            out,
            r#""Tags":[{{"Key":"env","Value":"{}"}},{{"Key":"owner","Value":"团队-{}"}}],"RenewFlag":"NOTIFY_AND_AUTO_RENEW","DisableApiTermination":{},"IPv6Addresses":[],"LatestOperation":"StartInstances","LatestOperationState":"SUCCESS","Uuid":""#,
            r.pick(&["prod", "staging", "dev"]),
            r.below(10),
            r.below(2) == 0
        );
        r.hex(&mut out, 8);
        out.push('-');
        r.hex(&mut out, 4);
        out.push_str(r#"","SystemDisk":{"DiskType":"CLOUD_PREMIUM","DiskSize":50,"DiskId":"disk-"#);
        r.hex(&mut out, 8);
        let _ = write!(
            out,
            r#""}},"InternetAccessible":{{"InternetMaxBandwidthOut":{},"PublicIpAssigned":true}},"Placement":{{"Zone":"ap-guangzhou-{}","ProjectId":0}}}}"#,
            r.below(100),
            r.below(7) + 1
        );
    }
    out.push_str("],");
    out.push_str(REQUEST_ID);
    out
}

/// About `target` bytes of monitoring data: series of timestamps and decimal values.
pub fn time_series(target: usize) -> String {
    let mut r = Rng(0xD1B5_4A32_D192_ED03);
    let mut out = String::from(
        r#"{"Response":{"Period":60,"MetricName":"CpuUsage","StartTime":"2026-11-30T00:00:00+08:00","EndTime":"2026-11-30T23:59:00+08:00","DataPoints":["#,
    );
    let mut first = true;
    while out.len() + 12_000 < target {
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(r#"{"Dimensions":[{"Name":"InstanceId","Value":"ins-"#);
        r.hex(&mut out, 8);
        out.push_str(r#""}],"Timestamps":["#);
        let t0 = 1_764_432_000 + r.below(3600);
        for i in 0..480 {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{}", t0 + i * 60);
        }
        out.push_str(r#"],"Values":["#);
        for i in 0..480 {
            if i > 0 {
                out.push(',');
            }
            let _ = match r.below(8) {
                0 => write!(out, "{}", r.below(101)),
                1 => write!(out, "-{}.{}", r.below(10), r.below(1000)),
                2 => write!(out, "{}.{:03}e-{}", r.below(10), r.below(1000), r.below(9)),
                _ => write!(out, "{}.{:03}", r.below(100), r.below(1000)),
            };
        }
        out.push_str("]}");
    }
    out.push_str("],");
    out.push_str(REQUEST_ID);
    out
}

/// About `target` bytes of log search results: long text values with escapes (`\"`, `\\`,
/// `\n`, `\t`, `\/`, `\u`) and non-ASCII text, inside mostly plain ASCII.
pub fn log_text(target: usize) -> String {
    let mut r = Rng(0x94D0_49BB_1331_11EB);
    let mut out = String::from(
        r#"{"Response":{"Context":"ctx-2f9a7c1e","ListOver":false,"Analysis":false,"Results":["#,
    );
    let paths = [
        "/api/v2/orders",
        "/static/app.js",
        "/login",
        "/api/v2/users/search",
    ];
    let agents = [
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
        "curl/8.5.0",
        "okhttp/4.12.0",
    ];
    let notes = [
        "用户登录成功",
        "caf\\u00e9 order",
        "retry \\\"upstream\\\" timeout",
        "C:\\\\logs\\\\app.log",
        "ok",
    ];
    let mut first = true;
    while out.len() + 1_200 < target {
        if !first {
            out.push(',');
        }
        first = false;
        let status = r.pick(&["200", "200", "200", "304", "404", "502"]);
        let _ = write!(
            out,
            r#"{{"Time":{},"TopicId":"topic-"#,
            1_764_576_000_000u64 + r.below(86_400_000)
        );
        r.hex(&mut out, 8);
        let _ = write!(
            out,
            r#"","TopicName":"nginx-access","Source":"10.0.{}.{}","FileName":"\/var\/log\/nginx\/access.log","PkgId":""#,
            r.below(256),
            r.below(256)
        );
        r.hex(&mut out, 16);
        let (path, agent, note) = (r.pick(&paths), r.pick(&agents), r.pick(&notes));
        let _ = write!(
            out,
            r#"","PkgLogId":"{}","LogJson":"{{\"remote_addr\":\"10.0.{}.{}\",\"request\":\"GET {path}?page={} HTTP\/1.1\",\"status\":{status},\"body_bytes_sent\":{},\"http_user_agent\":\"{agent}\",\"note\":\"{note}\"}}","#,
            r.below(1 << 20),
            r.below(256),
            r.below(256),
            r.below(50),
            r.below(100_000)
        );
        let _ = write!(
            out,
            r#""RawLog":"10.0.{}.{} - - [01\/Dec\/2026:10:{:02}:{:02} +0800] \"GET {path} HTTP\/1.1\" {status} {}\t\"-\"\t\"{agent}\"\n{note}\n","HighLights":[]}}"#,
            r.below(256),
            r.below(256),
            r.below(60),
            r.below(60),
            r.below(100_000)
        );
    }
    out.push_str("],");
    out.push_str(REQUEST_ID);
    out
}
