//! `tc3 parse`: a response body on standard input, its envelope (or events) as JSON lines.

use crate::io::{print_line, read_stdin};
use crate::{Fail, Outcome};
use serde_json::{json, Value};
use tc3::envelope::{self, ErrorCode, JsonStr};
use tc3::sse;

pub fn run(args: &mut lexopt::Parser) -> Result<Outcome, Fail> {
    use lexopt::Arg::*;
    let mut content_type: Option<String> = None;
    while let Some(arg) = args.next()? {
        match arg {
            Long("content-type") => {
                let v = args.value()?;
                content_type = Some(v.into_string().map_err(|_| "--content-type: not UTF-8")?);
            }
            other => return Err(other.unexpected().into()),
        }
    }
    let body = read_stdin("a response body").map_err(Fail::Run)?;
    match content_type.as_deref() {
        Some(ct) if sse::Framer::is_event_stream(ct) => {
            // a server that fails before streaming answers with a JSON envelope
            if body.trim_ascii_start().starts_with(b"{") && envelope::parse(&body).is_ok() {
                eprintln!(
                    "tc3: the body is a JSON response envelope, not an event stream; read as an envelope"
                );
                return Ok(envelope_of(&body));
            }
            Ok(events(&body))
        }
        _ => Ok(envelope_of(&body)),
    }
}

fn text(s: &JsonStr<'_>) -> String {
    s.to_cow().into_owned()
}

fn envelope_of(body: &[u8]) -> Outcome {
    let env = match envelope::parse(body) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("tc3: not a valid response envelope: {e}");
            return Outcome::Malformed;
        }
    };
    let error = env.error.map(|e| {
        let code = text(&e.code);
        let c = ErrorCode::new(&code);
        json!({
            "code": code,
            "category": c.category_str(),
            "message": e.message.as_ref().map(text),
            "retryable": c.is_retryable(),
        })
    });
    let failed = error.is_some();
    print_line(&json!({
        "request_id": env.request_id.as_ref().map(text),
        "error": error.unwrap_or(Value::Null),
    }));
    if failed {
        Outcome::Rejected
    } else {
        Outcome::Ok
    }
}

fn events(body: &[u8]) -> Outcome {
    let mut buf = vec![0u8; body.len().max(sse::Framer::DEFAULT_MAX_LINE)];
    let mut outcome = Outcome::Ok;
    let res = sse::Framer::new(&mut buf).for_each_event(body, false, |ev| {
        let error = match ev.payload() {
            Ok(p) => p.error().map(
                |(code, message)| json!({"code": code, "message": message.as_ref().map(text)}),
            ),
            Err(_) => None,
        };
        if error.is_some() {
            outcome = Outcome::Rejected;
        }
        print_line(&json!({
            "event": (!ev.event.is_empty()).then_some(ev.event),
            "id": (!ev.id.is_empty()).then_some(ev.id),
            "data": ev.data,
            "error": error.unwrap_or(Value::Null),
        }));
    });
    match res {
        Ok(()) => outcome,
        Err(e) => {
            eprintln!("tc3: not a valid event stream: {e}");
            Outcome::Malformed
        }
    }
}
