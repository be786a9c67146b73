//! The HTTP front: hyper 1.x over TCP with limits on every connection
//! (header count and read time, body size, request time, connection count),
//! routing each request to one service call.
//!
//! Requests are JSON bodies of at most [`Limits::max_body`] bytes (413
//! beyond it, refused from `Content-Length` before reading, or cut off
//! while reading); the push stream and file transfers stream.

mod cors;
mod files;
mod push;
mod routes;
mod web;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use im_model::ImError;
use im_model::wire::http::ErrorBody;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

pub use cors::Cors;

use crate::codes;
use crate::metrics::{Outcome, route_label};
use crate::service::Service;

/// A response body: whole, or streamed.
pub(crate) type Body = BoxBody<Bytes, std::io::Error>;

/// The limits every connection lives under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest JSON request body.
    pub max_body: usize,
    /// The most headers in a request.
    pub max_headers: usize,
    /// How long a client may take to send a request's headers (slow
    /// clients are cut off after it).
    pub header_timeout: Duration,
    /// How long a JSON request may take to answer.
    pub request_timeout: Duration,
    /// The most open connections; more wait for one to close.
    pub max_connections: usize,
    /// The largest uploaded file.
    pub max_file: u64,
    /// How often an idle push stream sends a heartbeat, re-reads the
    /// user's events and re-checks its session (the bound on what a lost
    /// fan-out notification costs).
    pub heartbeat: Duration,
    /// How long a node trusts its cached copy of an active session (the
    /// bound on how long a node that missed a kick still accepts it).
    pub session_ttl: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: 64 * 1024,
            max_headers: 100,
            header_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            max_connections: 20_000,
            max_file: im_model::limits::MAX_VIDEO_OR_FILE_BYTES,
            heartbeat: push::HEARTBEAT,
            session_ttl: crate::session_cache::DEFAULT_TTL,
        }
    }
}

/// What each request handler shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) service: Service,
    pub(crate) limits: Limits,
    pub(crate) files_dir: std::path::PathBuf,
    /// Load balancers whose `X-Forwarded-For` names the client.
    pub(crate) trusted_proxies: Vec<std::net::IpAddr>,
    /// Origins whose browser pages may call the server.
    pub(crate) cors: Cors,
    /// The web files served under `/web/`, if any.
    pub(crate) web_dir: Option<std::path::PathBuf>,
    /// The base of file links, when configured (else the upload's `Host`).
    pub(crate) public_url: Option<String>,
    /// Whether downloads need a session (else a file's link is enough).
    pub(crate) files_need_login: bool,
}

/// Accepts connections until `stop` turns true; then every connection
/// task is dropped with the returned future.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let permits = Arc::new(Semaphore::new(shared.limits.max_connections));
    let mut connections = JoinSet::new();
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return,
            },
            _ = stop.wait_for(|s| *s) => return,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.wait_for(|s| *s) => return,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: wait, don't spin.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // Small frames (acks, pushes) go out at once.
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        let limits = shared.limits;
        while connections.try_join_next().is_some() {}
        connections.spawn(async move {
            let _permit = permit;
            let service = service_fn(move |request| handle(shared.clone(), peer, request));
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .max_headers(limits.max_headers)
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service);
            if let Err(e) = connection.await {
                tracing::debug!(%peer, error = %e, "connection ended");
            }
        });
    }
}

/// One request: route it, bound its time, and turn any error into
/// Tencent's code in an [`ErrorBody`].
async fn handle(
    shared: Arc<Shared>,
    peer: SocketAddr,
    request: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let path = request.uri().path().to_owned();
    if let Some(answer) = shared.cors.preflight(&request) {
        return Ok(answer);
    }
    let request_headers = request.headers().clone();
    let streaming = routes::is_streaming(&path);
    let started = std::time::Instant::now();
    let work = routes::route(shared.clone(), peer, request);
    let outcome = if streaming {
        work.await
    } else {
        match tokio::time::timeout(shared.limits.request_timeout, work).await {
            Ok(outcome) => outcome,
            Err(_) => Err(codes::internal("the request took too long")),
        }
    };
    let mut response = outcome.unwrap_or_else(|e| error_response(&e));
    shared.cors.decorate(&request_headers, &mut response);
    let status = response.status();
    let kind = if status.is_success() {
        Outcome::Ok
    } else if status.is_server_error() {
        Outcome::ServerError
    } else {
        Outcome::ClientError
    };
    let seconds = (!streaming).then(|| started.elapsed().as_secs_f64());
    shared
        .service
        .metrics()
        .request(route_label(&path), kind, seconds);
    Ok(response)
}

/// The HTTP status for a Tencent code.
fn status_of(code: i32) -> StatusCode {
    match code {
        codes::NOT_LOGGED_IN | 6206 | 6208 | 70001..=70049 => StatusCode::UNAUTHORIZED,
        70050 | 7008 | codes::GROUP_FREQ_LIMIT => StatusCode::TOO_MANY_REQUESTS,
        codes::BODY_SIZE_LIMIT => StatusCode::PAYLOAD_TOO_LARGE,
        codes::GROUP_PERMISSION_DENY => StatusCode::FORBIDDEN,
        // 7004: no such file (a file link that leads nowhere).
        codes::GROUP_NOT_FOUND | 7004 => StatusCode::NOT_FOUND,
        codes::INTERNAL => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// An error as a response.
pub(crate) fn error_response(error: &ImError) -> Response<Body> {
    let status = status_of(error.code());
    let body = serde_json::to_vec(&ErrorBody::from(error)).unwrap_or_default();
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    response
}

/// A whole body.
pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}
