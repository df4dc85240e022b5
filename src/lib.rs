#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod credential;
pub mod encode;
pub mod envelope;
mod error;
pub mod multipart;
pub mod params;
pub mod sse;
pub mod time;
pub mod v1;
pub mod v3;
pub mod verify;

#[cfg(feature = "std")]
pub mod profile;

#[cfg(feature = "http")]
pub mod http;

pub use credential::{Credential, SecretId, SecretKey, Token};
pub use error::{Error, Field, Reason};
pub use time::Date;
