//! Batch calls over a list of conversations, with one result per conversation.

use im_model::limits::MAX_CONVERSATIONS_PER_CALL;
use im_model::{ConvId, ConversationOperationResult, ErrorCode, ImError, ImResult};
use im_store::Conversation;

use crate::service::{Txn, not_found};

/// Validates the conversation list of a batch call: not empty, at most 100
/// entries (else 51006). Duplicates are dropped, keeping first positions.
///
/// # Errors
/// `ERR_INVALID_PARAMETERS` for an empty list;
/// `ERR_SVR_CONV_CONV_MARK_REQ_COUNT_EXCEED_LIMIT` (51006) for more than 100.
pub fn checked_ids(ids: &[ConvId]) -> ImResult<Vec<ConvId>> {
    if ids.is_empty() {
        return Err(ImError::invalid_param(
            "the conversation id list must not be empty",
        ));
    }
    if ids.len() > MAX_CONVERSATIONS_PER_CALL {
        return Err(ImError::new(
            ErrorCode::ConvMarkReqCountExceedLimit,
            format!(
                "{} conversations in one call; at most {MAX_CONVERSATIONS_PER_CALL} are allowed",
                ids.len()
            ),
        ));
    }
    let mut unique: Vec<ConvId> = Vec::new();
    for id in ids {
        if !unique.contains(id) {
            unique.push(id.clone());
        }
    }
    Ok(unique)
}

/// Applies `change` to each existing conversation of `ids` inside one write,
/// staging only those it reports as changed. A missing conversation gets a
/// 6004 result; the others succeed.
pub(crate) fn for_each_conversation(
    txn: &mut Txn<'_>,
    ids: &[ConvId],
    mut change: impl FnMut(&mut Conversation) -> bool,
) -> ImResult<Vec<ConversationOperationResult>> {
    let mut results = Vec::with_capacity(ids.len());
    for id in ids {
        match txn.get(id)? {
            None => results.push(ConversationOperationResult::failed(
                id.to_prefixed(),
                &not_found(id),
            )),
            Some(mut conv) => {
                if change(&mut conv) {
                    txn.put(conv);
                }
                results.push(ConversationOperationResult::ok(id.to_prefixed()));
            }
        }
    }
    Ok(results)
}
