//! Message ids in Tencent's shape: `<sender number>-<client time>-<rand>`
//! (e.g. `144115233874815003-1620877708-1038050731`).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

/// Makes message ids and random numbers for one user.
#[derive(Debug)]
pub(crate) struct IdMaker {
    sender_number: u64,
    seed: RandomState,
    /// Mixed into every rand. The standard library's hasher keys are
    /// random natively, but fixed in a browser (no entropy source there),
    /// so two page loads would make the same ids, which the server takes
    /// for retries of one message: there the salt comes from
    /// `crypto.getRandomValues`.
    salt: u64,
    counter: AtomicU64,
}

/// Random bits for the salt (natively the hasher's random keys suffice).
#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
fn salt() -> u64 {
    0
}

/// Random bits for the salt, from the browser's `crypto.getRandomValues`.
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
fn salt() -> u64 {
    getrandom::u64().unwrap_or_else(|e| {
        tracing::error!(error = %e, "no randomness for message ids; ids may repeat across page loads");
        0
    })
}

impl IdMaker {
    /// Ids for messages sent by `user_id`.
    pub(crate) fn new(user_id: &str) -> IdMaker {
        // A stable number per user (FNV-1a), in the 57-bit range Tencent's
        // ids use, so ids from one user share their first part.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in user_id.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        IdMaker {
            sender_number: (hash >> 7) | (1 << 56),
            seed: RandomState::new(),
            salt: salt(),
            counter: AtomicU64::new(0),
        }
    }

    /// A random 32-bit number (`message_rand`), never repeating within a
    /// process: the standard library's randomly keyed hasher over a counter.
    pub(crate) fn rand(&self) -> u64 {
        let mut hasher = self.seed.build_hasher();
        hasher.write_u64(self.salt);
        hasher.write_u64(self.counter.fetch_add(1, Ordering::Relaxed));
        hasher.finish() & 0xFFFF_FFFF
    }

    /// A new message id and its rand.
    pub(crate) fn message_id(&self, client_time: u64) -> (String, u64) {
        let rand = self.rand();
        (format!("{}-{client_time}-{rand}", self.sender_number), rand)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_ids_have_tencents_shape_and_do_not_repeat() {
        let ids = IdMaker::new("alice");
        let (a, rand) = ids.message_id(1_620_877_708);
        let parts: Vec<&str> = a.split('-').collect();
        assert_eq!(parts.len(), 3);
        assert!(parts[0].parse::<u64>().is_ok());
        assert_eq!(parts[1], "1620877708");
        assert_eq!(parts[2], rand.to_string());
        let many: std::collections::BTreeSet<String> =
            (0..1000).map(|_| ids.message_id(1).0).collect();
        assert_eq!(many.len(), 1000);
        assert_eq!(IdMaker::new("alice").sender_number, ids.sender_number);
    }
}
