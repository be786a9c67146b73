//! TIMMessageManager.h: sending, history, revoke, modify, delete, import,
//! find, local search, receipts, receive options, downloads, and the
//! message notification callbacks (spec 1.4, 1.5).

use std::ffi::{c_char, c_int, c_void};

use im_sdk::im_model::message::{
    DownloadElemParam, DownloadElemResult, MessageSearchParam, MsgBatchSendParam, MsgDeleteParam,
    MsgGetMsgListParam,
};
use im_sdk::im_model::{ConvType, ReceiveMessageOpt};

use super::{empty, json, spawn};
use crate::abi::*;
use crate::args::{self, ID_BUFFER_BYTES, Sync, call, guard, refuse};
use crate::dispatch::{Completion, UserData, c_text, post};
use crate::registry::{add_new_message_listener, registry, remove_new_message_listener, slot};
use crate::sdk;

/// A receive option argument (0..4).
fn receive_opt(raw: RawTIMReceiveMessageOpt) -> Sync<ReceiveMessageOpt> {
    ReceiveMessageOpt::from_value(i64::from(raw)).ok_or_else(|| {
        refuse(
            TIM_ERR_PARAM,
            format!("opt {raw} is not a TIMReceiveMessageOpt"),
        )
    })
}

/// Accepts a message for sending and reports its id at once and its
/// outcome through `done`: the shared body of the three send functions.
/// `on_id` receives the id (or `""` when the message was refused).
///
/// # Safety
/// Strings NULL or NUL-terminated.
unsafe fn send(
    conv_id: *const c_char,
    conv_type: RawTIMConvType,
    json_msg_param: *const c_char,
    (cb, user_data): (TIMCommCallback, *const c_void),
    on_id: impl FnOnce(&str),
) -> Sync<()> {
    // SAFETY: forwarded.
    let conv = unsafe { args::conv(conv_id, conv_type) }?;
    // SAFETY: forwarded.
    let message = unsafe { args::message(json_msg_param, "json_msg_param") }?;
    let sdk = sdk::current()?;
    if sdk.client.login_user_id().is_none() {
        return Err(TIM_ERR_NOTLOGIN);
    }
    // Accepted from here on: the callback will be called.
    let done = Completion::new(cb, user_data);
    let client = sdk.client.clone();
    let accepted = sdk.block_on(async move {
        let (queued, outcome) = client.messages().start_send(&conv, &message).await?;
        Ok((queued, outcome))
    });
    match accepted {
        Ok((queued, outcome)) => {
            on_id(queued.msg_id.as_deref().unwrap_or(""));
            sdk.spawn(done, async move { json(outcome.await) });
        }
        // Refused before it was stored (an invalid element, over 12 KB):
        // the call was accepted, so the callback says why.
        Err(e) => {
            on_id("");
            if let Some(done) = done {
                done.fail(&e);
            }
        }
    }
    Ok(())
}

/// `int TIMMsgSendMessage(const char* conv_id, enum TIMConvType conv_type, const char* json_msg_param, char* message_id_buffer, TIMCommCallback cb, const void* user_data);`
///
/// The new `message_msg_id` is in `message_id_buffer` when this returns
/// (`""` if the message was refused); `cb` gets the message as sent.
///
/// # Safety
/// Strings NULL or NUL-terminated; `message_id_buffer` NULL or writable
/// for 128 bytes; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgSendMessage(
    conv_id: *const c_char,
    conv_type: RawTIMConvType,
    json_msg_param: *const c_char,
    message_id_buffer: *mut c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgSendMessage", || {
        let write_id = |id: &str| {
            // SAFETY: NULL or 128 writable bytes by the contract.
            unsafe { args::write_c_buffer(message_id_buffer, ID_BUFFER_BYTES, id) }
        };
        // SAFETY: the caller's contract.
        let sent = unsafe {
            send(
                conv_id,
                conv_type,
                json_msg_param,
                (cb, user_data),
                write_id,
            )
        };
        if sent.is_err() {
            write_id("");
        }
        sent
    })
}

/// `int TIMMsgSendNewMsg(const char* conv_id, enum TIMConvType conv_type, const char* json_msg_param, TIMCommCallback cb, const void* user_data);` (deprecated)
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgSendNewMsg(
    conv_id: *const c_char,
    conv_type: RawTIMConvType,
    json_msg_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgSendNewMsg", || {
        // SAFETY: the caller's contract.
        unsafe { send(conv_id, conv_type, json_msg_param, (cb, user_data), |_| {}) }
    })
}

/// `int TIMMsgSendNewMsgEx(const char* conv_id, enum TIMConvType conv_type, const char* json_msg_param, TIMCommCallback msgid_cb, TIMCommCallback res_cb, const void* user_data);` (deprecated)
///
/// `msgid_cb` gets the new message id as its `json_params`, then `res_cb`
/// the message as sent; each exactly once.
///
/// # Safety
/// Strings NULL or NUL-terminated; callbacks NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgSendNewMsgEx(
    conv_id: *const c_char,
    conv_type: RawTIMConvType,
    json_msg_param: *const c_char,
    msgid_cb: TIMCommCallback,
    res_cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgSendNewMsgEx", || {
        // Called once the message is accepted: its id, or "" when
        // validation refused it (which `res_cb` then reports).
        let on_id = |id: &str| {
            if let Some(done) = Completion::new(msgid_cb, user_data) {
                done.ok(id.to_owned());
            }
        };
        // SAFETY: the caller's contract.
        unsafe {
            send(
                conv_id,
                conv_type,
                json_msg_param,
                (res_cb, user_data),
                on_id,
            )
        }
    })
}

/// `int TIMMsgCancelSend(const char* conv_id, enum TIMConvType conv_type, const char* message_id, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgCancelSend(
    conv_id: *const c_char,
    conv_type: RawTIMConvType,
    message_id: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgCancelSend", || {
        // SAFETY: the caller's contract.
        let conv = unsafe { args::conv(conv_id, conv_type) }?;
        // SAFETY: the caller's contract.
        let id = unsafe { args::text(message_id, "message_id") }?.to_owned();
        spawn(cb, user_data, |c| async move {
            empty(c.messages().cancel_send(&conv, &id).await)
        })
    })
}

/// `int TIMMsgBatchSend(const char* json_batch_send_param, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgBatchSend(
    json_batch_send_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgBatchSend", || {
        // SAFETY: the caller's contract.
        let param: MsgBatchSendParam =
            unsafe { args::json(json_batch_send_param, "json_batch_send_param") }?;
        let users = param.identifier_array.unwrap_or_default();
        let mut message = param
            .msg
            .ok_or_else(|| refuse(TIM_ERR_PARAM, "msg_batch_send_param_msg is missing"))?;
        message.clear_unset_defaults();
        spawn(cb, user_data, |c| async move {
            json(c.messages().batch_send(&users, &message).await)
        })
    })
}

/// `int TIMMsgDownloadElemToPath(const char* json_download_elem_param, const char* path, TIMCommCallback cb, const void* user_data);`
///
/// As Tencent's: `cb` is called with `desc` `"downloading"` and a
/// MsgDownloadElemResult for each progress step, then once with the result.
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgDownloadElemToPath(
    json_download_elem_param: *const c_char,
    path: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgDownloadElemToPath", || {
        // SAFETY: the caller's contract.
        let param: DownloadElemParam =
            unsafe { args::json(json_download_elem_param, "json_download_elem_param") }?;
        // SAFETY: the caller's contract.
        let path = unsafe { args::text(path, "path") }?.to_owned();
        let ticks = UserData(user_data);
        let progress = move |step: &DownloadElemResult| {
            let json = crate::events::to_json(step);
            post(move || {
                let (desc, json) = (c_text("downloading".into()), c_text(json));
                if let Some(f) = cb {
                    // SAFETY: the app's callback, called as Tencent's
                    // download progress is; the strings outlive the call.
                    unsafe { f(0, desc.as_ptr(), json.as_ptr(), ticks.get()) };
                }
            });
        };
        spawn(cb, user_data, |c| async move {
            empty(
                c.messages()
                    .download_elem_to_path(&param, &path, progress)
                    .await,
            )
        })
    })
}

/// `int TIMMsgDownloadMergerMessage(const char* json_single_msg, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgDownloadMergerMessage(
    json_single_msg: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgDownloadMergerMessage", || {
        // SAFETY: the caller's contract.
        let message = unsafe { args::message(json_single_msg, "json_single_msg") }?;
        spawn(cb, user_data, |c| async move {
            json(c.messages().download_merged_messages(&message).await)
        })
    })
}

/// `int TIMMsgSetLocalCustomData(const char* json_msg_param, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgSetLocalCustomData(
    json_msg_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgSetLocalCustomData", || {
        // SAFETY: the caller's contract.
        let message = unsafe { args::message(json_msg_param, "json_msg_param") }?;
        spawn(cb, user_data, |c| async move {
            c.messages()
                .set_local_custom_data(&message)
                .await
                .map(|_| String::new())
        })
    })
}

/// `int TIMMsgSetC2CReceiveMessageOpt(const char* json_identifier_array, TIMReceiveMessageOpt opt, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgSetC2CReceiveMessageOpt(
    json_identifier_array: *const c_char,
    opt: RawTIMReceiveMessageOpt,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgSetC2CReceiveMessageOpt", || {
        // SAFETY: the caller's contract.
        let users: Vec<String> =
            unsafe { args::json(json_identifier_array, "json_identifier_array") }?;
        let opt = receive_opt(opt)?;
        spawn(cb, user_data, |c| async move {
            empty(c.messages().set_c2c_receive_option(&users, opt).await)
        })
    })
}

/// `int TIMMsgGetC2CReceiveMessageOpt(const char* json_identifier_array, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgGetC2CReceiveMessageOpt(
    json_identifier_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgGetC2CReceiveMessageOpt", || {
        // SAFETY: the caller's contract.
        let users: Vec<String> =
            unsafe { args::json(json_identifier_array, "json_identifier_array") }?;
        spawn(cb, user_data, |c| async move {
            json(c.messages().c2c_receive_options(&users).await)
        })
    })
}

/// `int TIMMsgSetGroupReceiveMessageOpt(const char* group_id, TIMReceiveMessageOpt opt, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgSetGroupReceiveMessageOpt(
    group_id: *const c_char,
    opt: RawTIMReceiveMessageOpt,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgSetGroupReceiveMessageOpt", || {
        // SAFETY: the caller's contract.
        let group = unsafe { args::text(group_id, "group_id") }?.to_owned();
        let opt = receive_opt(opt)?;
        spawn(cb, user_data, |c| async move {
            empty(c.messages().set_group_receive_option(&group, opt).await)
        })
    })
}

/// `int TIMMsgSetAllReceiveMessageOpt(TIMReceiveMessageOpt opt, int32_t start_hour, int32_t start_minute, int32_t start_second, uint32_t duration, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgSetAllReceiveMessageOpt(
    opt: RawTIMReceiveMessageOpt,
    start_hour: i32,
    start_minute: i32,
    start_second: i32,
    duration: u32,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgSetAllReceiveMessageOpt", || {
        let opt = receive_opt(opt)?;
        let part = |value: i32, max: i32, what: &str| {
            u32::try_from(value)
                .ok()
                .filter(|v| *v <= max as u32)
                .ok_or_else(|| refuse(TIM_ERR_PARAM, format!("{what} {value} is not in 0..={max}")))
        };
        let (h, m, s) = (
            part(start_hour, 23, "start_hour")?,
            part(start_minute, 59, "start_minute")?,
            part(start_second, 59, "start_second")?,
        );
        spawn(cb, user_data, |c| async move {
            empty(
                c.messages()
                    .set_all_receive_option(opt, h, m, s, u64::from(duration))
                    .await,
            )
        })
    })
}

/// `int TIMMsgSetAllReceiveMessageOpt2(TIMReceiveMessageOpt opt, uint32_t start_time_stamp, uint32_t duration, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgSetAllReceiveMessageOpt2(
    opt: RawTIMReceiveMessageOpt,
    start_time_stamp: u32,
    duration: u32,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgSetAllReceiveMessageOpt2", || {
        let opt = receive_opt(opt)?;
        spawn(cb, user_data, |c| async move {
            empty(
                c.messages()
                    .set_all_receive_option_from(
                        opt,
                        u64::from(start_time_stamp),
                        u64::from(duration),
                    )
                    .await,
            )
        })
    })
}

/// `int TIMMsgGetAllReceiveMessageOpt(TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgGetAllReceiveMessageOpt(
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgGetAllReceiveMessageOpt", || {
        spawn(cb, user_data, |c| async move {
            json(c.messages().all_receive_option().await)
        })
    })
}

/// `int TIMMsgGetMsgList(const char* conv_id, enum TIMConvType conv_type, const char* json_get_msg_param, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgGetMsgList(
    conv_id: *const c_char,
    conv_type: RawTIMConvType,
    json_get_msg_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgGetMsgList", || {
        // SAFETY: the caller's contract.
        let conv = unsafe { args::conv(conv_id, conv_type) }?;
        // SAFETY: the caller's contract.
        let mut param: MsgGetMsgListParam =
            unsafe { args::json(json_get_msg_param, "json_get_msg_param") }?;
        if let Some(anchor) = param.last_msg.as_mut() {
            anchor.clear_unset_defaults();
        }
        // A zero sequence anchor is the C# wrapper's "unset".
        if param.last_msg_seq == Some(0) {
            param.last_msg_seq = None;
        }
        spawn(cb, user_data, |c| async move {
            json(c.messages().get_message_list(&conv, &param).await)
        })
    })
}

/// `int TIMMsgRevoke(const char* conv_id, enum TIMConvType conv_type, const char* json_msg_param, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgRevoke(
    conv_id: *const c_char,
    conv_type: RawTIMConvType,
    json_msg_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgRevoke", || {
        // SAFETY: the caller's contract.
        let conv = unsafe { args::conv(conv_id, conv_type) }?;
        // SAFETY: the caller's contract.
        let message = unsafe { args::message(json_msg_param, "json_msg_param") }?;
        spawn(cb, user_data, |c| async move {
            empty(c.messages().revoke(&conv, &message).await)
        })
    })
}

/// `int TIMMsgListDelete(const char* conv_id, enum TIMConvType conv_type, const char* json_msg_array, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgListDelete(
    conv_id: *const c_char,
    conv_type: RawTIMConvType,
    json_msg_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgListDelete", || {
        // SAFETY: the caller's contract.
        let conv = unsafe { args::conv(conv_id, conv_type) }?;
        // SAFETY: the caller's contract.
        let messages = unsafe { args::messages(json_msg_array, "json_msg_array") }?;
        spawn(cb, user_data, |c| async move {
            empty(c.messages().delete_messages(&conv, &messages).await)
        })
    })
}

/// `int TIMMsgSaveMsg(const char* conv_id, enum TIMConvType conv_type, const char* json_msg_param, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgSaveMsg(
    conv_id: *const c_char,
    conv_type: RawTIMConvType,
    json_msg_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgSaveMsg", || {
        // SAFETY: the caller's contract.
        let conv = unsafe { args::conv(conv_id, conv_type) }?;
        // SAFETY: the caller's contract.
        let message = unsafe { args::message(json_msg_param, "json_msg_param") }?;
        spawn(cb, user_data, |c| async move {
            json(c.messages().save_message(&conv, &message).await)
        })
    })
}

/// `int TIMMsgImportMsgList(const char* conv_id, enum TIMConvType conv_type, const char* json_msg_array, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgImportMsgList(
    conv_id: *const c_char,
    conv_type: RawTIMConvType,
    json_msg_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgImportMsgList", || {
        // SAFETY: the caller's contract.
        let conv = unsafe { args::conv(conv_id, conv_type) }?;
        // SAFETY: the caller's contract.
        let messages = unsafe { args::messages(json_msg_array, "json_msg_array") }?;
        spawn(cb, user_data, |c| async move {
            json(c.messages().import_messages(&conv, &messages).await)
        })
    })
}

/// `int TIMMsgFindByMsgLocatorList(const char* conv_id, enum TIMConvType conv_type, const char* json_msg_Locator_array, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgFindByMsgLocatorList(
    conv_id: *const c_char,
    conv_type: RawTIMConvType,
    json_msg_Locator_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgFindByMsgLocatorList", || {
        // SAFETY: the caller's contract.
        let conv = unsafe { args::conv(conv_id, conv_type) }?;
        // SAFETY: the caller's contract.
        let locators = unsafe { args::locators(json_msg_Locator_array, "json_msg_Locator_array") }?;
        spawn(cb, user_data, |c| async move {
            json(c.messages().find_by_locators(&conv, &locators).await)
        })
    })
}

/// Reads a MsgDeleteParam, its message's zero ids as unset.
///
/// # Safety
/// As [`args::json`].
unsafe fn delete_param(ptr: *const c_char, what: &str) -> Sync<MsgDeleteParam> {
    // SAFETY: forwarded.
    let mut param: MsgDeleteParam = unsafe { args::json(ptr, what) }?;
    if let Some(m) = param.msg.as_mut() {
        m.clear_unset_defaults();
    }
    Ok(param)
}

/// `int TIMMsgDelete(const char* conv_id, enum TIMConvType conv_type, const char* json_msgdel_param, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgDelete(
    conv_id: *const c_char,
    conv_type: RawTIMConvType,
    json_msgdel_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgDelete", || {
        // SAFETY: the caller's contract.
        let conv = unsafe { args::conv(conv_id, conv_type) }?;
        // SAFETY: the caller's contract.
        let param = unsafe { delete_param(json_msgdel_param, "json_msgdel_param") }?;
        spawn(cb, user_data, |c| async move {
            empty(c.messages().delete_message(&conv, &param).await)
        })
    })
}

/// `int TIMMsgClearHistoryMessage(const char* conv_id, enum TIMConvType conv_type, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgClearHistoryMessage(
    conv_id: *const c_char,
    conv_type: RawTIMConvType,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgClearHistoryMessage", || {
        // SAFETY: the caller's contract.
        let conv = unsafe { args::conv(conv_id, conv_type) }?;
        spawn(cb, user_data, |c| async move {
            empty(c.messages().clear_history(&conv).await)
        })
    })
}

/// `int TIMMsgModifyMessage(const char* json_msg_param, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgModifyMessage(
    json_msg_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgModifyMessage", || {
        // SAFETY: the caller's contract.
        let message = unsafe { args::message(json_msg_param, "json_msg_param") }?;
        spawn(cb, user_data, |c| async move {
            json(c.messages().modify_message(&message).await)
        })
    })
}

/// `int TIMMsgFindMessages(const char* json_message_id_array, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgFindMessages(
    json_message_id_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgFindMessages", || {
        // SAFETY: the caller's contract.
        let ids: Vec<String> =
            unsafe { args::json(json_message_id_array, "json_message_id_array") }?;
        spawn(cb, user_data, |c| async move {
            json(c.messages().find_messages(&ids).await)
        })
    })
}

/// `int TIMMsgSearchLocalMessages(const char* json_search_message_param, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgSearchLocalMessages(
    json_search_message_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgSearchLocalMessages", || {
        // SAFETY: the caller's contract.
        let param: MessageSearchParam =
            unsafe { args::json(json_search_message_param, "json_search_message_param") }?;
        spawn(cb, user_data, |c| async move {
            json(c.messages().search_local_messages(&param).await)
        })
    })
}

/// `int TIMMsgSendMessageReadReceipts(const char* json_msg_array, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgSendMessageReadReceipts(
    json_msg_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgSendMessageReadReceipts", || {
        // SAFETY: the caller's contract.
        let messages = unsafe { args::messages(json_msg_array, "json_msg_array") }?;
        spawn(cb, user_data, |c| async move {
            empty(c.messages().send_read_receipts(&messages).await)
        })
    })
}

/// `int TIMMsgGetMessageReadReceipts(const char* json_msg_array, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgGetMessageReadReceipts(
    json_msg_array: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgGetMessageReadReceipts", || {
        // SAFETY: the caller's contract.
        let messages = unsafe { args::messages(json_msg_array, "json_msg_array") }?;
        spawn(cb, user_data, |c| async move {
            json(c.messages().message_read_receipts(&messages).await)
        })
    })
}

/// `int TIMMsgReportReaded(const char* conv_id, enum TIMConvType conv_type, const char* json_msg_param, TIMCommCallback cb, const void* user_data);` (deprecated)
///
/// `conv_id` NULL or `""`: every conversation of `conv_type`.
/// `json_msg_param` NULL or `""`: up to the conversation's latest message.
///
/// # Safety
/// Strings NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgReportReaded(
    conv_id: *const c_char,
    conv_type: RawTIMConvType,
    json_msg_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgReportReaded", || {
        let kind = args::conv_type(conv_type)?;
        // SAFETY: the caller's contract.
        let peer = unsafe { args::opt_text(conv_id, "conv_id") }?.unwrap_or("");
        // SAFETY: the caller's contract.
        let anchor: Option<im_sdk::im_model::Message> =
            unsafe { args::opt_json(json_msg_param, "json_msg_param") }?;
        let anchor = anchor.map(|mut m| {
            m.clear_unset_defaults();
            m
        });
        if peer.is_empty() {
            return spawn(cb, user_data, |c| async move {
                empty(c.messages().report_all_read(Some(kind)).await)
            });
        }
        let conv =
            im_sdk::im_model::ConvId::new(kind, peer).map_err(|e| refuse(TIM_ERR_CONV, e))?;
        spawn(cb, user_data, |c| async move {
            empty(c.messages().report_read(&conv, anchor.as_ref()).await)
        })
    })
}

/// `int TIMMsgMarkAllMessageAsRead(TIMCommCallback cb, const void* user_data);` (deprecated)
///
/// # Safety
/// `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgMarkAllMessageAsRead(
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMMsgMarkAllMessageAsRead", || {
        spawn(cb, user_data, |c| async move {
            empty(c.messages().report_all_read(None::<ConvType>).await)
        })
    })
}

/// `int TIMMsgGetGroupMessageReadMemberList(const char* json_msg, TIMGroupMessageReadMembersFilter filter, uint64_t next_seq, uint32_t count, TIMMsgGroupMessageReadMemberListCallback cb, const void* user_data);`
///
/// Not served: the server keeps read counts, not who read. Its callback
/// has no error code, so it fails synchronously with `TIM_ERR_PARAM` and
/// `cb` is never called.
///
/// # Safety
/// None of the arguments is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMMsgGetGroupMessageReadMemberList(
    json_msg: *const c_char,
    filter: RawTIMGroupMessageReadMembersFilter,
    next_seq: u64,
    count: u32,
    cb: TIMMsgGroupMessageReadMemberListCallback,
    user_data: *const c_void,
) -> c_int {
    let _ = (json_msg, filter, next_seq, count, cb, user_data);
    refuse(
        TIM_ERR_PARAM,
        "TIMMsgGetGroupMessageReadMemberList is not served by this SDK",
    )
}

/// `void TIMAddRecvNewMsgCallback(TIMRecvNewMsgCallback cb, const void* user_data);`
///
/// # Safety
/// `cb` is NULL (ignored) or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMAddRecvNewMsgCallback(
    cb: TIMRecvNewMsgCallback,
    user_data: *const c_void,
) {
    guard("TIMAddRecvNewMsgCallback", (), || {
        add_new_message_listener(cb, user_data)
    });
}

/// `void TIMRemoveRecvNewMsgCallback(TIMRecvNewMsgCallback cb);`
///
/// # Safety
/// `cb` is NULL (ignored) or a callback added before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMRemoveRecvNewMsgCallback(cb: TIMRecvNewMsgCallback) {
    guard("TIMRemoveRecvNewMsgCallback", (), || {
        remove_new_message_listener(cb)
    });
}

/// `void TIMSetMsgReadedReceiptCallback(TIMMsgReadedReceiptCallback cb, const void* user_data);`
///
/// # Safety
/// `cb` is NULL (unregisters) or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetMsgReadedReceiptCallback(
    cb: TIMMsgReadedReceiptCallback,
    user_data: *const c_void,
) {
    guard("TIMSetMsgReadedReceiptCallback", (), || {
        registry().read_receipt = slot(cb, user_data)
    });
}

/// `void TIMSetMsgRevokeCallback(TIMMsgRevokeCallback cb, const void* user_data);`
///
/// # Safety
/// `cb` is NULL (unregisters) or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetMsgRevokeCallback(
    cb: TIMMsgRevokeCallback,
    user_data: *const c_void,
) {
    guard("TIMSetMsgRevokeCallback", (), || {
        registry().revoke = slot(cb, user_data)
    });
}

/// `void TIMSetMsgUpdateCallback(TIMMsgUpdateCallback cb, const void* user_data);`
///
/// # Safety
/// `cb` is NULL (unregisters) or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetMsgUpdateCallback(
    cb: TIMMsgUpdateCallback,
    user_data: *const c_void,
) {
    guard("TIMSetMsgUpdateCallback", (), || {
        registry().message_update = slot(cb, user_data)
    });
}

/// `void TIMSetMsgElemUploadProgressCallback(TIMMsgElemUploadProgressCallback cb, const void* user_data);`
///
/// `json_msg` carries the message's `message_msg_id`.
///
/// # Safety
/// `cb` is NULL (unregisters) or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetMsgElemUploadProgressCallback(
    cb: TIMMsgElemUploadProgressCallback,
    user_data: *const c_void,
) {
    guard("TIMSetMsgElemUploadProgressCallback", (), || {
        registry().upload_progress = slot(cb, user_data)
    });
}
