//! How a message changes its conversation: last message, unread count,
//! mentions and the hide mark. One place, used by send, receive, revoke,
//! import and delete, so every path applies the same rules.

use im_model::message::Message;
use im_model::{ConvType, GroupAtInfo, GroupAtType, ImResult, MarkSet, MsgStatus};
use im_store::{Conversation, HistoryQuery, MessagePos, Store, counts_as_unread};

/// Whether `message` is unread in `conv`: it counts as unread and is newer
/// than the conversation's read position.
pub(crate) fn is_unread_in(conv: &Conversation, message: &Message) -> bool {
    counts_as_unread(message) && !conv.has_read(message)
}

/// Takes a newly stored message into its conversation: it becomes the last
/// message when it is the newest (and not excluded from that), it adds to
/// unread when unread, a mention of `user_id` is recorded, and a hidden
/// conversation shows again (Tencent clears the hide mark on new messages).
pub(crate) fn take_new_message(conv: &mut Conversation, message: &Message, user_id: &str) {
    set_last_if_newer(conv, message);
    if is_unread_in(conv, message) {
        conv.unread_count += 1;
        if let Some(at_type) = mention_of(conv, message, user_id) {
            conv.group_at_infos.push(GroupAtInfo {
                seq: message.seq,
                at_type: Some(at_type),
                ..GroupAtInfo::default()
            });
        }
    }
    conv.marks.remove(MarkSet::HIDE);
}

/// Makes `message` the last message when it is at least as new as the
/// current one; replaces the current one when it is the same message.
pub(crate) fn set_last_if_newer(conv: &mut Conversation, message: &Message) {
    if message.excluded_from_last_message == Some(true) {
        return;
    }
    let same = conv
        .last_message
        .as_ref()
        .is_some_and(|last| last.msg_id.is_some() && last.msg_id == message.msg_id);
    let newer = conv
        .last_message
        .as_ref()
        .is_none_or(|last| MessagePos::of(message) >= MessagePos::of(last));
    if same || newer {
        conv.last_message = Some(message.clone());
    }
}

/// How a group message mentions `user_id`, if it does.
fn mention_of(conv: &Conversation, message: &Message, user_id: &str) -> Option<GroupAtType> {
    if conv.id.conv_type() != ConvType::Group {
        return None;
    }
    message.mention_of(user_id)
}

/// Recomputes the last message from the stored history: the newest
/// message that is neither excluded from the last-message slot, nor
/// deleted, nor among `deleting` (being deleted in the same batch, so still
/// stored as it was). Reads newest first, a page at a time, until found.
pub(crate) fn refresh_last_message(
    store: &dyn Store,
    conv: &mut Conversation,
    deleting: &[String],
) -> ImResult<()> {
    const PAGE: usize = 50;
    let eligible = |m: &Message| {
        m.excluded_from_last_message != Some(true)
            && m.msg_id.as_ref().is_none_or(|id| !deleting.contains(id))
    };
    // Deleted messages stay stored (status 4, for find): leave them out.
    let mut query = HistoryQuery {
        exclude_status: [MsgStatus::Deleted].into(),
        ..HistoryQuery::latest(conv.id.clone(), PAGE)
    };
    loop {
        let page = store.history(&query)?;
        if let Some(found) = page.iter().find(|m| eligible(m)) {
            conv.last_message = Some(found.clone());
            return Ok(());
        }
        // A short page is the end of the history. (Reading on after it
        // would only cost one empty read: the mutant that drops this
        // condition is equivalent.)
        match page.last().and_then(MessagePos::of) {
            Some(oldest) if page.len() == PAGE => query.anchor = Some(oldest),
            _ => {
                conv.last_message = None;
                return Ok(());
            }
        }
    }
}

/// A message that stops counting (deleted or revoked) leaves the unread
/// count and the mentions.
pub(crate) fn forget_unread(conv: &mut Conversation, before: &Message) {
    if is_unread_in(conv, before) {
        conv.unread_count = conv.unread_count.saturating_sub(1);
        if let Some(seq) = before.seq {
            conv.group_at_infos.retain(|a| a.seq != Some(seq));
        }
    }
}
