//! Reading JSON lines and writing JSON lines.

use serde_json::Value;
use std::io::{BufRead, IsTerminal, Read, Write};

/// On a terminal, says what standard input is waited for instead of waiting silently.
fn hint_if_terminal(what: &str) {
    if std::io::stdin().is_terminal() {
        eprintln!(
            "tc3: reading {what} from standard input (end with Ctrl-D; `tc3 help` shows the usage)"
        );
    }
}

/// Reads standard input fully; empty input is an error.
pub fn read_stdin(what: &str) -> Result<Vec<u8>, String> {
    hint_if_terminal(what);
    let mut buf = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut buf)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    if buf.is_empty() {
        return Err(format!("no input: expected {what} on standard input"));
    }
    Ok(buf)
}

/// Calls `f` for every non-blank line of standard input parsed as a JSON object, with its
/// 1-based line number. A line that is not a JSON object is reported on standard error and
/// skipped; the returned flag says whether that happened. Input without any non-blank line is
/// an error.
pub fn for_each_json_line(mut f: impl FnMut(usize, Value)) -> Result<bool, String> {
    hint_if_terminal("JSON lines");
    let stdin = std::io::stdin();
    let mut malformed = false;
    let mut any = false;
    for (i, line) in stdin.lock().split(b'\n').enumerate() {
        let line = line.map_err(|e| format!("cannot read standard input: {e}"))?;
        let n = i + 1;
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        any = true;
        match serde_json::from_slice::<Value>(&line) {
            Ok(v @ Value::Object(_)) => f(n, v),
            Ok(_) => {
                eprintln!("tc3: line {n}: not a JSON object");
                malformed = true;
            }
            Err(e) => {
                eprintln!("tc3: line {n}: not valid JSON: {e}");
                malformed = true;
            }
        }
    }
    if !any {
        return Err("no input: expected JSON lines on standard input".into());
    }
    Ok(malformed)
}

/// Prints one JSON value as a line on standard output.
pub fn print_line(v: &Value) {
    let mut out = std::io::stdout().lock();
    // a closed pipe is not worth a panic
    let _ = serde_json::to_writer(&mut out, v);
    let _ = out.write_all(b"\n");
}

/// Reads a KEYS.json file: `{"SecretId": "SecretKey", ...}`.
pub fn read_keys(path: &str) -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let v: Value =
        serde_json::from_slice(&text).map_err(|e| format!("{path}: not valid JSON: {e}"))?;
    let obj = v
        .as_object()
        .ok_or_else(|| format!("{path}: not a JSON object"))?;
    let mut keys = Vec::with_capacity(obj.len());
    for (id, key) in obj {
        let key = key
            .as_str()
            .ok_or_else(|| format!("{path}: the key of {id:?} is not a string"))?;
        keys.push((id.clone(), key.to_owned()));
    }
    Ok(keys)
}
