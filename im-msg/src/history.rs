//! History pages (`TIMMsgGetMsgList`), local and roaming.
//!
//! Rules (spec 4.6), all applied here:
//! * `msg_getmsglist_param_count` messages at most (required, at least 1;
//!   a larger count than [`MAX_MESSAGE_PAGE`] is served as that many);
//! * anchor `msg_getmsglist_param_last_msg`, excluded from the result; for
//!   groups also `msg_getmsglist_param_last_msg_seq`, included (the message
//!   must be stored, after a roaming pull when `is_ramble`); when both are
//!   given the message wins; without an anchor the page starts at the
//!   newest (older pages) or the oldest (newer pages) message, or at
//!   `time_begin` when a time range is given;
//! * `is_forward` true: newer than the anchor, oldest first; false: older,
//!   newest first;
//! * time range when `time_begin` or `time_period` is set: older pages
//!   keep `[begin - period, begin]`, newer pages `[begin, begin + period]`
//!   (closed), `time_begin` 0 meaning now and `time_period` 0 unlimited;
//! * `message_type_array` filters local pages only (as Tencent's);
//! * `message_seq_array` (groups) returns exactly the stored messages with
//!   those sequences and takes precedence over everything else;
//! * `is_ramble` pulls the same page from the server first and stores the
//!   messages not yet stored (no unread, no new-message event); the local
//!   page read afterwards therefore holds both, each message once.

use std::collections::BTreeSet;

use im_model::limits::{MAX_MESSAGE_PAGE, is_valid_time};
use im_model::message::{Message, MsgGetMsgListParam};
use im_model::{ConvId, ConvType, ImError, ImResult, MsgStatus};
use im_store::{Direction, HistoryQuery, MessagePos};
use im_transport::HistoryRequest;

use crate::conv_update::set_last_if_newer;
use crate::receive::mark_peer_read;
use crate::service::MessageService;

impl MessageService {
    /// A page of a conversation's messages (`TIMMsgGetMsgList`).
    ///
    /// # Errors
    /// 6017 for a missing count, a seq anchor or seq list on a C2C
    /// conversation; the transport's error for roaming pages.
    pub async fn get_message_list(
        &self,
        conv: &ConvId,
        param: &MsgGetMsgListParam,
    ) -> ImResult<Vec<Message>> {
        let count = param.count.filter(|c| *c > 0).ok_or_else(|| {
            ImError::invalid_param("msg_getmsglist_param_count must be at least 1")
        })?;
        // Clamped, never trusted to size anything.
        let count = count.min(MAX_MESSAGE_PAGE) as usize;
        let is_group = conv.conv_type() == ConvType::Group;
        let seq_list = param.message_seq_array.as_deref().unwrap_or_default();
        let seq_anchor = param.last_msg_seq.filter(|s| *s > 0);
        if !is_group && (!seq_list.is_empty() || seq_anchor.is_some()) {
            return Err(ImError::invalid_param(
                "sequence anchors and sequence lists apply to group conversations only",
            ));
        }
        if !seq_list.is_empty() {
            let found = self.store.messages_by_seqs(conv, seq_list)?;
            return self.as_shown(conv, found);
        }
        let direction = if param.is_forward == Some(true) {
            Direction::Newer
        } else {
            Direction::Older
        };
        let time_range = time_range(param, direction, self.now());
        let ramble = param.ramble();
        let message_anchor = match &param.last_msg {
            Some(m) => self.anchor_position(m)?,
            None => None,
        };

        if ramble {
            self.pull_roaming(conv, message_anchor.as_ref(), direction, time_range, count)
                .await?;
        }

        let (anchor, included) = match (&message_anchor, seq_anchor) {
            (Some(pos), _) => (Some(pos.clone()), None),
            (None, Some(seq)) => {
                // The message at the sequence, or when it is not stored
                // here the nearest one on the page's side; either starts
                // the page (a deleted one anchors it without being shown).
                let at = match self.store.messages_by_seqs(conv, &[seq])?.pop() {
                    Some(m) => Some(m),
                    None => self.store.nearest_by_seq(conv, seq, direction)?,
                };
                match at {
                    Some(m) => {
                        let shown = m.status != Some(MsgStatus::Deleted);
                        (MessagePos::of(&m), shown.then_some(m))
                    }
                    None => return Ok(Vec::new()),
                }
            }
            (None, None) => (None, None),
        };
        let elem_types = match (&param.message_type_array, ramble) {
            (Some(types), false) if !types.is_empty() => {
                Some(types.iter().copied().collect::<BTreeSet<_>>())
            }
            _ => None,
        };
        let mut page: Vec<Message> = included.into_iter().collect();
        page.extend(self.store.history(&HistoryQuery {
            conv: conv.clone(),
            anchor,
            direction,
            time_range,
            elem_types,
            exclude_status: [MsgStatus::Deleted].into(),
            limit: count - page.len(),
        })?);
        self.as_shown(conv, page)
    }

    /// Pulls a roaming page and stores the messages not yet stored.
    async fn pull_roaming(
        &self,
        conv: &ConvId,
        anchor: Option<&MessagePos>,
        direction: Direction,
        time_range: Option<(u64, u64)>,
        count: usize,
    ) -> ImResult<()> {
        let pulled = self
            .transport
            .pull_history(HistoryRequest {
                conv: conv.clone(),
                anchor: anchor.map(|p| (p.time, p.seq)),
                newer: direction == Direction::Newer,
                time_range,
                count: u32::try_from(count).unwrap_or(u32::MAX),
            })
            .await?;
        self.commit(|batch, _| {
            let mut c = self.conversation_or_new(conv)?;
            let mut changed = false;
            for m in &pulled {
                // Pulled messages are untrusted: one that cannot be stored
                // is logged and left out, never fails the page.
                let Some(id) = m.msg_id.as_deref().filter(|id| !id.is_empty()) else {
                    tracing::warn!(%conv, "skipped a roaming message without message_msg_id");
                    continue;
                };
                if !is_valid_time(m.client_time.unwrap_or(0))
                    || !is_valid_time(m.server_time.unwrap_or(0))
                {
                    tracing::warn!(%conv, id, "skipped a roaming message with a time past the limit");
                    continue;
                }
                if self.store.message(id)?.is_some() {
                    continue;
                }
                let mut m = m.clone();
                m.is_from_self = Some(m.sender.as_deref() == Some(self.config.user_id.as_str()));
                // Roamed history is stored as read: it never adds to
                // unread (the unread rule, ARCHITECTURE.md).
                m.is_read = Some(true);
                m.conv_id = Some(conv.peer().to_owned());
                m.conv_type = Some(conv.conv_type());
                set_last_if_newer(&mut c, &m);
                batch.put_message(conv.clone(), m);
                changed = true;
            }
            if changed {
                batch.put(c);
            }
            Ok(())
        })?;
        Ok(())
    }

    /// Stored messages as the app is shown them now: `message_is_read`
    /// from the conversation's read position, for C2C
    /// `message_is_peer_read` from the peer's read time (stored messages
    /// keep the values of when they arrived), and each sender's profile
    /// from the cache.
    pub(crate) fn as_shown(
        &self,
        conv: &ConvId,
        mut messages: Vec<Message>,
    ) -> ImResult<Vec<Message>> {
        self.with_sender_profiles(&mut messages)?;
        let Some(stored) = self.store.conversation(conv)? else {
            return Ok(messages);
        };
        for m in &mut messages {
            stored.mark_read_state(m);
            if conv.conv_type() == ConvType::C2C {
                mark_peer_read(m, stored.peer_read_timestamp);
            }
        }
        Ok(messages)
    }
}

impl MessageService {
    /// Where an anchor message the app passed is: the stored message's
    /// position when its id is stored (the app may pass just the id), else
    /// the position its own time, seq and id give; `None` for an anchor
    /// that names nothing (the seed's `"msg_getmsglist_param_last_msg": {}`),
    /// which means "from the newest".
    fn anchor_position(&self, message: &Message) -> ImResult<Option<MessagePos>> {
        let id = message.msg_id.as_deref().filter(|id| !id.is_empty());
        if let Some(stored) = id.map(|id| self.store.message(id)).transpose()?.flatten() {
            return Ok(MessagePos::of(&stored));
        }
        let (time, seq) = (message.timestamp(), message.seq.unwrap_or(0));
        if id.is_none() && time == 0 && seq == 0 {
            return Ok(None);
        }
        Ok(Some(MessagePos {
            time,
            seq,
            msg_id: id.unwrap_or_default().to_owned(),
        }))
    }
}

/// The closed time range of a page, when the param asks for one.
fn time_range(param: &MsgGetMsgListParam, direction: Direction, now: u64) -> Option<(u64, u64)> {
    let begin = param.time_begin.unwrap_or(0);
    let period = param.time_period.unwrap_or(0);
    if begin == 0 && period == 0 {
        return None;
    }
    let begin = if begin == 0 { now } else { begin };
    Some(match (direction, period) {
        (Direction::Older, 0) => (0, begin),
        (Direction::Older, p) => (begin.saturating_sub(p), begin),
        (Direction::Newer, 0) => (begin, u64::MAX),
        (Direction::Newer, p) => (begin, begin.saturating_add(p)),
    })
}
