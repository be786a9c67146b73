//! One error type for the whole SDK core, carrying Tencent's numeric codes.
//!
//! Every failure an app can observe has a Tencent code (so the C API can
//! pass it through unchanged) and a human message saying what was wrong.
//! Codes below zero are `TIMResult` values (the synchronous return of a C
//! call); the others are the asynchronous `code` of a callback.

use std::fmt;

/// A Tencent error code that this SDK core can produce.
///
/// The numbers are Tencent's (`TIMResult` and `TIMErrCode`); see spec
/// section 5. Each variant says whether retrying the same call can succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `TIM_ERR_SDKUNINIT` (-1): the SDK is not initialised. Retry after init.
    SdkUninit,
    /// `TIM_ERR_NOTLOGIN` (-2): not logged in. Retry after login.
    NotLogin,
    /// `TIM_ERR_JSON` (-3): malformed JSON or a wrong key. Not retryable.
    Json,
    /// `TIM_ERR_PARAM` (-4): a bad parameter. Not retryable.
    Param,
    /// `TIM_ERR_CONV` (-5): an invalid conversation. Not retryable.
    Conv,
    /// `TIM_ERR_GROUP` (-6): an invalid group id. Not retryable.
    Group,
    /// `ERR_PARSE_RESPONSE_FAILED` (6001): the server's answer made no
    /// sense. Retryable.
    ParseResponseFailed,
    /// `ERR_NO_SUCC_RESULT` (6003): a batch operation had no successful item.
    NoSuccResult,
    /// `ERR_IN_PROGESS` (6015, Tencent's spelling): the same call is
    /// already running; call again when it ended.
    InProgress,
    /// `ERR_INVALID_CONVERSATION` (6004): the conversation does not exist. Not retryable.
    InvalidConversation,
    /// `ERR_INVALID_MSG_ELEM` (6016): an invalid message element. Not retryable.
    InvalidMsgElem,
    /// `ERR_INVALID_PARAMETERS` (6017): invalid parameters. Not retryable.
    InvalidParameters,
    /// `ERR_DATABASE_OPERATE_FAILED` (6019): local storage failed. May be retryable.
    DatabaseOperateFailed,
    /// `ERR_IO_OPERATION_FAILED` (6022): local I/O failed. May be retryable.
    IoOperationFailed,
    /// `ERR_INVALID_JSON` (6027): JSON could not be parsed. Not retryable.
    InvalidJson,
    /// `ERR_FILE_TRANS_UPLOAD_FAILED` (6008): an upload failed. Retryable.
    FileTransUploadFailed,
    /// `ERR_SDK_COMM_FILE_NOT_FOUND` (7004): a file to send does not exist. Not retryable.
    FileNotFound,
    /// `ERR_SDK_COMM_FILE_TOO_LARGE` (7005): a file over its kind's limit. Not retryable.
    FileTooLarge,
    /// `ERR_SDK_COMM_FILE_SIZE_EMPTY` (7006): an empty file. Not retryable.
    FileSizeEmpty,
    /// `ERR_SDK_COMM_API_CALL_FREQUENCY_LIMIT` (7008): called too often. Retry later.
    ApiCallFrequencyLimit,
    /// `ERR_SDK_MSG_BODY_SIZE_LIMIT` (8001): message larger than 12 KB. Not retryable.
    MsgBodySizeLimit,
    /// `ERR_MERGER_MSG_LAYERS_OVER_LIMIT` (8005): merged messages nested over 100 layers.
    MergerMsgLayersOverLimit,
    /// `ERR_SDK_MSG_MODIFY_CONFLICT` (8006): a concurrent modify won; the
    /// message now holds the winner. Not retryable as is.
    MsgModifyConflict,
    /// `ERR_SDK_INVALID_CANCEL_MESSAGE` (8020): no send of that message to cancel.
    InvalidCancelMessage,
    /// `ERR_SDK_SEND_MESSAGE_FAILED_WITH_CANCEL` (8021): the send was cancelled.
    SendMessageFailedWithCancel,
    /// `ERR_FILE_TRANS_DOWNLOAD_FAILED` (6009): a download failed. Retryable.
    FileTransDownloadFailed,
    /// `ERR_SDK_NET_DISCONNECT` (9508): no network. Retryable.
    NetDisconnect,
    /// `ERR_USER_SIG_EXPIRED` (6206): the UserSig expired; log in again
    /// with a new one.
    UserSigExpired,
    /// `ERR_LOGIN_KICKED_OFF_BY_OTHER` (6208): the same user logged in on
    /// another device of the same platform; log in again to take over.
    KickedOffByOther,
    /// `ERR_SVR_MSG_REVOKE_TIME_LIMIT` (20016): the revoke window has passed.
    MsgRevokeTimeLimit,
    /// `ERR_SVR_CONV_CONV_MARK_REQ_COUNT_EXCEED_LIMIT` (51006): more than
    /// 100 conversations in one call. Not retryable.
    ConvMarkReqCountExceedLimit,
    /// `ERR_SVR_CONV_CONV_MARK_OPERATE_FAILED` (51007): a conversation
    /// mark or group operation failed. Not retryable.
    ConvMarkOperateFailed,
    /// `ERR_SVR_CONV_CONV_GROUP_NOT_EXIST` (51009): no such conversation group. Not retryable.
    ConvGroupNotExist,
    /// `ERR_SVR_CONV_CONV_GROUP_TOTAL_COUNT_EXCEED_LIMIT` (51010): more than
    /// 20 conversation groups. Not retryable until a group is deleted.
    ConvGroupTotalCountExceedLimit,
    /// `ERR_SVR_CONV_CONV_GROUP_NAME_EXCEED_LENGTH` (51011): a group name
    /// that is empty or longer than 32 bytes. Not retryable.
    ConvGroupNameExceedLength,
    /// Any other code, as a server reported it (e.g. 20007 "blacklisted by
    /// the peer"); passed through unchanged.
    Server(i32),
}

impl ErrorCode {
    /// Every code, for exhaustive tests and generated tables.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::SdkUninit,
        ErrorCode::NotLogin,
        ErrorCode::Json,
        ErrorCode::Param,
        ErrorCode::Conv,
        ErrorCode::Group,
        ErrorCode::ParseResponseFailed,
        ErrorCode::NoSuccResult,
        ErrorCode::InProgress,
        ErrorCode::InvalidConversation,
        ErrorCode::InvalidMsgElem,
        ErrorCode::InvalidParameters,
        ErrorCode::DatabaseOperateFailed,
        ErrorCode::IoOperationFailed,
        ErrorCode::InvalidJson,
        ErrorCode::FileTransUploadFailed,
        ErrorCode::FileNotFound,
        ErrorCode::FileTooLarge,
        ErrorCode::FileSizeEmpty,
        ErrorCode::ApiCallFrequencyLimit,
        ErrorCode::MsgBodySizeLimit,
        ErrorCode::MergerMsgLayersOverLimit,
        ErrorCode::MsgModifyConflict,
        ErrorCode::InvalidCancelMessage,
        ErrorCode::SendMessageFailedWithCancel,
        ErrorCode::FileTransDownloadFailed,
        ErrorCode::NetDisconnect,
        ErrorCode::UserSigExpired,
        ErrorCode::KickedOffByOther,
        ErrorCode::MsgRevokeTimeLimit,
        ErrorCode::ConvMarkReqCountExceedLimit,
        ErrorCode::ConvMarkOperateFailed,
        ErrorCode::ConvGroupNotExist,
        ErrorCode::ConvGroupTotalCountExceedLimit,
        ErrorCode::ConvGroupNameExceedLength,
    ];

    /// Tencent's number for this code.
    pub const fn code(self) -> i32 {
        match self {
            ErrorCode::SdkUninit => -1,
            ErrorCode::NotLogin => -2,
            ErrorCode::Json => -3,
            ErrorCode::Param => -4,
            ErrorCode::Conv => -5,
            ErrorCode::Group => -6,
            ErrorCode::ParseResponseFailed => 6001,
            ErrorCode::NoSuccResult => 6003,
            ErrorCode::InProgress => 6015,
            ErrorCode::InvalidConversation => 6004,
            ErrorCode::InvalidMsgElem => 6016,
            ErrorCode::InvalidParameters => 6017,
            ErrorCode::DatabaseOperateFailed => 6019,
            ErrorCode::IoOperationFailed => 6022,
            ErrorCode::InvalidJson => 6027,
            ErrorCode::FileTransUploadFailed => 6008,
            ErrorCode::FileNotFound => 7004,
            ErrorCode::FileTooLarge => 7005,
            ErrorCode::FileSizeEmpty => 7006,
            ErrorCode::ApiCallFrequencyLimit => 7008,
            ErrorCode::MsgBodySizeLimit => 8001,
            ErrorCode::MergerMsgLayersOverLimit => 8005,
            ErrorCode::MsgModifyConflict => 8006,
            ErrorCode::InvalidCancelMessage => 8020,
            ErrorCode::SendMessageFailedWithCancel => 8021,
            ErrorCode::FileTransDownloadFailed => 6009,
            ErrorCode::NetDisconnect => 9508,
            ErrorCode::UserSigExpired => 6206,
            ErrorCode::KickedOffByOther => 6208,
            ErrorCode::MsgRevokeTimeLimit => 20016,
            ErrorCode::ConvMarkReqCountExceedLimit => 51006,
            ErrorCode::ConvMarkOperateFailed => 51007,
            ErrorCode::ConvGroupNotExist => 51009,
            ErrorCode::ConvGroupTotalCountExceedLimit => 51010,
            ErrorCode::ConvGroupNameExceedLength => 51011,
            ErrorCode::Server(code) => code,
        }
    }

    /// The code for Tencent's number: a code this crate names, else
    /// [`ErrorCode::Server`] carrying the number unchanged.
    pub fn from_code(code: i32) -> ErrorCode {
        ErrorCode::ALL
            .iter()
            .copied()
            .find(|c| c.code() == code)
            .unwrap_or(ErrorCode::Server(code))
    }

    /// Tencent's constant name for this code.
    pub const fn tencent_name(self) -> &'static str {
        match self {
            ErrorCode::SdkUninit => "TIM_ERR_SDKUNINIT",
            ErrorCode::NotLogin => "TIM_ERR_NOTLOGIN",
            ErrorCode::Json => "TIM_ERR_JSON",
            ErrorCode::Param => "TIM_ERR_PARAM",
            ErrorCode::Conv => "TIM_ERR_CONV",
            ErrorCode::Group => "TIM_ERR_GROUP",
            ErrorCode::ParseResponseFailed => "ERR_PARSE_RESPONSE_FAILED",
            ErrorCode::NoSuccResult => "ERR_NO_SUCC_RESULT",
            ErrorCode::InProgress => "ERR_IN_PROGESS",
            ErrorCode::InvalidConversation => "ERR_INVALID_CONVERSATION",
            ErrorCode::InvalidMsgElem => "ERR_INVALID_MSG_ELEM",
            ErrorCode::InvalidParameters => "ERR_INVALID_PARAMETERS",
            ErrorCode::DatabaseOperateFailed => "ERR_DATABASE_OPERATE_FAILED",
            ErrorCode::IoOperationFailed => "ERR_IO_OPERATION_FAILED",
            ErrorCode::InvalidJson => "ERR_INVALID_JSON",
            ErrorCode::FileTransUploadFailed => "ERR_FILE_TRANS_UPLOAD_FAILED",
            ErrorCode::FileNotFound => "ERR_SDK_COMM_FILE_NOT_FOUND",
            ErrorCode::FileTooLarge => "ERR_SDK_COMM_FILE_TOO_LARGE",
            ErrorCode::FileSizeEmpty => "ERR_SDK_COMM_FILE_SIZE_EMPTY",
            ErrorCode::ApiCallFrequencyLimit => "ERR_SDK_COMM_API_CALL_FREQUENCY_LIMIT",
            ErrorCode::MsgBodySizeLimit => "ERR_SDK_MSG_BODY_SIZE_LIMIT",
            ErrorCode::MergerMsgLayersOverLimit => "ERR_MERGER_MSG_LAYERS_OVER_LIMIT",
            ErrorCode::MsgModifyConflict => "ERR_SDK_MSG_MODIFY_CONFLICT",
            ErrorCode::InvalidCancelMessage => "ERR_SDK_INVALID_CANCEL_MESSAGE",
            ErrorCode::SendMessageFailedWithCancel => "ERR_SDK_SEND_MESSAGE_FAILED_WITH_CANCEL",
            ErrorCode::FileTransDownloadFailed => "ERR_FILE_TRANS_DOWNLOAD_FAILED",
            ErrorCode::NetDisconnect => "ERR_SDK_NET_DISCONNECT",
            ErrorCode::UserSigExpired => "ERR_USER_SIG_EXPIRED",
            ErrorCode::KickedOffByOther => "ERR_LOGIN_KICKED_OFF_BY_OTHER",
            ErrorCode::MsgRevokeTimeLimit => "ERR_SVR_MSG_REVOKE_TIME_LIMIT",
            ErrorCode::ConvMarkReqCountExceedLimit => {
                "ERR_SVR_CONV_CONV_MARK_REQ_COUNT_EXCEED_LIMIT"
            }
            ErrorCode::ConvMarkOperateFailed => "ERR_SVR_CONV_CONV_MARK_OPERATE_FAILED",
            ErrorCode::ConvGroupNotExist => "ERR_SVR_CONV_CONV_GROUP_NOT_EXIST",
            ErrorCode::ConvGroupTotalCountExceedLimit => {
                "ERR_SVR_CONV_CONV_GROUP_TOTAL_COUNT_EXCEED_LIMIT"
            }
            ErrorCode::ConvGroupNameExceedLength => "ERR_SVR_CONV_CONV_GROUP_NAME_EXCEED_LENGTH",
            ErrorCode::Server(_) => "server error",
        }
    }

    /// Whether the same call may succeed if tried again later without any
    /// change (no network, an interrupted transfer, a rate limit, the
    /// server's "internal error, retry" [`ErrorCode::SERVER_INTERNAL`]): a
    /// send queue retries these with backoff and ends the others.
    pub const fn is_transient(self) -> bool {
        matches!(
            self,
            ErrorCode::NetDisconnect
                | ErrorCode::ParseResponseFailed
                | ErrorCode::FileTransUploadFailed
                | ErrorCode::FileTransDownloadFailed
                | ErrorCode::ApiCallFrequencyLimit
                | ErrorCode::Server(ErrorCode::SERVER_INTERNAL)
        )
    }

    /// Tencent's REST "internal service error, please retry" (90994): what
    /// a server answers when its storage fails.
    pub const SERVER_INTERNAL: i32 = 90994;

    /// Whether the session is over (the UserSig expired, or another device
    /// took it over): the SDK stops its work for the session and the app
    /// must log in again.
    pub const fn ends_session(self) -> bool {
        matches!(
            self,
            ErrorCode::UserSigExpired | ErrorCode::KickedOffByOther | ErrorCode::Server(70001)
        )
    }

    /// Whether this is a `TIMResult` (synchronous) code rather than a callback code.
    pub const fn is_sync_result(self) -> bool {
        self.code() < 0
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.tencent_name(), self.code())
    }
}

/// On the wire a code is its number.
impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i32(self.code())
    }
}

impl<'de> serde::Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        i32::deserialize(deserializer).map(ErrorCode::from_code)
    }
}

/// An SDK error: a Tencent code and a message saying what was wrong. Its
/// wire form is `{"code": <number>, "message": <text>}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[error("{message} [{code}]")]
pub struct ImError {
    /// The Tencent code.
    pub code: ErrorCode,
    /// What went wrong, for people.
    pub message: String,
}

impl ImError {
    /// Builds an error from a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ImError {
            code,
            message: message.into(),
        }
    }

    /// `ERR_INVALID_PARAMETERS` (6017) with a message.
    pub fn invalid_param(message: impl Into<String>) -> Self {
        ImError::new(ErrorCode::InvalidParameters, message)
    }

    /// `ERR_INVALID_JSON` (6027) from a serde error, naming what was parsed.
    pub fn invalid_json(what: &str, err: &serde_json::Error) -> Self {
        ImError::new(
            ErrorCode::InvalidJson,
            format!("invalid {what} JSON: {err}"),
        )
    }

    /// Tencent's number for this error.
    pub fn code(&self) -> i32 {
        self.code.code()
    }
}

/// Result with [`ImError`].
pub type ImResult<T> = Result<T, ImError>;

/// Parses a Tencent JSON parameter, turning a parse failure into
/// `ERR_INVALID_JSON` that names the parameter.
pub fn parse_json<T: serde::de::DeserializeOwned>(what: &str, json: &str) -> ImResult<T> {
    serde_json::from_str(json).map_err(|e| ImError::invalid_json(what, &e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn test_codes_are_unique_and_sync_codes_are_negative() {
        let mut seen = HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.code()), "duplicate {code}");
            assert_eq!(
                code.is_sync_result(),
                code.tencent_name().starts_with("TIM_ERR")
            );
        }
    }

    #[test]
    fn test_errors_travel_as_code_and_message() {
        let e = ImError::new(ErrorCode::ConvGroupNotExist, "no group");
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(json, r#"{"code":51009,"message":"no group"}"#);
        assert_eq!(serde_json::from_str::<ImError>(&json).unwrap(), e);
        let unknown: ImError = serde_json::from_str(r#"{"code":20007,"message":"x"}"#).unwrap();
        assert_eq!(unknown.code, ErrorCode::Server(20007));
        assert!(!unknown.code.is_transient());
        assert!(ErrorCode::from_code(ErrorCode::SERVER_INTERNAL).is_transient());
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_code(code.code()), *code);
        }
    }

    #[test]
    fn test_tim_err_group_is_minus_six() {
        assert_eq!(ErrorCode::Group.code(), -6);
        assert_eq!(ErrorCode::Group.tencent_name(), "TIM_ERR_GROUP");
        assert!(ErrorCode::ALL.contains(&ErrorCode::Group));
        assert!(ErrorCode::Group.is_sync_result());
    }

    #[test]
    fn test_conversation_group_codes() {
        assert_eq!(ErrorCode::ConvGroupNotExist.code(), 51009);
        assert_eq!(ErrorCode::ConvGroupTotalCountExceedLimit.code(), 51010);
        assert_eq!(ErrorCode::ConvGroupNameExceedLength.code(), 51011);
        assert_eq!(ErrorCode::ConvMarkReqCountExceedLimit.code(), 51006);
    }

    #[test]
    fn test_error_display_names_code_and_message() {
        let e = ImError::new(ErrorCode::ConvGroupNotExist, "no group \"x\"");
        assert_eq!(
            e.to_string(),
            "no group \"x\" [ERR_SVR_CONV_CONV_GROUP_NOT_EXIST (51009)]"
        );
        let bad = parse_json::<Vec<String>>("conversation_id_array", "[1").unwrap_err();
        assert_eq!(bad.code(), 6027);
        assert!(bad.message.contains("conversation_id_array"));
    }
}
