//! Cross-origin requests from browsers (a web app on another origin than
//! the server): answers for the origins the server is configured with
//! (`--cors-origin`), nothing for others, so a browser lets only those
//! pages read the answers.
//!
//! A browser asks first (an `OPTIONS` preflight) before a request with an
//! `Authorization` header or a JSON body: allowed origins get `204` with
//! the methods and headers the API uses; others get `403`. Every answer
//! to an allowed origin, the push stream included, names it in
//! `Access-Control-Allow-Origin`. The bearer token travels in a header,
//! not a cookie, so no credentials mode is needed.

use hyper::header::{HeaderMap, HeaderValue, ORIGIN, VARY};
use hyper::{Method, Request, Response, StatusCode};

use super::{Body, full};

/// How long a browser may keep a preflight's answer (seconds).
const PREFLIGHT_MAX_AGE: &str = "600";

/// The origins allowed to call the server from a browser.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cors {
    origins: Vec<String>,
}

impl Cors {
    /// Allows `origins` (`https://app.example.com`, exactly as browsers
    /// send them; `*` allows any).
    pub fn new(origins: Vec<String>) -> Cors {
        Cors { origins }
    }

    /// The request's origin, when it is allowed.
    fn allowed<'a>(&self, headers: &'a HeaderMap) -> Option<&'a HeaderValue> {
        let origin = headers.get(ORIGIN)?;
        let text = origin.to_str().ok()?;
        self.origins
            .iter()
            .any(|allowed| allowed == "*" || allowed == text)
            .then_some(origin)
    }

    /// The answer to a preflight, or `None` when `request` is not one.
    pub(super) fn preflight<B>(&self, request: &Request<B>) -> Option<Response<Body>> {
        let headers = request.headers();
        if request.method() != Method::OPTIONS
            || !headers.contains_key("access-control-request-method")
            || self.origins.is_empty()
        {
            return None;
        }
        let mut response = Response::new(full(Vec::new()));
        match self.allowed(headers) {
            Some(origin) => {
                *response.status_mut() = StatusCode::NO_CONTENT;
                let answer = response.headers_mut();
                answer.insert("access-control-allow-origin", origin.clone());
                answer.insert(
                    "access-control-allow-methods",
                    HeaderValue::from_static("GET, POST, OPTIONS"),
                );
                answer.insert(
                    "access-control-allow-headers",
                    HeaderValue::from_static("Authorization, Content-Type"),
                );
                answer.insert(
                    "access-control-max-age",
                    HeaderValue::from_static(PREFLIGHT_MAX_AGE),
                );
                answer.insert(VARY, HeaderValue::from_static("Origin"));
            }
            None => *response.status_mut() = StatusCode::FORBIDDEN,
        }
        Some(response)
    }

    /// Names the origin of `request_headers` in `response` when allowed.
    pub(super) fn decorate(&self, request_headers: &HeaderMap, response: &mut Response<Body>) {
        if self.origins.is_empty() {
            return;
        }
        if let Some(origin) = self.allowed(request_headers) {
            let answer = response.headers_mut();
            answer.insert("access-control-allow-origin", origin.clone());
            answer.insert(VARY, HeaderValue::from_static("Origin"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: Method, origin: Option<&str>, preflight: bool) -> Request<()> {
        let mut builder = Request::builder().method(method).uri("/v1/login");
        if let Some(origin) = origin {
            builder = builder.header(ORIGIN, origin);
        }
        if preflight {
            builder = builder.header("access-control-request-method", "POST");
        }
        builder.body(()).unwrap()
    }

    #[test]
    fn test_an_allowed_origins_preflight_names_the_api_methods_and_headers() {
        let cors = Cors::new(vec!["https://app.example".into()]);
        let answer = cors
            .preflight(&request(Method::OPTIONS, Some("https://app.example"), true))
            .expect("a preflight");
        assert_eq!(answer.status(), StatusCode::NO_CONTENT);
        let headers = answer.headers();
        assert_eq!(
            headers["access-control-allow-origin"],
            "https://app.example"
        );
        assert_eq!(
            headers["access-control-allow-headers"],
            "Authorization, Content-Type"
        );
        assert_eq!(headers["vary"], "Origin");
    }

    #[test]
    fn test_other_origins_get_no_permission() {
        let cors = Cors::new(vec!["https://app.example".into()]);
        let answer = cors
            .preflight(&request(
                Method::OPTIONS,
                Some("https://evil.example"),
                true,
            ))
            .expect("a preflight");
        assert_eq!(answer.status(), StatusCode::FORBIDDEN);
        assert!(!answer.headers().contains_key("access-control-allow-origin"));
        let mut response = Response::new(full(Vec::new()));
        let other = request(Method::POST, Some("https://evil.example"), false);
        cors.decorate(other.headers(), &mut response);
        assert!(
            !response
                .headers()
                .contains_key("access-control-allow-origin")
        );
    }

    #[test]
    fn test_without_configured_origins_nothing_changes() {
        let cors = Cors::default();
        assert!(
            cors.preflight(&request(Method::OPTIONS, Some("https://app.example"), true))
                .is_none()
        );
        let mut response = Response::new(full(Vec::new()));
        let plain = request(Method::POST, Some("https://app.example"), false);
        cors.decorate(plain.headers(), &mut response);
        assert!(response.headers().is_empty());
        // Not a preflight: an OPTIONS without the request-method header.
        let allowed = Cors::new(vec!["*".into()]);
        assert!(
            allowed
                .preflight(&request(Method::OPTIONS, Some("https://x.example"), false))
                .is_none()
        );
    }

    #[test]
    fn test_a_star_allows_any_origin_by_name() {
        let cors = Cors::new(vec!["*".into()]);
        let mut response = Response::new(full(Vec::new()));
        let from = request(Method::POST, Some("https://x.example"), false);
        cors.decorate(from.headers(), &mut response);
        assert_eq!(
            response.headers()["access-control-allow-origin"],
            "https://x.example"
        );
    }
}
