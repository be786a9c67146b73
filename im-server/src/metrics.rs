//! The node's metrics, served at `GET /metrics` in Prometheus' text
//! format: requests by route and outcome, request time, messages stored,
//! open push streams, the time of a send's durable write, and the
//! notifications between nodes (published, received, how late).
//!
//! Labels only take values from fixed sets (the server's own routes, three
//! outcomes), so a client cannot grow the series without bound.

use im_model::wire::http::path;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// A request's route and how it ended.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    outcome: String,
}

/// How a request ended, for its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Answered with code 0.
    Ok,
    /// Refused: the caller's request or rights (4xx).
    ClientError,
    /// The server could not serve it (5xx: the database, a timeout).
    ServerError,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::ClientError => "client_error",
            Outcome::ServerError => "server_error",
        }
    }
}

/// The label of a request path: one of the server's routes, files under
/// one name, anything else as `other`.
pub fn route_label(request_path: &str) -> &'static str {
    if request_path.starts_with(path::FILES_PREFIX) {
        return "/v1/files/:id";
    }
    path::ROUTES
        .iter()
        .find(|route| **route == request_path)
        .copied()
        .unwrap_or("other")
}

/// Seconds, from 100 µs up to about 13 s.
fn latency_buckets() -> impl Iterator<Item = f64> {
    exponential_buckets(0.000_1, 2.0, 18)
}

/// The node's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    request_seconds: Histogram,
    messages: Counter,
    push_streams: Gauge,
    write_seconds: Histogram,
    published: Counter,
    received: Counter,
    fanout_lag_seconds: Histogram,
    cached_sessions: Gauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Empty metrics, registered under `im_`.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("im");
        let requests = Family::<RequestLabels, Counter>::default();
        let request_seconds = Histogram::new(latency_buckets());
        let messages = Counter::default();
        let push_streams = Gauge::default();
        let write_seconds = Histogram::new(latency_buckets());
        let published = Counter::default();
        let received = Counter::default();
        let fanout_lag_seconds = Histogram::new(latency_buckets());
        let cached_sessions = Gauge::default();
        registry.register(
            "http_requests",
            "HTTP requests by route and outcome",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer a request (push streams and file transfers excluded)",
            request_seconds.clone(),
        );
        registry.register(
            "messages_stored",
            "Messages stored by sends (retries of a stored send not counted)",
            messages.clone(),
        );
        registry.register(
            "push_streams",
            "Push streams open on this node",
            push_streams.clone(),
        );
        registry.register(
            "send_write_duration_seconds",
            "Time of a send's durable write (queue, transaction and commit)",
            write_seconds.clone(),
        );
        registry.register(
            "fanout_published",
            "Notifications this node published for the other nodes",
            published.clone(),
        );
        registry.register(
            "fanout_received",
            "Notifications from other nodes applied here",
            received.clone(),
        );
        registry.register(
            "fanout_lag_seconds",
            "From another node's publish to its application here (across node clocks)",
            fanout_lag_seconds.clone(),
        );
        registry.register(
            "cached_sessions",
            "Sessions this node checks without a database read",
            cached_sessions.clone(),
        );
        Metrics {
            registry,
            requests,
            request_seconds,
            messages,
            push_streams,
            write_seconds,
            published,
            received,
            fanout_lag_seconds,
            cached_sessions,
        }
    }

    /// A request on `route` ([`route_label`]) ended.
    pub fn request(&self, route: &'static str, outcome: Outcome, seconds: Option<f64>) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_owned(),
                outcome: outcome.label().to_owned(),
            })
            .inc();
        if let Some(seconds) = seconds {
            self.request_seconds.observe(seconds);
        }
    }

    /// A send stored a new message; its write took `seconds`.
    pub fn message_stored(&self, seconds: f64) {
        self.messages.inc();
        self.write_seconds.observe(seconds);
    }

    /// A push stream opened (`1`) or closed (`-1`).
    pub fn push_stream(&self, delta: i64) {
        self.push_streams.inc_by(delta);
    }

    /// A notification was published for the other nodes.
    pub fn published(&self) {
        self.published.inc();
    }

    /// A notification from another node was applied, `lag` seconds after
    /// it was published (0 when the clocks disagree that way).
    pub fn received(&self, lag: f64) {
        self.received.inc();
        self.fanout_lag_seconds.observe(lag.max(0.0));
    }

    /// How many sessions the node's cache holds now (set when scraped).
    pub fn set_cached_sessions(&self, n: usize) {
        self.cached_sessions
            .set(i64::try_from(n).unwrap_or(i64::MAX));
    }

    /// The text exposition of every metric.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut text, &self.registry) {
            tracing::warn!(error = %e, "the metrics could not be encoded");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_routes_are_labelled_from_a_fixed_set() {
        assert_eq!(route_label(path::SEND), path::SEND);
        assert_eq!(route_label("/v1/files/abc"), "/v1/files/:id");
        assert_eq!(route_label("/v1/anything-a-client-invents"), "other");
    }

    #[test]
    fn test_the_exposition_carries_each_metric() {
        let metrics = Metrics::new();
        metrics.request(route_label(path::SEND), Outcome::Ok, Some(0.002));
        metrics.request(route_label("/x"), Outcome::ClientError, None);
        metrics.message_stored(0.001);
        metrics.push_stream(1);
        metrics.push_stream(1);
        metrics.push_stream(-1);
        metrics.published();
        metrics.received(0.0005);
        metrics.set_cached_sessions(3);
        let text = metrics.encode();
        for line in [
            "im_http_requests_total{route=\"/v1/messages/send\",outcome=\"ok\"} 1",
            "im_http_requests_total{route=\"other\",outcome=\"client_error\"} 1",
            "im_messages_stored_total 1",
            "im_push_streams 1",
            "im_send_write_duration_seconds_count 1",
            "im_fanout_published_total 1",
            "im_fanout_received_total 1",
            "im_fanout_lag_seconds_count 1",
            "im_cached_sessions 3",
        ] {
            assert!(text.contains(line), "{line} missing from:\n{text}");
        }
    }
}
