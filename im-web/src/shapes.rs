//! The Web SDK's objects, made from the engine's: a `Message` and a
//! `Conversation` as `TencentCloudChat` hands them to an app (field names
//! and string values from its module), and the engine's message made from
//! what `create*Message` built.

use im_model::conversation::ConvInfo;
use im_model::message::{CustomElem, Elem, FileElem, ImageElem, Message, TextElem};
use im_model::{ConvId, ConvType, GroupType, MsgPriority, MsgStatus, ReceiveMessageOpt};
use serde::Serialize;
use serde_json::{Value, json};

use crate::codes::{WebCode, WebError};
use crate::web_id;

/// `TYPES.MSG_TEXT`.
pub const MSG_TEXT: &str = "TIMTextElem";
/// `TYPES.MSG_CUSTOM`.
pub const MSG_CUSTOM: &str = "TIMCustomElem";
/// `TYPES.MSG_FILE`.
pub const MSG_FILE: &str = "TIMFileElem";
/// `TYPES.MSG_IMAGE`.
pub const MSG_IMAGE: &str = "TIMImageElem";
/// The payload key under which the worker names a file message's file:
/// the path the fetch transport keeps the page's `File` or `Blob` under.
pub const FILE_PATH_KEY: &str = "__path";

/// The path of a file message's file (set by the worker).
fn file_path(text: &impl Fn(&str) -> Result<Option<String>, WebError>) -> Result<String, WebError> {
    text(FILE_PATH_KEY)?
        .filter(|p| !p.is_empty())
        .ok_or_else(|| WebError::param("a file message needs the File or Blob it was made from"))
}

/// The conversation a message belongs to.
pub fn message_conv(m: &Message) -> Option<ConvId> {
    ConvId::new(m.conv_type?, m.conv_id.clone()?).ok()
}

/// The id of the engine's conversation record.
pub fn conversation_id(c: &ConvInfo) -> Option<ConvId> {
    ConvId::new(c.conv_type?, c.conv_id.clone()?).ok()
}

/// A message as the Web SDK shows it. `me` is the logged-in user.
pub fn message(m: &Message, me: &str) -> Value {
    let conv = message_conv(m);
    let from_self = m.is_from_self.unwrap_or(false) || m.sender.as_deref() == Some(me);
    let (elem_type, payload) = first_elem(m);
    let to = match &conv {
        Some(c) if c.conv_type() == ConvType::Group => c.peer().to_owned(),
        Some(c) if from_self => c.peer().to_owned(),
        _ => me.to_owned(),
    };
    let revoked = m.status == Some(MsgStatus::Revoked);
    let profile = m.sender_profile.as_ref();
    json!({
        "ID": m.msg_id.clone().unwrap_or_default(),
        "conversationID": conv.as_ref().map(web_id::to_web).unwrap_or_default(),
        "conversationType": conv.as_ref().map_or(web_id::C2C, web_id::web_type),
        "time": m.timestamp(),
        "sequence": m.seq.unwrap_or(0),
        "clientSequence": m.seq.unwrap_or(0),
        "random": m.rand.unwrap_or(0),
        "priority": priority(m.priority),
        "nick": profile.and_then(|p| p.nick_name.clone()).unwrap_or_default(),
        "avatar": profile.and_then(|p| p.face_url.clone()).unwrap_or_default(),
        "nameCard": m.sender_group_member_info.as_ref().and_then(|g| g.name_card.clone()).unwrap_or_default(),
        "isPeerRead": m.is_peer_read.unwrap_or(false),
        "atUserList": m.group_at_user_array.clone().unwrap_or_default(),
        "cloudCustomData": m.cloud_custom_str.clone().unwrap_or_default(),
        "from": m.sender.clone().unwrap_or_default(),
        "to": to,
        "flow": if from_self { "out" } else { "in" },
        "isSystemMessage": false,
        "protocol": "JSON",
        "isResend": false,
        "isRead": from_self || m.is_read.unwrap_or(false),
        "status": status(m.status),
        "isRevoked": revoked,
        "revoker": m.revoker_user_id.clone().unwrap_or_default(),
        "revokerInfo": {
            "userID": m.revoker_user_id.clone().unwrap_or_default(),
            "nick": m.revoker_nick_name.clone().unwrap_or_default(),
            "avatar": m.revoker_face_url.clone().unwrap_or_default(),
        },
        "revokeReason": m.revoke_reason.clone().unwrap_or_default(),
        "readReceiptInfo": {
            "isPeerRead": m.is_peer_read.unwrap_or(false),
            "timestamp": 0,
        },
        "isBroadcastMessage": m.is_broadcast_message.unwrap_or(false),
        "isSupportExtension": false,
        "hasRiskContent": m.has_risk_content.unwrap_or(false),
        "isDeleted": m.status == Some(MsgStatus::Deleted),
        "isModified": false,
        "needReadReceipt": m.need_read_receipt.unwrap_or(false),
        "version": 0,
        "type": elem_type,
        "payload": payload,
    })
}

/// The Web type and payload of a message's (first) element; a message
/// without one shows as an empty custom message.
fn first_elem(m: &Message) -> (&'static str, Value) {
    m.elem_array
        .as_deref()
        .and_then(<[Elem]>::first)
        .map_or_else(
            || {
                (
                    MSG_CUSTOM,
                    json!({"data": "", "description": "", "extension": ""}),
                )
            },
            elem,
        )
}

/// `TYPES.MSG_PRIORITY_*`.
fn priority(p: Option<MsgPriority>) -> &'static str {
    match p {
        Some(MsgPriority::High) => "High",
        Some(MsgPriority::Low) => "Low",
        Some(MsgPriority::Lowest) => "Lowest",
        _ => "Normal",
    }
}

/// The Web message status: `unSend`, `success` or `fail`.
fn status(s: Option<MsgStatus>) -> &'static str {
    match s {
        Some(MsgStatus::Sending) => "unSend",
        Some(MsgStatus::SendFail | MsgStatus::Cancel) => "fail",
        _ => "success",
    }
}

/// An element's Web type and payload.
fn elem(e: &Elem) -> (&'static str, Value) {
    match e {
        Elem::Text(t) => (
            MSG_TEXT,
            json!({"text": t.content.clone().unwrap_or_default()}),
        ),
        Elem::Custom(c) => (
            MSG_CUSTOM,
            json!({
                "data": c.data.clone().unwrap_or_default(),
                "description": c.desc.clone().unwrap_or_default(),
                "extension": c.ext.clone().unwrap_or_default(),
            }),
        ),
        Elem::File(f) => (
            MSG_FILE,
            json!({
                "uuid": f.file_id.clone().unwrap_or_default(),
                "fileName": f.file_name.clone().unwrap_or_default(),
                "fileSize": f.file_size.unwrap_or(0),
                "fileUrl": f.url.clone().unwrap_or_default(),
            }),
        ),
        Elem::Image(i) => (
            MSG_IMAGE,
            json!({
                "uuid": i.orig_id.clone().unwrap_or_default(),
                "imageFormat": i.format.unwrap_or(255),
                "imageInfoArray": [{
                    "width": i.orig_pic_width.unwrap_or(0),
                    "height": i.orig_pic_height.unwrap_or(0),
                    "size": i.orig_pic_size.unwrap_or(0),
                    "type": 0,
                    "url": i.orig_url.clone().unwrap_or_default(),
                }],
            }),
        ),
        Elem::Face(f) => (
            "TIMFaceElem",
            json!({"index": f.index.unwrap_or(0), "data": f.buf.clone().unwrap_or_default()}),
        ),
        Elem::Location(l) => (
            "TIMLocationElem",
            json!({
                "description": l.desc.clone().unwrap_or_default(),
                "longitude": l.longitude.unwrap_or(0.0),
                "latitude": l.latitude.unwrap_or(0.0),
            }),
        ),
        Elem::Sound(_) => ("TIMSoundElem", json!({})),
        Elem::Video(_) => ("TIMVideoFileElem", json!({})),
        Elem::Merge(m) => (
            "TIMRelayElem",
            json!({
                "title": m.title.clone().unwrap_or_default(),
                "abstractList": m.abstract_array.clone().unwrap_or_default(),
                "compatibleText": m.compatible_text.clone().unwrap_or_default(),
            }),
        ),
        Elem::GroupTips(_) | Elem::GroupReport(_) => ("TIMGroupTipElem", json!({})),
        _ => (
            MSG_CUSTOM,
            json!({"data": "", "description": "", "extension": ""}),
        ),
    }
}

/// What the Web SDK shows for a message in a list (`messageForShow`).
fn message_for_show(elem_type: &str, payload: &Value) -> String {
    match elem_type {
        MSG_TEXT => payload["text"].as_str().unwrap_or_default().to_owned(),
        "TIMImageElem" => "[图片]".to_owned(),
        "TIMSoundElem" => "[语音]".to_owned(),
        "TIMVideoFileElem" => "[视频]".to_owned(),
        "TIMFileElem" => "[文件]".to_owned(),
        "TIMFaceElem" => "[动画表情]".to_owned(),
        "TIMLocationElem" => "[位置]".to_owned(),
        "TIMRelayElem" => "[聊天记录]".to_owned(),
        "TIMGroupTipElem" => "[群提示消息]".to_owned(),
        _ => "[自定义消息]".to_owned(),
    }
}

/// A conversation as the Web SDK shows it.
pub fn conversation(c: &ConvInfo) -> Value {
    // Serializing these fields cannot fail (no map has non-string keys).
    serde_json::to_value(WebConversation::of(c)).unwrap_or_default()
}

/// Conversations as the Web SDK shows them, as JSON text: written straight
/// from the engine's records, without a `Value` tree apiece (a list of
/// 10,000 crosses to the page whole).
pub fn conversations_text(list: &[ConvInfo]) -> String {
    let shown: Vec<WebConversation<'_>> = list.iter().map(WebConversation::of).collect();
    serde_json::to_string(&shown).unwrap_or_else(|_| "[]".to_owned())
}

/// The Web SDK's `Conversation`, borrowing from the engine's record.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebConversation<'a> {
    #[serde(rename = "conversationID")]
    conversation_id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    sub_type: &'static str,
    unread_count: u64,
    last_message: LastMessage<'a>,
    peer_read_time: u64,
    group_at_info_list: Vec<AtInfo>,
    remark: &'static str,
    is_pinned: bool,
    message_remind_type: &'static str,
    mark_list: &'a [u64],
    custom_data: &'a str,
    conversation_group_list: &'a [String],
    draft_text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_profile: Option<GroupProfile<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_profile: Option<UserProfile<'a>>,
}

/// A conversation's `lastMessage`: the fields `message` gives these, built
/// directly (a list shows one per conversation). The default is the
/// Web SDK's for a conversation without one.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct LastMessage<'a> {
    last_time: u64,
    last_sequence: u64,
    from_account: &'a str,
    message_for_show: String,
    payload: Value,
    #[serde(rename = "type")]
    kind: &'static str,
    is_revoked: bool,
    cloud_custom_data: &'a str,
    online_only_flag: bool,
    nick: &'a str,
    name_card: &'a str,
    version: u32,
    is_peer_read: bool,
    revoker: Option<()>,
}

/// One of a conversation's `groupAtInfoList`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AtInfo {
    message_sequence: u64,
    at_type: u32,
}

/// A group conversation's `groupProfile`.
#[derive(Debug, Serialize)]
struct GroupProfile<'a> {
    #[serde(rename = "groupID")]
    group_id: &'a str,
    name: &'a str,
    avatar: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
}

/// A C2C conversation's `userProfile`.
#[derive(Debug, Serialize)]
struct UserProfile<'a> {
    #[serde(rename = "userID")]
    user_id: &'a str,
    nick: &'a str,
    avatar: &'a str,
}

impl<'a> LastMessage<'a> {
    fn of(m: Option<&'a Message>) -> LastMessage<'a> {
        let Some(m) = m else {
            return LastMessage::default();
        };
        let (kind, payload) = first_elem(m);
        LastMessage {
            last_time: m.timestamp(),
            last_sequence: m.seq.unwrap_or(0),
            from_account: m.sender.as_deref().unwrap_or_default(),
            message_for_show: message_for_show(kind, &payload),
            payload,
            kind,
            is_revoked: m.status == Some(MsgStatus::Revoked),
            cloud_custom_data: m.cloud_custom_str.as_deref().unwrap_or_default(),
            online_only_flag: false,
            nick: m
                .sender_profile
                .as_ref()
                .and_then(|p| p.nick_name.as_deref())
                .unwrap_or_default(),
            name_card: m
                .sender_group_member_info
                .as_ref()
                .and_then(|g| g.name_card.as_deref())
                .unwrap_or_default(),
            version: 0,
            is_peer_read: m.is_peer_read.unwrap_or(false),
            revoker: None,
        }
    }
}

impl<'a> WebConversation<'a> {
    /// The Web SDK's view of the engine's conversation `c`.
    pub fn of(c: &'a ConvInfo) -> WebConversation<'a> {
        let peer = c.conv_id.as_deref().unwrap_or_default();
        let is_group = c.conv_type == Some(ConvType::Group);
        let conversation_id = conversation_id(c)
            .map(|id| web_id::to_web(&id))
            .unwrap_or_default();
        let last = c
            .last_msg
            .as_ref()
            .filter(|_| c.has_last_msg.unwrap_or(true));
        let name = c.show_name.as_deref().unwrap_or_default();
        let avatar = c.face_url.as_deref().unwrap_or_default();
        WebConversation {
            conversation_id,
            kind: if is_group { web_id::GROUP } else { web_id::C2C },
            sub_type: if is_group {
                group_type(c.group_type)
            } else {
                ""
            },
            unread_count: c.unread_num.unwrap_or(0),
            last_message: LastMessage::of(last),
            peer_read_time: c.c2c_read_timestamp.unwrap_or(0),
            // The Web SDK's at-info list holds objects.
            group_at_info_list: c
                .group_at_info_array
                .iter()
                .flatten()
                .map(|a| AtInfo {
                    message_sequence: a.seq.unwrap_or(0),
                    at_type: a.at_type.map_or(1, |t| t.value()),
                })
                .collect(),
            remark: "",
            is_pinned: c.is_pinned.unwrap_or(false),
            message_remind_type: remind_type(c.recv_opt),
            mark_list: c.mark_array.as_deref().unwrap_or_default(),
            custom_data: c.custom_data.as_deref().unwrap_or_default(),
            conversation_group_list: c.conversation_group_array.as_deref().unwrap_or_default(),
            draft_text: draft_text(c),
            group_profile: is_group.then(|| GroupProfile {
                group_id: peer,
                name,
                avatar,
                kind: group_type(c.group_type),
            }),
            user_profile: (!is_group).then_some(UserProfile {
                user_id: peer,
                nick: name,
                avatar,
            }),
        }
    }
}

/// `TYPES.GRP_*`.
fn group_type(t: Option<GroupType>) -> &'static str {
    match t {
        Some(GroupType::Public) => "Public",
        Some(GroupType::ChatRoom | GroupType::BChatRoom) => "ChatRoom",
        Some(GroupType::AvChatRoom) => "AVChatRoom",
        Some(GroupType::Community) => "Community",
        _ => "Private",
    }
}

/// `TYPES.MSG_REMIND_*`.
fn remind_type(o: Option<ReceiveMessageOpt>) -> &'static str {
    match o {
        Some(ReceiveMessageOpt::NotReceive) => "Discard",
        Some(ReceiveMessageOpt::NotNotify) => "AcceptNotNotify",
        Some(ReceiveMessageOpt::NotNotifyExceptAt) => "AcceptNotNotifyExceptAt",
        Some(ReceiveMessageOpt::NotReceiveExceptAt) => "NotReceiveMsgExceptAt",
        _ => "AcceptAndNotify",
    }
}

/// The draft's text (the Web SDK's drafts are text).
fn draft_text(c: &ConvInfo) -> String {
    if !c.has_draft.unwrap_or(false) {
        return String::new();
    }
    c.draft
        .as_ref()
        .and_then(|d| d.msg.as_ref())
        .and_then(|m| m.elem_array.as_deref())
        .and_then(|elems| {
            elems.iter().find_map(|e| match e {
                Elem::Text(t) => t.content.clone(),
                _ => None,
            })
        })
        .unwrap_or_default()
}

/// The engine's message for what `create*Message` built: its type and
/// payload, `cloudCustomData`, `priority`, `needReadReceipt` and
/// `atUserList`.
///
/// # Errors
/// 2105 (`MSG_INSTANCE_REQUIRED`) for anything but a message object;
/// 6017 for a type this build cannot send or a payload of the wrong shape.
pub fn outgoing(web: &Value) -> Result<Message, WebError> {
    let Some(object) = web.as_object() else {
        return Err(WebError::new(
            WebCode::MSG_INSTANCE_REQUIRED,
            "a message made by create*Message is required",
        ));
    };
    let text = |key: &str| -> Result<Option<String>, WebError> {
        match &object.get("payload").and_then(|p| p.get(key)) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(WebError::param(format!("payload.{key} must be a string"))),
        }
    };
    let elem = match object.get("type").and_then(Value::as_str) {
        Some(MSG_TEXT) => Elem::Text(TextElem {
            content: Some(text("text")?.unwrap_or_default()),
            ..TextElem::default()
        }),
        Some(MSG_CUSTOM) => Elem::Custom(CustomElem {
            data: text("data")?,
            desc: text("description")?,
            ext: text("extension")?,
            ..CustomElem::default()
        }),
        Some(MSG_FILE) => Elem::File(FileElem {
            file_path: Some(file_path(&text)?),
            file_name: text("fileName")?,
            ..FileElem::default()
        }),
        Some(MSG_IMAGE) => Elem::Image(ImageElem {
            orig_path: Some(file_path(&text)?),
            ..ImageElem::default()
        }),
        other => {
            return Err(WebError::param(format!(
                "messages of type {other:?} cannot be sent from this build"
            )));
        }
    };
    let mut m = Message {
        elem_array: Some(vec![elem]),
        ..Message::default()
    };
    if let Some(data) = object.get("cloudCustomData").and_then(Value::as_str)
        && !data.is_empty()
    {
        m.cloud_custom_str = Some(data.to_owned());
    }
    if object.get("needReadReceipt").and_then(Value::as_bool) == Some(true) {
        m.need_read_receipt = Some(true);
    }
    m.priority = Some(match object.get("priority").and_then(Value::as_str) {
        Some("High") => MsgPriority::High,
        Some("Low") => MsgPriority::Low,
        Some("Lowest") => MsgPriority::Lowest,
        _ => MsgPriority::Normal,
    });
    if let Some(users) = object.get("atUserList").and_then(Value::as_array) {
        let users: Vec<String> = users
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        if !users.is_empty() {
            m.group_at_user_array = Some(users);
        }
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_a_sent_text_message_has_the_web_shape() {
        let mut m = Message::text("hello");
        m.msg_id = Some("1-2-3".into());
        m.conv_id = Some("bob".into());
        m.conv_type = Some(ConvType::C2C);
        m.sender = Some("alice".into());
        m.is_from_self = Some(true);
        m.status = Some(MsgStatus::SendSucc);
        m.seq = Some(7);
        m.server_time = Some(1_700_000_000);
        let shown = message(&m, "alice");
        assert_eq!(shown["ID"], "1-2-3");
        assert_eq!(shown["conversationID"], "C2Cbob");
        assert_eq!(shown["conversationType"], "C2C");
        assert_eq!(shown["from"], "alice");
        assert_eq!(shown["to"], "bob");
        assert_eq!(shown["flow"], "out");
        assert_eq!(shown["status"], "success");
        assert_eq!(shown["type"], "TIMTextElem");
        assert_eq!(shown["payload"]["text"], "hello");
        assert_eq!(shown["time"], 1_700_000_000);
        assert_eq!(shown["sequence"], 7);
        let received = message(&m, "bob");
        assert_eq!(received["flow"], "out", "the sender's own flag decides");
        m.is_from_self = Some(false);
        assert_eq!(message(&m, "bob")["flow"], "in");
        assert_eq!(message(&m, "bob")["to"], "bob");
    }

    #[test]
    fn test_a_conversation_shows_its_last_message_as_the_message_shows() {
        let mut m = Message::text("hello");
        m.msg_id = Some("1-2-3".into());
        m.conv_id = Some("bob".into());
        m.conv_type = Some(ConvType::C2C);
        m.sender = Some("bob".into());
        m.seq = Some(9);
        m.server_time = Some(1_700_000_000);
        m.cloud_custom_str = Some("custom".into());
        m.is_peer_read = Some(true);
        let c = ConvInfo {
            conv_id: Some("bob".into()),
            conv_type: Some(ConvType::C2C),
            last_msg: Some(m.clone()),
            ..ConvInfo::default()
        };
        let last = &conversation(&c)["lastMessage"];
        for revoked in [false, true] {
            let mut m = m.clone();
            if revoked {
                m.status = Some(MsgStatus::Revoked);
            }
            let c = ConvInfo {
                last_msg: Some(m.clone()),
                ..c.clone()
            };
            let last = &conversation(&c)["lastMessage"];
            let full = message(&m, "alice");
            for (field, of_message) in [
                ("lastTime", "time"),
                ("lastSequence", "sequence"),
                ("fromAccount", "from"),
                ("payload", "payload"),
                ("type", "type"),
                ("isRevoked", "isRevoked"),
                ("cloudCustomData", "cloudCustomData"),
                ("nick", "nick"),
                ("nameCard", "nameCard"),
                ("isPeerRead", "isPeerRead"),
            ] {
                assert_eq!(last[field], full[of_message], "{field}");
            }
        }
        assert_eq!(last["messageForShow"], "hello");
        assert_eq!(last["lastTime"], 1_700_000_000);
    }

    #[test]
    fn test_outgoing_takes_text_and_custom_and_refuses_the_rest_with_codes() {
        let m = outgoing(
            &json!({"type": "TIMTextElem", "payload": {"text": "hi"}, "cloudCustomData": "x"}),
        )
        .unwrap();
        assert_eq!(
            m.elem_array,
            Some(vec![Elem::Text(TextElem {
                content: Some("hi".into()),
                ..TextElem::default()
            })])
        );
        assert_eq!(m.cloud_custom_str.as_deref(), Some("x"));
        let c = outgoing(&json!({"type": "TIMCustomElem", "payload": {"data": "d", "description": "e", "extension": "f"}})).unwrap();
        assert!(
            matches!(&c.elem_array.unwrap()[0], Elem::Custom(c) if c.data.as_deref() == Some("d") && c.ext.as_deref() == Some("f"))
        );
        assert_eq!(outgoing(&json!("text")).unwrap_err().code, 2105);
        assert_eq!(outgoing(&json!(null)).unwrap_err().code, 2105);
        assert_eq!(
            outgoing(&json!({"type": "TIMTextElem", "payload": {"text": 5}}))
                .unwrap_err()
                .code,
            6017
        );
        assert_eq!(
            outgoing(&json!({"type": "TIMSoundElem"})).unwrap_err().code,
            6017
        );
    }
}
