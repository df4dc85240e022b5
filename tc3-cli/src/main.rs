//! `tc3`: sign, verify, explain and parse Tencent Cloud API 3.0 traffic, and call the API,
//! from the command line.
//!
//! The contract (formats, field names, exit statuses) is `docs/cli.md` of the project:
//! JSON lines in, JSON lines out, diagnostics on standard error (one line each); exit 0 all
//! good, 1 an item was rejected / the API answered with an error, 2 usage error, malformed
//! input or no credentials, 3 (`tc3 call`) no answer after the retries. No input makes it
//! panic.

mod call;
mod credentials;
mod explain;
mod io;
mod parse;
mod sign;
mod spec;
mod verify;

use std::ffi::OsString;
use std::process::ExitCode;

const USAGE_SIGN: &str = "\
  tc3 sign [--curl] < specs.jsonl          sign request specs, print captures (or curl lines)
  tc3 sign --example [--curl]              the documented worked example (signature 72e494ea...)
  tc3 sign [--curl] --service S --action A --version V [--region R] [--params JSON]
           [--host H] [--path P] [--method GET|POST] [--sign-method M] [--timestamp UNIX]
           [--nonce N] [--query Q] [--body B] [--content-type T] [--language L] [--token T]
           [--secret-id ID --secret-key KEY]
                                           sign one request from flags (region also from
                                           TENCENTCLOUD_REGION; credentials from the flags, else
                                           the environment, ~/.tencentcloud/credentials or the
                                           tccli profile)";
const USAGE_VERIFY: &str = "\
  tc3 verify --keys KEYS.json [--now UNIX | --skip-clock] [--max-skew SECONDS]
             [--mount-prefix PATH]... [--require-signed NAME]... [--hardened] < captures.jsonl";
const USAGE_EXPLAIN: &str = "\
  tc3 explain --keys KEYS.json [same options as verify] [--json] < capture.json";
const USAGE_PARSE: &str = "\
  tc3 parse [--content-type TYPE] < body";
const USAGE_CALL: &str = "\
  tc3 call SERVICE ACTION --version VERSION [--region REGION] [--params JSON | --params @FILE]
           [--endpoint URL] [--profile NAME] [--max-retries N] [--timeout SECONDS] [--verbose]
                                           send one signed request, print the Response object
                                           (credentials from the default chain; exit 1 API
                                           error, 2 usage or credentials, 3 no answer)";
const USAGE_OTHER: &str = "\
  tc3 help [SUBCOMMAND] | tc3 SUBCOMMAND --help | tc3 --version";

fn usage(sub: Option<&str>) -> String {
    let parts: Vec<&str> = match sub {
        Some("sign") => vec![USAGE_SIGN],
        Some("verify") => vec![USAGE_VERIFY],
        Some("explain") => vec![USAGE_EXPLAIN],
        Some("parse") => vec![USAGE_PARSE],
        Some("call") => vec![USAGE_CALL],
        _ => vec![
            USAGE_SIGN,
            USAGE_VERIFY,
            USAGE_EXPLAIN,
            USAGE_PARSE,
            USAGE_CALL,
            USAGE_OTHER,
        ],
    };
    // each text starts right after a line continuation, which ate its indentation
    let parts: Vec<String> = parts.iter().map(|p| format!("  {p}")).collect();
    format!("usage:\n{}", parts.join("\n"))
}

const SUBCOMMANDS: [&str; 5] = ["sign", "verify", "explain", "parse", "call"];

/// Exit status of a run: the worst outcome seen.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Everything fine.
    Ok = 0,
    /// Well-formed input, but an item was rejected / carried an API error.
    Rejected = 1,
    /// Usage error, malformed input, no credentials.
    Malformed = 2,
    /// `tc3 call`: no answer after the retries.
    NoAnswer = 3,
}

impl Outcome {
    fn code(self) -> ExitCode {
        ExitCode::from(self as u8)
    }
}

/// Why a subcommand stopped.
#[derive(Debug)]
pub enum Fail {
    /// The command line is wrong: the message, then the usage.
    Usage(String),
    /// Anything else: one line.
    Run(String),
}

impl From<String> for Fail {
    fn from(s: String) -> Self {
        Fail::Usage(s)
    }
}

impl From<&str> for Fail {
    fn from(s: &str) -> Self {
        Fail::Usage(s.to_owned())
    }
}

impl From<lexopt::Error> for Fail {
    fn from(e: lexopt::Error) -> Self {
        Fail::Usage(e.to_string())
    }
}

/// `verify` and `explain` report every failure as a string: the ones about files and input
/// are not usage errors.
fn classify(msg: String) -> Fail {
    let run = msg.starts_with("cannot read")
        || msg.starts_with("no input")
        || msg.contains(": not valid JSON")
        || msg.contains(": not a JSON object")
        || msg.contains("is not a string");
    if run {
        Fail::Run(msg)
    } else {
        Fail::Usage(msg)
    }
}

/// Whether `--help` / `-h` appears among the arguments (before a `--`).
fn wants_help(rest: &[OsString]) -> bool {
    rest.iter()
        .take_while(|a| *a != "--")
        .any(|a| a == "--help" || a == "-h")
}

fn main() -> ExitCode {
    let argv: Vec<OsString> = std::env::args_os().skip(1).collect();
    let first = argv.first().map(|a| a.to_string_lossy().into_owned());
    let sub = match first.as_deref() {
        None => return usage_error(None, "missing subcommand"),
        Some("--help" | "-h") => {
            println!("{}", usage(None));
            return ExitCode::SUCCESS;
        }
        Some("--version" | "-V") => {
            println!("tc3 {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Some("help") => {
            return match argv.get(1).map(|a| a.to_string_lossy().into_owned()) {
                None => {
                    println!("{}", usage(None));
                    ExitCode::SUCCESS
                }
                Some(s) if SUBCOMMANDS.contains(&s.as_str()) => {
                    println!("{}", usage(Some(&s)));
                    ExitCode::SUCCESS
                }
                Some(s) => usage_error(None, &format!("unknown subcommand {s:?}")),
            }
        }
        Some(s) if s.starts_with('-') => {
            return usage_error(
                None,
                &format!("unknown option {s:?} (a subcommand comes first)"),
            )
        }
        Some(s) => s.to_owned(),
    };
    if !SUBCOMMANDS.contains(&sub.as_str()) {
        return usage_error(None, &format!("unknown subcommand {sub:?}"));
    }
    if wants_help(&argv[1..]) {
        println!("{}", usage(Some(&sub)));
        return ExitCode::SUCCESS;
    }
    let mut args = lexopt::Parser::from_args(argv.into_iter().skip(1));
    let result = match sub.as_str() {
        "sign" => sign::run(&mut args),
        "verify" => verify::run(&mut args).map_err(classify),
        "explain" => explain::run(&mut args).map_err(classify),
        "parse" => parse::run(&mut args),
        _ => call::run(&mut args),
    };
    match result {
        Ok(outcome) => outcome.code(),
        Err(Fail::Usage(msg)) => usage_error(Some(&sub), &msg),
        Err(Fail::Run(msg)) => {
            eprintln!("tc3: {}", one_line(&msg));
            Outcome::Malformed.code()
        }
    }
}

/// `msg` with line breaks replaced by spaces.
pub fn one_line(msg: &str) -> String {
    msg.replace(['\n', '\r'], " ")
}

fn usage_error(sub: Option<&str>, msg: &str) -> ExitCode {
    eprintln!("tc3: {}", one_line(msg));
    eprintln!("{}", usage(sub));
    Outcome::Malformed.code()
}
