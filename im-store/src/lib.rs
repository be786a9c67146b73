#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod batch;
mod conversation;
mod error;
mod filter;
mod memory;
mod traits;

#[cfg(any(test, feature = "testing"))]
pub mod conformance;

pub use batch::{ConvChange, WriteBatch, WriteOp};
pub use conversation::{Conversation, ListKey};
pub use error::{StoreError, StoreResult};
pub use filter::{ConvFilter, GroupFilter, MarkFilter};
pub use memory::MemoryStore;
pub use traits::{ConvQuery, ConversationStore, Store, VersionRange};
