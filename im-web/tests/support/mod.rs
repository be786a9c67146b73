//! What the native and browser tests share: the app's credentials on the
//! test server, and the WebDriver client.

#![allow(dead_code)]

pub mod webdriver;

/// The test server's SDKAppID.
pub const APP: u64 = 1_400_000_042;
/// The test server's secret key.
pub const KEY: &str = "im-web-test-key";

/// A UserSig for `user`, valid for a day.
pub fn sig(user: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs() as i64;
    im_server::SigKey::new(APP, KEY).generate(user, now, 86_400)
}
