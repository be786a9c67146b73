//! Tencent IM's C API (`TIMInit`, `TIMConv*`, `TIMMsg*` ...) over the
//! im-sdk client engine, built as `libImSDK.so` / `libImSDK.a`: code
//! written against Tencent's headers and Tencent's own wrappers (C, C#,
//! Electron, Unity) runs against it unchanged.
//!
//! * Every function of Tencent's public headers is exported with its
//!   exact prototype ([`abi`] holds the C types; `include/TIMCloud.h` is
//!   generated from this crate by `cargo xtask header`). What the SDK
//!   serves is in [`api`]; the rest is in [`unserved`], where each call
//!   fails cleanly through its callback.
//! * The calling contract (spec 0.2): a call returns `TIM_SUCC` and then
//!   calls its callback exactly once, or returns an error and never calls
//!   it. Arguments are checked on the caller's thread (`args`); the work
//!   runs on the SDK's runtime (`sdk`); every callback runs on one
//!   callback thread (`dispatch`), never while an SDK lock is held, and
//!   none after `TIMUninit` returns. Notifications come from the SDK's
//!   events (`events`) to the callbacks the app registered (`registry`).
//! * Nothing unwinds into C: every exported function runs inside
//!   `args::guard`, which turns a panic into an error return.
//!
//! This crate is a thin layer: decode arguments, call one im-sdk method,
//! encode the result, call back. It holds no business rule, and it is the
//! only crate of the workspace with `unsafe` code (each block says why it
//! is sound). It depends on im-sdk (and the HTTP transport it
//! configures), never on the layers below them.
#![allow(non_snake_case, non_upper_case_globals, non_camel_case_types)]

pub mod abi;
pub mod api;
mod args;
mod dispatch;
mod events;
mod log;
mod registry;
mod sdk;
pub mod unserved;

pub use api::manager::{DEFAULT_SERVER_URL, SERVER_URL_ENV};
#[cfg(feature = "inject-panic")]
pub use args::inject_panics;
