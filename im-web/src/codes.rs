//! Errors as the Web SDK reports them: `{code, message}`, with its own
//! codes where they differ from the native SDK's (a conversation that is
//! not on the device is 2500 on the Web, 6004 natively) and the native
//! (server) codes everywhere else.

use im_model::{ErrorCode, ImError};
use serde::Serialize;

/// The Web SDK's own error codes used here (`TencentCloudChat`'s
/// module).
#[derive(Debug)]
#[non_exhaustive]
pub struct WebCode;

impl WebCode {
    /// No conversation with that id on this device.
    pub const CONV_NOT_FOUND: i32 = 2500;
    /// Not a conversation id.
    pub const INVALID_CONV_ID: i32 = 2503;
    /// A message argument is not a message (`MSG_INSTANCE_REQUIRED`).
    pub const MSG_INSTANCE_REQUIRED: i32 = 2105;
    /// A call before login (`USER_NOT_LOGGED_IN`).
    pub const USER_NOT_LOGGED_IN: i32 = 2024;
    /// A call before the SDK is ready (`SDK_IS_NOT_READY`).
    pub const SDK_IS_NOT_READY: i32 = 2999;
    /// A login while logged in or logging in (`REPEAT_LOGIN`).
    pub const REPEAT_LOGIN: i32 = 2025;
    /// No such method (`NO_MODULE`'s sibling: an unknown call).
    pub const INVALID_OPERATION: i32 = 2905;
    /// A required option is missing (`OPTIONS_IS_EMPTY`).
    pub const OPTIONS_IS_EMPTY: i32 = 3153;
    /// No UserSig (`NO_USERSIG`).
    pub const NO_USERSIG: i32 = 2003;
    /// No or no valid SDKAppID (`NO_SDKAPPID`).
    pub const NO_SDKAPPID: i32 = 2000;
    /// No user id (`NO_IDENTIFIER`).
    pub const NO_IDENTIFIER: i32 = 2002;
    /// The server cannot be reached (`NETWORK_ERROR`).
    pub const NETWORK_ERROR: i32 = 2800;
}

/// A rejected call: what the Promise rejects with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebError {
    /// The code (Web, native or server).
    pub code: i32,
    /// What went wrong.
    pub message: String,
}

impl WebError {
    /// An error with `code`.
    pub fn new(code: i32, message: impl Into<String>) -> WebError {
        WebError {
            code,
            message: message.into(),
        }
    }

    /// A bad parameter: the native parameter code (6017), named.
    pub fn param(message: impl Into<String>) -> WebError {
        WebError::new(ErrorCode::InvalidParameters.code(), message)
    }
}

impl std::fmt::Display for WebError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for WebError {}

impl From<ImError> for WebError {
    fn from(e: ImError) -> WebError {
        let code = match e.code {
            // The Web SDK's names for the native codes that differ.
            ErrorCode::NotLogin | ErrorCode::SdkUninit => WebCode::USER_NOT_LOGGED_IN,
            ErrorCode::InvalidConversation => WebCode::CONV_NOT_FOUND,
            ErrorCode::NetDisconnect => WebCode::NETWORK_ERROR,
            other => other.code(),
        };
        WebError::new(code, e.message)
    }
}
