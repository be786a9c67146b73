#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod batch;
mod conversation;
mod error;
mod filter;
mod memory;
mod message;
pub mod notify;
pub mod plan;
pub mod search;
mod traits;

#[cfg(any(test, feature = "testing"))]
pub mod conformance;

pub use batch::{Announce, ConvChange, WriteBatch, WriteOp};
pub use conversation::{
    Conversation, ListKey, UnstoredUnread, receive_option_key, remember_receive_option,
    remembered_receive_option,
};
pub use error::{StoreError, StoreResult};
pub use filter::{ConvFilter, GroupFilter, MarkFilter};
pub use memory::MemoryStore;
pub use message::{
    Direction, HistoryQuery, MessagePos, UnreadQuery, counts_as_unread, locator_matches,
};
pub use search::SearchQuery;
pub use traits::{
    ConvQuery, ConversationHits, ConversationStore, ConversationWriter, MessageStore, SettingStore,
    Store, UnreadRecount, VersionRange, group_by_conversation,
};
