//! What the browser tests share.

pub mod webdriver;
