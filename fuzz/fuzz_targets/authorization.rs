#![no_main]
//! Parsing arbitrary bytes as a TC3 `Authorization` value never panics; a value that parses
//! re-serialises to the same bytes when it uses the canonical ", " separators.

use libfuzzer_sys::fuzz_target;
use tc3::v3::authorization::{parse, write_authorization};

fuzz_target!(|data: &[u8]| {
    if let Ok(a) = parse(data) {
        let _ = a.signed_headers().count();
        let _ = a.signed_headers_are_canonical();
        assert!(a.signature_bytes().is_some());
        let mut out = Vec::new();
        write_authorization(a.secret_id, a.date.as_bytes(), a.service, a.signed_headers, a.signature_hex, &mut out);
        assert_eq!(parse(&out), Ok(a));
    }
});
