//! The exported functions this SDK serves, one module per Tencent header,
//! and the steps they share: check the SDK is running and a user is
//! logged in, then run one im-sdk call and report it.

use std::ffi::{c_int, c_void};
use std::future::Future;

use im_sdk::Client;
use im_sdk::im_model::{ErrorCode, ImError, ImResult};
use serde::Serialize;

use crate::abi::{TIM_ERR_CONV, TIM_ERR_NOTLOGIN, TIM_ERR_PARAM, TIMCommCallback};
use crate::args::Sync;
use crate::dispatch::Completion;
use crate::events::to_json;
use crate::sdk;

pub mod conversation;
pub mod experimental;
pub mod group;
pub mod group_info;
pub mod group_member;
pub mod manager;
pub mod message;
pub mod profile;

/// Runs `work` with the logged-in client and calls `cb` with its outcome.
/// Synchronously: `TIM_ERR_SDKUNINIT` before init, `TIM_ERR_NOTLOGIN`
/// before login (then `cb` is never called).
pub(crate) fn spawn<F, Fut>(cb: TIMCommCallback, user_data: *const c_void, work: F) -> Sync<()>
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ImResult<String>> + Send + 'static,
{
    let sdk = sdk::current()?;
    if sdk.client.login_user_id().is_none() {
        return Err(TIM_ERR_NOTLOGIN);
    }
    sdk.spawn(Completion::new(cb, user_data), work(sdk.client.clone()));
    Ok(())
}

/// Runs `work` with the logged-in client and waits for it: for Tencent's
/// synchronous calls (drafts, by-filter subscriptions), which answer with
/// a `TIMResult` only.
pub(crate) fn wait<T, F, Fut>(work: F) -> Sync<T>
where
    T: Send + 'static,
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ImResult<T>> + Send + 'static,
{
    let sdk = sdk::current()?;
    if sdk.client.login_user_id().is_none() {
        return Err(TIM_ERR_NOTLOGIN);
    }
    sdk.block_on(work(sdk.client.clone()))
        .map_err(|e| crate::args::refuse(sync_code(&e), e))
}

/// The `TIMResult` a synchronous call returns for an SDK error.
fn sync_code(error: &ImError) -> c_int {
    match error.code {
        ErrorCode::NotLogin => TIM_ERR_NOTLOGIN,
        ErrorCode::InvalidConversation | ErrorCode::Conv => TIM_ERR_CONV,
        ErrorCode::SdkUninit => crate::abi::TIM_ERR_SDKUNINIT,
        _ => TIM_ERR_PARAM,
    }
}

/// A result as the callback's JSON.
pub(crate) fn json<T: Serialize>(outcome: ImResult<T>) -> ImResult<String> {
    outcome.map(|value| to_json(&value))
}

/// A result that carries no JSON (`""`).
pub(crate) fn empty(outcome: ImResult<()>) -> ImResult<String> {
    outcome.map(|()| String::new())
}
