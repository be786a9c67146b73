//! The runtime boundary: where store calls run.
//!
//! The logic crates are synchronous over the store (a SQLite call blocks
//! its thread) and async only around the transport. So every call into
//! them goes through [`Engine::run`], the one place that leaves the async
//! world: natively the call runs on tokio's blocking pool, whose thread
//! drives the call's future to completion (`Runtime::block_on`). Store
//! calls therefore block a pool thread, never an async worker; a transport
//! await inside the call parks that pool thread while the runtime's I/O
//! driver does the work. In a browser worker the call runs in place (see
//! the `runtime` module).
//!
//! Calls are tracked, so [`Engine::close`] refuses new ones and waits for
//! those in flight (shutdown finishes in-flight work before the store is
//! closed).

use std::future::Future;
use std::sync::Arc;

use im_model::{ErrorCode, ImError, ImResult};

use crate::runtime::Runtime;
use tokio_util::task::TaskTracker;

/// Runs calls into the logic crates off the async workers.
#[derive(Debug, Clone)]
pub(crate) struct Engine {
    runtime: Runtime,
    calls: TaskTracker,
}

impl Engine {
    /// An engine on `runtime`.
    pub(crate) fn new(runtime: Runtime) -> Engine {
        Engine {
            runtime,
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
        let joined = self
            .runtime
            .block_on(move || async move {
                // Held until the call's future ends: `close` waits for it.
                let _tracked = token;
                call(state).await
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
