//! TIMExperimentalAPI.h: `callExperimentalAPI`, which Tencent's wrappers
//! call on their init path (before `TIMInit`), and its notify callback.

use std::ffi::{c_char, c_int, c_void};

use serde_json::{Map, Value};

use crate::abi::*;
use crate::args::{self, call, refuse};
use crate::dispatch::Completion;

/// Operations that tune Tencent's own network, UI-kit reporting or
/// push services: nothing here depends on them, so they succeed and
/// change nothing.
const ACCEPTED: &[&str] = &[
    "internal_operation_set_ui_platform",
    "internal_operation_set_env",
    "internal_operation_set_ipv6_prior",
    "internal_operation_set_max_retry_count",
    "internal_operation_set_packet_request_timeout",
    "internal_operation_enable_quic_channel",
    "internal_operation_set_cos_save_region_for_conversation",
    "internal_operation_report_tuicomponent_usage",
    "internal_operation_set_application_id",
    "internal_operation_set_ignore_repeat_login",
    "internal_operation_set_offline_push_state",
];

/// Operations Tencent defines that ask for something this SDK does not
/// do (database encryption, Tencent's SSO channel, tiny ids ...): they fail
/// with 7013 rather than pretend.
const KNOWN_UNSERVED: &[&str] = &[
    "internal_operation_sso_data",
    "internal_operation_userid_tinyid",
    "internal_operation_tinyid_userid",
    "internal_operation_set_custom_server_info",
    "internal_operation_set_sm4_gcm_callback",
    "internal_operation_init_local_storage",
    "internal_operation_set_database_encrypt_info",
    "internal_operation_is_commercial_ability_enabled",
    "internal_operation_get_offline_push_state",
    "internal_operation_get_message_revoker",
    "internal_operation_clear_local_history_message",
    "internal_operation_update_proxy_info",
    "internal_operation_send_trtc_custom_data",
    "internal_operation_send_room_custom_data",
    "internal_operation_get_server_config",
    "internal_operation_start_message_long_polling",
    "internal_operation_stop_message_long_polling",
    "internal_operation_find_merger_messages",
    "internal_operation_get_brief_group_member_list",
];

/// `int callExperimentalAPI(const char* json_param, TIMCommCallback cb, const void* user_data);`
///
/// Works before `TIMInit`. `request_internal_operation` names the
/// operation: those that do not apply here succeed (`""`),
/// `internal_operation_write_log` writes `request_write_log_log_content_param`
/// to the SDK's log, the rest of Tencent's fail with 7013, and an unknown
/// one fails with 6017 (`ERR_INVALID_PARAMETERS`).
///
/// # Safety
/// `json_param` NULL or NUL-terminated; `cb` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn callExperimentalAPI(
    json_param: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("callExperimentalAPI", || {
        // SAFETY: the caller's contract.
        let request: Map<String, Value> = unsafe { args::json(json_param, "json_param") }?;
        let operation = request
            .get("request_internal_operation")
            .and_then(Value::as_str)
            .ok_or_else(|| refuse(TIM_ERR_PARAM, "request_internal_operation is missing"))?;
        let outcome = if ACCEPTED.contains(&operation) {
            Ok(())
        } else if operation == "internal_operation_write_log" {
            let text = request
                .get("request_write_log_log_content_param")
                .and_then(Value::as_str)
                .unwrap_or("");
            tracing::info!(target: "app", "{text}");
            Ok(())
        } else if KNOWN_UNSERVED.contains(&operation) {
            Err((
                ERR_SDK_INTERFACE_NOT_SUPPORT,
                format!("{operation} is not served by this SDK"),
            ))
        } else {
            Err((
                ERR_INVALID_PARAMETERS,
                format!("unknown operation {operation}"),
            ))
        };
        if let Some(done) = Completion::new(cb, user_data) {
            match outcome {
                Ok(()) => done.ok(String::new()),
                Err((code, why)) => done.finish(code, why, String::new()),
            }
        }
        Ok(())
    })
}

/// `void TIMSetExperimentalNotifyCallback(TIMExperimentalNotifyCallback cb, const void* user_data);`
///
/// Accepted; this SDK raises no experimental notifications, so the
/// callback never fires.
///
/// # Safety
/// None of the arguments is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetExperimentalNotifyCallback(
    cb: TIMExperimentalNotifyCallback,
    user_data: *const c_void,
) {
    let _ = (cb, user_data);
}
