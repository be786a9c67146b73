#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod cache;
mod conv_update;
mod delete;
mod download;
mod events;
mod find;
mod group_info;
mod history;
mod ids;
mod local;
mod modify;
mod profiles;
mod rate;
mod read;
mod receipts;
mod receive;
mod receive_opt;
mod revoke;
mod roaming;
mod search;
mod send;
mod service;
mod snapshot;
mod upload;
mod validate;

pub use events::MsgEvent;
pub use im_store::notify::Listener;
pub use receive::SyncProgress;
pub use send::{Delivery, RetryPolicy};
pub use service::{EVENT_CURSOR_KEY, MessageConfig, MessageService};
