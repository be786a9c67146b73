//! The IM SDK core in a browser, with Tencent's Web API on top.
//!
//! The engine (im-sdk over im-conv, im-msg and the SQLite store) is
//! compiled to `wasm32-unknown-unknown` and runs in a dedicated Web
//! Worker: SQLite persists on OPFS (the sahpool VFS), the transport is
//! `fetch` with the push stream read from a streamed response. The page
//! loads `index.js`, an ES module offering `TencentCloudChat` (also
//! exported as `TIM`) with Tencent's method names, events and codes; it
//! forwards every call to the worker and keeps a mirror of what the Web SDK
//! answers synchronously.
//!
//! This crate holds the part of that which is Rust:
//! * [`api::WebApi`]: the Web API's calls over an [`im_sdk::Client`], by
//!   method name, with the Web SDK's shapes and codes;
//! * [`events::pump`]: the engine's events as the Web SDK's;
//! * [`shapes`], [`web_id`], [`codes`]: the Web SDK's objects, ids and
//!   errors;
//! * in a browser only, `worker` (the `ImWorker` class the worker script
//!   drives, with the OPFS store and the fetch transport).
//!
//! Everything but `worker` builds natively too, so the Web API's
//! semantics are tested against the real server with `cargo test`. It
//! depends on the engine's facade and the model, never on the server.

pub mod api;
pub mod codes;
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod console;
pub mod events;
pub mod shapes;
pub mod web_id;
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod worker;

pub use api::WebApi;
pub use codes::{WebCode, WebError};
