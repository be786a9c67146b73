//! The Web SDK's events, made from the engine's: names from
//! `TencentCloudChat.EVENT`, payloads in its shapes (full lists where it
//! sends full lists).
//!
//! The engine raises an event per commit; the Web SDK coalesces and
//! throttles (one `CONVERSATION_LIST_UPDATED` with the whole list for a
//! burst of changes). So the pump takes every event that is already
//! waiting as one batch and emits each Web event of the batch once, in the
//! Web SDK's order: network and session state, messages, conversation
//! groups and their contents, the unread total. The whole list, which
//! costs in proportion to the conversations, goes out at most once per
//! [`LIST_INTERVAL`] (or twice its last cost, if more), carrying every
//! change since the last one; `SDK_READY` goes out right after a list (so
//! an app that asks for the list when ready finds it filled).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use web_time::Instant;

use futures::{FutureExt, StreamExt};
use im_model::message::{MessageReceipt, MsgGetMsgListParam, MsgLocator, RevokeNotice};
use im_model::{ConvId, ConvType, Message};
use im_sdk::{ConvEvent, MsgEvent, NetworkStatus, SdkEvent};
use serde_json::{Value, json};

use crate::api::WebApi;
use crate::shapes;

/// `EVENT.*` names (their string values).
#[derive(Debug)]
#[non_exhaustive]
pub struct EventName;

impl EventName {
    /// `SDK_READY`.
    pub const SDK_READY: &'static str = "sdkStateReady";
    /// `SDK_NOT_READY`.
    pub const SDK_NOT_READY: &'static str = "sdkStateNotReady";
    /// `MESSAGE_RECEIVED`.
    pub const MESSAGE_RECEIVED: &'static str = "onMessageReceived";
    /// `MESSAGE_REVOKED`.
    pub const MESSAGE_REVOKED: &'static str = "onMessageRevoked";
    /// `MESSAGE_READ_BY_PEER`.
    pub const MESSAGE_READ_BY_PEER: &'static str = "onMessageReadByPeer";
    /// `CONVERSATION_LIST_UPDATED`.
    pub const CONVERSATION_LIST_UPDATED: &'static str = "onConversationListUpdated";
    /// `TOTAL_UNREAD_MESSAGE_COUNT_UPDATED`.
    pub const TOTAL_UNREAD_MESSAGE_COUNT_UPDATED: &'static str = "onTotalUnreadMessageCountUpdated";
    /// `CONVERSATION_GROUP_LIST_UPDATED`.
    pub const CONVERSATION_GROUP_LIST_UPDATED: &'static str = "onConversationGroupListUpdated";
    /// `CONVERSATION_IN_GROUP_UPDATED`.
    pub const CONVERSATION_IN_GROUP_UPDATED: &'static str = "onConversationInGroupUpdated";
    /// `KICKED_OUT`.
    pub const KICKED_OUT: &'static str = "kickedOut";
    /// `NET_STATE_CHANGE`.
    pub const NET_STATE_CHANGE: &'static str = "netStateChange";
    /// Not Tencent's: how far a file message's upload came, for the page's
    /// module, which calls the `onProgress` of `createFileMessage`
    /// (`{ID, path, percent}`).
    pub const UPLOAD_PROGRESS: &'static str = "__uploadProgress";
}

/// The shortest time between two full conversation lists.
pub const LIST_INTERVAL: Duration = Duration::from_millis(100);

/// What one batch of engine events amounts to.
#[derive(Debug, Default)]
struct Batch {
    network: Option<NetworkStatus>,
    ready: bool,
    /// `TYPES.KICKED_OUT_*` of a session the server ended.
    kicked: Option<&'static str>,
    received: Vec<Message>,
    revoked: Vec<RevokeNotice>,
    read_by_peer: Vec<MessageReceipt>,
    /// (message id, element, sent, total) of uploads, the latest per element.
    uploads: Vec<(String, u32, u64, u64)>,
    group_list: bool,
    list: bool,
    in_group: BTreeSet<String>,
    unread: Option<u64>,
}

impl Batch {
    fn add(&mut self, event: SdkEvent) {
        match event {
            SdkEvent::Network(status) => self.network = Some(status),
            SdkEvent::SyncFinished => {
                self.ready = true;
                self.list = true;
            }
            SdkEvent::KickedOffline => self.kicked = Some("multipleAccount"),
            SdkEvent::UserSigExpired => self.kicked = Some("userSigExpired"),
            SdkEvent::Message(MsgEvent::NewMessages(messages)) => self.received.extend(messages),
            SdkEvent::Message(MsgEvent::Revoked(notices)) => self.revoked.extend(notices),
            SdkEvent::Message(MsgEvent::ReadReceipts(receipts)) => {
                self.read_by_peer.extend(receipts);
            }
            SdkEvent::Message(MsgEvent::UploadProgress {
                msg_id,
                elem_index,
                current,
                total,
                ..
            }) => {
                self.uploads
                    .retain(|(id, elem, _, _)| *id != msg_id || *elem != elem_index);
                self.uploads.push((msg_id, elem_index, current, total));
            }
            SdkEvent::Conversation(event) => self.conversation(event),
            _ => {}
        }
    }

    fn conversation(&mut self, event: ConvEvent) {
        match event {
            ConvEvent::Added(_) | ConvEvent::Updated(_) | ConvEvent::Deleted(_) => self.list = true,
            ConvEvent::TotalUnreadChanged(total) => self.unread = Some(total),
            ConvEvent::GroupCreated { .. }
            | ConvEvent::GroupDeleted { .. }
            | ConvEvent::GroupRenamed { .. } => {
                self.group_list = true;
                self.list = true;
            }
            ConvEvent::ConversationsAddedToGroup { name, .. }
            | ConvEvent::ConversationsRemovedFromGroup { name, .. } => {
                self.list = true;
                self.in_group.insert(name);
            }
            _ => {}
        }
    }
}

/// Emits the Web SDK's events for the engine's, until the client shuts
/// down. `emit(name, json)` hands one to the page, its data as JSON text.
pub async fn pump(api: Arc<WebApi>, emit: impl Fn(&str, &str)) {
    use futures::future::{Either, select};
    let mut events = std::pin::pin!(api.client().events());
    // A list is owed, from when.
    let mut owed: Option<Instant> = None;
    let mut interval = LIST_INTERVAL;
    loop {
        let next = match owed {
            None => events.next().await.map(Some),
            Some(due) => {
                let wait = due.saturating_duration_since(Instant::now());
                match select(events.next(), std::pin::pin!(im_sdk::sleep(wait))).await {
                    Either::Left((event, _)) => event.map(Some),
                    Either::Right(((), _)) => Some(None),
                }
            }
        };
        let Some(next) = next else {
            return;
        };
        if let Some(first) = next {
            let mut batch = Batch::default();
            batch.add(first);
            // What is already waiting joins this batch.
            while let Some(Some(more)) = events.next().now_or_never() {
                batch.add(more);
            }
            let (list, ready) = (batch.list, batch.ready);
            if let Err(e) = emit_batch(&api, batch, &emit).await {
                // The session may have ended under the pump: the next
                // batch (a login) starts afresh.
                tracing::debug!(error = %e, "an event batch could not be completed");
            }
            if list || ready {
                let due = owed.unwrap_or(Instant::now() + interval);
                // The list that follows SDK_READY does not wait out the
                // throttle.
                owed = Some(if ready { Instant::now() } else { due });
            }
        }
        if let Some(due) = owed
            && Instant::now() >= due
        {
            owed = None;
            let started = Instant::now();
            match emit_list(&api, &emit).await {
                Ok(()) => interval = LIST_INTERVAL.max(started.elapsed() * 2),
                Err(e) => tracing::debug!(error = %e, "the conversation list could not be sent"),
            }
        }
    }
}

/// The whole conversation list.
async fn emit_list(api: &WebApi, emit: &impl Fn(&str, &str)) -> Result<(), crate::codes::WebError> {
    let list = api.all_conversations().await?;
    emit(
        EventName::CONVERSATION_LIST_UPDATED,
        &shapes::conversations_text(&list),
    );
    Ok(())
}

async fn emit_batch(
    api: &WebApi,
    batch: Batch,
    emit: &impl Fn(&str, &str),
) -> Result<(), crate::codes::WebError> {
    let me = api.client().login_user_id().unwrap_or_default();
    if let Some(status) = batch.network {
        let state = match status {
            NetworkStatus::Connected => "connected",
            NetworkStatus::Disconnected => "disconnected",
            _ => "connecting",
        };
        emit(
            EventName::NET_STATE_CHANGE,
            &json!({"state": state}).to_string(),
        );
    }
    if let Some(kind) = batch.kicked {
        api.set_ready(false);
        emit(EventName::KICKED_OUT, &json!({"type": kind}).to_string());
        emit(EventName::SDK_NOT_READY, "null");
        return Ok(());
    }
    for (msg_id, elem_index, current, total) in &batch.uploads {
        let path = upload_path(api, msg_id, *elem_index).await?;
        // Whole byte counts; the ratio is for a progress bar.
        #[allow(clippy::cast_precision_loss)]
        let percent = if *total == 0 {
            1.0
        } else {
            *current as f64 / *total as f64
        };
        emit(
            EventName::UPLOAD_PROGRESS,
            &json!({"ID": msg_id, "path": path, "percent": percent}).to_string(),
        );
    }
    if !batch.received.is_empty() {
        let shown: Vec<Value> = batch
            .received
            .iter()
            .map(|m| shapes::message(m, &me))
            .collect();
        emit(EventName::MESSAGE_RECEIVED, &json!(shown).to_string());
    }
    if !batch.revoked.is_empty() {
        let revoked = revoked_messages(api, &batch.revoked).await?;
        let shown: Vec<Value> = revoked.iter().map(|m| shapes::message(m, &me)).collect();
        emit(EventName::MESSAGE_REVOKED, &json!(shown).to_string());
    }
    for receipt in &batch.read_by_peer {
        let read = read_messages(api, receipt).await?;
        if !read.is_empty() {
            let shown: Vec<Value> = read
                .iter()
                .map(|m| {
                    let mut shown = shapes::message(m, &me);
                    shown["isPeerRead"] = json!(true);
                    shown
                })
                .collect();
            emit(EventName::MESSAGE_READ_BY_PEER, &json!(shown).to_string());
        }
    }
    if batch.group_list {
        let groups = api.client().conversations().conversation_groups().await?;
        emit(
            EventName::CONVERSATION_GROUP_LIST_UPDATED,
            &json!(groups).to_string(),
        );
    }
    for name in &batch.in_group {
        let members = api.conversations_in_group(name).await?;
        emit(
            EventName::CONVERSATION_IN_GROUP_UPDATED,
            &json!({
                "groupName": name,
                "conversationList": members.iter().map(shapes::conversation).collect::<Vec<_>>(),
            })
            .to_string(),
        );
    }
    let unread = match (batch.unread, batch.ready) {
        (Some(total), _) => Some(total),
        (None, true) => Some(api.client().conversations().total_unread().await?),
        (None, false) => None,
    };
    if let Some(total) = unread {
        emit(
            EventName::TOTAL_UNREAD_MESSAGE_COUNT_UPDATED,
            &json!(total).to_string(),
        );
    }
    if batch.ready {
        // The list follows at once (the pump owes it); an app that asks
        // for it now gets it from the store.
        api.set_ready(true);
        emit(EventName::SDK_READY, "null");
    }
    Ok(())
}

/// The local path of the file an upload reads (what the page named it).
async fn upload_path(
    api: &WebApi,
    msg_id: &str,
    elem_index: u32,
) -> Result<String, crate::codes::WebError> {
    let found = api
        .client()
        .messages()
        .find_messages(&[msg_id.to_owned()])
        .await?
        .pop();
    let elem = found
        .and_then(|m| m.elem_array)
        .and_then(|elems| elems.into_iter().nth(elem_index as usize));
    Ok(match elem {
        Some(im_model::Elem::File(f)) => f.file_path.unwrap_or_default(),
        Some(im_model::Elem::Image(i)) => i.orig_path.unwrap_or_default(),
        _ => String::new(),
    })
}

/// The stored messages the revoke notices name (their revoked state).
async fn revoked_messages(
    api: &WebApi,
    notices: &[RevokeNotice],
) -> Result<Vec<Message>, crate::codes::WebError> {
    let mut found = Vec::new();
    for notice in notices {
        let Some(conv) = notice
            .conv_id
            .as_deref()
            .and_then(|peer| ConvId::new(notice.conv_type.unwrap_or(ConvType::C2C), peer).ok())
        else {
            continue;
        };
        // A revoke notice is a locator with the revoker's details.
        let Ok(locator) =
            serde_json::to_value(notice).and_then(serde_json::from_value::<MsgLocator>)
        else {
            continue;
        };
        found.extend(
            api.client()
                .messages()
                .find_by_locators(&conv, &[locator])
                .await?,
        );
    }
    Ok(found)
}

/// Our messages of a C2C conversation that the peer's read receipt covers
/// (the newest page: what a chat window shows).
async fn read_messages(
    api: &WebApi,
    receipt: &MessageReceipt,
) -> Result<Vec<Message>, crate::codes::WebError> {
    let Some(conv) = receipt
        .conv_id
        .as_deref()
        .and_then(|peer| ConvId::new(receipt.conv_type.unwrap_or(ConvType::C2C), peer).ok())
    else {
        return Ok(Vec::new());
    };
    if let Some(msg_id) = &receipt.msg_id {
        return Ok(api
            .client()
            .messages()
            .find_messages(std::slice::from_ref(msg_id))
            .await?);
    }
    let read_time = receipt.time_stamp.unwrap_or(0);
    let param = MsgGetMsgListParam {
        count: Some(crate::api::MESSAGE_PAGE),
        ..MsgGetMsgListParam::default()
    };
    let page = api
        .client()
        .messages()
        .get_message_list(&conv, &param)
        .await?;
    Ok(page
        .into_iter()
        .filter(|m| m.is_from_self == Some(true) && m.timestamp() <= read_time)
        .collect())
}
