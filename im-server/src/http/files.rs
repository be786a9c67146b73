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
use hyper::header::CONTENT_LENGTH;
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

/// Receives a file.
pub(super) async fn upload(
    shared: &Shared,
    caller: &Caller,
    request: Request<Incoming>,
) -> ImResult<Response<Body>> {
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
        url: format!("{}{id}", path::FILES_PREFIX),
        id,
        business_id: 0,
    };
    let bytes = serde_json::to_vec(&answer).map_err(crate::codes::internal)?;
    Ok(Response::new(super::full(bytes)))
}

/// Sends a file in chunks.
pub(super) async fn download(
    shared: &Shared,
    _caller: &Caller,
    id: &str,
) -> ImResult<Response<Body>> {
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
    response
        .headers_mut()
        .insert(CONTENT_LENGTH, row.size.into());
    Ok(response)
}
