//! File transfer: uploads streamed to disk as they arrive (size-checked
//! against the declared length and the cap, never buffered whole), and
//! downloads streamed from disk in chunks.
//!
//! A file's id is 128 random bits: knowing the id (from a message) is what
//! lets a user download it, as with Tencent's file URLs.

use bytes::Bytes;
use futures::SinkExt;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE,
    HeaderValue, X_CONTENT_TYPE_OPTIONS,
};
use hyper::{Request, Response};
use im_model::wire::UploadedFile;
use im_model::wire::http::{UPLOAD_SIZE_HEADER, path};
use im_model::{ErrorCode, ImError, ImResult};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{Body, Shared};
use crate::service::Caller;
use crate::store::FileRow;

fn io_error(e: std::io::Error) -> ImError {
    tracing::error!(error = %e, "file storage failed");
    crate::codes::internal(e)
}

fn new_id() -> ImResult<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| crate::codes::internal(format!("no randomness: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The scheme and authority file links start with, when no public URL
/// is configured: the upload's `Host` (what the client reached), with
/// `https` when a trusted proxy says the client came over TLS
/// (`X-Forwarded-Proto`). `None` when the `Host` is missing or is not a
/// plain host and port: the link is then the path alone.
fn link_base_of(request: &Request<Incoming>, from_trusted_proxy: bool) -> Option<String> {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let host = header(hyper::header::HOST.as_str())
        .or_else(|| request.uri().authority().map(|a| a.as_str()))
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]_".contains(&b))
        })?;
    let scheme = match header("x-forwarded-proto") {
        Some("https") if from_trusted_proxy => "https",
        _ => "http",
    };
    Some(format!("{scheme}://{host}"))
}

/// Receives a file. Its link (in the answer, and so in the message that
/// carries the file) is absolute, so that any client can fetch it.
pub(super) async fn upload(
    shared: &Shared,
    caller: &Caller,
    request: Request<Incoming>,
    from_trusted_proxy: bool,
) -> ImResult<Response<Body>> {
    let link_base = shared
        .public_url
        .clone()
        .or_else(|| link_base_of(&request, from_trusted_proxy))
        .unwrap_or_default();
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
    };
    let size = header(CONTENT_LENGTH.as_str())
        .or_else(|| header(UPLOAD_SIZE_HEADER))
        .ok_or_else(|| ImError::invalid_param("an upload declares its size (Content-Length)"))?;
    if size == 0 {
        return Err(ImError::new(ErrorCode::FileSizeEmpty, "the file is empty"));
    }
    if size > shared.limits.max_file {
        return Err(ImError::new(
            ErrorCode::FileTooLarge,
            format!("the file is over {} bytes", shared.limits.max_file),
        ));
    }
    let id = new_id()?;
    tokio::fs::create_dir_all(&shared.files_dir)
        .await
        .map_err(io_error)?;
    let part = shared.files_dir.join(format!("{id}.part"));
    let mut file = tokio::fs::File::create(&part).await.map_err(io_error)?;
    let mut body = request.into_body();
    let mut received: u64 = 0;
    let outcome: ImResult<()> = async {
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| {
                ImError::new(
                    ErrorCode::FileTransUploadFailed,
                    format!("the upload broke off: {e}"),
                )
            })?;
            if let Ok(data) = frame.into_data() {
                received += data.len() as u64;
                if received > size {
                    return Err(ImError::invalid_param(
                        "the upload is longer than it declared",
                    ));
                }
                file.write_all(&data).await.map_err(io_error)?;
            }
        }
        if received != size {
            return Err(ImError::new(
                ErrorCode::FileTransUploadFailed,
                "the upload ended early",
            ));
        }
        file.sync_all().await.map_err(io_error)?;
        Ok(())
    }
    .await;
    if let Err(e) = outcome {
        let _ = tokio::fs::remove_file(&part).await;
        return Err(e);
    }
    tokio::fs::rename(&part, shared.files_dir.join(&id))
        .await
        .map_err(io_error)?;
    shared
        .service
        .store()
        .put_file(&FileRow {
            id: id.clone(),
            owner: caller.user.clone(),
            size,
        })
        .await?;
    let answer = UploadedFile {
        url: format!("{link_base}{}{id}", path::FILES_PREFIX),
        id,
        business_id: 0,
    };
    let bytes = serde_json::to_vec(&answer).map_err(crate::codes::internal)?;
    Ok(Response::new(super::full(bytes)))
}

/// Sends a file in chunks, as an attachment that never runs as a page
/// of this origin (an uploaded HTML file must not script the web chat
/// served beside it): `Content-Disposition: attachment`, a sandboxing
/// `Content-Security-Policy`, and `nosniff`. An `<img>` still shows it.
pub(super) async fn download(shared: &Shared, id: &str) -> ImResult<Response<Body>> {
    let not_found = || ImError::new(ErrorCode::FileNotFound, format!("no file {id:?}"));
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(not_found());
    }
    let row = shared
        .service
        .store()
        .file(id)
        .await?
        .ok_or_else(not_found)?;
    let mut file = tokio::fs::File::open(shared.files_dir.join(id))
        .await
        .map_err(|_| not_found())?;
    let (mut tx, rx) = futures::channel::mpsc::channel::<Result<Frame<Bytes>, std::io::Error>>(4);
    tokio::spawn(async move {
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            match file.read(&mut buffer).await {
                Ok(0) => return,
                Ok(n) => {
                    if tx
                        .send(Ok(Frame::data(Bytes::copy_from_slice(&buffer[..n]))))
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
                Err(e) => {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
            }
        }
    });
    let mut response = Response::new(StreamBody::new(rx).boxed());
    let headers = response.headers_mut();
    headers.insert(CONTENT_LENGTH, row.size.into());
    for (name, value) in [
        (CONTENT_TYPE, "application/octet-stream"),
        (CONTENT_DISPOSITION, "attachment"),
        (CONTENT_SECURITY_POLICY, "sandbox; default-src 'none'"),
        (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        // The bytes under an id never change.
        (CACHE_CONTROL, "private, max-age=31536000, immutable"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    Ok(response)
}
