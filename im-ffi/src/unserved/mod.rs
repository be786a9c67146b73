//! The functions of Tencent's headers this SDK does not serve: friendship,
//! most of group management, communities, signaling, offline push, user
//! profiles and status, and the message add-ons (extensions, reactions,
//! pinned group messages, cloud search, translation, voice to text).
//!
//! They are exported all the same, with Tencent's prototypes: a wrapper
//! binds every symbol it knows when it loads the library, and one missing
//! symbol would take its host process down instead of failing one call.
//! A call returns `TIM_SUCC` and its callback reports
//! `ERR_SDK_INTERFACE_NOT_SUPPORT` (7013), or `ERR_SVR_COMM_INVALID_SERVICE`
//! (60020) for what Tencent sells as a paid add-on; a callback setter is
//! accepted and its callback never fires. README.md lists every one.

use std::ffi::{c_char, c_int, c_void};

use crate::abi::{TIM_SUCC, TIMCommCallback};
use crate::args::guard;
use crate::dispatch::Completion;

pub mod community;
pub mod core;
pub mod friendship;
pub mod group;
pub mod message;
pub mod offline_push;
pub mod signaling;

/// Fails an unserved call through its callback with `code`.
fn refuse(name: &'static str, code: i32, cb: TIMCommCallback, user_data: *const c_void) -> c_int {
    guard(name, crate::abi::TIM_ERR_PARAM, || {
        if let Err(code) = crate::sdk::current() {
            return code;
        }
        if let Some(done) = Completion::new(cb, user_data) {
            done.finish(
                code,
                format!("{name} is not served by this SDK (see its README)"),
                String::new(),
            );
        }
        TIM_SUCC
    })
}

/// Accepts a callback setter of an unserved feature: its callback never
/// fires, so there is nothing to keep (and NULL is as harmless).
fn ignore_setter(name: &'static str) {
    tracing::debug!(function = name, "callback of an unserved feature accepted");
}

/// Leaves an empty string in an out buffer the call would have filled.
///
/// # Safety
/// `buffer` is NULL or writable for at least one byte.
unsafe fn clear_buffer(buffer: *mut c_char) {
    if !buffer.is_null() {
        // SAFETY: non-NULL and writable for a byte by the contract.
        unsafe { *buffer = 0 };
    }
}
