//! Zero allocations while parsing, and no stack growth with depth.

#[path = "support/data.rs"]
mod data;

use tc3::envelope::{parse, Options, ParseErrorKind};
use tc3::sse::{Classified, Framer, Status};

#[path = "support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::{assert_counter_works, count, Counting};

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn no_allocations() {
    // Pre-load the corpus bodies.
    let text = data::tccli_corpus();
    let bodies: Vec<String> = text
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["body"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(bodies.len(), 19_266);
    let stream = b"\xEF\xBB\xBFdata: {\"Id\":\"1\",\"Choices\":[{\"FinishReason\":\"\"}]}\r\n\r\n: c\nid: 3\nevent: e\ndata: a\ndata: b\r\rdata: {\"ErrorMsg\":{\"Code\":4000,\"Msg\":\"x\"}}\n\n";
    let mut buf = [0u8; 4096];
    let mut scratch = [0u8; 1024];

    let (mut ok, mut errors, mut bytes) = (0usize, 0usize, 0usize);
    let mut events = 0;
    let ((), n) = count(|| {
        for b in &bodies {
            let env = parse(b.as_bytes()).unwrap();
            ok += 1;
            errors += usize::from(env.error_object.is_some());
            if let Some(id) = env.request_id {
                bytes += id.unescape_into(&mut scratch).unwrap().len();
            }
            if let Some(e) = env.error_object {
                bytes += e.code.unescaped_len();
                if let Some(c) = e.error_code() {
                    bytes += usize::from(c.is_retryable()) + c.category().as_str().len();
                }
            }
        }
        for _ in 0..100 {
            let mut framer = Framer::new(&mut buf);
            let mut input = &stream[..];
            while let Status::Complete((used, ev)) = framer.push(input).unwrap() {
                events += 1;
                bytes += ev.data.len() + ev.id.len();
                let p = Classified::parse(ev.data);
                bytes += usize::from(p.is_ok_and(|p| p.error().is_some()));
                input = &input[used..];
            }
        }
    });
    assert_eq!(n, 0, "allocations while parsing");
    assert_counter_works();
    assert_eq!((ok, errors, events), (19_266, 332, 300));
    assert!(bytes > 0);
}

fn deep(n: usize) -> Vec<u8> {
    let mut d = br#"{"Response":{"X":"#.to_vec();
    d.resize(d.len() + n, b'[');
    d.resize(d.len() + n, b']');
    d.extend_from_slice(br#","RequestId":"deep"}}"#);
    d
}

#[test]
fn depth_limit_and_no_recursion() {
    let doc = deep(1_000_000);
    // `{` `{` then arrays: the 127th `[` would be depth 129.
    let e = parse(&doc).unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::TooDeep);
    assert_eq!(e.offset, 17 + 126);
    // Exactly at the limit: 126 arrays (depth 128) pass.
    assert!(parse(&deep(126)).is_ok());
    assert_eq!(parse(&deep(127)).unwrap_err().offset, 17 + 126);
    // Raised limit, in a thread with a 64 KiB stack: no recursion, no stack growth.
    let t = std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(move || {
            let env = Options::default()
                .max_depth(10_000_000)
                .parse(&doc)
                .unwrap();
            (env.request_id.unwrap().raw().to_owned(), env.body.len())
        })
        .unwrap();
    let (id, body_len) = t.join().unwrap();
    assert_eq!(id, "deep");
    assert_eq!(body_len, 2_000_000 + 5 + 20);
    // Alternating kinds beyond the fixed run capacity are refused, not overflowed.
    let mut alt = br#"{"Response":{"X":"#.to_vec();
    for _ in 0..300 {
        alt.extend_from_slice(br#"[{"a":"#);
    }
    alt.push(b'1');
    for _ in 0..300 {
        alt.extend_from_slice(b"}]");
    }
    alt.extend_from_slice(b"}}");
    let e = Options::default()
        .max_depth(10_000)
        .parse(&alt)
        .unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::TooDeep);
}

/// Linear time: an 8 MiB body in debug mode (the 64 MiB figure is in `benches/parse.rs`).
#[test]
fn large_body_linear() {
    let mut doc = br#"{"Response":{"Items":["#.to_vec();
    let item = br#""aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ\n\u00e9\"x\"","#;
    while doc.len() < 8 << 20 {
        doc.extend_from_slice(item);
    }
    doc.extend_from_slice(br#""end"],"RequestId":"big"}}"#);
    let t = std::time::Instant::now();
    let env = parse(&doc).unwrap();
    let el = t.elapsed();
    assert!(env.request_id.unwrap().eq_str("big"));
    eprintln!("{} bytes in {:?}", doc.len(), el);
    assert!(el.as_secs() < 10);
}
