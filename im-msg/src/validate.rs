//! Checks on messages an app asks to send, before anything is written.

use im_model::limits::MAX_MESSAGE_BODY_BYTES;
use im_model::message::Message;
use im_model::{ElemType, ErrorCode, ImError, ImResult};

/// Most users one group message may mention.
const MAX_AT_USERS: usize = 30;

/// Whether `message` may be sent: it has elements, each of a sendable kind
/// ([`is_sendable`]), at most 30 mentions, and a body of at most 12 KB.
///
/// The body is what the server stores for it: the JSON of
/// `message_elem_array` plus `message_cloud_custom_str`.
///
/// # Errors
/// `ERR_INVALID_MSG_ELEM` (6016) for no or unsendable elements,
/// `ERR_INVALID_PARAMETERS` (6017) for too many mentions,
/// `ERR_SDK_MSG_BODY_SIZE_LIMIT` (8001) for a body over 12 KB.
pub(crate) fn check_sendable(message: &Message) -> ImResult<()> {
    let elems = message.elems();
    if elems.is_empty() {
        return Err(ImError::new(
            ErrorCode::InvalidMsgElem,
            "message_elem_array must hold at least one element",
        ));
    }
    for (i, elem) in elems.iter().enumerate() {
        if !elem.elem_type().is_some_and(is_sendable) {
            return Err(ImError::new(
                ErrorCode::InvalidMsgElem,
                format!(
                    "element {i}: elem_type {} cannot be sent (only text, face, location, \
                     image, sound, custom, file, video and merge elements can)",
                    elem.elem_type_value()
                ),
            ));
        }
    }
    let mentions = message.group_at_user_array.as_ref().map_or(0, Vec::len);
    if mentions > MAX_AT_USERS {
        return Err(ImError::invalid_param(format!(
            "{mentions} users mentioned; at most {MAX_AT_USERS} are allowed"
        )));
    }
    let body = body_size(message);
    if body > MAX_MESSAGE_BODY_BYTES {
        return Err(ImError::new(
            ErrorCode::MsgBodySizeLimit,
            format!("message body is {body} bytes; at most {MAX_MESSAGE_BODY_BYTES} are allowed"),
        ));
    }
    Ok(())
}

/// The element kinds an app may send (spec 1.5, `TIMMsgSendMessage`):
/// text, face, location, image, sound, custom, file, video and merge.
/// Group tips, group reports, friend and profile changes only come from
/// the server; `kTIMElem_Invalid` and kinds this version does not know are
/// not sendable either.
pub(crate) fn is_sendable(kind: ElemType) -> bool {
    matches!(
        kind,
        ElemType::Text
            | ElemType::Face
            | ElemType::Location
            | ElemType::Image
            | ElemType::Sound
            | ElemType::Custom
            | ElemType::File
            | ElemType::Video
            | ElemType::Merge
    )
}

/// Size of the body the server stores for a message, in bytes.
pub(crate) fn body_size(message: &Message) -> usize {
    let elems = serde_json::to_vec(message.elems()).map_or(usize::MAX, |v| v.len());
    elems.saturating_add(message.cloud_custom_str.as_ref().map_or(0, String::len))
}
