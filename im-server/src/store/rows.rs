//! What every backend computes the same way around its reads and writes:
//! the rules live here once, each backend supplies its queries as
//! closures (SQLite's and PostgreSQL's SQL differ; what they decide must
//! not).

use std::collections::{BTreeMap, BTreeSet};

use im_model::ImResult;
use im_model::enums::GroupAtType;
use im_model::group::GroupDetailInfo;
use im_model::message::MessageReceipt;

use super::{ConvKey, MENTIONS_PER_SNAPSHOT, StoredMessage};

/// A group's information as a row keeps it: its id, name and owner (their
/// own columns), and the rest without the fields derived when read
/// (member count, newest message).
pub(crate) fn group_row(info: &GroupDetailInfo) -> (String, String, String, GroupDetailInfo) {
    let mut kept = info.clone();
    let id = kept.group_id.take().unwrap_or_default();
    let name = kept.group_name.take().unwrap_or_default();
    let owner = kept.owner_identifier.take().unwrap_or_default();
    kept.member_num = None;
    kept.next_msg_seq = None;
    kept.last_msg_time = None;
    (id, name, owner, kept)
}

/// The unread mentions of `user` among `messages` (newest first), at most
/// [`MENTIONS_PER_SNAPSHOT`]: `(seq, how)`.
///
/// # Errors
/// A message that could not be read.
pub(crate) fn mentions(
    user: &str,
    messages: impl IntoIterator<Item = ImResult<StoredMessage>>,
) -> ImResult<Vec<(u64, GroupAtType)>> {
    let mut found = Vec::new();
    for stored in messages {
        let stored = stored?;
        if let Some(how) = stored.message.mention_of(user) {
            found.push((stored.seq, how));
            if found.len() == MENTIONS_PER_SNAPSHOT {
                break;
            }
        }
    }
    Ok(found)
}

/// `reader`'s read receipts of messages `ids` of `conv`, by the sender
/// each goes to: `find` reads a message, `add` records a receipt and
/// answers the message's read count when the receipt is new (`None` when
/// `reader` had read it already). A reader's own messages and unknown ids
/// are skipped.
///
/// # Errors
/// The reads' and writes' own errors.
pub(crate) fn receipts_by_sender(
    conv: &ConvKey,
    reader: &str,
    ids: &[String],
    mut find: impl FnMut(&str) -> ImResult<Option<StoredMessage>>,
    mut add: impl FnMut(&str) -> ImResult<Option<u64>>,
) -> ImResult<BTreeMap<String, Vec<MessageReceipt>>> {
    let mut by_sender: BTreeMap<String, Vec<MessageReceipt>> = BTreeMap::new();
    for id in ids {
        let Some(stored) = find(id)? else {
            continue;
        };
        if stored.sender == reader {
            continue;
        }
        let Some(read) = add(id)? else {
            continue;
        };
        let conv_id = conv.for_viewer(&stored.sender)?;
        by_sender
            .entry(stored.sender.clone())
            .or_default()
            .push(MessageReceipt {
                conv_id: Some(conv_id.peer().to_owned()),
                conv_type: Some(conv_id.conv_type()),
                msg_id: Some(id.clone()),
                is_peer_read: Some(true),
                read_count: Some(read),
                ..MessageReceipt::default()
            });
    }
    Ok(by_sender)
}

/// Who hears of `user`'s profile change: the other sides of their C2C
/// conversations (`c2c_keys`, encoded keys) first, then the members of
/// their groups that `members(room)` reads (at most `room`), each once,
/// `user` left out, at most `max`.
///
/// # Errors
/// The member read's own errors.
pub(crate) fn audience(
    user: &str,
    max: usize,
    c2c_keys: impl IntoIterator<Item = String>,
    members: impl FnOnce(usize) -> ImResult<Vec<String>>,
) -> ImResult<BTreeSet<String>> {
    let mut users = BTreeSet::new();
    for key in c2c_keys {
        if let Some(ConvKey::C2c { low, high }) = ConvKey::decode(&key) {
            users.insert(if low == user { high } else { low });
        }
    }
    users.remove(user);
    while users.len() > max {
        users.pop_last();
    }
    let room = max.saturating_sub(users.len());
    if room > 0 {
        users.extend(members(room)?);
        users.remove(user);
    }
    Ok(users)
}
