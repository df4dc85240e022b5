#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod breaker;
mod client;
pub mod credentials;
mod endpoint;
mod error;
mod events;
mod profile;
mod retry;
mod transport;

pub use breaker::BreakerConfig;
pub use client::{Answer, Attempt, Client, ClientBuilder, RawResponse, MAX_ANSWER};
pub use credentials::{Credentials, CredentialsFuture, DefaultChain, ProvideCredentials};
pub use endpoint::Endpoint;
pub use error::{ApiError, CredentialsError, DecodeError, Error, Sent, TransportError};
pub use events::{Event, EventStream};
pub use profile::region_from_env;
pub use retry::{is_read_only, RetryPolicy};
pub use tc3::multipart::Part;
