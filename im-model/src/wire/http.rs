//! The HTTP binding of the wire format: the paths, the login exchange, the
//! error body, the frames of the push stream, and the group-management
//! requests that the reference server serves beside the transport
//! contract.
//!
//! Every call is `POST <path>` with a JSON body and a JSON answer, except
//! the push stream and file downloads (`GET`) and uploads (a raw body).
//! After login, requests carry `Authorization: Bearer <token>`. A failed
//! call answers a non-2xx status with an [`ErrorBody`] holding Tencent's
//! code, so a client maps any failure back to an [`ImError`].

use serde::{Deserialize, Serialize};

use crate::enums::{GroupMemberRole, GroupType};
use crate::message::{Message, UserProfile};
use crate::{ErrorCode, ImError};

use super::SequencedEvent;

/// The request paths, one per call of the transport contract.
pub mod path {
    /// Login: [`LoginBody`](super::LoginBody) → [`LoginAnswer`](super::LoginAnswer).
    pub const LOGIN: &str = "/v1/login";
    /// Logout.
    pub const LOGOUT: &str = "/v1/logout";
    /// A conversation-state change → its stream cursor.
    pub const UPDATE_CONVERSATIONS: &str = "/v1/conversations/update";
    /// The conversation snapshot.
    pub const SNAPSHOT: &str = "/v1/conversations/snapshot";
    /// Send a message → its ack.
    pub const SEND: &str = "/v1/messages/send";
    /// Revoke a message.
    pub const REVOKE: &str = "/v1/messages/revoke";
    /// Report read positions.
    pub const REPORT_READ: &str = "/v1/messages/read";
    /// A page of roaming history.
    pub const HISTORY: &str = "/v1/messages/history";
    /// Pull events after a cursor.
    pub const EVENTS: &str = "/v1/events";
    /// The push stream (`GET`, `?cursor=N`): newline-delimited
    /// [`PushFrame`](super::PushFrame)s.
    pub const EVENT_STREAM: &str = "/v1/events/stream";
    /// Send one message to several users.
    pub const BATCH_SEND: &str = "/v1/messages/batch_send";
    /// Delete messages from roaming storage.
    pub const DELETE: &str = "/v1/messages/delete";
    /// Clear a conversation's roaming history.
    pub const CLEAR_HISTORY: &str = "/v1/messages/clear";
    /// Set a receive option → its stream cursor.
    pub const SET_RECEIVE_OPTION: &str = "/v1/receive_option/set";
    /// Read C2C peers' receive options.
    pub const C2C_RECEIVE_OPTIONS: &str = "/v1/receive_option/c2c";
    /// Set the account-wide receive option.
    pub const SET_ALL_RECEIVE_OPTION: &str = "/v1/receive_option/all/set";
    /// Read the account-wide receive option.
    pub const ALL_RECEIVE_OPTION: &str = "/v1/receive_option/all";
    /// Upload a file (raw body; `Content-Length` required) → where it lives.
    pub const UPLOAD: &str = "/v1/files";
    /// Download a file: `GET /v1/files/<id>`.
    pub const FILES_PREFIX: &str = "/v1/files/";
    /// `GET /web/<file>`: the browser SDK and its chat page, when the
    /// server is given a folder of them (`/web/` is the page).
    pub const WEB_PREFIX: &str = "/web/";
    /// The messages inside a merged message.
    pub const MERGED: &str = "/v1/messages/merged";
    /// Modify a sent message.
    pub const MODIFY: &str = "/v1/messages/modify";
    /// Send read receipts.
    pub const SEND_RECEIPTS: &str = "/v1/receipts/send";
    /// Read receipts of our messages.
    pub const MESSAGE_RECEIPTS: &str = "/v1/receipts";
    /// Create a group.
    pub const GROUP_CREATE: &str = "/v1/groups/create";
    /// Add members to a group.
    pub const GROUP_ADD: &str = "/v1/groups/add";
    /// Remove members from a group (or leave it).
    pub const GROUP_REMOVE: &str = "/v1/groups/remove";
    /// A page of a group's members: [`MembersPageRequest`](super::MembersPageRequest)
    /// → [`MembersPage`](super::MembersPage).
    pub const GROUP_MEMBERS: &str = "/v1/groups/members";
    /// Change a member's role.
    pub const GROUP_SET_ROLE: &str = "/v1/groups/role";
    /// Change a member's role, name card or mute: a
    /// `GroupModifyMemberInfoParam`.
    pub const GROUP_MEMBER_MODIFY: &str = "/v1/groups/members/modify";
    /// Join a group: [`JoinGroupRequest`](super::JoinGroupRequest) →
    /// [`JoinAnswer`](super::JoinAnswer).
    pub const GROUP_JOIN: &str = "/v1/groups/join";
    /// Join requests the caller approves: a `GroupPendencyOption` → a
    /// `GroupPendencyResult`.
    pub const GROUP_PENDENCIES: &str = "/v1/groups/pendencies";
    /// Accept or refuse a join request: [`HandlePendencyRequest`](super::HandlePendencyRequest).
    pub const GROUP_PENDENCY_HANDLE: &str = "/v1/groups/pendencies/handle";
    /// Mark join requests read up to a time: [`PendencyReadRequest`](super::PendencyReadRequest).
    pub const GROUP_PENDENCY_READ: &str = "/v1/groups/pendencies/read";
    /// The groups the caller is in → `GroupBaseInfo` array.
    pub const GROUP_JOINED: &str = "/v1/groups/joined";
    /// Groups' information: [`GroupIdsRequest`](super::GroupIdsRequest) →
    /// `GetGroupInfoResult` array.
    pub const GROUP_INFO: &str = "/v1/groups/info";
    /// Change a group's information: a `GroupModifyInfoParam`.
    pub const GROUP_MODIFY: &str = "/v1/groups/modify";
    /// Dismiss a group: [`GroupRequest`](super::GroupRequest).
    pub const GROUP_DISMISS: &str = "/v1/groups/dismiss";
    /// Users' profiles: [`ProfilesRequest`](super::ProfilesRequest) →
    /// [`ProfilesAnswer`](super::ProfilesAnswer).
    pub const PROFILES: &str = "/v1/profiles";
    /// Change one's own profile: a `UserProfileItem` → its stream cursor.
    pub const PROFILE_MODIFY: &str = "/v1/profiles/modify";
    /// Server time, unauthenticated.
    pub const TIME: &str = "/v1/time";
    /// Readiness, unauthenticated, for load balancers: `GET`, 200 with
    /// `{"status":"ok"}` when the node's database answers, else 503.
    pub const HEALTH: &str = "/healthz";
    /// Prometheus-style metrics of the node (`GET`, text exposition format).
    pub const METRICS: &str = "/metrics";
    /// Every fixed path above (file downloads, under [`FILES_PREFIX`], vary):
    /// what a server may name in its metrics without letting a client mint
    /// new names.
    pub const ROUTES: &[&str] = &[
        LOGIN,
        LOGOUT,
        UPDATE_CONVERSATIONS,
        SNAPSHOT,
        SEND,
        REVOKE,
        REPORT_READ,
        HISTORY,
        EVENTS,
        EVENT_STREAM,
        BATCH_SEND,
        DELETE,
        CLEAR_HISTORY,
        SET_RECEIVE_OPTION,
        C2C_RECEIVE_OPTIONS,
        SET_ALL_RECEIVE_OPTION,
        ALL_RECEIVE_OPTION,
        UPLOAD,
        MERGED,
        MODIFY,
        SEND_RECEIPTS,
        MESSAGE_RECEIPTS,
        GROUP_CREATE,
        GROUP_ADD,
        GROUP_REMOVE,
        GROUP_MEMBERS,
        GROUP_SET_ROLE,
        GROUP_MEMBER_MODIFY,
        GROUP_JOIN,
        GROUP_PENDENCIES,
        GROUP_PENDENCY_HANDLE,
        GROUP_PENDENCY_READ,
        GROUP_JOINED,
        GROUP_INFO,
        GROUP_MODIFY,
        GROUP_DISMISS,
        PROFILES,
        PROFILE_MODIFY,
        TIME,
        HEALTH,
        METRICS,
    ];
}

/// The header naming the size of an upload when the body is streamed.
pub const UPLOAD_SIZE_HEADER: &str = "x-im-file-size";

/// The login request: the transport contract's credentials and the device's
/// platform (Tencent's `TIMPlatform`). A second login of the same user on
/// the same platform ends the first session (kicked offline, 6208); other
/// platforms stay logged in.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginBody {
    /// The user id.
    pub user_id: String,
    /// The UserSig.
    pub user_sig: String,
    /// The device's platform (`kTIMPlatform_*` value).
    #[serde(default)]
    pub platform: u32,
}

impl std::fmt::Debug for LoginBody {
    /// Never prints the UserSig: it is a credential.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginBody")
            .field("user_id", &self.user_id)
            .field("user_sig", &"<redacted>")
            .field("platform", &self.platform)
            .finish()
    }
}

/// The answer to a login.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginAnswer {
    /// The session's bearer token for every later request.
    pub token: String,
    /// Server time (seconds).
    pub server_time: u64,
}

impl std::fmt::Debug for LoginAnswer {
    /// Never prints the token: it is a credential.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginAnswer")
            .field("token", &"<redacted>")
            .field("server_time", &self.server_time)
            .finish()
    }
}

/// A failed call's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Tencent's code.
    pub code: i32,
    /// What went wrong.
    pub desc: String,
}

impl From<&ImError> for ErrorBody {
    fn from(error: &ImError) -> ErrorBody {
        ErrorBody {
            code: error.code(),
            desc: error.message.clone(),
        }
    }
}

impl From<ErrorBody> for ImError {
    fn from(body: ErrorBody) -> ImError {
        ImError::new(ErrorCode::from_code(body.code), body.desc)
    }
}

/// An answer that is one number (a stream cursor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CursorAnswer {
    /// The stream cursor.
    pub cursor: u64,
}

/// One line of the push stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PushFrame {
    /// Events that follow the stream position `after` without a gap.
    Events {
        /// The cursor these events follow (the previous frame's
        /// `next_cursor`, or the cursor the stream was opened at).
        after: u64,
        /// The events, in stream order.
        events: Vec<SequencedEvent>,
        /// Where the stream stands after them.
        next_cursor: u64,
        /// The newest cursor of the user's log when the frame was read:
        /// when `next_cursor` reached it, the client has everything (a
        /// frame without events says so when the stream goes idle).
        head: u64,
    },
    /// Nothing new; the connection is alive (sent every few seconds so a
    /// client notices a dead connection).
    Heartbeat {
        /// Server time (seconds).
        server_time: u64,
    },
    /// The cursor is older than anything the server keeps, or unknown to
    /// it: the client resyncs and reopens the stream.
    CursorTooOld,
    /// The session ended (6208 kicked off by another device, 6206 UserSig
    /// expired); the stream closes after this frame.
    Ended {
        /// Tencent's code.
        code: i32,
    },
}

/// Creates a group; the caller becomes its owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateGroupRequest {
    /// The group id (printable ASCII, at most 48 bytes).
    pub group_id: String,
    /// Its name.
    pub name: String,
    /// The first members besides the owner.
    pub members: Vec<String>,
    /// The rest of the group's information (defaults when absent).
    #[serde(default)]
    pub details: NewGroupDetails,
}

/// What a new group may be given besides its id, name and members.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewGroupDetails {
    /// Its type (`kTIMGroup_Public` when absent).
    #[serde(default)]
    pub group_type: Option<GroupType>,
    /// Its notification.
    #[serde(default)]
    pub notification: String,
    /// Its introduction.
    #[serde(default)]
    pub introduction: String,
    /// Its face URL.
    #[serde(default)]
    pub face_url: String,
    /// How users join (`TIMGroupAddOption`; the type's default when absent).
    #[serde(default)]
    pub add_option: Option<u32>,
}

/// Adds or removes members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMembersRequest {
    /// The group.
    pub group_id: String,
    /// The users.
    pub users: Vec<String>,
}

/// Names a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRequest {
    /// The group.
    pub group_id: String,
}

/// Names groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupIdsRequest {
    /// The groups (at most `group::MAX_GROUPS_PER_LOOKUP`).
    pub group_ids: Vec<String>,
}

/// One member of a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMember {
    /// The user.
    pub user_id: String,
    /// Their role (`kTIMMemberRole_*`).
    pub role: GroupMemberRole,
    /// When they joined (seconds; 0 for members from before it was kept).
    #[serde(default)]
    pub join_time: u64,
    /// Their name card in this group.
    #[serde(default)]
    pub name_card: String,
    /// Muted until (seconds; 0 or past: not muted).
    #[serde(default)]
    pub mute_until: u64,
    /// Their profile's nickname.
    #[serde(default)]
    pub nick_name: String,
    /// Their profile's face URL.
    #[serde(default)]
    pub face_url: String,
}

impl GroupMember {
    /// A member with only an id and a role (the rest empty).
    pub fn new(user_id: impl Into<String>, role: GroupMemberRole) -> GroupMember {
        GroupMember {
            user_id: user_id.into(),
            role,
            join_time: 0,
            name_card: String::new(),
            mute_until: 0,
            nick_name: String::new(),
            face_url: String::new(),
        }
    }
}

/// Asks for a page of a group's members (`TIMGroupGetMemberInfoList`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembersPageRequest {
    /// The group.
    pub group_id: String,
    /// Only these roles (`TIMGroupMemberRoleFlag` bits; 0: all).
    #[serde(default)]
    pub role_filter: u32,
    /// Only these users (empty: all).
    #[serde(default)]
    pub users: Vec<String>,
    /// Where the page starts: 0 first, then the previous page's `next`.
    #[serde(default)]
    pub next: u64,
}

/// A page of a group's members, by user id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembersPage {
    /// The members.
    pub members: Vec<GroupMember>,
    /// Where the next page starts (0: this was the last).
    pub next: u64,
}

/// Asks to join a group (`TIMGroupJoin`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinGroupRequest {
    /// The group.
    pub group_id: String,
    /// The applicant's text for the approvers.
    #[serde(default)]
    pub message: String,
}

/// How a join went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinAnswer {
    /// True when an owner or admin approves it first; false: a member now.
    pub pending: bool,
}

/// Accepts or refuses a join request (`TIMGroupHandlePendency`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandlePendencyRequest {
    /// The group.
    pub group_id: String,
    /// Who asked to join.
    pub applicant: String,
    /// Accept (true) or refuse.
    pub accept: bool,
    /// The approver's answer.
    #[serde(default)]
    pub message: String,
}

/// Marks join requests read up to a time (`TIMGroupReportPendencyReaded`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendencyReadRequest {
    /// Requests filed up to this time (seconds) are read.
    pub time: u64,
}

/// Changes a member's role (the owner grants or takes admin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetRoleRequest {
    /// The group.
    pub group_id: String,
    /// The member.
    pub user_id: String,
    /// The new role: admin or normal.
    pub role: GroupMemberRole,
}

/// Asks for users' profiles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfilesRequest {
    /// The users (at most `profile::MAX_USERS_PER_LOOKUP`).
    pub users: Vec<String>,
}

/// Users' profiles, in the order asked (a user without a profile gets an
/// empty one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfilesAnswer {
    /// The profiles.
    pub profiles: Vec<UserProfile>,
}

/// The messages a merged message holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergedAnswer {
    /// The messages.
    pub messages: Vec<Message>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_the_route_list_names_each_path_once() {
        let mut seen = std::collections::BTreeSet::new();
        for route in path::ROUTES {
            assert!(route.starts_with('/'), "{route}");
            assert!(seen.insert(*route), "{route} twice");
        }
        assert!(seen.contains(path::SEND) && seen.contains(path::METRICS));
        assert!(!seen.contains(path::FILES_PREFIX));
    }

    #[test]
    fn test_error_bodies_carry_the_code_both_ways() {
        let error = ImError::new(ErrorCode::KickedOffByOther, "another device");
        let body = ErrorBody::from(&error);
        assert_eq!(body.code, 6208);
        let back = ImError::from(body);
        assert_eq!(back.code, ErrorCode::KickedOffByOther);
        assert_eq!(back.message, "another device");
    }

    #[test]
    fn test_push_frames_are_tagged_lines() {
        let frame = PushFrame::Ended { code: 6208 };
        assert_eq!(
            serde_json::to_string(&frame).unwrap(),
            r#"{"kind":"ended","code":6208}"#
        );
    }

    #[test]
    fn test_login_bodies_never_print_the_user_sig() {
        let body = LoginBody {
            user_id: "alice".into(),
            user_sig: "SECRET".into(),
            platform: 1,
        };
        assert!(!format!("{body:?}").contains("SECRET"));
    }
}
