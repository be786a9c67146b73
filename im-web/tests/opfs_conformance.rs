//! The store conformance suite in a browser: every case of
//! `im_store::conformance` on SQLite over OPFS (the sahpool VFS, one
//! connection per database, as the SDK opens it), in a dedicated worker of
//! headless Chromium. `cargo xtask ci web` runs it through
//! `wasm-bindgen-test-runner` (see `webdriver.json` for the browser's flags).

#![cfg(all(target_family = "wasm", target_os = "unknown"))]

use im_store_sqlite::SqliteStore;
use rsqlite_vfs::VfsFilesManager;
use sqlite_wasm_vfs::sahpool::{OpfsSAHPoolCfg, install};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[wasm_bindgen_test]
async fn test_the_conformance_suite_on_opfs() {
    let pool = install::<sqlite_wasm_rs::WasmOsCallback>(&OpfsSAHPoolCfg::default(), true)
        .await
        .expect("OPFS in a dedicated worker");
    for (i, (name, case)) in im_store::conformance::CASES.iter().enumerate() {
        // Room for the database, its journal and temporary files.
        let used = pool.len().expect("the pool answers");
        pool.ensure_capacity(used + 6)
            .await
            .expect("the pool grows");
        let store = SqliteStore::open_single_connection(format!("/conformance-{i}.db"))
            .unwrap_or_else(|e| panic!("{name}: opening the store: {e}"));
        case(&store);
        web_sys_log(&format!("ok {name}"));
    }
    // A database already in WAL mode opens again (its WAL is opened on
    // the first read, which OPFS allows an exclusive connection only),
    // with what was written before.
    let path = "/reopened.db";
    let bob = im_store::conformance::fixtures::c2c("bob", 1_700_000_000);
    {
        let store = SqliteStore::open_single_connection(path).expect("a new database");
        im_store::conformance::fixtures::put_all(&store, std::slice::from_ref(&bob));
    }
    let store = SqliteStore::open_single_connection(path).expect("the database opens again");
    let found = im_store::ConversationStore::conversation(&store, &bob.id).expect("a read");
    assert_eq!(found.map(|c| c.id), Some(bob.id));
}

/// A line in the runner's output.
fn web_sys_log(line: &str) {
    wasm_bindgen_test::console_log!("{line}");
}
