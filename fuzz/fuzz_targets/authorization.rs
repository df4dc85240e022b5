#![no_main]
//! Parsing arbitrary bytes as a TC3 `Authorization` value never panics; a value that parses
//! re-serialises to the same bytes when it uses the canonical ", " separators.

use libfuzzer_sys::fuzz_target;
use tc3::v3::Authorization;

fuzz_target!(|data: &[u8]| {
    if let Ok(a) = Authorization::parse(data) {
        let _ = a.signed_headers().count();
        let _ = a.signed_headers_are_canonical();
        assert!(a.signature_bytes().is_some());
        let mut out = Vec::new();
        a.write(&mut out);
        assert_eq!(Authorization::parse(&out), Ok(a));
    }
});
