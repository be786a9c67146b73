//! Downloads: an element's file to a path, and a merged message's messages.

use std::fs::File;
use std::io::Write;

use im_model::message::{DownloadElemParam, DownloadElemResult, Message};
use im_model::{Elem, ErrorCode, ImError, ImResult};
use im_transport::MergedRequest;

use crate::service::MessageService;

impl MessageService {
    /// Downloads an element's file to `path` (`TIMMsgDownloadElemToPath`),
    /// reporting progress after each chunk. The file is written to a
    /// temporary name beside `path` and renamed when complete, so `path`
    /// never holds a partial file.
    ///
    /// # Errors
    /// 6017 without an id or url; 6022 when the file cannot be written;
    /// the transport's error (e.g. 6009).
    pub async fn download_elem_to_path(
        &self,
        param: &DownloadElemParam,
        path: &str,
        progress: &(dyn Fn(&DownloadElemResult) + Send + Sync),
    ) -> ImResult<()> {
        if param.id.as_deref().unwrap_or_default().is_empty()
            && param.url.as_deref().unwrap_or_default().is_empty()
        {
            return Err(ImError::invalid_param(
                "msg_download_elem_param_id or msg_download_elem_param_url is required",
            ));
        }
        if path.is_empty() {
            return Err(ImError::invalid_param("the download path is empty"));
        }
        let partial = format!("{path}.part");
        let io_error = |what: &str, e: std::io::Error| {
            ImError::new(ErrorCode::IoOperationFailed, format!("{what} {path}: {e}"))
        };
        let mut file = File::create(&partial).map_err(|e| io_error("cannot create", e))?;
        let mut received: u64 = 0;
        let result = self
            .transport
            .download(param.clone(), &mut |chunk| {
                file.write_all(&chunk.bytes)
                    .map_err(|e| io_error("cannot write", e))?;
                received += chunk.bytes.len() as u64;
                progress(&DownloadElemResult {
                    current_size: Some(received),
                    total_size: Some(chunk.total),
                    ..DownloadElemResult::default()
                });
                Ok(())
            })
            .await
            .and_then(|()| file.sync_all().map_err(|e| io_error("cannot flush", e)))
            .and_then(|()| {
                std::fs::rename(&partial, path).map_err(|e| io_error("cannot finish", e))
            });
        if result.is_err() {
            // Best effort: the partial file is useless after a failure.
            let _ = std::fs::remove_file(&partial);
        }
        result
    }

    /// The messages inside a merged message (`TIMMsgDownloadMergerMessage`):
    /// those carried inline, else the stored body from the server.
    ///
    /// # Errors
    /// 6017 when the message holds no merged element; 8005 when the
    /// nesting is over the limit; the transport's error.
    pub async fn download_merged_messages(&self, message: &Message) -> ImResult<Vec<Message>> {
        let merge = message
            .elems()
            .iter()
            .find_map(|e| match e {
                Elem::Merge(m) => Some(m),
                _ => None,
            })
            .ok_or_else(|| ImError::invalid_param("the message holds no merged element"))?;
        if merge.layer_over_limit == Some(true) {
            return Err(ImError::new(
                ErrorCode::MergerMsgLayersOverLimit,
                "merged messages are nested more than 100 layers deep",
            ));
        }
        if let Some(inline) = merge.message_array.as_ref().filter(|m| !m.is_empty()) {
            return Ok(inline.clone());
        }
        let json_key = merge.relay_json_key.clone().unwrap_or_default();
        let pb_key = merge.relay_pb_key.clone().unwrap_or_default();
        if json_key.is_empty() && pb_key.is_empty() {
            return Err(ImError::invalid_param(
                "the merged element has no stored body",
            ));
        }
        self.transport
            .merged_messages(MergedRequest { json_key, pb_key })
            .await
    }
}
