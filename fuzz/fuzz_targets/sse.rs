#![no_main]
//! The framer over arbitrary bytes and arbitrary chunking gives the same events as one push.
use libfuzzer_sys::fuzz_target;
use tc3::sse::{Framer, SseError, Status};

type Ev = (String, String, String, Option<u64>);

fn run(chunks: &[&[u8]]) -> Result<Vec<Ev>, SseError> {
    let mut buf = [0u8; 512];
    let mut f = Framer::new(&mut buf).with_max_line(300);
    let mut out = Vec::new();
    for c in chunks {
        let mut input = *c;
        while let Status::Complete((used, e)) = f.push(input)? {
            assert!(used > 0 && used <= input.len());
            out.push((e.event.to_owned(), e.data.to_owned(), e.id.to_owned(), e.retry));
            input = &input[used..];
        }
    }
    if let Some(e) = f.finish()? {
        out.push((e.event.to_owned(), e.data.to_owned(), e.id.to_owned(), e.retry));
    }
    Ok(out)
}

fuzz_target!(|data: &[u8]| {
    let Some((&k, body)) = data.split_first() else { return };
    let whole = run(&[body]);
    // Split into chunks of (k % 7 + 1) bytes.
    let chunks: Vec<&[u8]> = body.chunks(usize::from(k % 7) + 1).collect();
    let split = run(&chunks);
    assert_eq!(whole, split);
    let at = usize::from(k).min(body.len());
    assert_eq!(whole, run(&[&body[..at], &body[at..]]));
});
