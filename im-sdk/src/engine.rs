//! The runtime boundary: where store calls run.
//!
//! The logic crates are synchronous over the store (a SQLite call blocks
//! its thread) and async only around the transport. So every call into
//! them goes through [`Engine::run`], the one place that leaves the async
//! world: the call runs on tokio's blocking pool, whose thread drives the
//! call's future to completion with [`tokio::runtime::Handle::block_on`].
//! Store calls therefore block a pool thread, never an async worker; a
//! transport await inside the call parks that pool thread while the
//! runtime's I/O driver does the work.
//!
//! Calls are tracked, so [`Engine::close`] refuses new ones and waits for
//! those in flight (shutdown finishes in-flight work before the store is
//! closed).

use std::future::Future;
use std::sync::Arc;

use im_model::{ErrorCode, ImError, ImResult};
use tokio::runtime::Handle;
use tokio_util::task::TaskTracker;

/// Runs calls into the logic crates off the async workers.
#[derive(Debug, Clone)]
pub(crate) struct Engine {
    handle: Handle,
    calls: TaskTracker,
}

impl Engine {
    /// An engine on the runtime of `handle`.
    pub(crate) fn new(handle: Handle) -> Engine {
        Engine {
            handle,
            calls: TaskTracker::new(),
        }
    }

    /// Runs `call` with `state` on the blocking pool and returns its
    /// result. The future `call` builds need not be `Send`: it stays on the
    /// one pool thread that drives it.
    ///
    /// # Errors
    /// The call's error; `TIM_ERR_SDKUNINIT` (-1) once the engine is
    /// closed; 6022 if the call panicked (the panic is contained here, so
    /// it never reaches the app or unwinds through it).
    pub(crate) async fn run<S, T, F, Fut>(&self, state: Arc<S>, call: F) -> ImResult<T>
    where
        S: Send + Sync + 'static,
        T: Send + 'static,
        F: FnOnce(Arc<S>) -> Fut + Send + 'static,
        Fut: Future<Output = ImResult<T>>,
    {
        // The token first: a close after this point waits for the call.
        let token = self.calls.token();
        if self.calls.is_closed() {
            return Err(closed());
        }
        let handle = self.handle.clone();
        let joined = tokio::task::spawn_blocking(move || {
            let _tracked = token;
            handle.block_on(call(state))
        })
        .await;
        match joined {
            Ok(result) => result,
            Err(e) => Err(ImError::new(
                ErrorCode::IoOperationFailed,
                format!("an SDK call failed unexpectedly: {e}"),
            )),
        }
    }

    /// Refuses new calls and waits until every call in flight has ended.
    pub(crate) async fn close(&self) {
        self.calls.close();
        self.calls.wait().await;
    }
}

/// The error of a call made after shutdown (or before login).
pub(crate) fn closed() -> ImError {
    ImError::new(
        ErrorCode::SdkUninit,
        "the SDK is shut down or not logged in",
    )
}
