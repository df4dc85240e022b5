//! The hand-written signer: what a typical user writes with hmac + sha2 + hex + `format!`:
//! derives the key every time, `String`s everywhere.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

fn hmac256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key size");
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

fn utc_date(ts: i64) -> String {
    // civil_from_days (H. Hinnant); a user would reach for chrono, which is slower.
    let z = ts.div_euclid(86400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[allow(clippy::too_many_arguments)]
pub fn sign(
    secret_id: &str,
    secret_key: &str,
    service: &str,
    host: &str,
    content_type: &str,
    payload: &str,
    timestamp: i64,
) -> (String, String) {
    let hashed_payload = hex::encode(Sha256::digest(payload.as_bytes()));
    let canonical_request = format!(
        "POST\n/\n\ncontent-type:{content_type}\nhost:{host}\n\ncontent-type;host\n{hashed_payload}"
    );
    let date = utc_date(timestamp);
    let scope = format!("{date}/{service}/tc3_request");
    let string_to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let secret_date = hmac256(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let secret_service = hmac256(&secret_date, service.as_bytes());
    let secret_signing = hmac256(&secret_service, b"tc3_request");
    let signature = hex::encode(hmac256(&secret_signing, string_to_sign.as_bytes()));
    let authorization = format!(
        "TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}"
    );
    (signature, authorization)
}

// ---------------------------------------------------------------------------------------------
// Prototype of the "request template" proposed in docs/perf.md (not a tc3 API yet)
// ---------------------------------------------------------------------------------------------
