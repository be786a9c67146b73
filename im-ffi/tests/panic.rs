//! Panic containment (reliability plan C2), with the test-only
//! `inject-panic` feature: every exported call panics inside its guard.
//! Each returns an error code instead of unwinding into C, no callback
//! runs for it, and the process survives 10,000 induced panics; with
//! injection off again, the SDK works as before.
#![cfg(feature = "inject-panic")]

mod support;

use support::calls::{Session, c, count, key, record, wait};
use support::entries::entries;

#[test]
fn test_ten_thousand_injected_panics_return_errors_and_never_call_back() {
    let server = support::start_server();
    let _session = Session::start(&server, "alice");
    let input = c("{}");
    let mut keys = Vec::new();
    ImSDK::inject_panics(true);
    // Quiet the default hook: 10,000 panic messages are not news.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let all = entries();
    for i in 0..10_000 {
        let (name, entry) = all[i % all.len()];
        let k = key();
        assert_eq!(entry(input.as_ptr(), k), -4, "{name}");
        keys.push(k);
    }
    // A setter and a version query survive too.
    // SAFETY: NULL unregisters; the version is a static string.
    unsafe {
        ImSDK::api::conversation::TIMSetConvEventCallback(None, std::ptr::null());
        assert!(!ImSDK::api::manager::TIMGetSDKVersion().is_null());
    }
    ImSDK::inject_panics(false);
    std::panic::set_hook(hook);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        keys.iter().all(|k| count(*k) == 0),
        "a failed call called back"
    );
    // The SDK still answers.
    let k = key();
    // SAFETY: the recording callback and a fresh key.
    let r = unsafe { ImSDK::api::conversation::TIMConvGetConvList(Some(record), k) };
    assert_eq!(r, 0);
    assert_eq!(wait(k).0, 0);
}
