#![doc = include_str!("../README.md")]
#![doc = r#"
# Module map

One idea per module, listed from the leaves up: a module builds on the ones above it.

| Module | Its one idea |
|---|---|
| `credential` | [`SecretId`], [`SecretKey`] (zeroized, never shown) and the session [`Token`] (crate-private module; the types are at the root) |
| `time` | the UTC [`Date`] of a timestamp, and the clock [`now_unix`] (feature `std`; both at the root) |
| `header` | the protocol's header names, lowercase and as sent (crate-private) |
| `encode` | the byte [`Sink`] every writer streams into and the [`BufWriter`] over a caller buffer (both at the root), the encodings (hex, base64, form; crate-private) |
| [`envelope`] | the `{"Response": …}` envelope: parse it (zero-copy), classify error codes, write one |
| [`params`] | request parameters as borrowed pairs: flattening nested JSON / `Serialize`, the sorted query |
| [`sse`] | `text/event-stream`: the push framer and the classifier of streamed payloads |
| [`v3`] | TC3-HMAC-SHA256 signing: signing keys, requests, templates, the `Authorization` value, canonical text |
| [`v1`] | the legacy HmacSHA1 / HmacSHA256 signature over sorted parameters |
| [`multipart`] | `multipart/form-data` and octet-stream request bodies |
| [`verify`] | the server side: verify a signed request (v3 or v1) and answer with the server's code |
| `http` | signing and verifying `http::Request` values (feature `http`) |

Bounds are associated constants of the type they bound ([`SecretId::MAX_LEN`],
[`v3::Request::MAX_SIGNED_HEADERS`], [`verify::Policy::DEFAULT_WINDOW`], …).

# Conventions

- **Output last.** A function that writes takes its output as its last argument:
  [`params::write_sorted_query`]`(pairs, out)`, [`v3::canonical_request`]`(req, out)`.
- **One output type.** Every writer streams into a [`Sink`](crate::Sink) (`write_x(…, out)`):
  a hasher, a `Vec<u8>` (feature `alloc`), or a [`BufWriter`](crate::BufWriter) over a caller
  buffer, which cannot overrun it: [`BufWriter::finish`](crate::BufWriter::finish) returns
  the written part, or [`Error::capacity`] when it did not fit — never a truncated result.
  There is no separate "into a buffer" variant. Examples: [`v1::write_request`],
  [`envelope::write_error`], [`Multipart::write`](multipart::Multipart::write),
  [`VerifyError::write_envelope`](verify::VerifyError::write_envelope),
  [`Authorization::write`](v3::Authorization::write).
- **Functions of one type are its methods.** Parsing, building or reading one type is an
  associated function or method of it: [`v3::Authorization::parse`],
  [`v1::Request::sign_sorted`], [`v1::LegacySignature::sign_raw`].
- **Builders.** Options and policy values are `#[non_exhaustive]`: start from a constructor
  or `Default` and adjust with `with_*` methods, e.g.
  [`v1::Request::get`]`(host).with_rule(…)`.
- **No panics on input.** Bad input is a typed error; the no-panic clippy lints
  (`indexing_slicing`, `unwrap_used`, `expect_used`, `panic`) are denied module by module.
"#]
#![no_std]
#![forbid(unsafe_code)]
// No panic on input: the library (not its tests) denies indexing, unwrap, expect and panic; each
// local `allow` carries its reason. Crate-level here rather than `[lints]` in Cargo.toml, which
// would also apply to the tests and benches.
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

mod credential;
mod encode;
pub mod envelope;
mod error;
mod header;
pub mod multipart;
pub mod params;
pub mod sse;
#[cfg(test)]
mod test_bytes;
mod time;
pub mod v1;
pub mod v3;
pub mod verify;

#[cfg(feature = "http")]
pub mod http;

pub use credential::{Credential, SecretId, SecretKey, Token};
pub use encode::{BufWriter, Sink};
pub use error::{Error, Field, Reason};
#[cfg(feature = "std")]
pub use time::now_unix;
pub use time::Date;
