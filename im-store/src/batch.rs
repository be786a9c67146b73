//! Atomic write batches.
//!
//! Logic crates never write record by record: they describe a whole change
//! (a conversation and its groups, later a message with its conversation)
//! as one [`WriteBatch`], and the backend applies it all or not at all.
//! This is the one place where atomicity is promised, so a crash can never
//! leave counts and rows disagreeing.

use im_model::limits::{MAX_TIME_SECS, is_valid_time};
use im_model::{ConvId, Message};

use crate::{Conversation, StoreError, StoreResult};

/// One write of a batch.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteOp {
    /// Inserts or replaces a conversation. Every group it names must exist
    /// after the batch.
    PutConversation(Box<Conversation>),
    /// Deletes a conversation; deleting a missing one is a no-op.
    DeleteConversation(ConvId),
    /// Creates a conversation group at the end of the group list. Fails
    /// when the name exists.
    CreateGroup(String),
    /// Deletes a conversation group. Fails when it does not exist, or when
    /// a conversation still names it after the batch.
    DeleteGroup(String),
    /// Renames a group, keeping its position. Fails when `old` is missing
    /// or `new` exists.
    RenameGroup {
        /// Current name.
        old: String,
        /// New name.
        new: String,
    },
    /// Inserts or replaces a message (keyed by its `message_msg_id`, which
    /// must be set) in conversation `conv`.
    PutMessage {
        /// The conversation holding it.
        conv: ConvId,
        /// The message, whole.
        message: Box<Message>,
    },
    /// Deletes a message by id; deleting a missing one is a no-op.
    DeleteMessage(String),
    /// Deletes every message of a conversation.
    ClearMessages(ConvId),
    /// Sets a small named value (sync cursors and the like).
    PutSetting {
        /// Name, e.g. `sync.event_cursor`.
        key: String,
        /// Value.
        value: String,
    },
}

/// Writes applied atomically, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WriteBatch {
    ops: Vec<WriteOp>,
    /// What the events derived from this batch should say beyond what the
    /// writes show; never stored.
    announce: Announce,
}

/// How the conversation-group events of a batch are told (the batch's
/// writes say what changed, not why): read by the writer that derives the
/// events from the batch (im-conv), ignored by every backend.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Announce {
    /// The batch restores a state as it already was elsewhere (a first
    /// sync from a snapshot): conversations are announced as added, but
    /// no conversation-group event is raised for what is history.
    pub no_group_events: bool,
    /// Conversations that left a group because it passed its limit (the
    /// oldest-added is evicted): `(group, conversation)`. Their removal is
    /// announced with the eviction reason, not as a removal by a call.
    pub evicted: std::collections::BTreeSet<(String, ConvId)>,
}

impl WriteBatch {
    /// An empty batch.
    pub fn new() -> WriteBatch {
        WriteBatch::default()
    }

    /// Adds an operation.
    pub fn push(&mut self, op: WriteOp) -> &mut Self {
        self.ops.push(op);
        self
    }

    /// Adds a conversation upsert.
    pub fn put(&mut self, conv: Conversation) -> &mut Self {
        self.push(WriteOp::PutConversation(Box::new(conv)))
    }

    /// Adds a message upsert.
    pub fn put_message(&mut self, conv: ConvId, message: Message) -> &mut Self {
        self.push(WriteOp::PutMessage {
            conv,
            message: Box::new(message),
        })
    }

    /// The operations, in order.
    pub fn ops(&self) -> &[WriteOp] {
        &self.ops
    }

    /// How the batch's events are told (see [`Announce`]).
    pub fn announce(&self) -> &Announce {
        &self.announce
    }

    /// Sets how the batch's events are told.
    pub fn announce_mut(&mut self) -> &mut Announce {
        &mut self.announce
    }

    /// The operations, mutable: the write path stamps versions on them.
    pub fn ops_mut(&mut self) -> &mut [WriteOp] {
        &mut self.ops
    }

    /// Whether the batch writes nothing.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Checks every time the batch would store (message client and server
    /// times, conversation creation, read and draft times, and those of the
    /// messages a conversation carries) against
    /// [`im_model::limits::MAX_TIME_SECS`]. Every backend calls it before
    /// writing, so a time no backend can order exactly is refused the same
    /// way everywhere, with nothing written.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] naming the first time out of range.
    pub fn check_times(&self) -> StoreResult<()> {
        for op in &self.ops {
            match op {
                WriteOp::PutConversation(conv) => check_conversation_times(conv)?,
                WriteOp::PutMessage { message, .. } => check_message_times(message)?,
                _ => {}
            }
        }
        Ok(())
    }
}

fn check_time(what: &str, secs: u64) -> StoreResult<()> {
    if is_valid_time(secs) {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "{what} {secs} is after the latest storable time {MAX_TIME_SECS} (times are seconds)"
        )))
    }
}

fn check_message_times(message: &Message) -> StoreResult<()> {
    check_time("message_client_time", message.client_time.unwrap_or(0))?;
    check_time("message_server_time", message.server_time.unwrap_or(0))
}

fn check_conversation_times(conv: &Conversation) -> StoreResult<()> {
    check_time("conversation creation time", conv.created_time)?;
    check_time("c2c read time", conv.c2c_read_timestamp)?;
    check_time("peer read time", conv.peer_read_timestamp)?;
    if let Some(draft) = &conv.draft {
        check_time("draft_edit_time", draft.edit_time.unwrap_or(0))?;
        if let Some(m) = &draft.msg {
            check_message_times(m)?;
        }
    }
    if let Some(m) = &conv.last_message {
        check_message_times(m)?;
    }
    Ok(())
}

/// How one conversation changed in an applied batch.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvChange {
    /// The record before the batch (`None`: created).
    pub before: Option<Conversation>,
    /// The record after the batch (`None`: deleted).
    pub after: Option<Conversation>,
}
