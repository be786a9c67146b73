//! The page's files: a browser has no paths, so a `File` or `Blob` the
//! page sends is kept here under `blob:<key>`, the path its message element
//! names; the size check and the upload read it from here. An upload goes
//! through `XMLHttpRequest`, the one browser API that reports upload
//! progress (`fetch` does not).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use futures::channel::oneshot;
use im_model::wire::http::{ErrorBody, path};
use im_model::{ErrorCode, ImError, ImResult};
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::FetchTransport;
use crate::{UploadProgress, UploadedFile};

/// The prefix of the paths of kept files.
const SCHEME: &str = "blob:";

/// The most files kept at once (each waits for its message to be sent).
const MAX_FILES: usize = 1000;

/// Files waiting to be uploaded, by path.
#[derive(Debug, Default)]
pub(super) struct Files {
    kept: Mutex<HashMap<String, SendWrapper<web_sys::Blob>>>,
}

impl Files {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, SendWrapper<web_sys::Blob>>> {
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn add(&self, key: &str, blob: web_sys::Blob) -> ImResult<String> {
        let valid = !key.is_empty()
            && key.len() <= 64
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(ImError::invalid_param(
                "a file's key is 1 to 64 letters, digits, '-' or '_'",
            ));
        }
        let mut kept = self.lock();
        if kept.len() >= MAX_FILES {
            return Err(ImError::new(
                ErrorCode::ApiCallFrequencyLimit,
                format!("{MAX_FILES} files already wait to be sent"),
            ));
        }
        let path = format!("{SCHEME}{key}");
        kept.insert(path.clone(), SendWrapper::new(blob));
        Ok(path)
    }

    pub(super) fn size(&self, path: &str) -> std::io::Result<u64> {
        let kept = self.lock();
        let blob = kept.get(path).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no such file on this page (a browser sends Blobs, not paths)",
            )
        })?;
        // A Blob's size is a whole number of bytes, below 2^53.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(blob.size() as u64)
    }

    fn get(&self, path: &str) -> Option<web_sys::Blob> {
        self.lock().get(path).map(|b| (**b).clone())
    }

    fn forget(&self, path: &str) {
        self.lock().remove(path);
    }
}

/// Uploads the kept file `path` to `POST /v1/files`, reporting progress.
pub(super) async fn upload(
    transport: &FetchTransport,
    file: &str,
    progress: UploadProgress,
) -> ImResult<UploadedFile> {
    let files = &transport.inner.files;
    let blob = files.get(file).ok_or_else(|| {
        ImError::new(
            ErrorCode::FileNotFound,
            format!("{file}: no such file on this page"),
        )
    })?;
    let url = format!("{}{}", transport.inner.config.base_url, path::UPLOAD);
    let token = transport.token();
    let (status, body) = SendWrapper::new(send(&url, token.as_deref(), &blob, progress)).await?;
    if !(200..300).contains(&status) {
        return Err(serde_json::from_str::<ErrorBody>(&body)
            .map(ImError::from)
            .unwrap_or_else(|_| {
                ImError::new(
                    ErrorCode::FileTransUploadFailed,
                    format!("server answered {status}"),
                )
            }));
    }
    let uploaded: UploadedFile = serde_json::from_str(&body).map_err(|e| {
        ImError::new(
            ErrorCode::ParseResponseFailed,
            format!("upload answer: {e}"),
        )
    })?;
    // Uploaded: the element keeps the server's id from now on.
    files.forget(file);
    Ok(uploaded)
}

/// One `XMLHttpRequest`: the status and the answer's text.
async fn send(
    url: &str,
    token: Option<&str>,
    blob: &web_sys::Blob,
    progress: UploadProgress,
) -> ImResult<(u16, String)> {
    let failed = |what: &str, e: wasm_bindgen::JsValue| {
        ImError::new(
            ErrorCode::FileTransUploadFailed,
            format!("upload {what}: {}", super::js_text(&e)),
        )
    };
    let xhr = web_sys::XmlHttpRequest::new().map_err(|e| failed("request", e))?;
    xhr.open("POST", url).map_err(|e| failed("open", e))?;
    if let Some(token) = token {
        xhr.set_request_header("Authorization", &format!("Bearer {token}"))
            .map_err(|e| failed("header", e))?;
    }
    let (done, finished) = oneshot::channel::<bool>();
    let done = std::rc::Rc::new(std::cell::RefCell::new(Some(done)));
    let on_end = |ok: bool| {
        let done = done.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if let Some(done) = done.borrow_mut().take() {
                let _ = done.send(ok);
            }
        })
    };
    let on_load = on_end(true);
    let on_error = on_end(false);
    let on_abort = on_end(false);
    let on_progress =
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
            if e.length_computable() {
                // Byte counts of one Blob: whole numbers below 2^53.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                progress(e.loaded() as u64, e.total() as u64);
            }
        });
    xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
    xhr.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    xhr.set_onabort(Some(on_abort.as_ref().unchecked_ref()));
    let upload = xhr.upload().map_err(|e| failed("progress", e))?;
    upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    xhr.send_with_opt_blob(Some(blob))
        .map_err(|e| failed("send", e))?;
    let loaded = finished.await.unwrap_or(false);
    // The handlers live until the request ended.
    drop((on_load, on_error, on_abort, on_progress));
    if !loaded {
        return Err(ImError::new(
            ErrorCode::NetDisconnect,
            "network: the upload broke off",
        ));
    }
    let status = xhr.status().map_err(|e| failed("status", e))?;
    let text = xhr
        .response_text()
        .map_err(|e| failed("answer", e))?
        .unwrap_or_default();
    Ok((status, text))
}
