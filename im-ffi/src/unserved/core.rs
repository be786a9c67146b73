//! `TIMManager.h`: user status and profile subscriptions. Not served by
//! this SDK (profiles themselves are served: `api::profile`).
//!
//! Every function is exported with Tencent's exact prototype, because a
//! wrapper that binds a missing symbol takes its host process down. A
//! call fails cleanly through its callback (see `super::refuse`); a
//! callback setter is accepted and its callback never fires. Written from
//! the table `abi/functions.txt`, which `tests/abi.rs` checks.

#![allow(unused_variables)]

use std::ffi::{c_char, c_int, c_void};

#[allow(unused_imports)]
use crate::abi::*;

/// `TIMGetUserStatus`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGetUserStatus(
    json_identifier_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMGetUserStatus",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMSetSelfStatus`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetSelfStatus(
    json_current_user_status: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMSetSelfStatus",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMSetUserStatusChangedCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetUserStatusChangedCallback(
    cb: TIMUserStatusChangedCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetUserStatusChangedCallback");
}

/// `TIMSubscribeUserInfo`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSubscribeUserInfo(
    json_user_id_list: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMSubscribeUserInfo",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMSubscribeUserStatus`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSubscribeUserStatus(
    json_identifier_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMSubscribeUserStatus",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMUnsubscribeUserInfo`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMUnsubscribeUserInfo(
    json_user_id_list: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMUnsubscribeUserInfo",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMUnsubscribeUserStatus`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMUnsubscribeUserStatus(
    json_identifier_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMUnsubscribeUserStatus",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}
