//! The Tencent error codes the server answers, and constructors for the
//! errors it returns most.

use im_model::{ErrorCode, ImError};

/// `ERR_SDK_NOT_LOGGED_IN`: no session, or an unknown token.
pub const NOT_LOGGED_IN: i32 = 6014;
/// `ERR_SVR_COMM_BODY_SIZE_LIMIT`: a request body over the cap.
pub const BODY_SIZE_LIMIT: i32 = 80002;
/// `ERR_SVR_MSG_INVALID_ID`: an invalid user id.
pub const INVALID_USER_ID: i32 = 20003;
/// `ERR_SVR_GROUP_INVALID_PARAMETERS` (the model's, where the group rules live).
pub const GROUP_INVALID_PARAMETERS: i32 = im_model::group::codes::INVALID_PARAMETERS;
/// `ERR_SVR_GROUP_PERMISSION_DENY`: not a member, or not allowed to.
pub const GROUP_PERMISSION_DENY: i32 = im_model::group::codes::PERMISSION_DENY;
/// `ERR_SVR_GROUP_NOT_FOUND`: no such group.
pub const GROUP_NOT_FOUND: i32 = im_model::group::codes::NOT_FOUND;
/// `ERR_SVR_GROUP_GROUP_ID_IN_USE`: a group id already taken.
pub const GROUP_ID_IN_USE: i32 = 10021;
/// `ERR_SVR_GROUP_FULL_MEMBER_COUNT`: a group would pass its member limit.
pub const GROUP_MEMBER_COUNT_LIMIT: i32 = 10014;
/// `ERR_SVR_GROUP_FREQ_LIMIT`: a group's message rate exceeded.
pub const GROUP_FREQ_LIMIT: i32 = 10023;
/// `ERR_SVR_GROUP_REVOKE_MSG_TIME_LIMIT`: a group revoke after the window.
pub const GROUP_REVOKE_TIME_LIMIT: i32 = 10031;
/// `ERR_SVR_MSG_REVOKE_TIME_LIMIT`: a C2C revoke after the window.
pub const MSG_REVOKE_TIME_LIMIT: i32 = 20016;
/// The message was revoked already.
pub const ALREADY_REVOKED: i32 = 20023;
/// Tencent's "internal service error, retry": a storage failure (clients
/// treat it as transient).
pub const INTERNAL: i32 = ErrorCode::SERVER_INTERNAL;

/// An error with a server code.
pub fn server(code: i32, message: impl Into<String>) -> ImError {
    ImError::new(ErrorCode::from_code(code), message)
}

/// `NOT_LOGGED_IN`.
pub fn not_logged_in() -> ImError {
    server(NOT_LOGGED_IN, "log in first: no session for this token")
}

/// `GROUP_PERMISSION_DENY` with a reason.
pub fn denied(why: impl Into<String>) -> ImError {
    server(GROUP_PERMISSION_DENY, why)
}

/// A storage failure (logged where it happens; the client retries).
pub fn internal(why: impl std::fmt::Display) -> ImError {
    server(INTERNAL, format!("internal server error, retry: {why}"))
}
