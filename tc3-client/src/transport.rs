//! The HTTP stack: hyper-util's pooled client over hyper-rustls (rustls with *ring*, the
//! Mozilla roots of `webpki-roots`), plain http allowed for local endpoints.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::TokioExecutor;
use std::fmt;
use std::time::Duration;

type Connector = hyper_rustls::HttpsConnector<HttpConnector>;

/// A cheap-to-clone handle on a connection pool.
#[derive(Clone)]
pub(crate) struct Transport {
    client: Result<HyperClient<Connector, Full<Bytes>>, String>,
}

/// Why a request got no answer.
#[derive(Debug)]
pub(crate) enum SendError {
    /// No connection: the request was not sent.
    Connect(String),
    /// The request may have been sent.
    Other(String),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Connect(m) | SendError::Other(m) => f.write_str(m),
        }
    }
}

/// The error and its causes on one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = c.source();
    }
    s
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Transport")
    }
}

/// How long a metadata request may take (the metadata service is on the local network).
const METADATA_TIMEOUT: Duration = Duration::from_secs(2);

impl Transport {
    pub(crate) fn new() -> Self {
        Self::with_connect_timeout(Duration::from_secs(5))
    }

    pub(crate) fn with_connect_timeout(connect_timeout: Duration) -> Self {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(connect_timeout));
        let tls = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map(|b| {
            b.with_root_certificates(rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            })
            .with_no_client_auth()
        });
        let client = tls
            .map_err(|e| format!("TLS configuration: {e}"))
            .map(|cfg| {
                let connector = hyper_rustls::HttpsConnectorBuilder::new()
                    .with_tls_config(cfg)
                    .https_or_http()
                    .enable_http1()
                    .wrap_connector(http);
                HyperClient::builder(TokioExecutor::new())
                    .pool_idle_timeout(Duration::from_secs(30))
                    .build(connector)
            });
        Transport { client }
    }

    pub(crate) async fn send(
        &self,
        req: hyper::Request<Full<Bytes>>,
    ) -> Result<hyper::Response<Incoming>, SendError> {
        let client = self
            .client
            .as_ref()
            .map_err(|e| SendError::Connect(e.clone()))?;
        client.request(req).await.map_err(|e| {
            if e.is_connect() {
                SendError::Connect(chain(&e))
            } else {
                SendError::Other(chain(&e))
            }
        })
    }

    /// A GET with a short timeout, the whole body read.
    pub(crate) async fn get(&self, url: &str) -> Result<(u16, Bytes), String> {
        let uri: hyper::Uri = url.parse().map_err(|_| format!("bad URL {url:?}"))?;
        let req = hyper::Request::get(uri)
            .body(Full::new(Bytes::new()))
            .map_err(|e| e.to_string())?;
        let fut = async {
            let resp = self.send(req).await.map_err(|e| e.to_string())?;
            let status = resp.status().as_u16();
            let body = resp
                .into_body()
                .collect()
                .await
                .map_err(|e| e.to_string())?
                .to_bytes();
            Ok((status, body))
        };
        tokio::time::timeout(METADATA_TIMEOUT, fut)
            .await
            .map_err(|_| "timed out".to_owned())?
    }
}
