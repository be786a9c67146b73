//! Browsers on the configured origins may call the server: a preflight
//! gets the API's methods and headers, and every answer, the push stream
//! included, names the origin; pages of other origins get nothing they
//! could read.

mod support;

use support::*;

/// One request on its own connection: the head of the answer (status
/// line and headers, lower-cased), as far as it came within a second.
async fn answer_head(url: &str, head: &str, body: &str) -> String {
    let answer = raw::exchange(url, head, body, std::time::Duration::from_secs(1)).await;
    let answer = answer.to_lowercase();
    answer
        .split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// A server allowing the pages of `https://app.example`.
async fn app_example_server() -> TestServer {
    server_with(|config| {
        config.cors_origins = vec!["https://app.example".into()];
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_configured_origin_may_call_the_server_from_a_browser() {
    let server = app_example_server().await;
    let url = server.server.url();
    let preflight = answer_head(
        &url,
        "OPTIONS /v1/login HTTP/1.1\r\nOrigin: https://app.example\r\n\
         Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type",
        "",
    )
    .await;
    assert!(preflight.starts_with("http/1.1 204"), "{preflight}");
    assert!(
        preflight.contains("access-control-allow-origin: https://app.example"),
        "{preflight}"
    );
    assert!(
        preflight.contains("access-control-allow-headers: authorization, content-type"),
        "{preflight}"
    );
    // The login itself names the origin too.
    let body = serde_json::json!({"user_id": "alice", "user_sig": sig("alice"), "platform": 1})
        .to_string();
    let login = answer_head(
        &url,
        "POST /v1/login HTTP/1.1\r\nOrigin: https://app.example\r\nContent-Type: application/json",
        &body,
    )
    .await;
    assert!(login.starts_with("http/1.1 200"), "{login}");
    assert!(
        login.contains("access-control-allow-origin: https://app.example"),
        "{login}"
    );
    // So does the push stream, and an error answer.
    let token = raw::login(&url, "bob").await;
    let stream = answer_head(
        &url,
        &format!(
            "GET /v1/events/stream?cursor=0 HTTP/1.1\r\nOrigin: https://app.example\r\n\
             Authorization: Bearer {token}"
        ),
        "",
    )
    .await;
    assert!(stream.starts_with("http/1.1 200"), "{stream}");
    assert!(stream.contains("access-control-allow-origin"), "{stream}");
    let refused = answer_head(
        &url,
        "POST /v1/messages/send HTTP/1.1\r\nOrigin: https://app.example",
        "{}",
    )
    .await;
    assert!(refused.starts_with("http/1.1 401"), "{refused}");
    assert!(refused.contains("access-control-allow-origin"), "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_other_origins_and_unconfigured_servers_give_browsers_nothing() {
    let server = app_example_server().await;
    let url = server.server.url();
    let preflight = answer_head(
        &url,
        "OPTIONS /v1/login HTTP/1.1\r\nOrigin: https://evil.example\r\n\
         Access-Control-Request-Method: POST",
        "",
    )
    .await;
    assert!(preflight.starts_with("http/1.1 403"), "{preflight}");
    assert!(
        !preflight.contains("access-control-allow-origin"),
        "{preflight}"
    );
    let health = answer_head(
        &url,
        "GET /healthz HTTP/1.1\r\nOrigin: https://evil.example",
        "",
    )
    .await;
    assert!(health.starts_with("http/1.1 200"), "{health}");
    assert!(!health.contains("access-control-allow-origin"), "{health}");
    // A server without origins configured answers as it always did.
    let plain = server_with(|_| {}).await;
    let health = answer_head(
        &plain.server.url(),
        "GET /healthz HTTP/1.1\r\nOrigin: https://app.example",
        "",
    )
    .await;
    assert!(health.starts_with("http/1.1 200"), "{health}");
    assert!(!health.contains("access-control"), "{health}");
}
