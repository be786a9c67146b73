//! The storage traits.
//!
//! They are synchronous on purpose: every backend we have (memory,
//! SQLite, sled) is blocking, synchronous `&self` methods are object-safe
//! (`Arc<dyn Store>`), and the conformance and property tests stay plain
//! `#[test]`s. Async callers move store calls off their executor once, at
//! the orchestration layer.

use std::fmt::Debug;

use im_model::message::MsgLocator;
use im_model::{ConvId, ImResult, MarkSet, Message};

use crate::{
    ConvChange, ConvFilter, Conversation, HistoryQuery, ListKey, MarkFilter, SearchQuery,
    StoreResult, UnreadQuery, WriteBatch,
};

/// Which record versions a listing returns; list walks use it to separate
/// conversations unchanged since the walk began from those changed after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VersionRange {
    /// Every version.
    #[default]
    Any,
    /// Versions `<= v`.
    AtMost(u64),
    /// Versions `> v`.
    Above(u64),
}

impl VersionRange {
    /// Whether `version` is in the range.
    pub fn contains(self, version: u64) -> bool {
        match self {
            VersionRange::Any => true,
            VersionRange::AtMost(v) => version <= v,
            VersionRange::Above(v) => version > v,
        }
    }
}

/// A filtered, ordered conversation listing.
#[derive(Debug, Clone, Copy)]
pub struct ConvQuery<'a> {
    /// Which conversations: those for which [`ConvFilter::lists`] is true.
    pub filter: &'a ConvFilter,
    /// Only conversations after this position ([`ListKey`] order).
    pub after: Option<&'a ListKey>,
    /// Only these versions.
    pub versions: VersionRange,
    /// At most this many.
    pub limit: usize,
}

/// Conversations and conversation groups.
pub trait ConversationStore: Send + Sync + Debug {
    /// One conversation.
    fn conversation(&self, id: &ConvId) -> StoreResult<Option<Conversation>>;

    /// The conversations that exist among `ids`, in the order of `ids`
    /// (duplicates returned once).
    fn conversations(&self, ids: &[ConvId]) -> StoreResult<Vec<Conversation>>;

    /// Conversations selected by the query, in [`ListKey`] order.
    fn list_conversations(&self, query: &ConvQuery<'_>) -> StoreResult<Vec<Conversation>>;

    /// Every conversation that matches `filter` ([`ConvFilter::matches`]),
    /// hidden ones included, in [`ListKey`] order: for work on all of them
    /// (cleaning unread, group changes), not for display.
    fn matching_conversations(&self, filter: &ConvFilter) -> StoreResult<Vec<Conversation>> {
        let all = |filter: &ConvFilter| {
            self.list_conversations(&ConvQuery {
                filter,
                after: None,
                versions: VersionRange::Any,
                limit: usize::MAX,
            })
        };
        let mut found = all(filter)?;
        if filter.asks_for_hidden() {
            return Ok(found);
        }
        // The hidden ones that match: the same filter with the hide mark added.
        let hide = MarkSet::HIDE;
        let hidden_marks = match filter.marks {
            Some(MarkFilter::Unmarked) => return Ok(found),
            Some(MarkFilter::HasAll(set)) => set | hide,
            None => hide,
        };
        found.extend(all(&ConvFilter {
            marks: Some(MarkFilter::HasAll(hidden_marks)),
            ..filter.clone()
        })?);
        found.sort_by_key(Conversation::list_key);
        Ok(found)
    }

    /// Sum of unread counts over conversations that match `filter`
    /// ([`ConvFilter::matches`], hidden ones included) and count toward
    /// totals ([`Conversation::counts_toward_total_unread`]).
    fn unread_total(&self, filter: &ConvFilter) -> StoreResult<u64>;

    /// Conversation group names, in creation order.
    fn conversation_groups(&self) -> StoreResult<Vec<String>>;

    /// The largest conversation version stored (0 when empty).
    fn max_version(&self) -> StoreResult<u64>;

    /// Applies `batch` atomically and returns how each touched conversation
    /// changed, one entry per conversation in first-touched order.
    ///
    /// # Errors
    /// [`crate::StoreError::NotFound`] or [`crate::StoreError::Conflict`]
    /// when an operation is invalid (see [`crate::WriteOp`]); nothing is
    /// written then.
    fn apply(&self, batch: &WriteBatch) -> StoreResult<Vec<ConvChange>>;
}

/// A conversation's share of a search over all conversations.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationHits {
    /// The conversation.
    pub conv: ConvId,
    /// How many of its messages match.
    pub count: u64,
    /// Its newest matching message.
    pub newest: Message,
}

impl ConversationHits {
    /// Groups search hits (newest first) by conversation, in the order of
    /// each conversation's newest hit, and returns the total number of
    /// conversations with the page `offset..offset + limit` of them: the
    /// shape every backend's [`MessageStore::search_conversations`] returns.
    pub fn group(
        hits: impl IntoIterator<Item = (ConvId, Message)>,
        offset: usize,
        limit: usize,
    ) -> (u64, Vec<ConversationHits>) {
        let (total, page) = group_by_conversation(hits, offset, limit);
        let page = page
            .into_iter()
            .map(|(conv, count, newest)| ConversationHits {
                conv,
                count,
                newest,
            })
            .collect();
        (total, page)
    }
}

/// Groups hits (newest first) by conversation, in the order of each
/// conversation's newest hit: the total number of conversations, and for
/// the page `offset..offset + limit` of them each conversation with its
/// number of hits and its newest hit. Generic over what a hit carries, so
/// a backend can group light positions and read only the page's messages.
pub fn group_by_conversation<T>(
    hits: impl IntoIterator<Item = (ConvId, T)>,
    offset: usize,
    limit: usize,
) -> (u64, Vec<(ConvId, u64, T)>) {
    let mut order: Vec<(ConvId, u64, T)> = Vec::new();
    let mut index: std::collections::BTreeMap<ConvId, usize> = std::collections::BTreeMap::new();
    for (conv, hit) in hits {
        match index.get(&conv) {
            Some(&i) => order[i].1 += 1,
            None => {
                index.insert(conv.clone(), order.len());
                order.push((conv, 1, hit));
            }
        }
    }
    let total = order.len() as u64;
    (total, order.into_iter().skip(offset).take(limit).collect())
}

/// Messages. Writes go through [`ConversationStore::apply`] with the
/// message operations of [`crate::WriteOp`], so a message and its
/// conversation change in one atomic batch.
pub trait MessageStore: Send + Sync + Debug {
    /// One message by `message_msg_id`, whatever its status.
    fn message(&self, msg_id: &str) -> StoreResult<Option<Message>>;

    /// The messages that exist among `msg_ids`, in input order (duplicates once).
    fn messages(&self, msg_ids: &[String]) -> StoreResult<Vec<Message>>;

    /// A history page: messages selected by [`HistoryQuery::selects`],
    /// nearest to the anchor first (newest first for `Older`, oldest first
    /// for `Newer`), at most `limit`.
    fn history(&self, query: &HistoryQuery) -> StoreResult<Vec<Message>>;

    /// Messages of `conv` with the given sequences, in ascending sequence order.
    fn messages_by_seqs(&self, conv: &ConvId, seqs: &[u64]) -> StoreResult<Vec<Message>>;

    /// Outgoing messages still `Sending` (accepted but not yet known to be
    /// sent), oldest first, at most `limit`: the send queue an app resumes
    /// after a restart or a crash.
    fn sending_messages(&self, limit: usize) -> StoreResult<Vec<(ConvId, Message)>>;

    /// The message of `conv` nearest to sequence `seq` on the `direction`
    /// side, `seq` itself included: for `Older` the one with the largest
    /// sequence at most `seq`, for `Newer` the smallest at least `seq`
    /// (unsent messages, sequence 0, never), ties broken by history order
    /// toward the far side. It anchors a group history page at a sequence
    /// whose own message is not stored locally.
    fn nearest_by_seq(
        &self,
        conv: &ConvId,
        seq: u64,
        direction: crate::Direction,
    ) -> StoreResult<Option<Message>>;

    /// The message of `conv` a locator names ([`crate::locator_matches`]),
    /// the newest one when several match.
    fn find_by_locator(&self, conv: &ConvId, locator: &MsgLocator) -> StoreResult<Option<Message>>;

    /// How many messages of the conversation count as unread
    /// ([`crate::counts_as_unread`]) after the read position.
    fn count_unread(&self, query: &UnreadQuery) -> StoreResult<u64>;

    /// Matching messages ([`SearchQuery::matches`]), newest first, skipping
    /// `offset` and returning at most `limit`, with the total count.
    fn search_messages(
        &self,
        query: &SearchQuery,
        offset: usize,
        limit: usize,
    ) -> StoreResult<(u64, Vec<(ConvId, Message)>)>;

    /// Conversations with matches, ordered by their newest match (newest
    /// first, then conversation id), skipping `offset` and returning at most
    /// `limit`, with the total number of conversations.
    fn search_conversations(
        &self,
        query: &SearchQuery,
        offset: usize,
        limit: usize,
    ) -> StoreResult<(u64, Vec<ConversationHits>)>;
}

/// Small named values the SDK keeps between runs (e.g. the server event
/// cursor), written with [`crate::WriteOp::PutSetting`] in the same atomic
/// batches as everything else.
pub trait SettingStore: Send + Sync + Debug {
    /// The value of `key`, if set.
    fn setting(&self, key: &str) -> StoreResult<Option<String>>;
}

/// Everything a backend stores. Logic crates bound on the narrowest trait
/// they need; the facade holds an `Arc<dyn Store>`.
pub trait Store: ConversationStore + MessageStore + SettingStore {}

impl<T: ConversationStore + MessageStore + SettingStore + ?Sized> Store for T {}

/// The single write path of conversation state.
///
/// The conversation layer implements it (it owns the writer lock, list
/// walks, unread watches and conversation events); the message layer
/// commits through it, so a message row and its conversation's last
/// message and unread count are one batch, and conversation events follow
/// from every change, whoever made it.
pub trait ConversationWriter: Send + Sync + Debug {
    /// Runs `stage` under the writer lock to build a batch, stamps every
    /// conversation it puts with a new version, applies it atomically and
    /// returns the conversation changes. Nothing is written when `stage`
    /// or the commit fails.
    ///
    /// # Errors
    /// The error of `stage`, or a storage failure.
    fn commit(
        &self,
        stage: &mut dyn FnMut(&mut WriteBatch) -> ImResult<()>,
    ) -> ImResult<Vec<ConvChange>>;
}

/// Counts the unread messages of a conversation after a read position.
///
/// Cleaning unread up to a point *inside* a conversation's history needs
/// the messages: the message layer implements this, and the conversation
/// layer uses it when installed.
pub trait UnreadRecount: Send + Sync + Debug {
    /// Unread messages of `id` newer than `read_time` (C2C, seconds) or
    /// with a sequence above `read_seq` (groups).
    ///
    /// # Errors
    /// A storage failure.
    fn unread_after(&self, id: &ConvId, read_time: u64, read_seq: u64) -> ImResult<u64>;

    /// The read position that covers every stored message of `id`: the
    /// newest message's time and the highest sequence (an unsent newest
    /// message has sequence 0, so the last message alone may not carry
    /// it); `(0, 0)` when nothing is stored.
    ///
    /// # Errors
    /// A storage failure.
    fn newest_position(&self, id: &ConvId) -> ImResult<(u64, u64)>;
}
