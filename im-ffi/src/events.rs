//! From the SDK's events to the app's notification callbacks.
//!
//! [`CallbackBridge`] is the C API's event listener on the client: on the
//! SDK's dispatcher thread it turns each event into Tencent's JSON, then
//! posts the call to the callback thread, which reads the registry slot
//! at delivery time (a callback cleared in between is not called).

use std::ffi::{c_int, c_void};

use im_sdk::im_model::{ConvId, ConvInfo};
use im_sdk::{ConvEvent, EventListener, MsgEvent, NetworkStatus, SdkEvent};
use serde::Serialize;

use crate::abi::{TIMConvEvent, TIMNetworkStatus};
use crate::dispatch::{c_text, post};
use crate::registry::registry;

/// The listener the C API adds to its client.
#[derive(Debug, Default)]
pub(crate) struct CallbackBridge;

impl EventListener for CallbackBridge {
    fn on_event(&self, event: &SdkEvent) {
        deliver(event);
    }
}

/// Tencent's JSON for a payload; a value that cannot be encoded (it never
/// happens with the model's types) is logged and sent as an empty array.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| {
        tracing::error!(error = %e, "encoding a callback payload failed");
        "[]".to_owned()
    })
}

/// A deleted conversation as the `kTIMConvEvent_Del` payload carries it:
/// a ConvInfo with its id and type (spec 1.2, note 1).
fn deleted_info(id: &ConvId) -> ConvInfo {
    ConvInfo {
        conv_id: Some(id.peer().to_owned()),
        conv_type: Some(id.conv_type()),
        ..ConvInfo::default()
    }
}

/// Calls the app's conversation-event callback.
fn conv_event(kind: TIMConvEvent, json: String) {
    post(move || {
        let slot = registry().conv_event;
        if let Some((f, user_data)) = slot {
            let json = c_text(json);
            // SAFETY: the app's TIMConvEventCallback; `json` outlives the call.
            unsafe { f(kind as c_int, json.as_ptr(), user_data.get()) };
        }
    });
}

/// Calls a `(const char* json, const void* user_data)` callback taken
/// from the registry at delivery time.
fn json_callback(
    pick: fn(&crate::registry::Registry) -> crate::registry::Slot<JsonFn>,
    json: String,
) {
    post(move || {
        let slot = pick(&registry());
        if let Some((f, user_data)) = slot {
            let json = c_text(json);
            // SAFETY: an app callback with the one-string prototype; `json`
            // outlives the call.
            unsafe { f(json.as_ptr(), user_data.get()) };
        }
    });
}

/// The prototype shared by the message notification callbacks.
type JsonFn = unsafe extern "C" fn(*const std::ffi::c_char, *const c_void);

/// Calls a `(const char* name, const char* json, const void*)` callback.
fn name_json_callback(
    pick: fn(&crate::registry::Registry) -> crate::registry::Slot<NameJsonFn>,
    name: String,
    json: String,
) {
    post(move || {
        let slot = pick(&registry());
        if let Some((f, user_data)) = slot {
            let (name, json) = (c_text(name), c_text(json));
            // SAFETY: an app callback with the two-string prototype; both
            // strings outlive the call.
            unsafe { f(name.as_ptr(), json.as_ptr(), user_data.get()) };
        }
    });
}

/// The prototype of the conversation-group callbacks with a list.
type NameJsonFn =
    unsafe extern "C" fn(*const std::ffi::c_char, *const std::ffi::c_char, *const c_void);

/// A count as the C `int` of the unread callbacks (saturating).
fn count(total: u64) -> c_int {
    c_int::try_from(total).unwrap_or(c_int::MAX)
}

fn deliver(event: &SdkEvent) {
    match event {
        SdkEvent::Conversation(e) => conversation(e),
        SdkEvent::Message(e) => message(e),
        SdkEvent::Network(status) => network(*status),
        SdkEvent::SyncStarted => conv_event(TIMConvEvent::kTIMConvEvent_Start, String::new()),
        SdkEvent::SyncFinished => conv_event(TIMConvEvent::kTIMConvEvent_Finish, String::new()),
        SdkEvent::KickedOffline => bare(|r| r.kicked_offline),
        SdkEvent::UserSigExpired => bare(|r| r.user_sig_expired),
        // Progress of the first sync has no Tencent callback.
        SdkEvent::SyncProgress { .. } => {}
        other => tracing::debug!(?other, "an event without a C callback"),
    }
}

/// Calls a `(const void* user_data)` callback.
fn bare(
    pick: fn(
        &crate::registry::Registry,
    ) -> crate::registry::Slot<unsafe extern "C" fn(*const c_void)>,
) {
    post(move || {
        let slot = pick(&registry());
        if let Some((f, user_data)) = slot {
            // SAFETY: an app callback taking only its user_data.
            unsafe { f(user_data.get()) };
        }
    });
}

fn conversation(event: &ConvEvent) {
    match event {
        ConvEvent::Added(infos) => conv_event(TIMConvEvent::kTIMConvEvent_Add, to_json(infos)),
        ConvEvent::Updated(infos) => {
            conv_event(TIMConvEvent::kTIMConvEvent_Update, to_json(infos));
        }
        ConvEvent::Deleted(ids) => {
            let infos: Vec<ConvInfo> = ids.iter().map(deleted_info).collect();
            conv_event(TIMConvEvent::kTIMConvEvent_Del, to_json(&infos));
        }
        ConvEvent::TotalUnreadChanged(total) => {
            let total = count(*total);
            post(move || {
                let slot = registry().total_unread;
                if let Some((f, user_data)) = slot {
                    // SAFETY: the app's total-unread callback.
                    unsafe { f(total, user_data.get()) };
                }
            });
        }
        ConvEvent::UnreadByFilterChanged { filter, total } => {
            let (filter, total) = (to_json(filter), count(*total));
            post(move || {
                let slot = registry().unread_by_filter;
                if let Some((f, user_data)) = slot {
                    let filter = c_text(filter);
                    // SAFETY: the app's by-filter callback; `filter` outlives the call.
                    unsafe { f(filter.as_ptr(), total, user_data.get()) };
                }
            });
        }
        ConvEvent::GroupCreated {
            name,
            conversations,
        } => name_json_callback(|r| r.group_created, name.clone(), to_json(conversations)),
        ConvEvent::GroupDeleted { name } => {
            let name = name.clone();
            post(move || {
                let slot = registry().group_deleted;
                if let Some((f, user_data)) = slot {
                    let name = c_text(name);
                    // SAFETY: the app's group-deleted callback.
                    unsafe { f(name.as_ptr(), user_data.get()) };
                }
            });
        }
        ConvEvent::GroupRenamed { old, new } => {
            name_json_callback(|r| r.group_renamed, old.clone(), new.clone());
        }
        ConvEvent::ConversationsAddedToGroup {
            name,
            conversations,
        } => name_json_callback(|r| r.added_to_group, name.clone(), to_json(conversations)),
        // Always the 8.x prototype, with `reason`: calling a 4-argument
        // consumer (the 8.x Electron wrapper) with three arguments crashes
        // it, while a 3-argument consumer (7.x, Unity) called with four
        // reads `reason` as its `user_data` and keeps working.
        ConvEvent::ConversationsRemovedFromGroup {
            name,
            conversations,
            reason,
        } => {
            let (name, json, reason) = (name.clone(), to_json(conversations), *reason as u32);
            post(move || {
                let slot = registry().removed_from_group;
                if let Some((f, user_data)) = slot {
                    let (name, json) = (c_text(name), c_text(json));
                    // SAFETY: the app's deleted-from-group callback; the
                    // strings outlive the call.
                    unsafe { f(name.as_ptr(), json.as_ptr(), reason, user_data.get()) };
                }
            });
        }
        other => tracing::debug!(?other, "a conversation event without a C callback"),
    }
}

fn message(event: &MsgEvent) {
    match event {
        MsgEvent::NewMessages(messages) => {
            let json = to_json(messages);
            post(move || {
                // Copied out: a listener may add or remove listeners.
                let listeners = registry().new_message.clone();
                let json = c_text(json);
                for (f, user_data) in listeners {
                    // SAFETY: the app's TIMRecvNewMsgCallback; `json`
                    // outlives every call.
                    unsafe { f(json.as_ptr(), user_data.get()) };
                }
            });
            // Each group tip also goes to the group-tips callback.
            for message in messages {
                for elem in message.elem_array.as_deref().unwrap_or_default() {
                    if let im_sdk::im_model::Elem::GroupTips(tip) = elem {
                        json_callback(|r| r.group_tips, to_json(tip));
                    }
                }
            }
        }
        MsgEvent::Revoked(notices) => json_callback(|r| r.revoke, to_json(notices)),
        MsgEvent::ReadReceipts(receipts) => {
            json_callback(|r| r.read_receipt, to_json(receipts));
        }
        MsgEvent::Updated(messages) => json_callback(|r| r.message_update, to_json(messages)),
        MsgEvent::ProfileUpdated {
            profile,
            is_self: true,
        } => json_callback(|r| r.self_info_updated, to_json(profile)),
        MsgEvent::ProfileUpdated {
            profile,
            is_self: false,
        } => json_callback(|r| r.user_info_changed, to_json(&[profile])),
        MsgEvent::UploadProgress {
            msg_id,
            elem_index,
            current,
            total,
        } => {
            // The message is named by its id: the event carries no body.
            let json = to_json(&serde_json::json!({ "message_msg_id": msg_id }));
            let (index, current, total) = (
                *elem_index,
                u32::try_from(*current).unwrap_or(u32::MAX),
                u32::try_from(*total).unwrap_or(u32::MAX),
            );
            post(move || {
                let slot = registry().upload_progress;
                if let Some((f, user_data)) = slot {
                    let json = c_text(json);
                    // SAFETY: the app's upload-progress callback.
                    unsafe { f(json.as_ptr(), index, current, total, user_data.get()) };
                }
            });
        }
        other => tracing::debug!(?other, "a message event without a C callback"),
    }
}

fn network(status: NetworkStatus) {
    let (value, desc) = match status {
        NetworkStatus::Connected => (TIMNetworkStatus::kTIMConnected, ""),
        NetworkStatus::Disconnected => (TIMNetworkStatus::kTIMDisconnected, "server unreachable"),
        NetworkStatus::Connecting => (TIMNetworkStatus::kTIMConnecting, ""),
        _ => (TIMNetworkStatus::kTIMConnectFailed, "connection failed"),
    };
    post(move || {
        let slot = registry().network;
        if let Some((f, user_data)) = slot {
            let desc = c_text(desc.to_owned());
            // SAFETY: the app's network-status callback.
            unsafe { f(value as c_int, 0, desc.as_ptr(), user_data.get()) };
        }
    });
}
