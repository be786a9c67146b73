//! Stored messages: their position in a conversation and history queries.
//!
//! A message is stored whole (its Tencent JSON form, [`Message`]) under its
//! `message_msg_id`, in the conversation it belongs to. Backends index the
//! fields that queries read: position (time, seq, id), status, sender,
//! element kinds, and the searchable text (see [`crate::search`]).

use std::collections::BTreeSet;

use im_model::message::MsgLocator;
use im_model::{ConvId, ElemType, Message, MsgStatus};

/// Position of a message in its conversation's history; the ordering is
/// history order (older first): time, then sequence, then message id, so
/// it is total and identical on every backend.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessagePos {
    /// [`Message::timestamp`]: server time when known, else client time.
    pub time: u64,
    /// `message_seq` (0 while unsent).
    pub seq: u64,
    /// `message_msg_id`.
    pub msg_id: String,
}

impl MessagePos {
    /// The position of `message`, or `None` when it has no message id.
    pub fn of(message: &Message) -> Option<MessagePos> {
        Some(MessagePos {
            time: message.timestamp(),
            seq: message.seq.unwrap_or(0),
            msg_id: message.msg_id.clone()?,
        })
    }
}

/// Direction of a history page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Older than the anchor, newest first.
    Older,
    /// Newer than the anchor, oldest first.
    Newer,
}

/// A page of a conversation's history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryQuery {
    /// The conversation.
    pub conv: ConvId,
    /// Start after (exclusive) this position; `None`: from the newest
    /// (`Older`) or the oldest (`Newer`) message.
    pub anchor: Option<MessagePos>,
    /// Which side of the anchor.
    pub direction: Direction,
    /// Only messages with `time` in this closed range.
    pub time_range: Option<(u64, u64)>,
    /// Only messages having at least one element of these kinds (`None`: any).
    pub elem_types: Option<BTreeSet<ElemType>>,
    /// Leave out messages with these statuses.
    pub exclude_status: BTreeSet<MsgStatus>,
    /// At most this many.
    pub limit: usize,
}

impl HistoryQuery {
    /// A query for the `limit` newest messages of `conv`.
    pub fn latest(conv: ConvId, limit: usize) -> HistoryQuery {
        HistoryQuery {
            conv,
            anchor: None,
            direction: Direction::Older,
            time_range: None,
            elem_types: None,
            exclude_status: BTreeSet::new(),
            limit,
        }
    }

    /// Whether `message` (at `pos`) is selected, ignoring `limit`; the
    /// reference semantics every backend reproduces.
    pub fn selects(&self, pos: &MessagePos, message: &Message) -> bool {
        let after_anchor = self
            .anchor
            .as_ref()
            .is_none_or(|anchor| match self.direction {
                Direction::Older => pos < anchor,
                Direction::Newer => pos > anchor,
            });
        after_anchor
            && self
                .time_range
                .is_none_or(|(from, to)| (from..=to).contains(&pos.time))
            && self.elem_types.as_ref().is_none_or(|kinds| {
                message
                    .elems()
                    .iter()
                    .any(|e| e.elem_type().is_some_and(|k| kinds.contains(&k)))
            })
            && message
                .status
                .is_none_or(|s| !self.exclude_status.contains(&s))
    }
}

/// Counts a conversation's unread messages after a read position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadQuery {
    /// The conversation.
    pub conv: ConvId,
    /// Count messages with time strictly after this (C2C).
    pub after_time: u64,
    /// Count messages with seq strictly after this (groups).
    pub after_seq: u64,
}

/// Whether a stored message counts as unread for its conversation (when
/// the read position does not cover it): from a peer, not excluded from
/// unread, not online-only, not targeted at a few group members, not
/// already read when it was stored (`message_is_read`: history stored by a
/// roaming pull), and neither revoked, deleted nor imported. The reference
/// rule; every backend derives its unread counts from it.
pub fn counts_as_unread(message: &Message) -> bool {
    message.is_from_self != Some(true)
        && message.is_read != Some(true)
        && message.may_count_as_unread()
        && !matches!(
            message.status,
            Some(MsgStatus::Revoked | MsgStatus::Deleted | MsgStatus::LocalImported)
        )
}

/// Whether `locator` names `message` (already known to be in the
/// locator's conversation): by `message_locator_unique_id` when it is set,
/// else by every one of seq, rand and time that is set (non-zero).
/// A locator with none of them names nothing.
pub fn locator_matches(locator: &MsgLocator, message: &Message) -> bool {
    if let Some(unique) = locator.unique_id.filter(|u| *u != 0) {
        return message.unique_id == Some(unique);
    }
    let checks = [
        (locator.seq, message.seq),
        (locator.rand, message.rand),
        (locator.time, Some(message.timestamp())),
    ];
    let given: Vec<_> = checks
        .iter()
        .filter(|(want, _)| want.is_some_and(|w| w != 0))
        .collect();
    !given.is_empty() && given.iter().all(|(want, have)| want == have)
}
