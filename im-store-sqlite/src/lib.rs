#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod codec;
mod legacy;
mod migrate;
mod pool;
mod read_conv;
mod read_msg;
mod search;
mod write;

pub use migrate::{SCHEMA_VERSION, migrate};
pub use pool::SqliteStore;

#[cfg(test)]
mod query_plans;
