//! The server address as people write it: `host:port` without a scheme
//! works (in TIMInit's config and in `IM_SERVER_URL`), and an unusable one
//! is refused with `TIM_ERR_PARAM` and a line naming the setting and the
//! value, in the log folder's `im-sdk.log`.

mod support;

use ImSDK::api::manager::{TIMInit, TIMLogin, TIMUninit};
use support::calls::{c, key, record, wait};

/// TIMInit with `server_url` as `sdk_config_server_url` (none when empty),
/// data and logs in `dir`: its return code.
fn init(dir: &std::path::Path, server_url: &str) -> i32 {
    let mut config = serde_json::json!({
        "sdk_config_config_file_path": dir.join("data"),
        "sdk_config_log_file_path": dir.join("log"),
    });
    if !server_url.is_empty() {
        config["sdk_config_server_url"] = server_url.into();
    }
    let config = c(&config.to_string());
    // SAFETY: a valid C string.
    unsafe { TIMInit(support::APP, config.as_ptr()) }
}

/// Logs in as `user` and waits: the callback's code.
fn login(server: &support::TestServer, user: &str) -> i32 {
    let (id, sig) = (c(user), c(&server.user_sig(user)));
    let k = key();
    // SAFETY: valid C strings and the recording callback.
    let r = unsafe { TIMLogin(id.as_ptr(), sig.as_ptr(), Some(record), k) };
    assert_eq!(r, 0);
    wait(k).0
}

fn log_text(dir: &std::path::Path) -> String {
    std::fs::read_to_string(dir.join("log/im-sdk.log")).unwrap_or_default()
}

#[test]
fn test_a_server_address_without_a_scheme_works_and_a_bad_one_is_named() {
    let server = support::start_server();
    let host_port = server.url.strip_prefix("http://").unwrap().to_owned();

    // In TIMInit's config.
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(init(dir.path(), &host_port), 0);
    assert_eq!(login(&server, "alice"), 0);
    // SAFETY: no arguments.
    assert_eq!(unsafe { TIMUninit() }, 0);

    // In IM_SERVER_URL, as an unchanged wrapper is pointed at a server.
    // SAFETY: this test binary has this one test: no other thread reads
    // the environment meanwhile.
    unsafe { std::env::set_var("IM_SERVER_URL", &host_port) };
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(init(dir.path(), ""), 0);
    assert_eq!(login(&server, "bob"), 0);
    // SAFETY: no arguments.
    assert_eq!(unsafe { TIMUninit() }, 0);

    // Unusable: refused at once, and the log says which setting and value.
    for (bad, setting) in [
        ("https://127.0.0.1:1", "sdk_config_server_url"),
        ("127.0.0.1:8080/api", "sdk_config_server_url"),
        ("not an address", "sdk_config_server_url"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(init(dir.path(), bad), -4, "{bad}");
        let log = log_text(dir.path());
        assert!(
            log.contains(setting) && log.contains(&format!("{bad:?}")),
            "{bad}: {log}"
        );
        // Nothing started: a second uninit has nothing to stop.
        // SAFETY: no arguments.
        assert_eq!(unsafe { TIMUninit() }, -1, "{bad}");
    }
    // SAFETY: as above.
    unsafe { std::env::set_var("IM_SERVER_URL", "ftp://127.0.0.1:21") };
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(init(dir.path(), ""), -4);
    let log = log_text(dir.path());
    assert!(
        log.contains("IM_SERVER_URL") && log.contains("\"ftp://127.0.0.1:21\""),
        "{log}"
    );
    // SAFETY: as above.
    unsafe { std::env::remove_var("IM_SERVER_URL") };
}
