//! Regressions found by the `sse` fuzz target: chunking never changes the events or the error.
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
            out.push((
                e.event.to_owned(),
                e.data.to_owned(),
                e.id.to_owned(),
                e.retry,
            ));
            input = &input[used..];
        }
    }
    if let Some(e) = f.finish()? {
        out.push((
            e.event.to_owned(),
            e.data.to_owned(),
            e.id.to_owned(),
            e.retry,
        ));
    }
    Ok(out)
}

/// Found by CI's fuzz run (an over-long line: the error kind used to depend on chunking).
const OVERLONG_LINE: &[u8] = &[
    5, 10, 105, 100, 58, 105, 255, 255, 255, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171,
    171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171,
    171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171,
    171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171,
    171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171,
    171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 170, 171, 171, 171, 171,
    171, 171, 171, 171, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129,
    129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129,
    129, 129, 129, 129, 129, 129, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 0,
    171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171, 171,
    171, 171, 171, 171, 171, 171, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129,
    129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129,
    129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129, 129,
    129, 129, 129, 129, 129, 129, 129, 171, 171, 171, 0, 171, 171, 191, 3, 100, 58, 255, 96, 58,
    182, 59, 13,
];

#[test]
fn overlong_line_error_is_independent_of_chunking() {
    let (&k, body) = OVERLONG_LINE.split_first().unwrap();
    let whole = run(&[body]);
    assert!(whole.is_err(), "{whole:?}");
    for size in 1..=8 {
        let chunks: Vec<&[u8]> = body.chunks(size).collect();
        assert_eq!(whole, run(&chunks), "chunks of {size}");
    }
    let at = usize::from(k).min(body.len());
    assert_eq!(whole, run(&[&body[..at], &body[at..]]));
}
