#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

#[macro_use]
mod macros;

pub mod clock;
pub mod conv_id;
pub mod conversation;
pub mod enums;
pub mod error;
pub mod group;
pub mod group_member;
pub mod json_keys;
pub mod limits;
pub mod mark;
pub mod message;
pub mod profile;
pub mod wire;

pub use clock::{Clock, ManualClock, SystemClock};
pub use conv_id::{ConvId, ConvSelector};
pub use conversation::{
    ConvInfo, ConversationListFilter, ConversationListResult, ConversationOperationResult, Draft,
    GetConversationListParam, GroupAtInfo, TotalUnreadResult,
};
pub use enums::{
    ConvEventKind, ConvType, DownloadType, ElemType, GroupAtType, GroupType, ImageLevel,
    KeywordMatchType, MsgPriority, MsgStatus, Platform, ReceiveMessageOpt,
};
pub use error::{ErrorCode, ImError, ImResult};
pub use mark::MarkSet;
pub use message::{Elem, Message};
