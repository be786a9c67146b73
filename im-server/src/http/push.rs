//! The push stream: one long-lived `GET /v1/events/stream?cursor=N` per
//! logged-in device, answered with newline-delimited JSON frames
//! ([`PushFrame`]) for as long as the session lasts.
//!
//! The stream sends the user's events after `cursor` in pages, then waits
//! on the user's head cursor in the [`Hub`](crate::hub::Hub): a committed
//! write wakes it at once, so a message reaches an online device without
//! any polling delay. Every frame names the cursor it follows, so the
//! client can tell a contiguous stream from a gap. Heartbeats every few
//! seconds let a client notice a dead connection; a kicked or expired
//! session gets an `ended` frame and the stream closes. Frames are sent
//! through a small bounded channel: a client that stops reading stalls only
//! its own stream task, never the writer or other clients.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, StreamBody};
use hyper::Response;
use hyper::body::Frame;
use im_model::wire::http::PushFrame;
use tokio::sync::mpsc;

use super::{Body, Shared};
use crate::service::Caller;

/// How often an idle stream sends a heartbeat, by default
/// ([`Limits::heartbeat`](super::Limits::heartbeat)).
pub const HEARTBEAT: Duration = Duration::from_secs(10);
/// Events per frame.
const PAGE: u32 = 200;
/// How long a frame may wait for a client that does not read.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

type FrameSender = mpsc::Sender<Result<Frame<Bytes>, std::io::Error>>;

/// Opens the stream for `caller` from `cursor`.
pub(super) fn open(shared: Arc<Shared>, caller: Caller, cursor: u64) -> Response<Body> {
    let (tx, rx) = mpsc::channel(4);
    tokio::spawn(async move {
        let (user, token) = (caller.user.clone(), caller.token.clone());
        let span = tracing::debug_span!("push", user = %caller.user);
        let metrics = shared.service.metrics();
        metrics.push_stream(1);
        let _ = tracing::Instrument::instrument(run(&shared, caller, cursor, tx), span).await;
        metrics.push_stream(-1);
        shared.service.hub().release(&user, &token);
    });
    let frames =
        futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|f| (f, rx)) });
    let mut response = Response::new(StreamBody::new(frames).boxed());
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/x-ndjson"),
    );
    response
}

/// Sends one frame; a client that has not taken a frame within
/// [`SEND_TIMEOUT`] stopped reading, and its stream is closed.
async fn send(tx: &mut FrameSender, frame: &PushFrame) -> Result<(), ()> {
    let mut line = serde_json::to_vec(frame).map_err(drop)?;
    line.push(b'\n');
    let frame = Ok(Frame::data(Bytes::from(line)));
    match tokio::time::timeout(SEND_TIMEOUT, tx.send(frame)).await {
        Ok(sent) => sent.map_err(drop),
        Err(_) => {
            tracing::info!("a push client stopped reading; closing its stream");
            Err(())
        }
    }
}

/// Streams until the client goes, the session ends, or the store fails.
async fn run(
    shared: &Shared,
    caller: Caller,
    mut cursor: u64,
    mut tx: FrameSender,
) -> Result<(), ()> {
    let hub = shared.service.hub();
    let mut ended = hub.watch_session(&caller.token);
    let mut heads = hub.watch_head(&caller.user);
    let expires_at = caller.expires_at;
    let mut announced_idle = false;
    loop {
        let now = shared.service.server_time();
        let left = u64::try_from(expires_at)
            .unwrap_or(0)
            .saturating_add(1)
            .saturating_sub(now);
        if left == 0 {
            let code = im_model::ErrorCode::UserSigExpired.code();
            return send(&mut tx, &PushFrame::Ended { code }).await;
        }
        let ended_with = *ended.borrow();
        if let Some(code) = ended_with {
            return send(&mut tx, &PushFrame::Ended { code }).await;
        }
        let page = match shared
            .service
            .store()
            .events_after(&caller.user, cursor, PAGE)
            .await
        {
            Ok(page) => page,
            Err(e) => {
                tracing::warn!(error = %e, "the push stream cannot read events; closing it");
                return Err(());
            }
        };
        // Past the end, or before what the trimmed log still holds: the
        // client must start again from a snapshot (sending what follows
        // the floor would skip the trimmed events).
        if cursor > page.head || cursor < page.floor {
            return send(&mut tx, &PushFrame::CursorTooOld).await;
        }
        if let Some(last) = page.events.last().map(|e| e.cursor) {
            let frame = PushFrame::Events {
                after: cursor,
                events: page.events,
                next_cursor: last,
                head: page.head,
            };
            send(&mut tx, &frame).await?;
            cursor = last;
            announced_idle = false;
            continue;
        }
        if !announced_idle {
            // Tells the client it has everything, so it answers pulls
            // from its buffer instead of asking.
            let frame = PushFrame::Events {
                after: cursor,
                events: Vec::new(),
                next_cursor: cursor,
                head: page.head,
            };
            send(&mut tx, &frame).await?;
            announced_idle = true;
        }
        tokio::select! {
            alive = async { heads.wait_for(|head| *head > cursor).await.is_ok() } => {
                if !alive {
                    return Err(());
                }
            }
            _ = ended.changed() => {}
            () = tokio::time::sleep(shared.limits.heartbeat.min(Duration::from_secs(left))) => {
                let beat = PushFrame::Heartbeat { server_time: shared.service.server_time() };
                send(&mut tx, &beat).await?;
                // The backstop for a session end whose notification was
                // lost (another node kicked it): the store knows.
                match shared.service.authenticate_from_store(&caller.token).await {
                    Ok(_) => {}
                    Err(e) if e.code() == crate::codes::INTERNAL => {
                        tracing::warn!(error = %e, "the push stream cannot check its session; closing it");
                        return Err(());
                    }
                    Err(e) => return send(&mut tx, &PushFrame::Ended { code: e.code() }).await,
                }
            }
            () = tx.closed() => return Ok(()),
        }
    }
}
