//! The web files (`GET /web/<file>`): the browser SDK and its chat page,
//! served from the folder the server was given (`--web-dir`), so that a
//! page and the API share an origin and need no CORS.
//!
//! Only plain names are served: each path segment is letters, digits,
//! `.`, `-` or `_`, never starting with a dot, so no request reaches
//! outside the folder. `/web/` is `index.html`.

use std::path::Path;

use hyper::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};
use im_model::{ImError, ImResult};

use super::{Body, full};

/// The largest file served (the wasm module is a few MB).
const MAX_FILE: u64 = 32 * 1024 * 1024;

/// The answer to `GET /web/<file>`.
pub(super) async fn serve(dir: Option<&Path>, file: &str) -> ImResult<Response<Body>> {
    let Some(dir) = dir else {
        return Ok(not_found(
            "this server serves no web files (start it with --web-dir)",
        ));
    };
    let file = if file.is_empty() { "index.html" } else { file };
    let plain = file.split('/').all(|segment| {
        !segment.is_empty()
            && !segment.starts_with('.')
            && segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    });
    if !plain {
        return Ok(not_found("no such file"));
    }
    let path = dir.join(file);
    let size = match tokio::fs::metadata(&path).await {
        Ok(meta) if meta.is_file() && meta.len() <= MAX_FILE => meta.len(),
        _ => return Ok(not_found("no such file")),
    };
    let bytes = tokio::fs::read(&path).await.map_err(|e| {
        ImError::new(
            im_model::ErrorCode::IoOperationFailed,
            format!("reading {file}: {e}"),
        )
    })?;
    tracing::debug!(file, size, "served a web file");
    let mut response = Response::new(full(bytes));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type(file)));
    // A rebuilt SDK must reach the page at once.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}

fn not_found(why: &'static str) -> Response<Body> {
    let mut response = Response::new(full(why));
    *response.status_mut() = StatusCode::NOT_FOUND;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// The content type of a file, by its extension (`application/wasm` is
/// what `WebAssembly.instantiateStreaming` requires).
fn content_type(file: &str) -> &'static str {
    match file.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "ts" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn get(dir: Option<&Path>, file: &str) -> (StatusCode, String, Vec<u8>) {
        let response = serve(dir, file).await.unwrap();
        let status = response.status();
        let kind = response
            .headers()
            .get(CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, kind, body.to_vec())
    }

    #[tokio::test]
    async fn test_files_of_the_folder_are_served_and_nothing_else() {
        let root = tempfile::tempdir().unwrap();
        let web = root.path().join("web");
        std::fs::create_dir_all(web.join("sub")).unwrap();
        std::fs::write(web.join("index.html"), "<p>page</p>").unwrap();
        std::fs::write(web.join("im_web_bg.wasm"), b"\0asm").unwrap();
        std::fs::write(web.join("sub/a.js"), "x").unwrap();
        std::fs::write(root.path().join("secret.txt"), "no").unwrap();
        let (status, kind, body) = get(Some(&web), "").await;
        assert_eq!(
            (status, kind.as_str(), body.as_slice()),
            (
                StatusCode::OK,
                "text/html; charset=utf-8",
                b"<p>page</p>".as_slice()
            )
        );
        let (status, kind, _) = get(Some(&web), "im_web_bg.wasm").await;
        assert_eq!(
            (status, kind.as_str()),
            (StatusCode::OK, "application/wasm")
        );
        assert_eq!(get(Some(&web), "sub/a.js").await.0, StatusCode::OK);
        for bad in [
            "../secret.txt",
            "sub/../../secret.txt",
            ".hidden",
            "sub//a.js",
            "%2e%2e/secret.txt",
            "sub",
            "missing.js",
        ] {
            assert_eq!(get(Some(&web), bad).await.0, StatusCode::NOT_FOUND, "{bad}");
        }
        assert_eq!(get(None, "index.html").await.0, StatusCode::NOT_FOUND);
    }
}
