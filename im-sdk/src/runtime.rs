//! The runtime seam: where the client's tasks, timers and blocking calls
//! run. Everything else in this crate is the same on every platform.
//!
//! * Native: the tokio runtime the app built the client in. Tasks are
//!   spawned on it, timers are tokio's, and a call that blocks (a store
//!   call, joining a thread) runs on its blocking pool, never on an async
//!   worker.
//! * Browser (`wasm32-unknown-unknown`, inside a dedicated Web Worker):
//!   one thread, the worker's event loop. Tasks are `spawn_local`, timers
//!   are `setTimeout` (tokio's timers panic there: there is no clock
//!   driver), and a blocking call runs in place: a worker has no UI to
//!   freeze, and SQLite on OPFS is synchronous once its VFS is installed.
//!
//! The futures spawned here are `Send` on native, as tokio requires; the
//! browser seam does not ask it, so nothing above has to know.

use std::future::Future;
use std::time::Duration;

use tokio_util::task::TaskTracker;

/// Where a client runs its tasks and blocking calls.
#[derive(Debug, Clone)]
pub(crate) struct Runtime {
    #[cfg(not(target_family = "wasm"))]
    handle: tokio::runtime::Handle,
}

/// A blocking call that did not finish (it panicked, or the runtime is
/// shutting down).
#[derive(Debug)]
pub(crate) struct Interrupted(pub(crate) String);

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(not(target_family = "wasm"))]
impl Runtime {
    /// The runtime of the calling task; `None` outside a tokio runtime.
    pub(crate) fn current() -> Option<Runtime> {
        tokio::runtime::Handle::try_current()
            .ok()
            .map(|handle| Runtime { handle })
    }

    /// Spawns `task`, tracked by `tasks` (whose `wait` waits for it).
    pub(crate) fn spawn<F>(&self, tasks: &TaskTracker, task: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        tasks.spawn_on(task, &self.handle);
    }

    /// Runs `call`, which may block, off the async workers.
    pub(crate) async fn blocking<T, F>(&self, call: F) -> Result<T, Interrupted>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        self.handle
            .spawn_blocking(call)
            .await
            .map_err(|e| Interrupted(e.to_string()))
    }

    /// Runs the future `make` builds to completion on a blocking thread:
    /// the future need not be `Send`, it never leaves that thread, and its
    /// synchronous store calls block that thread only.
    pub(crate) async fn block_on<T, F, Fut>(&self, make: F) -> Result<T, Interrupted>
    where
        T: Send + 'static,
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = T>,
    {
        let handle = self.handle.clone();
        self.blocking(move || handle.block_on(make())).await
    }
}

#[cfg(target_family = "wasm")]
impl Runtime {
    /// The worker's event loop (always there).
    #[allow(clippy::unnecessary_wraps)] // the same signature as native
    pub(crate) fn current() -> Option<Runtime> {
        Some(Runtime {})
    }

    /// Spawns `task` on the worker's event loop, tracked by `tasks`.
    pub(crate) fn spawn<F>(&self, tasks: &TaskTracker, task: F)
    where
        F: Future<Output = ()> + 'static,
    {
        wasm_bindgen_futures::spawn_local(tasks.track_future(task));
    }

    /// Runs `call` in place: the worker's one thread may block.
    #[allow(clippy::unused_async)] // async like native
    pub(crate) async fn blocking<T, F>(&self, call: F) -> Result<T, Interrupted>
    where
        F: FnOnce() -> T,
    {
        Ok(call())
    }

    /// Runs the future `make` builds in place.
    pub(crate) async fn block_on<T, F, Fut>(&self, make: F) -> Result<T, Interrupted>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        Ok(make().await)
    }
}

/// Waits `duration` on the platform's timers: tokio's natively (inside
/// the client's runtime), `setTimeout` in a browser worker. For layers
/// above the SDK that pace their own work the same way on both.
pub async fn sleep(duration: Duration) {
    #[cfg(not(target_family = "wasm"))]
    tokio::time::sleep(duration).await;
    #[cfg(target_family = "wasm")]
    {
        // setTimeout takes whole milliseconds, at most i32::MAX of them.
        let millis = u32::try_from(duration.as_millis()).unwrap_or(i32::MAX as u32);
        gloo_timers::future::TimeoutFuture::new(millis.min(i32::MAX as u32)).await;
    }
}

/// `future`'s output, or `None` when `duration` passes first.
pub(crate) async fn timeout<F: Future>(duration: Duration, future: F) -> Option<F::Output> {
    #[cfg(not(target_family = "wasm"))]
    {
        tokio::time::timeout(duration, future).await.ok()
    }
    #[cfg(target_family = "wasm")]
    {
        use futures::FutureExt;
        let future = std::pin::pin!(future.fuse());
        let timer = std::pin::pin!(sleep(duration).fuse());
        match futures::future::select(future, timer).await {
            futures::future::Either::Left((output, _)) => Some(output),
            futures::future::Either::Right(((), _)) => None,
        }
    }
}
