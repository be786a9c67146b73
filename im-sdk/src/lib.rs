//! The client engine an app embeds: it ties the conversation and message
//! layers to a store and a transport, and runs them for real.
//!
//! * [`Client::builder`] picks the store (SQLite under a data directory,
//!   the `sqlite` feature, default; or memory), the transport and the
//!   SDKAppID.
//! * [`Client::login`] opens the user's store, resumes the send queue and
//!   starts the sync loop; [`Client::logout`] and [`Client::shutdown`] stop
//!   them, finish calls in flight and close the store.
//! * [`Client::conversations`] and [`Client::messages`] expose every
//!   function of the conversation and message layers as async methods;
//!   [`Client::groups`] creates groups and manages their members;
//!   [`Client::profiles`] reads and changes user profiles.
//! * Events come in commit order from one dispatcher thread, as a stream
//!   ([`Client::events`]) or to listeners ([`Client::add_event_listener`]).
//!
//! The runtime boundary: calls into the logic crates run on tokio's
//! blocking pool, never on an async worker (the `engine` module). This
//! crate depends on every crate below it and on nothing above (checked by
//! `cargo xtask tidy`).
//!
//! ```
//! # use std::sync::Arc;
//! # use im_transport::testing::TestTransport;
//! # #[tokio::main(flavor = "multi_thread")]
//! # async fn main() -> Result<(), im_model::ImError> {
//! # let transport = Arc::new(TestTransport::new(Arc::new(im_model::SystemClock)));
//! let client = im_sdk::Client::builder()
//!     .sdk_app_id(1400000000)
//!     .memory_store()
//!     .transport(transport)
//!     .build()?;
//! client.login("alice", "user-sig").await?;
//! let bob = im_model::ConvId::c2c("bob")?;
//! let sent = client.messages().send_message(&bob, &im_model::Message::text("hi")).await?;
//! assert_eq!(sent.status, Some(im_model::MsgStatus::SendSucc));
//! client.shutdown().await;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

mod builder;
mod client;
mod conversations;
mod engine;
mod events;
mod groups;
mod messages;
mod profiles;
mod runtime;
mod send_queue;
mod sync_loop;

pub use builder::ClientBuilder;
pub use client::{Client, SLED_STORE_DIR, SQLITE_STORE_FILE, user_data_dir};
pub use conversations::ConversationManager;
pub use events::{EventListener, NetworkStatus, SdkEvent};
pub use groups::GroupManager;
pub use im_msg::RetryPolicy;
pub use im_transport::{
    CreateGroupRequest, GroupMember, HandlePendencyRequest, JoinGroupRequest, MembersPage,
    MembersPageRequest,
};
pub use messages::MessageManager;
pub use profiles::ProfileManager;
pub use runtime::sleep;

/// The README's examples, compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

// The types the API above shows, so that an app (or the C API) can name
// them without depending on the crates below.
pub use im_conv::{ConvEvent, RemovedFromGroupReason};
pub use im_model;
pub use im_msg::MsgEvent;
pub use im_store::ConvFilter;
