//! The multipart writer never panics, refuses bad names/boundaries with typed errors, and
//! every accepted body has the announced length, fits exactly, streams the same bytes it
//! writes, and contains no delimiter inside a value.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use tc3::multipart::{Boundary, HeaderName, Layout, Multipart, Part};

#[derive(Arbitrary, Debug)]
enum Kind {
    Text,
    Json,
    File,
}

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    boundary: &'a str,
    random: &'a [u8],
    use_random: bool,
    layout: u8,
    parts: Vec<(Kind, &'a str, &'a str, &'a [u8])>,
    header: (&'a str, &'a str, &'a str),
}

fuzz_target!(|input: Input<'_>| {
    let _ = HeaderName::param(input.header.0, input.header.1, input.header.2);
    let boundary = if input.use_random {
        Boundary::from_random(input.random)
    } else {
        Boundary::new(input.boundary)
    };
    let Ok(boundary) = boundary else { return };
    let layout = match input.layout % 3 {
        0 => Layout::Python,
        1 => Layout::Java,
        _ => Layout::Node,
    };
    let parts: Vec<Part<'_>> = input
        .parts
        .iter()
        .take(16)
        .map(|(k, name, text, data)| match k {
            Kind::Text => Part::Text { name, value: text },
            Kind::Json => Part::Json { name, json: text },
            Kind::File => Part::File { name, data },
        })
        .collect();
    let form = Multipart::new(layout, &boundary);
    let ct = form.content_type();
    assert!(ct.as_str().ends_with(boundary.as_str()));
    let Ok(len) = form.encoded_len(&parts) else {
        let mut v = Vec::new();
        assert!(form.write(&parts, &mut v).is_err());
        assert!(v.is_empty());
        return;
    };
    let mut streamed = Vec::new();
    form.write(&parts, &mut streamed).unwrap();
    assert_eq!(streamed.len(), len);
    let mut buf = vec![0u8; len];
    let mut w = tc3::BufWriter::new(&mut buf);
    form.write(&parts, &mut w).unwrap();
    assert_eq!(w.finish().unwrap(), &streamed[..]);
    if len > 0 {
        let mut small = vec![0u8; len - 1];
        let mut w = tc3::BufWriter::new(&mut small);
        form.write(&parts, &mut w).unwrap();
        assert!(w.finish().is_err());
    }
    // The delimiter occurs exactly once per part plus the closing one.
    let mut delim = b"\r\n--".to_vec();
    delim.extend_from_slice(boundary.as_str().as_bytes());
    let count = streamed.windows(delim.len()).filter(|w| *w == &delim[..]).count();
    let expected = if parts.is_empty() { 0 } else { parts.len() };
    assert_eq!(count, expected);
});
