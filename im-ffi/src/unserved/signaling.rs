//! `TIMSignalingManager.h`: signaling (call invitations). Not served by this SDK.
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

/// `TIMGetSignalingInfo`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGetSignalingInfo(
    json_msg: *const c_char,
    json_signaling_info_cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMGetSignalingInfo",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        json_signaling_info_cb,
        user_data,
    )
}

/// `TIMSetSignalingInvitationCancelledCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetSignalingInvitationCancelledCallback(
    cb: TIMSignalingInvitationCancelledCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetSignalingInvitationCancelledCallback");
}

/// `TIMSetSignalingInvitationModifiedCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetSignalingInvitationModifiedCallback(
    cb: TIMSignalingInvitationModifiedCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetSignalingInvitationModifiedCallback");
}

/// `TIMSetSignalingInvitationTimeoutCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetSignalingInvitationTimeoutCallback(
    cb: TIMSignalingInvitationTimeoutCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetSignalingInvitationTimeoutCallback");
}

/// `TIMSetSignalingInviteeAcceptedCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetSignalingInviteeAcceptedCallback(
    cb: TIMSignalingInviteeAcceptedCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetSignalingInviteeAcceptedCallback");
}

/// `TIMSetSignalingInviteeRejectedCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetSignalingInviteeRejectedCallback(
    cb: TIMSignalingInviteeRejectedCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetSignalingInviteeRejectedCallback");
}

/// `TIMSetSignalingReceiveNewInvitationCallback`: not served; the callback is accepted and never called.
///
/// # Safety
/// Any arguments: none is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetSignalingReceiveNewInvitationCallback(
    cb: TIMSignalingReceiveNewInvitationCallback,
    user_data: *const c_void,
) {
    super::ignore_setter("TIMSetSignalingReceiveNewInvitationCallback");
}

/// `TIMSignalingAccept`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSignalingAccept(
    invite_id: *const c_char,
    data: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMSignalingAccept",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMSignalingCancel`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSignalingCancel(
    invite_id: *const c_char,
    data: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMSignalingCancel",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMSignalingInvite`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT` (its out buffer gets an empty string).
///
/// # Safety
/// `cb` is NULL or a valid callback; each out buffer is NULL or writable for one byte.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSignalingInvite(
    invitee: *const c_char,
    data: *const c_char,
    online_user_only: TimBool,
    json_offline_push_info: *const c_char,
    timeout: c_int,
    invite_id_buffer: *mut c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    // SAFETY: the caller passes NULL or a buffer of Tencent's documented size.
    unsafe { super::clear_buffer(invite_id_buffer) };
    super::refuse(
        "TIMSignalingInvite",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMSignalingInviteInGroup`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT` (its out buffer gets an empty string).
///
/// # Safety
/// `cb` is NULL or a valid callback; each out buffer is NULL or writable for one byte.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSignalingInviteInGroup(
    group_id: *const c_char,
    json_invitee_array: *const c_char,
    data: *const c_char,
    online_user_only: TimBool,
    timeout: c_int,
    invite_id_buffer: *mut c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    // SAFETY: the caller passes NULL or a buffer of Tencent's documented size.
    unsafe { super::clear_buffer(invite_id_buffer) };
    super::refuse(
        "TIMSignalingInviteInGroup",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMSignalingModifyInvitation`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSignalingModifyInvitation(
    invite_id: *const c_char,
    data: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMSignalingModifyInvitation",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}

/// `TIMSignalingReject`: not served: returns `TIM_SUCC` and calls `cb` with ERR code `ERR_SDK_INTERFACE_NOT_SUPPORT`.
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSignalingReject(
    invite_id: *const c_char,
    data: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    super::refuse(
        "TIMSignalingReject",
        ERR_SDK_INTERFACE_NOT_SUPPORT,
        cb,
        user_data,
    )
}
