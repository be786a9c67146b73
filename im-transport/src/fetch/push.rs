//! The push stream over `fetch`: a task on the worker's event loop that
//! holds `GET /v1/events/stream` open, reads the streamed response through
//! its `ReadableStream`, and hands the chunks to the shared framing and
//! buffer (`crate::push_stream`).

use im_model::ImResult;
use im_model::wire::http::path;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::{FetchTransport, js_net, sleep, within};
use crate::push_stream::{self, Lines, SILENCE, net};

/// Starts the stream task for a new session.
pub(super) fn start(transport: FetchTransport) {
    let generation = transport.inner.push.begin();
    wasm_bindgen_futures::spawn_local(async move {
        let config = &transport.inner.config;
        push_stream::run(
            &transport.inner.push,
            generation,
            (config.reconnect_min, config.reconnect_max),
            |from| stream_once(&transport, generation, from),
            sleep,
        )
        .await;
    });
}

/// One connection: returns whether any frame arrived.
async fn stream_once(transport: &FetchTransport, generation: u64, from: u64) -> ImResult<bool> {
    let push = &transport.inner.push;
    let abort = web_sys::AbortController::new().map_err(|e| js_net("abort", &e))?;
    let request = transport.request(
        "GET",
        &format!("{}?cursor={from}", path::EVENT_STREAM),
        None,
        &abort.signal(),
    )?;
    *transport
        .inner
        .stream_abort
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(SendWrapper::new(abort.clone()));
    let response = match FetchTransport::send(&request).await {
        Ok(response) => response,
        Err(e) if e.code.ends_session() => {
            push.end(e.code.code());
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    let reader: web_sys::ReadableStreamDefaultReader = response
        .body()
        .ok_or_else(|| net("the push stream has no body"))?
        .get_reader()
        .unchecked_into();
    push.mark_live();
    let mut lines = Lines::default();
    let outcome = loop {
        let Some(read) = within(SILENCE, JsFuture::from(reader.read())).await else {
            break Err(net("the push stream went silent"));
        };
        let chunk = match read {
            Ok(chunk) => chunk,
            Err(e) => break Err(js_net("the push stream broke off", &e)),
        };
        let done = js_sys::Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            break Ok(lines.progressed);
        }
        let Ok(value) = js_sys::Reflect::get(&chunk, &"value".into()) else {
            continue;
        };
        let data = js_sys::Uint8Array::new(&value).to_vec();
        match lines.feed(push, generation, &data) {
            Ok(true) => {}
            Ok(false) => break Ok(lines.progressed),
            Err(e) => break Err(e),
        }
    };
    // Whatever ended the loop, the connection goes.
    abort.abort();
    outcome
}
