//! Tencent Cloud API 3.0 request verification for `tower` services: a [`VerifyLayer`] that
//! checks every request's TC3-HMAC-SHA256 or legacy HmacSHA1/HmacSHA256 signature with the
//! [`tc3`] verifier before the inner service sees it, key providers ([`StaticKeys`],
//! [`FileKeys`], [`AsyncKeyProvider`]), and replay protection shared across gateway instances
//! ([`MemoryReplayStore`], [`RedisReplayStore`]). The `tc3-gateway` binary of this crate is a
//! forwarding gateway built on it.
//!
//! Three lines with axum:
//!
//! ```
//! use axum::{routing::post, Router};
//! use tc3_tower::{StaticKeys, VerifyLayer, VerifiedFacts};
//!
//! async fn describe(req: axum::extract::Request) -> String {
//!     let facts = req.extensions().get::<VerifiedFacts>().unwrap();
//!     format!(r#"{{"Response":{{"RequestId":"{}"}}}}"#, facts.request_id)
//! }
//!
//! let keys = StaticKeys::from_json(br#"{"AKIDexample": "secret-key"}"#).unwrap();
//! let app: Router = Router::new()
//!     .route("/", post(describe))
//!     .layer(VerifyLayer::new(keys));
//! ```
//!
//! With hyper, wrap any `tower` service and serve it through `hyper_util`'s
//! `TowerToHyperService`:
//!
//! ```
//! use std::convert::Infallible;
//! use bytes::Bytes;
//! use http_body_util::Full;
//! use tc3_tower::{StaticKeys, VerifyLayer};
//! use tower::ServiceBuilder;
//!
//! let keys = StaticKeys::from_json(br#"{"AKIDexample": "secret-key"}"#).unwrap();
//! let svc = ServiceBuilder::new().layer(VerifyLayer::new(keys)).service_fn(
//!     |_req: http::Request<Full<Bytes>>| async { Ok::<_, Infallible>(http::Response::new(Full::new(Bytes::new()))) },
//! );
//! let _hyper_service = hyper_util::service::TowerToHyperService::new(svc);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod keys;
mod layer;
mod policy;
pub mod replay;

pub use keys::{
    ArcKeys, AsyncKeyProvider, FileKeys, KeyFuture, KeyStoreUnavailable, KeysError, StaticKeys,
};
pub use layer::{
    error_response, request_id, Rejected, VerifyBody, VerifyLayer, VerifyService, DEFAULT_MAX_BODY,
};
pub use policy::{GatewayPolicy, VerifiedFacts};
pub use replay::{MemoryReplayStore, RedisReplayStore, ReplayError, ReplayFuture, ReplayStore};
