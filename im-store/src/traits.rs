//! The storage traits.
//!
//! They are synchronous on purpose: every backend we have (memory,
//! SQLite, sled) is blocking, synchronous `&self` methods are object-safe
//! (`Arc<dyn Store>`), and the conformance and property tests stay plain
//! `#[test]`s. Async callers move store calls off their executor once, at
//! the orchestration layer.

use std::fmt::Debug;

use im_model::ConvId;

use crate::{ConvChange, ConvFilter, Conversation, ListKey, StoreResult, WriteBatch};

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

/// Everything a backend stores. Logic crates bound on the narrowest trait
/// they need; the facade holds an `Arc<dyn Store>`.
pub trait Store: ConversationStore {}

impl<T: ConversationStore + ?Sized> Store for T {}
