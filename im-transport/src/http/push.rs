//! The push stream over hyper: the task that holds
//! `GET /v1/events/stream` open and hands its chunks to the shared
//! framing and buffer (`crate::push_stream`).

use http_body_util::BodyExt;
use hyper::Method;
use im_model::ImResult;
use im_model::wire::http::path;

use super::HttpTransport;
use crate::push_stream::{self, Lines, SILENCE, net};

/// Starts the stream task for a new session.
pub(super) fn start(transport: HttpTransport) {
    let generation = transport.inner.push.begin();
    tokio::spawn(async move {
        let config = &transport.inner.config;
        push_stream::run(
            &transport.inner.push,
            generation,
            (config.reconnect_min, config.reconnect_max),
            |from| stream_once(&transport, generation, from),
            tokio::time::sleep,
        )
        .await;
    });
}

/// One connection: returns whether any frame arrived.
async fn stream_once(transport: &HttpTransport, generation: u64, from: u64) -> ImResult<bool> {
    let push = &transport.inner.push;
    let request = transport.request(
        Method::GET,
        &format!("{}?cursor={from}", path::EVENT_STREAM),
        super::full(bytes::Bytes::new()),
    )?;
    let response = match transport.send(request).await {
        Ok(response) => response,
        Err(e) if e.code.ends_session() => {
            push.end(e.code.code());
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    push.mark_live();
    let mut body = response.into_body();
    let mut lines = Lines::default();
    loop {
        let frame = tokio::time::timeout(SILENCE, body.frame())
            .await
            .map_err(|_| net("the push stream went silent"))?;
        let Some(frame) = frame else {
            return Ok(lines.progressed);
        };
        let frame = frame.map_err(net)?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if !lines.feed(push, generation, &data)? {
            return Ok(lines.progressed);
        }
    }
}
