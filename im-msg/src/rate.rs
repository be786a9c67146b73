//! Call-rate limits of Tencent's API (e.g. one list delete per second).

use std::collections::VecDeque;
use std::sync::Mutex;

use im_model::{ErrorCode, ImError, ImResult};

/// At most `max` calls in any window of `window_secs` seconds.
#[derive(Debug)]
pub(crate) struct RateLimit {
    name: &'static str,
    max: usize,
    window_secs: u64,
    calls: Mutex<VecDeque<u64>>,
}

impl RateLimit {
    pub(crate) const fn new(name: &'static str, max: usize, window_secs: u64) -> RateLimit {
        RateLimit {
            name,
            max,
            window_secs,
            calls: Mutex::new(VecDeque::new()),
        }
    }

    /// Records a call at `now` (seconds), or refuses it with 7008.
    pub(crate) fn check(&self, now: u64) -> ImResult<()> {
        let mut calls = self
            .calls
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while calls.front().is_some_and(|t| t + self.window_secs <= now) {
            calls.pop_front();
        }
        if calls.len() >= self.max {
            return Err(ImError::new(
                ErrorCode::ApiCallFrequencyLimit,
                format!(
                    "{} may be called at most {} time(s) per {} second(s)",
                    self.name, self.max, self.window_secs
                ),
            ));
        }
        calls.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_window_limits_calls() {
        let limit = RateLimit::new("f", 2, 1);
        limit.check(10).unwrap();
        limit.check(10).unwrap();
        assert_eq!(limit.check(10).unwrap_err().code(), 7008);
        limit.check(11).unwrap();
    }
}
