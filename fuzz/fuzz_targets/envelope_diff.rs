#![no_main]
//! Differential against serde_json.
//!
//! Precisely: let `V = serde_json::from_slice::<Value>(data)`. Inputs where serde_json stops
//! with "number out of range" (we validate numbers without converting them) or "recursion
//! limit exceeded" (serde_json stops at 127 levels, we at 128) are skipped: serde_json gives
//! no verdict on the rest of such a document.
//! Then `parse(data)` is `Ok` iff `V` is valid and `V["Response"]` is an object (a missing
//! Response on a valid document is `NoResponse`), and `RequestId` / `Error.Code` /
//! `Error.Message` agree with `V`'s lookups.
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tc3::envelope::{parse, ParseErrorKind};

fuzz_target!(|data: &[u8]| {
    let ours = parse(data);
    let theirs = serde_json::from_slice::<Value>(data);
    let v = match theirs {
        Ok(v) => v,
        Err(e) => {
            let m = e.to_string();
            // serde_json stops at the first out-of-range number or at its recursion limit
            // without looking at the rest: no verdict on the document.
            if m.starts_with("recursion limit exceeded") || m.starts_with("number out of range") {
                return;
            }
            assert!(ours.is_err(), "accepted what serde_json rejects: {m}");
            return;
        }
    };
    let resp = &v["Response"];
    assert_eq!(ours.is_ok(), resp.is_object(), "{ours:?}");
    let Ok(env) = ours else {
        assert_eq!(ours.unwrap_err().kind, ParseErrorKind::NoResponse);
        return;
    };
    assert_eq!(env.request_id.map(|s| s.to_string()).as_deref(), resp["RequestId"].as_str());
    let err = &resp["Error"];
    let code = err.as_object().and_then(|o| o.get("Code")).and_then(Value::as_str);
    assert_eq!(env.error_object.map(|e| e.code.to_string()).as_deref(), code);
    let msg = if code.is_some() { err["Message"].as_str() } else { None };
    assert_eq!(env.error_object.and_then(|e| e.message).map(|m| m.to_string()).as_deref(), msg);
    let body: Value = serde_json::from_slice(env.body).unwrap();
    assert_eq!(&body, resp);
});
