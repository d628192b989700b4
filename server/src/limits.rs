//! How much a request may carry. A volunteer's form is a few hundred bytes
//! and a passkey answer a few kilobytes; only imports carry a whole file.
//! Anything bigger is answered 413 before its body is read, so a client
//! cannot make the server buffer megabytes on any form.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Every form and server function but the imports.
pub const SMALL_BODY: u64 = 64 * 1024;
/// A CSV import: 1 MB of text (`domain::imports::MAX_BYTES`) grows up to
/// three times when form-encoded (`;` is `%3B`, `ø` is `%C3%B8`).
pub const IMPORT_BODY: u64 = 4 * 1024 * 1024;

/// The most a request to `path` may carry.
pub fn body_limit(path: &str) -> u64 {
    match path {
        "/api/volunteers/import" | "/api/volunteers/import_choices" => IMPORT_BODY,
        _ => SMALL_BODY,
    }
}

/// Refuses a body over its route's limit by its declared length, before
/// anything is read.
pub async fn body_limits(mut request: Request, next: Next) -> Response {
    let limit = body_limit(request.uri().path());
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(length) if length > limit => return too_large(),
        Some(_) => {}
        // A body of no declared length is cut off where the limit is; the
        // server function then fails to read it.
        None => {
            let (parts, body) = request.into_parts();
            let limited = http_body_util::Limited::new(body, limit as usize);
            request = Request::from_parts(parts, Body::new(limited));
        }
    }
    next.run(request).await
}

fn too_large() -> Response {
    let error = app::domain::AppError::refused("error.body_too_large");
    let body = serde_json::to_string(&error).unwrap_or_default();
    let mut response = (StatusCode::PAYLOAD_TOO_LARGE, Body::from(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_imports_carry_files() {
        assert_eq!(body_limit("/api/volunteers/import"), IMPORT_BODY);
        assert_eq!(body_limit("/api/areas/save"), SMALL_BODY);
        assert_eq!(body_limit("/signin"), SMALL_BODY);
        let encoded_csv = 3 * app::domain::imports::MAX_BYTES as u64;
        assert!(IMPORT_BODY > encoded_csv, "a full CSV fits, encoded");
    }
}
