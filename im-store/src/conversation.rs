//! The stored conversation record and its position in the list.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use im_model::{
    ConvId, ConvInfo, ConvType, Draft, GroupAtInfo, GroupType, MarkSet, Message, ReceiveMessageOpt,
};

/// Bit of `conv_active_time` that marks a pinned conversation, so that
/// sorting by `conv_active_time` alone puts pinned conversations first (the
/// value Tencent's examples show: 2^62 + time).
pub const PINNED_ACTIVE_TIME_BIT: u64 = 1 << 62;

/// One conversation as stored.
///
/// Everything an app can see of a conversation is here, so a backend stores
/// it whole and indexes the fields that [`crate::ConvFilter`] and
/// [`ListKey`] read. Its serde form is what persistent backends store.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Conversation {
    /// Identity.
    pub id: ConvId,
    /// Logical change clock: raised by the writer on every change, so a
    /// list walk can tell which conversations changed since it started.
    pub version: u64,
    /// When the conversation was created locally (seconds); its activity
    /// time before any message or draft.
    pub created_time: u64,
    /// Pinned to the top of the list.
    pub pinned: bool,
    /// Unread message count.
    pub unread_count: u64,
    /// Receive option; decides whether unread counts toward totals.
    pub recv_opt: ReceiveMessageOpt,
    /// Marks (built-in and custom bits).
    #[serde(with = "mark_bits")]
    pub marks: MarkSet,
    /// Conversation groups holding this conversation.
    pub groups: BTreeSet<String>,
    /// App custom data (at most 256 bytes).
    pub custom_data: String,
    /// Draft, if any.
    pub draft: Option<Draft>,
    /// Latest message shown in the list, if any.
    pub last_message: Option<Message>,
    /// Group mentions not yet read.
    pub group_at_infos: Vec<GroupAtInfo>,
    /// Display name; empty means "use the peer id".
    pub show_name: String,
    /// Avatar URL.
    pub face_url: String,
    /// Kind of group, for group conversations.
    pub group_type: Option<GroupType>,
    /// C2C: time of the latest message read (seconds).
    pub c2c_read_timestamp: u64,
    /// Group: sequence of the latest message read.
    pub group_read_seq: u64,
    /// C2C: time up to which the peer has read our messages.
    pub peer_read_timestamp: u64,
    /// Unread messages counted in `unread_count` that this device does not
    /// store: the server counted them in a snapshot (a first sync, or a
    /// resync), and their history stays on the server until pulled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unstored_unread: Option<UnstoredUnread>,
}

/// Unread messages a snapshot counted that are not stored here (see
/// [`Conversation::unstored_unread`]). They are all at or before the
/// snapshot's last message, so a read position that reaches it has read
/// them; one that does not leaves them counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UnstoredUnread {
    /// How many.
    pub count: u64,
    /// Time of the snapshot's last message (C2C positions compare times).
    pub until_time: u64,
    /// Sequence of the snapshot's last message (group positions compare
    /// sequences).
    pub until_seq: u64,
}

/// The setting under which a conversation's receive option is remembered,
/// so that an option set before the conversation exists is applied when it
/// is created (the option belongs to the peer or group, as on Tencent's
/// server, not to the local record).
pub fn receive_option_key(id: &ConvId) -> String {
    format!("recv_opt.{}", id.to_prefixed())
}

/// The write that remembers `opt` for conversation `id`.
pub fn remember_receive_option(id: &ConvId, opt: ReceiveMessageOpt) -> crate::WriteOp {
    crate::WriteOp::PutSetting {
        key: receive_option_key(id),
        value: opt.value().to_string(),
    }
}

/// Reads a remembered receive option; a value that does not parse is
/// ignored (the default option applies).
pub fn remembered_receive_option(value: &str) -> Option<ReceiveMessageOpt> {
    let raw: u32 = value.parse().ok()?;
    ReceiveMessageOpt::from_value(i64::from(raw))
}

impl Conversation {
    /// A new, empty conversation created at `created_time`.
    pub fn new(id: ConvId, created_time: u64) -> Conversation {
        Conversation {
            id,
            version: 0,
            created_time,
            pinned: false,
            unread_count: 0,
            recv_opt: ReceiveMessageOpt::Receive,
            marks: MarkSet::empty(),
            groups: BTreeSet::new(),
            custom_data: String::new(),
            draft: None,
            last_message: None,
            group_at_infos: Vec::new(),
            show_name: String::new(),
            face_url: String::new(),
            group_type: None,
            c2c_read_timestamp: 0,
            group_read_seq: 0,
            peer_read_timestamp: 0,
            unstored_unread: None,
        }
    }

    /// Moves the read position forward to `read_time` (C2C) and
    /// `read_seq` (groups), never back: the mentions it now covers leave
    /// (a C2C conversation has none), and the last message's
    /// `message_is_read` follows. Returns whether the position moved; the
    /// caller then recounts ([`Conversation::recount_unread`]).
    pub fn read_up_to(&mut self, read_time: u64, read_seq: u64) -> bool {
        let moved = read_time > self.c2c_read_timestamp || read_seq > self.group_read_seq;
        self.c2c_read_timestamp = self.c2c_read_timestamp.max(read_time);
        self.group_read_seq = self.group_read_seq.max(read_seq);
        if self.id.conv_type() == ConvType::Group {
            let read = self.group_read_seq;
            self.group_at_infos
                .retain(|a| a.seq.is_some_and(|s| s > read));
        } else {
            self.group_at_infos.clear();
        }
        self.refresh_last_message_read_state();
        moved
    }

    /// Sets `unread_count` from a recount of the stored unread messages
    /// after the read position moved: the unread messages not stored here
    /// are added while the position has not reached them, and forgotten
    /// once it has. Every recount goes through here, so the unread rule
    /// holds with a snapshot's count too.
    pub fn recount_unread(&mut self, stored_unread: u64) {
        let reached = self
            .unstored_unread
            .is_some_and(|u| match self.id.conv_type() {
                ConvType::Group => self.group_read_seq >= u.until_seq,
                _ => self.c2c_read_timestamp >= u.until_time,
            });
        if reached {
            self.unstored_unread = None;
        }
        self.unread_count = stored_unread + self.unstored_unread.map_or(0, |u| u.count);
    }

    /// Latest activity (seconds): the newest of creation, last message and
    /// draft edit, so that writing a draft moves a conversation up.
    pub fn activity_time(&self) -> u64 {
        let message = self.last_message.as_ref().map_or(0, Message::timestamp);
        let draft = self.draft.as_ref().and_then(|d| d.edit_time).unwrap_or(0);
        self.created_time.max(message).max(draft)
    }

    /// Position of this conversation in the list.
    pub fn list_key(&self) -> ListKey {
        ListKey {
            pinned: self.pinned,
            activity_time: self.activity_time(),
            id: self.id.clone(),
        }
    }

    /// Whether this conversation's unread count is part of unread totals.
    pub fn counts_toward_total_unread(&self) -> bool {
        self.recv_opt.counts_toward_total_unread()
    }

    /// Whether the read position covers `message`: for a group, its
    /// sequence is at most `group_read_seq`; otherwise its time is at most
    /// `c2c_read_timestamp`. The one read rule: unread counting, mentions
    /// and `message_is_read` all follow it.
    pub fn has_read(&self, message: &Message) -> bool {
        match self.id.conv_type() {
            ConvType::Group => message.seq.unwrap_or(0) <= self.group_read_seq,
            _ => message.timestamp() <= self.c2c_read_timestamp,
        }
    }

    /// Sets `message_is_read` from the read position: our own messages and
    /// messages stored as read (roamed history) are read, a peer's message
    /// is read once the position covers it. Stored messages keep the value
    /// of when they arrived; readers apply this on the way out, so a later
    /// read report shows without rewriting them.
    pub fn mark_read_state(&self, message: &mut Message) {
        message.is_read = Some(
            message.is_from_self == Some(true)
                || message.is_read == Some(true)
                || self.has_read(message),
        );
    }

    /// Brings the last message's `message_is_read` in line with the read
    /// position, after the position moved.
    pub fn refresh_last_message_read_state(&mut self) {
        if let Some(mut last) = self.last_message.take() {
            self.mark_read_state(&mut last);
            self.last_message = Some(last);
        }
    }

    /// The `conv_active_time` Tencent reports: activity time, with bit 62
    /// set when pinned.
    pub fn active_time_key(&self) -> u64 {
        let time = self.activity_time() & (PINNED_ACTIVE_TIME_BIT - 1);
        if self.pinned {
            time | PINNED_ACTIVE_TIME_BIT
        } else {
            time
        }
    }

    /// The conversation in Tencent's `ConvInfo` form.
    pub fn to_conv_info(&self) -> ConvInfo {
        let is_group = self.id.conv_type() == ConvType::Group;
        ConvInfo {
            conv_id: Some(self.id.peer().to_owned()),
            conv_type: Some(self.id.conv_type()),
            face_url: Some(self.face_url.clone()),
            unread_num: Some(self.unread_count),
            active_time: Some(self.active_time_key()),
            has_last_msg: Some(self.last_message.is_some()),
            last_msg: self.last_message.clone(),
            has_draft: Some(self.draft.is_some()),
            draft: self.draft.clone(),
            recv_opt: Some(self.recv_opt),
            group_type: if is_group { self.group_type } else { None },
            group_at_info_array: Some(self.group_at_infos.clone()),
            is_pinned: Some(self.pinned),
            show_name: Some(if self.show_name.is_empty() {
                self.id.peer().to_owned()
            } else {
                self.show_name.clone()
            }),
            mark_array: Some(self.marks.single_marks()),
            custom_data: Some(self.custom_data.clone()),
            conversation_group_array: Some(self.groups.iter().cloned().collect()),
            c2c_read_timestamp: (!is_group).then_some(self.c2c_read_timestamp),
            group_read_sequence: is_group.then_some(self.group_read_seq),
            // `conv_owner` is not tracked locally: left out.
            ..ConvInfo::default()
        }
    }
}

/// Marks persist as their 64-bit value.
mod mark_bits {
    use im_model::MarkSet;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(marks: &MarkSet, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(marks.bits())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<MarkSet, D::Error> {
        u64::deserialize(d).map(MarkSet::from_bits_retain)
    }
}

/// Position of a conversation in every conversation list.
///
/// Ordering is the list order: a smaller key is shown first. Pinned
/// conversations come first, then later activity, then the larger
/// conversation id (type, then peer id bytes), so the order is total and
/// identical on every backend.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ListKey {
    /// Pinned.
    pub pinned: bool,
    /// [`Conversation::activity_time`].
    pub activity_time: u64,
    /// Identity, the final tie-break.
    pub id: ConvId,
}

impl Ord for ListKey {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .pinned
            .cmp(&self.pinned)
            .then(other.activity_time.cmp(&self.activity_time))
            .then_with(|| other.id.cmp(&self.id))
    }
}

impl PartialOrd for ListKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(peer: &str, time: u64, pinned: bool) -> Conversation {
        let mut c = Conversation::new(ConvId::c2c(peer).unwrap(), time);
        c.pinned = pinned;
        c
    }

    #[test]
    fn test_list_order_is_pinned_then_newest_then_id_descending() {
        let mut keys = [
            conv("a", 10, false),
            conv("b", 10, false),
            conv("c", 30, false),
            conv("d", 5, true),
            conv("e", 1, true),
        ]
        .map(|c| c.list_key());
        keys.sort();
        let order: Vec<_> = keys.iter().map(|k| k.id.peer().to_owned()).collect();
        assert_eq!(order, ["d", "e", "c", "b", "a"]);
    }

    #[test]
    fn test_draft_counts_as_activity_and_pinned_sets_bit_62() {
        let mut c = conv("a", 10, false);
        c.last_message = Some(Message {
            server_time: Some(20),
            ..Message::text("x")
        });
        assert_eq!(c.activity_time(), 20);
        c.draft = Some(Draft {
            edit_time: Some(25),
            ..Draft::default()
        });
        assert_eq!(c.activity_time(), 25);
        c.pinned = true;
        assert_eq!(c.active_time_key(), (1 << 62) + 25);
        let info = c.to_conv_info();
        assert_eq!(info.has_draft, Some(true));
        assert_eq!(info.show_name.as_deref(), Some("a"));
        assert_eq!(info.group_read_sequence, None);
        assert_eq!(info.owner, None);
    }

    #[test]
    fn test_conv_info_carries_face_url_and_the_group_type_of_groups_only() {
        let mut group = Conversation::new(ConvId::group("g").unwrap(), 1);
        group.face_url = "https://example.invalid/g.png".into();
        group.group_type = Some(GroupType::Public);
        let info = group.to_conv_info();
        assert_eq!(
            info.face_url.as_deref(),
            Some("https://example.invalid/g.png")
        );
        assert_eq!(info.group_type, Some(GroupType::Public));
        let mut c2c = Conversation::new(ConvId::c2c("u").unwrap(), 1);
        c2c.group_type = Some(GroupType::Public);
        assert_eq!(c2c.to_conv_info().group_type, None);
    }

    #[test]
    fn test_the_read_position_covers_messages_up_to_and_including_it() {
        let at = |time: u64, seq: u64| Message {
            server_time: Some(time),
            seq: Some(seq),
            ..Message::text("m")
        };
        let mut group = Conversation::new(ConvId::group("g").unwrap(), 0);
        group.group_read_seq = 5;
        group.c2c_read_timestamp = 1_000;
        // Groups go by sequence only.
        assert!(group.has_read(&at(9_999, 5)));
        assert!(!group.has_read(&at(1, 6)));
        let mut c2c = Conversation::new(ConvId::c2c("u").unwrap(), 0);
        c2c.c2c_read_timestamp = 100;
        c2c.group_read_seq = 50;
        // C2C goes by time only.
        assert!(c2c.has_read(&at(100, 999)));
        assert!(!c2c.has_read(&at(101, 1)));

        let mut peer = at(101, 1);
        c2c.mark_read_state(&mut peer);
        assert_eq!(peer.is_read, Some(false));
        let mut roamed = Message {
            is_read: Some(true),
            ..at(101, 1)
        };
        c2c.mark_read_state(&mut roamed);
        assert_eq!(roamed.is_read, Some(true), "stored as read stays read");
        let mut mine = Message {
            is_from_self: Some(true),
            ..at(101, 1)
        };
        c2c.mark_read_state(&mut mine);
        assert_eq!(mine.is_read, Some(true));
    }
}
