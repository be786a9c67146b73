//! What the demo verifies about itself, and how long each step took.

use std::fmt::Debug;
use std::time::Duration;

/// The demo's own verdicts: each names what was expected.
#[derive(Debug, Default)]
pub struct Checks {
    results: Vec<(String, Option<String>)>,
}

impl Checks {
    /// Records that `what` holds when `ok`, with `detail` saying what was
    /// seen otherwise.
    pub fn check(&mut self, what: impl Into<String>, ok: bool, detail: impl FnOnce() -> String) {
        let failure = (!ok).then(detail);
        self.results.push((what.into(), failure));
    }

    /// Records that `got` equals `want`.
    pub fn equal<T: PartialEq + Debug>(&mut self, what: impl Into<String>, got: T, want: T) {
        let ok = got == want;
        self.check(what, ok, || format!("got {got:?}, expected {want:?}"));
    }

    /// The checks that failed, with what was seen.
    pub fn failures(&self) -> Vec<String> {
        self.results
            .iter()
            .filter_map(|(what, failure)| failure.as_ref().map(|f| format!("{what}: {f}")))
            .collect()
    }

    /// How many checks ran.
    pub fn len(&self) -> usize {
        self.results.len()
    }

    /// Every check's name and whether it passed, in order.
    pub fn outcomes(&self) -> impl Iterator<Item = (&str, bool)> {
        self.results.iter().map(|(w, f)| (w.as_str(), f.is_none()))
    }
}

/// The duration of each step, in order.
#[derive(Debug, Default)]
pub struct Timings {
    /// (step, how long).
    pub steps: Vec<(String, Duration)>,
}

/// Latency percentiles of a sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Percentiles {
    /// How many samples.
    pub count: usize,
    /// The median.
    pub p50: Duration,
    /// The 99th percentile (nearest rank).
    pub p99: Duration,
    /// The largest.
    pub max: Duration,
}

impl Percentiles {
    /// The percentiles of `samples` (nearest rank); `None` when empty.
    pub fn of(samples: &[Duration]) -> Option<Percentiles> {
        if samples.is_empty() {
            return None;
        }
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        // Nearest rank: the smallest sample with at least p% at or below it.
        let at = |p: usize| sorted[(sorted.len() * p).div_ceil(100) - 1];
        Some(Percentiles {
            count: sorted.len(),
            p50: at(50),
            p99: at(99),
            max: at(100),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_percentiles_use_the_nearest_rank() {
        let samples: Vec<Duration> = (1..=200).map(Duration::from_millis).collect();
        let p = Percentiles::of(&samples).unwrap();
        assert_eq!(p.count, 200);
        assert_eq!(p.p50, Duration::from_millis(100));
        assert_eq!(p.p99, Duration::from_millis(198));
        assert_eq!(p.max, Duration::from_millis(200));
        let one = Percentiles::of(&[Duration::from_millis(7)]).unwrap();
        assert_eq!(
            (one.p50, one.p99),
            (Duration::from_millis(7), Duration::from_millis(7))
        );
        assert_eq!(Percentiles::of(&[]), None);
    }

    #[test]
    fn test_failures_name_the_check_and_what_was_seen() {
        let mut checks = Checks::default();
        checks.equal("two", 1 + 1, 2);
        checks.equal("three", 1 + 1, 3);
        assert_eq!(checks.len(), 2);
        assert_eq!(checks.failures(), ["three: got 2, expected 3"]);
    }
}
