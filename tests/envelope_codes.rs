//! Error-code taxonomy against the table of docs/protocol-responses.md §4.1, and typed bodies.

#[cfg(feature = "serde")]
use tc3::envelope::parse;
use tc3::envelope::{Category, ErrorCode, RetryPolicy};

/// The codes of the §4.1 table, read from docs/protocol-responses.md.
fn documented_codes() -> Vec<String> {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/docs/protocol-responses.md"
    ))
    .unwrap();
    let start = doc.find("### 4.1").unwrap();
    let end = doc[start..].find("**Codes the SDKs make up").unwrap() + start;
    let mut codes = Vec::new();
    for line in doc[start..end].lines() {
        let Some(rest) = line.strip_prefix("| ") else {
            continue;
        };
        let cell = rest.split(" |").next().unwrap();
        if cell == "Code" || cell.starts_with("---") {
            continue;
        }
        for c in cell.split(" / ") {
            codes.push(c.trim().to_owned());
        }
    }
    codes
}

#[test]
fn common_codes_match_the_documented_table() {
    let doc = documented_codes();
    assert_eq!(doc.len(), 38);
    let ours: Vec<&str> = ErrorCode::COMMON.iter().map(|(c, _)| *c).collect();
    assert_eq!(ours, doc);
    for code in &doc {
        let c = ErrorCode::new(code);
        assert!(!matches!(c.category(), Category::Other(_)), "{code}");
        assert_eq!(c.category().as_str(), code.split('.').next().unwrap());
        assert!(c.description().is_some());
        // §4.2 suggested default.
        let retry = code.starts_with("RequestLimitExceeded");
        assert_eq!(c.is_retryable(), retry, "{code}");
        let server = code == "InternalError" || code == "ServiceUnavailable";
        assert_eq!(
            c.is_retryable_with(RetryPolicy::SERVER_ERRORS),
            retry || server,
            "{code}"
        );
        assert_eq!(c.is_auth(), code.starts_with("AuthFailure."), "{code}");
    }
    // Service codes and legacy categories (§4.3).
    let c = ErrorCode::new("InvalidParameterValue.InstanceIdMalformed");
    assert_eq!(c.category(), Category::InvalidParameterValue);
    assert_eq!(c.detail(), Some("InstanceIdMalformed"));
    assert_eq!(
        ErrorCode::new("OperationDenied.X").category(),
        Category::OperationDenied
    );
    assert_eq!(
        ErrorCode::new("FailedOperation.DeleteTrigger.UrlUsed").detail(),
        Some("DeleteTrigger.UrlUsed")
    );
    assert_eq!(
        ErrorCode::new("InvalidInstanceState").category(),
        Category::Other("InvalidInstanceState")
    );
    assert!(ErrorCode::new("InternalError.DbError").is_retryable_with(RetryPolicy::SERVER_ERRORS));
    assert!(!ErrorCode::new("InternalError.DbError").is_retryable());
    assert!(!ErrorCode::new("AuthFailure.SignatureExpire")
        .is_retryable_with(RetryPolicy::SERVER_ERRORS));
}

#[cfg(feature = "serde")]
#[test]
fn typed_body() {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Resp<'a> {
        #[serde(rename = "TotalCount")]
        total: u32,
        #[serde(rename = "Note")]
        note: &'a str,
        #[serde(rename = "RequestId")]
        request_id: &'a str,
    }
    // §3.1 success example, with a `Note` string added.
    let body = br#"{"Response":{"TotalCount":0,"Note":"a\nb","InstanceStatusSet":[],"RequestId":"b5b41468-520d-4192-b42f-595cc34b6c1c"}}"#;
    let env = parse(body).unwrap();
    assert!(env.error.is_none());
    let r: Resp = env.deserialize_body().unwrap();
    assert_eq!(r.total, 0);
    assert_eq!(r.request_id, "b5b41468-520d-4192-b42f-595cc34b6c1c");
    // The documented serde-json-core caveat: borrowed strings keep their escapes.
    assert_eq!(r.note, r"a\nb");
    #[cfg(feature = "serde_json")]
    {
        #[derive(serde::Deserialize)]
        struct Owned {
            #[serde(rename = "Note")]
            note: String,
        }
        let o: Owned = env.deserialize_body_json().unwrap();
        assert_eq!(o.note, "a\nb");
    }
}
