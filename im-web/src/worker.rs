//! The class the worker script drives (`ImWorker`, exported to
//! JavaScript): it opens the store (SQLite on OPFS, or memory), builds the
//! client on the fetch transport, pumps events to a JavaScript function,
//! and runs the page's calls through [`WebApi`].
//!
//! Values cross as JSON text: the worker script parses and stringifies,
//! so no JavaScript object is read field by field here and nothing the
//! page sends can make Rust panic (a malformed argument is a 6017).

use std::sync::Arc;

use im_sdk::Client;
use im_store::Store;
use im_transport::fetch::{FetchConfig, FetchTransport};
use rsqlite_vfs::VfsFilesManager;
use serde_json::{Value, json};
use sqlite_wasm_vfs::sahpool::OpfsSAHPoolUtil;
use wasm_bindgen::prelude::*;

use crate::api::WebApi;
use crate::codes::{WebCode, WebError};
use crate::events;

/// The platform a browser logs in as. The C API's platforms end at 5; a
/// value of its own keeps a browser and a native device of the same user
/// from ending each other's sessions.
const WEB_PLATFORM: u32 = 7;

/// Free pool slots kept before a login: the user's database and its WAL
/// (or the rollback journal of a database from an older version, until
/// it turns to WAL), and SQLite's temporary files.
const FREE_SLOTS: usize = 6;

/// Where this worker keeps its data.
enum Storage {
    /// SQLite on OPFS: survives reloads and browser restarts. The pool
    /// holds a fixed number of files (slots); each user's database keeps
    /// two (the database and its WAL).
    Opfs(OpfsSAHPoolUtil),
    /// Memory: gone with the worker.
    Memory,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Storage::Opfs(_) => "Opfs",
            Storage::Memory => "Memory",
        })
    }
}

/// The engine in a worker.
#[wasm_bindgen]
#[derive(Debug)]
pub struct ImWorker {
    api: Arc<WebApi>,
    storage: Storage,
    /// Keeps the page's files for the messages that carry them.
    transport: FetchTransport,
}

#[wasm_bindgen]
impl ImWorker {
    /// Starts the engine for `sdk_app_id`, talking to `server` (empty: the
    /// page's origin). With `persist`, the data lives in SQLite on OPFS
    /// (one database per user); where OPFS cannot be used (a private
    /// window, a webview, another tab holding it) it lives in memory, and
    /// `on_event` hears a `storage` event saying so. `on_event(name, json)`
    /// receives every Web SDK event.
    ///
    /// # Errors
    /// `{code, message}` (JSON text) when the client cannot be built.
    pub async fn start(
        sdk_app_id: f64,
        server: String,
        persist: bool,
        on_event: js_sys::Function,
    ) -> Result<ImWorker, JsValue> {
        crate::console::install();
        // Whole numbers up to 2^53 - 1 are exact in a JavaScript number.
        if !((1.0..=9_007_199_254_740_991.0).contains(&sdk_app_id) && sdk_app_id.fract() == 0.0) {
            return Err(rejection(&WebError::new(
                WebCode::NO_SDKAPPID,
                "SDKAppID must be a positive whole number",
            )));
        }
        // Checked just above: a positive whole number within f64's exact range.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let app = sdk_app_id as u64;
        let emit = {
            let on_event = on_event.clone();
            move |name: &str, json: &str| {
                if on_event
                    .call2(
                        &JsValue::NULL,
                        &JsValue::from_str(name),
                        &JsValue::from_str(json),
                    )
                    .is_err()
                {
                    tracing::warn!(name, "an event handler threw");
                }
            }
        };
        let storage = if persist {
            match install_opfs().await {
                Ok(pool) => Storage::Opfs(pool),
                Err(why) => {
                    emit(
                        "storage",
                        &json!({"persistent": false, "reason": why}).to_string(),
                    );
                    Storage::Memory
                }
            }
        } else {
            Storage::Memory
        };
        let mut config = FetchConfig::new(server);
        config.platform = WEB_PLATFORM;
        let transport = FetchTransport::new(config);
        let builder = Client::builder()
            .sdk_app_id(app)
            .transport(Arc::new(transport.clone()));
        let builder = match storage {
            Storage::Opfs(_) => builder.store_opener(move |user| {
                let hex: String = user.bytes().map(|b| format!("{b:02x}")).collect();
                let store = im_store_sqlite::SqliteStore::open_single_connection(format!(
                    "/im-{app}-{hex}.db"
                ))?;
                Ok(Arc::new(store) as Arc<dyn Store>)
            }),
            Storage::Memory => builder.memory_store(),
        };
        let client = builder.build().map_err(|e| rejection(&e.into()))?;
        let api = Arc::new(WebApi::new(client));
        wasm_bindgen_futures::spawn_local(events::pump(api.clone(), emit));
        Ok(ImWorker {
            api,
            storage,
            transport,
        })
    }

    /// Whether the data persists (`"opfs"`) or not (`"memory"`).
    #[wasm_bindgen(getter)]
    pub fn storage(&self) -> String {
        match self.storage {
            Storage::Opfs(_) => "opfs".to_owned(),
            Storage::Memory => "memory".to_owned(),
        }
    }

    /// Tencent's `setLogLevel`: 0 everything, 1 information, 2 warnings
    /// (the default), 3 errors, 4 nothing, to the console.
    #[wasm_bindgen(js_name = setLogLevel)]
    pub fn set_log_level(level: u8) {
        crate::console::set_level(level);
    }

    /// Whether the SDK is ready (`isReady()`).
    #[wasm_bindgen(js_name = isReady)]
    pub fn is_ready(&self) -> bool {
        self.api.is_ready()
    }

    /// Runs Web method `method` with `params` (JSON text of its first
    /// argument); resolves with the JSON text of its `data`.
    ///
    /// # Errors
    /// `{code, message}` as JSON text.
    pub async fn call(&self, method: String, params: String) -> Result<String, JsValue> {
        let params: Value = serde_json::from_str(&params)
            .map_err(|e| rejection(&WebError::param(format!("arguments are not JSON: {e}"))))?;
        if method == "login"
            && let Storage::Opfs(pool) = &self.storage
        {
            make_room(pool).await.map_err(|why| {
                rejection(&WebError::new(
                    im_model::ErrorCode::DatabaseOperateFailed.code(),
                    format!("the browser's storage has no room for the database: {why}"),
                ))
            })?;
        }
        self.api
            .call_text(&method, params)
            .await
            .map_err(|e| rejection(&e))
    }

    /// Keeps a `File` or `Blob` of the page under `key` for the file message
    /// about to be sent, and returns the path its payload names (under
    /// `__path`).
    ///
    /// # Errors
    /// `{code, message}` (JSON text): 6017 for a bad key.
    #[wasm_bindgen(js_name = addFile)]
    pub fn add_file(&self, key: &str, file: web_sys::Blob) -> Result<String, JsValue> {
        self.transport
            .add_file(key, file)
            .map_err(|e| rejection(&e.into()))
    }

    /// Logs out and stops the engine (`destroy()`); the store closes.
    pub async fn destroy(&self) {
        self.api.set_ready(false);
        self.api.client().shutdown().await;
    }
}

/// Installs the OPFS pool as SQLite's default file system.
async fn install_opfs() -> Result<OpfsSAHPoolUtil, String> {
    sqlite_wasm_vfs::sahpool::install::<sqlite_wasm_rs::WasmOsCallback>(
        &sqlite_wasm_vfs::sahpool::OpfsSAHPoolCfg::default(),
        true,
    )
    .await
    .map_err(|e| e.to_string())
}

/// Grows the pool so that [`FREE_SLOTS`] are free: every user who logged
/// in on this browser keeps a database in it.
async fn make_room(pool: &OpfsSAHPoolUtil) -> Result<(), String> {
    let used = pool.len().map_err(|e| e.to_string())?;
    pool.ensure_capacity(used + FREE_SLOTS)
        .await
        .map_err(|e| e.to_string())
}

/// A rejection value: `{code, message}` as JSON text.
fn rejection(e: &WebError) -> JsValue {
    JsValue::from_str(&json!({"code": e.code, "message": e.message}).to_string())
}
