//! [`FetchTransport`]: the transport contract over the browser's `fetch`,
//! to the same server routes as the native HTTP backend
//! (`im_model::wire::http::path`), for the SDK running in a Web Worker
//! (`wasm32-unknown-unknown`).
//!
//! Every call is one request with a timeout (an `AbortController` aborts
//! it); a failed fetch or a timeout is `ERR_SDK_NET_DISCONNECT` (9508,
//! transient: the send queue and sync loop retry), a server refusal carries
//! the server's code. After login a task holds the push stream, a streamed
//! response read chunk by chunk (module `push`), with the native backend's
//! framing, buffer and reconnect loop (`crate::push_stream`).
//!
//! JavaScript values are not `Send`, while the transport contract's
//! futures are (the native engine moves them between threads). A worker has
//! one thread, so each future is wrapped in a `SendWrapper`, which would
//! panic if it ever were polled on another thread.

mod files;
mod push;

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use im_model::wire::http::path;
use im_model::{ErrorCode, ImError, ImResult};
use send_wrapper::SendWrapper;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::push_stream::{Push, net};
use crate::{DownloadChunk, DownloadRequest, UploadProgress, UploadRequest, UploadedFile};

/// How a [`FetchTransport`] behaves.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// The server's base URL (`http://host:port`), or empty for the origin
    /// the page came from.
    pub base_url: String,
    /// This device's platform (`kTIMPlatform_*`): a second login of the
    /// same user on the same platform kicks this one off.
    pub platform: u32,
    /// The most one request may take.
    pub request_timeout: Duration,
    /// The first push-stream reconnect delay (doubling, full jitter).
    pub reconnect_min: Duration,
    /// The longest push-stream reconnect delay.
    pub reconnect_max: Duration,
}

impl FetchConfig {
    /// Defaults for a server at `base_url`: 10 s requests, reconnects from
    /// 200 ms up to 30 s.
    pub fn new(base_url: impl Into<String>) -> FetchConfig {
        FetchConfig {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            platform: 0,
            request_timeout: Duration::from_secs(10),
            reconnect_min: Duration::from_millis(200),
            reconnect_max: Duration::from_secs(30),
        }
    }
}

/// The browser transport. Cheap to clone; clones share the session.
#[derive(Debug, Clone)]
pub struct FetchTransport {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: FetchConfig,
    token: Mutex<Option<String>>,
    push: Push,
    /// Aborts the push stream's request at logout.
    stream_abort: Mutex<Option<SendWrapper<web_sys::AbortController>>>,
    /// The page's files waiting to be uploaded (module `files`).
    files: files::Files,
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// The global `fetch`, the same in a window and in a worker.
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(request: &web_sys::Request) -> js_sys::Promise;
}

/// A JavaScript failure as a transient network error.
fn js_net(what: &str, error: &JsValue) -> ImError {
    net(format!("{what}: {}", js_text(error)))
}

/// What a JavaScript error says.
fn js_text(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| format!("{error:?}"))
}

impl FetchTransport {
    /// A transport for `config`.
    pub fn new(config: FetchConfig) -> FetchTransport {
        FetchTransport {
            inner: Arc::new(Inner {
                config,
                token: Mutex::new(None),
                push: Push::default(),
                stream_abort: Mutex::new(None),
                files: files::Files::default(),
            }),
        }
    }

    fn token(&self) -> Option<String> {
        self.inner
            .token
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// A request to `path` with the session's token.
    fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        signal: &web_sys::AbortSignal,
    ) -> ImResult<web_sys::Request> {
        let init = web_sys::RequestInit::new();
        init.set_method(method);
        init.set_signal(Some(signal));
        let headers = web_sys::Headers::new().map_err(|e| js_net("headers", &e))?;
        if let Some(token) = self.token() {
            headers
                .set("Authorization", &format!("Bearer {token}"))
                .map_err(|e| js_net("headers", &e))?;
        }
        if let Some(body) = body {
            headers
                .set("Content-Type", "application/json")
                .map_err(|e| js_net("headers", &e))?;
            init.set_body(&JsValue::from_str(body));
        }
        init.set_headers(&headers);
        let url = format!("{}{path}", self.inner.config.base_url);
        web_sys::Request::new_with_str_and_init(&url, &init).map_err(|e| {
            ImError::new(
                ErrorCode::Param,
                format!("bad request to {url}: {}", js_text(&e)),
            )
        })
    }

    /// Fetches `request`; a non-2xx answer becomes the server's error.
    async fn send(request: &web_sys::Request) -> ImResult<web_sys::Response> {
        let response: web_sys::Response = JsFuture::from(global_fetch(request))
            .await
            .map_err(|e| js_net("fetch failed", &e))?
            .unchecked_into();
        if response.ok() {
            return Ok(response);
        }
        let status = response.status();
        let bytes = body_bytes(&response).await.unwrap_or_default();
        Err(crate::json_calls::refusal(status, &bytes))
    }

    /// POSTs `body` as JSON to `path` and parses the JSON answer, within
    /// the request timeout.
    async fn post<Q: Serialize + ?Sized, A: DeserializeOwned>(
        &self,
        path: &str,
        body: &Q,
    ) -> ImResult<A> {
        let json = serde_json::to_string(body)
            .map_err(|e| ImError::new(ErrorCode::Json, e.to_string()))?;
        let this = self.clone();
        let path = path.to_owned();
        let timeout = self.inner.config.request_timeout;
        let bytes = SendWrapper::new(async move {
            let abort = web_sys::AbortController::new().map_err(|e| js_net("abort", &e))?;
            let request = this.request("POST", &path, Some(&json), &abort.signal())?;
            let exchange = async {
                let response = FetchTransport::send(&request).await?;
                body_bytes(&response).await
            };
            match within(timeout, exchange).await {
                Some(outcome) => outcome,
                None => {
                    abort.abort();
                    Err(net("the server did not answer in time"))
                }
            }
        })
        .await?;
        serde_json::from_slice(&bytes).map_err(|e| {
            ImError::new(
                ErrorCode::ParseResponseFailed,
                format!("unexpected answer: {e}"),
            )
        })
    }

    /// Whether the push stream is connected now.
    pub fn push_connected(&self) -> bool {
        self.inner.push.connected()
    }

    /// Ends the push stream (logout): its task, and its request at once.
    fn stop_push(&self) {
        self.inner.push.stop();
        if let Some(abort) = self
            .inner
            .stream_abort
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            abort.abort();
        }
    }

    /// Keeps a file of the page (a `File` or `Blob`) for a message to
    /// send, and returns the path its element names (`blob:<key>`): the
    /// message layer checks its size and uploads it through this transport
    /// like a file on disk. The file is let go once uploaded.
    ///
    /// # Errors
    /// 6017 for a key that is not 1 to 64 letters, digits, `-` or `_`.
    pub fn add_file(&self, key: &str, blob: web_sys::Blob) -> ImResult<String> {
        self.inner.files.add(key, blob)
    }
}

/// A whole response body.
async fn body_bytes(response: &web_sys::Response) -> ImResult<Vec<u8>> {
    let buffer = JsFuture::from(
        response
            .array_buffer()
            .map_err(|e| js_net("the answer broke off", &e))?,
    )
    .await
    .map_err(|e| js_net("the answer broke off", &e))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// `future`'s output, or `None` when `duration` passes first.
async fn within<F: Future>(duration: Duration, future: F) -> Option<F::Output> {
    use futures::FutureExt;
    let future = std::pin::pin!(future.fuse());
    let timer = std::pin::pin!(sleep(duration).fuse());
    match futures::future::select(future, timer).await {
        futures::future::Either::Left((output, _)) => Some(output),
        futures::future::Either::Right(((), _)) => None,
    }
}

/// Waits `duration` (`setTimeout`).
async fn sleep(duration: Duration) {
    let millis = u32::try_from(duration.as_millis()).unwrap_or(u32::MAX);
    gloo_timers::future::TimeoutFuture::new(millis.min(i32::MAX as u32)).await;
}

crate::json_calls::json_transport! {
    impl Transport for FetchTransport {



        async fn upload(
            &self,
            request: UploadRequest,
            progress: UploadProgress,
        ) -> ImResult<UploadedFile> {
            files::upload(self, &request.path, progress).await
        }

        fn local_file_size(&self, path: &str) -> std::io::Result<u64> {
            self.inner.files.size(path)
        }

        async fn download(
            &self,
            request: DownloadRequest,
            sink: &mut (dyn FnMut(DownloadChunk) -> ImResult<()> + Send),
        ) -> ImResult<()> {
            let id = request.id.unwrap_or_default();
            let this = self.clone();
            let bytes = SendWrapper::new(async move {
                let abort = web_sys::AbortController::new().map_err(|e| js_net("abort", &e))?;
                let request = this.request(
                    "GET",
                    &format!("{}{id}", path::FILES_PREFIX),
                    None,
                    &abort.signal(),
                )?;
                let response = FetchTransport::send(&request).await?;
                body_bytes(&response).await
            })
            .await
            .map_err(|e| ImError::new(ErrorCode::FileTransDownloadFailed, e.message))?;
            let total = bytes.len() as u64;
            sink(DownloadChunk { bytes, total })
        }

    }
}
