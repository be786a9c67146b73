#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod custom_data;
mod drafts;
mod events;
mod groups;
mod id_list;
mod lifecycle;
mod listing;
mod marks;
pub mod paging;
mod pin;
mod service;
mod unread;

pub use events::{ConvEvent, ConversationListener, RemovedFromGroupReason};
pub use service::{ConversationService, Txn};
pub use unread::UnreadRecount;
