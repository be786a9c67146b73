//! Tencent's Web API over the engine: one call by method name, with the
//! Web SDK's parameters and results (`data` of its `{code: 0, data}`), its
//! codes where they differ from native ones, and no panic on any input.
//!
//! The worker (`crate::worker`) hands every call from the page to
//! [`WebApi::call`]; native tests call it the same way against the real
//! server. What the Web SDK answers synchronously (`getTotalUnreadMessageCount`,
//! `findMessage`, `create*Message`, `isReady`) is answered by the page's
//! mirror in `index.js`, which these calls and the events feed.

use std::sync::atomic::{AtomicBool, Ordering};

use im_model::conversation::ConvInfo;
use im_model::message::{MessageSearchParam, MsgDeleteParam, MsgGetMsgListParam};
use im_model::{ConvId, ConvType, Draft, KeywordMatchType, Message, MsgStatus};
use im_sdk::Client;
use serde_json::{Map, Value, json};

use crate::codes::{WebCode, WebError};
use crate::{shapes, web_id};

/// The most messages one `getMessageList` page holds (the Web SDK's page).
pub const MESSAGE_PAGE: u32 = 15;
/// The most results one `searchLocalMessages` page holds.
pub const SEARCH_PAGE_MAX: u32 = 100;
/// The most messages one `importMessages` call takes.
pub const IMPORT_MAX: usize = 1000;
/// The most conversations one call takes (the native limit of 100).
const CONVERSATIONS_MAX: usize = 100;
/// The most conversations one `getConversationList` page holds.
pub const CONVERSATION_PAGE_MAX: u32 = 100;

/// A call's outcome: the `data` to resolve with, or the error to reject with.
pub type WebResult = Result<Value, WebError>;

/// Tencent's Web API on one client.
#[derive(Debug)]
pub struct WebApi {
    client: Client,
    /// Between `SDK_READY` and `SDK_NOT_READY` (set by the event pump).
    ready: AtomicBool,
}

impl WebApi {
    /// The Web API over `client`.
    pub fn new(client: Client) -> WebApi {
        WebApi {
            client,
            ready: AtomicBool::new(false),
        }
    }

    /// The client underneath.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Whether the SDK is ready (`isReady()`).
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }

    pub(crate) fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::SeqCst);
    }

    fn me(&self) -> String {
        self.client.login_user_id().unwrap_or_default()
    }

    /// Runs the Web method `method` with its argument `params` (the first
    /// argument the app passed, `null` for none).
    ///
    /// # Errors
    /// The Web SDK's codes (2500, 2503, 2105, 2024, 3153 ...), the native
    /// parameter code 6017, and the server's codes (51009, 51010, 51011 ...).
    pub async fn call(&self, method: &str, params: Value) -> WebResult {
        match method {
            "login" => self.login(&params).await,
            "logout" => self.logout().await,
            "getConversationList" => Ok(self.conversation_list(&params).await?.to_value()),
            "getConversationProfile" => self.conversation_profile(&params).await,
            "deleteConversation" => self.delete_conversation(&params).await,
            "pinConversation" => self.pin(&params).await,
            "markConversation" => self.mark(&params).await,
            "setConversationCustomData" => self.custom_data(&params).await,
            "setConversationDraft" => self.draft(&params).await,
            "clearHistoryMessage" => self.clear_history(&params).await,
            "getTotalUnreadMessageCount" => {
                Ok(json!(self.client.conversations().total_unread().await?))
            }
            "setMessageRead" => self.message_read(&params).await,
            "setAllMessageRead" => self.all_read(&params).await,
            "getConversationGroupList" => Ok(json!(
                self.client.conversations().conversation_groups().await?
            )),
            "createConversationGroup" => self.group_change(GroupCall::Create, &params).await,
            "addConversationsToGroup" => self.group_change(GroupCall::Add, &params).await,
            "deleteConversationsFromGroup" => self.group_change(GroupCall::Remove, &params).await,
            "deleteConversationGroup" => {
                let name = string_arg(&params, "groupName")?;
                self.client
                    .conversations()
                    .delete_conversation_group(&name)
                    .await?;
                Ok(json!({}))
            }
            "renameConversationGroup" => {
                let old = str_field(&params, "oldName")?;
                let new = str_field(&params, "newName")?;
                self.client
                    .conversations()
                    .rename_conversation_group(&old, &new)
                    .await?;
                Ok(json!({}))
            }
            "sendMessage" => self.send(&params).await,
            "getMessageList" => self.message_list(&params).await,
            "revokeMessage" => self.revoke(&params).await,
            "deleteMessage" => self.delete_messages(&params).await,
            "findMessage" => self.find(&params).await,
            "searchLocalMessages" => self.search(&params).await,
            "importMessages" => self.import(&params).await,
            other => Err(WebError::new(
                WebCode::INVALID_OPERATION,
                format!("{other:?} is not a method of this SDK"),
            )),
        }
    }

    /// [`WebApi::call`] with the answer as JSON text, as the page gets it.
    /// Conversation lists are written straight to text (thousands of
    /// conversations, no `Value` tree apiece); other answers are small.
    ///
    /// # Errors
    /// As [`WebApi::call`].
    pub async fn call_text(&self, method: &str, params: Value) -> Result<String, WebError> {
        if method == "getConversationList" {
            return Ok(self.conversation_list(&params).await?.to_text());
        }
        Ok(self.call(method, params).await?.to_string())
    }

    async fn login(&self, params: &Value) -> WebResult {
        let user = params.get("userID").and_then(Value::as_str).unwrap_or("");
        if user.is_empty() {
            return Err(WebError::new(
                WebCode::NO_IDENTIFIER,
                "login needs a userID",
            ));
        }
        let sig = params.get("userSig").and_then(Value::as_str).unwrap_or("");
        if sig.is_empty() {
            return Err(WebError::new(WebCode::NO_USERSIG, "login needs a userSig"));
        }
        if self.client.login_user_id().as_deref() == Some(user) {
            return Ok(json!({"repeatLogin": true}));
        }
        self.client.login(user, sig).await?;
        Ok(json!({"repeatLogin": false}))
    }

    async fn logout(&self) -> WebResult {
        self.set_ready(false);
        self.client.logout().await?;
        Ok(json!({}))
    }

    /// Every conversation, in list order.
    ///
    /// # Errors
    /// As the engine's list.
    pub async fn all_conversations(&self) -> Result<Vec<ConvInfo>, WebError> {
        Ok(self.client.conversations().conversation_list().await?)
    }

    /// The conversations of a folder (conversation group), in list order.
    ///
    /// # Errors
    /// As the engine's filtered list.
    pub async fn conversations_in_group(&self, name: &str) -> Result<Vec<ConvInfo>, WebError> {
        let filter = im_store::ConvFilter {
            group: Some(im_store::GroupFilter::Named(name.to_owned())),
            ..im_store::ConvFilter::default()
        };
        self.filtered(&filter).await
    }

    /// Every conversation `filter` lists, in list order, read a page at a
    /// time (the engine's walk: none missed or repeated while it changes).
    async fn filtered(&self, filter: &im_store::ConvFilter) -> Result<Vec<ConvInfo>, WebError> {
        let mut listed = Vec::new();
        let mut next = 0;
        loop {
            let page = self
                .client
                .conversations()
                .conversation_list_by_filter(filter, next, CONVERSATION_PAGE_MAX)
                .await?;
            listed.extend(page.conv_list.into_iter().flatten());
            let more = page.is_finished == Some(false);
            match page.next_seq {
                Some(n) if more && n != next => next = n,
                _ => return Ok(listed),
            }
        }
    }

    /// The conversations of these Web ids that are on the device, in list
    /// order (the seed's `getConversationList(successConversationIDList)`).
    async fn conversations_of(&self, ids: &[Value]) -> Result<Vec<ConvInfo>, WebError> {
        let parsed: Vec<ConvId> = ids
            .iter()
            .filter_map(Value::as_str)
            .filter_map(|web| web_id::parse(web).ok())
            .collect();
        if parsed.len() > CONVERSATIONS_MAX * 10 {
            // More ids than a few pages: the whole list, filtered through a
            // set (the page may pass any number of ids).
            let wanted: std::collections::HashSet<ConvId> = parsed.into_iter().collect();
            let mut all = self.all_conversations().await?;
            all.retain(|c| shapes::conversation_id(c).is_some_and(|id| wanted.contains(&id)));
            return Ok(all);
        }
        if parsed.is_empty() {
            return Ok(Vec::new());
        }
        let mut infos = self
            .client
            .conversations()
            .conversation_infos(&parsed)
            .await?;
        // The list's order: pinned first, then by activity (the key the
        // engine keeps in `conv_active_time`).
        infos.sort_by_key(|c| std::cmp::Reverse(c.active_time));
        Ok(infos)
    }

    /// `getConversationList`: the whole list (no argument), the
    /// conversations of an id array, or those a filter lists. Beyond
    /// Tencent, a filter object with `count` asks for one page: the answer
    /// adds `nextSeq` (pass it back for the next page; 0 when finished) and
    /// `isFinished`, with the native walk's guarantee that no conversation
    /// is missed or repeated while the list changes between pages.
    async fn conversation_list(&self, params: &Value) -> Result<ConversationList, WebError> {
        let list = match params {
            Value::Null => self.all_conversations().await?,
            Value::Array(ids) => self.conversations_of(ids).await?,
            Value::Object(options) => {
                let filter = web_filter(options)?;
                if let Some((next_seq, count)) = page_request(options)? {
                    let page = self
                        .client
                        .conversations()
                        .conversation_list_by_filter(&filter, next_seq, count)
                        .await?;
                    return Ok(ConversationList {
                        list: page.conv_list.unwrap_or_default(),
                        page: Some((page.next_seq.unwrap_or(0), page.is_finished.unwrap_or(true))),
                    });
                }
                if filter == im_store::ConvFilter::all() {
                    self.all_conversations().await?
                } else {
                    self.filtered(&filter).await?
                }
            }
            _ => {
                return Err(WebError::param(
                    "getConversationList takes nothing, an array of conversation ids or a filter",
                ));
            }
        };
        Ok(ConversationList { list, page: None })
    }

    /// The conversation with this Web id, if it is on the device.
    async fn local(&self, web: &str) -> Result<ConvId, WebError> {
        let id = web_id::parse(web)?;
        if self
            .client
            .conversations()
            .conversation(&id)
            .await?
            .is_none()
        {
            return Err(not_found(web));
        }
        Ok(id)
    }

    async fn conversation_profile(&self, params: &Value) -> WebResult {
        let web = string_arg(params, "conversationID")?;
        let id = web_id::parse(&web)?;
        let info = match self.client.conversations().conversation(&id).await? {
            Some(info) => info,
            // The Web SDK makes the conversation it is asked about.
            None => self.client.conversations().create_conversation(&id).await?,
        };
        Ok(json!({"conversation": shapes::conversation(&info)}))
    }

    async fn delete_conversation(&self, params: &Value) -> WebResult {
        let (ids, clear, one) = match params {
            Value::String(web) => (vec![web.clone()], true, true),
            Value::Object(options) => {
                let ids = string_list(params, "conversationIDList")?;
                if ids.is_empty() {
                    return Err(WebError::param("conversationIDList must not be empty"));
                }
                // Checked before any id is looked up.
                if ids.len() > CONVERSATIONS_MAX {
                    return Err(WebError::new(
                        im_model::ErrorCode::ConvMarkReqCountExceedLimit.code(),
                        format!("at most {CONVERSATIONS_MAX} conversations per call"),
                    ));
                }
                let clear = match options.get("clearHistoryMessage") {
                    None | Some(Value::Null) => true,
                    Some(Value::Bool(b)) => *b,
                    Some(_) => {
                        return Err(WebError::param("clearHistoryMessage must be a boolean"));
                    }
                };
                (ids, clear, false)
            }
            _ => return Err(WebError::param("deleteConversation takes an id or options")),
        };
        let mut convs = Vec::with_capacity(ids.len());
        for web in &ids {
            convs.push(self.local(web).await?);
        }
        self.client
            .conversations()
            .delete_conversations_with_messages(&convs, clear)
            .await?;
        Ok(if one {
            json!({"conversationID": ids[0]})
        } else {
            json!({"conversationIDList": ids})
        })
    }

    async fn pin(&self, params: &Value) -> WebResult {
        let web = str_field(params, "conversationID")?;
        let pinned = bool_field(params, "isPinned")?;
        let id = self.local(&web).await?;
        self.client
            .conversations()
            .pin_conversation(&id, pinned)
            .await?;
        Ok(json!({"conversationID": web}))
    }

    async fn mark(&self, params: &Value) -> WebResult {
        let mark = params
            .get("markType")
            .and_then(Value::as_u64)
            .ok_or_else(|| WebError::param("markType must be a number"))?;
        let enable = bool_field(params, "enableMark")?;
        self.per_conversation(params, |client, ids| async move {
            client
                .conversations()
                .mark_conversations(&ids, mark, enable)
                .await
        })
        .await
    }

    async fn custom_data(&self, params: &Value) -> WebResult {
        let data = str_field(params, "customData")?;
        self.per_conversation(params, |client, ids| async move {
            client.conversations().set_custom_data(&ids, &data).await
        })
        .await
    }

    /// A call over `conversationIDList`: ids that are no conversation id or
    /// not on the device are failure items with the Web codes, the rest go
    /// to `run`, whose per-conversation outcomes are sorted into success
    /// and failure lists.
    async fn per_conversation<F, Fut>(&self, params: &Value, run: F) -> WebResult
    where
        F: FnOnce(Client, Vec<ConvId>) -> Fut,
        Fut: Future<Output = im_model::ImResult<Vec<im_model::ConversationOperationResult>>>,
    {
        let webs = string_list(params, "conversationIDList")?;
        if webs.len() > CONVERSATIONS_MAX {
            return Err(WebError::new(
                im_model::ErrorCode::ConvMarkReqCountExceedLimit.code(),
                format!("at most {CONVERSATIONS_MAX} conversations per call"),
            ));
        }
        let mut failures = Vec::new();
        let mut ids = Vec::new();
        for web in &webs {
            match self.local(web).await {
                Ok(id) => ids.push(id),
                Err(e) => failures.push(failure(web, &e)),
            }
        }
        let mut successes = Vec::new();
        if !ids.is_empty() {
            for outcome in run(self.client.clone(), ids).await? {
                let web = outcome
                    .conversation_id
                    .as_deref()
                    .and_then(|p| ConvId::parse_prefixed(p).ok())
                    .map(|id| web_id::to_web(&id))
                    .unwrap_or_default();
                if outcome.is_ok() {
                    successes.push(json!(web));
                } else {
                    let code = outcome.result_code.unwrap_or(-1);
                    let e = WebError::from(im_model::ImError::new(
                        im_model::ErrorCode::from_code(code),
                        outcome.result_info.clone().unwrap_or_default(),
                    ));
                    failures.push(failure(&web, &e));
                }
            }
        }
        Ok(json!({
            "successConversationIDList": successes,
            "failureConversationIDList": failures,
        }))
    }

    async fn group_change(&self, call: GroupCall, params: &Value) -> WebResult {
        let name = str_field(params, "groupName")?;
        // Which conversations are in the group now: the Web SDK counts an
        // add (a removal) a success only for a conversation that was not
        // (was) in it, and lists the others in neither list.
        let before: Vec<Value> = self
            .conversations_in_group(&name)
            .await?
            .iter()
            .filter_map(shapes::conversation_id)
            .map(|id| json!(web_id::to_web(&id)))
            .collect();
        let group = name.clone();
        let mut answer = self
            .per_conversation(params, |client, ids| async move {
                let manager = client.conversations();
                match call {
                    GroupCall::Create => manager.create_conversation_group(&group, &ids).await,
                    GroupCall::Add => manager.add_conversations_to_group(&group, &ids).await,
                    GroupCall::Remove => {
                        manager.remove_conversations_from_group(&group, &ids).await
                    }
                }
            })
            .await?;
        let changed = |id: &Value| match call {
            GroupCall::Create => true,
            GroupCall::Add => !before.contains(id),
            GroupCall::Remove => before.contains(id),
        };
        if let Some(successes) = answer["successConversationIDList"].as_array_mut() {
            successes.retain(changed);
        }
        Ok(answer)
    }

    async fn draft(&self, params: &Value) -> WebResult {
        let web = str_field(params, "conversationID")?;
        let text = str_field(params, "draftText")?;
        let id = self.local(&web).await?;
        let manager = self.client.conversations();
        if text.is_empty() {
            manager.cancel_draft(&id).await?;
        } else {
            let draft = Draft {
                msg: Some(Message::text(text)),
                ..Draft::default()
            };
            manager.set_draft(&id, &draft).await?;
        }
        let conversation = manager
            .conversation(&id)
            .await?
            .map(|c| shapes::conversation(&c));
        Ok(json!({"conversation": conversation}))
    }

    async fn clear_history(&self, params: &Value) -> WebResult {
        let web = string_arg(params, "conversationID")?;
        let id = self.local(&web).await?;
        self.client.messages().clear_history(&id).await?;
        Ok(json!({}))
    }

    async fn message_read(&self, params: &Value) -> WebResult {
        let web = str_field(params, "conversationID")?;
        let id = self.local(&web).await?;
        self.client.messages().report_read(&id, None).await?;
        Ok(json!({}))
    }

    async fn all_read(&self, params: &Value) -> WebResult {
        let scope = match params.get("scope").and_then(Value::as_str) {
            None | Some("readAllMessage") => None,
            Some("readAllC2CMessage") => Some(ConvType::C2C),
            Some("readAllGroupMessage") => Some(ConvType::Group),
            Some(other) => return Err(WebError::param(format!("unknown scope {other:?}"))),
        };
        self.client.messages().report_all_read(scope).await?;
        Ok(json!({}))
    }

    async fn send(&self, params: &Value) -> WebResult {
        let message = shapes::outgoing(params)?;
        let web = params
            .get("conversationID")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                WebError::new(
                    WebCode::MSG_INSTANCE_REQUIRED,
                    "the message has no conversationID",
                )
            })?;
        let id = web_id::parse(web)?;
        let sent = self.client.messages().send_message(&id, &message).await?;
        Ok(json!({"message": shapes::message(&sent, &self.me())}))
    }

    async fn message_list(&self, params: &Value) -> WebResult {
        let web = str_field(params, "conversationID")?;
        let id = web_id::parse(&web)?;
        let from = match params.get("nextReqMessageID") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.is_empty() => None,
            Some(Value::String(s)) => Some(self.stored(s).await?),
            Some(_) => return Err(WebError::param("nextReqMessageID must be a string")),
        };
        // Tencent's Web SDK reads history from the server every time (it
        // keeps nothing), so a new device sees the whole conversation:
        // roaming history first, stored with what is here. Offline, or
        // when the server fails, the stored page is still an answer.
        let mut param = MsgGetMsgListParam {
            count: Some(MESSAGE_PAGE),
            is_forward: Some(false),
            last_msg: from,
            is_ramble: Some(true),
            ..MsgGetMsgListParam::default()
        };
        let messages = self.client.messages();
        let page = match messages.get_message_list(&id, &param).await {
            Ok(page) => page,
            Err(e) if e.code() != im_model::ErrorCode::InvalidParameters.code() => {
                tracing::warn!(error = %e, conversation = %id, "roaming history failed; the stored page is shown");
                param.is_ramble = Some(false);
                messages.get_message_list(&id, &param).await?
            }
            Err(e) => return Err(e.into()),
        };
        let me = self.me();
        let complete = page.len() < MESSAGE_PAGE as usize;
        // Newest first from the engine; the Web SDK lists oldest first.
        let next = page
            .last()
            .and_then(|m| m.msg_id.clone())
            .unwrap_or_default();
        let list: Vec<Value> = page.iter().rev().map(|m| shapes::message(m, &me)).collect();
        Ok(json!({"messageList": list, "nextReqMessageID": next, "isCompleted": complete}))
    }

    /// The stored message with this id.
    async fn stored(&self, msg_id: &str) -> Result<Message, WebError> {
        self.client
            .messages()
            .find_messages(&[msg_id.to_owned()])
            .await?
            .pop()
            .ok_or_else(|| WebError::param(format!("no message {msg_id:?} on this device")))
    }

    /// The stored message a Web message object stands for.
    async fn stored_of(&self, web: &Value) -> Result<Message, WebError> {
        let id = web
            .get("ID")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
            .ok_or_else(|| {
                WebError::new(
                    WebCode::MSG_INSTANCE_REQUIRED,
                    "a message object is required",
                )
            })?;
        self.stored(id).await
    }

    async fn revoke(&self, params: &Value) -> WebResult {
        let message = self.stored_of(params).await?;
        let conv = shapes::message_conv(&message)
            .ok_or_else(|| WebError::param("the message has no conversation"))?;
        self.client.messages().revoke(&conv, &message).await?;
        let revoked = self
            .stored(message.msg_id.as_deref().unwrap_or_default())
            .await?;
        Ok(json!({"message": shapes::message(&revoked, &self.me())}))
    }

    async fn delete_messages(&self, params: &Value) -> WebResult {
        let Value::Array(list) = params else {
            return Err(WebError::param("deleteMessage takes an array of messages"));
        };
        if list.is_empty() || list.len() > 30 {
            return Err(WebError::param("deleteMessage takes 1 to 30 messages"));
        }
        let mut messages = Vec::with_capacity(list.len());
        for web in list {
            messages.push(self.stored_of(web).await?);
        }
        let conv = shapes::message_conv(&messages[0])
            .ok_or_else(|| WebError::param("the message has no conversation"))?;
        if messages
            .iter()
            .any(|m| shapes::message_conv(m).as_ref() != Some(&conv))
        {
            return Err(WebError::param("the messages must be of one conversation"));
        }
        let manager = self.client.messages();
        if messages.len() == 1 {
            let param = MsgDeleteParam {
                msg: Some(messages[0].clone()),
                is_ramble: Some(true),
                ..MsgDeleteParam::default()
            };
            manager.delete_message(&conv, &param).await?;
        } else {
            manager.delete_messages(&conv, &messages).await?;
        }
        let me = self.me();
        let deleted: Vec<Value> = messages
            .iter()
            .map(|m| {
                let mut shown = shapes::message(m, &me);
                shown["isDeleted"] = json!(true);
                shown
            })
            .collect();
        Ok(json!({"messageList": deleted}))
    }

    async fn find(&self, params: &Value) -> WebResult {
        let id = string_arg(params, "messageID")?;
        let found = self
            .client
            .messages()
            .find_messages(&[id])
            .await?
            .pop()
            .filter(|m| m.status != Some(MsgStatus::Deleted));
        Ok(found.map_or(Value::Null, |m| shapes::message(&m, &self.me())))
    }

    /// `importMessages` (beyond Tencent's Web SDK; the native
    /// `TIMMsgImportMsgList`): stores up to [`IMPORT_MAX`] messages in a
    /// conversation, as history (no unread, no event), e.g. from an app's
    /// own archive. Each is a Web message (`type`, `payload`, `from`,
    /// `time`, optionally `ID`, `cloudCustomData`).
    async fn import(&self, params: &Value) -> WebResult {
        let web = str_field(params, "conversationID")?;
        let id = web_id::parse(&web)?;
        let Some(Value::Array(list)) = params.get("messageList") else {
            return Err(WebError::param("messageList must be an array of messages"));
        };
        if list.is_empty() || list.len() > IMPORT_MAX {
            return Err(WebError::param(format!(
                "messageList holds 1 to {IMPORT_MAX} messages"
            )));
        }
        let me = self.me();
        let mut messages = Vec::with_capacity(list.len());
        for web_message in list {
            let mut m = shapes::outgoing(web_message)?;
            let from = web_message
                .get("from")
                .and_then(Value::as_str)
                .filter(|f| !f.is_empty())
                .unwrap_or(&me);
            m.sender = Some(from.to_owned());
            m.is_from_self = Some(from == me);
            m.server_time = web_message.get("time").and_then(Value::as_u64);
            m.msg_id = web_message
                .get("ID")
                .and_then(Value::as_str)
                .filter(|id| !id.is_empty())
                .map(str::to_owned);
            messages.push(m);
        }
        let imported = self
            .client
            .messages()
            .import_messages(&id, &messages)
            .await?;
        // The ids, in the order given: a bulk import is history the app
        // already has, and shaping a thousand messages back would cost
        // more than storing them (getMessageList shows them).
        let ids: Vec<&str> = imported
            .iter()
            .map(|m| m.msg_id.as_deref().unwrap_or_default())
            .collect();
        Ok(json!({"messageIDList": ids}))
    }

    /// `searchLocalMessages` (beyond Tencent's Web SDK): keywords (AND or
    /// OR), senders, types, a time window, one conversation or all, with
    /// match ranges for highlighting.
    async fn search(&self, params: &Value) -> WebResult {
        let options = params.as_object().ok_or_else(|| {
            WebError::new(
                WebCode::OPTIONS_IS_EMPTY,
                "searchLocalMessages takes options",
            )
        })?;
        let keywords = optional_list(params, "keywordList")?;
        let senders = optional_list(params, "senderUserIDList")?;
        let types = optional_list(params, "messageTypeList")?
            .iter()
            .map(|t| elem_type(t))
            .collect::<Result<Vec<_>, _>>()?;
        let match_type = match options.get("keywordListMatchType").and_then(Value::as_str) {
            None | Some("or") => KeywordMatchType::Or,
            Some("and") => KeywordMatchType::And,
            Some(other) => {
                return Err(WebError::param(format!(
                    "keywordListMatchType {other:?}: 'or' or 'and'"
                )));
            }
        };
        let number = |key: &str| -> Result<Option<u64>, WebError> {
            match options.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v
                    .as_u64()
                    .map(Some)
                    .ok_or_else(|| WebError::param(format!("{key} must be a number"))),
            }
        };
        let count = u32::try_from(number("count")?.unwrap_or(20))
            .unwrap_or(u32::MAX)
            .clamp(1, SEARCH_PAGE_MAX);
        let page = u32::try_from(number("pageIndex")?.unwrap_or(0)).unwrap_or(u32::MAX);
        let mut param = MessageSearchParam {
            keyword_array: Some(keywords),
            keyword_list_match_type: Some(match_type),
            send_identifier_array: (!senders.is_empty()).then_some(senders),
            message_type_array: (!types.is_empty()).then_some(types),
            search_time_position: number("timePosition")?,
            search_time_period: number("timePeriod")?,
            page_index: Some(page),
            page_size: Some(count),
            ..MessageSearchParam::default()
        };
        if let Some(web) = options.get("conversationID").and_then(Value::as_str)
            && !web.is_empty()
        {
            let id = web_id::parse(web)?;
            param.conv_id = Some(id.peer().to_owned());
            param.conv_type = Some(id.conv_type());
        }
        let result = self.client.messages().search_local_messages(&param).await?;
        let me = self.me();
        let items: Vec<Value> = result
            .item_array
            .iter()
            .flatten()
            .map(|item| {
                let conv = ConvId::new(
                    item.conv_type.unwrap_or(ConvType::C2C),
                    item.conv_id.clone().unwrap_or_default(),
                )
                .map(|id| web_id::to_web(&id))
                .unwrap_or_default();
                let ranges: Vec<Value> = item
                    .match_range_array
                    .iter()
                    .flatten()
                    .map(|per_message| {
                        json!(per_message
                            .iter()
                            .map(|r| json!({
                                "key": r.key.clone().unwrap_or_default(),
                                "start": r.utf16_start.or(r.start).unwrap_or(0),
                                "end": r.utf16_end.or(r.end).unwrap_or(0),
                            }))
                            .collect::<Vec<_>>())
                    })
                    .collect();
                json!({
                    "conversationID": conv,
                    "messageCount": item.total_message_count.unwrap_or(0),
                    "messageList": item.message_array.iter().flatten().map(|m| shapes::message(m, &me)).collect::<Vec<_>>(),
                    "matchRangeList": ranges,
                })
            })
            .collect();
        Ok(json!({
            "totalCount": result.total_count.unwrap_or(0),
            "resultList": items,
        }))
    }
}

/// What `getConversationList` answers, before it takes the Web shape.
struct ConversationList {
    list: Vec<ConvInfo>,
    /// A page's `nextSeq` and `isFinished` (beyond Tencent).
    page: Option<(u64, bool)>,
}

/// `getConversationList`'s answer as the page gets it.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct ConversationListText<'a> {
    conversation_list: Vec<shapes::WebConversation<'a>>,
    is_sync_completed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_seq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_finished: Option<bool>,
}

impl ConversationList {
    fn shown(&self) -> ConversationListText<'_> {
        ConversationListText {
            conversation_list: self.list.iter().map(shapes::WebConversation::of).collect(),
            is_sync_completed: true,
            next_seq: self.page.map(|(next, _)| next),
            is_finished: self.page.map(|(_, finished)| finished),
        }
    }

    fn to_value(&self) -> Value {
        // Serializing these fields cannot fail (string keys only).
        serde_json::to_value(self.shown()).unwrap_or_default()
    }

    fn to_text(&self) -> String {
        serde_json::to_string(&self.shown()).unwrap_or_default()
    }
}

/// Which conversation-group call.
#[derive(Debug, Clone, Copy)]
enum GroupCall {
    Create,
    Add,
    Remove,
}

/// Tencent's `getConversationList` filter as the engine's: `type` C2C or
/// GROUP (any other value lists both, as its module does), `groupName`
/// ("" for conversations in no folder), `markType` (0 for unmarked ones;
/// several bits ask for all of them), `hasUnreadCount`, `hasGroupAtInfo`.
///
/// # Errors
/// The parameter code (6017) for a field of the wrong type, a folder
/// name over 32 bytes or mark bits the native SDK refuses.
fn web_filter(options: &Map<String, Value>) -> Result<im_store::ConvFilter, WebError> {
    let conv_type = match options.get("type") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) => match t.as_str() {
            "C2C" => Some(ConvType::C2C),
            "GROUP" => Some(ConvType::Group),
            _ => None,
        },
        Some(_) => return Err(WebError::param("type must be a string")),
    };
    let conversation_group = match options.get("groupName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name.clone()),
        Some(_) => return Err(WebError::param("groupName must be a string")),
    };
    let mark_type = match options.get("markType") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .ok_or_else(|| WebError::param("markType must be a mark value"))?,
        ),
    };
    let flag = |key: &str| match options.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(WebError::param(format!("{key} must be a boolean"))),
    };
    let wire = im_model::conversation::ConversationListFilter {
        conv_type,
        conversation_group,
        mark_type,
        has_unread_count: flag("hasUnreadCount")?,
        has_group_at_info: flag("hasGroupAtInfo")?,
        ..Default::default()
    };
    Ok(im_store::ConvFilter::from_wire(&wire)?)
}

/// The page asked for by `count` (1 to 100) and `nextSeq` (0 or absent
/// for the first page), or `None` when the options have no `count`.
///
/// # Errors
/// A parameter error for a `count` outside 1..=100 or a `nextSeq` that
/// is not a whole number.
fn page_request(options: &Map<String, Value>) -> Result<Option<(u64, u32)>, WebError> {
    let count = match options.get("count") {
        None | Some(Value::Null) => return Ok(None),
        Some(v) => v
            .as_u64()
            .filter(|n| (1..=u64::from(CONVERSATION_PAGE_MAX)).contains(n))
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| {
                WebError::param(format!(
                    "count must be a whole number from 1 to {CONVERSATION_PAGE_MAX}"
                ))
            })?,
    };
    let next_seq = match options.get("nextSeq") {
        None | Some(Value::Null) => 0,
        Some(v) => v
            .as_u64()
            .ok_or_else(|| WebError::param("nextSeq must be the nextSeq of the last page"))?,
    };
    Ok(Some((next_seq, count)))
}

/// A failure item of a per-conversation call.
fn failure(web: &str, e: &WebError) -> Value {
    json!({"conversationID": web, "code": e.code, "message": e.message})
}

fn not_found(web: &str) -> WebError {
    WebError::new(
        WebCode::CONV_NOT_FOUND,
        format!("conversation {web:?} is not on this device"),
    )
}

/// The argument when it is a string, or its `key` field (calls that take
/// either, like `deleteConversationGroup(groupName)`).
fn string_arg(params: &Value, key: &str) -> Result<String, WebError> {
    match params {
        Value::String(s) => Ok(s.clone()),
        Value::Object(_) => str_field(params, key),
        _ => Err(WebError::param(format!("{key} must be a string"))),
    }
}

/// A string field of the options.
fn str_field(params: &Value, key: &str) -> Result<String, WebError> {
    match params {
        Value::Object(options) => match options.get(key) {
            Some(Value::String(s)) => Ok(s.clone()),
            None | Some(Value::Null) => Err(WebError::param(format!("{key} is required"))),
            Some(_) => Err(WebError::param(format!("{key} must be a string"))),
        },
        _ => Err(WebError::new(
            WebCode::OPTIONS_IS_EMPTY,
            format!("options with {key} are required"),
        )),
    }
}

/// A boolean field of the options.
fn bool_field(params: &Value, key: &str) -> Result<bool, WebError> {
    params
        .get(key)
        .and_then(Value::as_bool)
        .ok_or_else(|| WebError::param(format!("{key} must be a boolean")))
}

/// An array-of-strings field of the options.
fn string_list(params: &Value, key: &str) -> Result<Vec<String>, WebError> {
    let Some(Value::Array(items)) = params.get(key) else {
        return Err(WebError::param(format!(
            "{key} must be an array of strings"
        )));
    };
    items
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| WebError::param(format!("{key} must hold strings only")))
        })
        .collect()
}

/// An optional array-of-strings field (absent is empty).
fn optional_list(params: &Value, key: &str) -> Result<Vec<String>, WebError> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(_) => string_list(params, key),
    }
}

/// The engine's element type of a Web message type.
fn elem_type(web: &str) -> Result<im_model::ElemType, WebError> {
    use im_model::ElemType;
    Ok(match web {
        "TIMTextElem" => ElemType::Text,
        "TIMImageElem" => ElemType::Image,
        "TIMSoundElem" => ElemType::Sound,
        "TIMCustomElem" => ElemType::Custom,
        "TIMFileElem" => ElemType::File,
        "TIMFaceElem" => ElemType::Face,
        "TIMLocationElem" => ElemType::Location,
        "TIMVideoFileElem" => ElemType::Video,
        "TIMRelayElem" => ElemType::Merge,
        other => return Err(WebError::param(format!("unknown message type {other:?}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_the_filter_follows_the_web_sdk() {
        use im_store::{ConvFilter, GroupFilter, MarkFilter};
        let f = |v: Value| web_filter(v.as_object().unwrap());
        assert_eq!(f(json!({})).unwrap(), ConvFilter::all());
        // Any type but C2C or GROUP lists both, as Tencent's module does.
        assert_eq!(
            f(json!({"type": "@TIM#SYSTEM"})).unwrap(),
            ConvFilter::all()
        );
        let all_fields = f(json!({"type": "GROUP", "groupName": "a", "markType": 1, "hasUnreadCount": true, "hasGroupAtInfo": false})).unwrap();
        assert_eq!(all_fields.conv_type, Some(ConvType::Group));
        assert_eq!(all_fields.group, Some(GroupFilter::Named("a".into())));
        assert!(matches!(all_fields.marks, Some(MarkFilter::HasAll(_))));
        assert_eq!(all_fields.has_unread, Some(true));
        assert_eq!(all_fields.has_group_at_info, Some(false));
        assert_eq!(
            f(json!({"groupName": ""})).unwrap().group,
            Some(GroupFilter::InNoGroup),
            "'' is conversations in no group"
        );
        assert_eq!(
            f(json!({"markType": 0})).unwrap().marks,
            Some(MarkFilter::Unmarked),
            "0 is unmarked conversations"
        );
        assert_eq!(
            f(json!({"type": "C2C"})).unwrap().conv_type,
            Some(ConvType::C2C)
        );
        for bad in [
            json!({"type": 1}),
            json!({"markType": "1"}),
            json!({"hasUnreadCount": 1}),
            json!({"hasGroupAtInfo": "no"}),
        ] {
            assert_eq!(f(bad).unwrap_err().code, 6017);
        }
    }

    #[test]
    fn test_a_page_needs_a_count_from_1_to_100() {
        let p = |v: Value| page_request(v.as_object().unwrap());
        assert_eq!(p(json!({})).unwrap(), None);
        assert_eq!(p(json!({"count": 100})).unwrap(), Some((0, 100)));
        assert_eq!(p(json!({"count": 1, "nextSeq": 7})).unwrap(), Some((7, 1)));
        for bad in [
            json!({"count": 0}),
            json!({"count": 101}),
            json!({"count": 2.5}),
            json!({"count": 5, "nextSeq": -1}),
        ] {
            assert_eq!(p(bad).unwrap_err().code, 6017);
        }
    }

    #[test]
    fn test_arguments_of_the_wrong_type_get_codes() {
        assert_eq!(string_arg(&json!(5), "groupName").unwrap_err().code, 6017);
        assert_eq!(string_arg(&json!("x"), "groupName").unwrap(), "x");
        assert_eq!(str_field(&json!(null), "groupName").unwrap_err().code, 3153);
        assert_eq!(
            str_field(&json!({"groupName": 1}), "groupName")
                .unwrap_err()
                .code,
            6017
        );
        assert_eq!(
            string_list(&json!({"l": ["a", 1]}), "l").unwrap_err().code,
            6017
        );
        assert_eq!(string_list(&json!({"l": "a"}), "l").unwrap_err().code, 6017);
        assert_eq!(elem_type("nope").unwrap_err().code, 6017);
    }
}
