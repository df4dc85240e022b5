//! The layer in process: with axum (the three-line use), with an asynchronous key provider,
//! and what the inner service receives.
mod support;

use axum::body::Body;
use axum::extract::Request;
use axum::routing::post;
use axum::Router;
use http_body_util::BodyExt;
use support::*;
use tc3::SecretKey;
use tc3_tower::{AsyncKeyProvider, KeyFuture, StaticKeys, VerifiedFacts, VerifyLayer};
use tower::ServiceExt;

async fn echo(req: Request) -> String {
    let facts = req.extensions().get::<VerifiedFacts>().unwrap().clone();
    let body = req.into_body().collect().await.unwrap().to_bytes();
    serde_json::json!({
        "id": facts.secret_id,
        "method": facts.sign_method,
        "signed": facts.signed_common_headers,
        "host": facts.host,
        "path": facts.path,
        "action": facts.action,
        "token": facts.token.map(|t| String::from_utf8(t).unwrap()),
        "body": String::from_utf8(body.to_vec()).unwrap(),
    })
    .to_string()
}

fn to_axum(req: http::Request<Vec<u8>>) -> Request {
    req.map(Body::from)
}

async fn call(app: &Router, req: http::Request<Vec<u8>>) -> serde_json::Value {
    let resp = app.clone().oneshot(to_axum(req)).await.unwrap();
    assert_eq!(resp.status(), 200);
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&body).unwrap()
}

#[tokio::test]
async fn axum_in_three_lines() {
    let keys = StaticKeys::from_pairs([(ID, KEY)]).unwrap();
    let app: Router = Router::new()
        .route("/", post(echo))
        .layer(VerifyLayer::new(keys));

    let mut req = tc3_post(ID, KEY, now(), "/", "/", &["x-tc-action"]);
    req.headers_mut()
        .insert("x-tc-token", "tok".parse().unwrap());
    let v = call(&app, req).await;
    assert_eq!(
        v,
        serde_json::json!({
            "id": ID,
            "method": "TC3-HMAC-SHA256",
            "signed": ["x-tc-action"],
            "host": HOST,
            "path": "/",
            "action": "DescribeInstances",
            "token": "tok",
            "body": std::str::from_utf8(BODY).unwrap(),
        })
    );

    let req = legacy_post(ID, KEY, now(), 5);
    let body = String::from_utf8(req.body().clone()).unwrap();
    let v = call(&app, req).await;
    assert_eq!(v["method"], "HmacSHA256");
    assert_eq!(v["signed"], serde_json::Value::Null);
    assert_eq!(v["action"], "DescribeInstances");
    assert_eq!(v["body"], body);

    // Refusals come from the layer, as envelopes.
    let v = call(&app, tc3_post(ID, "nope", now(), "/", "/", &[])).await;
    assert_eq!(
        v["Response"]["Error"]["Code"],
        "AuthFailure.SignatureFailure"
    );
    assert_eq!(v["Response"]["RequestId"].as_str().unwrap().len(), 36);
    let v = call(&app, legacy_post(ID, KEY, now(), 5)).await;
    assert_eq!(
        v["Response"]["Error"]["Code"],
        "AuthFailure.SignatureExpire"
    );
}

struct Remote {
    calls: std::sync::atomic::AtomicUsize,
}

impl AsyncKeyProvider for Remote {
    fn secret_key<'a>(&'a self, secret_id: &'a str) -> KeyFuture<'a> {
        Box::pin(async move {
            self.calls
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            tokio::task::yield_now().await;
            match secret_id {
                ID => Ok(Some(SecretKey::new(KEY).unwrap())),
                "AKIDdown" => Err(tc3_tower::KeyStoreUnavailable),
                _ => Ok(None),
            }
        })
    }

    fn accept_token(&self, _id: &str, token: Option<&[u8]>) -> bool {
        token != Some(b"revoked")
    }
}

#[tokio::test]
async fn async_key_provider() {
    let app: Router = Router::new()
        .route("/", post(echo))
        .layer(VerifyLayer::with_async_keys(Remote { calls: 0.into() }));
    let v = call(&app, tc3_post(ID, KEY, now(), "/", "/", &[])).await;
    assert_eq!(v["id"], ID);
    let v = call(&app, tc3_post("AKIDother", KEY, now(), "/", "/", &[])).await;
    assert_eq!(
        v["Response"]["Error"]["Code"],
        "AuthFailure.SecretIdNotFound"
    );
    let v = call(&app, tc3_post("AKIDdown", KEY, now(), "/", "/", &[])).await;
    assert_eq!(v["Response"]["Error"]["Code"], "InternalError");
    let v = call(&app, tc3_post(ID, "wrong", now(), "/", "/", &[])).await;
    assert_eq!(
        v["Response"]["Error"]["Code"],
        "AuthFailure.SignatureFailure"
    );
    let mut req = tc3_post(ID, KEY, now(), "/", "/", &[]);
    req.headers_mut()
        .insert("x-tc-token", "revoked".parse().unwrap());
    let v = call(&app, req).await;
    assert_eq!(v["Response"]["Error"]["Code"], "AuthFailure.TokenFailure");
    // A request refused before the key is needed (malformed) does not reach the store.
    let mut req = tc3_post(ID, KEY, now(), "/", "/", &[]);
    req.headers_mut()
        .insert("authorization", "TC3-HMAC-SHA256 nonsense".parse().unwrap());
    let v = call(&app, req).await;
    assert_eq!(
        v["Response"]["Error"]["Code"],
        "AuthFailure.InvalidAuthorization"
    );
}

#[test]
fn facts_debug_hides_the_token() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let keys = StaticKeys::from_pairs([(ID, KEY)]).unwrap();
    let svc = tower::service_fn(
        |req: http::Request<http_body_util::Full<bytes::Bytes>>| async move {
            let f = req.extensions().get::<VerifiedFacts>().unwrap();
            Ok::<_, std::convert::Infallible>(http::Response::new(format!("{f:?}")))
        },
    );
    let svc = tower::ServiceBuilder::new()
        .layer(VerifyLayer::new(keys))
        .service(svc);
    let mut req = tc3_post(ID, KEY, now(), "/", "/", &[]);
    req.headers_mut()
        .insert("x-tc-token", "secret-token-value".parse().unwrap());
    let resp = rt
        .block_on(svc.oneshot(req.map(|b| http_body_util::Full::new(bytes::Bytes::from(b)))))
        .unwrap();
    let text = match resp.into_body() {
        http_body_util::Either::Left(s) => s,
        http_body_util::Either::Right(_) => panic!("refused"),
    };
    assert!(text.contains("token: Some(\"<redacted>\")"), "{text}");
    assert!(!text.contains("secret-token-value"));
}
