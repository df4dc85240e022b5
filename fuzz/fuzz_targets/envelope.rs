#![no_main]
//! Any bytes: `Ok` or a typed error with an in-bounds offset; never a panic; the same result
//! behind leading whitespace (the scanner's up-front UTF-8 path against its per-string path).
use libfuzzer_sys::fuzz_target;
use tc3::envelope::{parse, Options};

fuzz_target!(|data: &[u8]| {
    match parse(data) {
        Ok(env) => {
            let mut buf = [0u8; 256];
            if let Some(id) = env.request_id {
                let _ = id.unescape_into(&mut buf);
                assert_eq!(id.chars().count() <= id.raw().len(), true);
                assert!(id.eq_str(&id.to_string()));
            }
            if let Some(e) = env.error_object {
                let _ = e
                    .error_code()
                    .map(|c| (c.category(), c.is_retryable(), c.is_auth()));
                let _ = e.message.map(|m| m.unescaped_len());
            }
            assert!(env.body.starts_with(b"{") && env.body.ends_with(b"}"));
            assert_eq!(env.body_str().len(), env.body.len());
        }
        Err(e) => assert!(e.offset <= data.len()),
    }
    let _ = Options::default().max_depth(4).parse(data);

    // The same document behind 300 bytes of whitespace: long enough for the scanner's
    // whole-document UTF-8 check up front (short documents are checked string by string).
    // Both paths must give the same verdict, spans and error (offsets shifted by the pad).
    let mut padded = vec![b' '; 300];
    padded.extend_from_slice(data);
    match (parse(data), parse(&padded)) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.body, b.body);
            assert_eq!(a.request_id, b.request_id);
            assert_eq!(a.error_object, b.error_object);
            assert_eq!(a.error_field, b.error_field);
        }
        (Err(a), Err(b)) => {
            assert_eq!(a.kind, b.kind);
            let shift = if a.kind == tc3::envelope::ParseErrorKind::NoResponse {
                0
            } else {
                300
            };
            assert_eq!(a.offset + shift, b.offset, "{a:?} {b:?}");
        }
        (a, b) => panic!("short and padded documents disagree: {a:?} / {b:?}"),
    }
});
