//! The C types of Tencent's headers: scalar aliases, enums with their
//! exact numbers (spec section 2), error codes, callback types.
//!
//! Parameters never take a Rust enum or `bool`: a C caller can pass any
//! bit pattern, and an out-of-range value in a Rust enum or `bool` is
//! undefined behaviour. So an enum parameter is a plain `c_int`
//! (`RawTIM...`, validated where it is read) and a C `bool` is a `u8`
//! (non-zero is true). The header generator renames those aliases back
//! to `enum TIM...` and `bool` (`cbindgen.toml`), so the header reads like
//! Tencent's. The Rust enums below exist for the header and for tests.

mod callbacks;
mod enums;

use std::ffi::c_int;

pub use callbacks::*;
pub use enums::*;

/// C `bool` as Tencent's headers define it (one byte; non-zero is true).
pub type TimBool = u8;
/// An `enum TIMConvType` argument, unvalidated.
pub type RawTIMConvType = c_int;
/// An `enum TIMReceiveMessageOpt` argument, unvalidated.
pub type RawTIMReceiveMessageOpt = c_int;
/// An `enum TIMLoginStatus` return value.
pub type RawTIMLoginStatus = c_int;
/// An `enum TIMGroupMessageReadMembersFilter` argument, unvalidated.
pub type RawTIMGroupMessageReadMembersFilter = c_int;
/// An `enum TIMConvEvent` callback argument.
pub type RawTIMConvEvent = c_int;
/// An `enum TIMLogLevel` callback argument.
pub type RawTIMLogLevel = c_int;
/// An `enum TIMNetworkStatus` callback argument.
pub type RawTIMNetworkStatus = c_int;

/// Reads a C `bool`.
pub(crate) fn truth(value: TimBool) -> bool {
    value != 0
}

/// `TIM_SUCC` as the C functions return it.
pub(crate) const TIM_SUCC: c_int = TIMResult::TIM_SUCC as c_int;
/// `TIM_ERR_SDKUNINIT`.
pub(crate) const TIM_ERR_SDKUNINIT: c_int = TIMResult::TIM_ERR_SDKUNINIT as c_int;
/// `TIM_ERR_NOTLOGIN`.
pub(crate) const TIM_ERR_NOTLOGIN: c_int = TIMResult::TIM_ERR_NOTLOGIN as c_int;
/// `TIM_ERR_JSON`.
pub(crate) const TIM_ERR_JSON: c_int = TIMResult::TIM_ERR_JSON as c_int;
/// `TIM_ERR_PARAM`.
pub(crate) const TIM_ERR_PARAM: c_int = TIMResult::TIM_ERR_PARAM as c_int;
/// `TIM_ERR_CONV`.
pub(crate) const TIM_ERR_CONV: c_int = TIMResult::TIM_ERR_CONV as c_int;
/// `ERR_SDK_INTERFACE_NOT_SUPPORT` (7013): what an unserved call reports.
pub(crate) const ERR_SDK_INTERFACE_NOT_SUPPORT: i32 =
    TIMErrCode::ERR_SDK_INTERFACE_NOT_SUPPORT as i32;
/// `ERR_SVR_COMM_INVALID_SERVICE` (60020): a paid add-on this SDK has not.
pub(crate) const ERR_SVR_COMM_INVALID_SERVICE: i32 =
    TIMErrCode::ERR_SVR_COMM_INVALID_SERVICE as i32;
/// `ERR_SDK_INTERNAL_ERROR` (7012): a call ended without a result.
pub(crate) const ERR_SDK_INTERNAL_ERROR: i32 = TIMErrCode::ERR_SDK_INTERNAL_ERROR as i32;
/// `ERR_INVALID_PARAMETERS` (6017).
pub(crate) const ERR_INVALID_PARAMETERS: i32 = TIMErrCode::ERR_INVALID_PARAMETERS as i32;
