//! Every document of the tccli example corpus parses, with the recorded RequestId / Error.

#[path = "support/data.rs"]
mod data;

use serde_json::Value;
use tc3::envelope::parse;

fn opt_str(v: &Value) -> Option<&str> {
    v.as_str()
}

#[test]
fn tccli_corpus() {
    let text = data::tccli_corpus();
    let mut n = 0usize;
    let (mut with_id, mut with_code, mut with_msg, mut empty_code) = (0, 0, 0, 0);
    let mut buf = vec![0u8; 1 << 16];
    for line in text.lines() {
        let rec: Value = serde_json::from_str(line).unwrap();
        let name = rec["name"].as_str().unwrap();
        let body = rec["body"].as_str().unwrap();
        let env = parse(body.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let rid = env
            .request_id
            .map(|s| s.unescape_into(&mut buf).unwrap().to_owned());
        assert_eq!(rid.as_deref(), opt_str(&rec["request_id"]), "{name}");
        with_id += usize::from(rid.is_some());
        let obj = env.error_object;
        let code = obj.map(|e| e.code.to_string());
        assert_eq!(code.as_deref(), opt_str(&rec["error_code"]), "{name}");
        with_code += usize::from(code.is_some());
        let msg = obj.and_then(|e| e.message).map(|m| m.to_string());
        assert_eq!(msg.as_deref(), opt_str(&rec["error_message"]), "{name}");
        with_msg += usize::from(msg.is_some());
        // `error` is `error_object` minus the empty code (Go SDK rule).
        assert_eq!(
            env.error.is_some(),
            code.as_deref().is_some_and(|c| !c.is_empty()),
            "{name}"
        );
        if env.error_code_empty() {
            empty_code += 1;
        }
        // The body is the Response object itself.
        let v: Value = serde_json::from_str(body).unwrap();
        let resp: Value = serde_json::from_slice(env.body).unwrap();
        assert_eq!(resp, v["Response"], "{name}");
        n += 1;
    }
    assert_eq!(n, 19_266);
    // Counts of the recorded fields (from the corpus itself).
    assert_eq!(
        (with_id, with_code, with_msg, empty_code),
        (19_222, 332, 332, 1)
    );
}
