#![no_main]
//! Any bytes: `Ok` or a typed error with an in-bounds offset; never a panic.
use libfuzzer_sys::fuzz_target;
use tc3::envelope::{parse, parse_with, Options};

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
                let _ = e.error_code().map(|c| (c.category(), c.is_retryable(), c.is_auth()));
                let _ = e.message.map(|m| m.unescaped_len());
            }
            assert!(env.body.starts_with(b"{") && env.body.ends_with(b"}"));
            assert_eq!(env.body_str().len(), env.body.len());
        }
        Err(e) => assert!(e.offset <= data.len()),
    }
    let _ = parse_with(data, Options::default().max_depth(4));
});
