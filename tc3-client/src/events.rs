//! `text/event-stream` answers as a [`Stream`](futures_core::Stream) of owned events, framed
//! by [`tc3::sse::Framer`] and classified by [`tc3::sse::Classified::parse`].

use crate::error::{decode, Sent, TransportError};
use crate::{ApiError, Error};
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use std::pin::Pin;
use std::task::{Context, Poll};
use tc3::sse::{self, Classified, Framer, Status};
use tokio::sync::mpsc;

/// The largest event (its data lines joined) accepted: 1 MiB.
pub const MAX_EVENT: usize = 1 << 20;

/// One event of a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Event {
    /// The `event` field (`""` when none was given).
    pub event: String,
    /// The last event ID (carried over from earlier events).
    pub id: String,
    /// The `data` lines joined with `\n`.
    pub data: String,
    /// The error the payload carries: `ErrorMsg {Code, Msg}` with a non-zero code, or a
    /// `Response.Error` envelope.
    pub error: Option<ApiError>,
}

impl Event {
    /// The data deserialized as JSON.
    ///
    /// ```
    /// # let ev = tc3_client::Event::for_doc("{\"Id\":\"1\"}");
    /// let v: serde_json::Value = ev.json().unwrap();
    /// assert_eq!(v["Id"], "1");
    /// ```
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(&self.data)
    }

    #[doc(hidden)]
    pub fn for_doc(data: &str) -> Event {
        Event {
            event: String::new(),
            id: String::new(),
            data: data.to_owned(),
            error: None,
        }
    }

    fn from_sse(ev: &sse::Event<'_>, attempts: u32) -> Event {
        let error = match ev.payload() {
            Ok(p @ Classified::StreamError { .. }) => p.error().map(|(code, msg)| ApiError {
                code: code.to_owned(),
                message: msg.map(|m| m.to_cow().into_owned()).unwrap_or_default(),
                request_id: None,
                retryable: false,
                attempts,
            }),
            Ok(Classified::ApiError { error, request_id }) => {
                let code = error.code.to_cow().into_owned();
                Some(ApiError {
                    retryable: tc3::envelope::ErrorCode::new(&code).is_retryable(),
                    code,
                    message: error
                        .message
                        .map(|m| m.to_cow().into_owned())
                        .unwrap_or_default(),
                    request_id: request_id.map(|r| r.to_cow().into_owned()),
                    attempts,
                })
            }
            _ => None,
        };
        Event {
            event: ev.event.to_owned(),
            id: ev.id.to_owned(),
            data: ev.data.to_owned(),
            error,
        }
    }
}

/// The events of a `text/event-stream` answer, as they arrive. A framing error ends the
/// stream with an [`Error::Decode`], a broken connection with an [`Error::Transport`].
///
/// ```no_run
/// # async fn f(client: tc3_client::Client) -> Result<(), tc3_client::Error> {
/// let body = br#"{"Model":"hunyuan-lite","Stream":true,"Messages":[{"Role":"user","Content":"hi"}]}"#;
/// match client.send("hunyuan", "2023-09-01", "ChatCompletions", body.to_vec()).await? {
///     tc3_client::Answer::Events(mut events) => {
///         while let Some(ev) = events.next().await {
///             println!("{}", ev?.data);
///         }
///     }
///     tc3_client::Answer::Json(r) => println!("{}", r.response_json()),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct EventStream {
    rx: mpsc::Receiver<Result<Event, Error>>,
    request_id: Option<String>,
}

impl EventStream {
    pub(crate) fn spawn(
        body: Incoming,
        status: u16,
        attempts: u32,
        request_id: Option<String>,
    ) -> Self {
        let (tx, rx) = mpsc::channel(16);
        tokio::spawn(pump(body, status, attempts, tx));
        EventStream { rx, request_id }
    }

    /// The next event, `None` at the end of the stream.
    pub async fn next(&mut self) -> Option<Result<Event, Error>> {
        self.rx.recv().await
    }

    /// The `X-TC-RequestId` header of the answer, when the server sent one.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

impl futures_core::Stream for EventStream {
    type Item = Result<Event, Error>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}

async fn pump(
    mut body: Incoming,
    status: u16,
    attempts: u32,
    tx: mpsc::Sender<Result<Event, Error>>,
) {
    let mut buf = vec![0u8; MAX_EVENT];
    let mut framer = Framer::new(&mut buf);
    loop {
        let chunk: Bytes = match body.frame().await {
            None => return,
            Some(Err(e)) => {
                let _ = tx
                    .send(Err(Error::Transport(TransportError {
                        sent: Sent::Maybe,
                        timed_out: false,
                        attempts,
                        message: format!("event stream broken: {e}"),
                    })))
                    .await;
                return;
            }
            Some(Ok(frame)) => match frame.into_data() {
                Ok(d) => d,
                Err(_) => continue,
            },
        };
        let mut input = &chunk[..];
        loop {
            match framer.push(input) {
                Ok(Status::Complete((used, ev))) => {
                    let owned = Event::from_sse(&ev, attempts);
                    if tx.send(Ok(owned)).await.is_err() {
                        return; // the receiver is gone
                    }
                    input = input.get(used..).unwrap_or_default();
                }
                Ok(Status::Partial) => break,
                Err(e) => {
                    let _ = tx
                        .send(Err(decode(status, attempts, format!("event stream: {e}"))))
                        .await;
                    return;
                }
            }
        }
    }
}
