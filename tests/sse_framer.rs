//! Event-stream framing: the tccli literal stream, the WHATWG examples, chunking, limits.

use tc3::sse::{Classified, Framer, SseError, Status};

type Ev = (String, String, String); // (event type, data, last id)

/// Feed `chunks` in order to a framer with lines up to `max_line`; collect events; with
/// `finish`, dispatch a trailing event.
fn collect(chunks: &[&[u8]], max_line: usize, finish: bool) -> Result<Vec<Ev>, SseError> {
    let mut buf = vec![0u8; 1 << 17];
    let mut framer = Framer::new(&mut buf).with_max_line(max_line);
    let mut out = Vec::new();
    for chunk in chunks {
        let mut input = *chunk;
        while let Status::Complete((used, ev)) = framer.push(input)? {
            out.push((
                ev.event_type().to_owned(),
                ev.data.to_owned(),
                ev.id.to_owned(),
            ));
            input = &input[used..];
        }
    }
    if finish {
        if let Some(ev) = framer.finish()? {
            out.push((
                ev.event_type().to_owned(),
                ev.data.to_owned(),
                ev.id.to_owned(),
            ));
        }
    }
    Ok(out)
}

fn whole(s: &[u8], finish: bool) -> Vec<Ev> {
    collect(&[s], Framer::DEFAULT_MAX_LINE, finish).unwrap()
}

fn ev(data: &str, id: &str) -> Ev {
    ("message".to_owned(), data.to_owned(), id.to_owned())
}

/// The body of the literal stream in docs/protocol-responses.md §3.4 (after the HTTP header block).
fn tccli_stream() -> String {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/docs/protocol-responses.md"
    ))
    .unwrap();
    let start = doc.find("**Literal stream**").unwrap();
    let block = &doc[start..];
    let block = &block[block.find("```\n").unwrap() + 4..];
    let block = &block[..block.find("```").unwrap()];
    let body = &block[block.find("\n\n").unwrap() + 2..];
    body.to_owned()
}

#[test]
fn tccli_literal_stream() {
    let body = tccli_stream();
    // The documented layout has no blank line after the last event: per WHATWG only the first
    // is dispatched; Node (finish) also gets the second.
    let spec = whole(body.as_bytes(), false);
    let node = whole(body.as_bytes(), true);
    assert_eq!(spec.len(), 1);
    assert_eq!(node.len(), 2);
    let lines: Vec<&str> = body.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2);
    for (e, line) in node.iter().zip(&lines) {
        assert_eq!(e.0, "message");
        assert_eq!(e.1, line.strip_prefix("data: ").unwrap());
        assert_eq!(e.2, "");
    }
    let reasons: Vec<String> = node
        .iter()
        .map(|e| match Classified::parse(&e.1).unwrap() {
            Classified::Chunk { id, finish_reason } => {
                assert!(id.unwrap().eq_str("148b89ef-14e1-489f-8e70-b767e5b27d56"));
                finish_reason.unwrap().to_string()
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(reasons, ["", "stop"]);
}

#[test]
fn whatwg_examples() {
    // HTML Living Standard, "Server-sent events", the examples of §9.2.6 / §9.2.7.
    assert_eq!(
        whole(b"data: YHOO\ndata: +2\ndata: 10\n\n", false),
        [ev("YHOO\n+2\n10", "")]
    );
    assert_eq!(
        whole(
            b": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n",
            false
        ),
        [ev("first event", "1"), ev("second event", "")]
    );
    assert_eq!(
        whole(b": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n", true)[2],
        ev(" third event", "")
    );
    assert_eq!(
        whole(b"data\n\ndata\ndata\n\ndata:", false),
        [ev("", ""), ev("\n", "")]
    );
    assert_eq!(
        whole(b"data:test\n\ndata: test\n\n", false),
        [ev("test", ""), ev("test", "")]
    );
    // event type, id carry-over, event type reset after dispatch, retry, unknown field.
    let mut buf = [0u8; 256];
    let mut f = Framer::new(&mut buf);
    let s = b"event: add\nid: 7\nretry: 1500\nfoo: bar\ndata: x\n\nretry: 12a\ndata: y\n\n";
    let Status::Complete((n, e)) = f.push(s).unwrap() else {
        panic!()
    };
    assert_eq!(
        (e.event_type(), e.data, e.id, e.retry),
        ("add", "x", "7", Some(1500))
    );
    let Status::Complete((m, e)) = f.push(&s[n..]).unwrap() else {
        panic!()
    };
    assert_eq!(
        (e.event_type(), e.data, e.id, e.retry),
        ("message", "y", "7", Some(1500))
    );
    assert_eq!(n + m, s.len());
    // Blank lines without data dispatch nothing and reset the event type.
    assert_eq!(whole(b"event: a\n\ndata: z\n\n", false), [ev("z", "")]);
    // id with NUL is ignored.
    assert_eq!(
        whole(b"id: 1\ndata: a\n\nid: 2\0\ndata: b\n\n", false),
        [ev("a", "1"), ev("b", "1")]
    );
}

const MIXED: &[u8] = b"\xEF\xBB\xBFdata: one\r\n\r\n:c\rdata:two\rdata: 2b\r\rid: 9\nevent: e\r\ndata\n\n\xEF\xBB\xBFdata: no\n\ndata: last\r";

fn mixed_expected() -> Vec<Ev> {
    vec![
        ev("one", ""),
        ev("two\n2b", ""),
        ("e".to_owned(), "".to_owned(), "9".to_owned()),
        // a BOM after the start is part of the field name: unknown field, no event
        ev("last", "9"),
    ]
}

#[test]
fn cr_crlf_bom_mix() {
    assert_eq!(whole(MIXED, true), mixed_expected());
    // Without finish the trailing `data: last\r` line ended, but no blank line followed.
    assert_eq!(whole(MIXED, false), mixed_expected()[..3]);
}

#[test]
fn every_split_gives_the_same_events() {
    let want = mixed_expected();
    for at in 0..=MIXED.len() {
        let (a, b) = MIXED.split_at(at);
        assert_eq!(
            collect(&[a, b], Framer::DEFAULT_MAX_LINE, true).unwrap(),
            want,
            "split at {at}"
        );
    }
    let ones: Vec<&[u8]> = MIXED.chunks(1).collect();
    assert_eq!(
        collect(&ones, Framer::DEFAULT_MAX_LINE, true).unwrap(),
        want
    );
    let body = tccli_stream();
    let whole_ev = whole(body.as_bytes(), true);
    for at in 0..=body.len() {
        let (a, b) = body.as_bytes().split_at(at);
        assert_eq!(
            collect(&[a, b], Framer::DEFAULT_MAX_LINE, true).unwrap(),
            whole_ev,
            "split at {at}"
        );
    }
    // A CR ending one chunk and an LF starting the next are one line ending.
    assert_eq!(
        collect(
            &[b"data: a\r", b"\n\r", b"\ndata: b\r\n\r\n"],
            Framer::DEFAULT_MAX_LINE,
            false
        )
        .unwrap(),
        [ev("a", ""), ev("b", "")]
    );
}

#[test]
fn limits() {
    let cfg = 16;
    let ok = b"data: 0123456789\n\n"; // 16-byte line
    assert_eq!(collect(&[ok], cfg, false).unwrap(), [ev("0123456789", "")]);
    let long = b"data: 0123456789a\n\n";
    assert_eq!(collect(&[long], cfg, false), Err(SseError::LineTooLong));
    assert_eq!(
        collect(&[&long[..9], &long[9..]], cfg, false),
        Err(SseError::LineTooLong)
    );
    assert_eq!(Framer::DEFAULT_MAX_LINE, 64 * 1024);
    // Default: a 64 KiB line passes, one more byte fails.
    let mut line = b"data:".to_vec();
    line.resize(64 * 1024, b'x');
    line.extend_from_slice(b"\n\n");
    assert_eq!(
        collect(&[&line], Framer::DEFAULT_MAX_LINE, false).unwrap()[0]
            .1
            .len(),
        64 * 1024 - 5
    );
    line.insert(7, b'x');
    assert_eq!(
        collect(&[&line], Framer::DEFAULT_MAX_LINE, false),
        Err(SseError::LineTooLong)
    );
    // Data larger than the caller's buffer.
    let mut small = [0u8; 4];
    let mut f = Framer::new(&mut small);
    assert_eq!(f.push(b"data: 12345\n\n"), Err(SseError::BufferFull));
    // Invalid UTF-8 data.
    assert_eq!(
        collect(&[b"data: \xff\n\n"], Framer::DEFAULT_MAX_LINE, false),
        Err(SseError::InvalidUtf8)
    );
}

#[test]
fn media_type() {
    for yes in [
        "text/event-stream",
        "Text/Event-Stream",
        " text/event-stream ; charset=utf-8",
        "TEXT/EVENT-STREAM;",
    ] {
        assert!(Framer::is_event_stream(yes), "{yes}");
    }
    for no in [
        "application/json",
        "text/event-streams",
        "text/plain; x=text/event-stream",
        "",
    ] {
        assert!(!Framer::is_event_stream(no), "{no}");
    }
}

#[test]
fn payloads() {
    // §3.4 error before streaming (docs' Example 3), recognised inside a stream too.
    let p = Classified::parse(r#"{"Response":{"RequestId":"188cc996-ab09-49a7-aa9f-1df88f11c6b4","Error":{"Code":"InvalidParameter","Message":"Temperature must be 2 or less"}}}"#).unwrap();
    let (code, msg) = p.error().unwrap();
    assert_eq!(code, "InvalidParameter");
    assert!(msg.unwrap().eq_str("Temperature must be 2 or less"));
    let Classified::ApiError { request_id, .. } = p else {
        panic!()
    };
    assert!(request_id
        .unwrap()
        .eq_str("188cc996-ab09-49a7-aa9f-1df88f11c6b4"));
    // ErrorMsg with the documented codes 4000 / 4001.
    let p =
        Classified::parse(r#"{"Id":"x","ErrorMsg":{"Msg":"服务内部异常","Code":4000}}"#).unwrap();
    assert_eq!(p.error().map(|e| e.0), Some("4000"));
    assert!(p.error().unwrap().1.unwrap().eq_str("服务内部异常"));
    let p = Classified::parse(r#"{"ErrorMsg":{"Code":4001,"Msg":"请求模型超时"}}"#).unwrap();
    assert!(matches!(p, Classified::StreamError { code: "4001", .. }));
    // Code 0 and a null ErrorMsg are no errors.
    for ok in [
        r#"{"ErrorMsg":{"Code":0,"Msg":""},"Id":"a"}"#,
        r#"{"ErrorMsg":null,"Id":"a"}"#,
    ] {
        let p = Classified::parse(ok).unwrap();
        assert!(p.error().is_none(), "{ok}");
        assert!(
            matches!(p, Classified::Chunk { id: Some(id), finish_reason: None } if id.eq_str("a"))
        );
    }
    // Empty Error.Code is not an error (Go rule).
    assert!(
        Classified::parse(r#"{"Response":{"Error":{"Code":"","Message":""}}}"#)
            .unwrap()
            .error()
            .is_none()
    );
    assert!(Classified::parse("[DONE]").is_err());
}

#[test]
fn whole_body_helper() {
    let mut buf = [0u8; 128];
    let mut got = Vec::new();
    Framer::new(&mut buf)
        .for_each_event(b"data: a\n\ndata: b", true, |e| got.push(e.data.to_owned()))
        .unwrap();
    assert_eq!(got, ["a", "b"]);
}

#[test]
fn event_type_and_id_limits_are_exact_and_independent_of_chunking() {
    let at = |field: &str, len: usize| format!("{field}: {}\ndata: x\n\n", "e".repeat(len));
    let (max_event, max_id) = (Framer::MAX_EVENT_TYPE, Framer::MAX_ID);
    assert_eq!((max_event, max_id), (64, 256));
    // exactly at the limit: kept whole
    let s = at("event", max_event);
    assert_eq!(
        whole(s.as_bytes(), false),
        [("e".repeat(64), "x".into(), String::new())]
    );
    let s = at("id", max_id);
    assert_eq!(
        whole(s.as_bytes(), false),
        [("message".into(), "x".into(), "e".repeat(256))]
    );
    // one byte more: an error, never a cut value, whether pushed whole or byte by byte
    for (field, len) in [("event", max_event + 1), ("id", max_id + 1)] {
        let s = at(field, len);
        assert_eq!(
            collect(&[s.as_bytes()], Framer::DEFAULT_MAX_LINE, false),
            Err(SseError::FieldTooLong)
        );
        let bytes: Vec<&[u8]> = s.as_bytes().chunks(1).collect();
        assert_eq!(
            collect(&bytes, Framer::DEFAULT_MAX_LINE, false),
            Err(SseError::FieldTooLong)
        );
    }
}
