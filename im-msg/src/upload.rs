//! Files of outgoing messages: checked when queued, uploaded when sent.
//!
//! An element that names a local file (`image_elem_orig_path`,
//! `sound_elem_file_path`, `file_elem_file_path`, `video_elem_video_path`,
//! `video_elem_image_path`) and has no server id yet is uploaded before the
//! message is sent; the ids and URLs the server gives are written into the
//! element and stored, so a retry after a failed send does not upload
//! again. Progress is announced as [`MsgEvent::UploadProgress`].

use std::sync::Arc;

use im_model::limits::{MAX_IMAGE_OR_SOUND_BYTES, MAX_VIDEO_OR_FILE_BYTES};
use im_model::message::Message;
use im_model::{ConvId, Elem, ErrorCode, ImError, ImResult};
use im_transport::{Transport, UploadProgress, UploadRequest, UploadedFile};

use crate::events::MsgEvent;
use crate::service::MessageService;

/// One local file of an element that still needs uploading.
struct PendingFile {
    elem_index: usize,
    slot: Slot,
    path: String,
    limit: u64,
}

/// Which field of the element the upload fills.
#[derive(Clone, Copy)]
enum Slot {
    Image,
    Sound,
    File,
    Video,
    VideoSnapshot,
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

/// Every file of `message` that names a local path and has no server id.
fn pending_files(message: &Message) -> Vec<PendingFile> {
    let mut out = Vec::new();
    for (i, elem) in message.elems().iter().enumerate() {
        let mut push = |slot, path: Option<&str>, uploaded: bool, limit| {
            if let (Some(path), false) = (path, uploaded) {
                out.push(PendingFile {
                    elem_index: i,
                    slot,
                    path: path.to_owned(),
                    limit,
                });
            }
        };
        match elem {
            Elem::Image(e) => push(
                Slot::Image,
                non_empty(&e.orig_path),
                non_empty(&e.orig_id).is_some(),
                MAX_IMAGE_OR_SOUND_BYTES,
            ),
            Elem::Sound(e) => push(
                Slot::Sound,
                non_empty(&e.file_path),
                non_empty(&e.file_id).is_some(),
                MAX_IMAGE_OR_SOUND_BYTES,
            ),
            Elem::File(e) => push(
                Slot::File,
                non_empty(&e.file_path),
                non_empty(&e.file_id).is_some(),
                MAX_VIDEO_OR_FILE_BYTES,
            ),
            Elem::Video(e) => {
                push(
                    Slot::Video,
                    non_empty(&e.video_path),
                    non_empty(&e.video_id).is_some(),
                    MAX_VIDEO_OR_FILE_BYTES,
                );
                push(
                    Slot::VideoSnapshot,
                    non_empty(&e.image_path),
                    non_empty(&e.image_id).is_some(),
                    MAX_IMAGE_OR_SOUND_BYTES,
                );
            }
            _ => {}
        }
    }
    out
}

/// The size of a file to send, checked against its limit. The transport
/// that will upload it says how large it is (a file on disk natively, a
/// Blob in a browser).
fn checked_size(transport: &dyn Transport, file: &PendingFile) -> ImResult<u64> {
    let size = transport.local_file_size(&file.path).map_err(|e| {
        let why = if e.kind() == std::io::ErrorKind::InvalidInput {
            "is not a file".to_owned()
        } else {
            format!("cannot be read: {e}")
        };
        ImError::new(
            ErrorCode::FileNotFound,
            format!("element {}: {} {why}", file.elem_index, file.path),
        )
    })?;
    match size {
        0 => Err(ImError::new(
            ErrorCode::FileSizeEmpty,
            format!("element {}: {} is empty", file.elem_index, file.path),
        )),
        n if n > file.limit => Err(ImError::new(
            ErrorCode::FileTooLarge,
            format!(
                "element {}: {} is {n} bytes; at most {} are allowed",
                file.elem_index, file.path, file.limit
            ),
        )),
        n => Ok(n),
    }
}

/// Checks every local file of a message to send (exists, not empty,
/// within its limit) and fills in sizes and default file names.
///
/// # Errors
/// 7004, 7005 or 7006.
pub(crate) fn check_files(transport: &dyn Transport, message: &mut Message) -> ImResult<()> {
    for file in pending_files(message) {
        let size = checked_size(transport, &file)?;
        if let Some(elem) = message
            .elem_array
            .as_mut()
            .and_then(|e| e.get_mut(file.elem_index))
        {
            match (elem, file.slot) {
                (Elem::File(e), _) => {
                    e.file_size = Some(size);
                    if non_empty(&e.file_name).is_none() {
                        let name = std::path::Path::new(&file.path)
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned());
                        e.file_name = name;
                    }
                }
                (Elem::Sound(e), _) => e.file_size = Some(size),
                (Elem::Video(e), Slot::Video) => e.video_size = Some(size),
                (Elem::Video(e), _) => e.image_size = Some(size),
                (Elem::Image(e), _) => e.orig_pic_size = Some(size),
                _ => {}
            }
        }
    }
    Ok(())
}

fn fill(message: &mut Message, elem_index: usize, slot: Slot, up: UploadedFile) {
    let Some(elem) = message
        .elem_array
        .as_mut()
        .and_then(|e| e.get_mut(elem_index))
    else {
        return;
    };
    match (elem, slot) {
        (Elem::Image(e), _) => {
            e.orig_id = Some(up.id);
            e.orig_url = Some(up.url.clone());
            e.large_url.get_or_insert_with(|| up.url.clone());
            e.thumb_url.get_or_insert(up.url);
        }
        (Elem::Sound(e), _) => {
            e.file_id = Some(up.id);
            e.url = Some(up.url);
            e.business_id = Some(up.business_id);
        }
        (Elem::File(e), _) => {
            e.file_id = Some(up.id);
            e.url = Some(up.url);
            e.business_id = Some(up.business_id);
        }
        (Elem::Video(e), Slot::Video) => {
            e.video_id = Some(up.id);
            e.video_url = Some(up.url);
            e.business_id = Some(up.business_id);
        }
        (Elem::Video(e), _) => {
            e.image_id = Some(up.id);
            e.image_url = Some(up.url);
        }
        _ => {}
    }
}

impl MessageService {
    /// Uploads the message's pending files, stores the message with the
    /// server ids, and returns it.
    ///
    /// # Errors
    /// As [`MessageService::upload_pending`].
    pub(crate) async fn upload_files(&self, conv: &ConvId, message: Message) -> ImResult<Message> {
        if pending_files(&message).is_empty() {
            return Ok(message);
        }
        let message = self.upload_pending(message).await?;
        if message.is_online_msg != Some(true) {
            self.commit(|batch, _| {
                batch.put_message(conv.clone(), message.clone());
                Ok(())
            })?;
        }
        Ok(message)
    }

    /// Uploads the message's pending files and returns it with the server
    /// ids and URLs filled in (nothing is stored).
    ///
    /// # Errors
    /// 7004-7006 when a file changed since it was checked; the transport's
    /// error for a failed upload (e.g. 6008).
    pub(crate) async fn upload_pending(&self, mut message: Message) -> ImResult<Message> {
        let files = pending_files(&message);
        let msg_id = message.msg_id.clone().unwrap_or_default();
        for file in files {
            let size = checked_size(&*self.transport, &file)?;
            let elem_index = u32::try_from(file.elem_index).unwrap_or(u32::MAX);
            let events = self.events.clone();
            let msg_id = msg_id.clone();
            let progress: UploadProgress = Arc::new(move |current: u64, total: u64| {
                events.enqueue(vec![MsgEvent::UploadProgress {
                    msg_id: msg_id.clone(),
                    elem_index,
                    current,
                    total,
                }]);
                events.dispatch();
            });
            let uploaded = self
                .transport
                .upload(
                    UploadRequest {
                        path: file.path.clone(),
                        size,
                    },
                    progress,
                )
                .await?;
            fill(&mut message, file.elem_index, file.slot, uploaded);
        }
        Ok(message)
    }
}
