//! `tc3 call`: send one signed request with `tc3-client` and print the answer.

use crate::io::print_line;
use crate::{one_line, Fail, Outcome};
use serde_json::{json, Value};
use std::io::{IsTerminal, Write};
use std::time::Duration;
use tc3_client::{Answer, Client, DefaultChain, Endpoint, Error, RetryPolicy};

struct Args {
    service: String,
    action: String,
    version: String,
    region: Option<String>,
    params: Vec<u8>,
    endpoint: Option<String>,
    profile: Option<String>,
    max_retries: u32,
    timeout: Option<Duration>,
    verbose: bool,
}

fn string(v: std::ffi::OsString, flag: &str) -> Result<String, Fail> {
    v.into_string()
        .map_err(|_| Fail::Usage(format!("{flag}: not valid UTF-8")))
}

fn parse_args(args: &mut lexopt::Parser) -> Result<Args, Fail> {
    use lexopt::Arg::Long;
    let mut positional = Vec::new();
    let (mut version, mut region, mut params, mut endpoint, mut profile) =
        (None, None, None, None, None);
    let mut max_retries = 3u32;
    let mut timeout = None;
    let mut verbose = false;
    while let Some(arg) = args.next()? {
        match arg {
            lexopt::Arg::Value(v) => positional.push(string(v, "SERVICE / ACTION")?),
            Long("version") => version = Some(string(args.value()?, "--version")?),
            Long("region") => region = Some(string(args.value()?, "--region")?),
            Long("params") => params = Some(string(args.value()?, "--params")?),
            Long("endpoint") => endpoint = Some(string(args.value()?, "--endpoint")?),
            Long("profile") => profile = Some(string(args.value()?, "--profile")?),
            Long("max-retries") => {
                let v = string(args.value()?, "--max-retries")?;
                max_retries = v.parse().map_err(|_| {
                    Fail::Usage("--max-retries takes a non-negative integer".into())
                })?;
            }
            Long("timeout") => {
                let v = string(args.value()?, "--timeout")?;
                let secs: f64 = v
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s > 0.0 && *s <= 86_400.0)
                    .ok_or_else(|| Fail::Usage("--timeout takes a number of seconds > 0".into()))?;
                timeout = Some(Duration::from_secs_f64(secs));
            }
            Long("verbose") => verbose = true,
            other => return Err(other.unexpected().into()),
        }
    }
    let [service, action] = <[String; 2]>::try_from(positional)
        .map_err(|_| Fail::Usage("tc3 call takes SERVICE and ACTION".into()))?;
    let version = version.ok_or_else(|| Fail::Usage("--version VERSION is required".into()))?;
    let params = match params.as_deref() {
        None => b"{}".to_vec(),
        Some(p) => match p.strip_prefix('@') {
            Some(path) => std::fs::read(path)
                .map_err(|e| Fail::Run(format!("--params: cannot read {path}: {e}")))?,
            None => p.as_bytes().to_vec(),
        },
    };
    // the body is sent as given, but it must be a JSON object
    match serde_json::from_slice::<Value>(&params) {
        Ok(Value::Object(_)) => {}
        Ok(_) => return Err(Fail::Usage("--params: not a JSON object".into())),
        Err(e) => return Err(Fail::Usage(format!("--params: not valid JSON: {e}"))),
    }
    Ok(Args {
        service,
        action,
        version,
        region,
        params,
        endpoint,
        profile,
        max_retries,
        timeout,
        verbose,
    })
}

pub fn run(args: &mut lexopt::Parser) -> Result<Outcome, Fail> {
    let a = parse_args(args)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Fail::Run(format!("cannot start the runtime: {e}")))?;
    rt.block_on(call(a))
}

async fn call(a: Args) -> Result<Outcome, Fail> {
    let mut chain = DefaultChain::new();
    if let Some(p) = &a.profile {
        chain = chain.profile(p);
    }
    let mut b = Client::builder()
        .credentials_provider(chain)
        .retry(RetryPolicy::default().max_retries(a.max_retries));
    if let Some(r) = &a.region {
        b = b.region(r);
    }
    if let Some(e) = &a.endpoint {
        b = b.endpoint(Endpoint::url(e).map_err(|e| Fail::Usage(e.to_string()))?);
    }
    if let Some(t) = a.timeout {
        b = b.timeout(t);
    }
    if a.verbose {
        b = b.on_attempt(|at| {
            let next = match at.retry_in {
                Some(d) => format!("; retrying in {:.3}s", d.as_secs_f64()),
                None => String::new(),
            };
            eprintln!(
                "tc3: attempt {}: POST {}/ {} (SecretId {}): {}{next}",
                at.number,
                at.url,
                at.action,
                at.secret_id,
                one_line(at.outcome)
            );
        });
    }
    let client = b.build();
    let answer = client
        .send(&a.service, &a.version, &a.action, a.params)
        .await;
    match answer {
        Ok(Answer::Json(r)) => {
            let text = if std::io::stdout().is_terminal() {
                let v: Value = serde_json::from_str(r.response_json())
                    .map_err(|e| Fail::Run(format!("the Response object: {e}")))?;
                serde_json::to_string_pretty(&v).map_err(|e| Fail::Run(e.to_string()))?
            } else {
                compact(r.response_json())
            };
            let _ = writeln!(std::io::stdout().lock(), "{text}");
            Ok(Outcome::Ok)
        }
        Ok(Answer::Events(mut events)) => {
            let mut outcome = Outcome::Ok;
            while let Some(ev) = events.next().await {
                match ev {
                    Ok(ev) => {
                        let error = ev.error.as_ref().map(|e| {
                            outcome = Outcome::Rejected;
                            json!({"code": e.code, "message": e.message})
                        });
                        print_line(&json!({
                            "event": (!ev.event.is_empty()).then_some(&ev.event),
                            "id": (!ev.id.is_empty()).then_some(&ev.id),
                            "data": ev.data,
                            "error": error,
                        }));
                    }
                    Err(e) => return Ok(report(&e)),
                }
            }
            Ok(outcome)
        }
        Err(e) => Ok(report(&e)),
    }
}

/// Valid JSON without the whitespace between tokens: numbers and strings stay exactly as the
/// server wrote them (no float or big-integer rounding through a parser).
fn compact(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            in_string = c == '"';
            out.push(c);
        }
    }
    out
}

/// One line on standard error; the exit status of the error.
fn report(e: &Error) -> Outcome {
    match e {
        Error::Api(a) => {
            eprintln!(
                "tc3: {}: {} (RequestId: {})",
                a.code,
                one_line(&a.message),
                a.request_id.as_deref().unwrap_or("none")
            );
            Outcome::Rejected
        }
        Error::Credentials(_) | Error::InvalidRequest(_) => {
            eprintln!("tc3: {}", one_line(&e.to_string()));
            Outcome::Malformed
        }
        _ => {
            eprintln!("tc3: {}", one_line(&e.to_string()));
            Outcome::NoAnswer
        }
    }
}
