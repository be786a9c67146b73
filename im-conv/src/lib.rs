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

pub use events::{ConvEvent, RemovedFromGroupReason};
pub use groups::check_name as check_group_name;
pub use id_list::checked_ids;
pub use im_store::UnreadRecount;
pub use im_store::notify::Listener;
pub use service::{ConversationService, Txn};
