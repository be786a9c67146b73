//! [`HttpTransport`]: the transport contract over HTTP/1.1 to `im-server`
//! (hyper 1.x client with pooled, reused connections).
//!
//! Every call is one request with a timeout; a connection failure or a
//! timeout is `ERR_SDK_NET_DISCONNECT` (9508, transient: the SDK's send
//! queue and sync loop retry with backoff), a server refusal carries the
//! server's code. After login a background task holds the push stream
//! (module `push`): events arrive as the server commits them and are kept in a
//! bounded buffer that [`crate::Transport::pull_events`] answers from, so an
//! online device gets a message without a request of its own. The stream
//! reconnects with exponential backoff and full jitter, resuming from the
//! cursor the SDK last asked from (its durable cursor).

mod push;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Method, Request, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use im_model::wire::http::{
    CreateGroupRequest, ErrorBody, GroupMember, GroupMembersRequest, MembersPage,
    MembersPageRequest, SetRoleRequest, path,
};
use im_model::{ErrorCode, ImError, ImResult};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::io::AsyncReadExt;

use crate::{DownloadChunk, DownloadRequest, UploadProgress, UploadRequest, UploadedFile};

type Body = BoxBody<Bytes, std::io::Error>;

/// How an [`HttpTransport`] behaves.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// The server's base URL, `http://host:port`.
    pub base_url: String,
    /// This device's platform (`kTIMPlatform_*`): a second login of the
    /// same user on the same platform kicks this one off.
    pub platform: u32,
    /// The most one request may take.
    pub request_timeout: Duration,
    /// The first push-stream reconnect delay (doubling, full jitter).
    pub reconnect_min: Duration,
    /// The longest push-stream reconnect delay.
    pub reconnect_max: Duration,
}

impl HttpConfig {
    /// Defaults for a server at `base_url`: 10 s requests, reconnects from
    /// 200 ms up to 30 s.
    pub fn new(base_url: impl Into<String>) -> HttpConfig {
        HttpConfig {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            platform: 0,
            request_timeout: Duration::from_secs(10),
            reconnect_min: Duration::from_millis(200),
            reconnect_max: Duration::from_secs(30),
        }
    }
}

/// The base URL of a server address as people write it: `http://host:port`
/// as it is, and `host:port` (no scheme) as `http://host:port`; a trailing
/// `/` is dropped.
///
/// # Errors
/// `TIM_ERR_PARAM` (6017) with a message naming the value when it is not
/// an `http` address with a host (another scheme, a path, a query, or
/// text that is no address at all).
pub fn server_base_url(text: &str) -> ImResult<String> {
    let refuse = |why: &str| {
        ImError::new(
            ErrorCode::Param,
            format!("server address {text:?} {why}: expected http://host:port or host:port"),
        )
    };
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(refuse("is empty"));
    }
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_owned()
    } else {
        format!("http://{trimmed}")
    };
    let uri: Uri = with_scheme
        .parse()
        .map_err(|_| refuse("is not an address"))?;
    match uri.scheme_str() {
        Some("http") => {}
        Some("https") => {
            return Err(refuse(
                "uses https, which this transport does not speak (put TLS in a proxy in front)",
            ));
        }
        _ => return Err(refuse("has an unknown scheme")),
    }
    match uri.authority() {
        Some(authority) if !authority.host().is_empty() => {
            // Text after the host is a port, and must be one.
            let after_host = authority
                .as_str()
                .strip_prefix(authority.host())
                .unwrap_or_default();
            if !after_host.is_empty() && authority.port_u16().is_none() {
                return Err(refuse("has no valid port"));
            }
        }
        _ => return Err(refuse("has no host")),
    }
    if (uri.path() != "/" && !uri.path().is_empty()) || uri.query().is_some() {
        return Err(refuse("has a path or a query"));
    }
    match uri.authority() {
        Some(authority) => Ok(format!("http://{authority}")),
        None => Err(refuse("has no host")),
    }
}

/// The HTTP transport. Cheap to clone; clones share the session.
#[derive(Debug, Clone)]
pub struct HttpTransport {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: HttpConfig,
    client: Client<HttpConnector, Body>,
    token: Mutex<Option<String>>,
    push: crate::push_stream::Push,
}

use crate::push_stream::net;

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

impl HttpTransport {
    /// A transport for `config` (needs a tokio runtime when used).
    ///
    /// # Errors
    /// `TIM_ERR_PARAM` when the base URL is not `http://host[:port]`.
    pub fn new(mut config: HttpConfig) -> ImResult<HttpTransport> {
        config.base_url = server_base_url(&config.base_url)?;
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(config.request_timeout));
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(60))
            .build(connector);
        Ok(HttpTransport {
            inner: Arc::new(Inner {
                config,
                client,
                token: Mutex::new(None),
                push: crate::push_stream::Push::default(),
            }),
        })
    }

    fn token(&self) -> Option<String> {
        self.inner
            .token
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn request(&self, method: Method, path: &str, body: Body) -> ImResult<Request<Body>> {
        let mut builder = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.inner.config.base_url));
        if let Some(token) = self.token() {
            builder = builder.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        builder
            .body(body)
            .map_err(|e| ImError::new(ErrorCode::Param, format!("bad request: {e}")))
    }

    /// Sends a request; a non-2xx answer becomes the server's error.
    async fn send(
        &self,
        request: Request<Body>,
    ) -> ImResult<hyper::Response<hyper::body::Incoming>> {
        let response = tokio::time::timeout(
            self.inner.config.request_timeout,
            self.inner.client.request(request),
        )
        .await
        .map_err(|_| net("the server did not answer in time"))?
        .map_err(net)?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status();
        let bytes = read_all(response, 64 * 1024).await?;
        Err(crate::json_calls::refusal(status.as_u16(), &bytes))
    }

    /// POSTs `body` as JSON to `path` and parses the JSON answer.
    async fn post<Q: Serialize + ?Sized, A: DeserializeOwned>(
        &self,
        path: &str,
        body: &Q,
    ) -> ImResult<A> {
        let json =
            serde_json::to_vec(body).map_err(|e| ImError::new(ErrorCode::Json, e.to_string()))?;
        let mut request = self.request(Method::POST, path, full(json))?;
        request.headers_mut().insert(
            CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("application/json"),
        );
        let response = self.send(request).await?;
        let bytes = read_all(response, 64 * 1024 * 1024).await?;
        serde_json::from_slice(&bytes).map_err(|e| {
            ImError::new(
                ErrorCode::ParseResponseFailed,
                format!("unexpected answer from {path}: {e}"),
            )
        })
    }

    /// Creates a group owned by the logged-in user.
    ///
    /// # Errors
    /// The server's code (10021 id taken, 10004 invalid).
    pub async fn create_group(&self, request: &CreateGroupRequest) -> ImResult<()> {
        self.post(path::GROUP_CREATE, request).await
    }

    /// Adds members (owner or admin); returns who was added.
    ///
    /// # Errors
    /// The server's code (10007 not allowed, 10010 no such group).
    pub async fn add_members(&self, group_id: &str, users: Vec<String>) -> ImResult<Vec<String>> {
        let request = GroupMembersRequest {
            group_id: group_id.to_owned(),
            users,
        };
        self.post(path::GROUP_ADD, &request).await
    }

    /// Removes members (owner or admin), or the caller alone (quit).
    ///
    /// # Errors
    /// The server's code (10007 not allowed, 10010 no such group).
    pub async fn remove_members(
        &self,
        group_id: &str,
        users: Vec<String>,
    ) -> ImResult<Vec<String>> {
        let request = GroupMembersRequest {
            group_id: group_id.to_owned(),
            users,
        };
        self.post(path::GROUP_REMOVE, &request).await
    }

    /// Every member of a group (members only), page after page.
    ///
    /// # Errors
    /// The server's code (10007 not a member, 10010 no such group).
    pub async fn members(&self, group_id: &str) -> ImResult<Vec<GroupMember>> {
        let mut members = Vec::new();
        let mut next = 0;
        loop {
            let request = MembersPageRequest {
                group_id: group_id.to_owned(),
                role_filter: 0,
                users: Vec::new(),
                next,
            };
            let page: MembersPage = self.post(path::GROUP_MEMBERS, &request).await?;
            members.extend(page.members);
            // A server that answers the same start again would loop.
            if page.next <= next {
                return Ok(members);
            }
            next = page.next;
        }
    }

    /// Grants or takes admin (owner only).
    ///
    /// # Errors
    /// The server's code (10007 not the owner).
    pub async fn set_role(&self, request: &SetRoleRequest) -> ImResult<()> {
        self.post(path::GROUP_SET_ROLE, request).await
    }

    /// Whether the push stream is connected now.
    pub fn push_connected(&self) -> bool {
        self.inner.push.connected()
    }

    /// Ends the push stream (logout).
    fn stop_push(&self) {
        self.inner.push.stop();
    }
}

/// Reads a whole body of at most `max` bytes.
async fn read_all(response: hyper::Response<hyper::body::Incoming>, max: usize) -> ImResult<Bytes> {
    let limited = http_body_util::Limited::new(response.into_body(), max);
    Ok(limited
        .collect()
        .await
        .map_err(|e| net(format!("the answer broke off: {e}")))?
        .to_bytes())
}

crate::json_calls::json_transport! {
    impl Transport for HttpTransport {



    async fn upload(
        &self,
        request: UploadRequest,
        progress: UploadProgress,
    ) -> ImResult<UploadedFile> {
        let mut file = tokio::fs::File::open(&request.path)
            .await
            .map_err(|e| ImError::new(ErrorCode::FileNotFound, format!("{}: {e}", request.path)))?;
        let size = file
            .metadata()
            .await
            .map_err(|e| ImError::new(ErrorCode::FileNotFound, format!("{}: {e}", request.path)))?
            .len();
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<Frame<Bytes>, std::io::Error>>(4);
        // The body streams from disk as the connection takes it; progress
        // is reported per chunk handed over.
        tokio::spawn(async move {
            let mut sent: u64 = 0;
            let mut buffer = vec![0u8; 64 * 1024];
            loop {
                match file.read(&mut buffer).await {
                    Ok(0) => return,
                    Ok(n) => {
                        if tx
                            .send(Ok(Frame::data(Bytes::copy_from_slice(&buffer[..n]))))
                            .await
                            .is_err()
                        {
                            return;
                        }
                        sent += n as u64;
                        progress(sent, size);
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e)).await;
                        return;
                    }
                }
            }
        });
        let frames =
            futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|f| (f, rx)) });
        let mut http = self.request(Method::POST, path::UPLOAD, StreamBody::new(frames).boxed())?;
        http.headers_mut().insert(CONTENT_LENGTH, size.into());
        // Uploads may take longer than a request: no overall timeout, the
        // connection's own failure ends it.
        let response = self.inner.client.request(http).await.map_err(|e| {
            ImError::new(
                ErrorCode::FileTransUploadFailed,
                format!("upload failed: {e}"),
            )
        })?;
        let status = response.status();
        let bytes = read_all(response, 64 * 1024).await?;
        if status != StatusCode::OK {
            return Err(serde_json::from_slice::<ErrorBody>(&bytes)
                .map(ImError::from)
                .unwrap_or_else(|_| {
                    ImError::new(
                        ErrorCode::FileTransUploadFailed,
                        format!("server answered {status}"),
                    )
                }));
        }
        serde_json::from_slice(&bytes).map_err(|e| {
            ImError::new(
                ErrorCode::ParseResponseFailed,
                format!("upload answer: {e}"),
            )
        })
    }

    async fn download(
        &self,
        request: DownloadRequest,
        sink: &mut (dyn FnMut(DownloadChunk) -> ImResult<()> + Send),
    ) -> ImResult<()> {
        let id = request.id.unwrap_or_default();
        let http = self.request(
            Method::GET,
            &format!("{}{id}", path::FILES_PREFIX),
            full(Bytes::new()),
        )?;
        let response = self.send(http).await?;
        let total = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        let mut body = response.into_body();
        while let Some(frame) = body.frame().await {
            let frame = frame
                .map_err(|e| ImError::new(ErrorCode::FileTransDownloadFailed, e.to_string()))?;
            if let Ok(data) = frame.into_data() {
                sink(DownloadChunk {
                    bytes: data.to_vec(),
                    total,
                })?;
            }
        }
        Ok(())
    }

    }
}

#[cfg(test)]
mod tests {
    use super::server_base_url;
    use im_model::ErrorCode;

    #[test]
    fn test_an_address_without_a_scheme_is_http() {
        assert_eq!(
            server_base_url("127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            server_base_url("im.example.com:80/").unwrap(),
            "http://im.example.com:80"
        );
        assert_eq!(
            server_base_url("http://[::1]:8080/").unwrap(),
            "http://[::1]:8080"
        );
        assert_eq!(server_base_url(" localhost ").unwrap(), "http://localhost");
    }

    #[test]
    fn test_unusable_addresses_are_refused_with_the_value_named() {
        for bad in [
            "",
            "   ",
            "https://im.example.com",
            "ftp://host:21",
            "http://",
            "http://host:8080/api",
            "http://host:8080?x=1",
            "not an address",
            "host:port",
        ] {
            let e = server_base_url(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::Param, "{bad:?}");
            assert!(
                e.message.contains(&format!("{bad:?}")),
                "{bad:?}: {}",
                e.message
            );
        }
    }
}
