#![no_main]
//! Classified classification of arbitrary event data; never a panic, consistent with `parse`.
use libfuzzer_sys::fuzz_target;
use tc3::sse::Classified;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let valid = serde_json::from_str::<serde_json::Value>(s);
    match Classified::parse(s) {
        Ok(p) => {
            if let Classified::ApiError { error, .. } = p {
                assert!(!error.code.is_empty());
                let env = tc3::envelope::parse(data).unwrap();
                assert_eq!(env.error, Some(error));
            }
            if let Some((code, _)) = p.error() {
                assert!(!code.is_empty());
            }
        }
        Err(e) => {
            // serde_json accepted it: only the depth limits differ (127 vs 128 levels).
            if valid.is_ok() {
                assert_eq!(e.kind, tc3::envelope::ParseErrorKind::TooDeep);
            }
        }
    }
});
