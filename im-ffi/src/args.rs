//! Reading the arguments of a C call, and the guard around every call.
//!
//! Each reader returns `Err(TIMResult)` for what the spec makes a
//! synchronous error: a NULL where a value is required or invalid UTF-8
//! (`TIM_ERR_PARAM`), JSON that does not parse or has a wrong type
//! (`TIM_ERR_JSON`), a conversation type or id that is not valid
//! (`TIM_ERR_CONV`). The reason is logged (and so reaches the app's log
//! callback), since a `TIMResult` carries no text.

use std::ffi::{CStr, c_char, c_int};
use std::panic::{AssertUnwindSafe, catch_unwind};

use im_sdk::im_model::message::MsgLocator;
use im_sdk::im_model::{ConvId, ConvType, Message};
use serde::de::DeserializeOwned;

use crate::abi::{RawTIMConvType, TIM_ERR_CONV, TIM_ERR_JSON, TIM_ERR_PARAM};

/// A synchronous failure: the `TIMResult` to return.
pub(crate) type Sync<T> = Result<T, c_int>;

/// Logs why a call is refused and gives its code.
pub(crate) fn refuse(code: c_int, why: impl std::fmt::Display) -> c_int {
    tracing::warn!(code, "call refused: {why}");
    code
}

/// Runs the body of an exported function: a panic inside (a bug) is
/// caught here and becomes `on_panic`, so nothing unwinds into C.
pub(crate) fn guard<R>(name: &str, on_panic: R, body: impl FnOnce() -> R) -> R {
    let body = || {
        #[cfg(feature = "inject-panic")]
        if INJECT_PANIC.load(std::sync::atomic::Ordering::SeqCst) {
            panic!("a panic injected into {name}");
        }
        body()
    };
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(value) => value,
        Err(_) => {
            tracing::error!(function = name, "panic inside the C API; the call fails");
            on_panic
        }
    }
}

/// With the `inject-panic` feature: whether every guarded call panics.
#[cfg(feature = "inject-panic")]
static INJECT_PANIC: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// With the `inject-panic` feature (tests only): makes every exported
/// call panic inside its guard, or stops doing so.
#[cfg(feature = "inject-panic")]
pub fn inject_panics(on: bool) {
    INJECT_PANIC.store(on, std::sync::atomic::Ordering::SeqCst);
}

/// Runs an `int`-returning call: its body gives the `TIMResult`.
pub(crate) fn call(name: &str, body: impl FnOnce() -> Sync<()>) -> c_int {
    guard(name, TIM_ERR_PARAM, || match body() {
        Ok(()) => crate::abi::TIM_SUCC,
        Err(code) => code,
    })
}

/// A required UTF-8 string argument.
///
/// # Safety
/// `ptr` is NULL or a NUL-terminated string valid for the call.
pub(crate) unsafe fn text<'a>(ptr: *const c_char, what: &str) -> Sync<&'a str> {
    // SAFETY: forwarded from the caller's contract.
    unsafe { opt_text(ptr, what) }?.ok_or_else(|| refuse(TIM_ERR_PARAM, format!("{what} is NULL")))
}

/// An optional string argument: NULL is `None`.
///
/// # Safety
/// As [`text`].
pub(crate) unsafe fn opt_text<'a>(ptr: *const c_char, what: &str) -> Sync<Option<&'a str>> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: non-NULL and NUL-terminated by the caller's contract.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes
        .to_str()
        .map(Some)
        .map_err(|e| refuse(TIM_ERR_PARAM, format!("{what} is not UTF-8: {e}")))
}

/// A required JSON argument of type `T`.
///
/// # Safety
/// As [`text`].
pub(crate) unsafe fn json<T: DeserializeOwned>(ptr: *const c_char, what: &str) -> Sync<T> {
    // SAFETY: forwarded.
    let raw = unsafe { text(ptr, what) }?;
    parse(raw, what)
}

/// Parses JSON text (serde_json limits nesting, so hostile depth is an
/// error, not a stack overflow).
pub(crate) fn parse<T: DeserializeOwned>(raw: &str, what: &str) -> Sync<T> {
    serde_json::from_str(raw).map_err(|e| refuse(TIM_ERR_JSON, format!("{what}: {e}")))
}

/// An optional JSON argument: NULL or `""` is `None`.
///
/// # Safety
/// As [`text`].
pub(crate) unsafe fn opt_json<T: DeserializeOwned>(
    ptr: *const c_char,
    what: &str,
) -> Sync<Option<T>> {
    // SAFETY: forwarded.
    match unsafe { opt_text(ptr, what) }? {
        None | Some("") => Ok(None),
        Some(raw) => parse(raw, what).map(Some),
    }
}

/// A conversation type argument that must be C2C or Group.
pub(crate) fn conv_type(raw: RawTIMConvType) -> Sync<ConvType> {
    match raw {
        1 => Ok(ConvType::C2C),
        2 => Ok(ConvType::Group),
        other => Err(refuse(
            TIM_ERR_CONV,
            format!("conv_type {other} is not kTIMConv_C2C (1) or kTIMConv_Group (2)"),
        )),
    }
}

/// A conversation from a raw id and a type.
///
/// # Safety
/// As [`text`].
pub(crate) unsafe fn conv(id: *const c_char, raw_type: RawTIMConvType) -> Sync<ConvId> {
    let conv_type = conv_type(raw_type)?;
    // SAFETY: forwarded.
    let peer = unsafe { text(id, "conv_id") }?;
    ConvId::new(conv_type, peer).map_err(|e| refuse(TIM_ERR_CONV, e))
}

/// A JSON array of prefixed conversation ids (`"c2c_..."`, `"group_..."`).
///
/// # Safety
/// As [`text`].
pub(crate) unsafe fn prefixed_ids(ptr: *const c_char, what: &str) -> Sync<Vec<ConvId>> {
    // SAFETY: forwarded.
    let ids: Vec<String> = unsafe { json(ptr, what) }?;
    ids.iter()
        .map(|id| ConvId::parse_prefixed(id).map_err(|e| refuse(TIM_ERR_PARAM, e)))
        .collect()
}

/// A message the app handed in, with the fields its wrapper fills with
/// zero values read as unset (see [`Message::clear_unset_defaults`]).
///
/// # Safety
/// As [`text`].
pub(crate) unsafe fn message(ptr: *const c_char, what: &str) -> Sync<Message> {
    // SAFETY: forwarded.
    let mut message: Message = unsafe { json(ptr, what) }?;
    message.clear_unset_defaults();
    Ok(message)
}

/// A JSON array of messages, as [`message`].
///
/// # Safety
/// As [`text`].
pub(crate) unsafe fn messages(ptr: *const c_char, what: &str) -> Sync<Vec<Message>> {
    // SAFETY: forwarded.
    let mut messages: Vec<Message> = unsafe { json(ptr, what) }?;
    messages.iter_mut().for_each(Message::clear_unset_defaults);
    Ok(messages)
}

/// A JSON array of locators, zero ids read as unset.
///
/// # Safety
/// As [`text`].
pub(crate) unsafe fn locators(ptr: *const c_char, what: &str) -> Sync<Vec<MsgLocator>> {
    // SAFETY: forwarded.
    let mut locators: Vec<MsgLocator> = unsafe { json(ptr, what) }?;
    locators
        .iter_mut()
        .for_each(MsgLocator::clear_unset_defaults);
    Ok(locators)
}

/// Writes `value` into a caller's buffer of at least `capacity` bytes,
/// NUL-terminated, cut at a character boundary if it would not fit.
///
/// # Safety
/// `buffer` is NULL or writable for `capacity` bytes.
pub(crate) unsafe fn write_c_buffer(buffer: *mut c_char, capacity: usize, value: &str) {
    if buffer.is_null() || capacity == 0 {
        return;
    }
    let mut end = value.len().min(capacity - 1);
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    // SAFETY: `end + 1 <= capacity` bytes are written into a buffer the
    // caller guarantees to be that large; the regions cannot overlap (the
    // source is our own string).
    unsafe {
        std::ptr::copy_nonoverlapping(value.as_ptr().cast::<c_char>(), buffer, end);
        *buffer.add(end) = 0;
    }
}

/// The size Tencent documents for `message_id_buffer` and the user-id
/// buffer (spec 4.2): at least 128 bytes, with no length argument.
pub(crate) const ID_BUFFER_BYTES: usize = 128;
