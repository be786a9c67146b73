//! Checks on messages an app asks to send, before anything is written.

use im_model::limits::MAX_MESSAGE_BODY_BYTES;
use im_model::message::Message;
use im_model::{ElemType, ErrorCode, ImError, ImResult};

/// Most users one group message may mention.
const MAX_AT_USERS: usize = 30;

/// Whether `message` may be sent: it has elements, none of them group tips
/// or group reports (those only come from the server), at most 30
/// mentions, and a body of at most 12 KB.
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
        match elem.elem_type() {
            Some(ElemType::GroupTips | ElemType::GroupReport) => {
                return Err(ImError::new(
                    ErrorCode::InvalidMsgElem,
                    format!("element {i}: group tips and group reports cannot be sent"),
                ));
            }
            Some(ElemType::Invalid) | None => {
                return Err(ImError::new(
                    ErrorCode::InvalidMsgElem,
                    format!(
                        "element {i}: elem_type {} cannot be sent",
                        elem.elem_type_value()
                    ),
                ));
            }
            _ => {}
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

/// Size of the body the server stores for a message, in bytes.
pub(crate) fn body_size(message: &Message) -> usize {
    let elems = serde_json::to_vec(message.elems()).map_or(usize::MAX, |v| v.len());
    elems.saturating_add(message.cloud_custom_str.as_ref().map_or(0, String::len))
}
