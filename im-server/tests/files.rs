//! File links over real HTTP: an upload's link is absolute (from the
//! upload's `Host`, a trusted proxy's `X-Forwarded-Proto`, or the
//! configured public URL); the link alone downloads the file unless the
//! deployment asks for a session; a download is an attachment that never
//! runs as a page of the server's origin.

mod support;

use std::time::Duration;

use support::raw::{assert_refused, exchange, login};
use support::*;

/// The status, the headers (lowercase names) and the body of an answer.
fn parse(answer: &str) -> (u16, Vec<(String, String)>, String) {
    let status = answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((answer, ""));
    let headers = head
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Uploads `body` as `token`'s, with `extra` header lines; the link the
/// server answers.
async fn upload(url: &str, token: &str, body: &str, extra: &str) -> String {
    let head = format!("POST /v1/files HTTP/1.1\r\nAuthorization: Bearer {token}{extra}");
    let (status, _, answer) = parse(&exchange(url, &head, body, Duration::from_secs(10)).await);
    assert_eq!(status, 200, "{answer}");
    let uploaded: serde_json::Value = serde_json::from_str(&answer).unwrap();
    uploaded["url"].as_str().unwrap().to_owned()
}

/// A GET of `path`, with `extra` header lines.
async fn get(url: &str, path: &str, extra: &str) -> (u16, Vec<(String, String)>, String) {
    let head = format!("GET {path} HTTP/1.1{extra}");
    parse(&exchange(url, &head, "", Duration::from_secs(10)).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_file_link_is_absolute_and_downloads_by_itself() {
    let server = server().await;
    let url = server.server.url();
    let token = login(&url, "alice").await;
    let body = "<html><script>alert(1)</script>文件</html>";
    let link = upload(&url, &token, body, "").await;
    let path = link
        .strip_prefix(&url)
        .unwrap_or_else(|| panic!("{link} is not under {url}"));
    assert!(path.starts_with("/v1/files/"), "{link}");

    // No session, no token: the link is the permission.
    let (status, headers, got) = get(&url, path, "").await;
    assert_eq!(status, 200);
    assert_eq!(got, body, "byte for byte");
    assert_eq!(
        header(&headers, "content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(header(&headers, "content-disposition"), Some("attachment"));
    assert_eq!(
        header(&headers, "content-security-policy"),
        Some("sandbox; default-src 'none'")
    );
    assert_eq!(header(&headers, "x-content-type-options"), Some("nosniff"));

    // A link that leads nowhere: 7004, as a 404.
    let missing = get(&url, "/v1/files/0123456789abcdef0123456789abcdef", "").await;
    assert_refused((missing.0, missing.2), 404, 7004);
    let not_an_id = get(&url, "/v1/files/..%2Fserver.db", "").await;
    assert_refused((not_an_id.0, not_an_id.2), 404, 7004);

    // Uploading still needs a session.
    let head = "POST /v1/files HTTP/1.1";
    let (status, _, answer) = parse(&exchange(&url, head, "x", Duration::from_secs(10)).await);
    assert_refused((status, answer), 401, 6014);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_links_follow_the_public_url_or_a_trusted_proxys_scheme() {
    let public = server_with(|c| c.public_url = Some("https://im.example.com/chat".into())).await;
    let url = public.server.url();
    let token = login(&url, "alice").await;
    let link = upload(&url, &token, "one", "").await;
    assert!(
        link.starts_with("https://im.example.com/chat/v1/files/"),
        "{link}"
    );

    // Without a public URL, a proxy's word on TLS counts only when the
    // proxy is trusted.
    let untrusted = server().await;
    let url = untrusted.server.url();
    let token = login(&url, "alice").await;
    let link = upload(&url, &token, "two", "\r\nX-Forwarded-Proto: https").await;
    assert!(link.starts_with(&format!("{url}/v1/files/")), "{link}");

    let behind_proxy =
        server_with(|c| c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    let url = behind_proxy.server.url();
    let token = login(&url, "alice").await;
    let link = upload(&url, &token, "three", "\r\nX-Forwarded-Proto: https").await;
    let https = url.replacen("http://", "https://", 1);
    assert!(link.starts_with(&format!("{https}/v1/files/")), "{link}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_downloads_need_a_session_when_the_deployment_says_so() {
    let server = server_with(|c| c.files_need_login = true).await;
    let url = server.server.url();
    let token = login(&url, "alice").await;
    let link = upload(&url, &token, "private", "").await;
    let path = link.strip_prefix(&url).unwrap().to_owned();
    let (status, _, answer) = get(&url, &path, "").await;
    assert_refused((status, answer), 401, 6014);
    let bob = login(&url, "bob").await;
    let (status, _, got) = get(&url, &path, &format!("\r\nAuthorization: Bearer {bob}")).await;
    assert_eq!((status, got.as_str()), (200, "private"));
}
