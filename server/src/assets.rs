//! The browser's files (wasm, JS, CSS, icons) and how they travel: the
//! release build's precompressed `.br`/`.gz` copies when the browser takes
//! them, on-the-fly compression for pages and server-function answers, and
//! caching that never makes a phone fetch an unchanged file twice.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, Response, StatusCode};
use axum::middleware::Next;
use std::convert::Infallible;
use std::path::Path;
use tower::Service;
use tower_http::compression::predicate::{NotForContentType, Predicate};
use tower_http::compression::{CompressionLayer, CompressionLevel, DefaultPredicate};
use tower_http::services::ServeDir;

/// Where a release build lists its content-hashed file names, in the site
/// root (cargo-leptos `hash-file-name`).
pub const HASH_FILE: &str = "hash.txt";

/// A year: the longest lifetime caches honour.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Keep, but ask the server (304 when unchanged) before using it again.
const REVALIDATE: &str = "no-cache";

/// The site root's files, with the precompressed copies a release build
/// writes beside them; anything else goes to `not_found` (the app's 404).
pub fn files<F>(site_root: &Path, not_found: F) -> ServeDir<F>
where
    F: Service<Request, Response = Response<Body>, Error = Infallible> + Clone,
{
    ServeDir::new(site_root)
        .precompressed_br()
        .precompressed_gzip()
        .call_fallback_on_method_not_allowed(true)
        .fallback(not_found)
}

/// Brotli or gzip for what the server renders (pages, server-function
/// answers), at a level that costs little CPU per request. Event streams
/// stay uncompressed (each event must leave at once), and so does wasm:
/// release builds ship it precompressed at brotli's best, debug builds are
/// for loopback.
pub fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .quality(CompressionLevel::Precise(5))
        .compress_when(
            DefaultPredicate::new().and(NotForContentType::const_new("application/wasm")),
        )
}

/// Content-hashed files (a release build's `pkg/`) never change under their
/// name, so they are cached for good; other static files are revalidated.
pub async fn cache_control(request: Request, next: Next) -> Response<Body> {
    let static_file = matches!(*request.method(), Method::GET | Method::HEAD)
        && is_static_path(request.uri().path());
    let hashed = is_hashed_name(request.uri().path());
    let mut response = next.run(request).await;
    let ok = matches!(
        response.status(),
        StatusCode::OK | StatusCode::NOT_MODIFIED | StatusCode::PARTIAL_CONTENT
    );
    if static_file && ok && !response.headers().contains_key(header::CACHE_CONTROL) {
        let value = if hashed { IMMUTABLE } else { REVALIDATE };
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
        // The same name answers br, gzip or plain bytes: caches on the way
        // must keep them apart.
        if !headers.contains_key(header::VARY) {
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
    }
    response
}

fn is_static_path(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path.starts_with("/icons/")
        || matches!(
            path,
            "/favicon.svg" | "/manifest.webmanifest" | "/page.js" | "/offline.js" | "/offline.html"
        )
}

/// `valgvagt.<22 characters of base64url>.wasm` and the like: cargo-leptos
/// puts an MD5 of the content, base64url without padding, in the name.
fn is_hashed_name(path: &str) -> bool {
    let Some(name) = path.strip_prefix("/pkg/") else {
        return false;
    };
    if name.contains('/') {
        // wasm-bindgen's snippets keep their names from build to build.
        return false;
    }
    let mut parts: Vec<&str> = name.split('.').collect();
    parts.pop(); // the extension
    parts.iter().skip(1).any(|part| {
        part.len() == 22
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::is_hashed_name;

    #[test]
    fn hashed_names_are_told_from_plain_ones() {
        assert!(is_hashed_name("/pkg/valgvagt.q2YJ3Ww1o7bSSkD4mKcvxA.wasm"));
        assert!(is_hashed_name(
            "/pkg/__wasm_split.q2YJ3Ww1o7bSSkD4mKcvx-.js"
        ));
        assert!(!is_hashed_name("/pkg/valgvagt.wasm"));
        assert!(!is_hashed_name("/pkg/valgvagt.css"));
        assert!(!is_hashed_name(
            "/pkg/snippets/x-q2YJ3Ww1o7bSSkD4mKcvxA/inline0.js"
        ));
        assert!(!is_hashed_name("/icons/icon-192.png"));
        // A 22-letter stem is a name, not a hash.
        assert!(!is_hashed_name("/pkg/abcdefghijklmnopqrstuv.js"));
    }
}
