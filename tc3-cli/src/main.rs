//! `tc3`: sign, verify, explain and parse Tencent Cloud API 3.0 traffic from the command line.
//!
//! The contract (formats, field names, exit statuses) is `docs/cli.md` of the project:
//! JSON lines in, JSON lines out, diagnostics on standard error; exit 0 all good, 1 an item was
//! rejected, 2 usage error or malformed input. No input makes it panic.

mod credentials;
mod explain;
mod io;
mod parse;
mod sign;
mod spec;
mod verify;

use std::process::ExitCode;

const USAGE: &str = "\
usage:
  tc3 sign [--curl] < specs.jsonl          sign request specs, print captures (or curl lines)
  tc3 sign --example [--curl]              the documented worked example (signature 72e494ea...)
  tc3 sign [--curl] --service S --action A --version V [--region R] [--params JSON]
           [--host H] [--method GET|POST] [--sign-method M] [--timestamp UNIX] [--nonce N]
                                           sign one request from flags (credentials from the
                                           TENCENTCLOUD_* environment or the tccli profile)
  tc3 verify --keys KEYS.json [--now UNIX | --skip-clock] [--max-skew SECONDS]
             [--mount-prefix PATH]... [--require-signed NAME]... [--hardened] < captures.jsonl
  tc3 explain --keys KEYS.json [same options as verify] [--json] < capture.json
  tc3 parse [--content-type TYPE] < body";

/// Exit status of a run: the worst outcome seen.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Everything fine.
    Ok = 0,
    /// Well-formed input, but an item was rejected / carried an API error.
    Rejected = 1,
    /// Usage error or malformed input.
    Malformed = 2,
}

impl Outcome {
    fn code(self) -> ExitCode {
        ExitCode::from(self as u8)
    }
}

fn main() -> ExitCode {
    let mut args = lexopt::Parser::from_env();
    let sub = match args.next() {
        Ok(Some(lexopt::Arg::Value(v))) => v.to_string_lossy().into_owned(),
        Ok(Some(lexopt::Arg::Long("help") | lexopt::Arg::Short('h'))) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Some(lexopt::Arg::Long("version"))) => {
            println!("tc3 {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        _ => return usage_error("missing subcommand"),
    };
    let result = match sub.as_str() {
        "sign" => sign::run(&mut args),
        "verify" => verify::run(&mut args),
        "explain" => explain::run(&mut args),
        "parse" => parse::run(&mut args),
        other => return usage_error(&format!("unknown subcommand {other:?}")),
    };
    match result {
        Ok(outcome) => outcome.code(),
        Err(msg) => usage_error(&msg),
    }
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("tc3: {msg}");
    eprintln!("{USAGE}");
    Outcome::Malformed.code()
}
